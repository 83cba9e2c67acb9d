/* SPDX-License-Identifier: MIT */
/* What the libFuzzer targets (tests/fuzz/fuzz_*.c) share: a reader that
 * turns the input into the values a target needs, and the invariant check.
 * Each target resets its model for every input, drives it with the input,
 * and checks invariants of the model, not only memory safety: a broken one
 * is reported with fuzz_fail(), which aborts, so that libFuzzer saves the
 * input as a crasher. Helpers are static inline so that a target may leave
 * some unused. */
#ifndef TESTS_FUZZ_FUZZ_H
#define TESTS_FUZZ_FUZZ_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The input, consumed from the front. Reading past its end yields zeros
 * and sets `done`, so that a target's loop ends with its input. */
struct fuzz_in {
	const uint8_t *p;
	size_t left;
	bool done;
};

static inline struct fuzz_in fuzz_in(const uint8_t *data, size_t size)
{
	return (struct fuzz_in){data, size, size == 0};
}

/* The next n (at most 8) bytes as a little-endian number. */
static inline uint64_t fuzz_uint(struct fuzz_in *in, unsigned n)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < n; i++) {
		if (!in->left) {
			in->done = true;
			break;
		}
		v |= (uint64_t)*in->p++ << (8 * i);
		in->left--;
	}
	return v;
}

static inline uint8_t fuzz_u8(struct fuzz_in *in)
{
	return (uint8_t)fuzz_uint(in, 1);
}
static inline uint16_t fuzz_u16(struct fuzz_in *in)
{
	return (uint16_t)fuzz_uint(in, 2);
}
static inline uint32_t fuzz_u32(struct fuzz_in *in)
{
	return (uint32_t)fuzz_uint(in, 4);
}
static inline uint64_t fuzz_u64(struct fuzz_in *in)
{
	return fuzz_uint(in, 8);
}
static inline bool fuzz_bool(struct fuzz_in *in)
{
	return fuzz_u8(in) & 1;
}

/* A value in [0, n), n > 0. */
static inline uint64_t fuzz_below(struct fuzz_in *in, uint64_t n)
{
	return fuzz_u64(in) % n;
}

/* Copy up to n bytes into buf; returns how many were left to copy. */
static inline size_t fuzz_bytes(struct fuzz_in *in, void *buf, size_t n)
{
	if (n > in->left) {
		n = in->left;
		in->done = true;
	}
	memcpy(buf, in->p, n);
	in->p += n;
	in->left -= n;
	return n;
}

/* An invariant of the model does not hold: say which, and abort. */
static inline __attribute__((noreturn, format(printf, 1, 2))) void fuzz_fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "fuzz: invariant broken: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	abort();
}

#define FUZZ_CHECK(cond, ...)                                                                      \
	do {                                                                                       \
		if (!(cond))                                                                       \
			fuzz_fail(__VA_ARGS__);                                                    \
	} while (0)

/* libFuzzer's entry points, defined by each target. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#endif /* TESTS_FUZZ_FUZZ_H */
