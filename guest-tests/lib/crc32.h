/* SPDX-License-Identifier: MIT */
/* CRC-32 (IEEE 802.3, reflected, as in gzip and zlib). */
#ifndef GT_CRC32_H
#define GT_CRC32_H

#include <stddef.h>
#include <stdint.h>

/* CRC-32 of n bytes; crc32(p, 0) = 0. */
uint32_t crc32(const void *p, size_t n);

#endif
