/* traffic_plan.c - a run's schedule: which attempt of which client is due
 * when, and the order in which the clients take their turns. */
#include <stdlib.h>

#include "lib/hash.h"
#include "lib/util.h"
#include "run/traffic_plan.h"

/* Planned order: by due time, then by node index, then by seq. */
static int plan_cmp(const void *a, const void *b)
{
	const struct tr_rec *x = a, *y = b;

	if (x->start_us != y->start_us)
		return x->start_us < y->start_us ? -1 : 1;
	if (x->client != y->client)
		return x->client < y->client ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* The round-robin list: every client's attempt #0 by node index, then
 * every #1, and so on, a client with no attempts left skipped. */
static void plan_round_robin(struct traffic_plan *p, const struct topo *t)
{
	uint32_t n = 0, round, more;
	int c;

	for (round = 0, more = 1; more; round++) {
		more = 0;
		for (c = 0; c < t->nnodes; c++) {
			const struct topo_node *tn = &t->nodes[c];
			struct tr_rec *r;

			if (tn->kind != TOPO_CLIENT || round >= tn->load.conns)
				continue;
			more = 1;
			r = &p->recs[n++];
			r->client = (uint16_t)c;
			r->seq = round;
		}
	}
}

/* Fisher-Yates from the end, position i - 1 swapped with one drawn from
 * the seed and i: the same seed gives the same order. */
static void plan_shuffle(struct traffic_plan *p, uint64_t seed)
{
	uint32_t i, k;

	for (i = p->nrecs; i > 1; i--) {
		struct tr_rec tmp;

		k = (uint32_t)(hash_splitmix(seed ^ i) % i);
		tmp = p->recs[i - 1];
		p->recs[i - 1] = p->recs[k];
		p->recs[k] = tmp;
	}
}

/* Each attempt's due time: its place in the list times the [traffic]
 * interval, or in parallel order the client's own clock; never before
 * the client's start.  A time past 2^32 us (71 minutes) is clamped. */
static void plan_times(struct traffic_plan *p, const struct topo *t)
{
	const struct topo_traffic *g = &t->traffic;
	uint32_t i;

	for (i = 0; i < p->nrecs; i++) {
		struct tr_rec *r = &p->recs[i];
		const struct topo_load *ld = &t->nodes[r->client].load;
		uint64_t at;

		if (g->order == TOPO_ORDER_PARALLEL)
			at = (uint64_t)ld->start_ms * 1000 +
			     (uint64_t)r->seq * ld->interval_ms * 1000;
		else
			at = (uint64_t)i * g->interval_us;
		if (at < (uint64_t)ld->start_ms * 1000)
			at = (uint64_t)ld->start_ms * 1000;
		r->start_us = at > UINT32_MAX ? UINT32_MAX : (uint32_t)at;
	}
}

/* Each client's attempts, in the planned order of the records. */
static void plan_lists(struct traffic_plan *p)
{
	uint32_t i;
	int c;

	p->clients = xcalloc(p->nnodes ? p->nnodes : 1, sizeof(*p->clients));
	for (i = 0; i < p->nrecs; i++)
		p->clients[p->recs[i].client].nrecs++;
	for (c = 0; c < p->nnodes; c++) {
		if (p->clients[c].nrecs)
			p->clients[c].recs =
				xcalloc(p->clients[c].nrecs, sizeof(uint32_t));
		p->clients[c].nrecs = 0;
	}
	for (i = 0; i < p->nrecs; i++) {
		struct traffic_plan_client *cl = &p->clients[p->recs[i].client];

		cl->recs[cl->nrecs++] = i;
	}
}

void traffic_plan_make(struct traffic_plan *p, const struct topo *t)
{
	int c;

	p->nnodes = t->nnodes;
	p->nrecs = 0;
	for (c = 0; c < t->nnodes; c++)
		if (t->nodes[c].kind == TOPO_CLIENT)
			p->nrecs += t->nodes[c].load.conns;
	p->recs = xcalloc(p->nrecs ? p->nrecs : 1, sizeof(*p->recs));
	plan_round_robin(p, t);
	if (t->traffic.order == TOPO_ORDER_RANDOM)
		plan_shuffle(p, t->seed);
	plan_times(p, t);
	qsort(p->recs, p->nrecs, sizeof(*p->recs), plan_cmp);
	plan_lists(p);
}

uint32_t traffic_plan_due(const struct traffic_plan *p, int c, uint32_t k)
{
	return p->recs[p->clients[c].recs[k]].start_us;
}

int traffic_plan_before(const struct traffic_plan *p, int a, uint32_t ka, int b,
			uint32_t kb)
{
	uint32_t ta = traffic_plan_due(p, a, ka);
	uint32_t tb = traffic_plan_due(p, b, kb);

	return ta != tb ? ta < tb : a < b;
}

void traffic_plan_free_lists(struct traffic_plan *p)
{
	int c;

	if (!p->clients)
		return;
	for (c = 0; c < p->nnodes; c++) {
		free(p->clients[c].recs);
		p->clients[c].recs = NULL;
		p->clients[c].nrecs = 0;
	}
}

void traffic_plan_free(struct traffic_plan *p)
{
	traffic_plan_free_lists(p);
	free(p->clients);
	free(p->recs);
	p->clients = NULL;
	p->recs = NULL;
	p->nrecs = 0;
}
