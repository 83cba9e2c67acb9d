// SPDX-License-Identifier: MIT
/* Unit tests for virtio-iommu bypass and fault reporting
 * (devices/virtio/iommu.c, iommu_event.c): the config bypass switching
 * translation of unattached endpoints, across device resets; DMA faults of
 * other endpoints landing as events in the eventq with the right fields;
 * the bounded fault ring, from several threads. */
#include <pthread.h>

#include "viommu_fixture.h"

#define EVBUF 0x50000ull /* eventq buffers, 64 bytes apart */
#define EVQ   VIRTIO_IOMMU_EVENTQ

static void set_bypass(struct fx *fx, uint8_t val)
{
	fx->v->cfg.bypass = val; /* what the transport does before config_write */
	fx->v->vdev.ops->config_write(&fx->v->vdev, offsetof(struct virtio_iommu_config, bypass),
				      1);
}

/* Can endpoint i read guest memory at addr? */
static bool can_read(struct fx *fx, unsigned i, uint64_t addr)
{
	uint8_t b;

	return dma_read(&fx->ep[i], iova(addr), &b, 1) == 0;
}

/* Give the eventq one buffer of len bytes; returns its address. */
static uint64_t ev_buffer(struct fx *fx, uint32_t len)
{
	uint64_t at = EVBUF + 64 * fx->nr_buf++;
	struct fake_seg s = {at, len, true};

	memset(fake_ptr(&fx->ram, at, 64), 0xee, 64);
	fake_chain_add(&fx->ram, EVQ, &s, 1);
	return at;
}

/* The next used eventq element: its length, and the record at at. */
static uint32_t ev_used(struct fx *fx)
{
	uint32_t len;
	uint16_t id;

	fake_used_next(&fx->ram, EVQ, &id, &len);
	return len;
}

static void check_event(struct fx *fx, uint64_t at, uint8_t reason, uint32_t flags, uint32_t ep,
			uint64_t addr)
{
	struct virtio_iommu_fault want = {
		.reason = reason,
		.flags = htole32(flags | VIRTIO_IOMMU_FAULT_F_ADDRESS),
		.endpoint = htole32(ep),
		.address = htole64(addr),
	};

	assert_memory_equal(fake_ptr(&fx->ram, at, sizeof(want)), &want, sizeof(want));
	assert_int_equal(*fake_ptr(&fx->ram, at + sizeof(want), 1), 0xee);
}

static void test_bypass_config(void **state)
{
	struct fx *fx = *state;

	fx_open(fx, NULL, ALL_FEATURES);
	assert_true(can_read(fx, 0, 0x1000)); /* boot bypass: identity */
	set_bypass(fx, 0);
	assert_int_equal(fx->v->cfg.bypass, 0);
	assert_false(can_read(fx, 0, 0x1000));
	assert_false(can_read(fx, 1, 0x1000));
	/* A device reset keeps the driver's choice (spec 5.13.4.2). */
	fx->v->vdev.ops->reset(&fx->v->vdev);
	assert_int_equal(fx->v->cfg.bypass, 0);
	assert_false(can_read(fx, 0, 0x1000));
	/* An attached endpoint is translated whatever the bypass. */
	assert_int_equal(iommu_attach(fx->v->io, 1, EP0, 0), 0);
	assert_int_equal(
		iommu_map(fx->v->io, 1, iova(0x1000), iova(0x1fff), gpa(0x3000), IOMMU_MAP_READ),
		0);
	set_bypass(fx, 1);
	assert_true(can_read(fx, 1, 0x1000));
	assert_true(can_read(fx, 0, 0x1000));
	assert_false(can_read(fx, 0, 0x2000));
	fx->v->vdev.ops->reset(&fx->v->vdev);
	assert_true(can_read(fx, 0, 0x2000));
}

static void test_bypass_not_negotiated(void **state)
{
	struct fx *fx = *state;

	fx_open(fx, NULL, ALL_FEATURES & ~BIT_ULL(VIRTIO_IOMMU_F_BYPASS_CONFIG));
	set_bypass(fx, 0);
	assert_int_equal(fx->v->cfg.bypass, 1); /* the write is undone */
	assert_true(can_read(fx, 0, 0x1000));
}

static void test_boot_bypass_off(void **state)
{
	struct fx *fx = *state;
	struct virtio_iommu_params p = {.boot_bypass = false};

	fx_open(fx, &p, ALL_FEATURES);
	assert_int_equal(fx->v->cfg.bypass, 0);
	assert_false(can_read(fx, 0, 0x1000));
	set_bypass(fx, 1);
	assert_true(can_read(fx, 0, 0x1000));
	fx->v->vdev.ops->reset(&fx->v->vdev);
	assert_int_equal(fx->v->cfg.bypass, 1);
	assert_true(can_read(fx, 0, 0x1000));
	set_bypass(fx, 0);
	assert_false(can_read(fx, 0, 0x1000));
}

static void test_fault_events(void **state)
{
	struct fx *fx = *state;
	struct iommu *io;
	uint64_t at[5];
	uint8_t b = 0;

	fx_open(fx, NULL, ALL_FEATURES);
	io = fx->v->io;
	fx->v->vdev.ops->start(&fx->v->vdev);
	assert_int_equal(iommu_attach(io, 1, EP0, 0), 0);
	assert_int_equal(iommu_map(io, 1, iova(0x1000), iova(0x1fff), gpa(0x3000), IOMMU_MAP_READ),
			 0);
	assert_int_equal(iommu_map(io, 1, iova(0x4000), iova(0x4fff), gpa(MiB(64)),
				   IOMMU_MAP_READ | IOMMU_MAP_WRITE),
			 0);
	assert_int_equal(iommu_block(io, EP1), 0);

	assert_int_equal(dma_read(&fx->ep[0], iova(0x5008), &b, 1), -EFAULT);  /* unmapped */
	assert_int_equal(dma_write(&fx->ep[0], iova(0x1010), &b, 1), -EFAULT); /* read-only */
	assert_int_equal(dma_write(&fx->ep[1], iova(0x7000), &b, 1), -EFAULT); /* blocked */
	assert_int_equal(dma_read(&fx->ep[0], iova(0x4004), &b, 1), -EFAULT);  /* not RAM */
	assert_int_equal(dma_read(&fx->ep[0], iova(0x1ff8), &b, 16), -EFAULT); /* runs off */
	assert_int_equal(virtio_iommu_events_pending(fx->v), 5);
	assert_int_equal(fx->tp.kicks[EVQ], 5); /* the worker is woken, nothing more */
	assert_int_equal(fake_used_idx(&fx->ram, EVQ), 0);

	for (unsigned i = 0; i < 5; i++)
		at[i] = ev_buffer(fx, i == 1 ? 64 : 24);
	fx->v->vdev.ops->queue_notify(&fx->v->vdev, EVQ);
	for (unsigned i = 0; i < 5; i++)
		assert_int_equal(ev_used(fx), 24);
	assert_int_equal(fx->tp.notified[EVQ], 1);
	assert_int_equal(virtio_iommu_events_pending(fx->v), 0);
	check_event(fx, at[0], VIRTIO_IOMMU_FAULT_R_MAPPING, VIRTIO_IOMMU_FAULT_F_READ, EP0,
		    0x5008);
	check_event(fx, at[1], VIRTIO_IOMMU_FAULT_R_MAPPING, VIRTIO_IOMMU_FAULT_F_WRITE, EP0,
		    0x1010);
	check_event(fx, at[2], VIRTIO_IOMMU_FAULT_R_DOMAIN, VIRTIO_IOMMU_FAULT_F_WRITE, EP1,
		    0x7000);
	check_event(fx, at[3], VIRTIO_IOMMU_FAULT_R_UNKNOWN, VIRTIO_IOMMU_FAULT_F_READ, EP0,
		    0x4004);
	check_event(fx, at[4], VIRTIO_IOMMU_FAULT_R_MAPPING, VIRTIO_IOMMU_FAULT_F_READ, EP0,
		    0x2000);
	/* A notification with nothing queued uses no buffer. */
	ev_buffer(fx, 24);
	fx->v->vdev.ops->queue_notify(&fx->v->vdev, EVQ);
	assert_int_equal(fake_used_idx(&fx->ram, EVQ), 5);
}

/* A fault as the core reports it, at address i pages. */
static void fault_n(struct fx *fx, unsigned i)
{
	struct dma_fault f = {iova(i * 0x1000ull), DMA_ACCESS_READ, DMA_FAULT_UNMAPPED, 0};

	virtio_iommu_fault(fx->v, EP0, &f);
}

static void test_event_ring(void **state)
{
	struct fx *fx = *state;
	uint64_t a, b;

	fx_open(fx, NULL, ALL_FEATURES);
	/* Before DRIVER_OK: queued, no kick. */
	for (unsigned i = 0; i < VIRTIO_IOMMU_EVENT_RING + 6; i++)
		fault_n(fx, i);
	assert_int_equal(fx->tp.kicks[EVQ], 0);
	assert_int_equal(virtio_iommu_events_pending(fx->v), VIRTIO_IOMMU_EVENT_RING);
	assert_int_equal(virtio_iommu_events_dropped(fx->v), 6);

	/* No buffers: they wait. A too small buffer is used up empty. */
	fx->v->vdev.ops->queue_notify(&fx->v->vdev, EVQ);
	assert_int_equal(fake_used_idx(&fx->ram, EVQ), 0);
	ev_buffer(fx, 23);
	a = ev_buffer(fx, 24);
	b = ev_buffer(fx, 24);
	fx->v->vdev.ops->queue_notify(&fx->v->vdev, EVQ);
	assert_int_equal(ev_used(fx), 0);
	assert_int_equal(ev_used(fx), 24);
	assert_int_equal(ev_used(fx), 24);
	check_event(fx, a, VIRTIO_IOMMU_FAULT_R_MAPPING, VIRTIO_IOMMU_FAULT_F_READ, EP0, 0);
	check_event(fx, b, VIRTIO_IOMMU_FAULT_R_MAPPING, VIRTIO_IOMMU_FAULT_F_READ, EP0, 0x1000);
	assert_int_equal(virtio_iommu_events_pending(fx->v), VIRTIO_IOMMU_EVENT_RING - 2);

	/* DRIVER_OK: new faults kick; a reset forgets the queue, stops kicking. */
	fx->v->vdev.ops->start(&fx->v->vdev);
	fault_n(fx, 1);
	assert_int_equal(fx->tp.kicks[EVQ], 1);
	fx->v->vdev.ops->reset(&fx->v->vdev);
	assert_int_equal(virtio_iommu_events_pending(fx->v), 0);
	assert_int_equal(virtio_iommu_events_dropped(fx->v), 6);
	fault_n(fx, 2);
	assert_int_equal(fx->tp.kicks[EVQ], 1);
	assert_int_equal(virtio_iommu_events_pending(fx->v), 1);
}

static void test_reset(void **state)
{
	struct fx *fx = *state;
	struct iommu *io;

	fx_open(fx, NULL, ALL_FEATURES);
	io = fx->v->io;
	assert_int_equal(iommu_attach(io, 1, EP0, 0), 0);
	assert_int_equal(iommu_attach(io, 2, EP1, IOMMU_ATTACH_BYPASS), 0);
	assert_int_equal(iommu_map(io, 1, iova(0x1000), iova(0x1fff), gpa(0x3000), IOMMU_MAP_READ),
			 0);
	fx->v->vdev.ops->reset(&fx->v->vdev);
	assert_int_equal(iommu_endpoint_state(io, EP0, NULL), IOMMU_EP_DETACHED_BYPASS);
	assert_int_equal(iommu_endpoint_state(io, EP1, NULL), IOMMU_EP_DETACHED_BYPASS);
	assert_int_equal(iommu_map(io, 1, iova(0x1000), iova(0x1fff), gpa(0), IOMMU_MAP_READ),
			 -ENOENT);
}

struct storm {
	struct fx *fx;
	unsigned idx;
};

/* DMA that faults, from a device thread. */
static void *storm_thread(void *opaque)
{
	struct storm *s = opaque;
	uint8_t b;

	for (unsigned i = 0; i < 500; i++)
		if (dma_read(&s->fx->ep[s->idx], iova(0x100000 + i * 0x1000ull), &b, 1) != -EFAULT)
			return (void *)1;
	return NULL;
}

static void test_fault_threads(void **state)
{
	struct fx *fx = *state;
	struct storm s[4];
	pthread_t t[4];
	void *ret;

	fx_open(fx, NULL, ALL_FEATURES);
	assert_int_equal(iommu_attach(fx->v->io, 1, EP0, 0), 0);
	assert_int_equal(iommu_block(fx->v->io, EP1), 0);
	for (unsigned i = 0; i < 4; i++) {
		s[i] = (struct storm){fx, i & 1};
		assert_int_equal(pthread_create(&t[i], NULL, storm_thread, &s[i]), 0);
	}
	for (unsigned i = 0; i < 4; i++) {
		assert_int_equal(pthread_join(t[i], &ret), 0);
		assert_null(ret);
	}
	assert_int_equal(virtio_iommu_events_pending(fx->v), VIRTIO_IOMMU_EVENT_RING);
	assert_int_equal(virtio_iommu_events_dropped(fx->v), 2000 - VIRTIO_IOMMU_EVENT_RING);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_bypass_config, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bypass_not_negotiated, setup, teardown),
		cmocka_unit_test_setup_teardown(test_boot_bypass_off, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fault_events, setup, teardown),
		cmocka_unit_test_setup_teardown(test_event_ring, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reset, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fault_threads, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
