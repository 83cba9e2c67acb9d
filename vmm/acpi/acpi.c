/* SPDX-License-Identifier: MIT */
/* acpi_build(): the recipe that lays out every table (see vmm/acpi.h).
 *
 * Layout: RSDP at offset 0, then DSDT, FADT, MADT, extension tables and
 * last the XSDT, whose size is known only once every table is in. */
#include <errno.h>
#include <string.h>

#include "vmm/acpi/internal.h"
#include "vmm/log.h"

static int xsdt_add(struct acpi_builder *b, gpa_t *xsdt_gpa)
{
	struct acpi_xsdt *x;

	x = acpi_table_alloc(b, "XSDT", 1, sizeof(*x) + b->nr_xsdt * sizeof(x->entry[0]), xsdt_gpa);
	if (!x)
		return acpi_builder_error(b);
	for (unsigned i = 0; i < b->nr_xsdt; i++)
		x->entry[i] = b->xsdt[i];
	return acpi_table_commit(b, x, false);
}

static void rsdp_fill(struct acpi_rsdp *r, gpa_t xsdt)
{
	memcpy(r->signature, "RSD PTR ", sizeof(r->signature));
	memcpy(r->oem_id, ACPI_OEM_ID, sizeof(r->oem_id));
	r->revision = 2;
	r->rsdt_address = 0;
	r->length = sizeof(*r);
	r->xsdt_address = xsdt.a;
	r->checksum = 0;
	r->ext_checksum = 0;
	r->checksum = acpi_checksum(r, ACPI_RSDP_V1_LEN);
	r->ext_checksum = acpi_checksum(r, sizeof(*r));
}

static int ext_add_tables(struct acpi_builder *b, const struct acpi_config *cfg)
{
	for (unsigned i = 0; i < cfg->nr_ext; i++) {
		const struct acpi_ext *e = &cfg->ext[i];
		int err;

		if (!e->add_tables)
			continue;
		err = e->add_tables(b, e->opaque);
		if (!err)
			err = acpi_builder_error(b);
		if (err) {
			log_err("acpi: %s: tables: %s", e->name ? e->name : "extension",
				strerror(-err));
			return err;
		}
	}
	return 0;
}

int acpi_build(const struct acpi_config *cfg, uint8_t *buf, size_t len, gpa_t base, gpa_t *rsdp_out)
{
	struct acpi_builder b;
	struct acpi_rsdp *rsdp;
	gpa_t rsdp_gpa, dsdt, xsdt;
	int err;

	if (!cfg || !buf || !rsdp_out || cfg->nr_cpus == 0 || cfg->nr_cpus > ACPI_MAX_CPUS ||
	    (cfg->nr_ext && !cfg->ext))
		return -EINVAL;
	/* 16-byte aligned for the RSDP scan; below 4 GiB for the 32-bit
	 * DSDT pointer. */
	if (base.a & 15 || !range_within(base.a, len, 0, 1ull << 32))
		return -EINVAL;

	acpi_builder_init(&b, buf, len, base);
	rsdp = acpi_builder_reserve(&b, sizeof(*rsdp), 16, &rsdp_gpa);
	if (!rsdp)
		return acpi_builder_error(&b);
	err = acpi_dsdt_add(&b, cfg, &dsdt);
	if (!err)
		err = acpi_fadt_add(&b, dsdt);
	if (!err)
		err = acpi_madt_add(&b, cfg);
	if (!err)
		err = ext_add_tables(&b, cfg);
	if (!err)
		err = xsdt_add(&b, &xsdt);
	if (err)
		return err;
	rsdp_fill(rsdp, xsdt);
	*rsdp_out = rsdp_gpa;
	log_debug("acpi: %zu bytes of tables at 0x%llx", b.off, (unsigned long long)base.a);
	return 0;
}
