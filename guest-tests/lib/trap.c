// SPDX-License-Identifier: MIT
/* The C side of every interrupt, exception and service-gate call. */
#include "trap.h"

#include "cpu.h"
#include "exit.h"
#include "io.h"
#include "lapic.h"
#include "printf.h"
#include "report.h"
#include "sys.h"

static trap_handler_t handlers[256];
static uint64_t unexpected;

static const char *const exc_names[32] = {
	"#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM", "#DF", "#09", "#TS",
	"#NP", "#SS", "#GP", "#PF", "#15", "#MF", "#AC", "#MC", "#XM", "#VE", "#CP",
};

void trap_set_handler(unsigned vec, trap_handler_t h)
{
	if (vec < 256)
		WRITE_ONCE(handlers[vec], h);
}

uint64_t trap_unexpected_count(void)
{
	return READ_ONCE(unexpected);
}

static uint64_t read_cr2(void)
{
	uint64_t v;
	__asm__ volatile("mov %%cr2, %0" : "=r"(v));
	return v;
}

static _Noreturn void trap_fatal(struct trap_frame *f)
{
	const char *name = exc_names[f->vector] ? exc_names[f->vector] : "?";

	printf("# unhandled exception %s (vector %lu) error %#lx on cpu %u\n", name,
	       (unsigned long)f->vector, (unsigned long)f->error, cpu_index());
	printf("#   rip %#lx cs %#lx rflags %#lx rsp %#lx ss %#lx cr2 %#lx\n",
	       (unsigned long)f->rip, (unsigned long)f->cs, (unsigned long)f->rflags,
	       (unsigned long)f->rsp, (unsigned long)f->ss, (unsigned long)read_cr2());
	printf("#   rax %#lx rbx %#lx rcx %#lx rdx %#lx rsi %#lx rdi %#lx\n", (unsigned long)f->rax,
	       (unsigned long)f->rbx, (unsigned long)f->rcx, (unsigned long)f->rdx,
	       (unsigned long)f->rsi, (unsigned long)f->rdi);
	report_bail("unhandled exception %s at %#lx", name, (unsigned long)f->rip);
}

void trap_dispatch(struct trap_frame *f)
{
	trap_handler_t h;

	if (f->vector == VEC_UD && f->rip == (uint64_t)(uintptr_t)sys_trap_ud2) {
		sys_dispatch(f);
		return;
	}
	h = handlers[f->vector & 0xff];
	if (h) {
		h(f);
		return;
	}
	if (f->vector < 32)
		trap_fatal(f);
	unexpected++;
	if (f->vector != VEC_SPURIOUS)
		lapic_eoi();
}
