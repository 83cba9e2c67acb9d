/* SPDX-License-Identifier: MIT */
/* The invariant checks of tests/fuzz/fuzz_pci.c: BAR flags, sizes and
 * writes; MSI-X and MSI vectors (when each can fire and with what message,
 * pending bits settled, GSI routes and eventfd counts collected, messages
 * sent compared as a multiset); and INTx lines and STATUS.INTERRUPT. */
#ifndef TESTS_FUZZ_PCI_CHECKS_H
#define TESTS_FUZZ_PCI_CHECKS_H

#include "tests/fuzz/pci_expect.h"

/* ---- BARs ---- */

static uint32_t bar_flags(const struct pci_bar *b)
{
	switch (b->type) {
	case PCI_BAR_IO: return PCI_BASE_ADDRESS_SPACE_IO;
	case PCI_BAR_MEM64:
		return PCI_BASE_ADDRESS_MEM_TYPE_64 |
		       (b->prefetch ? PCI_BASE_ADDRESS_MEM_PREFETCH : 0);
	default: return b->prefetch ? PCI_BASE_ADDRESS_MEM_PREFETCH : 0;
	}
}

/* The writable bits of the dword of BAR register idx (0 if none). */
static uint32_t bar_wmask(const struct pci_dev *d, unsigned idx)
{
	const struct pci_bar *b = &d->bar[idx];

	if (idx && d->bar[idx - 1].type == PCI_BAR_MEM64)
		return (uint32_t)(~(d->bar[idx - 1].size - 1) >> 32);
	if (!b->size)
		return 0;
	if (b->type == PCI_BAR_IO)
		return (uint32_t) ~(b->size - 1) & 0xfffc;
	return (uint32_t) ~(b->size - 1) & 0xfffffff0u;
}

static void check_bars(struct pci_dev *d)
{
	uint16_t cmd = (uint16_t)cfg_raw(d, PCI_COMMAND, 2);

	for (unsigned i = 0; i < PCI_STD_NUM_BARS; i++) {
		const struct pci_bar *b = &d->bar[i];
		uint32_t lo = pci_config_read(d, PCI_BASE_ADDRESS_0 + 4 * i, 4);
		bool upper = i && d->bar[i - 1].type == PCI_BAR_MEM64;

		if (upper)
			continue; /* any value: the high dword */
		if (!b->size) {
			FUZZ_CHECK(lo == 0, "%s: unimplemented BAR%u reads %#x", d->name, i, lo);
			continue;
		}
		FUZZ_CHECK((lo & ~bar_wmask(d, i)) == bar_flags(b),
			   "%s: BAR%u reads %#x: type bits or alignment (size %#llx)", d->name, i,
			   lo, (unsigned long long)b->size);
		if (b->mapped) {
			FUZZ_CHECK(b->addr == pci_bar_addr(d, i) && b->addr,
				   "%s: BAR%u decodes at %#llx, programmed %#llx", d->name, i,
				   (unsigned long long)b->addr,
				   (unsigned long long)pci_bar_addr(d, i));
			FUZZ_CHECK(
				cmd & (b->type == PCI_BAR_IO ? PCI_COMMAND_IO : PCI_COMMAND_MEMORY),
				"%s: BAR%u decodes with its decode disabled", d->name, i);
		}
	}
}

/* A dword written over BAR register reg (whole) reads back masked. */
static void check_bar_write(struct pci_dev *d, unsigned reg, unsigned size, uint32_t val)
{
	unsigned idx = (reg - PCI_BASE_ADDRESS_0) / 4;
	uint32_t got, exp;

	if (size != 4 || reg < PCI_BASE_ADDRESS_0 || reg > PCI_BASE_ADDRESS_5 || (reg & 3))
		return;
	got = pci_config_read(d, reg, 4);
	exp = val & bar_wmask(d, idx);
	if (!(idx && d->bar[idx - 1].type == PCI_BAR_MEM64))
		exp |= d->bar[idx].size ? bar_flags(&d->bar[idx]) : 0;
	FUZZ_CHECK(got == exp, "%s: BAR%u written %#x reads %#x, not %#x", d->name, idx, val, got,
		   exp);
}

/* ---- MSI-X and MSI ---- */

static bool msix_fires(const struct pci_dev *d, unsigned v)
{
	uint16_t f = (uint16_t)cfg_raw(d, d->msix.cap + PCI_MSIX_FLAGS, 2);

	return (f & PCI_MSIX_FLAGS_ENABLE) && !(f & PCI_MSIX_FLAGS_MASKALL) &&
	       !(d->msix.vec[v].ctrl & PCI_MSIX_ENTRY_CTRL_MASKBIT);
}

static struct msi_msg msix_entry_msg(const struct pci_dev *d, unsigned v)
{
	const struct msix_vector *e = &d->msix.vec[v];

	return (struct msi_msg){(uint64_t)e->addr_hi << 32 | e->addr_lo, e->data};
}

static unsigned msi_used(const struct pci_dev *d)
{
	uint16_t f = (uint16_t)cfg_raw(d, d->msi.cap + PCI_MSI_FLAGS, 2);
	unsigned n = 1u << ((f & PCI_MSI_FLAGS_QSIZE) >> 4);

	if (!d->msi.nvec || !(f & PCI_MSI_FLAGS_ENABLE))
		return 0;
	return MIN(n, d->msi.nvec);
}

/* What the MSI capability's registers say, read once for all vectors. */
struct msi_view {
	unsigned used; /* vectors enabled */
	uint32_t mask;
	uint64_t addr;
	uint32_t data;
};

static struct msi_view msi_view(const struct pci_dev *d)
{
	unsigned c = d->msi.cap;

	return (struct msi_view){
		.used = msi_used(d),
		.mask = cfg_raw(d, c + PCI_MSI_MASK_64, 4),
		.addr = (uint64_t)cfg_raw(d, c + PCI_MSI_ADDRESS_HI, 4) << 32 |
			cfg_raw(d, c + PCI_MSI_ADDRESS_LO, 4),
		.data = cfg_raw(d, c + PCI_MSI_DATA_64, 2),
	};
}

static bool msi_view_fires(const struct msi_view *m, unsigned v)
{
	return v < m->used && !(m->mask & (1u << v));
}

static struct msi_msg msi_view_msg(const struct msi_view *m, unsigned v)
{
	unsigned n = m->used ? m->used : 1;

	return (struct msi_msg){m->addr, (m->data & ~(n - 1)) | v};
}

static bool msi_fires(const struct pci_dev *d, unsigned v)
{
	struct msi_view m = msi_view(d);

	return msi_view_fires(&m, v);
}

static struct msi_msg msi_vec_msg(const struct pci_dev *d, unsigned v)
{
	struct msi_view m = msi_view(d);

	return msi_view_msg(&m, v);
}

/* After an operation: pending vectors that can fire now were delivered. */
static void settle_pending(struct expect *e, struct pci_dev *d)
{
	struct msi_view m;

	for (unsigned v = 0; e->msix_pending && v < d->msix.nvec; v++)
		if ((e->msix_pending >> v & 1) && msix_fires(d, v)) {
			e->msix_pending &= ~(1ull << v);
			expect_msg(d, msix_entry_msg(d, v));
		}
	if (!e->msi_pending)
		return;
	m = msi_view(d);
	for (unsigned v = 0; v < d->msi.nvec; v++)
		if ((e->msi_pending >> v & 1) && msi_view_fires(&m, v)) {
			e->msi_pending &= ~(1u << v);
			expect_msg(d, msi_view_msg(&m, v));
		}
}

static bool refused(const struct msi_msg *m)
{
	return (m->data & 0xff) == PFX_REFUSED_LOW;
}

/* The routed vectors' eventfds of this operation, polled at once. */
static struct pollfd poll_efd[128];
static struct {
	const struct pci_dev *d;
	const struct pci_vector *iv;
} poll_vec[ARRAY_SIZE(poll_efd)];
static unsigned nr_poll;

static void collect_vector_fail(struct pci_dev *d, const struct pci_vector *iv, bool fires,
				struct msi_msg msg, const char *kind, unsigned v);

/* One vector in GSI mode (iv->efd >= 0): routed iff it can fire (and the
 * router took it), with its message; what its eventfd counted is
 * delivered (collect_counts). */
static void collect_vector(struct pci_dev *d, const struct pci_vector *iv, bool fires,
			   struct msi_msg msg, const char *kind, unsigned v)
{
	const struct pfx_route *r = &fx->route[iv->gsi];
	uint64_t bad = (uint64_t)(iv->routed ^ (fires & !refused(&msg)));

	/* All at once (few comparisons for the fuzzer to trace), one by one
	 * below, to report it, when one fails. */
	if (iv->routed)
		bad |= (uint64_t)!r->on | (r->msg.addr ^ msg.addr) | (r->msg.data ^ msg.data) |
		       (uint64_t)(r->rid ^ d->rid);
	else
		bad |= r->on;
	if (bad)
		collect_vector_fail(d, iv, fires, msg, kind, v);
	/* Only a routed vector's eventfd is written (vector.c): read no other. */
	if (iv->routed) {
		FUZZ_CHECK(nr_poll < ARRAY_SIZE(poll_efd), "too many routed vectors");
		poll_efd[nr_poll] = (struct pollfd){.fd = iv->efd, .events = POLLIN};
		poll_vec[nr_poll].d = d;
		poll_vec[nr_poll++].iv = iv;
	}
}

static void collect_vector_fail(struct pci_dev *d, const struct pci_vector *iv, bool fires,
				struct msi_msg msg, const char *kind, unsigned v)
{
	FUZZ_CHECK(iv->routed == (fires && !refused(&msg)), "%s %s %u: routed %d, can fire %d",
		   d->name, kind, v, iv->routed, fires);
	if (iv->routed) {
		const struct pfx_route *r = &fx->route[iv->gsi];

		FUZZ_CHECK(r->on && r->msg.addr == msg.addr && r->msg.data == msg.data &&
				   r->rid == d->rid,
			   "%s %s %u: route is not its message", d->name, kind, v);
	} else {
		FUZZ_CHECK(!fx->route[iv->gsi].on, "%s %s %u: a route left installed", d->name,
			   kind, v);
	}
	fuzz_fail("%s %s %u: routing differs", d->name, kind, v);
}

static void collect(struct pci_dev *d)
{
	struct msi_view m;

	for (unsigned v = 0; v < d->msix.nvec; v++)
		if (d->msix.vec[v].iv.efd >= 0)
			collect_vector(d, &d->msix.vec[v].iv, msix_fires(d, v),
				       msix_entry_msg(d, v), "MSI-X", v);
	if (!d->msi.nvec)
		return;
	m = msi_view(d);
	for (unsigned v = 0; v < d->msi.nvec; v++)
		if (d->msi.vec[v].efd >= 0)
			collect_vector(d, &d->msi.vec[v], msi_view_fires(&m, v),
				       msi_view_msg(&m, v), "MSI", v);
}

/* What the routed vectors' eventfds counted is delivered: one poll for
 * all of them, a read of each that has a count (a read of the others
 * would find 0). */
static void collect_counts(void)
{
	int ready = 0;

	while (nr_poll && (ready = poll(poll_efd, nr_poll, 0)) < 0)
		FUZZ_CHECK(errno == EINTR, "poll of the eventfds: %s", strerror(errno));
	for (unsigned i = 0; i < nr_poll && ready; i++) {
		uint64_t n = 0;

		if (!(poll_efd[i].revents & POLLIN))
			continue;
		ready--;
		if (read(poll_efd[i].fd, &n, sizeof(n)) == sizeof(n))
			for (uint64_t k = 0; k < n; k++)
				pfx_send(fx, &poll_vec[i].iv->rmsg, poll_vec[i].d->rid);
	}
	nr_poll = 0;
}

static bool sent_eq(const struct pfx_sent *a, const struct pfx_sent *b)
{
	return a->rid == b->rid && a->msg.addr == b->msg.addr && a->msg.data == b->msg.data;
}

static void check_sent(void)
{
	bool used[ARRAY_SIZE(want)] = {false};

	FUZZ_CHECK(!fx->sent_overflow, "too many messages");
	FUZZ_CHECK(fx->nr_sent == nr_want, "%u messages delivered, %u expected", fx->nr_sent,
		   nr_want);
	for (unsigned i = 0; i < fx->nr_sent; i++) {
		unsigned j = 0;

		while (j < nr_want && (used[j] || !sent_eq(&fx->sent[i], &want[j])))
			j++;
		FUZZ_CHECK(j < nr_want, "unexpected message %#llx/%#x from %#x",
			   (unsigned long long)fx->sent[i].msg.addr, fx->sent[i].msg.data,
			   fx->sent[i].rid);
		used[j] = true;
	}
}

static void check_vectors(struct expect *e, struct pci_dev *d)
{
	if (d->msix.nvec) {
		uint16_t f = (uint16_t)cfg_raw(d, d->msix.cap + PCI_MSIX_FLAGS, 2);
		const struct pci_bar *b = &d->bar[d->msix.pba_bar];

		FUZZ_CHECK(d->msix.enabled == !!(f & PCI_MSIX_FLAGS_ENABLE) &&
				   d->msix.masked == !!(f & PCI_MSIX_FLAGS_MASKALL),
			   "%s: MSI-X state is not its flags %#x", d->name, f);
		FUZZ_CHECK(d->msix.pba[0] == e->msix_pending, "%s: PBA %#llx, expected %#llx",
			   d->name, (unsigned long long)d->msix.pba[0],
			   (unsigned long long)e->msix_pending);
		if (b->mapped) {
			uint64_t v = 0;

			bus_read(&fx->mmio, b->addr + d->msix.pba_off, 8, &v);
			FUZZ_CHECK(v == e->msix_pending, "%s: PBA reads %#llx, expected %#llx",
				   d->name, (unsigned long long)v,
				   (unsigned long long)e->msix_pending);
		}
	}
	if (d->msi.nvec)
		FUZZ_CHECK(cfg_raw(d, d->msi.cap + PCI_MSI_PENDING_64, 4) == e->msi_pending,
			   "%s: MSI pending %#x, expected %#x", d->name,
			   cfg_raw(d, d->msi.cap + PCI_MSI_PENDING_64, 4), e->msi_pending);
}

static void check_intx(struct pci_dev *d)
{
	unsigned pin = d->cfg[PCI_INTERRUPT_PIN];
	bool level = d->intx_level;
	uint16_t cmd = (uint16_t)cfg_raw(d, PCI_COMMAND, 2);

	FUZZ_CHECK(!!(cfg_raw(d, PCI_STATUS, 2) & PCI_STATUS_INTERRUPT) == level,
		   "%s: STATUS.INTERRUPT is not the level", d->name);
	if (!pin)
		return;
	FUZZ_CHECK(fx->intx[pci_intx_gsi(PFX_SLOT(d->devfn), pin - 1)] ==
			   (level && !(cmd & PCI_COMMAND_INTX_DISABLE)),
		   "%s: INTx line does not follow level and INTX_DISABLE", d->name);
}

#endif /* TESTS_FUZZ_PCI_CHECKS_H */
