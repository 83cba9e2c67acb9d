// SPDX-License-Identifier: MIT
/* Unit tests for the emulated VT-d's interrupt remapping
 * (devices/vtd/ir.c) over fake guest memory: IRTE decoding (every field,
 * reserved bits, xAPIC and x2APIC destinations), the remapped message,
 * source-id checks (SVT 1 with each SQ, SVT 2), every fault reason with its
 * source-id and interrupt index in the fault record, FPD, compatibility
 * format with CFIS and EIME, the subhandle, a scoped unit, and the
 * GCMD/IRTA registers. test_vtd_ir_route.c has the routes and the DMAR. */
#include "tests/unit/vtd_ir_fixture.h"

static void test_irte_decode(void **state)
{
	struct vtd_irte e;
	uint64_t x[2];

	(void)state;
	/* Every field, x2APIC (EIME 1): 32-bit destination. */
	x[0] = VTD_IRTE_P | VTD_IRTE_FPD | VTD_IRTE_DM | VTD_IRTE_RH | VTD_IRTE_TM |
	       5ull << VTD_IRTE_DLM_SHIFT | 0xa00 /* AVAIL: ignored */ | 0x9cull << 16 |
	       0x12345678ull << 32;
	x[1] = 0xbeef | 2ull << VTD_IRTE_SQ_SHIFT | 1ull << VTD_IRTE_SVT_SHIFT;
	assert_int_equal(vtd_irte_decode(x, true, &e), 0);
	assert_true(e.p && e.fpd && e.dm && e.rh && e.tm);
	assert_int_equal(e.dlm, 5);
	assert_int_equal(e.vector, 0x9c);
	assert_int_equal(e.dst, 0x12345678);
	assert_int_equal(e.sid, 0xbeef);
	assert_int_equal(e.sq, 2);
	assert_int_equal(e.svt, 1);
	/* Flags clear. */
	x[0] = VTD_IRTE_P | 0x31ull << 16 | 7ull << 32;
	x[1] = 0;
	assert_int_equal(vtd_irte_decode(x, true, &e), 0);
	assert_false(e.fpd || e.dm || e.rh || e.tm);
	assert_int_equal(e.dlm, 0);
	assert_int_equal(e.svt, 0);
	assert_int_equal(e.dst, 7);
	/* xAPIC (EIME 0): the APIC ID is DST bits 15:8, the rest reserved. */
	x[0] = VTD_IRTE_P | 0x31ull << 16 | 0x0500ull << 32;
	assert_int_equal(vtd_irte_decode(x, false, &e), 0);
	assert_int_equal(e.dst, 5);
	x[0] = VTD_IRTE_P | 0x31ull << 16 | 0x0501ull << 32;
	assert_int_equal(vtd_irte_decode(x, false, &e), VTD_FR_IR_IRTE_RSVD);
	x[0] = VTD_IRTE_P | 0x31ull << 16 | 0x10500ull << 32;
	assert_int_equal(vtd_irte_decode(x, false, &e), VTD_FR_IR_IRTE_RSVD);
	assert_int_equal(vtd_irte_decode(x, true, &e), 0);
	/* Each reserved bit of the lower half, the posted format (IM), each
	 * of the upper half, and SVT 3. */
	for (unsigned b = 0; b < 64; b++) {
		x[0] = VTD_IRTE_P | 1ull << b;
		x[1] = 0;
		assert_int_equal(vtd_irte_decode(x, true, &e),
				 (VTD_IRTE_RSVD_LO >> b) & 1 ? VTD_FR_IR_IRTE_RSVD : 0);
		x[0] = VTD_IRTE_P;
		x[1] = 1ull << b;
		assert_int_equal(vtd_irte_decode(x, true, &e), b >= 20 ? VTD_FR_IR_IRTE_RSVD : 0);
	}
	x[0] = VTD_IRTE_P | VTD_IRTE_IM;
	x[1] = 0;
	assert_int_equal(vtd_irte_decode(x, true, &e), VTD_FR_IR_IRTE_RSVD);
	x[0] = VTD_IRTE_P;
	x[1] = 3ull << VTD_IRTE_SVT_SHIFT;
	assert_int_equal(vtd_irte_decode(x, true, &e), VTD_FR_IR_IRTE_RSVD);
	/* Not present: that first, whatever else; FPD still read. */
	x[0] = VTD_IRTE_FPD | VTD_IRTE_IM;
	x[1] = ~0ull;
	assert_int_equal(vtd_irte_decode(x, true, &e), VTD_FR_IR_NP);
	assert_true(e.fpd);
}

static void test_irte_msg(void **state)
{
	struct vtd_irte e = {.p = true, .vector = 0x41, .dst = 0x00000203, .dlm = 1};
	struct msi_msg m;

	(void)state;
	m = vtd_irte_msg(&e);
	/* Edge, physical, no hint: dest bits 7:0 in 19:12, 31:8 above. */
	assert_int_equal(m.addr, 0x0000020000000000ull | 0xfee03000);
	assert_int_equal(m.data, 0x141);
	e.dst = 0x7f;
	e.rh = e.dm = e.tm = true;
	e.dlm = 0;
	m = vtd_irte_msg(&e);
	assert_int_equal(m.addr, 0xfee7f00cull);
	assert_int_equal(m.data, 0x41 | VTD_MSI_LEVEL | VTD_MSI_ASSERT);
}

static void test_sid(void **state)
{
	struct vtd_irte e = {.p = true, .svt = VTD_SVT_SID, .sid = 0x0108}; /* 01:01.0 */

	(void)state;
	/* SQ 0: all 16 bits. */
	assert_true(vtd_irte_sid_ok(&e, 0x0108));
	assert_false(vtd_irte_sid_ok(&e, 0x0109));
	assert_false(vtd_irte_sid_ok(&e, 0x010c));
	assert_false(vtd_irte_sid_ok(&e, 0x0208));
	/* SQ 1: function bit 2 ignored. */
	e.sq = 1;
	assert_true(vtd_irte_sid_ok(&e, 0x010c));
	assert_false(vtd_irte_sid_ok(&e, 0x010a));
	assert_false(vtd_irte_sid_ok(&e, 0x0109));
	/* SQ 2: bits 2:1 ignored. */
	e.sq = 2;
	assert_true(vtd_irte_sid_ok(&e, 0x010e));
	assert_true(vtd_irte_sid_ok(&e, 0x010a));
	assert_false(vtd_irte_sid_ok(&e, 0x0109));
	/* SQ 3: bits 2:0 ignored (any function of the device). */
	e.sq = 3;
	assert_true(vtd_irte_sid_ok(&e, 0x010f));
	assert_true(vtd_irte_sid_ok(&e, 0x0109));
	assert_false(vtd_irte_sid_ok(&e, 0x0110));
	assert_false(vtd_irte_sid_ok(&e, 0x0008));
	/* SVT 2: the requester's bus in [SID 15:8, SID 7:0]. */
	e = (struct vtd_irte){.p = true, .svt = VTD_SVT_BUS, .sid = 0x0204};
	assert_false(vtd_irte_sid_ok(&e, 0x01ff));
	assert_true(vtd_irte_sid_ok(&e, 0x0200));
	assert_true(vtd_irte_sid_ok(&e, 0x04ff));
	assert_false(vtd_irte_sid_ok(&e, 0x0500));
	/* SVT 0: anyone. */
	e = (struct vtd_irte){.p = true, .sid = 0x1234, .sq = 3};
	assert_true(vtd_irte_sid_ok(&e, 0xffff));
}

static void test_registers(void **state)
{
	struct fx *f = *state;
	uint64_t ecap = rd(f, DMAR_ECAP_REG, 8);

	assert_true(ecap & VTD_ECAP_IR);
	assert_true(ecap & VTD_ECAP_EIM);
	/* IRTA: address 63:12, EIME, S writable; 10:4 read as zero. */
	wr(f, DMAR_IRTA_REG, 8, ~0ull);
	assert_int_equal(rd(f, DMAR_IRTA_REG, 8), DMA_IRTA_ADDR | DMA_IRTA_EIME | DMA_IRTA_S);
	assert_int_equal(f->notified, 0); /* IRTA alone changes nothing */
	assert_int_equal(rd(f, DMAR_GSTS_REG, 4) & DMA_GSTS_IRTPS, 0);
	/* SIRTP: one-shot, latches, sets IRTPS, re-routes. */
	wr(f, DMAR_IRTA_REG, 8, IRT | S_16);
	wr(f, DMAR_GCMD_REG, 4, DMA_GCMD_SIRTP);
	assert_true(rd(f, DMAR_GSTS_REG, 4) & DMA_GSTS_IRTPS);
	assert_int_equal(rd(f, DMAR_GCMD_REG, 4), 0);
	assert_int_equal(f->notified, 1);
	/* IRE: persistent; writing it again changes nothing. */
	wr(f, DMAR_GCMD_REG, 4, DMA_GCMD_IRE);
	assert_true(rd(f, DMAR_GSTS_REG, 4) & DMA_GSTS_IRES);
	assert_int_equal(f->notified, 2);
	wr(f, DMAR_GCMD_REG, 4, DMA_GCMD_IRE);
	assert_int_equal(f->notified, 2);
	/* CFI: persistent too, alongside IRE. */
	assert_false(rd(f, DMAR_GSTS_REG, 4) & DMA_GSTS_CFIS);
	wr(f, DMAR_GCMD_REG, 4, DMA_GCMD_IRE | DMA_GCMD_CFI);
	assert_true(rd(f, DMAR_GSTS_REG, 4) & DMA_GSTS_CFIS);
	assert_true(rd(f, DMAR_GSTS_REG, 4) & DMA_GSTS_IRES);
	assert_int_equal(f->notified, 3);
	/* Clearing both: one access, one re-route. */
	wr(f, DMAR_GCMD_REG, 4, 0);
	assert_false(rd(f, DMAR_GSTS_REG, 4) & (DMA_GSTS_CFIS | DMA_GSTS_IRES));
	assert_true(rd(f, DMAR_GSTS_REG, 4) & DMA_GSTS_IRTPS);
	assert_int_equal(f->notified, 4);
	/* An unrelated register: no re-route. */
	wr(f, DMAR_FEDATA_REG, 4, 1);
	assert_int_equal(f->notified, 4);
}

static void test_eime_needs_eim(void **state)
{
	struct fx *f = *state;

	assert_false(rd(f, DMAR_ECAP_REG, 8) & VTD_ECAP_EIM);
	wr(f, DMAR_IRTA_REG, 8, IRT | DMA_IRTA_EIME | S_16);
	assert_int_equal(rd(f, DMAR_IRTA_REG, 8), IRT | S_16);
}

static void test_latched_table(void **state)
{
	struct fx *f = *state;

	irte_put(f, 1, irte_lo(0x51, 1), 0);
	put64(&f->mem, IRT + 0x1000 + 16, irte_lo(0x52, 2));
	ir_enable(f, DMA_IRTA_EIME | S_16);
	/* A new IRTA is not used before SIRTP. */
	wr(f, DMAR_IRTA_REG, 8, (IRT + 0x1000) | DMA_IRTA_EIME | S_16);
	assert_int_equal(send(f, ir_addr(1, false), 0, SRC), 0);
	assert_int_equal(f->out.last.data, 0x51);
	wr(f, DMAR_GCMD_REG, 4, DMA_GCMD_IRE | DMA_GCMD_SIRTP);
	assert_int_equal(send(f, ir_addr(1, false), 0, SRC), 0);
	assert_int_equal(f->out.last.data, 0x52);
}

static void test_remap(void **state)
{
	struct fx *f = *state;
	struct msi_msg m = {0xfee01000, 0x31};

	/* Remapping off: untouched, the requester id passed on. */
	assert_int_equal(msi_sink_send(&f->sink, &m, SRC), 0);
	assert_int_equal(f->out.last.addr, m.addr);
	assert_int_equal(f->out.last.data, m.data);
	assert_int_equal(f->out_rid, SRC);
	/* Entry 5, x2APIC destination 0x301, level, lowest priority, from
	 * SRC exactly; handle 5 with SHV and subhandle 0. */
	irte_put(f, 5,
		 irte_lo(0x61, 0x301) | VTD_IRTE_TM | VTD_IRTE_RH | 1ull << VTD_IRTE_DLM_SHIFT,
		 SRC | 1ull << VTD_IRTE_SVT_SHIFT);
	ir_enable(f, DMA_IRTA_EIME | S_16);
	assert_int_equal(send(f, ir_addr(5, true), 0, SRC), 0);
	assert_int_equal(f->out.sent, 2);
	assert_int_equal(f->out.last.addr, 0x0000030000000000ull | 0xfee01008);
	assert_int_equal(f->out.last.data, 0x161 | VTD_MSI_LEVEL | VTD_MSI_ASSERT);
	/* Handle 3 + subhandle 2 = entry 5; without SHV the data is not
	 * added: entry 3, not present. */
	assert_int_equal(send(f, ir_addr(3, true), 2, SRC), 0);
	assert_int_equal(f->out.sent, 3);
	assert_int_equal(send(f, ir_addr(3, false), 2, SRC), -EPERM);
	assert_int_equal(f->out.sent, 3);
	assert_fault(f, 0, VTD_FR_IR_NP, SRC, 3);
	/* The IOAPIC's form (vector etc. in data 15:0, SHV 0) passes. */
	assert_int_equal(send(f, ir_addr(5, false), 0x8031, SRC), 0);
	assert_int_equal(f->out.sent, 4);
	assert_int_equal(f->out.last.data, 0x161 | VTD_MSI_LEVEL | VTD_MSI_ASSERT);
	/* The fault event went to the unit's own sink, not remapped. */
	assert_int_equal(f->unit_msi.sent, 1);
	assert_int_equal(f->unit_msi.last.data, 0x42);
}

static void test_remap_xapic(void **state)
{
	struct fx *f = *state;

	irte_put(f, 0, irte_lo(0x33, 0x0700) | VTD_IRTE_DM, 0);
	ir_enable(f, S_16);
	assert_int_equal(send(f, ir_addr(0, true), 0, SRC), 0);
	assert_int_equal(f->out.last.addr, 0xfee07004ull);
	assert_int_equal(f->out.last.data, 0x33);
	/* Destination bits xAPIC mode does not have: reserved. */
	irte_put(f, 0, irte_lo(0x33, 0x0701), 0);
	assert_int_equal(send(f, ir_addr(0, true), 0, SRC), -EPERM);
	assert_fault(f, 0, VTD_FR_IR_IRTE_RSVD, SRC, 0);
}

static void test_compat(void **state)
{
	struct fx *f = *state;
	struct msi_msg m = {0xfee02000, 0x45};

	ir_enable(f, S_16);
	/* CFIS clear: blocked, 0x25, no index. */
	assert_int_equal(msi_sink_send(&f->sink, &m, SRC), -EPERM);
	assert_int_equal(f->out.sent, 0);
	assert_fault(f, 0, VTD_FR_IR_COMPAT, SRC, 0);
	/* CFIS set, EIME clear: passes untouched. */
	wr(f, DMAR_GCMD_REG, 4, DMA_GCMD_IRE | DMA_GCMD_CFI);
	assert_int_equal(msi_sink_send(&f->sink, &m, SRC), 0);
	assert_int_equal(f->out.last.addr, m.addr);
	assert_int_equal(f->out.last.data, m.data);
	/* EIME set (latched): blocked even with CFIS. */
	wr(f, DMAR_IRTA_REG, 8, IRT | DMA_IRTA_EIME | S_16);
	wr(f, DMAR_GCMD_REG, 4, DMA_GCMD_IRE | DMA_GCMD_CFI | DMA_GCMD_SIRTP);
	assert_int_equal(msi_sink_send(&f->sink, &m, 0x0020), -EPERM);
	assert_int_equal(f->out.sent, 1);
	assert_fault(f, 1, VTD_FR_IR_COMPAT, 0x0020, 0);
}

/* A scoped unit (some device opted out): only its endpoints' and the
 * IOAPIC's interrupts are remapped; a requester in no scope is under no
 * remapping unit, so even a blocked format passes it untouched. */
static void test_scoped(void **state)
{
	struct guest_mem mem;
	struct fake_msi out = {0};
	struct vtd_params p = {
		.mem = &mem, .aw_bits = 48, .eim = true, .ioapic_rid = 0x00f0, .scoped = true};
	struct msi_msg m = {0xfee02000, 0x45}, got;
	struct msi_sink sink;
	struct vtd *v;

	(void)state;
	mem_init(&mem);
	assert_int_equal(vtd_new(&p, &v), 0);
	assert_int_equal(vtd_endpoint_add(v, SRC, NULL), 0);
	sink = vtd_ir_sink(v, (struct msi_sink){fake_msi_send, &out});
	vtd_reg_set(v, DMAR_GSTS_REG, DMA_GSTS_IRES); /* remapping on, CFIS clear */
	assert_int_equal(vtd_ir_translate(v, &m, SRC, &got, false), -EPERM);
	assert_int_equal(vtd_ir_translate(v, &m, 0x00f0, &got, false), -EPERM);
	assert_int_equal(msi_sink_send(&sink, &m, 0x0020), 0);
	assert_int_equal(out.sent, 1);
	assert_int_equal(out.last.addr, m.addr);
	assert_int_equal(out.last.data, m.data);
	vtd_free(v);
	free(mem.r[0].host);
}

static void test_faults(void **state)
{
	struct fx *f = *state;
	struct msi_msg m;

	irte_put(f, 2, irte_lo(0x40, 1), 0);
	irte_put(f, 4, irte_lo(0x40, 1) | 1ull << 13, 0); /* reserved bit 13 */
	irte_put(f, 6, irte_lo(0x40, 1), 0x0010 | 1ull << VTD_IRTE_SVT_SHIFT);
	ir_enable(f, DMA_IRTA_EIME | S_16);
	/* 0x20: upper address bits, or data bits 31:16. */
	m = (struct msi_msg){ir_addr(2, true) | 1ull << 32, 0};
	assert_int_equal(msi_sink_send(&f->sink, &m, SRC), -EPERM);
	assert_fault(f, 0, VTD_FR_IR_REQ_RSVD, SRC, 0);
	assert_int_equal(send(f, ir_addr(2, true), 0x10000, 0x0021), -EPERM);
	assert_fault(f, 1, VTD_FR_IR_REQ_RSVD, 0x0021, 0);
	/* 0x21: index 16 of 16 entries; 0x8000 via bit 2. */
	assert_int_equal(send(f, ir_addr(16, true), 0, 0x0022), -EPERM);
	assert_fault(f, 2, VTD_FR_IR_INDEX, 0x0022, 16);
	assert_int_equal(send(f, ir_addr(0x8000, true), 0, 0x0023), -EPERM);
	assert_fault(f, 3, VTD_FR_IR_INDEX, 0x0023, 0x8000);
	faults_clear(f);
	/* 0x22: entry 3 is not present. */
	assert_int_equal(send(f, ir_addr(3, true), 0, 0x0024), -EPERM);
	assert_fault(f, 0, VTD_FR_IR_NP, 0x0024, 3);
	/* 0x24: a reserved bit. */
	assert_int_equal(send(f, ir_addr(4, true), 0, 0x0025), -EPERM);
	assert_fault(f, 1, VTD_FR_IR_IRTE_RSVD, 0x0025, 4);
	/* 0x26: entry 6 is for 00:02.0 only. */
	assert_int_equal(send(f, ir_addr(6, true), 0, 0x0026), -EPERM);
	assert_fault(f, 2, VTD_FR_IR_SID, 0x0026, 6);
	assert_int_equal(send(f, ir_addr(6, true), 0, 0x0010), 0);
	assert_int_equal(f->out.sent, 1);
	/* 0x23: a table outside RAM (the largest size: index 0xfff0). */
	wr(f, DMAR_IRTA_REG, 8, (VRAM - 0x1000) | DMA_IRTA_EIME | 15);
	wr(f, DMAR_GCMD_REG, 4, DMA_GCMD_IRE | DMA_GCMD_SIRTP);
	assert_int_equal(send(f, ir_addr(0xfff0, true), 0, 0x0027), -EPERM);
	assert_fault(f, 3, VTD_FR_IR_TABLE, 0x0027, 0xfff0);
	assert_int_equal(f->out.sent, 1);
}

/* A table whose entries run past the top of the address space: an entry
 * beyond 2^64 cannot be read (0x23); it is not the entry at the wrapped
 * address, low in RAM. */
static void test_table_wraps(void **state)
{
	struct fx *f = *state;

	irte_put(f, 0, irte_lo(0x40, 1), 0);
	put64(&f->mem, 0, irte_lo(0x41, 1)); /* where entry 256 would wrap to */
	put64(&f->mem, 8, 0);
	wr(f, DMAR_IRTA_REG, 8, 0xfffffffffffff000ull | DMA_IRTA_EIME | 15);
	wr(f, DMAR_FEADDR_REG, 4, 0xfee00000);
	wr(f, DMAR_FECTL_REG, 4, 0);
	wr(f, DMAR_GCMD_REG, 4, DMA_GCMD_SIRTP);
	wr(f, DMAR_GCMD_REG, 4, DMA_GCMD_IRE);
	assert_int_equal(send(f, ir_addr(256, true), 0, SRC), -EPERM);
	assert_int_equal(f->out.sent, 0);
	assert_fault(f, 0, VTD_FR_IR_TABLE, SRC, 256);
	assert_int_equal(send(f, ir_addr(255, true), 0, SRC), -EPERM);
	assert_fault(f, 1, VTD_FR_IR_TABLE, SRC, 255);
}

static void test_fpd(void **state)
{
	struct fx *f = *state;

	irte_put(f, 1, VTD_IRTE_FPD, 0); /* not present */
	irte_put(f, 2, irte_lo(0x40, 1) | VTD_IRTE_FPD | 1ull << 24, 0);
	irte_put(f, 3, irte_lo(0x40, 1) | VTD_IRTE_FPD, 0x0010 | 1ull << VTD_IRTE_SVT_SHIFT);
	ir_enable(f, DMA_IRTA_EIME | S_16);
	/* Blocked, nothing recorded. */
	assert_int_equal(send(f, ir_addr(1, true), 0, SRC), -EPERM);
	assert_int_equal(send(f, ir_addr(2, true), 0, SRC), -EPERM);
	assert_int_equal(send(f, ir_addr(3, true), 0, SRC), -EPERM);
	assert_int_equal(f->out.sent, 0);
	assert_int_equal(nr_faults(f), 0);
	assert_int_equal(rd(f, DMAR_FSTS_REG, 4), 0);
	/* The same entries without FPD record. */
	irte_put(f, 1, 0, 0);
	assert_int_equal(send(f, ir_addr(1, true), 0, SRC), -EPERM);
	assert_int_equal(nr_faults(f), 1);
}

/* An IRTE verifying another device's source-id (kvm-unit-tests programs the
 * edu's for its INTx pin): the IOAPIC's interrupt is blocked by default, with
 * FPD silently, without it recorded from the IOAPIC's id. */
static void test_ioapic_sid(void **state)
{
	struct fx *f = *state;
	const uint64_t edu = 0x0010 | 1ull << VTD_IRTE_SVT_SHIFT;

	irte_put(f, 1, irte_lo(0x41, 1) | VTD_IRTE_FPD, edu);
	irte_put(f, 2, irte_lo(0x42, 1), edu);
	ir_enable(f, DMA_IRTA_EIME | S_16);
	assert_int_equal(send(f, ir_addr(1, true), 0, IOAPIC), -EPERM);
	assert_int_equal(nr_faults(f), 0);
	assert_int_equal(send(f, ir_addr(2, true), 0, IOAPIC), -EPERM);
	assert_fault(f, 0, VTD_FR_IR_SID, IOAPIC, 2);
	assert_int_equal(f->out.sent, 0);
	assert_int_equal(send(f, ir_addr(1, true), 0, 0x0010), 0); /* the edu's own */
	assert_int_equal(f->out.sent, 1);
}

/* ioapic-sid=ignore: the IOAPIC's interrupts pass whatever the IRTE's
 * source-id, as QEMU's do; other requesters are still checked. */
static void test_ioapic_sid_ignore(void **state)
{
	struct fx *f = *state;
	const uint64_t edu = 0x0010 | 1ull << VTD_IRTE_SVT_SHIFT;

	irte_put(f, 1, irte_lo(0x41, 1) | VTD_IRTE_FPD, edu);
	ir_enable(f, DMA_IRTA_EIME | S_16);
	assert_int_equal(send(f, ir_addr(1, true), 0, IOAPIC), 0);
	assert_int_equal(f->out.sent, 1);
	assert_int_equal(f->out.last.data & 0xff, 0x41);
	assert_int_equal(send(f, ir_addr(1, true), 0, SRC), -EPERM);
	assert_int_equal(f->out.sent, 1);
	assert_int_equal(nr_faults(f), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_irte_decode),
		cmocka_unit_test(test_irte_msg),
		cmocka_unit_test(test_sid),
		cmocka_unit_test_setup_teardown(test_registers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_eime_needs_eim, setup_xapic, teardown),
		cmocka_unit_test_setup_teardown(test_latched_table, setup, teardown),
		cmocka_unit_test_setup_teardown(test_remap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_remap_xapic, setup_xapic, teardown),
		cmocka_unit_test_setup_teardown(test_compat, setup, teardown),
		cmocka_unit_test(test_scoped),
		cmocka_unit_test_setup_teardown(test_faults, setup, teardown),
		cmocka_unit_test_setup_teardown(test_table_wraps, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fpd, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ioapic_sid, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ioapic_sid_ignore, setup_sid_ignore, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
