// SPDX-License-Identifier: MIT
/* The VT-d unit: registers, commands, invalidation, context entries and the
 * fault records (see vtd.h). */
#include "vtd.h"

#include "report.h"
#include "string.h"
#include "tsc.h"
#include "virtio.h"

#define POOL_PAGES 192

static uint8_t pool[POOL_PAGES][4096] __attribute__((aligned(4096)));
static unsigned pool_used;

void *vtd_page(void)
{
	if (pool_used >= POOL_PAGES)
		report_bail("vtd_page: pool of %u pages exhausted", POOL_PAGES);
	memset(pool[pool_used], 0, 4096);
	return pool[pool_used++];
}

uint32_t vtd_read32(const struct vtd *v, unsigned reg)
{
	return mmio_read32(v->base + reg);
}

uint64_t vtd_read64(const struct vtd *v, unsigned reg)
{
	return mmio_read64(v->base + reg);
}

void vtd_write32(const struct vtd *v, unsigned reg, uint32_t val)
{
	mmio_write32(v->base + reg, val);
}

void vtd_write64(const struct vtd *v, unsigned reg, uint64_t val)
{
	mmio_write64(v->base + reg, val);
}

/* Poll reg until (value & mask) == want, bounded. */
static bool poll32(const struct vtd *v, unsigned reg, uint32_t mask, uint32_t want)
{
	uint64_t end = time_us() + VTD_TIMEOUT_US;

	while ((vtd_read32(v, reg) & mask) != want)
		if (time_us() > end)
			return false;
	return true;
}

static bool poll64(const struct vtd *v, unsigned reg, uint64_t mask, uint64_t want)
{
	uint64_t end = time_us() + VTD_TIMEOUT_US;

	while ((vtd_read64(v, reg) & mask) != want)
		if (time_us() > end)
			return false;
	return true;
}

bool vtd_command(struct vtd *v, uint32_t bit, bool on)
{
	bool oneshot = bit & DMA_GSTS_ONESHOT;

	if (!oneshot)
		v->gcmd = on ? v->gcmd | bit : v->gcmd & ~bit;
	vtd_write32(v, DMAR_GCMD_REG, v->gcmd | (oneshot ? bit : 0));
	return poll32(v, DMAR_GSTS_REG, bit, on ? bit : 0);
}

int vtd_init(struct vtd *v, uint64_t base)
{
	*v = (struct vtd){.base = base};
	v->cap = vtd_read64(v, DMAR_CAP_REG);
	v->ecap = vtd_read64(v, DMAR_ECAP_REG);
	v->nfr = VTD_CAP_NFR(v->cap) + 1;
	v->frcd = VTD_CAP_FRO(v->cap) * 16;
	v->iotlb = VTD_ECAP_IRO(v->ecap) * 16 + 8;
	v->root = vtd_page();
	v->ctx = vtd_page();
	v->wait = vtd_page();
	v->root[0] = virt_to_phys(v->ctx) | VTD_ROOT_P;
	vtd_write64(v, DMAR_RTADDR_REG, virt_to_phys(v->root));
	return vtd_command(v, DMA_GCMD_SRTP, true) ? 0 : -1;
}

bool vtd_qi_enable(struct vtd *v)
{
	v->iq = vtd_page();
	v->iq_tail = 0;
	vtd_write64(v, DMAR_IQT_REG, 0);
	vtd_write64(v, DMAR_IQA_REG, virt_to_phys(v->iq) | DMA_IQA_QS_4K);
	return vtd_command(v, DMA_GCMD_QIE, true);
}

void vtd_qi_queue(struct vtd *v, uint64_t lo, uint64_t hi)
{
	v->iq[2 * v->iq_tail] = lo;
	v->iq[2 * v->iq_tail + 1] = hi;
	v->iq_tail = (v->iq_tail + 1) % VTD_QI_LEN;
}

void vtd_qi_submit(struct vtd *v, uint64_t lo, uint64_t hi)
{
	vtd_qi_queue(v, lo, hi);
	barrier();
	vtd_write64(v, DMAR_IQT_REG, (uint64_t)v->iq_tail << DMA_IQT_SHIFT);
}

bool vtd_qi_wait(struct vtd *v)
{
	uint32_t seq = ++v->wait_seq;
	uint64_t end = time_us() + VTD_TIMEOUT_US;

	*v->wait = 0;
	vtd_qi_submit(v, QI_IWD_TYPE | QI_IWD_SW | QI_IWD_FN | QI_IWD_DATA(seq),
		      virt_to_phys((const void *)v->wait));
	while (READ_ONCE(*v->wait) != seq)
		if (time_us() > end || (vtd_read32(v, DMAR_FSTS_REG) & DMA_FSTS_IQE))
			return false;
	return true;
}

bool vtd_flush_ctx(struct vtd *v)
{
	if (v->iq) {
		vtd_qi_submit(v, QI_CC_TYPE | QI_GRAN(1), 0);
		return vtd_qi_wait(v);
	}
	vtd_write64(v, DMAR_CCMD_REG, DMA_CCMD_ICC | DMA_CCMD_GLOBAL_INVL);
	return poll64(v, DMAR_CCMD_REG, DMA_CCMD_ICC, 0);
}

bool vtd_flush_iotlb(struct vtd *v)
{
	if (v->iq) {
		vtd_qi_submit(v, QI_IOTLB_TYPE | QI_GRAN(1) | QI_IOTLB_DR | QI_IOTLB_DW, 0);
		return vtd_qi_wait(v);
	}
	vtd_write64(v, v->iotlb, DMA_TLB_IVT | DMA_TLB_GLOBAL_FLUSH);
	return poll64(v, v->iotlb, DMA_TLB_IVT, 0);
}

bool vtd_flush_page(struct vtd *v, uint16_t did, uint64_t iova)
{
	if (!(v->cap & VTD_CAP_PSI)) /* page-selective is optional: a domain flush */
		return vtd_flush_iotlb(v);
	if (v->iq) { /* one doorbell for both, as Linux's qi_submit_sync() */
		vtd_qi_queue(v,
			     QI_IOTLB_TYPE | QI_GRAN(3) | QI_DID(did) | QI_IOTLB_DR | QI_IOTLB_DW,
			     (iova & ~0xfffull) | QI_IOTLB_AM(0));
		return vtd_qi_wait(v);
	}
	vtd_write64(v, v->iotlb - 8, iova & ~0xfffull);
	vtd_write64(v, v->iotlb, DMA_TLB_IVT | DMA_TLB_PSI_FLUSH | DMA_TLB_DID(did));
	return poll64(v, v->iotlb, DMA_TLB_IVT, 0);
}

void vtd_ctx_set(struct vtd *v, uint8_t devfn, uint64_t lo, uint64_t hi)
{
	v->ctx[2 * devfn] = 0; /* not present while the other half changes */
	barrier();
	v->ctx[2 * devfn + 1] = hi;
	barrier();
	v->ctx[2 * devfn] = lo;
}

void vtd_ctx_map(struct vtd *v, uint8_t devfn, uint16_t did, const void *pgd, unsigned levels,
		 bool fpd)
{
	vtd_ctx_set(v, devfn,
		    virt_to_phys(pgd) | VTD_CTX_TT(VTD_TT_MULTI_LEVEL) | (fpd ? VTD_CTX_FPD : 0) |
			    VTD_CTX_P,
		    VTD_CTX_AW(levels) | VTD_CTX_DID(did));
}

void vtd_ctx_pass(struct vtd *v, uint8_t devfn, uint16_t did)
{
	/* AW must still name a supported width (VT-d ch. 9). */
	vtd_ctx_set(v, devfn, VTD_CTX_TT(VTD_TT_PASS_THROUGH) | VTD_CTX_P,
		    VTD_CTX_AW(3) | VTD_CTX_DID(did));
}

struct vtd_fault vtd_fault_read(const struct vtd *v, unsigned i)
{
	uint64_t lo = vtd_read64(v, v->frcd + VTD_FRCD_LEN * i);
	uint64_t hi = vtd_read64(v, v->frcd + VTD_FRCD_LEN * i + 8);

	return (struct vtd_fault){
		.f = hi & DMA_FRCD_F,
		.read = hi & DMA_FRCD_T,
		.reason = (uint8_t)DMA_FRCD_FR(hi),
		.sid = DMA_FRCD_SID(hi),
		.fi = lo,
	};
}

unsigned vtd_fault_find(const struct vtd *v, uint8_t reason, uint16_t sid, struct vtd_fault *out)
{
	unsigned n = 0;
	bool found = false;

	for (unsigned i = 0; i < v->nfr; i++) {
		struct vtd_fault f = vtd_fault_read(v, i);

		if (!f.f)
			continue;
		n++;
		if (!found && f.reason == reason && f.sid == sid) {
			found = true;
			if (out)
				*out = f;
		}
	}
	if (!found && out)
		*out = (struct vtd_fault){0};
	return n;
}

void vtd_faults_clear(struct vtd *v)
{
	for (unsigned i = 0; i < v->nfr; i++)
		vtd_write32(v, v->frcd + VTD_FRCD_LEN * i + 12, (uint32_t)(DMA_FRCD_F >> 32));
	vtd_write32(v, DMAR_FSTS_REG, DMA_FSTS_PFO);
}
