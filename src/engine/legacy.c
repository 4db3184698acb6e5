/* legacy.c - the pre-4.12 tcp_tw_recycle server: per-peer PAWS on SYNs. */
#include <stdlib.h>
#include <string.h>

#include "engine/legacy.h"
#include "lib/tuple.h"
#include "lib/util.h"

/*
 * Theory of operation
 *
 * Two tuple tables (tuple.c: open addressing, stale elements removed on
 * lookup and swept before the table grows), one element type each:
 *
 * - conns, keyed by the 4-tuple: the close of each connection as the
 *   server sees it.  The state names are the kernel's.  The active closer
 *   goes FIN_WAIT1 -> FIN_WAIT2 -> TIME_WAIT, or FIN_WAIT1 -> CLOSING ->
 *   TIME_WAIT on a simultaneous close; the passive closer goes
 *   CLOSE_WAIT -> LAST_ACK -> closed and is forgotten.  The candidate
 *   (ts_recent, ts_recent_stamp) is the last TSval the client sent with
 *   ts_ok and the time it was fed.
 * - peers, keyed by the remote address (2.6.32, inet_peer) or by the local
 *   and remote address (4.4-4.11, tcp_metrics): the remembered (ts, stamp).
 *
 * Rules, and the kernel functions they mirror:
 * - Entering TIME_WAIT with a candidate updates the peer entry:
 *   tcp_time_wait() calling tcp_v4_remember_stamp() (2.6.32) or
 *   tcp_remember_stamp() (4.4); an orphaned FIN_WAIT2 bucket that receives
 *   the FIN does the same in tcp_timewait_state_process() through
 *   tcp_v4_tw_remember_stamp() / tcp_tw_remember_stamp().  We do not tell
 *   the two apart: both are "FIN_IN in FIN_WAIT2".  The write happens when
 *   the candidate is the same age or newer, or when the entry is older than
 *   PAWS_MSL and not stamped after the candidate.
 * - The SYN check on the listener: tcp_v4_conn_request() (2.6.32, inline)
 *   and tcp_conn_request() calling tcp_peer_is_proven() (4.4).  A SYN that
 *   hits a live TIME_WAIT 4-tuple is left to the kernel's TIME_WAIT rules.
 * - Entry lifetime: inet_peer entries unused for the pool's TTL vanish;
 *   tcp_metrics entries are reset by tcpm_check_stamp() once older than
 *   TCP_METRICS_TIMEOUT.  Both are modelled as removal on lookup.
 *
 * Time: get_seconds() gives whole seconds, so with a PAWS_MSL that is a
 * whole number of seconds the stamps and the MSL test are in seconds (an
 * entry stamped at 10.9 s is 60 s old at 70.0 s).  A sub-second MSL, only
 * used by tests, switches to milliseconds.  Lifetimes (TTL, TIME_WAIT,
 * staleness) are jiffies in the kernel and milliseconds here.  now_ms must
 * not go backwards: differences are unsigned, as in the kernel.
 *
 */

/* TCP_PAWS_MSL, 60 s, Linux 2.6.32-4.11 */
#define PAWS_MSL_MS 60000u
/* TCP_PAWS_WINDOW, 1, Linux 2.6.32-4.11 */
#define PAWS_WINDOW 1
/* TCP_TIMEWAIT_LEN, 60 s, Linux 2.6.32-4.11; real time, never scaled */
#define TIMEWAIT_LEN_MS 60000u
/* inet_peer_maxttl, 600 s, Linux 2.6.32 */
#define INET_PEER_TTL_MS 600000u
/* TCP_METRICS_TIMEOUT, 3600 s, Linux 3.6-4.11 */
#define METRICS_TIMEOUT_MS 3600000u
/* Ours: a connection that never finishes closing is dropped after this. */
#define HALF_CLOSED_MS (2 * TIMEWAIT_LEN_MS)

enum conn_state {
	CS_ESTABLISHED,
	CS_FIN_WAIT1,
	CS_FIN_WAIT2,
	CS_CLOSING,
	CS_TIME_WAIT,
	CS_CLOSE_WAIT,
	CS_LAST_ACK,
};

struct conn {
	struct tuple_slot slot;
	uint32_t state; /* enum conn_state */
	uint32_t has_cand;
	uint32_t fin_end;    /* sequence number after the server's FIN */
	uint32_t cand_ts;    /* candidate ts_recent */
	uint64_t cand_stamp; /* candidate ts_recent_stamp, in units */
	uint64_t last_ms;    /* last event; TIME_WAIT: when it was entered */
};

struct peer {
	struct tuple_slot slot;
	uint32_t ts;
	uint64_t stamp;	  /* in units */
	uint64_t used_ms; /* creation, last update (and inet_peer: use) */
};

struct legacy {
	enum legacy_model model;
	uint64_t unit_ms; /* 1000: stamps in seconds; 1: in milliseconds */
	uint64_t msl;	  /* PAWS_MSL in units */
	uint64_t ttl_ms;  /* peer entry lifetime */
	struct tuple_table conns, peers;
	struct legacy_stats st;
};

static int conn_stale(const void *lg, const void *e, uint64_t now_ms)
{
	const struct conn *c = e;

	(void)lg;
	if (c->state == CS_TIME_WAIT)
		return now_ms - c->last_ms >= TIMEWAIT_LEN_MS;
	return now_ms - c->last_ms >= HALF_CLOSED_MS;
}

/* Both inet_peer's GC and tcpm_check_stamp() use time_after(): strictly. */
static int peer_stale(const void *lg, const void *e, uint64_t now_ms)
{
	const struct peer *p = e;

	return now_ms - p->used_ms > ((const struct legacy *)lg)->ttl_ms;
}

static struct tuple conn_key(uint32_t laddr, uint32_t raddr, uint16_t lport,
			     uint16_t rport)
{
	struct tuple k = {laddr, raddr, lport, rport};

	return k;
}

/* 2.6.32's inet_peer knows only the remote address. */
static struct tuple peer_key(const struct legacy *lg, uint32_t laddr,
			     uint32_t raddr)
{
	struct tuple k = {0, raddr, 0, 0};

	if (lg->model == LEGACY_4_4)
		k.laddr = laddr;
	return k;
}

struct legacy *legacy_new(const struct legacy_cfg *cfg)
{
	struct legacy *lg;
	uint32_t msl_ms = cfg->paws_msl_ms ? cfg->paws_msl_ms : PAWS_MSL_MS;

	lg = xcalloc(1, sizeof(*lg));
	lg->model = cfg->model;
	lg->unit_ms = msl_ms % 1000 ? 1 : 1000;
	lg->msl = msl_ms / lg->unit_ms;
	lg->ttl_ms = cfg->entry_ttl_ms;
	if (!lg->ttl_ms)
		lg->ttl_ms = cfg->model == LEGACY_4_4 ? METRICS_TIMEOUT_MS
						      : INET_PEER_TTL_MS;
	tuple_table_init(&lg->conns, sizeof(struct conn), conn_stale, lg);
	tuple_table_init(&lg->peers, sizeof(struct peer), peer_stale, lg);
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

/*
 * The update rule of tcp_remember_stamp() and its relatives, on entering
 * TIME_WAIT with a candidate.  A missing (or reset) entry is created and
 * always written: the kernels' zeroed entry loses to any candidate.
 */
static void remember(struct legacy *lg, const struct conn *c, uint64_t now_ms)
{
	struct tuple k = peer_key(lg, c->slot.key.laddr, c->slot.key.raddr);
	uint64_t now = now_ms / lg->unit_ms;
	struct peer *p = tuple_table_lookup(&lg->peers, &k, now_ms);
	int write = 1;

	if (p)
		write = (int32_t)(p->ts - c->cand_ts) <= 0 ||
			(now - p->stamp > lg->msl && p->stamp <= c->cand_stamp);
	else
		p = tuple_table_insert(&lg->peers, &k, now_ms);
	p->used_ms = now_ms;
	if (!write)
		return;
	p->ts = c->cand_ts;
	p->stamp = c->cand_stamp;
	lg->st.remembered++;
}

/* Return: 1 with a candidate (timestamps in use), else 2. */
static int enter_time_wait(struct legacy *lg, struct conn *c, uint64_t now_ms)
{
	c->state = CS_TIME_WAIT;
	c->last_ms = now_ms;
	lg->st.tw_entered++;
	if (!c->has_cand)
		return 2;
	remember(lg, c, now_ms);
	return 1;
}

int legacy_segment(struct legacy *lg, enum legacy_event ev, uint32_t laddr,
		   uint32_t raddr, uint16_t lport, uint16_t rport, int ts_ok,
		   uint32_t tsval, uint32_t seq_end, uint32_t ack,
		   uint64_t now_ms)
{
	struct tuple k = conn_key(laddr, raddr, lport, rport);
	struct conn *c = tuple_table_lookup(&lg->conns, &k, now_ms);
	int acked;

	if (ev == LEGACY_RST) {
		if (c)
			tuple_table_remove(&lg->conns, c);
		return 0;
	}
	if (!c)
		c = tuple_table_insert(&lg->conns, &k, now_ms);
	/* A retransmitted FIN or ACK does not restart TIME_WAIT. */
	if (c->state == CS_TIME_WAIT)
		return 0;
	c->last_ms = now_ms;
	/* The kernels store ts_recent while processing the ACK, before the
	 * FIN moves the socket to TIME_WAIT: the FIN's own TSval counts. */
	if (ts_ok && ev != LEGACY_FIN_OUT) {
		c->cand_ts = tsval;
		c->cand_stamp = now_ms / lg->unit_ms;
		c->has_cand = 1;
	}
	acked = (int32_t)(ack - c->fin_end) >= 0;

	switch (ev) {
	case LEGACY_FIN_OUT:
		if (c->state == CS_ESTABLISHED || c->state == CS_CLOSE_WAIT) {
			c->state = c->state == CS_ESTABLISHED ? CS_FIN_WAIT1
							      : CS_LAST_ACK;
			c->fin_end = seq_end;
		}
		break;
	case LEGACY_FIN_IN:
		if (c->state == CS_ESTABLISHED)
			c->state = CS_CLOSE_WAIT;
		else if (c->state == CS_FIN_WAIT2 ||
			 (c->state == CS_FIN_WAIT1 && acked))
			return enter_time_wait(lg, c, now_ms);
		else if (c->state == CS_FIN_WAIT1)
			c->state = CS_CLOSING;
		break;
	case LEGACY_ACK_IN:
		if (!acked)
			break;
		if (c->state == CS_FIN_WAIT1)
			c->state = CS_FIN_WAIT2;
		else if (c->state == CS_CLOSING)
			return enter_time_wait(lg, c, now_ms);
		else if (c->state == CS_LAST_ACK)
			tuple_table_remove(&lg->conns, c);
		break;
	case LEGACY_RST:
		break;
	}
	return 0;
}

void legacy_tw_end(struct legacy *lg, uint32_t laddr, uint32_t raddr,
		   uint16_t lport, uint16_t rport)
{
	struct tuple k = conn_key(laddr, raddr, lport, rport);
	struct conn *c = tuple_table_find(&lg->conns, &k);

	if (c && c->state == CS_TIME_WAIT)
		tuple_table_remove(&lg->conns, c);
}

enum legacy_verdict legacy_judge_syn(struct legacy *lg, uint32_t laddr,
				     uint32_t raddr, uint16_t lport,
				     uint16_t rport, int has_ts, uint32_t tsval,
				     uint64_t now_ms)
{
	struct tuple k = conn_key(laddr, raddr, lport, rport);
	const struct conn *c;
	struct peer *p;

	lg->st.syn_checked++;
	c = tuple_table_lookup(&lg->conns, &k, now_ms);
	if (c && c->state == CS_TIME_WAIT)
		return LEGACY_ACCEPT;
	/* 2.6.32 looks the peer up only for a SYN with a timestamp. */
	if (lg->model == LEGACY_2_6_32 && !has_ts)
		return LEGACY_ACCEPT;
	k = peer_key(lg, laddr, raddr);
	p = tuple_table_lookup(&lg->peers, &k, now_ms);
	if (!p)
		return LEGACY_ACCEPT;
	/* Taking an inet_peer reference counts as use; a tcp_metrics lookup
	 * does not refresh the entry. */
	if (lg->model == LEGACY_2_6_32)
		p->used_ms = now_ms;
	if (now_ms / lg->unit_ms - p->stamp >= lg->msl)
		return LEGACY_ACCEPT;
	/* 4.4 also refuses a SYN without timestamps from a fresh peer. */
	if (has_ts && (int32_t)(p->ts - tsval) <= PAWS_WINDOW)
		return LEGACY_ACCEPT;
	lg->st.paws_passive++;
	lg->st.listen_drops++;
	return LEGACY_DROP_PAWS;
}

int legacy_peer(struct legacy *lg, uint32_t laddr, uint32_t raddr,
		uint64_t now_ms, uint32_t *ts, uint64_t *stamp_ms)
{
	struct tuple k = peer_key(lg, laddr, raddr);
	const struct peer *p = tuple_table_lookup(&lg->peers, &k, now_ms);

	if (!p)
		return 0;
	*ts = p->ts;
	*stamp_ms = p->stamp * lg->unit_ms;
	return 1;
}

void legacy_stats(const struct legacy *lg, struct legacy_stats *st)
{
	*st = lg->st;
}
