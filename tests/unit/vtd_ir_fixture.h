/* SPDX-License-Identifier: MIT */
/* The fixture of the interrupt-remapping tests (test_vtd_ir*.c): a VT-d unit
 * over fake guest memory (vtd_fixture.h) whose remapping sink and router
 * wrap fakes that record what they are handed, and helpers that write IRTEs,
 * turn remapping on, send requests and read the fault records. */
#ifndef TESTS_UNIT_VTD_IR_FIXTURE_H
#define TESTS_UNIT_VTD_IR_FIXTURE_H

#include "tests/unit/vtd_fixture.h"

#define IRT	0x40000ull /* the interrupt remapping table */
#define QUEUE	0x20000ull /* invalidation queue, 256 descriptors */
#define S_16	3	   /* IRTA.S: 2^(3+1) = 16 entries */
#define SRC	0x0018	   /* the requester: 00:03.0 */
#define IEC_SEL BIT_ULL(4) /* IEC descriptor: index-selective */
#define IOAPIC	0x00f0	   /* the IOAPIC's requester id: 00:1e.0 */

struct fake_router {
	unsigned routes, removes;
	unsigned gsi;
	struct msi_msg last;
};

struct fx {
	struct guest_mem mem;
	struct vtd *v;
	struct fake_msi unit_msi; /* the unit's own interrupts */
	struct fake_msi out;	  /* remapped interrupts */
	uint16_t out_rid;
	struct msi_sink sink;
	struct fake_router inner;
	struct msix_router router;
	unsigned notified;
	unsigned tail;
};

static inline int out_send(void *opaque, const struct msi_msg *m, uint16_t rid)
{
	struct fx *f = opaque;

	f->out_rid = rid;
	return fake_msi_send(&f->out, m, rid);
}

static inline int inner_route(void *opaque, unsigned gsi, const struct msi_msg *msg, uint16_t rid,
			      bool enabled)
{
	struct fake_router *r = opaque;

	(void)rid;
	r->gsi = gsi;
	if (!enabled) {
		r->removes++;
		return 0;
	}
	r->routes++;
	r->last = *msg;
	return 0;
}

static inline int inner_irqfd(void *opaque, int efd, unsigned gsi, bool assign)
{
	(void)opaque, (void)efd, (void)gsi, (void)assign;
	return 0;
}

static inline void notify(void *opaque)
{
	struct fx *f = opaque;

	f->notified++;
}

static inline int setup_with(void **state, bool eim, bool ioapic_sid_ignore)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct vtd_params p;

	mem_init(&f->mem);
	p = (struct vtd_params){.mem = &f->mem,
				.msi = {fake_msi_send, &f->unit_msi},
				.aw_bits = 48,
				.eim = eim,
				.ioapic_rid = IOAPIC,
				.ioapic_sid_ignore = ioapic_sid_ignore};
	assert_int_equal(vtd_new(&p, &f->v), 0);
	f->sink = vtd_ir_sink(f->v, (struct msi_sink){out_send, f});
	f->router = vtd_ir_router(f->v, (struct msix_router){inner_route, inner_irqfd, &f->inner});
	vtd_ir_set_notify(f->v, notify, f);
	*state = f;
	return 0;
}

static inline int setup(void **state)
{
	return setup_with(state, true, false);
}

/* --iommu intel,ioapic-sid=ignore */
static inline int setup_sid_ignore(void **state)
{
	return setup_with(state, true, true);
}

static inline int setup_xapic(void **state)
{
	return setup_with(state, false, false);
}

static inline int teardown(void **state)
{
	struct fx *f = *state;

	vtd_free(f->v);
	free(f->mem.r[0].host);
	free(f);
	return 0;
}

static inline uint64_t rd(struct fx *f, unsigned off, unsigned size)
{
	return vtd_mmio_ops.read(f->v, off, size);
}

static inline void wr(struct fx *f, unsigned off, unsigned size, uint64_t val)
{
	vtd_mmio_ops.write(f->v, off, size, val);
}

static inline void irte_put(struct fx *f, unsigned index, uint64_t lo, uint64_t hi)
{
	put64(&f->mem, IRT + 16ull * index, lo);
	put64(&f->mem, IRT + 16ull * index + 8, hi);
}

/* A present IRTE: vector vec, destination dst (as the mode stores it). */
static inline uint64_t irte_lo(uint8_t vec, uint32_t dst)
{
	return VTD_IRTE_P | (uint64_t)vec << VTD_IRTE_V_SHIFT | (uint64_t)dst << 32;
}

/* Table at IRT with extra IRTA bits, latched; remapping on; the fault
 * event unmasked. */
static inline void ir_enable(struct fx *f, uint64_t irta)
{
	wr(f, DMAR_IRTA_REG, 8, IRT | irta);
	wr(f, DMAR_GCMD_REG, 4, DMA_GCMD_SIRTP);
	wr(f, DMAR_FEDATA_REG, 4, 0x42);
	wr(f, DMAR_FEADDR_REG, 4, 0xfee00000);
	wr(f, DMAR_FECTL_REG, 4, 0);
	wr(f, DMAR_GCMD_REG, 4, DMA_GCMD_IRE);
	assert_true(rd(f, DMAR_GSTS_REG, 4) & DMA_GSTS_IRES);
}

/* The remappable-format MSI address of handle h, with SHV. */
static inline uint64_t ir_addr(unsigned h, bool shv)
{
	return VTD_MSI_ADDR_BASE | (uint64_t)(h & 0x7fff) << 5 | VTD_MSI_ADDR_IF |
	       (shv ? VTD_MSI_ADDR_SHV : 0) | (h & 0x8000 ? VTD_MSI_ADDR_HANDLE15 : 0);
}

static inline int send(struct fx *f, uint64_t addr, uint32_t data, uint16_t rid)
{
	struct msi_msg m = {addr, data};

	return msi_sink_send(&f->sink, &m, rid);
}

/* The fault record i: reason, source-id, interrupt index; a write (T 0). */
static inline void assert_fault(struct fx *f, unsigned i, unsigned reason, uint16_t sid,
				unsigned index)
{
	uint64_t lo = rd(f, DMAR_FRCD_REG + 16 * i, 8), hi = rd(f, DMAR_FRCD_REG + 16 * i + 8, 8);

	assert_true(hi & DMA_FRCD_F);
	assert_false(hi & DMA_FRCD_T);
	assert_int_equal((hi >> DMA_FRCD_FR_SHIFT) & 0xff, reason);
	assert_int_equal(hi & DMA_FRCD_SID_MASK, sid);
	assert_int_equal(lo, (uint64_t)index << DMA_FRCD_FI_IR_SHIFT);
}

/* Clear every fault record and FSTS. */
static inline void faults_clear(struct fx *f)
{
	for (unsigned i = 0; i < VTD_NR_FRCD; i++)
		wr(f, DMAR_FRCD_REG + 16 * i + 12, 4, DMA_FRCD_F >> 32);
	wr(f, DMAR_FSTS_REG, 4, DMA_FSTS_PFO);
	assert_int_equal(rd(f, DMAR_FSTS_REG, 4) & (DMA_FSTS_PPF | DMA_FSTS_PFO), 0);
}

static inline unsigned nr_faults(struct fx *f)
{
	unsigned n = 0;

	for (unsigned i = 0; i < VTD_NR_FRCD; i++)
		n += !!(rd(f, DMAR_FRCD_REG + 16 * i + 8, 8) & DMA_FRCD_F);
	return n;
}

#endif
