// SPDX-License-Identifier: MIT
/* The MSI-X table and PBA as the guest sees them through a BAR: dword or
 * qword accesses to vector entries (address, data, vector control) and to
 * the read-only pending bits. Every entry change re-syncs that vector's
 * route. */
#include "devices/pci/internal.h"
#include "vmm/log.h"

/* Table entry field access: 4 bytes at a dword, or 8 at a qword. */
static uint64_t msix_table_read(const struct msix_vector *v, unsigned field, unsigned size)
{
	uint32_t f[4] = {v->addr_lo, v->addr_hi, v->data, v->ctrl};
	unsigned w = field / 4;

	return size == 8 ? f[w] | (uint64_t)f[w + 1] << 32 : f[w];
}

static void msix_table_write(struct pci_dev *d, unsigned i, unsigned field, unsigned size,
			     uint64_t val)
{
	struct msix_vector *v = &d->msix.vec[i];

	for (unsigned n = 0; n < size / 4; n++, field += 4, val >>= 32) {
		uint32_t x = (uint32_t)val;

		switch (field) {
		case PCI_MSIX_ENTRY_LOWER_ADDR:
			v->addr_lo = x & ~3u; /* bits 1:0 are reserved */
			break;
		case PCI_MSIX_ENTRY_UPPER_ADDR: v->addr_hi = x; break;
		case PCI_MSIX_ENTRY_DATA: v->data = x; break;
		default: v->ctrl = x & PCI_MSIX_ENTRY_CTRL_MASKBIT; break;
		}
	}
	msix_vector_sync(d, i, false);
}

/* True when the access touches the table (table) or PBA window of bar: it
 * is then ours, all of it, even if it runs past the window's edge (such an
 * access is refused), so that no part of the table reaches the device. */
static bool msix_window(const struct pci_dev *d, unsigned bar, uint64_t off, unsigned size,
			bool table)
{
	const struct msix *m = &d->msix;

	if (table)
		return bar == m->table_bar &&
		       range_overlaps(off, size, m->table_off, msix_table_size(m->nvec));
	return bar == m->pba_bar && range_overlaps(off, size, m->pba_off, msix_pba_size(m->nvec));
}

/* True when the access lies wholly inside the table (table) or PBA. */
static bool msix_within(const struct pci_dev *d, uint64_t off, unsigned size, bool table)
{
	const struct msix *m = &d->msix;

	if (table)
		return range_within(off, size, m->table_off, msix_table_size(m->nvec));
	return range_within(off, size, m->pba_off, msix_pba_size(m->nvec));
}

bool msix_bar_read(struct pci_dev *d, unsigned bar, uint64_t off, unsigned size, uint64_t *val)
{
	struct msix *m = &d->msix;
	bool table = msix_window(d, bar, off, size, true);
	bool pba = msix_window(d, bar, off, size, false);

	if (!table && !pba)
		return false;
	*val = 0;
	if ((size != 4 && size != 8) || (off & (size - 1)) || !msix_within(d, off, size, table)) {
		log_guest_once("pci %s: MSI-X read of %u bytes at %#llx", d->name, size,
			       (unsigned long long)off);
		return true;
	}
	pthread_mutex_lock(&d->lock);
	if (table) {
		off -= m->table_off;
		*val = msix_table_read(&m->vec[off / PCI_MSIX_ENTRY_SIZE],
				       off % PCI_MSIX_ENTRY_SIZE, size);
	} else {
		off -= m->pba_off;
		*val = m->pba[off / 8];
		/* A device whose interrupts wait outside the PCI core (VFIO)
		 * adds what it holds for masked vectors. 64 per word. */
		for (unsigned i = 0; d->ops && d->ops->vector_pending && i < 64; i++) {
			unsigned vec = (unsigned)(off / 8) * 64 + i;

			if (vec < m->nvec && d->ops->vector_pending(d, true, vec))
				*val |= 1ull << i;
		}
		if (size == 4)
			*val = (uint32_t)(*val >> (8 * (off % 8)));
	}
	pthread_mutex_unlock(&d->lock);
	return true;
}

bool msix_bar_write(struct pci_dev *d, unsigned bar, uint64_t off, unsigned size, uint64_t val)
{
	struct msix *m = &d->msix;
	bool table = msix_window(d, bar, off, size, true);
	bool pba = msix_window(d, bar, off, size, false);

	if (!table && !pba)
		return false;
	if (pba && !table) /* read-only */
		return true;
	if ((size != 4 && size != 8) || (off & (size - 1)) || !msix_within(d, off, size, true)) {
		log_guest_once("pci %s: MSI-X write of %u bytes at %#llx", d->name, size,
			       (unsigned long long)off);
		return true;
	}
	off -= m->table_off;
	pthread_mutex_lock(&d->lock);
	msix_table_write(d, off / PCI_MSIX_ENTRY_SIZE, off % PCI_MSIX_ENTRY_SIZE, size, val);
	pthread_mutex_unlock(&d->lock);
	return true;
}
