// SPDX-License-Identifier: MIT
/* VT-d: reading the guest's root, context and second-level tables (legacy
 * mode). Every read goes through guest_mem_read (bounded, checked); a walk
 * reads at most one entry per level, so a table that points to itself
 * cannot loop; the range walk is bounded by a budget of entries. */
#include "devices/vtd/vtd_internal.h"

#include "iommu/dma.h"

#define PTE_R	     BIT_ULL(0)
#define PTE_W	     BIT_ULL(1)
#define PTE_PS	     BIT_ULL(7)
#define PTE_SNP	     BIT_ULL(11)			 /* reserved: no ECAP.SC */
#define PTE_IGNORED  (BIT_ULL(63) | GENMASK_ULL(61, 52)) /* available to software */
#define PTE_ADDR(aw) (GENMASK_ULL((aw)-1, 12))

#define ROOT_P	      BIT_ULL(0)
#define CTX_P	      BIT_ULL(0)
#define CTX_FPD	      BIT_ULL(1)
#define CTX_TT_SHIFT  2
#define CTX_LO_RSVD   GENMASK_ULL(11, 4)
#define CTX_HI_AW     GENMASK_ULL(2, 0)
#define CTX_HI_AVAIL  GENMASK_ULL(6, 3)
#define CTX_HI_DID(h) ((uint16_t)((h) >> 8))
#define CTX_HI_RSVD   (BIT_ULL(7) | GENMASK_ULL(63, 24))

/* Reserved bits of a present entry at level (1: 4 KiB PTE ... 4: PML4E),
 * for a leaf (ps) or a table pointer. */
static uint64_t pte_rsvd(unsigned aw, unsigned level, bool leaf)
{
	uint64_t r = PTE_SNP | (GENMASK_ULL(62, 12) & ~PTE_ADDR(aw) & ~PTE_IGNORED);

	if (level == 4)
		r |= PTE_PS;
	if (leaf && level == 2)
		r |= GENMASK_ULL(20, 12);
	if (leaf && level == 3)
		r |= GENMASK_ULL(29, 12);
	return r;
}

static int read_entry(const struct guest_mem *mem, uint64_t addr, uint64_t *e, unsigned n)
{
	return guest_mem_read(mem, gpa(addr), e, n * sizeof(*e));
}

unsigned vtd_ctx_read(const struct guest_mem *mem, unsigned aw_bits, uint64_t sagaw,
		      uint64_t rtaddr, uint16_t rid, struct vtd_ctx *ctx)
{
	uint64_t root[2], ce[2], aw;

	*ctx = (struct vtd_ctx){0};
	if (read_entry(mem, (rtaddr & DMA_RTADDR_ADDR) + 16ull * (rid >> 8), root, 2))
		return VTD_FR_ROOT_PTR;
	if (!(root[0] & ROOT_P))
		return VTD_FR_ROOT_NP;
	if ((root[0] & GENMASK_ULL(63, 1) & ~PTE_ADDR(aw_bits)) || root[1])
		return VTD_FR_ROOT_RSVD;
	if (read_entry(mem, (root[0] & PTE_ADDR(aw_bits)) + 16ull * (rid & 0xff), ce, 2))
		return VTD_FR_CTX_PTR;
	if (!(ce[0] & CTX_P))
		return VTD_FR_CTX_NP;
	ctx->fpd = ce[0] & CTX_FPD;
	if ((ce[0] & (CTX_LO_RSVD | (GENMASK_ULL(63, 12) & ~PTE_ADDR(aw_bits)))) ||
	    (ce[1] & CTX_HI_RSVD))
		return VTD_FR_CTX_RSVD;
	ctx->tt = (ce[0] >> CTX_TT_SHIFT) & 3;
	ctx->did = CTX_HI_DID(ce[1]);
	ctx->slptptr = ce[0] & PTE_ADDR(aw_bits);
	if (ctx->tt == VTD_TT_PASS)
		return 0;
	aw = ce[1] & CTX_HI_AW;
	if (ctx->tt != VTD_TT_MULTI_LEVEL || (aw != 1 && aw != 2) || !(sagaw & BIT_ULL(8 + aw)))
		return VTD_FR_CTX_INV;
	ctx->levels = (uint8_t)(aw + 2);
	return 0;
}

/* The index of iova in a table of level. */
static unsigned pte_index(uint64_t iova, unsigned level)
{
	return (unsigned)(iova >> (12 + 9 * (level - 1))) & 511;
}

static unsigned perm_fault(unsigned access)
{
	return access & DMA_ACCESS_WRITE ? VTD_FR_WRITE : VTD_FR_READ;
}

static unsigned pte_perm(uint64_t e)
{
	return (e & PTE_R ? DMA_ACCESS_READ : 0) | (e & PTE_W ? DMA_ACCESS_WRITE : 0);
}

unsigned vtd_walk(const struct guest_mem *mem, unsigned aw_bits, const struct vtd_ctx *ctx,
		  uint64_t iova, unsigned access, struct vtd_leaf *leaf)
{
	uint64_t table = ctx->slptptr, e;
	unsigned perm = DMA_ACCESS_READ | DMA_ACCESS_WRITE;
	unsigned width = 12 + 9 * ctx->levels;

	if (ctx->levels < 3 || ctx->levels > 4)
		return VTD_FR_CTX_INV;
	if (width < 64 && iova >> width)
		return VTD_FR_BEYOND_AGAW;
	for (unsigned level = ctx->levels; level >= 1; level--) {
		bool is_leaf;

		if (read_entry(mem, table + 8ull * pte_index(iova, level), &e, 1))
			return VTD_FR_PTE_PTR;
		if (!(e & (PTE_R | PTE_W)))
			return perm_fault(access); /* not present */
		is_leaf = level == 1 || (level < 4 && (e & PTE_PS));
		if (e & pte_rsvd(aw_bits, level, is_leaf))
			return VTD_FR_PTE_RSVD;
		perm &= pte_perm(e);
		if ((perm & access) != access)
			return perm_fault(access);
		if (is_leaf) {
			uint64_t size = 1ull << (12 + 9 * (level - 1));

			leaf->iova = iova & ~(size - 1);
			leaf->size = size;
			leaf->gpa = e & PTE_ADDR(aw_bits) & ~(size - 1);
			leaf->perm = perm;
			return 0;
		}
		table = e & PTE_ADDR(aw_bits);
	}
	return VTD_FR_PTE_PTR; /* not reached: level 1 is a leaf */
}

struct range_walk {
	const struct guest_mem *mem;
	unsigned aw;
	uint64_t first, last;
	unsigned long *budget;
	int (*fn)(void *opaque, const struct vtd_leaf *leaf);
	void *opaque;
};

/* The entries of the table at level that cover [first, last] of the
 * range; base is the IOVA the table starts at (base <= last). The entries
 * the budget allows are read at once (4 KiB of stack per level); entry by
 * entry when that fails. Recursion depth <= 4. */
static int range_table(struct range_walk *w, uint64_t table, unsigned level, uint64_t base,
		       unsigned perm)
{
	uint64_t span = 1ull << (12 + 9 * (level - 1)), t[512];
	unsigned i0 = w->first > base ? (unsigned)MIN((w->first - base) / span, 512ull) : 0;
	unsigned i1 = (unsigned)MIN((w->last - base) / span, 511ull); /* the last in range */
	unsigned n = i0 <= i1 ? (unsigned)MIN(i1 - i0 + 1ul, *w->budget) : 0;
	bool batch = n && !read_entry(w->mem, table + 8ull * i0, t + i0, n);

	for (unsigned i = i0; i < 512; i++) {
		uint64_t start = base + i * span,
			 e; /* from i0: every entry ends at first or later */
		unsigned p;
		bool is_leaf;
		int ret;

		if (start > w->last || !*w->budget)
			break;
		(*w->budget)--;
		if (batch && i < i0 + n)
			e = t[i];
		else if (read_entry(w->mem, table + 8ull * i, &e, 1))
			return 0; /* a table outside RAM: nothing below it */
		p = perm & pte_perm(e);
		if (!p)
			continue;
		is_leaf = level == 1 || (level < 4 && (e & PTE_PS));
		if (e & pte_rsvd(w->aw, level, is_leaf))
			continue;
		if (!is_leaf) {
			ret = range_table(w, e & PTE_ADDR(w->aw), level - 1, start, p);
		} else {
			struct vtd_leaf l = {start, span, e & PTE_ADDR(w->aw) & ~(span - 1), p};

			ret = w->fn(w->opaque, &l);
		}
		if (ret)
			return ret;
	}
	return 0;
}

int vtd_walk_range(const struct guest_mem *mem, unsigned aw_bits, const struct vtd_ctx *ctx,
		   uint64_t first, uint64_t last, unsigned long *budget,
		   int (*fn)(void *opaque, const struct vtd_leaf *leaf), void *opaque)
{
	struct range_walk w = {mem, aw_bits, first, last, budget, fn, opaque};
	unsigned width = 12 + 9 * ctx->levels;

	if (ctx->levels < 3 || ctx->levels > 4 || first > last || first >> width)
		return 0;
	if (last >> width)
		w.last = (1ull << width) - 1;
	return range_table(&w, ctx->slptptr, ctx->levels, 0, DMA_ACCESS_READ | DMA_ACCESS_WRITE);
}
