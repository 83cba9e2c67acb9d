/* SPDX-License-Identifier: MIT */
/* Skipping a unit test with its reason: tests/unit/run.sh records a skip
 * with the reason printed on a line "# skip NAME: REASON" before it, and a
 * skip without one as "the test called skip() without printing why". */
#ifndef TESTS_UNIT_SKIP_H
#define TESTS_UNIT_SKIP_H

#include <stdio.h>

/* Skip test NAME (the name cmocka reports, e.g. __func__ in the test
 * function itself) because of the printf-style reason. Does not return. */
#define skip_because(name, ...)                                                                    \
	do {                                                                                       \
		printf("# skip %s: ", (name));                                                     \
		printf(__VA_ARGS__);                                                               \
		printf("\n");                                                                      \
		fflush(stdout);                                                                    \
		skip();                                                                            \
	} while (0)

#endif
