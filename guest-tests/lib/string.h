/* SPDX-License-Identifier: MIT */
/* The C string and memory functions the runtime and the compiler need. */
#ifndef GT_STRING_H
#define GT_STRING_H

#include <stddef.h>
#include <stdint.h>

/* Standard C semantics (the compiler may also emit calls to the mem*). */
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
/* Length of s, at most max. */
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);

/* Parse an unsigned number: "0x" prefix for hex (or base 16), decimal
 * otherwise. *end (if not NULL) points after the last digit used. Returns 0
 * with *end == s when there is no digit. Saturates at UINT64_MAX. */
uint64_t strtou64(const char *s, const char **end, int base);

#endif
