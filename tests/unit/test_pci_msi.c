/* SPDX-License-Identifier: MIT */
/* Unit tests for MSI (devices/pci/msi.c): the capability's read-only and
 * writable bits, multiple-message data, per-vector masking with the pending
 * register, delivery through irqfd eventfds (routes recorded by a fake
 * router with the requester ID) or the bus's msi_sink without GSIs, and
 * reset. */
#include "msi_fixture.h"

static const struct pci_dev_info info = {
	.vendor = 0x1234,
	.device = 0x11e8,
	.class = 0x00ff00,
	.intx_pin = 1,
	.name = "msi-test",
};

static int fx_dev_init(struct pci_dev *d)
{
	pci_dev_init(d, &info, NULL, NULL);
	return msi_init(d, NVEC);
}

static unsigned cap(void)
{
	return pci_cap_find(&dev, PCI_CAP_ID_MSI, 0);
}

static uint32_t rd(unsigned off, unsigned size)
{
	return pci_config_read(&dev, (uint16_t)(cap() + off), size);
}

static void wr(unsigned off, unsigned size, uint32_t v)
{
	pci_config_write(&dev, (uint16_t)(cap() + off), size, v);
}

/* Interrupts counted on vector vec's eventfd since the last call. */
static uint64_t fired(unsigned vec)
{
	return efd_fired(dev.msi.vec[vec].efd);
}

/* Program address and data, then enable 2^mme vectors. */
static void enable(uint16_t data, unsigned mme)
{
	wr(PCI_MSI_ADDRESS_LO, 4, MSI_ADDR);
	wr(PCI_MSI_ADDRESS_HI, 4, 0);
	wr(PCI_MSI_DATA_64, 2, data);
	wr(PCI_MSI_FLAGS, 2, PCI_MSI_FLAGS_ENABLE | mme << 4);
}

static void test_capability(void **state)
{
	(void)state;
	assert_int_not_equal(cap(), 0);
	/* 64-bit, per-vector masking, Multiple Message Capable = log2(4). */
	assert_int_equal(rd(PCI_MSI_FLAGS, 2),
			 PCI_MSI_FLAGS_64BIT | PCI_MSI_FLAGS_MASKBIT | 2 << 1);
	wr(PCI_MSI_FLAGS, 2, 0xffff);
	assert_int_equal(rd(PCI_MSI_FLAGS, 2), PCI_MSI_FLAGS_64BIT | PCI_MSI_FLAGS_MASKBIT |
						       2 << 1 | PCI_MSI_FLAGS_ENABLE |
						       PCI_MSI_FLAGS_QSIZE);
	wr(PCI_MSI_FLAGS, 2, 0);
	/* The address is dword aligned; the mask has one bit per vector; the
	 * pending register is the device's. */
	wr(PCI_MSI_ADDRESS_LO, 4, 0xffffffff);
	assert_int_equal(rd(PCI_MSI_ADDRESS_LO, 4), 0xfffffffc);
	wr(PCI_MSI_MASK_64, 4, 0xffffffff);
	assert_int_equal(rd(PCI_MSI_MASK_64, 4), 0xf);
	wr(PCI_MSI_PENDING_64, 4, 0xffffffff);
	assert_int_equal(rd(PCI_MSI_PENDING_64, 4), 0);
	assert_false(msi_enabled(&dev));
	assert_int_equal(msi_notify(&dev, 0), -ENODEV);
}

static void test_init_refuses(void **state)
{
	struct pci_dev d;

	(void)state;
	pci_dev_init(&d, &info, NULL, NULL);
	assert_int_equal(msi_init(&d, 0), -EINVAL);
	assert_int_equal(msi_init(&d, 3), -EINVAL);
	assert_int_equal(msi_init(&d, 64), -EINVAL);
	assert_int_equal(msi_init(&d, 32), 0);
	assert_int_equal(msi_init(&d, 1), -EINVAL); /* already there */
	assert_int_equal(
		pci_config_read(&d, (uint16_t)(pci_cap_find(&d, PCI_CAP_ID_MSI, 0) + PCI_MSI_FLAGS),
				2) &
			PCI_MSI_FLAGS_QMASK,
		5 << 1);
	/* On a bus already: too late. */
	assert_int_equal(msi_init(&dev, 1), -EINVAL);
	pci_dev_fini(&d);
}

static void test_single_vector(void **state)
{
	(void)state;
	enable(0x41, 0);
	assert_true(msi_enabled(&dev));
	assert_true(last_route()->enabled);
	assert_int_equal(last_route()->gsi, dev.msi.vec[0].gsi);
	assert_int_equal(last_route()->msg.addr, MSI_ADDR);
	assert_int_equal(last_route()->msg.data, 0x41);
	assert_int_equal(last_route()->rid, PCI_RID(0, PCI_DEVFN(SLOT, 0)));
	assert_int_equal(msi_notify(&dev, 0), 0);
	assert_int_equal(fired(0), 1);
	/* One vector enabled: the others do not exist for the guest. */
	assert_int_equal(msi_notify(&dev, 1), -EINVAL);
	/* A new data value is routed at once. */
	wr(PCI_MSI_DATA_64, 2, 0x52);
	assert_int_equal(last_route()->msg.data, 0x52);
	/* Disabled: removed. */
	wr(PCI_MSI_FLAGS, 2, 0);
	assert_false(last_route()->enabled);
	assert_int_equal(msi_notify(&dev, 0), -ENODEV);
}

static void test_multiple_message(void **state)
{
	(void)state;
	/* 4 vectors: vector i replaces the low two bits of the data. */
	enable(0x40, 2);
	assert_int_equal(msi_notify(&dev, 2), 0);
	assert_int_equal(fired(2), 1);
	assert_int_equal(dev.msi.vec[2].rmsg.data, 0x42);
	assert_int_equal(dev.msi.vec[3].rmsg.data, 0x43);
	/* The guest asks for 32 of our 4: it gets 4. */
	wr(PCI_MSI_FLAGS, 2, PCI_MSI_FLAGS_ENABLE | 5 << 4);
	assert_int_equal(msi_notify(&dev, 3), 0);
	assert_int_equal(msi_notify(&dev, 4), -EINVAL);
	/* 2 vectors: one low bit replaced. */
	wr(PCI_MSI_FLAGS, 2, PCI_MSI_FLAGS_ENABLE | 1 << 4);
	assert_int_equal(dev.msi.vec[1].rmsg.data, 0x41);
	assert_false(dev.msi.vec[2].routed);
	assert_int_equal(msi_notify(&dev, 2), -EINVAL);
}

static void test_mask_pending(void **state)
{
	(void)state;
	enable(0x30, 1);
	wr(PCI_MSI_MASK_64, 4, 1u << 1);
	assert_false(dev.msi.vec[1].routed);
	assert_int_equal(msi_notify(&dev, 1), 1);
	assert_int_equal(msi_notify(&dev, 1), 1);
	assert_int_equal(rd(PCI_MSI_PENDING_64, 4), 1u << 1);
	assert_int_equal(fired(1), 0);
	/* Vector 0 is not affected. */
	assert_int_equal(msi_notify(&dev, 0), 0);
	assert_int_equal(fired(0), 1);
	/* Unmasked: one interrupt for the pending bit, which clears. */
	wr(PCI_MSI_MASK_64, 4, 0);
	assert_int_equal(fired(1), 1);
	assert_int_equal(rd(PCI_MSI_PENDING_64, 4), 0);
	assert_true(dev.msi.vec[1].routed);
}

static void test_reset(void **state)
{
	(void)state;
	enable(0x30, 1);
	wr(PCI_MSI_MASK_64, 4, 1);
	assert_int_equal(msi_notify(&dev, 0), 1);
	pci_dev_reset(&dev);
	assert_false(msi_enabled(&dev));
	assert_int_equal(rd(PCI_MSI_MASK_64, 4), 0);
	assert_int_equal(rd(PCI_MSI_PENDING_64, 4), 0);
	assert_int_equal(rd(PCI_MSI_DATA_64, 2), 0);
	assert_false(dev.msi.vec[0].routed);
	assert_int_equal(msi_notify(&dev, 0), -ENODEV);
}

/* Without GSIs the message goes through the bus's sink, with the RID. */
static void test_no_gsi(void **state)
{
	(void)state;
	enable(0x61, 1);
	assert_int_equal(msi_notify(&dev, 1), 0);
	assert_int_equal(nr_sent, 1);
	assert_int_equal(sent[0].msg.addr, MSI_ADDR);
	assert_int_equal(sent[0].msg.data, 0x61);
	assert_int_equal(sent[0].rid, PCI_RID(0, PCI_DEVFN(SLOT, 0)));
	assert_int_equal(nr_routes, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_capability, setup, teardown),
		cmocka_unit_test_setup_teardown(test_init_refuses, setup, teardown),
		cmocka_unit_test_setup_teardown(test_single_vector, setup, teardown),
		cmocka_unit_test_setup_teardown(test_multiple_message, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mask_pending, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reset, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_gsi, setup_nogsi, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
