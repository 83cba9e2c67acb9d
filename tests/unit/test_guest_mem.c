// SPDX-License-Identifier: MIT
/* Unit tests for guest RAM layout, checked access and the memory map
 * (vmm/guest_mem.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "tests/unit/skip.h"
#include "vmm/guest_mem.h"
#include "vmm/layout.h"

static void test_layout_invalid(void **state)
{
	static const uint64_t bad[] = {
		0,
		1,
		KiB(4),
		MiB(2) - KiB(4),
		MiB(2) + 1,
		MiB(2) + KiB(2),
		GiB(3) + 512,
		GiB(1024) + KiB(4),
		~0ull,
		~0ull - 0xfff,
	};
	struct guest_mem m;

	(void)state;
	for (unsigned i = 0; i < ARRAY_SIZE(bad); i++) {
		memset(&m, 0xaa, sizeof(m));
		assert_int_equal(guest_mem_layout(&m, bad[i]), -EINVAL);
		assert_int_equal(m.nr, 0);
		assert_int_equal(m.ram_size, 0);
	}
	assert_int_equal(guest_mem_layout(&m, MiB(2)), 0);
	assert_int_equal(guest_mem_layout(&m, MiB(2) + KiB(4)), 0);
	assert_int_equal(guest_mem_layout(&m, GiB(1024)), 0);
}

static void check_layout(uint64_t size, unsigned nr, uint64_t low, uint64_t high)
{
	struct guest_mem m;

	assert_int_equal(guest_mem_layout(&m, size), 0);
	assert_int_equal(m.nr, nr);
	assert_int_equal(m.ram_size, size);
	assert_int_equal(m.r[0].base.a, 0);
	assert_int_equal(m.r[0].size, low);
	assert_null(m.r[0].host);
	assert_int_equal(guest_mem_low_end(&m), low);
	if (nr > 1) {
		assert_int_equal(m.r[1].base.a, GiB(4));
		assert_int_equal(m.r[1].size, high);
		assert_null(m.r[1].host);
	}
	assert_int_equal(m.r[0].size + (nr > 1 ? m.r[1].size : 0), size);
}

static void test_layout_sizes(void **state)
{
	(void)state;
	check_layout(MiB(2), 1, MiB(2), 0);
	check_layout(MiB(256), 1, MiB(256), 0);
	check_layout(GiB(3) - KiB(4), 1, GiB(3) - KiB(4), 0);
	check_layout(GiB(3), 1, GiB(3), 0);
	check_layout(GiB(3) + KiB(4), 2, GiB(3), KiB(4));
	check_layout(GiB(4), 2, GiB(3), GiB(1));
	check_layout(GiB(5), 2, GiB(3), GiB(2));
	check_layout(GiB(1024), 2, GiB(3), GiB(1021));
}

static void test_low_end_empty(void **state)
{
	struct guest_mem m;

	(void)state;
	memset(&m, 0, sizeof(m));
	assert_int_equal(guest_mem_low_end(&m), 0);
	assert_null(guest_mem_ptr(&m, gpa(0), 0));
}

/* Layouts whose host pointers are small buffers set by hand: tests the
 * address arithmetic without allocating the real sizes. */
static uint8_t buf0[0x1000], buf1[0x1000];

static void test_ptr_arithmetic(void **state)
{
	struct guest_mem m = {.nr = 2};

	(void)state;
	m.r[0] = (struct mem_region){gpa(0), 0x1000, buf0};
	m.r[1] = (struct mem_region){gpa(GiB(4)), 0x1000, buf1};
	assert_ptr_equal(guest_mem_ptr(&m, gpa(0), 1), buf0);
	assert_ptr_equal(guest_mem_ptr(&m, gpa(0), 0x1000), buf0);
	assert_null(guest_mem_ptr(&m, gpa(0), 0x1001));
	assert_ptr_equal(guest_mem_ptr(&m, gpa(0xfff), 1), buf0 + 0xfff);
	assert_null(guest_mem_ptr(&m, gpa(0xfff), 2));
	assert_null(guest_mem_ptr(&m, gpa(0x1000), 1));
	/* len 0: valid inside a region or exactly at its end. */
	assert_ptr_equal(guest_mem_ptr(&m, gpa(0x1000), 0), buf0 + 0x1000);
	assert_ptr_equal(guest_mem_ptr(&m, gpa(0x800), 0), buf0 + 0x800);
	assert_null(guest_mem_ptr(&m, gpa(0x1001), 0));
	/* Between the regions. */
	assert_null(guest_mem_ptr(&m, gpa(GiB(3)), 1));
	assert_null(guest_mem_ptr(&m, gpa(GiB(4) - 1), 1));
	assert_null(guest_mem_ptr(&m, gpa(GiB(4) - 1), 2));
	assert_ptr_equal(guest_mem_ptr(&m, gpa(GiB(4)), 4), buf1);
	assert_ptr_equal(guest_mem_ptr(&m, gpa(GiB(4) + 0xffc), 4), buf1 + 0xffc);
	assert_null(guest_mem_ptr(&m, gpa(GiB(4) + 0xffd), 4));
	assert_null(guest_mem_ptr(&m, gpa(GiB(4) + 0x1000), 1));
	/* Huge lengths must not wrap around into a region. */
	assert_null(guest_mem_ptr(&m, gpa(0x10), ~0ull));
	assert_null(guest_mem_ptr(&m, gpa(0x10), ~0ull - 0xf));
	assert_null(guest_mem_ptr(&m, gpa(~0ull), 2));
	assert_null(guest_mem_ptr(&m, gpa(~0ull), 1));
}

static void test_ptr_top_of_space(void **state)
{
	struct guest_mem m = {.nr = 2};
	const uint64_t top = 0ull - 0x1000; /* last page below 2^64 */

	(void)state;
	m.r[0] = (struct mem_region){gpa(0), 0x1000, buf0};
	m.r[1] = (struct mem_region){gpa(top), 0x1000, buf1};
	assert_ptr_equal(guest_mem_ptr(&m, gpa(top), 0x1000), buf1);
	assert_ptr_equal(guest_mem_ptr(&m, gpa(~0ull), 1), buf1 + 0xfff);
	assert_ptr_equal(guest_mem_ptr(&m, gpa(~0ull), 0), buf1 + 0xfff);
	assert_null(guest_mem_ptr(&m, gpa(~0ull), 2));
	assert_null(guest_mem_ptr(&m, gpa(top), 0x1001));
	assert_null(guest_mem_ptr(&m, gpa(top + 0x800), 0x1000));
	assert_null(guest_mem_ptr(&m, gpa(top - 1), 2));
}

static void test_ptr_unallocated(void **state)
{
	struct guest_mem m;

	(void)state;
	assert_int_equal(guest_mem_layout(&m, MiB(64)), 0);
	assert_null(guest_mem_ptr(&m, gpa(0), 1));
	assert_null(guest_mem_ptr(&m, gpa(0x1000), 0));
}

static void test_rw_64m(void **state)
{
	struct guest_mem m;
	uint8_t in[16], out[16];
	const uint64_t end = MiB(64);

	(void)state;
	assert_int_equal(guest_mem_layout(&m, end), 0);
	assert_int_equal(guest_mem_alloc(&m), 0);
	assert_non_null(m.r[0].host);
	for (unsigned i = 0; i < sizeof(in); i++)
		in[i] = 0x40 + i;
	assert_int_equal(guest_mem_write(&m, gpa(0), in, 16), 0);
	assert_memory_equal(m.r[0].host, in, 16);
	assert_int_equal(guest_mem_write(&m, gpa(end - 16), in, 16), 0);
	memset(out, 0, sizeof(out));
	assert_int_equal(guest_mem_read(&m, gpa(end - 16), out, 16), 0);
	assert_memory_equal(out, in, 16);
	assert_int_equal(m.r[0].host[end - 1], 0x4f);
	assert_ptr_equal(guest_mem_ptr(&m, gpa(end - 1), 1), m.r[0].host + end - 1);
	/* Past the end: -EFAULT, nothing copied. */
	memset(out, 0x77, sizeof(out));
	assert_int_equal(guest_mem_write(&m, gpa(end - 15), in, 16), -EFAULT);
	assert_int_equal(guest_mem_read(&m, gpa(end - 15), out, 16), -EFAULT);
	assert_int_equal(guest_mem_read(&m, gpa(end), out, 1), -EFAULT);
	assert_int_equal(guest_mem_write(&m, gpa(end), in, 1), -EFAULT);
	assert_int_equal(guest_mem_read(&m, gpa(~0ull), out, 1), -EFAULT);
	assert_int_equal(guest_mem_read(&m, gpa(8), out, ~0ull), -EFAULT);
	for (unsigned i = 0; i < sizeof(out); i++)
		assert_int_equal(out[i], 0x77);
	/* len 0 at the end is fine, one past it is not. */
	assert_int_equal(guest_mem_read(&m, gpa(end), out, 0), 0);
	assert_int_equal(guest_mem_write(&m, gpa(end), in, 0), 0);
	assert_int_equal(guest_mem_read(&m, gpa(end + 1), out, 0), -EFAULT);
	guest_mem_free(&m);
	assert_null(m.r[0].host);
	guest_mem_free(&m); /* idempotent */
	assert_int_equal(guest_mem_read(&m, gpa(0), out, 1), -EFAULT);
}

/* A layout just above the hole: 3 GiB + 2 MiB. The regions are reserved with
 * MAP_NORESERVE and only a few pages are touched. */
static void test_rw_hole(void **state)
{
	struct guest_mem m;
	uint32_t v = 0xcafef00d, w = 0;
	int ret;

	(void)state;
	assert_int_equal(guest_mem_layout(&m, GiB(3) + MiB(2)), 0);
	ret = guest_mem_alloc(&m);
	if (ret == -ENOMEM)
		skip_because(__func__, "3 GiB of guest memory cannot be mapped here (ENOMEM)");
	assert_int_equal(ret, 0);
	assert_ptr_equal(guest_mem_ptr(&m, gpa(GiB(3) - 1), 1), m.r[0].host + GiB(3) - 1);
	assert_ptr_equal(guest_mem_ptr(&m, gpa(GiB(3)), 0), m.r[0].host + GiB(3));
	assert_null(guest_mem_ptr(&m, gpa(GiB(3) - 1), 2));
	assert_null(guest_mem_ptr(&m, gpa(GiB(3)), 1));
	assert_null(guest_mem_ptr(&m, gpa(LAYOUT_IOAPIC), 4));
	assert_null(guest_mem_ptr(&m, gpa(GiB(4) - 1), 1));
	assert_null(guest_mem_ptr(&m, gpa(GiB(4) - 1), 2));
	assert_ptr_equal(guest_mem_ptr(&m, gpa(GiB(4)), 1), m.r[1].host);
	assert_ptr_equal(guest_mem_ptr(&m, gpa(GiB(4) + MiB(2) - 1), 1), m.r[1].host + MiB(2) - 1);
	assert_null(guest_mem_ptr(&m, gpa(GiB(4) + MiB(2)), 1));
	assert_int_equal(guest_mem_write(&m, gpa(GiB(4) + 0x10), &v, 4), 0);
	assert_int_equal(m.r[1].host[0x10], 0x0d);
	assert_int_equal(m.r[1].host[0x13], 0xca);
	assert_int_equal(guest_mem_read(&m, gpa(GiB(4) + 0x10), &w, 4), 0);
	assert_int_equal(w, v);
	assert_int_equal(guest_mem_write(&m, gpa(GiB(3) - 2), &v, 4), -EFAULT);
	assert_int_equal(guest_mem_write(&m, gpa(GiB(3) - 4), &v, 4), 0);
	assert_int_equal(m.r[0].host[GiB(3) - 1], 0xca);
	assert_int_equal(guest_mem_read(&m, gpa(GiB(4) - 2), &w, 4), -EFAULT);
	guest_mem_free(&m);
}

struct map_want {
	uint64_t addr, size;
	uint32_t type;
};

static void check_map(uint64_t ram, const struct map_want *want, unsigned n)
{
	struct guest_mem m;
	struct mem_map_entry e[MEM_MAP_MAX];

	memset(e, 0, sizeof(e));
	assert_int_equal(guest_mem_layout(&m, ram), 0);
	assert_int_equal(guest_mem_map(&m, e, MEM_MAP_MAX), n);
	for (unsigned i = 0; i < n; i++) {
		assert_int_equal(e[i].addr, want[i].addr);
		assert_int_equal(e[i].size, want[i].size);
		assert_int_equal(e[i].type, want[i].type);
	}
}

#define LOW_RAM                                                                                    \
	{                                                                                          \
		0, 0x9fc00, MEM_MAP_RAM                                                            \
	}
#define EBDA                                                                                       \
	{                                                                                          \
		0x9fc00, 0x400, MEM_MAP_RESERVED                                                   \
	}
#define BIOS                                                                                       \
	{                                                                                          \
		0xe0000, 0x20000, MEM_MAP_RESERVED                                                 \
	}

static void test_map(void **state)
{
	const struct map_want m2[] = {LOW_RAM, EBDA, BIOS, {MiB(1), MiB(1), MEM_MAP_RAM}};
	const struct map_want m256[] = {LOW_RAM, EBDA, BIOS, {MiB(1), MiB(255), MEM_MAP_RAM}};
	const struct map_want m3g[] = {LOW_RAM, EBDA, BIOS, {MiB(1), GiB(3) - MiB(1), MEM_MAP_RAM}};
	const struct map_want m4g[] = {LOW_RAM,
				       EBDA,
				       BIOS,
				       {MiB(1), GiB(3) - MiB(1), MEM_MAP_RAM},
				       {GiB(4), GiB(1), MEM_MAP_RAM}};
	const struct map_want m5g[] = {LOW_RAM,
				       EBDA,
				       BIOS,
				       {MiB(1), GiB(3) - MiB(1), MEM_MAP_RAM},
				       {GiB(4), GiB(2), MEM_MAP_RAM}};

	(void)state;
	check_map(MiB(2), m2, ARRAY_SIZE(m2));
	check_map(MiB(256), m256, ARRAY_SIZE(m256));
	check_map(GiB(3), m3g, ARRAY_SIZE(m3g));
	check_map(GiB(4), m4g, ARRAY_SIZE(m4g));
	check_map(GiB(5), m5g, ARRAY_SIZE(m5g));
}

static void test_map_truncated(void **state)
{
	struct guest_mem m;
	struct mem_map_entry e[MEM_MAP_MAX];

	(void)state;
	assert_int_equal(guest_mem_layout(&m, GiB(5)), 0);
	memset(e, 0xee, sizeof(e));
	assert_int_equal(guest_mem_map(&m, e, 2), 2);
	assert_int_equal(e[1].addr, 0x9fc00);
	assert_int_equal(e[2].addr, 0xeeeeeeeeeeeeeeeeull); /* untouched */
	assert_int_equal(guest_mem_map(&m, e, 0), 0);
	assert_int_equal(guest_mem_map(&m, e, 4), 4);
	assert_int_equal(e[3].size, GiB(3) - MiB(1));
	assert_int_equal(e[4].addr, 0xeeeeeeeeeeeeeeeeull);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout_invalid),
		cmocka_unit_test(test_layout_sizes),
		cmocka_unit_test(test_low_end_empty),
		cmocka_unit_test(test_ptr_arithmetic),
		cmocka_unit_test(test_ptr_top_of_space),
		cmocka_unit_test(test_ptr_unallocated),
		cmocka_unit_test(test_rw_64m),
		cmocka_unit_test(test_rw_hole),
		cmocka_unit_test(test_map),
		cmocka_unit_test(test_map_truncated),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
