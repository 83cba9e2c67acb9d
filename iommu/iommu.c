// SPDX-License-Identifier: MIT
/* IOMMU core: creation, endpoints, domains, attach/detach and the global
 * bypass. Every state change of an endpoint goes through ep_move(), which
 * sends the notifier batches, frees a domain its last endpoint leaves,
 * publishes the endpoint's new translation view and bumps its dma_as
 * generation. Mappings are in iommu_map.c, translation in iommu_xlate.c,
 * notifiers in iommu_notify.c. */
#include "iommu/iommu_internal.h"

#include <errno.h>
#include <stdlib.h>

static int config_check(const struct iommu_config *c, uint64_t *granule)
{
	uint64_t g = c->page_size_mask & -c->page_size_mask;

	if (!g || c->input_first > c->input_last || c->domain_first > c->domain_last)
		return -EINVAL;
	if ((c->input_first & (g - 1)) || ((c->input_last + 1) & (g - 1)))
		return -EINVAL;
	*granule = g;
	return 0;
}

/* Writers first: device threads that keep missing or faulting must not
 * starve the request thread (glibc's default prefers readers). */
static int iommu_lock_init(pthread_rwlock_t *lock)
{
	pthread_rwlockattr_t attr;
	int ret;

	if (pthread_rwlockattr_init(&attr))
		return -ENOMEM;
	pthread_rwlockattr_setkind_np(&attr, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
	ret = pthread_rwlock_init(lock, &attr);
	pthread_rwlockattr_destroy(&attr);
	return ret ? -ret : 0;
}

int iommu_create(const struct iommu_config *cfg, struct iommu **out)
{
	struct iommu *io;
	uint64_t g;
	int ret = config_check(cfg, &g);

	if (ret)
		return ret;
	io = calloc(1, sizeof(*io));
	if (!io)
		return -ENOMEM;
	io->cfg = *cfg;
	if (!io->cfg.max_mappings)
		io->cfg.max_mappings = IOMMU_DEFAULT_MAX_MAPPINGS;
	io->granule = g;
	io->bypass = cfg->bypass;
	io->next_tag = 1;
	ret = iotlb_init(&io->tlb, cfg->iotlb_sets, (unsigned)__builtin_ctzll(g));
	if (ret) {
		free(io);
		return ret;
	}
	ret = iommu_lock_init(&io->lock);
	if (ret) {
		iotlb_destroy(&io->tlb);
		free(io);
		return ret;
	}
	*out = io;
	return 0;
}

void iommu_destroy(struct iommu *io)
{
	if (!io)
		return;
	while (io->eps) {
		struct iommu_ep *ep = io->eps;

		io->eps = ep->next;
		if (ep->as)
			dma_as_set_translator(ep->as, NULL);
		free(ep);
	}
	for (unsigned i = 0; i < ARRAY_SIZE(io->rows); i++)
		free(atomic_load(&io->rows[i]));
	while (io->domains) {
		struct iommu_domain *d = io->domains;

		io->domains = d->next;
		iova_map_clear(&d->map);
		free(d);
	}
	iotlb_destroy(&io->tlb);
	pthread_rwlock_destroy(&io->lock);
	free(io);
}

struct iommu_ep *iommu_ep_find(struct iommu *io, uint16_t rid)
{
	struct iommu_ep_row *row = atomic_load_explicit(&io->rows[rid >> 8], memory_order_acquire);

	return row ? atomic_load_explicit(&row->ep[rid & 0xff], memory_order_acquire) : NULL;
}

struct iommu_domain *iommu_domain_find(struct iommu *io, uint32_t id)
{
	struct iommu_domain *d;

	/* Bounded: there are never more domains than endpoints. */
	for (d = io->domains; d; d = d->next)
		if (d->id == id)
			return d;
	return NULL;
}

/* The translation view for an endpoint in mode (and dom). */
static uint64_t ep_view_of(const struct iommu *io, enum ep_mode mode,
			   const struct iommu_domain *dom)
{
	if (mode == EP_MODE_DOMAIN)
		return dom->bypass ? EP_VIEW_IDENTITY : (EP_VIEW_DOMAIN | dom->tag << 2);
	if (mode == EP_MODE_DETACHED && io->bypass)
		return EP_VIEW_IDENTITY;
	return EP_VIEW_BLOCKED;
}

struct watch_ctx {
	struct iommu *io;
	uint32_t domain;
};

/* Tell the watch that m leaves the domain. */
static int watch_unmap(void *opaque, const struct iova_mapping *m)
{
	struct watch_ctx *c = opaque;

	c->io->watch_fn(c->io->watch_opaque, IOMMU_EVENT_UNMAP, c->domain, m);
	return 0;
}

static void domain_free(struct iommu *io, struct iommu_domain *dom)
{
	struct iommu_domain **pp = &io->domains;
	struct watch_ctx c = {io, dom->id};

	if (io->watch_fn)
		(void)iova_map_walk(&dom->map, iova(0), iova(~0ull), watch_unmap, &c);

	while (*pp != dom)
		pp = &(*pp)->next;
	*pp = dom->next;
	io->nr_mappings -= dom->map.count;
	iotlb_flush_tag(&io->tlb, dom->tag);
	iova_map_clear(&dom->map);
	free(dom);
}

/* Take ep out of its domain's list; free the domain if it is now empty. */
static void ep_unlink(struct iommu *io, struct iommu_ep *ep)
{
	struct iommu_domain *dom = ep->dom;
	struct iommu_ep **pp;

	if (!dom)
		return;
	for (pp = &dom->eps; *pp != ep; pp = &(*pp)->dom_next)
		;
	*pp = ep->dom_next;
	ep->dom = NULL;
	ep->dom_next = NULL;
	if (!dom->eps)
		domain_free(io, dom);
}

static void ep_publish(struct iommu_ep *ep, uint64_t view)
{
	atomic_store_explicit(&ep->view, view, memory_order_release);
	if (ep->as)
		dma_as_invalidate(ep->as);
}

/* Move ep to mode (attached to dom for EP_MODE_DOMAIN). 0, or -EIO when a
 * consumer refused the new view: ep is then blocked. */
static int ep_move(struct iommu *io, struct iommu_ep *ep, enum ep_mode mode,
		   struct iommu_domain *dom)
{
	uint64_t old = atomic_load_explicit(&ep->view, memory_order_relaxed);
	uint64_t view = ep_view_of(io, mode, dom);
	int ret = 0;

	if (old != view)
		iommu_notify_leave(ep);
	ep_unlink(io, ep);
	ep->mode = mode;
	if (mode == EP_MODE_DOMAIN) {
		ep->dom = dom;
		ep->dom_next = dom->eps;
		dom->eps = ep;
	}
	ep_publish(ep, view);
	if (old != view)
		ret = iommu_notify_enter(ep);
	if (ret) {
		ep_unlink(io, ep);
		ep->mode = EP_MODE_BLOCKED;
		ep_publish(ep, EP_VIEW_BLOCKED);
	}
	return ret;
}

int iommu_endpoint_add(struct iommu *io, uint16_t rid, struct dma_as *as)
{
	struct iommu_ep_row *row;
	struct iommu_ep *ep;
	int ret = 0;

	pthread_rwlock_wrlock(&io->lock);
	row = atomic_load(&io->rows[rid >> 8]);
	if (row && atomic_load(&row->ep[rid & 0xff])) {
		ret = -EEXIST;
		goto unlock;
	}
	if (!row) {
		row = calloc(1, sizeof(*row));
		if (!row) {
			ret = -ENOMEM;
			goto unlock;
		}
		atomic_store_explicit(&io->rows[rid >> 8], row, memory_order_release);
	}
	ep = calloc(1, sizeof(*ep));
	if (!ep) {
		ret = -ENOMEM;
		goto unlock;
	}
	ep->io = io;
	ep->rid = rid;
	ep->as = as;
	ep->xl = (struct dma_translator){iommu_ep_translate, iommu_ep_fault, ep};
	ep->mode = EP_MODE_DETACHED;
	atomic_init(&ep->view, ep_view_of(io, EP_MODE_DETACHED, NULL));
	ep->next = io->eps;
	io->eps = ep;
	atomic_store_explicit(&row->ep[rid & 0xff], ep, memory_order_release);
	if (as)
		dma_as_set_translator(as, &ep->xl);
unlock:
	pthread_rwlock_unlock(&io->lock);
	return ret;
}

int iommu_endpoint_state(struct iommu *io, uint16_t rid, uint32_t *domain)
{
	struct iommu_ep *ep = iommu_ep_find(io, rid);
	int ret;

	if (!ep)
		return -ENOENT;
	pthread_rwlock_rdlock(&io->lock);
	if (ep->mode == EP_MODE_DOMAIN) {
		ret = ep->dom->bypass ? IOMMU_EP_DOMAIN_BYPASS : IOMMU_EP_DOMAIN;
		if (domain)
			*domain = ep->dom->id;
	} else if (ep->mode == EP_MODE_BLOCKED) {
		ret = IOMMU_EP_BLOCKED;
	} else {
		ret = io->bypass ? IOMMU_EP_DETACHED_BYPASS : IOMMU_EP_DETACHED_BLOCKED;
	}
	pthread_rwlock_unlock(&io->lock);
	return ret;
}

void iommu_set_fault_handler(struct iommu *io,
			     void (*fn)(void *opaque, uint16_t rid, const struct dma_fault *f),
			     void *opaque)
{
	pthread_rwlock_wrlock(&io->lock);
	io->fault_fn = fn;
	io->fault_opaque = opaque;
	pthread_rwlock_unlock(&io->lock);
}

void iommu_set_miss_handler(struct iommu *io, iommu_miss_fn *fn, void *opaque)
{
	pthread_rwlock_wrlock(&io->lock);
	io->miss_fn = fn;
	io->miss_opaque = opaque;
	pthread_rwlock_unlock(&io->lock);
}

void iommu_set_watch(struct iommu *io, iommu_watch_fn *fn, void *opaque)
{
	pthread_rwlock_wrlock(&io->lock);
	io->watch_fn = fn;
	io->watch_opaque = opaque;
	pthread_rwlock_unlock(&io->lock);
}

void iommu_set_check(struct iommu *io, iommu_check_fn *fn, void *opaque)
{
	pthread_rwlock_wrlock(&io->lock);
	io->check_fn = fn;
	io->check_opaque = opaque;
	pthread_rwlock_unlock(&io->lock);
}

int iommu_set_bypass(struct iommu *io, bool bypass)
{
	int ret = 0;

	pthread_rwlock_wrlock(&io->lock);
	io->bypass = bypass;
	for (struct iommu_ep *ep = io->eps; ep; ep = ep->next)
		if (ep->mode == EP_MODE_DETACHED && ep_move(io, ep, EP_MODE_DETACHED, NULL))
			ret = -EIO;
	pthread_rwlock_unlock(&io->lock);
	return ret;
}

/* A new, empty domain, linked in. NULL when out of memory. */
static struct iommu_domain *domain_new(struct iommu *io, uint32_t id, bool bypass)
{
	struct iommu_domain *dom = calloc(1, sizeof(*dom));

	if (!dom)
		return NULL;
	dom->id = id;
	dom->bypass = bypass;
	dom->tag = io->next_tag++;
	iova_map_init(&dom->map);
	dom->next = io->domains;
	io->domains = dom;
	return dom;
}

int iommu_attach(struct iommu *io, uint32_t domain, uint16_t rid, unsigned flags)
{
	struct iommu_ep *ep = iommu_ep_find(io, rid);
	bool bypass = flags & IOMMU_ATTACH_BYPASS;
	struct iommu_domain *dom;
	int ret = 0;

	if (flags & ~IOMMU_ATTACH_BYPASS)
		return -EINVAL;
	if (!ep)
		return -ENOENT;
	if (domain < io->cfg.domain_first || domain > io->cfg.domain_last)
		return -ERANGE;
	pthread_rwlock_wrlock(&io->lock);
	dom = iommu_domain_find(io, domain);
	if (dom && dom->bypass != bypass)
		ret = -EINVAL;
	else if (dom && ep->mode == EP_MODE_DOMAIN && ep->dom == dom)
		ret = 0;
	else if (!dom && !(dom = domain_new(io, domain, bypass)))
		ret = -ENOMEM;
	else
		ret = ep_move(io, ep, EP_MODE_DOMAIN, dom);
	pthread_rwlock_unlock(&io->lock);
	return ret;
}

int iommu_detach(struct iommu *io, uint32_t domain, uint16_t rid)
{
	struct iommu_ep *ep = iommu_ep_find(io, rid);
	int ret;

	if (!ep)
		return -ENOENT;
	pthread_rwlock_wrlock(&io->lock);
	if (ep->mode != EP_MODE_DOMAIN || ep->dom->id != domain)
		ret = -EINVAL;
	else
		ret = ep_move(io, ep, EP_MODE_DETACHED, NULL);
	pthread_rwlock_unlock(&io->lock);
	return ret;
}

int iommu_block(struct iommu *io, uint16_t rid)
{
	struct iommu_ep *ep = iommu_ep_find(io, rid);

	if (!ep)
		return -ENOENT;
	pthread_rwlock_wrlock(&io->lock);
	(void)ep_move(io, ep, EP_MODE_BLOCKED, NULL); /* blocked: no MAPs to refuse */
	pthread_rwlock_unlock(&io->lock);
	return 0;
}

void iommu_reset(struct iommu *io)
{
	pthread_rwlock_wrlock(&io->lock);
	io->bypass = io->cfg.bypass;
	/* A refusal leaves that endpoint blocked; reset goes on. */
	for (struct iommu_ep *ep = io->eps; ep; ep = ep->next)
		(void)ep_move(io, ep, EP_MODE_DETACHED, NULL);
	iotlb_flush_all(&io->tlb);
	pthread_rwlock_unlock(&io->lock);
}

uint64_t iommu_granule(const struct iommu *io)
{
	return io->granule;
}
