// SPDX-License-Identifier: MIT
/* The virtio PCI function: identity, BAR, capabilities, MSI-X, the BAR
 * dispatch to the structures in it, and the PCI_CFG access window. */
#include "devices/virtio/pci.h"

#include <errno.h>
#include <linux/virtio_pci.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "devices/virtio/pci_internal.h"
#include "vmm/log.h"

#define CFG_CAP_DATA offsetof(struct virtio_pci_cfg_cap, pci_cfg_data)

static bool in_region(uint64_t off, unsigned size, uint64_t start, uint64_t len)
{
	return off >= start && off - start < len && size <= len - (off - start);
}

/* Device config space: any width inside it (vdev->lock held). */
static uint64_t devcfg_read(struct virtio_pci *vp, uint64_t off, unsigned size)
{
	uint64_t v = 0;

	if (!in_region(off, size, 0, vp->vdev->config_len)) {
		log_guest_once("%s: device config read past its end", vp->vdev->ops->name);
		return 0;
	}
	memcpy(&v, (uint8_t *)vp->vdev->config + off, size); /* little endian */
	return v;
}

static void devcfg_write(struct virtio_pci *vp, uint64_t off, unsigned size, uint64_t val)
{
	struct virtio_dev *vdev = vp->vdev;

	if (!vdev->ops->config_write || !in_region(off, size, 0, vdev->config_len)) {
		log_guest_once("%s: device config write dropped", vdev->ops->name);
		return;
	}
	memcpy((uint8_t *)vdev->config + off, &val, size);
	vdev->ops->config_write(vdev, (uint32_t)off, size);
}

static uint64_t vp_bar_read(struct pci_dev *d, unsigned bar, uint64_t off, unsigned size)
{
	struct virtio_pci *vp = d->opaque;
	uint64_t v = 0;

	if (bar != VIRTIO_PCI_BAR)
		return 0;
	if (in_region(off, size, VIRTIO_PCI_ISR_OFF, VIRTIO_PCI_ISR_LEN))
		return virtio_pci_isr_read(vp);
	pthread_mutex_lock(&vp->vdev->lock);
	if (in_region(off, size, VIRTIO_PCI_COMMON_OFF, VIRTIO_PCI_COMMON_LEN))
		v = virtio_pci_common_read(vp, off - VIRTIO_PCI_COMMON_OFF, size);
	else if (in_region(off, size, VIRTIO_PCI_DEVCFG_OFF, VIRTIO_PCI_DEVCFG_MAX))
		v = devcfg_read(vp, off - VIRTIO_PCI_DEVCFG_OFF, size);
	pthread_mutex_unlock(&vp->vdev->lock);
	return v; /* the notify area and the gaps read 0 */
}

static void vp_bar_write(struct pci_dev *d, unsigned bar, uint64_t off, unsigned size, uint64_t val)
{
	struct virtio_pci *vp = d->opaque;
	uint64_t nlen = (uint64_t)vp->vdev->nr_queues * VIRTIO_PCI_NOTIFY_MULT;

	if (bar != VIRTIO_PCI_BAR)
		return;
	if (in_region(off, size, VIRTIO_PCI_NOTIFY_OFF, nlen)) {
		virtio_pci_notify(vp,
				  (unsigned)(off - VIRTIO_PCI_NOTIFY_OFF) / VIRTIO_PCI_NOTIFY_MULT);
		return;
	}
	pthread_mutex_lock(&vp->vdev->lock);
	if (in_region(off, size, VIRTIO_PCI_COMMON_OFF, VIRTIO_PCI_COMMON_LEN))
		virtio_pci_common_write(vp, off - VIRTIO_PCI_COMMON_OFF, size, val);
	else if (in_region(off, size, VIRTIO_PCI_DEVCFG_OFF, VIRTIO_PCI_DEVCFG_MAX))
		devcfg_write(vp, off - VIRTIO_PCI_DEVCFG_OFF, size, val);
	else
		log_guest_once("%s: write to 0x%llx of the BAR dropped", vp->vdev->ops->name,
			       (unsigned long long)off);
	pthread_mutex_unlock(&vp->vdev->lock);
}

/* The PCI_CFG window (spec 4.1.4.9): cap.bar, cap.offset and cap.length
 * select a BAR access that reads or writes of pci_cfg_data perform. */
static bool window_target(struct virtio_pci *vp, uint16_t reg, unsigned size, uint32_t *off,
			  unsigned *len)
{
	unsigned cap = vp->cfg_cap, data = cap + CFG_CAP_DATA;
	uint8_t bar;

	if (!cap || reg + size <= data || reg >= data + 4)
		return false;
	bar = (uint8_t)pci_config_get(&vp->pci, cap + VIRTIO_PCI_CAP_BAR, 1);
	*off = pci_config_get(&vp->pci, cap + VIRTIO_PCI_CAP_OFFSET, 4);
	*len = pci_config_get(&vp->pci, cap + VIRTIO_PCI_CAP_LENGTH, 4);
	if (bar == VIRTIO_PCI_BAR && (*len == 1 || *len == 2 || *len == 4) && *off % *len == 0 &&
	    *off < VIRTIO_PCI_MSIX_OFF)
		return true;
	log_guest_once("%s: PCI_CFG window access to BAR %u +0x%x, %u bytes refused",
		       vp->vdev->ops->name, bar, *off, *len);
	return false;
}

static uint32_t vp_config_read(struct pci_dev *d, uint16_t reg, unsigned size, uint32_t val)
{
	struct virtio_pci *vp = d->opaque;
	unsigned data = vp->cfg_cap + CFG_CAP_DATA;
	uint32_t off, v;
	unsigned len;

	if (!window_target(vp, reg, size, &off, &len))
		return val;
	v = (uint32_t)vp_bar_read(d, VIRTIO_PCI_BAR, off, len);
	pci_config_set(d, data, 4, v);
	v >>= 8 * (reg - data); /* accesses are aligned: reg >= data */
	return size == 4 ? v : v & ((1u << (8 * size)) - 1);
}

static void vp_config_write(struct pci_dev *d, uint16_t reg, unsigned size, uint32_t val)
{
	struct virtio_pci *vp = d->opaque;
	uint32_t off, v;
	unsigned len;

	(void)val;
	if (!window_target(vp, reg, size, &off, &len))
		return;
	v = pci_config_get(d, vp->cfg_cap + CFG_CAP_DATA, 4);
	vp_bar_write(d, VIRTIO_PCI_BAR, off, len, len == 4 ? v : v & ((1u << (8 * len)) - 1));
}

static void vp_bar_map(struct pci_dev *d, unsigned bar, uint64_t addr, bool mapped)
{
	if (bar == VIRTIO_PCI_BAR)
		virtio_pci_ioevent_map(d->opaque, addr, mapped);
}

static void vp_pci_reset(struct pci_dev *d)
{
	virtio_pci_reset(d->opaque);
}

static const struct pci_dev_ops virtio_pci_dev_ops = {
	.bar_read = vp_bar_read,
	.bar_write = vp_bar_write,
	.config_read = vp_config_read,
	.config_write = vp_config_write,
	.bar_map = vp_bar_map,
	.reset = vp_pci_reset,
};

/* Add one struct virtio_pci_cap of cap_len bytes; its offset or -errno. */
static int vp_add_cap(struct virtio_pci *vp, uint8_t type, uint32_t off, uint32_t len,
		      unsigned cap_len)
{
	struct pci_dev *d = &vp->pci;
	int at = pci_cap_add(d, PCI_CAP_ID_VNDR, cap_len);

	if (at < 0)
		return at;
	pci_config_set(d, at + VIRTIO_PCI_CAP_CFG_TYPE, 1, type);
	pci_config_set(d, at + VIRTIO_PCI_CAP_BAR, 1, VIRTIO_PCI_BAR);
	pci_config_set(d, at + VIRTIO_PCI_CAP_OFFSET, 4, off);
	pci_config_set(d, at + VIRTIO_PCI_CAP_LENGTH, 4, len);
	return at;
}

static int vp_add_caps(struct virtio_pci *vp)
{
	struct pci_dev *d = &vp->pci;
	uint32_t nlen = vp->vdev->nr_queues * VIRTIO_PCI_NOTIFY_MULT;
	int at;

	at = vp_add_cap(vp, VIRTIO_PCI_CAP_COMMON_CFG, VIRTIO_PCI_COMMON_OFF, VIRTIO_PCI_COMMON_LEN,
			sizeof(struct virtio_pci_cap));
	if (at < 0)
		return at;
	at = vp_add_cap(vp, VIRTIO_PCI_CAP_NOTIFY_CFG, VIRTIO_PCI_NOTIFY_OFF, nlen,
			sizeof(struct virtio_pci_notify_cap));
	if (at < 0)
		return at;
	pci_config_set(d, at + VIRTIO_PCI_NOTIFY_CAP_MULT, 4, VIRTIO_PCI_NOTIFY_MULT);
	at = vp_add_cap(vp, VIRTIO_PCI_CAP_ISR_CFG, VIRTIO_PCI_ISR_OFF, VIRTIO_PCI_ISR_LEN,
			sizeof(struct virtio_pci_cap));
	if (at >= 0 && vp->vdev->config_len)
		at = vp_add_cap(vp, VIRTIO_PCI_CAP_DEVICE_CFG, VIRTIO_PCI_DEVCFG_OFF,
				vp->vdev->config_len, sizeof(struct virtio_pci_cap));
	if (at >= 0)
		at = vp_add_cap(vp, VIRTIO_PCI_CAP_PCI_CFG, 0, 0,
				sizeof(struct virtio_pci_cfg_cap));
	if (at < 0)
		return at;
	vp->cfg_cap = (uint8_t)at;
	pci_config_set_wmask(d, at + VIRTIO_PCI_CAP_BAR, 1, 0xff);
	pci_config_set_wmask(d, at + VIRTIO_PCI_CAP_OFFSET, 4, 0xffffffff);
	pci_config_set_wmask(d, at + VIRTIO_PCI_CAP_LENGTH, 4, 0xffffffff);
	pci_config_set_wmask(d, at + CFG_CAP_DATA, 4, 0xffffffff);
	return 0;
}

static bool vp_valid(const struct virtio_dev *vdev)
{
	uint16_t m = vdev->queue_max;

	return vdev->ops && vdev->ops->queue_notify && vdev->nr_queues &&
	       vdev->nr_queues <= VIRTIO_MAX_QUEUES && m && !(m & (m - 1)) && m <= VIRTQ_MAX_SIZE &&
	       vdev->config_len <= VIRTIO_PCI_DEVCFG_MAX && (vdev->config || !vdev->config_len);
}

/* The function, its BAR, capabilities and MSI-X; the worker and the
 * queues' eventfds. Everything before the guest can see the device. */
static int vp_build(struct virtio_pci *vp, const struct virtio_pci_params *p)
{
	struct virtio_dev *vdev = vp->vdev;
	struct pci_dev_info info = {
		.vendor = VIRTIO_PCI_VENDOR,
		.device = VIRTIO_PCI_DEVICE_BASE + vdev->ops->device_id,
		.subsys_vendor = VIRTIO_PCI_VENDOR,
		.subsys = VIRTIO_PCI_SUBSYS,
		.class = vdev->ops->pci_class,
		.revision = VIRTIO_PCI_REVISION,
		.intx_pin = 1,
		.name = vdev->ops->name,
	};
	int ret;

	pci_dev_init(&vp->pci, &info, &virtio_pci_dev_ops, vp);
	ret = pci_bar_declare(&vp->pci, VIRTIO_PCI_BAR, PCI_BAR_MEM64, VIRTIO_PCI_BAR_SIZE, false);
	ret = ret ?: vp_add_caps(vp);
	ret = ret
		      ?: msix_init(&vp->pci, vdev->nr_queues + 1, VIRTIO_PCI_BAR,
				   VIRTIO_PCI_MSIX_OFF, VIRTIO_PCI_BAR, VIRTIO_PCI_PBA_OFF);
	ret = ret ?: worker_init(&vdev->worker, vdev->ops->name);
	if (ret)
		return ret;
	vp->worker_ready = true;
	vdev->worker.thread_init = p->thread_init;
	return virtio_pci_kick_init(vp);
}

int virtio_pci_new(struct virtio_dev *vdev, const struct virtio_pci_params *p,
		   struct virtio_pci **out)
{
	struct virtio_pci *vp;
	int ret;

	if (!vp_valid(vdev))
		return -EINVAL;
	vp = calloc(1, sizeof(*vp));
	if (!vp)
		return -ENOMEM;
	vp->vdev = vdev;
	vp->vm_fd = p->vm_fd;
	vp->dump_fd = -1;
	pthread_mutex_init(&vp->irq_lock, NULL);
	pthread_mutex_init(&vdev->lock, NULL);
	vdev->t = &virtio_pci_transport;
	vdev->t_opaque = vp;
	vdev->as = &vp->pci.dma; /* filled in by pci_bus_add() */
	for (unsigned i = 0; i < vdev->nr_queues; i++) {
		vp->q[i] = (struct virtio_pci_queue){.vp = vp, .idx = i, .kick_fd = -1};
		virtq_init(&vdev->vq[i], vdev->as);
	}
	virtio_pci_regs_init(vp);
	ret = vp_build(vp, p);
	if (ret >= 0)
		ret = pci_bus_add(p->bus, &vp->pci, p->slot);
	if (ret < 0) {
		virtio_pci_free(vp);
		return ret;
	}
	*out = vp;
	return 0;
}

int virtio_pci_start(struct virtio_pci *vp)
{
	return worker_start(&vp->vdev->worker);
}

void virtio_pci_reset(struct virtio_pci *vp)
{
	pthread_mutex_lock(&vp->vdev->lock);
	virtio_pci_reset_locked(vp);
	pthread_mutex_unlock(&vp->vdev->lock);
}

void virtio_pci_free(struct virtio_pci *vp)
{
	if (!vp)
		return;
	if (vp->worker_ready)
		worker_destroy(&vp->vdev->worker);
	virtio_pci_ioevent_map(vp, 0, false);
	virtio_pci_kick_fini(vp);
	pci_dev_fini(&vp->pci);
	pthread_mutex_destroy(&vp->vdev->lock);
	pthread_mutex_destroy(&vp->irq_lock);
	vp->vdev->t = NULL;
	vp->vdev->t_opaque = NULL;
	free(vp);
}
