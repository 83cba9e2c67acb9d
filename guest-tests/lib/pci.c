// SPDX-License-Identifier: MIT
/* PCI configuration access (ECAM and mechanism #1), bus scan, BARs and
 * capability lists. Host bridge windows are in pci_crs.c. */
#include "pci.h"

#include "acpi.h"
#include "io.h"
#include "string.h"

/* ACPI MCFG: the header, 8 reserved bytes, then 16-byte allocations. */
struct mcfg_alloc {
	uint64_t base;
	uint16_t segment;
	uint8_t bus_start, bus_end;
	uint32_t reserved;
} __attribute__((packed));

#define MCFG_FIRST_ALLOC 44

static struct pci_ecam ecam;
static bool have_ecam, have_conf1, initialised;
const struct pci_cfg_ops *pci_cfg = &pci_conf1_ops;

static bool cfg_aligned(uint16_t off, unsigned size)
{
	return (size == 1 || size == 2 || size == 4) && !(off & (size - 1));
}

static uint64_t ecam_addr(uint16_t bdf, uint16_t off)
{
	return ecam.base + ((uint64_t)bdf << 12) + off;
}

static bool ecam_reaches(uint16_t bdf, uint16_t off, unsigned size)
{
	return have_ecam && cfg_aligned(off, size) && off + size <= 4096 &&
	       PCI_BDF_BUS(bdf) >= ecam.bus_start && PCI_BDF_BUS(bdf) <= ecam.bus_end;
}

static uint32_t ecam_read(uint16_t bdf, uint16_t off, unsigned size)
{
	uint64_t a = ecam_addr(bdf, off);

	if (!ecam_reaches(bdf, off, size))
		return ~0u;
	switch (size) {
	case 1: return mmio_read8(a);
	case 2: return mmio_read16(a);
	default: return mmio_read32(a);
	}
}

static void ecam_write(uint16_t bdf, uint16_t off, unsigned size, uint32_t v)
{
	uint64_t a = ecam_addr(bdf, off);

	if (!ecam_reaches(bdf, off, size))
		return;
	switch (size) {
	case 1: mmio_write8(a, (uint8_t)v); break;
	case 2: mmio_write16(a, (uint16_t)v); break;
	default: mmio_write32(a, v); break;
	}
}

const struct pci_cfg_ops pci_ecam_ops = {
	.name = "ECAM",
	.read = ecam_read,
	.write = ecam_write,
	.cfg_size = 4096,
};

static uint32_t conf1_select(uint16_t bdf, uint16_t off)
{
	return 0x80000000u | ((uint32_t)bdf << 8) | (off & 0xfc);
}

static uint32_t conf1_read(uint16_t bdf, uint16_t off, unsigned size)
{
	uint16_t port = PCI_CONF1_DATA + (off & 3);

	if (!cfg_aligned(off, size) || off >= 256)
		return ~0u;
	outl(PCI_CONF1_ADDR, conf1_select(bdf, off));
	switch (size) {
	case 1: return inb(port);
	case 2: return inw(port);
	default: return inl(port);
	}
}

static void conf1_write(uint16_t bdf, uint16_t off, unsigned size, uint32_t v)
{
	uint16_t port = PCI_CONF1_DATA + (off & 3);

	if (!cfg_aligned(off, size) || off >= 256)
		return;
	outl(PCI_CONF1_ADDR, conf1_select(bdf, off));
	switch (size) {
	case 1: outb(port, (uint8_t)v); break;
	case 2: outw(port, (uint16_t)v); break;
	default: outl(port, v); break;
	}
}

const struct pci_cfg_ops pci_conf1_ops = {
	.name = "0xcf8",
	.read = conf1_read,
	.write = conf1_write,
	.cfg_size = 256,
};

static bool mcfg_find(struct pci_ecam *e)
{
	const struct acpi_header *h = acpi_find_table("MCFG", 0);
	const uint8_t *p = (const uint8_t *)h;

	if (!h || !acpi_table_valid(h))
		return false;
	for (uint32_t off = MCFG_FIRST_ALLOC; off + sizeof(struct mcfg_alloc) <= h->length;
	     off += sizeof(struct mcfg_alloc)) {
		struct mcfg_alloc a;

		memcpy(&a, p + off, sizeof(a));
		if (a.segment != 0 || a.bus_start != 0 || a.bus_end < a.bus_start || !a.base)
			continue;
		e->base = a.base;
		e->segment = a.segment;
		e->bus_start = a.bus_start;
		e->bus_end = a.bus_end;
		return true;
	}
	return false;
}

/* Mechanism #1 answers when the address latch keeps what is written. */
static bool conf1_probe(void)
{
	uint32_t old = inl(PCI_CONF1_ADDR), back;

	outl(PCI_CONF1_ADDR, 0x80000000u);
	back = inl(PCI_CONF1_ADDR);
	outl(PCI_CONF1_ADDR, old);
	return back == 0x80000000u;
}

int pci_init(void)
{
	if (!initialised) {
		have_ecam = mcfg_find(&ecam);
		have_conf1 = conf1_probe();
		pci_cfg = have_ecam ? &pci_ecam_ops : &pci_conf1_ops;
		initialised = true;
	}
	return have_ecam || have_conf1 ? 0 : -1;
}

const struct pci_ecam *pci_ecam(void)
{
	return have_ecam ? &ecam : NULL;
}

bool pci_conf1_present(void)
{
	return have_conf1;
}

static void func_fill(const struct pci_cfg_ops *ops, uint16_t bdf, uint32_t id, struct pci_func *f)
{
	uint32_t cr = ops->read(bdf, PCI_CLASS_REVISION, 4);
	uint8_t ht = (uint8_t)ops->read(bdf, PCI_HEADER_TYPE, 1);

	f->bdf = bdf;
	f->vendor = (uint16_t)id;
	f->device = (uint16_t)(id >> 16);
	f->class = cr >> 8;
	f->revision = (uint8_t)cr;
	f->header_type = ht & 0x7f;
	f->multifunction = ht & 0x80;
}

unsigned pci_scan_bus(const struct pci_cfg_ops *ops, uint8_t bus, struct pci_func *out,
		      unsigned max)
{
	unsigned n = 0;

	for (unsigned dev = 0; dev < 32; dev++) {
		for (unsigned fn = 0; fn < 8; fn++) {
			uint16_t bdf = PCI_BDF(bus, dev, fn);
			uint32_t id = ops->read(bdf, PCI_VENDOR_ID, 4);
			struct pci_func f;

			if ((id & 0xffff) == 0xffff || (id & 0xffff) == 0) {
				if (fn == 0)
					break;
				continue;
			}
			func_fill(ops, bdf, id, &f);
			if (n < max)
				out[n] = f;
			n++;
			if (fn == 0 && !f.multifunction)
				break;
		}
	}
	return n;
}

bool pci_find(uint16_t vendor, uint16_t device, unsigned instance, struct pci_func *f)
{
	struct pci_func all[64];
	unsigned n;

	if (pci_init())
		return false;
	n = pci_scan_bus(pci_cfg, 0, all, ARRAY_SIZE(all));
	for (unsigned i = 0; i < n && i < ARRAY_SIZE(all); i++) {
		if (all[i].vendor != vendor || (device != 0xffff && all[i].device != device))
			continue;
		if (instance-- == 0) {
			*f = all[i];
			return true;
		}
	}
	return false;
}

void pci_bar_read(uint16_t bdf, unsigned i, struct pci_bar *b)
{
	uint16_t reg = PCI_BASE_ADDRESS_0 + 4 * i;
	uint32_t lo = pci_read32(bdf, reg);

	memset(b, 0, sizeof(*b));
	b->slots = 1;
	if (lo & PCI_BASE_ADDRESS_SPACE_IO) {
		b->io = true;
		b->addr = lo & PCI_BASE_ADDRESS_IO_MASK;
		return;
	}
	b->prefetch = lo & PCI_BASE_ADDRESS_MEM_PREFETCH;
	b->addr = lo & PCI_BASE_ADDRESS_MEM_MASK;
	if ((lo & PCI_BASE_ADDRESS_MEM_TYPE_MASK) == PCI_BASE_ADDRESS_MEM_TYPE_64 && i < 5) {
		b->mem64 = true;
		b->slots = 2;
		b->addr |= (uint64_t)pci_read32(bdf, reg + 4) << 32;
	}
}

bool pci_bar_size(uint16_t bdf, unsigned i, struct pci_bar *b)
{
	uint16_t reg = PCI_BASE_ADDRESS_0 + 4 * i;
	uint16_t cmd = pci_read16(bdf, PCI_COMMAND);
	uint32_t lo, hi = 0, mlo, mhi = 0xffffffffu;
	uint64_t mask;

	pci_bar_read(bdf, i, b);
	lo = pci_read32(bdf, reg);
	pci_write16(bdf, PCI_COMMAND, cmd & ~(PCI_COMMAND_IO | PCI_COMMAND_MEMORY));
	pci_write32(bdf, reg, 0xffffffffu);
	mlo = pci_read32(bdf, reg);
	pci_write32(bdf, reg, lo);
	if (b->mem64) {
		hi = pci_read32(bdf, reg + 4);
		pci_write32(bdf, reg + 4, 0xffffffffu);
		mhi = pci_read32(bdf, reg + 4);
		pci_write32(bdf, reg + 4, hi);
	}
	pci_write16(bdf, PCI_COMMAND, cmd);
	if (b->io) {
		/* Upper 16 bits may be hardwired to 0 (16-bit decode). */
		mask = mlo & PCI_BASE_ADDRESS_IO_MASK;
		if (!(mask >> 16))
			mask |= 0xffff0000u;
		mask |= ~0xffffffffull;
	} else {
		mask = ((uint64_t)mhi << 32) | (mlo & PCI_BASE_ADDRESS_MEM_MASK);
		if (!b->mem64)
			mask |= ~0xffffffffull;
	}
	b->size = (mlo == 0 || mask == ~0ull) ? 0 : ~mask + 1;
	if (b->size & (b->size - 1)) /* not a power of two: bits not contiguous */
		b->size = mask & -mask;
	return b->size != 0;
}

uint64_t pci_bar_addr(uint16_t bdf, unsigned i)
{
	struct pci_bar b;

	pci_bar_read(bdf, i, &b);
	return b.io ? 0 : b.addr;
}

uint8_t pci_cap_first(uint16_t bdf)
{
	if (!(pci_read16(bdf, PCI_STATUS) & PCI_STATUS_CAP_LIST))
		return 0;
	return pci_read8(bdf, PCI_CAPABILITY_LIST) & 0xfc;
}

uint8_t pci_cap_next(uint16_t bdf, uint8_t pos)
{
	return pci_read8(bdf, pos + PCI_CAP_LIST_NEXT) & 0xfc;
}

uint8_t pci_cap_find(uint16_t bdf, uint8_t id, unsigned instance)
{
	uint8_t pos = pci_cap_first(bdf);

	for (unsigned n = 0; pos >= 0x40 && n < PCI_MAX_CAPS; n++) {
		if (pci_read8(bdf, pos + PCI_CAP_LIST_ID) == id && instance-- == 0)
			return pos;
		pos = pci_cap_next(bdf, pos);
	}
	return 0;
}

void pci_command(uint16_t bdf, uint16_t set, uint16_t clear)
{
	uint16_t cmd = pci_read16(bdf, PCI_COMMAND);

	pci_write16(bdf, PCI_COMMAND, (uint16_t)((cmd & ~clear) | set));
}
