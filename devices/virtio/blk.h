/* SPDX-License-Identifier: MIT */
/* virtio-blk over a raw image file (one request queue, no MQ).
 *
 * Offered: SEG_MAX, SIZE_MAX, BLK_SIZE, FLUSH, RO (read-only disks), and,
 * for writable images, DISCARD and WRITE_ZEROES when the file system
 * supports fallocate(PUNCH_HOLE / ZERO_RANGE) on them (probed at open).
 * GET_ID (no feature bit) returns the serial, zero padded to 20 bytes.
 * Requests run on the device's worker thread: preadv/pwritev straight into
 * the iovecs the virtqueue resolved through the device's DMA address space.
 * Every guest error is answered with a status byte (IOERR, UNSUPP) or, when
 * there is no writable status byte, by completing the chain with length 0. */
#ifndef DEVICES_VIRTIO_BLK_H
#define DEVICES_VIRTIO_BLK_H

#include <linux/virtio_blk.h>
#include <stddef.h>

#include "devices/virtio/virtio.h"

#define VIRTIO_BLK_SECTOR     512u
#define VIRTIO_BLK_QUEUE_SIZE 256u
/* Data segments per request (seg_max) and bytes per segment (size_max).
 * With an IOMMU of 4 KiB pages one segment resolves to at most two iovecs,
 * so a request (header, 126 segments, status) always fits VIRTQ_MAX_SEGS. */
#define VIRTIO_BLK_SEG_MAX  126u
#define VIRTIO_BLK_SIZE_MAX 4096u
/* Segments per DISCARD / WRITE_ZEROES request, and sectors per segment. */
#define VIRTIO_BLK_DISCARD_SEG 32u
#define VIRTIO_BLK_DISCARD_MAX 0x400000u /* 2 GiB in sectors */

struct virtio_blk {
	struct virtio_dev vdev;
	int fd;
	bool readonly;
	bool can_discard;		  /* fallocate(PUNCH_HOLE) works on the image */
	bool can_write_zeroes;		  /* fallocate(ZERO_RANGE) works on the image */
	uint64_t sectors;		  /* capacity in 512-byte sectors */
	char serial[VIRTIO_BLK_ID_BYTES]; /* zero padded, not terminated */
	struct virtio_blk_config cfg;	  /* the device config space */
	struct virtq_chain chain;	  /* scratch for the worker */
};

struct virtio_blk_params {
	const char *path;
	bool readonly;
	const char *serial; /* NULL: none (GET_ID returns zeros) */
};

/* Open and probe the image, fill the config space and features. Returns
 * the device (not yet attached to a transport) or NULL with a one-line
 * reason in err. */
struct virtio_blk *virtio_blk_new(const struct virtio_blk_params *p, char *err, size_t errlen);

/* Close the image and free b (after its transport is gone). NULL is fine. */
void virtio_blk_free(struct virtio_blk *b);

/* Serve one popped chain: parse, do the I/O, write the status byte.
 * Returns the used length for virtq_push() (0 when the chain had no
 * writable status byte). Exposed for the unit tests. */
uint32_t virtio_blk_handle(struct virtio_blk *b, struct virtq_chain *c);

extern const struct virtio_dev_ops virtio_blk_ops;

#endif
