// SPDX-License-Identifier: MIT
/* Unit tests for virtio-net (devices/virtio/net.c, net_tx.c): features and
 * offloads, the config space, the MAC, and transmit. Receive is in
 * test_virtio_net_rx.c. */
#include "test_virtio_net.h"

#define TXQ  VIRTIO_NET_TXQ
#define F(x) BIT_ULL(VIRTIO_NET_F_##x)

static void test_features_follow_backend(void **state)
{
	uint64_t all = virtio_net_features(TAP_OFFLOADS_ALL);
	uint64_t csum = virtio_net_features(TUN_F_CSUM);
	uint64_t none = virtio_net_features(0);
	const uint64_t guest = F(GUEST_CSUM) | F(GUEST_TSO4) | F(GUEST_TSO6) | F(GUEST_ECN);
	const uint64_t base = F(MAC) | F(STATUS) | F(MRG_RXBUF) | F(CSUM) | F(HOST_TSO4) |
			      F(HOST_TSO6) | F(HOST_ECN);

	(void)state;
	assert_int_equal(all, base | guest);
	assert_int_equal(csum, base | F(GUEST_CSUM));
	assert_int_equal(none, base);
	/* Never a control queue, MQ or UFO. */
	assert_false(all & (F(CTRL_VQ) | F(MQ) | F(GUEST_UFO) | F(HOST_UFO)));
	/* TSO without CSUM makes no sense: no GUEST_TSO either. */
	assert_int_equal(virtio_net_features(TUN_F_TSO4), base);
}

static void test_offloads_from_driver_features(void **state)
{
	const unsigned all = TAP_OFFLOADS_ALL;

	(void)state;
	assert_int_equal(virtio_net_offloads(0, all), 0);
	assert_int_equal(virtio_net_offloads(F(GUEST_CSUM), all), TUN_F_CSUM);
	assert_int_equal(virtio_net_offloads(F(GUEST_CSUM) | F(GUEST_TSO4), all),
			 TUN_F_CSUM | TUN_F_TSO4);
	assert_int_equal(virtio_net_offloads(
				 F(GUEST_CSUM) | F(GUEST_TSO4) | F(GUEST_TSO6) | F(GUEST_ECN), all),
			 all);
	/* Inconsistent driver choices never reach the kernel's EINVAL. */
	assert_int_equal(virtio_net_offloads(F(GUEST_TSO4) | F(GUEST_TSO6), all), 0);
	assert_int_equal(virtio_net_offloads(F(GUEST_CSUM) | F(GUEST_ECN), all), TUN_F_CSUM);
	/* Within what the back-end accepts. */
	assert_int_equal(virtio_net_offloads(F(GUEST_CSUM) | F(GUEST_TSO4) | F(GUEST_ECN),
					     TUN_F_CSUM | TUN_F_TSO_ECN),
			 TUN_F_CSUM);
	/* Host-side offloads do not matter for what the TAP hands us. */
	assert_int_equal(virtio_net_offloads(F(CSUM) | F(HOST_TSO4), all), 0);
}

static void test_start_applies_offloads(void **state)
{
	struct net_fx *fx = *state;

	fx_start(fx, F(GUEST_CSUM) | F(GUEST_TSO6) | F(MRG_RXBUF));
	assert_int_equal(fx->offload_calls, 1);
	assert_int_equal(fx->offload_flags, TUN_F_CSUM | TUN_F_TSO6);
	assert_true(fx->n->active);
	assert_true(fx->n->be_added);
	assert_true(fx->n->be_polled);

	/* After a reset, a driver without offloads clears them: not on the
	 * vCPU thread that sets DRIVER_OK, but before the first queue is
	 * served on the worker. */
	fx->n->vdev.ops->reset(&fx->n->vdev);
	assert_false(fx->n->active);
	fx->n->vdev.driver_features = BIT_ULL(VIRTIO_F_VERSION_1);
	fx->n->vdev.ops->start(&fx->n->vdev);
	assert_int_equal(fx->offload_calls, 1);
	fx->n->vdev.ops->queue_notify(&fx->n->vdev, TXQ);
	assert_int_equal(fx->offload_calls, 2);
	assert_int_equal(fx->offload_flags, 0);
	fx->n->vdev.ops->queue_notify(&fx->n->vdev, VIRTIO_NET_RXQ);
	assert_int_equal(fx->offload_calls, 2);
	assert_true(fx->n->be_polled);
}

static void test_start_offload_failure_clears(void **state)
{
	struct net_fx *fx = *state;

	fx->offload_ret = -EINVAL;
	fx_start(fx, F(GUEST_CSUM));
	assert_int_equal(fx->offload_calls, 2);
	assert_int_equal(fx->offload_flags, 0);
	assert_int_equal(fx->n->offloads, 0);
}

static void test_config_space(void **state)
{
	struct net_fx *fx = *state;
	struct virtio_net_config *c = fx->n->vdev.config;
	static const uint8_t mac[6] = {0x52, 0x54, 0, 1, 2, 3};

	assert_int_equal(fx->n->vdev.config_len, sizeof(*c));
	assert_memory_equal(c->mac, mac, 6);
	assert_int_equal(le16toh(c->status), VIRTIO_NET_S_LINK_UP);
	assert_int_equal(le16toh(c->max_virtqueue_pairs), 1);
	assert_int_equal(fx->n->vdev.nr_queues, 2);
	assert_ptr_equal(fx->n->vdev.ops, &virtio_net_ops);
	assert_int_equal(virtio_net_ops.device_id, 1);
}

static void test_mac_derive(void **state)
{
	uint8_t a[6], b[6], c[6];

	(void)state;
	virtio_net_mac_derive("tap0", a);
	virtio_net_mac_derive("tap0", b);
	virtio_net_mac_derive("tap1", c);
	assert_memory_equal(a, b, 6);
	assert_memory_not_equal(a, c, 6);
	assert_int_equal(a[0], 0x52);
	assert_int_equal(a[1], 0x54);
	assert_int_equal(a[2], 0x00);
	assert_true(a[0] & 2);	/* locally administered */
	assert_false(a[0] & 1); /* unicast */
}

static void test_tx_header_and_frame(void **state)
{
	struct net_fx *fx = *state;
	uint8_t pkt[PKT_HDR + 60], got[256];
	size_t len = fx_packet(pkt, 60, 0x10);
	struct seg s[2] = {{BUF, PKT_HDR, false}, {BUF + 0x100, 60, false}};
	struct vring_used_elem e;

	fx_start(fx, F(CSUM));
	memcpy(fx_ram(fx, BUF, PKT_HDR), pkt, PKT_HDR);
	memcpy(fx_ram(fx, BUF + 0x100, 60), pkt + PKT_HDR, 60);
	fx_post(fx, TXQ, s, 2);
	fx->n->vdev.ops->queue_notify(&fx->n->vdev, TXQ);

	assert_int_equal(read(fx->peer, got, sizeof(got)), len);
	assert_memory_equal(got, pkt, len);
	assert_int_equal(fx_used_idx(fx, TXQ), 1);
	e = fx_used_elem(fx, TXQ, 0);
	assert_int_equal(e.id, 0);
	assert_int_equal(e.len, 0);
	assert_int_equal(fx->notified[TXQ], 1);
	assert_int_equal(fx->n->stats.tx_packets, 1);
	assert_int_equal(fx->kicks[TXQ], 0);
}

static void test_tx_malformed_dropped(void **state)
{
	struct net_fx *fx = *state;
	uint8_t pkt[PKT_HDR + 20], got[256];
	size_t len = fx_packet(pkt, 20, 0x33);
	/* A header cut short, one too long, one outside RAM, one good. */
	struct seg big = {BUF, VIRTIO_NET_PKT_MAX + 1, false};

	fx_start(fx, 0);
	memcpy(fx_ram(fx, BUF, len), pkt, len);
	fx_post1(fx, TXQ, BUF, PKT_HDR - 1);
	fx_post(fx, TXQ, &big, 1);
	fx_post1(fx, TXQ, RAM_SIZE - 4, 64);
	fx_post1(fx, TXQ, BUF, (uint32_t)len);
	fx->n->vdev.ops->queue_notify(&fx->n->vdev, TXQ);

	assert_int_equal(fx_used_idx(fx, TXQ), 4);
	for (unsigned i = 0; i < 4; i++)
		assert_int_equal(fx_used_elem(fx, TXQ, i).len, 0);
	assert_int_equal(fx->n->stats.tx_dropped, 3);
	assert_int_equal(fx->n->stats.tx_packets, 1);
	assert_int_equal(read(fx->peer, got, sizeof(got)), len);
	assert_memory_equal(got, pkt, len);
	assert_int_equal(read(fx->peer, got, sizeof(got)), -1);
	assert_int_equal(fx->needs_reset, 0);

	/* The queue keeps working. */
	fx_post1(fx, TXQ, BUF, (uint32_t)len);
	fx->n->vdev.ops->queue_notify(&fx->n->vdev, TXQ);
	assert_int_equal(fx_used_idx(fx, TXQ), 5);
	assert_int_equal(read(fx->peer, got, sizeof(got)), len);
}

/* A back-end that refuses a packet drops it; the chain completes. */
static void test_tx_backend_error(void **state)
{
	struct net_fx *fx = *state;
	uint8_t pkt[PKT_HDR + 20];
	size_t len = fx_packet(pkt, 20, 0);

	fx_start(fx, 0);
	memcpy(fx_ram(fx, BUF, len), pkt, len);
	fx->send_err = -EIO;
	fx_post1(fx, TXQ, BUF, (uint32_t)len);
	fx->n->vdev.ops->queue_notify(&fx->n->vdev, TXQ);
	assert_int_equal(fx_used_idx(fx, TXQ), 1);
	assert_int_equal(fx->n->stats.tx_dropped, 1);
}

/* A full ring is served in one go, then the device asks to come back. */
static void test_tx_budget_kicks(void **state)
{
	struct net_fx *fx = *state;
	uint8_t pkt[PKT_HDR + 8], got[64];
	size_t len = fx_packet(pkt, 8, 0);

	fx_start(fx, 0);
	memcpy(fx_ram(fx, BUF, len), pkt, len);
	for (unsigned i = 0; i < QSIZE; i++)
		fx_post1(fx, TXQ, BUF, (uint32_t)len);
	fx->n->vdev.ops->queue_notify(&fx->n->vdev, TXQ);
	assert_int_equal(fx_used_idx(fx, TXQ), QSIZE);
	assert_int_equal(fx->kicks[TXQ], 1);
	for (unsigned i = 0; i < QSIZE; i++)
		assert_int_equal(read(fx->peer, got, sizeof(got)), len);
}

/* With EVENT_IDX the driver's used_event suppresses interrupts. */
static void test_tx_event_idx_suppression(void **state)
{
	struct net_fx *fx = *state;
	uint8_t pkt[PKT_HDR + 8], got[64];
	size_t len = fx_packet(pkt, 8, 0);
	uint16_t *used_event = (void *)fx_ram(fx, fx_avail(TXQ) + 4 + 2 * QSIZE, 2);

	fx_start(fx, 0);
	memcpy(fx_ram(fx, BUF, len), pkt, len);
	fx_post1(fx, TXQ, BUF, (uint32_t)len);
	fx->n->vdev.ops->queue_notify(&fx->n->vdev, TXQ);
	assert_int_equal(fx->notified[TXQ], 1);
	/* Interrupt only after the used index passes 5. */
	*used_event = htole16(5);
	fx_post1(fx, TXQ, BUF, (uint32_t)len);
	fx->n->vdev.ops->queue_notify(&fx->n->vdev, TXQ);
	assert_int_equal(fx->notified[TXQ], 1);
	for (unsigned i = 0; i < 4; i++)
		fx_post1(fx, TXQ, BUF, (uint32_t)len);
	fx->n->vdev.ops->queue_notify(&fx->n->vdev, TXQ);
	assert_int_equal(fx->notified[TXQ], 2);
	while (read(fx->peer, got, sizeof(got)) > 0)
		;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_features_follow_backend),
		cmocka_unit_test(test_offloads_from_driver_features),
		cmocka_unit_test_setup_teardown(test_start_applies_offloads, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_start_offload_failure_clears, fx_setup,
						fx_teardown),
		cmocka_unit_test_setup_teardown(test_config_space, fx_setup, fx_teardown),
		cmocka_unit_test(test_mac_derive),
		cmocka_unit_test_setup_teardown(test_tx_header_and_frame, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_tx_malformed_dropped, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_tx_backend_error, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_tx_budget_kicks, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_tx_event_idx_suppression, fx_setup,
						fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
