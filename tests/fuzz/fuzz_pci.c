// SPDX-License-Identifier: MIT
/* PCI config space, ECAM, 0xcf8/0xcfc, BARs, MSI and MSI-X (devices/pci/,
 * devices/pci_conf1.c) as a fuzz target, over the bus of
 * tests/fuzz/pci_fixture.h (host bridge and three functions).
 *
 * Input: at most 2048 bytes. Byte 0, bit 0: vectors get GSIs and eventfds
 * routed through the fake router (else every message goes to the fake
 * msi_sink). Then operations until the input ends, each an opcode byte
 * (modulo 12) and its arguments:
 *   0 flags u8, slot u8, reg u8, bus u8
 *                 latch CONFIG_ADDRESS at 0xcf8: enable = flags bit 0,
 *                 low bits 1:0 = flags bits 2:1, bus = bus if flags bit 3
 *   1 port u8, size u8, w u8, val u32
 *                 any access at 0xcf8 + port % 8 of size 1/2/4
 *   2 slot u8, reg u16, size u8, w u8, val u64
 *                 ECAM access of size 1/2/4/8 at slot's function 0 + reg
 *                 % 4096 (misaligned ones too)
 *   3 dev u8, bar u8, off u16, size u8, w u8, val u64
 *                 access to a BAR where it is programmed (MSI-X table and
 *                 PBA included)
 *   4 dev u8, vec u8, field u8, val u32
 *                 MSI-X table entry write (dword) through the table's BAR
 *   5 dev u8, vec u8   msix_notify      6 dev u8, vec u8   msi_notify
 *   7 dev u8, level u8 pci_set_intx     8 dev u8           pci_dev_reset
 *   9 dev u8, which u8, val u32
 *                 config write (ECAM) of a register that matters: COMMAND,
 *                 a BAR, MSI-X flags, MSI flags/address/data/mask
 *  10 dev u8, reg u16, size u8, w u8, val u32
 *                 pci_config_read/write with any offset and size
 *  11 dev u8, which u8
 *                 BAR sizing: all ones, read back, restore
 *
 * Invariants, after every operation:
 *  - read-only fields never change: IDs, class and revision, header type,
 *    subsystem IDs, interrupt pin, the capability pointer, every
 *    capability's ID and next pointer, MSI-X table size, BIR and offsets,
 *    MSI's capability bits;
 *  - a BAR reads back with its type bits and its address aligned to its
 *    size; a dword written to it reads back as the value masked by its size;
 *    a BAR that decodes does so at its programmed address, with its decode
 *    enable set;
 *  - MSI-X: the enable and function mask applied are the flags register's;
 *    a masked vector (or function) never delivers, its msix_notify sets
 *    its pending bit (in the PBA read through the BAR too) and returns 1;
 *    once the vector can fire the pending message is delivered exactly once
 *    and the bit cleared; a vector that can fire delivers its entry's
 *    message once per msix_notify; disabled MSI-X delivers nothing;
 *  - MSI: only an enabled vector (below 2^MME) delivers, with the
 *    programmed address and the data's low bits replaced by the vector;
 *    masked vectors go pending (the Pending register) and deliver once when
 *    unmasked; disabled MSI delivers nothing;
 *  - in GSI mode a vector is routed exactly when it can fire (and the
 *    router accepts its message), with its message and requester ID;
 *  - INTx: the line is the level unless COMMAND.INTX_DISABLE;
 *    STATUS.INTERRUPT is the level;
 *  - no config access outside 4096 bytes (or of a bad size or alignment)
 *    is served: reads are all ones, writes change nothing; absent functions
 *    read all ones.
 *
 * Every input starts from the state pfx_setup() leaves: the first input of
 * each mode sets the fixture up and saves it (pfx_save), later ones restore
 * that copy (pfx_restore: every byte the model holds, its eventfds emptied)
 * instead of allocating it and opening 47 eventfds again. An input whose
 * size is a multiple of TEARDOWN_EVERY also frees the fixture at its end
 * (pfx_teardown, from whatever state it left: those paths stay fuzzed); the
 * next input of its mode sets up anew. Either way an input runs the same
 * alone as in a run. */
#include <poll.h>
#include <sys/eventfd.h>

#include "tests/fuzz/fuzz.h"
#include "tests/fuzz/pci_fixture.h"

#define MAX_INPUT      2048
#define TEARDOWN_EVERY 16	      /* input sizes that free the fixture at their end */
#define NSLOTS	       (PFX_DEVS + 2) /* host bridge, the devices, an absent slot */

/* One fixture for each mode (with GSIs or not), set up for the first input
 * of that mode and saved; every later input starts from the saved state
 * (pfx_restore). fx is the one this input uses. */
static struct pfx fxs[2], *fx;
static struct pfx_ckpt ckpt[2];
static bool fx_ready[2];

/* What the target expects of each device. */
struct expect {
	uint8_t ro[PCI_CFG_SPACE_SIZE]; /* snapshot of read-only bytes */
	uint8_t ro_mask[PCI_CFG_SPACE_SIZE];
	uint8_t ro_q[PCI_CFG_SPACE_SIZE / 8]; /* the qwords with ro_mask != 0 */
	unsigned nr_q;
	uint64_t msix_pending;
	uint32_t msi_pending;
};
static struct expect ex[PFX_DEVS];
static struct expect ex_ckpt[2][PFX_DEVS]; /* right after set-up, for each mode */

/* Messages expected in one operation (compared as a multiset). */
static struct pfx_sent want[512];
static unsigned nr_want;

static void expect_msg(const struct pci_dev *d, struct msi_msg m)
{
	FUZZ_CHECK(nr_want < ARRAY_SIZE(want), "too many expected messages");
	want[nr_want++] = (struct pfx_sent){m, d->rid};
}

/* Config bytes as a little-endian number (x86: a copy). */
static uint32_t cfg_raw(const struct pci_dev *d, unsigned reg, unsigned size)
{
	uint32_t v = 0;

	memcpy(&v, &d->cfg[reg], size);
	return v;
}

static void ro_set(struct expect *e, const struct pci_dev *d, unsigned reg, unsigned size,
		   uint32_t mask)
{
	for (unsigned i = 0; i < size; i++) {
		e->ro_mask[reg + i] |= (uint8_t)(mask >> (8 * i));
		e->ro[reg + i] = d->cfg[reg + i];
	}
}

/* Record the read-only fields of d as they are after pci_bus_add. */
static void snapshot(struct expect *e, struct pci_dev *d)
{
	unsigned pos;

	memset(e, 0, sizeof(*e));
	ro_set(e, d, PCI_VENDOR_ID, 4, ~0u);
	ro_set(e, d, PCI_CLASS_REVISION, 4, ~0u);
	ro_set(e, d, PCI_HEADER_TYPE, 1, 0xff);
	ro_set(e, d, PCI_SUBSYSTEM_VENDOR_ID, 4, ~0u);
	ro_set(e, d, PCI_INTERRUPT_PIN, 1, 0xff);
	ro_set(e, d, PCI_CAPABILITY_LIST, 1, 0xff);
	ro_set(e, d, PCI_STATUS, 1, PCI_STATUS_CAP_LIST);
	pos = d->cfg[PCI_CAPABILITY_LIST];
	for (unsigned n = 0; pos && n < 48; n++, pos = d->cfg[pos + 1])
		ro_set(e, d, pos, 2, 0xffff);
	if (d->msix.nvec) {
		ro_set(e, d, d->msix.cap + PCI_MSIX_FLAGS, 2, PCI_MSIX_FLAGS_QSIZE);
		ro_set(e, d, d->msix.cap + PCI_MSIX_TABLE, 4, ~0u);
		ro_set(e, d, d->msix.cap + PCI_MSIX_PBA, 4, ~0u);
	}
	if (d->msi.nvec)
		ro_set(e, d, d->msi.cap + PCI_MSI_FLAGS, 2,
		       PCI_MSI_FLAGS_64BIT | PCI_MSI_FLAGS_MASKBIT | PCI_MSI_FLAGS_QMASK);
	for (unsigned q = 0; q < PCI_CFG_SPACE_SIZE / 8; q++) {
		uint64_t m;

		memcpy(&m, &e->ro_mask[8 * q], 8);
		if (m)
			e->ro_q[e->nr_q++] = (uint8_t)q;
	}
}

static void check_ro(const struct expect *e, const struct pci_dev *d)
{
	uint64_t bad = 0;

	/* A qword at a time, only those with read-only bits (the others cannot
	 * fail); byte by byte, to report it, when one changed. */
	for (unsigned i = 0; i < e->nr_q; i++) {
		unsigned q = 8 * e->ro_q[i];
		uint64_t now, ro, mask;

		memcpy(&now, &d->cfg[q], 8);
		memcpy(&ro, &e->ro[q], 8);
		memcpy(&mask, &e->ro_mask[q], 8);
		bad |= (now ^ ro) & mask;
	}
	for (unsigned r = 0; bad && r < PCI_CFG_SPACE_SIZE; r++)
		FUZZ_CHECK(!((d->cfg[r] ^ e->ro[r]) & e->ro_mask[r]),
			   "%s: read-only byte %#x is %#x, was %#x (mask %#x)", d->name, r,
			   d->cfg[r], e->ro[r], e->ro_mask[r]);
	/* Through the guest's path, the IDs too. */
	FUZZ_CHECK(pci_config_read((struct pci_dev *)d, PCI_VENDOR_ID, 4) ==
			   cfg_raw(d, PCI_VENDOR_ID, 4),
		   "%s: IDs read differently", d->name);
}

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

/* ---- operations ---- */

static uint16_t slot_bdf(uint8_t s)
{
	return PCI_DEVFN(s % NSLOTS, 0);
}

static struct pci_dev *pick(uint8_t i)
{
	return &fx->dev[i % PFX_DEVS];
}

/* A guest config write reached dev d (or the bus): what it implies. */
static void after_cfg_write(uint16_t bdf, unsigned reg, unsigned size, uint32_t val)
{
	unsigned s = PFX_SLOT(bdf);

	if (bdf >> 8 || (bdf & 7) || s < 1 || s > PFX_DEVS)
		return;
	check_bar_write(&fx->dev[s - 1], reg, size, val);
}

static void op_conf1_latch(struct fuzz_in *in)
{
	uint8_t flags = fuzz_u8(in), slot = fuzz_u8(in), reg = fuzz_u8(in), bus = fuzz_u8(in);
	uint32_t a = (flags & 1u) << 31 | (flags & 8 ? bus : 0u) << 16 |
		     (uint32_t)slot_bdf(slot) << 8 | (reg & 0xfcu) | ((flags >> 1) & 3u);
	uint64_t v = 0;

	bus_write(&fx->pio, PORT_PCI_CONF, 4, a);
	bus_read(&fx->pio, PORT_PCI_CONF, 4, &v);
	FUZZ_CHECK(v == a, "CONFIG_ADDRESS reads %#llx after %#x", (unsigned long long)v, a);
}

static void op_conf1_access(struct fuzz_in *in)
{
	static const unsigned sizes[] = {1, 2, 4};
	unsigned port = fuzz_u8(in) % 8, size = sizes[fuzz_u8(in) % 3];
	bool w = fuzz_bool(in);
	uint32_t val = fuzz_u32(in), a = fx->conf1.addr;
	unsigned byte = port - 4, reg = (a & 0xff) | byte;
	uint16_t bdf = (uint16_t)(a >> 8);
	uint64_t v = 0;

	if (w) {
		bus_write(&fx->pio, PORT_PCI_CONF + port, size, val);
		if (port >= 4 && (a >> 31) && !(byte & (size - 1)) && byte + size <= 4)
			after_cfg_write(bdf, reg, size, val);
		return;
	}
	bus_read(&fx->pio, PORT_PCI_CONF + port, size, &v);
	if (port < 4 || !(a >> 31) || (byte & (size - 1)) || byte + size > 4 || (reg & (size - 1)))
		return; /* refused somewhere: all ones (checked for ECAM) */
	/* Mechanism #1 and ECAM agree. */
	FUZZ_CHECK((uint32_t)v == pci_bus_config_read(fx->pbus, bdf, (uint16_t)reg, size),
		   "0xcfc read of %u at %#x/%#x differs from the bus", size, bdf, reg);
}

static void op_ecam(struct fuzz_in *in)
{
	static const unsigned sizes[] = {1, 2, 4, 8};
	uint16_t bdf = slot_bdf(fuzz_u8(in));
	unsigned reg = fuzz_u16(in) % PCI_CFG_SPACE_EXP_SIZE, size = sizes[fuzz_u8(in) % 4];
	bool w = fuzz_bool(in);
	uint64_t val = fuzz_u64(in), v = 0;
	uint64_t at = LAYOUT_PCI_ECAM + ((uint64_t)bdf << 12) + reg;

	if (w) {
		bus_write(&fx->mmio, at, size, val);
		if (!(reg & (size - 1)))
			for (unsigned k = 0; k < size; k += 4)
				after_cfg_write(bdf, reg + k, MIN(size, 4),
						(uint32_t)(val >> 8 * k));
		return;
	}
	bus_read(&fx->mmio, at, size, &v);
	if ((reg & (size - 1)) || PFX_SLOT(bdf) > PFX_DEVS)
		FUZZ_CHECK(v == (size == 8 ? ~0ull : (1ull << 8 * size) - 1),
			   "refused ECAM read of %u at %#x/%#x: %#llx", size, bdf, reg,
			   (unsigned long long)v);
}

static void op_bar(struct fuzz_in *in)
{
	static const unsigned sizes[] = {1, 2, 4, 8};
	struct pci_dev *d = pick(fuzz_u8(in));
	const struct pci_bar *b = &d->bar[fuzz_u8(in) % PCI_STD_NUM_BARS];
	uint64_t off = fuzz_u16(in), val, v;
	unsigned size = sizes[fuzz_u8(in) % 4];
	bool w = fuzz_bool(in);
	struct bus *bus = b->type == PCI_BAR_IO ? &fx->pio : &fx->mmio;

	val = fuzz_u64(in);
	if (!b->size)
		return;
	off %= b->size;
	if (b->type == PCI_BAR_IO && size == 8)
		size = 4;
	if (w)
		bus_write(bus, pci_bar_addr(d, b->idx) + off, size, val);
	else
		bus_read(bus, pci_bar_addr(d, b->idx) + off, size, &v);
}

static void op_table(struct fuzz_in *in)
{
	struct pci_dev *d = pick(fuzz_u8(in));
	unsigned vec = fuzz_u8(in), field = (fuzz_u8(in) % 4) * 4;
	uint32_t val = fuzz_u32(in);
	const struct pci_bar *b;

	if (!d->msix.nvec)
		return;
	vec %= d->msix.nvec;
	b = &d->bar[d->msix.table_bar];
	if (b->mapped)
		bus_write(&fx->mmio, b->addr + d->msix.table_off + vec * 16 + field, 4, val);
}

static void op_msix_notify(struct fuzz_in *in)
{
	struct pci_dev *d = pick(fuzz_u8(in));
	struct expect *e = &ex[d - fx->dev];
	unsigned vec = fuzz_u8(in) % 9;
	bool en = d->msix.nvec &&
		  (cfg_raw(d, d->msix.cap + PCI_MSIX_FLAGS, 2) & PCI_MSIX_FLAGS_ENABLE);
	int want_ret = vec >= d->msix.nvec ? -EINVAL : !en ? -ENODEV : msix_fires(d, vec) ? 0 : 1;
	int ret = msix_notify(d, vec);

	FUZZ_CHECK(ret == want_ret, "%s: msix_notify(%u) = %d, expected %d", d->name, vec, ret,
		   want_ret);
	if (ret == 1)
		e->msix_pending |= 1ull << vec;
	else if (ret == 0)
		expect_msg(d, msix_entry_msg(d, vec));
}

static void op_msi_notify(struct fuzz_in *in)
{
	struct pci_dev *d = pick(fuzz_u8(in));
	struct expect *e = &ex[d - fx->dev];
	unsigned vec = fuzz_u8(in) % 33, n = msi_used(d);
	int want_ret = !n ? -ENODEV : vec >= n ? -EINVAL : msi_fires(d, vec) ? 0 : 1;
	int ret = msi_notify(d, vec);

	FUZZ_CHECK(ret == want_ret, "%s: msi_notify(%u) = %d, expected %d", d->name, vec, ret,
		   want_ret);
	if (ret == 1)
		e->msi_pending |= 1u << vec;
	else if (ret == 0)
		expect_msg(d, msi_vec_msg(d, vec));
}

static void op_reg_write(struct fuzz_in *in)
{
	struct pci_dev *d = pick(fuzz_u8(in));
	unsigned which = fuzz_u8(in) % 12, reg, size = 4;
	uint32_t val = fuzz_u32(in);

	switch (which) {
	case 0: reg = PCI_COMMAND, size = 2; break;
	case 1 ... 6: reg = PCI_BASE_ADDRESS_0 + 4 * (which - 1); break;
	case 7:
		if (!d->msix.nvec)
			return;
		reg = d->msix.cap + PCI_MSIX_FLAGS, size = 2;
		break;
	default:
		if (!d->msi.nvec)
			return;
		reg = d->msi.cap + (unsigned[]){PCI_MSI_FLAGS, PCI_MSI_ADDRESS_LO, PCI_MSI_DATA_64,
						PCI_MSI_MASK_64}[which - 8];
		size = which == 8 || which == 10 ? 2 : 4;
	}
	bus_write(&fx->mmio, LAYOUT_PCI_ECAM + ((uint64_t)d->devfn << 12) + reg, size, val);
	check_bar_write(d, reg, size, val);
}

static void op_direct(struct fuzz_in *in)
{
	static uint8_t before[PCI_CFG_SPACE_EXP_SIZE];
	struct pci_dev *d = pick(fuzz_u8(in));
	unsigned reg = fuzz_u16(in), size = fuzz_u8(in) % 9;
	bool w = fuzz_bool(in);
	uint32_t val = fuzz_u32(in);
	bool ok = (size == 1 || size == 2 || size == 4) && !(reg & (size - 1)) &&
		  reg + size <= PCI_CFG_SPACE_EXP_SIZE;

	if (w) {
		memcpy(before, d->cfg, sizeof(before));
		pci_config_write(d, (uint16_t)reg, size, val);
		FUZZ_CHECK(ok || !memcmp(before, d->cfg, sizeof(before)),
			   "%s: refused write of %u at %#x changed config space", d->name, size,
			   reg);
		if (ok)
			check_bar_write(d, reg, size, val);
		return;
	}
	FUZZ_CHECK(ok || pci_config_read(d, (uint16_t)reg, size) ==
				   (size == 1 || size == 2 ? (1u << 8 * size) - 1 : ~0u),
		   "%s: refused read of %u at %#x served", d->name, size, reg);
	if (!ok)
		(void)pci_config_get(d, (uint16_t)reg, size);
}

static void op_sizing(struct fuzz_in *in)
{
	struct pci_dev *d = pick(fuzz_u8(in));
	unsigned idx = fuzz_u8(in) % PCI_STD_NUM_BARS, reg = PCI_BASE_ADDRESS_0 + 4 * idx;
	uint32_t old = pci_config_read(d, reg, 4);
	uint64_t at = LAYOUT_PCI_ECAM + ((uint64_t)d->devfn << 12) + reg;

	bus_write(&fx->mmio, at, 4, 0xffffffff);
	check_bar_write(d, reg, 4, 0xffffffff);
	bus_write(&fx->mmio, at, 4, old);
	check_bar_write(d, reg, 4, old);
}

static void one_op(struct fuzz_in *in)
{
	uint8_t op = fuzz_u8(in) % 12;
	struct pci_dev *d;

	fx->nr_sent = 0;
	nr_want = 0;
	switch (op) {
	case 0: op_conf1_latch(in); break;
	case 1: op_conf1_access(in); break;
	case 2: op_ecam(in); break;
	case 3: op_bar(in); break;
	case 4: op_table(in); break;
	case 5: op_msix_notify(in); break;
	case 6: op_msi_notify(in); break;
	case 7:
		d = pick(fuzz_u8(in));
		pci_set_intx(d, fuzz_u8(in) & 1);
		break;
	case 8:
		d = pick(fuzz_u8(in));
		pci_dev_reset(d);
		ex[d - fx->dev].msix_pending = 0;
		ex[d - fx->dev].msi_pending = 0;
		break;
	case 9: op_reg_write(in); break;
	case 10: op_direct(in); break;
	default: op_sizing(in); break;
	}
	for (unsigned i = 0; i < PFX_DEVS; i++) {
		settle_pending(&ex[i], &fx->dev[i]);
		collect(&fx->dev[i]);
	}
	collect_counts();
	check_sent();
	for (unsigned i = 0; i < PFX_DEVS; i++) {
		check_ro(&ex[i], &fx->dev[i]);
		check_bars(&fx->dev[i]);
		check_vectors(&ex[i], &fx->dev[i]);
		check_intx(&fx->dev[i]);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = fuzz_in(data, size);
	unsigned mode;

	if (size > MAX_INPUT)
		return -1;
	mode = fuzz_u8(&in) & 1;
	fx = &fxs[mode];
	if (!fx_ready[mode]) {
		if (pfx_setup(fx, mode) || pfx_save(fx, &ckpt[mode]))
			fuzz_fail("the fixture cannot be set up");
		for (unsigned i = 0; i < PFX_DEVS; i++)
			snapshot(&ex_ckpt[mode][i], &fx->dev[i]);
		fx_ready[mode] = true;
	} else if (pfx_restore(fx, &ckpt[mode])) {
		fuzz_fail("the fixture cannot be restored: %s", strerror(errno));
	}
	memcpy(ex, ex_ckpt[mode], sizeof(ex));
	while (!in.done)
		one_op(&in);
	if (size % TEARDOWN_EVERY == 0) {
		pfx_teardown(fx);
		fx_ready[mode] = false;
	}
	return 0;
}
