/* SPDX-License-Identifier: MIT */
/* Intel VT-d (rev. 4) as a driver sees it: register offsets and fields,
 * root, context and second-level entries, invalidation descriptors and the
 * interrupt-remapping formats. No kernel UAPI header defines these; the
 * names follow Linux's drivers/iommu/intel/iommu.h. The VMM's
 * devices/vtd/regs.h holds the same register names for the model; guest
 * code cannot include it (it needs the VMM's vmm/types.h, whose iova_t is a
 * struct), so this is the guest's own copy, extended with what a driver
 * writes into memory. */
#ifndef GT_VTD_REGS_H
#define GT_VTD_REGS_H

#include "io.h"

#define DMAR_VER_REG	 0x00
#define DMAR_CAP_REG	 0x08
#define DMAR_ECAP_REG	 0x10
#define DMAR_GCMD_REG	 0x18
#define DMAR_GSTS_REG	 0x1c
#define DMAR_RTADDR_REG	 0x20
#define DMAR_CCMD_REG	 0x28
#define DMAR_FSTS_REG	 0x34
#define DMAR_FECTL_REG	 0x38
#define DMAR_FEDATA_REG	 0x3c
#define DMAR_FEADDR_REG	 0x40
#define DMAR_FEUADDR_REG 0x44
#define DMAR_IQH_REG	 0x80
#define DMAR_IQT_REG	 0x88
#define DMAR_IQA_REG	 0x90
#define DMAR_ICS_REG	 0x9c
#define DMAR_IECTL_REG	 0xa0
#define DMAR_IQER_REG	 0xb0
#define DMAR_IRTA_REG	 0xb8

/* CAP */
#define VTD_CAP_ND(c)	 ((unsigned)(c)&7)
#define VTD_CAP_CM	 BIT_ULL(7)
#define VTD_CAP_SAGAW(c) ((unsigned)((c) >> 8) & 0x1f)	 /* bit 1: 39-bit, bit 2: 48-bit */
#define VTD_CAP_MGAW(c)	 ((unsigned)((c) >> 16) & 0x3f)	 /* MGAW - 1 */
#define VTD_CAP_FRO(c)	 ((unsigned)((c) >> 24) & 0x3ff) /* in 16-byte units */
#define VTD_CAP_SLLPS(c) ((unsigned)((c) >> 34) & 0xf)	 /* bit 0: 2 MiB, bit 1: 1 GiB */
#define VTD_CAP_PSI	 BIT_ULL(39)
#define VTD_CAP_NFR(c)	 ((unsigned)((c) >> 40) & 0xff) /* NFR - 1 */
#define VTD_CAP_MAMV(c)	 ((unsigned)((c) >> 48) & 0x3f)
#define VTD_SAGAW_39	 BIT(1)
#define VTD_SAGAW_48	 BIT(2)

/* ECAP */
#define VTD_ECAP_QI	BIT_ULL(1)
#define VTD_ECAP_IR	BIT_ULL(3)
#define VTD_ECAP_EIM	BIT_ULL(4)
#define VTD_ECAP_PT	BIT_ULL(6)
#define VTD_ECAP_IRO(e) ((unsigned)((e) >> 8) & 0x3ff) /* in 16-byte units */
#define VTD_ECAP_SMTS	BIT_ULL(43)

/* GCMD / GSTS */
#define DMA_GCMD_TE    BIT(31)
#define DMA_GCMD_SRTP  BIT(30)
#define DMA_GCMD_QIE   BIT(26)
#define DMA_GCMD_IRE   BIT(25)
#define DMA_GCMD_SIRTP BIT(24)
#define DMA_GCMD_CFI   BIT(23)
/* GSTS bits that report a one-shot command (never written back). */
#define DMA_GSTS_ONESHOT (BIT(30) | BIT(29) | BIT(27) | BIT(24))

/* CCMD */
#define DMA_CCMD_ICC	     BIT_ULL(63)
#define DMA_CCMD_GLOBAL_INVL (1ull << 61)
#define DMA_CCMD_DOMAIN_INVL (2ull << 61)
#define DMA_CCMD_DID(d)	     ((uint64_t)(d))

/* IOTLB (at ECAP.IRO * 16 + 8) and IVA (at ECAP.IRO * 16) */
#define DMA_TLB_IVT	     BIT_ULL(63)
#define DMA_TLB_GLOBAL_FLUSH (1ull << 60)
#define DMA_TLB_DSI_FLUSH    (2ull << 60)
#define DMA_TLB_PSI_FLUSH    (3ull << 60)
#define DMA_TLB_DID(d)	     ((uint64_t)(d) << 32)

/* FSTS, FECTL */
#define DMA_FSTS_PFO	BIT(0)
#define DMA_FSTS_PPF	BIT(1)
#define DMA_FSTS_IQE	BIT(4)
#define DMA_FSTS_FRI(s) (((s) >> 8) & 0xff)
#define DMA_FECTL_IM	BIT(31)
#define DMA_ICS_IWC	BIT(0)

/* A fault recording register: the upper 64 bits. */
#define DMA_FRCD_F	BIT_ULL(63)
#define DMA_FRCD_T	BIT_ULL(62) /* 1: read request */
#define DMA_FRCD_FR(h)	((unsigned)((h) >> 32) & 0xff)
#define DMA_FRCD_SID(h) ((uint16_t)(h))
#define VTD_FRCD_LEN	16

/* Fault reasons (VT-d ch. 7; Linux's fault reason tables). */
#define VTD_FR_ROOT_NP	   0x1
#define VTD_FR_CTX_NP	   0x2
#define VTD_FR_CTX_INV	   0x3
#define VTD_FR_BEYOND_AGAW 0x4
#define VTD_FR_WRITE	   0x5
#define VTD_FR_READ	   0x6
#define VTD_FR_PTE_RSVD	   0xc
#define VTD_FR_IR_INDEX	   0x21 /* index beyond the table's size */
#define VTD_FR_IR_NP	   0x22 /* IRTE not present */
#define VTD_FR_IR_COMPAT   0x25 /* compatibility format blocked (CFI clear) */
#define VTD_FR_IR_SID	   0x26 /* source-id verification failed */

/* IQA, IQT */
#define DMA_IQA_QS_4K 0 /* 256 descriptors of 128 bits */
#define VTD_QI_LEN    256
#define DMA_IQT_SHIFT 4

/* Root and context entries (legacy mode), 128 bits each. */
#define VTD_ROOT_P	    BIT_ULL(0)
#define VTD_CTX_P	    BIT_ULL(0)
#define VTD_CTX_FPD	    BIT_ULL(1)
#define VTD_CTX_TT(t)	    ((uint64_t)(t) << 2)
#define VTD_TT_MULTI_LEVEL  0
#define VTD_TT_PASS_THROUGH 2
#define VTD_TT_RESERVED	    3
#define VTD_CTX_AW(levels)  ((uint64_t)(levels)-2) /* 1: 3 levels, 2: 4 levels */
#define VTD_CTX_DID(d)	    ((uint64_t)(d) << 8)

/* Second-level paging entries. */
#define VTD_PTE_R    BIT_ULL(0)
#define VTD_PTE_W    BIT_ULL(1)
#define VTD_PTE_PS   BIT_ULL(7)
#define VTD_PTE_ADDR 0x000ffffffffff000ull

/* Invalidation descriptors, 128 bits (VT-d ch. 6). */
#define QI_CC_TYPE	0x1
#define QI_IOTLB_TYPE	0x2
#define QI_IEC_TYPE	0x4
#define QI_IWD_TYPE	0x5
#define QI_GRAN(g)	((uint64_t)(g) << 4) /* 1 global, 2 domain, 3 device/page */
#define QI_DID(d)	((uint64_t)(d) << 16)
#define QI_IOTLB_DR	BIT_ULL(7)
#define QI_IOTLB_DW	BIT_ULL(6)
#define QI_IOTLB_AM(am) ((uint64_t)(am))
#define QI_IEC_INDEX	BIT_ULL(4) /* index-selective (IM 0: one entry) */
#define QI_IEC_IIDX(i)	((uint64_t)(i) << 32)
#define QI_IWD_IF	BIT_ULL(4)
#define QI_IWD_SW	BIT_ULL(5)
#define QI_IWD_FN	BIT_ULL(6)
#define QI_IWD_DATA(d)	((uint64_t)(d) << 32)

/* Interrupt remapping (VT-d ch. 5 and 9). */
#define DMA_IRTA_EIME	     BIT_ULL(11)
#define IRTE_P		     BIT_ULL(0)
#define IRTE_FPD	     BIT_ULL(1)
#define IRTE_VECTOR(v)	     ((uint64_t)(v) << 16)
#define IRTE_DEST_XAPIC(id)  ((uint64_t)(id) << 40)
#define IRTE_DEST_X2APIC(id) ((uint64_t)(id) << 32)
#define IRTE_SVT_SID	     (1ull << 18) /* verify the full source-id (SQ 0) */
/* Remappable MSI address: handle[14:0] at 19:5, format bit 4, handle[15]
 * at 2. IOAPIC RTE: handle[14:0] at 63:49, format bit 48, handle[15] at 11. */
#define MSI_ADDR_IR_HANDLE(h) (((uint32_t)(h)&0x7fff) << 5 | ((uint32_t)(h) >> 15 & 1) << 2)
#define MSI_ADDR_IR_FORMAT    BIT(4)
#define RTE_IR_HANDLE(h)      (((uint64_t)(h)&0x7fff) << 49 | ((uint64_t)(h) >> 15 & 1) << 11)
#define RTE_IR_FORMAT	      BIT_ULL(48)

/* DMAR table (VT-d 8.1). */
#define DMAR_INTR_REMAP	     BIT(0)
#define DMAR_X2APIC_OPT_OUT  BIT(1)
#define DMAR_TYPE_DRHD	     0
#define DRHD_INCLUDE_PCI_ALL BIT(0)
#define DMAR_SCOPE_ENDPOINT  1
#define DMAR_SCOPE_IOAPIC    3

#endif
