/* SPDX-License-Identifier: MIT */
/* The oracle of a successful bzImage load (Linux boot protocol), for the
 * kernel-loader fuzz targets (tests/fuzz/fuzz_boot_*.c): the zero page, its
 * e820 table, the page tables and the vCPU state. */
#ifndef TESTS_FUZZ_BOOT_ORACLE_BZIMAGE_H
#define TESTS_FUZZ_BOOT_ORACLE_BZIMAGE_H

#include "tests/fuzz/boot_formats.h"

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

#endif /* TESTS_FUZZ_BOOT_ORACLE_BZIMAGE_H */
