// SPDX-License-Identifier: MIT
/* Unit tests for virtio-blk (devices/virtio/blk*.c): the test is the
 * driver (rings in fake guest RAM) and the transport; the disk is a
 * temporary file. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "tests/unit/skip.h"
#include "devices/virtio/blk.h"
#include "test_virtio_fake.h"

#define DISK_SECTORS 64
#define HDR	     0x40000ull /* request header */
#define DATA	     0x41000ull /* data buffers */
#define STAT	     0x48000ull /* status byte */

struct fx {
	struct fake_ram ram;
	struct fake_transport tp;
	struct virtio_blk *b;
	char path[64];
	int fd; /* the test's own view of the image */
};

static void fx_open(struct fx *fx, bool readonly, const char *serial)
{
	struct virtio_blk_params p = {fx->path, readonly, serial};
	char err[128];

	fx->b = virtio_blk_new(&p, err, sizeof(err));
	assert_non_null(fx->b);
	fake_attach(&fx->tp, &fx->ram, &fx->b->vdev,
		    fx->b->vdev.features & ~BIT_ULL(VIRTIO_BLK_F_RO));
}

static int setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));
	uint8_t sector[512];

	assert_non_null(fx);
	fake_ram_init(&fx->ram);
	snprintf(fx->path, sizeof(fx->path), "/tmp/test_virtio_blk.XXXXXX");
	fx->fd = mkstemp(fx->path);
	assert_true(fx->fd >= 0);
	for (unsigned i = 0; i < DISK_SECTORS; i++) {
		memset(sector, 0xa0 + i, sizeof(sector));
		assert_int_equal(pwrite(fx->fd, sector, 512, i * 512), 512);
	}
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fx *fx = *state;

	virtio_blk_free(fx->b);
	close(fx->fd);
	unlink(fx->path);
	fake_ram_fini(&fx->ram);
	free(fx);
	return 0;
}

static void put_hdr(struct fx *fx, uint32_t type, uint64_t sector)
{
	struct virtio_blk_outhdr h = {htole32(type), 0, htole64(sector)};

	memcpy(fake_ptr(&fx->ram, HDR, sizeof(h)), &h, sizeof(h));
}

/* Run the queue; return the status byte and the used length. */
static uint8_t run(struct fx *fx, uint32_t *used_len)
{
	uint16_t id;

	*fake_ptr(&fx->ram, STAT, 1) = 0xee;
	fx->b->vdev.ops->queue_notify(&fx->b->vdev, 0);
	fake_used_next(&fx->ram, 0, &id, used_len);
	return *fake_ptr(&fx->ram, STAT, 1);
}

/* A standard request: header, one data buffer, status. */
static uint8_t request(struct fx *fx, uint32_t type, uint64_t sector, uint32_t len, bool data_write,
		       uint32_t *used_len)
{
	struct fake_seg s[] = {
		{HDR, 16, false},
		{DATA, len, data_write},
		{STAT, 1, true},
	};

	put_hdr(fx, type, sector);
	if (len)
		fake_chain_add(&fx->ram, 0, s, 3);
	else
		fake_chain_add(&fx->ram, 0, (struct fake_seg[]){s[0], s[2]}, 2);
	return run(fx, used_len);
}

static void test_config_and_features(void **state)
{
	struct fx *fx = *state;
	struct virtio_blk_config *c;

	fx_open(fx, false, NULL);
	c = fx->b->vdev.config;
	assert_int_equal(fx->b->vdev.config_len, sizeof(*c));
	assert_int_equal(le64toh(c->capacity), DISK_SECTORS);
	assert_int_equal(le32toh(c->blk_size), 512);
	assert_int_equal(le32toh(c->seg_max), VIRTIO_BLK_SEG_MAX);
	assert_true(fx->b->vdev.features & BIT_ULL(VIRTIO_BLK_F_FLUSH));
	assert_true(fx->b->vdev.features & BIT_ULL(VIRTIO_BLK_F_SEG_MAX));
	assert_false(fx->b->vdev.features & BIT_ULL(VIRTIO_BLK_F_RO));
	assert_int_equal(fx->b->vdev.ops->device_id, VIRTIO_ID_BLOCK);
}

static void test_read(void **state)
{
	struct fx *fx = *state;
	struct fake_seg s[] = {
		{HDR, 16, false},
		{DATA, 512, true},
		{DATA + 0x1000, 512, true},
		{STAT, 1, true},
	};
	uint32_t len;

	fx_open(fx, false, NULL);
	put_hdr(fx, VIRTIO_BLK_T_IN, 3);
	fake_chain_add(&fx->ram, 0, s, 4);
	assert_int_equal(run(fx, &len), VIRTIO_BLK_S_OK);
	assert_int_equal(len, 1025);
	assert_int_equal(fake_ptr(&fx->ram, DATA, 512)[0], 0xa3);
	assert_int_equal(fake_ptr(&fx->ram, DATA, 512)[511], 0xa3);
	assert_int_equal(fake_ptr(&fx->ram, DATA + 0x1000, 512)[0], 0xa4);
	assert_true(fx->tp.notified[0] > 0);
}

static void test_write(void **state)
{
	struct fx *fx = *state;
	uint8_t back[1024];
	uint32_t len;

	fx_open(fx, false, NULL);
	memset(fake_ptr(&fx->ram, DATA, 1024), 0x5a, 1024);
	assert_int_equal(request(fx, VIRTIO_BLK_T_OUT, 10, 1024, false, &len), VIRTIO_BLK_S_OK);
	assert_int_equal(len, 1);
	assert_int_equal(pread(fx->fd, back, sizeof(back), 10 * 512), 1024);
	for (unsigned i = 0; i < sizeof(back); i++)
		assert_int_equal(back[i], 0x5a);
	assert_int_equal(pread(fx->fd, back, 1, 12 * 512), 1);
	assert_int_equal(back[0], 0xa0 + 12);
}

static void test_flush_and_get_id(void **state)
{
	struct fx *fx = *state;
	uint32_t len;

	fx_open(fx, false, "serial-0123");
	assert_int_equal(request(fx, VIRTIO_BLK_T_FLUSH, 0, 0, false, &len), VIRTIO_BLK_S_OK);
	assert_int_equal(len, 1);
	memset(fake_ptr(&fx->ram, DATA, 20), 0xff, 20);
	assert_int_equal(request(fx, VIRTIO_BLK_T_GET_ID, 0, 20, true, &len), VIRTIO_BLK_S_OK);
	assert_int_equal(len, 21);
	assert_memory_equal(fake_ptr(&fx->ram, DATA, 20), "serial-0123\0\0\0\0\0\0\0\0\0", 20);
}

static void test_readonly(void **state)
{
	struct fx *fx = *state;
	uint8_t back;
	uint32_t len;

	fx_open(fx, true, NULL);
	assert_true(fx->b->vdev.features & BIT_ULL(VIRTIO_BLK_F_RO));
	assert_false(fx->b->vdev.features & BIT_ULL(VIRTIO_BLK_F_DISCARD));
	memset(fake_ptr(&fx->ram, DATA, 512), 0x11, 512);
	assert_int_equal(request(fx, VIRTIO_BLK_T_OUT, 0, 512, false, &len), VIRTIO_BLK_S_IOERR);
	assert_int_equal(len, 1);
	assert_int_equal(pread(fx->fd, &back, 1, 0), 1);
	assert_int_equal(back, 0xa0);
	assert_int_equal(request(fx, VIRTIO_BLK_T_DISCARD, 0, 16, false, &len), VIRTIO_BLK_S_IOERR);
	assert_int_equal(request(fx, VIRTIO_BLK_T_WRITE_ZEROES, 0, 16, false, &len),
			 VIRTIO_BLK_S_IOERR);
	/* Reads still work. */
	assert_int_equal(request(fx, VIRTIO_BLK_T_IN, 1, 512, true, &len), VIRTIO_BLK_S_OK);
	assert_int_equal(fake_ptr(&fx->ram, DATA, 1)[0], 0xa1);
}

static void test_out_of_range(void **state)
{
	struct fx *fx = *state;
	uint32_t len;

	fx_open(fx, false, NULL);
	assert_int_equal(request(fx, VIRTIO_BLK_T_IN, DISK_SECTORS - 1, 1024, true, &len),
			 VIRTIO_BLK_S_IOERR);
	assert_int_equal(len, 1);
	assert_int_equal(request(fx, VIRTIO_BLK_T_IN, DISK_SECTORS - 1, 512, true, &len),
			 VIRTIO_BLK_S_OK);
	assert_int_equal(request(fx, VIRTIO_BLK_T_OUT, DISK_SECTORS, 512, false, &len),
			 VIRTIO_BLK_S_IOERR);
	/* sector * 512 would wrap around 2^64 */
	assert_int_equal(request(fx, VIRTIO_BLK_T_IN, 1ull << 55, 512, true, &len),
			 VIRTIO_BLK_S_IOERR);
	assert_int_equal(request(fx, VIRTIO_BLK_T_OUT, ~0ull, 512, false, &len),
			 VIRTIO_BLK_S_IOERR);
	/* not whole sectors */
	assert_int_equal(request(fx, VIRTIO_BLK_T_IN, 0, 100, true, &len), VIRTIO_BLK_S_IOERR);
}

static void test_malformed(void **state)
{
	struct fx *fx = *state;
	uint32_t len;
	uint16_t id;

	fx_open(fx, false, NULL);
	/* A header of 8 bytes: IOERR in the status byte. */
	put_hdr(fx, VIRTIO_BLK_T_IN, 0);
	fake_chain_add(&fx->ram, 0, (struct fake_seg[]){{HDR, 8, false}, {STAT, 1, true}}, 2);
	assert_int_equal(run(fx, &len), VIRTIO_BLK_S_IOERR);
	assert_int_equal(len, 1);
	/* No writable status byte: consumed with length 0, nothing written. */
	fake_chain_add(&fx->ram, 0, (struct fake_seg[]){{HDR, 16, false}, {STAT, 1, false}}, 2);
	assert_int_equal(run(fx, &len), 0xee);
	assert_int_equal(len, 0);
	/* Unknown request type. */
	assert_int_equal(request(fx, 0x77, 0, 0, false, &len), VIRTIO_BLK_S_UNSUPP);
	/* A buffer outside guest RAM: the chain is completed, empty. */
	put_hdr(fx, VIRTIO_BLK_T_IN, 0);
	fake_chain_add(&fx->ram, 0,
		       (struct fake_seg[]){{HDR, 16, false}, {GiB(8), 512, true}, {STAT, 1, true}},
		       3);
	fx->b->vdev.ops->queue_notify(&fx->b->vdev, 0);
	fake_used_next(&fx->ram, 0, &id, &len);
	assert_int_equal(len, 0);
	assert_int_equal(fx->tp.needs_reset, 0);
}

static void test_discard_write_zeroes(void **state)
{
	struct fx *fx = *state;
	struct virtio_blk_discard_write_zeroes seg[2] = {
		{htole64(4), htole32(2), 0},
		{htole64(8), htole32(1), htole32(VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP)},
	};
	uint8_t back[512];
	uint32_t len;

	fx_open(fx, false, NULL);
	if (!fx->b->can_write_zeroes || !fx->b->can_discard)
		skip_because(__func__, "the file system under the test image cannot punch holes");
	memcpy(fake_ptr(&fx->ram, DATA, sizeof(seg)), seg, sizeof(seg));
	assert_int_equal(request(fx, VIRTIO_BLK_T_WRITE_ZEROES, 0, sizeof(seg), false, &len),
			 VIRTIO_BLK_S_OK);
	for (unsigned s = 4; s <= 8; s += 4) {
		assert_int_equal(pread(fx->fd, back, 512, s * 512), 512);
		assert_int_equal(back[0] | back[511], 0);
	}
	assert_int_equal(pread(fx->fd, back, 1, 6 * 512), 1);
	assert_int_equal(back[0], 0xa6);
	/* DISCARD with the unmap flag is reserved: UNSUPP. */
	assert_int_equal(request(fx, VIRTIO_BLK_T_DISCARD, 0, sizeof(seg), false, &len),
			 VIRTIO_BLK_S_UNSUPP);
	/* A segment past the end: IOERR, nothing done. */
	seg[0] = (struct virtio_blk_discard_write_zeroes){htole64(DISK_SECTORS - 1), htole32(2), 0};
	memcpy(fake_ptr(&fx->ram, DATA, 16), seg, 16);
	assert_int_equal(request(fx, VIRTIO_BLK_T_DISCARD, 0, 16, false, &len), VIRTIO_BLK_S_IOERR);
	/* A ragged segment list: IOERR. */
	assert_int_equal(request(fx, VIRTIO_BLK_T_DISCARD, 0, 20, false, &len), VIRTIO_BLK_S_IOERR);
	/* Not negotiated: UNSUPP. */
	fx->b->vdev.driver_features &= ~BIT_ULL(VIRTIO_BLK_F_DISCARD);
	assert_int_equal(request(fx, VIRTIO_BLK_T_DISCARD, 0, 16, false, &len),
			 VIRTIO_BLK_S_UNSUPP);
}

static void test_open_errors(void **state)
{
	struct fx *fx = *state;
	struct virtio_blk_params p = {"/nonexistent/disk.img", false, NULL};
	char err[128];

	assert_null(virtio_blk_new(&p, err, sizeof(err)));
	assert_non_null(strstr(err, "/nonexistent/disk.img"));
	p.path = fx->path;
	p.serial = "a-serial-longer-than-twenty-bytes";
	assert_null(virtio_blk_new(&p, err, sizeof(err)));
	/* A second writer on the same image is refused. */
	p.serial = NULL;
	fx->b = virtio_blk_new(&p, err, sizeof(err));
	assert_non_null(fx->b);
	assert_null(virtio_blk_new(&p, err, sizeof(err)));
	assert_int_equal(ftruncate(fx->fd, 100), 0);
	virtio_blk_free(fx->b);
	fx->b = NULL;
	assert_null(virtio_blk_new(&p, err, sizeof(err))); /* under one sector */
}

static void test_budget_kicks(void **state)
{
	struct fx *fx = *state;
	uint32_t len;
	uint16_t id;

	fx_open(fx, false, NULL);
	/* A full ring of one-descriptor chains (no header: IOERR each). */
	for (unsigned i = 0; i < FAKE_QSIZE; i++)
		fake_chain_add(&fx->ram, 0, (struct fake_seg[]){{STAT, 1, true}}, 1);
	fx->b->vdev.ops->queue_notify(&fx->b->vdev, 0);
	for (unsigned i = 0; i < FAKE_QSIZE; i++) {
		fake_used_next(&fx->ram, 0, &id, &len);
		assert_int_equal(len, 1);
	}
	/* The budget (one queue's worth) is spent: come back later. */
	assert_int_equal(fx->tp.kicks[0], 1);
	assert_int_equal(fx->tp.notified[0], 1);
	fx->b->vdev.ops->queue_notify(&fx->b->vdev, 0);
	assert_int_equal(fx->tp.kicks[0], 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_config_and_features, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write, setup, teardown),
		cmocka_unit_test_setup_teardown(test_flush_and_get_id, setup, teardown),
		cmocka_unit_test_setup_teardown(test_readonly, setup, teardown),
		cmocka_unit_test_setup_teardown(test_out_of_range, setup, teardown),
		cmocka_unit_test_setup_teardown(test_malformed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_discard_write_zeroes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_budget_kicks, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
