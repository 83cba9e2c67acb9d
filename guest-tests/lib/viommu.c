// SPDX-License-Identifier: MIT
/* The virtio-iommu driver and the VIOT parser (see viommu.h). */
#include "viommu.h"

#include "io.h"
#include "report.h"
#include "string.h"
#include "tsc.h"

#define OFF(field) __builtin_offsetof(struct virtio_iommu_config, field)

/* ---- ACPI VIOT ------------------------------------------------------------ */

/* The table body after the common header (ACPI 6.4, table 5.163). */
#define VIOT_BODY     36
#define VIOT_NODES_AT 48 /* header + node count, node offset, 8 reserved */

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t get32(const uint8_t *p)
{
	return get16(p) | (uint32_t)get16(p + 2) << 16;
}

int viot_read(struct viot_info *v)
{
	const struct acpi_header *h = acpi_find_table("VIOT", 0);
	const uint8_t *t = (const uint8_t *)h;
	uint16_t count, off;

	memset(v, 0, sizeof(*v));
	if (!h)
		return -1;
	v->table = h;
	v->checksum_ok = acpi_table_valid(h);
	if (h->length < VIOT_NODES_AT)
		return 0;
	count = get16(t + VIOT_BODY);
	off = get16(t + VIOT_BODY + 2);
	v->nodes_ok = off >= VIOT_NODES_AT;
	for (unsigned i = 0; i < count && v->nodes_ok; i++) {
		const uint8_t *n = t + off;
		uint16_t len;

		if ((uint32_t)off + 4 > h->length) {
			v->nodes_ok = false;
			break;
		}
		len = get16(n + 2);
		if (len < 4 || (uint32_t)off + len > h->length) {
			v->nodes_ok = false;
			break;
		}
		v->nr_nodes++;
		switch (n[0]) {
		case VIOT_NODE_VIRTIO_IOMMU_PCI:
			if (len < 16) {
				v->nodes_ok = false;
			} else if (!v->has_iommu_pci) {
				v->has_iommu_pci = true;
				v->iommu_offset = off;
				v->iommu_segment = get16(n + 4);
				v->iommu_bdf = get16(n + 6);
			}
			break;
		case VIOT_NODE_PCI_RANGE:
			if (len < 24) {
				v->nodes_ok = false;
			} else if (v->nr_ranges < VIOT_MAX_RANGES) {
				struct viot_pci_range *r = &v->range[v->nr_ranges++];

				r->endpoint_start = get32(n + 4);
				r->segment_start = get16(n + 8);
				r->segment_end = get16(n + 10);
				r->bdf_start = get16(n + 12);
				r->bdf_end = get16(n + 14);
				r->output_node = get16(n + 16);
			}
			break;
		default: v->nr_other++;
		}
		off = (uint16_t)(off + len);
	}
	return 0;
}

bool viot_endpoint(const struct viot_info *v, uint16_t bdf, uint32_t *endpoint)
{
	for (unsigned i = 0; v->has_iommu_pci && i < v->nr_ranges; i++) {
		const struct viot_pci_range *r = &v->range[i];

		if (r->output_node != v->iommu_offset || r->segment_start != 0 ||
		    bdf < r->bdf_start || bdf > r->bdf_end)
			continue;
		*endpoint = r->endpoint_start + (uint32_t)(bdf - r->bdf_start);
		return true;
	}
	return false;
}

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

#define REQ_OUT_LEN(type) (uint32_t)(sizeof(type) - sizeof(struct virtio_iommu_req_tail))

static struct viommu_slot *fill(struct viommu *v, int *idx, uint8_t type)
{
	struct viommu_slot *s;

	*idx = slot_get(v);
	if (*idx < 0)
		return NULL;
	s = &v->slots[*idx];
	memset(&s->out, 0, sizeof(s->out));
	s->out.head.type = type;
	return s;
}

static int queue_attach(struct viommu *v, uint32_t domain, uint32_t ep, uint32_t flags)
{
	int i;
	struct viommu_slot *s = fill(v, &i, VIRTIO_IOMMU_T_ATTACH);

	if (!s)
		return VIOMMU_E_QUEUE;
	s->out.attach.domain = domain;
	s->out.attach.endpoint = ep;
	s->out.attach.flags = flags;
	return slot_add(v, i, &s->out, REQ_OUT_LEN(struct virtio_iommu_req_attach),
			(uint8_t *)&s->tail, sizeof(s->tail));
}

int viommu_attach(struct viommu *v, uint32_t domain, uint32_t endpoint, uint32_t flags)
{
	return sync(v, queue_attach(v, domain, endpoint, flags));
}

int viommu_detach(struct viommu *v, uint32_t domain, uint32_t endpoint)
{
	int i;
	struct viommu_slot *s = fill(v, &i, VIRTIO_IOMMU_T_DETACH);

	if (!s)
		return VIOMMU_E_QUEUE;
	s->out.detach.domain = domain;
	s->out.detach.endpoint = endpoint;
	return sync(v, slot_add(v, i, &s->out, REQ_OUT_LEN(struct virtio_iommu_req_detach),
				(uint8_t *)&s->tail, sizeof(s->tail)));
}

int viommu_queue_map(struct viommu *v, uint32_t domain, uint64_t virt_start, uint64_t virt_end,
		     uint64_t phys_start, uint32_t flags)
{
	int i;
	struct viommu_slot *s = fill(v, &i, VIRTIO_IOMMU_T_MAP);

	if (!s)
		return VIOMMU_E_QUEUE;
	s->out.map.domain = domain;
	s->out.map.virt_start = virt_start;
	s->out.map.virt_end = virt_end;
	s->out.map.phys_start = phys_start;
	s->out.map.flags = flags;
	return slot_add(v, i, &s->out, REQ_OUT_LEN(struct virtio_iommu_req_map),
			(uint8_t *)&s->tail, sizeof(s->tail));
}

int viommu_queue_unmap(struct viommu *v, uint32_t domain, uint64_t virt_start, uint64_t virt_end)
{
	int i;
	struct viommu_slot *s = fill(v, &i, VIRTIO_IOMMU_T_UNMAP);

	if (!s)
		return VIOMMU_E_QUEUE;
	s->out.unmap.domain = domain;
	s->out.unmap.virt_start = virt_start;
	s->out.unmap.virt_end = virt_end;
	return slot_add(v, i, &s->out, REQ_OUT_LEN(struct virtio_iommu_req_unmap),
			(uint8_t *)&s->tail, sizeof(s->tail));
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
	uint32_t size = v->cfg.probe_size;
	int i;
	struct viommu_slot *s;

	if (size > VIOMMU_PROBE_MAX)
		return VIOMMU_E_QUEUE;
	s = fill(v, &i, VIRTIO_IOMMU_T_PROBE);
	if (!s)
		return VIOMMU_E_QUEUE;
	s->out.probe.endpoint = endpoint;
	/* The device-readable part: head, endpoint, 64 reserved bytes; the
	 * device-writable one: probe_size bytes of properties, the tail. */
	return sync(v, slot_add(v, i, &s->out, sizeof(struct virtio_iommu_req_probe), v->probe_buf,
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
		uint16_t word = get16(props + off), len = get16(props + off + 2);
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
			r->start = len >= 12 ? get32(p + 4) | (uint64_t)get32(p + 8) << 32 : 0;
			r->end = len >= 20 ? get32(p + 12) | (uint64_t)get32(p + 16) << 32 : 0;
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

/* ---- DMA for another device ------------------------------------------------- */

static iova_t dma_map(void *ctx, uint64_t gpa, uint64_t len, bool dev_writes)
{
	struct viommu_dma *d = ctx;
	uint64_t g = d->v->granule, lo = gpa & ~(g - 1);
	uint64_t n = ((gpa + (len ? len : 1) + g - 1) & ~(g - 1)) - lo;
	iova_t iova;

	if (d->mode == VIOMMU_DMA_WINDOW) {
		if (gpa < d->gpa_base || gpa - d->gpa_base > d->size ||
		    len > d->size - (gpa - d->gpa_base)) {
			d->errors++;
			return IOVA_INVALID;
		}
		return d->base + (gpa - d->gpa_base);
	}
	iova = d->next;
	if (iova > d->limit || n > d->limit - iova) {
		d->errors++;
		return IOVA_INVALID;
	}
	d->maps++;
	d->last_status =
		viommu_map(d->v, d->domain, iova, iova + n - 1, lo,
			   VIRTIO_IOMMU_MAP_F_READ | (dev_writes ? VIRTIO_IOMMU_MAP_F_WRITE : 0));
	if (d->last_status != VIRTIO_IOMMU_S_OK) {
		d->errors++;
		return IOVA_INVALID;
	}
	d->next = iova + n + g; /* an unmapped guard granule between buffers */
	return iova + (gpa - lo);
}

static void dma_unmap(void *ctx, iova_t iova, uint64_t len)
{
	struct viommu_dma *d = ctx;
	uint64_t g = d->v->granule, lo = iova & ~(g - 1);
	uint64_t n = ((iova + (len ? len : 1) + g - 1) & ~(g - 1)) - lo;

	if (d->mode == VIOMMU_DMA_WINDOW)
		return;
	d->unmaps++;
	d->last_status = viommu_unmap(d->v, d->domain, lo, lo + n - 1);
	if (d->last_status != VIRTIO_IOMMU_S_OK)
		d->errors++;
	if (lo + n + g == d->next)
		d->next = lo; /* the most recent buffer: reuse its IOVAs */
}

static void dma_init(struct viommu_dma *d, struct viommu *v, uint32_t domain,
		     enum viommu_dma_mode mode)
{
	memset(d, 0, sizeof(*d));
	d->ops.name = mode == VIOMMU_DMA_ALLOC ? "viommu-alloc" : "viommu-window";
	d->ops.map = dma_map;
	d->ops.unmap = dma_unmap;
	d->ops.ctx = d;
	d->v = v;
	d->domain = domain;
	d->mode = mode;
}

void viommu_dma_alloc(struct viommu_dma *d, struct viommu *v, uint32_t domain, iova_t iova_base,
		      uint64_t size)
{
	dma_init(d, v, domain, VIOMMU_DMA_ALLOC);
	d->base = d->next = iova_base;
	d->limit = iova_base + size;
}

void viommu_dma_window(struct viommu_dma *d, struct viommu *v, uint32_t domain, uint64_t gpa_base,
		       uint64_t size, iova_t iova_base)
{
	dma_init(d, v, domain, VIOMMU_DMA_WINDOW);
	d->base = iova_base;
	d->gpa_base = gpa_base;
	d->size = size;
}
