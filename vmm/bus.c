// SPDX-License-Identifier: MIT
#include "vmm/bus.h"

#include <errno.h>
#include <string.h>

#include "vmm/log.h"

#define BUS_UNCLAIMED_LOG_MAX 8

void bus_init(struct bus *b, const char *name)
{
	memset(b, 0, sizeof(*b));
	b->name = name;
	pthread_rwlock_init(&b->lock, NULL);
}

/* Index of the first range whose end lies above addr (binary search). */
static unsigned bus_lower_bound(const struct bus *b, uint64_t addr)
{
	unsigned lo = 0, hi = b->nr;

	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;
		const struct bus_range *r = &b->r[mid];

		if (r->base + (r->len - 1) < addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int bus_register(struct bus *b, uint64_t base, uint64_t len, const struct bus_ops *ops,
		 void *opaque, const char *name)
{
	unsigned i;
	int ret = 0;

	if (!len || range_wraps(base, len))
		return -EINVAL;
	pthread_rwlock_wrlock(&b->lock);
	i = bus_lower_bound(b, base);
	if (b->nr == BUS_MAX_RANGES)
		ret = -ENOSPC;
	else if (i < b->nr && b->r[i].base <= base + (len - 1))
		ret = -EBUSY;
	if (!ret) {
		memmove(&b->r[i + 1], &b->r[i], (b->nr - i) * sizeof(b->r[0]));
		b->r[i] = (struct bus_range){base, len, ops, opaque, name};
		b->nr++;
	}
	pthread_rwlock_unlock(&b->lock);
	return ret;
}

int bus_unregister(struct bus *b, uint64_t base)
{
	unsigned i;
	int ret = -ENOENT;

	pthread_rwlock_wrlock(&b->lock);
	i = bus_lower_bound(b, base);
	if (i < b->nr && b->r[i].base == base) {
		memmove(&b->r[i], &b->r[i + 1], (b->nr - i - 1) * sizeof(b->r[0]));
		b->nr--;
		ret = 0;
	}
	pthread_rwlock_unlock(&b->lock);
	return ret;
}

/* Copy out the range holding [addr, addr+size). The device is called after
 * the lock is dropped, so a handler may itself (un)register ranges, e.g. when
 * a config write moves a PCI BAR. Devices live until the VM is torn down,
 * after every vCPU has stopped, so the copied opaque pointer stays valid. */
static bool bus_find(struct bus *b, uint64_t addr, unsigned size, struct bus_range *out)
{
	unsigned i;
	bool hit = false;

	pthread_rwlock_rdlock(&b->lock);
	i = bus_lower_bound(b, addr);
	if (i < b->nr && range_within(addr, size, b->r[i].base, b->r[i].len)) {
		*out = b->r[i];
		hit = true;
	}
	pthread_rwlock_unlock(&b->lock);
	return hit;
}

static void bus_log_unclaimed(struct bus *b, uint64_t addr, unsigned size, bool write)
{
	unsigned n = __atomic_fetch_add(&b->unclaimed_logged, 1, __ATOMIC_RELAXED);

	if (n < BUS_UNCLAIMED_LOG_MAX)
		log_warn("%s: unclaimed %u-byte %s at 0x%llx%s", b->name, size,
			 write ? "write" : "read", (unsigned long long)addr,
			 n + 1 == BUS_UNCLAIMED_LOG_MAX ? " (further ones not logged)" : "");
}

bool bus_read(struct bus *b, uint64_t addr, unsigned size, uint64_t *val)
{
	struct bus_range r;
	bool hit = bus_find(b, addr, size, &r) && r.ops->read;

	if (hit)
		*val = r.ops->read(r.opaque, addr - r.base, size);
	else {
		*val = ~0ull;
		bus_log_unclaimed(b, addr, size, false);
	}
	if (size < 8)
		*val &= (1ull << (size * 8)) - 1;
	return hit;
}

bool bus_write(struct bus *b, uint64_t addr, unsigned size, uint64_t val)
{
	struct bus_range r;
	bool hit = bus_find(b, addr, size, &r) && r.ops->write;

	if (hit)
		r.ops->write(r.opaque, addr - r.base, size, val);
	else
		bus_log_unclaimed(b, addr, size, true);
	return hit;
}
