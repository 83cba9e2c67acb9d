/* SPDX-License-Identifier: MIT */
/* The built-in tables, called by acpi_build() (acpi.c) in this order. */
#ifndef VMM_ACPI_INTERNAL_H
#define VMM_ACPI_INTERNAL_H

#include "vmm/acpi.h"
#include "vmm/acpi/aml.h"
#include "vmm/acpi/builder.h"

/* Emit the DSDT body (everything after the header) into 'a': \_S5_, then
 * Scope (\_SB) with COM1, PWRB and every extension's add_dsdt. Returns 0 or
 * the first error (encoder or extension). */
int acpi_dsdt_encode(struct aml *a, const struct acpi_config *cfg);

/* Append the DSDT (not listed in the XSDT); its GPA goes to *dsdt. */
int acpi_dsdt_add(struct acpi_builder *b, const struct acpi_config *cfg, gpa_t *dsdt);

/* Append the HW-reduced FADT pointing at the DSDT, listed in the XSDT. */
int acpi_fadt_add(struct acpi_builder *b, gpa_t dsdt);

/* Append the MADT for cfg->nr_cpus (1..ACPI_MAX_CPUS), listed in the XSDT. */
int acpi_madt_add(struct acpi_builder *b, const struct acpi_config *cfg);

#endif
