// SPDX-License-Identifier: MIT
/* VT-d second-level page tables (see vtd_pt.h). */
#include "vtd_pt.h"

#include "virtio.h"
#include "vtd.h"

static unsigned pt_index(uint64_t iova, unsigned level)
{
	return (unsigned)(iova >> (12 + 9 * (level - 1))) & 511;
}

static uint64_t *table_of(uint64_t e)
{
	return (uint64_t *)(uintptr_t)(e & VTD_PTE_ADDR);
}

void vtd_pt_init(struct vtd_pt *pt, unsigned levels)
{
	pt->pgd = vtd_page();
	pt->levels = levels;
}

/* The entry of iova at level, adding tables on the way when add. */
static uint64_t *walk(const struct vtd_pt *pt, uint64_t iova, unsigned level, bool add)
{
	uint64_t *t = pt->pgd;

	for (unsigned l = pt->levels; l > level; l--) {
		uint64_t *e = &t[pt_index(iova, l)];

		if (!(*e & (VTD_PTE_R | VTD_PTE_W))) {
			if (!add)
				return NULL;
			*e = virt_to_phys(vtd_page()) | VTD_PTE_R | VTD_PTE_W;
		} else if (*e & VTD_PTE_PS) {
			return NULL;
		}
		t = table_of(*e);
	}
	return &t[pt_index(iova, level)];
}

int vtd_pt_map(struct vtd_pt *pt, uint64_t iova, uint64_t gpa, uint64_t size, uint64_t leaf,
	       uint64_t perm)
{
	unsigned level = leaf == VTD_2M ? 2 : 1;

	if ((leaf != VTD_4K && leaf != VTD_2M) || ((iova | gpa | size) & (leaf - 1)) ||
	    (iova + size) >> (12 + 9 * pt->levels))
		return -1;
	for (uint64_t off = 0; off < size; off += leaf) {
		uint64_t *e = walk(pt, iova + off, level, true);

		/* A 2 MiB leaf never replaces a table. */
		if (!e || (level == 2 && (*e & (VTD_PTE_R | VTD_PTE_W)) && !(*e & VTD_PTE_PS)))
			return -1;
		*e = ((gpa + off) & VTD_PTE_ADDR) | perm | (level == 2 ? VTD_PTE_PS : 0);
	}
	return 0;
}

uint64_t *vtd_pt_entry(const struct vtd_pt *pt, uint64_t iova, unsigned level)
{
	return walk(pt, iova, level, false);
}
