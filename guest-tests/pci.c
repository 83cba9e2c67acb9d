// SPDX-License-Identifier: MIT
/* PCI: ECAM (from the ACPI MCFG) and configuration mechanism #1 see the
 * same functions and the same bytes; absent functions read all ones; byte
 * and word reads agree with dword reads; BAR sizing gives naturally aligned
 * powers of two and restores the BAR; every programmed BAR lies in a window
 * of the host bridge's _CRS; capability lists (and PCIe extended ones) are
 * well formed; MSI-X tables fit their BARs; at boot bus mastering is off,
 * memory decoding is on where there are memory BARs, and INTERRUPT_LINE is
 * set where INTERRUPT_PIN is. CONFIG_ADDRESS bits 1:0 are ORed into the
 * register offset (conf1_low_bits), as QEMU's host bridges do and
 * kvm-unit-tests relies on: latching offset 2 and reading a word at 0xcfc
 * gives the device ID. */
#include "guest.h"
#include "pci.h"
#include "virtio.h"

#define MAX_FUNCS 64

static struct pci_func ecam_funcs[MAX_FUNCS], conf1_funcs[MAX_FUNCS];
static unsigned nr_ecam, nr_conf1;
static struct pci_window windows[PCI_MAX_WINDOWS];
static unsigned nr_windows;

static unsigned capped(unsigned n)
{
	return n < MAX_FUNCS ? n : MAX_FUNCS;
}

/* PCI Firmware spec 4.1.2: the ECAM range must be reserved, by an E820
 * entry or as a motherboard resource in ACPI (Linux ignores MCFG
 * otherwise: "MMCONFIG ... not reserved"). */
static void check_ecam_reserved(const struct pci_ecam *e)
{
	uint64_t start = e->base + (uint64_t)e->bus_start * PCI_ECAM_BUS_SIZE;
	uint64_t size = ((uint64_t)e->bus_end - e->bus_start + 1) * PCI_ECAM_BUS_SIZE;
	bool e820 = false, acpi = pci_acpi_reserves(start, size);
	uint64_t align = PCI_ECAM_BUS_SIZE;

	for (uint32_t i = 0; i < boot_info.nr_mem && i < BOOT_MEM_MAX; i++) {
		const struct boot_mem *m = &boot_info.mem[i];

		report_info("memmap %#lx-%#lx type %u", (unsigned long)m->addr,
			    (unsigned long)(m->addr + m->size - 1), m->type);
		if (m->type != E820_RAM && m->addr <= start && m->addr + m->size >= start + size)
			e820 = true;
	}
	/* PCIe 7.2.2: a range of 2^n buses is aligned to 2^(n + 20) bytes. */
	while (align < size)
		align <<= 1;
	report(!(start & (align - 1)), "ECAM base %#lx aligned to %#lx", (unsigned long)start,
	       (unsigned long)align);
	report(e820 || acpi,
	       "ECAM %#lx-%#lx reserved (memory map: %s, ACPI motherboard resource: %s)",
	       (unsigned long)start, (unsigned long)(start + size - 1), e820 ? "yes" : "no",
	       acpi ? "yes" : "no");
}

static void check_mechanisms(void)
{
	const struct pci_ecam *e;

	report(pci_init() == 0, "a configuration mechanism exists");
	e = pci_ecam();
	if (report(e != NULL, "MCFG lists an ECAM region for segment 0, bus 0"))
		report_info("ECAM at %#lx, buses %u-%u", (unsigned long)e->base, e->bus_start,
			    e->bus_end);
	report(pci_conf1_present(), "configuration mechanism #1: 0xcf8 latches 0x80000000");
	if (e)
		check_ecam_reserved(e);
}

/* CONFIG_ADDRESS with bits 1:0 set: a word at 0xcfc reads from offset
 * (reg | 2), as kvm-unit-tests' pci_config_readw(dev, 2) does. */
static void check_conf1_low_bits(void)
{
	uint32_t addr = 0x80000000u | (uint32_t)ecam_funcs[0].bdf << 8 | PCI_DEVICE_ID;
	uint16_t dev, cls;

	if (!nr_ecam)
		return;
	outl(PCI_CONF1_ADDR, addr);
	dev = inw(PCI_CONF1_DATA);
	outl(PCI_CONF1_ADDR, addr - PCI_DEVICE_ID + PCI_CLASS_DEVICE);
	cls = inw(PCI_CONF1_DATA);
	report(dev == ecam_funcs[0].device &&
		       cls == pci_read16(ecam_funcs[0].bdf, PCI_CLASS_DEVICE),
	       "conf1_low_bits: 0xcf8 = %#x, then a word at 0xcfc reads the device ID %#x "
	       "(got %#x), and at offset %#x the class %#x",
	       addr, ecam_funcs[0].device, dev, PCI_CLASS_DEVICE, cls);
}

/* Status bit 3 (INTx pending) may change between two reads. */
static uint32_t stable(uint16_t off, uint32_t v)
{
	return off == PCI_COMMAND ? v & ~((uint32_t)PCI_STATUS_INTERRUPT << 16) : v;
}

static void check_enumeration(void)
{
	unsigned n, bad = 0, same = 0, bytes_bad = 0;

	nr_ecam = pci_scan_bus(&pci_ecam_ops, 0, ecam_funcs, MAX_FUNCS);
	nr_conf1 = pci_scan_bus(&pci_conf1_ops, 0, conf1_funcs, MAX_FUNCS);
	report(nr_ecam > 0, "bus 0 has functions through ECAM (%u)", nr_ecam);
	report(nr_ecam == nr_conf1, "ECAM and 0xcf8 find the same number of functions (%u, %u)",
	       nr_ecam, nr_conf1);
	n = capped(nr_ecam < nr_conf1 ? nr_ecam : nr_conf1);
	for (unsigned i = 0; i < capped(nr_ecam); i++) {
		const struct pci_func *f = &ecam_funcs[i];

		report_info("%02x:%02x.%u %04x:%04x class %06x rev %02x type %u%s",
			    PCI_BDF_BUS(f->bdf), PCI_BDF_DEV(f->bdf), PCI_BDF_FN(f->bdf), f->vendor,
			    f->device, f->class, f->revision, f->header_type,
			    f->multifunction ? " multi-function" : "");
	}
	for (unsigned i = 0; i < n; i++) {
		const struct pci_func *a = &ecam_funcs[i], *b = &conf1_funcs[i];

		if (a->bdf != b->bdf || a->vendor != b->vendor || a->device != b->device ||
		    a->class != b->class || a->revision != b->revision ||
		    a->header_type != b->header_type) {
			report_info(
				"mismatch at %#x: ECAM %04x:%04x %06x, 0xcf8 %#x %04x:%04x %06x",
				a->bdf, a->vendor, a->device, a->class, b->bdf, b->vendor,
				b->device, b->class);
			bad++;
			continue;
		}
		/* The whole 256-byte space, and narrower reads of it. */
		for (uint16_t off = 0; off < 256; off += 4) {
			uint32_t x = stable(off, pci_ecam_ops.read(a->bdf, off, 4));
			uint32_t y = stable(off, pci_conf1_ops.read(a->bdf, off, 4));

			if (x != y) {
				report_info("%#x+%#x: ECAM %#x, 0xcf8 %#x", a->bdf, off, x, y);
				bad++;
				break;
			}
			same++;
		}
		for (uint16_t off = 0; off < 16; off++) {
			uint32_t d = pci_ecam_ops.read(a->bdf, off & ~3, 4) >> (8 * (off & 3));
			uint32_t e8 = pci_ecam_ops.read(a->bdf, off, 1);
			uint32_t c8 = pci_conf1_ops.read(a->bdf, off, 1);
			uint32_t e16 = off & 1 ? (d & 0xffff) : pci_ecam_ops.read(a->bdf, off, 2);
			uint32_t c16 = off & 1 ? (d & 0xffff) : pci_conf1_ops.read(a->bdf, off, 2);

			if (off == PCI_STATUS || off == PCI_STATUS + 1)
				continue;
			if (e8 != (d & 0xff) || c8 != (d & 0xff) || e16 != (d & 0xffff) ||
			    c16 != (d & 0xffff))
				bytes_bad++;
		}
	}
	report(bad == 0, "ECAM and 0xcf8 agree on IDs, class and 256 bytes (%u dwords, %u bad)",
	       same, bad);
	report(bytes_bad == 0, "byte and word reads match dword reads through both (%u bad)",
	       bytes_bad);
}

static bool listed(uint16_t bdf)
{
	for (unsigned i = 0; i < capped(nr_ecam); i++) {
		if (ecam_funcs[i].bdf == bdf)
			return true;
	}
	return false;
}

static void check_absent(void)
{
	unsigned checked = 0, bad = 0, wbad = 0;
	int empty_dev = -1;

	for (unsigned dev = 0; dev < 32; dev++) {
		uint16_t bdf = PCI_BDF(0, dev, 0);

		if (listed(bdf))
			continue;
		if (empty_dev < 0)
			empty_dev = (int)dev;
		for (uint16_t off = 0; off < 64; off += 12) {
			checked += 2;
			bad += pci_ecam_ops.read(bdf, off, 4) != 0xffffffffu;
			bad += pci_conf1_ops.read(bdf, off, 4) != 0xffffffffu;
		}
		/* Functions 1..7 and the extended space. */
		bad += pci_ecam_ops.read(PCI_BDF(0, dev, 5), 0, 4) != 0xffffffffu;
		bad += pci_ecam_ops.read(bdf, 0x100, 4) != 0xffffffffu;
		bad += pci_ecam_ops.read(bdf, 0xffc, 2) != 0xffff;
		checked += 3;
	}
	/* Functions 1..7 of single-function devices. */
	for (unsigned i = 0; i < capped(nr_ecam); i++) {
		const struct pci_func *f = &ecam_funcs[i];

		if (PCI_BDF_FN(f->bdf) || f->multifunction)
			continue;
		checked += 2;
		bad += pci_ecam_ops.read(f->bdf | 3, 0, 4) != 0xffffffffu;
		bad += pci_conf1_ops.read(f->bdf | 7, 0, 4) != 0xffffffffu;
	}
	report(checked > 0 && bad == 0, "absent functions read all ones (%u reads, %u not)",
	       checked, bad);
	if (empty_dev >= 0) {
		uint16_t bdf = PCI_BDF(0, empty_dev, 0);

		pci_ecam_ops.write(bdf, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
		pci_conf1_ops.write(bdf, PCI_INTERRUPT_LINE, 1, 5);
		wbad = pci_ecam_ops.read(bdf, PCI_COMMAND, 2) != 0xffff ||
		       pci_conf1_ops.read(bdf, PCI_INTERRUPT_LINE, 1) != 0xff;
		report(!wbad, "writes to an absent function (00:%02x.0) are dropped", empty_dev);
	}
}

static bool pow2(uint64_t v)
{
	return v && !(v & (v - 1));
}

struct bar_stats {
	unsigned bars, bad_size, bad_restore, bad_align, outside, unassigned;
};

static void check_bar(const struct pci_func *f, unsigned i, struct pci_bar *b, struct bar_stats *s)
{
	uint16_t reg = PCI_BASE_ADDRESS_0 + 4 * i;
	uint32_t before = pci_read32(f->bdf, reg), hi_before = pci_read32(f->bdf, reg + 4);
	uint16_t cmd = pci_read16(f->bdf, PCI_COMMAND);

	if (!pci_bar_size(f->bdf, i, b))
		return;
	s->bars++;
	if (pci_read32(f->bdf, reg) != before || pci_read16(f->bdf, PCI_COMMAND) != cmd ||
	    (b->mem64 && pci_read32(f->bdf, reg + 4) != hi_before)) {
		s->bad_restore++;
		report_info("%#x BAR%u not restored", f->bdf, i);
	}
	if (!pow2(b->size) || b->size < (b->io ? 4u : 16u) || (b->io && b->size > 256)) {
		s->bad_size++;
		report_info("%#x BAR%u odd size %#lx", f->bdf, i, (unsigned long)b->size);
	}
	report_info("  %02x.%u BAR%u %s%s%s at %#lx size %#lx", PCI_BDF_DEV(f->bdf),
		    PCI_BDF_FN(f->bdf), i, b->io ? "io" : "mem", b->mem64 ? "64" : "",
		    b->prefetch ? " pref" : "", (unsigned long)b->addr, (unsigned long)b->size);
	if (!b->addr) {
		s->unassigned++;
		return;
	}
	if (b->addr & (b->size - 1))
		s->bad_align++;
	if (!pci_in_window(windows, nr_windows, b->io ? PCI_WIN_IO : PCI_WIN_MEM, b->addr,
			   b->size)) {
		s->outside++;
		report_info("%#x BAR%u %#lx+%#lx outside the _CRS windows", f->bdf, i,
			    (unsigned long)b->addr, (unsigned long)b->size);
	}
}

static void check_msix_layout(const struct pci_func *f, const struct pci_bar *bars, unsigned *bad)
{
	struct msix m;
	uint64_t tsize, psize;

	if (msix_init(&m, f->bdf))
		return;
	tsize = (uint64_t)m.nr * PCI_MSIX_ENTRY_SIZE;
	psize = ((m.nr + 63) / 64) * 8ull;
	if (m.table_bir >= PCI_NR_BARS || m.pba_bir >= PCI_NR_BARS || bars[m.table_bir].io ||
	    bars[m.pba_bir].io || m.table_off + tsize > bars[m.table_bir].size ||
	    m.pba_off + psize > bars[m.pba_bir].size ||
	    (m.table_bir == m.pba_bir && m.table_off < m.pba_off + psize &&
	     m.pba_off < m.table_off + tsize)) {
		report_info("%#x MSI-X: %u entries, table BIR %u +%#x, PBA BIR %u +%#x", f->bdf,
			    m.nr, m.table_bir, m.table_off, m.pba_bir, m.pba_off);
		(*bad)++;
	}
}

static const char *const win_names[] = {"mem", "io", "bus"};

static void check_bars(void)
{
	struct bar_stats s = {0};
	unsigned msix_bad = 0, msix_funcs = 0;

	nr_windows = pci_host_windows(windows, ARRAY_SIZE(windows));
	report(nr_windows > 0, "the DSDT has a host bridge _CRS (%u windows)", nr_windows);
	for (unsigned i = 0; i < nr_windows; i++)
		report_info("window %s %#lx-%#lx", win_names[windows[i].type],
			    (unsigned long)windows[i].min, (unsigned long)windows[i].max);
	report(pci_in_window(windows, nr_windows, PCI_WIN_BUS, 0, 1),
	       "the _CRS bus range holds bus 0");
	for (unsigned k = 0; k < capped(nr_ecam); k++) {
		const struct pci_func *f = &ecam_funcs[k];
		struct pci_bar bars[PCI_NR_BARS] = {0};

		if (f->header_type != PCI_HEADER_TYPE_NORMAL)
			continue;
		for (unsigned i = 0; i < PCI_NR_BARS;) {
			check_bar(f, i, &bars[i], &s);
			i += bars[i].slots ? bars[i].slots : 1;
		}
		if (pci_cap_find(f->bdf, PCI_CAP_ID_MSIX, 0)) {
			msix_funcs++;
			check_msix_layout(f, bars, &msix_bad);
		}
	}
	report(s.bars > 0, "BARs found (%u)", s.bars);
	report(s.bad_size == 0, "every BAR sizes to a power of two (%u odd)", s.bad_size);
	report(s.bad_restore == 0, "sizing restores the BARs and the command register (%u not)",
	       s.bad_restore);
	/* Firmware's job, not the PCI spec's: build/vmm assigns BARs; QEMU
	 * q35 with qboot leaves them to the OS. The runner says which. */
	if (cmdline_has("bars_assigned"))
		report(s.unassigned == 0, "every BAR has an address at boot (%u without)",
		       s.unassigned);
	else
		report_skip("BARs assigned at boot: not this firmware's job (%u of %u without)",
			    s.unassigned, s.bars);
	report(s.bad_align == 0, "BAR addresses are aligned to their size (%u not)", s.bad_align);
	report(s.outside == 0, "BARs lie inside the host bridge's _CRS windows (%u outside)",
	       s.outside);
	report(msix_bad == 0,
	       "MSI-X table and PBA fit their BARs, no overlap (%u functions, %u bad)", msix_funcs,
	       msix_bad);
}

/* Walk the list at first; false on a bad pointer or a loop. */
static bool walk_caps(uint16_t bdf, unsigned *count)
{
	uint8_t seen[256] = {0};
	uint8_t raw = pci_read8(bdf, PCI_CAPABILITY_LIST);

	*count = 0;
	while (raw) {
		if ((raw & 3) || raw < 0x40 || seen[raw]) {
			report_info("%#x: bad capability pointer %#x", bdf, raw);
			return false;
		}
		seen[raw] = 1;
		(*count)++;
		raw = pci_read8(bdf, raw + PCI_CAP_LIST_NEXT);
	}
	return true;
}

static bool walk_ext_caps(uint16_t bdf, unsigned *count)
{
	uint16_t pos = 0x100;

	*count = 0;
	for (unsigned n = 0; n < (4096 - 256) / 4; n++) {
		uint32_t h = pci_ecam_ops.read(bdf, pos, 4);
		uint16_t next;

		if (h == 0 || (n == 0 && h == 0xffffffffu))
			return true;
		(*count)++;
		next = PCI_EXT_CAP_NEXT(h);
		if (!next)
			return true;
		if (next < 0x100 || next <= pos) {
			report_info("%#x: extended capability at %#x points to %#x", bdf, pos,
				    next);
			return false;
		}
		pos = next;
	}
	return false;
}

static void check_caps(void)
{
	unsigned bad = 0, total = 0, ext_bad = 0, ext_total = 0, pcie = 0, vbad = 0, vfuncs = 0;

	for (unsigned k = 0; k < capped(nr_ecam); k++) {
		const struct pci_func *f = &ecam_funcs[k];
		unsigned n = 0;

		if (!(pci_read16(f->bdf, PCI_STATUS) & PCI_STATUS_CAP_LIST))
			continue;
		if (!walk_caps(f->bdf, &n))
			bad++;
		total += n;
		if (pci_cap_find(f->bdf, PCI_CAP_ID_EXP, 0)) {
			pcie++;
			if (!walk_ext_caps(f->bdf, &n))
				ext_bad++;
			ext_total += n;
		}
		if (f->vendor == VIRTIO_PCI_VENDOR) {
			struct virtio_cap c[16];
			unsigned nc = virtio_read_caps(f->bdf, c, ARRAY_SIZE(c)), types = 0;

			vfuncs++;
			for (unsigned i = 0; i < nc && i < ARRAY_SIZE(c); i++) {
				if (c[i].len < sizeof(struct virtio_pci_cap)) {
					vbad++;
					continue;
				}
				if (c[i].cfg_type >= 1 && c[i].cfg_type <= 3 &&
				    c[i].bar < PCI_NR_BARS)
					types |= 1u << c[i].cfg_type;
			}
			vbad += types != 0xe;
		}
	}
	report(bad == 0,
	       "capability lists: pointers >= 0x40, aligned, no loop (%u caps, %u bad lists)",
	       total, bad);
	report(ext_bad == 0,
	       "PCIe extended capability lists well formed (%u functions, %u caps, %u bad)", pcie,
	       ext_total, ext_bad);
	report(vfuncs == 0 || vbad == 0,
	       "virtio: common, notify, ISR structures in BARs 0-5 (%u functions, %u bad)", vfuncs,
	       vbad);
}

/* What the firmware (or the VMM, acting as firmware) left at boot. */
static void check_boot_state(void)
{
	unsigned master = 0, nodecode = 0, eps = 0, nopin = 0, badline = 0, pins = 0;
	uint32_t max_line = cmdline_u64("max_irq_line", 23);

	for (unsigned k = 0; k < capped(nr_ecam); k++) {
		const struct pci_func *f = &ecam_funcs[k];
		uint16_t cmd = pci_read16(f->bdf, PCI_COMMAND);
		uint8_t pin = pci_read8(f->bdf, PCI_INTERRUPT_PIN);
		uint8_t line = pci_read8(f->bdf, PCI_INTERRUPT_LINE);
		bool has_mem = false;

		if (f->header_type != PCI_HEADER_TYPE_NORMAL ||
		    (f->class >> 16) == PCI_BASE_CLASS_BRIDGE)
			continue;
		eps++;
		for (unsigned i = 0; i < PCI_NR_BARS; i++) {
			struct pci_bar b;

			pci_bar_read(f->bdf, i, &b);
			has_mem |= !b.io && b.addr;
			i += b.slots - 1;
		}
		if (cmd & PCI_COMMAND_MASTER) {
			master++;
			report_info("%#x: bus mastering on at boot (command %#x)", f->bdf, cmd);
		}
		if (has_mem && !(cmd & PCI_COMMAND_MEMORY))
			nodecode++;
		if (pin > 4)
			nopin++;
		if (pin) {
			pins++;
			if (line == 0xff || line > max_line) {
				badline++;
				report_info("%#x: INTx pin %u, INTERRUPT_LINE %u", f->bdf, pin,
					    line);
			}
		}
	}
	report(eps > 0, "endpoints found (%u)", eps);
	report(master == 0, "bus mastering is off at boot on every endpoint (%u on)", master);
	report(nodecode == 0, "memory decoding is on where memory BARs are programmed (%u off)",
	       nodecode);
	report(nopin == 0, "INTERRUPT_PIN is 0-4 (%u not)", nopin);
	report(badline == 0,
	       "INTERRUPT_LINE is set (0..%u) where INTERRUPT_PIN is (%u pins, %u bad)", max_line,
	       pins, badline);
}

/* Read-only fields stay, writable bits work. */
static void check_writes(void)
{
	const struct pci_func *f = NULL;
	uint16_t cmd, on, off;
	uint32_t id;

	for (unsigned k = 0; k < capped(nr_ecam) && !f; k++) {
		if (ecam_funcs[k].header_type == PCI_HEADER_TYPE_NORMAL &&
		    (ecam_funcs[k].class >> 16) != PCI_BASE_CLASS_BRIDGE)
			f = &ecam_funcs[k];
	}
	if (!f) {
		report_skip("no endpoint for the write checks");
		return;
	}
	id = pci_read32(f->bdf, PCI_VENDOR_ID);
	pci_write32(f->bdf, PCI_VENDOR_ID, ~id);
	report(pci_read32(f->bdf, PCI_VENDOR_ID) == id, "vendor/device ID of %#x is read-only",
	       f->bdf);
	cmd = pci_read16(f->bdf, PCI_COMMAND);
	pci_conf1_ops.write(f->bdf, PCI_COMMAND, 2, cmd | PCI_COMMAND_MASTER);
	on = pci_ecam_ops.read(f->bdf, PCI_COMMAND, 2);
	pci_ecam_ops.write(f->bdf, PCI_COMMAND, 2, cmd & ~PCI_COMMAND_MASTER);
	off = pci_conf1_ops.read(f->bdf, PCI_COMMAND, 2);
	pci_write16(f->bdf, PCI_COMMAND, cmd);
	report((on & PCI_COMMAND_MASTER) && !(off & PCI_COMMAND_MASTER),
	       "bus master bit set by one mechanism reads back by the other (%#x, %#x)", on, off);
}

int main(void)
{
	check_mechanisms();
	if (!pci_ecam() || !pci_conf1_present())
		return 1;
	check_enumeration();
	check_conf1_low_bits();
	check_boot_state();
	check_absent();
	check_bars();
	check_caps();
	check_writes();
	return 0;
}
