// SPDX-License-Identifier: MIT
/* MSI-X and MSI of a VFIO function: the vectors' eventfds handed to
 * VFIO_DEVICE_SET_IRQS, and each vector's irqfd attached only while the
 * vector can fire (the eventfd holds what arrives meanwhile). */
#include <errno.h>
#include <linux/kvm.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "devices/vfio/pci_internal.h"
#include "vmm/log.h"

static int irqfd_set(struct vfio_pci *vp, const struct pci_vector *v, bool on)
{
	struct kvm_irqfd f = {
		.fd = (uint32_t)v->efd,
		.gsi = (uint32_t)v->gsi,
		.flags = on ? 0 : KVM_IRQFD_FLAG_DEASSIGN,
	};

	if (vp->vm_fd < 0 || v->efd < 0)
		return 0;
	return ioctl(vp->vm_fd, KVM_IRQFD, &f) < 0 ? -errno : 0;
}

/* Attach or detach vector's irqfd to match routed; *state tracks it. */
static void vector_sync(struct vfio_pci *vp, const struct pci_vector *v, bool *state, bool routed)
{
	if (*state == routed)
		return;
	if (irqfd_set(vp, v, routed) == 0)
		*state = routed;
	else
		log_warn("vfio %s: cannot %s an irqfd", vp->dev.name, routed ? "attach" : "detach");
}

void vfio_pci_vector_routed(struct pci_dev *d, bool msix, unsigned vec, bool routed)
{
	struct vfio_pci *vp = d->opaque;

	if (msix && vec < d->msix.nvec)
		vector_sync(vp, &d->msix.vec[vec].iv, &vp->msix_irqfd[vec], routed);
	else if (!msix && vec < d->msi.nvec)
		vector_sync(vp, &d->msi.vec[vec], &vp->msi_irqfd[vec], routed);
}

static bool efd_readable(int efd)
{
	struct pollfd p = {.fd = efd, .events = POLLIN};

	return efd >= 0 && poll(&p, 1, 0) == 1 && (p.revents & POLLIN);
}

bool vfio_pci_vector_pending(struct pci_dev *d, bool msix, unsigned vec)
{
	struct vfio_pci *vp = d->opaque;

	if (msix)
		return vec < d->msix.nvec && !vp->msix_irqfd[vec] &&
		       efd_readable(d->msix.vec[vec].iv.efd);
	return vec < d->msi.nvec && !vp->msi_irqfd[vec] && efd_readable(d->msi.vec[vec].efd);
}

uint32_t vfio_pci_msi_pending(struct vfio_pci *vp, uint16_t reg, unsigned size, uint32_t val)
{
	struct pci_dev *d = &vp->pci;
	unsigned at = d->msi.cap + PCI_MSI_PENDING_64;
	uint32_t p = 0;

	if (!d->msi.nvec || reg + size <= at || reg >= at + 4)
		return val;
	pthread_mutex_lock(&d->lock);
	for (unsigned i = 0; i < d->msi.nvec; i++)
		if (vfio_pci_vector_pending(d, false, i))
			p |= 1u << i;
	pthread_mutex_unlock(&d->lock);
	/* The bytes of the register that this access covers. */
	for (unsigned b = MAX(reg, at); b < MIN(reg + size, at + 4); b++)
		val |= ((p >> (8 * (b - at))) & 0xff) << (8 * (b - reg));
	return val;
}

void vfio_pci_irq_sync_all(struct vfio_pci *vp)
{
	struct pci_dev *d = &vp->pci;

	pthread_mutex_lock(&d->lock);
	/* pci_bus_add() attached every irqfd. */
	for (unsigned i = 0; i < d->msix.nvec; i++) {
		vp->msix_irqfd[i] = d->msix.vec[i].iv.efd >= 0;
		vector_sync(vp, &d->msix.vec[i].iv, &vp->msix_irqfd[i], d->msix.vec[i].iv.routed);
	}
	for (unsigned i = 0; i < d->msi.nvec; i++) {
		vp->msi_irqfd[i] = d->msi.vec[i].efd >= 0;
		vector_sync(vp, &d->msi.vec[i], &vp->msi_irqfd[i], d->msi.vec[i].routed);
	}
	pthread_mutex_unlock(&d->lock);
}

/* SET_IRQS for index: count eventfds from vecs (count 0: disable). */
static int set_irqs(struct vfio_pci *vp, unsigned index, const struct pci_vector *vecs,
		    size_t stride, unsigned count)
{
	size_t sz = sizeof(struct vfio_irq_set) + count * sizeof(int32_t);
	struct vfio_irq_set *set = calloc(1, sz);
	int ret;

	if (!set)
		return -ENOMEM;
	set->argsz = (uint32_t)sz;
	set->index = index;
	set->start = 0;
	set->count = count;
	set->flags = VFIO_IRQ_SET_ACTION_TRIGGER |
		     (count ? VFIO_IRQ_SET_DATA_EVENTFD : VFIO_IRQ_SET_DATA_NONE);
	for (unsigned i = 0; i < count; i++) {
		const struct pci_vector *v = (const void *)((const char *)vecs + i * stride);

		((int32_t *)set->data)[i] = v->efd;
	}
	ret = vp->dev.ops->set_irqs(vp->dev.ops_opaque, set);
	free(set);
	return ret;
}

/* Vectors the guest enabled in the MSI capability, 0 when MSI is off. */
static unsigned msi_count(struct pci_dev *d)
{
	uint16_t flags;
	unsigned n;

	if (!d->msi.nvec)
		return 0;
	flags = (uint16_t)pci_config_get(d, d->msi.cap + PCI_MSI_FLAGS, 2);
	if (!(flags & PCI_MSI_FLAGS_ENABLE))
		return 0;
	n = 1u << ((flags & PCI_MSI_FLAGS_QSIZE) >> 4);
	return MIN(n, d->msi.nvec);
}

static void vfio_pci_irq_update_locked(struct vfio_pci *vp)
{
	struct pci_dev *d = &vp->pci;
	bool msix = d->msix.nvec && msix_enabled(d);
	unsigned want = msix ? 0 : msi_count(d), have = vp->msi_on ? vp->msi_count : 0;
	int ret;

	/* VFIO changes an MSI vector count only from disabled. */
	if (want != have && have) {
		(void)set_irqs(vp, VFIO_PCI_MSI_IRQ_INDEX, NULL, 0, 0);
		vp->msi_on = false;
		vp->msi_count = 0;
	}
	if (want != have && want) {
		pthread_mutex_lock(&d->lock);
		ret = set_irqs(vp, VFIO_PCI_MSI_IRQ_INDEX, d->msi.vec, sizeof(d->msi.vec[0]), want);
		pthread_mutex_unlock(&d->lock);
		if (ret)
			log_guest_once("vfio %s: MSI enable failed: %s", vp->dev.name,
				       strerror(-ret));
		vp->msi_on = !ret;
		vp->msi_count = ret ? 0 : want;
	}
	if (msix != vp->msix_on) {
		pthread_mutex_lock(&d->lock);
		ret = set_irqs(vp, VFIO_PCI_MSIX_IRQ_INDEX, &d->msix.vec[0].iv,
			       sizeof(d->msix.vec[0]), msix ? d->msix.nvec : 0);
		pthread_mutex_unlock(&d->lock);
		if (ret)
			log_guest_once("vfio %s: MSI-X %s failed: %s", vp->dev.name,
				       msix ? "enable" : "disable", strerror(-ret));
		else
			vp->msix_on = msix;
	}
}

void vfio_pci_irq_update(struct vfio_pci *vp)
{
	pthread_mutex_lock(&vp->irq_lock); /* before pci.lock, which the reads take */
	vfio_pci_irq_update_locked(vp);
	pthread_mutex_unlock(&vp->irq_lock);
}

void vfio_pci_irq_off(struct vfio_pci *vp)
{
	pthread_mutex_lock(&vp->irq_lock);
	if (vp->msix_on)
		(void)set_irqs(vp, VFIO_PCI_MSIX_IRQ_INDEX, NULL, 0, 0);
	if (vp->msi_on)
		(void)set_irqs(vp, VFIO_PCI_MSI_IRQ_INDEX, NULL, 0, 0);
	vp->msix_on = vp->msi_on = false;
	pthread_mutex_unlock(&vp->irq_lock);
}
