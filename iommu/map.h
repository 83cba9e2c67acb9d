/* SPDX-License-Identifier: MIT */
/* The mappings of one IOMMU domain: non-overlapping IOVA intervals, each
 * translating linearly to a GPA range, kept in an AVL tree keyed by the
 * first IOVA. Lookup, insert and remove are O(log n); a range removal visits
 * only the mappings it removes. Every walk is iterative and bounded by the
 * tree height (an AVL tree of 2^64 nodes is under IOVA_MAP_MAX_HEIGHT high).
 *
 * Ranges are inclusive [first, last], as virtio-iommu's virt_start/virt_end:
 * a mapping may end at the last byte of the 64-bit space, which a size could
 * not express. Not thread-safe: the IOMMU core serialises access. */
#ifndef IOMMU_MAP_H
#define IOMMU_MAP_H

#include "vmm/types.h"

#define IOVA_MAP_MAX_HEIGHT 96

/* One mapping: [first, last] -> [gpa, gpa + last - first], with flags
 * (IOMMU_MAP_* in iommu/iommu.h; opaque here). */
struct iova_mapping {
	iova_t first;
	iova_t last;
	gpa_t gpa;
	unsigned flags;
};

struct iova_map_node;

struct iova_map {
	struct iova_map_node *root;
	uint64_t count; /* live mappings */
};

/* Called for each mapping a walk or removal visits. A walk stops at the
 * first non-zero return and returns it; removal ignores the value. */
typedef int iova_map_fn(void *opaque, const struct iova_mapping *m);

/* An empty map. */
void iova_map_init(struct iova_map *map);

/* Free every mapping; the map is empty (and reusable) afterwards. */
void iova_map_clear(struct iova_map *map);

/* Add *m. 0; -EINVAL when m->first > m->last; -EEXIST when it overlaps an
 * existing mapping (nothing changes); -ENOMEM. */
int iova_map_insert(struct iova_map *map, const struct iova_mapping *m) __must_check;

/* The mapping containing addr, or NULL. Valid until the map next changes. */
const struct iova_mapping *iova_map_find(const struct iova_map *map, iova_t addr);

/* The lowest mapping that ends at or after addr (contains it or lies above
 * it), or NULL. Valid until the map next changes. */
const struct iova_mapping *iova_map_next(const struct iova_map *map, iova_t addr);

/* Remove every mapping inside [first, last], calling fn (may be NULL) on
 * each just before it goes, in increasing order. -ERANGE, and nothing is
 * removed, when a mapping straddles first or last (removal would split it);
 * -EINVAL when first > last. Holes are fine. Returns 0 otherwise. */
int iova_map_remove_range(struct iova_map *map, iova_t first, iova_t last, iova_map_fn *fn,
			  void *opaque);

/* Call fn on each mapping overlapping [first, last] in increasing order;
 * fn must not change the map. Returns 0 or fn's first non-zero return. */
int iova_map_walk(const struct iova_map *map, iova_t first, iova_t last, iova_map_fn *fn,
		  void *opaque);

/* Check the AVL invariants (order, no overlap, heights, balance, count).
 * 0 when they hold, -EUCLEAN otherwise. For tests; O(n). */
int iova_map_verify(const struct iova_map *map);

/* Height of the tree (0 when empty). */
unsigned iova_map_height(const struct iova_map *map);

#endif
