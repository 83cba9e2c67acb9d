// SPDX-License-Identifier: MIT
/* IDT, TSS and per-CPU set-up. Runs at CPL0, emulated on the nested host:
 * the only loop is the 256-entry IDT fill, once. */
#include "desc.h"

#include "io.h"
#include "msr.h"

struct idt_gate {
	uint16_t off0;
	uint16_t sel;
	uint8_t ist;
	uint8_t attr;
	uint16_t off1;
	uint32_t off2;
	uint32_t reserved;
} __attribute__((packed));

struct tss64 {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
} __attribute__((packed));

#define GATE_INTR_DPL0 0x8e
#define GATE_INTR_DPL3 0xee
#define TSS_AVAILABLE  0x89

extern char isr_stubs[];
extern char kstacks[], ustacks[];
extern uint64_t gdt_tss[];

struct percpu percpu_area[GT_MAX_CPUS];
static struct idt_gate idt[256] __attribute__((aligned(16)));
static struct tss64 tss[GT_MAX_CPUS] __attribute__((aligned(16)));
const struct desc_ptr idt_desc = {sizeof(idt) - 1, (uint64_t)(uintptr_t)idt};

static void idt_fill(void)
{
	for (unsigned v = 0; v < 256; v++) {
		uint64_t a = (uint64_t)(uintptr_t)(isr_stubs + 16 * v);
		struct idt_gate *g = &idt[v];

		g->off0 = a & 0xffff;
		g->sel = SEL_KCODE64;
		g->ist = 0;
		/* int3 may be used at CPL3 */
		g->attr = v == 3 ? GATE_INTR_DPL3 : GATE_INTR_DPL0;
		g->off1 = (a >> 16) & 0xffff;
		g->off2 = a >> 32;
	}
}

static void tss_install(uint32_t index, uint64_t rsp0)
{
	struct tss64 *t = &tss[index];
	uint64_t base = (uint64_t)(uintptr_t)t;
	uint64_t limit = sizeof(*t) - 1;

	t->rsp[0] = rsp0;
	t->iomap_base = sizeof(*t); /* no bitmap: IOPL decides */
	gdt_tss[2 * index] = (limit & 0xffff) | ((base & 0xffffff) << 16) |
			     ((uint64_t)TSS_AVAILABLE << 40) | (((base >> 24) & 0xff) << 56);
	gdt_tss[2 * index + 1] = base >> 32;
	__asm__ volatile("ltr %w0" : : "r"((uint16_t)SEL_TSS(index)));
}

void desc_load_idt(const void *pseudo_desc)
{
	__asm__ volatile("lidt (%0)" : : "r"(pseudo_desc) : "memory");
}

struct percpu *cpu_init(uint32_t index)
{
	struct percpu *p = &percpu_area[index];

	p->self = p;
	p->index = index;
	p->kstack_top = (uint64_t)(uintptr_t)(kstacks + (index + 1) * KSTACK_SIZE);
	p->ustack_top = (uint64_t)(uintptr_t)(ustacks + (index + 1) * USTACK_SIZE);
	if (index == 0)
		idt_fill();
	desc_load_idt(&idt_desc);
	tss_install(index, p->kstack_top);
	/* Both, so that a host that swaps them between privilege levels
	 * (swapgs-style) still shows this block at CPL0 and CPL3. */
	wrmsr(MSR_GS_BASE, (uint64_t)(uintptr_t)p);
	wrmsr(MSR_KERNEL_GS_BASE, (uint64_t)(uintptr_t)p);
	return p;
}
