// SPDX-License-Identifier: MIT
/* Host microbenchmark of the IOMMU core's translation, called the way
 * iommu/dma.c calls it (through the dma_as translator):
 *  - iotlb_hit_ns: 64 cached pages translated round-robin;
 *  - iotlb_miss_1e5_ns: 10^5 one-page mappings translated in a shuffled
 *    order through a one-set IOTLB, so (almost) every call walks the tree
 *    under the read lock and refills the IOTLB.
 * Prints the median of RUNS short timed runs of each as BENCH lines, and the
 * minimum (the figure least disturbed by other load) in a comment. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "iommu/iommu.h"

#define PG	      0x1000ull
#define RID	      0x0008
#define RUNS	      15
#define HIT_PAGES     64
#define HIT_CALLS     1000000ull
#define MISS_MAPPINGS 100000ull

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *v, unsigned n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return v[n / 2];
}

/* An IOMMU with one endpoint in domain 1 holding n one-page mappings at
 * every other page; *as gets the core's translator. */
static struct iommu *setup(unsigned iotlb_sets, uint64_t n, struct dma_as *as,
			   struct guest_mem *mem)
{
	struct iommu_config c = {
		.page_size_mask = PG,
		.input_last = ~0ull,
		.domain_first = 1,
		.domain_last = 1,
		.max_mappings = (unsigned)n,
		.iotlb_sets = iotlb_sets,
	};
	struct iommu *io;

	dma_as_init(as, RID, mem);
	if (iommu_create(&c, &io) || iommu_endpoint_add(io, RID, as) ||
	    iommu_attach(io, 1, RID, 0)) {
		fprintf(stderr, "iotlb_bench: set-up failed\n");
		exit(1);
	}
	for (uint64_t i = 0; i < n; i++)
		if (iommu_map(io, 1, iova(2 * i * PG), iova(2 * i * PG + PG - 1), gpa(i * PG),
			      IOMMU_MAP_READ | IOMMU_MAP_WRITE)) {
			fprintf(stderr, "iotlb_bench: map %lu failed\n", (unsigned long)i);
			exit(1);
		}
	return io;
}

/* ns per translation of the pages in order[0..n) (cycled) for calls calls.
 * Fails loudly if any translation does not return the mapped GPA. */
static double run(struct dma_as *as, const uint64_t *order, uint64_t n, uint64_t calls)
{
	const struct dma_translator *xl = atomic_load(&as->xl);
	uint64_t bad = 0;
	double t0 = now_ns();

	for (uint64_t i = 0, j = 0; i < calls; i++) {
		struct dma_xlate x;
		struct dma_fault f;
		uint64_t p = order[j];

		if (xl->translate(xl->opaque, RID, iova(2 * p * PG + 8), DMA_ACCESS_READ, &x, &f) ||
		    x.gpa.a != p * PG + 8)
			bad++;
		if (++j == n)
			j = 0;
	}
	if (bad) {
		fprintf(stderr, "iotlb_bench: %lu wrong translations\n", (unsigned long)bad);
		exit(1);
	}
	return (now_ns() - t0) / (double)calls;
}

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dull;
}

int main(void)
{
	static struct guest_mem mem; /* translation only: never dereferenced */
	struct dma_as as;
	struct iommu *io;
	uint64_t *order = malloc(MISS_MAPPINGS * sizeof(*order)), s = 1;
	double hit[RUNS], miss[RUNS];

	if (!order)
		return 1;
	io = setup(0, HIT_PAGES, &as, &mem);
	for (uint64_t i = 0; i < HIT_PAGES; i++)
		order[i] = i;
	run(&as, order, HIT_PAGES, HIT_PAGES); /* warm: fill the IOTLB */
	for (unsigned r = 0; r < RUNS; r++)
		hit[r] = run(&as, order, HIT_PAGES, HIT_CALLS);
	iommu_destroy(io);

	io = setup(1, MISS_MAPPINGS, &as, &mem);
	for (uint64_t i = 0; i < MISS_MAPPINGS; i++)
		order[i] = i;
	for (uint64_t i = MISS_MAPPINGS - 1; i > 0; i--) { /* Fisher-Yates */
		uint64_t j = rnd(&s) % (i + 1), t = order[i];

		order[i] = order[j];
		order[j] = t;
	}
	for (unsigned r = 0; r < RUNS; r++)
		miss[r] = run(&as, order, MISS_MAPPINGS, MISS_MAPPINGS);
	iommu_destroy(io);
	free(order);

	printf("# iotlb_bench: median of %d runs; hit: %d cached pages x %llu calls; "
	       "miss: %llu mappings, shuffled, 1-set IOTLB\n",
	       RUNS, HIT_PAGES, HIT_CALLS, MISS_MAPPINGS);
	printf("BENCH iotlb_hit_ns vmm=%.1f\n", median(hit, RUNS));
	printf("BENCH iotlb_miss_1e5_ns vmm=%.1f\n", median(miss, RUNS));
	printf("# iotlb_bench: minimum hit %.1f ns, miss %.1f ns\n", hit[0], miss[0]);
	return 0;
}
