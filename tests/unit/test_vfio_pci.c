// SPDX-License-Identifier: MIT
/* The VFIO PCI function against a fake device: a memfd laid out as VFIO's
 * regions (config space, BAR 0) and fake SET_IRQS/RESET ioctls. Checks the
 * identity read from the device, the capabilities kept and hidden, the
 * PCIe capability passed through, the command register forwarded, MSI-X
 * enable and disable at VFIO with the vectors' eventfds, BAR accesses
 * forwarded, the memory-slot pieces cut around the MSI-X pages, the
 * peer-to-peer lookup, and reset with bus mastering off at the end. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "devices/vfio/vfio_pci.h"
#include "vmm/layout.h"

#define CFG_OFF	 0x0ull
#define BAR0_OFF 0x10000ull
#define BAR0_SZ	 0x4000ull
#define NVEC	 8
#define PCIE_AT	 0x80

static struct bus mmio, pio;
static struct gsi_table gsi;
static struct pci_bus *pbus;
static struct vfio_pci *vp;
static int memfd;
static unsigned next_slot;

static struct {
	uint32_t index, count, flags;
	int32_t efd[NVEC];
} irqs[16];
static unsigned nr_irqs, nr_resets;

static int fake_set_irqs(void *opaque, struct vfio_irq_set *set)
{
	(void)opaque;
	assert_true(nr_irqs < ARRAY_SIZE(irqs));
	irqs[nr_irqs].index = set->index;
	irqs[nr_irqs].count = set->count;
	irqs[nr_irqs].flags = set->flags;
	for (unsigned i = 0; i < set->count && i < NVEC; i++)
		irqs[nr_irqs].efd[i] = ((int32_t *)set->data)[i];
	nr_irqs++;
	return 0;
}

static int fake_reset(void *opaque)
{
	(void)opaque;
	nr_resets++;
	return 0;
}

static const struct vfio_dev_ops fake_ops = {fake_set_irqs, fake_reset};

static void put(uint64_t off, const void *p, size_t n)
{
	assert_int_equal(pwrite(memfd, p, n, (off_t)off), (ssize_t)n);
}

static void put32(uint64_t off, uint32_t v)
{
	put(off, &v, 4);
}

static uint32_t get32(uint64_t off)
{
	uint32_t v = 0;

	assert_int_equal(pread(memfd, &v, 4, (off_t)off), 4);
	return v;
}

/* The PCIe capability's flags (version, device/port type): version 2, an
 * endpoint, unless a test's setup says otherwise. */
static uint16_t pcie_flags = 0x0002;

/* An NVMe-like function: PM (0x40) -> vendor (0x50) -> MSI-X (0x60) ->
 * PCIe (0x80); a 64-bit 16 KiB BAR 0, MSI-X table at 0x2000, PBA at 0x3000. */
static void fake_device(void)
{
	memfd = memfd_create("fake-vfio", 0);
	assert_true(memfd >= 0);
	assert_int_equal(ftruncate(memfd, BAR0_OFF + BAR0_SZ), 0);
	put32(CFG_OFF + PCI_VENDOR_ID, 0x00101b36);
	put32(CFG_OFF + PCI_COMMAND, PCI_STATUS_CAP_LIST << 16);
	put32(CFG_OFF + PCI_CLASS_REVISION, 0x01080202);
	put32(CFG_OFF + PCI_BASE_ADDRESS_0, PCI_BASE_ADDRESS_MEM_TYPE_64);
	put32(CFG_OFF + PCI_SUBSYSTEM_VENDOR_ID, 0x11001af4);
	put32(CFG_OFF + PCI_CAPABILITY_LIST, 0x40);
	put32(CFG_OFF + 0x40, 0x5000 | PCI_CAP_ID_PM);
	put32(CFG_OFF + 0x50, 0x0c006000 | PCI_CAP_ID_VNDR);
	put32(CFG_OFF + 0x60, (NVEC - 1) << 16 | 0x8000 | PCI_CAP_ID_MSIX);
	put32(CFG_OFF + 0x64, 0x2000);
	put32(CFG_OFF + 0x68, 0x3000);
	put32(CFG_OFF + PCIE_AT, (uint32_t)pcie_flags << 16 | PCI_CAP_ID_EXP);
	put32(CFG_OFF + PCIE_AT + PCI_EXP_DEVCAP, 0x12345678);
	put32(BAR0_OFF + 0x1000, 0xcafef00d);
}

static int setup(void **state)
{
	struct pci_bus_config cfg = {.mmio = &mmio, .pio = &pio, .gsi = &gsi};
	struct vfio_dev d = {.name = "0000:00:04.0", .fd = -1, .ops = &fake_ops};
	struct vfio_pci_params p = {.vm_fd = -1, .next_slot = &next_slot};
	char err[256];
	int ret;

	(void)state;
	bus_init(&mmio, "mmio");
	bus_init(&pio, "pio");
	gsi_table_init(&gsi, -1);
	nr_irqs = nr_resets = 0;
	next_slot = 2;
	fake_device();
	d.fd = memfd;
	d.flags = VFIO_DEVICE_FLAGS_PCI | VFIO_DEVICE_FLAGS_RESET;
	d.region[VFIO_PCI_CONFIG_REGION_INDEX] =
		(struct vfio_region){.size = PCI_CFG_SPACE_EXP_SIZE, .offset = CFG_OFF};
	d.region[0] = (struct vfio_region){
		.size = BAR0_SZ,
		.offset = BAR0_OFF,
		.flags = VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE |
			 VFIO_REGION_INFO_FLAG_MMAP,
		.nr_areas = 1,
		.area = {{0, BAR0_SZ}},
	};
	d.irq_count[VFIO_PCI_MSIX_IRQ_INDEX] = NVEC;
	assert_int_equal(pci_bus_new(&cfg, &pbus), 0);
	p.bus = pbus;
	ret = vfio_pci_new(&d, &p, &vp, err, sizeof(err));
	if (ret)
		print_error("%s\n", err);
	return ret;
}

/* A version 1 PCIe capability: an endpoint's (20 bytes), a root complex
 * integrated endpoint's (12). */
static int setup_v1(void **state)
{
	pcie_flags = 0x0001 | PCI_EXP_TYPE_ENDPOINT << 4;
	return setup(state);
}

static int setup_v1_rciep(void **state)
{
	pcie_flags = 0x0001 | PCI_EXP_TYPE_RC_END << 4;
	return setup(state);
}

static int teardown(void **state)
{
	(void)state;
	pci_bus_free(pbus);
	vfio_pci_free(vp); /* closes the memfd */
	vp = NULL;
	pcie_flags = 0x0002;
	return 0;
}

static uint32_t cfg_rd(unsigned reg, unsigned size)
{
	return pci_bus_config_read(pbus, vp->pci.rid, (uint16_t)reg, size);
}

static void cfg_wr(unsigned reg, unsigned size, uint32_t v)
{
	pci_bus_config_write(pbus, vp->pci.rid, (uint16_t)reg, size, v);
}

static void test_identity(void **state)
{
	(void)state;
	assert_int_equal(cfg_rd(PCI_VENDOR_ID, 4), 0x00101b36);
	assert_int_equal(cfg_rd(PCI_CLASS_REVISION, 4), 0x01080202);
	assert_int_equal(cfg_rd(PCI_SUBSYSTEM_VENDOR_ID, 4), 0x11001af4);
	assert_int_equal(cfg_rd(PCI_INTERRUPT_PIN, 1), 0); /* no INTx */
	assert_int_equal(cfg_rd(PCI_ROM_ADDRESS, 4), 0);   /* no ROM BAR */
	/* The BAR is the VMM's: 64-bit, sized as the device's. */
	assert_int_equal(cfg_rd(PCI_BASE_ADDRESS_0, 4) & 0xf, PCI_BASE_ADDRESS_MEM_TYPE_64);
	cfg_wr(PCI_BASE_ADDRESS_0, 4, 0xffffffff);
	assert_int_equal(cfg_rd(PCI_BASE_ADDRESS_0, 4) & ~0xfu, (uint32_t)-BAR0_SZ);
}

static void test_caps_kept_and_hidden(void **state)
{
	bool msix = false, pcie = false;
	unsigned pos = cfg_rd(PCI_CAPABILITY_LIST, 1), steps = 0;

	(void)state;
	for (; pos && steps < 48; steps++) {
		unsigned id = cfg_rd(pos, 1);

		assert_true(id == PCI_CAP_ID_MSIX || id == PCI_CAP_ID_EXP);
		msix |= id == PCI_CAP_ID_MSIX;
		pcie |= id == PCI_CAP_ID_EXP;
		if (id == PCI_CAP_ID_MSIX)
			assert_int_equal(cfg_rd(pos + PCI_MSIX_FLAGS, 2) & PCI_MSIX_FLAGS_QSIZE,
					 NVEC - 1);
		pos = cfg_rd(pos + 1, 1);
	}
	assert_true(msix && pcie);
	assert_int_equal(cfg_rd(PCI_CFG_SPACE_SIZE, 4), 0); /* no extended capability */
}

static void test_pcie_passthrough(void **state)
{
	unsigned at = vp->pci.pcie_cap;

	(void)state;
	assert_true(at);
	assert_int_equal(cfg_rd(at + PCI_EXP_DEVCAP, 4), 0x12345678);
	put32(CFG_OFF + PCIE_AT + PCI_EXP_DEVCAP, 0x87654321); /* live */
	assert_int_equal(cfg_rd(at + PCI_EXP_DEVCAP, 4), 0x87654321);
	cfg_wr(at + PCI_EXP_DEVCTL, 2, 0x2810);
	assert_int_equal(get32(CFG_OFF + PCIE_AT + PCI_EXP_DEVCTL) & 0xffff, 0x2810);
	/* The header stays ours: the ID is the PCIe capability's. */
	assert_int_equal(cfg_rd(at, 1), PCI_CAP_ID_EXP);
}

/* F6: the window into the device's PCIe capability is as long as its
 * version and type make it; what follows (here a marker where a v2
 * capability's DEVCAP2 would be, and beyond) reads as zero and takes no
 * write. */
static void pcie_v1_window(void **state)
{
	unsigned at = vp->pci.pcie_cap;
	unsigned len = (pcie_flags >> 4 & 0xf) == PCI_EXP_TYPE_RC_END
			       ? PCI_CAP_EXP_RC_ENDPOINT_SIZEOF_V1
			       : PCI_CAP_EXP_ENDPOINT_SIZEOF_V1;

	(void)state;
	assert_true(at);
	for (unsigned off = len; off < PCI_CAP_EXP_ENDPOINT_SIZEOF_V2; off += 2)
		put(CFG_OFF + PCIE_AT + off, "\xad\xde", 2);
	assert_int_equal(cfg_rd(at + PCI_EXP_DEVCAP, 4), 0x12345678); /* inside: the device's */
	for (unsigned off = len; off + 2 <= PCI_CAP_EXP_ENDPOINT_SIZEOF_V2; off += 2) {
		assert_int_equal(cfg_rd(at + off, 2), 0);
		cfg_wr(at + off, 2, 0x1234);
		assert_int_equal(get32(CFG_OFF + PCIE_AT + off) & 0xffff, 0xdead);
	}
}

/* A dword access at the PCIe capability covers our header (ID, next) and
 * the first bytes of the passed-through body (PCI_EXP_FLAGS): each byte
 * comes from where it lives, whatever the access width (fuzz_vfio_pci
 * crasher pcie-dword-over-cap-header: the flags read as zero and the write
 * was dropped). */
static void test_pcie_dword_over_header(void **state)
{
	unsigned at = vp->pci.pcie_cap;
	uint32_t hdr = cfg_rd(at, 2);

	(void)state;
	assert_int_equal(cfg_rd(at + PCI_EXP_FLAGS, 2), pcie_flags);
	assert_int_equal(cfg_rd(at, 4), (uint32_t)pcie_flags << 16 | hdr);
	cfg_wr(at, 4, 0x00420000u | 0xffff);
	assert_int_equal(get32(CFG_OFF + PCIE_AT) >> 16, 0x0042); /* the device's bytes */
	assert_int_equal(cfg_rd(at, 2), hdr);			  /* ours stay */
}

static void test_pcie_v1_window_endpoint(void **state)
{
	pcie_v1_window(state);
}

static void test_pcie_v1_window_rciep(void **state)
{
	pcie_v1_window(state);
}

static void test_command_forwarded(void **state)
{
	(void)state;
	cfg_wr(PCI_COMMAND, 2, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	assert_int_equal(get32(CFG_OFF + PCI_COMMAND) & 0xffff,
			 PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	cfg_wr(PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	assert_int_equal(get32(CFG_OFF + PCI_COMMAND) & PCI_COMMAND_MASTER, 0);
}

/* The device's COMMAND follows the emulated one from the start (the decode
 * enables the VMM sets as firmware) and after a guest FLR (the emulated
 * register back at its reset value), not only after guest writes
 * (fuzz_vfio_pci crasher command-not-forwarded-at-plug). */
static void test_command_in_step_at_plug_and_flr(void **state)
{
	const uint32_t fwd = PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER |
			     PCI_COMMAND_PARITY | PCI_COMMAND_SERR;

	(void)state;
	assert_true(cfg_rd(PCI_COMMAND, 2) & PCI_COMMAND_MEMORY);
	assert_int_equal(get32(CFG_OFF + PCI_COMMAND) & fwd, cfg_rd(PCI_COMMAND, 2) & fwd);
	cfg_wr(PCI_COMMAND, 2, 0);
	assert_int_equal(get32(CFG_OFF + PCI_COMMAND) & fwd, 0);
	cfg_wr(vp->pci.pcie_cap + PCI_EXP_DEVCTL, 2, PCI_EXP_DEVCTL_BCR_FLR);
	assert_int_equal(nr_resets, 1);
	assert_true(cfg_rd(PCI_COMMAND, 2) & PCI_COMMAND_MEMORY);
	assert_int_equal(get32(CFG_OFF + PCI_COMMAND) & fwd, cfg_rd(PCI_COMMAND, 2) & fwd);
}

static void test_msix_at_vfio(void **state)
{
	unsigned cap = vp->pci.msix.cap;

	(void)state;
	assert_int_equal(nr_irqs, 0);
	cfg_wr(cap + PCI_MSIX_FLAGS, 2, PCI_MSIX_FLAGS_ENABLE);
	assert_int_equal(nr_irqs, 1);
	assert_int_equal(irqs[0].index, VFIO_PCI_MSIX_IRQ_INDEX);
	assert_int_equal(irqs[0].count, NVEC);
	assert_true(irqs[0].flags & VFIO_IRQ_SET_DATA_EVENTFD);
	for (unsigned i = 0; i < NVEC; i++) {
		assert_true(irqs[0].efd[i] >= 0);
		assert_int_equal(irqs[0].efd[i], msix_vector_eventfd(&vp->pci, i));
	}
	/* The same state again: nothing more reaches VFIO. */
	cfg_wr(cap + PCI_MSIX_FLAGS, 2, PCI_MSIX_FLAGS_ENABLE);
	assert_int_equal(nr_irqs, 1);
	cfg_wr(cap + PCI_MSIX_FLAGS, 2, 0);
	assert_int_equal(nr_irqs, 2);
	assert_int_equal(irqs[1].count, 0);
	assert_true(irqs[1].flags & VFIO_IRQ_SET_DATA_NONE);
}

static void test_bar_forward_and_pieces(void **state)
{
	uint64_t bar, v = 0;
	const struct vfio_pci_bar *b = &vp->bar[0];

	(void)state;
	/* The MSI-X table and PBA pages are cut out of the memory slots. */
	assert_int_equal(b->nr_pieces, 1);
	assert_int_equal(b->piece[0].off, 0);
	assert_int_equal(b->piece[0].size, 0x2000);
	assert_int_equal(b->piece[0].slot, 2);
	cfg_wr(PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	bar = pci_bar_addr(&vp->pci, 0);
	assert_true(bar && b->mapped && b->gpa == bar);
	/* Without a KVM slot (no VM here) the access is forwarded. */
	assert_true(bus_read(&mmio, bar + 0x1000, 4, &v));
	assert_int_equal(v, 0xcafef00d);
	assert_true(bus_write(&mmio, bar + 0x1004, 4, 0x5a5a5a5a));
	assert_int_equal(get32(BAR0_OFF + 0x1004), 0x5a5a5a5a);
	/* The MSI-X table is the VMM's, never the device's. */
	assert_true(bus_write(&mmio, bar + 0x2000, 4, 0xfee00000));
	assert_int_equal(get32(BAR0_OFF + 0x2000), 0);
	/* Peer-to-peer: the BAR's GPA resolves into its mmap. */
	assert_int_equal(*(uint32_t *)vfio_pci_bar_host(vp, gpa(bar + 0x1000), 4), 0xcafef00d);
	assert_null(vfio_pci_bar_host(vp, gpa(bar + BAR0_SZ - 2), 4));
	/* Decoding off: no slot, no lookup. */
	cfg_wr(PCI_COMMAND, 2, 0);
	assert_false(b->mapped);
	assert_null(vfio_pci_bar_host(vp, gpa(bar + 0x1000), 4));
}

/* F8: the peer-to-peer lookup resolves only what the guest may reach of a
 * BAR, its pieces: never the MSI-X table or PBA pages (the VMM's). */
static void test_bar_host_skips_msix(void **state)
{
	uint64_t bar;

	(void)state;
	cfg_wr(PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	bar = pci_bar_addr(&vp->pci, 0);
	assert_non_null(vfio_pci_bar_host(vp, gpa(bar + 0x1ffc), 4));
	assert_null(vfio_pci_bar_host(vp, gpa(bar + 0x2000), 4)); /* the MSI-X table */
	assert_null(vfio_pci_bar_host(vp, gpa(bar + 0x3000), 4)); /* the PBA */
	assert_null(vfio_pci_bar_host(vp, gpa(bar + 0x1ffc), 8)); /* runs into the table */
}

struct bar_host_arg {
	uint64_t gpa;
	void *host;
};

static void *bar_host_thread(void *opaque)
{
	struct bar_host_arg *a = opaque;

	a->host = vfio_pci_bar_host(vp, gpa(a->gpa), 4);
	return NULL;
}

/* F1: the P2P lookup (the DMA mirror calls it with the VT-d unit's lock held)
 * must not wait for the function's config lock, which an MSI-X table write
 * holds while interrupt remapping takes the unit's lock: that was a
 * deadlock. The lookup now takes only the BAR placement lock, a leaf. Here
 * the config lock is held while the lookup runs in another thread, which
 * must finish within 2 s. */
static void test_bar_host_not_under_config_lock(void **state)
{
	struct bar_host_arg a;
	struct timespec until;
	pthread_t t;
	int ret;

	(void)state;
	cfg_wr(PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	a = (struct bar_host_arg){.gpa = pci_bar_addr(&vp->pci, 0) + 0x1000};
	pthread_mutex_lock(&vp->pci.lock);
	assert_int_equal(pthread_create(&t, NULL, bar_host_thread, &a), 0);
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 2;
	ret = pthread_timedjoin_np(t, NULL, &until);
	pthread_mutex_unlock(&vp->pci.lock);
	if (ret)
		pthread_join(t, NULL);
	assert_int_equal(ret, 0);
	assert_non_null(a.host);
}

/* F9: a BAR the guest moves again and again, whose KVM slot fails each
 * time, is logged a bounded number of times. */
static void test_bar_slot_failure_log_bounded(void **state)
{
	int saved = dup(STDERR_FILENO), cap = memfd_create("stderr", 0), lines = 0;
	char buf[16384];
	ssize_t n;

	(void)state;
	assert_true(saved >= 0 && cap >= 0);
	vp->vm_fd = memfd_create("not-a-vm", 0); /* KVM_SET_USER_MEMORY_REGION fails */
	fflush(stderr);
	dup2(cap, STDERR_FILENO);
	for (unsigned i = 0; i < 100; i++) {
		cfg_wr(PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
		cfg_wr(PCI_COMMAND, 2, 0);
	}
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	n = pread(cap, buf, sizeof(buf) - 1, 0);
	close(cap);
	close(vp->vm_fd);
	vp->vm_fd = -1;
	assert_true(n >= 0);
	buf[n] = 0;
	for (char *p = buf; (p = strstr(p, "no KVM slot")); p++)
		lines++;
	assert_true(lines >= 1);
	assert_true(lines <= 5);
}

/* An interrupt that arrives while its vector is masked waits in the eventfd
 * (the irqfd is detached) and shows in the PBA; unmasking attaches the
 * irqfd again (KVM then injects it) and the bit is no longer the device's. */
static void test_masked_vector_pending(void **state)
{
	uint64_t bar, v = 0, one = 1;
	unsigned cap = vp->pci.msix.cap;

	(void)state;
	cfg_wr(PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	bar = pci_bar_addr(&vp->pci, 0);
	cfg_wr(cap + PCI_MSIX_FLAGS, 2, PCI_MSIX_FLAGS_ENABLE);
	assert_false(vp->msix_irqfd[3]); /* masked: detached */
	assert_true(bus_read(&mmio, bar + 0x3000, 8, &v));
	assert_int_equal(v, 0);
	assert_int_equal(write(msix_vector_eventfd(&vp->pci, 3), &one, 8), 8);
	assert_true(bus_read(&mmio, bar + 0x3000, 8, &v));
	assert_int_equal(v, 1u << 3);
	/* Unmask vector 3: address, data, then control. */
	assert_true(bus_write(&mmio, bar + 0x2000 + 3 * 16, 4, 0xfee00000));
	assert_true(bus_write(&mmio, bar + 0x2000 + 3 * 16 + 8, 4, 0x41));
	assert_true(bus_write(&mmio, bar + 0x2000 + 3 * 16 + 12, 4, 0));
	assert_true(vp->msix_irqfd[3]);
	assert_true(bus_read(&mmio, bar + 0x3000, 8, &v));
	assert_int_equal(v, 0);
}

/* F7: a guest FLR (DEVCTL.BCR_FLR) resets both sides, as QEMU does: the
 * device through VFIO (not by the bit reaching it behind the VMM's back),
 * and the emulated COMMAND, MSI-X and BAR state. */
static void test_flr_resets_both_sides(void **state)
{
	unsigned at = vp->pci.pcie_cap;

	(void)state;
	cfg_wr(PCI_COMMAND, 2, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	cfg_wr(vp->pci.msix.cap + PCI_MSIX_FLAGS, 2, PCI_MSIX_FLAGS_ENABLE);
	assert_int_equal(nr_irqs, 1);
	cfg_wr(at + PCI_EXP_DEVCTL, 2, PCI_EXP_DEVCTL_BCR_FLR | 0x0010);
	assert_int_equal(nr_resets, 1);
	assert_int_equal(get32(CFG_OFF + PCIE_AT + PCI_EXP_DEVCTL) & PCI_EXP_DEVCTL_BCR_FLR, 0);
	assert_int_equal(cfg_rd(PCI_COMMAND, 2) & PCI_COMMAND_MASTER, 0);
	assert_int_equal(get32(CFG_OFF + PCI_COMMAND) & PCI_COMMAND_MASTER, 0);
	assert_int_equal(cfg_rd(vp->pci.msix.cap + PCI_MSIX_FLAGS, 2) & PCI_MSIX_FLAGS_ENABLE, 0);
	assert_int_equal(irqs[nr_irqs - 1].count, 0); /* MSI-X off at VFIO */
	assert_int_equal(cfg_rd(at + PCI_EXP_DEVCTL, 2) & PCI_EXP_DEVCTL_BCR_FLR, 0);
	/* A device without FLR (DEVCAP): the bit has no effect, and no reset. */
	put32(CFG_OFF + PCIE_AT + PCI_EXP_DEVCAP, 0x12345678 & ~PCI_EXP_DEVCAP_FLR);
	cfg_wr(at + PCI_EXP_DEVCTL, 2, PCI_EXP_DEVCTL_BCR_FLR);
	assert_int_equal(nr_resets, 1);
	assert_int_equal(get32(CFG_OFF + PCIE_AT + PCI_EXP_DEVCTL) & PCI_EXP_DEVCTL_BCR_FLR, 0);
}

static void test_reset_at_exit(void **state)
{
	(void)state;
	cfg_wr(PCI_COMMAND, 2, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	cfg_wr(vp->pci.msix.cap + PCI_MSIX_FLAGS, 2, PCI_MSIX_FLAGS_ENABLE);
	memfd = dup(memfd); /* vfio_pci_free closes the device fd */
	pci_bus_free(pbus);
	pbus = NULL;
	vfio_pci_free(vp);
	vp = NULL;
	assert_int_equal(nr_resets, 1);
	assert_int_equal(irqs[nr_irqs - 1].count, 0); /* MSI-X off at VFIO */
	assert_int_equal(get32(CFG_OFF + PCI_COMMAND) & PCI_COMMAND_MASTER, 0);
	close(memfd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
		T(test_identity),
		T(test_caps_kept_and_hidden),
		T(test_pcie_passthrough),
		T(test_pcie_dword_over_header),
		T(test_bar_host_skips_msix),
		T(test_bar_host_not_under_config_lock),
		T(test_flr_resets_both_sides),
		T(test_bar_slot_failure_log_bounded),
		cmocka_unit_test_setup_teardown(test_pcie_v1_window_endpoint, setup_v1, teardown),
		cmocka_unit_test_setup_teardown(test_pcie_v1_window_rciep, setup_v1_rciep,
						teardown),
		T(test_command_forwarded),
		T(test_command_in_step_at_plug_and_flr),
		T(test_msix_at_vfio),
		T(test_bar_forward_and_pieces),
		T(test_masked_vector_pending),
		T(test_reset_at_exit),
#undef T
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
