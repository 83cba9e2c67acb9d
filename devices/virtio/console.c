// SPDX-License-Identifier: MIT
#include "devices/virtio/console.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/virtio_ids.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vmm/iovec.h"
#include "vmm/log.h"

/* How long one write may wait for a full non-blocking stdout, and how
 * often; then the rest of the chain is dropped. */
#define CONSOLE_WAIT_MS 100
#define CONSOLE_TRIES	8

struct virtio_console *virtio_console_new(enum serial_mode mode, const char *path, char *err,
					  size_t errlen)
{
	struct virtio_console *con = calloc(1, sizeof(*con));

	if (!con) {
		snprintf(err, errlen, "--console: out of memory");
		return NULL;
	}
	con->out_fd = mode == SERIAL_TTY ? STDOUT_FILENO : -1;
	if (mode == SERIAL_FILE) {
		con->out_fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (con->out_fd < 0) {
			snprintf(err, errlen, "--console: cannot open %s: %s", path,
				 strerror(errno));
			free(con);
			return NULL;
		}
		con->own_fd = true;
	}
	con->vdev.ops = &virtio_console_ops;
	con->vdev.nr_queues = 2;
	con->vdev.queue_max = VIRTIO_CONSOLE_QUEUE_SIZE;
	con->vdev.config = &con->cfg; /* cols = rows = 0: unknown */
	con->vdev.config_len = sizeof(con->cfg);
	return con;
}

void virtio_console_free(struct virtio_console *con)
{
	if (!con)
		return;
	if (con->own_fd)
		close(con->out_fd);
	free(con);
}

void virtio_console_output(struct virtio_console *con, struct virtq_chain *c)
{
	struct iovec iov[VIRTQ_MAX_SEGS];
	unsigned n = c->nr_rd;
	struct iovec *p = iov;
	int err = EAGAIN;

	if (con->out_fd < 0 || !n)
		return;
	memcpy(iov, virtq_chain_rd(c), n * sizeof(*iov));
	for (unsigned t = 0; t < CONSOLE_TRIES && n; t++) {
		ssize_t r = writev(con->out_fd, p, (int)n);

		if (r < 0 && errno == EAGAIN) {
			struct pollfd pfd = {.fd = con->out_fd, .events = POLLOUT};

			poll(&pfd, 1, CONSOLE_WAIT_MS);
			continue;
		}
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			err = errno;
			break;
		}
		iov_advance(&p, &n, (size_t)r);
	}
	if (n)
		log_guest_once("virtio-console: output dropped: %s", strerror(err));
}

static uint32_t console_serve(struct virtio_dev *vdev, struct virtq_chain *c)
{
	virtio_console_output(container_of(vdev, struct virtio_console, vdev), c);
	return 0; /* the device wrote nothing into the chain */
}

static void console_queue_notify(struct virtio_dev *vdev, unsigned q)
{
	struct virtio_console *con = container_of(vdev, struct virtio_console, vdev);

	if (q == VIRTIO_CONSOLE_TXQ)
		virtio_queue_serve(vdev, q, &con->chain, console_serve);
	/* receive buffers wait: there is no input (see console.h) */
}

const struct virtio_dev_ops virtio_console_ops = {
	.name = "virtio-console",
	.device_id = VIRTIO_ID_CONSOLE,
	.pci_class = 0x078000, /* simple communication controller, other */
	.queue_notify = console_queue_notify,
};
