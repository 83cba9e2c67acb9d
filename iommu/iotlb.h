/* SPDX-License-Identifier: MIT */
/* The VMM's IOTLB: a fixed-size, 4-way set-associative cache of successful
 * translations, keyed by (tag, IOVA page). The tag names one domain instance
 * (never reused, so an entry can never outlive its domain's identity); the
 * page is the IOVA divided by the IOMMU's smallest granule. An entry holds
 * the whole mapping that contains its page, so a hit yields the GPA, the
 * permissions and the bytes to the end of the mapping.
 *
 * Concurrency (each entry is a sequence lock):
 *  - iotlb_lookup: any thread, any time, no lock, no writes.
 *  - iotlb_insert: concurrently with lookups and other inserts, but never
 *    with an invalidation (the IOMMU core inserts under its read lock and
 *    invalidates under its write lock), so a walk's result cannot land in
 *    the cache after the unmap that removed it.
 *  - iotlb_invalidate_range / iotlb_flush_tag / iotlb_flush_all: exclusive
 *    with inserts and with each other. A lookup that starts after one of them
 *    returned never sees a removed entry. */
#ifndef IOMMU_IOTLB_H
#define IOMMU_IOTLB_H

#include <stdatomic.h>

#include "iommu/map.h"
#include "vmm/types.h"

#define IOTLB_WAYS	   4
#define IOTLB_DEFAULT_SETS 1024

struct iotlb_entry {
	atomic_uint seq; /* odd while being written */
	atomic_uint flags;
	atomic_uint_fast64_t tag; /* 0: invalid */
	atomic_uint_fast64_t page;
	atomic_uint_fast64_t first; /* the mapping's IOVA range ... */
	atomic_uint_fast64_t last;
	atomic_uint_fast64_t gpa; /* ... and its GPA */
};

struct iotlb_set {
	struct iotlb_entry way[IOTLB_WAYS];
	atomic_uint victim; /* round-robin replacement */
};

struct iotlb {
	struct iotlb_set *sets;
	uint64_t set_mask;   /* sets - 1 */
	unsigned page_shift; /* log2 of the smallest granule */
};

/* A cache of nsets sets (a power of two; 0: IOTLB_DEFAULT_SETS) for pages
 * of 1 << page_shift bytes. 0, -EINVAL or -ENOMEM. */
int iotlb_init(struct iotlb *t, unsigned nsets, unsigned page_shift) __must_check;

/* Free the cache. */
void iotlb_destroy(struct iotlb *t);

/* Look up the page of iova under tag (non-zero). On a hit copy the cached
 * mapping to *m and return true. Lock-free. */
bool iotlb_lookup(const struct iotlb *t, uint64_t tag, iova_t iova, struct iova_mapping *m);

/* Cache m (which contains iova) for iova's page under tag (non-zero). Only
 * after a successful walk; may silently skip when the slot is busy. */
void iotlb_insert(struct iotlb *t, uint64_t tag, iova_t iova, const struct iova_mapping *m);

/* Drop every entry of tag whose page overlaps [first, last]. Costs
 * min(pages in the range, sets) set probes. */
void iotlb_invalidate_range(struct iotlb *t, uint64_t tag, iova_t first, iova_t last);

/* Drop every entry of tag (a domain flush). */
void iotlb_flush_tag(struct iotlb *t, uint64_t tag);

/* Drop everything. */
void iotlb_flush_all(struct iotlb *t);

#endif
