/* SPDX-License-Identifier: MIT */
/* A small virtio 1.x driver over the modern PCI transport (virtio 1.2,
 * 4.1): the vendor capabilities, the status and feature handshake, split
 * virtqueues (2.7) in guest RAM, notifications, polling or MSI-X.
 *
 * DMA addresses: the device sees IOVAs, the driver owns guest-physical
 * memory. Every address written into a ring or a queue register goes
 * through the device's struct virtio_dma: virtio_dma_identity (IOVA = GPA)
 * by default, or struct viommu_dma (viommu_dma.h), which maps through a
 * virtio-iommu. Wire formats come from the kernel's <linux/virtio_*.h>. */
#ifndef GT_VIRTIO_H
#define GT_VIRTIO_H

#include <linux/virtio_config.h>
#include <linux/virtio_ids.h>
#include <linux/virtio_pci.h>
#include <linux/virtio_ring.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "msix.h"
#include "pci.h"

#define VIRTIO_PCI_VENDOR	   0x1af4
#define VIRTIO_PCI_MODERN_ID(type) (0x1040 + (type))
#define VIRTIO_MAX_VQS		   4
#define VIRTQ_MAX_SIZE		   256 /* what this driver uses at most per queue */

/* An address as the device emits it. */
typedef uint64_t iova_t;
#define IOVA_INVALID (~0ull)

/* How the driver turns guest memory into device addresses. map makes len
 * bytes at gpa reachable (dev_writes: the device writes there) and returns
 * the IOVA, or IOVA_INVALID; unmap undoes it. */
struct virtio_dma {
	const char *name;
	iova_t (*map)(void *ctx, uint64_t gpa, uint64_t len, bool dev_writes);
	void (*unmap)(void *ctx, iova_t iova, uint64_t len);
	void *ctx;
};

/* IOVA = GPA. */
extern const struct virtio_dma virtio_dma_identity;

/* Guest-physical address of a runtime pointer (identity page tables). */
static inline uint64_t virt_to_phys(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}

struct virtio_pci;

/* The IOVA the device must use for len bytes at p (through d->dma). */
iova_t virtio_dma_map(struct virtio_pci *d, const void *p, uint64_t len, bool dev_writes);

/* Zeroed memory for rings and buffers, from a static pool; never freed.
 * align is a power of two. Bails out of the test when the pool is empty. */
void *virtio_alloc(size_t size, size_t align);

/* One split virtqueue. */
struct virtq {
	struct virtio_pci *dev;
	uint16_t index;
	uint16_t size; /* 0: not set up */
	uint16_t msix_vector;
	struct vring_desc *desc;
	struct vring_avail *avail;
	struct vring_used *used;
	iova_t desc_iova, avail_iova, used_iova;
	uint64_t notify; /* address of this queue's notification register */
	uint16_t free_head, nr_free;
	uint16_t next_avail; /* our copy of avail->idx */
	uint16_t last_used;
	/* Per descriptor: the link we wrote, the mapping to undo. */
	uint16_t next[VIRTQ_MAX_SIZE];
	uint16_t chain_len[VIRTQ_MAX_SIZE]; /* per head */
	iova_t iova[VIRTQ_MAX_SIZE];
	uint32_t len[VIRTQ_MAX_SIZE];
	bool indirect[VIRTQ_MAX_SIZE]; /* per head: iova/len is a table */
	void *ring_mem;		       /* 3 pages, kept across resets */
	struct vring_desc *tables;     /* VIRTQ_INDIRECT_MAX per descriptor */
};

/* A virtio PCI function and its transport structures. */
struct virtio_pci {
	struct pci_func pci;
	uint16_t type;				   /* VIRTIO_ID_* */
	uint64_t common, isr, device, notify_base; /* MMIO addresses */
	uint32_t common_len, isr_len, device_len, notify_len;
	uint32_t notify_mult;
	uint64_t offered;  /* device features */
	uint64_t features; /* negotiated */
	struct msix msix;
	bool has_msix;
	const struct virtio_dma *dma;
	struct virtq vq[VIRTIO_MAX_VQS];
};

/* Raw vendor capability, as read from configuration space. */
struct virtio_cap {
	uint8_t pos, cfg_type, bar, len;
	uint32_t offset, length;
	uint32_t notify_mult; /* VIRTIO_PCI_CAP_NOTIFY_CFG only */
};

/* Read the vendor capabilities of bdf into caps[0..max); returns the
 * number found (bounded by the capability walk). */
unsigned virtio_read_caps(uint16_t bdf, struct virtio_cap *caps, unsigned max);

/* Find the instance-th virtio device of type on bus 0 (modern device ID
 * 0x1040 + type, or a transitional one whose subsystem ID is type), place
 * its BARs if the platform left them unassigned, enable memory decoding
 * and bus mastering, and locate the common, notify, ISR and device
 * structures. The DMA ops default to identity. 0, or -1 (with d->pci.bdf
 * set when the function exists but its capabilities are unusable). */
int virtio_pci_open(struct virtio_pci *d, uint16_t type, unsigned instance);

/* Common configuration registers (4.1.4.3). */
uint8_t virtio_status(struct virtio_pci *d);
void virtio_set_status(struct virtio_pci *d, uint8_t status);
uint8_t virtio_isr(struct virtio_pci *d);
uint16_t virtio_num_queues(struct virtio_pci *d);

/* Write 0 to device_status and wait (bounded) for it to read 0. */
bool virtio_reset(struct virtio_pci *d);

/* Reset, ACKNOWLEDGE, DRIVER, read the offered features, accept
 * want & offered plus VERSION_1 and ACCESS_PLATFORM when offered, then
 * FEATURES_OK and check it stuck. 0, or -1 (device refused, or no
 * VERSION_1). The queues are forgotten. */
int virtio_negotiate(struct virtio_pci *d, uint64_t want);

/* Set up queue q: size 0 means the device's maximum capped at
 * VIRTQ_MAX_SIZE; msix_entry VIRTIO_MSI_NO_VECTOR for polling. Rings are
 * mapped through d->dma and written to the queue registers, then the
 * queue is enabled. 0, or -1 (queue absent, vector refused, map failed). */
int virtq_setup(struct virtio_pci *d, unsigned q, uint16_t size, uint16_t msix_entry);

/* The same without the power-of-two check on size (for tests of a device
 * that must refuse it). */
int virtq_setup_any_size(struct virtio_pci *d, unsigned q, uint16_t size, uint16_t msix_entry);

/* Point vq at its ring pages (vq->ring_mem, 3 pages), zeroed, for size
 * entries, with every descriptor free. (virtq_setup's helper.) */
void virtq_ring_reset(struct virtq *vq, uint16_t size);

/* Set DRIVER_OK. */
void virtio_driver_ok(struct virtio_pci *d);

/* Negotiate want, set up nr queues without interrupts, DRIVER_OK. */
int virtio_init(struct virtio_pci *d, uint64_t want, unsigned nr);

/* The configuration-change MSI-X entry (msix_config); returns what reads
 * back (VIRTIO_MSI_NO_VECTOR when refused). */
uint16_t virtio_config_vector(struct virtio_pci *d, uint16_t entry);

/* Device-specific configuration (4.1.4.6), read with the generation
 * counter so multi-byte fields are consistent. */
uint8_t virtio_cfg8(struct virtio_pci *d, unsigned off);
uint16_t virtio_cfg16(struct virtio_pci *d, unsigned off);
uint32_t virtio_cfg32(struct virtio_pci *d, unsigned off);
uint64_t virtio_cfg64(struct virtio_pci *d, unsigned off);

/* One buffer of a request. */
struct virtq_buf {
	void *addr;
	uint32_t len;
};

/* Add a chain: nr_out device-readable buffers then nr_in device-writable
 * ones, each mapped through d->dma. Publishes it in the avail ring (no
 * notification). 0 with *head set, or -1 (no room, map failed). */
int virtq_add(struct virtq *vq, const struct virtq_buf *b, unsigned nr_out, unsigned nr_in,
	      uint16_t *head);

/* Notify the device of queue vq (a 16-bit write of the queue index). */
void virtq_kick(struct virtq *vq);

/* Take one used element: true with *head and *len, the chain freed and its
 * buffers unmapped. */
bool virtq_get(struct virtq *vq, uint16_t *head, uint32_t *len);

/* Poll for up to timeout_us for a used element. 0 with *head / *len,
 * -1 on timeout. */
int virtq_wait(struct virtq *vq, uint16_t *head, uint32_t *len, uint64_t timeout_us);

/* add + kick + wait for that chain. 0 with *len, -1 (add failed or
 * timeout, or another chain came back). */
int virtq_submit(struct virtq *vq, const struct virtq_buf *b, unsigned nr_out, unsigned nr_in,
		 uint32_t *len, uint64_t timeout_us);

/* Add a chain as one indirect descriptor (needs VIRTIO_RING_F_INDIRECT_DESC
 * negotiated): the table (at most VIRTQ_INDIRECT_MAX entries) lives in
 * per-descriptor memory of the queue. As virtq_add otherwise. */
#define VIRTQ_INDIRECT_MAX 8
int virtq_add_indirect(struct virtq *vq, const struct virtq_buf *b, unsigned nr_out, unsigned nr_in,
		       uint16_t *head);

/* The indirect table memory of descriptor i and its IOVA. */
struct vring_desc *virtq_indirect_table(struct virtq *vq, uint16_t i, iova_t *iova);

/* Raw access, for malformed chains: take n free descriptors (idx[0] is
 * the head; they return to the free list when that head is used, or at
 * the next set-up), write descriptors as given, publish a head (any value:
 * out of range ones too). */
int virtq_take(struct virtq *vq, unsigned n, uint16_t *idx);
void virtq_raw_desc(struct virtq *vq, uint16_t i, uint64_t addr, uint32_t len, uint16_t flags,
		    uint16_t next);
void virtq_raw_publish(struct virtq *vq, uint16_t head);

/* Raw access, a whole chain from a table: take n (at most
 * VIRTQ_RAW_CHAIN_MAX) free descriptors, write t[0..n) into them as given
 * and publish the first; *head is its index. In an entry with
 * VRING_DESC_F_NEXT, a next below n names an entry of t (one may point
 * back: a loop); any other next is written as it is (an index outside the
 * ring, say). -1 when n descriptors are not free. */
#define VIRTQ_RAW_CHAIN_MAX 8
int virtq_raw_chain(struct virtq *vq, const struct vring_desc *t, unsigned n, uint16_t *head);

/* Default time to wait for a request (microseconds). */
#define VIRTIO_TIMEOUT_US 3000000

#endif
