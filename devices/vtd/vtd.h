/* SPDX-License-Identifier: MIT */
/* An emulated Intel VT-d remapping unit (VT-d rev. 4, legacy mode; no
 * scalable mode, no posted interrupts): its register page, root and
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
 * difference is logged as a missed invalidation (check.c).
 *

 * Interrupt remapping (ECAP.IR, and ECAP.EIM for 32-bit x2APIC
 * destinations): every interrupt of the devices behind the unit (the
 * IOAPIC's, emulated and VFIO MSI/MSI-X) passes vtd_ir_translate(), which
 * reads the guest's interrupt remapping table entry (nothing is cached) and
 * builds the remapped message, or blocks the interrupt and records a fault
 * (reasons 0x20..0x26, the interrupt index in FRCD bits 63:48, none when the
 * IRTE says FPD). Interrupts sent one by one go through vtd_ir_sink();
 * irqfd-backed vectors have a KVM route that holds the remapped message,
 * installed through vtd_ir_router(); a blocked vector stays unrouted and
 * its fault is recorded when it is routed, not per interrupt. Whatever may
 * change a remapped message (an interrupt entry cache invalidation, GCMD
 * SIRTP, IRE or CFI) calls the notify hook after the register access, with
 * no lock held, to re-route everything. The unit's own interrupts (fault
 * and invalidation events) are not remapped. */
#ifndef DEVICES_VTD_VTD_H
#define DEVICES_VTD_VTD_H

#include "iommu/evlog.h"
#include "iommu/iommu.h"
#include "devices/pci/msix.h"
#include "vmm/acpi.h"
#include "vmm/bus.h"
#include "vmm/irq.h"

/* Lock order: a PCI function's lock (an MSI-X table write remaps under it),
 * then the unit's lock, then what the core's notifiers take under it (a VFIO
 * mirror: the container's, a VFIO function's bar_lock, both leaves). The
 * unit never takes a PCI function's lock. */

#define VTD_REGS_SIZE 0x1000 /* the register page */

struct vtd_params {
	const struct guest_mem *mem; /* where the guest's tables and queue live */
	struct msi_sink msi;	     /* the unit's own interrupts (not remapped) */
	bool caching_mode;	     /* CAP.CM */
	unsigned aw_bits;	     /* 39 or 48: MGAW, and the widest SAGAW */
	struct evlog *log;	     /* --iommu-log (iommu/evlog.h), or NULL */
	bool check_invalidation;     /* re-walk every cached translation (needs log) */
	bool eim;		     /* ECAP.EIM: x2APIC destinations (else the DMAR
				      * table opts out of x2APIC) */
	uint8_t ioapic_id;	     /* the DMAR's IOAPIC device scope: the MADT's ID */
	uint16_t ioapic_rid;	     /* and the IOAPIC's requester id (bus 0) */
	bool ioapic_sid_ignore;	     /* IOAPIC interrupts skip the IRTE's source-id
				      * check, as QEMU's unit does (the spec checks
				      * it against ioapic_rid) */
	bool scoped;		     /* the DRHD lists its endpoints (some PCI device
				      * opted out); else INCLUDE_PCI_ALL */
	unsigned iotlb_sets;	     /* the core's IOTLB sets (a power of two);
				      * 0: IOTLB_DEFAULT_SETS. Tests and fuzzers
				      * pick few, so that a flush touches little */
};

struct vtd;

/* Create a unit in its reset state (translation off: DMA is identity).
 * 0 and *out; -EINVAL for bad params (aw_bits, iotlb_sets not a power of
 * two); -ENOMEM. */
int vtd_new(const struct vtd_params *p, struct vtd **out) __must_check;

/* Free the unit and its IOMMU core (no device thread may translate any
 * more). NULL is fine. */
void vtd_free(struct vtd *v);

/* Put requester rid (bus 0) behind the unit; as may be NULL. 0, -EEXIST,
 * -ENOSPC (too many endpoints) or -ENOMEM. */
int vtd_endpoint_add(struct vtd *v, uint16_t rid, struct dma_as *as) __must_check;

/* The IOMMU core the unit drives (for notifier consumers and tests). */
struct iommu *vtd_iommu(struct vtd *v);

/* Caching-mode statistics: invalidations whose walk mapped something,
 * core mappings (runs) those walks made, mappings replaced because an
 * invalidation changed or removed part of them while another part stayed
 * mapped (a split), and the pieces of guest leaves the runs were made of
 * (what a mapping per leaf would have cost). */
struct vtd_stats {
	uint64_t cm_invals_mapped, cm_runs_mapped, cm_replaced, cm_leaves;
};

/* The unit's statistics so far, in *out. Thread-safe. */
void vtd_get_stats(struct vtd *v, struct vtd_stats *out);

/* The register page's MMIO handlers; register VTD_REGS_SIZE bytes with the
 * unit as opaque. Thread-safe. */
extern const struct bus_ops vtd_mmio_ops;

/* The ACPI DMAR table for this unit at base (INTR_REMAP, X2APIC_OPT_OUT
 * without EIM; one DRHD, INCLUDE_PCI_ALL or, when params.scoped, one
 * endpoint scope per vtd_endpoint_add() so far, with the IOAPIC's device
 * scope); call it after the last endpoint is added; v must outlive
 * acpi_build(). */
struct acpi_ext vtd_acpi_ext(struct vtd *v, uint64_t base);

/* Interrupt remapping of msg sent by requester rid: 0 and *out (msg
 * itself when remapping is off, or a compatibility-format message passes),
 * or -EPERM when the unit blocks it; the fault is then recorded if record
 * (and the IRTE's FPD is clear). Thread-safe; takes the unit's lock, so it
 * may be called with a device's or the IOAPIC's lock held. */
int vtd_ir_translate(struct vtd *v, const struct msi_msg *msg, uint16_t rid, struct msi_msg *out,
		     bool record) __must_check;

/* A sink that remaps each message (recording faults) and hands it to out.
 * One per unit: a second call replaces out. Call before any interrupt. */
struct msi_sink vtd_ir_sink(struct vtd *v, struct msi_sink out);

/* A router that routes the remapped message through inner, and for a
 * blocked one removes inner's route and returns -EPERM (the vector stays
 * unrouted). irqfd goes to inner unchanged. One per unit, as above. */
struct msix_router vtd_ir_router(struct vtd *v, struct msix_router inner);

/* fn(opaque) is called, with no lock of the unit held, after a register
 * access that may have changed remapped messages; it must re-route every
 * route built with vtd_ir_translate(). Call before the guest runs. */
void vtd_ir_set_notify(struct vtd *v, void (*fn)(void *opaque), void *opaque);

#endif
