// SPDX-License-Identifier: MIT
/* The VIOT parser (see viot.h). */
#include "viot.h"

#include "bytes.h"
#include "string.h"

/* The table body after the common header (ACPI 6.4, table 5.163). */
#define VIOT_BODY     36
#define VIOT_NODES_AT 48 /* header + node count, node offset, 8 reserved */

int viot_read(struct viot_info *v)
{
	const struct acpi_header *h = acpi_find_table("VIOT", 0);
	const uint8_t *t = (const uint8_t *)h;
	uint16_t count, off;

	memset(v, 0, sizeof(*v));
	if (!h)
		return -1;
	v->table = h;
	v->checksum_ok = acpi_table_valid(h);
	if (h->length < VIOT_NODES_AT)
		return 0;
	count = get_le16(t + VIOT_BODY);
	off = get_le16(t + VIOT_BODY + 2);
	v->nodes_ok = off >= VIOT_NODES_AT;
	for (unsigned i = 0; i < count && v->nodes_ok; i++) {
		const uint8_t *n = t + off;
		uint16_t len;

		if ((uint32_t)off + 4 > h->length) {
			v->nodes_ok = false;
			break;
		}
		len = get_le16(n + 2);
		if (len < 4 || (uint32_t)off + len > h->length) {
			v->nodes_ok = false;
			break;
		}
		v->nr_nodes++;
		switch (n[0]) {
		case VIOT_NODE_VIRTIO_IOMMU_PCI:
			if (len < 16) {
				v->nodes_ok = false;
			} else if (!v->has_iommu_pci) {
				v->has_iommu_pci = true;
				v->iommu_offset = off;
				v->iommu_segment = get_le16(n + 4);
				v->iommu_bdf = get_le16(n + 6);
			}
			break;
		case VIOT_NODE_PCI_RANGE:
			if (len < 24) {
				v->nodes_ok = false;
			} else if (v->nr_ranges < VIOT_MAX_RANGES) {
				struct viot_pci_range *r = &v->range[v->nr_ranges++];

				r->endpoint_start = get_le32(n + 4);
				r->segment_start = get_le16(n + 8);
				r->segment_end = get_le16(n + 10);
				r->bdf_start = get_le16(n + 12);
				r->bdf_end = get_le16(n + 14);
				r->output_node = get_le16(n + 16);
			}
			break;
		default: v->nr_other++;
		}
		off = (uint16_t)(off + len);
	}
	return 0;
}

bool viot_endpoint(const struct viot_info *v, uint16_t bdf, uint32_t *endpoint)
{
	for (unsigned i = 0; v->has_iommu_pci && i < v->nr_ranges; i++) {
		const struct viot_pci_range *r = &v->range[i];

		if (r->output_node != v->iommu_offset || r->segment_start != 0 ||
		    bdf < r->bdf_start || bdf > r->bdf_end)
			continue;
		*endpoint = r->endpoint_start + (uint32_t)(bdf - r->bdf_start);
		return true;
	}
	return false;
}
