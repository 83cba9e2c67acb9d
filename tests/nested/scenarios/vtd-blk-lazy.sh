# SPDX-License-Identifier: MIT
# vtd-blk-lazy: vtd-blk-strict with lazy invalidation in L2 (iommu.strict=0:
# unmaps are flushed in batches, from a flush queue).
VTD_STRICT=0
VTD_CPUS=1 # the 2-vCPU runs are the strict scenarios (see their retry line)
. /scenarios/vtd-blk-strict.sh
