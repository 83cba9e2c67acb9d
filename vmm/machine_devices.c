// SPDX-License-Identifier: MIT
/* The builder's device steps: the PCI bus, then every virtio device on it
 * (each with a worker thread whose seccomp filter fits its back-end), and
 * the edu (no thread: it works on the vCPU that writes its registers). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "devices/edu.h"
#include "devices/ioapic.h"
#include "devices/pci/pci.h"
#include "devices/virtio/blk.h"
#include "devices/virtio/console.h"
#include "devices/virtio/iommu.h"
#include "devices/virtio/net.h"
#include "devices/virtio/pci.h"
#include "devices/virtio/rng.h"
#include "devices/vtd/vtd.h"
#include "iommu/iommu.h"
#include "iommu/viot.h"
#include "seccomp/seccomp.h"
#include "vmm/exit_codes.h"
#include "vmm/layout.h"
#include "vmm/log.h"
#include "vmm/machine.h"

#define ERRLEN		256
#define PCI_MMIO64_SIZE GiB(64)

int machine_add_pci(struct machine *m, char *err)
{
	struct vm *vm = &m->vm;
	uint64_t ram_top =
		vm->mem.nr > 1 ? vm->mem.r[1].base.a + vm->mem.r[1].size : LAYOUT_MMIO_HOLE_END;
	struct pci_bus_config pc = {
		.mmio = &vm->mmio,
		.pio = &vm->pio,
		.mem = &vm->mem,
		.gsi = &vm->gsi,
		.msi = vm->msi,
		.intx = {.set = ioapic_set_irq, .opaque = m->ioapic},
		.mmio64_base = ALIGN_UP(ram_top, GiB(1)),
		.mmio64_size = PCI_MMIO64_SIZE,
	};
	int ret = pci_bus_new(&pc, &m->pci);

	if (ret) {
		snprintf(err, ERRLEN, "cannot create the PCI bus: %s", strerror(-ret));
		return machine_fail(VMM_EXIT_HOST, err);
	}
	pci_conf1_init(&m->pci_conf, pci_bus_conf_target(m->pci));
	return 0;
}

static int blk_thread(struct worker *w)
{
	(void)w;
	return seccomp_install(SECCOMP_VIRTIO_BLK);
}
static int rng_thread(struct worker *w)
{
	(void)w;
	return seccomp_install(SECCOMP_VIRTIO_RNG);
}
static int con_thread(struct worker *w)
{
	(void)w;
	return seccomp_install(SECCOMP_VIRTIO_CONSOLE);
}
static int net_thread(struct worker *w)
{
	(void)w;
	return seccomp_install(SECCOMP_VIRTIO_NET);
}
static int iommu_thread(struct worker *w)
{
	(void)w;
	return seccomp_install(SECCOMP_VIRTIO_IOMMU);
}

/* Put the PCI function just plugged behind the IOMMU, or note that it
 * opted out (the VIOT then leaves it out of the translated ranges). */
static int behind_iommu(struct machine *m, struct pci_dev *pd, const struct pci_dev_config *pc,
			char *err)
{
	int ret;

	if (m->vtd) /* an opted-out function is in no device scope of the DMAR */
		return pc->iommu ? machine_vtd_endpoint(m, pd, err) : 0;
	if (!m->viommu)
		return 0;
	if (!pc->iommu) {
		m->viot_skip[m->nr_viot_skip++] = pd->rid;
		return 0;
	}
	ret = iommu_endpoint_add(m->viommu->io, pd->rid, &pd->dma);
	if (ret) {
		snprintf(err, ERRLEN, "%s: cannot go behind the IOMMU: %s", pd->name,
			 strerror(-ret));
		return machine_fail(VMM_EXIT_HOST, err);
	}
	return 0;
}

/* Plug vdev into PCI. pc: its PCI options (NULL for the IOMMU itself). */
static int plug(struct machine *m, struct virtio_dev *vdev, int (*thread_init)(struct worker *),
		const struct pci_dev_config *pc, char *err)
{
	struct virtio_pci_params p = {.bus = m->pci,
				      .slot = -1,
				      .vm_fd = m->vm.vm_fd,
				      .thread_init = m->cfg->seccomp ? thread_init : NULL};
	int ret;

	if (m->nr_virtio == MACHINE_MAX_VIRTIO)
		return machine_fail(VMM_EXIT_USAGE, "too many virtio devices");
	ret = virtio_pci_new(vdev, &p, &m->virtio[m->nr_virtio]);
	if (ret) {
		snprintf(err, ERRLEN, "%s: cannot plug into PCI: %s", vdev->ops->name,
			 strerror(-ret));
		return machine_fail(VMM_EXIT_HOST, err);
	}
	m->nr_virtio++;
	if (!pc)
		return 0;
	/* Behind the IOMMU, a virtio device must accept ACCESS_PLATFORM. */
	vdev->require_access_platform = (m->viommu || m->vtd) && pc->iommu;
	return behind_iommu(m, &m->virtio[m->nr_virtio - 1]->pci, pc, err);
}

static int add_iommu(struct machine *m, char *err)
{
	int ret;

	struct virtio_iommu_params p = {.boot_bypass = true,
					.input_last = VIRTIO_IOMMU_INPUT_LAST,
					.page_mask = VIRTIO_IOMMU_PAGE_MASK,
					.log = m->evlog};

	if (m->cfg->iommu == IOMMU_INTEL)
		return machine_add_vtd(m, err);
	if (m->cfg->iommu != IOMMU_VIRTIO)
		return 0;
	/* No IOVA or page size the host IOMMU cannot honour for a passthrough
	 * device behind it. */
	machine_vfio_viommu_params(m, &p.input_last, &p.page_mask);
	if (virtio_iommu_new(&p, &m->viommu))
		return machine_fail(VMM_EXIT_HOST, "out of memory (virtio-iommu)");
	ret = plug(m, &m->viommu->vdev, iommu_thread, NULL, err);
	if (ret)
		return ret;
	m->viommu_pci = m->virtio[m->nr_virtio - 1];
	/* The host bridge does no DMA; outside the VIOT, PROBE answers NOENT. */
	m->viot_skip[m->nr_viot_skip++] = 0x0000;
	return 0;
}

static int add_disks(struct machine *m, char *err)
{
	for (unsigned i = 0; i < m->cfg->nr_disks; i++) {
		const struct disk_config *d = &m->cfg->disks[i];
		struct virtio_blk_params p = {d->path, d->readonly, d->serial};
		int ret;

		m->disks[i] = virtio_blk_new(&p, err, ERRLEN);
		if (!m->disks[i])
			return machine_fail(VMM_EXIT_USAGE, err);
		m->nr_disks++;
		ret = plug(m, &m->disks[i]->vdev, blk_thread, &d->pci, err);
		if (ret)
			return ret;
	}
	return 0;
}

static int add_nets(struct machine *m, char *err)
{
	for (unsigned i = 0; i < m->cfg->nr_nets; i++) {
		const struct net_config *nc = &m->cfg->nets[i];
		struct virtio_net_params p = {.tap = nc->tap, .mac = nc->has_mac ? nc->mac : NULL};
		int ret;

		m->nets[i] = virtio_net_new(&p, err, ERRLEN);
		if (!m->nets[i])
			return machine_fail(VMM_EXIT_USAGE, err);
		m->nr_nets++;
		ret = plug(m, &m->nets[i]->vdev, net_thread, &nc->pci, err);
		if (ret)
			return ret;
	}
	return 0;
}

/* --edu: no thread, no ACCESS_PLATFORM; its DMA space is simply behind the
 * IOMMU like any other function's. */
static int add_edu(struct machine *m, char *err)
{
	int ret;

	if (!m->cfg->edu.enabled)
		return 0;
	ret = edu_new(NULL, &m->edu);
	ret = ret ?: pci_bus_add(m->pci, &m->edu->pci, -1);
	if (ret < 0) {
		snprintf(err, ERRLEN, "edu: cannot plug into PCI: %s", strerror(-ret));
		return machine_fail(VMM_EXIT_HOST, err);
	}
	return behind_iommu(m, &m->edu->pci, &m->cfg->edu.pci, err);
}

int machine_add_virtio(struct machine *m, char *err)
{
	const struct vmm_config *cfg = m->cfg;
	int ret = machine_open_vfio(m, err);

	ret = ret ?: add_iommu(m, err);
	ret = ret ?: add_disks(m, err);
	ret = ret ?: add_nets(m, err);
	if (ret)
		return ret;
	if (cfg->rng.enabled) {
		m->rng = virtio_rng_new();
		if (!m->rng)
			return machine_fail(VMM_EXIT_HOST, "out of memory (virtio-rng)");
		ret = plug(m, &m->rng->vdev, rng_thread, &cfg->rng.pci, err);
		if (ret)
			return ret;
	}
	if (cfg->console.enabled) {
		m->vcon = virtio_console_new(cfg->console.mode, cfg->console.path, err, ERRLEN);
		if (!m->vcon)
			return machine_fail(VMM_EXIT_USAGE, err);
		ret = plug(m, &m->vcon->vdev, con_thread, &cfg->console.pci, err);
		if (ret)
			return ret;
	}
	ret = add_edu(m, err);
	ret = ret ?: machine_add_vfio(m, err);
	if (ret)
		return ret;
	if (m->viommu &&
	    viot_config_bus0(&m->viot, m->viommu_pci->pci.rid, m->viot_skip, m->nr_viot_skip))
		return machine_fail(VMM_EXIT_USAGE,
				    "too many devices opted out of the IOMMU (VIOT)");
	return 0;
}

int machine_start_devices(struct machine *m)
{
	for (unsigned i = 0; i < m->nr_virtio; i++)
		if (virtio_pci_start(m->virtio[i]))
			return -1;
	return 0;
}

void machine_destroy_devices(struct machine *m)
{
	/* The bus first: nothing reaches the functions after this. */
	pci_bus_free(m->pci);
	m->pci = NULL;
	/* Every device thread stops before the IOMMU core goes: they
	 * translate through it and call its fault handler. */
	for (unsigned i = 0; i < m->nr_virtio; i++)
		worker_destroy(&m->virtio[i]->vdev->worker);
	virtio_iommu_release(m->viommu);
	if (m->nr_vfio && log_verbose)
		machine_vtd_report(m); /* beside the VFIO report (machine_destroy_vfio) */
	vtd_free(m->vtd);	       /* its IOMMU core too */
	m->vtd = NULL;
	edu_free(m->edu); /* after the IOMMU core, which knew its DMA space */
	m->edu = NULL;
	machine_destroy_vfio(m);
	for (unsigned i = 0; i < m->nr_virtio; i++)
		virtio_pci_free(m->virtio[i]);
	m->nr_virtio = 0;
	for (unsigned i = 0; i < m->nr_disks; i++)
		virtio_blk_free(m->disks[i]);
	m->nr_disks = 0;
	for (unsigned i = 0; i < m->nr_nets; i++)
		virtio_net_free(m->nets[i]);
	m->nr_nets = 0;
	virtio_rng_free(m->rng);
	virtio_console_free(m->vcon);
	virtio_iommu_free(m->viommu);
	m->viommu = NULL;
	m->rng = NULL;
	m->vcon = NULL;
}
