/* SPDX-License-Identifier: MIT */
/* Shared fixture of the virtio PCI transport tests (test_virtio_pci*.c): a
 * real PCI bus over private MMIO/PIO buses, no KVM (vm_fd -1: notifications
 * take the MMIO path), a fake device model that counts its calls, and the
 * driver's register accesses. Include after cmocka.h. */
#ifndef TESTS_UNIT_TEST_VIRTIO_PCI_H
#define TESTS_UNIT_TEST_VIRTIO_PCI_H

#include <linux/virtio_pci.h>
#include <time.h>
#include <unistd.h>

#include "devices/virtio/pci.h"
#include "devices/virtio/rng.h"
#include "test_virtio_fake.h"

#define NQ     2
#define QMAX   64
#define FEAT_A BIT_ULL(3) /* a device feature the fake offers */
#define NVEC   (NQ + 1)

struct fake_dev {
	struct virtio_dev vdev;
	uint8_t config[8];
	atomic_uint notifies[NQ];
	unsigned starts, resets, config_writes;
};

struct fx {
	struct fake_ram ram;
	struct bus mmio, pio;
	struct pci_bus *bus;
	struct fake_dev dev;
	struct virtio_pci *vp;
	struct virtio_rng *rng; /* test_rng_over_pci */
	struct virtio_pci *rng_vp;
	uint64_t bar;
	int intx_level;
	unsigned msis;
	struct msi_msg last_msi;
};

static inline void fd_queue_notify(struct virtio_dev *vdev, unsigned q)
{
	atomic_fetch_add(&container_of(vdev, struct fake_dev, vdev)->notifies[q], 1);
}

static inline void fd_start(struct virtio_dev *vdev)
{
	container_of(vdev, struct fake_dev, vdev)->starts++;
}

static inline void fd_reset(struct virtio_dev *vdev)
{
	container_of(vdev, struct fake_dev, vdev)->resets++;
}

static inline void fd_config_write(struct virtio_dev *vdev, uint32_t off, uint32_t len)
{
	(void)off, (void)len;
	container_of(vdev, struct fake_dev, vdev)->config_writes++;
}

static const struct virtio_dev_ops fd_ops = {
	.name = "virtio-fake",
	.device_id = 4 /* VIRTIO_ID_RNG */,
	.pci_class = 0xff0000,
	.queue_notify = fd_queue_notify,
	.start = fd_start,
	.reset = fd_reset,
	.config_write = fd_config_write,
};

static inline int fx_msi(void *opaque, const struct msi_msg *m, uint16_t rid)
{
	struct fx *fx = opaque;

	(void)rid;
	fx->msis++;
	fx->last_msi = *m;
	return 0;
}

static inline void fx_intx(void *opaque, unsigned pin, int level)
{
	(void)pin;
	((struct fx *)opaque)->intx_level = level;
}

static inline int setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));
	struct pci_bus_config bc;
	struct virtio_pci_params p = {.slot = -1, .vm_fd = -1};

	assert_non_null(fx);
	fake_ram_init(&fx->ram);
	bus_init(&fx->mmio, "mmio");
	bus_init(&fx->pio, "pio");
	bc = (struct pci_bus_config){
		.mmio = &fx->mmio,
		.pio = &fx->pio,
		.mem = &fx->ram.mem,
		.msi = {fx_msi, fx},
		.intx = {fx_intx, fx, 0},
	};
	assert_int_equal(pci_bus_new(&bc, &fx->bus), 0);
	fx->dev.vdev = (struct virtio_dev){
		.ops = &fd_ops,
		.features = FEAT_A,
		.nr_queues = NQ,
		.queue_max = QMAX,
		.config = fx->dev.config,
		.config_len = sizeof(fx->dev.config),
	};
	memcpy(fx->dev.config, "\x11\x22\x33\x44\x55\x66\x77\x88", 8);
	p.bus = fx->bus;
	assert_int_equal(virtio_pci_new(&fx->dev.vdev, &p, &fx->vp), 0);
	fx->bar = pci_bar_addr(&fx->vp->pci, VIRTIO_PCI_BAR);
	assert_true(fx->bar != 0);
	*state = fx;
	return 0;
}

static inline int teardown(void **state)
{
	struct fx *fx = *state;

	pci_bus_free(fx->bus);
	virtio_pci_free(fx->vp);
	virtio_pci_free(fx->rng_vp);
	virtio_rng_free(fx->rng);
	fake_ram_fini(&fx->ram);
	free(fx);
	return 0;
}

static inline uint32_t cfg_rd(struct fx *fx, uint16_t reg, unsigned size)
{
	return pci_bus_config_read(fx->bus, fx->vp->pci.rid, reg, size);
}

static inline void cfg_wr(struct fx *fx, uint16_t reg, unsigned size, uint32_t v)
{
	pci_bus_config_write(fx->bus, fx->vp->pci.rid, reg, size, v);
}

static inline uint64_t rd(struct fx *fx, uint64_t off, unsigned size)
{
	uint64_t v;

	assert_true(bus_read(&fx->mmio, fx->bar + off, size, &v));
	return v;
}

static inline void wr(struct fx *fx, uint64_t off, unsigned size, uint64_t v)
{
	assert_true(bus_write(&fx->mmio, fx->bar + off, size, v));
}

#define C(field) (VIRTIO_PCI_COMMON_OFF + VIRTIO_PCI_COMMON_##field)

static inline uint8_t status(struct fx *fx)
{
	return (uint8_t)rd(fx, C(STATUS), 1);
}

static inline void set_status(struct fx *fx, uint8_t bits)
{
	wr(fx, C(STATUS), 1, status(fx) | bits);
}

static inline void write_features(struct fx *fx, uint64_t f)
{
	wr(fx, C(GFSELECT), 4, 0);
	wr(fx, C(GF), 4, (uint32_t)f);
	wr(fx, C(GFSELECT), 4, 1);
	wr(fx, C(GF), 4, f >> 32);
}

/* ACKNOWLEDGE, DRIVER, features, FEATURES_OK; true if it stuck. */
static inline bool negotiate(struct fx *fx, uint64_t f)
{
	wr(fx, C(STATUS), 1, 0);
	set_status(fx, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER);
	write_features(fx, f);
	set_status(fx, VIRTIO_CONFIG_S_FEATURES_OK);
	return status(fx) & VIRTIO_CONFIG_S_FEATURES_OK;
}

static inline void setup_queue(struct fx *fx, unsigned q, uint16_t size)
{
	fake_rings_clear(&fx->ram, q);
	wr(fx, C(Q_SELECT), 2, q);
	wr(fx, C(Q_SIZE), 2, size);
	wr(fx, C(Q_DESCLO), 4, FAKE_DESC(q));
	wr(fx, C(Q_DESCHI), 4, 0);
	wr(fx, C(Q_AVAILLO), 4, FAKE_AVAIL(q));
	wr(fx, C(Q_AVAILHI), 4, 0);
	wr(fx, C(Q_USEDLO), 4, FAKE_USED(q));
	wr(fx, C(Q_USEDHI), 4, 0);
}

/* Negotiate, set both queues up and enable them, bus master, DRIVER_OK. */
static inline void bring_up(struct fx *fx)
{
	assert_true(negotiate(fx, BIT_ULL(VIRTIO_F_VERSION_1)));
	for (unsigned q = 0; q < NQ; q++) {
		setup_queue(fx, q, FAKE_QSIZE);
		wr(fx, C(Q_ENABLE), 2, 1);
		assert_int_equal(rd(fx, C(Q_ENABLE), 2), 1);
	}
	cfg_wr(fx, PCI_COMMAND, 2, cfg_rd(fx, PCI_COMMAND, 2) | PCI_COMMAND_MASTER);
	set_status(fx, VIRTIO_CONFIG_S_DRIVER_OK);
	assert_true(status(fx) & VIRTIO_CONFIG_S_DRIVER_OK);
}

#endif
