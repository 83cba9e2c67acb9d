// SPDX-License-Identifier: MIT
/* The mmap-able parts of a VFIO function's BARs as KVM memory slots that
 * follow the guest's BAR placement and decode enables. */
#include <errno.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "devices/vfio/pci_internal.h"
#include "vmm/log.h"

#define PAGE 4096ull

/* Add the piece [lo, hi) of map m (page-aligned) to bar b. */
static void piece_add(struct vfio_pci_bar *b, const struct vfio_pci_map *m, uint64_t lo,
		      uint64_t hi, unsigned *next_slot)
{
	if (hi <= lo || b->nr_pieces == VFIO_PCI_PIECES)
		return;
	b->piece[b->nr_pieces++] = (struct vfio_pci_piece){
		.off = lo,
		.size = hi - lo,
		.host = (uint8_t *)m->host + (lo - m->off),
		.slot = (*next_slot)++,
	};
}

/* Cut map m around the page-rounded window [wlo, whi) (the MSI-X table or
 * PBA); the parts outside go on to cut_pba / become pieces. */
static void cut(struct vfio_pci_bar *b, const struct vfio_pci_map *m, uint64_t lo, uint64_t hi,
		const uint64_t *win, unsigned nwin, unsigned *next_slot)
{
	if (!nwin) {
		piece_add(b, m, lo, hi, next_slot);
		return;
	}
	if (win[1] <= lo || win[0] >= hi) {
		cut(b, m, lo, hi, win + 2, nwin - 1, next_slot);
		return;
	}
	cut(b, m, lo, MAX(lo, win[0]), win + 2, nwin - 1, next_slot);
	cut(b, m, MIN(hi, win[1]), hi, win + 2, nwin - 1, next_slot);
}

static int bar_prepare(struct vfio_pci *vp, unsigned i, unsigned *next_slot, char *err,
		       size_t errlen)
{
	const struct vfio_region *r = &vp->dev.region[i];
	struct vfio_pci_bar *b = &vp->bar[i];
	const struct msix *mx = &vp->pci.msix;
	uint64_t win[4];
	unsigned nwin = 0;

	if (mx->nvec && mx->table_bar == i) {
		win[2 * nwin] = ALIGN_DOWN(mx->table_off, PAGE);
		win[2 * nwin++ + 1] = ALIGN_UP(mx->table_off + msix_table_size(mx->nvec), PAGE);
	}
	if (mx->nvec && mx->pba_bar == i) {
		win[2 * nwin] = ALIGN_DOWN(mx->pba_off, PAGE);
		win[2 * nwin++ + 1] = ALIGN_UP(mx->pba_off + msix_pba_size(mx->nvec), PAGE);
	}
	for (unsigned a = 0; a < r->nr_areas; a++) {
		struct vfio_pci_map *m = &b->map[b->nr_maps];
		uint64_t off = r->area[a].offset, size = r->area[a].size;

		if (!size || off % PAGE || size % PAGE || off > r->size || size > r->size - off)
			continue; /* not page-granular: trapped instead */
		m->host = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, vp->dev.fd,
			       (off_t)(r->offset + off));
		if (m->host == MAP_FAILED) {
			snprintf(err, errlen, "%s: cannot mmap BAR %u: %s", vp->dev.name, i,
				 strerror(errno));
			m->host = NULL;
			return -errno;
		}
		m->off = off;
		m->size = size;
		b->nr_maps++;
		cut(b, m, off, off + size, win, nwin, next_slot);
	}
	return 0;
}

int vfio_pci_bars_prepare(struct vfio_pci *vp, unsigned *next_slot, char *err, size_t errlen)
{
	for (unsigned i = 0; i < PCI_STD_NUM_BARS; i++) {
		const struct pci_bar *pb = &vp->pci.bar[i];
		int ret;

		if (pb->type != PCI_BAR_MEM32 && pb->type != PCI_BAR_MEM64)
			continue;
		if (!(vp->dev.region[i].flags & VFIO_REGION_INFO_FLAG_MMAP))
			continue;
		ret = bar_prepare(vp, i, next_slot, err, errlen);
		if (ret)
			return ret;
	}
	return 0;
}

static int slot_set(struct vfio_pci *vp, struct vfio_pci_piece *p, uint64_t gpa, bool on)
{
	struct kvm_userspace_memory_region r = {
		.slot = p->slot,
		.guest_phys_addr = gpa,
		.memory_size = on ? p->size : 0,
		.userspace_addr = (uintptr_t)p->host,
	};

	if (vp->vm_fd < 0)
		return 0;
	return ioctl(vp->vm_fd, KVM_SET_USER_MEMORY_REGION, &r) < 0 ? -errno : 0;
}

void vfio_pci_bar_map(struct pci_dev *d, unsigned bar, uint64_t addr, bool mapped)
{
	struct vfio_pci *vp = d->opaque;
	struct vfio_pci_bar *b = &vp->bar[bar];

	for (unsigned i = 0; i < b->nr_pieces; i++) {
		struct vfio_pci_piece *p = &b->piece[i];

		if (p->on && slot_set(vp, p, 0, false) == 0)
			p->on = false;
		if (!mapped)
			continue;
		if (slot_set(vp, p, addr + p->off, true))
			/* The accesses are trapped and forwarded instead. The
			 * guest places BARs: a few lines, not one per move. */
			log_guest_limited(3, "vfio %s: BAR %u at %#llx: no KVM slot: %s",
					  vp->dev.name, bar, (unsigned long long)(addr + p->off),
					  strerror(errno));
		else
			p->on = true;
	}
	pthread_mutex_lock(&vp->bar_lock);
	b->gpa = addr;
	b->mapped = mapped;
	pthread_mutex_unlock(&vp->bar_lock);
}

void vfio_pci_bars_release(struct vfio_pci *vp)
{
	for (unsigned i = 0; i < PCI_STD_NUM_BARS; i++) {
		struct vfio_pci_bar *b = &vp->bar[i];

		for (unsigned j = 0; j < b->nr_pieces; j++)
			if (b->piece[j].on)
				(void)slot_set(vp, &b->piece[j], 0, false);
		for (unsigned j = 0; j < b->nr_maps; j++)
			if (b->map[j].host)
				munmap(b->map[j].host, b->map[j].size);
		pthread_mutex_lock(&vp->bar_lock);
		*b = (struct vfio_pci_bar){0};
		pthread_mutex_unlock(&vp->bar_lock);
	}
}

void *vfio_pci_bar_host(struct vfio_pci *vp, gpa_t gpa, uint64_t len)
{
	void *host = NULL;

	pthread_mutex_lock(&vp->bar_lock);
	for (unsigned i = 0; i < PCI_STD_NUM_BARS && !host; i++) {
		const struct vfio_pci_bar *b = &vp->bar[i];

		if (!b->mapped || gpa.a < b->gpa)
			continue;
		/* The pieces: what the guest may reach, without the MSI-X
		 * table and PBA pages that the maps also hold. */
		for (unsigned j = 0; j < b->nr_pieces; j++) {
			const struct vfio_pci_piece *p = &b->piece[j];
			uint64_t off = gpa.a - b->gpa;

			if (off >= p->off && off - p->off < p->size &&
			    len <= p->size - (off - p->off)) {
				host = (uint8_t *)p->host + (off - p->off);
				break;
			}
		}
	}
	pthread_mutex_unlock(&vp->bar_lock);
	return host;
}
