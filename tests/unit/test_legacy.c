/* test_legacy.c - the tcp_tw_recycle model (legacy.c, legacy_cache.c): the
 * closes that write the per-peer entry, ts_recent, the update rule, the
 * listener's check and its exceptions, TIME_WAIT, the client side.
 *
 * Every expected value is worked out by hand from the kernel rules
 * (tcp_time_wait(), tcp_replace_ts_recent(), tcp_conn_request(), ...,
 * as the model's theory-of-operation comments name them), not from
 * running the model.  "The old model" is the one before the segment
 * API (legacy_judge_syn() and the FIN_OUT / FIN_IN / ACK_IN / RST events):
 * where it behaved otherwise, the case says so. */
#include <stdio.h>
#include <string.h>

#include "engine/legacy.h"
#include "lib/pkt.h"
#include "lib/util.h"
#include "unit.h"

#define SRV    0xc6336401u /* 198.51.100.1, the legacy host */
#define SRV2   0xc6336402u /* a second address of it */
#define NAT    0xcb007101u /* 203.0.113.1, a NAT's public address */
#define NAT2   0xcb007102u /* another NAT */
#define SPORT  80
#define PORT_A 40000 /* the connection that writes the entry */
#define PORT_B 40001 /* a neighbour behind the same NAT */
#define H      1000u /* the host's sequence number at its FIN */
#define P      5000u /* the peer's when the host sends its FIN */
#define MIN    60000u
#define NO_TS  ((int64_t)-1) /* a segment without the timestamp option */

#define OLD  LEGACY_2_6_32
#define NEW  LEGACY_4_4
#define A    PKT_ACK
#define FA   (PKT_FIN | PKT_ACK)
#define PASS LEGACY_SYN_PASS
#define OKAY LEGACY_SYN_OK
#define DROP LEGACY_SYN_DROP_PAWS
#define PRES LEGACY_SYN_DROP_PRESSURE
#define REQ  LEGACY_SYN_SPARED_REQUEST
#define COOK LEGACY_SYN_SPARED_COOKIE
#define TW   LEGACY_SYN_TIME_WAIT

#define NFACTS (LEGACY_FACT_BACKLOG + 1)

/* ---- the bench ---- */

/* Assert @got == @want; a failure names the row and what differs. */
#define EQ(row, got, want)                                                     \
	eq(row, #got, (uint64_t)(got), (uint64_t)(want), __LINE__)

static void eq(const char *row, const char *what, uint64_t got, uint64_t want,
	       int line)
{
	if (got != want)
		fprintf(stderr, "\n  %s: %s is %llu, want %llu", row, what,
			(unsigned long long)got, (unsigned long long)want);
	CU_assertImplementation(got == want, (unsigned int)line, what, __FILE__,
				"", CU_FALSE);
}

/* The host's stack as a test answers for it: one answer a fact (-1:
 * unknown), how often each was asked, and the tuple it was asked of. */
struct stack {
	long v[NFACTS];
	unsigned int asked[NFACTS];
	struct tuple last[NFACTS];
};

static long stack_ask(void *ctx, enum legacy_fact f, const struct tuple *t)
{
	struct stack *st = ctx;

	st->asked[f]++;
	st->last[f] = *t;
	return st->v[f];
}

static unsigned int asked_total(const struct stack *st)
{
	unsigned int n = 0, i;

	for (i = 0; i < NFACTS; i++)
		n += st->asked[i];
	return n;
}

/* A model, the stack it asks, its last answer and its clock. */
struct lab {
	struct legacy *lg;
	struct stack st;
	struct legacy_facts facts;
	struct legacy_out o;
	uint64_t now;
};

/* A listener parsing timestamps: every test's starting point. */
static struct legacy_cfg cfg_of(enum legacy_model m)
{
	struct legacy_cfg c = {.model = m, .listener = 1, .timestamps = 1};

	return c;
}

/* The stack answers: orphaned (the program closed the socket), RTO
 * 200 ms, no socket of the tuple, an empty SYN queue of 128. */
static void lab_start(struct lab *l, const struct legacy_cfg *cfg)
{
	memset(l, 0, sizeof(*l));
	l->lg = legacy_new(cfg);
	l->st.v[LEGACY_FACT_ORPHAN] = 1;
	l->st.v[LEGACY_FACT_RTO_US] = 200000;
	l->st.v[LEGACY_FACT_BACKLOG] = 128;
	l->facts.ask = stack_ask;
	l->facts.ctx = &l->st;
}

static void lab_model(struct lab *l, enum legacy_model m, uint32_t msl_ms,
		      uint32_t ttl_ms)
{
	struct legacy_cfg cfg = cfg_of(m);

	cfg.paws_msl_ms = msl_ms;
	cfg.entry_ttl_ms = ttl_ms;
	lab_start(l, &cfg);
}

/* One segment at @at ms (time never goes backwards); the answer. */
static const struct legacy_out *feed(struct lab *l, const struct legacy_seg *s,
				     uint64_t at)
{
	CU_ASSERT_FATAL(at >= l->now);
	l->now = at;
	legacy_segment(l->lg, s, at, &l->facts, &l->o);
	return &l->o;
}

/* One connection of the host's: where each side's sequence is, whether
 * it uses timestamps, and the TSecr the host's segments carry (its
 * ts_recent, which the model learns from them). */
struct cx {
	struct tuple t;
	uint32_t hseq, pseq;
	int ts;
	uint32_t echo;
};

static struct cx cx_of(uint32_t laddr, uint32_t raddr, uint16_t rport,
		       int64_t echo)
{
	struct cx c = {
		{laddr, raddr, SPORT, rport}, H, P, echo >= 0, (uint32_t)echo};

	return c;
}

/* The host sends @flags (no data), acking all it has received; its
 * TSecr is its ts_recent. */
static const struct legacy_out *host(struct lab *l, struct cx *c, uint8_t flags,
				     uint64_t at)
{
	struct legacy_seg s = {.t = c->t,
			       .out = 1,
			       .flags = flags,
			       .seq = c->hseq,
			       .ack = c->pseq,
			       .has_ts = c->ts,
			       .tsval = 70000,
			       .tsecr = c->echo};

	c->hseq += !!(flags & PKT_FIN);
	return feed(l, &s, at);
}

/* The peer sends @flags with @len bytes and TSval @ts, acking @ack. */
static const struct legacy_out *peer_ack(struct lab *l, struct cx *c,
					 uint8_t flags, uint32_t len,
					 int64_t ts, uint32_t ack, uint64_t at)
{
	struct legacy_seg s = {.t = c->t,
			       .flags = flags,
			       .seq = c->pseq,
			       .ack = ack,
			       .len = len,
			       .has_ts = c->ts && ts >= 0,
			       .tsval = (uint32_t)ts};

	c->pseq += len + !!(flags & PKT_FIN);
	return feed(l, &s, at);
}

/* The same, acking all the host has sent. */
static const struct legacy_out *peer(struct lab *l, struct cx *c, uint8_t flags,
				     uint32_t len, int64_t ts, uint64_t at)
{
	return peer_ack(l, c, flags, len, ts, c->hseq, at);
}

/* An active close whose peer's FIN acks the host's: TIME_WAIT, the entry
 * written with (@ts, @at) (@ts NO_TS: a connection without timestamps).
 * Return: the TIME_WAIT end given. */
static uint32_t close_tw(struct lab *l, uint32_t laddr, uint32_t raddr,
			 uint16_t rport, int64_t ts, uint64_t at)
{
	struct cx c = cx_of(laddr, raddr, rport, ts);

	host(l, &c, FA, at);
	return peer(l, &c, FA, 0, ts, at)->tw_end_ms;
}

/* The same, then the host's TIME_WAIT socket destroyed. */
static void close_at(struct lab *l, uint32_t laddr, uint32_t raddr,
		     uint16_t rport, int64_t ts, uint64_t at)
{
	struct tuple t = {laddr, raddr, SPORT, rport};

	close_tw(l, laddr, raddr, rport, ts, at);
	legacy_tw_end(l->lg, &t);
}

/* A SYN the host receives from @raddr:@rport at @laddr:SPORT with TSval
 * @ts: the verdict (its drop flag must agree). */
static enum legacy_syn_verdict syn(struct lab *l, uint32_t laddr,
				   uint32_t raddr, uint16_t rport, int64_t ts,
				   uint64_t at)
{
	struct legacy_seg s = {.t = {laddr, raddr, SPORT, rport},
			       .flags = PKT_SYN,
			       .seq = 77,
			       .has_ts = ts >= 0,
			       .tsval = (uint32_t)ts};
	const struct legacy_out *o = feed(l, &s, at);

	CU_ASSERT_EQUAL(o->drop, o->syn == DROP || o->syn == PRES);
	return o->syn;
}

/* The entry of (@laddr, @raddr) now: (@ts, stamped @stamp ms), or none
 * (@ts < 0). */
static void check_entry(const char *row, struct lab *l, uint32_t laddr,
			uint32_t raddr, int64_t ts, uint64_t stamp)
{
	uint32_t got_ts = 0;
	uint64_t got_stamp = 0;
	int found =
		legacy_peer(l->lg, laddr, raddr, l->now, &got_ts, &got_stamp);

	EQ(row, found, ts >= 0);
	if (!found || ts < 0)
		return;
	EQ(row, got_ts, ts);
	EQ(row, got_stamp, stamp);
}

static void check_stats(const char *row, struct lab *l,
			const struct legacy_stats *w)
{
	struct legacy_stats s;

	legacy_stats(l->lg, &s);
	EQ(row, s.syn_checked, w->syn_checked);
	EQ(row, s.paws_passive, w->paws_passive);
	EQ(row, s.listen_drops, w->listen_drops);
	EQ(row, s.remembered, w->remembered);
	EQ(row, s.remembered_at_ack, w->remembered_at_ack);
	EQ(row, s.tw_entered, w->tw_entered);
	EQ(row, s.tw_rearmed, w->tw_rearmed);
	EQ(row, s.syn_spared, w->syn_spared);
	EQ(row, s.pressure_drops, w->pressure_drops);
	EQ(row, s.seeded, w->seeded);
}

static const enum legacy_model models[] = {NEW, OLD};
static const char *const model_name[] = {"4.4", "2.6.32"};

/* @run(i, m) for each of @n rows, on 4.4 (m 0) and 2.6.32 (m 1). */
static void each_model(void (*run)(size_t i, int m), size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		run(i, 0);
		run(i, 1);
	}
}

/* A test of @n rows, each run on both models by @run. */
#define EACH_MODEL_TEST(name, run, n)                                          \
	static void name(void)                                                 \
	{                                                                      \
		each_model(run, n);                                            \
	}

/* ---- the length of a shortened TIME_WAIT ---- */

/* 3.5 x RTO = (rto << 2) - (rto >> 1) ms at HZ 1000; 2.6.32 rounds it up
 * to 128 ms calendar slots (slot = (len + 127) >> 7, slots 1-31), and
 * beyond 3968 ms puts it on the slow wheel: cell ceil(len / 7.5 s),
 * at most 7, ended (idle wheel) at (cell + 1) x 7.5 s.  The old model
 * gave no length: its caller used 3.5 x RTO for both kernels. */
static const struct {
	const char *what;
	long rto_us;
	uint32_t v44, v2632;
} tw_len_cases[] = {
	{"TCP_RTO_MIN: 800 - 100; 6 slots", 200000, 700, 768},
	{"219 ms: 876 - 109, still 6 slots", 219000, 767, 768},
	{"220 ms: 880 - 110 = 770, 7 slots", 220000, 770, 896},
	{"203 ms: 812 - 101 (203 >> 1)", 203000, 711, 768},
	{"whole jiffies: 200.999 ms is 200", 200999, 700, 768},
	{"1 ms: 4 - 0; one slot", 1000, 4, 128},
	{"under a jiffy: as unknown, TCP_RTO_MIN", 999, 700, 768},
	{"none (0): TCP_RTO_MIN", 0, 700, 768},
	{"unknown (-1): TCP_RTO_MIN", -1, 700, 768},
	{"1133 ms: 4532 - 566 = 3966, slot 31, the last", 1133000, 3966, 3968},
	{"1134 ms: 4536 - 567 = 3969, slot 32: wheel cell 1", 1134000, 3969,
	 15000},
	{"2142 ms: 8568 - 1071 = 7497: cell 1", 2142000, 7497, 15000},
	{"2143 ms: 8572 - 1071 = 7501: cell 2", 2143000, 7501, 22500},
	{"12857 ms: 51428 - 6428 = 45000: cell 6", 12857000, 45000, 52500},
	{"12858 ms: 45003: cell 7, the last", 12858000, 45003, 60000},
	{"20 s: 70 s >= TCP_TIMEWAIT_LEN: cell 7; 4.4 exact", 20000000, 70000,
	 60000},
};

static void test_tw_len(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(tw_len_cases); i++) {
		const char *row = tw_len_cases[i].what;
		long rto = tw_len_cases[i].rto_us;

		EQ(row, legacy_tw_len_ms(NEW, rto), tw_len_cases[i].v44);
		EQ(row, legacy_tw_len_ms(OLD, rto), tw_len_cases[i].v2632);
	}
}

/* ---- active close: where the entry is written ---- */

/*
 * The host (ts_recent 100, its FIN at 0 s) closes; the peer acks the FIN
 * at 1 s with @ack_len bytes and TSval @ack_ts; the peer's FIN (TSval
 * 300) comes at @fin_ms.  Each row for 4.4 and 2.6.32.  The RTO is 200
 * ms at the ACK and 400 ms from then on: a FIN_WAIT2 bucket keeps the
 * tw_timeout tcp_time_wait() stored at the ACK (700 ms; 2.6.32: 768); a
 * socket that stays whole reads the RTO at the FIN (1600 - 200 = 1400
 * ms; 2.6.32: 11 slots, 1408).  The old model wrote only at the peer's
 * FIN (FIN_IN in FIN_WAIT2), always creating the entry: it missed every
 * write at the ACK, wrote at a FIN after an abort on data, and gave no
 * TIME_WAIT length.
 */
struct close_case {
	const char *what;
	long orphan; /* the ORPHAN answer */
	uint32_t fin_timeout_ms;
	int ts; /* timestamps on the connection */
	uint32_t ack_len, ack_ts;
	uint64_t fin_ms;
	/* at the ACK: written, the entry then (ts -1: none) */
	int ack_rem;
	int64_t ack_want_ts;
	uint64_t ack_want_stamp;
	/* at the FIN: written, the end given (4.4, 2.6.32), TIME_WAITs, the
	 * entry then */
	int fin_rem;
	uint32_t tw_end44, tw_end2632;
	int tw_entered;
	int64_t want_ts;
	uint64_t want_stamp;
};

/* clang-format off */
static const struct close_case close_cases[] = {
	/* orphan, tcp_fin_timeout, ts, ACK: len, TSval; FIN at;
	 * ACK: written, entry ts, stamp;
	 * FIN: written, end 4.4, 2.6.32, TIME_WAITs, entry ts, stamp */
	{"orphan, tcp_fin_timeout 60 s (0: the default): the ACK writes its "
	 "TSval and second; the FIN finds the entry and writes again; "
	 "TIME_WAIT the 3.5 x RTO of the ACK",
	 1, 0, 1, 0, 200, 3000,      1, 200, 1000,  1, 700, 768, 1, 300, 3000},
	{"tcp_fin_timeout 60 s exactly is not above TCP_TIMEWAIT_LEN",
	 1, 60000, 1, 0, 200, 3000,  1, 200, 1000,  1, 700, 768, 1, 300, 3000},
	{"tcp_fin_timeout 61 s: the socket stays whole, nothing at the ACK; "
	 "the FIN writes through tcp_time_wait() with the RTO then",
	 1, 61000, 1, 0, 200, 3000,  0, -1, 0,  1, 1400, 1408, 1, 300, 3000},
	{"not orphaned (shutdown()): written only at the FIN",
	 0, 0, 1, 0, 200, 3000,      0, -1, 0,  1, 1400, 1408, 1, 300, 3000},
	{"orphan unknown: taken as held",
	 -1, 0, 1, 0, 200, 3000,     0, -1, 0,  1, 1400, 1408, 1, 300, 3000},
	{"an ACK one tick older than ts_recent: accepted, not stored; the ACK "
	 "writes ts_recent 100 of the host's FIN (0 s)",
	 1, 0, 1, 0, 99, 3000,       1, 100, 0,  1, 700, 768, 1, 300, 3000},
	{"data on an orphan's ACK: TCPAbortOnData, nothing written; the FIN "
	 "meets no socket",
	 1, 0, 1, 10, 200, 3000,     0, -1, 0,  0, 0, 0, 0, -1, 0},
	{"data on a held socket's ACK is data: stored (seq = rcv_wup); the FIN "
	 "behind it, not acked by the host, is not",
	 0, 0, 1, 10, 200, 3000,     0, -1, 0,  1, 1400, 1408, 1, 200, 1000},
	{"without timestamps: the bucket, nothing written; TIME_WAIT 60 s, no "
	 "end given",
	 1, 0, 0, 0, 0, 3000,        0, -1, 0,  0, 0, 0, 1, -1, 0},
	{"tcp_fin_timeout 30 s: the bucket is gone at 31 s; a FIN then meets "
	 "no socket, the ACK's entry stays",
	 1, 30000, 1, 0, 200, 31000, 1, 200, 1000,  0, 0, 0, 0, 200, 1000},
};
/* clang-format on */

static void run_close(size_t i, int m)
{
	const struct close_case *k = &close_cases[i];
	struct legacy_cfg cfg = cfg_of(models[m]);
	uint32_t tw_end;
	struct cx c = cx_of(SRV, NAT, PORT_A, k->ts ? 100 : NO_TS);
	const struct legacy_out *o;
	struct legacy_stats st;
	struct lab l;

	cfg.fin_timeout_ms = k->fin_timeout_ms;
	lab_start(&l, &cfg);
	l.st.v[LEGACY_FACT_ORPHAN] = k->orphan;
	host(&l, &c, FA, 0);
	o = peer(&l, &c, A, k->ack_len, k->ack_ts, 1000);
	EQ(k->what, o->remembered, k->ack_rem);
	EQ(k->what, o->tw_end_ms, 0);
	check_entry(k->what, &l, SRV, NAT, k->ack_want_ts, k->ack_want_stamp);
	l.st.v[LEGACY_FACT_RTO_US] = 400000;
	o = peer(&l, &c, FA, 0, 300, k->fin_ms);
	EQ(k->what, o->remembered, k->fin_rem);
	tw_end = m ? k->tw_end2632 : k->tw_end44;
	EQ(k->what, o->tw_end_ms, tw_end);
	/* due when its end comes, not before (2 ms of slack) */
	EQ(k->what, legacy_tw_due(l.lg, &c.t, l.now + tw_end), tw_end != 0);
	EQ(k->what, legacy_tw_due(l.lg, &c.t, l.now + tw_end - 3), 0);
	check_entry(k->what, &l, SRV, NAT, k->want_ts, k->want_stamp);
	legacy_stats(l.lg, &st);
	EQ(k->what, st.remembered_at_ack, k->ack_rem);
	EQ(k->what, st.remembered, k->ack_rem + k->fin_rem);
	EQ(k->what, st.tw_entered, k->tw_entered);
	legacy_free(l.lg);
}

EACH_MODEL_TEST(test_close_paths, run_close, ARRAY_SIZE(close_cases))

/*
 * The peer's FIN acks the host's in one segment (2 s, TSval 300), each
 * row for 4.4 and 2.6.32: tcp_fin() in FIN_WAIT2, one write, TIME_WAIT
 * from the RTO then (200 ms).  Whether the socket is orphaned matters
 * only with data, and is asked only then: an orphan is reset.  The old
 * model wrote here too, data or not.
 */
static const struct {
	const char *what;
	long orphan;
	uint32_t len;
	int ts;
	int rem;
	uint32_t tw_end44, tw_end2632;
	int tw_entered;
	unsigned int orphan_asked;
} fin_ack_cases[] = {
	{"written; the orphan question not asked", 1, 0, 1, 1, 700, 768, 1, 0},
	{"held socket: the same", 0, 0, 1, 1, 700, 768, 1, 0},
	{"a FIN with data for an orphan: reset, nothing written", 1, 10, 1, 0,
	 0, 0, 0, 1},
	{"a FIN with data for a held socket: data, then the FIN", 0, 10, 1, 1,
	 700, 768, 1, 1},
	{"without timestamps: TIME_WAIT 60 s, nothing written", 1, 0, 0, 0, 0,
	 0, 1, 0},
};

static void run_fin_ack(size_t i, int m)
{
	const char *row = fin_ack_cases[i].what;
	struct cx c =
		cx_of(SRV, NAT, PORT_A, fin_ack_cases[i].ts ? 100 : NO_TS);
	const struct legacy_out *o;
	struct legacy_stats st;
	struct lab l;

	lab_model(&l, models[m], 0, 0);
	l.st.v[LEGACY_FACT_ORPHAN] = fin_ack_cases[i].orphan;
	host(&l, &c, FA, 0);
	o = peer(&l, &c, FA, fin_ack_cases[i].len, 300, 2000);
	EQ(row, o->remembered, fin_ack_cases[i].rem);
	EQ(row, o->tw_end_ms,
	   m ? fin_ack_cases[i].tw_end2632 : fin_ack_cases[i].tw_end44);
	EQ(row, l.st.asked[LEGACY_FACT_ORPHAN], fin_ack_cases[i].orphan_asked);
	check_entry(row, &l, SRV, NAT, fin_ack_cases[i].rem ? 300 : -1, 2000);
	legacy_stats(l.lg, &st);
	EQ(row, st.tw_entered, fin_ack_cases[i].tw_entered);
	legacy_free(l.lg);
}

EACH_MODEL_TEST(test_fin_acks_fin, run_fin_ack, ARRAY_SIZE(fin_ack_cases))

/*
 * A client acks the host's FIN and never sends its own (CLOSE_WAIT for
 * ever).  The orphaned host wrote the entry at that ACK (TSval 1000 at
 * 0.5 s, stamp 0), so a neighbour behind the same NAT whose clock is
 * behind is dropped from then on, until the entry is 60 s old.  The old
 * model missed this gap: it wrote only at the client's FIN, which never
 * comes, so the neighbour's SYNs passed.
 */
static void run_close_wait_forever(size_t i, int m)
{
	const char *row = model_name[m];
	struct cx c = cx_of(SRV, NAT, PORT_A, 1000);
	struct lab l;

	lab_model(&l, models[m], 0, 0);
	host(&l, &c, FA, 0);
	EQ(row, peer(&l, &c, A, 0, 1000, 500)->remembered, 1);
	check_entry(row, &l, SRV, NAT, 1000, 0);
	EQ(row, syn(&l, SRV, NAT, PORT_B, 10, 5000), DROP);
	EQ(row, syn(&l, SRV, NAT, PORT_B, 10, 59999), DROP);
	EQ(row, syn(&l, SRV, NAT, PORT_B, 10, 60000), PASS);
	check_stats(
		row, &l,
		&(struct legacy_stats){.syn_checked = 2,
				       .paws_passive = 2,
				       .listen_drops = models[m] == NEW ? 2 : 0,
				       .remembered = 1,
				       .remembered_at_ack = 1});
	legacy_free(l.lg);
}

EACH_MODEL_TEST(test_close_wait_forever, run_close_wait_forever, 1)

/*
 * Simultaneous close: the peer's FIN (TSval 200, 0.1 s) does not ack the
 * host's: CLOSING, nothing written.  The host acks it; the peer's ACK of
 * the host's FIN (TSval 300, 2 s) passes tcp_replace_ts_recent() (its seq
 * is rcv_wup) and tcp_time_wait() writes its TSval and second, not the
 * FIN's.  The old model wrote the same when told of the ACK (ACK_IN),
 * which its engine never did.
 */
static void run_simultaneous_close(size_t i, int m)
{
	const char *row = model_name[m];
	struct cx c = cx_of(SRV, NAT, PORT_A, 100);
	const struct legacy_out *o;
	struct lab l;

	lab_model(&l, models[m], 0, 0);
	host(&l, &c, FA, 0);
	o = peer_ack(&l, &c, FA, 0, 200, H, 100);
	EQ(row, o->remembered, 0);
	EQ(row, o->tw_end_ms, 0);
	host(&l, &c, A, 100);
	check_entry(row, &l, SRV, NAT, -1, 0);
	o = peer(&l, &c, A, 0, 300, 2000);
	EQ(row, o->remembered, 1);
	EQ(row, o->tw_end_ms, models[m] == NEW ? 700 : 768);
	check_entry(row, &l, SRV, NAT, 300, 2000);
	legacy_free(l.lg);
}

EACH_MODEL_TEST(test_simultaneous_close, run_simultaneous_close, 1)

/*
 * The FIN reaching a FIN_WAIT2 bucket whose entry has gone (a 1 s
 * lifetime, and a neighbour's SYN at 2.5 s looked it up and found it
 * stale): 4.4's tcp_tw_remember_stamp() only looks it up, finds nothing,
 * and the TIME_WAIT is the full 60 s; 2.6.32's tcp_v4_tw_remember_stamp()
 * creates it, writes the FIN's (300, 3 s) and keeps tw_timeout (768
 * ms).  (tcp_metrics would have reset the entry, not freed it, and the
 * 4.4 FIN would find it; the model's entries vanish, the one way to this
 * case.)  The old model always created.
 */
static void run_fw2_fin_entry_gone(size_t i, int m)
{
	int is_44 = models[m] == NEW;
	const char *row = model_name[m];
	struct cx c = cx_of(SRV, NAT, PORT_A, 100);
	const struct legacy_out *o;
	struct lab l;

	lab_model(&l, models[m], 0, 1000);
	host(&l, &c, FA, 0);
	EQ(row, peer(&l, &c, A, 0, 200, 1000)->remembered, 1);
	EQ(row, syn(&l, SRV, NAT, PORT_B, 300, 2500), PASS);
	o = peer(&l, &c, FA, 0, 300, 3000);
	EQ(row, o->remembered, !is_44);
	EQ(row, o->tw_end_ms, is_44 ? 0 : 768);
	check_entry(row, &l, SRV, NAT, is_44 ? -1 : 300, 3000);
	legacy_free(l.lg);
}

EACH_MODEL_TEST(test_fw2_fin_entry_gone, run_fw2_fin_entry_gone, 1)

/* ---- ts_recent: the value written ---- */

/* One segment of the peer's: when, flags (0 ends the script), sequence
 * number from P, length, ACK from the host's FIN end (0 acks it; -1 does
 * not, and is old once that has come; 4 is beyond snd_nxt), TSval
 * (NO_TS: none), and whether the host then acks all it has. */
struct pstep {
	uint64_t at;
	uint8_t flags;
	uint32_t seq, len;
	int32_t ack;
	int64_t ts;
	int host_acks;
};

/*
 * A held host (it writes in tcp_time_wait() at the peer's FIN) with
 * ts_recent @echo from its FIN at 0 s; the peer's segments; the entry the
 * last one writes, for 4.4 and 2.6.32, and no earlier segment writes.
 * The old model took the TSval of every segment of the peer's, in any
 * order, and never the host's echo.
 */
/* clang-format off */
static const struct {
	const char *what;
	uint32_t echo;
	uint32_t want_ts[2]; /* 4.4, 2.6.32 */
	uint64_t want_stamp[2];
	struct pstep step[3];
} ts_cases[] = {
	{"a FIN in order, newer: its own",
	 100, {200, 200}, {2000, 2000},
	 {{2000, FA, 0, 0, 0, 200, 0}}},
	{"research example 1: data at seq = rcv_wup is stored; the FIN behind "
	 "it, not acked by the host, is not (old model: 5001)",
	 100, {5000, 5000}, {1000, 1000},
	 {{1000, A, 0, 100, 0, 5000, 0}, {2000, FA, 100, 0, 0, 5001, 0}}},
	{"the same once the host acked the data: the FIN's",
	 100, {5001, 5001}, {2000, 2000},
	 {{1000, A, 0, 100, 0, 5000, 1}, {2000, FA, 100, 0, 0, 5001, 0}}},
	{"research example 3: one tick older is accepted, not stored (old "
	 "model: 5000)",
	 100, {5001, 5001}, {1000, 1000},
	 {{1000, A, 0, 0, 0, 5001, 0}, {2000, FA, 0, 0, 0, 5000, 0}}},
	{"a FIN two ticks older is discarded whole (PAWS): no TIME_WAIT; its "
	 "retransmission writes (old model: wrote 4999)",
	 100, {5002, 5002}, {3000, 3000},
	 {{1000, A, 0, 0, 0, 5001, 0}, {2000, FA, 0, 0, 0, 4999, 0},
	  {3000, FA, 0, 0, 0, 5002, 0}}},
	{"a FIN whose ACK is older than snd_una: 4.4 stores in tcp_ack() after "
	 "old_ack, 2.6.32 in tcp_validate_incoming() (old model: 300)",
	 100, {200, 300}, {1000, 2000},
	 {{1000, A, 0, 0, 0, 200, 0}, {2000, FA, 0, 0, -1, 300, 0}}},
	{"a FIN acking beyond snd_nxt: 4.4 stops at invalid_ack, 2.6.32 has "
	 "stored it before",
	 100, {200, 300}, {1000, 2000},
	 {{1000, A, 0, 0, 0, 200, 0}, {2000, FA, 0, 0, 4, 300, 0}}},
	{"a FIN without ACK closes nothing; 4.4 discards it unread, 2.6.32 "
	 "stores its TSval first",
	 100, {200, 300}, {1000, 2000},
	 {{1000, A, 0, 0, 0, 200, 0}, {2000, PKT_FIN, 0, 0, 0, 300, 0},
	  {3000, FA, 0, 0, 0, NO_TS, 0}}},
	{"no segment of the peer's passes: the host's echo, of its FIN's "
	 "second (old model: nothing written)",
	 100, {100, 100}, {0, 0},
	 {{2000, FA, 0, 0, 0, NO_TS, 0}}},
	{"ts_recent 0: 4.4 takes any TSval (tcp_paws_check()); 2.6.32's PAWS "
	 "discards a 'negative' one, and the FIN writes 0",
	 0, {0x90000000u, 0}, {1000, 0},
	 {{1000, A, 0, 0, 0, 0x90000000u, 0}, {2000, FA, 0, 0, 0, NO_TS, 0}}},
	{"2^31 ahead: (s32)(ts_recent - tsval) = INT_MIN <= 0: stored",
	 100, {0x80000064u, 0x80000064u}, {1000, 1000},
	 {{1000, A, 0, 0, 0, 0x80000064u, 0}, {2000, FA, 0, 0, 0, NO_TS, 0}}},
	{"across 2^32: 0x10 is newer than 0xfffffff0",
	 0xfffffff0u, {0x10, 0x10}, {1000, 1000},
	 {{1000, A, 0, 0, 0, 0x10, 0}, {2000, FA, 0, 0, 0, NO_TS, 0}}},
};
/* clang-format on */

static void run_ts_case(size_t i, int m)
{
	const char *row = ts_cases[i].what;
	struct cx c = cx_of(SRV, NAT, PORT_A, ts_cases[i].echo);
	struct legacy_stats st;
	struct lab l;
	size_t k;

	lab_model(&l, models[m], 0, 0);
	l.st.v[LEGACY_FACT_ORPHAN] = 0;
	host(&l, &c, FA, 0);
	for (k = 0; k < 3 && ts_cases[i].step[k].flags; k++) {
		const struct pstep *p = &ts_cases[i].step[k];
		int last = k == 2 || !ts_cases[i].step[k + 1].flags;
		const struct legacy_out *o;

		c.pseq = P + p->seq;
		o = peer_ack(&l, &c, p->flags, p->len, p->ts,
			     H + 1 + (uint32_t)p->ack, p->at);
		EQ(row, o->remembered, last);
		if (p->host_acks)
			host(&l, &c, A, p->at);
	}
	check_entry(row, &l, SRV, NAT, ts_cases[i].want_ts[m],
		    ts_cases[i].want_stamp[m]);
	legacy_stats(l.lg, &st);
	EQ(row, st.tw_entered, 1);
	legacy_free(l.lg);
}

EACH_MODEL_TEST(test_ts_recent, run_ts_case, ARRAY_SIZE(ts_cases))

/* ---- the update rule ---- */

enum { SOCK_PATH, TW_PATH };

/*
 * An entry (first_ts, first_ms) from a close on PORT_A; then PORT_B's
 * close writes its candidate through one path: the socket's
 * (tcp_remember_stamp() / tcp_v4_remember_stamp(): the candidate is
 * ts_recent, learned from the host's FIN at cand_ms, and the peer's FIN
 * at close_ms has no timestamp) or the FIN_WAIT2 bucket's (the ACK at
 * cand_ms with TSval cand_ts writes through the socket's path first,
 * then the FIN, TSval fin_ts at close_ms, through
 * tcp_tw_remember_stamp() / tcp_v4_tw_remember_stamp(), whose candidate
 * is the FIN's own second).  Written: (A) (s32)(ts - cand) <= 0, or (B)
 * the entry more than PAWS_MSL old and not stamped after the candidate.
 * Either way an entry exists, so the TIME_WAIT is short.  The old model
 * had the same rule on its one path, and no bucket, whose candidate is
 * the FIN's own second.
 */
static const struct {
	const char *what;
	enum legacy_model model;
	int path;
	uint32_t first_ts;
	uint64_t first_ms;
	uint32_t cand_ts;
	uint64_t cand_ms;
	uint32_t fin_ts;
	uint64_t close_ms;
	uint32_t want_ts;
	uint64_t want_stamp;
	int writes; /* entry writes in all */
} upd_cases[] = {
	{"newer: (A)", NEW, SOCK_PATH, 1000, 0, 2000, 10000, 0, 10000, 2000,
	 10000, 2},
	{"2.6.32, newer", OLD, SOCK_PATH, 1000, 0, 2000, 10000, 0, 10000, 2000,
	 10000, 2},
	{"equal: (A), the stamp moves", NEW, SOCK_PATH, 1000, 0, 1000, 10000, 0,
	 10000, 1000, 10000, 2},
	{"older, the entry 30 s old: kept", NEW, SOCK_PATH, 1000, 0, 500, 30000,
	 0, 30000, 1000, 0, 1},
	{"older, the entry exactly 60 s old: (B) wants more: kept", NEW,
	 SOCK_PATH, 1000, 0, 500, 60000, 0, 60000, 1000, 0, 1},
	{"older, the entry 61 s old: (B)", NEW, SOCK_PATH, 1000, 0, 500, 61000,
	 0, 61000, 500, 61000, 2},
	{"2.6.32, 61 s: stamp + TCP_PAWS_MSL < now is the same test", OLD,
	 SOCK_PATH, 1000, 0, 500, 61000, 0, 61000, 500, 61000, 2},
	{"older, old entry stamped after the candidate (10 s > 5 s): kept", NEW,
	 SOCK_PATH, 1000, 10000, 500, 5000, 0, 100000, 1000, 10000, 1},
	{"older, 61 s old entry of the candidate's second: (B)", NEW, SOCK_PATH,
	 1000, 10000, 500, 10500, 0, 71000, 500, 10000, 2},
	{"the same at 60 s: kept", NEW, SOCK_PATH, 1000, 10000, 500, 10500, 0,
	 70000, 1000, 10000, 1},
	{"newer across 2^32", NEW, SOCK_PATH, 0xfffffff0u, 0, 0x10, 10000, 0,
	 10000, 0x10, 10000, 2},
	{"older across 2^32, fresh: kept", NEW, SOCK_PATH, 0x10, 0, 0xfffffff0u,
	 10000, 0, 10000, 0x10, 0, 1},
	{"2^31 ahead: INT_MIN <= 0: written", NEW, SOCK_PATH, 0x10, 0,
	 0x80000010u, 10000, 0, 10000, 0x80000010u, 10000, 2},
	{"2.6.32, 2^31 behind: INT_MIN too: written", OLD, SOCK_PATH,
	 0x80000010u, 0, 0x10, 10000, 0, 10000, 0x10, 10000, 2},
	{"bucket: older, fresh: neither the ACK nor the FIN writes", NEW,
	 TW_PATH, 1000, 0, 500, 30000, 500, 50000, 1000, 0, 1},
	{"bucket: the ACK kept, the FIN 61 s on writes by (B), its own second",
	 NEW, TW_PATH, 1000, 0, 500, 30000, 500, 61000, 500, 61000, 2},
	{"2.6.32 bucket: (B) at the FIN", OLD, TW_PATH, 1000, 0, 500, 30000,
	 500, 61000, 500, 61000, 2},
	{"bucket: a newer FIN writes by (A)", NEW, TW_PATH, 1000, 0, 500, 30000,
	 1500, 40000, 1500, 40000, 2},
	{"bucket: the FIN at 60 s exactly: kept", NEW, TW_PATH, 1000, 0, 500,
	 30000, 500, 60000, 1000, 0, 1},
};

static void test_update_rule(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(upd_cases); i++) {
		const char *row = upd_cases[i].what;
		struct cx b = cx_of(SRV, NAT, PORT_B, upd_cases[i].cand_ts);
		const struct legacy_out *o;
		struct legacy_stats st;
		struct lab l;

		lab_model(&l, upd_cases[i].model, 0, 0);
		/* Events in time order: the clock never goes back. */
		if (upd_cases[i].cand_ms < upd_cases[i].first_ms)
			host(&l, &b, FA, upd_cases[i].cand_ms);
		close_at(&l, SRV, NAT, PORT_A, upd_cases[i].first_ts,
			 upd_cases[i].first_ms);
		if (upd_cases[i].cand_ms >= upd_cases[i].first_ms)
			host(&l, &b, FA, upd_cases[i].cand_ms);
		if (upd_cases[i].path == TW_PATH)
			peer(&l, &b, A, 0, upd_cases[i].cand_ts,
			     upd_cases[i].cand_ms);
		o = peer(&l, &b, FA, 0,
			 upd_cases[i].path == TW_PATH ? upd_cases[i].fin_ts
						      : NO_TS,
			 upd_cases[i].close_ms);
		EQ(row, o->tw_end_ms, upd_cases[i].model == NEW ? 700 : 768);
		check_entry(row, &l, SRV, NAT, upd_cases[i].want_ts,
			    upd_cases[i].want_stamp);
		legacy_stats(l.lg, &st);
		EQ(row, st.remembered, upd_cases[i].writes);
		legacy_free(l.lg);
	}
}

/* A new entry takes any candidate, even one a zeroed entry would refuse
 * by both branches (TSval 2^31 + 1 ahead of 0, at 10 s: (s32)(0 -
 * 0x80000001) > 0, and stamp 0 is not 60 s old). */
static void run_new_entry_written(size_t i, int m)
{
	const char *row = model_name[m];
	struct lab l;

	lab_model(&l, models[m], 0, 0);
	close_tw(&l, SRV, NAT, PORT_A, 0x80000001u, 10000);
	check_entry(row, &l, SRV, NAT, 0x80000001u, 10000);
	check_stats(row, &l,
		    &(struct legacy_stats){.remembered = 1, .tw_entered = 1});
	legacy_free(l.lg);
}

EACH_MODEL_TEST(test_new_entry_written, run_new_entry_written, 1)

/* ---- the listener's check ---- */

/*
 * An entry (ts, stamped at_ms) from a close on PORT_A, then a SYN on
 * PORT_B: the verdict for 4.4 and for 2.6.32.  Fresh is age < PAWS_MSL
 * (strict); a TSval more than TCP_PAWS_WINDOW (1) behind is dropped.
 * PASS: no fresh entry; OKAY: checked and passed.  The old model said
 * ACCEPT for both.
 */
struct syn_case {
	const char *what;
	uint32_t msl_ms;
	uint32_t ts;
	uint64_t at_ms;
	int64_t syn_ts;
	uint64_t syn_ms;
	enum legacy_syn_verdict want[2]; /* 4.4, 2.6.32 */
};

static void run_syn_cases(const struct syn_case *k, size_t n)
{
	size_t i, m;

	for (i = 0; i < n; i++, k++) {
		for (m = 0; m < 2; m++) {
			struct lab l;

			lab_model(&l, models[m], k->msl_ms, 0);
			close_at(&l, SRV, NAT, PORT_A, k->ts, k->at_ms);
			EQ(k->what,
			   syn(&l, SRV, NAT, PORT_B, k->syn_ts, k->syn_ms),
			   k->want[m]);
			legacy_free(l.lg);
		}
	}
}

/* The entry 1000 at 0 s, the SYN at 1 s. */
static const struct syn_case window_cases[] = {
	{"older by 1: within the window",
	 MIN,
	 1000,
	 0,
	 999,
	 1000,
	 {OKAY, OKAY}},
	{"older by 2", MIN, 1000, 0, 998, 1000, {DROP, DROP}},
	{"equal", MIN, 1000, 0, 1000, 1000, {OKAY, OKAY}},
	{"newer", MIN, 1000, 0, 1001, 1000, {OKAY, OKAY}},
	{"much older", MIN, 1000, 0, 0, 1000, {DROP, DROP}},
};

/* Stamped at 5 s: fresh while now_s - 5 < 60. */
static const struct syn_case fresh_cases[] = {
	{"59 s old", MIN, 1000, 5000, 998, 64999, {DROP, DROP}},
	{"exactly PAWS_MSL: not fresh",
	 MIN,
	 1000,
	 5000,
	 998,
	 65000,
	 {PASS, PASS}},
	{"61 s old", MIN, 1000, 5000, 998, 66000, {PASS, PASS}},
	{"PAWS_MSL 0 is 60 s: 59.999 s", 0, 1000, 0, 998, 59999, {DROP, DROP}},
	{"PAWS_MSL 0 is 60 s: 60 s", 0, 1000, 0, 998, 60000, {PASS, PASS}},
	{"PAWS_MSL 10 s: 9.999 s", 10000, 1000, 0, 998, 9999, {DROP, DROP}},
	{"PAWS_MSL 10 s: 10 s", 10000, 1000, 0, 998, 10000, {PASS, PASS}},
};

/* (s32)(entry - TSval) > 1, the entry at 0 s, the SYN at 1 s. */
static const struct syn_case wrap_cases[] = {
	{"newer across 2^32", MIN, 0xfffffff0u, 0, 0x10, 1000, {OKAY, OKAY}},
	{"older across 2^32", MIN, 0x10, 0, 0xfffffff0u, 1000, {DROP, DROP}},
	{"newer by 2^31 - 1", MIN, 0x10, 0, 0x8000000fu, 1000, {OKAY, OKAY}},
	{"older by 2^31 - 1", MIN, 0x10, 0, 0x80000011u, 1000, {DROP, DROP}},
	{"2^31 ahead: INT_MIN", MIN, 0x10, 0, 0x80000010u, 1000, {OKAY, OKAY}},
	{"2^31 behind: INT_MIN", MIN, 0x80000010u, 0, 0x10, 1000, {OKAY, OKAY}},
	{"newer across 2^31",
	 MIN,
	 0x7fffffffu,
	 0,
	 0x80000001u,
	 1000,
	 {OKAY, OKAY}},
	{"older across 2^31",
	 MIN,
	 0x80000001u,
	 0,
	 0x7fffffffu,
	 1000,
	 {DROP, DROP}},
};

/* 4.4's tcp_peer_is_proven() refuses a SYN without timestamp while the
 * entry is fresh; 2.6.32 checks only SYNs with one. */
static const struct syn_case nots_cases[] = {
	{"fresh entry", MIN, 1000, 0, NO_TS, 59999, {DROP, PASS}},
	{"stale entry", MIN, 1000, 0, NO_TS, 60000, {PASS, PASS}},
};

/* get_seconds(): stamped at 10.9 s is stamp 10, 60 s old at 70.0 s. */
static const struct syn_case second_cases[] = {
	{"10.9 s -> 70.0 s", MIN, 1000, 10900, 998, 70000, {PASS, PASS}},
	{"10.9 s -> 69.999 s", MIN, 1000, 10900, 998, 69999, {DROP, DROP}},
	{"no timestamp, 10.9 s -> 70.0 s",
	 MIN,
	 1000,
	 10900,
	 NO_TS,
	 70000,
	 {PASS, PASS}},
};

/* A PAWS_MSL that is not whole seconds: milliseconds throughout. */
static const struct syn_case ms_cases[] = {
	{"1.5 s, 1.499 s old", 1500, 1000, 1000, 998, 2499, {DROP, DROP}},
	{"1.5 s, 1.5 s old", 1500, 1000, 1000, 998, 2500, {PASS, PASS}},
	{"60.5 s from 10.9 s: 60.499 s old",
	 60500,
	 1000,
	 10900,
	 998,
	 71399,
	 {DROP, DROP}},
	{"60.5 s from 10.9 s: 60.5 s old",
	 60500,
	 1000,
	 10900,
	 998,
	 71400,
	 {PASS, PASS}},
};

/* One test a table. */
#define SYN_TEST(name, table)                                                  \
	static void name(void)                                                 \
	{                                                                      \
		run_syn_cases(table, ARRAY_SIZE(table));                       \
	}

SYN_TEST(test_syn_window, window_cases)
SYN_TEST(test_syn_fresh, fresh_cases)
SYN_TEST(test_syn_wrap, wrap_cases)
SYN_TEST(test_syn_without_ts, nots_cases)
SYN_TEST(test_syn_seconds, second_cases)
SYN_TEST(test_syn_ms, ms_cases)

/*
 * Counters: an entry 1000 at 0 s; another close with 500 at 1 s (older,
 * fresh: kept); one without timestamps (TIME_WAIT, nothing written);
 * three SYNs at 2 s: TSval 10, none, 5000.  4.4 drops two and counts
 * them in PAWSPassive and ListenDrops; 2.6.32 passes the one without
 * timestamp unchecked and counts PAWSPassive alone.  The old model counted
 * ListenDrops for 2.6.32 too, and every SYN as checked.
 */
static void test_counters(void)
{
	static const enum legacy_syn_verdict want[2][3] = {{DROP, DROP, OKAY},
							   {DROP, PASS, OKAY}};
	size_t m;

	for (m = 0; m < 2; m++) {
		const char *row = m == 0 ? "4.4" : "2.6.32";
		struct lab l;

		lab_model(&l, models[m], 0, 0);
		close_at(&l, SRV, NAT, PORT_A, 1000, 0);
		close_at(&l, SRV, NAT, PORT_A + 2, 500, 1000);
		close_at(&l, SRV, NAT, PORT_A + 3, NO_TS, 1000);
		EQ(row, syn(&l, SRV, NAT, PORT_B, 10, 2000), want[m][0]);
		EQ(row, syn(&l, SRV, NAT, PORT_B, NO_TS, 2000), want[m][1]);
		EQ(row, syn(&l, SRV, NAT, PORT_B, 5000, 2000), want[m][2]);
		check_stats(
			row, &l,
			&(struct legacy_stats){.syn_checked = 3 - m,
					       .paws_passive = 2 - m,
					       .listen_drops = m == 0 ? 2 : 0,
					       .remembered = 1,
					       .tw_entered = 3});
		legacy_free(l.lg);
	}
}

/* ---- what keeps a SYN from the check ---- */

/*
 * A fresh entry 1000, a SYN the check would drop (TSval 10, or none on
 * 4.4); the stack answers a socket of the tuple (TUPLE_SOCK), the
 * listener's SYN queue and backlog.  What spares the SYN: a request
 * socket (tcp_check_req() takes it first); a syncookie (want_cookie,
 * computed before the check, which it skips): 4.4 always with
 * tcp_syncookies 2, and with 1 while SYNQ >= backlog; 2.6.32 with 1 or 2
 * while its SYN table is full: SYNQ >= roundup_pow_of_two(max(min(
 * backlog, tcp_max_syn_backlog), 8) + 1).  The facts are asked only for
 * a SYN the check would drop.  The old model knew none of this.
 */
static const struct {
	const char *what;
	enum legacy_model model;
	int cookies;
	uint32_t max_syn_backlog; /* 0: 1024 */
	long tuple_sock, synq, backlog;
	int64_t ts;
	enum legacy_syn_verdict want;
	unsigned int asked;
} spare_cases[] = {
	{"4.4: a drop asks only for a socket of the tuple", NEW, 0, 0, 0, 0,
	 128, 10, DROP, 1},
	{"4.4: a live request socket takes it", NEW, 0, 0, 1, 0, 128, 10, REQ,
	 1},
	{"4.4: no timestamp, a request socket", NEW, 0, 0, 1, 0, 128, NO_TS,
	 REQ, 1},
	{"2.6.32: a live request socket", OLD, 0, 0, 1, 0, 128, 10, REQ, 1},
	{"4.4, cookies 2: always, the queue not asked", NEW, 2, 0, 0, 0, 128,
	 10, COOK, 1},
	{"4.4, cookies 1: 127 of 128, not full", NEW, 1, 0, 0, 127, 128, 10,
	 DROP, 3},
	{"4.4, cookies 1: 128 of 128, full", NEW, 1, 0, 0, 128, 128, 10, COOK,
	 3},
	{"4.4, cookies 1: the queue unknown, not full", NEW, 1, 0, 0, -1, 128,
	 10, DROP, 3},
	{"4.4, cookies 0: a full queue is no cookie", NEW, 0, 0, 0, 500, 128,
	 10, DROP, 1},
	{"2.6.32, cookies 2 is 1: backlog 128 -> 256 (129 rounded up), 128 "
	 "not full",
	 OLD, 2, 0, 0, 128, 128, 10, DROP, 3},
	{"2.6.32, cookies 2: 256 of 256", OLD, 2, 0, 0, 256, 128, 10, COOK, 3},
	{"2.6.32, cookies 1: 255 of 256", OLD, 1, 0, 0, 255, 128, 10, DROP, 3},
	{"2.6.32: backlog 2000 capped at 1024 -> 2048; 2047", OLD, 1, 0, 0,
	 2047, 2000, 10, DROP, 3},
	{"2.6.32: backlog 2000 capped at 1024 -> 2048; 2048", OLD, 1, 0, 0,
	 2048, 2000, 10, COOK, 3},
	{"2.6.32: backlog 5 raised to 8 -> 16; 15", OLD, 1, 0, 0, 15, 5, 10,
	 DROP, 3},
	{"2.6.32: backlog 5 raised to 8 -> 16; 16", OLD, 1, 0, 0, 16, 5, 10,
	 COOK, 3},
	{"2.6.32: backlog 15 -> 16 (16 is a power of two); 16", OLD, 1, 0, 0,
	 16, 15, 10, COOK, 3},
	{"2.6.32: backlog 16 -> 32; 16", OLD, 1, 0, 0, 16, 16, 10, DROP, 3},
	{"2.6.32: tcp_max_syn_backlog 4 caps 100, raised to 8 -> 16; 16", OLD,
	 1, 4, 0, 16, 100, 10, COOK, 3},
	{"2.6.32, cookies 0: never", OLD, 0, 0, 0, 5000, 128, 10, DROP, 1},
	{"4.4: a SYN that passes asks nothing", NEW, 1, 0, 0, 500, 128, 2000,
	 OKAY, 0},
	{"2.6.32: a SYN that passes asks nothing", OLD, 1, 0, 0, 500, 128, 2000,
	 OKAY, 0},
};

/* The listener as the SYN queue's owner: (SRV, 0, SPORT, 0). */
static void check_listener_asked(const char *row, const struct stack *st)
{
	static const enum legacy_fact q[] = {LEGACY_FACT_SYNQ,
					     LEGACY_FACT_BACKLOG};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(q); i++) {
		if (!st->asked[q[i]])
			continue;
		EQ(row, st->last[q[i]].laddr, SRV);
		EQ(row, st->last[q[i]].raddr, 0);
		EQ(row, st->last[q[i]].lport, SPORT);
		EQ(row, st->last[q[i]].rport, 0);
	}
	if (st->asked[LEGACY_FACT_TUPLE_SOCK])
		EQ(row, st->last[LEGACY_FACT_TUPLE_SOCK].rport, PORT_B);
}

static void test_syn_spared(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(spare_cases); i++) {
		const char *row = spare_cases[i].what;
		struct legacy_cfg cfg = cfg_of(spare_cases[i].model);
		enum legacy_syn_verdict want = spare_cases[i].want;
		int spared = want == REQ || want == COOK;
		struct lab l;

		cfg.syncookies = spare_cases[i].cookies;
		cfg.max_syn_backlog = spare_cases[i].max_syn_backlog;
		lab_start(&l, &cfg);
		l.st.v[LEGACY_FACT_TUPLE_SOCK] = spare_cases[i].tuple_sock;
		l.st.v[LEGACY_FACT_SYNQ] = spare_cases[i].synq;
		l.st.v[LEGACY_FACT_BACKLOG] = spare_cases[i].backlog;
		close_at(&l, SRV, NAT, PORT_A, 1000, 0);
		memset(l.st.asked, 0, sizeof(l.st.asked));
		EQ(row, syn(&l, SRV, NAT, PORT_B, spare_cases[i].ts, 1000),
		   want);
		EQ(row, asked_total(&l.st), spare_cases[i].asked);
		check_listener_asked(row, &l.st);
		check_stats(row, &l,
			    &(struct legacy_stats){
				    .syn_checked = 1,
				    .paws_passive = want == DROP,
				    .listen_drops = want == DROP &&
						    spare_cases[i].model == NEW,
				    .remembered = 1,
				    .tw_entered = 1,
				    .syn_spared = spared});
		legacy_free(l.lg);
	}
}

/*
 * 2.6.32's queue-pressure clause, the else of its check: with
 * tcp_syncookies 0, a SYN the check did not judge (no timestamp, or no
 * entry) is dropped while max_syn_backlog - SYNQ < max_syn_backlog / 4;
 * no kernel counter, pressure_drops here.  An entry, fresh or not, with a
 * timestamped SYN takes the if branch.  4.4 has the clause only with
 * recycle off.  The old model had none of it.
 */
static const struct {
	const char *what;
	enum legacy_model model;
	int cookies;
	uint32_t max_syn_backlog;
	int entry; /* 0 none, 1 fresh (1000 at 0 s), 2 stale (SYN at 61 s) */
	int64_t ts;
	long synq, tuple_sock;
	enum legacy_syn_verdict want;
	unsigned int asked;
} pressure_cases[] = {
	{"no entry, 769 of 1024 (0: the default): 255 < 256 left", OLD, 0, 0, 0,
	 10, 769, 0, PRES, 2},
	{"no entry, 768: 256 left is not < 256", OLD, 0, 0, 0, 10, 768, 0, PASS,
	 1},
	{"no timestamp, a fresh entry: unchecked, then the clause", OLD, 0, 0,
	 1, NO_TS, 769, 0, PRES, 2},
	{"a timestamp and a fresh entry: judged, no clause", OLD, 0, 0, 1, 2000,
	 1000, 0, OKAY, 0},
	{"a timestamp and a stale entry: the if branch still", OLD, 0, 0, 2, 10,
	 1000, 0, PASS, 0},
	{"tcp_syncookies 1: no clause", OLD, 1, 0, 0, 10, 1000, 0, PASS, 0},
	{"tcp_max_syn_backlog 10: 10 - 9 < 2", OLD, 0, 10, 0, 10, 9, 0, PRES,
	 2},
	{"tcp_max_syn_backlog 10: 10 - 8 is not < 2", OLD, 0, 10, 0, 10, 8, 0,
	 PASS, 1},
	{"the queue unknown", OLD, 0, 0, 0, 10, -1, 0, PASS, 1},
	{"a live request socket takes it first (tcp_v4_hnd_req())", OLD, 0, 0,
	 0, 10, 1000, 1, REQ, 2},
	{"4.4: never", NEW, 0, 0, 0, 10, 1000, 0, PASS, 0},
	{"4.4: never, without timestamp either", NEW, 0, 0, 0, NO_TS, 1000, 0,
	 PASS, 0},
};

static void test_syn_pressure(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(pressure_cases); i++) {
		const char *row = pressure_cases[i].what;
		struct legacy_cfg cfg = cfg_of(pressure_cases[i].model);
		enum legacy_syn_verdict want = pressure_cases[i].want;
		struct legacy_stats st;
		struct lab l;

		cfg.syncookies = pressure_cases[i].cookies;
		cfg.max_syn_backlog = pressure_cases[i].max_syn_backlog;
		lab_start(&l, &cfg);
		l.st.v[LEGACY_FACT_SYNQ] = pressure_cases[i].synq;
		l.st.v[LEGACY_FACT_TUPLE_SOCK] = pressure_cases[i].tuple_sock;
		if (pressure_cases[i].entry)
			close_at(&l, SRV, NAT, PORT_A, 1000, 0);
		memset(l.st.asked, 0, sizeof(l.st.asked));
		EQ(row,
		   syn(&l, SRV, NAT, PORT_B, pressure_cases[i].ts,
		       pressure_cases[i].entry == 2 ? 61000 : 1000),
		   want);
		EQ(row, asked_total(&l.st), pressure_cases[i].asked);
		check_listener_asked(row, &l.st);
		legacy_stats(l.lg, &st);
		EQ(row, st.pressure_drops, want == PRES);
		EQ(row, st.syn_spared, want == REQ);
		EQ(row, st.paws_passive + st.listen_drops, 0);
		legacy_free(l.lg);
	}
}

/* ---- TIME_WAIT ---- */

/*
 * A TIME_WAIT from a FIN that acked the host's (TSval 1000 at 0 s: the
 * entry, and the bucket's ts_recent), its end given (700 ms; 2.6.32:
 * 768); then one segment at 0.1 s (tcp_timewait_state_process()):
 * whether it re-arms the bucket to the full 60 s (the end given no
 * longer holds: legacy_tw_due() says 0), and whether the bucket is still
 * there (a newer SYN then goes to it, else to the listener's check).
 * The old model never re-armed, and ended TIME_WAIT on any RST.
 */
static const struct {
	const char *what;
	int rfc1337;
	uint8_t flags;
	int32_t seq; /* from the peer's FIN end (its rcv_nxt) */
	int64_t ts;
	int rearmed, kept;
} tw_cases[] = {
	{"the peer's FIN again (ACK set): re-armed", 0, FA, -1, 1001, 1, 1},
	{"a bare ACK in window: re-armed", 0, A, 0, 1001, 1, 1},
	{"a FIN without ACK, not rejected: answered only", 0, PKT_FIN, -1, 1001,
	 0, 1},
	{"a segment PAWS rejects (999 < 1000), no ACK: re-armed", 0, PKT_FIN,
	 -1, 999, 1, 1},
	{"a RST, tcp_rfc1337 0: the bucket ends", 0, PKT_RST, 0, NO_TS, 0, 0},
	{"a RST without ACK, tcp_rfc1337 1: re-armed", 1, PKT_RST, 0, NO_TS, 1,
	 1},
	{"a RST with ACK, tcp_rfc1337 1: re-armed", 1, PKT_RST | A, 0, NO_TS, 1,
	 1},
	{"a SYN PAWS rejects: the bucket's, re-armed", 0, PKT_SYN, 5, 999, 1,
	 1},
	{"a newer SYN: TCP_TW_SYN, to the listener unchecked, the bucket gone",
	 0, PKT_SYN, 5, 2000, 0, 0},
	{"a SYN without timestamp: the bucket gone", 0, PKT_SYN, 5, NO_TS, 0,
	 0},
	{"a SYN neither newer by sequence nor by TSval: answered, kept", 0,
	 PKT_SYN, 0, 1000, 0, 1},
	{"a RST PAWS rejects, tcp_rfc1337 0: ignored", 0, PKT_RST, 0, 999, 0,
	 1},
	{"a RST past rcv_nxt, tcp_rfc1337 0: ignored", 0, PKT_RST, 5, NO_TS, 0,
	 1},
	{"a RST past rcv_nxt, tcp_rfc1337 1: ignored", 1, PKT_RST, 5, NO_TS, 0,
	 1},
	{"a segment without flags at rcv_nxt: re-armed", 0, 0, 0, 1001, 1, 1},
};

static void run_tw_case(size_t i, int m)
{
	const char *row = tw_cases[i].what;
	struct legacy_cfg cfg = cfg_of(models[m]);
	struct cx c = cx_of(SRV, NAT, PORT_A, 1000);
	const struct legacy_out *o;
	struct lab l;

	cfg.rfc1337 = tw_cases[i].rfc1337;
	lab_start(&l, &cfg);
	host(&l, &c, FA, 0);
	EQ(row, peer(&l, &c, FA, 0, 1000, 0)->tw_end_ms, m ? 768 : 700);
	EQ(row, legacy_tw_due(l.lg, &c.t, m ? 768 : 700), 1);
	EQ(row, legacy_tw_due(l.lg, &c.t, 0), 0);
	c.pseq = P + 1 + (uint32_t)tw_cases[i].seq;
	o = peer(&l, &c, tw_cases[i].flags, 0, tw_cases[i].ts, 100);
	EQ(row, o->tw_rearmed, tw_cases[i].rearmed);
	EQ(row, o->drop, 0);
	EQ(row, o->syn, (tw_cases[i].flags & PKT_SYN) ? TW : PASS);
	EQ(row, asked_total(&l.st), 1); /* the RTO, at the FIN */
	EQ(row, legacy_tw_due(l.lg, &c.t, m ? 768 : 700),
	   tw_cases[i].kept && !tw_cases[i].rearmed);
	EQ(row, syn(&l, SRV, NAT, PORT_A, 3000, 200),
	   tw_cases[i].kept ? TW : OKAY);
	check_stats(row, &l,
		    &(struct legacy_stats){.syn_checked = !tw_cases[i].kept,
					   .remembered = 1,
					   .tw_entered = 1,
					   .tw_rearmed = tw_cases[i].rearmed});
	legacy_free(l.lg);
}

EACH_MODEL_TEST(test_tw_segments, run_tw_case, ARRAY_SIZE(tw_cases))

/*
 * What a bucket keeps besides its end: a bare ACK at rcv_nxt becomes the
 * TIME_WAIT bucket's tw_ts_recent (1500), so a SYN with TSval 1200 is
 * then PAWS-rejected by the bucket (re-armed again, kept) where 1000
 * would have let it through as newer; a FIN_WAIT2 bucket takes a SYN
 * (answered with an ACK, never checked, never dropped), and its FIN
 * without a timestamp still writes and shortens, from the bucket's
 * tw_ts_recent_stamp.
 */
static void run_bucket_case(size_t i, int m)
{
	struct lab l;
	struct cx c = cx_of(SRV, NAT, PORT_A, 1000);
	const struct legacy_out *o;

	lab_start(&l, &(struct legacy_cfg){.model = models[m],
					   .listener = 1,
					   .timestamps = 1});
	host(&l, &c, FA, 0);
	if (i == 0) {
		peer(&l, &c, FA, 0, 1000, 0);
		EQ("tw_ts_recent", peer(&l, &c, A, 0, 1500, 100)->tw_rearmed,
		   1);
		EQ("tw_ts_recent", syn(&l, SRV, NAT, PORT_A, 1200, 200), TW);
		EQ("tw_ts_recent", syn(&l, SRV, NAT, PORT_A, 1200, 300), TW);
		check_stats("tw_ts_recent", &l,
			    &(struct legacy_stats){.remembered = 1,
						   .tw_entered = 1,
						   .tw_rearmed = 3});
	} else {
		peer(&l, &c, A, 0, 1000,
		     0); /* orphaned: the FIN_WAIT2 bucket */
		EQ("fw2 SYN", syn(&l, SRV, NAT, PORT_A, 900, 100), TW);
		o = peer(&l, &c, FA, 0, NO_TS, 200);
		EQ("fw2 FIN without TS", o->tw_end_ms, m ? 768 : 700);
		check_stats("fw2", &l,
			    &(struct legacy_stats){.remembered = 2,
						   .remembered_at_ack = 1,
						   .tw_entered = 1});
	}
	legacy_free(l.lg);
}

EACH_MODEL_TEST(test_buckets, run_bucket_case, 2)

/*
 * A tuple's connections one after another.  An end given for a TIME_WAIT
 * that a newer SYN took is not the next TIME_WAIT's: due only when the
 * later end comes.  A connection the model still holds as FIN_WAIT2 (its
 * program closed it unseen) gives way to a new SYN: the new connection's
 * passive close writes nothing.  With tcp_rfc1337 a heeded RST becomes the
 * bucket's tw_ts_recent; a RST PAWS turns away is heeded once
 * tw_ts_recent is PAWS_MSL old (tcp_paws_reject()).
 */
static void test_tw_incarnations(void)
{
	struct cx c = cx_of(SRV, NAT, PORT_A, 1000), d;
	struct legacy_cfg cfg = cfg_of(NEW);
	struct lab l;
	int late;

	lab_model(&l, NEW, 0, 0);
	EQ("first", close_tw(&l, SRV, NAT, PORT_A, 1000, 0), 700);
	EQ("newer SYN", syn(&l, SRV, NAT, PORT_A, 2000, 100), TW);
	EQ("second", close_tw(&l, SRV, NAT, PORT_A, 2000, 200), 700);
	EQ("the first end", legacy_tw_due(l.lg, &c.t, 700), 0);
	EQ("the second end", legacy_tw_due(l.lg, &c.t, 900), 1);
	legacy_free(l.lg);

	lab_model(&l, NEW, 0, 0);
	l.st.v[LEGACY_FACT_ORPHAN] = 0; /* held: a full FIN_WAIT2 */
	host(&l, &c, FA, 0);
	peer(&l, &c, A, 0, 1000, 0);
	EQ("new SYN", syn(&l, SRV, NAT, PORT_A, 1500, 1000), PASS);
	d = cx_of(SRV, NAT, PORT_A, 1500);
	EQ("passive close", peer(&l, &d, FA, 0, 1500, 2000)->remembered, 0);
	EQ("passive close", host(&l, &d, FA, 2000)->tw_end_ms, 0);
	peer(&l, &d, A, 0, 1500, 2000);
	check_stats("passive close", &l, &(struct legacy_stats){0});
	legacy_free(l.lg);

	cfg.rfc1337 = 1;
	lab_start(&l, &cfg);
	c = cx_of(SRV, NAT, PORT_A, 1000);
	host(&l, &c, FA, 0);
	peer(&l, &c, FA, 0, 1000, 0);
	EQ("rfc1337 RST", peer(&l, &c, PKT_RST, 0, 1500, 100)->tw_rearmed, 1);
	EQ("rfc1337 RST", syn(&l, SRV, NAT, PORT_A, 1200, 200), TW);
	EQ("rfc1337 RST", syn(&l, SRV, NAT, PORT_A, 1200, 300), TW);
	legacy_free(l.lg);

	for (late = 0; late < 2; late++) {
		lab_model(&l, NEW, 2000, 0);
		c = cx_of(SRV, NAT, PORT_A, 1000);
		host(&l, &c, FA, 0);
		peer(&l, &c, FA, 0, 1000, 0);
		peer(&l, &c, A, 0, 1000, 100); /* re-armed: 60 s */
		peer(&l, &c, PKT_RST, 0, 999, late ? 2500 : 1500);
		EQ(late ? "old RST, 2 s on" : "old RST",
		   syn(&l, SRV, NAT, PORT_A, 5000, 2600) == TW, !late);
		legacy_free(l.lg);
	}
}

/* tw_rearmed says the end given no longer holds: only if one was given.
 * A TIME_WAIT without timestamps (60 s, no end) and a second re-arm are
 * counted but not flagged; legacy_tw_due() is 0 for both, and for a
 * tuple it never knew or whose end has come (legacy_tw_end()). */
static void test_tw_rearm_flag(void)
{
	struct cx c = cx_of(SRV, NAT, PORT_A, NO_TS);
	struct cx d = cx_of(SRV, NAT, PORT_B, 1000);
	struct lab l;

	lab_model(&l, NEW, 0, 0);
	EQ("no ts", close_tw(&l, SRV, NAT, PORT_A, NO_TS, 0), 0);
	EQ("no ts", legacy_tw_due(l.lg, &c.t, 0), 0);
	EQ("no ts", peer(&l, &c, A, 0, NO_TS, 100)->tw_rearmed, 0);
	EQ("ts", close_tw(&l, SRV, NAT, PORT_B, 1000, 100), 700);
	EQ("ts", legacy_tw_due(l.lg, &d.t, 800), 1);
	d.hseq++, d.pseq++;
	EQ("first", peer(&l, &d, A, 0, 1000, 200)->tw_rearmed, 1);
	EQ("second", peer(&l, &d, A, 0, 1000, 300)->tw_rearmed, 0);
	EQ("second", legacy_tw_due(l.lg, &d.t, 800), 0);
	check_stats("re-arms", &l,
		    &(struct legacy_stats){
			    .remembered = 1, .tw_entered = 2, .tw_rearmed = 3});
	d.t.rport = PORT_B + 1;
	EQ("unknown", legacy_tw_due(l.lg, &d.t, 800), 0);
	legacy_tw_end(l.lg, &c.t);
	EQ("ended", legacy_tw_due(l.lg, &c.t, 800), 0);
	EQ("ended", syn(&l, SRV, NAT, PORT_A, 10, 900), DROP);
	legacy_free(l.lg);
}

/* ---- the client side ---- */

#define CLI  0xc0000202u /* 192.0.2.2, a legacy client */
#define CLI2 0xc0000203u

/*
 * A legacy client (no listener) closes actively: its own entry for the
 * server (777 at 5 s) and the same shortened TIME_WAIT as a server's.
 * A SYN it then sends to the server carries the entry's TSval as TSecr
 * on 2.6.32 (tcp_v4_connect(): entry at most PAWS_MSL old, inclusive;
 * inet_peer keyed by the server alone); never on 4.4, whose
 * tcp_fetch_timewait_stamp() looks up (saddr, 0.0.0.0).  The old model
 * had no client side.
 */
static const struct {
	const char *what;
	enum legacy_model model;
	int timestamps;
	uint32_t laddr, raddr;
	int has_ts;
	uint64_t syn_ms;
	int seeded;
} seed_cases[] = {
	{"2.6.32, 25 s old: seeded", OLD, 1, CLI, SRV, 1, 30000, 1},
	{"2.6.32, 60.999 s: 65 <= 5 + 60", OLD, 1, CLI, SRV, 1, 65999, 1},
	{"2.6.32, 61 s old: not", OLD, 1, CLI, SRV, 1, 66000, 0},
	{"4.4: never", NEW, 1, CLI, SRV, 1, 30000, 0},
	{"2.6.32, a SYN without timestamp", OLD, 1, CLI, SRV, 0, 30000, 0},
	{"2.6.32, tcp_timestamps 0", OLD, 0, CLI, SRV, 1, 30000, 0},
	{"2.6.32, from another local address", OLD, 1, CLI2, SRV, 1, 30000, 1},
	{"2.6.32, to another server", OLD, 1, CLI, SRV2, 1, 30000, 0},
};

static void test_client(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(seed_cases); i++) {
		const char *row = seed_cases[i].what;
		struct legacy_cfg cfg = cfg_of(seed_cases[i].model);
		struct legacy_seg s = {.t = {seed_cases[i].laddr,
					     seed_cases[i].raddr, PORT_B,
					     SPORT},
				       .out = 1,
				       .flags = PKT_SYN,
				       .has_ts = seed_cases[i].has_ts};
		const struct legacy_out *o;
		struct lab l;

		cfg.listener = 0;
		cfg.timestamps = seed_cases[i].timestamps;
		lab_start(&l, &cfg);
		EQ(row, close_tw(&l, CLI, SRV, PORT_A, 777, 5000),
		   seed_cases[i].model == NEW ? 700 : 768);
		check_entry(row, &l, CLI, SRV, 777, 5000);
		/* A client checks no SYN it receives. */
		EQ(row, syn(&l, CLI, SRV, PORT_B, 10, 6000), PASS);
		o = feed(&l, &s, seed_cases[i].syn_ms);
		EQ(row, o->drop, 0);
		EQ(row, o->set_tsecr, seed_cases[i].seeded);
		EQ(row, o->tsecr, seed_cases[i].seeded ? 777 : 0);
		check_stats(
			row, &l,
			&(struct legacy_stats){.remembered = 1,
					       .tw_entered = 1,
					       .seeded = seed_cases[i].seeded});
		EQ(row, asked_total(&l.st), 1); /* the RTO */
		legacy_free(l.lg);
	}
}

/* ---- what writes nothing ---- */

/*
 * A passive close (the peer's FIN first: CLOSE_WAIT, LAST_ACK, the last
 * ACK) writes nothing; RSTs write nothing and erase nothing: in
 * FIN_WAIT1 either way, to the FIN_WAIT2 bucket (the ACK's entry stays),
 * in TIME_WAIT (the FIN's stays).  The passive close's tuple is
 * forgotten: an active close on it writes.  The old model agreed, but
 * for the bucket, which it did not have.
 */
static void run_nothing_written(size_t i, int m)
{
	const char *row = model_name[m];
	struct cx c = cx_of(SRV, NAT, PORT_A, 1000);
	struct lab l;

	lab_model(&l, models[m], 0, 0);
	peer(&l, &c, FA, 0, 1000, 0);
	host(&l, &c, A, 0);
	host(&l, &c, FA, 0);
	EQ(row, peer(&l, &c, A, 0, 1002, 100)->remembered, 0);
	check_entry(row, &l, SRV, NAT, -1, 0);
	EQ(row, syn(&l, SRV, NAT, PORT_B, 1, 200), PASS);
	/* FIN_WAIT1, the peer's RST; the host's. */
	c = cx_of(SRV, NAT, PORT_A + 1, 1000);
	host(&l, &c, FA, 300);
	EQ(row, peer(&l, &c, PKT_RST, 0, NO_TS, 300)->remembered, 0);
	c = cx_of(SRV, NAT, PORT_B, 1000);
	host(&l, &c, FA, 300);
	host(&l, &c, PKT_RST, 300);
	EQ(row, peer(&l, &c, FA, 0, 1000, 400)->remembered, 0);
	check_entry(row, &l, SRV, NAT, -1, 0);
	/* The bucket: the ACK writes, a RST ends it. */
	c = cx_of(SRV, NAT, PORT_A + 2, 1000);
	host(&l, &c, FA, 1000);
	EQ(row, peer(&l, &c, A, 0, 1000, 1000)->remembered, 1);
	peer(&l, &c, PKT_RST, 0, NO_TS, 1000);
	EQ(row, peer(&l, &c, FA, 0, 1000, 2000)->remembered, 0);
	check_entry(row, &l, SRV, NAT, 1000, 1000);
	/* TIME_WAIT: a newer close writes, a RST ends it. */
	c = cx_of(SRV, NAT, PORT_A + 3, 3000);
	host(&l, &c, FA, 3000);
	EQ(row, peer(&l, &c, FA, 0, 3000, 3000)->remembered, 1);
	peer(&l, &c, PKT_RST, 0, NO_TS, 4000);
	check_entry(row, &l, SRV, NAT, 3000, 3000);
	EQ(row, close_tw(&l, SRV, NAT, PORT_A, 5000, 5000), m ? 768 : 700);
	check_stats(row, &l,
		    &(struct legacy_stats){.remembered = 3,
					   .remembered_at_ack = 1,
					   .tw_entered = 2});
	legacy_free(l.lg);
}

EACH_MODEL_TEST(test_nothing_written, run_nothing_written, 1)

/* ---- keys and lifetimes ---- */

/* 4.4's tcp_metrics: (laddr, raddr): another local address has its own
 * entry; 2.6.32's inet_peer: raddr alone, shared by the local addresses.
 * Same as the old model. */
static void run_keys(size_t i, int m)
{
	int is_44 = models[m] == NEW;
	const char *row = model_name[m];
	struct lab l;

	lab_model(&l, models[m], 0, 0);
	close_at(&l, SRV, NAT, PORT_A, 1000, 0);
	EQ(row, syn(&l, SRV, NAT, PORT_B, 10, 1000), DROP);
	EQ(row, syn(&l, SRV2, NAT, PORT_B, 10, 1000), is_44 ? PASS : DROP);
	EQ(row, syn(&l, SRV, NAT2, PORT_B, 10, 1000), PASS);
	check_entry(row, &l, SRV2, NAT, is_44 ? -1 : 1000, 0);
	close_at(&l, SRV2, NAT, PORT_A, 5000, 2000);
	check_entry(row, &l, SRV2, NAT, 5000, 2000);
	check_entry(row, &l, SRV, NAT, is_44 ? 1000 : 5000, is_44 ? 0 : 2000);
	legacy_free(l.lg);
}

EACH_MODEL_TEST(test_keys, run_keys, 1)

/*
 * Entry lifetimes, from the last write (or a use that refreshes it):
 * tcp_metrics resets an entry older than 1 h (strictly: time_after());
 * a SYN's lookup does not refresh it; a close that keeps the TSval does
 * (tcp_update_metrics()).  inet_peer: gone 600 s after its last use; a
 * SYN with timestamp uses it, one without is not looked up.  A reset or
 * expired entry is new: any candidate is written.  Same as the old model.
 */
/* The entry (@ts, @stamp) of (SRV, NAT) is there at @last ms, gone 1 ms
 * later. */
static void check_expiry(const char *row, struct lab *l, uint32_t ts,
			 uint64_t stamp, uint64_t last)
{
	l->now = last;
	check_entry(row, l, SRV, NAT, ts, stamp);
	l->now = last + 1;
	check_entry(row, l, SRV, NAT, -1, 0);
	legacy_free(l->lg);
}

static void test_lifetimes(void)
{
	struct lab l;

	lab_model(&l, NEW, 0, 0);
	close_at(&l, SRV, NAT, PORT_A, 1000, 0);
	check_expiry("4.4, 1 h", &l, 1000, 0, 3600000);

	lab_model(&l, NEW, 0, 5000);
	close_at(&l, SRV, NAT, PORT_A, 1000, 0);
	EQ("4.4 5 s", syn(&l, SRV, NAT, PORT_B, 10, 3000), DROP);
	EQ("4.4 5 s", syn(&l, SRV, NAT, PORT_B, NO_TS, 5000), DROP);
	EQ("4.4 5 s", syn(&l, SRV, NAT, PORT_B, 10, 5001), PASS);
	close_at(&l, SRV, NAT, PORT_A + 2, 10, 6000);
	check_entry("4.4 reset", &l, SRV, NAT, 10, 6000);
	close_at(&l, SRV, NAT, PORT_A + 3, 5, 10000);
	check_expiry("4.4 kept, refreshed", &l, 10, 6000, 15000);

	lab_model(&l, OLD, 0, 0);
	close_at(&l, SRV, NAT, PORT_A, 1000, 0);
	EQ("2.6.32", syn(&l, SRV, NAT, PORT_B, 10, 500000), PASS);
	EQ("2.6.32", syn(&l, SRV, NAT, PORT_B, NO_TS, 550000), PASS);
	check_expiry("2.6.32 used at 500 s", &l, 1000, 0, 1100000);
}

/* legacy_peer() gives the stamp at the model's granularity: whole
 * seconds, or milliseconds with a PAWS_MSL that is not whole seconds. */
static void test_stamp_units(void)
{
	static const uint32_t msl[] = {MIN, 1500};
	static const uint64_t want[] = {10000, 10900};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(msl); i++) {
		struct lab l;

		lab_model(&l, NEW, msl[i], 0);
		close_at(&l, SRV, NAT, PORT_A, 42, 10900);
		check_entry("units", &l, SRV, NAT, 42, want[i]);
		legacy_free(l.lg);
	}
}

/* A fresh model: nothing counted, no entry, SYNs pass; and
 * legacy_free(NULL).  (tcp_fin_timeout 0 and tcp_max_syn_backlog 0 take
 * their defaults: see the close and pressure cases.) */
static void test_defaults(void)
{
	size_t m;

	legacy_free(NULL);
	for (m = 0; m < 2; m++) {
		struct lab l;

		lab_model(&l, models[m], 0, 0);
		check_stats("fresh", &l, &(struct legacy_stats){0});
		check_entry("fresh", &l, SRV, NAT, -1, 0);
		EQ("fresh", syn(&l, SRV, NAT, PORT_B, 1, 0), PASS);
		EQ("fresh", syn(&l, SRV, NAT, PORT_B, NO_TS, 0), PASS);
		legacy_free(l.lg);
	}
}

/* ---- many connections ---- */

#define MANY 100000u

/* The i-th of MANY peers' tuples: two NAT addresses' worth of ports. */
static struct cx many_cx(uint32_t base, uint32_t i, int64_t echo)
{
	return cx_of(SRV, NAT + ((base + i) >> 16), (uint16_t)(i & 0xffff),
		     echo);
}

/* MANY active closes at @at, TSval @ts + i.  Return: how many did not
 * write or did not get the 700 ms end. */
static uint32_t many_close(struct lab *l, uint32_t base, uint32_t ts,
			   uint64_t at)
{
	uint32_t i, bad = 0;

	for (i = 0; i < MANY; i++) {
		struct cx c = many_cx(base, i, ts + i);

		host(l, &c, FA, at);
		peer(l, &c, FA, 0, ts + i, at);
		bad += !l->o.remembered || l->o.tw_end_ms != 700;
	}
	return bad;
}

/* SYNs with TSval 0 on all MANY tuples: how many dropped. */
static uint32_t many_drops(struct lab *l, uint32_t base, uint64_t at)
{
	uint32_t i, drops = 0;

	for (i = 0; i < MANY; i++) {
		struct cx c = many_cx(base, i, 0);

		drops += syn(l, SRV, c.t.raddr, c.t.rport, 0, at) == DROP;
	}
	return drops;
}

static void test_many_connections(void)
{
	uint32_t i;
	struct lab l;

	lab_model(&l, NEW, 2 * MIN, 0);
	EQ("close", many_close(&l, 0, 1000, 1000), 0);
	/* Live TIME_WAITs: each SYN is its bucket's (older: re-armed). */
	EQ("buckets", many_drops(&l, 0, 2000), 0);
	/* End half, reset the other half: the check judges them all. */
	for (i = 0; i < MANY; i++) {
		struct cx c = many_cx(0, i, 0);

		c.pseq = P + 1; /* at the bucket's rcv_nxt: heeded */
		if (i & 1)
			peer(&l, &c, PKT_RST, 0, NO_TS, 3000);
		else
			legacy_tw_end(l.lg, &c.t);
	}
	EQ("checked", many_drops(&l, 0, 4000), MANY);
	check_stats("many", &l,
		    &(struct legacy_stats){.syn_checked = MANY,
					   .paws_passive = MANY,
					   .listen_drops = MANY,
					   .remembered = MANY,
					   .tw_entered = MANY,
					   .tw_rearmed = MANY});
	/* MANY TIME_WAITs on other peers that go stale unended (700 ms and
	 * 1 s of grace), then MANY more: the stale ones are swept to make
	 * room, and their tuples meet the check again. */
	EQ("stale", many_close(&l, 2 * MANY, 5, 10000), 0);
	EQ("live", many_close(&l, 4 * MANY, 5, 71000), 0);
	EQ("stale", many_drops(&l, 2 * MANY, 72000), MANY);
	EQ("live", many_drops(&l, 4 * MANY, 72000), 0);
	legacy_free(l.lg);
}

static const struct unit_test tests[] = {
	{"TIME_WAIT length: 3.5 x RTO, 2.6.32's calendar", test_tw_len},
	{"active close: the ACK, the bucket, the FIN", test_close_paths},
	{"active close: a FIN that acks the host's", test_fin_acks_fin},
	{"CLOSE_WAIT for ever: the entry from the ACK on",
	 test_close_wait_forever},
	{"simultaneous close: the final ACK's TSval", test_simultaneous_close},
	{"FIN_WAIT2 bucket's FIN: 4.4 finds, 2.6.32 creates",
	 test_fw2_fin_entry_gone},
	{"ts_recent: tcp_replace_ts_recent()", test_ts_recent},
	{"update rule: (A) or (B), both paths", test_update_rule},
	{"update rule: a new entry is always written", test_new_entry_written},
	{"SYN: PAWS window 1 tick", test_syn_window},
	{"SYN: fresh and stale, the MSL boundary", test_syn_fresh},
	{"SYN: serial arithmetic across 2^31 and 2^32", test_syn_wrap},
	{"SYN without timestamp: 4.4 drops, 2.6.32 passes",
	 test_syn_without_ts},
	{"SYN: whole-second stamps", test_syn_seconds},
	{"SYN: sub-second MSL in ms", test_syn_ms},
	{"counters", test_counters},
	{"SYN spared: request socket, syncookies", test_syn_spared},
	{"SYN: 2.6.32's queue pressure", test_syn_pressure},
	{"TIME_WAIT: re-arm, RST, SYN", test_tw_segments},
	{"buckets: tw_ts_recent, a FIN_WAIT2 bucket's SYN and FIN",
	 test_buckets},
	{"a tuple's connections one after another", test_tw_incarnations},
	{"TIME_WAIT: tw_rearmed and legacy_tw_due()", test_tw_rearm_flag},
	{"client: its close, seeded SYNs, no check", test_client},
	{"passive close and RSTs write nothing", test_nothing_written},
	{"keys: 4.4 (laddr, raddr), 2.6.32 raddr", test_keys},
	{"entry lifetimes", test_lifetimes},
	{"legacy_peer() stamp units", test_stamp_units},
	{"new model, defaults, free(NULL)", test_defaults},
	{"100k connections", test_many_connections},
	{0},
};

UNIT_SUITE("legacy", tests)
