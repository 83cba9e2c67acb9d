/* SPDX-License-Identifier: MIT */
/* The guest's IOMMU view of a passthrough device, mirrored into a host
 * container (struct host_dma): the collapse of two translations into one.
 *
 * A mirror subscribes to the IOMMU core's notifier of one endpoint (the
 * group's only function behind the vIOMMU): a guest MAP becomes one
 * host map of the memory behind the GPA range (never one per page), UNMAP
 * one host unmap, BYPASS_ON maps all guest RAM at IOVA = GPA and BYPASS_OFF
 * unmaps it. A MAP the host refuses is refused to the core, which rolls the
 * guest's request back (virtio-iommu IOERR, or NOMEM past the container's
 * budget of mapped bytes: host_dma.budget); it is logged once. The
 * identity container of devices with no vIOMMU gets the same RAM mapping
 * once, at start (vfio_map_ram). */
#ifndef DEVICES_VFIO_MIRROR_H
#define DEVICES_VFIO_MIRROR_H

#include "devices/vfio/host_dma.h"
#include "iommu/iommu.h"
#include "vmm/guest_mem.h"

/* Where a GPA range lives in the VMM: guest RAM, or a passthrough device's
 * BAR mmap (peer-to-peer). NULL when the range is neither. */
struct gpa_host {
	void *(*host)(void *opaque, gpa_t gpa, uint64_t len);
	void *opaque;
};

struct vfio_mirror {
	struct iommu_notifier n; /* notify = vfio_mirror_notify, opaque = this */
	struct host_dma *h;
	const struct guest_mem *mem;
	struct gpa_host gh;
	const char *name; /* for the log */
	bool bypass;	  /* RAM is mapped at identity */
	bool warned;	  /* a refusal has been logged */
};

/* Map every RAM region of mem at IOVA = GPA, one host map each (undone on
 * failure). 0 or -errno. */
int vfio_map_ram(struct host_dma *h, const struct guest_mem *mem) __must_check;

/* Unmap what vfio_map_ram() mapped. */
void vfio_unmap_ram(struct host_dma *h, const struct guest_mem *mem);

/* Fill m for host h over mem (gh resolves GPAs), ready for
 * iommu_notifier_add(io, rid, &m->n). */
void vfio_mirror_init(struct vfio_mirror *m, struct host_dma *h, const struct guest_mem *mem,
		      struct gpa_host gh, const char *name);

/* The notifier callback (opaque: the mirror). MAP and BYPASS_ON return 0
 * or -errno (refused); UNMAP and BYPASS_OFF always 0. */
int vfio_mirror_notify(void *opaque, const struct iommu_event *ev);

#endif
