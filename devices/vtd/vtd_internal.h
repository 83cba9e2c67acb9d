/* SPDX-License-Identifier: MIT */
/* The VT-d model's private state, shared by the files of devices/vtd/ only.
 *
 * Locks, always taken in this order: v->lock (the register file: MMIO, fault
 * recording, interrupts), then v->walk_lock (what translation reads: TE, the
 * root table pointer; held across a walk and the core call that caches its
 * result, and across every invalidation, so that no walk that started
 * before an invalidation can cache its result after it; a queued global or
 * context invalidation cut by the queue's budget holds it across each
 * domain's walk), then the core's. The queue's passes (qi.c) take v->lock,
 * then walk_lock, and drop both between passes; the notify hook and
 * vtd_qi_resume() are called with neither held. */
#ifndef DEVICES_VTD_VTD_INTERNAL_H
#define DEVICES_VTD_VTD_INTERNAL_H

#include <pthread.h>

#include "devices/vtd/dmar.h"
#include "devices/vtd/regs.h"
#include "devices/vtd/vtd.h"
#include "iommu/evlog_watch.h"

#define VTD_MAX_EPS	  256
#define VTD_QI_MAX_DESC	  (256u << 7) /* descriptors in the largest queue (IQA.QS 7) */
#define VTD_BYPASS_DOMAIN 0x10000u    /* the core domain of pass-through contexts */
#define VTD_NR_DIDS	  0x10000u
#define VTD_IOVA_LAST	  ((1ull << 48) - 1) /* the core's input range */
#define VTD_FAULT_FPD	  0x100u	     /* in dma_fault.code: the context says do not record */
#define VTD_REPLAY_BUDGET (1ul << 20)	     /* entries one caching-mode replay may read */
#define VTD_STALE_MAX	  64		     /* stale entries remembered (check.c) */
/* The queue's work (descriptors, plus page-table entries the caching-mode
 * walks read): per pass under the lock, per register access (qi.c). */
#define VTD_QI_HOLD_BUDGET (1ul << 16)
#define VTD_QI_EXIT_BUDGET (1ul << 20)

struct vtd {
	pthread_mutex_t lock;
	uint8_t regs[VTD_REGS_SIZE]; /* little-endian register file */
	uint64_t cap, ecap;
	const struct guest_mem *mem;
	struct msi_sink msi;
	struct iommu *io;
	unsigned aw_bits;
	uint8_t ioapic_id; /* for the DMAR */
	uint16_t ioapic_rid;
	bool ioapic_sid_ignore; /* vtd_params.ioapic_sid_ignore */
	bool scoped; /* vtd_params.scoped: only eps[] (and the IOAPIC) are under the unit */
	struct vtd_dmar_config dmar;
	unsigned next_frcd; /* FRCD the next fault goes to */
	/* under walk_lock */
	pthread_mutex_t walk_lock;
	bool te;
	uint64_t rtaddr; /* latched by GCMD.SRTP */
	uint16_t eps[VTD_MAX_EPS];
	unsigned nr_eps;
	uint8_t fpd[VTD_MAX_EPS]; /* the context's fault-processing-disable */
	uint64_t faults_recorded, faults_dropped;
	/* --iommu-log: set at creation */
	struct evlog *log;
	struct evlog_watch log_watch;
	bool check; /* check-invalidation=on */
	/* under walk_lock: cached entries reported stale, until invalidated */
	struct vtd_stale {
		uint32_t did;
		uint64_t first, last;
	} stale[VTD_STALE_MAX];
	unsigned nr_stale, next_stale;
	unsigned long replay_budget; /* entries a replay may read; 0: VTD_REPLAY_BUDGET
				      * (vtd_replay_budget()) */
	uint64_t cm_invals_mapped, cm_runs_mapped, cm_replaced, cm_leaves; /* vtd_stats */
	/* Page-table entries replays have read, ever: written under walk_lock;
	 * replays run only from register accesses (v->lock held), so lock
	 * holders read it too (the queue's budget). */
	uint64_t walk_work;
	/* under lock (sync.c, for qi.c): a global IOTLB or context-cache
	 * invalidation stops between two domains once walk_work reaches
	 * inval_stop (0: never), with inval_more set; vtd_inval_resume() goes
	 * on from endpoint inval_next */
	uint64_t inval_stop;
	bool inval_more;
	unsigned inval_next;
	/* the queue's budgets (VTD_QI_*_BUDGET when 0); set before the guest
	 * runs (tests): read without a lock, through vtd_qi_hold() and
	 * vtd_qi_exit() */
	unsigned long qi_hold_budget, qi_exit_budget;
	/* interrupt remapping (ir.c), under lock */
	uint64_t irta;	 /* IRTA_REG as latched by GCMD.SIRTP */
	bool ir_dirty;	 /* remapped messages may have changed: notify */
	bool qi_paused;	 /* the queue stopped at a wait descriptor until the
			  * re-route that an earlier IEC asked for is done */
	bool qi_pending; /* the queue stopped for its budget with work left */
	/* while inval_more: the queue's descriptor left half done, its index
	 * and its bytes (the one at IQH goes on only if it is the same) */
	unsigned qi_cut_head;
	uint64_t qi_cut_desc[2];
	struct msi_sink ir_out; /* where vtd_ir_sink() hands remapped messages */
	struct msix_router ir_inner;
	/* set before the guest runs */
	void (*ir_notify)(void *opaque);
	void *ir_notify_opaque;
};

/* The budgets in force: the field, or its default when it is 0 (the one
 * place each default is applied). The fields are set before the guest
 * runs, so no lock is needed. */
static inline unsigned long vtd_replay_budget(const struct vtd *v)
{
	return v->replay_budget ? v->replay_budget : VTD_REPLAY_BUDGET;
}

static inline unsigned long vtd_qi_hold(const struct vtd *v)
{
	return v->qi_hold_budget ? v->qi_hold_budget : VTD_QI_HOLD_BUDGET;
}

static inline unsigned long vtd_qi_exit(const struct vtd *v)
{
	return v->qi_exit_budget ? v->qi_exit_budget : VTD_QI_EXIT_BUDGET;
}

/* --- regfile.c: the register file as data ------------------------------ */

/* Reset every register (CAP and ECAP from v->cap, v->ecap). */
void vtd_regs_reset(struct vtd *v);

/* The register's current value (off: its first byte; size from the
 * table; 0 for an unknown offset). */
uint64_t vtd_reg_get(const struct vtd *v, unsigned off);

/* Set a register's value as hardware does (no masks). */
void vtd_reg_set(struct vtd *v, unsigned off, uint64_t val);

/* Set and clear bits of a register as hardware does. */
void vtd_reg_mod(struct vtd *v, unsigned off, uint64_t clear, uint64_t set);

/* The size of the register at exactly off (4 or 8), or 0. */
unsigned vtd_reg_size(unsigned off);

/* A guest write of size bytes of val at off (inside one register):
 * writable bits change, write-1-to-clear bits clear. *base gets the
 * register's offset and *wval the written bits at their place in the
 * register. false when off is no register (the write is dropped). */
bool vtd_reg_write(struct vtd *v, unsigned off, unsigned size, uint64_t val, unsigned *base,
		   uint64_t *wval);

/* A guest read of size bytes at off; 0 outside any register. */
uint64_t vtd_reg_read(const struct vtd *v, unsigned off, unsigned size);

/* --- walk.c: the guest's tables (pure, over guest memory) -------------- */

/* A context entry, decoded. */
struct vtd_ctx {
	uint64_t slptptr; /* second-level table (4 KiB aligned) */
	uint16_t did;
	uint8_t tt;	/* 0 translated, 2 pass-through */
	uint8_t levels; /* 3 or 4 */
	bool fpd;
};

#define VTD_TT_MULTI_LEVEL 0
#define VTD_TT_PASS	   2

/* A leaf: [iova, iova + size) -> gpa with perm (DMA_ACCESS_*). */
struct vtd_leaf {
	uint64_t iova, size, gpa;
	unsigned perm;
};

/* Read and check rid's root and context entries under the root table at
 * rtaddr. 0 and *ctx, or a fault reason (VTD_FR_*); for a context entry
 * that is present but bad, *ctx still holds its FPD bit. */
unsigned vtd_ctx_read(const struct guest_mem *mem, unsigned aw_bits, uint64_t sagaw,
		      uint64_t rtaddr, uint16_t rid, struct vtd_ctx *ctx);

/* Walk ctx's second-level tables for iova and access (DMA_ACCESS_*). 0 and
 * *leaf (the page or large page holding iova, R/W the AND of every level),
 * or a fault reason: VTD_FR_BEYOND_AGAW, VTD_FR_READ or _WRITE for a
 * not-present entry (or one the access is not permitted by), VTD_FR_PTE_PTR
 * for a table outside RAM, VTD_FR_PTE_RSVD. At most ctx->levels reads. */
unsigned vtd_walk(const struct guest_mem *mem, unsigned aw_bits, const struct vtd_ctx *ctx,
		  uint64_t iova, unsigned access, struct vtd_leaf *leaf);

/* Call fn on every present leaf of ctx's tables that overlaps [first,
 * last], in increasing order, reading at most *budget entries (decremented;
 * the walk stops when it runs out). Bad entries are skipped. Returns 0,
 * or fn's first non-zero return. */
int vtd_walk_range(const struct guest_mem *mem, unsigned aw_bits, const struct vtd_ctx *ctx,
		   uint64_t first, uint64_t last, unsigned long *budget,
		   int (*fn)(void *opaque, const struct vtd_leaf *leaf), void *opaque);

/* --- sync.c: keeping the core in step with the guest (walk_lock) ------- */

/* The miss handler (iommu_miss_fn). */
int vtd_miss(void *opaque, uint16_t rid, iova_t iova, unsigned access, struct dma_xlate *x,
	     struct dma_fault *f);

/* GCMD.TE changed: translation on (global bypass off, every endpoint's
 * context read) or off (the core reset: identity). */
void vtd_set_translation(struct vtd *v, bool on);

/* Context-cache invalidation: every endpoint's context is read again and
 * the core follows it. */
void vtd_inval_context(struct vtd *v);

/* IOTLB invalidation: gran DMA_TLB_GLOBAL, _DSI (did) or _PSI (did, addr,
 * am: 2^am pages). With caching mode the range is walked again and what is
 * present is cached at once (a global one: every domain an endpoint is
 * attached to, once each).
 *
 * Both (lock held, walk_lock taken) run to the end unless v->inval_stop
 * is set (the queue, qi.c): a global IOTLB or context-cache invalidation
 * then stops between two domains once walk_work reaches it (after one
 * domain at least) and sets inval_more; one domain's walk is never cut
 * (it is bounded by VTD_REPLAY_BUDGET). */
void vtd_inval_iotlb(struct vtd *v, unsigned gran, uint16_t did, uint64_t addr, unsigned am);

/* Go on with the invalidation that stopped with inval_more (lock held,
 * walk_lock taken); it may stop again, as above. */
void vtd_inval_resume(struct vtd *v);

/* --- replay.c: caching mode (walk_lock) -------------------------------- */

/* Make the core's mappings of domain did in [first, last] equal to the
 * present leaves of ctx's tables there (ctx NULL: to nothing), one core
 * mapping per contiguous run; an unchanged mapping is left alone, a
 * changed one replaced, and its parts outside the range keep their
 * translation (the rule is in replay.c). Reads at most v->replay_budget
 * entries; what a cut-short walk did not reach is dropped. */
void vtd_replay(struct vtd *v, uint16_t did, const struct vtd_ctx *ctx, uint64_t first,
		uint64_t last);

/* --- fault.c ----------------------------------------------------------- */

/* The core's fault handler: record a primary fault for rid (lock taken). */
void vtd_fault(void *opaque, uint16_t rid, const struct dma_fault *f);

/* Record a fault (v->lock held): reason, source-id, page address, read or
 * write; overflow sets FSTS.PFO. Raises the fault event when PPF was
 * clear. */
void vtd_record_fault(struct vtd *v, unsigned reason, uint16_t sid, uint64_t addr, bool read);

/* A fault-event cause (FSTS bit set, v->lock held): raise the fault event
 * interrupt, or set FECTL.IP when masked. */
void vtd_fault_event(struct vtd *v);

/* After a guest write to FSTS, an FRCD or FECTL (v->lock held): PPF
 * recomputed, IP cleared when nothing is pending, a pending interrupt sent
 * when unmasked. */
void vtd_fault_update(struct vtd *v);

/* The invalidation completion event (v->lock held): ICS.IWC, then the
 * interrupt or IECTL.IP. */
void vtd_inv_event(struct vtd *v);

/* After a guest write to ICS or IECTL (v->lock held). */
void vtd_inv_update(struct vtd *v);

/* --- log.c: --iommu-log events (no-ops without a log) ----------------- */

/* A DMA fault of rid with VT-d reason code (0: none fits), and what became
 * of it: note NULL (recorded) or why it was not, e.g. "not recorded (FPD)". */
void vtd_log_fault(struct vtd *v, uint16_t rid, const struct dma_fault *f, unsigned code,
		   const char *note);

/* An interrupt-remapping fault: source-id, the interrupt index (or
 * EVLOG_NULL), the VT-d reason (0x20...). For the interrupt-remapping code. */
void vtd_log_ir_fault(struct vtd *v, uint16_t sid, int64_t index, unsigned reason);

/* The invalidations, logged then carried out (vtd_inval_context,
 * vtd_inval_iotlb), then check.c re-armed for what they named. g: the
 * granularity field of CCMD / the descriptor (1 global, 2 domain, 3
 * device or page), as the callers of vtd_inval_* decoded it. */
void vtd_log_inval_context(struct vtd *v, unsigned g, uint16_t did, uint16_t sid);
void vtd_log_inval_iotlb(struct vtd *v, unsigned g, uint16_t did, uint64_t addr, unsigned am);

/* An interrupt entry cache invalidation (logged only). */
void vtd_log_inval_iec(struct vtd *v);

/* --- check.c: check-invalidation=on ------------------------------------ */

/* The core's check (iommu_check_fn, opaque: the unit): walk the guest's
 * tables for a translation the cache served; log a difference as a missed
 * invalidation, once per cached entry until an invalidation names it. */
void vtd_check(void *opaque, uint16_t rid, iova_t iova, unsigned access,
	       const struct iova_mapping *m);

/* An invalidation of [first, last] of domain did (did < 0: every domain)
 * happened: its stale entries may be reported again. */
void vtd_check_forget(struct vtd *v, int64_t did, uint64_t first, uint64_t last);
/* --- ir.c: interrupt remapping ---------------------------------------- */

/* An interrupt remapping table entry, decoded (remapped format). */
struct vtd_irte {
	bool p, fpd, dm, rh, tm;
	uint8_t dlm, vector;
	uint32_t dst; /* the APIC ID: 8 bits with EIME = 0, else 32 */
	uint16_t sid;
	uint8_t sq, svt;
};

/* Decode the 128-bit entry e (e[0] bits 63:0) for EIME eime. 0, or
 * VTD_FR_IR_NP (not present), VTD_FR_IR_IRTE_RSVD (a reserved bit, the
 * posted format, SVT 3, or destination bits xAPIC mode does not have);
 * *irte is filled in every case (its fpd is what the entry says). Pure. */
unsigned vtd_irte_decode(const uint64_t e[2], bool eime, struct vtd_irte *irte);

/* Whether requester rid passes irte's source validation (SVT/SQ/SID). */
bool vtd_irte_sid_ok(const struct vtd_irte *irte, uint16_t rid);

/* The message irte remaps to (destination bits 31:8 in the upper address,
 * as KVM takes 32-bit x2APIC IDs). Pure. */
struct msi_msg vtd_irte_msg(const struct vtd_irte *irte);

/* Record interrupt-remapping fault reason for source sid and interrupt
 * index (lock held): the one place IR faults are recorded. */
void vtd_ir_fault(struct vtd *v, unsigned reason, uint16_t sid, uint32_t index);

/* After a register access, with no lock held: call the notify hook if
 * remapped messages may have changed since the last call. */
void vtd_ir_flush(struct vtd *v);

/* --- qi.c -------------------------------------------------------------- */

/* The queue does at most a budget of work (descriptors, plus the entries
 * caching-mode walks read) per register access, as hardware works through
 * its queue while software polls: IQH advances as descriptors complete,
 * and a wait descriptor completes after everything before it. Where it
 * stopped, it goes on at the guest's next access to the register page
 * (vtd_qi_resume(): Linux's qi_submit_sync reads FSTS on every turn of its
 * wait loop), never depending on another IQT write. */

/* The doorbell (v->lock held): process the queue from IQH towards IQT, one
 * pass of at most VTD_QI_HOLD_BUDGET work, stopping at a descriptor
 * boundary, or between two domains of a global or context invalidation
 * (the descriptor then stays at IQH, half done, inval_more); with work left
 * it sets qi_pending. A bad descriptor sets FSTS.IQE and stops. A wait
 * descriptor met while a re-route is due (ir_dirty, after an IEC) stops
 * the queue there with qi_paused set. Returns the work done, which the
 * caller hands to vtd_qi_resume() as this access's. */
unsigned long vtd_qi_run(struct vtd *v);

/* The queue turned off (GCMD.QIE), or IQA written (v->lock held): its
 * progress is forgotten, the descriptor left half done (inval_more) with
 * it, so that a byte-identical descriptor at the same index of the next
 * queue is carried out whole; nothing is pending or paused. */
void vtd_qi_reset(struct vtd *v);

/* After a guest write, or before a guest read, of the register page, with
 * no lock of the unit held. When nothing is due (no re-route, the queue
 * neither paused nor pending) it returns after one check under v->lock.
 * Otherwise: re-route if due (vtd_ir_flush), then, while the queue is
 * paused or pending, run passes of it, taking and dropping v->lock (and
 * under it walk_lock) for each, re-routing between them, until this
 * access's passes did VTD_QI_EXIT_BUDGET work, counting from spent (what
 * the access's doorbell did, vtd_qi_run(); 0 for a read). A pass may
 * overshoot by one domain's walk; the count is this access's own, whatever
 * other vCPUs' accesses do between its passes. A wait the queue paused at
 * for a re-route still completes. So the unit's lock is held for one pass
 * at a time (other vCPUs and device threads get in between) and the vCPU
 * returns to the guest after a bounded time; the rest waits for the
 * guest's next register access. A driver that waits on the status in
 * memory without touching a register (or halts for the completion
 * interrupt) sees a queue beyond that budget stall: a worker thread would
 * lift that (docs/architecture.md). */
void vtd_qi_resume(struct vtd *v, unsigned long spent);

#endif
