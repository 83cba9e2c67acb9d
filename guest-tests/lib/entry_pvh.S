/* SPDX-License-Identifier: MIT */
/* PVH entry: the ELF note XEN_ELFNOTE_PHYS32_ENTRY (type 18, name "Xen")
 * gives the 32-bit entry point; the loader starts us in flat 32-bit
 * protected mode, paging off, %ebx = struct hvm_start_info. */
	.section .note.Xen, "a"
	.balign 4
	.long 4			/* namesz */
	.long 4			/* descsz */
	.long 18		/* XEN_ELFNOTE_PHYS32_ENTRY */
	.asciz "Xen"
	.long _start

	.code32
	.section .text.entry, "ax"
	.globl _start
_start:
	movl %ebx, boot_ptr
	movl %eax, boot_magic
	movl $1, boot_proto
	jmp start32
