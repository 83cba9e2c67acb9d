// SPDX-License-Identifier: MIT
/* Interrupts of the virtio PCI transport (spec 4.1.4.5, 4.1.5.3/4): the
 * queue's or the config MSI-X vector while MSI-X is enabled, otherwise
 * INTx driven by the ISR byte, which a read clears. */
#include <linux/virtio_pci.h>

#include "devices/virtio/pci_internal.h"
#include "vmm/log.h"

/* Set ISR bits and raise INTx (MSI-X disabled). */
static void irq_intx(struct virtio_pci *vp, uint8_t bits)
{
	pthread_mutex_lock(&vp->irq_lock);
	vp->isr |= bits;
	pci_set_intx(&vp->pci, 1);
	pthread_mutex_unlock(&vp->irq_lock);
}

uint8_t virtio_pci_isr_read(struct virtio_pci *vp)
{
	uint8_t v;

	pthread_mutex_lock(&vp->irq_lock);
	v = vp->isr;
	vp->isr = 0;
	if (v)
		pci_set_intx(&vp->pci, 0);
	pthread_mutex_unlock(&vp->irq_lock);
	return v;
}

/* Send MSI-X vector vec; false when MSI-X is disabled (use INTx). */
static bool irq_msix(struct virtio_pci *vp, uint16_t vec)
{
	int ret;

	if (!msix_enabled(&vp->pci))
		return false;
	if (vec == VIRTIO_MSI_NO_VECTOR)
		return true; /* the driver asked for no interrupt */
	ret = msix_notify(&vp->pci, vec);
	if (ret == -ENODEV)
		return false; /* disabled meanwhile */
	if (ret < 0)
		log_guest_once("%s: MSI-X vector %u: %s", vp->vdev->ops->name, vec, strerror(-ret));
	return true;
}

void virtio_pci_config_irq(struct virtio_pci *vp)
{
	/* The config bit is set even with MSI-X (spec 4.1.4.5.1). */
	if (irq_msix(vp, vp->msix_config)) {
		pthread_mutex_lock(&vp->irq_lock);
		vp->isr |= VIRTIO_PCI_ISR_CONFIG;
		pthread_mutex_unlock(&vp->irq_lock);
		return;
	}
	irq_intx(vp, VIRTIO_PCI_ISR_CONFIG);
}

static void transport_notify_queue(struct virtio_dev *vdev, unsigned q)
{
	struct virtio_pci *vp = vdev->t_opaque;

	if (q >= vdev->nr_queues)
		return;
	atomic_fetch_add_explicit(&vp->q[q].irqs, 1, memory_order_relaxed);
	if (!irq_msix(vp, vp->q[q].msix_vector))
		irq_intx(vp, VIRTIO_PCI_ISR_QUEUE);
}

static void transport_notify_config(struct virtio_dev *vdev)
{
	struct virtio_pci *vp = vdev->t_opaque;

	vp->config_generation++;
	virtio_pci_config_irq(vp);
}

static void transport_needs_reset(struct virtio_dev *vdev)
{
	struct virtio_pci *vp = vdev->t_opaque;

	if (vp->status & VIRTIO_CONFIG_S_NEEDS_RESET)
		return;
	log_guest_once("%s: a queue is broken: DEVICE_NEEDS_RESET", vdev->ops->name);
	vp->status |= VIRTIO_CONFIG_S_NEEDS_RESET;
	virtio_pci_config_irq(vp);
}

static void transport_kick(struct virtio_dev *vdev, unsigned q)
{
	virtio_pci_notify(vdev->t_opaque, q);
}

const struct virtio_transport virtio_pci_transport = {
	.notify_queue = transport_notify_queue,
	.notify_config = transport_notify_config,
	.needs_reset = transport_needs_reset,
	.kick = transport_kick,
};
