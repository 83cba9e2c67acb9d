/* SPDX-License-Identifier: MIT */
/* Unit tests for acpi_build() (vmm/acpi.h) and the table builder. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "devices/ioapic.h"
#include "vmm/acpi.h"
#include "vmm/acpi/tables.h"
#include "vmm/layout.h"

#define AREA_BASE  LAYOUT_BIOS_START
#define AREA_LEN   (LAYOUT_BIOS_END - LAYOUT_BIOS_START)
#define GUARD	   256
#define GUARD_BYTE 0xa5

/* An output buffer of 'len' bytes followed by a guard region. */
struct area {
	uint8_t *mem;
	size_t len;
};

static struct area area_new(size_t len)
{
	struct area ar = {malloc(len + GUARD), len};

	assert_non_null(ar.mem);
	memset(ar.mem, 0x5a, len); /* stale content acpi_build must clear */
	memset(ar.mem + len, GUARD_BYTE, GUARD);
	return ar;
}

static void area_check_guard(const struct area *ar)
{
	for (size_t i = 0; i < GUARD; i++)
		assert_int_equal(ar->mem[ar->len + i], GUARD_BYTE);
}

static uint8_t sum(const void *p, size_t len)
{
	const uint8_t *b = p;
	uint8_t s = 0;

	while (len--)
		s += *b++;
	return s;
}

/* Host pointer for [gpa_addr, +len) inside the area, or fail the test. */
static const void *at(const struct area *ar, uint64_t gpa_addr, size_t len)
{
	assert_true(range_within(gpa_addr, len, AREA_BASE, ar->len));
	return ar->mem + (gpa_addr - AREA_BASE);
}

/* A valid table (whole length inside the area, checksum 0) at gpa_addr. */
static const struct acpi_table_header *table_at(const struct area *ar, uint64_t gpa_addr,
						const char *sig)
{
	const struct acpi_table_header *h = at(ar, gpa_addr, sizeof(*h));

	assert_true(h->length >= sizeof(*h));
	at(ar, gpa_addr, h->length);
	assert_int_equal(sum(h, h->length), 0);
	if (sig)
		assert_memory_equal(h->signature, sig, 4);
	assert_memory_equal(h->oem_id, ACPI_OEM_ID, 6);
	assert_memory_equal(h->creator_id, ACPI_CREATOR_ID, 4);
	return h;
}

/* What an OS does: scan on 16-byte boundaries for a valid RSDP. */
static const struct acpi_rsdp *rsdp_scan(const struct area *ar)
{
	for (size_t off = 0; off + sizeof(struct acpi_rsdp) <= ar->len; off += 16) {
		const struct acpi_rsdp *r = (const void *)(ar->mem + off);

		if (memcmp(r->signature, "RSD PTR ", 8) || sum(r, ACPI_RSDP_V1_LEN) != 0)
			continue;
		assert_int_equal(r->revision, 2);
		assert_int_equal(r->length, sizeof(*r));
		assert_int_equal(sum(r, sizeof(*r)), 0);
		return r;
	}
	fail_msg("no RSDP");
	return NULL;
}

static const struct acpi_xsdt *xsdt_of(const struct area *ar, unsigned *nr)
{
	const struct acpi_rsdp *r = rsdp_scan(ar);
	const struct acpi_table_header *h = table_at(ar, r->xsdt_address, "XSDT");

	assert_int_equal((h->length - sizeof(*h)) % 8, 0);
	*nr = (unsigned)((h->length - sizeof(*h)) / 8);
	return (const struct acpi_xsdt *)h;
}

/* The XSDT entry with signature 'sig', or fail. */
static const void *xsdt_find(const struct area *ar, const char *sig)
{
	unsigned nr;
	const struct acpi_xsdt *x = xsdt_of(ar, &nr);

	for (unsigned i = 0; i < nr; i++) {
		const struct acpi_table_header *h = table_at(ar, x->entry[i], NULL);

		if (!memcmp(h->signature, sig, 4))
			return h;
	}
	fail_msg("no %s in the XSDT", sig);
	return NULL;
}

static struct area build(unsigned nr_cpus)
{
	struct acpi_config cfg = {.nr_cpus = nr_cpus};
	struct area ar = area_new(AREA_LEN);
	gpa_t rsdp;

	assert_int_equal(acpi_build(&cfg, ar.mem, ar.len, gpa(AREA_BASE), &rsdp), 0);
	area_check_guard(&ar);
	assert_int_equal(rsdp.a, AREA_BASE);
	assert_ptr_equal(rsdp_scan(&ar), ar.mem);
	return ar;
}

static void test_rsdp_xsdt(void **state)
{
	struct area ar = build(2);
	unsigned nr;
	const struct acpi_xsdt *x = xsdt_of(&ar, &nr);

	(void)state;
	assert_int_equal(nr, 2);
	table_at(&ar, x->entry[0], "FACP");
	table_at(&ar, x->entry[1], "APIC");
	assert_int_equal(((const struct acpi_rsdp *)ar.mem)->rsdt_address, 0);
	free(ar.mem);
}

static void test_fadt(void **state)
{
	struct area ar = build(1);
	const struct acpi_fadt *f = xsdt_find(&ar, "FACP");

	(void)state;
	assert_int_equal(f->header.length, 276);
	assert_int_equal(f->header.revision, 6);
	assert_int_equal(f->flags, ACPI_FADT_F_HW_REDUCED_ACPI | ACPI_FADT_F_RESET_REG_SUP);
	assert_int_equal(f->iapc_boot_arch & (ACPI_FADT_BOOT_LEGACY_DEVICES | ACPI_FADT_BOOT_8042),
			 0);
	assert_true(f->iapc_boot_arch & ACPI_FADT_BOOT_NO_VGA);
	assert_true(f->iapc_boot_arch & ACPI_FADT_BOOT_NO_CMOS_RTC);
	assert_int_equal(f->sleep_control.space_id, ACPI_GAS_IO);
	assert_int_equal(f->sleep_control.bit_width, 8);
	assert_int_equal(f->sleep_control.bit_offset, 0);
	assert_int_equal(f->sleep_control.access_size, 1);
	assert_int_equal(f->sleep_control.address, PORT_ACPI_PM);
	assert_int_equal(f->sleep_status.space_id, ACPI_GAS_IO);
	assert_int_equal(f->sleep_status.bit_width, 8);
	assert_int_equal(f->sleep_status.address, PORT_ACPI_PM + 1);
	assert_int_equal(f->reset_reg.space_id, ACPI_GAS_IO);
	assert_int_equal(f->reset_reg.bit_width, 8);
	assert_int_equal(f->reset_reg.address, PORT_ACPI_PM + 2);
	assert_int_equal(f->reset_value, ACPI_RESET_VALUE);
	/* No legacy fixed hardware. */
	assert_int_equal(f->pm1a_cnt_blk, 0);
	assert_int_equal(f->x_pm1a_cnt_blk.address, 0);
	assert_int_equal(f->smi_cmd, 0);
	/* DSDT: both pointers, a valid table. */
	assert_int_equal(f->x_dsdt, f->dsdt);
	table_at(&ar, f->x_dsdt, "DSDT");
	free(ar.mem);
}

static void check_madt(unsigned nr_cpus)
{
	struct area ar = build(nr_cpus);
	const struct acpi_madt *m = xsdt_find(&ar, "APIC");
	const uint8_t *p = (const uint8_t *)(m + 1);
	const uint8_t *end = (const uint8_t *)m + m->header.length;
	unsigned nr_lapic = 0, nr_ioapic = 0, nr_iso = 0, nr_nmi = 0;
	uint8_t ioapic_id = 0;
	bool seen[256] = {false};

	assert_int_equal(m->local_apic_address, LAYOUT_LAPIC);
	assert_int_equal(m->flags, 0);
	while (p < end) {
		assert_true(end - p >= 2 && p[1] >= 2 && p[1] <= end - p);
		switch (p[0]) {
		case ACPI_MADT_LOCAL_APIC: {
			const struct acpi_madt_local_apic *l = (const void *)p;

			assert_int_equal(l->length, sizeof(*l));
			assert_int_equal(l->processor_uid, nr_lapic);
			assert_int_equal(l->apic_id, nr_lapic);
			assert_int_equal(l->flags, ACPI_MADT_ENABLED);
			assert_false(seen[l->apic_id]); /* unique */
			seen[l->apic_id] = true;
			nr_lapic++;
			break;
		}
		case ACPI_MADT_IO_APIC: {
			const struct acpi_madt_io_apic *io = (const void *)p;

			assert_int_equal(io->length, sizeof(*io));
			assert_int_equal(io->address, LAYOUT_IOAPIC);
			assert_int_equal(io->gsi_base, 0);
			ioapic_id = io->io_apic_id;
			nr_ioapic++;
			break;
		}
		case ACPI_MADT_INT_OVERRIDE: {
			const struct acpi_madt_int_override *o = (const void *)p;

			assert_int_equal(o->length, sizeof(*o));
			assert_int_equal(o->bus, 0);
			if (o->source == 0) {
				assert_int_equal(o->gsi, 2);
				assert_int_equal(o->flags, 0x5);
			} else {
				assert_int_equal(o->source, 9);
				assert_int_equal(o->gsi, 9);
				assert_int_equal(o->flags, 0xd);
			}
			nr_iso++;
			break;
		}
		case ACPI_MADT_LOCAL_APIC_NMI:
			assert_int_equal(p[1], 6);
			nr_nmi++;
			break;
		default: fail_msg("MADT entry type %u", p[0]);
		}
		p += p[1];
	}
	assert_ptr_equal(p, end);
	assert_int_equal(nr_lapic, nr_cpus);
	assert_int_equal(nr_ioapic, 1);
	/* The MADT must announce the ID the IOAPIC model resets to. */
	assert_int_equal(ioapic_id, IOAPIC_RESET_ID);
	assert_int_equal(nr_iso, 2);
	assert_int_equal(nr_nmi, 1);
	free(ar.mem);
}

static void test_madt(void **state)
{
	(void)state;
	check_madt(1);
	check_madt(2);
	check_madt(64);
	check_madt(ACPI_MAX_CPUS);
}

static bool contains(const void *hay, size_t n, const void *needle, size_t m)
{
	return memmem(hay, n, needle, m) != NULL;
}

static void test_dsdt(void **state)
{
	struct area ar = build(4);
	const struct acpi_fadt *f = xsdt_find(&ar, "FACP");
	const struct acpi_table_header *d = table_at(&ar, f->x_dsdt, "DSDT");
	/* Name (\_S5_, Package (4) { 5, 5, 0, 0 }) */
	static const uint8_t s5[] = {0x08,
				     '\\',
				     '_',
				     'S',
				     '5',
				     '_',
				     0x12,
				     0x08,
				     0x04,
				     0x0a,
				     ACPI_S5_SLP_TYP,
				     0x0a,
				     ACPI_S5_SLP_TYP,
				     0x00,
				     0x00};
	/* Name (_HID, EisaId ("PNP0501")) and ("PNP0C0C") */
	static const uint8_t com1[] = {0x08, '_', 'H', 'I', 'D', 0x0c, 0x41, 0xd0, 0x05, 0x01};
	static const uint8_t pwrb[] = {0x08, '_', 'H', 'I', 'D', 0x0c, 0x41, 0xd0, 0x0c, 0x0c};
	/* IO (Decode16, 0x3f8, 0x3f8, 1, 8), IRQ (Edge, ActiveHigh) {4} */
	static const uint8_t crs[] = {0x47, 0x01, 0xf8, 0x03, 0xf8, 0x03, 0x01,
				      0x08, 0x23, 0x10, 0x00, 0x01, 0x79, 0x00};

	(void)state;
	assert_int_equal(d->revision, 2);
	assert_true(contains(d, d->length, s5, sizeof(s5)));
	assert_true(contains(d, d->length, "COM1", 4));
	assert_true(contains(d, d->length, com1, sizeof(com1)));
	assert_true(contains(d, d->length, pwrb, sizeof(pwrb)));
	assert_true(contains(d, d->length, crs, sizeof(crs)));
	/* What Linux writes to power off, as the PM device decodes it. */
	assert_int_equal(
		((ACPI_S5_SLP_TYP << ACPI_SLP_TYP_SHIFT) & ACPI_SLP_TYP_MASK) | ACPI_SLP_EN, 0x34);
	free(ar.mem);
}

/* Every length short of what the tables need: -ENOSPC, nothing written
 * past the end. The guard region follows each buffer directly. */
static void test_enospc(void **state)
{
	struct acpi_config cfg = {.nr_cpus = 8};
	struct area full = build(8);
	unsigned nr;
	const struct acpi_xsdt *x = xsdt_of(&full, &nr);
	/* The XSDT comes last. */
	const struct acpi_rsdp *r = (const void *)full.mem;
	size_t need = (size_t)(r->xsdt_address - AREA_BASE) + x->header.length;
	gpa_t rsdp;

	(void)state;
	for (size_t len = 0; len < need; len++) {
		struct area ar = area_new(len);

		assert_int_equal(acpi_build(&cfg, ar.mem, ar.len, gpa(AREA_BASE), &rsdp), -ENOSPC);
		area_check_guard(&ar);
		free(ar.mem);
	}
	struct area ar = area_new(need);

	assert_int_equal(acpi_build(&cfg, ar.mem, ar.len, gpa(AREA_BASE), &rsdp), 0);
	area_check_guard(&ar);
	assert_memory_equal(ar.mem, full.mem, need);
	free(ar.mem);
	free(full.mem);
}

static void test_einval(void **state)
{
	struct acpi_config cfg = {.nr_cpus = 1};
	struct area ar = area_new(AREA_LEN);
	gpa_t rsdp;

	(void)state;
	cfg.nr_cpus = 0;
	assert_int_equal(acpi_build(&cfg, ar.mem, ar.len, gpa(AREA_BASE), &rsdp), -EINVAL);
	cfg.nr_cpus = ACPI_MAX_CPUS + 1;
	assert_int_equal(acpi_build(&cfg, ar.mem, ar.len, gpa(AREA_BASE), &rsdp), -EINVAL);
	cfg.nr_cpus = 1;
	assert_int_equal(acpi_build(&cfg, ar.mem, ar.len, gpa(AREA_BASE + 8), &rsdp), -EINVAL);
	assert_int_equal(acpi_build(&cfg, ar.mem, ar.len, gpa(0x100000000ull - 0x1000), &rsdp),
			 -EINVAL);
	assert_int_equal(acpi_build(NULL, ar.mem, ar.len, gpa(AREA_BASE), &rsdp), -EINVAL);
	area_check_guard(&ar);
	free(ar.mem);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rsdp_xsdt), cmocka_unit_test(test_fadt),
		cmocka_unit_test(test_madt),	  cmocka_unit_test(test_dsdt),
		cmocka_unit_test(test_enospc),	  cmocka_unit_test(test_einval),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
