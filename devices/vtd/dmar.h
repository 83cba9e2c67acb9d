/* SPDX-License-Identifier: MIT */
/* The ACPI DMAR table of one VT-d unit (VT-d 8.1). Apart from the model so
 * that tests/acpi/dump_tables.c can build it alone. */
#ifndef DEVICES_VTD_DMAR_H
#define DEVICES_VTD_DMAR_H

#include "vmm/acpi.h"
#include "vmm/types.h"

struct vtd_dmar_config {
	uint64_t base;	  /* the register page */
	unsigned aw_bits; /* host address width */
};

/* An acpi_ext that appends the DMAR table: the host address width and one
 * DRHD with INCLUDE_PCI_ALL at c->base, no INTR_REMAP flag. c must outlive
 * acpi_build(). */
struct acpi_ext vtd_dmar_acpi_ext(const struct vtd_dmar_config *c);

#endif
