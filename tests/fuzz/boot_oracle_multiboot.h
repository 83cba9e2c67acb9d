/* SPDX-License-Identifier: MIT */
/* The oracle of a successful Multiboot load, for the kernel-loader fuzz
 * targets (tests/fuzz/fuzz_boot_*.c): the a.out kludge or the ELF segments,
 * the Multiboot info, its mmap, module and strings, and the vCPU state. */
#ifndef TESTS_FUZZ_BOOT_ORACLE_MULTIBOOT_H
#define TESTS_FUZZ_BOOT_ORACLE_MULTIBOOT_H

#include "tests/fuzz/boot_formats.h"

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

#endif /* TESTS_FUZZ_BOOT_ORACLE_MULTIBOOT_H */
