// SPDX-License-Identifier: MIT
/* The IOMMU core against a reference model: thousands of random ATTACH,
 * DETACH, MAP, UNMAP, block and bypass operations (fixed seed) on a small
 * IOVA space, each checked for the exact error code, then every page of
 * every endpoint translated (twice: walk and IOTLB) and compared with the
 * model, a flat array of pages per domain. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "iommu/iommu.h"

#define PG	    0x1000ull
#define NPAGES	    64 /* the input range; requests go a little beyond */
#define NDOM	    4  /* domain IDs 1..NDOM; NDOM + 1 is out of range */
#define NEP	    3
#define RID(i)	    ((uint16_t)(0x10 + (i)*8))
#define RID_UNKNOWN 0x99

struct mpage {
	bool present;
	uint32_t first, n; /* the mapping holding it, in pages */
	uint64_t gpa;	   /* of the mapping's first page */
	unsigned flags;
};

struct mdom {
	bool exists, bypass;
	struct mpage pg[NPAGES];
};

enum mmode { M_DETACHED, M_DOMAIN, M_BLOCKED };

static struct model {
	struct mdom dom[NDOM + 1];
	enum mmode mode[NEP];
	uint32_t ep_dom[NEP];
	bool bypass;
} mo;

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dull;
}

static unsigned dom_users(uint32_t d)
{
	unsigned n = 0;

	for (int i = 0; i < NEP; i++)
		n += mo.mode[i] == M_DOMAIN && mo.ep_dom[i] == d;
	return n;
}

/* ep i leaves its domain (freed with its mappings when it was the last). */
static void model_leave(int i)
{
	uint32_t d = mo.ep_dom[i];

	if (mo.mode[i] != M_DOMAIN)
		return;
	mo.mode[i] = M_DETACHED;
	if (!dom_users(d))
		memset(&mo.dom[d], 0, sizeof(mo.dom[d]));
}

static int model_map(uint32_t d, uint32_t p, uint32_t n, uint64_t g, unsigned flags)
{
	if (flags & ~IOMMU_MAP_MASK)
		return -EINVAL;
	if (g % PG || p + n > NPAGES)
		return -ERANGE;
	if (d > NDOM || !mo.dom[d].exists)
		return -ENOENT;
	if (mo.dom[d].bypass)
		return -EINVAL;
	for (uint32_t i = p; i < p + n; i++)
		if (mo.dom[d].pg[i].present)
			return -EEXIST;
	for (uint32_t i = p; i < p + n; i++)
		mo.dom[d].pg[i] = (struct mpage){true, p, n, g, flags};
	return 0;
}

static int model_unmap(uint32_t d, uint32_t p, uint32_t n)
{
	uint32_t e = p + n - 1;
	struct mpage *pg;

	if (d > NDOM || !mo.dom[d].exists)
		return -ENOENT;
	pg = mo.dom[d].pg;
	if (mo.dom[d].bypass)
		return -EINVAL;
	if ((p < NPAGES && pg[p].present && pg[p].first < p) ||
	    (e < NPAGES && pg[e].present && pg[e].first + pg[e].n - 1 > e))
		return -ERANGE;
	for (uint32_t i = p; i <= e && i < NPAGES; i++)
		pg[i].present = false;
	return 0;
}

static int model_attach(int i, uint32_t d, unsigned flags)
{
	bool bypass = flags & IOMMU_ATTACH_BYPASS;

	if (flags & ~IOMMU_ATTACH_BYPASS)
		return -EINVAL;
	if (i < 0)
		return -ENOENT;
	if (d < 1 || d > NDOM)
		return -ERANGE;
	if (mo.dom[d].exists && mo.dom[d].bypass != bypass)
		return -EINVAL;
	if (mo.mode[i] == M_DOMAIN && mo.ep_dom[i] == d)
		return 0;
	model_leave(i);
	if (!mo.dom[d].exists) {
		mo.dom[d].exists = true;
		mo.dom[d].bypass = bypass;
	}
	mo.mode[i] = M_DOMAIN;
	mo.ep_dom[i] = d;
	return 0;
}

static int model_detach(int i, uint32_t d)
{
	if (i < 0)
		return -ENOENT;
	if (mo.mode[i] != M_DOMAIN || mo.ep_dom[i] != d)
		return -EINVAL;
	model_leave(i);
	return 0;
}

/* Translate page p (at offset off) of ep i with access; compare. */
static void check_page(struct iommu *io, int i, uint32_t p, uint64_t off, unsigned access)
{
	uint64_t a = p * PG + off;
	struct dma_xlate x;
	struct dma_fault f;
	int ret = iommu_translate(io, RID(i), iova(a), access, &x, &f);
	bool identity = (mo.mode[i] == M_DETACHED && mo.bypass) ||
			(mo.mode[i] == M_DOMAIN && mo.dom[mo.ep_dom[i]].bypass);

	if (identity) {
		assert_int_equal(ret, 0);
		assert_int_equal(x.gpa.a, a);
		return;
	}
	if (mo.mode[i] != M_DOMAIN) {
		assert_int_equal(ret, -EFAULT);
		assert_int_equal(f.reason, DMA_FAULT_BLOCKED);
		return;
	}
	const struct mpage *m = &mo.dom[mo.ep_dom[i]].pg[p];

	if (!m->present) {
		assert_int_equal(ret, -EFAULT);
		assert_int_equal(f.reason, DMA_FAULT_UNMAPPED);
		return;
	}
	if ((m->flags & access) != access) {
		assert_int_equal(ret, -EFAULT);
		assert_int_equal(f.reason, DMA_FAULT_PERM);
		return;
	}
	assert_int_equal(ret, 0);
	assert_int_equal(x.gpa.a, m->gpa + a - (uint64_t)m->first * PG);
	assert_int_equal(x.len, (uint64_t)(m->first + m->n) * PG - a);
	assert_int_equal(x.perm, m->flags & 3);
}

static void check_all(struct iommu *io, uint64_t *s)
{
	for (int i = 0; i < NEP; i++) {
		int st = iommu_endpoint_state(io, RID(i), NULL);

		if (mo.mode[i] == M_DOMAIN)
			assert_int_equal(st, mo.dom[mo.ep_dom[i]].bypass ? IOMMU_EP_DOMAIN_BYPASS
									 : IOMMU_EP_DOMAIN);
		else if (mo.mode[i] == M_BLOCKED)
			assert_int_equal(st, IOMMU_EP_BLOCKED);
		else
			assert_int_equal(st, mo.bypass ? IOMMU_EP_DETACHED_BYPASS
						       : IOMMU_EP_DETACHED_BLOCKED);
		for (uint32_t p = 0; p < NPAGES; p++) {
			unsigned access = (unsigned)(rnd(s) % 4);
			uint64_t off = rnd(s) % PG;

			check_page(io, i, p, off, access); /* may walk and fill */
			check_page(io, i, p, off, access); /* may hit */
		}
	}
}

static void test_random_vs_model(void **state)
{
	struct iommu_config c = {
		.page_size_mask = PG,
		.input_last = NPAGES * PG - 1,
		.domain_first = 1,
		.domain_last = NDOM,
		.iotlb_sets = 8, /* small: evictions happen */
	};
	struct iommu *io;
	uint64_t s = 0xfeedbeef;
	unsigned counts[6] = {0};

	(void)state;
	memset(&mo, 0, sizeof(mo));
	assert_int_equal(iommu_create(&c, &io), 0);
	for (int i = 0; i < NEP; i++)
		assert_int_equal(iommu_endpoint_add(io, RID(i), NULL), 0);
	for (int op = 0; op < 10000; op++) {
		unsigned kind = (unsigned)(rnd(&s) % 16);
		uint32_t d = (uint32_t)(rnd(&s) % (NDOM + 2)); /* 0 and NDOM + 1: out of range */
		int i = (int)(rnd(&s) % (NEP + 1)), j = (int)(rnd(&s) % NEP);
		uint32_t n = 1 + (uint32_t)(rnd(&s) % 4), p = (uint32_t)(rnd(&s) % (NPAGES + 2));
		uint16_t rid = i == NEP ? RID_UNKNOWN : RID(i);
		int want, got;

		if (i == NEP)
			i = -1;
		if (kind < 10 && mo.mode[j] == M_DOMAIN && rnd(&s) % 4)
			d = mo.ep_dom[j]; /* mostly requests to a live domain */
		if (kind < 6) {		  /* MAP */
			uint64_t g = (rnd(&s) % 1024) * PG + (rnd(&s) % 16 ? 0 : 0x800);
			unsigned flags = (unsigned)(rnd(&s) % 9);

			want = model_map(d, p, n, g, flags);
			got = iommu_map(io, d, iova(p * PG), iova((p + n) * PG - 1), gpa(g), flags);
		} else if (kind < 10) { /* UNMAP, sometimes of a large range */
			if (rnd(&s) % 4 == 0)
				n = (uint32_t)(rnd(&s) % NPAGES) + 1;
			want = model_unmap(d, p, n);
			got = iommu_unmap(io, d, iova(p * PG), iova((p + n) * PG - 1));
		} else if (kind < 13) { /* ATTACH */
			unsigned flags = rnd(&s) % 8 == 0 ? IOMMU_ATTACH_BYPASS : 0;

			want = model_attach(i, d, flags);
			got = iommu_attach(io, d, rid, flags);
		} else if (kind < 15) { /* DETACH */
			want = model_detach(i, d);
			got = iommu_detach(io, d, rid);
		} else if (rnd(&s) % 2 && i >= 0) {
			model_leave(i);
			mo.mode[i] = M_BLOCKED;
			want = 0;
			got = iommu_block(io, rid);
		} else {
			mo.bypass = rnd(&s) % 2;
			want = 0;
			got = iommu_set_bypass(io, mo.bypass);
		}
		if (got != want)
			print_message("# op %d kind %u: got %d want %d\n", op, kind, got, want);
		assert_int_equal(got, want);
		counts[got == 0		? 0
		       : got == -EINVAL ? 1
		       : got == -EEXIST ? 2
		       : got == -ERANGE ? 3
		       : got == -ENOENT ? 4
					: 5]++;
		check_all(io, &s);
	}
	print_message("# ok %u inval %u exist %u range %u noent %u other %u\n", counts[0],
		      counts[1], counts[2], counts[3], counts[4], counts[5]);
	assert_int_equal(counts[5], 0);
	for (int k = 0; k < 5; k++)
		assert_true(counts[k] > 50); /* every outcome was exercised */
	iommu_destroy(io);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random_vs_model),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
