/* SPDX-License-Identifier: MIT */
/* "key=value,key=value" option lists (Cloud Hypervisor style). */
#ifndef VMM_CLI_KV_H
#define VMM_CLI_KV_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CLI_KV_MAX 8

struct cli_kv {
	char *key, *val; /* val NULL for a bare word */
};

/* Split s (modified in place: commas and '=' become NULs) into at most
 * CLI_KV_MAX pairs. Returns the count, or -E2BIG / -EINVAL (an empty item). */
int cli_kv_split(char *s, struct cli_kv *kv);

/* Parse on/off/true/false. 0 or -EINVAL. */
int cli_kv_bool(const char *v, bool *out);

/* Parse a MAC "aa:bb:cc:dd:ee:ff". 0 or -EINVAL. */
int cli_kv_mac(const char *v, uint8_t mac[6]);

/* Format a message into err (errlen bytes), each control character (a
 * newline, an escape) replaced with '?', so that a message quoting the
 * user's words stays one printable line. */
void cli_kv_vformat(char *err, size_t errlen, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

/* Format a one-line message into err (errlen bytes) and return -EINVAL:
 * how an option parser fails. Control characters become '?'. */
int cli_kv_fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
