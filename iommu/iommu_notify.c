// SPDX-License-Identifier: MIT
/* IOMMU core: MAP/UNMAP notifiers. A notifier mirrors one endpoint's view:
 * the mappings of its domain, identity (BYPASS_ON), or nothing (blocked).
 * Entering a view replays it; leaving sends its undo. A refused MAP or
 * BYPASS_ON is undone exactly for the consumers that accepted it. All of
 * this runs under the core's write lock. */
#include "iommu/iommu_internal.h"

#include <errno.h>

static int notify_send(struct iommu_notifier *n, enum iommu_event_type type,
		       const struct iova_mapping *m)
{
	struct iommu_event ev = {.type = type, .rid = n->rid};

	if (m)
		ev.m = *m;
	return n->notify(n->opaque, &ev);
}

struct replay {
	struct iommu_notifier *n;
	uint64_t sent;	/* MAP: accepted so far */
	uint64_t limit; /* UNMAP: how many to send */
};

static int replay_map(void *opaque, const struct iova_mapping *m)
{
	struct replay *r = opaque;

	if (notify_send(r->n, IOMMU_EVENT_MAP, m))
		return -EIO;
	r->sent++;
	return 0;
}

static int replay_unmap(void *opaque, const struct iova_mapping *m)
{
	struct replay *r = opaque;

	if (!r->limit)
		return 1; /* stop: the rest was never mapped */
	r->limit--;
	(void)notify_send(r->n, IOMMU_EVENT_UNMAP, m);
	return 0;
}

/* Send the first limit mappings of dom to n as UNMAPs. */
static void replay_undo(struct iommu_domain *dom, struct iommu_notifier *n, uint64_t limit)
{
	struct replay r = {n, 0, limit};

	(void)iova_map_walk(&dom->map, iova(0), iova(~0ull), replay_unmap, &r);
}

/* Replay ep's view to n alone; on a refusal undo what n accepted, -EIO. */
static int notifier_enter(struct iommu_ep *ep, struct iommu_notifier *n)
{
	uint64_t view = atomic_load_explicit(&ep->view, memory_order_relaxed);
	struct replay r = {n, 0, 0};

	switch (EP_VIEW_KIND(view)) {
	case EP_VIEW_IDENTITY: return notify_send(n, IOMMU_EVENT_BYPASS_ON, NULL) ? -EIO : 0;
	case EP_VIEW_DOMAIN:
		if (!iova_map_walk(&ep->dom->map, iova(0), iova(~0ull), replay_map, &r))
			return 0;
		replay_undo(ep->dom, n, r.sent);
		return -EIO;
	default: return 0;
	}
}

/* Tell n that ep's current view ends. */
static void notifier_leave(struct iommu_ep *ep, struct iommu_notifier *n)
{
	uint64_t view = atomic_load_explicit(&ep->view, memory_order_relaxed);

	if (EP_VIEW_KIND(view) == EP_VIEW_IDENTITY)
		(void)notify_send(n, IOMMU_EVENT_BYPASS_OFF, NULL);
	else if (EP_VIEW_KIND(view) == EP_VIEW_DOMAIN)
		replay_undo(ep->dom, n, ~0ull);
}

int iommu_notify_enter(struct iommu_ep *ep)
{
	for (struct iommu_notifier *n = ep->notifiers; n; n = n->next) {
		if (!notifier_enter(ep, n))
			continue;
		for (struct iommu_notifier *o = ep->notifiers; o != n; o = o->next)
			notifier_leave(ep, o);
		return -EIO;
	}
	return 0;
}

void iommu_notify_leave(struct iommu_ep *ep)
{
	for (struct iommu_notifier *n = ep->notifiers; n; n = n->next)
		notifier_leave(ep, n);
}

/* Send UNMAP m to every notifier of dom before (stop_ep, stop_n), or to all
 * of them when stop_n is NULL. */
static void notify_unmap_until(struct iommu_domain *dom, const struct iova_mapping *m,
			       const struct iommu_ep *stop_ep, const struct iommu_notifier *stop_n)
{
	for (struct iommu_ep *ep = dom->eps; ep; ep = ep->dom_next)
		for (struct iommu_notifier *n = ep->notifiers; n; n = n->next) {
			if (ep == stop_ep && n == stop_n)
				return;
			(void)notify_send(n, IOMMU_EVENT_UNMAP, m);
		}
}

int iommu_notify_map(struct iommu_domain *dom, const struct iova_mapping *m)
{
	for (struct iommu_ep *ep = dom->eps; ep; ep = ep->dom_next)
		for (struct iommu_notifier *n = ep->notifiers; n; n = n->next) {
			int ret = notify_send(n, IOMMU_EVENT_MAP, m);

			if (ret) {
				notify_unmap_until(dom, m, ep, n);
				return ret == -ENOMEM ? -ENOMEM : -EIO;
			}
		}
	return 0;
}

void iommu_notify_unmap(struct iommu_domain *dom, const struct iova_mapping *m)
{
	notify_unmap_until(dom, m, NULL, NULL);
}

int iommu_notifier_add(struct iommu *io, uint16_t rid, struct iommu_notifier *n)
{
	struct iommu_ep *ep = iommu_ep_find(io, rid);
	int ret;

	if (!ep)
		return -ENOENT;
	pthread_rwlock_wrlock(&io->lock);
	n->rid = rid;
	n->next = NULL;
	ret = notifier_enter(ep, n);
	if (!ret) {
		n->next = ep->notifiers;
		ep->notifiers = n;
	}
	pthread_rwlock_unlock(&io->lock);
	return ret;
}

void iommu_notifier_del(struct iommu *io, struct iommu_notifier *n)
{
	struct iommu_ep *ep = iommu_ep_find(io, n->rid);

	if (!ep)
		return;
	pthread_rwlock_wrlock(&io->lock);
	for (struct iommu_notifier **pp = &ep->notifiers; *pp; pp = &(*pp)->next)
		if (*pp == n) {
			*pp = n->next;
			break;
		}
	pthread_rwlock_unlock(&io->lock);
}
