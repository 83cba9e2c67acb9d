/* SPDX-License-Identifier: MIT */
/* ACPI tables for the guest: RSDP, XSDT, FADT (HW-reduced), MADT, DSDT.
 *
 * acpi_build() lays every table out in one host buffer that the guest sees at
 * a given GPA (normally LAYOUT_BIOS_START), RSDP first so that a scan of the
 * BIOS area on 16-byte boundaries finds it.
 *
 * Other modules add tables (MCFG, VIOT, DMAR, ...) and DSDT content (a PCI
 * root bridge, ...) through struct acpi_ext, using the table builder in
 * vmm/acpi/builder.h and the AML encoder in vmm/acpi/aml.h; acpi_build()
 * itself does not change when they do. */
#ifndef VMM_ACPI_H
#define VMM_ACPI_H

#include "vmm/types.h"

/* HW-reduced sleep control register (FADT SLEEP_CONTROL_REG, one byte at
 * PORT_ACPI_PM + 0). The guest writes ((SLP_TYP << 2) & 0x1c) | SLP_EN;
 * SLP_TYP comes from the DSDT's \_S5_ package. The PM device decodes
 * SLP_EN with SLP_TYP == ACPI_S5_SLP_TYP as power-off. */
#define ACPI_SLP_TYP_SHIFT 2
#define ACPI_SLP_TYP_MASK  0x1c
#define ACPI_SLP_EN	   0x20
#define ACPI_WAK_STS	   0x80 /* sleep status register (PORT_ACPI_PM + 1) */
#define ACPI_S5_SLP_TYP	   5

/* Largest vCPU count: xAPIC ids 0..254 (0xff is broadcast). */
#define ACPI_MAX_CPUS 254
/* Most tables the XSDT can list. */
#define ACPI_MAX_TABLES 16

/* The OEM identity written into every table. */
#define ACPI_OEM_ID	      "IOMVMM"	 /* 6 chars */
#define ACPI_OEM_TABLE_ID     "IOMVMM  " /* 8 chars */
#define ACPI_OEM_REVISION     1
#define ACPI_CREATOR_ID	      "IOMV" /* 4 chars */
#define ACPI_CREATOR_REVISION 1

struct acpi_builder; /* vmm/acpi/builder.h */
struct aml;	     /* vmm/acpi/aml.h */

/* A module's contribution. Either hook may be NULL. Hooks return 0 or a
 * negative errno, which aborts acpi_build() with that error. */
struct acpi_ext {
	const char *name; /* for error messages */
	/* Append tables with acpi_table_alloc()/acpi_table_commit(). Runs
	 * after FADT and MADT, before the XSDT is written. */
	int (*add_tables)(struct acpi_builder *b, void *opaque);
	/* Emit AML inside the DSDT's Scope (\_SB), after the built-in
	 * devices. Errors may also be left sticky in the encoder. */
	int (*add_dsdt)(struct aml *a, void *opaque);
	void *opaque;
};

struct acpi_config {
	unsigned nr_cpus;	    /* 1..ACPI_MAX_CPUS; APIC id = index */
	const struct acpi_ext *ext; /* nr_ext contributions, in order */
	unsigned nr_ext;
};

/* Build every table into buf[0..len), which the guest sees at 'base'
 * (16-byte aligned, base + len <= 4 GiB). The RSDP goes at offset 0 and its
 * GPA is stored in *rsdp_out. The whole of buf[0..len) is rewritten (unused
 * bytes are zeroed); nothing outside it is touched.
 * Returns 0, -EINVAL for a bad config or base, -ENOSPC when the tables do
 * not fit, -ENOMEM, or an extension's error. */
int __must_check acpi_build(const struct acpi_config *cfg, uint8_t *buf, size_t len, gpa_t base,
			    gpa_t *rsdp_out);

#endif
