/* SPDX-License-Identifier: MIT */
/* Logging to stderr. Guest-caused conditions use log_guest_once(), which
 * logs a given call site at most a few times. */
#ifndef VMM_LOG_H
#define VMM_LOG_H

#include <stdatomic.h>

extern int log_verbose; /* set by --verbose / VMM_LOG=debug */

/* "vmm: <msg>\n" on stderr. */
void log_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Log a guest-caused event at most 'n' times per call site. */
#define log_guest_limited(n, ...)                                                                  \
	do {                                                                                       \
		static atomic_uint log_count_;                                                     \
		if (atomic_fetch_add(&log_count_, 1) < (n))                                        \
			log_warn(__VA_ARGS__);                                                     \
	} while (0)
#define log_guest_once(...) log_guest_limited(1, __VA_ARGS__)

#endif
