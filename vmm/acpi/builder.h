/* SPDX-License-Identifier: MIT */
/* The ACPI table builder: places tables one after another in the output
 * buffer, fills their headers and checksums, and remembers which ones the
 * XSDT must list. Used by acpi_build() and by struct acpi_ext hooks.
 *
 * Usage for one table:
 *	struct acpi_mcfg *t = acpi_table_alloc(b, "MCFG", 1, len, NULL);
 *	if (!t)
 *		return acpi_builder_error(b);
 *	... fill the body ...
 *	return acpi_table_commit(b, t, true);
 */
#ifndef VMM_ACPI_BUILDER_H
#define VMM_ACPI_BUILDER_H

#include "vmm/acpi.h"
#include "vmm/acpi/tables.h"

struct acpi_builder {
	uint8_t *buf; /* host view of the output */
	size_t len;
	uint64_t base; /* GPA of buf[0] */
	size_t off;    /* first free byte */
	uint64_t xsdt[ACPI_MAX_TABLES];
	unsigned nr_xsdt;
	int err; /* first error, sticky */
};

/* Start building into buf[0..len) seen by the guest at 'base'. Zeroes the
 * buffer. Cannot fail; an unusable buffer makes later calls fail. */
void acpi_builder_init(struct acpi_builder *b, uint8_t *buf, size_t len, gpa_t base);

/* The first error recorded (negative errno), or 0. */
int acpi_builder_error(const struct acpi_builder *b);

/* Reserve 'len' zeroed bytes aligned to 'align' (a power of two) for a raw
 * structure (the RSDP). Returns a host pointer and its GPA in *gpa_out (may be
 * NULL), or NULL with -ENOSPC recorded. */
void *acpi_builder_reserve(struct acpi_builder *b, size_t len, size_t align, gpa_t *gpa_out);

/* Reserve a table of 'len' bytes (>= the 36-byte header), 8-byte aligned,
 * and fill its header: signature 'sig' (4 chars), length, revision, the
 * OEM/creator fields. The body is zeroed. Returns the table (its header
 * first) and its GPA in *gpa_out (may be NULL), or NULL with -ENOSPC or
 * -EINVAL recorded. */
void *acpi_table_alloc(struct acpi_builder *b, const char *sig, uint8_t revision, size_t len,
		       gpa_t *gpa_out);

/* Finish a table from acpi_table_alloc() once its body is written: compute
 * its checksum and, when 'in_xsdt', list it in the XSDT. Call last: a later
 * change to the table breaks the checksum. Returns 0, -EINVAL (not a table
 * of this builder), -ENOSPC (XSDT full), or an earlier sticky error. */
int acpi_table_commit(struct acpi_builder *b, void *table, bool in_xsdt);

/* The byte that makes 'len' bytes at 'p' sum to zero, given that the
 * checksum field itself currently holds zero. */
uint8_t acpi_checksum(const void *p, size_t len);

#endif
