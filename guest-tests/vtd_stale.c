// SPDX-License-Identifier: MIT
/* A forgetful VT-d driver: it maps an IOVA for the edu, lets the edu write
 * through it (so the unit may cache the translation), then points the leaf
 * at another page WITHOUT invalidating the IOTLB, and lets the edu write
 * again. VT-d ch. 6 leaves the second write's target undefined until the
 * invalidation; build/vmm with --iommu intel,check-invalidation=on must
 * name the missed invalidation in its --iommu-log (a "missed_inval" line
 * with the edu's source-id, the domain, the IOVA, the cached and the
 * table's page), which the runner checks against the line this guest prints:
 *   STALE sid=BB:DD.F domain=N iova=0x... cached=0x... table=0x...
 * The guest checks what it can on any backend: the first write lands in the
 * first page; after the invalidation the driver then makes, the third write
 * lands in the second page; nothing else is written. Where the second write
 * went is printed, not checked. Command line: cm=, aw=, seed= (vtd_test.h). */
#include "guest.h"
#include "virtio.h"
#include "vtd_test.h"

#define FILL 0xa5
#define DID  5

static struct vtd_env t;
static struct vtd *v = &t.v;
static struct vtd_pt pt;
static struct vt_area a1, a2;
static uint8_t *src;

static uint64_t gpa(const void *p)
{
	return virt_to_phys(p);
}

/* The buffer gets a fresh pattern from src, then goes to iova; the pattern
 * is left in src. */
static bool write_to(uint64_t iova, uint32_t len)
{
	vt_fill_random(&t, src, len);
	return edu_dma(&t.edu, EDU_RAM_TO_DEV, VT_IOVA_BASE, 0, len, false, VT_WAIT_US) == 0 &&
	       edu_dma(&t.edu, EDU_DEV_TO_RAM, iova, 0, len, false, VT_WAIT_US) == 0;
}

int main(void)
{
	uint8_t *p1, *p2;
	uint64_t iova, *pte;
	uint16_t sid;
	uint32_t len = 512;

	if (!vtd_env_open(&t))
		return 1;
	src = virtio_alloc(VT_PAGE, VT_PAGE);
	vt_area_alloc(&a1);
	vt_area_alloc(&a2);
	p1 = vt_area_target(&a1), p2 = vt_area_target(&a2);
	sid = vtd_env_edu_sid(&t);
	iova = VT_IOVA_BASE + VTD_2M + (vtd_env_rand(&t) % 512) * VT_PAGE;
	vtd_pt_init(&pt, t.aw == 48 ? 4 : 3);
	if (!report(vtd_pt_map(&pt, VT_IOVA_BASE, gpa(src), VTD_4K, VTD_4K, VTD_PTE_R) == 0 &&
			    vtd_pt_map(&pt, iova, gpa(p1), VTD_4K, VTD_4K, VTD_PTE_R | VTD_PTE_W) ==
				    0 &&
			    vtd_qi_enable(v) && vtd_env_edu_table(&t, &pt, DID) &&
			    vtd_command(v, DMA_GCMD_TE, true),
		    "setup: IOVA %#lx -> GPA %#lx in domain %u, translation on",
		    (unsigned long)iova, (unsigned long)gpa(p1), DID))
		return 1;
	pte = vtd_pt_entry(&pt, iova, 1);
	vt_area_fill(&a1, FILL);
	vt_area_fill(&a2, FILL);
	report(write_to(iova, len) && !memcmp(p1, src, len) && vt_filled(p2, FILL, VT_PAGE),
	       "first: the write lands in the first page");

	/* The forgotten invalidation. */
	*pte = gpa(p2) | VTD_PTE_R | VTD_PTE_W;
	printf("STALE sid=%02x:%02x.%x domain=%u iova=%#lx cached=%#lx table=%#lx\n",
	       PCI_BDF_BUS(sid), PCI_BDF_DEV(sid), PCI_BDF_FN(sid), DID, (unsigned long)iova,
	       (unsigned long)gpa(p1), (unsigned long)gpa(p2));
	vt_area_fill(&a1, FILL);
	report(write_to(iova, len), "stale: the edu's write after the leaf changed completes");
	report_info("stale: it went to %s", !memcmp(p1, src, len)
						    ? "the first page (the cached translation)"
					    : !memcmp(p2, src, len) ? "the second page (the table)"
								    : "neither page");
	report(vt_area_canaries(&a1) && vt_area_canaries(&a2) &&
		       vt_filled(p1 + len, FILL, VT_PAGE - len) &&
		       vt_filled(p2 + len, FILL, VT_PAGE - len),
	       "stale: nothing else written");

	/* The driver remembers. */
	vt_area_fill(&a1, FILL);
	vt_area_fill(&a2, FILL);
	report(vtd_flush_page(v, DID, iova), "inval: the page invalidated");
	report(write_to(iova, len) && !memcmp(p2, src, len) && vt_filled(p1, FILL, VT_PAGE),
	       "inval: then the write lands in the second page only");
	report(!vtd_fault_find(v, 0, 0, NULL), "no fault recorded");
	return 0;
}
