// SPDX-License-Identifier: MIT
/* Unit tests for the virtio PCI transport (devices/virtio/pci*.c): broken
 * rings, MSI-X vectors and delivery, ISR and INTx, notifications and the
 * worker, access widths, the PCI_CFG window, a real device over it. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "test_virtio_pci.h"

static void test_queue_bad_rings(void **state)
{
	struct fx *fx = *state;

	assert_true(negotiate(fx, BIT_ULL(VIRTIO_F_VERSION_1)));
	setup_queue(fx, 1, FAKE_QSIZE);
	wr(fx, C(Q_DESCHI), 4, 0x10); /* 64 GiB: not RAM */
	wr(fx, C(Q_ENABLE), 2, 1);
	assert_int_equal(rd(fx, C(Q_ENABLE), 2), 0);
	assert_true(status(fx) & VIRTIO_CONFIG_S_NEEDS_RESET);
	/* Config interrupt through INTx (MSI-X is off). */
	assert_int_equal(fx->intx_level, 1);
	assert_int_equal(rd(fx, VIRTIO_PCI_ISR_OFF, 1), VIRTIO_PCI_ISR_CONFIG);
	assert_int_equal(fx->intx_level, 0);
	/* A reset clears it. */
	wr(fx, C(STATUS), 1, 0);
	assert_int_equal(status(fx), 0);
}

static void test_msix_vectors(void **state)
{
	struct fx *fx = *state;

	wr(fx, C(MSIX), 2, NVEC - 1);
	assert_int_equal(rd(fx, C(MSIX), 2), NVEC - 1);
	wr(fx, C(MSIX), 2, NVEC);
	assert_int_equal(rd(fx, C(MSIX), 2), VIRTIO_MSI_NO_VECTOR);
	wr(fx, C(Q_SELECT), 2, 1);
	wr(fx, C(Q_MSIX), 2, 1);
	assert_int_equal(rd(fx, C(Q_MSIX), 2), 1);
	wr(fx, C(Q_MSIX), 2, 500);
	assert_int_equal(rd(fx, C(Q_MSIX), 2), VIRTIO_MSI_NO_VECTOR);
	wr(fx, C(Q_MSIX), 2, VIRTIO_MSI_NO_VECTOR);
	assert_int_equal(rd(fx, C(Q_MSIX), 2), VIRTIO_MSI_NO_VECTOR);
}

static void test_msix_delivery(void **state)
{
	struct fx *fx = *state;
	uint8_t cap = pci_cap_find(&fx->vp->pci, PCI_CAP_ID_MSIX, 0);
	uint64_t entry = VIRTIO_PCI_MSIX_OFF + 1 * PCI_MSIX_ENTRY_SIZE;

	assert_true(cap != 0);
	bring_up(fx);
	wr(fx, C(Q_SELECT), 2, 0);
	wr(fx, C(Q_MSIX), 2, 1);
	wr(fx, entry + PCI_MSIX_ENTRY_LOWER_ADDR, 4, 0xfee00000);
	wr(fx, entry + PCI_MSIX_ENTRY_UPPER_ADDR, 4, 0);
	wr(fx, entry + PCI_MSIX_ENTRY_DATA, 4, 0x4041);
	wr(fx, entry + PCI_MSIX_ENTRY_VECTOR_CTRL, 4, 0);
	cfg_wr(fx, cap + PCI_MSIX_FLAGS, 2, PCI_MSIX_FLAGS_ENABLE);
	fx->dev.vdev.t->notify_queue(&fx->dev.vdev, 0);
	assert_int_equal(fx->msis, 1);
	assert_int_equal(fx->last_msi.data, 0x4041);
	assert_int_equal(fx->intx_level, 0);
	assert_int_equal(rd(fx, VIRTIO_PCI_ISR_OFF, 1), 0);
	/* Queue 1 has no vector: no interrupt at all. */
	fx->dev.vdev.t->notify_queue(&fx->dev.vdev, 1);
	assert_int_equal(fx->msis, 1);
	assert_int_equal(fx->intx_level, 0);
}

static void test_isr_and_generation(void **state)
{
	struct fx *fx = *state;
	uint8_t gen = (uint8_t)rd(fx, C(CFGGENERATION), 1);

	assert_int_equal(rd(fx, VIRTIO_PCI_ISR_OFF, 1), 0);
	fx->dev.vdev.t->notify_queue(&fx->dev.vdev, 0);
	assert_int_equal(fx->intx_level, 1);
	fx->dev.vdev.t->notify_config(&fx->dev.vdev);
	assert_int_equal(rd(fx, C(CFGGENERATION), 1), (uint8_t)(gen + 1));
	assert_int_equal(rd(fx, VIRTIO_PCI_ISR_OFF, 1),
			 VIRTIO_PCI_ISR_QUEUE | VIRTIO_PCI_ISR_CONFIG);
	assert_int_equal(fx->intx_level, 0);
	assert_int_equal(rd(fx, VIRTIO_PCI_ISR_OFF, 1), 0);
}

static void test_notify_before_driver_ok(void **state)
{
	struct fx *fx = *state;
	uint64_t n;

	assert_true(negotiate(fx, BIT_ULL(VIRTIO_F_VERSION_1)));
	setup_queue(fx, 0, FAKE_QSIZE);
	wr(fx, C(Q_ENABLE), 2, 1);
	/* The MMIO notify wakes the worker ... */
	wr(fx, VIRTIO_PCI_NOTIFY_OFF, 2, 0);
	assert_int_equal(read(fx->vp->q[0].kick_fd, &n, sizeof(n)), sizeof(n));
	/* ... which ignores it before DRIVER_OK. */
	virtio_pci_process(fx->vp, 0);
	assert_int_equal(fx->dev.notifies[0], 0);
	/* Bus mastering off: ignored too. */
	set_status(fx, VIRTIO_CONFIG_S_DRIVER_OK);
	virtio_pci_process(fx->vp, 0);
	assert_int_equal(fx->dev.notifies[0], 0);
	cfg_wr(fx, PCI_COMMAND, 2, cfg_rd(fx, PCI_COMMAND, 2) | PCI_COMMAND_MASTER);
	virtio_pci_process(fx->vp, 0);
	assert_int_equal(fx->dev.notifies[0], 1);
	/* Queue 1 is not enabled. */
	virtio_pci_process(fx->vp, 1);
	assert_int_equal(fx->dev.notifies[1], 0);
	/* After DEVICE_NEEDS_RESET, nothing is served. */
	fx->dev.vdev.t->needs_reset(&fx->dev.vdev);
	assert_true(status(fx) & VIRTIO_CONFIG_S_NEEDS_RESET);
	virtio_pci_process(fx->vp, 0);
	assert_int_equal(fx->dev.notifies[0], 1);
	/* The driver writing status back keeps the bit. */
	set_status(fx, 0);
	assert_true(status(fx) & VIRTIO_CONFIG_S_NEEDS_RESET);
}

static void test_worker_end_to_end(void **state)
{
	struct fx *fx = *state;
	struct timespec ts = {0, 1000000};

	assert_int_equal(virtio_pci_start(fx->vp), 0);
	bring_up(fx);
	/* DRIVER_OK kicked both enabled queues once. */
	for (unsigned i = 0; i < 2000 && (fx->dev.notifies[0] < 1 || fx->dev.notifies[1] < 1); i++)
		nanosleep(&ts, NULL);
	assert_int_equal(fx->dev.notifies[0], 1);
	assert_int_equal(fx->dev.notifies[1], 1);
	wr(fx, VIRTIO_PCI_NOTIFY_OFF + VIRTIO_PCI_NOTIFY_MULT, 2, 1);
	for (unsigned i = 0; i < 2000 && fx->dev.notifies[1] < 2; i++)
		nanosleep(&ts, NULL);
	assert_int_equal(fx->dev.notifies[1], 2);
	assert_int_equal(fx->dev.notifies[0], 1);
}

static void test_access_widths_and_devcfg(void **state)
{
	struct fx *fx = *state;

	/* Not the natural width: reads 0, writes dropped. */
	assert_int_equal(rd(fx, C(STATUS), 4), 0);
	wr(fx, C(STATUS), 2, VIRTIO_CONFIG_S_ACKNOWLEDGE);
	assert_int_equal(status(fx), 0);
	assert_int_equal(rd(fx, C(NUMQ) + 1, 1), 0);
	/* Device config: any width inside it. */
	assert_int_equal(rd(fx, VIRTIO_PCI_DEVCFG_OFF, 1), 0x11);
	assert_int_equal(rd(fx, VIRTIO_PCI_DEVCFG_OFF + 2, 2), 0x4433);
	assert_int_equal(rd(fx, VIRTIO_PCI_DEVCFG_OFF + 4, 4), 0x88776655);
	assert_int_equal(rd(fx, VIRTIO_PCI_DEVCFG_OFF + 6, 4), 0); /* past the end */
	wr(fx, VIRTIO_PCI_DEVCFG_OFF + 1, 1, 0xab);
	assert_int_equal(fx->dev.config[1], 0xab);
	assert_int_equal(fx->dev.config_writes, 1);
}

static void test_pci_cfg_window(void **state)
{
	struct fx *fx = *state;
	uint8_t cap = fx->vp->cfg_cap;
	unsigned data = cap + offsetof(struct virtio_pci_cfg_cap, pci_cfg_data);

	assert_true(cap != 0);
	cfg_wr(fx, cap + VIRTIO_PCI_CAP_BAR, 1, VIRTIO_PCI_BAR);
	cfg_wr(fx, cap + VIRTIO_PCI_CAP_OFFSET, 4, C(NUMQ));
	cfg_wr(fx, cap + VIRTIO_PCI_CAP_LENGTH, 4, 2);
	assert_int_equal(cfg_rd(fx, data, 2), NQ);
	cfg_wr(fx, cap + VIRTIO_PCI_CAP_OFFSET, 4, C(STATUS));
	cfg_wr(fx, cap + VIRTIO_PCI_CAP_LENGTH, 4, 1);
	cfg_wr(fx, data, 1, VIRTIO_CONFIG_S_ACKNOWLEDGE);
	assert_int_equal(status(fx), VIRTIO_CONFIG_S_ACKNOWLEDGE);
	assert_int_equal(cfg_rd(fx, data, 1), VIRTIO_CONFIG_S_ACKNOWLEDGE);
	/* Misaligned, or another BAR: refused. */
	cfg_wr(fx, cap + VIRTIO_PCI_CAP_OFFSET, 4, C(NUMQ) + 1);
	cfg_wr(fx, cap + VIRTIO_PCI_CAP_LENGTH, 4, 2);
	cfg_wr(fx, data, 2, 0x1234);
	cfg_wr(fx, cap + VIRTIO_PCI_CAP_BAR, 1, 3);
	cfg_wr(fx, data, 1, 0);
	assert_int_equal(status(fx), VIRTIO_CONFIG_S_ACKNOWLEDGE);
}

/* A real device model over the transport: the queue set up by the
 * driver's register writes, served, interrupted; then a broken ring. */
static void test_rng_over_pci(void **state)
{
	struct fx *fx = *state;
	struct virtio_pci_params p = {.bus = fx->bus, .slot = -1, .vm_fd = -1};
	struct virtio_pci *tmp;
	uint16_t *avail, id;
	uint32_t len;

	fx->rng = virtio_rng_new();
	assert_non_null(fx->rng);
	assert_int_equal(virtio_pci_new(&fx->rng->vdev, &p, &fx->rng_vp), 0);
	/* Drive the rng function instead of the fake one (teardown frees both). */
	tmp = fx->vp;
	fx->vp = fx->rng_vp;
	fx->rng_vp = tmp;
	fx->bar = pci_bar_addr(&fx->vp->pci, VIRTIO_PCI_BAR);
	assert_int_equal(cfg_rd(fx, PCI_DEVICE_ID, 2), 0x1044);
	assert_true(negotiate(fx, BIT_ULL(VIRTIO_F_VERSION_1)));
	setup_queue(fx, 0, FAKE_QSIZE);
	wr(fx, C(Q_ENABLE), 2, 1);
	cfg_wr(fx, PCI_COMMAND, 2, cfg_rd(fx, PCI_COMMAND, 2) | PCI_COMMAND_MASTER);
	set_status(fx, VIRTIO_CONFIG_S_DRIVER_OK);
	fake_chain_add(&fx->ram, 0, (struct fake_seg[]){{FAKE_BUF, 32, true}}, 1);
	wr(fx, VIRTIO_PCI_NOTIFY_OFF, 2, 0);
	virtio_pci_process(fx->vp, 0);
	fake_used_next(&fx->ram, 0, &id, &len);
	assert_int_equal(len, 32);
	assert_int_equal(fx->intx_level, 1);
	assert_int_equal(rd(fx, VIRTIO_PCI_ISR_OFF, 1), VIRTIO_PCI_ISR_QUEUE);
	/* The driver moves avail idx by more than the queue size. */
	avail = (uint16_t *)fake_ptr(&fx->ram, FAKE_AVAIL(0), 4);
	avail[1] = htole16(le16toh(avail[1]) + 100);
	virtio_pci_process(fx->vp, 0);
	assert_true(status(fx) & VIRTIO_CONFIG_S_NEEDS_RESET);
	assert_int_equal(rd(fx, VIRTIO_PCI_ISR_OFF, 1), VIRTIO_PCI_ISR_CONFIG);
	/* A reset and a new start work again. */
	assert_true(negotiate(fx, BIT_ULL(VIRTIO_F_VERSION_1)));
	setup_queue(fx, 0, FAKE_QSIZE);
	wr(fx, C(Q_ENABLE), 2, 1);
	set_status(fx, VIRTIO_CONFIG_S_DRIVER_OK);
	assert_int_equal(status(fx) & VIRTIO_CONFIG_S_NEEDS_RESET, 0);
	fake_chain_add(&fx->ram, 0, (struct fake_seg[]){{FAKE_BUF, 8, true}}, 1);
	virtio_pci_process(fx->vp, 0);
	fake_used_next(&fx->ram, 0, &id, &len);
	assert_int_equal(len, 8);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_queue_bad_rings),
		T(test_msix_vectors),
		T(test_msix_delivery),
		T(test_isr_and_generation),
		T(test_notify_before_driver_ok),
		T(test_worker_end_to_end),
		T(test_access_widths_and_devcfg),
		T(test_pci_cfg_window),
		T(test_rng_over_pci),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
