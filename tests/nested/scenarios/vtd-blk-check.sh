# SPDX-License-Identifier: MIT
# retry: the known below-the-VMM corruption of L2's CPU state (a fresh clone's run: L2 on 1 vCPU died in its timer interrupt's entry on a bad GS base, 5 s into boot; tests/nested/README.md, "L0's multi-threaded TCG")
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
