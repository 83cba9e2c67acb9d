// SPDX-License-Identifier: MIT
/* Unit tests for the GSI routing table (vmm/gsi.c), without KVM (vm_fd -1). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/gsi.h"
#include "vmm/layout.h"

static int setup(void **state)
{
	struct gsi_table *t = malloc(sizeof(*t));

	if (!t)
		return -1;
	memset(t, 0x5a, sizeof(*t)); /* init must not rely on zeroed memory */
	gsi_table_init(t, -1);
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	free(*state);
	return 0;
}

static void test_init(void **state)
{
	struct gsi_table *t = *state;

	assert_int_equal(t->vm_fd, -1);
	assert_int_equal(gsi_count(t), 0);
	for (unsigned i = 0; i < GSI_MAX; i++) {
		assert_false(t->used[i]);
		assert_int_equal(t->e[i].type, 0);
	}
}

static void test_set_clear(void **state)
{
	struct gsi_table *t = *state;
	const struct msi_msg msg = {.addr = 0x1fee01000ull, .data = 0x4031};
	const struct msi_msg msg2 = {.addr = 0xfee02000ull, .data = 0x22};
	const struct kvm_irq_routing_entry zero = {0};

	assert_int_equal(gsi_set_msi(t, 5, &msg, true), 0);
	assert_int_equal(gsi_count(t), 1);
	assert_true(t->used[5]);
	assert_int_equal(t->e[5].gsi, 5);
	assert_int_equal(t->e[5].type, KVM_IRQ_ROUTING_MSI);
	assert_int_equal(t->e[5].flags, 0);
	assert_int_equal(t->e[5].u.msi.address_lo, 0xfee01000u);
	assert_int_equal(t->e[5].u.msi.address_hi, 1);
	assert_int_equal(t->e[5].u.msi.data, 0x4031);
	/* Rewriting a route replaces it in place. */
	assert_int_equal(gsi_set_msi(t, 5, &msg2, true), 0);
	assert_int_equal(gsi_count(t), 1);
	assert_int_equal(t->e[5].u.msi.address_lo, 0xfee02000u);
	assert_int_equal(t->e[5].u.msi.address_hi, 0);
	assert_int_equal(t->e[5].u.msi.data, 0x22);
	assert_int_equal(gsi_set_msi(t, IOAPIC_PINS - 1, &msg, true), 0);
	assert_int_equal(gsi_set_msi(t, GSI_MAX - 1, &msg, true), 0);
	assert_int_equal(t->e[GSI_MAX - 1].gsi, GSI_MAX - 1);
	assert_int_equal(gsi_count(t), 3);
	/* Clearing removes the route; an IOAPIC pin is no longer used. */
	assert_int_equal(gsi_set_msi(t, 5, NULL, false), 0);
	assert_int_equal(gsi_count(t), 2);
	assert_false(t->used[5]);
	assert_memory_equal(&t->e[5], &zero, sizeof(zero));
	assert_int_equal(gsi_set_msi(t, 5, NULL, false), 0); /* twice is fine */
	assert_int_equal(gsi_count(t), 2);
	assert_int_equal(gsi_set_msi(t, IOAPIC_PINS - 1, &msg, false), 0);
	assert_int_equal(gsi_set_msi(t, GSI_MAX - 1, &msg, false), 0);
	assert_int_equal(gsi_count(t), 0);
	/* A cleared GSI above the pins stays reserved (no route). */
	assert_true(t->used[GSI_MAX - 1]);
	assert_memory_equal(&t->e[GSI_MAX - 1], &zero, sizeof(zero));
}

/* A route set again to what KVM has is not pushed again (interrupt
 * remapping re-routes everything on each invalidation). */
static void test_push_only_changes(void **state)
{
	struct gsi_table *t = *state;
	const struct msi_msg msg = {.addr = 0xfee01000ull, .data = 0x31};
	const struct msi_msg msg2 = {.addr = 0xfee01000ull, .data = 0x32};
	int g = gsi_alloc(t);

	assert_int_equal(t->pushes, 0);
	assert_int_equal(gsi_set_msi(t, 3, &msg, true), 0);
	assert_int_equal(t->pushes, 1);
	assert_int_equal(gsi_set_msi(t, 3, &msg, true), 0);
	assert_int_equal(t->pushes, 1);
	assert_int_equal(gsi_set_msi(t, 3, &msg2, true), 0);
	assert_int_equal(t->pushes, 2);
	assert_int_equal(gsi_set_msi(t, 3, &msg2, false), 0);
	assert_int_equal(t->pushes, 3);
	assert_int_equal(gsi_set_msi(t, 3, &msg2, false), 0);
	assert_int_equal(t->pushes, 3);
	/* An allocated GSI: removing a route it never had changes nothing. */
	assert_true(g >= IOAPIC_PINS);
	assert_int_equal(gsi_set_msi(t, (unsigned)g, &msg, false), 0);
	assert_int_equal(t->pushes, 3);
	assert_int_equal(gsi_set_msi(t, (unsigned)g, &msg, true), 0);
	assert_int_equal(gsi_set_msi(t, (unsigned)g, &msg, true), 0);
	assert_int_equal(t->pushes, 4);
	/* After a failed push every set pushes until one succeeds. */
	t->stale = true;
	assert_int_equal(gsi_set_msi(t, (unsigned)g, &msg, true), 0);
	assert_int_equal(t->pushes, 5);
	assert_false(t->stale);
	assert_int_equal(gsi_set_msi(t, (unsigned)g, &msg, true), 0);
	assert_int_equal(t->pushes, 5);
}

static void test_set_out_of_range(void **state)
{
	struct gsi_table *t = *state;
	const struct msi_msg msg = {.addr = 0xfee00000ull, .data = 1};

	assert_int_equal(gsi_set_msi(t, GSI_MAX, &msg, true), -EINVAL);
	assert_int_equal(gsi_set_msi(t, GSI_MAX + 100, &msg, true), -EINVAL);
	assert_int_equal(gsi_set_msi(t, ~0u, &msg, false), -EINVAL);
	assert_int_equal(gsi_count(t), 0);
}

static void test_alloc_sequence(void **state)
{
	struct gsi_table *t = *state;

	assert_int_equal(gsi_alloc(t), IOAPIC_PINS);
	assert_int_equal(gsi_alloc(t), IOAPIC_PINS + 1);
	assert_int_equal(gsi_alloc(t), IOAPIC_PINS + 2);
	/* Allocation reserves, it does not route. */
	assert_int_equal(gsi_count(t), 0);
	assert_true(t->used[IOAPIC_PINS]);
}

static void test_alloc_skips_routed(void **state)
{
	struct gsi_table *t = *state;
	const struct msi_msg msg = {.addr = 0xfee00000ull, .data = 0x30};

	/* Routes on IOAPIC pins never make gsi_alloc hand out a pin, and a
	 * GSI that already carries a route is skipped. */
	assert_int_equal(gsi_set_msi(t, 0, &msg, true), 0);
	assert_int_equal(gsi_set_msi(t, IOAPIC_PINS + 1, &msg, true), 0);
	assert_int_equal(gsi_set_msi(t, 3, &msg, false), 0);
	assert_int_equal(gsi_alloc(t), IOAPIC_PINS);
	assert_int_equal(gsi_alloc(t), IOAPIC_PINS + 2);
	/* Routing an allocated GSI counts it, clearing keeps it reserved. */
	assert_int_equal(gsi_set_msi(t, IOAPIC_PINS, &msg, true), 0);
	assert_int_equal(gsi_count(t), 3);
	assert_int_equal(gsi_set_msi(t, IOAPIC_PINS, &msg, false), 0);
	assert_int_equal(gsi_count(t), 2);
	assert_int_equal(gsi_alloc(t), IOAPIC_PINS + 3);
}

static void test_alloc_exhaust(void **state)
{
	struct gsi_table *t = *state;
	static bool seen[GSI_MAX];
	int g;

	memset(seen, 0, sizeof(seen));
	for (unsigned i = 0; i < GSI_MAX - IOAPIC_PINS; i++) {
		g = gsi_alloc(t);
		assert_in_range(g, IOAPIC_PINS, GSI_MAX - 1);
		assert_false(seen[g]);
		seen[g] = true;
	}
	assert_int_equal(gsi_alloc(t), -ENOSPC);
	assert_int_equal(gsi_alloc(t), -ENOSPC);
	for (unsigned i = 0; i < IOAPIC_PINS; i++)
		assert_false(t->used[i]);
	/* Releasing a reservation by hand (there is no gsi_free yet) makes
	 * exactly that GSI available again, found past the wrapped cursor. */
	t->used[100] = false;
	assert_int_equal(gsi_alloc(t), 100);
	assert_int_equal(gsi_alloc(t), -ENOSPC);
	t->used[IOAPIC_PINS] = false;
	t->used[GSI_MAX - 1] = false;
	assert_int_equal(gsi_alloc(t), GSI_MAX - 1);
	assert_int_equal(gsi_alloc(t), IOAPIC_PINS);
	assert_int_equal(gsi_alloc(t), -ENOSPC);
}

static void test_alloc_with_pre_routed(void **state)
{
	struct gsi_table *t = *state;
	const struct msi_msg msg = {.addr = 0xfee00000ull, .data = 0x41};
	unsigned n = 0;

	for (unsigned g = IOAPIC_PINS; g < GSI_MAX; g += 10) {
		assert_int_equal(gsi_set_msi(t, g, &msg, true), 0);
		n++;
	}
	assert_int_equal(gsi_count(t), n);
	for (;;) {
		int g = gsi_alloc(t);

		if (g < 0) {
			assert_int_equal(g, -ENOSPC);
			break;
		}
		assert_true(g >= IOAPIC_PINS && (g - IOAPIC_PINS) % 10 != 0);
		n++;
	}
	assert_int_equal(n, GSI_MAX - IOAPIC_PINS);
	assert_int_equal(gsi_count(t), (GSI_MAX - IOAPIC_PINS + 9) / 10);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_push_only_changes), T(test_init),
		T(test_set_clear),	   T(test_set_out_of_range),
		T(test_alloc_sequence),	   T(test_alloc_skips_routed),
		T(test_alloc_exhaust),	   T(test_alloc_with_pre_routed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
