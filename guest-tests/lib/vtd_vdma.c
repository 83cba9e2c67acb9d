// SPDX-License-Identifier: MIT
/* Virtio DMA through VT-d second-level tables (see vtd_vdma.h). */
#include "vtd_vdma.h"

static iova_t vdma_map(void *ctx, uint64_t gpa, uint64_t len, bool dev_writes)
{
	struct vtd_vdma *d = ctx;
	uint64_t first = gpa & ~(VTD_4K - 1), end = (gpa + len + VTD_4K - 1) & ~(VTD_4K - 1);

	(void)dev_writes; /* rings and buffers share pages: read and write */
	for (uint64_t p = first; p < end; p += VTD_4K) {
		uint64_t *e = vtd_pt_entry(d->pt, p + d->offset, 1);

		if (e && (*e & VTD_PTE_ADDR) == p && (*e & VTD_PTE_R))
			continue;
		if (vtd_pt_map(d->pt, p + d->offset, p, VTD_4K, VTD_4K, VTD_PTE_R | VTD_PTE_W)) {
			d->errors++;
			return IOVA_INVALID;
		}
		if ((d->v->cap & VTD_CAP_CM) && !vtd_flush_page(d->v, d->did, p + d->offset)) {
			d->errors++;
			return IOVA_INVALID;
		}
	}
	d->maps++;
	return gpa + d->offset;
}

static void vdma_unmap(void *ctx, iova_t iova, uint64_t len)
{
	(void)ctx, (void)iova, (void)len; /* the window stays mapped */
}

void vtd_vdma_init(struct vtd_vdma *d, struct vtd *v, struct vtd_pt *pt, uint16_t did,
		   uint64_t offset)
{
	*d = (struct vtd_vdma){
		.ops = {.name = "vtd", .map = vdma_map, .unmap = vdma_unmap, .ctx = d},
		.v = v,
		.pt = pt,
		.did = did,
		.offset = offset,
	};
}
