/* SPDX-License-Identifier: MIT */
/* Segment selectors, per-CPU data and the CPU limits of the runtime. Shared
 * by the assembly (start.S, isr.S, trampoline.S) and the C files. */
#ifndef GT_CPU_H
#define GT_CPU_H

/* The CR0, CR4 and RFLAGS bits (X86_CR0_PE, X86_EFLAGS_IF...). Its
 * <linux/const.h> writes plain numbers for the assembler only under the
 * kernel's own guard. */
#if defined(__ASSEMBLER__) && !defined(__ASSEMBLY__)
#define __ASSEMBLY__
#endif
#include <asm/processor-flags.h>

#define GT_MAX_CPUS 64

/* GDT layout (see start.S). */
#define SEL_KCODE32  0x08
#define SEL_KDATA    0x10
#define SEL_KCODE64  0x18
#define SEL_UDATA    0x23 /* 0x20 | RPL 3 */
#define SEL_UCODE64  0x2b /* 0x28 | RPL 3 */
#define SEL_TSS(cpu) (0x30 + 16 * (cpu))

#define KSTACK_SIZE 0x2000 /* CPL0 stack per CPU: interrupts and the service gate */
#define USTACK_SIZE 0x4000 /* CPL3 stack per CPU */

/* Where the AP trampoline is copied to; the SIPI vector is its page number. */
#define TRAMP_BASE 0x8000

/* Offsets in struct percpu, for the assembly. */
#define PERCPU_KSTACK 16
#define PERCPU_USTACK 24

#ifndef __ASSEMBLER__
#include <stdint.h>

/* One per CPU; %gs points at it at every privilege level (never swapgs). */
struct percpu {
	struct percpu *self;
	uint32_t index; /* 0 = BSP, then in start order */
	uint32_t apic_id;
	uint64_t kstack_top;
	uint64_t ustack_top;
	void (*fn)(void *arg); /* AP work, run at CPL3 */
	void *arg;
};

_Static_assert(__builtin_offsetof(struct percpu, kstack_top) == PERCPU_KSTACK, "asm offset");
_Static_assert(__builtin_offsetof(struct percpu, ustack_top) == PERCPU_USTACK, "asm offset");

extern struct percpu percpu_area[GT_MAX_CPUS];

/* This CPU's per-CPU block (via %gs; valid at CPL0 and CPL3). */
static inline struct percpu *this_cpu(void)
{
	struct percpu *p;
	__asm__ volatile("mov %%gs:0, %0" : "=r"(p));
	return p;
}

/* This CPU's runtime index (0 = BSP). */
static inline uint32_t cpu_index(void)
{
	return this_cpu()->index;
}
#endif

#endif
