// SPDX-License-Identifier: MIT
/* The IOAPIC (devices/ioapic.c) as a fuzz target, checked against a model
 * written from the rules in devices/ioapic.h.
 *
 * Input: at most 4096 bytes, a list of operations until it ends, each an
 * opcode byte (taken modulo 9) and its arguments:
 *   0 sel u8           IOREGSEL write (size 4)
 *   1 val u32          IOWIN write (size 4)
 *   2                  IOWIN read (size 4)
 *   3 pin u8, lvl u8   pin event: ioapic_set_irq(pin, lvl & 1); pins past
 *                      IOAPIC_PINS too
 *   4 vec u8           EOI through the EOI register (MMIO)
 *   5 vec u8           EOI from KVM (ioapic_eoi)
 *   6 off u16, sz u8, val u32, w u8
 *                      any MMIO access: off % 0x1000, size 1/2/4/8,
 *                      read or write
 *   7 pin u8, lo u32, hi u32
 *                      a whole entry: high dword then low dword of pin % 24
 *   8 fail u8          the MSI sink fails (fail & 1) or accepts from now on
 *
 * Invariants, after every operation (and every read value):
 *  - every register reads what the model says: ID bits 27:24 only, ARB =
 *    ID, VER = (IOAPIC_PINS - 1) << 16 | 0x20, an entry's writable bits as
 *    last written, reserved bits 31:17 and delivery status zero, remote IRR
 *    as below; an out-of-range index reads 0 and a write to it, to VER or to
 *    ARB changes nothing; IOREGSEL reads back its 8 bits;
 *  - a masked pin never delivers; an edge pin delivers once per 0->1 pin
 *    transition while unmasked, never on an EOI or a register write;
 *  - a level pin delivers at most once until an EOI clears its remote IRR
 *    (IRR set exactly when the sink accepted the message; cleared by an EOI
 *    with its vector, or by switching the entry to edge), and, as long as
 *    the sink has refused nothing, never stays asserted, unmasked,
 *    deliverable and IRR-clear after an operation (no lost level
 *    interrupt; a refused one waits for the pin's next event, by design);
 *  - ExtINT entries and fixed/lowest-priority entries with a vector below 16
 *    (not in the remappable format) never deliver;
 *  - every message is the entry's MSI (the SDM format of ioapic.h), with
 *    the IOAPIC's requester ID;
 *  - the route hook is called exactly when an entry's writable bits
 *    change, with that entry's message, mask and trigger mode. */
#include "devices/ioapic.h"
#include "tests/fuzz/fuzz.h"

#define MAX_INPUT 4096
#define MAX_SENT  64
#define RID	  0xf0f8
#define RTE_RO	  (IOAPIC_RTE_REMOTE_IRR | IOAPIC_RTE_DELIVS)

struct model {
	uint8_t regsel, id;
	uint32_t asserted;
	uint64_t rte[IOAPIC_PINS]; /* writable bits and remote IRR */
};

static struct {
	struct msi_msg msg[MAX_SENT];
	unsigned n;
	int ret;	  /* what the sink returns */
	bool ever_failed; /* the sink has refused a message of this input */
	int routes, route_pin;
	struct msi_msg route_msg;
	bool route_masked, route_level;
} rec;

static int sink_send(void *opaque, const struct msi_msg *m, uint16_t rid)
{
	(void)opaque;
	FUZZ_CHECK(rid == RID, "message with requester ID %#x", rid);
	FUZZ_CHECK(rec.n < MAX_SENT, "more than %u messages in one operation", MAX_SENT);
	rec.msg[rec.n++] = *m;
	return rec.ret;
}

static void route_hook(void *opaque, unsigned pin, const struct msi_msg *m, bool masked, bool level)
{
	(void)opaque;
	rec.routes++;
	rec.route_pin = (int)pin;
	rec.route_msg = *m;
	rec.route_masked = masked;
	rec.route_level = level;
}

/* The message of an entry, written from the SDM (vol. 3, 11.11). */
static struct msi_msg model_msg(uint64_t rte)
{
	struct msi_msg m = {
		.addr = 0xfee00000ull | ((rte >> 48) & 0xffff) << 4 | ((rte >> 11) & 1) << 2,
		.data = (uint32_t)(rte & 0xff) | (uint32_t)((rte >> 8) & 7) << 8 | 1u << 14 |
			(uint32_t)((rte >> 15) & 1) << 15,
	};
	return m;
}

/* Whether the IOAPIC may send the entry's message at all. */
static bool deliverable(uint64_t rte)
{
	unsigned dm = (rte >> 8) & 7;

	if (dm == IOAPIC_DM_EXTINT)
		return false;
	return !((dm == IOAPIC_DM_FIXED || dm == IOAPIC_DM_LOWEST) &&
		 !(rte & IOAPIC_RTE_IR_FORMAT) && (rte & 0xff) < 16);
}

/* The expected messages of one operation, in order. */
static struct {
	struct msi_msg msg[MAX_SENT];
	unsigned n;
} want;

static void model_deliver(struct model *m, unsigned pin, bool level)
{
	uint64_t rte = m->rte[pin];

	FUZZ_CHECK(!(rte & IOAPIC_RTE_MASKED), "model: masked pin %u delivers", pin);
	if (!deliverable(rte))
		return;
	if (want.n < MAX_SENT)
		want.msg[want.n++] = model_msg(rte);
	if (level && rec.ret >= 0)
		m->rte[pin] |= IOAPIC_RTE_REMOTE_IRR;
	rec.ever_failed |= rec.ret < 0;
}

static void model_service_level(struct model *m, unsigned pin)
{
	uint64_t rte = m->rte[pin];

	if ((rte & IOAPIC_RTE_LEVEL) && !(rte & IOAPIC_RTE_MASKED) &&
	    !(rte & IOAPIC_RTE_REMOTE_IRR) && (m->asserted & BIT(pin)))
		model_deliver(m, pin, true);
}

static void model_eoi(struct model *m, uint8_t vec)
{
	for (unsigned pin = 0; pin < IOAPIC_PINS; pin++) {
		if ((m->rte[pin] & 0xff) != vec || !(m->rte[pin] & IOAPIC_RTE_REMOTE_IRR))
			continue;
		m->rte[pin] &= ~IOAPIC_RTE_REMOTE_IRR;
		model_service_level(m, pin);
	}
}

/* A write of the indirect register selected; returns the pin whose
 * writable bits changed, or -1. */
static int model_write_indirect(struct model *m, uint32_t val)
{
	unsigned reg = m->regsel, pin;
	uint64_t old, rte;

	if (reg == IOAPIC_REG_ID) {
		m->id = (val >> 24) & 0xf;
		return -1;
	}
	if (reg < IOAPIC_REG_REDTBL || reg >= IOAPIC_REG_REDTBL + 2 * IOAPIC_PINS)
		return -1;
	pin = (reg - IOAPIC_REG_REDTBL) / 2;
	old = m->rte[pin];
	rte = reg & 1 ? (old & 0xffffffffull) | (uint64_t)val << 32 : (old & ~0xffffffffull) | val;
	rte = (rte & IOAPIC_RTE_WRITABLE) | (old & IOAPIC_RTE_REMOTE_IRR);
	if (!(rte & IOAPIC_RTE_LEVEL))
		rte &= ~IOAPIC_RTE_REMOTE_IRR;
	m->rte[pin] = rte;
	model_service_level(m, pin);
	return ((old ^ rte) & IOAPIC_RTE_WRITABLE) ? (int)pin : -1;
}

static uint32_t model_read_indirect(const struct model *m)
{
	unsigned reg = m->regsel;

	if (reg == IOAPIC_REG_ID || reg == IOAPIC_REG_ARB)
		return (uint32_t)m->id << 24;
	if (reg == IOAPIC_REG_VER)
		return (IOAPIC_PINS - 1) << 16 | IOAPIC_VERSION;
	if (reg < IOAPIC_REG_REDTBL || reg >= IOAPIC_REG_REDTBL + 2 * IOAPIC_PINS)
		return 0;
	return (uint32_t)(m->rte[(reg - IOAPIC_REG_REDTBL) / 2] >> (reg & 1 ? 32 : 0));
}

static void model_set_irq(struct model *m, unsigned pin, bool level)
{
	bool was;

	if (pin >= IOAPIC_PINS)
		return;
	was = m->asserted & BIT(pin);
	if (level)
		m->asserted |= BIT(pin);
	else
		m->asserted &= ~BIT(pin);
	if (m->rte[pin] & IOAPIC_RTE_LEVEL)
		model_service_level(m, pin);
	else if (level && !was && !(m->rte[pin] & IOAPIC_RTE_MASKED))
		model_deliver(m, pin, false);
}

static uint64_t mmio_read(struct ioapic *io, uint64_t off, unsigned size)
{
	return ioapic_bus_ops.read(io, off, size);
}

static void mmio_write(struct ioapic *io, uint64_t off, unsigned size, uint64_t val)
{
	ioapic_bus_ops.write(io, off, size, val);
}

/* Every register through the guest's window, against the model; IOREGSEL
 * is put back. */
static void check_registers(struct ioapic *io, const struct model *m)
{
	uint8_t sel = (uint8_t)mmio_read(io, IOAPIC_REGSEL, 4);
	static const uint8_t idx[] = {0, 1, 2, 3, 0x0f, 0x3f, 0x40, 0x41, 0x80, 0xff};

	FUZZ_CHECK(sel == m->regsel, "IOREGSEL reads %#x, not %#x", sel, m->regsel);
	for (unsigned i = 0; i < ARRAY_SIZE(idx); i++) {
		struct model t = *m;
		uint32_t v;

		t.regsel = idx[i];
		mmio_write(io, IOAPIC_REGSEL, 4, idx[i]);
		v = (uint32_t)mmio_read(io, IOAPIC_IOWIN, 4);
		FUZZ_CHECK(v == model_read_indirect(&t), "register %#x reads %#x, not %#x", idx[i],
			   v, model_read_indirect(&t));
	}
	for (unsigned pin = 0; pin < IOAPIC_PINS; pin++) {
		uint64_t lo, hi, rte;

		mmio_write(io, IOAPIC_REGSEL, 4, IOAPIC_REG_REDTBL + 2 * pin);
		lo = mmio_read(io, IOAPIC_IOWIN, 4);
		mmio_write(io, IOAPIC_REGSEL, 4, IOAPIC_REG_REDTBL + 2 * pin + 1);
		hi = mmio_read(io, IOAPIC_IOWIN, 4);
		rte = hi << 32 | lo;
		FUZZ_CHECK(rte == m->rte[pin], "pin %u entry reads %#llx, not %#llx", pin,
			   (unsigned long long)rte, (unsigned long long)m->rte[pin]);
		FUZZ_CHECK(!(rte & (GENMASK_ULL(31, 17) | IOAPIC_RTE_DELIVS)),
			   "pin %u: reserved bits or delivery status set: %#llx", pin,
			   (unsigned long long)rte);
		/* No lost level interrupt. */
		FUZZ_CHECK(!((rte & IOAPIC_RTE_LEVEL) && !(rte & IOAPIC_RTE_MASKED) &&
			     !(rte & IOAPIC_RTE_REMOTE_IRR) && (m->asserted & BIT(pin)) &&
			     deliverable(rte) && !rec.ever_failed),
			   "level pin %u asserted, unmasked and deliverable, but not in service",
			   pin);
	}
	mmio_write(io, IOAPIC_REGSEL, 4, m->regsel);
}

static void check_sent(void)
{
	FUZZ_CHECK(rec.n == want.n, "%u messages sent, %u expected", rec.n, want.n);
	for (unsigned i = 0; i < rec.n; i++)
		FUZZ_CHECK(rec.msg[i].addr == want.msg[i].addr &&
				   rec.msg[i].data == want.msg[i].data,
			   "message %u is %#llx/%#x, not %#llx/%#x", i,
			   (unsigned long long)rec.msg[i].addr, rec.msg[i].data,
			   (unsigned long long)want.msg[i].addr, want.msg[i].data);
}

static void check_route(const struct model *m, int changed)
{
	if (changed < 0) {
		FUZZ_CHECK(rec.routes == 0, "route hook called, no entry changed");
		return;
	}
	FUZZ_CHECK(rec.routes == 1 && rec.route_pin == changed,
		   "route hook: %d calls (pin %d), pin %d changed", rec.routes, rec.route_pin,
		   changed);
	FUZZ_CHECK(rec.route_msg.addr == model_msg(m->rte[changed]).addr &&
			   rec.route_msg.data == model_msg(m->rte[changed]).data &&
			   rec.route_masked == !!(m->rte[changed] & IOAPIC_RTE_MASKED) &&
			   rec.route_level == !!(m->rte[changed] & IOAPIC_RTE_LEVEL),
		   "route hook for pin %d does not match its entry", changed);
}

/* One access of the guest at off: what the model says it does. */
static int model_mmio(struct model *m, uint64_t off, unsigned size, uint64_t val, bool write,
		      uint64_t *rd)
{
	*rd = 0;
	if (!write) {
		if (off == IOAPIC_REGSEL)
			*rd = m->regsel;
		else if (off == IOAPIC_IOWIN && size == 4)
			*rd = model_read_indirect(m);
		return -1;
	}
	if (off == IOAPIC_REGSEL)
		m->regsel = (uint8_t)val;
	else if (off == IOAPIC_IOWIN && size == 4)
		return model_write_indirect(m, (uint32_t)val);
	else if (off == IOAPIC_EOI)
		model_eoi(m, (uint8_t)val);
	return -1;
}

static void one_op(struct fuzz_in *in, struct ioapic *io, struct model *m)
{
	static const unsigned sizes[] = {1, 2, 4, 8};
	uint64_t off, val, got, exp;
	int changed = -1;
	unsigned pin, size;
	bool write;

	rec.n = 0;
	rec.routes = 0;
	want.n = 0;
	switch (fuzz_u8(in) % 9) {
	case 0: off = IOAPIC_REGSEL, size = 4, val = fuzz_u8(in), write = true; break;
	case 1: off = IOAPIC_IOWIN, size = 4, val = fuzz_u32(in), write = true; break;
	case 2: off = IOAPIC_IOWIN, size = 4, val = 0, write = false; break;
	case 3:
		pin = fuzz_u8(in);
		val = fuzz_u8(in) & 1;
		model_set_irq(m, pin, val);
		ioapic_set_irq(io, pin, (int)val);
		goto check;
	case 4: off = IOAPIC_EOI, size = 4, val = fuzz_u8(in), write = true; break;
	case 5:
		val = fuzz_u8(in);
		model_eoi(m, (uint8_t)val);
		ioapic_eoi(io, (uint8_t)val);
		goto check;
	case 6:
		off = fuzz_u16(in) % IOAPIC_MMIO_SIZE;
		size = sizes[fuzz_u8(in) % 4];
		val = fuzz_u32(in);
		write = fuzz_bool(in);
		break;
	case 7: {
		uint32_t lo = fuzz_u32(in), hi;
		int c;

		pin = fuzz_u8(in) % IOAPIC_PINS;
		hi = fuzz_u32(in);
		m->regsel = (uint8_t)(IOAPIC_REG_REDTBL + 2 * pin + 1);
		mmio_write(io, IOAPIC_REGSEL, 4, m->regsel);
		changed = model_write_indirect(m, hi);
		mmio_write(io, IOAPIC_IOWIN, 4, hi);
		check_route(m, changed);
		rec.routes = 0;
		m->regsel = (uint8_t)(IOAPIC_REG_REDTBL + 2 * pin);
		mmio_write(io, IOAPIC_REGSEL, 4, m->regsel);
		c = model_write_indirect(m, lo);
		mmio_write(io, IOAPIC_IOWIN, 4, lo);
		check_route(m, c);
		goto sent;
	}
	default: rec.ret = fuzz_u8(in) & 1 ? -5 : 0; return;
	}
	changed = model_mmio(m, off, size, val, write, &exp);
	if (write) {
		mmio_write(io, off, size, val);
	} else {
		got = mmio_read(io, off, size);
		FUZZ_CHECK(got == exp, "read of %u bytes at %#llx: %#llx, not %#llx", size,
			   (unsigned long long)off, (unsigned long long)got,
			   (unsigned long long)exp);
	}
check:
	check_route(m, changed);
sent:
	check_sent();
	check_registers(io, m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = fuzz_in(data, size);
	struct model m = {0};
	struct ioapic *io;

	if (size > MAX_INPUT)
		return -1;
	memset(&rec, 0, sizeof(rec));
	io = ioapic_new((struct msi_sink){sink_send, NULL}, RID);
	if (!io)
		abort();
	ioapic_set_route_hook(io, route_hook, NULL);
	for (unsigned pin = 0; pin < IOAPIC_PINS; pin++)
		m.rte[pin] = IOAPIC_RTE_MASKED;
	m.id = IOAPIC_RESET_ID;
	check_registers(io, &m);
	while (!in.done)
		one_op(&in, io, &m);
	ioapic_free(io);
	return 0;
}
