/* SPDX-License-Identifier: MIT */
/* Shared between the files of the PCI core; not for device models. */
#ifndef DEVICES_PCI_INTERNAL_H
#define DEVICES_PCI_INTERNAL_H

#include "devices/pci/pci.h"

struct pci_bus {
	struct pci_bus_config cfg;
	pthread_mutex_t lock; /* slot[], window cursors */
	struct pci_dev *slot[PCI_MAX_SLOTS];
	struct pci_dev host; /* 00.0 */
	uint64_t next_mmio32, next_mmio64, next_io;
	pthread_rwlock_t router_lock; /* cfg.router */
	pthread_mutex_t intx_lock;    /* intx_count[] and the IOAPIC pins */
	unsigned intx_count[PCI_INTX_GSI_COUNT];
	bool ecam_registered;
};

#define PCI_SLOT_OF(devfn) ((devfn) >> 3)

/* Little-endian load/store of size (1, 2, 4) bytes at p. */
static inline uint32_t pci_le_get(const uint8_t *p, unsigned size)
{
	uint32_t v = 0;

	for (unsigned i = 0; i < size; i++)
		v |= (uint32_t)p[i] << (8 * i);
	return v;
}

static inline void pci_le_set(uint8_t *p, unsigned size, uint32_t v)
{
	for (unsigned i = 0; i < size; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* True when [reg, reg+size) touches [start, start+len). */
static inline bool pci_overlaps(unsigned reg, unsigned size, unsigned start, unsigned len)
{
	return reg < start + len && start < reg + size;
}

/* All ones of an access of size bytes (1 or 2; anything else: 32 bits). */
static inline uint32_t pci_ones(unsigned size)
{
	return size == 1 || size == 2 ? (1u << (8 * size)) - 1 : 0xffffffffu;
}

/* config.c: raw register access, device lock held. */
static inline uint32_t pci_cfg_get(const struct pci_dev *d, unsigned reg, unsigned size)
{
	return pci_le_get(&d->cfg[reg], size);
}

static inline void pci_cfg_set(struct pci_dev *d, unsigned reg, unsigned size, uint32_t v)
{
	pci_le_set(&d->cfg[reg], size, v);
}

/* bar.c: bring every BAR's bus registration in line with the command
 * register and the BAR registers. Device lock held. */
void pci_bars_update(struct pci_dev *d);
/* bar.c: unregister every BAR (bus teardown). Device lock held. */
void pci_bars_unmap(struct pci_dev *d);
/* bar.c: the address programmed in BAR idx. Device lock held. */
uint64_t pci_bar_addr_locked(const struct pci_dev *d, unsigned idx);

/* vector.c: one interrupt message of a function (kind "MSI-X" or "MSI",
 * vector i, for the logs). Device lock held.
 * attach: a GSI and an eventfd attached to it (a function with no GSI left
 * delivers through the bus's msi_sink); 0 or -errno.
 * detach: remove the route and the irqfd, close the eventfd.
 * route: install msg as the route (want) or remove it (!want), when it
 * differs from what is installed or force.
 * send: write the eventfd when the vector is routed, else send msg through
 * the msi_sink (which may block it and record why: interrupt remapping). */
int pci_vector_attach(struct pci_dev *d, struct pci_vector *v, const char *kind, unsigned i);
void pci_vector_detach(struct pci_dev *d, struct pci_vector *v);
void pci_vector_route(struct pci_dev *d, struct pci_vector *v, const struct msi_msg *msg, bool want,
		      bool force, const char *kind, unsigned i);
void pci_vector_send(struct pci_dev *d, struct pci_vector *v, const struct msi_msg *msg,
		     const char *kind, unsigned i);

/* msi.c: apply the capability after a write to it (routes, pending bits
 * of unmasked vectors); re-route every vector (a new router); allocate and
 * free the vectors' GSIs and irqfds. Lock held. */
void msi_update(struct pci_dev *d);
void msi_reroute(struct pci_dev *d);
int msi_attach(struct pci_dev *d);
void msi_detach(struct pci_dev *d);

/* msix.c: apply the capability's enable and function mask. Lock held. */
void msix_update(struct pci_dev *d);
/* msix.c: bring vector i's route in line with its entry and the masks
 * (force: rewrite it even if unchanged); deliver a pending message it may
 * now send. Lock held. */
void msix_vector_sync(struct pci_dev *d, unsigned i, bool force);
/* msix_table.c: a BAR access that falls in the table or PBA window: handled
 * (true, *val filled for reads) or not ours (false). Takes the lock. */
bool msix_bar_read(struct pci_dev *d, unsigned bar, uint64_t off, unsigned size, uint64_t *val);
bool msix_bar_write(struct pci_dev *d, unsigned bar, uint64_t off, unsigned size, uint64_t val);
/* msix.c: allocate GSIs and eventfds, attach irqfds (pci_bus_add), and
 * undo it (bus teardown, pci_dev_fini). Lock held. */
int msix_attach(struct pci_dev *d);
void msix_detach(struct pci_dev *d);
/* msix.c: mask every vector and clear the pending bits (reset). Lock held. */
void msix_reset(struct pci_dev *d);
/* msix.c: free the vectors (pci_dev_fini). */
void msix_free(struct pci_dev *d);

/* intx.c: drive the pin from the INTx level and COMMAND.INTX_DISABLE.
 * Device lock held. */
void pci_intx_update(struct pci_dev *d);

/* bus.c: the router in use (a copy, read under the router lock). */
struct msix_router pci_bus_router(struct pci_bus *b);

/* host.c: initialise the host bridge function. */
void pci_host_init(struct pci_dev *d);
/* host.c: ECAM MMIO handlers, opaque = the struct pci_bus. */
extern const struct bus_ops pci_ecam_ops;

#endif
