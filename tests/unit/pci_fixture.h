/* SPDX-License-Identifier: MIT */
/* Shared fixture of the PCI bus tests (test_pci_bus.c, test_pci_intx.c):
 * the MMIO and port buses, the PCI bus on them, test devices and ECAM
 * config accesses. Define PCI_FX_DEVS (how many test devices) before
 * including. Helpers are static inline so that a test program may leave
 * some unused. */
#ifndef TESTS_UNIT_PCI_FIXTURE_H
#define TESTS_UNIT_PCI_FIXTURE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "devices/pci/pci.h"
#include "vmm/layout.h"

static struct bus mmio, pio;
static struct pci_bus *pbus;
static struct pci_dev devs[PCI_FX_DEVS];

/* Frees the bus (if the test left it) and finalises every test device. */
static inline int teardown(void **state)
{
	(void)state;
	pci_bus_free(pbus);
	for (unsigned i = 0; i < ARRAY_SIZE(devs); i++)
		pci_dev_fini(&devs[i]);
	memset(devs, 0, sizeof(devs));
	return 0;
}

/* devs[i]: vendor 0x1234, device 0x1000 + i, class 0x00ff00, INTx pin. */
static inline void dev_init(unsigned i, uint8_t pin, const char *name)
{
	struct pci_dev_info info = {.vendor = 0x1234,
				    .device = 0x1000 + i,
				    .class = 0x00ff00,
				    .intx_pin = pin,
				    .name = name};

	pci_dev_init(&devs[i], &info, NULL, NULL);
}

static inline uint32_t ecam_rd(unsigned devfn, unsigned reg, unsigned size)
{
	uint64_t v;

	assert_true(bus_read(&mmio, LAYOUT_PCI_ECAM + (devfn << 12) + reg, size, &v));
	return (uint32_t)v;
}

static inline void ecam_wr(unsigned devfn, unsigned reg, unsigned size, uint32_t v)
{
	assert_true(bus_write(&mmio, LAYOUT_PCI_ECAM + (devfn << 12) + reg, size, v));
}

#endif /* TESTS_UNIT_PCI_FIXTURE_H */
