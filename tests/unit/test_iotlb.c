// SPDX-License-Identifier: MIT
/* Unit tests for the IOTLB (iommu/iotlb.c): hit after insert, tags do not
 * alias, exact invalidation by page range on both paths (per-page probes and
 * the full scan), domain and global flushes, eviction, and torn-read safety
 * of the sequence locks under concurrent inserts. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <pthread.h>

#include "iommu/iotlb.h"

#define SHIFT 12
#define PG    (1ull << SHIFT)

static struct iova_mapping one_page(uint64_t p, uint64_t gpa_a)
{
	return (struct iova_mapping){iova(p * PG), iova(p * PG + PG - 1), gpa(gpa_a), 3};
}

static void fill_page(struct iotlb *t, uint64_t tag, uint64_t p)
{
	struct iova_mapping m = one_page(p, (p + tag * 1000) * PG);

	iotlb_insert(t, tag, iova(p * PG), &m);
}

static bool cached(struct iotlb *t, uint64_t tag, uint64_t p)
{
	struct iova_mapping m;

	if (!iotlb_lookup(t, tag, iova(p * PG + 8), &m))
		return false;
	assert_int_equal(m.gpa.a, (p + tag * 1000) * PG);
	return true;
}

static void test_init(void **state)
{
	struct iotlb t;

	(void)state;
	assert_int_equal(iotlb_init(&t, 3, SHIFT), -EINVAL);
	assert_int_equal(iotlb_init(&t, 0, 64), -EINVAL);
	assert_int_equal(iotlb_init(&t, 0, SHIFT), 0);
	assert_int_equal(t.set_mask + 1, IOTLB_DEFAULT_SETS);
	iotlb_destroy(&t);
}

static void test_hit_after_insert(void **state)
{
	struct iotlb t;
	struct iova_mapping m = {iova(0x200000), iova(0x3fffff), gpa(0x80000000), 1}, got;

	(void)state;
	assert_int_equal(iotlb_init(&t, 64, SHIFT), 0);
	assert_false(iotlb_lookup(&t, 7, iova(0x234567), &got));
	iotlb_insert(&t, 7, iova(0x234567), &m);
	assert_true(iotlb_lookup(&t, 7, iova(0x234000), &got));
	assert_int_equal(got.first.a, 0x200000);
	assert_int_equal(got.last.a, 0x3fffff);
	assert_int_equal(got.gpa.a, 0x80000000);
	assert_int_equal(got.flags, 1);
	/* Only that page is cached, though the mapping is larger; no other
	 * tag sees it. */
	assert_false(iotlb_lookup(&t, 7, iova(0x235000), &got));
	assert_false(iotlb_lookup(&t, 8, iova(0x234000), &got));
	iotlb_destroy(&t);
}

static void test_invalidate_exact(void **state)
{
	struct iotlb t;

	(void)state;
	assert_int_equal(iotlb_init(&t, 64, SHIFT), 0);
	for (uint64_t p = 0; p < 16; p++) {
		fill_page(&t, 1, p);
		fill_page(&t, 2, p);
	}
	iotlb_invalidate_range(&t, 1, iova(5 * PG), iova(6 * PG - 1));
	for (uint64_t p = 0; p < 16; p++) {
		assert_true(cached(&t, 1, p) == (p != 5));
		assert_true(cached(&t, 2, p));
	}
	/* A range that covers part of a page drops that page. */
	iotlb_invalidate_range(&t, 1, iova(9 * PG + 100), iova(10 * PG + 5));
	assert_false(cached(&t, 1, 9));
	assert_false(cached(&t, 1, 10));
	assert_true(cached(&t, 1, 8));
	assert_true(cached(&t, 1, 11));
	iotlb_flush_tag(&t, 2);
	for (uint64_t p = 0; p < 16; p++)
		assert_false(cached(&t, 2, p));
	assert_true(cached(&t, 1, 0));
	iotlb_flush_all(&t);
	for (uint64_t p = 0; p < 16; p++)
		assert_false(cached(&t, 1, p));
	iotlb_destroy(&t);
}

/* A range of more pages than sets takes the full-scan path: still exact. */
static void test_invalidate_scan(void **state)
{
	struct iotlb t;

	(void)state;
	assert_int_equal(iotlb_init(&t, 4, SHIFT), 0); /* 16 entries */
	fill_page(&t, 1, 100);
	fill_page(&t, 1, 1000);
	fill_page(&t, 1, 5000);
	fill_page(&t, 3, 1001);
	iotlb_invalidate_range(&t, 1, iova(1000 * PG), iova(4999 * PG));
	assert_true(cached(&t, 1, 100));
	assert_false(cached(&t, 1, 1000));
	assert_true(cached(&t, 1, 5000));
	assert_true(cached(&t, 3, 1001));
	iotlb_invalidate_range(&t, 1, iova(0), iova(~0ull));
	assert_false(cached(&t, 1, 100));
	assert_false(cached(&t, 1, 5000));
	assert_true(cached(&t, 3, 1001));
	iotlb_destroy(&t);
}

static void test_eviction(void **state)
{
	struct iotlb t;
	unsigned hits = 0;

	(void)state;
	assert_int_equal(iotlb_init(&t, 1, SHIFT), 0); /* one set of 4 ways */
	for (uint64_t p = 0; p < 10; p++)
		fill_page(&t, 1, p);
	for (uint64_t p = 0; p < 10; p++)
		hits += cached(&t, 1, p); /* checks the data of every hit */
	assert_int_equal(hits, IOTLB_WAYS);
	assert_true(cached(&t, 1, 9)); /* the latest fill is in */
	iotlb_destroy(&t);
}

/* Writers fill one key with mappings whose fields all derive from one
 * number; a reader that ever saw a mix of two fills would find them
 * inconsistent. */
struct race {
	struct iotlb t;
	atomic_bool stop;
	atomic_ulong bad, hits;
};

static struct iova_mapping race_value(uint64_t k)
{
	return (struct iova_mapping){iova(0), iova((k << SHIFT) | (PG - 1)), gpa(k * 3 * PG),
				     (unsigned)k};
}

static void *race_writer(void *arg)
{
	struct race *r = arg;

	for (uint64_t k = 1; !atomic_load(&r->stop); k++) {
		struct iova_mapping m = race_value(k);

		iotlb_insert(&r->t, 1, iova(0), &m);
		if (k % 64 == 0)
			iotlb_flush_all(&r->t); /* not exclusive here: tests safety only */
	}
	return NULL;
}

static void test_seqlock_torn_reads(void **state)
{
	static struct race r;
	pthread_t w[2];

	(void)state;
	assert_int_equal(iotlb_init(&r.t, 1, SHIFT), 0);
	for (int i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&w[i], NULL, race_writer, &r), 0);
	/* Until enough hits (the writers may start late on a loaded host), or
	 * a bounded number of tries. */
	for (long i = 0; atomic_load(&r.hits) < 200000 && i < 200000000; i++) {
		struct iova_mapping m;

		if (!iotlb_lookup(&r.t, 1, iova(0), &m))
			continue;
		uint64_t k = m.last.a >> SHIFT;
		struct iova_mapping want = race_value(k);

		atomic_fetch_add(&r.hits, 1);
		if (m.gpa.a != want.gpa.a || m.flags != want.flags || m.first.a != 0)
			atomic_fetch_add(&r.bad, 1);
	}
	atomic_store(&r.stop, true);
	for (int i = 0; i < 2; i++)
		pthread_join(w[i], NULL);
	print_message("# %lu hits, %lu torn\n", atomic_load(&r.hits), atomic_load(&r.bad));
	assert_int_equal(atomic_load(&r.bad), 0);
	assert_true(atomic_load(&r.hits) > 0);
	iotlb_destroy(&r.t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init),
		cmocka_unit_test(test_hit_after_insert),
		cmocka_unit_test(test_invalidate_exact),
		cmocka_unit_test(test_invalidate_scan),
		cmocka_unit_test(test_eviction),
		cmocka_unit_test(test_seqlock_torn_reads),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
