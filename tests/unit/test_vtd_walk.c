// SPDX-License-Identifier: MIT
/* Unit tests for the VT-d table walker (devices/vtd/walk.c) over fake guest
 * memory: root and context entries (present, reserved bits, AW against
 * SAGAW, translation types, FPD), second-level walks of 3 and 4 levels, 2 MiB
 * and 1 GiB pages, R/W at every level, reserved bits, addresses beyond the
 * AGAW, tables outside RAM, tables that point to themselves, and the
 * bounded range walk of caching mode. */
#include "tests/unit/vtd_fixture.h"

struct fx {
	struct guest_mem mem;
	struct vtd_ctx ctx;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	mem_init(&f->mem);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	free(f->mem.r[0].host);
	free(f);
	return 0;
}

static unsigned ctx(struct fx *f, unsigned aw_bits, uint64_t sagaw)
{
	return vtd_ctx_read(&f->mem, aw_bits, sagaw, ROOT, RID, &f->ctx);
}

static unsigned walk(struct fx *f, uint64_t a, unsigned access, struct vtd_leaf *l)
{
	return vtd_walk(&f->mem, 48, &f->ctx, a, access, l);
}

static void test_context_entries(void **state)
{
	struct fx *f = *state;

	assert_int_equal(ctx(f, 48, SAGAW_ALL), VTD_FR_ROOT_NP);
	put64(&f->mem, ROOT, CTXT | 1);
	assert_int_equal(ctx(f, 48, SAGAW_ALL), VTD_FR_CTX_NP);
	ctx_set(&f->mem, RID, 2, DID, 0, false);
	assert_int_equal(ctx(f, 48, SAGAW_ALL), 0);
	assert_int_equal(f->ctx.did, DID);
	assert_int_equal(f->ctx.levels, 4);
	assert_int_equal(f->ctx.slptptr, PML4);
	/* 4 levels where only 39-bit is supported; AW 3 (5 levels). */
	assert_int_equal(ctx(f, 39, VTD_CAP_SAGAW_39), VTD_FR_CTX_INV);
	ctx_set(&f->mem, RID, 3, DID, 0, false);
	assert_int_equal(ctx(f, 48, SAGAW_ALL), VTD_FR_CTX_INV);
	ctx_set(&f->mem, RID, 1, DID, 0, false);
	assert_int_equal(ctx(f, 39, VTD_CAP_SAGAW_39), 0);
	assert_int_equal(f->ctx.levels, 3);
	/* TT 1 needs device TLBs (no ECAP.DT), TT 3 is reserved; TT 2 passes. */
	ctx_set(&f->mem, RID, 2, DID, 1, false);
	assert_int_equal(ctx(f, 48, SAGAW_ALL), VTD_FR_CTX_INV);
	ctx_set(&f->mem, RID, 2, DID, 3, false);
	assert_int_equal(ctx(f, 48, SAGAW_ALL), VTD_FR_CTX_INV);
	ctx_set(&f->mem, RID, 0, DID, 2, true);
	assert_int_equal(ctx(f, 48, SAGAW_ALL), 0);
	assert_int_equal(f->ctx.tt, VTD_TT_PASS);
	assert_true(f->ctx.fpd);
	/* Reserved bits: context low 11:4, high 63:24, root 11:1 and its
	 * upper half; a pointer above the address width. */
	ctx_set(&f->mem, RID, 2, DID, 0, true);
	put64(&f->mem, CTXT + 16 * RID, PML4 | 0x10 | 3);
	assert_int_equal(ctx(f, 48, SAGAW_ALL), VTD_FR_CTX_RSVD);
	assert_true(f->ctx.fpd); /* FPD still reported: the fault is not recorded */
	ctx_set(&f->mem, RID, 2, DID, 0, false);
	put64(&f->mem, CTXT + 16 * RID + 8, 2 | 1ull << 30);
	assert_int_equal(ctx(f, 48, SAGAW_ALL), VTD_FR_CTX_RSVD);
	ctx_set(&f->mem, RID, 2, DID, 0, false);
	put64(&f->mem, ROOT + 8, 1);
	assert_int_equal(ctx(f, 48, SAGAW_ALL), VTD_FR_ROOT_RSVD);
	put64(&f->mem, ROOT + 8, 0);
	put64(&f->mem, ROOT, CTXT | 4 | 1);
	assert_int_equal(ctx(f, 48, SAGAW_ALL), VTD_FR_ROOT_RSVD);
	put64(&f->mem, ROOT, (1ull << 40) | 1);
	assert_int_equal(ctx(f, 39, SAGAW_ALL), VTD_FR_ROOT_RSVD);
	/* Tables outside RAM. */
	put64(&f->mem, ROOT, GiB(2) | 1);
	assert_int_equal(ctx(f, 48, SAGAW_ALL), VTD_FR_CTX_PTR);
	assert_int_equal(vtd_ctx_read(&f->mem, 48, SAGAW_ALL, GiB(2), RID, &f->ctx),
			 VTD_FR_ROOT_PTR);
}

static void test_walk_levels(void **state)
{
	struct fx *f = *state;
	struct vtd_leaf l;
	const uint64_t a = 0x0000123456789000ull & ((1ull << 48) - 1);

	ctx_set(&f->mem, RID, 2, DID, 0, false);
	assert_int_equal(ctx(f, 48, SAGAW_ALL), 0);
	map4k(&f->mem, a, DATA + 0x3000, R | W);
	assert_int_equal(walk(f, a + 0x123, DMA_ACCESS_WRITE, &l), 0);
	assert_int_equal(l.iova, a);
	assert_int_equal(l.size, 0x1000);
	assert_int_equal(l.gpa, DATA + 0x3000);
	assert_int_equal(l.perm, DMA_ACCESS_READ | DMA_ACCESS_WRITE);
	/* Beyond the 48-bit AGAW. */
	assert_int_equal(walk(f, 1ull << 48, DMA_ACCESS_READ, &l), VTD_FR_BEYOND_AGAW);
	/* 3 levels: the table starts at the PDPT, the AGAW is 39 bits. */
	ctx_set(&f->mem, RID, 1, DID, 0, false);
	assert_int_equal(ctx(f, 39, VTD_CAP_SAGAW_39), 0);
	map4k(&f->mem, 0x7f001000, DATA, R);
	assert_int_equal(vtd_walk(&f->mem, 39, &f->ctx, 0x7f001000, DMA_ACCESS_READ, &l), 0);
	assert_int_equal(l.gpa, DATA);
	assert_int_equal(l.perm, DMA_ACCESS_READ);
	assert_int_equal(vtd_walk(&f->mem, 39, &f->ctx, 1ull << 39, DMA_ACCESS_READ, &l),
			 VTD_FR_BEYOND_AGAW);
}

static void test_walk_large_pages(void **state)
{
	struct fx *f = *state;
	struct vtd_leaf l;

	ctx_set(&f->mem, RID, 2, DID, 0, false);
	assert_int_equal(ctx(f, 48, SAGAW_ALL), 0);
	put64(&f->mem, PML4, PDPT | R | W);
	put64(&f->mem, PDPT, PD | R | W);
	put64(&f->mem, PD + 8, MiB(4) | PS | R | W); /* [2M, 4M) -> [4M, 6M) */
	assert_int_equal(walk(f, MiB(3) + 0x10, DMA_ACCESS_READ, &l), 0);
	assert_int_equal(l.iova, MiB(2));
	assert_int_equal(l.size, MiB(2));
	assert_int_equal(l.gpa, MiB(4));
	put64(&f->mem, PDPT + 8, GiB(2) | PS | R); /* [1G, 2G) -> [2G, 3G) */
	assert_int_equal(walk(f, GiB(1) + 5, DMA_ACCESS_READ, &l), 0);
	assert_int_equal(l.size, GiB(1));
	assert_int_equal(l.gpa, GiB(2));
	assert_int_equal(walk(f, GiB(1), DMA_ACCESS_WRITE, &l), VTD_FR_WRITE);
	/* A large page's address bits below its size are reserved. */
	put64(&f->mem, PD + 8, (MiB(4) + 0x1000) | PS | R | W);
	assert_int_equal(walk(f, MiB(2), DMA_ACCESS_READ, &l), VTD_FR_PTE_RSVD);
	put64(&f->mem, PDPT + 8, (GiB(2) + MiB(2)) | PS | R);
	assert_int_equal(walk(f, GiB(1), DMA_ACCESS_READ, &l), VTD_FR_PTE_RSVD);
	/* No 512 GiB pages: PS in a PML4 entry is reserved. */
	put64(&f->mem, PML4, PDPT | PS | R | W);
	assert_int_equal(walk(f, 0, DMA_ACCESS_READ, &l), VTD_FR_PTE_RSVD);
}

static void test_walk_permissions_and_reserved(void **state)
{
	struct fx *f = *state;
	struct vtd_leaf l;

	ctx_set(&f->mem, RID, 2, DID, 0, false);
	assert_int_equal(ctx(f, 48, SAGAW_ALL), 0);
	map4k(&f->mem, 0x5000, DATA, R | W);
	/* Not present at each level: the reason follows the access. */
	put64(&f->mem, PT + 8 * 5, 0);
	assert_int_equal(walk(f, 0x5000, DMA_ACCESS_READ, &l), VTD_FR_READ);
	assert_int_equal(walk(f, 0x5000, DMA_ACCESS_WRITE, &l), VTD_FR_WRITE);
	map4k(&f->mem, 0x5000, DATA, R | W);
	put64(&f->mem, PD, 0);
	assert_int_equal(walk(f, 0x5000, DMA_ACCESS_READ, &l), VTD_FR_READ);
	/* A read-only upper level makes the leaf read-only. */
	map4k(&f->mem, 0x5000, DATA, R | W);
	put64(&f->mem, PDPT, PD | R);
	assert_int_equal(walk(f, 0x5000, DMA_ACCESS_WRITE, &l), VTD_FR_WRITE);
	assert_int_equal(walk(f, 0x5000, DMA_ACCESS_READ, &l), 0);
	assert_int_equal(l.perm, DMA_ACCESS_READ);
	/* Write-only: reads fault. */
	map4k(&f->mem, 0x5000, DATA, W);
	assert_int_equal(walk(f, 0x5000, DMA_ACCESS_READ, &l), VTD_FR_READ);
	assert_int_equal(walk(f, 0x5000, DMA_ACCESS_WRITE, &l), 0);
	/* Reserved: SNP (no ECAP.SC), address bits above the width; ignored
	 * bits 63 and 61:52 are fine. */
	map4k(&f->mem, 0x5000, DATA | 1ull << 11, R | W);
	assert_int_equal(walk(f, 0x5000, DMA_ACCESS_READ, &l), VTD_FR_PTE_RSVD);
	map4k(&f->mem, 0x5000, DATA | 1ull << 50, R | W);
	assert_int_equal(walk(f, 0x5000, DMA_ACCESS_READ, &l), VTD_FR_PTE_RSVD);
	map4k(&f->mem, 0x5000, DATA | 1ull << 63 | 1ull << 55, R | W);
	assert_int_equal(walk(f, 0x5000, DMA_ACCESS_READ, &l), 0);
	assert_int_equal(l.gpa, DATA);
	/* A table outside RAM. */
	put64(&f->mem, PD, GiB(3) | R | W);
	assert_int_equal(walk(f, 0x5000, DMA_ACCESS_READ, &l), VTD_FR_PTE_PTR);
}

static int count(void *o, const struct vtd_leaf *lf)
{
	(void)lf;
	(*(unsigned *)o)++;
	return 0;
}

static void test_walk_self_loop(void **state)
{
	struct fx *f = *state;
	struct vtd_leaf l;
	unsigned long budget = 10000;
	unsigned n = 0;

	ctx_set(&f->mem, RID, 2, DID, 0, false);
	assert_int_equal(ctx(f, 48, SAGAW_ALL), 0);
	/* Every PML4 entry points back at the PML4. */
	for (unsigned i = 0; i < 512; i++)
		put64(&f->mem, PML4 + 8 * i, PML4 | R | W);
	/* One read per level: the walk ends (the PML4 read as a PTE). */
	assert_int_equal(walk(f, 0x1000, DMA_ACCESS_READ, &l), 0);
	assert_int_equal(l.gpa, PML4);
	/* The range walk stops when its budget runs out. */
	assert_int_equal(
		vtd_walk_range(&f->mem, 48, &f->ctx, 0, (1ull << 48) - 1, &budget, count, &n), 0);
	assert_int_equal(budget, 0);
	assert_true(n > 0 && n < 10000);
}

static int collect(void *o, const struct vtd_leaf *l)
{
	struct vtd_leaf *out = o;

	while (out->size)
		out++;
	*out = *l;
	return 0;
}

static void test_walk_range(void **state)
{
	struct fx *f = *state;
	struct vtd_leaf got[8] = {0};
	unsigned long budget = 1u << 20;

	ctx_set(&f->mem, RID, 2, DID, 0, false);
	assert_int_equal(ctx(f, 48, SAGAW_ALL), 0);
	map4k(&f->mem, 0x3000, DATA, R);
	map4k(&f->mem, 0x4000, DATA + 0x1000, R | W);
	map4k(&f->mem, 0x9000, DATA + 0x2000, W);
	put64(&f->mem, PD + 8, MiB(4) | PS | R | W);
	/* [0x4000, 2 MiB + 1]: the page at 0x4000, 0x9000 and the 2 MiB page. */
	assert_int_equal(
		vtd_walk_range(&f->mem, 48, &f->ctx, 0x4000, MiB(2) + 1, &budget, collect, got), 0);
	assert_int_equal(got[0].iova, 0x4000);
	assert_int_equal(got[0].perm, DMA_ACCESS_READ | DMA_ACCESS_WRITE);
	assert_int_equal(got[1].iova, 0x9000);
	assert_int_equal(got[1].perm, DMA_ACCESS_WRITE);
	assert_int_equal(got[2].iova, MiB(2));
	assert_int_equal(got[2].size, MiB(2));
	assert_int_equal(got[3].size, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_context_entries, setup, teardown),
		cmocka_unit_test_setup_teardown(test_walk_levels, setup, teardown),
		cmocka_unit_test_setup_teardown(test_walk_large_pages, setup, teardown),
		cmocka_unit_test_setup_teardown(test_walk_permissions_and_reserved, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_walk_self_loop, setup, teardown),
		cmocka_unit_test_setup_teardown(test_walk_range, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
