// SPDX-License-Identifier: MIT
/* The command line (vmm/cli*.c) as a fuzz target. The input is argv: words
 * separated by NUL bytes, at most 32, after "vmm". Invariants: the result is
 * one of the three; an error is one non-empty line; a parse that runs has a
 * kernel, 1..VMM_MAX_CPUS vCPUs, a non-zero memory size, and device counts
 * within their limits; a second parse of the same words gives the same
 * answer; cli_free may be called twice. */
#include "tests/fuzz/fuzz.h"
#include "vmm/cli.h"

#define MAX_WORDS 32

static int split(const uint8_t *data, size_t size, char *buf, char **argv)
{
	int argc = 0;

	argv[argc++] = "vmm";
	memcpy(buf, data, size);
	buf[size] = 0;
	for (size_t i = 0; i <= size && argc < MAX_WORDS + 1;) {
		argv[argc++] = buf + i;
		i += strlen(buf + i) + 1;
	}
	argv[argc] = NULL;
	return argc;
}

static enum cli_result parse(const uint8_t *data, size_t size, struct vmm_config *cfg, char *buf,
			     char **argv, char *err, size_t errlen)
{
	int argc = split(data, size, buf, argv);

	strcpy(err, "untouched");
	return cli_parse(argc, argv, cfg, err, errlen);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (!freopen("/dev/null", "w", stdout)) /* --help and --version */
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[256], err2[256], *argv[MAX_WORDS + 2], *argv2[MAX_WORDS + 2];
	struct vmm_config cfg, cfg2;
	enum cli_result r, r2;
	char *buf, *buf2;

	if (size > 4096)
		return -1;
	buf = malloc(size + 1);
	buf2 = malloc(size + 1);
	if (!buf || !buf2)
		abort();
	r = parse(data, size, &cfg, buf, argv, err, sizeof(err));
	switch (r) {
	case CLI_ERROR:
		FUZZ_CHECK(err[0] && strcmp(err, "untouched") && !strchr(err, '\n'),
			   "a parse error must be one line: '%s'", err);
		break;
	case CLI_EXIT_OK: break;
	case CLI_RUN:
		FUZZ_CHECK(cfg.kernel, "a parse that runs has a kernel");
		FUZZ_CHECK(cfg.cpus >= 1 && cfg.cpus <= VMM_MAX_CPUS, "cpus %u", cfg.cpus);
		FUZZ_CHECK(cfg.mem_size > 0, "zero memory");
		FUZZ_CHECK(cfg.nr_disks <= VMM_MAX_DISKS && cfg.nr_nets <= VMM_MAX_NETS &&
				   cfg.nr_vfio <= VMM_MAX_VFIO,
			   "device counts %u %u %u", cfg.nr_disks, cfg.nr_nets, cfg.nr_vfio);
		break;
	default: fuzz_fail("cli_parse returned %d", r);
	}
	r2 = parse(data, size, &cfg2, buf2, argv2, err2, sizeof(err2));
	FUZZ_CHECK(r2 == r, "a second parse returned %d, the first %d", r2, r);
	FUZZ_CHECK(r != CLI_ERROR || !strcmp(err, err2), "errors differ: '%s' then '%s'", err,
		   err2);
	if (r == CLI_RUN) {
		FUZZ_CHECK(cfg2.cpus == cfg.cpus && cfg2.mem_size == cfg.mem_size,
			   "a second parse differs");
		cli_free(&cfg);
		cli_free(&cfg);
		cli_free(&cfg2);
	}
	free(buf);
	free(buf2);
	return 0;
}
