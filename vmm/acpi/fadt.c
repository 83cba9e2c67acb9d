/* SPDX-License-Identifier: MIT */
/* FADT: HW-reduced ACPI, sleep and reset registers in the PM port block. */
#include <string.h>

#include "vmm/acpi/internal.h"
#include "vmm/layout.h"

static struct acpi_gas gas_io8(uint16_t port)
{
	return (struct acpi_gas){
		.space_id = ACPI_GAS_IO,
		.bit_width = 8,
		.bit_offset = 0,
		.access_size = ACPI_GAS_ACCESS_BYTE,
		.address = port,
	};
}

int acpi_fadt_add(struct acpi_builder *b, gpa_t dsdt)
{
	static const char vendor[8] = "IOMVMM\0";
	struct acpi_fadt *f;

	f = acpi_table_alloc(b, "FACP", ACPI_FADT_REVISION, sizeof(*f), NULL);
	if (!f)
		return acpi_builder_error(b);
	f->minor_version = ACPI_FADT_MINOR_VERSION;
	f->dsdt = dsdt.a <= UINT32_MAX ? (uint32_t)dsdt.a : 0;
	f->x_dsdt = dsdt.a;
	/* Unused in HW-reduced mode, but Linux still routes the SCI: match
	 * the MADT override for ISA IRQ 9 (level, active high). */
	f->sci_int = 9;
	f->flags = ACPI_FADT_F_HW_REDUCED_ACPI | ACPI_FADT_F_RESET_REG_SUP;
	/* No LEGACY_DEVICES and no 8042 bit: nothing to probe there. */
	f->iapc_boot_arch = ACPI_FADT_BOOT_NO_VGA | ACPI_FADT_BOOT_NO_CMOS_RTC;
	f->reset_reg = gas_io8(PORT_ACPI_PM + 2);
	f->reset_value = ACPI_RESET_VALUE;
	f->sleep_control = gas_io8(PORT_ACPI_PM + 0);
	f->sleep_status = gas_io8(PORT_ACPI_PM + 1);
	memcpy(&f->hypervisor_vendor_id, vendor, sizeof(vendor));
	return acpi_table_commit(b, f, true);
}
