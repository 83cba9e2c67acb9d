/* SPDX-License-Identifier: MIT */
/* Unit tests for PCI BARs (devices/pci/bar.c): declaration, sizing by
 * writing all ones, and registration on real MMIO / port I/O buses as the
 * guest toggles decoding and moves BARs. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "devices/pci/pci.h"
#include "vmm/layout.h"

static struct bus mmio, pio;
static struct pci_bus *pbus;

struct access {
	unsigned bar, size, n;
	uint64_t off, val;
	bool write;
};
static struct access last;

struct map_event {
	unsigned bar;
	uint64_t addr;
	bool mapped;
};
static struct map_event maps[64];
static unsigned nr_maps;

static uint64_t dev_read(struct pci_dev *d, unsigned bar, uint64_t off, unsigned size)
{
	(void)d;
	last = (struct access){bar, size, last.n + 1, off, 0, false};
	return 0xab00 | bar;
}

static void dev_write(struct pci_dev *d, unsigned bar, uint64_t off, unsigned size, uint64_t val)
{
	(void)d;
	last = (struct access){bar, size, last.n + 1, off, val, true};
}

static void dev_map(struct pci_dev *d, unsigned bar, uint64_t addr, bool mapped)
{
	(void)d;
	if (nr_maps < ARRAY_SIZE(maps))
		maps[nr_maps++] = (struct map_event){bar, addr, mapped};
}

static const struct pci_dev_ops ops = {
	.bar_read = dev_read,
	.bar_write = dev_write,
	.bar_map = dev_map,
};

static const struct pci_dev_info info = {
	.vendor = 0x1234,
	.device = 0x11e8,
	.class = 0x00ff00,
	.name = "bar-test",
};

static int setup(void **state)
{
	struct pci_bus_config cfg = {.mmio = &mmio, .pio = &pio};

	(void)state;
	bus_init(&mmio, "mmio");
	bus_init(&pio, "pio");
	nr_maps = 0;
	memset(&last, 0, sizeof(last));
	return pci_bus_new(&cfg, &pbus);
}

static int teardown(void **state)
{
	(void)state;
	pci_bus_free(pbus);
	return 0;
}

static void test_declare(void **state)
{
	struct pci_dev d;

	(void)state;
	pci_dev_init(&d, &info, NULL, NULL);
	assert_int_equal(pci_bar_declare(&d, 6, PCI_BAR_MEM32, 4096, false), -EINVAL);
	assert_int_equal(pci_bar_declare(&d, 0, PCI_BAR_MEM32, 3000, false), -EINVAL);
	assert_int_equal(pci_bar_declare(&d, 0, PCI_BAR_MEM32, 8, false), -EINVAL);
	assert_int_equal(pci_bar_declare(&d, 0, PCI_BAR_IO, 512, false), -EINVAL);
	assert_int_equal(pci_bar_declare(&d, 0, PCI_BAR_IO, 16, true), -EINVAL);
	assert_int_equal(pci_bar_declare(&d, 5, PCI_BAR_MEM64, 4096, false), -EINVAL);
	assert_int_equal(pci_bar_declare(&d, 0, PCI_BAR_NONE, 4096, false), -EINVAL);
	assert_int_equal(pci_bar_declare(&d, 1, PCI_BAR_MEM64, 4096, false), 0);
	/* Slot 2 is BAR 1's upper half; slot 1 is taken. */
	assert_int_equal(pci_bar_declare(&d, 2, PCI_BAR_MEM32, 4096, false), -EINVAL);
	assert_int_equal(pci_bar_declare(&d, 1, PCI_BAR_MEM32, 4096, false), -EINVAL);
	assert_int_equal(pci_bar_declare(&d, 0, PCI_BAR_MEM64, 4096, false), -EINVAL);
	assert_int_equal(pci_bar_declare(&d, 3, PCI_BAR_MEM32, 4096, false), 0);
	pci_dev_fini(&d);
}

/* Probe a BAR as Linux does: save, write all ones, read, restore. */
static uint32_t probe(struct pci_dev *d, unsigned reg)
{
	uint32_t saved = pci_config_read(d, reg, 4), sz;

	pci_config_write(d, reg, 4, 0xffffffff);
	sz = pci_config_read(d, reg, 4);
	pci_config_write(d, reg, 4, saved);
	assert_int_equal(pci_config_read(d, reg, 4), saved);
	return sz;
}

static void test_sizing(void **state)
{
	struct pci_dev d;

	(void)state;
	pci_dev_init(&d, &info, NULL, NULL);
	assert_int_equal(pci_bar_declare(&d, 0, PCI_BAR_MEM32, 4096, false), 0);
	assert_int_equal(pci_bar_declare(&d, 1, PCI_BAR_IO, 32, false), 0);
	assert_int_equal(pci_bar_declare(&d, 2, PCI_BAR_MEM64, GiB(8), true), 0);
	assert_int_equal(pci_bar_declare(&d, 4, PCI_BAR_MEM32, 16, true), 0);
	/* Type bits before any write. */
	assert_int_equal(pci_config_read(&d, PCI_BASE_ADDRESS_0, 4), 0);
	assert_int_equal(pci_config_read(&d, PCI_BASE_ADDRESS_1, 4), PCI_BASE_ADDRESS_SPACE_IO);
	assert_int_equal(pci_config_read(&d, PCI_BASE_ADDRESS_2, 4),
			 PCI_BASE_ADDRESS_MEM_TYPE_64 | PCI_BASE_ADDRESS_MEM_PREFETCH);
	/* All-ones probes return the size and the read-only type bits. */
	assert_int_equal(probe(&d, PCI_BASE_ADDRESS_0), 0xfffff000);
	assert_int_equal(probe(&d, PCI_BASE_ADDRESS_1), 0x0000ffe1);
	assert_int_equal(probe(&d, PCI_BASE_ADDRESS_2),
			 PCI_BASE_ADDRESS_MEM_TYPE_64 | PCI_BASE_ADDRESS_MEM_PREFETCH);
	assert_int_equal(probe(&d, PCI_BASE_ADDRESS_3), 0xfffffffe);
	assert_int_equal(probe(&d, PCI_BASE_ADDRESS_4), 0xfffffff0 | PCI_BASE_ADDRESS_MEM_PREFETCH);
	assert_int_equal(probe(&d, PCI_BASE_ADDRESS_5), 0);
	/* Address bits below the size are read-only. */
	pci_config_write(&d, PCI_BASE_ADDRESS_0, 4, 0xc0000fff);
	assert_int_equal(pci_config_read(&d, PCI_BASE_ADDRESS_0, 4), 0xc0000000);
	assert_int_equal(pci_bar_addr(&d, 0), 0xc0000000);
	pci_config_write(&d, PCI_BASE_ADDRESS_3, 4, 0x3);
	pci_config_write(&d, PCI_BASE_ADDRESS_2, 4, 0xffffffff);
	assert_int_equal(pci_bar_addr(&d, 2), 0x200000000ull);
	pci_dev_fini(&d);
}

static bool mmio_rd(uint64_t addr, uint64_t *v)
{
	return bus_read(&mmio, addr, 4, v);
}

static void test_decode_and_move(void **state)
{
	uint64_t a0, a2, a4, io, v;
	static struct pci_dev d; /* outlives a failed assertion */
	uint16_t cmd;
	unsigned n;

	(void)state;
	pci_dev_init(&d, &info, &ops, NULL);
	assert_int_equal(pci_bar_declare(&d, 0, PCI_BAR_MEM32, 4096, false), 0);
	assert_int_equal(pci_bar_declare(&d, 1, PCI_BAR_IO, 32, false), 0);
	assert_int_equal(pci_bar_declare(&d, 2, PCI_BAR_MEM64, KiB(16), true), 0);
	assert_int_equal(pci_bar_declare(&d, 4, PCI_BAR_MEM32, 16, false), 0);
	assert_int_equal(pci_bus_add(pbus, &d, 3), PCI_DEVFN(3, 0));
	a0 = pci_bar_addr(&d, 0);
	a2 = pci_bar_addr(&d, 2);
	a4 = pci_bar_addr(&d, 4);
	io = pci_bar_addr(&d, 1);
	assert_int_equal(nr_maps, 4);
	cmd = (uint16_t)pci_config_read(&d, PCI_COMMAND, 2);
	assert_int_equal(cmd, PCI_COMMAND_MEMORY | PCI_COMMAND_IO);

	/* Each BAR reaches the device as (bar, offset, size). */
	assert_true(bus_read(&mmio, a0 + 0x10, 4, &v));
	assert_int_equal(v, 0xab00);
	assert_int_equal(last.bar, 0);
	assert_int_equal(last.off, 0x10);
	assert_int_equal(last.size, 4);
	assert_true(bus_write(&mmio, a2 + 0x3ff8, 8, 0x1122334455667788ull));
	assert_true(last.write);
	assert_int_equal(last.bar, 2);
	assert_int_equal(last.off, 0x3ff8);
	assert_int_equal(last.size, 8);
	assert_int_equal(last.val, 0x1122334455667788ull);
	assert_true(bus_read(&mmio, a4 + 0xc, 4, &v));
	assert_int_equal(last.bar, 4);
	assert_false(bus_read(&mmio, a4 + 0x10, 4, &v)); /* 16 bytes only */
	assert_true(bus_read(&pio, io + 4, 1, &v));
	assert_int_equal(last.bar, 1);
	assert_int_equal(last.off, 4);
	assert_int_equal(last.size, 1);

	/* Memory decode off: every memory BAR disappears, I/O stays. */
	pci_config_write(&d, PCI_COMMAND, 2, PCI_COMMAND_IO);
	assert_false(mmio_rd(a0, &v));
	assert_int_equal(v, 0xffffffff);
	assert_false(mmio_rd(a2, &v));
	assert_true(bus_read(&pio, io, 1, &v));
	/* Linux-style sizing with decode off, then back on. */
	assert_int_equal(probe(&d, PCI_BASE_ADDRESS_0), 0xfffff000);
	pci_config_write(&d, PCI_COMMAND, 2, cmd);
	assert_true(mmio_rd(a0, &v));
	assert_true(mmio_rd(a2, &v));
	/* Sizing with decode on: the all-ones value never decodes. */
	n = nr_maps;
	pci_config_write(&d, PCI_BASE_ADDRESS_0, 4, 0xffffffff);
	assert_false(mmio_rd(a0, &v));
	assert_false(mmio_rd(0xfffff000, &v));
	pci_config_write(&d, PCI_BASE_ADDRESS_0, 4, (uint32_t)a0);
	assert_true(mmio_rd(a0, &v));
	assert_int_equal(nr_maps, n + 2);
	assert_false(maps[n].mapped);
	assert_true(maps[n + 1].mapped);
	assert_int_equal(maps[n + 1].addr, a0);

	/* Move BAR 0: the old range is gone, the new one reaches offset 0. */
	pci_config_write(&d, PCI_BASE_ADDRESS_0, 4, 0xc8000000);
	assert_false(mmio_rd(a0, &v));
	assert_true(mmio_rd(0xc8000000, &v));
	assert_int_equal(last.bar, 0);
	assert_int_equal(last.off, 0);
	assert_int_equal(maps[nr_maps - 1].addr, 0xc8000000);
	/* Address 0 does not decode. */
	pci_config_write(&d, PCI_BASE_ADDRESS_0, 4, 0);
	assert_false(mmio_rd(0, &v));
	assert_false(mmio_rd(0xc8000000, &v));
	pci_config_write(&d, PCI_BASE_ADDRESS_0, 4, (uint32_t)a0);

	/* Move the 64-bit BAR above 4 GiB, one dword at a time. */
	pci_config_write(&d, PCI_BASE_ADDRESS_3, 4, 0x4);
	assert_false(mmio_rd(a2, &v));
	assert_true(mmio_rd(0x400000000ull | a2, &v));
	pci_config_write(&d, PCI_BASE_ADDRESS_2, 4, 0x10000000);
	assert_false(mmio_rd(0x400000000ull | a2, &v));
	assert_true(mmio_rd(0x410000000ull + 0x100, &v));
	assert_int_equal(last.bar, 2);
	assert_int_equal(last.off, 0x100);
	assert_int_equal(pci_bar_addr(&d, 2), 0x410000000ull);

	/* I/O decode off; move the I/O BAR; on again. */
	pci_config_write(&d, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	assert_false(bus_read(&pio, io, 1, &v));
	pci_config_write(&d, PCI_BASE_ADDRESS_1, 4, 0x2000);
	assert_false(bus_read(&pio, 0x2000, 1, &v));
	pci_config_write(&d, PCI_COMMAND, 2, cmd);
	assert_true(bus_read(&pio, 0x2000 + 31, 1, &v));
	assert_int_equal(last.off, 31);
	assert_false(bus_read(&pio, io, 1, &v));

	/* Two BARs swap addresses in one write each: the first write
	 * collides (the bus refuses), the second resolves it. */
	pci_config_write(&d, PCI_BASE_ADDRESS_4, 4, (uint32_t)a0);
	assert_true(mmio_rd(a0, &v));
	assert_int_equal(last.bar, 0);
	pci_config_write(&d, PCI_BASE_ADDRESS_0, 4, (uint32_t)a4);
	assert_true(mmio_rd(a4, &v));
	assert_int_equal(last.bar, 0);
	pci_config_write(&d, PCI_COMMAND, 2, cmd); /* re-evaluate */
	assert_true(mmio_rd(a0, &v));
	assert_int_equal(last.bar, 4);

	pci_bus_free(pbus);
	pbus = NULL;
	assert_false(mmio_rd(a4, &v));
	assert_false(bus_read(&pio, 0x2000, 1, &v));
	pci_dev_fini(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_declare),
		cmocka_unit_test(test_sizing),
		cmocka_unit_test_setup_teardown(test_decode_and_move, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
