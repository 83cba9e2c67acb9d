// SPDX-License-Identifier: MIT
#include "power.h"

#include "acpi.h"
#include "io.h"
#include "tsc.h"

#define AML_NAME_OP	0x08
#define AML_PACKAGE_OP	0x12
#define AML_ZERO_OP	0x00
#define AML_ONE_OP	0x01
#define AML_BYTE_PREFIX 0x0a

#define SLP_EN_HW_REDUCED 0x20 /* bit 5 of the sleep control register */
#define SLP_EN_PM1	  (1u << 13)

/* The first data object of a package: an integer constant. */
static int aml_small_int(const uint8_t *p, const uint8_t *end)
{
	if (p >= end)
		return -1;
	if (*p == AML_ZERO_OP)
		return 0;
	if (*p == AML_ONE_OP)
		return 1;
	if (*p == AML_BYTE_PREFIX && p + 1 < end)
		return p[1];
	return -1;
}

int acpi_s5_slp_typ(void)
{
	const struct acpi_header *dsdt = acpi_dsdt();
	const uint8_t *p, *end;

	if (!dsdt)
		return -1;
	p = (const uint8_t *)(dsdt + 1);
	end = (const uint8_t *)dsdt + dsdt->length;
	for (; p + 8 < end; p++) {
		const uint8_t *q;

		if (p[0] != '_' || p[1] != 'S' || p[2] != '5' || p[3] != '_')
			continue;
		/* NameOp, optionally followed by the root prefix '\'. */
		if (!(p[-1] == AML_NAME_OP || (p[-1] == '\\' && p[-2] == AML_NAME_OP)))
			continue;
		q = p + 4;
		if (*q++ != AML_PACKAGE_OP)
			continue;
		q += 1 + (*q >> 6); /* PkgLength: 1 + bits 7:6 follow-on bytes */
		q++;		    /* NumElements */
		return aml_small_int(q, end);
	}
	return -1;
}

int acpi_gas_write(const struct acpi_gas *g, uint64_t v)
{
	unsigned width = g->access_size ? 8u << (g->access_size - 1) : g->bit_width;

	if (g->space_id == ACPI_GAS_IO && g->address <= 0xffff) {
		uint16_t port = (uint16_t)g->address;

		switch (width) {
		case 8: outb(port, (uint8_t)v); return 0;
		case 16: outw(port, (uint16_t)v); return 0;
		case 32: outl(port, (uint32_t)v); return 0;
		}
	} else if (g->space_id == ACPI_GAS_MEMORY && g->address < (1ull << 32)) {
		switch (width) {
		case 8: mmio_write8(g->address, (uint8_t)v); return 0;
		case 16: mmio_write16(g->address, (uint16_t)v); return 0;
		case 32: mmio_write32(g->address, (uint32_t)v); return 0;
		case 64: mmio_write64(g->address, v); return 0;
		}
	}
	return -1;
}

int acpi_poweroff(void)
{
	const struct acpi_fadt *f = acpi_fadt();
	int typ = acpi_s5_slp_typ();

	if (!f || typ < 0)
		return -1;
	if (FADT_HAS(f, sleep_control_reg) && f->sleep_control_reg.address) {
		acpi_gas_write(&f->sleep_control_reg, ((unsigned)typ << 2) | SLP_EN_HW_REDUCED);
	} else if (f->pm1a_cnt_blk) {
		uint16_t port = (uint16_t)f->pm1a_cnt_blk;

		outw(port,
		     (uint16_t)((inw(port) & ~(7u << 10)) | ((unsigned)typ << 10) | SLP_EN_PM1));
	}
	delay_us(1000000);
	return -1;
}

int acpi_reset(void)
{
	const struct acpi_fadt *f = acpi_fadt();

	if (!f || !FADT_HAS(f, reset_value) || !(f->flags & FADT_F_RESET_REG_SUP))
		return -1;
	acpi_gas_write(&f->reset_reg, f->reset_value);
	delay_us(1000000);
	return -1;
}
