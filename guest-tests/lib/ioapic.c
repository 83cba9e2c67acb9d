// SPDX-License-Identifier: MIT
#include "ioapic.h"

#include "io.h"

#define IOREGSEL 0x00
#define IOWIN	 0x10

uint32_t ioapic_read(uint64_t base, uint8_t reg)
{
	mmio_write32(base + IOREGSEL, reg);
	return mmio_read32(base + IOWIN);
}

void ioapic_write(uint64_t base, uint8_t reg, uint32_t v)
{
	mmio_write32(base + IOREGSEL, reg);
	mmio_write32(base + IOWIN, v);
}

uint32_t ioapic_version(uint64_t base)
{
	return ioapic_read(base, IOAPIC_REG_VER) & 0xff;
}

uint32_t ioapic_pins(uint64_t base)
{
	return ((ioapic_read(base, IOAPIC_REG_VER) >> 16) & 0xff) + 1;
}

uint64_t ioapic_get_rte(uint64_t base, unsigned pin)
{
	uint64_t lo = ioapic_read(base, IOAPIC_REG_RTE(pin));

	return lo | (uint64_t)ioapic_read(base, IOAPIC_REG_RTE(pin) + 1) << 32;
}

void ioapic_set_rte(uint64_t base, unsigned pin, uint64_t rte)
{
	ioapic_write(base, IOAPIC_REG_RTE(pin), (uint32_t)rte | RTE_MASKED);
	ioapic_write(base, IOAPIC_REG_RTE(pin) + 1, rte >> 32);
	ioapic_write(base, IOAPIC_REG_RTE(pin), (uint32_t)rte);
}

void ioapic_mask(uint64_t base, unsigned pin)
{
	uint32_t lo = ioapic_read(base, IOAPIC_REG_RTE(pin));

	ioapic_write(base, IOAPIC_REG_RTE(pin), lo | RTE_MASKED);
}
