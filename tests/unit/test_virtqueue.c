// SPDX-License-Identifier: MIT
/* Unit tests for the split virtqueue (devices/virtio/queue.c). The test is
 * the driver: it builds rings in a fake guest memory (RAM at [0, 1 MiB) and
 * [4 GiB, 4 GiB + 1 MiB)) and checks what the device side pops and pushes,
 * for well-formed chains and for hostile ones. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "devices/virtio/queue.h"

#define RID	 0x0010
#define RAM_SIZE MiB(1)
#define HI_BASE	 GiB(4)
#define PAGE	 4096ull
#define NPAGES	 (RAM_SIZE / PAGE)

#define QSIZE 16
#define DESC  0x1000
#define AVAIL 0x2000
#define USED  0x3000
#define TABLE 0x8000  /* indirect tables */
#define BUF   0x10000 /* buffers */

#define F_NEXT	   VRING_DESC_F_NEXT
#define F_WRITE	   VRING_DESC_F_WRITE
#define F_INDIRECT VRING_DESC_F_INDIRECT
#define RW	   (DMA_ACCESS_READ | DMA_ACCESS_WRITE)

struct pte {
	bool present;
	uint64_t gpa;
	unsigned perm;
};

struct fixture {
	struct guest_mem mem;
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

static int fake_translate(void *opaque, uint16_t rid, iova_t iova, unsigned access,
			  struct dma_xlate *x, struct dma_fault *f)
{
	struct fixture *fx = opaque;
	uint64_t pg = iova.a / PAGE;

	(void)rid;
	(void)access;
	if (pg >= NPAGES || !fx->pt[pg].present) {
		f->reason = DMA_FAULT_UNMAPPED;
		return -EFAULT;
	}
	x->gpa = gpa(fx->pt[pg].gpa + iova.a % PAGE);
	x->len = PAGE - iova.a % PAGE;
	x->perm = fx->pt[pg].perm;
	return 0;
}

static void fake_fault(void *opaque, uint16_t rid, const struct dma_fault *f)
{
	struct fixture *fx = opaque;

	(void)rid;
	fx->last_fault = *f;
	fx->nfaults++;
}

/* Zero [a, a+n) where it is mapped (the hostile cases put rings elsewhere). */
static void drv_zero(struct fixture *fx, uint64_t a, uint64_t n)
{
	static const uint8_t zero[PAGE];

	for (uint64_t off = 0; off < n; off += PAGE)
		(void)!dma_write(&fx->as, iova(a + off), zero, MIN(PAGE, n - off));
}

/* Configure and enable the queue; rings zeroed, driver index 0. */
static int queue_start(struct fixture *fx, uint16_t size, uint64_t features)
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

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	const uint64_t base[2] = {0, HI_BASE};

	if (!fx)
		return -1;
	for (int i = 0; i < 2; i++) {
		uint8_t *h = calloc(1, RAM_SIZE);

		if (!h)
			return -1;
		fx->mem.r[i] = (struct mem_region){gpa(base[i]), RAM_SIZE, h};
	}
	fx->mem.nr = 2;
	fx->mem.ram_size = 2 * RAM_SIZE;
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

static int teardown(void **state)
{
	struct fixture *fx = *state;

	free(fx->mem.r[0].host);
	free(fx->mem.r[1].host);
	free(fx);
	return 0;
}

static uint8_t *host(struct fixture *fx, uint64_t gpa_a)
{
	return guest_mem_ptr(&fx->mem, gpa(gpa_a), 1);
}

/* ---- the driver side, through the same address space ---- */

static void drv_write(struct fixture *fx, uint64_t a, const void *p, size_t n)
{
	assert_int_equal(dma_write(&fx->as, iova(a), p, n), 0);
}

static void drv_write16(struct fixture *fx, uint64_t a, uint16_t v)
{
	v = htole16(v);
	drv_write(fx, a, &v, 2);
}

static uint32_t drv_read32(struct fixture *fx, uint64_t a)
{
	uint32_t v;

	assert_int_equal(dma_read(&fx->as, iova(a), &v, 4), 0);
	return le32toh(v);
}

static uint16_t drv_read16(struct fixture *fx, uint64_t a)
{
	uint16_t v;

	assert_int_equal(dma_read(&fx->as, iova(a), &v, 2), 0);
	return le16toh(v);
}

static void table_set(struct fixture *fx, uint64_t table, unsigned i, uint64_t addr, uint32_t len,
		      uint16_t flags, uint16_t next)
{
	struct vring_desc d = {htole64(addr), htole32(len), htole16(flags), htole16(next)};

	drv_write(fx, table + i * sizeof(d), &d, sizeof(d));
}

static void desc_set(struct fixture *fx, unsigned i, uint64_t addr, uint32_t len, uint16_t flags,
		     uint16_t next)
{
	table_set(fx, fx->desc, i, addr, len, flags, next);
}

static void avail_add(struct fixture *fx, uint16_t head)
{
	drv_write16(fx, fx->avail + 4 + 2 * (fx->avail_idx % fx->vq.size), head);
	drv_write16(fx, fx->avail + 2, ++fx->avail_idx);
}

static uint16_t used_idx(struct fixture *fx)
{
	return drv_read16(fx, fx->used + 2);
}

static uint32_t used_id(struct fixture *fx, uint16_t i)
{
	return drv_read32(fx, fx->used + 4 + 8 * (i % fx->vq.size));
}

static uint32_t used_len(struct fixture *fx, uint16_t i)
{
	return drv_read32(fx, fx->used + 8 + 8 * (i % fx->vq.size));
}

static uint16_t avail_event(struct fixture *fx)
{
	return drv_read16(fx, fx->used + 4 + 8 * fx->vq.size);
}

static void used_event_set(struct fixture *fx, uint16_t v)
{
	drv_write16(fx, fx->avail + 4 + 2 * fx->vq.size, v);
}

/* The queue is broken and says so everywhere; a reset brings it back. */
static void assert_broken_then_recovers(struct fixture *fx)
{
	assert_true(fx->vq.broken);
	assert_int_equal(virtq_pop(&fx->vq, &fx->c), -EIO);
	assert_int_equal(virtq_push(&fx->vq, 0, 0), -EIO);
	assert_false(virtq_should_notify(&fx->vq));
	assert_int_equal(queue_start(fx, QSIZE, 0), 0);
	desc_set(fx, 0, BUF, 8, 0, 0);
	avail_add(fx, 0);
	assert_int_equal(virtq_pop(&fx->vq, &fx->c), 1);
	assert_int_equal(virtq_push(&fx->vq, fx->c.head, 0), 0);
}

/* The chain was consumed with a fault; the queue still works. */
static void assert_consumed_then_works(struct fixture *fx, uint16_t head)
{
	uint16_t u = used_idx(fx);

	assert_false(fx->vq.broken);
	assert_int_equal(fx->c.head, head);
	assert_int_equal(virtq_push(&fx->vq, fx->c.head, 0), 0);
	assert_int_equal(used_idx(fx), (uint16_t)(u + 1));
	assert_int_equal(used_id(fx, u), head);
	assert_int_equal(used_len(fx, u), 0);
	desc_set(fx, 5, BUF, 8, 0, 0);
	avail_add(fx, 5);
	assert_int_equal(virtq_pop(&fx->vq, &fx->c), 1);
	assert_int_equal(fx->c.head, 5);
}

/* ---- well-formed chains ---- */

static void test_simple_chain(void **state)
{
	struct fixture *fx = *state;

	assert_int_equal(virtq_pop(&fx->vq, &fx->c), 0); /* empty */
	desc_set(fx, 3, BUF, 100, 0, 0);
	avail_add(fx, 3);
	assert_int_equal(virtq_pop(&fx->vq, &fx->c), 1);
	assert_int_equal(fx->c.head, 3);
	assert_int_equal(fx->c.nr_rd, 1);
	assert_int_equal(fx->c.nr_wr, 0);
	assert_int_equal(fx->c.rd_len, 100);
	assert_ptr_equal(virtq_chain_rd(&fx->c)[0].iov_base, host(fx, BUF));
	assert_int_equal(virtq_chain_rd(&fx->c)[0].iov_len, 100);
	assert_int_equal(virtq_pop(&fx->vq, &fx->c), 0);
	assert_int_equal(virtq_push(&fx->vq, 3, 42), 0);
	assert_int_equal(used_idx(fx), 1);
	assert_int_equal(used_id(fx, 0), 3);
	assert_int_equal(used_len(fx, 0), 42);
	/* A bad head from the device is its own bug: refused, no breakage. */
	assert_int_equal(virtq_push(&fx->vq, QSIZE, 0), -EIO);
	assert_false(fx->vq.broken);
}

static void test_next_chain(void **state)
{
	struct fixture *fx = *state;
	struct iovec *wr;

	desc_set(fx, 7, BUF, 16, F_NEXT, 2);
	desc_set(fx, 2, BUF + 0x1000, 512, F_NEXT | F_WRITE, 9);
	desc_set(fx, 9, BUF + 0x2000, 1, F_WRITE, 0);
	avail_add(fx, 7);
	assert_int_equal(virtq_pop(&fx->vq, &fx->c), 1);
	assert_int_equal(fx->c.head, 7);
	assert_int_equal(fx->c.nr_rd, 1);
	assert_int_equal(fx->c.nr_wr, 2);
	assert_int_equal(fx->c.rd_len, 16);
	assert_int_equal(fx->c.wr_len, 513);
	wr = virtq_chain_wr(&fx->c);
	assert_ptr_equal(wr[0].iov_base, host(fx, BUF + 0x1000));
	assert_int_equal(wr[0].iov_len, 512);
	assert_ptr_equal(wr[1].iov_base, host(fx, BUF + 0x2000));
	assert_int_equal(wr[1].iov_len, 1);
}

static void test_indirect(void **state)
{
	struct fixture *fx = *state;

	assert_int_equal(queue_start(fx, QSIZE, BIT_ULL(VIRTIO_RING_F_INDIRECT_DESC)), 0);
	table_set(fx, TABLE, 0, BUF, 16, F_NEXT, 2);
	table_set(fx, TABLE, 2, BUF + 0x100, 64, F_NEXT, 1);
	table_set(fx, TABLE, 1, BUF + 0x200, 32, F_WRITE, 0);
	desc_set(fx, 4, TABLE, 3 * 16, F_INDIRECT | F_WRITE, 0); /* W ignored */
	avail_add(fx, 4);
	assert_int_equal(virtq_pop(&fx->vq, &fx->c), 1);
	assert_int_equal(fx->c.head, 4);
	assert_int_equal(fx->c.nr_rd, 2);
	assert_int_equal(fx->c.nr_wr, 1);
	assert_int_equal(fx->c.rd_len, 80);
	assert_int_equal(fx->c.wr_len, 32);
	assert_ptr_equal(fx->c.iov[1].iov_base, host(fx, BUF + 0x100));
	assert_ptr_equal(virtq_chain_wr(&fx->c)[0].iov_base, host(fx, BUF + 0x200));

	/* Direct descriptors, then an indirect table at the end. */
	desc_set(fx, 5, BUF, 8, F_NEXT, 4);
	avail_add(fx, 5);
	assert_int_equal(virtq_pop(&fx->vq, &fx->c), 1);
	assert_int_equal(fx->c.nr_rd, 3);
	assert_int_equal(fx->c.rd_len, 88);
}

static void test_index_wraparound(void **state)
{
	struct fixture *fx = *state;

	desc_set(fx, 1, BUF, 4, F_WRITE, 0);
	for (unsigned n = 0; n < 70000; n++) {
		avail_add(fx, 1);
		assert_int_equal(virtq_pop(&fx->vq, &fx->c), 1);
		assert_int_equal(virtq_push(&fx->vq, 1, 4), 0);
	}
	assert_int_equal(used_idx(fx), (uint16_t)70000);
	assert_int_equal(virtq_pop(&fx->vq, &fx->c), 0);

	/* The driver may fill the whole ring at once. */
	for (unsigned n = 0; n < QSIZE; n++)
		avail_add(fx, 1);
	for (unsigned n = 0; n < QSIZE; n++)
		assert_int_equal(virtq_pop(&fx->vq, &fx->c), 1);
	assert_int_equal(virtq_pop(&fx->vq, &fx->c), 0);
}

/* ---- notifications ---- */

static void test_no_interrupt_flag(void **state)
{
	struct fixture *fx = *state;

	desc_set(fx, 0, BUF, 4, 0, 0);
	avail_add(fx, 0);
	assert_int_equal(virtq_pop(&fx->vq, &fx->c), 1);
	assert_int_equal(virtq_push(&fx->vq, 0, 0), 0);
	assert_true(virtq_should_notify(&fx->vq));
	drv_write16(fx, fx->avail, VRING_AVAIL_F_NO_INTERRUPT);
	assert_false(virtq_should_notify(&fx->vq));
	drv_write16(fx, fx->avail, 0);
	assert_true(virtq_should_notify(&fx->vq));
	/* Without EVENT_IDX the device does not write avail_event. */
	assert_int_equal(avail_event(fx), 0);
}

static void test_event_idx_interrupts(void **state)
{
	struct fixture *fx = *state;

	assert_int_equal(queue_start(fx, QSIZE, BIT_ULL(VIRTIO_RING_F_EVENT_IDX)), 0);
	desc_set(fx, 0, BUF, 4, 0, 0);
	/* The flag is ignored with EVENT_IDX: used_event decides. */
	drv_write16(fx, fx->avail, VRING_AVAIL_F_NO_INTERRUPT);
	for (int i = 0; i < 8; i++)
		avail_add(fx, 0);
	used_event_set(fx, 0); /* interrupt when used idx passes 0 */
	assert_int_equal(virtq_pop(&fx->vq, &fx->c), 1);
	assert_int_equal(virtq_push(&fx->vq, 0, 0), 0);
	assert_true(virtq_should_notify(&fx->vq));  /* 0 -> 1 crosses 0 */
	assert_false(virtq_should_notify(&fx->vq)); /* nothing new */
	used_event_set(fx, 4);
	for (int i = 0; i < 3; i++) { /* used 1 -> 4: event 4 not crossed */
		assert_int_equal(virtq_pop(&fx->vq, &fx->c), 1);
		assert_int_equal(virtq_push(&fx->vq, 0, 0), 0);
	}
	assert_false(virtq_should_notify(&fx->vq));
	for (int i = 0; i < 2; i++) { /* used 4 -> 6 crosses 4 */
		assert_int_equal(virtq_pop(&fx->vq, &fx->c), 1);
		assert_int_equal(virtq_push(&fx->vq, 0, 0), 0);
	}
	assert_true(virtq_should_notify(&fx->vq));
}

static void test_event_idx_kicks(void **state)
{
	struct fixture *fx = *state;

	assert_int_equal(queue_start(fx, QSIZE, BIT_ULL(VIRTIO_RING_F_EVENT_IDX)), 0);
	desc_set(fx, 0, BUF, 4, 0, 0);
	/* An empty pop publishes "kick me at the next entry". */
	assert_int_equal(virtq_pop(&fx->vq, &fx->c), 0);
	assert_int_equal(avail_event(fx), 0);
	assert_true(vring_need_event(avail_event(fx), 1, 0));
	avail_add(fx, 0);
	avail_add(fx, 0);
	assert_int_equal(virtq_pop(&fx->vq, &fx->c), 1);
	assert_int_equal(avail_event(fx), 1);
	/* The driver adding entry 2 (old 2, new 3) need not kick: the device
	 * has not caught up to 2 yet... */
	assert_false(vring_need_event(avail_event(fx), 3, 2));
	assert_int_equal(virtq_pop(&fx->vq, &fx->c), 1);
	assert_int_equal(virtq_pop(&fx->vq, &fx->c), 0);
	/* ...but once it has, the next entry needs a kick. */
	assert_int_equal(avail_event(fx), 2);
	assert_true(vring_need_event(avail_event(fx), 3, 2));
	/* An empty pop (re)publishes it. */
	drv_write16(fx, fx->used + 4 + 8 * QSIZE, 0x1234);
	assert_int_equal(virtq_pop(&fx->vq, &fx->c), 0);
	assert_int_equal(avail_event(fx), 2);
}

/* ---- hostile chains: the queue breaks (-EIO) ---- */

static void pop_expect_broken(struct fixture *fx, uint16_t head)
{
	avail_add(fx, head);
	assert_int_equal(virtq_pop(&fx->vq, &fx->c), -EIO);
	assert_broken_then_recovers(fx);
}

static void test_descriptor_loop(void **state)
{
	struct fixture *fx = *state;

	desc_set(fx, 0, BUF, 8, F_NEXT, 1);
	desc_set(fx, 1, BUF, 8, F_NEXT, 0);
	pop_expect_broken(fx, 0);
	desc_set(fx, 6, BUF, 0, F_NEXT, 6); /* zero-length self loop */
	pop_expect_broken(fx, 6);
	/* A loop inside an indirect table. */
	assert_int_equal(queue_start(fx, QSIZE, BIT_ULL(VIRTIO_RING_F_INDIRECT_DESC)), 0);
	table_set(fx, TABLE, 0, BUF, 8, F_NEXT, 1);
	table_set(fx, TABLE, 1, BUF, 8, F_NEXT, 0);
	desc_set(fx, 2, TABLE, 2 * 16, F_INDIRECT, 0);
	pop_expect_broken(fx, 2);
}

static void test_bad_indices(void **state)
{
	struct fixture *fx = *state;

	desc_set(fx, 1, BUF, 8, F_NEXT, QSIZE); /* next >= size */
	pop_expect_broken(fx, 1);
	desc_set(fx, 0, BUF, 8, 0, 0);
	pop_expect_broken(fx, QSIZE); /* head >= size */
	pop_expect_broken(fx, 0xffff);
	/* avail idx jumping by more than the size. */
	drv_write16(fx, fx->avail + 2, fx->avail_idx + QSIZE + 1);
	assert_int_equal(virtq_pop(&fx->vq, &fx->c), -EIO);
	assert_broken_then_recovers(fx);
	drv_write16(fx, fx->avail + 2, (uint16_t)(fx->avail_idx - 1)); /* back */
	assert_int_equal(virtq_pop(&fx->vq, &fx->c), -EIO);
	assert_broken_then_recovers(fx);
}

static void test_bad_indirect(void **state)
{
	struct fixture *fx = *state;
	const uint64_t f = BIT_ULL(VIRTIO_RING_F_INDIRECT_DESC);

	desc_set(fx, 0, TABLE, 16, F_INDIRECT, 0); /* feature not negotiated */
	table_set(fx, TABLE, 0, BUF, 8, 0, 0);
	pop_expect_broken(fx, 0);
	/* A table inside a table. */
	assert_int_equal(queue_start(fx, QSIZE, f), 0);
	table_set(fx, TABLE, 0, BUF, 8, F_NEXT, 1);
	table_set(fx, TABLE, 1, TABLE + 0x100, 16, F_INDIRECT, 0);
	table_set(fx, TABLE + 0x100, 0, BUF, 8, 0, 0);
	desc_set(fx, 0, TABLE, 32, F_INDIRECT, 0);
	pop_expect_broken(fx, 0);
	/* INDIRECT with NEXT; bad lengths. */
	static const struct {
		uint32_t len;
		uint16_t flags;
	} bad[] = {
		{16, F_INDIRECT | F_NEXT},
		{0, F_INDIRECT},
		{24, F_INDIRECT},
		{15, F_INDIRECT},
		{16 * (VIRTQ_MAX_INDIRECT + 1), F_INDIRECT},
		{0xfffffff0, F_INDIRECT},
	};
	for (unsigned i = 0; i < ARRAY_SIZE(bad); i++) {
		assert_int_equal(queue_start(fx, QSIZE, f), 0);
		table_set(fx, TABLE, 0, BUF, 8, 0, 0);
		desc_set(fx, 0, TABLE, bad[i].len, bad[i].flags, 1);
		desc_set(fx, 1, BUF, 8, 0, 0);
		pop_expect_broken(fx, 0);
	}
}

static void test_readable_after_writable(void **state)
{
	struct fixture *fx = *state;

	desc_set(fx, 0, BUF, 8, F_NEXT | F_WRITE, 1);
	desc_set(fx, 1, BUF, 8, 0, 0);
	pop_expect_broken(fx, 0);
	/* Zero-length descriptors keep the order rule too. */
	desc_set(fx, 0, BUF, 0, F_NEXT | F_WRITE, 1);
	pop_expect_broken(fx, 0);
}

static void test_chain_over_4g(void **state)
{
	struct fixture *fx = *state;

	desc_set(fx, 0, BUF, 0x80000, F_NEXT, 1);
	desc_set(fx, 1, HI_BASE, 0xffffff00u, 0, 0);
	pop_expect_broken(fx, 0);
}

/* ---- hostile buffers: the chain is consumed (-EFAULT) ---- */

static void pop_expect_fault(struct fixture *fx, uint16_t head)
{
	uint64_t faults = atomic_load(&fx->as.faults);

	avail_add(fx, head);
	assert_int_equal(virtq_pop(&fx->vq, &fx->c), -EFAULT);
	assert_int_equal(atomic_load(&fx->as.faults), faults + 1); /* reported */
	assert_consumed_then_works(fx, head);
}

static void test_bad_buffers(void **state)
{
	struct fixture *fx = *state;

	desc_set(fx, 1, RAM_SIZE - 16, 32, 0, 0); /* past the end */
	pop_expect_fault(fx, 1);
	desc_set(fx, 2, 0xfec00000, 4, F_WRITE, 0); /* MMIO hole */
	pop_expect_fault(fx, 2);
	desc_set(fx, 3, BUF, 0xffffffffu, 0, 0); /* 4 GiB */
	pop_expect_fault(fx, 3);
	desc_set(fx, 3, HI_BASE, 0xffffffffu, F_WRITE, 0);
	pop_expect_fault(fx, 3);
	desc_set(fx, 4, ~0ull - 7, 16, 0, 0); /* wraps */
	pop_expect_fault(fx, 4);
	/* The good first buffer does not rescue the chain. */
	desc_set(fx, 6, BUF, 8, F_NEXT, 7);
	desc_set(fx, 7, HI_BASE + RAM_SIZE, 8, F_WRITE, 0);
	pop_expect_fault(fx, 6);
	/* An indirect table outside RAM. */
	assert_int_equal(queue_start(fx, QSIZE, BIT_ULL(VIRTIO_RING_F_INDIRECT_DESC)), 0);
	desc_set(fx, 0, 0xc0000000, 32, F_INDIRECT, 0);
	pop_expect_fault(fx, 0);
}

static void test_too_many_segments(void **state)
{
	struct fixture *fx = *state;

	assert_int_equal(queue_start(fx, QSIZE, BIT_ULL(VIRTIO_RING_F_INDIRECT_DESC)), 0);
	for (unsigned i = 0; i < VIRTQ_MAX_SEGS + 1; i++)
		table_set(fx, TABLE, i, BUF + i, 1, i < VIRTQ_MAX_SEGS ? F_NEXT : 0, i + 1);
	desc_set(fx, 0, TABLE, (VIRTQ_MAX_SEGS + 1) * 16, F_INDIRECT, 0);
	avail_add(fx, 0);
	assert_int_equal(virtq_pop(&fx->vq, &fx->c), -EFAULT);
	assert_consumed_then_works(fx, 0);
	/* Exactly VIRTQ_MAX_SEGS is fine. */
	table_set(fx, TABLE, VIRTQ_MAX_SEGS - 1, BUF, 1, 0, 0);
	avail_add(fx, 0);
	assert_int_equal(virtq_pop(&fx->vq, &fx->c), 1);
	assert_int_equal(fx->c.nr_rd, VIRTQ_MAX_SEGS);
}

static void test_zero_length(void **state)
{
	struct fixture *fx = *state;

	/* Skipped, address unchecked (it is in the hole here). */
	desc_set(fx, 0, 0xfec00000, 0, F_NEXT, 1);
	desc_set(fx, 1, BUF, 16, F_WRITE | F_NEXT, 2);
	desc_set(fx, 2, 0xfec00000, 0, F_WRITE, 0);
	avail_add(fx, 0);
	assert_int_equal(virtq_pop(&fx->vq, &fx->c), 1);
	assert_int_equal(fx->c.nr_rd, 0);
	assert_int_equal(fx->c.nr_wr, 1);
	assert_int_equal(fx->c.wr_len, 16);
	desc_set(fx, 3, BUF, 0, 0, 0); /* a chain of nothing */
	avail_add(fx, 3);
	assert_int_equal(virtq_pop(&fx->vq, &fx->c), 1);
	assert_int_equal(fx->c.nr_rd + fx->c.nr_wr, 0);
	assert_int_equal(atomic_load(&fx->as.faults), 0);
}

/* ---- rings ---- */

static void test_enable_checks(void **state)
{
	struct fixture *fx = *state;
	static const uint16_t bad_size[] = {0, 3, 24, 0x8001, 0xffff};
	static const struct {
		uint64_t desc, avail, used;
		int ret;
	} cases[] = {
		{DESC + 8, AVAIL, USED, -EINVAL}, /* misaligned */
		{DESC, AVAIL + 1, USED, -EINVAL},
		{DESC, AVAIL, USED + 2, -EINVAL},
		{RAM_SIZE - 0x80, AVAIL, USED, -EFAULT}, /* crosses the end */
		{DESC, 0xfec00000, USED, -EFAULT},	 /* in the hole */
		{DESC, AVAIL, HI_BASE + RAM_SIZE - 0x40, -EFAULT},
		{DESC, AVAIL, ~0ull - 0x3f, -EFAULT}, /* wraps */
		{HI_BASE, HI_BASE + 0x1000, HI_BASE + 0x2000, 0},
	};

	for (unsigned i = 0; i < ARRAY_SIZE(bad_size); i++) {
		assert_int_equal(queue_start(fx, bad_size[i], 0), -EINVAL);
		assert_false(fx->vq.ready);
		assert_int_equal(virtq_pop(&fx->vq, &fx->c), -EIO);
	}
	assert_int_equal(queue_start(fx, VIRTQ_MAX_SIZE, 0), 0);
	for (unsigned i = 0; i < ARRAY_SIZE(cases); i++) {
		fx->desc = cases[i].desc;
		fx->avail = cases[i].avail;
		fx->used = cases[i].used;
		assert_int_equal(queue_start(fx, QSIZE, 0), cases[i].ret);
		assert_int_equal(fx->vq.ready, cases[i].ret == 0);
		if (cases[i].ret)
			assert_int_equal(virtq_pop(&fx->vq, &fx->c), -EIO);
	}
	desc_set(fx, 0, BUF, 8, 0, 0); /* the rings in high RAM work */
	avail_add(fx, 0);
	assert_int_equal(virtq_pop(&fx->vq, &fx->c), 1);
}

static void test_iommu_unmap_ring(void **state)
{
	struct fixture *fx = *state;

	dma_as_set_translator(&fx->as, &fx->xl);
	assert_int_equal(queue_start(fx, QSIZE, 0), 0);
	desc_set(fx, 0, BUF, 8, 0, 0);
	avail_add(fx, 0);
	avail_add(fx, 0);
	assert_int_equal(virtq_pop(&fx->vq, &fx->c), 1);
	/* The guest unmaps the avail ring and invalidates: the next pop must
	 * fault, not read through the cached pointer. */
	fx->pt[AVAIL / PAGE].present = false;
	dma_as_invalidate(&fx->as);
	assert_int_equal(virtq_pop(&fx->vq, &fx->c), -EIO);
	assert_int_equal(fx->nfaults, 1);
	assert_int_equal(fx->last_fault.reason, DMA_FAULT_UNMAPPED);
	assert_int_equal(fx->last_fault.iova.a, AVAIL);
	fx->pt[AVAIL / PAGE].present = true;
	assert_broken_then_recovers(fx);

	/* The used ring read-only: enable fails, and after enable a push
	 * faults. */
	fx->pt[USED / PAGE].perm = DMA_ACCESS_READ;
	assert_int_equal(queue_start(fx, QSIZE, 0), -EFAULT);
	assert_int_equal(fx->last_fault.reason, DMA_FAULT_PERM);
	fx->pt[USED / PAGE].perm = RW;
	assert_int_equal(queue_start(fx, QSIZE, 0), 0);
	avail_add(fx, 0);
	assert_int_equal(virtq_pop(&fx->vq, &fx->c), 1);
	fx->pt[USED / PAGE].perm = DMA_ACCESS_READ;
	dma_as_invalidate(&fx->as);
	assert_int_equal(virtq_push(&fx->vq, 0, 0), -EIO);
	assert_true(fx->vq.broken);
}

static void test_iommu_buffer_fault(void **state)
{
	struct fixture *fx = *state;

	dma_as_set_translator(&fx->as, &fx->xl);
	assert_int_equal(queue_start(fx, QSIZE, 0), 0);
	desc_set(fx, 0, BUF, 8, F_NEXT, 1);
	desc_set(fx, 1, BUF + PAGE - 8, 16, F_WRITE, 0);
	avail_add(fx, 0);
	assert_int_equal(virtq_pop(&fx->vq, &fx->c), 1);
	assert_int_equal(fx->c.nr_wr, 2); /* split at the page boundary */
	assert_int_equal(virtq_push(&fx->vq, 0, 16), 0);
	fx->pt[BUF / PAGE + 1].perm = DMA_ACCESS_READ; /* no invalidate needed */
	avail_add(fx, 0);
	assert_int_equal(virtq_pop(&fx->vq, &fx->c), -EFAULT);
	assert_int_equal(fx->last_fault.reason, DMA_FAULT_PERM);
	assert_int_equal(fx->last_fault.iova.a, BUF + PAGE);
	assert_consumed_then_works(fx, 0);
}

/* Rings scattered over non-adjacent pages: the queue goes through the DMA
 * API for every access instead of a cached pointer. */
static void test_scattered_rings(void **state)
{
	struct fixture *fx = *state;
	const uint16_t size = 512; /* desc: 2 pages, used: 4102 bytes */

	fx->desc = 0x20000;
	fx->avail = 0x30000;
	fx->used = 0x40000;
	fx->pt[0x21] = (struct pte){true, 0x60000, RW};
	fx->pt[0x41] = (struct pte){true, 0x70000, RW};
	dma_as_set_translator(&fx->as, &fx->xl);
	assert_int_equal(queue_start(fx, size, BIT_ULL(VIRTIO_RING_F_EVENT_IDX)), 0);
	assert_null(fx->vq.desc_host);
	assert_null(fx->vq.used_host);
	assert_non_null(fx->vq.avail_host);
	desc_set(fx, 300, BUF, 8, F_NEXT, 301); /* on the remapped page */
	desc_set(fx, 301, BUF + 8, 8, F_WRITE, 0);
	assert_int_equal(*(uint16_t *)host(fx, 0x60000 + 44 * 16 + 14), 301);
	for (unsigned n = 0; n < size + 2; n++) {
		avail_add(fx, 300);
		assert_int_equal(virtq_pop(&fx->vq, &fx->c), 1);
		assert_int_equal(fx->c.head, 300);
		assert_int_equal(fx->c.nr_wr, 1);
		assert_int_equal(virtq_push(&fx->vq, 300, n), 0);
	}
	/* Element 511 straddles the used ring's pages; avail_event is on
	 * the second page. */
	assert_int_equal(used_id(fx, 511), 300);
	assert_int_equal(used_len(fx, 511), 511);
	assert_int_equal(*(uint32_t *)host(fx, 0x70000), 511);
	assert_int_equal(avail_event(fx), size + 2);
	assert_int_equal(used_idx(fx), size + 2);
	assert_int_equal(fx->nfaults, 0);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_simple_chain),
		T(test_next_chain),
		T(test_indirect),
		T(test_index_wraparound),
		T(test_no_interrupt_flag),
		T(test_event_idx_interrupts),
		T(test_event_idx_kicks),
		T(test_descriptor_loop),
		T(test_bad_indices),
		T(test_bad_indirect),
		T(test_readable_after_writable),
		T(test_chain_over_4g),
		T(test_bad_buffers),
		T(test_too_many_segments),
		T(test_zero_length),
		T(test_enable_checks),
		T(test_iommu_unmap_ring),
		T(test_iommu_buffer_fault),
		T(test_scattered_rings),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
