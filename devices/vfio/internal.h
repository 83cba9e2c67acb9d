/* SPDX-License-Identifier: MIT */
/* Shared between the files of devices/vfio; not for other code. */
#ifndef DEVICES_VFIO_INTERNAL_H
#define DEVICES_VFIO_INTERNAL_H

#include "devices/vfio/vfio.h"

/* container.c: open /dev/vfio/vfio and check the API version and type1v2.
 * 0 and *out, or -errno with err. */
int vfio_container_open(struct vfio_container **out, bool identity, char *err, size_t errlen);

/* container.c: after the first group joined, select type1v2 and read the
 * usable IOVA ranges and page sizes. 0 or -errno with err. */
int vfio_container_set_iommu(struct vfio_container *c, char *err, size_t errlen);

/* container.c: close the container (the kernel unmaps what is left). */
void vfio_container_close(struct vfio_container *c);

#endif
