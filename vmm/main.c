// SPDX-License-Identifier: MIT
/* build/vmm: parse the command line, build the machine, run it. The process
 * exit status is documented in vmm/exit_codes.h and docs/vmm.1. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "vmm/cli.h"
#include "vmm/exit_codes.h"
#include "vmm/log.h"
#include "vmm/machine.h"

/* Make sure fds 0-2 exist, so that no file we open later lands on them. */
static void main_fix_std_fds(void)
{
	for (int fd = 0; fd < 3; fd++)
		if (fcntl(fd, F_GETFD) < 0 && open("/dev/null", O_RDWR) != fd)
			_exit(VMM_EXIT_HOST);
}

int main(int argc, char **argv)
{
	struct vmm_config cfg;
	struct machine m;
	char err[256];
	int status;

	main_fix_std_fds();
	switch (cli_parse(argc, argv, &cfg, err, sizeof(err))) {
	case CLI_EXIT_OK: return 0;
	case CLI_ERROR: fprintf(stderr, "vmm: %s\n", err); return VMM_EXIT_USAGE;
	case CLI_RUN: break;
	}
	log_verbose = cfg.verbose || getenv("VMM_DEBUG");
	if (cfg.user_set && geteuid() != 0) {
		fprintf(stderr, "vmm: --user needs the VMM started as root\n");
		cli_free(&cfg);
		return VMM_EXIT_USAGE;
	}
	status = machine_build(&m, &cfg);
	if (!status)
		status = machine_run(&m);
	machine_destroy(&m);
	cli_free(&cfg);
	return status;
}
