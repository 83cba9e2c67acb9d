// SPDX-License-Identifier: MIT
/* Unit tests for the split virtqueue (devices/virtio/queue.c), hostile
 * drivers: chains that break the queue (-EIO), buffers that fault (-EFAULT,
 * the chain consumed), ring addresses refused at enable, and IOMMU mappings
 * pulled from under the rings and buffers. The driver side is
 * virtq_fixture.h; normal operation is in test_virtqueue.c. */
#include "virtq_fixture.h"

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

/* ---- rings: bad addresses, IOMMU mappings pulled ---- */

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

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_descriptor_loop),	 T(test_bad_indices),	     T(test_bad_indirect),
		T(test_readable_after_writable), T(test_chain_over_4g),	     T(test_bad_buffers),
		T(test_too_many_segments),	 T(test_zero_length),	     T(test_enable_checks),
		T(test_iommu_unmap_ring),	 T(test_iommu_buffer_fault),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
