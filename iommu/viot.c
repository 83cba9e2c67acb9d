// SPDX-License-Identifier: MIT
#include "iommu/viot.h"

#include <errno.h>
#include <string.h>

#include "vmm/acpi/builder.h"

static int viot_add_tables(struct acpi_builder *b, void *opaque)
{
	const struct viot_config *cfg = opaque;
	const size_t hdr = sizeof(struct acpi_table_header);
	const size_t body = sizeof(struct acpi_table_viot_body);
	size_t len = hdr + body + sizeof(struct acpi_viot_virtio_iommu_pci) +
		     cfg->nr_ranges * sizeof(struct acpi_viot_pci_range);
	uint8_t *t;
	struct acpi_table_viot_body *v;
	struct acpi_viot_virtio_iommu_pci *iommu;
	struct acpi_viot_pci_range *r;

	if (cfg->nr_ranges > VIOT_MAX_RANGES)
		return -EINVAL;
	t = acpi_table_alloc(b, "VIOT", 0, len, NULL);
	if (!t)
		return acpi_builder_error(b);
	v = (void *)(t + hdr);
	iommu = (void *)(t + hdr + body);
	r = (void *)(iommu + 1);
	v->node_count = 1 + cfg->nr_ranges;
	v->node_offset = hdr + body;
	iommu->header = (struct acpi_viot_header){.type = ACPI_VIOT_NODE_VIRTIO_IOMMU_PCI,
						  .length = sizeof(*iommu)};
	iommu->bdf = cfg->iommu_bdf;
	for (unsigned i = 0; i < cfg->nr_ranges; i++)
		r[i] = (struct acpi_viot_pci_range){
			.header = {.type = ACPI_VIOT_NODE_PCI_RANGE, .length = sizeof(*r)},
			.endpoint_start = cfg->range[i].bdf_start,
			.bdf_start = cfg->range[i].bdf_start,
			.bdf_end = cfg->range[i].bdf_end,
			.output_node = v->node_offset,
		};
	return acpi_table_commit(b, t, true);
}

struct acpi_ext viot_acpi_ext(const struct viot_config *cfg)
{
	return (struct acpi_ext){
		.name = "VIOT", .add_tables = viot_add_tables, .opaque = (void *)cfg};
}

static bool viot_skipped(uint16_t bdf, uint16_t iommu_bdf, const uint16_t *skip, unsigned nr_skip)
{
	if (bdf == iommu_bdf)
		return true;
	for (unsigned i = 0; i < nr_skip; i++)
		if (skip[i] == bdf)
			return true;
	return false;
}

int viot_config_bus0(struct viot_config *cfg, uint16_t iommu_bdf, const uint16_t *skip,
		     unsigned nr_skip)
{
	int start = -1;

	memset(cfg, 0, sizeof(*cfg));
	cfg->iommu_bdf = iommu_bdf;
	for (unsigned bdf = 0; bdf <= 0x100; bdf++) {
		bool out = bdf == 0x100 || viot_skipped(bdf, iommu_bdf, skip, nr_skip);

		if (!out && start < 0)
			start = (int)bdf;
		if (out && start >= 0) {
			if (cfg->nr_ranges == VIOT_MAX_RANGES)
				return -E2BIG;
			cfg->range[cfg->nr_ranges].bdf_start = start;
			cfg->range[cfg->nr_ranges].bdf_end = bdf - 1;
			cfg->nr_ranges++;
			start = -1;
		}
	}
	return 0;
}
