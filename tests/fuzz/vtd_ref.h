/* SPDX-License-Identifier: MIT */
/* The reference of tests/fuzz/fuzz_vtd.c: the guest's root, context and
 * second-level tables read and walked as the spec says, and the interval
 * lists (of the reference walk, the core and the consumers) compared. */
#ifndef TESTS_FUZZ_VTD_REF_H
#define TESTS_FUZZ_VTD_REF_H

#include "tests/fuzz/vtd_dmar_fx.h"

/* --- the reference: the guest's tables read as the spec says ------------ */

static bool ref_rd(struct fx *f, uint64_t a, uint64_t *val, uint64_t *maxseq)
{
	if (!fz_in_ram(a, 8))
		return false;
	*val = fz_get64(&f->m, a);
	if (maxseq)
		*maxseq = MAX(*maxseq, f->page_seq[a >> 12]);
	return true;
}

struct rctx {
	unsigned fault;
	bool fpd;
	uint8_t tt, levels;
	uint16_t did;
	uint64_t slpt;
};

/* rid's root and context entries under the latched root table (VT-d 9.1,
 * 9.3): 0 or the fault reason; *maxseq gets the newest write of a page
 * read. */
static unsigned ref_ctx(struct fx *f, uint16_t rid, struct rctx *c, uint64_t *maxseq)
{
	uint64_t ra = (f->rtaddr & ~0xfffull) + 16ull * (rid >> 8), r0, r1, c0, c1, ca;
	uint64_t hi_rsvd = ~amask(f) & ~0xfffull; /* bits 63:HAW of an address */

	*c = (struct rctx){0};
	if (!ref_rd(f, ra, &r0, maxseq) || !ref_rd(f, ra + 8, &r1, maxseq))
		return c->fault = VTD_FR_ROOT_PTR;
	if (!(r0 & 1))
		return c->fault = VTD_FR_ROOT_NP;
	if ((r0 & GENMASK_ULL(11, 1)) || (r0 & hi_rsvd) || r1)
		return c->fault = VTD_FR_ROOT_RSVD;
	ca = (r0 & amask(f)) + 16ull * (rid & 0xff);
	if (!ref_rd(f, ca, &c0, maxseq) || !ref_rd(f, ca + 8, &c1, maxseq))
		return c->fault = VTD_FR_CTX_PTR;
	if (!(c0 & 1))
		return c->fault = VTD_FR_CTX_NP;
	c->fpd = c0 & 2;
	if ((c0 & GENMASK_ULL(11, 4)) || (c0 & hi_rsvd) || (c1 & BIT_ULL(7)) || (c1 >> 24))
		return c->fault = VTD_FR_CTX_RSVD;
	c->tt = (c0 >> 2) & 3;
	c->did = (uint16_t)(c1 >> 8);
	c->slpt = c0 & amask(f);
	if (c->tt == VTD_TT_PASS)
		return 0;
	if (c->tt != VTD_TT_MULTI_LEVEL)
		return c->fault = VTD_FR_CTX_INV;
	if ((c1 & 7) == 1)
		c->levels = 3;
	else if ((c1 & 7) == 2 && f->aw == 48)
		c->levels = 4;
	else
		return c->fault = VTD_FR_CTX_INV;
	return 0;
}

/* Reserved bits of a present second-level entry (VT-d 9.8): SNP (no
 * ECAP.SC), bit 62, address bits above the host address width, PS in a
 * PML4E, the low address bits of a large page. */
static uint64_t ref_rsvd(const struct fx *f, unsigned level, bool leaf)
{
	uint64_t r = BIT_ULL(11) | BIT_ULL(62) | (GENMASK_ULL(51, 12) & ~amask(f));

	if (level == 4)
		r |= PTE_PS;
	if (leaf && level == 2)
		r |= GENMASK_ULL(20, 12);
	if (leaf && level == 3)
		r |= GENMASK_ULL(29, 12);
	return r;
}

struct rxl {
	unsigned fault;
	bool fpd, ident;
	uint64_t gpa, ptseq;
	unsigned perm;
	struct rctx c;
};

static unsigned perm_fault(unsigned access)
{
	return access & DMA_ACCESS_WRITE ? VTD_FR_WRITE : VTD_FR_READ;
}

/* The translation of iova for rid and access, as the guest's tables say. */
static void ref_xlate(struct fx *f, uint16_t rid, uint64_t a, unsigned access, struct rxl *r)
{
	uint64_t table, e;
	unsigned perm = PERM_RW;

	*r = (struct rxl){0};
	if (!te_on(f) || (!ref_ctx(f, rid, &r->c, NULL) && r->c.tt == VTD_TT_PASS)) {
		r->ident = true;
		r->gpa = a;
		r->perm = PERM_RW;
		return;
	}
	r->fpd = r->c.fpd;
	if (r->c.fault) {
		r->fault = r->c.fault;
		return;
	}
	if (a >> (12 + 9 * r->c.levels)) {
		r->fault = VTD_FR_BEYOND_AGAW;
		return;
	}
	table = r->c.slpt;
	for (unsigned level = r->c.levels; level >= 1; level--) {
		unsigned shift = 12 + 9 * (level - 1);
		bool leaf;

		if (!ref_rd(f, table + 8 * ((a >> shift) & 511), &e, &r->ptseq)) {
			r->fault = VTD_FR_PTE_PTR;
			return;
		}
		if (!(e & 3)) {
			r->fault = perm_fault(access);
			return;
		}
		leaf = level == 1 || (level < 4 && (e & PTE_PS));
		if (e & ref_rsvd(f, level, leaf)) {
			r->fault = VTD_FR_PTE_RSVD;
			return;
		}
		perm &= (unsigned)(e & 3);
		if ((perm & access) != access) {
			r->fault = perm_fault(access);
			return;
		}
		if (leaf) {
			uint64_t size = 1ull << shift;

			r->gpa = (e & amask(f) & ~(size - 1)) + (a & (size - 1));
			r->perm = perm;
			return;
		}
		table = e & amask(f);
	}
}

/* --- interval lists ---------------------------------------------------------- */

struct list {
	struct ivl *v;
	unsigned n;
	bool over;
};

/* Append [first, last] -> gpa (merged with the previous one when it
 * continues it in IOVA and GPA with the same permissions, if merge). */
static void list_push(struct list *l, uint64_t first, uint64_t last, uint64_t g, unsigned perm,
		      bool merge)
{
	struct ivl *p = l->n ? &l->v[l->n - 1] : NULL;

	if (merge && p && p->last + 1 == first && p->gpa + (first - p->first) == g &&
	    p->perm == perm) {
		p->last = last;
		return;
	}
	if (l->n == MAXL) {
		l->over = true;
		return;
	}
	l->v[l->n++] = (struct ivl){first, last, g, perm};
}

/* The core's mappings of domain did, clipped to [first, last]. */
static void list_domain(struct fx *f, uint32_t did, uint64_t first, uint64_t last, struct list *l,
			bool merge)
{
	struct iova_mapping m;
	uint64_t a = first;

	while (!l->over && iommu_domain_next(f->io, did, iova(a), &m) && m.first.a <= last) {
		uint64_t s = MAX(m.first.a, first), e = MIN(m.last.a, last);

		list_push(l, s, e, m.gpa.a + (s - m.first.a), m.flags & PERM_RW, merge);
		if (m.last.a >= last)
			break;
		a = m.last.a + 1;
	}
}

static bool list_eq(const struct list *a, const struct list *b)
{
	return a->n == b->n && (!a->n || !memcmp(a->v, b->v, a->n * sizeof(*a->v)));
}

struct walker {
	struct fx *f;
	uint64_t first, last;
	unsigned visits;
	bool over;
	struct list *out;
};

/* The bytes of the page-table page at table (4 KiB aligned), or NULL when
 * it is not RAM (then the unit reads nothing there either). */
static const uint8_t *f_table(struct fx *f, uint64_t table)
{
	if ((table & 0xfff) || !fz_in_ram(table, 4096))
		return NULL;
	return f->m.buf + table;
}

/* The present leaves of a table (what a caching-mode replay maps). */
static void enum_table(struct walker *w, uint64_t table, unsigned level, uint64_t base,
		       unsigned perm)
{
	uint64_t span = 1ull << (12 + 9 * (level - 1));
	/* Tables are whole pages (amask), in RAM or not: skip the entries
	 * before the range, and the empty ones, cheaply. */
	unsigned i = w->first > base ? (unsigned)MIN((w->first - base) / span, 512ull) : 0;
	const uint8_t *t = f_table(w->f, table);

	if (!t)
		return;
	for (; i < 512 && !w->over; i++) {
		uint64_t s = base + i * span, e = s + span - 1, pte;
		unsigned p;
		bool leaf;

		if (s > w->last)
			break;
		memcpy(&pte, t + 8 * i, 8);
		if (!(pte & 3) || e < w->first)
			continue;
		p = perm & (unsigned)(pte & 3);
		leaf = level == 1 || (level < 4 && (pte & PTE_PS));
		if (!p || (pte & ref_rsvd(w->f, level, leaf)))
			continue;
		if (leaf) {
			uint64_t cs = MAX(s, w->first), ce = MIN(e, w->last);

			list_push(w->out, cs, ce, (pte & amask(w->f) & ~(span - 1)) + (cs - s), p,
				  true);
		} else if (++w->visits > MAXV) {
			w->over = true;
		} else {
			enum_table(w, pte & amask(w->f), level - 1, s, p);
		}
	}
}

/* The context a caching-mode replay of domain did reads: the first
 * endpoint attached to did whose context names did. */
static bool domain_ctx(struct fx *f, uint32_t did, struct rctx *c)
{
	uint32_t dom;

	for (unsigned i = 0; i < NEPS; i++)
		if (iommu_endpoint_state(f->io, ep_rid[i], &dom) == IOMMU_EP_DOMAIN && dom == did &&
		    !ref_ctx(f, ep_rid[i], c, NULL) && c->tt == VTD_TT_MULTI_LEVEL && c->did == did)
			return true;
	return false;
}

#endif /* TESTS_FUZZ_VTD_REF_H */
