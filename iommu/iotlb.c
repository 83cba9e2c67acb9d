// SPDX-License-Identifier: MIT
/* IOTLB (see iotlb.h). Each entry is a sequence lock: a writer makes seq odd,
 * writes the fields, and makes it even again; a reader copies the fields
 * between two reads of seq and keeps the copy only when both are the same
 * even value. Fields are relaxed atomics (plain moves on x86), ordered by
 * fences as in Boehm's "Can seqlocks get along with programming language
 * memory models?". */
#include "iommu/iotlb.h"

#include <errno.h>
#include <stdlib.h>

#define RLX memory_order_relaxed

int iotlb_init(struct iotlb *t, unsigned nsets, unsigned page_shift)
{
	if (!nsets)
		nsets = IOTLB_DEFAULT_SETS;
	if ((nsets & (nsets - 1)) || page_shift > 63)
		return -EINVAL;
	t->sets = calloc(nsets, sizeof(*t->sets));
	if (!t->sets)
		return -ENOMEM;
	t->set_mask = nsets - 1;
	t->page_shift = page_shift;
	return 0;
}

void iotlb_destroy(struct iotlb *t)
{
	free(t->sets);
	t->sets = NULL;
}

/* Consecutive pages of one tag go to consecutive sets; tags are spread. */
static struct iotlb_set *iotlb_set_of(const struct iotlb *t, uint64_t tag, uint64_t page)
{
	uint64_t h = page + ((tag * 0x9e3779b97f4a7c15ull) >> 32);

	return &t->sets[h & t->set_mask];
}

bool iotlb_lookup(const struct iotlb *t, uint64_t tag, iova_t iova, struct iova_mapping *m)
{
	uint64_t page = iova.a >> t->page_shift;
	struct iotlb_set *s = iotlb_set_of(t, tag, page);

	for (unsigned i = 0; i < IOTLB_WAYS; i++) {
		struct iotlb_entry *e = &s->way[i];
		unsigned seq = atomic_load_explicit(&e->seq, memory_order_acquire);

		if (atomic_load_explicit(&e->tag, RLX) != tag ||
		    atomic_load_explicit(&e->page, RLX) != page)
			continue;
		m->first.a = atomic_load_explicit(&e->first, RLX);
		m->last.a = atomic_load_explicit(&e->last, RLX);
		m->gpa.a = atomic_load_explicit(&e->gpa, RLX);
		m->flags = atomic_load_explicit(&e->flags, RLX);
		atomic_thread_fence(memory_order_acquire);
		if (!(seq & 1) && atomic_load_explicit(&e->seq, RLX) == seq)
			return true;
		return false; /* torn by a writer: treat as a miss */
	}
	return false;
}

/* Start writing e: make seq odd. False when another writer holds it. */
static bool entry_begin(struct iotlb_entry *e, unsigned *seq)
{
	*seq = atomic_load_explicit(&e->seq, RLX);
	if (*seq & 1)
		return false;
	if (!atomic_compare_exchange_strong_explicit(&e->seq, seq, *seq + 1, RLX, RLX))
		return false;
	atomic_thread_fence(memory_order_release);
	return true;
}

static void entry_end(struct iotlb_entry *e, unsigned seq)
{
	atomic_store_explicit(&e->seq, seq + 2, memory_order_release);
}

void iotlb_insert(struct iotlb *t, uint64_t tag, iova_t iova, const struct iova_mapping *m)
{
	uint64_t page = iova.a >> t->page_shift;
	struct iotlb_set *s = iotlb_set_of(t, tag, page);
	struct iotlb_entry *e = NULL;
	unsigned seq;

	for (unsigned i = 0; i < IOTLB_WAYS && !e; i++)
		if (!atomic_load_explicit(&s->way[i].tag, RLX))
			e = &s->way[i];
	if (!e)
		e = &s->way[atomic_fetch_add_explicit(&s->victim, 1, RLX) % IOTLB_WAYS];
	if (!entry_begin(e, &seq))
		return; /* a concurrent fill owns it; this one is not needed */
	atomic_store_explicit(&e->tag, tag, RLX);
	atomic_store_explicit(&e->page, page, RLX);
	atomic_store_explicit(&e->first, m->first.a, RLX);
	atomic_store_explicit(&e->last, m->last.a, RLX);
	atomic_store_explicit(&e->gpa, m->gpa.a, RLX);
	atomic_store_explicit(&e->flags, m->flags, RLX);
	entry_end(e, seq);
}

/* Drop e (no concurrent writer: invalidations exclude inserts). */
static void entry_kill(struct iotlb_entry *e)
{
	unsigned seq;

	if (entry_begin(e, &seq)) {
		atomic_store_explicit(&e->tag, 0, RLX);
		entry_end(e, seq);
	}
}

/* Drop the entries of set s matching tag (any tag when 0) with a page in
 * [lo, hi]. */
static void set_kill(struct iotlb_set *s, uint64_t tag, uint64_t lo, uint64_t hi)
{
	for (unsigned i = 0; i < IOTLB_WAYS; i++) {
		struct iotlb_entry *e = &s->way[i];
		uint64_t et = atomic_load_explicit(&e->tag, RLX);
		uint64_t ep = atomic_load_explicit(&e->page, RLX);

		if (et && (!tag || et == tag) && ep >= lo && ep <= hi)
			entry_kill(e);
	}
}

void iotlb_invalidate_range(struct iotlb *t, uint64_t tag, iova_t first, iova_t last)
{
	uint64_t lo = first.a >> t->page_shift, hi = last.a >> t->page_shift;

	if (first.a > last.a || !tag)
		return;
	if (hi - lo <= t->set_mask) {
		/* Fewer pages than sets: probe each page's set. */
		for (uint64_t p = lo;; p++) {
			set_kill(iotlb_set_of(t, tag, p), tag, p, p);
			if (p == hi)
				break;
		}
		return;
	}
	for (uint64_t i = 0; i <= t->set_mask; i++)
		set_kill(&t->sets[i], tag, lo, hi);
}

void iotlb_flush_tag(struct iotlb *t, uint64_t tag)
{
	if (!tag)
		return;
	for (uint64_t i = 0; i <= t->set_mask; i++)
		set_kill(&t->sets[i], tag, 0, ~0ull);
}

void iotlb_flush_all(struct iotlb *t)
{
	for (uint64_t i = 0; i <= t->set_mask; i++)
		set_kill(&t->sets[i], 0, 0, ~0ull);
}
