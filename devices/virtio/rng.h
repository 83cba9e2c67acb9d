/* SPDX-License-Identifier: MIT */
/* virtio-rng (spec 5.4): one request queue of device-writable buffers,
 * filled from getrandom(). No feature bits, no config space. */
#ifndef DEVICES_VIRTIO_RNG_H
#define DEVICES_VIRTIO_RNG_H

#include "devices/virtio/virtio.h"

#define VIRTIO_RNG_QUEUE_SIZE 64u
/* Most random bytes given for one chain (bounds the work per request). */
#define VIRTIO_RNG_CHAIN_MAX KiB(64)

struct virtio_rng {
	struct virtio_dev vdev;
	struct virtq_chain chain; /* scratch for the worker */
};

/* A new device, not yet attached to a transport; NULL when out of memory. */
struct virtio_rng *virtio_rng_new(void);

/* Free r (after its transport is gone). NULL is fine. */
void virtio_rng_free(struct virtio_rng *r);

/* Fill the writable buffers of c with random bytes (at most
 * VIRTIO_RNG_CHAIN_MAX). Returns the bytes written, the used length.
 * Exposed for the unit tests. */
uint32_t virtio_rng_fill(struct virtq_chain *c);

extern const struct virtio_dev_ops virtio_rng_ops;

#endif
