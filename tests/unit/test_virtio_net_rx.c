// SPDX-License-Identifier: MIT
/* Unit tests for virtio-net receive (devices/virtio/net_rx.c): one buffer
 * per packet, mergeable buffers, waiting for buffers, drops, faults and
 * IOMMU invalidations. */
#include "test_virtio_net.h"

#define RXQ VIRTIO_NET_RXQ
#define MRG BIT_ULL(VIRTIO_NET_F_MRG_RXBUF)

/* The back-end receives a packet of len frame bytes; returns its size. */
static size_t inject(struct net_fx *fx, uint8_t *pkt, size_t len, uint8_t seed)
{
	size_t total = fx_packet(pkt, len, seed);

	assert_int_equal(write(fx->peer, pkt, total), total);
	return total;
}

static uint16_t hdr_num_buffers(struct net_fx *fx, uint64_t addr)
{
	struct virtio_net_hdr_mrg_rxbuf h;

	memcpy(&h, fx_ram(fx, addr, sizeof(h)), sizeof(h));
	return le16toh(h.num_buffers);
}

static void test_rx_one_buffer(void **state)
{
	struct net_fx *fx = *state;
	uint8_t pkt[PKT_HDR + 100];
	size_t len;
	struct vring_used_elem e;

	fx_start(fx, 0);
	fx_post1(fx, RXQ, BUF, 2048);
	len = inject(fx, pkt, 100, 7);
	virtio_net_rx(fx->n);

	assert_int_equal(fx_used_idx(fx, RXQ), 1);
	e = fx_used_elem(fx, RXQ, 0);
	assert_int_equal(e.id, 0);
	assert_int_equal(e.len, len);
	assert_int_equal(hdr_num_buffers(fx, BUF), 1);
	assert_int_equal(*fx_ram(fx, BUF, 1), VIRTIO_NET_HDR_F_DATA_VALID);
	assert_memory_equal(fx_ram(fx, BUF + PKT_HDR, 100), pkt + PKT_HDR, 100);
	assert_int_equal(fx->notified[RXQ], 1);
	assert_int_equal(fx->n->stats.rx_packets, 1);
	/* The back-end is empty: still polled, nothing pending. */
	assert_true(fx->n->be_polled);
	assert_int_equal(fx->n->rx.pkt_len, 0);
}

/* Without MRG_RXBUF a chain of several descriptors holds one packet. */
static void test_rx_one_chain_many_descs(void **state)
{
	struct net_fx *fx = *state;
	uint8_t pkt[PKT_HDR + 200];
	struct seg s[3] = {
		{BUF, PKT_HDR, true}, {BUF + 0x1000, 50, true}, {BUF + 0x2000, 1000, true}};
	size_t len;

	fx_start(fx, 0);
	fx_post(fx, RXQ, s, 3);
	len = inject(fx, pkt, 200, 1);
	virtio_net_rx(fx->n);
	assert_int_equal(fx_used_idx(fx, RXQ), 1);
	assert_int_equal(fx_used_elem(fx, RXQ, 0).len, len);
	assert_int_equal(hdr_num_buffers(fx, BUF), 1);
	assert_memory_equal(fx_ram(fx, BUF + 0x1000, 50), pkt + PKT_HDR, 50);
	assert_memory_equal(fx_ram(fx, BUF + 0x2000, 150), pkt + PKT_HDR + 50, 150);
}

/* Without MRG_RXBUF a packet that does not fit its buffer is dropped; the
 * buffer is kept for the next packet. */
static void test_rx_too_small_drops(void **state)
{
	struct net_fx *fx = *state;
	uint8_t pkt[PKT_HDR + 100];
	size_t len;

	fx_start(fx, 0);
	fx_post1(fx, RXQ, BUF, 64);
	inject(fx, pkt, 100, 0);
	len = inject(fx, pkt, 40, 9);
	virtio_net_rx(fx->n);
	assert_int_equal(fx->n->stats.rx_dropped, 1);
	assert_int_equal(fx->n->stats.rx_packets, 1);
	assert_int_equal(fx_used_idx(fx, RXQ), 1);
	assert_int_equal(fx_used_elem(fx, RXQ, 0).len, len);
	assert_memory_equal(fx_ram(fx, BUF + PKT_HDR, 40), pkt + PKT_HDR, 40);
	assert_int_equal(fx->needs_reset, 0);
}

/* With MRG_RXBUF a packet spreads over as many buffers as it needs, and
 * num_buffers in the first header counts them. */
static void test_rx_mergeable(void **state)
{
	struct net_fx *fx = *state;
	uint8_t pkt[PKT_HDR + 300], got[PKT_HDR + 300];
	size_t len, off = 0;
	const uint32_t sizes[4] = {100, 100, 100, 100};

	fx_start(fx, MRG);
	for (unsigned i = 0; i < 4; i++)
		fx_post1(fx, RXQ, BUF + i * 0x1000, sizes[i]);
	len = inject(fx, pkt, 300, 3); /* 312 bytes: 100 + 100 + 100 + 12 */
	virtio_net_rx(fx->n);

	assert_int_equal(fx_used_idx(fx, RXQ), 4);
	assert_int_equal(hdr_num_buffers(fx, BUF), 4);
	for (unsigned i = 0; i < 4; i++) {
		struct vring_used_elem e = fx_used_elem(fx, RXQ, i);

		assert_int_equal(e.id, i);
		assert_int_equal(e.len, i < 3 ? 100 : 12);
		memcpy(got + off, fx_ram(fx, BUF + i * 0x1000, e.len), e.len);
		off += e.len;
	}
	assert_int_equal(off, len);
	assert_memory_equal(got + PKT_HDR, pkt + PKT_HDR, 300);
	assert_int_equal(fx->notified[RXQ], 1);

	/* A small packet takes one buffer: num_buffers 1. */
	fx_post1(fx, RXQ, BUF + 0x8000, 1514);
	len = inject(fx, pkt, 60, 5);
	virtio_net_rx(fx->n);
	assert_int_equal(fx_used_idx(fx, RXQ), 5);
	assert_int_equal(fx_used_elem(fx, RXQ, 4).len, len);
	assert_int_equal(hdr_num_buffers(fx, BUF + 0x8000), 1);
}

/* No buffers: the packet waits, the back-end is not polled; new buffers
 * and an rx notification deliver it and resume polling. A packet that
 * needs more buffers than posted waits without publishing any. */
static void test_rx_waits_for_buffers(void **state)
{
	struct net_fx *fx = *state;
	uint8_t pkt[PKT_HDR + 250];
	size_t len;

	fx_start(fx, MRG);
	assert_true(fx->n->be_polled);
	len = inject(fx, pkt, 250, 11); /* 262 bytes */
	virtio_net_rx(fx->n);
	assert_int_equal(fx->n->rx.pkt_len, len);
	assert_false(fx->n->be_polled);
	assert_int_equal(fx_used_idx(fx, RXQ), 0);

	fx_post1(fx, RXQ, BUF, 100);
	fx_post1(fx, RXQ, BUF + 0x1000, 100);
	fx->n->vdev.ops->queue_notify(&fx->n->vdev, RXQ);
	assert_false(fx->n->be_polled);
	assert_int_equal(fx_used_idx(fx, RXQ), 0);
	assert_int_equal(fx->n->rx.nr_buf, 2);

	fx_post1(fx, RXQ, BUF + 0x2000, 100);
	fx->n->vdev.ops->queue_notify(&fx->n->vdev, RXQ);
	assert_true(fx->n->be_polled);
	assert_int_equal(fx_used_idx(fx, RXQ), 3);
	assert_int_equal(hdr_num_buffers(fx, BUF), 3);
	assert_int_equal(fx_used_elem(fx, RXQ, 2).len, len - 200);
	assert_memory_equal(fx_ram(fx, BUF + 0x2000, len - 200), pkt + 200, len - 200);
	assert_int_equal(fx->n->rx.nr_buf, 0);
	assert_int_equal(fx->n->rx.pkt_len, 0);
}

/* Chains that fault, or have no room for a header, complete empty; the
 * packet goes to the next good one. */
static void test_rx_bad_chains_complete_empty(void **state)
{
	struct net_fx *fx = *state;
	uint8_t pkt[PKT_HDR + 30];
	struct seg ro = {BUF + 0x3000, 2048, false};
	size_t len;

	fx_start(fx, MRG);
	fx_post1(fx, RXQ, RAM_SIZE - 8, 64); /* past the end of RAM */
	fx_post1(fx, RXQ, BUF, PKT_HDR - 1); /* no room for the header */
	fx_post(fx, RXQ, &ro, 1);	     /* nothing writable */
	fx_post1(fx, RXQ, BUF + 0x1000, 2048);
	len = inject(fx, pkt, 30, 2);
	virtio_net_rx(fx->n);
	assert_int_equal(fx_used_idx(fx, RXQ), 4);
	for (unsigned i = 0; i < 3; i++)
		assert_int_equal(fx_used_elem(fx, RXQ, i).len, 0);
	assert_int_equal(fx_used_elem(fx, RXQ, 3).id, 3);
	assert_int_equal(fx_used_elem(fx, RXQ, 3).len, len);
	assert_memory_equal(fx_ram(fx, BUF + 0x1000 + PKT_HDR, 30), pkt + PKT_HDR, 30);
	assert_int_equal(fx->needs_reset, 0);
}

/* A ring full of bad chains: one queue's worth is completed, then the
 * device asks the transport to come back instead of looping on. */
static void test_rx_bad_chain_budget_kicks(void **state)
{
	struct net_fx *fx = *state;
	uint8_t pkt[PKT_HDR + 30];
	size_t len;

	fx_start(fx, MRG);
	for (unsigned i = 0; i < QSIZE; i++)
		fx_post1(fx, RXQ, RAM_SIZE - 8, 64);
	len = inject(fx, pkt, 30, 2);
	virtio_net_rx(fx->n);
	assert_int_equal(fx_used_idx(fx, RXQ), QSIZE);
	assert_int_equal(fx->kicks[RXQ], 1);
	assert_int_equal(fx->n->rx.pkt_len, len);

	/* The transport serves the kick: a good buffer by then. */
	fx_post1(fx, RXQ, BUF, 2048);
	fx->n->vdev.ops->queue_notify(&fx->n->vdev, RXQ);
	assert_int_equal(fx_used_idx(fx, RXQ), QSIZE + 1);
	assert_int_equal(fx_used_elem(fx, RXQ, QSIZE).len, len);
}

/* A packet needing more buffers than the whole ring is dropped; the held
 * buffers serve the next packet. */
static void test_rx_more_than_ring_drops(void **state)
{
	struct net_fx *fx = *state;
	static uint8_t pkt[PKT_HDR + 2000];
	size_t len;

	fx_start(fx, MRG);
	for (unsigned i = 0; i < QSIZE; i++)
		fx_post1(fx, RXQ, BUF + i * 0x100, 13);
	inject(fx, pkt, 2000, 0);
	len = inject(fx, pkt, 20, 6); /* 32 bytes: three buffers */
	virtio_net_rx(fx->n);
	assert_int_equal(fx->n->stats.rx_dropped, 1);
	assert_int_equal(fx->n->stats.rx_packets, 1);
	assert_int_equal(fx_used_idx(fx, RXQ), 3);
	assert_int_equal(hdr_num_buffers(fx, BUF), 3);
	assert_int_equal(fx_used_elem(fx, RXQ, 2).len, len - 26);
	assert_int_equal(fx->n->rx.nr_buf, QSIZE - 3);
	assert_true(fx->n->be_polled);

	/* A device reset forgets the held buffers. */
	fx->n->vdev.ops->reset(&fx->n->vdev);
	assert_int_equal(fx->n->rx.nr_buf, 0);
	assert_int_equal(fx->n->rx.pkt_len, 0);
}

/* At most VIRTIO_NET_RX_MAX_BUFS buffers per packet, whatever the ring. */
static void test_rx_buffer_limit_drops(void **state)
{
	struct net_fx *fx = *state;
	static uint8_t pkt[PKT_HDR + 2000];
	size_t len;

	fx->qsize = 128;
	fx_start(fx, MRG);
	for (unsigned i = 0; i < 100; i++)
		fx_post1(fx, RXQ, BUF + i * 0x100, 13);
	inject(fx, pkt, 2000, 0); /* would need 155 buffers */
	len = inject(fx, pkt, 1, 6);
	virtio_net_rx(fx->n);
	assert_int_equal(fx->n->stats.rx_dropped, 1);
	assert_int_equal(fx_used_idx(fx, RXQ), 1);
	assert_int_equal(fx_used_elem(fx, RXQ, 0).len, len);
	assert_int_equal(fx->n->rx.nr_buf, VIRTIO_NET_RX_MAX_BUFS - 1);
}

/* A translator for the invalidation tests: identity, except that the page
 * at IOVA BUF goes to GPA remap_to (0: unmapped, a fault). */
static uint64_t remap_to;

static int remap_translate(void *opaque, uint16_t rid, iova_t iova, unsigned access,
			   struct dma_xlate *x, struct dma_fault *f)
{
	(void)opaque;
	(void)rid;
	if (iova.a >= BUF && iova.a < BUF + 0x1000) {
		if (!remap_to) {
			f->iova = iova;
			f->access = access;
			f->reason = DMA_FAULT_UNMAPPED;
			return -EFAULT;
		}
		x->gpa = gpa(remap_to + (iova.a - BUF));
		x->len = BUF + 0x1000 - iova.a;
	} else {
		x->gpa = gpa(iova.a);
		x->len = iova.a < BUF ? BUF - iova.a : ~0ull - iova.a;
	}
	x->perm = DMA_ACCESS_READ | DMA_ACCESS_WRITE;
	return 0;
}

static const struct dma_translator remap_xl = {.translate = remap_translate};

/* Hold the 64-byte buffer at IOVA BUF (a 100-byte packet is too big for it
 * and is dropped) with the page mapped at GPA from. */
static void hold_buf(struct net_fx *fx, uint64_t from)
{
	uint8_t pkt[PKT_HDR + 100];

	remap_to = from;
	dma_as_set_translator(&fx->as, &remap_xl);
	fx_start(fx, 0);
	fx_post1(fx, RXQ, BUF, 64);
	inject(fx, pkt, 100, 0);
	virtio_net_rx(fx->n);
	assert_int_equal(fx->n->rx.nr_buf, 1);
	assert_int_equal(fx_used_idx(fx, RXQ), 0);
}

/* An invalidation that leaves the held buffer mapped (in strict mode every
 * tx completion's UNMAP is one) does not give it back: the next packet
 * lands in it. */
static void test_rx_invalidation_keeps_mapped(void **state)
{
	struct net_fx *fx = *state;
	uint8_t pkt[PKT_HDR + 40];
	size_t len;

	hold_buf(fx, BUF);
	dma_as_invalidate(&fx->as);
	len = inject(fx, pkt, 40, 1);
	virtio_net_rx(fx->n);
	assert_int_equal(fx_used_idx(fx, RXQ), 1);
	assert_int_equal(fx_used_elem(fx, RXQ, 0).id, 0);
	assert_int_equal(fx_used_elem(fx, RXQ, 0).len, len);
	assert_memory_equal(fx_ram(fx, BUF + PKT_HDR, 40), pkt + PKT_HDR, 40);
}

/* The IOVA of a held buffer now maps elsewhere (a hostile driver unmapped
 * and remapped it): the packet goes where the IOVA points now, and the
 * page it pointed at before is not touched. */
static void test_rx_invalidation_follows_remap(void **state)
{
	struct net_fx *fx = *state;
	uint8_t pkt[PKT_HDR + 40];
	uint64_t other = BUF + 0x8000;
	size_t len;

	hold_buf(fx, BUF);
	memset(fx_ram(fx, BUF, 64), 0xee, 64);
	remap_to = other;
	dma_as_invalidate(&fx->as);
	len = inject(fx, pkt, 40, 2);
	virtio_net_rx(fx->n);
	assert_int_equal(fx_used_idx(fx, RXQ), 1);
	assert_int_equal(fx_used_elem(fx, RXQ, 0).len, len);
	assert_memory_equal(fx_ram(fx, other + PKT_HDR, 40), pkt + PKT_HDR, 40);
	for (unsigned i = 0; i < 64; i++)
		assert_int_equal(*fx_ram(fx, BUF + i, 1), 0xee);
}

/* The IOVA of a held buffer is unmapped: the buffer is given back empty,
 * without a byte written to where it pointed, and the packet takes the
 * next buffer. */
static void test_rx_invalidation_returns_unmapped(void **state)
{
	struct net_fx *fx = *state;
	uint8_t pkt[PKT_HDR + 40];
	size_t len;

	hold_buf(fx, BUF);
	memset(fx_ram(fx, BUF, 64), 0xee, 64);
	remap_to = 0;
	dma_as_invalidate(&fx->as);
	fx_post1(fx, RXQ, BUF + 0x2000, 2048);
	len = inject(fx, pkt, 40, 3);
	virtio_net_rx(fx->n);
	assert_int_equal(fx_used_idx(fx, RXQ), 2);
	assert_int_equal(fx_used_elem(fx, RXQ, 0).id, 0);
	assert_int_equal(fx_used_elem(fx, RXQ, 0).len, 0);
	assert_int_equal(fx_used_elem(fx, RXQ, 1).id, 1);
	assert_int_equal(fx_used_elem(fx, RXQ, 1).len, len);
	assert_memory_equal(fx_ram(fx, BUF + 0x2000 + PKT_HDR, 40), pkt + PKT_HDR, 40);
	for (unsigned i = 0; i < 64; i++)
		assert_int_equal(*fx_ram(fx, BUF + i, 1), 0xee);
}

/* A packet longer than the largest frame is dropped whole. */
static void test_rx_oversized_dropped(void **state)
{
	struct net_fx *fx = *state;
	size_t big = VIRTIO_NET_PKT_MAX + 1;
	uint8_t *pkt = calloc(1, big);
	uint8_t small[PKT_HDR + 10];
	int sz = 4 * (int)big;
	size_t len;

	assert_non_null(pkt);
	assert_int_equal(setsockopt(fx->peer, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz)), 0);
	fx_start(fx, MRG);
	fx_post1(fx, RXQ, BUF, 2048);
	assert_int_equal(write(fx->peer, pkt, big), big);
	len = inject(fx, small, 10, 4);
	virtio_net_rx(fx->n);
	assert_int_equal(fx->n->stats.rx_dropped, 1);
	assert_int_equal(fx_used_idx(fx, RXQ), 1);
	assert_int_equal(fx_used_elem(fx, RXQ, 0).len, len);
	free(pkt);
}

/* A broken rx ring: the transport is told, the packet dropped, and the
 * back-end no longer polled. */
static void test_rx_broken_queue(void **state)
{
	struct net_fx *fx = *state;
	uint8_t pkt[PKT_HDR + 10];
	uint16_t *avail = (void *)fx_ram(fx, fx_avail(RXQ), 4);

	fx_start(fx, MRG);
	avail[1] = htole16(QSIZE + 5); /* the index jumps past the size */
	inject(fx, pkt, 10, 0);
	virtio_net_rx(fx->n);
	assert_int_equal(fx->needs_reset, 1);
	assert_int_equal(fx->n->stats.rx_dropped, 1);
	assert_false(fx->n->be_polled);
}

int main(void)
{
#define T(t) cmocka_unit_test_setup_teardown(t, fx_setup, fx_teardown)
	const struct CMUnitTest tests[] = {
		T(test_rx_one_buffer),
		T(test_rx_one_chain_many_descs),
		T(test_rx_too_small_drops),
		T(test_rx_mergeable),
		T(test_rx_waits_for_buffers),
		T(test_rx_bad_chains_complete_empty),
		T(test_rx_bad_chain_budget_kicks),
		T(test_rx_more_than_ring_drops),
		T(test_rx_buffer_limit_drops),
		T(test_rx_invalidation_keeps_mapped),
		T(test_rx_invalidation_follows_remap),
		T(test_rx_invalidation_returns_unmapped),
		T(test_rx_oversized_dropped),
		T(test_rx_broken_queue),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
