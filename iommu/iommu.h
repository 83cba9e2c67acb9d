/* SPDX-License-Identifier: MIT */
/* The IOMMU core: domains of IOVA mappings, endpoints (requester IDs)
 * attached to them, translation with an IOTLB, MAP/UNMAP notifiers, faults.
 * The virtio-iommu device and the emulated VT-d (devices/vtd/, which fills
 * domains from the guest's page tables through a miss handler) drive it
 * through this API; each DMA-capable device's struct dma_as
 * gets the core's translator; consumers that mirror an endpoint's view
 * subscribe to its notifier (VFIO passthrough: devices/vfio/mirror.h).
 *
 * Endpoint states: detached (DMA follows the global bypass setting: identity
 * or blocked), attached to a domain (translated by its mappings), attached
 * to a bypass domain (identity), or blocked (after iommu_block() or a failed
 * attach; until the next attach or reset).
 *
 * Ranges are inclusive [first, last] like virtio-iommu's virt_start and
 * virt_end. Errors, and the virtio-iommu status the device should return:
 *   -EINVAL  VIRTIO_IOMMU_S_INVAL   unknown flag bits, first > last, MAP or
 *                                   UNMAP on a bypass domain, ATTACH with a
 *                                   bypass flag that differs from the
 *                                   existing domain's, DETACH from a domain
 *                                   the endpoint is not attached to
 *   -EEXIST  VIRTIO_IOMMU_S_INVAL   MAP overlapping an existing mapping
 *   -ERANGE  VIRTIO_IOMMU_S_RANGE   misaligned to the smallest page size,
 *                                   outside the input range, GPA range wraps,
 *                                   domain ID outside the domain range,
 *                                   UNMAP that would split a mapping
 *   -ENOENT  VIRTIO_IOMMU_S_NOENT   unknown endpoint, MAP/UNMAP of a domain
 *                                   that does not exist
 *   -ENOMEM  VIRTIO_IOMMU_S_NOMEM   allocation failed, mapping limit reached,
 *                                   a consumer's budget (VFIO: host mapped
 *                                   bytes) refused a MAP, rolled back
 *   -EIO     VIRTIO_IOMMU_S_IOERR   a notifier consumer (VFIO) refused a MAP;
 *                                   the MAP was rolled back / the endpoint is
 *                                   left blocked
 * Every failing call except -EIO (and a consumer's -ENOMEM) changes
 * nothing.
 *
 * Threads: translation (iommu_translate, the dma_as translator) may run on
 * any number of device threads concurrently with everything else; an IOTLB
 * hit takes no lock. All other calls serialise on the core's rwlock (write
 * side). When iommu_unmap/detach/attach/block/reset returns, no translation
 * that starts afterwards sees the old mappings, and the generation of every
 * affected struct dma_as has been bumped. */
#ifndef IOMMU_IOMMU_H
#define IOMMU_IOMMU_H

#include "iommu/dma.h"
#include "iommu/map.h"
#include "vmm/types.h"

/* MAP flags: the same bits as VIRTIO_IOMMU_MAP_F_*; READ and WRITE are also
 * DMA_ACCESS_READ and DMA_ACCESS_WRITE. */
#define IOMMU_MAP_READ	BIT(0)
#define IOMMU_MAP_WRITE BIT(1)
#define IOMMU_MAP_MMIO	BIT(2) /* the GPA range is device registers */
#define IOMMU_MAP_MASK	(IOMMU_MAP_READ | IOMMU_MAP_WRITE | IOMMU_MAP_MMIO)

/* ATTACH flags: as VIRTIO_IOMMU_ATTACH_F_BYPASS. */
#define IOMMU_ATTACH_BYPASS BIT(0) /* the domain is an identity domain */

#define IOMMU_DEFAULT_MAX_MAPPINGS (1u << 18)

struct iommu_config {
	uint64_t page_size_mask; /* supported page sizes; lowest = granule */
	uint64_t input_first;	 /* IOVA range the domains may map */
	uint64_t input_last;
	uint32_t domain_first; /* domain IDs the guest may use */
	uint32_t domain_last;
	bool bypass;	       /* DMA of detached endpoints is identity */
	unsigned max_mappings; /* over all domains; 0: the default */
	unsigned iotlb_sets;   /* power of two; 0: IOTLB_DEFAULT_SETS */
};

enum iommu_ep_state {
	IOMMU_EP_DETACHED_BYPASS,  /* detached, global bypass on: identity */
	IOMMU_EP_DETACHED_BLOCKED, /* detached, global bypass off: faults */
	IOMMU_EP_BLOCKED,	   /* blocked until the next attach */
	IOMMU_EP_DOMAIN,	   /* translated by a domain's mappings */
	IOMMU_EP_DOMAIN_BYPASS,	   /* attached to a bypass domain: identity */
};

struct iommu;

/* Create an IOMMU. cfg->page_size_mask must be non-zero, the input range
 * and domain range non-empty and the input range aligned to the granule.
 * 0 and *out, or -EINVAL / -ENOMEM. */
int iommu_create(const struct iommu_config *cfg, struct iommu **out) __must_check;

/* Free everything and remove the translators from the endpoints' address
 * spaces. Call when no device thread translates any more and before those
 * address spaces are freed. Notifiers get no events. */
void iommu_destroy(struct iommu *io);

/* Put requester rid behind the IOMMU. as (may be NULL: a VFIO device has
 * none) gets the core's translator and is invalidated on every change. The
 * endpoint starts detached. 0, -EEXIST or -ENOMEM. */
int iommu_endpoint_add(struct iommu *io, uint16_t rid, struct dma_as *as) __must_check;

/* The state of rid, with its domain ID in *domain when attached (domain
 * may be NULL). -ENOENT for an unknown endpoint. */
int iommu_endpoint_state(struct iommu *io, uint16_t rid, uint32_t *domain);

/* fn is called (outside the core's lock, on the device's thread) for each
 * fault of an endpoint's dma_as, including those iommu/dma.c finds itself
 * (not RAM, wraparound); the device delivers it to the guest (virtio-iommu
 * event queue). fn may be NULL. Set it before devices run. */
void iommu_set_fault_handler(struct iommu *io,
			     void (*fn)(void *opaque, uint16_t rid, const struct dma_fault *f),
			     void *opaque);

/* A front end whose guest keeps page tables in memory (VT-d) fills the
 * domains lazily: fn is called (outside the core's lock, on the device's
 * thread) when a translation for rid finds no mapping in its domain, or finds
 * rid blocked or detached without bypass. fn may attach, block and map (it
 * walks the guest's tables and iommu_map()s the leaf for later lookups); it
 * returns 0 with *x, the translation of this access as its walk found it
 * (not a second lookup, which an invalidation running meanwhile on another
 * thread could empty), or -EFAULT with *f filled (reason, and the front
 * end's code) for a fault. Nothing of a failed walk is cached. fn may be
 * NULL (no misses: the virtio-iommu). Set it before devices run. */
typedef int iommu_miss_fn(void *opaque, uint16_t rid, iova_t iova, unsigned access,
			  struct dma_xlate *x, struct dma_fault *f);
void iommu_set_miss_handler(struct iommu *io, iommu_miss_fn *fn, void *opaque);

/* Set the global bypass (virtio-iommu config.bypass): what DMA of detached
 * endpoints does. 0, or -EIO when a consumer refused the change (those
 * endpoints are then blocked). */
int iommu_set_bypass(struct iommu *io, bool bypass);

/* Attach rid to domain, creating the domain (as a bypass domain with
 * IOMMU_ATTACH_BYPASS) if it does not exist; an endpoint attached elsewhere
 * is detached first (DETACH then ATTACH). Attaching to the current domain
 * does nothing. 0 or an error from the table above. */
int iommu_attach(struct iommu *io, uint32_t domain, uint16_t rid, unsigned flags);

/* True when domain exists and has a mapping that overlaps [first, last].
 * For a device that must refuse an ATTACH whose endpoint has a reserved
 * region the domain already maps. */
bool iommu_domain_maps(struct iommu *io, uint32_t domain, iova_t first, iova_t last);

/* The mapping of domain that contains a, in *out: true, or false when
 * there is none (or no such domain, or a bypass domain). */
bool iommu_domain_mapping(struct iommu *io, uint32_t domain, iova_t a, struct iova_mapping *out);

/* The lowest mapping of domain that ends at or after a (contains a or lies
 * above it), in *out: true, or false when there is none (or no such domain,
 * or a bypass domain). */
bool iommu_domain_next(struct iommu *io, uint32_t domain, iova_t a, struct iova_mapping *out);

/* Detach rid from domain; the domain and its mappings are freed when its
 * last endpoint leaves. The endpoint then follows the global bypass. */
int iommu_detach(struct iommu *io, uint32_t domain, uint16_t rid);

/* Detach rid from whatever it is attached to and block its DMA until the
 * next attach. 0 or -ENOENT. */
int iommu_block(struct iommu *io, uint16_t rid);

/* Map [first, last] of domain to [gpa, gpa + last - first] with flags
 * (IOMMU_MAP_*). first, last + 1 and gpa must be aligned to the granule.
 * 0 or an error from the table above. */
int iommu_map(struct iommu *io, uint32_t domain, iova_t first, iova_t last, gpa_t gpa,
	      unsigned flags);

/* Remove every mapping of domain inside [first, last]; -ERANGE and nothing
 * removed when that would split a mapping. Holes are fine. */
int iommu_unmap(struct iommu *io, uint32_t domain, iova_t first, iova_t last);

/* Remove every mapping of domain that overlaps [first, last], whole (an
 * IOTLB invalidation: a mapping that straddles first or last goes too).
 * 0, -EINVAL (first > last; a bypass domain), -ENOENT (no such domain). */
int iommu_unmap_overlap(struct iommu *io, uint32_t domain, iova_t first, iova_t last);

/* Device reset: detach every endpoint, free every domain, restore the
 * configured global bypass. Notifiers see the matching events. */
void iommu_reset(struct iommu *io);

/* Translate iova for rid (the same as the dma_as translator): 0 and *x
 * (gpa, bytes to the end of the containing mapping, permissions), or
 * -EFAULT and *f (reason, iova, access; DMA_FAULT_BLOCKED for a rid that
 * is not behind this IOMMU). Does not call the fault handler (the dma_as
 * path does, through the translator); calls the miss handler, if any, on a
 * miss. Thread-safe; an IOTLB hit is lock-free. */
int iommu_translate(struct iommu *io, uint16_t rid, iova_t iova, unsigned access,
		    struct dma_xlate *x, struct dma_fault *f);

/* True when the IOTLB holds the page of iova for rid's current domain.
 * For tests and diagnostics. */
bool iommu_iotlb_cached(struct iommu *io, uint16_t rid, iova_t iova);

/* The smallest page size (the alignment unit). */
uint64_t iommu_granule(const struct iommu *io);

/* --- Notifiers ----------------------------------------------------------
 * A consumer mirrors one endpoint's view. Events:
 *  MAP        [first, last] -> gpa with flags is now visible
 *  UNMAP      [first, last] is no longer visible (gpa, flags as mapped)
 *  BYPASS_ON  the endpoint now sees identity over all guest RAM (mirror it
 *             by mapping every RAM region 1:1; the core knows no RAM)
 *  BYPASS_OFF the identity view ends
 * A blocked endpoint sees nothing. On subscription the current view is
 * replayed (MAPs, or BYPASS_ON); attach, detach, block, reset and global
 * bypass changes send the batches that move from the old view to the new
 * one (all UNMAPs / BYPASS_OFF first, then MAPs / BYPASS_ON).
 * Callbacks run with the core's write lock held: they must not call into
 * the core. A non-zero return from MAP or BYPASS_ON refuses it (the core
 * rolls back with UNMAP / BYPASS_OFF of what that consumer got and reports
 * -EIO, or -ENOMEM when the consumer returned -ENOMEM: out of its budget);
 * returns from UNMAP and BYPASS_OFF are ignored. */
enum iommu_event_type {
	IOMMU_EVENT_MAP,
	IOMMU_EVENT_UNMAP,
	IOMMU_EVENT_BYPASS_ON,
	IOMMU_EVENT_BYPASS_OFF,
};

struct iommu_event {
	enum iommu_event_type type;
	uint16_t rid;
	struct iova_mapping m; /* MAP, UNMAP */
};

struct iommu_notifier {
	int (*notify)(void *opaque, const struct iommu_event *ev);
	void *opaque;
	/* private to the core */
	struct iommu_notifier *next;
	uint16_t rid;
};

/* Subscribe n (caller-owned, filled with notify and opaque) to rid's view
 * and replay the current view to it. 0; -ENOENT; -EIO when n refused the
 * replay (n is then not subscribed and has been sent the undo). */
int iommu_notifier_add(struct iommu *io, uint16_t rid, struct iommu_notifier *n) __must_check;

/* Unsubscribe n (no events are sent). */
void iommu_notifier_del(struct iommu *io, struct iommu_notifier *n);

/* --- Observers ---------------------------------------------------------
 * Observers for diagnostics (--iommu-log), both optional and set before
 * devices run; the core's behaviour does not depend on them.
 *
 * The watch sees every mapping enter or leave a domain: fn(opaque,
 * IOMMU_EVENT_MAP or _UNMAP, domain ID, mapping) after a successful
 * iommu_map(), for each mapping an unmap removes, and for each mapping of
 * a domain freed with its last endpoint. It runs with the core's write
 * lock held: it must not call into the core. */
typedef void iommu_watch_fn(void *opaque, enum iommu_event_type type, uint32_t domain,
			    const struct iova_mapping *m);
void iommu_set_watch(struct iommu *io, iommu_watch_fn *fn, void *opaque);

/* The check is called (on the device's thread, no core lock held) for
 * every translation served from a domain's mappings, the IOTLB or not, with
 * the mapping that served it, whatever the outcome (a permission fault
 * too); not for misses, faults of blocked endpoints or identity views. It
 * may call into the core; it cannot change the translation. A VT-d front
 * end re-walks the guest's tables there (check-invalidation=on). When no
 * check is set the hit path pays one predictable branch. */
typedef void iommu_check_fn(void *opaque, uint16_t rid, iova_t iova, unsigned access,
			    const struct iova_mapping *m);
void iommu_set_check(struct iommu *io, iommu_check_fn *fn, void *opaque);

#endif
