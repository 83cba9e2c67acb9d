/* SPDX-License-Identifier: MIT */
/* Unit tests for the AML encoder (vmm/acpi/aml.h). Expected byte strings
 * were checked against iasl 20200925 (`iasl -oa`) output. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "vmm/acpi/aml.h"

#define EXPECT_AML(a, ...)                                                                         \
	do {                                                                                       \
		static const uint8_t exp_[] = {__VA_ARGS__};                                       \
		assert_int_equal(aml_finish(a), 0);                                                \
		assert_int_equal((a)->len, sizeof(exp_));                                          \
		assert_memory_equal((a)->buf, exp_, sizeof(exp_));                                 \
	} while (0)

/* Decode a PkgLength at p; returns the value and its width in *n. */
static size_t pkglen_decode(const uint8_t *p, int *n)
{
	size_t v;

	*n = 1 + (p[0] >> 6);
	if (*n == 1)
		return p[0] & 0x3f;
	v = p[0] & 0x0f;
	for (int i = 1; i < *n; i++)
		v |= (size_t)p[i] << (4 + 8 * (i - 1));
	return v;
}

static void test_pkglength_boundaries(void **state)
{
	static const struct {
		size_t total;
		int n;
		uint8_t b[4];
	} cases[] = {
		{0, 1, {0x00}},
		{1, 1, {0x01}},
		{63, 1, {0x3f}},
		{64, 2, {0x40, 0x04}},
		{4095, 2, {0x4f, 0xff}},
		{4096, 3, {0x80, 0x00, 0x01}},
		{0xfffff, 3, {0x8f, 0xff, 0xff}},
		{0x100000, 4, {0xc0, 0x00, 0x00, 0x01}},
		{0xfffffff, 4, {0xcf, 0xff, 0xff, 0xff}},
	};
	uint8_t out[4];

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		memset(out, 0xee, sizeof(out));
		assert_int_equal(aml_pkglength_encode(out, cases[i].total), cases[i].n);
		assert_memory_equal(out, cases[i].b, (size_t)cases[i].n);
	}
	assert_int_equal(aml_pkglength_encode(out, 0x10000000), -EINVAL);
}

/* Scope bodies around each width boundary: PkgLength must count its own
 * bytes, use the smallest width, and cover exactly the rest of the object. */
static void test_pkglength_backpatch(void **state)
{
	static const size_t bodies[] = {0,	 57,	  58,	    59,	     60,      61,
					62,	 63,	  64,	    4090,    4091,    4092,
					4093,	 4094,	  4095,	    0xffff0, 0xffffb, 0xffffc,
					0xffffd, 0xfffff, 0x100000, 0x200000};
	uint8_t *fill = calloc(1, 0x200000);

	(void)state;
	assert_non_null(fill);
	for (size_t i = 0; i < ARRAY_SIZE(bodies); i++) {
		size_t raw = bodies[i], body = raw + 4; /* + NameSeg */
		struct aml a;
		size_t v;
		int n;

		aml_init(&a);
		aml_scope_begin(&a, "ABCD");
		aml_bytes(&a, fill, raw);
		aml_end(&a);
		assert_int_equal(aml_finish(&a), 0);
		assert_int_equal(a.buf[0], AML_SCOPE_OP);
		v = pkglen_decode(a.buf + 1, &n);
		assert_int_equal(v, a.len - 1);
		assert_int_equal(v, body + (size_t)n);
		assert_memory_equal(a.buf + 1 + n, "ABCD", 4);
		/* Minimal: the next smaller width could not hold it. */
		if (n == 2)
			assert_true(body + 1 > 63);
		if (n == 3)
			assert_true(body + 2 > 0xfff);
		if (n == 4)
			assert_true(body + 3 > 0xfffff);
		aml_fini(&a);
	}
	free(fill);
}

static void expect_integer(uint64_t v, const uint8_t *exp, size_t n)
{
	struct aml a;

	aml_init(&a);
	aml_integer(&a, v);
	assert_int_equal(aml_error(&a), 0);
	assert_int_equal(a.len, n);
	assert_memory_equal(a.buf, exp, n);
	aml_fini(&a);
}

static void test_integers(void **state)
{
	(void)state;
	expect_integer(0, (const uint8_t[]){0x00}, 1);
	expect_integer(1, (const uint8_t[]){0x01}, 1);
	expect_integer(2, (const uint8_t[]){0x0a, 0x02}, 2);
	expect_integer(0xff, (const uint8_t[]){0x0a, 0xff}, 2);
	expect_integer(0x100, (const uint8_t[]){0x0b, 0x00, 0x01}, 3);
	expect_integer(0xffff, (const uint8_t[]){0x0b, 0xff, 0xff}, 3);
	expect_integer(0x10000, (const uint8_t[]){0x0c, 0x00, 0x00, 0x01, 0x00}, 5);
	expect_integer(0xffffffff, (const uint8_t[]){0x0c, 0xff, 0xff, 0xff, 0xff}, 5);
	expect_integer(1ull << 32, (const uint8_t[]){0x0e, 0, 0, 0, 0, 1, 0, 0, 0}, 9);
	expect_integer(UINT64_MAX,
		       (const uint8_t[]){0x0e, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, 9);
}

static void expect_name(const char *name, const char *exp, size_t n)
{
	struct aml a;

	aml_init(&a);
	aml_name_string(&a, name);
	assert_int_equal(aml_error(&a), 0);
	assert_int_equal(a.len, n);
	assert_memory_equal(a.buf, exp, n);
	aml_fini(&a);
}

static void test_names(void **state)
{
	static const char *const bad[] = {"abcd", "ABCDE", "1ABC", "A..B",
					  "A.",	  ".A",	   "\\^A", "A-B"};

	(void)state;
	expect_name("_SB", "_SB_", 4);
	expect_name("A", "A___", 4);
	expect_name("COM1", "COM1", 4);
	expect_name("\\_S5", "\\_S5_", 5);
	expect_name("^FOO", "^FOO_", 5);
	expect_name("^^FOO", "^^FOO_", 6);
	expect_name("\\_SB.PCI0", "\\\x2e_SB_PCI0", 10);
	expect_name("\\_SB.PCI0.S08", "\\\x2f\x03_SB_PCI0S08_", 15);
	expect_name("", "\0", 1);
	expect_name("\\", "\\\0", 2);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		struct aml a;

		aml_init(&a);
		aml_name_string(&a, bad[i]);
		assert_int_equal(aml_error(&a), -EINVAL);
		aml_fini(&a);
	}
}

static void test_eisaid_string(void **state)
{
	struct aml a;

	(void)state;
	aml_init(&a);
	aml_eisaid(&a, "PNP0501");
	aml_eisaid(&a, "PNP0A08");
	aml_string(&a, "ab");
	EXPECT_AML(&a, 0x0c, 0x41, 0xd0, 0x05, 0x01, 0x0c, 0x41, 0xd0, 0x0a, 0x08, 0x0d, 'a', 'b',
		   0x00);
	aml_fini(&a);

	aml_init(&a);
	aml_eisaid(&a, "pnp0501");
	assert_int_equal(aml_error(&a), -EINVAL);
	aml_fini(&a);
}

static void test_package_buffer_method(void **state)
{
	struct aml a;

	(void)state;
	aml_init(&a);
	aml_name(&a, "\\_S5");
	aml_package_begin(&a, 4);
	aml_integer(&a, 5);
	aml_integer(&a, 5);
	aml_integer(&a, 0);
	aml_integer(&a, 0);
	aml_end(&a);
	EXPECT_AML(&a, 0x08, '\\', '_', 'S', '5', '_', 0x12, 0x08, 0x04, 0x0a, 0x05, 0x0a, 0x05,
		   0x00, 0x00);
	aml_fini(&a);

	aml_init(&a);
	aml_buffer_begin(&a);
	aml_bytes(&a, "\x01\x02\x03", 3);
	aml_end(&a);
	EXPECT_AML(&a, 0x11, 0x06, 0x0a, 0x03, 0x01, 0x02, 0x03);
	aml_fini(&a);

	aml_init(&a);
	aml_method_begin(&a, "_STA", 0, false);
	aml_return_integer(&a, 0x0f);
	aml_end(&a);
	EXPECT_AML(&a, 0x14, 0x09, '_', 'S', 'T', 'A', 0x00, 0xa4, 0x0a, 0x0f);
	aml_fini(&a);
}

/* The DSDT's COM1 _CRS, as iasl encodes it. */
static void test_resource_com1(void **state)
{
	struct aml a;

	(void)state;
	aml_init(&a);
	aml_resource_begin(&a);
	aml_io(&a, 0x3f8, 0x3f8, 1, 8);
	aml_irq(&a, 4, true, false, false);
	aml_end(&a);
	EXPECT_AML(&a, 0x11, 0x11, 0x0a, 0x0e, 0x47, 0x01, 0xf8, 0x03, 0xf8, 0x03, 0x01, 0x08, 0x23,
		   0x10, 0x00, 0x01, 0x79, 0x00);
	aml_fini(&a);
}

/* Descriptors a PCI host bridge / IOMMU will use, against iasl output. */
static void test_resource_pci(void **state)
{
	struct aml a;

	(void)state;
	aml_init(&a);
	aml_name(&a, "RES0");
	aml_resource_begin(&a);
	aml_word_bus_number(&a, 0, 0xff);
	aml_word_io(&a, 0x0d00, 0xffff);
	aml_dword_memory(&a, 0xc0000000, 0xdfffffff, false);
	aml_qword_memory(&a, 0x8000000000ull, 0x8fffffffffull, true);
	aml_memory32_fixed(&a, 0xfed90000, 0x1000, true);
	aml_interrupt(&a, 16, false, false, true);
	aml_irq(&a, 9, false, true, true);
	aml_end(&a);
	EXPECT_AML(&a, 0x08, 'R', 'E', 'S', '0', 0x11, 0x47, 0x08, 0x0a, 0x83,
		   /* WordBusNumber */
		   0x88, 0x0d, 0x00, 0x02, 0x0c, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0x00, 0x00,
		   0x00, 0x00, 0x01,
		   /* WordIO */
		   0x88, 0x0d, 0x00, 0x01, 0x0c, 0x03, 0x00, 0x00, 0x00, 0x0d, 0xff, 0xff, 0x00,
		   0x00, 0x00, 0xf3,
		   /* DWordMemory */
		   0x87, 0x17, 0x00, 0x00, 0x0c, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		   0xc0, 0xff, 0xff, 0xff, 0xdf, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x20,
		   /* QWordMemory */
		   0x8a, 0x2b, 0x00, 0x00, 0x0c, 0x07, 0, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x00, 0x00,
		   0x00, 0x80, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0x8f, 0x00, 0x00, 0x00, 0,
		   0, 0, 0, 0, 0, 0, 0, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00,
		   /* Memory32Fixed */
		   0x86, 0x09, 0x00, 0x01, 0x00, 0x00, 0xd9, 0xfe, 0x00, 0x10, 0x00, 0x00,
		   /* Interrupt */
		   0x89, 0x06, 0x00, 0x09, 0x01, 0x10, 0x00, 0x00, 0x00,
		   /* IRQ */
		   0x23, 0x00, 0x02, 0x18, 0x79, 0x00);
	aml_fini(&a);
}

static void test_device(void **state)
{
	struct aml a;

	(void)state;
	aml_init(&a);
	aml_device_begin(&a, "PWRB");
	aml_name_eisaid(&a, "_HID", "PNP0C0C");
	aml_end(&a);
	EXPECT_AML(&a, 0x5b, 0x82, 0x0f, 'P', 'W', 'R', 'B', 0x08, '_', 'H', 'I', 'D', 0x0c, 0x41,
		   0xd0, 0x0c, 0x0c);
	aml_fini(&a);
}

static void test_errors(void **state)
{
	struct aml a;

	(void)state;
	/* A descriptor outside a ResourceTemplate. */
	aml_init(&a);
	aml_io(&a, 0, 0, 1, 1);
	assert_int_equal(aml_error(&a), -EINVAL);
	aml_fini(&a);
	/* Inside a plain Buffer is not inside a template either. */
	aml_init(&a);
	aml_buffer_begin(&a);
	aml_irq(&a, 4, true, false, false);
	assert_int_equal(aml_error(&a), -EINVAL);
	aml_fini(&a);
	/* Unbalanced end, and an object left open. */
	aml_init(&a);
	aml_end(&a);
	assert_int_equal(aml_error(&a), -EINVAL);
	aml_fini(&a);
	aml_init(&a);
	aml_scope_begin(&a, "_SB");
	assert_int_equal(aml_error(&a), 0);
	assert_int_equal(aml_finish(&a), -EINVAL);
	aml_end(&a);
	assert_int_equal(aml_finish(&a), 0);
	aml_fini(&a);
	/* Too deep. */
	aml_init(&a);
	for (int i = 0; i <= AML_MAX_DEPTH; i++)
		aml_scope_begin(&a, "ABCD");
	assert_int_equal(aml_error(&a), -E2BIG);
	aml_fini(&a);
	/* Bad arguments. */
	aml_init(&a);
	aml_method_begin(&a, "M", 8, false);
	assert_int_equal(aml_error(&a), -EINVAL);
	aml_fini(&a);
	aml_init(&a);
	aml_package_begin(&a, 256);
	assert_int_equal(aml_error(&a), -EINVAL);
	aml_fini(&a);
	aml_init(&a);
	aml_resource_begin(&a);
	aml_irq(&a, 16, true, false, false);
	assert_int_equal(aml_error(&a), -EINVAL);
	aml_fini(&a);
	aml_init(&a);
	aml_resource_begin(&a);
	aml_dword_memory(&a, 2, 1, false);
	assert_int_equal(aml_error(&a), -EINVAL);
	aml_fini(&a);
	/* Errors are sticky: nothing more is emitted. */
	aml_init(&a);
	aml_name_string(&a, "bad");
	aml_integer(&a, 7);
	assert_int_equal(aml_error(&a), -EINVAL);
	assert_int_equal(a.len, 0);
	aml_fini(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pkglength_boundaries),
		cmocka_unit_test(test_pkglength_backpatch),
		cmocka_unit_test(test_integers),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_eisaid_string),
		cmocka_unit_test(test_package_buffer_method),
		cmocka_unit_test(test_resource_com1),
		cmocka_unit_test(test_resource_pci),
		cmocka_unit_test(test_device),
		cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
