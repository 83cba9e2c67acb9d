/* SPDX-License-Identifier: MIT */
/* Command-line parsing for the CLI unit tests (test_cli*.c): an argv built
 * from words, handed to cli_parse() with an error buffer the test reads. */
#ifndef TESTS_UNIT_CLI_FIXTURE_H
#define TESTS_UNIT_CLI_FIXTURE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "vmm/cli.h"

static char args[16][128];
static char *argv_buf[17];
static char err[256];

static inline void cli_word(int *argc, const char *w)
{
	assert_true(*argc < 16);
	snprintf(args[*argc], sizeof(args[*argc]), "%s", w);
	argv_buf[*argc] = args[*argc];
	(*argc)++;
}

/* cli_parse() of argv "vmm", pre[0..npre), then ap's words up to NULL (at
 * most 16 words in all), with err set to "untouched" first. */
static inline enum cli_result cli_parse_words(struct vmm_config *cfg, const char *const *pre,
					      unsigned npre, va_list ap)
{
	const char *a;
	int argc = 0;

	cli_word(&argc, "vmm");
	for (unsigned i = 0; i < npre; i++)
		cli_word(&argc, pre[i]);
	while ((a = va_arg(ap, const char *)))
		cli_word(&argc, a);
	argv_buf[argc] = NULL;
	strcpy(err, "untouched");
	return cli_parse(argc, argv_buf, cfg, err, sizeof(err));
}

#endif
