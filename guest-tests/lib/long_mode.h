/* SPDX-License-Identifier: MIT */
/* The switch from 32-bit protected mode to long mode, for the assembly only:
 * the boot entry (start.S) and the AP trampoline (trampoline.S) both run
 * it. long_mode_on loads CR3 from eax (the PML4's address), turns on PAE
 * and EFER.LME, then paging with PE, ET and NE (CD and NW clear). The
 * caller then far-jumps to a 64-bit code segment. Clobbers eax, ecx and
 * edx. */
#ifndef GT_LONG_MODE_H
#define GT_LONG_MODE_H

#ifndef __ASSEMBLER__
#error "long_mode.h is for the assembly"
#endif

#include "cpu.h"
#include "msr.h"

/* clang-format off */
.macro long_mode_on
	movl %eax, %cr3
	movl %cr4, %eax
	orl $X86_CR4_PAE, %eax
	movl %eax, %cr4
	movl $MSR_EFER, %ecx
	rdmsr
	orl $EFER_LME, %eax
	wrmsr
	movl $(X86_CR0_PG | X86_CR0_NE | X86_CR0_ET | X86_CR0_PE), %eax
	movl %eax, %cr0
.endm
/* clang-format on */

#endif
