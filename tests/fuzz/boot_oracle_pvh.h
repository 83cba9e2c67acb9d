/* SPDX-License-Identifier: MIT */
/* The oracle of a successful PVH load, for the kernel-loader fuzz targets
 * (tests/fuzz/fuzz_boot_*.c): hvm_start_info, its memory map and module,
 * the segments and the vCPU state. */
#ifndef TESTS_FUZZ_BOOT_ORACLE_PVH_H
#define TESTS_FUZZ_BOOT_ORACLE_PVH_H

#include "tests/fuzz/boot_formats.h"

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

#endif /* TESTS_FUZZ_BOOT_ORACLE_PVH_H */
