// SPDX-License-Identifier: MIT
/* VT-d: queued invalidation. A doorbell (an IQT write, or IQE cleared)
 * processes the 128-bit descriptors from IQH to IQT, at most one queue's
 * worth; a descriptor that cannot be read or is bad (an unknown or
 * unsupported type, a reserved bit, a zero granularity) sets FSTS.IQE with
 * IQH on it and stops the queue until the guest clears IQE.
 *
 * The budget. Under caching mode an IOTLB invalidation walks the guest's
 * tables again (up to VTD_REPLAY_BUDGET entries a domain, a global or
 * context one every domain), so a full queue could read 32767 descriptors
 * x 256 domains x 2^20 entries in one IQT write, holding the unit's locks
 * all along: the other vCPUs and every device thread that misses would
 * wait, and the vCPU would not return to the guest. So the queue works as
 * hardware does, by steps the guest watches through IQH and wait
 * descriptors: a pass under the lock does at most VTD_QI_HOLD_BUDGET work
 * (a descriptor counts 1, every entry a walk reads 1) and stops at a
 * descriptor boundary, or between two domains of a global or context
 * invalidation (which stays at IQH, half done, until its last domain is
 * walked). One register access runs passes, dropping the lock between
 * them, for at most VTD_QI_EXIT_BUDGET work, then returns to the guest;
 * the guest's next register access goes on (vtd_qi_resume). Linux's
 * qi_submit_sync spins on the wait status in memory and reads FSTS each
 * turn (qi_check_fault), so its wait completes; no IQT write is needed. A
 * queue within the budget (the few descriptors and the wait Linux
 * submits at a time, unless they walk more than 2^20 entries) completes
 * before the IQT write returns, as it always did; a longer one completes
 * while the driver polls.
 * Measured with tests/unit/test_vtd_qi_budget.c: docs/architecture.md. */
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

/* Whether the descriptor d at head is the one a pass left half done. */
static bool qi_continues(const struct vtd *v, unsigned head, const uint64_t d[2])
{
	return v->inval_more && v->qi_cut_head == head && v->qi_cut_desc[0] == d[0] &&
	       v->qi_cut_desc[1] == d[1];
}

/* One pass of at most budget work (see the top of the file): the work done
 * (0 when nothing could be). */
static unsigned long qi_pass(struct vtd *v, unsigned long budget)
{
	uint64_t iqa = vtd_reg_get(v, DMAR_IQA_REG), d[2] = {0, 0}, w0 = v->walk_work;
	unsigned size = 256u << (iqa & DMA_IQA_QS); /* 128-bit descriptors */
	unsigned head = (unsigned)(vtd_reg_get(v, DMAR_IQH_REG) >> 4) % size;
	unsigned tail = (unsigned)(vtd_reg_get(v, DMAR_IQT_REG) >> 4), n;

	if (!(vtd_reg_get(v, DMAR_GSTS_REG) & DMA_GSTS_QIES) ||
	    (vtd_reg_get(v, DMAR_FSTS_REG) & DMA_FSTS_IQE))
		return 0;
	if ((iqa & DMA_IQA_DW) || tail >= size) {
		/* 256-bit descriptors need scalable mode; a tail past the end. */
		qi_error(v, head);
		return 0;
	}
	budget = MAX(budget, 1ul); /* inval_stop 0 would mean no stop */
	v->inval_stop = w0 + budget;
	for (n = 0; head != tail && n < size; n++) {
		bool bad, cont;

		if (n && v->walk_work - w0 + n >= budget) {
			v->qi_pending = true; /* at a descriptor boundary */
			break;
		}
		/* A queue reaching past 2^64 does not wrap to low RAM (the
		 * first descriptor's read fails first, RAM ending far below
		 * 2^64; checked anyway, as ir.c checks its table). */
		bad = (iqa & DMA_IQA_ADDR) + 16ull * head < (iqa & DMA_IQA_ADDR) ||
		      guest_mem_read(v->mem, gpa((iqa & DMA_IQA_ADDR) + 16ull * head), d,
				     sizeof(d));
		if (!bad && v->ir_dirty && qi_type(d) == QI_IWD_TYPE) {
			/* An interrupt entry cache invalidation before this wait:
			 * its completion must not be seen before KVM's routes
			 * follow. vtd_qi_resume() re-routes, then runs the queue
			 * on from this descriptor. */
			v->qi_paused = true;
			break;
		}
		cont = !bad && qi_continues(v, head, d);
		if (cont) {
			vtd_inval_resume(v);
		} else {
			v->inval_more = false;
			if (bad || !qi_one(v, d)) {
				log_guest_once("vtd: invalidation queue error at %u: %#llx %#llx",
					       head, (unsigned long long)d[0],
					       (unsigned long long)d[1]);
				qi_error(v, head);
				break;
			}
		}
		if (v->inval_more) {
			/* Cut between two domains: IQH stays on it. */
			v->qi_pending = true;
			v->qi_cut_head = head;
			v->qi_cut_desc[0] = d[0];
			v->qi_cut_desc[1] = d[1];
			n++;
			break;
		}
		if (cont) /* its first part re-armed the check (log.c): the rest too */
			vtd_check_forget(v, EVLOG_NULL, 0, VTD_IOVA_LAST);
		head = (head + 1) % size;
		vtd_reg_set(v, DMAR_IQH_REG, (uint64_t)head << 4);
	}
	v->inval_stop = 0;
	return (unsigned long)(v->walk_work - w0) + n;
}

void vtd_qi_reset(struct vtd *v)
{
	v->qi_pending = v->qi_paused = false;
	v->inval_more = false; /* what qi_cut_head and qi_cut_desc say is void */
	v->inval_next = 0;
}

unsigned long vtd_qi_run(struct vtd *v)
{
	return qi_pass(v, vtd_qi_hold(v));
}

void vtd_qi_resume(struct vtd *v, unsigned long spent)
{
	unsigned long hold = vtd_qi_hold(v), limit = vtd_qi_exit(v);
	bool idle;

	/* Every access of the register page comes here: the common case,
	 * nothing to do, takes the lock once. */
	pthread_mutex_lock(&v->lock);
	idle = !v->ir_dirty && !v->qi_paused && !v->qi_pending;
	pthread_mutex_unlock(&v->lock);
	if (idle)
		return;
	vtd_ir_flush(v); /* re-route, with no lock of the unit held */
	/* Each pass does some work, or consumes a wait descriptor the queue
	 * paused at (such a wait completes in this access, as it always did:
	 * past the budget, a pass does just that descriptor); so the budget
	 * and a queue's worth of passes bound the loop. spent is this access's
	 * own: another vCPU's passes, between two of these, count in its. */
	for (unsigned n = 0; n < VTD_QI_MAX_DESC; n++) {
		bool run;

		pthread_mutex_lock(&v->lock);
		run = v->qi_paused || (v->qi_pending && spent < limit);
		if (run) {
			v->qi_paused = v->qi_pending = false;
			spent += qi_pass(v, spent < limit ? MIN(hold, limit - spent) : 0);
		}
		pthread_mutex_unlock(&v->lock);
		if (!run)
			return;
		vtd_ir_flush(v);
	}
}
