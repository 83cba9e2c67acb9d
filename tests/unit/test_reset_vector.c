// SPDX-License-Identifier: MIT
/* The reset-vector stub: real-mode code that writes the FADT reset register. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "vmm/layout.h"
#include "vmm/reset_vector.h"

static void test_stub(void **state)
{
	struct guest_mem m;
	const uint8_t *p;

	(void)state;
	assert_int_equal(guest_mem_layout(&m, MiB(2)), 0);
	assert_int_equal(guest_mem_alloc(&m), 0);
	assert_int_equal(reset_vector_install(&m), 0);
	p = guest_mem_ptr(&m, gpa(RESET_VECTOR_GPA), 9);
	assert_non_null(p);
	/* mov dx, PORT_ACPI_PM + 2 */
	assert_int_equal(p[0], 0xba);
	assert_int_equal(p[1] | p[2] << 8, PORT_ACPI_PM + 2);
	/* mov al, ACPI_RESET_VALUE; out dx, al; hlt; jmp back to the hlt */
	assert_int_equal(p[3], 0xb0);
	assert_int_equal(p[4], ACPI_RESET_VALUE);
	assert_int_equal(p[5], 0xee);
	assert_int_equal(p[6], 0xf4);
	assert_int_equal(p[7], 0xeb);
	assert_int_equal((int8_t)p[8], -3);
	guest_mem_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {cmocka_unit_test(test_stub)};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
