// SPDX-License-Identifier: MIT
/* Intel VT-d DMA remapping as the backend emulates it (build/vmm --iommu
 * intel, QEMU -device intel-iommu), with the edu and a virtio-blk as the
 * devices behind it. Command line: cm=0|1 (the caching mode expected in
 * CAP.CM), aw=39|48 (the address width expected in MGAW and the DMAR),
 * seed=N. Checks:
 *  - dmar: the DRHD covers the edu and the virtio-blk (INCLUDE_PCI_ALL, or
 *    as QEMU 7.2 does, an endpoint scope per function: both legal, VT-d
 *    8.3), its width = MGAW + 1 = aw;
 *  - caps: version 1.x, CAP.CM, SAGAW (3 levels; 4 levels exactly when
 *    aw=48), the fault recording registers and the IOTLB registers inside
 *    the register page, ECAP.QI and ECAP.PT, the reset state (GSTS, FSTS);
 *  - dma3: a random pattern RAM -> edu -> RAM through a 3-level table with
 *    register-based invalidation, IOVAs that are no RAM untranslated; the
 *    rest of the target page and the canary pages around it intact;
 *  - qi: queued invalidation on, a wait descriptor's status write seen in
 *    memory, IQH reaching IQT, the completion flag (ICS.IWC) with IF;
 *  - dma4: the same through a 4-level table (aw=48);
 *  - 2m: a 2 MiB leaf (CAP.SLLPS): a write at a random offset of it lands
 *    at that offset of the 2 MiB block, nowhere else;
 *  - np: a DMA to a not-present IOVA faults (write, the edu's source-id,
 *    the page) and writes nothing; the PTE then set without an
 *    invalidation (cm=0: VT-d 6.1, not-present entries are never cached)
 *    or with one (cm=1: CAP.CM asks for it), and the DMA lands;
 *  - blk: a virtio-blk whose rings and buffers are IOVAs (GPA + 1 GiB)
 *    mapped page by page in its own domain: a random sector written and
 *    read back, canaries intact, no fault recorded;
 *  - pt: a pass-through context (TT=2, ECAP.PT): the edu's DMA lands at the
 *    GPA it names;
 *  - off: translation off (GCMD.TE clear) reported in GSTS. */
#include "guest.h"
#include "known.h"
#include "virtio_blk.h"
#include "vtd_test.h"
#include "vtd_vdma.h"

#define FILL	   0xa5
#define BLK_OFFSET 0x40000000ull /* virtio-blk IOVA = GPA + 1 GiB */
#define DID_EDU3   1
#define DID_EDU4   2
#define DID_PASS   3
#define DID_BLK	   4

static struct vtd_env t;
static struct vtd *v = &t.v;
static uint8_t *src, *want;
static struct vt_area area;
static uint8_t big[VTD_2M] __attribute__((aligned(VTD_2M)));

static uint64_t gpa(const void *p)
{
	return virt_to_phys(p);
}

static void check_caps(void)
{
	uint32_t ver = vtd_read32(v, DMAR_VER_REG);
	unsigned sagaw = VTD_CAP_SAGAW(v->cap), mgaw = VTD_CAP_MGAW(v->cap) + 1;

	report_info("VER %#x CAP %#lx ECAP %#lx, DMAR flags %#x, width %u; DRHD flags %#x%s %u "
		    "%#x",
		    ver, (unsigned long)v->cap, (unsigned long)v->ecap, t.drhd.dmar_flags,
		    t.drhd.haw, t.drhd.drhd_flags, t.drhd.has_ioapic ? ", IOAPIC scope" : "",
		    t.drhd.ioapic_id, t.drhd.ioapic_sid);
	report(vtd_drhd_covers(&t.drhd, vtd_env_edu_sid(&t)), "dmar: the DRHD covers the edu (%s)",
	       t.drhd.drhd_flags & DRHD_INCLUDE_PCI_ALL ? "INCLUDE_PCI_ALL" : "an endpoint scope");
	report(t.drhd.haw == t.aw && mgaw == t.aw,
	       "dmar: host address width %u and CAP.MGAW %u are aw=%u", t.drhd.haw, mgaw, t.aw);
	report((ver >> 4) == 1, "caps: version %u.%u (1.x)", ver >> 4, ver & 15);
	report((sagaw & VTD_SAGAW_39) && !!(sagaw & VTD_SAGAW_48) == (t.aw == 48),
	       "caps: SAGAW %#x: 3 levels, 4 levels %s", sagaw, t.aw == 48 ? "too" : "not");
	report(v->nfr >= 1 && v->frcd >= 0x100 && v->frcd + 16 * v->nfr <= 0x1000,
	       "caps: %u fault recording registers at %#x, inside the page", v->nfr, v->frcd);
	report(v->iotlb - 8 >= DMAR_IRTA_REG + 8 && v->iotlb + 8 <= 0x1000,
	       "caps: IVA/IOTLB registers at %#x, past the fixed ones, inside the page",
	       v->iotlb - 8);
	report((v->ecap & VTD_ECAP_QI) && (v->ecap & VTD_ECAP_PT) && !(v->ecap & VTD_ECAP_SMTS),
	       "caps: ECAP has QI and PT, no scalable mode");
	report((vtd_read32(v, DMAR_GSTS_REG) & ~DMA_GSTS_ONESHOT) == 0,
	       "caps: GSTS %#x: translation, queue and remapping off at boot",
	       vtd_read32(v, DMAR_GSTS_REG));
	report(vtd_read32(v, DMAR_FSTS_REG) == 0 && !vtd_fault_find(v, 0, 0, NULL),
	       "caps: no fault recorded at boot");
}

/* RAM -> edu buffer from iova_src (the pattern at src), then the buffer ->
 * iova_dst + off; len random. The target page at dst must hold the pattern
 * at off and FILL elsewhere, the canaries intact. */
static bool round_trip(const char *what, uint64_t iova_src, uint64_t iova_dst, uint8_t *dst,
		       bool canaries)
{
	uint32_t len = 1 + (uint32_t)(vtd_env_rand(&t) % (EDU_DMA_MAX - 1));
	uint32_t off = (uint32_t)(vtd_env_rand(&t) % (VT_PAGE - len + 1));
	int rc1, rc2;
	bool ok;

	vt_fill_random(&t, src, VT_PAGE);
	memcpy(want, src, VT_PAGE);
	memset(dst, FILL, VT_PAGE);
	rc1 = edu_dma(&t.edu, EDU_RAM_TO_DEV, iova_src, 0, len, false, VT_WAIT_US);
	rc2 = edu_dma(&t.edu, EDU_DEV_TO_RAM, iova_dst + off, 0, len, false, VT_WAIT_US);
	ok = rc1 == 0 && rc2 == 0 && !memcmp(dst + off, want, len) && vt_filled(dst, FILL, off) &&
	     vt_filled(dst + off + len, FILL, VT_PAGE - off - len) && !memcmp(src, want, VT_PAGE);
	report(ok, "%s: %u bytes IOVA %#lx -> edu -> IOVA %#lx land at GPA %#lx", what, len,
	       (unsigned long)iova_src, (unsigned long)(iova_dst + off),
	       (unsigned long)(gpa(dst) + off));
	if (canaries)
		report(vt_area_canaries(&area), "%s: the canary pages are intact", what);
	report(!vtd_fault_find(v, 0, 0, NULL), "%s: no fault recorded", what);
	return ok;
}

/* A table of levels with src (read-only) and the area's target page
 * mapped; the edu attached to it. */
static bool edu_table(struct vtd_pt *pt, unsigned levels, uint16_t did, uint64_t iova)
{
	vtd_pt_init(pt, levels);
	return vtd_pt_map(pt, iova, gpa(src), VTD_4K, VTD_4K, VTD_PTE_R) == 0 &&
	       vtd_pt_map(pt, iova + 0x3000, gpa(vt_area_target(&area)), VTD_4K, VTD_4K,
			  VTD_PTE_R | VTD_PTE_W) == 0 &&
	       vtd_env_edu_table(&t, pt, did);
}

static struct vtd_pt pt3, pt4, ptb;
static struct vtd_pt *cur; /* the edu's table now */
static uint16_t cur_did;
static uint64_t cur_src; /* src's IOVA in it */

static uint64_t rand_iova(void)
{
	/* A random 2 MiB block of [128 MiB, 240 MiB); 2m and np use the
	 * blocks above. */
	return VT_IOVA_BASE + (vtd_env_rand(&t) % 56) * VTD_2M;
}

static void check_dma3(void)
{
	uint64_t iova = rand_iova();

	vt_area_fill(&area, FILL);
	if (!report(edu_table(&pt3, 3, DID_EDU3, iova),
		    "dma3: 3-level table, context entry, register-based flushes complete"))
		return;
	report(vtd_command(v, DMA_GCMD_TE, true), "dma3: translation on (GSTS.TES)");
	cur = &pt3, cur_did = DID_EDU3, cur_src = iova;
	round_trip("dma3", iova, iova + 0x3000, vt_area_target(&area), true);
}

static void check_qi(void)
{
	uint64_t h, tl;
	bool waited;

	if (!report(vtd_qi_enable(v), "qi: queued invalidation on (GSTS.QIES)"))
		return;
	waited = vtd_qi_wait(v);
	report(waited && *v->wait == v->wait_seq,
	       "qi: a wait descriptor's status write (%#x) lands in memory", v->wait_seq);
	h = vtd_read64(v, DMAR_IQH_REG), tl = vtd_read64(v, DMAR_IQT_REG);
	report(h == tl && tl == (uint64_t)v->iq_tail << DMA_IQT_SHIFT,
	       "qi: IQH %#lx reached IQT %#lx", (unsigned long)h, (unsigned long)tl);
	vtd_write32(v, DMAR_ICS_REG, DMA_ICS_IWC);
	vtd_write32(v, DMAR_IECTL_REG, DMA_FECTL_IM); /* no interrupt, only the flag */
	vtd_qi_submit(v, QI_IWD_TYPE | QI_IWD_IF, 0);
	report(vtd_qi_wait(v) && (vtd_read32(v, DMAR_ICS_REG) & DMA_ICS_IWC),
	       "qi: a wait descriptor with IF sets ICS.IWC");
	vtd_write32(v, DMAR_ICS_REG, DMA_ICS_IWC);
	report(!(vtd_read32(v, DMAR_ICS_REG) & DMA_ICS_IWC), "qi: ICS.IWC is write-1-to-clear");
	report(!(vtd_read32(v, DMAR_FSTS_REG) & DMA_FSTS_IQE), "qi: no queue error");
}

static void check_dma4(void)
{
	uint64_t iova = rand_iova();

	if (t.aw != 48) {
		report_info("dma4: aw=%u: no 4-level table to use (SAGAW checked above)", t.aw);
		return;
	}
	vt_area_fill(&area, FILL);
	if (!report(edu_table(&pt4, 4, DID_EDU4, iova),
		    "dma4: 4-level table, context entry, queued flushes complete"))
		return;
	cur = &pt4, cur_did = DID_EDU4, cur_src = iova;
	round_trip("dma4", iova, iova + 0x3000, vt_area_target(&area), true);
}

static void check_2m(void)
{
	uint64_t iova = VT_IOVA_BASE + 58 * VTD_2M, off;
	uint32_t len = 1 + (uint32_t)(vtd_env_rand(&t) % 512);
	int rc1, rc2;

	if (!report(VTD_CAP_SLLPS(v->cap) & 1, "2m: CAP.SLLPS has 2 MiB pages"))
		return;
	off = (vtd_env_rand(&t) % (VTD_2M / VT_PAGE)) * VT_PAGE +
	      vtd_env_rand(&t) % (VT_PAGE - len);
	memset(big, FILL, sizeof(big));
	vt_fill_random(&t, src, VT_PAGE);
	memcpy(want, src, VT_PAGE);
	if (!report(vtd_pt_map(cur, iova, gpa(big), VTD_2M, VTD_2M, VTD_PTE_R | VTD_PTE_W) == 0 &&
			    vtd_flush_page(v, cur_did, iova),
		    "2m: a 2 MiB leaf at IOVA %#lx for GPA %#lx", (unsigned long)iova,
		    (unsigned long)gpa(big)))
		return;
	rc1 = edu_dma(&t.edu, EDU_RAM_TO_DEV, cur_src, 0, len, false, VT_WAIT_US);
	rc2 = edu_dma(&t.edu, EDU_DEV_TO_RAM, iova + off, 0, len, false, VT_WAIT_US);
	report(rc1 == 0 && rc2 == 0 && !memcmp(big + off, want, len) && vt_filled(big, FILL, off) &&
		       vt_filled(big + off + len, FILL, VTD_2M - off - len),
	       "2m: %u bytes to IOVA %#lx land at GPA %#lx, the rest of the 2 MiB untouched", len,
	       (unsigned long)(iova + off), (unsigned long)(gpa(big) + off));
	report(!vtd_fault_find(v, 0, 0, NULL), "2m: no fault recorded");
}

/* Not-present entries are never cached (VT-d 6.1), so with CAP.CM clear a
 * not-present -> present change needs no invalidation; with CAP.CM set the
 * unit may cache them and software invalidates (VT-d 6.1, caching mode). */
static void check_np(void)
{
	uint64_t iova = VT_IOVA_BASE + 60 * VTD_2M + 0x5000, *pte;
	uint8_t *dst = vt_area_target(&area);
	struct vtd_fault f;
	uint16_t sid = vtd_env_edu_sid(&t);
	uint32_t len = 256;
	int rc;

	/* The tables down to the leaf exist; the leaf is not present. */
	if (!report(vtd_pt_map(cur, iova, gpa(dst), VTD_4K, VTD_4K, VTD_PTE_R | VTD_PTE_W) == 0 &&
			    (pte = vtd_pt_entry(cur, iova, 1)) != NULL,
		    "np: a leaf at IOVA %#lx", (unsigned long)iova))
		return;
	*pte = 0;
	report(vtd_flush_page(v, cur_did, iova), "np: the leaf cleared and invalidated");
	vt_fill_random(&t, src, VT_PAGE);
	memcpy(want, src, VT_PAGE);
	vt_area_fill(&area, FILL);
	rc = edu_dma(&t.edu, EDU_RAM_TO_DEV, cur_src, 0, len, false, VT_WAIT_US);
	rc |= edu_dma(&t.edu, EDU_DEV_TO_RAM, iova, 0, len, false, VT_WAIT_US);
	vtd_fault_find(v, VTD_FR_WRITE, sid, &f);
	report(rc == 0 && f.f && !f.read && (f.fi & ~0xfffull) == iova,
	       "np: a DMA write to it faults: reason %#x, source-id %#x, %s, address %#lx",
	       f.reason, f.sid, f.read ? "read" : "write", (unsigned long)f.fi);
	report(vt_filled(dst, FILL, VT_PAGE) && vt_area_canaries(&area), "np: and writes nothing");
	vtd_faults_clear(v);
	*pte = gpa(dst) | VTD_PTE_R | VTD_PTE_W;
	if (t.cm)
		report(vtd_flush_page(v, cur_did, iova),
		       "np: CAP.CM=1: the not-present -> present change invalidated");
	else
		report_info("np: CAP.CM=0: the PTE set with no invalidation");
	rc = edu_dma(&t.edu, EDU_DEV_TO_RAM, iova, 0, len, false, VT_WAIT_US);
	report(rc == 0 && !memcmp(dst, want, len) && vt_filled(dst + len, FILL, VT_PAGE - len) &&
		       vt_area_canaries(&area),
	       "np: then the same DMA lands: the not-present entry was not cached");
	report(!vtd_fault_find(v, 0, 0, NULL), "np: no fault the second time");
}

static struct virtio_pci blk;
static struct vtd_vdma bdma;

static void check_blk(void)
{
	uint8_t *wbuf = virtio_alloc(VT_PAGE, VT_PAGE), *rbuf;
	struct vt_area ra;
	struct vblk_result w, r;
	uint64_t sector;

	vt_area_alloc(&ra);
	rbuf = vt_area_target(&ra);
	if (!report(virtio_pci_open(&blk, VIRTIO_ID_BLOCK, 0) == 0, "blk: a virtio-blk on bus 0"))
		return;
	report(vtd_drhd_covers(&t.drhd, blk.pci.bdf), "blk: the DRHD covers it");
	vtd_pt_init(&ptb, cur->levels);
	vtd_vdma_init(&bdma, v, &ptb, DID_BLK, BLK_OFFSET);
	vtd_ctx_map(v, (uint8_t)blk.pci.bdf, DID_BLK, ptb.pgd, ptb.levels, false);
	report(vtd_flush_ctx(v) && vtd_flush_iotlb(v), "blk: its context entry, domain %u",
	       DID_BLK);
	blk.dma = &bdma.ops;
	if (!report(virtio_init(&blk, 0, 1) == 0 && bdma.maps > 0 && !bdma.errors,
		    "blk: set up with its rings at IOVAs (GPA + %#llx)", BLK_OFFSET))
		return;
	sector = vtd_env_rand(&t) % (vblk_capacity(&blk) - 8);
	vt_fill_random(&t, wbuf, VT_PAGE);
	vt_area_fill(&ra, FILL);
	w = vblk_request(&blk, VIRTIO_BLK_T_OUT, sector, wbuf, VT_PAGE);
	r = vblk_request(&blk, VIRTIO_BLK_T_IN, sector, rbuf, VT_PAGE);
	report(w.rc == 0 && w.status == VIRTIO_BLK_S_OK && r.rc == 0 &&
		       r.status == VIRTIO_BLK_S_OK && !memcmp(rbuf, wbuf, VT_PAGE),
	       "blk: 4 KiB written at sector %lu and read back through the tables",
	       (unsigned long)sector);
	report(vt_area_canaries(&ra), "blk: the canary pages are intact");
	report(!vtd_fault_find(v, 0, 0, NULL) && !bdma.errors, "blk: no fault recorded (%u maps)",
	       bdma.maps);
}

/* The edu copies len random bytes GPA src -> its buffer -> GPA dst with
 * no translation (what: the check's prefix, how: the words for it): the
 * bytes land at dst, the rest of its page and the canaries intact, and no
 * fault is recorded. */
static void identity_round_trip(const char *what, const char *how)
{
	uint8_t *dst = vt_area_target(&area);
	uint32_t len = 1 + (uint32_t)(vtd_env_rand(&t) % EDU_DMA_MAX);
	int rc;

	vt_fill_random(&t, src, VT_PAGE);
	memcpy(want, src, VT_PAGE);
	vt_area_fill(&area, FILL);
	rc = edu_dma(&t.edu, EDU_RAM_TO_DEV, gpa(src), 0, len, false, VT_WAIT_US);
	rc |= edu_dma(&t.edu, EDU_DEV_TO_RAM, gpa(dst), 0, len, false, VT_WAIT_US);
	report(rc == 0 && !memcmp(dst, want, len) && vt_filled(dst + len, FILL, VT_PAGE - len) &&
		       vt_area_canaries(&area),
	       "%s: %u bytes GPA %#lx -> edu -> GPA %#lx %s", what, len, (unsigned long)gpa(src),
	       (unsigned long)gpa(dst), how);
	report(!vtd_fault_find(v, 0, 0, NULL), "%s: no fault recorded", what);
}

static void check_pass(void)
{
	if (!report(v->ecap & VTD_ECAP_PT, "pt: ECAP.PT"))
		return;
	vtd_ctx_pass(v, (uint8_t)t.edu.pci.bdf, DID_PASS);
	report(vtd_flush_ctx(v) && vtd_flush_iotlb(v), "pt: a pass-through context for the edu");
	identity_round_trip("pt", "at identity");
}

static void check_off(void)
{
	report(vtd_command(v, DMA_GCMD_TE, false) && !(vtd_read32(v, DMAR_GSTS_REG) & DMA_GCMD_TE),
	       "off: translation off (GSTS.TES clear)");
}

/* edu_out=1 (build/vmm --edu=iommu=off): the edu opted out, so the DRHD
 * lists its endpoints instead of INCLUDE_PCI_ALL and leaves the edu out;
 * with translation on and no context entry for it, its DMA is untranslated
 * (a GPA reaches that GPA) and records no fault. */
static void check_opt_out(void)
{
	report(!(t.drhd.drhd_flags & DRHD_INCLUDE_PCI_ALL) && t.drhd.nr_endpoints >= 1 &&
		       !vtd_drhd_covers(&t.drhd, vtd_env_edu_sid(&t)),
	       "out: the DRHD lists %u endpoint(s), not INCLUDE_PCI_ALL, and not the edu",
	       t.drhd.nr_endpoints);
	report(vtd_command(v, DMA_GCMD_TE, true), "out: translation on, no context for the edu");
	identity_round_trip("out", "untranslated");
	(void)vtd_command(v, DMA_GCMD_TE, false);
}

int main(void)
{
	if (!vtd_env_open(&t))
		return 1;
	src = virtio_alloc(VT_PAGE, VT_PAGE);
	want = virtio_alloc(VT_PAGE, VT_PAGE);
	vt_area_alloc(&area);
	if (cmdline_u64("edu_out", 0)) {
		check_opt_out();
		return 0;
	}
	check_caps();
	check_dma3();
	check_qi();
	check_dma4();
	check_2m();
	check_np();
	check_blk();
	check_pass();
	check_off();
	return 0;
}
