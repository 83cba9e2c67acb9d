/* SPDX-License-Identifier: MIT */
/* Host tool for tests/acpi/iasl.sh: build the tables for N vCPUs at
 * LAYOUT_BIOS_START and write each one (RSDP, XSDT, every XSDT entry, the
 * DSDT; and the DMAR of devices/vtd/dmar.c) to DIR/<sig>.dat for `iasl -d`.
 * Usage: dump_tables DIR [NR_CPUS] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devices/vtd/dmar.h"
#include "vmm/acpi.h"
#include "vmm/acpi/tables.h"
#include "vmm/layout.h"

#define AREA_LEN (LAYOUT_BIOS_END - LAYOUT_BIOS_START)

static uint8_t area[AREA_LEN];

static const void *at(uint64_t gpa_addr, size_t len)
{
	if (!range_within(gpa_addr, len, LAYOUT_BIOS_START, AREA_LEN)) {
		fprintf(stderr, "dump_tables: 0x%llx outside the area\n",
			(unsigned long long)gpa_addr);
		exit(1);
	}
	return area + (gpa_addr - LAYOUT_BIOS_START);
}

static void dump(const char *dir, const char *name, const void *p, size_t len)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s.dat", dir, name);
	f = fopen(path, "wb");
	if (!f || fwrite(p, 1, len, f) != len || fclose(f)) {
		perror(path);
		exit(1);
	}
}

static const struct acpi_table_header *table_at(uint64_t gpa_addr)
{
	const struct acpi_table_header *h = at(gpa_addr, sizeof(*h));

	return at(gpa_addr, h->length);
}

int main(int argc, char **argv)
{
	/* The DMAR of --iommu intel, checked with the built-in tables. */
	static const uint16_t eps[] = {0x08, 0x10, 0x19}; /* 01.0, 02.0, 03.1 */
	static struct vtd_dmar_config dmar = {
		.base = LAYOUT_IOMMU_REGS,
		.aw_bits = 48,
		.intr_remap = true,
		.ioapic_id = 0,
		.ioapic_rid = 0x00f0, /* 00:1e.0, as vmm/machine.h's MACHINE_IOAPIC_RID */
		.nr_eps = ARRAY_SIZE(eps),
		.eps = eps,
	};
	const struct acpi_ext ext[] = {vtd_dmar_acpi_ext(&dmar)};
	struct acpi_config cfg = {.nr_cpus = 2, .ext = ext, .nr_ext = ARRAY_SIZE(ext)};
	const struct acpi_table_header *xsdt_h;
	const struct acpi_xsdt *xsdt;
	const struct acpi_fadt *fadt;
	const struct acpi_rsdp *rsdp;
	gpa_t rsdp_gpa;
	char sig[5] = {0};
	int err;

	if (argc < 2) {
		fprintf(stderr, "usage: %s DIR [NR_CPUS [scoped]]\n", argv[0]);
		return 2;
	}
	if (argc > 2)
		cfg.nr_cpus = (unsigned)strtoul(argv[2], NULL, 0);
	/* scoped: the DMAR of a machine where a device opted out (endpoint
	 * scopes instead of INCLUDE_PCI_ALL). */
	dmar.scoped = argc > 3 && !strcmp(argv[3], "scoped");
	err = acpi_build(&cfg, area, sizeof(area), gpa(LAYOUT_BIOS_START), &rsdp_gpa);
	if (err) {
		fprintf(stderr, "acpi_build: %s\n", strerror(-err));
		return 1;
	}
	rsdp = at(rsdp_gpa.a, sizeof(*rsdp));
	dump(argv[1], "rsdp", rsdp, sizeof(*rsdp));
	xsdt_h = table_at(rsdp->xsdt_address);
	xsdt = (const struct acpi_xsdt *)xsdt_h;
	dump(argv[1], "xsdt", xsdt_h, xsdt_h->length);
	for (size_t i = 0; i < (xsdt_h->length - sizeof(*xsdt_h)) / 8; i++) {
		const struct acpi_table_header *h = table_at(xsdt->entry[i]);

		memcpy(sig, h->signature, 4);
		for (char *c = sig; *c; c++)
			*c = (char)(*c | 0x20);
		dump(argv[1], sig, h, h->length);
		if (!memcmp(h->signature, "FACP", 4)) {
			fadt = (const struct acpi_fadt *)h;
			dump(argv[1], "dsdt", table_at(fadt->x_dsdt),
			     table_at(fadt->x_dsdt)->length);
		}
	}
	return 0;
}
