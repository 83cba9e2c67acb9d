/* SPDX-License-Identifier: MIT */
/* The fixture of tests/fuzz/fuzz_virtio_iommu.c: its limits, the state (the
 * device, the emulated endpoints' address spaces, the passthrough endpoints'
 * fake host containers with their VFIO mirrors, and the reference model's
 * state), and the fake hosts' callbacks, which keep what they are asked to
 * map and refuse a map when the input says so. */
#ifndef TESTS_FUZZ_VIRTIO_IOMMU_FX_H
#define TESTS_FUZZ_VIRTIO_IOMMU_FX_H

#include <endian.h>
#include <errno.h>

#include "devices/vfio/mirror.h"
#include "devices/virtio/iommu.h"
#include "iommu/iommu_internal.h"
#include "tests/fuzz/virtio_fixture.h"

#define MAX_OPS	 48
#define MAX_MAPS 64 /* per model domain: at most one per op */
#define NR_EP	 4
#define VF0	 2 /* endpoints VF0.. are mirrored */
#define NR_DOM	 NR_EP
#define MAX_HOST 64
#define RD_MAX	 128
#define WR_MAX	 640
#define GAP	 16
#define S(x)	 VIRTIO_IOMMU_S_##x
#define RWF	 (IOMMU_MAP_READ | IOMMU_MAP_WRITE)
#define TAIL	 4u
#define CFG_BYP	 offsetof(struct virtio_iommu_config, bypass)

/* FUZZ_TRACE=1 in the environment: one line per operation on stderr. */
static bool trace;
#define TRACE(...)                                                                                 \
	do {                                                                                       \
		if (trace)                                                                         \
			fprintf(stderr, __VA_ARGS__);                                              \
	} while (0)

static const uint16_t ep_rid[NR_EP] = {0x10, 0x18, 0x20, 0x28};

struct mdom {
	bool live, bypass;
	uint32_t id;
	unsigned n;
	struct iova_mapping m[MAX_MAPS]; /* sorted */
};

enum mmode { M_DETACHED, M_DOMAIN, M_BLOCKED };

struct fake_host {
	struct host_dma h;
	struct vfio_mirror mir;
	struct {
		uint64_t iova, len;
		void *host;
		unsigned perm;
	} m[MAX_HOST];
	unsigned nr, events, refusals;
	int first_err;
};

static struct {
	struct vfx_ram ram;
	struct virtio_iommu *v;
	struct dma_as as[VF0];
	struct fake_host fh[NR_EP - VF0];
	uint64_t feat, refuse_bits, input_last;
	unsigned refuse_pos, max_maps;
	uint32_t domain_last;
	int refuse_err;
	/* the model */
	bool bypass;
	enum mmode mode[NR_EP];
	int dom[NR_EP];
	struct mdom d[NR_DOM];
	unsigned total;
	struct virtio_iommu_resv resv[4];
	unsigned nr_resv;
	uint32_t touched[MAX_OPS];
	unsigned nr_touched;
	/* this operation */
	uint64_t iovas[48];
	unsigned nr_iovas;
	struct virtq_chain c;
	uint8_t wbuf[WR_MAX + GAP + 64];
} F;

/* ---- the fake host and the mirror ---- */

static int fh_map(void *opaque, uint64_t iova, void *host, uint64_t len, unsigned perm)
{
	struct fake_host *f = opaque;

	if ((F.refuse_bits >> (F.refuse_pos++ % 64)) & 1)
		return F.refuse_err;
	for (unsigned i = 0; i < f->nr; i++)
		FUZZ_CHECK(iova + len <= f->m[i].iova || f->m[i].iova + f->m[i].len <= iova,
			   "host map %#llx+%#llx overlaps one", (unsigned long long)iova,
			   (unsigned long long)len);
	FUZZ_CHECK(f->nr < MAX_HOST, "host table full");
	f->m[f->nr].iova = iova;
	f->m[f->nr].len = len;
	f->m[f->nr].host = host;
	f->m[f->nr].perm = perm;
	f->nr++;
	return 0;
}

static int fh_unmap(void *opaque, uint64_t iova, uint64_t len, uint64_t *done)
{
	struct fake_host *f = opaque;

	*done = 0;
	for (unsigned i = 0; i < f->nr;) {
		if (!len || (f->m[i].iova >= iova && f->m[i].iova - iova + f->m[i].len <= len)) {
			*done += f->m[i].len;
			f->m[i] = f->m[--f->nr];
		} else {
			i++;
		}
	}
	return 0;
}

static int64_t fh_avail(void *opaque)
{
	(void)opaque;
	return -1;
}

static const struct host_dma_ops fh_ops = {fh_map, fh_unmap, fh_avail};

static void *fh_resolve(void *opaque, gpa_t g, uint64_t len)
{
	return guest_mem_ptr(opaque, g, len);
}

/* Between the core and the mirror: counts events and refusals. */
static int fh_notify(void *opaque, const struct iommu_event *ev)
{
	struct fake_host *f = opaque;
	int ret = vfio_mirror_notify(&f->mir, ev);

	f->events++;
	if (ret && !f->refusals++)
		f->first_err = ret;
	FUZZ_CHECK(!ret || ev->type == IOMMU_EVENT_MAP || ev->type == IOMMU_EVENT_BYPASS_ON,
		   "the mirror refused event %d", ev->type);
	return ret;
}

#endif /* TESTS_FUZZ_VIRTIO_IOMMU_FX_H */
