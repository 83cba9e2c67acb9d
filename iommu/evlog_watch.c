// SPDX-License-Identifier: MIT
/* An IOMMU core's maps and unmaps as --iommu-log lines. */
#include "iommu/evlog_watch.h"

static void watch(void *opaque, enum iommu_event_type type, uint32_t domain,
		  const struct iova_mapping *m)
{
	struct evlog_watch *w = opaque;
	struct evlog_head h = {w->kind, EVLOG_NULL, domain, true, m->first.a, NULL};

	if (type == IOMMU_EVENT_MAP)
		evlog_map(w->log, &h, m);
	else if (type == IOMMU_EVENT_UNMAP)
		evlog_unmap(w->log, &h, m->last.a - m->first.a + 1);
}

void evlog_watch_iommu(struct evlog_watch *w, struct evlog *l, enum evlog_iommu kind,
		       struct iommu *io)
{
	if (!l)
		return;
	*w = (struct evlog_watch){l, kind};
	iommu_set_watch(io, watch, w);
}
