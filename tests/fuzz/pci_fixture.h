/* SPDX-License-Identifier: MIT */
/* The PCI bus of tests/fuzz/fuzz_pci.c, without cmocka: the MMIO and port
 * buses, configuration mechanism #1 at 0xcf8, the PCI bus (ECAM) on them,
 * three emulated functions, a GSI table without a VM, a fake MSI-X router
 * and a fake msi_sink that record what they see, and INTx lines that record
 * their level. Pattern of tests/unit/msi_fixture.h and pci_fixture.h.
 *
 *   slot 1 "msix": BAR 0 32-bit 16 KiB (MSI-X table of 8 at 0, PBA at
 *                  0x2000), BAR 1 I/O 32 ports, BAR 2 64-bit prefetchable
 *                  64 KiB; a PCIe endpoint capability
 *   slot 2 "msi":  MSI with 4 vectors; BAR 0 32-bit 4 KiB; INTA
 *   slot 3 "both": MSI-X of 3 (table in BAR 0 32-bit 4 KiB at 0x100, PBA in
 *                  BAR 1 32-bit 16 bytes at 0) and MSI with 32 vectors; INTB
 * Helpers are static inline so that a program may leave some unused. */
#ifndef TESTS_FUZZ_PCI_FIXTURE_H
#define TESTS_FUZZ_PCI_FIXTURE_H

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include "devices/pci/internal.h"
#include "tests/fuzz/eventfd_drain.h"
#include "devices/pci/pci.h"
#include "devices/platform.h"
#include "vmm/layout.h"

#define PFX_DEVS	3
#define PFX_MAX_VEC	32
#define PFX_MAX_MSIX	8    /* MSI-X vectors of a function */
#define PFX_REFUSED_LOW 0xee /* the fake router refuses data with this low byte */
#define PFX_SLOT(devfn) ((unsigned)(devfn) >> 3)

struct pfx_route {
	bool on;
	struct msi_msg msg;
	uint16_t rid;
};

struct pfx_sent {
	struct msi_msg msg;
	uint16_t rid;
};

struct pfx {
	struct bus mmio, pio;
	struct gsi_table gsi;
	struct pci_bus *pbus;
	struct pci_conf1 conf1;
	struct pci_dev dev[PFX_DEVS];
	unsigned bar_reads, bar_writes; /* the devices' own BAR hooks */
	struct pfx_route route[GSI_MAX];
	struct pfx_sent sent[256];
	unsigned nr_sent;
	bool sent_overflow;
	int intx[IOAPIC_PINS];
};

static inline int pfx_route_fn(void *opaque, unsigned g, const struct msi_msg *msg, uint16_t rid,
			       bool enabled)
{
	struct pfx *fx = opaque;

	if (g >= GSI_MAX)
		return -EINVAL;
	if (enabled && (msg->data & 0xff) == PFX_REFUSED_LOW) {
		fx->route[g].on = false; /* left unrouted (msix.h) */
		return -EPERM;		 /* as interrupt remapping refuses a message */
	}
	fx->route[g] = (struct pfx_route){enabled, *msg, rid};
	return 0;
}

static inline int pfx_irqfd_fn(void *opaque, int efd, unsigned g, bool assign)
{
	(void)opaque, (void)efd, (void)g, (void)assign;
	return 0;
}

static inline int pfx_send(void *opaque, const struct msi_msg *msg, uint16_t rid)
{
	struct pfx *fx = opaque;

	if (fx->nr_sent < ARRAY_SIZE(fx->sent))
		fx->sent[fx->nr_sent++] = (struct pfx_sent){*msg, rid};
	else
		fx->sent_overflow = true;
	return 0;
}

static inline void pfx_intx(void *opaque, unsigned pin, int level)
{
	struct pfx *fx = opaque;

	if (pin < IOAPIC_PINS)
		fx->intx[pin] = level;
}

static inline uint64_t pfx_bar_read(struct pci_dev *d, unsigned bar, uint64_t off, unsigned size)
{
	struct pfx *fx = d->opaque;

	fx->bar_reads++;
	return (bar << 16 | off) & ((size == 8 ? 0 : 1ull << (8 * size)) - 1);
}

static inline void pfx_bar_write(struct pci_dev *d, unsigned bar, uint64_t off, unsigned size,
				 uint64_t val)
{
	struct pfx *fx = d->opaque;

	(void)bar, (void)off, (void)size, (void)val;
	fx->bar_writes++;
}

static const struct pci_dev_ops pfx_ops = {.bar_read = pfx_bar_read, .bar_write = pfx_bar_write};

static inline int pfx_dev(struct pfx *fx, unsigned i)
{
	static const char *names[PFX_DEVS] = {"msix", "msi", "both"};
	struct pci_dev_info info = {.vendor = 0x1234,
				    .device = (uint16_t)(0x1000 + i),
				    .subsys_vendor = 0x5678,
				    .subsys = (uint16_t)(0x2000 + i),
				    .class = 0x00ff00 + i,
				    .revision = (uint8_t)(i + 1),
				    .intx_pin = (uint8_t)i,
				    .name = names[i]};
	struct pci_dev *d = &fx->dev[i];

	pci_dev_init(d, &info, &pfx_ops, fx);
	switch (i) {
	case 0:
		if (pci_bar_declare(d, 0, PCI_BAR_MEM32, KiB(16), false) ||
		    pci_bar_declare(d, 1, PCI_BAR_IO, 32, false) ||
		    pci_bar_declare(d, 2, PCI_BAR_MEM64, KiB(64), true) ||
		    msix_init(d, 8, 0, 0, 0, 0x2000))
			return -1;
		return pci_cap_add_pcie(d, PCI_EXP_TYPE_ENDPOINT) < 0 ? -1 : 0;
	case 1:
		if (pci_bar_declare(d, 0, PCI_BAR_MEM32, KiB(4), false))
			return -1;
		return msi_init(d, 4);
	default:
		if (pci_bar_declare(d, 0, PCI_BAR_MEM32, KiB(4), false) ||
		    pci_bar_declare(d, 1, PCI_BAR_MEM32, 16, false) ||
		    msix_init(d, 3, 0, 0x100, 1, 0))
			return -1;
		return msi_init(d, 32);
	}
}

/* The bus with the devices at slots 1..PFX_DEVS; with_gsi: MSI and MSI-X
 * vectors get GSIs, eventfds and routes through the fake router (else
 * every message goes to the fake sink). 0 or -1. */
static inline int pfx_setup(struct pfx *fx, bool with_gsi)
{
	struct pci_bus_config cfg = {
		.mmio = &fx->mmio,
		.pio = &fx->pio,
		.gsi = with_gsi ? &fx->gsi : NULL,
		.msi = {pfx_send, fx},
		.intx = {pfx_intx, fx, 0},
		.mmio64_base = GiB(64),
		.mmio64_size = GiB(1),
	};

	memset(fx, 0, sizeof(*fx));
	if (with_gsi)
		cfg.router = (struct msix_router){pfx_route_fn, pfx_irqfd_fn, fx};
	bus_init(&fx->mmio, "mmio");
	bus_init(&fx->pio, "pio");
	gsi_table_init(&fx->gsi, -1);
	if (pci_bus_new(&cfg, &fx->pbus))
		return -1;
	pci_conf1_init(&fx->conf1, pci_bus_conf_target(fx->pbus));
	if (bus_register(&fx->pio, PORT_PCI_CONF, 8, &pci_conf1_ops, &fx->conf1, "conf1"))
		return -1;
	for (unsigned i = 0; i < PFX_DEVS; i++)
		if (pfx_dev(fx, i) || pci_bus_add(fx->pbus, &fx->dev[i], (int)i + 1) < 0)
			return -1;
	return 0;
}

/* Free the bus and the devices (their eventfds). */
static inline void pfx_teardown(struct pfx *fx)
{
	pci_bus_free(fx->pbus);
	fx->pbus = NULL;
	for (unsigned i = 0; i < PFX_DEVS; i++)
		pci_dev_fini(&fx->dev[i]);
}

/* Everything the model holds after pfx_setup(): fx itself and what
 * pci_bus_new(), msix_init() and pci_bus_add() allocated (the bus, the
 * MSI-X tables and PBAs, the reset snapshots); nothing else is allocated
 * until pfx_teardown(). */
struct pfx_ckpt {
	struct pfx fx;
	struct pci_bus bus;
	struct msix_vector vec[PFX_DEVS][PFX_MAX_MSIX];
	uint64_t pba[PFX_DEVS][1];
	uint8_t reset_cfg[PFX_DEVS + 1][PCI_CFG_SPACE_EXP_SIZE]; /* the host bridge's last */
};

/* Save fx, just set up, in ck. 0, or -1 if ck cannot hold it. */
static inline int pfx_save(const struct pfx *fx, struct pfx_ckpt *ck)
{
	memcpy(&ck->fx, fx, sizeof(*fx));
	memcpy(&ck->bus, fx->pbus, sizeof(ck->bus));
	memcpy(ck->reset_cfg[PFX_DEVS], fx->pbus->host.reset_cfg, PCI_CFG_SPACE_EXP_SIZE);
	for (unsigned i = 0; i < PFX_DEVS; i++) {
		const struct pci_dev *d = &fx->dev[i];

		if (d->msix.nvec > PFX_MAX_MSIX ||
		    msix_pba_size(d->msix.nvec) > sizeof(ck->pba[i]) || !d->reset_cfg)
			return -1;
		if (d->msix.nvec) {
			memcpy(ck->vec[i], d->msix.vec, d->msix.nvec * sizeof(*d->msix.vec));
			memcpy(ck->pba[i], d->msix.pba, msix_pba_size(d->msix.nvec));
		}
		memcpy(ck->reset_cfg[i], d->reset_cfg, PCI_CFG_SPACE_EXP_SIZE);
	}
	return 0;
}

/* Bring fx back to the state saved in ck by pfx_save(fx, ck) (every byte
 * of it, the allocations where they are), as a new pfx_setup() would, but
 * without allocating or opening anything; the eventfds the vectors keep
 * are emptied. For a fuzz target, between inputs. 0, or -1 if an eventfd
 * cannot be emptied. */
static inline int pfx_restore(struct pfx *fx, const struct pfx_ckpt *ck)
{
	struct pollfd pfd[PFX_DEVS * (PFX_MAX_MSIX + PFX_MAX_VEC)];
	unsigned n = 0;

	memcpy(fx, &ck->fx, sizeof(*fx));
	memcpy(fx->pbus, &ck->bus, sizeof(ck->bus));
	memcpy(fx->pbus->host.reset_cfg, ck->reset_cfg[PFX_DEVS], PCI_CFG_SPACE_EXP_SIZE);
	for (unsigned i = 0; i < PFX_DEVS; i++) {
		struct pci_dev *d = &fx->dev[i];

		if (d->msix.nvec) {
			memcpy(d->msix.vec, ck->vec[i], d->msix.nvec * sizeof(*d->msix.vec));
			memcpy(d->msix.pba, ck->pba[i], msix_pba_size(d->msix.nvec));
		}
		memcpy(d->reset_cfg, ck->reset_cfg[i], PCI_CFG_SPACE_EXP_SIZE);
		for (unsigned v = 0; v < d->msix.nvec; v++)
			if (d->msix.vec[v].iv.efd >= 0)
				pfd[n++] = (struct pollfd){.fd = d->msix.vec[v].iv.efd,
							   .events = POLLIN};
		for (unsigned v = 0; v < d->msi.nvec; v++)
			if (d->msi.vec[v].efd >= 0)
				pfd[n++] =
					(struct pollfd){.fd = d->msi.vec[v].efd, .events = POLLIN};
	}
	return fuzz_drain_eventfds(pfd, n);
}

#endif /* TESTS_FUZZ_PCI_FIXTURE_H */
