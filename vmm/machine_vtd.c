// SPDX-License-Identifier: MIT
/* The builder's VT-d steps (--iommu intel): the unit, its register page at
 * LAYOUT_IOMMU_REGS (described by the DMAR table, vmm/machine.c), and every
 * PCI function behind it as an endpoint of its IOMMU core. */
#include <stdio.h>
#include <string.h>

#include "devices/pci/pci.h"
#include "devices/vtd/vtd.h"
#include "vmm/exit_codes.h"
#include "vmm/layout.h"
#include "vmm/log.h"
#include "vmm/machine.h"

#define ERRLEN 256

/* With a --device behind the unit: caching mode on (the VMM must see every
 * mapping the guest makes, to map it in the host), and an address width no
 * larger than the host IOMMU translates. 0, or the exit status (printed). */
static int vfio_fit(struct machine *m, struct vtd_params *p, char *err)
{
	uint64_t last = (1ull << p->aw_bits) - 1, mask = ~0xfffull;
	bool behind = false;

	for (unsigned i = 0; i < m->vfio_ctx.nr_c; i++)
		behind |= !m->vfio_ctx.c[i]->identity;
	if (!behind)
		return 0;
	if (!p->caching_mode)
		log_warn("--iommu intel: caching-mode forced on: a --device behind it needs the "
			 "guest to invalidate every mapping it makes");
	p->caching_mode = true;
	machine_vfio_viommu_params(m, &last, &mask);
	if (last == (1ull << p->aw_bits) - 1)
		return 0;
	if (!m->cfg->iommu_aw_given && p->aw_bits == 48 && last >= (1ull << 39) - 1) {
		log_warn("--iommu intel: aw-bits=39: the host IOMMU translates fewer than 48 bits");
		p->aw_bits = 39;
		return 0;
	}
	snprintf(err, ERRLEN,
		 "--iommu intel,aw-bits=%u: the host IOMMU translates IOVAs up to %#llx only",
		 p->aw_bits, (unsigned long long)last);
	return machine_fail(VMM_EXIT_DEVICE, err);
}

int machine_add_vtd(struct machine *m, char *err)
{
	struct vtd_params p = {
		.mem = &m->vm.mem,
		.msi = m->vm.msi,
		.caching_mode = m->cfg->iommu_caching_mode,
		.aw_bits = m->cfg->iommu_aw_bits ? m->cfg->iommu_aw_bits : 48,
		.log = m->evlog,
		.check_invalidation = m->cfg->iommu_check_inval,
	};
	int ret = vfio_fit(m, &p, err);

	if (ret)
		return ret;
	ret = vtd_new(&p, &m->vtd);

	if (!ret)
		ret = bus_register(&m->vm.mmio, LAYOUT_IOMMU_REGS, VTD_REGS_SIZE, &vtd_mmio_ops,
				   m->vtd, "vtd");
	if (ret) {
		snprintf(err, ERRLEN, "cannot create the VT-d unit: %s", strerror(-ret));
		return machine_fail(VMM_EXIT_HOST, err);
	}
	return 0;
}

int machine_vtd_endpoint(struct machine *m, struct pci_dev *pd, char *err)
{
	int ret = vtd_endpoint_add(m->vtd, pd->rid, &pd->dma);

	if (ret) {
		snprintf(err, ERRLEN, "%s: cannot go behind the VT-d unit: %s", pd->name,
			 strerror(-ret));
		return machine_fail(VMM_EXIT_HOST, err);
	}
	return 0;
}
