// SPDX-License-Identifier: MIT
/* The split virtqueue: ring access, enable, pop, push, notification.
 * See queue.h for the error contract. Ring layout (spec 2.7):
 *   desc:  struct vring_desc[size]
 *   avail: flags, idx, ring[size], used_event   (u16 each)
 *   used:  flags, idx, {u32 id, u32 len}[size], avail_event (u16) */
#include "devices/virtio/queue.h"

#include <endian.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "vmm/log.h"

enum virtq_ring { VQ_DESC, VQ_AVAIL, VQ_USED };

#define VQ_RESOLVE_CHUNK KiB(4)

/* Offsets into the rings, from <linux/virtio_ring.h>'s layout. AVAIL_RING(size)
 * is used_event, USED_RING(size) avail_event. */
#define AVAIL_FLAGS   offsetof(struct vring_avail, flags)
#define AVAIL_IDX     offsetof(struct vring_avail, idx)
#define AVAIL_RING(i) (offsetof(struct vring_avail, ring) + sizeof(__virtio16) * (uint64_t)(i))
#define USED_IDX      offsetof(struct vring_used, idx)
#define USED_RING(i)                                                                               \
	(offsetof(struct vring_used, ring) + sizeof(struct vring_used_elem) * (uint64_t)(i))

void virtq_init(struct virtq *vq, struct dma_as *as)
{
	memset(vq, 0, sizeof(*vq));
	vq->as = as;
}

void virtq_reset(struct virtq *vq)
{
	virtq_init(vq, vq->as);
}

void virtq_set_features(struct virtq *vq, uint64_t features)
{
	vq->event_idx = features & BIT_ULL(VIRTIO_RING_F_EVENT_IDX);
	vq->indirect = features & BIT_ULL(VIRTIO_RING_F_INDIRECT_DESC);
}

static int virtq_break(struct virtq *vq, const char *why)
{
	if (!vq->broken)
		log_guest_limited(8, "virtq: %s: queue needs reset", why);
	vq->broken = true;
	return -EIO;
}

/* Check that every byte of [base, base+len) maps for access; *host is the
 * host address when the range is host-contiguous, else NULL. The walk goes
 * in chunks of at most 4 KiB, so len bounds it (a ring is <= 512 KiB). */
static int virtq_ring_resolve(struct dma_as *as, iova_t base, uint64_t len, unsigned access,
			      uint8_t **host)
{
	uint8_t *start = NULL, *next = NULL;
	bool contig = true;

	if (range_wraps(base.a, len))
		return -EFAULT;
	for (uint64_t off = 0; off < len;) {
		uint64_t a = base.a + off;
		uint64_t chunk = MIN(len - off, VQ_RESOLVE_CHUNK - (a & (VQ_RESOLVE_CHUNK - 1)));
		struct iovec iov[DMA_MAX_SEGS];
		int n = dma_map(as, iova(a), chunk, access, iov, DMA_MAX_SEGS);

		if (n <= 0)
			return -EFAULT;
		for (int i = 0; i < n; i++) {
			if (!start)
				start = iov[i].iov_base;
			else if ((uint8_t *)iov[i].iov_base != next)
				contig = false;
			next = (uint8_t *)iov[i].iov_base + iov[i].iov_len;
		}
		off += chunk;
	}
	*host = contig ? start : NULL;
	return 0;
}

/* Re-translate the rings when the address space generation moved. */
static int virtq_refresh(struct virtq *vq)
{
	uint64_t gen = dma_as_gen(vq->as);

	if (vq->cached && vq->gen == gen)
		return 0;
	vq->cached = false;
	if (virtq_ring_resolve(vq->as, vq->desc, VIRTQ_DESC_BYTES(vq->size), DMA_ACCESS_READ,
			       &vq->desc_host) ||
	    virtq_ring_resolve(vq->as, vq->avail, VIRTQ_AVAIL_BYTES(vq->size), DMA_ACCESS_READ,
			       &vq->avail_host) ||
	    virtq_ring_resolve(vq->as, vq->used, VIRTQ_USED_BYTES(vq->size), DMA_ACCESS_WRITE,
			       &vq->used_host))
		return -EFAULT;
	vq->gen = gen;
	vq->cached = true;
	return 0;
}

/* Host pointer to [off, off+len) of a ring, current for the address space
 * generation; NULL on a fault. len <= 16 and naturally aligned in the ring,
 * so the range never crosses a page of the ring (a translation boundary). */
static void *virtq_ptr(struct virtq *vq, enum virtq_ring ring, uint64_t off, uint64_t len,
		       unsigned access)
{
	static const unsigned perm[] = {DMA_ACCESS_READ, DMA_ACCESS_READ, DMA_ACCESS_WRITE};
	struct iovec iov;
	uint8_t *host;
	iova_t base;

	if ((access & ~perm[ring]) || virtq_refresh(vq))
		return NULL;
	host = ring == VQ_DESC ? vq->desc_host : ring == VQ_AVAIL ? vq->avail_host : vq->used_host;
	if (host)
		return host + off;
	base = ring == VQ_DESC ? vq->desc : ring == VQ_AVAIL ? vq->avail : vq->used;
	if (dma_map(vq->as, iova(base.a + off), len, access, &iov, 1) != 1)
		return NULL;
	return iov.iov_base;
}

static int virtq_load16(struct virtq *vq, enum virtq_ring ring, uint64_t off, uint16_t *v)
{
	uint16_t *p = virtq_ptr(vq, ring, off, 2, DMA_ACCESS_READ);

	if (!p)
		return -EFAULT;
	*v = le16toh(__atomic_load_n(p, __ATOMIC_RELAXED));
	return 0;
}

static int virtq_store16(struct virtq *vq, enum virtq_ring ring, uint64_t off, uint16_t v,
			 int order)
{
	uint16_t *p = virtq_ptr(vq, ring, off, 2, DMA_ACCESS_WRITE);

	if (!p)
		return -EFAULT;
	__atomic_store_n(p, htole16(v), order);
	return 0;
}

int virtq_enable(struct virtq *vq)
{
	uint16_t n = vq->size;

	vq->ready = false;
	if (!vq->as || !n || n > VIRTQ_MAX_SIZE || (n & (n - 1)))
		return -EINVAL;
	if ((vq->desc.a & (VRING_DESC_ALIGN_SIZE - 1)) ||
	    (vq->avail.a & (VRING_AVAIL_ALIGN_SIZE - 1)) ||
	    (vq->used.a & (VRING_USED_ALIGN_SIZE - 1)))
		return -EINVAL;
	vq->broken = false;
	vq->cached = false;
	vq->last_avail_idx = 0;
	vq->used_idx = 0;
	vq->signalled_used = 0;
	vq->signalled_valid = false;
	if (virtq_refresh(vq))
		return -EFAULT;
	vq->ready = true;
	return 0;
}

/* Read descriptor i of the queue's table (i < size) into *d. */
static int virtq_desc_read(struct virtq *vq, unsigned i, struct vring_desc *d)
{
	const void *p = virtq_ptr(vq, VQ_DESC, VIRTQ_DESC_BYTES(i), sizeof(*d), DMA_ACCESS_READ);

	if (!p)
		return -EFAULT;
	memcpy(d, p, sizeof(*d)); /* one copy: the guest may change it */
	return 0;
}

/* Where the walk is: the queue's table, or an indirect table. */
struct virtq_walk {
	bool in_table;
	iova_t table;	/* indirect table address */
	unsigned n;	/* entries of the current table */
	unsigned steps; /* descriptors read from the current table */
	bool writable;	/* a writable descriptor was seen */
};

/* Add one buffer to the chain. 0, -EFAULT (a DMA fault or too many
 * segments: the chain is consumed) or -EIO (malformed: the queue breaks). */
static int virtq_chain_add(struct virtq *vq, struct virtq_chain *c, struct virtq_walk *w,
			   const struct vring_desc *d)
{
	bool wr = le16toh(d->flags) & VRING_DESC_F_WRITE;
	uint32_t len = le32toh(d->len);
	unsigned used = c->nr_rd + c->nr_wr;
	int n;

	if (!wr && w->writable)
		return virtq_break(vq, "readable descriptor after a writable one");
	w->writable |= wr;
	if (!len)
		return 0; /* zero-length: skipped (see queue.h) */
	if ((uint64_t)c->rd_len + c->wr_len + len > UINT32_MAX)
		return virtq_break(vq, "chain longer than 4 GiB");
	if (used == VIRTQ_MAX_SEGS)
		return -EFAULT;
	n = dma_map(vq->as, iova(le64toh(d->addr)), len, wr ? DMA_ACCESS_WRITE : DMA_ACCESS_READ,
		    c->iov + used, VIRTQ_MAX_SEGS - used);
	if (n < 0)
		return -EFAULT;
	if (wr) {
		c->nr_wr += n;
		c->wr_len += len;
	} else {
		c->nr_rd += n;
		c->rd_len += len;
	}
	return 0;
}

/* Enter the indirect table that d describes. 0 or -EIO. */
static int virtq_walk_indirect(struct virtq *vq, struct virtq_walk *w, const struct vring_desc *d)
{
	uint16_t flags = le16toh(d->flags);
	uint32_t len = le32toh(d->len);

	if (!vq->indirect)
		return virtq_break(vq, "indirect descriptor without the feature");
	if (w->in_table)
		return virtq_break(vq, "indirect table inside an indirect table");
	if (flags & VRING_DESC_F_NEXT)
		return virtq_break(vq, "indirect descriptor with NEXT");
	if (!len || len % sizeof(*d) || len / sizeof(*d) > VIRTQ_MAX_INDIRECT)
		return virtq_break(vq, "bad indirect table length");
	w->in_table = true;
	w->table = iova(le64toh(d->addr));
	w->n = len / sizeof(*d);
	w->steps = 0;
	return 0;
}

/* Walk the chain from head. Bounded: at most size descriptors of the
 * queue's table, then at most n of one indirect table. */
static int virtq_walk(struct virtq *vq, uint16_t head, struct virtq_chain *c)
{
	struct virtq_walk w = {.n = vq->size};
	unsigned i = head;
	int ret;

	c->head = head;
	c->nr_rd = c->nr_wr = 0;
	c->rd_len = c->wr_len = 0;
	for (;;) {
		struct vring_desc d;
		uint16_t flags;

		if (w.steps++ == w.n)
			return virtq_break(vq, "descriptor loop");
		if (!w.in_table && virtq_desc_read(vq, i, &d))
			return virtq_break(vq, "descriptor table fault");
		if (w.in_table && dma_read(vq->as, iova(w.table.a + i * sizeof(d)), &d, sizeof(d)))
			return -EFAULT;
		flags = le16toh(d.flags);
		if (flags & VRING_DESC_F_INDIRECT) {
			ret = virtq_walk_indirect(vq, &w, &d);
			i = 0;
		} else {
			ret = virtq_chain_add(vq, c, &w, &d);
			if (!ret && !(flags & VRING_DESC_F_NEXT))
				return 1;
			i = le16toh(d.next);
			if (!ret && i >= w.n)
				return virtq_break(vq, "next index out of range");
		}
		if (ret)
			return ret;
	}
}

/* Read avail->idx; with EVENT_IDX and an empty ring, publish avail_event
 * and look again (the driver may have added an entry before seeing it). */
static int virtq_avail_idx(struct virtq *vq, uint16_t *idx)
{
	if (virtq_load16(vq, VQ_AVAIL, AVAIL_IDX, idx))
		return -EFAULT;
	if (*idx != vq->last_avail_idx || !vq->event_idx)
		return 0;
	if (virtq_store16(vq, VQ_USED, USED_RING(vq->size), vq->last_avail_idx, __ATOMIC_RELAXED))
		return -EFAULT;
	atomic_thread_fence(memory_order_seq_cst);
	return virtq_load16(vq, VQ_AVAIL, AVAIL_IDX, idx);
}

int virtq_pop(struct virtq *vq, struct virtq_chain *c)
{
	uint16_t idx, head;

	if (!vq->ready || vq->broken)
		return -EIO;
	if (virtq_avail_idx(vq, &idx))
		return virtq_break(vq, "avail ring fault");
	if (idx == vq->last_avail_idx)
		return 0;
	if ((uint16_t)(idx - vq->last_avail_idx) > vq->size)
		return virtq_break(vq, "avail idx moved by more than the size");
	/* The ring entries and descriptors after the index. */
	atomic_thread_fence(memory_order_acquire);
	if (virtq_load16(vq, VQ_AVAIL, AVAIL_RING(vq->last_avail_idx & (vq->size - 1)), &head))
		return virtq_break(vq, "avail ring fault");
	if (head >= vq->size)
		return virtq_break(vq, "head index out of range");
	vq->last_avail_idx++;
	if (vq->event_idx &&
	    virtq_store16(vq, VQ_USED, USED_RING(vq->size), vq->last_avail_idx, __ATOMIC_RELAXED))
		return virtq_break(vq, "used ring fault");
	return virtq_walk(vq, head, c);
}

int virtq_rewalk(struct virtq *vq, uint16_t head, struct virtq_chain *c)
{
	if (!vq->ready || vq->broken)
		return -EIO;
	if (head >= vq->size)
		return virtq_break(vq, "head index out of range");
	return virtq_walk(vq, head, c);
}

int virtq_push_batch(struct virtq *vq, const struct vring_used_elem *el, unsigned n)
{
	if (!vq->ready || vq->broken || n > vq->size)
		return -EIO;
	for (unsigned i = 0; i < n; i++) {
		/* id and len apart: an element may straddle a page of the ring. */
		uint64_t off = USED_RING((uint16_t)(vq->used_idx + i) & (vq->size - 1));
		uint32_t *id = virtq_ptr(vq, VQ_USED, off, 4, DMA_ACCESS_WRITE);
		uint32_t *len = virtq_ptr(vq, VQ_USED, off + 4, 4, DMA_ACCESS_WRITE);

		if (el[i].id >= vq->size)
			return -EIO;
		if (!id || !len)
			return virtq_break(vq, "used ring fault");
		__atomic_store_n(id, htole32(el[i].id), __ATOMIC_RELAXED);
		__atomic_store_n(len, htole32(el[i].len), __ATOMIC_RELAXED);
	}
	/* The elements before the index that publishes them all (release). */
	if (virtq_store16(vq, VQ_USED, USED_IDX, vq->used_idx + n, __ATOMIC_RELEASE))
		return virtq_break(vq, "used ring fault");
	vq->used_idx += n;
	return 0;
}

int virtq_push(struct virtq *vq, uint16_t head, uint32_t len)
{
	const struct vring_used_elem el = {.id = head, .len = len};

	return virtq_push_batch(vq, &el, 1);
}

bool virtq_should_notify(struct virtq *vq)
{
	uint16_t old = vq->signalled_used, v;
	bool valid = vq->signalled_valid;

	if (!vq->ready || vq->broken)
		return false;
	/* The used index store before the driver's flags / used_event. */
	atomic_thread_fence(memory_order_seq_cst);
	if (!vq->event_idx) {
		if (virtq_load16(vq, VQ_AVAIL, AVAIL_FLAGS, &v)) {
			virtq_break(vq, "avail ring fault");
			return false;
		}
		return !(v & VRING_AVAIL_F_NO_INTERRUPT);
	}
	vq->signalled_used = vq->used_idx;
	vq->signalled_valid = true;
	if (virtq_load16(vq, VQ_AVAIL, AVAIL_RING(vq->size), &v)) {
		virtq_break(vq, "avail ring fault");
		return false;
	}
	return !valid || vring_need_event(v, vq->used_idx, old);
}

/* One ring field for virtq_describe(): its value, or "?" when it faults. */
static const char *describe16(struct virtq *vq, enum virtq_ring ring, uint64_t off, char *tmp,
			      size_t len)
{
	/* The used ring is the device's to write: asked for as such. */
	uint16_t *p =
		virtq_ptr(vq, ring, off, 2, ring == VQ_USED ? DMA_ACCESS_WRITE : DMA_ACCESS_READ);

	if (!p)
		return "?";
	snprintf(tmp, len, "%u", le16toh(__atomic_load_n(p, __ATOMIC_RELAXED)));
	return tmp;
}

void virtq_describe(struct virtq *vq, char *buf, size_t len)
{
	char f[8], i[8], ue[8], ui[8], ae[8];

	if (!vq->ready) {
		snprintf(buf, len, "not ready");
		return;
	}
	snprintf(buf, len,
		 "size %u%s%s last_avail %u used %u signalled %u | driver: avail.flags %s "
		 "avail.idx %s used_event %s | device: used.idx %s avail_event %s",
		 vq->size, vq->broken ? " broken" : "", vq->event_idx ? " event_idx" : "",
		 vq->last_avail_idx, vq->used_idx, vq->signalled_used,
		 describe16(vq, VQ_AVAIL, AVAIL_FLAGS, f, sizeof(f)),
		 describe16(vq, VQ_AVAIL, AVAIL_IDX, i, sizeof(i)),
		 describe16(vq, VQ_AVAIL, AVAIL_RING(vq->size), ue, sizeof(ue)),
		 describe16(vq, VQ_USED, USED_IDX, ui, sizeof(ui)),
		 describe16(vq, VQ_USED, USED_RING(vq->size), ae, sizeof(ae)));
}
