/* tuple.c - a TCP connection's 4-tuple, its hash, and one hash table of
 * elements keyed by it. */
#include <stdlib.h>
#include <string.h>

#include "lib/hash.h"
#include "lib/tuple.h"
#include "lib/util.h"

#define TUPLE_TABLE_MIN 64 /* slots of a new table */

uint64_t tuple_hash(const struct tuple *t)
{
	uint64_t h = (uint64_t)t->laddr << 32 | t->raddr;

	h ^= ((uint64_t)t->lport << 16 | t->rport) * HASH_GOLDEN;
	return hash_mix64(h);
}

static struct tuple_slot *at(const struct tuple_table *t, size_t i)
{
	return (struct tuple_slot *)(t->slot + i * t->esize);
}

/* The slot that holds @k, or the empty one where it would go. */
static size_t find_slot(const struct tuple_table *t, const struct tuple *k)
{
	size_t i = (size_t)tuple_hash(k) & t->mask;

	while (at(t, i)->used && !tuple_eq(&at(t, i)->key, k))
		i = (i + 1) & t->mask;
	return i;
}

void tuple_table_init(struct tuple_table *t, size_t esize,
		      int (*stale)(const void *ctx, const void *e,
				   uint64_t now),
		      const void *ctx)
{
	/* The slots come with the first insert: a table that never holds
	 * anything (most nodes' in a large lab) costs nothing. */
	t->slot = NULL;
	t->esize = esize;
	t->mask = 0;
	t->n = 0;
	t->stale = stale;
	t->ctx = ctx;
}

void tuple_table_free(struct tuple_table *t)
{
	free(t->slot);
	t->slot = NULL;
	t->n = 0;
}

static void remove_at(struct tuple_table *t, size_t hole)
{
	size_t j = hole;

	memset(at(t, hole), 0, t->esize);
	t->n--;
	for (;;) {
		size_t home;

		j = (j + 1) & t->mask;
		if (!at(t, j)->used)
			return;
		home = (size_t)tuple_hash(&at(t, j)->key) & t->mask;
		/* Move j back into the hole unless its home lies after the
		 * hole. */
		if (((j - home) & t->mask) < ((j - hole) & t->mask))
			continue;
		memcpy(at(t, hole), at(t, j), t->esize);
		memset(at(t, j), 0, t->esize);
		hole = j;
	}
}

static int is_stale(const struct tuple_table *t, size_t i, uint64_t now)
{
	return t->stale && t->stale(t->ctx, at(t, i), now);
}

/* Remove every stale element.  A removal may pull a later element into
 * slot i, so i only advances past a live one. */
static void sweep(struct tuple_table *t, uint64_t now)
{
	size_t i = 0;

	if (!t->stale || !t->slot)
		return;
	while (i <= t->mask) {
		if (at(t, i)->used && is_stale(t, i, now))
			remove_at(t, i);
		else
			i++;
	}
}

static void resize(struct tuple_table *t, size_t slots)
{
	unsigned char *old = t->slot;
	size_t i, old_slots = t->mask + 1;

	t->slot = xcalloc(slots, t->esize);
	t->mask = slots - 1;
	for (i = 0; i < old_slots; i++) {
		struct tuple_slot *e =
			(struct tuple_slot *)(old + i * t->esize);

		if (e->used)
			memcpy(at(t, find_slot(t, &e->key)), e, t->esize);
	}
	free(old);
}

void *tuple_table_lookup(struct tuple_table *t, const struct tuple *k,
			 uint64_t now)
{
	size_t i;

	if (!t->slot)
		return NULL;
	i = find_slot(t, k);
	if (!at(t, i)->used)
		return NULL;
	if (is_stale(t, i, now)) {
		remove_at(t, i);
		return NULL;
	}
	return at(t, i);
}

void *tuple_table_find(struct tuple_table *t, const struct tuple *k)
{
	size_t i;

	if (!t->slot)
		return NULL;
	i = find_slot(t, k);
	return at(t, i)->used ? at(t, i) : NULL;
}

void *tuple_table_insert(struct tuple_table *t, const struct tuple *k,
			 uint64_t now)
{
	struct tuple_slot *e;

	if (!t->slot) {
		t->slot = xcalloc(TUPLE_TABLE_MIN, t->esize);
		t->mask = TUPLE_TABLE_MIN - 1;
	}
	/* Above 3/4 load, sweep; grow unless that left the table half
	 * empty, so that a sweep is paid for by at least a quarter table
	 * of inserts. */
	if ((t->n + 1) * 4 > (t->mask + 1) * 3) {
		sweep(t, now);
		if ((t->n + 1) * 2 > t->mask + 1)
			resize(t, (t->mask + 1) * 2);
	}
	e = at(t, find_slot(t, k));
	memset(e, 0, t->esize);
	e->key = *k;
	e->used = 1;
	t->n++;
	return e;
}

void tuple_table_remove(struct tuple_table *t, void *e)
{
	remove_at(t, (size_t)((unsigned char *)e - t->slot) / t->esize);
}

size_t tuple_table_count(const struct tuple_table *t)
{
	return t->n;
}
