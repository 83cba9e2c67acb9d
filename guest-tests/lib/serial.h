/* SPDX-License-Identifier: MIT */
/* Polled output on the COM1 16550 (0x3f8). Register numbers for tests. */
#ifndef GT_SERIAL_H
#define GT_SERIAL_H

#include <stddef.h>

#define COM1_BASE 0x3f8
#define UART_RBR  0 /* receive buffer (read, DLAB 0) */
#define UART_THR  0 /* transmit holding (write, DLAB 0) */
#define UART_IER  1
#define UART_IIR  2 /* read */
#define UART_FCR  2 /* write */
#define UART_LCR  3
#define UART_MCR  4
#define UART_LSR  5
#define UART_MSR  6
#define UART_SCR  7

#define UART_IER_RDI	0x01
#define UART_IER_THRI	0x02
#define UART_IIR_NO_INT 0x01
#define UART_IIR_ID	0x0e
#define UART_IIR_THRI	0x02
#define UART_IIR_RDI	0x04
#define UART_LSR_DR	0x01
#define UART_LSR_THRE	0x20
#define UART_LSR_TEMT	0x40
#define UART_MCR_DTR	0x01
#define UART_MCR_RTS	0x02
#define UART_MCR_OUT1	0x04
#define UART_MCR_OUT2	0x08
#define UART_MCR_LOOP	0x10

/* 8N1, FIFOs on, interrupts off. The divisor is left as the VMM set it. */
void serial_init(void);

/* Write one byte, waiting (bounded) for THR empty. */
void serial_putc(char c);

/* Write n bytes. */
void serial_write(const char *s, size_t n);

#endif
