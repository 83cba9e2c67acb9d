// SPDX-License-Identifier: MIT
#include <stdio.h>

#include "devices/platform.h"

static uint64_t debug_exit_read(void *opaque, uint64_t off, unsigned size)
{
	(void)opaque, (void)off, (void)size;
	return 0;
}

static void debug_exit_write(void *opaque, uint64_t off, unsigned size, uint64_t val)
{
	const struct stop_sink *s = opaque;
	char why[64];

	if (off != 0)
		return;
	val &= size == 4 ? 0xffffffffull : (1ull << (size * 8)) - 1;
	snprintf(why, sizeof(why), "guest wrote 0x%llx to the debug-exit port",
		 (unsigned long long)val);
	s->stop(s->opaque, (int)(((val << 1) | 1) & 0xff), why);
}

const struct bus_ops debug_exit_ops = {
	.read = debug_exit_read,
	.write = debug_exit_write,
};
