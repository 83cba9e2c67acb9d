// SPDX-License-Identifier: MIT
/* Intel VT-d primary fault recording (VT-d ch. 7 and 10) as the
 * backend emulates it, with the edu and a virtio-blk as the requesters.
 * Command line as vtd_dma.c (cm=, aw=, seed=). Each fault case: the fault
 * records are cleared, one DMA is made, and exactly one record must hold the
 * reason, the requester's source-id, the access type (T) and the page (FI);
 * a faulting write must reach no memory. Cases (reasons):
 *  - pte_np_read (6), pte_np_write (5): a not-present leaf;
 *  - ro_write_cached (5): a write through a read-only leaf just read
 *    through (so the unit may hold it in its IOTLB); ro_write (5): the
 *    same after a global IOTLB flush;
 *  - pte_rsvd (0xc): a leaf with an address bit at or above the host
 *    address width;
 *  - ctx_tt (3): a context entry with the reserved translation type 3;
 *  - ctx_np_write, ctx_np_read (2): the edu's context entry not present;
 *  - root_np_read, root_np_write (1): bus 0's root entry not present;
 *  - blk_agaw (4): the virtio-blk's data buffer at an IOVA beyond the
 *    3- or 4-level table's width (the edu's 28-bit DMA cannot reach it),
 *    with the virtio-blk's source-id;
 *  - blk_np (6): its data buffer at an unmapped IOVA;
 *  - fpd: a context entry with FPD set: the faulting write is blocked and
 *    nothing is recorded (FSTS.PPF stays clear);
 *  - event: with FECTL.IM set, a recorded fault sets FECTL.IP; clearing
 *    the records clears PPF and IP;
 *  - pfo: NFR faults of the edu fill every record, one more (the
 *    virtio-blk's) sets FSTS.PFO and is not recorded; PFO is write-1-to-
 *    clear.
 * A virtio-blk request that faults may complete with an error, with OK
 * (QEMU 7.2 bounces it, see viommu_dma.c blk_fault_ok) or leave the device
 * needing a reset; only the IOMMU's side is checked here, and the device is
 * reset before its next use.
 *
 * known=ID,ID (known.h). QEMU 7.2 (intel-iommu) departs from:
 *  - ro_write_cached: VT-d ch. 7 (a write through a leaf without write
 *    permission is a fault, reason 5, recorded): when the read-only
 *    translation is in QEMU's IOTLB (the read just before), the write is
 *    dropped but nothing is recorded; with the IOTLB flushed first
 *    (ro_write) QEMU walks the table and records it. Measured with
 *    caching mode off and on. */
#include "guest.h"
#include "viommu_test.h"
#include "virtio_blk.h"
#include "vtd_test.h"
#include "vtd_vdma.h"

#define FILL	   0xa5
#define DID_EDU	   1
#define DID_BLK	   2
#define BLK_OFFSET 0x40000000ull
#define BLK_NP	   0x7000000000ull /* unmapped in the blk's table (39 bits) */

static struct vtd_env t;
static struct vtd *v = &t.v;
static struct vtd_pt pt, ptb;
static struct vt_area area;
static uint8_t *src;
static uint64_t iova; /* A: rw, B: ro, C: not present, D: reserved bit */
static uint16_t sid_edu, sid_blk;
static struct virtio_pci blk;
static struct vtd_vdma bdma;
static bool have_blk;

#define IOVA_RW	  (iova)
#define IOVA_RO	  (iova + 0x1000)
#define IOVA_NP	  (iova + 0x2000)
#define IOVA_RSVD (iova + 0x3000)

static uint64_t gpa(const void *p)
{
	return virt_to_phys(p);
}

static bool dst_untouched(void)
{
	return vt_filled(vt_area_target(&area), FILL, VT_PAGE) && vt_area_canaries(&area);
}

/* One edu transfer of 256 bytes: a write to RAM at addr, or a read. */
static int edu_xfer(uint64_t addr, bool write)
{
	return edu_dma(&t.edu, write ? EDU_DEV_TO_RAM : EDU_RAM_TO_DEV, addr, 0, 256, false,
		       VT_WAIT_US);
}

/* After one faulting access: exactly one record, with these fields. */
static void expect(const char *name, uint8_t reason, uint16_t sid, bool write, uint64_t addr)
{
	struct vtd_fault f, first = vtd_fault_read(v, DMA_FSTS_FRI(vtd_read32(v, DMAR_FSTS_REG)));
	unsigned n = vtd_fault_find(v, reason, sid, &f);

	vt_check(n == 1 && f.f && f.read == !write && (f.fi & ~0xfffull) == (addr & ~0xfffull),
		 name, "VT-d ch. 7: the fault is recorded with its reason",
		 "one record: reason %#x, source-id %#x, %s, address %#lx (want %#x, %#x, %s, "
		 "%#lx; %u records)",
		 first.reason, first.sid, first.read ? "read" : "write", (unsigned long)first.fi,
		 reason, sid, write ? "write" : "read", (unsigned long)(addr & ~0xfffull), n);
	vtd_faults_clear(v);
}

static void edu_case(const char *name, uint8_t reason, bool write, uint64_t addr)
{
	int rc;

	vtd_faults_clear(v);
	vt_area_fill(&area, FILL);
	rc = edu_xfer(addr, write);
	report(rc == 0, "%s: the edu's %s of IOVA %#lx completes", name, write ? "write" : "read",
	       (unsigned long)addr);
	if (write)
		report(dst_untouched(), "%s: the write reached no memory", name);
	expect(name, reason, sid_edu, write, addr);
}

/* A context or root entry changed: the context cache, then the IOTLB
 * (VT-d ch. 6, as Linux does). */
static void flush_all(void)
{
	vtd_flush_ctx(v);
	vtd_flush_iotlb(v);
}

static void edu_ctx(bool fpd)
{
	vtd_ctx_map(v, (uint8_t)sid_edu, DID_EDU, pt.pgd, pt.levels, fpd);
	flush_all();
}

static bool setup(void)
{
	uint8_t *dst;
	uint64_t *e;

	src = virtio_alloc(VT_PAGE, VT_PAGE);
	vt_area_alloc(&area);
	dst = vt_area_target(&area);
	sid_edu = vtd_env_edu_sid(&t);
	iova = VT_IOVA_BASE + (vtd_env_rand(&t) % 60) * VTD_2M;
	vtd_pt_init(&pt, t.aw == 48 ? 4 : 3);
	if (vtd_pt_map(&pt, IOVA_RW, gpa(dst), VTD_4K, VTD_4K, VTD_PTE_R | VTD_PTE_W) ||
	    vtd_pt_map(&pt, IOVA_RO, gpa(dst), VTD_4K, VTD_4K, VTD_PTE_R) ||
	    vtd_pt_map(&pt, IOVA_NP, gpa(dst), VTD_4K, VTD_4K, VTD_PTE_R | VTD_PTE_W) ||
	    vtd_pt_map(&pt, IOVA_RSVD, gpa(dst), VTD_4K, VTD_4K, VTD_PTE_R | VTD_PTE_W))
		return false;
	*vtd_pt_entry(&pt, IOVA_NP, 1) = 0;
	e = vtd_pt_entry(&pt, IOVA_RSVD, 1);
	*e |= 1ull << t.drhd.haw; /* an address bit the unit does not have */
	if (!vtd_qi_enable(v))
		return false;
	edu_ctx(false);
	vtd_write32(v, DMAR_FECTL_REG, DMA_FECTL_IM);
	return vtd_command(v, DMA_GCMD_TE, true);
}

static void check_pte(void)
{
	vtd_faults_clear(v);
	vt_area_fill(&area, FILL);
	vt_fill_random(&t, vt_area_target(&area), 256);
	memcpy(src, vt_area_target(&area), 256);
	/* The edu buffer holds these bytes for every write below. */
	report(edu_dma(&t.edu, EDU_RAM_TO_DEV, IOVA_RO, 0, 256, false, VT_WAIT_US) == 0 &&
		       (memset(vt_area_target(&area), FILL, 256), edu_xfer(IOVA_RW, true) == 0) &&
		       !vtd_fault_find(v, 0, 0, NULL) && !memcmp(vt_area_target(&area), src, 256),
	       "sane: a read through the read-only leaf and a write through the rw one, no fault");
	edu_case("pte_np_read", VTD_FR_READ, false, IOVA_NP);
	edu_case("pte_np_write", VTD_FR_WRITE, true, IOVA_NP);
	/* The read above may have cached the read-only leaf: the write's
	 * permission fault is recorded all the same (7.1.3), then once more
	 * with the IOTLB flushed. */
	edu_case("ro_write_cached", VTD_FR_WRITE, true, IOVA_RO);
	vtd_flush_iotlb(v);
	edu_case("ro_write", VTD_FR_WRITE, true, IOVA_RO);
	edu_case("pte_rsvd", VTD_FR_PTE_RSVD, true, IOVA_RSVD);
}

static void check_ctx(void)
{
	vtd_ctx_set(v, (uint8_t)sid_edu, gpa(pt.pgd) | VTD_CTX_TT(VTD_TT_RESERVED) | VTD_CTX_P,
		    VTD_CTX_AW(pt.levels) | VTD_CTX_DID(DID_EDU));
	flush_all();
	edu_case("ctx_tt", VTD_FR_CTX_INV, false, IOVA_RW);
	vtd_ctx_set(v, (uint8_t)sid_edu, 0, 0);
	flush_all();
	edu_case("ctx_np_write", VTD_FR_CTX_NP, true, IOVA_RW);
	edu_case("ctx_np_read", VTD_FR_CTX_NP, false, IOVA_RW);
	edu_ctx(false);
	v->root[0] = 0;
	flush_all();
	edu_case("root_np_read", VTD_FR_ROOT_NP, false, IOVA_RW);
	edu_case("root_np_write", VTD_FR_ROOT_NP, true, IOVA_RW);
	v->root[0] = gpa(v->ctx) | VTD_ROOT_P;
	flush_all();
	vtd_faults_clear(v);
	vt_area_fill(&area, FILL);
	report(edu_xfer(IOVA_RW, true) == 0 && !vtd_fault_find(v, 0, 0, NULL) && !dst_untouched(),
	       "ctx: root and context entries restored: the write lands again");
}

static void check_fpd(void)
{
	edu_ctx(true);
	vtd_faults_clear(v);
	vt_area_fill(&area, FILL);
	report(edu_xfer(IOVA_RO, true) == 0 && dst_untouched(),
	       "fpd: a write through the read-only leaf is still blocked");
	report(!vtd_fault_find(v, 0, 0, NULL) && !(vtd_read32(v, DMAR_FSTS_REG) & DMA_FSTS_PPF),
	       "fpd: and not recorded (FSTS %#x)", vtd_read32(v, DMAR_FSTS_REG));
	edu_ctx(false);
}

static void check_event(void)
{
	vtd_faults_clear(v);
	report(!(vtd_read32(v, DMAR_FECTL_REG) & BIT(30)), "event: FECTL.IP clear with no fault");
	edu_xfer(IOVA_NP, false);
	report((vtd_read32(v, DMAR_FSTS_REG) & DMA_FSTS_PPF) &&
		       (vtd_read32(v, DMAR_FECTL_REG) & BIT(30)),
	       "event: a fault sets FSTS.PPF and, masked, FECTL.IP (FSTS %#x FECTL %#x)",
	       vtd_read32(v, DMAR_FSTS_REG), vtd_read32(v, DMAR_FECTL_REG));
	vtd_faults_clear(v);
	report(!(vtd_read32(v, DMAR_FSTS_REG) & DMA_FSTS_PPF) &&
		       !(vtd_read32(v, DMAR_FECTL_REG) & BIT(30)),
	       "event: clearing the record clears PPF and IP (FSTS %#x FECTL %#x)",
	       vtd_read32(v, DMAR_FSTS_REG), vtd_read32(v, DMAR_FECTL_REG));
}

/* The blk set up again (reset) with its rings in its own domain. */
static bool blk_setup(void)
{
	blk.dma = &bdma.ops;
	return virtio_init(&blk, 0, 1) == 0;
}

static bool open_blk(void)
{
	if (!report(virtio_pci_open(&blk, VIRTIO_ID_BLOCK, 0) == 0, "blk: a virtio-blk on bus 0"))
		return false;
	sid_blk = blk.pci.bdf;
	vtd_pt_init(&ptb, pt.levels);
	vtd_vdma_init(&bdma, v, &ptb, DID_BLK, BLK_OFFSET);
	vtd_ctx_map(v, (uint8_t)sid_blk, DID_BLK, ptb.pgd, ptb.levels, false);
	flush_all();
	return report(blk_setup(), "blk: set up in domain %u", DID_BLK);
}

static void blk_case(const char *name, uint8_t reason, uint64_t addr)
{
	enum vt_blk_outcome o;

	vtd_faults_clear(v);
	o = vt_blk_iova(&blk, VIRTIO_BLK_T_OUT, 8, addr, 512, VIRTIO_TIMEOUT_US);
	report_info("%s: the request ended %s", name, vt_blk_outcome_name(o));
	expect(name, reason, sid_blk, false, addr);
	report(blk_setup(), "%s: the virtio-blk set up again", name);
}

static void check_blk(void)
{
	uint64_t beyond = 1ull << (12 + 9 * pt.levels);

	if (!have_blk)
		return;
	blk_case("blk_agaw", VTD_FR_BEYOND_AGAW, beyond | 0x3000);
	blk_case("blk_np", VTD_FR_READ, BLK_NP);
}

static void check_pfo(void)
{
	struct vtd_fault fb;
	unsigned n;

	vtd_faults_clear(v);
	for (unsigned i = 0; i < v->nfr; i++) /* NP pages of the table: IOVA_NP + 2 MiB * i */
		edu_xfer(IOVA_NP + VTD_2M * (i + 1), false);
	n = vtd_fault_find(v, VTD_FR_READ, sid_edu, NULL);
	report(n == v->nfr && !(vtd_read32(v, DMAR_FSTS_REG) & DMA_FSTS_PFO),
	       "pfo: %u faults of the edu fill the %u records (FSTS %#x)", n, v->nfr,
	       vtd_read32(v, DMAR_FSTS_REG));
	if (!have_blk)
		return;
	vt_blk_iova(&blk, VIRTIO_BLK_T_OUT, 8, BLK_NP, 512, VIRTIO_TIMEOUT_US);
	report(vtd_read32(v, DMAR_FSTS_REG) & DMA_FSTS_PFO,
	       "pfo: one more fault (the virtio-blk's) sets FSTS.PFO (FSTS %#x)",
	       vtd_read32(v, DMAR_FSTS_REG));
	n = vtd_fault_find(v, VTD_FR_READ, sid_blk, &fb);
	report(n == v->nfr && !fb.f, "pfo: it is not recorded: the %u records are the edu's", n);
	vtd_write32(v, DMAR_FSTS_REG, DMA_FSTS_PFO);
	report(!(vtd_read32(v, DMAR_FSTS_REG) & DMA_FSTS_PFO), "pfo: PFO is write-1-to-clear");
	vtd_faults_clear(v);
	blk_setup();
}

int main(void)
{
	if (!vtd_env_open(&t))
		return 1;
	if (!report(setup(), "setup: tables, context entry, queue, translation on"))
		return 1;
	have_blk = open_blk();
	check_pte();
	check_ctx();
	check_fpd();
	check_event();
	check_blk();
	check_pfo();
	return 0;
}
