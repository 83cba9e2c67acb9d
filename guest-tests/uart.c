// SPDX-License-Identifier: MIT
/* The COM1 16550A: LSR after a write, scratch register, loopback (MCR bit
 * 4) with LSR.DR and the modem-status mirror, IER/IIR, and a THR-empty
 * interrupt through the IOAPIC pin the MADT gives for ISA IRQ 4. Nothing is
 * printed while the UART is in loopback or has interrupts enabled: results
 * are collected first and reported afterwards. */
#include "guest.h"

#define COM1	    COM1_BASE
#define UART_IRQ    4
#define UART_VECTOR 0x44
#define POLLS	    1000 /* each is a VM exit: ~10-50 us */

struct loop_result {
	uint8_t lsr_before, rx, lsr_after_read, msr_all, msr_none;
	bool dr_seen;
};

static volatile unsigned irq_count;
static volatile uint8_t irq_iir[4];

static void uart_isr(struct trap_frame *f)
{
	unsigned n = irq_count;

	(void)f;
	if (n < ARRAY_SIZE(irq_iir))
		irq_iir[n] = inb(COM1 + UART_IIR); /* reading IIR clears THRI */
	irq_count = n + 1;
	lapic_eoi();
}

static uint8_t lsr_wait(uint8_t bits)
{
	uint8_t lsr = 0;

	for (int i = 0; i < POLLS; i++) {
		lsr = inb(COM1 + UART_LSR);
		if ((lsr & bits) == bits)
			break;
	}
	return lsr;
}

static void check_lsr_scratch(void)
{
	uint8_t lsr, a, b;

	outb(COM1 + UART_TX, '\n');
	lsr = lsr_wait(UART_LSR_THRE | UART_LSR_TEMT);
	report((lsr & (UART_LSR_THRE | UART_LSR_TEMT)) == (UART_LSR_THRE | UART_LSR_TEMT),
	       "LSR THRE and TEMT set after a write (LSR %#x)", lsr);
	outb(COM1 + UART_SCR, 0x5a);
	a = inb(COM1 + UART_SCR);
	outb(COM1 + UART_SCR, 0xa5);
	b = inb(COM1 + UART_SCR);
	report(a == 0x5a && b == 0xa5, "scratch register keeps 0x5a / 0xa5 (%#x / %#x)", a, b);
}

static void loopback(struct loop_result *r)
{
	outb(COM1 + UART_MCR, UART_MCR_LOOP);
	/* Drain anything received earlier. */
	for (int i = 0; i < 32 && (inb(COM1 + UART_LSR) & UART_LSR_DR); i++)
		inb(COM1 + UART_RX);
	r->lsr_before = inb(COM1 + UART_LSR);
	outb(COM1 + UART_TX, 0xa7);
	for (int i = 0; i < POLLS && !r->dr_seen; i++)
		r->dr_seen = inb(COM1 + UART_LSR) & UART_LSR_DR;
	r->rx = inb(COM1 + UART_RX);
	r->lsr_after_read = inb(COM1 + UART_LSR);
	/* Loopback mirrors DTR, RTS, OUT1, OUT2 into DSR, CTS, RI, DCD. */
	outb(COM1 + UART_MCR, UART_MCR_LOOP | 0x0f);
	r->msr_all = inb(COM1 + UART_MSR);
	outb(COM1 + UART_MCR, UART_MCR_LOOP);
	r->msr_none = inb(COM1 + UART_MSR);
	outb(COM1 + UART_MCR, UART_MCR_DTR | UART_MCR_RTS);
}

static void check_loopback(void)
{
	struct loop_result r = {0};

	loopback(&r);
	report(!(r.lsr_before & UART_LSR_DR), "loopback: LSR.DR clear before the write (%#x)",
	       r.lsr_before);
	report(r.dr_seen, "loopback: LSR.DR set after writing THR");
	report(r.rx == 0xa7, "loopback: RBR returns the byte written (%#x)", r.rx);
	report(!(r.lsr_after_read & UART_LSR_DR), "loopback: LSR.DR clear after reading RBR (%#x)",
	       r.lsr_after_read);
	report((r.msr_all & 0xf0) == 0xf0 && (r.msr_none & 0xf0) == 0,
	       "loopback: MSR[7:4] mirrors MCR[3:0] (%#x, %#x)", r.msr_all, r.msr_none);
}

static void check_iir(void)
{
	uint8_t none, thri, after;

	outb(COM1 + UART_IER, 0);
	none = inb(COM1 + UART_IIR);
	lsr_wait(UART_LSR_THRE);
	outb(COM1 + UART_IER, UART_IER_THRI);
	thri = inb(COM1 + UART_IIR);
	after = inb(COM1 + UART_IIR);
	outb(COM1 + UART_IER, 0);
	report(inb(COM1 + UART_IER) == 0, "IER reads back 0");
	report((none & 0x0f) == UART_IIR_NO_INT, "IIR with IER 0: no interrupt (%#x)", none);
	report((none & 0xc0) == 0xc0, "IIR[7:6] = 11: FIFOs enabled (%#x)", none);
	report((thri & 0x0f) == UART_IIR_THRI, "IIR after IER.THRI with THR empty: THRI (%#x)",
	       thri);
	report((after & 0x0f) == UART_IIR_NO_INT, "reading IIR cleared the THRI (%#x)", after);
}

static bool wait_irqs(unsigned want)
{
	uint64_t end = time_us() + 1000000;

	while (irq_count < want && time_us() < end)
		cpu_relax();
	return irq_count >= want;
}

static void check_interrupt(void)
{
	struct madt_info m;
	const struct madt_ioapic *io;
	uint16_t flags;
	uint32_t gsi, pin;
	uint64_t rte, back;
	bool first, second;
	unsigned spurious;

	if (!report(madt_parse(&m) == 0, "MADT present"))
		return;
	gsi = madt_isa_gsi(&m, UART_IRQ, &flags);
	io = madt_ioapic_for(&m, gsi);
	if (!report(io != NULL, "IRQ %u -> GSI %u has an IOAPIC", UART_IRQ, gsi))
		return;
	pin = gsi - io->gsi_base;
	/* ISA default: edge, active high; an ISO may say otherwise. */
	rte = UART_VECTOR | RTE_DEST(lapic_id());
	if ((flags & 3) == 3)
		rte |= RTE_ACTIVE_LOW;
	if (((flags >> 2) & 3) == 3)
		rte |= RTE_LEVEL;
	trap_set_handler(UART_VECTOR, uart_isr);
	ioapic_set_rte(io->addr, pin, rte);
	back = ioapic_get_rte(io->addr, pin);

	outb(COM1 + UART_MCR, UART_MCR_DTR | UART_MCR_RTS | UART_MCR_OUT2);
	irq_enable();
	lsr_wait(UART_LSR_THRE);
	outb(COM1 + UART_IER, UART_IER_THRI); /* THR is empty: raise now */
	first = wait_irqs(1);
	/* A second one after a transmission, in loopback so nothing shows. */
	outb(COM1 + UART_MCR, UART_MCR_LOOP | UART_MCR_OUT2);
	outb(COM1 + UART_TX, 0x3c);
	second = wait_irqs(2);
	outb(COM1 + UART_IER, 0);
	irq_disable();
	ioapic_mask(io->addr, pin);
	for (int i = 0; i < 32 && (inb(COM1 + UART_LSR) & UART_LSR_DR); i++)
		inb(COM1 + UART_RX);
	outb(COM1 + UART_MCR, UART_MCR_DTR | UART_MCR_RTS);
	trap_set_handler(UART_VECTOR, NULL);
	spurious = (unsigned)trap_unexpected_count();

	report_info("IRQ %u -> GSI %u -> IOAPIC %#x pin %u, ISO flags %#x, RTE %#lx", UART_IRQ, gsi,
		    io->addr, pin, flags, (unsigned long)rte);
	report((back & 0x1ffff) == (rte & 0x1ffff) && back >> 56 == rte >> 56,
	       "IOAPIC RTE reads back (%#lx)", (unsigned long)back);
	report(first, "THRI interrupt delivered on vector %#x after IER.THRI", UART_VECTOR);
	report(first && (irq_iir[0] & 0x0f) == UART_IIR_THRI, "handler saw IIR = THRI (%#x)",
	       irq_iir[0]);
	report(second, "second THRI interrupt after a transmission (%u total)", irq_count);
	report(spurious == 0, "no interrupts on unexpected vectors (%u)", spurious);
}

int main(void)
{
	report_info("COM1 at %#x, ISA IRQ %u, vector %#x", COM1, UART_IRQ, UART_VECTOR);
	check_lsr_scratch();
	check_loopback();
	check_iir();
	check_interrupt();
	return 0;
}
