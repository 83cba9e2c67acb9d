# SPDX-License-Identifier: MIT
# vtd-blk-lazy: vtd-blk-strict with lazy invalidation in L2 (iommu.strict=0:
# unmaps are flushed in batches, from a flush queue).
VTD_STRICT=0
. /scenarios/vtd-blk-strict.sh
