// SPDX-License-Identifier: MIT
/* Unit tests for the IOMMU core's miss handler (iommu_set_miss_handler) and
 * iommu_unmap_overlap: a miss or a block calls the handler outside the lock,
 * which may attach and map; its answer (a translation, or a fault with its
 * code) is what the device sees; a fault is not cached. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>

#include "iommu/iommu.h"

#define RID 0x0008
#define PG  0x1000ull

struct fx {
	struct iommu *io;
	unsigned calls;
	int mode; /* 0: map the page at iova, 1: fault with code 0x42, 2: map nothing */
};

static int miss(void *opaque, uint16_t rid, iova_t a, unsigned access, struct dma_xlate *t,
		struct dma_fault *f)
{
	struct fx *x = opaque;
	uint64_t page = a.a & ~(PG - 1);

	assert_int_equal(rid, RID);
	x->calls++;
	if (x->mode == 1) {
		*f = (struct dma_fault){a, access, DMA_FAULT_UNMAPPED, 0x42};
		return -EFAULT;
	}
	if (x->mode == 0) {
		/* The core's lock is not held: attach and map work. */
		assert_int_equal(iommu_attach(x->io, 3, RID, 0), 0);
		assert_int_equal(iommu_map(x->io, 3, iova(page), iova(page + PG - 1),
					   gpa(0x100000 + page), IOMMU_MAP_READ),
				 0);
	}
	/* The answer stands, whatever the core holds now (mode 2: nothing). */
	t->gpa = gpa(0x100000 + a.a);
	t->len = page + PG - a.a;
	t->perm = DMA_ACCESS_READ;
	return 0;
}

static int setup(void **state)
{
	struct iommu_config c = {.page_size_mask = PG | 0x200000,
				 .input_last = (1ull << 48) - 1,
				 .domain_last = 0x10000};
	struct fx *x = calloc(1, sizeof(*x));

	assert_int_equal(iommu_create(&c, &x->io), 0);
	assert_int_equal(iommu_endpoint_add(x->io, RID, NULL), 0);
	iommu_set_miss_handler(x->io, miss, x);
	*state = x;
	return 0;
}

static int teardown(void **state)
{
	struct fx *x = *state;

	iommu_destroy(x->io);
	free(x);
	return 0;
}

static void test_miss_fills(void **state)
{
	struct fx *x = *state;
	struct dma_xlate t;
	struct dma_fault f;

	/* Detached, no bypass: the handler attaches and maps. */
	assert_int_equal(iommu_translate(x->io, RID, iova(0x5123), DMA_ACCESS_READ, &t, &f), 0);
	assert_int_equal(t.gpa.a, 0x105123);
	assert_int_equal(x->calls, 1);
	/* A hit: no call. */
	assert_int_equal(iommu_translate(x->io, RID, iova(0x5000), DMA_ACCESS_READ, &t, &f), 0);
	assert_int_equal(x->calls, 1);
	/* A permission fault is not a miss. */
	assert_int_equal(iommu_translate(x->io, RID, iova(0x5000), DMA_ACCESS_WRITE, &t, &f),
			 -EFAULT);
	assert_int_equal(f.reason, DMA_FAULT_PERM);
	assert_int_equal(f.code, 0);
	assert_int_equal(x->calls, 1);
	/* Another page of the domain: a miss. */
	assert_int_equal(iommu_translate(x->io, RID, iova(0x9000), DMA_ACCESS_READ, &t, &f), 0);
	assert_int_equal(x->calls, 2);
}

static void test_miss_faults(void **state)
{
	struct fx *x = *state;
	struct dma_xlate t;
	struct dma_fault f;

	x->mode = 1;
	assert_int_equal(iommu_translate(x->io, RID, iova(0x5000), DMA_ACCESS_READ, &t, &f),
			 -EFAULT);
	assert_int_equal(f.code, 0x42);
	assert_int_equal(x->calls, 1);
	/* Nothing cached: the next one asks again. */
	assert_int_equal(iommu_translate(x->io, RID, iova(0x5000), DMA_ACCESS_READ, &t, &f),
			 -EFAULT);
	assert_int_equal(x->calls, 2);
	/* A handler that caches nothing: its answer is used, and it is asked
	 * again next time. */
	x->mode = 2;
	assert_int_equal(iommu_translate(x->io, RID, iova(0x5010), DMA_ACCESS_READ, &t, &f), 0);
	assert_int_equal(t.gpa.a, 0x105010);
	assert_int_equal(t.len, PG - 0x10);
	assert_int_equal(iommu_translate(x->io, RID, iova(0x5010), DMA_ACCESS_READ, &t, &f), 0);
	assert_int_equal(x->calls, 4);
}

static void test_unmap_overlap(void **state)
{
	struct fx *x = *state;

	assert_int_equal(iommu_attach(x->io, 3, RID, 0), 0);
	assert_int_equal(
		iommu_map(x->io, 3, iova(0x200000), iova(0x3fffff), gpa(0x400000), IOMMU_MAP_READ),
		0);
	assert_int_equal(
		iommu_map(x->io, 3, iova(0x400000), iova(0x400fff), gpa(0), IOMMU_MAP_READ), 0);
	/* UNMAP refuses to split; an invalidation removes whole mappings. */
	assert_int_equal(iommu_unmap(x->io, 3, iova(0x300000), iova(0x300fff)), -ERANGE);
	/* The next mapping: the one containing the address, or the one above. */
	struct iova_mapping m;
	assert_true(iommu_domain_next(x->io, 3, iova(0x300000), &m));
	assert_int_equal(m.first.a, 0x200000);
	assert_true(iommu_domain_next(x->io, 3, iova(0x1000), &m));
	assert_int_equal(m.first.a, 0x200000);
	assert_true(iommu_domain_next(x->io, 3, iova(0x400000), &m));
	assert_int_equal(m.gpa.a, 0);
	assert_false(iommu_domain_next(x->io, 3, iova(0x401000), &m));
	assert_false(iommu_domain_next(x->io, 4, iova(0), &m));
	assert_int_equal(iommu_unmap_overlap(x->io, 3, iova(0x300000), iova(0x300fff)), 0);
	assert_false(iommu_domain_maps(x->io, 3, iova(0x200000), iova(0x3fffff)));
	assert_true(iommu_domain_maps(x->io, 3, iova(0x400000), iova(0x400fff)));
	assert_int_equal(iommu_unmap_overlap(x->io, 4, iova(0), iova(1)), -ENOENT);
	assert_int_equal(iommu_unmap_overlap(x->io, 3, iova(1), iova(0)), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_miss_fills, setup, teardown),
		cmocka_unit_test_setup_teardown(test_miss_faults, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unmap_overlap, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
