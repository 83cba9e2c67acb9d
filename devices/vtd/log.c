// SPDX-License-Identifier: MIT
/* VT-d: the unit's --iommu-log lines (faults, interrupt-remapping faults,
 * invalidations), and the invalidation wrappers that log each invalidation
 * before carrying it out and re-arm check-invalidation after it. The
 * reason names follow VT-d 7.1.3 (Linux's dmar_get_fault_reason). */
#include <stdio.h>

#include "devices/vtd/vtd_internal.h"
#include "iommu/dma.h"

#define RESULT_MAX 112

/* Reasons 0x1-0xc: what translation found (legacy mode). */
static const char *const dma_reasons[] = {
	[VTD_FR_ROOT_NP] = "root entry not present",
	[VTD_FR_CTX_NP] = "context entry not present",
	[VTD_FR_CTX_INV] = "invalid context entry",
	[VTD_FR_BEYOND_AGAW] = "beyond the address width",
	[VTD_FR_WRITE] = "not present or not writable (write)",
	[VTD_FR_READ] = "not present or not readable (read)",
	[VTD_FR_PTE_PTR] = "bad page-table pointer",
	[VTD_FR_ROOT_PTR] = "bad root-table address",
	[VTD_FR_CTX_PTR] = "bad context-table pointer",
	[VTD_FR_ROOT_RSVD] = "reserved bits in the root entry",
	[VTD_FR_CTX_RSVD] = "reserved bits in the context entry",
	[VTD_FR_PTE_RSVD] = "reserved bits in a page-table entry",
};

/* Reasons 0x20-0x26: interrupt remapping. */
#define IR_REASON_FIRST 0x20
static const char *const ir_reasons[] = {
	"reserved bits in the interrupt request",
	"interrupt index beyond the table",
	"IRTE not present",
	"cannot read the interrupt-remapping table",
	"reserved bits in the IRTE",
	"compatibility-format interrupt blocked",
	"source-id verification failed",
};

static const char *dma_reason(unsigned code)
{
	return code < ARRAY_SIZE(dma_reasons) && dma_reasons[code] ? dma_reasons[code]
								   : "unknown reason";
}

/* The endpoint's current domain ID, or EVLOG_NULL. */
static int64_t ep_domain(struct vtd *v, uint16_t rid)
{
	uint32_t dom;

	if (iommu_endpoint_state(v->io, rid, &dom) != IOMMU_EP_DOMAIN)
		return EVLOG_NULL;
	return dom;
}

void vtd_log_fault(struct vtd *v, uint16_t rid, const struct dma_fault *f, unsigned code,
		   const char *note)
{
	char res[RESULT_MAX];
	struct evlog_head h = {EVLOG_INTEL, rid, EVLOG_NULL, true, f->iova.a, res};

	if (!evlog_on(v->log))
		return;
	h.domain = ep_domain(v, rid);
	if (code)
		snprintf(res, sizeof(res), "0x%02x %s%s%s", code, dma_reason(code),
			 note ? "; " : "", note ? note : "");
	else
		snprintf(res, sizeof(res), "%s", note ? note : "no VT-d reason");
	evlog_fault(v->log, &h, f->access & DMA_ACCESS_WRITE, code);
}

void vtd_log_ir_fault(struct vtd *v, uint16_t sid, int64_t index, unsigned reason)
{
	char res[RESULT_MAX];
	struct evlog_head h = {EVLOG_INTEL, sid, EVLOG_NULL, false, 0, res};
	unsigned i = reason - IR_REASON_FIRST;

	if (!evlog_on(v->log))
		return;
	snprintf(res, sizeof(res), "0x%02x %s", reason,
		 reason >= IR_REASON_FIRST && i < ARRAY_SIZE(ir_reasons) ? ir_reasons[i]
									 : "unknown reason");
	evlog_ir_fault(v->log, &h, index < 0 ? EVLOG_NULL : index, reason);
}

void vtd_log_inval_context(struct vtd *v, unsigned g, uint16_t did, uint16_t sid)
{
	struct evlog_head h = {EVLOG_INTEL, EVLOG_NULL, EVLOG_NULL, false, 0, NULL};

	if (g >= DMA_CCMD_DOMAIN)
		h.domain = did;
	if (g == DMA_CCMD_DEVICE)
		h.sid = sid;
	evlog_inval(v->log, &h, "context", EVLOG_NULL);
	vtd_inval_context(v);
	vtd_check_forget(v, EVLOG_NULL, 0, VTD_IOVA_LAST);
}

void vtd_log_inval_iotlb(struct vtd *v, unsigned g, uint16_t did, uint64_t addr, unsigned am)
{
	struct evlog_head h = {EVLOG_INTEL, EVLOG_NULL, did, false, 0, NULL};
	uint64_t size = 4096ull << am;

	if (g == DMA_TLB_GLOBAL) {
		h.domain = EVLOG_NULL;
		evlog_inval(v->log, &h, "global", EVLOG_NULL);
	} else if (g == DMA_TLB_DSI) {
		evlog_inval(v->log, &h, "domain", EVLOG_NULL);
	} else {
		h.has_iova = true;
		h.iova = addr;
		evlog_inval(v->log, &h, "page", (int)am);
	}
	vtd_inval_iotlb(v, g, did, addr, am);
	if (g == DMA_TLB_GLOBAL)
		vtd_check_forget(v, EVLOG_NULL, 0, VTD_IOVA_LAST);
	else if (g == DMA_TLB_DSI)
		vtd_check_forget(v, did, 0, VTD_IOVA_LAST);
	else if (g == DMA_TLB_PSI)
		vtd_check_forget(v, did, addr & ~(size - 1), (addr & ~(size - 1)) + size - 1);
}

void vtd_log_inval_iec(struct vtd *v)
{
	struct evlog_head h = {EVLOG_INTEL, EVLOG_NULL, EVLOG_NULL, false, 0, NULL};

	evlog_inval(v->log, &h, "iec", EVLOG_NULL);
}
