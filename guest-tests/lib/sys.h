/* SPDX-License-Identifier: MIT */
/* The service gate: the few privileged operations CPL3 test code needs.
 * A call executes ud2 at sys_trap_ud2 (isr.S); trap_dispatch recognises the
 * address and runs sys_dispatch at CPL0. Operation in rax, arguments in
 * rdi/rsi/rdx, result in rax; no other register changes. */
#ifndef GT_SYS_H
#define GT_SYS_H

#include <stdint.h>

#include "io.h"

enum sys_op {
	SYS_RDMSR = 1,
	SYS_WRMSR = 2,
	SYS_READ_CR = 3,
	SYS_WRITE_CR = 4,
	SYS_LIDT = 5,
	SYS_PARK = 6,
	SYS_CPUID = 7,
	SYS_HALT = 8,
	SYS_IO = 9,	 /* port I/O for CPL3 without IOPL 3 (isr.S fast path) */
	SYS_SET_IF = 10, /* set RFLAGS.IF of the caller to (a0 != 0) */
};

struct trap_frame;

/* CPL0: carry out the request in f (from trap_dispatch) and step over the
 * ud2. */
void sys_dispatch(struct trap_frame *f);

/* The address of the gate's ud2. */
extern char sys_trap_ud2[];

/* Read / write an MSR at CPL0. A #GP (unknown MSR) is fatal. */
uint64_t sys_rdmsr(uint32_t msr);
void sys_wrmsr(uint32_t msr, uint64_t v);

/* Read / write control register CRn (n = 0, 2, 3, 4, 8). */
uint64_t sys_read_cr(unsigned n);
void sys_write_cr(unsigned n, uint64_t v);

/* Load IDTR from a 10-byte pseudo-descriptor (struct desc_ptr). */
void sys_lidt(const void *pseudo_desc);

/* Stop this CPU for good: cli; hlt at CPL0 (blocks in the host kernel). */
_Noreturn void sys_park(void);

/* CPUID executed at CPL0 (to compare with the CPL3 result). */
struct cpuid_regs sys_cpuid(uint32_t leaf, uint32_t sub);

/* sti; hlt at CPL0: sleep until the next interrupt has been handled.
 * Returns at CPL3 with interrupts disabled again. */
void sys_halt(void);

#endif
