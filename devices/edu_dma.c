// SPDX-License-Identifier: MIT
/* The edu DMA engine (see edu.h): one command copies up to 4 KiB between
 * the buffer and the function's DMA space, synchronously on the vCPU that
 * wrote the command, through the DMA API only. */
#include <string.h>

#include "devices/edu.h"
#include "vmm/log.h"

#define EDU_DMA_PAGE 4096u /* the granule of a refusal, as QEMU sees one */

/* True when the buffer-side range [addr, addr + cnt) lies in the buffer
 * (QEMU's edu_check_range since 8.2.1: a count of 0 at any address up to
 * the end is fine). */
static bool in_buffer(uint64_t addr, uint64_t cnt)
{
	return range_within(addr, cnt, EDU_BUF_ADDR, EDU_BUF_SIZE);
}

static uint64_t ram_addr(struct edu *e, uint64_t addr)
{
	uint64_t a = addr & e->dma_mask;

	if (a != addr)
		log_guest_once("edu: DMA address %#llx clamped to %#llx (dma_mask %#llx)",
			       (unsigned long long)addr, (unsigned long long)a,
			       (unsigned long long)e->dma_mask);
	return a;
}

/* RAM -> buffer, page by page: a page the DMA API refuses (or all of them,
 * with bus mastering off) reads as zeros, as QEMU's unassigned memory does.
 * cnt <= EDU_BUF_SIZE, so the loop runs at most twice. */
static void from_ram(struct edu *e, uint64_t addr, uint8_t *dst, uint64_t cnt, bool master)
{
	uint64_t n;

	for (uint64_t done = 0; done < cnt; done += n) {
		n = MIN(cnt - done, EDU_DMA_PAGE - ((addr + done) & (EDU_DMA_PAGE - 1)));
		if (master && !dma_read(&e->pci.dma, iova(addr + done), dst + done, n))
			continue;
		memset(dst + done, 0, n);
		e->dma_faults++;
	}
}

/* Buffer -> RAM: all or nothing, so a fault leaves guest memory as it was. */
static void to_ram(struct edu *e, uint64_t addr, const uint8_t *src, uint64_t cnt, bool master)
{
	if (!cnt)
		return;
	if (!master || dma_write(&e->pci.dma, iova(addr), src, cnt))
		e->dma_faults++;
}

void edu_dma_run(struct edu *e)
{
	bool out = e->dma_cmd & EDU_DMA_TO_RAM;
	uint64_t buf = out ? e->dma_src : e->dma_dst, ram = out ? e->dma_dst : e->dma_src;
	bool master = pci_config_get(&e->pci, PCI_COMMAND, 2) & PCI_COMMAND_MASTER;

	if (!in_buffer(buf, e->dma_cnt)) {
		log_guest_once("edu: DMA range %#llx+%#llx is outside the buffer %#x+%#x; "
			       "nothing copied",
			       (unsigned long long)buf, (unsigned long long)e->dma_cnt,
			       EDU_BUF_ADDR, EDU_BUF_SIZE);
	} else {
		if (!master)
			log_guest_once("edu: DMA while bus mastering is off: refused");
		if (out)
			to_ram(e, ram_addr(e, ram), e->buf + (buf - EDU_BUF_ADDR), e->dma_cnt,
			       master);
		else
			from_ram(e, ram_addr(e, ram), e->buf + (buf - EDU_BUF_ADDR), e->dma_cnt,
				 master);
	}
	e->dma_cmd &= ~(uint64_t)EDU_DMA_RUN;
	if (e->dma_cmd & EDU_DMA_IRQ)
		edu_irq_raise(e, EDU_IRQ_DMA);
}
