// SPDX-License-Identifier: MIT
/* Unit tests for the virtio PCI transport (devices/virtio/pci*.c): identity,
 * capabilities, feature negotiation, the status machine, queue set-up. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "test_virtio_pci.h"

static void test_identity_and_caps(void **state)
{
	struct fx *fx = *state;
	unsigned seen = 0, steps = 0;
	uint8_t at = (uint8_t)cfg_rd(fx, PCI_CAPABILITY_LIST, 1);
	bool msix = false;

	assert_int_equal(cfg_rd(fx, PCI_VENDOR_ID, 2), 0x1af4);
	assert_int_equal(cfg_rd(fx, PCI_DEVICE_ID, 2), 0x1040 + 4);
	assert_int_equal(cfg_rd(fx, PCI_REVISION_ID, 1), 1);
	assert_int_equal(cfg_rd(fx, PCI_CLASS_REVISION, 4) >> 8, 0xff0000);
	assert_int_equal(cfg_rd(fx, PCI_SUBSYSTEM_VENDOR_ID, 2), 0x1af4);
	assert_true(cfg_rd(fx, PCI_STATUS, 2) & PCI_STATUS_CAP_LIST);
	assert_int_equal(cfg_rd(fx, PCI_BASE_ADDRESS_0, 4) & 0xf, PCI_BASE_ADDRESS_MEM_TYPE_64);
	for (; at && steps < 48; steps++, at = (uint8_t)cfg_rd(fx, at + 1, 1)) {
		uint8_t id = (uint8_t)cfg_rd(fx, at, 1), type;
		uint32_t off, len;

		if (id == PCI_CAP_ID_MSIX) {
			msix = true;
			assert_int_equal(
				(cfg_rd(fx, at + PCI_MSIX_FLAGS, 2) & PCI_MSIX_FLAGS_QSIZE) + 1,
				NVEC);
			assert_int_equal(cfg_rd(fx, at + PCI_MSIX_TABLE, 4),
					 VIRTIO_PCI_MSIX_OFF | VIRTIO_PCI_BAR);
			continue;
		}
		assert_int_equal(id, PCI_CAP_ID_VNDR);
		type = (uint8_t)cfg_rd(fx, at + VIRTIO_PCI_CAP_CFG_TYPE, 1);
		off = cfg_rd(fx, at + VIRTIO_PCI_CAP_OFFSET, 4);
		len = cfg_rd(fx, at + VIRTIO_PCI_CAP_LENGTH, 4);
		assert_true(type >= 1 && type <= 5);
		assert_false(seen & BIT(type));
		seen |= BIT(type);
		if (type == VIRTIO_PCI_CAP_PCI_CFG) {
			assert_int_equal(cfg_rd(fx, at + VIRTIO_PCI_CAP_LEN, 1),
					 sizeof(struct virtio_pci_cfg_cap));
			continue;
		}
		assert_int_equal(cfg_rd(fx, at + VIRTIO_PCI_CAP_BAR, 1), VIRTIO_PCI_BAR);
		assert_true(off + len <= VIRTIO_PCI_BAR_SIZE);
		switch (type) {
		case VIRTIO_PCI_CAP_COMMON_CFG:
			assert_int_equal(off, VIRTIO_PCI_COMMON_OFF);
			assert_true(len >= sizeof(struct virtio_pci_common_cfg));
			break;
		case VIRTIO_PCI_CAP_NOTIFY_CFG:
			assert_int_equal(cfg_rd(fx, at + VIRTIO_PCI_CAP_LEN, 1),
					 sizeof(struct virtio_pci_notify_cap));
			assert_int_equal(cfg_rd(fx, at + VIRTIO_PCI_NOTIFY_CAP_MULT, 4),
					 VIRTIO_PCI_NOTIFY_MULT);
			assert_int_equal(len, NQ * VIRTIO_PCI_NOTIFY_MULT);
			break;
		case VIRTIO_PCI_CAP_ISR_CFG: assert_true(len >= 1); break;
		case VIRTIO_PCI_CAP_DEVICE_CFG:
			assert_int_equal(len, sizeof(fx->dev.config));
			break;
		}
	}
	assert_int_equal(at, 0);
	assert_int_equal(seen, 0x3e); /* types 1..5 once each */
	assert_true(msix);
	/* queue_notify_off is the queue index. */
	wr(fx, C(Q_SELECT), 2, 1);
	assert_int_equal(rd(fx, C(Q_NOFF), 2), 1);
	assert_int_equal(rd(fx, C(NUMQ), 2), NQ);
}

static void test_features(void **state)
{
	struct fx *fx = *state;
	uint64_t offered;

	wr(fx, C(DFSELECT), 4, 0);
	offered = rd(fx, C(DF), 4);
	wr(fx, C(DFSELECT), 4, 1);
	offered |= rd(fx, C(DF), 4) << 32;
	assert_int_equal(offered, FEAT_A | VIRTIO_TRANSPORT_FEATURES);
	wr(fx, C(DFSELECT), 4, 2);
	assert_int_equal(rd(fx, C(DF), 4), 0);

	/* Not a subset: FEATURES_OK stays clear. */
	assert_false(negotiate(fx, BIT_ULL(VIRTIO_F_VERSION_1) | BIT_ULL(7)));
	/* No VERSION_1. */
	assert_false(negotiate(fx, FEAT_A));
	/* Bits beyond 64 are never offered. */
	wr(fx, C(STATUS), 1, 0);
	write_features(fx, BIT_ULL(VIRTIO_F_VERSION_1));
	wr(fx, C(GFSELECT), 4, 2);
	wr(fx, C(GF), 4, 1);
	set_status(fx, VIRTIO_CONFIG_S_FEATURES_OK);
	assert_false(status(fx) & VIRTIO_CONFIG_S_FEATURES_OK);
	/* A proper subset. */
	assert_true(negotiate(fx, FEAT_A | BIT_ULL(VIRTIO_F_VERSION_1) |
					  BIT_ULL(VIRTIO_RING_F_EVENT_IDX)));
	assert_int_equal(fx->dev.vdev.driver_features,
			 FEAT_A | BIT_ULL(VIRTIO_F_VERSION_1) | BIT_ULL(VIRTIO_RING_F_EVENT_IDX));
	assert_true(fx->dev.vdev.vq[0].event_idx);
	/* Frozen after FEATURES_OK. */
	write_features(fx, BIT_ULL(VIRTIO_F_VERSION_1));
	wr(fx, C(GFSELECT), 4, 0);
	assert_int_equal(rd(fx, C(GF), 4), (uint32_t)(FEAT_A | BIT_ULL(VIRTIO_RING_F_EVENT_IDX)));
	/* Behind an IOMMU, ACCESS_PLATFORM is required. */
	fx->dev.vdev.require_access_platform = true;
	assert_false(negotiate(fx, BIT_ULL(VIRTIO_F_VERSION_1)));
	assert_true(negotiate(fx, BIT_ULL(VIRTIO_F_VERSION_1) | BIT_ULL(VIRTIO_F_ACCESS_PLATFORM)));
}

static void test_status_machine(void **state)
{
	struct fx *fx = *state;

	set_status(fx, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER);
	/* DRIVER_OK before FEATURES_OK is refused. */
	set_status(fx, VIRTIO_CONFIG_S_DRIVER_OK);
	assert_int_equal(status(fx), VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER);
	/* The driver cannot set DEVICE_NEEDS_RESET. */
	set_status(fx, VIRTIO_CONFIG_S_NEEDS_RESET);
	assert_false(status(fx) & VIRTIO_CONFIG_S_NEEDS_RESET);
	bring_up(fx);
	assert_int_equal(fx->dev.starts, 1);
	/* Reset: everything back to its initial value. */
	wr(fx, C(MSIX), 2, 1);
	wr(fx, C(STATUS), 1, 0);
	assert_int_equal(status(fx), 0);
	assert_int_equal(fx->dev.resets, 2); /* bring_up's and this one */
	assert_int_equal(fx->dev.vdev.driver_features, 0);
	assert_int_equal(rd(fx, C(MSIX), 2), VIRTIO_MSI_NO_VECTOR);
	for (unsigned q = 0; q < NQ; q++) {
		wr(fx, C(Q_SELECT), 2, q);
		assert_int_equal(rd(fx, C(Q_ENABLE), 2), 0);
		assert_int_equal(rd(fx, C(Q_SIZE), 2), QMAX);
		assert_int_equal(rd(fx, C(Q_DESCLO), 4), 0);
		assert_false(fx->dev.vdev.vq[q].ready);
	}
	/* FAILED is kept. */
	set_status(fx, VIRTIO_CONFIG_S_FAILED);
	assert_int_equal(status(fx), VIRTIO_CONFIG_S_FAILED);
}

static void test_queue_size_and_enable(void **state)
{
	struct fx *fx = *state;

	assert_true(negotiate(fx, BIT_ULL(VIRTIO_F_VERSION_1)));
	setup_queue(fx, 0, FAKE_QSIZE);
	assert_int_equal(rd(fx, C(Q_SIZE), 2), FAKE_QSIZE);
	/* Not a power of two, zero, above the maximum: refused. */
	wr(fx, C(Q_SIZE), 2, 48);
	assert_int_equal(rd(fx, C(Q_SIZE), 2), FAKE_QSIZE);
	wr(fx, C(Q_ENABLE), 2, 1);
	assert_int_equal(rd(fx, C(Q_ENABLE), 2), 0);
	wr(fx, C(Q_SIZE), 2, 0);
	wr(fx, C(Q_SIZE), 2, QMAX * 2);
	assert_int_equal(rd(fx, C(Q_SIZE), 2), FAKE_QSIZE);
	wr(fx, C(Q_ENABLE), 2, 1);
	assert_int_equal(rd(fx, C(Q_ENABLE), 2), 0);
	/* A good size lets it enable. */
	wr(fx, C(Q_SIZE), 2, FAKE_QSIZE);
	wr(fx, C(Q_ENABLE), 2, 1);
	assert_int_equal(rd(fx, C(Q_ENABLE), 2), 1);
	assert_true(fx->dev.vdev.vq[0].ready);
	assert_int_equal(fx->dev.vdev.vq[0].size, FAKE_QSIZE);
	/* Enabled: the configuration is frozen; writing 0 is ignored. */
	wr(fx, C(Q_SIZE), 2, 8);
	wr(fx, C(Q_DESCLO), 4, 0x9000);
	assert_int_equal(rd(fx, C(Q_SIZE), 2), FAKE_QSIZE);
	assert_int_equal(rd(fx, C(Q_DESCLO), 4), FAKE_DESC(0));
	wr(fx, C(Q_ENABLE), 2, 0);
	assert_int_equal(rd(fx, C(Q_ENABLE), 2), 1);
	/* A queue that does not exist reads size 0 and takes no writes. */
	wr(fx, C(Q_SELECT), 2, NQ);
	assert_int_equal(rd(fx, C(Q_SIZE), 2), 0);
	wr(fx, C(Q_ENABLE), 2, 1);
	assert_int_equal(rd(fx, C(Q_ENABLE), 2), 0);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_identity_and_caps),
		T(test_features),
		T(test_status_machine),
		T(test_queue_size_and_enable),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
