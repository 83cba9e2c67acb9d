// SPDX-License-Identifier: MIT
/* Bus 0: the slots, config cycle dispatch, and the firmware's job at build
 * time (BAR assignment from the windows, decode enables, INTERRUPT_LINE,
 * DMA address spaces, MSI-X GSIs). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "devices/pci/internal.h"
#include "vmm/layout.h"
#include "vmm/log.h"

#define PCI_MMIO_ALIGN KiB(4) /* one BAR per page: VFIO and KVM slots */

struct msix_router pci_bus_router(struct pci_bus *b)
{
	struct msix_router r;

	pthread_rwlock_rdlock(&b->router_lock);
	r = b->cfg.router;
	pthread_rwlock_unlock(&b->router_lock);
	return r;
}

int pci_bus_new(const struct pci_bus_config *cfg, struct pci_bus **out)
{
	struct pci_bus *b;
	int ret;

	*out = NULL;
	if (!cfg->mmio || !cfg->pio ||
	    (cfg->mmio64_size &&
	     (cfg->mmio64_base < LAYOUT_MMIO_HOLE_END || cfg->mmio64_base % PCI_MMIO_ALIGN ||
	      range_wraps(cfg->mmio64_base, cfg->mmio64_size))))
		return -EINVAL;
	b = calloc(1, sizeof(*b));
	if (!b)
		return -ENOMEM;
	b->cfg = *cfg;
	if (!b->cfg.router.route) {
		if (cfg->gsi)
			b->cfg.router = msix_router_kvm(cfg->gsi);
		else
			b->cfg.gsi = NULL;
	}
	pthread_mutex_init(&b->lock, NULL);
	pthread_mutex_init(&b->intx_lock, NULL);
	pthread_rwlock_init(&b->router_lock, NULL);
	b->next_mmio32 = LAYOUT_PCI_MMIO32;
	b->next_mmio64 = cfg->mmio64_base;
	b->next_io = PCI_IO_WINDOW;

	pci_host_init(&b->host);
	b->host.bus = b;
	b->slot[0] = &b->host;
	dma_as_init(&b->host.dma, 0, cfg->mem);
	b->host.reset_cfg = malloc(sizeof(b->host.cfg));
	if (!b->host.reset_cfg) {
		free(b);
		return -ENOMEM;
	}
	memcpy(b->host.reset_cfg, b->host.cfg, sizeof(b->host.cfg));

	ret = bus_register(cfg->mmio, LAYOUT_PCI_ECAM, PCI_ECAM_SIZE, &pci_ecam_ops, b, "pci-ecam");
	if (ret) {
		free(b->host.reset_cfg);
		free(b);
		return ret;
	}
	b->ecam_registered = true;
	*out = b;
	return 0;
}

/* Take d off the guest's reach: BARs, irqfds, INTx. Device lock held. */
static void pci_dev_detach(struct pci_dev *d)
{
	if (d->intx_out) {
		d->intx_level = false;
		pci_intx_update(d);
	}
	pci_bars_unmap(d);
	msix_detach(d);
	msi_detach(d);
}

void pci_bus_free(struct pci_bus *b)
{
	if (!b)
		return;
	if (b->ecam_registered)
		(void)bus_unregister(b->cfg.mmio, LAYOUT_PCI_ECAM);
	for (unsigned s = 1; s < PCI_MAX_SLOTS; s++) {
		struct pci_dev *d = b->slot[s];

		if (!d)
			continue;
		pthread_mutex_lock(&d->lock);
		pci_dev_detach(d);
		d->bus = NULL;
		pthread_mutex_unlock(&d->lock);
	}
	b->host.bus = NULL;
	pci_dev_fini(&b->host);
	free(b);
}

/* Reserve a naturally aligned range of size bytes at *cursor below end. */
static int pci_window_take(uint64_t *cursor, uint64_t end, uint64_t size, uint64_t align,
			   uint64_t *addr)
{
	uint64_t a = ALIGN_UP(*cursor, MAX(size, align));

	if (a < *cursor || !range_within(a, size, *cursor, end - *cursor))
		return -ENOSPC;
	*cursor = a + size;
	*addr = a;
	return 0;
}

/* Pick addresses for d's BARs, largest first (less padding). */
static int pci_bus_assign(struct pci_bus *b, struct pci_dev *d, uint64_t addr[PCI_STD_NUM_BARS])
{
	bool done[PCI_STD_NUM_BARS] = {false};
	uint64_t end32 = LAYOUT_PCI_MMIO32 + LAYOUT_PCI_MMIO32_SIZE;
	uint64_t end64 = b->cfg.mmio64_base + b->cfg.mmio64_size;

	for (unsigned n = 0; n < PCI_STD_NUM_BARS; n++) {
		struct pci_bar *p = NULL;
		int ret;

		for (unsigned i = 0; i < PCI_STD_NUM_BARS; i++)
			if (d->bar[i].size && !done[i] && (!p || d->bar[i].size > p->size))
				p = &d->bar[i];
		if (!p)
			break;
		done[p->idx] = true;
		if (p->type == PCI_BAR_IO)
			ret = pci_window_take(&b->next_io, PCI_IO_WINDOW_END, p->size, 4,
					      &addr[p->idx]);
		else if (p->type == PCI_BAR_MEM64 && b->cfg.mmio64_size)
			ret = pci_window_take(&b->next_mmio64, end64, p->size, PCI_MMIO_ALIGN,
					      &addr[p->idx]);
		else
			ret = pci_window_take(&b->next_mmio32, end32, p->size, PCI_MMIO_ALIGN,
					      &addr[p->idx]);
		if (ret)
			return ret;
	}
	return 0;
}

/* Program what firmware would: BARs, decode enables, INTERRUPT_LINE.
 * Device lock held. 0, or -EBUSY when a BAR could not be registered. */
static int pci_dev_program(struct pci_dev *d, const uint64_t *addr)
{
	unsigned pin = pci_cfg_get(d, PCI_INTERRUPT_PIN, 1);
	uint16_t cmd = 0;

	for (unsigned i = 0; i < PCI_STD_NUM_BARS; i++) {
		const struct pci_bar *p = &d->bar[i];
		unsigned reg = PCI_BASE_ADDRESS_0 + 4 * i;
		uint32_t lo = pci_cfg_get(d, reg, 4);

		if (!p->size)
			continue;
		lo &= p->type == PCI_BAR_IO ? ~PCI_BASE_ADDRESS_IO_MASK
					    : ~PCI_BASE_ADDRESS_MEM_MASK;
		pci_cfg_set(d, reg, 4, lo | (uint32_t)addr[i]);
		if (p->type == PCI_BAR_MEM64)
			pci_cfg_set(d, reg + 4, 4, (uint32_t)(addr[i] >> 32));
		cmd |= p->type == PCI_BAR_IO ? PCI_COMMAND_IO : PCI_COMMAND_MEMORY;
	}
	if (pin >= 1 && pin <= 4)
		pci_cfg_set(d, PCI_INTERRUPT_LINE, 1, pci_intx_gsi(PCI_SLOT_OF(d->devfn), pin - 1));
	pci_cfg_set(d, PCI_COMMAND, 2, pci_cfg_get(d, PCI_COMMAND, 2) | cmd);
	pci_bars_update(d);
	for (unsigned i = 0; i < PCI_STD_NUM_BARS; i++)
		if (d->bar[i].size && !d->bar[i].mapped)
			return -EBUSY;
	return 0;
}

static int pci_bus_pick_slot(struct pci_bus *b, int slot)
{
	if (slot >= 0)
		return b->slot[slot] ? -EBUSY : slot;
	for (unsigned s = 1; s < PCI_MAX_SLOTS; s++)
		if (!b->slot[s])
			return (int)s;
	return -ENOSPC;
}

int pci_bus_add(struct pci_bus *b, struct pci_dev *d, int slot)
{
	uint64_t addr[PCI_STD_NUM_BARS] = {0};
	uint64_t c32, c64, cio;
	uint8_t *snap;
	int s, ret;

	if (d->bus || slot == 0 || slot >= PCI_MAX_SLOTS)
		return -EINVAL;
	snap = malloc(sizeof(d->cfg));
	if (!snap)
		return -ENOMEM;
	pthread_mutex_lock(&b->lock);
	c32 = b->next_mmio32, c64 = b->next_mmio64, cio = b->next_io;
	s = ret = pci_bus_pick_slot(b, slot);
	if (ret >= 0)
		ret = pci_bus_assign(b, d, addr);
	if (ret < 0)
		goto out_restore;

	pthread_mutex_lock(&d->lock);
	d->bus = b;
	d->devfn = PCI_DEVFN(s, 0);
	d->rid = PCI_RID(0, d->devfn);
	dma_as_init(&d->dma, d->rid, b->cfg.mem);
	ret = msix_attach(d);
	if (!ret)
		ret = msi_attach(d);
	if (!ret)
		ret = pci_dev_program(d, addr);
	if (ret) {
		log_warn("pci %s: cannot plug in at slot %d: %s", d->name, s, strerror(-ret));
		pci_dev_detach(d);
		d->bus = NULL;
		pthread_mutex_unlock(&d->lock);
		goto out_restore;
	}
	memcpy(snap, d->cfg, sizeof(d->cfg));
	d->reset_cfg = snap;
	b->slot[s] = d;
	pthread_mutex_unlock(&d->lock);
	pthread_mutex_unlock(&b->lock);
	return d->devfn;

out_restore:
	b->next_mmio32 = c32, b->next_mmio64 = c64, b->next_io = cio;
	pthread_mutex_unlock(&b->lock);
	free(snap);
	return ret;
}

struct pci_dev *pci_bus_find(struct pci_bus *b, uint16_t rid)
{
	struct pci_dev *d;

	if (rid >> 8 || (rid & 7))
		return NULL; /* bus 0, function 0 only */
	pthread_mutex_lock(&b->lock);
	d = b->slot[PCI_SLOT_OF(rid)];
	pthread_mutex_unlock(&b->lock);
	return d;
}

uint32_t pci_bus_config_read(struct pci_bus *b, uint16_t bdf, uint16_t reg, unsigned size)
{
	struct pci_dev *d = pci_bus_find(b, bdf);

	return d ? pci_config_read(d, reg, size) : pci_ones(size);
}

void pci_bus_config_write(struct pci_bus *b, uint16_t bdf, uint16_t reg, unsigned size,
			  uint32_t val)
{
	struct pci_dev *d = pci_bus_find(b, bdf);

	if (d)
		pci_config_write(d, reg, size, val);
}

void pci_bus_set_msi_sink(struct pci_bus *b, struct msi_sink s)
{
	b->cfg.msi = s;
}

void pci_bus_set_msix_router(struct pci_bus *b, const struct msix_router *r)
{
	pthread_rwlock_wrlock(&b->router_lock);
	if (r && r->route && r->irqfd)
		b->cfg.router = *r;
	else if (b->cfg.gsi)
		b->cfg.router = msix_router_kvm(b->cfg.gsi);
	pthread_rwlock_unlock(&b->router_lock);
	pthread_mutex_lock(&b->lock);
	for (unsigned s = 1; s < PCI_MAX_SLOTS; s++)
		if (b->slot[s]) {
			msix_reroute(b->slot[s]);
			pthread_mutex_lock(&b->slot[s]->lock);
			msi_reroute(b->slot[s]);
			pthread_mutex_unlock(&b->slot[s]->lock);
		}
	pthread_mutex_unlock(&b->lock);
}
