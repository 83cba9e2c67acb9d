// SPDX-License-Identifier: MIT
/* Multiboot v1 (Multiboot Specification 0.6.96): find and check the header,
 * load the kernel (ELF program headers, or the a.out kludge addresses), and
 * build the multiboot_info in the low page at LAYOUT_ZERO_PAGE. The vCPU
 * starts in 32-bit protected mode, paging off, eax = 0x2BADB002, ebx = info.
 *
 * Page at LAYOUT_ZERO_PAGE: info | mmap | module list | strings.
 * Command line ("<kernel_path> <cmdline>", as GRUB and QEMU pass it) at
 * LAYOUT_CMDLINE; the initramfs is module 0, page aligned, top of low RAM. */
#include <elf.h>
#include <errno.h>
#include <string.h>

#include "vmm/boot/loader.h"
#include "vmm/boot/multiboot.h"
#include "vmm/layout.h"

#define MB_INFO_AT	  LAYOUT_ZERO_PAGE
#define MB_MMAP_AT	  (MB_INFO_AT + 0x80)
#define MB_MMAP_SIZE	  (MEM_MAP_MAX * sizeof(struct multiboot_mmap_entry))
#define MB_MODS_AT	  (MB_MMAP_AT + MB_MMAP_SIZE)
#define MB_LOADER_NAME_AT (MB_MODS_AT + sizeof(struct multiboot_mod))
#define MB_MOD_STRING_AT  (MB_LOADER_NAME_AT + 0x20)
#define MB_PAGE_END	  (MB_MOD_STRING_AT + 0x20)

#define MB_LOADER_NAME "vmm"
#define MB_MOD_STRING  "initrd"

_Static_assert(sizeof(struct multiboot_info) <= MB_MMAP_AT - MB_INFO_AT,
	       "info fits before the mmap");
_Static_assert(sizeof(MB_LOADER_NAME) <= 0x20 && sizeof(MB_MOD_STRING) <= 0x20, "strings fit");
_Static_assert(MB_PAGE_END <= LAYOUT_ZERO_PAGE + BOOT_PAGE_SIZE, "Multiboot info fits in its page");

static uint32_t mb_word(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

long multiboot_find(const uint8_t *data, size_t len, bool *bad_checksum)
{
	size_t end = MIN(len, (size_t)MULTIBOOT_SEARCH);

	/* At most 8192 / 4 steps. */
	for (size_t off = 0; off + 12 <= end; off += 4) {
		uint32_t magic = mb_word(data + off);

		if (magic != MULTIBOOT_HEADER_MAGIC)
			continue;
		if ((uint32_t)(magic + mb_word(data + off + 4) + mb_word(data + off + 8)) == 0)
			return (long)off;
		if (bad_checksum)
			*bad_checksum = true;
	}
	return -ENOENT;
}

/* Load with the a.out kludge address fields. */
static int mb_load_kludge(const struct boot_args *a, long off, const struct multiboot_header *h,
			  uint64_t *lo, uint64_t *hi, uint64_t *entry, char *err, size_t errlen)
{
	uint64_t text_off, size, mem_end;
	uint8_t *dst;
	int r;

	if (h->load_addr > h->header_addr || h->header_addr - h->load_addr > (uint64_t)off) {
		boot_err(err, errlen,
			 "Multiboot load_addr 0x%x / header_addr 0x%x do not "
			 "match the header's file offset 0x%lx",
			 h->load_addr, h->header_addr, off);
		return -EINVAL;
	}
	text_off = (uint64_t)off - (h->header_addr - h->load_addr);
	if (h->load_end_addr == 0)
		size = a->kernel_len - text_off;
	else if (h->load_end_addr < h->load_addr)
		size = UINT64_MAX; /* refused just below */
	else
		size = (uint64_t)h->load_end_addr - h->load_addr;
	if (!range_within(text_off, size, 0, a->kernel_len)) {
		boot_err(err, errlen,
			 "Multiboot load_end_addr 0x%x is past the end of the "
			 "file",
			 h->load_end_addr);
		return -EINVAL;
	}
	mem_end = h->load_addr + size;
	if (h->bss_end_addr) {
		if (h->bss_end_addr < mem_end) {
			boot_err(err, errlen,
				 "Multiboot bss_end_addr 0x%x is below the "
				 "loaded image",
				 h->bss_end_addr);
			return -EINVAL;
		}
		mem_end = h->bss_end_addr;
	}
	r = boot_check_range(a->mem, h->load_addr, mem_end - h->load_addr, LAYOUT_MMIO_HOLE_END,
			     "Multiboot image", err, errlen);
	if (r)
		return r;
	if (mem_end == h->load_addr) {
		boot_err(err, errlen, "Multiboot image is empty");
		return -EINVAL;
	}
	dst = guest_mem_ptr(a->mem, gpa(h->load_addr), mem_end - h->load_addr);
	memcpy(dst, a->kernel + text_off, size);
	memset(dst + size, 0, mem_end - h->load_addr - size);
	*lo = h->load_addr;
	*hi = mem_end;
	*entry = h->entry_addr;
	return 0;
}

/* GRUB's rule: an e_entry inside a segment's virtual range is translated
 * to the matching physical address. */
static uint64_t mb_elf_entry(const struct elf_image *img)
{
	for (unsigned i = 0; i < img->phnum; i++) {
		struct elf_phdr ph;

		elf_phdr_get(img, i, &ph);
		if (ph.type == PT_LOAD && img->entry >= ph.vaddr &&
		    img->entry - ph.vaddr < ph.memsz)
			return img->entry - ph.vaddr + ph.paddr;
	}
	return img->entry;
}

static int mb_check_header(const struct boot_args *a, long off, struct multiboot_header *h,
			   char *err, size_t errlen)
{
	uint32_t unsupported;

	memset(h, 0, sizeof(*h));
	memcpy(h, a->kernel + off, 12);
	unsupported = h->flags & MULTIBOOT_REQUIRED_MASK &
		      ~(MULTIBOOT_PAGE_ALIGN | MULTIBOOT_MEMORY_INFO);
	if (unsupported & MULTIBOOT_VIDEO_MODE) {
		boot_err(err, errlen,
			 "Multiboot kernel requires a video mode (flag 2); "
			 "not supported");
		return -ENOEXEC;
	}
	if (unsupported) {
		boot_err(err, errlen,
			 "Multiboot kernel requires unsupported features "
			 "(flags 0x%x)",
			 unsupported);
		return -ENOEXEC;
	}
	if (!(h->flags & MULTIBOOT_AOUT_KLUDGE))
		return 0;
	if (!range_within((uint64_t)off, sizeof(*h), 0, a->kernel_len)) {
		boot_err(err, errlen, "Multiboot header with address fields is truncated");
		return -EINVAL;
	}
	memcpy(h, a->kernel + off, sizeof(*h));
	return 0;
}

static void mb_write_info(const struct boot_args *a, uint8_t *page, uint64_t initrd_at)
{
	struct mem_map_entry map[MEM_MAP_MAX];
	unsigned n = guest_mem_map(a->mem, map, MEM_MAP_MAX);
	uint64_t low_end = guest_mem_low_end(a->mem);
	struct multiboot_info info = {0};

	memset(page, 0, BOOT_PAGE_SIZE);
	for (unsigned i = 0; i < n; i++) {
		struct multiboot_mmap_entry e = {
			.size = sizeof(e) - sizeof(e.size),
			.addr = map[i].addr,
			.len = map[i].size,
			.type = map[i].type,
		};
		memcpy(page + (MB_MMAP_AT - MB_INFO_AT) + i * sizeof(e), &e, sizeof(e));
	}
	memcpy(page + (MB_LOADER_NAME_AT - MB_INFO_AT), MB_LOADER_NAME, sizeof(MB_LOADER_NAME));
	memcpy(page + (MB_MOD_STRING_AT - MB_INFO_AT), MB_MOD_STRING, sizeof(MB_MOD_STRING));
	info.flags = MULTIBOOT_INFO_MEMORY | MULTIBOOT_INFO_CMDLINE | MULTIBOOT_INFO_MODS |
		     MULTIBOOT_INFO_MEM_MAP | MULTIBOOT_INFO_BOOT_LOADER_NAME;
	info.mem_lower = (uint32_t)(MIN(low_end, LAYOUT_LOW_RAM_END) >> 10);
	info.mem_upper =
		low_end > LAYOUT_HIGH_START ? (uint32_t)((low_end - LAYOUT_HIGH_START) >> 10) : 0;
	info.cmdline = (uint32_t)LAYOUT_CMDLINE;
	info.mods_addr = (uint32_t)MB_MODS_AT;
	info.mmap_addr = (uint32_t)MB_MMAP_AT;
	info.mmap_length = n * (uint32_t)sizeof(struct multiboot_mmap_entry);
	info.boot_loader_name = (uint32_t)MB_LOADER_NAME_AT;
	if (boot_has_initrd(a)) {
		struct multiboot_mod mod = {
			.mod_start = (uint32_t)initrd_at,
			.mod_end = (uint32_t)(initrd_at + a->initrd_len),
			.string = (uint32_t)MB_MOD_STRING_AT,
		};
		memcpy(page + (MB_MODS_AT - MB_INFO_AT), &mod, sizeof(mod));
		info.mods_count = 1;
	}
	memcpy(page, &info, sizeof(info));
}

int multiboot_load(const struct boot_args *a, long hdr_off, const struct elf_image *img,
		   struct boot_cpu *cpu, char *err, size_t errlen)
{
	struct multiboot_header h;
	uint64_t lo, hi, entry, initrd_at = 0;
	uint8_t *page;
	int r;

	r = mb_check_header(a, hdr_off, &h, err, errlen);
	if (r)
		return r;
	page = guest_mem_ptr(a->mem, gpa(MB_INFO_AT), BOOT_PAGE_SIZE);
	if (!page) {
		boot_err(err, errlen, "no guest RAM for the Multiboot info");
		return -EFAULT;
	}
	if (h.flags & MULTIBOOT_AOUT_KLUDGE) {
		r = mb_load_kludge(a, hdr_off, &h, &lo, &hi, &entry, err, errlen);
	} else if (img) {
		r = elf_load(img, a->mem, LAYOUT_MMIO_HOLE_END, &lo, &hi, err, errlen);
		entry = mb_elf_entry(img);
	} else {
		boot_err(err, errlen,
			 "not a kernel: Multiboot header without the a.out "
			 "kludge (flag 16) in a non-ELF file");
		return -ENOEXEC;
	}
	if (r)
		return r;
	if (entry > UINT32_MAX) {
		boot_err(err, errlen, "Multiboot entry 0x%llx is above 4 GiB",
			 (unsigned long long)entry);
		return -EINVAL;
	}
	r = boot_write_cmdline(a, LAYOUT_CMDLINE, a->kernel_path ? a->kernel_path : "kernel",
			       LAYOUT_CMDLINE_MAX - 1, NULL, err, errlen);
	if (r)
		return r;
	if (boot_has_initrd(a)) {
		r = boot_place_initrd(a, LAYOUT_MMIO_HOLE_START, lo, hi, &initrd_at, err, errlen);
		if (r)
			return r;
	}
	mb_write_info(a, page, initrd_at);
	*cpu = (struct boot_cpu){
		.mode = BOOT_CPU_PROT32,
		.rip = entry,
		.rax = MULTIBOOT_BOOTLOADER_MAGIC,
		.rbx = MB_INFO_AT,
	};
	return 0;
}
