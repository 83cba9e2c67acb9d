/* SPDX-License-Identifier: MIT */
/* virtio-console (spec 5.3), a second console: port 0 only (no MULTIPORT),
 * receiveq 0 and transmitq 1, config cols = rows = 0 (no F_SIZE).
 *
 * Output (transmitq) goes to stdout or a file, or is dropped (off). Input
 * is not implemented: the main loop owns stdin and feeds it to the UART,
 * so the receive buffers the driver posts stay queued, unused. */
#ifndef DEVICES_VIRTIO_CONSOLE_H
#define DEVICES_VIRTIO_CONSOLE_H

#include <linux/virtio_console.h>
#include <stddef.h>

#include "devices/virtio/virtio.h"
#include "vmm/config.h"

#define VIRTIO_CONSOLE_QUEUE_SIZE 64u
#define VIRTIO_CONSOLE_RXQ	  0u
#define VIRTIO_CONSOLE_TXQ	  1u

struct virtio_console {
	struct virtio_dev vdev;
	int out_fd;  /* -1: output dropped */
	bool own_fd; /* out_fd was opened here (a file) */
	struct virtio_console_config cfg;
	struct virtq_chain chain; /* scratch for the worker */
};

/* A new device writing to stdout (SERIAL_TTY), a file truncated at open
 * (SERIAL_FILE, path), or nowhere (SERIAL_OFF). NULL with a one-line
 * reason in err. */
struct virtio_console *virtio_console_new(enum serial_mode mode, const char *path, char *err,
					  size_t errlen);

/* Close the file (if any) and free c. NULL is fine. */
void virtio_console_free(struct virtio_console *c);

/* Write the readable buffers of one transmit chain to the output.
 * Exposed for the unit tests. */
void virtio_console_output(struct virtio_console *con, struct virtq_chain *c);

extern const struct virtio_dev_ops virtio_console_ops;

#endif
