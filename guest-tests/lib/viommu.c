// SPDX-License-Identifier: MIT
/* The virtio-iommu driver (see viommu.h). */
#include "viommu.h"

#include "bytes.h"
#include "io.h"
#include "report.h"
#include "string.h"
#include "tsc.h"

#define OFF(field) __builtin_offsetof(struct virtio_iommu_config, field)

/* ---- set-up and configuration ---------------------------------------------- */

bool viommu_has(const struct viommu *v, unsigned f)
{
	return v->dev.features & BIT_ULL(f);
}

bool viommu_offers(const struct viommu *v, unsigned f)
{
	return v->dev.offered & BIT_ULL(f);
}

void viommu_read_config(struct viommu *v)
{
	struct virtio_pci *d = &v->dev;
	struct virtio_iommu_config *c = &v->cfg;

	c->page_size_mask = virtio_cfg64(d, OFF(page_size_mask));
	c->input_range.start = virtio_cfg64(d, OFF(input_range.start));
	c->input_range.end = virtio_cfg64(d, OFF(input_range.end));
	c->domain_range.start = virtio_cfg32(d, OFF(domain_range.start));
	c->domain_range.end = virtio_cfg32(d, OFF(domain_range.end));
	c->probe_size = virtio_cfg32(d, OFF(probe_size));
	c->bypass = virtio_cfg8(d, OFF(bypass));
	/* Defaults when a feature is absent (5.13.6): the whole 64-bit input
	 * space, any domain. */
	if (!viommu_offers(v, VIRTIO_IOMMU_F_INPUT_RANGE)) {
		c->input_range.start = 0;
		c->input_range.end = ~0ull;
	}
	if (!viommu_offers(v, VIRTIO_IOMMU_F_DOMAIN_RANGE)) {
		c->domain_range.start = 0;
		c->domain_range.end = ~0u;
	}
	v->granule = c->page_size_mask ? (uint32_t)(c->page_size_mask & -c->page_size_mask) : 0;
	if (!v->granule || v->granule > (1u << 30))
		v->granule = 4096; /* a broken mask; the tests report it */
}

uint8_t viommu_bypass(struct viommu *v)
{
	return virtio_cfg8(&v->dev, OFF(bypass));
}

void viommu_set_bypass(struct viommu *v, uint8_t on)
{
	if (v->dev.device && OFF(bypass) < v->dev.device_len)
		mmio_write8(v->dev.device + OFF(bypass), on);
}

static void post_event(struct viommu *v, unsigned i)
{
	struct virtq *q = &v->dev.vq[VIOMMU_EVENTQ];
	struct virtq_buf b = {&v->events[i], sizeof(v->events[i])};
	uint16_t head;

	memset(&v->events[i], 0, sizeof(v->events[i]));
	if (virtq_add(q, &b, 0, 1, &head) == 0)
		v->event_of_head[head] = (uint8_t)i;
}

int viommu_reinit(struct viommu *v, uint64_t want)
{
	struct virtio_pci *d = &v->dev;

	for (unsigned i = 0; i < VIOMMU_MAX_BATCH; i++)
		v->slots[i].busy = v->slots[i].lost = v->slots[i].batch = false;
	if (virtio_negotiate(d, want))
		return -1;
	if (virtq_setup(d, VIOMMU_REQQ, 0, VIRTIO_MSI_NO_VECTOR) ||
	    virtq_setup(d, VIOMMU_EVENTQ, 0, VIRTIO_MSI_NO_VECTOR))
		return -1;
	v->reqq_size = d->vq[VIOMMU_REQQ].size;
	virtio_driver_ok(d);
	/* 5.13.6.9: the driver populates the eventq with writable buffers. */
	for (unsigned i = 0; i < VIOMMU_NR_EVENTS && i < d->vq[VIOMMU_EVENTQ].size; i++)
		post_event(v, i);
	virtq_kick(&d->vq[VIOMMU_EVENTQ]);
	viommu_read_config(v);
	return 0;
}

int viommu_open(struct viommu *v, uint64_t want)
{
	static struct viommu_slot *slots;
	static struct virtio_iommu_fault *events;
	static uint8_t *probe_buf;

	if (!slots) {
		slots = virtio_alloc(sizeof(*slots) * VIOMMU_MAX_BATCH, 64);
		events = virtio_alloc(sizeof(*events) * VIOMMU_NR_EVENTS, 64);
		probe_buf =
			virtio_alloc(VIOMMU_PROBE_MAX + sizeof(struct virtio_iommu_req_tail), 64);
	}
	memset(v, 0, sizeof(*v));
	v->slots = slots;
	v->events = events;
	v->probe_buf = probe_buf;
	v->timeout_us = VIRTIO_TIMEOUT_US;
	viot_read(&v->viot);
	/* virtio_pci_open finds 0x1af4:0x1040 + 23 and leaves the DMA ops
	 * at identity: the IOMMU does not translate its own accesses. */
	if (virtio_pci_open(&v->dev, VIRTIO_ID_IOMMU, 0))
		return -1;
	return viommu_reinit(v, want);
}

/* ---- requests --------------------------------------------------------------- */

static int slot_get(struct viommu *v)
{
	for (unsigned i = 0; i < VIOMMU_MAX_BATCH; i++)
		if (!v->slots[i].busy && !v->slots[i].lost)
			return (int)i;
	return -1;
}

/* Queue slot i: out_len bytes of its request, then its in part. */
static int slot_add(struct viommu *v, int i, const void *out, uint32_t out_len, uint8_t *in,
		    uint32_t in_len)
{
	struct viommu_slot *s = &v->slots[i];
	struct virtq_buf b[2] = {{(void *)out, out_len}, {in, in_len}};
	uint16_t head;

	s->in = in;
	s->in_len = in_len;
	s->used_len = 0;
	memset(in, 0xa5, in_len);
	if (virtq_add(&v->dev.vq[VIOMMU_REQQ], b, 1, 1, &head))
		return VIOMMU_E_QUEUE;
	v->slot_of_head[head] = (uint8_t)i;
	s->busy = s->batch = true;
	v->nr_requests++;
	return i;
}

static int slot_status(const struct viommu_slot *s)
{
	if (s->used_len == 0)
		return VIOMMU_E_NOSTAT;
	return READ_ONCE(s->in[s->in_len - sizeof(struct virtio_iommu_req_tail)]);
}

/* Take one used request; false on timeout. */
static bool reap(struct viommu *v, uint64_t timeout_us)
{
	uint16_t head;
	uint32_t len;

	if (virtq_wait(&v->dev.vq[VIOMMU_REQQ], &head, &len, timeout_us))
		return false;
	if (head < VIRTQ_MAX_SIZE && v->slots[v->slot_of_head[head]].busy) {
		struct viommu_slot *s = &v->slots[v->slot_of_head[head]];

		s->used_len = len;
		s->busy = false;
	}
	return true;
}

void viommu_kick(struct viommu *v)
{
	virtq_kick(&v->dev.vq[VIOMMU_REQQ]);
}

/* Queue, kick and wait for slot i. */
static int sync(struct viommu *v, int i)
{
	uint64_t end = time_us() + v->timeout_us;

	if (i < 0)
		return i;
	viommu_kick(v);
	v->slots[i].batch = false;
	while (v->slots[i].busy) {
		uint64_t now = time_us();

		if (now >= end || !reap(v, end - now)) {
			v->slots[i].busy = false;
			v->slots[i].lost = true;
			return VIOMMU_E_TIMEOUT;
		}
	}
	return slot_status(&v->slots[i]);
}

int viommu_raw(struct viommu *v, const void *out, uint32_t out_len, void *in, uint32_t in_len,
	       uint32_t *used_len)
{
	int i = slot_get(v), st;

	if (i < 0 || in_len < sizeof(struct virtio_iommu_req_tail))
		return VIOMMU_E_QUEUE;
	st = sync(v, slot_add(v, i, out, out_len, in, in_len));
	if (used_len)
		*used_len = i >= 0 ? v->slots[i].used_len : 0;
	return st;
}

/* The device-readable part of a request: all of it but the tail. */
#define REQ_OUT_LEN(req) (uint32_t)(sizeof(req) - sizeof(struct virtio_iommu_req_tail))

/* Queue a request in a free slot: out_len bytes of req (the head first),
 * copied into the slot, device-readable; then in_len bytes at in
 * device-writable, or the slot's own tail when in is NULL. The slot index,
 * or VIOMMU_E_QUEUE. */
static int queue_req(struct viommu *v, const void *req, uint32_t out_len, uint8_t *in,
		     uint32_t in_len)
{
	int i = slot_get(v);
	struct viommu_slot *s;

	if (i < 0 || out_len > sizeof(s->out))
		return VIOMMU_E_QUEUE;
	s = &v->slots[i];
	memset(&s->out, 0, sizeof(s->out));
	memcpy(&s->out, req, out_len);
	if (!in) {
		in = (uint8_t *)&s->tail;
		in_len = sizeof(s->tail);
	}
	return slot_add(v, i, &s->out, out_len, in, in_len);
}

int viommu_attach(struct viommu *v, uint32_t domain, uint32_t endpoint, uint32_t flags)
{
	struct virtio_iommu_req_attach r = {
		.head.type = VIRTIO_IOMMU_T_ATTACH,
		.domain = domain,
		.endpoint = endpoint,
		.flags = flags,
	};

	return sync(v, queue_req(v, &r, REQ_OUT_LEN(r), NULL, 0));
}

int viommu_detach(struct viommu *v, uint32_t domain, uint32_t endpoint)
{
	struct virtio_iommu_req_detach r = {
		.head.type = VIRTIO_IOMMU_T_DETACH,
		.domain = domain,
		.endpoint = endpoint,
	};

	return sync(v, queue_req(v, &r, REQ_OUT_LEN(r), NULL, 0));
}

int viommu_queue_map(struct viommu *v, uint32_t domain, uint64_t virt_start, uint64_t virt_end,
		     uint64_t phys_start, uint32_t flags)
{
	struct virtio_iommu_req_map r = {
		.head.type = VIRTIO_IOMMU_T_MAP,
		.domain = domain,
		.virt_start = virt_start,
		.virt_end = virt_end,
		.phys_start = phys_start,
		.flags = flags,
	};

	return queue_req(v, &r, REQ_OUT_LEN(r), NULL, 0);
}

int viommu_queue_unmap(struct viommu *v, uint32_t domain, uint64_t virt_start, uint64_t virt_end)
{
	struct virtio_iommu_req_unmap r = {
		.head.type = VIRTIO_IOMMU_T_UNMAP,
		.domain = domain,
		.virt_start = virt_start,
		.virt_end = virt_end,
	};

	return queue_req(v, &r, REQ_OUT_LEN(r), NULL, 0);
}

int viommu_map(struct viommu *v, uint32_t domain, uint64_t virt_start, uint64_t virt_end,
	       uint64_t phys_start, uint32_t flags)
{
	return sync(v, viommu_queue_map(v, domain, virt_start, virt_end, phys_start, flags));
}

int viommu_unmap(struct viommu *v, uint32_t domain, uint64_t virt_start, uint64_t virt_end)
{
	return sync(v, viommu_queue_unmap(v, domain, virt_start, virt_end));
}

int viommu_probe(struct viommu *v, uint32_t endpoint)
{
	struct virtio_iommu_req_probe r = {.head.type = VIRTIO_IOMMU_T_PROBE, .endpoint = endpoint};
	uint32_t size = v->cfg.probe_size;

	if (size > VIOMMU_PROBE_MAX)
		return VIOMMU_E_QUEUE;
	/* The device-readable part: head, endpoint, 64 reserved bytes; the
	 * device-writable one: probe_size bytes of properties, the tail. */
	return sync(v, queue_req(v, &r, sizeof(r), v->probe_buf,
				 size + (uint32_t)sizeof(struct virtio_iommu_req_tail)));
}

int viommu_complete(struct viommu *v)
{
	uint64_t end = time_us() + v->timeout_us;
	int ok = 0;

	for (;;) {
		bool busy = false;

		for (unsigned i = 0; i < VIOMMU_MAX_BATCH; i++)
			busy |= v->slots[i].busy;
		if (!busy)
			break;
		if (time_us() >= end || !reap(v, end - time_us())) {
			for (unsigned i = 0; i < VIOMMU_MAX_BATCH; i++) {
				if (v->slots[i].busy)
					v->slots[i].lost = true;
				v->slots[i].busy = v->slots[i].batch = false;
			}
			return VIOMMU_E_TIMEOUT;
		}
	}
	for (unsigned i = 0; i < VIOMMU_MAX_BATCH; i++) {
		struct viommu_slot *s = &v->slots[i];

		if (s->batch && !s->lost && slot_status(s) == VIRTIO_IOMMU_S_OK)
			ok++;
		s->batch = false;
	}
	return ok;
}

/* ---- probe properties ------------------------------------------------------- */

int viommu_parse_props(const uint8_t *props, uint32_t size, struct viommu_resv *out, unsigned max,
		       unsigned *nr_resv)
{
	uint32_t off = 0;
	int n = 0;

	*nr_resv = 0;
	/* 5.13.6.8: each property is a 4-byte header and length bytes of
	 * value; the next starts length + 4 bytes on; type 0 ends the list. */
	while (off + sizeof(struct virtio_iommu_probe_property) <= size) {
		uint16_t word = get_le16(props + off), len = get_le16(props + off + 2);
		uint16_t type = word & VIRTIO_IOMMU_PROBE_T_MASK;

		if (type == VIRTIO_IOMMU_PROBE_T_NONE)
			break;
		if (off + 4 + len > size)
			return -1;
		n++;
		if (type == VIRTIO_IOMMU_PROBE_T_RESV_MEM && *nr_resv < max) {
			struct viommu_resv *r = &out[(*nr_resv)++];
			const uint8_t *p = props + off + 4;

			r->type = type;
			r->length = len;
			r->reserved_bits = (word & ~VIRTIO_IOMMU_PROBE_T_MASK) != 0;
			r->subtype = len >= 1 ? p[0] : 0xff;
			r->start = len >= 12 ? get_le64(p + 4) : 0;
			r->end = len >= 20 ? get_le64(p + 12) : 0;
		}
		off += 4u + len;
	}
	return n;
}

/* ---- events ----------------------------------------------------------------- */

bool viommu_get_fault(struct viommu *v, struct virtio_iommu_fault *f)
{
	struct virtq *q = &v->dev.vq[VIOMMU_EVENTQ];
	uint16_t head;
	uint32_t len;
	unsigned i;

	if (!virtq_get(q, &head, &len))
		return false;
	i = head < VIRTQ_MAX_SIZE ? v->event_of_head[head] : 0;
	if (i >= VIOMMU_NR_EVENTS)
		i = 0;
	barrier();
	memcpy(f, &v->events[i], sizeof(*f));
	v->last_event_len = len;
	post_event(v, i);
	virtq_kick(q);
	return true;
}

bool viommu_wait_fault(struct viommu *v, struct virtio_iommu_fault *f, uint64_t timeout_us)
{
	uint64_t end = time_us() + timeout_us;

	do {
		if (viommu_get_fault(v, f))
			return true;
		cpu_relax();
	} while (time_us() < end);
	return false;
}

unsigned viommu_drain_faults(struct viommu *v)
{
	struct virtio_iommu_fault f;
	unsigned n = 0;

	while (viommu_get_fault(v, &f))
		n++;
	return n;
}

const char *viommu_status_name(int status)
{
	static const char *const names[] = {"OK",    "IOERR", "UNSUPP", "DEVERR", "INVAL",
					    "RANGE", "NOENT", "FAULT",	"NOMEM"};

	if (status >= 0 && (unsigned)status < ARRAY_SIZE(names))
		return names[status];
	switch (status) {
	case VIOMMU_E_TIMEOUT: return "no answer";
	case VIOMMU_E_NOSTAT: return "used len 0";
	case VIOMMU_E_QUEUE: return "not queued";
	}
	return "?";
}
