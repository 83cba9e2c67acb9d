/* SPDX-License-Identifier: MIT */
/* Descriptor tables: the shared IDT, one TSS per CPU, the per-CPU blocks. */
#ifndef GT_DESC_H
#define GT_DESC_H

#include <stdint.h>

#include "cpu.h"

struct percpu;

/* CPL0, called once per CPU from start.S before dropping to CPL3. Fills
 * percpu_area[index], builds the IDT (index 0 only) and this CPU's TSS,
 * loads IDTR and TR, points GS_BASE at the per-CPU block. Returns it. */
struct percpu *cpu_init(uint32_t index);

struct desc_ptr {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

/* CPL0: load IDTR from a 10-byte pseudo-descriptor. */
void desc_load_idt(const void *pseudo_desc);

/* The IDT pseudo-descriptor every CPU loads (for tests that swap it). */
extern const struct desc_ptr idt_desc;

#endif
