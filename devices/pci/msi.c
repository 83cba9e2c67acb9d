// SPDX-License-Identifier: MIT
/* MSI: the capability (see msi.h), per-vector masking with pending bits,
 * and delivery through one irqfd per vector whose route follows the
 * programmed address and data. The capability's registers live in config
 * space; msi_update() applies them after every write that touches them. */
#include <errno.h>

#include "devices/pci/internal.h"

#define MSI_FLAGS_WRITABLE (PCI_MSI_FLAGS_ENABLE | PCI_MSI_FLAGS_QSIZE)

int msi_init(struct pci_dev *d, unsigned nvec)
{
	struct msi *m = &d->msi;
	unsigned log2 = (unsigned)__builtin_ctz(nvec | MSI_MAX_VECTORS);
	int off;

	if (!nvec || nvec > MSI_MAX_VECTORS || (nvec & (nvec - 1)) || m->nvec || d->bus)
		return -EINVAL;
	off = pci_cap_add(d, PCI_CAP_ID_MSI, MSI_CAP_SIZEOF);
	if (off < 0)
		return off;
	pci_cfg_set(d, off + PCI_MSI_FLAGS, 2,
		    PCI_MSI_FLAGS_64BIT | PCI_MSI_FLAGS_MASKBIT | log2 << 1);
	pci_config_set_wmask(d, off + PCI_MSI_FLAGS, 2, MSI_FLAGS_WRITABLE);
	pci_config_set_wmask(d, off + PCI_MSI_ADDRESS_LO, 4, 0xfffffffc);
	pci_config_set_wmask(d, off + PCI_MSI_ADDRESS_HI, 4, 0xffffffff);
	pci_config_set_wmask(d, off + PCI_MSI_DATA_64, 2, 0xffff);
	pci_config_set_wmask(d, off + PCI_MSI_MASK_64, 4,
			     nvec == 32 ? 0xffffffff : (1u << nvec) - 1);
	for (unsigned i = 0; i < MSI_MAX_VECTORS; i++)
		m->vec[i] = PCI_VECTOR_INIT;
	m->cap = (uint8_t)off;
	m->nvec = nvec;
	return 0;
}

/* Vectors the guest enabled: 2^MME, at most what the function offers. 0
 * while MSI is off. Lock held. */
static unsigned msi_nused(const struct pci_dev *d)
{
	uint16_t flags = (uint16_t)pci_cfg_get(d, d->msi.cap + PCI_MSI_FLAGS, 2);
	unsigned n = 1u << ((flags & PCI_MSI_FLAGS_QSIZE) >> 4);

	if (!(flags & PCI_MSI_FLAGS_ENABLE))
		return 0;
	return n < d->msi.nvec ? n : d->msi.nvec;
}

/* The message of vector i when n vectors are enabled. Lock held. */
static struct msi_msg msi_msg(const struct pci_dev *d, unsigned i, unsigned n)
{
	unsigned cap = d->msi.cap;
	uint32_t data = pci_cfg_get(d, cap + PCI_MSI_DATA_64, 2);

	return (struct msi_msg){
		.addr = (uint64_t)pci_cfg_get(d, cap + PCI_MSI_ADDRESS_HI, 4) << 32 |
			pci_cfg_get(d, cap + PCI_MSI_ADDRESS_LO, 4),
		.data = (data & ~(n - 1)) | i,
	};
}

static bool msi_masked(const struct pci_dev *d, unsigned i)
{
	return pci_cfg_get(d, d->msi.cap + PCI_MSI_MASK_64, 4) & (1u << i);
}

/* Pending bit of vector i: set (on) or cleared; returns what it was. */
static bool msi_pending(struct pci_dev *d, unsigned i, bool on)
{
	unsigned reg = d->msi.cap + PCI_MSI_PENDING_64;
	uint32_t p = pci_cfg_get(d, reg, 4);

	pci_cfg_set(d, reg, 4, on ? p | 1u << i : p & ~(1u << i));
	return p & (1u << i);
}

/* Bring every vector's route in line with the capability (forced for
 * routed vectors when the router changed), and send what is pending on
 * vectors that can fire. Lock held. */
static void msi_sync(struct pci_dev *d, bool reroute)
{
	struct msi *m = &d->msi;
	unsigned n = msi_nused(d);

	for (unsigned i = 0; i < m->nvec; i++) {
		struct msi_msg msg = msi_msg(d, i, n ? n : 1);
		bool want = i < n && !msi_masked(d, i);

		pci_vector_route(d, &m->vec[i], &msg, want, reroute && m->vec[i].routed, "MSI", i);
		if (want && msi_pending(d, i, false))
			pci_vector_send(d, &m->vec[i], &msg, "MSI", i);
	}
}

void msi_update(struct pci_dev *d)
{
	msi_sync(d, false);
}

void msi_reroute(struct pci_dev *d)
{
	msi_sync(d, true);
}

int msi_attach(struct pci_dev *d)
{
	struct msi *m = &d->msi;

	if (!m->nvec || m->attached || !d->bus->cfg.gsi)
		return 0;
	m->attached = true;
	for (unsigned i = 0; i < m->nvec; i++) {
		int ret = pci_vector_attach(d, &m->vec[i], "MSI", i);

		if (ret)
			return ret;
	}
	return 0;
}

void msi_detach(struct pci_dev *d)
{
	struct msi *m = &d->msi;

	if (!m->attached)
		return;
	for (unsigned i = 0; i < m->nvec; i++)
		pci_vector_detach(d, &m->vec[i]);
	m->attached = false;
}

int msi_notify(struct pci_dev *d, unsigned vec)
{
	unsigned n;
	int ret = 0;

	pthread_mutex_lock(&d->lock);
	n = d->msi.nvec ? msi_nused(d) : 0;
	if (!n) {
		ret = -ENODEV;
	} else if (vec >= n) {
		ret = -EINVAL;
	} else if (msi_masked(d, vec)) {
		msi_pending(d, vec, true);
		ret = 1;
	} else {
		struct msi_msg msg = msi_msg(d, vec, n);

		pci_vector_send(d, &d->msi.vec[vec], &msg, "MSI", vec);
	}
	pthread_mutex_unlock(&d->lock);
	return ret;
}

bool msi_enabled(struct pci_dev *d)
{
	bool en;

	pthread_mutex_lock(&d->lock);
	en = d->msi.nvec && msi_nused(d);
	pthread_mutex_unlock(&d->lock);
	return en;
}
