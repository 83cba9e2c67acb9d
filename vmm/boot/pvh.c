// SPDX-License-Identifier: MIT
/* PVH boot: load an ELF kernel with XEN_ELFNOTE_PHYS32_ENTRY and hand it an
 * hvm_start_info (version 1) in 32-bit protected mode, paging off. The
 * start_info, memory map and module list share the page at
 * LAYOUT_START_INFO; the command line lives at LAYOUT_CMDLINE and the
 * initramfs (module 0) at the top of low RAM. */
#include <errno.h>
#include <string.h>

#include "vmm/boot/loader.h"
#include "vmm/boot/pvh.h"
#include "vmm/layout.h"

/* Offsets inside the start_info page. */
#define PVH_MEMMAP_OFF	ALIGN_UP(sizeof(struct hvm_start_info), 8)
#define PVH_MODLIST_OFF (PVH_MEMMAP_OFF + MEM_MAP_MAX * sizeof(struct hvm_memmap_table_entry))
#define PVH_PAGE_END	(PVH_MODLIST_OFF + sizeof(struct hvm_modlist_entry))

_Static_assert(PVH_PAGE_END <= BOOT_PAGE_SIZE, "PVH boot info fits a page");
_Static_assert(LAYOUT_START_INFO + BOOT_PAGE_SIZE <= LAYOUT_ZERO_PAGE,
	       "PVH page does not overlap the zero page");

int pvh_load(const struct boot_args *a, const struct elf_image *img, uint64_t entry,
	     struct boot_cpu *cpu, char *err, size_t errlen)
{
	struct mem_map_entry map[MEM_MAP_MAX];
	struct hvm_start_info si = {0};
	uint64_t lo, hi, initrd_at = 0;
	uint8_t *page;
	unsigned n;
	int r;

	page = guest_mem_ptr(a->mem, gpa(LAYOUT_START_INFO), BOOT_PAGE_SIZE);
	if (!page) {
		boot_err(err, errlen, "no guest RAM for the PVH start_info");
		return -EFAULT;
	}
	/* PVH enters in 32-bit mode without paging: everything below 4 GiB. */
	r = elf_load(img, a->mem, LAYOUT_MMIO_HOLE_END, &lo, &hi, err, errlen);
	if (r)
		return r;
	r = boot_write_cmdline(a, LAYOUT_CMDLINE, NULL, LAYOUT_CMDLINE_MAX - 1, NULL, err, errlen);
	if (r)
		return r;
	if (boot_has_initrd(a)) {
		r = boot_place_initrd(a, LAYOUT_MMIO_HOLE_START, lo, hi, &initrd_at, err, errlen);
		if (r)
			return r;
	}

	memset(page, 0, BOOT_PAGE_SIZE);
	n = guest_mem_map(a->mem, map, MEM_MAP_MAX);
	for (unsigned i = 0; i < n; i++) {
		struct hvm_memmap_table_entry e = {
			.addr = map[i].addr,
			.size = map[i].size,
			.type = map[i].type,
		};
		memcpy(page + PVH_MEMMAP_OFF + i * sizeof(e), &e, sizeof(e));
	}
	if (boot_has_initrd(a)) {
		struct hvm_modlist_entry mod = {
			.paddr = initrd_at,
			.size = a->initrd_len,
		};
		memcpy(page + PVH_MODLIST_OFF, &mod, sizeof(mod));
		si.nr_modules = 1;
		si.modlist_paddr = LAYOUT_START_INFO + PVH_MODLIST_OFF;
	}
	si.magic = HVM_START_MAGIC;
	si.version = HVM_START_VERSION;
	si.cmdline_paddr = LAYOUT_CMDLINE;
	si.rsdp_paddr = a->rsdp.a;
	si.memmap_paddr = LAYOUT_START_INFO + PVH_MEMMAP_OFF;
	si.memmap_entries = n;
	memcpy(page, &si, sizeof(si));

	*cpu = (struct boot_cpu){
		.mode = BOOT_CPU_PROT32,
		.rip = entry,
		.rbx = LAYOUT_START_INFO,
	};
	return 0;
}
