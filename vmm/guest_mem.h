/* SPDX-License-Identifier: MIT */
/* Guest RAM: one or two anonymous mappings, with the MMIO hole at 3-4 GiB.
 * All VMM-side access to guest RAM by GPA goes through the checked helpers
 * here; devices go through the DMA API of their address space instead. */
#ifndef VMM_GUEST_MEM_H
#define VMM_GUEST_MEM_H

#include <asm/e820.h>

#include "vmm/types.h"

#define GUEST_MEM_MAX_REGIONS 2

struct mem_region {
	gpa_t base;
	uint64_t size;
	uint8_t *host; /* NULL until guest_mem_alloc() */
};

struct guest_mem {
	struct mem_region r[GUEST_MEM_MAX_REGIONS];
	unsigned nr;
	uint64_t ram_size; /* total bytes of RAM */
};

/* Compute the regions for ram_size bytes (no allocation). ram_size must be a
 * non-zero multiple of 4 KiB and at least 2 MiB. Returns 0 or -EINVAL. */
int guest_mem_layout(struct guest_mem *m, uint64_t ram_size) __must_check;

/* mmap every region (anonymous, private, MAP_NORESERVE). 0 or -errno. */
int guest_mem_alloc(struct guest_mem *m) __must_check;

/* munmap every region; safe on a partly allocated map. */
void guest_mem_free(struct guest_mem *m);

/* Host pointer for [addr, addr+len), or NULL when the range is not entirely
 * inside one RAM region (holes, past the end, wraparound). len 0 is valid
 * iff addr lies inside a region or at its end. */
void *guest_mem_ptr(const struct guest_mem *m, gpa_t addr, uint64_t len);

/* Copy to/from guest RAM. 0, or -EFAULT when the range is not RAM. */
int guest_mem_write(const struct guest_mem *m, gpa_t addr, const void *src,
		    uint64_t len) __must_check;
int guest_mem_read(const struct guest_mem *m, gpa_t addr, void *dst, uint64_t len) __must_check;

/* End of the RAM region that starts at 0 (the highest low-RAM GPA + 1). */
uint64_t guest_mem_low_end(const struct guest_mem *m);

/* One memory-map entry as both e820 and the PVH memmap describe it. */
enum mem_map_type { MEM_MAP_RAM = E820_RAM, MEM_MAP_RESERVED = E820_RESERVED };
struct mem_map_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type; /* enum mem_map_type */
};
#define MEM_MAP_MAX 8

/* Fill out[] with the guest memory map (RAM, the legacy reserved areas below
 * 1 MiB, RAM above 1 MiB, RAM above 4 GiB). Returns the number of entries. */
unsigned guest_mem_map(const struct guest_mem *m, struct mem_map_entry *out, unsigned max);

#endif
