/* SPDX-License-Identifier: MIT */
/* What the virtio-iommu guest tests share: checks that honour the backend's
 * known departures (known.h), an IOVA region inside the device's input
 * range, and a virtio-blk request whose data descriptor carries a given
 * IOVA. */
#ifndef GT_VIOMMU_TEST_H
#define GT_VIOMMU_TEST_H

#include <stdbool.h>
#include <stdint.h>

#include "known.h"
#include "viommu.h"
#include "virtio_blk.h"

/* Record check id: pass, or when id is in known= (known.h; the test calls
 * known_init() first) a "# SKIP" line that names the backend and the rule
 * it departs from, or a failure. */
bool vt_check(bool pass, const char *id, const char *rule, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* A granule-aligned IOVA with room for size bytes inside the input range,
 * away from guest RAM where the range allows (64 GiB, else 2 GiB, else the
 * start of the range); 0 when the range is too small. */
uint64_t vt_iova_region(const struct viommu *v, uint64_t size);

/* How a virtio-blk request ended. */
enum vt_blk_outcome {
	VT_BLK_OK,	    /* used, status OK */
	VT_BLK_IOERR,	    /* used, status IOERR (or UNSUPP) */
	VT_BLK_NEEDS_RESET, /* device_status has DEVICE_NEEDS_RESET */
	VT_BLK_SILENT,	    /* nothing within the wait */
	VT_BLK_LEN0,	    /* used with length 0, status not written */
	VT_BLK_OTHER,	    /* used with another status, or another chain */
};

/* The status byte and used length of the last vt_blk_iova() request. */
extern uint8_t vt_blk_status;
extern uint32_t vt_blk_used;
const char *vt_blk_outcome_name(enum vt_blk_outcome o);

/* One virtio-blk request (type, sector) whose data descriptor is len
 * bytes at data_iova (device-writable for IN), header and status mapped
 * through the device's virtio_dma. Waits up to wait_us. */
enum vt_blk_outcome vt_blk_iova(struct virtio_pci *d, uint32_t type, uint64_t sector,
				iova_t data_iova, uint32_t len, uint64_t wait_us);

/* A page-aligned buffer of pages pages from the virtio pool. */
void *vt_pages(unsigned pages);

#endif
