/* SPDX-License-Identifier: MIT */
/* A host PCI function passed through VFIO, as a function on the guest's bus.
 *
 * Config space: the header is the VMM's own (IDs, class and revision read
 * from the device; BARs assigned by the VMM as firmware would; the command
 * register emulated and its decode, bus-master and error bits forwarded; no
 * ROM BAR; no INTx). Capabilities: MSI and MSI-X are emulated by the PCI
 * core with the device's vector counts and table layout; the PCI Express
 * capability is passed through (reads and writes go to the device at its
 * own offset, which the kernel filters); every other capability, and every
 * extended capability, is hidden.
 *
 * BARs: the mmap-able parts (sparse-mmap areas, minus the pages of the MSI-X
 * table and PBA) become KVM memory slots wherever the guest puts the BAR
 * and only while it decodes; the rest is forwarded with pread/pwrite; the
 * MSI-X table and PBA are the PCI core's.
 *
 * Interrupts: when the guest enables MSI-X or MSI, each vector's eventfd
 * (the one the PCI core attached to the vector's KVM GSI) is given to
 * VFIO_DEVICE_SET_IRQS, so a device interrupt reaches KVM with no VMM
 * thread. While a vector cannot fire (masked, routed nowhere) its irqfd is
 * detached and the eventfd keeps the interrupt; attaching it again on unmask
 * injects it. */
#ifndef DEVICES_VFIO_VFIO_PCI_H
#define DEVICES_VFIO_VFIO_PCI_H

#include "devices/pci/pci.h"
#include "devices/vfio/vfio.h"

#define VFIO_PCI_PIECES (VFIO_MAX_SPARSE + 2) /* memory slots per BAR */

struct vfio_pci_params {
	struct pci_bus *bus;
	int vm_fd;	     /* KVM memory slots and irqfds; -1: none (tests) */
	unsigned *next_slot; /* KVM memory slot allocator, shared */
};

/* One mmap of an area of a BAR, and the memory slots cut from it. */
struct vfio_pci_map {
	void *host;
	uint64_t off, size; /* in the BAR */
};

struct vfio_pci_piece {
	uint64_t off, size; /* in the BAR, page-aligned */
	uint8_t *host;
	uint32_t slot;
	bool on; /* a KVM slot is installed */
};

struct vfio_pci_bar {
	unsigned nr_maps, nr_pieces;
	struct vfio_pci_map map[VFIO_MAX_SPARSE];
	struct vfio_pci_piece piece[VFIO_PCI_PIECES];
	uint64_t gpa; /* where it decodes, while mapped */
	bool mapped;
};

/* Locks: irq_lock (what VFIO has been told of MSI and MSI-X: msi_on,
 * msi_count, msix_on; held across the whole update, so that two vCPUs'
 * writes of the capabilities reach VFIO in one order), then pci.lock (the
 * function's: config space, BARs, MSI/MSI-X; see devices/pci/pci.h), then
 * bar_lock, which guards where each BAR decodes
 * (gpa, mapped) for vfio_pci_bar_host(). bar_lock is a leaf: nothing else is
 * taken under it, so the P2P lookup may run under any other lock (the DMA
 * mirror runs it under the VT-d unit's, which interrupt remapping takes
 * under pci.lock). */
struct vfio_pci {
	struct pci_dev pci;
	struct vfio_dev dev;
	int vm_fd;
	pthread_mutex_t bar_lock;
	pthread_mutex_t irq_lock;
	struct vfio_pci_bar bar[PCI_STD_NUM_BARS];
	uint8_t pcie_phys, pcie_len; /* passed-through PCIe capability, 0: none */
	bool msix_on, msi_on;	     /* what VFIO has been told (irq_lock) */
	unsigned msi_count;
	bool *msix_irqfd; /* per MSI-X vector: its irqfd is attached */
	bool msi_irqfd[MSI_MAX_VECTORS];
};

/* Make the function for the opened device *dev (moved into the result) and
 * plug it into p->bus. 0 and *out, or -errno with err. */
int vfio_pci_new(struct vfio_dev *dev, const struct vfio_pci_params *p, struct vfio_pci **out,
		 char *err, size_t errlen) __must_check;

/* The host address of [gpa, gpa + len) when it lies inside one piece of one
 * of vp's BARs as the guest placed them (an mmap'ed area without the MSI-X
 * table and PBA pages, which are the VMM's), else NULL (for a guest IOMMU
 * mapping whose GPA is this device's BAR: peer-to-peer). Takes only
 * bar_lock: may be called with any other lock held. */
void *vfio_pci_bar_host(struct vfio_pci *vp, gpa_t gpa, uint64_t len);

/* Stop interrupts, reset the function (bus mastering off), drop its slots
 * and mmaps, close the device. The bus must no longer reach it. NULL is
 * ignored. */
void vfio_pci_free(struct vfio_pci *vp);

#endif
