/* SPDX-License-Identifier: MIT */
/* Interrupt plumbing. Every interrupt reaches a vCPU as an MSI message that
 * passes through an msi_sink: the IOAPIC turns pin events into MSIs, PCI
 * devices raise MSI/MSI-X. Interrupt remapping (devices/vtd/ir.c) wraps the
 * VM's sink and may rewrite or block the message for a given requester. */
#ifndef VMM_IRQ_H
#define VMM_IRQ_H

#include "vmm/types.h"

struct msi_msg {
	uint64_t addr; /* 0xfeeXXXXX */
	uint32_t data;
};

/* Where a device sends MSIs. The VMM installs one that reaches KVM. */
struct msi_sink {
	/* Deliver msg on behalf of requester id rid (bus<<8 | devfn). 0 or -errno. */
	int (*send)(void *opaque, const struct msi_msg *msg, uint16_t rid);
	void *opaque;
};

static inline int msi_sink_send(const struct msi_sink *s, const struct msi_msg *m, uint16_t rid)
{
	return s->send(s->opaque, m, rid);
}

/* A wire into an interrupt controller input (an IOAPIC pin). */
struct irq_line {
	void (*set)(void *opaque, unsigned pin, int level);
	void *opaque;
	unsigned pin;
};

static inline void irq_line_set(const struct irq_line *l, int level)
{
	if (l->set)
		l->set(l->opaque, l->pin, level);
}

/* Raise then lower: an edge on an edge-triggered line. */
static inline void irq_line_pulse(const struct irq_line *l)
{
	irq_line_set(l, 1);
	irq_line_set(l, 0);
}

#endif
