// SPDX-License-Identifier: MIT
/* Unit tests for the 16550A UART model (devices/uart.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "devices/uart.h"

struct fake_irq {
	int levels[64];
	int n;
};

struct fixture {
	struct fake_irq irq;
	struct uart *u;
	int pipe[2];
};

static void fake_irq_set(void *opaque, unsigned pin, int level)
{
	struct fake_irq *f = opaque;

	assert_int_equal(pin, 4);
	if (f->n < (int)ARRAY_SIZE(f->levels))
		f->levels[f->n++] = level;
}

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	struct irq_line line = {fake_irq_set, &fx->irq, 4};

	assert_non_null(fx);
	assert_int_equal(pipe2(fx->pipe, O_NONBLOCK), 0);
	fx->u = uart_new(line, fx->pipe[1]);
	assert_non_null(fx->u);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	uart_free(fx->u);
	close(fx->pipe[0]);
	if (fx->pipe[1] >= 0)
		close(fx->pipe[1]);
	free(fx);
	return 0;
}

static uint8_t rd(struct fixture *fx, unsigned off)
{
	return (uint8_t)uart_bus_ops.read(fx->u, off, 1);
}

static void wr(struct fixture *fx, unsigned off, uint8_t v)
{
	uart_bus_ops.write(fx->u, off, 1, v);
}

static ssize_t drain_pipe(struct fixture *fx, char *buf, size_t n)
{
	ssize_t r = read(fx->pipe[0], buf, n);

	return r < 0 ? 0 : r;
}

static void test_reset_and_masks(void **state)
{
	struct fixture *fx = *state;

	assert_int_equal(rd(fx, UART_IER), 0);
	assert_int_equal(rd(fx, UART_IIR), UART_IIR_NO_INT);
	assert_int_equal(rd(fx, UART_LCR), 0);
	assert_int_equal(rd(fx, UART_MCR), 0);
	assert_int_equal(rd(fx, UART_LSR), UART_LSR_THRE | UART_LSR_TEMT);
	assert_int_equal(rd(fx, UART_MSR), 0xb0); /* DCD | DSR | CTS */

	wr(fx, UART_IER, 0xff);
	assert_int_equal(rd(fx, UART_IER), 0x0f);
	wr(fx, UART_IER, 0);
	wr(fx, UART_MCR, 0xef);
	assert_int_equal(rd(fx, UART_MCR), 0x0f);
	wr(fx, UART_MCR, 0);
	wr(fx, UART_SCR, 0x5a);
	assert_int_equal(rd(fx, UART_SCR), 0x5a);
	wr(fx, UART_LCR, 0x1b);
	assert_int_equal(rd(fx, UART_LCR), 0x1b);
	/* LSR and MSR are read-only. */
	wr(fx, UART_LSR, 0);
	assert_int_equal(rd(fx, UART_LSR), UART_LSR_THRE | UART_LSR_TEMT);
	wr(fx, UART_MSR, 0);
	assert_int_equal(rd(fx, UART_MSR), 0xb0);
	/* IER 0xff raised THRE, IER 0 lowered it. */
	assert_int_equal(fx->irq.n, 2);
	assert_int_equal(fx->irq.levels[0], 1);
	assert_int_equal(fx->irq.levels[1], 0);
}

static void test_dlab(void **state)
{
	struct fixture *fx = *state;
	char buf[8];

	wr(fx, UART_IER, 0x05);
	wr(fx, UART_LCR, UART_LCR_DLAB | 0x03);
	wr(fx, UART_DLL, 0x01);
	wr(fx, UART_DLM, 0x02);
	assert_int_equal(rd(fx, UART_DLL), 0x01);
	assert_int_equal(rd(fx, UART_DLM), 0x02);
	assert_int_equal(drain_pipe(fx, buf, sizeof(buf)), 0); /* no output */
	wr(fx, UART_LCR, 0x03);
	assert_int_equal(rd(fx, UART_IER), 0x05);
	wr(fx, UART_LCR, UART_LCR_DLAB);
	assert_int_equal(rd(fx, UART_DLL), 0x01);
	assert_int_equal(rd(fx, UART_DLM), 0x02);
}

static void test_output_and_lsr(void **state)
{
	struct fixture *fx = *state;
	char buf[8];

	wr(fx, UART_TX, 'h');
	assert_int_equal(rd(fx, UART_LSR) & 0x61, UART_LSR_THRE | UART_LSR_TEMT);
	wr(fx, UART_TX, 'i');
	assert_int_equal(drain_pipe(fx, buf, sizeof(buf)), 2);
	assert_memory_equal(buf, "hi", 2);
}

static void test_output_failures(void **state)
{
	struct fixture *fx = *state;
	struct timespec a, b;
	char fill[4096];

	/* A full pipe nobody drains: bytes are dropped, the vCPU never
	 * blocks for long. */
	memset(fill, 'x', sizeof(fill));
	while (write(fx->pipe[1], fill, sizeof(fill)) > 0)
		;
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (int i = 0; i < 20; i++)
		wr(fx, UART_TX, 'y');
	clock_gettime(CLOCK_MONOTONIC, &b);
	assert_true(b.tv_sec - a.tv_sec < 2);
	assert_int_equal(rd(fx, UART_LSR) & UART_LSR_TEMT, UART_LSR_TEMT);

	/* Closed reader: no crash, output discarded. */
	signal(SIGPIPE, SIG_IGN);
	close(fx->pipe[0]);
	fx->pipe[0] = open("/dev/null", O_RDONLY);
	wr(fx, UART_TX, 'z');
	wr(fx, UART_TX, 'z');

	struct irq_line none = {0};
	struct uart *u = uart_new(none, -1);
	uart_bus_ops.write(u, UART_TX, 1, 'q');
	assert_int_equal(uart_bus_ops.read(u, UART_LSR, 1) & 0x60, 0x60);
	uart_free(u);
}

static void test_fifo_overrun_reset(void **state)
{
	struct fixture *fx = *state;

	wr(fx, UART_FCR, UART_FCR_ENABLE_FIFO);
	assert_int_equal(rd(fx, UART_IIR), 0xc1);
	wr(fx, UART_MCR, UART_MCR_LOOP);
	for (int i = 0; i < 17; i++)
		wr(fx, UART_TX, (uint8_t)i);
	assert_int_equal(rd(fx, UART_LSR) & 0x03, UART_LSR_DR | UART_LSR_OE);
	assert_int_equal(rd(fx, UART_LSR) & 0x03, UART_LSR_DR); /* OE cleared */
	for (int i = 0; i < 16; i++)
		assert_int_equal(rd(fx, UART_RX), i);
	assert_int_equal(rd(fx, UART_LSR) & UART_LSR_DR, 0);

	/* RX FIFO reset. */
	wr(fx, UART_TX, 'a');
	wr(fx, UART_TX, 'b');
	wr(fx, UART_FCR, UART_FCR_ENABLE_FIFO | UART_FCR_CLEAR_RCVR);
	assert_int_equal(rd(fx, UART_LSR) & UART_LSR_DR, 0);
	assert_int_equal(rd(fx, UART_IIR) & 0xc0, 0xc0);

	/* Disabling FIFOs clears them; 16450 mode holds one byte and an
	 * overrun overwrites it. */
	wr(fx, UART_TX, 'c');
	wr(fx, UART_FCR, 0);
	assert_int_equal(rd(fx, UART_IIR), UART_IIR_NO_INT);
	assert_int_equal(rd(fx, UART_LSR) & UART_LSR_DR, 0);
	wr(fx, UART_TX, 'd');
	wr(fx, UART_TX, 'e');
	assert_int_equal(rd(fx, UART_LSR) & 0x03, UART_LSR_DR | UART_LSR_OE);
	assert_int_equal(rd(fx, UART_RX), 'e');
	assert_int_equal(rd(fx, UART_LSR) & 0x03, 0);
}

static void test_receive_capacity(void **state)
{
	struct fixture *fx = *state;
	uint8_t in[20];

	for (int i = 0; i < 20; i++)
		in[i] = (uint8_t)('A' + i);
	assert_int_equal(uart_rx_space(fx->u), 1);
	assert_int_equal(uart_receive(fx->u, in, 20), 1);
	assert_int_equal(uart_rx_space(fx->u), 0);
	assert_int_equal(rd(fx, UART_RX), 'A');

	wr(fx, UART_FCR, UART_FCR_ENABLE_FIFO);
	assert_int_equal(uart_rx_space(fx->u), 16);
	assert_int_equal(uart_receive(fx->u, in, 20), 16);
	assert_int_equal(uart_receive(fx->u, in, 1), 0);
	assert_int_equal(rd(fx, UART_LSR) & UART_LSR_OE, 0); /* no overrun */
	for (int i = 0; i < 16; i++)
		assert_int_equal(rd(fx, UART_RX), 'A' + i);
	/* Loopback disconnects the serial input. */
	wr(fx, UART_MCR, UART_MCR_LOOP);
	assert_int_equal(uart_rx_space(fx->u), 0);
	assert_int_equal(uart_receive(fx->u, in, 1), 0);
}

static bool efd_readable(struct fixture *fx)
{
	uint64_t v;

	return read(uart_rx_event_fd(fx->u), &v, sizeof(v)) == sizeof(v);
}

static void test_rx_event_fd(void **state)
{
	struct fixture *fx = *state;
	const uint8_t in[3] = {'x', 'y', 'z'};

	assert_true(uart_rx_event_fd(fx->u) >= 0);
	assert_int_equal(uart_receive(fx->u, in, 3), 1);
	assert_false(efd_readable(fx));
	assert_int_equal(rd(fx, UART_RX), 'x');
	assert_true(efd_readable(fx));
	assert_false(efd_readable(fx)); /* one signal per refusal */

	/* No refusal, no signal. */
	assert_int_equal(uart_receive(fx->u, in + 1, 1), 1);
	assert_int_equal(rd(fx, UART_RX), 'y');
	assert_false(efd_readable(fx));

	/* Refused in loopback: signalled when loopback ends. */
	wr(fx, UART_MCR, UART_MCR_LOOP);
	assert_int_equal(uart_receive(fx->u, in + 2, 1), 0);
	assert_false(efd_readable(fx));
	wr(fx, UART_MCR, 0);
	assert_true(efd_readable(fx));
}

static void test_iir_priorities(void **state)
{
	struct fixture *fx = *state;

	wr(fx, UART_MCR, UART_MCR_LOOP | UART_MCR_DTR); /* DSR changes */
	wr(fx, UART_TX, 'a');
	wr(fx, UART_TX, 'b'); /* overrun */
	wr(fx, UART_IER, 0x0f);
	assert_int_equal(rd(fx, UART_IIR), UART_IIR_RLSI);
	assert_int_equal(rd(fx, UART_IIR), UART_IIR_RLSI); /* not cleared */
	rd(fx, UART_LSR);
	assert_int_equal(rd(fx, UART_IIR), UART_IIR_RDI);
	rd(fx, UART_RX);
	assert_int_equal(rd(fx, UART_IIR), UART_IIR_THRI);
	assert_int_equal(rd(fx, UART_IIR), UART_IIR_MSI); /* THRE cleared */
	/* DTR only: CTS and DCD dropped, DSR unchanged. */
	assert_int_equal(rd(fx, UART_MSR) & UART_MSR_ANY_DELTA, UART_MSR_DCTS | UART_MSR_DDCD);
	assert_int_equal(rd(fx, UART_IIR), UART_IIR_NO_INT);
	assert_int_equal(rd(fx, UART_MSR) & UART_MSR_ANY_DELTA, 0);
}

static void test_fifo_trigger_and_timeout(void **state)
{
	struct fixture *fx = *state;
	const uint8_t in[4] = {1, 2, 3, 4};

	wr(fx, UART_FCR, UART_FCR_ENABLE_FIFO | (1 << UART_FCR_R_TRIG_SHIFT)); /* 4 */
	wr(fx, UART_IER, UART_IER_RDI);
	assert_int_equal(uart_receive(fx->u, in, 2), 2);
	assert_int_equal(rd(fx, UART_IIR), 0xc0 | UART_IIR_RX_TIMEOUT);
	assert_int_equal(uart_receive(fx->u, in, 2), 2);
	assert_int_equal(rd(fx, UART_IIR), 0xc0 | UART_IIR_RDI);
	for (int i = 0; i < 4; i++)
		rd(fx, UART_RX);
	assert_int_equal(rd(fx, UART_IIR), 0xc1);
}

static void test_thre_semantics(void **state)
{
	struct fixture *fx = *state;

	wr(fx, UART_IER, UART_IER_THRI);
	assert_int_equal(fx->irq.n, 1);
	assert_int_equal(fx->irq.levels[0], 1);
	assert_int_equal(rd(fx, UART_IIR), UART_IIR_THRI);
	assert_int_equal(fx->irq.levels[1], 0);
	assert_int_equal(rd(fx, UART_IIR), UART_IIR_NO_INT);
	/* Rewriting ETBEI=1 is not a 0->1 change. */
	wr(fx, UART_IER, UART_IER_THRI);
	assert_int_equal(rd(fx, UART_IIR), UART_IIR_NO_INT);
	/* Linux's UART_BUG_THRE probe: 0 then 1 must re-raise. */
	wr(fx, UART_IER, 0);
	wr(fx, UART_IER, UART_IER_THRI);
	assert_int_equal(rd(fx, UART_IIR), UART_IIR_THRI);
	/* A THR write re-raises THRE once the byte is out. */
	fx->irq.n = 0;
	wr(fx, UART_TX, 'x');
	assert_int_equal(fx->irq.n, 1);
	assert_int_equal(fx->irq.levels[0], 1);
	assert_int_equal(rd(fx, UART_IIR), UART_IIR_THRI);
	/* Writing THR while THRE is pending: a fresh edge (down then up). */
	wr(fx, UART_IER, 0);
	wr(fx, UART_IER, UART_IER_THRI);
	fx->irq.n = 0;
	wr(fx, UART_TX, 'y');
	assert_int_equal(fx->irq.n, 2);
	assert_int_equal(fx->irq.levels[0], 0);
	assert_int_equal(fx->irq.levels[1], 1);
	/* Disabling ETBEI drops the line. */
	wr(fx, UART_IER, 0);
	assert_int_equal(fx->irq.levels[fx->irq.n - 1], 0);
}

static void test_loopback(void **state)
{
	struct fixture *fx = *state;
	char buf[4];

	/* Linux autoconfig: LOOP | RTS | OUT2 -> MSR status CTS | DCD. */
	wr(fx, UART_MCR, UART_MCR_LOOP | 0x0a);
	assert_int_equal(rd(fx, UART_MSR) & 0xf0, 0x90);
	wr(fx, UART_MCR, UART_MCR_LOOP | UART_MCR_DTR | UART_MCR_OUT1);
	assert_int_equal(rd(fx, UART_MSR), UART_MSR_DSR | UART_MSR_RI | UART_MSR_DDSR |
						   UART_MSR_DCTS | UART_MSR_DDCD);
	wr(fx, UART_MCR, UART_MCR_LOOP | UART_MCR_DTR);
	assert_int_equal(rd(fx, UART_MSR), UART_MSR_DSR | UART_MSR_TERI);
	wr(fx, UART_TX, 0x42);
	assert_int_equal(drain_pipe(fx, buf, sizeof(buf)), 0);
	assert_int_equal(rd(fx, UART_LSR) & UART_LSR_DR, UART_LSR_DR);
	assert_int_equal(rd(fx, UART_RX), 0x42);
	wr(fx, UART_MCR, 0);
	assert_int_equal(rd(fx, UART_MSR) & 0xf0, 0xb0);
	wr(fx, UART_TX, 0x43);
	assert_int_equal(drain_pipe(fx, buf, sizeof(buf)), 1);
	assert_int_equal(buf[0], 0x43);
}

static void test_irq_line_rx(void **state)
{
	struct fixture *fx = *state;
	const uint8_t in[2] = {'a', 'b'};

	wr(fx, UART_FCR, UART_FCR_ENABLE_FIFO);
	wr(fx, UART_IER, UART_IER_RDI);
	assert_int_equal(fx->irq.n, 0);
	assert_int_equal(uart_receive(fx->u, in, 2), 2);
	assert_int_equal(fx->irq.n, 1);
	assert_int_equal(fx->irq.levels[0], 1);
	rd(fx, UART_RX);
	assert_int_equal(fx->irq.n, 1); /* still data: stays high */
	rd(fx, UART_RX);
	assert_int_equal(fx->irq.n, 2);
	assert_int_equal(fx->irq.levels[1], 0);
	/* Next input: a fresh rising edge. */
	assert_int_equal(uart_receive(fx->u, in, 1), 1);
	assert_int_equal(fx->irq.n, 3);
	assert_int_equal(fx->irq.levels[2], 1);
	/* Masking the source lowers the line. */
	wr(fx, UART_IER, 0);
	assert_int_equal(fx->irq.levels[3], 0);
	assert_int_equal(fx->irq.n, 4);
}

static void test_wide_access(void **state)
{
	struct fixture *fx = *state;

	uart_bus_ops.write(fx->u, UART_SCR, 2, 0x1234);
	assert_int_equal(uart_bus_ops.read(fx->u, UART_SCR, 4), 0x34);
	assert_int_equal(uart_bus_ops.read(fx->u, UART_LSR, 2), 0x60);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_reset_and_masks),
		T(test_dlab),
		T(test_output_and_lsr),
		T(test_output_failures),
		T(test_fifo_overrun_reset),
		T(test_receive_capacity),
		T(test_rx_event_fd),
		T(test_iir_priorities),
		T(test_fifo_trigger_and_timeout),
		T(test_thre_semantics),
		T(test_loopback),
		T(test_irq_line_rx),
		T(test_wide_access),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
