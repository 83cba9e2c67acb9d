/* SPDX-License-Identifier: MIT */
/* Multiboot v1 structures, as laid out by the Multiboot Specification
 * version 0.6.96 (sections 3.1 "OS image format" and 3.3 "Boot information
 * format"). Written out because no system header provides them. */
#ifndef VMM_BOOT_MULTIBOOT_H
#define VMM_BOOT_MULTIBOOT_H

#include <stdint.h>

#include "vmm/types.h"

#define MULTIBOOT_HEADER_MAGIC	   0x1BADB002u
#define MULTIBOOT_BOOTLOADER_MAGIC 0x2BADB002u
#define MULTIBOOT_SEARCH	   8192 /* the header lies in the first 8 KiB */

/* Header flags: bits 0-15 are requirements, 16-31 optional features. */
#define MULTIBOOT_PAGE_ALIGN	BIT(0)	/* modules page aligned */
#define MULTIBOOT_MEMORY_INFO	BIT(1)	/* mem_* and mmap_* fields */
#define MULTIBOOT_VIDEO_MODE	BIT(2)	/* video mode table */
#define MULTIBOOT_AOUT_KLUDGE	BIT(16) /* address fields are valid */
#define MULTIBOOT_REQUIRED_MASK 0xffffu

struct multiboot_header {
	uint32_t magic, flags, checksum;
	/* valid with MULTIBOOT_AOUT_KLUDGE */
	uint32_t header_addr, load_addr, load_end_addr, bss_end_addr;
	uint32_t entry_addr;
};

/* Info flags. */
#define MULTIBOOT_INFO_MEMORY		BIT(0)
#define MULTIBOOT_INFO_CMDLINE		BIT(2)
#define MULTIBOOT_INFO_MODS		BIT(3)
#define MULTIBOOT_INFO_MEM_MAP		BIT(6)
#define MULTIBOOT_INFO_BOOT_LOADER_NAME BIT(9)

struct multiboot_info {
	uint32_t flags;
	uint32_t mem_lower, mem_upper; /* KiB */
	uint32_t boot_device;
	uint32_t cmdline;
	uint32_t mods_count, mods_addr;
	uint32_t syms[4];
	uint32_t mmap_length, mmap_addr;
	uint32_t drives_length, drives_addr;
	uint32_t config_table;
	uint32_t boot_loader_name;
	uint32_t apm_table;
	uint32_t vbe_control_info, vbe_mode_info;
	uint16_t vbe_mode, vbe_interface_seg, vbe_interface_off, vbe_interface_len;
	uint64_t framebuffer_addr;
	uint32_t framebuffer_pitch, framebuffer_width, framebuffer_height;
	uint8_t framebuffer_bpp, framebuffer_type, color_info[6];
} __packed;

struct multiboot_mmap_entry {
	uint32_t size; /* of the rest of the entry: 20 */
	uint64_t addr, len;
	uint32_t type; /* e820 numbering */
} __packed;

struct multiboot_mod {
	uint32_t mod_start, mod_end; /* [start, end) */
	uint32_t string;	     /* NUL-terminated, GPA */
	uint32_t reserved;
};

_Static_assert(sizeof(struct multiboot_info) == 116, "multiboot_info ABI");
_Static_assert(sizeof(struct multiboot_mmap_entry) == 24, "mmap entry ABI");
_Static_assert(sizeof(struct multiboot_mod) == 16, "module ABI");

#endif
