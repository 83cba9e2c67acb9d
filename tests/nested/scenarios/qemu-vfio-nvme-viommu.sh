# SPDX-License-Identifier: MIT
# l0: nvme
# qemu-vfio-nvme-viommu: vfio-nvme-viommu-strict with QEMU (q35,
# -device virtio-iommu-pci, -device vfio-pci,host=ADDR) in place of
# build/vmm: the disk in an L2 IOMMU group, L2 in strict invalidation
# (iommu.strict=1). Every map and unmap L2 makes is a round trip through
# QEMU into L1's VFIO. Needs the bench image (QEMU in L1).
VFIO_QEMU=1
VFIO_VIOMMU_STRICT=1
. /scenarios/vfio-nvme.sh
