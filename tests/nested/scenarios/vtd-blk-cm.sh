# SPDX-License-Identifier: MIT
# vtd-blk-cm: vtd-blk-strict with the unit in caching mode and 39-bit
# (3-level) tables (--iommu intel,caching-mode=on,aw-bits=39): L2 then
# invalidates every new mapping, and build/vmm caches each invalidated range
# at once instead of on a miss.
VTD_OPTS=",caching-mode=on,aw-bits=39"
VTD_CPUS=1 # the 2-vCPU runs are the strict scenarios (see their retry line)
. /scenarios/vtd-blk-strict.sh
