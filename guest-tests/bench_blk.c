// SPDX-License-Identifier: MIT
/* virtio-blk read benchmark (bench/blk.sh boots it under build/vmm and under
 * QEMU on the same image). From CPL3, polling the used ring, interrupts off
 * (no MSI-X vector), notifications through the notify MMIO register:
 *
 *   randread_4k_qd1   4 KiB reads at random 4 KiB-aligned offsets, 1 in flight
 *   randread_4k_qd32  the same with 32 in flight
 *   seqread_128k      128 KiB reads in order over the whole disk (wrapping),
 *                     seq_qd in flight
 *
 * Queue depth is kept up as completions arrive: every pass over the used
 * ring refills the free slots and notifies once, unless the device set
 * VRING_USED_F_NO_NOTIFY (what Linux does without EVENT_IDX). Offsets come
 * from a fixed-seed PRNG, so both backends read the same sequence. Data
 * buffers are split into segments of min(4 KiB, size_max), as a driver with
 * scattered 4 KiB pages would give them, so both backends see the same
 * chains.
 *
 * The guest reports raw TSC cycles; wall-clock rates are the runner's job.
 * It prints, for the runner to time-stamp on arrival, two lines of equal
 * length around all the phases ("BENCHDATA mark0/mark1 tsc=...") so the TSC
 * rate can be measured against the host clock, and one line per phase and
 * round (the phases run rounds= times in turn, so that a burst of host
 * noise hits one sample rather than a whole phase):
 *   BENCHDATA NAME round=K reqs=N bytes=B cycles=C qd=Q bs=S
 *
 * Command line (all optional): qd1_reqs=, qd32_reqs=, seq_bytes=, seq_qd=,
 * rounds=, warm_reqs= (untimed requests before each phase), sum0= (CRC-32
 * of the disk's first 128 KiB, checked before timing). A phase given 0
 * requests is left out (no warm-up, no BENCHDATA line).
 *
 * iommu=1: the disk sits behind a virtio-iommu (build/vmm --iommu virtio;
 * QEMU virtio-iommu-pci with iommu_platform=on). Before the disk is set up
 * the guest attaches its endpoint to a domain and maps, with one MAP, a
 * window over the whole image (rings, headers, status bytes and data
 * buffers all live in it) at an IOVA away from guest RAM (64 GiB when the
 * input range has it): IOVA = window + (GPA - image start). The loop is
 * then the same, with IOVAs in every descriptor and ring register; the
 * device translates every access, the guest sends no further requests.
 * A device that bypassed the IOMMU would miss RAM and fail the checks.
 *
 * vtd=1: the disk sits behind an Intel VT-d unit (build/vmm --iommu intel;
 * QEMU q35 with -device intel-iommu and iommu_platform=on). The guest gives
 * the disk a context entry on 3-level second-level tables and turns
 * translation on (queued invalidation, as Linux uses); each page the
 * device is handed is mapped at IOVA = GPA + VTD_OFFSET on first use (and
 * invalidated then, when CAP.CM asks) and stays mapped, so the timed loop
 * sends no invalidation: every ring and buffer access is translated. */
#include "guest.h"
#include "viommu_dma.h"
#include "viommu_test.h"
#include "virtio_blk.h"
#include "vtd.h"
#include "vtd_vdma.h"

#define WANT                                                                                       \
	(BIT_ULL(VIRTIO_BLK_F_SEG_MAX) | BIT_ULL(VIRTIO_BLK_F_SIZE_MAX) |                          \
	 BIT_ULL(VIRTIO_BLK_F_BLK_SIZE))
#define SEG_BYTES  4096u
#define RAND_BS	   4096u
#define SEQ_BS	   (128u * 1024)
#define MAX_SLOTS  64u
#define DATA_BYTES (1024u * 1024) /* max qd * bs */
#define MAX_SEGS   (SEQ_BS / 512) /* with size_max as small as one sector */
#define POISON	   0xdeadbeefcafef00dull
#define STALL_MS   5000 /* no completion for this long: give up */
#define IOMMU_DOM  1u
#define VTD_DID	   1u
#define VTD_OFFSET 0x4000000000ull /* 256 GiB: IOVAs away from RAM, below 2^39 */

struct slot {
	struct virtio_blk_outhdr hdr;
	uint8_t status;
};

static struct virtio_pci disk;
static struct virtq *vq;
static struct slot *slots; /* DMA memory (virtio pool) */
static uint8_t data[DATA_BYTES] __attribute__((aligned(4096)));
static uint8_t head_slot[VIRTQ_MAX_SIZE];
static uint64_t capacity; /* sectors */
static uint32_t seg_bytes = SEG_BYTES;
static struct viommu vi;	 /* iommu=1 */
static struct viommu_dma window; /* iommu=1: the disk's DMA ops */
static struct vtd vt;		 /* vtd=1 */
static struct vtd_pt vpt;
static struct vtd_vdma vdma; /* vtd=1: the disk's DMA ops */

struct job {
	const char *name;
	unsigned qd;
	uint32_t bs;
	bool seq;
	uint64_t reqs;
};

struct job_state {
	const struct job *j;
	uint64_t rng;	   /* xorshift64* state (random jobs) */
	uint64_t next_seq; /* next request number (sequential jobs) */
	uint64_t errors;
	uint8_t free[MAX_SLOTS];
	unsigned nfree;
};

static uint64_t next_sector(struct job_state *s)
{
	uint64_t per = s->j->bs / VBLK_SECTOR, blocks = capacity / per;

	if (s->j->seq)
		return s->next_seq++ % blocks * per;
	s->rng ^= s->rng >> 12;
	s->rng ^= s->rng << 25;
	s->rng ^= s->rng >> 27;
	return (s->rng * 0x2545f4914f6cdd1dull >> 11) % blocks * per;
}

static uint8_t *slot_data(const struct job_state *s, unsigned i)
{
	return data + (size_t)i * s->j->bs;
}

static void submit(struct job_state *s)
{
	struct virtq_buf b[MAX_SEGS + 2];
	unsigned i = s->free[--s->nfree], n = 0;
	uint32_t bs = s->j->bs;
	uint8_t *buf = slot_data(s, i);
	uint16_t head;

	slots[i].hdr =
		(struct virtio_blk_outhdr){.type = VIRTIO_BLK_T_IN, .sector = next_sector(s)};
	slots[i].status = VBLK_NO_STATUS;
	/* Poisoned ends: the device must overwrite them. */
	*(volatile uint64_t *)buf = POISON;
	*(volatile uint64_t *)(buf + bs - 8) = POISON;
	b[n++] = (struct virtq_buf){&slots[i].hdr, sizeof(slots[i].hdr)};
	for (uint32_t off = 0; off < bs; off += seg_bytes)
		b[n++] = (struct virtq_buf){buf + off, seg_bytes};
	b[n++] = (struct virtq_buf){&slots[i].status, 1};
	if (virtq_add(vq, b, 1, n - 1, &head))
		report_bail("%s: virtq_add failed (%u free descriptors)", s->j->name, vq->nr_free);
	head_slot[head] = (uint8_t)i;
}

static void kick(void)
{
	__sync_synchronize(); /* avail idx before reading the device's flags */
	if (!(READ_ONCE(vq->used->flags) & VRING_USED_F_NO_NOTIFY))
		virtq_kick(vq);
}

static void complete(struct job_state *s, uint16_t head)
{
	unsigned i = head_slot[head];
	uint8_t *buf = slot_data(s, i);

	if (READ_ONCE(slots[i].status) != VIRTIO_BLK_S_OK || *(volatile uint64_t *)buf == POISON ||
	    *(volatile uint64_t *)(buf + s->j->bs - 8) == POISON)
		s->errors++;
	s->free[s->nfree++] = (uint8_t)i;
}

/* Issue n requests of job j, keeping qd in flight; returns TSC cycles. */
static uint64_t run(struct job_state *s, uint64_t n)
{
	uint64_t issued = 0, done = 0, t0, stall = tsc_khz() * STALL_MS, last;
	uint16_t head;
	uint32_t len;

	t0 = last = rdtsc();
	while (done < n) {
		bool added = false;

		while (issued < n && s->nfree) {
			submit(s);
			issued++;
			added = true;
		}
		if (added)
			kick();
		while (!virtq_get(vq, &head, &len)) {
			cpu_relax();
			if (rdtsc() - last > stall)
				report_bail("%s: no completion for %u ms (%lu of %lu done)",
					    s->j->name, STALL_MS, (unsigned long)done,
					    (unsigned long)n);
		}
		do {
			complete(s, head);
			done++;
		} while (virtq_get(vq, &head, &len));
		last = rdtsc();
	}
	return rdtsc() - t0;
}

static void job_run(const struct job *j, unsigned round, uint64_t warm)
{
	struct job_state s = {.j = j, .rng = 0x9e3779b97f4a7c15ull};
	uint64_t cycles;

	if (!j->reqs)
		return;
	for (unsigned i = 0; i < j->qd; i++)
		s.free[s.nfree++] = (uint8_t)i;
	if (warm)
		run(&s, warm);
	s.errors = 0;
	cycles = run(&s, j->reqs);
	report(s.errors == 0, "%s round %u: %lu requests, all OK with data written", j->name, round,
	       (unsigned long)j->reqs);
	printf("BENCHDATA %s round=%u reqs=%lu bytes=%lu cycles=%lu qd=%u bs=%u\n", j->name, round,
	       (unsigned long)j->reqs, (unsigned long)(j->reqs * j->bs), (unsigned long)cycles,
	       j->qd, j->bs);
}

/* CRC-32 of the first SEQ_BS bytes of the disk against sum0=. */
static void check_sum(void)
{
	struct job j = {.name = "sum0", .qd = 1, .bs = SEQ_BS, .seq = true, .reqs = 1};
	struct job_state s = {.j = &j, .free = {0}, .nfree = 1};
	uint64_t want;
	uint32_t got;

	run(&s, 1);
	got = crc32(data, SEQ_BS);
	if (cmdline_get_u64("sum0", &want))
		report(s.errors == 0 && got == want, "first %u KiB: CRC-32 %#x (sum0=%#lx)",
		       SEQ_BS / 1024, got, (unsigned long)want);
	else
		report_skip("no sum0= to check the first %u KiB against (%#x)", SEQ_BS / 1024, got);
}

/* iommu=1: find the IOMMU and the disk's endpoint, attach it, map the
 * image at an IOVA window and point the disk's DMA ops at it. The disk is
 * found (virtio_pci_open) but not yet negotiated. */
static bool iommu_setup(void)
{
	const uint32_t rw = VIRTIO_IOMMU_MAP_F_READ | VIRTIO_IOMMU_MAP_F_WRITE;
	uint64_t lo, hi, iova;
	uint32_t ep = 0;
	bool found;
	int st;

	if (!report(pci_init() == 0 && viommu_open(&vi, VIOMMU_WANT) == 0,
		    "iommu=1: virtio-iommu found and set up"))
		return false;
	found = virtio_pci_open(&disk, VIRTIO_ID_BLOCK, 0) == 0 &&
		viot_endpoint(&vi.viot, disk.pci.bdf, &ep);
	if (!report(found, "iommu=1: virtio-blk %02x.%u behind it, endpoint %#x",
		    PCI_BDF_DEV(disk.pci.bdf), PCI_BDF_FN(disk.pci.bdf), ep))
		return false;
	st = viommu_attach(&vi, IOMMU_DOM, ep, 0);
	if (!report(st == VIRTIO_IOMMU_S_OK, "iommu=1: ATTACH to domain %u (%s)", IOMMU_DOM,
		    viommu_status_name(st)))
		return false;
	lo = image_start() & ~(uint64_t)(vi.granule - 1);
	hi = (image_end() + vi.granule - 1) & ~(uint64_t)(vi.granule - 1);
	iova = vt_iova_region(&vi, hi - lo);
	st = iova ? viommu_map(&vi, IOMMU_DOM, iova, iova + (hi - lo) - 1, lo, rw) : -1;
	if (!report(st == VIRTIO_IOMMU_S_OK, "iommu=1: MAP IOVA %#lx-%#lx -> image %#lx (%s)",
		    (unsigned long)iova, (unsigned long)(iova + (hi - lo) - 1), (unsigned long)lo,
		    iova ? viommu_status_name(st) : "no IOVA region"))
		return false;
	viommu_dma_window(&window, &vi, IOMMU_DOM, lo, hi - lo, iova);
	disk.dma = &window.ops;
	return true;
}

/* vtd=1: the DMAR's unit, the disk behind it on its own tables, queued
 * invalidation and translation on. The disk is found, not negotiated. */
static bool vtd_setup(void)
{
	struct vtd_drhd d;

	if (!report(pci_init() == 0 && vtd_dmar_find(&d) == 0 && vtd_init(&vt, d.base) == 0,
		    "vtd=1: the DMAR's unit found and set up"))
		return false;
	if (!report(VTD_CAP_SAGAW(vt.cap) & VTD_SAGAW_39, "vtd=1: 3-level tables (SAGAW %#x)",
		    VTD_CAP_SAGAW(vt.cap)) ||
	    !report(vtd_qi_enable(&vt), "vtd=1: queued invalidation on"))
		return false;
	if (!report(virtio_pci_open(&disk, VIRTIO_ID_BLOCK, 0) == 0 &&
			    vtd_drhd_covers(&d, disk.pci.bdf),
		    "vtd=1: virtio-blk %02x.%u behind it", PCI_BDF_DEV(disk.pci.bdf),
		    PCI_BDF_FN(disk.pci.bdf)))
		return false;
	vtd_pt_init(&vpt, 3);
	vtd_vdma_init(&vdma, &vt, &vpt, VTD_DID, VTD_OFFSET);
	vtd_ctx_map(&vt, (uint8_t)disk.pci.bdf, VTD_DID, vpt.pgd, vpt.levels, false);
	if (!report(vtd_flush_ctx(&vt) && vtd_flush_iotlb(&vt) &&
			    vtd_command(&vt, DMA_GCMD_TE, true),
		    "vtd=1: context entry in domain %u, translation on", VTD_DID))
		return false;
	disk.dma = &vdma.ops;
	return true;
}

int main(void)
{
	uint64_t warm = cmdline_u64("warm_reqs", 256), rounds = cmdline_u64("rounds", 1);
	struct job jobs[] = {
		{"randread_4k_qd1", 1, RAND_BS, false, cmdline_u64("qd1_reqs", 4000)},
		{"randread_4k_qd32", 32, RAND_BS, false, cmdline_u64("qd32_reqs", 20000)},
		{"seqread_128k", (unsigned)cmdline_u64("seq_qd", 4), SEQ_BS, true,
		 cmdline_u64("seq_bytes", 512ull << 20) / SEQ_BS},
	};
	uint32_t seg_max = 0, size_max = 0;
	bool iommu = cmdline_u64("iommu", 0) != 0, vtd = cmdline_u64("vtd", 0) != 0;

	if (vtd) {
		if (!vtd_setup() ||
		    !report(virtio_init(&disk, WANT, 1) == 0, "virtio-blk set up (DRIVER_OK)"))
			return 1;
		report(disk.features & BIT_ULL(VIRTIO_F_ACCESS_PLATFORM),
		       "vtd=1: ACCESS_PLATFORM negotiated");
		report(disk.vq[0].desc_iova >= VTD_OFFSET && !vdma.errors,
		       "vtd=1: ring addresses are IOVAs (desc %#lx)",
		       (unsigned long)disk.vq[0].desc_iova);
	} else if (iommu) {
		if (!iommu_setup() ||
		    !report(virtio_init(&disk, WANT, 1) == 0, "virtio-blk set up (DRIVER_OK)"))
			return 1;
		report(disk.features & BIT_ULL(VIRTIO_F_ACCESS_PLATFORM),
		       "iommu=1: ACCESS_PLATFORM negotiated");
		report(disk.vq[0].desc_iova >= window.base &&
			       disk.vq[0].used_iova < window.base + window.size &&
			       window.errors == 0,
		       "iommu=1: ring addresses are IOVAs in the window (desc %#lx)",
		       (unsigned long)disk.vq[0].desc_iova);
	} else if (!report(vblk_open(&disk, 0, WANT) == 0, "virtio-blk set up (DRIVER_OK)")) {
		return 1;
	}
	vq = &disk.vq[0];
	slots = virtio_alloc(sizeof(*slots) * MAX_SLOTS, 64);
	capacity = vblk_capacity(&disk);
	if (disk.features & BIT_ULL(VIRTIO_BLK_F_SIZE_MAX))
		size_max =
			virtio_cfg32(&disk, __builtin_offsetof(struct virtio_blk_config, size_max));
	if (disk.features & BIT_ULL(VIRTIO_BLK_F_SEG_MAX))
		seg_max =
			virtio_cfg32(&disk, __builtin_offsetof(struct virtio_blk_config, seg_max));
	while (size_max && seg_bytes > size_max && seg_bytes > VBLK_SECTOR)
		seg_bytes /= 2;
	report_info("virtio-blk at %02x.%u: %lu sectors, queue size %u, seg_max %u, "
		    "size_max %u, segments of %u bytes, TSC %lu kHz (%s)",
		    PCI_BDF_DEV(disk.pci.bdf), PCI_BDF_FN(disk.pci.bdf), (unsigned long)capacity,
		    vq->size, seg_max, size_max, seg_bytes, (unsigned long)tsc_khz(),
		    tsc_khz_known() ? "CPUID at CPL3" : "guessed");
	if (!report(capacity >= 2 * SEQ_BS / VBLK_SECTOR, "disk holds at least %u KiB",
		    2 * SEQ_BS / 1024))
		return 1;
	for (unsigned k = 0; k < sizeof(jobs) / sizeof(jobs[0]); k++) {
		const struct job *j = &jobs[k];
		unsigned chain = 2 + j->bs / seg_bytes;

		if (j->reqs &&
		    !report(j->qd >= 1 && j->qd <= MAX_SLOTS &&
				    (uint64_t)j->qd * j->bs <= DATA_BYTES &&
				    j->qd * chain <= vq->size && (!seg_max || chain - 2 <= seg_max),
			    "%s: %u x %u descriptors fit the queue and the buffers", j->name, j->qd,
			    chain))
			return 1;
	}
	check_sum();

	printf("BENCHDATA mark0 tsc=%020lu\n", (unsigned long)rdtsc());
	for (unsigned r = 1; r <= rounds; r++)
		for (unsigned k = 0; k < sizeof(jobs) / sizeof(jobs[0]); k++)
			job_run(&jobs[k], r, warm);
	printf("BENCHDATA mark1 tsc=%020lu\n", (unsigned long)rdtsc());

	if (iommu)
		report(window.errors == 0, "iommu=1: no buffer fell outside the window");
	if (vtd)
		report(!vdma.errors && !vtd_fault_find(&vt, 0, 0, NULL),
		       "vtd=1: no mapping error, no fault recorded (%u pages mapped)", vdma.maps);
	virtio_reset(&disk);
	pci_command(disk.pci.bdf, 0, PCI_COMMAND_MASTER);
	if (iommu)
		virtio_reset(&vi.dev);
	if (vtd)
		(void)vtd_command(&vt, DMA_GCMD_TE, false);
	return 0;
}
