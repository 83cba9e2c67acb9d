/* SPDX-License-Identifier: MIT */
/* The invariant checks of tests/fuzz/fuzz_virtqueue.c: the device wrote
 * nothing in RAM but the used ring, the queue's state is the reference's,
 * and a chain popped or walked is the one the reference predicts. */
#ifndef TESTS_FUZZ_VIRTQUEUE_CHECKS_H
#define TESTS_FUZZ_VIRTQUEUE_CHECKS_H

#include "tests/fuzz/virtqueue_ref.h"

/* ---- invariants ---- */

/* Is the host byte p inside the used ring (as the driver sees it)? */
static bool in_used_ring(const uint8_t *p)
{
	uint64_t len = ring_bytes(R_USED);

	for (uint64_t off = 0; off < len;) {
		uint64_t a = F.ring[R_USED] + off, g, l;
		uint8_t *h;

		if (ref_step(a, 0, &g, &l))
			return false;
		l = MIN(l, len - off);
		h = vfx_ptr(&F.ram, g, l);
		if (p >= h && p < h + l)
			return true;
		off += l;
	}
	return false;
}

/* The queue wrote RAM only in the used ring since snap(). */
static void check_writes(void)
{
	for (int r = 0; r < 2; r++) {
		const uint8_t *h = F.ram.mem.r[r].host;

		if (!memcmp(h, F.snap[r], VFX_RAM))
			continue;
		for (unsigned i = 0; i < VFX_RAM; i++)
			FUZZ_CHECK(h[i] == F.snap[r][i] || (F.ready && in_used_ring(h + i)),
				   "the queue wrote RAM at region %d + %#x, outside the used ring",
				   r, i);
	}
}

/* The queue's state and the faults reported, against the reference. */
static void check_state(const char *after)
{
	FUZZ_CHECK(F.vq.ready == F.ready && F.vq.broken == F.broken,
		   "after %s: ready %d broken %d, reference %d %d", after, F.vq.ready, F.vq.broken,
		   F.ready, F.broken);
	FUZZ_CHECK(!F.ready || (F.vq.last_avail_idx == F.last_avail && F.vq.used_idx == F.used_idx),
		   "after %s: last_avail %u used %u, reference %u %u", after, F.vq.last_avail_idx,
		   F.vq.used_idx, F.last_avail, F.used_idx);
	FUZZ_CHECK(F.used_idx == (uint16_t)F.pushes, "used index %u after %u completions",
		   F.used_idx, F.pushes);
	FUZZ_CHECK(atomic_load(&F.as.faults) == F.faults, "after %s: %llu faults, reference %llu",
		   after, (unsigned long long)atomic_load(&F.as.faults),
		   (unsigned long long)F.faults);
}

/* A popped chain against the reference's. */
static void check_chain(int ret, int want)
{
	const struct virtq_chain *c = &F.c, *w = &F.want;
	unsigned n = c->nr_rd + c->nr_wr;
	uint64_t rd = 0, wr = 0;

	FUZZ_CHECK(ret == want, "pop/rewalk returned %d, reference %d", ret, want);
	if (ret != 1 && ret != -EFAULT)
		return;
	FUZZ_CHECK(c->head == w->head, "head %u, reference %u", c->head, w->head);
	if (ret != 1)
		return;
	FUZZ_CHECK(c->nr_rd == w->nr_rd && c->nr_wr == w->nr_wr && c->rd_len == w->rd_len &&
			   c->wr_len == w->wr_len,
		   "chain %u+%u iovecs, %u+%u bytes; reference %u+%u, %u+%u", c->nr_rd, c->nr_wr,
		   c->rd_len, c->wr_len, w->nr_rd, w->nr_wr, w->rd_len, w->wr_len);
	FUZZ_CHECK(n <= VIRTQ_MAX_SEGS, "%u iovecs", n);
	for (unsigned i = 0; i < n; i++) {
		const uint8_t *b = c->iov[i].iov_base;
		bool inside = false;

		FUZZ_CHECK(b == w->iov[i].iov_base && c->iov[i].iov_len == w->iov[i].iov_len,
			   "iovec %u differs from the reference", i);
		for (unsigned r = 0; r < 2; r++)
			inside |= b >= F.ram.mem.r[r].host && c->iov[i].iov_len <= VFX_RAM &&
				  b + c->iov[i].iov_len <= F.ram.mem.r[r].host + VFX_RAM;
		FUZZ_CHECK(inside, "iovec %u is not inside RAM", i);
		*(i < c->nr_rd ? &rd : &wr) += c->iov[i].iov_len;
	}
	FUZZ_CHECK(rd == c->rd_len && wr == c->wr_len,
		   "iovecs hold %llu+%llu bytes, chain says %u+%u", (unsigned long long)rd,
		   (unsigned long long)wr, c->rd_len, c->wr_len);
}

#endif /* TESTS_FUZZ_VIRTQUEUE_CHECKS_H */
