/* SPDX-License-Identifier: MIT */
/* Shared fixture of the tests that build the ACPI tables into the BIOS area
 * (test_acpi_ext.c, test_pci_acpi.c): the area itself, with the RSDP at its
 * start, and checked lookups of the tables in it. Helpers are static inline
 * so that a test program may leave some unused. */
#ifndef TESTS_UNIT_ACPI_FIXTURE_H
#define TESTS_UNIT_ACPI_FIXTURE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "vmm/acpi.h"
#include "vmm/acpi/tables.h"
#include "vmm/layout.h"

#define AREA_BASE LAYOUT_BIOS_START
#define AREA_LEN  (LAYOUT_BIOS_END - LAYOUT_BIOS_START)

/* Where acpi_build() writes, as guest memory at AREA_BASE. */
static uint8_t area[AREA_LEN];

static inline uint8_t sum(const void *p, size_t len)
{
	const uint8_t *b = p;
	uint8_t s = 0;

	while (len--)
		s += *b++;
	return s;
}

/* The table at gpa_addr: inside the area, whole, checksum right. */
static inline const struct acpi_table_header *table_at(uint64_t gpa_addr)
{
	const struct acpi_table_header *h;

	assert_true(range_within(gpa_addr, sizeof(*h), AREA_BASE, AREA_LEN));
	h = (const void *)(area + (gpa_addr - AREA_BASE));
	assert_true(range_within(gpa_addr, h->length, AREA_BASE, AREA_LEN));
	assert_int_equal(sum(h, h->length), 0);
	return h;
}

/* The XSDT entry with signature 'sig' (RSDP at offset 0), or NULL. */
static inline const struct acpi_table_header *xsdt_find(const char *sig)
{
	const struct acpi_rsdp *r = (const void *)area;
	const struct acpi_xsdt *x = (const void *)table_at(r->xsdt_address);
	size_t nr = (x->header.length - sizeof(x->header)) / 8;

	for (size_t i = 0; i < nr; i++) {
		const struct acpi_table_header *h = table_at(x->entry[i]);

		if (!memcmp(h->signature, sig, 4))
			return h;
	}
	return NULL;
}

/* The DSDT, through the FADT (which must be there). */
static inline const struct acpi_table_header *dsdt_find(void)
{
	const struct acpi_fadt *f = (const void *)xsdt_find("FACP");

	assert_non_null(f);
	return table_at(f->x_dsdt);
}

#endif /* TESTS_UNIT_ACPI_FIXTURE_H */
