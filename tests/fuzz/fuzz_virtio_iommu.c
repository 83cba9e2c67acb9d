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
#include <endian.h>
#include <errno.h>

#include "devices/vfio/mirror.h"
#include "devices/virtio/iommu.h"
#include "iommu/iommu_internal.h"
#include "tests/fuzz/virtio_fixture.h"

#define MAX_OPS	 48
#define MAX_MAPS 64 /* per model domain: at most one per op */
#define NR_EP	 4
#define VF0	 2 /* endpoints VF0.. are mirrored */
#define NR_DOM	 NR_EP
#define MAX_HOST 64
#define RD_MAX	 128
#define WR_MAX	 640
#define GAP	 16
#define S(x)	 VIRTIO_IOMMU_S_##x
#define RWF	 (IOMMU_MAP_READ | IOMMU_MAP_WRITE)
#define TAIL	 4u
#define CFG_BYP	 offsetof(struct virtio_iommu_config, bypass)

/* FUZZ_TRACE=1 in the environment: one line per operation on stderr. */
static bool trace;
#define TRACE(...)                                                                                 \
	do {                                                                                       \
		if (trace)                                                                         \
			fprintf(stderr, __VA_ARGS__);                                              \
	} while (0)

static const uint16_t ep_rid[NR_EP] = {0x10, 0x18, 0x20, 0x28};

struct mdom {
	bool live, bypass;
	uint32_t id;
	unsigned n;
	struct iova_mapping m[MAX_MAPS]; /* sorted */
};

enum mmode { M_DETACHED, M_DOMAIN, M_BLOCKED };

struct fake_host {
	struct host_dma h;
	struct vfio_mirror mir;
	struct {
		uint64_t iova, len;
		void *host;
		unsigned perm;
	} m[MAX_HOST];
	unsigned nr, events, refusals;
	int first_err;
};

static struct {
	struct vfx_ram ram;
	struct virtio_iommu *v;
	struct dma_as as[VF0];
	struct fake_host fh[NR_EP - VF0];
	uint64_t feat, refuse_bits, input_last;
	unsigned refuse_pos, max_maps;
	uint32_t domain_last;
	int refuse_err;
	/* the model */
	bool bypass;
	enum mmode mode[NR_EP];
	int dom[NR_EP];
	struct mdom d[NR_DOM];
	unsigned total;
	struct virtio_iommu_resv resv[4];
	unsigned nr_resv;
	uint32_t touched[MAX_OPS];
	unsigned nr_touched;
	/* this operation */
	uint64_t iovas[48];
	unsigned nr_iovas;
	struct virtq_chain c;
	uint8_t wbuf[WR_MAX + GAP + 64];
} F;

/* ---- the fake host and the mirror ---- */

static int fh_map(void *opaque, uint64_t iova, void *host, uint64_t len, unsigned perm)
{
	struct fake_host *f = opaque;

	if ((F.refuse_bits >> (F.refuse_pos++ % 64)) & 1)
		return F.refuse_err;
	for (unsigned i = 0; i < f->nr; i++)
		FUZZ_CHECK(iova + len <= f->m[i].iova || f->m[i].iova + f->m[i].len <= iova,
			   "host map %#llx+%#llx overlaps one", (unsigned long long)iova,
			   (unsigned long long)len);
	FUZZ_CHECK(f->nr < MAX_HOST, "host table full");
	f->m[f->nr].iova = iova;
	f->m[f->nr].len = len;
	f->m[f->nr].host = host;
	f->m[f->nr].perm = perm;
	f->nr++;
	return 0;
}

static int fh_unmap(void *opaque, uint64_t iova, uint64_t len, uint64_t *done)
{
	struct fake_host *f = opaque;

	*done = 0;
	for (unsigned i = 0; i < f->nr;) {
		if (!len || (f->m[i].iova >= iova && f->m[i].iova - iova + f->m[i].len <= len)) {
			*done += f->m[i].len;
			f->m[i] = f->m[--f->nr];
		} else {
			i++;
		}
	}
	return 0;
}

static int64_t fh_avail(void *opaque)
{
	(void)opaque;
	return -1;
}

static const struct host_dma_ops fh_ops = {fh_map, fh_unmap, fh_avail};

static void *fh_resolve(void *opaque, gpa_t g, uint64_t len)
{
	return guest_mem_ptr(opaque, g, len);
}

/* Between the core and the mirror: counts events and refusals. */
static int fh_notify(void *opaque, const struct iommu_event *ev)
{
	struct fake_host *f = opaque;
	int ret = vfio_mirror_notify(&f->mir, ev);

	f->events++;
	if (ret && !f->refusals++)
		f->first_err = ret;
	FUZZ_CHECK(!ret || ev->type == IOMMU_EVENT_MAP || ev->type == IOMMU_EVENT_BYPASS_ON,
		   "the mirror refused event %d", ev->type);
	return ret;
}

/* ---- the model ---- */

static int mdom_find(uint32_t id)
{
	for (int i = 0; i < NR_DOM; i++)
		if (F.d[i].live && F.d[i].id == id)
			return i;
	return -1;
}

static int ep_find(uint32_t rid)
{
	for (int i = 0; i < NR_EP; i++)
		if (rid == ep_rid[i])
			return i;
	return -1;
}

enum view { V_NONE, V_IDENT, V_DOM };

static enum view ep_view(int e)
{
	if (F.mode[e] == M_DOMAIN)
		return F.d[F.dom[e]].bypass ? V_IDENT : V_DOM;
	if (F.mode[e] == M_DETACHED && F.bypass)
		return V_IDENT;
	return V_NONE;
}

/* The model mapping of domain slot d containing a, or NULL. */
static const struct iova_mapping *mdom_at(int d, uint64_t a)
{
	for (unsigned i = 0; i < F.d[d].n; i++)
		if (F.d[d].m[i].first.a <= a && a <= F.d[d].m[i].last.a)
			return &F.d[d].m[i];
	return NULL;
}

static bool mdom_meets(int d, uint64_t first, uint64_t last)
{
	for (unsigned i = 0; i < F.d[d].n; i++)
		if (F.d[d].m[i].first.a <= last && first <= F.d[d].m[i].last.a)
			return true;
	return false;
}

static void add_iova(uint64_t a)
{
	if (F.nr_iovas < ARRAY_SIZE(F.iovas))
		F.iovas[F.nr_iovas++] = a;
}

/* Endpoint e leaves its domain, which goes with its last endpoint. */
static void ep_leave(int e)
{
	int d = F.dom[e];

	if (F.mode[e] != M_DOMAIN)
		return;
	F.mode[e] = M_DETACHED;
	for (unsigned i = 0; i < F.d[d].n && i < 16; i++)
		add_iova(F.d[d].m[i].first.a);
	for (int o = 0; o < NR_EP; o++)
		if (F.mode[o] == M_DOMAIN && F.dom[o] == d)
			return;
	F.total -= F.d[d].n;
	F.d[d].live = false;
}

static void ep_join(int e, uint32_t id, bool bypass)
{
	int d = mdom_find(id);

	ep_leave(e);
	for (int i = 0; d < 0 && i < NR_DOM; i++)
		if (!F.d[i].live) {
			F.d[i] = (struct mdom){.live = true, .bypass = bypass, .id = id};
			d = i;
		}
	FUZZ_CHECK(d >= 0, "more domains than endpoints");
	F.mode[e] = M_DOMAIN;
	F.dom[e] = d;
}

static void touch(uint32_t id)
{
	for (unsigned i = 0; i < F.nr_touched; i++)
		if (F.touched[i] == id)
			return;
	if (F.nr_touched < ARRAY_SIZE(F.touched))
		F.touched[F.nr_touched++] = id;
}

static bool ram(uint64_t g, uint64_t len)
{
	return len && vfx_ptr(&F.ram, g, len);
}

/* ---- invariants ---- */

static bool same_mapping(const struct iova_mapping *a, const struct iova_mapping *b)
{
	return a->first.a == b->first.a && a->last.a == b->last.a && a->gpa.a == b->gpa.a &&
	       a->flags == b->flags;
}

/* Endpoint states, and every domain's mappings, against the model. */
static void check_core(void)
{
	static const int want_state[2][3] = {
		{IOMMU_EP_DETACHED_BLOCKED, IOMMU_EP_DOMAIN, IOMMU_EP_BLOCKED},
		{IOMMU_EP_DETACHED_BYPASS, IOMMU_EP_DOMAIN, IOMMU_EP_BLOCKED}};
	struct iova_mapping m;

	for (int e = 0; e < NR_EP; e++) {
		uint32_t id = ~0u;
		int st = iommu_endpoint_state(F.v->io, ep_rid[e], &id), want;

		want = want_state[F.bypass][F.mode[e]];
		if (F.mode[e] == M_DOMAIN && F.d[F.dom[e]].bypass)
			want = IOMMU_EP_DOMAIN_BYPASS;
		FUZZ_CHECK(st == want, "endpoint %#x: state %d, model %d", ep_rid[e], st, want);
		FUZZ_CHECK(F.mode[e] != M_DOMAIN || id == F.d[F.dom[e]].id,
			   "endpoint %#x in domain %u, model %u", ep_rid[e], id, F.d[F.dom[e]].id);
	}
	for (unsigned t = 0; t < F.nr_touched; t++) {
		int d = mdom_find(F.touched[t]);
		uint64_t a = 0;
		unsigned n = d < 0 ? 0 : F.d[d].n;

		for (unsigned i = 0; i < n; i++) {
			FUZZ_CHECK(iommu_domain_next(F.v->io, F.touched[t], iova(a), &m) &&
					   same_mapping(&m, &F.d[d].m[i]),
				   "domain %u: mapping %u differs from the model", F.touched[t], i);
			a = m.last.a + 1;
		}
		FUZZ_CHECK((n && !a) || !iommu_domain_next(F.v->io, F.touched[t], iova(a), &m),
			   "domain %u: a mapping at %#llx the model does not have", F.touched[t],
			   (unsigned long long)m.first.a);
	}
}

/* What endpoint e's translation of a for acc should be: 0 and *x, or the
 * fault reason. */
static int model_xlate(int e, uint64_t a, unsigned acc, struct dma_xlate *x)
{
	const struct iova_mapping *m;

	switch (ep_view(e)) {
	case V_IDENT: *x = (struct dma_xlate){gpa(a), a ? 0 - a : ~0ull, RWF}; return 0;
	case V_NONE: return DMA_FAULT_BLOCKED;
	default: break;
	}
	m = mdom_at(F.dom[e], a);
	if (!m)
		return DMA_FAULT_UNMAPPED;
	if ((m->flags & acc) != acc)
		return DMA_FAULT_PERM;
	*x = (struct dma_xlate){gpa(m->gpa.a + (a - m->first.a)), m->last.a - a + 1,
				m->flags & RWF};
	if (!x->len)
		x->len = ~0ull;
	return 0;
}

static void check_xlate_one(int e, uint64_t a, unsigned acc)
{
	struct dma_xlate want = {0}, x;
	struct dma_fault f;
	struct iovec iov;
	int r = model_xlate(e, a, acc, &want);
	int ret = iommu_translate(F.v->io, ep_rid[e], iova(a), acc, &x, &f);

	FUZZ_CHECK(r ? ret == -EFAULT && f.reason == (enum dma_fault_reason)r && f.iova.a == a
		     : !ret && x.gpa.a == want.gpa.a && x.len == want.len && x.perm == want.perm,
		   "endpoint %#x: translation of %#llx (%u) disagrees with the model (%d, %d)",
		   ep_rid[e], (unsigned long long)a, acc, ret, r);
	if (e >= VF0)
		return;
	ret = dma_map(&F.as[e], iova(a), 1, acc, &iov, 1);
	r = r || !ram(want.gpa.a, 1);
	FUZZ_CHECK(r ? ret == -EFAULT
		     : ret == 1 && iov.iov_base == vfx_ptr(&F.ram, want.gpa.a, 1) &&
				   iov.iov_len == 1,
		   "endpoint %#x: dma_map of %#llx (%u) returned %d", ep_rid[e],
		   (unsigned long long)a, acc, ret);
}

static void check_xlate(void)
{
	for (int e = 0; e < NR_EP; e++) {
		for (unsigned i = 0; i < F.nr_iovas; i++) {
			check_xlate_one(e, F.iovas[i], DMA_ACCESS_READ);
			check_xlate_one(e, F.iovas[i], DMA_ACCESS_WRITE);
		}
		if (ep_view(e) != V_DOM)
			continue;
		for (unsigned i = 0; i < F.d[F.dom[e]].n && i < 16; i++) {
			const struct iova_mapping *m = &F.d[F.dom[e]].m[i];

			check_xlate_one(e, m->first.a, DMA_ACCESS_READ);
			check_xlate_one(e, m->last.a, DMA_ACCESS_WRITE);
			check_xlate_one(e, m->last.a + 1, DMA_ACCESS_READ);
		}
	}
}

/* Is (iova, len, host, perm) in fake host f? */
static bool fh_has(const struct fake_host *f, uint64_t iova, uint64_t len, void *host,
		   unsigned perm)
{
	for (unsigned i = 0; i < f->nr; i++)
		if (f->m[i].iova == iova && f->m[i].len == len && f->m[i].host == host &&
		    f->m[i].perm == perm)
			return true;
	return false;
}

/* Each fake host holds exactly its endpoint's view. */
static void check_hosts(void)
{
	for (int e = VF0; e < NR_EP; e++) {
		const struct fake_host *f = &F.fh[e - VF0];
		unsigned n = 0;
		uint64_t bytes = 0;

		if (ep_view(e) == V_IDENT) {
			for (unsigned i = 0; i < F.ram.mem.nr; i++) {
				const struct mem_region *r = &F.ram.mem.r[i];

				FUZZ_CHECK(fh_has(f, r->base.a, r->size, r->host, RWF),
					   "host %#x: RAM region %u not at identity", ep_rid[e], i);
				n++;
				bytes += r->size;
			}
		} else if (ep_view(e) == V_DOM) {
			const struct mdom *d = &F.d[F.dom[e]];

			for (unsigned i = 0; i < d->n; i++) {
				const struct iova_mapping *m = &d->m[i];
				uint64_t len = m->last.a - m->first.a + 1;

				if (!(m->flags & RWF))
					continue;
				FUZZ_CHECK(fh_has(f, m->first.a, len,
						  vfx_ptr(&F.ram, m->gpa.a, len), m->flags & RWF),
					   "host %#x: mapping at %#llx missing", ep_rid[e],
					   (unsigned long long)m->first.a);
				n++;
				bytes += len;
			}
		}
		FUZZ_CHECK(f->nr == n, "host %#x: %u maps, the model %u", ep_rid[e], f->nr, n);
		FUZZ_CHECK((uint64_t)atomic_load(&f->h.pinned) == bytes, "host %#x: pinned %lld",
			   ep_rid[e], (long long)atomic_load(&f->h.pinned));
	}
}

/* ---- requests ---- */

/* The error conditions of a request that hold, as a mask of statuses, and
 * what it does when it succeeds. */
struct pred {
	unsigned bad;
	int ep, dom;   /* model indexes, -1: none */
	uint32_t id;   /* domain ID */
	uint64_t a, b; /* range */
	struct iova_mapping m;
	bool bypass, same;
};

#define BAD(cond, st)                                                                              \
	do {                                                                                       \
		if (cond)                                                                          \
			p->bad |= BIT(S(st));                                                      \
	} while (0)

static bool has(unsigned f)
{
	return F.feat & BIT_ULL(f);
}

static bool resv_meets(int e, uint64_t first, uint64_t last)
{
	for (unsigned i = 0; i < F.nr_resv; i++)
		if (F.resv[i].rid == ep_rid[e] && F.resv[i].start <= last && first <= F.resv[i].end)
			return true;
	return false;
}

static void pred_attach(const uint8_t *rd, uint32_t n, struct pred *p)
{
	struct virtio_iommu_req_attach r = {0};
	uint32_t flags;

	memcpy(&r, rd, MIN(n, sizeof(r)));
	BAD(n < sizeof(r) - TAIL, INVAL);
	flags = le32toh(r.flags);
	p->id = le32toh(r.domain);
	p->ep = ep_find(le32toh(r.endpoint));
	p->dom = mdom_find(p->id);
	p->bypass = flags & VIRTIO_IOMMU_ATTACH_F_BYPASS;
	BAD(r.reserved[0] | r.reserved[1] | r.reserved[2] | r.reserved[3], INVAL);
	BAD(flags & ~1u, INVAL);
	BAD(p->bypass && !has(VIRTIO_IOMMU_F_BYPASS_CONFIG), INVAL);
	BAD(p->ep < 0, NOENT);
	BAD(p->id > F.domain_last, RANGE);
	BAD(p->dom >= 0 && F.d[p->dom].bypass != p->bypass, INVAL);
	for (unsigned i = 0; p->ep >= 0 && p->dom >= 0 && i < F.nr_resv; i++)
		BAD(ep_rid[p->ep] == F.resv[i].rid &&
			    mdom_meets(p->dom, F.resv[i].start, F.resv[i].end),
		    RANGE);
	p->same = p->ep >= 0 && p->dom >= 0 && F.mode[p->ep] == M_DOMAIN && F.dom[p->ep] == p->dom;
	if (n >= sizeof(r) - TAIL)
		touch(p->id);
}

static void pred_detach(const uint8_t *rd, uint32_t n, struct pred *p)
{
	struct virtio_iommu_req_detach r = {0};

	memcpy(&r, rd, MIN(n, sizeof(r)));
	BAD(n < sizeof(r) - TAIL, INVAL);
	p->id = le32toh(r.domain);
	p->ep = ep_find(le32toh(r.endpoint));
	BAD(p->ep < 0, NOENT);
	BAD(p->ep >= 0 && (F.mode[p->ep] != M_DOMAIN || F.d[F.dom[p->ep]].id != p->id), INVAL);
}

static void pred_map(const uint8_t *rd, uint32_t n, struct pred *p)
{
	struct virtio_iommu_req_map r = {0};
	uint64_t a, b, g;
	uint32_t flags;

	memcpy(&r, rd, MIN(n, sizeof(r)));
	BAD(n < sizeof(r) - TAIL, INVAL);
	BAD(!has(VIRTIO_IOMMU_F_MAP_UNMAP), UNSUPP);
	p->id = le32toh(r.domain);
	p->dom = mdom_find(p->id);
	a = p->a = le64toh(r.virt_start);
	b = p->b = le64toh(r.virt_end);
	g = le64toh(r.phys_start);
	flags = le32toh(r.flags);
	p->m = (struct iova_mapping){iova(a), iova(b), gpa(g), flags};
	BAD(flags & ~7u, INVAL);
	BAD((flags & VIRTIO_IOMMU_MAP_F_MMIO) && !has(VIRTIO_IOMMU_F_MMIO), INVAL);
	BAD(a > b, INVAL);
	BAD((a | (b + 1) | g) & 0xfff, RANGE);
	BAD(b > F.input_last, RANGE);
	BAD(a <= b && g + (b - a) < g, RANGE);
	BAD(a <= VIRTIO_IOMMU_MSI_END && VIRTIO_IOMMU_MSI_START <= b, RANGE);
	for (int e = 0; p->dom >= 0 && e < NR_EP; e++)
		BAD(F.mode[e] == M_DOMAIN && F.dom[e] == p->dom && resv_meets(e, a, b), RANGE);
	BAD(p->dom < 0, NOENT);
	BAD(p->dom >= 0 && F.d[p->dom].bypass, INVAL);
	BAD(p->dom >= 0 && mdom_meets(p->dom, a, b), INVAL);
	BAD(F.total >= F.max_maps, NOMEM);
}

static void pred_unmap(const uint8_t *rd, uint32_t n, struct pred *p)
{
	struct virtio_iommu_req_unmap r = {0};
	const struct iova_mapping *m;

	memcpy(&r, rd, MIN(n, sizeof(r)));
	BAD(n < sizeof(r) - TAIL, INVAL);
	BAD(!has(VIRTIO_IOMMU_F_MAP_UNMAP), UNSUPP);
	p->id = le32toh(r.domain);
	p->dom = mdom_find(p->id);
	p->a = le64toh(r.virt_start);
	p->b = le64toh(r.virt_end);
	BAD(p->dom < 0, NOENT);
	BAD(p->dom >= 0 && F.d[p->dom].bypass, INVAL);
	BAD(p->a > p->b, INVAL);
	if (p->dom < 0 || p->a > p->b)
		return;
	m = mdom_at(p->dom, p->a);
	BAD(m && m->first.a < p->a, RANGE);
	m = mdom_at(p->dom, p->b);
	BAD(m && m->last.a > p->b, RANGE);
}

static void pred_probe(const uint8_t *rd, uint32_t n, uint32_t wr, struct pred *p)
{
	struct virtio_iommu_req_probe r = {0};

	memcpy(&r, rd, MIN(n, sizeof(r)));
	BAD(!has(VIRTIO_IOMMU_F_PROBE), UNSUPP);
	BAD(n < sizeof(r), INVAL);
	BAD(wr < VIRTIO_IOMMU_PROBE_SIZE + TAIL, INVAL);
	p->ep = ep_find(le32toh(r.endpoint));
	BAD(p->ep < 0, NOENT);
}

/* The properties a successful PROBE of endpoint e writes. */
static void probe_props(int e, uint8_t *out)
{
	size_t at = 0;

	memset(out, 0, VIRTIO_IOMMU_PROBE_SIZE);
	for (unsigned i = 0; i <= F.nr_resv; i++) {
		struct virtio_iommu_probe_resv_mem pr = {
			.head = {htole16(VIRTIO_IOMMU_PROBE_T_RESV_MEM), htole16(20)}};

		if (i && F.resv[i - 1].rid != ep_rid[e])
			continue;
		pr.subtype = i ? F.resv[i - 1].subtype : VIRTIO_IOMMU_RESV_MEM_T_MSI;
		pr.start = htole64(i ? F.resv[i - 1].start : VIRTIO_IOMMU_MSI_START);
		pr.end = htole64(i ? F.resv[i - 1].end : VIRTIO_IOMMU_MSI_END);
		memcpy(out + at, &pr, sizeof(pr));
		at += sizeof(pr);
	}
}

/* The model after a request that the device answered OK (or that a
 * consumer refused: refused). */
static void apply(uint8_t type, const struct pred *p, bool refused)
{
	struct mdom *d = p->dom >= 0 ? &F.d[p->dom] : NULL;
	unsigned k = 0;

	switch (type) {
	case VIRTIO_IOMMU_T_ATTACH:
		if (p->same)
			break;
		ep_join(p->ep, p->id, p->bypass);
		if (refused) {
			ep_leave(p->ep);
			F.mode[p->ep] = M_BLOCKED;
		}
		break;
	case VIRTIO_IOMMU_T_DETACH:
		ep_leave(p->ep);
		if (refused)
			F.mode[p->ep] = M_BLOCKED;
		break;
	case VIRTIO_IOMMU_T_MAP:
		if (refused)
			break;
		while (k < d->n && d->m[k].first.a < p->a)
			k++;
		memmove(&d->m[k + 1], &d->m[k], (d->n - k) * sizeof(d->m[0]));
		d->m[k] = p->m;
		d->n++;
		F.total++;
		break;
	case VIRTIO_IOMMU_T_UNMAP:
		for (unsigned i = 0; i < d->n; i++) {
			if (d->m[i].first.a >= p->a && d->m[i].last.a <= p->b) {
				add_iova(d->m[i].first.a);
				add_iova(d->m[i].last.a);
				F.total--;
			} else {
				d->m[k++] = d->m[i];
			}
		}
		d->n = k;
		break;
	}
}

/* Consumer activity during this operation. */
static void host_counts(unsigned *events, unsigned *refusals, int *err)
{
	*events = *refusals = 0;
	*err = 0;
	for (int i = 0; i < NR_EP - VF0; i++) {
		*events += F.fh[i].events;
		*refusals += F.fh[i].refusals;
		if (F.fh[i].refusals && !*err)
			*err = F.fh[i].first_err;
	}
}

static void host_counts_clear(void)
{
	for (int i = 0; i < NR_EP - VF0; i++)
		F.fh[i].events = F.fh[i].refusals = 0;
}

/* Check the status, then bring the model along. */
static void judge(uint8_t type, const struct pred *p, uint8_t st)
{
	unsigned events, refusals;
	int err;

	host_counts(&events, &refusals, &err);
	if (p->bad) {
		FUZZ_CHECK(st != S(OK) && (p->bad & BIT(st)),
			   "type %u: status %u, allowed mask %#x", type, st, p->bad);
		FUZZ_CHECK(!events, "type %u failed (%u) but sent %u events", type, st, events);
		return;
	}
	if (refusals) {
		uint8_t want = type == VIRTIO_IOMMU_T_MAP && err == -ENOMEM ? S(NOMEM) : S(IOERR);

		FUZZ_CHECK(type != VIRTIO_IOMMU_T_UNMAP && type != VIRTIO_IOMMU_T_PROBE,
			   "type %u refused", type);
		FUZZ_CHECK(st == want, "type %u refused (%d): status %u", type, err, st);
	} else {
		FUZZ_CHECK(st == S(OK), "type %u: status %u where none applies", type, st);
	}
	apply(type, p, refusals);
}

/* The MAP of a non-RAM range with permissions, in a domain a mirrored
 * endpoint is attached to, must be refused by the mirror. */
static void check_nonram_refused(const struct pred *p)
{
	unsigned events, refusals;
	int err;

	if (p->bad || !(p->m.flags & RWF) || ram(p->m.gpa.a, p->m.last.a - p->m.first.a + 1))
		return;
	host_counts(&events, &refusals, &err);
	for (int e = VF0; e < NR_EP; e++)
		FUZZ_CHECK(!(F.mode[e] == M_DOMAIN && F.dom[e] == p->dom) || refusals,
			   "a mirror accepted a MAP of non-RAM GPA %#llx",
			   (unsigned long long)p->m.gpa.a);
}

/* The readable part, rd bytes in two buffers cut at rcut; the writable part,
 * wr bytes in two buffers at wbuf and wbuf + wcut + GAP. */
static uint32_t send(const uint8_t *rd, uint32_t n, uint32_t rcut, uint32_t wr, uint32_t wcut)
{
	struct virtq_chain *c = &F.c;

	memset(F.wbuf, 0xee, sizeof(F.wbuf));
	c->head = 0;
	c->nr_rd = c->nr_wr = 2;
	c->rd_len = n;
	c->wr_len = wr;
	c->iov[0] = (struct iovec){(void *)rd, rcut};
	c->iov[1] = (struct iovec){(void *)(rd + rcut), n - rcut};
	c->iov[2] = (struct iovec){F.wbuf, wcut};
	c->iov[3] = (struct iovec){F.wbuf + wcut + GAP, wr - wcut};
	return virtio_iommu_handle(F.v, c);
}

/* Byte i of the writable part. */
static uint8_t wr_at(uint32_t i, uint32_t wcut)
{
	return F.wbuf[i < wcut ? i : i + GAP];
}

static void request(const uint8_t *rd, uint32_t n, uint32_t rcut, uint32_t wr, uint32_t wcut)
{
	static uint8_t props[VIRTIO_IOMMU_PROBE_SIZE];
	struct pred p = {.ep = -1, .dom = -1};
	uint8_t type = n ? rd[0] : 0, st;
	bool known = type >= VIRTIO_IOMMU_T_ATTACH && type <= VIRTIO_IOMMU_T_PROBE;
	uint32_t out = 0, used, at, want_used;
	unsigned events, refusals;
	int err;

	if (n < 4)
		p.bad = BIT(S(INVAL));
	else if (type == VIRTIO_IOMMU_T_ATTACH)
		pred_attach(rd, n, &p);
	else if (type == VIRTIO_IOMMU_T_DETACH)
		pred_detach(rd, n, &p);
	else if (type == VIRTIO_IOMMU_T_MAP)
		pred_map(rd, n, &p);
	else if (type == VIRTIO_IOMMU_T_UNMAP)
		pred_unmap(rd, n, &p);
	else if (type == VIRTIO_IOMMU_T_PROBE)
		pred_probe(rd, n, wr, &p);
	if (type == VIRTIO_IOMMU_T_PROBE && n >= 4 && has(VIRTIO_IOMMU_F_PROBE))
		out = VIRTIO_IOMMU_PROBE_SIZE;
	if (type == VIRTIO_IOMMU_T_MAP || type == VIRTIO_IOMMU_T_UNMAP) {
		add_iova(p.a);
		add_iova(p.b);
		add_iova(p.a - 1);
		add_iova(p.b + 1);
	}
	host_counts_clear();
	used = send(rd, n, rcut, wr, wcut);
	host_counts(&events, &refusals, &err);
	TRACE("req type %u rd %u/%u wr %u/%u: used %u status %u bad %#x, %u events %u refused\n",
	      type, n, rcut, wr, wcut, used, used ? wr_at(used - TAIL, wcut) : 0xff, p.bad, events,
	      refusals);
	if (wr < TAIL || (n >= 4 && !known)) { /* not acted on, nothing written */
		FUZZ_CHECK(used == 0 && !events, "not acted on, yet used %u, %u events", used,
			   events);
		for (uint32_t i = 0; i < wr; i++)
			FUZZ_CHECK(wr_at(i, wcut) == 0xee, "byte %u written", i);
		return;
	}
	at = out <= wr - TAIL ? out : wr - TAIL;
	want_used = at + TAIL;
	FUZZ_CHECK(used == want_used, "type %u: used %u, want %u", type, used, want_used);
	st = wr_at(at, wcut);
	FUZZ_CHECK(!wr_at(at + 1, wcut) && !wr_at(at + 2, wcut) && !wr_at(at + 3, wcut),
		   "tail reserved bytes not zero");
	for (uint32_t i = at + TAIL; i < wr; i++)
		FUZZ_CHECK(wr_at(i, wcut) == 0xee, "byte %u after the tail written", i);
	for (uint32_t i = wr; i < WR_MAX + GAP + 64 - GAP; i++)
		FUZZ_CHECK(wr_at(i, wcut) == 0xee, "byte %u past the chain written", i);
	for (uint32_t i = 0; i < GAP; i++)
		FUZZ_CHECK(F.wbuf[wcut + i] == 0xee, "gap byte %u written", i);
	if (out && at == out) { /* properties: the model's, or zeros */
		memset(props, 0, sizeof(props));
		if (st == S(OK))
			probe_props(p.ep, props);
		for (uint32_t i = 0; i < out; i++)
			FUZZ_CHECK(wr_at(i, wcut) == props[i], "PROBE property byte %u", i);
	} else {
		for (uint32_t i = 0; i < at; i++)
			FUZZ_CHECK(wr_at(i, wcut) == 0xee, "byte %u before the tail written", i);
	}
	if (type == VIRTIO_IOMMU_T_MAP)
		check_nonram_refused(&p);
	judge(type, &p, st);
}

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
