# SPDX-License-Identifier: MIT
# retry: L1 stopped responding in 2 of about 30 runs of the 2-vCPU VT-d scenarios with interrupt remapping (tests/nested/README.md, "Known problem")
# vtd-blk-xapic: vtd-blk-strict.sh with --iommu intel,eim=off: no extended
# interrupt mode, so the DMAR table opts out of x2APIC and L2's intel-iommu
# remaps interrupts in xAPIC mode (8-bit destinations in IRTE bits 47:40),
# every IOAPIC and MSI-X interrupt still remapped, on both vCPUs.
VTD_OPTS=",eim=off"
VTD_IR_MODE=xapic
. /scenarios/vtd-blk-strict.sh
