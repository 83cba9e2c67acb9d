/* SPDX-License-Identifier: MIT */
/* The map and unmap lines of --iommu-log: an IOMMU core's watch
 * (iommu_set_watch) that writes each mapping entering or leaving a domain
 * to an event log, as a domain-level event (sid null). */
#ifndef IOMMU_EVLOG_WATCH_H
#define IOMMU_EVLOG_WATCH_H

#include "iommu/evlog.h"
#include "iommu/iommu.h"

struct evlog_watch {
	struct evlog *log;
	enum evlog_iommu kind;
};

/* Log io's maps and unmaps to l as kind. w (caller-owned) must outlive io.
 * Nothing is installed when l is NULL. Before devices run. */
void evlog_watch_iommu(struct evlog_watch *w, struct evlog *l, enum evlog_iommu kind,
		       struct iommu *io);

#endif
