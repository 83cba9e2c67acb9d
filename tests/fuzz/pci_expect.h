/* SPDX-License-Identifier: MIT */
/* What tests/fuzz/fuzz_pci.c expects of each device: its limits, the
 * fixtures (one per mode) with their saved copies, a snapshot of the
 * read-only config bytes and the pending vectors, the messages expected in
 * one operation, and the check of the read-only bytes. */
#ifndef TESTS_FUZZ_PCI_EXPECT_H
#define TESTS_FUZZ_PCI_EXPECT_H

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

#endif /* TESTS_FUZZ_PCI_EXPECT_H */
