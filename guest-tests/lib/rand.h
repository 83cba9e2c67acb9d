/* SPDX-License-Identifier: MIT */
/* A small pseudo-random generator for test patterns (xorshift64*): not for
 * anything that needs real randomness; the seed comes from the runner. */
#ifndef GUEST_TESTS_LIB_RAND_H
#define GUEST_TESTS_LIB_RAND_H

#include <stdint.h>

/* The next value of the xorshift64* sequence in *s (*s must not be 0). */
static inline uint64_t xorshift64s(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dull;
}

#endif
