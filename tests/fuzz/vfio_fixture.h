/* SPDX-License-Identifier: MIT */
/* A fake VFIO PCI function, without cmocka, for tests/fuzz/fuzz_vfio_pci.c
 * and tests/unit/test_vfio_pci_race.c: the pattern of
 * tests/unit/test_vfio_pci.c (a memfd laid out as VFIO's regions, fake
 * SET_IRQS and RESET ioctls) with more of a device in it.
 *
 * The device: vendor 1b36 device 0010, class 010802; capabilities PM (0x40)
 * -> vendor (0x50) -> MSI-X (0x60, VFX_NVEC vectors, table at BAR 0 +
 * 0x2000, PBA at BAR 0 + 0x3000) -> PCIe (0x80, flags from vfx_setup) ->
 * MSI (0xc0, 64-bit with per-vector masking, VFX_MSI_NVEC vectors); BAR 0
 * 64-bit 16 KiB mmap-able, BAR 2 32-bit 4 KiB trapped, BAR 3 I/O 32 ports.
 * Helpers are static inline so that a program may leave some unused. */
#ifndef TESTS_FUZZ_VFIO_FIXTURE_H
#define TESTS_FUZZ_VFIO_FIXTURE_H

#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "devices/pci/internal.h"
#include "tests/fuzz/eventfd_drain.h"
#include "devices/vfio/vfio_pci.h"

#define VFX_CFG_OFF  0x0ull
#define VFX_BAR0_OFF 0x10000ull
#define VFX_BAR0_SZ  0x4000ull
#define VFX_BAR2_OFF 0x20000ull
#define VFX_BAR2_SZ  0x1000ull
#define VFX_BAR3_OFF 0x30000ull
#define VFX_BAR3_SZ  0x20ull
#define VFX_FILE_SZ  0x31000ull
#define VFX_NVEC     8
#define VFX_MSI_NVEC 4
#define VFX_MSIX_AT  0x60
#define VFX_PCIE_AT  0x80
#define VFX_MSI_AT   0xc0
#define VFX_DEVCAP   0x12345678u /* with PCI_EXP_DEVCAP_FLR (bit 28) set */

struct vfx {
	struct bus mmio, pio;
	struct gsi_table gsi;
	struct pci_bus *pbus;
	struct vfio_pci *vp;
	int memfd;
	const uint8_t *map; /* the memfd, read-only (the device's bytes, no syscall) */
	unsigned next_slot;
	unsigned nr_set_irqs, nr_resets;
	unsigned dev_msi_count; /* what the last SET_IRQS of MSI left */
	/* when set, called inside each SET_IRQS before it takes effect (a
	 * test widens a race window there) */
	void (*set_irqs_hook)(struct vfx *fx, const struct vfio_irq_set *set);
	struct vfio_irq_set
		last_irqs; /* the header of the last SET_IRQS (last: it ends in a flexible array) */
};

static inline int vfx_set_irqs(void *opaque, struct vfio_irq_set *set)
{
	struct vfx *fx = opaque;

	if (fx->set_irqs_hook)
		fx->set_irqs_hook(fx, set);
	fx->nr_set_irqs++;
	fx->last_irqs = *set;
	if (set->index == VFIO_PCI_MSI_IRQ_INDEX)
		fx->dev_msi_count = set->count;
	return 0;
}

static inline int vfx_reset(void *opaque)
{
	struct vfx *fx = opaque;

	fx->nr_resets++;
	return 0;
}

static const struct vfio_dev_ops vfx_ops = {vfx_set_irqs, vfx_reset};

static inline int vfx_put32(struct vfx *fx, uint64_t off, uint32_t v)
{
	return pwrite(fx->memfd, &v, 4, (off_t)off) == 4 ? 0 : -1;
}

/* The fake device's bytes (its "physical" config space or a BAR). */
static inline uint32_t vfx_get(const struct vfx *fx, uint64_t off, unsigned size)
{
	uint32_t v = 0;

	if (pread(fx->memfd, &v, size, (off_t)off) != (ssize_t)size)
		return 0xdeadbeef;
	return v;
}

/* Lay the device out in fx->memfd. pcie_flags: the PCIe capability's
 * version and type (PCI_EXP_FLAGS); devcap its DEVCAP. */
static inline int vfx_device(struct vfx *fx, uint16_t pcie_flags, uint32_t devcap)
{
	static const struct {
		unsigned off;
		uint32_t v;
	} regs[] = {
		{PCI_VENDOR_ID, 0x00101b36},
		{PCI_COMMAND, PCI_STATUS_CAP_LIST << 16},
		{PCI_CLASS_REVISION, 0x01080202},
		{PCI_BASE_ADDRESS_0, PCI_BASE_ADDRESS_MEM_TYPE_64},
		{PCI_BASE_ADDRESS_2, PCI_BASE_ADDRESS_MEM_TYPE_32},
		{PCI_BASE_ADDRESS_3, PCI_BASE_ADDRESS_SPACE_IO},
		{PCI_SUBSYSTEM_VENDOR_ID, 0x11001af4},
		{PCI_CAPABILITY_LIST, 0x40},
		{0x40, 0x5000 | PCI_CAP_ID_PM},
		{0x50, 0x0c006000 | PCI_CAP_ID_VNDR},
		{0x54, 0xa5a5a5a5},
		{VFX_MSIX_AT, (VFX_NVEC - 1) << 16 | VFX_PCIE_AT << 8 | PCI_CAP_ID_MSIX},
		{VFX_MSIX_AT + PCI_MSIX_TABLE, 0x2000},
		{VFX_MSIX_AT + PCI_MSIX_PBA, 0x3000},
		{VFX_MSI_AT,
		 (PCI_MSI_FLAGS_64BIT | PCI_MSI_FLAGS_MASKBIT | 2 << 1) << 16 | PCI_CAP_ID_MSI},
		{0x100, 0x00010001}, /* an extended capability (AER v1) */
	};

	fx->memfd = memfd_create("fake-vfio", 0);
	if (fx->memfd < 0 || ftruncate(fx->memfd, VFX_FILE_SZ))
		return -1;
	for (unsigned i = 0; i < ARRAY_SIZE(regs); i++)
		if (vfx_put32(fx, VFX_CFG_OFF + regs[i].off, regs[i].v))
			return -1;
	if (vfx_put32(fx, VFX_CFG_OFF + VFX_PCIE_AT,
		      (uint32_t)pcie_flags << 16 | VFX_MSI_AT << 8 | PCI_CAP_ID_EXP) ||
	    vfx_put32(fx, VFX_CFG_OFF + VFX_PCIE_AT + PCI_EXP_DEVCAP, devcap))
		return -1;
	/* Markers in the rest of the PCIe capability (past a v1 window). */
	for (unsigned off = PCI_EXP_DEVCAP + 4; off < PCI_CAP_EXP_ENDPOINT_SIZEOF_V2; off += 4)
		if (vfx_put32(fx, VFX_CFG_OFF + VFX_PCIE_AT + off, 0xd0d00000 | off))
			return -1;
	return vfx_put32(fx, VFX_BAR0_OFF + 0x1000, 0xcafef00d);
}

/* The bus and the function on it. 0, or -1 with a line on stderr. */
static inline int vfx_setup(struct vfx *fx, uint16_t pcie_flags, uint32_t devcap)
{
	struct pci_bus_config cfg = {.mmio = &fx->mmio, .pio = &fx->pio, .gsi = &fx->gsi};
	struct vfio_dev d = {.name = "0000:00:04.0", .fd = -1, .ops = &vfx_ops};
	struct vfio_pci_params p = {.vm_fd = -1, .next_slot = &fx->next_slot};
	const uint32_t rw = VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE;
	char err[256];
	int ret;

	memset(fx, 0, sizeof(*fx));
	fx->memfd = -1;
	bus_init(&fx->mmio, "mmio");
	bus_init(&fx->pio, "pio");
	gsi_table_init(&fx->gsi, -1);
	fx->next_slot = 2;
	if (vfx_device(fx, pcie_flags, devcap) ||
	    (fx->map = mmap(NULL, VFX_FILE_SZ, PROT_READ, MAP_SHARED, fx->memfd, 0)) ==
		    MAP_FAILED) {
		perror("vfx: fake device");
		if (fx->memfd >= 0)
			close(fx->memfd);
		return -1;
	}
	d.fd = fx->memfd;
	d.ops_opaque = fx;
	d.flags = VFIO_DEVICE_FLAGS_PCI | VFIO_DEVICE_FLAGS_RESET;
	d.region[VFIO_PCI_CONFIG_REGION_INDEX] =
		(struct vfio_region){.size = PCI_CFG_SPACE_EXP_SIZE, .offset = VFX_CFG_OFF};
	d.region[0] = (struct vfio_region){
		.size = VFX_BAR0_SZ,
		.offset = VFX_BAR0_OFF,
		.flags = rw | VFIO_REGION_INFO_FLAG_MMAP,
		.nr_areas = 1,
		.area = {{0, VFX_BAR0_SZ}},
	};
	d.region[2] =
		(struct vfio_region){.size = VFX_BAR2_SZ, .offset = VFX_BAR2_OFF, .flags = rw};
	d.region[3] =
		(struct vfio_region){.size = VFX_BAR3_SZ, .offset = VFX_BAR3_OFF, .flags = rw};
	d.irq_count[VFIO_PCI_MSIX_IRQ_INDEX] = VFX_NVEC;
	d.irq_count[VFIO_PCI_MSI_IRQ_INDEX] = VFX_MSI_NVEC;
	if (pci_bus_new(&cfg, &fx->pbus)) {
		munmap((void *)fx->map, VFX_FILE_SZ);
		close(fx->memfd);
		return -1;
	}
	p.bus = fx->pbus;
	ret = vfio_pci_new(&d, &p, &fx->vp, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "vfx: %s\n", err);
		pci_bus_free(fx->pbus);
		fx->pbus = NULL;
		munmap((void *)fx->map, VFX_FILE_SZ);
		return -1;
	}
	return 0;
}

/* Free the bus and the function (which closes the memfd). */
static inline void vfx_teardown(struct vfx *fx)
{
	pci_bus_free(fx->pbus);
	vfio_pci_free(fx->vp);
	munmap((void *)fx->map, VFX_FILE_SZ);
	fx->pbus = NULL;
	fx->vp = NULL;
	fx->map = NULL;
}

/* Guest config cycles to the function. */
static inline uint32_t vfx_cfg_rd(struct vfx *fx, unsigned reg, unsigned size)
{
	return pci_bus_config_read(fx->pbus, fx->vp->pci.rid, (uint16_t)reg, size);
}

static inline void vfx_cfg_wr(struct vfx *fx, unsigned reg, unsigned size, uint32_t v)
{
	pci_bus_config_write(fx->pbus, fx->vp->pci.rid, (uint16_t)reg, size, v);
}

/* Everything the model holds after vfx_setup(): fx itself, what
 * pci_bus_new() and vfio_pci_new() allocated (the bus, the function, its
 * MSI-X table, PBA and irqfd flags, the reset snapshots) and the fake
 * device's bytes; nothing else is allocated until vfx_teardown() (the
 * BARs' mmaps are made once, by vfio_pci_new). */
struct vfx_ckpt {
	struct pci_bus bus;
	struct vfio_pci vp;
	struct msix_vector vec[VFX_NVEC];
	uint64_t pba[1];
	bool msix_irqfd[VFX_NVEC];
	uint8_t reset_cfg[2][PCI_CFG_SPACE_EXP_SIZE]; /* the function's, the host bridge's */
	uint8_t file[VFX_FILE_SZ];
	struct vfx fx; /* last: it ends with a flexible array (last_irqs) */
};

/* Save fx, just set up, in ck. 0, or -1 if ck cannot hold it. */
static inline int vfx_save(const struct vfx *fx, struct vfx_ckpt *ck)
{
	const struct pci_dev *d = &fx->vp->pci;

	if (d->msix.nvec != VFX_NVEC || msix_pba_size(d->msix.nvec) > sizeof(ck->pba) ||
	    d->msi.nvec > VFX_MSI_NVEC || !d->reset_cfg || !fx->vp->msix_irqfd)
		return -1;
	memcpy(&ck->fx, fx, sizeof(*fx));
	memcpy(&ck->bus, fx->pbus, sizeof(ck->bus));
	memcpy(&ck->vp, fx->vp, sizeof(ck->vp));
	memcpy(ck->vec, d->msix.vec, sizeof(ck->vec));
	memcpy(ck->pba, d->msix.pba, msix_pba_size(d->msix.nvec));
	memcpy(ck->msix_irqfd, fx->vp->msix_irqfd, sizeof(ck->msix_irqfd));
	memcpy(ck->reset_cfg[0], d->reset_cfg, PCI_CFG_SPACE_EXP_SIZE);
	memcpy(ck->reset_cfg[1], fx->pbus->host.reset_cfg, PCI_CFG_SPACE_EXP_SIZE);
	memcpy(ck->file, fx->map, VFX_FILE_SZ);
	return 0;
}

/* Bring fx back to the state saved in ck by vfx_save(fx, ck) (every byte
 * of it, the allocations and mmaps where they are), as a new vfx_setup()
 * would, without allocating or opening anything: the fake device's pages
 * that differ are written back, the vectors' eventfds are emptied. For a
 * fuzz target, between inputs. 0, or -1 (errno) if the device or an
 * eventfd cannot be restored. */
static inline int vfx_restore(struct vfx *fx, const struct vfx_ckpt *ck)
{
	struct vfio_pci *vp = fx->vp;
	struct pci_dev *d = &vp->pci;
	struct pollfd pfd[VFX_NVEC + VFX_MSI_NVEC];
	unsigned n = 0;

	memcpy(fx, &ck->fx, sizeof(*fx));
	memcpy(fx->pbus, &ck->bus, sizeof(ck->bus));
	memcpy(vp, &ck->vp, sizeof(*vp));
	memcpy(d->msix.vec, ck->vec, sizeof(ck->vec));
	memcpy(d->msix.pba, ck->pba, msix_pba_size(d->msix.nvec));
	memcpy(vp->msix_irqfd, ck->msix_irqfd, sizeof(ck->msix_irqfd));
	memcpy(d->reset_cfg, ck->reset_cfg[0], PCI_CFG_SPACE_EXP_SIZE);
	memcpy(fx->pbus->host.reset_cfg, ck->reset_cfg[1], PCI_CFG_SPACE_EXP_SIZE);
	for (uint64_t off = 0; off < VFX_FILE_SZ; off += 0x1000)
		if (memcmp(fx->map + off, ck->file + off, 0x1000) &&
		    pwrite(fx->memfd, ck->file + off, 0x1000, (off_t)off) != 0x1000)
			return -1;
	for (unsigned v = 0; v < d->msix.nvec; v++)
		if (d->msix.vec[v].iv.efd >= 0)
			pfd[n++] = (struct pollfd){.fd = d->msix.vec[v].iv.efd, .events = POLLIN};
	for (unsigned v = 0; v < d->msi.nvec; v++)
		if (d->msi.vec[v].efd >= 0)
			pfd[n++] = (struct pollfd){.fd = d->msi.vec[v].efd, .events = POLLIN};
	return fuzz_drain_eventfds(pfd, n);
}

#endif /* TESTS_FUZZ_VFIO_FIXTURE_H */
