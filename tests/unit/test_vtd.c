// SPDX-License-Identifier: MIT
/* Unit tests for the emulated VT-d (devices/vtd/) through its MMIO
 * registers and the DMA API, over fake guest memory: the register file's
 * masks (read-only, writable, write-1-to-clear), global commands, the
 * invalidation queue with hostile queues, fault recording and overflow with
 * the fault event, the miss path (a PTE written after translation was
 * enabled is seen without an invalidation; a not-present lookup is not
 * cached), invalidations removing exactly what they name, pass-through,
 * translation off, and caching mode. */
#include "tests/unit/vtd_fixture.h"

#include <pthread.h>
#include <stdatomic.h>

#define QUEUE  0x20000ull /* invalidation queue, one page: 256 descriptors */
#define STATUS 0x30000ull /* wait descriptor status */

struct fx {
	struct guest_mem mem;
	struct vtd *v;
	struct dma_as as;
	struct fake_msi msi;
	unsigned tail; /* next free queue slot */
};

static int setup_with(void **state, bool cm)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct vtd_params p;

	mem_init(&f->mem);
	p = (struct vtd_params){
		.mem = &f->mem, .msi = {fake_msi_send, &f->msi}, .caching_mode = cm, .aw_bits = 48};
	assert_int_equal(vtd_new(&p, &f->v), 0);
	dma_as_init(&f->as, RID, &f->mem);
	assert_int_equal(vtd_endpoint_add(f->v, RID, &f->as), 0);
	*state = f;
	return 0;
}

static int setup(void **state)
{
	return setup_with(state, false);
}

static int setup_cm(void **state)
{
	return setup_with(state, true);
}

static int teardown(void **state)
{
	struct fx *f = *state;

	vtd_free(f->v);
	free(f->mem.r[0].host);
	free(f);
	return 0;
}

static uint64_t rd(struct fx *f, unsigned off, unsigned size)
{
	return vtd_mmio_ops.read(f->v, off, size);
}

static void wr(struct fx *f, unsigned off, unsigned size, uint64_t val)
{
	vtd_mmio_ops.write(f->v, off, size, val);
}

/* Root table, SRTP, translation on, the fault event unmasked. */
static void enable(struct fx *f)
{
	wr(f, DMAR_RTADDR_REG, 8, ROOT);
	wr(f, DMAR_GCMD_REG, 4, DMA_GCMD_SRTP);
	assert_true(rd(f, DMAR_GSTS_REG, 4) & DMA_GSTS_RTPS);
	wr(f, DMAR_FEDATA_REG, 4, 0x41);
	wr(f, DMAR_FEADDR_REG, 4, 0xfee00000);
	wr(f, DMAR_FECTL_REG, 4, 0);
	wr(f, DMAR_GCMD_REG, 4, DMA_GCMD_TE);
	assert_true(rd(f, DMAR_GSTS_REG, 4) & DMA_GSTS_TES);
}

static int dread(struct fx *f, uint64_t a, uint32_t *val)
{
	return dma_read(&f->as, iova(a), val, 4);
}

static void test_registers(void **state)
{
	struct fx *f = *state;
	uint64_t cap = rd(f, DMAR_CAP_REG, 8), ecap = rd(f, DMAR_ECAP_REG, 8);

	assert_int_equal(rd(f, DMAR_VER_REG, 4), 0x10);
	/* What Linux reads: 16-bit domain IDs, 39/48-bit tables, MGAW 48,
	 * the fault registers at 0x220 (four), PSI with MAMV, large pages,
	 * no caching mode; QI, PT, the IOTLB registers at 0xf0, no IR/EIM. */
	assert_int_equal(cap & 7, 6);
	assert_int_equal((cap >> 8) & 0x1f, 6);
	assert_int_equal(((cap >> 16) & 0x3f) + 1, 48);
	assert_int_equal(((cap >> 24) & 0x3ff) * 16, DMAR_FRCD_REG);
	assert_int_equal(((cap >> 40) & 0xff) + 1, VTD_NR_FRCD);
	assert_int_equal((cap >> 48) & 0x3f, VTD_MAMV);
	assert_true(cap & VTD_CAP_PSI);
	assert_int_equal((cap >> 34) & 0xf, 3);
	assert_false(cap & VTD_CAP_CM);
	assert_true(ecap & VTD_ECAP_QI);
	assert_true(ecap & VTD_ECAP_PT);
	assert_true(ecap & VTD_ECAP_IR);
	assert_false(ecap & VTD_ECAP_EIM); /* the params leave eim off */
	assert_int_equal(((ecap >> 8) & 0x3ff) * 16, DMAR_IVA_REG);
	/* Read-only: VER, CAP, ECAP, GSTS, IQH; GCMD reads 0. */
	wr(f, DMAR_CAP_REG, 8, 0);
	wr(f, DMAR_VER_REG, 4, 0);
	wr(f, DMAR_GSTS_REG, 4, ~0u);
	wr(f, DMAR_IQH_REG, 8, 0x40);
	assert_int_equal(rd(f, DMAR_CAP_REG, 8), cap);
	assert_int_equal(rd(f, DMAR_VER_REG, 4), 0x10);
	assert_int_equal(rd(f, DMAR_GSTS_REG, 4), 0);
	assert_int_equal(rd(f, DMAR_IQH_REG, 8), 0);
	assert_int_equal(rd(f, DMAR_GCMD_REG, 4), 0);
	/* Writable masks: FEADDR 31:2, IQT 18:4, RTADDR 63:12 (no TTM); a
	 * 32-bit half of a 64-bit register. */
	wr(f, DMAR_FEADDR_REG, 4, 0xfee00003);
	assert_int_equal(rd(f, DMAR_FEADDR_REG, 4), 0xfee00000);
	wr(f, DMAR_IQT_REG, 8, ~0ull);
	assert_int_equal(rd(f, DMAR_IQT_REG, 8), 0x7fff0);
	wr(f, DMAR_RTADDR_REG, 8, 0x12345c00);
	assert_int_equal(rd(f, DMAR_RTADDR_REG, 8), 0x12345000);
	wr(f, DMAR_RTADDR_REG + 4, 4, 0x1);
	assert_int_equal(rd(f, DMAR_RTADDR_REG, 8), 0x112345000ull);
	/* Reset values: FECTL.IM and IECTL.IM set. */
	assert_int_equal(rd(f, DMAR_FECTL_REG, 4), DMA_FECTL_IM);
	assert_int_equal(rd(f, DMAR_IECTL_REG, 4), DMA_FECTL_IM);
	/* An 8-byte access to two 32-bit registers; no register: 0. */
	wr(f, DMAR_FEDATA_REG, 8, 0xfee01000ull << 32 | 0x55);
	assert_int_equal(rd(f, DMAR_FEDATA_REG, 4), 0x55);
	assert_int_equal(rd(f, DMAR_FEADDR_REG, 4), 0xfee01000);
	assert_int_equal(rd(f, DMAR_FEDATA_REG, 8), 0xfee01000ull << 32 | 0x55);
	wr(f, 0x800, 4, ~0u);
	assert_int_equal(rd(f, 0x800, 4), 0);
	assert_int_equal(rd(f, VTD_REGS_SIZE - 2, 4), 0);
}

/* A write to part of GCMD acts on the bytes written, at their place in the
 * register (the rest reads 0), and on nothing beyond the access's size, as
 * every other register does. */
static void test_gcmd_partial_write(void **state)
{
	struct fx *f = *state;

	wr(f, DMAR_GCMD_REG + 3, 1, DMA_GCMD_TE >> 24);
	assert_int_equal(rd(f, DMAR_GSTS_REG, 4), DMA_GSTS_TES);
	wr(f, DMAR_GCMD_REG + 2, 2, (DMA_GCMD_TE | DMA_GCMD_IRE) >> 16);
	assert_int_equal(rd(f, DMAR_GSTS_REG, 4), DMA_GSTS_TES | DMA_GSTS_IRES);
	/* Bits beyond a 1-byte access are not part of it. */
	wr(f, DMAR_GCMD_REG, 1, 0xffffffff00000000ull);
	assert_int_equal(rd(f, DMAR_GSTS_REG, 4), 0);
	wr(f, DMAR_GCMD_REG + 1, 1, 0x82);
	assert_int_equal(rd(f, DMAR_GSTS_REG, 4), 0);
}

/* Every byte of the page finds its register (regfile.c's slot index): a
 * register's size at its first byte, 0 inside it and between registers. */
static void test_register_lookup(void **state)
{
	static const unsigned want[][2] = {
		{DMAR_VER_REG, 4},	{DMAR_CAP_REG, 8},     {DMAR_ECAP_REG, 8},
		{DMAR_GCMD_REG, 4},	{DMAR_GSTS_REG, 4},    {DMAR_RTADDR_REG, 8},
		{DMAR_CCMD_REG, 8},	{DMAR_FSTS_REG, 4},    {DMAR_FECTL_REG, 4},
		{DMAR_FEDATA_REG, 4},	{DMAR_FEADDR_REG, 4},  {DMAR_FEUADDR_REG, 4},
		{DMAR_AFLOG_REG, 8},	{DMAR_PMEN_REG, 4},    {DMAR_PLMBASE_REG, 4},
		{DMAR_PLMLIMIT_REG, 4}, {DMAR_PHMBASE_REG, 8}, {DMAR_PHMLIMIT_REG, 8},
		{DMAR_IQH_REG, 8},	{DMAR_IQT_REG, 8},     {DMAR_IQA_REG, 8},
		{DMAR_ICS_REG, 4},	{DMAR_IECTL_REG, 4},   {DMAR_IEDATA_REG, 4},
		{DMAR_IEADDR_REG, 4},	{DMAR_IEUADDR_REG, 4}, {DMAR_IQER_REG, 8},
		{DMAR_IRTA_REG, 8},	{DMAR_IVA_REG, 8},     {DMAR_IOTLB_REG, 8},
	};
	struct fx *f = *state;

	for (unsigned off = 0; off < VTD_REGS_SIZE; off++) {
		unsigned size = 0;

		for (unsigned i = 0; i < ARRAY_SIZE(want); i++)
			if (want[i][0] == off)
				size = want[i][1];
		if (off >= DMAR_FRCD_REG && off < DMAR_FRCD_REG + 16 * VTD_NR_FRCD && !(off & 7))
			size = 8;
		assert_int_equal(vtd_reg_size(off), size);
	}
	/* A byte inside a register reads that byte; one outside reads 0. */
	assert_int_equal(rd(f, DMAR_VER_REG, 1), VTD_VER_1_0 & 0xff);
	assert_int_equal(rd(f, DMAR_CAP_REG + 4, 4), f->v->cap >> 32);
	assert_int_equal(rd(f, DMAR_FRCD_REG + 16 * VTD_NR_FRCD, 4), 0);
	assert_int_equal(rd(f, 0x4c, 4), 0);
}

/* A caller may pick the core's IOTLB size (a power of two). */
static void test_iotlb_sets(void **state)
{
	struct fx *f = *state;
	struct vtd_params p = {.mem = &f->mem, .aw_bits = 48, .iotlb_sets = 3};
	struct dma_as as;
	struct vtd *v;
	uint32_t got;

	assert_int_equal(vtd_new(&p, &v), -EINVAL);
	p.iotlb_sets = 2;
	assert_int_equal(vtd_new(&p, &v), 0);
	dma_as_init(&as, RID, &f->mem);
	assert_int_equal(vtd_endpoint_add(v, RID, &as), 0);
	ctx_set(&f->mem, RID, 2, DID, 0, false);
	map4k(&f->mem, 0x7000, DATA + 0x5000, R);
	put64(&f->mem, DATA + 0x5000, 0x22222222);
	vtd_mmio_ops.write(v, DMAR_RTADDR_REG, 8, ROOT);
	vtd_mmio_ops.write(v, DMAR_GCMD_REG, 4, DMA_GCMD_SRTP);
	vtd_mmio_ops.write(v, DMAR_GCMD_REG, 4, DMA_GCMD_TE);
	assert_int_equal(dma_read(&as, iova(0x7000), &got, 4), 0);
	assert_int_equal(dma_read(&as, iova(0x7000), &got, 4), 0);
	assert_int_equal(got, 0x22222222);
	assert_true(iommu_iotlb_cached(vtd_iommu(v), RID, iova(0x7000)));
	vtd_free(v);
}

static void test_translation_off_is_identity(void **state)
{
	struct fx *f = *state;
	uint32_t val = 0xabcd1234, got;

	put64(&f->mem, DATA, val);
	assert_int_equal(dread(f, DATA, &got), 0);
	assert_int_equal(got, val);
	enable(f); /* no root entry: DMA faults */
	assert_int_equal(dread(f, DATA, &got), -EFAULT);
	wr(f, DMAR_GCMD_REG, 4, 0); /* TE off: identity again */
	assert_false(rd(f, DMAR_GSTS_REG, 4) & DMA_GSTS_TES);
	assert_int_equal(dread(f, DATA, &got), 0);
}

static void test_miss_path(void **state)
{
	struct fx *f = *state;
	uint32_t got, dom;

	ctx_set(&f->mem, RID, 2, DID, 0, false);
	enable(f);
	put64(&f->mem, DATA + 0x5000, 0x11111111);
	/* Not present: a fault, and nothing cached. */
	assert_int_equal(dread(f, 0x7000, &got), -EFAULT);
	/* Written after translation was enabled, with no invalidation: seen. */
	map4k(&f->mem, 0x7000, DATA + 0x5000, R);
	assert_int_equal(dread(f, 0x7000, &got), 0);
	assert_int_equal(got, 0x11111111);
	/* Cached in the core's domain; the next access is a core lookup,
	 * which fills the core's IOTLB. */
	assert_true(iommu_domain_maps(vtd_iommu(f->v), DID, iova(0x7000), iova(0x7fff)));
	assert_false(iommu_iotlb_cached(vtd_iommu(f->v), RID, iova(0x7000)));
	assert_int_equal(dread(f, 0x7000, &got), 0);
	assert_true(iommu_iotlb_cached(vtd_iommu(f->v), RID, iova(0x7000)));
	/* Read-only: a write faults (reason 5). */
	assert_int_equal(dma_write(&f->as, iova(0x7000), &got, 4), -EFAULT);
	assert_int_equal((rd(f, DMAR_FRCD_REG + 8, 8) >> 32) & 0xff, VTD_FR_READ);
	assert_int_equal((rd(f, DMAR_FRCD_REG + 24, 8) >> 32) & 0xff, VTD_FR_WRITE);
	/* The endpoint follows its context: DID 7 in the core. */
	assert_int_equal(iommu_endpoint_state(vtd_iommu(f->v), RID, &dom), IOMMU_EP_DOMAIN);
	assert_int_equal(dom, DID);
}

static void test_invalidation_exact(void **state)
{
	struct fx *f = *state;
	uint32_t got;

	ctx_set(&f->mem, RID, 2, DID, 0, false);
	enable(f);
	put64(&f->mem, DATA, 0xa0);
	put64(&f->mem, DATA + 0x1000, 0xa1);
	put64(&f->mem, DATA + 0x2000, 0xb0);
	put64(&f->mem, DATA + 0x3000, 0xb1);
	map4k(&f->mem, 0x10000, DATA, R | W);
	map4k(&f->mem, 0x11000, DATA + 0x1000, R | W);
	assert_int_equal(dread(f, 0x10000, &got), 0);
	assert_int_equal(dread(f, 0x11000, &got), 0);
	/* Both PTEs change; only the first page is invalidated (PSI, AM 0,
	 * register-based): it sees the new page, the other keeps its cached
	 * translation, as hardware may. */
	map4k(&f->mem, 0x10000, DATA + 0x2000, R | W);
	map4k(&f->mem, 0x11000, DATA + 0x3000, R | W);
	wr(f, DMAR_IVA_REG, 8, 0x10000);
	wr(f, DMAR_IOTLB_REG, 8,
	   DMA_TLB_IVT | (uint64_t)DMA_TLB_PSI << DMA_TLB_IIRG_SHIFT | (uint64_t)DID << 32);
	assert_false(rd(f, DMAR_IOTLB_REG, 8) & DMA_TLB_IVT);
	assert_int_equal((rd(f, DMAR_IOTLB_REG, 8) >> DMA_TLB_IAIG_SHIFT) & 3, DMA_TLB_PSI);
	assert_false(iommu_iotlb_cached(vtd_iommu(f->v), RID, iova(0x10000)));
	assert_true(iommu_domain_maps(vtd_iommu(f->v), DID, iova(0x11000), iova(0x11fff)));
	assert_int_equal(dread(f, 0x10000, &got), 0);
	assert_int_equal(got, 0xb0);
	assert_int_equal(dread(f, 0x11000, &got), 0);
	assert_int_equal(got, 0xa1);
	/* Another domain's invalidation changes nothing here. */
	wr(f, DMAR_IOTLB_REG, 8,
	   DMA_TLB_IVT | (uint64_t)DMA_TLB_DSI << DMA_TLB_IIRG_SHIFT | (uint64_t)(DID + 1) << 32);
	assert_true(iommu_domain_maps(vtd_iommu(f->v), DID, iova(0), iova(VTD_IOVA_LAST)));
	/* Domain-selective: everything of the domain goes. */
	wr(f, DMAR_IOTLB_REG, 8,
	   DMA_TLB_IVT | (uint64_t)DMA_TLB_DSI << DMA_TLB_IIRG_SHIFT | (uint64_t)DID << 32);
	assert_false(iommu_domain_maps(vtd_iommu(f->v), DID, iova(0), iova(VTD_IOVA_LAST)));
	assert_int_equal(dread(f, 0x11000, &got), 0);
	assert_int_equal(got, 0xb1);
	/* A PSI inside a cached 2 MiB page removes the whole page. */
	put64(&f->mem, PD + 8, MiB(4) | PS | R | W);
	assert_int_equal(dread(f, MiB(2) + 0x8000, &got), 0);
	assert_true(iommu_domain_maps(vtd_iommu(f->v), DID, iova(MiB(2)), iova(MiB(2))));
	wr(f, DMAR_IVA_REG, 8, MiB(3));
	wr(f, DMAR_IOTLB_REG, 8,
	   DMA_TLB_IVT | (uint64_t)DMA_TLB_PSI << DMA_TLB_IIRG_SHIFT | (uint64_t)DID << 32);
	assert_false(iommu_domain_maps(vtd_iommu(f->v), DID, iova(MiB(2)), iova(MiB(4) - 1)));
	/* Global. */
	assert_int_equal(dread(f, 0x11000, &got), 0);
	wr(f, DMAR_IOTLB_REG, 8, DMA_TLB_IVT | (uint64_t)DMA_TLB_GLOBAL << DMA_TLB_IIRG_SHIFT);
	assert_false(iommu_domain_maps(vtd_iommu(f->v), DID, iova(0), iova(VTD_IOVA_LAST)));
}

static void test_context_invalidation(void **state)
{
	struct fx *f = *state;
	uint32_t got, dom;

	ctx_set(&f->mem, RID, 2, DID, 0, false);
	enable(f);
	map4k(&f->mem, 0x10000, DATA, R | W);
	assert_int_equal(dread(f, 0x10000, &got), 0);
	/* Pass-through after a context-cache invalidation: identity. */
	ctx_set(&f->mem, RID, 2, DID, 2, false);
	wr(f, DMAR_CCMD_REG, 8, DMA_CCMD_ICC | (uint64_t)DMA_CCMD_GLOBAL << DMA_CCMD_CIRG_SHIFT);
	assert_false(rd(f, DMAR_CCMD_REG, 8) & DMA_CCMD_ICC);
	assert_int_equal((rd(f, DMAR_CCMD_REG, 8) >> DMA_CCMD_CAIG_SHIFT) & 3, DMA_CCMD_GLOBAL);
	assert_int_equal(iommu_endpoint_state(vtd_iommu(f->v), RID, &dom), IOMMU_EP_DOMAIN_BYPASS);
	put64(&f->mem, 0x40000, 0x77);
	assert_int_equal(dread(f, 0x40000, &got), 0);
	assert_int_equal(got, 0x77);
	/* Not present: blocked, a fault with reason 2. */
	put64(&f->mem, CTXT + 16 * RID, 0);
	wr(f, DMAR_CCMD_REG, 8, DMA_CCMD_ICC | (uint64_t)DMA_CCMD_DEVICE << DMA_CCMD_CIRG_SHIFT);
	assert_int_equal(iommu_endpoint_state(vtd_iommu(f->v), RID, NULL), IOMMU_EP_BLOCKED);
	assert_int_equal(dread(f, 0x40000, &got), -EFAULT);
	assert_int_equal((rd(f, DMAR_FRCD_REG + 12, 4) & 0xff), VTD_FR_CTX_NP);
	/* Present again with no invalidation (caching mode off): a miss
	 * reads it. */
	ctx_set(&f->mem, RID, 2, DID, 0, false);
	assert_int_equal(dread(f, 0x10000, &got), 0);
}

static void test_fault_recording(void **state)
{
	struct fx *f = *state;
	uint32_t got;
	uint64_t hi;

	ctx_set(&f->mem, RID, 2, DID, 0, false);
	enable(f);
	assert_int_equal(dread(f, 0x123456, &got), -EFAULT);
	hi = rd(f, DMAR_FRCD_REG + 8, 8);
	assert_true(hi & DMA_FRCD_F);
	assert_true(hi & DMA_FRCD_T); /* a read */
	assert_int_equal((hi >> 32) & 0xff, VTD_FR_READ);
	assert_int_equal(hi & 0xffff, RID);
	assert_int_equal(rd(f, DMAR_FRCD_REG, 8), 0x123000);
	assert_int_equal(rd(f, DMAR_FSTS_REG, 4) & (DMA_FSTS_PPF | 0xff00), DMA_FSTS_PPF);
	assert_int_equal(f->msi.sent, 1);
	assert_int_equal(f->msi.last.data, 0x41);
	assert_int_equal(f->msi.last.addr, 0xfee00000);
	/* A write fault: reason 5, T clear; PPF already set: no new event. */
	assert_int_equal(dma_write(&f->as, iova(0x5000), &got, 4), -EFAULT);
	hi = rd(f, DMAR_FRCD_REG + 24, 8);
	assert_int_equal((hi >> 32) & 0xff, VTD_FR_WRITE);
	assert_false(hi & DMA_FRCD_T);
	assert_int_equal(f->msi.sent, 1);
	/* PPF is read-only; F is write-1-to-clear; PPF follows the Fs. */
	wr(f, DMAR_FSTS_REG, 4, DMA_FSTS_PPF);
	assert_true(rd(f, DMAR_FSTS_REG, 4) & DMA_FSTS_PPF);
	wr(f, DMAR_FRCD_REG + 12, 4, 0x80000000);
	assert_true(rd(f, DMAR_FSTS_REG, 4) & DMA_FSTS_PPF);
	wr(f, DMAR_FRCD_REG + 16 + 12, 4, 0x80000000);
	assert_false(rd(f, DMAR_FSTS_REG, 4) & DMA_FSTS_PPF);
	/* Overflow: four registers; the next two are 3 and 0 (free) then 1
	 * ... fill all four, the fifth sets PFO, and PFO drops the rest. */
	for (int i = 0; i < 6; i++)
		assert_int_equal(dread(f, 0x200000 + i * 0x1000, &got), -EFAULT);
	assert_true(rd(f, DMAR_FSTS_REG, 4) & DMA_FSTS_PFO);
	for (int i = 0; i < VTD_NR_FRCD; i++)
		assert_true(rd(f, DMAR_FRCD_REG + 16 * i + 8, 8) & DMA_FRCD_F);
	wr(f, DMAR_FSTS_REG, 4, DMA_FSTS_PFO);
	assert_false(rd(f, DMAR_FSTS_REG, 4) & DMA_FSTS_PFO);
	/* Masked: IP instead of an interrupt, sent when unmasked. */
	for (int i = 0; i < VTD_NR_FRCD; i++)
		wr(f, DMAR_FRCD_REG + 16 * i + 12, 4, 0x80000000);
	assert_int_equal(rd(f, DMAR_FSTS_REG, 4) & (DMA_FSTS_PPF | DMA_FSTS_PFO), 0);
	assert_false(rd(f, DMAR_FECTL_REG, 4) & DMA_FECTL_IP);
	wr(f, DMAR_FECTL_REG, 4, DMA_FECTL_IM);
	unsigned sent = f->msi.sent;
	assert_int_equal(dread(f, 0x300000, &got), -EFAULT);
	assert_int_equal(f->msi.sent, sent);
	assert_true(rd(f, DMAR_FECTL_REG, 4) & DMA_FECTL_IP);
	wr(f, DMAR_FECTL_REG, 4, 0);
	assert_int_equal(f->msi.sent, sent + 1);
	assert_false(rd(f, DMAR_FECTL_REG, 4) & DMA_FECTL_IP);
}

static void test_fault_processing_disable(void **state)
{
	struct fx *f = *state;
	uint32_t got;

	ctx_set(&f->mem, RID, 2, DID, 0, true);
	enable(f);
	assert_int_equal(dread(f, 0x5000, &got), -EFAULT);
	assert_int_equal(rd(f, DMAR_FSTS_REG, 4), 0);
	assert_int_equal(f->msi.sent, 0);
}

struct racer {
	struct fx *f;
	atomic_bool stop;
	unsigned reads, faults;
};

static void *race_reads(void *opaque)
{
	struct racer *r = opaque;
	uint32_t got;

	while (!atomic_load(&r->stop) || r->reads < 1000) {
		if (dread(r->f, 0x10000 + (r->reads % 4) * 0x1000, &got))
			r->faults++;
		r->reads++;
	}
	return NULL;
}

/* Domain-wide invalidations on one thread while another translates pages
 * that stay mapped: every access succeeds (a miss answers from its own walk,
 * never from a lookup an invalidation may have emptied meanwhile). */
static void test_miss_vs_invalidation(void **state)
{
	struct fx *f = *state;
	struct racer r = {.f = f};
	pthread_t t;

	ctx_set(&f->mem, RID, 2, DID, 0, false);
	enable(f);
	for (unsigned i = 0; i < 4; i++)
		map4k(&f->mem, 0x10000 + i * 0x1000, DATA + i * 0x1000, R | W);
	assert_int_equal(pthread_create(&t, NULL, race_reads, &r), 0);
	for (unsigned i = 0; i < 20000; i++)
		wr(f, DMAR_IOTLB_REG, 8,
		   DMA_TLB_IVT | (uint64_t)DMA_TLB_DSI << DMA_TLB_IIRG_SHIFT | (uint64_t)DID << 32);
	atomic_store(&r.stop, true);
	pthread_join(t, NULL);
	assert_true(r.reads >= 1000);
	assert_int_equal(r.faults, 0);
	assert_int_equal(rd(f, DMAR_FSTS_REG, 4), 0);
}

/* Queue one descriptor. */
static void qd(struct fx *f, uint64_t lo, uint64_t hi)
{
	put64(&f->mem, QUEUE + 16ull * f->tail, lo);
	put64(&f->mem, QUEUE + 16ull * f->tail + 8, hi);
	f->tail = (f->tail + 1) % 256;
}

static void qi_enable(struct fx *f)
{
	wr(f, DMAR_IQT_REG, 8, 0);
	wr(f, DMAR_IQA_REG, 8, QUEUE); /* QS 0: 256 descriptors */
	wr(f, DMAR_GCMD_REG, 4, DMA_GCMD_QIE);
	assert_true(rd(f, DMAR_GSTS_REG, 4) & DMA_GSTS_QIES);
}

#define WAIT_SW(data) ((uint64_t)(data) << 32 | BIT_ULL(5) | 5)

static void test_queued_invalidation(void **state)
{
	struct fx *f = *state;
	uint32_t got;

	ctx_set(&f->mem, RID, 2, DID, 0, false);
	enable(f);
	qi_enable(f);
	map4k(&f->mem, 0x10000, DATA, R | W);
	assert_int_equal(dread(f, 0x10000, &got), 0);
	/* Context (global), IOTLB (page, domain), wait with status write. */
	qd(f, 1 | 1 << 4, 0);
	qd(f, 2 | 3 << 4 | (uint64_t)DID << 16, 0x10000);
	qd(f, WAIT_SW(0xdead), STATUS);
	wr(f, DMAR_IQT_REG, 8, f->tail << 4);
	assert_int_equal(rd(f, DMAR_IQH_REG, 8), f->tail << 4);
	assert_int_equal(get64(&f->mem, STATUS) & 0xffffffff, 0xdead);
	assert_false(iommu_domain_maps(vtd_iommu(f->v), DID, iova(0x10000), iova(0x10fff)));
	/* Wait with IF: ICS.IWC and the invalidation event (unmasked). */
	wr(f, DMAR_IEDATA_REG, 4, 0x42);
	wr(f, DMAR_IEADDR_REG, 4, 0xfee00000);
	wr(f, DMAR_IECTL_REG, 4, 0);
	qd(f, 5 | 1 << 4, 0);
	wr(f, DMAR_IQT_REG, 8, f->tail << 4);
	assert_true(rd(f, DMAR_ICS_REG, 4) & DMA_ICS_IWC);
	assert_int_equal(f->msi.sent, 1);
	assert_int_equal(f->msi.last.data, 0x42);
	wr(f, DMAR_ICS_REG, 4, DMA_ICS_IWC);
	assert_false(rd(f, DMAR_ICS_REG, 4) & DMA_ICS_IWC);
}

static void test_queue_hostile(void **state)
{
	struct fx *f = *state;
	unsigned bad;

	enable(f);
	qi_enable(f);
	/* An unknown type: IQE, IQH on it, and the queue stops there. */
	qd(f, WAIT_SW(1), STATUS);
	bad = f->tail;
	qd(f, 7, 0);
	qd(f, WAIT_SW(2), STATUS);
	wr(f, DMAR_IQT_REG, 8, f->tail << 4);
	assert_true(rd(f, DMAR_FSTS_REG, 4) & DMA_FSTS_IQE);
	assert_int_equal(rd(f, DMAR_IQH_REG, 8), bad << 4);
	assert_int_equal(get64(&f->mem, STATUS) & 0xffffffff, 1);
	assert_int_equal(f->msi.sent, 1); /* the fault event */
	wr(f, DMAR_IQT_REG, 8, f->tail << 4);
	assert_int_equal(rd(f, DMAR_IQH_REG, 8), bad << 4);
	/* The guest mends it and clears IQE: the queue goes on. */
	put64(&f->mem, QUEUE + 16ull * bad, WAIT_SW(3));
	wr(f, DMAR_FSTS_REG, 4, DMA_FSTS_IQE);
	assert_false(rd(f, DMAR_FSTS_REG, 4) & DMA_FSTS_IQE);
	assert_int_equal(rd(f, DMAR_IQH_REG, 8), f->tail << 4);
	assert_int_equal(get64(&f->mem, STATUS) & 0xffffffff, 2);
	/* Reserved bits, a zero granularity, a device-TLB descriptor, a mask
	 * beyond MAMV: each an IQE. */
	const uint64_t bads[][2] = {
		{1 | 1 << 4, 1},		  /* context: high half reserved */
		{2, 0},				  /* IOTLB: granularity 0 */
		{2 | 3 << 4 | 1ull << 40, 0},	  /* IOTLB: reserved bit 40 */
		{2 | 3 << 4, VTD_MAMV + 1},	  /* IOTLB: AM > MAMV */
		{3, 0},				  /* device-TLB: no ECAP.DT */
		{WAIT_SW(0) | 1ull << 9, STATUS}, /* wait: type bits 11:9 */
		{WAIT_SW(0), STATUS | 1},	  /* wait: address bits 1:0 */
	};
	for (unsigned i = 0; i < ARRAY_SIZE(bads); i++) {
		bad = f->tail;
		qd(f, bads[i][0], bads[i][1]);
		wr(f, DMAR_IQT_REG, 8, f->tail << 4);
		assert_true(rd(f, DMAR_FSTS_REG, 4) & DMA_FSTS_IQE);
		assert_int_equal(rd(f, DMAR_IQH_REG, 8), bad << 4);
		put64(&f->mem, QUEUE + 16ull * bad, WAIT_SW(0));
		put64(&f->mem, QUEUE + 16ull * bad + 8, STATUS);
		wr(f, DMAR_FSTS_REG, 4, DMA_FSTS_IQE);
		assert_int_equal(rd(f, DMAR_IQH_REG, 8), f->tail << 4);
	}
	/* 256-bit descriptors (IQA.DW) need scalable mode: IQE. */
	wr(f, DMAR_GCMD_REG, 4, 0);
	wr(f, DMAR_IQA_REG, 8, QUEUE | DMA_IQA_DW);
	wr(f, DMAR_GCMD_REG, 4, DMA_GCMD_QIE);
	wr(f, DMAR_IQT_REG, 8, 1 << 4);
	assert_true(rd(f, DMAR_FSTS_REG, 4) & DMA_FSTS_IQE);
}

static void test_queue_bounds(void **state)
{
	struct fx *f = *state;

	enable(f);
	qi_enable(f);
	/* A tail past the end of a one-page queue: IQE. */
	wr(f, DMAR_IQT_REG, 8, 300 << 4);
	assert_true(rd(f, DMAR_FSTS_REG, 4) & DMA_FSTS_IQE);
	assert_int_equal(rd(f, DMAR_IQH_REG, 8), 0);
	wr(f, DMAR_IQT_REG, 8, 0);
	wr(f, DMAR_FSTS_REG, 4, DMA_FSTS_IQE);
	/* A full queue of waits (tail one behind head after wrapping): 255
	 * descriptors, then it stops at the tail. */
	for (unsigned i = 0; i < 256; i++) {
		put64(&f->mem, QUEUE + 16ull * i, WAIT_SW(i));
		put64(&f->mem, QUEUE + 16ull * i + 8, STATUS);
	}
	wr(f, DMAR_IQT_REG, 8, 255 << 4);
	assert_int_equal(rd(f, DMAR_IQH_REG, 8), 255 << 4);
	assert_int_equal(get64(&f->mem, STATUS) & 0xffffffff, 254);
	wr(f, DMAR_IQT_REG, 8, 10 << 4); /* wraps */
	assert_int_equal(rd(f, DMAR_IQH_REG, 8), 10 << 4);
	assert_int_equal(get64(&f->mem, STATUS) & 0xffffffff, 9);
	/* A queue outside RAM: IQE, no crash. */
	wr(f, DMAR_GCMD_REG, 4, 0);
	wr(f, DMAR_IQA_REG, 8, GiB(1));
	wr(f, DMAR_GCMD_REG, 4, DMA_GCMD_QIE);
	wr(f, DMAR_IQT_REG, 8, 1 << 4);
	assert_true(rd(f, DMAR_FSTS_REG, 4) & DMA_FSTS_IQE);
}

struct counts {
	unsigned maps, unmaps;
	struct iova_mapping last;
};

static int count_event(void *opaque, const struct iommu_event *ev)
{
	struct counts *c = opaque;

	if (ev->type == IOMMU_EVENT_MAP) {
		c->maps++;
		c->last = ev->m;
	} else if (ev->type == IOMMU_EVENT_UNMAP) {
		c->unmaps++;
	}
	return 0;
}

static void test_caching_mode_eager(void **state)
{
	struct fx *f = *state;
	struct iommu *io = vtd_iommu(f->v);

	assert_true(rd(f, DMAR_CAP_REG, 8) & VTD_CAP_CM);
	ctx_set(&f->mem, RID, 2, DID, 0, false);
	enable(f);
	map4k(&f->mem, 0x10000, DATA, R | W);
	map4k(&f->mem, 0x13000, DATA + 0x1000, R);
	/* A page-selective invalidation of 4 pages maps what is present at
	 * once, before any DMA: a notifier consumer would see it. */
	wr(f, DMAR_IVA_REG, 8, 0x10000 | 2);
	wr(f, DMAR_IOTLB_REG, 8,
	   DMA_TLB_IVT | (uint64_t)DMA_TLB_PSI << DMA_TLB_IIRG_SHIFT | (uint64_t)DID << 32);
	assert_true(iommu_domain_maps(io, DID, iova(0x10000), iova(0x10fff)));
	assert_true(iommu_domain_maps(io, DID, iova(0x13000), iova(0x13fff)));
	assert_false(iommu_domain_maps(io, DID, iova(0x11000), iova(0x12fff)));
	/* A notifier consumer (VFIO, later) sees the view, then only what
	 * changes: a domain-wide invalidation of unchanged tables sends
	 * nothing; a changed PTE one UNMAP and one MAP. */
	struct counts c = {0};
	struct iommu_notifier n = {.notify = count_event, .opaque = &c};
	assert_int_equal(iommu_notifier_add(io, RID, &n), 0);
	assert_int_equal(c.maps, 2);
	wr(f, DMAR_IOTLB_REG, 8,
	   DMA_TLB_IVT | (uint64_t)DMA_TLB_DSI << DMA_TLB_IIRG_SHIFT | (uint64_t)DID << 32);
	assert_int_equal(c.maps, 2);
	assert_int_equal(c.unmaps, 0);
	map4k(&f->mem, 0x10000, DATA + 0x2000, R | W);
	wr(f, DMAR_IVA_REG, 8, 0x10000);
	wr(f, DMAR_IOTLB_REG, 8,
	   DMA_TLB_IVT | (uint64_t)DMA_TLB_PSI << DMA_TLB_IIRG_SHIFT | (uint64_t)DID << 32);
	assert_int_equal(c.maps, 3);
	assert_int_equal(c.unmaps, 1);
	assert_int_equal(c.last.gpa.a, DATA + 0x2000);
	/* Unmapped in the tables and invalidated: gone. */
	put64(&f->mem, PT + 8 * 0x13, 0);
	wr(f, DMAR_IVA_REG, 8, 0x13000);
	wr(f, DMAR_IOTLB_REG, 8,
	   DMA_TLB_IVT | (uint64_t)DMA_TLB_PSI << DMA_TLB_IIRG_SHIFT | (uint64_t)DID << 32);
	assert_false(iommu_domain_maps(io, DID, iova(0x13000), iova(0x13fff)));
	assert_true(iommu_domain_maps(io, DID, iova(0x10000), iova(0x10fff)));
	assert_int_equal(c.unmaps, 2);
	/* Global, with the tables emptied: everything goes. */
	put64(&f->mem, PML4, 0);
	wr(f, DMAR_IOTLB_REG, 8, DMA_TLB_IVT | (uint64_t)DMA_TLB_GLOBAL << DMA_TLB_IIRG_SHIFT);
	assert_false(iommu_domain_maps(io, DID, iova(0), iova(VTD_IOVA_LAST)));
	assert_int_equal(c.unmaps, 3);
	iommu_notifier_del(io, &n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_registers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gcmd_partial_write, setup, teardown),
		cmocka_unit_test_setup_teardown(test_register_lookup, setup, teardown),
		cmocka_unit_test_setup_teardown(test_iotlb_sets, setup, teardown),
		cmocka_unit_test_setup_teardown(test_translation_off_is_identity, setup, teardown),
		cmocka_unit_test_setup_teardown(test_miss_path, setup, teardown),
		cmocka_unit_test_setup_teardown(test_invalidation_exact, setup, teardown),
		cmocka_unit_test_setup_teardown(test_miss_vs_invalidation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_context_invalidation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fault_recording, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fault_processing_disable, setup, teardown),
		cmocka_unit_test_setup_teardown(test_queued_invalidation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_queue_hostile, setup, teardown),
		cmocka_unit_test_setup_teardown(test_queue_bounds, setup, teardown),
		cmocka_unit_test_setup_teardown(test_caching_mode_eager, setup_cm, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
