/* SPDX-License-Identifier: MIT */
/* The write path of tests/fuzz/fuzz_vtd.c: every MMIO write goes through
 * write_reg(), which checks the register file's rules and, for an
 * invalidation, its effect (queued descriptors decoded, snapshots of the
 * mappings compared), and the doorbell of the invalidation queue. */
#ifndef TESTS_FUZZ_VTD_WRITE_H
#define TESTS_FUZZ_VTD_WRITE_H

#include "tests/fuzz/vtd_checks.h"

/* --- the write path: every MMIO write goes here ------------------------------- */

struct part {
	const struct reg *r;
	uint64_t w, span; /* the written bits at their place, and which */
};

/* The registers a write of size bytes at off reaches, as the unit splits
 * it (an 8-byte access to a 32-bit register is two). */
static unsigned split(unsigned off, unsigned size, uint64_t val, struct part *p)
{
	unsigned n = 0, offs[2] = {off, off + 4}, sizes[2] = {size, 4};
	uint64_t vals[2] = {val, val >> 32};
	const struct reg *r = reg_at(off);
	unsigned parts = (size == 8 && r && r->off == off && r->size == 4) ? 2 : 1;

	if (parts == 2) {
		sizes[0] = 4;
		vals[0] = val & 0xffffffff;
	}
	for (unsigned i = 0; i < parts; i++) {
		unsigned shift;

		r = reg_at(offs[i]);
		if (!r || offs[i] + sizes[i] > r->off + r->size)
			continue;
		shift = (offs[i] - r->off) * 8;
		p[n].r = r;
		p[n].span = (sizes[i] == 8 ? ~0ull : (1ull << (sizes[i] * 8)) - 1) << shift;
		p[n].w = (vals[i] << shift) & p[n].span;
		n++;
	}
	return n;
}

/* The descriptors the queue completed, [h0, h1): their invalidations (see
 * the header) and their status writes. */
static void qi_decode(struct fx *f, unsigned h0, unsigned h1, unsigned tail)
{
	unsigned size = fz_qi_size(f->v);
	uint64_t base = fz_rd(f->v, DMAR_IQA_REG, 8) & DMA_IQA_ADDR;
	bool te = te_on(f);

	FUZZ_CHECK(h1 < size, "IQH %u beyond a queue of %u", h1, size);
	FUZZ_CHECK((h1 - h0 + size) % size <= (tail - h0 + size) % size,
		   "the head went from %u past the tail %u to %u", h0, tail, h1);
	for (unsigned h = h0, n = 0; h != h1 && n < size; h = (h + 1) % size, n++) {
		uint64_t d0 = fz_get64(&f->m, base + 16ull * h),
			 d1 = fz_get64(&f->m, base + 16ull * h + 8);
		unsigned type = (unsigned)(d0 & 0xf) | (unsigned)((d0 >> 9) & 7) << 4,
			 g = (d0 >> 4) & 3;
		uint16_t did = (uint16_t)(d0 >> 16);

		if (type == 1 && te) {
			f->ctx_sync = ++f->seq;
			if (f->cm) {
				f->tlb_sync = f->seq;
				name(f, -1, 0, IOVA_MAX);
			}
		} else if (type == 2 && g == DMA_TLB_GLOBAL) {
			f->tlb_sync = ++f->seq;
			name(f, -1, 0, IOVA_MAX);
		} else if (type == 2 && g == DMA_TLB_DSI) {
			struct didinfo *d = did_get(f, did, true);

			if (d)
				d->dsi = ++f->seq;
			name(f, did, 0, IOVA_MAX);
		} else if (type == 2 && g == DMA_TLB_PSI) {
			uint64_t sz = 4096ull << (d1 & DMA_IVA_AM),
				 a = d1 & DMA_IVA_ADDR & ~(sz - 1) & IOVA_MAX;

			name(f, did, a, a + sz - 1);
		} else if (type == 5 && (d0 & BIT_ULL(5))) {
			uint64_t sa = d1 & ~3ull;

			if (fz_in_ram(sa, 4)) {
				f->page_seq[sa >> 12] = ++f->seq;
				if ((sa >> 12) != (FZ_STATUS >> 12))
					f->tainted = true;
				if (sa + 4 > base && sa < base + 16ull * size)
					f->unknown = true; /* it rewrote the queue */
			}
		}
	}
}

/* A register-based IOTLB invalidation is about to happen: the mappings of
 * every attached domain before it, for the exactness check. */
struct snap {
	uint32_t dom[NEPS];
	unsigned ndom;
	struct list l[NEPS];
	bool ok;
};

static struct ivl snap_buf[NEPS][MAXL / 4];

static void snap_take(struct fx *f, struct snap *s)
{
	s->ndom = 0;
	s->ok = true;
	for (unsigned i = 0; i < NEPS; i++) {
		uint32_t dom;
		bool seen = false;

		if (iommu_endpoint_state(f->io, ep_rid[i], &dom) != IOMMU_EP_DOMAIN)
			continue;
		for (unsigned j = 0; j < s->ndom; j++)
			seen |= s->dom[j] == dom;
		if (seen)
			continue;
		s->dom[s->ndom] = dom;
		s->l[s->ndom] = (struct list){snap_buf[s->ndom], 0, false};
		list_domain(f, dom, 0, IOVA_MAX, &s->l[s->ndom], false);
		s->ok &= !s->l[s->ndom].over && s->l[s->ndom].n < MAXL / 4;
		s->ndom++;
	}
}

/* After it: the mappings it did not name are untouched (without caching
 * mode: whole mappings; with it: page by page, outside the range). */
static void snap_check(struct fx *f, const struct snap *s, int32_t did, uint64_t first,
		       uint64_t last)
{
	for (unsigned j = 0; j < s->ndom && s->ok; j++) {
		struct list now = {la, 0, false};

		stats.snap++;
		bool named = did < 0 || (uint32_t)did == s->dom[j];

		list_domain(f, s->dom[j], 0, IOVA_MAX, &now, false);
		if (now.over)
			continue;
		if (!f->cm) {
			unsigned k = 0;

			for (unsigned i = 0; i < s->l[j].n; i++) {
				const struct ivl *m = &s->l[j].v[i];

				if (named && m->last >= first && m->first <= last)
					continue; /* removed, checked by check_named */
				FUZZ_CHECK(
					k < now.n && !memcmp(&now.v[k], m, sizeof(*m)),
					"domain %u lost 0x%llx-0x%llx, which the invalidation of "
					"0x%llx-0x%llx did not name",
					s->dom[j], (unsigned long long)m->first,
					(unsigned long long)m->last, (unsigned long long)first,
					(unsigned long long)last);
				k++;
			}
			FUZZ_CHECK(k == now.n, "domain %u gained a mapping in an invalidation",
				   s->dom[j]);
		} else if (named) {
			/* outside [first, last]: the same pages */
			for (int side = 0; side < 2; side++) {
				uint64_t a = side ? last + 1 : 0, b = side ? IOVA_MAX : first - 1;
				struct list x = {lb, 0, false}, y = {la, 0, false};

				if ((side == 0 && first == 0) || (side == 1 && last >= IOVA_MAX))
					continue;
				for (unsigned i = 0; i < s->l[j].n; i++) {
					const struct ivl *m = &s->l[j].v[i];

					if (m->last < a || m->first > b)
						continue;
					uint64_t cs = MAX(m->first, a), ce = MIN(m->last, b);

					list_push(&x, cs, ce, m->gpa + (cs - m->first), m->perm,
						  true);
				}
				list_domain(f, s->dom[j], a, b, &y, true);
				if (!x.over && !y.over)
					FUZZ_CHECK(list_eq(&x, &y),
						   "caching mode: domain %u changed outside the "
						   "invalidated 0x%llx-0x%llx",
						   s->dom[j], (unsigned long long)first,
						   (unsigned long long)last);
			}
		} else {
			FUZZ_CHECK(list_eq(&now, &s->l[j]),
				   "caching mode: domain %u changed in another's invalidation",
				   s->dom[j]);
		}
	}
}

static struct snap snap;

struct byte_range {
	unsigned off, len;
};

static void write_reg(struct fx *f, unsigned off, unsigned size, uint64_t val)
{
	struct vtd *v = f->v;
	struct part p[2];
	unsigned np = split(off, size, val, p);
	static uint8_t before[VTD_REGS_SIZE];
	struct byte_range may[16]; /* the bytes the write may change */
	unsigned nmay = 0;
	uint32_t gsts0 = (uint32_t)fz_rd(v, DMAR_GSTS_REG, 4);
	uint64_t iqh0 = fz_rd(v, DMAR_IQH_REG, 8), rtaddr = fz_rd(v, DMAR_RTADDR_REG, 8);
	uint64_t nv[2] = {0, 0};
	bool gcmd = false, runs = false, inval = false, qion = qi_on(f);
	int32_t idid = 0;
	uint64_t ifirst = 0, ilast = 0;
	unsigned igran = 0;

	memcpy(before, v->regs, sizeof(before));
	for (unsigned i = 0; i < np; i++) {
		const struct reg *r = p[i].r;
		uint64_t old = reg_raw(v, r->off, r->size);

		nv[i] = (old & ~(r->wmask & p[i].span)) | (p[i].w & r->wmask);
		may[nmay++] = (struct byte_range){r->off, r->size};
		switch (r->off) {
		case DMAR_GCMD_REG:
			gcmd = true;
			may[nmay++] = (struct byte_range){DMAR_GSTS_REG, 4};
			may[nmay++] = (struct byte_range){DMAR_IQH_REG, 8}; /* QIE on: IQH 0 */
			break;
		case DMAR_FSTS_REG:
		case DMAR_IQT_REG:
			runs = true;
			may[nmay++] = (struct byte_range){DMAR_IQH_REG, 8};
			may[nmay++] = (struct byte_range){DMAR_FSTS_REG, 8}; /* and FECTL */
			may[nmay++] = (struct byte_range){DMAR_ICS_REG, 8};  /* and IECTL */
			break;
		case DMAR_FECTL_REG: may[nmay++] = (struct byte_range){DMAR_FSTS_REG, 4}; break;
		case DMAR_ICS_REG: may[nmay++] = (struct byte_range){DMAR_IECTL_REG, 4}; break;
		case DMAR_IECTL_REG: break;
		case DMAR_IOTLB_REG:
			if ((nv[i] & DMA_TLB_IVT) && !qion) {
				uint64_t iva = fz_rd(v, DMAR_IVA_REG, 8), sz;

				igran = (nv[i] >> DMA_TLB_IIRG_SHIFT) & 3;
				if (igran == DMA_TLB_PSI && (iva & DMA_IVA_AM) > VTD_MAMV)
					igran = DMA_TLB_DSI;
				idid = (uint16_t)(nv[i] >> DMA_TLB_DID_SHIFT);
				ilast = IOVA_MAX;
				if (igran == DMA_TLB_GLOBAL)
					idid = -1;
				sz = 4096ull << (iva & DMA_IVA_AM);
				if (igran == DMA_TLB_PSI) {
					ifirst = iva & DMA_IVA_ADDR & ~(sz - 1) & IOVA_MAX;
					ilast = ifirst + sz - 1;
				}
				inval = igran != 0;
				if (inval)
					snap_take(f, &snap);
			}
			break;
		default:
			if (r->off >= DMAR_FRCD_REG)
				may[nmay++] = (struct byte_range){DMAR_FSTS_REG, 8};
			break;
		}
	}
	if (trace)
		fprintf(stderr, "  write %u at 0x%x: 0x%llx\n", size, off, (unsigned long long)val);
	fz_wr(v, off, size, val);
	/* Only those registers changed: the rest of the page is as before. */
	for (unsigned i = 0; i < nmay; i++)
		memcpy(before + may[i].off, v->regs + may[i].off, may[i].len);
	if (memcmp(before, v->regs, VTD_REGS_SIZE)) {
		unsigned b = 0;

		while (before[b] == v->regs[b])
			b++;
		fuzz_fail("a write of %u bytes at 0x%x changed byte 0x%x", size, off, b);
	}
	/* Each register as the spec says. */
	for (unsigned i = 0; i < np; i++) {
		const struct reg *r = p[i].r;
		uint64_t now = reg_raw(v, r->off, r->size), w = p[i].w;

		switch (r->kind) {
		case RK_PLAIN:
			if (r->off == DMAR_IRTA_REG && !(f->ecap & VTD_ECAP_EIM))
				nv[i] &= ~DMA_IRTA_EIME;
			FUZZ_CHECK(now == nv[i],
				   "register 0x%x reads 0x%llx after a write, not 0x%llx", r->off,
				   (unsigned long long)now, (unsigned long long)nv[i]);
			break;
		case RK_RO:
			FUZZ_CHECK((r->off == DMAR_GSTS_REG && gcmd) ||
					   !memcmp(before + r->off, v->regs + r->off, r->size),
				   "read-only register 0x%x changed", r->off);
			break;
		case RK_OTHER: break;
		}
		if (r->off == DMAR_FSTS_REG)
			FUZZ_CHECK(!(w & DMA_FSTS_PFO) || !(now & DMA_FSTS_PFO),
				   "FSTS.PFO written 1 stays");
		if (r->off == DMAR_ICS_REG)
			FUZZ_CHECK(!(w & DMA_ICS_IWC) || !(now & DMA_ICS_IWC),
				   "ICS.IWC written 1 stays");
		if (r->off >= DMAR_FRCD_REG && (r->off & 8))
			FUZZ_CHECK(!(w & DMA_FRCD_F) || !(now & DMA_FRCD_F),
				   "FRCD.F written 1 stays");
		if (r->off == DMAR_FECTL_REG || r->off == DMAR_IECTL_REG)
			FUZZ_CHECK((now & DMA_FECTL_IM) == (nv[i] & DMA_FECTL_IM),
				   "%s.IM not as written",
				   r->off == DMAR_FECTL_REG ? "FECTL" : "IECTL");
		if (r->off == DMAR_CCMD_REG && (nv[i] & DMA_CCMD_ICC)) {
			uint64_t cirg = (nv[i] >> DMA_CCMD_CIRG_SHIFT) & 3;

			FUZZ_CHECK(((now >> DMA_CCMD_CAIG_SHIFT) & 3) == cirg,
				   "CCMD.CAIG %llu for CIRG %llu",
				   (unsigned long long)((now >> DMA_CCMD_CAIG_SHIFT) & 3),
				   (unsigned long long)cirg);
			if (cirg && !qion && te_on(f)) {
				f->ctx_sync = ++f->seq;
				if (f->cm) {
					f->tlb_sync = f->seq;
					name(f, -1, 0, IOVA_MAX);
				}
			}
		}
		if (r->off == DMAR_IOTLB_REG && (nv[i] & DMA_TLB_IVT))
			FUZZ_CHECK(qion || ((now >> DMA_TLB_IAIG_SHIFT) & 3) == igran,
				   "IOTLB.IAIG %llu for granularity %u",
				   (unsigned long long)((now >> DMA_TLB_IAIG_SHIFT) & 3), igran);
	}
	/* GSTS follows GCMD, and nothing else. */
	if (gcmd) {
		uint32_t gsts = (uint32_t)fz_rd(v, DMAR_GSTS_REG, 4);
		uint32_t w = (uint32_t)(p[0].r->off == DMAR_GCMD_REG ? p[0].w : 0);

		FUZZ_CHECK((gsts & GCMD_PERSIST) == (w & GCMD_PERSIST), "GSTS 0x%x after GCMD 0x%x",
			   gsts, w);
		FUZZ_CHECK(!(w & DMA_GCMD_SRTP) || (gsts & DMA_GSTS_RTPS), "SRTP without RTPS");
		FUZZ_CHECK(!(w & DMA_GCMD_SIRTP) || (gsts & DMA_GSTS_IRTPS), "SIRTP without IRTPS");
		FUZZ_CHECK(!(gsts0 & ~gsts & (DMA_GSTS_RTPS | DMA_GSTS_IRTPS)),
			   "RTPS or IRTPS cleared");
		if (w & DMA_GCMD_SRTP) {
			f->rtaddr = rtaddr;
			f->srtp_seq = ++f->seq;
		}
		if (!(gsts0 & DMA_GSTS_TES) && (gsts & DMA_GSTS_TES))
			f->ctx_sync = f->tlb_sync = ++f->seq;
		if (!(gsts0 & DMA_GSTS_QIES) && (gsts & DMA_GSTS_QIES))
			f->iqa_moved = false;
	} else {
		FUZZ_CHECK(fz_rd(v, DMAR_GSTS_REG, 4) == gsts0, "GSTS changed by a write at 0x%x",
			   off);
	}
	for (unsigned i = 0; i < np; i++)
		if (p[i].r->off == DMAR_IQA_REG && qion)
			f->iqa_moved = true;
	/* What the queue did. */
	if (runs && qion && qi_on(f)) {
		uint64_t iqh = fz_rd(v, DMAR_IQH_REG, 8);
		unsigned qs = fz_qi_size(v);

		if (iqh != iqh0 && !f->iqa_moved)
			qi_decode(f, (unsigned)(iqh0 >> 4) % qs, (unsigned)(iqh >> 4),
				  (unsigned)(fz_rd(v, DMAR_IQT_REG, 8) >> 4) % qs);
		else if (iqh != iqh0)
			f->unknown = true;
	}
	if (inval) {
		if (igran == DMA_TLB_GLOBAL)
			f->tlb_sync = ++f->seq;
		if (igran == DMA_TLB_DSI) {
			struct didinfo *d = did_get(f, (uint16_t)idid, true);

			if (d)
				d->dsi = ++f->seq;
		}
		name(f, idid, ifirst, ilast);
		snap_check(f, &snap, idid, ifirst, ilast);
	}
}

static void ring(void *opaque, uint64_t iqt)
{
	write_reg(opaque, DMAR_IQT_REG, 8, iqt);
}

static void doorbell(struct fx *f, uint64_t iqt)
{
	write_reg(f, DMAR_IQT_REG, 8, iqt);
	FUZZ_CHECK(fz_qi_drain(f->v, ring, f), "the queue stalled at 0x%llx, tail 0x%llx",
		   (unsigned long long)fz_rd(f->v, DMAR_IQH_REG, 8),
		   (unsigned long long)fz_rd(f->v, DMAR_IQT_REG, 8));
}

#endif /* TESTS_FUZZ_VTD_WRITE_H */
