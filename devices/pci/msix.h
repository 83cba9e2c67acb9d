/* SPDX-License-Identifier: MIT */
/* MSI-X for PCI functions (PCI Local Bus 3.0 / PCIe 6.0 section 6.1.4).
 *
 * The capability (table size, function mask, enable; table and PBA BIR and
 * offset) lives in config space; the table and the PBA live in windows of
 * the function's BARs, which the BAR code forwards here before the device's
 * bar_read/bar_write hooks could see them.
 *
 * Delivery without an ioctl per interrupt: each vector owns a KVM GSI
 * (gsi_alloc) and an eventfd attached to it with KVM_IRQFD. Whenever the
 * guest changes an entry, a vector mask, the function mask or the enable
 * bit, the vector's route is rewritten through the msix_router: installed
 * (address, data, requester ID) while the vector can fire, removed
 * otherwise. msix_notify() checks the enable and mask bits: a masked vector
 * gets its pending bit set and fires when unmasked; otherwise the eventfd is
 * written and KVM injects. Without a GSI table (or if allocation failed) a
 * vector is sent through the bus's msi_sink instead.
 *
 * The router carries the requester ID so that interrupt remapping can
 * translate (addr, data, rid) before a route is written. */
#ifndef DEVICES_PCI_MSIX_H
#define DEVICES_PCI_MSIX_H

#include <linux/pci_regs.h>
#include <stdbool.h>
#include <stdint.h>

#include "vmm/gsi.h"
#include "vmm/irq.h"
#include "vmm/types.h"

struct pci_dev;

#define MSIX_MAX_VECTORS (PCI_MSIX_FLAGS_QSIZE + 1) /* 2048 */

/* How MSI-X vectors reach KVM. Both hooks are called with the device lock
 * held and must not call back into the device. */
struct msix_router {
	/* Route gsi to msg sent by rid (enabled), or remove the route
	 * (!enabled). 0 or -errno (then the vector is left unrouted and its
	 * interrupts are dropped; e.g. remapping blocked it). */
	int (*route)(void *opaque, unsigned gsi, const struct msi_msg *msg, uint16_t rid,
		     bool enabled);
	/* Attach (assign) or detach eventfd efd to gsi (KVM_IRQFD). */
	int (*irqfd)(void *opaque, int efd, unsigned gsi, bool assign);
	void *opaque;
};

/* One message on its way to KVM (MSI-X entry or MSI vector). */
struct pci_vector {
	int gsi;	     /* -1: none, delivery through the msi_sink */
	int efd;	     /* eventfd attached to gsi, -1: none */
	bool routed;	     /* a route is installed for gsi */
	struct msi_msg rmsg; /* the message last routed */
};

#define PCI_VECTOR_INIT ((struct pci_vector){.gsi = -1, .efd = -1})

struct msix_vector {
	uint32_t addr_lo, addr_hi, data, ctrl; /* the guest's table entry */
	struct pci_vector iv;
};

struct msix {
	unsigned nvec; /* 0: the function has no MSI-X */
	uint8_t cap;   /* capability offset in config space */
	uint8_t table_bar, pba_bar;
	uint32_t table_off, pba_off;
	struct msix_vector *vec;
	uint64_t *pba;	      /* pending bits, (nvec + 63) / 64 words */
	bool enabled, masked; /* as last applied from the capability */
	bool attached;	      /* GSIs and irqfds set up (pci_bus_add) */
};

/* The default router: routes with gsi_set_msi() on t (the requester ID is
 * not needed without remapping) and attaches irqfds with KVM_IRQFD on
 * t->vm_fd (nothing when vm_fd is -1). opaque = t. */
struct msix_router msix_router_kvm(struct gsi_table *t);
int msix_route_kvm(void *gsi_table, unsigned gsi, const struct msi_msg *msg, uint16_t rid,
		   bool enabled);
int msix_irqfd_kvm(void *gsi_table, int efd, unsigned gsi, bool assign);

/* Give d an MSI-X capability with nvec (1..MSIX_MAX_VECTORS) vectors, its
 * table at table_off in BAR table_bar and its PBA at pba_off in BAR pba_bar
 * (offsets 8-byte aligned, windows inside declared memory BARs, not
 * overlapping). Every vector starts masked. 0 or -EINVAL/-ENOSPC/-ENOMEM.
 * Call after pci_bar_declare(), before pci_bus_add(). */
int msix_init(struct pci_dev *d, unsigned nvec, unsigned table_bar, uint32_t table_off,
	      unsigned pba_bar, uint32_t pba_off) __must_check;

/* Bytes the table / PBA take for nvec vectors (to size a BAR). */
uint32_t msix_table_size(unsigned nvec);
uint32_t msix_pba_size(unsigned nvec);

/* Signal vector vec. Returns 0 when the message was sent, 1 when it was left
 * pending (vector or function masked), -ENODEV when MSI-X is disabled (the
 * device should use INTx), -EINVAL for a bad vector. Thread-safe; callable
 * from any thread (an eventfd write, no ioctl). */
int msix_notify(struct pci_dev *d, unsigned vec);

/* True when the guest has enabled MSI-X (masked or not). */
bool msix_enabled(struct pci_dev *d);

/* True when vector vec cannot fire now: masked by itself or by the
 * function mask, or MSI-X disabled. */
bool msix_vector_masked(struct pci_dev *d, unsigned vec);

/* The eventfd attached to vector vec's GSI, or -1. For devices whose
 * interrupts do not pass through msix_notify (VFIO): writing it bypasses
 * the mask checks. */
int msix_vector_eventfd(struct pci_dev *d, unsigned vec);

/* Re-route every vector (after the router's view changed: interrupt
 * remapping tables, a new router). Thread-safe. */
void msix_reroute(struct pci_dev *d);

#endif
