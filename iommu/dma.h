/* SPDX-License-Identifier: MIT */
/* DMA address spaces: the only way a device reaches guest memory.
 *
 * Each DMA-capable device has one struct dma_as for its requester ID. Every
 * access names an IOVA, a length and an access type; the address space
 * translates it (the identity while no translator is installed; the IOMMU
 * core's translator once the device is an endpoint behind the virtio-iommu,
 * see iommu_endpoint_add()), checks length, overflow and permissions, and
 * resolves only to guest RAM (never MMIO, never past the end of a region).
 * Failures are faults: reported once to the translator's fault hook (the
 * guest-visible IOMMU fault path) and returned as -EFAULT, never fatal. */
#ifndef IOMMU_DMA_H
#define IOMMU_DMA_H

#include <stdatomic.h>
#include <sys/uio.h>

#include "vmm/guest_mem.h"
#include "vmm/types.h"

/* What the device does to memory. */
#define DMA_ACCESS_READ	 BIT(0) /* device reads guest memory */
#define DMA_ACCESS_WRITE BIT(1) /* device writes guest memory */

enum dma_fault_reason {
	DMA_FAULT_UNMAPPED = 1, /* no translation for the IOVA */
	DMA_FAULT_PERM,		/* translation forbids the access */
	DMA_FAULT_NOT_RAM,	/* translated address is not guest RAM */
	DMA_FAULT_BLOCKED,	/* the endpoint is blocked (attached to nothing) */
	DMA_FAULT_RANGE,	/* the request wraps around the address space */
};

struct dma_fault {
	iova_t iova;	 /* first faulting IOVA */
	unsigned access; /* DMA_ACCESS_* */
	enum dma_fault_reason reason;
	unsigned code; /* the front end's own reason (VT-d fault reason), 0: none */
};

/* One translation: iova maps to gpa for len bytes (len >= 1) with perm. */
struct dma_xlate {
	gpa_t gpa;
	uint64_t len;
	unsigned perm; /* DMA_ACCESS_* allowed */
};

struct dma_translator {
	/* Translate iova for rid. Fill *x (x->len bytes from iova translate
	 * linearly; may be less than asked: the caller continues after it) and
	 * return 0, or return -EFAULT and fill *f. Thread-safe. */
	int (*translate)(void *opaque, uint16_t rid, iova_t iova, unsigned access,
			 struct dma_xlate *x, struct dma_fault *f);
	/* Report a fault to the guest (event queue, fault record). Optional. */
	void (*fault)(void *opaque, uint16_t rid, const struct dma_fault *f);
	void *opaque;
};

struct dma_as {
	uint16_t rid; /* bus << 8 | devfn */
	const struct guest_mem *mem;
	_Atomic(const struct dma_translator *) xl; /* NULL: identity */
	atomic_uint_fast64_t gen;		   /* bumped by dma_as_invalidate() */
	atomic_uint_fast64_t faults;		   /* faults seen (statistics, tests) */
};

/* Most segments one access may resolve to before -E2BIG. Bounds the loop
 * over translations of a guest-controlled range. */
#define DMA_MAX_SEGS 64

/* Identity address space for requester rid over mem. */
void dma_as_init(struct dma_as *as, uint16_t rid, const struct guest_mem *mem);

/* Install (or with NULL remove) a translator; invalidates caches. */
void dma_as_set_translator(struct dma_as *as, const struct dma_translator *xl);

/* Tell consumers that translations changed: bumps the generation. */
void dma_as_invalidate(struct dma_as *as);

/* Current generation; a cached translation is valid while it is unchanged. */
uint64_t dma_as_gen(const struct dma_as *as);

/* Resolve [iova, iova+len) for access into at most max host iovecs.
 * Returns the number of iovecs (0 when len is 0), -EFAULT on a fault (then
 * reported), -E2BIG when more than max (or DMA_MAX_SEGS) segments would be
 * needed. The iovecs point into guest RAM only. */
int dma_map(struct dma_as *as, iova_t iova, uint64_t len, unsigned access, struct iovec *iov,
	    unsigned max) __must_check;

/* Copy from guest memory at iova (device read). 0 or -EFAULT/-E2BIG. */
int dma_read(struct dma_as *as, iova_t iova, void *dst, uint64_t len) __must_check;

/* Copy to guest memory at iova (device write). 0 or -EFAULT/-E2BIG. */
int dma_write(struct dma_as *as, iova_t iova, const void *src, uint64_t len) __must_check;

#endif
