/* SPDX-License-Identifier: MIT */
/* Device options: --disk, --net, --rng, --console, --device, --edu. Internal to
 * vmm/cli.c. */
#ifndef VMM_CLI_DEV_H
#define VMM_CLI_DEV_H

#include <stddef.h>
#include "vmm/config.h"

/* Each parses one option argument into cfg; 0, or -EINVAL with a one-line
 * message (naming the option) in err. */
int cli_disk(const char *arg, struct vmm_config *cfg, char *err, size_t errlen);
int cli_net(const char *arg, struct vmm_config *cfg, char *err, size_t errlen);
int cli_rng(const char *arg, struct vmm_config *cfg, char *err, size_t errlen);
int cli_console(const char *arg, struct vmm_config *cfg, char *err, size_t errlen);
int cli_device(const char *arg, struct vmm_config *cfg, char *err, size_t errlen);
int cli_edu(const char *arg, struct vmm_config *cfg, char *err, size_t errlen);

#endif
