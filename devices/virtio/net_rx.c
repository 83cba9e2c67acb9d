// SPDX-License-Identifier: MIT
/* virtio-net receive: packets from the back-end to rx chains.
 *
 * One packet is read ahead into a bounce buffer; rx chains are popped as
 * the packet needs them and held (their writable iovecs copied into a
 * pool) until it is complete, so a packet waiting for buffers loses
 * nothing. Held chains' translations are trusted only while the address
 * space generation is unchanged; after an invalidation they are translated
 * again from their descriptors. */
#include "devices/virtio/net.h"

#include <endian.h>
#include <string.h>

#include "vmm/iovec.h"
#include "vmm/log.h"

#define RXQ VIRTIO_NET_RXQ

/* Complete a chain we cannot use with length 0. 0 or -EIO. */
static int net_rx_return(struct virtio_net *n, uint16_t head, bool *pushed)
{
	*pushed = true;
	return virtio_queue_push(&n->vdev, RXQ, head, 0);
}

/* Drop the first nr held chains (used or returned). */
static void net_rx_forget(struct virtio_net *n, unsigned nr)
{
	unsigned first;

	if (nr >= n->rx.nr_buf) {
		n->rx.nr_buf = n->rx.nr_iov = 0;
		return;
	}
	first = n->rx.buf[nr].first;
	memmove(n->rx.buf, n->rx.buf + nr, (n->rx.nr_buf - nr) * sizeof(n->rx.buf[0]));
	n->rx.nr_buf -= nr;
	memmove(n->rx.iov, n->rx.iov + first, (n->rx.nr_iov - first) * sizeof(struct iovec));
	n->rx.nr_iov -= first;
	for (unsigned i = 0; i < n->rx.nr_buf; i++)
		n->rx.buf[i].first -= first;
}

/* Whether the pool has room to hold chain c. */
static bool net_rx_room(const struct virtio_net *n, const struct virtq_chain *c)
{
	return n->rx.nr_buf < VIRTIO_NET_RX_MAX_BUFS &&
	       n->rx.nr_iov + c->nr_wr <= VIRTIO_NET_RX_MAX_IOVS;
}

/* Hold chain c (its writable iovecs go to the pool); net_rx_room() said
 * there is room. */
static void net_rx_keep(struct virtio_net *n, const struct virtq_chain *c)
{
	n->rx.buf[n->rx.nr_buf++] =
		(struct virtio_net_rxbuf){c->head, (uint16_t)c->nr_wr, n->rx.nr_iov, c->wr_len};
	memcpy(n->rx.iov + n->rx.nr_iov, c->iov + c->nr_rd, c->nr_wr * sizeof(struct iovec));
	n->rx.nr_iov += c->nr_wr;
}

/* Held chains were translated under an older address space generation:
 * some invalidation came since (in strict mode, every tx completion's
 * UNMAP). Translate each again from its descriptors; only a chain that
 * now faults (the driver unmapped a buffer it had given the device) is
 * completed empty. 0 or -EIO. */
static int net_rx_refresh(struct virtio_net *n, bool *pushed)
{
	struct virtio_net_rxbuf old[VIRTIO_NET_RX_MAX_BUFS];
	uint64_t gen = dma_as_gen(n->vdev.as);
	unsigned nr = n->rx.nr_buf;

	if (!nr || n->rx.gen == gen)
		return 0;
	memcpy(old, n->rx.buf, nr * sizeof(old[0]));
	n->rx.nr_buf = n->rx.nr_iov = 0;
	n->rx.gen = gen; /* taken before the walks: a later change is seen next time */
	for (unsigned i = 0; i < nr; i++) {
		int ret = virtio_queue_rewalk(&n->vdev, RXQ, old[i].head, &n->chain);

		if (ret == -EIO)
			return ret;
		if (ret == 1 && n->chain.wr_len >= VIRTIO_NET_HDR_LEN &&
		    net_rx_room(n, &n->chain)) {
			net_rx_keep(n, &n->chain);
			continue;
		}
		log_guest_once("virtio-net: %s: a held rx chain %s after an invalidation; "
			       "completed empty",
			       n->be.name, ret == 1 ? "changed" : "faults");
		if (net_rx_return(n, old[i].head, pushed))
			return -EIO;
	}
	return 0;
}

/* Pop one more rx chain and hold it. Chains that fault or cannot hold a
 * header are completed empty, at most a queue's worth per call. 1 (held),
 * 0 (the ring is empty), -ENOSPC (nowhere to hold it), -EBUSY (that many
 * bad chains: call again later), -EIO (broken). */
static int net_rx_hold(struct virtio_net *n, bool *pushed)
{
	struct virtq_chain *c = &n->chain;
	unsigned size = n->vdev.vq[RXQ].size;

	for (unsigned tries = 0; tries < size; tries++) {
		uint64_t gen = dma_as_gen(n->vdev.as);
		int ret;

		/* Holding the whole ring, the driver cannot add any more. */
		if (n->rx.nr_buf == VIRTIO_NET_RX_MAX_BUFS || n->rx.nr_buf >= size ||
		    n->rx.nr_iov + VIRTQ_MAX_SEGS > VIRTIO_NET_RX_MAX_IOVS)
			return -ENOSPC;
		ret = virtio_queue_pop(&n->vdev, RXQ, c);
		if (ret == 0 || ret == -EIO)
			return ret;
		if (ret == -EFAULT || c->wr_len < VIRTIO_NET_HDR_LEN) {
			log_guest_once("virtio-net: %s: rx chain %s; completed empty", n->be.name,
				       ret ? "faults" : "has no room for a header");
			if (net_rx_return(n, c->head, pushed))
				return -EIO;
			continue;
		}
		if (!n->rx.nr_buf)
			n->rx.gen = gen;
		net_rx_keep(n, c); /* the check above left room for any chain */
		return 1;
	}
	return -EBUSY;
}

/* Give the driver the nbuf used elements of one packet. The driver reads
 * num_buffers and expects every one of them in the used ring already, so
 * they appear with one used index update. */
static int net_rx_publish(struct virtio_net *n, const struct vring_used_elem *e, unsigned nbuf)
{
	return virtio_queue_push_batch(&n->vdev, RXQ, e, nbuf) ? -EIO : 0;
}

/* Copy the pending packet into the first nbuf held chains, num_buffers in
 * its header, and complete them. 0 or -EIO. */
static int net_rx_fill(struct virtio_net *n, unsigned nbuf, bool *pushed)
{
	struct virtio_net_hdr_mrg_rxbuf *hdr = (void *)n->rx.pkt;
	struct vring_used_elem used[VIRTIO_NET_RX_MAX_BUFS];
	size_t off = 0;

	hdr->num_buffers = htole16((uint16_t)nbuf);
	for (unsigned i = 0; i < nbuf; i++) {
		struct virtio_net_rxbuf *b = &n->rx.buf[i];
		size_t len = MIN((size_t)b->len, n->rx.pkt_len - off);

		iov_from_buf(n->rx.iov + b->first, b->nr_iov, 0, n->rx.pkt + off, len);
		off += len;
		used[i] = (struct vring_used_elem){b->head, (uint32_t)len};
	}
	*pushed = true;
	if (net_rx_publish(n, used, nbuf))
		return -EIO;
	net_rx_forget(n, nbuf);
	n->stats.rx_packets++;
	return 0;
}

static void net_rx_drop(struct virtio_net *n)
{
	n->rx.pkt_len = 0;
	n->stats.rx_dropped++;
}

/* Place the pending packet. 1 (placed, or dropped), 0 (waiting for rx
 * buffers), -EBUSY (budget spent on bad chains), -EIO (broken queue). */
static int net_rx_place(struct virtio_net *n, bool *pushed)
{
	bool mrg = virtio_has_feature(&n->vdev, VIRTIO_NET_F_MRG_RXBUF);
	unsigned want = mrg ? VIRTIO_NET_RX_MAX_BUFS : 1;
	unsigned nbuf = 0;
	size_t cover = 0;

	if (net_rx_refresh(n, pushed))
		return -EIO;
	/* Bounded: every pass holds one more chain, or returns. */
	for (;;) {
		int ret;

		while (nbuf < n->rx.nr_buf && nbuf < want && cover < n->rx.pkt_len)
			cover += n->rx.buf[nbuf++].len;
		if (cover >= n->rx.pkt_len || nbuf == want)
			break;
		ret = net_rx_hold(n, pushed);
		if (ret == -ENOSPC)
			break;
		if (ret <= 0)
			return ret;
	}
	if (cover < n->rx.pkt_len) {
		/* The held chains stay for the next packet. */
		log_guest_once("virtio-net: %s: rx packet of %zu bytes dropped: %s", n->be.name,
			       n->rx.pkt_len, mrg ? "needs too many buffers" : "buffer too small");
		net_rx_drop(n);
		return 1;
	}
	if (net_rx_fill(n, nbuf, pushed))
		return -EIO;
	n->rx.pkt_len = 0;
	return 1;
}

/* Read the next packet into the bounce buffer. 1 (read, or a bad one
 * dropped), 0 (none), -errno (the back-end failed). */
static int net_rx_read(struct virtio_net *n)
{
	struct iovec iov = {n->rx.pkt, VIRTIO_NET_PKT_MAX + 1};
	ssize_t r = n->be.ops->recv(&n->be, &iov, 1);

	if (r == -EAGAIN || r == 0)
		return 0;
	if (r < 0) {
		log_guest_once("virtio-net: %s: rx: %s", n->be.name, strerror((int)-r));
		return (int)r;
	}
	if ((size_t)r < VIRTIO_NET_HDR_LEN || (size_t)r > VIRTIO_NET_PKT_MAX) {
		log_guest_once("virtio-net: %s: rx packet of %zd bytes dropped", n->be.name, r);
		n->stats.rx_dropped++;
		return 1;
	}
	n->rx.pkt_len = (size_t)r;
	return 1;
}

void virtio_net_rx(struct virtio_net *n)
{
	unsigned budget = n->vdev.vq[RXQ].size;
	bool pushed = false;

	/* Level-triggered: when the budget runs out with packets left, the
	 * worker calls again. */
	for (unsigned i = 0; i < budget; i++) {
		int ret = 0;

		if (!n->rx.pkt_len)
			ret = net_rx_read(n);
		if (ret < 0) {
			virtio_net_poll_backend(n, false); /* until an rx kick */
			break;
		}
		if (!n->rx.pkt_len) {
			if (ret == 0)
				break; /* the back-end is empty */
			continue;
		}
		ret = net_rx_place(n, &pushed);
		if (ret == -EBUSY) {
			n->vdev.t->kick(&n->vdev, RXQ); /* the ring may hold more */
			break;
		}
		if (ret == 0) {
			virtio_net_poll_backend(n, false); /* no rx buffers */
			break;
		}
		if (ret < 0) {
			net_rx_drop(n);
			virtio_net_poll_backend(n, false);
			break;
		}
	}
	if (pushed)
		virtio_queue_signal(&n->vdev, RXQ);
}

void virtio_net_rx_reset(struct virtio_net *n)
{
	n->rx.pkt_len = 0;
	n->rx.nr_buf = n->rx.nr_iov = 0;
}
