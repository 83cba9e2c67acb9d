// SPDX-License-Identifier: MIT
/* The DMA adapter: another virtio device's DMA through the virtio-iommu
 * (see viommu_dma.h). */
#include "viommu_dma.h"

#include "string.h"
#include "viommu.h"

static iova_t dma_map(void *ctx, uint64_t gpa, uint64_t len, bool dev_writes)
{
	struct viommu_dma *d = ctx;
	uint64_t g = d->v->granule, lo = gpa & ~(g - 1);
	uint64_t n = ((gpa + (len ? len : 1) + g - 1) & ~(g - 1)) - lo;
	iova_t iova;

	if (d->mode == VIOMMU_DMA_WINDOW) {
		if (gpa < d->gpa_base || gpa - d->gpa_base > d->size ||
		    len > d->size - (gpa - d->gpa_base)) {
			d->errors++;
			return IOVA_INVALID;
		}
		return d->base + (gpa - d->gpa_base);
	}
	iova = d->next;
	if (iova > d->limit || n > d->limit - iova) {
		d->errors++;
		return IOVA_INVALID;
	}
	d->maps++;
	d->last_status =
		viommu_map(d->v, d->domain, iova, iova + n - 1, lo,
			   VIRTIO_IOMMU_MAP_F_READ | (dev_writes ? VIRTIO_IOMMU_MAP_F_WRITE : 0));
	if (d->last_status != VIRTIO_IOMMU_S_OK) {
		d->errors++;
		return IOVA_INVALID;
	}
	d->next = iova + n + g; /* an unmapped guard granule between buffers */
	return iova + (gpa - lo);
}

static void dma_unmap(void *ctx, iova_t iova, uint64_t len)
{
	struct viommu_dma *d = ctx;
	uint64_t g = d->v->granule, lo = iova & ~(g - 1);
	uint64_t n = ((iova + (len ? len : 1) + g - 1) & ~(g - 1)) - lo;

	if (d->mode == VIOMMU_DMA_WINDOW)
		return;
	d->unmaps++;
	d->last_status = viommu_unmap(d->v, d->domain, lo, lo + n - 1);
	if (d->last_status != VIRTIO_IOMMU_S_OK)
		d->errors++;
	if (lo + n + g == d->next)
		d->next = lo; /* the most recent buffer: reuse its IOVAs */
}

static void dma_init(struct viommu_dma *d, struct viommu *v, uint32_t domain,
		     enum viommu_dma_mode mode)
{
	memset(d, 0, sizeof(*d));
	d->ops.name = mode == VIOMMU_DMA_ALLOC ? "viommu-alloc" : "viommu-window";
	d->ops.map = dma_map;
	d->ops.unmap = dma_unmap;
	d->ops.ctx = d;
	d->v = v;
	d->domain = domain;
	d->mode = mode;
}

void viommu_dma_alloc(struct viommu_dma *d, struct viommu *v, uint32_t domain, iova_t iova_base,
		      uint64_t size)
{
	dma_init(d, v, domain, VIOMMU_DMA_ALLOC);
	d->base = d->next = iova_base;
	d->limit = iova_base + size;
}

void viommu_dma_window(struct viommu_dma *d, struct viommu *v, uint32_t domain, uint64_t gpa_base,
		       uint64_t size, iova_t iova_base)
{
	dma_init(d, v, domain, VIOMMU_DMA_WINDOW);
	d->base = iova_base;
	d->gpa_base = gpa_base;
	d->size = size;
}
