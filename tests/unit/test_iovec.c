// SPDX-License-Identifier: MIT
/* Unit tests for the iovec helpers (vmm/iovec.c): copies to and from a
 * buffer, slices and advancing, each against a flat model of the same bytes
 * over random layouts (empty entries included) and every offset and length,
 * with canaries around every byte the helpers may not touch. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <string.h>

#include "vmm/iovec.h"
#include "vmm/types.h"

#define MAX_IOV	   6
#define MAX_SEG	   5
#define TOTAL_MAX  (MAX_IOV * MAX_SEG)
#define CANARY	   0xa5
#define LAYOUTS	   300
#define SEG_STRIDE (MAX_SEG + 2) /* a canary byte on each side of a segment */

/* A layout: n entries of random length (0 included), each inside its own
 * slot of mem with canary bytes around it; flat[] holds what they hold. */
struct layout {
	uint8_t mem[MAX_IOV * SEG_STRIDE];
	struct iovec iov[MAX_IOV];
	unsigned n;
	size_t total;
	uint8_t flat[TOTAL_MAX];
};

/* xorshift64*: a fixed seed gives a fixed sequence. */
static uint64_t rnd(void)
{
	static uint64_t x = 0x9e3779b97f4a7c15ull;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	return x * 0x2545f4914f6cdd1dull;
}

static void layout_new(struct layout *l)
{
	memset(l->mem, CANARY, sizeof(l->mem));
	l->n = (unsigned)(rnd() % (MAX_IOV + 1));
	l->total = 0;
	for (unsigned i = 0; i < l->n; i++) {
		uint8_t *base = l->mem + i * SEG_STRIDE + 1;
		size_t len = rnd() % (MAX_SEG + 1);

		for (size_t k = 0; k < len; k++) {
			base[k] = (uint8_t)(l->total + 1);
			l->flat[l->total++] = base[k];
		}
		l->iov[i] = (struct iovec){base, len};
	}
}

/* Every byte outside the segments still holds the canary. */
static void assert_canaries(const struct layout *l)
{
	for (unsigned s = 0; s < MAX_IOV; s++) {
		const uint8_t *slot = l->mem + s * SEG_STRIDE;
		size_t len = s < l->n ? l->iov[s].iov_len : 0;

		for (size_t k = 0; k < SEG_STRIDE; k++)
			if (k == 0 || k > len)
				assert_int_equal(slot[k], CANARY);
	}
}

static size_t want_len(const struct layout *l, size_t off, size_t len)
{
	return off >= l->total ? 0 : MIN(len, l->total - off);
}

/* Run check on LAYOUTS random layouts, for every offset and length up to
 * one past the end (length 0 only, without with_len), then check that no
 * byte outside the segments changed. */
static void each_range(void (*check)(struct layout *l, size_t off, size_t len), bool with_len)
{
	struct layout l;

	for (unsigned t = 0; t < LAYOUTS; t++) {
		layout_new(&l);
		for (size_t off = 0; off <= l.total + 1; off++)
			for (size_t len = 0; len <= (with_len ? l.total + 1 : 0); len++)
				check(&l, off, len);
		assert_canaries(&l);
	}
}

static void check_to_buf(struct layout *l, size_t off, size_t len)
{
	uint8_t out[TOTAL_MAX + 1];
	size_t want = want_len(l, off, len);

	memset(out, CANARY, sizeof(out));
	assert_int_equal(iov_to_buf(l->iov, l->n, off, out, len), want);
	assert_memory_equal(out, l->flat + MIN(off, l->total), want);
	assert_int_equal(out[want], CANARY);
}

static void check_from_buf(struct layout *l, size_t off, size_t len)
{
	uint8_t src[TOTAL_MAX + 1], model[TOTAL_MAX], back[TOTAL_MAX];
	size_t want = want_len(l, off, len);

	for (size_t k = 0; k < sizeof(src); k++)
		src[k] = (uint8_t)(0x80 | k);
	memcpy(model, l->flat, l->total);
	memcpy(model + MIN(off, l->total), src, want);
	assert_int_equal(iov_from_buf(l->iov, l->n, off, src, len), want);
	assert_int_equal(iov_to_buf(l->iov, l->n, 0, back, l->total), l->total);
	assert_memory_equal(back, model, l->total);
	assert_canaries(l);
	iov_from_buf(l->iov, l->n, 0, l->flat, l->total); /* the layout's own bytes back */
}

static void check_slice(struct layout *l, size_t off, size_t len)
{
	struct iovec s[MAX_IOV];
	uint8_t out[TOTAL_MAX];
	size_t want = want_len(l, off, len);
	unsigned ns = iov_slice(l->iov, l->n, off, len, s);

	assert_true(ns <= l->n);
	for (unsigned i = 0; i < ns; i++)
		assert_true(s[i].iov_len > 0);
	assert_int_equal(iov_to_buf(s, ns, 0, out, sizeof(out)), want);
	assert_memory_equal(out, l->flat + MIN(off, l->total), want);
}

/* Advance a copy of the iovecs by skip bytes: what is left is the rest. */
static void check_advance(struct layout *l, size_t skip, size_t len)
{
	struct iovec copy[MAX_IOV], *p = copy;
	uint8_t out[TOTAL_MAX];
	unsigned n = l->n;
	size_t want = want_len(l, skip, TOTAL_MAX);

	(void)len;
	memcpy(copy, l->iov, sizeof(copy));
	iov_advance(&p, &n, skip);
	assert_true(p >= copy && p + n == copy + l->n);
	assert_int_equal(iov_to_buf(p, n, 0, out, sizeof(out)), want);
	assert_memory_equal(out, l->flat + MIN(skip, l->total), want);
	/* Done entries, empty ones included, are gone. */
	if (skip >= l->total)
		assert_int_equal(n, 0);
	else
		assert_true(p->iov_len > 0);
}

static void test_to_buf(void **state)
{
	(void)state;
	each_range(check_to_buf, true);
}

static void test_from_buf(void **state)
{
	(void)state;
	each_range(check_from_buf, true);
}

static void test_slice(void **state)
{
	(void)state;
	each_range(check_slice, true);
}

static void test_advance(void **state)
{
	(void)state;
	each_range(check_advance, false);
}

/* No entries, or only empty ones: nothing moves, nothing is touched. */
static void test_empty(void **state)
{
	uint8_t b[4] = {1, 2, 3, 4};
	struct iovec e[2] = {{b, 0}, {b + 1, 0}}, s[2], *p = e;
	unsigned n = 2;

	(void)state;
	assert_int_equal(iov_to_buf(NULL, 0, 0, b, sizeof(b)), 0);
	assert_int_equal(iov_from_buf(NULL, 0, 0, b, sizeof(b)), 0);
	assert_int_equal(iov_slice(NULL, 0, 0, 4, s), 0);
	assert_int_equal(iov_to_buf(e, 2, 0, b, sizeof(b)), 0);
	assert_int_equal(iov_from_buf(e, 2, 0, (uint8_t[]){9}, 1), 0);
	assert_int_equal(iov_slice(e, 2, 0, 4, s), 0);
	assert_int_equal(b[0], 1);
	iov_advance(&p, &n, 0);
	assert_int_equal(n, 0);
	assert_ptr_equal(p, e + 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_to_buf), cmocka_unit_test(test_from_buf),
		cmocka_unit_test(test_slice),  cmocka_unit_test(test_advance),
		cmocka_unit_test(test_empty),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
