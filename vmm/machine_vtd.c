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
#include "vmm/machine.h"

#define ERRLEN 256

int machine_add_vtd(struct machine *m, char *err)
{
	struct vtd_params p = {
		.mem = &m->vm.mem,
		.msi = m->vm.msi,
		.caching_mode = m->cfg->iommu_caching_mode,
		.aw_bits = m->cfg->iommu_aw_bits ? m->cfg->iommu_aw_bits : 48,
	};
	int ret = vtd_new(&p, &m->vtd);

	if (!ret)
		ret = bus_register(&m->vm.mmio, LAYOUT_IOMMU_REGS, VTD_REGS_SIZE, &vtd_mmio_ops,
				   m->vtd, "vtd");
	if (ret) {
		snprintf(err, ERRLEN, "cannot create the VT-d unit: %s", strerror(-ret));
		fprintf(stderr, "vmm: %s\n", err);
		return VMM_EXIT_HOST;
	}
	return 0;
}

int machine_vtd_endpoint(struct machine *m, struct pci_dev *pd, char *err)
{
	int ret = vtd_endpoint_add(m->vtd, pd->rid, &pd->dma);

	if (ret) {
		snprintf(err, ERRLEN, "%s: cannot go behind the VT-d unit: %s", pd->name,
			 strerror(-ret));
		fprintf(stderr, "vmm: %s\n", err);
		return VMM_EXIT_HOST;
	}
	return 0;
}
