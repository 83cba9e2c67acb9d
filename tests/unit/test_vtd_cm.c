// SPDX-License-Identifier: MIT
/* Unit tests for the VT-d caching-mode shadow (devices/vtd/replay.c): a
 * fake notifier consumer keeps the host mappings a VFIO mirror would make,
 * as type1 does (a MAP that overlaps a mapping and an UNMAP that does not
 * remove exactly one mapping are refused and counted as errors). A
 * reference model (the guest's translation per IOVA page, a plain array)
 * drives random page-table changes, each invalidated as Linux does under
 * caching mode; after every invalidation the consumer's view must equal
 * the model's, and a freshly mapped contiguous run must cost one MAP.
 * Directed cases: an invalidation that cuts through a run, an unchanged
 * neighbour, 2 MiB pages, a walk cut short by its budget, runs and RAM
 * regions. */
#include "tests/unit/vtd_fixture.h"

#include <inttypes.h>
#include <stdio.h>
#include <time.h>

#define WBASE  0x40000000ull /* the IOVA window: 1 GiB, PML4[0] PDPT[1] */
#define NBLK   4	     /* 2 MiB blocks in the window: PD[0..3] */
#define NPG    (NBLK * 512)
#define PTB    0x40000ull /* PT of block k at PTB + k * 4 KiB */
#define MAXIV  4096
#define NSTEPS 10000

/* --- the consumer: host mappings as type1 keeps them ------------------- */

struct ivl {
	uint64_t first, last, gpa;
	unsigned flags;
	bool used;
};

struct consumer {
	struct ivl iv[MAXIV];
	int owner[NPG]; /* index + 1 of the mapping of each window page, or 0 */
	unsigned maps, unmaps, errors;
	char why[160]; /* the first error */
};

static void consumer_error(struct consumer *c, const char *what, const struct iova_mapping *m)
{
	if (!c->errors++)
		snprintf(c->why, sizeof(c->why), "%s 0x%" PRIx64 "-0x%" PRIx64, what, m->first.a,
			 m->last.a);
}

static bool in_window(const struct iova_mapping *m)
{
	return m->first.a >= WBASE && m->last.a < WBASE + NPG * 4096ull && !(m->first.a & 4095) &&
	       !((m->last.a + 1) & 4095);
}

static int consumer_map(struct consumer *c, const struct iova_mapping *m)
{
	unsigned p0 = (unsigned)((m->first.a - WBASE) >> 12), p1, i;

	if (!in_window(m)) {
		consumer_error(c, "map outside the window", m);
		return -EINVAL;
	}
	p1 = (unsigned)((m->last.a - WBASE) >> 12);
	for (unsigned p = p0; p <= p1; p++)
		if (c->owner[p]) {
			consumer_error(c, "map over a mapping", m);
			return -EEXIST;
		}
	for (i = 0; i < MAXIV && c->iv[i].used; i++)
		;
	assert_true(i < MAXIV);
	c->iv[i] = (struct ivl){m->first.a, m->last.a, m->gpa.a, m->flags, true};
	for (unsigned p = p0; p <= p1; p++)
		c->owner[p] = (int)i + 1;
	c->maps++;
	return 0;
}

static void consumer_unmap(struct consumer *c, const struct iova_mapping *m)
{
	unsigned p0, p1;
	struct ivl *v;

	if (!in_window(m)) {
		consumer_error(c, "unmap outside the window", m);
		return;
	}
	p0 = (unsigned)((m->first.a - WBASE) >> 12);
	p1 = (unsigned)((m->last.a - WBASE) >> 12);
	v = c->owner[p0] ? &c->iv[c->owner[p0] - 1] : NULL;
	if (!v || v->first != m->first.a || v->last != m->last.a) {
		consumer_error(c, "unmap that bisects or misses a mapping", m);
		return;
	}
	for (unsigned p = p0; p <= p1; p++)
		c->owner[p] = 0;
	v->used = false;
	c->unmaps++;
}

static int consumer_notify(void *opaque, const struct iommu_event *ev)
{
	struct consumer *c = opaque;

	switch (ev->type) {
	case IOMMU_EVENT_MAP: return consumer_map(c, &ev->m);
	case IOMMU_EVENT_UNMAP: consumer_unmap(c, &ev->m); return 0;
	default: return 0; /* identity: only before translation is on */
	}
}

/* --- the fixture --------------------------------------------------------- */

struct page {
	uint64_t gpa;
	unsigned perm; /* 0: not present */
};

struct fx {
	struct guest_mem mem;
	struct vtd *v;
	struct dma_as as;
	struct fake_msi msi;
	struct consumer c;
	struct iommu_notifier n;
	struct page model[NPG]; /* the reference: what the guest maps */
	bool big[NBLK];		/* block k is a 2 MiB leaf */
	uint64_t rng, seed;
	unsigned step;
};

static uint64_t rnd(struct fx *f)
{
	f->rng ^= f->rng >> 12;
	f->rng ^= f->rng << 25;
	f->rng ^= f->rng >> 27;
	return f->rng * 0x2545f4914f6cdd1dull;
}

static unsigned below(struct fx *f, unsigned n)
{
	return (unsigned)(rnd(f) % n);
}

static void wr(struct fx *f, unsigned off, uint64_t val)
{
	vtd_mmio_ops.write(f->v, off, 8, val);
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct vtd_params p;

	assert_non_null(f);
	mem_init(&f->mem);
	p = (struct vtd_params){.mem = &f->mem,
				.msi = {fake_msi_send, &f->msi},
				.caching_mode = true,
				.aw_bits = 48};
	assert_int_equal(vtd_new(&p, &f->v), 0);
	dma_as_init(&f->as, RID, &f->mem);
	assert_int_equal(vtd_endpoint_add(f->v, RID, &f->as), 0);
	ctx_set(&f->mem, RID, 2, DID, 0, false);
	put64(&f->mem, PML4, PDPT | R | W);
	put64(&f->mem, PDPT + 8 * (WBASE >> 30), PD | R | W);
	wr(f, DMAR_RTADDR_REG, ROOT);
	vtd_mmio_ops.write(f->v, DMAR_GCMD_REG, 4, DMA_GCMD_SRTP);
	vtd_mmio_ops.write(f->v, DMAR_GCMD_REG, 4, DMA_GCMD_TE);
	assert_true(vtd_mmio_ops.read(f->v, DMAR_GSTS_REG, 4) & DMA_GSTS_TES);
	f->n = (struct iommu_notifier){.notify = consumer_notify, .opaque = &f->c};
	assert_int_equal(iommu_notifier_add(vtd_iommu(f->v), RID, &f->n), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	iommu_notifier_del(vtd_iommu(f->v), &f->n);
	vtd_free(f->v);
	free(f->mem.r[0].host);
	free(f);
	return 0;
}

/* --- the guest's tables, written as the model changes ------------------- */

static uint64_t pd_entry(unsigned k)
{
	return PD + 8ull * k;
}

/* Page p of the window -> g with perm (0: not present), through its
 * block's PT (made present, empty, when the block had none). */
static void set_page(struct fx *f, unsigned p, uint64_t g, unsigned perm)
{
	unsigned k = p / 512;

	assert_false(f->big[k]);
	if (perm && !(get64(&f->mem, pd_entry(k)) & (R | W))) {
		memset((uint8_t *)f->mem.r[0].host + PTB + 4096ull * k, 0, 4096);
		put64(&f->mem, pd_entry(k), (PTB + 4096ull * k) | R | W);
	}
	if (get64(&f->mem, pd_entry(k)) & (R | W))
		put64(&f->mem, PTB + 4096ull * k + 8 * (p % 512), perm ? g | perm : 0);
	f->model[p] = (struct page){perm ? g : 0, perm};
}

/* Block k becomes a 2 MiB leaf -> g (2 MiB aligned) with perm, or not
 * present (perm 0). */
static void set_big(struct fx *f, unsigned k, uint64_t g, unsigned perm)
{
	put64(&f->mem, pd_entry(k), perm ? g | PS | perm : 0);
	f->big[k] = perm;
	for (unsigned i = 0; i < 512; i++)
		f->model[k * 512 + i] = (struct page){perm ? g + 4096ull * i : 0, perm};
}

/* A block whose PT maps nothing loses its PT (Linux frees page tables). */
static void maybe_free_pt(struct fx *f, unsigned k)
{
	for (unsigned i = 0; i < 512; i++)
		if (f->model[k * 512 + i].perm)
			return;
	put64(&f->mem, pd_entry(k), 0);
}

/* --- invalidations ------------------------------------------------------- */

static void psi(struct fx *f, uint64_t iova_a, unsigned am)
{
	wr(f, DMAR_IVA_REG, iova_a | am);
	wr(f, DMAR_IOTLB_REG,
	   DMA_TLB_IVT | (uint64_t)DMA_TLB_PSI << DMA_TLB_IIRG_SHIFT | (uint64_t)DID << 32);
}

static void dsi(struct fx *f)
{
	wr(f, DMAR_IOTLB_REG,
	   DMA_TLB_IVT | (uint64_t)DMA_TLB_DSI << DMA_TLB_IIRG_SHIFT | (uint64_t)DID << 32);
}

static void global_inval(struct fx *f)
{
	wr(f, DMAR_IOTLB_REG, DMA_TLB_IVT | (uint64_t)DMA_TLB_GLOBAL << DMA_TLB_IIRG_SHIFT);
}

static void ctx_inval(struct fx *f)
{
	wr(f, DMAR_CCMD_REG, DMA_CCMD_ICC | (uint64_t)DMA_CCMD_GLOBAL << DMA_CCMD_CIRG_SHIFT);
}

/* Pages [p0, p1] changed: invalidate them as Linux does (the smallest
 * aligned power of two that covers them, DSI beyond MAMV), or with
 * probability 1/5 by a DSI, a global or a context invalidation. Counters
 * start from zero. */
static void inval(struct fx *f, unsigned p0, unsigned p1)
{
	unsigned am = 0, pick = below(f, 20);

	f->c.maps = f->c.unmaps = 0;
	while ((p0 >> am) != (p1 >> am))
		am++;
	if (pick == 0 || am > VTD_MAMV)
		dsi(f);
	else if (pick == 1)
		global_inval(f);
	else if (pick == 2)
		ctx_inval(f);
	else
		psi(f, WBASE + ((uint64_t)(p0 >> am) << (12 + am)), am);
}

/* --- checks ---------------------------------------------------------------- */

/* The consumer's view of every window page equals the model's, and it saw
 * no refused or bisecting call. */
static void check_view(struct fx *f, const char *what)
{
	if (f->c.errors)
		fail_msg("seed %" PRIu64 " step %u (%s): %s", f->seed, f->step, what, f->c.why);
	for (unsigned p = 0; p < NPG; p++) {
		const struct page *m = &f->model[p];
		uint64_t g = 0;
		unsigned perm = 0;

		if (f->c.owner[p]) {
			const struct ivl *v = &f->c.iv[f->c.owner[p] - 1];

			g = v->gpa + (WBASE + 4096ull * p - v->first);
			perm = v->flags;
		}
		if (g != m->gpa || perm != m->perm)
			fail_msg("seed %" PRIu64 " step %u (%s): page %u: host 0x%" PRIx64
				 "/%u, tables 0x%" PRIx64 "/%u",
				 f->seed, f->step, what, p, g, perm, m->gpa, m->perm);
	}
}

static void check_events(struct fx *f, const char *what, unsigned maps, unsigned unmaps)
{
	if (f->c.maps != maps || f->c.unmaps != unmaps)
		fail_msg("seed %" PRIu64 " step %u (%s): %u MAPs %u UNMAPs, want %u and %u",
			 f->seed, f->step, what, f->c.maps, f->c.unmaps, maps, unmaps);
}

/* --- random steps -------------------------------------------------------- */

static unsigned rand_perm(struct fx *f)
{
	return 1 + below(f, 3); /* R, W or RW */
}

static uint64_t rand_gpa(struct fx *f, unsigned pages)
{
	return DATA + 4096ull * below(f, (unsigned)((VRAM - DATA) / 4096) - pages + 1);
}

/* A free run of n pages (none mapped, none in a 2 MiB block): its first
 * page, or -1. */
static int free_run(struct fx *f, unsigned n)
{
	for (unsigned tries = 0; tries < 16; tries++) {
		unsigned p0 = below(f, NPG - n + 1), p;

		for (p = p0; p < p0 + n && !f->model[p].perm && !f->big[p / 512]; p++)
			;
		if (p == p0 + n)
			return (int)p0;
	}
	return -1;
}

/* Map a free run of 1..64 pages, GPA-contiguous (one MAP) or scattered
 * like a scatter list (one MAP per GPA-contiguous piece). */
static void step_map(struct fx *f)
{
	unsigned n = 1 + below(f, 64), perm = rand_perm(f), pieces = 1;
	int p0 = free_run(f, n);
	bool scatter = !below(f, 4);
	uint64_t g = rand_gpa(f, n);

	if (p0 < 0)
		return;
	for (unsigned i = 0; i < n; i++) {
		uint64_t gi = scatter ? rand_gpa(f, 1) : g + 4096ull * i;

		if (i && gi != f->model[p0 + i - 1].gpa + 4096)
			pieces++;
		set_page(f, (unsigned)p0 + i, gi, perm);
	}
	inval(f, (unsigned)p0, (unsigned)p0 + n - 1);
	check_view(f, "map a run");
	check_events(f, "map a run", pieces, 0);
}

/* Map a free 2 MiB block with one leaf: one MAP. */
static void step_map_big(struct fx *f)
{
	unsigned k = below(f, NBLK);

	for (unsigned i = 0; i < 512; i++)
		if (f->model[k * 512 + i].perm || f->big[k])
			return;
	set_big(f, k, MiB(2) * (1 + below(f, 3)), rand_perm(f));
	inval(f, k * 512, k * 512 + 511);
	check_view(f, "map 2M");
	check_events(f, "map 2M", 1, 0);
}

/* Unmap a run of 1..64 pages (whole 2 MiB blocks where it touches one). */
static void step_unmap(struct fx *f)
{
	unsigned n = 1 + below(f, 64), p0 = below(f, NPG - n + 1), p1 = p0 + n - 1;

	if (f->big[p0 / 512])
		p0 -= p0 % 512;
	if (f->big[p1 / 512])
		p1 |= 511;
	for (unsigned p = p0; p <= p1; p++) {
		if (f->big[p / 512])
			set_big(f, p / 512, 0, 0);
		else
			set_page(f, p, 0, 0);
	}
	if (below(f, 2)) {
		maybe_free_pt(f, p0 / 512);
		maybe_free_pt(f, p1 / 512);
	}
	inval(f, p0, p1);
	check_view(f, "unmap a run");
}

/* Change the GPA or the permissions of 1..8 present pages (or of a 2 MiB
 * leaf), in place. */
static void step_change(struct fx *f)
{
	unsigned p0 = below(f, NPG), n = 1 + below(f, 8), k = p0 / 512;
	bool gpa_change = below(f, 2);

	if (!f->model[p0].perm)
		return;
	if (f->big[k]) {
		uint64_t g = gpa_change ? MiB(2) * (1 + below(f, 3)) : f->model[k * 512].gpa;

		set_big(f, k, g, gpa_change ? f->model[k * 512].perm : rand_perm(f));
		inval(f, k * 512, k * 512 + 511);
	} else {
		uint64_t g = rand_gpa(f, n);
		unsigned p = p0;

		for (; p < p0 + n && p < NPG && f->model[p].perm && !f->big[p / 512]; p++)
			set_page(f, p, gpa_change ? g + 4096ull * (p - p0) : f->model[p].gpa,
				 gpa_change ? f->model[p].perm : rand_perm(f));
		inval(f, p0, p - 1);
	}
	check_view(f, "change");
}

/* An invalidation of tables that did not change: no event at all. */
static void step_nothing(struct fx *f)
{
	unsigned p0 = below(f, NPG);

	inval(f, p0, p0 + below(f, NPG - p0));
	check_view(f, "unchanged");
	check_events(f, "unchanged", 0, 0);
}

/* The context entry goes (the endpoint is blocked: everything unmapped)
 * and comes back (a context invalidation replays the whole space). */
static void step_context(struct fx *f)
{
	uint64_t ce = get64(&f->mem, CTXT + 16ull * RID);
	bool any = false;

	put64(&f->mem, CTXT + 16ull * RID, 0);
	ctx_inval(f);
	for (unsigned p = 0; p < NPG; p++)
		any |= f->c.owner[p] != 0;
	if (any || f->c.errors)
		fail_msg("seed %" PRIu64 " step %u: a blocked endpoint still has mappings (%s)",
			 f->seed, f->step, f->c.why);
	put64(&f->mem, CTXT + 16ull * RID, ce);
	ctx_inval(f);
	check_view(f, "context back");
}

static void run_steps(struct fx *f, uint64_t seed)
{
	struct vtd_stats st;
	unsigned present = 0;

	f->seed = seed;
	f->rng = seed | 1;
	print_message("seed %" PRIu64 "\n", seed);
	for (f->step = 0; f->step < NSTEPS; f->step++) {
		unsigned pick = below(f, 100);

		if (pick < 35)
			step_map(f);
		else if (pick < 43)
			step_map_big(f);
		else if (pick < 68)
			step_unmap(f);
		else if (pick < 90)
			step_change(f);
		else if (pick < 97)
			step_nothing(f);
		else
			step_context(f);
	}
	vtd_get_stats(f->v, &st);
	for (unsigned p = 0; p < NPG; p++)
		present += f->model[p].perm != 0;
	print_message("%u pages mapped at the end; %" PRIu64 " invalidations mapped %" PRIu64
		      " runs of %" PRIu64 " leaves, %" PRIu64 " replaced\n",
		      present, st.cm_invals_mapped, st.cm_runs_mapped, st.cm_leaves,
		      st.cm_replaced);
	/* The steps did what they are for: runs of several leaves, and
	 * mappings cut by changes. */
	assert_true(st.cm_runs_mapped * 2 < st.cm_leaves);
	assert_true(st.cm_replaced > NSTEPS / 20);
}

static void test_random_fixed_seed(void **state)
{
	run_steps(*state, 0x5eed0001);
}

/* VTD_CM_SEED=N replays a failure of this case. */
static void test_random_seed(void **state)
{
	const char *s = getenv("VTD_CM_SEED");

	run_steps(*state, s ? strtoull(s, NULL, 0) : (uint64_t)time(NULL) ^ (uint64_t)clock());
}

/* --- directed cases -------------------------------------------------------- */

/* The consumer's mapping of page p is exactly [p0, p1] (window pages). */
static void assert_ivl(struct fx *f, unsigned p, unsigned p0, unsigned p1)
{
	const struct ivl *v;

	assert_int_not_equal(f->c.owner[p], 0);
	v = &f->c.iv[f->c.owner[p] - 1];
	assert_int_equal(v->first, WBASE + 4096ull * p0);
	assert_int_equal(v->last, WBASE + 4096ull * p1 + 4095);
}

static void map_run(struct fx *f, unsigned p0, unsigned n, uint64_t g, unsigned perm)
{
	for (unsigned i = 0; i < n; i++)
		set_page(f, p0 + i, g + 4096ull * i, perm);
}

/* A PSI that covers part of a run changed in its middle: the run is
 * replaced by its parts, which keep their pages mapped. */
static void test_cut_through(void **state)
{
	struct fx *f = *state;

	map_run(f, 0, 16, DATA, R | W);
	f->c.maps = 0;
	psi(f, WBASE, 4);
	check_view(f, "16 pages");
	check_events(f, "16 pages", 1, 0);
	assert_ivl(f, 0, 0, 15);
	/* Page 5 moves; the PSI covers pages 4..7: [0..4] keeps its old
	 * translation (outside the range, or equal inside it), [5] is new,
	 * [6..15] is the tables' 6..7 and the old 8..15. */
	set_page(f, 5, DATA + MiB(1), R | W);
	f->c.maps = f->c.unmaps = 0;
	psi(f, WBASE + 4 * 4096, 2);
	check_view(f, "page 5 moved");
	check_events(f, "page 5 moved", 3, 1);
	assert_ivl(f, 0, 0, 4);
	assert_ivl(f, 5, 5, 5);
	assert_ivl(f, 15, 6, 15);
	/* The same by a PSI of page 5 alone (a fresh run first). */
	map_run(f, 32, 8, DATA + MiB(2), R);
	psi(f, WBASE + 32 * 4096, 3);
	set_page(f, 35, DATA, R);
	f->c.maps = f->c.unmaps = 0;
	psi(f, WBASE + 35 * 4096, 0);
	check_view(f, "page 35 moved");
	check_events(f, "page 35 moved", 3, 1);
	assert_ivl(f, 32, 32, 34);
	assert_ivl(f, 39, 36, 39);
	{
		struct vtd_stats st;

		vtd_get_stats(f->v, &st);
		assert_int_equal(st.cm_replaced, 2);
	}
}

/* Two runs next to each other, GPA-contiguous, mapped by two invalidations:
 * two mappings; an invalidation over both changes nothing; unmapping one
 * leaves the other alone. */
static void test_neighbour_untouched(void **state)
{
	struct fx *f = *state;

	map_run(f, 0, 8, DATA, R | W);
	psi(f, WBASE, 3);
	map_run(f, 8, 8, DATA + 8 * 4096, R | W);
	f->c.maps = 0;
	psi(f, WBASE, 4);
	check_events(f, "second run", 1, 0);
	assert_ivl(f, 0, 0, 7);
	assert_ivl(f, 8, 8, 15);
	f->c.maps = 0;
	psi(f, WBASE, 5);
	dsi(f);
	global_inval(f);
	check_events(f, "nothing changed", 0, 0);
	for (unsigned p = 8; p < 16; p++)
		set_page(f, p, 0, 0);
	psi(f, WBASE, 4);
	check_view(f, "second run gone");
	check_events(f, "second run gone", 0, 1);
	assert_ivl(f, 0, 0, 7);
}

/* A 2 MiB leaf and the 4 KiB pages after it, GPA-contiguous, in one
 * invalidation: one mapping. Unmapping the small pages replaces it with
 * the 2 MiB part; a permission change of the leaf replaces that. */
static void test_large_page(void **state)
{
	struct fx *f = *state;

	set_big(f, 0, MiB(2), R | W);
	map_run(f, 512, 4, MiB(4), R | W);
	f->c.maps = 0;
	psi(f, WBASE, 10);
	check_view(f, "2M and 4 pages");
	check_events(f, "2M and 4 pages", 1, 0);
	assert_ivl(f, 0, 0, 515);
	for (unsigned p = 512; p < 516; p++)
		set_page(f, p, 0, 0);
	f->c.maps = 0;
	psi(f, WBASE + MiB(2), 2);
	check_view(f, "4 pages gone");
	check_events(f, "4 pages gone", 1, 1);
	assert_ivl(f, 0, 0, 511);
	set_big(f, 0, MiB(2), R);
	f->c.maps = f->c.unmaps = 0;
	psi(f, WBASE, 9);
	check_view(f, "2M read-only");
	check_events(f, "2M read-only", 1, 1);
	/* A PSI inside the leaf: the leaf is clipped to the range, the rest of
	 * the old mapping keeps its translation until it is invalidated. */
	set_big(f, 0, MiB(6), R);
	f->c.maps = f->c.unmaps = 0;
	psi(f, WBASE + 8 * 4096, 3);
	check_events(f, "PSI inside 2M", 3, 1);
	assert_ivl(f, 0, 0, 7);
	assert_ivl(f, 8, 8, 15);
	assert_ivl(f, 16, 16, 511);
	psi(f, WBASE, 9);
	check_view(f, "2M moved");
}

/* A walk cut short by its budget: what it read is mapped, the rest of the
 * range is dropped (no stale translation survives an invalidation); a
 * full walk maps it again. */
static void test_budget_cut(void **state)
{
	struct fx *f = *state;

	map_run(f, 0, 64, DATA, R | W);
	psi(f, WBASE, 6);
	assert_ivl(f, 0, 0, 63);
	set_page(f, 40, DATA + MiB(1), R | W); /* a change the cut walk misses */
	/* A DSI reads PML4[0], PDPT[0], PDPT[1], PD[0], then PT[0..15]. */
	f->v->replay_budget = 4 + 16;
	f->c.maps = f->c.unmaps = 0;
	dsi(f);
	check_events(f, "cut short", 1, 1);
	assert_ivl(f, 0, 0, 15);
	for (unsigned p = 16; p < NPG; p++)
		assert_int_equal(f->c.owner[p], 0);
	f->v->replay_budget = 0;
	f->c.maps = f->c.unmaps = 0;
	dsi(f);
	check_view(f, "full walk");
	check_events(f, "full walk", 3, 0);
	assert_ivl(f, 16, 16, 39);
	assert_ivl(f, 40, 40, 40);
	assert_ivl(f, 41, 41, 63);
}

/* A run stays inside one RAM region (the host maps one region's memory
 * at a time): GPA-contiguous pages across two regions are two mappings,
 * and pages that are not RAM are mapped one leaf each. */
static void test_ram_regions(void **state)
{
	struct fx *f = *state;
	uint8_t *second = calloc(1, MiB(1));

	assert_non_null(second);
	f->mem.r[1] = (struct mem_region){gpa(VRAM), MiB(1), second};
	f->mem.nr = 2;
	map_run(f, 0, 4, VRAM - 2 * 4096, R | W);
	f->c.maps = 0;
	psi(f, WBASE, 2);
	check_view(f, "across two regions");
	check_events(f, "across two regions", 2, 0);
	assert_ivl(f, 0, 0, 1);
	assert_ivl(f, 2, 2, 3);
	map_run(f, 8, 3, 0xfe000000ull, R | W);
	f->c.maps = 0;
	psi(f, WBASE + 8 * 4096, 2);
	check_view(f, "not RAM");
	check_events(f, "not RAM", 3, 0);
	f->mem.nr = 1;
	free(second);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_cut_through, setup, teardown),
		cmocka_unit_test_setup_teardown(test_neighbour_untouched, setup, teardown),
		cmocka_unit_test_setup_teardown(test_large_page, setup, teardown),
		cmocka_unit_test_setup_teardown(test_budget_cut, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ram_regions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_random_fixed_seed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_random_seed, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
