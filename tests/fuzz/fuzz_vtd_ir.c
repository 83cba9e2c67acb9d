// SPDX-License-Identifier: MIT
/* The emulated VT-d's interrupt remapping (devices/vtd/ir.c, with the
 * register and queue paths that reach it) as a fuzz target: an IRTA
 * register and GCMD (SIRTP, IRE, CFI), an interrupt remapping table at
 * FZ_IRT in the RAM of tests/fuzz/vtd_fixture.h with fuzzed IRTEs, IEC
 * invalidations by the queue (SIRTP being the register-based one), and
 * MSIs with fuzzed address, data and requester id sent through the unit's
 * sink, vtd_ir_translate() (recording or not) or its router.
 *
 * Input: a configuration byte (bit 0 EIM, bit 1 ioapic-sid=ignore, bit 2 a
 * scoped unit: only 00:01.0, 00:02.0 and the IOAPIC 00:1e.0 are under it),
 * then operations until the input ends, each an opcode byte (mod 10) and
 * its arguments: an MMIO write (a register of the list or any offset); IRTA
 * (the table, another page or a raw address; EIME; S) with or without
 * SIRTP; GCMD with IRE/CFI/SIRTP as given (TE and QIE kept); an IRTE
 * (structured: P, FPD, DM, RH, TM, delivery mode, vector, an xAPIC or
 * x2APIC destination, SVT/SQ/SID; raw; one bit flipped); an MSI (requester
 * from {00:01.0, 00:02.0, IOAPIC, 00:04.0, raw}; remappable with a handle,
 * SHV and subhandle, sometimes with reserved bits; or compatibility format)
 * by one of the four paths; the queue on; an IEC or wait descriptor, or a
 * raw one; the doorbell; the fault records serviced. At most 4096 bytes.
 *
 * Invariants:
 *  - Every MSI is remapped as a reference written here from the spec says
 *    (VT-d 5.1, 9.10): untouched when remapping is off or the requester is
 *    in no scope; a compatibility-format one passes untouched only with
 *    CFIS set and EIME clear, else is blocked (0x25); a remappable one with
 *    reserved address or data bits is blocked (0x20), with an index (handle
 *    plus subhandle under SHV) beyond 2^(S+1) (0x21), an IRTE outside RAM
 *    (0x23), not present (0x22), with a reserved bit, the posted format,
 *    SVT 3 or destination bits xAPIC mode lacks (0x24), or a source-id that
 *    fails SVT/SQ (0x26, except the IOAPIC's with ioapic-sid=ignore);
 *    otherwise its output is built from the IRTE alone: vector, delivery
 *    mode, trigger (level asserts), destination (bits 7:0 in address 19:12,
 *    31:8 in address 63:40), DM and RH. The IRTA used is the one SIRTP
 *    latched.
 *  - A blocked MSI reaches no output (the sink's is not called, the router
 *    removes the route); a passed one reaches it once, with its requester.
 *  - Faults: a blocked request with recording (the sink, a recording
 *    translate) records exactly one fault (or drops it on overflow) unless
 *    the IRTE says FPD for a qualified reason (0x22, 0x24, 0x26); its record
 *    holds the reason, the requester, the index (bits 63:48 of the low
 *    half, 0 when not yet known) and T = 0 (a write); routing and
 *    non-recording translation record nothing; a passed MSI records
 *    nothing. FSTS.PPF is set exactly when a record's F is.
 *  - Registers: GSTS.IRES and CFIS equal the bits a GCMD write carried;
 *    SIRTP sets IRTPS and latches IRTA (the unit's table pointer is what
 *    IRTA held then); EIME reads 0 without ECAP.EIM.
 *  - Re-routing: the notify hook is called after a write that latched a
 *    table or changed IRES or CFIS, and after a doorbell that completed an
 *    IEC descriptor; a wait descriptor after the IEC does not complete (its
 *    status write is not seen) before the hook has run. The queue's head
 *    never stalls short of its tail with no error.
 *
 * FUZZ_VTD_STATS=1 prints at exit how many MSIs passed and how many were
 * blocked for each reason. */
#include "tests/fuzz/vtd_fixture.h"

#include <errno.h>

#define MAX_INPUT 4096
#define IOAPIC	  0x00f0
#define NSLOTS	  16 /* status words at FZ_STATUS */

static const uint16_t rids[4] = {0x0008, 0x0010, IOAPIC, 0x0020};

struct out {
	unsigned sent;
	struct msi_msg last;
	uint16_t rid;
};

struct router {
	unsigned routes, removes;
	struct msi_msg last;
};

struct fx {
	struct fz_mem m;
	struct vtd *v;
	struct fz_unit_msi msi;
	struct out out;
	struct router inner;
	struct msi_sink sink;
	struct msix_router router;
	bool eim, sid_ignore, scoped;
	uint64_t irta; /* IRTA as the last SIRTP latched it */
	unsigned notified, qtail;
	bool snapped; /* status words seen at the first re-route of an operation */
	uint32_t status_at_notify[NSLOTS];
};

static int out_send(void *opaque, const struct msi_msg *m, uint16_t rid)
{
	struct out *o = opaque;

	o->sent++;
	o->last = *m;
	o->rid = rid;
	return 0;
}

static int inner_route(void *opaque, unsigned gsi, const struct msi_msg *msg, uint16_t rid,
		       bool enabled)
{
	struct router *r = opaque;

	(void)gsi, (void)rid;
	if (!enabled) {
		r->removes++;
		return 0;
	}
	r->routes++;
	r->last = *msg;
	return 0;
}

static int inner_irqfd(void *opaque, int efd, unsigned gsi, bool assign)
{
	(void)opaque, (void)efd, (void)gsi, (void)assign;
	return 0;
}

static uint32_t status_word(struct fx *f, unsigned s)
{
	return (uint32_t)fz_get64(&f->m, FZ_STATUS + 4 * s);
}

static void notify(void *opaque)
{
	struct fx *f = opaque;

	f->notified++;
	if (!f->snapped)
		for (unsigned s = 0; s < NSLOTS; s++)
			f->status_at_notify[s] = status_word(f, s);
	f->snapped = true;
}

static uint64_t reg_raw(const struct vtd *v, unsigned off, unsigned size)
{
	uint64_t val = 0;

	memcpy(&val, v->regs + off, size);
	return val;
}

static unsigned long outcomes[0x28], waits_checked; /* FUZZ_VTD_STATS */

/* --- the reference --------------------------------------------------------- */

struct ref {
	unsigned reason; /* 0: passes */
	uint32_t index;
	bool fpd;
	struct msi_msg out;
};

static bool covered(const struct fx *f, uint16_t rid)
{
	return !f->scoped || rid == IOAPIC || rid == rids[0] || rid == rids[1];
}

static bool sid_ok(uint64_t hi, uint16_t rid)
{
	static const uint16_t sq_mask[4] = {0xffff, 0xfffb, 0xfff9, 0xfff8};
	uint16_t sid = (uint16_t)hi;
	unsigned sq = (hi >> 16) & 3, svt = (hi >> 18) & 3;

	if (svt == 0)
		return true;
	if (svt == 1)
		return !((rid ^ sid) & sq_mask[sq]);
	return (rid >> 8) >= (sid >> 8) && (rid >> 8) <= (sid & 0xff); /* svt 2 */
}

static void ref_ir(struct fx *f, const struct msi_msg *in, uint16_t rid, struct ref *r)
{
	uint32_t gsts = (uint32_t)reg_raw(f->v, DMAR_GSTS_REG, 4);
	bool eime = f->irta & DMA_IRTA_EIME;
	uint64_t e0, e1, base = f->irta & DMA_IRTA_ADDR;
	uint32_t dst;

	*r = (struct ref){.out = *in};
	if (!(gsts & DMA_GSTS_IRES) || !covered(f, rid))
		return;
	if (!(in->addr & BIT_ULL(4))) {
		if (!(gsts & DMA_GSTS_CFIS) || eime)
			r->reason = VTD_FR_IR_COMPAT;
		return;
	}
	if ((in->addr >> 20) != 0xfee || (in->data >> 16)) {
		r->reason = VTD_FR_IR_REQ_RSVD;
		return;
	}
	r->index = (uint32_t)((in->addr >> 5) & 0x7fff) | (uint32_t)((in->addr >> 2) & 1) << 15;
	if (in->addr & BIT_ULL(3))
		r->index += in->data & 0xffff;
	if (r->index >= 2u << (f->irta & 0xf)) {
		r->reason = VTD_FR_IR_INDEX;
		return;
	}
	if (!fz_in_ram(base + 16ull * r->index, 16) || base + 16ull * r->index < base) {
		r->reason = VTD_FR_IR_TABLE;
		return;
	}
	e0 = fz_get64(&f->m, base + 16ull * r->index);
	e1 = fz_get64(&f->m, base + 16ull * r->index + 8);
	r->fpd = e0 & 2;
	dst = (uint32_t)(e0 >> 32);
	if (!(e0 & 1)) {
		r->reason = VTD_FR_IR_NP;
		return;
	}
	/* reserved: 14:12, 15 (IM: no posted interrupts), 31:24; 127:84; SVT 3;
	 * without EIME, destination bits other than 15:8 */
	if ((e0 & (GENMASK_ULL(15, 12) | GENMASK_ULL(31, 24))) || (e1 >> 20) ||
	    ((e1 >> 18) & 3) == 3 || (!eime && (dst & ~0xff00u))) {
		r->reason = VTD_FR_IR_IRTE_RSVD;
		return;
	}
	if (!sid_ok(e1, rid) && !(rid == IOAPIC && f->sid_ignore)) {
		r->reason = VTD_FR_IR_SID;
		return;
	}
	if (!eime)
		dst = (dst >> 8) & 0xff;
	r->out.addr = 0xfee00000ull | (uint64_t)(dst & 0xff) << 12 | (uint64_t)(dst >> 8) << 40 |
		      (e0 & 8 ? 8 : 0) /* RH */ | (e0 & 4 ? 4 : 0) /* DM */;
	r->out.data = (uint32_t)((e0 >> 16) & 0xff) | (uint32_t)((e0 >> 5) & 7) << 8 |
		      (e0 & 16 ? BIT(15) | BIT(14) : 0);
}

/* --- checks ------------------------------------------------------------------ */

static void check_regs(struct fx *f)
{
	struct vtd *v = f->v;
	bool any_f = false;

	for (unsigned i = 0; i < VTD_NR_FRCD; i++)
		any_f |= reg_raw(v, DMAR_FRCD_REG + 16 * i + 8, 8) & DMA_FRCD_F;
	FUZZ_CHECK(!!(reg_raw(v, DMAR_FSTS_REG, 4) & DMA_FSTS_PPF) == any_f, "FSTS.PPF vs F");
	FUZZ_CHECK(v->irta == f->irta, "the latched table 0x%llx is not what SIRTP saw, 0x%llx",
		   (unsigned long long)v->irta, (unsigned long long)f->irta);
	FUZZ_CHECK(f->eim || !(reg_raw(v, DMAR_IRTA_REG, 8) & DMA_IRTA_EIME), "EIME without EIM");
}

static void write_reg(struct fx *f, unsigned off, unsigned size, uint64_t val)
{
	uint32_t gsts0 = (uint32_t)reg_raw(f->v, DMAR_GSTS_REG, 4), gsts;
	uint64_t irta = reg_raw(f->v, DMAR_IRTA_REG, 8);
	unsigned n0 = f->notified;
	uint64_t w = 0;
	bool gcmd = false;

	/* The GCMD bits the write carries, at their place (32-bit writes, or
	 * the low half of an 8-byte one). */
	if (off >= DMAR_GCMD_REG && off < DMAR_GCMD_REG + 4 && off + size <= DMAR_GCMD_REG + 4) {
		gcmd = true;
		w = (val & (size == 4 ? 0xffffffffull : (1ull << (8 * size)) - 1))
		    << (8 * (off - DMAR_GCMD_REG));
	} else if (off == DMAR_GCMD_REG && size == 8) {
		gcmd = true;
		w = val & 0xffffffff;
	}
	fz_wr(f->v, off, size, val);
	gsts = (uint32_t)reg_raw(f->v, DMAR_GSTS_REG, 4);
	if (gcmd) {
		uint32_t want = (uint32_t)w & (DMA_GCMD_IRE | DMA_GCMD_CFI);

		FUZZ_CHECK((gsts & (DMA_GSTS_IRES | DMA_GSTS_CFIS)) == want,
			   "GSTS 0x%x after GCMD 0x%llx", gsts, (unsigned long long)w);
		if (w & DMA_GCMD_SIRTP) {
			FUZZ_CHECK(gsts & DMA_GSTS_IRTPS, "SIRTP without IRTPS");
			f->irta = irta;
		}
		if ((w & DMA_GCMD_SIRTP) || ((gsts ^ gsts0) & (DMA_GSTS_IRES | DMA_GSTS_CFIS)))
			FUZZ_CHECK(f->notified > n0, "no re-route after GCMD 0x%llx",
				   (unsigned long long)w);
	}
	check_regs(f);
}

static void ring(void *opaque, uint64_t iqt)
{
	write_reg(opaque, DMAR_IQT_REG, 8, iqt);
}

/* --- operations --------------------------------------------------------------- */

static uint32_t persist(struct fx *f)
{
	return (uint32_t)reg_raw(f->v, DMAR_GSTS_REG, 4) &
	       (DMA_GCMD_TE | DMA_GCMD_QIE | DMA_GCMD_IRE | DMA_GCMD_CFI);
}

static const unsigned mmio_regs[][2] = {
	{DMAR_IRTA_REG, 8},   {DMAR_GCMD_REG, 4},   {DMAR_FSTS_REG, 4},	    {DMAR_FECTL_REG, 4},
	{DMAR_FEDATA_REG, 4}, {DMAR_FEADDR_REG, 4}, {DMAR_IQA_REG, 8},	    {DMAR_IQT_REG, 8},
	{DMAR_ICS_REG, 4},    {DMAR_IECTL_REG, 4},  {DMAR_FRCD_REG + 8, 8}, {DMAR_IRTA_REG + 4, 4},
};

static void op_mmio(struct fx *f, struct fuzz_in *in)
{
	uint8_t sel = fuzz_u8(in);
	unsigned off, size;

	if (sel < 2 * ARRAY_SIZE(mmio_regs)) {
		off = mmio_regs[sel % ARRAY_SIZE(mmio_regs)][0];
		size = mmio_regs[sel % ARRAY_SIZE(mmio_regs)][1];
	} else {
		off = fuzz_u16(in) & 0xfff;
		size = 1u << (fuzz_u8(in) & 3);
	}
	write_reg(f, off, size, fuzz_u64(in));
}

static void op_irta(struct fx *f, struct fuzz_in *in)
{
	uint8_t b = fuzz_u8(in);
	uint64_t addr =
		b & 0x80 ? fuzz_u64(in) & DMA_IRTA_ADDR : FZ_IRT + 0x1000ull * ((b >> 5) & 3);

	write_reg(f, DMAR_IRTA_REG, 8, addr | (b & 0x10 ? DMA_IRTA_EIME : 0) | (fuzz_u8(in) & 15));
	if (b & 1)
		write_reg(f, DMAR_GCMD_REG, 4, persist(f) | DMA_GCMD_SIRTP);
}

static void op_gcmd(struct fx *f, struct fuzz_in *in)
{
	uint8_t b = fuzz_u8(in);
	uint32_t val = persist(f) & ~(DMA_GCMD_IRE | DMA_GCMD_CFI);

	val |= (b & 1 ? DMA_GCMD_IRE : 0) | (b & 2 ? DMA_GCMD_CFI : 0) |
	       (b & 4 ? DMA_GCMD_SIRTP : 0);
	write_reg(f, DMAR_GCMD_REG, 4, val);
}

static void op_irte(struct fx *f, struct fuzz_in *in)
{
	uint8_t is = fuzz_u8(in), k = fuzz_u8(in);
	unsigned index = is < 0xf0 ? is & 31 : fuzz_u16(in) & 511;
	uint64_t lo, hi;

	if ((k & 3) == 3) {
		lo = fuzz_u64(in);
		hi = fuzz_u64(in);
	} else {
		uint8_t fl = fuzz_u8(in), vec = fuzz_u8(in), q = fuzz_u8(in);
		uint32_t dst = k & 4 ? fuzz_u32(in) : (uint32_t)fuzz_u8(in) << 8;
		uint16_t sid = q & 0x80 ? fuzz_u16(in) : rids[q & 3];

		lo = (k & 3 ? 1 : 0) | (fl & 0x1e) /* FPD DM RH TM */ |
		     (uint64_t)((fl >> 5) & 7) << 5 | (uint64_t)vec << 16 | (uint64_t)dst << 32;
		hi = sid | (uint64_t)((q >> 2) & 3) << 16 | (uint64_t)((q >> 4) & 3) << 18;
		if (k & 8) { /* one bit flipped */
			uint8_t bit = fuzz_u8(in);

			if (bit & 64)
				hi ^= 1ull << (bit & 63);
			else
				lo ^= 1ull << (bit & 63);
		}
	}
	if (fz_in_ram(FZ_IRT + 16ull * index, 16)) {
		memcpy(f->m.buf + FZ_IRT + 16ull * index, &lo, 8);
		memcpy(f->m.buf + FZ_IRT + 16ull * index + 8, &hi, 8);
	}
}

static void op_msi(struct fx *f, struct fuzz_in *in)
{
	uint8_t b = fuzz_u8(in), path = b >> 6;
	uint16_t rid = (b & 7) < 4 ? rids[b & 7] : fuzz_u16(in);
	struct msi_msg m, got = {0};
	struct ref r;
	struct vtd *v = f->v;
	uint64_t rec0 = v->faults_recorded, drop0 = v->faults_dropped, n;
	unsigned next = v->next_frcd, sent0 = f->out.sent, routes0 = f->inner.routes,
		 removes0 = f->inner.removes;
	bool record = path == 0 || path == 1;
	int ret;

	if (b & 8) { /* compatibility format, or anything */
		m.addr = fuzz_u64(in);
		m.data = fuzz_u32(in);
		if (!(b & 0x10))
			m.addr = 0xfee00000ull | (m.addr & 0xfffef);
	} else {
		uint8_t h = fuzz_u8(in);
		uint16_t handle = h & 0x80 ? fuzz_u16(in) : h & 31;
		uint16_t sub = fuzz_u16(in);

		m.addr = 0xfee00000ull | (uint64_t)(handle & 0x7fff) << 5 | BIT_ULL(4) |
			 (h & 0x40 ? BIT_ULL(3) : 0) | (handle & 0x8000 ? 4 : 0) |
			 ((h >> 5) & 1 ? 3 : 0);
		m.data = sub;
		if (b & 0x10) { /* a reserved bit of the request */
			uint8_t bit = fuzz_u8(in);

			if (bit & 0x80)
				m.data ^= 1u << (16 + (bit & 15));
			else
				m.addr ^= 1ull << (20 + (bit % 44));
		}
	}
	ref_ir(f, &m, rid, &r);
	outcomes[r.reason < 0x28 ? r.reason : 0]++;
	switch (path) {
	case 0: /* the sink */
		ret = msi_sink_send(&f->sink, &m, rid);
		if (f->out.sent != sent0)
			got = f->out.last;
		FUZZ_CHECK(f->out.sent == sent0 + !r.reason, "the sink's output called %u times",
			   f->out.sent - sent0);
		FUZZ_CHECK(r.reason || f->out.rid == rid, "the output's requester changed");
		break;
	case 1:
	case 2: ret = vtd_ir_translate(v, &m, rid, &got, path == 1); break;
	default: {
		bool enabled = !(b & 0x20);

		ret = f->router.route(f->router.opaque, 40, &m, rid, enabled);
		if (!enabled) {
			FUZZ_CHECK(!ret && f->inner.removes == removes0 + 1 &&
					   f->inner.routes == routes0,
				   "removing a route");
			FUZZ_CHECK(v->faults_recorded == rec0 && v->faults_dropped == drop0,
				   "a fault for a removed route");
			return;
		}
		FUZZ_CHECK(f->inner.routes == routes0 + !r.reason &&
				   f->inner.removes == removes0 + !!r.reason,
			   "routing: %u routes, %u removes for reason 0x%x",
			   f->inner.routes - routes0, f->inner.removes - removes0, r.reason);
		got = f->inner.last;
		break;
	}
	}
	FUZZ_CHECK(!ret == !r.reason,
		   "%04x 0x%llx/0x%x: the unit says %d, the reference reason 0x%x", rid,
		   (unsigned long long)m.addr, m.data, ret, r.reason);
	FUZZ_CHECK(r.reason || (got.addr == r.out.addr && got.data == r.out.data),
		   "%04x 0x%llx/0x%x remapped to 0x%llx/0x%x, the IRTE says 0x%llx/0x%x", rid,
		   (unsigned long long)m.addr, m.data, (unsigned long long)got.addr, got.data,
		   (unsigned long long)r.out.addr, r.out.data);
	n = (v->faults_recorded - rec0) + (v->faults_dropped - drop0);
	FUZZ_CHECK(n == (record && r.reason && !r.fpd ? 1u : 0u),
		   "%04x 0x%llx/0x%x: %llu faults for reason 0x%x (FPD %d, recording %d)", rid,
		   (unsigned long long)m.addr, m.data, (unsigned long long)n, r.reason, r.fpd,
		   record);
	if (v->faults_recorded != rec0) {
		uint64_t lo = reg_raw(v, DMAR_FRCD_REG + 16 * next, 8);
		uint64_t hi = reg_raw(v, DMAR_FRCD_REG + 16 * next + 8, 8);

		FUZZ_CHECK((hi & DMA_FRCD_F) && !(hi & DMA_FRCD_T) &&
				   ((hi >> DMA_FRCD_FR_SHIFT) & 0xff) == r.reason &&
				   (hi & DMA_FRCD_SID_MASK) == rid &&
				   lo == (uint64_t)(r.index & 0xffff) << DMA_FRCD_FI_IR_SHIFT,
			   "fault record 0x%llx 0x%llx for reason 0x%x, index %u, %04x",
			   (unsigned long long)hi, (unsigned long long)lo, r.reason, r.index, rid);
	}
}

static void op_qi_enable(struct fx *f)
{
	write_reg(f, DMAR_GCMD_REG, 4, persist(f) & ~DMA_GCMD_QIE);
	write_reg(f, DMAR_IQT_REG, 8, 0);
	write_reg(f, DMAR_IQA_REG, 8, FZ_QUEUE);
	write_reg(f, DMAR_GCMD_REG, 4, persist(f) | DMA_GCMD_QIE);
	f->qtail = 0;
}

static void op_desc(struct fx *f, struct fuzz_in *in)
{
	uint8_t k = fuzz_u8(in);
	uint64_t d0, d1 = 0;

	switch (k & 3) {
	case 0: /* IEC: global or index-selective */
		d0 = 4 | (k & 4 ? BIT_ULL(4) : 0) | (uint64_t)((k >> 3) & 3) << 27 |
		     (uint64_t)fuzz_u16(in) << 32;
		break;
	case 1:
	case 2: /* wait: status write, interrupt */
		d0 = 5 | BIT_ULL(5) | (k & 4 ? BIT_ULL(4) : 0) | (uint64_t)fuzz_u32(in) << 32;
		d1 = FZ_STATUS + 4 * (fuzz_u8(in) % NSLOTS);
		break;
	default:
		d0 = fuzz_u64(in);
		d1 = fuzz_u64(in);
		break;
	}
	memcpy(f->m.buf + FZ_QUEUE + 16ull * f->qtail, &d0, 8);
	memcpy(f->m.buf + FZ_QUEUE + 16ull * f->qtail + 8, &d1, 8);
	f->qtail = (f->qtail + 1) % 256;
}

/* The doorbell, drained; an IEC re-routes before a later wait completes. */
static void op_doorbell(struct fx *f, struct fuzz_in *in)
{
	uint64_t iqt = fuzz_bool(in) ? (uint64_t)fuzz_u8(in) << 4 : (uint64_t)f->qtail << 4;
	uint64_t iqh0 = reg_raw(f->v, DMAR_IQH_REG, 8), base = FZ_QUEUE;
	uint32_t s0[NSLOTS];
	unsigned n0 = f->notified, size, h1, iec = ~0u;
	bool qion = reg_raw(f->v, DMAR_GSTS_REG, 4) & DMA_GSTS_QIES;
	bool plain = (reg_raw(f->v, DMAR_IQA_REG, 8) & ~(uint64_t)DMA_IQA_QS) == FZ_QUEUE;

	for (unsigned s = 0; s < NSLOTS; s++)
		s0[s] = status_word(f, s);
	f->snapped = false;
	write_reg(f, DMAR_IQT_REG, 8, iqt);
	FUZZ_CHECK(fz_qi_drain(f->v, ring, f), "the queue stalled at 0x%llx, tail 0x%llx",
		   (unsigned long long)reg_raw(f->v, DMAR_IQH_REG, 8),
		   (unsigned long long)reg_raw(f->v, DMAR_IQT_REG, 8));
	if (!qion || !plain)
		return;
	size = fz_qi_size(f->v);
	h1 = (unsigned)(reg_raw(f->v, DMAR_IQH_REG, 8) >> 4);
	for (unsigned h = (unsigned)(iqh0 >> 4) % size, n = 0; h != h1 && n < size;
	     h = (h + 1) % size, n++) {
		uint64_t d0 = fz_get64(&f->m, base + 16ull * h),
			 d1 = fz_get64(&f->m, base + 16ull * h + 8);
		unsigned type = (unsigned)(d0 & 0xf) | (unsigned)((d0 >> 9) & 7) << 4;
		uint64_t sa = d1 & ~3ull;
		unsigned slot = (unsigned)((sa - FZ_STATUS) / 4);
		uint32_t data = (uint32_t)(d0 >> 32);

		if (type == 4 && iec == ~0u)
			iec = h;
		if (type != 5 || !(d0 & BIT_ULL(5)) || sa < FZ_STATUS || slot >= NSLOTS)
			continue;
		if (iec != ~0u && s0[slot] != data) {
			waits_checked++;
			FUZZ_CHECK(f->notified > n0, "an IEC completed without a re-route");
			FUZZ_CHECK(f->status_at_notify[slot] != data,
				   "a wait after an IEC completed before the re-route");
			break;
		}
		s0[slot] = data; /* what a later wait of the same slot finds */
	}
	if (iec != ~0u)
		FUZZ_CHECK(f->notified > n0, "an IEC completed without a re-route");
}

static void op_service(struct fx *f)
{
	for (unsigned i = 0; i < VTD_NR_FRCD; i++)
		write_reg(f, DMAR_FRCD_REG + 16 * i + 12, 4, DMA_FRCD_F >> 32);
	write_reg(f, DMAR_FSTS_REG, 4, DMA_FSTS_PFO);
}

/* --- the target ---------------------------------------------------------------- */

static struct fx fx;

/* Outcomes by reason (0: passed), and waits checked against a re-route;
 * FUZZ_VTD_STATS=1 prints them at exit. */

static void stats_print(void)
{
	fprintf(stderr, "fuzz_vtd_ir: passed %lu;", outcomes[0]);
	for (unsigned r = VTD_FR_IR_REQ_RSVD; r <= VTD_FR_IR_SID; r++)
		fprintf(stderr, " 0x%x: %lu", r, outcomes[r]);
	fprintf(stderr, "; %lu waits after an IEC\n", waits_checked);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (getenv("FUZZ_VTD_STATS"))
		atexit(stats_print);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = fuzz_in(data, size);
	struct fx *f = &fx;
	struct vtd_params p;
	uint8_t cfg;

	if (size > MAX_INPUT)
		return -1;
	cfg = fuzz_u8(&in);
	memset(f, 0, sizeof(*f));
	fz_mem_init(&f->m);
	f->eim = cfg & 1;
	f->sid_ignore = cfg & 2;
	f->scoped = cfg & 4;
	p = (struct vtd_params){.mem = &f->m.mem,
				.msi = {fz_unit_msi_send, &f->msi},
				.aw_bits = 48,
				.eim = f->eim,
				.ioapic_rid = IOAPIC,
				.ioapic_sid_ignore = f->sid_ignore,
				.scoped = f->scoped,
				.iotlb_sets = FZ_IOTLB_SETS};
	if (vtd_new(&p, &f->v))
		abort();
	f->msi.v = f->v;
	for (unsigned i = 0; i < 2; i++)
		if (vtd_endpoint_add(f->v, rids[i], NULL))
			abort();
	f->sink = vtd_ir_sink(f->v, (struct msi_sink){out_send, &f->out});
	f->router = vtd_ir_router(f->v, (struct msix_router){inner_route, inner_irqfd, &f->inner});
	vtd_ir_set_notify(f->v, notify, f);
	/* the unit's fault event unmasked */
	write_reg(f, DMAR_FEADDR_REG, 4, 0xfee00000);
	write_reg(f, DMAR_FECTL_REG, 4, 0);
	while (!in.done) {
		uint8_t op = fuzz_u8(&in);

		if (in.done)
			break;
		switch (op % 10) {
		case 0: op_mmio(f, &in); break;
		case 1: op_irta(f, &in); break;
		case 2: op_gcmd(f, &in); break;
		case 3: op_irte(f, &in); break;
		case 4:
		case 5: op_msi(f, &in); break;
		case 6: op_qi_enable(f); break;
		case 7: op_desc(f, &in); break;
		case 8: op_doorbell(f, &in); break;
		case 9: op_service(f); break;
		}
		check_regs(f);
	}
	vtd_free(f->v);
	fz_mem_free(&f->m);
	return 0;
}
