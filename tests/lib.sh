# SPDX-License-Identifier: MIT
# Shared helpers for the test scripts. Each result is one line on stdout and
# one line in $RESULTS (pass/fail/skip NAME), which tests/run-all.sh counts.
RESULTS=${RESULTS:-/dev/null}
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${BUILD:-$TOP/build}
VMM=${VMM:-$BUILD/vmm}

t_pass() { echo "ok - $*"; echo "pass $*" >>"$RESULTS"; }
t_fail() { echo "not ok - $*"; echo "fail $*" >>"$RESULTS"; }
# t_skip NAME REASON: a test whose input or environment is missing. The reason
# is required; a skip without one is a failure.
t_skip() {
	if [ -z "${2:-}" ]; then t_fail "$1: skipped without a reason"; return; fi
	echo "ok - $1 # SKIP ${*:2}"; echo "skip $1: ${*:2}" >>"$RESULTS"
}
# t_retry NAME REASON: a second attempt was used (tests/run-all.sh counts them).
t_retry() { echo "# retry - $1: ${*:2}"; echo "retry $1: ${*:2}" >>"$RESULTS"; }

# t_check NAME CONDITION-EXIT-STATUS [detail]: pass when $2 is 0.
t_check() { if [ "$2" = 0 ]; then t_pass "$1"; else t_fail "$1 ${*:3}"; fi; }

have_kvm() { [ -r /dev/kvm ] && [ -w /dev/kvm ]; }
