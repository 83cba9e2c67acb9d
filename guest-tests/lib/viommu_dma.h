/* SPDX-License-Identifier: MIT */
/* DMA through the virtio-iommu for another virtio device: a struct
 * virtio_dma whose rings and buffers use IOVAs, either from an allocator
 * (a MAP request per map, an UNMAP per unmap) or from a fixed window the
 * caller maps. */
#ifndef GT_VIOMMU_DMA_H
#define GT_VIOMMU_DMA_H

#include <stdint.h>

#include "virtio.h"

struct viommu;

enum viommu_dma_mode {
	VIOMMU_DMA_ALLOC,  /* each map: fresh IOVA pages + a MAP request */
	VIOMMU_DMA_WINDOW, /* IOVA = iova_base + (gpa - gpa_base); caller maps */
};

struct viommu_dma {
	struct virtio_dma ops; /* give &ops to virtio_pci.dma */
	struct viommu *v;
	uint32_t domain;
	enum viommu_dma_mode mode;
	iova_t base, next, limit; /* ALLOC: [base, limit), bump with a guard page */
	uint64_t gpa_base, size;  /* WINDOW */
	unsigned maps, unmaps, errors;
	int last_status;
};

/* IOVAs from [iova_base, iova_base + size) in domain; every map sends MAP
 * (READ, plus WRITE when the device writes) of the granule-aligned pages
 * around the buffer, every unmap the matching UNMAP. */
void viommu_dma_alloc(struct viommu_dma *d, struct viommu *v, uint32_t domain, iova_t iova_base,
		      uint64_t size);

/* IOVA = iova_base + (gpa - gpa_base) inside [gpa_base, gpa_base + size);
 * no requests (the caller maps the window). */
void viommu_dma_window(struct viommu_dma *d, struct viommu *v, uint32_t domain, uint64_t gpa_base,
		       uint64_t size, iova_t iova_base);

#endif
