/* SPDX-License-Identifier: MIT */
/* The ACPI table builder (see builder.h). */
#include <errno.h>
#include <string.h>

#include "vmm/acpi/builder.h"

static void builder_fail(struct acpi_builder *b, int err)
{
	if (!b->err)
		b->err = err;
}

void acpi_builder_init(struct acpi_builder *b, uint8_t *buf, size_t len, gpa_t base)
{
	memset(b, 0, sizeof(*b));
	b->buf = buf;
	b->len = buf ? len : 0;
	b->base = base.a;
	if (b->len)
		memset(buf, 0, b->len);
	if (range_wraps(base.a, len))
		builder_fail(b, -EINVAL);
}

int acpi_builder_error(const struct acpi_builder *b)
{
	return b->err;
}

uint8_t acpi_checksum(const void *p, size_t len)
{
	const uint8_t *s = p;
	uint8_t sum = 0;

	for (size_t i = 0; i < len; i++)
		sum += s[i];
	return (uint8_t)-sum;
}

void *acpi_builder_reserve(struct acpi_builder *b, size_t len, size_t align, gpa_t *gpa_out)
{
	size_t start;

	if (b->err)
		return NULL;
	if (!align || (align & (align - 1))) {
		builder_fail(b, -EINVAL);
		return NULL;
	}
	/* Align the GPA, not the host offset: the guest scans GPAs. */
	start = b->off + (size_t)(ALIGN_UP(b->base + b->off, align) - (b->base + b->off));
	if (start > b->len || len > b->len - start) {
		builder_fail(b, -ENOSPC);
		return NULL;
	}
	b->off = start + len;
	if (gpa_out)
		*gpa_out = gpa(b->base + start);
	return b->buf + start;
}

void *acpi_table_alloc(struct acpi_builder *b, const char *sig, uint8_t revision, size_t len,
		       gpa_t *gpa_out)
{
	struct acpi_table_header *h;

	if (b->err)
		return NULL;
	if (len < sizeof(*h) || len > UINT32_MAX || !sig || strlen(sig) != 4) {
		builder_fail(b, -EINVAL);
		return NULL;
	}
	h = acpi_builder_reserve(b, len, 8, gpa_out);
	if (!h)
		return NULL;
	memcpy(h->signature, sig, 4);
	h->length = (uint32_t)len;
	h->revision = revision;
	memcpy(h->oem_id, ACPI_OEM_ID, sizeof(h->oem_id));
	memcpy(h->oem_table_id, ACPI_OEM_TABLE_ID, sizeof(h->oem_table_id));
	h->oem_revision = ACPI_OEM_REVISION;
	memcpy(h->creator_id, ACPI_CREATOR_ID, sizeof(h->creator_id));
	h->creator_revision = ACPI_CREATOR_REVISION;
	return h;
}

int acpi_table_commit(struct acpi_builder *b, void *table, bool in_xsdt)
{
	struct acpi_table_header *h = table;
	uint8_t *p = table;
	size_t off;

	if (b->err)
		return b->err;
	if (!p || p < b->buf || (size_t)(p - b->buf) >= b->off) {
		builder_fail(b, -EINVAL);
		return b->err;
	}
	off = (size_t)(p - b->buf);
	if (h->length < sizeof(*h) || h->length > b->off - off) {
		builder_fail(b, -EINVAL);
		return b->err;
	}
	if (in_xsdt) {
		if (b->nr_xsdt >= ACPI_MAX_TABLES) {
			builder_fail(b, -ENOSPC);
			return b->err;
		}
		b->xsdt[b->nr_xsdt++] = b->base + off;
	}
	h->checksum = 0;
	h->checksum = acpi_checksum(h, h->length);
	return 0;
}
