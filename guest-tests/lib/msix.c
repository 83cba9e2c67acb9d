// SPDX-License-Identifier: MIT
/* MSI-X table programming and a per-vector interrupt counter. */
#include "msix.h"

#include "io.h"
#include "lapic.h"
#include "pci.h"
#include "trap.h"
#include "tsc.h"

static volatile uint64_t counts[256];

int msix_init(struct msix *m, uint16_t bdf)
{
	uint8_t cap = pci_cap_find(bdf, PCI_CAP_ID_MSIX, 0);
	uint32_t t, p;

	if (!cap)
		return -1;
	t = pci_read32(bdf, cap + PCI_MSIX_TABLE);
	p = pci_read32(bdf, cap + PCI_MSIX_PBA);
	m->bdf = bdf;
	m->cap = cap;
	m->nr = (pci_read16(bdf, cap + PCI_MSIX_FLAGS) & PCI_MSIX_FLAGS_QSIZE) + 1;
	m->table_bir = t & PCI_MSIX_TABLE_BIR;
	m->table_off = t & PCI_MSIX_TABLE_OFFSET;
	m->pba_bir = p & PCI_MSIX_PBA_BIR;
	m->pba_off = p & PCI_MSIX_PBA_OFFSET;
	m->table = m->table_bir < PCI_NR_BARS ? pci_bar_addr(bdf, m->table_bir) : 0;
	m->pba = m->pba_bir < PCI_NR_BARS ? pci_bar_addr(bdf, m->pba_bir) : 0;
	if (m->table)
		m->table += m->table_off;
	if (m->pba)
		m->pba += m->pba_off;
	return 0;
}

uint16_t msix_control(const struct msix *m)
{
	return pci_read16(m->bdf, m->cap + PCI_MSIX_FLAGS);
}

static void control_bits(struct msix *m, uint16_t bit, bool on)
{
	uint16_t c = msix_control(m);

	c = on ? c | bit : c & ~bit;
	pci_write16(m->bdf, m->cap + PCI_MSIX_FLAGS, c);
}

void msix_enable(struct msix *m, bool on)
{
	control_bits(m, PCI_MSIX_FLAGS_ENABLE, on);
}

void msix_function_mask(struct msix *m, bool masked)
{
	control_bits(m, PCI_MSIX_FLAGS_MASKALL, masked);
}

static uint64_t entry(const struct msix *m, unsigned i)
{
	return m->table + (uint64_t)i * PCI_MSIX_ENTRY_SIZE;
}

uint32_t msix_entry_read(const struct msix *m, unsigned i, unsigned word)
{
	return mmio_read32(entry(m, i) + 4 * word);
}

void msix_set_entry(struct msix *m, unsigned i, uint32_t dest, uint8_t vector)
{
	uint64_t e = entry(m, i);

	mmio_write32(e + PCI_MSIX_ENTRY_LOWER_ADDR, MSI_ADDR_BASE | MSI_ADDR_DEST(dest));
	mmio_write32(e + PCI_MSIX_ENTRY_UPPER_ADDR, 0);
	mmio_write32(e + PCI_MSIX_ENTRY_DATA, vector);
}

void msix_mask_entry(struct msix *m, unsigned i, bool masked)
{
	uint64_t e = entry(m, i) + PCI_MSIX_ENTRY_VECTOR_CTRL;
	uint32_t c = mmio_read32(e);

	c = masked ? c | PCI_MSIX_ENTRY_CTRL_MASKBIT : c & ~PCI_MSIX_ENTRY_CTRL_MASKBIT;
	mmio_write32(e, c);
}

bool msix_entry_masked(const struct msix *m, unsigned i)
{
	return msix_entry_read(m, i, 3) & PCI_MSIX_ENTRY_CTRL_MASKBIT;
}

bool msix_pending(const struct msix *m, unsigned i)
{
	/* DWORD reads: the spec allows DWORD or QWORD, DWORD is the common one. */
	return (mmio_read32(m->pba + 4 * (i / 32)) >> (i % 32)) & 1;
}

/* CPL0: count and acknowledge. */
static void msix_isr(struct trap_frame *f)
{
	counts[f->vector & 0xff]++;
	lapic_eoi();
}

void msix_vector_install(uint8_t vector)
{
	counts[vector] = 0;
	trap_set_handler(vector, msix_isr);
}

void msix_vector_remove(uint8_t vector)
{
	trap_set_handler(vector, NULL);
}

uint64_t msix_vector_count(uint8_t vector)
{
	return counts[vector];
}

bool msix_vector_wait(uint8_t vector, uint64_t want, uint64_t timeout_us)
{
	uint64_t end = time_us() + timeout_us;

	while (counts[vector] < want && time_us() < end)
		cpu_relax();
	return counts[vector] >= want;
}
