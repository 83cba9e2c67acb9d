# SPDX-License-Identifier: MIT
# retry: the known below-the-VMM wedge (L2 hangs or resets during a long TCP transfer under QEMU as under build/vmm; tests/nested/README.md)
# viommu-net-lazy: viommu-net-strict with lazy invalidation in L2
# (iommu.strict=0: unmaps are flushed in batches, from a flush queue).
VIOMMU_STRICT=0
. /scenarios/viommu-net-strict.sh
