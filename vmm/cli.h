/* SPDX-License-Identifier: MIT */
/* Command-line parsing, in Cloud Hypervisor's argument forms. */
#ifndef VMM_CLI_H
#define VMM_CLI_H

#include <stddef.h>
#include <stdio.h>
#include "vmm/config.h"

enum cli_result {
	CLI_RUN = 0,	 /* cfg is filled: boot the VM */
	CLI_EXIT_OK = 1, /* --help or --version was printed: exit 0 */
	CLI_ERROR = -1,	 /* err holds a one-line reason: exit VMM_EXIT_USAGE */
};

/* Parse argv into cfg (defaults first). Writes help/version text to stdout.
 * On error, err receives a one-line message (no newline). cfg points into
 * argv, and, after CLI_RUN, into copies of the device options' arguments
 * that cli_free releases; any other result leaves nothing to release. */
enum cli_result cli_parse(int argc, char **argv, struct vmm_config *cfg, char *err, size_t errlen);

/* Release what a CLI_RUN parse allocated in cfg; its device strings are gone
 * afterwards. Safe to call twice. */
void cli_free(struct vmm_config *cfg);

/* Parse a size such as "512M", "2G", "65536", "1024K" (binary units; an
 * optional trailing "iB"/"B"). Returns 0 or -EINVAL (syntax, zero, overflow). */
int cli_parse_size(const char *s, uint64_t *out);

/* The usage text. */
void cli_usage(FILE *f);

#endif
