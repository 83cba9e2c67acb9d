// SPDX-License-Identifier: MIT
#include "iommu/dma.h"

#include <errno.h>

#include "vmm/iovec.h"

void dma_as_init(struct dma_as *as, uint16_t rid, const struct guest_mem *mem)
{
	as->rid = rid;
	as->mem = mem;
	atomic_init(&as->xl, NULL);
	atomic_init(&as->gen, 0);
	atomic_init(&as->faults, 0);
}

void dma_as_set_translator(struct dma_as *as, const struct dma_translator *xl)
{
	atomic_store(&as->xl, xl);
	dma_as_invalidate(as);
}

void dma_as_invalidate(struct dma_as *as)
{
	atomic_fetch_add(&as->gen, 1);
}

uint64_t dma_as_gen(const struct dma_as *as)
{
	return atomic_load(&((struct dma_as *)as)->gen);
}

/* The RAM region holding addr, as a translation of at most the rest of it. */
static int dma_ram_extent(const struct guest_mem *mem, gpa_t addr, uint64_t *len)
{
	for (unsigned i = 0; i < mem->nr; i++) {
		const struct mem_region *r = &mem->r[i];

		if (r->host && addr.a >= r->base.a && addr.a - r->base.a < r->size) {
			*len = r->size - (addr.a - r->base.a);
			return 0;
		}
	}
	return -EFAULT;
}

static int dma_fault(struct dma_as *as, const struct dma_translator *xl, const struct dma_fault *f)
{
	atomic_fetch_add(&as->faults, 1);
	if (xl && xl->fault)
		xl->fault(xl->opaque, as->rid, f);
	return -EFAULT;
}

/* Translate one step: iova -> gpa for up to *len bytes (shortened to the
 * translation's and the RAM region's extent). */
static int dma_step(struct dma_as *as, const struct dma_translator *xl, iova_t iova,
		    unsigned access, gpa_t *out, uint64_t *len)
{
	struct dma_fault f = {.iova = iova, .access = access};
	struct dma_xlate x = {.gpa = gpa(iova.a),
			      .len = ~0ull - iova.a + 1,
			      .perm = DMA_ACCESS_READ | DMA_ACCESS_WRITE};
	uint64_t ram;

	if (x.len == 0) /* iova == 0: the whole 2^64 space */
		x.len = ~0ull;
	if (xl && xl->translate(xl->opaque, as->rid, iova, access, &x, &f))
		return dma_fault(as, xl, &f);
	if ((x.perm & access) != access) {
		f.reason = DMA_FAULT_PERM;
		return dma_fault(as, xl, &f);
	}
	if (!x.len || dma_ram_extent(as->mem, x.gpa, &ram)) {
		f.reason = DMA_FAULT_NOT_RAM;
		return dma_fault(as, xl, &f);
	}
	*out = x.gpa;
	*len = MIN(*len, MIN(x.len, ram));
	return 0;
}

int dma_map(struct dma_as *as, iova_t iova, uint64_t len, unsigned access, struct iovec *iov,
	    unsigned max)
{
	const struct dma_translator *xl = atomic_load(&as->xl);
	unsigned n = 0;

	if (!len)
		return 0;
	if (range_wraps(iova.a, len)) {
		struct dma_fault f = {iova, access, DMA_FAULT_RANGE, 0};
		return dma_fault(as, xl, &f);
	}
	max = MIN(max, DMA_MAX_SEGS);
	while (len) {
		uint64_t seg = len;
		gpa_t g;
		int ret = dma_step(as, xl, iova, access, &g, &seg);

		if (ret)
			return ret;
		if (n == max)
			return -E2BIG;
		iov[n].iov_base = guest_mem_ptr(as->mem, g, seg);
		iov[n].iov_len = seg;
		n++;
		iova.a += seg;
		len -= seg;
	}
	return (int)n;
}

static int dma_copy(struct dma_as *as, iova_t iova, void *buf, uint64_t len, unsigned access)
{
	struct iovec iov[DMA_MAX_SEGS];
	int n = dma_map(as, iova, len, access, iov, DMA_MAX_SEGS);

	if (n < 0)
		return n;
	/* dma_map covered all len bytes: the copy is whole. */
	if (access == DMA_ACCESS_WRITE)
		iov_from_buf(iov, (unsigned)n, 0, buf, len);
	else
		iov_to_buf(iov, (unsigned)n, 0, buf, len);
	return 0;
}

int dma_read(struct dma_as *as, iova_t iova, void *dst, uint64_t len)
{
	return dma_copy(as, iova, dst, len, DMA_ACCESS_READ);
}

int dma_write(struct dma_as *as, iova_t iova, const void *src, uint64_t len)
{
	return dma_copy(as, iova, (void *)src, len, DMA_ACCESS_WRITE);
}
