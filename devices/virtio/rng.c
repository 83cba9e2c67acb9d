// SPDX-License-Identifier: MIT
#include "devices/virtio/rng.h"

#include <errno.h>
#include <linux/virtio_ids.h>
#include <stdlib.h>
#include <sys/random.h>

struct virtio_rng *virtio_rng_new(void)
{
	struct virtio_rng *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->vdev.ops = &virtio_rng_ops;
	r->vdev.nr_queues = 1;
	r->vdev.queue_max = VIRTIO_RNG_QUEUE_SIZE;
	return r;
}

void virtio_rng_free(struct virtio_rng *r)
{
	free(r);
}

uint32_t virtio_rng_fill(struct virtq_chain *c)
{
	struct iovec *wr = virtq_chain_wr(c);
	uint32_t done = 0;

	for (unsigned i = 0; i < c->nr_wr && done < VIRTIO_RNG_CHAIN_MAX; i++) {
		size_t want = MIN(wr[i].iov_len, VIRTIO_RNG_CHAIN_MAX - done);
		ssize_t n = getrandom(wr[i].iov_base, want, 0);

		if (n < 0 && errno == EINTR)
			n = getrandom(wr[i].iov_base, want, 0);
		if (n <= 0)
			break;
		done += (uint32_t)n;
		if ((size_t)n < want)
			break; /* the used length says how much is random */
	}
	return done;
}

static uint32_t rng_serve(struct virtio_dev *vdev, struct virtq_chain *c)
{
	(void)vdev;
	return virtio_rng_fill(c);
}

static void rng_queue_notify(struct virtio_dev *vdev, unsigned q)
{
	struct virtio_rng *r = container_of(vdev, struct virtio_rng, vdev);

	virtio_queue_serve(vdev, q, &r->chain, rng_serve);
}

const struct virtio_dev_ops virtio_rng_ops = {
	.name = "virtio-rng",
	.device_id = VIRTIO_ID_RNG,
	.pci_class = 0xff0000, /* unclassified, as QEMU and Linux expect */
	.queue_notify = rng_queue_notify,
};
