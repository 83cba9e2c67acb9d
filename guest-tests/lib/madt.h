/* SPDX-License-Identifier: MIT */
/* The MADT ("APIC") table: CPUs, IOAPICs, interrupt source overrides. */
#ifndef GT_MADT_H
#define GT_MADT_H

#include <stdint.h>

#include "cpu.h"

#define MADT_MAX_IOAPICS 8
#define MADT_MAX_ISOS	 16

struct madt_ioapic {
	uint8_t id;
	uint32_t addr;
	uint32_t gsi_base;
};

struct madt_iso {
	uint8_t bus, source;
	uint32_t gsi;
	uint16_t flags; /* MPS INTI flags: polarity bits 1:0, trigger bits 3:2 */
};

struct madt_info {
	uint64_t lapic_addr;
	uint32_t flags;
	uint32_t nr_lapic_entries; /* type 0 and 9 entries, enabled or not */
	uint32_t nr_cpus;	   /* enabled ones, listed in apic_ids[] */
	uint32_t apic_ids[GT_MAX_CPUS];
	uint32_t nr_ioapics;
	struct madt_ioapic ioapic[MADT_MAX_IOAPICS];
	uint32_t nr_isos;
	struct madt_iso iso[MADT_MAX_ISOS];
	uint32_t nr_bad; /* entries with a bad length or unknown type */
};

/* Parse the MADT into *m. Returns 0, or -1 when there is no MADT. Entries
 * beyond the array sizes are counted but dropped. */
int madt_parse(struct madt_info *m);

/* The GSI an ISA IRQ is wired to (identity unless an ISO says otherwise);
 * *flags gets the ISO flags (0 = bus default: ISA is edge, active high). */
uint32_t madt_isa_gsi(const struct madt_info *m, uint8_t irq, uint16_t *flags);

/* The IOAPIC serving gsi, or NULL. */
const struct madt_ioapic *madt_ioapic_for(const struct madt_info *m, uint32_t gsi);

#endif
