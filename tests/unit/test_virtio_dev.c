// SPDX-License-Identifier: MIT
/* Unit tests for virtio-rng and virtio-console (devices/virtio/rng.c,
 * console.c), driven through their queue_notify op over fake guest RAM. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "devices/virtio/console.h"
#include "devices/virtio/rng.h"
#include "test_virtio_fake.h"

#define BUF FAKE_BUF

static void test_rng_fill(void **state)
{
	struct fake_ram ram;
	struct fake_transport tp;
	struct virtio_rng *r = virtio_rng_new();
	uint8_t zero[256] = {0};
	uint32_t len;
	uint16_t id, head;

	(void)state;
	assert_non_null(r);
	assert_int_equal(r->vdev.ops->device_id, VIRTIO_ID_RNG);
	assert_int_equal(r->vdev.features, 0);
	fake_ram_init(&ram);
	fake_attach(&tp, &ram, &r->vdev, 0);
	head = fake_chain_add(&ram, 0,
			      (struct fake_seg[]){{BUF, 64, true}, {BUF + 0x1000, 192, true}}, 2);
	r->vdev.ops->queue_notify(&r->vdev, 0);
	fake_used_next(&ram, 0, &id, &len);
	assert_int_equal(id, head);
	assert_int_equal(len, 256);
	assert_memory_not_equal(fake_ptr(&ram, BUF, 64), zero, 64);
	assert_memory_not_equal(fake_ptr(&ram, BUF + 0x1000, 192), zero, 192);
	assert_int_equal(tp.notified[0], 1);
	/* A readable-only chain gets nothing: used length 0. */
	fake_chain_add(&ram, 0, (struct fake_seg[]){{BUF, 64, false}}, 1);
	r->vdev.ops->queue_notify(&r->vdev, 0);
	fake_used_next(&ram, 0, &id, &len);
	assert_int_equal(len, 0);
	virtio_rng_free(r);
	fake_ram_fini(&ram);
}

static void test_rng_fill_cap(void **state)
{
	struct virtq_chain *c = calloc(1, sizeof(*c));
	uint8_t *buf = malloc(VIRTIO_RNG_CHAIN_MAX + 4096);

	(void)state;
	assert_non_null(c);
	assert_non_null(buf);
	c->nr_wr = 1;
	c->iov[0] = (struct iovec){buf, VIRTIO_RNG_CHAIN_MAX + 4096};
	assert_int_equal(virtio_rng_fill(c), VIRTIO_RNG_CHAIN_MAX);
	free(buf);
	free(c);
}

static void test_console_output(void **state)
{
	char path[] = "/tmp/test_virtio_console.XXXXXX";
	int fd = mkstemp(path);
	struct fake_ram ram;
	struct fake_transport tp;
	struct virtio_console *con;
	char err[128], back[32] = {0};
	uint32_t len;
	uint16_t id;

	(void)state;
	assert_true(fd >= 0);
	con = virtio_console_new(SERIAL_FILE, path, err, sizeof(err));
	assert_non_null(con);
	assert_int_equal(con->vdev.nr_queues, 2);
	assert_int_equal(le16toh(con->cfg.cols), 0);
	fake_ram_init(&ram);
	fake_attach(&tp, &ram, &con->vdev, 0);
	memcpy(fake_ptr(&ram, BUF, 6), "hello ", 6);
	memcpy(fake_ptr(&ram, BUF + 0x100, 6), "world\n", 6);
	fake_chain_add(&ram, VIRTIO_CONSOLE_TXQ,
		       (struct fake_seg[]){{BUF, 6, false}, {BUF + 0x100, 6, false}}, 2);
	con->vdev.ops->queue_notify(&con->vdev, VIRTIO_CONSOLE_TXQ);
	fake_used_next(&ram, VIRTIO_CONSOLE_TXQ, &id, &len);
	assert_int_equal(len, 0);
	assert_int_equal(pread(fd, back, sizeof(back) - 1, 0), 12);
	assert_string_equal(back, "hello world\n");
	/* Receive buffers stay with the device: there is no input. */
	fake_chain_add(&ram, VIRTIO_CONSOLE_RXQ, (struct fake_seg[]){{BUF + 0x1000, 64, true}}, 1);
	con->vdev.ops->queue_notify(&con->vdev, VIRTIO_CONSOLE_RXQ);
	assert_int_equal(fake_used_idx(&ram, VIRTIO_CONSOLE_RXQ), 0);
	virtio_console_free(con);
	fake_ram_fini(&ram);
	close(fd);
	unlink(path);
}

static void test_console_off_and_errors(void **state)
{
	struct virtio_console *con;
	char err[128];

	(void)state;
	assert_null(virtio_console_new(SERIAL_FILE, "/nonexistent/dir/out", err, sizeof(err)));
	assert_non_null(strstr(err, "/nonexistent/dir/out"));
	con = virtio_console_new(SERIAL_OFF, NULL, err, sizeof(err));
	assert_non_null(con);
	assert_int_equal(con->out_fd, -1);
	virtio_console_free(con);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rng_fill),
		cmocka_unit_test(test_rng_fill_cap),
		cmocka_unit_test(test_console_output),
		cmocka_unit_test(test_console_off_and_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
