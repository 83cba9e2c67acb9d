/* SPDX-License-Identifier: MIT */
/* Shared between the files of devices/vfio; not for other code. */
#ifndef DEVICES_VFIO_INTERNAL_H
#define DEVICES_VFIO_INTERNAL_H

#include "devices/vfio/vfio.h"

/* region.c: the capability with this id in a VFIO info struct's chain
 * (info of argsz bytes, whose fixed part is head bytes, the chain starting
 * at offset first; 0: none), with at least min bytes of it inside argsz; or
 * NULL. Bounded by argsz and by a step count (a looping chain ends it). */
const struct vfio_info_cap_header *vfio_info_cap(const void *info, uint32_t argsz, size_t head,
						 uint32_t first, uint16_t id, size_t min);

/* container.c: open /dev/vfio/vfio and check the API version and type1v2.
 * 0 and *out, or -errno with err. */
int vfio_container_open(struct vfio_container **out, bool identity, char *err, size_t errlen);

/* container.c: after the first group joined, select type1v2 and read the
 * usable IOVA ranges and page sizes. 0 or -errno with err. */
int vfio_container_set_iommu(struct vfio_container *c, char *err, size_t errlen);

/* container.c: close the container (the kernel unmaps what is left). */
void vfio_container_close(struct vfio_container *c);

#endif
