/* SPDX-License-Identifier: MIT */
/* The PVH boot ABI structures, as defined by Xen's public header
 * xen/include/public/arch-x86/hvm/start_info.h (version 1). They are not in
 * the Linux UAPI headers, so they are written out here. All addresses are
 * guest-physical. */
#ifndef VMM_BOOT_PVH_H
#define VMM_BOOT_PVH_H

#include <stdint.h>

#define HVM_START_MAGIC	  0x336ec578u
#define HVM_START_VERSION 1u

#define HVM_MEMMAP_TYPE_RAM	 1u
#define HVM_MEMMAP_TYPE_RESERVED 2u

struct hvm_start_info {
	uint32_t magic;		/* HVM_START_MAGIC */
	uint32_t version;	/* 1: memmap fields are valid */
	uint32_t flags;		/* SIF_xxx; 0 */
	uint32_t nr_modules;	/* entries at modlist_paddr */
	uint64_t modlist_paddr; /* struct hvm_modlist_entry[] */
	uint64_t cmdline_paddr; /* NUL-terminated, or 0 */
	uint64_t rsdp_paddr;	/* ACPI RSDP, or 0 */
	uint64_t memmap_paddr;	/* struct hvm_memmap_table_entry[] */
	uint32_t memmap_entries;
	uint32_t reserved; /* must be zero */
};

struct hvm_modlist_entry {
	uint64_t paddr;
	uint64_t size;
	uint64_t cmdline_paddr; /* 0: no module command line */
	uint64_t reserved;
};

struct hvm_memmap_table_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type; /* e820 numbering */
	uint32_t reserved;
};

_Static_assert(sizeof(struct hvm_start_info) == 56, "start_info ABI");
_Static_assert(sizeof(struct hvm_modlist_entry) == 32, "modlist ABI");
_Static_assert(sizeof(struct hvm_memmap_table_entry) == 24, "memmap ABI");

#endif
