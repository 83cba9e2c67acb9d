// SPDX-License-Identifier: MIT
/* Unit tests for the platform devices (devices/platform.h): isa-debug-exit,
 * the ACPI PM registers and PCI configuration mechanism #1. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devices/platform.h"
#include "vmm/acpi.h"
#include "vmm/exit_codes.h"
#include "vmm/layout.h"

/* A stop_sink that records its calls. */
struct stops {
	unsigned n;
	int status;
	bool why_null;
	char why[128];
};

static void record_stop(void *opaque, int status, const char *why)
{
	struct stops *s = opaque;

	s->n++;
	s->status = status;
	s->why_null = !why;
	snprintf(s->why, sizeof(s->why), "%s", why ? why : "");
}

#define SINK(st) ((struct stop_sink){.stop = record_stop, .opaque = (st)})

static void dbg_write(uint64_t off, unsigned size, uint64_t v, unsigned want_n, int want_status)
{
	struct stops st = {0};
	struct stop_sink sink = SINK(&st);

	debug_exit_ops.write(&sink, off, size, v);
	assert_int_equal(st.n, want_n);
	if (want_n)
		assert_int_equal(st.status, want_status);
}

static void test_debug_exit(void **state)
{
	struct stops st = {0};
	struct stop_sink sink = SINK(&st);

	(void)state;
	dbg_write(0, 1, 0x10, 1, 0x21);
	dbg_write(0, 1, 0, 1, 1);
	dbg_write(0, 1, 0x7f, 1, 0xff);
	dbg_write(0, 1, 0x80, 1, 0x01);
	dbg_write(0, 1, 0xff, 1, 0xff);
	dbg_write(0, 1, 0x1ff, 1, 0xff); /* high bits beyond the size */
	dbg_write(0, 2, 0x0102, 1, 0x05);
	dbg_write(0, 2, 0x1234, 1, 0x69);
	dbg_write(0, 4, 0x7f, 1, 0xff);
	dbg_write(0, 4, 0xdeadbe03, 1, 0x07);
	dbg_write(0, 4, 0xffffffff00000001ull, 1, 0x03);
	dbg_write(1, 1, 0x10, 0, 0);
	dbg_write(2, 2, 0x10, 0, 0);
	dbg_write(3, 1, 0x10, 0, 0);
	/* The reason names the value, masked to the access size. */
	debug_exit_ops.write(&sink, 0, 2, 0xabcd1234);
	assert_string_equal(st.why, "guest wrote 0x1234 to the debug-exit port");
	assert_int_equal(debug_exit_ops.read(&sink, 0, 4), 0);
	assert_int_equal(st.n, 1);
}

static void test_debug_exit_on_bus(void **state)
{
	struct stops st = {0};
	struct stop_sink sink = SINK(&st);
	struct bus *b = malloc(sizeof(*b));
	uint64_t v;

	(void)state;
	bus_init(b, "pio");
	assert_int_equal(bus_register(b, PORT_DEBUG_EXIT, 4, &debug_exit_ops, &sink, "dbg"), 0);
	assert_true(bus_write(b, PORT_DEBUG_EXIT + 1, 1, 5));
	assert_int_equal(st.n, 0);
	assert_true(bus_write(b, PORT_DEBUG_EXIT, 1, 0x31));
	assert_int_equal(st.n, 1);
	assert_int_equal(st.status, 0x63);
	assert_true(bus_read(b, PORT_DEBUG_EXIT, 1, &v));
	assert_int_equal(v, 0);
	free(b);
}

static void pm_write(uint64_t off, unsigned size, uint64_t v, unsigned want_n, int want_status)
{
	struct stops st = {0};
	struct stop_sink sink = SINK(&st);

	acpi_pm_ops.write(&sink, off, size, v);
	assert_int_equal(st.n, want_n);
	if (want_n)
		assert_int_equal(st.status, want_status);
}

static void test_acpi_pm_sleep(void **state)
{
	const uint64_t s5 = (5 << ACPI_SLP_TYP_SHIFT) | ACPI_SLP_EN;
	struct stops st = {0};
	struct stop_sink sink = SINK(&st);

	(void)state;
	assert_int_equal(s5, 0x34);
	pm_write(0, 1, s5, 1, VMM_EXIT_POWEROFF);
	pm_write(0, 1, s5 | 0x03, 1, VMM_EXIT_POWEROFF);   /* other bits ignored */
	pm_write(0, 1, s5 & ~(uint64_t)ACPI_SLP_EN, 0, 0); /* no SLP_EN */
	for (unsigned typ = 0; typ < 8; typ++)
		if (typ != ACPI_S5_SLP_TYP)
			pm_write(0, 1, (typ << 2) | ACPI_SLP_EN, 0, 0);
	pm_write(0, 1, ACPI_SLP_EN, 0, 0);
	pm_write(0, 1, 0, 0, 0);
	pm_write(1, 1, s5, 0, 0); /* sleep status register */
	pm_write(3, 1, s5, 0, 0);
	acpi_pm_ops.write(&sink, 0, 1, s5);
	assert_int_equal(st.n, 1);
	assert_int_equal(st.status, 0);
	assert_true(st.why_null);
	assert_int_equal(acpi_pm_ops.read(&sink, 0, 1), 0);
	assert_int_equal(acpi_pm_ops.read(&sink, 1, 1), 0);
}

static void test_acpi_pm_reset(void **state)
{
	struct stops st = {0};
	struct stop_sink sink = SINK(&st);

	(void)state;
	assert_int_equal(ACPI_RESET_VALUE, 6);
	pm_write(2, 1, ACPI_RESET_VALUE, 1, VMM_EXIT_RESET);
	pm_write(2, 1, 0, 0, 0);
	pm_write(2, 1, 5, 0, 0);
	pm_write(2, 1, 7, 0, 0);
	pm_write(2, 1, 0x0e, 0, 0);
	pm_write(0, 1, ACPI_RESET_VALUE, 0, 0);
	pm_write(1, 1, ACPI_RESET_VALUE, 0, 0);
	acpi_pm_ops.write(&sink, 2, 1, ACPI_RESET_VALUE);
	assert_int_equal(st.status, 8);
	assert_false(st.why_null);
	assert_non_null(strstr(st.why, "reset"));
}

/* A fake config space that records the last access. */
struct conf_log {
	unsigned reads, writes;
	uint16_t bdf, reg;
	unsigned size;
	uint32_t val;
};

static uint32_t fake_conf_read(void *opaque, uint16_t bdf, uint16_t reg, unsigned size)
{
	struct conf_log *l = opaque;

	l->reads++;
	l->bdf = bdf;
	l->reg = reg;
	l->size = size;
	return 0x12345600u | reg;
}

static void fake_conf_write(void *opaque, uint16_t bdf, uint16_t reg, unsigned size, uint32_t val)
{
	struct conf_log *l = opaque;

	l->writes++;
	l->bdf = bdf;
	l->reg = reg;
	l->size = size;
	l->val = val;
}

static struct pci_conf1 *conf1_new(struct conf_log *l)
{
	struct pci_conf1 *c = malloc(sizeof(*c));

	assert_non_null(c);
	pci_conf1_init(c, (struct pci_conf_target){fake_conf_read, fake_conf_write, l});
	return c;
}

#define CONF_ADDR(bus, dev, fn, reg) (0x80000000u | (bus) << 16 | (dev) << 11 | (fn) << 8 | (reg))

static void test_conf1_latch(void **state)
{
	struct conf_log l = {0};
	struct pci_conf1 *c = conf1_new(&l);

	(void)state;
	assert_int_equal(pci_conf1_ops.read(c, 0, 4), 0);
	pci_conf1_ops.write(c, 0, 4, 0x80001234);
	assert_int_equal(c->addr, 0x80001234);
	assert_int_equal(pci_conf1_ops.read(c, 0, 4), 0x80001234);
	pci_conf1_ops.write(c, 0, 4, 0x80000007); /* low two bits kept, as QEMU does */
	assert_int_equal(pci_conf1_ops.read(c, 0, 4), 0x80000007);
	/* Byte and word writes to 0xcf8..0xcfb do not latch. */
	pci_conf1_ops.write(c, 0, 1, 0xff);
	pci_conf1_ops.write(c, 0, 2, 0xffff);
	pci_conf1_ops.write(c, 1, 1, 0xff);
	pci_conf1_ops.write(c, 2, 2, 0xffff);
	pci_conf1_ops.write(c, 3, 1, 0xff);
	assert_int_equal(c->addr, 0x80000007);
	/* Non-dword reads there are all ones. */
	assert_int_equal(pci_conf1_ops.read(c, 0, 2), ~0ull);
	assert_int_equal(pci_conf1_ops.read(c, 0, 1), ~0ull);
	assert_int_equal(pci_conf1_ops.read(c, 2, 2), ~0ull);
	assert_int_equal(l.reads + l.writes, 0);
	free(c);
}

static void test_conf1_disabled(void **state)
{
	struct conf_log l = {0};
	struct pci_conf1 *c = conf1_new(&l);

	(void)state;
	pci_conf1_ops.write(c, 0, 4, CONF_ADDR(0, 1, 0, 0x10) & ~0x80000000u);
	assert_int_equal(pci_conf1_ops.read(c, 4, 4), ~0ull);
	assert_int_equal(pci_conf1_ops.read(c, 5, 1), ~0ull);
	pci_conf1_ops.write(c, 4, 4, 0xdeadbeef);
	pci_conf1_ops.write(c, 6, 2, 0xbeef);
	assert_int_equal(l.reads + l.writes, 0);
	free(c);
}

static void test_conf1_offsets(void **state)
{
	static const struct {
		uint64_t off;
		unsigned size;
		uint16_t reg;
	} ok[] = {
		{4, 4, 0x10}, {4, 2, 0x10}, {6, 2, 0x12}, {4, 1, 0x10},
		{5, 1, 0x11}, {6, 1, 0x12}, {7, 1, 0x13},
	};
	struct conf_log l = {0};
	struct pci_conf1 *c = conf1_new(&l);

	(void)state;
	pci_conf1_ops.write(c, 0, 4, CONF_ADDR(1, 2, 3, 0x10));
	for (unsigned i = 0; i < ARRAY_SIZE(ok); i++) {
		assert_int_equal(pci_conf1_ops.read(c, ok[i].off, ok[i].size),
				 0x12345600u | ok[i].reg);
		assert_int_equal(l.reads, i + 1);
		assert_int_equal(l.bdf, 0x113);
		assert_int_equal(l.reg, ok[i].reg);
		assert_int_equal(l.size, ok[i].size);
		pci_conf1_ops.write(c, ok[i].off, ok[i].size, 0xa5a5a5a5u);
		assert_int_equal(l.writes, i + 1);
		assert_int_equal(l.reg, ok[i].reg);
		assert_int_equal(l.size, ok[i].size);
		assert_int_equal(l.val, 0xa5a5a5a5u);
	}
	free(c);
}

static void test_conf1_misaligned(void **state)
{
	static const struct {
		uint64_t off;
		unsigned size;
	} bad[] = {
		{5, 2}, {7, 2}, {5, 4}, {6, 4}, {7, 4},
	};
	struct conf_log l = {0};
	struct pci_conf1 *c = conf1_new(&l);

	(void)state;
	pci_conf1_ops.write(c, 0, 4, CONF_ADDR(0, 3, 0, 0x40));
	for (unsigned i = 0; i < ARRAY_SIZE(bad); i++) {
		assert_int_equal(pci_conf1_ops.read(c, bad[i].off, bad[i].size), ~0ull);
		pci_conf1_ops.write(c, bad[i].off, bad[i].size, 0);
	}
	assert_int_equal(l.reads + l.writes, 0);
	free(c);
}

static void test_conf1_bdf(void **state)
{
	static const struct {
		uint32_t addr;
		uint16_t bdf, reg;
	} cases[] = {
		{CONF_ADDR(0, 0, 0, 0), 0x0000, 0x00},
		{CONF_ADDR(0, 31, 7, 0xfc), 0x00ff, 0xfc},
		{CONF_ADDR(255, 31, 7, 0xfc), 0xffff, 0xfc},
		{CONF_ADDR(0x12, 5, 2, 0x3c), 0x122a, 0x3c},
		{0xfffffffc, 0xffff, 0xfc}, /* reserved bits 30:24 ignored */
	};
	struct conf_log l = {0};
	struct pci_conf1 *c = conf1_new(&l);

	(void)state;
	for (unsigned i = 0; i < ARRAY_SIZE(cases); i++) {
		pci_conf1_ops.write(c, 0, 4, cases[i].addr);
		pci_conf1_ops.read(c, 7, 1);
		assert_int_equal(l.bdf, cases[i].bdf);
		assert_int_equal(l.reg, cases[i].reg + 3);
		pci_conf1_ops.write(c, 4, 4, i);
		assert_int_equal(l.bdf, cases[i].bdf);
		assert_int_equal(l.reg, cases[i].reg);
		assert_int_equal(l.val, i);
	}
	free(c);
}

static void test_conf1_null_target(void **state)
{
	struct pci_conf1 *c = malloc(sizeof(*c));

	(void)state;
	pci_conf1_init(c, (struct pci_conf_target){NULL, NULL, NULL});
	pci_conf1_ops.write(c, 0, 4, CONF_ADDR(0, 0, 0, 0));
	assert_int_equal(pci_conf1_ops.read(c, 4, 4), ~0ull);
	assert_int_equal(pci_conf1_ops.read(c, 6, 2), ~0ull);
	pci_conf1_ops.write(c, 4, 4, 1); /* dropped, must not crash */
	assert_int_equal(pci_conf1_ops.read(c, 0, 4), 0x80000000u);
	free(c);
}

static void test_conf1_on_bus(void **state)
{
	struct conf_log l = {0};
	struct pci_conf1 *c = conf1_new(&l);
	struct bus *b = malloc(sizeof(*b));
	uint64_t v;

	(void)state;
	bus_init(b, "pio");
	assert_int_equal(bus_register(b, PORT_PCI_CONF, 8, &pci_conf1_ops, c, "conf1"), 0);
	assert_true(bus_write(b, 0xcf8, 4, CONF_ADDR(0, 4, 1, 0x08)));
	assert_true(bus_read(b, 0xcfe, 1, &v));
	assert_int_equal(v, 0x0a); /* 0x1234560a masked to a byte */
	assert_int_equal(l.bdf, 0x21);
	assert_int_equal(l.reg, 0x0a);
	assert_true(bus_read(b, 0xcfc, 4, &v));
	assert_int_equal(v, 0x12345608);
	assert_true(bus_read(b, 0xcf8, 4, &v));
	assert_int_equal(v, CONF_ADDR(0, 4, 1, 0x08));
	assert_true(bus_read(b, 0xcfd, 2, &v)); /* misaligned: all ones */
	assert_int_equal(v, 0xffff);
	assert_int_equal(l.reads, 2);
	free(b);
	free(c);
}

/* An absent legacy device: all ones, writes dropped, the first access noted
 * once (seen). */
static void test_absent(void **state)
{
	struct absent_dev a = {.name = "pic1 (absent)"};

	(void)state;
	assert_false(a.seen);
	absent_ops.write(&a, 1, 1, 0xfb); /* the guest masks every line */
	assert_true(a.seen);
	assert_int_equal(absent_ops.read(&a, 1, 1) & 0xff, 0xff);
	assert_int_equal(absent_ops.read(&a, 0, 2) & 0xffff, 0xffff);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_debug_exit),    cmocka_unit_test(test_debug_exit_on_bus),
		cmocka_unit_test(test_acpi_pm_sleep), cmocka_unit_test(test_acpi_pm_reset),
		cmocka_unit_test(test_conf1_latch),   cmocka_unit_test(test_conf1_disabled),
		cmocka_unit_test(test_conf1_offsets), cmocka_unit_test(test_conf1_misaligned),
		cmocka_unit_test(test_conf1_bdf),     cmocka_unit_test(test_conf1_null_target),
		cmocka_unit_test(test_conf1_on_bus),  cmocka_unit_test(test_absent),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
