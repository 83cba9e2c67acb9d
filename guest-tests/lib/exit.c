// SPDX-License-Identifier: MIT
#include "exit.h"

#include "io.h"

static _Noreturn void exit_park(void)
{
	/* No debug-exit device. CPL3 cannot hlt and CPL0 may be here from a
	 * fatal exception: spin at the cheapest rate either way. */
	for (;;)
		cpu_relax();
}

_Noreturn void guest_exit(uint8_t code)
{
	outb(DEBUG_EXIT_PORT, code);
	exit_park();
}

_Noreturn void guest_exit32(uint32_t code)
{
	outl(DEBUG_EXIT_PORT, code);
	exit_park();
}
