/* SPDX-License-Identifier: MIT */
/* Unit tests for MSI-X (devices/pci/msix.c): the capability, table and PBA
 * accesses through a BAR on a real MMIO bus, per-vector and function
 * masking with pending bits, delivery through irqfd eventfds, and GSI route
 * updates (recorded in a struct gsi_table with vm_fd -1 and by a fake
 * router that also sees the requester ID). */
#include "msi_fixture.h"

#define PBA_OFF 0x2000

static unsigned dev_reads;

static uint64_t dev_read(struct pci_dev *d, unsigned bar, uint64_t off, unsigned size)
{
	(void)d, (void)bar, (void)off, (void)size;
	dev_reads++;
	return 0x5a;
}

static const struct pci_dev_ops ops = {.bar_read = dev_read};

static const struct pci_dev_info info = {
	.vendor = 0x1af4,
	.device = 0x1042,
	.class = 0x010000,
	.intx_pin = 1,
	.name = "msix-test",
};

/* NVEC vectors, table at BAR 0 offset 0, PBA at BAR 0 offset PBA_OFF. */
static int fx_dev_init(struct pci_dev *d)
{
	dev_reads = 0;
	pci_dev_init(d, &info, &ops, NULL);
	if (pci_bar_declare(d, 0, PCI_BAR_MEM32, KiB(16), false))
		return -1;
	return msix_init(d, NVEC, 0, 0, 0, PBA_OFF);
}

static uint64_t bar0(void)
{
	return pci_bar_addr(&dev, 0);
}

static uint32_t tbl_r(unsigned vec, unsigned field)
{
	uint64_t v;

	assert_true(bus_read(&mmio, bar0() + vec * 16 + field, 4, &v));
	return (uint32_t)v;
}

static void tbl_w(unsigned vec, unsigned field, uint32_t val)
{
	assert_true(bus_write(&mmio, bar0() + vec * 16 + field, 4, val));
}

static uint64_t pba(void)
{
	uint64_t v;

	assert_true(bus_read(&mmio, bar0() + PBA_OFF, 8, &v));
	return v;
}

static void msix_flags(uint16_t flags)
{
	uint8_t cap = pci_cap_find(&dev, PCI_CAP_ID_MSIX, 0);

	pci_config_write(&dev, cap + PCI_MSIX_FLAGS, 2, flags);
}

/* Interrupts counted on vector vec's eventfd since the last call. */
static uint64_t fired(unsigned vec)
{
	return efd_fired(msix_vector_eventfd(&dev, vec));
}

static unsigned vec_gsi(unsigned vec)
{
	return dev.msix.vec[vec].iv.gsi;
}

static void program(unsigned vec, uint32_t data)
{
	tbl_w(vec, PCI_MSIX_ENTRY_LOWER_ADDR, MSI_ADDR);
	tbl_w(vec, PCI_MSIX_ENTRY_UPPER_ADDR, 0);
	tbl_w(vec, PCI_MSIX_ENTRY_DATA, data);
}

static void test_capability_and_table(void **state)
{
	uint8_t cap = pci_cap_find(&dev, PCI_CAP_ID_MSIX, 0);
	uint64_t v;

	(void)state;
	assert_true(cap >= 0x40);
	assert_int_equal(pci_config_read(&dev, cap + PCI_MSIX_FLAGS, 2), NVEC - 1);
	assert_int_equal(pci_config_read(&dev, cap + PCI_MSIX_TABLE, 4), 0);
	assert_int_equal(pci_config_read(&dev, cap + PCI_MSIX_PBA, 4), PBA_OFF);
	/* Only enable and function mask are writable. */
	msix_flags(0xffff);
	assert_int_equal(pci_config_read(&dev, cap + PCI_MSIX_FLAGS, 2),
			 PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL | (NVEC - 1));
	msix_flags(0);
	pci_config_write(&dev, cap + PCI_MSIX_TABLE, 4, 0x1000);
	assert_int_equal(pci_config_read(&dev, cap + PCI_MSIX_TABLE, 4), 0);

	/* Every vector starts masked with a zero message. */
	for (unsigned i = 0; i < NVEC; i++) {
		assert_int_equal(tbl_r(i, PCI_MSIX_ENTRY_VECTOR_CTRL), PCI_MSIX_ENTRY_CTRL_MASKBIT);
		assert_int_equal(tbl_r(i, PCI_MSIX_ENTRY_DATA), 0);
	}
	program(1, 0x4041);
	assert_int_equal(tbl_r(1, PCI_MSIX_ENTRY_LOWER_ADDR), MSI_ADDR);
	assert_int_equal(tbl_r(1, PCI_MSIX_ENTRY_DATA), 0x4041);
	assert_true(bus_read(&mmio, bar0() + 16, 8, &v));
	assert_int_equal(v, MSI_ADDR);
	/* A qword write of data + control; reserved control bits read 0. */
	assert_true(bus_write(&mmio, bar0() + 16 + 8, 8, 0xfffffffe00004042ull));
	assert_int_equal(tbl_r(1, PCI_MSIX_ENTRY_DATA), 0x4042);
	assert_int_equal(tbl_r(1, PCI_MSIX_ENTRY_VECTOR_CTRL), 0);
	tbl_w(1, PCI_MSIX_ENTRY_VECTOR_CTRL, 0xffffffff);
	assert_int_equal(tbl_r(1, PCI_MSIX_ENTRY_VECTOR_CTRL), 1);
	/* Bad sizes are ignored; the PBA is read-only. */
	assert_true(bus_write(&mmio, bar0() + 16 + 8, 2, 0xffff));
	assert_int_equal(tbl_r(1, PCI_MSIX_ENTRY_DATA), 0x4042);
	assert_true(bus_write(&mmio, bar0() + PBA_OFF, 8, ~0ull));
	assert_int_equal(pba(), 0);
	/* Outside the windows, the device's own handler answers. */
	assert_int_equal(dev_reads, 0);
	assert_true(bus_read(&mmio, bar0() + 0x1000, 4, &v));
	assert_int_equal(v, 0x5a);
	assert_true(bus_read(&mmio, bar0() + PBA_OFF + 8, 4, &v));
	assert_int_equal(dev_reads, 2);
}

/* An access that straddles the edge of the table (or PBA) window is the
 * core's, not the device's: a device behind it (VFIO) must not see part of
 * the table (fuzz_vfio_pci crasher bar-access-straddling-msix-table). */
static void test_straddling_access(void **state)
{
	uint64_t v = 0;

	(void)state;
	program(3, 0x4043);
	assert_true(bus_read(&mmio, bar0() + NVEC * 16 - 4, 8, &v));
	assert_true(bus_write(&mmio, bar0() + NVEC * 16 - 4, 8, ~0ull));
	assert_true(bus_read(&mmio, bar0() + PBA_OFF - 4, 8, &v));
	assert_int_equal(dev_reads, 0);
	assert_int_equal(tbl_r(3, PCI_MSIX_ENTRY_VECTOR_CTRL), PCI_MSIX_ENTRY_CTRL_MASKBIT);
}

/* A router that refuses every route it is asked to install, as interrupt
 * remapping does for a message its table blocks. */
static int refusing_route(void *opaque, unsigned g, const struct msi_msg *msg, uint16_t rid,
			  bool enabled)
{
	if (enabled)
		return -EPERM;
	return fake_route(opaque, g, msg, rid, false);
}

/* A vector whose route was refused is not dropped: each interrupt goes to
 * the bus's msi_sink with the requester ID, where remapping blocks and
 * records it per request (not its eventfd, which no route would deliver). */
static void test_refused_route(void **state)
{
	struct msix_router r = {refusing_route, fake_irqfd, &router_tags[1]};

	(void)state;
	pci_bus_set_msix_router(pbus, &r);
	msix_flags(PCI_MSIX_FLAGS_ENABLE);
	program(1, 0x4041);
	tbl_w(1, PCI_MSIX_ENTRY_VECTOR_CTRL, 0);
	assert_int_equal(gsi.e[vec_gsi(1)].type, 0);
	assert_int_equal(nr_sent, 0);
	assert_int_equal(msix_notify(&dev, 1), 0);
	assert_int_equal(msix_notify(&dev, 1), 0);
	assert_int_equal(fired(1), 0);
	assert_int_equal(nr_sent, 2);
	assert_int_equal(sent[1].rid, PCI_DEVFN(SLOT, 0));
	assert_int_equal(sent[1].msg.addr, MSI_ADDR);
	assert_int_equal(sent[1].msg.data, 0x4041);
}

static void test_delivery(void **state)
{
	struct msix_router r2 = {fake_route, fake_irqfd, &router_tags[1]};
	uint16_t rid = PCI_DEVFN(SLOT, 0);
	unsigned g, n;

	(void)state;
	/* Each vector got a GSI and an eventfd attached to it. */
	assert_int_equal(nr_irqfds, NVEC);
	for (unsigned i = 0; i < NVEC; i++) {
		assert_true(irqfds[i].assign);
		assert_int_equal(irqfds[i].gsi, vec_gsi(i));
		assert_true(vec_gsi(i) >= IOAPIC_PINS);
		assert_int_equal(irqfds[i].efd, msix_vector_eventfd(&dev, i));
	}
	g = vec_gsi(1);
	assert_int_equal(msix_notify(&dev, 1), -ENODEV);
	assert_int_equal(msix_notify(&dev, NVEC), -EINVAL);
	assert_false(msix_enabled(&dev));

	/* Enabled, vector masked: pending, no route, nothing fired. */
	msix_flags(PCI_MSIX_FLAGS_ENABLE);
	assert_true(msix_enabled(&dev));
	assert_int_equal(nr_routes, 0);
	assert_int_equal(msix_notify(&dev, 1), 1);
	assert_int_equal(pba(), 1u << 1);
	assert_int_equal(fired(1), 0);

	/* Program and unmask: routed with the requester ID, pending sent. */
	program(1, 0x4041);
	assert_int_equal(nr_routes, 0); /* still masked */
	tbl_w(1, PCI_MSIX_ENTRY_VECTOR_CTRL, 0);
	assert_false(msix_vector_masked(&dev, 1));
	assert_int_equal(nr_routes, 1);
	assert_true(routes[0].enabled);
	assert_int_equal(routes[0].gsi, g);
	assert_int_equal(routes[0].rid, rid);
	assert_int_equal(routes[0].msg.addr, MSI_ADDR);
	assert_int_equal(routes[0].msg.data, 0x4041);
	assert_int_equal(gsi.e[g].type, KVM_IRQ_ROUTING_MSI);
	assert_int_equal(gsi.e[g].u.msi.address_lo, MSI_ADDR);
	assert_int_equal(gsi.e[g].u.msi.data, 0x4041);
	assert_int_equal(pba(), 0);
	assert_int_equal(fired(1), 1);
	assert_int_equal(msix_notify(&dev, 1), 0);
	assert_int_equal(msix_notify(&dev, 1), 0);
	assert_int_equal(fired(1), 2);
	assert_int_equal(fired(0), 0);

	/* The guest retargets the unmasked vector: the route follows. */
	tbl_w(1, PCI_MSIX_ENTRY_DATA, 0x4051);
	assert_int_equal(nr_routes, 2);
	assert_int_equal(gsi.e[g].u.msi.data, 0x4051);
	/* Rewriting the same value does not touch KVM. */
	tbl_w(1, PCI_MSIX_ENTRY_DATA, 0x4051);
	assert_int_equal(nr_routes, 2);

	/* Function mask: route removed, pending, then delivered. */
	msix_flags(PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL);
	assert_int_equal(gsi.e[g].type, 0);
	assert_false(routes[nr_routes - 1].enabled);
	assert_true(msix_vector_masked(&dev, 1));
	assert_int_equal(msix_notify(&dev, 1), 1);
	assert_int_equal(msix_notify(&dev, 1), 1); /* one pending bit */
	assert_int_equal(pba(), 1u << 1);
	assert_int_equal(fired(1), 0);
	msix_flags(PCI_MSIX_FLAGS_ENABLE);
	assert_int_equal(gsi.e[g].type, KVM_IRQ_ROUTING_MSI);
	assert_int_equal(pba(), 0);
	assert_int_equal(fired(1), 1);

	/* Vector mask: the same, for that vector only. */
	program(2, 0x4061);
	tbl_w(2, PCI_MSIX_ENTRY_VECTOR_CTRL, 0);
	tbl_w(1, PCI_MSIX_ENTRY_VECTOR_CTRL, 1);
	assert_int_equal(msix_notify(&dev, 1), 1);
	assert_int_equal(msix_notify(&dev, 2), 0);
	assert_int_equal(pba(), 1u << 1);
	assert_int_equal(fired(2), 1);
	tbl_w(1, PCI_MSIX_ENTRY_VECTOR_CTRL, 0);
	assert_int_equal(fired(1), 1);
	assert_int_equal(pba(), 0);

	/* A new router (interrupt remapping) re-routes what is routed. */
	n = nr_routes;
	pci_bus_set_msix_router(pbus, &r2);
	assert_int_equal(nr_routes, n + 2);
	for (unsigned i = n; i < nr_routes; i++) {
		assert_int_equal(routes[i].tag, 2);
		assert_true(routes[i].enabled);
		assert_int_equal(routes[i].rid, rid);
	}

	/* Disable: routes removed, notify says use INTx. */
	msix_flags(0);
	assert_int_equal(gsi.e[g].type, 0);
	assert_int_equal(gsi.e[vec_gsi(2)].type, 0);
	assert_int_equal(msix_notify(&dev, 1), -ENODEV);

	/* Reset masks every vector. */
	msix_flags(PCI_MSIX_FLAGS_ENABLE);
	pci_dev_reset(&dev);
	assert_false(msix_enabled(&dev));
	assert_int_equal(tbl_r(1, PCI_MSIX_ENTRY_VECTOR_CTRL), 1);

	/* Tearing the bus down detaches every irqfd. */
	n = nr_irqfds;
	pci_bus_free(pbus);
	pbus = NULL;
	assert_int_equal(nr_irqfds, n + NVEC);
	for (unsigned i = n; i < nr_irqfds; i++)
		assert_false(irqfds[i].assign);
}

/* Without a GSI table, vectors go through the bus's msi_sink. */
static void test_no_gsi(void **state)
{
	(void)state;
	assert_int_equal(msix_vector_eventfd(&dev, 0), -1);
	msix_flags(PCI_MSIX_FLAGS_ENABLE);
	program(0, 0x4071);
	assert_int_equal(msix_notify(&dev, 0), 1);
	tbl_w(0, PCI_MSIX_ENTRY_VECTOR_CTRL, 0);
	assert_int_equal(nr_sent, 1); /* the pending one */
	assert_int_equal(msix_notify(&dev, 0), 0);
	assert_int_equal(nr_sent, 2);
	assert_int_equal(sent[1].msg.addr, MSI_ADDR);
	assert_int_equal(sent[1].msg.data, 0x4071);
	assert_int_equal(sent[1].rid, PCI_DEVFN(SLOT, 0));
}

static void test_init_errors(void **state)
{
	struct pci_dev d;

	(void)state;
	pci_dev_init(&d, &info, NULL, NULL);
	assert_int_equal(pci_bar_declare(&d, 0, PCI_BAR_MEM32, 4096, false), 0);
	assert_int_equal(pci_bar_declare(&d, 1, PCI_BAR_IO, 64, false), 0);
	assert_int_equal(msix_init(&d, 0, 0, 0, 0, 0x800), -EINVAL);
	assert_int_equal(msix_init(&d, MSIX_MAX_VECTORS + 1, 0, 0, 0, 0x800), -EINVAL);
	assert_int_equal(msix_init(&d, 4, 2, 0, 0, 0x800), -EINVAL);	 /* no BAR */
	assert_int_equal(msix_init(&d, 4, 1, 0, 0, 0x800), -EINVAL);	 /* I/O */
	assert_int_equal(msix_init(&d, 4, 0, 4, 0, 0x800), -EINVAL);	 /* align */
	assert_int_equal(msix_init(&d, 4, 0, 0, 0, 0x20), -EINVAL);	 /* overlap */
	assert_int_equal(msix_init(&d, 4, 0, 0xff8, 0, 0x800), -EINVAL); /* past end */
	assert_int_equal(msix_table_size(4), 64);
	assert_int_equal(msix_pba_size(4), 8);
	assert_int_equal(msix_pba_size(65), 16);
	assert_int_equal(msix_init(&d, 4, 0, 0, 0, 0x40), 0);
	assert_int_equal(msix_init(&d, 4, 0, 0, 0, 0x40), -EINVAL); /* twice */
	pci_dev_fini(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_capability_and_table, setup, teardown),
		cmocka_unit_test_setup_teardown(test_straddling_access, setup, teardown),
		cmocka_unit_test_setup_teardown(test_delivery, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_gsi, setup_nogsi, teardown),
		cmocka_unit_test_setup_teardown(test_refused_route, setup, teardown),
		cmocka_unit_test(test_init_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
