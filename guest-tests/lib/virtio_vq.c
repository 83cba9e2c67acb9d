// SPDX-License-Identifier: MIT
/* Split virtqueues (virtio 1.2, 2.7), driver side: the rings, the free
 * list, chains and indirect tables, notifications, used buffers. */
#include "io.h"
#include "string.h"
#include "tsc.h"
#include "virtio.h"

#define PAGE 4096u

void virtq_ring_reset(struct virtq *vq, uint16_t size)
{
	uint8_t *m = vq->ring_mem;

	memset(m, 0, 3 * PAGE);
	vq->size = size;
	vq->desc = (struct vring_desc *)m;
	vq->avail = (struct vring_avail *)(m + PAGE);
	vq->used = (struct vring_used *)(m + 2 * PAGE);
	vq->free_head = 0;
	vq->nr_free = size;
	vq->next_avail = 0;
	vq->last_used = 0;
	for (uint16_t i = 0; i < size; i++) {
		vq->next[i] = (uint16_t)(i + 1);
		vq->chain_len[i] = 0;
		vq->indirect[i] = false;
	}
}

static void publish(struct virtq *vq, uint16_t head)
{
	vq->avail->ring[vq->next_avail % vq->size] = head;
	vq->next_avail++;
	barrier(); /* the entry before the index (x86 keeps store order) */
	WRITE_ONCE(vq->avail->idx, vq->next_avail);
}

/* Take n descriptors off the free list into idx[], linked in our shadow
 * list as one chain headed by idx[0]. */
int virtq_take(struct virtq *vq, unsigned n, uint16_t *idx)
{
	if (!vq->size || !n || n > vq->nr_free)
		return -1;
	for (unsigned i = 0; i < n; i++) {
		idx[i] = vq->free_head;
		vq->free_head = vq->next[idx[i]];
		vq->iova[idx[i]] = IOVA_INVALID;
		vq->len[idx[i]] = 0;
	}
	vq->nr_free = (uint16_t)(vq->nr_free - n);
	vq->chain_len[idx[0]] = (uint16_t)n;
	vq->indirect[idx[0]] = false;
	return 0;
}

/* Fill descriptors dsc[0..n) for buffers b (mapped), linked by link[]. */
static int fill(struct virtio_pci *d, struct vring_desc *dsc, const uint16_t *link,
		const struct virtq_buf *b, unsigned nr_out, unsigned n, iova_t *iova)
{
	for (unsigned i = 0; i < n; i++) {
		bool in = i >= nr_out;

		iova[i] = virtio_dma_map(d, b[i].addr, b[i].len, in);
		if (iova[i] == IOVA_INVALID)
			return -1;
		dsc[i].addr = iova[i];
		dsc[i].len = b[i].len;
		dsc[i].flags = (uint16_t)((in ? VRING_DESC_F_WRITE : 0) |
					  (i + 1 < n ? VRING_DESC_F_NEXT : 0));
		dsc[i].next = i + 1 < n ? link[i + 1] : 0;
	}
	return 0;
}

int virtq_add(struct virtq *vq, const struct virtq_buf *b, unsigned nr_out, unsigned nr_in,
	      uint16_t *head)
{
	unsigned n = nr_out + nr_in;
	uint16_t idx[VIRTQ_MAX_SIZE];

	if (n > VIRTQ_MAX_SIZE || virtq_take(vq, n, idx))
		return -1;
	for (unsigned i = 0; i < n; i++) {
		bool in = i >= nr_out;
		iova_t a = virtio_dma_map(vq->dev, b[i].addr, b[i].len, in);

		if (a == IOVA_INVALID)
			return -1;
		vq->iova[idx[i]] = a;
		vq->len[idx[i]] = b[i].len;
		virtq_raw_desc(vq, idx[i], a, b[i].len,
			       (uint16_t)((in ? VRING_DESC_F_WRITE : 0) |
					  (i + 1 < n ? VRING_DESC_F_NEXT : 0)),
			       i + 1 < n ? idx[i + 1] : 0);
	}
	*head = idx[0];
	publish(vq, idx[0]);
	return 0;
}

struct vring_desc *virtq_indirect_table(struct virtq *vq, uint16_t i, iova_t *iova)
{
	struct vring_desc *t;

	if (!vq->tables)
		vq->tables = virtio_alloc(sizeof(*t) * VIRTQ_INDIRECT_MAX * VIRTQ_MAX_SIZE, 16);
	t = vq->tables + (size_t)i * VIRTQ_INDIRECT_MAX;
	if (iova)
		*iova = virtio_dma_map(vq->dev, t, sizeof(*t) * VIRTQ_INDIRECT_MAX, false);
	return t;
}

int virtq_add_indirect(struct virtq *vq, const struct virtq_buf *b, unsigned nr_out, unsigned nr_in,
		       uint16_t *head)
{
	static const uint16_t link[VIRTQ_INDIRECT_MAX] = {0, 1, 2, 3, 4, 5, 6, 7};
	unsigned n = nr_out + nr_in;
	iova_t iova[VIRTQ_INDIRECT_MAX], t_iova;
	struct vring_desc *t;
	uint16_t h;

	if (!n || n > VIRTQ_INDIRECT_MAX || virtq_take(vq, 1, &h))
		return -1;
	t = virtq_indirect_table(vq, h, &t_iova);
	if (t_iova == IOVA_INVALID || fill(vq->dev, t, link, b, nr_out, n, iova))
		return -1;
	vq->indirect[h] = true;
	vq->iova[h] = t_iova;
	vq->len[h] = (uint32_t)(n * sizeof(*t));
	virtq_raw_desc(vq, h, t_iova, vq->len[h], VRING_DESC_F_INDIRECT, 0);
	*head = h;
	publish(vq, h);
	return 0;
}

void virtq_kick(struct virtq *vq)
{
	__sync_synchronize(); /* avail idx visible before the notification */
	mmio_write16(vq->notify, vq->index);
}

static void unmap(struct virtq *vq, iova_t iova, uint32_t len)
{
	if (iova != IOVA_INVALID)
		vq->dev->dma->unmap(vq->dev->dma->ctx, iova, len);
}

static void free_chain(struct virtq *vq, uint16_t head)
{
	uint16_t n = vq->chain_len[head], i = head, last = head;

	if (!n)
		return;
	if (vq->indirect[head]) {
		const struct vring_desc *t = virtq_indirect_table(vq, head, NULL);

		for (unsigned k = 0; k < vq->len[head] / sizeof(*t); k++)
			unmap(vq, t[k].addr, t[k].len);
	}
	for (uint16_t k = 0; k < n; k++) {
		unmap(vq, vq->iova[i], vq->len[i]);
		last = i;
		i = vq->next[i];
	}
	vq->next[last] = vq->free_head;
	vq->free_head = head;
	vq->nr_free = (uint16_t)(vq->nr_free + n);
	vq->chain_len[head] = 0;
	vq->indirect[head] = false;
}

bool virtq_get(struct virtq *vq, uint16_t *head, uint32_t *len)
{
	struct vring_used_elem e;

	if (!vq->size || READ_ONCE(vq->used->idx) == vq->last_used)
		return false;
	barrier(); /* the index before the entry */
	e = vq->used->ring[vq->last_used % vq->size];
	vq->last_used++;
	*head = (uint16_t)e.id;
	*len = e.len;
	if (e.id < vq->size)
		free_chain(vq, (uint16_t)e.id);
	return true;
}

int virtq_wait(struct virtq *vq, uint16_t *head, uint32_t *len, uint64_t timeout_us)
{
	uint64_t end = time_us() + timeout_us;

	do {
		if (virtq_get(vq, head, len))
			return 0;
		cpu_relax();
	} while (time_us() < end);
	return -1;
}

int virtq_submit(struct virtq *vq, const struct virtq_buf *b, unsigned nr_out, unsigned nr_in,
		 uint32_t *len, uint64_t timeout_us)
{
	uint16_t head, got;

	if (virtq_add(vq, b, nr_out, nr_in, &head))
		return -1;
	virtq_kick(vq);
	if (virtq_wait(vq, &got, len, timeout_us))
		return -1;
	return got == head ? 0 : -1;
}

void virtq_raw_desc(struct virtq *vq, uint16_t i, uint64_t addr, uint32_t len, uint16_t flags,
		    uint16_t next)
{
	vq->desc[i].addr = addr;
	vq->desc[i].len = len;
	vq->desc[i].flags = flags;
	vq->desc[i].next = next;
}

void virtq_raw_publish(struct virtq *vq, uint16_t head)
{
	publish(vq, head);
}

int virtq_raw_chain(struct virtq *vq, const struct vring_desc *t, unsigned n, uint16_t *head)
{
	uint16_t idx[VIRTQ_RAW_CHAIN_MAX];

	if (n > VIRTQ_RAW_CHAIN_MAX || virtq_take(vq, n, idx))
		return -1;
	for (unsigned k = 0; k < n; k++) {
		uint16_t next = t[k].next;

		if ((t[k].flags & VRING_DESC_F_NEXT) && next < n)
			next = idx[next];
		virtq_raw_desc(vq, idx[k], t[k].addr, t[k].len, t[k].flags, next);
	}
	*head = idx[0];
	publish(vq, idx[0]);
	return 0;
}
