/* SPDX-License-Identifier: MIT */
/* Interrupt and exception dispatch. Handlers run at CPL0 (emulated on the
 * nested host, ~1 us per instruction): keep them to a few lines. */
#ifndef GT_TRAP_H
#define GT_TRAP_H

#include <stdint.h>

/* What isr.S pushes, lowest address first. */
struct trap_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error;
	uint64_t rip, cs, rflags, rsp, ss; /* pushed by the CPU */
};

typedef void (*trap_handler_t)(struct trap_frame *f);

#define VEC_UD	     6
#define VEC_SPURIOUS 0xff

/* Install h for vector vec (NULL removes it).
 * Callable at CPL3. A handler for an exception vector may change f->rip to
 * skip the faulting instruction. Handlers of LAPIC interrupts must EOI. */
void trap_set_handler(unsigned vec, trap_handler_t h);

/* Count of interrupts >= 32 that arrived with no handler installed. */
uint64_t trap_unexpected_count(void);

/* CPL0, from isr.S: run the handler of f->vector; an exception with no
 * handler prints the frame and exits the guest with failure. */
void trap_dispatch(struct trap_frame *f);

#endif
