// SPDX-License-Identifier: MIT
/* Linux bzImage through the 64-bit boot protocol
 * (Documentation/arch/x86/boot.rst): the protected-mode kernel goes to
 * 1 MiB, the zero page (struct boot_params) to LAYOUT_ZERO_PAGE, identity
 * page tables for 0..4 GiB to LAYOUT_PAGE_TABLES, and the vCPU starts in
 * long mode at the 64-bit entry (load address + 0x200) with rsi = zero page.
 * The real-mode setup code is not used. */
#include <asm/bootparam.h>
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "vmm/boot/loader.h"
#include "vmm/layout.h"

#define BZ_HDR_OFF	  offsetof(struct boot_params, hdr) /* 0x1f1 */
#define BZ_JUMP_OFF	  0x201				    /* second byte of the jump at 0x200 */
#define BZ_MAGIC_OFF	  0x202				    /* "HdrS" */
#define BZ_MIN_VERSION	  0x020c			    /* 2.12: xloadflags, 64-bit entry */
#define BZ_RSDP_VERSION	  0x020e			    /* 2.14: acpi_rsdp_addr */
#define BZ_ENTRY64_OFF	  0x200
#define BZ_HEAP_END	  0xfe00 /* setup heap end, relative to 0x200 */
#define BZ_LOADER_UNKNOWN 0xff

/* Page-table entry bits. */
#define PTE_P  0x1ull
#define PTE_RW 0x2ull
#define PTE_PS 0x80ull

/* The header must reach at least the end of init_size (protocol 2.10). */
#define BZ_HDR_MIN_END (BZ_HDR_OFF + offsetof(struct setup_header, init_size) + 4)

_Static_assert(sizeof(struct boot_params) == 4096, "zero page is a page");
_Static_assert(LAYOUT_PAGE_TABLES + 6 * 4096 <= LAYOUT_PAGE_TABLES_END, "page tables fit");

bool bzimage_detect(const uint8_t *data, size_t len)
{
	return len >= BZ_MAGIC_OFF + 4 && memcmp(data + BZ_MAGIC_OFF, "HdrS", 4) == 0;
}

/* Copy and check the setup header. 0, -EINVAL or -ENOEXEC. */
static int bz_read_header(const uint8_t *d, size_t len, struct setup_header *h, char *err,
			  size_t errlen)
{
	size_t end = BZ_MAGIC_OFF + (size_t)d[BZ_JUMP_OFF];

	if (end < BZ_HDR_MIN_END || end > len) {
		boot_err(err, errlen,
			 "bzImage setup header is truncated (ends at 0x%zx, "
			 "file is %zu bytes)",
			 end, len);
		return -EINVAL;
	}
	end = MIN(end, BZ_HDR_OFF + sizeof(*h));
	memset(h, 0, sizeof(*h));
	memcpy(h, d + BZ_HDR_OFF, end - BZ_HDR_OFF);
	if (h->version < BZ_MIN_VERSION) {
		boot_err(err, errlen, "bzImage boot protocol %u.%02u is too old (need 2.12)",
			 h->version >> 8, h->version & 0xff);
		return -ENOEXEC;
	}
	if (!(h->xloadflags & XLF_KERNEL_64)) {
		boot_err(err, errlen, "bzImage has no 64-bit entry (XLF_KERNEL_64 clear)");
		return -ENOEXEC;
	}
	if (!(h->loadflags & LOADED_HIGH)) {
		boot_err(err, errlen, "zImage (not loaded high) is not supported");
		return -ENOEXEC;
	}
	return 0;
}

/* Where the kernel is loaded and where it will run (decompress). */
static int bz_place(const struct boot_args *a, const struct setup_header *h, uint64_t ksize,
		    uint64_t *load, uint64_t *end, char *err, size_t errlen)
{
	uint64_t align = h->kernel_alignment, run;
	int r;

	if (h->relocatable_kernel) {
		if (!align || (align & (align - 1))) {
			boot_err(err, errlen,
				 "bzImage kernel_alignment 0x%llx is not a power "
				 "of two",
				 (unsigned long long)align);
			return -EINVAL;
		}
		*load = LAYOUT_HIGH_START;
		/* The decompressor moves itself to the aligned load address,
		 * but never below LOAD_PHYSICAL_ADDR (= pref_address). */
		run = MAX(ALIGN_UP(*load, align), h->pref_address);
	} else {
		*load = h->pref_address;
		run = *load;
	}
	r = boot_check_range(a->mem, *load, ksize, LAYOUT_MMIO_HOLE_END, "bzImage kernel", err,
			     errlen);
	if (r)
		return r;
	r = boot_check_range(a->mem, run, MAX((uint64_t)h->init_size, 1), LAYOUT_MMIO_HOLE_END,
			     "bzImage init_size area", err, errlen);
	if (r)
		return r;
	*end = MAX(*load + ksize, run + h->init_size);
	return 0;
}

static int bz_write_page_tables(struct guest_mem *m)
{
	uint64_t *pt = guest_mem_ptr(m, gpa(LAYOUT_PAGE_TABLES), 6 * 4096);
	uint64_t *pml4 = pt, *pdpt = pt + 512, *pd = pt + 1024;

	if (!pt)
		return -EFAULT;
	memset(pt, 0, 6 * 4096);
	pml4[0] = (LAYOUT_PAGE_TABLES + 4096) | PTE_P | PTE_RW;
	for (uint64_t i = 0; i < 4; i++)
		pdpt[i] = (LAYOUT_PAGE_TABLES + (2 + i) * 4096) | PTE_P | PTE_RW;
	for (uint64_t i = 0; i < 4 * 512; i++)
		pd[i] = (i * MiB(2)) | PTE_P | PTE_RW | PTE_PS;
	return 0;
}

static void bz_fill_e820(struct boot_params *bp, const struct guest_mem *m)
{
	struct mem_map_entry map[MEM_MAP_MAX];
	unsigned n = guest_mem_map(m, map, MEM_MAP_MAX);

	for (unsigned i = 0; i < n; i++) {
		bp->e820_table[i].addr = map[i].addr;
		bp->e820_table[i].size = map[i].size;
		bp->e820_table[i].type = map[i].type;
	}
	bp->e820_entries = (uint8_t)n;
}

int bzimage_load(const struct boot_args *a, struct boot_cpu *cpu, char *err, size_t errlen)
{
	struct boot_params *bp;
	uint64_t setup, ksize, load, kend, initrd_at;
	struct setup_header h;
	int r;

	r = bz_read_header(a->kernel, a->kernel_len, &h, err, errlen);
	if (r)
		return r;
	setup = ((uint64_t)(h.setup_sects ? h.setup_sects : 4) + 1) * 512;
	if (setup >= a->kernel_len) {
		boot_err(err, errlen,
			 "bzImage is truncated: %zu bytes, setup code alone "
			 "takes %llu",
			 a->kernel_len, (unsigned long long)setup);
		return -EINVAL;
	}
	ksize = a->kernel_len - setup;
	r = bz_place(a, &h, ksize, &load, &kend, err, errlen);
	if (r)
		return r;

	bp = guest_mem_ptr(a->mem, gpa(LAYOUT_ZERO_PAGE), sizeof(*bp));
	if (!bp || bz_write_page_tables(a->mem)) {
		boot_err(err, errlen, "no guest RAM for the boot structures");
		return -EFAULT;
	}
	memset(bp, 0, sizeof(*bp));
	bp->hdr = h;
	bp->hdr.type_of_loader = BZ_LOADER_UNKNOWN;
	bp->hdr.loadflags |= CAN_USE_HEAP;
	bp->hdr.heap_end_ptr = BZ_HEAP_END;
	bp->hdr.cmd_line_ptr = (uint32_t)LAYOUT_CMDLINE;
	/* Ours to write, whatever the file holds: "leave at zero if there is
	 * no initial ramdisk" (boot.rst), and we pass no setup_data. */
	bp->hdr.ramdisk_image = 0;
	bp->hdr.ramdisk_size = 0;
	bp->hdr.setup_data = 0;
	bp->ext_cmd_line_ptr = (uint32_t)(LAYOUT_CMDLINE >> 32);
	r = boot_write_cmdline(a, LAYOUT_CMDLINE, NULL, h.cmdline_size, NULL, err, errlen);
	if (r)
		return r;
	if (boot_has_initrd(a)) {
		r = boot_place_initrd(a, (uint64_t)h.initrd_addr_max + 1, load, kend, &initrd_at,
				      err, errlen);
		if (r)
			return r;
		bp->hdr.ramdisk_image = (uint32_t)initrd_at;
		bp->hdr.ramdisk_size = (uint32_t)a->initrd_len;
		bp->ext_ramdisk_image = (uint32_t)(initrd_at >> 32);
		bp->ext_ramdisk_size = (uint32_t)((uint64_t)a->initrd_len >> 32);
	}
	bz_fill_e820(bp, a->mem);
	if (h.version >= BZ_RSDP_VERSION)
		bp->acpi_rsdp_addr = a->rsdp.a;

	/* bz_place() checked this range. */
	memcpy(guest_mem_ptr(a->mem, gpa(load), ksize), a->kernel + setup, ksize);
	*cpu = (struct boot_cpu){
		.mode = BOOT_CPU_LONG64,
		.rip = load + BZ_ENTRY64_OFF,
		.rsp = LAYOUT_BOOT_STACK,
		.rsi = LAYOUT_ZERO_PAGE,
		.cr3 = LAYOUT_PAGE_TABLES,
	};
	return 0;
}
