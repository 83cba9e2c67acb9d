// SPDX-License-Identifier: MIT
/* Unit tests for the IOVA mapping tree (iommu/map.c): insert, lookup, range
 * removal with the virtio-iommu split rule, the ends of the 64-bit space,
 * a long random sequence against a flat page-array model, and 10^5
 * mappings in well under a second. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>
#include <time.h>

#include "iommu/map.h"

#define PG 4096ull

static struct iova_mapping mk(uint64_t first, uint64_t last, uint64_t gpa_a, unsigned flags)
{
	return (struct iova_mapping){iova(first), iova(last), gpa(gpa_a), flags};
}

static int ins(struct iova_map *m, uint64_t first, uint64_t last, uint64_t gpa_a)
{
	struct iova_mapping v = mk(first, last, gpa_a, 3);

	return iova_map_insert(m, &v);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* xorshift64*: a fixed seed gives a fixed sequence. */
static uint64_t rnd(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dull;
}

static void test_insert_find(void **state)
{
	struct iova_map m;
	const struct iova_mapping *f;

	(void)state;
	iova_map_init(&m);
	assert_null(iova_map_find(&m, iova(0)));
	assert_null(iova_map_next(&m, iova(0)));
	assert_int_equal(ins(&m, 0x10000, 0x1ffff, 0x500000), 0);
	assert_int_equal(ins(&m, 0x30000, 0x30fff, 0x900000), 0);
	/* Overlaps: inside, straddling either end, covering, same start. */
	assert_int_equal(ins(&m, 0x11000, 0x11fff, 0), -EEXIST);
	assert_int_equal(ins(&m, 0x0f000, 0x10fff, 0), -EEXIST);
	assert_int_equal(ins(&m, 0x1f000, 0x20fff, 0), -EEXIST);
	assert_int_equal(ins(&m, 0x00000, 0xfffff, 0), -EEXIST);
	assert_int_equal(ins(&m, 0x30000, 0x30000, 0), -EEXIST);
	assert_int_equal(ins(&m, 0x2000, 0x1000, 0), -EINVAL);
	assert_int_equal(m.count, 2);
	/* Adjacent on both sides is fine. */
	assert_int_equal(ins(&m, 0x20000, 0x2ffff, 0x700000), 0);
	assert_int_equal(ins(&m, 0x0f000, 0x0ffff, 0x100000), 0);

	f = iova_map_find(&m, iova(0x1abcd));
	assert_non_null(f);
	assert_int_equal(f->first.a, 0x10000);
	assert_int_equal(f->last.a, 0x1ffff);
	assert_int_equal(f->gpa.a, 0x500000);
	assert_int_equal(iova_map_find(&m, iova(0x2ffff))->first.a, 0x20000);
	assert_null(iova_map_find(&m, iova(0x31000)));
	assert_null(iova_map_find(&m, iova(0xeffff)));
	assert_int_equal(iova_map_next(&m, iova(0))->first.a, 0x0f000);
	assert_int_equal(iova_map_next(&m, iova(0x10800))->first.a, 0x10000);
	assert_int_equal(iova_map_next(&m, iova(0x30fff))->first.a, 0x30000);
	assert_null(iova_map_next(&m, iova(0x31000)));
	assert_int_equal(iova_map_verify(&m), 0);
	iova_map_clear(&m);
	assert_int_equal(m.count, 0);
	assert_null(m.root);
}

struct seen {
	uint64_t first[16];
	unsigned n;
};

static int record(void *opaque, const struct iova_mapping *v)
{
	struct seen *s = opaque;

	if (s->n < 16)
		s->first[s->n] = v->first.a;
	s->n++;
	return 0;
}

static void test_remove_range(void **state)
{
	struct iova_map m;
	struct seen s = {.n = 0};

	(void)state;
	iova_map_init(&m);
	for (uint64_t i = 0; i < 8; i++)
		assert_int_equal(ins(&m, i * 0x4000, i * 0x4000 + 0x1fff, i * PG), 0);
	/* Splitting the first or the last mapping of the range: nothing goes. */
	assert_int_equal(iova_map_remove_range(&m, iova(0x1000), iova(0x9fff), record, &s),
			 -ERANGE);
	assert_int_equal(iova_map_remove_range(&m, iova(0x4000), iova(0x8fff), record, &s),
			 -ERANGE);
	assert_int_equal(iova_map_remove_range(&m, iova(0x5000), iova(0x5fff), record, &s),
			 -ERANGE);
	assert_int_equal(s.n, 0);
	assert_int_equal(m.count, 8);
	assert_int_equal(iova_map_remove_range(&m, iova(2), iova(1), NULL, NULL), -EINVAL);
	/* A hole only. */
	assert_int_equal(iova_map_remove_range(&m, iova(0x2000), iova(0x3fff), record, &s), 0);
	assert_int_equal(s.n, 0);
	/* Two whole mappings and the holes around them, in order. */
	assert_int_equal(iova_map_remove_range(&m, iova(0x2000), iova(0xbfff), record, &s), 0);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.first[0], 0x4000);
	assert_int_equal(s.first[1], 0x8000);
	assert_int_equal(m.count, 6);
	assert_null(iova_map_find(&m, iova(0x4000)));
	assert_non_null(iova_map_find(&m, iova(0xc000)));
	assert_non_null(iova_map_find(&m, iova(0x1fff)));
	/* Exactly one mapping. */
	assert_int_equal(iova_map_remove_range(&m, iova(0xc000), iova(0xdfff), NULL, NULL), 0);
	assert_int_equal(m.count, 5);
	/* Everything. */
	assert_int_equal(iova_map_remove_range(&m, iova(0), iova(~0ull), NULL, NULL), 0);
	assert_int_equal(m.count, 0);
	assert_int_equal(iova_map_verify(&m), 0);
}

static void test_space_ends(void **state)
{
	struct iova_map m;
	struct seen s = {.n = 0};

	(void)state;
	iova_map_init(&m);
	assert_int_equal(ins(&m, ~0ull - 0xfff, ~0ull, 0x1000), 0);
	assert_int_equal(ins(&m, 0, 0xfff, 0x2000), 0);
	assert_int_equal(iova_map_find(&m, iova(~0ull))->gpa.a, 0x1000);
	assert_int_equal(iova_map_walk(&m, iova(0), iova(~0ull), record, &s), 0);
	assert_int_equal(s.n, 2); /* the walk ends at the top of the space */
	assert_int_equal(iova_map_remove_range(&m, iova(~0ull - 0xfff), iova(~0ull), NULL, NULL),
			 0);
	assert_int_equal(iova_map_remove_range(&m, iova(0), iova(0xfff), NULL, NULL), 0);
	/* One mapping of the whole space. */
	assert_int_equal(ins(&m, 0, ~0ull, 0), 0);
	assert_int_equal(ins(&m, 0x5000, 0x5fff, 0), -EEXIST);
	assert_int_equal(iova_map_remove_range(&m, iova(0), iova(~0ull - 1), NULL, NULL), -ERANGE);
	assert_int_equal(iova_map_remove_range(&m, iova(0), iova(~0ull), NULL, NULL), 0);
	assert_int_equal(m.count, 0);
}

/* The model: for each page, the first page of the mapping holding it + 1
 * (0: free). Mappings translate page p to gpa (first page * 7 + p) * PG. */
#define MODEL_PAGES 512
static uint32_t model[MODEL_PAGES];

static int model_insert(uint64_t p, uint64_t n)
{
	for (uint64_t i = p; i < p + n; i++)
		if (model[i])
			return -EEXIST;
	for (uint64_t i = p; i < p + n; i++)
		model[i] = (uint32_t)p + 1;
	return 0;
}

static int model_remove(uint64_t p, uint64_t n)
{
	uint64_t e = p + n - 1;

	if ((model[p] && model[p] - 1 < p) ||
	    (model[e] && e + 1 < MODEL_PAGES && model[e + 1] == model[e]))
		return -ERANGE;
	for (uint64_t i = p; i <= e; i++)
		model[i] = 0;
	return 0;
}

static void model_check_page(const struct iova_map *m, uint64_t p)
{
	const struct iova_mapping *f = iova_map_find(m, iova(p * PG + 123));

	if (!model[p]) {
		assert_null(f);
		return;
	}
	assert_non_null(f);
	assert_int_equal(f->first.a, (model[p] - 1) * PG);
	assert_int_equal(f->gpa.a, (model[p] - 1) * 7 * PG);
}

static void test_random_vs_model(void **state)
{
	struct iova_map m;
	uint64_t s = 0x1234567;

	(void)state;
	memset(model, 0, sizeof(model));
	iova_map_init(&m);
	for (int op = 0; op < 20000; op++) {
		uint64_t n = 1 + rnd(&s) % 8, p = rnd(&s) % (MODEL_PAGES - n + 1);
		int want, got;

		if (rnd(&s) % 3) {
			want = model_insert(p, n);
			got = ins(&m, p * PG, (p + n) * PG - 1, p * 7 * PG);
		} else {
			want = model_remove(p, n);
			got = iova_map_remove_range(&m, iova(p * PG), iova((p + n) * PG - 1), NULL,
						    NULL);
		}
		assert_int_equal(got, want);
		for (uint64_t i = p; i < p + n; i++)
			model_check_page(&m, i);
		if (op % 64 == 0) {
			assert_int_equal(iova_map_verify(&m), 0);
			for (uint64_t i = 0; i < MODEL_PAGES; i++)
				model_check_page(&m, i);
		}
	}
	assert_int_equal(iova_map_verify(&m), 0);
	iova_map_clear(&m);
}

static void test_1e5_mappings(void **state)
{
	const uint64_t n = 100000;
	struct iova_map m;
	uint64_t s = 42, k;
	double t0 = now_s(), t;
	unsigned h;

	(void)state;
	iova_map_init(&m);
	/* Shuffled insertion order: page i of a permutation, one page each. */
	for (uint64_t i = 0; i < n; i++) {
		k = (i * 48271) % n; /* 48271 is prime to 10^5: a permutation */
		assert_int_equal(ins(&m, k * 2 * PG, k * 2 * PG + PG - 1, k * PG), 0);
	}
	h = iova_map_height(&m);
	assert_true(h <= 25); /* AVL bound: 1.44 log2(10^5 + 2) < 24 */
	for (uint64_t i = 0; i < 2 * n; i++) {
		k = rnd(&s) % (2 * n);
		const struct iova_mapping *f = iova_map_find(&m, iova(k * PG + 5));

		if (k % 2) {
			assert_null(f);
		} else {
			assert_non_null(f);
			assert_int_equal(f->gpa.a, k / 2 * PG);
		}
	}
	assert_int_equal(iova_map_verify(&m), 0);
	/* Remove every other mapping one by one, then the rest at once. */
	for (uint64_t i = 0; i < n; i += 2)
		assert_int_equal(iova_map_remove_range(&m, iova(i * 2 * PG),
						       iova(i * 2 * PG + PG - 1), NULL, NULL),
				 0);
	assert_int_equal(m.count, n / 2);
	assert_int_equal(iova_map_verify(&m), 0);
	assert_int_equal(iova_map_remove_range(&m, iova(0), iova(~0ull), NULL, NULL), 0);
	assert_int_equal(m.count, 0);
	t = now_s() - t0;
	print_message("# 1e5 mappings: height %u, %.3f s for insert, 2e5 lookups, removal\n", h, t);
	assert_true(t < 1.0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_insert_find),  cmocka_unit_test(test_remove_range),
		cmocka_unit_test(test_space_ends),   cmocka_unit_test(test_random_vs_model),
		cmocka_unit_test(test_1e5_mappings),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
