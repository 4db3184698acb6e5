/* nameidx.c - an index of an array's elements by the name each holds. */
#include <stdlib.h>
#include <string.h>

#include "lib/hash.h"
#include "lib/nameidx.h"
#include "lib/util.h"

uint32_t nameidx_slot(const struct nameidx *x, const char *name,
		      nameidx_name_fn *get, const void *arr)
{
	uint32_t mask = x->cap - 1, h = (uint32_t)hash_str(name) & mask;

	while (x->slot[h] && strcmp(get(arr, x->slot[h] - 1), name))
		h = (h + 1) & mask;
	return h;
}

void nameidx_build(struct nameidx *x, uint32_t n, uint32_t room,
		   nameidx_name_fn *get, const void *arr)
{
	uint32_t i;

	free(x->slot);
	x->cap = 64;
	while (x->cap < 2 * room)
		x->cap *= 2;
	x->slot = xcalloc(x->cap, sizeof(*x->slot));
	for (i = 0; i < n; i++)
		x->slot[nameidx_slot(x, get(arr, i), get, arr)] = i + 1;
}

void nameidx_free(struct nameidx *x)
{
	free(x->slot);
	x->slot = NULL;
	x->cap = 0;
}
