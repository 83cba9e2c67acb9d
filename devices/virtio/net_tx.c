// SPDX-License-Identifier: MIT
/* virtio-net transmit: tx chains to the back-end. */
#include "devices/virtio/net.h"

#include <string.h>

#include "vmm/log.h"

/* Send one chain: the vnet header and the frame go out in one writev, so
 * the host stack does the checksum and segmentation the header asks for. */
static void net_tx_send(struct virtio_net *n, struct virtq_chain *c)
{
	ssize_t r;

	if (c->rd_len < VIRTIO_NET_HDR_LEN || c->rd_len > VIRTIO_NET_PKT_MAX) {
		log_guest_once("virtio-net: %s: tx chain of %u bytes dropped "
			       "(header %u, at most %u bytes)",
			       n->be.name, c->rd_len, VIRTIO_NET_HDR_LEN, VIRTIO_NET_PKT_MAX);
		n->stats.tx_dropped++;
		return;
	}
	/* Writable descriptors on a tx chain carry nothing: ignored. */
	r = n->be.ops->send(&n->be, virtq_chain_rd(c), (int)c->nr_rd);
	if (r < 0) {
		log_guest_once("virtio-net: %s: tx packet dropped: %s", n->be.name,
			       strerror((int)-r));
		n->stats.tx_dropped++;
		return;
	}
	n->stats.tx_packets++;
}

void virtio_net_tx(struct virtio_net *n)
{
	struct virtio_dev *vdev = &n->vdev;
	unsigned budget = vdev->vq[VIRTIO_NET_TXQ].size;
	bool pushed = false;
	unsigned i;

	for (i = 0; i < budget; i++) {
		int ret = virtio_queue_pop(vdev, VIRTIO_NET_TXQ, &n->chain);

		if (ret != 1 && ret != -EFAULT)
			break; /* empty, or broken (the transport knows) */
		if (ret == 1) {
			net_tx_send(n, &n->chain);
		} else {
			log_guest_once("virtio-net: %s: tx buffer fault; packet dropped",
				       n->be.name);
			n->stats.tx_dropped++;
		}
		if (virtio_queue_push(vdev, VIRTIO_NET_TXQ, n->chain.head, 0))
			return;
		pushed = true;
	}
	/* One queue's worth at a time: let other fds have their turn. */
	if (i == budget)
		vdev->t->kick(vdev, VIRTIO_NET_TXQ);
	if (pushed)
		virtio_queue_signal(vdev, VIRTIO_NET_TXQ);
}
