/* SPDX-License-Identifier: MIT */
/* QEMU's edu device (PCI 1234:11e8, QEMU's docs/specs/edu.rst): a DMA
 * engine for driver exercises. BAR 0 is 1 MiB of 32-bit registers (the DMA
 * ones are 64-bit wide and take 4- or 8-byte accesses); it has one MSI
 * vector (64-bit address, no per-vector masking) and INTx pin A.
 *
 * DMA moves up to 4 KiB between RAM and the device's own buffer, which
 * lies at EDU_BUF in the device's DMA address space: the guest writes the
 * source, the destination and the count, then the command; the transfer
 * happens about 100 ms later (a timer of the emulation) and clears
 * EDU_DMA_RUN. The device masks RAM addresses to 28 bits (EDU_DMA_MASK), so
 * IOVAs must lie below 256 MiB. QEMU 7.2 aborts the whole emulator
 * (hw_error) when the buffer side of a transfer leaves the buffer, and its
 * range check is off by one: a transfer that reaches the buffer's last byte
 * counts as leaving it (measured: 4096 bytes at EDU_BUF abort QEMU). So the
 * buffer side of a transfer must end before EDU_BUF + EDU_BUF_SIZE - 1
 * (EDU_DMA_MAX bytes at most), and this driver refuses any other transfer
 * before it starts. */
#ifndef GT_EDU_H
#define GT_EDU_H

#include <stdbool.h>
#include <stdint.h>

#include "pci.h"

#define EDU_VENDOR 0x1234
#define EDU_DEVICE 0x11e8

/* BAR 0 registers. */
#define EDU_IDENT	   0x00 /* 0xRRrr00ed: major, minor, 0xed */
#define EDU_IDENT_VALUE	   0x010000edu
#define EDU_LIVENESS	   0x04 /* reads the inverse of what was written */
#define EDU_FACT	   0x08 /* write n: computes n! (see EDU_STATUS) */
#define EDU_STATUS	   0x20
#define EDU_STATUS_BUSY	   0x01 /* computing the factorial */
#define EDU_STATUS_IRQFACT 0x80 /* raise EDU_IRQ_FACT when it is done */
#define EDU_IRQ_STATUS	   0x24 /* the reasons of the raised interrupt */
#define EDU_IRQ_RAISE	   0x60 /* write: OR into the status, interrupt */
#define EDU_IRQ_ACK	   0x64 /* write: clear these status bits */
#define EDU_DMA_SRC	   0x80
#define EDU_DMA_DST	   0x88
#define EDU_DMA_COUNT	   0x90
#define EDU_DMA_CMD	   0x98
#define EDU_DMA_RUN	   0x1 /* start; cleared when the transfer is done */
#define EDU_DMA_TO_RAM	   0x2 /* direction: 0 RAM -> device, 1 device -> RAM */
#define EDU_DMA_IRQ	   0x4 /* raise EDU_IRQ_DMA when done */

#define EDU_IRQ_FACT 0x001u
#define EDU_IRQ_DMA  0x100u

#define EDU_BUF	     0x40000u /* the device buffer, in its DMA space */
#define EDU_BUF_SIZE 4096u
#define EDU_DMA_MAX  (EDU_BUF_SIZE - 1) /* see above: QEMU 7.2's range check */
#define EDU_DMA_MASK 0x0fffffffull	/* RAM addresses it emits: 28 bits */
#define EDU_BAR_SIZE 0x100000ull

struct edu {
	struct pci_func pci;
	uint64_t bar; /* BAR 0's address (below 4 GiB) */
	uint64_t bar_size;
	bool placed; /* the platform left BAR 0 unassigned: placed here */
};

/* Find the instance-th edu on bus 0, size BAR 0, place it below 4 GiB if
 * the platform did not (qboot does not), and turn memory decoding on; bus
 * mastering is left as it was. 0, or -1 (no such function, no memory BAR
 * 0, or no room for it). */
int edu_open(struct edu *e, unsigned instance);

/* 32-bit register access (offsets below 0x80 take only 4-byte accesses). */
uint32_t edu_read(const struct edu *e, unsigned reg);
void edu_write(const struct edu *e, unsigned reg, uint32_t v);

/* Bus mastering (PCI_COMMAND_MASTER) on or off. */
void edu_bus_master(const struct edu *e, bool on);

/* Write v to the liveness register; true when it reads back ~v. */
bool edu_alive(const struct edu *e, uint32_t v);

/* n! by the device, polled; false when it is still busy after timeout_us. */
bool edu_factorial(const struct edu *e, uint32_t n, uint32_t *out, uint64_t timeout_us);

/* A transfer between RAM (ram: an IOVA, or a GPA without an IOMMU) and the
 * device buffer at EDU_BUF + buf_off, len bytes. irq: raise EDU_IRQ_DMA
 * when done. */
enum edu_dir { EDU_RAM_TO_DEV, EDU_DEV_TO_RAM };

#define EDU_E_RANGE   (-1) /* refused: past EDU_DMA_MAX of the buffer, or len 0 */
#define EDU_E_BUSY    (-2) /* a transfer is still running */
#define EDU_E_TIMEOUT (-3) /* started, still running after the wait */

/* Start a transfer: EDU_E_RANGE, EDU_E_BUSY, or 0. */
int edu_dma_start(const struct edu *e, enum edu_dir dir, uint64_t ram, uint32_t buf_off,
		  uint32_t len, bool irq);

/* Wait (polling EDU_DMA_CMD) until no transfer runs: true, or false after
 * timeout_us. */
bool edu_dma_wait(const struct edu *e, uint64_t timeout_us);

/* Start and wait: 0, or EDU_E_*. */
int edu_dma(const struct edu *e, enum edu_dir dir, uint64_t ram, uint32_t buf_off, uint32_t len,
	    bool irq, uint64_t timeout_us);

/* The DMA registers as the device shows them (source, destination, count,
 * command), for diagnostics. */
uint64_t edu_dma_reg(const struct edu *e, unsigned reg);

#endif
