# SPDX-License-Identifier: MIT
# l0: nvme
# vfio-nvme-viommu-strict: vfio-nvme with build/vmm's virtio-iommu in front
# of the disk (--iommu virtio) and L2 in strict invalidation
# (iommu.strict=1: every unmap is flushed at once). L2 loads virtio-iommu.ko
# before nvme (task viommu-run); the disk must be in an L2 IOMMU group with
# a DMA domain, plus viommu-lib.sh's IOMMU checks; the VMM's host mappings
# must be no more than L2's MAP requests (vfio_vmm_counters, vfio-lib.sh).
VFIO_VIOMMU_STRICT=1
. /scenarios/vfio-nvme.sh
