# SPDX-License-Identifier: MIT
# l0: nvme
# bench-vfio-viommu-lazy: bench-vfio-viommu-strict with lazy invalidation in
# L2 (iommu.strict=0: unmaps flushed in batches from a flush queue; the
# disk's domain is DMA-FQ).
VFIO_VIOMMU_STRICT=0
. /scenarios/bench-vfio.sh
