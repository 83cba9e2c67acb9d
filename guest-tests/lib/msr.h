/* SPDX-License-Identifier: MIT */
/* MSR numbers and the CPL0-only rdmsr/wrmsr (CPL3 code uses sys_rdmsr).
 * The numbers are for the assembly too (start.S, trampoline.S). */
#ifndef GT_MSR_H
#define GT_MSR_H

#define MSR_APIC_BASE	   0x1b
#define MSR_TSC_DEADLINE   0x6e0
#define MSR_EFER	   0xc0000080
#define EFER_LME	   0x100 /* long mode enable */
#define MSR_FS_BASE	   0xc0000100
#define MSR_GS_BASE	   0xc0000101
#define MSR_KERNEL_GS_BASE 0xc0000102

#ifndef __ASSEMBLER__
#include <stdint.h>

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr"
			 :
			 : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32))
			 : "memory");
}
#endif

#endif
