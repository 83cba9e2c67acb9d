/* SPDX-License-Identifier: MIT */
/* The virtio 1.x PCI transport (modern only; spec 4.1).
 *
 * A virtio device (struct virtio_dev, devices/virtio/virtio.h) becomes PCI
 * function 1af4:(1040 + device id), revision 1, with one 64-bit memory BAR
 * (VIRTIO_PCI_BAR) that holds, a page each: the common configuration, the
 * ISR byte, the device configuration, the notification area (queue q at
 * q * VIRTIO_PCI_NOTIFY_MULT), then the MSI-X table and PBA. Vendor
 * capabilities describe them (COMMON, NOTIFY, ISR, DEVICE, PCI_CFG), then
 * the MSI-X capability (one vector per queue plus one for config changes).
 *
 * Notifications: each queue owns an eventfd that the device's worker
 * thread polls. When a vm_fd is given, a KVM ioeventfd on the queue's
 * notify address writes it without an exit to user space (re-registered
 * whenever the BAR moves); MMIO writes to the notify area (any width, or
 * the PCI_CFG window) write it too. The worker then serves the queue if the
 * driver has set DRIVER_OK and the queue is enabled; otherwise the
 * notification is ignored (logged once). At DRIVER_OK every enabled queue
 * is kicked once, so buffers made available earlier are not lost.
 *
 * Interrupts: the queue's or the config MSI-X vector when MSI-X is enabled,
 * else INTx with the ISR register (read-to-clear: bit 0 queue, bit 1
 * config).
 *
 * Locking: vdev->lock serialises the registers, the state machine and the
 * device's queue processing. Lock order: vdev->lock, then irq_lock (the
 * ISR and the INTx level), then the PCI function's lock (msix_notify,
 * pci_set_intx). The bar_map hook (PCI lock held) touches only the
 * ioeventfd state, never vdev->lock. */
#ifndef DEVICES_VIRTIO_PCI_H
#define DEVICES_VIRTIO_PCI_H

#include <stdatomic.h>

#include "devices/pci/pci.h"
#include "devices/virtio/virtio.h"

#define VIRTIO_PCI_VENDOR      0x1af4
#define VIRTIO_PCI_DEVICE_BASE 0x1040 /* + virtio device id */
#define VIRTIO_PCI_SUBSYS      0x1100 /* subsystem id, as QEMU */
#define VIRTIO_PCI_REVISION    1      /* modern, not transitional */

/* The BAR and its layout. */
#define VIRTIO_PCI_BAR	       0
#define VIRTIO_PCI_COMMON_OFF  0x0000
#define VIRTIO_PCI_COMMON_LEN  0x40 /* through queue_reset */
#define VIRTIO_PCI_ISR_OFF     0x1000
#define VIRTIO_PCI_ISR_LEN     1
#define VIRTIO_PCI_DEVCFG_OFF  0x2000
#define VIRTIO_PCI_DEVCFG_MAX  0x1000
#define VIRTIO_PCI_NOTIFY_OFF  0x3000
#define VIRTIO_PCI_NOTIFY_MULT 4      /* notify_off_multiplier */
#define VIRTIO_PCI_MSIX_OFF    0x4000 /* MSI-X table */
#define VIRTIO_PCI_PBA_OFF     0x5000 /* MSI-X pending bits */
#define VIRTIO_PCI_BAR_SIZE    0x8000

/* ISR bit 0; bit 1 is VIRTIO_PCI_ISR_CONFIG in <linux/virtio_pci.h>. */
#define VIRTIO_PCI_ISR_QUEUE 0x1

struct virtio_pci;

/* Per-queue transport state (the virtqueue itself is vdev->vq[q]). */
struct virtio_pci_queue {
	struct virtio_pci *vp;
	unsigned idx;
	uint16_t size; /* queue_size as the driver left it */
	bool size_bad; /* last queue_size write was refused */
	uint16_t msix_vector;
	bool enabled; /* queue_enable reads 1 */
	uint64_t desc, driver, device;
	int kick_fd;	       /* eventfd: the worker serves the queue */
	uint64_t ioevent_addr; /* registered KVM ioeventfd, when ioevent_on */
	uint32_t ioevent_len;
	bool ioevent_on;
	atomic_ulong kicks; /* driver notifications seen by the worker */
	atomic_ulong irqs;  /* queue interrupts sent (MSI-X or INTx) */
};

struct virtio_pci {
	struct pci_dev pci; /* first: the PCI core's view */
	struct virtio_dev *vdev;
	int vm_fd;	   /* for KVM_IOEVENTFD; -1: none */
	bool worker_ready; /* worker_init() succeeded */

	/* Common configuration, under vdev->lock. */
	uint32_t dfselect, gfselect;
	uint64_t gf;	 /* driver_feature as written */
	bool gf_unknown; /* bits written beyond the first 64 */
	uint16_t msix_config;
	uint8_t status;
	uint8_t config_generation;
	uint16_t queue_select;
	struct virtio_pci_queue q[VIRTIO_MAX_QUEUES];

	pthread_mutex_t irq_lock; /* isr and the INTx level move together */
	uint8_t isr;		  /* VIRTIO_PCI_ISR_* pending */
	uint8_t cfg_cap;	  /* offset of the PCI_CFG capability */
	int dump_fd;		  /* eventfd: the worker logs the state */
};

struct virtio_pci_params {
	struct pci_bus *bus;
	int slot;  /* 1..31, or -1: the first free slot */
	int vm_fd; /* KVM_IOEVENTFD; -1: MMIO exits only */
	/* Run first on the device's worker thread (its seccomp filter).
	 * NULL: none. */
	int (*thread_init)(struct worker *w);
};

/* Put vdev (filled by its device model) on the PCI bus: the function, its
 * BAR and capabilities, MSI-X, the worker (initialised, not started) with
 * one eventfd per queue. vdev must outlive the transport. Returns 0 with
 * *out set, or -errno (-EINVAL for a vdev without queues or with too big a
 * config space, errors of pci_bus_add()). */
int virtio_pci_new(struct virtio_dev *vdev, const struct virtio_pci_params *p,
		   struct virtio_pci **out) __must_check;

/* Start the device's worker thread. Call once, after the process dropped
 * its capabilities and before the vCPUs run. 0 or -errno. */
int virtio_pci_start(struct virtio_pci *vp) __must_check;

/* Stop the worker, remove the ioeventfds (call before the VM's fd is
 * closed), release the transport; the device model is the caller's to
 * free afterwards. The function must be out of guest reach: call after the
 * vCPUs stopped and pci_bus_free(). NULL is fine. */
void virtio_pci_free(struct virtio_pci *vp);

/* Serve queue q now if the driver allows it (DRIVER_OK, no
 * DEVICE_NEEDS_RESET, the queue enabled, bus mastering on), else ignore the
 * notification and log it once. The worker calls this on a notification;
 * the unit tests call it directly. Takes vdev->lock. */
void virtio_pci_process(struct virtio_pci *vp, unsigned q);

/* Ask the device's worker to log the transport's state and each queue's
 * (virtq_describe) with its notification and interrupt counts: what a
 * hung driver and device each believe. Any thread; returns at once. */
void virtio_pci_dump(struct virtio_pci *vp);

/* Device reset, as when the driver writes 0 to device_status. */
void virtio_pci_reset(struct virtio_pci *vp);

#endif
