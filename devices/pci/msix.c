// SPDX-License-Identifier: MIT
/* MSI-X: the capability, the table and PBA windows in a BAR, per-vector and
 * function masking with pending bits, and delivery through a KVM irqfd per
 * vector whose GSI route follows the guest's table entry. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "devices/pci/internal.h"
#include "vmm/log.h"

#define MSIX_FLAGS_WRITABLE (PCI_MSIX_FLAGS_MASKALL | PCI_MSIX_FLAGS_ENABLE)

int msix_route_kvm(void *gsi_table, unsigned gsi, const struct msi_msg *msg, uint16_t rid,
		   bool enabled)
{
	(void)rid; /* no remapping: the message is the route */
	return gsi_set_msi(gsi_table, gsi, msg, enabled);
}

int msix_irqfd_kvm(void *gsi_table, int efd, unsigned gsi, bool assign)
{
	struct gsi_table *t = gsi_table;
	struct kvm_irqfd irqfd = {
		.fd = (uint32_t)efd,
		.gsi = gsi,
		.flags = assign ? 0 : KVM_IRQFD_FLAG_DEASSIGN,
	};

	if (t->vm_fd < 0)
		return 0;
	return ioctl(t->vm_fd, KVM_IRQFD, &irqfd) < 0 ? -errno : 0;
}

struct msix_router msix_router_kvm(struct gsi_table *t)
{
	return (struct msix_router){.route = msix_route_kvm, .irqfd = msix_irqfd_kvm, .opaque = t};
}

uint32_t msix_table_size(unsigned nvec)
{
	return nvec * PCI_MSIX_ENTRY_SIZE;
}

uint32_t msix_pba_size(unsigned nvec)
{
	return (nvec + 63) / 64 * 8;
}

static bool msix_bar_ok(const struct pci_dev *d, unsigned bar, uint32_t off, uint32_t len)
{
	const struct pci_bar *b = &d->bar[bar];

	return bar < PCI_STD_NUM_BARS && !(off & 7) &&
	       (b->type == PCI_BAR_MEM32 || b->type == PCI_BAR_MEM64) &&
	       range_within(off, len, 0, b->size);
}

int msix_init(struct pci_dev *d, unsigned nvec, unsigned table_bar, uint32_t table_off,
	      unsigned pba_bar, uint32_t pba_off)
{
	uint32_t tlen = msix_table_size(nvec), plen = msix_pba_size(nvec);
	struct msix *m = &d->msix;
	int off;

	if (!nvec || nvec > MSIX_MAX_VECTORS || m->nvec || d->bus ||
	    table_bar >= PCI_STD_NUM_BARS || pba_bar >= PCI_STD_NUM_BARS ||
	    !msix_bar_ok(d, table_bar, table_off, tlen) ||
	    !msix_bar_ok(d, pba_bar, pba_off, plen) ||
	    (table_bar == pba_bar && pci_overlaps(table_off, tlen, pba_off, plen)))
		return -EINVAL;
	m->vec = calloc(nvec, sizeof(*m->vec));
	m->pba = calloc(plen / 8, sizeof(*m->pba));
	if (!m->vec || !m->pba) {
		msix_free(d);
		return -ENOMEM;
	}
	off = pci_cap_add(d, PCI_CAP_ID_MSIX, PCI_CAP_MSIX_SIZEOF);
	if (off < 0) {
		msix_free(d);
		return off;
	}
	for (unsigned i = 0; i < nvec; i++)
		m->vec[i] = (struct msix_vector){.ctrl = PCI_MSIX_ENTRY_CTRL_MASKBIT,
						 .iv = PCI_VECTOR_INIT};
	pci_cfg_set(d, off + PCI_MSIX_FLAGS, 2, nvec - 1);
	pci_cfg_set(d, off + PCI_MSIX_TABLE, 4, table_off | table_bar);
	pci_cfg_set(d, off + PCI_MSIX_PBA, 4, pba_off | pba_bar);
	pci_config_set_wmask(d, off + PCI_MSIX_FLAGS, 2, MSIX_FLAGS_WRITABLE);
	m->cap = (uint8_t)off;
	m->table_bar = (uint8_t)table_bar;
	m->table_off = table_off;
	m->pba_bar = (uint8_t)pba_bar;
	m->pba_off = pba_off;
	m->nvec = nvec;
	return 0;
}

void msix_free(struct pci_dev *d)
{
	free(d->msix.vec);
	free(d->msix.pba);
	d->msix.vec = NULL;
	d->msix.pba = NULL;
	d->msix.nvec = 0;
}

static struct msi_msg msix_msg(const struct msix_vector *v)
{
	return (struct msi_msg){.addr = (uint64_t)v->addr_hi << 32 | v->addr_lo, .data = v->data};
}

static bool msix_can_fire(const struct msix *m, const struct msix_vector *v)
{
	return m->enabled && !m->masked && !(v->ctrl & PCI_MSIX_ENTRY_CTRL_MASKBIT);
}

/* Send vector i now: through its irqfd, or the msi_sink without one. */
static void msix_deliver(struct pci_dev *d, unsigned i)
{
	struct msix_vector *v = &d->msix.vec[i];
	struct msi_msg msg = msix_msg(v);

	pci_vector_send(d, &v->iv, &msg, "MSI-X", i);
}

static bool pba_test_clear(struct msix *m, unsigned i)
{
	uint64_t bit = 1ull << (i % 64);
	bool was = m->pba[i / 64] & bit;

	m->pba[i / 64] &= ~bit;
	return was;
}

void msix_vector_sync(struct pci_dev *d, unsigned i, bool force)
{
	struct msix *m = &d->msix;
	struct msix_vector *v = &m->vec[i];
	bool want = msix_can_fire(m, v);
	struct msi_msg msg = msix_msg(v);

	pci_vector_route(d, &v->iv, &msg, want, force, "MSI-X", i);
	if (want && pba_test_clear(m, i))
		msix_deliver(d, i);
}

void msix_update(struct pci_dev *d)
{
	struct msix *m = &d->msix;
	uint16_t flags = (uint16_t)pci_cfg_get(d, m->cap + PCI_MSIX_FLAGS, 2);
	bool enabled = flags & PCI_MSIX_FLAGS_ENABLE;
	bool masked = flags & PCI_MSIX_FLAGS_MASKALL;

	m->enabled = enabled;
	m->masked = masked;
	for (unsigned i = 0; i < m->nvec; i++)
		msix_vector_sync(d, i, false);
}

void msix_reset(struct pci_dev *d)
{
	struct msix *m = &d->msix;

	for (unsigned i = 0; i < m->nvec; i++)
		m->vec[i].ctrl = PCI_MSIX_ENTRY_CTRL_MASKBIT;
	if (m->pba)
		memset(m->pba, 0, msix_pba_size(m->nvec));
}

int msix_attach(struct pci_dev *d)
{
	struct msix *m = &d->msix;

	if (!m->nvec || m->attached || !d->bus->cfg.gsi)
		return 0;
	m->attached = true;
	for (unsigned i = 0; i < m->nvec; i++) {
		int ret = pci_vector_attach(d, &m->vec[i].iv, "MSI-X", i);

		if (ret)
			return ret;
	}
	return 0;
}

void msix_detach(struct pci_dev *d)
{
	struct msix *m = &d->msix;

	if (!m->attached)
		return;
	for (unsigned i = 0; i < m->nvec; i++)
		pci_vector_detach(d, &m->vec[i].iv);
	m->attached = false;
}

int msix_notify(struct pci_dev *d, unsigned vec)
{
	struct msix *m = &d->msix;
	int ret = 0;

	if (vec >= m->nvec)
		return -EINVAL;
	pthread_mutex_lock(&d->lock);
	if (!m->enabled) {
		ret = -ENODEV;
	} else if (!msix_can_fire(m, &m->vec[vec])) {
		m->pba[vec / 64] |= 1ull << (vec % 64);
		ret = 1;
	} else {
		msix_deliver(d, vec);
	}
	pthread_mutex_unlock(&d->lock);
	return ret;
}

bool msix_enabled(struct pci_dev *d)
{
	bool en;

	pthread_mutex_lock(&d->lock);
	en = d->msix.nvec && d->msix.enabled;
	pthread_mutex_unlock(&d->lock);
	return en;
}

bool msix_vector_masked(struct pci_dev *d, unsigned vec)
{
	bool masked = true;

	pthread_mutex_lock(&d->lock);
	if (vec < d->msix.nvec)
		masked = !msix_can_fire(&d->msix, &d->msix.vec[vec]);
	pthread_mutex_unlock(&d->lock);
	return masked;
}

int msix_vector_eventfd(struct pci_dev *d, unsigned vec)
{
	int fd = -1;

	pthread_mutex_lock(&d->lock);
	if (vec < d->msix.nvec)
		fd = d->msix.vec[vec].iv.efd;
	pthread_mutex_unlock(&d->lock);
	return fd;
}

void msix_reroute(struct pci_dev *d)
{
	pthread_mutex_lock(&d->lock);
	for (unsigned i = 0; i < d->msix.nvec; i++)
		msix_vector_sync(d, i, d->msix.vec[i].iv.routed);
	pthread_mutex_unlock(&d->lock);
}
