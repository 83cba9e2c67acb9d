// SPDX-License-Identifier: MIT
/* The emulated VT-d's DMA remapping (devices/vtd/) as a fuzz target: its
 * register file, queued and register-based invalidation, root and context
 * tables and second-level walks, with caching mode off or on, for three
 * endpoints (00:01.0, 00:02.0, 01:00.0), each with a fake type1 consumer
 * subscribed to its view (as a VFIO mirror is), over the RAM of
 * tests/fuzz/vtd_fixture.h.
 *
 * Input: a configuration byte (bit 0 caching mode, bit 1 a 39-bit unit
 * (else 48), bit 2 a small replay budget of 8..1024 entries (bits 7:3), so
 * that caching-mode walks are cut short; else 8192), then operations until
 * the input ends, each an opcode byte (mod 16) and its arguments: an MMIO
 * write or read of any register (natural size, either half of a 64-bit one)
 * or of any offset and size; a root entry, a context entry (structured or
 * raw), a page-table entry of one of 16 pool pages (a table pointer, a 4 KiB
 * or large leaf, raw), a raw RAM word; a DMA read or write of 1..8 bytes by
 * an endpoint (cut at the end of the mapping its first byte translates
 * to); translation on (Linux's sequence), the queue on; a queued
 * descriptor of any type (context, IOTLB, IEC, wait, device-TLB, PASID,
 * raw, one bit flipped) and the doorbell; a register-based IOTLB or context
 * invalidation; a TE toggle; the fault records serviced. Page-table indices
 * and IOVAs come from {0..5, 256, 511} per level, or are raw. At most 4096
 * bytes.
 *
 * Invariants, after every operation unless said otherwise:
 *  - Registers: VER, CAP and ECAP never change (CAP.CM as configured); GCMD
 *    reads 0; GSTS, FSTS, FECTL, IECTL, ICS, IQH, IQT and the fault records
 *    have no bit set outside their fields; CCMD.ICC and IOTLB.IVT read 0
 *    (every invalidation completes at once); FSTS.PPF is set exactly when a
 *    record's F is; FECTL.IP only with a fault cause pending, IECTL.IP only
 *    with ICS.IWC. A write changes only its register and those its side
 *    effects may (the rest of the page is byte-identical); a plain register
 *    reads back what its writable mask lets through; a read-only one is
 *    unchanged; a write-1-to-clear bit written 1 reads 0 (PFO, ICS.IWC, a
 *    record's F). GSTS follows GCMD: after a GCMD write its TES, QIES, IRES
 *    and CFIS equal the written bits, SRTP latches RTADDR (the unit's root
 *    pointer equals what RTADDR held then) and sets RTPS; no other write
 *    changes GSTS. A context or IOTLB command reports the granularity done
 *    (IOTLB: a PSI mask beyond MAMV is done as a DSI). An MMIO read inside a
 *    register returns its bytes; elsewhere 0.
 *  - The queue: a doorbell moves the head forward, never past the tail,
 *    and keeps it inside the queue; the head never stops short of the tail
 *    with the queue on and no error (rung again until it stops moving, so a
 *    doorbell may do part of the work).
 *  - Consumers: no MAP overlaps a live mapping, every UNMAP removes exactly
 *    one mapping, no MAP or BYPASS_ON comes while bypassing, no BYPASS_ON
 *    while something is mapped; each consumer's mappings are exactly the
 *    core's mappings of its endpoint's domain (nothing when blocked, bypass
 *    for an identity view).
 *  - Invalidations (register-based with the queue off, and every
 *    descriptor a doorbell completed): without caching mode, no mapping of
 *    a named domain overlaps the named range afterwards, and (register
 *    based) every other mapping is untouched; with caching mode, the core's
 *    mappings of the named domain inside the named range equal the present
 *    leaves of the guest's tables there (those of the first endpoint
 *    attached to the domain whose context names it, as the unit reads
 *    them), page by page, and (register PSI) outside the range every page
 *    translates as before; a context invalidation (caching mode) or a
 *    global one names every attached domain whole. Checked when the walk
 *    fits the replay budget.
 *  - DMA: a translation that fails fails again for the DMA that follows,
 *    one that succeeds into RAM lets the DMA through and a read returns the
 *    bytes at the translated GPA; a fault is recorded (or dropped on
 *    overflow) at most once per failed DMA and never for one that
 *    succeeded; a recorded fault names the requester, the page, and
 *    read/write; the fault event is sent (or FECTL.IP set when masked) when
 *    PPF was clear. When nothing the translation depends on may be cached
 *    stale (every root/context entry unchanged since the last context
 *    invalidation or TE on, and the page-table pages on the walk unchanged,
 *    and the domain's tables unchanged, since the last global or
 *    domain-selective IOTLB invalidation or TE on (a context invalidation
 *    too with caching mode), nor its domain ID used with other tables
 *    meanwhile), the translation equals a reference walk of the guest's
 *    tables (written here from the spec: success, GPA and permissions, or
 *    the fault reason), and the fault is recorded exactly when the walk
 *    fails and the context does not say FPD, with its reason.
 *
 * FUZZ_VTD_STATS=1 prints at exit how often the deeper checks ran;
 * FUZZ_VTD_TRACE=1 prints each operation, MMIO write and DMA.
 *
 * Relies on two documented choices of the model: contexts are not cached
 * across a miss (a miss reads the context again), and a context-cache
 * invalidation of any granularity reads every endpoint's context again. */
#include "tests/fuzz/vtd_fixture.h"

#include <errno.h>

#include "iommu/iommu.h"

#define MAX_INPUT    4096
#define NEPS	     3
#define MAXV	     16 /* table visits a caching-mode comparison may walk */
#define BUDGET	     (512ul * MAXV)
#define MAXL	     16384 /* intervals in a comparison list */
#define NDID	     32
#define NNAMED	     64
#define IOVA_MAX     ((1ull << 48) - 1)
#define PERM_RW	     (DMA_ACCESS_READ | DMA_ACCESS_WRITE)
#define PTE_PS	     BIT_ULL(7)
#define GCMD_PERSIST (DMA_GCMD_TE | DMA_GCMD_QIE | DMA_GCMD_IRE | DMA_GCMD_CFI)
#define GSTS_FIELDS                                                                                \
	(DMA_GSTS_TES | DMA_GSTS_RTPS | DMA_GSTS_QIES | DMA_GSTS_IRES | DMA_GSTS_IRTPS |           \
	 DMA_GSTS_CFIS)
#define FSTS_CAUSES    (DMA_FSTS_PFO | DMA_FSTS_PPF | DMA_FSTS_IQE | DMA_FSTS_ICE | DMA_FSTS_ITE)
#define FRCD_HI_FIELDS (DMA_FRCD_F | DMA_FRCD_T | 0xffull << DMA_FRCD_FR_SHIFT | DMA_FRCD_SID_MASK)

static const uint16_t ep_rid[NEPS] = {0x0008, 0x0010, 0x0100};

/* --- the registers, from the spec (VT-d 10.4) ---------------------------- */

enum reg_kind { RK_PLAIN, RK_RO, RK_OTHER };

struct reg {
	unsigned off, size;
	uint64_t wmask;
	enum reg_kind kind;
};

#define FRCD_REGS(i)                                                                               \
	{DMAR_FRCD_REG + 16 * (i), 8, 0, RK_RO},                                                   \
	{                                                                                          \
		DMAR_FRCD_REG + 16 * (i) + 8, 8, 0, RK_OTHER                                       \
	}

static const struct reg regs[] = {
	{DMAR_VER_REG, 4, 0, RK_RO},
	{DMAR_CAP_REG, 8, 0, RK_RO},
	{DMAR_ECAP_REG, 8, 0, RK_RO},
	{DMAR_GCMD_REG, 4, 0, RK_OTHER},
	{DMAR_GSTS_REG, 4, 0, RK_RO},
	{DMAR_RTADDR_REG, 8, GENMASK_ULL(63, 12), RK_PLAIN},
	{DMAR_CCMD_REG, 8, BIT_ULL(63) | GENMASK_ULL(62, 61) | GENMASK_ULL(33, 0), RK_OTHER},
	{DMAR_FSTS_REG, 4, 0, RK_OTHER},
	{DMAR_FECTL_REG, 4, DMA_FECTL_IM, RK_OTHER},
	{DMAR_FEDATA_REG, 4, 0xffffffff, RK_PLAIN},
	{DMAR_FEADDR_REG, 4, 0xfffffffc, RK_PLAIN},
	{DMAR_FEUADDR_REG, 4, 0xffffffff, RK_PLAIN},
	{DMAR_AFLOG_REG, 8, 0, RK_RO},
	{DMAR_PMEN_REG, 4, 0, RK_RO},
	{DMAR_PLMBASE_REG, 4, 0, RK_RO},
	{DMAR_PLMLIMIT_REG, 4, 0, RK_RO},
	{DMAR_PHMBASE_REG, 8, 0, RK_RO},
	{DMAR_PHMLIMIT_REG, 8, 0, RK_RO},
	{DMAR_IQH_REG, 8, 0, RK_OTHER},
	{DMAR_IQT_REG, 8, GENMASK_ULL(18, 4), RK_PLAIN},
	{DMAR_IQA_REG, 8, DMA_IQA_ADDR | DMA_IQA_DW | DMA_IQA_QS, RK_PLAIN},
	{DMAR_ICS_REG, 4, 0, RK_OTHER},
	{DMAR_IECTL_REG, 4, DMA_FECTL_IM, RK_OTHER},
	{DMAR_IEDATA_REG, 4, 0xffffffff, RK_PLAIN},
	{DMAR_IEADDR_REG, 4, 0xfffffffc, RK_PLAIN},
	{DMAR_IEUADDR_REG, 4, 0xffffffff, RK_PLAIN},
	{DMAR_IQER_REG, 8, 0, RK_RO},
	{DMAR_IRTA_REG, 8, DMA_IRTA_ADDR | DMA_IRTA_EIME | DMA_IRTA_S, RK_PLAIN},
	{DMAR_IVA_REG, 8, DMA_IVA_ADDR | BIT_ULL(6) | DMA_IVA_AM, RK_PLAIN},
	{DMAR_IOTLB_REG, 8, DMA_TLB_IVT | GENMASK_ULL(61, 60) | GENMASK_ULL(49, 32), RK_OTHER},
	FRCD_REGS(0),
	FRCD_REGS(1),
	FRCD_REGS(2),
	FRCD_REGS(3),
};

/* Registers are 4-byte aligned, 4 or 8 bytes long: slot_reg[off / 4] is
 * the index in regs[] plus one of the register holding byte off (0: none),
 * built by slots_build() at initialization. */
#define REGS_END (DMAR_FRCD_REG + 16 * VTD_NR_FRCD)
static uint8_t slot_reg[REGS_END / 4];

static void slots_build(void)
{
	for (unsigned i = 0; i < ARRAY_SIZE(regs); i++) {
		if ((regs[i].off | regs[i].size) & 3)
			abort();
		for (unsigned o = regs[i].off; o < regs[i].off + regs[i].size; o += 4)
			slot_reg[o / 4] = (uint8_t)(i + 1);
	}
}

static const struct reg *reg_at(unsigned off)
{
	unsigned i = off < REGS_END ? slot_reg[off / 4] : 0;

	return i ? &regs[i - 1] : NULL;
}

static uint64_t reg_raw(const struct vtd *v, unsigned off, unsigned size)
{
	uint64_t val = 0;

	memcpy(&val, v->regs + off, size);
	return val;
}

/* --- the fake type1 consumer ---------------------------------------------- */

struct ivl {
	uint64_t first, last, gpa, perm; /* no padding: lists are compared with memcmp */
};

struct consumer {
	struct ivl *iv; /* sorted by first */
	unsigned n, cap;
	bool bypass;
};

/* The index of the first mapping that ends at or after a. */
static unsigned consumer_find(const struct consumer *c, uint64_t a)
{
	unsigned lo = 0, hi = c->n;

	while (lo < hi) {
		unsigned mid = (lo + hi) / 2;

		if (c->iv[mid].last < a)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int consumer_notify(void *opaque, const struct iommu_event *ev)
{
	struct consumer *c = opaque;
	const struct iova_mapping *m = &ev->m;
	unsigned i;

	switch (ev->type) {
	case IOMMU_EVENT_MAP:
		FUZZ_CHECK(!c->bypass, "MAP 0x%llx while bypassing",
			   (unsigned long long)m->first.a);
		FUZZ_CHECK(m->first.a <= m->last.a, "MAP of an empty range");
		i = consumer_find(c, m->first.a);
		FUZZ_CHECK(i == c->n || c->iv[i].first > m->last.a,
			   "MAP 0x%llx-0x%llx over a live mapping", (unsigned long long)m->first.a,
			   (unsigned long long)m->last.a);
		if (c->n == c->cap) {
			c->cap = c->cap ? 2 * c->cap : 64;
			c->iv = realloc(c->iv, c->cap * sizeof(*c->iv));
			if (!c->iv)
				abort();
		}
		memmove(c->iv + i + 1, c->iv + i, (c->n - i) * sizeof(*c->iv));
		c->iv[i] = (struct ivl){m->first.a, m->last.a, m->gpa.a, m->flags};
		c->n++;
		return 0;
	case IOMMU_EVENT_UNMAP:
		i = consumer_find(c, m->first.a);
		FUZZ_CHECK(i < c->n && c->iv[i].first == m->first.a && c->iv[i].last == m->last.a,
			   "UNMAP 0x%llx-0x%llx is not one mapping", (unsigned long long)m->first.a,
			   (unsigned long long)m->last.a);
		memmove(c->iv + i, c->iv + i + 1, (c->n - i - 1) * sizeof(*c->iv));
		c->n--;
		return 0;
	case IOMMU_EVENT_BYPASS_ON:
		FUZZ_CHECK(!c->bypass && !c->n, "BYPASS_ON while bypassing or mapping");
		c->bypass = true;
		return 0;
	case IOMMU_EVENT_BYPASS_OFF:
		FUZZ_CHECK(c->bypass, "BYPASS_OFF without bypass");
		c->bypass = false;
		return 0;
	}
	return 0;
}

/* --- the fixture ------------------------------------------------------------- */

struct didinfo {
	uint16_t did;
	bool has_key;
	uint64_t key;		/* slptptr | levels of its contexts */
	uint64_t conflict, dsi; /* seq of the last change of tables / DSI */
};

struct named {
	int32_t did; /* -1: every attached domain */
	uint64_t first, last;
};

struct fx {
	struct fz_mem m;
	struct vtd *v;
	struct iommu *io;
	struct dma_as as[NEPS];
	struct fz_unit_msi msi;
	struct consumer c[NEPS];
	struct iommu_notifier n[NEPS];
	bool cm;
	unsigned aw;
	unsigned long budget;
	uint64_t cap, ecap;
	uint64_t rtaddr; /* RTADDR as the last SRTP latched it */
	unsigned qtail;	 /* the next descriptor slot the builder writes */
	/* What may be cached stale: event sequence numbers. */
	uint64_t seq;
	uint64_t page_seq[FZ_PAGES]; /* the last write of each RAM page */
	uint64_t srtp_seq, ctx_sync, tlb_sync;
	struct didinfo dids[NDID];
	unsigned ndids;
	uint64_t did_overflow;
	bool unknown;	/* the queue rewrote itself: no strict checks any more */
	bool iqa_moved; /* IQA written since the queue was enabled */
	/* what the current operation invalidated */
	struct named named[NNAMED];
	unsigned nnamed;
	bool named_lost, tainted;
};

static struct ivl la[MAXL], lb[MAXL];

static bool trace; /* FUZZ_VTD_TRACE=1: each operation on stderr */

/* How often the deeper checks ran (FUZZ_VTD_STATS=1 prints them at exit). */
static struct {
	unsigned long dma, strict_dma, strict_fault, named, cm_compared, snap;
} stats;

static void stats_print(void)
{
	fprintf(stderr,
		"fuzz_vtd: %lu DMAs, %lu checked against the tables (%lu faults), %lu "
		"invalidation checks, %lu caching-mode comparisons, %lu exactness checks\n",
		stats.dma, stats.strict_dma, stats.strict_fault, stats.named, stats.cm_compared,
		stats.snap);
}

static uint64_t amask(const struct fx *f)
{
	return GENMASK_ULL(f->aw - 1, 12);
}

static void mem_put(struct fx *f, uint64_t a, uint64_t val)
{
	if (!fz_in_ram(a, 8))
		return;
	memcpy(f->m.buf + a, &val, 8);
	f->page_seq[a >> 12] = ++f->seq;
}

static bool te_on(struct fx *f)
{
	return reg_raw(f->v, DMAR_GSTS_REG, 4) & DMA_GSTS_TES;
}

static bool qi_on(struct fx *f)
{
	return reg_raw(f->v, DMAR_GSTS_REG, 4) & DMA_GSTS_QIES;
}

static struct didinfo *did_get(struct fx *f, uint16_t did, bool add)
{
	for (unsigned i = 0; i < f->ndids; i++)
		if (f->dids[i].did == did)
			return &f->dids[i];
	if (!add)
		return NULL;
	if (f->ndids == NDID) {
		f->did_overflow = ++f->seq;
		return NULL;
	}
	f->dids[f->ndids] = (struct didinfo){.did = did};
	return &f->dids[f->ndids++];
}

static void name(struct fx *f, int32_t did, uint64_t first, uint64_t last)
{
	if (f->nnamed == NNAMED)
		f->named_lost = true;
	else
		f->named[f->nnamed++] = (struct named){did, first, last};
}

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

/* --- operations ------------------------------------------------------------------ */

static uint64_t idx3(unsigned c)
{
	static const unsigned idx[8] = {0, 1, 2, 3, 4, 5, 256, 511};

	return idx[c & 7];
}

static uint64_t fz_iova(struct fuzz_in *in)
{
	uint16_t x = fuzz_u16(in);
	unsigned mode = x >> 12;

	if (mode == 15)
		return fuzz_u64(in);
	return idx3(x) << 39 | idx3(x >> 3) << 30 | idx3(x >> 6) << 21 | idx3(x >> 9) << 12 |
	       (mode == 14 ? 1ull << 48 : 0);
}

static uint16_t fz_did(struct fuzz_in *in)
{
	uint8_t d = fuzz_u8(in);

	return d >= 0xf0 ? fuzz_u16(in) : (uint16_t)((d & 3) + 1);
}

static void op_mmio(struct fx *f, struct fuzz_in *in, bool write)
{
	uint8_t sel = fuzz_u8(in);
	unsigned off, size;

	if (sel < 2 * ARRAY_SIZE(regs)) {
		const struct reg *r = &regs[sel % ARRAY_SIZE(regs)];

		off = r->off;
		size = r->size;
		if (sel >= ARRAY_SIZE(regs) && size == 8) {
			size = 4;
			off += fuzz_bool(in) ? 4 : 0;
		}
	} else {
		off = fuzz_u16(in) & 0xfff;
		size = 1u << (fuzz_u8(in) & 3);
	}
	if (write) {
		write_reg(f, off, size, fuzz_u64(in));
	} else {
		uint64_t val = fz_rd(f->v, off, size), want = 0;
		const struct reg *r = reg_at(off);

		if (off + size <= VTD_REGS_SIZE && size == 8 && r && r->off == off && r->size == 4)
			want = reg_raw(f->v, off, 4) |
			       (reg_at(off + 4) ? reg_raw(f->v, off + 4, 4) << 32 : 0);
		else if (r && off + size <= r->off + r->size)
			want = reg_raw(f->v, off, size);
		FUZZ_CHECK(val == want, "a read of %u bytes at 0x%x gave 0x%llx, not 0x%llx", size,
			   off, (unsigned long long)val, (unsigned long long)want);
	}
}

static void op_root(struct fx *f, struct fuzz_in *in)
{
	uint8_t b = fuzz_u8(in);
	unsigned bus = b & 1;
	uint64_t lo = 0, hi = 0;

	switch ((b >> 1) & 3) {
	case 0: lo = FZ_CTX(bus) | 1; break;
	case 1: lo = FZ_POOL(fuzz_u8(in) & 15) | 1; break;
	case 2: break;
	case 3:
		lo = fuzz_u64(in);
		hi = fuzz_u64(in);
		break;
	}
	mem_put(f, FZ_ROOT + 16ull * bus, lo);
	mem_put(f, FZ_ROOT + 16ull * bus + 8, hi);
}

static void op_ctx(struct fx *f, struct fuzz_in *in)
{
	uint8_t b = fuzz_u8(in), fl = fuzz_u8(in);
	uint16_t rid = (b & 3) < NEPS ? ep_rid[b & 3] : (uint16_t)((b >> 2 & 1) << 8 | fuzz_u8(in));
	uint64_t lo, hi, aw = f->aw == 48 ? 2 : 1;
	uint16_t did = fz_did(in);
	uint64_t slpt = FZ_POOL(fuzz_u8(in) & 15);

	switch (fl >> 6) {
	case 0:
		lo = slpt | 1;
		hi = aw | (uint64_t)did << 8;
		break;
	case 1: /* P, FPD, TT, AW as the input says */
		lo = slpt | (fl & 1) | (fl & 2) | (uint64_t)((fl >> 2) & 3) << 2;
		hi = ((fl >> 4) & 3 ? (fl >> 4) & 3 : aw) | (uint64_t)did << 8;
		break;
	case 2:
		lo = 0;
		hi = 0;
		break;
	default:
		lo = fuzz_u64(in);
		hi = fuzz_u64(in);
		break;
	}
	mem_put(f, FZ_CTX(rid >> 8) + 16ull * (rid & 0xff), lo);
	mem_put(f, FZ_CTX(rid >> 8) + 16ull * (rid & 0xff) + 8, hi);
}

static void op_pte(struct fx *f, struct fuzz_in *in)
{
	uint64_t table = FZ_POOL(fuzz_u8(in) & 15), e = 0;
	uint8_t is = fuzz_u8(in), kb = fuzz_u8(in);
	unsigned idx = is < 0xf8 ? (unsigned)idx3(is) : fuzz_u16(in) & 511;
	uint64_t perm = (kb >> 2) & 3;

	switch (kb & 3) {
	case 0: e = FZ_POOL(fuzz_u8(in) & 15) | perm; break;
	case 1: e = (FZ_DATA + 4096ull * (fuzz_u8(in) % 64)) | perm; break;
	case 2:
		e = (kb & 0x10 ? GiB(fuzz_u8(in) & 1) : MiB(2) * (fuzz_u8(in) & 1)) | PTE_PS | perm;
		break;
	case 3: e = fuzz_u64(in); break;
	}
	if (!perm && (kb & 3) != 3)
		e = 0;
	mem_put(f, table + 8ull * idx, e);
}

static void op_dma(struct fx *f, struct fuzz_in *in)
{
	uint8_t b = fuzz_u8(in);
	unsigned i = b % NEPS, access = b & 0x80 ? DMA_ACCESS_WRITE : DMA_ACCESS_READ;
	unsigned len = 1 + ((b >> 3) & 7);
	uint64_t a = fz_iova(in) | (fuzz_u16(in) & 0xfff & ~7ull), ent0;
	uint16_t rid = ep_rid[i];
	struct vtd *v = f->v;
	struct rxl r;
	struct dma_xlate x = {0};
	struct dma_fault fl = {0};
	uint8_t buf[8] = {0};
	bool st, same, in_ram = false;
	int t, rc, st0;
	uint32_t dom0 = 0, dom1 = 0;
	unsigned next = v->next_frcd, sent0 = f->msi.fault_sent;
	uint32_t fsts0 = (uint32_t)fz_rd(v, DMAR_FSTS_REG, 4),
		 fectl0 = (uint32_t)fz_rd(v, DMAR_FECTL_REG, 4);
	uint64_t rec0 = v->faults_recorded, drop0 = v->faults_dropped;

	if (a + len < a)
		return;
	ref_xlate(f, rid, a, access, &r);
	st = strict(f, &r);
	stats.dma++;
	stats.strict_dma += st;
	stats.strict_fault += st && r.fault;
	st0 = iommu_endpoint_state(f->io, rid, &dom0);
	t = iommu_translate(f->io, rid, iova(a), access, &x, &fl);
	/* The miss may have moved the endpoint (its context changed); then the
	 * DMA sees its new domain, which another endpoint may have filled. */
	same = iommu_endpoint_state(f->io, rid, &dom1) == st0 &&
	       (st0 != IOMMU_EP_DOMAIN || dom0 == dom1);
	/* An access is cut at the end of the mapping its first byte translates
	 * to, so that this one translation decides the DMA (a DMA across two
	 * mappings needs two, and its fault would name the second page). */
	if (!t && x.len && x.len < len)
		len = (unsigned)x.len;
	if (st) {
		unsigned code =
			t ? (fl.code ? fl.code & 0xff
				     : (fl.reason == DMA_FAULT_BLOCKED ? VTD_FR_CTX_NP
								       : perm_fault(access)))
			  : 0;

		FUZZ_CHECK(!t == !r.fault && code == r.fault,
			   "%04x %s 0x%llx: the unit says %d (reason 0x%x), the tables 0x%x", rid,
			   access == DMA_ACCESS_WRITE ? "write" : "read", (unsigned long long)a, t,
			   code, r.fault);
		FUZZ_CHECK(t || (x.gpa.a == r.gpa && x.perm == r.perm),
			   "%04x 0x%llx: the unit translates to 0x%llx/%u, the tables to 0x%llx/%u",
			   rid, (unsigned long long)a, (unsigned long long)x.gpa.a, x.perm,
			   (unsigned long long)r.gpa, r.perm);
	}
	if (trace)
		fprintf(stderr,
			"  dma %04x %s 0x%llx: %d (0x%llx/%u, reason %d code 0x%x); tables 0x%x "
			"0x%llx/%u, strict %d\n",
			rid, access == DMA_ACCESS_WRITE ? "write" : "read", (unsigned long long)a,
			t, (unsigned long long)x.gpa.a, x.perm, fl.reason, fl.code, r.fault,
			(unsigned long long)r.gpa, r.perm, st);
	if (!t) {
		in_ram = fz_in_ram(x.gpa.a, len);
		if (in_ram)
			memcpy(buf, f->m.buf + x.gpa.a, len); /* a write leaves RAM as it was */
	}
	rc = access == DMA_ACCESS_WRITE ? dma_write(&f->as[i], iova(a), buf, len)
					: dma_read(&f->as[i], iova(a), buf, len);
	ent0 = (v->faults_recorded - rec0) + (v->faults_dropped - drop0);
	FUZZ_CHECK(!same || !t == !rc || (!t && !in_ram),
		   "%04x %s 0x%llx: translate says %d (reason %d code 0x%x), the DMA %d", rid,
		   access == DMA_ACCESS_WRITE ? "write" : "read", (unsigned long long)a, t,
		   fl.reason, fl.code, rc);
	FUZZ_CHECK(!same || !(!t && in_ram) || !rc, "a DMA into RAM failed");
	FUZZ_CHECK(ent0 <= 1 && (!rc || t || !same || ent0 == 0) && (rc || ent0 == 0),
		   "%llu faults for one DMA (rc %d)", (unsigned long long)ent0, rc);
	if (!rc && access == DMA_ACCESS_READ && in_ram && same)
		FUZZ_CHECK(!memcmp(buf, f->m.buf + x.gpa.a, len),
			   "a read of 0x%llx got other bytes "
			   "than at 0x%llx",
			   (unsigned long long)a, (unsigned long long)x.gpa.a);
	if (v->faults_recorded != rec0) {
		uint64_t hi = fz_rd(v, DMAR_FRCD_REG + 16 * next + 8, 8);
		uint64_t lo = fz_rd(v, DMAR_FRCD_REG + 16 * next, 8);

		FUZZ_CHECK((hi & DMA_FRCD_F) && (hi & DMA_FRCD_SID_MASK) == rid &&
				   !!(hi & DMA_FRCD_T) == (access == DMA_ACCESS_READ) &&
				   lo == (a & ~0xfffull),
			   "fault record %u 0x%llx 0x%llx for %04x %s 0x%llx", next,
			   (unsigned long long)hi, (unsigned long long)lo, rid,
			   access == DMA_ACCESS_WRITE ? "write" : "read", (unsigned long long)a);
		FUZZ_CHECK(!(fsts0 & DMA_FSTS_PFO), "a fault recorded over PFO");
		if (!(fsts0 & DMA_FSTS_PPF)) {
			if (fectl0 & DMA_FECTL_IM)
				FUZZ_CHECK(fz_rd(v, DMAR_FECTL_REG, 4) & DMA_FECTL_IP,
					   "a masked fault event without FECTL.IP");
			else
				FUZZ_CHECK(f->msi.fault_sent == sent0 + 1, "no fault event");
		}
		if (st)
			FUZZ_CHECK(((hi >> DMA_FRCD_FR_SHIFT) & 0xff) == r.fault,
				   "recorded reason 0x%llx, the tables say 0x%x",
				   (unsigned long long)((hi >> DMA_FRCD_FR_SHIFT) & 0xff), r.fault);
	}
	if (st && !t)
		FUZZ_CHECK(ent0 == 0, "a fault for a DMA the tables allow");
	if (st && t)
		FUZZ_CHECK(ent0 == (r.fpd ? 0u : 1u),
			   "%04x 0x%llx: %llu faults, FPD %d, reason 0x%x", rid,
			   (unsigned long long)a, (unsigned long long)ent0, r.fpd, r.fault);
}

static uint32_t gcmd_persist(struct fx *f)
{
	return (uint32_t)fz_rd(f->v, DMAR_GSTS_REG, 4) & GCMD_PERSIST;
}

static void op_enable(struct fx *f)
{
	write_reg(f, DMAR_RTADDR_REG, 8, FZ_ROOT);
	write_reg(f, DMAR_GCMD_REG, 4, gcmd_persist(f) | DMA_GCMD_SRTP);
	write_reg(f, DMAR_FEDATA_REG, 4, 0x41);
	write_reg(f, DMAR_FEADDR_REG, 4, 0xfee00000);
	write_reg(f, DMAR_FECTL_REG, 4, 0);
	write_reg(f, DMAR_GCMD_REG, 4, gcmd_persist(f) | DMA_GCMD_TE);
}

static void op_qi_enable(struct fx *f)
{
	write_reg(f, DMAR_GCMD_REG, 4, gcmd_persist(f) & ~DMA_GCMD_QIE);
	write_reg(f, DMAR_IQT_REG, 8, 0);
	write_reg(f, DMAR_IQA_REG, 8, FZ_QUEUE);
	write_reg(f, DMAR_IEDATA_REG, 4, 0x42);
	write_reg(f, DMAR_IEADDR_REG, 4, 0xfee00000);
	write_reg(f, DMAR_IECTL_REG, 4, 0);
	write_reg(f, DMAR_GCMD_REG, 4, gcmd_persist(f) | DMA_GCMD_QIE);
	f->qtail = 0;
}

/* One descriptor at the builder's tail slot of the queue page. */
static void op_desc(struct fx *f, struct fuzz_in *in)
{
	uint8_t k = fuzz_u8(in), g = fuzz_u8(in);
	uint64_t d0 = 0, d1 = 0, a;

	switch (k & 7) {
	case 0: /* context-cache */
		d0 = 1 | (uint64_t)(g & 3) << 4 | (uint64_t)fz_did(in) << 16 |
		     (uint64_t)ep_rid[fuzz_u8(in) % NEPS] << 32 | (uint64_t)((g >> 2) & 3) << 48;
		break;
	case 1: /* IOTLB */
		d0 = 2 | (uint64_t)(g & 3) << 4 | (uint64_t)fz_did(in) << 16 |
		     (uint64_t)((g >> 2) & 3) << 6;
		a = fz_iova(in);
		d1 = (a & ~0xfffull) | (fuzz_u8(in) % 20) | (g & 0x10 ? BIT_ULL(6) : 0);
		break;
	case 2: /* interrupt entry cache */
		d0 = 4 | (g & 1 ? BIT_ULL(4) : 0) | (uint64_t)fuzz_u8(in) << 27 |
		     (uint64_t)fuzz_u16(in) << 32;
		break;
	case 3: /* wait */
		d0 = 5 | (g & 3) << 4 | (g & 4 ? BIT_ULL(6) : 0) | (uint64_t)fuzz_u32(in) << 32;
		d1 = g & 8 ? fuzz_u64(in) : FZ_STATUS + 4 * (fuzz_u8(in) & 15);
		break;
	case 4: /* device-TLB, PASID-based and other types */
		d0 = ((g & 7) == 3 ? 3 : 6 + (g & 1)) | (uint64_t)(g >> 1 & 7) << 9 |
		     fuzz_u64(in) << 12;
		d1 = fuzz_u64(in);
		break;
	case 5:
		d0 = fuzz_u64(in);
		d1 = fuzz_u64(in);
		break;
	default: { /* a valid one with one bit flipped */
		uint8_t bit = fuzz_u8(in);

		d0 = (g & 1) ? 2 | 3 << 4 | (uint64_t)1 << 16 : 5 | BIT_ULL(5);
		d1 = (g & 1) ? 0 : FZ_STATUS;
		if (bit & 64)
			d1 ^= 1ull << (bit & 63);
		else
			d0 ^= 1ull << (bit & 63);
		break;
	}
	}
	mem_put(f, FZ_QUEUE + 16ull * f->qtail, d0);
	mem_put(f, FZ_QUEUE + 16ull * f->qtail + 8, d1);
	f->qtail = (f->qtail + 1) % 256;
}

static void op_reg_iotlb(struct fx *f, struct fuzz_in *in)
{
	uint8_t g = fuzz_u8(in);
	uint16_t did = fz_did(in);
	uint64_t a = fz_iova(in) & ~0xfffull;

	write_reg(f, DMAR_IVA_REG, 8, a | (fuzz_u8(in) % 22) | (g & 4 ? BIT_ULL(6) : 0));
	write_reg(f, DMAR_IOTLB_REG, 8,
		  DMA_TLB_IVT | (uint64_t)(g & 3) << DMA_TLB_IIRG_SHIFT | (uint64_t)did << 32);
}

static void op_reg_ctx(struct fx *f, struct fuzz_in *in)
{
	uint8_t g = fuzz_u8(in);

	write_reg(f, DMAR_CCMD_REG, 8,
		  DMA_CCMD_ICC | (uint64_t)(g & 3) << DMA_CCMD_CIRG_SHIFT | fz_did(in) |
			  (uint64_t)ep_rid[fuzz_u8(in) % NEPS] << 16);
}

static void op_service(struct fx *f)
{
	for (unsigned i = 0; i < VTD_NR_FRCD; i++)
		write_reg(f, DMAR_FRCD_REG + 16 * i + 12, 4, DMA_FRCD_F >> 32);
	write_reg(f, DMAR_FSTS_REG, 4, DMA_FSTS_PFO);
}

/* --- the target ------------------------------------------------------------------ */

static void fx_init(struct fx *f, uint8_t cfg)
{
	struct vtd_params p;

	memset(f, 0, sizeof(*f));
	fz_mem_init(&f->m);
	f->cm = cfg & 1;
	f->aw = cfg & 2 ? 39 : 48;
	p = (struct vtd_params){.mem = &f->m.mem,
				.msi = {fz_unit_msi_send, &f->msi},
				.caching_mode = f->cm,
				.aw_bits = f->aw,
				.iotlb_sets = FZ_IOTLB_SETS};
	if (vtd_new(&p, &f->v))
		abort();
	f->msi.v = f->v;
	f->io = vtd_iommu(f->v);
	f->budget = cfg & 4 ? 8ul * (1 + (cfg >> 3)) * 4 : BUDGET;
	f->v->replay_budget = f->budget;
	f->cap = fz_rd(f->v, DMAR_CAP_REG, 8);
	f->ecap = fz_rd(f->v, DMAR_ECAP_REG, 8);
	FUZZ_CHECK(!!(f->cap & VTD_CAP_CM) == f->cm, "CAP.CM");
	for (unsigned i = 0; i < NEPS; i++) {
		dma_as_init(&f->as[i], ep_rid[i], &f->m.mem);
		if (vtd_endpoint_add(f->v, ep_rid[i], &f->as[i]))
			abort();
		f->n[i] = (struct iommu_notifier){.notify = consumer_notify, .opaque = &f->c[i]};
		if (iommu_notifier_add(f->io, ep_rid[i], &f->n[i]))
			abort();
	}
}

static void fx_fini(struct fx *f)
{
	for (unsigned i = 0; i < NEPS; i++) {
		iommu_notifier_del(f->io, &f->n[i]);
		free(f->c[i].iv);
	}
	vtd_free(f->v);
	fz_mem_free(&f->m);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (getenv("FUZZ_VTD_STATS"))
		atexit(stats_print);
	trace = getenv("FUZZ_VTD_TRACE");
	slots_build();
	return 0;
}

static struct fx fx;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = fuzz_in(data, size);
	struct fx *f = &fx;

	if (size > MAX_INPUT)
		return -1;
	fx_init(f, fuzz_u8(&in));
	check_global(f);
	while (!in.done) {
		uint8_t op = fuzz_u8(&in);

		if (in.done)
			break;
		f->nnamed = 0;
		f->named_lost = f->tainted = false;
		if (trace)
			fprintf(stderr, "op %u at %zu: GSTS 0x%llx\n", op % 16, size - in.left - 1,
				(unsigned long long)fz_rd(f->v, DMAR_GSTS_REG, 4));
		switch (op % 16) {
		case 0:
		case 1: op_mmio(f, &in, true); break;
		case 2: op_mmio(f, &in, false); break;
		case 3: op_root(f, &in); break;
		case 4: op_ctx(f, &in); break;
		case 5: op_pte(f, &in); break;
		case 6:
		case 7: op_dma(f, &in); break;
		case 8: op_enable(f); break;
		case 9: op_qi_enable(f); break;
		case 10: op_desc(f, &in); break;
		case 11:
			doorbell(f, fuzz_bool(&in) ? (uint64_t)fuzz_u8(&in) << 4 : f->qtail << 4);
			break;
		case 12: op_reg_iotlb(f, &in); break;
		case 13: op_reg_ctx(f, &in); break;
		case 14: {
			uint64_t a = FZ_DATA - 0x1000 * (1 + (fuzz_u8(&in) % 32)) +
				     (fuzz_u16(&in) & 0xff8);

			mem_put(f, a, fuzz_u64(&in));
			break;
		}
		case 15:
			if (fuzz_bool(&in))
				op_service(f);
			else
				write_reg(f, DMAR_GCMD_REG, 4, gcmd_persist(f) ^ DMA_GCMD_TE);
			break;
		}
		check_named(f);
		track_dids(f);
		check_global(f);
	}
	fx_fini(f);
	return 0;
}
