/* SPDX-License-Identifier: MIT */
/* 256 interrupt stubs, 16 bytes apart (desc.c computes their addresses),
 * and the common path that builds a struct trap_frame and calls
 * trap_dispatch(). The stack is 16-byte aligned at the call. */
	.code64
	.text
	.altmacro

	.macro isr_stub vec
	.balign 16
	.if \vec == 6
	jmp ud_entry		/* the service gate's fast path first */
	.elseif (\vec == 8) || ((\vec >= 10) && (\vec <= 14)) || (\vec == 17) || (\vec == 21) || (\vec == 29) || (\vec == 30)
	.else
	pushq $0		/* no CPU-pushed error code: keep the frame uniform */
	.endif
	pushq $\vec
	jmp isr_common
	.endm

	.balign 16
	.globl isr_stubs
isr_stubs:
	.set isr_vec, 0
	.rept 256
	isr_stub %isr_vec
	.set isr_vec, isr_vec + 1
	.endr

/* The service gate (sys.c): ud2 here raises #UD, which trap_dispatch
 * turns into sys_dispatch() and a return after the ud2. */
	.globl sys_trap, sys_trap_ud2
sys_trap:
sys_trap_ud2:
	ud2
	ret

/* #UD. Port I/O through the gate (SYS_IO: rdi = port, rsi = op, rdx =
 * value) is what CPL3 does most when it lacks IOPL 3, and every CPL0
 * instruction is emulated on the nested host: serve it in a dozen
 * instructions here. Anything else takes the common path. */
#define SYS_IO 9
#define IO_W 8
ud_entry:
	cmpq $sys_trap_ud2, (%rsp)
	jne 9f
	cmpq $SYS_IO, %rax
	jne 9f
	pushq %rdx
	movl %edx, %eax
	movl %edi, %edx
	cmpl $(1 | IO_W), %esi
	je 1f
	cmpl $1, %esi
	je 2f
	cmpl $(4 | IO_W), %esi
	je 3f
	cmpl $4, %esi
	je 4f
	cmpl $(2 | IO_W), %esi
	je 5f
	inw %dx, %ax
	movzwl %ax, %eax
	jmp 8f
1:	outb %al, %dx
	jmp 8f
2:	inb %dx, %al
	movzbl %al, %eax
	jmp 8f
3:	outl %eax, %dx
	jmp 8f
4:	inl %dx, %eax
	jmp 8f
5:	outw %ax, %dx
8:	popq %rdx
	addq $2, (%rsp)		/* past the ud2 */
	iretq
9:	pushq $0
	pushq $6
	jmp isr_common

isr_common:
	pushq %rax
	pushq %rbx
	pushq %rcx
	pushq %rdx
	pushq %rsi
	pushq %rdi
	pushq %rbp
	pushq %r8
	pushq %r9
	pushq %r10
	pushq %r11
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	cld
	movq %rsp, %rdi
	call trap_dispatch
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %r11
	popq %r10
	popq %r9
	popq %r8
	popq %rbp
	popq %rdi
	popq %rsi
	popq %rdx
	popq %rcx
	popq %rbx
	popq %rax
	addq $16, %rsp		/* vector, error code */
	iretq
