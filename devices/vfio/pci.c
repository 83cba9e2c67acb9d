// SPDX-License-Identifier: MIT
/* A VFIO function on the guest's PCI bus: its identity and BARs read from
 * the device, the capabilities it keeps, and the config-space hooks. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devices/vfio/pci_internal.h"
#include "vmm/log.h"

#define CFG_IDX VFIO_PCI_CONFIG_REGION_INDEX
/* Command bits the device itself must see. */
#define CMD_FORWARD                                                                                \
	(PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER | PCI_COMMAND_PARITY |           \
	 PCI_COMMAND_SERR)

static uint32_t le_get(const uint8_t *p, unsigned size)
{
	uint32_t v = 0;

	for (unsigned i = 0; i < size; i++)
		v |= (uint32_t)p[i] << (8 * i);
	return v;
}

/* Offsets of the capabilities with ID MSI, MSI-X and PCIe in the device's
 * own list (bounded: 48 steps cover 256 bytes of 4-byte capabilities). */
static void phys_caps(const uint8_t *cfg, uint8_t *msi, uint8_t *msix, uint8_t *pcie)
{
	uint8_t pos = cfg[PCI_STATUS] & PCI_STATUS_CAP_LIST ? cfg[PCI_CAPABILITY_LIST] : 0;

	*msi = *msix = *pcie = 0;
	for (unsigned steps = 0; pos >= PCI_STD_HEADER_SIZEOF && steps < 48; steps++) {
		pos &= ~3;
		switch (cfg[pos + PCI_CAP_LIST_ID]) {
		case PCI_CAP_ID_MSI: *msi = pos; break;
		case PCI_CAP_ID_MSIX: *msix = pos; break;
		case PCI_CAP_ID_EXP: *pcie = pos; break;
		}
		pos = cfg[pos + PCI_CAP_LIST_NEXT];
	}
}

/* Declare the BARs as the device has them (type from its registers, size
 * from VFIO). */
static int declare_bars(struct vfio_pci *vp, const uint8_t *cfg, char *err, size_t errlen)
{
	for (unsigned i = 0; i < PCI_STD_NUM_BARS; i++) {
		uint32_t reg = le_get(&cfg[PCI_BASE_ADDRESS_0 + 4 * i], 4);
		uint64_t size = vp->dev.region[i].size;
		enum pci_bar_type type;
		bool pf = false;
		int ret;

		if (!size)
			continue;
		if (reg & PCI_BASE_ADDRESS_SPACE_IO) {
			type = PCI_BAR_IO;
		} else {
			type = (reg & PCI_BASE_ADDRESS_MEM_TYPE_MASK) ==
					       PCI_BASE_ADDRESS_MEM_TYPE_64
				       ? PCI_BAR_MEM64
				       : PCI_BAR_MEM32;
			pf = reg & PCI_BASE_ADDRESS_MEM_PREFETCH;
		}
		ret = pci_bar_declare(&vp->pci, i, type, size, pf);
		if (ret) {
			snprintf(err, errlen, "%s: BAR %u (%llu bytes) cannot be shown: %s",
				 vp->dev.name, i, (unsigned long long)size, strerror(-ret));
			return ret;
		}
		if (type == PCI_BAR_MEM64)
			i++;
	}
	return 0;
}

/* How much of the device's PCIe capability the guest reaches, by its version
 * and device/port type (PCIe 3.0, 7.8; linux/pci_regs.h): version 1 ends after
 * the link registers of an endpoint (20 bytes) or after the device registers
 * of a root complex integrated endpoint (12); version 2 has the *2 registers.
 * What lies past it in the device (other capabilities, vendor data) stays
 * out of reach: those bytes of our copy read as zero. */
static unsigned pcie_window(const uint8_t *cfg, uint8_t pcie)
{
	uint16_t flags = (uint16_t)le_get(&cfg[pcie + PCI_EXP_FLAGS], 2);
	bool rciep = ((flags & PCI_EXP_FLAGS_TYPE) >> 4) == PCI_EXP_TYPE_RC_END;

	if ((flags & PCI_EXP_FLAGS_VERS) >= 2)
		return rciep ? PCI_CAP_EXP_RC_ENDPOINT_SIZEOF_V2 : PCI_CAP_EXP_ENDPOINT_SIZEOF_V2;
	return rciep ? PCI_CAP_EXP_RC_ENDPOINT_SIZEOF_V1 : PCI_CAP_EXP_ENDPOINT_SIZEOF_V1;
}

static int add_caps(struct vfio_pci *vp, const uint8_t *cfg, char *err, size_t errlen)
{
	uint8_t msi, msix, pcie;
	int ret = 0;

	phys_caps(cfg, &msi, &msix, &pcie);
	if (pcie) {
		/* The body goes to the device; the header (ID, next) is ours. */
		int off = pci_cap_add(&vp->pci, PCI_CAP_ID_EXP, PCI_CAP_EXP_ENDPOINT_SIZEOF_V2);

		if (off < 0) {
			ret = off;
			goto fail;
		}
		vp->pci.pcie_cap = (uint8_t)off;
		vp->pcie_phys = pcie;
		vp->pcie_len =
			(uint8_t)MIN(pcie_window(cfg, pcie), PCI_CFG_SPACE_SIZE - (unsigned)pcie);
	}
	if (msix) {
		uint16_t flags = (uint16_t)le_get(&cfg[msix + PCI_MSIX_FLAGS], 2);
		uint32_t table = le_get(&cfg[msix + PCI_MSIX_TABLE], 4);
		uint32_t pba = le_get(&cfg[msix + PCI_MSIX_PBA], 4);
		unsigned nvec = (flags & PCI_MSIX_FLAGS_QSIZE) + 1;

		ret = msix_init(&vp->pci, nvec, table & PCI_MSIX_TABLE_BIR,
				table & PCI_MSIX_TABLE_OFFSET, pba & PCI_MSIX_PBA_BIR,
				pba & PCI_MSIX_PBA_OFFSET);
		if (ret)
			goto fail;
		vp->msix_irqfd = calloc(nvec, sizeof(bool));
		if (!vp->msix_irqfd) {
			ret = -ENOMEM;
			goto fail;
		}
	}
	if (msi) {
		uint16_t flags = (uint16_t)le_get(&cfg[msi + PCI_MSI_FLAGS], 2);
		unsigned nvec = 1u << ((flags & PCI_MSI_FLAGS_QMASK) >> 1);

		ret = msi_init(&vp->pci, MIN(nvec, MSI_MAX_VECTORS));
		if (ret)
			goto fail;
	}
	return 0;
fail:
	snprintf(err, errlen, "%s: its capabilities cannot be shown: %s", vp->dev.name,
		 strerror(-ret));
	return ret;
}

/* The bytes of the access [reg, reg + size) that fall in the passed-through
 * PCIe capability body (the rest is ours: the header, or what lies past the
 * window): how many, 0 if none, and the first in *first. An access may
 * cover both (a dword at the capability: ID, next and PCI_EXP_FLAGS), so
 * each byte is taken from where it lives. */
static unsigned pcie_part(const struct vfio_pci *vp, uint16_t reg, unsigned size, unsigned *first)
{
	unsigned lo = vp->pci.pcie_cap + 2u, hi = vp->pci.pcie_cap + (unsigned)vp->pcie_len;
	unsigned a = MAX(reg, lo), b = MIN(reg + size, hi);

	if (!vp->pcie_phys || a >= b)
		return 0;
	*first = a;
	return b - a;
}

/* The device's offset of emulated byte reg of the PCIe capability. */
static unsigned pcie_phys(const struct vfio_pci *vp, unsigned reg)
{
	return vp->pcie_phys + (reg - vp->pci.pcie_cap);
}

static uint32_t vp_config_read(struct pci_dev *d, uint16_t reg, unsigned size, uint32_t val)
{
	struct vfio_pci *vp = d->opaque;
	unsigned first, n = pcie_part(vp, reg, size, &first), sh = 8 * (first - reg);
	uint32_t v = 0;

	val = vfio_pci_msi_pending(vp, reg, size, val);
	if (!n || vfio_region_read(&vp->dev, CFG_IDX, pcie_phys(vp, first), &v, n))
		return val;
	if (n == 4)
		return v;
	return (val & ~(((1u << 8 * n) - 1) << sh)) | v << sh;
}

/* Give the device the forwarded bits of the emulated COMMAND register. Under
 * the function's lock (F10): two vCPUs writing COMMAND at once apply their
 * writes in some order, and the forward that runs last then carries the
 * last value, instead of a stale one read before the other vCPU's write.
 * Only region I/O happens under the lock (no other lock is taken). */
static void cmd_forward(struct vfio_pci *vp)
{
	struct pci_dev *d = &vp->pci;
	uint16_t cmd, hw;

	pthread_mutex_lock(&d->lock);
	cmd = (uint16_t)le_get(&d->cfg[PCI_COMMAND], 2);
	if (vfio_region_read(&vp->dev, CFG_IDX, PCI_COMMAND, &hw, 2) == 0) {
		hw = (uint16_t)((hw & ~CMD_FORWARD) | (cmd & CMD_FORWARD));
		(void)vfio_region_write(&vp->dev, CFG_IDX, PCI_COMMAND, &hw, 2);
	}
	pthread_mutex_unlock(&d->lock);
}

/* A write of DEVCTL's Initiate Function Level Reset bit: it is taken out of
 * *val (it never reaches the device behind the VMM's back), and true is
 * returned when the device supports FLR (DEVCAP), which then gets a whole
 * function reset, as QEMU's vfio-pci does. */
static bool vp_flr_requested(struct vfio_pci *vp, uint16_t reg, unsigned size, uint32_t *val)
{
	unsigned flr_byte = vp->pci.pcie_cap + PCI_EXP_DEVCTL + 1; /* BCR_FLR is its bit 7 */
	uint32_t bit, devcap = 0;

	if (flr_byte < reg || flr_byte >= reg + size)
		return false;
	bit = 1u << ((flr_byte - reg) * 8 + 7);
	if (!(*val & bit))
		return false;
	*val &= ~bit;
	return vfio_region_read(&vp->dev, CFG_IDX, vp->pcie_phys + PCI_EXP_DEVCAP, &devcap, 4) ==
		       0 &&
	       (devcap & PCI_EXP_DEVCAP_FLR);
}

static void vp_config_write(struct pci_dev *d, uint16_t reg, unsigned size, uint32_t val)
{
	struct vfio_pci *vp = d->opaque;
	unsigned first, n = pcie_part(vp, reg, size, &first);

	if (n) {
		uint32_t part = val >> 8 * (first - reg);
		bool flr;

		if (n < 4)
			part &= (1u << 8 * n) - 1;
		flr = vp_flr_requested(vp, (uint16_t)first, n, &part);
		(void)vfio_region_write(&vp->dev, CFG_IDX, pcie_phys(vp, first), &part, n);
		if (flr)
			pci_dev_reset(d); /* the emulated side, then vp_reset: VFIO's */
		return;
	}
	if (reg <= PCI_COMMAND + 1 && reg + size > PCI_COMMAND)
		cmd_forward(vp);
	vfio_pci_irq_update(vp);
}

static uint64_t vp_bar_read(struct pci_dev *d, unsigned bar, uint64_t off, unsigned size)
{
	struct vfio_pci *vp = d->opaque;
	uint64_t v = 0;

	if (vfio_region_read(&vp->dev, bar, off, &v, size))
		log_guest_once("vfio %s: BAR %u read at %#llx failed", vp->dev.name, bar,
			       (unsigned long long)off);
	return v;
}

static void vp_bar_write(struct pci_dev *d, unsigned bar, uint64_t off, unsigned size, uint64_t val)
{
	struct vfio_pci *vp = d->opaque;

	if (vfio_region_write(&vp->dev, bar, off, &val, size))
		log_guest_once("vfio %s: BAR %u write at %#llx failed", vp->dev.name, bar,
			       (unsigned long long)off);
}

static void vp_reset(struct pci_dev *d)
{
	struct vfio_pci *vp = d->opaque;

	vfio_pci_irq_off(vp);
	(void)vfio_dev_reset(&vp->dev);
	/* The emulated COMMAND is back at its reset value: so is the device's
	 * (which the reset may have left elsewhere). */
	cmd_forward(vp);
}

static const struct pci_dev_ops vp_ops = {
	.bar_read = vp_bar_read,
	.bar_write = vp_bar_write,
	.config_read = vp_config_read,
	.config_write = vp_config_write,
	.bar_map = vfio_pci_bar_map,
	.reset = vp_reset,
	.vector_routed = vfio_pci_vector_routed,
	.vector_pending = vfio_pci_vector_pending,
};

int vfio_pci_new(struct vfio_dev *dev, const struct vfio_pci_params *p, struct vfio_pci **out,
		 char *err, size_t errlen)
{
	struct vfio_pci *vp = calloc(1, sizeof(*vp));
	uint8_t cfg[PCI_CFG_SPACE_SIZE];
	struct pci_dev_info info;
	int ret;

	if (!vp)
		return -ENOMEM;
	pthread_mutex_init(&vp->bar_lock, NULL);
	pthread_mutex_init(&vp->irq_lock, NULL);
	vp->dev = *dev;
	vp->dev.ops_opaque = vp->dev.ops == &vfio_dev_kernel_ops ? &vp->dev : dev->ops_opaque;
	dev->fd = -1; /* moved */
	vp->vm_fd = p->vm_fd;
	ret = vfio_region_read(&vp->dev, CFG_IDX, 0, cfg, sizeof(cfg));
	if (ret) {
		snprintf(err, errlen, "%s: cannot read its config space: %s", vp->dev.name,
			 strerror(-ret));
		goto fail;
	}
	info = (struct pci_dev_info){
		.vendor = (uint16_t)le_get(&cfg[PCI_VENDOR_ID], 2),
		.device = (uint16_t)le_get(&cfg[PCI_DEVICE_ID], 2),
		.subsys_vendor = (uint16_t)le_get(&cfg[PCI_SUBSYSTEM_VENDOR_ID], 2),
		.subsys = (uint16_t)le_get(&cfg[PCI_SUBSYSTEM_ID], 2),
		.class = le_get(&cfg[PCI_CLASS_PROG], 3),
		.revision = cfg[PCI_REVISION_ID],
		.intx_pin = 0, /* no INTx: see docs/vfio.md */
		.name = vp->dev.name,
	};
	if ((cfg[PCI_HEADER_TYPE] & 0x7f) != PCI_HEADER_TYPE_NORMAL) {
		snprintf(err, errlen,
			 "%s: only type 0 functions can be passed through (not bridges)",
			 vp->dev.name);
		ret = -EINVAL;
		goto fail;
	}
	pci_dev_init(&vp->pci, &info, &vp_ops, vp);
	ret = declare_bars(vp, cfg, err, errlen);
	ret = ret ?: add_caps(vp, cfg, err, errlen);
	ret = ret ?: vfio_pci_bars_prepare(vp, p->next_slot, err, errlen);
	if (ret)
		goto fail;
	ret = pci_bus_add(p->bus, &vp->pci, -1);
	if (ret < 0) {
		snprintf(err, errlen, "%s: cannot plug into PCI: %s", vp->dev.name, strerror(-ret));
		goto fail;
	}
	cmd_forward(vp); /* the decode enables pci_bus_add() set, as firmware */
	vfio_pci_irq_sync_all(vp);
	*out = vp;
	return 0;
fail:
	vfio_pci_bars_release(vp);
	pci_dev_fini(&vp->pci);
	vfio_dev_close(&vp->dev);
	free(vp->msix_irqfd);
	pthread_mutex_destroy(&vp->bar_lock);
	pthread_mutex_destroy(&vp->irq_lock);
	free(vp);
	return ret < 0 ? ret : -EINVAL;
}

void vfio_pci_free(struct vfio_pci *vp)
{
	if (!vp)
		return;
	vfio_pci_irq_off(vp);
	if (vfio_dev_reset(&vp->dev))
		log_warn("vfio %s: the device could not be reset", vp->dev.name);
	vfio_pci_bars_release(vp);
	pci_dev_fini(&vp->pci);
	vfio_dev_close(&vp->dev);
	free(vp->msix_irqfd);
	pthread_mutex_destroy(&vp->bar_lock);
	pthread_mutex_destroy(&vp->irq_lock);
	free(vp);
}
