/* SPDX-License-Identifier: MIT */
/* Shared by the files of the VFIO PCI function (devices/vfio/pci*.c,
 * bar.c, irq.c); not for other code. */
#ifndef DEVICES_VFIO_PCI_INTERNAL_H
#define DEVICES_VFIO_PCI_INTERNAL_H

#include "devices/vfio/vfio_pci.h"

/* bar.c: mmap every mmap-able area of the memory BARs and cut them into
 * memory-slot pieces around the MSI-X table and PBA pages; slot numbers
 * come from *next_slot. 0 or -errno with err. Before pci_bus_add(). */
int vfio_pci_bars_prepare(struct vfio_pci *vp, unsigned *next_slot, char *err, size_t errlen);

/* bar.c: remove the slots and unmap the areas. */
void vfio_pci_bars_release(struct vfio_pci *vp);

/* bar.c: the pci_dev_ops.bar_map hook: install or remove BAR bar's slots
 * at addr. Device lock held. */
void vfio_pci_bar_map(struct pci_dev *d, unsigned bar, uint64_t addr, bool mapped);

/* irq.c: tell VFIO what the guest enabled (MSI-X, MSI and how many
 * vectors), after a config write. Takes irq_lock, then the device lock:
 * call with neither held. */
void vfio_pci_irq_update(struct vfio_pci *vp);

/* irq.c: disable every interrupt at VFIO (teardown, reset). Takes
 * irq_lock: call with no lock of the function held. */
void vfio_pci_irq_off(struct vfio_pci *vp);

/* irq.c: bring every vector's irqfd in line with its route (after
 * pci_bus_add attached them all). Takes the device lock. */
void vfio_pci_irq_sync_all(struct vfio_pci *vp);

/* irq.c: the pci_dev_ops.vector_routed hook. Device lock held. */
void vfio_pci_vector_routed(struct pci_dev *d, bool msix, unsigned vec, bool routed);

/* irq.c: the pci_dev_ops.vector_pending hook: the vector's irqfd is
 * detached and its eventfd holds an interrupt (polled, not consumed). */
bool vfio_pci_vector_pending(struct pci_dev *d, bool msix, unsigned vec);

/* irq.c: the MSI Pending register with what the device holds for masked
 * vectors ORed into val (a config read of size bytes at reg). */
uint32_t vfio_pci_msi_pending(struct vfio_pci *vp, uint16_t reg, unsigned size, uint32_t val);

#endif
