/* SPDX-License-Identifier: MIT */
/* The state of tests/fuzz/fuzz_vtd.c: its limits, the three endpoints, the
 * fixture (the unit, its consumers, and the sequence numbers that say what
 * may be cached stale), the statistics, and small accessors. */
#ifndef TESTS_FUZZ_VTD_DMAR_FX_H
#define TESTS_FUZZ_VTD_DMAR_FX_H

#include <errno.h>

#include "iommu/iommu.h"
#include "tests/fuzz/vtd_consumer.h"
#include "tests/fuzz/vtd_fixture.h"
#include "tests/fuzz/vtd_regs.h"

#define MAX_INPUT    4096
#define NEPS	     3
#define MAXV	     16 /* table visits a caching-mode comparison may walk */
#define BUDGET	     (512ul * MAXV)
#define MAXL	     16384 /* intervals in a comparison list */
#define NDID	     32
#define NNAMED	     64
#define IOVA_MAX     ((1ull << 48) - 1)
#define PERM_RW	     (DMA_ACCESS_READ | DMA_ACCESS_WRITE)
#define PTE_PS	     BIT_ULL(7)
#define GCMD_PERSIST (DMA_GCMD_TE | DMA_GCMD_QIE | DMA_GCMD_IRE | DMA_GCMD_CFI)
#define GSTS_FIELDS                                                                                \
	(DMA_GSTS_TES | DMA_GSTS_RTPS | DMA_GSTS_QIES | DMA_GSTS_IRES | DMA_GSTS_IRTPS |           \
	 DMA_GSTS_CFIS)
#define FSTS_CAUSES    (DMA_FSTS_PFO | DMA_FSTS_PPF | DMA_FSTS_IQE | DMA_FSTS_ICE | DMA_FSTS_ITE)
#define FRCD_HI_FIELDS (DMA_FRCD_F | DMA_FRCD_T | 0xffull << DMA_FRCD_FR_SHIFT | DMA_FRCD_SID_MASK)

static const uint16_t ep_rid[NEPS] = {0x0008, 0x0010, 0x0100};
/* --- the fixture ------------------------------------------------------------- */

struct didinfo {
	uint16_t did;
	bool has_key;
	uint64_t key;		/* slptptr | levels of its contexts */
	uint64_t conflict, dsi; /* seq of the last change of tables / DSI */
};

struct named {
	int32_t did; /* -1: every attached domain */
	uint64_t first, last;
};

struct fx {
	struct fz_mem m;
	struct vtd *v;
	struct iommu *io;
	struct dma_as as[NEPS];
	struct fz_unit_msi msi;
	struct consumer c[NEPS];
	struct iommu_notifier n[NEPS];
	bool cm;
	unsigned aw;
	unsigned long budget;
	uint64_t cap, ecap;
	uint64_t rtaddr; /* RTADDR as the last SRTP latched it */
	unsigned qtail;	 /* the next descriptor slot the builder writes */
	/* What may be cached stale: event sequence numbers. */
	uint64_t seq;
	uint64_t page_seq[FZ_PAGES]; /* the last write of each RAM page */
	uint64_t srtp_seq, ctx_sync, tlb_sync;
	struct didinfo dids[NDID];
	unsigned ndids;
	uint64_t did_overflow;
	bool unknown;	/* the queue rewrote itself: no strict checks any more */
	bool iqa_moved; /* IQA written since the queue was enabled */
	/* what the current operation invalidated */
	struct named named[NNAMED];
	unsigned nnamed;
	bool named_lost, tainted;
};

static struct ivl la[MAXL], lb[MAXL];

static bool trace; /* FUZZ_VTD_TRACE=1: each operation on stderr */

/* How often the deeper checks ran (FUZZ_VTD_STATS=1 prints them at exit). */
static struct {
	unsigned long dma, strict_dma, strict_fault, named, cm_compared, snap;
} stats;

static void stats_print(void)
{
	fprintf(stderr,
		"fuzz_vtd: %lu DMAs, %lu checked against the tables (%lu faults), %lu "
		"invalidation checks, %lu caching-mode comparisons, %lu exactness checks\n",
		stats.dma, stats.strict_dma, stats.strict_fault, stats.named, stats.cm_compared,
		stats.snap);
}

static uint64_t amask(const struct fx *f)
{
	return GENMASK_ULL(f->aw - 1, 12);
}

static void mem_put(struct fx *f, uint64_t a, uint64_t val)
{
	if (!fz_in_ram(a, 8))
		return;
	memcpy(f->m.buf + a, &val, 8);
	f->page_seq[a >> 12] = ++f->seq;
}

static bool te_on(struct fx *f)
{
	return reg_raw(f->v, DMAR_GSTS_REG, 4) & DMA_GSTS_TES;
}

static bool qi_on(struct fx *f)
{
	return reg_raw(f->v, DMAR_GSTS_REG, 4) & DMA_GSTS_QIES;
}

static struct didinfo *did_get(struct fx *f, uint16_t did, bool add)
{
	for (unsigned i = 0; i < f->ndids; i++)
		if (f->dids[i].did == did)
			return &f->dids[i];
	if (!add)
		return NULL;
	if (f->ndids == NDID) {
		f->did_overflow = ++f->seq;
		return NULL;
	}
	f->dids[f->ndids] = (struct didinfo){.did = did};
	return &f->dids[f->ndids++];
}

static void name(struct fx *f, int32_t did, uint64_t first, uint64_t last)
{
	if (f->nnamed == NNAMED)
		f->named_lost = true;
	else
		f->named[f->nnamed++] = (struct named){did, first, last};
}

#endif /* TESTS_FUZZ_VTD_DMAR_FX_H */
