// SPDX-License-Identifier: MIT
/* Unit tests for the split virtqueue (devices/virtio/queue.c), normal
 * operation: the test is the driver (virtq_fixture.h) and checks what the
 * device side pops and pushes for well-formed chains, the notification
 * rules, and rings scattered behind an IOMMU. The hostile cases are in
 * test_virtqueue_hostile.c. */
#include "virtq_fixture.h"

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

/* A multi-buffer packet: all elements appear with one used-index move. */
static void test_push_batch(void **state)
{
	struct fixture *fx = *state;
	const struct vring_used_elem el[3] = {{5, 100}, {6, 200}, {7, 300}};
	const struct vring_used_elem bad[2] = {{1, 1}, {QSIZE, 1}};

	assert_int_equal(virtq_push(&fx->vq, 4, 10), 0);
	assert_int_equal(used_idx(fx), 1);
	assert_int_equal(virtq_push_batch(&fx->vq, el, 3), 0);
	assert_int_equal(used_idx(fx), 4);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(used_id(fx, 1 + i), el[i].id);
		assert_int_equal(used_len(fx, 1 + i), el[i].len);
	}
	/* One bad id refuses the whole batch: nothing is published. */
	assert_int_equal(virtq_push_batch(&fx->vq, bad, 2), -EIO);
	assert_int_equal(used_idx(fx), 4);
	assert_false(fx->vq.broken);
	assert_int_equal(virtq_push_batch(&fx->vq, el, QSIZE + 1), -EIO);
	assert_int_equal(virtq_push_batch(&fx->vq, el, 0), 0);
	assert_int_equal(used_idx(fx), 4);
}
/* The diagnostic line: device and driver indices as they are now. */
static void test_describe(void **state)
{
	struct fixture *fx = *state;
	char buf[256];

	assert_int_equal(queue_start(fx, QSIZE, BIT_ULL(VIRTIO_RING_F_EVENT_IDX)), 0);
	desc_set(fx, 0, BUF, 4, 0, 0);
	avail_add(fx, 0);
	avail_add(fx, 0);
	used_event_set(fx, 7);
	assert_int_equal(virtq_pop(&fx->vq, &fx->c), 1);
	assert_int_equal(virtq_push(&fx->vq, 0, 0), 0);
	virtq_describe(&fx->vq, buf, sizeof(buf));
	assert_string_equal(buf, "size 16 event_idx last_avail 1 used 1 signalled 0 | driver: "
				 "avail.flags 0 avail.idx 2 used_event 7 | device: used.idx 1 "
				 "avail_event 1");
	/* Truncated, still terminated. */
	virtq_describe(&fx->vq, buf, 12);
	assert_string_equal(buf, "size 16 eve");
	virtq_reset(&fx->vq);
	virtq_describe(&fx->vq, buf, sizeof(buf));
	assert_string_equal(buf, "not ready");
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_simple_chain),	  T(test_next_chain),	     T(test_indirect),
		T(test_index_wraparound), T(test_no_interrupt_flag), T(test_event_idx_interrupts),
		T(test_event_idx_kicks),  T(test_scattered_rings),   T(test_push_batch),
		T(test_describe),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
