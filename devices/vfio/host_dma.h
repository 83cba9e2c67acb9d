/* SPDX-License-Identifier: MIT */
/* The host side of DMA remapping: what a passthrough device's IOVAs reach in
 * the host IOMMU. Kept as small as Cloud Hypervisor's ExternalDmaMapping, so
 * that a second back end (iommufd's IOAS) can sit beside VFIO type1:
 * map(iova, host address, length, permissions), unmap(iova, length), and the
 * IOVA ranges and page sizes the host IOMMU accepts. Counters say what
 * crossed to the host. */
#ifndef DEVICES_VFIO_HOST_DMA_H
#define DEVICES_VFIO_HOST_DMA_H

#include <stdatomic.h>
#include <stdint.h>

#include "vmm/types.h"

#define HOST_DMA_READ	BIT(0) /* the device may read the memory */
#define HOST_DMA_WRITE	BIT(1) /* the device may write it */
#define HOST_DMA_RANGES 16     /* most usable IOVA ranges kept */

/* An inclusive IOVA range [first, last]. */
struct host_iova_range {
	uint64_t first, last;
};

struct host_dma_ops {
	/* Map [iova, iova + len) to the host memory at host with perm
	 * (HOST_DMA_*). 0 or -errno (-EEXIST overlap, -ENOSPC no entries
	 * left, -EINVAL outside the usable ranges, -ENOMEM pinning failed). */
	int (*map)(void *opaque, uint64_t iova, void *host, uint64_t len, unsigned perm);
	/* Unmap every mapping inside [iova, iova + len) (len 0: all of
	 * them); *unmapped gets the bytes that were mapped. 0 or -errno. */
	int (*unmap)(void *opaque, uint64_t iova, uint64_t len, uint64_t *unmapped);
	/* Entries the host still accepts, or -1 when it does not say. */
	int64_t (*avail)(void *opaque);
};

struct host_dma {
	const struct host_dma_ops *ops;
	void *opaque;
	struct host_iova_range ranges[HOST_DMA_RANGES]; /* usable IOVAs, sorted */
	unsigned nr_ranges;
	uint64_t pgsizes; /* page sizes the host IOMMU maps (bitmap) */
	/* What crossed to the host (host_dma_map/unmap keep them). */
	atomic_uint_fast64_t maps, unmaps, map_errors;
	atomic_uint_fast64_t identity_maps; /* of maps: RAM at IOVA = GPA (vfio_map_ram) */
	atomic_int_fast64_t pinned;	    /* bytes mapped now */
	int64_t avail0;			    /* entries the host accepted at start (-1: unknown) */
	/* Bytes that may be mapped at once (0: no budget): the same guest RAM
	 * mapped at many IOVAs costs the host a pin and page tables for each,
	 * whatever RLIMIT_MEMLOCK says. Set before the guest runs. */
	uint64_t budget;
	atomic_uint_fast64_t over_budget; /* maps refused for it */
};

/* Map through h->ops and count it. 0, -ENOMEM past h->budget (nothing
 * reaches the host; counted in over_budget), or the op's -errno. */
int host_dma_map(struct host_dma *h, uint64_t iova, void *host, uint64_t len, unsigned perm);

/* Unmap through h->ops and count it. 0 or the op's -errno. */
int host_dma_unmap(struct host_dma *h, uint64_t iova, uint64_t len);

/* Unmap everything (teardown). Returns the bytes that were still mapped. */
uint64_t host_dma_unmap_all(struct host_dma *h);

/* True when [first, last] lies inside one usable range. */
bool host_dma_usable(const struct host_dma *h, uint64_t first, uint64_t last);

/* The highest usable IOVA (0 when there is no range). */
uint64_t host_dma_last(const struct host_dma *h);

/* The smallest page size the host maps (4096 when it does not say). */
uint64_t host_dma_granule(const struct host_dma *h);

/* Write the reserved ranges, the holes between the usable ranges up to
 * last, into out (at most max), in order. Returns how many. */
unsigned host_dma_reserved(const struct host_dma *h, uint64_t last, struct host_iova_range *out,
			   unsigned max);

#endif
