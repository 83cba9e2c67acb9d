/* SPDX-License-Identifier: MIT */
/* Unit tests for the PCI bus's ACPI contribution (devices/pci/acpi.c):
 * the MCFG table and the DSDT's \_SB.PCI0 (_HID/_CID, _CRS windows, _PRT)
 * and ECAM reservation. With PCI_ACPI_DUMP=DIR set, the DSDT and MCFG are
 * also written to DIR/dsdt.dat and DIR/mcfg.dat for `iasl -d`. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "acpi_fixture.h"
#include "devices/pci/pci.h"

#define MMIO64_BASE 0x8000000000ull
#define MMIO64_SIZE GiB(64)

static struct bus mmio, pio;

static bool has(const struct acpi_table_header *h, const void *pat, size_t len)
{
	return memmem(h, h->length, pat, len) != NULL;
}

static void dump(const char *name, const struct acpi_table_header *h)
{
	const char *dir = getenv("PCI_ACPI_DUMP");
	char path[4096];
	FILE *f;

	if (!dir)
		return;
	snprintf(path, sizeof(path), "%s/%s.dat", dir, name);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(h, 1, h->length, f), h->length);
	assert_int_equal(fclose(f), 0);
}

/* Build the tables with the PCI extension; return the DSDT. */
static const struct acpi_table_header *build(uint64_t base64, uint64_t size64, const char *tag)
{
	struct pci_bus_config cfg = {
		.mmio = &mmio, .pio = &pio, .mmio64_base = base64, .mmio64_size = size64};
	const struct acpi_table_header *d;
	struct acpi_ext ext;
	struct acpi_config ac = {.nr_cpus = 2, .nr_ext = 1};
	struct pci_bus *b;
	char name[32];
	gpa_t rsdp;

	bus_init(&mmio, "mmio");
	bus_init(&pio, "pio");
	assert_int_equal(pci_bus_new(&cfg, &b), 0);
	ext = pci_bus_acpi_ext(b);
	ac.ext = &ext;
	assert_int_equal(acpi_build(&ac, area, sizeof(area), gpa(AREA_BASE), &rsdp), 0);
	pci_bus_free(b);
	d = dsdt_find();
	snprintf(name, sizeof(name), "dsdt%s", tag);
	dump(name, d);
	snprintf(name, sizeof(name), "mcfg%s", tag);
	dump(name, xsdt_find("MCFG"));
	return d;
}

static void test_mcfg(void **state)
{
	const uint8_t *t;
	uint64_t base;
	uint16_t segment;

	(void)state;
	build(0, 0, "");
	t = (const void *)xsdt_find("MCFG");
	assert_non_null(t);
	assert_int_equal(((const struct acpi_table_header *)t)->length, 60);
	assert_int_equal(((const struct acpi_table_header *)t)->revision, 1);
	/* Allocation at 44: base, segment 0, buses 0..PCI_ECAM_BUSES-1. The
	 * base is not 8-byte aligned in the table: copy it out. */
	memcpy(&base, t + 44, sizeof(base));
	memcpy(&segment, t + 52, sizeof(segment));
	assert_int_equal(base, LAYOUT_PCI_ECAM);
	assert_int_equal(segment, 0);
	assert_int_equal(t[54], 0);
	assert_int_equal(t[55], PCI_ECAM_BUSES - 1);
}

static void test_dsdt(void **state)
{
	static const uint8_t pnp0a08[] = {0x0c, 0x41, 0xd0, 0x0a, 0x08};
	static const uint8_t pnp0a03[] = {0x0c, 0x41, 0xd0, 0x0a, 0x03};
	static const uint8_t pnp0c02[] = {0x0c, 0x41, 0xd0, 0x0c, 0x02};
	/* WordBusNumber 0..0; IO 0xcf8 x 8; WordIO 0x1000-0xffff. */
	static const uint8_t busnr[] = {0x88, 0x0d, 0x00, 0x02, 0x0c, 0x00,
					0x00, 0x00, 0x00, 0x00, 0x00, 0x00};
	static const uint8_t conf[] = {0x47, 0x01, 0xf8, 0x0c, 0xf8, 0x0c, 0x01, 0x08};
	static const uint8_t iowin[] = {0x88, 0x0d, 0x00, 0x01, 0x0c, 0x03,
					0x00, 0x00, 0x00, 0x10, 0xff, 0xff};
	/* DWordMemory 0xc0000000-0xdfffffff; Memory32Fixed for ECAM. */
	static const uint8_t mem32[] = {0x87, 0x17, 0x00, 0x00, 0x0c, 0x01, 0x00, 0x00, 0x00,
					0x00, 0x00, 0x00, 0x00, 0xc0, 0xff, 0xff, 0xff, 0xdf};
	static const uint8_t ecam[] = {0x86, 0x09, 0x00, 0x01, 0x00, 0x00,
				       0x00, 0xe0, 0x00, 0x00, 0x10, 0x00};
	/* _PRT entry: slot 3 INTB -> GSI 20 (16 + (3 + 1) % 8). */
	static const uint8_t prt[] = {0x12, 0x0b, 0x04, 0x0c, 0xff, 0xff,
				      0x03, 0x00, 0x01, 0x00, 0x0a, 0x14};
	static const uint8_t qword_mem[] = {0x8a, 0x2b, 0x00, 0x00};
	const struct acpi_table_header *d;

	(void)state;
	d = build(0, 0, "");
	assert_true(has(d, "PCI0", 4));
	assert_true(has(d, "MBRD", 4));
	assert_true(has(d, "_PRT", 4));
	assert_true(has(d, "_SEG", 4));
	assert_true(has(d, "_BBN", 4));
	assert_true(has(d, pnp0a08, sizeof(pnp0a08)));
	assert_true(has(d, pnp0a03, sizeof(pnp0a03)));
	assert_true(has(d, pnp0c02, sizeof(pnp0c02)));
	assert_true(has(d, busnr, sizeof(busnr)));
	assert_true(has(d, conf, sizeof(conf)));
	assert_true(has(d, iowin, sizeof(iowin)));
	assert_true(has(d, mem32, sizeof(mem32)));
	assert_true(has(d, ecam, sizeof(ecam)));
	assert_true(has(d, prt, sizeof(prt)));
	assert_false(has(d, qword_mem, sizeof(qword_mem)));

	/* With a 64-bit window, a QWordMemory describes it. */
	d = build(MMIO64_BASE, MMIO64_SIZE, "64");
	assert_true(has(d, qword_mem, sizeof(qword_mem)));
	{
		static const uint64_t lim[2] = {MMIO64_BASE, MMIO64_BASE + MMIO64_SIZE - 1};

		assert_true(has(d, lim, sizeof(lim)));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mcfg),
		cmocka_unit_test(test_dsdt),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
