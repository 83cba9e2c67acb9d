// SPDX-License-Identifier: MIT
/* IOVA mappings in an AVL tree (see map.h). Insert and delete record the
 * path from the root in a fixed array and rebalance it bottom-up, so no
 * recursion depends on guest input; the AVL height bound
 * (< 1.45 log2(n + 2)) keeps every path under IOVA_MAP_MAX_HEIGHT. */
#include "iommu/map.h"

#include <errno.h>
#include <stdlib.h>

struct iova_map_node {
	struct iova_mapping m;
	struct iova_map_node *child[2]; /* 0: lower IOVAs, 1: higher */
	int height;			/* 1 for a leaf */
};

/* Nodes from the root down to (excluding) the current one, and which child
 * was taken at each. */
struct map_path {
	struct iova_map_node *node[IOVA_MAP_MAX_HEIGHT];
	unsigned char dir[IOVA_MAP_MAX_HEIGHT];
	unsigned n;
};

static int node_height(const struct iova_map_node *n)
{
	return n ? n->height : 0;
}

static void node_fix_height(struct iova_map_node *n)
{
	n->height = 1 + MAX(node_height(n->child[0]), node_height(n->child[1]));
}

/* Lift n's child on side d into n's place; returns the new subtree root. */
static struct iova_map_node *node_rotate(struct iova_map_node *n, int d)
{
	struct iova_map_node *c = n->child[d];

	n->child[d] = c->child[!d];
	c->child[!d] = n;
	node_fix_height(n);
	node_fix_height(c);
	return c;
}

/* Restore the AVL balance at n (its subtrees are balanced); returns the new
 * subtree root. */
static struct iova_map_node *node_balance(struct iova_map_node *n)
{
	int bf = node_height(n->child[0]) - node_height(n->child[1]);
	int d = bf > 0 ? 0 : 1;
	struct iova_map_node *c;

	node_fix_height(n);
	if (bf >= -1 && bf <= 1)
		return n;
	c = n->child[d];
	if (node_height(c->child[!d]) > node_height(c->child[d]))
		n->child[d] = node_rotate(c, !d);
	return node_rotate(n, d);
}

/* Make r the child the path took at level i (or the root). */
static void path_link(struct iova_map *map, const struct map_path *p, unsigned i,
		      struct iova_map_node *r)
{
	if (i == 0)
		map->root = r;
	else
		p->node[i - 1]->child[p->dir[i - 1]] = r;
}

/* Rebalance every node on the path, deepest first. */
static void path_rebalance(struct iova_map *map, const struct map_path *p)
{
	for (unsigned i = p->n; i-- > 0;)
		path_link(map, p, i, node_balance(p->node[i]));
}

static int path_push(struct map_path *p, struct iova_map_node *n, int dir)
{
	if (p->n == IOVA_MAP_MAX_HEIGHT)
		return -EUCLEAN; /* impossible for an AVL tree */
	p->node[p->n] = n;
	p->dir[p->n] = (unsigned char)dir;
	p->n++;
	return 0;
}

void iova_map_init(struct iova_map *map)
{
	map->root = NULL;
	map->count = 0;
}

void iova_map_clear(struct iova_map *map)
{
	struct iova_map_node *n = map->root;

	/* Rotate left children up until the root has none, then free it and
	 * go right: O(n), no stack. */
	while (n) {
		struct iova_map_node *l = n->child[0];

		if (l) {
			n->child[0] = l->child[1];
			l->child[1] = n;
			n = l;
		} else {
			struct iova_map_node *r = n->child[1];

			free(n);
			n = r;
		}
	}
	iova_map_init(map);
}

const struct iova_mapping *iova_map_find(const struct iova_map *map, iova_t addr)
{
	const struct iova_map_node *n = map->root;

	while (n) {
		if (addr.a < n->m.first.a)
			n = n->child[0];
		else if (addr.a > n->m.last.a)
			n = n->child[1];
		else
			return &n->m;
	}
	return NULL;
}

const struct iova_mapping *iova_map_next(const struct iova_map *map, iova_t addr)
{
	const struct iova_map_node *n = map->root, *best = NULL;

	/* Ends are ordered like starts: the tree is ordered by last too. */
	while (n) {
		if (n->m.last.a >= addr.a) {
			best = n;
			n = n->child[0];
		} else {
			n = n->child[1];
		}
	}
	return best ? &best->m : NULL;
}

int iova_map_insert(struct iova_map *map, const struct iova_mapping *m)
{
	const struct iova_mapping *o;
	struct iova_map_node *n, *cur = map->root;
	struct map_path p = {.n = 0};

	if (m->first.a > m->last.a)
		return -EINVAL;
	o = iova_map_next(map, m->first);
	if (o && o->first.a <= m->last.a)
		return -EEXIST;
	while (cur) {
		int d = m->first.a > cur->m.first.a;

		if (path_push(&p, cur, d))
			return -EUCLEAN;
		cur = cur->child[d];
	}
	n = calloc(1, sizeof(*n));
	if (!n)
		return -ENOMEM;
	n->m = *m;
	n->height = 1;
	path_link(map, &p, p.n, n);
	path_rebalance(map, &p);
	map->count++;
	return 0;
}

/* Unlink and free the node that starts at first (it must exist). */
static void map_delete(struct iova_map *map, iova_t first)
{
	struct iova_map_node *x = map->root, *s;
	struct map_path p = {.n = 0};
	unsigned k;

	while (x && x->m.first.a != first.a) {
		int d = first.a > x->m.first.a;

		if (path_push(&p, x, d))
			return;
		x = x->child[d];
	}
	if (!x)
		return;
	k = p.n;
	if (!x->child[0] || !x->child[1]) {
		path_link(map, &p, k, x->child[x->child[0] ? 0 : 1]);
	} else {
		/* Replace x by its successor s, the leftmost of its right
		 * subtree; s takes x's place on the path. */
		if (path_push(&p, x, 1))
			return;
		for (s = x->child[1]; s->child[0]; s = s->child[0])
			if (path_push(&p, s, 0))
				return;
		p.node[p.n - 1]->child[p.dir[p.n - 1]] = s->child[1];
		s->child[0] = x->child[0];
		s->child[1] = x->child[1];
		path_link(map, &p, k, s);
		p.node[k] = s;
	}
	free(x);
	path_rebalance(map, &p);
	map->count--;
}

int iova_map_remove_range(struct iova_map *map, iova_t first, iova_t last, iova_map_fn *fn,
			  void *opaque)
{
	const struct iova_mapping *m;
	uint64_t budget = map->count;

	if (first.a > last.a)
		return -EINVAL;
	m = iova_map_find(map, first);
	if (m && m->first.a < first.a)
		return -ERANGE;
	m = iova_map_find(map, last);
	if (m && m->last.a > last.a)
		return -ERANGE;
	/* Each pass removes one mapping: at most count passes. */
	while (budget-- && (m = iova_map_next(map, first)) && m->first.a <= last.a) {
		iova_t start = m->first;

		if (fn)
			fn(opaque, m);
		map_delete(map, start);
	}
	return 0;
}

int iova_map_walk(const struct iova_map *map, iova_t first, iova_t last, iova_map_fn *fn,
		  void *opaque)
{
	const struct iova_mapping *m = iova_map_next(map, first);
	uint64_t budget = map->count;

	while (budget-- && m && m->first.a <= last.a) {
		int ret = fn(opaque, m);

		if (ret)
			return ret;
		if (m->last.a == ~0ull)
			break;
		m = iova_map_next(map, iova(m->last.a + 1));
	}
	return 0;
}

struct verify_state {
	const struct iova_map_node *prev;
	uint64_t count;
};

/* Height of the subtree at n, or -1 when an invariant fails. Recursion is
 * bounded by depth. */
static int node_verify(const struct iova_map_node *n, unsigned depth, struct verify_state *vs)
{
	int hl, hr;

	if (!n)
		return 0;
	if (depth >= IOVA_MAP_MAX_HEIGHT || n->m.first.a > n->m.last.a)
		return -1;
	hl = node_verify(n->child[0], depth + 1, vs);
	if (hl < 0 || (vs->prev && vs->prev->m.last.a >= n->m.first.a))
		return -1;
	vs->prev = n;
	vs->count++;
	hr = node_verify(n->child[1], depth + 1, vs);
	if (hr < 0 || hl - hr > 1 || hr - hl > 1 || n->height != 1 + MAX(hl, hr))
		return -1;
	return n->height;
}

int iova_map_verify(const struct iova_map *map)
{
	struct verify_state vs = {NULL, 0};

	if (node_verify(map->root, 0, &vs) < 0 || vs.count != map->count)
		return -EUCLEAN;
	return 0;
}

unsigned iova_map_height(const struct iova_map *map)
{
	return (unsigned)node_height(map->root);
}
