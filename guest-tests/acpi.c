// SPDX-License-Identifier: MIT
/* The ACPI tables: RSDP, XSDT and every table's checksum, the FADT
 * registers power-off and reset need, \_S5 in the DSDT, the MADT against
 * cpus=N from the cmdline, and the IOAPIC the MADT lists. */
#include "guest.h"

static void check_rsdp(const struct acpi_rsdp *r)
{
	report(!acpi_checksum(r, 20), "RSDP checksum (first 20 bytes)");
	report(r->revision >= 2, "RSDP revision %u (>= 2: has an XSDT)", r->revision);
	if (r->revision >= 2) {
		report(r->length >= 36 && !acpi_checksum(r, r->length),
		       "RSDP extended checksum (%u bytes)", r->length);
		report(r->xsdt != 0, "RSDP XSDT address %#lx", (unsigned long)r->xsdt);
	}
}

static void check_tables(void)
{
	const struct acpi_rsdp *r = acpi_rsdp();
	const struct acpi_header *x =
		(const void *)(uintptr_t)(r->revision >= 2 ? r->xsdt : r->rsdt);
	unsigned n = acpi_table_count(), bad = 0;

	report(!memcmp(x->signature, r->revision >= 2 ? "XSDT" : "RSDT", 4) && acpi_table_valid(x),
	       "%.4s signature, length %u, checksum", x->signature, x->length);
	report(n > 0, "root table lists %u tables", n);
	for (unsigned i = 0; i < n; i++) {
		const struct acpi_header *h = acpi_table_at(i);

		if (!h) {
			bad++;
			continue;
		}
		report_info("table %u: %.4s at %p, %u bytes, revision %u, OEM %.6s", i,
			    h->signature, (const void *)h, h->length, h->revision, h->oem_id);
		if (!acpi_table_valid(h)) {
			report(false, "%.4s checksum / length", h->signature);
			bad++;
		}
	}
	report(bad == 0, "every listed table is present with a valid checksum (%u bad)", bad);
}

static void check_fadt(void)
{
	const struct acpi_fadt *f = acpi_fadt();
	const struct acpi_header *dsdt = acpi_dsdt();
	int typ;

	if (!report(f != NULL, "FADT present"))
		return;
	report_info("FADT revision %u.%u, length %u, flags %#x", f->header.revision,
		    FADT_HAS(f, minor_version) ? f->minor_version : 0, f->header.length, f->flags);
	report(dsdt && acpi_table_valid(dsdt) && !memcmp(dsdt->signature, "DSDT", 4),
	       "DSDT (via FADT) signature and checksum");
	typ = acpi_s5_slp_typ();
	report(typ >= 0 && typ < 8, "DSDT has a \\_S5 package (SLP_TYPa %d)", typ);
	if (f->flags & FADT_F_HW_REDUCED_ACPI) {
		report(FADT_HAS(f, sleep_status_reg) && f->sleep_control_reg.address &&
			       f->sleep_status_reg.address,
		       "hardware-reduced FADT has sleep control (%u:%#lx) and status (%u:%#lx)",
		       f->sleep_control_reg.space_id, (unsigned long)f->sleep_control_reg.address,
		       f->sleep_status_reg.space_id, (unsigned long)f->sleep_status_reg.address);
	} else {
		report(f->pm1a_cnt_blk != 0, "FADT PM1a_CNT_BLK %#x", f->pm1a_cnt_blk);
	}
	report((f->flags & FADT_F_RESET_REG_SUP) && f->reset_reg.address,
	       "FADT reset register %u:%#lx value %#x", f->reset_reg.space_id,
	       (unsigned long)f->reset_reg.address, f->reset_value);
}

static void check_madt(void)
{
	struct madt_info m;
	uint64_t cpus;
	uint32_t self = lapic_id(), seen_self = 0, dups = 0, n;

	if (!report(madt_parse(&m) == 0, "MADT present"))
		return;
	n = m.nr_cpus < GT_MAX_CPUS ? m.nr_cpus : GT_MAX_CPUS;
	report(m.lapic_addr == LAPIC_BASE, "MADT LAPIC address %#lx", (unsigned long)m.lapic_addr);
	report(m.nr_bad == 0, "MADT entries well formed (%u bad)", m.nr_bad);
	if (report(cmdline_get_u64("cpus", &cpus), "cmdline has cpus="))
		report(m.nr_cpus == cpus, "MADT lists %u enabled CPUs (cpus=%lu)", m.nr_cpus,
		       (unsigned long)cpus);
	for (uint32_t i = 0; i < n; i++) {
		seen_self += m.apic_ids[i] == self;
		for (uint32_t j = i + 1; j < n; j++)
			dups += m.apic_ids[i] == m.apic_ids[j];
	}
	report(seen_self == 1, "the BSP's APIC ID %u is listed once", self);
	report(dups == 0, "APIC IDs are unique");
	if (!report(m.nr_ioapics >= 1, "MADT lists %u IOAPIC(s)", m.nr_ioapics))
		return;
	for (uint32_t i = 0; i < m.nr_ioapics && i < MADT_MAX_IOAPICS; i++) {
		const struct madt_ioapic *io = &m.ioapic[i];
		uint32_t ver = ioapic_version(io->addr), pins = ioapic_pins(io->addr);

		report_info("IOAPIC id %u at %#x, GSI base %u: version %#x, %u pins", io->id,
			    io->addr, io->gsi_base, ver, pins);
		if (io->gsi_base == 0) {
			report(io->addr == 0xfec00000, "IOAPIC for GSI 0 at 0xfec00000");
			report(pins == 24, "IOAPIC has 24 pins (%u)", pins);
			/* 0x20: a userspace 82093AA model; 0x11: KVM's in-kernel one */
			report(ver == 0x20 || ver == 0x11, "IOAPIC version %#x", ver);
		}
	}
}

int main(void)
{
	const struct acpi_rsdp *r = acpi_rsdp();

	if (!report(r != NULL, "RSDP found (start_info %#lx or BIOS area scan)",
		    (unsigned long)boot_info.rsdp))
		return 0;
	report_info("RSDP at %p, OEM %.6s", (const void *)r, r->oem_id);
	check_rsdp(r);
	check_tables();
	check_fadt();
	check_madt();
	return 0;
}
