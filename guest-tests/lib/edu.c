// SPDX-License-Identifier: MIT
/* The edu driver (see edu.h). */
#include "edu.h"

#include "io.h"
#include "tsc.h"

#define POLL_GAP_US 1000

int edu_open(struct edu *e, unsigned instance)
{
	struct pci_bar b;

	*e = (struct edu){0};
	if (pci_init() || !pci_find(EDU_VENDOR, EDU_DEVICE, instance, &e->pci))
		return -1;
	if (!pci_bar_size(e->pci.bdf, 0, &b) || b.io)
		return -1;
	e->bar_size = b.size;
	e->bar = b.addr;
	if (!b.addr || b.addr + b.size > 0x100000000ull) {
		pci_command(e->pci.bdf, 0, PCI_COMMAND_MEMORY);
		e->bar = pci_bar_place(e->pci.bdf, 0);
		e->placed = true;
	}
	if (!e->bar)
		return -1;
	pci_command(e->pci.bdf, PCI_COMMAND_MEMORY, 0);
	return 0;
}

uint32_t edu_read(const struct edu *e, unsigned reg)
{
	return mmio_read32(e->bar + reg);
}

void edu_write(const struct edu *e, unsigned reg, uint32_t v)
{
	mmio_write32(e->bar + reg, v);
}

uint64_t edu_dma_reg(const struct edu *e, unsigned reg)
{
	return mmio_read64(e->bar + reg);
}

void edu_bus_master(const struct edu *e, bool on)
{
	pci_command(e->pci.bdf, on ? PCI_COMMAND_MASTER : 0, on ? 0 : PCI_COMMAND_MASTER);
}

bool edu_alive(const struct edu *e, uint32_t v)
{
	edu_write(e, EDU_LIVENESS, v);
	return edu_read(e, EDU_LIVENESS) == ~v;
}

bool edu_factorial(const struct edu *e, uint32_t n, uint32_t *out, uint64_t timeout_us)
{
	uint64_t end;

	edu_write(e, EDU_FACT, n);
	end = time_us() + timeout_us;
	while (edu_read(e, EDU_STATUS) & EDU_STATUS_BUSY) {
		if (time_us() > end)
			return false;
		delay_us(POLL_GAP_US);
	}
	*out = edu_read(e, EDU_FACT);
	return true;
}

int edu_dma_start(const struct edu *e, enum edu_dir dir, uint64_t ram, uint32_t buf_off,
		  uint32_t len, bool irq)
{
	if (!len || buf_off >= EDU_DMA_MAX || len > EDU_DMA_MAX - buf_off)
		return EDU_E_RANGE;
	if (edu_dma_reg(e, EDU_DMA_CMD) & EDU_DMA_RUN)
		return EDU_E_BUSY;
	/* The register the device reads the RAM side from, and the buffer
	 * side: source and destination by direction. */
	mmio_write64(e->bar + (dir == EDU_RAM_TO_DEV ? EDU_DMA_SRC : EDU_DMA_DST), ram);
	mmio_write64(e->bar + (dir == EDU_RAM_TO_DEV ? EDU_DMA_DST : EDU_DMA_SRC),
		     EDU_BUF + buf_off);
	mmio_write64(e->bar + EDU_DMA_COUNT, len);
	mmio_write64(e->bar + EDU_DMA_CMD, EDU_DMA_RUN |
						   (dir == EDU_DEV_TO_RAM ? EDU_DMA_TO_RAM : 0) |
						   (irq ? EDU_DMA_IRQ : 0));
	return 0;
}

bool edu_dma_wait(const struct edu *e, uint64_t timeout_us)
{
	uint64_t end = time_us() + timeout_us;

	while (edu_dma_reg(e, EDU_DMA_CMD) & EDU_DMA_RUN) {
		if (time_us() > end)
			return false;
		delay_us(POLL_GAP_US);
	}
	return true;
}

int edu_dma(const struct edu *e, enum edu_dir dir, uint64_t ram, uint32_t buf_off, uint32_t len,
	    bool irq, uint64_t timeout_us)
{
	int rc = edu_dma_start(e, dir, ram, buf_off, len, irq);

	if (rc)
		return rc;
	return edu_dma_wait(e, timeout_us) ? 0 : EDU_E_TIMEOUT;
}
