// SPDX-License-Identifier: MIT
/* Unit tests for the emulated VT-d's interrupt remapping, the part that
 * reaches KVM (devices/vtd/ir.c, qi.c, mmio.c): the router (a blocked vector
 * is left unrouted; routing records no fault, the request does), IEC
 * invalidation re-routing through the hook, an IEC's wait descriptor
 * completing only after the re-route, and the DMAR table's flags and IOAPIC
 * device scope. */
#include "tests/unit/vtd_ir_fixture.h"

#include "tests/unit/acpi_fixture.h"

static void test_router(void **state)
{
	struct fx *f = *state;
	struct msi_msg m = {ir_addr(7, true), 0};
	struct msi_msg out;

	ir_enable(f, DMA_IRTA_EIME | S_16);
	/* Entry 7 not present: no route, the old one removed, and no fault:
	 * routing is no interrupt request. */
	assert_int_equal(f->router.route(f->router.opaque, 40, &m, SRC, true), -EPERM);
	assert_int_equal(f->inner.routes, 0);
	assert_int_equal(f->inner.removes, 1);
	assert_int_equal(nr_faults(f), 0);
	/* The request itself (what an unrouted vector sends through the
	 * sink) is blocked and recorded. */
	assert_int_equal(vtd_ir_translate(f->v, &m, SRC, &out, true), -EPERM);
	assert_int_equal(nr_faults(f), 1);
	assert_fault(f, 0, VTD_FR_IR_NP, SRC, 7);
	/* Present: the remapped message is routed. */
	irte_put(f, 7, irte_lo(0x77, 0x1ff), 0);
	assert_int_equal(f->router.route(f->router.opaque, 40, &m, SRC, true), 0);
	assert_int_equal(f->inner.routes, 1);
	assert_int_equal(f->inner.gsi, 40);
	assert_int_equal(f->inner.last.addr, 0x0000010000000000ull | 0xfeeff000);
	assert_int_equal(f->inner.last.data, 0x77);
	/* Removing a route translates nothing (no fault even if blocked). */
	irte_put(f, 7, 0, 0);
	assert_int_equal(f->router.route(f->router.opaque, 40, &m, SRC, false), 0);
	assert_int_equal(f->inner.removes, 2);
	assert_int_equal(nr_faults(f), 1);
	/* The IOAPIC's route mirror: translated without a record. */
	assert_int_equal(vtd_ir_translate(f->v, &m, SRC, &out, false), -EPERM);
	assert_int_equal(nr_faults(f), 1);
	assert_int_equal(vtd_ir_translate(f->v, &m, SRC, &out, true), -EPERM);
	assert_int_equal(nr_faults(f), 2);
}

/* Re-route as the VMM's hook does: route gsi 9 again through the router. */
static void reroute(void *opaque)
{
	struct fx *f = opaque;
	struct msi_msg m = {ir_addr(1, true), 0};

	f->notified++;
	(void)f->router.route(f->router.opaque, 9, &m, SRC, true);
}

static void qd(struct fx *f, uint64_t lo, uint64_t hi)
{
	put64(&f->mem, QUEUE + 16ull * f->tail, lo);
	put64(&f->mem, QUEUE + 16ull * f->tail + 8, hi);
	f->tail = (f->tail + 1) % 256;
	wr(f, DMAR_IQT_REG, 8, f->tail << 4);
}

static void test_iec_reroutes(void **state)
{
	struct fx *f = *state;

	vtd_ir_set_notify(f->v, reroute, f);
	irte_put(f, 1, irte_lo(0x51, 3), 0);
	ir_enable(f, DMA_IRTA_EIME | S_16);
	wr(f, DMAR_IQA_REG, 8, QUEUE);
	wr(f, DMAR_GCMD_REG, 4, DMA_GCMD_IRE | DMA_GCMD_QIE);
	f->notified = 0;
	f->inner.routes = 0;
	/* The guest changes entry 1: KVM keeps the old route until the IEC. */
	irte_put(f, 1, irte_lo(0x52, 4), 0);
	assert_int_equal(f->inner.routes, 0);
	qd(f, 4, 0); /* global */
	assert_int_equal(rd(f, DMAR_FSTS_REG, 4) & DMA_FSTS_IQE, 0);
	assert_int_equal(f->notified, 1);
	assert_int_equal(f->inner.routes, 1);
	assert_int_equal(f->inner.last.data, 0x52);
	assert_int_equal(f->inner.last.addr, 0xfee04000ull);
	/* Index-selective: index 1, mask 0. */
	irte_put(f, 1, irte_lo(0x53, 4), 0);
	qd(f, 4 | IEC_SEL | 1ull << 32, 0);
	assert_int_equal(f->notified, 2);
	assert_int_equal(f->inner.last.data, 0x53);
	/* A reserved bit: queue error, nothing re-routed. */
	qd(f, 4 | 1ull << 48, 0);
	assert_true(rd(f, DMAR_FSTS_REG, 4) & DMA_FSTS_IQE);
	assert_int_equal(f->notified, 2);
	assert_int_equal(f->inner.routes, 2);
}

/* The status word of the wait descriptors below, as each re-route saw it. */
#define STATUS 0x30000ull
static uint32_t seen[4];
static unsigned nr_seen;

static void reroute_watch(void *opaque)
{
	struct fx *f = opaque;
	uint32_t w = 0;

	assert_int_equal(guest_mem_read(&f->mem, gpa(STATUS), &w, 4), 0);
	if (nr_seen < ARRAY_SIZE(seen))
		seen[nr_seen++] = w;
	reroute(opaque);
}

/* An IEC's completion (the next wait descriptor's status write) is not seen
 * before KVM's routes follow: the queue pauses at the wait until the
 * re-route, then goes on, all within the one doorbell. */
static void test_iec_wait_order(void **state)
{
	struct fx *f = *state;
	const uint64_t wait = 5 | 1ull << 5; /* invalidation wait, status write */

	vtd_ir_set_notify(f->v, reroute_watch, f);
	irte_put(f, 1, irte_lo(0x51, 3), 0);
	ir_enable(f, DMA_IRTA_EIME | S_16);
	wr(f, DMAR_IQA_REG, 8, QUEUE);
	wr(f, DMAR_GCMD_REG, 4, DMA_GCMD_IRE | DMA_GCMD_QIE);
	nr_seen = 0;
	put64(&f->mem, QUEUE + 0, 4);
	put64(&f->mem, QUEUE + 8, 0);
	put64(&f->mem, QUEUE + 16, wait | 0x77ull << 32);
	put64(&f->mem, QUEUE + 24, STATUS);
	put64(&f->mem, QUEUE + 32, 4);
	put64(&f->mem, QUEUE + 40, 0);
	put64(&f->mem, QUEUE + 48, wait | 0x78ull << 32);
	put64(&f->mem, QUEUE + 56, STATUS);
	wr(f, DMAR_IQT_REG, 8, 4 << 4);
	assert_int_equal(nr_seen, 2);
	assert_int_equal(seen[0], 0);	 /* the first re-route, before any wait */
	assert_int_equal(seen[1], 0x77); /* the second, after the first wait only */
	assert_int_equal((uint32_t)get64(&f->mem, STATUS), 0x78);
	assert_int_equal(rd(f, DMAR_IQH_REG, 8), 4 << 4);
	assert_int_equal(rd(f, DMAR_FSTS_REG, 4) & DMA_FSTS_IQE, 0);
}

/* The DMAR: INTR_REMAP, X2APIC_OPT_OUT only without EIM, one DRHD whose
 * device scope is the IOAPIC (type 3, its ID, path 00:1e.0). */
static void test_dmar(void **state)
{
	for (unsigned eim = 0; eim < 2; eim++) {
		struct guest_mem mem;
		struct vtd_params p = {.mem = &mem,
				       .aw_bits = 39,
				       .eim = eim,
				       .ioapic_id = 2,
				       .ioapic_rid = 0x00f0};
		struct vtd *v;
		struct acpi_ext ext;
		struct acpi_config cfg = {.nr_cpus = 1, .ext = &ext, .nr_ext = 1};
		const uint8_t *t;
		gpa_t rsdp;

		(void)state;
		mem_init(&mem);
		assert_int_equal(vtd_new(&p, &v), 0);
		ext = vtd_acpi_ext(v, 0xfed90000);
		assert_int_equal(acpi_build(&cfg, area, sizeof(area), gpa(AREA_BASE), &rsdp), 0);
		t = (const uint8_t *)xsdt_find("DMAR");
		assert_non_null(t);
		assert_int_equal(((const struct acpi_table_header *)t)->length, 36 + 12 + 16 + 8);
		assert_int_equal(t[36], 38);		  /* width - 1 */
		assert_int_equal(t[37], eim ? 0x1 : 0x3); /* INTR_REMAP, X2APIC_OPT_OUT */
		assert_int_equal(t[48] | t[49] << 8, 0);  /* DRHD */
		assert_int_equal(t[50] | t[51] << 8, 24); /* with its scope */
		assert_int_equal(t[52], 1);		  /* INCLUDE_PCI_ALL */
		assert_int_equal(t[64], 3);		  /* scope: IOAPIC */
		assert_int_equal(t[65], 8);
		assert_int_equal(t[68], 2); /* enumeration ID */
		assert_int_equal(t[69], 0); /* bus */
		assert_int_equal(t[70], 0x1e);
		assert_int_equal(t[71], 0);
		vtd_free(v);
		free(mem.r[0].host);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_router, setup, teardown),
		cmocka_unit_test_setup_teardown(test_iec_reroutes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_iec_wait_order, setup, teardown),
		cmocka_unit_test(test_dmar),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
