// SPDX-License-Identifier: MIT
/* Unit tests for the DMA API (iommu/dma.c) over a hand-built guest memory:
 * RAM at [0, 1 MiB) and [4 GiB, 4 GiB + 1 MiB), each with guard bytes on
 * both sides, and a fake page-table translator for the IOMMU cases. */
#include "dma_fixture.h"

#define RID    0x0108
#define GUARD  4096
#define NPAGES 128

struct fixture {
	struct guest_mem mem;
	uint8_t *buf[2]; /* region host memory with GUARD bytes each side */
	struct dma_as as;
	struct pte pt[NPAGES]; /* iova page i */
	struct dma_translator xl;
	struct dma_fault faults[16];
	uint16_t fault_rid;
	unsigned nfaults;
	unsigned ntranslate;
};

static int fake_translate(void *opaque, uint16_t rid, iova_t iova, unsigned access,
			  struct dma_xlate *x, struct dma_fault *f)
{
	struct fixture *fx = opaque;

	(void)rid;
	(void)access;
	fx->ntranslate++;
	return pt_translate(fx->pt, NPAGES, iova, x, f);
}

static void fake_fault(void *opaque, uint16_t rid, const struct dma_fault *f)
{
	struct fixture *fx = opaque;

	if (fx->nfaults < ARRAY_SIZE(fx->faults))
		fx->faults[fx->nfaults] = *f;
	fx->nfaults++;
	fx->fault_rid = rid;
}

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));

	if (!fx || fake_mem_init(&fx->mem, fx->buf, GUARD))
		return -1;
	dma_as_init(&fx->as, RID, &fx->mem);
	fx->xl = (struct dma_translator){fake_translate, fake_fault, fx};
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	fake_mem_free(fx->buf);
	free(fx);
	return 0;
}

/* All guard bytes of both regions are intact. */
static bool guards_intact(const struct fixture *fx)
{
	for (int i = 0; i < 2; i++)
		for (uint64_t j = 0; j < GUARD; j++)
			if (fx->buf[i][j] != GUARD_BYTE ||
			    fx->buf[i][GUARD + RAM_SIZE + j] != GUARD_BYTE)
				return false;
	return true;
}

static uint8_t *host(struct fixture *fx, int region, uint64_t off)
{
	return fx->buf[region] + GUARD + off;
}

static void map_page(struct fixture *fx, uint64_t iova_pg, uint64_t gpa_a, unsigned perm)
{
	fx->pt[iova_pg] = (struct pte){true, gpa_a, perm};
}

static void test_identity_boundaries(void **state)
{
	struct fixture *fx = *state;
	struct iovec iov[4];

	/* Last byte of each region. */
	assert_int_equal(dma_map(&fx->as, iova(RAM_SIZE - 1), 1, DMA_ACCESS_READ, iov, 4), 1);
	assert_ptr_equal(iov[0].iov_base, host(fx, 0, RAM_SIZE - 1));
	assert_int_equal(iov[0].iov_len, 1);
	assert_int_equal(
		dma_map(&fx->as, iova(HI_BASE + RAM_SIZE - 1), 1, DMA_ACCESS_WRITE, iov, 4), 1);
	assert_ptr_equal(iov[0].iov_base, host(fx, 1, RAM_SIZE - 1));
	/* A whole region is one iovec. */
	assert_int_equal(dma_map(&fx->as, iova(0), RAM_SIZE, RW, iov, 4), 1);
	assert_int_equal(iov[0].iov_len, RAM_SIZE);
	assert_int_equal(atomic_load(&fx->as.faults), 0);

	/* One past the end, across the hole, across the last region's end,
	 * inside the hole, far above RAM. */
	assert_int_equal(dma_map(&fx->as, iova(RAM_SIZE), 1, DMA_ACCESS_READ, iov, 4), -EFAULT);
	assert_int_equal(dma_map(&fx->as, iova(RAM_SIZE - 4), 8, DMA_ACCESS_READ, iov, 4), -EFAULT);
	assert_int_equal(dma_map(&fx->as, iova(HI_BASE + RAM_SIZE - 1), 2, DMA_ACCESS_READ, iov, 4),
			 -EFAULT);
	assert_int_equal(dma_map(&fx->as, iova(0xfec00000), 4, DMA_ACCESS_WRITE, iov, 4), -EFAULT);
	assert_int_equal(dma_map(&fx->as, iova(HI_BASE - 1), 2, DMA_ACCESS_READ, iov, 4), -EFAULT);
	assert_int_equal(dma_map(&fx->as, iova(GiB(64)), 1, DMA_ACCESS_READ, iov, 4), -EFAULT);
	/* 0xffffffff bytes from RAM: the rest is not RAM. */
	assert_int_equal(dma_map(&fx->as, iova(0x1000), 0xffffffffull, DMA_ACCESS_READ, iov, 4),
			 -EFAULT);
	assert_int_equal(atomic_load(&fx->as.faults), 7);
}

static void test_wraparound(void **state)
{
	struct fixture *fx = *state;
	struct iovec iov[4];

	dma_as_set_translator(&fx->as, &fx->xl);
	assert_int_equal(dma_map(&fx->as, iova(~0ull - 3), 8, DMA_ACCESS_READ, iov, 4), -EFAULT);
	assert_int_equal(fx->nfaults, 1);
	assert_int_equal(fx->faults[0].reason, DMA_FAULT_RANGE);
	assert_int_equal(fx->faults[0].iova.a, ~0ull - 3);
	assert_int_equal(fx->faults[0].access, DMA_ACCESS_READ);
	assert_int_equal(fx->fault_rid, RID);
	assert_int_equal(fx->ntranslate, 0); /* refused before translating */
	assert_int_equal(dma_map(&fx->as, iova(2), ~0ull, DMA_ACCESS_WRITE, iov, 4), -EFAULT);
	assert_int_equal(fx->faults[1].reason, DMA_FAULT_RANGE);

	/* Identity too: the last byte of the space does not wrap, it is
	 * simply not RAM; one more byte wraps. */
	dma_as_set_translator(&fx->as, NULL);
	assert_int_equal(dma_map(&fx->as, iova(~0ull), 1, DMA_ACCESS_READ, iov, 4), -EFAULT);
	assert_int_equal(dma_map(&fx->as, iova(~0ull), 2, DMA_ACCESS_READ, iov, 4), -EFAULT);
	uint8_t b[4];

	assert_int_equal(dma_read(&fx->as, iova(~0ull - 1), b, 4), -EFAULT);
	assert_true(guards_intact(fx));
}

static void test_zero_length(void **state)
{
	struct fixture *fx = *state;
	struct iovec iov[1] = {{(void *)1, 7}};

	/* Zero bytes need no translation, wherever they are. */
	assert_int_equal(dma_map(&fx->as, iova(0xfec00000), 0, RW, iov, 1), 0);
	assert_int_equal(dma_map(&fx->as, iova(~0ull), 0, RW, iov, 1), 0);
	assert_int_equal(dma_read(&fx->as, iova(0xfec00000), iov, 0), 0);
	assert_int_equal(dma_write(&fx->as, iova(0xfec00000), iov, 0), 0);
	assert_int_equal(atomic_load(&fx->as.faults), 0);
	assert_ptr_equal(iov[0].iov_base, (void *)1); /* untouched */
}

static void test_translator_remap_split(void **state)
{
	struct fixture *fx = *state;
	struct iovec iov[4];

	map_page(fx, 0, 5 * PAGE, RW);
	map_page(fx, 1, 2 * PAGE, RW);
	map_page(fx, 2, HI_BASE + 7 * PAGE, RW);
	dma_as_set_translator(&fx->as, &fx->xl);
	assert_int_equal(dma_map(&fx->as, iova(0x800), 2 * PAGE + 0x10, DMA_ACCESS_READ, iov, 4),
			 3);
	assert_ptr_equal(iov[0].iov_base, host(fx, 0, 5 * PAGE + 0x800));
	assert_int_equal(iov[0].iov_len, 0x800);
	assert_ptr_equal(iov[1].iov_base, host(fx, 0, 2 * PAGE));
	assert_int_equal(iov[1].iov_len, PAGE);
	assert_ptr_equal(iov[2].iov_base, host(fx, 1, 7 * PAGE));
	assert_int_equal(iov[2].iov_len, 0x810);

	/* Copies follow the translation. */
	uint8_t in[0x20], out[0x20];

	for (unsigned i = 0; i < sizeof(in); i++)
		in[i] = (uint8_t)(i + 1);
	assert_int_equal(dma_write(&fx->as, iova(PAGE - 0x10), in, sizeof(in)), 0);
	assert_memory_equal(host(fx, 0, 6 * PAGE - 0x10), in, 0x10);
	assert_memory_equal(host(fx, 0, 2 * PAGE), in + 0x10, 0x10);
	assert_int_equal(dma_read(&fx->as, iova(PAGE - 0x10), out, sizeof(out)), 0);
	assert_memory_equal(in, out, sizeof(in));
	assert_int_equal(fx->nfaults, 0);
	assert_true(guards_intact(fx));
}

static void test_translator_faults(void **state)
{
	struct fixture *fx = *state;
	struct iovec iov[4];
	uint8_t b[16] = {0};

	map_page(fx, 0, 0, DMA_ACCESS_READ); /* read-only */
	map_page(fx, 1, PAGE, RW);	     /* page 2 unmapped */
	map_page(fx, 3, RAM_SIZE, RW);	     /* translates past RAM */
	map_page(fx, 4, 0xfee00000, RW);     /* translates into MMIO */
	dma_as_set_translator(&fx->as, &fx->xl);

	assert_int_equal(dma_map(&fx->as, iova(0x10), 16, DMA_ACCESS_READ, iov, 4), 1);
	assert_int_equal(dma_write(&fx->as, iova(0x10), b, 16), -EFAULT);
	assert_int_equal(fx->faults[0].reason, DMA_FAULT_PERM);
	assert_int_equal(fx->faults[0].iova.a, 0x10);
	assert_int_equal(fx->faults[0].access, DMA_ACCESS_WRITE);
	assert_int_equal(dma_map(&fx->as, iova(PAGE + 8), PAGE, DMA_ACCESS_READ, iov, 4), -EFAULT);
	assert_int_equal(fx->faults[1].reason, DMA_FAULT_UNMAPPED);
	assert_int_equal(fx->faults[1].iova.a, 2 * PAGE); /* first bad byte */
	assert_int_equal(dma_read(&fx->as, iova(3 * PAGE), b, 1), -EFAULT);
	assert_int_equal(fx->faults[2].reason, DMA_FAULT_NOT_RAM);
	assert_int_equal(dma_read(&fx->as, iova(4 * PAGE + 4), b, 4), -EFAULT);
	assert_int_equal(fx->faults[3].reason, DMA_FAULT_NOT_RAM);
	assert_int_equal(dma_read(&fx->as, iova(GiB(1)), b, 4), -EFAULT);
	assert_int_equal(fx->faults[4].reason, DMA_FAULT_UNMAPPED);
	assert_int_equal(fx->nfaults, 5);
	assert_int_equal(atomic_load(&fx->as.faults), 5);
	assert_int_equal(fx->fault_rid, RID);
}

static void test_e2big(void **state)
{
	struct fixture *fx = *state;
	struct iovec iov[DMA_MAX_SEGS + 8];

	/* Every iova page on a non-adjacent gpa page: one iovec each. */
	for (uint64_t i = 0; i < NPAGES; i++)
		map_page(fx, i, (NPAGES - 1 - i) * 2 * PAGE, RW);
	dma_as_set_translator(&fx->as, &fx->xl);
	assert_int_equal(dma_map(&fx->as, iova(0), 3 * PAGE, RW, iov, 3), 3);
	assert_int_equal(dma_map(&fx->as, iova(0), 3 * PAGE, RW, iov, 2), -E2BIG);
	assert_int_equal(dma_map(&fx->as, iova(0), 1, RW, iov, 0), -E2BIG);
	assert_int_equal(dma_map(&fx->as, iova(0), DMA_MAX_SEGS * PAGE, RW, iov, ARRAY_SIZE(iov)),
			 DMA_MAX_SEGS);
	/* The cap holds even when the caller offers more room. */
	assert_int_equal(
		dma_map(&fx->as, iova(0), (DMA_MAX_SEGS + 1) * PAGE, RW, iov, ARRAY_SIZE(iov)),
		-E2BIG);
	assert_int_equal(fx->nfaults, 0); /* not a guest fault */
}

static void test_generation(void **state)
{
	struct fixture *fx = *state;
	uint64_t g = dma_as_gen(&fx->as);
	uint8_t b;

	dma_as_invalidate(&fx->as);
	assert_int_equal(dma_as_gen(&fx->as), g + 1);
	dma_as_set_translator(&fx->as, &fx->xl);
	assert_int_equal(dma_as_gen(&fx->as), g + 2);
	dma_as_set_translator(&fx->as, NULL);
	assert_int_equal(dma_as_gen(&fx->as), g + 3);
	/* Faults do not move it. */
	assert_int_equal(dma_read(&fx->as, iova(RAM_SIZE), &b, 1), -EFAULT);
	assert_int_equal(dma_as_gen(&fx->as), g + 3);
}

static void test_no_write_outside(void **state)
{
	struct fixture *fx = *state;
	uint8_t src[64];

	memset(src, 0x3c, sizeof(src));
	/* Exactly up to the end of each region. */
	assert_int_equal(dma_write(&fx->as, iova(RAM_SIZE - 64), src, 64), 0);
	assert_int_equal(dma_write(&fx->as, iova(HI_BASE + RAM_SIZE - 64), src, 64), 0);
	assert_int_equal(dma_write(&fx->as, iova(HI_BASE), src, 64), 0);
	assert_memory_equal(host(fx, 0, RAM_SIZE - 64), src, 64);
	assert_true(guards_intact(fx));

	/* Failed writes write nothing at all, not even the valid part. */
	memset(src, 0x77, sizeof(src));
	assert_int_equal(dma_write(&fx->as, iova(RAM_SIZE - 32), src, 64), -EFAULT);
	assert_int_equal(dma_write(&fx->as, iova(HI_BASE - 32), src, 64), -EFAULT);
	assert_int_equal(dma_write(&fx->as, iova(HI_BASE + RAM_SIZE - 1), src, 2), -EFAULT);
	assert_int_equal(host(fx, 0, RAM_SIZE - 32)[0], 0x3c);
	assert_int_equal(host(fx, 1, 0)[0], 0x3c);
	assert_int_equal(host(fx, 1, RAM_SIZE - 1)[0], 0x3c);

	/* Through a translator, with the second page unmapped. */
	map_page(fx, 0, 0x8000, RW);
	dma_as_set_translator(&fx->as, &fx->xl);
	assert_int_equal(dma_write(&fx->as, iova(PAGE - 16), src, 32), -EFAULT);
	assert_int_equal(host(fx, 0, 0x8000 + PAGE - 16)[0], 0);
	assert_true(guards_intact(fx));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_identity_boundaries, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wraparound, setup, teardown),
		cmocka_unit_test_setup_teardown(test_zero_length, setup, teardown),
		cmocka_unit_test_setup_teardown(test_translator_remap_split, setup, teardown),
		cmocka_unit_test_setup_teardown(test_translator_faults, setup, teardown),
		cmocka_unit_test_setup_teardown(test_e2big, setup, teardown),
		cmocka_unit_test_setup_teardown(test_generation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_write_outside, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
