/* SPDX-License-Identifier: MIT */
/* TAP output: "ok N - name" / "not ok N - name", then "1..N" and a summary
 * line. The "TAP version 13" header is printed before the first result. */
#ifndef GT_REPORT_H
#define GT_REPORT_H

#include <stdbool.h>

/* Record one result; returns pass. */
bool report(bool pass, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Record a skipped check ("ok N - name # SKIP"). */
void report_skip(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A diagnostic line ("# ..."). */
void report_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Print the plan and "# SUMMARY: N tests, F failed, S skipped". Returns 0
 * when nothing failed (and at least one result was recorded), 1 otherwise. */
int report_summary(void);

/* Record a failure, print "Bail out!" and exit the guest with failure.
 * Usable at CPL0 (fatal exceptions). */
_Noreturn void report_bail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
