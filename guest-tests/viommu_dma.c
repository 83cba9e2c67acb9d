// SPDX-License-Identifier: MIT
/* virtio-iommu (virtio 1.2, 5.13) translating a virtio-blk's DMA. The blk
 * negotiates ACCESS_PLATFORM; its rings, headers and status bytes get IOVAs
 * from the driver's allocator (a MAP per buffer, at 64 GiB up), while the
 * data buffer of each checked request sits at an IOVA the test maps itself:
 * the guest-physical address of a canary page, mapped to another page. A
 * device that ignored the IOMMU would write the canary.
 *
 * Checks: DMA through a mapping lands at the mapped page and nowhere else
 * (reads and writes); after UNMAP the next DMA fails (IOERR status, or
 * DEVICE_NEEDS_RESET) and a fault report arrives on the eventq with reason
 * MAPPING, the endpoint and the address; a device write into a read-only
 * mapping fails the same way while reads through it work; an unattached
 * endpoint follows config.bypass (DMA at GPAs with bypass=1, faults with
 * bypass=0, reason DOMAIN); a bypass domain passes DMA whatever
 * config.bypass says.
 *
 * known=ID,ID: checks the backend is known to get wrong (see hostile.c).
 * QEMU 7.2 (hw/virtio/virtio-iommu.c, virtio_iommu_translate):
 *  - fault_reason_unattached: an endpoint that was never attached faults
 *    with reason UNKNOWN (QEMU keeps no state for it). 5.13.6.9: DOMAIN is
 *    "The endpoint attempted to access address without being attached to
 *    a domain", which is this case: QEMU departs from 5.13.6.9.
 *  - blk_fault_ok: a virtio-blk read whose data buffer faults (no mapping,
 *    or a read-only one) completes with VIRTIO_BLK_S_OK and a used length
 *    of 4097. The IOMMU side is right (the fault is reported, no byte
 *    reaches memory): QEMU's address_space_map() turns the refused
 *    translation into a bounce buffer (the region is "unassigned", not
 *    RAM), virtio-blk reads the sector into it, and address_space_unmap()
 *    writes it to nowhere. The device then reports success and bytes
 *    written that never arrived: QEMU's virtio-blk / DMA layer departs from
 *    virtio 1.2 5.2.6 (OK means the request succeeded) and 2.7.8 (used len
 *    is what was written). The same bounce buffer is behind hostile.c's
 *    mmio_hole.
 * When QEMU cannot map a ring (bypass=0 for an unattached endpoint) the
 * device sets DEVICE_NEEDS_RESET (virtio_error), one of the two failures
 * accepted here; the other is an IOERR status. */
#include "guest.h"
#include "viommu_dma.h"
#include "viommu_test.h"

#define D1	   1u
#define D_BYP	   2u
#define SECTORS	   8 /* one page */
#define WAIT_US	   1000000
#define OUT_SECTOR 64
#define R_FAULT_OK "virtio 1.2 5.2.6 and 2.7.8 (OK and a used length for bytes never delivered)"

static struct viommu vi;
static struct viommu_dma dma;
static struct virtio_pci blk, rng;
static uint32_t ep_blk, ep_rng;
static uint64_t X, T_IOVA; /* the allocator's region; the test's own IOVAs */
static uint8_t *base;	   /* sector 0-7 as read at the start */
static uint8_t *area;	   /* 3 pages: guard, target, guard */
static uint8_t *canary;	   /* the page whose GPA is used as IOVA */
static uint8_t *tmp;
static uint8_t *rngbuf;

#define TARGET (area + 4096)

static const char *bname(enum vt_blk_outcome o)
{
	return vt_blk_outcome_name(o);
}

static bool filled(const uint8_t *p, uint8_t v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != v)
			return false;
	return true;
}

static void fill_all(uint8_t t)
{
	memset(area, 0xa1, 4096);
	memset(TARGET, t, 4096);
	memset(area + 8192, 0xa2, 4096);
	memset(canary, 0xc3, 4096);
}

static bool others_intact(void)
{
	return filled(area, 0xa1, 4096) && filled(area + 8192, 0xa2, 4096) &&
	       filled(canary, 0xc3, 4096);
}

/* The IOVA that is the canary's GPA, when the input range has it. */
static uint64_t canary_iova(void)
{
	uint64_t a = virt_to_phys(canary);

	if (a >= vi.cfg.input_range.start && a + 4095 <= vi.cfg.input_range.end)
		return a;
	return T_IOVA + 16 * 4096;
}

static bool blk_setup(const struct virtio_dma *ops)
{
	blk.dma = ops;
	return virtio_init(&blk, 0, 1) == 0;
}

/* A normal read of sector 0-7 into tmp through the device's own DMA ops. */
static bool blk_works(void)
{
	struct vblk_result r;

	memset(tmp, 0, 4096);
	r = vblk_request(&blk, VIRTIO_BLK_T_IN, 0, tmp, 4096);
	return r.rc == 0 && r.status == VIRTIO_BLK_S_OK && !memcmp(tmp, base, 4096);
}

/* After a failed request: the device again, reset when it needs it. */
static void blk_recover(const char *why)
{
	bool reset = false;

	if ((virtio_status(&blk) & VIRTIO_CONFIG_S_NEEDS_RESET) || !blk_works()) {
		reset = true;
		blk_setup(blk.dma);
	}
	report(blk_works(), "%s: virtio-blk works again%s", why, reset ? " after a reset" : "");
}

/* A device-level error: an IOERR status, a used length of 0 without a
 * status (as hostile.c counts them), or DEVICE_NEEDS_RESET. */
static bool failed(enum vt_blk_outcome o)
{
	return o == VT_BLK_IOERR || o == VT_BLK_LEN0 || o == VT_BLK_NEEDS_RESET;
}

/* Check one fault report against what the access was. */
enum dir { ANY_DIR, DEV_READ, DEV_WRITE };

static void check_fault(const char *what, uint8_t reason, uint32_t ep, uint64_t lo, uint64_t hi,
			enum dir dir, const char *known_id, const char *rule)
{
	struct virtio_iommu_fault f;
	const uint32_t defined = VIRTIO_IOMMU_FAULT_F_READ | VIRTIO_IOMMU_FAULT_F_WRITE |
				 VIRTIO_IOMMU_FAULT_F_EXEC | VIRTIO_IOMMU_FAULT_F_ADDRESS;

	if (!report(viommu_wait_fault(&vi, &f, WAIT_US), "%s: a fault report arrives on the eventq",
		    what))
		return;
	report_info("%s: fault reason %u flags %#x endpoint %#x address %#lx (used len %u)", what,
		    f.reason, f.flags, f.endpoint, (unsigned long)f.address, vi.last_event_len);
	report(vi.last_event_len >= sizeof(f), "%s: the report fills %u >= 24 bytes", what,
	       vi.last_event_len);
	if (known_id)
		vt_check(f.reason == reason, known_id, rule, "%s: reason %u (want %u)", what,
			 f.reason, reason);
	else
		report(f.reason == reason, "%s: reason %u (want %u)", what, f.reason, reason);
	report(f.endpoint == ep, "%s: endpoint %#x (want %#x)", what, f.endpoint, ep);
	/* 5.13.6.9.2: reserved fields and undefined flags SHOULD be zero. */
	report(!(f.flags & ~defined) && !f.reserved[0] && !f.reserved[1] && !f.reserved[2],
	       "%s: undefined flags and reserved bytes zero", what);
	if (dir != ANY_DIR)
		report(!(f.flags & (dir == DEV_WRITE ? VIRTIO_IOMMU_FAULT_F_READ
						     : VIRTIO_IOMMU_FAULT_F_WRITE)),
		       "%s: flags name no access in the wrong direction (%s)", what,
		       dir == DEV_WRITE ? "a device write" : "a device read");
	if (f.flags & VIRTIO_IOMMU_FAULT_F_ADDRESS)
		report(f.address >= lo && f.address <= hi, "%s: address %#lx in %#lx-%#lx", what,
		       (unsigned long)f.address, (unsigned long)lo, (unsigned long)hi);
	else
		report_skip("%s: F_ADDRESS not set (the device MAY omit it)", what);
	report_info("%s: %u more reports", what, viommu_drain_faults(&vi));
}

/* ---- through a mapping ------------------------------------------------------ */

static void check_mapped(void)
{
	const uint32_t rw = VIRTIO_IOMMU_MAP_F_READ | VIRTIO_IOMMU_MAP_F_WRITE;
	uint64_t iova = canary_iova();
	enum vt_blk_outcome o;
	int st;

	report_info("test IOVA %#lx (the canary's GPA) -> target GPA %#lx", (unsigned long)iova,
		    (unsigned long)virt_to_phys(TARGET));
	viommu_drain_faults(&vi);
	fill_all(0x11);
	st = viommu_map(&vi, D1, iova, iova + 4095, virt_to_phys(TARGET), rw);
	report(st == VIRTIO_IOMMU_S_OK, "MAP IOVA %#lx -> target page: OK (%s)",
	       (unsigned long)iova, viommu_status_name(st));
	o = vt_blk_iova(&blk, VIRTIO_BLK_T_IN, 0, iova, 4096, VIRTIO_TIMEOUT_US);
	report(o == VT_BLK_OK, "blk read of sector 0-7 into the IOVA: OK (%s)", bname(o));
	report(!memcmp(TARGET, base, 4096), "the data landed at the mapped GPA");
	report(others_intact(),
	       "the canary (GPA = IOVA) and the pages around the target are intact");

	/* The other direction: the device reads the target through the IOVA. */
	for (unsigned i = 0; i < 4096; i++)
		TARGET[i] = (uint8_t)(i * 7 + 3);
	memcpy(tmp + 4096, TARGET, 4096);
	o = vt_blk_iova(&blk, VIRTIO_BLK_T_OUT, OUT_SECTOR, iova, 4096, VIRTIO_TIMEOUT_US);
	report(o == VT_BLK_OK, "blk write of sector %u from the IOVA: OK (%s)", OUT_SECTOR,
	       bname(o));
	memset(tmp, 0, 4096);
	{
		struct vblk_result r = vblk_request(&blk, VIRTIO_BLK_T_IN, OUT_SECTOR, tmp, 4096);

		report(r.status == VIRTIO_BLK_S_OK && !memcmp(tmp, tmp + 4096, 4096),
		       "sector %u holds the target's bytes (not the canary's)", OUT_SECTOR);
	}

	/* UNMAP, then the next DMA to that IOVA must fault. */
	st = viommu_unmap(&vi, D1, iova, iova + 4095);
	report(st == VIRTIO_IOMMU_S_OK, "UNMAP the IOVA: OK (%s)", viommu_status_name(st));
	viommu_drain_faults(&vi);
	fill_all(0x22);
	o = vt_blk_iova(&blk, VIRTIO_BLK_T_IN, 0, iova, 4096, WAIT_US);
	vt_check(failed(o), "blk_fault_ok", R_FAULT_OK,
		 "blk read into the unmapped IOVA fails: %s (status %#x, used %u)", bname(o),
		 vt_blk_status, vt_blk_used);
	report(filled(TARGET, 0x22, 4096) && others_intact(),
	       "nothing written: target, canary (GPA = IOVA) and neighbours intact");
	check_fault("unmapped IOVA", VIRTIO_IOMMU_FAULT_R_MAPPING, ep_blk, iova, iova + 4095,
		    DEV_WRITE, NULL, NULL);
	blk_recover("after the unmapped access");
}

static void check_readonly(void)
{
	uint64_t iova = T_IOVA;
	struct virtio_iommu_fault f;
	enum vt_blk_outcome o;
	int st;

	viommu_drain_faults(&vi);
	fill_all(0x33);
	for (unsigned i = 0; i < 4096; i++)
		TARGET[i] = (uint8_t)(i * 13 + 1);
	memcpy(tmp + 4096, TARGET, 4096);
	st = viommu_map(&vi, D1, iova, iova + 4095, virt_to_phys(TARGET), VIRTIO_IOMMU_MAP_F_READ);
	report(st == VIRTIO_IOMMU_S_OK, "MAP IOVA %#lx read-only: OK (%s)", (unsigned long)iova,
	       viommu_status_name(st));
	o = vt_blk_iova(&blk, VIRTIO_BLK_T_OUT, OUT_SECTOR, iova, 4096, VIRTIO_TIMEOUT_US);
	report(o == VT_BLK_OK, "blk write from the read-only mapping (a device read): OK (%s)",
	       bname(o));
	report(!viommu_wait_fault(&vi, &f, 100000), "no fault for the device read");
	{
		struct vblk_result r;

		memset(tmp, 0, 4096);
		r = vblk_request(&blk, VIRTIO_BLK_T_IN, OUT_SECTOR, tmp, 4096);
		report(r.status == VIRTIO_BLK_S_OK && !memcmp(tmp, tmp + 4096, 4096),
		       "sector %u holds the read-only page's bytes", OUT_SECTOR);
	}
	o = vt_blk_iova(&blk, VIRTIO_BLK_T_IN, 0, iova, 4096, WAIT_US);
	vt_check(failed(o), "blk_fault_ok", R_FAULT_OK,
		 "blk read into the read-only mapping (a device write) fails: %s (status %#x, "
		 "used %u)",
		 bname(o), vt_blk_status, vt_blk_used);
	report(!memcmp(TARGET, tmp + 4096, 4096), "the read-only page is unchanged (MUST NOT "
						  "allow writes, 5.13.6.5.2)");
	check_fault("write to read-only", VIRTIO_IOMMU_FAULT_R_MAPPING, ep_blk, iova, iova + 4095,
		    DEV_WRITE, NULL, NULL);
	st = viommu_unmap(&vi, D1, iova, iova + 4095);
	report(st == VIRTIO_IOMMU_S_OK, "UNMAP it: OK (%s)", viommu_status_name(st));
	blk_recover("after the write to a read-only mapping");
}

/* ---- unattached endpoints and bypass ---------------------------------------- */

static void check_bypass(void)
{
	uint8_t orig = viommu_bypass(&vi);
	enum vt_blk_outcome o;
	int st;

	if (!viommu_has(&vi, VIRTIO_IOMMU_F_BYPASS_CONFIG)) {
		report_skip("BYPASS_CONFIG not negotiated");
		return;
	}
	virtio_reset(&blk);
	st = viommu_detach(&vi, D1, ep_blk);
	report(st == VIRTIO_IOMMU_S_OK, "DETACH blk: OK (%s)", viommu_status_name(st));
	viommu_drain_faults(&vi);

	viommu_set_bypass(&vi, 1);
	report(viommu_bypass(&vi) == 1, "config.bypass = 1");
	report(blk_setup(&virtio_dma_identity) && blk_works(),
	       "unattached blk with bypass=1: DMA at GPAs works (set-up and a read)");

	fill_all(0x44);
	viommu_set_bypass(&vi, 0);
	report(viommu_bypass(&vi) == 0, "config.bypass = 0");
	o = vt_blk_iova(&blk, VIRTIO_BLK_T_IN, 0, virt_to_phys(TARGET), 4096, WAIT_US);
	report(o != VT_BLK_OK, "unattached blk with bypass=0: the read does not succeed (%s)",
	       bname(o));
	report(filled(TARGET, 0x44, 4096), "nothing written to the target GPA");
	check_fault("unattached, bypass=0", VIRTIO_IOMMU_FAULT_R_DOMAIN, ep_blk, 0, ~0ull, ANY_DIR,
		    NULL, NULL);

	/* A bypass domain passes DMA whatever config.bypass says. */
	st = viommu_attach(&vi, D_BYP, ep_blk, VIRTIO_IOMMU_ATTACH_F_BYPASS);
	report(st == VIRTIO_IOMMU_S_OK, "ATTACH blk with F_BYPASS: OK (%s)",
	       viommu_status_name(st));
	report(blk_setup(&virtio_dma_identity) && blk_works(),
	       "blk in a bypass domain, config.bypass=0: DMA at GPAs works");
	virtio_reset(&blk);
	st = viommu_detach(&vi, D_BYP, ep_blk);
	report(st == VIRTIO_IOMMU_S_OK, "DETACH blk from the bypass domain: OK (%s)",
	       viommu_status_name(st));
	viommu_drain_faults(&vi);

	/* An endpoint that was never attached (the rng). */
	if (rng.common) {
		uint8_t *buf = rngbuf;
		uint32_t len = 0;
		int rc;

		viommu_set_bypass(&vi, 1);
		rng.dma = &virtio_dma_identity;
		rc = virtio_init(&rng, 0, 1);
		memset(buf, 0, 64);
		rc = rc ? rc
			: virtq_submit(&rng.vq[0], &(struct virtq_buf){buf, 64}, 0, 1, &len,
				       VIRTIO_TIMEOUT_US);
		report(rc == 0 && len > 0 && !filled(buf, 0, 64),
		       "never-attached rng with bypass=1: entropy arrives (%u bytes)", len);
		viommu_set_bypass(&vi, 0);
		memset(buf, 0, 64);
		len = 0;
		rc = virtq_submit(&rng.vq[0], &(struct virtq_buf){buf, 64}, 0, 1, &len, WAIT_US);
		report((rc != 0 || len == 0) && filled(buf, 0, 64),
		       "never-attached rng with bypass=0: nothing delivered (%s, used len %u)",
		       rc ? "not used" : "used", len);
		check_fault("never attached, bypass=0", VIRTIO_IOMMU_FAULT_R_DOMAIN, ep_rng, 0,
			    ~0ull, ANY_DIR, "fault_reason_unattached",
			    "virtio 1.2 5.13.6.9 (DOMAIN: access without being attached)");
		virtio_reset(&rng);
	}
	viommu_set_bypass(&vi, orig);
	report(viommu_bypass(&vi) == orig, "config.bypass restored to %u", orig);
}

int main(void)
{
	struct pci_func f;
	bool ok;
	int st;

	known_init();
	base = vt_pages(1);
	area = vt_pages(3);
	canary = vt_pages(1);
	tmp = vt_pages(2);
	rngbuf = vt_pages(1);
	if (!report(pci_init() == 0 && viommu_open(&vi, VIOMMU_WANT) == 0,
		    "virtio-iommu found and set up"))
		return 1;
	X = vt_iova_region(&vi, 1ull << 30);
	T_IOVA = X + (512ull << 20);
	ok = virtio_pci_open(&blk, VIRTIO_ID_BLOCK, 0) == 0 &&
	     viot_endpoint(&vi.viot, blk.pci.bdf, &ep_blk);
	if (!report(ok, "virtio-blk %04x behind the IOMMU: endpoint %#x", blk.pci.bdf, ep_blk))
		return 1;
	if (virtio_pci_open(&rng, VIRTIO_ID_RNG, 0) == 0 &&
	    pci_find(VIRTIO_PCI_VENDOR, VIRTIO_PCI_MODERN_ID(VIRTIO_ID_RNG), 0, &f))
		viot_endpoint(&vi.viot, f.bdf, &ep_rng);
	if (!report(X != 0, "IOVA region at %#lx", (unsigned long)X))
		return 1;
	if (viommu_has(&vi, VIRTIO_IOMMU_F_PROBE)) {
		st = viommu_probe(&vi, ep_blk);
		report(st == VIRTIO_IOMMU_S_OK, "PROBE blk before attaching: OK (%s)",
		       viommu_status_name(st));
	}
	st = viommu_attach(&vi, D1, ep_blk, 0);
	if (!report(st == VIRTIO_IOMMU_S_OK, "ATTACH blk to domain %u: OK (%s)", D1,
		    viommu_status_name(st)))
		return 1;
	viommu_dma_alloc(&dma, &vi, D1, X, 512ull << 20);
	ok = blk_setup(&dma.ops);
	if (!report(ok, "virtio-blk set up with rings at IOVAs (desc %#lx)",
		    (unsigned long)blk.vq[0].desc_iova))
		return 1;
	report(blk.offered & BIT_ULL(VIRTIO_F_ACCESS_PLATFORM),
	       "virtio-blk behind the IOMMU offers ACCESS_PLATFORM");
	report(blk.vq[0].desc_iova >= X && blk.vq[0].used_iova >= X,
	       "its ring addresses are IOVAs (not GPAs)");
	{
		struct vblk_result r;

		memset(base, 0, 4096);
		r = vblk_request(&blk, VIRTIO_BLK_T_IN, 0, base, 4096);
		report(r.rc == 0 && r.status == VIRTIO_BLK_S_OK,
		       "a read through IOVA-mapped rings and buffers: OK (%#x)", r.status);
		report(!filled(base, 0, 4096), "it returned data");
	}
	report(dma.errors == 0 && dma.maps > 0,
	       "the allocator's MAP/UNMAP requests all succeeded (%u maps, %u unmaps)", dma.maps,
	       dma.unmaps);
	check_mapped();
	check_readonly();
	report(dma.errors == 0, "still no failed allocator request (%u maps, %u unmaps)", dma.maps,
	       dma.unmaps);
	check_bypass();
	virtio_reset(&blk);
	virtio_reset(&vi.dev);
	pci_command(blk.pci.bdf, 0, PCI_COMMAND_MASTER);
	return 0;
}
