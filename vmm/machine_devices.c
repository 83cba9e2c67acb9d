// SPDX-License-Identifier: MIT
/* The builder's device steps: the PCI bus, then every virtio device on it.
 * Each device gets a worker thread whose seccomp filter fits its back-end. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "devices/ioapic.h"
#include "devices/pci/pci.h"
#include "devices/virtio/blk.h"
#include "devices/virtio/console.h"
#include "devices/virtio/net.h"
#include "devices/virtio/pci.h"
#include "devices/virtio/rng.h"
#include "seccomp/seccomp.h"
#include "vmm/exit_codes.h"
#include "vmm/layout.h"
#include "vmm/machine.h"

#define ERRLEN 256
#define PCI_MMIO64_SIZE GiB(64)

static int dev_fail(int status, const char *msg)
{
	fprintf(stderr, "vmm: %s\n", msg);
	return status;
}

int machine_add_pci(struct machine *m, char *err)
{
	struct vm *vm = &m->vm;
	uint64_t ram_top = vm->mem.nr > 1 ? vm->mem.r[1].base.a + vm->mem.r[1].size
					  : LAYOUT_MMIO_HOLE_END;
	struct pci_bus_config pc = {
		.mmio = &vm->mmio, .pio = &vm->pio, .mem = &vm->mem,
		.gsi = &vm->gsi, .msi = vm->msi,
		.intx = { .set = ioapic_set_irq, .opaque = m->ioapic },
		.mmio64_base = ALIGN_UP(ram_top, GiB(1)),
		.mmio64_size = PCI_MMIO64_SIZE,
	};
	int ret = pci_bus_new(&pc, &m->pci);

	if (ret) {
		snprintf(err, ERRLEN, "cannot create the PCI bus: %s", strerror(-ret));
		return dev_fail(VMM_EXIT_HOST, err);
	}
	pci_conf1_init(&m->pci_conf, pci_bus_conf_target(m->pci));
	return 0;
}

static int blk_thread(struct worker *w) { (void)w; return seccomp_install(SECCOMP_VIRTIO_BLK); }
static int rng_thread(struct worker *w) { (void)w; return seccomp_install(SECCOMP_VIRTIO_RNG); }
static int con_thread(struct worker *w) { (void)w; return seccomp_install(SECCOMP_VIRTIO_CONSOLE); }
static int net_thread(struct worker *w) { (void)w; return seccomp_install(SECCOMP_VIRTIO_NET); }

static int plug(struct machine *m, struct virtio_dev *vdev,
		int (*thread_init)(struct worker *), char *err)
{
	struct virtio_pci_params p = { .bus = m->pci, .slot = -1, .vm_fd = m->vm.vm_fd,
				       .thread_init = m->cfg->seccomp ? thread_init : NULL };
	int ret;

	if (m->nr_virtio == MACHINE_MAX_VIRTIO)
		return dev_fail(VMM_EXIT_USAGE, "too many virtio devices");
	ret = virtio_pci_new(vdev, &p, &m->virtio[m->nr_virtio]);
	if (ret) {
		snprintf(err, ERRLEN, "%s: cannot plug into PCI: %s", vdev->ops->name,
			 strerror(-ret));
		return dev_fail(VMM_EXIT_HOST, err);
	}
	m->nr_virtio++;
	return 0;
}

static int add_disks(struct machine *m, char *err)
{
	for (unsigned i = 0; i < m->cfg->nr_disks; i++) {
		const struct disk_config *d = &m->cfg->disks[i];
		struct virtio_blk_params p = { d->path, d->readonly, d->serial };
		int ret;

		m->disks[i] = virtio_blk_new(&p, err, ERRLEN);
		if (!m->disks[i])
			return dev_fail(VMM_EXIT_USAGE, err);
		m->nr_disks++;
		ret = plug(m, &m->disks[i]->vdev, blk_thread, err);
		if (ret)
			return ret;
	}
	return 0;
}

static int add_nets(struct machine *m, char *err)
{
	for (unsigned i = 0; i < m->cfg->nr_nets; i++) {
		const struct net_config *nc = &m->cfg->nets[i];
		struct virtio_net_params p = { .tap = nc->tap,
					       .mac = nc->has_mac ? nc->mac : NULL };
		int ret;

		m->nets[i] = virtio_net_new(&p, err, ERRLEN);
		if (!m->nets[i])
			return dev_fail(VMM_EXIT_USAGE, err);
		m->nr_nets++;
		ret = plug(m, &m->nets[i]->vdev, net_thread, err);
		if (ret)
			return ret;
	}
	return 0;
}

int machine_add_virtio(struct machine *m, char *err)
{
	const struct vmm_config *cfg = m->cfg;
	int ret = add_disks(m, err);

	ret = ret ?: add_nets(m, err);
	if (ret)
		return ret;
	if (cfg->rng.enabled) {
		m->rng = virtio_rng_new();
		if (!m->rng)
			return dev_fail(VMM_EXIT_HOST, "out of memory (virtio-rng)");
		ret = plug(m, &m->rng->vdev, rng_thread, err);
		if (ret)
			return ret;
	}
	if (cfg->console.enabled) {
		m->vcon = virtio_console_new(cfg->console.mode, cfg->console.path, err, ERRLEN);
		if (!m->vcon)
			return dev_fail(VMM_EXIT_USAGE, err);
		ret = plug(m, &m->vcon->vdev, con_thread, err);
	}
	return ret;
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
	m->rng = NULL;
	m->vcon = NULL;
}
