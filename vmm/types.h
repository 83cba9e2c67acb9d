/* SPDX-License-Identifier: MIT */
/* Basic types and helpers shared by the whole VMM.
 *
 * Guest-physical addresses, IOVAs and host pointers are distinct types so that
 * the compiler refuses to mix them: a gpa_t or iova_t is a one-member struct,
 * a host pointer is a plain C pointer. Convert only through the checked
 * accessors (guest_mem.h; for devices, the DMA API in iommu/dma.h). */
#ifndef VMM_TYPES_H
#define VMM_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
	uint64_t a;
} gpa_t; /* guest-physical address */
typedef struct {
	uint64_t a;
} iova_t; /* I/O virtual address, as a device sees it */

static inline gpa_t gpa(uint64_t a)
{
	return (gpa_t){a};
}
static inline iova_t iova(uint64_t a)
{
	return (iova_t){a};
}

#define ARRAY_SIZE(a)			(sizeof(a) / sizeof((a)[0]))
#define BIT(n)				(1u << (n))
#define BIT_ULL(n)			(1ull << (n))
#define GENMASK_ULL(h, l)		((~0ull << (l)) & (~0ull >> (63 - (h))))
#define GENMASK(h, l)			((uint32_t)GENMASK_ULL(h, l))
#define KiB(x)				((uint64_t)(x) << 10)
#define MiB(x)				((uint64_t)(x) << 20)
#define GiB(x)				((uint64_t)(x) << 30)
#define ALIGN_UP(x, a)			(((x) + (a)-1) & ~((uint64_t)(a)-1))
#define ALIGN_DOWN(x, a)		((x) & ~((uint64_t)(a)-1))
#define MIN(a, b)			((a) < (b) ? (a) : (b))
#define MAX(a, b)			((a) > (b) ? (a) : (b))
#define container_of(ptr, type, member) ((type *)((char *)(ptr)-offsetof(type, member)))
#define __must_check			__attribute__((warn_unused_result))
#define __packed			__attribute__((packed))
#define unlikely(x)			__builtin_expect(!!(x), 0)

/* True when [base, base+len) wraps past 2^64. len 0 never wraps. */
static inline bool range_wraps(uint64_t base, uint64_t len)
{
	return len && base + (len - 1) < base;
}

/* True when [a, a+alen) lies entirely inside [b, b+blen). Overflow-safe. */
/* [a, a + alen) and [b, b + blen) share a byte. Neither may wrap; an
 * empty range overlaps nothing. */
static inline bool range_overlaps(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return alen && blen && a < b + blen && b < a + alen;
}

static inline bool range_within(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	if (range_wraps(a, alen) || range_wraps(b, blen))
		return false;
	return a >= b && a - b <= blen && alen <= blen - (a - b);
}

#endif
