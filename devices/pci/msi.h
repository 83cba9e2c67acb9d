/* SPDX-License-Identifier: MIT */
/* MSI for PCI functions (PCI Local Bus 3.0 section 6.8.1): the 64-bit
 * capability with per-vector masking, 1 to 32 vectors (Multiple Message
 * Capable), the guest picking how many it enables (Multiple Message Enable).
 * Vector i sends the programmed data with its low log2(enabled) bits
 * replaced by i. A masked vector sets its bit in the Pending register (read
 * only to the guest) and fires when unmasked. Delivery as for MSI-X
 * (msix.h): a GSI and an irqfd per vector, the route following the
 * capability through the bus's router (with the requester ID, for interrupt
 * remapping). A function may have MSI, MSI-X or both; the guest enables at
 * most one, and the device model asks which (msi_enabled, msix_enabled). */
#ifndef DEVICES_PCI_MSI_H
#define DEVICES_PCI_MSI_H

#include <stdbool.h>
#include <stdint.h>

#include "vmm/irq.h"

struct pci_dev;

#define MSI_MAX_VECTORS 32
#define MSI_CAP_SIZEOF	24 /* 64-bit, per-vector masking: up to PENDING_64 + 4 */

struct msi {
	unsigned nvec; /* 0: the function has no MSI; else a power of two */
	uint8_t cap;   /* capability offset in config space */
	bool attached; /* GSIs and irqfds set up (pci_bus_add) */
	struct pci_vector vec[MSI_MAX_VECTORS];
};

/* Give d an MSI capability with nvec vectors (1, 2, 4, 8, 16 or 32). 0 or
 * -EINVAL (bad nvec, already there, d on a bus), -ENOSPC (config space
 * full). Call before pci_bus_add(). */
int msi_init(struct pci_dev *d, unsigned nvec) __must_check;

/* Signal vector vec. 0 (sent), 1 (masked: left pending), -ENODEV (MSI is
 * disabled: use INTx or MSI-X), -EINVAL (vec not among the enabled
 * vectors). Thread-safe; an eventfd write, no ioctl. */
int msi_notify(struct pci_dev *d, unsigned vec);

/* True when the guest has enabled MSI. */
bool msi_enabled(struct pci_dev *d);

#endif
