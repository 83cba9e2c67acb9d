/* SPDX-License-Identifier: MIT */
/* Unit tests for the ACPI extension hooks (struct acpi_ext) and the table
 * builder (vmm/acpi/builder.h). */
#include <errno.h>
#include <stdlib.h>

#include "acpi_fixture.h"
#include "vmm/acpi/aml.h"
#include "vmm/acpi/builder.h"

/* An extension adds a table to the XSDT and a device to \_SB. */
static int ext_tables(struct acpi_builder *b, void *opaque)
{
	struct acpi_table_header *h;

	h = acpi_table_alloc(b, "TEST", 1, sizeof(*h) + 4, NULL);
	if (!h)
		return acpi_builder_error(b);
	memcpy(h + 1, opaque, 4);
	return acpi_table_commit(b, h, true);
}

static int ext_dsdt(struct aml *a, void *opaque)
{
	(void)opaque;
	aml_device_begin(a, "PCI0");
	aml_name_eisaid(a, "_HID", "PNP0A08");
	aml_end(a);
	return aml_error(a);
}

static int ext_fail(struct acpi_builder *b, void *opaque)
{
	(void)b;
	(void)opaque;
	return -ENODEV;
}

/* Leaves an object open: acpi_build() must notice. */
static int ext_unbalanced(struct aml *a, void *opaque)
{
	(void)opaque;
	aml_device_begin(a, "BAD0");
	return 0;
}

static void test_extension(void **state)
{
	struct acpi_ext ext[] = {
		{.name = "test", .add_tables = ext_tables, .add_dsdt = ext_dsdt, .opaque = "abcd"},
	};
	struct acpi_config cfg = {.nr_cpus = 1, .ext = ext, .nr_ext = 1};
	const struct acpi_table_header *t, *d;
	gpa_t rsdp;

	(void)state;
	assert_int_equal(acpi_build(&cfg, area, sizeof(area), gpa(AREA_BASE), &rsdp), 0);
	t = xsdt_find("TEST");
	assert_non_null(t);
	assert_memory_equal(t + 1, "abcd", 4);
	assert_non_null(xsdt_find("APIC"));
	d = dsdt_find();
	assert_non_null(memmem(d, d->length, "PCI0", 4));

	ext[0].add_tables = ext_fail;
	assert_int_equal(acpi_build(&cfg, area, sizeof(area), gpa(AREA_BASE), &rsdp), -ENODEV);
	ext[0].add_tables = NULL;
	ext[0].add_dsdt = ext_unbalanced;
	assert_int_equal(acpi_build(&cfg, area, sizeof(area), gpa(AREA_BASE), &rsdp), -EINVAL);
	cfg.ext = NULL;
	assert_int_equal(acpi_build(&cfg, area, sizeof(area), gpa(AREA_BASE), &rsdp), -EINVAL);
}

/* The XSDT holds at most ACPI_MAX_TABLES entries; bad signatures fail. */
static void test_builder_limits(void **state)
{
	static uint8_t buf[8192];
	struct acpi_builder b;
	void *t;
	gpa_t g;

	(void)state;
	acpi_builder_init(&b, buf, sizeof(buf), gpa(AREA_BASE));
	for (unsigned i = 0; i < ACPI_MAX_TABLES; i++) {
		t = acpi_table_alloc(&b, "TEST", 1, 36, NULL);
		assert_non_null(t);
		assert_int_equal(acpi_table_commit(&b, t, true), 0);
		assert_int_equal(sum(t, 36), 0);
	}
	t = acpi_table_alloc(&b, "TEST", 1, 36, NULL);
	assert_int_equal(acpi_table_commit(&b, t, true), -ENOSPC);
	assert_null(acpi_table_alloc(&b, "TEST", 1, 36, NULL));

	acpi_builder_init(&b, buf, sizeof(buf), gpa(AREA_BASE));
	assert_null(acpi_table_alloc(&b, "TOOLONG", 1, 36, NULL));
	assert_int_equal(acpi_builder_error(&b), -EINVAL);

	acpi_builder_init(&b, buf, sizeof(buf), gpa(AREA_BASE));
	assert_null(acpi_table_alloc(&b, "TEST", 1, 35, NULL));
	assert_int_equal(acpi_builder_error(&b), -EINVAL);

	/* Alignment follows the GPA, not the host pointer. */
	acpi_builder_init(&b, buf, sizeof(buf), gpa(AREA_BASE + 4));
	assert_non_null(acpi_builder_reserve(&b, 1, 16, &g));
	assert_int_equal(g.a, AREA_BASE + 16);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_extension),
		cmocka_unit_test(test_builder_limits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
