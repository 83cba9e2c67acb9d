// SPDX-License-Identifier: MIT
/* virtio-iommu (virtio 1.2, 5.13) requests, without device DMA: the PCI
 * function and its features, the ACPI VIOT, the configuration fields,
 * PROBE and its properties, ATTACH / DETACH / MAP / UNMAP statuses, UNMAP
 * semantics (the seven examples of 5.13.6.6 and a split), bypass domains,
 * domain and input range limits, config.bypass across a device reset.
 *
 * The runner gives a virtio-blk and a virtio-rng behind the IOMMU. Whether
 * a mapping exists is seen through MAP: mapping the same range again gives
 * INVAL while it is there (5.13.6.5), OK once it is gone.
 *
 * A check the backend is known to get wrong is named in known=ID,ID; it is
 * then recorded as "# SKIP departs from ..." (see hostile.c). QEMU 7.2's
 * departures, each examined in hw/virtio/virtio-iommu.c:
 *  - attach_reserved: 5.13.6.3.2 "If the reserved field of an ATTACH
 *    request is not zero, the device MUST reject the request and set status
 *    to VIRTIO_IOMMU_S_INVAL." QEMU never looks at reserved and attaches.
 *  - map_align: 5.13.6.5.2 "If virt_start, phys_start or (virt_end + 1) is
 *    not aligned on the page granularity, the device SHOULD reject the
 *    request and set status to VIRTIO_IOMMU_S_RANGE." QEMU inserts the
 *    interval as given.
 *  - map_resv: 5.13.6.8.1.2 "The device SHOULD reject a MAP request that
 *    overlaps a RESV_MEM region." QEMU's MAP does not consult its reserved
 *    regions (the MSI one it reports through PROBE).
 *  - unknown_type: 5.13.6.2 "If a request type is not recognized, the
 *    device SHOULD NOT write the buffer and SHOULD set the used length to
 *    zero." QEMU writes a tail with UNSUPP.
 *  - unmap_split: 5.13.6.6.2: when the range would split a mapping the
 *    device "SHOULD NOT remove any mapping". QEMU removes the mappings it
 *    meets before the one it cannot split (tree order), then answers RANGE.
 * Where the device has nothing to check (QEMU: domain_range 0..2^32-1,
 * input_range 0..2^64-1), the range checks are skipped. */
#include "guest.h"
#include "viommu_test.h"

#define D1	  1u
#define D2	  2u
#define D3	  3u
#define D_BYP	  4u
#define MSI_START 0xfee00000ull
#define MSI_END	  0xfeefffffull

static struct viommu vi;
static uint32_t ep_blk, ep_rng;
static uint64_t X; /* IOVA region for the map/unmap checks */
static uint64_t G; /* granule */
static uint64_t phys_page;

static const char *sname(int st)
{
	return viommu_status_name(st);
}

/* Page n of the region, and the last byte of page n. */
static uint64_t P(uint64_t n)
{
	return X + n * G;
}

static uint64_t E(uint64_t n)
{
	return X + (n + 1) * G - 1;
}

static int map_pages(uint32_t dom, uint64_t first, uint64_t last)
{
	return viommu_map(&vi, dom, P(first), E(last), phys_page,
			  VIRTIO_IOMMU_MAP_F_READ | VIRTIO_IOMMU_MAP_F_WRITE);
}

static int unmap_pages(uint32_t dom, uint64_t first, uint64_t last)
{
	return viommu_unmap(&vi, dom, P(first), E(last));
}

/* Whether pages [first, last] are still one mapping: MAP of the same
 * range is refused (INVAL) while it exists; when the MAP succeeds it is
 * undone. */
static bool present(uint32_t dom, uint64_t first, uint64_t last)
{
	int st = map_pages(dom, first, last);

	if (st == VIRTIO_IOMMU_S_OK) {
		unmap_pages(dom, first, last);
		return false;
	}
	return true;
}

static void clear_region(uint32_t dom)
{
	unmap_pages(dom, 0, 63);
}

static void check_device(void)
{
	struct virtio_pci *d = &vi.dev;

	report(d->pci.vendor == 0x1af4 && d->pci.device == 0x1057,
	       "virtio-iommu at %02x.%u is 1af4:1057 (modern ID of device type 23)",
	       PCI_BDF_DEV(d->pci.bdf), PCI_BDF_FN(d->pci.bdf));
	report_info("features offered %#lx, negotiated %#lx", (unsigned long)d->offered,
		    (unsigned long)d->features);
	report(viommu_offers(&vi, VIRTIO_F_VERSION_1), "offers VERSION_1");
	/* 5.13.3.2 */
	report(viommu_offers(&vi, VIRTIO_IOMMU_F_MAP_UNMAP), "offers MAP_UNMAP (SHOULD)");
	report(!(viommu_offers(&vi, VIRTIO_IOMMU_F_BYPASS) &&
		 viommu_offers(&vi, VIRTIO_IOMMU_F_BYPASS_CONFIG)),
	       "does not offer both BYPASS and BYPASS_CONFIG (SHOULD NOT)");
	report(virtio_num_queues(d) >= 2, "at least 2 queues (requestq, eventq): %u",
	       virtio_num_queues(d));
	report(virtio_status(d) & VIRTIO_CONFIG_S_DRIVER_OK, "DRIVER_OK set");
}

static void check_viot(void)
{
	const struct viot_info *t = &vi.viot;
	struct pci_func f;
	bool ok;

	if (!report(t->table != NULL, "ACPI VIOT present"))
		return;
	report(t->checksum_ok, "VIOT checksum");
	report(t->nodes_ok && t->nr_nodes >= 2, "VIOT nodes well formed (%u nodes)", t->nr_nodes);
	report(t->has_iommu_pci && t->iommu_segment == 0 && t->iommu_bdf == vi.dev.pci.bdf,
	       "VIOT virtio-iommu PCI node names %04x (device at %04x)", t->iommu_bdf,
	       vi.dev.pci.bdf);
	for (unsigned i = 0; i < t->nr_ranges; i++)
		report_info("VIOT range: bdf %04x-%04x segment %u-%u -> endpoint %#x, node %#x",
			    t->range[i].bdf_start, t->range[i].bdf_end, t->range[i].segment_start,
			    t->range[i].segment_end, t->range[i].endpoint_start,
			    t->range[i].output_node);
	if (pci_find(VIRTIO_PCI_VENDOR, VIRTIO_PCI_MODERN_ID(VIRTIO_ID_BLOCK), 0, &f)) {
		ok = viot_endpoint(t, f.bdf, &ep_blk);
		report(ok, "virtio-blk %04x is translated: endpoint %#x", f.bdf, ep_blk);
	} else {
		report(false, "a virtio-blk is present");
	}
	if (pci_find(VIRTIO_PCI_VENDOR, VIRTIO_PCI_MODERN_ID(VIRTIO_ID_RNG), 0, &f)) {
		ok = viot_endpoint(t, f.bdf, &ep_rng);
		report(ok, "virtio-rng %04x is translated: endpoint %#x", f.bdf, ep_rng);
	} else {
		report(false, "a virtio-rng is present");
	}
	if (viot_endpoint(t, vi.dev.pci.bdf, &(uint32_t){0}))
		report_info("the VIOT also lists the IOMMU's own function as an endpoint");
}

static void check_config(void)
{
	const struct virtio_iommu_config *c = &vi.cfg;
	uint64_t want_g = cmdline_u64("granule", 4096);

	report_info("config: page_size_mask %#lx input %#lx-%#lx domains %u-%u probe_size %u "
		    "bypass %u",
		    (unsigned long)c->page_size_mask, (unsigned long)c->input_range.start,
		    (unsigned long)c->input_range.end, c->domain_range.start, c->domain_range.end,
		    c->probe_size, c->bypass);
	/* 5.13.4.2 */
	report(c->page_size_mask != 0, "page_size_mask has at least one bit (MUST)");
	report(vi.granule == want_g, "granule (lowest bit of page_size_mask) %#x = %#lx",
	       vi.granule, (unsigned long)want_g);
	if (viommu_offers(&vi, VIRTIO_IOMMU_F_INPUT_RANGE)) {
		report(c->input_range.start <= c->input_range.end &&
			       !(c->input_range.start & (vi.granule - 1)) &&
			       !((c->input_range.end + 1) & (vi.granule - 1)),
		       "input_range start <= end, both granule-aligned");
		report(c->input_range.end >= 0xffffffffull,
		       "input_range reaches 4 GiB (a 32-bit guest's DMA fits)");
	} else {
		report_skip("INPUT_RANGE not offered");
	}
	if (viommu_offers(&vi, VIRTIO_IOMMU_F_DOMAIN_RANGE))
		report(c->domain_range.start <= c->domain_range.end &&
			       c->domain_range.end - c->domain_range.start >= 3,
		       "domain_range start <= end, room for 4 domains");
	else
		report_skip("DOMAIN_RANGE not offered");
	if (viommu_offers(&vi, VIRTIO_IOMMU_F_PROBE))
		report(c->probe_size >= sizeof(struct virtio_iommu_probe_resv_mem) &&
			       c->probe_size <= VIOMMU_PROBE_MAX,
		       "probe_size %u holds a RESV_MEM property (<= %u)", c->probe_size,
		       VIOMMU_PROBE_MAX);
	else
		report_skip("PROBE not offered");
	report(c->bypass <= 1, "bypass is 0 or 1 (MUST): %u", c->bypass);
}

static void check_probe(void)
{
	struct viommu_resv r[8];
	unsigned nr = 0, msi = 0;
	uint32_t size = vi.cfg.probe_size, end = 0;
	int st, n;
	bool zero = true;

	if (!viommu_has(&vi, VIRTIO_IOMMU_F_PROBE)) {
		report_skip("PROBE not negotiated");
		return;
	}
	st = viommu_probe(&vi, ep_blk);
	if (!report(st == VIRTIO_IOMMU_S_OK, "PROBE blk endpoint: OK (%s)", sname(st)))
		return;
	n = viommu_parse_props(vi.probe_buf, size, r, ARRAY_SIZE(r), &nr);
	report(n >= 1, "properties parse: %d, %u RESV_MEM", n, nr);
	for (unsigned i = 0; i < nr; i++) {
		report_info("RESV_MEM subtype %u %#lx-%#lx length %u", r[i].subtype,
			    (unsigned long)r[i].start, (unsigned long)r[i].end, r[i].length);
		if (r[i].subtype == VIRTIO_IOMMU_RESV_MEM_T_MSI) {
			msi++;
			report(r[i].start == MSI_START && r[i].end == MSI_END,
			       "RESV_MEM MSI %#lx-%#lx = 0xfee00000-0xfeefffff",
			       (unsigned long)r[i].start, (unsigned long)r[i].end);
			/* 5.13.6.8: length without the header */
			report(r[i].length == sizeof(struct virtio_iommu_probe_resv_mem) - 4,
			       "RESV_MEM length %u = 20 (MUST: size without the header)",
			       r[i].length);
			report(!r[i].reserved_bits, "property type's reserved bits are 0");
		}
	}
	report(msi == 1, "exactly one MSI RESV_MEM property (%u)", msi);
	/* Where the list ends, the rest SHOULD be zeroes (5.13.6.7.2). */
	if (n > 0) {
		for (int k = 0; k < n && end + 4 <= size; k++)
			end += 4u + (vi.probe_buf[end + 2] | vi.probe_buf[end + 3] << 8);
		for (uint32_t k = end; k < size; k++)
			zero &= vi.probe_buf[k] == 0;
		report(zero, "properties %u-%u after the list are zero", end, size - 1);
	}
	st = viommu_probe(&vi, 0xfffffff0u);
	report(st == VIRTIO_IOMMU_S_NOENT, "PROBE unknown endpoint 0xfffffff0: NOENT (%s)",
	       sname(st));
}

static void check_attach(void)
{
	const struct virtio_iommu_config *c = &vi.cfg;
	struct virtio_iommu_req_attach *a = virtio_alloc(sizeof(*a), 64);
	uint8_t *tail = virtio_alloc(4, 4);
	int st;

	st = viommu_attach(&vi, D1, 0xfffffff0u, 0);
	report(st == VIRTIO_IOMMU_S_NOENT, "ATTACH unknown endpoint: NOENT (MUST) (%s)", sname(st));
	st = viommu_attach(&vi, D1, ep_blk, 1u << 1);
	report(st == VIRTIO_IOMMU_S_INVAL, "ATTACH unknown flags bit 1: INVAL (MUST) (%s)",
	       sname(st));
	*a = (struct virtio_iommu_req_attach){.head.type = VIRTIO_IOMMU_T_ATTACH,
					      .domain = D1,
					      .endpoint = ep_blk,
					      .reserved = {1, 0, 0, 0}};
	st = viommu_raw(&vi, a, sizeof(*a) - 4, tail, 4, NULL);
	if (!vt_check(st == VIRTIO_IOMMU_S_INVAL, "attach_reserved",
		      "virtio 1.2 5.13.6.3.2 (MUST reject, INVAL)",
		      "ATTACH with reserved != 0: INVAL (%s)", sname(st)) &&
	    st == VIRTIO_IOMMU_S_OK)
		viommu_detach(&vi, D1, ep_blk);

	if (c->domain_range.end < 0xffffffffu) {
		st = viommu_attach(&vi, c->domain_range.end + 1, ep_blk, 0);
		report(st == VIRTIO_IOMMU_S_RANGE,
		       "ATTACH domain %u > domain_range.end: RANGE (%s)", c->domain_range.end + 1,
		       sname(st));
	} else {
		report_skip("domain_range ends at 2^32-1: no domain above it");
	}
	if (c->domain_range.start > 0) {
		st = viommu_attach(&vi, c->domain_range.start - 1, ep_blk, 0);
		report(st == VIRTIO_IOMMU_S_RANGE,
		       "ATTACH domain %u < domain_range.start: RANGE (%s)",
		       c->domain_range.start - 1, sname(st));
	} else {
		report_skip("domain_range starts at 0: no domain below it");
	}
	st = viommu_attach(&vi, c->domain_range.end, ep_rng, 0);
	report(st == VIRTIO_IOMMU_S_OK, "ATTACH to domain_range.end %u: OK (%s)",
	       c->domain_range.end, sname(st));
	st = viommu_detach(&vi, c->domain_range.end, ep_rng);
	report(st == VIRTIO_IOMMU_S_OK, "DETACH from it: OK (%s)", sname(st));

	st = viommu_attach(&vi, D1, ep_blk, 0);
	report(st == VIRTIO_IOMMU_S_OK, "ATTACH blk to domain %u: OK (%s)", D1, sname(st));
	st = viommu_detach(&vi, D1, 0xfffffff0u);
	report(st == VIRTIO_IOMMU_S_NOENT, "DETACH unknown endpoint: NOENT (MUST) (%s)", sname(st));
	st = viommu_detach(&vi, D2, ep_blk);
	report_info("DETACH from a domain the endpoint is not in: %s (INVAL allowed)", sname(st));
	if (viommu_has(&vi, VIRTIO_IOMMU_F_BYPASS_CONFIG)) {
		st = viommu_attach(&vi, D1, ep_rng, VIRTIO_IOMMU_ATTACH_F_BYPASS);
		report(st == VIRTIO_IOMMU_S_INVAL,
		       "ATTACH with F_BYPASS to an existing translated domain: INVAL (%s)",
		       sname(st));
	}
}

/* The statuses of MAP and UNMAP; blk is attached to D1. */
static void check_map(void)
{
	const uint32_t rw = VIRTIO_IOMMU_MAP_F_READ | VIRTIO_IOMMU_MAP_F_WRITE;
	const struct virtio_iommu_config *c = &vi.cfg;
	int st;

	st = viommu_map(&vi, D2, P(0), E(0), phys_page, rw);
	report(st == VIRTIO_IOMMU_S_NOENT, "MAP in a domain that does not exist: NOENT (%s)",
	       sname(st));
	st = viommu_unmap(&vi, D2, P(0), E(0));
	report(st == VIRTIO_IOMMU_S_NOENT, "UNMAP in a domain that does not exist: NOENT (%s)",
	       sname(st));
	st = viommu_map(&vi, D1, P(0), E(0), phys_page, rw | (1u << 3));
	report(st == VIRTIO_IOMMU_S_INVAL, "MAP with unknown flags bit 3: INVAL (MUST) (%s)",
	       sname(st));
	if (!viommu_has(&vi, VIRTIO_IOMMU_F_MMIO))
		report_skip("F_MMIO not negotiated");

	st = viommu_map(&vi, D1, P(0) + 0x10, E(0), phys_page, rw);
	vt_check(st == VIRTIO_IOMMU_S_RANGE, "map_align", "virtio 1.2 5.13.6.5.2 (SHOULD: RANGE)",
		 "MAP virt_start not granule-aligned: RANGE (%s)", sname(st));
	clear_region(D1);
	st = viommu_map(&vi, D1, P(0), E(0) - 0x10, phys_page, rw);
	vt_check(st == VIRTIO_IOMMU_S_RANGE, "map_align", "virtio 1.2 5.13.6.5.2 (SHOULD: RANGE)",
		 "MAP virt_end + 1 not granule-aligned: RANGE (%s)", sname(st));
	clear_region(D1);
	st = viommu_map(&vi, D1, P(0), E(0), phys_page + 0x10, rw);
	vt_check(st == VIRTIO_IOMMU_S_RANGE, "map_align", "virtio 1.2 5.13.6.5.2 (SHOULD: RANGE)",
		 "MAP phys_start not granule-aligned: RANGE (%s)", sname(st));
	clear_region(D1);

	/* Input range (5.13.6: "Any mapping request to virtual addresses
	 * outside of this range fails"). */
	if (c->input_range.end < ~0ull) {
		uint64_t s = (c->input_range.end + 1) & ~(G - 1);

		st = viommu_map(&vi, D1, s, s + G - 1, phys_page, rw);
		report(st == VIRTIO_IOMMU_S_RANGE, "MAP above input_range.end: RANGE (%s)",
		       sname(st));
		if (st == VIRTIO_IOMMU_S_OK)
			viommu_unmap(&vi, D1, s, s + G - 1);
		s = c->input_range.end - G + 1;
		st = viommu_map(&vi, D1, s, s + 2 * G - 1, phys_page, rw);
		report(st == VIRTIO_IOMMU_S_RANGE, "MAP straddling input_range.end: RANGE (%s)",
		       sname(st));
		if (st == VIRTIO_IOMMU_S_OK)
			viommu_unmap(&vi, D1, s, s + 2 * G - 1);
		st = viommu_map(&vi, D1, s, c->input_range.end, phys_page, rw);
		report(st == VIRTIO_IOMMU_S_OK, "MAP of the last granule of input_range: OK (%s)",
		       sname(st));
		viommu_unmap(&vi, D1, s, c->input_range.end);
	} else {
		report_skip("input_range ends at 2^64-1: nothing above it");
	}
	if (c->input_range.start > 0) {
		uint64_t s = c->input_range.start - G;

		st = viommu_map(&vi, D1, s, s + G - 1, phys_page, rw);
		report(st == VIRTIO_IOMMU_S_RANGE, "MAP below input_range.start: RANGE (%s)",
		       sname(st));
		if (st == VIRTIO_IOMMU_S_OK)
			viommu_unmap(&vi, D1, s, s + G - 1);
	} else {
		report_skip("input_range starts at 0: nothing below it");
	}

	/* The MSI doorbell is reserved (RESV_MEM): 5.13.6.8.1.2. */
	if (MSI_START >= c->input_range.start && MSI_END <= c->input_range.end) {
		st = viommu_map(&vi, D1, MSI_START, MSI_START + G - 1, phys_page, rw);
		vt_check(st != VIRTIO_IOMMU_S_OK, "map_resv",
			 "virtio 1.2 5.13.6.8.1.2 (SHOULD reject a MAP overlapping RESV_MEM)",
			 "MAP over the MSI RESV_MEM region is rejected (%s)", sname(st));
		if (st == VIRTIO_IOMMU_S_OK)
			viommu_unmap(&vi, D1, MSI_START, MSI_START + G - 1);
	}

	/* Overlaps (5.13.6.5.2: INVAL). */
	st = map_pages(D1, 2, 3);
	report(st == VIRTIO_IOMMU_S_OK, "MAP pages 2-3: OK (%s)", sname(st));
	st = map_pages(D1, 2, 3);
	report(st == VIRTIO_IOMMU_S_INVAL, "MAP pages 2-3 again: INVAL (%s)", sname(st));
	st = map_pages(D1, 3, 4);
	report(st == VIRTIO_IOMMU_S_INVAL, "MAP pages 3-4 (overlaps the end): INVAL (%s)",
	       sname(st));
	st = map_pages(D1, 1, 2);
	report(st == VIRTIO_IOMMU_S_INVAL, "MAP pages 1-2 (overlaps the start): INVAL (%s)",
	       sname(st));
	st = map_pages(D1, 1, 4);
	report(st == VIRTIO_IOMMU_S_INVAL, "MAP pages 1-4 (covers it): INVAL (%s)", sname(st));
	st = map_pages(D1, 3, 3);
	report(st == VIRTIO_IOMMU_S_INVAL, "MAP page 3 (inside it): INVAL (%s)", sname(st));
	st = map_pages(D1, 4, 4);
	report(st == VIRTIO_IOMMU_S_OK, "MAP page 4 (adjacent): OK (%s)", sname(st));
	st = map_pages(D1, 1, 1);
	report(st == VIRTIO_IOMMU_S_OK, "MAP page 1 (adjacent): OK (%s)", sname(st));
	st = unmap_pages(D1, 1, 4);
	report(st == VIRTIO_IOMMU_S_OK, "UNMAP pages 1-4 (three whole mappings): OK (%s)",
	       sname(st));
	report(!present(D1, 1, 4), "pages 1-4 are free again");
}

/* virtio 1.2 5.13.6.6: the seven examples, in pages (a blank region
 * before each), then a split across two mappings. */
static void check_unmap(void)
{
	int st;

	clear_region(D1);
	st = unmap_pages(D1, 0, 4);
	report(st == VIRTIO_IOMMU_S_OK, "unmap (1): nothing mapped: OK (%s)", sname(st));

	map_pages(D1, 0, 9);
	st = unmap_pages(D1, 0, 9);
	report(st == VIRTIO_IOMMU_S_OK && !present(D1, 0, 9),
	       "unmap (2): a=0-9, unmap 0-9: OK, a gone (%s)", sname(st));

	map_pages(D1, 0, 4);
	map_pages(D1, 5, 9);
	st = unmap_pages(D1, 0, 9);
	report(st == VIRTIO_IOMMU_S_OK && !present(D1, 0, 4) && !present(D1, 5, 9),
	       "unmap (3): a=0-4 b=5-9, unmap 0-9: OK, both gone (%s)", sname(st));

	map_pages(D1, 0, 9);
	st = unmap_pages(D1, 0, 4);
	report(st == VIRTIO_IOMMU_S_RANGE, "unmap (4): a=0-9, unmap 0-4: RANGE (%s)", sname(st));
	report(present(D1, 0, 9), "unmap (4): a is still mapped (SHOULD NOT remove)");
	st = unmap_pages(D1, 5, 9);
	report(st == VIRTIO_IOMMU_S_RANGE, "unmap (4'): a=0-9, unmap 5-9: RANGE (%s)", sname(st));
	st = unmap_pages(D1, 3, 6);
	report(st == VIRTIO_IOMMU_S_RANGE && present(D1, 0, 9),
	       "unmap (4''): a=0-9, unmap 3-6: RANGE, a still mapped (%s)", sname(st));
	clear_region(D1);

	map_pages(D1, 0, 4);
	map_pages(D1, 5, 9);
	st = unmap_pages(D1, 0, 4);
	report(st == VIRTIO_IOMMU_S_OK && !present(D1, 0, 4) && present(D1, 5, 9),
	       "unmap (5): a=0-4 b=5-9, unmap 0-4: OK, a gone, b kept (%s)", sname(st));
	clear_region(D1);

	map_pages(D1, 0, 4);
	st = unmap_pages(D1, 0, 9);
	report(st == VIRTIO_IOMMU_S_OK && !present(D1, 0, 4),
	       "unmap (6): a=0-4, unmap 0-9: OK, a gone (%s)", sname(st));

	map_pages(D1, 0, 4);
	map_pages(D1, 10, 14);
	st = unmap_pages(D1, 0, 14);
	report(st == VIRTIO_IOMMU_S_OK && !present(D1, 0, 4) && !present(D1, 10, 14),
	       "unmap (7): a=0-4 b=10-14, unmap 0-14: OK, both gone (%s)", sname(st));

	/* A range that covers one mapping and splits another: RANGE, and
	 * SHOULD NOT remove any mapping. Four whole mappings before the
	 * split one, so a device that removes as it walks shows it. */
	for (unsigned k = 0; k < 4; k++)
		map_pages(D1, 2 * k, 2 * k + 1);
	map_pages(D1, 8, 13);
	st = unmap_pages(D1, 0, 9);
	report(st == VIRTIO_IOMMU_S_RANGE,
	       "unmap split: 4 whole + 1 split by the range: RANGE (%s)", sname(st));
	{
		unsigned kept = 0;

		for (unsigned k = 0; k < 4; k++)
			kept += present(D1, 2 * k, 2 * k + 1);
		vt_check(kept == 4 && present(D1, 8, 13), "unmap_split",
			 "virtio 1.2 5.13.6.6.2 (SHOULD NOT remove any mapping)",
			 "after the refused split every mapping is kept (%u of 4 + split one %s)",
			 kept, present(D1, 8, 13) ? "kept" : "gone");
	}
	clear_region(D1);
}

/* Domains: lifetime, bypass domains, moving an endpoint. */
static void check_domains(void)
{
	int st;

	st = viommu_attach(&vi, D2, ep_rng, 0);
	report(st == VIRTIO_IOMMU_S_OK, "ATTACH rng to domain %u: OK (%s)", D2, sname(st));
	st = map_pages(D2, 0, 0);
	report(st == VIRTIO_IOMMU_S_OK, "MAP in domain %u: OK (%s)", D2, sname(st));
	st = viommu_detach(&vi, D2, ep_rng);
	report(st == VIRTIO_IOMMU_S_OK, "DETACH its only endpoint: OK (%s)", sname(st));
	st = map_pages(D2, 0, 0);
	report(st == VIRTIO_IOMMU_S_NOENT,
	       "after the last DETACH the domain is gone: MAP NOENT (%s)", sname(st));

	/* An endpoint attached elsewhere moves (5.13.6.3.2). */
	st = viommu_attach(&vi, D3, ep_blk, 0);
	report(st == VIRTIO_IOMMU_S_OK, "ATTACH blk (in %u) to domain %u: OK (%s)", D1, D3,
	       sname(st));
	st = map_pages(D1, 0, 0);
	report(st == VIRTIO_IOMMU_S_NOENT, "its old domain %u, left empty, is gone: MAP NOENT (%s)",
	       D1, sname(st));
	st = viommu_attach(&vi, D1, ep_blk, 0);
	report(st == VIRTIO_IOMMU_S_OK, "ATTACH blk back to %u: OK (%s)", D1, sname(st));

	if (!viommu_has(&vi, VIRTIO_IOMMU_F_BYPASS_CONFIG)) {
		report_skip("BYPASS_CONFIG not negotiated: no bypass domains");
		return;
	}
	st = viommu_attach(&vi, D_BYP, ep_rng, VIRTIO_IOMMU_ATTACH_F_BYPASS);
	report(st == VIRTIO_IOMMU_S_OK, "ATTACH rng with F_BYPASS to domain %u: OK (%s)", D_BYP,
	       sname(st));
	st = map_pages(D_BYP, 0, 0);
	report(st == VIRTIO_IOMMU_S_INVAL, "MAP in a bypass domain: INVAL (%s)", sname(st));
	st = unmap_pages(D_BYP, 0, 0);
	report(st == VIRTIO_IOMMU_S_INVAL, "UNMAP in a bypass domain: INVAL (%s)", sname(st));
	st = viommu_attach(&vi, D_BYP, ep_blk, 0);
	report(st == VIRTIO_IOMMU_S_INVAL,
	       "ATTACH without F_BYPASS to the bypass domain: INVAL (%s)", sname(st));
	/* Whether a refused ATTACH leaves the endpoint where it was is not
	 * specified (QEMU detaches it first); put blk back in D1. */
	report_info("after the refused ATTACH blk's domain %u %s", D1,
		    map_pages(D1, 0, 0) == VIRTIO_IOMMU_S_NOENT ? "is gone" : "still exists");
	unmap_pages(D1, 0, 0);
	st = viommu_attach(&vi, D1, ep_blk, 0);
	report(st == VIRTIO_IOMMU_S_OK, "ATTACH blk to %u again: OK (%s)", D1, sname(st));
	st = viommu_detach(&vi, D_BYP, ep_rng);
	report(st == VIRTIO_IOMMU_S_OK, "DETACH rng from the bypass domain: OK (%s)", sname(st));
}

static void check_unknown_type(void)
{
	struct virtio_iommu_req_head *h = virtio_alloc(64, 64);
	uint8_t *in = virtio_alloc(4, 4);
	uint32_t used = ~0u;
	int st;

	h->type = 0x7f;
	st = viommu_raw(&vi, h, 64 - 4, in, 4, &used);
	vt_check(used == 0 && in[0] == 0xa5, "unknown_type",
		 "virtio 1.2 5.13.6.2 (SHOULD NOT write, used length 0)",
		 "request type 0x7f: used len %u, status byte %#x (%s)", used, in[0], sname(st));
}

/* config.bypass: writable with BYPASS_CONFIG, sticky across a device
 * reset (5.13.4.2), and a reset leaves no endpoint attached (5.13.5). */
static void check_bypass_reset(void)
{
	uint8_t orig = viommu_bypass(&vi);
	int st;

	if (!viommu_has(&vi, VIRTIO_IOMMU_F_BYPASS_CONFIG)) {
		report_skip("BYPASS_CONFIG not negotiated");
		return;
	}
	viommu_set_bypass(&vi, 0);
	report(viommu_bypass(&vi) == 0, "bypass written 0 reads 0");
	viommu_set_bypass(&vi, 1);
	report(viommu_bypass(&vi) == 1, "bypass written 1 reads 1");
	viommu_set_bypass(&vi, (uint8_t)!orig);
	st = map_pages(D1, 0, 0);
	report(st == VIRTIO_IOMMU_S_OK, "MAP in domain %u before the reset: OK (%s)", D1,
	       sname(st));
	report(viommu_reinit(&vi, VIOMMU_WANT) == 0, "device reset and set up again");
	report(viommu_bypass(&vi) == !orig, "bypass %u kept across the device reset (SHOULD)",
	       !orig);
	st = map_pages(D1, 0, 0);
	report(st == VIRTIO_IOMMU_S_NOENT,
	       "after the reset no endpoint is attached: domain %u gone, MAP NOENT (%s)", D1,
	       sname(st));
	viommu_set_bypass(&vi, orig);
	report(viommu_bypass(&vi) == orig, "bypass restored to %u", orig);
}

int main(void)
{
	static uint8_t page[4096] __attribute__((aligned(4096)));

	known_init();
	phys_page = virt_to_phys(page);
	if (!report(pci_init() == 0 && viommu_open(&vi, VIOMMU_WANT) == 0,
		    "virtio-iommu found and set up (0x1af4:0x1057)"))
		return 1;
	check_device();
	check_viot();
	check_config();
	G = vi.granule;
	X = vt_iova_region(&vi, 64 * G);
	if (!report(X != 0 && ep_blk && ep_rng, "IOVA region at %#lx, endpoints known",
		    (unsigned long)X))
		return 1;
	check_probe();
	check_attach();
	check_map();
	check_unmap();
	check_domains();
	check_unknown_type();
	check_bypass_reset();
	report(viommu_drain_faults(&vi) == 0, "no fault reported (no device did DMA)");
	virtio_reset(&vi.dev);
	return 0;
}
