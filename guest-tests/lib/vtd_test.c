// SPDX-License-Identifier: MIT
/* The VT-d test guests' shared set-up (see vtd_test.h). */
#include "vtd_test.h"

#include "cmdline.h"
#include "known.h"
#include "rand.h"
#include "report.h"
#include "string.h"
#include "tsc.h"
#include "virtio.h"

#define CANARY_LO 0x5a
#define CANARY_HI 0xc3

bool vtd_env_open(struct vtd_env *t)
{
	struct vtd *v = &t->v;

	*t = (struct vtd_env){0};
	known_init();
	t->rng = cmdline_u64("seed", 0) ?: rdtsc() | 1;
	t->cm = cmdline_u64("cm", 0) != 0;
	t->aw = (unsigned)cmdline_u64("aw", 0);
	int rc = vtd_dmar_find(&t->drhd);

	if (!report(rc == 0 && t->drhd.base, "dmar: a DMAR table with a DRHD (base %#lx)",
		    (unsigned long)t->drhd.base))
		return false;
	if (!report(vtd_init(v, t->drhd.base) == 0, "unit: root table pointer set (GSTS.RTPS)"))
		return false;
	report(!!(v->cap & VTD_CAP_CM) == t->cm, "unit: CAP.CM is %u (cm=%u)",
	       !!(v->cap & VTD_CAP_CM), t->cm);
	if (!report(edu_open(&t->edu, 0) == 0, "edu: found, BAR 0 usable"))
		return false;
	edu_bus_master(&t->edu, true);
	return true;
}

uint16_t vtd_env_edu_sid(const struct vtd_env *t)
{
	return t->edu.pci.bdf;
}

uint64_t vtd_env_rand(struct vtd_env *t)
{
	return xorshift64s(&t->rng);
}

void vt_area_alloc(struct vt_area *a)
{
	a->p = virtio_alloc(3 * VT_PAGE, VT_PAGE);
}

void vt_area_fill(struct vt_area *a, uint8_t fill)
{
	memset(a->p, CANARY_LO, VT_PAGE);
	memset(a->p + VT_PAGE, fill, VT_PAGE);
	memset(a->p + 2 * VT_PAGE, CANARY_HI, VT_PAGE);
}

uint8_t *vt_area_target(const struct vt_area *a)
{
	return a->p + VT_PAGE;
}

bool vt_filled(const uint8_t *p, uint8_t v, uint64_t n)
{
	for (uint64_t i = 0; i < n; i++)
		if (p[i] != v)
			return false;
	return true;
}

bool vt_area_canaries(const struct vt_area *a)
{
	return vt_filled(a->p, CANARY_LO, VT_PAGE) &&
	       vt_filled(a->p + 2 * VT_PAGE, CANARY_HI, VT_PAGE);
}

void vt_fill_random(struct vtd_env *t, uint8_t *p, uint64_t n)
{
	for (uint64_t i = 0; i < n; i++)
		p[i] = (uint8_t)vtd_env_rand(t);
}

bool vtd_env_edu_table(struct vtd_env *t, const struct vtd_pt *pt, uint16_t did)
{
	vtd_ctx_map(&t->v, (uint8_t)t->edu.pci.bdf, did, pt->pgd, pt->levels, false);
	return vtd_flush_ctx(&t->v) && vtd_flush_iotlb(&t->v);
}
