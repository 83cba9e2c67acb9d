/* SPDX-License-Identifier: MIT */
/* The packet back-end of a virtio-net device: a TAP (devices/virtio/tap.c)
 * in the VMM, a socketpair in the unit tests.
 *
 * Every packet, in both directions, starts with a 12-byte
 * struct virtio_net_hdr_mrg_rxbuf (the virtio 1.x header): the back-end
 * does the checksum and segmentation offloads the header asks for. One
 * recv() returns exactly one packet, one send() takes exactly one. The fd
 * is non-blocking and is what the device's worker polls for EPOLLIN. */
#ifndef DEVICES_VIRTIO_NET_BACKEND_H
#define DEVICES_VIRTIO_NET_BACKEND_H

#include <net/if.h>
#include <sys/types.h>
#include <sys/uio.h>

struct net_backend;

struct net_backend_ops {
	/* Read one packet (header first) into iov. Bytes read (the packet is
	 * truncated to the iovecs), -EAGAIN when there is none, or -errno. */
	ssize_t (*recv)(struct net_backend *be, const struct iovec *iov, int n);
	/* Send one packet (header first). Bytes sent or -errno. */
	ssize_t (*send)(struct net_backend *be, const struct iovec *iov, int n);
	/* Let the back-end hand us packets with these TUN_F_* offloads
	 * (partial checksums, TSO). 0 or -errno. */
	int (*set_offload)(struct net_backend *be, unsigned tun_flags);
};

struct net_backend {
	const struct net_backend_ops *ops;
	void *opaque;	     /* for the ops (tests) */
	int fd;		     /* polled for EPOLLIN; -1 when closed */
	unsigned offloads;   /* TUN_F_* that set_offload accepts */
	char name[IFNAMSIZ]; /* for messages */
};

#endif
