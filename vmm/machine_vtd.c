// SPDX-License-Identifier: MIT
/* The builder's VT-d steps (--iommu intel): the unit, its register page at
 * LAYOUT_IOMMU_REGS (described by the DMAR table, vmm/machine.c), every
 * PCI function behind it as an endpoint of its IOMMU core, and interrupt
 * remapping in front of the IOAPIC's and the PCI bus's interrupts. */
#include <stdio.h>
#include <string.h>

#include "devices/ioapic.h"
#include "devices/pci/pci.h"
#include "devices/vtd/vtd.h"
#include "vmm/cli_iommu.h"
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

/* The unit's notify hook: remapped messages may have changed, so every
 * KVM route that holds one is built again (the PCI vectors through the
 * bus's router, the IOAPIC's 24 mirrored routes). */
static void vtd_reroute(void *opaque)
{
	struct machine *m = opaque;
	struct msix_router r = vtd_ir_router(m->vtd, msix_router_kvm(&m->vm.gsi));

	pci_bus_set_msix_router(m->pci, &r); /* the same router: re-routes all */
	ioapic_replay_routes(m->ioapic);
}

/* Interrupt remapping: the IOAPIC (with its own requester id) and the PCI
 * bus send through the unit's sink, the bus routes through its router; the
 * unit's own interrupts keep the VM's sink (vtd_params.msi). */
static void vtd_wire_ir(struct machine *m)
{
	struct msi_sink s = vtd_ir_sink(m->vtd, m->vm.msi);
	struct msix_router r = vtd_ir_router(m->vtd, msix_router_kvm(&m->vm.gsi));

	vtd_ir_set_notify(m->vtd, vtd_reroute, m);
	ioapic_set_sink(m->ioapic, s, MACHINE_IOAPIC_RID);
	pci_bus_set_msi_sink(m->pci, s);
	pci_bus_set_msix_router(m->pci, &r);
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
		.eim = m->cfg->iommu_eim,
		.ioapic_id = IOAPIC_RESET_ID,
		.ioapic_rid = MACHINE_IOAPIC_RID,
		.ioapic_sid_ignore = m->cfg->iommu_ioapic_sid_ignore,
		.scoped = cli_iommu_opt_outs(m->cfg),
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
	vtd_wire_ir(m);
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

void machine_vtd_report(struct machine *m)
{
	struct vtd_stats st;

	if (!m->vtd)
		return;
	vtd_get_stats(m->vtd, &st);
	log_warn("vtd: caching-mode invals_mapped=%llu runs=%llu leaves=%llu replaced=%llu",
		 (unsigned long long)st.cm_invals_mapped, (unsigned long long)st.cm_runs_mapped,
		 (unsigned long long)st.cm_leaves, (unsigned long long)st.cm_replaced);
}
