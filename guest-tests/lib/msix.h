/* SPDX-License-Identifier: MIT */
/* MSI-X (PCI Local Bus 3.0 / PCIe 6.8.2): the capability, the table and
 * the pending bit array in memory BARs, and a counting interrupt handler. */
#ifndef GT_MSIX_H
#define GT_MSIX_H

#include <stdbool.h>
#include <stdint.h>

/* x86 MSI address: 0xfee00000 | destination APIC ID << 12, physical
 * destination mode, no redirection hint. Data: the vector, fixed delivery,
 * edge trigger. */
#define MSI_ADDR_BASE	       0xfee00000u
#define MSI_ADDR_DEST(apic_id) ((uint32_t)(apic_id) << 12)

struct msix {
	uint16_t bdf;
	uint8_t cap; /* capability offset */
	uint16_t nr; /* table entries */
	uint8_t table_bir, pba_bir;
	uint32_t table_off, pba_off;
	uint64_t table; /* addresses (0 when the BAR is not programmed) */
	uint64_t pba;
};

/* Read the MSI-X capability of bdf into *m. The table and PBA addresses
 * come from the BARs as programmed: call after the BARs are placed and
 * memory decoding is on. Returns 0, or -1 when there is no capability. */
int msix_init(struct msix *m, uint16_t bdf);

/* Message Control: MSI-X Enable and Function Mask. */
void msix_enable(struct msix *m, bool on);
void msix_function_mask(struct msix *m, bool masked);
uint16_t msix_control(const struct msix *m);

/* Program table entry i for vector on the CPU with APIC ID dest; leaves
 * the entry's mask bit as it was. */
void msix_set_entry(struct msix *m, unsigned i, uint32_t dest, uint8_t vector);

/* The entry's Vector Control mask bit. */
void msix_mask_entry(struct msix *m, unsigned i, bool masked);
bool msix_entry_masked(const struct msix *m, unsigned i);

/* Raw table entry words (for tests): addr lo, addr hi, data, control. */
uint32_t msix_entry_read(const struct msix *m, unsigned i, unsigned word);

/* The entry's Pending Bit. */
bool msix_pending(const struct msix *m, unsigned i);

/* Install the counting handler on vector (>= 32): each interrupt adds one
 * to its count and sends EOI. */
void msix_vector_install(uint8_t vector);
void msix_vector_remove(uint8_t vector);
uint64_t msix_vector_count(uint8_t vector);

/* Wait (interrupts enabled) until vector's count reaches want or
 * timeout_us passes. true when reached. */
bool msix_vector_wait(uint8_t vector, uint64_t want, uint64_t timeout_us);

#endif
