# SPDX-License-Identifier: MIT
# l0: -device edu
# qemu-vfio-edu: vfio-edu with QEMU 7.2 (q35, qboot, -device
# virtio-iommu-pci, -device vfio-pci,host=ADDR) in place of build/vmm: the
# same guest, L1 and DMAR checks, but for the VMM's own counters. Where QEMU
# departs from the virtio-iommu spec the guest records a SKIP (known=, its
# reasons in guest-tests/vfio_edu.c). Needs the bench image (QEMU in L1).
VFIO_QEMU=1
. /scenarios/vfio-edu.sh
