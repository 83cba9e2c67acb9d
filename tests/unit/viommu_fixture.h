/* SPDX-License-Identifier: MIT */
/* The fixture of the virtio-iommu device tests (test_virtio_iommu.c,
 * test_virtio_iommu_event.c): the device on a fake transport over fake
 * guest RAM (test_virtio_fake.h), the test acting as the driver, and two
 * fake endpoints behind the device's IOMMU core. Helpers are static inline
 * so that a test program may leave some unused. */
#ifndef TESTS_UNIT_VIOMMU_FIXTURE_H
#define TESTS_UNIT_VIOMMU_FIXTURE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "devices/virtio/iommu.h"
#include "test_virtio_fake.h"

#define EP0	     0x0010 /* 00:02.0 */
#define EP1	     0x0018 /* 00:03.0 */
#define ALL_FEATURES (~0ull)

struct fx {
	struct fake_ram ram;
	struct fake_transport tp;
	struct virtio_iommu *v;
	struct dma_as ep[2];
	unsigned nr_buf; /* eventq buffers given so far (ev_buffer) */
};

/* Create the device with params p, negotiate features (masked by what it
 * offers) and add the endpoints EP0 and EP1 to its IOMMU. */
static inline void fx_open(struct fx *fx, const struct virtio_iommu_params *p, uint64_t features)
{
	assert_int_equal(virtio_iommu_new(p, &fx->v), 0);
	fake_attach(&fx->tp, &fx->ram, &fx->v->vdev, fx->v->vdev.features & features);
	dma_as_init(&fx->ep[0], EP0, &fx->ram.mem);
	dma_as_init(&fx->ep[1], EP1, &fx->ram.mem);
	assert_int_equal(iommu_endpoint_add(fx->v->io, EP0, &fx->ep[0]), 0);
	assert_int_equal(iommu_endpoint_add(fx->v->io, EP1, &fx->ep[1]), 0);
}

/* cmocka setup: fake RAM, no device yet (each test calls fx_open). */
static inline int setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));

	assert_non_null(fx);
	fake_ram_init(&fx->ram);
	*state = fx;
	return 0;
}

/* cmocka teardown: the device (if opened) and the RAM. */
static inline int teardown(void **state)
{
	struct fx *fx = *state;

	virtio_iommu_free(fx->v);
	fake_ram_fini(&fx->ram);
	free(fx);
	return 0;
}

#endif
