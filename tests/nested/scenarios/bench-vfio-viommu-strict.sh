# SPDX-License-Identifier: MIT
# l0: nvme
# bench-vfio-viommu-strict: bench-vfio with a virtio-iommu in front of the
# disk (build/vmm --iommu virtio, QEMU -device virtio-iommu-pci) and L2 in
# strict invalidation (iommu.strict=1: every unmap flushed at once, so every
# DMA of L2 costs a MAP and an UNMAP round trip through the VMM into L1's
# VFIO). Adds the host MAP_DMA calls per L2 MAP request.
VFIO_VIOMMU_STRICT=1
. /scenarios/bench-vfio.sh
