// SPDX-License-Identifier: MIT
/* ACPI for the PCI bus: the MCFG table (where ECAM is) and, in \_SB, the
 * host bridge PCI0 (its bus range, I/O and memory windows, and the _PRT
 * that maps each slot's INTA..INTD to IOAPIC inputs) plus a motherboard
 * resource device reserving the ECAM window, which Linux wants to see
 * reserved before it uses MMCONFIG. */
#include <errno.h>

#include "devices/pci/internal.h"
#include "vmm/acpi.h"
#include "vmm/acpi/aml.h"
#include "vmm/acpi/builder.h"
#include "vmm/layout.h"

/* PCI Firmware Specification 3.3, 4.1.2: MCFG with one allocation. */
struct acpi_mcfg_alloc {
	uint64_t base; /* ECAM base of bus start_bus */
	uint16_t segment;
	uint8_t start_bus;
	uint8_t end_bus;
	uint32_t reserved;
} __packed;

struct acpi_mcfg {
	struct acpi_table_header header; /* "MCFG" */
	uint64_t reserved;
	struct acpi_mcfg_alloc alloc[1];
} __packed;

_Static_assert(sizeof(struct acpi_mcfg_alloc) == 16, "MCFG allocation");
_Static_assert(sizeof(struct acpi_mcfg) == 60, "MCFG size");

#define ACPI_MCFG_REVISION 1

static int pci_acpi_tables(struct acpi_builder *ab, void *opaque)
{
	struct acpi_mcfg *t;

	(void)opaque;
	t = acpi_table_alloc(ab, "MCFG", ACPI_MCFG_REVISION, sizeof(*t), NULL);
	if (!t)
		return acpi_builder_error(ab);
	t->alloc[0] = (struct acpi_mcfg_alloc){.base = LAYOUT_PCI_ECAM,
					       .segment = 0,
					       .start_bus = 0,
					       .end_bus = PCI_ECAM_BUSES - 1};
	return acpi_table_commit(ab, t, true);
}

static void pci_acpi_crs(struct aml *a, const struct pci_bus *b)
{
	aml_name(a, "_CRS");
	aml_resource_begin(a);
	aml_word_bus_number(a, 0, PCI_ECAM_BUSES - 1);
	aml_io(a, PORT_PCI_CONF, PORT_PCI_CONF, 1, 8);
	aml_word_io(a, PCI_IO_WINDOW, PCI_IO_WINDOW_END - 1);
	aml_dword_memory(a, (uint32_t)LAYOUT_PCI_MMIO32,
			 (uint32_t)(LAYOUT_PCI_MMIO32 + LAYOUT_PCI_MMIO32_SIZE - 1), false);
	if (b->cfg.mmio64_size)
		aml_qword_memory(a, b->cfg.mmio64_base, b->cfg.mmio64_base + b->cfg.mmio64_size - 1,
				 true);
	aml_end(a);
}

/* _PRT: Package { Package { 0xSSSSFFFF, pin, 0, gsi } ... }. With source
 * 0 the last field is a GSI; Linux then programs the IOAPIC input
 * level-triggered, active-low. Our IOAPIC takes logical pin levels, so the
 * polarity bit does not matter and no MADT override is needed. */
static void pci_acpi_prt(struct aml *a)
{
	aml_name(a, "_PRT");
	aml_package_begin(a, PCI_MAX_SLOTS * 4);
	for (unsigned slot = 0; slot < PCI_MAX_SLOTS; slot++) {
		for (unsigned pin = 0; pin < 4; pin++) {
			aml_package_begin(a, 4);
			aml_integer(a, (uint64_t)slot << 16 | 0xffff);
			aml_integer(a, pin);
			aml_integer(a, 0);
			aml_integer(a, pci_intx_gsi(slot, pin));
			aml_end(a);
		}
	}
	aml_end(a);
}

static int pci_acpi_dsdt(struct aml *a, void *opaque)
{
	const struct pci_bus *b = opaque;

	aml_device_begin(a, "PCI0");
	aml_name_eisaid(a, "_HID", "PNP0A08");
	aml_name_eisaid(a, "_CID", "PNP0A03");
	aml_name_integer(a, "_SEG", 0);
	aml_name_integer(a, "_BBN", 0);
	aml_name_integer(a, "_UID", 0);
	pci_acpi_crs(a, b);
	pci_acpi_prt(a);
	aml_end(a);

	aml_device_begin(a, "MBRD");
	aml_name_eisaid(a, "_HID", "PNP0C02");
	aml_name_integer(a, "_UID", 0);
	aml_name(a, "_CRS");
	aml_resource_begin(a);
	aml_memory32_fixed(a, (uint32_t)LAYOUT_PCI_ECAM, (uint32_t)PCI_ECAM_SIZE, true);
	aml_end(a);
	aml_end(a);
	return aml_error(a);
}

struct acpi_ext pci_bus_acpi_ext(struct pci_bus *b)
{
	return (struct acpi_ext){.name = "pci",
				 .add_tables = pci_acpi_tables,
				 .add_dsdt = pci_acpi_dsdt,
				 .opaque = b};
}
