// SPDX-License-Identifier: MIT
/* A VFIO type1v2 container as a struct host_dma: MAP_DMA/UNMAP_DMA, and the
 * usable IOVA ranges, page sizes and entries left from VFIO_IOMMU_GET_INFO. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "devices/vfio/internal.h"

static int type1_map(void *opaque, uint64_t iova, void *host, uint64_t len, unsigned perm)
{
	struct vfio_container *c = opaque;
	struct vfio_iommu_type1_dma_map m = {
		.argsz = sizeof(m),
		.flags = (perm & HOST_DMA_READ ? VFIO_DMA_MAP_FLAG_READ : 0) |
			 (perm & HOST_DMA_WRITE ? VFIO_DMA_MAP_FLAG_WRITE : 0),
		.vaddr = (uintptr_t)host,
		.iova = iova,
		.size = len,
	};

	return ioctl(c->fd, VFIO_IOMMU_MAP_DMA, &m) < 0 ? -errno : 0;
}

static int type1_unmap(void *opaque, uint64_t iova, uint64_t len, uint64_t *unmapped)
{
	struct vfio_container *c = opaque;
	struct vfio_iommu_type1_dma_unmap u = {
		.argsz = sizeof(u),
		.flags = len ? 0 : VFIO_DMA_UNMAP_FLAG_ALL,
		.iova = iova,
		.size = len,
	};

	*unmapped = 0;
	if (ioctl(c->fd, VFIO_IOMMU_UNMAP_DMA, &u) < 0)
		return -errno;
	*unmapped = u.size; /* the kernel writes back what it unmapped */
	return 0;
}

/* GET_INFO with room for its capabilities; NULL on failure. */
static struct vfio_iommu_type1_info *type1_info(int fd)
{
	struct vfio_iommu_type1_info *info = calloc(1, sizeof(*info));
	uint32_t sz;

	if (!info)
		return NULL;
	info->argsz = sizeof(*info);
	if (ioctl(fd, VFIO_IOMMU_GET_INFO, info) < 0)
		goto fail;
	sz = info->argsz;
	if (sz > sizeof(*info) && sz < 65536) {
		struct vfio_iommu_type1_info *big = realloc(info, sz);

		if (!big)
			goto fail;
		info = big;
		memset(info, 0, sz);
		info->argsz = sz;
		if (ioctl(fd, VFIO_IOMMU_GET_INFO, info) < 0)
			goto fail;
	}
	return info;
fail:
	free(info);
	return NULL;
}

/* The capability with id in info's chain, or NULL (vfio_info_cap). */
static const struct vfio_info_cap_header *type1_cap(const struct vfio_iommu_type1_info *info,
						    uint16_t id, size_t min)
{
	return vfio_info_cap(info, info->argsz, sizeof(*info),
			     info->flags & VFIO_IOMMU_INFO_CAPS ? info->cap_offset : 0, id, min);
}

static int64_t type1_avail(void *opaque)
{
	struct vfio_container *c = opaque;
	struct vfio_iommu_type1_info *info = type1_info(c->fd);
	const struct vfio_iommu_type1_info_dma_avail *a;
	int64_t n = -1;

	if (!info)
		return -1;
	a = (const void *)type1_cap(info, VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL, sizeof(*a));
	if (a)
		n = a->avail;
	free(info);
	return n;
}

static const struct host_dma_ops type1_ops = {
	.map = type1_map,
	.unmap = type1_unmap,
	.avail = type1_avail,
};

/* Fill c->dma's ranges and page sizes from GET_INFO. 0 or -errno. */
static int type1_read_info(struct vfio_container *c)
{
	struct vfio_iommu_type1_info *info = type1_info(c->fd);
	const struct vfio_iommu_type1_info_cap_iova_range *r;

	if (!info)
		return -errno ?: -EIO;
	c->dma.pgsizes = info->flags & VFIO_IOMMU_INFO_PGSIZES ? info->iova_pgsizes : 4096;
	r = (const void *)type1_cap(info, VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE, sizeof(*r));
	if (r && r->nr_iovas &&
	    (const char *)&r->iova_ranges[r->nr_iovas] <= (const char *)info + info->argsz) {
		for (uint32_t i = 0; i < r->nr_iovas && c->dma.nr_ranges < HOST_DMA_RANGES; i++)
			c->dma.ranges[c->dma.nr_ranges++] = (struct host_iova_range){
				r->iova_ranges[i].start, r->iova_ranges[i].end};
	} else {
		/* An old kernel without the capability: everything. */
		c->dma.ranges[0] = (struct host_iova_range){0, UINT64_MAX};
		c->dma.nr_ranges = 1;
	}
	free(info);
	return 0;
}

int vfio_container_open(struct vfio_container **out, bool identity, char *err, size_t errlen)
{
	struct vfio_container *c = calloc(1, sizeof(*c));
	int ret;

	if (!c)
		return -ENOMEM;
	c->identity = identity;
	c->fd = open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC);
	if (c->fd < 0) {
		ret = -errno;
		snprintf(err, errlen,
			 "/dev/vfio/vfio: %s (load the vfio and vfio-pci modules; is there an "
			 "IOMMU?)",
			 strerror(errno));
		free(c);
		return ret;
	}
	if (ioctl(c->fd, VFIO_GET_API_VERSION) != VFIO_API_VERSION) {
		snprintf(err, errlen, "/dev/vfio/vfio: unknown VFIO API version");
		goto fail;
	}
	if (ioctl(c->fd, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU) <= 0) {
		snprintf(err, errlen, "/dev/vfio/vfio: the host IOMMU does not offer type1v2");
		goto fail;
	}
	c->dma.ops = &type1_ops;
	c->dma.opaque = c;
	*out = c;
	return 0;
fail:
	close(c->fd);
	free(c);
	return -ENODEV;
}

int vfio_container_set_iommu(struct vfio_container *c, char *err, size_t errlen)
{
	int ret;

	if (ioctl(c->fd, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU) < 0) {
		ret = -errno;
		snprintf(err, errlen, "VFIO_SET_IOMMU(type1v2): %s", strerror(errno));
		return ret;
	}
	ret = type1_read_info(c);
	if (ret)
		snprintf(err, errlen, "VFIO_IOMMU_GET_INFO: %s", strerror(-ret));
	c->dma.avail0 = type1_avail(c);
	return ret;
}

void vfio_container_close(struct vfio_container *c)
{
	if (!c)
		return;
	if (c->fd >= 0)
		close(c->fd); /* the kernel unmaps and unpins what is left */
	free(c);
}
