/* SPDX-License-Identifier: MIT */
/* The virtio 1.x split virtqueue (modern only), device side.
 *
 * Every access to the rings and to the buffers goes through the queue's DMA
 * address space (iommu/dma.h): nothing here dereferences a guest address.
 * Ring host pointers may be cached, but only together with the address
 * space generation: when dma_as_gen() changes, the rings are re-translated
 * before the next access, so an IOMMU unmap is seen at once.
 *
 * Errors, and what the caller does with them:
 *  - A malformed ring or chain breaks a driver MUST NOT of the spec: avail
 *    idx moving by more than the queue size, a head or next index >= size,
 *    a descriptor loop, an indirect table inside an indirect table,
 *    INDIRECT together with NEXT, INDIRECT without the feature, a bad
 *    indirect length, a readable descriptor after a writable one, a chain
 *    longer than 2^32 - 1 bytes. The queue is marked broken and -EIO comes
 *    back, now and on every later call, until virtq_reset(). The transport
 *    then sets DEVICE_NEEDS_RESET in the device status and sends a
 *    configuration change interrupt (spec 2.1.2).
 *  - A fault on a ring itself (ring unmapped by the IOMMU, rings not RAM)
 *    also breaks the queue: nothing can be completed without the rings.
 *  - A DMA fault on a buffer or an indirect table (not RAM, in the MMIO
 *    hole, past the end of RAM, a 0xffffffff length, unmapped or read-only
 *    in the IOMMU) is reported by the DMA layer (the IOMMU fault path) and
 *    comes back as -EFAULT with the chain consumed; so does a chain that
 *    needs more than VIRTQ_MAX_SEGS iovecs (a device limit, not a spec
 *    violation: devices advertise a seg_max below it). c->head is valid
 *    and the device must complete it (virtq_push(vq, c->head, 0), or its
 *    own error status if it can write one). The queue keeps working.
 *  - A zero-length descriptor is accepted and skipped: it adds no iovec and
 *    its address is not checked (the spec does not forbid it), but it still
 *    counts for the walk bound and for the readable-before-writable order.
 *
 * Thread-safety: one queue is processed by one thread at a time (the
 * device's I/O thread); the transport configures it (virtq_reset,
 * virtq_enable) only while that thread does not touch it. The guest runs
 * concurrently; the ring accesses use the fences the spec needs. */
#ifndef DEVICES_VIRTIO_QUEUE_H
#define DEVICES_VIRTIO_QUEUE_H

#include <linux/virtio_config.h>
#include <linux/virtio_ring.h>
#include <sys/uio.h>

#include "iommu/dma.h"
#include "vmm/types.h"

/* Largest queue size (spec: 32768); sizes are powers of two. */
#define VIRTQ_MAX_SIZE 32768
/* Most iovecs (readable + writable) one chain may resolve to. */
#define VIRTQ_MAX_SEGS 256
/* Most entries of one indirect table. */
#define VIRTQ_MAX_INDIRECT 1024

/* Ring sizes in bytes for a queue of n entries (spec 2.7): the avail ring
 * ends with used_event, the used ring with avail_event. */
#define VIRTQ_DESC_BYTES(n)  ((uint64_t)(n) * sizeof(struct vring_desc))
#define VIRTQ_AVAIL_BYTES(n) (sizeof(struct vring_avail) + sizeof(__virtio16) * ((uint64_t)(n) + 1))
#define VIRTQ_USED_BYTES(n)                                                                        \
	(sizeof(struct vring_used) + sizeof(struct vring_used_elem) * (uint64_t)(n) +              \
	 sizeof(__virtio16))

struct virtq {
	/* Configured by the transport before virtq_enable(). */
	struct dma_as *as;
	uint16_t size;	/* power of two, 1..VIRTQ_MAX_SIZE */
	iova_t desc;	/* descriptor table, 16-byte aligned */
	iova_t avail;	/* driver area, 2-byte aligned */
	iova_t used;	/* device area, 4-byte aligned */
	bool event_idx; /* VIRTIO_RING_F_EVENT_IDX negotiated */
	bool indirect;	/* VIRTIO_RING_F_INDIRECT_DESC negotiated */

	/* State, owned by the queue. */
	bool ready;  /* enabled and validated */
	bool broken; /* needs a reset (see above) */
	uint16_t last_avail_idx;
	uint16_t used_idx;
	uint16_t signalled_used; /* used_idx at the last notification check */
	bool signalled_valid;

	/* Ring host pointers, valid while gen == dma_as_gen(as). A NULL
	 * pointer means "not host-contiguous: go through the DMA API". */
	bool cached;
	uint64_t gen;
	uint8_t *desc_host, *avail_host, *used_host;
};

/* One popped descriptor chain. iov[0, nr_rd) are the device-readable
 * buffers, iov[nr_rd, nr_rd + nr_wr) the device-writable ones, in order. */
struct virtq_chain {
	uint16_t head; /* descriptor id to give back to virtq_push() */
	unsigned nr_rd, nr_wr;
	uint32_t rd_len, wr_len; /* total bytes of each kind */
	struct iovec iov[VIRTQ_MAX_SEGS];
};

static inline struct iovec *virtq_chain_rd(struct virtq_chain *c)
{
	return c->iov;
}

static inline struct iovec *virtq_chain_wr(struct virtq_chain *c)
{
	return c->iov + c->nr_rd;
}

/* Put vq in its reset state for address space as: not ready, not broken,
 * indices zero, size 0, no ring addresses, no features. */
void virtq_init(struct virtq *vq, struct dma_as *as);

/* Device reset of the queue (keeps as): like virtq_init(). */
void virtq_reset(struct virtq *vq);

/* Take the ring features (event idx, indirect) from the negotiated
 * driver features (VIRTIO_RING_F_* bits). Call before virtq_enable(). */
void virtq_set_features(struct virtq *vq, uint64_t features);

/* Enable the queue (the driver wrote queue_enable = 1): check the size
 * (power of two, <= VIRTQ_MAX_SIZE) and the ring alignment (-EINVAL), and
 * that every byte of the three rings is mapped RAM with the access the
 * device needs (-EFAULT). Starts from indices 0. 0 on success; on failure
 * the queue stays not ready. */
int virtq_enable(struct virtq *vq) __must_check;

/* Pop the next available chain into *c. Returns 1 (a chain, c filled),
 * 0 (the ring is empty), -EFAULT (a buffer faulted; c->head is consumed
 * and must be pushed, the rest of *c is not valid), -EIO (the queue is
 * broken, or not ready; there is nothing to complete). With EVENT_IDX, publishes
 * avail_event so the driver notifies on the next new entry. */
int virtq_pop(struct virtq *vq, struct virtq_chain *c) __must_check;

/* Translate chain head again into *c: a chain popped earlier and not yet
 * pushed, whose buffers an invalidation may have moved (the driver may not
 * change its descriptors while the device owns it). Returns like
 * virtq_pop(), without 0: 1, -EFAULT (complete it empty) or -EIO. */
int virtq_rewalk(struct virtq *vq, uint16_t head, struct virtq_chain *c) __must_check;

/* Return n chains with ONE used-index update, so that the driver sees all
 * of them or none (a mergeable-rx packet spread over several buffers).
 * 0, or -EIO (not ready, broken, n > size, an id out of range, or a used
 * ring fault, which breaks the queue). */
int virtq_push_batch(struct virtq *vq, const struct vring_used_elem *el, unsigned n) __must_check;

/* Return chain head to the driver with len bytes written: writes the used
 * element, then (release) the used index. 0, or -EIO (broken, not ready,
 * head >= size, the used ring faulted). */
int virtq_push(struct virtq *vq, uint16_t head, uint32_t len) __must_check;

/* After one or more pushes: true when the driver wants an interrupt now
 * (VRING_AVAIL_F_NO_INTERRUPT, or used_event with EVENT_IDX). Remembers
 * the used index it answered for. A broken queue returns false. */
bool virtq_should_notify(struct virtq *vq);

/* A one-line account of the queue for diagnostics, into buf (at most len
 * bytes, NUL-terminated): the device's indices and the driver's as read
 * now (avail flags, idx and used_event; used idx and avail_event), "?" for
 * a field that faults. Call on the thread that owns the queue. */
void virtq_describe(struct virtq *vq, char *buf, size_t len);

#endif
