/* SPDX-License-Identifier: MIT */
/* The AP start-up code. smp.c copies [tramp_start, tramp_end) to TRAMP_BASE
 * (below 1 MiB, page aligned) and sends SIPI vector TRAMP_BASE >> 12: the AP
 * starts in real mode at CS = TRAMP_BASE >> 4, IP = 0. It loads the shared
 * GDT, goes through 32-bit protected mode to long mode on the shared page
 * tables and jumps to ap_start64 (start.S). Addresses inside the copy are
 * TRAMP_BASE + (label - tramp_start). */
#include "cpu.h"
#include "long_mode.h"

#define T(label) (TRAMP_BASE + ((label) - tramp_start))
#define OFF(label) ((label) - tramp_start)

	.section .rodata.trampoline, "a"
	.globl tramp_start, tramp_end
	.code16
tramp_start:
	cli
	movw %cs, %ax
	movw %ax, %ds
	lgdtl OFF(tramp_gdt_desc)
	movl $(X86_CR0_NE | X86_CR0_ET | X86_CR0_PE), %eax	/* clears CD and NW */
	movl %eax, %cr0
	ljmpl $SEL_KCODE32, $T(tramp_pm32)

	.code32
tramp_pm32:
	movl $SEL_KDATA, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	movl T(tramp_cr3), %eax
	long_mode_on
	ljmp $SEL_KCODE64, $T(tramp_lm64)

	.code64
tramp_lm64:
	movq T(tramp_entry), %rax
	jmp *%rax

	.balign 8
	.word 0
tramp_gdt_desc:
	.word GT_MAX_CPUS * 16 + 0x30 - 1
	.long gdt
tramp_cr3:
	.long pml4
	.long 0
tramp_entry:
	.quad ap_start64
tramp_end:
