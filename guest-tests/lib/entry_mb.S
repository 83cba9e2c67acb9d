/* SPDX-License-Identifier: MIT */
/* Multiboot v1 entry. The header must lie in the first 8 KiB of the file;
 * guest.ld places .multiboot first. The loader starts us in flat 32-bit
 * protected mode at the ELF entry with %eax = 0x2badb002 and %ebx = the
 * multiboot_info. */
#define MB_MAGIC 0x1badb002
#define MB_FLAGS 0x3		/* bit 0: page-align modules, bit 1: memory info */

	.section .multiboot, "a"
	.balign 4
	.long MB_MAGIC
	.long MB_FLAGS
	.long -(MB_MAGIC + MB_FLAGS)

	.code32
	.section .text.entry, "ax"
	.globl _start
_start:
	movl %ebx, boot_ptr
	movl %eax, boot_magic
	movl $2, boot_proto
	jmp start32
