/* SPDX-License-Identifier: MIT */
/* Intel VT-d (Virtualization Technology for Directed I/O, rev. 4) register
 * offsets and fields of the DMA-remapping unit, named after Linux's
 * drivers/iommu/intel/iommu.h (not a UAPI header, so defined here). */
#ifndef DEVICES_VTD_REGS_H
#define DEVICES_VTD_REGS_H

#include "vmm/types.h"

#define DMAR_VER_REG	  0x00	/* Architecture version supported (32) */
#define DMAR_CAP_REG	  0x08	/* Hardware supported capabilities (64) */
#define DMAR_ECAP_REG	  0x10	/* Extended capabilities supported (64) */
#define DMAR_GCMD_REG	  0x18	/* Global command (32) */
#define DMAR_GSTS_REG	  0x1c	/* Global status (32) */
#define DMAR_RTADDR_REG	  0x20	/* Root entry table (64) */
#define DMAR_CCMD_REG	  0x28	/* Context command (64) */
#define DMAR_FSTS_REG	  0x34	/* Fault status (32) */
#define DMAR_FECTL_REG	  0x38	/* Fault event control (32) */
#define DMAR_FEDATA_REG	  0x3c	/* Fault event interrupt data (32) */
#define DMAR_FEADDR_REG	  0x40	/* Fault event interrupt address (32) */
#define DMAR_FEUADDR_REG  0x44	/* Fault event upper address (32) */
#define DMAR_AFLOG_REG	  0x58	/* Advanced fault log (64) */
#define DMAR_PMEN_REG	  0x64	/* Protected memory enable (32) */
#define DMAR_PLMBASE_REG  0x68	/* PMRR low memory base (32) */
#define DMAR_PLMLIMIT_REG 0x6c	/* PMRR low memory limit (32) */
#define DMAR_PHMBASE_REG  0x70	/* PMRR high memory base (64) */
#define DMAR_PHMLIMIT_REG 0x78	/* PMRR high memory limit (64) */
#define DMAR_IQH_REG	  0x80	/* Invalidation queue head (64) */
#define DMAR_IQT_REG	  0x88	/* Invalidation queue tail (64) */
#define DMAR_IQA_REG	  0x90	/* Invalidation queue address (64) */
#define DMAR_ICS_REG	  0x9c	/* Invalidation completion status (32) */
#define DMAR_IECTL_REG	  0xa0	/* Invalidation event control (32) */
#define DMAR_IEDATA_REG	  0xa4	/* Invalidation event data (32) */
#define DMAR_IEADDR_REG	  0xa8	/* Invalidation event address (32) */
#define DMAR_IEUADDR_REG  0xac	/* Invalidation event upper address (32) */
#define DMAR_IQER_REG	  0xb0	/* Invalidation queue error record (64) */
#define DMAR_IRTA_REG	  0xb8	/* Interrupt remapping table address (64) */
#define DMAR_IVA_REG	  0xf0	/* Invalidate address (64); ECAP.IRO points here */
#define DMAR_IOTLB_REG	  0xf8	/* IOTLB invalidate (64) */
#define DMAR_FRCD_REG	  0x220 /* Fault recording registers, 16 bytes each */
#define VTD_NR_FRCD	  4	/* fault recording registers (CAP.NFR + 1) */

/* VER */
#define VTD_VER_1_0 0x10 /* major 1, minor 0 */

/* CAP */
#define VTD_CAP_ND_16BIT   6ull	       /* ND: 16-bit domain IDs */
#define VTD_CAP_SAGAW_39   BIT_ULL(9)  /* 3-level tables */
#define VTD_CAP_SAGAW_48   BIT_ULL(10) /* 4-level tables */
#define VTD_CAP_CM	   BIT_ULL(7)
#define VTD_CAP_MGAW_SHIFT 16
#define VTD_CAP_FRO_SHIFT  24
#define VTD_CAP_SLLPS_2M   BIT_ULL(34)
#define VTD_CAP_SLLPS_1G   BIT_ULL(35)
#define VTD_CAP_PSI	   BIT_ULL(39)
#define VTD_CAP_NFR_SHIFT  40
#define VTD_CAP_MAMV_SHIFT 48
#define VTD_MAMV	   18ull /* page-selective masks up to 2^18 pages (1 GiB) */

/* ECAP */
#define VTD_ECAP_QI	   BIT_ULL(1)
#define VTD_ECAP_IR	   BIT_ULL(3) /* interrupt remapping */
#define VTD_ECAP_EIM	   BIT_ULL(4) /* extended interrupt mode: 32-bit x2APIC IDs */
#define VTD_ECAP_PT	   BIT_ULL(6)
#define VTD_ECAP_IRO_SHIFT 8
#define VTD_ECAP_MHMV	   (15ull << 20)

/* GCMD and GSTS: the same bit positions */
#define DMA_GCMD_TE    BIT(31) /* translation enable */
#define DMA_GCMD_SRTP  BIT(30) /* set root table pointer */
#define DMA_GCMD_SFL   BIT(29) /* set fault log */
#define DMA_GCMD_EAFL  BIT(28) /* enable advanced fault logging */
#define DMA_GCMD_WBF   BIT(27) /* write buffer flush */
#define DMA_GCMD_QIE   BIT(26) /* queued invalidation enable */
#define DMA_GCMD_IRE   BIT(25) /* interrupt remapping enable */
#define DMA_GCMD_SIRTP BIT(24) /* set interrupt remap table pointer */
#define DMA_GCMD_CFI   BIT(23) /* compatibility format interrupt */
#define DMA_GSTS_TES   BIT(31)
#define DMA_GSTS_RTPS  BIT(30)
#define DMA_GSTS_QIES  BIT(26)
#define DMA_GSTS_IRES  BIT(25) /* interrupt remapping enabled */
#define DMA_GSTS_IRTPS BIT(24) /* interrupt remap table pointer latched */
#define DMA_GSTS_CFIS  BIT(23) /* compatibility format interrupts pass */

/* RTADDR */
#define DMA_RTADDR_TTM	GENMASK_ULL(11, 10) /* translation table mode */
#define DMA_RTADDR_ADDR GENMASK_ULL(63, 12)

/* CCMD */
#define DMA_CCMD_ICC	    BIT_ULL(63)
#define DMA_CCMD_CIRG_SHIFT 61
#define DMA_CCMD_CAIG_SHIFT 59
#define DMA_CCMD_GLOBAL	    1
#define DMA_CCMD_DOMAIN	    2
#define DMA_CCMD_DEVICE	    3
#define DMA_CCMD_FM_SHIFT   32
#define DMA_CCMD_SID_SHIFT  16

/* IOTLB and IVA */
#define DMA_TLB_IVT	   BIT_ULL(63)
#define DMA_TLB_IIRG_SHIFT 60
#define DMA_TLB_IAIG_SHIFT 57
#define DMA_TLB_GLOBAL	   1
#define DMA_TLB_DSI	   2
#define DMA_TLB_PSI	   3
#define DMA_TLB_DID_SHIFT  32
#define DMA_IVA_AM	   GENMASK_ULL(5, 0)
#define DMA_IVA_ADDR	   GENMASK_ULL(63, 12)

/* IRTA: table base, extended interrupt mode, size 2^(S+1) entries */
#define DMA_IRTA_ADDR GENMASK_ULL(63, 12)
#define DMA_IRTA_EIME BIT_ULL(11)
#define DMA_IRTA_S    GENMASK_ULL(3, 0)

/* FSTS */
#define DMA_FSTS_PFO	   BIT(0) /* primary fault overflow */
#define DMA_FSTS_PPF	   BIT(1) /* primary pending fault */
#define DMA_FSTS_IQE	   BIT(4) /* invalidation queue error */
#define DMA_FSTS_ICE	   BIT(5)
#define DMA_FSTS_ITE	   BIT(6)
#define DMA_FSTS_FRI_SHIFT 8

/* FECTL, IECTL */
#define DMA_FECTL_IM BIT(31) /* interrupt mask */
#define DMA_FECTL_IP BIT(30) /* interrupt pending */

/* ICS */
#define DMA_ICS_IWC BIT(0)

/* IQA */
#define DMA_IQA_ADDR GENMASK_ULL(63, 12)
#define DMA_IQA_DW   BIT_ULL(11)
#define DMA_IQA_QS   GENMASK_ULL(2, 0)

/* FRCD, the upper 64 bits */
#define DMA_FRCD_F	     BIT_ULL(63)
#define DMA_FRCD_T	     BIT_ULL(62) /* 1: read request */
#define DMA_FRCD_FR_SHIFT    32
#define DMA_FRCD_SID_MASK    0xffffull
#define DMA_FRCD_FI_IR_SHIFT 48 /* lower 64 bits: an IR fault's interrupt index */

/* Fault reasons (legacy mode, VT-d 7.1.3, Linux's dma_remap_fault_reasons) */
#define VTD_FR_ROOT_NP	   0x1 /* present bit in root entry is clear */
#define VTD_FR_CTX_NP	   0x2 /* present bit in context entry is clear */
#define VTD_FR_CTX_INV	   0x3 /* invalid context entry */
#define VTD_FR_BEYOND_AGAW 0x4 /* access beyond MGAW */
#define VTD_FR_WRITE	   0x5 /* PTE write access is not set */
#define VTD_FR_READ	   0x6 /* PTE read access is not set */
#define VTD_FR_PTE_PTR	   0x7 /* next page table pointer is invalid */
#define VTD_FR_ROOT_PTR	   0x8 /* root table address invalid */
#define VTD_FR_CTX_PTR	   0x9 /* context table pointer is invalid */
#define VTD_FR_ROOT_RSVD   0xa /* non-zero reserved fields in root entry */
#define VTD_FR_CTX_RSVD	   0xb /* non-zero reserved fields in context entry */
#define VTD_FR_PTE_RSVD	   0xc /* non-zero reserved fields in PTE */

/* Interrupt-remapping fault reasons (VT-d 7.1.3, Linux's
 * irq_remap_fault_reasons) */
#define VTD_FR_IR_REQ_RSVD  0x20 /* reserved field set in the interrupt request */
#define VTD_FR_IR_INDEX	    0x21 /* interrupt index beyond the table size */
#define VTD_FR_IR_NP	    0x22 /* present bit in the IRTE is clear */
#define VTD_FR_IR_TABLE	    0x23 /* the IRTE cannot be read (table not in RAM) */
#define VTD_FR_IR_IRTE_RSVD 0x24 /* non-zero reserved fields in a present IRTE */
#define VTD_FR_IR_COMPAT    0x25 /* compatibility-format interrupt blocked */
#define VTD_FR_IR_SID	    0x26 /* source-id verification failed */

/* Interrupt remapping table entry (VT-d 9.10), remapped format (IM = 0);
 * lower 64 bits */
#define VTD_IRTE_P	   BIT_ULL(0)
#define VTD_IRTE_FPD	   BIT_ULL(1)
#define VTD_IRTE_DM	   BIT_ULL(2) /* destination mode: 1 logical */
#define VTD_IRTE_RH	   BIT_ULL(3) /* redirection hint */
#define VTD_IRTE_TM	   BIT_ULL(4) /* trigger mode: 1 level */
#define VTD_IRTE_DLM_SHIFT 5	      /* bits 7:5 delivery mode */
#define VTD_IRTE_DLM	   GENMASK_ULL(7, 5)
#define VTD_IRTE_IM	   BIT_ULL(15) /* posted format: no ECAP.PI, reserved */
#define VTD_IRTE_V_SHIFT   16	       /* bits 23:16 vector */
#define VTD_IRTE_DST_SHIFT 32	       /* bits 63:32 destination */
#define VTD_IRTE_RSVD_LO   (GENMASK_ULL(14, 12) | VTD_IRTE_IM | GENMASK_ULL(31, 24))
#define VTD_IRTE_DST_XAPIC GENMASK_ULL(15, 8) /* of DST with EIME = 0; the rest reserved */
/* upper 64 bits */
#define VTD_IRTE_SID	   GENMASK_ULL(15, 0)
#define VTD_IRTE_SQ_SHIFT  16 /* bits 17:16 source-id qualifier */
#define VTD_IRTE_SVT_SHIFT 18 /* bits 19:18 source validation type */
#define VTD_IRTE_RSVD_HI   GENMASK_ULL(63, 20)
#define VTD_SVT_NONE	   0
#define VTD_SVT_SID	   1 /* requester id = SID, masked by SQ */
#define VTD_SVT_BUS	   2 /* requester bus in [SID 15:8, SID 7:0] */

/* A remappable-format interrupt request (VT-d 5.1.5.2): address */
#define VTD_MSI_ADDR_BASE     0xfee00000ull
#define VTD_MSI_ADDR_HEAD     GENMASK_ULL(63, 20) /* must be 0xfee */
#define VTD_MSI_ADDR_HANDLE   GENMASK_ULL(19, 5)  /* handle 14:0 */
#define VTD_MSI_ADDR_IF	      BIT_ULL(4)	  /* 1: remappable format */
#define VTD_MSI_ADDR_SHV      BIT_ULL(3)	  /* data 15:0 is a subhandle */
#define VTD_MSI_ADDR_HANDLE15 BIT_ULL(2)	  /* handle bit 15 */
#define VTD_MSI_DATA_RSVD     GENMASK(31, 16)
/* The remapped message (Intel SDM 11.11; KVM's 32-bit x2APIC IDs put
 * destination bits 31:8 in the upper address) */
#define VTD_MSI_DEST_SHIFT 12
#define VTD_MSI_RH	   BIT_ULL(3)
#define VTD_MSI_DM	   BIT_ULL(2)
#define VTD_MSI_DLM_SHIFT  8
#define VTD_MSI_ASSERT	   BIT(14)
#define VTD_MSI_LEVEL	   BIT(15)

#endif
