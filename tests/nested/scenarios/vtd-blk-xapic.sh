# SPDX-License-Identifier: MIT
# vtd-blk-xapic: vtd-blk-strict.sh with --iommu intel,eim=off: no extended
# interrupt mode, so the DMAR table opts out of x2APIC and L2's intel-iommu
# remaps interrupts in xAPIC mode (8-bit destinations in IRTE bits 47:40),
# every IOAPIC and MSI-X interrupt still remapped, on both vCPUs.
VTD_OPTS=",eim=off"
VTD_IR_MODE=xapic
VTD_CPUS=1 # the 2-vCPU runs are the strict scenarios (see their retry line)
. /scenarios/vtd-blk-strict.sh
