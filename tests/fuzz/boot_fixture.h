/* SPDX-License-Identifier: MIT */
/* What the kernel-loader fuzz targets (tests/fuzz/fuzz_boot_*.c) share: the
 * fake guest, the input format, and the checks of what a load wrote. The
 * run of one input through image_read() and boot_load() is in
 * tests/fuzz/boot_run.h, and the invariants are checked against an oracle
 * written from the boot protocols, independently of vmm/boot/
 * (boot_formats.h, boot_oracle_{bzimage,pvh,multiboot}.h); the seed
 * builders are in boot_seeds.h.
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

#endif /* TESTS_FUZZ_BOOT_FIXTURE_H */
