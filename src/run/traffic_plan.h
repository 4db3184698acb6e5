/* traffic_plan.h - a run's schedule: which attempt of which client is due
 * when, and the order in which the clients take their turns. */
#ifndef NATLAB_TRAFFIC_PLAN_H
#define NATLAB_TRAFFIC_PLAN_H

#include <stdint.h>

#include "run/traffic.h"
#include "topo/topo.h"

/* One client's attempts: indices into the plan's records, in planned
 * order (the order in which they are due). */
struct traffic_plan_client {
	uint32_t *recs;
	uint32_t nrecs;
};

/*
 * The schedule of a run, computed from the topology alone: no sockets,
 * no threads, no namespaces.  Every attempt is one struct tr_rec, its
 * start_us the time it is due (microseconds after the run began), its
 * client the node index and its seq the client's k-th attempt; the
 * generator later fills in the rest of each record.
 */
struct traffic_plan {
	struct tr_rec *recs; /* every attempt, in planned order */
	uint32_t nrecs;
	/* by node index; empty for nodes that are not clients */
	struct traffic_plan_client *clients;
	int nnodes;
};

/**
 * traffic_plan_make() - plan every attempt of every client
 * @p: the plan to fill (its old contents are not freed)
 * @t: the topology; [traffic] order, rate or interval, and each client's
 *     conns, interval and start
 *
 * Round-robin: c1#0, c2#0, ..., cN#0, c1#1, ... one every [traffic]
 * interval, skipping clients that have no attempts left; random: that
 * list shuffled with the lab's seed; parallel: each client's own
 * attempts every one of its intervals from its start.  A client's start
 * delays its attempts in every order.  The plan lists the attempts by
 * due time, ties by node index, then by seq.  Allocation cannot fail
 * (util.h); traffic_plan_free() frees what this allocates.
 */
void traffic_plan_make(struct traffic_plan *p, const struct topo *t);

/* traffic_plan_due() - when client node @c's @k-th attempt in planned
 * order (0 .. its nrecs - 1) is due, in microseconds. */
uint32_t traffic_plan_due(const struct traffic_plan *p, int c, uint32_t k);

/**
 * traffic_plan_before() - whose turn comes first
 * @a, @ka: a client node and the index of its next attempt in its list
 * @b, @kb: another client node, and the index of its next attempt
 * Return: 1 if @a's attempt is due before @b's: the earlier time, ties
 * to the lower node index, as in the plan; 0 otherwise.
 */
int traffic_plan_before(const struct traffic_plan *p, int a, uint32_t ka, int b,
			uint32_t kb);

/* traffic_plan_free_lists() - free the clients' lists (their nrecs become
 * 0) and keep the records. */
void traffic_plan_free_lists(struct traffic_plan *p);

/* traffic_plan_free() - free the records and the clients' lists. */
void traffic_plan_free(struct traffic_plan *p);

#endif
