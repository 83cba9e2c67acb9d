/* SPDX-License-Identifier: MIT */
/* The ACPI VIOT table (ACPI 6.4, 5.2.30): which PCI endpoints a virtio-iommu
 * translates, and under which endpoint IDs. */
#ifndef GT_VIOT_H
#define GT_VIOT_H

#include <stdbool.h>
#include <stdint.h>

#include "acpi.h"

#define VIOT_NODE_PCI_RANGE	    1
#define VIOT_NODE_MMIO		    2
#define VIOT_NODE_VIRTIO_IOMMU_PCI  3
#define VIOT_NODE_VIRTIO_IOMMU_MMIO 4
#define VIOT_MAX_RANGES		    16

struct viot_pci_range {
	uint32_t endpoint_start;
	uint16_t segment_start, segment_end;
	uint16_t bdf_start, bdf_end;
	uint16_t output_node; /* offset of the IOMMU node in the table */
};

/* What the VIOT says (only what this runtime can use: PCI ranges and
 * virtio-iommu PCI nodes; other node types are counted). */
struct viot_info {
	const struct acpi_header *table; /* NULL: no VIOT */
	bool checksum_ok;
	bool nodes_ok; /* every node inside the table, lengths sane */
	unsigned nr_nodes, nr_other;
	bool has_iommu_pci;
	uint16_t iommu_offset; /* the first virtio-iommu PCI node */
	uint16_t iommu_segment, iommu_bdf;
	unsigned nr_ranges; /* PCI ranges pointing at that node */
	struct viot_pci_range range[VIOT_MAX_RANGES];
};

/* Parse the VIOT. 0, or -1 when there is none. */
int viot_read(struct viot_info *v);

/* The endpoint ID of segment 0 device bdf, when a range translates it. */
bool viot_endpoint(const struct viot_info *v, uint16_t bdf, uint32_t *endpoint);

#endif
