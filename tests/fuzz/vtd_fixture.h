/* SPDX-License-Identifier: MIT */
/* What the VT-d fuzz targets (fuzz_vtd.c, fuzz_vtd_ir.c) share: a small
 * guest RAM of two adjacent regions with fixed places for the guest's
 * structures, a fake sink for the unit's own interrupts that checks each
 * message against the event registers, MMIO accessors, and the invalidation
 * queue's doorbell with its drain. Helpers are static inline so that a
 * target may leave some unused.
 *
 * RAM: [0, 256 KiB) and [256 KiB, 384 KiB), adjacent (a run of pages may
 * not cross them: caching mode maps one region at a time). Pages 0..31 start
 * zeroed and hold the structures below; pages 32..95 are data, each 64-bit
 * word holding its own GPA xor FZ_PATTERN, so that a DMA read shows which
 * GPA it reached. */
#ifndef TESTS_FUZZ_VTD_FIXTURE_H
#define TESTS_FUZZ_VTD_FIXTURE_H

#include "devices/vtd/vtd_internal.h"
#include "iommu/dma.h"
#include "tests/fuzz/fuzz.h"

#define FZ_R0_SIZE  0x40000ull /* region 0: [0, 256 KiB) */
#define FZ_R1_BASE  0x40000ull /* region 1: [256 KiB, 384 KiB) */
#define FZ_R1_SIZE  0x20000ull
#define FZ_RAM_END  0x60000ull
#define FZ_PAGES    (FZ_RAM_END >> 12)
#define FZ_ROOT	    0x0000ull			    /* root table */
#define FZ_CTX(bus) (0x1000ull + 0x1000ull * (bus)) /* context tables of buses 0, 1 */
#define FZ_QUEUE    0x3000ull			    /* invalidation queue: 256 descriptors */
#define FZ_STATUS   0x4000ull			    /* wait descriptors' status words */
#define FZ_IRT	    0x8000ull			    /* fuzz_vtd_ir: the IRT, 8 pages (512) */
#define FZ_POOL(k)  (0x8000ull + 0x1000ull * (k))   /* fuzz_vtd: 16 page-table pages */
#define FZ_DATA	    0x20000ull			    /* data pages 32..95 */
#define FZ_PATTERN  0x5a5a000000000000ull
#define FZ_QI_RINGS 512 /* doorbells a drain rings at most */
/* The core's IOTLB: 64 entries, more than an input's DMAs reach, so that a
 * reset's flush (every set, per endpoint) costs little; the VMM has 1024. */
#define FZ_IOTLB_SETS 16

struct fz_mem {
	struct guest_mem mem;
	uint8_t *buf; /* both regions, FZ_RAM_END bytes */
};

/* A fresh RAM: structures zeroed, data pages patterned. One buffer serves
 * every input (a fresh allocation each time costs page faults). */
static inline void fz_mem_init(struct fz_mem *m)
{
	static uint8_t pristine[FZ_RAM_END], ram[FZ_RAM_END];
	static bool ready;

	if (!ready) {
		for (uint64_t a = FZ_DATA; a < FZ_RAM_END; a += 8) {
			uint64_t v = a ^ FZ_PATTERN;

			memcpy(pristine + a, &v, 8);
		}
		ready = true;
	}
	memcpy(ram, pristine, FZ_RAM_END);
	m->buf = ram;
	m->mem = (struct guest_mem){0};
	m->mem.r[0] = (struct mem_region){gpa(0), FZ_R0_SIZE, m->buf};
	m->mem.r[1] = (struct mem_region){gpa(FZ_R1_BASE), FZ_R1_SIZE, m->buf + FZ_R1_BASE};
	m->mem.nr = 2;
	m->mem.ram_size = FZ_RAM_END;
}

static inline void fz_mem_free(struct fz_mem *m)
{
	m->buf = NULL;
}

/* [a, a + len) is RAM (possibly across the two adjacent regions). */
static inline bool fz_in_ram(uint64_t a, uint64_t len)
{
	return a < FZ_RAM_END && len <= FZ_RAM_END - a;
}

static inline uint64_t fz_get64(const struct fz_mem *m, uint64_t a)
{
	uint64_t v = 0;

	if (fz_in_ram(a, 8))
		memcpy(&v, m->buf + a, 8);
	return v;
}

/* The unit's own interrupts (fault and invalidation events): each must be
 * the message that FEADDR/FEDATA or IEADDR/IEDATA hold (the unit calls this
 * with its lock held, so its registers are read directly). */
struct fz_unit_msi {
	struct vtd *v;
	unsigned fault_sent, inv_sent;
};

static inline int fz_unit_msi_send(void *opaque, const struct msi_msg *m, uint16_t rid)
{
	struct fz_unit_msi *u = opaque;
	struct vtd *v = u->v;
	uint64_t fe = vtd_reg_get(v, DMAR_FEADDR_REG) | vtd_reg_get(v, DMAR_FEUADDR_REG) << 32;
	uint64_t ie = vtd_reg_get(v, DMAR_IEADDR_REG) | vtd_reg_get(v, DMAR_IEUADDR_REG) << 32;
	bool is_fe = m->addr == fe && m->data == (uint32_t)vtd_reg_get(v, DMAR_FEDATA_REG);
	bool is_ie = m->addr == ie && m->data == (uint32_t)vtd_reg_get(v, DMAR_IEDATA_REG);

	(void)rid;
	FUZZ_CHECK(is_fe || is_ie,
		   "unit interrupt 0x%llx/0x%x is neither the fault nor the "
		   "invalidation event's message",
		   (unsigned long long)m->addr, m->data);
	if (is_fe)
		u->fault_sent++;
	else
		u->inv_sent++;
	return 0;
}

static inline uint64_t fz_rd(struct vtd *v, unsigned off, unsigned size)
{
	return vtd_mmio_ops.read(v, off, size);
}

static inline void fz_wr(struct vtd *v, unsigned off, unsigned size, uint64_t val)
{
	vtd_mmio_ops.write(v, off, size, val);
}

/* Descriptors in the queue IQA names (128-bit descriptors). */
static inline unsigned fz_qi_size(struct vtd *v)
{
	return 256u << (fz_rd(v, DMAR_IQA_REG, 8) & DMA_IQA_QS);
}

/* After a doorbell: ring again (IQT written with its own value) while the
 * head moves and neither reaches the tail nor stops at an error, at most
 * FZ_QI_RINGS times, so that a queue whose doorbell does only part of the
 * work resumes where it stopped. wr is the caller's write path (it may
 * check every write). Returns false when a doorbell left the head where it
 * was, short of the tail, with the queue on and no error (a stall). */
static inline bool fz_qi_drain(struct vtd *v, void (*wr)(void *opaque, uint64_t iqt), void *opaque)
{
	uint64_t prev = ~0ull;

	for (unsigned n = 0; n <= FZ_QI_RINGS; n++) {
		uint64_t head = fz_rd(v, DMAR_IQH_REG, 8), tail = fz_rd(v, DMAR_IQT_REG, 8);

		if (!(fz_rd(v, DMAR_GSTS_REG, 4) & DMA_GSTS_QIES) ||
		    (fz_rd(v, DMAR_FSTS_REG, 4) & DMA_FSTS_IQE) || head == tail ||
		    (fz_rd(v, DMAR_IQA_REG, 8) & DMA_IQA_DW) || (tail >> 4) >= fz_qi_size(v))
			return true;
		if (head == prev)
			return false;
		if (n == FZ_QI_RINGS)
			return true; /* gave up: still moving */
		prev = head;
		wr(opaque, tail);
	}
	return true;
}

#endif /* TESTS_FUZZ_VTD_FIXTURE_H */
