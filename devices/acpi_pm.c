// SPDX-License-Identifier: MIT
#include "devices/platform.h"
#include "vmm/acpi.h"
#include "vmm/exit_codes.h"
#include "vmm/layout.h"
#include "vmm/log.h"

#define PM_SLEEP_CONTROL 0
#define PM_SLEEP_STATUS	 1
#define PM_RESET	 2
#define PM_SLP_TYP(v)	 (((v) >> 2) & 7)

static uint64_t acpi_pm_read(void *opaque, uint64_t off, unsigned size)
{
	(void)opaque, (void)off, (void)size;
	return 0; /* no wake status, nothing pending */
}

static void acpi_pm_write(void *opaque, uint64_t off, unsigned size, uint64_t val)
{
	const struct stop_sink *s = opaque;

	(void)size;
	switch (off) {
	case PM_SLEEP_CONTROL:
		if (!(val & ACPI_SLP_EN))
			break;
		if (PM_SLP_TYP(val) == ACPI_S5_SLP_TYP)
			s->stop(s->opaque, VMM_EXIT_POWEROFF, NULL);
		else
			log_guest_once("ACPI sleep type %u is not supported",
				       (unsigned)PM_SLP_TYP(val));
		break;
	case PM_RESET:
		if ((val & 0xff) == ACPI_RESET_VALUE)
			s->stop(s->opaque, VMM_EXIT_RESET, "guest reset (ACPI reset register)");
		break;
	}
}

const struct bus_ops acpi_pm_ops = {
	.read = acpi_pm_read,
	.write = acpi_pm_write,
};
