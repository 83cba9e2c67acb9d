// SPDX-License-Identifier: MIT
/* Unit tests for the device bus (vmm/bus.c): registration, lookup, dispatch. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/bus.h"

/* A fake device that records its last access. Reads return a tag built from
 * the device id and the offset, so that the test sees who answered. */
struct fake_dev {
	unsigned id;
	unsigned reads, writes;
	uint64_t off;
	unsigned size;
	uint64_t val;
};

#define READ_TAG(id, off) (0xa500000000000000ull | ((uint64_t)(id) << 32) | (off))

static uint64_t fake_read(void *opaque, uint64_t off, unsigned size)
{
	struct fake_dev *d = opaque;

	d->reads++;
	d->off = off;
	d->size = size;
	return READ_TAG(d->id, off);
}

static void fake_write(void *opaque, uint64_t off, unsigned size, uint64_t val)
{
	struct fake_dev *d = opaque;

	d->writes++;
	d->off = off;
	d->size = size;
	d->val = val;
}

static const struct bus_ops fake_ops = {.read = fake_read, .write = fake_write};
static const struct bus_ops read_only_ops = {.read = fake_read};
static const struct bus_ops write_only_ops = {.write = fake_write};

static struct bus *new_bus(void)
{
	struct bus *b = malloc(sizeof(*b));

	assert_non_null(b);
	bus_init(b, "test");
	return b;
}

static void test_init_empty(void **state)
{
	struct bus *b = new_bus();
	uint64_t v = 0;

	(void)state;
	assert_int_equal(b->nr, 0);
	assert_string_equal(b->name, "test");
	assert_false(bus_read(b, 0, 4, &v));
	assert_int_equal(v, 0xffffffffull);
	free(b);
}

static void test_register_overlaps(void **state)
{
	struct bus *b = new_bus();
	struct fake_dev d = {.id = 1};

	(void)state;
	assert_int_equal(bus_register(b, 0x100, 0x10, &fake_ops, &d, "a"), 0);
	/* Same range, overlapping either end, containing, contained. */
	assert_int_equal(bus_register(b, 0x100, 0x10, &fake_ops, &d, "x"), -EBUSY);
	assert_int_equal(bus_register(b, 0xff, 2, &fake_ops, &d, "x"), -EBUSY);
	assert_int_equal(bus_register(b, 0x10f, 0x10, &fake_ops, &d, "x"), -EBUSY);
	assert_int_equal(bus_register(b, 0, 0x1000, &fake_ops, &d, "x"), -EBUSY);
	assert_int_equal(bus_register(b, 0x104, 4, &fake_ops, &d, "x"), -EBUSY);
	assert_int_equal(bus_register(b, 0x10f, 1, &fake_ops, &d, "x"), -EBUSY);
	assert_int_equal(b->nr, 1);
	/* Adjacent on both sides is fine. */
	assert_int_equal(bus_register(b, 0xf0, 0x10, &fake_ops, &d, "lo"), 0);
	assert_int_equal(bus_register(b, 0x110, 0x10, &fake_ops, &d, "hi"), 0);
	assert_int_equal(b->nr, 3);
	assert_int_equal(b->r[0].base, 0xf0);
	assert_int_equal(b->r[1].base, 0x100);
	assert_int_equal(b->r[2].base, 0x110);
	assert_string_equal(b->r[2].name, "hi");
	/* Overlapping two neighbours at once. */
	assert_int_equal(bus_register(b, 0xf8, 0x10, &fake_ops, &d, "x"), -EBUSY);
	assert_int_equal(b->nr, 3);
	free(b);
}

static void test_register_invalid(void **state)
{
	struct bus *b = new_bus();
	struct fake_dev d = {.id = 1};

	(void)state;
	assert_int_equal(bus_register(b, 0x100, 0, &fake_ops, &d, "x"), -EINVAL);
	assert_int_equal(bus_register(b, ~0ull - 3, 5, &fake_ops, &d, "x"), -EINVAL);
	assert_int_equal(bus_register(b, ~0ull, 2, &fake_ops, &d, "x"), -EINVAL);
	assert_int_equal(bus_register(b, 2, ~0ull, &fake_ops, &d, "x"), -EINVAL);
	assert_int_equal(b->nr, 0);
	/* Ranges that end exactly at 2^64 do not wrap. */
	assert_int_equal(bus_register(b, ~0ull - 3, 4, &fake_ops, &d, "top"), 0);
	assert_int_equal(bus_register(b, ~0ull, 1, &fake_ops, &d, "x"), -EBUSY);
	assert_int_equal(bus_register(b, 0, ~0ull, &fake_ops, &d, "x"), -EBUSY);
	assert_int_equal(bus_register(b, 0, ~0ull - 3, &fake_ops, &d, "all"), 0);
	assert_int_equal(b->nr, 2);
	free(b);
}

static void test_register_full(void **state)
{
	struct bus *b = new_bus();
	struct fake_dev d = {.id = 1};

	(void)state;
	for (unsigned i = 0; i < BUS_MAX_RANGES; i++)
		assert_int_equal(bus_register(b, 0x1000 + 0x10 * i, 0x10, &fake_ops, &d, "r"), 0);
	assert_int_equal(b->nr, BUS_MAX_RANGES);
	assert_int_equal(bus_register(b, 0, 0x10, &fake_ops, &d, "r"), -ENOSPC);
	assert_int_equal(bus_register(b, 0x100000, 1, &fake_ops, &d, "r"), -ENOSPC);
	assert_int_equal(b->nr, BUS_MAX_RANGES);
	assert_int_equal(bus_unregister(b, 0x1000 + 0x10 * 7), 0);
	assert_int_equal(bus_register(b, 0, 0x10, &fake_ops, &d, "r"), 0);
	assert_int_equal(b->nr, BUS_MAX_RANGES);
	free(b);
}

static void test_unregister(void **state)
{
	struct bus *b = new_bus();
	struct fake_dev d = {.id = 1}, e = {.id = 2};
	uint64_t v;

	(void)state;
	assert_int_equal(bus_register(b, 0x100, 0x10, &fake_ops, &d, "d"), 0);
	assert_int_equal(bus_register(b, 0x200, 0x10, &fake_ops, &e, "e"), 0);
	assert_int_equal(bus_unregister(b, 0x300), -ENOENT);
	assert_int_equal(bus_unregister(b, 0x101), -ENOENT); /* inside, not base */
	assert_int_equal(bus_unregister(b, 0xff), -ENOENT);
	assert_int_equal(bus_unregister(b, 0x100), 0);
	assert_int_equal(bus_unregister(b, 0x100), -ENOENT);
	assert_int_equal(b->nr, 1);
	assert_false(bus_read(b, 0x100, 1, &v));
	assert_int_equal(d.reads, 0);
	assert_true(bus_read(b, 0x20f, 1, &v));
	assert_int_equal(e.reads, 1);
	assert_int_equal(e.off, 0xf);
	/* The freed space can be claimed again. */
	assert_int_equal(bus_register(b, 0x100, 0x100, &fake_ops, &d, "d2"), 0);
	assert_true(bus_read(b, 0x1ff, 1, &v));
	assert_int_equal(d.off, 0xff);
	free(b);
}

static void test_dispatch_offsets(void **state)
{
	struct bus *b = new_bus();
	struct fake_dev d = {.id = 7};
	uint64_t v = 0;

	(void)state;
	assert_int_equal(bus_register(b, 0x3f8, 8, &fake_ops, &d, "d"), 0);
	assert_true(bus_read(b, 0x3fb, 1, &v));
	assert_int_equal(d.off, 3);
	assert_int_equal(d.size, 1);
	assert_int_equal(v, READ_TAG(7, 3) & 0xff);
	assert_true(bus_read(b, 0x3fc, 4, &v));
	assert_int_equal(d.off, 4);
	assert_int_equal(v, READ_TAG(7, 4) & 0xffffffffull);
	assert_true(bus_read(b, 0x3f8, 8, &v));
	assert_int_equal(v, READ_TAG(7, 0));
	assert_true(bus_read(b, 0x3fe, 2, &v));
	assert_int_equal(v, READ_TAG(7, 6) & 0xffff);
	assert_true(bus_write(b, 0x3f9, 2, 0xbeef));
	assert_int_equal(d.writes, 1);
	assert_int_equal(d.off, 1);
	assert_int_equal(d.size, 2);
	assert_int_equal(d.val, 0xbeef);
	assert_int_equal(d.reads, 4);
	free(b);
}

static void test_straddle_unclaimed(void **state)
{
	struct bus *b = new_bus();
	struct fake_dev d = {.id = 1}, e = {.id = 2};
	uint64_t v = 0;

	(void)state;
	assert_int_equal(bus_register(b, 0x100, 4, &fake_ops, &d, "d"), 0);
	assert_int_equal(bus_register(b, 0x104, 4, &fake_ops, &e, "e"), 0);
	/* Runs past the end of d into e: claimed by neither. */
	assert_false(bus_read(b, 0x102, 4, &v));
	assert_int_equal(v, 0xffffffffull);
	assert_false(bus_write(b, 0x103, 2, 0x1234));
	/* Starts before d. */
	assert_false(bus_read(b, 0xff, 2, &v));
	assert_int_equal(v, 0xffff);
	/* Runs past the end of e into nothing. */
	assert_false(bus_read(b, 0x106, 4, &v));
	assert_false(bus_read(b, 0x100, 8, &v));
	assert_int_equal(v, ~0ull);
	assert_int_equal(d.reads + d.writes + e.reads + e.writes, 0);
	/* The last byte alone is claimed. */
	assert_true(bus_read(b, 0x103, 1, &v));
	assert_true(bus_read(b, 0x104, 4, &v));
	assert_int_equal(d.reads, 1);
	assert_int_equal(e.reads, 1);
	free(b);
}

static void test_unclaimed_values(void **state)
{
	struct bus *b = new_bus();
	struct fake_dev ro = {.id = 1}, wo = {.id = 2};
	uint64_t v;

	(void)state;
	v = 0;
	assert_false(bus_read(b, 0x80, 1, &v));
	assert_int_equal(v, 0xff);
	v = 0;
	assert_false(bus_read(b, 0x80, 2, &v));
	assert_int_equal(v, 0xffff);
	v = 0;
	assert_false(bus_read(b, 0x80, 4, &v));
	assert_int_equal(v, 0xffffffffull);
	v = 0;
	assert_false(bus_read(b, 0x80, 8, &v));
	assert_int_equal(v, ~0ull);
	assert_false(bus_write(b, 0x80, 4, 1));
	/* A missing callback counts as unclaimed. */
	assert_int_equal(bus_register(b, 0x10, 4, &read_only_ops, &ro, "ro"), 0);
	assert_int_equal(bus_register(b, 0x20, 4, &write_only_ops, &wo, "wo"), 0);
	assert_false(bus_write(b, 0x10, 1, 5));
	assert_true(bus_read(b, 0x10, 1, &v));
	assert_int_equal(v, READ_TAG(1, 0) & 0xff);
	v = 0;
	assert_false(bus_read(b, 0x20, 2, &v));
	assert_int_equal(v, 0xffff);
	assert_true(bus_write(b, 0x22, 2, 0x55aa));
	assert_int_equal(wo.val, 0x55aa);
	assert_int_equal(wo.off, 2);
	assert_int_equal(ro.writes, 0);
	/* Many unclaimed accesses: logging is rate limited, results unchanged. */
	for (int i = 0; i < 50; i++) {
		assert_false(bus_read(b, 0x1000 + i, 1, &v));
		assert_int_equal(v, 0xff);
	}
	free(b);
}

static void test_top_of_space(void **state)
{
	struct bus *b = new_bus();
	struct fake_dev d = {.id = 3};
	uint64_t v;

	(void)state;
	assert_int_equal(bus_register(b, ~0ull - 0xf, 0x10, &fake_ops, &d, "top"), 0);
	assert_true(bus_read(b, ~0ull - 3, 4, &v));
	assert_int_equal(d.off, 0xc);
	assert_true(bus_read(b, ~0ull, 1, &v));
	assert_int_equal(d.off, 0xf);
	/* Would wrap past 2^64. */
	assert_false(bus_read(b, ~0ull - 1, 4, &v));
	assert_false(bus_write(b, ~0ull, 8, 0));
	assert_int_equal(d.reads, 2);
	assert_int_equal(d.writes, 0);
	/* Address 0 is not part of the top range. */
	assert_false(bus_read(b, 0, 1, &v));
	free(b);
}

#define MANY 200

static void test_many_ranges(void **state)
{
	struct bus *b = new_bus();
	static struct fake_dev devs[MANY];
	unsigned order[MANY];
	uint32_t seed = 12345;
	uint64_t v;

	(void)state;
	for (unsigned i = 0; i < MANY; i++) {
		order[i] = i;
		devs[i] = (struct fake_dev){.id = i};
	}
	for (unsigned i = MANY - 1; i > 0; i--) { /* Fisher-Yates, fixed seed */
		unsigned j, t;

		seed = seed * 1103515245u + 12345u;
		j = (seed >> 8) % (i + 1);
		t = order[i], order[i] = order[j], order[j] = t;
	}
	/* Range i: [0x1000 * i + 0x10, + 0x10 + i), with gaps in between. */
	for (unsigned k = 0; k < MANY; k++) {
		unsigned i = order[k];

		assert_int_equal(
			bus_register(b, 0x1000ull * i + 0x10, 0x10 + i, &fake_ops, &devs[i], "r"),
			0);
	}
	assert_int_equal(b->nr, MANY);
	for (unsigned i = 1; i < MANY; i++)
		assert_true(b->r[i - 1].base + b->r[i - 1].len <= b->r[i].base);
	for (unsigned i = 0; i < MANY; i++) {
		uint64_t base = 0x1000ull * i + 0x10, len = 0x10 + i;

		assert_true(bus_read(b, base, 1, &v));
		assert_int_equal(devs[i].off, 0);
		assert_int_equal(v, READ_TAG(i, 0) & 0xff);
		assert_true(bus_write(b, base + len - 1, 1, i));
		assert_int_equal(devs[i].off, len - 1);
		assert_int_equal(devs[i].val, i);
		assert_false(bus_read(b, base - 1, 1, &v));
		assert_false(bus_read(b, base + len, 1, &v));
		assert_false(bus_read(b, base + len - 1, 2, &v));
	}
	for (unsigned i = 0; i < MANY; i++) {
		assert_int_equal(devs[i].reads, 1);
		assert_int_equal(devs[i].writes, 1);
	}
	/* Drop the odd ones; the even ones must still dispatch correctly. */
	for (unsigned i = 1; i < MANY; i += 2)
		assert_int_equal(bus_unregister(b, 0x1000ull * i + 0x10), 0);
	assert_int_equal(b->nr, MANY / 2);
	for (unsigned i = 0; i < MANY; i++) {
		bool hit = bus_read(b, 0x1000ull * i + 0x11, 1, &v);

		assert_int_equal(hit, i % 2 == 0);
		assert_int_equal(devs[i].reads, i % 2 == 0 ? 2 : 1);
	}
	free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_empty),	   cmocka_unit_test(test_register_overlaps),
		cmocka_unit_test(test_register_invalid),   cmocka_unit_test(test_register_full),
		cmocka_unit_test(test_unregister),	   cmocka_unit_test(test_dispatch_offsets),
		cmocka_unit_test(test_straddle_unclaimed), cmocka_unit_test(test_unclaimed_values),
		cmocka_unit_test(test_top_of_space),	   cmocka_unit_test(test_many_ranges),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
