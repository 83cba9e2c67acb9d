// SPDX-License-Identifier: MIT
/* Unit tests for the newc cpio writer (vmm/cpio.c): the archive is read
 * back by an independent reader written from buffer-format.rst, names and
 * sizes at the edges of the padding and the limits are tried, bad entries
 * are refused, and, where cpio(1) is installed, GNU cpio extracts it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "tests/unit/skip.h"
#include "vmm/cpio.h"

/* One entry as read back. */
struct rd_entry {
	uint32_t f[13]; /* ino mode uid gid nlink mtime filesize devmajor devminor
			 * rdevmajor rdevminor namesize check */
	const char *name;
	const uint8_t *data;
};
enum {
	F_INO,
	F_MODE,
	F_UID,
	F_GID,
	F_NLINK,
	F_MTIME,
	F_SIZE,
	F_DMAJ,
	F_DMIN,
	F_RMAJ,
	F_RMIN,
	F_NAMESZ,
	F_CHECK
};

static uint32_t hex8(const uint8_t *p)
{
	uint32_t v = 0;

	for (int i = 0; i < 8; i++) {
		int c = p[i], d = 0;

		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			fail_msg("header byte '%c' is not an upper-case hex digit", c);
		v = v << 4 | (uint32_t)d;
	}
	return v;
}

static void assert_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			fail_msg("padding byte %zu is 0x%02x", i, p[i]);
}

/* Read the archive into e (room for max); returns the entries before the
 * trailer. Fails the test on any deviation from the format. */
static size_t read_archive(const uint8_t *a, size_t len, struct rd_entry *e, size_t max)
{
	size_t off = 0, n = 0;

	for (;;) {
		struct rd_entry r;
		size_t name_end, data_end;

		assert_int_equal(off % 4, 0);
		assert_true(off + 110 <= len);
		assert_memory_equal(a + off, "070701", 6);
		for (int i = 0; i < 13; i++)
			r.f[i] = hex8(a + off + 6 + 8 * i);
		assert_int_equal(r.f[F_CHECK], 0);
		assert_true(r.f[F_NAMESZ] >= 2);
		name_end = off + 110 + r.f[F_NAMESZ];
		assert_true(name_end <= len);
		r.name = (const char *)a + off + 110;
		assert_int_equal(a[name_end - 1], '\0');
		assert_int_equal(strlen(r.name), r.f[F_NAMESZ] - 1);
		off = (name_end + 3) & ~(size_t)3;
		assert_true(off <= len);
		assert_zero(a + name_end, off - name_end);
		data_end = off + r.f[F_SIZE];
		assert_true(data_end <= len);
		r.data = a + off;
		off = (data_end + 3) & ~(size_t)3;
		assert_true(off <= len);
		assert_zero(a + data_end, off - data_end);
		if (!strcmp(r.name, "TRAILER!!!")) {
			assert_int_equal(r.f[F_SIZE], 0);
			assert_int_equal(off, len); /* nothing after the trailer */
			return n;
		}
		assert_true(n < max);
		e[n++] = r;
	}
}

static const char init_data[] = "#!/bin/sh\necho hi\n";

static const struct cpio_entry sample[] = {
	{.type = CPIO_DIR, .name = "dev", .perm = 0755},
	{.type = CPIO_CHR, .name = "dev/console", .perm = 0600, .major = 5, .minor = 1},
	{.type = CPIO_BLK, .name = "dev/vda", .perm = 0660, .major = 254, .minor = 0},
	{.type = CPIO_DIR, .name = "bin", .perm = 0700},
	{.type = CPIO_FILE,
	 .name = "init",
	 .perm = 0755,
	 .data = init_data,
	 .size = sizeof(init_data) - 1},
	{.type = CPIO_SYMLINK, .name = "bin/sh", .perm = 0777, .data = "../init", .size = 7},
	{.type = CPIO_FILE, .name = "empty", .perm = 0644},
	{.type = CPIO_FILE, .name = "f1", .perm = 0644, .data = "a", .size = 1},
	{.type = CPIO_FILE, .name = "f03", .perm = 0644, .data = "abc", .size = 3},
	{.type = CPIO_FILE, .name = "f004", .perm = 0644, .data = "abcd", .size = 4},
	{.type = CPIO_FILE, .name = "f0005", .perm = 04711, .data = "abcde", .size = 5},
};
#define N_SAMPLE (sizeof(sample) / sizeof(sample[0]))

static unsigned type_of(uint32_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFDIR: return CPIO_DIR;
	case S_IFREG: return CPIO_FILE;
	case S_IFLNK: return CPIO_SYMLINK;
	case S_IFCHR: return CPIO_CHR;
	case S_IFBLK: return CPIO_BLK;
	}
	fail_msg("mode 0%o has no known type", mode);
	return 99;
}

static void compare(const struct cpio_entry *in, size_t n, const uint8_t *a, size_t len)
{
	struct rd_entry *out = calloc(n + 1, sizeof(*out));

	assert_non_null(out);
	assert_int_equal(read_archive(a, len, out, n + 1), n);
	for (size_t i = 0; i < n; i++) {
		const struct rd_entry *r = &out[i];
		bool data = in[i].type == CPIO_FILE || in[i].type == CPIO_SYMLINK;
		bool dev = in[i].type == CPIO_CHR || in[i].type == CPIO_BLK;

		assert_string_equal(r->name, in[i].name);
		assert_int_equal(type_of(r->f[F_MODE]), in[i].type);
		assert_int_equal(r->f[F_MODE] & 07777, in[i].perm);
		assert_int_equal(r->f[F_INO], i + 1);
		assert_int_equal(r->f[F_NLINK], in[i].type == CPIO_DIR ? 2 : 1);
		assert_int_equal(r->f[F_UID], 0);
		assert_int_equal(r->f[F_GID], 0);
		assert_int_equal(r->f[F_MTIME], 0);
		assert_int_equal(r->f[F_SIZE], data ? in[i].size : 0);
		if (data && in[i].size)
			assert_memory_equal(r->data, in[i].data, in[i].size);
		assert_int_equal(r->f[F_RMAJ], dev ? in[i].major : 0);
		assert_int_equal(r->f[F_RMIN], dev ? in[i].minor : 0);
	}
	free(out);
}

static void test_read_back(void **state)
{
	uint8_t *a = NULL;
	size_t len = 0;

	(void)state;
	assert_int_equal(cpio_build(sample, N_SAMPLE, &a, &len), 0);
	assert_int_equal(len, cpio_size(sample, N_SAMPLE));
	assert_int_equal(len % 4, 0);
	compare(sample, N_SAMPLE, a, len);
	free(a);
}

static void test_empty_archive(void **state)
{
	struct rd_entry none[1];
	uint8_t *a = NULL;
	size_t len = 0;

	(void)state;
	assert_int_equal(cpio_build(NULL, 0, &a, &len), 0);
	assert_int_equal(len, 124); /* 110 + 11 bytes of name, padded */
	assert_int_equal(read_archive(a, len, none, 1), 0);
	free(a);
}

/* Every name length modulo 4 and every data length modulo 4, and names at
 * the limit. */
static void test_edges(void **state)
{
	static char data[9] = "012345678";
	char names[8][16];
	struct cpio_entry e[8 * 9];
	size_t n = 0, len;
	uint8_t *a;
	char *longname;

	(void)state;
	for (int nl = 1; nl <= 8; nl++) {
		memset(names[nl - 1], 'n', (size_t)nl);
		names[nl - 1][nl] = '\0';
		for (size_t dl = 0; dl <= 8; dl++, n++) {
			e[n] = (struct cpio_entry){.type = CPIO_FILE,
						   .name = names[nl - 1],
						   .perm = 0644,
						   .data = data,
						   .size = dl};
		}
	}
	assert_int_equal(cpio_build(e, n, &a, &len), 0);
	compare(e, n, a, len);
	free(a);

	longname = malloc(CPIO_NAME_MAX + 2);
	assert_non_null(longname);
	memset(longname, 'x', CPIO_NAME_MAX + 1);
	longname[CPIO_NAME_MAX] = '\0';
	e[0] = (struct cpio_entry){.type = CPIO_DIR, .name = longname, .perm = 0755};
	assert_int_equal(cpio_build(e, 1, &a, &len), 0);
	compare(e, 1, a, len);
	free(a);
	longname[CPIO_NAME_MAX] = 'x';
	longname[CPIO_NAME_MAX + 1] = '\0';
	a = (uint8_t *)"untouched";
	assert_int_equal(cpio_build(e, 1, &a, &len), -EINVAL);
	assert_string_equal((char *)a, "untouched");
	free(longname);
}

static int build_one(struct cpio_entry e)
{
	uint8_t *a = NULL;
	size_t len;
	int r = cpio_build(&e, 1, &a, &len);

	free(a);
	return r;
}

static void test_refused(void **state)
{
	static const char *const bad[] = {"",	  "/init", "dev/", "a//b", "./a", "a/./b",
					  "a/..", "..",	   ".",	   "../x", "/"};
	struct cpio_entry e = {.type = CPIO_DIR, .perm = 0755};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		e.name = bad[i];
		if (build_one(e) != -EINVAL)
			fail_msg("name \"%s\" was accepted", bad[i]);
	}
	e.name = "..a/b..";
	assert_int_equal(build_one(e), 0);
	e.name = NULL;
	assert_int_equal(build_one(e), -EINVAL);
	e.name = "ok";
	e.perm = 010000;
	assert_int_equal(build_one(e), -EINVAL);
	e.perm = 0644;
	e.type = (enum cpio_type)99;
	assert_int_equal(build_one(e), -EINVAL);
	e.type = CPIO_SYMLINK; /* no target */
	assert_int_equal(build_one(e), -EINVAL);
	e.type = CPIO_FILE;
	e.size = 1; /* data NULL */
	assert_int_equal(build_one(e), -EINVAL);
	e.data = "x";
	e.size = 0x100000000ull; /* refused before the data is read */
	assert_int_equal(build_one(e), -E2BIG);
}

/* Run sh command cmd; returns its exit status. */
static int run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int run(const char *fmt, ...)
{
	char cmd[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return system(cmd);
}

static void check_file(const char *dir, const struct cpio_entry *e)
{
	char path[256], buf[64];
	struct stat st;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, e->name);
	if (lstat(path, &st))
		fail_msg("%s was not extracted: %s", e->name, strerror(errno));
	assert_int_equal(type_of(st.st_mode), e->type);
	if (e->type == CPIO_SYMLINK) {
		n = readlink(path, buf, sizeof(buf));
		assert_int_equal(n, e->size);
		assert_memory_equal(buf, e->data, e->size);
		return;
	}
	assert_int_equal(st.st_mode & 07777, e->perm);
	if (e->type != CPIO_FILE)
		return;
	assert_int_equal(st.st_mtime, 0); /* -m kept the archive's mtime */
	assert_int_equal(st.st_size, e->size);
	fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	n = read(fd, buf, sizeof(buf));
	close(fd);
	assert_int_equal(n, e->size);
	if (n)
		assert_memory_equal(buf, e->data, e->size);
}

/* The temporary directory of test_gnu_cpio, removed by its teardown even
 * when an assertion ends the test early. */
static char tmp_dir[] = "/tmp/test_cpio.XXXXXX";
static bool tmp_made;

static int remove_tmp(void **state)
{
	(void)state;
	if (tmp_made && run("rm -rf %s %s.cpio %s.list", tmp_dir, tmp_dir, tmp_dir) != 0)
		return -1;
	tmp_made = false;
	return 0;
}

/* GNU cpio extracts what we wrote; device nodes are only listed (creating
 * them needs CAP_MKNOD). */
static void test_gnu_cpio(void **state)
{
	char arch[64], list[64], line[256];
	bool console = false;
	uint8_t *a;
	size_t len;
	FILE *f;

	(void)state;
	if (run("command -v cpio >/dev/null 2>&1") != 0)
		skip_because(__func__, "cpio(1) is not installed (Debian package cpio)");
	assert_non_null(mkdtemp(tmp_dir));
	tmp_made = true;
	snprintf(arch, sizeof(arch), "%s.cpio", tmp_dir);
	snprintf(list, sizeof(list), "%s.list", tmp_dir);
	assert_int_equal(cpio_build(sample, N_SAMPLE, &a, &len), 0);
	f = fopen(arch, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(a, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
	free(a);

	assert_int_equal(run("cpio -itv --quiet <%s >%s 2>&1", arch, list), 0);
	f = fopen(list, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f))
		if (strstr(line, " dev/console") && line[0] == 'c' && strstr(line, "5,") &&
		    strstr(line, " 1 "))
			console = true;
	fclose(f);
	if (!console)
		fail_msg("cpio -itv does not list dev/console as character device 5, 1");

	/* Extract all but the device nodes. */
	assert_int_equal(run("cd %s && cpio -idm --quiet --no-absolute-filenames "
			     "--nonmatching 'dev/*' <%s",
			     tmp_dir, arch),
			 0);
	for (size_t i = 0; i < N_SAMPLE; i++)
		if (sample[i].type != CPIO_CHR && sample[i].type != CPIO_BLK)
			check_file(tmp_dir, &sample[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read_back),
		cmocka_unit_test(test_empty_archive),
		cmocka_unit_test(test_edges),
		cmocka_unit_test(test_refused),
		cmocka_unit_test_teardown(test_gnu_cpio, remove_tmp),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
