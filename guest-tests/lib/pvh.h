/* SPDX-License-Identifier: MIT */
/* The PVH boot ABI (xen/include/public/arch-x86/hvm/start_info.h). */
#ifndef GT_PVH_H
#define GT_PVH_H

#include <stdint.h>

#define PVH_START_MAGIC 0x336ec578

struct hvm_start_info {
	uint32_t magic;
	uint32_t version;
	uint32_t flags;
	uint32_t nr_modules;
	uint64_t modlist_paddr;
	uint64_t cmdline_paddr;
	uint64_t rsdp_paddr;
	uint64_t memmap_paddr; /* version >= 1 */
	uint32_t memmap_entries;
	uint32_t reserved;
};

struct hvm_modlist_entry {
	uint64_t paddr;
	uint64_t size;
	uint64_t cmdline_paddr;
	uint64_t reserved;
};

struct hvm_memmap_table_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type; /* E820 types: 1 RAM, 2 reserved, 3 ACPI, 4 NVS */
	uint32_t reserved;
};

_Static_assert(sizeof(struct hvm_start_info) == 56, "start_info size");
_Static_assert(sizeof(struct hvm_modlist_entry) == 32, "modlist size");
_Static_assert(sizeof(struct hvm_memmap_table_entry) == 24, "memmap size");

#endif
