/* SPDX-License-Identifier: MIT */
/* Shared fixture of the split virtqueue tests (test_virtqueue.c,
 * test_virtqueue_hostile.c). The test is the driver: it builds rings in the
 * fake guest memory of dma_fixture.h, through the same DMA address space the
 * queue uses, with an optional fake IOMMU mapping low RAM page by page.
 * Helpers are static inline so that a test program may leave some unused. */
#ifndef TESTS_UNIT_VIRTQ_FIXTURE_H
#define TESTS_UNIT_VIRTQ_FIXTURE_H

#include <endian.h>

#include "dma_fixture.h"
#include "devices/virtio/queue.h"

#define RID    0x0010
#define NPAGES (RAM_SIZE / PAGE)

#define QSIZE 16
#define DESC  0x1000
#define AVAIL 0x2000
#define USED  0x3000
#define TABLE 0x8000  /* indirect tables */
#define BUF   0x10000 /* buffers */

#define F_NEXT	   VRING_DESC_F_NEXT
#define F_WRITE	   VRING_DESC_F_WRITE
#define F_INDIRECT VRING_DESC_F_INDIRECT

struct fixture {
	struct guest_mem mem;
	uint8_t *buf[2]; /* the regions' host memory */
	struct dma_as as;
	struct virtq vq;
	struct virtq_chain c;
	uint16_t avail_idx; /* the driver's */
	uint64_t desc, avail, used;
	struct pte pt[NPAGES]; /* iova pages of low RAM */
	struct dma_translator xl;
	struct dma_fault last_fault;
	unsigned nfaults;
};

static inline int fake_translate(void *opaque, uint16_t rid, iova_t iova, unsigned access,
				 struct dma_xlate *x, struct dma_fault *f)
{
	struct fixture *fx = opaque;

	(void)rid;
	(void)access;
	return pt_translate(fx->pt, NPAGES, iova, x, f);
}

static inline void fake_fault(void *opaque, uint16_t rid, const struct dma_fault *f)
{
	struct fixture *fx = opaque;

	(void)rid;
	fx->last_fault = *f;
	fx->nfaults++;
}

/* Zero [a, a+n) where it is mapped (the hostile cases put rings elsewhere). */
static inline void drv_zero(struct fixture *fx, uint64_t a, uint64_t n)
{
	static const uint8_t zero[PAGE];

	for (uint64_t off = 0; off < n; off += PAGE)
		(void)!dma_write(&fx->as, iova(a + off), zero, MIN(PAGE, n - off));
}

/* Configure and enable the queue; rings zeroed, driver index 0. */
static inline int queue_start(struct fixture *fx, uint16_t size, uint64_t features)
{
	drv_zero(fx, fx->desc, VIRTQ_DESC_BYTES(size));
	drv_zero(fx, fx->avail, VIRTQ_AVAIL_BYTES(size));
	drv_zero(fx, fx->used, VIRTQ_USED_BYTES(size));
	fx->avail_idx = 0;
	virtq_reset(&fx->vq);
	fx->vq.size = size;
	fx->vq.desc = iova(fx->desc);
	fx->vq.avail = iova(fx->avail);
	fx->vq.used = iova(fx->used);
	virtq_set_features(&fx->vq, features);
	return virtq_enable(&fx->vq);
}

/* Identity DMA (the translator is installed by the tests that want it),
 * rings at DESC/AVAIL/USED, queue of QSIZE enabled without features. */
static inline int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));

	if (!fx || fake_mem_init(&fx->mem, fx->buf, 0))
		return -1;
	dma_as_init(&fx->as, RID, &fx->mem);
	virtq_init(&fx->vq, &fx->as);
	for (uint64_t i = 0; i < NPAGES; i++)
		fx->pt[i] = (struct pte){true, i * PAGE, RW};
	fx->xl = (struct dma_translator){fake_translate, fake_fault, fx};
	fx->desc = DESC;
	fx->avail = AVAIL;
	fx->used = USED;
	if (queue_start(fx, QSIZE, 0))
		return -1;
	*state = fx;
	return 0;
}

static inline int teardown(void **state)
{
	struct fixture *fx = *state;

	fake_mem_free(fx->buf);
	free(fx);
	return 0;
}

static inline uint8_t *host(struct fixture *fx, uint64_t gpa_a)
{
	return guest_mem_ptr(&fx->mem, gpa(gpa_a), 1);
}

/* ---- the driver side, through the same address space ---- */

static inline void drv_write(struct fixture *fx, uint64_t a, const void *p, size_t n)
{
	assert_int_equal(dma_write(&fx->as, iova(a), p, n), 0);
}

static inline void drv_write16(struct fixture *fx, uint64_t a, uint16_t v)
{
	v = htole16(v);
	drv_write(fx, a, &v, 2);
}

static inline uint32_t drv_read32(struct fixture *fx, uint64_t a)
{
	uint32_t v;

	assert_int_equal(dma_read(&fx->as, iova(a), &v, 4), 0);
	return le32toh(v);
}

static inline uint16_t drv_read16(struct fixture *fx, uint64_t a)
{
	uint16_t v;

	assert_int_equal(dma_read(&fx->as, iova(a), &v, 2), 0);
	return le16toh(v);
}

static inline void table_set(struct fixture *fx, uint64_t table, unsigned i, uint64_t addr,
			     uint32_t len, uint16_t flags, uint16_t next)
{
	struct vring_desc d = {htole64(addr), htole32(len), htole16(flags), htole16(next)};

	drv_write(fx, table + i * sizeof(d), &d, sizeof(d));
}

static inline void desc_set(struct fixture *fx, unsigned i, uint64_t addr, uint32_t len,
			    uint16_t flags, uint16_t next)
{
	table_set(fx, fx->desc, i, addr, len, flags, next);
}

static inline void avail_add(struct fixture *fx, uint16_t head)
{
	drv_write16(fx, fx->avail + 4 + 2 * (fx->avail_idx % fx->vq.size), head);
	drv_write16(fx, fx->avail + 2, ++fx->avail_idx);
}

static inline uint16_t used_idx(struct fixture *fx)
{
	return drv_read16(fx, fx->used + 2);
}

static inline uint32_t used_id(struct fixture *fx, uint16_t i)
{
	return drv_read32(fx, fx->used + 4 + 8 * (i % fx->vq.size));
}

static inline uint32_t used_len(struct fixture *fx, uint16_t i)
{
	return drv_read32(fx, fx->used + 8 + 8 * (i % fx->vq.size));
}

static inline uint16_t avail_event(struct fixture *fx)
{
	return drv_read16(fx, fx->used + 4 + 8 * fx->vq.size);
}

static inline void used_event_set(struct fixture *fx, uint16_t v)
{
	drv_write16(fx, fx->avail + 4 + 2 * fx->vq.size, v);
}

#endif /* TESTS_UNIT_VIRTQ_FIXTURE_H */
