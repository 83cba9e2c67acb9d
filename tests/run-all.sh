#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Run every test tier and print the totals as the last line:
#   N passed, N failed, N skipped
# Each suite appends pass/fail/skip lines to $RESULTS (tests/lib.sh). A suite
# cannot hide a failure:
#  - a suite that is missing, exits non-zero without recording a failure, or
#    ends without recording any result counts as a failed test of its own
#    (suite/NAME);
#  - a skipped test names its reason;
#  - a retry (only for the nested scenarios listed with a "# retry:" line) is
#    recorded, and the count is printed on the line before the summary.
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
export RESULTS=$TOP/build/test-results.txt
mkdir -p "$TOP/build"
: >"$RESULTS"
cd "$TOP"
# shellcheck source=tests/lib.sh
. tests/lib.sh

# The Debian kernel that the nested harness boots is also an input of the
# unit tests (test_boot_bzimage loads it): fetch it first, once.
if [ -x tests/nested/fetch.sh ] && tests/nested/fetch.sh >build/fetch.log 2>&1; then
	export VMM_TEST_BZIMAGE
	VMM_TEST_BZIMAGE=$(sed -n 's/^BZIMAGE=//p' build/fetch.log)
fi

suites=(tests/format/run.sh tests/unit/run.sh tests/fuzz/replay.sh tests/acpi/iasl.sh tests/cli/run.sh
	tests/guest/run.sh tests/seccomp/run.sh tests/sanitize/run.sh tests/nested/run.sh)
# Without a usable /dev/kvm here, the suites' parts that need KVM run in the
# nested harness's L1, which has one, under the same names: cli and sanitize
# make their other parts here (TEST_PART=nokvm), and one more L0 boot runs
# the rest (tests/nested/scenarios/host-tiers.sh).
where=$(kvm_tiers)
echo "# KVM tiers: $where$([ "$where" = l1 ] && echo " (no usable /dev/kvm here: in the nested harness's L1)")"
if [ "$where" = l1 ]; then
	suites=(tests/format/run.sh tests/unit/run.sh tests/fuzz/replay.sh tests/acpi/iasl.sh
		"tests/cli/run.sh nokvm"
		"tests/sanitize/run.sh nokvm" "tests/nested/run.sh --host cli,guest,seccomp,sanitize"
		tests/nested/run.sh)
fi
for entry in "${suites[@]}"; do
	read -r s part args <<<"$entry"
	[ "$part" = nokvm ] || { args="$part${args:+ $args}"; part=""; }
	name=$(basename "$(dirname "$s")")
	echo "# suite: $entry"
	if [ ! -x "$s" ]; then
		t_fail "suite/$name: $s is missing or not executable"
		continue
	fi
	before=$(wc -l <"$RESULTS")
	fails_before=$(grep -c '^fail ' "$RESULTS")
	if [ "$s" = tests/unit/run.sh ]; then
		# One binary per test source: a missing one is a failure.
		units=()
		for c in tests/unit/test_*.c; do
			units+=("build/tests/unit/$(basename "$c" .c)")
		done
		"$s" "${units[@]}"
	else
		# shellcheck disable=SC2086 # args are words
		TEST_PART=$part "$s" $args
	fi
	rc=$?
	after=$(wc -l <"$RESULTS")
	fails_after=$(grep -c '^fail ' "$RESULTS")
	if [ "$after" = "$before" ]; then
		t_fail "suite/$name: ended (status $rc) without reporting a result"
	elif [ "$rc" != 0 ] && [ "$fails_after" = "$fails_before" ]; then
		t_fail "suite/$name: exited with status $rc but reported no failure"
	fi
done
p=$(grep -c '^pass ' "$RESULTS")
f=$(grep -c '^fail ' "$RESULTS")
s=$(grep -c '^skip ' "$RESULTS")
r=$(grep -c '^retry ' "$RESULTS")
if [ "$s" != 0 ]; then
	echo "# skipped:"
	grep '^skip ' "$RESULTS" | sed 's/^skip /#   /'
fi
if [ "$f" != 0 ]; then
	echo "# failed:"
	grep '^fail ' "$RESULTS" | sed 's/^fail /#   /'
fi
if [ "$r" != 0 ]; then
	grep '^retry ' "$RESULTS" | sed 's/^retry /# retried: /'
fi
echo "# retries used: $r"
echo "$p passed, $f failed, $s skipped"
[ "$f" = 0 ]
