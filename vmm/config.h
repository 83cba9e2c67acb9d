/* SPDX-License-Identifier: MIT */
/* The VM configuration the command line produces. */
#ifndef VMM_CONFIG_H
#define VMM_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

#define VMM_DEFAULT_CPUS 1
#define VMM_DEFAULT_MEM (256ull << 20)
#define VMM_MAX_CPUS 254 /* xAPIC IDs; 0xff is broadcast */

enum serial_mode { SERIAL_TTY, SERIAL_OFF, SERIAL_FILE };

struct vmm_config {
	const char *kernel;
	const char *initramfs;
	const char *cmdline;
	unsigned cpus;
	uint64_t mem_size;
	enum serial_mode serial;
	const char *serial_path;
	bool seccomp;
	bool verbose;
	const char *test_hook; /* VMM_TEST_HOOK, for tests only; see seccomp/ */
};

#endif
