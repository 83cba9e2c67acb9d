// SPDX-License-Identifier: MIT
/* The virtio-pci modern transport and split virtqueues (see virtio.h). */
#include "virtio.h"

#include "io.h"
#include "report.h"
#include "string.h"
#include "tsc.h"

#define POOL_SIZE   (2u << 20)
#define PAGE	    4096u
#define RESET_POLLS 100000

static uint8_t pool[POOL_SIZE] __attribute__((aligned(PAGE)));
static size_t pool_used;

void *virtio_alloc(size_t size, size_t align)
{
	size_t at = (pool_used + align - 1) & ~(align - 1);

	if (at > POOL_SIZE || size > POOL_SIZE - at)
		report_bail("virtio_alloc: pool exhausted (%zu + %zu bytes)", at, size);
	pool_used = at + size;
	memset(pool + at, 0, size);
	return pool + at;
}

static iova_t identity_map(void *ctx, uint64_t gpa, uint64_t len, bool dev_writes)
{
	(void)ctx, (void)len, (void)dev_writes;
	return gpa;
}

static void identity_unmap(void *ctx, iova_t iova, uint64_t len)
{
	(void)ctx, (void)iova, (void)len;
}

const struct virtio_dma virtio_dma_identity = {
	.name = "identity",
	.map = identity_map,
	.unmap = identity_unmap,
};

iova_t virtio_dma_map(struct virtio_pci *d, const void *p, uint64_t len, bool dev_writes)
{
	return d->dma->map(d->dma->ctx, virt_to_phys(p), len, dev_writes);
}

/* ---- capabilities and the function ------------------------------------ */

unsigned virtio_read_caps(uint16_t bdf, struct virtio_cap *caps, unsigned max)
{
	unsigned n = 0;

	for (unsigned i = 0; i < PCI_MAX_CAPS; i++) {
		uint8_t pos = pci_cap_find(bdf, PCI_CAP_ID_VNDR, i);
		struct virtio_cap c;

		if (!pos)
			break;
		c.pos = pos;
		c.len = pci_read8(bdf, pos + VIRTIO_PCI_CAP_LEN);
		c.cfg_type = pci_read8(bdf, pos + VIRTIO_PCI_CAP_CFG_TYPE);
		c.bar = pci_read8(bdf, pos + VIRTIO_PCI_CAP_BAR);
		c.offset = pci_read32(bdf, pos + VIRTIO_PCI_CAP_OFFSET);
		c.length = pci_read32(bdf, pos + VIRTIO_PCI_CAP_LENGTH);
		c.notify_mult = 0;
		if (c.cfg_type == VIRTIO_PCI_CAP_NOTIFY_CFG && c.len >= 20)
			c.notify_mult = pci_read32(bdf, pos + VIRTIO_PCI_NOTIFY_CAP_MULT);
		if (n < max)
			caps[n] = c;
		n++;
	}
	return n;
}

static bool virtio_type_of(const struct pci_func *f, uint16_t *type)
{
	if (f->vendor != VIRTIO_PCI_VENDOR || f->header_type != PCI_HEADER_TYPE_NORMAL)
		return false;
	if (f->device >= 0x1040 && f->device <= 0x107f) {
		*type = f->device - 0x1040;
		return true;
	}
	if (f->device >= 0x1000 && f->device <= 0x103f) {
		*type = pci_read16(f->bdf, PCI_SUBSYSTEM_ID);
		return true;
	}
	return false;
}

static bool find_function(uint16_t type, unsigned instance, struct pci_func *out)
{
	struct pci_func f[64];
	unsigned n = pci_scan_bus(pci_cfg, 0, f, ARRAY_SIZE(f));
	uint16_t t;

	for (unsigned i = 0; i < n && i < ARRAY_SIZE(f); i++) {
		if (virtio_type_of(&f[i], &t) && t == type && instance-- == 0) {
			*out = f[i];
			return true;
		}
	}
	return false;
}

/* The MMIO address of a structure, checked against its BAR's size. */
static uint64_t cap_addr(uint16_t bdf, const struct virtio_cap *c, uint32_t min_len)
{
	struct pci_bar b;

	if (c->bar >= PCI_NR_BARS || c->length < min_len)
		return 0;
	if (!pci_bar_size(bdf, c->bar, &b) || b.io || !b.addr)
		return 0;
	if (c->offset > b.size || c->length > b.size - c->offset)
		return 0;
	return b.addr + c->offset;
}

/* Use the first structure of each type this driver supports (4.1.4). */
static int map_caps(struct virtio_pci *d, const struct virtio_cap *caps, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		const struct virtio_cap *c = &caps[i];
		uint64_t a;

		switch (c->cfg_type) {
		case VIRTIO_PCI_CAP_COMMON_CFG:
			if (!d->common && (a = cap_addr(d->pci.bdf, c, 56)) != 0) {
				d->common = a;
				d->common_len = c->length;
			}
			break;
		case VIRTIO_PCI_CAP_NOTIFY_CFG:
			if (!d->notify_base && c->len >= 20 &&
			    (a = cap_addr(d->pci.bdf, c, 2)) != 0) {
				d->notify_base = a;
				d->notify_len = c->length;
				d->notify_mult = c->notify_mult;
			}
			break;
		case VIRTIO_PCI_CAP_ISR_CFG:
			if (!d->isr && (a = cap_addr(d->pci.bdf, c, 1)) != 0) {
				d->isr = a;
				d->isr_len = c->length;
			}
			break;
		case VIRTIO_PCI_CAP_DEVICE_CFG:
			if (!d->device && (a = cap_addr(d->pci.bdf, c, 1)) != 0) {
				d->device = a;
				d->device_len = c->length;
			}
			break;
		}
	}
	return d->common && d->notify_base && d->isr ? 0 : -1;
}

/* Give every BAR the structures (and the MSI-X table) live in an address
 * below 4 GiB when it has none. */
static void place_bars(struct virtio_pci *d, const struct virtio_cap *caps, unsigned n)
{
	uint16_t bdf = d->pci.bdf;
	uint8_t msix = pci_cap_find(bdf, PCI_CAP_ID_MSIX, 0);
	uint64_t a;

	for (unsigned i = 0; i < n; i++) {
		a = caps[i].bar < PCI_NR_BARS ? pci_bar_addr(bdf, caps[i].bar) : 1;
		if (!a || a >= 0x100000000ull)
			pci_bar_place(bdf, caps[i].bar);
	}
	for (unsigned k = 0; msix && k < 2; k++) {
		unsigned bir = pci_read32(bdf, msix + PCI_MSIX_TABLE + 4 * k) & PCI_MSIX_TABLE_BIR;

		a = bir < PCI_NR_BARS ? pci_bar_addr(bdf, bir) : 1;
		if (!a || a >= 0x100000000ull)
			pci_bar_place(bdf, bir);
	}
}

int virtio_pci_open(struct virtio_pci *d, uint16_t type, unsigned instance)
{
	struct virtio_cap caps[16];
	unsigned n;

	memset(d, 0, sizeof(*d));
	d->dma = &virtio_dma_identity;
	if (pci_init() || !find_function(type, instance, &d->pci))
		return -1;
	d->type = type;
	n = virtio_read_caps(d->pci.bdf, caps, ARRAY_SIZE(caps));
	if (n > ARRAY_SIZE(caps))
		n = ARRAY_SIZE(caps);
	pci_command(d->pci.bdf, 0, PCI_COMMAND_MEMORY);
	place_bars(d, caps, n);
	pci_command(d->pci.bdf, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER, 0);
	if (map_caps(d, caps, n))
		return -1;
	d->has_msix = msix_init(&d->msix, d->pci.bdf) == 0 && d->msix.table;
	for (unsigned q = 0; q < VIRTIO_MAX_VQS; q++) {
		d->vq[q].dev = d;
		d->vq[q].index = (uint16_t)q;
	}
	return 0;
}

/* ---- common configuration ---------------------------------------------- */

static uint64_t common(struct virtio_pci *d, unsigned off)
{
	return d->common + off;
}

uint8_t virtio_status(struct virtio_pci *d)
{
	return mmio_read8(common(d, VIRTIO_PCI_COMMON_STATUS));
}

void virtio_set_status(struct virtio_pci *d, uint8_t status)
{
	mmio_write8(common(d, VIRTIO_PCI_COMMON_STATUS), status);
}

uint8_t virtio_isr(struct virtio_pci *d)
{
	return mmio_read8(d->isr);
}

uint16_t virtio_num_queues(struct virtio_pci *d)
{
	return mmio_read16(common(d, VIRTIO_PCI_COMMON_NUMQ));
}

bool virtio_reset(struct virtio_pci *d)
{
	virtio_set_status(d, 0);
	for (int i = 0; i < RESET_POLLS; i++) {
		if (virtio_status(d) == 0)
			return true;
		cpu_relax();
	}
	return false;
}

int virtio_negotiate(struct virtio_pci *d, uint64_t want)
{
	uint64_t accept;

	virtio_reset(d);
	for (unsigned q = 0; q < VIRTIO_MAX_VQS; q++)
		d->vq[q].size = 0;
	virtio_set_status(d, VIRTIO_CONFIG_S_ACKNOWLEDGE);
	virtio_set_status(d, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER);
	mmio_write32(common(d, VIRTIO_PCI_COMMON_DFSELECT), 0);
	d->offered = mmio_read32(common(d, VIRTIO_PCI_COMMON_DF));
	mmio_write32(common(d, VIRTIO_PCI_COMMON_DFSELECT), 1);
	d->offered |= (uint64_t)mmio_read32(common(d, VIRTIO_PCI_COMMON_DF)) << 32;
	if (!(d->offered & BIT_ULL(VIRTIO_F_VERSION_1)))
		return -1;
	accept = d->offered &
		 (want | BIT_ULL(VIRTIO_F_VERSION_1) | BIT_ULL(VIRTIO_F_ACCESS_PLATFORM));
	mmio_write32(common(d, VIRTIO_PCI_COMMON_GFSELECT), 0);
	mmio_write32(common(d, VIRTIO_PCI_COMMON_GF), (uint32_t)accept);
	mmio_write32(common(d, VIRTIO_PCI_COMMON_GFSELECT), 1);
	mmio_write32(common(d, VIRTIO_PCI_COMMON_GF), (uint32_t)(accept >> 32));
	d->features = accept;
	virtio_set_status(d, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER |
				     VIRTIO_CONFIG_S_FEATURES_OK);
	if (!(virtio_status(d) & VIRTIO_CONFIG_S_FEATURES_OK)) {
		virtio_set_status(d, virtio_status(d) | VIRTIO_CONFIG_S_FAILED);
		return -1;
	}
	return 0;
}

void virtio_driver_ok(struct virtio_pci *d)
{
	virtio_set_status(d, virtio_status(d) | VIRTIO_CONFIG_S_DRIVER_OK);
}

uint16_t virtio_config_vector(struct virtio_pci *d, uint16_t entry)
{
	mmio_write16(common(d, VIRTIO_PCI_COMMON_MSIX), entry);
	return mmio_read16(common(d, VIRTIO_PCI_COMMON_MSIX));
}

static void write64(uint64_t lo_addr, uint64_t v)
{
	mmio_write32(lo_addr, (uint32_t)v);
	mmio_write32(lo_addr + 4, (uint32_t)(v >> 32));
}

static int setup(struct virtio_pci *d, unsigned q, uint16_t size, uint16_t msix_entry,
		 bool any_size)
{
	struct virtq *vq = &d->vq[q];
	uint16_t max, noff;

	_Static_assert(VIRTQ_MAX_SIZE * sizeof(struct vring_desc) <= PAGE, "desc page");
	_Static_assert(8 * VIRTQ_MAX_SIZE + 6 <= PAGE, "used page");
	if (q >= VIRTIO_MAX_VQS)
		return -1;
	mmio_write16(common(d, VIRTIO_PCI_COMMON_Q_SELECT), (uint16_t)q);
	max = mmio_read16(common(d, VIRTIO_PCI_COMMON_Q_SIZE));
	if (!max)
		return -1;
	if (!size)
		size = max < VIRTQ_MAX_SIZE ? max : VIRTQ_MAX_SIZE;
	if (size > max || size > VIRTQ_MAX_SIZE || (!any_size && (size & (size - 1))))
		return -1;
	if (!vq->ring_mem)
		vq->ring_mem = virtio_alloc(3 * PAGE, PAGE);
	virtq_ring_reset(vq, size);
	vq->desc_iova = virtio_dma_map(d, vq->desc, 16u * size, false);
	vq->avail_iova = virtio_dma_map(d, vq->avail, 6u + 2u * size, false);
	vq->used_iova = virtio_dma_map(d, vq->used, 6u + 8u * size, true);
	if (vq->desc_iova == IOVA_INVALID || vq->avail_iova == IOVA_INVALID ||
	    vq->used_iova == IOVA_INVALID)
		return -1;
	mmio_write16(common(d, VIRTIO_PCI_COMMON_Q_SIZE), size);
	mmio_write16(common(d, VIRTIO_PCI_COMMON_Q_MSIX), msix_entry);
	vq->msix_vector = mmio_read16(common(d, VIRTIO_PCI_COMMON_Q_MSIX));
	if (vq->msix_vector != msix_entry)
		return -1;
	write64(common(d, VIRTIO_PCI_COMMON_Q_DESCLO), vq->desc_iova);
	write64(common(d, VIRTIO_PCI_COMMON_Q_AVAILLO), vq->avail_iova);
	write64(common(d, VIRTIO_PCI_COMMON_Q_USEDLO), vq->used_iova);
	noff = mmio_read16(common(d, VIRTIO_PCI_COMMON_Q_NOFF));
	vq->notify = d->notify_base + (uint64_t)noff * d->notify_mult;
	if ((uint64_t)noff * d->notify_mult + 2 > d->notify_len)
		return -1;
	mmio_write16(common(d, VIRTIO_PCI_COMMON_Q_ENABLE), 1);
	return 0;
}

int virtq_setup(struct virtio_pci *d, unsigned q, uint16_t size, uint16_t msix_entry)
{
	return setup(d, q, size, msix_entry, false);
}

int virtq_setup_any_size(struct virtio_pci *d, unsigned q, uint16_t size, uint16_t msix_entry)
{
	return setup(d, q, size, msix_entry, true);
}

int virtio_init(struct virtio_pci *d, uint64_t want, unsigned nr)
{
	if (virtio_negotiate(d, want))
		return -1;
	for (unsigned q = 0; q < nr; q++) {
		if (virtq_setup(d, q, 0, VIRTIO_MSI_NO_VECTOR))
			return -1;
	}
	virtio_driver_ok(d);
	return 0;
}

/* ---- device configuration ---------------------------------------------- */

static uint8_t generation(struct virtio_pci *d)
{
	return mmio_read8(common(d, VIRTIO_PCI_COMMON_CFGGENERATION));
}

static uint64_t cfg_read(struct virtio_pci *d, unsigned off, unsigned size)
{
	uint64_t v = 0;
	uint8_t g;

	if (!d->device || off + size > d->device_len)
		return ~0ull;
	for (int tries = 0; tries < 16; tries++) {
		g = generation(d);
		switch (size) {
		case 1: v = mmio_read8(d->device + off); break;
		case 2: v = mmio_read16(d->device + off); break;
		case 4: v = mmio_read32(d->device + off); break;
		default:
			v = mmio_read32(d->device + off) |
			    (uint64_t)mmio_read32(d->device + off + 4) << 32;
		}
		if (generation(d) == g)
			break;
	}
	return v;
}

uint8_t virtio_cfg8(struct virtio_pci *d, unsigned off)
{
	return (uint8_t)cfg_read(d, off, 1);
}

uint16_t virtio_cfg16(struct virtio_pci *d, unsigned off)
{
	return (uint16_t)cfg_read(d, off, 2);
}

uint32_t virtio_cfg32(struct virtio_pci *d, unsigned off)
{
	return (uint32_t)cfg_read(d, off, 4);
}

uint64_t virtio_cfg64(struct virtio_pci *d, unsigned off)
{
	return cfg_read(d, off, 8);
}
