/* SPDX-License-Identifier: MIT */
/* Shared fixture of the MSI and MSI-X tests (test_pci_msi.c,
 * test_pci_msix.c): the MMIO and port buses, a GSI table without a VM
 * (vm_fd -1), a PCI bus whose MSI-X router and msi_sink are fakes that
 * record every call (the router also installs the route in the GSI table),
 * and the device under test in slot SLOT.
 *
 * The test program defines fx_dev_init(), declared below: it initialises
 * the device with pci_dev_init() and gives it its capability, before the
 * fixture adds it to the bus. Helpers are static inline so that a test
 * program may leave some unused. */
#ifndef TESTS_UNIT_MSI_FIXTURE_H
#define TESTS_UNIT_MSI_FIXTURE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "devices/pci/pci.h"
#include "vmm/layout.h"

#define NVEC	 4 /* vectors of the device under test */
#define SLOT	 5
#define MSI_ADDR 0xfee01000u /* destination APIC ID 1 */

static struct bus mmio, pio;
static struct gsi_table gsi;
static struct pci_bus *pbus;
static struct pci_dev dev;

/* What the fake router and sink saw, in order (the first ARRAY_SIZE). */
struct route_rec {
	unsigned gsi;
	struct msi_msg msg;
	uint16_t rid;
	bool enabled;
	int tag; /* *opaque of the router: router_tags[0] or [1] */
};
static struct route_rec routes[256];
static unsigned nr_routes;

struct irqfd_rec {
	int efd;
	unsigned gsi;
	bool assign;
};
static struct irqfd_rec irqfds[64];
static unsigned nr_irqfds;

struct sent_rec {
	struct msi_msg msg;
	uint16_t rid;
};
static struct sent_rec sent[16];
static unsigned nr_sent;

/* The opaque values of the bus's router ([0]) and of a second one ([1]). */
static int router_tags[2] = {1, 2};

/* Initialise d and give it its MSI or MSI-X capability: 0, or the setup
 * fails. Defined by the test program. */
static int fx_dev_init(struct pci_dev *d);

static inline int fake_route(void *opaque, unsigned g, const struct msi_msg *msg, uint16_t rid,
			     bool enabled)
{
	if (nr_routes < ARRAY_SIZE(routes))
		routes[nr_routes++] = (struct route_rec){g, *msg, rid, enabled, *(int *)opaque};
	return msix_route_kvm(&gsi, g, msg, rid, enabled);
}

static inline int fake_irqfd(void *opaque, int efd, unsigned g, bool assign)
{
	(void)opaque;
	if (nr_irqfds < ARRAY_SIZE(irqfds))
		irqfds[nr_irqfds++] = (struct irqfd_rec){efd, g, assign};
	return 0;
}

static inline int fake_send(void *opaque, const struct msi_msg *msg, uint16_t rid)
{
	(void)opaque;
	if (nr_sent < ARRAY_SIZE(sent))
		sent[nr_sent++] = (struct sent_rec){*msg, rid};
	return 0;
}

/* The last route the fake router saw. */
static inline const struct route_rec *last_route(void)
{
	assert_true(nr_routes > 0 && nr_routes <= ARRAY_SIZE(routes));
	return &routes[nr_routes - 1];
}

/* A bus with or without GSIs (without: vectors go through fake_send), and
 * the device under test on it at SLOT. */
static inline int fx_setup(bool with_gsi)
{
	struct pci_bus_config cfg = {
		.mmio = &mmio,
		.pio = &pio,
		.gsi = with_gsi ? &gsi : NULL,
		.msi = {fake_send, NULL},
	};
	int ret;

	if (with_gsi)
		cfg.router = (struct msix_router){fake_route, fake_irqfd, &router_tags[0]};
	bus_init(&mmio, "mmio");
	bus_init(&pio, "pio");
	gsi_table_init(&gsi, -1);
	nr_routes = nr_irqfds = nr_sent = 0;
	ret = pci_bus_new(&cfg, &pbus);
	if (ret)
		return ret;
	if (fx_dev_init(&dev))
		return -1;
	return pci_bus_add(pbus, &dev, SLOT) == PCI_DEVFN(SLOT, 0) ? 0 : -1;
}

/* cmocka setup: with GSIs (irqfd delivery). */
static inline int setup(void **state)
{
	(void)state;
	return fx_setup(true);
}

/* cmocka setup: without GSIs (delivery through the bus's msi_sink). */
static inline int setup_nogsi(void **state)
{
	(void)state;
	return fx_setup(false);
}

/* cmocka teardown: the bus (if the test left it) and the device. */
static inline int teardown(void **state)
{
	(void)state;
	pci_bus_free(pbus);
	pci_dev_fini(&dev);
	return 0;
}

/* Interrupts counted on eventfd efd since the last call. */
static inline uint64_t efd_fired(int efd)
{
	uint64_t n = 0;

	assert_true(efd >= 0);
	if (read(efd, &n, sizeof(n)) != sizeof(n))
		return 0;
	return n;
}

#endif /* TESTS_UNIT_MSI_FIXTURE_H */
