// SPDX-License-Identifier: MIT
/* The service gate: CPL3 wrappers and the CPL0 dispatcher. */
#include "sys.h"

#include "desc.h"
#include "msr.h"
#include "trap.h"

/* The service gate is a ud2 at a known address (isr.S: sys_trap_ud2):
 * exceptions reach our IDT on every host, while a paravirtualised host may
 * turn "int n" at CPL3 into #UD. Only rax changes. */
static inline uint64_t sys_call(uint64_t op, uint64_t a0, uint64_t a1, uint64_t a2)
{
	uint64_t ret;

	__asm__ volatile("call sys_trap"
			 : "=a"(ret)
			 : "a"(op), "D"(a0), "S"(a1), "d"(a2)
			 : "memory");
	return ret;
}

uint64_t sys_rdmsr(uint32_t msr)
{
	return sys_call(SYS_RDMSR, msr, 0, 0);
}

void sys_wrmsr(uint32_t msr, uint64_t v)
{
	sys_call(SYS_WRMSR, msr, v, 0);
}

uint64_t sys_read_cr(unsigned n)
{
	return sys_call(SYS_READ_CR, n, 0, 0);
}

void sys_write_cr(unsigned n, uint64_t v)
{
	sys_call(SYS_WRITE_CR, n, v, 0);
}

void sys_lidt(const void *pseudo_desc)
{
	sys_call(SYS_LIDT, (uint64_t)(uintptr_t)pseudo_desc, 0, 0);
}

_Noreturn void sys_park(void)
{
	sys_call(SYS_PARK, 0, 0, 0);
	__builtin_unreachable();
}

struct cpuid_regs sys_cpuid(uint32_t leaf, uint32_t sub)
{
	struct cpuid_regs r;

	sys_call(SYS_CPUID, leaf, sub, (uint64_t)(uintptr_t)&r);
	return r;
}

bool io_via_sys = true;

uint32_t sys_io(uint16_t port, unsigned op, uint32_t v)
{
	return (uint32_t)sys_call(SYS_IO, port, op, v);
}

void sys_set_if(bool on)
{
	sys_call(SYS_SET_IF, on, 0, 0);
}

void sys_halt(void)
{
	sys_call(SYS_HALT, 0, 0, 0);
}

static uint64_t cr_read(uint64_t n)
{
	uint64_t v = 0;

	switch (n) {
	case 0: __asm__ volatile("mov %%cr0, %0" : "=r"(v)); break;
	case 2: __asm__ volatile("mov %%cr2, %0" : "=r"(v)); break;
	case 3: __asm__ volatile("mov %%cr3, %0" : "=r"(v)); break;
	case 4: __asm__ volatile("mov %%cr4, %0" : "=r"(v)); break;
	case 8: __asm__ volatile("mov %%cr8, %0" : "=r"(v)); break;
	}
	return v;
}

static void cr_write(uint64_t n, uint64_t v)
{
	switch (n) {
	case 0: __asm__ volatile("mov %0, %%cr0" : : "r"(v) : "memory"); break;
	case 3: __asm__ volatile("mov %0, %%cr3" : : "r"(v) : "memory"); break;
	case 4: __asm__ volatile("mov %0, %%cr4" : : "r"(v) : "memory"); break;
	case 8: __asm__ volatile("mov %0, %%cr8" : : "r"(v) : "memory"); break;
	}
}

void sys_dispatch(struct trap_frame *f)
{
	struct cpuid_regs *out;

	f->rip += 2; /* past the ud2 */
	switch (f->rax) {
	case SYS_RDMSR: f->rax = rdmsr((uint32_t)f->rdi); break;
	case SYS_WRMSR: wrmsr((uint32_t)f->rdi, f->rsi); break;
	case SYS_READ_CR: f->rax = cr_read(f->rdi); break;
	case SYS_WRITE_CR: cr_write(f->rdi, f->rsi); break;
	case SYS_LIDT: desc_load_idt((const void *)(uintptr_t)f->rdi); break;
	case SYS_PARK:
		for (;;)
			__asm__ volatile("cli; hlt");
	case SYS_CPUID:
		out = (struct cpuid_regs *)(uintptr_t)f->rdx;
		*out = cpuid_count((uint32_t)f->rdi, (uint32_t)f->rsi);
		break;
	case SYS_IO: f->rax = io_port((uint16_t)f->rdi, (unsigned)f->rsi, (uint32_t)f->rdx); break;
	case SYS_SET_IF:
		f->rflags = (f->rflags & ~X86_EFLAGS_IF) | (f->rdi ? X86_EFLAGS_IF : 0);
		break;
	case SYS_HALT:
		/* The interrupt is handled on this stack right after hlt. */
		__asm__ volatile("sti; hlt; cli" ::: "memory");
		break;
	default: f->rax = (uint64_t)-1;
	}
}
