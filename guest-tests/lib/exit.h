/* SPDX-License-Identifier: MIT */
/* Leaving the guest through the isa-debug-exit port. */
#ifndef GT_EXIT_H
#define GT_EXIT_H

#include <stdint.h>

#define DEBUG_EXIT_PORT 0xf4

/* Byte write of code to port 0xf4: the VMM exits with (code << 1) | 1.
 * If nothing happens (no such device) the CPU parks; never returns. Usable
 * at CPL0 and CPL3. */
_Noreturn void guest_exit(uint8_t code);

/* The same through a 4-byte write. */
_Noreturn void guest_exit32(uint32_t code);

#endif
