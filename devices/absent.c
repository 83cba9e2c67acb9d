// SPDX-License-Identifier: MIT
#include "devices/platform.h"
#include "vmm/log.h"

static void absent_note(struct absent_dev *a, uint64_t off, unsigned size, bool write)
{
	if (!__atomic_exchange_n(&a->seen, true, __ATOMIC_RELAXED))
		log_debug("%s: a %u-byte %s at +%#llx; this machine has none (all ones, writes "
			  "dropped)",
			  a->name, size, write ? "write" : "read", (unsigned long long)off);
}

static uint64_t absent_read(void *opaque, uint64_t off, unsigned size)
{
	absent_note(opaque, off, size, false);
	return ~0ull;
}

static void absent_write(void *opaque, uint64_t off, unsigned size, uint64_t val)
{
	(void)val;
	absent_note(opaque, off, size, true);
}

const struct bus_ops absent_ops = {
	.read = absent_read,
	.write = absent_write,
};
