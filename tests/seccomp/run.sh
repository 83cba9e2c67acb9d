#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The seccomp baseline: a syscall outside a thread's allow list kills the
# whole VMM with SIGSYS (the test hook VMM_TEST_HOOK makes one on purpose
# right after the filter is installed), and the same run without the hook
# or with --seccomp off completes normally.
. "$(dirname "$0")/../lib.sh"
K=$BUILD/tests/tiny-exit.elf
if [ ! -x "$VMM" ] || ! have_kvm; then t_skip seccomp "needs build/vmm and /dev/kvm"; exit 0; fi

for kind in vcpu main; do
	# A subshell, so that bash's "Bad system call" notice stays quiet.
	(VMM_TEST_HOOK=seccomp-$kind exec "$VMM" --kernel "$K" >/dev/null 2>&1 </dev/null) 2>/dev/null
	rc=$?
	# 128 + SIGSYS (31): killed by the filter's default action.
	[ $rc = 159 ]; t_check seccomp/kill-$kind $? "status $rc, want 159 (SIGSYS)"
	VMM_TEST_HOOK=seccomp-$kind "$VMM" --kernel "$K" --seccomp off >/dev/null 2>&1 </dev/null
	rc=$?
	[ $rc = 85 ]; t_check seccomp/off-$kind $? "status $rc, want 85"
done
"$VMM" --kernel "$K" >/dev/null 2>&1 </dev/null
rc=$?; [ $rc = 85 ]; t_check seccomp/on-normal-run $? "status $rc"
# Capabilities are gone once the guest runs: CapEff of a running VMM is 0.
"$VMM" --kernel "$BUILD/tests/tiny-spin.elf" >/dev/null 2>&1 </dev/null &
pid=$!
sleep 0.5
capeff=$(awk '/^CapEff/ {print $2}' /proc/$pid/status 2>/dev/null)
kill -TERM $pid; wait $pid
[ "$capeff" = 0000000000000000 ]; t_check seccomp/caps-dropped $? "CapEff=$capeff"
