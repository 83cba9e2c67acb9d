/* SPDX-License-Identifier: MIT */
/* The reference model of tests/fuzz/fuzz_virtio_iommu.c: the global bypass,
 * each endpoint's state and each domain's bypass flag and mappings, with
 * lookups and the changes an ATTACH or DETACH makes. */
#ifndef TESTS_FUZZ_VIRTIO_IOMMU_MODEL_H
#define TESTS_FUZZ_VIRTIO_IOMMU_MODEL_H

#include "tests/fuzz/virtio_iommu_fx.h"

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

#endif /* TESTS_FUZZ_VIRTIO_IOMMU_MODEL_H */
