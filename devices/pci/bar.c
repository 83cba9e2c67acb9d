// SPDX-License-Identifier: MIT
/* Base address registers: declaration (type bits read-only, address bits
 * above the size writable, so writing all ones reads back the size), and
 * registration of each BAR on the MMIO or port I/O bus while the command
 * register enables its decode and its address is usable. Accesses reach the
 * MSI-X table/PBA or the device's bar_read/bar_write hooks as (bar, offset,
 * size). */
#include <errno.h>
#include <string.h>

#include "devices/pci/internal.h"
#include "vmm/log.h"

#define PCI_BAR_IO_MAX	256u
#define PCI_BAR_MEM_MIN 16u

static bool is_pow2(uint64_t v)
{
	return v && !(v & (v - 1));
}

static unsigned bar_reg(unsigned idx)
{
	return PCI_BASE_ADDRESS_0 + 4 * idx;
}

int pci_bar_declare(struct pci_dev *d, unsigned idx, enum pci_bar_type type, uint64_t size,
		    bool prefetch)
{
	unsigned reg = bar_reg(idx);
	uint64_t wmask = ~(size - 1);
	uint32_t flags = 0;

	if (idx >= PCI_STD_NUM_BARS || !is_pow2(size) || d->bar[idx].size ||
	    (idx && d->bar[idx - 1].type == PCI_BAR_MEM64))
		return -EINVAL;
	switch (type) {
	case PCI_BAR_IO:
		if (size < 4 || size > PCI_BAR_IO_MAX || prefetch)
			return -EINVAL;
		flags = PCI_BASE_ADDRESS_SPACE_IO;
		wmask &= 0xfffc; /* upper 16 bits hardwired to zero */
		break;
	case PCI_BAR_MEM32:
		if (size < PCI_BAR_MEM_MIN || size > GiB(2))
			return -EINVAL;
		flags = PCI_BASE_ADDRESS_MEM_TYPE_32;
		wmask &= 0xfffffff0;
		break;
	case PCI_BAR_MEM64:
		if (size < PCI_BAR_MEM_MIN || size > (1ull << 62) || idx + 1 >= PCI_STD_NUM_BARS ||
		    d->bar[idx + 1].size)
			return -EINVAL;
		flags = PCI_BASE_ADDRESS_MEM_TYPE_64;
		wmask &= ~0xfull;
		break;
	default: return -EINVAL;
	}
	if (prefetch)
		flags |= PCI_BASE_ADDRESS_MEM_PREFETCH;
	d->bar[idx].size = size;
	d->bar[idx].type = type;
	d->bar[idx].prefetch = prefetch;
	pci_cfg_set(d, reg, 4, flags);
	pci_config_set_wmask(d, reg, 4, (uint32_t)wmask);
	if (type == PCI_BAR_MEM64)
		pci_config_set_wmask(d, reg + 4, 4, (uint32_t)(wmask >> 32));
	return 0;
}

uint64_t pci_bar_addr_locked(const struct pci_dev *d, unsigned idx)
{
	const struct pci_bar *b = &d->bar[idx];
	uint64_t lo = pci_cfg_get(d, bar_reg(idx), 4);

	switch (b->type) {
	case PCI_BAR_IO: return lo & PCI_BASE_ADDRESS_IO_MASK;
	case PCI_BAR_MEM32: return lo & PCI_BASE_ADDRESS_MEM_MASK;
	case PCI_BAR_MEM64:
		return (lo & PCI_BASE_ADDRESS_MEM_MASK) |
		       (uint64_t)pci_cfg_get(d, bar_reg(idx + 1), 4) << 32;
	default: return 0;
	}
}

uint64_t pci_bar_addr(struct pci_dev *d, unsigned idx)
{
	uint64_t a;

	if (idx >= PCI_STD_NUM_BARS)
		return 0;
	pthread_mutex_lock(&d->lock);
	a = pci_bar_addr_locked(d, idx);
	pthread_mutex_unlock(&d->lock);
	return a;
}

/* Where BAR b should decode now, or false when it should not: decode
 * disabled, address 0, or a range that wraps or reaches the top of its
 * space (a BAR left at its all-ones sizing value). */
static bool bar_target(const struct pci_dev *d, const struct pci_bar *b, uint64_t *addr)
{
	uint16_t cmd = (uint16_t)pci_cfg_get(d, PCI_COMMAND, 2);
	uint64_t a = pci_bar_addr_locked(d, b->idx), last = a + b->size - 1;
	uint64_t limit = b->type == PCI_BAR_IO	    ? 0xffff
			 : b->type == PCI_BAR_MEM32 ? 0xffffffffull
						    : ~0ull;

	if (b->type == PCI_BAR_IO ? !(cmd & PCI_COMMAND_IO) : !(cmd & PCI_COMMAND_MEMORY))
		return false;
	if (!a || last < a || last >= limit)
		return false;
	*addr = a;
	return true;
}

static struct bus *bar_bus(const struct pci_dev *d, const struct pci_bar *b)
{
	return b->type == PCI_BAR_IO ? d->bus->cfg.pio : d->bus->cfg.mmio;
}

static void bar_unmap(struct pci_dev *d, struct pci_bar *b)
{
	if (!b->mapped)
		return;
	if (bus_unregister(bar_bus(d, b), b->addr))
		log_warn("pci %s: BAR%u was not registered at %#llx", d->name, b->idx,
			 (unsigned long long)b->addr);
	b->mapped = false;
	if (d->ops && d->ops->bar_map)
		d->ops->bar_map(d, b->idx, b->addr, false);
}

static const struct bus_ops pci_bar_ops;

static void bar_map(struct pci_dev *d, struct pci_bar *b, uint64_t addr)
{
	int ret = bus_register(bar_bus(d, b), addr, b->size, &pci_bar_ops, b, d->name);

	if (ret) {
		log_guest_once("pci %s: cannot decode BAR%u at %#llx: %s", d->name, b->idx,
			       (unsigned long long)addr, strerror(-ret));
		return;
	}
	b->addr = addr;
	b->mapped = true;
	if (d->ops && d->ops->bar_map)
		d->ops->bar_map(d, b->idx, addr, true);
}

void pci_bars_update(struct pci_dev *d)
{
	if (!d->bus)
		return;
	/* Unmap first, so that two BARs may swap addresses in one step. */
	for (unsigned i = 0; i < PCI_STD_NUM_BARS; i++) {
		struct pci_bar *b = &d->bar[i];
		uint64_t addr;

		if (b->size && b->mapped && (!bar_target(d, b, &addr) || addr != b->addr))
			bar_unmap(d, b);
	}
	for (unsigned i = 0; i < PCI_STD_NUM_BARS; i++) {
		struct pci_bar *b = &d->bar[i];
		uint64_t addr;

		if (b->size && !b->mapped && bar_target(d, b, &addr))
			bar_map(d, b, addr);
	}
}

void pci_bars_unmap(struct pci_dev *d)
{
	if (!d->bus)
		return;
	for (unsigned i = 0; i < PCI_STD_NUM_BARS; i++)
		bar_unmap(d, &d->bar[i]);
}

static uint64_t pci_bar_read(void *opaque, uint64_t off, unsigned size)
{
	struct pci_bar *b = opaque;
	struct pci_dev *d = b->dev;
	uint64_t v;

	if (d->msix.nvec && msix_bar_read(d, b->idx, off, size, &v))
		return v;
	if (d->ops && d->ops->bar_read)
		return d->ops->bar_read(d, b->idx, off, size);
	return 0;
}

static void pci_bar_write(void *opaque, uint64_t off, unsigned size, uint64_t val)
{
	struct pci_bar *b = opaque;
	struct pci_dev *d = b->dev;

	if (d->msix.nvec && msix_bar_write(d, b->idx, off, size, val))
		return;
	if (d->ops && d->ops->bar_write)
		d->ops->bar_write(d, b->idx, off, size, val);
}

static const struct bus_ops pci_bar_ops = {
	.read = pci_bar_read,
	.write = pci_bar_write,
};
