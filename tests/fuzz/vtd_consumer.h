/* SPDX-License-Identifier: MIT */
/* The fake type1 consumer of tests/fuzz/fuzz_vtd.c: subscribed to an
 * endpoint's view as a VFIO mirror is, it keeps the mappings it was told of,
 * sorted, and checks that every event is consistent with them. */
#ifndef TESTS_FUZZ_VTD_CONSUMER_H
#define TESTS_FUZZ_VTD_CONSUMER_H

#include "iommu/iommu.h"
#include "tests/fuzz/fuzz.h"

/* --- the fake type1 consumer ---------------------------------------------- */

struct ivl {
	uint64_t first, last, gpa, perm; /* no padding: lists are compared with memcmp */
};

struct consumer {
	struct ivl *iv; /* sorted by first */
	unsigned n, cap;
	bool bypass;
};

/* The index of the first mapping that ends at or after a. */
static unsigned consumer_find(const struct consumer *c, uint64_t a)
{
	unsigned lo = 0, hi = c->n;

	while (lo < hi) {
		unsigned mid = (lo + hi) / 2;

		if (c->iv[mid].last < a)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int consumer_notify(void *opaque, const struct iommu_event *ev)
{
	struct consumer *c = opaque;
	const struct iova_mapping *m = &ev->m;
	unsigned i;

	switch (ev->type) {
	case IOMMU_EVENT_MAP:
		FUZZ_CHECK(!c->bypass, "MAP 0x%llx while bypassing",
			   (unsigned long long)m->first.a);
		FUZZ_CHECK(m->first.a <= m->last.a, "MAP of an empty range");
		i = consumer_find(c, m->first.a);
		FUZZ_CHECK(i == c->n || c->iv[i].first > m->last.a,
			   "MAP 0x%llx-0x%llx over a live mapping", (unsigned long long)m->first.a,
			   (unsigned long long)m->last.a);
		if (c->n == c->cap) {
			c->cap = c->cap ? 2 * c->cap : 64;
			c->iv = realloc(c->iv, c->cap * sizeof(*c->iv));
			if (!c->iv)
				abort();
		}
		memmove(c->iv + i + 1, c->iv + i, (c->n - i) * sizeof(*c->iv));
		c->iv[i] = (struct ivl){m->first.a, m->last.a, m->gpa.a, m->flags};
		c->n++;
		return 0;
	case IOMMU_EVENT_UNMAP:
		i = consumer_find(c, m->first.a);
		FUZZ_CHECK(i < c->n && c->iv[i].first == m->first.a && c->iv[i].last == m->last.a,
			   "UNMAP 0x%llx-0x%llx is not one mapping", (unsigned long long)m->first.a,
			   (unsigned long long)m->last.a);
		memmove(c->iv + i, c->iv + i + 1, (c->n - i - 1) * sizeof(*c->iv));
		c->n--;
		return 0;
	case IOMMU_EVENT_BYPASS_ON:
		FUZZ_CHECK(!c->bypass && !c->n, "BYPASS_ON while bypassing or mapping");
		c->bypass = true;
		return 0;
	case IOMMU_EVENT_BYPASS_OFF:
		FUZZ_CHECK(c->bypass, "BYPASS_OFF without bypass");
		c->bypass = false;
		return 0;
	}
	return 0;
}

#endif /* TESTS_FUZZ_VTD_CONSUMER_H */
