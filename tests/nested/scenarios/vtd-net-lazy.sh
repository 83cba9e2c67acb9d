# SPDX-License-Identifier: MIT
# vtd-net-lazy: vtd-net-strict with lazy invalidation in L2 (iommu.strict=0).
VTD_STRICT=0
VTD_CPUS=1 # the 2-vCPU runs are the strict scenarios (see their retry line)
. /scenarios/vtd-net-strict.sh
