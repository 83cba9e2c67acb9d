/* SPDX-License-Identifier: MIT */
/* A PCI device compatible with QEMU's "edu" (QEMU docs/specs/edu.rst,
 * hw/misc/edu.c): 1234:11e8, class 0x00ff00, revision 0x10, one 1 MiB
 * memory BAR of registers, a factorial unit, an interrupt status register
 * raised by software, the factorial or the DMA engine, and a DMA engine that
 * copies between guest memory and a 4 KiB buffer at 0x40000 of its DMA
 * space.
 *
 * Interrupts: MSI (one vector) while the guest has enabled it, else INTx
 * (INTA), as QEMU's edu does. DMA: only through the function's DMA address
 * space (pci.dma), so behind an IOMMU the addresses are IOVAs; RAM-side
 * addresses are masked to dma_mask (28 bits by default, as QEMU's dma_mask
 * property). The factorial and the DMA run synchronously on the vCPU that
 * writes the register (QEMU uses a thread and a 100 ms timer): a guest never
 * sees the busy bits set. Departures from QEMU are listed in devices/edu.c.
 *
 * Locking: lock serialises the registers and the buffer; it is taken before
 * the PCI function's own lock (pci_set_intx, msi_notify, pci_config_get). */
#ifndef DEVICES_EDU_H
#define DEVICES_EDU_H

#include <pthread.h>

#include "devices/pci/pci.h"

#define EDU_VENDOR_ID	  0x1234   /* QEMU's vendor ID for its own devices */
#define EDU_DEVICE_ID	  0x11e8   /* edu */
#define EDU_CLASS	  0x00ff00 /* PCI_CLASS_OTHERS, as QEMU */
#define EDU_REVISION	  0x10
#define EDU_SUBSYS_VENDOR 0x1af4 /* QEMU's default subsystem: Red Hat / Qumranet */
#define EDU_SUBSYS	  0x1100 /* ... "QEMU" */
#define EDU_BAR		  0	 /* the register BAR */
#define EDU_BAR_SIZE	  MiB(1)

/* Registers: offsets into BAR 0. Below 0x80 only 4-byte accesses work,
 * from 0x80 4- and 8-byte ones (QEMU's rule). */
#define EDU_REG_IDENT	   0x00 /* RO: 0xRRrr00ed, major.minor version */
#define EDU_REG_LIVENESS   0x04 /* RW: reads the inverse of what was written */
#define EDU_REG_FACT	   0x08 /* RW: a write computes n! (mod 2^32) into it */
#define EDU_REG_STATUS	   0x20 /* RW: EDU_STATUS_* */
#define EDU_REG_IRQ_STATUS 0x24 /* RO: what raised the interrupt */
#define EDU_REG_IRQ_RAISE  0x60 /* WO: OR into the interrupt status, interrupt */
#define EDU_REG_IRQ_ACK	   0x64 /* WO: clear bits of the interrupt status */
#define EDU_REG_DMA_SRC	   0x80 /* RW, 64-bit: DMA source address */
#define EDU_REG_DMA_DST	   0x88 /* RW, 64-bit: DMA destination address */
#define EDU_REG_DMA_CNT	   0x90 /* RW, 64-bit: DMA byte count */
#define EDU_REG_DMA_CMD	   0x98 /* RW, 64-bit: EDU_DMA_* */
#define EDU_REG_WIDE	   0x80 /* first register that takes 8-byte accesses */

#define EDU_IDENT 0x010000edu /* version 1.0 */

#define EDU_STATUS_COMPUTING BIT(0) /* factorial running (RO; never seen set here) */
#define EDU_STATUS_IRQFACT   BIT(7) /* raise EDU_IRQ_FACT when a factorial is done */

#define EDU_IRQ_FACT 0x00000001u /* interrupt status bit: factorial done */
#define EDU_IRQ_DMA  0x00000100u /* interrupt status bit: DMA done */

#define EDU_DMA_RUN    BIT(0) /* start; reads 1 while running (never, here) */
#define EDU_DMA_TO_RAM BIT(1) /* direction: 0 RAM -> buffer, 1 buffer -> RAM */
#define EDU_DMA_IRQ    BIT(2) /* raise EDU_IRQ_DMA when done */

#define EDU_BUF_ADDR	     0x40000u /* the buffer in the device's DMA space */
#define EDU_BUF_SIZE	     4096u
#define EDU_DMA_MASK_DEFAULT (BIT_ULL(28) - 1) /* QEMU's dma_mask default */

struct edu_params {
	uint64_t dma_mask; /* RAM-side addresses are ANDed with it; 0: the default */
};

struct edu {
	struct pci_dev pci;
	pthread_mutex_t lock; /* everything below */
	uint64_t dma_mask;
	uint32_t liveness;   /* EDU_REG_LIVENESS: ~ the last write */
	uint32_t fact;	     /* EDU_REG_FACT */
	uint32_t status;     /* EDU_REG_STATUS */
	uint32_t irq_status; /* EDU_REG_IRQ_STATUS */
	uint64_t dma_src, dma_dst, dma_cnt, dma_cmd;
	uint64_t dma_faults; /* DMA pieces refused (statistics, tests) */
	uint8_t buf[EDU_BUF_SIZE];
};

/* A new edu function (identity, BAR 0, the MSI capability with one vector,
 * INTA), not yet on a bus: the caller plugs e->pci with pci_bus_add(), which
 * gives it its DMA address space. p may be NULL (defaults). 0, -ENOMEM, or
 * -errno from the PCI core. */
int edu_new(const struct edu_params *p, struct edu **out) __must_check;

/* Release e (after its bus is gone and nothing translates through its DMA
 * space any more). NULL is fine. */
void edu_free(struct edu *e);

/* Set bits in the interrupt status and signal it: the MSI vector when the
 * guest has enabled MSI (lost while bus mastering is off, as in QEMU), else
 * INTx asserted while the status is nonzero. e->lock held. */
void edu_irq_raise(struct edu *e, uint32_t bits);

/* Clear bits in the interrupt status; INTx is deasserted when it becomes
 * 0. e->lock held. */
void edu_irq_lower(struct edu *e, uint32_t bits);

/* n! modulo 2^32, what QEMU's loop computes, in at most 33 steps (34! and
 * above are multiples of 2^32). */
uint32_t edu_factorial(uint32_t n);

/* Run the DMA command in e->dma_cmd (EDU_DMA_RUN set) now: check the
 * buffer-side range, mask the RAM-side address, copy through e->pci.dma,
 * clear EDU_DMA_RUN and raise EDU_IRQ_DMA when EDU_DMA_IRQ asks. A range
 * outside the buffer copies nothing (logged once). A refused RAM read
 * (fault, bus mastering off) leaves zeros in the buffer for the refused
 * pages, as QEMU reads unassigned memory; a refused RAM write writes nothing.
 * e->lock held (devices/edu_dma.c). */
void edu_dma_run(struct edu *e);

#endif
