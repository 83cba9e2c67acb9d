/* SPDX-License-Identifier: MIT */
/* From the 32-bit boot entry (PVH or Multiboot, paging off, CPL0) to long
 * mode and then to CPL3, where every test body runs. Also the 64-bit entry
 * of the APs, reached from trampoline.S. Everything here runs emulated on
 * the nested host, so it is kept to a few dozen instructions: the page
 * tables, the GDT and the stacks are static data built by the assembler. */
#include "cpu.h"
#include "long_mode.h"

	.code32
	.section .text.entry, "ax"
	.globl start32
/* In: %eax/%ebx already saved by the entry stub into boot_magic/boot_ptr. */
start32:
	cli
	lgdt gdt_desc
	ljmp $SEL_KCODE32, $1f
1:	movl $SEL_KDATA, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	movl $pml4, %eax
	long_mode_on
	ljmp $SEL_KCODE64, $start64

	.code64
start64:
	xorl %eax, %eax
	movl %eax, %fs
	movl %eax, %gs
	movq $(kstacks + KSTACK_SIZE), %rsp
	xorl %edi, %edi
	call cpu_init		/* returns this CPU's struct percpu * */
	movq $bsp_user_entry, %rsi
	jmp enter_user

/* Reached from trampoline.S in long mode with the boot GDT loaded. */
	.globl ap_start64
ap_start64:
	movl $SEL_KDATA, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	xorl %eax, %eax
	movl %eax, %fs
	movl %eax, %gs
	movl ap_boot_index(%rip), %edi
	leal 1(%rdi), %eax
	imull $KSTACK_SIZE, %eax	/* (index + 1) * KSTACK_SIZE */
	leaq kstacks(%rip), %rsp
	addq %rax, %rsp
	call cpu_init
	movq $ap_user_entry, %rsi
	/* fall through */

/* %rax = struct percpu *, %rsi = CPL3 entry point (a C function that never
 * returns; the fake return address keeps the ABI's stack alignment). */
enter_user:
	movq PERCPU_USTACK(%rax), %rdx
	subq $8, %rdx
	movq $0, (%rdx)
	pushq $SEL_UDATA
	pushq %rdx
	pushq $(X86_EFLAGS_IOPL | X86_EFLAGS_FIXED)
	pushq $SEL_UCODE64
	pushq %rsi
	movl $SEL_UDATA, %eax
	movl %eax, %ds
	movl %eax, %es
	iretq

	.section .data.boot, "aw"
	.balign 8
	.globl boot_magic, boot_ptr, boot_proto, ap_boot_index
boot_magic:	.long 0		/* %eax at entry (Multiboot: 0x2badb002) */
boot_ptr:	.long 0		/* %ebx at entry: start_info / multiboot_info */
boot_proto:	.long 0		/* 1 = PVH, 2 = Multiboot (see bootinfo.h) */
ap_boot_index:	.long 0		/* runtime index of the AP being started */

/* null, kcode32, kdata, kcode64, udata (DPL3), ucode64 (DPL3), TSS slots. */
	.balign 16
	.globl gdt, gdt_tss
gdt:
	.quad 0
	.quad 0x00cf9a000000ffff
	.quad 0x00cf92000000ffff
	.quad 0x00af9a000000ffff
	.quad 0x00cff2000000ffff
	.quad 0x00affa000000ffff
gdt_tss:
	.fill GT_MAX_CPUS * 2, 8, 0
gdt_end:
	.balign 8
	.word 0
	.globl gdt_desc
gdt_desc:
	.word gdt_end - gdt - 1
	.quad gdt

/* Identity map of 0..4 GiB with 2 MiB pages, user-accessible everywhere;
 * the 3..4 GiB MMIO hole is uncached (PCD|PWT). */
#define PDE_RAM 0x87	/* P | RW | US | PS */
#define PDE_MMIO 0x9f	/* ... | PWT | PCD */
	.section .data.pagetables, "aw"
	.balign 4096
	.globl pml4
pml4:
	.quad pdpt + 7
	.fill 511, 8, 0
pdpt:
	.quad pd + 7, pd + 0x1000 + 7, pd + 0x2000 + 7, pd + 0x3000 + 7
	.fill 508, 8, 0
pd:
	.set pde_i, 0
	.rept 1536
	.quad (pde_i << 21) | PDE_RAM
	.set pde_i, pde_i + 1
	.endr
	.rept 512
	.quad (pde_i << 21) | PDE_MMIO
	.set pde_i, pde_i + 1
	.endr

	.section .bss.stacks, "aw", @nobits
	.balign 4096
	.globl kstacks, ustacks
kstacks:
	.space GT_MAX_CPUS * KSTACK_SIZE
ustacks:
	.space GT_MAX_CPUS * USTACK_SIZE
