// SPDX-License-Identifier: MIT
/* The edu function (see edu.h): identity, the register file in BAR 0, the
 * factorial unit and the interrupt logic. The DMA engine is edu_dma.c.
 *
 * Where this device departs from QEMU's edu (QEMU 7.2 is the reference the
 * guest tests run against; each is also in guest-tests/lib/known.c):
 *  - The factorial and the DMA run synchronously on the vCPU that writes
 *    EDU_REG_FACT / EDU_REG_DMA_CMD (QEMU: a thread, and a timer 100 ms of
 *    virtual time later), so the busy bits (status bit 0, command bit 0)
 *    never read 1 and register writes are never refused for a running unit.
 *    The factorial stops after 33 steps (34! and above are 0 mod 2^32); the
 *    result is QEMU's.
 *  - A DMA range outside the 4 KiB buffer copies nothing, is logged once and
 *    completes (with its interrupt when asked). QEMU 7.2 stops the whole VM
 *    with hw_error, and also for a count of 0 or a range that ends at the
 *    buffer's last byte (an off-by-one fixed in QEMU 8.2.1); later QEMU logs
 *    it as a guest error instead and copies anyway, outside its buffer.
 *  - A DMA write to RAM that faults on any page writes nothing (QEMU writes
 *    the pages that translate). A DMA read from RAM fills the refused pages
 *    of the buffer with zeros, as QEMU does.
 *  - The MSI capability has per-vector masking (the PCI core's only kind);
 *    QEMU's edu has a 64-bit capability without it.
 *  - dma_mask is fixed at 28 bits on the command line (QEMU: -device
 *    edu,dma_mask=N).
 *  - The PCI core reads a conventional function's extended config space
 *    (ECAM 0x100-0xfff) as 0; QEMU as all ones.
 * Everything else follows QEMU: the register values and access rules
 * (including how QEMU's memory core splits and refuses accesses), INTx
 * versus MSI, deasserting INTx when the guest enables MSI, MSI and DMA lost
 * while bus mastering is off (refused reads give zeros), no reset hook. */
#include "devices/edu.h"

#include <errno.h>
#include <stdlib.h>

#include "vmm/log.h"

#define EDU_MIN_ACCESS 4  /* QEMU's valid.min_access_size */
#define EDU_MAX_ACCESS 8  /* QEMU's valid.max_access_size */
#define EDU_FACT_ZERO  34 /* 34! has 32 factors of two: n! mod 2^32 = 0 from here */

uint32_t edu_factorial(uint32_t n)
{
	uint32_t r = 1;

	if (n >= EDU_FACT_ZERO)
		return 0;
	while (n > 0)
		r *= n--;
	return r;
}

void edu_irq_raise(struct edu *e, uint32_t bits)
{
	bool master = pci_config_get(&e->pci, PCI_COMMAND, 2) & PCI_COMMAND_MASTER;

	e->irq_status |= bits;
	if (!e->irq_status)
		return;
	/* An MSI is a memory write: none without bus mastering (PCIe 6.0
	 * 7.5.1.1.3), and it is lost, as in QEMU. The PCI core does not gate
	 * msi_notify() on it, so the device does. */
	if (!master && msi_enabled(&e->pci)) {
		log_guest_once("edu: interrupt with MSI on and bus mastering off: dropped");
		return;
	}
	/* msi_notify decides atomically whether MSI is on; a masked vector
	 * is left pending by the PCI core. */
	if (msi_notify(&e->pci, 0) == -ENODEV)
		pci_set_intx(&e->pci, 1);
}

void edu_irq_lower(struct edu *e, uint32_t bits)
{
	e->irq_status &= ~bits;
	if (!e->irq_status)
		pci_set_intx(&e->pci, 0);
}

/* A register read of size 4 or 8 at an offset aligned to it. Lock held. */
static uint64_t reg_read(struct edu *e, uint64_t off, unsigned size)
{
	if (off < EDU_REG_WIDE && size != 4)
		return ~0ull;
	switch (off) {
	case EDU_REG_IDENT: return EDU_IDENT;
	case EDU_REG_LIVENESS: return e->liveness;
	case EDU_REG_FACT: return e->fact;
	case EDU_REG_STATUS: return e->status;
	case EDU_REG_IRQ_STATUS: return e->irq_status;
	case EDU_REG_DMA_SRC: return e->dma_src;
	case EDU_REG_DMA_DST: return e->dma_dst;
	case EDU_REG_DMA_CNT: return e->dma_cnt;
	case EDU_REG_DMA_CMD: return e->dma_cmd;
	}
	return ~0ull; /* write-only and unknown registers, as QEMU */
}

/* A register write of size 4 or 8 (val zero-extended) at an offset aligned
 * to it. Lock held. */
static void reg_write(struct edu *e, uint64_t off, unsigned size, uint64_t val)
{
	if (off < EDU_REG_WIDE && size != 4)
		return;
	switch (off) {
	case EDU_REG_LIVENESS: e->liveness = ~(uint32_t)val; return;
	case EDU_REG_FACT:
		e->fact = edu_factorial((uint32_t)val);
		if (e->status & EDU_STATUS_IRQFACT)
			edu_irq_raise(e, EDU_IRQ_FACT);
		return;
	case EDU_REG_STATUS:
		e->status =
			(e->status & ~EDU_STATUS_IRQFACT) | ((uint32_t)val & EDU_STATUS_IRQFACT);
		return;
	case EDU_REG_IRQ_RAISE: edu_irq_raise(e, (uint32_t)val); return;
	case EDU_REG_IRQ_ACK: edu_irq_lower(e, (uint32_t)val); return;
	case EDU_REG_DMA_SRC: e->dma_src = val; return;
	case EDU_REG_DMA_DST: e->dma_dst = val; return;
	case EDU_REG_DMA_CNT: e->dma_cnt = val; return;
	case EDU_REG_DMA_CMD:
		/* QEMU ignores a command without the start bit, and keeps
		 * every other bit it is given. */
		if (!(val & EDU_DMA_RUN))
			return;
		e->dma_cmd = val;
		edu_dma_run(e);
		return;
	}
	log_guest_once("edu: write of %#llx to register %#llx dropped", (unsigned long long)val,
		       (unsigned long long)off);
}

/* The next piece of an access at off with left bytes to go, as QEMU's
 * memory core cuts it (memory_access_size): the largest power of two that
 * fits, is at most EDU_MAX_ACCESS and to which off is aligned. */
static unsigned piece_size(uint64_t off, unsigned left)
{
	unsigned n = EDU_MAX_ACCESS;

	while (n > left || (off & (n - 1))) /* at most 3 halvings */
		n >>= 1;
	return n;
}

static uint64_t piece_mask(unsigned n)
{
	return n == 8 ? ~0ull : (1ull << (8 * n)) - 1;
}

/* Pieces narrower than EDU_MIN_ACCESS are refused: they read 0. */
static uint64_t edu_bar_read(struct pci_dev *d, unsigned bar, uint64_t off, unsigned size)
{
	struct edu *e = d->opaque;
	uint64_t v = 0;
	unsigned n;

	if (bar != EDU_BAR || size > EDU_MAX_ACCESS)
		return 0;
	pthread_mutex_lock(&e->lock);
	for (unsigned done = 0; done < size; done += n) { /* size <= 8: at most 8 pieces */
		n = piece_size(off + done, size - done);
		if (n >= EDU_MIN_ACCESS)
			v |= (reg_read(e, off + done, n) & piece_mask(n)) << (8 * done);
	}
	pthread_mutex_unlock(&e->lock);
	return v;
}

/* Pieces narrower than EDU_MIN_ACCESS are refused: they write nothing. */
static void edu_bar_write(struct pci_dev *d, unsigned bar, uint64_t off, unsigned size,
			  uint64_t val)
{
	struct edu *e = d->opaque;
	unsigned n;

	if (bar != EDU_BAR || size > EDU_MAX_ACCESS)
		return;
	pthread_mutex_lock(&e->lock);
	for (unsigned done = 0; done < size; done += n) { /* size <= 8: at most 8 pieces */
		n = piece_size(off + done, size - done);
		if (n >= EDU_MIN_ACCESS)
			reg_write(e, off + done, n, (val >> (8 * done)) & piece_mask(n));
	}
	pthread_mutex_unlock(&e->lock);
}

/* As QEMU's PCI core (msi_write_config): once the guest has MSI enabled,
 * a write to the capability drops INTx, which MSI replaces. */
static void edu_config_write(struct pci_dev *d, uint16_t reg, unsigned size, uint32_t val)
{
	unsigned cap = d->msi.cap;

	(void)val;
	if (reg < cap + MSI_CAP_SIZEOF && reg + size > cap && msi_enabled(d))
		pci_set_intx(d, 0);
}

static const struct pci_dev_ops edu_pci_ops = {
	.bar_read = edu_bar_read,
	.bar_write = edu_bar_write,
	.config_write = edu_config_write,
};

int edu_new(const struct edu_params *p, struct edu **out)
{
	static const struct pci_dev_info info = {
		.vendor = EDU_VENDOR_ID,
		.device = EDU_DEVICE_ID,
		.subsys_vendor = EDU_SUBSYS_VENDOR,
		.subsys = EDU_SUBSYS,
		.class = EDU_CLASS,
		.revision = EDU_REVISION,
		.intx_pin = 1,
		.name = "edu",
	};
	struct edu *e = calloc(1, sizeof(*e));
	int ret;

	if (!e)
		return -ENOMEM;
	pthread_mutex_init(&e->lock, NULL);
	e->dma_mask = p && p->dma_mask ? p->dma_mask : EDU_DMA_MASK_DEFAULT;
	pci_dev_init(&e->pci, &info, &edu_pci_ops, e);
	ret = pci_bar_declare(&e->pci, EDU_BAR, PCI_BAR_MEM32, EDU_BAR_SIZE, false);
	ret = ret ?: msi_init(&e->pci, 1);
	if (ret) {
		edu_free(e);
		return ret;
	}
	*out = e;
	return 0;
}

void edu_free(struct edu *e)
{
	if (!e)
		return;
	pci_dev_fini(&e->pci);
	pthread_mutex_destroy(&e->lock);
	free(e);
}
