/* SPDX-License-Identifier: MIT */
/* The virtio device-model interface: what a device (blk, rng, console, net)
 * gives a transport, and what a transport gives a device.
 *
 * A device embeds a struct virtio_dev, fills in its ops table (const, one
 * per device type), its offered features, its queues and its config space,
 * and hands it to a transport (devices/virtio/pci.h). The transport owns
 * feature negotiation, the status state machine, queue set-up, the
 * notification path and interrupts; the device only processes queues.
 *
 * Threads: ops->queue_notify and anything a device registers on vdev->worker
 * run on the device's worker thread. The transport calls every op with
 * vdev->lock held, and takes it itself for every register access from a
 * vCPU, so a device never sees a reset in the middle of a request; a
 * device's own worker callbacks (a TAP fd) take vdev->lock themselves. The
 * transport initialises vdev->lock and vdev->worker. */
#ifndef DEVICES_VIRTIO_VIRTIO_H
#define DEVICES_VIRTIO_VIRTIO_H

#include <errno.h>
#include <linux/virtio_config.h>
#include <pthread.h>
#include <string.h>

#include "devices/virtio/queue.h"
#include "vmm/worker.h"

#define VIRTIO_MAX_QUEUES 8

struct virtio_dev;

struct virtio_dev_ops {
	const char *name;   /* "virtio-blk", for logs */
	uint16_t device_id; /* VIRTIO_ID_* */
	uint32_t pci_class; /* class code: base << 16 | sub << 8 | prog-if */
	/* Queue q was notified while DRIVER_OK and the queue is ready: pop
	 * and complete chains (virtio_queue_*() below). Worker thread, lock
	 * held. Required. */
	void (*queue_notify)(struct virtio_dev *vdev, unsigned q);
	/* The driver set DRIVER_OK (features in vdev->driver_features).
	 * Lock held. Optional. */
	void (*start)(struct virtio_dev *vdev);
	/* Device reset (status 0 written, or a PCI function reset): forget
	 * per-device run state. Queues are reset by the transport right
	 * after. Lock held. Optional. */
	void (*reset)(struct virtio_dev *vdev);
	/* The driver wrote len bytes at off of the config space (already
	 * copied into vdev->config). Lock held. Optional: without it the
	 * config space is read-only and writes are dropped. */
	void (*config_write)(struct virtio_dev *vdev, uint32_t off, uint32_t len);
};

/* Calls from a device into its transport; set by the transport. */
struct virtio_transport {
	/* Interrupt the driver for queue q (MSI-X vector or INTx + ISR). */
	void (*notify_queue)(struct virtio_dev *vdev, unsigned q);
	/* The config space changed: bump config_generation, interrupt. */
	void (*notify_config)(struct virtio_dev *vdev);
	/* The device detected a broken queue: set DEVICE_NEEDS_RESET in the
	 * status and send a config interrupt (spec 2.1.2). */
	void (*needs_reset)(struct virtio_dev *vdev);
	/* Run ops->queue_notify(q) again later on the worker (a device that
	 * stopped after its per-notification budget). */
	void (*kick)(struct virtio_dev *vdev, unsigned q);
};

struct virtio_dev {
	/* Filled by the device before it is attached to a transport. */
	const struct virtio_dev_ops *ops;
	uint64_t features;  /* device-type feature bits offered */
	unsigned nr_queues; /* 1..VIRTIO_MAX_QUEUES */
	uint16_t queue_max; /* largest queue size, a power of two */
	void *config;	    /* device config space (little endian) */
	uint32_t config_len;
	/* The device sits behind an IOMMU: refuse FEATURES_OK unless the
	 * driver accepts VIRTIO_F_ACCESS_PLATFORM. Default off. */
	bool require_access_platform;

	/* Owned by the transport. */
	const struct virtio_transport *t;
	void *t_opaque;		  /* the transport's state */
	struct dma_as *as;	  /* every ring and buffer access */
	uint64_t driver_features; /* accepted at FEATURES_OK */
	pthread_mutex_t lock;	  /* see above */
	struct worker worker;	  /* the device's I/O thread */
	struct virtq vq[VIRTIO_MAX_QUEUES];
};

/* Transport features offered on top of vdev->features. */
#define VIRTIO_TRANSPORT_FEATURES                                                                  \
	(BIT_ULL(VIRTIO_F_VERSION_1) | BIT_ULL(VIRTIO_F_ACCESS_PLATFORM) |                         \
	 BIT_ULL(VIRTIO_RING_F_EVENT_IDX) | BIT_ULL(VIRTIO_RING_F_INDIRECT_DESC))

/* ret, from a chain walk of queue q; a walk that broke the queue asks the
 * transport for a device reset. */
static inline int virtio_queue_walked(struct virtio_dev *vdev, unsigned q, int ret)
{
	if (ret == -EIO && vdev->vq[q].broken)
		vdev->t->needs_reset(vdev);
	return ret;
}

/* Pop the next chain of queue q into *c. 1 (a chain), 0 (empty), -EFAULT
 * (a buffer faulted: c->head is consumed, complete it with length 0), or
 * -EIO (the queue is broken: the transport has been told, stop). */
static inline int virtio_queue_pop(struct virtio_dev *vdev, unsigned q, struct virtq_chain *c)
{
	return virtio_queue_walked(vdev, q, virtq_pop(&vdev->vq[q], c));
}

/* virtq_rewalk() on queue q; a broken queue asks for a device reset. */
static inline int virtio_queue_rewalk(struct virtio_dev *vdev, unsigned q, uint16_t head,
				      struct virtq_chain *c)
{
	return virtio_queue_walked(vdev, q, virtq_rewalk(&vdev->vq[q], head, c));
}

/* Give chain head back with len bytes written. 0 or -EIO (the transport
 * has been told the queue is broken). */
static inline int virtio_queue_push(struct virtio_dev *vdev, unsigned q, uint16_t head,
				    uint32_t len)
{
	int ret = virtq_push(&vdev->vq[q], head, len);

	if (ret)
		vdev->t->needs_reset(vdev);
	return ret;
}

/* virtq_push_batch() on queue q; a failure asks for a device reset. */
static inline int virtio_queue_push_batch(struct virtio_dev *vdev, unsigned q,
					  const struct vring_used_elem *el, unsigned n)
{
	int ret = virtq_push_batch(&vdev->vq[q], el, n);

	if (ret)
		vdev->t->needs_reset(vdev);
	return ret;
}

/* After a batch of pushes: interrupt the driver if it wants one. */
static inline void virtio_queue_signal(struct virtio_dev *vdev, unsigned q)
{
	if (virtq_should_notify(&vdev->vq[q]))
		vdev->t->notify_queue(vdev, q);
}

/* Serve one popped chain; returns the used length (bytes written). */
typedef uint32_t virtio_chain_fn(struct virtio_dev *vdev, struct virtq_chain *c);

/* The usual queue loop: pop each chain of queue q into *c, serve it with
 * fn, push it, and interrupt once at the end if the driver wants it. A
 * chain whose buffers faulted is completed with length 0. At most one
 * queue's worth of chains per call (a guest that keeps adding cannot hold
 * the worker): then the transport is asked to call again. */
static inline void virtio_queue_serve(struct virtio_dev *vdev, unsigned q, struct virtq_chain *c,
				      virtio_chain_fn *fn)
{
	unsigned budget = vdev->vq[q].size, i;
	bool pushed = false;

	for (i = 0; i < budget; i++) {
		int ret = virtio_queue_pop(vdev, q, c);
		uint32_t len = 0;

		if (ret != 1 && ret != -EFAULT)
			break; /* empty, or broken (the transport knows) */
		if (ret == 1)
			len = fn(vdev, c);
		if (virtio_queue_push(vdev, q, c->head, len))
			return;
		pushed = true;
	}
	if (i == budget && budget)
		vdev->t->kick(vdev, q);
	if (pushed)
		virtio_queue_signal(vdev, q);
}

/* True when the driver accepted feature bit f. */
static inline bool virtio_has_feature(const struct virtio_dev *vdev, unsigned f)
{
	return vdev->driver_features & BIT_ULL(f);
}

#endif
