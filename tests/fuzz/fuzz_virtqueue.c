// SPDX-License-Identifier: MIT
/* Split virtqueue chains (devices/virtio/queue.c) popped, walked again and
 * completed under three translators, against a reference queue.
 *
 * Guest RAM is 16 KiB at GPA 0 and 16 KiB at 4 GiB (RAM pages 0-7), between
 * guard bytes. The queue's DMA address space is plain guest-physical, a fake
 * IOMMU page table of 16 IOVA pages (tests/unit/dma_fixture.h), or the IOMMU
 * core with the endpoint attached to a domain whose mappings the input gives.
 * The harness is the driver (it writes descriptors, tables and the avail ring
 * through the translation, as the CPU does) and the device (it pops, fills the
 * writable buffers, rewalks and pushes). A reference queue, written from the
 * contract in queue.h and dma.h, predicts each call.
 *
 * Input:
 *   byte 0   translator (% 3: GPA, page table, IOMMU core); bit 2 INDIRECT_DESC,
 *            bit 3 EVENT_IDX, bit 4 the core's mappings merge runs of pages
 *   byte 1   queue size 1 << (b & 15) (b & 0x10: 2 raw bytes instead)
 *   3 bytes  where the descriptor table, avail and used rings are (rd_ring())
 *   16 bytes one per IOVA page: where it maps and how (pte_of())
 *   then at most MAX_OPS operations, (opcode & 15) % 11: 0 a chain (segments,
 *   readable count, indirect or not; for an indirect one its table's address
 *   and how many times (b | 1) the table repeats the buffers; addresses and lengths), 1 write a
 *   descriptor, 2 write an entry of an indirect table, 3 make a head available,
 *   4 set avail idx, avail flags or used_event, 5 pop, 6 push the oldest chain
 *   popped, 7 push an id given raw, 8 change one IOVA page's translation (with
 *   the invalidation), 9 walk an outstanding chain again, 10 enable the queue
 *   again or ask whether to notify.
 *
 * Invariants, after every call into the queue:
 *  - its result is the reference's: the return value, the chain's head, its
 *    iovecs (each inside RAM, mapped with the access the buffer needs, split
 *    where the translation splits) and lengths (at most 2^32 - 1 bytes, at
 *    most VIRTQ_MAX_SEGS iovecs), the broken flag, the indices, the faults the
 *    DMA layer reported; so a malformed chain breaks the queue (-EIO, and
 *    every later pop and push is -EIO) instead of being consumed, and a walk
 *    ends within the queue size steps (then the indirect table's size);
 *  - the device wrote nothing in RAM but the used ring;
 *  - after a push, the used ring's idx has moved by exactly one and holds the
 *    element; the device's used index counts exactly the completed chains;
 *  - the guard bytes around RAM are untouched (checked after every op).
 * FUZZ_TRACE=1 in the environment prints one line per operation and call. */
#include "tests/fuzz/virtqueue_checks.h"
#include "tests/fuzz/virtqueue_fx.h"
#include "tests/fuzz/virtqueue_ref.h"
#include "tests/fuzz/virtqueue_xlate.h"

/* ---- the driver's and the device's operations ---- */

/* The queue size as a divisor for the driver's indices (any size may be
 * configured; the queue refuses the bad ones). */
static unsigned qn(void)
{
	return F.size ? F.size : 1;
}

static uint64_t page_addr(unsigned pi)
{
	pi %= NPG;
	if (F.mode != X_GPA)
		return pi * VFX_PAGE;
	return pi < NRAMPG ? vfx_page_gpa(pi) : NOT_RAM + pi * VFX_PAGE;
}

/* A buffer or table address: in a page at a 16-byte offset, just before a
 * page's end, 8 raw bytes, or off the 16-byte grid. */
static uint64_t rd_addr(struct fuzz_in *in)
{
	uint8_t b = fuzz_u8(in), o = fuzz_u8(in);

	switch (b >> 6) {
	case 0: return page_addr(b) + 16ull * o % VFX_PAGE;
	case 1: return page_addr(b) + VFX_PAGE - o;
	case 2: return fuzz_u64(in);
	default: return page_addr(b) + 16ull * o % VFX_PAGE + 8;
	}
}

static uint32_t rd_len(struct fuzz_in *in)
{
	uint8_t b = fuzz_u8(in);

	switch (b >> 6) {
	case 0: return b & 0x3f;
	case 1: return (b & 0x3f) << 6;
	case 2: return fuzz_u32(in);
	default: return UINT32_MAX - (b & 0x3f);
	}
}

static void put_desc(uint64_t table, unsigned i, uint64_t addr, uint32_t len, uint16_t flags,
		     uint16_t next)
{
	struct vring_desc d = {htole64(addr), htole32(len), htole16(flags), htole16(next)};

	drv_write(table + 16ull * i, &d, sizeof(d));
}

static void avail_add(uint16_t head)
{
	uint16_t v = htole16(head), idx;

	drv_write(F.ring[R_AVAIL] + 4 + 2ull * (F.avail_idx % qn()), &v, 2);
	idx = htole16(++F.avail_idx);
	drv_write(F.ring[R_AVAIL] + 2, &idx, 2);
}

/* A chain the way a driver builds one: n buffers, the first nrd readable,
 * in the table or in an indirect table; then made available. */
static void op_chain(struct fuzz_in *in)
{
	uint8_t b = fuzz_u8(in);
	unsigned n = (b & 7) + 1, nrd = (b >> 4) % (n + 1), rep = 1, total;
	bool ind = b & 8;
	uint64_t table = ind ? rd_addr(in) : F.ring[R_DESC], addr[8];
	uint16_t head = F.next_desc;
	uint32_t len[8];

	if (ind) /* the table repeats the buffers: up to 2040 entries */
		rep = fuzz_u8(in) | 1u;
	for (unsigned k = 0; k < n; k++) {
		addr[k] = rd_addr(in);
		len[k] = rd_len(in);
	}
	total = n * rep;
	for (unsigned e = 0; e < total; e++) {
		/* the readable buffers of every repetition first */
		unsigned k = e < nrd * rep ? e % MAX(nrd, 1) : nrd + (e - nrd * rep) % (n - nrd);
		uint16_t flags = (e + 1 < total ? VRING_DESC_F_NEXT : 0) |
				 (e >= nrd * rep ? VRING_DESC_F_WRITE : 0);
		unsigned i = ind ? e : (head + e) % qn(),
			 next = ind ? e + 1 : (head + e + 1) % qn();

		put_desc(table, i, addr[k], len[k], flags, (uint16_t)next);
	}
	if (ind)
		put_desc(F.ring[R_DESC], head, table, 16 * total, VRING_DESC_F_INDIRECT, 0);
	F.next_desc = (uint16_t)((head + (ind ? 1 : n)) % qn());
	avail_add(head);
}

/* One descriptor of the table (or, ind, of an indirect table) as raw fields. */
static void op_desc(struct fuzz_in *in, bool ind)
{
	uint64_t table = ind ? rd_addr(in) : F.ring[R_DESC];
	unsigned i = fuzz_u8(in) % (ind ? 64 : qn());
	uint64_t addr = rd_addr(in);
	uint32_t len = rd_len(in);
	uint8_t f = fuzz_u8(in);

	put_desc(table, i, addr, len, f & 0x80 ? fuzz_u16(in) : f & 7, fuzz_u8(in));
}

static void op_avail(struct fuzz_in *in)
{
	uint8_t b = fuzz_u8(in);
	uint16_t v = htole16(fuzz_u16(in));

	switch (b % 4) {
	case 0: avail_add(le16toh(v)); break;
	case 1:
		F.avail_idx = le16toh(v);
		drv_write(F.ring[R_AVAIL] + 2, &v, 2);
		break;
	case 2: drv_write(F.ring[R_AVAIL], &v, 2); break;
	default: drv_write(F.ring[R_AVAIL] + USED_EVENT, &v, 2); break;
	}
}

/* The device uses a popped chain: writes its writable buffers, reads the
 * readable ones. */
static void use_chain(void)
{
	volatile uint8_t sum = 0;

	for (unsigned i = 0; i < F.c.nr_rd + F.c.nr_wr; i++) {
		uint8_t *p = F.c.iov[i].iov_base;

		if (i < F.c.nr_rd)
			for (size_t j = 0; j < F.c.iov[i].iov_len; j += 64)
				sum += p[j];
		else
			memset(p, 0x5a, F.c.iov[i].iov_len);
	}
	(void)sum;
}

static void op_pop(bool again, uint8_t pick)
{
	uint16_t head = F.nr_out ? F.out[pick % F.nr_out] : 0;
	int want, ret;

	if (again && (!F.nr_out || !F.ready || F.broken))
		return;
	snap();
	want = again ? ref_walk(head, &F.want) : ref_pop(&F.want);
	ret = again ? virtq_rewalk(&F.vq, head, &F.c) : virtq_pop(&F.vq, &F.c);
	check_writes();
	TRACE("%s: %d (reference %d), head %u, %u+%u iovecs, %u+%u bytes\n",
	      again ? "rewalk" : "pop", ret, want, F.c.head, F.c.nr_rd, F.c.nr_wr, F.c.rd_len,
	      F.c.wr_len);
	check_chain(ret, want);
	check_state(again ? "rewalk" : "pop");
	if (!again && (ret == 1 || ret == -EFAULT) && F.nr_out < MAX_OUT)
		F.out[F.nr_out++] = F.c.head;
	if (ret == 1)
		use_chain();
}

static void op_push(uint32_t id, uint32_t len)
{
	uint16_t before = F.used_idx;
	int want, ret;
	uint8_t *e;

	snap();
	want = ref_push(id);
	ret = virtq_push(&F.vq, (uint16_t)id, len);
	check_writes();
	TRACE("push %u %u: %d (reference %d)\n", id, len, ret, want);
	FUZZ_CHECK(ret == want, "push %u returned %d, reference %d", id, ret, want);
	check_state("push");
	if (ret)
		return;
	e = drv_ptr(F.ring[R_USED] + 4 + 8ull * (before & (F.size - 1)), 4);
	FUZZ_CHECK(!e || le32toh(*(uint32_t *)e) == id, "used element %u: id is not %u", before,
		   id);
	e = drv_ptr(F.ring[R_USED] + 8 + 8ull * (before & (F.size - 1)), 4);
	FUZZ_CHECK(!e || le32toh(*(uint32_t *)e) == len, "used element %u: len is not %u", before,
		   len);
	e = drv_ptr(F.ring[R_USED] + 2, 2);
	FUZZ_CHECK(!e || le16toh(*(uint16_t *)e) == (uint16_t)(before + 1),
		   "used idx %u after push %u", e ? le16toh(*(uint16_t *)e) : 0, before);
}

static void op_push_out(struct fuzz_in *in)
{
	uint8_t b = fuzz_u8(in);
	uint32_t len = b & 0x80 ? fuzz_u32(in) : b;

	if (!F.nr_out)
		return;
	op_push(F.out[0], len);
	memmove(F.out, F.out + 1, --F.nr_out * sizeof(F.out[0]));
}

/* What IOVA page p maps to, as byte b says: bits 5-6 RW, R, W, absent; bit 7
 * present without permissions; RAM page (p + b & 31) % 9, the ninth being
 * the MMIO hole. */
static struct pte pte_of(unsigned p, uint8_t b)
{
	static const unsigned perm[] = {DMA_ACCESS_READ | DMA_ACCESS_WRITE, DMA_ACCESS_READ,
					DMA_ACCESS_WRITE, 0};
	unsigned j = (p + (b & 0x1f)) % (NRAMPG + 1);

	return (struct pte){(b & 0x80) || ((b >> 5) & 3) != 3,
			    j == NRAMPG ? NOT_RAM + p * VFX_PAGE : vfx_page_gpa(j),
			    b & 0x80 ? 0 : perm[(b >> 5) & 3]};
}

static void iommu_map_page(unsigned p, const struct pte *e, unsigned pages)
{
	struct iova_mapping m = {iova(p * VFX_PAGE), iova((p + pages) * VFX_PAGE - 1), gpa(e->gpa),
				 e->perm};

	FUZZ_CHECK(!iommu_map(F.io, 1, m.first, m.last, m.gpa, m.flags), "iommu_map of page %u", p);
	F.maps[F.nr_maps++] = m;
}

/* Page p now maps as b says; the translation is invalidated. */
static void op_page(struct fuzz_in *in)
{
	unsigned p = fuzz_u8(in) % NPG;
	struct pte e = pte_of(p, fuzz_u8(in));
	const struct iova_mapping *m;

	if (F.mode == X_PT) {
		F.pt[p] = e;
		dma_as_invalidate(&F.as);
	} else if (F.mode == X_IOMMU) {
		m = map_at(p * VFX_PAGE);
		if (m) {
			FUZZ_CHECK(!iommu_unmap(F.io, 1, m->first, m->last), "iommu_unmap");
			F.maps[m - F.maps] = F.maps[--F.nr_maps];
		}
		if (e.present)
			iommu_map_page(p, &e, 1);
	}
}

static void op_enable(void)
{
	int want, ret;

	virtq_reset(&F.vq);
	F.vq.size = F.size;
	F.vq.desc = iova(F.ring[R_DESC]);
	F.vq.avail = iova(F.ring[R_AVAIL]);
	F.vq.used = iova(F.ring[R_USED]);
	virtq_set_features(&F.vq, F.features);
	snap();
	want = ref_enable();
	ret = virtq_enable(&F.vq);
	check_writes();
	TRACE("enable size %u rings %#llx %#llx %#llx: %d (reference %d)\n", F.size,
	      (unsigned long long)F.ring[0], (unsigned long long)F.ring[1],
	      (unsigned long long)F.ring[2], ret, want);
	FUZZ_CHECK(ret == want, "enable returned %d, reference %d", ret, want);
	F.avail_idx = F.next_desc = 0;
	F.nr_out = 0;
	check_state("enable");
}

static void op_misc(struct fuzz_in *in)
{
	bool want, got;

	if (fuzz_u8(in) & 1) {
		op_enable();
		return;
	}
	snap();
	want = ref_should_notify();
	got = virtq_should_notify(&F.vq);
	check_writes();
	FUZZ_CHECK(got == want, "should_notify %d, reference %d", got, want);
	check_state("should_notify");
}

static uint64_t rd_ring(struct fuzz_in *in)
{
	uint8_t b = fuzz_u8(in);

	return b == 0xff ? fuzz_u64(in) : page_addr(b & 15) + ((b >> 4) & 7) * 0x200ull;
}

/* The translator, the queue's configuration, enabled. */
static int setup(struct fuzz_in *in)
{
	static const struct iommu_config cfg = {
		.page_size_mask = ~0xfffull, .input_last = (1ull << 48) - 1, .domain_last = 0xffff};
	uint8_t b0 = fuzz_u8(in), b1 = fuzz_u8(in);

	F.mode = (enum xl_mode)(b0 % 3);
	F.features = (b0 & 4 ? BIT_ULL(VIRTIO_RING_F_INDIRECT_DESC) : 0) |
		     (b0 & 8 ? BIT_ULL(VIRTIO_RING_F_EVENT_IDX) : 0);
	F.size = b1 & 0x10 ? fuzz_u16(in) : (uint16_t)(1u << (b1 & 15));
	for (enum ring r = R_DESC; r <= R_USED; r++)
		F.ring[r] = rd_ring(in);
	for (unsigned p = 0; p < NPG; p++)
		F.pt[p] = pte_of(p, fuzz_u8(in));
	dma_as_init(&F.as, QRID, &F.ram.mem);
	virtq_init(&F.vq, &F.as);
	if (F.mode == X_PT) {
		F.xl = (struct dma_translator){fake_translate, NULL, NULL};
		dma_as_set_translator(&F.as, &F.xl);
	} else if (F.mode == X_IOMMU) {
		if (iommu_create(&cfg, &F.io) || iommu_endpoint_add(F.io, QRID, &F.as) ||
		    iommu_attach(F.io, 1, QRID, 0))
			return -1;
		for (unsigned p = 0, k; p < NPG; p += k) {
			for (k = 1; (b0 & 16) && p + k < NPG && F.pt[p + k].present &&
				    F.pt[p + k].perm == F.pt[p].perm &&
				    F.pt[p + k].gpa == F.pt[p].gpa + k * VFX_PAGE;
			     k++)
				;
			if (F.pt[p].present)
				iommu_map_page(p, &F.pt[p], k);
		}
	}
	op_enable();
	return 0;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	trace = getenv("FUZZ_TRACE");
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = fuzz_in(data, size);

	if (size > 4096)
		return -1;
	memset(&F.mode, 0, sizeof(F) - offsetof(typeof(F), mode));
	vfx_ram_reset(&F.ram);
	if (setup(&in))
		goto out;
	for (unsigned i = 0; i < MAX_OPS && !in.done; i++) {
		uint8_t op = fuzz_u8(&in);

		TRACE("op %u\n", (op & 15) % 11);
		switch ((op & 15) % 11) {
		case 0: op_chain(&in); break;
		case 1: op_desc(&in, false); break;
		case 2: op_desc(&in, true); break;
		case 3: avail_add(fuzz_u8(&in) & 0x80 ? fuzz_u16(&in) : F.next_desc); break;
		case 4: op_avail(&in); break;
		case 5: op_pop(false, 0); break;
		case 6: op_push_out(&in); break;
		case 7: op_push(fuzz_u16(&in), fuzz_u32(&in)); break;
		case 8: op_page(&in); break;
		case 9: op_pop(true, fuzz_u8(&in)); break;
		default: op_misc(&in); break;
		}
		FUZZ_CHECK(vfx_guards_ok(&F.ram), "a guard byte around RAM changed");
	}
out:
	iommu_destroy(F.io);
	return 0;
}
