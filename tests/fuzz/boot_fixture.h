/* SPDX-License-Identifier: MIT */
/* What the kernel-loader fuzz targets (tests/fuzz/fuzz_boot_*.c) share: the
 * fake guest, the input format, the run of one input through image_read()
 * and boot_load(), and the invariants, checked against an oracle written
 * here from the boot protocols, independently of vmm/boot/.
 *
 * The guest: 4 MiB of low RAM at GPA 0 and, when the input asks for it,
 * 1 MiB more at 4 GiB (a second region, as above the MMIO hole). Each region
 * is an mmap with GUARD bytes of a known pattern on both sides, poisoned for
 * ASan; RAM is filled with FILL before every input, and every page an input
 * changed is put back afterwards.
 *
 * Input: a 5-byte header, then the kernel file, then the command line.
 *   byte 0     flags, BFX_F_* below
 *   bytes 1-2  initramfs length (LE); times 64 with BFX_F_BIGRD
 *   bytes 3-4  command-line length (LE): the last that many bytes of the
 *              input, up to the first NUL; with BFX_F_SYNTH the command line
 *              is twice that many 'x' instead and takes no input bytes
 *   the rest   the kernel file
 * The initramfs content is a fixed pattern; the kernel goes through a memfd
 * and image_read() (vmm/image.c), as the VMM reads it.
 *
 * Invariants (every input):
 *   - image_read() returns the file's exact bytes, -ENOEXEC for an empty
 *     file and -EFBIG for one above its limit, each with a message;
 *   - boot_load() returns 0 or one of its documented errors (-ENOEXEC,
 *     -EINVAL, -EFBIG) with a one-line, non-empty, NUL-terminated message,
 *     and "" on success;
 *   - the format detection picks at most one loader, by the precedence
 *     boot.c documents: "HdrS" at 0x202 is a bzImage; else an ELF is PVH
 *     when it has the Xen PHYS32_ENTRY note and Multiboot otherwise (and
 *     then has a valid Multiboot header); else a non-ELF needs a valid
 *     Multiboot header in its first 8 KiB; nothing else is loaded;
 *   - no byte outside guest RAM changes (guards), nothing changes in the
 *     second region (all loaders load below 4 GiB), and below 1 MiB only
 *     the boot structures (start_info/zero page 0x6000-0x8000, page tables,
 *     the command line at LAYOUT_CMDLINE) may change: never the GDT/IDT, the
 *     stack page, the EBDA or the BIOS area where the ACPI tables live.
 * On success, in addition:
 *   - the only bytes written are the protocol's boot structures, the command
 *     line with its NUL, the kernel's segments and the initramfs;
 *   - the kernel's ranges (bzImage: the image and its init_size run area;
 *     ELF: every PT_LOAD; a.out kludge: load_addr..bss_end) and the
 *     initramfs are inside low RAM, at or above 1 MiB, below the MMIO hole;
 *     the initramfs is page aligned and overlaps none of the kernel's ranges
 *     and holds its bytes; each range holds the file's bytes (zeros past
 *     p_filesz);
 *   - the vCPU state is the protocol's (mode, entry, rsi/rbx/rax, stack,
 *     cr3), and the entry is the one the headers name;
 *   - the boot structures say what was loaded: bzImage zero page (setup
 *     header as copied, loader fields, command line and initramfs pointers
 *     (zero without an initramfs), setup_data zero, e820 = the guest map,
 *     RSDP from protocol 2.14) and page tables; PVH
 *     hvm_start_info, memmap and module; Multiboot info, mmap, module and
 *     strings, every pointer inside the info page;
 *   - the command line is NUL-terminated at LAYOUT_CMDLINE and within its
 *     limit (bzImage: cmdline_size; Multiboot: "<path> <cmdline>"), and the
 *     initramfs ends below initrd_addr_max (bzImage). */
#ifndef TESTS_FUZZ_BOOT_FIXTURE_H
#define TESTS_FUZZ_BOOT_FIXTURE_H

#include <asm/bootparam.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <sanitizer/asan_interface.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/fuzz/fuzz.h"
#include "vmm/boot.h"
#include "vmm/boot/elf.h"
#include "vmm/boot/multiboot.h"
#include "vmm/boot/pvh.h"
#include "vmm/image.h"
#include "vmm/layout.h"

#define BFX_LOW	       MiB(4)
#define BFX_HIGH       MiB(1)
#define BFX_GUARD      KiB(16)
#define BFX_FILL       0xe7
#define BFX_GUARD_FILL 0x5a
#define BFX_PAGE       4096u
#define BFX_HDR	       5
#define BFX_MAX_INPUT  MiB(1)
#define BFX_INITRD_MAX (BFX_LOW + KiB(4))
#define BFX_PATH       "/boot/k"
#define BFX_RSDP       0xe0000ull
#define BFX_MAX_IVAL   (ELF_MAX_PHDRS + 8)

#define BFX_F_INITRD   0x01 /* pass an initramfs */
#define BFX_F_SYNTH    0x02 /* command line of 2 * len 'x' */
#define BFX_F_HIGH     0x04 /* RAM at 4 GiB too */
#define BFX_F_RSDP     0x08 /* an RSDP address */
#define BFX_F_SMALLMAX 0x10 /* image_read() limit one byte short */
#define BFX_F_NOPATH   0x20 /* boot_args.kernel_path NULL */
#define BFX_F_BIGRD    0x40 /* initramfs length times 64 */

/* How a target bends the kernel bytes towards its loader. */
enum bfx_force {
	BFX_RAW,      /* as is */
	BFX_FORCE_BZ, /* "HdrS" at 0x202 */
	BFX_FORCE_ELF /* the ELF magic at 0 */
};

struct bfx_ival {
	uint64_t lo, hi; /* [lo, hi) */
	const char *what;
};

/* One input's run. */
struct bfx_case {
	uint8_t flags;
	const uint8_t *k; /* the kernel as image_read() returned it */
	size_t klen;
	const char *cmdline;
	const uint8_t *initrd;
	size_t initrd_len;
	bool has_initrd;
	struct boot_args a;
	struct boot_cpu cpu;
	enum boot_proto proto;
	int r;
	char err[256];
	struct bfx_ival allow[BFX_MAX_IVAL]; /* where bytes may change */
	unsigned nallow;
	struct bfx_ival kern[BFX_MAX_IVAL]; /* the kernel's ranges */
	unsigned nkern;
};

struct bfx_region {
	uint8_t *map; /* GUARD | size | GUARD */
	uint64_t base, size;
};

/* The fake guest, made once and put back to FILL after every input. */
static struct {
	struct bfx_region r[2];
	uint8_t fill[BFX_PAGE];
	uint8_t guard[BFX_GUARD];
	uint64_t pt[6 * 512]; /* the page tables bzImage must write */
	uint8_t *initrd;      /* BFX_INITRD_MAX bytes of pattern */
	bool verbose;	      /* $FUZZ_BOOT_VERBOSE: print each load's result */
} bfx;

/* ---- the guest -------------------------------------------------------------- */

/* Map region i with its guards. Aborts on failure (set-up, not a finding). */
static inline void bfx_region_init(unsigned i, uint64_t base, uint64_t size)
{
	struct bfx_region *r = &bfx.r[i];
	uint8_t *p = mmap(NULL, size + 2 * BFX_GUARD, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		abort();
	*r = (struct bfx_region){p, base, size};
	memset(p, BFX_GUARD_FILL, BFX_GUARD);
	memset(p + BFX_GUARD, BFX_FILL, size);
	memset(p + BFX_GUARD + size, BFX_GUARD_FILL, BFX_GUARD);
	ASAN_POISON_MEMORY_REGION(p, BFX_GUARD);
	ASAN_POISON_MEMORY_REGION(p + BFX_GUARD + size, BFX_GUARD);
}

/* Make the guest, the initramfs pattern and the expected page tables. */
static inline void bfx_init(void)
{
	bfx.verbose = getenv("FUZZ_BOOT_VERBOSE") != NULL;
	bfx_region_init(0, 0, BFX_LOW);
	bfx_region_init(1, LAYOUT_MMIO_HOLE_END, BFX_HIGH);
	memset(bfx.fill, BFX_FILL, sizeof(bfx.fill));
	memset(bfx.guard, BFX_GUARD_FILL, sizeof(bfx.guard));
	bfx.initrd = malloc(BFX_INITRD_MAX);
	if (!bfx.initrd)
		abort();
	for (size_t i = 0; i < BFX_INITRD_MAX; i++)
		bfx.initrd[i] = (uint8_t)(i * 131 + (i >> 12) * 7 + 1);
	/* PML4[0] -> PDPT; PDPT[0..3] -> 4 PDs of 2 MiB pages: 0..4 GiB. */
	memset(bfx.pt, 0, sizeof(bfx.pt));
	bfx.pt[0] = (LAYOUT_PAGE_TABLES + 0x1000) | 3;
	for (unsigned i = 0; i < 4; i++)
		bfx.pt[512 + i] = (LAYOUT_PAGE_TABLES + 0x2000 + i * 0x1000ull) | 3;
	for (unsigned i = 0; i < 2048; i++)
		bfx.pt[1024 + i] = (uint64_t)i * MiB(2) | 0x83;
}

/* The guest_mem the loaders see: low RAM, and the high region if asked. */
static inline void bfx_mem(struct guest_mem *m, bool high)
{
	memset(m, 0, sizeof(*m));
	for (unsigned i = 0; i < (high ? 2u : 1u); i++)
		m->r[i] = (struct mem_region){gpa(bfx.r[i].base), bfx.r[i].size,
					      bfx.r[i].map + BFX_GUARD};
	m->nr = high ? 2 : 1;
	m->ram_size = BFX_LOW + (high ? BFX_HIGH : 0);
}

/* Host pointer to guest [addr, addr + len) in either region, or NULL. */
static inline uint8_t *bfx_ram(uint64_t addr, uint64_t len)
{
	for (unsigned i = 0; i < 2; i++) {
		struct bfx_region *r = &bfx.r[i];

		if (range_within(addr, len, r->base, r->size))
			return r->map + BFX_GUARD + (addr - r->base);
	}
	return NULL;
}

/* The guard bytes of every region are untouched. */
static inline void bfx_check_guards(void)
{
	for (unsigned i = 0; i < 2; i++) {
		uint8_t *lo = bfx.r[i].map, *hi = lo + BFX_GUARD + bfx.r[i].size;

		ASAN_UNPOISON_MEMORY_REGION(lo, BFX_GUARD);
		ASAN_UNPOISON_MEMORY_REGION(hi, BFX_GUARD);
		FUZZ_CHECK(!memcmp(lo, bfx.guard, BFX_GUARD) && !memcmp(hi, bfx.guard, BFX_GUARD),
			   "a guard around RAM region %u changed", i);
		ASAN_POISON_MEMORY_REGION(lo, BFX_GUARD);
		ASAN_POISON_MEMORY_REGION(hi, BFX_GUARD);
	}
}

/* ---- ranges ----------------------------------------------------------------- */

/* The two non-empty ranges share a byte. */
static inline bool bfx_overlap(const struct bfx_ival *a, const struct bfx_ival *b)
{
	return a->lo < a->hi && b->lo < b->hi && a->lo < b->hi && b->lo < a->hi;
}

/* Bytes [lo, lo + len) may change. */
static inline void bfx_allow(struct bfx_case *c, uint64_t lo, uint64_t len, const char *what)
{
	FUZZ_CHECK(c->nallow < BFX_MAX_IVAL, "too many ranges");
	c->allow[c->nallow++] = (struct bfx_ival){lo, lo + len, what};
}

/* A kernel or initramfs range: in low RAM, at or above 1 MiB, below the
 * MMIO hole; then it may change. */
static inline void bfx_placed(struct bfx_case *c, uint64_t lo, uint64_t len, const char *what)
{
	if (!len)
		return;
	FUZZ_CHECK(!range_wraps(lo, len) && lo >= LAYOUT_HIGH_START && lo + len <= BFX_LOW &&
			   lo + len <= LAYOUT_MMIO_HOLE_START,
		   "%s [0x%llx, +0x%llx) is not in low RAM above 1 MiB", what,
		   (unsigned long long)lo, (unsigned long long)len);
	bfx_allow(c, lo, len, what);
}

/* A kernel range: placed, and remembered so that the initramfs avoids it;
 * 'written' when the loader fills it (not so a bzImage's run area). */
static inline void bfx_kernel_range(struct bfx_case *c, uint64_t lo, uint64_t len, bool written,
				    const char *what)
{
	bfx_placed(c, lo, len, what);
	if (len && !written)
		c->nallow--;
	if (len && c->nkern < BFX_MAX_IVAL)
		c->kern[c->nkern++] = (struct bfx_ival){lo, lo + len, what};
}

/* Guest [at, at + len) holds len bytes of src. */
static inline void bfx_check_bytes(uint64_t at, const void *src, uint64_t len, const char *what)
{
	const uint8_t *p = bfx_ram(at, len);

	FUZZ_CHECK(p && !memcmp(p, src, len), "%s at 0x%llx does not hold its %llu bytes", what,
		   (unsigned long long)at, (unsigned long long)len);
}

/* Guest [at, at + len) is all zero. */
static inline void bfx_check_zero(uint64_t at, uint64_t len, const char *what)
{
	static const uint8_t zero[BFX_PAGE];
	const uint8_t *p = bfx_ram(at, len);

	FUZZ_CHECK(p, "%s is not RAM", what);
	for (uint64_t off = 0; off < len; off += BFX_PAGE)
		FUZZ_CHECK(!memcmp(p + off, zero, MIN(len - off, BFX_PAGE)),
			   "%s is not zero near 0x%llx", what, (unsigned long long)(at + off));
}

/* The initramfs: page aligned, placed, clear of the kernel, holding its
 * bytes, ending at or below 'limit'. */
static inline void bfx_check_initrd(struct bfx_case *c, uint64_t at, uint64_t len, uint64_t limit)
{
	struct bfx_ival rd = {at, at + len, "initramfs"};

	FUZZ_CHECK(len == c->initrd_len, "initramfs size %llu, passed %zu", (unsigned long long)len,
		   c->initrd_len);
	FUZZ_CHECK(at % BFX_PAGE == 0, "initramfs at 0x%llx is not page aligned",
		   (unsigned long long)at);
	bfx_placed(c, at, len, "initramfs");
	FUZZ_CHECK(at + len <= limit, "initramfs ends at 0x%llx, above its limit 0x%llx",
		   (unsigned long long)(at + len), (unsigned long long)limit);
	for (unsigned i = 0; i < c->nkern; i++)
		FUZZ_CHECK(!bfx_overlap(&rd, &c->kern[i]),
			   "initramfs [0x%llx, 0x%llx) overlaps %s [0x%llx, 0x%llx)",
			   (unsigned long long)at, (unsigned long long)(at + len), c->kern[i].what,
			   (unsigned long long)c->kern[i].lo, (unsigned long long)c->kern[i].hi);
	bfx_check_bytes(at, c->initrd, len, "initramfs");
}

/* The command line at LAYOUT_CMDLINE is prefix [+ " "] + cmdline, NUL
 * terminated, at most max bytes; it may change. */
static inline void bfx_check_cmdline(struct bfx_case *c, const char *prefix, uint64_t max)
{
	const char *p = (const char *)bfx_ram(LAYOUT_CMDLINE, LAYOUT_CMDLINE_MAX);
	size_t plen = prefix ? strlen(prefix) : 0, clen = strlen(c->cmdline);
	size_t sep = plen && clen, n;

	n = strnlen(p, LAYOUT_CMDLINE_MAX);
	FUZZ_CHECK(n < LAYOUT_CMDLINE_MAX, "command line not NUL terminated");
	FUZZ_CHECK(n <= max, "command line of %zu bytes, limit %llu", n, (unsigned long long)max);
	FUZZ_CHECK(n == plen + sep + clen && !memcmp(p, prefix ? prefix : "", plen) &&
			   !memcmp(p + plen, " ", sep) && !memcmp(p + plen + sep, c->cmdline, clen),
		   "command line in the guest differs");
	bfx_allow(c, LAYOUT_CMDLINE, n + 1, "command line");
}

/* Every changed byte lies in c->allow; then put the page back to FILL. */
static inline void bfx_check_writes(struct bfx_case *c)
{
	for (unsigned i = 0; i < 2; i++) {
		uint8_t *host = bfx.r[i].map + BFX_GUARD;

		for (uint64_t off = 0; off < bfx.r[i].size; off += BFX_PAGE) {
			uint64_t at = bfx.r[i].base + off;
			bool whole = false;

			if (!memcmp(host + off, bfx.fill, BFX_PAGE))
				continue;
			for (unsigned j = 0; j < c->nallow && !whole; j++)
				whole = c->allow[j].lo <= at && at + BFX_PAGE <= c->allow[j].hi;
			for (unsigned b = 0; b < BFX_PAGE && !whole; b++) {
				bool ok = host[off + b] == BFX_FILL;

				for (unsigned j = 0; j < c->nallow && !ok; j++)
					ok = c->allow[j].lo <= at + b && at + b < c->allow[j].hi;
				FUZZ_CHECK(ok, "%s (r=%d, proto %d): byte at 0x%llx changed",
					   c->r ? "failed load" : "load", c->r, (int)c->proto,
					   (unsigned long long)(at + b));
			}
			memset(host + off, BFX_FILL, BFX_PAGE);
		}
	}
}

/* ---- the formats, read independently of vmm/boot/ --------------------------- */

/* The little-endian 32-bit word at p. */
static inline uint32_t bfx_le32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

/* "HdrS" at 0x202: the bzImage signature. */
static inline bool bfx_is_bz(const struct bfx_case *c)
{
	return c->klen >= 0x206 && !memcmp(c->k + 0x202, "HdrS", 4);
}

/* The ELF magic at 0. */
static inline bool bfx_is_elf(const struct bfx_case *c)
{
	return c->klen >= SELFMAG && !memcmp(c->k, ELFMAG, SELFMAG);
}

/* The first valid Multiboot header in the first 8 KiB (4-byte aligned). */
static inline long bfx_mb_find(const struct bfx_case *c)
{
	for (size_t off = 0; off + 12 <= MIN(c->klen, (size_t)8192); off += 4) {
		uint32_t m = bfx_le32(c->k + off);

		if (m == MULTIBOOT_HEADER_MAGIC &&
		    (uint32_t)(m + bfx_le32(c->k + off + 4) + bfx_le32(c->k + off + 8)) == 0)
			return (long)off;
	}
	return -1;
}

/* An ELF program header, width-independent. */
struct bfx_phdr {
	uint32_t type;
	uint64_t offset, vaddr, paddr, filesz, memsz;
};

/* Read the ELF's program headers into ph[] (ELF_MAX_PHDRS) and its
 * e_entry into *entry; returns how many, 0 when the table is not inside
 * the file. Called on files the loader accepted, but checked anyway. */
static inline unsigned bfx_phdrs(const struct bfx_case *c, struct bfx_phdr *ph, uint64_t *entry)
{
	bool is64 = c->klen > EI_CLASS && c->k[EI_CLASS] == ELFCLASS64;
	uint64_t phoff;
	unsigned n, size;

	if (c->klen < (is64 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr)))
		return 0;
	if (is64) {
		Elf64_Ehdr eh;

		memcpy(&eh, c->k, sizeof(eh));
		phoff = eh.e_phoff, n = eh.e_phnum, size = eh.e_phentsize, *entry = eh.e_entry;
	} else {
		Elf32_Ehdr eh;

		memcpy(&eh, c->k, sizeof(eh));
		phoff = eh.e_phoff, n = eh.e_phnum, size = eh.e_phentsize, *entry = eh.e_entry;
	}
	if (n > ELF_MAX_PHDRS || size < (is64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr)) ||
	    !range_within(phoff, (uint64_t)n * size, 0, c->klen))
		return 0;
	for (unsigned i = 0; i < n; i++) {
		const uint8_t *p = c->k + phoff + (uint64_t)i * size;

		if (is64) {
			Elf64_Phdr h;

			memcpy(&h, p, sizeof(h));
			ph[i] = (struct bfx_phdr){h.p_type,  h.p_offset, h.p_vaddr,
						  h.p_paddr, h.p_filesz, h.p_memsz};
		} else {
			Elf32_Phdr h;

			memcpy(&h, p, sizeof(h));
			ph[i] = (struct bfx_phdr){h.p_type,  h.p_offset, h.p_vaddr,
						  h.p_paddr, h.p_filesz, h.p_memsz};
		}
	}
	return n;
}

/* The Xen PHYS32_ENTRY note: true and *entry when the first one found in
 * the PT_NOTE segments is well formed. */
static inline bool bfx_pvh_note(const struct bfx_case *c, uint64_t *entry)
{
	struct bfx_phdr ph[ELF_MAX_PHDRS];
	uint64_t e;
	unsigned n = bfx_phdrs(c, ph, &e);

	for (unsigned i = 0; i < n; i++) {
		uint64_t pos = 0, size = ph[i].filesz;
		const uint8_t *p;

		if (ph[i].type != PT_NOTE || !range_within(ph[i].offset, size, 0, c->klen))
			continue;
		p = c->k + ph[i].offset;
		while (size - pos >= 12) {
			uint64_t nsz = ALIGN_UP((uint64_t)bfx_le32(p + pos), 4);
			uint64_t dsz = ALIGN_UP((uint64_t)bfx_le32(p + pos + 4), 4);
			uint32_t type = bfx_le32(p + pos + 8), d = bfx_le32(p + pos + 4);

			if (nsz + dsz > size - pos - 12)
				break;
			if (type == XEN_ELFNOTE_PHYS32_ENTRY && bfx_le32(p + pos) == 4 &&
			    !memcmp(p + pos + 12, "Xen", 4)) {
				*entry = 0;
				if (d != 4 && d != 8)
					return false;
				memcpy(entry, p + pos + 12 + nsz, d);
				return true;
			}
			pos += 12 + nsz + dsz;
		}
	}
	return false;
}

/* Every PT_LOAD is placed; when they do not overlap each other, each holds
 * its file bytes and zeros up to p_memsz. */
static inline void bfx_check_elf_segments(struct bfx_case *c)
{
	struct bfx_phdr ph[ELF_MAX_PHDRS];
	uint64_t entry;
	unsigned n = bfx_phdrs(c, ph, &entry);
	unsigned first = c->nkern;
	bool disjoint = true;

	FUZZ_CHECK(n > 0, "a loaded ELF has no program headers");
	for (unsigned i = 0; i < n; i++)
		if (ph[i].type == PT_LOAD && ph[i].memsz)
			bfx_kernel_range(c, ph[i].paddr, ph[i].memsz, true, "ELF segment");
	FUZZ_CHECK(c->nkern > first, "a loaded ELF has no PT_LOAD");
	for (unsigned i = first; i < c->nkern; i++)
		for (unsigned j = i + 1; j < c->nkern; j++)
			disjoint &= !bfx_overlap(&c->kern[i], &c->kern[j]);
	for (unsigned i = 0; i < n && disjoint; i++) {
		if (ph[i].type != PT_LOAD || !ph[i].memsz)
			continue;
		FUZZ_CHECK(ph[i].filesz <= ph[i].memsz &&
				   (!ph[i].filesz ||
				    range_within(ph[i].offset, ph[i].filesz, 0, c->klen)),
			   "a loaded segment lies past the end of the file");
		if (ph[i].filesz)
			bfx_check_bytes(ph[i].paddr, c->k + ph[i].offset, ph[i].filesz,
					"ELF segment");
		bfx_check_zero(ph[i].paddr + ph[i].filesz, ph[i].memsz - ph[i].filesz,
			       "ELF segment's bss");
	}
}

/* ---- per protocol, after a successful load ---------------------------------- */

/* The e820 table the zero page must carry: the guest's memory map. */
static inline void bfx_want_e820(const struct guest_mem *m, struct boot_params *want)
{
	struct mem_map_entry map[MEM_MAP_MAX];
	unsigned n = guest_mem_map(m, map, MEM_MAP_MAX);

	want->e820_entries = (uint8_t)n;
	for (unsigned i = 0; i < n; i++) {
		want->e820_table[i].addr = map[i].addr;
		want->e820_table[i].size = map[i].size;
		want->e820_table[i].type = map[i].type;
	}
}

/* A successful bzImage load: everything the Linux boot protocol asks. */
static inline void bfx_check_bz(struct bfx_case *c)
{
	const struct boot_params *bp = (const void *)bfx_ram(LAYOUT_ZERO_PAGE, sizeof(*bp));
	struct boot_params want;
	struct setup_header h;
	size_t end = MIN(0x202u + c->k[0x201], 0x1f1 + sizeof(h));
	uint64_t setup, ksize, load, run, align, rd, rdlen;

	memset(&h, 0, sizeof(h));
	FUZZ_CHECK(0x202u + c->k[0x201] <= c->klen, "a bzImage header past the file's end loaded");
	memcpy(&h, c->k + 0x1f1, end - 0x1f1);
	FUZZ_CHECK(h.version >= 0x020c && (h.xloadflags & XLF_KERNEL_64) &&
			   (h.loadflags & LOADED_HIGH),
		   "a bzImage without protocol 2.12, XLF_KERNEL_64 and LOADED_HIGH loaded");
	setup = ((uint64_t)(h.setup_sects ? h.setup_sects : 4) + 1) * 512;
	FUZZ_CHECK(setup < c->klen, "a bzImage shorter than its setup loaded");
	ksize = c->klen - setup;
	FUZZ_CHECK(c->cpu.mode == BOOT_CPU_LONG64 && c->cpu.rsi == LAYOUT_ZERO_PAGE &&
			   c->cpu.rsp == LAYOUT_BOOT_STACK && c->cpu.cr3 == LAYOUT_PAGE_TABLES &&
			   !c->cpu.rax && !c->cpu.rbx,
		   "bzImage vCPU state");
	load = c->cpu.rip - 0x200;
	if (h.relocatable_kernel) {
		align = h.kernel_alignment;
		FUZZ_CHECK(align && !(align & (align - 1)), "kernel_alignment not a power of 2");
		FUZZ_CHECK(load == LAYOUT_HIGH_START, "relocatable bzImage at 0x%llx",
			   (unsigned long long)load);
		run = MAX(ALIGN_UP(load, align), h.pref_address);
	} else {
		FUZZ_CHECK(load == h.pref_address, "bzImage at 0x%llx, pref_address 0x%llx",
			   (unsigned long long)load, (unsigned long long)h.pref_address);
		run = load;
	}
	bfx_kernel_range(c, load, ksize, true, "bzImage kernel");
	bfx_kernel_range(c, run, MAX((uint64_t)h.init_size, 1), false, "bzImage init_size area");
	bfx_check_bytes(load, c->k + setup, ksize, "bzImage kernel");

	FUZZ_CHECK(bp, "no zero page");
	memset(&want, 0, sizeof(want));
	want.hdr = h;
	want.hdr.type_of_loader = 0xff;
	want.hdr.loadflags |= CAN_USE_HEAP;
	want.hdr.heap_end_ptr = 0xfe00;
	want.hdr.cmd_line_ptr = (uint32_t)LAYOUT_CMDLINE;
	/* "Leave at zero if there is no initial ramdisk" (boot.rst); and
	 * setup_data is the loader's to write: we pass none. */
	want.hdr.ramdisk_image = 0;
	want.hdr.ramdisk_size = 0;
	want.hdr.setup_data = 0;
	rd = bp->hdr.ramdisk_image | (uint64_t)bp->ext_ramdisk_image << 32;
	rdlen = bp->hdr.ramdisk_size | (uint64_t)bp->ext_ramdisk_size << 32;
	if (c->has_initrd) {
		bfx_check_initrd(c, rd, rdlen, (uint64_t)h.initrd_addr_max + 1);
		want.hdr.ramdisk_image = (uint32_t)rd;
		want.hdr.ramdisk_size = (uint32_t)rdlen;
		want.ext_ramdisk_image = (uint32_t)(rd >> 32);
		want.ext_ramdisk_size = (uint32_t)(rdlen >> 32);
	}
	bfx_want_e820(c->a.mem, &want);
	if (h.version >= 0x020e)
		want.acpi_rsdp_addr = c->a.rsdp.a;
	FUZZ_CHECK(!memcmp(bp, &want, sizeof(want)), "zero page differs");
	FUZZ_CHECK(!memcmp(bfx_ram(LAYOUT_PAGE_TABLES, sizeof(bfx.pt)), bfx.pt, sizeof(bfx.pt)),
		   "page tables differ");
	bfx_check_cmdline(c, NULL, h.cmdline_size);
	bfx_allow(c, LAYOUT_ZERO_PAGE, BFX_PAGE, "zero page");
	bfx_allow(c, LAYOUT_PAGE_TABLES, sizeof(bfx.pt), "page tables");
}

/* The memory map at 'at' (entries of 'esize' bytes, the first 'skip'
 * bytes of each a size field) is the guest's. */
static inline void bfx_check_memmap(const struct bfx_case *c, uint64_t at, uint32_t entries,
				    bool multiboot)
{
	struct mem_map_entry map[MEM_MAP_MAX];
	unsigned n = guest_mem_map(c->a.mem, map, MEM_MAP_MAX);

	FUZZ_CHECK(entries == n, "memory map of %u entries, want %u", entries, n);
	for (unsigned i = 0; i < n; i++) {
		if (multiboot) {
			struct multiboot_mmap_entry e = {20, map[i].addr, map[i].size, map[i].type};

			bfx_check_bytes(at + i * sizeof(e), &e, sizeof(e), "Multiboot mmap");
		} else {
			struct hvm_memmap_table_entry e = {map[i].addr, map[i].size, map[i].type,
							   0};

			bfx_check_bytes(at + i * sizeof(e), &e, sizeof(e), "PVH memmap");
		}
	}
}

/* [at, at + len) lies in the page at 'page'. */
static inline void bfx_in_page(uint64_t at, uint64_t len, uint64_t page, const char *what)
{
	FUZZ_CHECK(at >= page && len <= BFX_PAGE && at - page <= BFX_PAGE - len,
		   "%s at 0x%llx is outside its page 0x%llx", what, (unsigned long long)at,
		   (unsigned long long)page);
}

/* A successful PVH load: everything the PVH boot ABI asks. */
static inline void bfx_check_pvh(struct bfx_case *c)
{
	struct hvm_start_info si;
	uint64_t entry;

	FUZZ_CHECK(bfx_is_elf(c) && bfx_pvh_note(c, &entry), "PVH without a PVH note");
	FUZZ_CHECK(c->cpu.mode == BOOT_CPU_PROT32 && c->cpu.rip == entry && entry <= UINT32_MAX &&
			   c->cpu.rbx == LAYOUT_START_INFO && !c->cpu.rax && !c->cpu.rsi &&
			   !c->cpu.rsp && !c->cpu.cr3,
		   "PVH vCPU state (rip 0x%llx, note 0x%llx)", (unsigned long long)c->cpu.rip,
		   (unsigned long long)entry);
	bfx_check_elf_segments(c);
	memcpy(&si, bfx_ram(LAYOUT_START_INFO, sizeof(si)), sizeof(si));
	FUZZ_CHECK(si.magic == HVM_START_MAGIC && si.version == 1 && !si.flags && !si.reserved &&
			   si.cmdline_paddr == LAYOUT_CMDLINE && si.rsdp_paddr == c->a.rsdp.a,
		   "hvm_start_info");
	bfx_in_page(si.memmap_paddr, si.memmap_entries * 24ull, LAYOUT_START_INFO, "PVH memmap");
	FUZZ_CHECK(si.memmap_paddr >= LAYOUT_START_INFO + sizeof(si), "memmap over start_info");
	bfx_check_memmap(c, si.memmap_paddr, si.memmap_entries, false);
	FUZZ_CHECK(si.nr_modules == c->has_initrd, "%u modules", si.nr_modules);
	if (c->has_initrd) {
		struct hvm_modlist_entry mod;

		bfx_in_page(si.modlist_paddr, sizeof(mod), LAYOUT_START_INFO, "PVH modlist");
		FUZZ_CHECK(si.modlist_paddr >= si.memmap_paddr + si.memmap_entries * 24ull,
			   "modlist over the memmap");
		memcpy(&mod, bfx_ram(si.modlist_paddr, sizeof(mod)), sizeof(mod));
		FUZZ_CHECK(!mod.cmdline_paddr && !mod.reserved, "module fields");
		bfx_check_initrd(c, mod.paddr, mod.size, LAYOUT_MMIO_HOLE_START);
	} else {
		FUZZ_CHECK(!si.modlist_paddr, "modlist without modules");
	}
	bfx_check_cmdline(c, NULL, LAYOUT_CMDLINE_MAX - 1);
	bfx_allow(c, LAYOUT_START_INFO, BFX_PAGE, "start_info");
}

/* The a.out kludge's image: the loaded range holds the file's bytes. */
static inline uint64_t bfx_check_kludge(struct bfx_case *c, long off)
{
	struct multiboot_header h;
	uint64_t text_off, size, end;

	FUZZ_CHECK(range_within((uint64_t)off, sizeof(h), 0, c->klen), "kludge header truncated");
	memcpy(&h, c->k + off, sizeof(h));
	FUZZ_CHECK(h.load_addr <= h.header_addr && h.header_addr - h.load_addr <= (uint64_t)off,
		   "kludge addresses do not match the file");
	text_off = (uint64_t)off - (h.header_addr - h.load_addr);
	size = h.load_end_addr ? (uint64_t)h.load_end_addr - h.load_addr : c->klen - text_off;
	FUZZ_CHECK(h.load_end_addr == 0 || h.load_end_addr >= h.load_addr, "load_end < load");
	FUZZ_CHECK(range_within(text_off, size, 0, c->klen), "kludge image past the file's end");
	end = h.bss_end_addr ? h.bss_end_addr : h.load_addr + size;
	FUZZ_CHECK(end > h.load_addr && end >= h.load_addr + size, "kludge bss_end");
	bfx_kernel_range(c, h.load_addr, end - h.load_addr, true, "Multiboot image");
	bfx_check_bytes(h.load_addr, c->k + text_off, size, "Multiboot image");
	bfx_check_zero(h.load_addr + size, end - h.load_addr - size, "Multiboot bss");
	return h.entry_addr;
}

/* GRUB's rule: an e_entry inside a PT_LOAD's virtual range becomes the
 * matching physical address. */
static inline uint64_t bfx_mb_elf_entry(const struct bfx_case *c)
{
	struct bfx_phdr ph[ELF_MAX_PHDRS];
	uint64_t entry;
	unsigned n = bfx_phdrs(c, ph, &entry);

	for (unsigned i = 0; i < n; i++)
		if (ph[i].type == PT_LOAD && entry >= ph[i].vaddr &&
		    entry - ph[i].vaddr < ph[i].memsz)
			return entry - ph[i].vaddr + ph[i].paddr;
	return entry;
}

/* A NUL-terminated string at 'at' inside the info page equals s. */
static inline void bfx_check_string(uint64_t at, const char *s, const char *what)
{
	bfx_in_page(at, strlen(s) + 1, LAYOUT_ZERO_PAGE, what);
	bfx_check_bytes(at, s, strlen(s) + 1, what);
}

/* A successful Multiboot load: everything Multiboot v1 asks. */
static inline void bfx_check_mb(struct bfx_case *c)
{
	struct multiboot_info info;
	long off = bfx_mb_find(c);
	uint64_t entry, pv, flags;
	const char *path = c->a.kernel_path ? c->a.kernel_path : "kernel";

	FUZZ_CHECK(off >= 0, "Multiboot without a Multiboot header");
	FUZZ_CHECK(!bfx_is_elf(c) || !bfx_pvh_note(c, &pv), "Multiboot for a PVH kernel");
	flags = bfx_le32(c->k + off + 4);
	FUZZ_CHECK(!(flags & 0xfffc), "Multiboot kernel needing flags 0x%llx loaded",
		   (unsigned long long)flags);
	if (flags & MULTIBOOT_AOUT_KLUDGE) {
		entry = bfx_check_kludge(c, off);
	} else {
		FUZZ_CHECK(bfx_is_elf(c), "non-ELF Multiboot without the a.out kludge loaded");
		bfx_check_elf_segments(c);
		entry = bfx_mb_elf_entry(c);
	}
	FUZZ_CHECK(c->cpu.mode == BOOT_CPU_PROT32 && c->cpu.rip == entry &&
			   c->cpu.rax == MULTIBOOT_BOOTLOADER_MAGIC &&
			   c->cpu.rbx == LAYOUT_ZERO_PAGE && !c->cpu.rsi && !c->cpu.rsp &&
			   !c->cpu.cr3,
		   "Multiboot vCPU state (rip 0x%llx, want 0x%llx)", (unsigned long long)c->cpu.rip,
		   (unsigned long long)entry);
	memcpy(&info, bfx_ram(LAYOUT_ZERO_PAGE, sizeof(info)), sizeof(info));
	FUZZ_CHECK(info.flags ==
			   (MULTIBOOT_INFO_MEMORY | MULTIBOOT_INFO_CMDLINE | MULTIBOOT_INFO_MODS |
			    MULTIBOOT_INFO_MEM_MAP | MULTIBOOT_INFO_BOOT_LOADER_NAME),
		   "Multiboot info flags 0x%x", info.flags);
	FUZZ_CHECK(info.mem_lower == (MIN(BFX_LOW, LAYOUT_LOW_RAM_END) >> 10) &&
			   info.mem_upper == (BFX_LOW - LAYOUT_HIGH_START) >> 10,
		   "Multiboot mem_lower/upper %u %u", info.mem_lower, info.mem_upper);
	FUZZ_CHECK(info.cmdline == LAYOUT_CMDLINE, "Multiboot cmdline pointer");
	bfx_in_page(info.mmap_addr, info.mmap_length, LAYOUT_ZERO_PAGE, "Multiboot mmap");
	FUZZ_CHECK(info.mmap_addr >= LAYOUT_ZERO_PAGE + sizeof(info) && info.mmap_length % 24 == 0,
		   "Multiboot mmap over the info");
	bfx_check_memmap(c, info.mmap_addr, info.mmap_length / 24, true);
	bfx_check_string(info.boot_loader_name, "vmm", "boot loader name");
	FUZZ_CHECK(info.mods_count == c->has_initrd, "%u modules", info.mods_count);
	if (c->has_initrd) {
		struct multiboot_mod mod;

		bfx_in_page(info.mods_addr, sizeof(mod), LAYOUT_ZERO_PAGE, "Multiboot modules");
		memcpy(&mod, bfx_ram(info.mods_addr, sizeof(mod)), sizeof(mod));
		FUZZ_CHECK(mod.mod_end >= mod.mod_start, "module end below its start");
		bfx_check_initrd(c, mod.mod_start, mod.mod_end - mod.mod_start,
				 LAYOUT_MMIO_HOLE_START);
		bfx_check_string(mod.string, "initrd", "module string");
	}
	bfx_check_cmdline(c, path, LAYOUT_CMDLINE_MAX - 1);
	bfx_allow(c, LAYOUT_ZERO_PAGE, BFX_PAGE, "Multiboot info");
}

/* ---- one input -------------------------------------------------------------- */

/* Which loader the detection must pick (or -1: none, -2: either an ELF
 * parse error or a loader, which the oracle does not decide). */
static inline int bfx_expected_proto(const struct bfx_case *c)
{
	if (bfx_is_bz(c))
		return BOOT_LINUX64;
	if (bfx_is_elf(c))
		return -2;
	return bfx_mb_find(c) >= 0 ? BOOT_MULTIBOOT : -1;
}

/* The format detection picked the loader the precedence names. */
static inline void bfx_check_detect(const struct bfx_case *c, int set)
{
	int want = bfx_expected_proto(c);
	uint64_t e;

	if (want >= 0) {
		FUZZ_CHECK(set && (int)c->proto == want, "detected %d, want %d (r=%d)",
			   set ? (int)c->proto : -1, want, c->r);
	} else if (want == -1) {
		FUZZ_CHECK(!set && c->r == -ENOEXEC, "not a kernel, yet r=%d proto %d", c->r,
			   set ? (int)c->proto : -1);
		FUZZ_CHECK(strstr(c->err, "not a kernel"), "message: %s", c->err);
	} else if (set) {
		FUZZ_CHECK(c->proto == BOOT_PVH || c->proto == BOOT_MULTIBOOT,
			   "an ELF detected as %d", (int)c->proto);
		FUZZ_CHECK(c->proto == BOOT_MULTIBOOT || bfx_pvh_note(c, &e),
			   "PVH picked without a PVH note");
		FUZZ_CHECK(c->proto == BOOT_PVH || bfx_mb_find(c) >= 0,
			   "Multiboot picked without a Multiboot header");
	}
}

/* Read kernel[0, len) through a memfd and image_read(), as the VMM reads
 * its kernel file. Returns 0 with *img loaded, or 1 when image_read()
 * rightly refused the file. */
static inline int bfx_read(const uint8_t *kernel, size_t len, uint64_t max, struct image *img)
{
	char path[64], err[256];
	int fd = memfd_create("fuzz-kernel", MFD_CLOEXEC), r;

	if (fd < 0 || (len && write(fd, kernel, len) != (ssize_t)len))
		abort();
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	err[0] = '\0';
	r = image_read(path, max, img, err, sizeof(err));
	close(fd);
	if (!len || len > max) {
		FUZZ_CHECK(r == (len ? -EFBIG : -ENOEXEC) && !img->data && !img->len && err[0],
			   "image_read of %zu bytes (max %llu): %d '%s'", len,
			   (unsigned long long)max, r, err);
		return 1;
	}
	FUZZ_CHECK(r == 0 && img->len == len && !memcmp(img->data, kernel, len),
		   "image_read of %zu bytes: %d '%s'", len, r, err);
	return 0;
}

/* Run one input (the format above) through image_read() and boot_load()
 * into the fake guest and check every invariant; the guest is FILL again
 * afterwards. Returns -1 for an input too large to consider, else 0. */
static inline int bfx_run(const uint8_t *data, size_t size, enum bfx_force force)
{
	struct bfx_case *c;
	struct guest_mem mem;
	struct image img;
	uint8_t *kernel;
	char *cmdline;
	size_t klen, clen, cl_in;
	uint16_t rd16, cl16;

	if (size > BFX_MAX_INPUT)
		return -1;
	if (size < BFX_HDR)
		return 0;
	c = calloc(1, sizeof(*c));
	if (!c)
		abort();
	c->flags = data[0];
	memcpy(&rd16, data + 1, 2);
	memcpy(&cl16, data + 3, 2);
	cl_in = c->flags & BFX_F_SYNTH ? 0 : MIN((size_t)cl16, size - BFX_HDR);
	clen = c->flags & BFX_F_SYNTH ? 2u * cl16
				      : strnlen((const char *)data + size - cl_in, cl_in);
	klen = size - BFX_HDR - cl_in;
	cmdline = malloc(clen + 1);
	kernel = malloc(klen + 1);
	if (!cmdline || !kernel)
		abort();
	if (c->flags & BFX_F_SYNTH)
		memset(cmdline, 'x', clen);
	else
		memcpy(cmdline, data + size - cl_in, clen);
	cmdline[clen] = '\0';
	memcpy(kernel, data + BFX_HDR, klen);
	if (force == BFX_FORCE_BZ && klen >= 0x206)
		memcpy(kernel + 0x202, "HdrS", 4);
	if (force == BFX_FORCE_ELF && klen >= SELFMAG)
		memcpy(kernel, ELFMAG, SELFMAG);
	if (bfx_read(kernel, klen, c->flags & BFX_F_SMALLMAX && klen ? klen - 1 : BFX_LOW, &img))
		goto out;

	bfx_mem(&mem, c->flags & BFX_F_HIGH);
	c->k = img.data;
	c->klen = img.len;
	c->cmdline = cmdline;
	c->initrd_len = c->flags & BFX_F_BIGRD ? (size_t)rd16 << 6 : rd16;
	c->initrd = bfx.initrd + BFX_INITRD_MAX - c->initrd_len; /* ends at the buffer's end */
	c->has_initrd = c->flags & BFX_F_INITRD && c->initrd_len;
	c->a = (struct boot_args){
		.kernel = c->k,
		.kernel_len = c->klen,
		.kernel_path = c->flags & BFX_F_NOPATH ? NULL : BFX_PATH,
		.initrd = c->flags & BFX_F_INITRD ? c->initrd : NULL,
		.initrd_len = c->flags & BFX_F_INITRD ? c->initrd_len : 0,
		.cmdline = cmdline,
		.rsdp = gpa(c->flags & BFX_F_RSDP ? BFX_RSDP : 0),
		.mem = &mem,
	};
	memset(c->err, 'z', sizeof(c->err));
	c->proto = (enum boot_proto)99;
	memset(&c->cpu, 0xa5, sizeof(c->cpu));

	c->r = boot_load(&c->a, &c->cpu, &c->proto, c->err, sizeof(c->err));

	bfx_check_guards();
	if (bfx.verbose)
		fprintf(stderr, "boot_load: %d proto %d: %.*s\n", c->r, (int)c->proto,
			(int)strnlen(c->err, sizeof(c->err)), c->err);
	FUZZ_CHECK(memchr(c->err, '\0', sizeof(c->err)) && !strchr(c->err, '\n'),
		   "message not one NUL-terminated line");
	bfx_check_detect(c, (int)c->proto != 99);
	if (c->r) {
		FUZZ_CHECK(c->r == -ENOEXEC || c->r == -EINVAL || c->r == -EFBIG,
			   "undocumented error %d: %s", c->r, c->err);
		FUZZ_CHECK(c->err[0], "error %d without a message", c->r);
		bfx_allow(c, LAYOUT_START_INFO, 2 * BFX_PAGE, "start_info and zero page");
		bfx_allow(c, LAYOUT_PAGE_TABLES, LAYOUT_PAGE_TABLES_END - LAYOUT_PAGE_TABLES,
			  "page tables");
		bfx_allow(c, LAYOUT_CMDLINE, LAYOUT_CMDLINE_MAX, "command line");
		bfx_allow(c, LAYOUT_HIGH_START, BFX_LOW - LAYOUT_HIGH_START, "low RAM above 1 MiB");
	} else {
		FUZZ_CHECK(!c->err[0], "success with a message: %s", c->err);
		switch (c->proto) {
		case BOOT_LINUX64: bfx_check_bz(c); break;
		case BOOT_PVH: bfx_check_pvh(c); break;
		case BOOT_MULTIBOOT: bfx_check_mb(c); break;
		default: fuzz_fail("success with protocol %d", (int)c->proto);
		}
	}
	bfx_check_writes(c);
	image_free(&img);
out:
	free(kernel);
	free(cmdline);
	free(c);
	return 0;
}

/* ---- seeds ------------------------------------------------------------------ */

/* A seed being built: header fields, then kernel bytes, then command line. */
struct bfx_seed {
	uint8_t flags;
	uint16_t initrd, cl;
	uint8_t k[0x3000];
	size_t klen;
	const char *cmdline;
};

/* Write seed s as dir/name. */
static inline void bfx_seed_write(const char *dir, const char *name, const struct bfx_seed *s)
{
	char path[512];
	size_t cl = s->cmdline ? strlen(s->cmdline) : 0;
	uint8_t hdr[BFX_HDR] = {s->flags, (uint8_t)s->initrd, (uint8_t)(s->initrd >> 8),
				(uint8_t)(s->cmdline ? cl : s->cl),
				(uint8_t)((s->cmdline ? cl : s->cl) >> 8)};
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fp = fopen(path, "wb");
	if (!fp || fwrite(hdr, 1, sizeof(hdr), fp) != sizeof(hdr) ||
	    fwrite(s->k, 1, s->klen, fp) != s->klen || fwrite(s->cmdline, 1, cl, fp) != cl ||
	    fclose(fp))
		abort();
}

/* An executable little-endian ELF header (64 or 32 bit) for x86 at k, its
 * nph program headers right after it (ph64 or ph32). */
static inline void bfx_put_elf(uint8_t *k, bool is64, uint64_t entry, const Elf64_Phdr *ph,
			       unsigned nph)
{
	if (is64) {
		Elf64_Ehdr eh = {.e_type = ET_EXEC,
				 .e_machine = EM_X86_64,
				 .e_version = EV_CURRENT,
				 .e_entry = entry,
				 .e_phoff = sizeof(eh),
				 .e_ehsize = sizeof(eh),
				 .e_phentsize = sizeof(Elf64_Phdr),
				 .e_phnum = (uint16_t)nph};

		memcpy(eh.e_ident, ELFMAG, SELFMAG);
		eh.e_ident[EI_CLASS] = ELFCLASS64;
		eh.e_ident[EI_DATA] = ELFDATA2LSB;
		memcpy(k, &eh, sizeof(eh));
		memcpy(k + sizeof(eh), ph, nph * sizeof(*ph));
	} else {
		Elf32_Ehdr eh = {.e_type = ET_EXEC,
				 .e_machine = EM_386,
				 .e_version = EV_CURRENT,
				 .e_entry = (uint32_t)entry,
				 .e_phoff = sizeof(eh),
				 .e_ehsize = sizeof(eh),
				 .e_phentsize = sizeof(Elf32_Phdr),
				 .e_phnum = (uint16_t)nph};

		memcpy(eh.e_ident, ELFMAG, SELFMAG);
		eh.e_ident[EI_CLASS] = ELFCLASS32;
		eh.e_ident[EI_DATA] = ELFDATA2LSB;
		memcpy(k, &eh, sizeof(eh));
		for (unsigned i = 0; i < nph; i++) {
			Elf32_Phdr p = {(uint32_t)ph[i].p_type,
					(uint32_t)ph[i].p_offset,
					(uint32_t)ph[i].p_vaddr,
					(uint32_t)ph[i].p_paddr,
					(uint32_t)ph[i].p_filesz,
					(uint32_t)ph[i].p_memsz,
					ph[i].p_flags,
					(uint32_t)ph[i].p_align};

			memcpy(k + sizeof(eh) + i * sizeof(p), &p, sizeof(p));
		}
	}
}

/* A note at k: namesz, descsz, type, name (padded to 4), desc. Returns its
 * size. */
static inline size_t bfx_put_note(uint8_t *k, const char *name, uint32_t type, const void *desc,
				  uint32_t dlen)
{
	uint32_t w[3] = {(uint32_t)strlen(name) + 1, dlen, type};
	size_t nal = ALIGN_UP(w[0], 4);

	memcpy(k, w, sizeof(w));
	memset(k + 12, 0, nal + ALIGN_UP(dlen, 4));
	memcpy(k + 12, name, w[0]);
	memcpy(k + 12 + nal, desc, dlen);
	return 12 + nal + ALIGN_UP(dlen, 4);
}

/* A Multiboot v1 header at k with flags (and, with the a.out kludge, the
 * address fields). */
static inline void bfx_put_mb(uint8_t *k, uint32_t flags, uint32_t header_addr, uint32_t load_addr,
			      uint32_t load_end, uint32_t bss_end, uint32_t entry)
{
	struct multiboot_header h = {MULTIBOOT_HEADER_MAGIC,
				     flags,
				     (uint32_t) - (MULTIBOOT_HEADER_MAGIC + flags),
				     header_addr,
				     load_addr,
				     load_end,
				     bss_end,
				     entry};

	memcpy(k, &h, sizeof(h));
}

/* A bzImage with 'sects' setup sectors, protocol 'version', header up to
 * hdr_end, and payload bytes of pattern after the setup. */
static inline void bfx_put_bz(struct bfx_seed *s, uint8_t sects, uint16_t version, size_t hdr_end,
			      bool reloc, uint64_t pref, uint32_t init_size, size_t payload)
{
	struct setup_header h = {0};
	size_t setup = ((size_t)(sects ? sects : 4) + 1) * 512;

	memset(s->k, 0xcc, setup);
	h.setup_sects = sects;
	h.boot_flag = 0xaa55;
	h.jump = (uint16_t)(0xeb | ((hdr_end - 0x202) << 8));
	h.header = 0x53726448;
	h.version = version;
	h.loadflags = LOADED_HIGH;
	h.initrd_addr_max = 0x7fffffff;
	h.kernel_alignment = 0x200000;
	h.relocatable_kernel = reloc;
	h.xloadflags = XLF_KERNEL_64 | XLF_CAN_BE_LOADED_ABOVE_4G;
	h.cmdline_size = 0x7ff;
	h.pref_address = pref;
	h.init_size = init_size;
	h.code32_start = 0x100000;
	h.syssize = (uint32_t)(payload / 16);
	memcpy(s->k + 0x1f1, &h, hdr_end - 0x1f1);
	for (size_t i = 0; i < payload; i++)
		s->k[setup + i] = (uint8_t)(i * 13 + 5);
	s->klen = setup + payload;
}

/* When $FUZZ_BOOT_SEEDS names a directory, write_seeds(dir) writes the
 * target's hand-built seeds there and the program exits. */
static inline void bfx_init_or_seed(void (*write_seeds)(const char *dir))
{
	const char *dir = getenv("FUZZ_BOOT_SEEDS");

	bfx_init();
	if (dir && *dir) {
		write_seeds(dir);
		exit(0);
	}
}

#endif /* TESTS_FUZZ_BOOT_FIXTURE_H */
