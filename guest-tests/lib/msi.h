/* SPDX-License-Identifier: MIT */
/* MSI (PCI Local Bus 3.0, 6.8.1): the capability in configuration space,
 * with one vector. The message uses the x86 format of msix.h
 * (MSI_ADDR_BASE, MSI_ADDR_DEST); the counting handler of msix.h
 * (msix_vector_install) serves MSI vectors as well. */
#ifndef GT_MSI_H
#define GT_MSI_H

#include <stdbool.h>
#include <stdint.h>

struct msi {
	uint16_t bdf;
	uint8_t cap;	 /* capability offset */
	uint16_t flags;	 /* Message Control as found */
	bool is64;	 /* 64-bit address: data at 0x0c, mask at 0x10 */
	bool maskbit;	 /* per-vector masking capable */
	unsigned nr_vec; /* Multiple Message Capable: 1 << QMASK */
};

/* Read the MSI capability of bdf into *m. 0, or -1 when it has none. */
int msi_init(struct msi *m, uint16_t bdf);

/* Message Control as it reads now. */
uint16_t msi_control(const struct msi *m);

/* Program the message of vector 0: address 0xfee00000 | dest << 12 (upper
 * half 0 when 64-bit), data = vector (fixed, edge); one vector enabled
 * (Multiple Message Enable 0). Leaves MSI Enable as it was. */
void msi_set_message(struct msi *m, uint32_t dest, uint8_t vector);

/* The address (low 32 bits) and data registers as they read back. */
uint32_t msi_addr_lo(const struct msi *m);
uint16_t msi_data(const struct msi *m);

/* MSI Enable on or off. */
void msi_enable(struct msi *m, bool on);

/* Vector 0's mask and pending bits (only with maskbit; else no effect and
 * false). */
void msi_mask(struct msi *m, bool masked);
bool msi_pending(const struct msi *m);

#endif
