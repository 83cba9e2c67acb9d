/* SPDX-License-Identifier: MIT */
/* The ACPI DMAR table of one VT-d unit (VT-d 8.1). Apart from the model so
 * that tests/acpi/dump_tables.c can build it alone. */
#ifndef DEVICES_VTD_DMAR_H
#define DEVICES_VTD_DMAR_H

#include "vmm/acpi.h"
#include "vmm/types.h"

struct vtd_dmar_config {
	uint64_t base;	     /* the register page */
	unsigned aw_bits;    /* host address width */
	bool intr_remap;     /* flag INTR_REMAP: the unit remaps interrupts */
	bool x2apic_opt_out; /* flag X2APIC_OPT_OUT (no EIM) */
	uint8_t ioapic_id;   /* the IOAPIC's device scope: its MADT ID */
	uint16_t ioapic_rid; /* and its requester id (bus 0) */
	/* scoped: only these PCI endpoints (bus 0 requester ids) are under the
	 * unit; else every PCI device is (INCLUDE_PCI_ALL) */
	bool scoped;
	unsigned nr_eps;
	const uint16_t *eps;
};

/* An acpi_ext that appends the DMAR table: the host address width, the
 * flags, and one DRHD at c->base, with INCLUDE_PCI_ALL or (c->scoped) one
 * PCI endpoint scope (type 1) per endpoint, and a device scope for the
 * IOAPIC (type 3) with enumeration ID c->ioapic_id at c->ioapic_rid (an
 * interrupt-remapping OS needs every IOAPIC under a unit). c and c->eps
 * must outlive acpi_build(). */
struct acpi_ext vtd_dmar_acpi_ext(const struct vtd_dmar_config *c);

#endif
