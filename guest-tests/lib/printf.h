/* SPDX-License-Identifier: MIT */
/* printf-style formatting: flags '-', '0', '#', width, precision (strings),
 * length l, ll, z; conversions d i u x X o p s c %. */
#ifndef GT_PRINTF_H
#define GT_PRINTF_H

#include <stdarg.h>
#include <stddef.h>

/* Format into buf (always NUL-terminated when len > 0). Returns the length
 * the whole output would have had. */
int vsnprintf(char *buf, size_t len, const char *fmt, va_list ap);
int snprintf(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Format to COM1. Whole calls are serialised between CPUs (bounded wait). */
int vprintf(const char *fmt, va_list ap);
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
