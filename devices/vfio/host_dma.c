// SPDX-License-Identifier: MIT
/* The back-end-independent half of struct host_dma: counting, and the
 * questions about usable IOVA ranges. */
#include <errno.h>

#include "devices/vfio/host_dma.h"

int host_dma_map(struct host_dma *h, uint64_t iova, void *host, uint64_t len, unsigned perm)
{
	int ret;

	if (h->budget && (uint64_t)atomic_load(&h->pinned) + len > h->budget) {
		atomic_fetch_add(&h->over_budget, 1);
		return -ENOMEM;
	}
	ret = h->ops->map(h->opaque, iova, host, len, perm);
	atomic_fetch_add(&h->maps, 1);
	if (ret)
		atomic_fetch_add(&h->map_errors, 1);
	else
		atomic_fetch_add(&h->pinned, (int64_t)len);
	return ret;
}

int host_dma_unmap(struct host_dma *h, uint64_t iova, uint64_t len)
{
	uint64_t done = 0;
	int ret = h->ops->unmap(h->opaque, iova, len, &done);

	atomic_fetch_add(&h->unmaps, 1);
	atomic_fetch_sub(&h->pinned, (int64_t)done);
	return ret;
}

uint64_t host_dma_unmap_all(struct host_dma *h)
{
	uint64_t done = 0;

	if (h->ops->unmap(h->opaque, 0, 0, &done) == 0) {
		atomic_fetch_add(&h->unmaps, 1);
		atomic_fetch_sub(&h->pinned, (int64_t)done);
	}
	return done;
}

bool host_dma_usable(const struct host_dma *h, uint64_t first, uint64_t last)
{
	for (unsigned i = 0; i < h->nr_ranges; i++)
		if (first >= h->ranges[i].first && last <= h->ranges[i].last)
			return first <= last;
	return false;
}

uint64_t host_dma_last(const struct host_dma *h)
{
	return h->nr_ranges ? h->ranges[h->nr_ranges - 1].last : 0;
}

uint64_t host_dma_granule(const struct host_dma *h)
{
	return h->pgsizes ? h->pgsizes & -h->pgsizes : 4096;
}

unsigned host_dma_reserved(const struct host_dma *h, uint64_t last, struct host_iova_range *out,
			   unsigned max)
{
	uint64_t next = 0; /* first IOVA not yet accounted for */
	unsigned n = 0;

	for (unsigned i = 0; i < h->nr_ranges && n < max; i++) {
		const struct host_iova_range *r = &h->ranges[i];

		if (r->first > next && next <= last)
			out[n++] = (struct host_iova_range){next, MIN(r->first - 1, last)};
		if (r->last == UINT64_MAX)
			return n;
		next = r->last + 1;
	}
	if (next <= last && n < max)
		out[n++] = (struct host_iova_range){next, last};
	return n;
}
