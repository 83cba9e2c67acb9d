// SPDX-License-Identifier: MIT
/* The common configuration structure (spec 4.1.4.3): feature negotiation,
 * the device status state machine (spec 2.1, 3.1) and queue set-up. Every
 * function here runs with vdev->lock held. */
#include <linux/virtio_pci.h>
#include <unistd.h>

#include "devices/virtio/pci_internal.h"
#include "vmm/log.h"

#define S_FEATURES_OK VIRTIO_CONFIG_S_FEATURES_OK
#define S_DRIVER_OK   VIRTIO_CONFIG_S_DRIVER_OK
#define S_NEEDS_RESET VIRTIO_CONFIG_S_NEEDS_RESET

/* The natural width of the field at off (spec: the driver uses it). */
static unsigned common_width(uint64_t off)
{
	if (off < VIRTIO_PCI_COMMON_MSIX)
		return 4; /* feature selects and windows */
	if (off < VIRTIO_PCI_COMMON_STATUS)
		return 2; /* msix_config, num_queues */
	if (off < VIRTIO_PCI_COMMON_Q_SELECT)
		return 1; /* device_status, config_generation */
	if (off < VIRTIO_PCI_COMMON_Q_DESCLO)
		return 2; /* queue_select .. queue_notify_off */
	if (off < VIRTIO_PCI_COMMON_Q_NDATA)
		return 4; /* ring addresses, two halves each */
	return 2;	  /* queue_notify_data, queue_reset, admin queue */
}

static bool common_access_ok(uint64_t off, unsigned size)
{
	if (off < VIRTIO_PCI_COMMON_LEN && size == common_width(off) && off % size == 0)
		return true;
	log_guest_once("virtio-pci: common config access of %u bytes at 0x%llx "
		       "is not a field",
		       size, (unsigned long long)off);
	return false;
}

static uint64_t offered_features(const struct virtio_pci *vp)
{
	return vp->vdev->features | VIRTIO_TRANSPORT_FEATURES;
}

/* The selected queue's state, or NULL when queue_select is out of range. */
static struct virtio_pci_queue *common_queue(struct virtio_pci *vp)
{
	return vp->queue_select < vp->vdev->nr_queues ? &vp->q[vp->queue_select] : NULL;
}

static uint64_t common_queue_read(struct virtio_pci *vp, uint64_t off)
{
	struct virtio_pci_queue *pq = common_queue(vp);

	if (!pq)
		return off == VIRTIO_PCI_COMMON_Q_MSIX ? VIRTIO_MSI_NO_VECTOR : 0;
	switch (off) {
	case VIRTIO_PCI_COMMON_Q_SIZE: return pq->size;
	case VIRTIO_PCI_COMMON_Q_MSIX: return pq->msix_vector;
	case VIRTIO_PCI_COMMON_Q_ENABLE: return pq->enabled;
	case VIRTIO_PCI_COMMON_Q_NOFF: return pq->idx;
	case VIRTIO_PCI_COMMON_Q_DESCLO: return (uint32_t)pq->desc;
	case VIRTIO_PCI_COMMON_Q_DESCHI: return pq->desc >> 32;
	case VIRTIO_PCI_COMMON_Q_AVAILLO: return (uint32_t)pq->driver;
	case VIRTIO_PCI_COMMON_Q_AVAILHI: return pq->driver >> 32;
	case VIRTIO_PCI_COMMON_Q_USEDLO: return (uint32_t)pq->device;
	case VIRTIO_PCI_COMMON_Q_USEDHI: return pq->device >> 32;
	default: return 0; /* notify data, reset */
	}
}

uint64_t virtio_pci_common_read(struct virtio_pci *vp, uint64_t off, unsigned size)
{
	if (!common_access_ok(off, size))
		return 0;
	switch (off) {
	case VIRTIO_PCI_COMMON_DFSELECT: return vp->dfselect;
	case VIRTIO_PCI_COMMON_DF:
		return vp->dfselect < 2 ? (uint32_t)(offered_features(vp) >> (32 * vp->dfselect))
					: 0;
	case VIRTIO_PCI_COMMON_GFSELECT: return vp->gfselect;
	case VIRTIO_PCI_COMMON_GF:
		return vp->gfselect < 2 ? (uint32_t)(vp->gf >> (32 * vp->gfselect)) : 0;
	case VIRTIO_PCI_COMMON_MSIX: return vp->msix_config;
	case VIRTIO_PCI_COMMON_NUMQ: return vp->vdev->nr_queues;
	case VIRTIO_PCI_COMMON_STATUS: return vp->status;
	case VIRTIO_PCI_COMMON_CFGGENERATION: return vp->config_generation;
	case VIRTIO_PCI_COMMON_Q_SELECT: return vp->queue_select;
	default: return common_queue_read(vp, off);
	}
}

/* A vector the function has, or VIRTIO_MSI_NO_VECTOR (spec 4.1.5.1.2:
 * a failed mapping reads back as NO_VECTOR). */
static uint16_t common_vector(struct virtio_pci *vp, uint16_t v)
{
	if (v == VIRTIO_MSI_NO_VECTOR || v < vp->pci.msix.nvec)
		return v;
	log_guest_once("virtio-pci: MSI-X vector %u out of range", v);
	return VIRTIO_MSI_NO_VECTOR;
}

static void common_write_gf(struct virtio_pci *vp, uint32_t val)
{
	unsigned shift = 32 * vp->gfselect;

	if (vp->status & S_FEATURES_OK) {
		log_guest_once("virtio-pci: driver_feature written after FEATURES_OK");
		return;
	}
	if (vp->gfselect >= 2) {
		vp->gf_unknown |= val != 0; /* bits we never offer */
		return;
	}
	vp->gf = (vp->gf & ~(0xffffffffull << shift)) | ((uint64_t)val << shift);
}

/* FEATURES_OK may be set only for a subset of the offered features that
 * includes VERSION_1 (and ACCESS_PLATFORM when the device requires it). */
static bool common_features_ok(struct virtio_pci *vp)
{
	struct virtio_dev *vdev = vp->vdev;
	const char *why = NULL;

	if (vp->gf_unknown || (vp->gf & ~offered_features(vp)))
		why = "features the device did not offer";
	else if (!(vp->gf & BIT_ULL(VIRTIO_F_VERSION_1)))
		why = "no VERSION_1 (legacy drivers are not supported)";
	else if (vdev->require_access_platform && !(vp->gf & BIT_ULL(VIRTIO_F_ACCESS_PLATFORM)))
		why = "no ACCESS_PLATFORM behind an IOMMU";
	if (why) {
		log_guest_once("%s: FEATURES_OK refused: %s", vdev->ops->name, why);
		return false;
	}
	vdev->driver_features = vp->gf;
	for (unsigned i = 0; i < vdev->nr_queues; i++)
		virtq_set_features(&vdev->vq[i], vp->gf);
	return true;
}

static void common_write_status(struct virtio_pci *vp, uint8_t val)
{
	struct virtio_dev *vdev = vp->vdev;
	uint8_t old = vp->status, add = val & ~old & ~S_NEEDS_RESET;

	if (!val) {
		virtio_pci_reset_locked(vp);
		return;
	}
	if (old & ~val & ~S_NEEDS_RESET)
		log_guest_once("%s: status bits cleared without a reset", vdev->ops->name);
	if ((add & S_FEATURES_OK) && !common_features_ok(vp))
		add &= ~S_FEATURES_OK;
	if ((add & S_DRIVER_OK) && !((old | add) & S_FEATURES_OK)) {
		log_guest_once("%s: DRIVER_OK without FEATURES_OK", vdev->ops->name);
		add &= ~S_DRIVER_OK;
	}
	vp->status = old | add;
	if (!(add & S_DRIVER_OK))
		return;
	if (vdev->ops->start)
		vdev->ops->start(vdev);
	for (unsigned i = 0; i < vdev->nr_queues; i++)
		if (vp->q[i].enabled)
			virtio_pci_notify(vp, i); /* buffers made available earlier */
}

static void common_queue_enable(struct virtio_pci *vp, struct virtio_pci_queue *pq, uint16_t val)
{
	struct virtio_dev *vdev = vp->vdev;
	struct virtq *vq = &vdev->vq[pq->idx];
	const char *why = NULL;

	if (val != 1)
		why = "queue_enable written with a value other than 1";
	else if (!(vp->status & S_FEATURES_OK))
		why = "queue enabled before FEATURES_OK";
	else if (pq->size_bad)
		why = "queue enabled with a refused queue_size";
	if (why || pq->enabled) {
		if (why)
			log_guest_once("%s: %s; ignored", vdev->ops->name, why);
		return;
	}
	vq->size = pq->size;
	vq->desc = iova(pq->desc);
	vq->avail = iova(pq->driver);
	vq->used = iova(pq->device);
	virtq_set_features(vq, vdev->driver_features);
	if (virtq_enable(vq)) {
		log_guest_once("%s: queue %u: bad ring size or addresses", vdev->ops->name,
			       pq->idx);
		vdev->t->needs_reset(vdev);
		return;
	}
	pq->enabled = true;
}

static void common_queue_size(struct virtio_pci *vp, struct virtio_pci_queue *pq, uint16_t val)
{
	if (!val || (val & (val - 1)) || val > vp->vdev->queue_max) {
		log_guest_once("%s: queue_size %u refused (a power of two <= %u)",
			       vp->vdev->ops->name, val, vp->vdev->queue_max);
		pq->size_bad = true;
		return;
	}
	pq->size = val;
	pq->size_bad = false;
}

/* Set the 32-bit half of *a selected by hi. */
static void common_set_half(uint64_t *a, bool hi, uint32_t val)
{
	*a = hi ? (*a & 0xffffffffull) | ((uint64_t)val << 32) : (*a & ~0xffffffffull) | val;
}

static void common_queue_write(struct virtio_pci *vp, uint64_t off, uint32_t val)
{
	struct virtio_pci_queue *pq = common_queue(vp);

	if (!pq) {
		log_guest_once("virtio-pci: write to queue %u, which does not exist",
			       vp->queue_select);
		return;
	}
	if (off == VIRTIO_PCI_COMMON_Q_MSIX) {
		pq->msix_vector = common_vector(vp, (uint16_t)val);
		return;
	}
	if (off == VIRTIO_PCI_COMMON_Q_ENABLE) {
		common_queue_enable(vp, pq, (uint16_t)val);
		return;
	}
	if (pq->enabled) { /* spec 4.1.4.3.2: configure, then enable */
		log_guest_once("%s: queue %u reconfigured while enabled; ignored",
			       vp->vdev->ops->name, pq->idx);
		return;
	}
	switch (off) {
	case VIRTIO_PCI_COMMON_Q_SIZE: common_queue_size(vp, pq, (uint16_t)val); break;
	case VIRTIO_PCI_COMMON_Q_DESCLO:
	case VIRTIO_PCI_COMMON_Q_DESCHI:
		common_set_half(&pq->desc, off == VIRTIO_PCI_COMMON_Q_DESCHI, val);
		break;
	case VIRTIO_PCI_COMMON_Q_AVAILLO:
	case VIRTIO_PCI_COMMON_Q_AVAILHI:
		common_set_half(&pq->driver, off == VIRTIO_PCI_COMMON_Q_AVAILHI, val);
		break;
	case VIRTIO_PCI_COMMON_Q_USEDLO:
	case VIRTIO_PCI_COMMON_Q_USEDHI:
		common_set_half(&pq->device, off == VIRTIO_PCI_COMMON_Q_USEDHI, val);
		break;
	default: /* read-only: queue_notify_off, notify data, queue_reset */ break;
	}
}

void virtio_pci_common_write(struct virtio_pci *vp, uint64_t off, unsigned size, uint64_t val)
{
	if (!common_access_ok(off, size))
		return;
	switch (off) {
	case VIRTIO_PCI_COMMON_DFSELECT: vp->dfselect = (uint32_t)val; break;
	case VIRTIO_PCI_COMMON_GFSELECT: vp->gfselect = (uint32_t)val; break;
	case VIRTIO_PCI_COMMON_GF: common_write_gf(vp, (uint32_t)val); break;
	case VIRTIO_PCI_COMMON_MSIX: vp->msix_config = common_vector(vp, (uint16_t)val); break;
	case VIRTIO_PCI_COMMON_STATUS: common_write_status(vp, (uint8_t)val); break;
	case VIRTIO_PCI_COMMON_Q_SELECT: vp->queue_select = (uint16_t)val; break;
	case VIRTIO_PCI_COMMON_DF:
	case VIRTIO_PCI_COMMON_NUMQ:
	case VIRTIO_PCI_COMMON_CFGGENERATION: break; /* read-only */
	default: common_queue_write(vp, off, (uint32_t)val); break;
	}
}

void virtio_pci_reset_locked(struct virtio_pci *vp)
{
	if (vp->vdev->ops->reset)
		vp->vdev->ops->reset(vp->vdev);
	virtio_pci_regs_init(vp);
}

void virtio_pci_regs_init(struct virtio_pci *vp)
{
	struct virtio_dev *vdev = vp->vdev;
	uint64_t drain;

	vp->dfselect = vp->gfselect = 0;
	vp->gf = 0;
	vp->gf_unknown = false;
	vp->msix_config = VIRTIO_MSI_NO_VECTOR;
	vp->status = 0;
	vp->queue_select = 0;
	vdev->driver_features = 0;
	for (unsigned i = 0; i < vdev->nr_queues; i++) {
		struct virtio_pci_queue *pq = &vp->q[i];

		virtq_reset(&vdev->vq[i]);
		pq->size = vdev->queue_max;
		pq->size_bad = false;
		pq->msix_vector = VIRTIO_MSI_NO_VECTOR;
		pq->enabled = false;
		pq->desc = pq->driver = pq->device = 0;
		/* Forget notifications that raced with the reset. */
		if (pq->kick_fd >= 0 && read(pq->kick_fd, &drain, sizeof(drain)) < 0)
			drain = 0;
	}
	virtio_pci_isr_read(vp); /* clears it, lowers INTx */
}
