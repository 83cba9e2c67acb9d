# SPDX-License-Identifier: MIT
# l0: nvme
# qemu-vfio-nvme: vfio-nvme with QEMU (q35, -device vfio-pci,host=ADDR) in
# place of build/vmm: the same L2 kernel, task and checks, but for the
# VMM's own counters. A control for build/vmm's passthrough: it proves the
# harness (L0's NVMe behind VT-d, vfio-pci in L1, the L2 and host checks).
# Needs the bench image (QEMU in L1).
VFIO_QEMU=1
. /scenarios/vfio-nvme.sh
