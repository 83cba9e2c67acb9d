// SPDX-License-Identifier: MIT
/* INTx: a level-triggered, shared pin per function. The device sets its
 * level; STATUS.INTERRUPT mirrors it; COMMAND.INTX_DISABLE gates it; the
 * bus ORs every function wired to one IOAPIC input. */
#include "devices/pci/internal.h"

unsigned pci_intx_gsi(unsigned slot, unsigned pin)
{
	return PCI_INTX_GSI_BASE + (slot + pin) % PCI_INTX_GSI_COUNT;
}

/* One function's output changed: count it on its IOAPIC input and drive
 * the input when the OR of all of them changes. */
static void pci_bus_intx_drive(struct pci_bus *b, unsigned slot, unsigned pin, bool out)
{
	unsigned gsi = pci_intx_gsi(slot, pin);
	unsigned *n = &b->intx_count[gsi - PCI_INTX_GSI_BASE];
	struct irq_line line = b->cfg.intx;

	line.pin = gsi;
	pthread_mutex_lock(&b->intx_lock);
	if (out)
		++*n;
	else if (*n)
		--*n;
	if (*n == (out ? 1u : 0u))
		irq_line_set(&line, out);
	pthread_mutex_unlock(&b->intx_lock);
}

void pci_intx_update(struct pci_dev *d)
{
	unsigned pin = pci_cfg_get(d, PCI_INTERRUPT_PIN, 1);
	uint16_t cmd = (uint16_t)pci_cfg_get(d, PCI_COMMAND, 2);
	bool out = d->intx_level && !(cmd & PCI_COMMAND_INTX_DISABLE);

	if (!d->bus || !pin || pin > 4 || out == d->intx_out)
		return;
	d->intx_out = out;
	pci_bus_intx_drive(d->bus, PCI_SLOT_OF(d->devfn), pin - 1, out);
}

void pci_set_intx(struct pci_dev *d, int level)
{
	uint16_t sta;

	pthread_mutex_lock(&d->lock);
	d->intx_level = level != 0;
	sta = (uint16_t)pci_cfg_get(d, PCI_STATUS, 2) & ~PCI_STATUS_INTERRUPT;
	if (d->intx_level)
		sta |= PCI_STATUS_INTERRUPT;
	pci_cfg_set(d, PCI_STATUS, 2, sta);
	pci_intx_update(d);
	pthread_mutex_unlock(&d->lock);
}
