# SPDX-License-Identifier: MIT
# vtd-net-lazy: vtd-net-strict with lazy invalidation in L2 (iommu.strict=0).
VTD_STRICT=0
. /scenarios/vtd-net-strict.sh
