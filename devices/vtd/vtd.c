// SPDX-License-Identifier: MIT
/* VT-d: creation (CAP and ECAP from the parameters), endpoints, teardown. */
#include <errno.h>
#include <stdlib.h>

#include "devices/vtd/vtd_internal.h"

static uint64_t vtd_cap(const struct vtd_params *p)
{
	uint64_t cap = VTD_CAP_ND_16BIT | VTD_CAP_SAGAW_39 |
		       (uint64_t)(p->aw_bits - 1) << VTD_CAP_MGAW_SHIFT |
		       (uint64_t)(DMAR_FRCD_REG >> 4) << VTD_CAP_FRO_SHIFT | VTD_CAP_SLLPS_2M |
		       VTD_CAP_SLLPS_1G | VTD_CAP_PSI |
		       (uint64_t)(VTD_NR_FRCD - 1) << VTD_CAP_NFR_SHIFT |
		       VTD_MAMV << VTD_CAP_MAMV_SHIFT;

	if (p->aw_bits == 48)
		cap |= VTD_CAP_SAGAW_48;
	if (p->caching_mode)
		cap |= VTD_CAP_CM;
	return cap;
}

int vtd_new(const struct vtd_params *p, struct vtd **out)
{
	struct iommu_config ic = {
		.page_size_mask = 0x1000 | MiB(2) | GiB(1),
		.input_last = VTD_IOVA_LAST,
		.domain_first = 0,
		.domain_last = VTD_BYPASS_DOMAIN,
		.bypass = true, /* translation off */
	};
	struct vtd *v;
	int ret;

	if (!p || !p->mem || (p->aw_bits != 39 && p->aw_bits != 48))
		return -EINVAL;
	ic.iotlb_sets = p->iotlb_sets;
	v = calloc(1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	ret = iommu_create(&ic, &v->io);
	if (ret) {
		free(v);
		return ret;
	}
	pthread_mutex_init(&v->lock, NULL);
	pthread_mutex_init(&v->walk_lock, NULL);
	v->mem = p->mem;
	v->msi = p->msi;
	v->aw_bits = p->aw_bits;
	v->cap = vtd_cap(p);
	/* Page-walk coherent: the model reads the guest's tables from memory. */
	v->ecap = BIT_ULL(0) | VTD_ECAP_QI | VTD_ECAP_PT |
		  (uint64_t)(DMAR_IVA_REG >> 4) << VTD_ECAP_IRO_SHIFT | VTD_ECAP_IR;
	if (p->eim)
		v->ecap |= VTD_ECAP_EIM;
	v->ioapic_id = p->ioapic_id;
	v->ioapic_rid = p->ioapic_rid;
	v->ioapic_sid_ignore = p->ioapic_sid_ignore;
	v->scoped = p->scoped;
	vtd_regs_reset(v);
	iommu_set_fault_handler(v->io, vtd_fault, v);
	iommu_set_miss_handler(v->io, vtd_miss, v);
	v->log = p->log;
	evlog_watch_iommu(&v->log_watch, p->log, EVLOG_INTEL, v->io);
	v->check = p->log && p->check_invalidation;
	if (v->check)
		iommu_set_check(v->io, vtd_check, v);
	*out = v;
	return 0;
}

void vtd_free(struct vtd *v)
{
	if (!v)
		return;
	iommu_destroy(v->io);
	pthread_mutex_destroy(&v->walk_lock);
	pthread_mutex_destroy(&v->lock);
	free(v);
}

int vtd_endpoint_add(struct vtd *v, uint16_t rid, struct dma_as *as)
{
	int ret;

	pthread_mutex_lock(&v->walk_lock);
	if (v->nr_eps == VTD_MAX_EPS) {
		ret = -ENOSPC;
	} else {
		ret = iommu_endpoint_add(v->io, rid, as);
		if (!ret)
			v->eps[v->nr_eps++] = rid;
	}
	pthread_mutex_unlock(&v->walk_lock);
	return ret;
}

struct iommu *vtd_iommu(struct vtd *v)
{
	return v->io;
}

struct acpi_ext vtd_acpi_ext(struct vtd *v, uint64_t base)
{
	v->dmar = (struct vtd_dmar_config){
		.base = base,
		.aw_bits = v->aw_bits,
		.intr_remap = true,
		.x2apic_opt_out = !(v->ecap & VTD_ECAP_EIM),
		.ioapic_id = v->ioapic_id,
		.ioapic_rid = v->ioapic_rid,
		.scoped = v->scoped,
		.nr_eps = v->nr_eps,
		.eps = v->eps,
	};
	return vtd_dmar_acpi_ext(&v->dmar);
}
