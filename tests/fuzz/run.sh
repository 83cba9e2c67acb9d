#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# make fuzz: run each libFuzzer target for FUZZ_TIME seconds (default 60),
# one after another, and print a table of executions, coverage and corpus
# size. FUZZ_RUNS stops each after that many executions instead, whichever
# comes first. FUZZ_TARGETS (names without fuzz_) picks some. Each starts
# from its committed corpus (tests/fuzz/corpus/NAME, read only) and its
# working corpus
# (build/fuzz/corpus/NAME). A crash leaves its input in
# build/fuzz/crash/NAME/; copy it to tests/fuzz/crashers/NAME/ once fixed, and
# make test replays it. FUZZ_MERGE=1 merges the working corpus into the
# committed one afterwards (libFuzzer's -merge=1 keeps only inputs that add
# coverage).
set -u
. "$(dirname "$0")/../lib.sh"
FUZZ=$BUILD/fuzz
T=${FUZZ_TIME:-60}
status=0
printf '%-16s %12s %10s %8s %8s %s\n' target execs exec/s cov corpus result
for src in "$TOP"/tests/fuzz/fuzz_*.c; do
	name=$(basename "$src" .c)
	if [ -n "${FUZZ_TARGETS:-}" ] && ! [[ " $FUZZ_TARGETS " == *" ${name#fuzz_} "* ]]; then
		continue
	fi
	work=$FUZZ/corpus/$name crash=$FUZZ/crash/$name seed=$TOP/tests/fuzz/corpus/$name
	mkdir -p "$work" "$crash" "$seed"
	log=$FUZZ/$name.log
	ASAN_OPTIONS=abort_on_error=1:detect_leaks=1:allocator_may_return_null=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		"$FUZZ/$name" -max_total_time="$T" ${FUZZ_RUNS:+-runs=$FUZZ_RUNS} -timeout=10 -rss_limit_mb=2048 \
		-print_final_stats=1 -artifact_prefix="$crash/" "$work" "$seed" >"$log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
	cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
	n=$(find "$work" -type f | wc -l)
	result=ok
	if [ $rc != 0 ]; then
		result="CRASH (status $rc): $(ls -t "$crash" | head -1), log $log"
		status=1
	fi
	printf '%-16s %12s %10s %8s %8s %s\n' "${name#fuzz_}" "${execs:-?}" "${rate:-?}" \
		"${cov:-?}" "$n" "$result"
	if [ "${FUZZ_MERGE:-0}" = 1 ] && [ $rc = 0 ]; then
		"$FUZZ/$name" -merge=1 "$seed" "$work" >"$FUZZ/$name.merge.log" 2>&1
	fi
done
exit $status
