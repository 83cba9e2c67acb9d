/* SPDX-License-Identifier: MIT */
/* The register file of the emulated VT-d as the spec describes it (VT-d
 * 10.4), for tests/fuzz/fuzz_vtd.c: each register's offset, size, writable
 * mask and kind, a table from offset to register, and a raw read of the
 * unit's register page. */
#ifndef TESTS_FUZZ_VTD_REGS_H
#define TESTS_FUZZ_VTD_REGS_H

#include "tests/fuzz/vtd_fixture.h"

/* --- the registers, from the spec (VT-d 10.4) ---------------------------- */

enum reg_kind { RK_PLAIN, RK_RO, RK_OTHER };

struct reg {
	unsigned off, size;
	uint64_t wmask;
	enum reg_kind kind;
};

#define FRCD_REGS(i)                                                                               \
	{DMAR_FRCD_REG + 16 * (i), 8, 0, RK_RO},                                                   \
	{                                                                                          \
		DMAR_FRCD_REG + 16 * (i) + 8, 8, 0, RK_OTHER                                       \
	}

static const struct reg regs[] = {
	{DMAR_VER_REG, 4, 0, RK_RO},
	{DMAR_CAP_REG, 8, 0, RK_RO},
	{DMAR_ECAP_REG, 8, 0, RK_RO},
	{DMAR_GCMD_REG, 4, 0, RK_OTHER},
	{DMAR_GSTS_REG, 4, 0, RK_RO},
	{DMAR_RTADDR_REG, 8, GENMASK_ULL(63, 12), RK_PLAIN},
	{DMAR_CCMD_REG, 8, BIT_ULL(63) | GENMASK_ULL(62, 61) | GENMASK_ULL(33, 0), RK_OTHER},
	{DMAR_FSTS_REG, 4, 0, RK_OTHER},
	{DMAR_FECTL_REG, 4, DMA_FECTL_IM, RK_OTHER},
	{DMAR_FEDATA_REG, 4, 0xffffffff, RK_PLAIN},
	{DMAR_FEADDR_REG, 4, 0xfffffffc, RK_PLAIN},
	{DMAR_FEUADDR_REG, 4, 0xffffffff, RK_PLAIN},
	{DMAR_AFLOG_REG, 8, 0, RK_RO},
	{DMAR_PMEN_REG, 4, 0, RK_RO},
	{DMAR_PLMBASE_REG, 4, 0, RK_RO},
	{DMAR_PLMLIMIT_REG, 4, 0, RK_RO},
	{DMAR_PHMBASE_REG, 8, 0, RK_RO},
	{DMAR_PHMLIMIT_REG, 8, 0, RK_RO},
	{DMAR_IQH_REG, 8, 0, RK_OTHER},
	{DMAR_IQT_REG, 8, GENMASK_ULL(18, 4), RK_PLAIN},
	{DMAR_IQA_REG, 8, DMA_IQA_ADDR | DMA_IQA_DW | DMA_IQA_QS, RK_PLAIN},
	{DMAR_ICS_REG, 4, 0, RK_OTHER},
	{DMAR_IECTL_REG, 4, DMA_FECTL_IM, RK_OTHER},
	{DMAR_IEDATA_REG, 4, 0xffffffff, RK_PLAIN},
	{DMAR_IEADDR_REG, 4, 0xfffffffc, RK_PLAIN},
	{DMAR_IEUADDR_REG, 4, 0xffffffff, RK_PLAIN},
	{DMAR_IQER_REG, 8, 0, RK_RO},
	{DMAR_IRTA_REG, 8, DMA_IRTA_ADDR | DMA_IRTA_EIME | DMA_IRTA_S, RK_PLAIN},
	{DMAR_IVA_REG, 8, DMA_IVA_ADDR | BIT_ULL(6) | DMA_IVA_AM, RK_PLAIN},
	{DMAR_IOTLB_REG, 8, DMA_TLB_IVT | GENMASK_ULL(61, 60) | GENMASK_ULL(49, 32), RK_OTHER},
	FRCD_REGS(0),
	FRCD_REGS(1),
	FRCD_REGS(2),
	FRCD_REGS(3),
};

/* Registers are 4-byte aligned, 4 or 8 bytes long: slot_reg[off / 4] is
 * the index in regs[] plus one of the register holding byte off (0: none),
 * built by slots_build() at initialization. */
#define REGS_END (DMAR_FRCD_REG + 16 * VTD_NR_FRCD)
static uint8_t slot_reg[REGS_END / 4];

static void slots_build(void)
{
	for (unsigned i = 0; i < ARRAY_SIZE(regs); i++) {
		if ((regs[i].off | regs[i].size) & 3)
			abort();
		for (unsigned o = regs[i].off; o < regs[i].off + regs[i].size; o += 4)
			slot_reg[o / 4] = (uint8_t)(i + 1);
	}
}

static const struct reg *reg_at(unsigned off)
{
	unsigned i = off < REGS_END ? slot_reg[off / 4] : 0;

	return i ? &regs[i - 1] : NULL;
}

static uint64_t reg_raw(const struct vtd *v, unsigned off, unsigned size)
{
	uint64_t val = 0;

	memcpy(&val, v->regs + off, size);
	return val;
}

#endif /* TESTS_FUZZ_VTD_REGS_H */
