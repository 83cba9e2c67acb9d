// SPDX-License-Identifier: MIT
/* Unit tests for the --iommu-log event log (iommu/evlog.c) and the IOMMU
 * core's watch (iommu/evlog_watch.c): each event kind's exact line, JSON
 * escaping, null keys, the timestamp, two threads writing at once (whole
 * lines, in order, timestamps not going back), a file that cannot be
 * opened, a write error (the log goes off, nothing breaks), a NULL log,
 * and the core's maps and unmaps (including a domain freed with its
 * mappings). Every line is checked by a small JSON parser. */
#include "tests/unit/evlog_fixture.h"

#include <errno.h>
#include <pthread.h>

#include "iommu/dma.h"
#include "iommu/evlog_watch.h"
#include "iommu/iommu.h"

/* Every line read is one JSON object starting with a well-formed ts. */
static void all_json(const struct evt *t)
{
	for (unsigned i = 0; i < t->n; i++) {
		if (!json_object_line(t->line[i]) || !evt_after_ts(t->line[i]))
			fail_msg("line %u is not a JSON object with ts: %s", i + 1, t->line[i]);
	}
}

static void expect_line(const struct evt *t, unsigned i, const char *rest)
{
	assert_true(i < t->n);
	assert_non_null(evt_after_ts(t->line[i]));
	assert_string_equal(evt_after_ts(t->line[i]), rest);
}

static void test_each_kind(void **state)
{
	struct evlog_head h = {EVLOG_INTEL, 0x0018, 7, true, 0x200000, NULL};
	struct iova_mapping m = {iova(0x1000), iova(0x2fff), gpa(0x40000), DMA_ACCESS_READ};
	struct evlog_entry c = {0x1000000, 0x1000, DMA_ACCESS_READ | DMA_ACCESS_WRITE};
	struct evlog_entry tb = {0x1200000, 0x200000, DMA_ACCESS_WRITE};
	struct evt t;

	(void)state;
	evt_open(&t);
	assert_true(evlog_on(t.log));
	evlog_map(t.log, &h, &m);
	h = (struct evlog_head){EVLOG_VIRTIO, EVLOG_NULL, 3, true, 0x1000, NULL};
	evlog_unmap(t.log, &h, 0x2000);
	h = (struct evlog_head){EVLOG_INTEL, EVLOG_NULL, 1, true, 0xabc000, NULL};
	evlog_inval(t.log, &h, "page", 2);
	h = (struct evlog_head){EVLOG_INTEL, EVLOG_NULL, EVLOG_NULL, false, 0, NULL};
	evlog_inval(t.log, &h, "global", EVLOG_NULL);
	h = (struct evlog_head){
		EVLOG_INTEL, 0xff3f, 65535, true, 0xfffffffffffff000ull, "0x06 not present (read)"};
	evlog_fault(t.log, &h, false, 6);
	h = (struct evlog_head){EVLOG_VIRTIO, 0x0010, EVLOG_NULL, true, 0, "0x02 mapping (write)"};
	evlog_fault(t.log, &h, true, 2);
	h = (struct evlog_head){EVLOG_INTEL, 0x00f8, EVLOG_NULL, false, 0, "0x22 IRTE not present"};
	evlog_ir_fault(t.log, &h, 17, 0x22);
	evlog_ir_fault(t.log, &h, EVLOG_NULL, 0x25);
	h = (struct evlog_head){EVLOG_INTEL, 0x0018, 1, true, 0x200000, "stale"};
	evlog_missed_inval(t.log, &h, &c, &tb);
	evlog_missed_inval(t.log, &h, &c, NULL);
	m.flags = 0;
	evlog_map(t.log, &h, &m);
	evt_read(&t);
	assert_int_equal(t.n, 11);
	all_json(&t);
	expect_line(
		&t, 0,
		"\"iommu\":\"intel\",\"event\":\"map\",\"sid\":\"00:03.0\",\"domain\":7,"
		"\"iova\":\"0x200000\",\"result\":\"ok\",\"size\":\"0x2000\",\"gpa\":\"0x40000\","
		"\"perm\":\"r\"}");
	expect_line(&t, 1,
		    "\"iommu\":\"virtio\",\"event\":\"unmap\",\"sid\":null,\"domain\":3,"
		    "\"iova\":\"0x1000\",\"result\":\"ok\",\"size\":\"0x2000\"}");
	expect_line(&t, 2,
		    "\"iommu\":\"intel\",\"event\":\"inval\",\"sid\":null,\"domain\":1,"
		    "\"iova\":\"0xabc000\",\"result\":\"ok\",\"gran\":\"page\",\"am\":2}");
	expect_line(&t, 3,
		    "\"iommu\":\"intel\",\"event\":\"inval\",\"sid\":null,\"domain\":null,"
		    "\"iova\":null,\"result\":\"ok\",\"gran\":\"global\",\"am\":null}");
	expect_line(&t, 4,
		    "\"iommu\":\"intel\",\"event\":\"fault\",\"sid\":\"ff:07.7\",\"domain\":65535,"
		    "\"iova\":\"0xfffffffffffff000\",\"result\":\"0x06 not present (read)\","
		    "\"access\":\"read\",\"reason\":6}");
	expect_line(&t, 5,
		    "\"iommu\":\"virtio\",\"event\":\"fault\",\"sid\":\"00:02.0\",\"domain\":null,"
		    "\"iova\":\"0x0\",\"result\":\"0x02 mapping (write)\",\"access\":\"write\","
		    "\"reason\":2}");
	expect_line(
		&t, 6,
		"\"iommu\":\"intel\",\"event\":\"ir_fault\",\"sid\":\"00:1f.0\",\"domain\":null,"
		"\"iova\":null,\"result\":\"0x22 IRTE not present\",\"index\":17,\"reason\":34}");
	expect_line(
		&t, 7,
		"\"iommu\":\"intel\",\"event\":\"ir_fault\",\"sid\":\"00:1f.0\",\"domain\":null,"
		"\"iova\":null,\"result\":\"0x22 IRTE not present\",\"index\":null,"
		"\"reason\":37}");
	expect_line(
		&t, 8,
		"\"iommu\":\"intel\",\"event\":\"missed_inval\",\"sid\":\"00:03.0\",\"domain\":1,"
		"\"iova\":\"0x200000\",\"result\":\"stale\",\"cached\":{\"gpa\":\"0x1000000\","
		"\"perm\":\"rw\",\"size\":\"0x1000\"},\"table\":{\"gpa\":\"0x1200000\","
		"\"perm\":\"w\",\"size\":\"0x200000\"}}");
	expect_line(
		&t, 9,
		"\"iommu\":\"intel\",\"event\":\"missed_inval\",\"sid\":\"00:03.0\",\"domain\":1,"
		"\"iova\":\"0x200000\",\"result\":\"stale\",\"cached\":{\"gpa\":\"0x1000000\","
		"\"perm\":\"rw\",\"size\":\"0x1000\"},\"table\":null}");
	assert_non_null(strstr(t.line[10], ",\"perm\":\"none\"}"));
	evt_close(&t);
}

static void test_escaping(void **state)
{
	struct evlog_head h = {EVLOG_VIRTIO, EVLOG_NULL, EVLOG_NULL,
			       false,	     0,		 "a\"b\\c\nd\te\x01\x7f\xc3\xa9/"};
	char longer[400];
	struct evt t;

	(void)state;
	evt_open(&t);
	evlog_inval(t.log, &h, "x\"y", EVLOG_NULL);
	/* A result longer than the line allows is cut, not overflowed. */
	memset(longer, '"', sizeof(longer) - 1);
	longer[sizeof(longer) - 1] = 0;
	h.result = longer;
	evlog_unmap(t.log, &h, 0x1000);
	evt_read(&t);
	assert_int_equal(t.n, 2);
	all_json(&t);
	expect_line(&t, 0,
		    "\"iommu\":\"virtio\",\"event\":\"inval\",\"sid\":null,\"domain\":null,"
		    "\"iova\":null,\"result\":\"a\\\"b\\\\c\\u000ad\\u0009e\\u0001\\u007f\\u00c3"
		    "\\u00a9/\",\"gran\":\"x\\\"y\",\"am\":null}");
	assert_true(evlog_on(t.log));
	evt_close(&t);
}

#define PER_THREAD 3000

struct writer {
	struct evlog *log;
	unsigned id;
};

static void *write_many(void *opaque)
{
	struct writer *w = opaque;
	char res[32];

	for (unsigned i = 0; i < PER_THREAD; i++) {
		struct evlog_head h = {EVLOG_INTEL, (int32_t)w->id, i, true, i * 4096ull, res};

		snprintf(res, sizeof(res), "t%u-%u", w->id, i);
		evlog_unmap(w->log, &h, 0x1000);
	}
	return NULL;
}

static void test_two_threads(void **state)
{
	struct writer w[2];
	pthread_t th[2];
	unsigned next[2] = {0, 0};
	uint64_t last = 0;
	struct evt t;

	(void)state;
	evt_open(&t);
	for (unsigned i = 0; i < 2; i++) {
		w[i] = (struct writer){t.log, i + 1};
		assert_int_equal(pthread_create(&th[i], NULL, write_many, &w[i]), 0);
	}
	for (unsigned i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	evt_read(&t);
	assert_int_equal(t.n, 2 * PER_THREAD);
	all_json(&t);
	/* Whole lines, each thread's in its order, timestamps never back. */
	for (unsigned i = 0; i < t.n; i++) {
		unsigned id, seq;
		const char *r = strstr(t.line[i], "\"result\":\"t");
		uint64_t ts = evt_ts_us(t.line[i]);

		assert_non_null(r);
		assert_int_equal(sscanf(r, "\"result\":\"t%u-%u\"", &id, &seq), 2);
		assert_true(id == 1 || id == 2);
		assert_int_equal(seq, next[id - 1]);
		next[id - 1]++;
		assert_true(ts >= last);
		last = ts;
	}
	evt_close(&t);
}

static void test_open_and_write_errors(void **state)
{
	struct evlog_head h = {EVLOG_INTEL, EVLOG_NULL, EVLOG_NULL, false, 0, NULL};
	struct evlog *l = NULL;

	(void)state;
	assert_int_equal(evlog_open("/nonexistent-dir/log", &l), -ENOENT);
	assert_null(l);
	/* ENOSPC on the first write: reported once, then the log is off. */
	assert_int_equal(evlog_open("/dev/full", &l), 0);
	assert_true(evlog_on(l));
	evlog_inval(l, &h, "global", EVLOG_NULL);
	assert_false(evlog_on(l));
	evlog_inval(l, &h, "global", EVLOG_NULL);
	evlog_close(l);
	/* A NULL log: every call does nothing. */
	assert_false(evlog_on(NULL));
	evlog_inval(NULL, &h, "global", EVLOG_NULL);
	evlog_unmap(NULL, &h, 1);
	evlog_map(NULL, &h, &(struct iova_mapping){iova(0), iova(0xfff), gpa(0), 0});
	evlog_fault(NULL, &h, true, 1);
	evlog_ir_fault(NULL, &h, 1, 0x20);
	evlog_missed_inval(NULL, &h, NULL, NULL);
	evlog_close(NULL);
}

/* The core's maps and unmaps, domain-level (sid null). */
static void test_core_watch(void **state)
{
	struct iommu_config cfg = {
		.page_size_mask = 0x1000, .input_last = (1ull << 48) - 1, .domain_last = 100};
	struct evlog_watch w;
	struct iommu *io;
	struct evt t;

	(void)state;
	evt_open(&t);
	assert_int_equal(iommu_create(&cfg, &io), 0);
	evlog_watch_iommu(&w, t.log, EVLOG_VIRTIO, io);
	assert_int_equal(iommu_endpoint_add(io, 0x10, NULL), 0);
	assert_int_equal(iommu_attach(io, 5, 0x10, 0), 0);
	assert_int_equal(iommu_map(io, 5, iova(0x10000), iova(0x11fff), gpa(0x200000),
				   DMA_ACCESS_READ | DMA_ACCESS_WRITE),
			 0);
	assert_int_equal(
		iommu_map(io, 5, iova(0x20000), iova(0x20fff), gpa(0x300000), DMA_ACCESS_WRITE), 0);
	/* A refused map (overlap) logs nothing. */
	assert_int_equal(iommu_map(io, 5, iova(0x10000), iova(0x10fff), gpa(0), DMA_ACCESS_READ),
			 -EEXIST);
	assert_int_equal(iommu_unmap(io, 5, iova(0x10000), iova(0x11fff)), 0);
	/* The last endpoint leaves: the domain goes with its mapping. */
	assert_int_equal(iommu_detach(io, 5, 0x10), 0);
	evt_read(&t);
	all_json(&t);
	assert_int_equal(t.n, 4);
	expect_line(
		&t, 0,
		"\"iommu\":\"virtio\",\"event\":\"map\",\"sid\":null,\"domain\":5,"
		"\"iova\":\"0x10000\",\"result\":\"ok\",\"size\":\"0x2000\",\"gpa\":\"0x200000\","
		"\"perm\":\"rw\"}");
	expect_line(
		&t, 1,
		"\"iommu\":\"virtio\",\"event\":\"map\",\"sid\":null,\"domain\":5,"
		"\"iova\":\"0x20000\",\"result\":\"ok\",\"size\":\"0x1000\",\"gpa\":\"0x300000\","
		"\"perm\":\"w\"}");
	expect_line(&t, 2,
		    "\"iommu\":\"virtio\",\"event\":\"unmap\",\"sid\":null,\"domain\":5,"
		    "\"iova\":\"0x10000\",\"result\":\"ok\",\"size\":\"0x2000\"}");
	expect_line(&t, 3,
		    "\"iommu\":\"virtio\",\"event\":\"unmap\",\"sid\":null,\"domain\":5,"
		    "\"iova\":\"0x20000\",\"result\":\"ok\",\"size\":\"0x1000\"}");
	iommu_destroy(io);
	evt_close(&t);
}

/* The checker itself rejects what is not JSON (a checker that accepts
 * everything would hide broken lines). */
static void test_checker(void **state)
{
	(void)state;
	assert_true(json_object_line("{\"a\":[1,-2.5e3,true,false,null,{\"b\":\"\\u00e9\"}]}"));
	assert_false(json_object_line("{\"a\":1,}"));
	assert_false(json_object_line("{\"a\":01}"));
	assert_false(json_object_line("{\"a\":\"x\ty\"}"));
	assert_false(json_object_line("{\"a\":\"\\x\"}"));
	assert_false(json_object_line("{\"a\":1} {"));
	assert_false(json_object_line("{a:1}"));
	assert_false(json_object_line("{\"a\":nul}"));
	assert_null(evt_after_ts("{\"ts\":1.12345,\"a\":1}"));
	assert_non_null(evt_after_ts("{\"ts\":12.123456,\"a\":1}"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_checker),
		cmocka_unit_test(test_each_kind),
		cmocka_unit_test(test_escaping),
		cmocka_unit_test(test_two_threads),
		cmocka_unit_test(test_open_and_write_errors),
		cmocka_unit_test(test_core_watch),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
