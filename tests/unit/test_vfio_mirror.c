// SPDX-License-Identifier: MIT
/* The VFIO mirror (devices/vfio/mirror.c) and struct host_dma against a fake
 * host IOMMU that keeps what it was asked to map: one host map per guest
 * MAP whatever its length, the host address of the GPA (RAM, or a BAR
 * through the resolver), unmaps, identity over RAM for bypass, a host
 * refusal rolled back in the core and seen by the guest as an error, the
 * counters, and the reserved ranges derived from the usable ones. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "devices/vfio/mirror.h"

#define RID 0x0018
#define RW  (IOMMU_MAP_READ | IOMMU_MAP_WRITE)

struct fake_map {
	uint64_t iova, len;
	void *host;
	unsigned perm;
};

static struct fake_host {
	struct fake_map m[64];
	unsigned nr;
	int refuse; /* the next map fails with this (0: none) */
} fh;

static int fake_map(void *opaque, uint64_t iova, void *host, uint64_t len, unsigned perm)
{
	(void)opaque;
	if (fh.refuse) {
		int r = fh.refuse;

		fh.refuse = 0;
		return r;
	}
	for (unsigned i = 0; i < fh.nr; i++)
		if (iova < fh.m[i].iova + fh.m[i].len && fh.m[i].iova < iova + len)
			return -EEXIST;
	assert_true(fh.nr < ARRAY_SIZE(fh.m));
	fh.m[fh.nr++] = (struct fake_map){iova, len, host, perm};
	return 0;
}

static int fake_unmap(void *opaque, uint64_t iova, uint64_t len, uint64_t *done)
{
	(void)opaque;
	*done = 0;
	for (unsigned i = 0; i < fh.nr;) {
		if (!len || (fh.m[i].iova >= iova && fh.m[i].iova + fh.m[i].len <= iova + len)) {
			*done += fh.m[i].len;
			fh.m[i] = fh.m[--fh.nr];
		} else {
			i++;
		}
	}
	return 0;
}

static int64_t fake_avail(void *opaque)
{
	(void)opaque;
	return 65535 - fh.nr;
}

static const struct host_dma_ops fake_ops = {fake_map, fake_unmap, fake_avail};

static struct host_dma h;
static struct guest_mem mem;
static struct iommu *io;
static struct vfio_mirror mir;
static uint8_t bar[0x4000]; /* a peer device's BAR at BAR_GPA */
#define BAR_GPA 0xc0000000ull

static void *resolve(void *opaque, gpa_t g, uint64_t len)
{
	void *p = guest_mem_ptr(opaque, g, len);

	if (!p && g.a >= BAR_GPA && g.a + len <= BAR_GPA + sizeof(bar))
		p = bar + (g.a - BAR_GPA);
	return p;
}

static int setup(void **state)
{
	struct iommu_config cfg = {.page_size_mask = ~0xfffull,
				   .input_last = (1ull << 39) - 1,
				   .domain_last = 0xffff,
				   .bypass = true};

	(void)state;
	memset(&fh, 0, sizeof(fh));
	h = (struct host_dma){.ops = &fake_ops};
	assert_int_equal(guest_mem_layout(&mem, 64ull << 20), 0);
	assert_int_equal(guest_mem_alloc(&mem), 0);
	assert_int_equal(iommu_create(&cfg, &io), 0);
	assert_int_equal(iommu_endpoint_add(io, RID, NULL), 0);
	vfio_mirror_init(&mir, &h, &mem, (struct gpa_host){resolve, &mem}, "test");
	return iommu_notifier_add(io, RID, &mir.n);
}

static int teardown(void **state)
{
	(void)state;
	iommu_destroy(io);
	guest_mem_free(&mem);
	return 0;
}

static const struct fake_map *host_at(uint64_t iova)
{
	for (unsigned i = 0; i < fh.nr; i++)
		if (fh.m[i].iova == iova)
			return &fh.m[i];
	return NULL;
}

static void test_one_host_map_per_guest_map(void **state)
{
	const struct fake_map *m;
	uint64_t maps0, unmaps0;

	(void)state;
	/* Detached with global bypass off: nothing mapped. */
	assert_int_equal(iommu_set_bypass(io, false), 0);
	assert_int_equal(fh.nr, 0);
	maps0 = h.maps;
	unmaps0 = h.unmaps;
	assert_int_equal(iommu_attach(io, 1, RID, 0), 0);
	/* 1 MiB in one request: one host map, of the right host memory. */
	assert_int_equal(iommu_map(io, 1, iova(0x100000), iova(0x1fffff), gpa(0x300000), RW), 0);
	assert_int_equal(fh.nr, 1);
	m = host_at(0x100000);
	assert_non_null(m);
	assert_int_equal(m->len, 0x100000);
	assert_ptr_equal(m->host, guest_mem_ptr(&mem, gpa(0x300000), 1));
	assert_int_equal(m->perm, HOST_DMA_READ | HOST_DMA_WRITE);
	assert_int_equal(h.maps - maps0, 1);
	assert_int_equal(h.pinned, 0x100000);
	/* Read-only. */
	assert_int_equal(
		iommu_map(io, 1, iova(0x400000), iova(0x400fff), gpa(0x5000), IOMMU_MAP_READ), 0);
	assert_int_equal(host_at(0x400000)->perm, HOST_DMA_READ);
	/* UNMAP: one host unmap per mapping removed. */
	assert_int_equal(iommu_unmap(io, 1, iova(0), iova(0x3fffff)), 0);
	assert_null(host_at(0x100000));
	assert_non_null(host_at(0x400000));
	assert_int_equal(h.unmaps - unmaps0, 1);
	assert_int_equal(h.pinned, 0x1000);
	/* Detach: everything goes. */
	assert_int_equal(iommu_detach(io, 1, RID), 0);
	assert_int_equal(fh.nr, 0);
	assert_int_equal(h.pinned, 0);
}

static void test_refused_map_rolls_back(void **state)
{
	struct dma_xlate x;
	struct dma_fault f;

	(void)state;
	assert_int_equal(iommu_set_bypass(io, false), 0);
	assert_int_equal(iommu_attach(io, 1, RID, 0), 0);
	fh.refuse = -ENOSPC; /* dma_avail exhausted */
	assert_int_equal(iommu_map(io, 1, iova(0x10000), iova(0x1ffff), gpa(0x10000), RW), -EIO);
	assert_int_equal(fh.nr, 0);
	assert_int_equal(h.map_errors, 1);
	assert_true(mir.warned);
	/* The core does not translate what the host refused. */
	assert_int_equal(iommu_translate(io, RID, iova(0x10000), DMA_ACCESS_READ, &x, &f), -EFAULT);
	/* And the next one works. */
	assert_int_equal(iommu_map(io, 1, iova(0x10000), iova(0x1ffff), gpa(0x10000), RW), 0);
	assert_int_equal(fh.nr, 1);
}

/* F3: the host's mapped bytes are budgeted (the same RAM mapped at many
 * IOVAs costs the host page tables and pins, unlimited RLIMIT_MEMLOCK or
 * not): a map past the budget is refused with NOMEM's errno, counted, and
 * an unmap makes room again. */
static void test_budget(void **state)
{
	(void)state;
	assert_int_equal(iommu_set_bypass(io, false), 0);
	assert_int_equal(iommu_attach(io, 1, RID, 0), 0);
	h.budget = 0x300000;		 /* 3 MiB */
	for (unsigned i = 0; i < 3; i++) /* the same 1 MiB of RAM, three times */
		assert_int_equal(iommu_map(io, 1, iova(0x1000000 + i * 0x100000),
					   iova(0x10fffff + i * 0x100000), gpa(0x200000), RW),
				 0);
	assert_int_equal(iommu_map(io, 1, iova(0x2000000), iova(0x2000fff), gpa(0x200000), RW),
			 -ENOMEM);
	assert_int_equal(h.over_budget, 1);
	assert_int_equal(fh.nr, 3);
	assert_int_equal(iommu_unmap(io, 1, iova(0x1000000), iova(0x10fffff)), 0);
	assert_int_equal(iommu_map(io, 1, iova(0x2000000), iova(0x2000fff), gpa(0x200000), RW), 0);
	assert_int_equal(h.pinned, 0x200000 + 0x1000);
	h.budget = 0;
}

static void test_not_ram_refused(void **state)
{
	(void)state;
	assert_int_equal(iommu_set_bypass(io, false), 0);
	assert_int_equal(iommu_attach(io, 1, RID, 0), 0);
	/* The MMIO hole, not a BAR: refused, nothing at the host. */
	assert_int_equal(iommu_map(io, 1, iova(0x0), iova(0xfff), gpa(0xd0000000), RW), -EIO);
	assert_int_equal(fh.nr, 0);
	/* A peer's BAR: its mmap. */
	assert_int_equal(iommu_map(io, 1, iova(0x8000), iova(0x8fff), gpa(BAR_GPA + 0x1000),
				   RW | IOMMU_MAP_MMIO),
			 0);
	assert_ptr_equal(host_at(0x8000)->host, bar + 0x1000);
}

static void test_bypass_maps_ram(void **state)
{
	(void)state;
	/* Global bypass (the boot default): identity over every RAM region. */
	assert_int_equal(fh.nr, mem.nr);
	for (unsigned i = 0; i < mem.nr; i++) {
		const struct fake_map *m = host_at(mem.r[i].base.a);

		assert_non_null(m);
		assert_int_equal(m->len, mem.r[i].size);
		assert_ptr_equal(m->host, mem.r[i].host);
	}
	/* Attaching to a translated domain ends it. */
	assert_int_equal(iommu_attach(io, 7, RID, 0), 0);
	assert_int_equal(fh.nr, 0);
	assert_int_equal(h.pinned, 0);
	/* A bypass domain brings it back. */
	assert_int_equal(iommu_attach(io, 8, RID, IOMMU_ATTACH_BYPASS), 0);
	assert_int_equal(fh.nr, mem.nr);
	assert_int_equal(host_dma_unmap_all(&h), mem.ram_size);
	assert_int_equal(h.pinned, 0);
}

static void test_reserved_ranges(void **state)
{
	struct host_dma r = {.nr_ranges = 2,
			     .ranges = {{0, 0xfedfffff}, {0xfef00000, (1ull << 39) - 1}},
			     .pgsizes = 0x40201000};
	struct host_iova_range out[4];
	unsigned n;

	(void)state;
	n = host_dma_reserved(&r, (1ull << 48) - 1, out, 4);
	assert_int_equal(n, 2);
	assert_int_equal(out[0].first, 0xfee00000);
	assert_int_equal(out[0].last, 0xfeefffff);
	assert_int_equal(out[1].first, 1ull << 39);
	assert_int_equal(out[1].last, (1ull << 48) - 1);
	/* Up to a smaller end: only the hole. */
	n = host_dma_reserved(&r, (1ull << 39) - 1, out, 4);
	assert_int_equal(n, 1);
	assert_true(host_dma_usable(&r, 0x1000, 0x1fff));
	assert_false(host_dma_usable(&r, 0xfedff000, 0xfee00fff));
	assert_int_equal(host_dma_last(&r), (1ull << 39) - 1);
	assert_int_equal(host_dma_granule(&r), 0x1000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
		T(test_one_host_map_per_guest_map),
		T(test_refused_map_rolls_back),
		T(test_budget),
		T(test_not_ram_refused),
		T(test_bypass_maps_ram),
		T(test_reserved_ranges),
#undef T
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
