// SPDX-License-Identifier: MIT
#include "vmm/init/exec_status.h"

#include <stddef.h>
#include <sys/wait.h>

struct fail_row {
	unsigned code;
	int exit;
	const char *what;
};

static const struct fail_row fail_rows[] = {
#define EXEC_FAIL_ROW(name, code, exit, what) {code, exit, what},
	EXEC_FAIL_TABLE(EXEC_FAIL_ROW)
#undef EXEC_FAIL_ROW
};

static const struct fail_row *fail_row(unsigned f)
{
	for (size_t i = 0; i < sizeof(fail_rows) / sizeof(fail_rows[0]); i++)
		if (fail_rows[i].code == f)
			return &fail_rows[i];
	return NULL;
}

unsigned exec_status_from_wait(int wstatus)
{
	if (WIFEXITED(wstatus))
		return (unsigned)WEXITSTATUS(wstatus);
	if (WIFSIGNALED(wstatus))
		return (128u + (unsigned)WTERMSIG(wstatus)) & 0xff;
	return 255;
}

uint32_t exec_status_done(unsigned status)
{
	return EXEC_STATUS_DONE | (status & 0xff);
}

uint32_t exec_status_fail(enum exec_fail f)
{
	return EXEC_STATUS_FAIL | ((uint32_t)f & 0xffff);
}

enum exec_kind exec_status_decode(uint32_t v, unsigned *value)
{
	uint32_t low = v & ~EXEC_STATUS_MASK;

	if ((v & EXEC_STATUS_MASK) == EXEC_STATUS_DONE && low <= 0xff) {
		*value = low;
		return EXEC_KIND_DONE;
	}
	if ((v & EXEC_STATUS_MASK) == EXEC_STATUS_FAIL && fail_row(low)) {
		*value = low;
		return EXEC_KIND_FAIL;
	}
	return EXEC_KIND_OTHER;
}

const char *exec_fail_what(unsigned f)
{
	const struct fail_row *r = fail_row(f);

	return r ? r->what : "an unknown step";
}

int exec_fail_exit(unsigned f)
{
	const struct fail_row *r = fail_row(f);

	return r ? r->exit : 125;
}
