// SPDX-License-Identifier: MIT
#include "madt.h"

#include "acpi.h"
#include "ioapic.h"
#include "string.h"

#define MADT_LAPIC	    0
#define MADT_IOAPIC	    1
#define MADT_ISO	    2
#define MADT_LAPIC_OVERRIDE 5
#define MADT_X2APIC	    9

struct madt_table {
	struct acpi_header header;
	uint32_t lapic_addr;
	uint32_t flags;
} __attribute__((packed));

static uint32_t rd32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

static void add_cpu(struct madt_info *m, uint32_t apic_id, uint32_t flags)
{
	m->nr_lapic_entries++;
	if (!(flags & 1))
		return;
	if (m->nr_cpus < GT_MAX_CPUS)
		m->apic_ids[m->nr_cpus] = apic_id;
	m->nr_cpus++;
}

static void parse_entry(struct madt_info *m, const uint8_t *e, uint8_t len)
{
	uint64_t a;

	switch (e[0]) {
	case MADT_LAPIC:
		if (len < 8)
			break;
		add_cpu(m, e[3], rd32(e + 4));
		return;
	case MADT_X2APIC:
		if (len < 16)
			break;
		add_cpu(m, rd32(e + 4), rd32(e + 8));
		return;
	case MADT_IOAPIC:
		if (len < 12)
			break;
		if (m->nr_ioapics < MADT_MAX_IOAPICS)
			m->ioapic[m->nr_ioapics] =
				(struct madt_ioapic){e[2], rd32(e + 4), rd32(e + 8)};
		m->nr_ioapics++;
		return;
	case MADT_ISO:
		if (len < 10)
			break;
		if (m->nr_isos < MADT_MAX_ISOS)
			m->iso[m->nr_isos] = (struct madt_iso){e[2], e[3], rd32(e + 4),
							       (uint16_t)(e[8] | e[9] << 8)};
		m->nr_isos++;
		return;
	case MADT_LAPIC_OVERRIDE:
		if (len < 12)
			break;
		memcpy(&a, e + 4, 8);
		m->lapic_addr = a;
		return;
	default: return; /* other types (NMI sources ...) are legal and ignored */
	}
	m->nr_bad++;
}

int madt_parse(struct madt_info *m)
{
	const struct madt_table *t = (const void *)acpi_find_table("APIC", 0);
	const uint8_t *p, *end;

	memset(m, 0, sizeof(*m));
	if (!t || t->header.length < sizeof(*t))
		return -1;
	m->lapic_addr = t->lapic_addr;
	m->flags = t->flags;
	p = (const uint8_t *)(t + 1);
	end = (const uint8_t *)t + t->header.length;
	/* Every step advances by at least 2 bytes. */
	while (p + 2 <= end) {
		uint8_t len = p[1];

		if (len < 2 || p + len > end) {
			m->nr_bad++;
			break;
		}
		parse_entry(m, p, len);
		p += len;
	}
	return 0;
}

uint32_t madt_isa_gsi(const struct madt_info *m, uint8_t irq, uint16_t *flags)
{
	uint32_t n = m->nr_isos < MADT_MAX_ISOS ? m->nr_isos : MADT_MAX_ISOS;

	*flags = 0;
	for (uint32_t i = 0; i < n; i++) {
		if (m->iso[i].bus == 0 && m->iso[i].source == irq) {
			*flags = m->iso[i].flags;
			return m->iso[i].gsi;
		}
	}
	return irq;
}

const struct madt_ioapic *madt_ioapic_for(const struct madt_info *m, uint32_t gsi)
{
	uint32_t n = m->nr_ioapics < MADT_MAX_IOAPICS ? m->nr_ioapics : MADT_MAX_IOAPICS;

	for (uint32_t i = 0; i < n; i++) {
		const struct madt_ioapic *io = &m->ioapic[i];

		if (gsi >= io->gsi_base && gsi < io->gsi_base + ioapic_pins(io->addr))
			return io;
	}
	return NULL;
}
