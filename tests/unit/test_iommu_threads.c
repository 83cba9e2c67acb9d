// SPDX-License-Identifier: MIT
/* The IOMMU core under concurrency: device threads translate while the
 * request thread maps and unmaps. Mapping number k of a churned page always
 * points at GPA k pages; once unmap k has returned, the request thread
 * publishes it, and a translation that starts after seeing that must never
 * return mapping k or older (a stale IOTLB entry). Stable pages must
 * translate correctly throughout. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <pthread.h>
#include <sched.h>

#include "iommu/iommu.h"

#define PG	    0x1000ull
#define RID_A	    0x0030
#define RID_B	    0x0038
#define CHURN	    4  /* pages 0..3: mapped and unmapped over and over */
#define STABLE_BASE 16 /* pages 16..31: mapped once */
#define STABLE	    16
#define STABLE_GPA  0x40000000ull
#define ROUNDS	    10000
#define READERS	    2

struct shared {
	struct iommu *io;
	atomic_ulong gone[CHURN]; /* the newest mapping number unmapped */
	atomic_bool stop;
	atomic_uint started;
	atomic_ulong stale, stable_bad, hits, faults;
};

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dull;
}

static void reader_step(struct shared *sh, uint16_t rid, uint64_t *s)
{
	struct dma_xlate x;
	struct dma_fault f;
	uint64_t p = rnd(s) % CHURN;
	unsigned long gone = atomic_load_explicit(&sh->gone[p], memory_order_acquire);

	if (!iommu_translate(sh->io, rid, iova(p * PG + 8), DMA_ACCESS_READ, &x, &f)) {
		/* GPA (k * CHURN + p) pages + 8 for mapping number k. */
		uint64_t k = (x.gpa.a / PG) / CHURN;

		if (k <= gone || x.gpa.a % PG != 8 || (x.gpa.a / PG) % CHURN != p ||
		    x.len != PG - 8)
			atomic_fetch_add(&sh->stale, 1);
		atomic_fetch_add_explicit(&sh->hits, 1, memory_order_relaxed);
	} else {
		atomic_fetch_add_explicit(&sh->faults, 1, memory_order_relaxed);
	}
	p = STABLE_BASE + rnd(s) % STABLE;
	if (iommu_translate(sh->io, rid, iova(p * PG + 16), DMA_ACCESS_WRITE, &x, &f) ||
	    x.gpa.a != STABLE_GPA + p * PG + 16)
		atomic_fetch_add(&sh->stable_bad, 1);
}

static void *reader(void *arg)
{
	struct shared *sh = arg;
	uint64_t s = (uint64_t)(uintptr_t)&s | 1;
	unsigned n = 0;

	atomic_fetch_add(&sh->started, 1);
	while (!atomic_load(&sh->stop))
		reader_step(sh, n++ % 2 ? RID_A : RID_B, &s);
	return NULL;
}

static void test_no_stale_after_unmap(void **state)
{
	struct iommu_config c = {
		.page_size_mask = PG,
		.input_last = ~0ull,
		.domain_first = 1,
		.domain_last = 1,
		.iotlb_sets = 16,
	};
	static struct shared sh;
	pthread_t th[READERS];
	uint64_t s = 5;

	(void)state;
	assert_int_equal(iommu_create(&c, &sh.io), 0);
	assert_int_equal(iommu_endpoint_add(sh.io, RID_A, NULL), 0);
	assert_int_equal(iommu_endpoint_add(sh.io, RID_B, NULL), 0);
	assert_int_equal(iommu_attach(sh.io, 1, RID_A, 0), 0);
	assert_int_equal(iommu_attach(sh.io, 1, RID_B, 0), 0);
	for (uint64_t p = STABLE_BASE; p < STABLE_BASE + STABLE; p++)
		assert_int_equal(iommu_map(sh.io, 1, iova(p * PG), iova(p * PG + PG - 1),
					   gpa(STABLE_GPA + p * PG),
					   IOMMU_MAP_READ | IOMMU_MAP_WRITE),
				 0);
	for (int i = 0; i < READERS; i++)
		assert_int_equal(pthread_create(&th[i], NULL, reader, &sh), 0);
	while (atomic_load(&sh.started) < READERS)
		sched_yield();
	for (uint64_t k = 1; k <= ROUNDS; k++) {
		uint64_t p = rnd(&s) % CHURN;

		assert_int_equal(iommu_map(sh.io, 1, iova(p * PG), iova(p * PG + PG - 1),
					   gpa((k * CHURN + p) * PG), IOMMU_MAP_READ),
				 0);
		/* Give the readers a moment to translate (and cache) it. */
		for (unsigned long h = atomic_load(&sh.hits), i = 0;
		     i < 5000 && atomic_load(&sh.hits) < h + 2; i++)
			;
		assert_int_equal(iommu_unmap(sh.io, 1, iova(p * PG), iova(p * PG + PG - 1)), 0);
		atomic_store_explicit(&sh.gone[p], k, memory_order_release);
	}
	atomic_store(&sh.stop, true);
	for (int i = 0; i < READERS; i++)
		pthread_join(th[i], NULL);
	print_message("# %lu hits, %lu faults, %lu stale, %lu stable errors\n",
		      atomic_load(&sh.hits), atomic_load(&sh.faults), atomic_load(&sh.stale),
		      atomic_load(&sh.stable_bad));
	assert_int_equal(atomic_load(&sh.stale), 0);
	assert_int_equal(atomic_load(&sh.stable_bad), 0);
	assert_true(atomic_load(&sh.hits) > 0);
	iommu_destroy(sh.io);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_stale_after_unmap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
