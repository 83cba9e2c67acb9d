// SPDX-License-Identifier: MIT
/* Driver notifications (spec 4.1.4.4): one eventfd per queue, written by a
 * KVM ioeventfd on the queue's notify address (no exit to user space) or by
 * the MMIO path, and served on the device's worker thread. */
#include <errno.h>
#include <linux/kvm.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "devices/virtio/pci_internal.h"
#include "vmm/log.h"

void virtio_pci_notify(struct virtio_pci *vp, unsigned q)
{
	uint64_t one = 1;

	if (q >= vp->vdev->nr_queues) {
		log_guest_once("%s: notification for queue %u, which does not exist",
			       vp->vdev->ops->name, q);
		return;
	}
	if (write(vp->q[q].kick_fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		log_guest_once("%s: cannot signal the worker: %s", vp->vdev->ops->name,
			       strerror(errno));
}

/* Why a notification must be ignored now, or NULL. vdev->lock held. */
static const char *notify_refused(struct virtio_pci *vp, unsigned q)
{
	if (!(vp->status & VIRTIO_CONFIG_S_DRIVER_OK))
		return "notification before DRIVER_OK";
	if (vp->status & VIRTIO_CONFIG_S_NEEDS_RESET)
		return NULL; /* already reported; wait for the reset quietly */
	if (!vp->q[q].enabled)
		return "notification for a queue that is not enabled";
	if (!(pci_config_get(&vp->pci, PCI_COMMAND, 2) & PCI_COMMAND_MASTER))
		return "notification while bus mastering is off";
	return NULL;
}

void virtio_pci_process(struct virtio_pci *vp, unsigned q)
{
	struct virtio_dev *vdev = vp->vdev;
	const char *why;

	if (q >= vdev->nr_queues)
		return;
	pthread_mutex_lock(&vdev->lock);
	why = notify_refused(vp, q);
	if (why)
		log_guest_once("%s: %s; ignored", vdev->ops->name, why);
	else if (!(vp->status & VIRTIO_CONFIG_S_NEEDS_RESET))
		vdev->ops->queue_notify(vdev, q);
	pthread_mutex_unlock(&vdev->lock);
}

void virtio_pci_kick_event(void *opaque, uint32_t events)
{
	struct virtio_pci_queue *pq = opaque;
	uint64_t n;

	(void)events;
	if (read(pq->kick_fd, &n, sizeof(n)) < 0 && errno == EAGAIN)
		return; /* drained by a reset */
	atomic_fetch_add_explicit(&pq->kicks, 1, memory_order_relaxed);
	virtio_pci_process(pq->vp, pq->idx);
}

/* KVM_IOEVENTFD for queue pq at addr with len (0: any width). */
static int notify_ioeventfd(struct virtio_pci *vp, struct virtio_pci_queue *pq, uint64_t addr,
			    uint32_t len, bool assign)
{
	struct kvm_ioeventfd io = {
		.addr = addr,
		.len = len,
		.fd = pq->kick_fd,
		.flags = assign ? 0 : KVM_IOEVENTFD_FLAG_DEASSIGN,
	};

	return ioctl(vp->vm_fd, KVM_IOEVENTFD, &io) < 0 ? -errno : 0;
}

void virtio_pci_ioevent_map(struct virtio_pci *vp, uint64_t addr, bool mapped)
{
	for (unsigned i = 0; i < vp->vdev->nr_queues; i++) {
		struct virtio_pci_queue *pq = &vp->q[i];
		uint64_t at = addr + VIRTIO_PCI_NOTIFY_OFF + i * VIRTIO_PCI_NOTIFY_MULT;
		int ret;

		if (pq->ioevent_on &&
		    notify_ioeventfd(vp, pq, pq->ioevent_addr, pq->ioevent_len, false))
			log_warn("%s: cannot remove an ioeventfd", vp->vdev->ops->name);
		pq->ioevent_on = false;
		if (!mapped || vp->vm_fd < 0)
			continue;
		/* Any width first; else the 16-bit writes Linux makes. Other
		 * widths still reach the MMIO path. */
		pq->ioevent_len = 0;
		ret = notify_ioeventfd(vp, pq, at, 0, true);
		if (ret == -EINVAL) {
			pq->ioevent_len = 2;
			ret = notify_ioeventfd(vp, pq, at, 2, true);
		}
		if (ret) {
			log_warn("%s: no ioeventfd for queue %u (%s): notifications exit",
				 vp->vdev->ops->name, i, strerror(-ret));
			continue;
		}
		pq->ioevent_addr = at;
		pq->ioevent_on = true;
	}
}

void virtio_pci_dump(struct virtio_pci *vp)
{
	uint64_t one = 1;

	if (write(vp->dump_fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		log_warn("%s: cannot ask the worker for its state: %s", vp->vdev->ops->name,
			 strerror(errno));
}

/* The worker's side of virtio_pci_dump(). */
static void dump_event(void *opaque, uint32_t events)
{
	struct virtio_pci *vp = opaque;
	struct virtio_dev *vdev = vp->vdev;
	char buf[256];
	uint64_t n;

	(void)events;
	if (read(vp->dump_fd, &n, sizeof(n)) < 0)
		return;
	pthread_mutex_lock(&vdev->lock);
	log_warn("%s %02x.%u: status 0x%02x features 0x%llx msix %s", vdev->ops->name,
		 vp->pci.devfn >> 3, vp->pci.devfn & 7, vp->status,
		 (unsigned long long)vdev->driver_features, msix_enabled(&vp->pci) ? "on" : "off");
	for (unsigned i = 0; i < vdev->nr_queues; i++) {
		struct virtio_pci_queue *pq = &vp->q[i];

		virtq_describe(&vdev->vq[i], buf, sizeof(buf));
		log_warn("%s q%u: %s | kicks %lu irqs %lu vector %u", vdev->ops->name, i, buf,
			 atomic_load_explicit(&pq->kicks, memory_order_relaxed),
			 atomic_load_explicit(&pq->irqs, memory_order_relaxed), pq->msix_vector);
	}
	pthread_mutex_unlock(&vdev->lock);
}

int virtio_pci_kick_init(struct virtio_pci *vp)
{
	int ret;

	vp->dump_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (vp->dump_fd < 0)
		return -errno;
	ret = worker_add_fd(&vp->vdev->worker, vp->dump_fd, EPOLLIN, dump_event, vp);
	if (ret)
		return ret;
	for (unsigned i = 0; i < vp->vdev->nr_queues; i++) {
		struct virtio_pci_queue *pq = &vp->q[i];

		pq->kick_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (pq->kick_fd < 0)
			return -errno;
		ret = worker_add_fd(&vp->vdev->worker, pq->kick_fd, EPOLLIN, virtio_pci_kick_event,
				    pq);
		if (ret)
			return ret;
	}
	return 0;
}

void virtio_pci_kick_fini(struct virtio_pci *vp)
{
	if (vp->dump_fd >= 0)
		close(vp->dump_fd);
	vp->dump_fd = -1;
	for (unsigned i = 0; i < vp->vdev->nr_queues; i++) {
		if (vp->q[i].kick_fd >= 0)
			close(vp->q[i].kick_fd);
		vp->q[i].kick_fd = -1;
	}
}
