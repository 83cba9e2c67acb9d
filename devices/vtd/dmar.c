// SPDX-License-Identifier: MIT
/* VT-d: the ACPI DMAR table (VT-d 8.1, ACPICA's actbl1.h): the host
 * address width, the flags (INTR_REMAP; X2APIC_OPT_OUT without extended
 * interrupt mode) and one DMA-remapping hardware unit (DRHD) at the register
 * page, for every PCI device of segment 0 (INCLUDE_PCI_ALL) or, when some
 * device opted out, for the endpoints it lists (a device in no scope is
 * under no unit), with a device scope naming the IOAPIC and its requester
 * id (VT-d 8.3.1). */
#include "devices/vtd/dmar.h"

#include "vmm/acpi/builder.h"

struct acpi_dmar_body { /* follows the common 36-byte header */
	uint8_t width;	/* host address width - 1 */
	uint8_t flags;	/* INTR_REMAP, X2APIC_OPT_OUT, DMA_CTRL_PLATFORM_OPT_IN */
	uint8_t reserved[10];
} __packed;

#define ACPI_DMAR_INTR_REMAP	      BIT(0)
#define ACPI_DMAR_X2APIC_OPT_OUT      BIT(1)
#define ACPI_DMAR_TYPE_HARDWARE_UNIT  0
#define ACPI_DMAR_INCLUDE_ALL	      BIT(0)
#define ACPI_DMAR_SCOPE_TYPE_ENDPOINT 1
#define ACPI_DMAR_SCOPE_TYPE_IOAPIC   3

struct acpi_dmar_drhd {
	uint16_t type;	 /* ACPI_DMAR_TYPE_HARDWARE_UNIT */
	uint16_t length; /* with the device scopes that follow */
	uint8_t flags;	 /* ACPI_DMAR_INCLUDE_ALL */
	uint8_t size;	 /* register set size: 2^size 4 KiB pages */
	uint16_t segment;
	uint64_t address; /* register base */
} __packed;

struct acpi_dmar_scope {
	uint8_t type;	/* ACPI_DMAR_SCOPE_TYPE_* */
	uint8_t length; /* 6 + 2 per path entry */
	uint8_t flags;	/* reserved */
	uint8_t reserved;
	uint8_t enum_id; /* the IOAPIC's ID in the MADT (0 for an endpoint) */
	uint8_t bus;	 /* start bus */
	uint8_t dev, fn; /* the one path entry */
} __packed;

_Static_assert(sizeof(struct acpi_dmar_body) == 12, "DMAR layout");
_Static_assert(sizeof(struct acpi_dmar_drhd) == 16, "DRHD layout");
_Static_assert(sizeof(struct acpi_dmar_scope) == 8, "device scope layout");

/* A device scope with one path entry: rid on bus 0. */
static struct acpi_dmar_scope scope_of(uint8_t type, uint8_t enum_id, uint16_t rid)
{
	return (struct acpi_dmar_scope){
		.type = type,
		.length = sizeof(struct acpi_dmar_scope),
		.enum_id = enum_id,
		.bus = (uint8_t)(rid >> 8),
		.dev = (uint8_t)((rid >> 3) & 31),
		.fn = (uint8_t)(rid & 7),
	};
}

static int dmar_add_tables(struct acpi_builder *b, void *opaque)
{
	const struct vtd_dmar_config *c = opaque;
	const size_t hdr = sizeof(struct acpi_table_header);
	const size_t drhd_len = sizeof(struct acpi_dmar_drhd) +
				(1 + (c->scoped ? c->nr_eps : 0)) * sizeof(struct acpi_dmar_scope);
	uint8_t *t = acpi_table_alloc(b, "DMAR", 1, hdr + sizeof(struct acpi_dmar_body) + drhd_len,
				      NULL);
	struct acpi_dmar_body *body;
	struct acpi_dmar_drhd *drhd;
	struct acpi_dmar_scope *scope;

	if (!t)
		return acpi_builder_error(b);
	body = (void *)(t + hdr);
	drhd = (void *)(body + 1);
	scope = (void *)(drhd + 1);
	body->width = (uint8_t)(c->aw_bits - 1);
	body->flags = (c->intr_remap ? ACPI_DMAR_INTR_REMAP : 0) |
		      (c->x2apic_opt_out ? ACPI_DMAR_X2APIC_OPT_OUT : 0);
	*drhd = (struct acpi_dmar_drhd){
		.type = ACPI_DMAR_TYPE_HARDWARE_UNIT,
		.length = (uint16_t)drhd_len,
		.flags = c->scoped ? 0 : ACPI_DMAR_INCLUDE_ALL,
		.address = c->base,
	};
	for (unsigned i = 0; c->scoped && i < c->nr_eps; i++)
		*scope++ = scope_of(ACPI_DMAR_SCOPE_TYPE_ENDPOINT, 0, c->eps[i]);
	*scope = scope_of(ACPI_DMAR_SCOPE_TYPE_IOAPIC, c->ioapic_id, c->ioapic_rid);
	return acpi_table_commit(b, t, true);
}

struct acpi_ext vtd_dmar_acpi_ext(const struct vtd_dmar_config *c)
{
	return (struct acpi_ext){
		.name = "DMAR", .add_tables = dmar_add_tables, .opaque = (void *)c};
}
