// SPDX-License-Identifier: MIT
/* Unit tests for translation in the IOMMU core: results (GPA, bytes to the
 * end of the mapping, permissions), faults, the IOTLB as seen through the
 * core (hit after miss, unmap seen by the very next translation, no cached
 * faults, exact invalidation, flush on domain free, sharing within a
 * domain), dma_as generations, and the whole DMA path through dma_read /
 * dma_write with the fault handler. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "iommu/iommu.h"

#define RID_A 0x0008
#define RID_B 0x0010
#define RW    (IOMMU_MAP_READ | IOMMU_MAP_WRITE)
#define PG    0x1000ull
#define RAM   MiB(1)

struct fixture {
	struct iommu *io;
	struct guest_mem mem;
	struct dma_as as[2];
	struct dma_fault faults[8];
	uint16_t fault_rid[8];
	unsigned nfaults;
};

static void on_fault(void *opaque, uint16_t rid, const struct dma_fault *f)
{
	struct fixture *fx = opaque;

	if (fx->nfaults < 8) {
		fx->faults[fx->nfaults] = *f;
		fx->fault_rid[fx->nfaults] = rid;
	}
	fx->nfaults++;
}

static int setup(void **state)
{
	struct iommu_config c = {
		.page_size_mask = PG | MiB(2),
		.input_last = ~0ull,
		.domain_first = 1,
		.domain_last = 100,
	};
	struct fixture *fx = calloc(1, sizeof(*fx));

	if (!fx || iommu_create(&c, &fx->io))
		return -1;
	fx->mem.r[0] = (struct mem_region){gpa(0), RAM, calloc(1, RAM)};
	fx->mem.nr = 1;
	fx->mem.ram_size = RAM;
	dma_as_init(&fx->as[0], RID_A, &fx->mem);
	dma_as_init(&fx->as[1], RID_B, &fx->mem);
	if (!fx->mem.r[0].host || iommu_endpoint_add(fx->io, RID_A, &fx->as[0]) ||
	    iommu_endpoint_add(fx->io, RID_B, &fx->as[1]))
		return -1;
	iommu_set_fault_handler(fx->io, on_fault, fx);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	iommu_destroy(fx->io);
	free(fx->mem.r[0].host);
	free(fx);
	return 0;
}

static int map(struct iommu *io, uint32_t d, uint64_t first, uint64_t size, uint64_t g, unsigned f)
{
	return iommu_map(io, d, iova(first), iova(first + size - 1), gpa(g), f);
}

static int xl(struct fixture *fx, uint16_t rid, uint64_t a, unsigned acc, struct dma_xlate *x,
	      struct dma_fault *f)
{
	return iommu_translate(fx->io, rid, iova(a), acc, x, f);
}

static void test_translate_results(void **state)
{
	struct fixture *fx = *state;
	struct dma_xlate x;
	struct dma_fault f;

	assert_int_equal(iommu_attach(fx->io, 1, RID_A, 0), 0);
	assert_int_equal(map(fx->io, 1, MiB(4), MiB(2), MiB(64), RW), 0);
	assert_int_equal(map(fx->io, 1, MiB(6), PG, 0x3000, IOMMU_MAP_READ), 0);
	assert_int_equal(map(fx->io, 1, ~0ull - PG + 1, PG, 0x9000, IOMMU_MAP_WRITE), 0);
	assert_int_equal(xl(fx, RID_A, MiB(4), DMA_ACCESS_READ, &x, &f), 0);
	assert_int_equal(x.gpa.a, MiB(64));
	assert_int_equal(x.len, MiB(2)); /* to the end of the mapping, not the page */
	assert_int_equal(x.perm, DMA_ACCESS_READ | DMA_ACCESS_WRITE);
	assert_int_equal(xl(fx, RID_A, MiB(6) - 1, DMA_ACCESS_WRITE, &x, &f), 0);
	assert_int_equal(x.gpa.a, MiB(66) - 1);
	assert_int_equal(x.len, 1);
	/* The adjacent mapping is separate: its own GPA and length. */
	assert_int_equal(xl(fx, RID_A, MiB(6) + 0x10, DMA_ACCESS_READ, &x, &f), 0);
	assert_int_equal(x.gpa.a, 0x3010);
	assert_int_equal(x.len, PG - 0x10);
	assert_int_equal(x.perm, DMA_ACCESS_READ);
	/* The last page of the 64-bit space. */
	assert_int_equal(xl(fx, RID_A, ~0ull, DMA_ACCESS_WRITE, &x, &f), 0);
	assert_int_equal(x.gpa.a, 0x9fff);
	assert_int_equal(x.len, 1);
	/* Identity: the rest of the space. */
	assert_int_equal(iommu_attach(fx->io, 2, RID_B, IOMMU_ATTACH_BYPASS), 0);
	assert_int_equal(xl(fx, RID_B, 0x1234, DMA_ACCESS_WRITE, &x, &f), 0);
	assert_int_equal(x.gpa.a, 0x1234);
	assert_int_equal(x.len, 0 - 0x1234ull);
}

static void test_faults(void **state)
{
	struct fixture *fx = *state;
	struct dma_xlate x;
	struct dma_fault f;

	assert_int_equal(xl(fx, RID_A, 0x5000, DMA_ACCESS_READ, &x, &f), -EFAULT);
	assert_int_equal(f.reason, DMA_FAULT_BLOCKED); /* detached, bypass off */
	assert_int_equal(xl(fx, 0x4242, 0x5000, DMA_ACCESS_READ, &x, &f), -EFAULT);
	assert_int_equal(f.reason, DMA_FAULT_BLOCKED); /* not behind this IOMMU */
	assert_int_equal(iommu_attach(fx->io, 1, RID_A, 0), 0);
	assert_int_equal(map(fx->io, 1, 0x10000, PG, 0x3000, IOMMU_MAP_READ), 0);
	assert_int_equal(map(fx->io, 1, 0x11000, PG, 0x4000, IOMMU_MAP_WRITE), 0);
	assert_int_equal(xl(fx, RID_A, 0x12008, DMA_ACCESS_READ, &x, &f), -EFAULT);
	assert_int_equal(f.reason, DMA_FAULT_UNMAPPED);
	assert_int_equal(f.iova.a, 0x12008);
	assert_int_equal(f.access, DMA_ACCESS_READ);
	for (int pass = 0; pass < 2; pass++) { /* the walk, then the IOTLB hit */
		assert_int_equal(xl(fx, RID_A, 0x10004, DMA_ACCESS_WRITE, &x, &f), -EFAULT);
		assert_int_equal(f.reason, DMA_FAULT_PERM);
		assert_int_equal(f.iova.a, 0x10004);
		assert_int_equal(f.access, DMA_ACCESS_WRITE);
		assert_int_equal(xl(fx, RID_A, 0x11004, DMA_ACCESS_READ, &x, &f), -EFAULT);
		assert_int_equal(f.reason, DMA_FAULT_PERM);
		assert_int_equal(xl(fx, RID_A, 0x10004, DMA_ACCESS_READ, &x, &f), 0);
		assert_int_equal(xl(fx, RID_A, 0x11004, DMA_ACCESS_WRITE, &x, &f), 0);
	}
	assert_int_equal(fx->nfaults, 0); /* iommu_translate does not report */
}

static void test_iotlb_hit_after_miss(void **state)
{
	struct fixture *fx = *state;
	struct dma_xlate x;
	struct dma_fault f;

	assert_int_equal(iommu_attach(fx->io, 1, RID_A, 0), 0);
	assert_int_equal(map(fx->io, 1, 0x40000, 4 * PG, 0x80000, RW), 0);
	assert_false(iommu_iotlb_cached(fx->io, RID_A, iova(0x41000)));
	assert_int_equal(xl(fx, RID_A, 0x41010, DMA_ACCESS_READ, &x, &f), 0);
	assert_true(iommu_iotlb_cached(fx->io, RID_A, iova(0x41000)));
	assert_false(iommu_iotlb_cached(fx->io, RID_A, iova(0x42000))); /* per page */
	/* The hit gives what the walk gave. */
	assert_int_equal(xl(fx, RID_A, 0x41ff0, DMA_ACCESS_READ, &x, &f), 0);
	assert_int_equal(x.gpa.a, 0x81ff0);
	assert_int_equal(x.len, 0x44000 - 0x41ff0);
}

/* Cache, unmap, translate: the very next translation faults. */
static void test_unmap_seen_next(void **state)
{
	struct fixture *fx = *state;
	struct dma_xlate x;
	struct dma_fault f;

	assert_int_equal(iommu_attach(fx->io, 1, RID_A, 0), 0);
	for (int round = 0; round < 100; round++) {
		uint64_t a = 0x100000 + (uint64_t)(round % 7) * PG;

		assert_int_equal(map(fx->io, 1, a, PG, (uint64_t)round * PG, RW), 0);
		assert_int_equal(xl(fx, RID_A, a, DMA_ACCESS_READ, &x, &f), 0);
		assert_int_equal(x.gpa.a, (uint64_t)round * PG);
		assert_true(iommu_iotlb_cached(fx->io, RID_A, iova(a)));
		assert_int_equal(iommu_unmap(fx->io, 1, iova(a), iova(a + PG - 1)), 0);
		assert_int_equal(xl(fx, RID_A, a, DMA_ACCESS_READ, &x, &f), -EFAULT);
		assert_int_equal(f.reason, DMA_FAULT_UNMAPPED);
	}
}

static void test_never_caches_faults(void **state)
{
	struct fixture *fx = *state;
	struct dma_xlate x;
	struct dma_fault f;

	assert_int_equal(iommu_attach(fx->io, 1, RID_A, 0), 0);
	assert_int_equal(xl(fx, RID_A, 0x7000, DMA_ACCESS_READ, &x, &f), -EFAULT);
	assert_false(iommu_iotlb_cached(fx->io, RID_A, iova(0x7000)));
	assert_int_equal(map(fx->io, 1, 0x7000, PG, 0xa000, RW), 0);
	assert_int_equal(xl(fx, RID_A, 0x7000, DMA_ACCESS_READ, &x, &f), 0);
	assert_int_equal(x.gpa.a, 0xa000);
}

/* Unmapping one page leaves its neighbours (and other domains) cached. */
static void test_invalidation_exact(void **state)
{
	struct fixture *fx = *state;
	struct dma_xlate x;
	struct dma_fault f;

	assert_int_equal(iommu_attach(fx->io, 1, RID_A, 0), 0);
	assert_int_equal(iommu_attach(fx->io, 2, RID_B, 0), 0);
	for (uint64_t p = 0; p < 8; p++) {
		assert_int_equal(map(fx->io, 1, p * PG, PG, p * PG, RW), 0);
		assert_int_equal(map(fx->io, 2, p * PG, PG, p * PG, RW), 0);
		assert_int_equal(xl(fx, RID_A, p * PG, DMA_ACCESS_READ, &x, &f), 0);
		assert_int_equal(xl(fx, RID_B, p * PG, DMA_ACCESS_READ, &x, &f), 0);
	}
	assert_int_equal(iommu_unmap(fx->io, 1, iova(3 * PG), iova(4 * PG - 1)), 0);
	for (uint64_t p = 0; p < 8; p++) {
		assert_true(iommu_iotlb_cached(fx->io, RID_A, iova(p * PG)) == (p != 3));
		assert_true(iommu_iotlb_cached(fx->io, RID_B, iova(p * PG)));
	}
}

/* A freed domain's entries go; a new domain with the same ID starts cold. */
static void test_domain_free_flushes(void **state)
{
	struct fixture *fx = *state;
	struct dma_xlate x;
	struct dma_fault f;

	assert_int_equal(iommu_attach(fx->io, 1, RID_A, 0), 0);
	assert_int_equal(map(fx->io, 1, 0x5000, PG, 0x6000, RW), 0);
	assert_int_equal(xl(fx, RID_A, 0x5000, DMA_ACCESS_READ, &x, &f), 0);
	assert_int_equal(iommu_detach(fx->io, 1, RID_A), 0);
	assert_int_equal(iommu_attach(fx->io, 1, RID_A, 0), 0);
	assert_false(iommu_iotlb_cached(fx->io, RID_A, iova(0x5000)));
	assert_int_equal(xl(fx, RID_A, 0x5000, DMA_ACCESS_READ, &x, &f), -EFAULT);
	/* Moving to another domain: that domain's view at once. */
	assert_int_equal(map(fx->io, 1, 0x5000, PG, 0x8000, RW), 0);
	assert_int_equal(xl(fx, RID_A, 0x5000, DMA_ACCESS_READ, &x, &f), 0);
	assert_int_equal(iommu_attach(fx->io, 3, RID_A, 0), 0);
	assert_int_equal(xl(fx, RID_A, 0x5000, DMA_ACCESS_READ, &x, &f), -EFAULT);
}

/* Endpoints of one domain share its IOTLB entries. */
static void test_shared_domain(void **state)
{
	struct fixture *fx = *state;
	struct dma_xlate x;
	struct dma_fault f;

	assert_int_equal(iommu_attach(fx->io, 1, RID_A, 0), 0);
	assert_int_equal(iommu_attach(fx->io, 1, RID_B, 0), 0);
	assert_int_equal(map(fx->io, 1, 0x5000, PG, 0x6000, RW), 0);
	assert_int_equal(xl(fx, RID_A, 0x5000, DMA_ACCESS_READ, &x, &f), 0);
	assert_true(iommu_iotlb_cached(fx->io, RID_B, iova(0x5000)));
	assert_int_equal(iommu_detach(fx->io, 1, RID_A), 0);
	assert_true(iommu_iotlb_cached(fx->io, RID_B, iova(0x5000))); /* domain lives */
	assert_false(iommu_iotlb_cached(fx->io, RID_A, iova(0x5000)));
}

static void test_generations(void **state)
{
	struct fixture *fx = *state;
	uint64_t a0 = dma_as_gen(&fx->as[0]), b0 = dma_as_gen(&fx->as[1]);

	assert_int_equal(iommu_attach(fx->io, 1, RID_A, 0), 0);
	assert_true(dma_as_gen(&fx->as[0]) > a0);
	a0 = dma_as_gen(&fx->as[0]);
	assert_int_equal(map(fx->io, 1, 0x5000, PG, 0x6000, RW), 0);
	assert_int_equal(iommu_unmap(fx->io, 1, iova(0x9000), iova(0x9fff)), 0); /* a hole */
	assert_int_equal(dma_as_gen(&fx->as[0]), a0);
	assert_int_equal(iommu_unmap(fx->io, 1, iova(0x5000), iova(0x5fff)), 0);
	assert_true(dma_as_gen(&fx->as[0]) > a0);
	a0 = dma_as_gen(&fx->as[0]);
	assert_int_equal(iommu_detach(fx->io, 1, RID_A), 0);
	assert_true(dma_as_gen(&fx->as[0]) > a0);
	assert_int_equal(dma_as_gen(&fx->as[1]), b0); /* B was never touched */
}

/* dma_read/dma_write through the core's translator, faults to the handler. */
static void test_dma_path(void **state)
{
	struct fixture *fx = *state;
	uint8_t buf[2 * PG], back[2 * PG];
	uint8_t *ram = fx->mem.r[0].host;

	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i * 7);
	assert_int_equal(dma_write(&fx->as[0], iova(0x10000), buf, 1), -EFAULT);
	assert_int_equal(fx->nfaults, 1);
	assert_int_equal(fx->fault_rid[0], RID_A);
	assert_int_equal(fx->faults[0].reason, DMA_FAULT_BLOCKED);
	assert_int_equal(iommu_attach(fx->io, 1, RID_A, 0), 0);
	/* Two IOVA-contiguous pages on scattered GPAs. */
	assert_int_equal(map(fx->io, 1, 0x10000, PG, 0x30000, RW), 0);
	assert_int_equal(map(fx->io, 1, 0x11000, PG, 0x20000, RW), 0);
	assert_int_equal(dma_write(&fx->as[0], iova(0x10000), buf, sizeof(buf)), 0);
	assert_memory_equal(ram + 0x30000, buf, PG);
	assert_memory_equal(ram + 0x20000, buf + PG, PG);
	assert_int_equal(dma_read(&fx->as[0], iova(0x10000), back, sizeof(back)), 0);
	assert_memory_equal(back, buf, sizeof(buf));
	/* One byte past the mapped range faults, and is reported for A. */
	assert_int_equal(dma_read(&fx->as[0], iova(0x10001), back, sizeof(back)), -EFAULT);
	assert_int_equal(fx->nfaults, 2);
	assert_int_equal(fx->faults[1].reason, DMA_FAULT_UNMAPPED);
	assert_int_equal(fx->faults[1].iova.a, 0x12000);
	/* Read-only mapping, device write. */
	assert_int_equal(map(fx->io, 1, 0x12000, PG, 0x40000, IOMMU_MAP_READ), 0);
	assert_int_equal(dma_write(&fx->as[0], iova(0x12000), buf, 4), -EFAULT);
	assert_int_equal(fx->faults[2].reason, DMA_FAULT_PERM);
	/* The translator is removed by destroy (teardown): check it is set. */
	assert_non_null(atomic_load(&fx->as[0].xl));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_translate_results, setup, teardown),
		cmocka_unit_test_setup_teardown(test_faults, setup, teardown),
		cmocka_unit_test_setup_teardown(test_iotlb_hit_after_miss, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unmap_seen_next, setup, teardown),
		cmocka_unit_test_setup_teardown(test_never_caches_faults, setup, teardown),
		cmocka_unit_test_setup_teardown(test_invalidation_exact, setup, teardown),
		cmocka_unit_test_setup_teardown(test_domain_free_flushes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_shared_domain, setup, teardown),
		cmocka_unit_test_setup_teardown(test_generations, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dma_path, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
