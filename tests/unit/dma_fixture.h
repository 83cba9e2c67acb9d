/* SPDX-License-Identifier: MIT */
/* Fake guest memory for the DMA-level tests (test_dma.c, test_virtqueue*.c
 * through virtq_fixture.h): RAM at [0, 1 MiB) and [4 GiB, 4 GiB + 1 MiB),
 * each region optionally with guard bytes on both sides, and a fake IOMMU
 * page table (one struct pte per 4 KiB iova page). Helpers are static inline
 * so that a test program may leave some unused. */
#ifndef TESTS_UNIT_DMA_FIXTURE_H
#define TESTS_UNIT_DMA_FIXTURE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "iommu/dma.h"

#define RAM_SIZE   MiB(1)
#define HI_BASE	   GiB(4)
#define PAGE	   4096ull
#define GUARD_BYTE 0xa5
#define RW	   (DMA_ACCESS_READ | DMA_ACCESS_WRITE)

struct pte {
	bool present;
	uint64_t gpa;  /* page-aligned */
	unsigned perm; /* DMA_ACCESS_* */
};

/* Fill mem with the two zeroed RAM regions. buf[i] receives region i's
 * allocation: guard bytes of GUARD_BYTE, RAM_SIZE bytes of RAM, guard bytes
 * again. Free with fake_mem_free(buf). */
static inline int fake_mem_init(struct guest_mem *mem, uint8_t *buf[2], size_t guard)
{
	const uint64_t base[2] = {0, HI_BASE};

	for (int i = 0; i < 2; i++) {
		buf[i] = malloc(RAM_SIZE + 2 * guard);
		if (!buf[i])
			return -1;
		memset(buf[i], GUARD_BYTE, RAM_SIZE + 2 * guard);
		memset(buf[i] + guard, 0, RAM_SIZE);
		mem->r[i] = (struct mem_region){gpa(base[i]), RAM_SIZE, buf[i] + guard};
	}
	mem->nr = 2;
	mem->ram_size = 2 * RAM_SIZE;
	return 0;
}

static inline void fake_mem_free(uint8_t *buf[2])
{
	free(buf[0]);
	free(buf[1]);
}

/* A dma_translator's translate through the npages entries of pt: an absent
 * page faults as unmapped, a present one maps to the end of its page. */
static inline int pt_translate(const struct pte *pt, uint64_t npages, iova_t iova,
			       struct dma_xlate *x, struct dma_fault *f)
{
	uint64_t pg = iova.a / PAGE;

	if (pg >= npages || !pt[pg].present) {
		f->reason = DMA_FAULT_UNMAPPED;
		return -EFAULT;
	}
	x->gpa = gpa(pt[pg].gpa + iova.a % PAGE);
	x->len = PAGE - iova.a % PAGE;
	x->perm = pt[pg].perm;
	return 0;
}

#endif /* TESTS_UNIT_DMA_FIXTURE_H */
