// SPDX-License-Identifier: MIT
/* virtio-iommu requests (devices/virtio/iommu{,_req,_event}.c) through the IOMMU core
 * (iommu/) and the VFIO mirror (devices/vfio/mirror.c), against a
 * reference model.
 *
 * The device has four endpoints: 0x10 and 0x18 are emulated devices with a
 * DMA address space over fake RAM (64 KiB at 0 and at 4 GiB); 0x20 and 0x28
 * are passthrough functions, each mirrored into its own fake host container
 * that keeps what it was asked to map and refuses a map when the input says
 * so. Requests are chains of two readable and two writable buffers handed to
 * virtio_iommu_handle(). The model holds the global bypass, each endpoint's
 * state and each domain's bypass flag and mappings.
 *
 * Input:
 *   byte 0   features the driver refuses: bit 0 MAP_UNMAP, 1 PROBE, 2 MMIO,
 *            3 BYPASS_CONFIG (zero: all of them); bit 4: an IOTLB of one set,
 *            not 4; bit 5: input_last 2^64 - 1
 *   byte 1   bit 0 boot bypass off, 1 max_mappings 4, 2 domain_last 7,
 *            3 input_last 2^32 - 1, 4-5 the host's budget (none, 2 RAM + 16 KiB,
 *            RAM + 16 KiB, 16 KiB), 6-7 the host's refusal (ENOSPC, ENOMEM,
 *            EINVAL, EFAULT)
 *   8 bytes  host map call k is refused when bit k % 64 is set
 *   byte     n % 4 reserved regions: endpoint (byte % 4), page, pages (byte % 4 + 1)
 *   then at most MAX_OPS operations: an opcode byte and its fields.
 *     (opcode & 15) % 9: 0 ATTACH, 1 DETACH, 2 MAP, 3 UNMAP, 4 PROBE, 5 raw
 *     (type, length, bytes), 6 config write (offset, size, bytes), 7 device
 *     reset, 8 translate (8-byte IOVA). Bit 7: a signed readable-length delta
 *     and a writable length follow; bit 6: split points of both parts follow.
 *     Fields: see rd_domain(), rd_ep(), rd_range(), rd_gpa(), rd_flags().
 *
 * Invariants, after every operation:
 *  - the used length and the tail are where iommu_req.c says; writable bytes
 *    after the tail and between the buffers are untouched; PROBE properties
 *    are the MSI window, the endpoint's reserved regions, then zeros;
 *  - the status is OK exactly when no error condition of the request holds
 *    and no consumer refused, else one the spec gives a condition that holds;
 *  - a refused MAP fails with IOERR (NOMEM when the host said ENOMEM or the
 *    budget ran out) and leaves no trace; a refused ATTACH or DETACH fails
 *    with IOERR and leaves the endpoint blocked; a request that fails
 *    otherwise, or is not acted on, sends no event to any consumer;
 *  - every endpoint's state and every domain's mappings in the core are the
 *    model's (no mapping survives an UNMAP covering it; detach leaves none);
 *  - translations (iommu_translate, and dma_map through the address space)
 *    at the edges of the request's range and of the domain's mappings are
 *    what the model says;
 *  - each fake host holds exactly its endpoint's view: the readable or
 *    writable mappings of its domain, all RAM at IOVA = GPA for an identity
 *    view, or nothing, and the pinned count is their size;
 *  - the config space reads back its creation values, bypass excepted.
 * FUZZ_TRACE=1 in the environment prints one line per request. */
#include "tests/fuzz/virtio_fixture.h"
#include "tests/fuzz/virtio_iommu_checks.h"
#include "tests/fuzz/virtio_iommu_fx.h"
#include "tests/fuzz/virtio_iommu_model.h"
#include "tests/fuzz/virtio_iommu_req.h"

/* ---- operations ---- */

static uint32_t rd_domain(struct fuzz_in *in)
{
	uint8_t b = fuzz_u8(in);

	if (b < 0xf0)
		return b % 10;
	if (b == 0xf0)
		return F.domain_last;
	if (b == 0xf1)
		return F.domain_last + 1;
	return fuzz_u32(in);
}

static uint32_t rd_ep(struct fuzz_in *in)
{
	uint8_t b = fuzz_u8(in) & 7;

	if (b < NR_EP)
		return ep_rid[b];
	if (b == 4)
		return 0x77;
	if (b == 5)
		return 0x10000 | ep_rid[0];
	return b == 6 ? fuzz_u32(in) : ~0u;
}

/* Pages 0-255 (or near the MSI window, or 8 raw bytes), then an end a few
 * pages on, raw, below the start, or the last IOVA; either may be off the
 * granule. */
static void rd_range(struct fuzz_in *in, uint64_t *first, uint64_t *last)
{
	uint8_t s = fuzz_u8(in);
	uint64_t f = s & 0x80 ? fuzz_u64(in) : (uint64_t)fuzz_u8(in) << 12, l;

	if (s & 0x10)
		f += VIRTIO_IOMMU_MSI_START - 0x4000;
	switch (s & 3) {
	case 0: l = f + ((uint64_t)(fuzz_u8(in) % 8 + 1) << 12) - 1; break;
	case 1: l = fuzz_u64(in); break;
	case 2: l = f + ((uint64_t)fuzz_u16(in) << 12) - 1; break;
	default: l = ~0ull; break;
	}
	*first = s & 0x40 ? f | 0x800 : f;
	*last = s & 0x20 ? l ^ 0x800 : l;
}

/* Low RAM (and just past it), high RAM, 8 raw bytes, or the top. */
static uint64_t rd_gpa(struct fuzz_in *in)
{
	uint8_t b = fuzz_u8(in);
	uint64_t page = (uint64_t)(b & 0x1f) << 12;

	switch (b >> 6) {
	case 0: return page;
	case 1: return VFX_HI + page;
	case 2: return fuzz_u64(in);
	default: return ~0xfffull - page;
	}
}

static uint32_t rd_flags(struct fuzz_in *in)
{
	uint8_t b = fuzz_u8(in);

	return b & 0x80 ? fuzz_u32(in) : b & 7;
}

/* Build one request of kind k into rd; returns its length. */
static uint32_t build(struct fuzz_in *in, unsigned k, uint8_t *rd, uint32_t *wr)
{
	union {
		struct virtio_iommu_req_attach a;
		struct virtio_iommu_req_detach d;
		struct virtio_iommu_req_map m;
		struct virtio_iommu_req_unmap u;
		struct virtio_iommu_req_probe p;
	} r;
	uint64_t first, last;
	uint8_t b;

	memset(&r, 0, sizeof(r));
	memset(rd, 0x77, RD_MAX); /* what a longer readable part carries */
	*wr = TAIL;
	switch (k) {
	case 0:
		r.a.head.type = VIRTIO_IOMMU_T_ATTACH;
		r.a.domain = htole32(rd_domain(in));
		r.a.endpoint = htole32(rd_ep(in));
		b = fuzz_u8(in);
		r.a.flags = htole32(b & 0x80 ? fuzz_u32(in) : b & 1);
		if (b & 0x40)
			r.a.reserved[fuzz_u8(in) & 3] = fuzz_u8(in) | 1;
		memcpy(rd, &r, sizeof(r.a) - TAIL);
		return sizeof(r.a) - TAIL;
	case 1:
		r.d.head.type = VIRTIO_IOMMU_T_DETACH;
		r.d.domain = htole32(rd_domain(in));
		r.d.endpoint = htole32(rd_ep(in));
		memcpy(rd, &r, sizeof(r.d) - TAIL);
		return sizeof(r.d) - TAIL;
	case 2:
		r.m.head.type = VIRTIO_IOMMU_T_MAP;
		r.m.domain = htole32(rd_domain(in));
		rd_range(in, &first, &last);
		r.m.virt_start = htole64(first);
		r.m.virt_end = htole64(last);
		r.m.phys_start = htole64(rd_gpa(in));
		r.m.flags = htole32(rd_flags(in));
		memcpy(rd, &r, sizeof(r.m) - TAIL);
		return sizeof(r.m) - TAIL;
	case 3:
		r.u.head.type = VIRTIO_IOMMU_T_UNMAP;
		r.u.domain = htole32(rd_domain(in));
		rd_range(in, &first, &last);
		r.u.virt_start = htole64(first);
		r.u.virt_end = htole64(last);
		memcpy(rd, &r, sizeof(r.u) - TAIL);
		return sizeof(r.u) - TAIL;
	case 4:
		r.p.head.type = VIRTIO_IOMMU_T_PROBE;
		r.p.endpoint = htole32(rd_ep(in));
		*wr = VIRTIO_IOMMU_PROBE_SIZE + TAIL;
		memcpy(rd, &r, sizeof(r.p));
		return sizeof(r.p);
	default:
		rd[0] = fuzz_u8(in);
		b = fuzz_u8(in) % RD_MAX;
		fuzz_bytes(in, rd + 1, b);
		*wr = fuzz_u16(in) % WR_MAX;
		return b + 1;
	}
}

static void op_request(struct fuzz_in *in, uint8_t op)
{
	static uint8_t rd[RD_MAX];
	uint32_t wr, n = build(in, (op & 15) % 9, rd, &wr), rcut = n, wcut;

	if (op & 0x80) {
		int delta = (int8_t)fuzz_u8(in);

		n = (uint32_t)MIN(MAX((int)n + delta, 0), RD_MAX);
		wr = fuzz_u16(in) % WR_MAX;
	}
	rcut = n;
	wcut = wr;
	if (op & 0x40) {
		rcut = fuzz_u8(in) % (n + 1);
		wcut = fuzz_u16(in) % (wr + 1);
	}
	request(rd, n, rcut, wr, wcut);
}

/* A driver write of the config space, as the transport does it. */
static void op_config(struct fuzz_in *in)
{
	uint8_t *cfg = (uint8_t *)&F.v->cfg, val;
	uint32_t off = fuzz_u8(in) % sizeof(F.v->cfg), len = 1u << (fuzz_u8(in) % 3);
	bool hit;

	len = MIN(len, (uint32_t)sizeof(F.v->cfg) - off);
	fuzz_bytes(in, cfg + off, len);
	val = cfg[CFG_BYP];
	hit = off <= CFG_BYP && CFG_BYP < off + len;
	host_counts_clear();
	TRACE("config write %u+%u, bypass byte %#x\n", off, len, val);
	F.v->vdev.ops->config_write(&F.v->vdev, off, len);
	if (hit && has(VIRTIO_IOMMU_F_BYPASS_CONFIG) && (val & 1) != F.bypass) {
		F.bypass = val & 1;
		for (int e = VF0; e < NR_EP; e++)
			if (F.fh[e - VF0].refusals) {
				FUZZ_CHECK(F.bypass && F.mode[e] == M_DETACHED,
					   "a refusal that is not BYPASS_ON");
				F.mode[e] = M_BLOCKED;
			}
	}
	FUZZ_CHECK(cfg[CFG_BYP] == F.bypass, "config bypass %u, model %u", cfg[CFG_BYP], F.bypass);
	cfg[CFG_BYP] = F.v->cfg_init.bypass;
	FUZZ_CHECK(!memcmp(cfg, &F.v->cfg_init, sizeof(F.v->cfg)), "a read-only field changed");
	cfg[CFG_BYP] = F.bypass;
}

static void op_reset(void)
{
	host_counts_clear();
	TRACE("reset\n");
	F.v->vdev.ops->reset(&F.v->vdev);
	for (int e = 0; e < NR_EP; e++) {
		ep_leave(e);
		F.mode[e] = e >= VF0 && F.fh[e - VF0].refusals ? M_BLOCKED : M_DETACHED;
	}
}

static int setup(struct fuzz_in *in)
{
	static const int errs[] = {-ENOSPC, -ENOMEM, -EINVAL, -EFAULT};
	struct virtio_iommu_params p = {0};
	uint8_t nofeat = fuzz_u8(in), cfg = fuzz_u8(in), n;
	uint64_t budget[4] = {0, 2 * VFX_RAM + KiB(16), VFX_RAM + KiB(16), KiB(16)};

	F.bypass = p.boot_bypass = !(cfg & 1);
	F.max_maps = p.max_mappings = cfg & 2 ? 4 : IOMMU_DEFAULT_MAX_MAPPINGS;
	F.domain_last = p.domain_last = cfg & 4 ? 7 : VIRTIO_IOMMU_DOMAIN_LAST;
	F.input_last = p.input_last = nofeat & 0x20 ? ~0ull
				      : cfg & 8	    ? (1ull << 32) - 1
						    : VIRTIO_IOMMU_INPUT_LAST;
	F.refuse_err = errs[cfg >> 6];
	if (virtio_iommu_new(&p, &F.v))
		return -1;
	/* A small IOTLB, before anything is cached: set conflicts and
	 * evictions for the invalidations, and no 1024-set cache to allocate
	 * and flush for every input. */
	iotlb_destroy(&F.v->io->tlb);
	if (iotlb_init(&F.v->io->tlb, nofeat & 0x10 ? 1 : 4, 12))
		return -1;
	F.feat = F.v->vdev.features;
	if (nofeat & 1)
		F.feat &= ~BIT_ULL(VIRTIO_IOMMU_F_MAP_UNMAP);
	if (nofeat & 2)
		F.feat &= ~BIT_ULL(VIRTIO_IOMMU_F_PROBE);
	if (nofeat & 4)
		F.feat &= ~BIT_ULL(VIRTIO_IOMMU_F_MMIO);
	if (nofeat & 8)
		F.feat &= ~BIT_ULL(VIRTIO_IOMMU_F_BYPASS_CONFIG);
	F.v->vdev.driver_features = F.feat | BIT_ULL(VIRTIO_F_VERSION_1);
	for (int e = 0; e < VF0; e++) {
		dma_as_init(&F.as[e], ep_rid[e], &F.ram.mem);
		if (iommu_endpoint_add(F.v->io, ep_rid[e], &F.as[e]))
			return -1;
	}
	for (int e = VF0; e < NR_EP; e++) {
		struct fake_host *f = &F.fh[e - VF0];

		f->h = (struct host_dma){.ops = &fh_ops, .opaque = f};
		vfio_mirror_init(&f->mir, &f->h, &F.ram.mem,
				 (struct gpa_host){fh_resolve, &F.ram.mem}, "fuzz");
		f->mir.n.notify = fh_notify;
		f->mir.n.opaque = f;
		if (iommu_endpoint_add(F.v->io, ep_rid[e], NULL) ||
		    iommu_notifier_add(F.v->io, ep_rid[e], &f->mir.n))
			return -1;
		f->h.budget = budget[(cfg >> 4) & 3];
	}
	F.refuse_bits = fuzz_u64(in);
	n = fuzz_u8(in) % 4;
	for (unsigned i = 0; i < n; i++) {
		uint16_t rid = ep_rid[fuzz_u8(in) % NR_EP];
		uint64_t s = (uint64_t)fuzz_u8(in) << 12,
			 e = s + ((fuzz_u8(in) % 4 + 1ull) << 12) - 1;

		if (!virtio_iommu_add_resv(F.v, rid, VIRTIO_IOMMU_RESV_MEM_T_RESERVED, s, e))
			F.resv[F.nr_resv++] = (struct virtio_iommu_resv){rid, 0, s, e};
	}
	return 0;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	vfx_ram_reset(&F.ram);
	trace = getenv("FUZZ_TRACE");
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = fuzz_in(data, size);
	int ret = 0;

	if (size > 4096)
		return -1;
	memset(&F.v, 0, sizeof(F) - offsetof(typeof(F), v));
	vfx_ram_reset(&F.ram);
	if (setup(&in)) {
		ret = -1;
		goto out;
	}
	check_core();
	check_hosts();
	for (unsigned i = 0; i < MAX_OPS && !in.done; i++) {
		uint8_t op = fuzz_u8(&in);
		unsigned k = (op & 15) % 9;

		F.nr_iovas = 0;
		if (k <= 5)
			op_request(&in, op);
		else if (k == 6)
			op_config(&in);
		else if (k == 7)
			op_reset();
		else
			add_iova(fuzz_u64(&in));
		check_core();
		check_hosts();
		check_xlate();
	}
	FUZZ_CHECK(vfx_guards_ok(&F.ram), "a guard byte around RAM changed");
out:
	virtio_iommu_free(F.v);
	return ret;
}
