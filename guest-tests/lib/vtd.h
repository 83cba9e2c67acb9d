/* SPDX-License-Identifier: MIT */
/* A small Intel VT-d driver for the guest tests (legacy mode): the DRHD from
 * the ACPI DMAR table, the unit's registers, the root table with bus 0's
 * context table, register-based and queued invalidation (with the wait
 * descriptor's status write), and the fault recording registers. Page
 * tables are in vtd_pt.h, interrupt remapping in vtd_ir.h. Registers and
 * formats: vtd_regs.h. Every poll of the unit is bounded (VTD_TIMEOUT_US). */
#ifndef GT_VTD_H
#define GT_VTD_H

#include <stdbool.h>
#include <stdint.h>

#include "vtd_regs.h"

#define VTD_TIMEOUT_US 1000000
#define VTD_MAX_SCOPES 32

/* The first DRHD of the DMAR table, and the table's header fields. */
struct vtd_drhd {
	uint64_t base;
	uint8_t haw;	    /* host address width: the table's width field + 1 */
	uint8_t dmar_flags; /* DMAR_INTR_REMAP, DMAR_X2APIC_OPT_OUT */
	uint8_t drhd_flags; /* DRHD_INCLUDE_PCI_ALL */
	unsigned nr_endpoints;
	uint16_t endpoints[VTD_MAX_SCOPES]; /* PCI endpoint scopes (source-ids) */
	bool has_ioapic;		    /* an IOAPIC device scope */
	uint8_t ioapic_id;		    /* its enumeration ID */
	uint16_t ioapic_sid;		    /* its source-id (start bus, device, function) */
};

/* Parse the DMAR table (lengths checked, structures and scopes bounded by
 * the table's length). 0, or -1 when there is no DMAR or no DRHD. */
int vtd_dmar_find(struct vtd_drhd *d);

/* True when the DRHD's scope holds the PCI function sid: INCLUDE_PCI_ALL,
 * or an endpoint scope naming it (bridge scopes are not followed). */
bool vtd_drhd_covers(const struct vtd_drhd *d, uint16_t sid);

/* A zeroed 4 KiB page from a static pool (bails out when it is empty). */
void *vtd_page(void);

/* One unit as the driver keeps it. */
struct vtd {
	uint64_t base, cap, ecap;
	unsigned nfr;	/* fault recording registers */
	unsigned frcd;	/* offset of the first one */
	unsigned iotlb; /* offset of the IOTLB register (IVA is 8 below) */
	uint64_t *root; /* the root table */
	uint64_t *ctx;	/* bus 0's context table */
	uint32_t gcmd;	/* the persistent GCMD bits set so far */
	uint64_t *iq;	/* the invalidation queue (NULL: register-based) */
	unsigned iq_tail;
	volatile uint32_t *wait; /* the wait descriptors' status word */
	uint32_t wait_seq;
};

/* Read the capabilities at base, allocate the root table (entry for bus 0
 * present, pointing to an empty context table) and set the root table
 * pointer (GCMD.SRTP). Translation stays off. 0, or -1 (the unit did not
 * report RTPS in time). */
int vtd_init(struct vtd *v, uint64_t base);

uint32_t vtd_read32(const struct vtd *v, unsigned reg);
uint64_t vtd_read64(const struct vtd *v, unsigned reg);
void vtd_write32(const struct vtd *v, unsigned reg, uint32_t val);
void vtd_write64(const struct vtd *v, unsigned reg, uint64_t val);

/* Set (on) or clear a persistent GCMD bit (TE, QIE, IRE, CFI) and wait for
 * the same GSTS bit; a one-shot bit (SRTP, SIRTP) is sent with the
 * persistent ones and waited for. true when GSTS followed. */
bool vtd_command(struct vtd *v, uint32_t bit, bool on);

/* Allocate the queue (256 descriptors), IQT = 0, IQA, GCMD.QIE. From then
 * on the flushes below use the queue. true when QIES came on. */
bool vtd_qi_enable(struct vtd *v);

/* Queue one descriptor and move IQT past it (no wait). */
void vtd_qi_submit(struct vtd *v, uint64_t lo, uint64_t hi);

/* Put one descriptor in the queue without moving IQT: the next
 * vtd_qi_submit() (or vtd_qi_wait()) hands both to the unit at once. */
void vtd_qi_queue(struct vtd *v, uint64_t lo, uint64_t hi);

/* Queue a wait descriptor with a status write of a fresh value (and FN) and
 * poll the status word for it: true when it was written in time. */
bool vtd_qi_wait(struct vtd *v);

/* Invalidations: through the queue (followed by vtd_qi_wait) when QI is on,
 * else through CCMD / IOTLB, polled until the unit clears ICC / IVT. true
 * when they completed. */
bool vtd_flush_ctx(struct vtd *v);				 /* global context cache */
bool vtd_flush_iotlb(struct vtd *v);				 /* global IOTLB */
bool vtd_flush_page(struct vtd *v, uint16_t did, uint64_t iova); /* one 4 KiB page */

/* Bus 0's context entry for devfn: raw words, or a multi-level entry for a
 * table of levels (3 or 4) in domain did, or pass-through (TT 2) in did.
 * The caller flushes. */
void vtd_ctx_set(struct vtd *v, uint8_t devfn, uint64_t lo, uint64_t hi);
void vtd_ctx_map(struct vtd *v, uint8_t devfn, uint16_t did, const void *pgd, unsigned levels,
		 bool fpd);
void vtd_ctx_pass(struct vtd *v, uint8_t devfn, uint16_t did);

/* One primary fault record. */
struct vtd_fault {
	bool f;		/* the record holds a fault */
	bool read;	/* T: a read request */
	uint8_t reason; /* FR */
	uint16_t sid;
	uint64_t fi; /* fault info: the page address (DMA) or index << 48 (IR) */
};

/* Record i (< v->nfr). */
struct vtd_fault vtd_fault_read(const struct vtd *v, unsigned i);

/* The number of records with F set; the first (in register order) with
 * reason and sid is copied to *out when out is not NULL. */
unsigned vtd_fault_find(const struct vtd *v, uint8_t reason, uint16_t sid, struct vtd_fault *out);

/* Clear every record's F and FSTS.PFO (write 1 to clear). */
void vtd_faults_clear(struct vtd *v);

#endif
