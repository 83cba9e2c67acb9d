// SPDX-License-Identifier: MIT
/* VT-d: the register page's MMIO handlers. The register file (regfile.c)
 * applies the masks; this file adds the side effects: global commands,
 * context-cache and IOTLB invalidation, the invalidation queue doorbell,
 * the fault and invalidation event registers, and the interrupt remapping
 * table pointer. */
#include "devices/vtd/vtd_internal.h"

#include "vmm/log.h"

#define GCMD_SUPPORTED                                                                             \
	(DMA_GCMD_TE | DMA_GCMD_SRTP | DMA_GCMD_QIE | DMA_GCMD_WBF | DMA_GCMD_IRE |                \
	 DMA_GCMD_SIRTP | DMA_GCMD_CFI)

/* One-shot commands (SRTP, SIRTP, WBF) act when written as 1; persistent
 * ones (TE, QIE, IRE, CFI) act when they differ from their GSTS bit. */
static void gcmd_write(struct vtd *v, uint32_t val)
{
	uint32_t gsts = (uint32_t)vtd_reg_get(v, DMAR_GSTS_REG);

	if (val & ~GCMD_SUPPORTED)
		log_guest_once("vtd: unsupported global command bits 0x%x ignored",
			       val & ~GCMD_SUPPORTED);
	if (val & DMA_GCMD_SRTP) {
		pthread_mutex_lock(&v->walk_lock);
		v->rtaddr = vtd_reg_get(v, DMAR_RTADDR_REG);
		pthread_mutex_unlock(&v->walk_lock);
		vtd_reg_mod(v, DMAR_GSTS_REG, 0, DMA_GSTS_RTPS);
	}
	if (val & DMA_GCMD_SIRTP) {
		v->irta = vtd_reg_get(v, DMAR_IRTA_REG);
		vtd_reg_mod(v, DMAR_GSTS_REG, 0, DMA_GSTS_IRTPS);
		v->ir_dirty = true;
	}
	if ((val ^ gsts) & DMA_GCMD_IRE) {
		vtd_reg_mod(v, DMAR_GSTS_REG, DMA_GSTS_IRES, val & DMA_GCMD_IRE);
		v->ir_dirty = true;
	}
	if ((val ^ gsts) & DMA_GCMD_CFI) {
		vtd_reg_mod(v, DMAR_GSTS_REG, DMA_GSTS_CFIS, val & DMA_GCMD_CFI);
		v->ir_dirty = true;
	}
	if ((val ^ gsts) & DMA_GCMD_QIE) {
		if (val & DMA_GCMD_QIE)
			vtd_reg_set(v, DMAR_IQH_REG, 0);
		else
			vtd_qi_reset(v); /* a descriptor left half done is dropped */
		vtd_reg_mod(v, DMAR_GSTS_REG, DMA_GSTS_QIES, val & DMA_GCMD_QIE);
	}
	if ((val ^ gsts) & DMA_GCMD_TE) {
		vtd_set_translation(v, val & DMA_GCMD_TE);
		vtd_reg_mod(v, DMAR_GSTS_REG, DMA_GSTS_TES, val & DMA_GCMD_TE);
	}
}

/* Register-based invalidation is not used with the queue on (VT-d 6.5.2);
 * such a command completes doing nothing. */
static bool qi_on(const struct vtd *v)
{
	return vtd_reg_get(v, DMAR_GSTS_REG) & DMA_GSTS_QIES;
}

static void ccmd_write(struct vtd *v)
{
	uint64_t val = vtd_reg_get(v, DMAR_CCMD_REG);
	uint64_t cirg = (val >> DMA_CCMD_CIRG_SHIFT) & 3;

	if (!(val & DMA_CCMD_ICC))
		return;
	if (cirg && !qi_on(v))
		vtd_log_inval_context(v, (unsigned)cirg, (uint16_t)val,
				      (uint16_t)(val >> DMA_CCMD_SID_SHIFT));
	vtd_reg_mod(v, DMAR_CCMD_REG, DMA_CCMD_ICC | 3ull << DMA_CCMD_CAIG_SHIFT,
		    cirg << DMA_CCMD_CAIG_SHIFT);
}

static void iotlb_write(struct vtd *v)
{
	uint64_t val = vtd_reg_get(v, DMAR_IOTLB_REG), iva = vtd_reg_get(v, DMAR_IVA_REG);
	unsigned gran = (val >> DMA_TLB_IIRG_SHIFT) & 3, am = iva & DMA_IVA_AM;

	if (!(val & DMA_TLB_IVT))
		return;
	if (gran == DMA_TLB_PSI && am > VTD_MAMV)
		gran = DMA_TLB_DSI; /* a mask beyond MAMV: the whole domain */
	if (gran && !qi_on(v))
		vtd_log_inval_iotlb(v, gran, (uint16_t)(val >> DMA_TLB_DID_SHIFT),
				    iva & DMA_IVA_ADDR, am);
	vtd_reg_mod(v, DMAR_IOTLB_REG, DMA_TLB_IVT | 3ull << DMA_TLB_IAIG_SHIFT,
		    (uint64_t)gran << DMA_TLB_IAIG_SHIFT);
}

/* The write's side effects; the queue work its doorbell did (qi.c). */
static unsigned long write_one(struct vtd *v, unsigned off, unsigned size, uint64_t val)
{
	unsigned base;
	uint64_t w;

	if (!vtd_reg_write(v, off, size, val, &base, &w)) {
		log_guest_once("vtd: write of %u bytes at 0x%x dropped", size, off);
		return 0;
	}
	switch (base) {
	case DMAR_GCMD_REG: gcmd_write(v, (uint32_t)w); break; /* the bytes written, in place */
	case DMAR_CCMD_REG: ccmd_write(v); break;
	case DMAR_IOTLB_REG: iotlb_write(v); break;
	case DMAR_FSTS_REG:
		vtd_fault_update(v);
		if (w & DMA_FSTS_IQE)
			return vtd_qi_run(v); /* IQE cleared: the queue goes on from IQH */
		break;
	case DMAR_FECTL_REG: vtd_fault_update(v); break;
	case DMAR_IQT_REG: return vtd_qi_run(v);
	case DMAR_IQA_REG: vtd_qi_reset(v); break; /* another queue */
	case DMAR_IRTA_REG:
		if (!(v->ecap & VTD_ECAP_EIM)) /* EIME is reserved-zero without EIM */
			vtd_reg_mod(v, DMAR_IRTA_REG, DMA_IRTA_EIME, 0);
		break;
	case DMAR_ICS_REG:
	case DMAR_IECTL_REG: vtd_inv_update(v); break;
	default:
		if (base >= DMAR_FRCD_REG && base < DMAR_FRCD_REG + 16 * VTD_NR_FRCD)
			vtd_fault_update(v);
		break;
	}
	return 0;
}

static uint64_t vtd_mmio_read(void *opaque, uint64_t off, unsigned size)
{
	struct vtd *v = opaque;
	uint64_t val;

	if (off >= VTD_REGS_SIZE || off + size > VTD_REGS_SIZE)
		return 0;
	vtd_qi_resume(v, 0); /* a guest polling FSTS or IQH: the queue goes on */
	pthread_mutex_lock(&v->lock);
	if (size == 8 && vtd_reg_size((unsigned)off) == 4)
		val = vtd_reg_read(v, (unsigned)off, 4) | vtd_reg_read(v, (unsigned)off + 4, 4)
								  << 32;
	else
		val = vtd_reg_read(v, (unsigned)off, size);
	pthread_mutex_unlock(&v->lock);
	return val;
}

static void vtd_mmio_write(void *opaque, uint64_t off, unsigned size, uint64_t val)
{
	struct vtd *v = opaque;
	unsigned long spent; /* by the doorbell: part of this access's budget */

	if (off >= VTD_REGS_SIZE || off + size > VTD_REGS_SIZE)
		return;
	pthread_mutex_lock(&v->lock);
	if (size == 8 && vtd_reg_size((unsigned)off) == 4) {
		spent = write_one(v, (unsigned)off, 4, val & 0xffffffff);
		spent += write_one(v, (unsigned)off + 4, 4, val >> 32);
	} else {
		spent = write_one(v, (unsigned)off, size, val);
	}
	pthread_mutex_unlock(&v->lock);
	vtd_qi_resume(v, spent); /* re-route; the queue goes on, a budget's worth (qi.c) */
}

const struct bus_ops vtd_mmio_ops = {.read = vtd_mmio_read, .write = vtd_mmio_write};
