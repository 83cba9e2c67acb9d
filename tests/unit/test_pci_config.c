/* SPDX-License-Identifier: MIT */
/* Unit tests for PCI config space (devices/pci/config.c): the type 0
 * header, the per-byte writable and W1C masks, the capability list, the
 * PCI Express capability and the config hooks. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "devices/pci/pci.h"

static const struct pci_dev_info info = {
	.vendor = 0x1af4,
	.device = 0x1041,
	.subsys_vendor = 0x1af4,
	.subsys = 0x1100,
	.class = 0x020000,
	.revision = 1,
	.intx_pin = 1,
	.name = "test",
};

static void test_header(void **state)
{
	struct pci_dev d;

	(void)state;
	pci_dev_init(&d, &info, NULL, NULL);
	assert_int_equal(pci_config_read(&d, PCI_VENDOR_ID, 2), 0x1af4);
	assert_int_equal(pci_config_read(&d, PCI_DEVICE_ID, 2), 0x1041);
	assert_int_equal(pci_config_read(&d, PCI_VENDOR_ID, 4), 0x10411af4);
	assert_int_equal(pci_config_read(&d, PCI_CLASS_REVISION, 4), 0x02000001);
	assert_int_equal(pci_config_read(&d, PCI_HEADER_TYPE, 1), PCI_HEADER_TYPE_NORMAL);
	assert_int_equal(pci_config_read(&d, PCI_SUBSYSTEM_VENDOR_ID, 2), 0x1af4);
	assert_int_equal(pci_config_read(&d, PCI_SUBSYSTEM_ID, 2), 0x1100);
	assert_int_equal(pci_config_read(&d, PCI_INTERRUPT_PIN, 1), 1);
	assert_int_equal(pci_config_read(&d, PCI_COMMAND, 2), 0);
	assert_int_equal(pci_config_read(&d, PCI_STATUS, 2), 0);
	assert_int_equal(pci_config_read(&d, PCI_CAPABILITY_LIST, 1), 0);
	/* Unimplemented BARs and the ROM BAR read zero and stay zero. */
	pci_config_write(&d, PCI_BASE_ADDRESS_0, 4, 0xffffffff);
	pci_config_write(&d, PCI_ROM_ADDRESS, 4, 0xffffffff);
	assert_int_equal(pci_config_read(&d, PCI_BASE_ADDRESS_0, 4), 0);
	assert_int_equal(pci_config_read(&d, PCI_ROM_ADDRESS, 4), 0);
	pci_dev_fini(&d);
}

static void test_masks(void **state)
{
	const uint16_t cmd_rw = PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER |
				PCI_COMMAND_PARITY | PCI_COMMAND_SERR | PCI_COMMAND_INTX_DISABLE;
	struct pci_dev d;

	(void)state;
	pci_dev_init(&d, &info, NULL, NULL);
	/* Read-only fields keep their value. */
	pci_config_write(&d, PCI_VENDOR_ID, 4, 0xffffffff);
	pci_config_write(&d, PCI_CLASS_REVISION, 4, 0);
	pci_config_write(&d, PCI_INTERRUPT_PIN, 1, 3);
	pci_config_write(&d, PCI_HEADER_TYPE, 1, 0x80);
	assert_int_equal(pci_config_read(&d, PCI_VENDOR_ID, 4), 0x10411af4);
	assert_int_equal(pci_config_read(&d, PCI_CLASS_REVISION, 4), 0x02000001);
	assert_int_equal(pci_config_read(&d, PCI_INTERRUPT_PIN, 1), 1);
	assert_int_equal(pci_config_read(&d, PCI_HEADER_TYPE, 1), 0);
	/* Only the writable command bits change. */
	pci_config_write(&d, PCI_COMMAND, 2, 0xffff);
	assert_int_equal(pci_config_read(&d, PCI_COMMAND, 2), cmd_rw);
	pci_config_write(&d, PCI_COMMAND, 1, 0);
	assert_int_equal(pci_config_read(&d, PCI_COMMAND, 2), cmd_rw & 0xff00);
	pci_config_write(&d, PCI_COMMAND, 2, 0);
	/* Writable bytes: cache line size, interrupt line. */
	pci_config_write(&d, PCI_CACHE_LINE_SIZE, 1, 0x10);
	pci_config_write(&d, PCI_INTERRUPT_LINE, 1, 0x0b);
	assert_int_equal(pci_config_read(&d, PCI_CACHE_LINE_SIZE, 1), 0x10);
	assert_int_equal(pci_config_read(&d, PCI_INTERRUPT_LINE, 1), 0x0b);
	assert_int_equal(pci_config_read(&d, PCI_LATENCY_TIMER, 1), 0);
	/* Status: W1C error bits clear on one, stay on zero; CAP_LIST and
	 * INTERRUPT are read-only. A dword write to COMMAND with the status
	 * half zero leaves status alone. */
	pci_config_set(&d, PCI_STATUS, 2,
		       PCI_STATUS_PARITY | PCI_STATUS_REC_MASTER_ABORT | PCI_STATUS_CAP_LIST |
			       PCI_STATUS_INTERRUPT);
	pci_config_write(&d, PCI_COMMAND, 4, PCI_COMMAND_MEMORY);
	assert_int_equal(pci_config_read(&d, PCI_STATUS, 2),
			 PCI_STATUS_PARITY | PCI_STATUS_REC_MASTER_ABORT | PCI_STATUS_CAP_LIST |
				 PCI_STATUS_INTERRUPT);
	pci_config_write(&d, PCI_STATUS, 2,
			 PCI_STATUS_PARITY | PCI_STATUS_CAP_LIST | PCI_STATUS_INTERRUPT);
	assert_int_equal(pci_config_read(&d, PCI_STATUS, 2),
			 PCI_STATUS_REC_MASTER_ABORT | PCI_STATUS_CAP_LIST | PCI_STATUS_INTERRUPT);
	pci_config_write(&d, PCI_COMMAND, 4, 0xffff0000u | PCI_COMMAND_MEMORY);
	assert_int_equal(pci_config_read(&d, PCI_STATUS, 2),
			 PCI_STATUS_CAP_LIST | PCI_STATUS_INTERRUPT);
	assert_int_equal(pci_config_read(&d, PCI_COMMAND, 2), PCI_COMMAND_MEMORY);
	/* A device can make its own registers writable or W1C. */
	pci_config_set_wmask(&d, 0x48, 4, 0x0000ff0f);
	pci_config_write(&d, 0x48, 4, 0xffffffff);
	assert_int_equal(pci_config_read(&d, 0x48, 4), 0x0000ff0f);
	pci_config_set_w1cmask(&d, 0x48, 1, 0x03);
	pci_config_write(&d, 0x48, 1, 0x0d);
	assert_int_equal(pci_config_read(&d, 0x48, 1), 0x0e);
	pci_dev_fini(&d);
}

static void test_bad_access(void **state)
{
	struct pci_dev d;

	(void)state;
	pci_dev_init(&d, &info, NULL, NULL);
	assert_int_equal(pci_config_read(&d, 1, 2), 0xffff);
	assert_int_equal(pci_config_read(&d, 2, 4), 0xffffffff);
	assert_int_equal(pci_config_read(&d, 0, 3), 0xffffffff);
	assert_int_equal(pci_config_read(&d, 4096, 1), 0xff);
	pci_config_write(&d, PCI_COMMAND + 1, 2, 0xffff); /* dropped */
	assert_int_equal(pci_config_read(&d, PCI_COMMAND, 2), 0);
	/* Extended config space reads zero: no extended capabilities. */
	assert_int_equal(pci_config_read(&d, 0x100, 4), 0);
	assert_int_equal(pci_config_read(&d, 0xffc, 4), 0);
	pci_config_write(&d, 0x100, 4, 0xffffffff);
	assert_int_equal(pci_config_read(&d, 0x100, 4), 0);
	pci_dev_fini(&d);
}

/* Walk the list as a guest does (bounded), collecting the IDs. */
static unsigned walk(struct pci_dev *d, uint8_t *ids, unsigned max)
{
	unsigned n = 0, pos = pci_config_read(d, PCI_CAPABILITY_LIST, 1);

	while (pos >= 0x40 && n < max) {
		ids[n++] = (uint8_t)pci_config_read(d, pos, 1);
		pos = pci_config_read(d, pos + 1, 1) & ~3u;
	}
	return n;
}

static void test_capabilities(void **state)
{
	uint8_t ids[64];
	struct pci_dev d;
	int v1, e, v2;

	(void)state;
	pci_dev_init(&d, &info, NULL, NULL);
	assert_int_equal(pci_cap_add(&d, PCI_CAP_ID_VNDR, 2), -EINVAL);
	assert_int_equal(pci_cap_add(&d, 0x05, 1), -EINVAL);
	v1 = pci_cap_add(&d, PCI_CAP_ID_VNDR, 16);
	assert_int_equal(v1, 0x40);
	e = pci_cap_add_pcie(&d, PCI_EXP_TYPE_RC_END);
	assert_int_equal(e, 0x50);
	assert_int_equal(pci_cap_add_pcie(&d, PCI_EXP_TYPE_RC_END), -EEXIST);
	v2 = pci_cap_add(&d, PCI_CAP_ID_VNDR, 19);
	assert_int_equal(v2, ALIGN_UP(0x50 + PCI_CAP_EXP_RC_ENDPOINT_SIZEOF_V2, 4));
	assert_true(pci_config_read(&d, PCI_STATUS, 2) & PCI_STATUS_CAP_LIST);
	assert_int_equal(pci_config_read(&d, PCI_CAPABILITY_LIST, 1), v1);
	assert_int_equal(pci_config_read(&d, v1 + 1, 1), e);
	assert_int_equal(pci_config_read(&d, e + 1, 1), v2);
	assert_int_equal(pci_config_read(&d, v2 + 1, 1), 0);
	assert_int_equal(pci_config_read(&d, v1 + 2, 1), 16); /* cap_len */
	assert_int_equal(pci_config_read(&d, v2 + 2, 1), 19);
	assert_int_equal(walk(&d, ids, 64), 3);
	assert_int_equal(ids[0], PCI_CAP_ID_VNDR);
	assert_int_equal(ids[1], PCI_CAP_ID_EXP);
	assert_int_equal(ids[2], PCI_CAP_ID_VNDR);
	assert_int_equal(pci_cap_find(&d, PCI_CAP_ID_EXP, 0), e);
	assert_int_equal(pci_cap_find(&d, PCI_CAP_ID_VNDR, 0), v1);
	assert_int_equal(pci_cap_find(&d, PCI_CAP_ID_VNDR, (uint8_t)v1), v2);
	assert_int_equal(pci_cap_find(&d, PCI_CAP_ID_VNDR, (uint8_t)v2), 0);
	assert_int_equal(pci_cap_find(&d, PCI_CAP_ID_MSIX, 0), 0);
	/* The list is read-only for the guest. */
	pci_config_write(&d, v1, 4, 0);
	pci_config_write(&d, PCI_CAPABILITY_LIST, 1, 0);
	assert_int_equal(pci_config_read(&d, v1 + 1, 1), e);
	assert_int_equal(pci_config_read(&d, PCI_CAPABILITY_LIST, 1), v1);
	/* Fill the rest of the 256 bytes; then there is no room. */
	while (pci_cap_add(&d, PCI_CAP_ID_VNDR, 16) > 0)
		;
	assert_int_equal(pci_cap_add(&d, PCI_CAP_ID_VNDR, 16), -ENOSPC);
	assert_true(walk(&d, ids, 64) <= (256 - 0x40) / 4);
	/* A corrupted (looping) list: the walk is bounded. */
	pci_config_set(&d, v2 + 1, 1, (uint32_t)v1);
	assert_int_equal(pci_cap_find(&d, PCI_CAP_ID_MSIX, 0), 0);
	pci_dev_fini(&d);
}

static void test_pcie(void **state)
{
	struct pci_dev d;
	int e;

	(void)state;
	pci_dev_init(&d, &info, NULL, NULL);
	e = pci_cap_add_pcie(&d, PCI_EXP_TYPE_ENDPOINT);
	assert_true(e >= 0x40);
	assert_int_equal(pci_config_read(&d, e + PCI_EXP_FLAGS, 2) &
				 (PCI_EXP_FLAGS_VERS | PCI_EXP_FLAGS_TYPE),
			 2 | PCI_EXP_TYPE_ENDPOINT << 4);
	assert_int_equal(pci_config_read(&d, e + PCI_EXP_LNKSTA, 2),
			 PCI_EXP_LNKSTA_CLS_2_5GB | PCI_EXP_LNKSTA_NLW_X1);
	/* Device control is writable; device capabilities are not. */
	pci_config_write(&d, e + PCI_EXP_DEVCAP, 4, 0xffffffff);
	assert_int_equal(pci_config_read(&d, e + PCI_EXP_DEVCAP, 4), PCI_EXP_DEVCAP_RBER);
	pci_config_write(&d, e + PCI_EXP_DEVCTL, 2, PCI_EXP_DEVCTL_CERE);
	assert_int_equal(pci_config_read(&d, e + PCI_EXP_DEVCTL, 2), PCI_EXP_DEVCTL_CERE);
	/* Device status error bits are W1C. */
	pci_config_set(&d, e + PCI_EXP_DEVSTA, 2, PCI_EXP_DEVSTA_URD | PCI_EXP_DEVSTA_CED);
	pci_config_write(&d, e + PCI_EXP_DEVSTA, 2, PCI_EXP_DEVSTA_URD);
	assert_int_equal(pci_config_read(&d, e + PCI_EXP_DEVSTA, 2), PCI_EXP_DEVSTA_CED);
	pci_dev_fini(&d);

	pci_dev_init(&d, &info, NULL, NULL);
	assert_int_equal(pci_cap_add_pcie(&d, PCI_EXP_TYPE_ROOT_PORT), -EINVAL);
	e = pci_cap_add_pcie(&d, PCI_EXP_TYPE_RC_END);
	assert_int_equal(pci_config_read(&d, e + PCI_EXP_FLAGS, 2) & PCI_EXP_FLAGS_TYPE,
			 PCI_EXP_TYPE_RC_END << 4);
	assert_int_equal(pci_cap_find(&d, PCI_CAP_ID_EXP, 0), e);
	pci_dev_fini(&d);
}

/* Hooks: a VFIO-like device overrides a register and sees writes. */
static unsigned hook_writes;
static uint32_t hook_last;

static uint32_t hook_read(struct pci_dev *d, uint16_t reg, unsigned size, uint32_t val)
{
	(void)d;
	if (reg == 0x60 && size == 4)
		return 0x12345678;
	return val;
}

static void hook_write(struct pci_dev *d, uint16_t reg, unsigned size, uint32_t val)
{
	(void)d, (void)size;
	hook_writes++;
	hook_last = (uint32_t)reg << 16 | (val & 0xffff);
}

static void test_hooks(void **state)
{
	static const struct pci_dev_ops ops = {.config_read = hook_read,
					       .config_write = hook_write};
	struct pci_dev d;
	int opaque;

	(void)state;
	pci_dev_init(&d, &info, &ops, &opaque);
	assert_ptr_equal(d.opaque, &opaque);
	assert_int_equal(pci_config_read(&d, 0x60, 4), 0x12345678);
	assert_int_equal(pci_config_read(&d, 0x60, 2), 0);
	assert_int_equal(pci_config_read(&d, PCI_VENDOR_ID, 2), 0x1af4);
	pci_config_write(&d, PCI_COMMAND, 2, PCI_COMMAND_MASTER);
	assert_int_equal(hook_writes, 1);
	assert_int_equal(hook_last, PCI_COMMAND << 16 | PCI_COMMAND_MASTER);
	/* Without a bus, reset clears the command register. */
	pci_dev_reset(&d);
	assert_int_equal(pci_config_read(&d, PCI_COMMAND, 2), 0);
	pci_dev_fini(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header),	   cmocka_unit_test(test_masks),
		cmocka_unit_test(test_bad_access), cmocka_unit_test(test_capabilities),
		cmocka_unit_test(test_pcie),	   cmocka_unit_test(test_hooks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
