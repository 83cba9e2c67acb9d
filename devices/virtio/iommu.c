// SPDX-License-Identifier: MIT
/* virtio-iommu: creation, the config space (bypass), reserved regions and
 * the device ops. Requests are in iommu_req.c, fault events in
 * iommu_event.c. */
#include "devices/virtio/iommu.h"

#include <endian.h>
#include <errno.h>
#include <linux/virtio_ids.h>
#include <stddef.h>
#include <stdlib.h>

#include "vmm/log.h"

#define VIOMMU_FEATURES                                                                            \
	(BIT_ULL(VIRTIO_IOMMU_F_MAP_UNMAP) | BIT_ULL(VIRTIO_IOMMU_F_INPUT_RANGE) |                 \
	 BIT_ULL(VIRTIO_IOMMU_F_DOMAIN_RANGE) | BIT_ULL(VIRTIO_IOMMU_F_PROBE) |                    \
	 BIT_ULL(VIRTIO_IOMMU_F_MMIO) | BIT_ULL(VIRTIO_IOMMU_F_BYPASS_CONFIG))

#define CFG_BYPASS offsetof(struct virtio_iommu_config, bypass)

_Static_assert(sizeof(struct virtio_iommu_config) == 40, "the config layout of the spec");

/* Tell the core what DMA of detached endpoints does; remember it. */
static void viommu_set_bypass(struct virtio_iommu *v, bool on)
{
	v->bypass = on;
	v->cfg.bypass = on;
	if (iommu_set_bypass(v->io, on))
		log_guest_once("virtio-iommu: a consumer refused bypass %s: endpoints blocked",
			       on ? "on" : "off");
}

static uint32_t viommu_serve(struct virtio_dev *vdev, struct virtq_chain *c)
{
	return virtio_iommu_handle(container_of(vdev, struct virtio_iommu, vdev), c);
}

static void viommu_queue_notify(struct virtio_dev *vdev, unsigned q)
{
	struct virtio_iommu *v = container_of(vdev, struct virtio_iommu, vdev);

	if (q == VIRTIO_IOMMU_REQUESTQ)
		virtio_queue_serve(vdev, q, &v->chain, viommu_serve);
	else if (q == VIRTIO_IOMMU_EVENTQ)
		virtio_iommu_events_deliver(v); /* new buffers, or faults queued */
}

static void viommu_start(struct virtio_dev *vdev)
{
	virtio_iommu_events_live(container_of(vdev, struct virtio_iommu, vdev), true);
}

/* Device reset: every endpoint detached, every domain gone (spec 5.13.5).
 * The core's reset restores the bypass of creation; the spec keeps the
 * config field across a device reset, so a bypass the driver changed is
 * applied again right after (endpoints see the creation value between the
 * two calls). */
static void viommu_reset(struct virtio_dev *vdev)
{
	struct virtio_iommu *v = container_of(vdev, struct virtio_iommu, vdev);

	virtio_iommu_events_live(v, false);
	iommu_reset(v->io);
	if (v->bypass != (bool)v->cfg_init.bypass)
		viommu_set_bypass(v, v->bypass);
}

/* Only bypass is writable, and only with BYPASS_CONFIG (spec 5.13.4.1);
 * whatever else the write covered gets its value back. */
static void viommu_config_write(struct virtio_dev *vdev, uint32_t off, uint32_t len)
{
	struct virtio_iommu *v = container_of(vdev, struct virtio_iommu, vdev);
	uint8_t *cfg = (uint8_t *)&v->cfg;
	uint8_t val = cfg[CFG_BYPASS];
	bool hit = off <= CFG_BYPASS && CFG_BYPASS - off < len;

	memcpy(cfg + off, (const uint8_t *)&v->cfg_init + off, len);
	v->cfg.bypass = v->bypass;
	if (!hit) {
		log_guest_once("virtio-iommu: write to a read-only config field dropped");
		return;
	}
	if (!virtio_has_feature(vdev, VIRTIO_IOMMU_F_BYPASS_CONFIG)) {
		log_guest_once("virtio-iommu: bypass written without BYPASS_CONFIG; dropped");
		return;
	}
	if ((bool)(val & 1) != v->bypass)
		viommu_set_bypass(v, val & 1);
}

const struct virtio_dev_ops virtio_iommu_ops = {
	.name = "virtio-iommu",
	.device_id = VIRTIO_ID_IOMMU,
	.pci_class = 0xff0000, /* unclassified, as QEMU's virtio-iommu-pci */
	.queue_notify = viommu_queue_notify,
	.start = viommu_start,
	.reset = viommu_reset,
	.config_write = viommu_config_write,
};

static void viommu_config_init(struct virtio_iommu *v, const struct iommu_config *ic)
{
	v->cfg = (struct virtio_iommu_config){
		.page_size_mask = htole64(ic->page_size_mask),
		.input_range = {htole64(ic->input_first), htole64(ic->input_last)},
		.domain_range = {htole32(ic->domain_first), htole32(ic->domain_last)},
		.probe_size = htole32(VIRTIO_IOMMU_PROBE_SIZE),
		.bypass = ic->bypass,
	};
	v->cfg_init = v->cfg;
	v->bypass = ic->bypass;
}

int virtio_iommu_new(const struct virtio_iommu_params *p, struct virtio_iommu **out)
{
	static const struct virtio_iommu_params defaults = {.boot_bypass = true};
	struct iommu_config ic = {.page_size_mask = VIRTIO_IOMMU_PAGE_MASK};
	struct virtio_iommu *v;
	int ret;

	if (!p)
		p = &defaults;
	ic.input_last = p->input_last ? p->input_last : VIRTIO_IOMMU_INPUT_LAST;
	ic.page_size_mask = p->page_mask ? p->page_mask : VIRTIO_IOMMU_PAGE_MASK;
	ic.domain_last = p->domain_last ? p->domain_last : VIRTIO_IOMMU_DOMAIN_LAST;
	ic.bypass = p->boot_bypass;
	ic.max_mappings = p->max_mappings;
	if (ic.input_last < 0xfff || (ic.input_last & (ic.input_last + 1)))
		return -EINVAL;
	v = calloc(1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	ret = iommu_create(&ic, &v->io);
	if (ret) {
		free(v);
		return ret;
	}
	pthread_mutex_init(&v->ev.lock, NULL);
	viommu_config_init(v, &ic);
	v->vdev.ops = &virtio_iommu_ops;
	v->vdev.features = VIOMMU_FEATURES;
	v->vdev.nr_queues = 2;
	v->vdev.queue_max = VIRTIO_IOMMU_QUEUE_SIZE;
	v->vdev.config = &v->cfg;
	v->vdev.config_len = sizeof(v->cfg);
	iommu_set_fault_handler(v->io, virtio_iommu_fault, v);
	v->log = p->log;
	evlog_watch_iommu(&v->log_watch, p->log, EVLOG_VIRTIO, v->io);
	*out = v;
	return 0;
}

void virtio_iommu_release(struct virtio_iommu *v)
{
	if (v && v->io) {
		iommu_destroy(v->io);
		v->io = NULL;
	}
}

void virtio_iommu_free(struct virtio_iommu *v)
{
	if (!v)
		return;
	virtio_iommu_release(v);
	pthread_mutex_destroy(&v->ev.lock);
	free(v);
}

static bool ranges_meet(uint64_t a, uint64_t b, uint64_t c, uint64_t d)
{
	return a <= d && c <= b;
}

int virtio_iommu_add_resv(struct virtio_iommu *v, uint16_t rid, uint8_t subtype, uint64_t start,
			  uint64_t end)
{
	/* Every endpoint already has its one MSI region: the MSI window. */
	if (start > end || subtype != VIRTIO_IOMMU_RESV_MEM_T_RESERVED)
		return -EINVAL;
	if (ranges_meet(start, end, VIRTIO_IOMMU_MSI_START, VIRTIO_IOMMU_MSI_END))
		return -EINVAL;
	for (unsigned i = 0; i < v->nr_resv; i++)
		if (v->resv[i].rid == rid &&
		    ranges_meet(start, end, v->resv[i].start, v->resv[i].end))
			return -EINVAL;
	if (v->nr_resv == VIRTIO_IOMMU_MAX_RESV)
		return -ENOSPC;
	v->resv[v->nr_resv++] = (struct virtio_iommu_resv){rid, subtype, start, end};
	return 0;
}
