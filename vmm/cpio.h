/* SPDX-License-Identifier: MIT */
/* An initramfs in memory: a "newc" cpio archive (the format the kernel
 * unpacks, Documentation/driver-api/early-userspace/buffer-format.rst) built
 * from a list of entries. No I/O; the archive is one malloc'ed buffer.
 *
 * Each entry is a 110-byte ASCII header, the name with its NUL, padding to a
 * multiple of 4 bytes, the data (a file's contents, a symlink's target),
 * padding to a multiple of 4. The header is "070701" and 13 fields of 8
 * upper-case hex digits:
 *   c_ino c_mode c_uid c_gid c_nlink c_mtime c_filesize
 *   c_devmajor c_devminor c_rdevmajor c_rdevminor c_namesize c_check
 * (c_namesize counts the NUL; c_check is 0 in newc). The archive ends with
 * the entry "TRAILER!!!". Entries here get inodes 1, 2, ... in order, uid
 * and gid 0, mtime 0 (the archive is reproducible), nlink 2 for a directory
 * and 1 otherwise, device 0:0. */
#ifndef VMM_CPIO_H
#define VMM_CPIO_H

#include <stddef.h>
#include <stdint.h>

#define CPIO_HEADER_LEN 110
#define CPIO_NAME_MAX	4095 /* bytes, without the NUL: PATH_MAX with it */
#define CPIO_TRAILER	"TRAILER!!!"

enum cpio_type {
	CPIO_DIR,     /* a directory */
	CPIO_FILE,    /* a regular file: data, size */
	CPIO_SYMLINK, /* a symbolic link: data, size is the target (no NUL) */
	CPIO_CHR,     /* a character device: major, minor */
	CPIO_BLK,     /* a block device: major, minor */
};

struct cpio_entry {
	enum cpio_type type;
	const char *name;      /* relative ("dev/console"), see cpio_build */
	unsigned perm;	       /* permission bits, 07777 at most */
	const void *data;      /* CPIO_FILE, CPIO_SYMLINK; may be NULL when size is 0 */
	size_t size;	       /* bytes of data, at most 0xffffffff */
	unsigned major, minor; /* CPIO_CHR, CPIO_BLK (c_rdevmajor, c_rdevminor) */
};

/* Build the archive of e[0..n) followed by the trailer into a new buffer:
 * *out (free it with free()) and *out_len. A name must be 1 to CPIO_NAME_MAX
 * bytes, relative (no leading '/'), with no empty, "." or ".." component and
 * no trailing '/'; a parent directory should come before its entries, as
 * the kernel creates them in order. Returns 0; -EINVAL for a bad name, type,
 * permission, a symlink without a target, or data NULL with a size; -E2BIG
 * for a size above 0xffffffff; -ENOMEM. On an error *out is untouched. */
int cpio_build(const struct cpio_entry *e, size_t n, uint8_t **out, size_t *out_len);

/* The bytes cpio_build would produce for e[0..n) (header, name, data and
 * padding of each, and the trailer), without checking the entries. */
size_t cpio_size(const struct cpio_entry *e, size_t n);

#endif
