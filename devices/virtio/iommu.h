/* SPDX-License-Identifier: MIT */
/* virtio-iommu (virtio 1.2 section 5.13, device ID 23): the guest's driver
 * for the IOMMU core (iommu/iommu.h). The device owns one struct iommu; the
 * machine puts every DMA-capable device behind it with
 * iommu_endpoint_add(v->io, rid, as); endpoint IDs are PCI requester IDs
 * (the ACPI VIOT says which ones, iommu/viot.h).
 *
 * Offered: MAP_UNMAP, INPUT_RANGE, DOMAIN_RANGE, PROBE, MMIO and
 * BYPASS_CONFIG (never the legacy BYPASS: the spec says not both).
 * Config space (struct virtio_iommu_config, little endian):
 *   page_size_mask  ~0xfff: a 4 KiB granule, every larger power of two is
 *                   a hint (what Linux and QEMU use)
 *   input_range     0 .. 2^48 - 1 (x86-64 4-level: what a guest can use,
 *                   and no IOVA tables for the upper half)
 *   domain_range    0 .. 65535 (a 16-bit ID, as VT-d's)
 *   probe_size      512
 *   bypass          1 at creation (boot bypass, as QEMU: firmware and a
 *                   kernel without the driver can do DMA). Writable by the
 *                   driver when it accepted BYPASS_CONFIG (bit 0 counts);
 *                   other writes to the config space are undone. Per the
 *                   spec it keeps its value across a device reset.
 *
 * Queues: requestq (0), served on the device's worker; eventq (1), where
 * translation faults of the endpoints are reported (iommu_event.c).
 * Requests and their status codes are in iommu_req.c; nothing a guest
 * sends stops the VMM. The device's own DMA (its rings) is not translated:
 * it is not an endpoint of itself.
 *
 * Tear-down: the fault handler kicks the transport from other devices'
 * threads and the core holds their address spaces, so: stop every device
 * thread (worker_destroy), virtio_iommu_release(), then the transports
 * (virtio_pci_free), then virtio_iommu_free().
 *
 * Locking: vdev.lock (held by the transport around every op) serialises
 * requests, reset and config writes; the core has its own lock (taken
 * after vdev.lock). The fault handler runs on other devices' threads and
 * takes only ev.lock, a leaf. */
#ifndef DEVICES_VIRTIO_IOMMU_H
#define DEVICES_VIRTIO_IOMMU_H

#include <linux/virtio_iommu.h>
#include <stdatomic.h>

#include "devices/virtio/virtio.h"
#include "iommu/evlog_watch.h"
#include "iommu/iommu.h"

#define VIRTIO_IOMMU_REQUESTQ	 0u
#define VIRTIO_IOMMU_EVENTQ	 1u
#define VIRTIO_IOMMU_QUEUE_SIZE	 64u
#define VIRTIO_IOMMU_PAGE_MASK	 (~0xfffull)
#define VIRTIO_IOMMU_INPUT_LAST	 ((1ull << 48) - 1)
#define VIRTIO_IOMMU_DOMAIN_LAST 0xffffu
#define VIRTIO_IOMMU_PROBE_SIZE	 512u
/* The x86 MSI window, reported to every endpoint as RESV_MEM_T_MSI. */
#define VIRTIO_IOMMU_MSI_START 0xfee00000ull
#define VIRTIO_IOMMU_MSI_END   0xfeefffffull
/* Reserved regions added with virtio_iommu_add_resv(), all endpoints
 * together. With the MSI window, one PROBE needs 24 * 17 = 408 bytes of
 * the 512. */
#define VIRTIO_IOMMU_MAX_RESV 16u
/* Faults waiting for an eventq buffer; more are dropped and counted. */
#define VIRTIO_IOMMU_EVENT_RING 64u

struct virtio_iommu_params {
	bool boot_bypass;      /* config.bypass at creation */
	uint32_t domain_last;  /* 0: VIRTIO_IOMMU_DOMAIN_LAST */
	uint64_t input_last;   /* 0: VIRTIO_IOMMU_INPUT_LAST; 2^n - 1 */
	uint64_t page_mask;    /* 0: VIRTIO_IOMMU_PAGE_MASK; lowest bit = granule */
	unsigned max_mappings; /* 0: the core's default */
	struct evlog *log;     /* --iommu-log: maps, unmaps, faults; or NULL */
};

/* A reserved IOVA region of one endpoint, [start, end]. */
struct virtio_iommu_resv {
	uint16_t rid;
	uint8_t subtype; /* VIRTIO_IOMMU_RESV_MEM_T_* */
	uint64_t start, end;
};

/* Faults from device threads, waiting for the worker (iommu_event.c). */
struct virtio_iommu_events {
	pthread_mutex_t lock;
	bool live; /* DRIVER_OK and no reset since: kick the worker */
	unsigned head, count;
	uint64_t dropped; /* lost because the ring was full */
	struct virtio_iommu_fault ring[VIRTIO_IOMMU_EVENT_RING]; /* wire format */
};

struct virtio_iommu {
	struct virtio_dev vdev;
	struct iommu *io;		     /* the core; endpoints go here */
	struct virtio_iommu_config cfg;	     /* the config space */
	struct virtio_iommu_config cfg_init; /* its values at creation */
	bool bypass;			     /* what the core was told */
	struct virtio_iommu_resv resv[VIRTIO_IOMMU_MAX_RESV];
	unsigned nr_resv;
	struct virtio_iommu_events ev;
	atomic_uint_fast64_t map_requests, unmap_requests; /* received (statistics) */
	struct evlog *log;				   /* NULL: none */
	struct evlog_watch log_watch;
	struct virtq_chain chain; /* scratch for the worker */
};

/* A new device with its IOMMU core (no endpoints yet), not yet attached to
 * a transport. p NULL means every default with boot bypass on. input_last
 * must be 2^n - 1 >= 4095; domain_last may be any value. 0 and *out, or
 * -EINVAL / -ENOMEM. */
int virtio_iommu_new(const struct virtio_iommu_params *p, struct virtio_iommu **out) __must_check;

/* Destroy the core: translators leave the endpoints' address spaces. Call
 * when no device thread translates any more (every worker stopped) and
 * while those address spaces still exist. Idempotent. */
void virtio_iommu_release(struct virtio_iommu *v);

/* virtio_iommu_release() if not done, then free v (after its transport is
 * gone). NULL is fine. */
void virtio_iommu_free(struct virtio_iommu *v);

/* Report [start, end] as reserved (VIRTIO_IOMMU_RESV_MEM_T_RESERVED) for
 * endpoint rid in PROBE, and refuse MAP requests over it in domains rid is
 * attached to (a VFIO device's host reserved ranges). Before the guest
 * runs. 0; -EINVAL (start > end, another subtype: the one MSI region of an
 * endpoint is the MSI window, overlap with it or with another region of
 * rid); -ENOSPC when VIRTIO_IOMMU_MAX_RESV are in use. */
int virtio_iommu_add_resv(struct virtio_iommu *v, uint16_t rid, uint8_t subtype, uint64_t start,
			  uint64_t end) __must_check;

/* Serve one requestq chain (iommu_req.c): parse, act, write the output and
 * the tail. Returns the used length (0 when there is no room for a tail).
 * Worker thread, vdev.lock held. Exposed for the unit tests. */
uint32_t virtio_iommu_handle(struct virtio_iommu *v, struct virtq_chain *c);

/* The status for an IOMMU core error (0 -> S_OK; see iommu/iommu.h);
 * anything unexpected is S_DEVERR. */
uint8_t virtio_iommu_status(int err);

/* The core's fault handler (opaque: the device), installed by
 * virtio_iommu_new(): queue the fault as a virtio_iommu_fault and wake the
 * worker through the transport's kick of the eventq. Any thread. */
void virtio_iommu_fault(void *opaque, uint16_t rid, const struct dma_fault *f);

/* Move queued faults into eventq buffers (worker, vdev.lock held). */
void virtio_iommu_events_deliver(struct virtio_iommu *v);

/* Start (DRIVER_OK) or stop (reset: queued faults are forgotten) kicking
 * the worker for new faults. vdev.lock held. */
void virtio_iommu_events_live(struct virtio_iommu *v, bool live);

/* Faults queued now, and dropped so far. Any thread. */
unsigned virtio_iommu_events_pending(struct virtio_iommu *v);
uint64_t virtio_iommu_events_dropped(struct virtio_iommu *v);

extern const struct virtio_dev_ops virtio_iommu_ops;

#endif
