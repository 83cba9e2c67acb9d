// SPDX-License-Identifier: MIT
/* A VFIO function's config space (devices/vfio/pci.c, irq.c, bar.c over the
 * PCI core) as a fuzz target, against the fake device of
 * tests/fuzz/vfio_fixture.h (a memfd as the device's regions).
 *
 * Input: at most 4096 bytes. Byte 0: bits 1:0 pick the device's PCIe
 * capability (version 1 or 2, endpoint or root complex integrated
 * endpoint), bit 2 clears DEVCAP.FLR. Then operations until the input
 * ends, each an opcode byte (modulo 6) and its arguments:
 *   0 reg u16, size u8, val u32   config write of size 1/2/4 at reg % 4096
 *   1 reg u16, size u8            config read (checked, see below)
 *   2 which u8, val u32           a register that matters: COMMAND, a BAR,
 *                                 MSI-X flags, MSI flags/address/data/mask,
 *                                 DEVCTL (FLR bit), a dword of the PCIe
 *                                 window
 *   3 vec u8                      the device raises MSI-X (or MSI) vector
 *                                 vec: its eventfd is written
 *   4 bar u8, off u16, size u8, w u8, val u32
 *                                 access to a BAR where it decodes
 *   5 which u8                    BAR sizing (all ones, read, restore)
 *
 * Invariants, after every operation:
 *  - every byte of a config read is, by the contract of vfio_pci.h: inside
 *    the PCIe window (the device's capability body, as long as its version
 *    and type make it) the device's byte; elsewhere the emulated byte (the
 *    MSI Pending register ORed with what the device holds); past the last
 *    emulated capability, and in the extended space, zero;
 *  - the device's COMMAND has the emulated COMMAND's forwarded bits (I/O,
 *    memory, bus master, parity, SERR), and its other bits untouched;
 *  - a dword written to a BAR reads back masked by the BAR's size, with the
 *    type bits;
 *  - the device never receives a write the filter drops: its config space
 *    changes only in COMMAND and in the PCIe window, the window only by a
 *    guest write that covers those bytes (which then hold the written
 *    value), and DEVCTL's FLR bit never reaches it; the MSI-X table and
 *    PBA in its BAR 0 are never written;
 *  - a guest FLR resets the device (through VFIO) exactly when DEVCAP says
 *    it has FLR;
 *  - MSI-X is on at VFIO exactly when the guest has enabled it, and MSI
 *    with the count the guest enabled (when MSI-X is off).
 *
 * Every input starts from the state vfx_setup() leaves: the first input of
 * each set-up (byte 0, bits 2:0) sets the fixture up and saves it
 * (vfx_save), later ones restore that copy (vfx_restore: every byte the
 * model holds, the fake device's changed pages, its eventfds emptied)
 * instead of creating the memfd, the function and its eventfds again. An
 * input whose size is a multiple of TEARDOWN_EVERY also frees the fixture
 * at its end (vfx_teardown, from whatever state it left: those paths stay
 * fuzzed); the next input of its set-up sets up anew. Either way an input
 * runs the same alone as in a run. */
#include <errno.h>
#include <sys/eventfd.h>

#include "tests/fuzz/fuzz.h"
#include "tests/fuzz/vfio_fixture.h"

#define MAX_INPUT      4096
#define TEARDOWN_EVERY 16 /* input sizes that free the fixture at their end */
#define CMD_FWD                                                                                    \
	(PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER | PCI_COMMAND_PARITY |           \
	 PCI_COMMAND_SERR)

/* One fixture for each set-up (byte 0, bits 2:0), set up for the first
 * input that picks it and saved; every later input starts from the saved
 * state (vfx_restore). fx is the one this input uses. */
static struct vfx fxs[8], *fx;
static struct vfx_ckpt ckpt[8];
static bool fx_ready[8];
static uint8_t shadow[PCI_CFG_SPACE_EXP_SIZE];	/* the device's config, as last checked */
static uint8_t tbl_shadow[0x2000];		/* its BAR 0 MSI-X table and PBA pages */
static uint8_t written[PCI_CFG_SPACE_EXP_SIZE]; /* bytes the last op wrote: 1 + value */
static bool written_on[PCI_CFG_SPACE_EXP_SIZE];
static unsigned resets_expected;

/* The PCIe window in emulated offsets: [lo, hi), or lo == hi. */
static void window(unsigned *lo, unsigned *hi)
{
	*lo = *hi = 0;
	if (!fx->vp->pcie_phys)
		return;
	*lo = fx->vp->pci.pcie_cap + 2;
	*hi = fx->vp->pci.pcie_cap + fx->vp->pcie_len;
}

static unsigned phys_of(unsigned emu)
{
	return fx->vp->pcie_phys + (emu - fx->vp->pci.pcie_cap);
}

/* What byte reg of config space must read. */
static int expected_byte(unsigned reg, uint8_t *b)
{
	const struct pci_dev *d = &fx->vp->pci;
	unsigned lo, hi, pend = d->msi.cap + PCI_MSI_PENDING_64;

	window(&lo, &hi);
	if (reg >= lo && reg < hi) {
		*b = shadow[phys_of(reg)];
		return 0;
	}
	if (d->msi.nvec && reg >= pend && reg < pend + 4)
		return -1; /* ORed with the device's pending interrupts */
	*b = d->cfg[reg];
	if (reg >= ALIGN_UP(d->cap_end, 4))
		FUZZ_CHECK(*b == 0, "emulated byte %#x past the capabilities is %#x", reg, *b);
	return 0;
}

static void check_read(unsigned reg, unsigned size, uint32_t v)
{
	if ((size != 1 && size != 2 && size != 4) || (reg & (size - 1)) ||
	    reg + size > PCI_CFG_SPACE_EXP_SIZE) {
		FUZZ_CHECK(v == (size == 1 || size == 2 ? (1u << 8 * size) - 1 : ~0u),
			   "refused read of %u at %#x: %#x", size, reg, v);
		return;
	}
	for (unsigned i = 0; i < size; i++) {
		uint8_t b, got = (uint8_t)(v >> 8 * i);

		if (expected_byte(reg + i, &b) == 0)
			FUZZ_CHECK(got == b, "byte %#x of a read of %u at %#x: %#x, expected %#x",
				   reg + i, size, reg, got, b);
	}
}

static uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

/* Device config byte r against the shadow and what the op wrote. */
static void check_device_byte(const uint8_t *now, unsigned r, unsigned lo, unsigned hi)
{
	const struct pci_dev *d = &fx->vp->pci;
	unsigned devctl = fx->vp->pcie_phys + PCI_EXP_DEVCTL;
	bool in_win = lo < hi && r >= phys_of(lo) && r < phys_of(hi);

	if (r == PCI_COMMAND || r == PCI_COMMAND + 1)
		return;
	if (in_win && written_on[d->pcie_cap + (r - fx->vp->pcie_phys)]) {
		uint8_t w = written[d->pcie_cap + (r - fx->vp->pcie_phys)];

		if (r == devctl + 1)
			w &= 0x7f; /* BCR_FLR never reaches it */
		FUZZ_CHECK(now[r] == w, "device byte %#x is %#x, the guest wrote %#x", r, now[r],
			   w);
		return;
	}
	FUZZ_CHECK(now[r] == shadow[r], "device byte %#x changed: %#x -> %#x (%s)", r, shadow[r],
		   now[r], in_win ? "window, not written" : "filtered");
}

/* The device's config space against the shadow and what the op wrote. */
static void check_device(void)
{
	const uint8_t *now = fx->map + VFX_CFG_OFF, *tbl = fx->map + VFX_BAR0_OFF + 0x2000;
	const struct pci_dev *d = &fx->vp->pci;
	unsigned lo, hi, plo, phi, devctl = fx->vp->pcie_phys + PCI_EXP_DEVCTL;
	uint16_t emu = le16(&d->cfg[PCI_COMMAND]), hw;

	window(&lo, &hi);
	hw = le16(&now[PCI_COMMAND]);
	FUZZ_CHECK((hw & CMD_FWD) == (emu & CMD_FWD),
		   "COMMAND: device %#x, emulated %#x (forwarded bits differ)", hw, emu);
	FUZZ_CHECK((hw & ~CMD_FWD) == (le16(&shadow[PCI_COMMAND]) & ~CMD_FWD),
		   "COMMAND: device bits that are not forwarded changed: %#x", hw);
	/* Byte by byte (check_device_byte) only in the window, where the op
	 * may have written; the rest must be the shadow: compared at once, and
	 * byte by byte (to report the byte) only if it is not. */
	plo = lo < hi ? phys_of(lo) : PCI_COMMAND + 2;
	phi = lo < hi ? phys_of(hi) : PCI_COMMAND + 2;
	if (plo < PCI_COMMAND + 2 || phi > PCI_CFG_SPACE_EXP_SIZE ||
	    memcmp(now, shadow, PCI_COMMAND) ||
	    memcmp(now + PCI_COMMAND + 2, shadow + PCI_COMMAND + 2, plo - (PCI_COMMAND + 2)) ||
	    memcmp(now + phi, shadow + phi, PCI_CFG_SPACE_EXP_SIZE - phi))
		for (unsigned r = 0; r < PCI_CFG_SPACE_EXP_SIZE; r++)
			check_device_byte(now, r, lo, hi);
	else
		for (unsigned r = plo; r < phi; r++)
			check_device_byte(now, r, lo, hi);
	if (fx->vp->pcie_phys)
		FUZZ_CHECK(!(now[devctl + 1] & 0x80), "the FLR bit reached the device");
	memcpy(shadow, now, sizeof(shadow));
	/* The table and the PBA themselves (the rest of their pages is the
	 * device's, as with QEMU and the kernel's vfio-pci). */
	FUZZ_CHECK(!memcmp(tbl, tbl_shadow, VFX_NVEC * PCI_MSIX_ENTRY_SIZE) &&
			   !memcmp(tbl + 0x1000, tbl_shadow + 0x1000, 8),
		   "the device's MSI-X table or PBA was written");
	FUZZ_CHECK(fx->nr_resets == resets_expected, "%u resets, %u expected", fx->nr_resets,
		   resets_expected);
}

static void check_irqs(void)
{
	struct pci_dev *d = &fx->vp->pci;
	bool msix = d->msix.enabled;
	uint16_t f = le16(&d->cfg[d->msi.cap + PCI_MSI_FLAGS]);
	unsigned n = MIN(1u << ((f & PCI_MSI_FLAGS_QSIZE) >> 4), d->msi.nvec);

	if (!(f & PCI_MSI_FLAGS_ENABLE) || msix)
		n = 0;
	FUZZ_CHECK(fx->vp->msix_on == msix, "MSI-X at VFIO %d, guest %d", fx->vp->msix_on, msix);
	FUZZ_CHECK((fx->vp->msi_on ? fx->vp->msi_count : 0) == n, "MSI at VFIO: %u vectors, not %u",
		   fx->vp->msi_on ? fx->vp->msi_count : 0, n);
}

static void check_bar_write(unsigned reg, unsigned size, uint32_t val)
{
	const struct pci_dev *d = &fx->vp->pci;
	unsigned idx = (reg - PCI_BASE_ADDRESS_0) / 4;
	uint32_t got, exp, flags;

	if (size != 4 || reg < PCI_BASE_ADDRESS_0 || reg > PCI_BASE_ADDRESS_5)
		return;
	got = vfx_cfg_rd(fx, reg, 4);
	if (idx && d->bar[idx - 1].type == PCI_BAR_MEM64) {
		exp = val & (uint32_t)(~(d->bar[idx - 1].size - 1) >> 32);
	} else if (!d->bar[idx].size) {
		exp = 0;
	} else {
		const struct pci_bar *b = &d->bar[idx];

		flags = b->type == PCI_BAR_IO	   ? PCI_BASE_ADDRESS_SPACE_IO
			: b->type == PCI_BAR_MEM64 ? PCI_BASE_ADDRESS_MEM_TYPE_64
						   : 0;
		if (b->prefetch)
			flags |= PCI_BASE_ADDRESS_MEM_PREFETCH;
		exp = (val & (uint32_t) ~(b->size - 1) & (b->type == PCI_BAR_IO ? 0xfffc : ~0xfu)) |
		      flags;
	}
	FUZZ_CHECK(got == exp, "BAR%u written %#x reads %#x, not %#x", idx, val, got, exp);
}

/* A guest config write, with what the checks must know of it. */
static void cfg_write(unsigned reg, unsigned size, uint32_t val)
{
	bool ok = (size == 1 || size == 2 || size == 4) && !(reg & (size - 1)) &&
		  reg + size <= PCI_CFG_SPACE_EXP_SIZE;
	unsigned lo, hi, flr = fx->vp->pci.pcie_cap + PCI_EXP_DEVCTL + 1;
	uint32_t devcap = (uint32_t)le16(&shadow[fx->vp->pcie_phys + PCI_EXP_DEVCAP + 2]) << 16;

	window(&lo, &hi);
	if (ok)
		for (unsigned i = 0; i < size; i++)
			if (reg + i >= lo && reg + i < hi) {
				written_on[reg + i] = true;
				written[reg + i] = (uint8_t)(val >> 8 * i);
				if (reg + i == flr && (written[reg + i] & 0x80) &&
				    (devcap & PCI_EXP_DEVCAP_FLR))
					resets_expected++;
			}
	vfx_cfg_wr(fx, reg, size, val);
	if (ok)
		check_bar_write(reg, size, val);
}

static void op_reg(struct fuzz_in *in)
{
	const struct pci_dev *d = &fx->vp->pci;
	unsigned which = fuzz_u8(in) % 16, pc = d->pcie_cap;
	uint32_t val = fuzz_u32(in);

	switch (which) {
	case 0: cfg_write(PCI_COMMAND, 2, val); break;
	case 1 ... 6: cfg_write(PCI_BASE_ADDRESS_0 + 4 * (which - 1), 4, val); break;
	case 7: cfg_write(d->msix.cap + PCI_MSIX_FLAGS, 2, val); break;
	case 8: cfg_write(d->msi.cap + PCI_MSI_FLAGS, 2, val); break;
	case 9: cfg_write(d->msi.cap + PCI_MSI_ADDRESS_LO, 4, val); break;
	case 10: cfg_write(d->msi.cap + PCI_MSI_DATA_64, 2, val); break;
	case 11: cfg_write(d->msi.cap + PCI_MSI_MASK_64, 4, val); break;
	case 12: cfg_write(pc + PCI_EXP_DEVCTL, 2, val); break;
	case 13: cfg_write(pc + PCI_EXP_DEVCTL, 4, val); break;
	default: cfg_write(pc + 4 * (val % 16), 4, val >> 4 | val << 28); break;
	}
}

static void op_irq(struct fuzz_in *in)
{
	struct pci_dev *d = &fx->vp->pci;
	unsigned v = fuzz_u8(in);
	uint64_t one = 1;
	int efd;

	if (v & 0x80)
		efd = d->msi.vec[v % d->msi.nvec].efd;
	else
		efd = d->msix.vec[v % d->msix.nvec].iv.efd;
	if (efd >= 0 && write(efd, &one, sizeof(one)) != sizeof(one))
		fuzz_fail("eventfd write");
}

static void op_bar(struct fuzz_in *in)
{
	static const unsigned sizes[] = {1, 2, 4, 8};
	const struct pci_dev *d = &fx->vp->pci;
	const struct pci_bar *b = &d->bar[fuzz_u8(in) % PCI_STD_NUM_BARS];
	uint64_t off = fuzz_u16(in), v;
	unsigned size = sizes[fuzz_u8(in) % 4];
	bool w = fuzz_bool(in);
	uint32_t val = fuzz_u32(in);

	if (!b->size || !b->mapped)
		return;
	off %= b->size;
	if (b->type == PCI_BAR_IO) {
		size = MIN(size, 4);
		if (w)
			bus_write(&fx->pio, b->addr + off, size, val);
		else
			bus_read(&fx->pio, b->addr + off, size, &v);
	} else if (w) {
		bus_write(&fx->mmio, b->addr + off, size, val);
	} else {
		bus_read(&fx->mmio, b->addr + off, size, &v);
	}
}

static void one_op(struct fuzz_in *in)
{
	static const unsigned sizes[] = {1, 2, 4, 3, 8, 0};
	unsigned reg, size, idx;
	uint32_t old;

	memset(written_on, 0, sizeof(written_on));
	switch (fuzz_u8(in) % 6) {
	case 0:
		reg = fuzz_u16(in) % PCI_CFG_SPACE_EXP_SIZE;
		size = sizes[fuzz_u8(in) % 6];
		cfg_write(reg, size, fuzz_u32(in));
		break;
	case 1:
		reg = fuzz_u16(in) % PCI_CFG_SPACE_EXP_SIZE;
		size = sizes[fuzz_u8(in) % 6];
		check_read(reg, size, vfx_cfg_rd(fx, reg, size));
		break;
	case 2: op_reg(in); break;
	case 3: op_irq(in); break;
	case 4: op_bar(in); break;
	default:
		idx = fuzz_u8(in) % PCI_STD_NUM_BARS;
		reg = PCI_BASE_ADDRESS_0 + 4 * idx;
		old = vfx_cfg_rd(fx, reg, 4);
		cfg_write(reg, 4, 0xffffffff);
		cfg_write(reg, 4, old);
		break;
	}
	check_device();
	check_irqs();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint16_t pcie[4] = {
		0x0002,
		0x0001 | PCI_EXP_TYPE_ENDPOINT << 4,
		0x0001 | PCI_EXP_TYPE_RC_END << 4,
		0x0002 | PCI_EXP_TYPE_RC_END << 4,
	};
	struct fuzz_in in = fuzz_in(data, size);
	uint8_t setup;

	if (size > MAX_INPUT)
		return -1;
	setup = fuzz_u8(&in) & 7;
	fx = &fxs[setup];
	if (!fx_ready[setup]) {
		if (vfx_setup(fx, pcie[setup & 3],
			      setup & 4 ? VFX_DEVCAP & ~PCI_EXP_DEVCAP_FLR : VFX_DEVCAP) ||
		    vfx_save(fx, &ckpt[setup]))
			fuzz_fail("the fixture cannot be set up");
		fx_ready[setup] = true;
	} else if (vfx_restore(fx, &ckpt[setup])) {
		fuzz_fail("the fixture cannot be restored: %s", strerror(errno));
	}
	resets_expected = 0;
	memcpy(shadow, fx->map + VFX_CFG_OFF, sizeof(shadow));
	memcpy(tbl_shadow, fx->map + VFX_BAR0_OFF + 0x2000, sizeof(tbl_shadow));
	while (!in.done)
		one_op(&in);
	if (size % TEARDOWN_EVERY == 0) {
		vfx_teardown(fx);
		fx_ready[setup] = false;
	}
	return 0;
}
