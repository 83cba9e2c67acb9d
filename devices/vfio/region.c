// SPDX-License-Identifier: MIT
/* Region access (pread/pwrite at the region's offset in the device fd),
 * the kernel's device ioctls, and reset. */
#include <errno.h>
#include <linux/pci_regs.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "devices/vfio/internal.h"

const struct vfio_info_cap_header *vfio_info_cap(const void *info, uint32_t argsz, size_t head,
						 uint32_t first, uint16_t id, size_t min)
{
	uint32_t off = first;

	for (unsigned steps = 0; off && steps < 16; steps++) {
		const struct vfio_info_cap_header *h = (const void *)((const char *)info + off);

		if (off < head || off + sizeof(*h) > argsz)
			return NULL;
		if (h->id == id)
			return off + min <= argsz ? h : NULL;
		off = h->next;
	}
	return NULL;
}

static int region_check(const struct vfio_dev *d, unsigned idx, uint64_t off, size_t len)
{
	if (idx >= VFIO_PCI_NUM_REGIONS || off > d->region[idx].size ||
	    len > d->region[idx].size - off)
		return -EINVAL;
	return 0;
}

/* pread or pwrite len bytes at off of region idx, all or nothing. */
static int region_rw(const struct vfio_dev *d, unsigned idx, uint64_t off, void *buf, size_t len,
		     bool write)
{
	off_t at;
	ssize_t n;
	int ret = region_check(d, idx, off, len);

	if (ret)
		return ret;
	at = (off_t)(d->region[idx].offset + off);
	n = write ? pwrite(d->fd, buf, len, at) : pread(d->fd, buf, len, at);
	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EIO;
}

int vfio_region_read(const struct vfio_dev *d, unsigned idx, uint64_t off, void *buf, size_t len)
{
	return region_rw(d, idx, off, buf, len, false);
}

int vfio_region_write(const struct vfio_dev *d, unsigned idx, uint64_t off, const void *buf,
		      size_t len)
{
	return region_rw(d, idx, off, (void *)buf, len, true);
}

static int kernel_set_irqs(void *opaque, struct vfio_irq_set *set)
{
	struct vfio_dev *d = opaque;

	return ioctl(d->fd, VFIO_DEVICE_SET_IRQS, set) < 0 ? -errno : 0;
}

static int kernel_reset(void *opaque)
{
	struct vfio_dev *d = opaque;

	if (!(d->flags & VFIO_DEVICE_FLAGS_RESET))
		return -ENOTTY;
	return ioctl(d->fd, VFIO_DEVICE_RESET) < 0 ? -errno : 0;
}

const struct vfio_dev_ops vfio_dev_kernel_ops = {
	.set_irqs = kernel_set_irqs,
	.reset = kernel_reset,
};

int vfio_dev_reset(struct vfio_dev *d)
{
	uint16_t cmd;
	int ret = d->ops->reset(d->ops_opaque);

	/* Whatever the reset did, the device ends with bus mastering off. */
	if (vfio_region_read(d, VFIO_PCI_CONFIG_REGION_INDEX, PCI_COMMAND, &cmd, 2) == 0) {
		cmd &= (uint16_t)~PCI_COMMAND_MASTER;
		(void)vfio_region_write(d, VFIO_PCI_CONFIG_REGION_INDEX, PCI_COMMAND, &cmd, 2);
	}
	return ret;
}
