// SPDX-License-Identifier: MIT
/* The emulated VT-d's DMA remapping (devices/vtd/) as a fuzz target: its
 * register file, queued and register-based invalidation, root and context
 * tables and second-level walks, with caching mode off or on, for three
 * endpoints (00:01.0, 00:02.0, 01:00.0), each with a fake type1 consumer
 * subscribed to its view (as a VFIO mirror is), over the RAM of
 * tests/fuzz/vtd_fixture.h.
 *
 * Input: a configuration byte (bit 0 caching mode, bit 1 a 39-bit unit
 * (else 48), bit 2 a small replay budget of 8..1024 entries (bits 7:3), so
 * that caching-mode walks are cut short; else 8192), then operations until
 * the input ends, each an opcode byte (mod 16) and its arguments: an MMIO
 * write or read of any register (natural size, either half of a 64-bit one)
 * or of any offset and size; a root entry, a context entry (structured or
 * raw), a page-table entry of one of 16 pool pages (a table pointer, a 4 KiB
 * or large leaf, raw), a raw RAM word; a DMA read or write of 1..8 bytes by
 * an endpoint (cut at the end of the mapping its first byte translates
 * to); translation on (Linux's sequence), the queue on; a queued
 * descriptor of any type (context, IOTLB, IEC, wait, device-TLB, PASID,
 * raw, one bit flipped) and the doorbell; a register-based IOTLB or context
 * invalidation; a TE toggle; the fault records serviced. Page-table indices
 * and IOVAs come from {0..5, 256, 511} per level, or are raw. At most 4096
 * bytes.
 *
 * Invariants, after every operation unless said otherwise:
 *  - Registers: VER, CAP and ECAP never change (CAP.CM as configured); GCMD
 *    reads 0; GSTS, FSTS, FECTL, IECTL, ICS, IQH, IQT and the fault records
 *    have no bit set outside their fields; CCMD.ICC and IOTLB.IVT read 0
 *    (every invalidation completes at once); FSTS.PPF is set exactly when a
 *    record's F is; FECTL.IP only with a fault cause pending, IECTL.IP only
 *    with ICS.IWC. A write changes only its register and those its side
 *    effects may (the rest of the page is byte-identical); a plain register
 *    reads back what its writable mask lets through; a read-only one is
 *    unchanged; a write-1-to-clear bit written 1 reads 0 (PFO, ICS.IWC, a
 *    record's F). GSTS follows GCMD: after a GCMD write its TES, QIES, IRES
 *    and CFIS equal the written bits, SRTP latches RTADDR (the unit's root
 *    pointer equals what RTADDR held then) and sets RTPS; no other write
 *    changes GSTS. A context or IOTLB command reports the granularity done
 *    (IOTLB: a PSI mask beyond MAMV is done as a DSI). An MMIO read inside a
 *    register returns its bytes; elsewhere 0.
 *  - The queue: a doorbell moves the head forward, never past the tail,
 *    and keeps it inside the queue; the head never stops short of the tail
 *    with the queue on and no error (rung again until it stops moving, so a
 *    doorbell may do part of the work).
 *  - Consumers: no MAP overlaps a live mapping, every UNMAP removes exactly
 *    one mapping, no MAP or BYPASS_ON comes while bypassing, no BYPASS_ON
 *    while something is mapped; each consumer's mappings are exactly the
 *    core's mappings of its endpoint's domain (nothing when blocked, bypass
 *    for an identity view).
 *  - Invalidations (register-based with the queue off, and every
 *    descriptor a doorbell completed): without caching mode, no mapping of
 *    a named domain overlaps the named range afterwards, and (register
 *    based) every other mapping is untouched; with caching mode, the core's
 *    mappings of the named domain inside the named range equal the present
 *    leaves of the guest's tables there (those of the first endpoint
 *    attached to the domain whose context names it, as the unit reads
 *    them), page by page, and (register PSI) outside the range every page
 *    translates as before; a context invalidation (caching mode) or a
 *    global one names every attached domain whole. Checked when the walk
 *    fits the replay budget.
 *  - DMA: a translation that fails fails again for the DMA that follows,
 *    one that succeeds into RAM lets the DMA through and a read returns the
 *    bytes at the translated GPA; a fault is recorded (or dropped on
 *    overflow) at most once per failed DMA and never for one that
 *    succeeded; a recorded fault names the requester, read/write, and a
 *    page the DMA touches (the second one of a DMA across a page edge
 *    whose first page translated through a stale cached entry); the fault event is sent (or
 * FECTL.IP set when masked) when PPF was clear. When nothing the translation depends on may be
 * cached stale (every root/context entry unchanged since the last context invalidation or TE on,
 * and the page-table pages on the walk unchanged, and the domain's tables unchanged, since the last
 * global or domain-selective IOTLB invalidation or TE on (a context invalidation too with caching
 * mode), nor its domain ID used with other tables meanwhile), the translation equals a reference
 * walk of the guest's tables (written here from the spec: success, GPA and permissions, or the
 * fault reason), and the fault is recorded exactly when the walk fails and the context does not say
 * FPD, with its reason.
 *
 * FUZZ_VTD_STATS=1 prints at exit how often the deeper checks ran;
 * FUZZ_VTD_TRACE=1 prints each operation, MMIO write and DMA.
 *
 * Relies on two documented choices of the model: contexts are not cached
 * across a miss (a miss reads the context again), and a context-cache
 * invalidation of any granularity reads every endpoint's context again. */
#include "tests/fuzz/vtd_checks.h"
#include "tests/fuzz/vtd_consumer.h"
#include "tests/fuzz/vtd_dmar_fx.h"
#include "tests/fuzz/vtd_fixture.h"
#include "tests/fuzz/vtd_ref.h"
#include "tests/fuzz/vtd_regs.h"
#include "tests/fuzz/vtd_write.h"

/* --- operations ------------------------------------------------------------------ */

static uint64_t idx3(unsigned c)
{
	static const unsigned idx[8] = {0, 1, 2, 3, 4, 5, 256, 511};

	return idx[c & 7];
}

static uint64_t fz_iova(struct fuzz_in *in)
{
	uint16_t x = fuzz_u16(in);
	unsigned mode = x >> 12;

	if (mode == 15)
		return fuzz_u64(in);
	return idx3(x) << 39 | idx3(x >> 3) << 30 | idx3(x >> 6) << 21 | idx3(x >> 9) << 12 |
	       (mode == 14 ? 1ull << 48 : 0);
}

static uint16_t fz_did(struct fuzz_in *in)
{
	uint8_t d = fuzz_u8(in);

	return d >= 0xf0 ? fuzz_u16(in) : (uint16_t)((d & 3) + 1);
}

static void op_mmio(struct fx *f, struct fuzz_in *in, bool write)
{
	uint8_t sel = fuzz_u8(in);
	unsigned off, size;

	if (sel < 2 * ARRAY_SIZE(regs)) {
		const struct reg *r = &regs[sel % ARRAY_SIZE(regs)];

		off = r->off;
		size = r->size;
		if (sel >= ARRAY_SIZE(regs) && size == 8) {
			size = 4;
			off += fuzz_bool(in) ? 4 : 0;
		}
	} else {
		off = fuzz_u16(in) & 0xfff;
		size = 1u << (fuzz_u8(in) & 3);
	}
	if (write) {
		write_reg(f, off, size, fuzz_u64(in));
	} else {
		uint64_t val = fz_rd(f->v, off, size), want = 0;
		const struct reg *r = reg_at(off);

		if (off + size <= VTD_REGS_SIZE && size == 8 && r && r->off == off && r->size == 4)
			want = reg_raw(f->v, off, 4) |
			       (reg_at(off + 4) ? reg_raw(f->v, off + 4, 4) << 32 : 0);
		else if (r && off + size <= r->off + r->size)
			want = reg_raw(f->v, off, size);
		FUZZ_CHECK(val == want, "a read of %u bytes at 0x%x gave 0x%llx, not 0x%llx", size,
			   off, (unsigned long long)val, (unsigned long long)want);
	}
}

static void op_root(struct fx *f, struct fuzz_in *in)
{
	uint8_t b = fuzz_u8(in);
	unsigned bus = b & 1;
	uint64_t lo = 0, hi = 0;

	switch ((b >> 1) & 3) {
	case 0: lo = FZ_CTX(bus) | 1; break;
	case 1: lo = FZ_POOL(fuzz_u8(in) & 15) | 1; break;
	case 2: break;
	case 3:
		lo = fuzz_u64(in);
		hi = fuzz_u64(in);
		break;
	}
	mem_put(f, FZ_ROOT + 16ull * bus, lo);
	mem_put(f, FZ_ROOT + 16ull * bus + 8, hi);
}

static void op_ctx(struct fx *f, struct fuzz_in *in)
{
	uint8_t b = fuzz_u8(in), fl = fuzz_u8(in);
	uint16_t rid = (b & 3) < NEPS ? ep_rid[b & 3] : (uint16_t)((b >> 2 & 1) << 8 | fuzz_u8(in));
	uint64_t lo, hi, aw = f->aw == 48 ? 2 : 1;
	uint16_t did = fz_did(in);
	uint64_t slpt = FZ_POOL(fuzz_u8(in) & 15);

	switch (fl >> 6) {
	case 0:
		lo = slpt | 1;
		hi = aw | (uint64_t)did << 8;
		break;
	case 1: /* P, FPD, TT, AW as the input says */
		lo = slpt | (fl & 1) | (fl & 2) | (uint64_t)((fl >> 2) & 3) << 2;
		hi = ((fl >> 4) & 3 ? (fl >> 4) & 3 : aw) | (uint64_t)did << 8;
		break;
	case 2:
		lo = 0;
		hi = 0;
		break;
	default:
		lo = fuzz_u64(in);
		hi = fuzz_u64(in);
		break;
	}
	mem_put(f, FZ_CTX(rid >> 8) + 16ull * (rid & 0xff), lo);
	mem_put(f, FZ_CTX(rid >> 8) + 16ull * (rid & 0xff) + 8, hi);
}

static void op_pte(struct fx *f, struct fuzz_in *in)
{
	uint64_t table = FZ_POOL(fuzz_u8(in) & 15), e = 0;
	uint8_t is = fuzz_u8(in), kb = fuzz_u8(in);
	unsigned idx = is < 0xf8 ? (unsigned)idx3(is) : fuzz_u16(in) & 511;
	uint64_t perm = (kb >> 2) & 3;

	switch (kb & 3) {
	case 0: e = FZ_POOL(fuzz_u8(in) & 15) | perm; break;
	case 1: e = (FZ_DATA + 4096ull * (fuzz_u8(in) % 64)) | perm; break;
	case 2:
		e = (kb & 0x10 ? GiB(fuzz_u8(in) & 1) : MiB(2) * (fuzz_u8(in) & 1)) | PTE_PS | perm;
		break;
	case 3: e = fuzz_u64(in); break;
	}
	if (!perm && (kb & 3) != 3)
		e = 0;
	mem_put(f, table + 8ull * idx, e);
}

static void op_dma(struct fx *f, struct fuzz_in *in)
{
	uint8_t b = fuzz_u8(in);
	unsigned i = b % NEPS, access = b & 0x80 ? DMA_ACCESS_WRITE : DMA_ACCESS_READ;
	unsigned len = 1 + ((b >> 3) & 7);
	uint64_t a = fz_iova(in) | (fuzz_u16(in) & 0xfff & ~7ull), ent0;
	uint16_t rid = ep_rid[i];
	struct vtd *v = f->v;
	struct rxl r;
	struct dma_xlate x = {0};
	struct dma_fault fl = {0};
	uint8_t buf[8] = {0};
	bool st, same, in_ram = false;
	int t, rc, st0;
	uint32_t dom0 = 0, dom1 = 0;
	unsigned next = v->next_frcd, sent0 = f->msi.fault_sent;
	uint32_t fsts0 = (uint32_t)fz_rd(v, DMAR_FSTS_REG, 4),
		 fectl0 = (uint32_t)fz_rd(v, DMAR_FECTL_REG, 4);
	uint64_t rec0 = v->faults_recorded, drop0 = v->faults_dropped;

	if (a + len < a)
		return;
	ref_xlate(f, rid, a, access, &r);
	st = strict(f, &r);
	stats.dma++;
	stats.strict_dma += st;
	stats.strict_fault += st && r.fault;
	st0 = iommu_endpoint_state(f->io, rid, &dom0);
	t = iommu_translate(f->io, rid, iova(a), access, &x, &fl);
	/* The miss may have moved the endpoint (its context changed); then the
	 * DMA sees its new domain, which another endpoint may have filled. */
	same = iommu_endpoint_state(f->io, rid, &dom1) == st0 &&
	       (st0 != IOMMU_EP_DOMAIN || dom0 == dom1);
	/* An access is cut at the end of the mapping its first byte translates
	 * to, so that this one translation decides the DMA (a DMA across two
	 * mappings needs two, and its fault would name the second page). */
	if (!t && x.len && x.len < len)
		len = (unsigned)x.len;
	if (st) {
		unsigned code =
			t ? (fl.code ? fl.code & 0xff
				     : (fl.reason == DMA_FAULT_BLOCKED ? VTD_FR_CTX_NP
								       : perm_fault(access)))
			  : 0;

		FUZZ_CHECK(!t == !r.fault && code == r.fault,
			   "%04x %s 0x%llx: the unit says %d (reason 0x%x), the tables 0x%x", rid,
			   access == DMA_ACCESS_WRITE ? "write" : "read", (unsigned long long)a, t,
			   code, r.fault);
		FUZZ_CHECK(t || (x.gpa.a == r.gpa && x.perm == r.perm),
			   "%04x 0x%llx: the unit translates to 0x%llx/%u, the tables to 0x%llx/%u",
			   rid, (unsigned long long)a, (unsigned long long)x.gpa.a, x.perm,
			   (unsigned long long)r.gpa, r.perm);
	}
	if (trace)
		fprintf(stderr,
			"  dma %04x %s 0x%llx: %d (0x%llx/%u, reason %d code 0x%x); tables 0x%x "
			"0x%llx/%u, strict %d\n",
			rid, access == DMA_ACCESS_WRITE ? "write" : "read", (unsigned long long)a,
			t, (unsigned long long)x.gpa.a, x.perm, fl.reason, fl.code, r.fault,
			(unsigned long long)r.gpa, r.perm, st);
	if (!t) {
		in_ram = fz_in_ram(x.gpa.a, len);
		if (in_ram)
			memcpy(buf, f->m.buf + x.gpa.a, len); /* a write leaves RAM as it was */
	}
	rc = access == DMA_ACCESS_WRITE ? dma_write(&f->as[i], iova(a), buf, len)
					: dma_read(&f->as[i], iova(a), buf, len);
	ent0 = (v->faults_recorded - rec0) + (v->faults_dropped - drop0);
	FUZZ_CHECK(!same || !t == !rc || (!t && !in_ram),
		   "%04x %s 0x%llx: translate says %d (reason %d code 0x%x), the DMA %d", rid,
		   access == DMA_ACCESS_WRITE ? "write" : "read", (unsigned long long)a, t,
		   fl.reason, fl.code, rc);
	FUZZ_CHECK(!same || !(!t && in_ram) || !rc, "a DMA into RAM failed");
	FUZZ_CHECK(ent0 <= 1 && (!rc || t || !same || ent0 == 0) && (rc || ent0 == 0),
		   "%llu faults for one DMA (rc %d)", (unsigned long long)ent0, rc);
	if (!rc && access == DMA_ACCESS_READ && in_ram && same)
		FUZZ_CHECK(!memcmp(buf, f->m.buf + x.gpa.a, len),
			   "a read of 0x%llx got other bytes "
			   "than at 0x%llx",
			   (unsigned long long)a, (unsigned long long)x.gpa.a);
	if (v->faults_recorded != rec0) {
		uint64_t hi = fz_rd(v, DMAR_FRCD_REG + 16 * next + 8, 8);
		uint64_t lo = fz_rd(v, DMAR_FRCD_REG + 16 * next, 8);

		FUZZ_CHECK((hi & DMA_FRCD_F) && (hi & DMA_FRCD_SID_MASK) == rid &&
				   !!(hi & DMA_FRCD_T) == (access == DMA_ACCESS_READ) &&
				   (lo & 0xfffull) == 0 && lo >= (a & ~0xfffull) &&
				   lo <= a + len - 1,
			   "fault record %u 0x%llx 0x%llx for %04x %s 0x%llx", next,
			   (unsigned long long)hi, (unsigned long long)lo, rid,
			   access == DMA_ACCESS_WRITE ? "write" : "read", (unsigned long long)a);
		FUZZ_CHECK(!(fsts0 & DMA_FSTS_PFO), "a fault recorded over PFO");
		if (!(fsts0 & DMA_FSTS_PPF)) {
			if (fectl0 & DMA_FECTL_IM)
				FUZZ_CHECK(fz_rd(v, DMAR_FECTL_REG, 4) & DMA_FECTL_IP,
					   "a masked fault event without FECTL.IP");
			else
				FUZZ_CHECK(f->msi.fault_sent == sent0 + 1, "no fault event");
		}
		if (st)
			FUZZ_CHECK(((hi >> DMA_FRCD_FR_SHIFT) & 0xff) == r.fault,
				   "recorded reason 0x%llx, the tables say 0x%x",
				   (unsigned long long)((hi >> DMA_FRCD_FR_SHIFT) & 0xff), r.fault);
	}
	if (st && !t)
		FUZZ_CHECK(ent0 == 0, "a fault for a DMA the tables allow");
	if (st && t)
		FUZZ_CHECK(ent0 == (r.fpd ? 0u : 1u),
			   "%04x 0x%llx: %llu faults, FPD %d, reason 0x%x", rid,
			   (unsigned long long)a, (unsigned long long)ent0, r.fpd, r.fault);
}

static uint32_t gcmd_persist(struct fx *f)
{
	return (uint32_t)fz_rd(f->v, DMAR_GSTS_REG, 4) & GCMD_PERSIST;
}

static void op_enable(struct fx *f)
{
	write_reg(f, DMAR_RTADDR_REG, 8, FZ_ROOT);
	write_reg(f, DMAR_GCMD_REG, 4, gcmd_persist(f) | DMA_GCMD_SRTP);
	write_reg(f, DMAR_FEDATA_REG, 4, 0x41);
	write_reg(f, DMAR_FEADDR_REG, 4, 0xfee00000);
	write_reg(f, DMAR_FECTL_REG, 4, 0);
	write_reg(f, DMAR_GCMD_REG, 4, gcmd_persist(f) | DMA_GCMD_TE);
}

static void op_qi_enable(struct fx *f)
{
	write_reg(f, DMAR_GCMD_REG, 4, gcmd_persist(f) & ~DMA_GCMD_QIE);
	write_reg(f, DMAR_IQT_REG, 8, 0);
	write_reg(f, DMAR_IQA_REG, 8, FZ_QUEUE);
	write_reg(f, DMAR_IEDATA_REG, 4, 0x42);
	write_reg(f, DMAR_IEADDR_REG, 4, 0xfee00000);
	write_reg(f, DMAR_IECTL_REG, 4, 0);
	write_reg(f, DMAR_GCMD_REG, 4, gcmd_persist(f) | DMA_GCMD_QIE);
	f->qtail = 0;
}

/* One descriptor at the builder's tail slot of the queue page. */
static void op_desc(struct fx *f, struct fuzz_in *in)
{
	uint8_t k = fuzz_u8(in), g = fuzz_u8(in);
	uint64_t d0 = 0, d1 = 0, a;

	switch (k & 7) {
	case 0: /* context-cache */
		d0 = 1 | (uint64_t)(g & 3) << 4 | (uint64_t)fz_did(in) << 16 |
		     (uint64_t)ep_rid[fuzz_u8(in) % NEPS] << 32 | (uint64_t)((g >> 2) & 3) << 48;
		break;
	case 1: /* IOTLB */
		d0 = 2 | (uint64_t)(g & 3) << 4 | (uint64_t)fz_did(in) << 16 |
		     (uint64_t)((g >> 2) & 3) << 6;
		a = fz_iova(in);
		d1 = (a & ~0xfffull) | (fuzz_u8(in) % 20) | (g & 0x10 ? BIT_ULL(6) : 0);
		break;
	case 2: /* interrupt entry cache */
		d0 = 4 | (g & 1 ? BIT_ULL(4) : 0) | (uint64_t)fuzz_u8(in) << 27 |
		     (uint64_t)fuzz_u16(in) << 32;
		break;
	case 3: /* wait */
		d0 = 5 | (g & 3) << 4 | (g & 4 ? BIT_ULL(6) : 0) | (uint64_t)fuzz_u32(in) << 32;
		d1 = g & 8 ? fuzz_u64(in) : FZ_STATUS + 4 * (fuzz_u8(in) & 15);
		break;
	case 4: /* device-TLB, PASID-based and other types */
		d0 = ((g & 7) == 3 ? 3 : 6 + (g & 1)) | (uint64_t)(g >> 1 & 7) << 9 |
		     fuzz_u64(in) << 12;
		d1 = fuzz_u64(in);
		break;
	case 5:
		d0 = fuzz_u64(in);
		d1 = fuzz_u64(in);
		break;
	default: { /* a valid one with one bit flipped */
		uint8_t bit = fuzz_u8(in);

		d0 = (g & 1) ? 2 | 3 << 4 | (uint64_t)1 << 16 : 5 | BIT_ULL(5);
		d1 = (g & 1) ? 0 : FZ_STATUS;
		if (bit & 64)
			d1 ^= 1ull << (bit & 63);
		else
			d0 ^= 1ull << (bit & 63);
		break;
	}
	}
	mem_put(f, FZ_QUEUE + 16ull * f->qtail, d0);
	mem_put(f, FZ_QUEUE + 16ull * f->qtail + 8, d1);
	f->qtail = (f->qtail + 1) % 256;
}

static void op_reg_iotlb(struct fx *f, struct fuzz_in *in)
{
	uint8_t g = fuzz_u8(in);
	uint16_t did = fz_did(in);
	uint64_t a = fz_iova(in) & ~0xfffull;

	write_reg(f, DMAR_IVA_REG, 8, a | (fuzz_u8(in) % 22) | (g & 4 ? BIT_ULL(6) : 0));
	write_reg(f, DMAR_IOTLB_REG, 8,
		  DMA_TLB_IVT | (uint64_t)(g & 3) << DMA_TLB_IIRG_SHIFT | (uint64_t)did << 32);
}

static void op_reg_ctx(struct fx *f, struct fuzz_in *in)
{
	uint8_t g = fuzz_u8(in);

	write_reg(f, DMAR_CCMD_REG, 8,
		  DMA_CCMD_ICC | (uint64_t)(g & 3) << DMA_CCMD_CIRG_SHIFT | fz_did(in) |
			  (uint64_t)ep_rid[fuzz_u8(in) % NEPS] << 16);
}

static void op_service(struct fx *f)
{
	for (unsigned i = 0; i < VTD_NR_FRCD; i++)
		write_reg(f, DMAR_FRCD_REG + 16 * i + 12, 4, DMA_FRCD_F >> 32);
	write_reg(f, DMAR_FSTS_REG, 4, DMA_FSTS_PFO);
}

/* --- the target ------------------------------------------------------------------ */

static void fx_init(struct fx *f, uint8_t cfg)
{
	struct vtd_params p;

	memset(f, 0, sizeof(*f));
	fz_mem_init(&f->m);
	f->cm = cfg & 1;
	f->aw = cfg & 2 ? 39 : 48;
	p = (struct vtd_params){.mem = &f->m.mem,
				.msi = {fz_unit_msi_send, &f->msi},
				.caching_mode = f->cm,
				.aw_bits = f->aw,
				.iotlb_sets = FZ_IOTLB_SETS};
	if (vtd_new(&p, &f->v))
		abort();
	f->msi.v = f->v;
	f->io = vtd_iommu(f->v);
	f->budget = cfg & 4 ? 8ul * (1 + (cfg >> 3)) * 4 : BUDGET;
	f->v->replay_budget = f->budget;
	f->cap = fz_rd(f->v, DMAR_CAP_REG, 8);
	f->ecap = fz_rd(f->v, DMAR_ECAP_REG, 8);
	FUZZ_CHECK(!!(f->cap & VTD_CAP_CM) == f->cm, "CAP.CM");
	for (unsigned i = 0; i < NEPS; i++) {
		dma_as_init(&f->as[i], ep_rid[i], &f->m.mem);
		if (vtd_endpoint_add(f->v, ep_rid[i], &f->as[i]))
			abort();
		f->n[i] = (struct iommu_notifier){.notify = consumer_notify, .opaque = &f->c[i]};
		if (iommu_notifier_add(f->io, ep_rid[i], &f->n[i]))
			abort();
	}
}

static void fx_fini(struct fx *f)
{
	for (unsigned i = 0; i < NEPS; i++) {
		iommu_notifier_del(f->io, &f->n[i]);
		free(f->c[i].iv);
	}
	vtd_free(f->v);
	fz_mem_free(&f->m);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (getenv("FUZZ_VTD_STATS"))
		atexit(stats_print);
	trace = getenv("FUZZ_VTD_TRACE");
	slots_build();
	return 0;
}

static struct fx fx;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = fuzz_in(data, size);
	struct fx *f = &fx;

	if (size > MAX_INPUT)
		return -1;
	fx_init(f, fuzz_u8(&in));
	check_global(f);
	while (!in.done) {
		uint8_t op = fuzz_u8(&in);

		if (in.done)
			break;
		f->nnamed = 0;
		f->named_lost = f->tainted = false;
		if (trace)
			fprintf(stderr, "op %u at %zu: GSTS 0x%llx\n", op % 16, size - in.left - 1,
				(unsigned long long)fz_rd(f->v, DMAR_GSTS_REG, 4));
		switch (op % 16) {
		case 0:
		case 1: op_mmio(f, &in, true); break;
		case 2: op_mmio(f, &in, false); break;
		case 3: op_root(f, &in); break;
		case 4: op_ctx(f, &in); break;
		case 5: op_pte(f, &in); break;
		case 6:
		case 7: op_dma(f, &in); break;
		case 8: op_enable(f); break;
		case 9: op_qi_enable(f); break;
		case 10: op_desc(f, &in); break;
		case 11:
			doorbell(f, fuzz_bool(&in) ? (uint64_t)fuzz_u8(&in) << 4 : f->qtail << 4);
			break;
		case 12: op_reg_iotlb(f, &in); break;
		case 13: op_reg_ctx(f, &in); break;
		case 14: {
			uint64_t a = FZ_DATA - 0x1000 * (1 + (fuzz_u8(&in) % 32)) +
				     (fuzz_u16(&in) & 0xff8);

			mem_put(f, a, fuzz_u64(&in));
			break;
		}
		case 15:
			if (fuzz_bool(&in))
				op_service(f);
			else
				write_reg(f, DMAR_GCMD_REG, 4, gcmd_persist(f) ^ DMA_GCMD_TE);
			break;
		}
		check_named(f);
		track_dids(f);
		check_global(f);
	}
	fx_fini(f);
	return 0;
}
