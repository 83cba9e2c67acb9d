#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Run every test tier and print the totals as the last line.
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
export RESULTS=$TOP/build/test-results.txt
: >"$RESULTS"
cd "$TOP"
suites=(tests/unit/run.sh tests/acpi/iasl.sh tests/cli/run.sh tests/guest/run.sh tests/seccomp/run.sh tests/nested/run.sh)
for s in "${suites[@]}"; do
	[ -x "$s" ] || continue
	echo "# suite: $s"
	if [ "$s" = tests/unit/run.sh ]; then
		"$s" build/tests/unit/test_* || true
	else
		"$s" || true
	fi
done
p=$(grep -c '^pass ' "$RESULTS"); f=$(grep -c '^fail ' "$RESULTS"); s=$(grep -c '^skip ' "$RESULTS")
if [ "$f" != 0 ]; then echo "# failed:"; grep '^fail ' "$RESULTS" | sed 's/^/#   /'; fi
echo "$p passed, $f failed, $s skipped"
[ "$f" = 0 ]
