/* SPDX-License-Identifier: MIT */
/* The AP start-up code. smp.c copies [tramp_start, tramp_end) to TRAMP_BASE
 * (below 1 MiB, page aligned) and sends SIPI vector TRAMP_BASE >> 12: the AP
 * starts in real mode at CS = TRAMP_BASE >> 4, IP = 0. It loads the shared
 * GDT, goes through 32-bit protected mode to long mode on the shared page
 * tables and jumps to ap_start64 (start.S). Addresses inside the copy are
 * TRAMP_BASE + (label - tramp_start). */
#include "cpu.h"

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
	movl $0x31, %eax		/* PE | ET | NE; clears CD and NW */
	movl %eax, %cr0
	ljmpl $SEL_KCODE32, $T(tramp_pm32)

	.code32
tramp_pm32:
	movl $SEL_KDATA, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	movl %cr4, %eax
	orl $0x20, %eax			/* PAE */
	movl %eax, %cr4
	movl T(tramp_cr3), %eax
	movl %eax, %cr3
	movl $0xc0000080, %ecx		/* EFER.LME */
	rdmsr
	orl $0x100, %eax
	wrmsr
	movl $0x80000031, %eax		/* PG | NE | ET | PE */
	movl %eax, %cr0
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
