/* SPDX-License-Identifier: MIT */
/* Shared between the files of the virtio PCI transport; not for devices. */
#ifndef DEVICES_VIRTIO_PCI_INTERNAL_H
#define DEVICES_VIRTIO_PCI_INTERNAL_H

#include "devices/virtio/pci.h"

/* pci_common.c: the common configuration structure (spec 4.1.4.3), off
 * relative to its start. vdev->lock held. Accesses must use the natural
 * width of a field; others read 0 and are dropped (logged once). */
uint64_t virtio_pci_common_read(struct virtio_pci *vp, uint64_t off, unsigned size);
void virtio_pci_common_write(struct virtio_pci *vp, uint64_t off, unsigned size, uint64_t val);

/* pci_common.c: reset the device model, then the transport state and the
 * queues (virtio_pci_regs_init). vdev->lock held. */
void virtio_pci_reset_locked(struct virtio_pci *vp);

/* pci_common.c: the registers' and queues' reset values, drained kick
 * eventfds, ISR clear; the device model is not called. */
void virtio_pci_regs_init(struct virtio_pci *vp);

/* pci_irq.c: the calls a device makes into the transport. */
extern const struct virtio_transport virtio_pci_transport;

/* pci_irq.c: read-to-clear ISR; lowers INTx. Any thread. */
uint8_t virtio_pci_isr_read(struct virtio_pci *vp);

/* pci_irq.c: interrupt for a config change (config_generation already
 * bumped). vdev->lock held. */
void virtio_pci_config_irq(struct virtio_pci *vp);

/* pci_notify.c: a driver notification for queue q (MMIO path): wake the
 * worker. Any thread, no lock. */
void virtio_pci_notify(struct virtio_pci *vp, unsigned q);

/* pci_notify.c: the worker's callback on queue kick_fd readiness;
 * opaque is the struct virtio_pci_queue. */
void virtio_pci_kick_event(void *opaque, uint32_t events);

/* pci_notify.c: (de)register the queues' KVM ioeventfds for the BAR now
 * at addr (mapped) or gone. PCI lock held; never takes vdev->lock. */
void virtio_pci_ioevent_map(struct virtio_pci *vp, uint64_t addr, bool mapped);

/* pci_notify.c: create the kick eventfds and add them to the worker
 * (0 or -errno); close them (after the worker stopped). */
int virtio_pci_kick_init(struct virtio_pci *vp) __must_check;
void virtio_pci_kick_fini(struct virtio_pci *vp);

#endif
