// SPDX-License-Identifier: MIT
/* Unit tests for the emulated VT-d's --iommu-log lines (devices/vtd/log.c)
 * and check-invalidation=on (devices/vtd/check.c), through the unit's
 * registers and the DMA API over fake guest memory: a PTE changed without
 * an invalidation is logged once as a missed invalidation naming the
 * source-id, domain, IOVA, cached and table entries, while the DMA is
 * still served from the cache; after the invalidation nothing more; a
 * not-present PTE and a permission change are missed too; no such line
 * without the option; faults (recorded, FPD, overflow) and invalidations
 * (register-based and queued, every granularity, IEC) give their lines. */
#include "tests/unit/evlog_fixture.h"
#include "tests/unit/vtd_fixture.h"

#define QUEUE 0x20000ull /* invalidation queue, one page: 256 descriptors */
#define SID   "\"sid\":\"00:02.0\""

struct fx {
	struct guest_mem mem;
	struct vtd *v;
	struct dma_as as;
	struct fake_msi msi;
	struct evt t;
	unsigned tail;
};

static int setup_with(void **state, bool check)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct vtd_params p;

	mem_init(&f->mem);
	evt_open(&f->t);
	p = (struct vtd_params){.mem = &f->mem,
				.msi = {fake_msi_send, &f->msi},
				.aw_bits = 48,
				.log = f->t.log,
				.check_invalidation = check};
	assert_int_equal(vtd_new(&p, &f->v), 0);
	dma_as_init(&f->as, RID, &f->mem);
	assert_int_equal(vtd_endpoint_add(f->v, RID, &f->as), 0);
	*state = f;
	return 0;
}

static int setup_check(void **state)
{
	return setup_with(state, true);
}

static int setup_nocheck(void **state)
{
	return setup_with(state, false);
}

static int teardown(void **state)
{
	struct fx *f = *state;

	vtd_free(f->v);
	evt_close(&f->t);
	free(f->mem.r[0].host);
	free(f);
	return 0;
}

static void wr(struct fx *f, unsigned off, unsigned size, uint64_t val)
{
	vtd_mmio_ops.write(f->v, off, size, val);
}

static void enable(struct fx *f)
{
	wr(f, DMAR_RTADDR_REG, 8, ROOT);
	wr(f, DMAR_GCMD_REG, 4, DMA_GCMD_SRTP);
	wr(f, DMAR_FECTL_REG, 4, 0);
	wr(f, DMAR_GCMD_REG, 4, DMA_GCMD_TE);
}

static uint32_t dread(struct fx *f, uint64_t a)
{
	uint32_t v = 0;

	assert_int_equal(dma_read(&f->as, iova(a), &v, 4), 0);
	return v;
}

static void psi(struct fx *f, uint64_t a)
{
	wr(f, DMAR_IVA_REG, 8, a);
	wr(f, DMAR_IOTLB_REG, 8,
	   DMA_TLB_IVT | (uint64_t)DMA_TLB_PSI << DMA_TLB_IIRG_SHIFT | (uint64_t)DID << 32);
}

/* The lines so far, each a JSON object. */
static void lines(struct fx *f)
{
	evt_read(&f->t);
	for (unsigned i = 0; i < f->t.n; i++)
		if (!json_object_line(f->t.line[i]) || !evt_after_ts(f->t.line[i]))
			fail_msg("not a log line: %s", f->t.line[i]);
}

static void test_missed_invalidation(void **state)
{
	struct fx *f = *state;

	ctx_set(&f->mem, RID, 2, DID, 0, false);
	enable(f);
	put64(&f->mem, DATA, 0xa0);
	put64(&f->mem, DATA + 0x1000, 0xb0);
	map4k(&f->mem, 0x10000, DATA, R | W);
	assert_int_equal(dread(f, 0x10000), 0xa0); /* a miss: the walk caches it */
	assert_int_equal(dread(f, 0x10000), 0xa0); /* cached, and the tables agree */
	lines(f);
	assert_int_equal(evt_count(&f->t, "missed_inval"), 0);
	assert_int_equal(evt_count(&f->t, "\"event\":\"map\",\"sid\":null,\"domain\":7,"
					  "\"iova\":\"0x10000\""),
			 1);
	/* The driver's bug: a live PTE changes, no flush. The DMA is served
	 * from the cache, as hardware may; the log says so, once. */
	map4k(&f->mem, 0x10000, DATA + 0x1000, R | W);
	assert_int_equal(dread(f, 0x10000), 0xa0);
	assert_int_equal(dread(f, 0x10abc), 0);
	lines(f);
	assert_int_equal(evt_count(&f->t, "missed_inval"), 1);
	assert_non_null(
		strstr(f->t.line[f->t.n - 1],
		       "\"event\":\"missed_inval\"," SID ",\"domain\":7,\"iova\":\"0x10000\","
		       "\"result\":\"stale\",\"cached\":{\"gpa\":\"0x100000\",\"perm\":\"rw\","
		       "\"size\":\"0x1000\"},\"table\":{\"gpa\":\"0x101000\",\"perm\":\"rw\","
		       "\"size\":\"0x1000\"}}"));
	/* The flush: the new page is seen, and nothing is missed any more. */
	psi(f, 0x10000);
	assert_int_equal(dread(f, 0x10000), 0xb0);
	assert_int_equal(dread(f, 0x10000), 0xb0);
	lines(f);
	assert_int_equal(evt_count(&f->t, "missed_inval"), 1);
	assert_int_equal(evt_count(&f->t, "\"event\":\"inval\",\"sid\":null,\"domain\":7,"
					  "\"iova\":\"0x10000\",\"result\":\"ok\","
					  "\"gran\":\"page\",\"am\":0}"),
			 1);
	/* The same entry goes stale again after its invalidation: logged
	 * again. Not present in the tables: "table":null. */
	put64(&f->mem, PT + 8 * 0x10, 0);
	assert_int_equal(dread(f, 0x10000), 0xb0);
	lines(f);
	assert_int_equal(evt_count(&f->t, "missed_inval"), 2);
	assert_non_null(strstr(f->t.line[f->t.n - 1], "\"cached\":{\"gpa\":\"0x101000\","
						      "\"perm\":\"rw\",\"size\":\"0x1000\"},"
						      "\"table\":null}"));
	/* A domain-selective flush: a fault now, no missed invalidation. */
	wr(f, DMAR_IOTLB_REG, 8,
	   DMA_TLB_IVT | (uint64_t)DMA_TLB_DSI << DMA_TLB_IIRG_SHIFT | (uint64_t)DID << 32);
	assert_int_equal(dma_read(&f->as, iova(0x10000), &(uint32_t){0}, 4), -EFAULT);
	lines(f);
	assert_int_equal(evt_count(&f->t, "missed_inval"), 2);
	assert_int_equal(evt_count(&f->t, "\"gran\":\"domain\",\"am\":null"), 1);
	assert_int_equal(evt_count(&f->t, "\"event\":\"fault\"," SID ",\"domain\":7,"
					  "\"iova\":\"0x10000\",\"result\":\"0x06 not present"),
			 1);
}

/* Read-only made read-write without a flush: the cache still refuses the
 * write (a fault served from the cache), and the check sees it. */
static void test_missed_permission(void **state)
{
	struct fx *f = *state;
	uint32_t v = 1;

	ctx_set(&f->mem, RID, 2, DID, 0, false);
	enable(f);
	map4k(&f->mem, 0x30000, DATA, R);
	(void)dread(f, 0x30000);
	map4k(&f->mem, 0x30000, DATA, R | W);
	assert_int_equal(dma_write(&f->as, iova(0x30000), &v, 4), -EFAULT);
	lines(f);
	assert_int_equal(evt_count(&f->t, "missed_inval"), 1);
	assert_int_equal(evt_count(&f->t, "\"cached\":{\"gpa\":\"0x100000\",\"perm\":\"r\","
					  "\"size\":\"0x1000\"},\"table\":{\"gpa\":\"0x100000\","
					  "\"perm\":\"rw\",\"size\":\"0x1000\"}"),
			 1);
	assert_int_equal(evt_count(&f->t,
				   "\"event\":\"fault\"," SID ",\"domain\":7,"
				   "\"iova\":\"0x30000\",\"result\":\"0x05 not present or "
				   "not writable (write)\",\"access\":\"write\",\"reason\":5"),
			 1);
}

/* Without check-invalidation the same bug is silent (as on hardware). */
static void test_no_check_no_line(void **state)
{
	struct fx *f = *state;

	ctx_set(&f->mem, RID, 2, DID, 0, false);
	enable(f);
	put64(&f->mem, DATA, 0xa0);
	map4k(&f->mem, 0x10000, DATA, R | W);
	assert_int_equal(dread(f, 0x10000), 0xa0);
	map4k(&f->mem, 0x10000, DATA + 0x1000, R | W);
	assert_int_equal(dread(f, 0x10000), 0xa0);
	assert_int_equal(dread(f, 0x10000), 0xa0);
	lines(f);
	assert_int_equal(evt_count(&f->t, "missed_inval"), 0);
	assert_int_equal(evt_count(&f->t, "\"event\":\"map\""), 1);
}

static void qd(struct fx *f, uint64_t lo, uint64_t hi)
{
	put64(&f->mem, QUEUE + 16ull * f->tail, lo);
	put64(&f->mem, QUEUE + 16ull * f->tail + 8, hi);
	f->tail = (f->tail + 1) % 256;
}

static void test_invalidation_lines(void **state)
{
	struct fx *f = *state;

	ctx_set(&f->mem, RID, 2, DID, 0, false);
	enable(f);
	/* Register-based: context (device), IOTLB global. */
	wr(f, DMAR_CCMD_REG, 8,
	   DMA_CCMD_ICC | (uint64_t)DMA_CCMD_DEVICE << DMA_CCMD_CIRG_SHIFT |
		   (uint64_t)RID << DMA_CCMD_SID_SHIFT | DID);
	wr(f, DMAR_IOTLB_REG, 8, DMA_TLB_IVT | (uint64_t)DMA_TLB_GLOBAL << DMA_TLB_IIRG_SHIFT);
	/* Queued: context (domain), IOTLB page with am 3, IEC. */
	wr(f, DMAR_IQT_REG, 8, 0);
	wr(f, DMAR_IQA_REG, 8, QUEUE);
	wr(f, DMAR_GCMD_REG, 4, DMA_GCMD_QIE | DMA_GCMD_TE);
	qd(f, 1 | 2 << 4 | (uint64_t)9 << 16, 0);
	qd(f, 2 | 3 << 4 | (uint64_t)DID << 16, 0x48000 | 3);
	qd(f, 4, 0);
	wr(f, DMAR_IQT_REG, 8, f->tail << 4);
	lines(f);
	assert_int_equal(evt_count(&f->t, "\"event\":\"inval\""), 5);
	assert_int_equal(evt_count(&f->t, "\"event\":\"inval\"," SID ",\"domain\":7,\"iova\":null,"
					  "\"result\":\"ok\",\"gran\":\"context\",\"am\":null}"),
			 1);
	assert_int_equal(evt_count(&f->t, "\"sid\":null,\"domain\":null,\"iova\":null,\"result\":"
					  "\"ok\",\"gran\":\"global\",\"am\":null}"),
			 1);
	assert_int_equal(evt_count(&f->t, "\"sid\":null,\"domain\":9,\"iova\":null,\"result\":"
					  "\"ok\",\"gran\":\"context\",\"am\":null}"),
			 1);
	assert_int_equal(evt_count(&f->t, "\"sid\":null,\"domain\":7,\"iova\":\"0x48000\","
					  "\"result\":\"ok\",\"gran\":\"page\",\"am\":3}"),
			 1);
	assert_int_equal(evt_count(&f->t, "\"gran\":\"iec\",\"am\":null}"), 1);
}

static void test_fault_lines(void **state)
{
	struct fx *f = *state;
	uint32_t v = 0;

	ctx_set(&f->mem, RID, 2, DID, 0, false);
	enable(f);
	/* Four fault records, then overflow: five faults, five lines. */
	for (unsigned i = 0; i < VTD_NR_FRCD + 1; i++)
		assert_int_equal(dma_read(&f->as, iova(0x80000 + 0x1000 * i), &v, 4), -EFAULT);
	/* FPD: not recorded, still logged. */
	ctx_set(&f->mem, RID, 2, DID, 0, true);
	wr(f, DMAR_CCMD_REG, 8, DMA_CCMD_ICC | (uint64_t)DMA_CCMD_GLOBAL << DMA_CCMD_CIRG_SHIFT);
	assert_int_equal(dma_write(&f->as, iova(0x90000), &v, 4), -EFAULT);
	lines(f);
	assert_int_equal(evt_count(&f->t, "\"event\":\"fault\""), 6);
	assert_int_equal(evt_count(&f->t,
				   "\"event\":\"fault\"," SID ",\"domain\":7,"
				   "\"iova\":\"0x80000\",\"result\":\"0x06 not present or "
				   "not readable (read)\",\"access\":\"read\",\"reason\":6}"),
			 1);
	assert_int_equal(evt_count(&f->t, "\"iova\":\"0x84000\",\"result\":\"0x06 not present or "
					  "not readable (read); not recorded (overflow)\""),
			 1);
	assert_int_equal(evt_count(&f->t, "\"iova\":\"0x90000\",\"result\":\"0x05 not present or "
					  "not writable (write); not recorded (FPD)\","
					  "\"access\":\"write\",\"reason\":5}"),
			 1);
	/* An interrupt-remapping fault, as the IR code reports it. */
	vtd_log_ir_fault(f->v, 0x00f8, 42, 0x22);
	lines(f);
	assert_int_equal(evt_count(&f->t, "\"event\":\"ir_fault\",\"sid\":\"00:1f.0\","
					  "\"domain\":null,\"iova\":null,\"result\":\"0x22 IRTE "
					  "not present\",\"index\":42,\"reason\":34}"),
			 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_missed_invalidation, setup_check, teardown),
		cmocka_unit_test_setup_teardown(test_missed_permission, setup_check, teardown),
		cmocka_unit_test_setup_teardown(test_no_check_no_line, setup_nocheck, teardown),
		cmocka_unit_test_setup_teardown(test_invalidation_lines, setup_nocheck, teardown),
		cmocka_unit_test_setup_teardown(test_fault_lines, setup_nocheck, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
