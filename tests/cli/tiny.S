/* SPDX-License-Identifier: MIT */
/* A minimal PVH guest for the CLI tests: prints "tiny:<mode>" on COM1, then
 * does what TINY_MODE says. It runs a handful of CPL0 instructions only. */
	.section .note.Xen, "a", @note
	.balign 4
	.long 4, 4, 18          /* namesz, descsz, XEN_ELFNOTE_PHYS32_ENTRY */
	.asciz "Xen"
	.balign 4
	.long _start

	.text
	.code32
	.globl _start
_start:
	mov $0x3f8, %dx
	mov $msg, %esi
1:	lodsb
	test %al, %al
	jz 2f
	out %al, %dx
	jmp 1b
2:
#if TINY_MODE == 0          /* exit through the debug port with 0x2a */
	mov $0xf4, %dx
	mov $0x2a, %eax
	out %eax, %dx
#elif TINY_MODE == 1        /* spin forever (signal tests) */
3:	pause
	jmp 3b
#elif TINY_MODE == 2        /* triple fault: no IDT, then an exception */
	lidt idt0
	ud2
#endif
	hlt
	jmp 2b

	.data
	.balign 8
idt0:	.word 0
	.long 0
msg:	.asciz "tiny\n"
