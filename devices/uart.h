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

#include <linux/serial_reg.h>
#include <stddef.h>
#include <stdint.h>

#include "vmm/bus.h"
#include "vmm/irq.h"

/* The register offsets (into the 8-port range) and their bits are
 * <linux/serial_reg.h>'s: UART_RX, UART_TX, UART_IER_RDI, UART_LSR_THRE... */
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
