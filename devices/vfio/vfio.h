/* SPDX-License-Identifier: MIT */
/* VFIO (type1v2) set-up: containers, groups and device fds.
 *
 * Type1 maps per container, and a group sits in exactly one container. Two
 * kinds of container:
 *  - the identity container, shared by every group whose devices see guest
 *    RAM at IOVA = GPA (no vIOMMU, or iommu=off): all RAM is mapped once;
 *  - one container per group behind the vIOMMU: it mirrors that group's
 *    view of its guest IOMMU domain (devices/vfio/mirror.c).
 * Each container is a struct host_dma (devices/vfio/host_dma.h).
 *
 * Every set-up failure is one line in err naming the device and the cause;
 * the caller exits with VMM_EXIT_DEVICE. */
#ifndef DEVICES_VFIO_VFIO_H
#define DEVICES_VFIO_VFIO_H

#include <linux/vfio.h>
#include <stdbool.h>
#include <stddef.h>

#include "devices/vfio/host_dma.h"

#define VFIO_MAX_GROUPS	    8
#define VFIO_MAX_CONTAINERS (VFIO_MAX_GROUPS + 1)
#define VFIO_MAX_SPARSE	    8 /* mmap-able areas kept per region */

struct vfio_container {
	int fd;
	bool identity; /* the shared IOVA = GPA container */
	struct host_dma dma;
};

struct vfio_group {
	int id; /* /dev/vfio/ID */
	int fd;
	bool identity;
	struct vfio_container *c;
};

/* One region of a device (a BAR, the ROM, config space). */
struct vfio_region {
	uint64_t size, offset; /* offset: where it is in the device fd */
	uint32_t flags;	       /* VFIO_REGION_INFO_FLAG_* */
	unsigned nr_areas;     /* mmap-able areas (sparse mmap), offsets in the region */
	struct {
		uint64_t offset, size;
	} area[VFIO_MAX_SPARSE];
};

/* How a vfio_dev reaches the kernel: ioctls on the device fd. Tests fake it. */
struct vfio_dev_ops {
	int (*set_irqs)(void *opaque, struct vfio_irq_set *set);
	int (*reset)(void *opaque);
};

struct vfio_dev {
	char name[64]; /* DDDD:BB:DD.F */
	int fd;	       /* device fd: regions are read/written at their offsets */
	struct vfio_group *group;
	uint32_t flags; /* VFIO_DEVICE_FLAGS_* */
	struct vfio_region region[VFIO_PCI_NUM_REGIONS];
	uint32_t irq_count[VFIO_PCI_NUM_IRQS]; /* vectors per index */
	const struct vfio_dev_ops *ops;
	void *ops_opaque;
};

struct vfio_ctx {
	struct vfio_container *c[VFIO_MAX_CONTAINERS];
	unsigned nr_c;
	struct vfio_group g[VFIO_MAX_GROUPS];
	unsigned nr_g;
};

/* Open the VFIO device at sysfs path (/sys/bus/pci/devices/DDDD:BB:DD.F):
 * check that it exists, is bound to vfio-pci and sits in an IOMMU group;
 * open and check its group (viable: every device in it bound to vfio-pci)
 * and put it in a container (identity: the shared one; otherwise a new one
 * for the group, which the group's other devices share); get the device fd
 * and its regions and interrupts. 0 and *d filled, or -errno with err. */
int vfio_dev_open(struct vfio_ctx *ctx, const char *path, bool identity, struct vfio_dev *d,
		  char *err, size_t errlen) __must_check;

/* Close the device fd (after vfio_dev_reset). */
void vfio_dev_close(struct vfio_dev *d);

/* Close every group and container (unmapping what they still map). */
void vfio_ctx_close(struct vfio_ctx *ctx);

/* Read/write len bytes at off of region idx. 0 or -errno (-EIO short). */
int vfio_region_read(const struct vfio_dev *d, unsigned idx, uint64_t off, void *buf, size_t len);
int vfio_region_write(const struct vfio_dev *d, unsigned idx, uint64_t off, const void *buf,
		      size_t len);

/* Function reset (VFIO_DEVICE_RESET), then bus mastering off. 0 or -errno. */
int vfio_dev_reset(struct vfio_dev *d);

/* The default vfio_dev_ops: ioctls on d->fd (opaque = d). */
extern const struct vfio_dev_ops vfio_dev_kernel_ops;

#endif
