/* SPDX-License-Identifier: MIT */
/* Fake guest memory and table builders for the VT-d tests (test_vtd_*.c):
 * 8 MiB of RAM at GPA 0; root table, context table and page tables at fixed
 * GPAs; a fake MSI sink that records what the unit sends. */
#ifndef TESTS_UNIT_VTD_FIXTURE_H
#define TESTS_UNIT_VTD_FIXTURE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "devices/vtd/vtd_internal.h"
#include "iommu/dma.h"

#define VRAM	  MiB(8)
#define ROOT	  0x10000ull /* root table */
#define CTXT	  0x11000ull /* context table of bus 0 */
#define PML4	  0x12000ull
#define PDPT	  0x13000ull
#define PD	  0x14000ull
#define PT	  0x15000ull
#define DATA	  0x100000ull /* data pages from here */
#define RID	  0x0010      /* 00:02.0 */
#define DID	  7
#define R	  1ull
#define W	  2ull
#define PS	  (1ull << 7)
#define SAGAW_ALL (VTD_CAP_SAGAW_39 | VTD_CAP_SAGAW_48)

struct fake_msi {
	unsigned sent;
	struct msi_msg last;
};

static inline int fake_msi_send(void *opaque, const struct msi_msg *m, uint16_t rid)
{
	struct fake_msi *f = opaque;

	(void)rid;
	f->sent++;
	f->last = *m;
	return 0;
}

static inline void mem_init(struct guest_mem *mem)
{
	mem->r[0] = (struct mem_region){gpa(0), VRAM, calloc(1, VRAM)};
	mem->nr = 1;
	mem->ram_size = VRAM;
	assert_non_null(mem->r[0].host);
}

static inline void put64(struct guest_mem *mem, uint64_t a, uint64_t v)
{
	assert_int_equal(guest_mem_write(mem, gpa(a), &v, 8), 0);
}

static inline uint64_t get64(struct guest_mem *mem, uint64_t a)
{
	uint64_t v;

	assert_int_equal(guest_mem_read(mem, gpa(a), &v, 8), 0);
	return v;
}

/* Root entry of bus 0 -> CTXT; context entry of rid: tables at PML4 (4
 * levels, aw 2) or PDPT (3 levels, aw 1), domain did, tt, fpd. */
static inline void ctx_set(struct guest_mem *mem, uint16_t rid, unsigned aw, uint16_t did,
			   unsigned tt, bool fpd)
{
	put64(mem, ROOT, CTXT | 1);
	put64(mem, ROOT + 8, 0);
	put64(mem, CTXT + 16ull * rid,
	      (aw == 2 ? PML4 : PDPT) | (uint64_t)tt << 2 | (fpd ? 2 : 0) | 1);
	put64(mem, CTXT + 16ull * rid + 8, aw | (uint64_t)did << 8);
}

/* 4 KiB page iova -> g with perm, through PML4/PDPT/PD/PT (the upper
 * levels read-write). Works for the 3-level layout too (from PDPT). */
static inline void map4k(struct guest_mem *mem, uint64_t iova_a, uint64_t g, uint64_t perm)
{
	put64(mem, PML4 + 8 * ((iova_a >> 39) & 511), PDPT | R | W);
	put64(mem, PDPT + 8 * ((iova_a >> 30) & 511), PD | R | W);
	put64(mem, PD + 8 * ((iova_a >> 21) & 511), PT | R | W);
	put64(mem, PT + 8 * ((iova_a >> 12) & 511), g | perm);
}

#endif
