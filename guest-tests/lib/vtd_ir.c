// SPDX-License-Identifier: MIT
/* VT-d interrupt remapping for the guest tests (see vtd_ir.h). */
#include "vtd_ir.h"

#include "virtio.h"

uint64_t *vtd_ir_enable(struct vtd *v, bool eim)
{
	uint64_t *irt = vtd_page();

	vtd_write64(v, DMAR_IRTA_REG,
		    virt_to_phys(irt) | (eim ? DMA_IRTA_EIME : 0) | VTD_IRT_ORDER);
	if (!vtd_command(v, DMA_GCMD_SIRTP, true) || !vtd_iec_flush(v, -1) ||
	    !vtd_command(v, DMA_GCMD_IRE, true))
		return NULL;
	return irt;
}

void vtd_irte_set(uint64_t *irt, unsigned i, uint64_t lo, uint64_t hi)
{
	irt[2 * i] = 0;
	barrier();
	irt[2 * i + 1] = hi;
	barrier();
	irt[2 * i] = lo;
}

uint64_t vtd_irte_lo(uint8_t vector, uint32_t dest, bool eim)
{
	return IRTE_P | IRTE_VECTOR(vector) |
	       (eim ? IRTE_DEST_X2APIC(dest) : IRTE_DEST_XAPIC(dest & 0xff));
}

uint64_t vtd_irte_hi_sid(uint16_t sid)
{
	return IRTE_SVT_SID | sid;
}

bool vtd_iec_flush(struct vtd *v, int index)
{
	if (!v->iq)
		return false;
	vtd_qi_submit(
		v, QI_IEC_TYPE | (index < 0 ? 0 : QI_IEC_INDEX | QI_IEC_IIDX((unsigned)index)), 0);
	return vtd_qi_wait(v);
}

uint32_t vtd_ir_msi_addr(unsigned handle)
{
	return 0xfee00000u | MSI_ADDR_IR_FORMAT | MSI_ADDR_IR_HANDLE(handle);
}

uint64_t vtd_ir_rte(unsigned handle, uint8_t vector)
{
	return RTE_IR_FORMAT | RTE_IR_HANDLE(handle) | vector;
}
