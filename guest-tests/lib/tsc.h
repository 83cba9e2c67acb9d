/* SPDX-License-Identifier: MIT */
/* Time from the TSC. The frequency comes from CPUID (KVM leaf 0x40000010,
 * leaf 0x15 or 0x16); without any, 3 GHz is assumed, so times are only as
 * good as that guess: use them for delays and timeouts, not measurements. */
#ifndef GT_TSC_H
#define GT_TSC_H

#include <stdbool.h>
#include <stdint.h>

/* TSC ticks per millisecond. */
uint64_t tsc_khz(void);

/* True when tsc_khz() came from CPUID rather than the guess. */
bool tsc_khz_known(void);

/* Microseconds since an arbitrary point. */
uint64_t time_us(void);

/* Busy-wait (pause) for at least us microseconds of TSC time. */
void delay_us(uint64_t us);

#endif
