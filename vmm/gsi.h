/* SPDX-License-Identifier: MIT */
/* KVM's GSI routing table. KVM_SET_GSI_ROUTING replaces the whole table, so
 * the VMM keeps the authoritative copy here and resends it on each change.
 * GSIs 0..IOAPIC_PINS-1 mirror the IOAPIC's redirection entries as MSI routes
 * (KVM's split irqchip derives the level-triggered vectors, which need
 * KVM_EXIT_IOAPIC_EOI exits, from them). The GSIs above them carry MSI and
 * MSI-X vectors that devices signal through irqfds (devices/pci/vector.c). */
#ifndef VMM_GSI_H
#define VMM_GSI_H

#include <linux/kvm.h>
#include <pthread.h>

#include "vmm/irq.h"

#define GSI_MAX 1024

struct gsi_table {
	int vm_fd; /* -1: do not issue ioctls (unit tests) */
	pthread_mutex_t lock;
	struct kvm_irq_routing_entry e[GSI_MAX];
	bool used[GSI_MAX];
	unsigned next_free;   /* allocation cursor for gsi_alloc() */
	bool stale;	      /* the last push failed: KVM may differ from e[] */
	unsigned long pushes; /* table pushes (counted without vm_fd too) */
};

/* Empty table for vm_fd (-1 for tests). GSIs below IOAPIC_PINS are reserved. */
void gsi_table_init(struct gsi_table *t, int vm_fd);

/* Route gsi to msg (enabled) or remove its route (!enabled), and push the
 * table to KVM unless that changes nothing KVM has (re-routes after an
 * interrupt remapping invalidation mostly do not). 0, -EINVAL (gsi out of
 * range) or -errno from KVM. */
int gsi_set_msi(struct gsi_table *t, unsigned gsi, const struct msi_msg *msg,
		bool enabled) __must_check;

/* Reserve a GSI at or above IOAPIC_PINS, or -ENOSPC. */
int gsi_alloc(struct gsi_table *t) __must_check;

/* Number of routes currently installed. */
unsigned gsi_count(struct gsi_table *t);

#endif
