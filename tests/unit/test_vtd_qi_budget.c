// SPDX-License-Identifier: MIT
/* Unit tests for the invalidation queue's budget (devices/vtd/qi.c): under
 * caching mode every IOTLB invalidation walks the guest's tables again, so
 * one IQT write of a full queue of domain-selective (or global)
 * invalidations over a large mapped range could read descriptors x domains
 * x 2^20 page-table entries in one register access, holding the unit's
 * locks. The queue now does at most a budget of work per register access
 * and goes on at the guest's next access to the unit (Linux reads FSTS in
 * its wait loop), IQH showing its progress. These tests count the entries
 * the walks read in one MMIO call (vtd.walk_work), spin as Linux's
 * qi_submit_sync does (the wait status in memory, FSTS read each turn), and
 * check that the end state is what an unbounded run gives. With
 * VTD_QI_MEASURE=1 in the environment, test_worst_case also prints the
 * longest MMIO call for the worst queue built here (docs/architecture.md). */
#include "tests/unit/vtd_fixture.h"

#include <stdio.h>
#include <time.h>

#define QUEUE	0x20000ull /* the queue: QS 1, 512 descriptors (8 KiB) */
#define QSIZE	512u
#define STATUS	0x30000ull  /* wait descriptor status */
#define PTS	0x200000ull /* NPT page tables under PD[0..NPT-1] */
#define NPT	64u
#define LEAVES	0x400000ull		/* every PT maps these 2 MiB */
#define DSI_RDS (3 * 512u + NPT * 512u) /* entries one DSI reads */
#define HOLD	(1ul << 16)
#define EXIT	(1ul << 18)
#define NEPS	32u
#define SPINS	100000u /* a generous bound on the FSTS reads to completion */

#define WAIT_SW(data) ((uint64_t)(data) << 32 | BIT_ULL(5) | 5)
#define DSI(did)      (2 | (uint64_t)DMA_TLB_DSI << 4 | (uint64_t)(did) << 16)
#define PSI(did)      (2 | (uint64_t)DMA_TLB_PSI << 4 | (uint64_t)(did) << 16)
#define GLOBAL	      (2 | (uint64_t)DMA_TLB_GLOBAL << 4)
#define CC_GLOBAL     (1 | 1 << 4)

struct fx {
	struct guest_mem mem;
	struct vtd *v;
	struct dma_as as[NEPS];
	struct fake_msi msi;
	unsigned tail;
	uint64_t max_work;   /* entries read by one MMIO call, at most */
	double max_ns;	     /* the longest MMIO call */
	bool in_other;	     /* other_vcpu() is running */
	uint64_t other_work; /* entries read by other_vcpu() */
};

static void wr(struct fx *f, unsigned off, unsigned size, uint64_t val)
{
	uint64_t w0 = f->v->walk_work;
	struct timespec a, b;
	double ns;

	clock_gettime(CLOCK_MONOTONIC, &a);
	vtd_mmio_ops.write(f->v, off, size, val);
	clock_gettime(CLOCK_MONOTONIC, &b);
	ns = (double)(b.tv_sec - a.tv_sec) * 1e9 + (double)(b.tv_nsec - a.tv_nsec);
	f->max_ns = ns > f->max_ns ? ns : f->max_ns;
	f->max_work = MAX(f->max_work, f->v->walk_work - w0);
}

static uint64_t rd(struct fx *f, unsigned off, unsigned size)
{
	uint64_t w0 = f->v->walk_work, val;
	struct timespec a, b;
	double ns;

	clock_gettime(CLOCK_MONOTONIC, &a);
	val = vtd_mmio_ops.read(f->v, off, size);
	clock_gettime(CLOCK_MONOTONIC, &b);
	ns = (double)(b.tv_sec - a.tv_sec) * 1e9 + (double)(b.tv_nsec - a.tv_nsec);
	f->max_ns = ns > f->max_ns ? ns : f->max_ns;
	f->max_work = MAX(f->max_work, f->v->walk_work - w0);
	return val;
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
	for (unsigned i = 0; i < NEPS; i++) {
		dma_as_init(&f->as[i], (uint16_t)(RID + i), &f->mem);
		assert_int_equal(vtd_endpoint_add(f->v, (uint16_t)(RID + i), &f->as[i]), 0);
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	vtd_free(f->v);
	free(f->mem.r[0].host);
	free(f);
	return 0;
}

/* Endpoint i in domain DID + i (or all in DID), every one on the same
 * tables: PD[0..NPT-1] -> NPT page tables, each mapping LEAVES (a run of
 * 512 pages per table). Then translation and the queue (QS 1) on. */
static void tables(struct fx *f, unsigned neps, bool own_domains)
{
	for (unsigned i = 0; i < neps; i++)
		ctx_set(&f->mem, (uint16_t)(RID + i), 2, (uint16_t)(DID + (own_domains ? i : 0)), 0,
			false);
	put64(&f->mem, PML4, PDPT | R | W);
	put64(&f->mem, PDPT, PD | R | W);
	for (unsigned t = 0; t < NPT; t++) {
		put64(&f->mem, PD + 8 * t, (PTS + 4096ull * t) | R | W);
		for (unsigned p = 0; p < 512; p++)
			put64(&f->mem, PTS + 4096ull * t + 8 * p, (LEAVES + 4096ull * p) | R | W);
	}
	wr(f, DMAR_RTADDR_REG, 8, ROOT);
	wr(f, DMAR_GCMD_REG, 4, DMA_GCMD_SRTP);
	wr(f, DMAR_GCMD_REG, 4, DMA_GCMD_TE);
	wr(f, DMAR_IQT_REG, 8, 0);
	wr(f, DMAR_IQA_REG, 8, QUEUE | 1);
	wr(f, DMAR_GCMD_REG, 4, DMA_GCMD_TE | DMA_GCMD_QIE);
	assert_true(rd(f, DMAR_GSTS_REG, 4) & DMA_GSTS_QIES);
}

static void qd(struct fx *f, uint64_t lo, uint64_t hi)
{
	put64(&f->mem, QUEUE + 16ull * f->tail, lo);
	put64(&f->mem, QUEUE + 16ull * f->tail + 8, hi);
	f->tail = (f->tail + 1) % QSIZE;
}

/* Linux's qi_submit_sync: ring, then spin on the wait status in memory,
 * reading FSTS each turn (qi_check_fault). The number of FSTS reads. */
static unsigned submit_sync(struct fx *f, uint32_t token)
{
	unsigned n = 0;

	put64(&f->mem, STATUS, 0);
	qd(f, WAIT_SW(token), STATUS);
	wr(f, DMAR_IQT_REG, 8, f->tail << 4);
	while ((get64(&f->mem, STATUS) & 0xffffffff) != token) {
		assert_true(n++ < SPINS);
		assert_false(rd(f, DMAR_FSTS_REG, 4) & (DMA_FSTS_IQE | DMA_FSTS_ITE));
	}
	assert_int_equal(vtd_reg_get(f->v, DMAR_IQH_REG), f->tail << 4);
	return n;
}

/* Whether domain did maps the 2 MiB of page table t to g, one mapping. */
static void assert_window(struct fx *f, uint16_t did, unsigned t, uint64_t g)
{
	struct iova_mapping m;

	assert_true(iommu_domain_next(vtd_iommu(f->v), did, iova(MiB(2) * t), &m));
	assert_int_equal(m.first.a, MiB(2) * t);
	assert_int_equal(m.last.a, MiB(2) * t + MiB(2) - 1);
	assert_int_equal(m.gpa.a, g);
}

/* Whether domain did maps the whole window, one mapping per page table. */
static void assert_mapped(struct fx *f, uint16_t did)
{
	for (unsigned t = 0; t < NPT; t++)
		assert_window(f, did, t, LEAVES);
}

/* A queue of 500 domain-selective invalidations, each reading DSI_RDS
 * entries: the doorbell does at most a budget of them (IQH stops short of
 * IQT), and the guest's FSTS reads carry the rest out, each a bounded step;
 * every one of them is done, once. */
static void test_dsi_queue(void **state)
{
	struct fx *f = *state;
	uint64_t w0;
	unsigned n;

	tables(f, 1, false);
	f->v->qi_hold_budget = HOLD;
	f->v->qi_exit_budget = EXIT;
	for (unsigned i = 0; i < 500; i++)
		qd(f, DSI(DID), 0);
	w0 = f->v->walk_work;
	f->max_work = 0;
	n = submit_sync(f, 0x5a5a);
	assert_int_equal(f->v->walk_work - w0, 500ull * DSI_RDS);
	assert_true(n > 0); /* the doorbell did not do it all */
	assert_true(f->max_work <= EXIT + DSI_RDS);
	assert_mapped(f, DID);
	assert_false(vtd_reg_get(f->v, DMAR_FSTS_REG) & DMA_FSTS_IQE);
}

/* One global IOTLB invalidation over NEPS domains, and one context-cache
 * invalidation (which walks every domain too): each descriptor is cut
 * between two domains, IQH staying on it until it is done. */
static void test_global_split(void **state)
{
	struct fx *f = *state;
	uint64_t w0;

	tables(f, NEPS, true);
	f->v->qi_hold_budget = HOLD;
	f->v->qi_exit_budget = EXIT;
	w0 = f->v->walk_work;
	f->max_work = 0;
	qd(f, GLOBAL, 0);
	wr(f, DMAR_IQT_REG, 8, f->tail << 4);
	assert_int_equal(vtd_reg_get(f->v, DMAR_IQH_REG), 0); /* still on it */
	assert_true(f->v->walk_work - w0 <= EXIT + DSI_RDS);
	assert_true(submit_sync(f, 1) > 0);
	assert_int_equal(f->v->walk_work - w0, (uint64_t)NEPS * DSI_RDS);
	for (unsigned i = 0; i < NEPS; i++)
		assert_mapped(f, (uint16_t)(DID + i));
	w0 = f->v->walk_work;
	qd(f, CC_GLOBAL, 0);
	assert_true(submit_sync(f, 2) > 0);
	assert_int_equal(f->v->walk_work - w0, (uint64_t)NEPS * DSI_RDS);
	assert_true(f->max_work <= EXIT + DSI_RDS);
}

/* What a driver sees of a queue within its budget is unchanged: the
 * doorbell carries it all out, the wait status is written before the IQT
 * write returns. */
static void test_small_queue_at_once(void **state)
{
	struct fx *f = *state;

	tables(f, 1, false);
	qd(f, DSI(DID), 0);
	qd(f, PSI(DID), 0);
	qd(f, PSI(DID), MiB(2) | 9);
	assert_int_equal(submit_sync(f, 7), 0);
	assert_mapped(f, DID);
}

/* A queue cut short stays cut when the queue is turned off, and a new
 * queue starts clean; an interrupt entry cache invalidation and a wait
 * behind a budget stop still complete. */
static void test_requeue(void **state)
{
	struct fx *f = *state;

	tables(f, 1, false);
	f->v->qi_hold_budget = HOLD;
	f->v->qi_exit_budget = EXIT;
	for (unsigned i = 0; i < 100; i++)
		qd(f, DSI(DID), 0);
	qd(f, 4, 0); /* IEC, global */
	assert_true(submit_sync(f, 3) > 0);
	for (unsigned i = 0; i < 100; i++)
		qd(f, DSI(DID), 0);
	wr(f, DMAR_IQT_REG, 8, f->tail << 4);
	assert_int_not_equal(vtd_reg_get(f->v, DMAR_IQH_REG), f->tail << 4);
	wr(f, DMAR_GCMD_REG, 4, DMA_GCMD_TE); /* QIE off: the rest is not done */
	for (unsigned i = 0; i < 10; i++)
		(void)rd(f, DMAR_FSTS_REG, 4);
	f->tail = 0;
	wr(f, DMAR_IQT_REG, 8, 0);
	wr(f, DMAR_GCMD_REG, 4, DMA_GCMD_TE | DMA_GCMD_QIE);
	assert_int_equal(vtd_reg_get(f->v, DMAR_IQH_REG), 0);
	qd(f, PSI(DID), 0);
	assert_int_equal(submit_sync(f, 4), 0);
}

/* A global invalidation cut short at index 0 does not outlive its queue:
 * once the guest turns the queue off and on (IQH back to 0), or writes
 * IQA, a byte-identical descriptor at index 0 is a new invalidation, done
 * over every domain, not the rest of the old one (the domains that one
 * had done would keep mappings the guest changed since). */
static void requeue_same(struct fx *f, bool toggle_qie)
{
	tables(f, NEPS, true);
	f->v->qi_hold_budget = 1; /* a domain a pass */
	f->v->qi_exit_budget = 1; /* a pass an access */
	qd(f, GLOBAL, 0);
	wr(f, DMAR_IQT_REG, 8, f->tail << 4);
	for (unsigned i = 0; i < 3; i++)
		(void)rd(f, DMAR_FSTS_REG, 4);
	assert_int_equal(vtd_reg_get(f->v, DMAR_IQH_REG), 0); /* still on it */
	for (unsigned i = 0; i < 4; i++)
		assert_window(f, (uint16_t)(DID + i), 0, LEAVES); /* done */
	assert_false(iommu_domain_maps(vtd_iommu(f->v), DID + NEPS - 1, iova(0),
				       iova(VTD_IOVA_LAST))); /* not yet */
	f->tail = 0;
	if (toggle_qie) {
		wr(f, DMAR_GCMD_REG, 4, DMA_GCMD_TE); /* QIE off */
		wr(f, DMAR_IQT_REG, 8, 0);
		wr(f, DMAR_GCMD_REG, 4, DMA_GCMD_TE | DMA_GCMD_QIE);
	} else {
		wr(f, DMAR_IQT_REG, 8, 0);
		wr(f, DMAR_IQA_REG, 8, QUEUE | 1);
	}
	assert_int_equal(vtd_reg_get(f->v, DMAR_IQH_REG), 0);
	/* Page table 0 (every domain's) now maps the 2 MiB above LEAVES. */
	for (unsigned p = 0; p < 512; p++)
		put64(&f->mem, PTS + 8 * p, (LEAVES + MiB(2) + 4096ull * p) | R | W);
	qd(f, GLOBAL, 0);
	(void)submit_sync(f, 6);
	for (unsigned i = 0; i < NEPS; i++) {
		assert_window(f, (uint16_t)(DID + i), 0, LEAVES + MiB(2));
		for (unsigned t = 1; t < NPT; t++)
			assert_window(f, (uint16_t)(DID + i), t, LEAVES);
	}
}

static void test_requeue_same_qie(void **state)
{
	requeue_same(*state, true);
}

static void test_requeue_same_iqa(void **state)
{
	requeue_same(*state, false);
}

/* The notify hook standing for another vCPU: between two passes of an
 * access (no lock held), it reads FSTS, which runs passes of its own;
 * the entries those read are counted apart. */
static void other_vcpu(void *opaque)
{
	struct fx *f = opaque;
	uint64_t w0 = f->v->walk_work;

	if (f->in_other)
		return;
	f->in_other = true;
	(void)vtd_mmio_ops.read(f->v, DMAR_FSTS_REG, 4);
	f->in_other = false;
	f->other_work += f->v->walk_work - w0;
}

/* An access's budget is its own: another vCPU's access between two of its
 * passes (here each pass ends after an interrupt entry cache invalidation,
 * so the re-route between passes lets the other vCPU in) neither eats into
 * it nor gives it a fresh one. */
static void test_budget_per_access(void **state)
{
	struct fx *f = *state;
	uint64_t w0;

	tables(f, 1, false);
	f->v->qi_hold_budget = DSI_RDS;	    /* a DSI a pass */
	f->v->qi_exit_budget = 4 * DSI_RDS; /* four passes an access */
	vtd_ir_set_notify(f->v, other_vcpu, f);
	for (unsigned i = 0; i < 100; i++) {
		qd(f, DSI(DID), 0);
		qd(f, 4, 0); /* IEC, global */
	}
	w0 = f->v->walk_work;
	wr(f, DMAR_IQT_REG, 8, f->tail << 4);
	assert_true(f->other_work > 0); /* the other vCPU got in */
	assert_true(f->v->walk_work - w0 - f->other_work <= 5 * DSI_RDS);
	assert_int_not_equal(vtd_reg_get(f->v, DMAR_IQH_REG), f->tail << 4);
	vtd_ir_set_notify(f->v, NULL, NULL);
	(void)submit_sync(f, 8);
	assert_int_equal(f->v->walk_work - w0, 100ull * DSI_RDS);
	assert_mapped(f, DID);
}

/* The worst queue built here: every level of the tables aliased so that
 * the whole 2^48 space is mapped with 4 KiB pages of alternating
 * permissions (every leaf a run of its own), NEPS endpoints in domains of
 * their own, and global invalidations: each reads NEPS x 2^20 entries.
 * The longest MMIO call is printed (and bounded generously). */
static void test_worst_case(void **state)
{
	struct fx *f = *state;
	const char *env = getenv("VTD_QI_MEASURE");
	unsigned nglobal = env && *env == '1' ? 4 : 1, neps = env && *env == '1' ? NEPS : 4;
	uint64_t w0;

	tables(f, neps, true);
	for (unsigned i = 0; i < 512; i++) {
		put64(&f->mem, PML4 + 8 * i, PDPT | R | W);
		put64(&f->mem, PDPT + 8 * i, PD | R | W);
		put64(&f->mem, PD + 8 * i, PT | R | W);
		put64(&f->mem, PT + 8 * i, (LEAVES + 4096ull * i) | R | (i & 1 ? W : 0));
	}
	f->max_work = 0;
	f->max_ns = 0;
	w0 = f->v->walk_work;
	for (unsigned i = 0; i < nglobal; i++)
		qd(f, GLOBAL, 0);
	(void)submit_sync(f, 9);
	printf("# worst case: %u global x %u domains, %llu entries read; longest MMIO call "
	       "%.1f ms, %llu entries\n",
	       nglobal, neps, (unsigned long long)(f->v->walk_work - w0), f->max_ns / 1e6,
	       (unsigned long long)f->max_work);
	assert_true(f->max_work <= VTD_QI_EXIT_BUDGET + VTD_REPLAY_BUDGET);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_dsi_queue, setup, teardown),
		cmocka_unit_test_setup_teardown(test_global_split, setup, teardown),
		cmocka_unit_test_setup_teardown(test_small_queue_at_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_requeue, setup, teardown),
		cmocka_unit_test_setup_teardown(test_requeue_same_qie, setup, teardown),
		cmocka_unit_test_setup_teardown(test_requeue_same_iqa, setup, teardown),
		cmocka_unit_test_setup_teardown(test_budget_per_access, setup, teardown),
		cmocka_unit_test_setup_teardown(test_worst_case, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
