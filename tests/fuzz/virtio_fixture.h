/* SPDX-License-Identifier: MIT */
/* What the virtio fuzz targets (fuzz_virtio_iommu.c, fuzz_virtqueue.c)
 * share: fake guest RAM of two small regions, VFX_RAM bytes at GPA 0 and at
 * VFX_HI, each between guard bytes, reset for every input. Small, so that
 * the fuzzer's addresses often land on the edges of RAM. Helpers are static
 * inline so that a target may leave some unused. */
#ifndef TESTS_FUZZ_VIRTIO_FIXTURE_H
#define TESTS_FUZZ_VIRTIO_FIXTURE_H

#include "tests/fuzz/fuzz.h"
#include "vmm/guest_mem.h"

#ifndef VFX_RAM /* a target may choose another size, a multiple of VFX_PAGE */
#define VFX_RAM KiB(64)
#endif
#define VFX_HI	       GiB(4)
#define VFX_GUARD      256
#define VFX_GUARD_BYTE 0xa5
#define VFX_PAGE       4096ull

struct vfx_ram {
	struct guest_mem mem;
	uint8_t buf[2][VFX_GUARD + VFX_RAM + VFX_GUARD];
};

/* Zeroed RAM between intact guards, the regions described in r->mem. */
static inline void vfx_ram_reset(struct vfx_ram *r)
{
	const uint64_t base[2] = {0, VFX_HI};

	for (int i = 0; i < 2; i++) {
		memset(r->buf[i], VFX_GUARD_BYTE, VFX_GUARD);
		memset(r->buf[i] + VFX_GUARD, 0, VFX_RAM);
		memset(r->buf[i] + VFX_GUARD + VFX_RAM, VFX_GUARD_BYTE, VFX_GUARD);
		r->mem.r[i] = (struct mem_region){gpa(base[i]), VFX_RAM, r->buf[i] + VFX_GUARD};
	}
	r->mem.nr = 2;
	r->mem.ram_size = 2 * VFX_RAM;
}

/* True when every guard byte still holds VFX_GUARD_BYTE. */
static inline bool vfx_guards_ok(const struct vfx_ram *r)
{
	for (int i = 0; i < 2; i++)
		for (unsigned j = 0; j < VFX_GUARD; j++)
			if (r->buf[i][j] != VFX_GUARD_BYTE ||
			    r->buf[i][VFX_GUARD + VFX_RAM + j] != VFX_GUARD_BYTE)
				return false;
	return true;
}

/* The GPA of RAM page j (0 .. 2 * VFX_RAM / VFX_PAGE - 1): low RAM, then high. */
static inline uint64_t vfx_page_gpa(unsigned j)
{
	const unsigned per = VFX_RAM / VFX_PAGE;

	return j < per ? j * VFX_PAGE : VFX_HI + (j - per) * VFX_PAGE;
}

/* The host address of [a, a + len) when it lies inside one RAM region. */
static inline uint8_t *vfx_ptr(const struct vfx_ram *r, uint64_t a, uint64_t len)
{
	return guest_mem_ptr(&r->mem, gpa(a), len);
}

#endif /* TESTS_FUZZ_VIRTIO_FIXTURE_H */
