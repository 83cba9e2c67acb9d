/* SPDX-License-Identifier: MIT */
/* IOAPIC register access (IOREGSEL at +0, IOWIN at +0x10) and redirection
 * table entries. */
#ifndef GT_IOAPIC_H
#define GT_IOAPIC_H

#include <stdint.h>

#define IOAPIC_REG_ID	    0x00
#define IOAPIC_REG_VER	    0x01
#define IOAPIC_REG_RTE(pin) (0x10 + 2 * (pin))

#define RTE_DELIVERY_FIXED (0ull << 8)
#define RTE_DEST_LOGICAL   (1ull << 11)
#define RTE_REMOTE_IRR	   (1ull << 14)
#define RTE_ACTIVE_LOW	   (1ull << 13)
#define RTE_LEVEL	   (1ull << 15)
#define RTE_MASKED	   (1ull << 16)
#define RTE_DEST(apic_id)  ((uint64_t)(apic_id) << 56)

/* Read / write an indirect register. */
uint32_t ioapic_read(uint64_t base, uint8_t reg);
void ioapic_write(uint64_t base, uint8_t reg, uint32_t v);

/* Version register fields: version (bits 7:0), pins (max entry + 1). */
uint32_t ioapic_version(uint64_t base);
uint32_t ioapic_pins(uint64_t base);

/* Read / write the 64-bit redirection entry of pin (high half written
 * first, so the entry never fires half-programmed when unmasked). */
uint64_t ioapic_get_rte(uint64_t base, unsigned pin);
void ioapic_set_rte(uint64_t base, unsigned pin, uint64_t rte);

/* Mask pin. */
void ioapic_mask(uint64_t base, unsigned pin);

#endif
