/* SPDX-License-Identifier: MIT */
/* Unit tests for the PCI bus and host bridge (devices/pci/bus.c, host.c,
 * intx.c): ECAM and 0xcf8/0xcfc agree, absent functions read all ones, the
 * firmware's BAR assignment (natural alignment, windows, decode enables),
 * INTERRUPT_LINE, slots. INTx and reset: test_pci_intx.c. */
#include <errno.h>

#include "devices/platform.h"

#define MMIO64_BASE 0x8000000000ull
#define MMIO64_SIZE GiB(64)
#define PCI_FX_DEVS 8
#include "pci_fixture.h"

static struct pci_conf1 conf1;

static int setup_bus(uint64_t mmio64_base, uint64_t mmio64_size)
{
	struct pci_bus_config cfg = {
		.mmio = &mmio,
		.pio = &pio,
		.mmio64_base = mmio64_base,
		.mmio64_size = mmio64_size,
	};
	int ret;

	bus_init(&mmio, "mmio");
	bus_init(&pio, "pio");
	ret = pci_bus_new(&cfg, &pbus);
	if (ret)
		return ret;
	pci_conf1_init(&conf1, pci_bus_conf_target(pbus));
	return bus_register(&pio, PORT_PCI_CONF, 8, &pci_conf1_ops, &conf1, "conf1");
}

static int setup(void **state)
{
	(void)state;
	return setup_bus(0, 0);
}

static int setup64(void **state)
{
	(void)state;
	return setup_bus(MMIO64_BASE, MMIO64_SIZE);
}

static uint32_t conf1_rd(unsigned bus, unsigned devfn, unsigned reg, unsigned size)
{
	uint64_t v;

	assert_true(bus_write(&pio, PORT_PCI_CONF, 4,
			      0x80000000u | bus << 16 | devfn << 8 | (reg & 0xfc)));
	assert_true(bus_read(&pio, PORT_PCI_CONF + 4 + (reg & 3), size, &v));
	return (uint32_t)v;
}

static void conf1_wr(unsigned devfn, unsigned reg, unsigned size, uint32_t v)
{
	assert_true(bus_write(&pio, PORT_PCI_CONF, 4, 0x80000000u | devfn << 8 | (reg & 0xfc)));
	assert_true(bus_write(&pio, PORT_PCI_CONF + 4 + (reg & 3), size, v));
}

/* A device with BARs given as (type, size) pairs, at slot. */
static int add_dev(unsigned i, int slot, uint8_t pin, const uint64_t (*bars)[2], unsigned nr)
{
	unsigned idx = 0;

	dev_init(i, pin, "bus-test");
	for (unsigned b = 0; b < nr; b++) {
		enum pci_bar_type t = (enum pci_bar_type)bars[b][0];

		assert_int_equal(pci_bar_declare(&devs[i], idx, t, bars[b][1], false), 0);
		idx += t == PCI_BAR_MEM64 ? 2 : 1;
	}
	return pci_bus_add(pbus, &devs[i], slot);
}

static void test_host_bridge_and_absent(void **state)
{
	(void)state;
	assert_int_equal(ecam_rd(0, PCI_VENDOR_ID, 4),
			 PCI_HOST_DEVICE_ID << 16 | PCI_HOST_VENDOR_ID);
	assert_int_equal(ecam_rd(0, PCI_CLASS_DEVICE, 2), PCI_HOST_CLASS >> 8);
	assert_int_equal(conf1_rd(0, 0, PCI_CLASS_DEVICE, 2), PCI_HOST_CLASS >> 8);
	assert_int_equal(ecam_rd(0, PCI_HEADER_TYPE, 1), PCI_HEADER_TYPE_NORMAL);
	assert_ptr_not_equal(pci_bus_find(pbus, 0), NULL);
	/* Nothing else is there. */
	for (unsigned devfn = 1; devfn < 256; devfn++) {
		assert_int_equal(ecam_rd(devfn, PCI_VENDOR_ID, 4), 0xffffffff);
		assert_int_equal(ecam_rd(devfn, 0x100, 2), 0xffff);
		assert_int_equal(conf1_rd(0, devfn, PCI_VENDOR_ID, 4), 0xffffffff);
	}
	assert_int_equal(conf1_rd(1, 0, PCI_VENDOR_ID, 4), 0xffffffff);
	assert_int_equal(conf1_rd(255, 0, PCI_DEVICE_ID, 2), 0xffff);
	assert_null(pci_bus_find(pbus, PCI_RID(1, 0)));
	assert_null(pci_bus_find(pbus, PCI_DEVFN(2, 0)));
	/* ECAM decodes bus 0 only. */
	{
		uint64_t v;

		assert_false(bus_read(&mmio, LAYOUT_PCI_ECAM + PCI_ECAM_SIZE, 4, &v));
	}
	ecam_wr(PCI_DEVFN(2, 0), PCI_COMMAND, 2, 0xffff); /* dropped */
}

/* CONFIG_ADDRESS bits 1:0 are ORed into the register offset, as QEMU does
 * (kvm-unit-tests latches offset 2 and reads a word at 0xcfc for the device
 * ID); the latched value reads back whole. */
static void test_conf1_low_bits(void **state)
{
	const uint32_t addr = 0x80000000u | PCI_DEVFN(0, 0) << 8 | PCI_DEVICE_ID;
	uint64_t v;

	(void)state;
	assert_true(bus_write(&pio, PORT_PCI_CONF, 4, addr));
	assert_true(bus_read(&pio, PORT_PCI_CONF, 4, &v));
	assert_int_equal(v, addr);
	assert_true(bus_read(&pio, PORT_PCI_CONF + 4, 2, &v));
	assert_int_equal(v, PCI_HOST_DEVICE_ID);
	assert_true(bus_read(&pio, PORT_PCI_CONF + 4, 1, &v));
	assert_int_equal(v, PCI_HOST_DEVICE_ID & 0xff);
	/* Offset 3 with a byte at 0xcfd: 3 | 1 = 3. */
	assert_true(bus_write(&pio, PORT_PCI_CONF, 4, addr | 1));
	assert_true(bus_read(&pio, PORT_PCI_CONF + 5, 1, &v));
	assert_int_equal(v, PCI_HOST_DEVICE_ID >> 8);
	/* A dword at offset 2 is misaligned: all ones, as the bus refuses it. */
	assert_true(bus_write(&pio, PORT_PCI_CONF, 4, addr));
	assert_true(bus_read(&pio, PORT_PCI_CONF + 4, 4, &v));
	assert_int_equal(v, 0xffffffff);
}

static void test_ecam_conf1_agree(void **state)
{
	static const uint64_t bars[][2] = {{PCI_BAR_MEM32, 4096}, {PCI_BAR_IO, 32}};
	const struct pci_dev_info pinfo = {
		.vendor = 0x1234, .device = 0x2000, .class = 0x00ff00, .name = "pcie"};
	unsigned devfn;

	(void)state;
	assert_int_equal(add_dev(0, 4, 1, bars, 2), PCI_DEVFN(4, 0));
	pci_dev_init(&devs[1], &pinfo, NULL, NULL);
	assert_int_equal(pci_cap_add_pcie(&devs[1], PCI_EXP_TYPE_RC_END), 0x40);
	assert_int_equal(pci_bus_add(pbus, &devs[1], -1), PCI_DEVFN(1, 0));
	devfn = PCI_DEVFN(4, 0);
	for (unsigned d = 0; d < 2; d++) {
		unsigned fn = d ? PCI_DEVFN(1, 0) : devfn;

		for (unsigned reg = 0; reg < 0x100; reg += 4)
			assert_int_equal(ecam_rd(fn, reg, 4), conf1_rd(0, fn, reg, 4));
		for (unsigned reg = 0; reg < 0x40; reg++)
			assert_int_equal(ecam_rd(fn, reg, 1), conf1_rd(0, fn, reg, 1));
		for (unsigned reg = 0; reg < 0x40; reg += 2)
			assert_int_equal(ecam_rd(fn, reg, 2), conf1_rd(0, fn, reg, 2));
	}
	assert_int_equal(ecam_rd(devfn, PCI_VENDOR_ID, 4), 0x10001234);
	/* A write through one path is seen through the other. */
	ecam_wr(devfn, PCI_INTERRUPT_LINE, 1, 0x42);
	assert_int_equal(conf1_rd(0, devfn, PCI_INTERRUPT_LINE, 1), 0x42);
	conf1_wr(devfn, PCI_COMMAND, 2, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	assert_int_equal(ecam_rd(devfn, PCI_COMMAND, 2), PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	/* 8-byte ECAM accesses are split into two dwords. */
	{
		uint64_t v;

		assert_true(bus_read(&mmio, LAYOUT_PCI_ECAM + (devfn << 12), 8, &v));
		assert_int_equal(v, (uint64_t)ecam_rd(devfn, 4, 4) << 32 | 0x10001234);
	}
	/* Misaligned ECAM accesses read all ones. */
	assert_int_equal(ecam_rd(devfn, 1, 2), 0xffff);
	/* Extended config space: ECAM only; the PCIe device reads 0 there. */
	assert_int_equal(ecam_rd(PCI_DEVFN(1, 0), 0x100, 4), 0);
	/* Other functions of a present slot are absent. */
	assert_int_equal(ecam_rd(devfn + 1, PCI_VENDOR_ID, 4), 0xffffffff);
	assert_int_equal(conf1_rd(0, devfn + 7, PCI_VENDOR_ID, 4), 0xffffffff);
	assert_ptr_equal(pci_bus_find(pbus, devfn), &devs[0]);
	assert_int_equal(devs[0].rid, devfn);
	assert_int_equal(devs[0].dma.rid, devfn);
}

struct range {
	uint64_t a, len;
};

static void check_assignment(bool mmio64)
{
	static const uint64_t b0[][2] = {
		{PCI_BAR_MEM32, 4096}, {PCI_BAR_MEM64, MiB(1)}, {PCI_BAR_IO, 16}};
	static const uint64_t b1[][2] = {{PCI_BAR_MEM32, 16},
					 {PCI_BAR_MEM32, KiB(64)},
					 {PCI_BAR_IO, 128},
					 {PCI_BAR_MEM32, KiB(8)}};
	static const uint64_t b2[][2] = {{PCI_BAR_MEM64, MiB(128)}};
	static const uint64_t b3[][2] = {{PCI_BAR_MEM32, 16}};
	struct range seen[32];
	unsigned n = 0;

	assert_int_equal(add_dev(0, 2, 1, b0, 3), PCI_DEVFN(2, 0));
	assert_int_equal(add_dev(1, 3, 2, b1, 4), PCI_DEVFN(3, 0));
	assert_int_equal(add_dev(3, -1, 1, b3, 1), PCI_DEVFN(1, 0));
	assert_int_equal(add_dev(2, 31, 0, b2, 1), PCI_DEVFN(31, 0));
	for (unsigned i = 0; i < 4; i++) {
		struct pci_dev *d = &devs[i];
		uint16_t want = 0, cmd;

		for (unsigned b = 0; b < PCI_STD_NUM_BARS; b++) {
			const struct pci_bar *p = &d->bar[b];
			uint64_t a = pci_bar_addr(d, b);

			if (!p->size)
				continue;
			assert_true(p->mapped);
			assert_int_equal(p->addr, a);
			assert_int_equal(a % p->size, 0);
			if (p->type == PCI_BAR_IO) {
				want |= PCI_COMMAND_IO;
				assert_true(range_within(a, p->size, PCI_IO_WINDOW,
							 PCI_IO_WINDOW_END - PCI_IO_WINDOW));
			} else {
				want |= PCI_COMMAND_MEMORY;
				assert_int_equal(a % 4096, 0);
				if (mmio64 && p->type == PCI_BAR_MEM64)
					assert_true(
						range_within(a, p->size, MMIO64_BASE, MMIO64_SIZE));
				else
					assert_true(range_within(a, p->size, LAYOUT_PCI_MMIO32,
								 LAYOUT_PCI_MMIO32_SIZE));
			}
			for (unsigned k = 0; k < n; k++)
				assert_false(p->type != PCI_BAR_IO && a < seen[k].a + seen[k].len &&
					     seen[k].a < a + p->size);
			if (p->type != PCI_BAR_IO)
				seen[n++] = (struct range){a, p->size};
		}
		cmd = (uint16_t)ecam_rd(d->devfn, PCI_COMMAND, 2);
		assert_int_equal(cmd, want); /* bus mastering stays off */
	}
	/* INTERRUPT_LINE is the IOAPIC input of the slot's pin. */
	assert_int_equal(ecam_rd(PCI_DEVFN(2, 0), PCI_INTERRUPT_LINE, 1), pci_intx_gsi(2, 0));
	assert_int_equal(pci_intx_gsi(2, 0), 18);
	assert_int_equal(ecam_rd(PCI_DEVFN(3, 0), PCI_INTERRUPT_LINE, 1), pci_intx_gsi(3, 1));
	assert_int_equal(pci_intx_gsi(3, 1), 20);
	assert_int_equal(ecam_rd(PCI_DEVFN(31, 0), PCI_INTERRUPT_LINE, 1), 0);
	assert_int_equal(ecam_rd(PCI_DEVFN(1, 0), PCI_INTERRUPT_LINE, 1), 17);
}

static void test_assignment(void **state)
{
	static const uint64_t big[][2] = {{PCI_BAR_MEM32, MiB(512)}};
	static const uint64_t small[][2] = {{PCI_BAR_MEM32, 4096}};
	uint64_t v;

	(void)state;
	check_assignment(false);
	/* A 512 MiB BAR no longer fits the 32-bit window; the failed add
	 * leaves nothing behind, and a small BAR still fits. */
	assert_int_equal(add_dev(4, 6, 1, big, 1), -ENOSPC);
	assert_null(pci_bus_find(pbus, PCI_DEVFN(6, 0)));
	assert_null(devs[4].bus);
	assert_int_equal(add_dev(5, 6, 1, small, 1), PCI_DEVFN(6, 0));
	assert_true(bus_read(&mmio, pci_bar_addr(&devs[5], 0), 4, &v));
	/* Slot errors. */
	assert_int_equal(add_dev(6, 6, 1, small, 1), -EBUSY);
	assert_int_equal(pci_bus_add(pbus, &devs[6], 0), -EINVAL);
	assert_int_equal(pci_bus_add(pbus, &devs[6], 32), -EINVAL);
	assert_int_equal(pci_bus_add(pbus, &devs[5], 7), -EINVAL); /* already in */
}

static void test_assignment64(void **state)
{
	(void)state;
	check_assignment(true);
}

static void test_slots_full(void **state)
{
	static struct pci_dev many[PCI_MAX_SLOTS];
	struct pci_dev_info info = {.vendor = 0x1234, .device = 1, .name = "x"};
	struct pci_dev extra;

	(void)state;
	for (unsigned s = 1; s < PCI_MAX_SLOTS; s++) {
		pci_dev_init(&many[s], &info, NULL, NULL);
		assert_int_equal(pci_bus_add(pbus, &many[s], -1), PCI_DEVFN(s, 0));
	}
	pci_dev_init(&extra, &info, NULL, NULL);
	assert_int_equal(pci_bus_add(pbus, &extra, -1), -ENOSPC);
	pci_bus_free(pbus);
	pbus = NULL;
	for (unsigned s = 1; s < PCI_MAX_SLOTS; s++)
		pci_dev_fini(&many[s]);
	pci_dev_fini(&extra);
}

static void test_bad_config(void **state)
{
	struct pci_bus *b;
	struct pci_bus_config cfg = {.mmio = &mmio, .pio = &pio};

	(void)state;
	/* The ECAM window is taken by the fixture's bus. */
	assert_int_equal(pci_bus_new(&cfg, &b), -EBUSY);
	cfg.mmio64_base = 0x80000000; /* below 4 GiB */
	cfg.mmio64_size = GiB(1);
	assert_int_equal(pci_bus_new(&cfg, &b), -EINVAL);
	cfg.mmio = NULL;
	assert_int_equal(pci_bus_new(&cfg, &b), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_host_bridge_and_absent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ecam_conf1_agree, setup, teardown),
		cmocka_unit_test_setup_teardown(test_conf1_low_bits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_assignment, setup, teardown),
		cmocka_unit_test_setup_teardown(test_assignment64, setup64, teardown),
		cmocka_unit_test_setup_teardown(test_slots_full, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_config, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
