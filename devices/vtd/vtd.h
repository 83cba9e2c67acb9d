/* SPDX-License-Identifier: MIT */
/* An emulated Intel VT-d DMA-remapping unit (VT-d rev. 4, legacy mode; no
 * interrupt remapping, no scalable mode): its register page, root and
 * context tables, second-level page tables, register-based and queued
 * invalidation, fault recording and the fault and invalidation-completion
 * interrupts. It drives the IOMMU core (iommu/iommu.h): each device behind
 * it is a core endpoint; a context entry attaches the endpoint to a core
 * domain per guest domain ID (pass-through: to a bypass domain; not present:
 * blocked); the core's domain mappings are the IOTLB, filled from the guest's
 * page tables on a translation miss (and, with caching mode, when the guest
 * invalidates a range), emptied by invalidations. Translation disabled is the
 * core's global bypass.
 *
 * With an event log, the unit logs its faults, its invalidations and what
 * its core caches and drops; with check_invalidation too, every translation
 * served from the cache is walked again in the guest's tables and a
 * difference is logged as a missed invalidation (check.c). */
#ifndef DEVICES_VTD_VTD_H
#define DEVICES_VTD_VTD_H

#include "iommu/evlog.h"
#include "iommu/iommu.h"
#include "vmm/acpi.h"
#include "vmm/bus.h"
#include "vmm/irq.h"

#define VTD_REGS_SIZE 0x1000 /* the register page */

struct vtd_params {
	const struct guest_mem *mem; /* where the guest's tables and queue live */
	struct msi_sink msi;	     /* the unit's own interrupts (not remapped) */
	bool caching_mode;	     /* CAP.CM */
	unsigned aw_bits;	     /* 39 or 48: MGAW, and the widest SAGAW */
	struct evlog *log;	     /* --iommu-log (iommu/evlog.h), or NULL */
	bool check_invalidation;     /* re-walk every cached translation (needs log) */
};

struct vtd;

/* Create a unit in its reset state (translation off: DMA is identity).
 * 0 and *out; -EINVAL for bad params; -ENOMEM. */
int vtd_new(const struct vtd_params *p, struct vtd **out) __must_check;

/* Free the unit and its IOMMU core (no device thread may translate any
 * more). NULL is fine. */
void vtd_free(struct vtd *v);

/* Put requester rid (bus 0) behind the unit; as may be NULL. 0, -EEXIST,
 * -ENOSPC (too many endpoints) or -ENOMEM. */
int vtd_endpoint_add(struct vtd *v, uint16_t rid, struct dma_as *as) __must_check;

/* The IOMMU core the unit drives (for notifier consumers and tests). */
struct iommu *vtd_iommu(struct vtd *v);

/* The register page's MMIO handlers; register VTD_REGS_SIZE bytes with the
 * unit as opaque. Thread-safe. */
extern const struct bus_ops vtd_mmio_ops;

/* The ACPI DMAR table for this unit at base (one DRHD, INCLUDE_PCI_ALL);
 * v must outlive acpi_build(). */
struct acpi_ext vtd_acpi_ext(struct vtd *v, uint64_t base);

#endif
