/* SPDX-License-Identifier: MIT */
/* The invariant checks of tests/fuzz/fuzz_vtd.c run after every operation:
 * the consumers against the core, the named invalidations, the global
 * register invariants, the domain IDs' tables, and when a translation may be
 * compared strictly with the reference. */
#ifndef TESTS_FUZZ_VTD_CHECKS_H
#define TESTS_FUZZ_VTD_CHECKS_H

#include "tests/fuzz/vtd_ref.h"

/* --- checks ------------------------------------------------------------------- */

static void check_consumers(struct fx *f)
{
	for (unsigned i = 0; i < NEPS; i++) {
		struct consumer *c = &f->c[i];
		struct list l = {la, 0, false};
		uint32_t dom;
		int st = iommu_endpoint_state(f->io, ep_rid[i], &dom);

		if (st == IOMMU_EP_DOMAIN) {
			list_domain(f, dom, 0, IOVA_MAX, &l, false);
			if (l.over)
				continue;
			FUZZ_CHECK(!c->bypass && c->n == l.n &&
					   (!l.n || !memcmp(c->iv, l.v, l.n * sizeof(*l.v))),
				   "endpoint %04x: the consumer's %u mappings differ from domain "
				   "%u's %u",
				   ep_rid[i], c->n, dom, l.n);
		} else {
			bool ident = st == IOMMU_EP_DOMAIN_BYPASS || st == IOMMU_EP_DETACHED_BYPASS;

			FUZZ_CHECK(
				c->bypass == ident && !c->n,
				"endpoint %04x (state %d): the consumer has bypass %d, %u mappings",
				ep_rid[i], st, c->bypass, c->n);
		}
	}
}

/* After an operation's invalidations: see the header. */
static void check_named(struct fx *f)
{
	for (unsigned k = 0; k < f->nnamed && !f->tainted && !f->named_lost; k++) {
		const struct named *nm = &f->named[k];
		uint32_t doms[NEPS + 1];
		unsigned nd = 0;

		if (nm->did >= 0) {
			doms[nd++] = (uint32_t)nm->did;
		} else {
			for (unsigned i = 0; i < NEPS; i++)
				if (iommu_endpoint_state(f->io, ep_rid[i], &doms[nd]) ==
				    IOMMU_EP_DOMAIN)
					nd++;
		}
		for (unsigned j = 0; j < nd; j++) {
			struct list got = {la, 0, false}, want = {lb, 0, false};
			struct walker w = {f, nm->first, nm->last, 1, false, &want};
			struct rctx c;

			list_domain(f, doms[j], nm->first, nm->last, &got, true);
			stats.named++;
			if (!f->cm) {
				FUZZ_CHECK(!got.n,
					   "domain %u still maps 0x%llx after an invalidation "
					   "of 0x%llx-0x%llx",
					   doms[j], (unsigned long long)got.v[0].first,
					   (unsigned long long)nm->first,
					   (unsigned long long)nm->last);
				continue;
			}
			if (domain_ctx(f, doms[j], &c))
				enum_table(&w, c.slpt, c.levels, 0, PERM_RW);
			if (got.over || want.over || w.over || 512ul * w.visits > f->budget)
				continue;
			stats.cm_compared++;
			if (!list_eq(&got, &want)) {
				unsigned i = 0;

				while (i < got.n && i < want.n &&
				       !memcmp(&got.v[i], &want.v[i], sizeof(got.v[i])))
					i++;
				fuzz_fail("caching mode: domain %u over 0x%llx-0x%llx maps %u "
					  "runs, the "
					  "tables %u; first difference at run %u: "
					  "0x%llx-0x%llx->0x%llx/%u "
					  "vs 0x%llx-0x%llx->0x%llx/%u",
					  doms[j], (unsigned long long)nm->first,
					  (unsigned long long)nm->last, got.n, want.n, i,
					  (unsigned long long)(i < got.n ? got.v[i].first : 0),
					  (unsigned long long)(i < got.n ? got.v[i].last : 0),
					  (unsigned long long)(i < got.n ? got.v[i].gpa : 0),
					  i < got.n ? (unsigned)got.v[i].perm : 0,
					  (unsigned long long)(i < want.n ? want.v[i].first : 0),
					  (unsigned long long)(i < want.n ? want.v[i].last : 0),
					  (unsigned long long)(i < want.n ? want.v[i].gpa : 0),
					  i < want.n ? (unsigned)want.v[i].perm : 0);
			}
		}
	}
}

/* After every operation: the registers' fields and the consumers. */
static void check_global(struct fx *f)
{
	struct vtd *v = f->v;
	uint32_t gsts = (uint32_t)reg_raw(v, DMAR_GSTS_REG, 4);
	uint32_t fsts = (uint32_t)reg_raw(v, DMAR_FSTS_REG, 4);
	uint32_t fectl = (uint32_t)reg_raw(v, DMAR_FECTL_REG, 4);
	uint32_t iectl = (uint32_t)reg_raw(v, DMAR_IECTL_REG, 4);
	uint32_t ics = (uint32_t)reg_raw(v, DMAR_ICS_REG, 4);
	uint64_t iqh = reg_raw(v, DMAR_IQH_REG, 8), iqt = reg_raw(v, DMAR_IQT_REG, 8);
	bool any_f = false;

	FUZZ_CHECK(reg_raw(v, DMAR_VER_REG, 4) == VTD_VER_1_0, "VER changed");
	FUZZ_CHECK(reg_raw(v, DMAR_CAP_REG, 8) == f->cap && reg_raw(v, DMAR_ECAP_REG, 8) == f->ecap,
		   "CAP or ECAP changed");
	FUZZ_CHECK(reg_raw(v, DMAR_GCMD_REG, 4) == 0, "GCMD reads 0x%llx",
		   (unsigned long long)reg_raw(v, DMAR_GCMD_REG, 4));
	FUZZ_CHECK(!(gsts & ~GSTS_FIELDS), "GSTS 0x%x", gsts);
	for (unsigned i = 0; i < VTD_NR_FRCD; i++) {
		uint64_t lo = reg_raw(v, DMAR_FRCD_REG + 16 * i, 8);
		uint64_t hi = reg_raw(v, DMAR_FRCD_REG + 16 * i + 8, 8);

		FUZZ_CHECK(!(lo & 0xfff) && !(hi & ~FRCD_HI_FIELDS), "FRCD%u 0x%llx 0x%llx", i,
			   (unsigned long long)lo, (unsigned long long)hi);
		any_f |= hi & DMA_FRCD_F;
	}
	FUZZ_CHECK(!(fsts & ~(FSTS_CAUSES | GENMASK(15, 8))) &&
			   !(fsts & (DMA_FSTS_ICE | DMA_FSTS_ITE)) &&
			   ((fsts >> DMA_FSTS_FRI_SHIFT) & 0xff) < VTD_NR_FRCD,
		   "FSTS 0x%x", fsts);
	FUZZ_CHECK(!!(fsts & DMA_FSTS_PPF) == any_f, "FSTS.PPF %d but a record's F %d",
		   !!(fsts & DMA_FSTS_PPF), any_f);
	FUZZ_CHECK(!(fectl & ~(DMA_FECTL_IM | DMA_FECTL_IP)) &&
			   !(iectl & ~(DMA_FECTL_IM | DMA_FECTL_IP)),
		   "FECTL 0x%x IECTL 0x%x", fectl, iectl);
	FUZZ_CHECK(!(fectl & DMA_FECTL_IP) || (fsts & FSTS_CAUSES),
		   "FECTL.IP with no fault cause (FSTS 0x%x)", fsts);
	FUZZ_CHECK(!(ics & ~DMA_ICS_IWC), "ICS 0x%x", ics);
	FUZZ_CHECK(!(iectl & DMA_FECTL_IP) || (ics & DMA_ICS_IWC), "IECTL.IP without ICS.IWC");
	FUZZ_CHECK(!(reg_raw(v, DMAR_CCMD_REG, 8) & DMA_CCMD_ICC), "CCMD.ICC stays set");
	FUZZ_CHECK(!(reg_raw(v, DMAR_IOTLB_REG, 8) & DMA_TLB_IVT), "IOTLB.IVT stays set");
	FUZZ_CHECK(!(iqh & ~GENMASK_ULL(18, 4)) && !(iqt & ~GENMASK_ULL(18, 4)),
		   "IQH 0x%llx IQT 0x%llx", (unsigned long long)iqh, (unsigned long long)iqt);
	FUZZ_CHECK(!(gsts & DMA_GSTS_QIES) || f->iqa_moved || (iqh >> 4) < fz_qi_size(v),
		   "IQH 0x%llx beyond a queue of %u", (unsigned long long)iqh, fz_qi_size(v));
	FUZZ_CHECK(v->rtaddr == (f->rtaddr & DMA_RTADDR_ADDR),
		   "the root pointer 0x%llx is not what "
		   "SRTP latched, 0x%llx",
		   (unsigned long long)v->rtaddr, (unsigned long long)f->rtaddr);
	check_consumers(f);
}

/* After every operation: what each domain ID's contexts say now (the
 * tables of a domain ID that changed, or two endpoints that disagree, make
 * what it caches untrustworthy until it is invalidated). */
static void track_dids(struct fx *f)
{
	for (unsigned i = 0; i < NEPS; i++) {
		struct rctx c;
		struct didinfo *d;
		uint64_t key;

		if (ref_ctx(f, ep_rid[i], &c, NULL) || c.tt != VTD_TT_MULTI_LEVEL)
			continue;
		key = c.slpt | c.levels;
		d = did_get(f, c.did, true);
		if (!d)
			continue;
		if (d->has_key && d->key != key)
			d->conflict = ++f->seq;
		d->has_key = true;
		d->key = key;
		for (unsigned j = 0; j < i; j++) {
			struct rctx o;

			if (!ref_ctx(f, ep_rid[j], &o, NULL) && o.tt == VTD_TT_MULTI_LEVEL &&
			    o.did == c.did && (o.slpt | o.levels) != key)
				d->conflict = ++f->seq;
		}
	}
}

/* Whether nothing rid's translation of r depends on may be cached stale. */
static bool strict(struct fx *f, const struct rxl *r)
{
	uint64_t ms = f->srtp_seq, tlb;
	struct rctx c;
	struct didinfo *d;

	if (f->unknown)
		return false;
	if (!te_on(f))
		return true;
	for (unsigned i = 0; i < NEPS; i++)
		(void)ref_ctx(f, ep_rid[i], &c, &ms);
	if (ms > f->ctx_sync)
		return false;
	if (r->c.fault || r->c.tt == VTD_TT_PASS)
		return true;
	d = did_get(f, r->c.did, false);
	tlb = MAX(f->tlb_sync, d ? d->dsi : 0);
	return r->ptseq < tlb && (d ? d->conflict : f->did_overflow) < tlb && f->did_overflow < tlb;
}

#endif /* TESTS_FUZZ_VTD_CHECKS_H */
