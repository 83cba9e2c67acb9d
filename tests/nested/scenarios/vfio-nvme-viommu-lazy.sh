# SPDX-License-Identifier: MIT
# l0: nvme
# vfio-nvme-viommu-lazy: vfio-nvme-viommu-strict with lazy invalidation in L2
# (iommu.strict=0: unmaps are flushed in batches, from a flush queue; the
# disk's domain is DMA-FQ).
VFIO_VIOMMU_STRICT=0
. /scenarios/vfio-nvme.sh
