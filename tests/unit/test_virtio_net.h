/* SPDX-License-Identifier: MIT */
/* Shared fixture of the virtio-net unit tests (test_virtio_net*.c): the
 * test is the driver and the transport. Guest RAM is [0, 1 MiB); the
 * back-end is one end of a SOCK_SEQPACKET socketpair (one packet per
 * read/write, truncating like a TAP), the test holds the other end. */
#ifndef TESTS_UNIT_TEST_VIRTIO_NET_H
#define TESTS_UNIT_TEST_VIRTIO_NET_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <endian.h>
#include <errno.h>
#include <linux/if_tun.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "devices/virtio/net.h"
#include "devices/virtio/tap.h"

#define RAM_SIZE MiB(1)
#define QSIZE	 16
#define BUF	 0x10000 /* buffers from here */
#define PKT_HDR	 VIRTIO_NET_HDR_LEN

struct seg {
	uint64_t addr;
	uint32_t len;
	bool write;
};

struct net_fx {
	struct guest_mem mem;
	struct dma_as as;
	struct virtio_net *n;
	struct virtio_transport t;
	int peer;
	unsigned offload_calls, offload_flags;
	int offload_ret;
	int send_err; /* when non-zero, the back-end refuses packets with it */
	unsigned notified[2], kicks[2], config_notes, needs_reset;
	uint16_t avail_idx[2], next_desc[2];
	uint16_t qsize; /* both queues; QSIZE unless a test changes it */
};

static inline struct net_fx *fx_of(struct virtio_dev *vdev)
{
	return container_of(vdev, struct virtio_net, vdev)->be.opaque;
}

static inline void fx_notify_queue(struct virtio_dev *vdev, unsigned q)
{
	fx_of(vdev)->notified[q]++;
}

static inline void fx_notify_config(struct virtio_dev *vdev)
{
	fx_of(vdev)->config_notes++;
}

static inline void fx_needs_reset(struct virtio_dev *vdev)
{
	fx_of(vdev)->needs_reset++;
}

static inline void fx_kick(struct virtio_dev *vdev, unsigned q)
{
	fx_of(vdev)->kicks[q]++;
}

static inline ssize_t fx_recv(struct net_backend *be, const struct iovec *iov, int n)
{
	ssize_t r = readv(be->fd, iov, n);

	return r < 0 ? -errno : r;
}

static inline ssize_t fx_send(struct net_backend *be, const struct iovec *iov, int n)
{
	struct net_fx *fx = be->opaque;
	ssize_t r;

	if (fx->send_err)
		return fx->send_err;
	r = writev(be->fd, iov, n);

	return r < 0 ? -errno : r;
}

static inline int fx_set_offload(struct net_backend *be, unsigned flags)
{
	struct net_fx *fx = be->opaque;

	fx->offload_calls++;
	fx->offload_flags = flags;
	return fx->offload_ret;
}

static const struct net_backend_ops fx_ops = {
	.recv = fx_recv,
	.send = fx_send,
	.set_offload = fx_set_offload,
};

static inline uint64_t fx_desc(unsigned q)
{
	return 0x1000 + q * 0x3000;
}
static inline uint64_t fx_avail(unsigned q)
{
	return 0x2000 + q * 0x3000;
}
static inline uint64_t fx_used(unsigned q)
{
	return 0x3000 + q * 0x3000;
}

static inline uint8_t *fx_ram(struct net_fx *fx, uint64_t gpa_, uint64_t len)
{
	uint8_t *p = guest_mem_ptr(&fx->mem, gpa(gpa_), len);

	assert_non_null(p);
	return p;
}

/* Negotiate features (plus VERSION_1 and EVENT_IDX), enable both queues,
 * set DRIVER_OK, and notify both queues as the PCI transport does then. */
static inline void fx_start(struct net_fx *fx, uint64_t features)
{
	struct virtio_dev *vdev = &fx->n->vdev;

	vdev->driver_features =
		features | BIT_ULL(VIRTIO_F_VERSION_1) | BIT_ULL(VIRTIO_RING_F_EVENT_IDX);
	for (unsigned q = 0; q < 2; q++) {
		struct virtq *vq = &vdev->vq[q];

		memset(fx_ram(fx, fx_desc(q), 0x3000), 0, 0x3000);
		fx->avail_idx[q] = fx->next_desc[q] = 0;
		virtq_reset(vq);
		vq->size = fx->qsize;
		vq->desc = iova(fx_desc(q));
		vq->avail = iova(fx_avail(q));
		vq->used = iova(fx_used(q));
		virtq_set_features(vq, vdev->driver_features);
		assert_int_equal(virtq_enable(vq), 0);
	}
	vdev->ops->start(vdev);
	for (unsigned q = 0; q < 2; q++)
		vdev->ops->queue_notify(vdev, q);
}

/* Guest RAM and its address space. */
static inline void fx_init_mem(struct net_fx *fx)
{
	uint8_t *ram = calloc(1, RAM_SIZE);

	assert_non_null(ram);
	fx->mem.r[0] = (struct mem_region){gpa(0), RAM_SIZE, ram};
	fx->mem.nr = 1;
	fx->mem.ram_size = RAM_SIZE;
	dma_as_init(&fx->as, 0x0008, &fx->mem);
	fx->qsize = QSIZE;
	fx->peer = -1;
}

/* Do for device n what the transport does before the driver starts. */
static inline void fx_attach(struct net_fx *fx, struct virtio_net *n)
{
	fx->n = n;
	n->be.opaque = fx;
	fx->t = (struct virtio_transport){fx_notify_queue, fx_notify_config, fx_needs_reset,
					  fx_kick};
	n->vdev.t = &fx->t;
	n->vdev.as = &fx->as;
	pthread_mutex_init(&n->vdev.lock, NULL);
	assert_int_equal(worker_init(&n->vdev.worker, "net-test"), 0);
	for (unsigned q = 0; q < 2; q++)
		virtq_init(&n->vdev.vq[q], &fx->as);
}

static inline void fx_fini(struct net_fx *fx)
{
	if (fx->n) {
		worker_destroy(&fx->n->vdev.worker);
		pthread_mutex_destroy(&fx->n->vdev.lock);
		virtio_net_free(fx->n);
	}
	if (fx->peer >= 0)
		close(fx->peer);
	free(fx->mem.r[0].host);
}

/* A device over the fake back-end. */
static inline int fx_setup(void **state)
{
	struct net_fx *fx = calloc(1, sizeof(*fx));
	static const uint8_t mac[6] = {0x52, 0x54, 0, 1, 2, 3};
	struct net_backend be = {.ops = &fx_ops, .offloads = TAP_OFFLOADS_ALL};
	struct virtio_net *n;
	int sv[2];

	assert_non_null(fx);
	fx_init_mem(fx);
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK, 0, sv), 0);
	be.fd = sv[0];
	strcpy(be.name, "fake0");
	fx->peer = sv[1];
	n = virtio_net_new_backend(&be, mac);
	assert_non_null(n);
	fx_attach(fx, n);
	*state = fx;
	return 0;
}

static inline int fx_teardown(void **state)
{
	struct net_fx *fx = *state;

	fx_fini(fx);
	free(fx);
	return 0;
}

/* Post one chain of segments on queue q. */
static inline void fx_post(struct net_fx *fx, unsigned q, const struct seg *s, unsigned n)
{
	uint16_t qs = fx->qsize;
	struct vring_desc *d = (void *)fx_ram(fx, fx_desc(q), qs * sizeof(*d));
	uint16_t *avail = (void *)fx_ram(fx, fx_avail(q), VIRTQ_AVAIL_BYTES(qs));
	uint16_t head = fx->next_desc[q] % qs;

	for (unsigned i = 0; i < n; i++) {
		uint16_t at = (uint16_t)((head + i) % qs);

		d[at].addr = htole64(s[i].addr);
		d[at].len = htole32(s[i].len);
		d[at].flags = htole16((s[i].write ? VRING_DESC_F_WRITE : 0) |
				      (i + 1 < n ? VRING_DESC_F_NEXT : 0));
		d[at].next = htole16((uint16_t)((at + 1) % qs));
	}
	fx->next_desc[q] = (uint16_t)(fx->next_desc[q] + n);
	avail[2 + fx->avail_idx[q] % qs] = htole16(head);
	fx->avail_idx[q]++;
	__atomic_store_n(&avail[1], htole16(fx->avail_idx[q]), __ATOMIC_RELEASE);
}

/* Post a one-buffer chain of len bytes at addr. */
static inline void fx_post1(struct net_fx *fx, unsigned q, uint64_t addr, uint32_t len)
{
	struct seg s = {addr, len, q == VIRTIO_NET_RXQ};

	fx_post(fx, q, &s, 1);
}

static inline uint16_t fx_used_idx(struct net_fx *fx, unsigned q)
{
	return le16toh(*(uint16_t *)fx_ram(fx, fx_used(q) + 2, 2));
}

static inline struct vring_used_elem fx_used_elem(struct net_fx *fx, unsigned q, unsigned i)
{
	struct vring_used_elem e;

	memcpy(&e, fx_ram(fx, fx_used(q) + 4 + 8 * (i % fx->qsize), sizeof(e)), sizeof(e));
	e.id = le32toh(e.id);
	e.len = le32toh(e.len);
	return e;
}

/* A packet as the back-end sees it: a header, then len frame bytes
 * (byte i is seed + i). Returns the total length. */
static inline size_t fx_packet(uint8_t *buf, size_t len, uint8_t seed)
{
	struct virtio_net_hdr_mrg_rxbuf *h = (void *)buf;

	memset(h, 0, sizeof(*h));
	h->hdr.flags = VIRTIO_NET_HDR_F_DATA_VALID;
	h->num_buffers = htole16(0x7777); /* the device must overwrite it */
	for (size_t i = 0; i < len; i++)
		buf[PKT_HDR + i] = (uint8_t)(seed + i);
	return PKT_HDR + len;
}

#endif
