// SPDX-License-Identifier: MIT
#include "report.h"

#include <stdarg.h>

#include "exit.h"
#include "io.h"
#include "printf.h"

static unsigned nr_tests, nr_failed, nr_skipped;
static bool header_done;

static void header(void)
{
	if (!header_done) {
		header_done = true;
		printf("TAP version 13\n");
		if (io_via_sys)
			printf("# CPL3 runs without IOPL 3: port I/O, cli and sti use the "
			       "service gate\n");
	}
}

static void vreport(const char *status, const char *suffix, const char *fmt, va_list ap)
{
	char msg[200];
	unsigned n;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	header();
	n = __atomic_add_fetch(&nr_tests, 1, __ATOMIC_RELAXED);
	printf("%s %u - %s%s\n", status, n, msg, suffix);
}

bool report(bool pass, const char *fmt, ...)
{
	va_list ap;

	if (!pass)
		__atomic_add_fetch(&nr_failed, 1, __ATOMIC_RELAXED);
	va_start(ap, fmt);
	vreport(pass ? "ok" : "not ok", "", fmt, ap);
	va_end(ap);
	return pass;
}

void report_skip(const char *fmt, ...)
{
	va_list ap;

	__atomic_add_fetch(&nr_skipped, 1, __ATOMIC_RELAXED);
	va_start(ap, fmt);
	vreport("ok", " # SKIP", fmt, ap);
	va_end(ap);
}

void report_info(const char *fmt, ...)
{
	char msg[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	header();
	printf("# %s\n", msg);
}

int report_summary(void)
{
	header();
	printf("1..%u\n", nr_tests);
	printf("# SUMMARY: %u tests, %u failed, %u skipped\n", nr_tests, nr_failed, nr_skipped);
	return nr_failed || !nr_tests;
}

_Noreturn void report_bail(const char *fmt, ...)
{
	char msg[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	header();
	nr_failed++;
	printf("not ok %u - %s\n", ++nr_tests, msg);
	printf("Bail out! %s\n", msg);
	report_summary();
	guest_exit(1);
}
