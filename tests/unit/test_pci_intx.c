/* SPDX-License-Identifier: MIT */
/* Unit tests for INTx (devices/pci/intx.c) and function reset: the
 * level-triggered pins shared between slots (wired-OR into one IOAPIC
 * input), STATUS.INTERRUPT, COMMAND.INTX_DISABLE, and pci_dev_reset()
 * returning a function to its firmware state. */
#include <errno.h>

#define PCI_FX_DEVS 4
#include "pci_fixture.h"

static int level[IOAPIC_PINS];
static unsigned nr_sets;

static void fake_ioapic_set(void *opaque, unsigned pin, int lvl)
{
	(void)opaque;
	assert_true(pin < IOAPIC_PINS);
	level[pin] = lvl;
	nr_sets++;
}

static int setup(void **state)
{
	struct pci_bus_config cfg = {
		.mmio = &mmio,
		.pio = &pio,
		.intx = {.set = fake_ioapic_set},
	};

	(void)state;
	bus_init(&mmio, "mmio");
	bus_init(&pio, "pio");
	memset(level, 0, sizeof(level));
	nr_sets = 0;
	return pci_bus_new(&cfg, &pbus);
}

/* Device i at slot with interrupt pin 'pin' and, if bar_size, one 32-bit
 * memory BAR. */
static int add_dev(unsigned i, int slot, uint8_t pin, uint64_t bar_size)
{
	dev_init(i, pin, "intx-test");
	if (bar_size)
		assert_int_equal(pci_bar_declare(&devs[i], 0, PCI_BAR_MEM32, bar_size, false), 0);
	return pci_bus_add(pbus, &devs[i], slot);
}

static void test_intx(void **state)
{
	struct pci_dev *a = &devs[0], *b = &devs[1], *c = &devs[2];

	(void)state;
	/* Slots 1 and 9 share IOAPIC input 17 (INTA); slot 2 has no pin. */
	assert_int_equal(add_dev(0, 1, 1, 0), PCI_DEVFN(1, 0));
	assert_int_equal(add_dev(1, 9, 1, 0), PCI_DEVFN(9, 0));
	assert_int_equal(add_dev(2, 2, 0, 0), PCI_DEVFN(2, 0));
	assert_int_equal(pci_intx_gsi(1, 0), pci_intx_gsi(9, 0));
	assert_int_equal(ecam_rd(PCI_DEVFN(9, 0), PCI_INTERRUPT_LINE, 1), 17);

	pci_set_intx(a, 1);
	assert_int_equal(level[17], 1);
	assert_true(ecam_rd(a->devfn, PCI_STATUS, 2) & PCI_STATUS_INTERRUPT);
	pci_set_intx(b, 1);
	pci_set_intx(a, 0);
	assert_int_equal(level[17], 1); /* b still asserts */
	assert_false(ecam_rd(a->devfn, PCI_STATUS, 2) & PCI_STATUS_INTERRUPT);
	pci_set_intx(b, 0);
	assert_int_equal(level[17], 0);

	/* INTX_DISABLE gates the pin; STATUS.INTERRUPT still shows it. */
	pci_set_intx(a, 1);
	ecam_wr(a->devfn, PCI_COMMAND, 2, PCI_COMMAND_INTX_DISABLE);
	assert_int_equal(level[17], 0);
	assert_true(ecam_rd(a->devfn, PCI_STATUS, 2) & PCI_STATUS_INTERRUPT);
	pci_set_intx(a, 1); /* still disabled */
	assert_int_equal(level[17], 0);
	ecam_wr(a->devfn, PCI_COMMAND, 2, 0);
	assert_int_equal(level[17], 1);
	/* The guest cannot clear STATUS.INTERRUPT. */
	ecam_wr(a->devfn, PCI_STATUS, 2, 0xffff);
	assert_true(ecam_rd(a->devfn, PCI_STATUS, 2) & PCI_STATUS_INTERRUPT);
	/* Reset deasserts. */
	pci_dev_reset(a);
	assert_int_equal(level[17], 0);

	/* No pin: nothing happens. */
	nr_sets = 0;
	pci_set_intx(c, 1);
	assert_int_equal(nr_sets, 0);
	assert_int_equal(ecam_rd(c->devfn, PCI_INTERRUPT_LINE, 1), 0);
	/* Bus teardown deasserts what is still asserted. */
	pci_set_intx(b, 1);
	assert_int_equal(level[17], 1);
	pci_bus_free(pbus);
	pbus = NULL;
	assert_int_equal(level[17], 0);
}

static void test_reset(void **state)
{
	struct pci_dev *d = &devs[0];
	uint64_t a, v;

	(void)state;
	assert_int_equal(add_dev(0, 5, 1, 4096), PCI_DEVFN(5, 0));
	a = pci_bar_addr(d, 0);
	ecam_wr(d->devfn, PCI_BASE_ADDRESS_0, 4, 0xd0000000);
	ecam_wr(d->devfn, PCI_COMMAND, 2, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	assert_true(bus_read(&mmio, 0xd0000000, 4, &v));
	pci_dev_reset(d);
	assert_int_equal(pci_bar_addr(d, 0), a);
	assert_int_equal(ecam_rd(d->devfn, PCI_COMMAND, 2), PCI_COMMAND_MEMORY);
	assert_false(bus_read(&mmio, 0xd0000000, 4, &v));
	assert_true(bus_read(&mmio, a, 4, &v));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_intx, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reset, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
