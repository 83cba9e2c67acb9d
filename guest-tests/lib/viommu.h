/* SPDX-License-Identifier: MIT */
/* A small virtio-iommu driver (virtio 1.2, 5.13) on top of virtio.h. The
 * ACPI VIOT, which says which endpoints it translates, is read at open
 * (viot.h).
 *
 * The device: PCI 0x1af4:0x1057 (modern ID of device type 23), requestq 0
 * and eventq 1. Requests are synchronous (one at a time, polled) unless
 * queued with viommu_queue_*() and completed with viommu_complete(); every
 * request returns its status byte, or a negative VIOMMU_E_* when the
 * device did not give one. The IOMMU does not translate its own DMA, so its
 * rings use the identity virtio_dma; struct viommu_dma (viommu_dma.h) plugs
 * the IOMMU into another virtio device. Wire formats come from
 * <linux/virtio_iommu.h>. */
#ifndef GT_VIOMMU_H
#define GT_VIOMMU_H

#include <linux/virtio_iommu.h>
#include <stdbool.h>
#include <stdint.h>

#include "viot.h"
#include "virtio.h"

#define VIOMMU_PCI_DEVICE VIRTIO_PCI_MODERN_ID(VIRTIO_ID_IOMMU) /* 0x1057 */
#define VIOMMU_REQQ	  0
#define VIOMMU_EVENTQ	  1

/* ---- the device ---------------------------------------------------------- */

#define VIOMMU_E_TIMEOUT (-1) /* no used buffer within the timeout */
#define VIOMMU_E_NOSTAT	 (-2) /* used with length 0: not written (5.13.6.2) */
#define VIOMMU_E_QUEUE	 (-3) /* could not add to the queue */

#define VIOMMU_NR_EVENTS 16
#define VIOMMU_MAX_BATCH 64
#define VIOMMU_PROBE_MAX 4096 /* largest probe_size this driver takes */

/* One request slot: the largest request, and probe properties. */
struct viommu_slot {
	union {
		struct virtio_iommu_req_head head;
		struct virtio_iommu_req_attach attach;
		struct virtio_iommu_req_detach detach;
		struct virtio_iommu_req_map map;
		struct virtio_iommu_req_unmap unmap;
		struct virtio_iommu_req_probe probe; /* out part only */
		uint8_t raw[96];
	} out;
	struct virtio_iommu_req_tail tail;
	uint8_t *in; /* the device-writable part (&tail, or probe_buf) */
	uint32_t in_len;
	uint32_t used_len;
	bool busy;  /* in the queue, not yet used */
	bool lost;  /* timed out: never reused */
	bool batch; /* queued by viommu_queue_*, not yet counted */
};

struct viommu {
	struct virtio_pci dev;
	struct viot_info viot;
	struct virtio_iommu_config cfg;	   /* read at open (bypass: see below) */
	uint32_t granule;		   /* lowest bit of page_size_mask */
	struct viommu_slot *slots;	   /* VIOMMU_MAX_BATCH, pool memory */
	uint8_t *probe_buf;		   /* probe_size + tail */
	struct virtio_iommu_fault *events; /* VIOMMU_NR_EVENTS buffers */
	uint8_t event_of_head[VIRTQ_MAX_SIZE];
	uint8_t slot_of_head[VIRTQ_MAX_SIZE];
	uint32_t last_event_len; /* used length of the last fault taken */
	uint16_t reqq_size;
	uint64_t timeout_us;
	unsigned nr_requests; /* sent since open */
};

/* What a driver accepts when offered (5.13.3.1: INPUT_RANGE, DOMAIN_RANGE
 * and PROBE SHOULD be accepted). */
#define VIOMMU_WANT                                                                                \
	(BIT_ULL(VIRTIO_IOMMU_F_MAP_UNMAP) | BIT_ULL(VIRTIO_IOMMU_F_INPUT_RANGE) |                 \
	 BIT_ULL(VIRTIO_IOMMU_F_DOMAIN_RANGE) | BIT_ULL(VIRTIO_IOMMU_F_PROBE) |                    \
	 BIT_ULL(VIRTIO_IOMMU_F_BYPASS_CONFIG) | BIT_ULL(VIRTIO_IOMMU_F_MMIO))

/* Find the virtio-iommu on bus 0 (0x1af4:0x1057), read the VIOT,
 * negotiate want & offered (plus VERSION_1), set up requestq and eventq
 * (polled), DRIVER_OK, post the event buffers, read the configuration.
 * 0, or -1. */
int viommu_open(struct viommu *v, uint64_t want);

/* Reset and set up again (the same negotiation). */
int viommu_reinit(struct viommu *v, uint64_t want);

/* True when feature f was negotiated / offered. */
bool viommu_has(const struct viommu *v, unsigned f);
bool viommu_offers(const struct viommu *v, unsigned f);

/* Re-read the configuration into v->cfg. */
void viommu_read_config(struct viommu *v);

/* config.bypass as the device shows it now, and a write of it (the driver
 * may write it only with BYPASS_CONFIG negotiated). */
uint8_t viommu_bypass(struct viommu *v);
void viommu_set_bypass(struct viommu *v, uint8_t on);

/* Synchronous requests: the status (VIRTIO_IOMMU_S_*) or VIOMMU_E_*. */
int viommu_attach(struct viommu *v, uint32_t domain, uint32_t endpoint, uint32_t flags);
int viommu_detach(struct viommu *v, uint32_t domain, uint32_t endpoint);
int viommu_map(struct viommu *v, uint32_t domain, uint64_t virt_start, uint64_t virt_end,
	       uint64_t phys_start, uint32_t flags);
int viommu_unmap(struct viommu *v, uint32_t domain, uint64_t virt_start, uint64_t virt_end);

/* PROBE endpoint: properties land in v->probe_buf (probe_size bytes, set
 * to 0xa5 before the request). */
int viommu_probe(struct viommu *v, uint32_t endpoint);

/* Any request: out_len bytes at out (the head first) device-readable, then
 * in_len bytes at in device-writable, whose last 4 bytes are the tail.
 * Returns the tail's status byte, VIOMMU_E_NOSTAT when the used length is
 * 0, or another VIOMMU_E_*. in is filled with 0xa5 first. */
int viommu_raw(struct viommu *v, const void *out, uint32_t out_len, void *in, uint32_t in_len,
	       uint32_t *used_len);

/* Batches: queue requests in slots (at most VIOMMU_MAX_BATCH and what the
 * queue holds), kick once, collect every answer. queue_* return the slot
 * index or VIOMMU_E_QUEUE. complete waits for all busy slots and returns
 * how many came back with status OK; statuses stay in slots[i].tail. */
int viommu_queue_map(struct viommu *v, uint32_t domain, uint64_t virt_start, uint64_t virt_end,
		     uint64_t phys_start, uint32_t flags);
int viommu_queue_unmap(struct viommu *v, uint32_t domain, uint64_t virt_start, uint64_t virt_end);
void viommu_kick(struct viommu *v);
int viommu_complete(struct viommu *v);

/* Probe properties (5.13.6.8): walk props[0..size), fill at most max
 * RESV_MEM properties into out. Returns the number of properties seen
 * before the terminating NONE (or the end), or -1 when a property runs
 * past the end. */
struct viommu_resv {
	uint16_t type, length; /* as in the header (type without reserved bits) */
	bool reserved_bits;    /* bits 15:12 of the type word set */
	uint8_t subtype;
	uint64_t start, end;
};
int viommu_parse_props(const uint8_t *props, uint32_t size, struct viommu_resv *out, unsigned max,
		       unsigned *nr_resv);

/* Events: take one fault report from the eventq (true with *f), and put
 * its buffer back. wait polls up to timeout_us. drain drops all pending. */
bool viommu_get_fault(struct viommu *v, struct virtio_iommu_fault *f);
bool viommu_wait_fault(struct viommu *v, struct virtio_iommu_fault *f, uint64_t timeout_us);
unsigned viommu_drain_faults(struct viommu *v);

/* Names for diagnostics. */
const char *viommu_status_name(int status);

#endif
