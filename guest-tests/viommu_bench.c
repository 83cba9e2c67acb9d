// SPDX-License-Identifier: MIT
/* virtio-iommu request throughput: MAP + UNMAP round trips, timed with
 * rdtsc in the CPL3 test body.
 *   single:  MAP, notify, wait; UNMAP, notify, wait (one request per
 *            notification)
 *   batched: B MAPs queued, one notification, wait for all; then B UNMAPs
 *            the same way (B = batch=, capped by the queue and the driver)
 * Output, one line per run and mode (reqs = MAP+UNMAP pairs, cycles = TSC
 * ticks for all of them; the TSC frequency is on a "# tsc_khz" line):
 *   BENCHDATA viommu_map_unmap_single reqs=N cycles=C
 *   BENCHDATA viommu_map_unmap_batched reqs=N cycles=C
 * and, around all the runs, two lines of equal length for a runner that
 * time-stamps lines on arrival to measure the TSC rate against its clock
 * (as bench_blk.c does):
 *   BENCHDATA mark0 tsc=T   BENCHDATA mark1 tsc=T
 * Command line: reqs=N (pairs per run, default 2048), batch=B (default
 * 32), runs=R (default 3). Needs one endpoint behind the IOMMU (the
 * runner's virtio-blk) to create a domain. */
#include "guest.h"
#include "viommu_test.h"

#define DOM 1u

static struct viommu vi;

/* Wait for a batch; how many of its requests failed. */
static uint64_t done(uint64_t batch)
{
	int ok = viommu_complete(&vi);

	return ok < 0 ? batch : batch - (uint64_t)ok;
}

int main(void)
{
	static uint8_t page[4096] __attribute__((aligned(4096)));
	const uint32_t rw = VIRTIO_IOMMU_MAP_F_READ | VIRTIO_IOMMU_MAP_F_WRITE;
	uint64_t n = cmdline_u64("reqs", 2048), runs = cmdline_u64("runs", 3);
	uint64_t batch = cmdline_u64("batch", 32), phys = virt_to_phys(page), x, g;
	struct pci_func f;
	uint32_t ep = 0;
	bool found = false;

	if (!report(pci_init() == 0 && viommu_open(&vi, VIOMMU_WANT) == 0,
		    "virtio-iommu found and set up"))
		return 1;
	for (unsigned i = 0; !found && pci_find(VIRTIO_PCI_VENDOR, 0xffff, i, &f); i++)
		found = f.bdf != vi.dev.pci.bdf && viot_endpoint(&vi.viot, f.bdf, &ep);
	if (!report(found, "an endpoint behind the IOMMU: %#x", ep))
		return 1;
	if (!report(viommu_attach(&vi, DOM, ep, 0) == VIRTIO_IOMMU_S_OK, "ATTACH it to domain %u",
		    DOM))
		return 1;
	g = vi.granule;
	if (batch > VIOMMU_MAX_BATCH)
		batch = VIOMMU_MAX_BATCH;
	if (batch > vi.reqq_size / 2u)
		batch = vi.reqq_size / 2u;
	if (!batch)
		batch = 1;
	n = (n + batch - 1) / batch * batch;
	x = vt_iova_region(&vi, batch * g);
	if (!report(x != 0 && n > 0, "IOVA region %#lx, %lu pairs per run, batches of %lu",
		    (unsigned long)x, (unsigned long)n, (unsigned long)batch))
		return 1;
	report_info("tsc_khz %lu (%s)", (unsigned long)tsc_khz(),
		    tsc_khz_known() ? "from CPUID" : "a guess");

	printf("BENCHDATA mark0 tsc=%020lu\n", (unsigned long)rdtsc());
	for (uint64_t r = 0; r < runs; r++) {
		uint64_t bad = 0, t0, t1;

		t0 = rdtsc();
		for (uint64_t i = 0; i < n; i++) {
			bad += viommu_map(&vi, DOM, x, x + g - 1, phys, rw) != VIRTIO_IOMMU_S_OK;
			bad += viommu_unmap(&vi, DOM, x, x + g - 1) != VIRTIO_IOMMU_S_OK;
		}
		t1 = rdtsc();
		printf("BENCHDATA viommu_map_unmap_single reqs=%lu cycles=%lu\n", (unsigned long)n,
		       (unsigned long)(t1 - t0));
		report(bad == 0, "single run %lu: every MAP and UNMAP OK (%lu failed)",
		       (unsigned long)r, (unsigned long)bad);

		bad = 0;
		t0 = rdtsc();
		for (uint64_t i = 0; i < n; i += batch) {
			for (uint64_t k = 0; k < batch; k++)
				viommu_queue_map(&vi, DOM, x + k * g, x + k * g + g - 1, phys, rw);
			viommu_kick(&vi);
			bad += done(batch);
			for (uint64_t k = 0; k < batch; k++)
				viommu_queue_unmap(&vi, DOM, x + k * g, x + k * g + g - 1);
			viommu_kick(&vi);
			bad += done(batch);
		}
		t1 = rdtsc();
		printf("BENCHDATA viommu_map_unmap_batched reqs=%lu cycles=%lu\n", (unsigned long)n,
		       (unsigned long)(t1 - t0));
		report(bad == 0, "batched run %lu: every MAP and UNMAP OK (%lu failed)",
		       (unsigned long)r, (unsigned long)bad);
	}
	printf("BENCHDATA mark1 tsc=%020lu\n", (unsigned long)rdtsc());
	viommu_detach(&vi, DOM, ep);
	virtio_reset(&vi.dev);
	return 0;
}
