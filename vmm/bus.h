/* SPDX-License-Identifier: MIT */
/* Device dispatch: one bus for port I/O, one for MMIO. A device registers a
 * range and sees offsets into it. Unclaimed reads return all ones, unclaimed
 * writes are dropped; both are logged once per address, rate limited.
 * Registration and lookup are thread-safe (a rwlock), so that a guest's
 * config write can move a PCI BAR (devices/pci/bar.c) while vCPUs run. */
#ifndef VMM_BUS_H
#define VMM_BUS_H

#include <pthread.h>
#include "vmm/types.h"

struct bus_ops {
	/* size is 1, 2, 4 or 8; off is relative to the registered base. */
	uint64_t (*read)(void *opaque, uint64_t off, unsigned size);
	void (*write)(void *opaque, uint64_t off, unsigned size, uint64_t val);
};

struct bus_range {
	uint64_t base, len;
	const struct bus_ops *ops;
	void *opaque;
	const char *name;
};

#define BUS_MAX_RANGES 256

struct bus {
	const char *name; /* "pio" or "mmio", for logs */
	pthread_rwlock_t lock;
	struct bus_range r[BUS_MAX_RANGES]; /* sorted by base, disjoint */
	unsigned nr;
	unsigned unclaimed_logged;
};

/* Initialise an empty bus. */
void bus_init(struct bus *b, const char *name);

/* Claim [base, base+len). Returns 0, -EINVAL (len 0 or wraps), -EBUSY
 * (overlaps a claimed range) or -ENOSPC. */
int bus_register(struct bus *b, uint64_t base, uint64_t len, const struct bus_ops *ops,
		 void *opaque, const char *name) __must_check;

/* Release the range registered at exactly base. 0 or -ENOENT. */
int bus_unregister(struct bus *b, uint64_t base);

/* Dispatch one access of size bytes (1..8). An access that starts in a range
 * but runs past its end is treated as unclaimed. Returns true when a device
 * claimed it. For reads, *val receives the value (all ones if unclaimed). */
bool bus_read(struct bus *b, uint64_t addr, unsigned size, uint64_t *val);
bool bus_write(struct bus *b, uint64_t addr, unsigned size, uint64_t val);

#endif
