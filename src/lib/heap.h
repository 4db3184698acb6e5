/* heap.h - a binary min-heap of fixed-size elements, ordered by the
 * caller's "comes before". */
#ifndef NATLAB_HEAP_H
#define NATLAB_HEAP_H

#include <stddef.h>

/*
 * The element that comes first is at the top.  Elements are copied in
 * and out (memcpy of @esize bytes), so they hold no pointers into the
 * heap.  Equal elements leave in no promised order; a caller that needs
 * one breaks ties in @before.  Allocation cannot fail (it aborts, util.h).
 */
struct heap {
	unsigned char *v;
	size_t esize;
	int n, cap;
	/* Does @a come before @b? */
	int (*before)(const void *a, const void *b, void *ctx);
	void *ctx;
	unsigned char *tmp; /* one element, for swaps */
};

void heap_init(struct heap *h, size_t esize,
	       int (*before)(const void *a, const void *b, void *ctx),
	       void *ctx);
void heap_free(struct heap *h);

/* Add a copy of @e. */
void heap_push(struct heap *h, const void *e);

/* The first element, or NULL if the heap is empty (valid until the next
 * push or pop). */
const void *heap_top(const struct heap *h);

/* Remove the first element, copying it to @out (NULL: dropped); the heap
 * must not be empty. */
void heap_pop(struct heap *h, void *out);

/* The @i-th element in storage order (0 .. heap_count() - 1), to visit
 * them all, e.g. to free what they point to. */
void *heap_at(const struct heap *h, int i);

static inline int heap_count(const struct heap *h)
{
	return h->n;
}

#endif
