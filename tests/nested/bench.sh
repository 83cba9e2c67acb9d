#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# make bench's nested figure: L2 Linux boot-to-init time under build/vmm and
# under QEMU (-M microvm, -accel kvm) inside the same L1; prints one BENCH line.
exec "$(dirname "$0")/run.sh" --bench "$@"
