// SPDX-License-Identifier: MIT
/* VT-d: the register file as data. Each register has an offset, a size, a
 * reset value, a writable mask and a write-1-to-clear mask; a guest write
 * changes only what the masks allow, and mmio.c adds the side effects. */
#include <pthread.h>
#include <string.h>

#include "devices/vtd/vtd_internal.h"

struct vtd_reg {
	uint16_t off;
	uint8_t size;
	uint64_t reset, wmask, w1c;
};

#define FRCD(i)                                                                                    \
	{DMAR_FRCD_REG + 16 * (i), 8, 0, 0, 0},                                                    \
	{                                                                                          \
		DMAR_FRCD_REG + 16 * (i) + 8, 8, 0, 0, DMA_FRCD_F                                  \
	}

/* CAP and ECAP get their values at reset from v->cap and v->ecap. */
static const struct vtd_reg regs[] = {
	{DMAR_VER_REG, 4, VTD_VER_1_0, 0, 0},
	{DMAR_CAP_REG, 8, 0, 0, 0},
	{DMAR_ECAP_REG, 8, 0, 0, 0},
	{DMAR_GCMD_REG, 4, 0, 0, 0}, /* write-only: the value goes to mmio.c */
	{DMAR_GSTS_REG, 4, 0, 0, 0},
	{DMAR_RTADDR_REG, 8, 0, DMA_RTADDR_ADDR, 0},
	{DMAR_CCMD_REG, 8, 0, DMA_CCMD_ICC | GENMASK_ULL(62, 61) | GENMASK_ULL(33, 0), 0},
	{DMAR_FSTS_REG, 4, 0, 0, DMA_FSTS_PFO | DMA_FSTS_IQE | DMA_FSTS_ICE | DMA_FSTS_ITE},
	{DMAR_FECTL_REG, 4, DMA_FECTL_IM, DMA_FECTL_IM, 0},
	{DMAR_FEDATA_REG, 4, 0, 0xffffffff, 0},
	{DMAR_FEADDR_REG, 4, 0, 0xfffffffc, 0},
	{DMAR_FEUADDR_REG, 4, 0, 0xffffffff, 0},
	{DMAR_AFLOG_REG, 8, 0, 0, 0},
	{DMAR_PMEN_REG, 4, 0, 0, 0},
	{DMAR_PLMBASE_REG, 4, 0, 0, 0},
	{DMAR_PLMLIMIT_REG, 4, 0, 0, 0},
	{DMAR_PHMBASE_REG, 8, 0, 0, 0},
	{DMAR_PHMLIMIT_REG, 8, 0, 0, 0},
	{DMAR_IQH_REG, 8, 0, 0, 0},
	{DMAR_IQT_REG, 8, 0, GENMASK_ULL(18, 4), 0},
	{DMAR_IQA_REG, 8, 0, DMA_IQA_ADDR | DMA_IQA_DW | DMA_IQA_QS, 0},
	{DMAR_ICS_REG, 4, 0, 0, DMA_ICS_IWC},
	{DMAR_IECTL_REG, 4, DMA_FECTL_IM, DMA_FECTL_IM, 0},
	{DMAR_IEDATA_REG, 4, 0, 0xffffffff, 0},
	{DMAR_IEADDR_REG, 4, 0, 0xfffffffc, 0},
	{DMAR_IEUADDR_REG, 4, 0, 0xffffffff, 0},
	{DMAR_IQER_REG, 8, 0, 0, 0},
	{DMAR_IRTA_REG, 8, 0, DMA_IRTA_ADDR | DMA_IRTA_EIME | DMA_IRTA_S, 0}, /* EIME: mmio.c */
	{DMAR_IVA_REG, 8, 0, DMA_IVA_ADDR | BIT_ULL(6) | DMA_IVA_AM, 0},
	{DMAR_IOTLB_REG, 8, 0, DMA_TLB_IVT | GENMASK_ULL(61, 60) | GENMASK_ULL(49, 32), 0},
	FRCD(0),
	FRCD(1),
	FRCD(2),
	FRCD(3),
};

_Static_assert(VTD_NR_FRCD == 4, "one FRCD() line per fault recording register");

/* Every register is 4-byte aligned and 4 or 8 bytes long, so each 4-byte
 * slot of the page below REGS_END belongs to at most one register:
 * slot_reg[off / 4] is its index in regs[] plus one (0: none). Built once,
 * from regs[], before the first lookup. */
#define REGS_END (DMAR_FRCD_REG + 16 * VTD_NR_FRCD)

static uint8_t slot_reg[REGS_END / 4];
static pthread_once_t slot_once = PTHREAD_ONCE_INIT;

_Static_assert(ARRAY_SIZE(regs) < 255, "slot_reg holds an index plus one");

static void slot_build(void)
{
	for (unsigned i = 0; i < ARRAY_SIZE(regs); i++)
		for (unsigned o = regs[i].off; o < regs[i].off + regs[i].size; o += 4)
			slot_reg[o / 4] = (uint8_t)(i + 1);
}

/* The register holding byte off, or NULL. */
static const struct vtd_reg *reg_find(unsigned off)
{
	unsigned i;

	if (off >= REGS_END)
		return NULL;
	pthread_once(&slot_once, slot_build);
	i = slot_reg[off / 4];
	return i ? &regs[i - 1] : NULL;
}

static uint64_t raw_get(const struct vtd *v, unsigned off, unsigned size)
{
	uint64_t val = 0;

	memcpy(&val, v->regs + off, size); /* x86: little-endian */
	return val;
}

static void raw_set(struct vtd *v, unsigned off, unsigned size, uint64_t val)
{
	memcpy(v->regs + off, &val, size);
}

void vtd_regs_reset(struct vtd *v)
{
	memset(v->regs, 0, sizeof(v->regs));
	for (unsigned i = 0; i < ARRAY_SIZE(regs); i++)
		raw_set(v, regs[i].off, regs[i].size, regs[i].reset);
	raw_set(v, DMAR_CAP_REG, 8, v->cap);
	raw_set(v, DMAR_ECAP_REG, 8, v->ecap);
}

unsigned vtd_reg_size(unsigned off)
{
	const struct vtd_reg *r = reg_find(off);

	return r && r->off == off ? r->size : 0;
}

uint64_t vtd_reg_get(const struct vtd *v, unsigned off)
{
	const struct vtd_reg *r = reg_find(off);

	return r ? raw_get(v, r->off, r->size) : 0;
}

void vtd_reg_set(struct vtd *v, unsigned off, uint64_t val)
{
	const struct vtd_reg *r = reg_find(off);

	if (r)
		raw_set(v, r->off, r->size, val);
}

void vtd_reg_mod(struct vtd *v, unsigned off, uint64_t clear, uint64_t set)
{
	vtd_reg_set(v, off, (vtd_reg_get(v, off) & ~clear) | set);
}

bool vtd_reg_write(struct vtd *v, unsigned off, unsigned size, uint64_t val, unsigned *base,
		   uint64_t *wval)
{
	const struct vtd_reg *r = reg_find(off);
	unsigned shift;
	uint64_t span, old, neu;

	if (!r || off + size > r->off + r->size)
		return false;
	shift = (off - r->off) * 8;
	span = (size == 8 ? ~0ull : (1ull << (size * 8)) - 1) << shift;
	val = (val << shift) & span;
	old = raw_get(v, r->off, r->size);
	neu = (old & ~(r->wmask & span)) | (val & r->wmask);
	neu &= ~(val & r->w1c);
	raw_set(v, r->off, r->size, neu);
	*base = r->off;
	*wval = val;
	return true;
}

uint64_t vtd_reg_read(const struct vtd *v, unsigned off, unsigned size)
{
	const struct vtd_reg *r = reg_find(off);

	if (!r || off + size > r->off + r->size)
		return 0;
	return raw_get(v, off, size);
}
