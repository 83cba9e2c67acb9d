/* SPDX-License-Identifier: MIT */
/* The invariant checks of tests/fuzz/fuzz_virtio_iommu.c: the core's
 * endpoint states and mappings, translations, and each fake host's mappings
 * against the reference model. */
#ifndef TESTS_FUZZ_VIRTIO_IOMMU_CHECKS_H
#define TESTS_FUZZ_VIRTIO_IOMMU_CHECKS_H

#include "tests/fuzz/virtio_iommu_model.h"

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

#endif /* TESTS_FUZZ_VIRTIO_IOMMU_CHECKS_H */
