/* SPDX-License-Identifier: MIT */
/* VT-d second-level page tables (VT-d ch. 9) of 3 or 4 levels, with 4 KiB
 * and 2 MiB leaves, built in pages from vtd_page(). The tables are the
 * guest's own: changing an entry is a store; the caller invalidates. */
#ifndef GT_VTD_PT_H
#define GT_VTD_PT_H

#include <stdint.h>

#define VTD_4K 0x1000ull
#define VTD_2M 0x200000ull

struct vtd_pt {
	uint64_t *pgd;	 /* the top-level table */
	unsigned levels; /* 3 (39-bit) or 4 (48-bit) */
};

/* An empty table of levels (3 or 4). */
void vtd_pt_init(struct vtd_pt *pt, unsigned levels);

/* Map [iova, iova + size) to gpa with perm (VTD_PTE_R | VTD_PTE_W), with
 * leaves of leaf bytes (VTD_4K or VTD_2M); iova, gpa and size aligned to
 * leaf. Missing tables are added. 0, or -1 (bad alignment, iova beyond the
 * table's width, or a 2 MiB leaf where a table is, or the reverse). */
int vtd_pt_map(struct vtd_pt *pt, uint64_t iova, uint64_t gpa, uint64_t size, uint64_t leaf,
	       uint64_t perm);

/* The entry that maps iova at level (1: 4 KiB leaf, 2: 2 MiB leaf or a
 * table pointer, ...), or NULL when a table on the way is missing. */
uint64_t *vtd_pt_entry(const struct vtd_pt *pt, uint64_t iova, unsigned level);

#endif
