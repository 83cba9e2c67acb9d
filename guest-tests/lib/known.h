/* SPDX-License-Identifier: MIT */
/* The known departures of the backend under test. The runner names, per
 * backend, the checks that backend is known to get wrong (known=ID,ID) and
 * the backend itself (backend=NAME) on the command line. A test records
 * such a check as "# SKIP" with the backend and the rule it departs from
 * instead of failing it; every other check stays strict. */
#ifndef GT_KNOWN_H
#define GT_KNOWN_H

#include <stdbool.h>

/* Read known= and backend= from the command line, and report the list
 * (report_info) when it is not empty. */
void known_init(void);

/* True when id is in known=. */
bool known_has(const char *id);

/* The backend's name from backend=, or "this backend". */
const char *known_backend(void);

#endif
