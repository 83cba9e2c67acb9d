// SPDX-License-Identifier: MIT
/* Opening a VFIO device from its sysfs path: the checks that give each
 * set-up failure its one-line cause, the group and its container, the device
 * fd, its regions (with sparse-mmap areas) and its interrupts. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "devices/vfio/internal.h"

#define SYSFS_PCI "/sys/bus/pci/devices/"

/* The last component of the symlink at dir/name into out; false if none. */
static bool link_base(const char *dir, const char *name, char *out, size_t len)
{
	char p[PATH_MAX], t[PATH_MAX];
	ssize_t n;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	n = readlink(p, t, sizeof(t) - 1);
	if (n < 0)
		return false;
	t[n] = '\0';
	snprintf(out, len, "%s", basename(t));
	return true;
}

/* The devices of group id bound to a driver that makes the group unusable
 * (anything but vfio-pci, pci-stub, a bridge's pcieport, or none), as
 * "A (driver), ..." */
static void group_offenders(int id, char *out, size_t len)
{
	char dir[64], drv[64], dev[PATH_MAX];
	struct dirent *e;
	size_t at = 0;
	DIR *dp;

	out[0] = '\0';
	snprintf(dir, sizeof(dir), "/sys/kernel/iommu_groups/%d/devices", id);
	dp = opendir(dir);
	if (!dp)
		return;
	for (unsigned n = 0; (e = readdir(dp)) && n < 256; n++) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(dev, sizeof(dev), "%s/%s", dir, e->d_name);
		if (!link_base(dev, "driver", drv, sizeof(drv)) || !strcmp(drv, "vfio-pci") ||
		    !strcmp(drv, "pci-stub") || !strcmp(drv, "pcieport"))
			continue;
		at += (size_t)snprintf(out + at, at < len ? len - at : 0, "%s%s (%s)",
				       at ? ", " : "", e->d_name, drv);
		if (at >= len)
			break;
	}
	closedir(dp);
}

static struct vfio_container *identity_container(struct vfio_ctx *ctx)
{
	for (unsigned i = 0; i < ctx->nr_c; i++)
		if (ctx->c[i]->identity)
			return ctx->c[i];
	return NULL;
}

/* Group id in ctx, opened and in a container, or NULL with err. */
static struct vfio_group *group_get(struct vfio_ctx *ctx, const char *dev, int id, bool identity,
				    char *err, size_t errlen)
{
	struct vfio_group_status st = {.argsz = sizeof(st)};
	struct vfio_container *c = NULL;
	struct vfio_group *g;
	char path[64], who[512];
	bool fresh = false;
	int fd;

	for (unsigned i = 0; i < ctx->nr_g; i++) {
		if (ctx->g[i].id != id)
			continue;
		if (ctx->g[i].identity != identity) {
			snprintf(err, errlen,
				 "%s: its IOMMU group %d has another device with a different "
				 "iommu= setting; a group has one view of memory",
				 dev, id);
			return NULL;
		}
		return &ctx->g[i];
	}
	if (ctx->nr_g == VFIO_MAX_GROUPS) {
		snprintf(err, errlen, "%s: at most %d IOMMU groups", dev, VFIO_MAX_GROUPS);
		return NULL;
	}
	snprintf(path, sizeof(path), "/dev/vfio/%d", id);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s: %s%s", dev, path, strerror(errno),
			 errno == EACCES || errno == EPERM ? " (permission denied: run as root or "
							     "give this user the group's node)"
							   : "");
		return NULL;
	}
	if (ioctl(fd, VFIO_GROUP_GET_STATUS, &st) < 0 || !(st.flags & VFIO_GROUP_FLAGS_VIABLE)) {
		group_offenders(id, who, sizeof(who));
		snprintf(err, errlen,
			 "%s: IOMMU group %d is not viable: its other devices must be bound to "
			 "vfio-pci (or to no driver); bound elsewhere: %s",
			 dev, id, who[0] ? who : "(unknown)");
		goto fail;
	}
	if (identity)
		c = identity_container(ctx);
	if (!c) {
		char cerr[192];

		if (vfio_container_open(&c, identity, cerr, sizeof(cerr))) {
			snprintf(err, errlen, "%s: %s", dev, cerr);
			goto fail;
		}
		ctx->c[ctx->nr_c++] = c;
		fresh = true;
	}
	if (ioctl(fd, VFIO_GROUP_SET_CONTAINER, &c->fd) < 0) {
		snprintf(err, errlen, "%s: VFIO_GROUP_SET_CONTAINER: %s", dev, strerror(errno));
		goto fail;
	}
	if (fresh) {
		char cerr[192];

		if (vfio_container_set_iommu(c, cerr, sizeof(cerr))) {
			snprintf(err, errlen, "%s: %s", dev, cerr);
			goto fail;
		}
	}
	g = &ctx->g[ctx->nr_g++];
	*g = (struct vfio_group){.id = id, .fd = fd, .identity = identity, .c = c};
	return g;
fail:
	close(fd);
	return NULL;
}

/* Sparse-mmap areas of a region from its info capabilities; the whole
 * region when it is mmap-able and says nothing more. */
static void region_areas(struct vfio_region *r, const struct vfio_region_info *info)
{
	const struct vfio_region_info_cap_sparse_mmap *s;

	r->nr_areas = 0;
	if (!(info->flags & VFIO_REGION_INFO_FLAG_MMAP))
		return;
	s = (const void *)vfio_info_cap(info, info->argsz, sizeof(*info),
					info->flags & VFIO_REGION_INFO_FLAG_CAPS ? info->cap_offset
										 : 0,
					VFIO_REGION_INFO_CAP_SPARSE_MMAP, sizeof(*s));
	if (s) {
		for (uint32_t i = 0; i < s->nr_areas && r->nr_areas < VFIO_MAX_SPARSE; i++) {
			if ((const char *)&s->areas[i + 1] > (const char *)info + info->argsz)
				break;
			r->area[r->nr_areas].offset = s->areas[i].offset;
			r->area[r->nr_areas++].size = s->areas[i].size;
		}
		return;
	}
	r->area[0].offset = 0;
	r->area[0].size = r->size;
	r->nr_areas = 1;
}

static int region_info(struct vfio_dev *d, unsigned idx)
{
	struct vfio_region_info *info = calloc(1, sizeof(*info));
	int ret = 0;

	if (!info)
		return -ENOMEM;
	info->argsz = sizeof(*info);
	info->index = idx;
	if (ioctl(d->fd, VFIO_DEVICE_GET_REGION_INFO, info) < 0) {
		ret = -errno;
		goto out;
	}
	if (info->argsz > sizeof(*info) && info->argsz < 65536) {
		uint32_t sz = info->argsz;
		struct vfio_region_info *big = realloc(info, sz);

		if (!big) {
			ret = -ENOMEM;
			goto out;
		}
		info = big;
		memset(info, 0, sz);
		info->argsz = sz;
		info->index = idx;
		if (ioctl(d->fd, VFIO_DEVICE_GET_REGION_INFO, info) < 0) {
			ret = -errno;
			goto out;
		}
	}
	d->region[idx].size = info->size;
	d->region[idx].offset = info->offset;
	d->region[idx].flags = info->flags;
	region_areas(&d->region[idx], info);
out:
	free(info);
	return ret;
}

static int dev_info(struct vfio_dev *d, char *err, size_t errlen)
{
	struct vfio_device_info info = {.argsz = sizeof(info)};
	int ret;

	if (ioctl(d->fd, VFIO_DEVICE_GET_INFO, &info) < 0) {
		snprintf(err, errlen, "%s: VFIO_DEVICE_GET_INFO: %s", d->name, strerror(errno));
		return -errno;
	}
	if (!(info.flags & VFIO_DEVICE_FLAGS_PCI) ||
	    info.num_regions <= VFIO_PCI_CONFIG_REGION_INDEX) {
		snprintf(err, errlen, "%s: not a PCI device as VFIO sees it", d->name);
		return -ENODEV;
	}
	d->flags = info.flags;
	for (unsigned i = 0; i <= VFIO_PCI_CONFIG_REGION_INDEX; i++) {
		ret = region_info(d, i);
		if (ret) {
			snprintf(err, errlen, "%s: region %u: %s", d->name, i, strerror(-ret));
			return ret;
		}
	}
	for (unsigned i = 0; i < VFIO_PCI_NUM_IRQS && i < info.num_irqs; i++) {
		struct vfio_irq_info irq = {.argsz = sizeof(irq), .index = i};

		if (ioctl(d->fd, VFIO_DEVICE_GET_IRQ_INFO, &irq) == 0)
			d->irq_count[i] = irq.count;
	}
	return 0;
}

int vfio_dev_open(struct vfio_ctx *ctx, const char *path, bool identity, struct vfio_dev *d,
		  char *err, size_t errlen)
{
	char dev[64], drv[64], grp[32];
	struct stat sb;
	int id;

	*d = (struct vfio_dev){.fd = -1, .ops = &vfio_dev_kernel_ops, .ops_opaque = d};
	if (strncmp(path, SYSFS_PCI, strlen(SYSFS_PCI)) || strlen(path) >= PATH_MAX - 32) {
		snprintf(err, errlen, "--device: path=%s is not under %s", path, SYSFS_PCI);
		return -EINVAL;
	}
	snprintf(dev, sizeof(dev), "%s", path + strlen(SYSFS_PCI));
	dev[strcspn(dev, "/")] = '\0';
	snprintf(d->name, sizeof(d->name), "%s", dev);
	if (stat(path, &sb) < 0) {
		snprintf(err, errlen, "%s: no such PCI device (%s)", dev, strerror(errno));
		return -ENOENT;
	}
	if (!link_base(path, "driver", drv, sizeof(drv))) {
		snprintf(err, errlen,
			 "%s: bound to no driver, not vfio-pci; bind it with: echo vfio-pci > "
			 "%s/driver_override; echo %s > /sys/bus/pci/drivers_probe",
			 dev, path, dev);
		return -ENXIO;
	}
	if (strcmp(drv, "vfio-pci")) {
		snprintf(err, errlen,
			 "%s: bound to %s, not vfio-pci; bind it with: echo vfio-pci > "
			 "%s/driver_override; echo %s > %s/driver/unbind; echo %s > "
			 "/sys/bus/pci/drivers_probe",
			 dev, drv, path, dev, path, dev);
		return -ENXIO;
	}
	if (!link_base(path, "iommu_group", grp, sizeof(grp))) {
		snprintf(err, errlen,
			 "%s: no IOMMU group: the host has no IOMMU enabled (intel_iommu=on or "
			 "amd_iommu=on)",
			 dev);
		return -ENODEV;
	}
	id = atoi(grp);
	d->group = group_get(ctx, dev, id, identity, err, errlen);
	if (!d->group)
		return -EPERM;
	d->fd = ioctl(d->group->fd, VFIO_GROUP_GET_DEVICE_FD, dev);
	if (d->fd < 0) {
		snprintf(err, errlen, "%s: VFIO_GROUP_GET_DEVICE_FD: %s", dev, strerror(errno));
		return -errno;
	}
	return dev_info(d, err, errlen);
}

void vfio_dev_close(struct vfio_dev *d)
{
	if (d->fd >= 0)
		close(d->fd);
	d->fd = -1;
}

void vfio_ctx_close(struct vfio_ctx *ctx)
{
	for (unsigned i = 0; i < ctx->nr_g; i++)
		close(ctx->g[i].fd);
	for (unsigned i = 0; i < ctx->nr_c; i++)
		vfio_container_close(ctx->c[i]);
	*ctx = (struct vfio_ctx){0};
}
