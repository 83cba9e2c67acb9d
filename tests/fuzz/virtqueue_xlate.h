/* SPDX-License-Identifier: MIT */
/* The reference translation of tests/fuzz/fuzz_virtqueue.c: the fake IOMMU
 * page table's translator, an IOVA translated step by step and a range mapped
 * into iovecs under each of the three translators, and the driver's (the
 * CPU's) access to memory through the translation. */
#ifndef TESTS_FUZZ_VIRTQUEUE_XLATE_H
#define TESTS_FUZZ_VIRTQUEUE_XLATE_H

#include "tests/fuzz/virtqueue_fx.h"

/* ---- translation, the reference ---- */

static int fake_translate(void *opaque, uint16_t rid, iova_t a, unsigned access,
			  struct dma_xlate *x, struct dma_fault *f)
{
	(void)opaque;
	(void)rid;
	(void)access;
	return pt_translate(F.pt, NPG, a, x, f);
}

static const struct iova_mapping *map_at(uint64_t a)
{
	for (unsigned i = 0; i < F.nr_maps; i++)
		if (F.maps[i].first.a <= a && a <= F.maps[i].last.a)
			return &F.maps[i];
	return NULL;
}

/* One step of the DMA layer at a for acc: 0 with the GPA and the bytes to
 * the end of the translation and of its RAM region, or -1 for a fault. */
static int ref_step(uint64_t a, unsigned acc, uint64_t *g, uint64_t *len)
{
	const struct iova_mapping *m;
	uint64_t l;

	if (F.mode == X_GPA) {
		*g = a;
		l = a ? 0 - a : ~0ull;
	} else if (F.mode == X_PT) {
		if (a / VFX_PAGE >= NPG || !F.pt[a / VFX_PAGE].present ||
		    (F.pt[a / VFX_PAGE].perm & acc) != acc)
			return -1;
		*g = F.pt[a / VFX_PAGE].gpa + a % VFX_PAGE;
		l = VFX_PAGE - a % VFX_PAGE;
	} else {
		m = map_at(a);
		if (!m || (m->flags & acc) != acc)
			return -1;
		*g = m->gpa.a + (a - m->first.a);
		l = m->last.a - a + 1 ? m->last.a - a + 1 : ~0ull;
	}
	for (unsigned i = 0; i < F.ram.mem.nr; i++) {
		const struct mem_region *r = &F.ram.mem.r[i];

		if (*g >= r->base.a && *g - r->base.a < r->size) {
			*len = MIN(l, r->size - (*g - r->base.a));
			return 0;
		}
	}
	return -1;
}

/* dma_map() as dma.h says: iovecs (iov may be NULL), -EFAULT (counted as a
 * fault) or -E2BIG. */
static int ref_map(uint64_t a, uint64_t len, unsigned acc, struct iovec *iov, unsigned max)
{
	unsigned n = 0;

	if (!len)
		return 0;
	if (range_wraps(a, len)) {
		F.faults++;
		return -EFAULT;
	}
	max = MIN(max, DMA_MAX_SEGS);
	while (len) {
		uint64_t g, l;

		if (ref_step(a, acc, &g, &l)) {
			F.faults++;
			return -EFAULT;
		}
		if (n == max)
			return -E2BIG;
		l = MIN(l, len);
		if (iov)
			iov[n] = (struct iovec){vfx_ptr(&F.ram, g, l), l};
		n++;
		a += l;
		len -= l;
	}
	return (int)n;
}

/* The driver's (the CPU's) pointer to [a, a + len), within one page; NULL
 * when a does not translate to RAM. */
static uint8_t *drv_ptr(uint64_t a, uint64_t len)
{
	uint64_t g, l;

	if (ref_step(a, 0, &g, &l) || l < len)
		return NULL;
	return vfx_ptr(&F.ram, g, len);
}

static void drv_write(uint64_t a, const void *p, uint64_t len)
{
	uint8_t *h = drv_ptr(a, len);

	if (h)
		memcpy(h, p, len);
}

#endif /* TESTS_FUZZ_VIRTQUEUE_XLATE_H */
