// SPDX-License-Identifier: MIT
/* VT-d caching mode: an invalidated range of a domain walked again, and the
 * core's mappings of that range made equal to the guest's tables, with one
 * core mapping (so one notifier MAP, so one host VFIO_IOMMU_MAP_DMA for a
 * mirror) per contiguous run rather than per leaf.
 *
 * The rule, for an invalidation of [first, last] (everything under
 * walk_lock, so no miss and no other invalidation runs meanwhile):
 *  - A core mapping that overlaps the range and translates every page of
 *    the range it covers as the tables do stays untouched (no UNMAP, no
 *    MAP), even when it reaches outside the range.
 *  - The present pages of the range that no untouched mapping covers are
 *    mapped in runs: consecutive leaves contiguous in IOVA and in GPA,
 *    with equal permissions, inside one RAM region (the host maps one
 *    region's memory at a time; a leaf that is not all RAM is a run of its
 *    own), as one core mapping each.
 *  - A core mapping that differs from the tables somewhere in the range
 *    (another GPA or permission, or not present) is replaced: unmapped
 *    whole, and every part of it still present is mapped again, inside
 *    the range from the tables, outside it with its old translation (what
 *    the guest last invalidated there). Those parts join the runs they
 *    are contiguous with.
 * So no IOVA the guest still maps is left unmapped afterwards. The one
 * departure from "only the differences change": between the UNMAP of a
 * replaced mapping and the MAPs of its parts, the parts still present are
 * not mapped (a host mapping cannot be cut: VFIO type1 refuses an UNMAP
 * that bisects one). Linux makes no such change: it maps an IOVA range
 * and later unmaps the same range whole (one dma_map_* call is one run
 * here; its unmap is one whole UNMAP), and a PSI that covers a neighbour
 * finds the neighbour unchanged. Only a guest that remaps part of a live
 * range in place, or a walk cut short by its budget (the rest of the
 * range is then dropped, as an invalidation must not leave stale
 * translations), replaces a mapping. */
#include <errno.h>

#include "devices/vtd/vtd_internal.h"
#include "iommu/dma.h"
#include "vmm/log.h"

/* [first, last] -> [gpa, ...] with perm; on: holds something. */
struct run {
	uint64_t first, last, gpa;
	unsigned perm;
	bool on;
};

struct replay {
	struct vtd *v;
	uint16_t did;
	uint64_t first, last; /* the invalidated range */
	uint64_t pos;	      /* the next IOVA of the range no leaf or gap covered */
	struct run run;	      /* being gathered, not yet mapped */
	bool held;	      /* hold: a core mapping that matched the tables so far */
	struct iova_mapping hold;
	struct run tail; /* what a replaced mapping had beyond last */
	/* A replaced mapping that ends at cut_last and kept no part outside
	 * the range: a page of it still present in the tables makes it a
	 * split after all. */
	bool cut_open;
	uint64_t cut_last;
	unsigned mapped;   /* runs */
	unsigned replaced; /* mappings replaced while a part stayed mapped */
	uint64_t leaves;   /* pieces of leaves mapped (a mapping each, per leaf) */
};

/* Map the run gathered so far, if any, as one core mapping. */
static void run_flush(struct replay *r)
{
	struct run *u = &r->run;
	int ret;

	if (!u->on)
		return;
	u->on = false;
	ret = iommu_map(r->v->io, r->did, iova(u->first), iova(u->last), gpa(u->gpa), u->perm);
	if (!ret)
		r->mapped++;
	else
		log_guest_once("vtd: domain %u: cannot map 0x%llx-0x%llx: %d", r->did,
			       (unsigned long long)u->first, (unsigned long long)u->last, ret);
}

/* Add [a, b] -> g with perm to the run: it grows when the piece follows it
 * in IOVA and GPA with its permissions and the whole stays in one RAM
 * region; otherwise the run is mapped and the piece starts the next one. */
static void run_add(struct replay *r, uint64_t a, uint64_t b, uint64_t g, unsigned perm)
{
	struct run *u = &r->run;

	if (u->on && u->last + 1 == a && u->gpa + (a - u->first) == g && u->perm == perm &&
	    guest_mem_ptr(r->v->mem, gpa(u->gpa), b - u->first + 1)) {
		u->last = b;
		return;
	}
	run_flush(r);
	*u = (struct run){a, b, g, perm, true};
}

/* The walk is at a: a held mapping that ends before a matched the tables
 * wherever the range covers it, so it stays; the run, which cannot grow
 * through it, is mapped. */
static void release(struct replay *r, uint64_t a)
{
	if (r->held && r->hold.last.a < a) {
		r->held = false;
		run_flush(r);
	}
}

/* Core mapping m differs from the tables at a (in m and in the range): it
 * goes; what it translated before a (outside the range, or checked equal
 * to the tables) joins the run with its old translation, and its part
 * beyond the range is kept in the tail, mapped at the end. false when the
 * core would not unmap it (then it stays as it is). */
static bool replace(struct replay *r, const struct iova_mapping *m, uint64_t a)
{
	int ret = iommu_unmap(r->v->io, r->did, m->first, m->last);

	r->held = false;
	if (ret) {
		log_guest_once("vtd: domain %u: cannot unmap 0x%llx: %d", r->did,
			       (unsigned long long)m->first.a, ret);
		return false;
	}
	r->cut_open = !(m->first.a < a || m->last.a > r->last);
	r->cut_last = m->last.a;
	if (!r->cut_open)
		r->replaced++;
	if (m->first.a < a)
		run_add(r, m->first.a, a - 1, m->gpa.a, m->flags);
	if (m->last.a > r->last)
		r->tail = (struct run){r->last + 1, m->last.a,
				       m->gpa.a + (r->last + 1 - m->first.a), m->flags, true};
	return true;
}

/* [a, b] of the range translates as the tables say: to g onwards with
 * perm, or nothing (perm 0). Each turn moves a on or removes a core
 * mapping, so the loop ends. */
static void segment(struct replay *r, uint64_t a, uint64_t b, uint64_t g, unsigned perm)
{
	uint64_t a0 = a;

	while (a <= b) {
		struct iova_mapping m;
		uint64_t e = b; /* [a, e]: no core mapping, or one that matches */

		release(r, a);
		if (iommu_domain_next(r->v->io, r->did, iova(a), &m) && m.first.a <= b) {
			if (m.first.a > a) {
				e = m.first.a - 1;
			} else {
				e = MIN(m.last.a, b);
				if (perm && m.flags == perm &&
				    m.gpa.a + (a - m.first.a) == g + (a - a0)) {
					r->held = true;
					r->hold = m;
					a = e + 1;
					continue;
				}
				if (replace(r, &m, a))
					continue; /* a is not mapped any more */
				run_flush(r);
				a = e + 1;
				continue;
			}
		}
		if (perm) {
			run_add(r, a, e, g + (a - a0), perm);
			r->leaves++;
			if (r->cut_open && a <= r->cut_last)
				r->replaced++; /* the tables still map part of it */
			r->cut_open = false;
		} else
			run_flush(r);
		a = e + 1;
	}
}

/* A present leaf, in increasing order: the gap before it, then the part
 * of it inside the range. Stops the walk at the end of the range. */
static int replay_leaf(void *opaque, const struct vtd_leaf *l)
{
	struct replay *r = opaque;
	uint64_t a = MAX(MAX(l->iova, r->first), r->pos);
	uint64_t b = MIN(l->iova + l->size - 1, r->last);

	if (a > b)
		return 0;
	if (a > r->pos)
		segment(r, r->pos, a - 1, 0, 0);
	segment(r, a, b, l->gpa + (a - l->iova), l->perm);
	r->pos = b + 1;
	return b >= r->last;
}

void vtd_replay(struct vtd *v, uint16_t did, const struct vtd_ctx *ctx, uint64_t first,
		uint64_t last)
{
	unsigned long full = vtd_replay_budget(v), budget = full;
	struct replay r = {.v = v, .did = did, .first = first, .last = last, .pos = first};

	if (ctx) {
		(void)vtd_walk_range(v->mem, v->aw_bits, ctx, first, last, &budget, replay_leaf,
				     &r);
		v->walk_work += full - budget;
		if (!budget)
			log_guest_once("vtd: domain %u: caching-mode walk cut short", did);
	}
	if (r.pos <= last) /* no wrap: the range ends below 2^48 */
		segment(&r, r.pos, last, 0, 0);
	if (r.held) {
		r.held = false;
		run_flush(&r);
	}
	if (r.tail.on)
		run_add(&r, r.tail.first, r.tail.last, r.tail.gpa, r.tail.perm);
	run_flush(&r);
	if (r.mapped)
		v->cm_invals_mapped++;
	v->cm_runs_mapped += r.mapped;
	v->cm_replaced += r.replaced;
	v->cm_leaves += r.leaves;
}

void vtd_get_stats(struct vtd *v, struct vtd_stats *out)
{
	pthread_mutex_lock(&v->walk_lock);
	*out = (struct vtd_stats){v->cm_invals_mapped, v->cm_runs_mapped, v->cm_replaced,
				  v->cm_leaves};
	pthread_mutex_unlock(&v->walk_lock);
}
