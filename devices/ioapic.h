/* SPDX-License-Identifier: MIT */
/* An 82093AA-compatible I/O APIC, version 0x20 (with the EOI register),
 * IOAPIC_PINS pins. Pin events become MSI messages sent through an msi_sink
 * with the IOAPIC's requester id; KVM runs the local APICs (split irqchip).
 *
 * Pin levels are logical: 1 means "asserted" whatever the entry's polarity
 * bit says (as in QEMU). The polarity bit is stored and read back only.
 *
 * Edge-triggered pins deliver on a 0->1 transition while unmasked; an edge on
 * a masked pin is lost (82093AA datasheet). Level-triggered pins deliver
 * while asserted, unmasked and remote IRR clear, then set remote IRR; an EOI
 * for the vector clears it and redelivers if the pin is still asserted.
 * Every delivery is caused by one pin event, register write or EOI, so a
 * guest that never EOIs (or EOIs in a loop) cannot make the IOAPIC loop.
 *
 * Locking: one mutex. The msi_sink and the route hook are called with it
 * held, so they must not call back into the IOAPIC. */
#ifndef DEVICES_IOAPIC_H
#define DEVICES_IOAPIC_H

#include <stdbool.h>
#include <stdint.h>
#include "vmm/bus.h"
#include "vmm/irq.h"
#include "vmm/layout.h"

#define IOAPIC_MMIO_SIZE 0x1000
#define IOAPIC_VERSION	 0x20
#define IOAPIC_RESET_ID	 0 /* the MADT must announce this ID */

/* MMIO offsets */
#define IOAPIC_REGSEL 0x00 /* register index (8 bits) */
#define IOAPIC_IOWIN  0x10 /* data window, 32-bit accesses */
#define IOAPIC_EOI    0x40 /* write a vector: EOI for level entries */

/* Indirect registers (IOREGSEL values) */
#define IOAPIC_REG_ID	  0x00 /* bits 27:24 ID */
#define IOAPIC_REG_VER	  0x01 /* bits 23:16 max entry, 7:0 version */
#define IOAPIC_REG_ARB	  0x02 /* bits 27:24 arbitration ID */
#define IOAPIC_REG_REDTBL 0x10 /* entry n: 0x10 + 2n (low), 0x11 + 2n (high) */
#define IOAPIC_ID_SHIFT	  24
#define IOAPIC_ID_MASK	  GENMASK(27, 24)

/* Redirection table entry (64 bits) */
#define IOAPIC_RTE_VECTOR	 GENMASK_ULL(7, 0)
#define IOAPIC_RTE_DELMODE_SHIFT 8 /* bits 10:8 delivery mode */
#define IOAPIC_RTE_DELMODE	 GENMASK_ULL(10, 8)
#define IOAPIC_RTE_DESTMODE	 BIT_ULL(11) /* 1: logical */
#define IOAPIC_RTE_DELIVS	 BIT_ULL(12) /* delivery status (RO) */
#define IOAPIC_RTE_POLARITY	 BIT_ULL(13) /* 1: active low */
#define IOAPIC_RTE_REMOTE_IRR	 BIT_ULL(14) /* level accepted, awaiting EOI (RO) */
#define IOAPIC_RTE_LEVEL	 BIT_ULL(15) /* trigger mode: 1 level */
#define IOAPIC_RTE_MASKED	 BIT_ULL(16)
#define IOAPIC_RTE_DEST_SHIFT	 56 /* bits 63:56 destination */
/* Bits 63:48 (destination, extended destination ID, or the interrupt index
 * and format bit of a VT-d remappable entry) are copied to MSI address bits
 * 19:4, so all three formats produce the MSI the guest meant. */
#define IOAPIC_RTE_ADDR_SHIFT 48
/* Bit 48 in VT-d's remappable format (MSI address bit 4): the entry names
 * an interrupt index; its vector field is only what EOIs match (Linux puts
 * the pin number there and EOIs through IOAPIC_EOI). */
#define IOAPIC_RTE_IR_FORMAT BIT_ULL(48)
/* Writable bits; 31:17 of the low dword are reserved and read as zero. */
#define IOAPIC_RTE_WRITABLE                                                                        \
	(GENMASK_ULL(63, 32) | GENMASK_ULL(11, 0) | IOAPIC_RTE_POLARITY | IOAPIC_RTE_LEVEL |       \
	 IOAPIC_RTE_MASKED)

#define IOAPIC_DM_FIXED	 0
#define IOAPIC_DM_LOWEST 1
#define IOAPIC_DM_EXTINT 7

/* MSI format (Intel SDM vol. 3, 11.11) */
#define IOAPIC_MSI_ADDR_BASE	      0xfee00000ull
#define IOAPIC_MSI_ADDR_DEST_SHIFT    12
#define IOAPIC_MSI_ADDR_DESTMODE      BIT(2) /* 1: logical */
#define IOAPIC_MSI_DATA_DELMODE_SHIFT 8
#define IOAPIC_MSI_DATA_ASSERT	      BIT(14)
#define IOAPIC_MSI_DATA_LEVEL	      BIT(15)

struct ioapic;

/* Called with the pin's MSI, mask and trigger mode whenever the guest changes
 * a redirection entry (not when only remote IRR or delivery status change). */
typedef void ioapic_route_fn(void *opaque, unsigned pin, const struct msi_msg *msg, bool masked,
			     bool level);

/* Create an IOAPIC in its reset state (ID IOAPIC_RESET_ID, all entries
 * masked). MSIs go to sink with requester id rid. NULL on ENOMEM. */
struct ioapic *ioapic_new(struct msi_sink sink, uint16_t rid);

/* Send MSIs to sink with requester id rid from now on (interrupt
 * remapping wraps the VM's sink once the unit exists). Thread-safe. */
void ioapic_set_sink(struct ioapic *io, struct msi_sink sink, uint16_t rid);

/* Free an IOAPIC. NULL is ignored. No access or pin event may be in flight. */
void ioapic_free(struct ioapic *io);

/* MMIO handlers: register at LAYOUT_IOAPIC, IOAPIC_MMIO_SIZE, opaque = the
 * ioapic. IOWIN takes 32-bit accesses only; others are logged and ignored. */
extern const struct bus_ops ioapic_bus_ops;

/* Drive pin to level (0 or 1, logical). Fits struct irq_line.set with opaque
 * the ioapic. Pins >= IOAPIC_PINS are logged and ignored. Thread-safe. */
void ioapic_set_irq(void *ioapic, unsigned pin, int level);

/* An EOI for vector (from KVM_EXIT_IOAPIC_EOI): clear remote IRR of the
 * level entries with that vector, redeliver those still asserted. */
void ioapic_eoi(struct ioapic *io, uint8_t vector);

/* Install (or, with fn NULL, remove) the route hook. It is not called for
 * the current entries: use ioapic_replay_routes() for that. */
void ioapic_set_route_hook(struct ioapic *io, ioapic_route_fn *fn, void *opaque);

/* Call the route hook once for every pin with its current entry. */
void ioapic_replay_routes(struct ioapic *io);

/* The MSI a redirection entry produces: address 0xfee00000 | entry bits
 * 63:48 << 4 | dest mode << 2, data vector | delivery mode << 8 |
 * assert << 14 | trigger << 15. Pure; exported for tests and the VMM. */
struct msi_msg ioapic_rte_to_msi(uint64_t rte);

#endif
