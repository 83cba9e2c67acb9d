/* SPDX-License-Identifier: MIT */
/* What the loader told us, copied out of low memory at start-up and put in
 * one form whatever the boot protocol (PVH or Multiboot). */
#ifndef GT_BOOTINFO_H
#define GT_BOOTINFO_H

#include <asm/e820.h> /* E820_RAM */
#include <stdbool.h>
#include <stdint.h>

#include "multiboot.h"
#include "pvh.h"

#define BOOT_PROTO_PVH	     1
#define BOOT_PROTO_MULTIBOOT 2

#define BOOT_CMDLINE_MAX 4096
#define BOOT_MEM_MAX	 64
#define BOOT_MOD_MAX	 8

struct boot_mem {
	uint64_t addr, size;
	uint32_t type;
};

struct boot_module {
	uint64_t addr, size;
};

struct boot_info {
	uint32_t proto; /* BOOT_PROTO_* */
	uint32_t magic; /* start_info.magic, or %eax for Multiboot */
	uint64_t raw;	/* address of start_info / multiboot_info */
	uint64_t rsdp;	/* 0 when the loader gave none */
	char cmdline[BOOT_CMDLINE_MAX];
	bool cmdline_truncated;
	uint32_t nr_mem; /* entries in mem[] (more were dropped if > BOOT_MEM_MAX) */
	struct boot_mem mem[BOOT_MEM_MAX];
	uint32_t nr_modules;
	struct boot_module modules[BOOT_MOD_MAX];
	/* Copies of the raw structures, for the boot tests. */
	struct hvm_start_info pvh;
	struct multiboot_info mb;
};

extern struct boot_info boot_info;

/* Copy the loader's data (boot_proto/boot_magic/boot_ptr from the entry
 * stub) into boot_info. Call once at CPL3, before low memory is reused.
 * Every count and length is bounded by the limits above. */
void bootinfo_init(void);

/* Sum of the sizes of the E820_RAM entries. */
uint64_t bootinfo_ram_bytes(void);

/* True when [addr, addr + size) lies inside one RAM entry. */
bool bootinfo_is_ram(uint64_t addr, uint64_t size);

/* First and last+1 addresses of the loaded image (incl. bss). */
uint64_t image_start(void);
uint64_t image_end(void);

#endif
