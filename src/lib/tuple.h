/* tuple.h - a TCP connection's 4-tuple, its hash, and one hash table of
 * elements keyed by it. */
#ifndef NATLAB_TUPLE_H
#define NATLAB_TUPLE_H

#include <stddef.h>
#include <stdint.h>

/* A TCP 4-tuple as the local end sees it; host byte order. */
struct tuple {
	uint32_t laddr, raddr;
	uint16_t lport, rport;
};

/* tuple_hash() - all 96 bits of @t, mixed (hash.h). */
uint64_t tuple_hash(const struct tuple *t);

static inline int tuple_eq(const struct tuple *a, const struct tuple *b)
{
	return a->laddr == b->laddr && a->raddr == b->raddr &&
	       a->lport == b->lport && a->rport == b->rport;
}

/*
 * A tuple table holds elements of one size, each starting with a struct
 * tuple_slot: open addressing with linear probing and backward-shift
 * deletion (no tombstones), a power-of-two number of slots, at most 3/4
 * full.  An element may go stale (a callback says when): a stale element
 * is removed when it is looked up, and all of them are swept out before
 * the table grows, so churn reuses slots instead of allocating.
 * Elements move when others are inserted or removed: a pointer to one is
 * valid until the next insert or removal.  Allocation cannot fail (it
 * aborts, util.h).
 */
struct tuple_slot {
	struct tuple key;
	uint32_t used;
};

struct tuple_table {
	unsigned char *slot;
	size_t esize, mask, n;
	/* Is element @e stale at @now?  NULL: never. */
	int (*stale)(const void *ctx, const void *e, uint64_t now);
	const void *ctx;
};

/**
 * tuple_table_init() - an empty table
 * @esize: element size; every element starts with a struct tuple_slot
 * @stale: the staleness test (NULL: elements never go stale); @ctx its
 *         first argument
 */
void tuple_table_init(struct tuple_table *t, size_t esize,
		      int (*stale)(const void *ctx, const void *e,
				   uint64_t now),
		      const void *ctx);
void tuple_table_free(struct tuple_table *t);

/* The live element with key @k (a stale one is removed), or NULL. */
void *tuple_table_lookup(struct tuple_table *t, const struct tuple *k,
			 uint64_t now);

/* The element with key @k, stale or not, or NULL. */
void *tuple_table_find(struct tuple_table *t, const struct tuple *k);

/* A new element with key @k, zeroed but for its slot; @k must be absent
 * (tuple_table_lookup() said so). */
void *tuple_table_insert(struct tuple_table *t, const struct tuple *k,
			 uint64_t now);

/* Remove element @e (a pointer the table gave). */
void tuple_table_remove(struct tuple_table *t, void *e);

/* Elements held, stale ones not yet removed included. */
size_t tuple_table_count(const struct tuple_table *t);

#endif
