/* SPDX-License-Identifier: MIT */
/* A test-and-set lock usable at CPL3 and CPL0. */
#ifndef GT_SPINLOCK_H
#define GT_SPINLOCK_H

#include <stdbool.h>

#include "io.h"

struct spinlock {
	int locked;
};

/* Try once; true when the lock is now ours. */
static inline bool spin_trylock(struct spinlock *l)
{
	return !__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE);
}

/* Spin at most max_spins times; true when the lock is ours. A caller that
 * gets false must not call spin_unlock. */
static inline bool spin_lock_bounded(struct spinlock *l, unsigned long max_spins)
{
	for (unsigned long i = 0; i < max_spins; i++) {
		if (spin_trylock(l))
			return true;
		cpu_relax();
	}
	return false;
}

static inline void spin_unlock(struct spinlock *l)
{
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
}

#endif
