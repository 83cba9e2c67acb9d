# SPDX-License-Identifier: MIT
# l0: nvme
# vfio-nvme-vtd-strict: vfio-nvme.sh with the disk behind build/vmm's emulated
# VT-d (--iommu intel: caching mode forced on, aw-bits cut to the host's) and
# L2 with intel_iommu=on iommu.strict=1: every mapping L2 makes reaches the
# host through the caching-mode invalidation walks (devices/vtd/, the VFIO
# mirror). Checks: vfio-nvme.sh's disk checks, the disk in an L2 IOMMU group
# of type DMA, no DMAR fault in L1, nothing left mapped at exit, one host map
# per contiguous run of L2's leaves and none replaced (vfio_vtd_counters,
# vfio-lib.sh; vfio-nvme-viommu-strict prints the virtio-iommu's count for
# the same L2). No lazy
# variant: with caching mode Linux's intel-iommu forces strict invalidation
# ("IOMMU batching disallowed due to virtualization"), so iommu.strict=0 runs
# the same way.
VFIO_VIOMMU_STRICT=1
VFIO_VTD=1
. /scenarios/vfio-nvme.sh
