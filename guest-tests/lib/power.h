/* SPDX-License-Identifier: MIT */
/* ACPI power-off (S5) and reset through the FADT registers. */
#ifndef GT_POWER_H
#define GT_POWER_H

#include <stdint.h>

struct acpi_gas;

/* SLP_TYPa of the \_S5 package in the DSDT, or -1 when not found. The AML
 * scan is bounded by the DSDT length. */
int acpi_s5_slp_typ(void);

/* Write v to the register a GAS describes (SystemIO or SystemMemory; the
 * access width from access_size, else bit_width). Returns 0, or -1 for an
 * unsupported space or width. */
int acpi_gas_write(const struct acpi_gas *g, uint64_t v);

/* Enter S5: SLEEP_CONTROL_REG = (SLP_TYP << 2) | SLP_EN on a
 * hardware-reduced FADT, else PM1a_CNT = (SLP_TYP << 10) | SLP_EN. Returns
 * only if nothing happened (-1). */
int acpi_poweroff(void);

/* Write RESET_VALUE to RESET_REG. Returns only if nothing happened. */
int acpi_reset(void);

#endif
