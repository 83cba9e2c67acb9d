// SPDX-License-Identifier: MIT
/* The BSP's first CPL3 code (start.S irets here). */
#include "guest.h"

_Noreturn void bsp_user_entry(void);
_Noreturn void bsp_user_entry(void)
{
	int rc;

	io_via_sys = (read_rflags() & X86_EFLAGS_IOPL) != X86_EFLAGS_IOPL; /* IOPL < 3 */
	bootinfo_init();
	serial_init();
	lapic_enable();
	this_cpu()->apic_id = lapic_id();
	rc = main();
	if (rc)
		report(false, "main returned %d", rc);
	guest_exit((uint8_t)report_summary());
}
