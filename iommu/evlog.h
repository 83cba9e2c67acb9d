/* SPDX-License-Identifier: MIT */
/* The IOMMU event log (--iommu-log FILE): one JSON object per line, one
 * write() per line to a file opened with O_APPEND, so that lines written by
 * any thread never interleave. The format is a contract (docs/iommu-log.md):
 *
 *   {"ts":S.UUUUUU,"iommu":"intel"|"virtio","event":E,"sid":"BB:DD.F"|null,
 *    "domain":N|null,"iova":"0x..."|null,"result":"..."[, per-event keys]}
 *
 * with the keys in that order and no spaces. ts is seconds (6 decimals,
 * CLOCK_MONOTONIC) since the log was opened, at start-up.
 *
 * Every function accepts a NULL log and then does nothing. A write error
 * is reported once on stderr and turns the log off; it is never fatal.
 * Thread-safe. */
#ifndef IOMMU_EVLOG_H
#define IOMMU_EVLOG_H

#include "iommu/map.h"
#include "vmm/types.h"

struct evlog;

enum evlog_iommu { EVLOG_INTEL, EVLOG_VIRTIO };

#define EVLOG_NULL (-1) /* sid, domain, am or index unknown: null */

/* The keys every line starts with. */
struct evlog_head {
	enum evlog_iommu iommu;
	int32_t sid;	    /* requester ID (bus << 8 | devfn), or EVLOG_NULL */
	int64_t domain;	    /* the guest's domain ID, or EVLOG_NULL */
	bool has_iova;	    /* false: "iova":null */
	uint64_t iova;	    /* when has_iova */
	const char *result; /* NULL: "ok" */
};

/* A translation as missed_inval shows it: [.., + size) -> gpa with perm
 * (DMA_ACCESS_READ | DMA_ACCESS_WRITE bits). */
struct evlog_entry {
	uint64_t gpa, size;
	unsigned perm;
};

/* Create (or truncate) path and open it for appending (close-on-exec).
 * 0 and *out, or a negative errno (the file cannot be opened) or -ENOMEM. */
int evlog_open(const char *path, struct evlog **out) __must_check;

/* Close the file and free the log. NULL is fine. */
void evlog_close(struct evlog *l);

/* True when l logs (not NULL, no write error yet): lets a caller skip the
 * work of gathering an event's fields. */
bool evlog_on(struct evlog *l);

/* "event":"map", then "size", "gpa", "perm" of m (IOMMU_MAP_* flags). */
void evlog_map(struct evlog *l, const struct evlog_head *h, const struct iova_mapping *m);

/* "event":"unmap", then "size". */
void evlog_unmap(struct evlog *l, const struct evlog_head *h, uint64_t size);

/* "event":"inval", then "gran" ("global", "domain", "page", "context",
 * "iec") and "am" (a number, or null for EVLOG_NULL). */
void evlog_inval(struct evlog *l, const struct evlog_head *h, const char *gran, int am);

/* "event":"fault", then "access" ("write" when write, else "read") and
 * "reason" (the VT-d fault reason, or the virtio-iommu fault reason). */
void evlog_fault(struct evlog *l, const struct evlog_head *h, bool write, unsigned reason);

/* "event":"ir_fault", then "index" (a number, or null for EVLOG_NULL) and
 * "reason" (the VT-d interrupt-remapping fault reason). */
void evlog_ir_fault(struct evlog *l, const struct evlog_head *h, int64_t index, unsigned reason);

/* "event":"missed_inval", then "cached" and "table", each an entry object
 * or null (NULL). */
void evlog_missed_inval(struct evlog *l, const struct evlog_head *h,
			const struct evlog_entry *cached, const struct evlog_entry *table);

#endif
