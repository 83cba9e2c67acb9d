/* SPDX-License-Identifier: MIT */
/* Polled output on the COM1 16550 (0x3f8). The register numbers and bits
 * (UART_TX, UART_LSR_THRE...) are <linux/serial_reg.h>'s, for the tests too. */
#ifndef GT_SERIAL_H
#define GT_SERIAL_H

#include <linux/serial_reg.h>
#include <stddef.h>

#define COM1_BASE 0x3f8

/* 8N1, FIFOs on, interrupts off. The divisor is left as the VMM set it. */
void serial_init(void);

/* Write one byte, waiting (bounded) for THR empty. */
void serial_putc(char c);

/* Write n bytes. */
void serial_write(const char *s, size_t n);

#endif
