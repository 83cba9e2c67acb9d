// SPDX-License-Identifier: MIT
/* Unit tests for the IOMMU core's notifiers with a mirror consumer (as
 * VFIO passthrough, devices/vfio/mirror.c, is one): it keeps a page table of
 * what it was told, refuses events that contradict it (a MAP over a mapped
 * page, an UNMAP of something it never got, MAP while in bypass), and is
 * compared page by page with the core's own translations: after replay on
 * late subscription, attach / detach / bypass batches, refused MAPs, and
 * long random sequences. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "iommu/iommu.h"

#define PG     0x1000ull
#define NPAGES 48
#define NEP    3
#define RID(i) ((uint16_t)(0x20 + (i)))
#define RW     (IOMMU_MAP_READ | IOMMU_MAP_WRITE)

struct mirror {
	struct iommu_notifier n;
	uint16_t rid;
	bool subscribed, bypass;
	struct {
		bool present;
		uint64_t gpa;
		unsigned flags;
	} pg[NPAGES];
	unsigned refuse_in; /* refuse the n-th MAP / BYPASS_ON from now (0: never) */
	unsigned events, errors;
};

static int mirror_notify(void *opaque, const struct iommu_event *ev)
{
	struct mirror *m = opaque;
	uint64_t p0 = ev->m.first.a / PG, p1 = ev->m.last.a / PG;

	m->events++;
	if (ev->rid != m->rid)
		m->errors++;
	if ((ev->type == IOMMU_EVENT_MAP || ev->type == IOMMU_EVENT_BYPASS_ON) && m->refuse_in &&
	    --m->refuse_in == 0)
		return -1;
	switch (ev->type) {
	case IOMMU_EVENT_MAP:
		if (m->bypass || p1 >= NPAGES || ev->m.first.a % PG || (ev->m.last.a + 1) % PG)
			return m->errors++, -1;
		for (uint64_t p = p0; p <= p1; p++) {
			m->errors += m->pg[p].present;
			m->pg[p].present = true;
			m->pg[p].gpa = ev->m.gpa.a + (p - p0) * PG;
			m->pg[p].flags = ev->m.flags;
		}
		return 0;
	case IOMMU_EVENT_UNMAP:
		for (uint64_t p = p0; p <= p1 && p < NPAGES; p++) {
			m->errors += !m->pg[p].present || m->pg[p].flags != ev->m.flags ||
				     m->pg[p].gpa != ev->m.gpa.a + (p - p0) * PG;
			m->pg[p].present = false;
		}
		return 0;
	case IOMMU_EVENT_BYPASS_ON:
		for (uint64_t p = 0; p < NPAGES; p++)
			m->errors += m->pg[p].present;
		m->errors += m->bypass;
		m->bypass = true;
		return 0;
	case IOMMU_EVENT_BYPASS_OFF:
		m->errors += !m->bypass;
		m->bypass = false;
		return 0;
	}
	return m->errors++, -1;
}

static int mirror_add(struct iommu *io, struct mirror *m, uint16_t rid)
{
	int ret;

	memset(m, 0, sizeof(*m));
	m->rid = rid;
	m->n.notify = mirror_notify;
	m->n.opaque = m;
	ret = iommu_notifier_add(io, rid, &m->n);
	m->subscribed = ret == 0;
	return ret;
}

/* The mirror says exactly what the core translates, page by page. */
static void mirror_check(struct iommu *io, const struct mirror *m)
{
	assert_int_equal(m->errors, 0);
	for (uint64_t p = 0; p < NPAGES; p++) {
		struct dma_xlate x;
		struct dma_fault f;
		int ret = iommu_translate(io, m->rid, iova(p * PG + 4), 0, &x, &f);

		if (m->bypass) {
			assert_int_equal(ret, 0);
			assert_int_equal(x.gpa.a, p * PG + 4);
		} else if (m->pg[p].present) {
			assert_int_equal(ret, 0);
			assert_int_equal(x.gpa.a, m->pg[p].gpa + 4);
			assert_int_equal(x.perm, m->pg[p].flags & RW);
		} else {
			assert_int_equal(ret, -EFAULT);
		}
	}
}

static bool mirror_empty(const struct mirror *m)
{
	for (uint64_t p = 0; p < NPAGES; p++)
		if (m->pg[p].present)
			return false;
	return !m->bypass;
}

static struct iommu *mk(bool bypass)
{
	struct iommu_config c = {
		.page_size_mask = PG,
		.input_last = NPAGES * PG - 1,
		.domain_first = 1,
		.domain_last = 8,
		.bypass = bypass,
	};
	struct iommu *io;

	assert_int_equal(iommu_create(&c, &io), 0);
	for (int i = 0; i < NEP; i++)
		assert_int_equal(iommu_endpoint_add(io, RID(i), NULL), 0);
	return io;
}

static int map(struct iommu *io, uint32_t d, uint64_t p, uint64_t n, uint64_t g)
{
	return iommu_map(io, d, iova(p * PG), iova((p + n) * PG - 1), gpa(g), RW);
}

static void test_replay_and_batches(void **state)
{
	struct iommu *io = mk(false);
	struct mirror a, b, late;

	(void)state;
	assert_int_equal(mirror_add(io, &a, RID(0)), 0);
	assert_int_equal(iommu_notifier_add(io, 0x77, &b.n), -ENOENT);
	assert_int_equal(mirror_add(io, &b, RID(1)), 0);
	assert_int_equal(iommu_attach(io, 1, RID(0), 0), 0);
	assert_int_equal(iommu_attach(io, 1, RID(1), 0), 0);
	for (uint64_t p = 0; p < 10; p += 2)
		assert_int_equal(map(io, 1, p, 2, 0x100000 + p * PG), 0);
	assert_int_equal(a.events, 5);
	mirror_check(io, &a);
	mirror_check(io, &b);
	/* A late subscriber gets the current mappings replayed. */
	assert_int_equal(mirror_add(io, &late, RID(0)), 0);
	assert_int_equal(late.events, 5);
	mirror_check(io, &late);
	/* Domain 2 maps the same IOVAs elsewhere: moving A there must UNMAP
	 * the old view before it MAPs the new one (the mirror insists). */
	assert_int_equal(iommu_attach(io, 2, RID(2), 0), 0);
	assert_int_equal(map(io, 2, 0, 10, 0x200000), 0);
	assert_int_equal(iommu_attach(io, 2, RID(0), 0), 0);
	mirror_check(io, &a);
	mirror_check(io, &late);
	mirror_check(io, &b); /* B stays in 1 */
	assert_int_equal(iommu_unmap(io, 1, iova(0), iova(~0ull)), 0);
	assert_true(mirror_empty(&b));
	assert_int_equal(iommu_detach(io, 2, RID(0)), 0);
	assert_true(mirror_empty(&a));
	mirror_check(io, &a);
	/* Unsubscribed: no more events. */
	iommu_notifier_del(io, &late.n);
	assert_int_equal(iommu_attach(io, 2, RID(0), 0), 0);
	assert_true(mirror_empty(&late));
	mirror_check(io, &a);
	iommu_destroy(io);
}

static void test_bypass_events(void **state)
{
	struct iommu *io = mk(true);
	struct mirror a, b;

	(void)state;
	assert_int_equal(mirror_add(io, &a, RID(0)), 0);
	assert_true(a.bypass); /* replayed: detached with bypass on */
	assert_int_equal(mirror_add(io, &b, RID(1)), 0);
	/* Identity to identity (a bypass domain): nothing to tell. */
	assert_int_equal(iommu_attach(io, 3, RID(1), IOMMU_ATTACH_BYPASS), 0);
	assert_int_equal(b.events, 1);
	assert_int_equal(iommu_set_bypass(io, false), 0);
	assert_false(a.bypass);
	assert_true(b.bypass); /* attached: unaffected */
	assert_int_equal(iommu_attach(io, 4, RID(0), 0), 0);
	assert_int_equal(map(io, 4, 1, 1, 0x5000), 0);
	assert_int_equal(iommu_set_bypass(io, true), 0);
	assert_int_equal(iommu_detach(io, 4, RID(0)), 0); /* UNMAP, then BYPASS_ON */
	assert_true(a.bypass);
	mirror_check(io, &a);
	assert_int_equal(iommu_block(io, RID(1)), 0);
	assert_true(mirror_empty(&b));
	iommu_reset(io); /* back to the configured bypass: on */
	assert_true(b.bypass);
	mirror_check(io, &a);
	mirror_check(io, &b);
	iommu_destroy(io);
}

static void test_refusals(void **state)
{
	struct iommu *io = mk(false);
	struct mirror a, b, c;

	(void)state;
	assert_int_equal(mirror_add(io, &a, RID(0)), 0);
	assert_int_equal(mirror_add(io, &b, RID(1)), 0);
	assert_int_equal(iommu_attach(io, 1, RID(0), 0), 0);
	assert_int_equal(iommu_attach(io, 1, RID(1), 0), 0);
	assert_int_equal(map(io, 1, 0, 1, 0x1000), 0);
	/* One consumer refuses a MAP: it is undone for all, nothing stays.
	 * Each in turn, so that one refuses after the other accepted. */
	for (int who = 0; who < 2; who++) {
		(who ? &b : &a)->refuse_in = 1;
		assert_int_equal(map(io, 1, 4, 2, 0x8000), -EIO);
		assert_int_equal(a.refuse_in + b.refuse_in, 0);
		mirror_check(io, &a);
		mirror_check(io, &b);
	}
	assert_int_equal(map(io, 1, 4, 2, 0x8000), 0); /* really not there */
	/* A refusal during an attach's replay leaves the endpoint blocked. */
	assert_int_equal(iommu_attach(io, 2, RID(2), 0), 0);
	for (uint64_t p = 0; p < 6; p++)
		assert_int_equal(map(io, 2, 10 + p, 1, p * PG), 0);
	a.refuse_in = 3;
	assert_int_equal(iommu_attach(io, 2, RID(0), 0), -EIO);
	assert_int_equal(iommu_endpoint_state(io, RID(0), NULL), IOMMU_EP_BLOCKED);
	assert_true(mirror_empty(&a));
	mirror_check(io, &a);
	assert_int_equal(iommu_attach(io, 2, RID(0), 0), 0);
	mirror_check(io, &a);
	/* A refused replay: not subscribed, and told to undo what it took. */
	memset(&c, 0, sizeof(c));
	c.rid = RID(2);
	c.n = (struct iommu_notifier){.notify = mirror_notify, .opaque = &c};
	c.refuse_in = 4;
	assert_int_equal(iommu_notifier_add(io, RID(2), &c.n), -EIO);
	assert_true(mirror_empty(&c));
	assert_int_equal(c.events, 4 + 3);
	assert_int_equal(iommu_unmap(io, 2, iova(0), iova(~0ull)), 0);
	assert_int_equal(c.events, 7);
	assert_int_equal(c.errors, 0);
	iommu_destroy(io);
}

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dull;
}

/* Random operations; mirrors come and go; all are checked after each. */
static void test_random_mirrors(void **state)
{
	struct iommu *io = mk(false);
	struct mirror mir[NEP][2];
	uint64_t s = 99, ok = 0;

	(void)state;
	memset(mir, 0, sizeof(mir));
	for (int op = 0; op < 5000; op++) {
		int i = (int)(rnd(&s) % NEP), k = (int)(rnd(&s) % 2);
		uint32_t d = 1 + (uint32_t)(rnd(&s) % 4);
		uint64_t p = rnd(&s) % NPAGES, n = 1 + rnd(&s) % 3;
		unsigned kind = (unsigned)(rnd(&s) % 20);
		struct mirror *m = &mir[i][k];

		if (kind < 8)
			ok += !map(io, d, p, MIN(n, NPAGES - p), (rnd(&s) % 512) * PG);
		else if (kind < 11)
			ok += !iommu_unmap(io, d, iova(p * PG), iova((p + n) * PG - 1));
		else if (kind < 14)
			ok += !iommu_attach(io, d, RID(i), rnd(&s) % 6 ? 0 : IOMMU_ATTACH_BYPASS);
		else if (kind < 16)
			ok += !iommu_detach(io, d, RID(i));
		else if (kind == 16)
			ok += !iommu_block(io, RID(i));
		else if (kind == 17)
			ok += !iommu_set_bypass(io, rnd(&s) % 2);
		else if (kind == 18 && m->subscribed) {
			iommu_notifier_del(io, &m->n);
			m->subscribed = false;
		} else if (kind == 18)
			assert_int_equal(mirror_add(io, m, RID(i)), 0); /* late: replayed */
		else if (rnd(&s) % 50 == 0)
			iommu_reset(io);
		for (int e = 0; e < NEP; e++)
			for (int j = 0; j < 2; j++)
				if (mir[e][j].subscribed)
					mirror_check(io, &mir[e][j]);
	}
	print_message("# %lu successful operations\n", ok);
	assert_true(ok > 1500);
	iommu_destroy(io);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_replay_and_batches),
		cmocka_unit_test(test_bypass_events),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_random_mirrors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
