// SPDX-License-Identifier: MIT
/* VT-d: queued invalidation. A doorbell (an IQT write, or IQE cleared)
 * processes the 128-bit descriptors from IQH to IQT, at most one queue's
 * worth; a descriptor that cannot be read or is bad (an unknown or
 * unsupported type, a reserved bit, a zero granularity) sets FSTS.IQE with
 * IQH on it and stops the queue until the guest clears IQE. */
#include "devices/vtd/vtd_internal.h"

#include "vmm/log.h"

#define QI_CC_TYPE    0x1 /* context-cache invalidate */
#define QI_IOTLB_TYPE 0x2 /* IOTLB invalidate */
#define QI_IEC_TYPE   0x4 /* interrupt entry cache invalidate */
#define QI_IWD_TYPE   0x5 /* invalidation wait */

#define QI_GRAN(d)	 (((d) >> 4) & 3)
#define QI_CC_RSVD	 (GENMASK_ULL(63, 50) | GENMASK_ULL(15, 6))
#define QI_IOTLB_RSVD	 (GENMASK_ULL(63, 32) | GENMASK_ULL(15, 8))
#define QI_IOTLB_RSVD_HI GENMASK_ULL(11, 7)
#define QI_IOTLB_DID(d)	 ((uint16_t)((d) >> 16))
#define QI_IEC_IDX	 BIT_ULL(4) /* index-selective (IIDX, IM), else global */
#define QI_IEC_RSVD	 (GENMASK_ULL(26, 5) | GENMASK_ULL(63, 48))
#define QI_IWD_IF	 BIT_ULL(4)
#define QI_IWD_SW	 BIT_ULL(5)
#define QI_IWD_RSVD	 GENMASK_ULL(31, 8)
#define QI_IWD_RSVD_HI	 GENMASK_ULL(1, 0)

/* Carry out one descriptor. false when it is bad. */
/* A descriptor's type: bits 3:0, and 11:9 as bits 6:4. */
static unsigned qi_type(const uint64_t d[2])
{
	return (unsigned)(d[0] & 0xf) | (unsigned)((d[0] >> 9) & 7) << 4;
}

static bool qi_one(struct vtd *v, const uint64_t d[2])
{
	unsigned type = qi_type(d);
	uint32_t data;

	switch (type) {
	case QI_CC_TYPE:
		if ((d[0] & QI_CC_RSVD) || d[1] || !QI_GRAN(d[0]))
			return false;
		vtd_log_inval_context(v, QI_GRAN(d[0]), (uint16_t)(d[0] >> 16),
				      (uint16_t)(d[0] >> 32));
		return true;
	case QI_IOTLB_TYPE:
		if ((d[0] & QI_IOTLB_RSVD) || (d[1] & QI_IOTLB_RSVD_HI) || !QI_GRAN(d[0]))
			return false;
		if (QI_GRAN(d[0]) == DMA_TLB_PSI && (d[1] & DMA_IVA_AM) > VTD_MAMV)
			return false;
		vtd_log_inval_iotlb(v, QI_GRAN(d[0]), QI_IOTLB_DID(d[0]), d[1] & DMA_IVA_ADDR,
				    (unsigned)(d[1] & DMA_IVA_AM));
		return true;
	case QI_IEC_TYPE:
		if ((d[0] & QI_IEC_RSVD) || d[1])
			return false;
		/* Nothing is cached (ir.c), but KVM's routes hold remapped
		 * messages: whatever the granularity, re-route them all. */
		vtd_log_inval_iec(v);
		v->ir_dirty = true;
		return true;
	case QI_IWD_TYPE:
		if ((d[0] & QI_IWD_RSVD) || (d[1] & QI_IWD_RSVD_HI))
			return false;
		data = (uint32_t)(d[0] >> 32);
		if ((d[0] & QI_IWD_SW) && guest_mem_write(v->mem, gpa(d[1] & ~3ull), &data, 4))
			log_guest_once("vtd: wait descriptor status address 0x%llx is not RAM",
				       (unsigned long long)d[1]);
		if (d[0] & QI_IWD_IF)
			vtd_inv_event(v);
		return true;
	default: return false; /* device-TLB (no ECAP.DT), PASID-based (no scalable mode) */
	}
}

static void qi_error(struct vtd *v, unsigned head)
{
	vtd_reg_set(v, DMAR_IQH_REG, (uint64_t)head << 4);
	vtd_reg_mod(v, DMAR_FSTS_REG, 0, DMA_FSTS_IQE);
	vtd_fault_event(v);
}

void vtd_qi_run(struct vtd *v)
{
	uint64_t iqa = vtd_reg_get(v, DMAR_IQA_REG), d[2] = {0, 0};
	unsigned size = 256u << (iqa & DMA_IQA_QS); /* 128-bit descriptors */
	unsigned head = (unsigned)(vtd_reg_get(v, DMAR_IQH_REG) >> 4) % size;
	unsigned tail = (unsigned)(vtd_reg_get(v, DMAR_IQT_REG) >> 4);

	if (!(vtd_reg_get(v, DMAR_GSTS_REG) & DMA_GSTS_QIES) ||
	    (vtd_reg_get(v, DMAR_FSTS_REG) & DMA_FSTS_IQE))
		return;
	if ((iqa & DMA_IQA_DW) || tail >= size) {
		/* 256-bit descriptors need scalable mode; a tail past the end. */
		qi_error(v, head);
		return;
	}
	for (unsigned n = 0; head != tail && n < size; n++) {
		bool bad = guest_mem_read(v->mem, gpa((iqa & DMA_IQA_ADDR) + 16ull * head), d,
					  sizeof(d));

		if (!bad && v->ir_dirty && qi_type(d) == QI_IWD_TYPE) {
			/* An interrupt entry cache invalidation before this wait:
			 * its completion must not be seen before KVM's routes
			 * follow. The caller re-routes, then runs the queue on
			 * from this descriptor (vtd_mmio_write). */
			v->qi_paused = true;
			return;
		}
		if (bad || !qi_one(v, d)) {
			log_guest_once("vtd: invalidation queue error at %u: %#llx %#llx", head,
				       (unsigned long long)d[0], (unsigned long long)d[1]);
			qi_error(v, head);
			return;
		}
		head = (head + 1) % size;
		vtd_reg_set(v, DMAR_IQH_REG, (uint64_t)head << 4);
	}
}
