/* SPDX-License-Identifier: MIT */
/* virtio-blk requests (virtio 1.2, 5.2) on top of virtio.h: one request
 * queue, header / data / status chains, synchronous. */
#ifndef GT_VIRTIO_BLK_H
#define GT_VIRTIO_BLK_H

#include <linux/virtio_blk.h>
#include <stdint.h>

#include "virtio.h"

#define VBLK_SECTOR    512u
#define VBLK_NO_STATUS 0xff /* status byte left as written: not completed */

/* What one request gave back. */
struct vblk_result {
	int rc;		/* 0: completed; -1: add failed or timed out */
	uint8_t status; /* VIRTIO_BLK_S_*, or VBLK_NO_STATUS */
	uint32_t used_len;
};

/* Open the instance-th virtio-blk, negotiate want (VERSION_1 and
 * ACCESS_PLATFORM are added when offered), set up queue 0 without
 * interrupts, DRIVER_OK. 0 or -1. */
int vblk_open(struct virtio_pci *d, unsigned instance, uint64_t want);

/* Capacity in sectors (config space). */
uint64_t vblk_capacity(struct virtio_pci *d);

/* Issue one request: header (type, sector), then data (len bytes; device
 * writable for IN and GET_ID, readable otherwise; none when len is 0), then
 * the status byte. Waits up to VIRTIO_TIMEOUT_US. */
struct vblk_result vblk_request(struct virtio_pci *d, uint32_t type, uint64_t sector, void *data,
				uint32_t len);

#endif
