// SPDX-License-Identifier: MIT
/* virtio-iommu over the real virtio PCI transport (no KVM, no worker: the
 * test calls virtio_pci_process()), with the transport tests' fake device
 * behind it as an endpoint: identity and config space through the BAR,
 * bypass written by the driver, requests, a fault of the other device's
 * DMA arriving in the eventq, and a device reset. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "devices/virtio/iommu.h"
#include "test_virtio_pci.h"

#define DEVCFG(f) (VIRTIO_PCI_DEVCFG_OFF + offsetof(struct virtio_iommu_config, f))
#define REQ	  FAKE_BUF
#define RESP	  (FAKE_BUF + 0x1000)
#define EVB	  (FAKE_BUF + 0x2000)

static struct virtio_iommu *viommu;

/* The fixture's fake function becomes the endpoint (in fx->rng_vp); the
 * IOMMU is the function the register helpers drive (fx->vp). */
static int iommu_setup(void **state)
{
	struct virtio_pci_params p = {.slot = -1, .vm_fd = -1};
	struct virtio_pci *ep;
	struct fx *fx;

	setup(state);
	fx = *state;
	assert_int_equal(virtio_iommu_new(NULL, &viommu), 0);
	p.bus = fx->bus;
	assert_int_equal(virtio_pci_new(&viommu->vdev, &p, &fx->rng_vp), 0);
	ep = fx->vp;
	fx->vp = fx->rng_vp;
	fx->rng_vp = ep;
	fx->bar = pci_bar_addr(&fx->vp->pci, VIRTIO_PCI_BAR);
	fx->dev.vdev.require_access_platform = true;
	assert_int_equal(iommu_endpoint_add(viommu->io, ep->pci.rid, &ep->pci.dma), 0);
	return 0;
}

static int iommu_teardown(void **state)
{
	virtio_iommu_release(viommu); /* while the endpoint's dma_as exists */
	teardown(state);
	virtio_iommu_free(viommu);
	return 0;
}

static struct dma_as *ep_as(struct fx *fx)
{
	return &fx->rng_vp->pci.dma;
}

static uint16_t ep_rid(struct fx *fx)
{
	return fx->rng_vp->pci.rid;
}

static void bring_up_iommu(struct fx *fx)
{
	assert_true(negotiate(fx, BIT_ULL(VIRTIO_F_VERSION_1) | BIT_ULL(VIRTIO_IOMMU_F_MAP_UNMAP) |
					  BIT_ULL(VIRTIO_IOMMU_F_BYPASS_CONFIG) |
					  BIT_ULL(VIRTIO_IOMMU_F_PROBE)));
	for (unsigned q = 0; q < 2; q++) {
		setup_queue(fx, q, FAKE_QSIZE);
		wr(fx, C(Q_ENABLE), 2, 1);
	}
	cfg_wr(fx, PCI_COMMAND, 2, cfg_rd(fx, PCI_COMMAND, 2) | PCI_COMMAND_MASTER);
	set_status(fx, VIRTIO_CONFIG_S_DRIVER_OK);
	assert_true(status(fx) & VIRTIO_CONFIG_S_DRIVER_OK);
}

/* One request through the requestq, as a driver notifies it. */
static uint8_t request(struct fx *fx, const void *req, size_t size)
{
	struct fake_seg s[2] = {{REQ, (uint32_t)size - 4, false}, {RESP, 4, true}};
	uint32_t len;
	uint16_t id;

	memcpy(fake_ptr(&fx->ram, REQ, size), req, size - 4);
	fake_chain_add(&fx->ram, VIRTIO_IOMMU_REQUESTQ, s, 2);
	wr(fx, VIRTIO_PCI_NOTIFY_OFF, 2, VIRTIO_IOMMU_REQUESTQ);
	virtio_pci_process(fx->vp, VIRTIO_IOMMU_REQUESTQ);
	fake_used_next(&fx->ram, VIRTIO_IOMMU_REQUESTQ, &id, &len);
	assert_int_equal(len, 4);
	return *fake_ptr(&fx->ram, RESP, 1);
}

static bool ep_reads(struct fx *fx, uint64_t addr)
{
	uint8_t b;

	return dma_read(ep_as(fx), iova(addr), &b, 1) == 0;
}

static void test_identity_and_config(void **state)
{
	struct fx *fx = *state;

	assert_int_equal(cfg_rd(fx, PCI_VENDOR_ID, 2), 0x1af4);
	assert_int_equal(cfg_rd(fx, PCI_DEVICE_ID, 2), 0x1040 + 23);
	assert_int_equal(cfg_rd(fx, PCI_CLASS_REVISION, 4) >> 8, 0xff0000);
	assert_int_equal(rd(fx, DEVCFG(page_size_mask), 8), ~0xfffull);
	assert_int_equal(rd(fx, DEVCFG(input_range.end), 8), (1ull << 48) - 1);
	assert_int_equal(rd(fx, DEVCFG(domain_range.end), 4), 65535);
	assert_int_equal(rd(fx, DEVCFG(probe_size), 4), 512);
	assert_int_equal(rd(fx, DEVCFG(bypass), 1), 1);
	/* Before FEATURES_OK nothing is writable. */
	wr(fx, DEVCFG(bypass), 1, 0);
	wr(fx, DEVCFG(probe_size), 4, 4096);
	assert_int_equal(rd(fx, DEVCFG(bypass), 1), 1);
	assert_int_equal(rd(fx, DEVCFG(probe_size), 4), 512);
	assert_true(ep_reads(fx, 0x1000));
}

static void test_end_to_end(void **state)
{
	struct fx *fx = *state;
	struct virtio_iommu_req_attach at = {.head.type = VIRTIO_IOMMU_T_ATTACH,
					     .domain = htole32(7),
					     .endpoint = htole32(ep_rid(fx))};
	struct virtio_iommu_req_map map = {.head.type = VIRTIO_IOMMU_T_MAP,
					   .domain = htole32(7),
					   .virt_start = htole64(0x10000),
					   .virt_end = htole64(0x10fff),
					   .phys_start = htole64(0x8000),
					   .flags = htole32(VIRTIO_IOMMU_MAP_F_READ)};
	struct virtio_iommu_fault want = {
		.reason = VIRTIO_IOMMU_FAULT_R_DOMAIN,
		.flags = htole32(VIRTIO_IOMMU_FAULT_F_READ | VIRTIO_IOMMU_FAULT_F_ADDRESS),
		.endpoint = htole32(ep_rid(fx)),
		.address = htole64(0x1234),
	};
	uint32_t len;
	uint16_t id;

	bring_up_iommu(fx);
	wr(fx, DEVCFG(bypass), 1, 0); /* the driver turns boot bypass off */
	assert_int_equal(rd(fx, DEVCFG(bypass), 1), 0);
	assert_false(ep_reads(fx, 0x1234));

	/* The fault reaches the eventq once the worker runs and has a buffer. */
	fake_chain_add(&fx->ram, VIRTIO_IOMMU_EVENTQ, (struct fake_seg[]){{EVB, 24, true}}, 1);
	virtio_pci_process(fx->vp, VIRTIO_IOMMU_EVENTQ);
	fake_used_next(&fx->ram, VIRTIO_IOMMU_EVENTQ, &id, &len);
	assert_int_equal(len, sizeof(want));
	assert_memory_equal(fake_ptr(&fx->ram, EVB, sizeof(want)), &want, sizeof(want));
	assert_int_equal(fx->intx_level, 1);

	assert_int_equal(request(fx, &at, sizeof(at)), VIRTIO_IOMMU_S_OK);
	assert_int_equal(request(fx, &map, sizeof(map)), VIRTIO_IOMMU_S_OK);
	assert_true(ep_reads(fx, 0x10010));
	assert_false(ep_reads(fx, 0x11000));

	/* A device reset detaches everything; bypass stays as the driver left it. */
	assert_int_equal(virtio_iommu_events_pending(viommu), 1); /* the 0x11000 fault */
	wr(fx, C(STATUS), 1, 0);
	assert_int_equal(virtio_iommu_events_pending(viommu), 0);
	assert_int_equal(rd(fx, DEVCFG(bypass), 1), 0);
	assert_int_equal(iommu_endpoint_state(viommu->io, ep_rid(fx), NULL),
			 IOMMU_EP_DETACHED_BLOCKED);
	assert_false(ep_reads(fx, 0x10010));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_identity_and_config, iommu_setup,
						iommu_teardown),
		cmocka_unit_test_setup_teardown(test_end_to_end, iommu_setup, iommu_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
