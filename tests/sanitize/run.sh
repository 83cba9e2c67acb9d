#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The sanitizer tier: the unit tests, and the bare-metal guest tests under the
# vmm, built with AddressSanitizer and UndefinedBehaviorSanitizer (`make asan`
# puts them in $BUILD/asan/; build/vmm is not involved). Results:
#   asan-unit/BINARY: CASE  each unit test case (tests/unit/run.sh)
#   asan-guest/vmm/NAME     each guest case (tests/guest/run.sh, BACKENDS=vmm,
#                           VMM=tests/sanitize/vmm.sh running $BUILD/asan/vmm)
#   asan-unit/reports       no sanitizer report from any unit test binary
#   asan-guest/reports      no sanitizer report from any vmm run
# Every report is fatal and ends the process with status $SAN_EXIT (86): a
# unit binary then fails as "exited 86" (or with fewer cases than planned),
# a guest case as "exit status 86, want N" (the vmm's own statuses are even
# and below 16, a guest's are odd). The .../reports results catch a report
# whatever the status, and every report is printed in full after its tier.
#
#   tests/sanitize/run.sh [GUEST-CASE...]   the guest cases as tests/guest/run.sh takes them
#   ASAN_OPTIONS / UBSAN_OPTIONS            more options; those set below win
set -u
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
ASAN_BUILD=$BUILD/asan
SAN_EXIT=86
# halt_on_error/exitcode: the first report ends the process with SAN_EXIT;
# abort_on_error=0: by exit, not SIGABRT (no core, the status says why);
# detect_leaks: LeakSanitizer at exit; detect_stack_use_after_return: use of
# a returned function's locals, through a pointer kept (in any thread).
opts="halt_on_error=1:abort_on_error=0:exitcode=$SAN_EXIT:print_stacktrace=1"
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}$opts:detect_leaks=1:detect_stack_use_after_return=1"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}$opts"
# What starts a report, in any of the three sanitizers' formats.
export SAN_PATTERN='^==[0-9]+==ERROR: |: runtime error: |^SUMMARY: [A-Za-z]+Sanitizer'

TMP=$(mktemp -d /tmp/sanitize.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
failed=0

# print_reports DIR: each report file, in full, as TAP diagnostics.
print_reports() {
	local f
	for f in "$1"/*; do
		[ -f "$f" ] || continue
		echo "# ---- sanitizer report ($(basename "$f")) ----"
		head -n 300 "$f" | sed 's/^/#   /'
	done
}

# reports_check NAME DIR: one result, failed (status 1) when DIR holds a report.
reports_check() {
	local n
	n=$(find "$2" -type f | wc -l)
	print_reports "$2"
	if [ "$n" = 0 ]; then
		t_pass "$1"
	else
		t_fail "$1" "($n sanitizer report(s), printed above)"
		return 1
	fi
}

# ---- unit tests ---------------------------------------------------------------
# The binaries that `make asan` builds, one per tests/unit/test_*.c, each run
# through tests/sanitize/unit.sh (a link under its name) which keeps any
# report; a missing binary is passed as it is, and tests/unit/run.sh fails it.
# (UBSan ignores log_path when it shares the process with ASan, hence stderr.)
# The unit tests need no KVM (TEST_PART, tests/lib.sh).
if part_nokvm; then
	start=$SECONDS
	mkdir -p "$TMP/unit-reports" "$TMP/unit-bin"
	: >"$TMP/unit-results"
	bins=()
	for src in "$TOP"/tests/unit/test_*.c; do
		name=$(basename "$src" .c)
		if [ -x "$ASAN_BUILD/tests/unit/$name" ]; then
			ln -s "$TOP/tests/sanitize/unit.sh" "$TMP/unit-bin/$name"
			bins+=("$TMP/unit-bin/$name")
		else
			bins+=("$ASAN_BUILD/tests/unit/$name")
		fi
	done
	# UNIT_PREFIX names the results; the renaming below is for a
	# tests/unit/run.sh without it (a no-op otherwise).
	SAN_UNIT_DIR=$ASAN_BUILD/tests/unit SAN_REPORTS=$TMP/unit-reports RESULTS=$TMP/unit-results \
		UNIT_PREFIX=asan-unit/ "$TOP/tests/unit/run.sh" "${bins[@]}" |
		sed -u -E 's/^((not )?ok - )unit\//\1asan-unit\//'
	reports_check asan-unit/reports "$TMP/unit-reports" || failed=1
	sed -E 's/^(pass|fail|skip) unit\//\1 asan-unit\//' "$TMP/unit-results" >>"$RESULTS"
	grep -q '^fail ' "$TMP/unit-results" && failed=1
	echo "# asan-unit: $((SECONDS - start)) s"
fi

# ---- guest tests under the sanitizer vmm ------------------------------------------
# tests/guest/run.sh names its results guest/vmm/NAME; they are renamed
# asan-guest/vmm/NAME here, on stdout and in $RESULTS.
# The guest tests need KVM.
if part_kvm; then
	start=$SECONDS
	mkdir -p "$TMP/guest-reports"
	: >"$TMP/guest-results"
	if [ ! -x "$ASAN_BUILD/vmm" ]; then
		# Without it tests/guest/run.sh would only skip: that must not pass.
		echo "fail guest/vmm/build ($ASAN_BUILD/vmm is not built: make asan)" >"$TMP/guest-results"
		echo "not ok - asan-guest/vmm/build ($ASAN_BUILD/vmm is not built: make asan)"
	else
		SAN_VMM=$ASAN_BUILD/vmm SAN_REPORTS=$TMP/guest-reports VMM=$TOP/tests/sanitize/vmm.sh \
			BACKENDS=vmm RESULTS=$TMP/guest-results "$TOP/tests/guest/run.sh" "$@" |
			sed -u -E 's/^((not )?ok - )guest\//\1asan-guest\//'
	fi
	sed -E 's/^(pass|fail|skip) guest\//\1 asan-guest\//' "$TMP/guest-results" >>"$RESULTS"
	grep -q '^fail ' "$TMP/guest-results" && failed=1
	reports_check asan-guest/reports "$TMP/guest-reports" || failed=1
	echo "# asan-guest: $((SECONDS - start)) s"
fi
exit $failed
