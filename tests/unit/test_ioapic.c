// SPDX-License-Identifier: MIT
/* Unit tests for the IOAPIC model (devices/ioapic.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>

#include "devices/ioapic.h"

#define RID 0xff00

struct sent {
	struct msi_msg msg;
	uint16_t rid;
};

struct route {
	unsigned pin;
	struct msi_msg msg;
	bool masked, level;
};

struct fixture {
	struct ioapic *io;
	struct sent sent[64];
	int nsent;
	int sink_ret;
	struct route routes[64];
	int nroutes;
};

static int fake_send(void *opaque, const struct msi_msg *m, uint16_t rid)
{
	struct fixture *fx = opaque;

	if (fx->nsent < (int)ARRAY_SIZE(fx->sent))
		fx->sent[fx->nsent] = (struct sent){*m, rid};
	fx->nsent++;
	return fx->sink_ret;
}

static void fake_route(void *opaque, unsigned pin, const struct msi_msg *m, bool masked, bool level)
{
	struct fixture *fx = opaque;

	if (fx->nroutes < (int)ARRAY_SIZE(fx->routes))
		fx->routes[fx->nroutes] = (struct route){pin, *m, masked, level};
	fx->nroutes++;
}

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	struct msi_sink sink = {fake_send, fx};

	assert_non_null(fx);
	fx->io = ioapic_new(sink, RID);
	assert_non_null(fx->io);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	ioapic_free(fx->io);
	free(fx);
	return 0;
}

static uint32_t rd(struct fixture *fx, uint8_t reg)
{
	ioapic_bus_ops.write(fx->io, IOAPIC_REGSEL, 4, reg);
	return (uint32_t)ioapic_bus_ops.read(fx->io, IOAPIC_IOWIN, 4);
}

static void wr(struct fixture *fx, uint8_t reg, uint32_t val)
{
	ioapic_bus_ops.write(fx->io, IOAPIC_REGSEL, 4, reg);
	ioapic_bus_ops.write(fx->io, IOAPIC_IOWIN, 4, val);
}

static void set_rte(struct fixture *fx, unsigned pin, uint64_t rte)
{
	wr(fx, IOAPIC_REG_REDTBL + 2 * pin + 1, (uint32_t)(rte >> 32));
	wr(fx, IOAPIC_REG_REDTBL + 2 * pin, (uint32_t)rte);
}

static uint32_t rte_lo(struct fixture *fx, unsigned pin)
{
	return rd(fx, IOAPIC_REG_REDTBL + 2 * pin);
}

static void test_id_ver_arb(void **state)
{
	struct fixture *fx = *state;

	assert_int_equal(rd(fx, IOAPIC_REG_VER), 0x170020);
	assert_int_equal(rd(fx, IOAPIC_REG_ID), 0);
	assert_int_equal(rd(fx, IOAPIC_REG_ARB), 0);
	wr(fx, IOAPIC_REG_ID, 0xffffffff);
	assert_int_equal(rd(fx, IOAPIC_REG_ID), 0x0f000000);
	assert_int_equal(rd(fx, IOAPIC_REG_ARB), 0x0f000000);
	wr(fx, IOAPIC_REG_ID, 0x02000000);
	assert_int_equal(rd(fx, IOAPIC_REG_ID), 0x02000000);
	wr(fx, IOAPIC_REG_VER, 0);
	wr(fx, IOAPIC_REG_ARB, 0);
	assert_int_equal(rd(fx, IOAPIC_REG_VER), 0x170020);
	assert_int_equal(rd(fx, IOAPIC_REG_ARB), 0x02000000);
	/* IOREGSEL reads back; absent registers read 0. */
	ioapic_bus_ops.write(fx->io, IOAPIC_REGSEL, 4, 0x3f);
	assert_int_equal(ioapic_bus_ops.read(fx->io, IOAPIC_REGSEL, 4), 0x3f);
	assert_int_equal(rd(fx, 0x40), 0);
	assert_int_equal(rd(fx, 0x03), 0);
	/* IOWIN takes 32-bit accesses only. */
	ioapic_bus_ops.write(fx->io, IOAPIC_REGSEL, 4, IOAPIC_REG_VER);
	assert_int_equal(ioapic_bus_ops.read(fx->io, IOAPIC_IOWIN, 1), 0);
}

static void test_rte_masks(void **state)
{
	struct fixture *fx = *state;

	for (unsigned pin = 0; pin < IOAPIC_PINS; pin++) {
		assert_int_equal(rte_lo(fx, pin), IOAPIC_RTE_MASKED);
		assert_int_equal(rd(fx, IOAPIC_REG_REDTBL + 2 * pin + 1), 0);
	}
	wr(fx, IOAPIC_REG_REDTBL + 2 * 5, 0xffffffff);
	assert_int_equal(rte_lo(fx, 5), 0x1afff); /* no RO or reserved bits */
	wr(fx, IOAPIC_REG_REDTBL + 2 * 5 + 1, 0xffffffff);
	assert_int_equal(rd(fx, IOAPIC_REG_REDTBL + 2 * 5 + 1), 0xffffffff);
	/* The neighbours are untouched. */
	assert_int_equal(rte_lo(fx, 4), IOAPIC_RTE_MASKED);
	assert_int_equal(rte_lo(fx, 6), IOAPIC_RTE_MASKED);
	assert_int_equal(fx->nsent, 0);
}

static void test_msi_format(void **state)
{
	struct fixture *fx = *state;
	struct msi_msg m;

	/* Physical, fixed, edge, dest 3, vector 0x30. */
	m = ioapic_rte_to_msi(0x0300000000000030ull);
	assert_int_equal(m.addr, 0xfee03000);
	assert_int_equal(m.data, 0x4030);
	/* Logical, lowest priority, level, dest 0x0f, vector 0x31. */
	m = ioapic_rte_to_msi(0x0f00000000000000ull | IOAPIC_RTE_DESTMODE | IOAPIC_RTE_LEVEL |
			      1 << 8 | 0x31);
	assert_int_equal(m.addr, 0xfee0f004);
	assert_int_equal(m.data, 0xc131);
	/* Remote IRR, mask and polarity do not leak into the message. */
	m = ioapic_rte_to_msi(0x30 | IOAPIC_RTE_REMOTE_IRR | IOAPIC_RTE_MASKED |
			      IOAPIC_RTE_POLARITY);
	assert_int_equal(m.addr, 0xfee00000);
	assert_int_equal(m.data, 0x4030);
	/* VT-d remappable format: index 0x1234, bit 48 set -> addr 19:4. */
	m = ioapic_rte_to_msi((uint64_t)(0x1234 << 1 | 1) << 48 | 0x40);
	assert_int_equal(m.addr, 0xfee00000 | 0x1234 << 5 | 1 << 4);

	/* Through a real delivery, with the requester id. */
	set_rte(fx, 4, 0x0100000000000000ull | 0x24);
	ioapic_set_irq(fx->io, 4, 1);
	assert_int_equal(fx->nsent, 1);
	assert_int_equal(fx->sent[0].msg.addr, 0xfee01000);
	assert_int_equal(fx->sent[0].msg.data, 0x4024);
	assert_int_equal(fx->sent[0].rid, RID);
	/* Vector 5 is illegal in compatibility format; in remappable format
	 * the vector field is the pin number Linux EOIs with: delivered. */
	set_rte(fx, 5, 5);
	ioapic_set_irq(fx->io, 5, 1);
	assert_int_equal(fx->nsent, 1);
	set_rte(fx, 6, IOAPIC_RTE_IR_FORMAT | (uint64_t)7 << 49 | 6);
	ioapic_set_irq(fx->io, 6, 1);
	assert_int_equal(fx->nsent, 2);
	assert_int_equal(fx->sent[1].msg.addr, 0xfee00000 | 7 << 5 | 1 << 4);
	assert_int_equal(fx->sent[1].msg.data, 0x4006);
	/* A new sink and requester id (interrupt remapping wraps the VM's):
	 * the next interrupt goes there. */
	ioapic_set_sink(fx->io, (struct msi_sink){fake_send, fx}, 0x00f0);
	ioapic_set_irq(fx->io, 6, 0);
	ioapic_set_irq(fx->io, 6, 1);
	assert_int_equal(fx->nsent, 3);
	assert_int_equal(fx->sent[2].rid, 0x00f0);
}

static void test_edge(void **state)
{
	struct fixture *fx = *state;

	set_rte(fx, 1, 0x41);
	ioapic_set_irq(fx->io, 1, 1);
	assert_int_equal(fx->nsent, 1);
	ioapic_set_irq(fx->io, 1, 1); /* no edge */
	assert_int_equal(fx->nsent, 1);
	ioapic_set_irq(fx->io, 1, 0);
	assert_int_equal(fx->nsent, 1);
	ioapic_set_irq(fx->io, 1, 1);
	assert_int_equal(fx->nsent, 2);
	assert_int_equal(rte_lo(fx, 1) & IOAPIC_RTE_REMOTE_IRR, 0);
	ioapic_set_irq(fx->io, 1, 0);

	/* Masked edges are lost, also after unmasking. */
	set_rte(fx, 1, 0x41 | IOAPIC_RTE_MASKED);
	ioapic_set_irq(fx->io, 1, 1);
	ioapic_set_irq(fx->io, 1, 0);
	ioapic_set_irq(fx->io, 1, 1);
	set_rte(fx, 1, 0x41);
	assert_int_equal(fx->nsent, 2);
	/* Masked pins never deliver. */
	ioapic_set_irq(fx->io, 2, 1);
	assert_int_equal(fx->nsent, 2);
}

static void test_level_eoi(void **state)
{
	struct fixture *fx = *state;

	set_rte(fx, 9, IOAPIC_RTE_LEVEL | 0x51);
	assert_int_equal(fx->nsent, 0);
	ioapic_set_irq(fx->io, 9, 1);
	assert_int_equal(fx->nsent, 1);
	assert_int_equal(fx->sent[0].msg.data, 0xc051);
	assert_true(rte_lo(fx, 9) & IOAPIC_RTE_REMOTE_IRR);
	ioapic_set_irq(fx->io, 9, 1);
	assert_int_equal(fx->nsent, 1);

	ioapic_eoi(fx->io, 0x52); /* other vector */
	assert_int_equal(fx->nsent, 1);
	assert_true(rte_lo(fx, 9) & IOAPIC_RTE_REMOTE_IRR);

	ioapic_eoi(fx->io, 0x51); /* still asserted: redelivered */
	assert_int_equal(fx->nsent, 2);
	assert_true(rte_lo(fx, 9) & IOAPIC_RTE_REMOTE_IRR);

	ioapic_set_irq(fx->io, 9, 0);
	assert_true(rte_lo(fx, 9) & IOAPIC_RTE_REMOTE_IRR); /* until EOI */
	/* EOI through the version 0x20 EOI register. */
	ioapic_bus_ops.write(fx->io, IOAPIC_EOI, 4, 0x51);
	assert_false(rte_lo(fx, 9) & IOAPIC_RTE_REMOTE_IRR);
	assert_int_equal(fx->nsent, 2);

	ioapic_set_irq(fx->io, 9, 1);
	assert_int_equal(fx->nsent, 3);
}

static void test_level_unmask_and_never_eoi(void **state)
{
	struct fixture *fx = *state;

	set_rte(fx, 10, IOAPIC_RTE_LEVEL | IOAPIC_RTE_MASKED | 0x60);
	ioapic_set_irq(fx->io, 10, 1);
	assert_int_equal(fx->nsent, 0);
	assert_false(rte_lo(fx, 10) & IOAPIC_RTE_REMOTE_IRR);
	set_rte(fx, 10, IOAPIC_RTE_LEVEL | 0x60); /* unmask while asserted */
	assert_int_equal(fx->nsent, 1);

	/* A guest that never EOIs: toggling the line sends nothing more. */
	for (int i = 0; i < 1000; i++)
		ioapic_set_irq(fx->io, 10, i & 1);
	assert_int_equal(fx->nsent, 1);
	/* Rewriting the entry does not redeliver while remote IRR is set. */
	set_rte(fx, 10, IOAPIC_RTE_LEVEL | 0x60);
	assert_int_equal(fx->nsent, 1);

	/* Switching to edge clears remote IRR. */
	set_rte(fx, 10, 0x60);
	assert_false(rte_lo(fx, 10) & IOAPIC_RTE_REMOTE_IRR);
	assert_int_equal(fx->nsent, 1);
}

static void test_sink_failure_and_bad_input(void **state)
{
	struct fixture *fx = *state;

	/* A failed delivery does not leave remote IRR set. */
	fx->sink_ret = -EINVAL;
	set_rte(fx, 3, IOAPIC_RTE_LEVEL | 0x70);
	ioapic_set_irq(fx->io, 3, 1);
	assert_int_equal(fx->nsent, 1);
	assert_false(rte_lo(fx, 3) & IOAPIC_RTE_REMOTE_IRR);
	fx->sink_ret = 0;

	/* Illegal vector and ExtINT are dropped; absent pins ignored. */
	set_rte(fx, 5, 0x05);
	ioapic_set_irq(fx->io, 5, 1);
	set_rte(fx, 6, 7 << 8 | 0x40);
	ioapic_set_irq(fx->io, 6, 1);
	ioapic_set_irq(fx->io, IOAPIC_PINS, 1);
	ioapic_set_irq(fx->io, 1000, 1);
	assert_int_equal(fx->nsent, 1);
}

static void test_route_hook(void **state)
{
	struct fixture *fx = *state;

	ioapic_set_route_hook(fx->io, fake_route, fx);
	assert_int_equal(fx->nroutes, 0);
	wr(fx, IOAPIC_REG_REDTBL + 2 * 2 + 1, 0x02000000);
	assert_int_equal(fx->nroutes, 1);
	assert_int_equal(fx->routes[0].pin, 2);
	assert_true(fx->routes[0].masked);
	assert_int_equal(fx->routes[0].msg.addr, 0xfee02000);
	wr(fx, IOAPIC_REG_REDTBL + 2 * 2, IOAPIC_RTE_LEVEL | 0x33);
	assert_int_equal(fx->nroutes, 2);
	assert_false(fx->routes[1].masked);
	assert_true(fx->routes[1].level);
	assert_int_equal(fx->routes[1].msg.data, 0xc033);
	/* Same value: no change, no call. */
	wr(fx, IOAPIC_REG_REDTBL + 2 * 2, IOAPIC_RTE_LEVEL | 0x33);
	assert_int_equal(fx->nroutes, 2);
	/* Delivery and EOI change remote IRR only: no call. */
	ioapic_set_irq(fx->io, 2, 1);
	ioapic_set_irq(fx->io, 2, 0);
	ioapic_eoi(fx->io, 0x33);
	assert_int_equal(fx->nsent, 1);
	assert_int_equal(fx->nroutes, 2);

	ioapic_replay_routes(fx->io);
	assert_int_equal(fx->nroutes, 2 + IOAPIC_PINS);
	assert_int_equal(fx->routes[2 + 2].pin, 2);
	assert_int_equal(fx->routes[2 + 2].msg.data, 0xc033);

	ioapic_set_route_hook(fx->io, NULL, NULL);
	wr(fx, IOAPIC_REG_REDTBL + 2 * 2, 0x34);
	assert_int_equal(fx->nroutes, 2 + IOAPIC_PINS);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_id_ver_arb),
		T(test_rte_masks),
		T(test_msi_format),
		T(test_edge),
		T(test_level_eoi),
		T(test_level_unmask_and_never_eoi),
		T(test_sink_failure_and_bad_input),
		T(test_route_hook),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
