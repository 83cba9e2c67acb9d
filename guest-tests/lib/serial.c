// SPDX-License-Identifier: MIT
#include "serial.h"

#include "io.h"

/* Each LSR read is a VM exit (~10 us): this bounds a wait at ~10 ms, and a
 * missing UART (LSR reads 0xff) never blocks. */
#define THRE_POLLS 1000

void serial_init(void)
{
	outb(COM1_BASE + UART_IER, 0);
	outb(COM1_BASE + UART_LCR, UART_LCR_WLEN8);
	outb(COM1_BASE + UART_FCR,
	     UART_FCR_ENABLE_FIFO | UART_FCR_CLEAR_RCVR | UART_FCR_CLEAR_XMIT);
	outb(COM1_BASE + UART_MCR, UART_MCR_DTR | UART_MCR_RTS);
}

/* THRE with the FIFO on means the whole 16-byte FIFO is free. */
#define FIFO_DEPTH 16

static void wait_thre(void)
{
	for (int i = 0; i < THRE_POLLS; i++)
		if (inb(COM1_BASE + UART_LSR) & UART_LSR_THRE)
			return;
}

void serial_putc(char c)
{
	wait_thre();
	outb(COM1_BASE + UART_TX, (uint8_t)c);
}

void serial_write(const char *s, size_t n)
{
	/* One LSR read per FIFO load: port I/O may cost a trap each. */
	for (size_t i = 0; i < n; i++) {
		if (i % FIFO_DEPTH == 0)
			wait_thre();
		outb(COM1_BASE + UART_TX, (uint8_t)s[i]);
	}
}
