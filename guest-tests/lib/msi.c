// SPDX-License-Identifier: MIT
/* The MSI capability (see msi.h). */
#include "msi.h"

#include "msix.h"
#include "pci.h"

int msi_init(struct msi *m, uint16_t bdf)
{
	uint8_t cap = pci_cap_find(bdf, PCI_CAP_ID_MSI, 0);

	if (!cap)
		return -1;
	m->bdf = bdf;
	m->cap = cap;
	m->flags = pci_read16(bdf, cap + PCI_MSI_FLAGS);
	m->is64 = m->flags & PCI_MSI_FLAGS_64BIT;
	m->maskbit = m->flags & PCI_MSI_FLAGS_MASKBIT;
	m->nr_vec = 1u << ((m->flags & PCI_MSI_FLAGS_QMASK) >> 1);
	return 0;
}

uint16_t msi_control(const struct msi *m)
{
	return pci_read16(m->bdf, m->cap + PCI_MSI_FLAGS);
}

static uint8_t data_reg(const struct msi *m)
{
	return (uint8_t)(m->cap + (m->is64 ? PCI_MSI_DATA_64 : PCI_MSI_DATA_32));
}

static uint8_t mask_reg(const struct msi *m)
{
	return (uint8_t)(m->cap + (m->is64 ? PCI_MSI_MASK_64 : PCI_MSI_MASK_32));
}

void msi_set_message(struct msi *m, uint32_t dest, uint8_t vector)
{
	uint16_t c = msi_control(m);

	pci_write32(m->bdf, m->cap + PCI_MSI_ADDRESS_LO, MSI_ADDR_BASE | MSI_ADDR_DEST(dest));
	if (m->is64)
		pci_write32(m->bdf, m->cap + PCI_MSI_ADDRESS_HI, 0);
	pci_write16(m->bdf, data_reg(m), vector);
	pci_write16(m->bdf, m->cap + PCI_MSI_FLAGS, (uint16_t)(c & ~PCI_MSI_FLAGS_QSIZE));
}

uint32_t msi_addr_lo(const struct msi *m)
{
	return pci_read32(m->bdf, m->cap + PCI_MSI_ADDRESS_LO);
}

uint16_t msi_data(const struct msi *m)
{
	return pci_read16(m->bdf, data_reg(m));
}

void msi_enable(struct msi *m, bool on)
{
	uint16_t c = msi_control(m);

	c = on ? c | PCI_MSI_FLAGS_ENABLE : c & ~PCI_MSI_FLAGS_ENABLE;
	pci_write16(m->bdf, m->cap + PCI_MSI_FLAGS, c);
}

void msi_mask(struct msi *m, bool masked)
{
	uint32_t v;

	if (!m->maskbit)
		return;
	v = pci_read32(m->bdf, mask_reg(m));
	pci_write32(m->bdf, mask_reg(m), masked ? v | 1 : v & ~1u);
}

bool msi_pending(const struct msi *m)
{
	return m->maskbit && (pci_read32(m->bdf, mask_reg(m) + 4) & 1);
}
