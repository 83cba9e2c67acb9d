// SPDX-License-Identifier: MIT
/* One interrupt message of a function (an MSI-X table entry or an MSI
 * vector) on its way to KVM: a GSI, an eventfd attached to it with
 * KVM_IRQFD, and the route last installed through the bus's router. */
#include <errno.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "devices/pci/internal.h"
#include "vmm/log.h"

int pci_vector_attach(struct pci_dev *d, struct pci_vector *v, const char *kind, unsigned i)
{
	struct msix_router r = pci_bus_router(d->bus);
	int ret;

	v->gsi = gsi_alloc(d->bus->cfg.gsi);
	if (v->gsi < 0) {
		log_warn("pci %s: no GSI for %s vector %u; using KVM_SIGNAL_MSI", d->name, kind, i);
		v->gsi = -1;
		return 0;
	}
	v->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (v->efd < 0)
		return -errno;
	ret = r.irqfd(r.opaque, v->efd, (unsigned)v->gsi, true);
	if (ret) {
		close(v->efd);
		v->efd = -1;
	}
	return ret;
}

void pci_vector_detach(struct pci_dev *d, struct pci_vector *v)
{
	struct msix_router r = pci_bus_router(d->bus);

	if (v->efd < 0)
		return;
	if (v->routed)
		(void)r.route(r.opaque, (unsigned)v->gsi, &v->rmsg, d->rid, false);
	(void)r.irqfd(r.opaque, v->efd, (unsigned)v->gsi, false);
	close(v->efd);
	v->efd = -1;
	v->routed = false;
}

void pci_vector_route(struct pci_dev *d, struct pci_vector *v, const struct msi_msg *msg, bool want,
		      bool force, const char *kind, unsigned i)
{
	struct msix_router r;
	int ret;

	if (v->efd < 0 || !d->bus)
		return;
	if (want == v->routed && !force &&
	    (!want || (msg->addr == v->rmsg.addr && msg->data == v->rmsg.data)))
		return;
	r = pci_bus_router(d->bus);
	ret = r.route(r.opaque, (unsigned)v->gsi, msg, d->rid, want);
	v->routed = want && !ret;
	v->rmsg = *msg;
	if (d->ops && d->ops->vector_routed)
		d->ops->vector_routed(d, !strcmp(kind, "MSI-X"), i, v->routed);
	if (ret && want)
		log_guest_once("pci %s: %s vector %u not routed: %s", d->name, kind, i,
			       strerror(-ret));
}

void pci_vector_send(struct pci_dev *d, struct pci_vector *v, const struct msi_msg *msg,
		     const char *kind, unsigned i)
{
	uint64_t one = 1;

	if (v->efd >= 0 && v->routed) {
		if (write(v->efd, &one, sizeof(one)) != sizeof(one))
			log_warn("pci %s: %s irqfd write failed", d->name, kind);
		return;
	}
	/* No GSI, or no route for it (interrupt remapping blocked the message:
	 * the sink then blocks this request too and records its fault, as the
	 * remapping hardware does per request). */
	if (d->bus && d->bus->cfg.msi.send)
		msi_sink_send(&d->bus->cfg.msi, msg, d->rid);
	else
		log_guest_once("pci %s: %s vector %u has no route; dropped", d->name, kind, i);
}
