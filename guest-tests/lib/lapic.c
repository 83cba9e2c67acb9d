// SPDX-License-Identifier: MIT
#include "lapic.h"

#include "io.h"

#define ICR_POLLS 100000

uint32_t lapic_read(uint32_t reg)
{
	return mmio_read32(LAPIC_BASE + reg);
}

void lapic_write(uint32_t reg, uint32_t v)
{
	mmio_write32(LAPIC_BASE + reg, v);
}

void lapic_enable(void)
{
	lapic_write(LAPIC_TPR, 0);
	lapic_write(LAPIC_SVR, LAPIC_SVR_ENABLE | 0xff);
}

uint32_t lapic_id(void)
{
	return lapic_read(LAPIC_ID) >> 24;
}

void lapic_eoi(void)
{
	lapic_write(LAPIC_EOI, 0);
}

bool lapic_send_ipi(uint32_t dest, uint32_t icr_lo)
{
	lapic_write(LAPIC_ICR_HI, dest << 24);
	lapic_write(LAPIC_ICR_LO, icr_lo);
	for (int i = 0; i < ICR_POLLS; i++) {
		if (!(lapic_read(LAPIC_ICR_LO) & ICR_PENDING))
			return true;
		cpu_relax();
	}
	return false;
}

void lapic_timer_start(uint8_t vector, uint32_t count, bool periodic)
{
	lapic_write(LAPIC_TIMER_DCR, LAPIC_TIMER_DIV1);
	lapic_write(LAPIC_LVT_TIMER, vector | (periodic ? LAPIC_TIMER_PERIODIC : 0));
	lapic_write(LAPIC_TIMER_ICR, count);
}

void lapic_timer_stop(void)
{
	lapic_write(LAPIC_LVT_TIMER, LAPIC_LVT_MASKED);
	lapic_write(LAPIC_TIMER_ICR, 0);
}
