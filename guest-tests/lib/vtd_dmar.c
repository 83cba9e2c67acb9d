// SPDX-License-Identifier: MIT
/* The ACPI DMAR table (VT-d 8.1): the first DRHD and its IOAPIC scope. */
#include "acpi.h"
#include "bytes.h"
#include "vtd.h"

#define DMAR_HDR_LEN   48 /* ACPI header, width, flags, 10 reserved */
#define DRHD_SCOPE_OFF 16 /* type, length, flags, size, segment, base */
#define SCOPE_PATH_OFF 6

/* The device scopes of one DRHD at [p, end). */
static void drhd_scopes(struct vtd_drhd *d, const uint8_t *p, const uint8_t *end)
{
	while (end - p >= SCOPE_PATH_OFF + 2) {
		unsigned len = p[1];

		if (len < SCOPE_PATH_OFF + 2 || len > end - p)
			return;
		if (p[0] == DMAR_SCOPE_ENDPOINT && d->nr_endpoints < VTD_MAX_SCOPES)
			d->endpoints[d->nr_endpoints++] =
				(uint16_t)(p[5] << 8 | (p[6] & 0x1f) << 3 | (p[7] & 7));
		if (p[0] == DMAR_SCOPE_IOAPIC && !d->has_ioapic) {
			d->has_ioapic = true;
			d->ioapic_id = p[4];
			/* The first path element below the start bus. */
			d->ioapic_sid = (uint16_t)(p[5] << 8 | (p[6] & 0x1f) << 3 | (p[7] & 7));
		}
		p += len;
	}
}

int vtd_dmar_find(struct vtd_drhd *d)
{
	const struct acpi_header *h = acpi_find_table("DMAR", 0);
	const uint8_t *t = (const void *)h, *p, *end;

	*d = (struct vtd_drhd){0};
	if (!h || h->length < DMAR_HDR_LEN)
		return -1;
	end = t + h->length;
	d->haw = (uint8_t)(t[36] + 1);
	d->dmar_flags = t[37];
	for (p = t + DMAR_HDR_LEN; end - p >= 4;) {
		unsigned type = get_le16(p), len = get_le16(p + 2);

		if (len < 4 || len > end - p)
			return -1;
		if (type == DMAR_TYPE_DRHD && len >= DRHD_SCOPE_OFF) {
			d->drhd_flags = p[4];
			d->base = get_le64(p + 8);
			drhd_scopes(d, p + DRHD_SCOPE_OFF, p + len);
			return 0;
		}
		p += len;
	}
	return -1;
}

bool vtd_drhd_covers(const struct vtd_drhd *d, uint16_t sid)
{
	if (d->drhd_flags & DRHD_INCLUDE_PCI_ALL)
		return true;
	for (unsigned i = 0; i < d->nr_endpoints; i++)
		if (d->endpoints[i] == sid)
			return true;
	return false;
}
