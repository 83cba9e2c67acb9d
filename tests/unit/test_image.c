// SPDX-License-Identifier: MIT
/* Unit tests for reading kernel / initramfs files (vmm/image.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vmm/image.h"

struct fx {
	char dir[64];
	char path[128];
	char err[256];
	struct image img;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/test_image.XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->path, sizeof(f->path), "%s/file", f->dir);
	/* Garbage, so that image_read must reset the fields itself. */
	f->img.data = (uint8_t *)0x1;
	f->img.len = 12345;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	unlink(f->path);
	rmdir(f->dir);
	free(f);
	return 0;
}

static void write_file(const char *path, const void *data, size_t len)
{
	FILE *fp = fopen(path, "wb");

	assert_non_null(fp);
	if (len)
		assert_int_equal(fwrite(data, 1, len, fp), len);
	assert_int_equal(fclose(fp), 0);
}

static void assert_unloaded(const struct image *img)
{
	assert_null(img->data);
	assert_int_equal(img->len, 0);
}

static void test_missing(void **state)
{
	struct fx *f = *state;
	char want[256];

	assert_int_equal(image_read(f->path, 1 << 20, &f->img, f->err, sizeof(f->err)), -ENOENT);
	assert_unloaded(&f->img);
	snprintf(want, sizeof(want), "cannot open %s: %s", f->path, strerror(ENOENT));
	assert_string_equal(f->err, want);
}

static void test_directory(void **state)
{
	struct fx *f = *state;
	char want[256];

	assert_int_equal(image_read(f->dir, 1 << 20, &f->img, f->err, sizeof(f->err)), -EISDIR);
	assert_unloaded(&f->img);
	snprintf(want, sizeof(want), "%s is not a regular file", f->dir);
	assert_string_equal(f->err, want);
}

static void test_not_regular(void **state)
{
	struct fx *f = *state;

	assert_int_equal(image_read("/dev/null", 1 << 20, &f->img, f->err, sizeof(f->err)),
			 -EINVAL);
	assert_unloaded(&f->img);
	assert_string_equal(f->err, "/dev/null is not a regular file");
}

static void test_empty(void **state)
{
	struct fx *f = *state;
	char want[256];

	write_file(f->path, NULL, 0);
	assert_int_equal(image_read(f->path, 1 << 20, &f->img, f->err, sizeof(f->err)), -ENOEXEC);
	assert_unloaded(&f->img);
	snprintf(want, sizeof(want), "%s is empty", f->path);
	assert_string_equal(f->err, want);
}

static void test_too_big(void **state)
{
	struct fx *f = *state;
	uint8_t data[100];
	char want[256];

	memset(data, 0x3c, sizeof(data));
	write_file(f->path, data, sizeof(data));
	assert_int_equal(image_read(f->path, 99, &f->img, f->err, sizeof(f->err)), -EFBIG);
	assert_unloaded(&f->img);
	snprintf(want, sizeof(want), "%s (100 bytes) is too big for the guest memory", f->path);
	assert_string_equal(f->err, want);
	assert_int_equal(image_read(f->path, 0, &f->img, f->err, sizeof(f->err)), -EFBIG);
	assert_unloaded(&f->img);
}

static void test_exact_size(void **state)
{
	struct fx *f = *state;
	uint8_t data[100];

	for (unsigned i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 7 + 1);
	write_file(f->path, data, sizeof(data));
	strcpy(f->err, "untouched");
	assert_int_equal(image_read(f->path, 100, &f->img, f->err, sizeof(f->err)), 0);
	assert_non_null(f->img.data);
	assert_int_equal(f->img.len, 100);
	assert_memory_equal(f->img.data, data, 100);
	assert_string_equal(f->err, "untouched");
	image_free(&f->img);
	assert_unloaded(&f->img);
	image_free(&f->img); /* safe twice */
	assert_unloaded(&f->img);
}

static void test_large_contents(void **state)
{
	struct fx *f = *state;
	const size_t len = (3u << 20) + 13; /* several read() calls' worth */
	uint8_t *data = malloc(len);
	uint32_t x = 0x12345678;

	assert_non_null(data);
	for (size_t i = 0; i < len; i++) {
		x = x * 1664525u + 1013904223u;
		data[i] = (uint8_t)(x >> 24);
	}
	write_file(f->path, data, len);
	assert_int_equal(image_read(f->path, ~0ull, &f->img, f->err, sizeof(f->err)), 0);
	assert_int_equal(f->img.len, len);
	assert_memory_equal(f->img.data, data, len);
	image_free(&f->img);
	free(data);
}

static void test_one_byte(void **state)
{
	struct fx *f = *state;

	write_file(f->path, "Z", 1);
	assert_int_equal(image_read(f->path, 1, &f->img, f->err, sizeof(f->err)), 0);
	assert_int_equal(f->img.len, 1);
	assert_int_equal(f->img.data[0], 'Z');
	image_free(&f->img);
}

static void test_small_errbuf(void **state)
{
	struct fx *f = *state;
	char err[6];

	memset(err, 'x', sizeof(err));
	assert_int_equal(image_read(f->path, 1, &f->img, err, sizeof(err)), -ENOENT);
	assert_string_equal(err, "canno");
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_missing),	T(test_directory), T(test_not_regular),
		T(test_empty),		T(test_too_big),   T(test_exact_size),
		T(test_large_contents), T(test_one_byte),  T(test_small_errbuf),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
