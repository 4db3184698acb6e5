/* nameidx.h - an index of an array's elements by the name each holds:
 * open addressing over their positions, at most half full. */
#ifndef NATLAB_NAMEIDX_H
#define NATLAB_NAMEIDX_H

#include <stdint.h>

/* The index: slot[h] is an element's position + 1, 0 an empty slot; cap
 * is a power of two (0: not built yet).  A zeroed struct is empty. */
struct nameidx {
	uint32_t *slot;
	uint32_t cap;
};

/* The name of element @i of the array @arr the index is over. */
typedef const char *nameidx_name_fn(const void *arr, uint32_t i);

/**
 * nameidx_slot() - the slot that holds @name, or the empty one where it
 * goes; the index must be built (cap > 0)
 */
uint32_t nameidx_slot(const struct nameidx *x, const char *name,
		      nameidx_name_fn *get, const void *arr);

/**
 * nameidx_build() - index elements 0 .. @n - 1 of @arr again, in a table
 * with room for @room elements at half load (@room >= @n)
 *
 * Callers build again when the array outgrows the room, or after
 * removing an element.  Allocation cannot fail (it aborts, util.h).
 */
void nameidx_build(struct nameidx *x, uint32_t n, uint32_t room,
		   nameidx_name_fn *get, const void *arr);

void nameidx_free(struct nameidx *x);

#endif
