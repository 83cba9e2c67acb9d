#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Run cmocka unit-test binaries (TAP output) and record each test case.
#   tests/unit/run.sh BINARY...
# UNIT_PREFIX names the results (default unit/; the sanitizer run uses its own).
# A binary counts as failed when it is missing, exits non-zero with no failed
# case, or reports fewer cases than its TAP plan ("1..N") announced. A case
# that calls skip() is recorded as skipped with the reason it printed on a
# line "# skip NAME: REASON".
. "$(dirname "$0")/../lib.sh"
P=${UNIT_PREFIX:-unit/}
for bin in "$@"; do
	name=$(basename "$bin")
	if [ ! -x "$bin" ]; then
		t_fail "$P$name: not built ($bin)"
		continue
	fi
	out=$(CMOCKA_MESSAGE_OUTPUT=TAP timeout 120 "$bin" 2>&1)
	rc=$?
	plan=0 seen=0 failed=0
	while IFS= read -r line; do
		if [[ $line =~ ^1\.\.([0-9]+)$ ]]; then
			plan=$((plan + BASH_REMATCH[1]))
			continue
		fi
		case "$line" in
		*"# SKIP"*)
			seen=$((seen + 1))
			tc=${line##*# SKIP }
			why=$(echo "$out" | sed -n "s/^# skip $tc: //p" | head -1)
			t_skip "$P$name: $tc" "${why:-the test called skip() without printing why}"
			;;
		"not ok "*)
			seen=$((seen + 1)) failed=1
			t_fail "$P$name: ${line#not ok * - }"
			;;
		"ok "*)
			seen=$((seen + 1))
			t_pass "$P$name: ${line#ok * - }"
			;;
		esac
	done <<<"$out"
	if [ "$seen" -lt "$plan" ] || [ "$plan" = 0 ]; then
		t_fail "$P$name: reported $seen of the $plan cases it planned (status $rc)"
		echo "$out" | tail -5 | sed 's/^/#   /'
	elif [ $rc -ne 0 ] && [ $failed = 0 ]; then
		t_fail "$P$name: exited $rc"
		echo "$out" | tail -5 | sed 's/^/#   /'
	fi
done
