# SPDX-License-Identifier: MIT
# viommu-net-lazy: viommu-net-strict with lazy invalidation in L2
# (iommu.strict=0: unmaps are flushed in batches, from a flush queue).
VIOMMU_STRICT=0
. /scenarios/viommu-net-strict.sh
