// SPDX-License-Identifier: MIT
/* Malformed virtqueue chains and driver mistakes against virtio-blk and
 * virtio-rng. Each case runs on a freshly initialised device and must end
 * in a device-level error: an IOERR/UNSUPP status, a used length of 0, or
 * DEVICE_NEEDS_RESET in device_status (virtio 1.2, 2.1.2). Then the VM must
 * still run and a normal request must succeed (after a device reset when
 * the device asked for one).
 *
 * A case the backend under test is known to get wrong is named in
 * known=ID,ID on the command line (the runner's list, per backend); it is
 * then recorded as "# SKIP departs from ..." with the reference instead of
 * failing, and every other case stays strict. The departures, and which
 * side departs from what:
 *  - mmio_lapic, mmio_hole: a device read of the interrupt address range
 *    (0xfee00000: a DMA read there is not a memory read on x86; the Intel
 *    VT-d spec treats it as an unsupported request) or of an address no
 *    BAR claims (PCIe 2.3.1: Unsupported Request) cannot return data, so
 *    the device must fail the request. QEMU 7.2 reads through a bounce
 *    buffer, ignores the access result, writes the bytes to the disk and
 *    reports OK: QEMU departs from the PCIe / x86 platform rules.
 *  - qsize: virtio 1.2 2.7: for a split virtqueue "Queue Size value is
 *    always a power of 2". QEMU 7.2 stores any queue_size up to its
 *    maximum and runs the ring with it (virtio_queue_set_num has no power
 *    of two check): QEMU departs from 2.7.
 *  - early_blk: virtio 1.2 2.1.2: "The device MUST NOT consume buffers or
 *    send any used buffer notifications to the driver before DRIVER_OK."
 *    QEMU 7.2's virtio-blk processes a notified queue whatever the status
 *    (its virtio-rng checks DRIVER_OK): QEMU departs from 2.1.2. */
#include "guest.h"
#include "known.h"
#include "virtio_blk.h"

#define WANT	     BIT_ULL(VIRTIO_RING_F_INDIRECT_DESC)
#define CASE_WAIT_US 500000
#define POLL_GAP_US  500
#define DATA_BYTES   (64u * 1024)
#define HOLE_PROBE   0x10000ull

enum outcome {
	O_IOERR,       /* status byte IOERR */
	O_UNSUPP,      /* status byte UNSUPP */
	O_LEN0,	       /* used, length 0 (status not written) */
	O_NEEDS_RESET, /* DEVICE_NEEDS_RESET set */
	O_OK,	       /* accepted: status OK / bytes returned */
	O_SILENT,      /* nothing within CASE_WAIT_US */
	O_PASS,	       /* special cases: the device behaved as required */
	O_FAIL,	       /* special cases: it did not */
};

static const char *const outcome_names[] = {
	"IOERR status",	 "UNSUPP status", "used len 0",	 "DEVICE_NEEDS_RESET",
	"accepted (OK)", "no reaction",	  "as required", "not as required",
};

struct req_mem {
	struct virtio_blk_outhdr hdr;
	uint8_t status;
};

static struct virtio_pci blk, rng;
static struct req_mem *rm;
static uint8_t *data;
static struct vring_desc *tables;
static iova_t tables_iova;

struct hcase {
	const char *id;
	const char *what;
	bool on_rng;
	enum outcome (*run)(struct virtio_pci *d);
	const char *rule; /* what a backend that gets it wrong departs from */
};

#define R_DEVERR "virtio 1.2 2.1.2 and 2.7.5.2: a device-level error"
#define R_UR	 "PCIe 2.3.1 / VT-d: a read no one claims is an Unsupported Request"

static uint64_t phys(const void *p)
{
	return virt_to_phys(p);
}

static int fresh(struct virtio_pci *d)
{
	return virtio_init(d, WANT, 1);
}

/* Wait for the first reaction to whatever was published. */
static enum outcome react(struct virtio_pci *d, bool blk_status, uint32_t *used_len)
{
	uint64_t end = time_us() + CASE_WAIT_US;
	uint16_t head;

	*used_len = 0;
	do {
		if (virtq_get(&d->vq[0], &head, used_len)) {
			uint8_t st = READ_ONCE(rm->status);

			if (blk_status && st == VIRTIO_BLK_S_IOERR)
				return O_IOERR;
			if (blk_status && st == VIRTIO_BLK_S_UNSUPP)
				return O_UNSUPP;
			if (blk_status && st == VIRTIO_BLK_S_OK)
				return O_OK;
			return *used_len == 0 ? O_LEN0 : O_OK;
		}
		if (virtio_status(d) & VIRTIO_CONFIG_S_NEEDS_RESET)
			return O_NEEDS_RESET;
		delay_us(POLL_GAP_US);
	} while (time_us() < end);
	return O_SILENT;
}

static void hdr(uint32_t type, uint64_t sector)
{
	rm->hdr = (struct virtio_blk_outhdr){.type = type, .sector = sector};
	rm->status = VBLK_NO_STATUS;
}

/* Publish the chain t[0..n) on d's queue 0 (next: an entry of t, see
 * virtq_raw_chain), kick, and wait for the reaction. */
static enum outcome chain(struct virtio_pci *d, bool blk_status, const struct vring_desc *t,
			  unsigned n)
{
	uint16_t head;
	uint32_t used;

	if (virtq_raw_chain(&d->vq[0], t, n, &head))
		return O_FAIL;
	virtq_kick(&d->vq[0]);
	return react(d, blk_status, &used);
}

/* A three-descriptor blk request with the data descriptor as given. */
static enum outcome blk_with_data(struct virtio_pci *d, uint32_t type, uint64_t addr, uint32_t len)
{
	uint16_t wr = type == VIRTIO_BLK_T_IN ? VRING_DESC_F_WRITE : 0;
	const struct vring_desc t[] = {
		{phys(&rm->hdr), sizeof(rm->hdr), VRING_DESC_F_NEXT, 1},
		{addr, len, VRING_DESC_F_NEXT | wr, 2},
		{phys(&rm->status), 1, VRING_DESC_F_WRITE, 0},
	};

	hdr(type, 8);
	return chain(d, true, t, ARRAY_SIZE(t));
}

/* ---- the cases ------------------------------------------------------------ */

static enum outcome c_loop(struct virtio_pci *d)
{
	const struct vring_desc t[] = {
		{phys(&rm->hdr), sizeof(rm->hdr), VRING_DESC_F_NEXT, 1},
		{phys(data), 512, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 2},
		{phys(&rm->status), 1, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 1}, /* back */
	};

	hdr(VIRTIO_BLK_T_IN, 0);
	return chain(d, true, t, ARRAY_SIZE(t));
}

static enum outcome c_loop_rng(struct virtio_pci *d)
{
	const struct vring_desc t[] = {
		{phys(data), 16, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 1},
		{phys(data + 16), 16, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 0}, /* back */
	};

	return chain(d, false, t, ARRAY_SIZE(t));
}

static uint64_t ram_end(void)
{
	uint64_t end = 0;

	for (uint32_t i = 0; i < boot_info.nr_mem && i < BOOT_MEM_MAX; i++) {
		const struct boot_mem *m = &boot_info.mem[i];

		if (m->type == E820_RAM && m->addr + m->size > end)
			end = m->addr + m->size;
	}
	return end;
}

static enum outcome c_past_ram(struct virtio_pci *d)
{
	return blk_with_data(d, VIRTIO_BLK_T_IN, ram_end() - 4096, DATA_BYTES);
}

static enum outcome c_len4g(struct virtio_pci *d)
{
	return blk_with_data(d, VIRTIO_BLK_T_IN, phys(data), 0xffffffffu);
}

/* (Not 0xffffffff here: QEMU's virtio-rng first gathers that many bytes
 * of entropy, which takes half a minute, before it maps the buffer.) */
static enum outcome c_past_ram_rng(struct virtio_pci *d)
{
	const struct vring_desc t = {ram_end() - 4096, DATA_BYTES, VRING_DESC_F_WRITE, 0};

	return chain(d, false, &t, 1);
}

static enum outcome c_mmio_lapic(struct virtio_pci *d)
{
	return blk_with_data(d, VIRTIO_BLK_T_OUT, LAPIC_BASE, 512);
}

struct range {
	uint64_t addr, size;
};

/* The programmed memory BARs of bus 0 into r[0..max); returns how many. */
static unsigned memory_bars(struct range *r, unsigned max)
{
	struct pci_func f[64];
	unsigned nf = pci_scan_bus(pci_cfg, 0, f, ARRAY_SIZE(f)), n = 0;

	for (unsigned k = 0; k < nf && k < ARRAY_SIZE(f); k++) {
		if (f[k].header_type != PCI_HEADER_TYPE_NORMAL)
			continue;
		for (unsigned i = 0; i < PCI_NR_BARS;) {
			struct pci_bar b;

			if (pci_bar_size(f[k].bdf, i, &b) && !b.io && b.addr && n < max)
				r[n++] = (struct range){b.addr, b.size};
			i += b.slots ? b.slots : 1;
		}
	}
	return n;
}

/* HOLE_PROBE bytes at the top of the highest memory window below 4 GiB,
 * moved down below any BAR that overlaps them. 0 when there is none. */
static uint64_t unclaimed_mmio(void)
{
	struct pci_window w[PCI_MAX_WINDOWS];
	struct range bars[64];
	unsigned nw = pci_host_windows(w, ARRAY_SIZE(w));
	unsigned nb = memory_bars(bars, ARRAY_SIZE(bars));
	uint64_t at = 0, lo = 0;

	for (unsigned k = 0; k < nw; k++) {
		if (w[k].type == PCI_WIN_MEM && w[k].max < 0x100000000ull &&
		    w[k].max - w[k].min >= 0xfffff && w[k].max + 1 - HOLE_PROBE > at) {
			at = w[k].max + 1 - HOLE_PROBE;
			lo = w[k].min;
		}
	}
	for (unsigned k = 0; at && k < nb;) {
		if (bars[k].addr < at + HOLE_PROBE && at < bars[k].addr + bars[k].size) {
			at = (bars[k].addr - HOLE_PROBE) & ~(HOLE_PROBE - 1);
			k = 0; /* moved: check every BAR again */
			if (at < lo)
				return 0;
			continue;
		}
		k++;
	}
	return at;
}

static enum outcome c_mmio_hole(struct virtio_pci *d)
{
	uint64_t at = unclaimed_mmio();

	report_info("unclaimed MMIO probe at %#lx", (unsigned long)at);
	if (!at)
		return O_FAIL;
	return blk_with_data(d, VIRTIO_BLK_T_OUT, at, 512);
}

static enum outcome c_nested_indirect(struct virtio_pci *d)
{
	struct vring_desc *outer = tables, *inner = tables + 4;
	const struct vring_desc t = {tables_iova, sizeof(*outer), VRING_DESC_F_INDIRECT, 0};

	if (!(d->features & BIT_ULL(VIRTIO_RING_F_INDIRECT_DESC)))
		return O_FAIL;
	hdr(VIRTIO_BLK_T_IN, 0);
	inner[0] = (struct vring_desc){phys(&rm->hdr), sizeof(rm->hdr), VRING_DESC_F_NEXT, 1};
	inner[1] = (struct vring_desc){phys(data), 512, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 2};
	inner[2] = (struct vring_desc){phys(&rm->status), 1, VRING_DESC_F_WRITE, 0};
	outer[0] = (struct vring_desc){tables_iova + 4 * sizeof(*outer), 3 * sizeof(*inner),
				       VRING_DESC_F_INDIRECT, 0};
	return chain(d, true, &t, 1);
}

static enum outcome c_zero_len(struct virtio_pci *d)
{
	const struct vring_desc t[] = {
		{phys(&rm->hdr), 0, VRING_DESC_F_NEXT, 1},
		{phys(data), 512, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 2},
		{phys(&rm->status), 1, VRING_DESC_F_WRITE, 0},
	};

	hdr(VIRTIO_BLK_T_IN, 0);
	return chain(d, true, t, ARRAY_SIZE(t));
}

static enum outcome c_bad_head(struct virtio_pci *d)
{
	uint32_t used;

	hdr(VIRTIO_BLK_T_IN, 0);
	virtq_raw_publish(&d->vq[0], (uint16_t)(d->vq[0].size + 3));
	virtq_kick(&d->vq[0]);
	return react(d, true, &used);
}

static enum outcome c_bad_next(struct virtio_pci *d)
{
	const struct vring_desc t = {phys(&rm->hdr), sizeof(rm->hdr), VRING_DESC_F_NEXT,
				     (uint16_t)(d->vq[0].size + 7)};

	hdr(VIRTIO_BLK_T_IN, 0);
	return chain(d, true, &t, 1);
}

static enum outcome c_avail_jump(struct virtio_pci *d)
{
	struct virtq *vq = &d->vq[0];
	uint32_t used;

	hdr(VIRTIO_BLK_T_IN, 0);
	WRITE_ONCE(vq->avail->idx, (uint16_t)(vq->next_avail + vq->size + 1));
	virtq_kick(vq);
	return react(d, true, &used);
}

static enum outcome c_write_first(struct virtio_pci *d)
{
	const struct vring_desc t[] = {
		{phys(data), 512, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 1},
		{phys(&rm->hdr), sizeof(rm->hdr), VRING_DESC_F_NEXT, 2},
		{phys(&rm->status), 1, VRING_DESC_F_WRITE, 0},
	};

	hdr(VIRTIO_BLK_T_IN, 0);
	return chain(d, true, t, ARRAY_SIZE(t));
}

/* A plain one-sector read, added and kicked (no wait). */
static bool add_read(struct virtio_pci *d, uint16_t *head)
{
	struct virtq_buf b[3] = {
		{&rm->hdr, sizeof(rm->hdr)},
		{data, 512},
		{&rm->status, 1},
	};

	hdr(VIRTIO_BLK_T_IN, 0);
	if (virtq_add(&d->vq[0], b, 1, 2, head))
		return false;
	virtq_kick(&d->vq[0]);
	return true;
}

static bool add_rng(struct virtio_pci *d, uint16_t *head)
{
	if (virtq_add(&d->vq[0], &(struct virtq_buf){data, 16}, 0, 1, head))
		return false;
	virtq_kick(&d->vq[0]);
	return true;
}

/* queue_size 100: refused (reads back the old value) and the queue must
 * not run with it. Reported in two parts. */
static enum outcome c_qsize(struct virtio_pci *d)
{
	uint16_t max, back, head;
	uint32_t used;
	enum outcome o;
	bool refused;

	if (virtio_negotiate(d, WANT))
		return O_FAIL;
	mmio_write16(d->common + VIRTIO_PCI_COMMON_Q_SELECT, 0);
	max = mmio_read16(d->common + VIRTIO_PCI_COMMON_Q_SIZE);
	if (max <= 100)
		return O_FAIL;
	mmio_write16(d->common + VIRTIO_PCI_COMMON_Q_SIZE, 100);
	back = mmio_read16(d->common + VIRTIO_PCI_COMMON_Q_SIZE);
	refused = back == max;
	report_info("queue_size: max %u, wrote 100, reads %u", max, back);
	/* Carry on as a driver that ignored the read-back would. */
	if (virtq_setup_any_size(d, 0, 100, VIRTIO_MSI_NO_VECTOR))
		return O_FAIL;
	virtio_driver_ok(d);
	if (!add_read(d, &head))
		return O_FAIL;
	o = react(d, true, &used);
	report_info("request on the size-100 queue: %s", outcome_names[o]);
	return refused && o != O_OK ? O_PASS : O_FAIL;
}

static enum outcome early(struct virtio_pci *d, bool is_blk)
{
	uint16_t head, got;
	uint32_t len;
	bool early_used, later;

	if (virtio_negotiate(d, WANT) || virtq_setup(d, 0, 0, VIRTIO_MSI_NO_VECTOR))
		return O_FAIL;
	if (!(is_blk ? add_read(d, &head) : add_rng(d, &head)))
		return O_FAIL;
	delay_us(CASE_WAIT_US / 2);
	early_used = READ_ONCE(d->vq[0].used->idx) != 0;
	virtio_driver_ok(d);
	virtq_kick(&d->vq[0]);
	later = virtq_wait(&d->vq[0], &got, &len, VIRTIO_TIMEOUT_US) == 0 && got == head;
	report_info("before DRIVER_OK: %s; after DRIVER_OK and a kick: %s",
		    early_used ? "consumed" : "not consumed",
		    later ? "completed" : "not completed");
	return !early_used && later ? O_PASS : O_FAIL;
}

static enum outcome c_early_blk(struct virtio_pci *d)
{
	return early(d, true);
}

static enum outcome c_early_rng(struct virtio_pci *d)
{
	return early(d, false);
}

static const struct hcase cases[] = {
	{"loop", "descriptor loop (next points back)", false, c_loop, R_DEVERR},
	{"loop_rng", "rng: descriptor loop", true, c_loop_rng, R_DEVERR},
	{"past_ram", "IN buffer running 60 KiB past the end of RAM", false, c_past_ram, R_UR},
	{"len4g", "IN buffer of length 0xffffffff", false, c_len4g, R_UR},
	{"past_ram_rng", "rng: buffer running 60 KiB past the end of RAM", true, c_past_ram_rng,
	 R_UR},
	{"mmio_lapic", "OUT buffer in the LAPIC page (0xfee00000)", false, c_mmio_lapic,
	 "x86: a DMA read of the interrupt range 0xfeexxxxx is an Unsupported Request"},
	{"mmio_hole", "OUT buffer in unclaimed PCI window space", false, c_mmio_hole, R_UR},
	{"nested_indirect", "indirect table inside an indirect table", false, c_nested_indirect,
	 "virtio 1.2 2.7.5.3.1 (one table per descriptor)"},
	{"zero_len", "zero-length header descriptor", false, c_zero_len,
	 "virtio 1.2 5.2.6 (no header, no request)"},
	{"bad_head", "avail ring head >= queue size", false, c_bad_head, R_DEVERR},
	{"bad_next", "next index >= queue size", false, c_bad_next, R_DEVERR},
	{"avail_jump", "avail idx moved by more than the queue size", false, c_avail_jump,
	 R_DEVERR},
	{"write_first", "device-writable descriptor before a readable one", false, c_write_first,
	 "virtio 1.2 2.7.5.2 (readable before writable)"},
	{"qsize", "queue_size 100 (not a power of two)", false, c_qsize,
	 "virtio 1.2 2.7: split Queue Size is always a power of 2"},
	{"early_blk", "notification before DRIVER_OK", false, c_early_blk,
	 "virtio 1.2 2.1.2: no buffer consumed before DRIVER_OK"},
	{"early_rng", "rng: notification before DRIVER_OK", true, c_early_rng,
	 "virtio 1.2 2.1.2: no buffer consumed before DRIVER_OK"},
};

/* A normal request on a working device; true when it succeeds. */
static bool normal_request(struct virtio_pci *d, bool is_rng)
{
	uint64_t end = time_us() + VIRTIO_TIMEOUT_US;
	uint16_t head, got;
	uint32_t len;

	if (!(is_rng ? add_rng(d, &head) : add_read(d, &head)))
		return false;
	while (time_us() < end) {
		if (!virtq_get(&d->vq[0], &got, &len)) {
			cpu_relax();
			continue;
		}
		if (got == head)
			return is_rng ? len > 0 : READ_ONCE(rm->status) == VIRTIO_BLK_S_OK;
	}
	return false;
}

static void run(const struct hcase *c)
{
	struct virtio_pci *d = c->on_rng ? &rng : &blk;
	enum outcome o;
	bool good, needs_reset, ok_now, ok_after = false;
	const char *dev = c->on_rng ? "rng" : "blk";

	if (c->run != c_qsize && c->run != c_early_blk && c->run != c_early_rng && fresh(d)) {
		report(false, "%s: %s set up", c->id, dev);
		return;
	}
	o = c->run(d);
	good = o == O_IOERR || o == O_UNSUPP || o == O_LEN0 || o == O_NEEDS_RESET || o == O_PASS;
	if (good)
		report(true, "%s: %s -> %s", c->id, c->what, outcome_names[o]);
	else if (known_has(c->id))
		report_skip("%s: %s -> %s: %s departs from %s (known=, see hostile.c)", c->id,
			    c->what, outcome_names[o], known_backend(), c->rule);
	else
		report(false, "%s: %s -> %s (want a device-level error)", c->id, c->what,
		       outcome_names[o]);

	needs_reset = virtio_status(d) & VIRTIO_CONFIG_S_NEEDS_RESET;
	ok_now = !needs_reset && (virtio_status(d) & VIRTIO_CONFIG_S_DRIVER_OK) &&
		 normal_request(d, c->on_rng);
	if (!ok_now)
		ok_after = fresh(d) == 0 && normal_request(d, c->on_rng);
	report(ok_now || ok_after, "%s: the VM runs on and a normal %s request succeeds (%s)",
	       c->id, dev,
	       ok_now	     ? "without a reset"
	       : needs_reset ? "after the reset it asked for"
			     : "after a reset");
}

int main(void)
{
	known_init();
	rm = virtio_alloc(sizeof(*rm), 64);
	data = virtio_alloc(DATA_BYTES, 4096);
	tables = virtio_alloc(8 * sizeof(*tables), 16);
	tables_iova = virt_to_phys(tables);
	if (!report(virtio_pci_open(&blk, VIRTIO_ID_BLOCK, 0) == 0 && fresh(&blk) == 0,
		    "virtio-blk set up") ||
	    !report(virtio_pci_open(&rng, VIRTIO_ID_RNG, 0) == 0 && fresh(&rng) == 0,
		    "virtio-rng set up"))
		return 1;
	report(normal_request(&blk, false) && normal_request(&rng, true),
	       "normal requests work before the hostile ones");
	for (unsigned i = 0; i < ARRAY_SIZE(cases); i++)
		run(&cases[i]);
	report(normal_request(&blk, false) && normal_request(&rng, true),
	       "both devices still work at the end");
	virtio_reset(&blk);
	virtio_reset(&rng);
	pci_command(blk.pci.bdf, 0, PCI_COMMAND_MASTER);
	pci_command(rng.pci.bdf, 0, PCI_COMMAND_MASTER);
	return 0;
}
