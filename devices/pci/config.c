// SPDX-License-Identifier: MIT
/* Config space of one function: bytes plus per-byte writable and
 * write-1-to-clear masks, the type 0 header, the capability list and the
 * PCI Express capability. Guest writes go through the masks; side effects
 * are derived from the resulting register values. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "devices/pci/internal.h"
#include "vmm/log.h"

/* Most capabilities that fit between 0x40 and 0x100 (4 bytes each): the
 * bound of every walk of the list. */
#define PCI_CAP_WALK_MAX ((PCI_CFG_SPACE_SIZE - PCI_STD_HEADER_SIZEOF) / 4)

#define PCI_COMMAND_WRITABLE                                                                       \
	(PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER | PCI_COMMAND_PARITY |           \
	 PCI_COMMAND_SERR | PCI_COMMAND_INTX_DISABLE)
#define PCI_STATUS_W1C                                                                             \
	(PCI_STATUS_PARITY | PCI_STATUS_SIG_TARGET_ABORT | PCI_STATUS_REC_TARGET_ABORT |           \
	 PCI_STATUS_REC_MASTER_ABORT | PCI_STATUS_SIG_SYSTEM_ERROR | PCI_STATUS_DETECTED_PARITY)

static void pci_mask_set(uint8_t *m, uint16_t reg, unsigned size, uint32_t v)
{
	pci_le_set(&m[reg], size, v);
}

void pci_dev_init(struct pci_dev *d, const struct pci_dev_info *info, const struct pci_dev_ops *ops,
		  void *opaque)
{
	memset(d, 0, sizeof(*d));
	pthread_mutex_init(&d->lock, NULL);
	d->name = info->name ? info->name : "pci";
	d->ops = ops;
	d->opaque = opaque;
	d->cap_end = PCI_STD_HEADER_SIZEOF;
	for (unsigned i = 0; i < PCI_STD_NUM_BARS; i++) {
		d->bar[i].dev = d;
		d->bar[i].idx = (uint8_t)i;
	}
	pci_cfg_set(d, PCI_VENDOR_ID, 2, info->vendor);
	pci_cfg_set(d, PCI_DEVICE_ID, 2, info->device);
	pci_cfg_set(d, PCI_CLASS_REVISION, 4, info->class << 8 | info->revision);
	pci_cfg_set(d, PCI_HEADER_TYPE, 1, PCI_HEADER_TYPE_NORMAL);
	pci_cfg_set(d, PCI_SUBSYSTEM_VENDOR_ID, 2, info->subsys_vendor);
	pci_cfg_set(d, PCI_SUBSYSTEM_ID, 2, info->subsys);
	pci_cfg_set(d, PCI_INTERRUPT_PIN, 1, info->intx_pin <= 4 ? info->intx_pin : 0);

	pci_mask_set(d->wmask, PCI_COMMAND, 2, PCI_COMMAND_WRITABLE);
	pci_mask_set(d->w1cmask, PCI_STATUS, 2, PCI_STATUS_W1C);
	pci_mask_set(d->wmask, PCI_CACHE_LINE_SIZE, 1, 0xff);
	pci_mask_set(d->wmask, PCI_INTERRUPT_LINE, 1, 0xff);
}

void pci_dev_fini(struct pci_dev *d)
{
	pthread_mutex_lock(&d->lock);
	msix_detach(d);
	msi_detach(d);
	pthread_mutex_unlock(&d->lock);
	msix_free(d);
	free(d->reset_cfg);
	d->reset_cfg = NULL;
}

int pci_cap_add(struct pci_dev *d, uint8_t id, unsigned len)
{
	unsigned off = ALIGN_UP(d->cap_end, 4);

	if (len < 2 || (id == PCI_CAP_ID_VNDR && len < 3))
		return -EINVAL;
	if (off + len > PCI_CFG_SPACE_SIZE)
		return -ENOSPC;
	pci_cfg_set(d, off + PCI_CAP_LIST_ID, 1, id);
	pci_cfg_set(d, off + PCI_CAP_LIST_NEXT, 1, 0);
	if (id == PCI_CAP_ID_VNDR)
		pci_cfg_set(d, off + PCI_CAP_FLAGS, 1, len);
	if (d->cap_last)
		pci_cfg_set(d, d->cap_last + PCI_CAP_LIST_NEXT, 1, off);
	else
		pci_cfg_set(d, PCI_CAPABILITY_LIST, 1, off);
	pci_cfg_set(d, PCI_STATUS, 2, pci_cfg_get(d, PCI_STATUS, 2) | PCI_STATUS_CAP_LIST);
	d->cap_last = (uint8_t)off;
	d->cap_end = (uint16_t)(off + len);
	return (int)off;
}

uint8_t pci_cap_find(struct pci_dev *d, uint8_t id, uint8_t start)
{
	unsigned pos;

	if (!(pci_config_get(d, PCI_STATUS, 2) & PCI_STATUS_CAP_LIST))
		return 0;
	pos = start ? pci_config_get(d, start + PCI_CAP_LIST_NEXT, 1)
		    : pci_config_get(d, PCI_CAPABILITY_LIST, 1);
	for (unsigned n = 0; n < PCI_CAP_WALK_MAX; n++) {
		pos &= ~3u;
		if (pos < PCI_STD_HEADER_SIZEOF)
			return 0;
		if (pci_config_get(d, pos + PCI_CAP_LIST_ID, 1) == id)
			return (uint8_t)pos;
		pos = pci_config_get(d, pos + PCI_CAP_LIST_NEXT, 1);
	}
	return 0; /* a loop in the list */
}

int pci_cap_add_pcie(struct pci_dev *d, unsigned type)
{
	bool link = type == PCI_EXP_TYPE_ENDPOINT;
	unsigned len = link ? PCI_CAP_EXP_ENDPOINT_SIZEOF_V2 : PCI_CAP_EXP_RC_ENDPOINT_SIZEOF_V2;
	int off;

	if (type != PCI_EXP_TYPE_ENDPOINT && type != PCI_EXP_TYPE_RC_END)
		return -EINVAL;
	if (d->pcie_cap)
		return -EEXIST;
	off = pci_cap_add(d, PCI_CAP_ID_EXP, len);
	if (off < 0)
		return off;
	/* Version 2, the port type (PCI_EXP_FLAGS_TYPE, bits 7:4); 128-byte
	 * payloads; role-based error reporting. */
	pci_cfg_set(d, off + PCI_EXP_FLAGS, 2, 2 | type << 4);
	pci_cfg_set(d, off + PCI_EXP_DEVCAP, 4, PCI_EXP_DEVCAP_RBER);
	pci_cfg_set(d, off + PCI_EXP_DEVCTL, 2,
		    PCI_EXP_DEVCTL_RELAX_EN | PCI_EXP_DEVCTL_NOSNOOP_EN |
			    PCI_EXP_DEVCTL_READRQ_512B);
	pci_mask_set(d->wmask, off + PCI_EXP_DEVCTL, 2,
		     PCI_EXP_DEVCTL_CERE | PCI_EXP_DEVCTL_NFERE | PCI_EXP_DEVCTL_FERE |
			     PCI_EXP_DEVCTL_URRE | PCI_EXP_DEVCTL_RELAX_EN |
			     PCI_EXP_DEVCTL_PAYLOAD | PCI_EXP_DEVCTL_NOSNOOP_EN |
			     PCI_EXP_DEVCTL_READRQ);
	pci_mask_set(d->w1cmask, off + PCI_EXP_DEVSTA, 2,
		     PCI_EXP_DEVSTA_CED | PCI_EXP_DEVSTA_NFED | PCI_EXP_DEVSTA_FED |
			     PCI_EXP_DEVSTA_URD);
	if (link) { /* a x1 link at 2.5 GT/s */
		/* Max link width x1: field PCI_EXP_LNKCAP_MLW, bits 9:4. */
		pci_cfg_set(d, off + PCI_EXP_LNKCAP, 4, PCI_EXP_LNKCAP_SLS_2_5GB | 1u << 4);
		pci_cfg_set(d, off + PCI_EXP_LNKSTA, 2,
			    PCI_EXP_LNKSTA_CLS_2_5GB | PCI_EXP_LNKSTA_NLW_X1);
		pci_mask_set(d->wmask, off + PCI_EXP_LNKCTL, 2,
			     PCI_EXP_LNKCTL_ASPMC | PCI_EXP_LNKCTL_CCC | PCI_EXP_LNKCTL_ES);
	}
	d->pcie_cap = (uint8_t)off;
	return off;
}

static bool pci_access_ok(uint16_t reg, unsigned size)
{
	return (size == 1 || size == 2 || size == 4) && !(reg & (size - 1)) &&
	       reg + size <= PCI_CFG_SPACE_EXP_SIZE;
}

uint32_t pci_config_get(struct pci_dev *d, uint16_t reg, unsigned size)
{
	uint32_t v;

	if (!size || size > 4 || reg + size > PCI_CFG_SPACE_EXP_SIZE)
		return 0;
	pthread_mutex_lock(&d->lock);
	v = pci_cfg_get(d, reg, size);
	pthread_mutex_unlock(&d->lock);
	return v;
}

void pci_config_set(struct pci_dev *d, uint16_t reg, unsigned size, uint32_t val)
{
	if (!size || size > 4 || reg + size > PCI_CFG_SPACE_EXP_SIZE)
		return;
	pthread_mutex_lock(&d->lock);
	pci_cfg_set(d, reg, size, val);
	pthread_mutex_unlock(&d->lock);
}

void pci_config_set_wmask(struct pci_dev *d, uint16_t reg, unsigned size, uint32_t mask)
{
	if (size > 4 || reg + size > PCI_CFG_SPACE_EXP_SIZE)
		return;
	pci_mask_set(d->wmask, reg, size, mask);
	for (unsigned i = 0; i < size; i++)
		d->w1cmask[reg + i] &= (uint8_t)~d->wmask[reg + i];
}

void pci_config_set_w1cmask(struct pci_dev *d, uint16_t reg, unsigned size, uint32_t mask)
{
	if (size > 4 || reg + size > PCI_CFG_SPACE_EXP_SIZE)
		return;
	pci_mask_set(d->w1cmask, reg, size, mask);
	for (unsigned i = 0; i < size; i++)
		d->wmask[reg + i] &= (uint8_t)~d->w1cmask[reg + i];
}

uint32_t pci_config_read(struct pci_dev *d, uint16_t reg, unsigned size)
{
	uint32_t v;

	if (!pci_access_ok(reg, size)) {
		log_guest_once("pci %s: bad config read of %u bytes at %#x", d->name, size, reg);
		return pci_ones(size);
	}
	pthread_mutex_lock(&d->lock);
	v = pci_cfg_get(d, reg, size);
	pthread_mutex_unlock(&d->lock);
	if (d->ops && d->ops->config_read)
		v = d->ops->config_read(d, reg, size, v) & pci_ones(size);
	return v;
}

/* Apply the write through the masks; then the registers' side effects. */
static void pci_config_apply(struct pci_dev *d, uint16_t reg, unsigned size, uint32_t val)
{
	for (unsigned i = 0; i < size; i++) {
		uint8_t b = (uint8_t)(val >> (8 * i)), w = d->wmask[reg + i];
		uint8_t *c = &d->cfg[reg + i];

		*c = (uint8_t)((*c & ~w) | (b & w));
		*c &= (uint8_t) ~(b & d->w1cmask[reg + i]);
	}
	if (pci_overlaps(reg, size, PCI_COMMAND, 2) ||
	    pci_overlaps(reg, size, PCI_BASE_ADDRESS_0, 4 * PCI_STD_NUM_BARS))
		pci_bars_update(d);
	if (pci_overlaps(reg, size, PCI_COMMAND, 2))
		pci_intx_update(d);
	if (d->msix.nvec && pci_overlaps(reg, size, d->msix.cap + PCI_MSIX_FLAGS, 2))
		msix_update(d);
	if (d->msi.nvec && pci_overlaps(reg, size, d->msi.cap, MSI_CAP_SIZEOF))
		msi_update(d);
}

void pci_config_write(struct pci_dev *d, uint16_t reg, unsigned size, uint32_t val)
{
	if (!pci_access_ok(reg, size)) {
		log_guest_once("pci %s: bad config write of %u bytes at %#x", d->name, size, reg);
		return;
	}
	pthread_mutex_lock(&d->lock);
	pci_config_apply(d, reg, size, val);
	pthread_mutex_unlock(&d->lock);
	if (d->ops && d->ops->config_write)
		d->ops->config_write(d, reg, size, val);
}

void pci_dev_reset(struct pci_dev *d)
{
	pthread_mutex_lock(&d->lock);
	if (d->reset_cfg)
		memcpy(d->cfg, d->reset_cfg, sizeof(d->cfg));
	else
		pci_cfg_set(d, PCI_COMMAND, 2, 0);
	d->intx_level = false;
	pci_cfg_set(d, PCI_STATUS, 2, pci_cfg_get(d, PCI_STATUS, 2) & ~PCI_STATUS_INTERRUPT);
	msix_reset(d);
	pci_bars_update(d);
	pci_intx_update(d);
	if (d->msix.nvec)
		msix_update(d);
	if (d->msi.nvec)
		msi_update(d);
	pthread_mutex_unlock(&d->lock);
	if (d->ops && d->ops->reset)
		d->ops->reset(d);
}
