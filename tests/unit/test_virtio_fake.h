/* SPDX-License-Identifier: MIT */
/* A fake driver for the virtio unit tests (test_virtio_blk.c,
 * test_virtio_dev.c, test_virtio_pci*.c): guest RAM is a calloc'ed 1 MiB
 * at GPA 0 behind an identity DMA address space, and the test builds split
 * rings in it the way a driver does. Include after cmocka.h. */
#ifndef TESTS_UNIT_TEST_VIRTIO_FAKE_H
#define TESTS_UNIT_TEST_VIRTIO_FAKE_H

#include <endian.h>
#include <stdlib.h>
#include <string.h>

#include "devices/virtio/virtio.h"

#define FAKE_RAM   MiB(1)
#define FAKE_QSIZE 16
#define FAKE_BUF   0x40000 /* buffers from here */
/* Rings of queue q: 0x1000 * (3q + 1, 3q + 2, 3q + 3). */
#define FAKE_DESC(q)  (0x1000ull + (q)*0x3000ull)
#define FAKE_AVAIL(q) (0x2000ull + (q)*0x3000ull)
#define FAKE_USED(q)  (0x3000ull + (q)*0x3000ull)

struct fake_seg {
	uint64_t addr;
	uint32_t len;
	bool write;
};

struct fake_ram {
	struct guest_mem mem;
	struct dma_as as;
	uint16_t avail_idx[VIRTIO_MAX_QUEUES], next_desc[VIRTIO_MAX_QUEUES];
	uint16_t used_seen[VIRTIO_MAX_QUEUES];
};

static inline void fake_ram_init(struct fake_ram *r)
{
	uint8_t *ram = calloc(1, FAKE_RAM);

	assert_non_null(ram);
	memset(r, 0, sizeof(*r));
	r->mem.r[0] = (struct mem_region){gpa(0), FAKE_RAM, ram};
	r->mem.nr = 1;
	r->mem.ram_size = FAKE_RAM;
	dma_as_init(&r->as, 0x0008, &r->mem);
}

static inline void fake_ram_fini(struct fake_ram *r)
{
	free(r->mem.r[0].host);
}

static inline uint8_t *fake_ptr(struct fake_ram *r, uint64_t a, uint64_t len)
{
	uint8_t *p = guest_mem_ptr(&r->mem, gpa(a), len);

	assert_non_null(p);
	return p;
}

/* Zero queue q's rings and forget the driver-side indices. */
static inline void fake_rings_clear(struct fake_ram *r, unsigned q)
{
	memset(fake_ptr(r, FAKE_DESC(q), 0x3000), 0, 0x3000);
	r->avail_idx[q] = r->next_desc[q] = r->used_seen[q] = 0;
}

/* Do what the transport does at queue_enable, with features. */
static inline void fake_queue_enable(struct fake_ram *r, struct virtq *vq, unsigned q,
				     uint64_t features)
{
	fake_rings_clear(r, q);
	virtq_init(vq, &r->as);
	vq->size = FAKE_QSIZE;
	vq->desc = iova(FAKE_DESC(q));
	vq->avail = iova(FAKE_AVAIL(q));
	vq->used = iova(FAKE_USED(q));
	virtq_set_features(vq, features);
	assert_int_equal(virtq_enable(vq), 0);
}

/* Make a chain of n segments available on queue q; returns its head. */
static inline uint16_t fake_chain_add(struct fake_ram *r, unsigned q, const struct fake_seg *s,
				      unsigned n)
{
	struct vring_desc *d = (struct vring_desc *)fake_ptr(r, FAKE_DESC(q), FAKE_QSIZE * 16);
	uint16_t *avail = (uint16_t *)fake_ptr(r, FAKE_AVAIL(q), 4 + 2 * FAKE_QSIZE);
	uint16_t head = r->next_desc[q];

	for (unsigned i = 0; i < n; i++) {
		uint16_t id = (uint16_t)((head + i) % FAKE_QSIZE);
		uint16_t flags =
			(s[i].write ? VRING_DESC_F_WRITE : 0) | (i + 1 < n ? VRING_DESC_F_NEXT : 0);

		d[id].addr = htole64(s[i].addr);
		d[id].len = htole32(s[i].len);
		d[id].flags = htole16(flags);
		d[id].next = htole16((uint16_t)((id + 1) % FAKE_QSIZE));
	}
	r->next_desc[q] = (uint16_t)((head + n) % FAKE_QSIZE);
	avail[2 + r->avail_idx[q] % FAKE_QSIZE] = htole16(head);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	avail[1] = htole16(++r->avail_idx[q]);
	return head;
}

/* The used ring's idx. */
static inline uint16_t fake_used_idx(struct fake_ram *r, unsigned q)
{
	return le16toh(*(uint16_t *)fake_ptr(r, FAKE_USED(q) + 2, 2));
}

/* The next used element the test has not looked at: its id and len. */
static inline void fake_used_next(struct fake_ram *r, unsigned q, uint16_t *id, uint32_t *len)
{
	uint32_t *e;

	assert_true(fake_used_idx(r, q) != r->used_seen[q]);
	e = (uint32_t *)fake_ptr(r, FAKE_USED(q) + 4 + 8 * (r->used_seen[q] % FAKE_QSIZE), 8);
	*id = (uint16_t)le32toh(e[0]);
	*len = le32toh(e[1]);
	r->used_seen[q]++;
}

/* A transport that counts what the device asks of it. */
struct fake_transport {
	struct virtio_transport t;
	unsigned notified[VIRTIO_MAX_QUEUES], kicks[VIRTIO_MAX_QUEUES];
	unsigned config_notes, needs_reset;
};

static inline struct fake_transport *fake_tp_of(struct virtio_dev *vdev)
{
	return vdev->t_opaque;
}

static inline void fake_tp_queue(struct virtio_dev *vdev, unsigned q)
{
	fake_tp_of(vdev)->notified[q]++;
}

static inline void fake_tp_config(struct virtio_dev *vdev)
{
	fake_tp_of(vdev)->config_notes++;
}

static inline void fake_tp_reset(struct virtio_dev *vdev)
{
	fake_tp_of(vdev)->needs_reset++;
}

static inline void fake_tp_kick(struct virtio_dev *vdev, unsigned q)
{
	fake_tp_of(vdev)->kicks[q]++;
}

/* Attach vdev to the fake transport and RAM, enable every queue with
 * VERSION_1 and features (the device's driver_features). */
static inline void fake_attach(struct fake_transport *tp, struct fake_ram *r,
			       struct virtio_dev *vdev, uint64_t features)
{
	memset(tp, 0, sizeof(*tp));
	tp->t = (struct virtio_transport){fake_tp_queue, fake_tp_config, fake_tp_reset,
					  fake_tp_kick};
	vdev->t = &tp->t;
	vdev->t_opaque = tp;
	vdev->as = &r->as;
	vdev->driver_features = features | BIT_ULL(VIRTIO_F_VERSION_1);
	pthread_mutex_init(&vdev->lock, NULL);
	for (unsigned q = 0; q < vdev->nr_queues; q++)
		fake_queue_enable(r, &vdev->vq[q], q, vdev->driver_features);
}

#endif
