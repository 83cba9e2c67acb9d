// SPDX-License-Identifier: MIT
/* VT-d strict-mode map and unmap round trips, timed with rdtsc in the CPL3
 * test body, as Linux's intel-iommu does them in strict mode with queued
 * invalidation: map = write a 4 KiB PTE, then (only when CAP.CM asks for
 * not-present -> present changes to be invalidated) a page-selective IOTLB
 * invalidation and a wait descriptor whose status write is polled; unmap =
 * clear the PTE, page-selective invalidation, wait. The IOVAs cycle over
 * 512 pages of one last-level table, which exists before timing starts.
 * The domain's only endpoint is the runner's virtio-blk (its context entry
 * makes the domain live: with caching mode the VMM walks what each
 * invalidation names); the device itself does nothing.
 * Output, one line per run (reqs = map+unmap pairs, cycles = TSC ticks):
 *   BENCHDATA vtd_map_unmap reqs=N cycles=C cm=0|1
 * and the marks around all runs (see bench_blk.c):
 *   BENCHDATA mark0 tsc=T   BENCHDATA mark1 tsc=T
 * Command line: reqs=N (pairs per run, default 2048), runs=R (default 3). */
#include "guest.h"
#include "pci.h"
#include "virtio.h"
#include "vtd.h"
#include "vtd_pt.h"

#define DID	 1u
#define IOVA	 0x4000000000ull /* 256 GiB, below 2^39 */
#define NR_PAGES 512u

static struct vtd v;
static struct vtd_pt pt;

int main(void)
{
	static uint8_t page[4096] __attribute__((aligned(4096)));
	uint64_t n = cmdline_u64("reqs", 2048), runs = cmdline_u64("runs", 3);
	uint64_t phys = virt_to_phys(page), bad = 0;
	struct vtd_drhd d;
	struct pci_func f;
	bool cm;

	if (!report(pci_init() == 0 && vtd_dmar_find(&d) == 0 && vtd_init(&v, d.base) == 0,
		    "the DMAR's unit found and set up") ||
	    !report(VTD_CAP_SAGAW(v.cap) & VTD_SAGAW_39, "3-level tables (SAGAW %#x)",
		    VTD_CAP_SAGAW(v.cap)) ||
	    !report(v.cap & VTD_CAP_PSI, "page-selective invalidation (CAP.PSI)") ||
	    !report(vtd_qi_enable(&v), "queued invalidation on"))
		return 1;
	cm = v.cap & VTD_CAP_CM;
	if (!report(pci_find(VIRTIO_PCI_VENDOR, VIRTIO_PCI_MODERN_ID(VIRTIO_ID_BLOCK), 0, &f) &&
			    vtd_drhd_covers(&d, f.bdf),
		    "a virtio-blk behind the unit"))
		return 1;
	vtd_pt_init(&pt, 3);
	if (!report(vtd_pt_map(&pt, IOVA, phys, NR_PAGES * VTD_4K, VTD_4K, VTD_PTE_R) == 0,
		    "%u pages' last-level table built", NR_PAGES))
		return 1;
	for (unsigned i = 0; i < NR_PAGES; i++)
		*vtd_pt_entry(&pt, IOVA + i * VTD_4K, 1) = 0;
	vtd_ctx_map(&v, (uint8_t)f.bdf, DID, pt.pgd, pt.levels, false);
	if (!report(vtd_flush_ctx(&v) && vtd_flush_iotlb(&v) && vtd_command(&v, DMA_GCMD_TE, true),
		    "its context entry in domain %u, translation on (CAP.CM=%u)", DID, cm))
		return 1;

	printf("BENCHDATA mark0 tsc=%020lu\n", (unsigned long)rdtsc());
	for (uint64_t r = 0; r < runs; r++) {
		uint64_t t0 = rdtsc();

		for (uint64_t i = 0; i < n; i++) {
			uint64_t iova = IOVA + (i % NR_PAGES) * VTD_4K;
			volatile uint64_t *pte = vtd_pt_entry(&pt, iova, 1);

			*pte = phys | VTD_PTE_R | VTD_PTE_W;
			if (cm && !vtd_flush_page(&v, DID, iova))
				bad++;
			*pte = 0;
			if (!vtd_flush_page(&v, DID, iova))
				bad++;
		}
		printf("BENCHDATA vtd_map_unmap reqs=%lu cycles=%lu cm=%u\n", (unsigned long)n,
		       (unsigned long)(rdtsc() - t0), cm);
	}
	printf("BENCHDATA mark1 tsc=%020lu\n", (unsigned long)rdtsc());
	report(bad == 0, "every invalidation completed (%lu timed out)", (unsigned long)bad);
	report(!vtd_fault_find(&v, 0, 0, NULL), "no fault recorded");
	(void)vtd_command(&v, DMA_GCMD_TE, false);
	return 0;
}
