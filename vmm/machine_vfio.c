// SPDX-License-Identifier: MIT
/* The builder's VFIO steps: open the --device functions, size the
 * virtio-iommu to what the host IOMMU can honour, plug the functions, and
 * wire their DMA: identity over RAM, or a mirror of the guest's IOMMU view
 * (devices/vfio/mirror.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include "devices/pci/pci.h"
#include "devices/vfio/vfio_pci.h"
#include "devices/virtio/iommu.h"
#include "devices/virtio/pci.h"
#include "devices/vtd/vtd.h"
#include "vmm/exit_codes.h"
#include "vmm/log.h"
#include "vmm/machine.h"

#define ERRLEN 256

static bool behind_viommu(const struct machine *m, unsigned i)
{
	return m->cfg->iommu != IOMMU_NONE && m->cfg->vfio[i].pci.iommu;
}

/* Pinned pages count against RLIMIT_MEMLOCK once the capabilities are gone
 * (no CAP_IPC_LOCK), in each container that maps them: raise the limit now,
 * while we may, to RAM times the containers. */
static int memlock_raise(struct machine *m, char *err)
{
	rlim_t need = (rlim_t)m->vm.mem.ram_size * m->vfio_ctx.nr_c;
	struct rlimit rl;

	if (getrlimit(RLIMIT_MEMLOCK, &rl))
		return 0;
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur >= need)
		return 0;
	if (rl.rlim_cur == RLIM_INFINITY)
		return 0;
	rl.rlim_cur = need;
	if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < need)
		rl.rlim_max = need;
	if (setrlimit(RLIMIT_MEMLOCK, &rl)) {
		getrlimit(RLIMIT_MEMLOCK, &rl);
		snprintf(err, ERRLEN,
			 "--device: RLIMIT_MEMLOCK is %llu KiB, passthrough pins up to %llu KiB "
			 "and the limit cannot be raised (%s): raise it (ulimit -l) or give "
			 "CAP_SYS_RESOURCE",
			 (unsigned long long)(rl.rlim_cur / 1024),
			 (unsigned long long)(need / 1024), strerror(errno));
		return machine_fail(VMM_EXIT_DEVICE, err);
	}
	return 0;
}

/* The host isolates IOMMU groups, not functions: the functions of one group
 * share one host address space. Behind a vIOMMU the guest would see them as
 * isolated from each other, and give each its own mappings, which the host
 * cannot keep apart. So a group gives a vIOMMU at most one function, and
 * none when another of its functions opts out (iommu=off): one address
 * space cannot be both the guest's RAM and a vIOMMU domain. QEMU refuses the
 * same ("group used in multiple address spaces"). */
static int vfio_groups_check(struct machine *m, char *err)
{
	for (unsigned i = 0; i < m->nr_vfio; i++)
		for (unsigned j = 0; j < i; j++) {
			if (m->vfio_dev[i].group != m->vfio_dev[j].group ||
			    (!behind_viommu(m, i) && !behind_viommu(m, j)))
				continue;
			snprintf(err, ERRLEN,
				 "--device: %s and %s are in one host IOMMU group (%d), which the "
				 "host cannot divide: a vIOMMU cannot show them as isolated; pass "
				 "one of them, or all of the group with iommu=off",
				 m->vfio_dev[j].name, m->vfio_dev[i].name,
				 m->vfio_dev[i].group->id);
			return machine_fail(VMM_EXIT_DEVICE, err);
		}
	return 0;
}

int machine_open_vfio(struct machine *m, char *err)
{
	for (unsigned i = 0; i < m->cfg->nr_vfio; i++) {
		if (vfio_dev_open(&m->vfio_ctx, m->cfg->vfio[i].path, !behind_viommu(m, i),
				  &m->vfio_dev[i], err, ERRLEN)) {
			vfio_dev_close(&m->vfio_dev[i]);
			return machine_fail(VMM_EXIT_DEVICE, err);
		}
		m->nr_vfio = i + 1;
	}
	if (!m->nr_vfio)
		return 0;
	return vfio_groups_check(m, err) ?: memlock_raise(m, err);
}

void machine_vfio_viommu_params(struct machine *m, uint64_t *input_last, uint64_t *page_mask)
{
	for (unsigned i = 0; i < m->vfio_ctx.nr_c; i++) {
		const struct host_dma *h = &m->vfio_ctx.c[i]->dma;
		uint64_t last = host_dma_last(h), fit = 0xfff;

		if (m->vfio_ctx.c[i]->identity)
			continue;
		/* The largest 2^n - 1 the host translates. */
		while (fit < last && (fit << 1 | 1) <= last)
			fit = fit << 1 | 1;
		if (fit < *input_last)
			*input_last = fit;
		*page_mask &= ~(host_dma_granule(h) - 1);
	}
}

/* Guest RAM first, then the passthrough devices' BARs (peer-to-peer). The
 * mirrors call it with the vIOMMU's locks held (the VT-d unit's among them):
 * vfio_pci_bar_host() takes only a function's bar_lock, a leaf. */
static void *gpa_to_host(void *opaque, gpa_t gpa, uint64_t len)
{
	struct machine *m = opaque;
	void *p = guest_mem_ptr(&m->vm.mem, gpa, len);

	for (unsigned i = 0; !p && i < m->nr_vfio; i++)
		if (m->vfio[i])
			p = vfio_pci_bar_host(m->vfio[i], gpa, len);
	return p;
}

/* Report the host's reserved IOVA ranges to the guest (PROBE) for rid; the
 * MSI window is reported already, as MSI. */
static int add_host_resv(struct machine *m, uint16_t rid, const struct host_dma *h, char *err)
{
	struct host_iova_range r[HOST_DMA_RANGES + 1];
	uint64_t last = m->viommu->cfg_init.input_range.end;
	unsigned n = host_dma_reserved(h, le64toh(last), r, HOST_DMA_RANGES + 1);

	for (unsigned i = 0; i < n; i++) {
		struct host_iova_range part[2] = {
			{r[i].first, MIN(r[i].last, VIRTIO_IOMMU_MSI_START - 1)},
			{MAX(r[i].first, VIRTIO_IOMMU_MSI_END + 1), r[i].last}};

		for (unsigned j = 0; j < 2; j++) {
			int ret;

			if (part[j].first > part[j].last || part[j].last < r[i].first ||
			    part[j].first > r[i].last)
				continue;
			ret = virtio_iommu_add_resv(m->viommu, rid,
						    VIRTIO_IOMMU_RESV_MEM_T_RESERVED, part[j].first,
						    part[j].last);
			if (ret) {
				snprintf(err, ERRLEN,
					 "--device: cannot report the host's reserved IOVAs "
					 "%#llx-%#llx: %s",
					 (unsigned long long)part[j].first,
					 (unsigned long long)part[j].last, strerror(-ret));
				return machine_fail(VMM_EXIT_DEVICE, err);
			}
		}
	}
	return 0;
}

/* Put function i behind the vIOMMU; it mirrors the guest's view into its
 * group's container (it is the group's only function behind the vIOMMU:
 * vfio_groups_check). */
static int wire_viommu(struct machine *m, unsigned i, char *err)
{
	struct vfio_pci *vp = m->vfio[i];
	struct vfio_group *g = vp->dev.group;
	struct iommu *io = m->viommu ? m->viommu->io : vtd_iommu(m->vtd);
	int ret;

	if (m->viommu) {
		ret = iommu_endpoint_add(io, vp->pci.rid, NULL);
		ret = ret ?: add_host_resv(m, vp->pci.rid, &g->c->dma, err);
		if (ret)
			return ret > 0 ? ret
				       : machine_fail(VMM_EXIT_HOST,
						      "--device: cannot join the IOMMU");
	} else if ((ret = machine_vtd_endpoint(m, &vp->pci, err))) {
		/* VT-d has no PROBE: the host's reserved IOVAs are refused when the
		 * guest maps them (logged once), as a real unit would fault. */
		return ret;
	}
	if (m->nr_mirrors == VFIO_MAX_GROUPS)
		return machine_fail(VMM_EXIT_DEVICE, "--device: too many IOMMU groups");
	struct vfio_mirror *mr = &m->mirror[m->nr_mirrors];

	/* A guest may map the same RAM at up to dma_entry_limit IOVAs; each
	 * costs the host pins and page tables, and an unlimited RLIMIT_MEMLOCK
	 * (or CAP_IPC_LOCK) does not stop it. Linux maps each buffer once, at
	 * most RAM at a time plus what its flush queues hold back: four times
	 * RAM is room enough, and a bound. */
	g->c->dma.budget = 4 * m->vm.mem.ram_size;
	vfio_mirror_init(mr, &g->c->dma, &m->vm.mem,
			 (struct gpa_host){.host = gpa_to_host, .opaque = m}, vp->dev.name);
	ret = iommu_notifier_add(io, vp->pci.rid, &mr->n);
	if (ret) {
		snprintf(err, ERRLEN, "%s: cannot map guest RAM for boot bypass: %s", vp->dev.name,
			 strerror(-ret));
		return machine_fail(VMM_EXIT_DEVICE, err);
	}
	m->nr_mirrors++;
	return 0;
}

int machine_add_vfio(struct machine *m, char *err)
{
	struct vfio_pci_params p = {
		.bus = m->pci, .vm_fd = m->vm.vm_fd, .next_slot = &m->next_slot};
	int ret;

	if (m->next_slot < m->vm.mem.nr)
		m->next_slot = m->vm.mem.nr;
	for (unsigned i = 0; i < m->nr_vfio; i++) {
		if (vfio_pci_new(&m->vfio_dev[i], &p, &m->vfio[i], err, ERRLEN))
			return machine_fail(VMM_EXIT_DEVICE, err);
		if (m->viommu && !behind_viommu(m, i))
			m->viot_skip[m->nr_viot_skip++] = m->vfio[i]->pci.rid;
		if (behind_viommu(m, i) && (ret = wire_viommu(m, i, err)))
			return ret;
	}
	for (unsigned i = 0; i < m->vfio_ctx.nr_c; i++) {
		struct vfio_container *c = m->vfio_ctx.c[i];

		if (c->identity && (ret = vfio_map_ram(&c->dma, &m->vm.mem))) {
			snprintf(err, ERRLEN, "--device: cannot map guest RAM for DMA: %s%s",
				 strerror(-ret),
				 ret == -ENOMEM ? " (RLIMIT_MEMLOCK too low?)" : "");
			return machine_fail(VMM_EXIT_DEVICE, err);
		}
	}
	return 0;
}

void machine_vfio_report(struct machine *m)
{
	uint64_t maps = 0, unmaps = 0, ident = 0;
	int64_t pinned = 0, avail = 0;

	for (unsigned i = 0; i < m->vfio_ctx.nr_c; i++) {
		struct host_dma *h = &m->vfio_ctx.c[i]->dma;
		int64_t a = h->ops->avail(h->opaque);

		log_warn("vfio: container %u (%s): host map_dma=%llu (%llu refused) unmap_dma=%llu "
			 "pinned=%lld dma_avail=%lld of %lld over_budget=%llu (budget %llu MiB)",
			 i, m->vfio_ctx.c[i]->identity ? "identity" : "vIOMMU mirror",
			 (unsigned long long)h->maps, (unsigned long long)h->map_errors,
			 (unsigned long long)h->unmaps, (long long)h->pinned, (long long)a,
			 (long long)h->avail0, (unsigned long long)h->over_budget,
			 (unsigned long long)(h->budget >> 20));
		maps += h->maps;
		ident += h->identity_maps;
		unmaps += h->unmaps;
		pinned += h->pinned;
		avail += a;
	}
	if (m->vfio_ctx.nr_c)
		log_warn("vfio: host map_dma=%llu unmap_dma=%llu pinned=%lld dma_avail=%lld "
			 "identity_maps=%llu",
			 (unsigned long long)maps, (unsigned long long)unmaps, (long long)pinned,
			 (long long)avail, (unsigned long long)ident);
	if (m->viommu)
		log_warn("virtio-iommu: map requests=%llu unmap requests=%llu",
			 (unsigned long long)m->viommu->map_requests,
			 (unsigned long long)m->viommu->unmap_requests);
	machine_vtd_report(m);
}

void machine_destroy_vfio(struct machine *m)
{
	for (unsigned i = 0; i < m->nr_vfio; i++) {
		if (m->vfio[i])
			vfio_pci_free(m->vfio[i]);
		else
			vfio_dev_close(&m->vfio_dev[i]);
		m->vfio[i] = NULL;
	}
	/* Whatever the guest left mapped goes now: the containers end empty. */
	for (unsigned i = 0; i < m->vfio_ctx.nr_c; i++)
		host_dma_unmap_all(&m->vfio_ctx.c[i]->dma);
	if (m->nr_vfio && log_verbose)
		machine_vfio_report(m);
	vfio_ctx_close(&m->vfio_ctx);
	m->nr_vfio = 0;
	m->nr_mirrors = 0;
}
