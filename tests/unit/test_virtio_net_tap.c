// SPDX-License-Identifier: MIT
/* virtio-net over a real TAP (devices/virtio/net.c + tap.c): frames the
 * guest sends come out of the host interface, frames sent to the host
 * interface reach the guest's rx buffers with a vnet header. The host side
 * is an AF_PACKET socket on the TAP, for an experimental ethertype. Skips
 * when TAPs cannot be created here. */
#include "tests/unit/skip.h"
#include "test_virtio_net.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <poll.h>
#include <stdio.h>
#include <sys/ioctl.h>

#define ETH_TEST 0x88b5 /* IEEE local experimental ethertype */
#define FRAME	 64

struct tap_fx {
	struct net_fx fx;
	int pkt; /* AF_PACKET socket bound to the TAP */
};

static int tap_setup(void **state)
{
	struct tap_fx *t = calloc(1, sizeof(*t));
	struct virtio_net_params p = {.tap = "vmmtest%d"};
	struct sockaddr_ll sll = {.sll_family = AF_PACKET, .sll_protocol = htons(ETH_TEST)};
	struct ifreq ifr = {0};
	struct virtio_net *n;
	char err[256], path[128];
	int s, fd;

	assert_non_null(t);
	*state = t;
	t->pkt = -1;
	fx_init_mem(&t->fx);
	if (access("/dev/net/tun", R_OK | W_OK))
		return 0;
	n = virtio_net_new(&p, err, sizeof(err));
	if (!n)
		return 0; /* no TAPs here: the tests skip */
	fx_attach(&t->fx, n);

	/* No IPv6 chatter on the interface; then bring it up. */
	snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/disable_ipv6", n->be.name);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd >= 0) {
		(void)!write(fd, "1", 1);
		close(fd);
	}
	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	assert_true(s >= 0);
	strcpy(ifr.ifr_name, n->be.name);
	assert_int_equal(ioctl(s, SIOCGIFFLAGS, &ifr), 0);
	ifr.ifr_flags |= IFF_UP;
	assert_int_equal(ioctl(s, SIOCSIFFLAGS, &ifr), 0);
	assert_int_equal(ioctl(s, SIOCGIFINDEX, &ifr), 0);
	close(s);
	t->pkt = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_TEST));
	assert_true(t->pkt >= 0);
	sll.sll_ifindex = ifr.ifr_ifindex;
	assert_int_equal(bind(t->pkt, (struct sockaddr *)&sll, sizeof(sll)), 0);
	return 0;
}

static int tap_teardown(void **state)
{
	struct tap_fx *t = *state;

	if (t->pkt >= 0)
		close(t->pkt);
	fx_fini(&t->fx); /* closing the TAP deletes it */
	free(t);
	return 0;
}

static void make_frame(struct tap_fx *t, uint8_t *f, uint8_t seed)
{
	struct ether_header *eh = (void *)f;

	memset(eh->ether_dhost, 0xff, ETH_ALEN);
	memcpy(eh->ether_shost, t->fx.n->cfg.mac, ETH_ALEN);
	eh->ether_type = htons(ETH_TEST);
	for (unsigned i = sizeof(*eh); i < FRAME; i++)
		f[i] = (uint8_t)(seed + i);
}

static void test_tap_tx(void **state)
{
	struct tap_fx *t = *state;
	struct net_fx *fx = &t->fx;
	uint8_t got[256];
	struct pollfd pfd = {t->pkt, POLLIN, 0};

	if (t->pkt < 0)
		skip_because(__func__,
			     "no TAP device can be made here (/dev/net/tun, CAP_NET_ADMIN)");
	fx_start(fx, BIT_ULL(VIRTIO_NET_F_CSUM));
	memset(fx_ram(fx, BUF, PKT_HDR), 0, PKT_HDR);
	make_frame(t, fx_ram(fx, BUF + PKT_HDR, FRAME), 0x40);
	fx_post1(fx, VIRTIO_NET_TXQ, BUF, PKT_HDR + FRAME);
	fx->n->vdev.ops->queue_notify(&fx->n->vdev, VIRTIO_NET_TXQ);
	assert_int_equal(fx->n->stats.tx_packets, 1);
	assert_int_equal(fx_used_idx(fx, VIRTIO_NET_TXQ), 1);
	assert_int_equal(poll(&pfd, 1, 2000), 1);
	assert_int_equal(recv(t->pkt, got, sizeof(got), 0), FRAME);
	assert_memory_equal(got, fx_ram(fx, BUF + PKT_HDR, FRAME), FRAME);
}

static void test_tap_rx(void **state)
{
	struct tap_fx *t = *state;
	struct net_fx *fx = &t->fx;
	uint8_t frame[FRAME];
	struct pollfd pfd;
	unsigned i;

	if (t->pkt < 0)
		skip_because(__func__,
			     "no TAP device can be made here (/dev/net/tun, CAP_NET_ADMIN)");
	fx_start(fx, BIT_ULL(VIRTIO_NET_F_MRG_RXBUF) | BIT_ULL(VIRTIO_NET_F_GUEST_CSUM));
	assert_int_equal(fx->n->offloads, TUN_F_CSUM);
	for (i = 0; i < 4; i++)
		fx_post1(fx, VIRTIO_NET_RXQ, BUF + i * 0x1000, 2048);
	make_frame(t, frame, 0x80);
	assert_int_equal(send(t->pkt, frame, FRAME, 0), FRAME);
	pfd = (struct pollfd){fx->n->be.fd, POLLIN, 0};
	assert_int_equal(poll(&pfd, 1, 2000), 1);
	virtio_net_rx(fx->n);
	/* Ours is the one with our ethertype (the host may send others). */
	for (i = 0; i < fx_used_idx(fx, VIRTIO_NET_RXQ); i++) {
		struct vring_used_elem e = fx_used_elem(fx, VIRTIO_NET_RXQ, i);
		uint8_t *b = fx_ram(fx, BUF + e.id * 0x1000, PKT_HDR + FRAME);

		if (e.len == PKT_HDR + FRAME && !memcmp(b + PKT_HDR, frame, FRAME)) {
			assert_int_equal(
				le16toh(((struct virtio_net_hdr_mrg_rxbuf *)b)->num_buffers), 1);
			return;
		}
	}
	fail_msg("the frame did not reach the rx queue");
}

/* Wait (up to 2 s) until *v is non-zero, reading it under the lock. */
static bool wait_for(struct net_fx *fx, const unsigned *v)
{
	bool done = false;

	for (unsigned i = 0; i < 200 && !done; i++) {
		usleep(10000);
		pthread_mutex_lock(&fx->n->vdev.lock);
		done = *v != 0;
		pthread_mutex_unlock(&fx->n->vdev.lock);
	}
	return done;
}

/* A packet on the running worker becomes an rx notification, and the
 * TAP is not polled until the transport serves it. */
static void test_tap_readable_kicks_rx(void **state)
{
	struct tap_fx *t = *state;
	struct net_fx *fx = &t->fx;
	uint8_t frame[FRAME];

	if (t->pkt < 0)
		skip_because(__func__,
			     "no TAP device can be made here (/dev/net/tun, CAP_NET_ADMIN)");
	fx_start(fx, 0);
	assert_int_equal(worker_start(&fx->n->vdev.worker), 0);
	make_frame(t, frame, 0);
	assert_int_equal(send(t->pkt, frame, FRAME, 0), FRAME);
	assert_true(wait_for(fx, &fx->kicks[VIRTIO_NET_RXQ]));
	pthread_mutex_lock(&fx->n->vdev.lock);
	assert_false(fx->n->be_polled);
	/* What the transport then does: serve the rx queue (no buffers). */
	fx->n->vdev.ops->queue_notify(&fx->n->vdev, VIRTIO_NET_RXQ);
	assert_int_equal(fx->n->rx.pkt_len, PKT_HDR + FRAME);
	assert_false(fx->n->be_polled);
	pthread_mutex_unlock(&fx->n->vdev.lock);
}

/* The TAP deleted under a running device: the link goes down, the
 * driver is told, and the worker stops polling the dead fd. */
static void test_tap_deleted(void **state)
{
	struct tap_fx *t = *state;
	struct net_fx *fx = &t->fx;
	char cmd[64];

	if (t->pkt < 0)
		skip_because(__func__,
			     "no TAP device can be made here (/dev/net/tun, CAP_NET_ADMIN)");
	if (system("command -v ip >/dev/null 2>&1"))
		skip_because(__func__, "no ip command to delete the TAP (package iproute2)");
	fx_start(fx, 0);
	assert_int_equal(worker_start(&fx->n->vdev.worker), 0);
	snprintf(cmd, sizeof(cmd), "ip link del %s", fx->n->be.name);
	assert_int_equal(system(cmd), 0);
	assert_true(wait_for(fx, &fx->config_notes));
	assert_int_equal(fx->config_notes, 1);
	assert_int_equal(le16toh(fx->n->cfg.status), 0);
	assert_false(fx->n->be_added);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_tap_tx, tap_setup, tap_teardown),
		cmocka_unit_test_setup_teardown(test_tap_rx, tap_setup, tap_teardown),
		cmocka_unit_test_setup_teardown(test_tap_readable_kicks_rx, tap_setup,
						tap_teardown),
		cmocka_unit_test_setup_teardown(test_tap_deleted, tap_setup, tap_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
