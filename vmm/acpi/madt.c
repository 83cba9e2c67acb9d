/* SPDX-License-Identifier: MIT */
/* MADT: one local APIC per vCPU, the I/O APIC, ISA overrides, LINT1 NMI. */
#include <errno.h>

#include "vmm/acpi/internal.h"
#include "vmm/layout.h"

/* ISA IRQ -> GSI overrides, as PC firmware reports them. */
static const struct {
	uint8_t irq;
	uint32_t gsi;
	uint16_t flags;
} madt_overrides[] = {
	/* The PIT's IRQ 0 is wired to I/O APIC pin 2. */
	{0, 2, ACPI_MPS_INTI_POLARITY_HIGH | ACPI_MPS_INTI_TRIGGER_EDGE},
	/* The SCI (FADT SCI_INT). */
	{9, 9, ACPI_MPS_INTI_POLARITY_HIGH | ACPI_MPS_INTI_TRIGGER_LEVEL},
};

int acpi_madt_add(struct acpi_builder *b, const struct acpi_config *cfg)
{
	struct acpi_madt_local_apic *lapic;
	struct acpi_madt_io_apic *ioapic;
	struct acpi_madt_int_override *iso;
	struct acpi_madt_local_apic_nmi *nmi;
	struct acpi_madt *m;
	size_t len;

	if (!cfg->nr_cpus || cfg->nr_cpus > ACPI_MAX_CPUS)
		return -EINVAL;
	len = sizeof(*m) + cfg->nr_cpus * sizeof(*lapic) + sizeof(*ioapic) +
	      ARRAY_SIZE(madt_overrides) * sizeof(*iso) + sizeof(*nmi);
	m = acpi_table_alloc(b, "APIC", ACPI_MADT_REVISION, len, NULL);
	if (!m)
		return acpi_builder_error(b);
	m->local_apic_address = (uint32_t)LAYOUT_LAPIC;
	m->flags = 0; /* no 8259 PIC */

	lapic = (struct acpi_madt_local_apic *)(m + 1);
	for (unsigned i = 0; i < cfg->nr_cpus; i++, lapic++) {
		lapic->type = ACPI_MADT_LOCAL_APIC;
		lapic->length = sizeof(*lapic);
		lapic->processor_uid = (uint8_t)i;
		lapic->apic_id = (uint8_t)i;
		lapic->flags = ACPI_MADT_ENABLED;
	}

	ioapic = (struct acpi_madt_io_apic *)lapic;
	ioapic->type = ACPI_MADT_IO_APIC;
	ioapic->length = sizeof(*ioapic);
	/* The IOAPIC resets to ID 0 (devices/ioapic.h) and no firmware
	 * renumbers it; IOAPIC IDs are a namespace apart from LAPIC IDs. */
	ioapic->io_apic_id = 0;
	ioapic->address = (uint32_t)LAYOUT_IOAPIC;
	ioapic->gsi_base = 0;

	iso = (struct acpi_madt_int_override *)(ioapic + 1);
	for (size_t i = 0; i < ARRAY_SIZE(madt_overrides); i++, iso++) {
		iso->type = ACPI_MADT_INT_OVERRIDE;
		iso->length = sizeof(*iso);
		iso->bus = 0;
		iso->source = madt_overrides[i].irq;
		iso->gsi = madt_overrides[i].gsi;
		iso->flags = madt_overrides[i].flags;
	}

	nmi = (struct acpi_madt_local_apic_nmi *)iso;
	nmi->type = ACPI_MADT_LOCAL_APIC_NMI;
	nmi->length = sizeof(*nmi);
	nmi->processor_uid = 0xff; /* all processors */
	nmi->flags = ACPI_MPS_INTI_POLARITY_HIGH | ACPI_MPS_INTI_TRIGGER_EDGE;
	nmi->lint = 1;
	return acpi_table_commit(b, m, true);
}
