/* SPDX-License-Identifier: MIT */
/* DMA of a virtio device through VT-d second-level tables: a struct
 * virtio_dma whose IOVAs are the GPAs plus a fixed offset, each page mapped
 * into the device's table on first use (and, with caching mode, that page
 * invalidated, as CAP.CM asks for a not-present -> present change). Pages
 * stay mapped. */
#ifndef GT_VTD_VDMA_H
#define GT_VTD_VDMA_H

#include "virtio.h"
#include "vtd.h"
#include "vtd_pt.h"

struct vtd_vdma {
	struct virtio_dma ops; /* give &ops to virtio_pci.dma */
	struct vtd *v;
	struct vtd_pt *pt;
	uint16_t did;
	uint64_t offset; /* IOVA = GPA + offset */
	unsigned maps, errors;
};

/* Set d up for the table pt of domain did on unit v. */
void vtd_vdma_init(struct vtd_vdma *d, struct vtd *v, struct vtd_pt *pt, uint16_t did,
		   uint64_t offset);

#endif
