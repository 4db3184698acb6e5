/* heap.c - a binary min-heap of fixed-size elements, ordered by the
 * caller's "comes before". */
#include <stdlib.h>
#include <string.h>

#include "lib/heap.h"
#include "lib/util.h"

void heap_init(struct heap *h, size_t esize,
	       int (*before)(const void *a, const void *b, void *ctx),
	       void *ctx)
{
	memset(h, 0, sizeof(*h));
	h->esize = esize;
	h->before = before;
	h->ctx = ctx;
	h->tmp = xcalloc(1, esize);
}

void heap_free(struct heap *h)
{
	free(h->v);
	free(h->tmp);
	h->v = h->tmp = NULL;
	h->n = h->cap = 0;
}

void *heap_at(const struct heap *h, int i)
{
	return h->v + (size_t)i * h->esize;
}

static int before(const struct heap *h, int i, int j)
{
	return h->before(heap_at(h, i), heap_at(h, j), h->ctx);
}

static void swap(struct heap *h, int i, int j)
{
	memcpy(h->tmp, heap_at(h, i), h->esize);
	memcpy(heap_at(h, i), heap_at(h, j), h->esize);
	memcpy(heap_at(h, j), h->tmp, h->esize);
}

void heap_push(struct heap *h, const void *e)
{
	int i;

	if (h->n == h->cap) {
		h->cap = h->cap ? h->cap * 2 : 64;
		h->v = xrealloc(h->v, (size_t)h->cap, h->esize);
	}
	i = h->n++;
	memcpy(heap_at(h, i), e, h->esize);
	while (i && before(h, i, (i - 1) / 2)) {
		swap(h, i, (i - 1) / 2);
		i = (i - 1) / 2;
	}
}

const void *heap_top(const struct heap *h)
{
	return h->n ? h->v : NULL;
}

void heap_pop(struct heap *h, void *out)
{
	int i = 0;

	if (out)
		memcpy(out, h->v, h->esize);
	if (--h->n)
		memcpy(h->v, heap_at(h, h->n), h->esize);
	for (;;) {
		int l = 2 * i + 1, r = l + 1, m = i;

		if (l < h->n && before(h, l, m))
			m = l;
		if (r < h->n && before(h, r, m))
			m = r;
		if (m == i)
			return;
		swap(h, i, m);
		i = m;
	}
}
