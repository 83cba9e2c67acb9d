/* SPDX-License-Identifier: MIT */
/* PCI configuration space through ECAM (base from the ACPI MCFG table) and
 * through configuration mechanism #1 (ports 0xcf8 / 0xcfc); enumeration of
 * one bus, BAR sizing, capability lists, the command register. Register
 * names come from the kernel's <linux/pci_regs.h>. */
#ifndef GT_PCI_H
#define GT_PCI_H

#include <linux/pci_regs.h>
#include <stdbool.h>
#include <stdint.h>

/* Bus/device/function packed as in a requester ID. */
#define PCI_BDF(bus, dev, fn) ((uint16_t)(((bus) << 8) | ((dev) << 3) | (fn)))
#define PCI_BDF_BUS(bdf)      ((bdf) >> 8)
#define PCI_BDF_DEV(bdf)      (((bdf) >> 3) & 0x1f)
#define PCI_BDF_FN(bdf)	      ((bdf)&7)

#define PCI_CONF1_ADDR	  0xcf8
#define PCI_CONF1_DATA	  0xcfc
#define PCI_ECAM_BUS_SIZE 0x100000ull /* 32 devices x 8 functions x 4 KiB */

#define PCI_NR_BARS	      6
#define PCI_BASE_CLASS_BRIDGE 0x06 /* class code bits 23:16 (pci_ids.h is not UAPI) */
#define PCI_MAX_FUNCS	      256  /* on one bus */
#define PCI_MAX_CAPS	      48   /* (256 - 64) / 4: more means a loop */

/* One way into configuration space. read returns all ones for a function
 * that does not exist (or an offset the mechanism cannot reach). Sizes 1,
 * 2 and 4; off aligned to the size. */
struct pci_cfg_ops {
	const char *name;
	uint32_t (*read)(uint16_t bdf, uint16_t off, unsigned size);
	void (*write)(uint16_t bdf, uint16_t off, unsigned size, uint32_t v);
	uint16_t cfg_size; /* 4096 (ECAM) or 256 (mechanism #1) */
};

extern const struct pci_cfg_ops pci_ecam_ops;
extern const struct pci_cfg_ops pci_conf1_ops;

/* One MCFG allocation (ACPI "MCFG", PCI Firmware spec 4.1.2). */
struct pci_ecam {
	uint64_t base; /* of bus 0, even when bus_start > 0 */
	uint16_t segment;
	uint8_t bus_start, bus_end;
};

/* Find the ECAM of segment 0 in the MCFG (first entry covering bus 0) and
 * probe mechanism #1 (a dword write of 0x80000000 to 0xcf8 must read back,
 * as Linux's pci_check_type1 does). Chooses the default mechanism: ECAM
 * when found, else #1. Returns 0, or -1 when neither exists. Idempotent. */
int pci_init(void);

/* What pci_init found: NULL / false when absent. */
const struct pci_ecam *pci_ecam(void);
bool pci_conf1_present(void);

/* The default mechanism (pci_init first). */
extern const struct pci_cfg_ops *pci_cfg;

static inline uint32_t pci_read32(uint16_t bdf, uint16_t off)
{
	return pci_cfg->read(bdf, off, 4);
}

static inline uint16_t pci_read16(uint16_t bdf, uint16_t off)
{
	return (uint16_t)pci_cfg->read(bdf, off, 2);
}

static inline uint8_t pci_read8(uint16_t bdf, uint16_t off)
{
	return (uint8_t)pci_cfg->read(bdf, off, 1);
}

static inline void pci_write32(uint16_t bdf, uint16_t off, uint32_t v)
{
	pci_cfg->write(bdf, off, 4, v);
}

static inline void pci_write16(uint16_t bdf, uint16_t off, uint16_t v)
{
	pci_cfg->write(bdf, off, 2, v);
}

static inline void pci_write8(uint16_t bdf, uint16_t off, uint8_t v)
{
	pci_cfg->write(bdf, off, 1, v);
}

/* One function found by a scan. */
struct pci_func {
	uint16_t bdf;
	uint16_t vendor, device;
	uint32_t class; /* base << 16 | sub << 8 | prog-if */
	uint8_t revision;
	uint8_t header_type; /* without the multi-function bit */
	bool multifunction;
};

/* Enumerate bus through ops: function 0 of every device, and functions
 * 1..7 when function 0 has the multi-function bit. At most max entries are
 * stored in out; returns the number found (possibly more than max). */
unsigned pci_scan_bus(const struct pci_cfg_ops *ops, uint8_t bus, struct pci_func *out,
		      unsigned max);

/* Find the instance-th function (0-based) on bus 0 with vendor and device
 * (0xffff: any device). true and *f filled when found. */
bool pci_find(uint16_t vendor, uint16_t device, unsigned instance, struct pci_func *f);

/* A decoded base address register. */
struct pci_bar {
	uint64_t addr; /* as programmed (type bits masked off) */
	uint64_t size; /* 0: not implemented */
	bool io, mem64, prefetch;
	unsigned slots; /* BAR registers used: 1, or 2 for a 64-bit BAR */
};

/* Read BAR i of a type 0 function without sizing it (size stays 0). */
void pci_bar_read(uint16_t bdf, unsigned i, struct pci_bar *b);

/* Size BAR i: decoding off, all ones written, read back, the original
 * value and the command register restored. true when the BAR exists. */
bool pci_bar_size(uint16_t bdf, unsigned i, struct pci_bar *b);

/* Address of BAR i as programmed (both halves of a 64-bit BAR); 0 for an
 * I/O BAR or an unprogrammed one. */
uint64_t pci_bar_addr(uint16_t bdf, unsigned i);

/* Capability list: the first capability (0 when there is none or
 * PCI_STATUS_CAP_LIST is clear), the next one after pos (0 at the end).
 * Pointers have their low two bits masked, as the spec asks. */
uint8_t pci_cap_first(uint16_t bdf);
uint8_t pci_cap_next(uint16_t bdf, uint8_t pos);

/* The instance-th capability with id (0 when absent). Bounded by
 * PCI_MAX_CAPS steps. */
uint8_t pci_cap_find(uint16_t bdf, uint8_t id, unsigned instance);

/* Set or clear bits of the command register. */
void pci_command(uint16_t bdf, uint16_t set, uint16_t clear);

/* Host bridge windows from the _CRS of the PNP0A08/PNP0A03 device in the
 * DSDT (found as the resource template that holds a bus number range). */
enum pci_win_type { PCI_WIN_MEM = 0, PCI_WIN_IO = 1, PCI_WIN_BUS = 2 };

struct pci_window {
	enum pci_win_type type;
	uint64_t min, max; /* inclusive */
};

#define PCI_MAX_WINDOWS 8

/* Fill w[0..max) with the windows; returns the number found (0 when the
 * DSDT has no such _CRS). */
unsigned pci_host_windows(struct pci_window *w, unsigned max);

/* True when [addr, addr + size) lies inside a window of type t. */
bool pci_in_window(const struct pci_window *w, unsigned n, enum pci_win_type t, uint64_t addr,
		   uint64_t size);

/* True when a _CRS other than the host bridge's (a motherboard resource,
 * PNP0C02) has a memory range covering [addr, addr + size). */
bool pci_acpi_reserves(uint64_t addr, uint64_t size);

/* Give BAR i of bdf an address in a memory window below 4 GiB (where the
 * runtime's page tables reach; windows from PCI_UC_START up first) above
 * every other BAR in that window, when it has none or one above 4 GiB.
 * Firmware normally does this; qboot and QEMU's microvm do not. Returns
 * the address, 0 on failure. */
uint64_t pci_bar_place(uint16_t bdf, unsigned i);

/* Start of the uncached part of the runtime's identity map (3-4 GiB). */
#define PCI_UC_START 0xc0000000ull

#endif
