// SPDX-License-Identifier: MIT
#include "acpi.h"

#include "bootinfo.h"
#include "io.h"
#include "string.h"

#define RSDP_V1_LEN 20
#define RSDP_V2_LEN 36

static const struct acpi_rsdp *rsdp_cache;

uint8_t acpi_checksum(const void *p, size_t n)
{
	const uint8_t *b = p;
	uint8_t sum = 0;

	while (n--)
		sum += *b++;
	return sum;
}

bool acpi_rsdp_valid(const struct acpi_rsdp *p)
{
	if (memcmp(p->signature, "RSD PTR ", 8) || acpi_checksum(p, RSDP_V1_LEN))
		return false;
	if (p->revision < 2)
		return true;
	return p->length >= RSDP_V2_LEN && p->length < 4096 && !acpi_checksum(p, p->length);
}

static const struct acpi_rsdp *rsdp_scan(uint64_t start, uint64_t end)
{
	for (uint64_t a = start; a + RSDP_V2_LEN <= end; a += 16) {
		const struct acpi_rsdp *p = (const void *)(uintptr_t)a;

		if (acpi_rsdp_valid(p))
			return p;
	}
	return NULL;
}

const struct acpi_rsdp *acpi_rsdp(void)
{
	uint64_t ebda;

	if (rsdp_cache)
		return rsdp_cache;
	if (boot_info.rsdp && boot_info.rsdp < (1ull << 32) &&
	    acpi_rsdp_valid((const void *)(uintptr_t)boot_info.rsdp))
		return rsdp_cache = (const void *)(uintptr_t)boot_info.rsdp;
	/* The BIOS data area word at 0x40e holds the EBDA segment. */
	ebda = (uint64_t)mmio_read16(0x40e) << 4;
	if (ebda >= 0x80000 && ebda < 0xa0000)
		rsdp_cache = rsdp_scan(ebda, ebda + 1024);
	if (!rsdp_cache)
		rsdp_cache = rsdp_scan(0xe0000, 0x100000);
	return rsdp_cache;
}

static const struct acpi_header *root_table(bool *xsdt)
{
	const struct acpi_rsdp *r = acpi_rsdp();
	const struct acpi_header *h;

	if (!r)
		return NULL;
	*xsdt = r->revision >= 2 && r->xsdt;
	h = (const void *)(uintptr_t)(*xsdt ? r->xsdt : r->rsdt);
	if (!h || (uint64_t)(uintptr_t)h >= (1ull << 32) || h->length < sizeof(*h) ||
	    h->length > ACPI_TABLE_MAX)
		return NULL;
	return h;
}

unsigned acpi_table_count(void)
{
	bool xsdt;
	const struct acpi_header *h = root_table(&xsdt);

	if (!h)
		return 0;
	return (h->length - sizeof(*h)) / (xsdt ? 8 : 4);
}

const struct acpi_header *acpi_table_at(unsigned i)
{
	bool xsdt;
	const struct acpi_header *h = root_table(&xsdt);
	const uint8_t *entries;
	uint64_t a;

	if (!h || i >= acpi_table_count())
		return NULL;
	entries = (const uint8_t *)(h + 1);
	if (xsdt)
		memcpy(&a, entries + 8 * i, 8);
	else
		a = *(const uint32_t *)(entries + 4 * i);
	if (!a || a >= (1ull << 32))
		return NULL;
	return (const void *)(uintptr_t)a;
}

static bool length_sane(const struct acpi_header *h)
{
	return h && h->length >= sizeof(*h) && h->length <= ACPI_TABLE_MAX;
}

bool acpi_table_valid(const struct acpi_header *h)
{
	return length_sane(h) && !acpi_checksum(h, h->length);
}

const struct acpi_header *acpi_find_table(const char *sig, unsigned instance)
{
	unsigned n = acpi_table_count();

	for (unsigned i = 0; i < n; i++) {
		const struct acpi_header *h = acpi_table_at(i);

		if (length_sane(h) && !memcmp(h->signature, sig, 4) && !instance--)
			return h;
	}
	return NULL;
}

const struct acpi_fadt *acpi_fadt(void)
{
	const struct acpi_header *h = acpi_find_table("FACP", 0);

	if (!h || h->length < __builtin_offsetof(struct acpi_fadt, flags))
		return NULL;
	return (const struct acpi_fadt *)h;
}

const struct acpi_header *acpi_dsdt(void)
{
	const struct acpi_fadt *f = acpi_fadt();
	uint64_t a = 0;
	const struct acpi_header *h;

	if (!f)
		return NULL;
	if (FADT_HAS(f, x_dsdt))
		a = f->x_dsdt;
	if (!a)
		a = f->dsdt;
	if (!a || a >= (1ull << 32))
		return NULL;
	h = (const void *)(uintptr_t)a;
	return length_sane(h) ? h : NULL;
}
