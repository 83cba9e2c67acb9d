// SPDX-License-Identifier: MIT
/* IOMMU core: translation. The fast path reads the endpoint's view word and
 * the IOTLB, both lock-free; a miss walks the domain's mappings under the
 * read lock and fills the IOTLB before releasing it, so the fill cannot land
 * after an unmap (which holds the write lock while it invalidates). Faults
 * are never cached. A view read just before an attach completes may still
 * serve that in-flight translation from the old domain; one that starts
 * after the attach returns sees the new view. */
#include "iommu/iommu_internal.h"

#include <errno.h>

#define PERM_RW (DMA_ACCESS_READ | DMA_ACCESS_WRITE)

_Static_assert(IOMMU_MAP_READ == DMA_ACCESS_READ && IOMMU_MAP_WRITE == DMA_ACCESS_WRITE,
	       "map flags double as DMA access bits");

static int xlate_fault(struct dma_fault *f, iova_t iova, unsigned access,
		       enum dma_fault_reason reason)
{
	f->iova = iova;
	f->access = access;
	f->reason = reason;
	f->code = 0;
	return -EFAULT;
}

/* Identity: the rest of the 64-bit space, read and write. */
static int xlate_identity(iova_t iova, struct dma_xlate *x)
{
	x->gpa = gpa(iova.a);
	x->len = iova.a ? 0 - iova.a : ~0ull;
	x->perm = PERM_RW;
	return 0;
}

/* Through mapping m, which contains iova. */
static int xlate_mapping(const struct iova_mapping *m, iova_t iova, unsigned access,
			 struct dma_xlate *x, struct dma_fault *f)
{
	unsigned perm = m->flags & PERM_RW;
	uint64_t rest = m->last.a - iova.a;

	if ((perm & access) != access)
		return xlate_fault(f, iova, access, DMA_FAULT_PERM);
	x->gpa = gpa(m->gpa.a + (iova.a - m->first.a));
	x->len = rest == ~0ull ? rest : rest + 1;
	x->perm = perm;
	return 0;
}

/* The slow path: decide under the read lock, walk, fill the IOTLB. Not
 * inlined, to keep the hit path's frame small. A mapping found is copied to
 * *m and *used set. */
static __attribute__((noinline)) int ep_walk(struct iommu_ep *ep, iova_t iova, unsigned access,
					     struct dma_xlate *x, struct dma_fault *f,
					     struct iova_mapping *m, bool *used)
{
	struct iommu *io = ep->io;
	const struct iova_mapping *found;
	uint64_t view;

	pthread_rwlock_rdlock(&io->lock);
	view = atomic_load_explicit(&ep->view, memory_order_relaxed);
	if (EP_VIEW_KIND(view) != EP_VIEW_DOMAIN) {
		pthread_rwlock_unlock(&io->lock);
		if (EP_VIEW_KIND(view) == EP_VIEW_IDENTITY)
			return xlate_identity(iova, x);
		return xlate_fault(f, iova, access, DMA_FAULT_BLOCKED);
	}
	found = iova_map_find(&ep->dom->map, iova);
	if (!found) {
		pthread_rwlock_unlock(&io->lock);
		return xlate_fault(f, iova, access, DMA_FAULT_UNMAPPED);
	}
	*m = *found;
	*used = true;
	iotlb_insert(&io->tlb, EP_VIEW_TAG(view), iova, m);
	pthread_rwlock_unlock(&io->lock);
	return xlate_mapping(m, iova, access, x, f);
}

/* The endpoint's view; *used set when mapping *m decided. */
static int ep_lookup(struct iommu_ep *ep, iova_t iova, unsigned access, struct dma_xlate *x,
		     struct dma_fault *f, struct iova_mapping *m, bool *used)
{
	uint64_t view = atomic_load_explicit(&ep->view, memory_order_acquire);

	switch (EP_VIEW_KIND(view)) {
	case EP_VIEW_IDENTITY: return xlate_identity(iova, x);
	case EP_VIEW_DOMAIN:
		if (iotlb_lookup(&ep->io->tlb, EP_VIEW_TAG(view), iova, m)) {
			*used = true;
			return xlate_mapping(m, iova, access, x, f);
		}
		return ep_walk(ep, iova, access, x, f, m, used);
	default: return xlate_fault(f, iova, access, DMA_FAULT_BLOCKED);
	}
}

/* A lookup, and on a miss or a block the front end's miss handler, whose
 * answer stands (see iommu_set_miss_handler). What a mapping decided goes
 * to the check, if one is set. */
static int ep_translate(struct iommu_ep *ep, iova_t iova, unsigned access, struct dma_xlate *x,
			struct dma_fault *f)
{
	struct iommu *io = ep->io;
	struct iova_mapping m;
	bool used = false;
	int ret = ep_lookup(ep, iova, access, x, f, &m, &used);

	if (unlikely(io->check_fn) && used)
		io->check_fn(io->check_opaque, ep->rid, iova, access, &m);
	if (!ret || !io->miss_fn ||
	    (f->reason != DMA_FAULT_UNMAPPED && f->reason != DMA_FAULT_BLOCKED))
		return ret;
	return io->miss_fn(io->miss_opaque, ep->rid, iova, access, x, f) ? -EFAULT : 0;
}

int iommu_ep_translate(void *opaque, uint16_t rid, iova_t iova, unsigned access,
		       struct dma_xlate *x, struct dma_fault *f)
{
	(void)rid; /* the endpoint is the opaque */
	return ep_translate(opaque, iova, access, x, f);
}

void iommu_ep_fault(void *opaque, uint16_t rid, const struct dma_fault *f)
{
	struct iommu_ep *ep = opaque;
	struct iommu *io = ep->io;
	void (*fn)(void *, uint16_t, const struct dma_fault *);
	void *arg;

	(void)rid;
	pthread_rwlock_rdlock(&io->lock);
	fn = io->fault_fn;
	arg = io->fault_opaque;
	pthread_rwlock_unlock(&io->lock);
	if (fn)
		fn(arg, ep->rid, f);
}

int iommu_translate(struct iommu *io, uint16_t rid, iova_t iova, unsigned access,
		    struct dma_xlate *x, struct dma_fault *f)
{
	struct iommu_ep *ep = iommu_ep_find(io, rid);

	if (!ep)
		return xlate_fault(f, iova, access, DMA_FAULT_BLOCKED);
	return ep_translate(ep, iova, access, x, f);
}

bool iommu_iotlb_cached(struct iommu *io, uint16_t rid, iova_t iova)
{
	struct iommu_ep *ep = iommu_ep_find(io, rid);
	struct iova_mapping m;
	uint64_t view;

	if (!ep)
		return false;
	view = atomic_load_explicit(&ep->view, memory_order_acquire);
	return EP_VIEW_KIND(view) == EP_VIEW_DOMAIN &&
	       iotlb_lookup(&io->tlb, EP_VIEW_TAG(view), iova, &m);
}
