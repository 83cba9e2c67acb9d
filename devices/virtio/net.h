/* SPDX-License-Identifier: MIT */
/* virtio-net with one queue pair (rx 0, tx 1), no control queue, over a
 * packet back-end (a TAP in the VMM, devices/virtio/tap.c).
 *
 * Offered: MAC, STATUS (link up), MRG_RXBUF, CSUM, HOST_TSO4/6, HOST_ECN
 * (the TAP takes them from the vnet header), and GUEST_CSUM, GUEST_TSO4/6,
 * GUEST_ECN as far as the back-end accepts the TUN_F_* offloads; after
 * DRIVER_OK, before any packet moves, the back-end gets the offloads the
 * driver accepted.
 *
 * Data path (net_tx.c, net_rx.c), all on the device's worker thread with
 * vdev.lock held: tx chains go to the back-end as they are (header and
 * frame, one writev); rx packets are read one at a time into a bounce
 * buffer and spread over one rx chain (or, with MRG_RXBUF, as many as it
 * needs). A readable back-end is turned into an rx notification (the
 * transport's kick), so packets move only when the transport lets the
 * device run. While the guest has no rx buffers the back-end is not
 * polled; an rx notification resumes it. A bad chain or a DMA fault drops the packet
 * (logged once); nothing the guest does stops the VMM. */
#ifndef DEVICES_VIRTIO_NET_H
#define DEVICES_VIRTIO_NET_H

#include <linux/virtio_net.h>
#include <stddef.h>

#include "devices/virtio/net_backend.h"
#include "devices/virtio/virtio.h"

#define VIRTIO_NET_QUEUE_SIZE 256u
#define VIRTIO_NET_RXQ	      0u
#define VIRTIO_NET_TXQ	      1u
/* The vnet header on both queues (VERSION_1: always num_buffers too). */
#define VIRTIO_NET_HDR_LEN ((uint32_t)sizeof(struct virtio_net_hdr_mrg_rxbuf))
/* Largest frame after the header, either way; longer ones are dropped. */
#define VIRTIO_NET_FRAME_MAX 65550u
#define VIRTIO_NET_PKT_MAX   (VIRTIO_NET_HDR_LEN + VIRTIO_NET_FRAME_MAX)
/* Most rx chains one packet may span with MRG_RXBUF (Linux posts buffers
 * of at least 1518 bytes: 44 for the largest packet). */
#define VIRTIO_NET_RX_MAX_BUFS 64u
/* Most writable iovecs the held rx chains may add up to. */
#define VIRTIO_NET_RX_MAX_IOVS (2 * VIRTQ_MAX_SEGS)

/* An rx chain popped but not yet used: its writable iovecs are
 * rx.iov[first, first + nr_iov). */
struct virtio_net_rxbuf {
	uint16_t head;
	uint16_t nr_iov;
	uint32_t first;
	uint32_t len;
};

struct virtio_net_stats {
	uint64_t rx_packets, rx_dropped;
	uint64_t tx_packets, tx_dropped;
};

struct virtio_net {
	struct virtio_dev vdev;
	struct net_backend be;
	struct virtio_net_config cfg; /* the device config space */
	bool active;		      /* DRIVER_OK seen, no reset since */
	bool be_added;		      /* be.fd is registered on vdev.worker */
	bool be_polled;		      /* ... and watched for EPOLLIN */
	unsigned offloads;	      /* TUN_F_* for the driver's features */
	bool offloads_pending;	      /* ... not yet given to the back-end */
	struct virtio_net_stats stats;

	/* rx: one packet read ahead (waiting for buffers), and the chains
	 * popped for it, valid while the address space generation is gen. */
	struct {
		uint8_t *pkt;	/* VIRTIO_NET_PKT_MAX + 1 bytes */
		size_t pkt_len; /* 0: none pending */
		struct virtio_net_rxbuf buf[VIRTIO_NET_RX_MAX_BUFS];
		unsigned nr_buf;
		struct iovec iov[VIRTIO_NET_RX_MAX_IOVS];
		unsigned nr_iov;
		uint64_t gen;
	} rx;
	struct virtq_chain chain; /* scratch for pops */
};

struct virtio_net_params {
	const char *tap;    /* TAP name */
	const uint8_t *mac; /* NULL: derived from the TAP name */
};

/* Open the TAP, fill the config space and features. Returns the device
 * (not yet attached to a transport) or NULL with a one-line reason naming
 * the TAP in err. */
struct virtio_net *virtio_net_new(const struct virtio_net_params *p, char *err, size_t errlen);

/* The same over a back-end the caller opened (tests); *be is moved into
 * the device, which closes be->fd when freed. NULL on out of memory. */
struct virtio_net *virtio_net_new_backend(const struct net_backend *be, const uint8_t mac[6]);

/* Close the back-end and free n (after its transport is gone). NULL is
 * fine. */
void virtio_net_free(struct virtio_net *n);

/* A stable, locally administered unicast MAC (52:54:00:xx:xx:xx) made
 * from seed (the TAP name). */
void virtio_net_mac_derive(const char *seed, uint8_t mac[6]);

/* The TUN_F_* offloads to ask the back-end for, given the driver's
 * features: only what the driver can take, in combinations the kernel
 * accepts (TSO needs CSUM, ECN needs TSO), and within be_offloads. */
unsigned virtio_net_offloads(uint64_t driver_features, unsigned be_offloads);

/* The feature bits offered over a back-end with be_offloads. */
uint64_t virtio_net_features(unsigned be_offloads);

/* Send every available tx chain (up to one queue's worth; then kick). */
void virtio_net_tx(struct virtio_net *n);

/* Move packets from the back-end to the rx queue until either runs dry
 * (or a budget is spent); stop polling the back-end when the queue has no
 * buffers, resume when it has. */
void virtio_net_rx(struct virtio_net *n);

/* Forget the rx state (pending packet, held chains): device reset. */
void virtio_net_rx_reset(struct virtio_net *n);

/* Watch (or stop watching) the back-end fd for EPOLLIN. */
void virtio_net_poll_backend(struct virtio_net *n, bool on);

extern const struct virtio_dev_ops virtio_net_ops;

#endif
