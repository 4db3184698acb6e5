/* test_traffic.c - the generator's schedule (traffic_plan.c) against
 * orders and times worked out by hand for small labs: round-robin with a
 * late client, parallel clocks, ties, the seeded shuffle, and the turns
 * the workers take from it. */
#include <stdint.h>
#include <string.h>

#include "lib/heap.h"
#include "lib/util.h"
#include "run/traffic_plan.h"
#include "topo/topo.h"
#include "topo_test.h"
#include "unit.h"

static struct topo t;

/* A gateway (node 0), the server (node 1), then the clients c1, c2, ...
 * as nodes 2, 3, ... */
#define LAB                                                                    \
	"[lab]\nname = pl\n"                                                   \
	"[network lan]\nsubnet = 10.0.0.0/24\n"                                \
	"[network wan]\nsubnet = 198.51.100.0/24\n"                            \
	"[gateway gw]\ninside = lan\noutside = wan\n"                          \
	"[server srv]\nnetwork = wan\nlisten = 80\n"

/* One planned attempt: client node, its k-th attempt, when it is due. */
struct want {
	uint16_t client;
	uint32_t seq;
	uint32_t us;
};

static void plan_of(struct traffic_plan *p, const char *text)
{
	int err = topo_test_parse(&t, text);

	if (err)
		topo_print_errors(&t);
	CU_ASSERT_EQUAL_FATAL(err, 0);
	memset(p, 0, sizeof(*p));
	traffic_plan_make(p, &t);
}

/* The plan's records are exactly @w, in that order. */
static void check_plan(const struct traffic_plan *p, const struct want *w,
		       uint32_t n)
{
	uint32_t i;

	CU_ASSERT_EQUAL_FATAL(p->nrecs, n);
	for (i = 0; i < n; i++) {
		CU_ASSERT_EQUAL(p->recs[i].client, w[i].client);
		CU_ASSERT_EQUAL(p->recs[i].seq, w[i].seq);
		CU_ASSERT_EQUAL(p->recs[i].start_us, w[i].us);
		CU_ASSERT_EQUAL(p->recs[i].outcome, TR_PENDING);
		CU_ASSERT_EQUAL(p->recs[i].flags, 0);
	}
}

/* Each client's list holds its own records, all of them, in the order
 * of the plan. */
static void check_lists(const struct traffic_plan *p)
{
	uint32_t k, total = 0;
	int c;

	CU_ASSERT_EQUAL_FATAL(p->nnodes, t.nnodes);
	for (c = 0; c < p->nnodes; c++) {
		const struct traffic_plan_client *cl = &p->clients[c];

		if (t.nodes[c].kind != TOPO_CLIENT)
			CU_ASSERT_EQUAL(cl->nrecs, 0);
		for (k = 0; k < cl->nrecs; k++) {
			CU_ASSERT_EQUAL(p->recs[cl->recs[k]].client, c);
			if (k)
				CU_ASSERT(cl->recs[k - 1] < cl->recs[k]);
			CU_ASSERT_EQUAL(traffic_plan_due(p, c, k),
					p->recs[cl->recs[k]].start_us);
		}
		total += cl->nrecs;
	}
	CU_ASSERT_EQUAL(total, p->nrecs);
}

struct turn {
	const struct traffic_plan *p;
	uint32_t next[16]; /* by node index */
};

static int turn_before(const void *a, const void *b, void *ctx)
{
	const struct turn *tu = ctx;
	int x = *(const int *)a, y = *(const int *)b;

	return traffic_plan_before(tu->p, x, tu->next[x], y, tu->next[y]);
}

/* The workers' turns with no concurrency limit: every client with an
 * attempt left is in a heap ordered by traffic_plan_before(); the one on
 * top starts its next attempt and goes back in.  They must start the
 * attempts in exactly the order @w. */
static void check_turns(const struct traffic_plan *p, const struct want *w,
			uint32_t n)
{
	struct turn tu = {.p = p};
	struct heap h;
	uint32_t i = 0;
	int c;

	CU_ASSERT_FATAL(p->nnodes <= 16);
	heap_init(&h, sizeof(int), turn_before, &tu);
	for (c = 0; c < p->nnodes; c++)
		if (p->clients[c].nrecs)
			heap_push(&h, &c);
	while (heap_count(&h)) {
		const struct tr_rec *r;

		heap_pop(&h, &c);
		r = &p->recs[p->clients[c].recs[tu.next[c]++]];
		CU_ASSERT_FATAL(i < n);
		CU_ASSERT_EQUAL(r->client, w[i].client);
		CU_ASSERT_EQUAL(r->seq, w[i].seq);
		CU_ASSERT_EQUAL(r->start_us, w[i].us);
		i++;
		if (tu.next[c] < p->clients[c].nrecs)
			heap_push(&h, &c);
	}
	CU_ASSERT_EQUAL(i, n);
	heap_free(&h);
}

/*
 * Four clients, three attempts each but c3 (node 4) six, starting at
 * 120 ms; 40 attempts a second: one every 25 ms.  The round-robin list
 * c1#0 c2#0 c3#0 c4#0 c1#1 ... c4#2 c3#3 c3#4 c3#5 puts attempt i at
 * i * 25 ms, but c3#0 (place 2, 50 ms) waits for its start, 120 ms, and
 * so comes after c1#1 (100 ms).
 */
static const char rr_text[] = LAB "[clients]\ncount = 4\nnetwork = lan\n"
				  "[client c3]\nstart = 120ms\nconns = 6\n"
				  "[traffic]\nconns = 3\nrate = 40\n"
				  "order = round-robin\n";

static const struct want rr_want[] = {
	{2, 0, 0},	{3, 0, 25000},	{5, 0, 75000},	{2, 1, 100000},
	{4, 0, 120000}, {3, 1, 125000}, {4, 1, 150000}, {5, 1, 175000},
	{2, 2, 200000}, {3, 2, 225000}, {4, 2, 250000}, {5, 2, 275000},
	{4, 3, 300000}, {4, 4, 325000}, {4, 5, 350000},
};

static void test_round_robin(void)
{
	static const uint32_t c3[] = {4, 6, 10, 12, 13, 14};
	struct traffic_plan p;
	uint32_t k;

	plan_of(&p, rr_text);
	check_plan(&p, rr_want, ARRAY_SIZE(rr_want));
	check_lists(&p);
	CU_ASSERT_EQUAL_FATAL(p.clients[4].nrecs, ARRAY_SIZE(c3));
	for (k = 0; k < ARRAY_SIZE(c3); k++)
		CU_ASSERT_EQUAL(p.clients[4].recs[k], c3[k]);
	CU_ASSERT_EQUAL(p.clients[2].nrecs, 3);
	check_turns(&p, rr_want, ARRAY_SIZE(rr_want));
	traffic_plan_free(&p);
}

/*
 * Parallel: each client on its own clock.  c1 (node 2): from 1 s every
 * 30 ms, 5 attempts; c2 (node 3): the [traffic] defaults, from 0 every
 * 20 ms, 5 attempts; c3 (node 4): from 5 ms every 7 ms, 2 attempts.
 */
static const char par_text[] = LAB "[clients]\ncount = 3\nnetwork = lan\n"
				   "[client c1]\nstart = 1s\ninterval = 30ms\n"
				   "[client c3]\nconns = 2\ninterval = 7ms\n"
				   "start = 5ms\n"
				   "[traffic]\nconns = 5\ninterval = 20ms\n"
				   "order = parallel\n";

static const struct want par_want[] = {
	{3, 0, 0},	 {4, 0, 5000},	  {4, 1, 12000},   {3, 1, 20000},
	{3, 2, 40000},	 {3, 3, 60000},	  {3, 4, 80000},   {2, 0, 1000000},
	{2, 1, 1030000}, {2, 2, 1060000}, {2, 3, 1090000}, {2, 4, 1120000},
};

static void test_parallel(void)
{
	struct traffic_plan p;

	plan_of(&p, par_text);
	check_plan(&p, par_want, ARRAY_SIZE(par_want));
	check_lists(&p);
	check_turns(&p, par_want, ARRAY_SIZE(par_want));
	traffic_plan_free(&p);
}

/* Two clients on the same parallel clock: every attempt ties, and the
 * lower node index goes first, in the plan and in the turns. */
static const char tie_text[] = LAB "[clients]\ncount = 2\nnetwork = lan\n"
				   "[traffic]\nconns = 3\ninterval = 10ms\n"
				   "order = parallel\n";

static const struct want tie_want[] = {
	{2, 0, 0},     {3, 0, 0},     {2, 1, 10000},
	{3, 1, 10000}, {2, 2, 20000}, {3, 2, 20000},
};

static void test_ties(void)
{
	struct traffic_plan p;

	plan_of(&p, tie_text);
	check_plan(&p, tie_want, ARRAY_SIZE(tie_want));
	CU_ASSERT_TRUE(traffic_plan_before(&p, 2, 0, 3, 0));
	CU_ASSERT_FALSE(traffic_plan_before(&p, 3, 0, 2, 0));
	/* c2's first before c1's second: earlier wins over the index */
	CU_ASSERT_TRUE(traffic_plan_before(&p, 3, 0, 2, 1));
	CU_ASSERT_FALSE(traffic_plan_before(&p, 2, 1, 3, 0));
	check_turns(&p, tie_want, ARRAY_SIZE(tie_want));
	traffic_plan_free(&p);
}

/*
 * Random: the round-robin list c1#0 c2#0 c3#0 c1#1 c2#1 c1#2 c2#2
 * (c3, node 4, has one attempt) shuffled by Fisher-Yates, place i - 1
 * swapped with place splitmix64(seed ^ i) mod i for i = 7 .. 2, then
 * one attempt every 10 ms.  The orders below come from a separate
 * splitmix64 written from its definition (Steele, Lea and Flood, 2014)
 * and checked against its published first output for seed 0,
 * 0xe220a8397b1dcdaf.  A client's attempts need not keep their seq
 * order: c2#2 comes before c2#1.
 */
#define RANDOM_TEXT(seed)                                                      \
	LAB "[clients]\ncount = 3\nnetwork = lan\nseed = " seed "\n"           \
	    "[client c3]\nconns = 1\n"                                         \
	    "[traffic]\nconns = 3\ninterval = 10ms\norder = random\n"

static const struct want rnd42_want[] = {
	{3, 0, 0},     {3, 2, 10000}, {3, 1, 20000}, {2, 2, 30000},
	{2, 0, 40000}, {2, 1, 50000}, {4, 0, 60000},
};

static const struct want rnd43_want[] = {
	{3, 2, 0},     {4, 0, 10000}, {2, 2, 20000}, {3, 0, 30000},
	{2, 1, 40000}, {3, 1, 50000}, {2, 0, 60000},
};

static void test_random(void)
{
	struct traffic_plan p, again;
	uint32_t i;

	plan_of(&p, RANDOM_TEXT("42"));
	check_plan(&p, rnd42_want, ARRAY_SIZE(rnd42_want));
	check_lists(&p);
	check_turns(&p, rnd42_want, ARRAY_SIZE(rnd42_want));
	/* The same seed, parsed again: the same plan, record for record. */
	plan_of(&again, RANDOM_TEXT("42"));
	CU_ASSERT_EQUAL_FATAL(again.nrecs, p.nrecs);
	for (i = 0; i < p.nrecs; i++)
		CU_ASSERT_EQUAL(
			memcmp(&again.recs[i], &p.recs[i], sizeof(p.recs[i])),
			0);
	traffic_plan_free(&again);
	traffic_plan_free(&p);
	/* Another seed, another order. */
	plan_of(&p, RANDOM_TEXT("43"));
	check_plan(&p, rnd43_want, ARRAY_SIZE(rnd43_want));
	check_turns(&p, rnd43_want, ARRAY_SIZE(rnd43_want));
	traffic_plan_free(&p);
}

/* A random order still waits for each client's start: with seed 42 as
 * above, c2 (node 3) holds places 0, 1 and 2 (0, 10 and 20 ms); from a
 * start at 45 ms all three move behind c1#2 and c1#0 (30 and 40 ms), and
 * on the tie go by seq. */
static void test_random_start(void)
{
	static const struct want want[] = {
		{2, 2, 30000}, {2, 0, 40000}, {3, 0, 45000}, {3, 1, 45000},
		{3, 2, 45000}, {2, 1, 50000}, {4, 0, 60000},
	};
	struct traffic_plan p;

	plan_of(&p, LAB "[clients]\ncount = 3\nnetwork = lan\nseed = 42\n"
			"[client c2]\nstart = 45ms\n"
			"[client c3]\nconns = 1\n"
			"[traffic]\nconns = 3\ninterval = 10ms\n"
			"order = random\n");
	check_plan(&p, want, ARRAY_SIZE(want));
	check_lists(&p);
	check_turns(&p, want, ARRAY_SIZE(want));
	traffic_plan_free(&p);
}

/* A start past 2^32 microseconds (71.6 minutes) is clamped to the
 * largest time a record holds; a client with no attempts has none. */
static void test_clamp_and_empty(void)
{
	struct traffic_plan p;

	plan_of(&p, LAB "[clients]\ncount = 2\nnetwork = lan\n"
			"[client c1]\nstart = 24h\n"
			"[client c2]\nconns = 0\n"
			"[traffic]\nconns = 2\ninterval = 10ms\n"
			"order = parallel\n");
	CU_ASSERT_EQUAL_FATAL(p.nrecs, 2);
	CU_ASSERT_EQUAL(p.recs[0].start_us, UINT32_MAX);
	CU_ASSERT_EQUAL(p.recs[1].start_us, UINT32_MAX);
	CU_ASSERT_EQUAL(p.recs[0].seq, 0);
	CU_ASSERT_EQUAL(p.recs[1].seq, 1);
	CU_ASSERT_EQUAL(p.clients[3].nrecs, 0);
	check_lists(&p);
	traffic_plan_free_lists(&p);
	CU_ASSERT_EQUAL(p.clients[2].nrecs, 0);
	CU_ASSERT_PTR_NULL(p.clients[2].recs);
	CU_ASSERT_EQUAL(p.nrecs, 2); /* the records stay */
	traffic_plan_free(&p);
	topo_free(&t);
}

static const struct unit_test tests[] = {
	{"round-robin with a late client", test_round_robin},
	{"parallel clocks", test_parallel},
	{"ties to the lower node index", test_ties},
	{"random order by the seed", test_random},
	{"random order and a client's start", test_random_start},
	{"clamped start, client without attempts", test_clamp_and_empty},
	{NULL, NULL},
};

UNIT_SUITE("traffic plan", tests)
