/* SPDX-License-Identifier: MIT */
/* VT-d interrupt remapping (VT-d ch. 5 and 9) for the guest tests: the
 * interrupt remapping table, its set-up (IRTA, SIRTP, IEC, IRE), IRTEs in
 * remapped format and the remappable forms of an MSI address and of an
 * IOAPIC redirection entry. Needs queued invalidation (vtd_qi_enable). */
#ifndef GT_VTD_IR_H
#define GT_VTD_IR_H

#include <stdbool.h>
#include <stdint.h>

#include "vtd.h"

#define VTD_IRT_ORDER 7			    /* IRTA.S: 2^(S+1) entries */
#define VTD_IRT_LEN   (2u << VTD_IRT_ORDER) /* 256 entries, one page */

/* Allocate the table (VTD_IRT_LEN entries, none present) and set it up:
 * IRTA with EIME = eim, GCMD.SIRTP, a global IEC invalidation, GCMD.IRE.
 * GCMD.CFI stays clear (compatibility-format interrupts blocked). The table
 * is v's until the end. NULL when a step did not complete in time. */
uint64_t *vtd_ir_enable(struct vtd *v, bool eim);

/* Write IRTE i (the low half last, so it never shows half-written). The
 * caller invalidates (vtd_iec_flush). */
void vtd_irte_set(uint64_t *irt, unsigned i, uint64_t lo, uint64_t hi);

/* A present IRTE's halves: fixed delivery, physical destination mode, edge,
 * vector to dest (an xAPIC ID, or with eim an x2APIC ID); the source-id
 * verified in full (SVT 1, SQ 0). */
uint64_t vtd_irte_lo(uint8_t vector, uint32_t dest, bool eim);
uint64_t vtd_irte_hi_sid(uint16_t sid);

/* Invalidate the interrupt entry cache through the queue: one index, or
 * every entry (index < 0). true when the wait descriptor completed. */
bool vtd_iec_flush(struct vtd *v, int index);

/* The remappable MSI address of handle (SHV clear: the data is ignored). */
uint32_t vtd_ir_msi_addr(unsigned handle);

/* A remappable IOAPIC redirection entry for handle: the vector field as the
 * IRTE's (VT-d ch. 5), edge, active high, unmasked. */
uint64_t vtd_ir_rte(unsigned handle, uint8_t vector);

#endif
