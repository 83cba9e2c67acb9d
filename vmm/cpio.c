// SPDX-License-Identifier: MIT
#include "vmm/cpio.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static size_t pad4(size_t n)
{
	return (n + 3) & ~(size_t)3;
}

/* Header and name, padded; then data, padded. */
static size_t entry_size(size_t name_len, size_t data_len)
{
	return pad4(CPIO_HEADER_LEN + name_len + 1) + pad4(data_len);
}

size_t cpio_size(const struct cpio_entry *e, size_t n)
{
	size_t total = entry_size(strlen(CPIO_TRAILER), 0);

	for (size_t i = 0; i < n; i++) {
		size_t data = e[i].type == CPIO_FILE || e[i].type == CPIO_SYMLINK ? e[i].size : 0;

		total += entry_size(strlen(e[i].name), data);
	}
	return total;
}

static int check_name(const char *name)
{
	size_t len = strlen(name);

	if (len == 0 || len > CPIO_NAME_MAX || name[0] == '/' || name[len - 1] == '/')
		return -EINVAL;
	for (const char *c = name; c;) {
		const char *slash = strchr(c, '/');
		size_t n = slash ? (size_t)(slash - c) : strlen(c);

		if (n == 0 || (n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.'))
			return -EINVAL;
		c = slash ? slash + 1 : NULL;
	}
	return 0;
}

static int check_entry(const struct cpio_entry *e)
{
	bool has_data = e->type == CPIO_FILE || e->type == CPIO_SYMLINK;

	if (!e->name || check_name(e->name) || e->perm > 07777)
		return -EINVAL;
	if (e->type > CPIO_BLK)
		return -EINVAL;
	if (has_data && e->size > 0xffffffffull)
		return -E2BIG;
	if (has_data && e->size && !e->data)
		return -EINVAL;
	if (e->type == CPIO_SYMLINK && e->size == 0)
		return -EINVAL;
	return 0;
}

static unsigned type_bits(enum cpio_type t)
{
	switch (t) {
	case CPIO_DIR: return S_IFDIR;
	case CPIO_FILE: return S_IFREG;
	case CPIO_SYMLINK: return S_IFLNK;
	case CPIO_CHR: return S_IFCHR;
	case CPIO_BLK: return S_IFBLK;
	}
	return 0;
}

/* Write one entry at p; returns the bytes written (entry_size). */
static size_t put_entry(uint8_t *p, uint32_t ino, uint32_t mode, uint32_t nlink, const char *name,
			const void *data, size_t size, uint32_t rmajor, uint32_t rminor)
{
	size_t name_len = strlen(name), head = pad4(CPIO_HEADER_LEN + name_len + 1);
	char hdr[CPIO_HEADER_LEN + 1];

	/* magic, ino, mode, uid, gid, nlink, mtime, filesize, devmajor,
	 * devminor, rdevmajor, rdevminor, namesize, check */
	snprintf(hdr, sizeof(hdr), "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
		 ino, mode, 0u, 0u, nlink, 0u, (uint32_t)size, 0u, 0u, rmajor, rminor,
		 (uint32_t)(name_len + 1), 0u);
	memset(p, 0, entry_size(name_len, size));
	memcpy(p, hdr, CPIO_HEADER_LEN);
	memcpy(p + CPIO_HEADER_LEN, name, name_len);
	if (size)
		memcpy(p + head, data, size);
	return head + pad4(size);
}

int cpio_build(const struct cpio_entry *e, size_t n, uint8_t **out, size_t *out_len)
{
	size_t len, off = 0;
	uint8_t *buf;

	for (size_t i = 0; i < n; i++) {
		int err = check_entry(&e[i]);

		if (err)
			return err;
	}
	len = cpio_size(e, n);
	buf = malloc(len);
	if (!buf)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		bool has_data = e[i].type == CPIO_FILE || e[i].type == CPIO_SYMLINK;
		bool dev = e[i].type == CPIO_CHR || e[i].type == CPIO_BLK;

		off += put_entry(buf + off, (uint32_t)(i + 1), type_bits(e[i].type) | e[i].perm,
				 e[i].type == CPIO_DIR ? 2 : 1, e[i].name,
				 has_data ? e[i].data : NULL, has_data ? e[i].size : 0,
				 dev ? e[i].major : 0, dev ? e[i].minor : 0);
	}
	off += put_entry(buf + off, 0, 0, 1, CPIO_TRAILER, NULL, 0, 0, 0);
	*out = buf;
	*out_len = off;
	return 0;
}
