/* SPDX-License-Identifier: MIT */
/* Unit tests for the edu device (devices/edu.c, edu_dma.c), driven through
 * the MMIO bus and config space as a guest would: identity, registers and
 * QEMU's access rules, the factorial with and without its interrupt,
 * interrupt raise/ack over INTx (a fake IOAPIC) and MSI (a GSI table with
 * irqfd eventfds, routes recorded with the requester ID), DMA both ways over
 * fake guest memory with canary bytes around the target, DMA faults from a
 * translator that refuses, bus mastering off, the 28-bit mask, and bad
 * command bits and ranges. */
#include "dma_fixture.h"

#include <unistd.h>

#include "devices/edu.h"
#include "vmm/layout.h"

#define SLOT   3
#define GUARD  64
#define CANARY 0x5a
#define FILL   0xee

static struct bus mmio, pio;
static struct gsi_table gsi;
static struct guest_mem mem;
static uint8_t *ram[2];
static struct pci_bus *pbus;
static struct edu *e;
static uint64_t bar;
static int level[32];

struct route_rec {
	struct msi_msg msg;
	uint16_t rid;
	bool enabled;
};
static struct route_rec last_route;

static void fake_ioapic_set(void *opaque, unsigned pin, int lvl)
{
	(void)opaque;
	assert_true(pin < ARRAY_SIZE(level));
	level[pin] = lvl;
}

static int fake_route(void *opaque, unsigned g, const struct msi_msg *msg, uint16_t rid,
		      bool enabled)
{
	(void)opaque;
	last_route = (struct route_rec){*msg, rid, enabled};
	return msix_route_kvm(&gsi, g, msg, rid, enabled);
}

static int fake_irqfd(void *opaque, int efd, unsigned g, bool assign)
{
	(void)opaque, (void)efd, (void)g, (void)assign;
	return 0;
}

static int fake_send(void *opaque, const struct msi_msg *msg, uint16_t rid)
{
	(void)opaque, (void)msg, (void)rid;
	fail_msg("MSI sent through the sink: the vector has a GSI");
	return 0;
}

static void cfg_w(uint16_t reg, unsigned size, uint32_t v)
{
	pci_config_write(&e->pci, reg, size, v);
}

static uint32_t cfg_r(uint16_t reg, unsigned size)
{
	return pci_config_read(&e->pci, reg, size);
}

static uint64_t rd(uint64_t off, unsigned size)
{
	uint64_t v;

	assert_true(bus_read(&mmio, bar + off, size, &v));
	return v;
}

static void wr(uint64_t off, unsigned size, uint64_t v)
{
	assert_true(bus_write(&mmio, bar + off, size, v));
}

static int intx(void)
{
	return level[pci_intx_gsi(SLOT, 0)];
}

/* MSI interrupts since the last call. */
static uint64_t msi_fired(void)
{
	uint64_t n = 0;

	if (read(e->pci.msi.vec[0].efd, &n, sizeof(n)) != sizeof(n))
		return 0;
	return n;
}

static unsigned msi_cap(void)
{
	return pci_cap_find(&e->pci, PCI_CAP_ID_MSI, 0);
}

static void msi_on(uint16_t data)
{
	cfg_w(msi_cap() + PCI_MSI_ADDRESS_LO, 4, 0xfee01000);
	cfg_w(msi_cap() + PCI_MSI_ADDRESS_HI, 4, 0);
	cfg_w(msi_cap() + PCI_MSI_DATA_64, 2, data);
	cfg_w(msi_cap() + PCI_MSI_FLAGS, 2, PCI_MSI_FLAGS_ENABLE);
}

static int setup(void **state)
{
	struct pci_bus_config cfg = {
		.mmio = &mmio,
		.pio = &pio,
		.mem = &mem,
		.gsi = &gsi,
		.router = {fake_route, fake_irqfd, NULL},
		.msi = {fake_send, NULL},
		.intx = {.set = fake_ioapic_set},
	};

	(void)state;
	bus_init(&mmio, "mmio");
	bus_init(&pio, "pio");
	gsi_table_init(&gsi, -1);
	memset(level, 0, sizeof(level));
	if (fake_mem_init(&mem, ram, GUARD) || pci_bus_new(&cfg, &pbus) || edu_new(NULL, &e))
		return -1;
	if (pci_bus_add(pbus, &e->pci, SLOT) != PCI_DEVFN(SLOT, 0))
		return -1;
	bar = pci_bar_addr(&e->pci, EDU_BAR);
	cfg_w(PCI_COMMAND, 2, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	pci_bus_free(pbus);
	edu_free(e);
	fake_mem_free(ram);
	return 0;
}

static void test_identity(void **state)
{
	(void)state;
	assert_int_equal(cfg_r(PCI_VENDOR_ID, 2), 0x1234);
	assert_int_equal(cfg_r(PCI_DEVICE_ID, 2), 0x11e8);
	assert_int_equal(cfg_r(PCI_CLASS_REVISION, 4), 0x00ff0010);
	assert_int_equal(cfg_r(PCI_SUBSYSTEM_VENDOR_ID, 2), 0x1af4);
	assert_int_equal(cfg_r(PCI_SUBSYSTEM_ID, 2), 0x1100);
	assert_int_equal(cfg_r(PCI_INTERRUPT_PIN, 1), 1);
	assert_int_equal(cfg_r(PCI_INTERRUPT_LINE, 1), pci_intx_gsi(SLOT, 0));
	/* BAR 0: 1 MiB, 32-bit, not prefetchable; no other BAR. */
	assert_int_equal(cfg_r(PCI_BASE_ADDRESS_0, 4) & 0xf, PCI_BASE_ADDRESS_MEM_TYPE_32);
	cfg_w(PCI_COMMAND, 2, 0);
	cfg_w(PCI_BASE_ADDRESS_0, 4, 0xffffffff);
	assert_int_equal(cfg_r(PCI_BASE_ADDRESS_0, 4), 0xfff00000);
	cfg_w(PCI_BASE_ADDRESS_0 + 4, 4, 0xffffffff);
	assert_int_equal(cfg_r(PCI_BASE_ADDRESS_0 + 4, 4), 0);
	/* One MSI vector, 64-bit; a conventional function (no PCIe). */
	assert_int_not_equal(msi_cap(), 0);
	assert_int_equal(cfg_r(msi_cap() + PCI_MSI_FLAGS, 2) & (PCI_MSI_FLAGS_QMASK | 0x80),
			 PCI_MSI_FLAGS_64BIT);
	assert_int_equal(pci_cap_find(&e->pci, PCI_CAP_ID_EXP, 0), 0);
	assert_int_equal(pci_cap_find(&e->pci, PCI_CAP_ID_MSIX, 0), 0);
}

static void test_registers(void **state)
{
	(void)state;
	assert_int_equal(rd(EDU_REG_IDENT, 4), 0x010000ed);
	wr(EDU_REG_IDENT, 4, 0);
	assert_int_equal(rd(EDU_REG_IDENT, 4), 0x010000ed);
	assert_int_equal(rd(EDU_REG_LIVENESS, 4), 0);
	wr(EDU_REG_LIVENESS, 4, 0x12345678);
	assert_int_equal(rd(EDU_REG_LIVENESS, 4), 0xedcba987);
	wr(EDU_REG_LIVENESS, 4, 0);
	assert_int_equal(rd(EDU_REG_LIVENESS, 4), 0xffffffff);
	/* Status: only bit 7 is writable. */
	wr(EDU_REG_STATUS, 4, 0xffffffff);
	assert_int_equal(rd(EDU_REG_STATUS, 4), EDU_STATUS_IRQFACT);
	wr(EDU_REG_STATUS, 4, 0x7f);
	assert_int_equal(rd(EDU_REG_STATUS, 4), 0);
	/* Write-only and unknown registers read all ones; the interrupt
	 * status cannot be written. */
	assert_int_equal(rd(EDU_REG_IRQ_RAISE, 4), 0xffffffff);
	assert_int_equal(rd(EDU_REG_IRQ_ACK, 4), 0xffffffff);
	assert_int_equal(rd(0x0c, 4), 0xffffffff);
	assert_int_equal(rd(EDU_BAR_SIZE - 4, 4), 0xffffffff);
	wr(EDU_REG_IRQ_STATUS, 4, 0xff);
	assert_int_equal(rd(EDU_REG_IRQ_STATUS, 4), 0);
	assert_int_equal(intx(), 0);
}

/* QEMU's rules: 4-byte accesses below 0x80, 4 or 8 from 0x80; QEMU's
 * memory core refuses pieces under 4 bytes (reads 0) and cuts an access
 * into naturally aligned pieces. */
static void test_access_sizes(void **state)
{
	(void)state;
	wr(EDU_REG_LIVENESS, 4, 0x0f0f0f0f);
	assert_int_equal(rd(EDU_REG_IDENT, 8), ~0ull);
	assert_int_equal(rd(EDU_REG_IDENT, 1), 0);
	assert_int_equal(rd(EDU_REG_IDENT, 2), 0);
	assert_int_equal(rd(EDU_REG_IDENT + 2, 4), 0); /* two refused halves */
	wr(EDU_REG_LIVENESS, 2, 0);
	wr(EDU_REG_LIVENESS, 1, 0);
	assert_int_equal(rd(EDU_REG_LIVENESS, 4), 0xf0f0f0f0);
	wr(EDU_REG_STATUS, 8, EDU_STATUS_IRQFACT); /* 8 bytes below 0x80: dropped */
	assert_int_equal(rd(EDU_REG_STATUS, 4), 0);
	/* 8 bytes at 0x04 are two 4-byte pieces: liveness, then factorial. */
	wr(EDU_REG_LIVENESS, 8, 0x0000000600000001ull);
	assert_int_equal(rd(EDU_REG_LIVENESS, 4), 0xfffffffe);
	assert_int_equal(rd(EDU_REG_FACT, 4), 720);
	assert_int_equal(rd(EDU_REG_LIVENESS, 8), 0x000002d0fffffffeull);
	/* The DMA registers: 64-bit, a 4-byte write zero-extends, the upper
	 * half is no register of its own. */
	wr(EDU_REG_DMA_SRC, 8, 0x1122334455667788ull);
	assert_int_equal(rd(EDU_REG_DMA_SRC, 8), 0x1122334455667788ull);
	assert_int_equal(rd(EDU_REG_DMA_SRC, 4), 0x55667788);
	assert_int_equal(rd(EDU_REG_DMA_SRC + 4, 4), 0xffffffff);
	wr(EDU_REG_DMA_SRC + 4, 4, 0);
	assert_int_equal(rd(EDU_REG_DMA_SRC, 8), 0x1122334455667788ull);
	wr(EDU_REG_DMA_SRC, 4, 0xaabbccdd);
	assert_int_equal(rd(EDU_REG_DMA_SRC, 8), 0xaabbccdd);
	assert_int_equal(rd(EDU_REG_DMA_SRC, 2), 0);
	/* 8 bytes at 0x84: a refused 4-byte piece, then 4 bytes of DST. */
	wr(EDU_REG_DMA_DST, 8, 0x99);
	assert_int_equal(rd(EDU_REG_DMA_SRC + 4, 8), 0x00000099ffffffffull);
	wr(EDU_REG_DMA_SRC + 4, 8, 0x0000004400000033ull);
	assert_int_equal(rd(EDU_REG_DMA_DST, 8), 0x44);
	assert_int_equal(rd(EDU_REG_DMA_SRC, 8), 0xaabbccdd);
	wr(EDU_REG_DMA_CNT, 8, 0x1000);
	assert_int_equal(rd(EDU_REG_DMA_CNT, 8), 0x1000);
	assert_int_equal(rd(EDU_REG_DMA_CMD, 8), 0);
}

static uint32_t naive_factorial(uint32_t n)
{
	uint32_t r = 1;

	while (n > 0)
		r *= n--;
	return r;
}

static void test_factorial(void **state)
{
	(void)state;
	for (uint32_t n = 0; n < 300; n++)
		assert_int_equal(edu_factorial(n), naive_factorial(n));
	assert_int_equal(edu_factorial(33), 2147483648u);
	assert_int_equal(edu_factorial(0xffffffffu), 0);
	/* Without the interrupt: the result, nothing raised. */
	wr(EDU_REG_FACT, 4, 10);
	assert_int_equal(rd(EDU_REG_STATUS, 4) & EDU_STATUS_COMPUTING, 0);
	assert_int_equal(rd(EDU_REG_FACT, 4), 3628800);
	assert_int_equal(rd(EDU_REG_IRQ_STATUS, 4), 0);
	assert_int_equal(intx(), 0);
	wr(EDU_REG_FACT, 4, 12);
	assert_int_equal(rd(EDU_REG_FACT, 4), 479001600);
	/* With it: INTx (MSI is off), then MSI. */
	wr(EDU_REG_STATUS, 4, EDU_STATUS_IRQFACT);
	wr(EDU_REG_FACT, 4, 5);
	assert_int_equal(rd(EDU_REG_FACT, 4), 120);
	assert_int_equal(rd(EDU_REG_IRQ_STATUS, 4), EDU_IRQ_FACT);
	assert_int_equal(intx(), 1);
	wr(EDU_REG_IRQ_ACK, 4, EDU_IRQ_FACT);
	assert_int_equal(intx(), 0);
	msi_on(0x51);
	wr(EDU_REG_FACT, 4, 13);
	assert_int_equal(rd(EDU_REG_FACT, 4), 1932053504);
	assert_int_equal(msi_fired(), 1);
	assert_int_equal(intx(), 0);
	assert_int_equal(rd(EDU_REG_IRQ_STATUS, 4), EDU_IRQ_FACT);
}

static void test_irq_intx(void **state)
{
	(void)state;
	wr(EDU_REG_IRQ_RAISE, 4, 0);
	assert_int_equal(intx(), 0);
	wr(EDU_REG_IRQ_RAISE, 4, 0x5);
	assert_int_equal(intx(), 1);
	assert_true(cfg_r(PCI_STATUS, 2) & PCI_STATUS_INTERRUPT);
	wr(EDU_REG_IRQ_RAISE, 4, 0x10);
	assert_int_equal(rd(EDU_REG_IRQ_STATUS, 4), 0x15);
	wr(EDU_REG_IRQ_ACK, 4, 0x4);
	assert_int_equal(rd(EDU_REG_IRQ_STATUS, 4), 0x11);
	assert_int_equal(intx(), 1);
	wr(EDU_REG_IRQ_ACK, 4, 0xffffffff);
	assert_int_equal(rd(EDU_REG_IRQ_STATUS, 4), 0);
	assert_int_equal(intx(), 0);
	assert_false(cfg_r(PCI_STATUS, 2) & PCI_STATUS_INTERRUPT);
	assert_int_equal(msi_fired(), 0);
}

static void test_irq_msi(void **state)
{
	(void)state;
	msi_on(0x45);
	assert_true(last_route.enabled);
	assert_int_equal(last_route.rid, PCI_RID(0, PCI_DEVFN(SLOT, 0)));
	assert_int_equal(last_route.msg.addr, 0xfee01000);
	assert_int_equal(last_route.msg.data, 0x45);
	wr(EDU_REG_IRQ_RAISE, 4, 0x3);
	assert_int_equal(msi_fired(), 1);
	assert_int_equal(intx(), 0);
	/* Each raise sends the message again, as QEMU does. */
	wr(EDU_REG_IRQ_RAISE, 4, 0x8);
	assert_int_equal(msi_fired(), 1);
	assert_int_equal(rd(EDU_REG_IRQ_STATUS, 4), 0xb);
	wr(EDU_REG_IRQ_ACK, 4, 0xb);
	assert_int_equal(msi_fired(), 0);
	assert_int_equal(rd(EDU_REG_IRQ_STATUS, 4), 0);
	/* A masked vector is left pending and sent on unmask. */
	cfg_w(msi_cap() + PCI_MSI_MASK_64, 4, 1);
	wr(EDU_REG_IRQ_RAISE, 4, 0x1);
	assert_int_equal(msi_fired(), 0);
	assert_int_equal(cfg_r(msi_cap() + PCI_MSI_PENDING_64, 4), 1);
	cfg_w(msi_cap() + PCI_MSI_MASK_64, 4, 0);
	assert_int_equal(msi_fired(), 1);
	wr(EDU_REG_IRQ_ACK, 4, 0x1);
	/* Bus mastering off: the message is lost (not pending), INTx stays. */
	cfg_w(PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	wr(EDU_REG_IRQ_RAISE, 4, 0x2);
	assert_int_equal(rd(EDU_REG_IRQ_STATUS, 4), 0x2);
	cfg_w(PCI_COMMAND, 2, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	assert_int_equal(msi_fired(), 0);
	assert_int_equal(intx(), 0);
	wr(EDU_REG_IRQ_ACK, 4, 0x2);
	/* INTx raised before MSI was enabled: enabling MSI drops it (QEMU's
	 * msi_write_config), the status stays until acknowledged. */
	cfg_w(msi_cap() + PCI_MSI_FLAGS, 2, 0);
	wr(EDU_REG_IRQ_RAISE, 4, 0x40);
	assert_int_equal(intx(), 1);
	assert_int_equal(msi_fired(), 0);
	cfg_w(msi_cap() + PCI_MSI_FLAGS, 2, PCI_MSI_FLAGS_ENABLE);
	assert_int_equal(intx(), 0);
	assert_int_equal(rd(EDU_REG_IRQ_STATUS, 4), 0x40);
	wr(EDU_REG_IRQ_ACK, 4, 0x40);
	assert_int_equal(intx(), 0);
	assert_int_equal(msi_fired(), 0);
}

/* Start a transfer through the registers. */
static void dma(uint64_t src, uint64_t dst, uint64_t cnt, uint64_t cmd)
{
	wr(EDU_REG_DMA_SRC, 8, src);
	wr(EDU_REG_DMA_DST, 8, dst);
	wr(EDU_REG_DMA_CNT, 8, cnt);
	wr(EDU_REG_DMA_CMD, 8, cmd);
}

static void pattern(uint8_t *p, size_t n, unsigned seed)
{
	srand(seed);
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)rand();
}

static bool all(const uint8_t *p, size_t n, uint8_t v)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != v)
			return false;
	return true;
}

static void test_dma_both_ways(void **state)
{
	uint8_t *m = ram[0] + GUARD, want[3000];

	(void)state;
	pattern(want, sizeof(want), 7);
	memcpy(m + 0x2000, want, sizeof(want));
	dma(0x2000, EDU_BUF_ADDR + 100, sizeof(want), EDU_DMA_RUN);
	assert_int_equal(rd(EDU_REG_DMA_CMD, 8), 0);
	assert_memory_equal(e->buf + 100, want, sizeof(want));
	assert_int_equal(rd(EDU_REG_IRQ_STATUS, 4), 0);

	/* Back to RAM at 0x9000, canaries around it; with the interrupt. */
	memset(m + 0x8000, CANARY, 0x3000);
	dma(EDU_BUF_ADDR + 100, 0x9000, sizeof(want), EDU_DMA_RUN | EDU_DMA_TO_RAM | EDU_DMA_IRQ);
	assert_int_equal(rd(EDU_REG_DMA_CMD, 8), EDU_DMA_TO_RAM | EDU_DMA_IRQ);
	assert_memory_equal(m + 0x9000, want, sizeof(want));
	assert_true(all(m + 0x8000, 0x1000, CANARY));
	assert_true(all(m + 0x9000 + sizeof(want), 0x2000 - sizeof(want), CANARY));
	assert_int_equal(rd(EDU_REG_IRQ_STATUS, 4), EDU_IRQ_DMA);
	assert_int_equal(intx(), 1);
	wr(EDU_REG_IRQ_ACK, 4, EDU_IRQ_DMA);

	/* The whole buffer, to the last byte of RAM; and a count of 0. */
	pattern(m + 0x4000, EDU_BUF_SIZE, 8);
	dma(0x4000, EDU_BUF_ADDR, EDU_BUF_SIZE, EDU_DMA_RUN);
	assert_memory_equal(e->buf, m + 0x4000, EDU_BUF_SIZE);
	dma(EDU_BUF_ADDR, RAM_SIZE - EDU_BUF_SIZE, EDU_BUF_SIZE, EDU_DMA_RUN | EDU_DMA_TO_RAM);
	assert_memory_equal(m + RAM_SIZE - EDU_BUF_SIZE, e->buf, EDU_BUF_SIZE);
	assert_true(all(m + RAM_SIZE, GUARD, GUARD_BYTE));
	dma(0x4000, EDU_BUF_ADDR + EDU_BUF_SIZE, 0, EDU_DMA_RUN | EDU_DMA_IRQ);
	assert_int_equal(rd(EDU_REG_IRQ_STATUS, 4), EDU_IRQ_DMA);
	assert_int_equal(e->dma_faults, 0);
}

/* The fake IOMMU: page 0x10 maps to 0x5000 RW, 0x11 is absent, 0x12 maps
 * to 0x6000 read-only. Faults are counted. */
static struct pte pt[0x20];
static unsigned nr_faults;
static struct dma_fault last_fault;

static int xl_translate(void *opaque, uint16_t rid, iova_t a, unsigned access, struct dma_xlate *x,
			struct dma_fault *f)
{
	(void)opaque, (void)access;
	assert_int_equal(rid, PCI_RID(0, PCI_DEVFN(SLOT, 0)));
	return pt_translate(pt, ARRAY_SIZE(pt), a, x, f);
}

static void xl_fault(void *opaque, uint16_t rid, const struct dma_fault *f)
{
	(void)opaque, (void)rid;
	nr_faults++;
	last_fault = *f;
}

static const struct dma_translator xl = {xl_translate, xl_fault, NULL};

static void test_dma_fault(void **state)
{
	uint8_t *m = ram[0] + GUARD, want[0x1000];

	(void)state;
	memset(pt, 0, sizeof(pt));
	pt[0x10] = (struct pte){true, 0x5000, RW};
	pt[0x12] = (struct pte){true, 0x6000, DMA_ACCESS_READ};
	nr_faults = 0;
	dma_as_set_translator(&e->pci.dma, &xl);
	pattern(want, sizeof(want), 9);
	memcpy(e->buf, want, sizeof(want));
	memset(m + 0x4000, CANARY, 0x4000);

	/* Half mapped: nothing written; the interrupt still comes. */
	dma(EDU_BUF_ADDR, 0x10800, 0x1000, EDU_DMA_RUN | EDU_DMA_TO_RAM | EDU_DMA_IRQ);
	assert_true(all(m + 0x4000, 0x4000, CANARY));
	assert_int_equal(nr_faults, 1);
	assert_int_equal(last_fault.iova.a, 0x11000);
	assert_int_equal(last_fault.access, DMA_ACCESS_WRITE);
	assert_int_equal(rd(EDU_REG_DMA_CMD, 8), EDU_DMA_TO_RAM | EDU_DMA_IRQ);
	assert_int_equal(rd(EDU_REG_IRQ_STATUS, 4), EDU_IRQ_DMA);
	/* Read-only: nothing written. */
	dma(EDU_BUF_ADDR, 0x12000, 16, EDU_DMA_RUN | EDU_DMA_TO_RAM);
	assert_true(all(m + 0x4000, 0x4000, CANARY));
	assert_int_equal(nr_faults, 2);
	/* Half mapped, read: the mapped half arrives, the other half of the
	 * buffer reads as zeros (QEMU's unassigned memory); around it the
	 * buffer is as it was. */
	memset(m + 0x5800, 0x77, 0x800);
	memset(e->buf, FILL, EDU_BUF_SIZE);
	dma(0x10800, EDU_BUF_ADDR + 0x10, 0xe00, EDU_DMA_RUN);
	assert_true(all(e->buf + 0x10, 0x800, 0x77));
	assert_true(all(e->buf + 0x810, 0x600, 0));
	assert_true(all(e->buf, 0x10, FILL));
	assert_true(all(e->buf + 0xe10, EDU_BUF_SIZE - 0xe10, FILL));
	assert_int_equal(nr_faults, 3);
	assert_int_equal(last_fault.access, DMA_ACCESS_READ);
	assert_int_equal(e->dma_faults, 3);

	/* Identity again: past the end of RAM faults (not RAM). */
	dma_as_set_translator(&e->pci.dma, NULL);
	memset(e->buf, FILL, EDU_BUF_SIZE);
	dma(RAM_SIZE - 0x800, EDU_BUF_ADDR, 0x1000, EDU_DMA_RUN);
	assert_memory_equal(e->buf, m + RAM_SIZE - 0x800, 0x800);
	assert_true(all(e->buf + 0x800, 0x800, 0));
	dma(EDU_BUF_ADDR, RAM_SIZE - 0x800, 0x1000, EDU_DMA_RUN | EDU_DMA_TO_RAM);
	assert_true(all(m + RAM_SIZE, GUARD, GUARD_BYTE));
	assert_int_equal(e->dma_faults, 5);
}

static void test_bus_master_off(void **state)
{
	uint8_t *m = ram[0] + GUARD;

	(void)state;
	cfg_w(PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	memset(m + 0x3000, 0x33, 0x100);
	memset(e->buf, FILL, EDU_BUF_SIZE);
	dma(0x3000, EDU_BUF_ADDR, 0x100, EDU_DMA_RUN | EDU_DMA_IRQ);
	assert_true(all(e->buf, 0x100, 0));
	assert_true(all(e->buf + 0x100, EDU_BUF_SIZE - 0x100, FILL));
	assert_int_equal(rd(EDU_REG_IRQ_STATUS, 4), EDU_IRQ_DMA);
	dma(EDU_BUF_ADDR + 0x100, 0x3000, 0x100, EDU_DMA_RUN | EDU_DMA_TO_RAM);
	assert_true(all(m + 0x3000, 0x100, 0x33));
	assert_int_equal(e->pci.dma.faults, 0); /* refused before any translation */
}

static void test_dma_mask(void **state)
{
	uint8_t *m = ram[0] + GUARD;

	(void)state;
	assert_int_equal(e->dma_mask, 0x0fffffff);
	memset(e->buf, 0x42, 64);
	dma(EDU_BUF_ADDR, BIT_ULL(28) | 0x3000, 64, EDU_DMA_RUN | EDU_DMA_TO_RAM);
	assert_true(all(m + 0x3000, 64, 0x42));
	memset(m + 0x7000, 0x24, 64);
	dma(0xfffffffff0007000ull, EDU_BUF_ADDR + 64, 64, EDU_DMA_RUN);
	assert_true(all(e->buf + 64, 64, 0x24));
	/* The buffer side is not masked: 0x10040000 is outside it. */
	memset(e->buf + 128, FILL, 64);
	dma(0x7000, BIT_ULL(28) | EDU_BUF_ADDR | 128, 64, EDU_DMA_RUN);
	assert_true(all(e->buf + 128, 64, FILL));
	/* Without the mask the address is past RAM. */
	e->dma_mask = ~0ull;
	memset(m + 0x3000, 0, 64);
	dma(EDU_BUF_ADDR, BIT_ULL(28) | 0x3000, 64, EDU_DMA_RUN | EDU_DMA_TO_RAM);
	assert_true(all(m + 0x3000, 64, 0));
	assert_int_equal(e->dma_faults, 1);
}

static void test_bad_command(void **state)
{
	uint8_t *m = ram[0] + GUARD;

	(void)state;
	memset(m + 0x1000, 0x11, 0x100);
	memset(e->buf, FILL, EDU_BUF_SIZE);
	/* No start bit: the write is ignored altogether. */
	dma(0x1000, EDU_BUF_ADDR, 0x100, EDU_DMA_IRQ);
	assert_int_equal(rd(EDU_REG_DMA_CMD, 8), 0);
	wr(EDU_REG_DMA_CMD, 8, 0xfffffffffffffffeull);
	assert_int_equal(rd(EDU_REG_DMA_CMD, 8), 0);
	assert_true(all(e->buf, EDU_BUF_SIZE, FILL));
	assert_int_equal(rd(EDU_REG_IRQ_STATUS, 4), 0);
	/* Unknown bits are kept (QEMU) and ignored. */
	wr(EDU_REG_DMA_CMD, 8, 0xf0 | EDU_DMA_RUN);
	assert_true(all(e->buf, 0x100, 0x11));
	assert_int_equal(rd(EDU_REG_DMA_CMD, 8), 0xf0);
	/* Buffer-side ranges outside the buffer copy nothing, complete, and
	 * raise the interrupt when asked. */
	memset(e->buf, FILL, EDU_BUF_SIZE);
	memset(m + 0x8000, CANARY, 0x2000);
	dma(0x1000, EDU_BUF_ADDR - 1, 0x10, EDU_DMA_RUN | EDU_DMA_IRQ);
	assert_int_equal(rd(EDU_REG_IRQ_STATUS, 4), EDU_IRQ_DMA);
	dma(0x1000, EDU_BUF_ADDR + EDU_BUF_SIZE - 8, 0x10, EDU_DMA_RUN);
	dma(0x1000, EDU_BUF_ADDR, EDU_BUF_SIZE + 1, EDU_DMA_RUN);
	dma(0x1000, EDU_BUF_ADDR + 1, ~0ull, EDU_DMA_RUN);
	dma(0x1000, ~0ull - 0x10, 0x100, EDU_DMA_RUN);
	dma(0x1000, EDU_BUF_ADDR + EDU_BUF_SIZE + 1, 0, EDU_DMA_RUN);
	assert_true(all(e->buf, EDU_BUF_SIZE, FILL));
	dma(EDU_BUF_ADDR + 0x800, 0x8800, 0x801, EDU_DMA_RUN | EDU_DMA_TO_RAM);
	dma(~0ull, 0x8800, 2, EDU_DMA_RUN | EDU_DMA_TO_RAM);
	assert_true(all(m + 0x8000, 0x2000, CANARY));
	assert_int_equal(rd(EDU_REG_DMA_CMD, 8), EDU_DMA_TO_RAM);
	assert_int_equal(e->dma_faults, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_identity, setup, teardown),
		cmocka_unit_test_setup_teardown(test_registers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_access_sizes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_factorial, setup, teardown),
		cmocka_unit_test_setup_teardown(test_irq_intx, setup, teardown),
		cmocka_unit_test_setup_teardown(test_irq_msi, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dma_both_ways, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dma_fault, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bus_master_off, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dma_mask, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_command, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
