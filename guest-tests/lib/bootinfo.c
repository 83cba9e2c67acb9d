// SPDX-License-Identifier: MIT
#include "bootinfo.h"

#include "string.h"

extern uint32_t boot_magic, boot_ptr, boot_proto;
extern char __image_start[], __image_end[];

struct boot_info boot_info;

static void copy_cmdline(uint64_t paddr)
{
	const char *src = (const char *)(uintptr_t)paddr;
	size_t n;

	if (!paddr)
		return;
	n = strnlen(src, BOOT_CMDLINE_MAX);
	if (n == BOOT_CMDLINE_MAX) {
		boot_info.cmdline_truncated = true;
		n--;
	}
	memcpy(boot_info.cmdline, src, n);
	boot_info.cmdline[n] = '\0';
}

static void add_mem(uint64_t addr, uint64_t size, uint32_t type)
{
	if (boot_info.nr_mem < BOOT_MEM_MAX)
		boot_info.mem[boot_info.nr_mem++] = (struct boot_mem){addr, size, type};
}

static void pvh_init(const struct hvm_start_info *si)
{
	const struct hvm_memmap_table_entry *mm;
	const struct hvm_modlist_entry *mod;

	boot_info.pvh = *si;
	boot_info.magic = si->magic;
	boot_info.rsdp = si->rsdp_paddr;
	copy_cmdline(si->cmdline_paddr);
	mod = (const void *)(uintptr_t)si->modlist_paddr;
	for (uint32_t i = 0; mod && i < si->nr_modules && i < BOOT_MOD_MAX; i++)
		boot_info.modules[boot_info.nr_modules++] =
			(struct boot_module){mod[i].paddr, mod[i].size};
	mm = (const void *)(uintptr_t)si->memmap_paddr;
	if (si->version < 1)
		return;
	for (uint32_t i = 0; mm && i < si->memmap_entries && i < BOOT_MEM_MAX; i++)
		add_mem(mm[i].addr, mm[i].size, mm[i].type);
}

static void mb_init(const struct multiboot_info *mbi)
{
	boot_info.mb = *mbi;
	boot_info.magic = boot_magic;
	if (mbi->flags & MBI_CMDLINE)
		copy_cmdline(mbi->cmdline);
	if (mbi->flags & MBI_MODS) {
		const struct multiboot_module *m = (const void *)(uintptr_t)mbi->mods_addr;

		for (uint32_t i = 0; i < mbi->mods_count && i < BOOT_MOD_MAX; i++)
			boot_info.modules[boot_info.nr_modules++] =
				(struct boot_module){m[i].mod_start, m[i].mod_end - m[i].mod_start};
	}
	if (mbi->flags & MBI_MMAP) {
		uint64_t p = mbi->mmap_addr, end = p + mbi->mmap_length;

		/* Each step advances by at least 4 bytes; also capped in count. */
		for (int n = 0; n < 1024 && p + sizeof(struct multiboot_mmap_entry) <= end; n++) {
			const struct multiboot_mmap_entry *e = (const void *)(uintptr_t)p;

			add_mem(e->addr, e->len, e->type);
			p += (uint64_t)e->size + 4;
		}
	}
}

void bootinfo_init(void)
{
	boot_info.proto = boot_proto;
	boot_info.raw = boot_ptr;
	if (boot_proto == BOOT_PROTO_PVH)
		pvh_init((const struct hvm_start_info *)(uintptr_t)boot_ptr);
	else if (boot_proto == BOOT_PROTO_MULTIBOOT && boot_magic == MULTIBOOT_BOOTLOADER_MAGIC)
		mb_init((const struct multiboot_info *)(uintptr_t)boot_ptr);
}

uint64_t bootinfo_ram_bytes(void)
{
	uint64_t sum = 0;

	for (uint32_t i = 0; i < boot_info.nr_mem; i++)
		if (boot_info.mem[i].type == E820_RAM)
			sum += boot_info.mem[i].size;
	return sum;
}

bool bootinfo_is_ram(uint64_t addr, uint64_t size)
{
	for (uint32_t i = 0; i < boot_info.nr_mem; i++) {
		const struct boot_mem *m = &boot_info.mem[i];

		if (m->type == E820_RAM && addr >= m->addr && addr + size >= addr &&
		    addr + size <= m->addr + m->size)
			return true;
	}
	return false;
}

uint64_t image_start(void)
{
	return (uint64_t)(uintptr_t)__image_start;
}

uint64_t image_end(void)
{
	return (uint64_t)(uintptr_t)__image_end;
}
