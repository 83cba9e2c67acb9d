/* SPDX-License-Identifier: MIT */
/* The ACPI VIOT (Virtual I/O Translation) table: how a guest finds which
 * endpoints sit behind a virtio-iommu PCI device (ACPI 6.4, 5.2.30). */
#ifndef IOMMU_VIOT_H
#define IOMMU_VIOT_H

#include "vmm/acpi.h"
#include "vmm/types.h"

/* Wire format, as ACPICA's actbl3.h lays it out. */
struct acpi_viot_header {
	uint8_t type;
	uint8_t reserved;
	uint16_t length;
} __packed;

#define ACPI_VIOT_NODE_PCI_RANGE	0x01
#define ACPI_VIOT_NODE_VIRTIO_IOMMU_PCI 0x03

struct acpi_table_viot_body { /* follows the common 36-byte header */
	uint16_t node_count;
	uint16_t node_offset; /* from the start of the table */
	uint8_t reserved[8];
} __packed;

struct acpi_viot_pci_range {
	struct acpi_viot_header header;
	uint32_t endpoint_start; /* endpoint ID of bdf_start */
	uint16_t segment_start;
	uint16_t segment_end;
	uint16_t bdf_start;
	uint16_t bdf_end;
	uint16_t output_node; /* offset of the IOMMU node from the table start */
	uint8_t reserved[6];
} __packed;

struct acpi_viot_virtio_iommu_pci {
	struct acpi_viot_header header;
	uint16_t segment;
	uint16_t bdf;
	uint8_t reserved[8];
} __packed;

#define VIOT_MAX_RANGES 8

/* Endpoints [bdf_start, bdf_end] on segment 0 are translated by the
 * virtio-iommu at iommu_bdf; endpoint IDs equal BDFs. */
struct viot_config {
	uint16_t iommu_bdf;
	unsigned nr_ranges;
	struct {
		uint16_t bdf_start, bdf_end;
	} range[VIOT_MAX_RANGES];
};

/* An acpi_ext that appends the VIOT table for cfg (which must outlive the
 * acpi_build() call). */
struct acpi_ext viot_acpi_ext(const struct viot_config *cfg);

/* Split bus 0 into ranges that cover every device except iommu_bdf (an
 * IOMMU does not translate its own DMA), and the devfns listed in skip
 * (devices that opted out with iommu=off). Fills cfg; 0, or -E2BIG when
 * the holes need more than VIOT_MAX_RANGES ranges. */
int viot_config_bus0(struct viot_config *cfg, uint16_t iommu_bdf, const uint16_t *skip,
		     unsigned nr_skip);

#endif
