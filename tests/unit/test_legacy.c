/* test_legacy.c - the tcp_tw_recycle model: closes, the cache, SYN checks. */
#include <stdio.h>
#include <stdlib.h>

#include "engine/legacy.h"
#include "lib/util.h"
#include "unit.h"

#define L1	0xc6336401u /* 198.51.100.1, the server */
#define L2	0xc6336402u /* 198.51.100.2, a second server address */
#define R1	0xcb007101u /* 203.0.113.1, a NAT's public address */
#define R2	0xcb007102u
#define SPORT	80
#define PORT_A	40000  /* the connection that fills the cache */
#define PORT_B	40001  /* a later one */
#define FIN_END 1001u  /* sequence number after the server's FIN */
#define MIN	60000u /* one minute in ms */

/* Both counters of a drop move together; check all five at once. */
#define CHECK_STATS(lg, syn, drop, rem, tw)                                    \
	do {                                                                   \
		struct legacy_stats st_;                                       \
		legacy_stats(lg, &st_);                                        \
		CU_ASSERT_EQUAL(st_.syn_checked, syn);                         \
		CU_ASSERT_EQUAL(st_.paws_passive, drop);                       \
		CU_ASSERT_EQUAL(st_.listen_drops, drop);                       \
		CU_ASSERT_EQUAL(st_.remembered, rem);                          \
		CU_ASSERT_EQUAL(st_.tw_entered, tw);                           \
	} while (0)

static struct legacy *mk(enum legacy_model m, uint32_t msl_ms, uint32_t ttl)
{
	struct legacy_cfg cfg = {m, msl_ms, ttl};
	struct legacy *lg = legacy_new(&cfg);

	CU_ASSERT_PTR_NOT_NULL_FATAL(lg);
	return lg;
}

static int seg(struct legacy *lg, enum legacy_event ev, uint32_t l, uint32_t r,
	       uint16_t rport, int ts_ok, uint32_t ts, uint32_t ack,
	       uint64_t now)
{
	return legacy_segment(lg, ev, l, r, SPORT, rport, ts_ok, ts, FIN_END,
			      ack, now);
}

/* Active close: our FIN, then the client's FIN acking it.  Return: what
 * the FIN_IN returned.  The TIME_WAIT is left live. */
static int close_tw(struct legacy *lg, uint32_t l, uint32_t r, uint16_t rport,
		    int ts_ok, uint32_t ts, uint64_t now)
{
	seg(lg, LEGACY_FIN_OUT, l, r, rport, 0, 0, 0, now);
	return seg(lg, LEGACY_FIN_IN, l, r, rport, ts_ok, ts, FIN_END, now);
}

/* The same, then the caller's shortened TIME_WAIT ends at once. */
static int close_active(struct legacy *lg, uint32_t l, uint32_t r,
			uint16_t rport, int ts_ok, uint32_t ts, uint64_t now)
{
	int rc = close_tw(lg, l, r, rport, ts_ok, ts, now);

	legacy_tw_end(lg, l, r, SPORT, rport);
	return rc;
}

static enum legacy_verdict syn(struct legacy *lg, uint32_t l, uint32_t r,
			       uint16_t rport, int has_ts, uint32_t tsval,
			       uint64_t now)
{
	return legacy_judge_syn(lg, l, r, SPORT, rport, has_ts, tsval, now);
}

/* Assert the remembered entry of (l, r), or its absence (ts_want < 0). */
static void check_peer(struct legacy *lg, uint32_t l, uint32_t r, uint64_t now,
		       int64_t ts_want, uint64_t stamp_want)
{
	uint32_t ts = 0;
	uint64_t stamp = 0;
	int found = legacy_peer(lg, l, r, now, &ts, &stamp);

	CU_ASSERT_EQUAL(found, ts_want >= 0);
	if (!found || ts_want < 0)
		return;
	CU_ASSERT_EQUAL(ts, (uint32_t)ts_want);
	CU_ASSERT_EQUAL(stamp, stamp_want);
}

/*
 * SYN cases: an entry (ts, stamped at at_ms) is made by an active close
 * on PORT_A, then a SYN arrives on PORT_B.
 */
struct syn_case {
	const char *what;
	enum legacy_model model;
	uint32_t msl_ms;
	uint32_t ts;
	uint64_t at_ms;
	int has_ts;
	uint32_t tsval;
	uint64_t syn_ms;
	enum legacy_verdict want;
};

#define OLD  LEGACY_2_6_32
#define NEW  LEGACY_4_4
#define ACC  LEGACY_ACCEPT
#define DROP LEGACY_DROP_PAWS

static void run_syn_cases(const struct syn_case *c, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++, c++) {
		struct legacy *lg = mk(c->model, c->msl_ms, 0);
		enum legacy_verdict v;
		int rc = close_active(lg, L1, R1, PORT_A, 1, c->ts, c->at_ms);

		v = syn(lg, L1, R1, PORT_B, c->has_ts, c->tsval, c->syn_ms);
		if (rc != 1 || v != c->want)
			fprintf(stderr, "\n  row failed: %s\n", c->what);
		CU_ASSERT_EQUAL(rc, 1);
		CU_ASSERT_EQUAL(v, c->want);
		legacy_free(lg);
	}
}

static const struct syn_case window_cases[] = {
	{"2.6.32 older by 1", OLD, MIN, 1000, 0, 1, 999, 1000, ACC},
	{"2.6.32 older by 2", OLD, MIN, 1000, 0, 1, 998, 1000, DROP},
	{"2.6.32 equal", OLD, MIN, 1000, 0, 1, 1000, 1000, ACC},
	{"2.6.32 newer", OLD, MIN, 1000, 0, 1, 1001, 1000, ACC},
	{"2.6.32 much older", OLD, MIN, 1000, 0, 1, 0, 1000, DROP},
	{"4.4 older by 1", NEW, MIN, 1000, 0, 1, 999, 1000, ACC},
	{"4.4 older by 2", NEW, MIN, 1000, 0, 1, 998, 1000, DROP},
	{"4.4 equal", NEW, MIN, 1000, 0, 1, 1000, 1000, ACC},
	{"4.4 newer", NEW, MIN, 1000, 0, 1, 1001, 1000, ACC},
	{"4.4 much older", NEW, MIN, 1000, 0, 1, 0, 1000, DROP},
};

/* Stamped at 5 s: fresh while now_s - 5 < 60. */
static const struct syn_case fresh_cases[] = {
	{"2.6.32 fresh, 59 s", OLD, MIN, 1000, 5000, 1, 998, 64999, DROP},
	{"2.6.32 exactly MSL", OLD, MIN, 1000, 5000, 1, 998, 65000, ACC},
	{"2.6.32 stale, 61 s", OLD, MIN, 1000, 5000, 1, 998, 66000, ACC},
	{"4.4 fresh, 59 s", NEW, MIN, 1000, 5000, 1, 998, 64999, DROP},
	{"4.4 exactly MSL", NEW, MIN, 1000, 5000, 1, 998, 65000, ACC},
	{"4.4 stale, 61 s", NEW, MIN, 1000, 5000, 1, 998, 66000, ACC},
	{"4.4 msl 0 = 60 s, fresh", NEW, 0, 1000, 0, 1, 998, 59999, DROP},
	{"4.4 msl 0 = 60 s, stale", NEW, 0, 1000, 0, 1, 998, 60000, ACC},
	{"4.4 msl 10 s, fresh", NEW, 10000, 1000, 0, 1, 998, 9999, DROP},
	{"4.4 msl 10 s, stale", NEW, 10000, 1000, 0, 1, 998, 10000, ACC},
};

static const struct syn_case wrap_cases[] = {
	{"newer across 2^32", NEW, MIN, 0xfffffff0, 0, 1, 0x10, 1000, ACC},
	{"older across 2^32", NEW, MIN, 0x10, 0, 1, 0xfffffff0, 1000, DROP},
	{"newer by 2^31-1", NEW, MIN, 0x10, 0, 1, 0x8000000f, 1000, ACC},
	{"older by 2^31-1", NEW, MIN, 0x10, 0, 1, 0x80000011, 1000, DROP},
	{"2^31 ahead", NEW, MIN, 0x10, 0, 1, 0x80000010, 1000, ACC},
	{"2^31 behind", NEW, MIN, 0x80000010, 0, 1, 0x10, 1000, ACC},
	{"newer across 2^31", OLD, MIN, 0x7fffffff, 0, 1, 0x80000001, 1000,
	 ACC},
	{"older across 2^31", OLD, MIN, 0x80000001, 0, 1, 0x7fffffff, 1000,
	 DROP},
	{"2.6.32 older across 2^32", OLD, MIN, 0x10, 0, 1, 0xfffffff0, 1000,
	 DROP},
	{"2.6.32 newer across 2^32", OLD, MIN, 0xfffffff0, 0, 1, 0x10, 1000,
	 ACC},
};

static const struct syn_case nots_cases[] = {
	{"4.4 fresh entry", NEW, MIN, 1000, 0, 0, 0, 59999, DROP},
	{"4.4 stale entry", NEW, MIN, 1000, 0, 0, 0, 60000, ACC},
	{"2.6.32 fresh entry", OLD, MIN, 1000, 0, 0, 0, 1000, ACC},
	{"2.6.32 stale entry", OLD, MIN, 1000, 0, 0, 0, 60000, ACC},
};

/* Whole seconds: stamped at 10.9 s is stamp 10. */
static const struct syn_case second_cases[] = {
	{"2.6.32 10.9 s -> 70.0 s", OLD, MIN, 1000, 10900, 1, 998, 70000, ACC},
	{"2.6.32 10.9 s -> 69.999 s", OLD, MIN, 1000, 10900, 1, 998, 69999,
	 DROP},
	{"4.4 10.9 s -> 70.0 s", NEW, MIN, 1000, 10900, 1, 998, 70000, ACC},
	{"4.4 10.9 s -> 69.999 s", NEW, MIN, 1000, 10900, 1, 998, 69999, DROP},
	{"4.4 no ts 10.9 s -> 70.0 s", NEW, MIN, 1000, 10900, 0, 0, 70000, ACC},
};

/* An MSL that is not whole seconds: milliseconds throughout. */
static const struct syn_case ms_cases[] = {
	{"1.5 s fresh", NEW, 1500, 1000, 1000, 1, 998, 2499, DROP},
	{"1.5 s exactly MSL", NEW, 1500, 1000, 1000, 1, 998, 2500, ACC},
	{"2.6.32 1.5 s fresh", OLD, 1500, 1000, 1000, 1, 998, 2499, DROP},
	{"2.6.32 1.5 s exactly", OLD, 1500, 1000, 1000, 1, 998, 2500, ACC},
	{"60.5 s from 10.9 s, fresh", NEW, 60500, 1000, 10900, 1, 998, 71399,
	 DROP},
	{"60.5 s from 10.9 s, stale", NEW, 60500, 1000, 10900, 1, 998, 71400,
	 ACC},
};

static void test_syn_window(void)
{
	run_syn_cases(window_cases, ARRAY_SIZE(window_cases));
}

static void test_syn_fresh_stale(void)
{
	run_syn_cases(fresh_cases, ARRAY_SIZE(fresh_cases));
}

static void test_syn_wrap(void)
{
	run_syn_cases(wrap_cases, ARRAY_SIZE(wrap_cases));
}

static void test_syn_without_ts(void)
{
	run_syn_cases(nots_cases, ARRAY_SIZE(nots_cases));
}

static void test_syn_seconds(void)
{
	run_syn_cases(second_cases, ARRAY_SIZE(second_cases));
}

static void test_syn_ms_mode(void)
{
	run_syn_cases(ms_cases, ARRAY_SIZE(ms_cases));
}

/*
 * The update rule: an entry (first_ts, stamped first_ms) exists; then a
 * connection whose client last sent cand_ts at cand_ms closes actively at
 * close_ms (its FIN without a timestamp).  MSL 60 s.
 */
struct upd_case {
	const char *what;
	enum legacy_model model;
	uint32_t first_ts;
	uint64_t first_ms;
	uint32_t cand_ts;
	uint64_t cand_ms;
	uint64_t close_ms;
	uint32_t want_ts;
	uint64_t want_stamp_ms;
};

static const struct upd_case upd_cases[] = {
	{"newer overwrites", NEW, 1000, 0, 2000, 10000, 10000, 2000, 10000},
	{"2.6.32 newer overwrites", OLD, 1000, 0, 2000, 10000, 10000, 2000,
	 10000},
	{"equal overwrites the stamp", NEW, 1000, 0, 1000, 10000, 10000, 1000,
	 10000},
	{"older, entry fresh: kept", NEW, 1000, 0, 500, 30000, 30000, 1000, 0},
	{"older, entry exactly MSL old: kept", NEW, 1000, 0, 500, 60000, 60000,
	 1000, 0},
	{"older, entry past MSL: overwrites", NEW, 1000, 0, 500, 61000, 61000,
	 500, 61000},
	{"2.6.32 older, past MSL: overwrites", OLD, 1000, 0, 500, 61000, 61000,
	 500, 61000},
	{"older, past MSL, stamped after the candidate: kept", NEW, 1000, 10000,
	 500, 5000, 100000, 1000, 10000},
	{"older, past MSL, same second as the candidate: overwrites", NEW, 1000,
	 10000, 500, 10500, 71000, 500, 10000},
	{"older, past MSL, cand stamp == entry stamp, 60 s: kept", NEW, 1000,
	 10000, 500, 10500, 70000, 1000, 10000},
};

static void test_update_rule(void)
{
	const struct upd_case *c = upd_cases;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(upd_cases); i++, c++) {
		struct legacy *lg = mk(c->model, MIN, 0);
		uint32_t ts = 0;
		uint64_t stamp = 0;
		int rc;

		/* Events in time order: now never goes backwards. */
		if (c->cand_ms <= c->first_ms) {
			seg(lg, LEGACY_ACK_IN, L1, R1, PORT_B, 1, c->cand_ts, 0,
			    c->cand_ms);
			close_active(lg, L1, R1, PORT_A, 1, c->first_ts,
				     c->first_ms);
		} else {
			close_active(lg, L1, R1, PORT_A, 1, c->first_ts,
				     c->first_ms);
			seg(lg, LEGACY_ACK_IN, L1, R1, PORT_B, 1, c->cand_ts, 0,
			    c->cand_ms);
		}
		rc = close_active(lg, L1, R1, PORT_B, 0, 0, c->close_ms);
		legacy_peer(lg, L1, R1, c->close_ms, &ts, &stamp);
		if (rc != 1 || ts != c->want_ts || stamp != c->want_stamp_ms)
			fprintf(stderr, "\n  row failed: %s\n", c->what);
		CU_ASSERT_EQUAL(rc, 1);
		CU_ASSERT_EQUAL(ts, c->want_ts);
		CU_ASSERT_EQUAL(stamp, c->want_stamp_ms);
		legacy_free(lg);
	}
}

/* A new entry takes any candidate, even one a zeroed entry would refuse
 * by both branches of the rule (ts 2^31 + 1 ahead of 0, at 10 s). */
static void test_new_entry_always_written(void)
{
	struct legacy *lg = mk(NEW, MIN, 0);

	CU_ASSERT_EQUAL(close_active(lg, L1, R1, PORT_A, 1, 0x80000001, 10000),
			1);
	check_peer(lg, L1, R1, 10000, 0x80000001, 10000);
	CHECK_STATS(lg, 0, 0, 1, 1);
	legacy_free(lg);
}

static void test_new_and_defaults(void)
{
	struct legacy *lg = mk(OLD, 0, 0);

	legacy_free(NULL);
	CHECK_STATS(lg, 0, 0, 0, 0);
	check_peer(lg, L1, R1, 0, -1, 0);
	CU_ASSERT_EQUAL(syn(lg, L1, R1, PORT_B, 1, 0, 0), ACC);
	CU_ASSERT_EQUAL(syn(lg, L1, R1, PORT_B, 0, 0, 0), ACC);
	CHECK_STATS(lg, 2, 0, 0, 0);
	legacy_free(lg);
	lg = mk(NEW, 0, 0);
	CU_ASSERT_EQUAL(syn(lg, L1, R1, PORT_B, 0, 0, 0), ACC);
	legacy_free(lg);
}

static void test_counters(void)
{
	struct legacy *lg = mk(NEW, MIN, 0);

	close_active(lg, L1, R1, PORT_A, 1, 1000, 0);
	close_active(lg, L1, R1, PORT_A + 2, 1, 500, 1000); /* kept */
	close_active(lg, L1, R1, PORT_A + 3, 0, 0, 1000);   /* no ts */
	CU_ASSERT_EQUAL(syn(lg, L1, R1, PORT_B, 1, 10, 2000), DROP);
	CU_ASSERT_EQUAL(syn(lg, L1, R1, PORT_B, 0, 0, 2000), DROP);
	CU_ASSERT_EQUAL(syn(lg, L1, R1, PORT_B, 1, 5000, 2000), ACC);
	CHECK_STATS(lg, 3, 2, 1, 3);
	legacy_free(lg);
}

static void test_close_fin_acks_fin(void)
{
	struct legacy *lg = mk(NEW, MIN, 0);

	CU_ASSERT_EQUAL(seg(lg, LEGACY_FIN_OUT, L1, R1, PORT_A, 0, 0, 0, 0), 0);
	CU_ASSERT_EQUAL(
		seg(lg, LEGACY_FIN_IN, L1, R1, PORT_A, 1, 777, FIN_END, 2500),
		1);
	check_peer(lg, L1, R1, 2500, 777, 2000);
	/* A retransmitted FIN in TIME_WAIT changes nothing. */
	CU_ASSERT_EQUAL(
		seg(lg, LEGACY_FIN_IN, L1, R1, PORT_A, 1, 900, FIN_END, 3000),
		0);
	check_peer(lg, L1, R1, 3000, 777, 2000);
	CHECK_STATS(lg, 0, 0, 1, 1);
	legacy_free(lg);
}

static void test_close_via_fin_wait2(void)
{
	struct legacy *lg = mk(OLD, MIN, 0);

	seg(lg, LEGACY_FIN_OUT, L1, R1, PORT_A, 0, 0, 0, 0);
	/* An ACK short of our FIN leaves FIN_WAIT1. */
	CU_ASSERT_EQUAL(
		seg(lg, LEGACY_ACK_IN, L1, R1, PORT_A, 1, 5, FIN_END - 1, 0),
		0);
	CU_ASSERT_EQUAL(
		seg(lg, LEGACY_ACK_IN, L1, R1, PORT_A, 1, 6, FIN_END, 1000), 0);
	/* In FIN_WAIT2 any FIN ends in TIME_WAIT. */
	CU_ASSERT_EQUAL(seg(lg, LEGACY_FIN_IN, L1, R1, PORT_A, 1, 7, 0, 2000),
			1);
	check_peer(lg, L1, R1, 2000, 7, 2000);
	legacy_free(lg);
}

static void test_simultaneous_close(void)
{
	struct legacy *lg = mk(NEW, MIN, 0);

	seg(lg, LEGACY_FIN_OUT, L1, R1, PORT_A, 0, 0, 0, 0);
	/* The client's FIN crossed ours: CLOSING. */
	CU_ASSERT_EQUAL(
		seg(lg, LEGACY_FIN_IN, L1, R1, PORT_A, 1, 50, FIN_END - 1, 0),
		0);
	CU_ASSERT_EQUAL(
		seg(lg, LEGACY_ACK_IN, L1, R1, PORT_A, 1, 51, FIN_END - 1, 0),
		0);
	check_peer(lg, L1, R1, 0, -1, 0);
	CU_ASSERT_EQUAL(
		seg(lg, LEGACY_ACK_IN, L1, R1, PORT_A, 1, 52, FIN_END, 3000),
		1);
	check_peer(lg, L1, R1, 3000, 52, 3000);
	CHECK_STATS(lg, 0, 0, 1, 1);
	legacy_free(lg);
}

/* Whether an ACK covers our FIN is serial arithmetic too. */
static void test_ack_serial_wrap(void)
{
	struct legacy *lg = mk(NEW, MIN, 0);

	legacy_segment(lg, LEGACY_FIN_OUT, L1, R1, SPORT, PORT_A, 0, 0, 5, 0,
		       0);
	CU_ASSERT_EQUAL(legacy_segment(lg, LEGACY_FIN_IN, L1, R1, SPORT, PORT_A,
				       1, 9, 0, 0xfffffff0, 0),
			0);
	CU_ASSERT_EQUAL(legacy_segment(lg, LEGACY_ACK_IN, L1, R1, SPORT, PORT_A,
				       1, 9, 0, 5, 0),
			1);
	legacy_segment(lg, LEGACY_FIN_OUT, L1, R1, SPORT, PORT_B, 0, 0,
		       0xfffffff0, 0, 0);
	CU_ASSERT_EQUAL(legacy_segment(lg, LEGACY_FIN_IN, L1, R1, SPORT, PORT_B,
				       1, 9, 0, 0x10, 0),
			1);
	legacy_free(lg);
}

static void test_tw_without_ts(void)
{
	struct legacy *lg = mk(NEW, MIN, 0);

	CU_ASSERT_EQUAL(close_active(lg, L1, R1, PORT_A, 0, 0, 0), 2);
	check_peer(lg, L1, R1, 0, -1, 0);
	CU_ASSERT_EQUAL(syn(lg, L1, R1, PORT_B, 0, 0, 0), ACC);
	CHECK_STATS(lg, 1, 0, 0, 1);
	legacy_free(lg);
}

/* The candidate is the last TSval fed with ts_ok; our own are ignored. */
static void test_candidate_is_last_ts(void)
{
	struct legacy *lg = mk(NEW, MIN, 0);

	seg(lg, LEGACY_ACK_IN, L1, R1, PORT_A, 1, 100, 0, 1000);
	seg(lg, LEGACY_FIN_OUT, L1, R1, PORT_A, 1, 999, 0, 2000);
	CU_ASSERT_EQUAL(
		seg(lg, LEGACY_FIN_IN, L1, R1, PORT_A, 0, 0, FIN_END, 3000), 1);
	check_peer(lg, L1, R1, 3000, 100, 1000);

	seg(lg, LEGACY_ACK_IN, L1, R2, PORT_A, 1, 100, 0, 1000);
	seg(lg, LEGACY_FIN_OUT, L1, R2, PORT_A, 0, 0, 0, 2000);
	CU_ASSERT_EQUAL(
		seg(lg, LEGACY_FIN_IN, L1, R2, PORT_A, 1, 200, FIN_END, 3000),
		1);
	check_peer(lg, L1, R2, 3000, 200, 3000);

	seg(lg, LEGACY_FIN_OUT, L2, R1, PORT_A, 1, 999, 0, 2000);
	CU_ASSERT_EQUAL(
		seg(lg, LEGACY_FIN_IN, L2, R1, PORT_A, 0, 0, FIN_END, 3000), 2);
	check_peer(lg, L2, R1, 3000, -1, 0);
	legacy_free(lg);
}

static void test_passive_close(void)
{
	struct legacy *lg = mk(NEW, MIN, 0);

	CU_ASSERT_EQUAL(seg(lg, LEGACY_FIN_IN, L1, R1, PORT_A, 1, 1000, 0, 0),
			0);
	CU_ASSERT_EQUAL(seg(lg, LEGACY_FIN_OUT, L1, R1, PORT_A, 0, 0, 0, 0), 0);
	/* An ACK short of our FIN keeps LAST_ACK. */
	CU_ASSERT_EQUAL(
		seg(lg, LEGACY_ACK_IN, L1, R1, PORT_A, 1, 1001, FIN_END - 1, 0),
		0);
	CU_ASSERT_EQUAL(
		seg(lg, LEGACY_ACK_IN, L1, R1, PORT_A, 1, 1002, FIN_END, 0), 0);
	check_peer(lg, L1, R1, 0, -1, 0);
	CU_ASSERT_EQUAL(syn(lg, L1, R1, PORT_B, 1, 1, 0), ACC);
	CU_ASSERT_EQUAL(syn(lg, L1, R1, PORT_B, 0, 0, 0), ACC);
	CHECK_STATS(lg, 2, 0, 0, 0);
	/* The closed connection is forgotten: the 4-tuple starts afresh. */
	CU_ASSERT_EQUAL(close_active(lg, L1, R1, PORT_A, 1, 2000, 1000), 1);
	legacy_free(lg);
}

static void test_rst_forgets(void)
{
	struct legacy *lg = mk(NEW, MIN, 0);

	seg(lg, LEGACY_FIN_OUT, L1, R1, PORT_A, 0, 0, 0, 0);
	CU_ASSERT_EQUAL(seg(lg, LEGACY_RST, L1, R1, PORT_A, 0, 0, 0, 0), 0);
	/* A FIN now opens a new, passive close. */
	CU_ASSERT_EQUAL(
		seg(lg, LEGACY_FIN_IN, L1, R1, PORT_A, 1, 5, FIN_END, 0), 0);
	check_peer(lg, L1, R1, 0, -1, 0);
	/* RST on an unknown 4-tuple is harmless. */
	CU_ASSERT_EQUAL(seg(lg, LEGACY_RST, L2, R2, PORT_B, 0, 0, 0, 0), 0);
	CHECK_STATS(lg, 0, 0, 0, 0);
	legacy_free(lg);
}

/* A SYN on a live TIME_WAIT 4-tuple is the kernel's TIME_WAIT business. */
static void test_syn_on_live_tw(void)
{
	struct legacy *lg = mk(NEW, MIN, 0);

	CU_ASSERT_EQUAL(close_tw(lg, L1, R1, PORT_A, 1, 1000, 0), 1);
	CU_ASSERT_EQUAL(syn(lg, L1, R1, PORT_A, 1, 10, 100), ACC);
	CU_ASSERT_EQUAL(syn(lg, L1, R1, PORT_A, 0, 0, 100), ACC);
	CU_ASSERT_EQUAL(syn(lg, L1, R1, PORT_B, 1, 10, 100), DROP);
	legacy_tw_end(lg, L1, R1, SPORT, PORT_A);
	CU_ASSERT_EQUAL(syn(lg, L1, R1, PORT_A, 1, 10, 200), DROP);
	CHECK_STATS(lg, 4, 2, 1, 1);
	legacy_free(lg);
}

static void test_rst_ends_tw(void)
{
	struct legacy *lg = mk(OLD, MIN, 0);

	close_tw(lg, L1, R1, PORT_A, 1, 1000, 0);
	CU_ASSERT_EQUAL(syn(lg, L1, R1, PORT_A, 1, 10, 100), ACC);
	seg(lg, LEGACY_RST, L1, R1, PORT_A, 0, 0, 0, 100);
	CU_ASSERT_EQUAL(syn(lg, L1, R1, PORT_A, 1, 10, 200), DROP);
	/* The entry outlives the connection. */
	check_peer(lg, L1, R1, 200, 1000, 0);
	legacy_free(lg);
}

/* Without legacy_tw_end() an emulated TIME_WAIT lasts TIMEWAIT_LEN, 60 s
 * of real time, whatever the MSL. */
static void test_tw_expires_after_60s(void)
{
	struct legacy *lg = mk(NEW, 2 * MIN, 0);

	close_tw(lg, L1, R1, PORT_A, 1, 1000, 0);
	CU_ASSERT_EQUAL(syn(lg, L1, R1, PORT_A, 1, 10, MIN - 1), ACC);
	CU_ASSERT_EQUAL(syn(lg, L1, R1, PORT_A, 1, 10, MIN), DROP);
	legacy_free(lg);
}

/* A retransmitted FIN does not restart TIME_WAIT; after 60 s the 4-tuple
 * is a new connection. */
static void test_tw_stale_reopens(void)
{
	struct legacy *lg = mk(NEW, MIN, 0);

	CU_ASSERT_EQUAL(close_tw(lg, L1, R1, PORT_A, 1, 1000, 0), 1);
	CU_ASSERT_EQUAL(
		seg(lg, LEGACY_FIN_IN, L1, R1, PORT_A, 1, 1001, FIN_END, 30000),
		0);
	CU_ASSERT_EQUAL(close_tw(lg, L1, R1, PORT_A, 1, 2000, MIN), 1);
	check_peer(lg, L1, R1, MIN, 2000, MIN);
	CHECK_STATS(lg, 0, 0, 2, 2);
	legacy_free(lg);
}

/* A close that never completes is forgotten after 2 x 60 s. */
static void test_half_closed_stale(void)
{
	struct legacy *lg = mk(NEW, MIN, 0);

	seg(lg, LEGACY_FIN_OUT, L1, R1, PORT_A, 0, 0, 0, 0);
	CU_ASSERT_EQUAL(seg(lg, LEGACY_FIN_IN, L1, R1, PORT_A, 1, 5, FIN_END,
			    2 * MIN - 1),
			1);
	seg(lg, LEGACY_FIN_OUT, L1, R1, PORT_B, 0, 0, 0, 0);
	CU_ASSERT_EQUAL(
		seg(lg, LEGACY_FIN_IN, L1, R1, PORT_B, 1, 5, FIN_END, 2 * MIN),
		0);
	legacy_free(lg);
}

/* 4.4: (laddr, raddr).  Another local address has its own entry. */
static void test_key_4_4(void)
{
	struct legacy *lg = mk(NEW, MIN, 0);

	close_active(lg, L1, R1, PORT_A, 1, 1000, 0);
	CU_ASSERT_EQUAL(syn(lg, L1, R1, PORT_B, 1, 10, 1000), DROP);
	CU_ASSERT_EQUAL(syn(lg, L2, R1, PORT_B, 1, 10, 1000), ACC);
	CU_ASSERT_EQUAL(syn(lg, L2, R1, PORT_B, 0, 0, 1000), ACC);
	CU_ASSERT_EQUAL(syn(lg, L1, R2, PORT_B, 1, 10, 1000), ACC);
	check_peer(lg, L2, R1, 1000, -1, 0);
	close_active(lg, L2, R1, PORT_A, 1, 50, 2000);
	check_peer(lg, L2, R1, 2000, 50, 2000);
	check_peer(lg, L1, R1, 2000, 1000, 0);
	legacy_free(lg);
}

/* 2.6.32: the remote address alone; all local addresses share it. */
static void test_key_2_6_32(void)
{
	struct legacy *lg = mk(OLD, MIN, 0);

	close_active(lg, L1, R1, PORT_A, 1, 1000, 0);
	CU_ASSERT_EQUAL(syn(lg, L2, R1, PORT_B, 1, 10, 1000), DROP);
	CU_ASSERT_EQUAL(syn(lg, L1, R2, PORT_B, 1, 10, 1000), ACC);
	check_peer(lg, L2, R1, 1000, 1000, 0);
	close_active(lg, L2, R1, PORT_A, 1, 5000, 2000);
	check_peer(lg, L1, R1, 2000, 5000, 2000);
	CU_ASSERT_EQUAL(syn(lg, L1, R1, PORT_B, 1, 4000, 3000), DROP);
	legacy_free(lg);
}

/* tcp_metrics: reset once older than 1 h; SYN lookups do not refresh. */
static void test_metrics_reset(void)
{
	struct legacy *lg = mk(NEW, MIN, 0);

	close_active(lg, L1, R1, PORT_A, 1, 1000, 0);
	check_peer(lg, L1, R1, 3600000, 1000, 0);
	check_peer(lg, L1, R1, 3600001, -1, 0);
	legacy_free(lg);

	lg = mk(NEW, MIN, 5000);
	close_active(lg, L1, R1, PORT_A, 1, 1000, 0);
	CU_ASSERT_EQUAL(syn(lg, L1, R1, PORT_B, 1, 10, 3000), DROP);
	CU_ASSERT_EQUAL(syn(lg, L1, R1, PORT_B, 0, 0, 5000), DROP);
	CU_ASSERT_EQUAL(syn(lg, L1, R1, PORT_B, 1, 10, 5001), ACC);
	CU_ASSERT_EQUAL(syn(lg, L1, R1, PORT_B, 0, 0, 5001), ACC);
	check_peer(lg, L1, R1, 5001, -1, 0);
	/* After the reset an older candidate is written: the entry is new. */
	close_active(lg, L1, R1, PORT_A + 2, 1, 10, 6000);
	check_peer(lg, L1, R1, 6000, 10, 6000);
	legacy_free(lg);
}

/* A remembering close refreshes the entry even when it keeps the ts. */
static void test_metrics_refresh_on_update(void)
{
	struct legacy *lg = mk(NEW, MIN, 5000);

	close_active(lg, L1, R1, PORT_A, 1, 1000, 0);
	close_active(lg, L1, R1, PORT_A + 2, 1, 500, 4000);
	check_peer(lg, L1, R1, 9000, 1000, 0);
	check_peer(lg, L1, R1, 9001, -1, 0);
	legacy_free(lg);
}

/* inet_peer: gone after 600 s unused; a SYN with a timestamp uses it. */
static void test_inet_peer_ttl(void)
{
	struct legacy *lg = mk(OLD, MIN, 0);

	close_active(lg, L1, R1, PORT_A, 1, 1000, 0);
	check_peer(lg, L1, R1, 600000, 1000, 0);
	check_peer(lg, L1, R1, 600001, -1, 0);
	legacy_free(lg);

	lg = mk(OLD, MIN, 0);
	close_active(lg, L1, R1, PORT_A, 1, 1000, 0);
	CU_ASSERT_EQUAL(syn(lg, L1, R1, PORT_B, 1, 10, 500000), ACC);
	CU_ASSERT_EQUAL(syn(lg, L1, R1, PORT_B, 0, 0, 550000), ACC);
	check_peer(lg, L1, R1, 1100000, 1000, 0);
	check_peer(lg, L1, R1, 1100001, -1, 0);
	legacy_free(lg);

	lg = mk(OLD, MIN, 5000);
	close_active(lg, L1, R1, PORT_A, 1, 1000, 0);
	CU_ASSERT_EQUAL(syn(lg, L1, R1, PORT_B, 1, 10, 4000), DROP);
	CU_ASSERT_EQUAL(syn(lg, L1, R1, PORT_B, 1, 10, 9000), DROP);
	CU_ASSERT_EQUAL(syn(lg, L1, R1, PORT_B, 1, 10, 14001), ACC);
	legacy_free(lg);
}

/* legacy_peer() reports the stamp at the model's granularity. */
static void test_peer_stamp_units(void)
{
	struct legacy *lg = mk(NEW, MIN, 0);

	close_active(lg, L1, R1, PORT_A, 1, 42, 10900);
	check_peer(lg, L1, R1, 11000, 42, 10000);
	legacy_free(lg);
	lg = mk(NEW, 1500, 0);
	close_active(lg, L1, R1, PORT_A, 1, 42, 10900);
	check_peer(lg, L1, R1, 11000, 42, 10900);
	legacy_free(lg);
}

#define MANY 100000u

static uint32_t many_raddr(uint32_t i)
{
	return R1 + (i >> 16);
}

static uint16_t many_rport(uint32_t i)
{
	return (uint16_t)(i & 0xffff);
}

/* Count the SYN verdicts over all MANY 4-tuples. */
static uint32_t many_drops(struct legacy *lg, uint32_t base, uint64_t now)
{
	uint32_t i, drops = 0;

	for (i = 0; i < MANY; i++)
		drops += syn(lg, L1, many_raddr(base + i), many_rport(i), 1, 0,
			     now) == DROP;
	return drops;
}

static void test_many_connections(void)
{
	struct legacy *lg = mk(NEW, 2 * MIN, 0);
	uint32_t i, bad = 0;

	for (i = 0; i < MANY; i++)
		bad += seg(lg, LEGACY_FIN_OUT, L1, many_raddr(i), many_rport(i),
			   0, 0, 0, 0) != 0;
	for (i = 0; i < MANY; i++)
		bad += seg(lg, LEGACY_FIN_IN, L1, many_raddr(i), many_rport(i),
			   1, 1000 + i, FIN_END, 1000) != 1;
	CU_ASSERT_EQUAL(bad, 0);
	/* All live TIME_WAITs: every SYN is left to the kernel. */
	CU_ASSERT_EQUAL(many_drops(lg, 0, 2000), 0);
	/* End half, reset the other half: all judged by the entries now. */
	for (i = 0; i < MANY; i++) {
		if (i & 1)
			seg(lg, LEGACY_RST, L1, many_raddr(i), many_rport(i), 0,
			    0, 0, 3000);
		else
			legacy_tw_end(lg, L1, many_raddr(i), SPORT,
				      many_rport(i));
	}
	CU_ASSERT_EQUAL(many_drops(lg, 0, 4000), MANY);
	CHECK_STATS(lg, 2 * MANY, MANY, MANY, MANY);

	/* MANY TIME_WAITs on other peers that go stale unended, then MANY
	 * more: the stale ones are swept to make room, and their 4-tuples
	 * are judged by the entries again. */
	for (i = 0; i < MANY; i++)
		bad += close_tw(lg, L1, many_raddr(2 * MANY + i), many_rport(i),
				1, 5, 10000) != 1;
	for (i = 0; i < MANY; i++)
		bad += close_tw(lg, L1, many_raddr(4 * MANY + i), many_rport(i),
				1, 5, 71000) != 1;
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT_EQUAL(many_drops(lg, 2 * MANY, 72000), MANY);
	CU_ASSERT_EQUAL(many_drops(lg, 4 * MANY, 72000), 0);
	CU_ASSERT_EQUAL(legacy_judge_syn(lg, L1, many_raddr(4 * MANY), 443,
					 PORT_B, 1, 0, 72000),
			DROP);
	legacy_free(lg);
}

static const struct unit_test tests[] = {
	{"new, defaults, free(NULL)", test_new_and_defaults},
	{"SYN: PAWS window 1 tick", test_syn_window},
	{"SYN: fresh and stale entries, MSL boundary", test_syn_fresh_stale},
	{"SYN: serial arithmetic across 2^31 and 2^32", test_syn_wrap},
	{"SYN without timestamps: 4.4 drops, 2.6.32 passes",
	 test_syn_without_ts},
	{"SYN: whole-second stamps", test_syn_seconds},
	{"SYN: sub-second MSL in milliseconds", test_syn_ms_mode},
	{"update rule: both branches", test_update_rule},
	{"update: a new entry is always written",
	 test_new_entry_always_written},
	{"counters", test_counters},
	{"active close: FIN that acks our FIN", test_close_fin_acks_fin},
	{"active close: FIN_WAIT2 then FIN", test_close_via_fin_wait2},
	{"simultaneous close: CLOSING then ACK", test_simultaneous_close},
	{"ACK of our FIN in serial arithmetic", test_ack_serial_wrap},
	{"TIME_WAIT without timestamps returns 2", test_tw_without_ts},
	{"candidate is the client's last TSval", test_candidate_is_last_ts},
	{"passive close remembers nothing", test_passive_close},
	{"RST forgets the connection", test_rst_forgets},
	{"SYN on a live TIME_WAIT 4-tuple is accepted", test_syn_on_live_tw},
	{"RST ends an emulated TIME_WAIT", test_rst_ends_tw},
	{"emulated TIME_WAIT lasts 60 s real time", test_tw_expires_after_60s},
	{"stale TIME_WAIT 4-tuple reopens", test_tw_stale_reopens},
	{"half-closed connection goes stale", test_half_closed_stale},
	{"4.4 key: (laddr, raddr)", test_key_4_4},
	{"2.6.32 key: raddr shared by local addresses", test_key_2_6_32},
	{"tcp_metrics: reset after 1 h / TTL", test_metrics_reset},
	{"tcp_metrics: a remembering close refreshes",
	 test_metrics_refresh_on_update},
	{"inet_peer: TTL, SYN use refreshes", test_inet_peer_ttl},
	{"legacy_peer stamp units", test_peer_stamp_units},
	{"100k connections", test_many_connections},
	{0},
};

UNIT_SUITE("legacy", tests)
