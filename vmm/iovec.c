// SPDX-License-Identifier: MIT
/* Byte-level helpers over iovec arrays. See iovec.h. */
#include "vmm/iovec.h"

#include <string.h>

#include "vmm/types.h"

/* The one copy loop: into buf (iovecs to buffer) when buf is set, else from
 * src into the iovecs. */
static size_t iov_copy(const struct iovec *iov, unsigned n, size_t off, uint8_t *buf,
		       const uint8_t *src, size_t len)
{
	size_t done = 0;

	for (unsigned i = 0; i < n && done < len; i++) {
		size_t l = iov[i].iov_len;
		uint8_t *at;

		if (off >= l) {
			off -= l;
			continue;
		}
		at = (uint8_t *)iov[i].iov_base + off;
		l = MIN(l - off, len - done);
		if (buf)
			memcpy(buf + done, at, l);
		else
			memcpy(at, src + done, l);
		done += l;
		off = 0;
	}
	return done;
}

size_t iov_to_buf(const struct iovec *iov, unsigned n, size_t off, void *dst, size_t len)
{
	return iov_copy(iov, n, off, dst, NULL, len);
}

size_t iov_from_buf(const struct iovec *iov, unsigned n, size_t off, const void *src, size_t len)
{
	return iov_copy(iov, n, off, NULL, src, len);
}

unsigned iov_slice(const struct iovec *iov, unsigned n, uint64_t off, uint64_t len,
		   struct iovec *dst)
{
	unsigned out = 0;

	for (unsigned i = 0; i < n && len; i++) {
		uint64_t l = iov[i].iov_len;

		if (off >= l) {
			off -= l;
			continue;
		}
		l = MIN(l - off, len);
		dst[out].iov_base = (uint8_t *)iov[i].iov_base + off;
		dst[out++].iov_len = l;
		len -= l;
		off = 0;
	}
	return out;
}

void iov_advance(struct iovec **iov, unsigned *n, size_t len)
{
	while (*n && len >= (*iov)->iov_len) {
		len -= (*iov)->iov_len;
		(*iov)++;
		(*n)--;
	}
	if (*n) {
		(*iov)->iov_base = (uint8_t *)(*iov)->iov_base + len;
		(*iov)->iov_len -= len;
	}
}
