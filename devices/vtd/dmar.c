// SPDX-License-Identifier: MIT
/* VT-d: the ACPI DMAR table (VT-d 8.1, ACPICA's actbl1.h): the host
 * address width and one DMA-remapping hardware unit (DRHD) at the register
 * page, for every PCI device of segment 0 (INCLUDE_PCI_ALL). No
 * INTR_REMAP flag: the unit does not remap interrupts. */
#include "devices/vtd/dmar.h"

#include "vmm/acpi/builder.h"

struct acpi_dmar_body { /* follows the common 36-byte header */
	uint8_t width;	/* host address width - 1 */
	uint8_t flags;	/* INTR_REMAP, X2APIC_OPT_OUT, DMA_CTRL_PLATFORM_OPT_IN */
	uint8_t reserved[10];
} __packed;

#define ACPI_DMAR_TYPE_HARDWARE_UNIT 0
#define ACPI_DMAR_INCLUDE_ALL	     BIT(0)

struct acpi_dmar_drhd {
	uint16_t type;	 /* ACPI_DMAR_TYPE_HARDWARE_UNIT */
	uint16_t length; /* 16: no device scope */
	uint8_t flags;	 /* ACPI_DMAR_INCLUDE_ALL */
	uint8_t size;	 /* register set size: 2^size 4 KiB pages */
	uint16_t segment;
	uint64_t address; /* register base */
} __packed;

_Static_assert(sizeof(struct acpi_dmar_body) == 12, "DMAR layout");
_Static_assert(sizeof(struct acpi_dmar_drhd) == 16, "DRHD layout");

static int dmar_add_tables(struct acpi_builder *b, void *opaque)
{
	const struct vtd_dmar_config *c = opaque;
	const size_t hdr = sizeof(struct acpi_table_header);
	uint8_t *t = acpi_table_alloc(
		b, "DMAR", 1, hdr + sizeof(struct acpi_dmar_body) + sizeof(struct acpi_dmar_drhd),
		NULL);
	struct acpi_dmar_body *body;
	struct acpi_dmar_drhd *drhd;

	if (!t)
		return acpi_builder_error(b);
	body = (void *)(t + hdr);
	drhd = (void *)(body + 1);
	body->width = (uint8_t)(c->aw_bits - 1);
	*drhd = (struct acpi_dmar_drhd){
		.type = ACPI_DMAR_TYPE_HARDWARE_UNIT,
		.length = sizeof(*drhd),
		.flags = ACPI_DMAR_INCLUDE_ALL,
		.address = c->base,
	};
	return acpi_table_commit(b, t, true);
}

struct acpi_ext vtd_dmar_acpi_ext(const struct vtd_dmar_config *c)
{
	return (struct acpi_ext){
		.name = "DMAR", .add_tables = dmar_add_tables, .opaque = (void *)c};
}
