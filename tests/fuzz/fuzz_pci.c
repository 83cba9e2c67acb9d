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
#include "tests/fuzz/fuzz.h"
#include "tests/fuzz/pci_checks.h"
#include "tests/fuzz/pci_expect.h"
#include "tests/fuzz/pci_fixture.h"

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
