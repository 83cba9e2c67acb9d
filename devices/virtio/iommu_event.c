// SPDX-License-Identifier: MIT
/* virtio-iommu fault reporting (spec 5.13.6.7). The IOMMU core calls
 * virtio_iommu_fault() on the thread of the device whose DMA faulted; the
 * fault is encoded into a bounded ring (dropped and counted when it is
 * full) and the worker is woken through the transport's kick of the eventq
 * (an eventfd write), so that only the worker touches the eventq, and only
 * when the transport lets the device run. The worker moves each fault into
 * the next eventq buffer; faults wait in the ring while the driver has
 * given none (its next notification delivers them). */
#include <endian.h>
#include <stdio.h>

#include "devices/virtio/iommu.h"
#include "vmm/iovec.h"
#include "vmm/log.h"

#define EV_LEN sizeof(struct virtio_iommu_fault)

_Static_assert(EV_LEN == 24, "the fault record of the spec");

static void fault_encode(uint16_t rid, const struct dma_fault *f, struct virtio_iommu_fault *ev)
{
	uint32_t flags = VIRTIO_IOMMU_FAULT_F_ADDRESS;

	memset(ev, 0, sizeof(*ev));
	switch (f->reason) {
	case DMA_FAULT_UNMAPPED:
	case DMA_FAULT_PERM: ev->reason = VIRTIO_IOMMU_FAULT_R_MAPPING; break;
	case DMA_FAULT_BLOCKED: ev->reason = VIRTIO_IOMMU_FAULT_R_DOMAIN; break;
	default: ev->reason = VIRTIO_IOMMU_FAULT_R_UNKNOWN; break; /* not RAM, wraps */
	}
	if (f->access & DMA_ACCESS_READ)
		flags |= VIRTIO_IOMMU_FAULT_F_READ;
	if (f->access & DMA_ACCESS_WRITE)
		flags |= VIRTIO_IOMMU_FAULT_F_WRITE;
	ev->flags = htole32(flags);
	ev->endpoint = htole32(rid);
	ev->address = htole64(f->iova.a);
}

/* The fault's --iommu-log line, with the reason the guest is sent. */
static void fault_log(struct virtio_iommu *v, uint16_t rid, const struct dma_fault *f, bool dropped)
{
	static const char *const names[] = {
		[VIRTIO_IOMMU_FAULT_R_UNKNOWN] = "unknown",
		[VIRTIO_IOMMU_FAULT_R_DOMAIN] = "domain",
		[VIRTIO_IOMMU_FAULT_R_MAPPING] = "mapping",
	};
	struct evlog_head h = {EVLOG_VIRTIO, rid, EVLOG_NULL, true, f->iova.a, NULL};
	struct virtio_iommu_fault ev;
	char res[96];
	uint32_t dom;

	if (!evlog_on(v->log))
		return;
	fault_encode(rid, f, &ev);
	if (iommu_endpoint_state(v->io, rid, &dom) == IOMMU_EP_DOMAIN)
		h.domain = dom;
	snprintf(res, sizeof(res), "0x%02x %s (%s)%s", ev.reason, names[ev.reason],
		 f->access & DMA_ACCESS_WRITE ? "write" : "read",
		 dropped ? "; not reported (event ring full)" : "");
	h.result = res;
	evlog_fault(v->log, &h, f->access & DMA_ACCESS_WRITE, ev.reason);
}

void virtio_iommu_fault(void *opaque, uint16_t rid, const struct dma_fault *f)
{
	struct virtio_iommu *v = opaque;
	struct virtio_iommu_events *e = &v->ev;
	bool dropped = false;

	pthread_mutex_lock(&e->lock);
	if (e->count == VIRTIO_IOMMU_EVENT_RING) {
		e->dropped++;
		dropped = true;
	} else {
		fault_encode(rid, f, &e->ring[(e->head + e->count) % VIRTIO_IOMMU_EVENT_RING]);
		e->count++;
		/* Under the lock: a reset (live = false) is a barrier. */
		if (e->live)
			v->vdev.t->kick(&v->vdev, VIRTIO_IOMMU_EVENTQ);
	}
	pthread_mutex_unlock(&e->lock);
	fault_log(v, rid, f, dropped);
	if (dropped)
		log_guest_once("virtio-iommu: fault events dropped: the driver takes none");
}

/* The oldest queued fault into *ev; false when there is none. */
static bool ring_peek(struct virtio_iommu_events *e, struct virtio_iommu_fault *ev)
{
	bool any;

	pthread_mutex_lock(&e->lock);
	any = e->count;
	if (any)
		*ev = e->ring[e->head];
	pthread_mutex_unlock(&e->lock);
	return any;
}

/* Forget the oldest queued fault (delivered). */
static void ring_drop(struct virtio_iommu_events *e)
{
	pthread_mutex_lock(&e->lock);
	if (e->count) {
		e->head = (e->head + 1) % VIRTIO_IOMMU_EVENT_RING;
		e->count--;
	}
	pthread_mutex_unlock(&e->lock);
}

void virtio_iommu_events_deliver(struct virtio_iommu *v)
{
	struct virtio_dev *vdev = &v->vdev;
	struct virtq_chain *c = &v->chain;
	/* Each round delivers a fault or uses up a buffer too small for one. */
	unsigned budget = vdev->vq[VIRTIO_IOMMU_EVENTQ].size + VIRTIO_IOMMU_EVENT_RING;
	bool pushed = false;

	for (unsigned i = 0; i < budget; i++) {
		struct virtio_iommu_fault ev;
		uint32_t len = 0;
		int ret;

		if (!ring_peek(&v->ev, &ev))
			break;
		ret = virtio_queue_pop(vdev, VIRTIO_IOMMU_EVENTQ, c);
		if (ret != 1 && ret != -EFAULT)
			break; /* no buffer (the fault waits), or broken */
		if (ret == 1 && c->wr_len >= EV_LEN) {
			len = (uint32_t)iov_from_buf(virtq_chain_wr(c), c->nr_wr, 0, &ev, EV_LEN);
			ring_drop(&v->ev);
		} else if (ret == 1) {
			log_guest_once("virtio-iommu: eventq buffer of %u bytes is too small",
				       c->wr_len);
		}
		if (virtio_queue_push(vdev, VIRTIO_IOMMU_EVENTQ, c->head, len))
			return;
		pushed = true;
	}
	if (pushed)
		virtio_queue_signal(vdev, VIRTIO_IOMMU_EVENTQ);
}

void virtio_iommu_events_live(struct virtio_iommu *v, bool live)
{
	pthread_mutex_lock(&v->ev.lock);
	v->ev.live = live;
	if (!live)
		v->ev.head = v->ev.count = 0;
	pthread_mutex_unlock(&v->ev.lock);
}

unsigned virtio_iommu_events_pending(struct virtio_iommu *v)
{
	unsigned n;

	pthread_mutex_lock(&v->ev.lock);
	n = v->ev.count;
	pthread_mutex_unlock(&v->ev.lock);
	return n;
}

uint64_t virtio_iommu_events_dropped(struct virtio_iommu *v)
{
	uint64_t n;

	pthread_mutex_lock(&v->ev.lock);
	n = v->ev.dropped;
	pthread_mutex_unlock(&v->ev.lock);
	return n;
}
