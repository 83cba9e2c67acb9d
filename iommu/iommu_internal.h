/* SPDX-License-Identifier: MIT */
/* The IOMMU core's private structures, shared by iommu/iommu*.c only.
 *
 * Locking: io->lock (a rwlock) protects everything here except the fields
 * marked "lock-free", which translation reads without it. Writers (map,
 * unmap, attach, ...) hold it for writing; a translation that misses the
 * IOTLB holds it for reading while it walks the mappings and fills the
 * IOTLB, so no fill can follow the unmap that invalidates it. */
#ifndef IOMMU_IOMMU_INTERNAL_H
#define IOMMU_IOMMU_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>

#include "iommu/iommu.h"
#include "iommu/iotlb.h"
#include "iommu/map.h"

struct iommu_domain {
	struct iommu_domain *next;
	uint32_t id;
	bool bypass;
	uint64_t tag; /* IOTLB tag: unique per domain instance, never 0 */
	struct iova_map map;
	struct iommu_ep *eps; /* attached endpoints, through dom_next */
};

enum ep_mode {
	EP_MODE_DETACHED, /* follows io->bypass */
	EP_MODE_DOMAIN,	  /* attached to ep->dom */
	EP_MODE_BLOCKED,
};

/* What translation does for an endpoint, in one word: a kind in the low
 * bits and, for EP_VIEW_DOMAIN, the domain's IOTLB tag above them. */
#define EP_VIEW_BLOCKED	 0u
#define EP_VIEW_IDENTITY 1u
#define EP_VIEW_DOMAIN	 2u
#define EP_VIEW_KIND(v)	 ((unsigned)((v)&3))
#define EP_VIEW_TAG(v)	 ((v) >> 2)

struct iommu_ep {
	struct iommu *io;
	uint16_t rid;
	struct dma_as *as;	   /* may be NULL */
	struct dma_translator xl;  /* installed in as; opaque = this */
	atomic_uint_fast64_t view; /* lock-free: EP_VIEW_* | tag << 2 */
	enum ep_mode mode;
	struct iommu_domain *dom;  /* EP_MODE_DOMAIN */
	struct iommu_ep *dom_next; /* in dom->eps */
	struct iommu_ep *next;	   /* in io->eps */
	struct iommu_notifier *notifiers;
};

/* Requester ID -> endpoint, two levels (bus, devfn), filled once. */
struct iommu_ep_row {
	_Atomic(struct iommu_ep *) ep[256];
};

struct iommu {
	pthread_rwlock_t lock;
	struct iommu_config cfg;
	uint64_t granule;
	bool bypass;				  /* global bypass now */
	_Atomic(struct iommu_ep_row *) rows[256]; /* lock-free */
	struct iommu_ep *eps;
	struct iommu_domain *domains;
	uint64_t next_tag;
	uint64_t nr_mappings; /* over all domains */
	struct iotlb tlb;     /* lock-free lookups; see iotlb.h */
	void (*fault_fn)(void *opaque, uint16_t rid, const struct dma_fault *f);
	void *fault_opaque;
	iommu_miss_fn *miss_fn; /* set before devices run; read lock-free */
	void *miss_opaque;
	iommu_watch_fn *watch_fn; /* set before devices run */
	void *watch_opaque;
	iommu_check_fn *check_fn; /* set before devices run; read lock-free */
	void *check_opaque;
};

/* iommu.c */

/* The endpoint of rid, or NULL. Lock-free. */
struct iommu_ep *iommu_ep_find(struct iommu *io, uint16_t rid);

/* The domain with this ID, or NULL. Lock held. */
struct iommu_domain *iommu_domain_find(struct iommu *io, uint32_t id);

/* iommu_xlate.c: the dma_translator callbacks (opaque: the endpoint). */
int iommu_ep_translate(void *opaque, uint16_t rid, iova_t iova, unsigned access,
		       struct dma_xlate *x, struct dma_fault *f);
void iommu_ep_fault(void *opaque, uint16_t rid, const struct dma_fault *f);

/* iommu_notify.c; write lock held. */

/* Send ep's current view to every notifier of ep (MAPs or BYPASS_ON). On a
 * refusal, undo it for the notifiers that got it and return -EIO. */
int iommu_notify_enter(struct iommu_ep *ep);

/* Tell every notifier of ep that its current view ends (UNMAPs or
 * BYPASS_OFF). */
void iommu_notify_leave(struct iommu_ep *ep);

/* Tell the notifiers of every endpoint in dom about new mapping m. On a
 * refusal, send UNMAP to those that got it and return -ENOMEM when the
 * refusal was for resources (a host budget), else -EIO. */
int iommu_notify_map(struct iommu_domain *dom, const struct iova_mapping *m);

/* Tell the notifiers of every endpoint in dom that m is gone. */
void iommu_notify_unmap(struct iommu_domain *dom, const struct iova_mapping *m);

#endif
