// SPDX-License-Identifier: MIT
/* Guest IOMMU events to host maps: see mirror.h. */
#include <errno.h>
#include <string.h>

#include "devices/vfio/mirror.h"
#include "vmm/log.h"

int vfio_map_ram(struct host_dma *h, const struct guest_mem *mem)
{
	for (unsigned i = 0; i < mem->nr; i++) {
		const struct mem_region *r = &mem->r[i];
		int ret = host_dma_map(h, r->base.a, r->host, r->size,
				       HOST_DMA_READ | HOST_DMA_WRITE);

		atomic_fetch_add(&h->identity_maps, 1);
		if (ret) {
			while (i--)
				(void)host_dma_unmap(h, mem->r[i].base.a, mem->r[i].size);
			return ret;
		}
	}
	return 0;
}

void vfio_unmap_ram(struct host_dma *h, const struct guest_mem *mem)
{
	for (unsigned i = 0; i < mem->nr; i++)
		(void)host_dma_unmap(h, mem->r[i].base.a, mem->r[i].size);
}

void vfio_mirror_init(struct vfio_mirror *m, struct host_dma *h, const struct guest_mem *mem,
		      struct gpa_host gh, const char *name)
{
	*m = (struct vfio_mirror){.h = h, .mem = mem, .gh = gh, .name = name};
	m->n.notify = vfio_mirror_notify;
	m->n.opaque = m;
}

static void refused(struct vfio_mirror *m, const char *what, uint64_t iova, uint64_t len, int err)
{
	if (m->warned)
		return;
	m->warned = true;
	log_warn("vfio %s: the host refused %s of IOVA %#llx+%#llx: %s (the guest's request "
		 "fails; logged once)",
		 m->name, what, (unsigned long long)iova, (unsigned long long)len, strerror(-err));
}

static int mirror_map(struct vfio_mirror *m, const struct iova_mapping *im)
{
	uint64_t len = im->last.a - im->first.a + 1;
	unsigned perm = (im->flags & IOMMU_MAP_READ ? HOST_DMA_READ : 0) |
			(im->flags & IOMMU_MAP_WRITE ? HOST_DMA_WRITE : 0);
	void *host = m->gh.host(m->gh.opaque, im->gpa, len);
	int ret;

	if (!perm)
		return 0; /* nothing the device may do: nothing to map */
	if (!host) {
		refused(m, "a map of memory that is neither RAM nor a device BAR", im->first.a, len,
			-EFAULT);
		return -EFAULT;
	}
	ret = host_dma_map(m->h, im->first.a, host, len, perm);
	if (ret)
		refused(m, "a map", im->first.a, len, ret);
	return ret;
}

int vfio_mirror_notify(void *opaque, const struct iommu_event *ev)
{
	struct vfio_mirror *m = opaque;
	int ret;

	switch (ev->type) {
	case IOMMU_EVENT_MAP: return mirror_map(m, &ev->m);
	case IOMMU_EVENT_UNMAP:
		if (ev->m.flags & (IOMMU_MAP_READ | IOMMU_MAP_WRITE))
			(void)host_dma_unmap(m->h, ev->m.first.a, ev->m.last.a - ev->m.first.a + 1);
		return 0;
	case IOMMU_EVENT_BYPASS_ON:
		if (m->bypass)
			return 0;
		ret = vfio_map_ram(m->h, m->mem);
		if (ret)
			refused(m, "identity over RAM", 0, m->mem->ram_size, ret);
		m->bypass = !ret;
		return ret;
	case IOMMU_EVENT_BYPASS_OFF:
		if (m->bypass)
			vfio_unmap_ram(m->h, m->mem);
		m->bypass = false;
		return 0;
	}
	return 0;
}
