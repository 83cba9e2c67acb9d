// SPDX-License-Identifier: MIT
/* The VIOT table: layout, node offsets, ranges around the IOMMU and opt-outs. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "iommu/viot.h"
#include "vmm/acpi/builder.h"
#include "vmm/layout.h"

static const uint8_t *find_table(const uint8_t *buf, const char *sig)
{
	const struct acpi_table_header *x;
	uint64_t xsdt;

	memcpy(&xsdt, buf + 24, 8); /* RSDP XsdtAddress */
	x = (const void *)(buf + (xsdt - LAYOUT_BIOS_START));
	for (unsigned i = 0; i < (x->length - sizeof(*x)) / 8; i++) {
		uint64_t a;

		memcpy(&a, (const uint8_t *)x + sizeof(*x) + 8 * i, 8);
		if (!memcmp(buf + (a - LAYOUT_BIOS_START), sig, 4))
			return buf + (a - LAYOUT_BIOS_START);
	}
	return NULL;
}

static void test_ranges(void **state)
{
	struct viot_config c;
	uint16_t skip[] = {0x18};

	(void)state;
	assert_int_equal(viot_config_bus0(&c, 0x10, NULL, 0), 0);
	assert_int_equal(c.nr_ranges, 2);
	assert_int_equal(c.range[0].bdf_start, 0);
	assert_int_equal(c.range[0].bdf_end, 0x0f);
	assert_int_equal(c.range[1].bdf_start, 0x11);
	assert_int_equal(c.range[1].bdf_end, 0xff);
	assert_int_equal(viot_config_bus0(&c, 0x10, skip, 1), 0);
	assert_int_equal(c.nr_ranges, 3);
	assert_int_equal(c.range[1].bdf_end, 0x17);
	assert_int_equal(c.range[2].bdf_start, 0x19);
	assert_int_equal(viot_config_bus0(&c, 0, NULL, 0), 0);
	assert_int_equal(c.nr_ranges, 1);
	assert_int_equal(c.range[0].bdf_start, 1);
}

static void test_too_many_holes(void **state)
{
	uint16_t skip[VIOT_MAX_RANGES + 1];
	struct viot_config c;

	(void)state;
	for (unsigned i = 0; i < ARRAY_SIZE(skip); i++)
		skip[i] = 0x20 + 8 * i;
	assert_int_equal(viot_config_bus0(&c, 0x10, skip, ARRAY_SIZE(skip)), -E2BIG);
}

static void test_table(void **state)
{
	size_t len = LAYOUT_BIOS_END - LAYOUT_BIOS_START;
	uint8_t *buf = calloc(1, len);
	struct viot_config c;
	struct acpi_ext ext;
	struct acpi_config ac = {.nr_cpus = 1, .ext = &ext, .nr_ext = 1};
	const uint8_t *t;
	const struct acpi_table_header *h;
	const struct acpi_table_viot_body *v;
	const struct acpi_viot_virtio_iommu_pci *iommu;
	const struct acpi_viot_pci_range *r;
	gpa_t rsdp;
	uint8_t sum = 0;

	(void)state;
	assert_int_equal(viot_config_bus0(&c, 0x20, NULL, 0), 0);
	ext = viot_acpi_ext(&c);
	assert_int_equal(acpi_build(&ac, buf, len, gpa(LAYOUT_BIOS_START), &rsdp), 0);
	t = find_table(buf, "VIOT");
	assert_non_null(t);
	h = (const void *)t;
	for (uint32_t i = 0; i < h->length; i++)
		sum += t[i];
	assert_int_equal(sum, 0);
	v = (const void *)(t + sizeof(*h));
	assert_int_equal(v->node_count, 3);
	assert_int_equal(v->node_offset, 48);
	iommu = (const void *)(t + v->node_offset);
	assert_int_equal(iommu->header.type, ACPI_VIOT_NODE_VIRTIO_IOMMU_PCI);
	assert_int_equal(iommu->header.length, 16);
	assert_int_equal(iommu->bdf, 0x20);
	assert_int_equal(iommu->segment, 0);
	r = (const void *)(iommu + 1);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(r[i].header.type, ACPI_VIOT_NODE_PCI_RANGE);
		assert_int_equal(r[i].header.length, 24);
		assert_int_equal(r[i].output_node, v->node_offset);
		assert_int_equal(r[i].endpoint_start, r[i].bdf_start);
	}
	assert_int_equal(r[0].bdf_end, 0x1f);
	assert_int_equal(r[1].bdf_start, 0x21);
	assert_int_equal(h->length, 48 + 16 + 2 * 24);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ranges),
		cmocka_unit_test(test_too_many_holes),
		cmocka_unit_test(test_table),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
