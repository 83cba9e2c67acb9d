// SPDX-License-Identifier: MIT
/* Unit tests for virtio-iommu requests (devices/virtio/iommu*.c): the test
 * is the driver (rings in fake guest RAM) and the transport; two fake
 * endpoints sit behind the device's IOMMU core. Parsing from raw bytes,
 * every status code, ATTACH/DETACH/MAP/UNMAP/PROBE semantics, the config
 * space and its limits. */
#include "viommu_fixture.h"

#define REQ  0x40000ull /* readable part */
#define RESP 0x41000ull /* writable part */

/* rd bytes of req as the readable part, a writable part of wr bytes
 * (filled with 0xee first); run the requestq; the used length. */
static uint32_t send_raw(struct fx *fx, const void *req, uint32_t rd, uint32_t wr)
{
	struct fake_seg s[2] = {{REQ, rd, false}, {RESP, wr, true}};
	uint32_t len;
	uint16_t id;

	memcpy(fake_ptr(&fx->ram, REQ, rd), req, rd);
	memset(fake_ptr(&fx->ram, RESP, 0x1000), 0xee, 0x1000);
	fake_chain_add(&fx->ram, VIRTIO_IOMMU_REQUESTQ, s, 2);
	fx->v->vdev.ops->queue_notify(&fx->v->vdev, VIRTIO_IOMMU_REQUESTQ);
	fake_used_next(&fx->ram, VIRTIO_IOMMU_REQUESTQ, &id, &len);
	return len;
}

static uint8_t *resp(struct fx *fx, uint64_t off)
{
	return fake_ptr(&fx->ram, RESP + off, 1);
}

/* A whole request struct of size bytes (tail last): the status. */
static uint8_t send(struct fx *fx, const void *req, size_t size)
{
	assert_int_equal(send_raw(fx, req, (uint32_t)size - 4, 4), 4);
	assert_int_equal(*resp(fx, 1) | *resp(fx, 2) | *resp(fx, 3), 0); /* reserved */
	assert_int_equal(*resp(fx, 4), 0xee);
	return *resp(fx, 0);
}

static uint8_t attach(struct fx *fx, uint32_t domain, uint32_t ep, uint32_t flags)
{
	struct virtio_iommu_req_attach r = {.head.type = VIRTIO_IOMMU_T_ATTACH,
					    .domain = htole32(domain),
					    .endpoint = htole32(ep),
					    .flags = htole32(flags)};
	return send(fx, &r, sizeof(r));
}

static uint8_t detach(struct fx *fx, uint32_t domain, uint32_t ep)
{
	struct virtio_iommu_req_detach r = {.head.type = VIRTIO_IOMMU_T_DETACH,
					    .domain = htole32(domain),
					    .endpoint = htole32(ep)};
	return send(fx, &r, sizeof(r));
}

static uint8_t map(struct fx *fx, uint32_t domain, uint64_t first, uint64_t last, uint64_t pa,
		   uint32_t flags)
{
	struct virtio_iommu_req_map r = {.head.type = VIRTIO_IOMMU_T_MAP,
					 .domain = htole32(domain),
					 .virt_start = htole64(first),
					 .virt_end = htole64(last),
					 .phys_start = htole64(pa),
					 .flags = htole32(flags)};
	return send(fx, &r, sizeof(r));
}

static uint8_t unmap(struct fx *fx, uint32_t domain, uint64_t first, uint64_t last)
{
	struct virtio_iommu_req_unmap r = {.head.type = VIRTIO_IOMMU_T_UNMAP,
					   .domain = htole32(domain),
					   .virt_start = htole64(first),
					   .virt_end = htole64(last)};
	return send(fx, &r, sizeof(r));
}

static bool mapped(struct fx *fx, uint16_t rid, uint64_t addr, uint64_t *pa)
{
	struct dma_xlate x;
	struct dma_fault f;

	if (iommu_translate(fx->v->io, rid, iova(addr), DMA_ACCESS_READ, &x, &f))
		return false;
	*pa = x.gpa.a;
	return true;
}

#define RW   (VIRTIO_IOMMU_MAP_F_READ | VIRTIO_IOMMU_MAP_F_WRITE)
#define S(x) VIRTIO_IOMMU_S_##x

static void test_config(void **state)
{
	struct fx *fx = *state;
	struct virtio_iommu_config *c;
	uint8_t *raw;

	fx_open(fx, NULL, ALL_FEATURES);
	c = fx->v->vdev.config;
	raw = (uint8_t *)c;
	assert_int_equal(fx->v->vdev.ops->device_id, 23);
	assert_int_equal(fx->v->vdev.nr_queues, 2);
	assert_int_equal(fx->v->vdev.config_len, sizeof(*c));
	assert_int_equal(fx->v->vdev.features,
			 BIT_ULL(VIRTIO_IOMMU_F_MAP_UNMAP) | BIT_ULL(VIRTIO_IOMMU_F_INPUT_RANGE) |
				 BIT_ULL(VIRTIO_IOMMU_F_DOMAIN_RANGE) |
				 BIT_ULL(VIRTIO_IOMMU_F_PROBE) | BIT_ULL(VIRTIO_IOMMU_F_MMIO) |
				 BIT_ULL(VIRTIO_IOMMU_F_BYPASS_CONFIG));
	assert_int_equal(le64toh(c->page_size_mask), ~0xfffull);
	assert_int_equal(le64toh(c->input_range.start), 0);
	assert_int_equal(le64toh(c->input_range.end), (1ull << 48) - 1);
	assert_int_equal(le32toh(c->domain_range.start), 0);
	assert_int_equal(le32toh(c->domain_range.end), 65535);
	assert_int_equal(le32toh(c->probe_size), 512);
	assert_int_equal(c->bypass, 1);

	/* Read-only fields get their values back after a write. */
	memset(raw, 0x55, 8);
	fx->v->vdev.ops->config_write(&fx->v->vdev, 0, 8);
	assert_int_equal(le64toh(c->page_size_mask), ~0xfffull);
	/* A 4-byte write over bypass and reserved: bypass only. */
	memcpy(raw + 36, (uint8_t[]){0, 9, 9, 9}, 4);
	fx->v->vdev.ops->config_write(&fx->v->vdev, 36, 4);
	assert_int_equal(c->bypass, 0);
	assert_int_equal(c->reserved[0] | c->reserved[1] | c->reserved[2], 0);
	assert_int_equal(iommu_endpoint_state(fx->v->io, EP0, NULL), IOMMU_EP_DETACHED_BLOCKED);
	raw[36] = 0xff; /* bit 0 counts */
	fx->v->vdev.ops->config_write(&fx->v->vdev, 36, 1);
	assert_int_equal(c->bypass, 1);
	assert_int_equal(iommu_endpoint_state(fx->v->io, EP0, NULL), IOMMU_EP_DETACHED_BYPASS);
}

static void test_limits(void **state)
{
	struct fx *fx = *state;
	struct virtio_iommu_params p = {.domain_last = 15, .input_last = (1ull << 32) - 1};
	struct virtio_iommu *bad;

	assert_int_equal(
		virtio_iommu_new(&(struct virtio_iommu_params){.input_last = 0x1000}, &bad),
		-EINVAL);
	assert_int_equal(virtio_iommu_new(&(struct virtio_iommu_params){.input_last = 0x7ff}, &bad),
			 -EINVAL);
	fx_open(fx, &p, ALL_FEATURES);
	assert_int_equal(le32toh(fx->v->cfg.domain_range.end), 15);
	assert_int_equal(le64toh(fx->v->cfg.input_range.end), (1ull << 32) - 1);
	assert_int_equal(fx->v->cfg.bypass, 0); /* boot bypass off when asked */
	assert_int_equal(attach(fx, 16, EP0, 0), S(RANGE));
	assert_int_equal(attach(fx, 0xffffffff, EP0, 0), S(RANGE));
	assert_int_equal(attach(fx, 15, EP0, 0), S(OK));
	assert_int_equal(map(fx, 15, 0xfffff000, 0xffffffff, 0x1000, RW), S(OK));
	assert_int_equal(map(fx, 15, 0x100000000, 0x100000fff, 0x1000, RW), S(RANGE));
	assert_int_equal(map(fx, 15, 0xffffe000, 0x100000fff, 0x1000, RW), S(RANGE));
}

static void test_parse(void **state)
{
	struct fx *fx = *state;
	struct virtio_iommu_req_attach a = {
		.head.type = VIRTIO_IOMMU_T_ATTACH, .domain = htole32(1), .endpoint = htole32(EP0)};
	uint8_t big[64] = {0};

	fx_open(fx, NULL, ALL_FEATURES);
	/* No head, a truncated head, a truncated body: INVAL. */
	assert_int_equal(send_raw(fx, &a, 0, 4), 4);
	assert_int_equal(*resp(fx, 0), S(INVAL));
	assert_int_equal(send_raw(fx, &a, 3, 4), 4);
	assert_int_equal(*resp(fx, 0), S(INVAL));
	assert_int_equal(send_raw(fx, &a, sizeof(a) - 5, 4), 4);
	assert_int_equal(*resp(fx, 0), S(INVAL));
	assert_int_equal(iommu_endpoint_state(fx->v->io, EP0, NULL), IOMMU_EP_DETACHED_BYPASS);
	/* No room for the tail: nothing written, used length 0. */
	assert_int_equal(send_raw(fx, &a, sizeof(a) - 4, 0), 0);
	assert_int_equal(send_raw(fx, &a, sizeof(a) - 4, 3), 0);
	assert_int_equal(*resp(fx, 0), 0xee);
	assert_int_equal(iommu_endpoint_state(fx->v->io, EP0, NULL), IOMMU_EP_DETACHED_BYPASS);
	/* Extra readable bytes are ignored; extra writable bytes untouched. */
	memcpy(big, &a, sizeof(a) - 4);
	memset(big + sizeof(a) - 4, 0x77, sizeof(big) - (sizeof(a) - 4));
	assert_int_equal(send_raw(fx, big, sizeof(big), 16), 4);
	assert_int_equal(*resp(fx, 0), S(OK));
	assert_int_equal(*resp(fx, 4), 0xee);
	assert_int_equal(iommu_endpoint_state(fx->v->io, EP0, NULL), IOMMU_EP_DOMAIN);
	/* Unknown types, and every truncated known type. */
	for (unsigned t = 0; t < 256; t += 1 + (t > 8) * 15) {
		big[0] = (uint8_t)t;
		*resp(fx, 0) = 0xee;
		if (t >= 1 && t <= 5) { /* known but truncated: INVAL in the tail */
			assert_int_equal(send_raw(fx, big, 4, 4), 4);
			assert_int_equal(*resp(fx, 0), S(INVAL));
		} else { /* unknown: buffer untouched, used length 0 */
			assert_int_equal(send_raw(fx, big, 4, 4), 0);
			assert_int_equal(*resp(fx, 0), 0xee);
		}
	}
}

static void test_attach_detach(void **state)
{
	struct fx *fx = *state;
	struct virtio_iommu_req_attach r = {
		.head.type = VIRTIO_IOMMU_T_ATTACH, .domain = htole32(1), .endpoint = htole32(EP0)};
	uint32_t d;

	fx_open(fx, NULL, ALL_FEATURES & ~BIT_ULL(VIRTIO_IOMMU_F_BYPASS_CONFIG));
	r.reserved[2] = 1;
	assert_int_equal(send(fx, &r, sizeof(r)), S(INVAL));
	assert_int_equal(attach(fx, 1, EP0, 2), S(INVAL));
	assert_int_equal(attach(fx, 1, EP0, VIRTIO_IOMMU_ATTACH_F_BYPASS), S(INVAL));
	assert_int_equal(attach(fx, 1, 0x77, 0), S(NOENT));
	assert_int_equal(attach(fx, 1, 0x10000 | EP0, 0), S(NOENT));
	assert_int_equal(iommu_endpoint_state(fx->v->io, EP0, NULL), IOMMU_EP_DETACHED_BYPASS);

	assert_int_equal(attach(fx, 1, EP0, 0), S(OK));
	assert_int_equal(attach(fx, 1, EP0, 0), S(OK)); /* again: nothing changes */
	assert_int_equal(attach(fx, 1, EP1, 0), S(OK)); /* two endpoints, one domain */
	assert_int_equal(map(fx, 1, 0x1000, 0x1fff, 0x8000, RW), S(OK));
	assert_int_equal(attach(fx, 2, EP0, 0), S(OK)); /* moves: DETACH then ATTACH */
	assert_int_equal(iommu_endpoint_state(fx->v->io, EP0, &d), IOMMU_EP_DOMAIN);
	assert_int_equal(d, 2);
	assert_int_equal(detach(fx, 1, EP0), S(INVAL)); /* not attached there */
	assert_int_equal(detach(fx, 2, 0x77), S(NOENT));
	assert_int_equal(detach(fx, 2, 0x10018), S(NOENT));
	assert_int_equal(detach(fx, 2, EP0), S(OK));
	assert_int_equal(iommu_endpoint_state(fx->v->io, EP0, NULL), IOMMU_EP_DETACHED_BYPASS);
	assert_int_equal(detach(fx, 2, EP0), S(INVAL));
	/* The last endpoint leaving frees the domain and its mappings. */
	assert_int_equal(detach(fx, 1, EP1), S(OK));
	assert_int_equal(map(fx, 1, 0x1000, 0x1fff, 0x8000, RW), S(NOENT));
}

static void test_bypass_domain(void **state)
{
	struct fx *fx = *state;
	uint64_t pa;

	fx_open(fx, NULL, ALL_FEATURES);
	assert_int_equal(attach(fx, 3, EP0, VIRTIO_IOMMU_ATTACH_F_BYPASS), S(OK));
	assert_int_equal(iommu_endpoint_state(fx->v->io, EP0, NULL), IOMMU_EP_DOMAIN_BYPASS);
	assert_true(mapped(fx, EP0, 0x1234, &pa));
	assert_int_equal(pa, 0x1234);
	assert_int_equal(attach(fx, 3, EP1, 0), S(INVAL)); /* flag differs from the domain */
	assert_int_equal(map(fx, 3, 0x1000, 0x1fff, 0x1000, RW), S(INVAL));
	assert_int_equal(unmap(fx, 3, 0x1000, 0x1fff), S(INVAL));
	assert_int_equal(attach(fx, 4, EP1, 0), S(OK));
	assert_int_equal(attach(fx, 4, EP0, VIRTIO_IOMMU_ATTACH_F_BYPASS), S(INVAL));
}

static void test_map_unmap(void **state)
{
	struct fx *fx = *state;
	uint64_t pa;

	fx_open(fx, NULL, ALL_FEATURES);
	assert_int_equal(attach(fx, 1, EP0, 0), S(OK));
	assert_false(mapped(fx, EP0, 0x1000, &pa));
	assert_int_equal(map(fx, 1, 0x1000, 0x2fff, 0x9000, RW), S(OK));
	assert_true(mapped(fx, EP0, 0x2abc, &pa));
	assert_int_equal(pa, 0xaabc);
	assert_int_equal(map(fx, 1, 0x2000, 0x3fff, 0x9000, RW), S(INVAL)); /* overlaps */
	assert_int_equal(map(fx, 1, 0x3800, 0x4fff, 0x9000, RW), S(RANGE)); /* misaligned */
	assert_int_equal(map(fx, 1, 0x3000, 0x47ff, 0x9000, RW), S(RANGE));
	assert_int_equal(map(fx, 1, 0x3000, 0x3fff, 0x9800, RW), S(RANGE));
	assert_int_equal(map(fx, 1, 0x3000, 0x2fff, 0x9000, RW), S(INVAL)); /* start > end */
	assert_int_equal(map(fx, 1, 1ull << 48, (1ull << 48) + 0xfff, 0, RW), S(RANGE));
	assert_int_equal(map(fx, 1, 0x3000, 0x3fff, ~0xfffull, RW), S(OK));
	assert_int_equal(map(fx, 1, 0x4000, 0x5fff, ~0xfffull, RW), S(RANGE)); /* GPA wraps */
	assert_int_equal(map(fx, 9, 0x3000, 0x3fff, 0x9000, RW), S(NOENT));
	assert_int_equal(map(fx, 1, 0x4000, 0x4fff, 0x9000, 8), S(INVAL));
	assert_int_equal(map(fx, 1, 0x4000, 0x4fff, 0x9000, VIRTIO_IOMMU_MAP_F_MMIO), S(OK));
	/* The MSI window is reserved for every endpoint. */
	assert_int_equal(map(fx, 1, 0xfee00000, 0xfee00fff, 0x9000, RW), S(RANGE));
	assert_int_equal(map(fx, 1, 0xfe000000, 0xffffffff, 0x9000, RW), S(RANGE));
	assert_int_equal(map(fx, 1, 0xfef00000, 0xfef00fff, 0x9000, RW), S(OK));

	/* UNMAP: splitting fails and removes nothing; holes are fine. */
	assert_int_equal(unmap(fx, 1, 0x1000, 0x1fff), S(RANGE));
	assert_int_equal(unmap(fx, 1, 0x2000, 0x3fff), S(RANGE));
	assert_true(mapped(fx, EP0, 0x1000, &pa));
	assert_true(mapped(fx, EP0, 0x3000, &pa));
	assert_int_equal(unmap(fx, 1, 0x10000, 0x1ffff), S(OK)); /* nothing there */
	assert_int_equal(unmap(fx, 1, 0, 0x3fff), S(OK));	 /* two mappings + hole */
	assert_false(mapped(fx, EP0, 0x1000, &pa));
	assert_false(mapped(fx, EP0, 0x3000, &pa));
	assert_int_equal(unmap(fx, 1, 0x2000, 0x1000), S(INVAL));
	assert_int_equal(unmap(fx, 9, 0, 0xfff), S(NOENT));
	assert_int_equal(unmap(fx, 1, 0, ~0ull), S(OK));
	assert_false(mapped(fx, EP0, 0xfef00000, &pa));
}

static void test_features_missing(void **state)
{
	struct fx *fx = *state;
	struct virtio_iommu_req_probe p = {.head.type = VIRTIO_IOMMU_T_PROBE,
					   .endpoint = htole32(EP0)};

	fx_open(fx, NULL, BIT_ULL(VIRTIO_IOMMU_F_BYPASS_CONFIG));
	assert_int_equal(attach(fx, 1, EP0, 0), S(OK));
	assert_int_equal(map(fx, 1, 0x1000, 0x1fff, 0, RW), S(UNSUPP));
	assert_int_equal(unmap(fx, 1, 0x1000, 0x1fff), S(UNSUPP));
	/* PROBE without the feature: no properties, the tail first. */
	assert_int_equal(send_raw(fx, &p, sizeof(p), 516), 4);
	assert_int_equal(*resp(fx, 0), S(UNSUPP));
	assert_int_equal(*resp(fx, 4), 0xee);
	virtio_iommu_free(fx->v);
	fx->v = NULL;
	fx_open(fx, NULL, ALL_FEATURES & ~BIT_ULL(VIRTIO_IOMMU_F_MMIO));
	assert_int_equal(attach(fx, 1, EP0, 0), S(OK));
	assert_int_equal(map(fx, 1, 0x1000, 0x1fff, 0, VIRTIO_IOMMU_MAP_F_MMIO), S(INVAL));
}

static int refuse_map(void *opaque, const struct iommu_event *ev)
{
	(void)opaque;
	return ev->type == IOMMU_EVENT_MAP;
}

static void test_status_codes(void **state)
{
	struct fx *fx = *state;
	struct virtio_iommu_params p = {.boot_bypass = true, .max_mappings = 2};
	struct iommu_notifier n = {.notify = refuse_map};

	fx_open(fx, &p, ALL_FEATURES);
	assert_int_equal(attach(fx, 1, EP0, 0), S(OK));
	assert_int_equal(map(fx, 1, 0x1000, 0x1fff, 0, RW), S(OK));
	assert_int_equal(map(fx, 1, 0x2000, 0x2fff, 0, RW), S(OK));
	assert_int_equal(map(fx, 1, 0x3000, 0x3fff, 0, RW), S(NOMEM));
	assert_int_equal(unmap(fx, 1, 0x1000, 0x2fff), S(OK));
	/* A consumer (VFIO) refusing a MAP: IOERR, and nothing stays. */
	assert_int_equal(iommu_notifier_add(fx->v->io, EP1, &n), 0);
	assert_int_equal(attach(fx, 1, EP1, 0), S(OK));
	assert_int_equal(map(fx, 1, 0x1000, 0x1fff, 0, RW), S(IOERR));
	assert_int_equal(map(fx, 1, 0x1000, 0x1fff, 0, RW), S(IOERR));
	iommu_notifier_del(fx->v->io, &n);
	assert_int_equal(map(fx, 1, 0x1000, 0x1fff, 0, RW), S(OK));

	assert_int_equal(virtio_iommu_status(0), S(OK));
	assert_int_equal(virtio_iommu_status(-EINVAL), S(INVAL));
	assert_int_equal(virtio_iommu_status(-EEXIST), S(INVAL));
	assert_int_equal(virtio_iommu_status(-ERANGE), S(RANGE));
	assert_int_equal(virtio_iommu_status(-ENOENT), S(NOENT));
	assert_int_equal(virtio_iommu_status(-ENOMEM), S(NOMEM));
	assert_int_equal(virtio_iommu_status(-EIO), S(IOERR));
	assert_int_equal(virtio_iommu_status(-EBUSY), S(DEVERR));
}

/* The RESV_MEM property at props + off. */
static void check_resv(struct fx *fx, uint64_t off, uint8_t subtype, uint64_t start, uint64_t end)
{
	struct virtio_iommu_probe_resv_mem want = {
		.head = {htole16(VIRTIO_IOMMU_PROBE_T_RESV_MEM), htole16(20)},
		.subtype = subtype,
		.start = htole64(start),
		.end = htole64(end),
	};

	assert_memory_equal(fake_ptr(&fx->ram, RESP + off, 24), &want, 24);
}

static bool zeros(struct fx *fx, uint64_t from, uint64_t to)
{
	for (uint64_t i = from; i < to; i++)
		if (*resp(fx, i))
			return false;
	return true;
}

static void test_probe(void **state)
{
	struct fx *fx = *state;
	struct virtio_iommu_req_probe p = {.head.type = VIRTIO_IOMMU_T_PROBE,
					   .endpoint = htole32(EP0)};
	static const uint8_t msi[24] = {1, 0, 20, 0, 1,	   0,	 0,    0,    0, 0, 0xe0, 0xfe,
					0, 0, 0,  0, 0xff, 0xff, 0xef, 0xfe, 0, 0, 0,	 0};

	fx_open(fx, NULL, ALL_FEATURES);
	assert_int_equal(send_raw(fx, &p, sizeof(p), 516), 516);
	assert_memory_equal(fake_ptr(&fx->ram, RESP, 24), msi, 24);
	assert_true(zeros(fx, 24, 512));
	assert_int_equal(*resp(fx, 512), S(OK));

	/* Reserved regions of one endpoint: for it alone, after the MSI one. */
	assert_int_equal(virtio_iommu_add_resv(fx->v, EP0, 0, 0x100000, 0x1fffff), 0);
	assert_int_equal(virtio_iommu_add_resv(fx->v, EP1, 0, 0x100000, 0x1fffff), 0);
	assert_int_equal(virtio_iommu_add_resv(fx->v, EP0, 0, 0x200000, 0x200fff), 0);
	assert_int_equal(send_raw(fx, &p, sizeof(p), 600), 516);
	check_resv(fx, 0, VIRTIO_IOMMU_RESV_MEM_T_MSI, 0xfee00000, 0xfeefffff);
	check_resv(fx, 24, 0, 0x100000, 0x1fffff);
	check_resv(fx, 48, 0, 0x200000, 0x200fff);
	assert_true(zeros(fx, 72, 512));
	assert_int_equal(*resp(fx, 512), S(OK));
	assert_int_equal(*resp(fx, 516), 0xee);

	/* MAP over them: refused where that endpoint is attached. */
	assert_int_equal(attach(fx, 1, EP0, 0), S(OK));
	assert_int_equal(attach(fx, 2, EP1, 0), S(OK));
	assert_int_equal(map(fx, 1, 0x200000, 0x200fff, 0, RW), S(RANGE));
	assert_int_equal(map(fx, 2, 0x200000, 0x200fff, 0, RW), S(OK));
	assert_int_equal(map(fx, 2, 0x1ff000, 0x1fffff, 0, RW), S(RANGE));

	/* Unknown endpoint: NOENT, properties zeroed. */
	p.endpoint = htole32(0x99);
	assert_int_equal(send_raw(fx, &p, sizeof(p), 516), 516);
	assert_true(zeros(fx, 0, 512));
	assert_int_equal(*resp(fx, 512), S(NOENT));
	p.endpoint = htole32(0x10000 | EP0);
	assert_int_equal(send_raw(fx, &p, sizeof(p), 516), 516);
	assert_int_equal(*resp(fx, 512), S(NOENT));
	/* A writable part shorter than probe_size: INVAL at its end only. */
	p.endpoint = htole32(EP0);
	assert_int_equal(send_raw(fx, &p, sizeof(p), 100), 100);
	assert_int_equal(*resp(fx, 0), 0xee);
	assert_int_equal(*resp(fx, 96), S(INVAL));
	assert_int_equal(send_raw(fx, &p, sizeof(p), 2), 0);
	/* Truncated readable part (the 64 reserved bytes are part of it). */
	assert_int_equal(send_raw(fx, &p, sizeof(p) - 1, 516), 516);
	assert_int_equal(*resp(fx, 512), S(INVAL));
}

static void test_resv_api(void **state)
{
	struct fx *fx = *state;

	fx_open(fx, NULL, ALL_FEATURES);
	assert_int_equal(virtio_iommu_add_resv(fx->v, EP0, 0, 0x2000, 0x1fff), -EINVAL);
	assert_int_equal(virtio_iommu_add_resv(fx->v, EP0, VIRTIO_IOMMU_RESV_MEM_T_MSI, 0, 0xfff),
			 -EINVAL);
	assert_int_equal(virtio_iommu_add_resv(fx->v, EP0, 7, 0, 0xfff), -EINVAL);
	assert_int_equal(virtio_iommu_add_resv(fx->v, EP0, 0, 0xfeeff000, 0xfef00fff), -EINVAL);
	assert_int_equal(virtio_iommu_add_resv(fx->v, EP0, 0, 0, 0xfff), 0);
	assert_int_equal(virtio_iommu_add_resv(fx->v, EP0, 0, 0xfff, 0x1fff), -EINVAL);
	for (unsigned i = 1; i < VIRTIO_IOMMU_MAX_RESV; i++)
		assert_int_equal(virtio_iommu_add_resv(fx->v, EP1, 0, i << 12, i << 12), 0);
	assert_int_equal(virtio_iommu_add_resv(fx->v, EP1, 0, 0x100000, 0x100000), -ENOSPC);
}

/* Reserved regions hold whatever the order of requests: B's region
 * [0x100000, 0x1fffff] can be mapped in a domain only while B is not in it,
 * and B cannot join a domain that maps inside it. */
static void test_resv_any_order(void **state)
{
	struct fx *fx = *state;
	uint64_t pa;

	fx_open(fx, NULL, ALL_FEATURES);
	assert_int_equal(virtio_iommu_add_resv(fx->v, EP1, 0, 0x100000, 0x1fffff), 0);
	/* attach B, then map inside B's region: RANGE (MAP checks B). */
	assert_int_equal(attach(fx, 1, EP1, 0), S(OK));
	assert_int_equal(map(fx, 1, 0x180000, 0x180fff, 0x5000, RW), S(RANGE));
	assert_int_equal(detach(fx, 1, EP1), S(OK));
	/* attach A; map inside B's region (fine for A); attach B: RANGE, and
	 * B does not translate there. */
	assert_int_equal(attach(fx, 2, EP0, 0), S(OK));
	assert_int_equal(map(fx, 2, 0x180000, 0x180fff, 0x5000, RW), S(OK));
	assert_int_equal(attach(fx, 2, EP1, 0), S(RANGE));
	assert_false(mapped(fx, EP1, 0x180000, &pa) && pa == 0x5000);
	assert_true(mapped(fx, EP0, 0x180000, &pa) && pa == 0x5000);
	/* A mapping that only touches the region's edge counts too. */
	assert_int_equal(unmap(fx, 2, 0x180000, 0x180fff), S(OK));
	assert_int_equal(map(fx, 2, 0x1ff000, 0x200fff, 0x5000, RW), S(OK));
	assert_int_equal(attach(fx, 2, EP1, 0), S(RANGE));
	/* Once the domain no longer maps there, B may join. */
	assert_int_equal(unmap(fx, 2, 0x1ff000, 0x200fff), S(OK));
	assert_int_equal(map(fx, 2, 0x200000, 0x200fff, 0x5000, RW), S(OK));
	assert_int_equal(attach(fx, 2, EP1, 0), S(OK));
	assert_true(mapped(fx, EP1, 0x200000, &pa) && pa == 0x5000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_config, setup, teardown),
		cmocka_unit_test_setup_teardown(test_limits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_parse, setup, teardown),
		cmocka_unit_test_setup_teardown(test_attach_detach, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bypass_domain, setup, teardown),
		cmocka_unit_test_setup_teardown(test_map_unmap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_features_missing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_status_codes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_probe, setup, teardown),
		cmocka_unit_test_setup_teardown(test_resv_api, setup, teardown),
		cmocka_unit_test_setup_teardown(test_resv_any_order, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
