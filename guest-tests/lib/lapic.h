/* SPDX-License-Identifier: MIT */
/* The local APIC in xAPIC mode, through its MMIO page (mapped at CPL3). */
#ifndef GT_LAPIC_H
#define GT_LAPIC_H

#include <stdbool.h>
#include <stdint.h>

#define LAPIC_BASE 0xfee00000ull

#define LAPIC_ID	0x020
#define LAPIC_VER	0x030
#define LAPIC_TPR	0x080
#define LAPIC_EOI	0x0b0
#define LAPIC_SVR	0x0f0
#define LAPIC_ISR	0x100 /* 8 registers, 0x10 apart */
#define LAPIC_IRR	0x200
#define LAPIC_ESR	0x280
#define LAPIC_ICR_LO	0x300
#define LAPIC_ICR_HI	0x310
#define LAPIC_LVT_TIMER 0x320
#define LAPIC_LVT_LINT0 0x350
#define LAPIC_LVT_LINT1 0x360
#define LAPIC_LVT_ERROR 0x370
#define LAPIC_TIMER_ICR 0x380
#define LAPIC_TIMER_CCR 0x390
#define LAPIC_TIMER_DCR 0x3e0

#define LAPIC_SVR_ENABLE     0x100
#define LAPIC_LVT_MASKED     (1u << 16)
#define LAPIC_TIMER_PERIODIC (1u << 17)
#define LAPIC_TIMER_DIV1     0xb

#define ICR_INIT	 0x00000500u
#define ICR_STARTUP	 0x00000600u
#define ICR_FIXED	 0x00000000u
#define ICR_LEVEL_ASSERT 0x00004000u
#define ICR_PENDING	 0x00001000u

/* Read / write the 32-bit register at offset reg of this CPU's LAPIC. */
uint32_t lapic_read(uint32_t reg);
void lapic_write(uint32_t reg, uint32_t v);

/* Software-enable this CPU's LAPIC (spurious vector 0xff), TPR 0. */
void lapic_enable(void);

/* This CPU's APIC ID (bits 31:24 of the ID register). */
uint32_t lapic_id(void);

/* Signal end of interrupt. */
void lapic_eoi(void);

/* Send an IPI: ICR high = dest << 24, then low. Waits (bounded) for the
 * delivery status to clear; returns false on timeout. */
bool lapic_send_ipi(uint32_t dest, uint32_t icr_lo);

/* Timer: start in one-shot or periodic mode with divide-by-1 and initial
 * count; stop (mask and zero the count). */
void lapic_timer_start(uint8_t vector, uint32_t count, bool periodic);
void lapic_timer_stop(void);

#endif
