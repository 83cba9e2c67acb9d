// SPDX-License-Identifier: MIT
/* IOMMU core: MAP and UNMAP with the virtio-iommu semantics (see iommu.h for
 * the error codes). An UNMAP invalidates the IOTLB for exactly the mappings
 * it removes and bumps the generation of every address space of the domain
 * before it returns. A MAP invalidates nothing: the IOTLB never caches a
 * fault, so no entry can hide a new mapping. */
#include "iommu/iommu_internal.h"

#include <errno.h>

/* The checks that need only the configuration: 0 or a negative errno. */
static int map_args_check(const struct iommu *io, iova_t first, iova_t last, gpa_t gpa,
			  unsigned flags)
{
	uint64_t gmask = io->granule - 1;

	if ((flags & ~IOMMU_MAP_MASK) || first.a > last.a)
		return -EINVAL;
	if ((first.a & gmask) || ((last.a + 1) & gmask) || (gpa.a & gmask))
		return -ERANGE;
	if (first.a < io->cfg.input_first || last.a > io->cfg.input_last)
		return -ERANGE;
	if (gpa.a + (last.a - first.a) < gpa.a)
		return -ERANGE; /* the GPA range wraps */
	return 0;
}

/* The translating domain with this ID (write lock held): 0 and *out,
 * -ENOENT, or -EINVAL for a bypass domain. */
static int map_domain(struct iommu *io, uint32_t domain, struct iommu_domain **out)
{
	struct iommu_domain *dom = iommu_domain_find(io, domain);

	if (!dom)
		return -ENOENT;
	if (dom->bypass)
		return -EINVAL;
	*out = dom;
	return 0;
}

int iommu_map(struct iommu *io, uint32_t domain, iova_t first, iova_t last, gpa_t gpa,
	      unsigned flags)
{
	struct iova_mapping m = {first, last, gpa, flags};
	struct iommu_domain *dom;
	int ret;

	ret = map_args_check(io, first, last, gpa, flags);
	if (ret)
		return ret;
	pthread_rwlock_wrlock(&io->lock);
	ret = map_domain(io, domain, &dom);
	if (!ret && io->nr_mappings >= io->cfg.max_mappings) {
		const struct iova_mapping *o = iova_map_next(&dom->map, first);

		ret = o && o->first.a <= last.a ? -EEXIST : -ENOMEM;
	}
	if (!ret)
		ret = iova_map_insert(&dom->map, &m);
	if (ret)
		goto unlock;
	io->nr_mappings++;
	if ((ret = iommu_notify_map(dom, &m))) {
		/* A consumer refused: it has been told to UNMAP; undo. */
		(void)iova_map_remove_range(&dom->map, first, last, NULL, NULL);
		io->nr_mappings--;
	} else if (io->watch_fn) {
		io->watch_fn(io->watch_opaque, IOMMU_EVENT_MAP, domain, &m);
	}
unlock:
	pthread_rwlock_unlock(&io->lock);
	return ret;
}

struct unmap_ctx {
	struct iommu *io;
	struct iommu_domain *dom;
	uint64_t removed;
};

static int unmap_one(void *opaque, const struct iova_mapping *m)
{
	struct unmap_ctx *c = opaque;

	iommu_notify_unmap(c->dom, m);
	if (c->io->watch_fn)
		c->io->watch_fn(c->io->watch_opaque, IOMMU_EVENT_UNMAP, c->dom->id, m);
	iotlb_invalidate_range(&c->io->tlb, c->dom->tag, m->first, m->last);
	c->removed++;
	return 0;
}

/* UNMAP; with whole, first and last first grow to the mappings that
 * contain them (an invalidation removes whole mappings). */
static int unmap_range(struct iommu *io, uint32_t domain, iova_t first, iova_t last, bool whole)
{
	struct unmap_ctx c = {io, NULL, 0};
	const struct iova_mapping *m;
	int ret;

	if (first.a > last.a)
		return -EINVAL;
	pthread_rwlock_wrlock(&io->lock);
	ret = map_domain(io, domain, &c.dom);
	if (!ret && whole && (m = iova_map_find(&c.dom->map, first)))
		first = m->first;
	if (!ret && whole && (m = iova_map_find(&c.dom->map, last)))
		last = m->last;
	if (!ret)
		ret = iova_map_remove_range(&c.dom->map, first, last, unmap_one, &c);
	if (c.removed) {
		io->nr_mappings -= c.removed;
		for (struct iommu_ep *ep = c.dom->eps; ep; ep = ep->dom_next)
			if (ep->as)
				dma_as_invalidate(ep->as);
	}
	pthread_rwlock_unlock(&io->lock);
	return ret;
}

int iommu_unmap(struct iommu *io, uint32_t domain, iova_t first, iova_t last)
{
	return unmap_range(io, domain, first, last, false);
}

int iommu_unmap_overlap(struct iommu *io, uint32_t domain, iova_t first, iova_t last)
{
	return unmap_range(io, domain, first, last, true);
}

bool iommu_domain_maps(struct iommu *io, uint32_t domain, iova_t first, iova_t last)
{
	const struct iova_mapping *m;
	struct iommu_domain *dom;
	bool hit = false;

	pthread_rwlock_rdlock(&io->lock);
	dom = iommu_domain_find(io, domain);
	if (dom && !dom->bypass) {
		m = iova_map_next(&dom->map, first);
		hit = m && m->first.a <= last.a;
	}
	pthread_rwlock_unlock(&io->lock);
	return hit;
}

/* The mapping of domain that find returns for a, copied to *out. */
static bool domain_lookup(struct iommu *io, uint32_t domain, iova_t a, struct iova_mapping *out,
			  const struct iova_mapping *(*find)(const struct iova_map *, iova_t))
{
	const struct iova_mapping *m = NULL;
	struct iommu_domain *dom;

	pthread_rwlock_rdlock(&io->lock);
	dom = iommu_domain_find(io, domain);
	if (dom && !dom->bypass)
		m = find(&dom->map, a);
	if (m)
		*out = *m;
	pthread_rwlock_unlock(&io->lock);
	return m;
}

bool iommu_domain_mapping(struct iommu *io, uint32_t domain, iova_t a, struct iova_mapping *out)
{
	return domain_lookup(io, domain, a, out, iova_map_find);
}

bool iommu_domain_next(struct iommu *io, uint32_t domain, iova_t a, struct iova_mapping *out)
{
	return domain_lookup(io, domain, a, out, iova_map_next);
}
