/* SPDX-License-Identifier: MIT */
/* A 16550A UART (COM1). The guest talks to it through port I/O; host input
 * arrives through uart_receive() from the main thread, output goes to a file
 * descriptor from the vCPU thread that wrote THR.
 *
 * Transmission is instantaneous: THR is empty again as soon as the write
 * returns. Host input is flow-controlled: uart_receive() takes only what fits
 * and the UART signals uart_rx_event_fd() once the guest has emptied the RX
 * FIFO, so host input never overruns. Overrun happens only in loopback mode.
 *
 * Character timeout (FIFO mode): no more characters arrive after a
 * uart_receive() batch, so data sitting below the trigger level reports the
 * character-timeout interrupt at once rather than after four character times.
 *
 * The interrupt line follows the computed IIR state and is not gated by
 * MCR.OUT2, as in QEMU, kvmtool and Firecracker. */
#ifndef DEVICES_UART_H
#define DEVICES_UART_H

#include <stddef.h>
#include <stdint.h>
#include "vmm/bus.h"
#include "vmm/irq.h"

/* Register offsets (into the 8-port range). */
#define UART_RBR     0 /* in: receive buffer (DLAB=0) */
#define UART_THR     0 /* out: transmit holding (DLAB=0) */
#define UART_DLL     0 /* divisor latch low (DLAB=1) */
#define UART_IER     1 /* interrupt enable (DLAB=0) */
#define UART_DLM     1 /* divisor latch high (DLAB=1) */
#define UART_IIR     2 /* in: interrupt identification */
#define UART_FCR     2 /* out: FIFO control */
#define UART_LCR     3 /* line control */
#define UART_MCR     4 /* modem control */
#define UART_LSR     5 /* line status */
#define UART_MSR     6 /* modem status */
#define UART_SCR     7 /* scratch */
#define UART_NR_REGS 8

/* IER */
#define UART_IER_RDI  BIT(0) /* received data available */
#define UART_IER_THRI BIT(1) /* THR empty */
#define UART_IER_RLSI BIT(2) /* receiver line status */
#define UART_IER_MSI  BIT(3) /* modem status */
#define UART_IER_MASK 0x0f

/* IIR: bits 3:1 identify the highest-priority pending source. */
#define UART_IIR_NO_INT	 0x01 /* no interrupt pending */
#define UART_IIR_MSI	 0x00 /* modem status (priority 4) */
#define UART_IIR_THRI	 0x02 /* THR empty (priority 3) */
#define UART_IIR_RDI	 0x04 /* received data available (priority 2) */
#define UART_IIR_RLSI	 0x06 /* receiver line status (priority 1) */
#define UART_IIR_CTI	 0x0c /* character timeout (priority 2) */
#define UART_IIR_FIFO_ON 0xc0 /* FIFOs enabled */

/* FCR */
#define UART_FCR_ENABLE	    BIT(0) /* enable FIFOs */
#define UART_FCR_CLEAR_RX   BIT(1) /* reset the RX FIFO (self-clearing) */
#define UART_FCR_CLEAR_TX   BIT(2) /* reset the TX FIFO (self-clearing) */
#define UART_FCR_DMA	    BIT(3) /* DMA mode select (no effect here) */
#define UART_FCR_TRIG_SHIFT 6	   /* RX trigger level: 1, 4, 8, 14 bytes */

/* LCR */
#define UART_LCR_DLAB BIT(7) /* divisor latch access */

/* MCR */
#define UART_MCR_DTR  BIT(0)
#define UART_MCR_RTS  BIT(1)
#define UART_MCR_OUT1 BIT(2)
#define UART_MCR_OUT2 BIT(3)
#define UART_MCR_LOOP BIT(4) /* loopback */
#define UART_MCR_MASK 0x1f

/* LSR */
#define UART_LSR_DR		BIT(0) /* data ready */
#define UART_LSR_OE		BIT(1) /* overrun error */
#define UART_LSR_PE		BIT(2) /* parity error */
#define UART_LSR_FE		BIT(3) /* framing error */
#define UART_LSR_BI		BIT(4) /* break interrupt */
#define UART_LSR_THRE		BIT(5) /* THR empty */
#define UART_LSR_TEMT		BIT(6) /* transmitter empty */
#define UART_LSR_FIFOE		BIT(7) /* error in RX FIFO */
#define UART_LSR_BRK_ERROR_BITS 0x1e   /* OE | PE | FE | BI */

/* MSR */
#define UART_MSR_DCTS	   BIT(0) /* delta CTS */
#define UART_MSR_DDSR	   BIT(1) /* delta DSR */
#define UART_MSR_TERI	   BIT(2) /* trailing edge RI */
#define UART_MSR_DDCD	   BIT(3) /* delta DCD */
#define UART_MSR_CTS	   BIT(4)
#define UART_MSR_DSR	   BIT(5)
#define UART_MSR_RI	   BIT(6)
#define UART_MSR_DCD	   BIT(7)
#define UART_MSR_ANY_DELTA 0x0f

#define UART_FIFO_SIZE 16

struct uart;

/* Create a UART in its reset state. irq is raised (level 1) while an enabled
 * interrupt is pending and lowered otherwise; irq.set is called with the UART
 * lock held and must not call back into the UART. out_fd receives the guest's
 * output (-1: discard); the UART does not close it. Returns NULL on
 * allocation or eventfd failure. */
struct uart *uart_new(struct irq_line irq, int out_fd);

/* Free a UART and close its event fd. NULL is ignored. No access may be in
 * flight. */
void uart_free(struct uart *u);

/* Port I/O handlers: register at PORT_COM1, length 8, opaque = the uart.
 * Accesses wider than a byte use the low byte; reads return one byte. */
extern const struct bus_ops uart_bus_ops;

/* Host input: copy up to n bytes into the RX FIFO. Returns how many fit (the
 * caller keeps the rest and waits for uart_rx_event_fd()). Thread-safe. */
size_t uart_receive(struct uart *u, const uint8_t *buf, size_t n);

/* Free room in the RX FIFO (1 byte deep when FIFOs are off). When it returns
 * 0 the UART will signal uart_rx_event_fd() once the guest empties the FIFO.
 * Thread-safe. */
size_t uart_rx_space(struct uart *u);

/* A non-blocking eventfd, readable after the guest emptied an RX FIFO that
 * had refused host input. The caller reads (resets) it. Owned by the UART. */
int uart_rx_event_fd(struct uart *u);

#endif
