// SPDX-License-Identifier: MIT
/* A passed-through device behind the virtio-iommu: QEMU's edu (lib/edu.h),
 * which L0 emulates behind its VT-d, L1 binds to vfio-pci and a VMM in L1
 * gives to this guest (the nested scenarios vfio-edu and qemu-vfio-edu).
 * Nothing here emulates the device: every DMA is the real device's, through
 * the host IOMMU, which the VMM programs from this guest's MAP and UNMAP
 * requests.
 *
 * Each check's lines start with its name, which the scenario turns into one
 * result per check:
 *  - pci: the function 1234:11e8 on bus 0, BAR 0 (1 MiB memory) programmed,
 *    the ident register 0x010000ed, liveness (reads ~written), a factorial;
 *  - viommu: the ACPI VIOT lists the edu as an endpoint of the virtio-iommu;
 *    PROBE gives the x86 MSI window as an MSI RESV_MEM region, and covers
 *    every reserved region the host's IOMMU has for the device's group
 *    (hostresv=START-END,... from L1's sysfs);
 *  - dma: ATTACH, MAP of a source and a destination page at IOVAs that are
 *    the guest-physical addresses of two other (decoy) pages; the device
 *    copies a random pattern RAM -> its buffer -> RAM through them (4095
 *    bytes: see edu.h): the pattern lands in the mapped page and nowhere
 *    else (decoys, guard pages, the page's last byte), and a 256-byte
 *    transfer lands at its offset;
 *  - msi: the MSI capability programmed for a vector of this CPU, enabled;
 *    an interrupt raised through the device's register and one at the end
 *    of a DMA (command bit 2) arrive, once each; with per-vector masking, a
 *    masked vector holds its interrupt until unmasked;
 *  - unmap: after UNMAP the device's write to that IOVA reaches no guest
 *    memory (the page keeps its fill, the decoy its canary) and its read
 *    brings in nothing of guest memory; the host IOMMU blocks both and
 *    reports a fault, which the scenario finds in L1's log (the lines
 *    "# EDU-DMAR read|write IOVA" say which faults to expect);
 *  - resv: a MAP inside the MSI window (and inside any RESERVED region
 *    PROBE gave) is refused with RANGE (5.13.6.8.1.2 SHOULD);
 *  - limit (only with maplimit=N, the host's mapping limit, which
 *    vfio-bad lowers): exactly N - 2 more single-page MAPs succeed, every
 *    later one fails, a DMA to a refused IOVA reaches no memory (a host
 *    fault, announced like unmap's), and an UNMAP makes room for one.
 * "quick" on the command line runs pci, viommu and dma (and limit) only:
 * a device still usable after the scenario's failed set-ups.
 *
 * known=ID,ID: checks the backend is known to get wrong, recorded as SKIP
 * (see hostile.c). QEMU 7.2 (-device vfio-pci behind -device
 * virtio-iommu-pci) departs from:
 *  - map_resv: 5.13.6.8.1.2 "The device SHOULD reject a MAP request that
 *    overlaps a RESV_MEM region." QEMU's MAP does not consult the reserved
 *    regions (hw/virtio/virtio-iommu.c) and answers OK; its VFIO listener
 *    then fails to map the MSI window in the host container (the host
 *    IOMMU has no IOVA there) and only logs it, so the guest has a mapping
 *    that its device cannot use. Also in guest-tests/viommu.c.
 * The check msi_pending (PCI Local Bus 3.0 6.8.3.4: while a vector is masked
 * "the function must set the associated Pending bit whenever the function
 * would otherwise send the message") found build/vmm leaving the bit at 0
 * while a masked vector's interrupt waited in its eventfd; it now shows it
 * (devices/vfio/irq.c, vfio_pci_msi_pending).
 * Other differences between the two, not departures: QEMU shows the
 * device's own MSI capability (no per-vector masking: the masking checks
 * are skipped) and INTx pin A, build/vmm an emulated MSI capability with
 * masking and no INTx; QEMU's input range is the whole 64-bit space,
 * build/vmm's what the host IOMMU translates. */
#include <stdarg.h>

#include "edu.h"
#include "guest.h"
#include "known.h"
#include "msi.h"
#include "rand.h"
#include "msix.h"
#include "viommu.h"

#define D1	   1u
#define PAGE	   4096u
#define DMA_WAIT   3000000 /* us: the device waits ~100 ms per transfer */
#define IRQ_WAIT   2000000
#define QUIET_US   300000 /* how long "no interrupt" is watched */
#define MSI_START  0xfee00000ull
#define MSI_END	   0xfeefffffull
#define MAX_HOSTRS 8
#define LEN	   EDU_DMA_MAX /* a page but its last byte: see edu.h */
#define PIC1_DATA  0x21	       /* 8259 interrupt mask registers */
#define PIC2_DATA  0xa1

static struct edu e;
static struct viommu vi;
static uint32_t ep;
static bool quick;
static uint64_t rng;
static uint8_t vector;
static struct viommu_resv props[16];
static unsigned nr_props;

/* Pages: src (the pattern), area (guard, dst, guard), the decoys whose
 * GPAs are the IOVAs of src and dst, chk (the read-back page) and a copy
 * of the pattern. */
static uint8_t *src, *area, *decoy_src, *decoy_dst, *chk, *want;
static uint64_t iova_src, iova_dst, iova_chk;

#define DST (area + PAGE)

/* A check the backend may be known to fail: pass; or, when id is in
 * known=, a SKIP naming the backend and the rule; or a failure. */
static bool kcheck(bool pass, const char *id, const char *rule, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static bool kcheck(bool pass, const char *id, const char *rule, const char *fmt, ...)
{
	char msg[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (pass)
		return report(true, "%s", msg);
	if (known_has(id)) {
		report_skip("%s: %s departs from %s (known=%s)", msg, known_backend(), rule, id);
		return false;
	}
	return report(false, "%s (%s: %s)", msg, id, rule);
}

static uint64_t rand64(void)
{
	return xorshift64s(&rng);
}

static void fill_random(uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i += 8) {
		uint64_t v = rand64();

		memcpy(p + i, &v, n - i < 8 ? n - i : 8);
	}
}

static bool filled(const uint8_t *p, uint8_t v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != v)
			return false;
	return true;
}

/* Guards around dst and the decoys as fill_pages left them. */
static void fill_pages(uint8_t dst)
{
	memset(area, 0xa1, PAGE);
	memset(DST, dst, PAGE);
	memset(area + 2 * PAGE, 0xa2, PAGE);
	memset(decoy_src, 0x5c, PAGE);
	memset(decoy_dst, 0xc3, PAGE);
}

static bool others_intact(void)
{
	return filled(area, 0xa1, PAGE) && filled(area + 2 * PAGE, 0xa2, PAGE) &&
	       filled(decoy_src, 0x5c, PAGE) && filled(decoy_dst, 0xc3, PAGE);
}

static const char *sname(int st)
{
	return viommu_status_name(st);
}

static const char *dma_name(int rc)
{
	switch (rc) {
	case 0: return "done";
	case EDU_E_RANGE: return "refused by the driver";
	case EDU_E_BUSY: return "device busy";
	case EDU_E_TIMEOUT: return "not done in time";
	}
	return "?";
}

/* ---- pci ---------------------------------------------------------------------- */

static bool check_pci(void)
{
	uint32_t v, f = 0;

	if (!report(edu_open(&e, 0) == 0, "pci: edu %04x:%04x found on bus 0, BAR 0 usable",
		    EDU_VENDOR, EDU_DEVICE))
		return false;
	report_info("edu at %02x:%02x.%u, BAR 0 at %#lx (%lu KiB%s), command %#x",
		    PCI_BDF_BUS(e.pci.bdf), PCI_BDF_DEV(e.pci.bdf), PCI_BDF_FN(e.pci.bdf),
		    (unsigned long)e.bar, (unsigned long)(e.bar_size >> 10),
		    e.placed ? ", placed by this guest" : "", pci_read16(e.pci.bdf, PCI_COMMAND));
	report(e.pci.class >> 8 == 0x00ff, "pci: class %#x (unclassified device)", e.pci.class);
	report_info("interrupt pin %u (0: no INTx)", pci_read8(e.pci.bdf, PCI_INTERRUPT_PIN));
	report(e.bar_size == EDU_BAR_SIZE, "pci: BAR 0 is 1 MiB of memory (%#lx)",
	       (unsigned long)e.bar_size);
	report(pci_bar_addr(e.pci.bdf, 0) == e.bar && e.bar != 0,
	       "pci: BAR 0 programmed at %#lx, memory decoding on", (unsigned long)e.bar);
	v = edu_read(&e, EDU_IDENT);
	if (!report(v == EDU_IDENT_VALUE, "pci: ident reads %#x (want %#x)", v, EDU_IDENT_VALUE))
		return false;
	v = (uint32_t)rand64();
	report(edu_alive(&e, v) && edu_alive(&e, 0) && edu_alive(&e, 0xffffffffu),
	       "pci: liveness reads the inverse of %#x, 0 and 0xffffffff", v);
	v = edu_factorial(&e, 10, &f, DMA_WAIT);
	report(v && f == 3628800, "pci: the device computes 10! = 3628800 (%u)", f);
	return true;
}

/* ---- viommu ------------------------------------------------------------------- */

/* hostresv=START-END,...: the host's reserved regions of the group. */
static unsigned host_regions(uint64_t (*r)[2], unsigned max)
{
	char buf[256];
	const char *p = cmdline_get("hostresv", buf, sizeof(buf));
	unsigned n = 0;

	while (p && *p && n < max) {
		const char *end;

		r[n][0] = strtou64(p, &end, 0);
		if (end == p || *end != '-')
			break;
		p = end + 1;
		r[n][1] = strtou64(p, &end, 0);
		if (end == p)
			break;
		n++;
		p = *end == ',' ? end + 1 : end;
		while (*p && *p != ',' && *p != ' ')
			p++; /* a ":type" suffix */
		if (*p == ',')
			p++;
	}
	return n;
}

static bool check_viommu(void)
{
	const struct virtio_iommu_config *c;
	uint64_t host[MAX_HOSTRS][2];
	unsigned nh, msi = 0;
	bool listed;
	int st, n;

	if (!report(viommu_open(&vi, VIOMMU_WANT) == 0, "viommu: virtio-iommu found and set up"))
		return false;
	c = &vi.cfg;
	report_info("virtio-iommu at %02x.%u: features %#lx, input %#lx-%#lx, page_size_mask "
		    "%#lx, bypass %u",
		    PCI_BDF_DEV(vi.dev.pci.bdf), PCI_BDF_FN(vi.dev.pci.bdf),
		    (unsigned long)vi.dev.features, (unsigned long)c->input_range.start,
		    (unsigned long)c->input_range.end, (unsigned long)c->page_size_mask, c->bypass);
	for (unsigned i = 0; i < vi.viot.nr_ranges; i++)
		report_info("VIOT range: bdf %04x-%04x -> endpoint %#x", vi.viot.range[i].bdf_start,
			    vi.viot.range[i].bdf_end, vi.viot.range[i].endpoint_start);
	listed = viot_endpoint(&vi.viot, e.pci.bdf, &ep);
	if (!report(listed, "viommu: the VIOT lists the edu (%04x) as an endpoint: %#x", e.pci.bdf,
		    ep))
		return false;
	report(vi.granule == PAGE, "viommu: granule %#x is 4 KiB", vi.granule);
	report(c->input_range.start == 0 && c->input_range.end >= EDU_DMA_MASK,
	       "viommu: input range %#lx-%#lx holds the edu's 28-bit IOVAs",
	       (unsigned long)c->input_range.start, (unsigned long)c->input_range.end);
	if (!report(viommu_has(&vi, VIRTIO_IOMMU_F_PROBE), "viommu: PROBE negotiated"))
		return true;
	st = viommu_probe(&vi, ep);
	if (!report(st == VIRTIO_IOMMU_S_OK, "viommu: PROBE the edu: OK (%s)", sname(st)))
		return true;
	n = viommu_parse_props(vi.probe_buf, c->probe_size, props, ARRAY_SIZE(props), &nr_props);
	report(n >= 1, "viommu: PROBE properties parse (%d, %u RESV_MEM)", n, nr_props);
	for (unsigned i = 0; i < nr_props; i++) {
		report_info("PROBE RESV_MEM %s %#lx-%#lx",
			    props[i].subtype == VIRTIO_IOMMU_RESV_MEM_T_MSI ? "MSI" : "RESERVED",
			    (unsigned long)props[i].start, (unsigned long)props[i].end);
		msi += props[i].subtype == VIRTIO_IOMMU_RESV_MEM_T_MSI &&
		       props[i].start == MSI_START && props[i].end == MSI_END;
	}
	report(msi == 1, "viommu: PROBE gives the MSI window 0xfee00000-0xfeefffff as MSI");
	nh = host_regions(host, MAX_HOSTRS);
	report_info("the host's reserved regions for the group: %u", nh);
	for (unsigned h = 0; h < nh; h++) {
		bool covered = host[h][0] > c->input_range.end;

		for (unsigned i = 0; i < nr_props && !covered; i++)
			covered = props[i].start <= host[h][0] && props[i].end >= host[h][1];
		report(covered, "viommu: the host's reserved region %#lx-%#lx is reserved in PROBE",
		       (unsigned long)host[h][0], (unsigned long)host[h][1]);
	}
	return true;
}

/* ---- dma ---------------------------------------------------------------------- */

/* The IOVA for page p: its own GPA when the device can emit it (a device
 * ignoring the IOMMU would then hit the decoy), else fallback. */
static uint64_t iova_of(const void *p, uint64_t fallback)
{
	uint64_t a = virt_to_phys(p);

	return a <= EDU_DMA_MASK - PAGE + 1 ? a : fallback;
}

static bool check_dma(void)
{
	const uint32_t rw = VIRTIO_IOMMU_MAP_F_READ | VIRTIO_IOMMU_MAP_F_WRITE;
	int st, rc;

	iova_src = iova_of(decoy_src, 0x100000);
	iova_dst = iova_of(decoy_dst, 0x200000);
	iova_chk = 0x300000 + (iova_dst == 0x300000 ? PAGE : 0);
	report_info("IOVAs: src %#lx (decoy GPA) -> %#lx, dst %#lx (decoy GPA) -> %#lx",
		    (unsigned long)iova_src, (unsigned long)virt_to_phys(src),
		    (unsigned long)iova_dst, (unsigned long)virt_to_phys(DST));
	st = viommu_attach(&vi, D1, ep, 0);
	if (!report(st == VIRTIO_IOMMU_S_OK, "dma: ATTACH the edu to domain %u: OK (%s)", D1,
		    sname(st)))
		return false;
	st = viommu_map(&vi, D1, iova_src, iova_src + PAGE - 1, virt_to_phys(src),
			VIRTIO_IOMMU_MAP_F_READ);
	report(st == VIRTIO_IOMMU_S_OK, "dma: MAP source IOVA %#lx read-only: OK (%s)",
	       (unsigned long)iova_src, sname(st));
	st = viommu_map(&vi, D1, iova_dst, iova_dst + PAGE - 1, virt_to_phys(DST), rw);
	report(st == VIRTIO_IOMMU_S_OK, "dma: MAP destination IOVA %#lx read-write: OK (%s)",
	       (unsigned long)iova_dst, sname(st));
	edu_bus_master(&e, true);

	fill_random(src, PAGE);
	memcpy(want, src, PAGE);
	fill_pages(0);
	rc = edu_dma(&e, EDU_RAM_TO_DEV, iova_src, 0, LEN, false, DMA_WAIT);
	report(rc == 0, "dma: RAM -> device, %u bytes from IOVA %#lx: %s", LEN,
	       (unsigned long)iova_src, dma_name(rc));
	rc = edu_dma(&e, EDU_DEV_TO_RAM, iova_dst, 0, LEN, false, DMA_WAIT);
	report(rc == 0, "dma: device -> RAM, %u bytes to IOVA %#lx: %s", LEN,
	       (unsigned long)iova_dst, dma_name(rc));
	report(!memcmp(DST, want, LEN), "dma: the random pattern landed at the mapped GPA %#lx",
	       (unsigned long)virt_to_phys(DST));
	report(DST[LEN] == 0, "dma: the byte after the transfer is untouched");
	report(others_intact(), "dma: the decoys (GPA = IOVA) and the guard pages are intact");
	report(!memcmp(src, want, PAGE), "dma: the source page is unchanged");

	/* Part of the buffer to an offset in the page. */
	memset(DST, 0, PAGE);
	rc = edu_dma(&e, EDU_DEV_TO_RAM, iova_dst + 0x300, 0x800, 256, false, DMA_WAIT);
	report(rc == 0 && !memcmp(DST + 0x300, want + 0x800, 256) && filled(DST, 0, 0x300) &&
		       filled(DST + 0x400, 0, PAGE - 0x400),
	       "dma: 256 bytes from buffer offset 0x800 land at IOVA %#lx + 0x300 and nowhere "
	       "else (%s)",
	       (unsigned long)iova_dst, dma_name(rc));
	report(others_intact(), "dma: decoys and guard pages still intact");
	return true;
}

/* ---- msi ---------------------------------------------------------------------- */

static void check_msi(void)
{
	uint32_t dest = lapic_id();
	uint64_t base;
	struct msi m;
	uint32_t st;
	int rc;

	if (!report(msi_init(&m, e.pci.bdf) == 0, "msi: the edu has an MSI capability"))
		return;
	report_info("MSI at %#x: control %#x (%s, %u vector(s), per-vector masking %s)", m.cap,
		    m.flags, m.is64 ? "64-bit" : "32-bit", m.nr_vec, m.maskbit ? "yes" : "no");
	report(!(m.flags & PCI_MSI_FLAGS_ENABLE), "msi: disabled at start (control %#x)", m.flags);
	/* Firmware may leave the 8259s with the PIT unmasked, its IRQ 0 on
	 * vector 8 (SeaBIOS does, for the QEMU control): this guest uses the
	 * LAPIC only, so both PICs are masked before interrupts go on. */
	outb(PIC1_DATA, 0xff);
	outb(PIC2_DATA, 0xff);
	msix_vector_install(vector);
	msi_set_message(&m, dest, vector);
	report(msi_addr_lo(&m) == (MSI_ADDR_BASE | MSI_ADDR_DEST(dest)) && msi_data(&m) == vector,
	       "msi: message reads back address %#x data %#x", msi_addr_lo(&m), msi_data(&m));
	msi_mask(&m, false);
	msi_enable(&m, true);
	report(msi_control(&m) & PCI_MSI_FLAGS_ENABLE, "msi: MSI Enable sticks (control %#x)",
	       msi_control(&m));
	edu_write(&e, EDU_IRQ_ACK, ~0u);
	irq_enable();

	/* An interrupt raised through the register. */
	base = msix_vector_count(vector);
	edu_write(&e, EDU_IRQ_RAISE, 0x10000);
	report(msix_vector_wait(vector, base + 1, IRQ_WAIT),
	       "msi: an interrupt raised through 0x60 arrives on vector %#x (APIC ID %u)", vector,
	       dest);
	st = edu_read(&e, EDU_IRQ_STATUS);
	report(st == 0x10000, "msi: interrupt status reads the raised bit (%#x)", st);
	edu_write(&e, EDU_IRQ_ACK, st);
	report(edu_read(&e, EDU_IRQ_STATUS) == 0, "msi: acknowledging clears it");

	/* The end of a DMA. */
	base = msix_vector_count(vector);
	rc = edu_dma(&e, EDU_DEV_TO_RAM, iova_dst, 0, LEN, true, DMA_WAIT);
	report(rc == 0 && msix_vector_wait(vector, base + 1, IRQ_WAIT),
	       "msi: a DMA with the interrupt bit: done (%s), its interrupt arrives", dma_name(rc));
	st = edu_read(&e, EDU_IRQ_STATUS);
	report(st == EDU_IRQ_DMA, "msi: interrupt status says DMA (%#x)", st);
	edu_write(&e, EDU_IRQ_ACK, st);
	delay_us(QUIET_US);
	report(msix_vector_count(vector) == base + 1, "msi: exactly one interrupt per DMA (%lu)",
	       (unsigned long)(msix_vector_count(vector) - base));

	/* Per-vector masking holds the message until unmasked. */
	if (m.maskbit) {
		bool early, pend;

		msi_mask(&m, true);
		base = msix_vector_count(vector);
		edu_write(&e, EDU_IRQ_RAISE, 0x20000);
		delay_us(QUIET_US);
		early = msix_vector_count(vector) != base;
		pend = msi_pending(&m);
		msi_mask(&m, false);
		report(!early, "msi: no interrupt while the vector is masked");
		kcheck(pend, "msi_pending",
		       "PCI Local Bus 3.0 6.8.3.4 (a masked vector sets its Pending bit)",
		       "msi: the Pending bit is set while the masked vector holds an interrupt");
		report(msix_vector_wait(vector, base + 1, IRQ_WAIT),
		       "msi: unmasking delivers the held interrupt");
		edu_write(&e, EDU_IRQ_ACK, ~0u);
	} else {
		report_skip("msi: masking: the capability has no per-vector masking");
	}
	irq_disable();
	msi_enable(&m, false);
	msix_vector_remove(vector);
}

/* ---- unmap -------------------------------------------------------------------- */

static void check_unmap(void)
{
	const uint32_t rw = VIRTIO_IOMMU_MAP_F_READ | VIRTIO_IOMMU_MAP_F_WRITE;
	int st, rc;

	st = viommu_unmap(&vi, D1, iova_dst, iova_dst + PAGE - 1);
	report(st == VIRTIO_IOMMU_S_OK, "unmap: UNMAP the destination IOVA %#lx: OK (%s)",
	       (unsigned long)iova_dst, sname(st));
	fill_pages(0x77);
	report_info("EDU-DMAR write %#lx", (unsigned long)iova_dst);
	rc = edu_dma(&e, EDU_DEV_TO_RAM, iova_dst, 0, LEN, false, DMA_WAIT);
	report(rc == 0, "unmap: the device's write to the unmapped IOVA ends (%s)", dma_name(rc));
	report(filled(DST, 0x77, PAGE), "unmap: the formerly mapped page keeps its fill");
	report(others_intact(), "unmap: the decoy at GPA = IOVA and the guard pages are intact");

	/* A read: the buffer first gets a known fill from a mapped page, then
	 * the device reads the unmapped source IOVA, then writes its buffer
	 * to the mapped page: none of the source's new bytes may show. */
	memset(chk, 0x3c, PAGE);
	st = viommu_map(&vi, D1, iova_chk, iova_chk + PAGE - 1, virt_to_phys(chk), rw);
	rc = st == VIRTIO_IOMMU_S_OK
		     ? edu_dma(&e, EDU_RAM_TO_DEV, iova_chk, 0, LEN, false, DMA_WAIT)
		     : EDU_E_RANGE;
	report(rc == 0,
	       "unmap: MAP a check page at %#lx (%s) and load the device's buffer from "
	       "it (%s)",
	       (unsigned long)iova_chk, sname(st), dma_name(rc));
	st = viommu_unmap(&vi, D1, iova_src, iova_src + PAGE - 1);
	report(st == VIRTIO_IOMMU_S_OK, "unmap: UNMAP the source IOVA %#lx: OK (%s)",
	       (unsigned long)iova_src, sname(st));
	fill_random(src, PAGE);
	report_info("EDU-DMAR read %#lx", (unsigned long)iova_src);
	rc = edu_dma(&e, EDU_RAM_TO_DEV, iova_src, 0, LEN, false, DMA_WAIT);
	report(rc == 0, "unmap: the device's read of the unmapped IOVA ends (%s)", dma_name(rc));
	memset(chk, 0, PAGE);
	rc = edu_dma(&e, EDU_DEV_TO_RAM, iova_chk, 0, LEN, false, DMA_WAIT);
	report_info("the buffer after the blocked read starts %02x %02x %02x %02x", chk[0], chk[1],
		    chk[2], chk[3]);
	report(rc == 0 && memcmp(chk, src, 64) && !filled(chk, 0x5c, LEN),
	       "unmap: the blocked read brought in neither the page nor the decoy (GPA = IOVA)");
	viommu_unmap(&vi, D1, iova_chk, iova_chk + PAGE - 1);
}

/* ---- limit -------------------------------------------------------------------- */

/* maplimit=N: the host container takes N mappings (vfio_iommu_type1's
 * dma_entry_limit, lowered by the scenario). The source and destination
 * of check_dma hold two; single-page MAPs at IOVAs two pages apart (never
 * adjacent) fill the rest. Each guest MAP is one host mapping, so exactly
 * N - 2 must succeed; every later one must fail (and leave no mapping a
 * DMA could use), and freeing one makes room for one. */
static void check_limit(uint64_t limit)
{
	const uint32_t rw = VIRTIO_IOMMU_MAP_F_READ | VIRTIO_IOMMU_MAP_F_WRITE;
	const uint64_t base = 0x1000000, tries = limit + 4;
	uint64_t ok = 0, refused = 0, late_ok = 0, last_ok = 0, first_refused = 0;
	int st, first_st = VIRTIO_IOMMU_S_OK, rc;

	for (uint64_t i = 0; i < tries; i++) {
		uint64_t iova = base + i * 2 * PAGE;

		st = viommu_map(&vi, D1, iova, iova + PAGE - 1, virt_to_phys(DST), rw);
		if (st == VIRTIO_IOMMU_S_OK) {
			ok++;
			last_ok = iova;
			late_ok += refused != 0;
		} else if (!refused++) {
			first_refused = iova;
			first_st = st;
		}
	}
	report(ok == limit - 2,
	       "limit: %lu of %lu MAPs accepted (the host's %lu mappings less the "
	       "2 in use)",
	       (unsigned long)ok, (unsigned long)tries, (unsigned long)limit);
	report(refused && !late_ok, "limit: the first refused MAP (%s) and every later one fail",
	       sname(first_st));
	if (!refused || !ok)
		goto out;
	fill_pages(0);
	rc = edu_dma(&e, EDU_DEV_TO_RAM, last_ok, 0, LEN, false, DMA_WAIT);
	report(rc == 0 && !memcmp(DST, want, LEN),
	       "limit: DMA through the last accepted mapping %#lx lands (%s)",
	       (unsigned long)last_ok, dma_name(rc));
	fill_pages(0x77);
	report_info("EDU-DMAR write %#lx", (unsigned long)first_refused);
	rc = edu_dma(&e, EDU_DEV_TO_RAM, first_refused, 0, LEN, false, DMA_WAIT);
	report(rc == 0 && filled(DST, 0x77, PAGE) && others_intact(),
	       "limit: DMA to the refused IOVA %#lx reaches no memory (%s)",
	       (unsigned long)first_refused, dma_name(rc));
	st = viommu_unmap(&vi, D1, last_ok, last_ok + PAGE - 1);
	report(st == VIRTIO_IOMMU_S_OK, "limit: UNMAP one accepted mapping: OK (%s)", sname(st));
	st = viommu_map(&vi, D1, first_refused, first_refused + PAGE - 1, virt_to_phys(DST), rw);
	report(st == VIRTIO_IOMMU_S_OK, "limit: the refused IOVA maps now: OK (%s)", sname(st));
	fill_pages(0);
	rc = edu_dma(&e, EDU_DEV_TO_RAM, first_refused, 0, LEN, false, DMA_WAIT);
	report(rc == 0 && !memcmp(DST, want, LEN) && others_intact(),
	       "limit: and DMA through it lands (%s)", dma_name(rc));
out:
	st = viommu_unmap(&vi, D1, base, base + tries * 2 * PAGE - 1);
	report(st == VIRTIO_IOMMU_S_OK, "limit: UNMAP them all: OK (%s)", sname(st));
}

/* ---- resv --------------------------------------------------------------------- */

static void check_resv(void)
{
	const uint32_t rw = VIRTIO_IOMMU_MAP_F_READ | VIRTIO_IOMMU_MAP_F_WRITE;
	int st;

	st = viommu_map(&vi, D1, MSI_START, MSI_START + PAGE - 1, virt_to_phys(chk), rw);
	kcheck(st == VIRTIO_IOMMU_S_RANGE, "map_resv",
	       "virtio 1.2 5.13.6.8.1.2 (SHOULD reject a MAP overlapping RESV_MEM)",
	       "resv: MAP at 0xfee00000 (the MSI window) is refused: RANGE (%s)", sname(st));
	if (st == VIRTIO_IOMMU_S_OK)
		viommu_unmap(&vi, D1, MSI_START, MSI_START + PAGE - 1);
	for (unsigned i = 0; i < nr_props; i++) {
		uint64_t s = props[i].start & ~(uint64_t)(PAGE - 1);

		if (props[i].subtype != VIRTIO_IOMMU_RESV_MEM_T_RESERVED ||
		    s > vi.cfg.input_range.end)
			continue;
		st = viommu_map(&vi, D1, s, s + PAGE - 1, virt_to_phys(chk), rw);
		kcheck(st == VIRTIO_IOMMU_S_RANGE, "map_resv",
		       "virtio 1.2 5.13.6.8.1.2 (SHOULD reject a MAP overlapping RESV_MEM)",
		       "resv: MAP at %#lx (RESERVED in PROBE) is refused: RANGE (%s)",
		       (unsigned long)s, sname(st));
		if (st == VIRTIO_IOMMU_S_OK)
			viommu_unmap(&vi, D1, s, s + PAGE - 1);
	}
}

int main(void)
{
	uint64_t limit;
	int st;

	known_init();
	quick = cmdline_has("quick");
	rng = cmdline_u64("seed", 0) ?: rdtsc() | 1;
	vector = (uint8_t)cmdline_u64("vector", 0x5b);
	src = virtio_alloc(PAGE, PAGE);
	area = virtio_alloc(3 * PAGE, PAGE);
	decoy_src = virtio_alloc(PAGE, PAGE);
	decoy_dst = virtio_alloc(PAGE, PAGE);
	chk = virtio_alloc(PAGE, PAGE);
	want = virtio_alloc(PAGE, PAGE);
	if (!check_pci() || !check_viommu() || !check_dma())
		return 1;
	if (cmdline_get_u64("maplimit", &limit) && limit > 2)
		check_limit(limit);
	if (!quick) {
		check_msi();
		check_unmap();
		check_resv();
	}
	edu_bus_master(&e, false);
	viommu_unmap(&vi, D1, 0, EDU_DMA_MASK);
	st = viommu_detach(&vi, D1, ep);
	report_info("DETACH the edu: %s", sname(st));
	virtio_reset(&vi.dev);
	return 0;
}
