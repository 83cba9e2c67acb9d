# SPDX-License-Identifier: MIT
# vtd-blk-check: vtd-blk-strict with --iommu-log and check-invalidation=on:
# every translation build/vmm serves from its cache is walked again in L2's
# tables. Linux's intel-iommu in strict mode flushes every change, so the
# log must show the unit's maps and the driver's invalidations and not one
# missed invalidation (vtd_log_check in vtd-lib.sh): no false alarm.
VTD_OPTS=",check-invalidation=on"
VTD_LOG=/tmp/vtd-blk-check.jsonl
VTD_CPUS=1 # the 2-vCPU runs are the strict scenarios (see their retry line)
. /scenarios/vtd-blk-strict.sh
rm -f "$VTD_LOG"
