// SPDX-License-Identifier: MIT
/* VT-d: check-invalidation=on. Hardware may keep serving a translation from
 * its IOTLB after the guest changed the page-table entry behind it, until
 * the guest invalidates it (VT-d 6.5); a driver that forgets the flush works
 * by luck. Here every translation the core serves from its cache (its
 * domain mappings: the unit's IOTLB) is walked again in the guest's tables
 * under walk_lock; a different GPA or permission, or nothing present, is
 * logged as a missed invalidation with both entries. The DMA is still
 * served from the cache, as hardware would.
 *
 * A translation that raced with an invalidation is not a missed one: the
 * check reports only while the core still holds the very mapping that
 * served it (invalidations remove mappings under walk_lock). Each stale
 * entry is reported once, until an invalidation names it; at most
 * VTD_STALE_MAX are remembered (the oldest is forgotten first). */
#include "devices/vtd/vtd_internal.h"

#include "iommu/dma.h"

#define PERM_RW (DMA_ACCESS_READ | DMA_ACCESS_WRITE)

static bool same_mapping(const struct iova_mapping *a, const struct iova_mapping *b)
{
	return a->first.a == b->first.a && a->last.a == b->last.a && a->gpa.a == b->gpa.a &&
	       a->flags == b->flags;
}

/* walk_lock held. */
static bool stale_known(const struct vtd *v, uint32_t did, const struct iova_mapping *m)
{
	for (unsigned i = 0; i < v->nr_stale; i++)
		if (v->stale[i].did == did && v->stale[i].first == m->first.a &&
		    v->stale[i].last == m->last.a)
			return true;
	return false;
}

/* walk_lock held. */
static void stale_add(struct vtd *v, uint32_t did, const struct iova_mapping *m)
{
	struct vtd_stale s = {did, m->first.a, m->last.a};

	if (v->nr_stale < VTD_STALE_MAX) {
		v->stale[v->nr_stale++] = s;
		return;
	}
	v->stale[v->next_stale] = s;
	v->next_stale = (v->next_stale + 1) % VTD_STALE_MAX;
}

/* What the guest's tables say for iova of rid now: true, the entry in *e
 * and the translation of iova in *xlated; false when nothing is present
 * (or the context cannot be read). walk_lock held. */
static bool table_entry(struct vtd *v, uint16_t rid, uint64_t iova_a, struct evlog_entry *e,
			uint64_t *xlated)
{
	struct vtd_leaf leaf;
	struct vtd_ctx ctx;

	if (vtd_ctx_read(v->mem, v->aw_bits, v->cap, v->rtaddr, rid, &ctx))
		return false;
	if (ctx.tt == VTD_TT_PASS) {
		*e = (struct evlog_entry){iova_a & ~0xfffull, 0x1000, PERM_RW};
		*xlated = iova_a;
		return true;
	}
	/* Access 0: the leaf whatever its permissions. */
	if (vtd_walk(v->mem, v->aw_bits, &ctx, iova_a, 0, &leaf))
		return false;
	*e = (struct evlog_entry){leaf.gpa, leaf.size, leaf.perm};
	*xlated = leaf.gpa + (iova_a - leaf.iova);
	return true;
}

void vtd_check(void *opaque, uint16_t rid, iova_t iova, unsigned access,
	       const struct iova_mapping *m)
{
	struct vtd *v = opaque;
	struct evlog_entry cached = {m->gpa.a, m->last.a - m->first.a + 1, m->flags & PERM_RW};
	struct evlog_entry table;
	struct evlog_head h = {EVLOG_INTEL, rid, EVLOG_NULL, true, iova.a & ~0xfffull, "stale"};
	struct iova_mapping cur;
	bool present = false, report = false;
	uint64_t xlated = 0;
	uint32_t dom = 0;

	(void)access; /* a permission fault served from the cache is checked too */
	pthread_mutex_lock(&v->walk_lock);
	if (v->te && iommu_endpoint_state(v->io, rid, &dom) == IOMMU_EP_DOMAIN &&
	    iommu_domain_mapping(v->io, dom, iova, &cur) && same_mapping(&cur, m) &&
	    !stale_known(v, dom, m)) {
		present = table_entry(v, rid, iova.a, &table, &xlated);
		report = !present || xlated != m->gpa.a + (iova.a - m->first.a) ||
			 table.perm != cached.perm;
		if (report)
			stale_add(v, dom, m);
	}
	pthread_mutex_unlock(&v->walk_lock);
	if (!report)
		return;
	h.domain = dom;
	evlog_missed_inval(v->log, &h, &cached, present ? &table : NULL);
}

void vtd_check_forget(struct vtd *v, int64_t did, uint64_t first, uint64_t last)
{
	unsigned kept = 0;

	if (!v->check)
		return;
	pthread_mutex_lock(&v->walk_lock);
	for (unsigned i = 0; i < v->nr_stale; i++) {
		const struct vtd_stale *s = &v->stale[i];

		if ((did < 0 || s->did == did) && s->first <= last && s->last >= first)
			continue;
		v->stale[kept++] = *s;
	}
	v->nr_stale = kept;
	v->next_stale = 0;
	pthread_mutex_unlock(&v->walk_lock);
}
