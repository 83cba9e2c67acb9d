/* SPDX-License-Identifier: MIT */
/* The requests of tests/fuzz/fuzz_virtio_iommu.c: the error conditions
 * and effect predicted for each request type, the model updated, the status
 * and the host's events judged, and a request sent and its written bytes
 * checked. */
#ifndef TESTS_FUZZ_VIRTIO_IOMMU_REQ_H
#define TESTS_FUZZ_VIRTIO_IOMMU_REQ_H

#include "tests/fuzz/virtio_iommu_checks.h"

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

#endif /* TESTS_FUZZ_VIRTIO_IOMMU_REQ_H */
