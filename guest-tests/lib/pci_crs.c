// SPDX-License-Identifier: MIT
/* The host bridge's windows, from its _CRS in the DSDT (or an SSDT), and a
 * BAR placer for platforms whose firmware leaves BARs unassigned.
 *
 * No AML interpreter: the bridge's _CRS is found as a Name(_CRS, Buffer)
 * whose resource template holds an address space descriptor of the bus
 * number type. Only a host bridge decodes bus numbers, so that template is
 * the bridge's whatever device it sits in. Other templates are taken as
 * resources of other devices (motherboard resources: PNP0C02 and the like).
 * A _CRS built by a method is not found (QEMU and build/vmm use Names). */
#include "acpi.h"
#include "io.h"
#include "pci.h"
#include "string.h"

#define AML_NAME_OP	 0x08
#define AML_BUFFER_OP	 0x11
#define AML_BYTE_PREFIX	 0x0a
#define AML_WORD_PREFIX	 0x0b
#define AML_DWORD_PREFIX 0x0c

/* Large resource descriptor types (ACPI 6.4, 6.4.3). */
#define RES_DWORD_ADDR	0x87
#define RES_WORD_ADDR	0x88
#define RES_QWORD_ADDR	0x8a
#define RES_MEM32_FIXED 0x86
#define RES_TYPE_MEM	0
#define RES_TYPE_IO	1
#define RES_TYPE_BUS	2

static uint64_t le(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;

	for (unsigned i = n; i-- > 0;)
		v = (v << 8) | p[i];
	return v;
}

/* AML PkgLength at p (at most avail bytes): its value and its own size. */
static bool pkg_length(const uint8_t *p, uint32_t avail, uint32_t *len, unsigned *used)
{
	unsigned extra;

	if (!avail)
		return false;
	extra = p[0] >> 6;
	if (extra + 1 > avail)
		return false;
	if (!extra) {
		*len = p[0] & 0x3f;
	} else {
		*len = p[0] & 0x0f;
		for (unsigned i = 1; i <= extra; i++)
			*len |= (uint32_t)p[i] << (4 + 8 * (i - 1));
	}
	*used = extra + 1;
	return true;
}

/* What one resource template describes. */
struct tmpl {
	struct pci_window w[PCI_MAX_WINDOWS]; /* address space descriptors */
	unsigned n;
	bool bus; /* has a bus number range: a host bridge's */
};

/* Bytes per field of an address space descriptor; 0 for other tags. */
static unsigned addr_size(uint8_t tag)
{
	switch (tag) {
	case RES_WORD_ADDR: return 2;
	case RES_DWORD_ADDR: return 4;
	case RES_QWORD_ADDR: return 8;
	}
	return 0;
}

/* Parse one resource template (large address space descriptors and
 * Memory32Fixed; the rest is skipped). false when it is malformed. */
static bool parse_template(const uint8_t *p, uint32_t len, struct tmpl *t)
{
	memset(t, 0, sizeof(*t));
	for (uint32_t off = 0; off < len;) {
		uint8_t tag = p[off];
		uint32_t dlen;
		unsigned sz;
		const uint8_t *d;

		if (!(tag & 0x80)) { /* small: length in bits 2:0 */
			if (((tag >> 3) & 0xf) == 0xf)
				return true; /* End Tag */
			off += 1 + (tag & 7);
			continue;
		}
		if (off + 3 > len)
			return false;
		dlen = (uint32_t)le(p + off + 1, 2);
		if (off + 3 + dlen > len)
			return false;
		d = p + off + 3;
		sz = addr_size(tag);
		/* type, general flags, type flags, then granularity, min, max, ... */
		if (sz && dlen >= 3 + 5 * sz && d[0] <= RES_TYPE_BUS && t->n < PCI_MAX_WINDOWS) {
			uint64_t mn = le(d + 3 + sz, sz), mx = le(d + 3 + 2 * sz, sz);

			t->bus |= d[0] == RES_TYPE_BUS;
			if (mx >= mn)
				t->w[t->n++] = (struct pci_window){(enum pci_win_type)d[0], mn, mx};
		}
		if (tag == RES_MEM32_FIXED && dlen >= 9 && t->n < PCI_MAX_WINDOWS && le(d + 5, 4)) {
			uint64_t base = le(d + 1, 4);

			t->w[t->n++] =
				(struct pci_window){PCI_WIN_MEM, base, base + le(d + 5, 4) - 1};
		}
		off += 3 + dlen;
	}
	return true;
}

/* Call fn on every Name(_CRS, Buffer(...)) template of one AML table
 * until it returns true. */
static bool scan_table(const struct acpi_header *h, bool (*fn)(const struct tmpl *, void *),
		       void *ctx)
{
	const uint8_t *p = (const uint8_t *)h;
	uint32_t end = h->length;
	struct tmpl t;

	for (uint32_t i = sizeof(*h); i + 7 < end; i++) {
		uint32_t plen, size, body;
		unsigned used, isz;

		if (p[i] != AML_NAME_OP || memcmp(p + i + 1, "_CRS", 4) ||
		    p[i + 5] != AML_BUFFER_OP)
			continue;
		body = i + 6;
		if (!pkg_length(p + body, end - body, &plen, &used) || body + plen > end)
			continue;
		body += used;
		switch (p[body]) {
		case AML_BYTE_PREFIX: isz = 1; break;
		case AML_WORD_PREFIX: isz = 2; break;
		case AML_DWORD_PREFIX: isz = 4; break;
		default: continue;
		}
		size = (uint32_t)le(p + body + 1, isz);
		body += 1 + isz;
		if (body + size > end)
			continue;
		if (parse_template(p + body, size, &t) && fn(&t, ctx))
			return true;
	}
	return false;
}

/* The DSDT, then every SSDT. */
static bool scan_all(bool (*fn)(const struct tmpl *, void *), void *ctx)
{
	const struct acpi_header *h = acpi_dsdt();

	if (h && acpi_table_valid(h) && scan_table(h, fn, ctx))
		return true;
	for (unsigned i = 0; (h = acpi_find_table("SSDT", i)) != NULL; i++) {
		if (acpi_table_valid(h) && scan_table(h, fn, ctx))
			return true;
	}
	return false;
}

struct bridge_ctx {
	struct pci_window *w;
	unsigned max, n;
};

static bool take_bridge(const struct tmpl *t, void *ctx)
{
	struct bridge_ctx *c = ctx;

	if (!t->bus)
		return false;
	for (unsigned i = 0; i < t->n && c->n < c->max; i++)
		c->w[c->n++] = t->w[i];
	return true;
}

unsigned pci_host_windows(struct pci_window *w, unsigned max)
{
	struct bridge_ctx c = {w, max, 0};

	scan_all(take_bridge, &c);
	return c.n;
}

struct cover_ctx {
	uint64_t addr, size;
};

static bool covers(const struct tmpl *t, void *ctx)
{
	struct cover_ctx *c = ctx;

	return !t->bus && pci_in_window(t->w, t->n, PCI_WIN_MEM, c->addr, c->size);
}

bool pci_acpi_reserves(uint64_t addr, uint64_t size)
{
	struct cover_ctx c = {addr, size};

	return scan_all(covers, &c);
}

bool pci_in_window(const struct pci_window *w, unsigned n, enum pci_win_type t, uint64_t addr,
		   uint64_t size)
{
	for (unsigned i = 0; i < n; i++) {
		if (w[i].type == t && size && addr >= w[i].min && addr <= w[i].max &&
		    size - 1 <= w[i].max - addr)
			return true;
	}
	return false;
}

/* The end of the highest memory BAR inside [lo, hi] on bus 0, skipping
 * BAR i of self. */
static uint64_t bars_end(uint16_t self, unsigned self_bar, uint64_t lo, uint64_t hi)
{
	struct pci_func f[64];
	unsigned n = pci_scan_bus(pci_cfg, 0, f, ARRAY_SIZE(f));
	uint64_t end = lo;

	for (unsigned k = 0; k < n && k < ARRAY_SIZE(f); k++) {
		if (f[k].header_type != PCI_HEADER_TYPE_NORMAL)
			continue;
		for (unsigned i = 0; i < PCI_NR_BARS;) {
			struct pci_bar b;

			if (!pci_bar_size(f[k].bdf, i, &b) || b.io ||
			    (f[k].bdf == self && i == self_bar)) {
				i += b.slots ? b.slots : 1;
				continue;
			}
			if (b.addr >= lo && b.addr <= hi && b.addr + b.size > end)
				end = b.addr + b.size;
			i += b.slots;
		}
	}
	return end;
}

/* Try window w for BAR i of bdf; the address or 0. */
static uint64_t place_in(const struct pci_window *w, uint16_t bdf, unsigned i,
			 const struct pci_bar *b)
{
	uint64_t at;

	/* Big enough for BARs (not the VGA hole), below 4 GiB. */
	if (w->type != PCI_WIN_MEM || w->max >= 0x100000000ull || w->max - w->min < 0xfffff)
		return 0;
	at = bars_end(bdf, i, w->min, w->max);
	at = (at + b->size - 1) & ~(b->size - 1);
	if (at + b->size - 1 > w->max)
		return 0;
	pci_write32(bdf, PCI_BASE_ADDRESS_0 + 4 * i,
		    (uint32_t)at | (pci_read32(bdf, PCI_BASE_ADDRESS_0 + 4 * i) & 0xf));
	if (b->mem64)
		pci_write32(bdf, PCI_BASE_ADDRESS_0 + 4 * i + 4, 0);
	return at;
}

uint64_t pci_bar_place(uint16_t bdf, unsigned i)
{
	struct pci_window w[PCI_MAX_WINDOWS];
	unsigned n = pci_host_windows(w, ARRAY_SIZE(w));
	struct pci_bar b;
	uint64_t at = 0;

	if (!pci_bar_size(bdf, i, &b) || b.io)
		return 0;
	if (b.addr && b.addr + b.size <= 0x100000000ull)
		return b.addr;
	/* Windows in the top GiB first: the runtime maps it uncached. */
	for (unsigned k = 0; k < n && !at; k++) {
		if (w[k].min >= PCI_UC_START)
			at = place_in(&w[k], bdf, i, &b);
	}
	for (unsigned k = 0; k < n && !at; k++) {
		if (w[k].min < PCI_UC_START)
			at = place_in(&w[k], bdf, i, &b);
	}
	return at;
}
