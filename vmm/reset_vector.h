/* SPDX-License-Identifier: MIT */
/* The firmware reset vector at 0xffff0 (CS 0xf000, IP 0xfff0). */
#ifndef VMM_RESET_VECTOR_H
#define VMM_RESET_VECTOR_H

#include "vmm/guest_mem.h"

#define RESET_VECTOR_GPA 0xffff0ull

/* Write a real-mode stub at the reset vector that writes ACPI_RESET_VALUE
 * to the FADT reset register and halts. Linux's last-resort restart
 * (BOOT_BIOS: a jump to the reset vector in real mode, which it reaches on
 * hardware-reduced ACPI because it first tries EFI) then resets the VM
 * the way the FADT says, instead of running zeros. Call after the ACPI
 * tables are built (they share the 0xe0000-0xfffff area). 0 or -EFAULT. */
int reset_vector_install(const struct guest_mem *mem) __must_check;

#endif
