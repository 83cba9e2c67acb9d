// SPDX-License-Identifier: MIT
/* virtio-net: creation, features and offloads, the config space, and the
 * device ops (activation, reset, queue notifications, back-end events).
 * The data path is in net_tx.c and net_rx.c. */
#include "devices/virtio/net.h"

#include <endian.h>
#include <linux/if_tun.h>
#include <linux/virtio_ids.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "devices/virtio/tap.h"
#include "vmm/log.h"

/* Offered whatever the back-end: it takes partial checksums and TSO from
 * the vnet header of every packet we send. */
#define NET_FEATURES_BASE                                                                          \
	(BIT_ULL(VIRTIO_NET_F_MAC) | BIT_ULL(VIRTIO_NET_F_STATUS) |                                \
	 BIT_ULL(VIRTIO_NET_F_MRG_RXBUF) | BIT_ULL(VIRTIO_NET_F_CSUM) |                            \
	 BIT_ULL(VIRTIO_NET_F_HOST_TSO4) | BIT_ULL(VIRTIO_NET_F_HOST_TSO6) |                       \
	 BIT_ULL(VIRTIO_NET_F_HOST_ECN))

uint64_t virtio_net_features(unsigned be_offloads)
{
	uint64_t f = NET_FEATURES_BASE;

	if (!(be_offloads & TUN_F_CSUM))
		return f;
	f |= BIT_ULL(VIRTIO_NET_F_GUEST_CSUM);
	if (be_offloads & TUN_F_TSO4)
		f |= BIT_ULL(VIRTIO_NET_F_GUEST_TSO4);
	if (be_offloads & TUN_F_TSO6)
		f |= BIT_ULL(VIRTIO_NET_F_GUEST_TSO6);
	if ((be_offloads & TUN_F_TSO_ECN) && (be_offloads & (TUN_F_TSO4 | TUN_F_TSO6)))
		f |= BIT_ULL(VIRTIO_NET_F_GUEST_ECN);
	return f;
}

unsigned virtio_net_offloads(uint64_t driver_features, unsigned be_offloads)
{
	unsigned o = 0;

	if (!(driver_features & BIT_ULL(VIRTIO_NET_F_GUEST_CSUM)))
		return 0;
	o |= TUN_F_CSUM;
	if (driver_features & BIT_ULL(VIRTIO_NET_F_GUEST_TSO4))
		o |= TUN_F_TSO4;
	if (driver_features & BIT_ULL(VIRTIO_NET_F_GUEST_TSO6))
		o |= TUN_F_TSO6;
	if ((driver_features & BIT_ULL(VIRTIO_NET_F_GUEST_ECN)) && (o & (TUN_F_TSO4 | TUN_F_TSO6)))
		o |= TUN_F_TSO_ECN;
	o &= be_offloads;
	if (!(o & TUN_F_CSUM))
		return 0;
	if (!(o & (TUN_F_TSO4 | TUN_F_TSO6)))
		o &= ~(unsigned)TUN_F_TSO_ECN;
	return o;
}

void virtio_net_mac_derive(const char *seed, uint8_t mac[6])
{
	uint32_t h = 2166136261u; /* FNV-1a */

	for (const char *s = seed; *s; s++)
		h = (h ^ (uint8_t)*s) * 16777619u;
	mac[0] = 0x52;
	mac[1] = 0x54;
	mac[2] = 0x00;
	mac[3] = (uint8_t)(h >> 16);
	mac[4] = (uint8_t)(h >> 8);
	mac[5] = (uint8_t)h;
}

void virtio_net_poll_backend(struct virtio_net *n, bool on)
{
	if (!n->be_added || n->be_polled == on)
		return;
	if (worker_mod_fd(&n->vdev.worker, n->be.fd, on ? EPOLLIN : 0) == 0)
		n->be_polled = on;
}

/* The back-end fd is ready (worker thread). Packets are served as an rx
 * notification, so that the transport decides whether the device may
 * touch guest memory now (DRIVER_OK, no DEVICE_NEEDS_RESET, bus mastering
 * on); until then the fd is not polled. */
static void net_backend_event(void *opaque, uint32_t events)
{
	struct virtio_net *n = opaque;

	pthread_mutex_lock(&n->vdev.lock);
	if (events & (EPOLLERR | EPOLLHUP)) {
		/* The TAP was deleted under us: the link is gone for good. */
		log_warn("virtio-net: %s: the back-end failed; link down", n->be.name);
		worker_del_fd(&n->vdev.worker, n->be.fd);
		n->be_added = n->be_polled = false;
		n->cfg.status = htole16(0);
		if (n->active)
			n->vdev.t->notify_config(&n->vdev);
	} else {
		virtio_net_poll_backend(n, false);
		if (n->active)
			n->vdev.t->kick(&n->vdev, VIRTIO_NET_RXQ);
	}
	pthread_mutex_unlock(&n->vdev.lock);
}

/* DRIVER_OK (a vCPU thread): only state. The back-end's ioctl and epoll
 * calls wait for the worker (net_prepare), so the vCPU filter needs none. */
static void net_start(struct virtio_dev *vdev)
{
	struct virtio_net *n = container_of(vdev, struct virtio_net, vdev);

	n->offloads = virtio_net_offloads(vdev->driver_features, n->be.offloads);
	n->offloads_pending = true;
	n->active = true;
}

/* Device reset (a vCPU thread): forget the rx state. The back-end stays
 * registered; its next event finds the device inactive and stops polling. */
static void net_reset(struct virtio_dev *vdev)
{
	struct virtio_net *n = container_of(vdev, struct virtio_net, vdev);

	n->active = false;
	virtio_net_rx_reset(n);
}

/* On the worker, before any queue is served (the transport notifies every
 * enabled queue at DRIVER_OK): the offloads the driver accepted, and the
 * back-end's registration. */
static void net_prepare(struct virtio_net *n)
{
	int ret;

	if (n->offloads_pending) {
		n->offloads_pending = false;
		ret = n->be.ops->set_offload(&n->be, n->offloads);
		if (ret) {
			/* Never hand the driver offloads it did not accept. */
			log_warn("virtio-net: %s: cannot set offloads %#x: %s", n->be.name,
				 n->offloads, strerror(-ret));
			n->offloads = 0;
			if (n->be.ops->set_offload(&n->be, 0))
				log_warn("virtio-net: %s: cannot clear offloads", n->be.name);
		}
	}
	if (n->be_added || n->be.fd < 0 || !(n->cfg.status & htole16(VIRTIO_NET_S_LINK_UP)))
		return; /* registered, or the back-end is gone */
	ret = worker_add_fd(&n->vdev.worker, n->be.fd, EPOLLIN, net_backend_event, n);
	if (ret)
		log_err("virtio-net: %s: cannot poll the back-end: %s", n->be.name, strerror(-ret));
	n->be_added = n->be_polled = !ret;
}

static void net_queue_notify(struct virtio_dev *vdev, unsigned q)
{
	struct virtio_net *n = container_of(vdev, struct virtio_net, vdev);

	net_prepare(n);
	if (q == VIRTIO_NET_TXQ) {
		virtio_net_tx(n);
	} else if (q == VIRTIO_NET_RXQ) {
		/* New rx buffers: the pending packet, then the back-end. */
		virtio_net_poll_backend(n, true);
		virtio_net_rx(n);
	}
}

const struct virtio_dev_ops virtio_net_ops = {
	.name = "virtio-net",
	.device_id = VIRTIO_ID_NET,
	.pci_class = 0x020000, /* network, ethernet */
	.queue_notify = net_queue_notify,
	.start = net_start,
	.reset = net_reset,
};

struct virtio_net *virtio_net_new_backend(const struct net_backend *be, const uint8_t mac[6])
{
	struct virtio_net *n = calloc(1, sizeof(*n));

	if (!n)
		return NULL;
	n->be = *be;
	n->rx.pkt = malloc(VIRTIO_NET_PKT_MAX + 1);
	if (!n->rx.pkt) {
		free(n);
		return NULL;
	}
	memcpy(n->cfg.mac, mac, sizeof(n->cfg.mac));
	n->cfg.status = htole16(VIRTIO_NET_S_LINK_UP);
	n->cfg.max_virtqueue_pairs = htole16(1);
	n->vdev.ops = &virtio_net_ops;
	n->vdev.features = virtio_net_features(be->offloads);
	n->vdev.nr_queues = 2;
	n->vdev.queue_max = VIRTIO_NET_QUEUE_SIZE;
	n->vdev.config = &n->cfg;
	n->vdev.config_len = sizeof(n->cfg);
	return n;
}

struct virtio_net *virtio_net_new(const struct virtio_net_params *p, char *err, size_t errlen)
{
	struct net_backend be;
	struct virtio_net *n;
	uint8_t mac[6];

	if (tap_open(&be, p->tap, err, errlen))
		return NULL;
	if (p->mac)
		memcpy(mac, p->mac, sizeof(mac));
	else
		virtio_net_mac_derive(be.name, mac);
	n = virtio_net_new_backend(&be, mac);
	if (!n) {
		snprintf(err, errlen, "tap %s: out of memory", be.name);
		tap_close(&be);
	}
	return n;
}

void virtio_net_free(struct virtio_net *n)
{
	if (!n)
		return;
	if (n->be.fd >= 0)
		close(n->be.fd);
	free(n->rx.pkt);
	free(n);
}
