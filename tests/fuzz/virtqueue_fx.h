/* SPDX-License-Identifier: MIT */
/* The fixture of tests/fuzz/fuzz_virtqueue.c: its limits, guest RAM (16 KiB
 * at GPA 0 and 16 KiB at 4 GiB; VFX_RAM is set here, before
 * tests/fuzz/virtio_fixture.h), and the state of the translators, the queue,
 * the driver and the reference queue. */
#ifndef TESTS_FUZZ_VIRTQUEUE_FX_H
#define TESTS_FUZZ_VIRTQUEUE_FX_H

#define VFX_RAM KiB(16)

#include <endian.h>
#include <errno.h>

#include "devices/virtio/queue.h"
#include "iommu/iommu.h"
#include "tests/fuzz/virtio_fixture.h"
#include "tests/unit/dma_fixture.h"

#define QRID	0x0010
#define NPG	16			 /* IOVA pages the translators cover */
#define NRAMPG	(2 * VFX_RAM / VFX_PAGE) /* RAM pages */
#define NOT_RAM 0xd0000000ull		 /* in the MMIO hole */
#define MAX_OPS 64
#define MAX_OUT 256 /* chains popped and not yet pushed */

/* FUZZ_TRACE=1 in the environment: one line per call into the queue. */
static bool trace;
#define TRACE(...)                                                                                 \
	do {                                                                                       \
		if (trace)                                                                         \
			fprintf(stderr, __VA_ARGS__);                                              \
	} while (0)

enum xl_mode { X_GPA, X_PT, X_IOMMU };
enum ring { R_DESC, R_AVAIL, R_USED };

static struct {
	struct vfx_ram ram;
	uint8_t snap[2][VFX_RAM];
	enum xl_mode mode;
	struct dma_as as;
	struct dma_translator xl;
	struct pte pt[NPG]; /* X_PT: the table; X_IOMMU: what is mapped */
	struct iommu *io;
	struct iova_mapping maps[NPG]; /* X_IOMMU: the domain's mappings */
	unsigned nr_maps;
	struct virtq vq;
	struct virtq_chain c, want;
	uint64_t features;
	/* the driver */
	uint16_t avail_idx, next_desc;
	uint16_t out[MAX_OUT];
	unsigned nr_out;
	/* the reference queue */
	bool ready, broken, cached;
	uint64_t gen, faults;
	uint16_t size, last_avail, used_idx, sig_used;
	bool sig_valid;
	uint64_t ring[3];
	unsigned pushes; /* since the last enable */
} F;

#endif /* TESTS_FUZZ_VIRTQUEUE_FX_H */
