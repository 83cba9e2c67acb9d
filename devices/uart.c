// SPDX-License-Identifier: MIT
/* 16550A UART. See uart.h for the model's simplifications. One mutex guards
 * the state: bus accesses come from vCPU threads, uart_receive() from the
 * main thread. The interrupt line and the output fd are driven with the lock
 * held, so line transitions and output bytes stay in order. */
#include "devices/uart.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "vmm/log.h"

/* How long one output byte may wait for a slow out_fd before it is dropped.
 * After a drop, later bytes do not wait until the fd is writable again. */
#define UART_OUT_TIMEOUT_MS 100
#define UART_OUT_MAX_TRIES  16

/* What the model implements of the registers <linux/serial_reg.h> names. */
#define UART_NR_REGS	 8
#define UART_IER_MASK	 (UART_IER_RDI | UART_IER_THRI | UART_IER_RLSI | UART_IER_MSI)
#define UART_MCR_MASK	 (UART_MCR_DTR | UART_MCR_RTS | UART_MCR_OUT1 | UART_MCR_OUT2 | UART_MCR_LOOP)
#define UART_IIR_FIFO_ON 0xc0 /* IIR bits 7:6 with FIFOs on (not in the 6.1 UAPI) */

struct uart {
	pthread_mutex_t lock;
	struct irq_line irq;
	int out_fd;
	bool out_stalled;
	int rx_efd;
	bool rx_refused; /* host input was refused: signal rx_efd later */

	uint8_t ier, lcr, mcr, lsr, msr, scr, dll, dlm, fcr;
	bool thr_ipending; /* THRE interrupt latched (datasheet semantics) */
	int irq_level;

	uint8_t rx[UART_FIFO_SIZE];
	unsigned rx_head, rx_count;
};

static const uint8_t uart_trigger_levels[4] = {1, 4, 8, 14};

static bool uart_fifo_on(const struct uart *u)
{
	return u->fcr & UART_FCR_ENABLE_FIFO;
}

static unsigned uart_rx_capacity(const struct uart *u)
{
	return uart_fifo_on(u) ? UART_FIFO_SIZE : 1;
}

static bool uart_rx_push(struct uart *u, uint8_t c)
{
	if (u->rx_count >= uart_rx_capacity(u))
		return false;
	u->rx[(u->rx_head + u->rx_count) % UART_FIFO_SIZE] = c;
	u->rx_count++;
	return true;
}

static uint8_t uart_rx_pop(struct uart *u)
{
	uint8_t c = u->rx[u->rx_head];

	u->rx_head = (u->rx_head + 1) % UART_FIFO_SIZE;
	u->rx_count--;
	return c;
}

/* Room for host input; none while in loopback (the serial input is cut). */
static size_t uart_host_space(const struct uart *u)
{
	if (u->mcr & UART_MCR_LOOP)
		return 0;
	return uart_rx_capacity(u) - u->rx_count;
}

/* Tell the main loop to feed more input once the guest emptied the FIFO. */
static void uart_rx_notify(struct uart *u)
{
	uint64_t one = 1;

	if (!u->rx_refused || u->rx_count || (u->mcr & UART_MCR_LOOP))
		return;
	u->rx_refused = false;
	/* Only fails (EAGAIN) when the counter is saturated: already readable. */
	if (write(u->rx_efd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		log_warn("uart: eventfd write failed (errno %d)", errno);
}

/* The highest-priority pending and enabled source, as IIR bits 3:0. */
static uint8_t uart_iir_pending(const struct uart *u)
{
	if ((u->ier & UART_IER_RLSI) && (u->lsr & UART_LSR_BRK_ERROR_BITS))
		return UART_IIR_RLSI;
	if ((u->ier & UART_IER_RDI) && u->rx_count) {
		if (!uart_fifo_on(u) ||
		    u->rx_count >= uart_trigger_levels[UART_FCR_R_TRIG_BITS(u->fcr)])
			return UART_IIR_RDI;
		return UART_IIR_RX_TIMEOUT; /* the 16550 character timeout */
	}
	if ((u->ier & UART_IER_THRI) && u->thr_ipending)
		return UART_IIR_THRI;
	if ((u->ier & UART_IER_MSI) && (u->msr & UART_MSR_ANY_DELTA))
		return UART_IIR_MSI;
	return UART_IIR_NO_INT;
}

static void uart_irq_update(struct uart *u)
{
	int level = uart_iir_pending(u) != UART_IIR_NO_INT;

	if (level == u->irq_level)
		return;
	u->irq_level = level;
	irq_line_set(&u->irq, level);
}

/* Modem status lines: wired to MCR in loopback, else DCD|DSR|CTS. Changes
 * latch the delta bits, which are cleared by reading MSR. */
static void uart_msr_update(struct uart *u)
{
	uint8_t old = u->msr, now, delta = 0;

	if (u->mcr & UART_MCR_LOOP) {
		now = 0;
		if (u->mcr & UART_MCR_DTR)
			now |= UART_MSR_DSR;
		if (u->mcr & UART_MCR_RTS)
			now |= UART_MSR_CTS;
		if (u->mcr & UART_MCR_OUT1)
			now |= UART_MSR_RI;
		if (u->mcr & UART_MCR_OUT2)
			now |= UART_MSR_DCD;
	} else {
		now = UART_MSR_DCD | UART_MSR_DSR | UART_MSR_CTS;
	}
	if ((old ^ now) & UART_MSR_CTS)
		delta |= UART_MSR_DCTS;
	if ((old ^ now) & UART_MSR_DSR)
		delta |= UART_MSR_DDSR;
	if ((old ^ now) & UART_MSR_DCD)
		delta |= UART_MSR_DDCD;
	if ((old & UART_MSR_RI) && !(now & UART_MSR_RI))
		delta |= UART_MSR_TERI;
	u->msr = now | (old & UART_MSR_ANY_DELTA) | delta;
}

/* Write one byte to out_fd without blocking for long: retry EINTR and short
 * writes, wait at most UART_OUT_TIMEOUT_MS for room, else drop the byte. */
static void uart_output(struct uart *u, uint8_t c)
{
	struct pollfd p = {.fd = u->out_fd, .events = POLLOUT};
	int tries, r;

	if (u->out_fd < 0)
		return;
	for (tries = 0; tries < UART_OUT_MAX_TRIES; tries++) {
		r = poll(&p, 1, u->out_stalled ? 0 : UART_OUT_TIMEOUT_MS);
		if (r < 0 && errno == EINTR)
			continue;
		if (r == 0) {
			u->out_stalled = true;
			return;
		}
		if (r < 0 || (p.revents & (POLLERR | POLLHUP | POLLNVAL)))
			break;
		ssize_t n = write(u->out_fd, &c, 1);
		if (n == 1) {
			u->out_stalled = false;
			return;
		}
		if (n < 0 && errno != EINTR && errno != EAGAIN)
			break;
	}
	log_warn("uart: output fd %d failed, discarding output", u->out_fd);
	u->out_fd = -1;
}

static void uart_write_thr(struct uart *u, uint8_t c)
{
	/* Writing THR clears a THRE interrupt; it is raised again once the
	 * byte left, which is at once here: a fresh 0->1 edge per byte. */
	u->thr_ipending = false;
	u->lsr &= ~(UART_LSR_THRE | UART_LSR_TEMT);
	uart_irq_update(u);

	if (u->mcr & UART_MCR_LOOP) {
		if (!uart_rx_push(u, c)) {
			u->lsr |= UART_LSR_OE;
			if (!uart_fifo_on(u)) /* 16450 mode: RBR overwritten */
				u->rx[u->rx_head] = c;
		}
	} else {
		uart_output(u, c);
	}

	u->lsr |= UART_LSR_THRE | UART_LSR_TEMT;
	u->thr_ipending = true;
}

static void uart_write_ier(struct uart *u, uint8_t val)
{
	uint8_t old = u->ier;

	u->ier = val & UART_IER_MASK;
	if (!(u->ier & UART_IER_THRI))
		u->thr_ipending = false;
	else if (!(old & UART_IER_THRI) && (u->lsr & UART_LSR_THRE))
		u->thr_ipending = true; /* enabling ETBEI with THR empty */
}

static void uart_write_fcr(struct uart *u, uint8_t val)
{
	if (!(val & UART_FCR_ENABLE_FIFO)) {
		/* Leaving FIFO mode clears the FIFOs; other bits need FCR0. */
		if (uart_fifo_on(u))
			u->rx_head = u->rx_count = 0;
		u->fcr = 0;
		return;
	}
	if (!uart_fifo_on(u) || (val & UART_FCR_CLEAR_RCVR))
		u->rx_head = u->rx_count = 0;
	/* The TX FIFO is always empty: CLEAR_XMIT has nothing to do. */
	u->fcr = val & ~(UART_FCR_CLEAR_RCVR | UART_FCR_CLEAR_XMIT);
}

static uint8_t uart_read_locked(struct uart *u, unsigned off)
{
	uint8_t v, id;

	switch (off) {
	case UART_RX:
		if (u->lcr & UART_LCR_DLAB)
			return u->dll;
		if (!u->rx_count)
			return 0;
		v = uart_rx_pop(u);
		uart_rx_notify(u);
		return v;
	case UART_IER: return (u->lcr & UART_LCR_DLAB) ? u->dlm : u->ier;
	case UART_IIR:
		id = uart_iir_pending(u);
		if (id == UART_IIR_THRI)
			u->thr_ipending = false; /* reading IIR clears THRE */
		return id | (uart_fifo_on(u) ? UART_IIR_FIFO_ON : 0);
	case UART_LCR: return u->lcr;
	case UART_MCR: return u->mcr;
	case UART_LSR:
		v = u->lsr | (u->rx_count ? UART_LSR_DR : 0);
		u->lsr &= ~UART_LSR_BRK_ERROR_BITS; /* reading LSR clears errors */
		return v;
	case UART_MSR:
		v = u->msr;
		u->msr &= ~UART_MSR_ANY_DELTA;
		return v;
	default: /* UART_SCR */ return u->scr;
	}
}

static void uart_write_locked(struct uart *u, unsigned off, uint8_t val)
{
	switch (off) {
	case UART_TX:
		if (u->lcr & UART_LCR_DLAB)
			u->dll = val;
		else
			uart_write_thr(u, val);
		break;
	case UART_IER:
		if (u->lcr & UART_LCR_DLAB)
			u->dlm = val;
		else
			uart_write_ier(u, val);
		break;
	case UART_FCR:
		uart_write_fcr(u, val);
		uart_rx_notify(u);
		break;
	case UART_LCR: u->lcr = val; break;
	case UART_MCR:
		u->mcr = val & UART_MCR_MASK;
		uart_msr_update(u);
		uart_rx_notify(u);
		break;
	case UART_LSR:
	case UART_MSR: log_guest_once("uart: guest wrote read-only register %u", off); break;
	default: /* UART_SCR */ u->scr = val; break;
	}
}

static uint64_t uart_bus_read(void *opaque, uint64_t off, unsigned size)
{
	struct uart *u = opaque;
	uint8_t v;

	(void)size;
	if (off >= UART_NR_REGS)
		return 0xff;
	pthread_mutex_lock(&u->lock);
	v = uart_read_locked(u, (unsigned)off);
	uart_irq_update(u);
	pthread_mutex_unlock(&u->lock);
	return v;
}

static void uart_bus_write(void *opaque, uint64_t off, unsigned size, uint64_t val)
{
	struct uart *u = opaque;

	(void)size;
	if (off >= UART_NR_REGS)
		return;
	pthread_mutex_lock(&u->lock);
	uart_write_locked(u, (unsigned)off, (uint8_t)val);
	uart_irq_update(u);
	pthread_mutex_unlock(&u->lock);
}

const struct bus_ops uart_bus_ops = {
	.read = uart_bus_read,
	.write = uart_bus_write,
};

struct uart *uart_new(struct irq_line irq, int out_fd)
{
	struct uart *u = calloc(1, sizeof(*u));

	if (!u)
		return NULL;
	u->rx_efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (u->rx_efd < 0) {
		free(u);
		return NULL;
	}
	pthread_mutex_init(&u->lock, NULL);
	u->irq = irq;
	u->out_fd = out_fd;
	u->lsr = UART_LSR_THRE | UART_LSR_TEMT;
	u->msr = UART_MSR_DCD | UART_MSR_DSR | UART_MSR_CTS;
	u->dll = 0x0c; /* 9600 baud */
	return u;
}

void uart_free(struct uart *u)
{
	if (!u)
		return;
	close(u->rx_efd);
	pthread_mutex_destroy(&u->lock);
	free(u);
}

size_t uart_receive(struct uart *u, const uint8_t *buf, size_t n)
{
	size_t done = 0;

	pthread_mutex_lock(&u->lock);
	if (uart_host_space(u))
		while (done < n && uart_rx_push(u, buf[done]))
			done++;
	if (done < n)
		u->rx_refused = true;
	uart_irq_update(u);
	pthread_mutex_unlock(&u->lock);
	return done;
}

size_t uart_rx_space(struct uart *u)
{
	size_t space;

	pthread_mutex_lock(&u->lock);
	space = uart_host_space(u);
	if (!space)
		u->rx_refused = true;
	pthread_mutex_unlock(&u->lock);
	return space;
}

int uart_rx_event_fd(struct uart *u)
{
	return u->rx_efd;
}
