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

# TEST_PART: which part of a suite this run makes, for a host without a
# usable /dev/kvm whose tests/run-all.sh runs the parts that need KVM in the
# nested harness's L1 (tests/nested/scenarios/host-tiers.sh): unset, all of
# it; "nokvm", only what needs no KVM (on the host); "kvm", only what needs
# KVM (in L1). The part not made prints nothing and records nothing.
part_nokvm() { [ "${TEST_PART:-all}" != kvm ]; }
part_kvm() { [ "${TEST_PART:-all}" != nokvm ]; }

# kvm_tiers: where the tiers that need KVM run: "here" (a usable /dev/kvm),
# "l1" (none, but QEMU can run the nested harness, whose L1 has KVM), or
# "none" (they are named skips).
kvm_tiers() {
	if have_kvm; then echo here
	elif command -v qemu-system-x86_64 >/dev/null; then echo l1
	else echo none
	fi
}
