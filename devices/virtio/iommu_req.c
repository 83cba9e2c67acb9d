// SPDX-License-Identifier: MIT
/* virtio-iommu requests (spec 5.13.6): a requestq chain is parsed from raw
 * bytes, acted on through the IOMMU core, and answered with a tail.
 *
 * Layout: the device-readable part starts with the head and the request
 * body (extra bytes after it are ignored); the device-writable part holds
 * the output (PROBE: probe_size bytes of properties; nothing for the
 * others), then the tail. Answers to malformed chains:
 *  - writable part under 4 bytes: not acted on, nothing written, used
 *    length 0 (the spec's "cannot find the tail"; Linux reads it as an I/O
 *    error);
 *  - writable part too short for the output: S_INVAL in its last 4 bytes
 *    (where the driver's tail most likely is), no output;
 *  - readable part shorter than head + body: S_INVAL;
 *  - unknown type: nothing written, used length 0 (virtio 5.13.6.2: the
 *    device SHOULD NOT write the buffer; QEMU departs and writes UNSUPP).
 * Statuses (the core's errors through virtio_iommu_status()):
 *  ATTACH  INVAL: reserved not zero, unknown flags, BYPASS without
 *          BYPASS_CONFIG, BYPASS differing from the domain's; NOENT: no such
 *          endpoint; RANGE: domain outside domain_range, or the domain
 *          already maps IOVAs in a reserved region of the endpoint; NOMEM;
 *          IOERR: a consumer (VFIO) refused the new view (the endpoint has
 *          left its old domain, as DETACH then ATTACH, and is blocked).
 *  DETACH  INVAL: not attached to that domain; NOENT: no such endpoint;
 *          IOERR: a consumer (VFIO) refused the identity view of the global
 *          bypass: the endpoint has left the domain and is blocked.
 *  MAP     UNSUPP: MAP_UNMAP not negotiated; INVAL: unknown flags, MMIO
 *          without F_MMIO, start > end, a bypass domain, overlap with a
 *          mapping; RANGE: misaligned, outside input_range, the GPA range
 *          wraps, over a reserved region (checked first); NOENT: no such
 *          domain; NOMEM: mapping limit; IOERR: a consumer refused.
 *  UNMAP   UNSUPP, INVAL (bypass domain, start > end), NOENT, RANGE (would
 *          split a mapping); reserved is ignored; holes are fine.
 *  PROBE   UNSUPP: PROBE not negotiated; INVAL: writable part too short;
 *          NOENT: no such endpoint.
 * DEVERR answers a core error this file does not expect; FAULT is not
 * used (a MAP to non-RAM is legal: MMIO, or an old driver's identity map
 * of the whole input range; translation refuses non-RAM later). */
#include <endian.h>
#include <errno.h>

#include "devices/virtio/iommu.h"
#include "vmm/iovec.h"
#include "vmm/log.h"

#define TAIL_LEN sizeof(struct virtio_iommu_req_tail)
/* A request's readable part: the struct without its tail. */
#define BODY_LEN(type) (sizeof(type) - TAIL_LEN)
#define PROP_LEN       sizeof(struct virtio_iommu_probe_resv_mem)

_Static_assert(PROP_LEN == 24, "RESV_MEM property: 4-byte header + 20");
_Static_assert((1 + VIRTIO_IOMMU_MAX_RESV) * PROP_LEN + 4 <= VIRTIO_IOMMU_PROBE_SIZE,
	       "every property and a terminating header fit in probe_size");
_Static_assert(IOMMU_MAP_READ == VIRTIO_IOMMU_MAP_F_READ &&
		       IOMMU_MAP_WRITE == VIRTIO_IOMMU_MAP_F_WRITE &&
		       IOMMU_MAP_MMIO == VIRTIO_IOMMU_MAP_F_MMIO &&
		       IOMMU_ATTACH_BYPASS == VIRTIO_IOMMU_ATTACH_F_BYPASS,
	       "the core takes the wire flags as they are");

uint8_t virtio_iommu_status(int err)
{
	switch (err) {
	case 0: return VIRTIO_IOMMU_S_OK;
	case -EINVAL:
	case -EEXIST: return VIRTIO_IOMMU_S_INVAL;
	case -ERANGE: return VIRTIO_IOMMU_S_RANGE;
	case -ENOENT: return VIRTIO_IOMMU_S_NOENT;
	case -ENOMEM: return VIRTIO_IOMMU_S_NOMEM;
	case -EIO: return VIRTIO_IOMMU_S_IOERR;
	default:
		log_err("virtio-iommu: unexpected IOMMU core error %d", err);
		return VIRTIO_IOMMU_S_DEVERR;
	}
}

/* The first len bytes of the readable part into req; false if shorter. */
static bool req_read(struct virtq_chain *c, void *req, size_t len)
{
	return iov_to_buf(virtq_chain_rd(c), c->nr_rd, 0, req, len) == len;
}

static bool has(const struct virtio_iommu *v, unsigned feature)
{
	return virtio_has_feature(&v->vdev, feature);
}

/* The domain already maps IOVAs inside a reserved region of ep: attaching
 * would let ep translate there, whatever the order of the requests (MAP
 * checks only the endpoints attached when it arrives). Bounded by
 * VIRTIO_IOMMU_MAX_RESV. */
static bool attach_hits_resv(struct virtio_iommu *v, uint32_t domain, uint16_t ep)
{
	for (unsigned i = 0; i < v->nr_resv; i++) {
		const struct virtio_iommu_resv *r = &v->resv[i];

		if (r->rid == ep && iommu_domain_maps(v->io, domain, iova(r->start), iova(r->end)))
			return true;
	}
	return false;
}

static uint8_t req_attach(struct virtio_iommu *v, struct virtq_chain *c)
{
	struct virtio_iommu_req_attach r = {0};
	uint32_t flags, ep;

	if (!req_read(c, &r, BODY_LEN(r)))
		return VIRTIO_IOMMU_S_INVAL;
	flags = le32toh(r.flags);
	ep = le32toh(r.endpoint);
	if (r.reserved[0] | r.reserved[1] | r.reserved[2] | r.reserved[3])
		return VIRTIO_IOMMU_S_INVAL; /* a device MUST (5.13.6.3.2) */
	if (flags & ~(uint32_t)VIRTIO_IOMMU_ATTACH_F_BYPASS)
		return VIRTIO_IOMMU_S_INVAL;
	if ((flags & VIRTIO_IOMMU_ATTACH_F_BYPASS) && !has(v, VIRTIO_IOMMU_F_BYPASS_CONFIG))
		return VIRTIO_IOMMU_S_INVAL; /* the flag exists only with it */
	if (ep > UINT16_MAX)
		return VIRTIO_IOMMU_S_NOENT;
	if (attach_hits_resv(v, le32toh(r.domain), (uint16_t)ep))
		return VIRTIO_IOMMU_S_RANGE;
	return virtio_iommu_status(iommu_attach(v->io, le32toh(r.domain), (uint16_t)ep, flags));
}

static uint8_t req_detach(struct virtio_iommu *v, struct virtq_chain *c)
{
	struct virtio_iommu_req_detach r = {0};
	uint32_t ep;

	if (!req_read(c, &r, BODY_LEN(r)))
		return VIRTIO_IOMMU_S_INVAL;
	ep = le32toh(r.endpoint);
	if (ep > UINT16_MAX)
		return VIRTIO_IOMMU_S_NOENT;
	return virtio_iommu_status(iommu_detach(v->io, le32toh(r.domain), (uint16_t)ep));
}

static bool ranges_meet(uint64_t a, uint64_t b, uint64_t c, uint64_t d)
{
	return a <= d && c <= b;
}

/* [first, last] meets a reserved region of an endpoint attached to domain:
 * the MSI window (every endpoint has it, and every domain an endpoint) or
 * one added for such an endpoint. Bounded by VIRTIO_IOMMU_MAX_RESV. */
static bool map_hits_resv(struct virtio_iommu *v, uint32_t domain, uint64_t first, uint64_t last)
{
	if (ranges_meet(first, last, VIRTIO_IOMMU_MSI_START, VIRTIO_IOMMU_MSI_END))
		return true;
	for (unsigned i = 0; i < v->nr_resv; i++) {
		const struct virtio_iommu_resv *r = &v->resv[i];
		uint32_t d;

		if (ranges_meet(first, last, r->start, r->end) &&
		    iommu_endpoint_state(v->io, r->rid, &d) == IOMMU_EP_DOMAIN && d == domain)
			return true;
	}
	return false;
}

static uint8_t req_map(struct virtio_iommu *v, struct virtq_chain *c)
{
	struct virtio_iommu_req_map r = {0};
	uint64_t first, last;
	uint32_t flags, domain;

	atomic_fetch_add(&v->map_requests, 1);
	if (!req_read(c, &r, BODY_LEN(r)))
		return VIRTIO_IOMMU_S_INVAL;
	if (!has(v, VIRTIO_IOMMU_F_MAP_UNMAP))
		return VIRTIO_IOMMU_S_UNSUPP;
	flags = le32toh(r.flags);
	domain = le32toh(r.domain);
	first = le64toh(r.virt_start);
	last = le64toh(r.virt_end);
	if (flags & ~(uint32_t)VIRTIO_IOMMU_MAP_F_MASK)
		return VIRTIO_IOMMU_S_INVAL;
	if ((flags & VIRTIO_IOMMU_MAP_F_MMIO) && !has(v, VIRTIO_IOMMU_F_MMIO))
		return VIRTIO_IOMMU_S_INVAL;
	if (first > last)
		return VIRTIO_IOMMU_S_INVAL;
	if (map_hits_resv(v, domain, first, last))
		return VIRTIO_IOMMU_S_RANGE;
	return virtio_iommu_status(iommu_map(v->io, domain, iova(first), iova(last),
					     gpa(le64toh(r.phys_start)), flags));
}

static uint8_t req_unmap(struct virtio_iommu *v, struct virtq_chain *c)
{
	struct virtio_iommu_req_unmap r = {0};

	atomic_fetch_add(&v->unmap_requests, 1);
	if (!req_read(c, &r, BODY_LEN(r)))
		return VIRTIO_IOMMU_S_INVAL;
	if (!has(v, VIRTIO_IOMMU_F_MAP_UNMAP))
		return VIRTIO_IOMMU_S_UNSUPP;
	return virtio_iommu_status(iommu_unmap(
		v->io, le32toh(r.domain), iova(le64toh(r.virt_start)), iova(le64toh(r.virt_end))));
}

/* One RESV_MEM property at buf + at; returns the offset after it. */
static size_t prop_put(uint8_t *buf, size_t at, uint8_t subtype, uint64_t start, uint64_t end)
{
	struct virtio_iommu_probe_resv_mem p = {
		.head = {htole16(VIRTIO_IOMMU_PROBE_T_RESV_MEM),
			 htole16(PROP_LEN - sizeof(struct virtio_iommu_probe_property))},
		.subtype = subtype,
		.start = htole64(start),
		.end = htole64(end),
	};

	memcpy(buf + at, &p, PROP_LEN);
	return at + PROP_LEN;
}

/* PROBE: props (probe_size bytes, zeroed by the caller) gets the MSI
 * window, then rid's reserved regions; the zeros after them end the list. */
static uint8_t req_probe(struct virtio_iommu *v, struct virtq_chain *c, uint8_t *props)
{
	struct virtio_iommu_req_probe r;
	size_t at;
	uint32_t ep;

	if (!has(v, VIRTIO_IOMMU_F_PROBE))
		return VIRTIO_IOMMU_S_UNSUPP;
	if (!req_read(c, &r, sizeof(r)) || c->wr_len < VIRTIO_IOMMU_PROBE_SIZE + TAIL_LEN)
		return VIRTIO_IOMMU_S_INVAL;
	ep = le32toh(r.endpoint);
	if (ep > UINT16_MAX || iommu_endpoint_state(v->io, (uint16_t)ep, NULL) < 0)
		return VIRTIO_IOMMU_S_NOENT;
	at = prop_put(props, 0, VIRTIO_IOMMU_RESV_MEM_T_MSI, VIRTIO_IOMMU_MSI_START,
		      VIRTIO_IOMMU_MSI_END);
	for (unsigned i = 0; i < v->nr_resv; i++)
		if (v->resv[i].rid == ep)
			at = prop_put(props, at, v->resv[i].subtype, v->resv[i].start,
				      v->resv[i].end);
	return VIRTIO_IOMMU_S_OK;
}

/* Write out_len bytes of output and the tail; returns the used length. */
static uint32_t req_reply(struct virtq_chain *c, const uint8_t *out, size_t out_len, uint8_t status)
{
	struct virtio_iommu_req_tail tail = {.status = status};
	const struct iovec *wr = virtq_chain_wr(c);
	size_t at = out_len;

	if (c->wr_len < TAIL_LEN)
		return 0;
	if (c->wr_len - TAIL_LEN < out_len) {
		at = c->wr_len - TAIL_LEN;
		out_len = 0;
	}
	iov_from_buf(wr, c->nr_wr, 0, out, out_len);
	iov_from_buf(wr, c->nr_wr, at, &tail, TAIL_LEN);
	return (uint32_t)(at + TAIL_LEN);
}

uint32_t virtio_iommu_handle(struct virtio_iommu *v, struct virtq_chain *c)
{
	uint8_t props[VIRTIO_IOMMU_PROBE_SIZE] = {0};
	struct virtio_iommu_req_head head;
	size_t out_len = 0;
	uint8_t status;

	if (c->wr_len < TAIL_LEN) {
		log_guest_once("virtio-iommu: request without room for a tail; ignored");
		return 0; /* not acted on: its status could not be told */
	}
	if (!req_read(c, &head, sizeof(head))) {
		log_guest_once("virtio-iommu: request without a head");
		return req_reply(c, props, 0, VIRTIO_IOMMU_S_INVAL);
	}
	switch (head.type) {
	case VIRTIO_IOMMU_T_ATTACH: status = req_attach(v, c); break;
	case VIRTIO_IOMMU_T_DETACH: status = req_detach(v, c); break;
	case VIRTIO_IOMMU_T_MAP: status = req_map(v, c); break;
	case VIRTIO_IOMMU_T_UNMAP: status = req_unmap(v, c); break;
	case VIRTIO_IOMMU_T_PROBE:
		if (has(v, VIRTIO_IOMMU_F_PROBE))
			out_len = VIRTIO_IOMMU_PROBE_SIZE;
		status = req_probe(v, c, props);
		break;
	default: log_guest_once("virtio-iommu: unknown request type %u", head.type); return 0;
	}
	return req_reply(c, props, out_len, status);
}
