/* SPDX-License-Identifier: MIT */
/* Byte-level helpers over arrays of struct iovec, as kvmtool's util/iovec.c:
 * copies to and from a flat buffer at a byte offset, a sub-range as its own
 * iovecs, and dropping what a short readv/writev already moved. Every loop
 * is bounded by the number of entries, and entries of length 0 are allowed
 * anywhere. */
#ifndef VMM_IOVEC_H
#define VMM_IOVEC_H

#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

/* Copy up to len bytes, starting at byte off of iov[0..n), into dst.
 * Returns the bytes copied: fewer than len when the iovecs end first. */
size_t iov_to_buf(const struct iovec *iov, unsigned n, size_t off, void *dst, size_t len);

/* Copy up to len bytes of src into iov[0..n), starting at byte off of the
 * iovecs. Returns the bytes copied: fewer than len when the iovecs end
 * first. */
size_t iov_from_buf(const struct iovec *iov, unsigned n, size_t off, const void *src, size_t len);

/* Describe bytes [off, off + len) of iov[0..n) in dst (room for n entries;
 * it points into the same buffers, and has no empty entries). Returns the
 * number of dst entries; they cover less than len when the iovecs end
 * first. */
unsigned iov_slice(const struct iovec *iov, unsigned n, uint64_t off, uint64_t len,
		   struct iovec *dst);

/* Drop the first len bytes from the iovecs (*iov)[0..*n), after a short
 * readv or writev: *iov and *n move past the entries that are done, and the
 * first remaining entry is trimmed in place (so the array must be the
 * caller's own copy). Dropping more than there is leaves *n at 0. */
void iov_advance(struct iovec **iov, unsigned *n, size_t len);

#endif
