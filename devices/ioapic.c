// SPDX-License-Identifier: MIT
/* 82093AA-compatible I/O APIC that delivers through MSI messages. See
 * ioapic.h for the delivery rules and the locking contract. */
#include "devices/ioapic.h"

#include <pthread.h>
#include <stdlib.h>

#include "vmm/log.h"

#define IOAPIC_VER_MAX_ENTRY_SHIFT 16
#define IOAPIC_ID_BITS		   0x0f
#define IOAPIC_MIN_VECTOR	   0x10 /* 0..15 are reserved for exceptions */

struct ioapic {
	pthread_mutex_t lock;
	struct msi_sink sink;
	uint16_t rid;
	ioapic_route_fn *route_fn;
	void *route_opaque;
	uint8_t regsel;
	uint8_t id;
	uint32_t asserted; /* logical pin levels, bit per pin */
	uint64_t rte[IOAPIC_PINS];
};

struct msi_msg ioapic_rte_to_msi(uint64_t rte)
{
	struct msi_msg m;
	unsigned dm = (rte & IOAPIC_RTE_DELMODE) >> IOAPIC_RTE_DELMODE_SHIFT;

	m.addr = IOAPIC_MSI_ADDR_BASE | ((rte >> IOAPIC_RTE_ADDR_SHIFT) & 0xffff) << 4;
	if (rte & IOAPIC_RTE_DESTMODE)
		m.addr |= IOAPIC_MSI_ADDR_DESTMODE;
	m.data = (uint32_t)(rte & IOAPIC_RTE_VECTOR) | dm << IOAPIC_MSI_DATA_DELMODE_SHIFT |
		 IOAPIC_MSI_DATA_ASSERT;
	if (rte & IOAPIC_RTE_LEVEL)
		m.data |= IOAPIC_MSI_DATA_LEVEL;
	return m;
}

/* Send pin's MSI. Returns true when the sink accepted it. */
static bool ioapic_deliver(struct ioapic *io, unsigned pin)
{
	uint64_t rte = io->rte[pin];
	unsigned dm = (rte & IOAPIC_RTE_DELMODE) >> IOAPIC_RTE_DELMODE_SHIFT;
	struct msi_msg m;
	int r;

	if (dm == IOAPIC_DM_EXTINT) {
		log_guest_once("ioapic: pin %u uses ExtINT, no PIC: dropped", pin);
		return false;
	}
	if ((dm == IOAPIC_DM_FIXED || dm == IOAPIC_DM_LOWEST) && !(rte & IOAPIC_RTE_IR_FORMAT) &&
	    (rte & IOAPIC_RTE_VECTOR) < IOAPIC_MIN_VECTOR) {
		log_guest_once("ioapic: pin %u has illegal vector %u: dropped", pin,
			       (unsigned)(rte & IOAPIC_RTE_VECTOR));
		return false;
	}
	m = ioapic_rte_to_msi(rte);
	r = msi_sink_send(&io->sink, &m, io->rid);
	if (r < 0) {
		log_guest_limited(5, "ioapic: pin %u MSI %#llx/%#x failed (%d)", pin,
				  (unsigned long long)m.addr, m.data, r);
		return false;
	}
	return true;
}

/* Level-triggered pins: deliver if asserted, unmasked and not in service. */
static void ioapic_service_level(struct ioapic *io, unsigned pin)
{
	uint64_t rte = io->rte[pin];

	if (!(rte & IOAPIC_RTE_LEVEL) || (rte & IOAPIC_RTE_MASKED) ||
	    (rte & IOAPIC_RTE_REMOTE_IRR) || !(io->asserted & BIT(pin)))
		return;
	if (ioapic_deliver(io, pin))
		io->rte[pin] |= IOAPIC_RTE_REMOTE_IRR;
}

static void ioapic_route_changed(struct ioapic *io, unsigned pin)
{
	struct msi_msg m;
	uint64_t rte = io->rte[pin];

	if (!io->route_fn)
		return;
	m = ioapic_rte_to_msi(rte);
	io->route_fn(io->route_opaque, pin, &m, rte & IOAPIC_RTE_MASKED, rte & IOAPIC_RTE_LEVEL);
}

static void ioapic_write_rte(struct ioapic *io, unsigned pin, bool high, uint32_t val)
{
	uint64_t old = io->rte[pin], rte;

	if (high)
		rte = (old & 0xffffffffull) | (uint64_t)val << 32;
	else
		rte = (old & ~0xffffffffull) | val;
	rte = (rte & IOAPIC_RTE_WRITABLE) | (old & (IOAPIC_RTE_REMOTE_IRR | IOAPIC_RTE_DELIVS));
	if (!(rte & IOAPIC_RTE_LEVEL))
		rte &= ~IOAPIC_RTE_REMOTE_IRR; /* meaningless for edge */
	io->rte[pin] = rte;
	if ((old ^ rte) & IOAPIC_RTE_WRITABLE)
		ioapic_route_changed(io, pin);
	/* Unmasking (or switching to level) an asserted pin delivers. */
	ioapic_service_level(io, pin);
}

static uint32_t ioapic_read_indirect(struct ioapic *io)
{
	unsigned reg = io->regsel, pin;

	switch (reg) {
	case IOAPIC_REG_ID:
	case IOAPIC_REG_ARB: /* loaded from ID whenever ID is written */
		return (uint32_t)io->id << IOAPIC_ID_SHIFT;
	case IOAPIC_REG_VER:
		return (IOAPIC_PINS - 1) << IOAPIC_VER_MAX_ENTRY_SHIFT | IOAPIC_VERSION;
	}
	if (reg < IOAPIC_REG_REDTBL || reg >= IOAPIC_REG_REDTBL + 2 * IOAPIC_PINS)
		return 0;
	pin = (reg - IOAPIC_REG_REDTBL) / 2;
	if (reg & 1)
		return (uint32_t)(io->rte[pin] >> 32);
	return (uint32_t)io->rte[pin];
}

static void ioapic_write_indirect(struct ioapic *io, uint32_t val)
{
	unsigned reg = io->regsel;

	if (reg == IOAPIC_REG_ID) {
		io->id = (val >> IOAPIC_ID_SHIFT) & IOAPIC_ID_BITS;
		return;
	}
	if (reg < IOAPIC_REG_REDTBL || reg >= IOAPIC_REG_REDTBL + 2 * IOAPIC_PINS) {
		log_guest_once("ioapic: write to read-only/absent register %#x", reg);
		return;
	}
	ioapic_write_rte(io, (reg - IOAPIC_REG_REDTBL) / 2, reg & 1, val);
}

static void ioapic_eoi_locked(struct ioapic *io, uint8_t vector)
{
	for (unsigned pin = 0; pin < IOAPIC_PINS; pin++) {
		uint64_t rte = io->rte[pin];

		if ((rte & IOAPIC_RTE_VECTOR) != vector || !(rte & IOAPIC_RTE_REMOTE_IRR))
			continue;
		io->rte[pin] &= ~IOAPIC_RTE_REMOTE_IRR;
		ioapic_service_level(io, pin);
	}
}

static uint64_t ioapic_bus_read(void *opaque, uint64_t off, unsigned size)
{
	struct ioapic *io = opaque;
	uint64_t v = 0;

	pthread_mutex_lock(&io->lock);
	if (off == IOAPIC_REGSEL)
		v = io->regsel;
	else if (off == IOAPIC_IOWIN && size == 4)
		v = ioapic_read_indirect(io);
	else
		log_guest_once("ioapic: read at %#llx size %u ignored", (unsigned long long)off,
			       size);
	pthread_mutex_unlock(&io->lock);
	return v;
}

static void ioapic_bus_write(void *opaque, uint64_t off, unsigned size, uint64_t val)
{
	struct ioapic *io = opaque;

	pthread_mutex_lock(&io->lock);
	if (off == IOAPIC_REGSEL)
		io->regsel = (uint8_t)val;
	else if (off == IOAPIC_IOWIN && size == 4)
		ioapic_write_indirect(io, (uint32_t)val);
	else if (off == IOAPIC_EOI)
		ioapic_eoi_locked(io, (uint8_t)val);
	else
		log_guest_once("ioapic: write at %#llx size %u ignored", (unsigned long long)off,
			       size);
	pthread_mutex_unlock(&io->lock);
}

const struct bus_ops ioapic_bus_ops = {
	.read = ioapic_bus_read,
	.write = ioapic_bus_write,
};

struct ioapic *ioapic_new(struct msi_sink sink, uint16_t rid)
{
	struct ioapic *io = calloc(1, sizeof(*io));

	if (!io)
		return NULL;
	pthread_mutex_init(&io->lock, NULL);
	io->sink = sink;
	io->rid = rid;
	io->id = IOAPIC_RESET_ID;
	for (unsigned pin = 0; pin < IOAPIC_PINS; pin++)
		io->rte[pin] = IOAPIC_RTE_MASKED;
	return io;
}

void ioapic_free(struct ioapic *io)
{
	if (!io)
		return;
	pthread_mutex_destroy(&io->lock);
	free(io);
}

void ioapic_set_irq(void *ioapic, unsigned pin, int level)
{
	struct ioapic *io = ioapic;
	bool was;

	if (pin >= IOAPIC_PINS) {
		log_guest_once("ioapic: set_irq on absent pin %u", pin);
		return;
	}
	pthread_mutex_lock(&io->lock);
	was = io->asserted & BIT(pin);
	if (level)
		io->asserted |= BIT(pin);
	else
		io->asserted &= ~BIT(pin);
	if (io->rte[pin] & IOAPIC_RTE_LEVEL)
		ioapic_service_level(io, pin);
	else if (level && !was && !(io->rte[pin] & IOAPIC_RTE_MASKED))
		ioapic_deliver(io, pin); /* masked edges are lost */
	pthread_mutex_unlock(&io->lock);
}

void ioapic_eoi(struct ioapic *io, uint8_t vector)
{
	pthread_mutex_lock(&io->lock);
	ioapic_eoi_locked(io, vector);
	pthread_mutex_unlock(&io->lock);
}

void ioapic_set_route_hook(struct ioapic *io, ioapic_route_fn *fn, void *opaque)
{
	pthread_mutex_lock(&io->lock);
	io->route_fn = fn;
	io->route_opaque = opaque;
	pthread_mutex_unlock(&io->lock);
}

void ioapic_set_sink(struct ioapic *io, struct msi_sink sink, uint16_t rid)
{
	pthread_mutex_lock(&io->lock);
	io->sink = sink;
	io->rid = rid;
	pthread_mutex_unlock(&io->lock);
}

void ioapic_replay_routes(struct ioapic *io)
{
	pthread_mutex_lock(&io->lock);
	for (unsigned pin = 0; pin < IOAPIC_PINS; pin++)
		ioapic_route_changed(io, pin);
	pthread_mutex_unlock(&io->lock);
}
