/* SPDX-License-Identifier: MIT */
/* The Multiboot v1 information structure (Multiboot Specification 0.6.96). */
#ifndef GT_MULTIBOOT_H
#define GT_MULTIBOOT_H

#include <stdint.h>

#define MULTIBOOT_BOOTLOADER_MAGIC 0x2badb002

#define MBI_MEMORY  0x001 /* mem_lower, mem_upper */
#define MBI_CMDLINE 0x004
#define MBI_MODS    0x008
#define MBI_MMAP    0x040

struct multiboot_info {
	uint32_t flags;
	uint32_t mem_lower; /* KiB below 1 MiB */
	uint32_t mem_upper; /* KiB from 1 MiB to the first hole */
	uint32_t boot_device;
	uint32_t cmdline;
	uint32_t mods_count;
	uint32_t mods_addr;
	uint32_t syms[4];
	uint32_t mmap_length;
	uint32_t mmap_addr;
	uint32_t drives_length;
	uint32_t drives_addr;
	uint32_t config_table;
	uint32_t boot_loader_name;
	uint32_t apm_table;
};

struct multiboot_module {
	uint32_t mod_start;
	uint32_t mod_end; /* exclusive */
	uint32_t string;
	uint32_t reserved;
};

/* An mmap entry; "size" does not count itself, the next entry starts at
 * (char *)entry + size + 4. */
struct multiboot_mmap_entry {
	uint32_t size;
	uint64_t addr;
	uint64_t len;
	uint32_t type;
} __attribute__((packed));

#endif
