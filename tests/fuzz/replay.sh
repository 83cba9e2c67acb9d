#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The fuzzers as regression tests (in make test): each target runs every
# input of its committed corpus (tests/fuzz/corpus/NAME/) once, as one test,
# and every past crasher (tests/fuzz/crashers/NAME/) once, as a test of its
# own. The targets are built with ASan and UBSan (tests/fuzz/fuzz.mk); a
# sanitizer report, a broken invariant (abort), or an input that runs longer
# than 10 s fails the test.
. "$(dirname "$0")/../lib.sh"
FUZZ=${FUZZ:-$BUILD/fuzz}
export ASAN_OPTIONS=abort_on_error=1:detect_leaks=1:allocator_may_return_null=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
fail_tail() { echo "$1" | grep -E 'ERROR|invariant|SUMMARY|timeout|deadly' | head -4 | sed 's/^/#   /'; }
for src in "$TOP"/tests/fuzz/fuzz_*.c; do
	name=$(basename "$src" .c)
	bin=$FUZZ/$name
	if [ ! -x "$bin" ]; then
		t_fail "fuzz/$name: not built ($bin)"
		continue
	fi
	corpus=$TOP/tests/fuzz/corpus/$name
	mapfile -t inputs < <(find "$corpus" -type f 2>/dev/null | sort)
	if [ ${#inputs[@]} = 0 ]; then
		t_fail "fuzz/$name: no committed corpus in tests/fuzz/corpus/$name"
	else
		out=$("$bin" -timeout=10 -rss_limit_mb=2048 "${inputs[@]}" 2>&1)
		rc=$?
		t_check "fuzz/$name: corpus (${#inputs[@]} inputs)" $rc "(status $rc)"
		[ $rc = 0 ] || fail_tail "$out"
	fi
	for c in $(find "$TOP/tests/fuzz/crashers/$name" -type f 2>/dev/null | sort); do
		out=$("$bin" -timeout=10 -rss_limit_mb=2048 "$c" 2>&1)
		rc=$?
		t_check "fuzz/$name: crasher $(basename "$c")" $rc "(status $rc)"
		[ $rc = 0 ] || fail_tail "$out"
	done
done
