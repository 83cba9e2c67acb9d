/* SPDX-License-Identifier: MIT */
/* The reference queue of tests/fuzz/fuzz_virtqueue.c, written from the
 * contract in devices/virtio/queue.h and iommu/dma.h: the rings read and
 * written through the translation, a chain walked, popped and pushed, the
 * notification decision and the queue enabled, each predicting what the
 * queue's call returns. */
#ifndef TESTS_FUZZ_VIRTQUEUE_REF_H
#define TESTS_FUZZ_VIRTQUEUE_REF_H

#include "tests/fuzz/virtqueue_xlate.h"

/* ---- the reference queue ---- */

static uint64_t ring_bytes(enum ring r)
{
	return r == R_DESC    ? VIRTQ_DESC_BYTES(F.size)
	       : r == R_AVAIL ? VIRTQ_AVAIL_BYTES(F.size)
			      : VIRTQ_USED_BYTES(F.size);
}

static unsigned ring_access(enum ring r)
{
	return r == R_USED ? DMA_ACCESS_WRITE : DMA_ACCESS_READ;
}

/* Every byte of the three rings maps to RAM with its access, resolved in
 * chunks within 4 KiB pages, once per address space generation. */
static bool ref_rings(void)
{
	uint64_t gen = dma_as_gen(&F.as);

	if (F.cached && F.gen == gen)
		return true;
	F.cached = false;
	for (enum ring r = R_DESC; r <= R_USED; r++) {
		uint64_t base = F.ring[r], len = ring_bytes(r);

		if (range_wraps(base, len))
			return false;
		for (uint64_t off = 0; off < len;) {
			uint64_t chunk = MIN(len - off, VFX_PAGE - ((base + off) & (VFX_PAGE - 1)));

			if (ref_map(base + off, chunk, ring_access(r), NULL, DMA_MAX_SEGS) <= 0)
				return false;
			off += chunk;
		}
	}
	F.cached = true;
	F.gen = gen;
	return true;
}

/* Snapshot RAM before a call into the queue (and the reference). */
static void snap(void)
{
	memcpy(F.snap[0], F.ram.mem.r[0].host, VFX_RAM);
	memcpy(F.snap[1], F.ram.mem.r[1].host, VFX_RAM);
}

/* The reference reads and writes the snapshot, RAM as it was before the
 * call (the queue's own stores may land where it read before them): the
 * snapshot's copy of RAM byte p. */
static uint8_t *snap_of(void *p)
{
	for (int r = 0; r < 2; r++)
		if ((uint8_t *)p >= F.ram.mem.r[r].host &&
		    (uint8_t *)p < F.ram.mem.r[r].host + VFX_RAM)
			return F.snap[r] + ((uint8_t *)p - F.ram.mem.r[r].host);
	return NULL;
}

/* [off, off + len) of ring r in the snapshot, when the rings are RAM. */
static uint8_t *ref_ring_ptr(enum ring r, uint64_t off, uint64_t len)
{
	uint8_t *p = ref_rings() ? drv_ptr(F.ring[r] + off, len) : NULL;

	return p ? snap_of(p) : NULL;
}

static bool ref_load16(enum ring r, uint64_t off, uint16_t *v)
{
	uint8_t *p = ref_ring_ptr(r, off, 2);

	if (p)
		*v = le16toh(*(uint16_t *)p);
	return p;
}

/* The device's store, done ahead of it (it stores the same value). */
static bool ref_store16(enum ring r, uint64_t off, uint16_t v)
{
	uint8_t *p = ref_ring_ptr(r, off, 2);

	if (p)
		*(uint16_t *)p = htole16(v);
	return p;
}

static int ref_break(void)
{
	F.broken = true;
	return -EIO;
}

#define AVAIL_EVENT (4 + 8 * (uint64_t)F.size)
#define USED_EVENT  (4 + 2 * (uint64_t)F.size)

/* The walk queue.h describes: at most size descriptors of the table, then
 * at most n of one indirect table. */
static int ref_walk(uint16_t head, struct virtq_chain *c)
{
	unsigned i = head, steps = 0, n = F.size;
	bool in_table = false, writable = false;
	uint64_t table = 0;

	c->head = head;
	c->nr_rd = c->nr_wr = c->rd_len = c->wr_len = 0;
	for (;;) {
		struct vring_desc d;
		uint16_t flags;
		uint32_t len;
		uint64_t addr;
		bool wr;
		int got;

		if (steps++ == n)
			return ref_break(); /* a loop */
		if (!in_table) {
			const uint8_t *p = ref_ring_ptr(R_DESC, 16ull * i, 16);

			if (!p)
				return ref_break();
			memcpy(&d, p, 16);
		} else {
			struct iovec iov[2];

			got = ref_map(table + 16ull * i, 16, DMA_ACCESS_READ, iov, 2);
			if (got < 0)
				return -EFAULT;
			memcpy(&d, snap_of(iov[0].iov_base), iov[0].iov_len);
			if (got == 2)
				memcpy((uint8_t *)&d + iov[0].iov_len, snap_of(iov[1].iov_base),
				       iov[1].iov_len);
		}
		flags = le16toh(d.flags);
		len = le32toh(d.len);
		addr = le64toh(d.addr);
		if (flags & VRING_DESC_F_INDIRECT) {
			if (!(F.features & BIT_ULL(VIRTIO_RING_F_INDIRECT_DESC)) || in_table ||
			    (flags & VRING_DESC_F_NEXT) || !len || len % 16 ||
			    len / 16 > VIRTQ_MAX_INDIRECT)
				return ref_break();
			in_table = true;
			table = addr;
			n = len / 16;
			steps = 0;
			i = 0;
			continue;
		}
		wr = flags & VRING_DESC_F_WRITE;
		if (!wr && writable)
			return ref_break();
		writable |= wr;
		if (len) {
			unsigned used = c->nr_rd + c->nr_wr;

			if ((uint64_t)c->rd_len + c->wr_len + len > UINT32_MAX)
				return ref_break();
			if (used == VIRTQ_MAX_SEGS)
				return -EFAULT;
			got = ref_map(addr, len, wr ? DMA_ACCESS_WRITE : DMA_ACCESS_READ,
				      c->iov + used, VIRTQ_MAX_SEGS - used);
			if (got < 0)
				return -EFAULT;
			*(wr ? &c->nr_wr : &c->nr_rd) += got;
			*(wr ? &c->wr_len : &c->rd_len) += len;
		}
		if (!(flags & VRING_DESC_F_NEXT))
			return 1;
		i = le16toh(d.next);
		if (i >= n)
			return ref_break();
	}
}

static int ref_pop(struct virtq_chain *c)
{
	bool ev = F.features & BIT_ULL(VIRTIO_RING_F_EVENT_IDX);
	uint16_t idx, head;

	if (!F.ready || F.broken)
		return -EIO;
	if (!ref_load16(R_AVAIL, 2, &idx))
		return ref_break();
	if (idx == F.last_avail && ev &&
	    (!ref_store16(R_USED, AVAIL_EVENT, F.last_avail) || !ref_load16(R_AVAIL, 2, &idx)))
		return ref_break();
	if (idx == F.last_avail)
		return 0;
	if ((uint16_t)(idx - F.last_avail) > F.size ||
	    !ref_load16(R_AVAIL, 4 + 2 * (F.last_avail & (F.size - 1)), &head) || head >= F.size)
		return ref_break();
	F.last_avail++;
	if (ev && !ref_store16(R_USED, AVAIL_EVENT, F.last_avail))
		return ref_break();
	return ref_walk(head, c);
}

static int ref_push(uint32_t id)
{
	bool ok;

	if (!F.ready || F.broken)
		return -EIO;
	ok = ref_rings();  /* for the element's id, */
	ok &= ref_rings(); /* and for its len */
	if (id >= F.size)
		return -EIO;
	if (!ok)
		return ref_break();
	F.used_idx++;
	F.pushes++;
	return 0;
}

static bool ref_should_notify(void)
{
	uint16_t old = F.sig_used, v;
	bool valid = F.sig_valid;

	if (!F.ready || F.broken)
		return false;
	if (!(F.features & BIT_ULL(VIRTIO_RING_F_EVENT_IDX))) {
		if (!ref_load16(R_AVAIL, 0, &v)) {
			ref_break();
			return false;
		}
		return !(v & VRING_AVAIL_F_NO_INTERRUPT);
	}
	F.sig_used = F.used_idx;
	F.sig_valid = true;
	if (!ref_load16(R_AVAIL, USED_EVENT, &v)) {
		ref_break();
		return false;
	}
	return !valid || vring_need_event(v, F.used_idx, old);
}

static int ref_enable(void)
{
	uint16_t n = F.size;

	F.ready = F.broken = F.cached = F.sig_valid = false; /* virtq_reset() */
	F.last_avail = F.used_idx = F.sig_used = 0;
	F.pushes = 0;
	if (!n || n > VIRTQ_MAX_SIZE || (n & (n - 1)) || F.ring[R_DESC] % 16 ||
	    F.ring[R_AVAIL] % 2 || F.ring[R_USED] % 4)
		return -EINVAL;
	if (!ref_rings())
		return -EFAULT;
	F.ready = true;
	return 0;
}

#endif /* TESTS_FUZZ_VIRTQUEUE_REF_H */
