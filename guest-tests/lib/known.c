// SPDX-License-Identifier: MIT
/* The known departures of the backend under test (see known.h). */
#include "known.h"

#include "cmdline.h"
#include "report.h"
#include "string.h"

static char known[256];
static char backend[32] = "this backend";

void known_init(void)
{
	cmdline_get("known", known, sizeof(known));
	cmdline_get("backend", backend, sizeof(backend));
	if (known[0])
		report_info("known departures of %s: %s", backend, known);
}

bool known_has(const char *id)
{
	size_t n = strlen(id);

	for (const char *p = known; *p;) {
		const char *e = strchr(p, ',');
		size_t l = e ? (size_t)(e - p) : strlen(p);

		if (l == n && !strncmp(p, id, n))
			return true;
		p += l + (e ? 1 : 0);
	}
	return false;
}

const char *known_backend(void)
{
	return backend;
}
