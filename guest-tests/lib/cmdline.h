/* SPDX-License-Identifier: MIT */
/* key=value lookups in the kernel command line (boot_info.cmdline). Tokens
 * are separated by spaces; a key matches a whole token up to its '='. */
#ifndef GT_CMDLINE_H
#define GT_CMDLINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Copy the value of key into buf (NUL-terminated, truncated to len - 1).
 * Returns buf, or NULL when key is absent. "key" alone gives "". */
const char *cmdline_get(const char *key, char *buf, size_t len);

/* Parse the value of key as a number (decimal or 0x hex) with an optional
 * K, M or G suffix. Returns false when absent or malformed. */
bool cmdline_get_u64(const char *key, uint64_t *out);

/* The same, with a default. */
uint64_t cmdline_u64(const char *key, uint64_t dflt);

/* True when key is present (as "key" or "key=..."). */
bool cmdline_has(const char *key);

#endif
