// SPDX-License-Identifier: MIT
/* VT-d: keeping the IOMMU core in step with the guest's tables. A context
 * entry decides an endpoint's core state (attached to the core domain of its
 * domain ID, to the bypass domain for pass-through, blocked when not present
 * or bad); the core's domain mappings are the IOTLB: a miss walks the guest's
 * tables and caches the leaf, invalidations remove what they name, and with
 * caching mode an invalidated range is walked again at once (replay.c), one
 * core mapping per contiguous run. Everything here holds walk_lock (see
 * vtd_internal.h). */
#include <errno.h>

#include "devices/vtd/vtd_internal.h"
#include "iommu/dma.h"
#include "vmm/log.h"

static int ep_index(const struct vtd *v, uint16_t rid)
{
	for (unsigned i = 0; i < v->nr_eps; i++)
		if (v->eps[i] == rid)
			return (int)i;
	return -1;
}

/* Read endpoint i's context and make the core follow it. 0 or the fault
 * reason of the root or context entry. */
static unsigned ep_follow(struct vtd *v, unsigned i, struct vtd_ctx *ctx)
{
	uint16_t rid = v->eps[i];
	unsigned code = vtd_ctx_read(v->mem, v->aw_bits, v->cap, v->rtaddr, rid, ctx);
	int ret;

	v->fpd[i] = ctx->fpd;
	if (code) {
		if (iommu_endpoint_state(v->io, rid, NULL) != IOMMU_EP_BLOCKED)
			(void)iommu_block(v->io, rid);
		return code;
	}
	if (ctx->tt == VTD_TT_PASS)
		ret = iommu_attach(v->io, VTD_BYPASS_DOMAIN, rid, IOMMU_ATTACH_BYPASS);
	else
		ret = iommu_attach(v->io, ctx->did, rid, 0);
	if (ret) {
		log_guest_once("vtd: %02x.%x: cannot follow its context entry: %d", (rid >> 3) & 31,
			       rid & 7, ret);
		return VTD_FR_CTX_INV;
	}
	return 0;
}

/* Cache leaf l in domain did (a miss). A stale overlapping entry (the
 * guest changed a present entry without invalidating it) or a full cache
 * is dropped first, without caching mode only: with it the core's mappings
 * are runs that notifier consumers mirror, and dropping one would unmap
 * pages the guest still maps (the leaf is then not cached). */
static int cache_leaf(struct vtd *v, uint16_t did, const struct vtd_leaf *l)
{
	iova_t first = iova(l->iova), last = iova(l->iova + l->size - 1);
	int ret = iommu_map(v->io, did, first, last, gpa(l->gpa), l->perm);

	if (v->cap & VTD_CAP_CM)
		return ret;
	if (ret == -EEXIST)
		(void)iommu_unmap_overlap(v->io, did, first, last);
	else if (ret == -ENOMEM)
		(void)iommu_unmap_overlap(v->io, did, iova(0), iova(VTD_IOVA_LAST));
	if (ret == -EEXIST || ret == -ENOMEM)
		ret = iommu_map(v->io, did, first, last, gpa(l->gpa), l->perm);
	if (ret)
		log_guest_once("vtd: domain %u: cannot cache 0x%llx: %d", did,
			       (unsigned long long)l->iova, ret);
	return ret;
}

/* The identity: translation off, or a pass-through context. */
static void xlate_identity(iova_t a, struct dma_xlate *x)
{
	x->gpa = gpa(a.a);
	x->len = a.a ? 0 - a.a : ~0ull;
	x->perm = DMA_ACCESS_READ | DMA_ACCESS_WRITE;
}

int vtd_miss(void *opaque, uint16_t rid, iova_t iova, unsigned access, struct dma_xlate *x,
	     struct dma_fault *f)
{
	struct vtd *v = opaque;
	struct vtd_ctx ctx = {0};
	struct vtd_leaf leaf = {0};
	unsigned code = 0;
	int i;

	pthread_mutex_lock(&v->walk_lock);
	i = ep_index(v, rid);
	if (v->te && i >= 0) {
		code = ep_follow(v, (unsigned)i, &ctx);
		if (!code && ctx.tt != VTD_TT_PASS)
			code = vtd_walk(v->mem, v->aw_bits, &ctx, iova.a, access, &leaf);
		if (!code && ctx.tt != VTD_TT_PASS)
			(void)cache_leaf(v, ctx.did,
					 &leaf); /* for later lookups; this one has leaf */
	}
	pthread_mutex_unlock(&v->walk_lock);
	if (!code) {
		if (!leaf.size) {
			xlate_identity(iova, x);
		} else {
			x->gpa = gpa(leaf.gpa + (iova.a - leaf.iova));
			x->len = leaf.iova + leaf.size - iova.a;
			x->perm = leaf.perm;
		}
		return 0;
	}
	f->iova = iova;
	f->access = access;
	f->reason = code <= VTD_FR_CTX_INV || (code >= VTD_FR_ROOT_PTR && code <= VTD_FR_CTX_RSVD)
			    ? DMA_FAULT_BLOCKED
			    : DMA_FAULT_UNMAPPED;
	f->code = code | (ctx.fpd ? VTD_FAULT_FPD : 0);
	return -EFAULT;
}

void vtd_set_translation(struct vtd *v, bool on)
{
	struct vtd_ctx ctx;

	pthread_mutex_lock(&v->walk_lock);
	v->te = on;
	if (on) {
		if (iommu_set_bypass(v->io, false))
			log_guest_once("vtd: a consumer refused translation on");
		for (unsigned i = 0; i < v->nr_eps; i++)
			(void)ep_follow(v, i, &ctx);
	} else {
		iommu_reset(v->io); /* every endpoint detached; bypass as created: on */
	}
	pthread_mutex_unlock(&v->walk_lock);
}

/* The tables of an endpoint attached to did, in *ctx: true, or false when
 * no endpoint is (then nothing can be cached for did). */
static bool domain_ctx(struct vtd *v, uint16_t did, struct vtd_ctx *ctx)
{
	uint32_t dom;

	for (unsigned i = 0; i < v->nr_eps; i++) {
		if (iommu_endpoint_state(v->io, v->eps[i], &dom) != IOMMU_EP_DOMAIN || dom != did)
			continue;
		if (!vtd_ctx_read(v->mem, v->aw_bits, v->cap, v->rtaddr, v->eps[i], ctx) &&
		    ctx->tt == VTD_TT_MULTI_LEVEL && ctx->did == did)
			return true;
	}
	return false;
}

/* An invalidation of [first, last] of domain did: without caching mode
 * the range is dropped (it fills again on misses: one leaf per mapping);
 * with it, the range is walked again at once and only the differences
 * change, one core mapping per contiguous run of leaves (replay.c: the
 * rule, and its one departure, a changed part of a run replaces the run).
 * A walk cut short by its budget drops the rest of the range. */
static void inval_domain(struct vtd *v, uint16_t did, uint64_t first, uint64_t last)
{
	struct vtd_ctx ctx;

	if (!v->te || !(v->cap & VTD_CAP_CM))
		(void)iommu_unmap_overlap(v->io, did, iova(first), iova(last));
	else
		vtd_replay(v, did, domain_ctx(v, did, &ctx) ? &ctx : NULL, first, last);
}

/* Whether endpoint i is attached to a domain (*dom) that no endpoint
 * before it is attached to: the domain's first endpoint. */
static bool first_of_domain(struct vtd *v, unsigned i, uint32_t *dom)
{
	uint32_t other;

	if (iommu_endpoint_state(v->io, v->eps[i], dom) != IOMMU_EP_DOMAIN)
		return false;
	for (unsigned j = 0; j < i; j++)
		if (iommu_endpoint_state(v->io, v->eps[j], &other) == IOMMU_EP_DOMAIN &&
		    other == *dom)
			return false;
	return true;
}

/* The whole space of every domain an endpoint from `from` on is attached
 * to, once each (walk_lock held). With the queue's budget (inval_stop) it
 * stops between two endpoints once walk_work reaches it, after one
 * endpoint at least: inval_more and inval_next say where it goes on. The
 * endpoints' domains are what the contexts said when the invalidation
 * began; a miss meanwhile reads the same contexts, so they stay. */
static void inval_domains(struct vtd *v, unsigned from)
{
	uint32_t dom;

	v->inval_more = false;
	for (unsigned i = from; i < v->nr_eps; i++) {
		if (i > from && v->inval_stop && v->walk_work >= v->inval_stop) {
			v->inval_more = true;
			v->inval_next = i;
			return;
		}
		if (first_of_domain(v, i, &dom))
			inval_domain(v, (uint16_t)dom, 0, VTD_IOVA_LAST);
	}
}

/* With caching mode, a context invalidation also walks the whole space of
 * every domain an endpoint is now attached to (once each): an endpoint
 * that came back to a domain, or moved to one, sees the tables as they
 * are, and one that went away has been unmapped by the core. */
void vtd_inval_context(struct vtd *v)
{
	struct vtd_ctx ctx;

	pthread_mutex_lock(&v->walk_lock);
	v->inval_more = false;
	for (unsigned i = 0; v->te && i < v->nr_eps; i++)
		(void)ep_follow(v, i, &ctx);
	if (v->te && (v->cap & VTD_CAP_CM))
		inval_domains(v, 0);
	pthread_mutex_unlock(&v->walk_lock);
}

void vtd_inval_iotlb(struct vtd *v, unsigned gran, uint16_t did, uint64_t addr, unsigned am)
{
	uint64_t size = 4096ull << am;

	pthread_mutex_lock(&v->walk_lock);
	v->inval_more = false;
	if (gran == DMA_TLB_GLOBAL) {
		inval_domains(v, 0);
	} else if (gran == DMA_TLB_DSI) {
		inval_domain(v, did, 0, VTD_IOVA_LAST);
	} else if (gran == DMA_TLB_PSI) {
		addr &= ~(size - 1) & VTD_IOVA_LAST;
		inval_domain(v, did, addr, addr + size - 1);
	}
	pthread_mutex_unlock(&v->walk_lock);
}

void vtd_inval_resume(struct vtd *v)
{
	pthread_mutex_lock(&v->walk_lock);
	if (v->inval_more)
		inval_domains(v, v->inval_next);
	pthread_mutex_unlock(&v->walk_lock);
}
