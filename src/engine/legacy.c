/* legacy.c - the pre-4.12 tcp_tw_recycle, as a model of one host's stack:
 * the closes of its connections, and the TIME_WAIT they end in. */
#include <stdlib.h>
#include <string.h>

#include "engine/legacy.h"
#include "engine/legacy_int.h"
#include "lib/pkt.h"
#include "lib/tuple.h"
#include "lib/util.h"

/*
 * Theory of operation
 *
 * The model follows each connection's close as the host's old stack
 * would have, from the segments the host sends and receives, and writes
 * the per-peer entry (legacy_cache.c) exactly when that stack's
 * tcp_time_wait() did.  docs/RECYCLE.md is the decision table: every rule
 * below with its kernel function, the 4.4 and 2.6.32 behaviour, and what
 * is not modelled.  In short (both versions unless said):
 *
 * - ts_recent, the value written, changes only for a segment that passes
 *   tcp_replace_ts_recent(): it carries a timestamp, starts at or before
 *   rcv_wup (the host's last ACK: a segment beyond it, e.g. a FIN behind
 *   data the host has not acked yet, does not count), and its TSval is
 *   not older.  4.4 does this inside tcp_ack(), so an old or invalid ACK
 *   does not count; 2.6.32 in tcp_validate_incoming(), before the ACK is
 *   looked at.  The model learns ts_recent from the TSecr of the host's
 *   first segment it sees (the host echoes its ts_recent), then follows
 *   the rule.  A segment PAWS would discard (TSval more than
 *   TCP_PAWS_WINDOW behind) changes nothing at all.
 * - Active close: FIN_WAIT1 (the host's FIN).  A FIN that also acks ours
 *   goes to TIME_WAIT (tcp_fin()), unless it brings data to an orphaned
 *   socket, which is reset (TCPAbortOnData).  The ACK of our FIN alone
 *   goes to FIN_WAIT2; for an orphaned socket (its program already closed
 *   it) with tcp_fin_timeout <= 60 s, tcp_rcv_state_process() calls
 *   tcp_time_wait(TCP_FIN_WAIT2, tmo) at once, which writes the entry
 *   then, with the ACK's TSval, and the socket becomes a FIN_WAIT2
 *   bucket; the peer's FIN reaching that bucket writes again through the
 *   timewait path (tcp_timewait_state_process()).  A socket a program
 *   still holds (shutdown()) stays a full FIN_WAIT2 socket, written when
 *   the FIN arrives.  A FIN before our FIN is acked is a simultaneous
 *   close: CLOSING, then TIME_WAIT on the final ACK, whose TSval is the
 *   one written.
 * - Passive close (CLOSE_WAIT, LAST_ACK) writes nothing.  A RST writes
 *   nothing and erases nothing; it ends the connection (in TIME_WAIT only
 *   with tcp_rfc1337 = 0; with 1 the bucket is re-armed).
 * - TIME_WAIT lasts 3.5 x RTO when the entry was found or made
 *   (recycle_ok), else TCP_TIMEWAIT_LEN; 2.6.32 rounds the short one up to
 *   its recycle calendar's 128 ms slots.  Any ACK-bearing segment reaching
 *   the bucket (a retransmitted FIN, say) re-arms it to the full 60 s.
 *
 * Connections live in a tuple table (tuple.c) keyed by the 4-tuple; a
 * connection is learned from its first FIN either way, since the engine
 * sees a host's segments from then on.  Time is wall-clock milliseconds;
 * stamps are in whole seconds (get_seconds()) when PAWS_MSL is a whole
 * number of seconds, in milliseconds otherwise (tests only).
 */

/* Ours: a connection that never finishes closing is dropped after this. */
#define HALF_CLOSED_MS (2 * TIMEWAIT_LEN_MS)
/* Ours: how long a TIME_WAIT is kept past its end, so that the caller's
 * timer that ends the host's socket still finds it. */
#define TW_GRACE_MS 1000u
/* TCP_RTO_MIN, 200 ms, when a connection's RTO could not be read. */
#define RTO_MIN_MS 200
/* 2.6.32's recycle calendar: INET_TWDR_RECYCLE_SLOTS (32) slots of
 * 2^INET_TWDR_RECYCLE_TICK jiffies, 128 ms at HZ 1000 or 250. */
#define TWDR_RECYCLE_SLOTS   32u
#define TWDR_RECYCLE_TICK_MS 128u
/* 2.6.32's slow wheel: 8 cells of tcp_death_row.period, 7.5 s. */
#define TWDR_PERIOD_MS 7500u
#define TWDR_CELLS     8u

static int conn_stale(const void *ctx, const void *e, uint64_t now_ms)
{
	const struct conn *c = e;

	(void)ctx;
	if (c->state == CS_TIME_WAIT)
		return now_ms >= c->end_ms + TW_GRACE_MS;
	if (c->state == CS_FW2_BUCKET)
		return now_ms >= c->end_ms;
	return now_ms - c->last_ms >= HALF_CLOSED_MS;
}

struct legacy *legacy_new(const struct legacy_cfg *cfg)
{
	struct legacy *lg = xcalloc(1, sizeof(*lg));
	uint32_t msl_ms = cfg->paws_msl_ms ? cfg->paws_msl_ms : PAWS_MSL_MS;

	lg->cfg = *cfg;
	if (!lg->cfg.fin_timeout_ms)
		lg->cfg.fin_timeout_ms = TIMEWAIT_LEN_MS; /* TCP_FIN_TIMEOUT */
	if (!lg->cfg.max_syn_backlog)
		lg->cfg.max_syn_backlog = 1024;
	lg->unit_ms = msl_ms % 1000 ? 1 : 1000;
	lg->msl = msl_ms / lg->unit_ms;
	tuple_table_init(&lg->conns, sizeof(struct conn), conn_stale, lg);
	legacy_cache_init(lg);
	return lg;
}

void legacy_free(struct legacy *lg)
{
	if (!lg)
		return;
	tuple_table_free(&lg->conns);
	tuple_table_free(&lg->peers);
	free(lg);
}

/* How long a bucket scheduled for @len ms lives: 4.4's timer is exact to
 * the jiffy; 2.6.32's inet_twsk_schedule() rounds. */
static uint32_t tw_schedule_ms(enum legacy_model model, uint32_t len)
{
	uint32_t slot, cell;

	if (model != LEGACY_2_6_32)
		return len;
	/* inet_twsk_schedule(): up to 31 slots of the recycle calendar,
	 * counted up; an idle calendar ends the bucket exactly there. */
	slot = (len + TWDR_RECYCLE_TICK_MS - 1) / TWDR_RECYCLE_TICK_MS;
	if (slot < TWDR_RECYCLE_SLOTS)
		return slot * TWDR_RECYCLE_TICK_MS;
	/* Beyond: the slow wheel's cells; an idle wheel ends it a period
	 * after the cell's own time. */
	cell = (len + TWDR_PERIOD_MS - 1) / TWDR_PERIOD_MS;
	if (cell >= TWDR_CELLS)
		cell = TWDR_CELLS - 1;
	return (cell + 1) * TWDR_PERIOD_MS;
}

/* 3.5 x RTO as tcp_time_wait() computes it: (rto << 2) - (rto >> 1)
 * jiffies, at HZ 1000 whole milliseconds. */
static uint32_t rto_len_ms(long rto_us)
{
	uint32_t rto = rto_us >= 1000 ? (uint32_t)(rto_us / 1000) : RTO_MIN_MS;

	return (rto << 2) - (rto >> 1);
}

uint32_t legacy_tw_len_ms(enum legacy_model model, long rto_us)
{
	return tw_schedule_ms(model, rto_len_ms(rto_us));
}

/* The RTO tcp_time_wait() would read now, in microseconds. */
static long conn_rto(const struct legacy_facts *f, const struct conn *c)
{
	return legacy_ask(f, LEGACY_FACT_RTO_US, &c->slot.key);
}

/* The host's socket is a TIME_WAIT bucket now, for @len_ms if recycle
 * shortened it, else for TCP_TIMEWAIT_LEN. */
static void tw_enter(struct legacy *lg, struct conn *c, uint64_t now_ms,
		     int recycle_ok, uint32_t len_ms, struct legacy_out *o)
{
	c->state = CS_TIME_WAIT;
	lg->st.tw_entered++;
	c->shortened = recycle_ok && len_ms < TIMEWAIT_LEN_MS;
	c->end_ms = now_ms + (c->shortened ? len_ms : TIMEWAIT_LEN_MS);
	if (c->shortened)
		o->tw_end_ms = len_ms;
}

/* tcp_time_wait(sk, TCP_TIME_WAIT, 0): write the entry, then TIME_WAIT. */
static void time_wait(struct legacy *lg, struct conn *c, uint64_t now_ms,
		      const struct legacy_facts *f, struct legacy_out *o)
{
	int written = 0, ok = legacy_remember_sock(lg, c, now_ms, &written);

	o->remembered = written;
	tw_enter(lg, c, now_ms, ok,
		 legacy_tw_len_ms(lg->cfg.model, conn_rto(f, c)), o);
}

/*
 * tcp_time_wait(sk, TCP_FIN_WAIT2, tmo) for an orphaned socket whose FIN
 * was just acked: the entry is written now, and the bucket keeps the
 * TIME_WAIT length it will have once the peer's FIN comes (tw_timeout:
 * 3.5 x RTO if recycle_ok, else 60 s) until then, for max(tmo, 3.5 x
 * RTO) at most.
 */
static void fin_wait2_bucket(struct legacy *lg, struct conn *c, uint64_t now_ms,
			     const struct legacy_facts *f, struct legacy_out *o)
{
	uint32_t rto_len = rto_len_ms(conn_rto(f, c));
	uint32_t tmo = lg->cfg.fin_timeout_ms;
	int written = 0, ok = legacy_remember_sock(lg, c, now_ms, &written);

	o->remembered = written;
	lg->st.remembered_at_ack += (uint64_t)written;
	c->tw_timeout_ms = ok ? rto_len : TIMEWAIT_LEN_MS;
	c->state = CS_FW2_BUCKET;
	c->end_ms = now_ms + (tmo > rto_len ? tmo : rto_len);
}

/*
 * tcp_paws_check(): is @tsval at most @win behind ts_recent, in the
 * kernel's own terms ((s32)(ts_recent - tsval) <= win: a TSval 2^31
 * away passes)?  4.4 also passes any TSval while ts_recent is 0 (a peer
 * whose SYN carried TSval 0).  The 24-day clause is left out.
 */
static int paws_check(const struct legacy *lg, const struct conn *c,
		      uint32_t tsval, int win)
{
	return (int32_t)(c->ts_recent - tsval) <= win ||
	       (lg->cfg.model == LEGACY_4_4 && c->ts_recent == 0);
}

/*
 * tcp_replace_ts_recent(): does this segment of a full socket become the
 * connection's ts_recent?  Return: 0, or -1 when PAWS would discard the
 * whole segment (tcp_paws_discard(), PAWSEstab).
 */
static int replace_ts_recent(struct legacy *lg, struct conn *c,
			     const struct legacy_seg *s, uint64_t now_ms)
{
	int is_44 = lg->cfg.model == LEGACY_4_4;

	if (!s->has_ts || !lg->cfg.timestamps || !c->ts_ok)
		return 0;
	if (c->has_recent && !(s->flags & PKT_RST) &&
	    !paws_check(lg, c, s->tsval, PAWS_WINDOW))
		return -1;
	if (c->has_wup && seq_after(s->seq, c->rcv_wup))
		return 0;
	/* 4.4 stores it in tcp_ack(), after an old or invalid ACK has been
	 * turned away. */
	if (is_44 && (!(s->flags & PKT_ACK) ||
		      (c->has_una && seq_before(s->ack, c->snd_una)) ||
		      (c->has_nxt && seq_after(s->ack, c->snd_nxt))))
		return 0;
	/* tcp_paws_check(rx_opt, 0) */
	if (c->has_recent && !paws_check(lg, c, s->tsval, 0))
		return 0;
	c->ts_recent = s->tsval;
	c->ts_stamp = legacy_units(lg, now_ms);
	c->has_recent = 1;
	return 0;
}

/* A segment the host sends: what it echoes, acks and closes. */
static void conn_out(struct legacy *lg, struct conn *c,
		     const struct legacy_seg *s, uint64_t now_ms)
{
	uint32_t end = s->seq + s->len + !!(s->flags & PKT_FIN);

	if (s->has_ts) {
		c->ts_ok = 1;
		if (!c->has_recent) {
			/* The host echoes its own ts_recent. */
			c->ts_recent = s->tsecr;
			c->ts_stamp = legacy_units(lg, now_ms);
			c->has_recent = 1;
		}
	}
	if (s->flags & PKT_ACK) {
		c->rcv_wup = s->ack;
		c->has_wup = 1;
	}
	if (!c->has_nxt || seq_after(end, c->snd_nxt)) {
		c->snd_nxt = end;
		c->has_nxt = 1;
	}
	if (!(s->flags & PKT_FIN))
		return;
	if (c->state == CS_ESTABLISHED) {
		c->state = CS_FIN_WAIT1;
		c->fin_end = end;
	} else if (c->state == CS_CLOSE_WAIT) {
		c->state = CS_LAST_ACK;
		c->fin_end = end;
	}
}

/*
 * The ACK of the host's FIN, in FIN_WAIT1 (tcp_rcv_state_process()):
 * FIN_WAIT2, and for an orphaned socket the FIN_WAIT2 bucket; a FIN in
 * the same segment then takes it to TIME_WAIT (tcp_fin()).  Whether the
 * socket is orphaned is asked only where it matters: data, or no FIN.
 */
static void fin_acked(struct legacy *lg, struct conn *c,
		      const struct legacy_seg *s, uint64_t now_ms,
		      const struct legacy_facts *f, struct legacy_out *o)
{
	int fin = !!(s->flags & PKT_FIN);

	if ((s->len || !fin) &&
	    legacy_ask(f, LEGACY_FACT_ORPHAN, &c->slot.key) == 1) {
		if (s->len) {
			/* Data for a socket nobody reads, a FIN with it or
			 * not: TCPAbortOnData, a RST, tcp_done(): no
			 * bucket, nothing written. */
			tuple_table_remove(&lg->conns, c);
			return;
		}
		/* With tmo > TCP_TIMEWAIT_LEN the socket stays whole and
		 * the write waits for the keepalive timer
		 * (tcp_keepalive_timer()): the model keeps it a FIN_WAIT2
		 * socket, written at the FIN. */
		if (lg->cfg.fin_timeout_ms <= TIMEWAIT_LEN_MS) {
			fin_wait2_bucket(lg, c, now_ms, f, o);
			return;
		}
	}
	if (fin)
		time_wait(lg, c, now_ms, f, o);
	else
		c->state = CS_FIN_WAIT2;
}

/* A segment a full socket receives (not SYN, not RST). */
static void conn_in(struct legacy *lg, struct conn *c,
		    const struct legacy_seg *s, uint64_t now_ms,
		    const struct legacy_facts *f, struct legacy_out *o)
{
	int fin = !!(s->flags & PKT_FIN), acked;

	if (replace_ts_recent(lg, c, s, now_ms))
		return;
	/* tcp_rcv_state_process() discards a segment without ACK (2.6.32
	 * after tcp_validate_incoming() stored its TSval); so does 4.4's
	 * tcp_rcv_established(). */
	if (!(s->flags & PKT_ACK) &&
	    (c->state != CS_ESTABLISHED || lg->cfg.model == LEGACY_4_4))
		return;
	acked = (s->flags & PKT_ACK) &&
		(c->state == CS_FIN_WAIT1 || c->state == CS_CLOSING ||
		 c->state == CS_LAST_ACK) &&
		!seq_before(s->ack, c->fin_end);
	if ((s->flags & PKT_ACK) &&
	    (!c->has_una || seq_after(s->ack, c->snd_una))) {
		c->snd_una = s->ack;
		c->has_una = 1;
	}
	switch ((enum conn_state)c->state) {
	case CS_ESTABLISHED:
		if (fin)
			c->state = CS_CLOSE_WAIT;
		break;
	case CS_FIN_WAIT1:
		if (acked)
			fin_acked(lg, c, s, now_ms, f, o);
		else if (fin)
			c->state = CS_CLOSING;
		break;
	case CS_FIN_WAIT2:
		if (fin)
			time_wait(lg, c, now_ms, f, o);
		break;
	case CS_CLOSING:
		if (acked)
			time_wait(lg, c, now_ms, f, o);
		break;
	case CS_LAST_ACK:
		if (acked)
			tuple_table_remove(&lg->conns, c);
		break;
	case CS_CLOSE_WAIT:
	case CS_FW2_BUCKET:
	case CS_TIME_WAIT:
		break;
	}
}

/* Does the bucket's PAWS turn the segment away (tcp_timewait_state_process()
 * compares with tw_ts_recent, window 0; tcp_paws_reject() lets a RST
 * through once tw_ts_recent is PAWS_MSL old)? */
static int tw_paws_reject(const struct legacy *lg, const struct conn *c,
			  const struct legacy_seg *s, uint64_t now_ms)
{
	if (!s->has_ts || !lg->cfg.timestamps || !c->ts_ok || !c->has_recent ||
	    paws_check(lg, c, s->tsval, 0))
		return 0;
	return !((s->flags & PKT_RST) &&
		 legacy_units(lg, now_ms) >= c->ts_stamp + lg->msl);
}

/*
 * A segment the FIN_WAIT2 bucket receives (not SYN, not RST): a bare FIN
 * turns it into TIME_WAIT, storing the FIN's TSval unconditionally and
 * writing the entry through the timewait path; new data (or a FIN with
 * data) kills it with a RST.
 */
static void fw2_in(struct legacy *lg, struct conn *c,
		   const struct legacy_seg *s, uint64_t now_ms,
		   struct legacy_out *o)
{
	int written = 0, ok = 0;

	if (tw_paws_reject(lg, c, s, now_ms) || !(s->flags & PKT_ACK))
		return; /* answered with an ACK, or ignored */
	if (s->len) {
		tuple_table_remove(&lg->conns, c);
		return;
	}
	if (!(s->flags & PKT_FIN))
		return;
	if (s->has_ts && lg->cfg.timestamps && c->ts_ok) {
		c->ts_recent = s->tsval;
		c->ts_stamp = legacy_units(lg, now_ms);
		c->has_recent = 1;
	}
	/* The bucket's tw_ts_recent_stamp, not this FIN's option, decides:
	 * a FIN without one writes the value the bucket has. */
	if (lg->cfg.timestamps && c->ts_ok && c->has_recent)
		ok = legacy_remember_tw(lg, c, now_ms, &written);
	o->remembered = written;
	/* inet_twsk_schedule(tw, tw_timeout) if the entry exists, else
	 * TCP_TIMEWAIT_LEN. */
	tw_enter(lg, c, now_ms, ok,
		 ok ? tw_schedule_ms(lg->cfg.model, c->tw_timeout_ms)
		    : TIMEWAIT_LEN_MS,
		 o);
}

/* The TIME_WAIT bucket re-armed to the full TCP_TIMEWAIT_LEN
 * (inet_twsk_reschedule()). */
static void tw_rearm(struct legacy *lg, struct conn *c, uint64_t now_ms,
		     struct legacy_out *o)
{
	lg->st.tw_rearmed++;
	o->tw_rearmed = c->shortened;
	c->shortened = 0;
	c->end_ms = now_ms + TIMEWAIT_LEN_MS;
}

/* A segment the bucket heeds becomes its tw_ts_recent. */
static void tw_keep_ts(struct legacy *lg, struct conn *c,
		       const struct legacy_seg *s, uint64_t now_ms)
{
	if (s->has_ts && lg->cfg.timestamps && c->ts_ok) {
		c->ts_recent = s->tsval;
		c->ts_stamp = legacy_units(lg, now_ms);
		c->has_recent = 1;
	}
}

/* Is the segment at the bucket's rcv_nxt (tcp_timewait_state_process()'s
 * in-window test, "seq == tw_rcv_nxt"; unknown: taken as yes)? */
static int tw_at_nxt(const struct conn *c, const struct legacy_seg *s)
{
	return !c->has_tw_nxt || s->seq == c->tw_rcv_nxt;
}

/*
 * A segment a TIME_WAIT bucket receives (not SYN, not RST): a bare one
 * at its rcv_nxt that PAWS lets through re-arms it to the full 60 s and
 * becomes its tw_ts_recent; any other with an ACK, or one PAWS turns
 * away, re-arms it too; the rest are answered only.
 */
static void tw_in(struct legacy *lg, struct conn *c, const struct legacy_seg *s,
		  uint64_t now_ms, struct legacy_out *o)
{
	int reject = tw_paws_reject(lg, c, s, now_ms);

	if (!reject && tw_at_nxt(c, s) && !s->len &&
	    !(s->flags & (PKT_FIN | PKT_SYN))) {
		tw_keep_ts(lg, c, s, now_ms);
		tw_rearm(lg, c, now_ms, o);
		return;
	}
	if ((s->flags & PKT_ACK) || reject)
		tw_rearm(lg, c, now_ms, o);
}

/*
 * A RST either way: the connection ends.  A TIME_WAIT bucket heeds only
 * a RST at its rcv_nxt that PAWS lets through, and with tcp_rfc1337 is
 * re-armed by it instead, whether it carries an ACK or not
 * (tcp_timewait_state_process()); a FIN_WAIT2 bucket ignores one PAWS
 * turns away.
 */
static void conn_rst(struct legacy *lg, struct conn *c,
		     const struct legacy_seg *s, uint64_t now_ms,
		     struct legacy_out *o)
{
	int bucket = c->state == CS_TIME_WAIT || c->state == CS_FW2_BUCKET;

	if (bucket && !s->out && tw_paws_reject(lg, c, s, now_ms))
		return;
	if (c->state == CS_TIME_WAIT && !s->out) {
		if (!tw_at_nxt(c, s))
			return;
		if (lg->cfg.rfc1337) {
			tw_keep_ts(lg, c, s, now_ms);
			tw_rearm(lg, c, now_ms, o);
			return;
		}
	}
	tuple_table_remove(&lg->conns, c);
}

/*
 * A SYN the host receives while a bucket holds its tuple: the bucket
 * takes it, never the listener's check.  TIME_WAIT (TCP_TW_SYN) hands
 * one newer by sequence or by TSval to the listener, unchecked, and is
 * gone; one PAWS turns away is answered with an ACK and re-arms it to the
 * full 60 s; any other is answered with an ACK.  A FIN_WAIT2 bucket kills
 * itself with a RST only for a SYN inside its receive window, which a new
 * connection's random ISN practically never is: the model keeps it (the
 * SYN answered with an ACK).
 */
static void syn_to_bucket(struct legacy *lg, struct conn *c,
			  const struct legacy_seg *s, uint64_t now_ms,
			  struct legacy_out *o)
{
	int reject = tw_paws_reject(lg, c, s, now_ms), newer;

	o->syn = LEGACY_SYN_TIME_WAIT;
	if (c->state == CS_FW2_BUCKET)
		return;
	if (reject) {
		tw_rearm(lg, c, now_ms, o);
		return;
	}
	newer = !c->has_tw_nxt || seq_after(s->seq, c->tw_rcv_nxt) ||
		(s->has_ts && lg->cfg.timestamps && c->ts_ok && c->has_recent &&
		 (int32_t)(c->ts_recent - s->tsval) < 0);
	if (newer)
		tuple_table_remove(&lg->conns, c);
}

void legacy_segment(struct legacy *lg, const struct legacy_seg *s,
		    uint64_t now_ms, const struct legacy_facts *f,
		    struct legacy_out *o)
{
	struct conn *c = tuple_table_lookup(&lg->conns, &s->t, now_ms);
	uint8_t was;

	memset(o, 0, sizeof(*o));
	if ((s->flags & (PKT_SYN | PKT_ACK)) == PKT_SYN) {
		/* A connection the model still holds on the tuple that is
		 * no bucket ended unseen (a program's close() in FIN_WAIT2,
		 * a timeout): the SYN starts a new one. */
		if (c && c->state != CS_TIME_WAIT &&
		    c->state != CS_FW2_BUCKET) {
			tuple_table_remove(&lg->conns, c);
			c = NULL;
		}
		if (s->out)
			legacy_syn_out(lg, s, now_ms, o);
		else if (c && (c->state == CS_TIME_WAIT ||
			       c->state == CS_FW2_BUCKET))
			syn_to_bucket(lg, c, s, now_ms, o);
		else if (lg->cfg.listener)
			legacy_syn_in(lg, s, now_ms, f, o);
		return;
	}
	if (!c) {
		if (!(s->flags & PKT_FIN) || (s->flags & (PKT_SYN | PKT_RST)))
			return;
		c = tuple_table_insert(&lg->conns, &s->t, now_ms);
		c->state = CS_ESTABLISHED;
	}
	if (s->flags & PKT_RST) {
		conn_rst(lg, c, s, now_ms, o);
		return;
	}
	was = c->state;
	if (s->out)
		conn_out(lg, c, s, now_ms);
	else if (c->state == CS_TIME_WAIT)
		tw_in(lg, c, s, now_ms, o);
	else if (c->state == CS_FW2_BUCKET)
		fw2_in(lg, c, s, now_ms, o);
	else
		conn_in(lg, c, s, now_ms, f, o);
	/* A removal above leaves c pointing at another element. */
	c = tuple_table_find(&lg->conns, &s->t);
	if (!c)
		return;
	c->last_ms = now_ms;
	/* A bucket made, or turned into TIME_WAIT, by this segment: its
	 * rcv_nxt is after it. */
	if (!s->out && c->state != was &&
	    (c->state == CS_TIME_WAIT || c->state == CS_FW2_BUCKET)) {
		c->tw_rcv_nxt = s->seq + s->len + !!(s->flags & PKT_FIN);
		c->has_tw_nxt = 1;
	}
}

int legacy_tw_due(struct legacy *lg, const struct tuple *t, uint64_t now_ms)
{
	const struct conn *c = tuple_table_find(&lg->conns, t);

	/* A timer of an earlier TIME_WAIT of the tuple (a newer SYN took
	 * it, and the new connection's close gave a later end) is not this
	 * one's: its end has not come. */
	return c && c->state == CS_TIME_WAIT && c->shortened &&
	       c->end_ms <= now_ms + TW_DUE_SLACK_MS;
}

void legacy_tw_end(struct legacy *lg, const struct tuple *t)
{
	struct conn *c = tuple_table_find(&lg->conns, t);

	if (c && c->state == CS_TIME_WAIT)
		tuple_table_remove(&lg->conns, c);
}

void legacy_stats(const struct legacy *lg, struct legacy_stats *st)
{
	*st = lg->st;
}
