#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# make run's demo as a suite: boot build/guest-tests/demo.elf under
# build/vmm, print what its console said, and record demo/boot (status 0 and
# the guest's greeting). make run uses it on a machine without a usable
# /dev/kvm: tests/nested/run.sh --host demo boots it in the nested harness's
# L1, whose KVM runs it (docs/testing.md, "A host without /dev/kvm").
. "$(dirname "$0")/../lib.sh"
out=$("$VMM" --kernel "$BUILD/guest-tests/demo.elf" --cmdline "hello from make run" </dev/null 2>&1)
rc=$?
echo "$out"
[ $rc = 0 ] && grep -q "^Hello from the guest-test demo" <<<"$out"
t_check demo/boot $? "(status $rc)"
