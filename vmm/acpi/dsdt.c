/* SPDX-License-Identifier: MIT */
/* DSDT: the S5 sleep package, COM1, a power button, extension devices. */
#include <errno.h>
#include <string.h>

#include "vmm/acpi/internal.h"
#include "vmm/layout.h"
#include "vmm/log.h"

#define ACPI_DSDT_REVISION   2	  /* 64-bit integers */
#define ACPI_STA_PRESENT_ALL 0x0f /* present, enabled, shown, functioning */

static void dsdt_com1(struct aml *a)
{
	aml_device_begin(a, "COM1");
	aml_name_eisaid(a, "_HID", "PNP0501");
	aml_name_integer(a, "_UID", 1);
	aml_name_integer(a, "_STA", ACPI_STA_PRESENT_ALL);
	aml_name(a, "_CRS");
	aml_resource_begin(a);
	aml_io(a, PORT_COM1, PORT_COM1, 1, PORT_COM1_LEN);
	aml_irq(a, IRQ_COM1, true, false, false);
	aml_end(a);
	aml_end(a);
}

static void dsdt_power_button(struct aml *a)
{
	aml_device_begin(a, "PWRB");
	aml_name_eisaid(a, "_HID", "PNP0C0C");
	aml_name_integer(a, "_UID", 0);
	aml_name_integer(a, "_STA", ACPI_STA_PRESENT_ALL);
	aml_end(a);
}

int acpi_dsdt_encode(struct aml *a, const struct acpi_config *cfg)
{
	int err;

	/* \_S5_: SLP_TYPa, SLP_TYPb, reserved, reserved. HW-reduced Linux
	 * writes (SLP_TYPa << 2) | SLP_EN to SLEEP_CONTROL_REG. */
	aml_name(a, "\\_S5");
	aml_package_begin(a, 4);
	aml_integer(a, ACPI_S5_SLP_TYP);
	aml_integer(a, ACPI_S5_SLP_TYP);
	aml_integer(a, 0);
	aml_integer(a, 0);
	aml_end(a);

	aml_scope_begin(a, "\\_SB");
	dsdt_com1(a);
	dsdt_power_button(a);
	for (unsigned i = 0; i < cfg->nr_ext; i++) {
		const struct acpi_ext *e = &cfg->ext[i];

		if (!e->add_dsdt)
			continue;
		err = e->add_dsdt(a, e->opaque);
		if (!err)
			err = aml_error(a);
		if (err) {
			log_err("acpi: %s: DSDT content: %s", e->name ? e->name : "extension",
				strerror(-err));
			return err;
		}
	}
	aml_end(a);
	return aml_finish(a);
}

int acpi_dsdt_add(struct acpi_builder *b, const struct acpi_config *cfg, gpa_t *dsdt)
{
	struct acpi_table_header *h;
	struct aml a;
	int err;

	aml_init(&a);
	err = acpi_dsdt_encode(&a, cfg);
	if (!err) {
		h = acpi_table_alloc(b, "DSDT", ACPI_DSDT_REVISION, sizeof(*h) + a.len, dsdt);
		if (h) {
			memcpy(h + 1, a.buf, a.len);
			err = acpi_table_commit(b, h, false);
		} else {
			err = acpi_builder_error(b);
		}
	}
	aml_fini(&a);
	return err;
}
