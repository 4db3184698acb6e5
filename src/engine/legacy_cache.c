/* legacy_cache.c - the per-peer timestamp cache of the tcp_tw_recycle
 * model: its entries and their update rule, the listener's SYN check, and
 * the TSecr a connecting 2.6.32 host seeds from it. */
#include <string.h>

#include "engine/legacy.h"
#include "engine/legacy_int.h"
#include "lib/tuple.h"

/*
 * Theory of operation
 *
 * One tuple table of entries, keyed by the remote address (2.6.32,
 * inet_peer) or by the local and remote address (4.4-4.11, tcp_metrics):
 * the remembered (ts, stamp).
 *
 * - Writing: tcp_time_wait() calls tcp_remember_stamp() (4.4) or
 *   tcp_v4_remember_stamp() (2.6.32), which find or create the entry; the
 *   FIN_WAIT2 bucket calls tcp_tw_remember_stamp() (4.4: finds it, never
 *   creates it, never resets it) or tcp_v4_tw_remember_stamp() (2.6.32:
 *   creates it).  Either writes (ts_recent, ts_recent_stamp) when the
 *   candidate is not older (signed 32-bit), or when the entry is older
 *   than PAWS_MSL (strictly) and not stamped after the candidate.  A new
 *   or reset entry has stamp 0, so any candidate is written.  recycle_ok,
 *   which shortens TIME_WAIT, is "an entry exists", written or not.
 * - The listener's check: tcp_conn_request() with tcp_peer_is_proven()
 *   (4.4) and tcp_v4_conn_request() inline (2.6.32).  An entry younger
 *   than PAWS_MSL (strictly) drops a SYN whose TSval is more than
 *   TCP_PAWS_WINDOW behind it; 4.4 also drops one without a timestamp,
 *   2.6.32 checks only SYNs with one.  A drop sends nothing and counts
 *   PAWSPassive, and ListenDrops in 4.4 only.  Before dropping, the model
 *   asks the host's stack what would have kept the SYN from the check: a
 *   socket of its 4-tuple (a retransmitted SYN goes to its request socket,
 *   tcp_check_req()), or a syncookie (want_cookie: 4.4 always with
 *   tcp_syncookies = 2, both with 1 while the SYN queue is full).
 * - 2.6.32's queue-pressure clause, the else of its check: without
 *   syncookies, a SYN the check did not judge to the end (no timestamp, no
 *   entry) is dropped while the SYN backlog is more than 3/4 full, unless
 *   a socket of its 4-tuple takes it first, as above.  4.4 applies it
 *   only with recycle off, so never here.
 * - Seeding (2.6.32's tcp_v4_connect()): a connect to a peer whose entry
 *   is at most PAWS_MSL old (inclusive) starts with that ts_recent, which
 *   its SYN echoes as TSecr.  4.4's tcp_fetch_timewait_stamp() looks the
 *   entry up before the socket has its destination (keyed (saddr,
 *   0.0.0.0)), so an IPv4 connect never finds it: nothing.  A SYN-ACK is
 *   never checked against the seed in either version.
 * - Lifetime: an entry unused for the pool's TTL (inet_peer, 600 s here;
 *   the kernel's is 120-600 s) vanishes; a tcp_metrics entry older than
 *   TCP_METRICS_TIMEOUT is reset (modelled from its last write).
 */

/* inet_peer_maxttl, 600 s, Linux 2.6.32 */
#define INET_PEER_TTL_MS 600000u
/* TCP_METRICS_TIMEOUT, 3600 s, Linux 3.6-4.11 */
#define METRICS_TIMEOUT_MS 3600000u

struct peer {
	struct tuple_slot slot;
	uint32_t ts;
	uint64_t stamp;	  /* in units */
	uint64_t used_ms; /* creation, last write (and inet_peer: use) */
};

/* Both inet_peer's GC and tcpm_check_stamp() use time_after(): strictly. */
static int peer_stale(const void *ctx, const void *e, uint64_t now_ms)
{
	const struct peer *p = e;

	return now_ms - p->used_ms > ((const struct legacy *)ctx)->ttl_ms;
}

void legacy_cache_init(struct legacy *lg)
{
	lg->ttl_ms = lg->cfg.entry_ttl_ms;
	if (!lg->ttl_ms)
		lg->ttl_ms = lg->cfg.model == LEGACY_4_4 ? METRICS_TIMEOUT_MS
							 : INET_PEER_TTL_MS;
	tuple_table_init(&lg->peers, sizeof(struct peer), peer_stale, lg);
}

/* 2.6.32's inet_peer knows only the remote address. */
static struct tuple peer_key(const struct legacy *lg, uint32_t laddr,
			     uint32_t raddr)
{
	struct tuple k = {0, raddr, 0, 0};

	if (lg->cfg.model == LEGACY_4_4)
		k.laddr = laddr;
	return k;
}

/* The entry of a connection's peer; with @create, made if absent (then
 * *@made is set). */
static struct peer *peer_get(struct legacy *lg, const struct tuple *t,
			     uint64_t now_ms, int create, int *made)
{
	struct tuple k = peer_key(lg, t->laddr, t->raddr);
	struct peer *p = tuple_table_lookup(&lg->peers, &k, now_ms);

	if (!p && create) {
		p = tuple_table_insert(&lg->peers, &k, now_ms);
		*made = 1;
	}
	return p;
}

/*
 * The update rule, common to the four remember functions.  A new (or
 * reset) entry has stamp 0, which the kernels' get_seconds() is always
 * more than PAWS_MSL past: any candidate is written (@made).
 */
static int peer_write(struct legacy *lg, struct peer *p, const struct conn *c,
		      uint64_t now_ms, int made)
{
	uint64_t now = legacy_units(lg, now_ms);
	int write = made || (int32_t)(p->ts - c->ts_recent) <= 0 ||
		    (now - p->stamp > lg->msl && p->stamp <= c->ts_stamp);

	p->used_ms = now_ms;
	if (!write)
		return 0;
	p->ts = c->ts_recent;
	p->stamp = c->ts_stamp;
	lg->st.remembered++;
	return 1;
}

int legacy_remember_sock(struct legacy *lg, const struct conn *c,
			 uint64_t now_ms, int *written)
{
	struct peer *p;
	int made = 0;

	*written = 0;
	/* ts_recent_stamp is 0 unless timestamps were negotiated. */
	if (!c->ts_ok || !c->has_recent)
		return 0;
	p = peer_get(lg, &c->slot.key, now_ms, 1, &made);
	*written = peer_write(lg, p, c, now_ms, made);
	return 1;
}

int legacy_remember_tw(struct legacy *lg, const struct conn *c, uint64_t now_ms,
		       int *written)
{
	struct tuple k = peer_key(lg, c->slot.key.laddr, c->slot.key.raddr);
	struct peer *p;
	int made = 0;

	*written = 0;
	if (lg->cfg.model == LEGACY_4_4)
		/* __tcp_get_metrics_tw(): no create, no tcpm_check_stamp */
		p = tuple_table_find(&lg->peers, &k);
	else
		p = peer_get(lg, &c->slot.key, now_ms, 1, &made);
	if (!p)
		return 0;
	*written = peer_write(lg, p, c, now_ms, made);
	return 1;
}

/* inet_csk_reqsk_queue_is_full(): 4.4 compares the request sockets with
 * sk_max_ack_backlog; 2.6.32 with its SYN table's size, the backlog
 * (capped by tcp_max_syn_backlog, at least 8) rounded up to a power of
 * two above it (reqsk_queue_alloc()).  Unknown answers: not full. */
static int synq_full(struct legacy *lg, const struct legacy_facts *f,
		     const struct tuple *t)
{
	struct tuple listener = {t->laddr, 0, t->lport, 0};
	long q = legacy_ask(f, LEGACY_FACT_SYNQ, &listener);
	long backlog = legacy_ask(f, LEGACY_FACT_BACKLOG, &listener);
	unsigned long nr = 1;

	if (q < 0 || backlog < 0)
		return 0;
	if (lg->cfg.model == LEGACY_4_4)
		return q >= backlog;
	if ((unsigned long)backlog > lg->cfg.max_syn_backlog)
		backlog = (long)lg->cfg.max_syn_backlog;
	if (backlog < 8)
		backlog = 8;
	while (nr < (unsigned long)backlog + 1)
		nr <<= 1;
	return (unsigned long)q >= nr;
}

/* want_cookie, as each version computes it before the check. */
static int want_cookie(struct legacy *lg, const struct legacy_facts *f,
		       const struct tuple *t)
{
	if (lg->cfg.model == LEGACY_4_4 && lg->cfg.syncookies == 2)
		return 1;
	return lg->cfg.syncookies && synq_full(lg, f, t);
}

/* 2.6.32: max_syn_backlog - qlen < max_syn_backlog / 4. */
static int synq_pressure(struct legacy *lg, const struct legacy_facts *f,
			 const struct tuple *t)
{
	struct tuple listener = {t->laddr, 0, t->lport, 0};
	long q = legacy_ask(f, LEGACY_FACT_SYNQ, &listener);
	long max = (long)lg->cfg.max_syn_backlog;

	return q >= 0 && max - q < max / 4;
}

/* A SYN the check would drop: does anything keep it from the check? */
static enum legacy_syn_verdict syn_spared(struct legacy *lg,
					  const struct legacy_seg *s,
					  const struct legacy_facts *f)
{
	if (legacy_ask(f, LEGACY_FACT_TUPLE_SOCK, &s->t) == 1)
		return LEGACY_SYN_SPARED_REQUEST;
	if (want_cookie(lg, f, &s->t))
		return LEGACY_SYN_SPARED_COOKIE;
	return LEGACY_SYN_DROP_PAWS;
}

void legacy_syn_in(struct legacy *lg, const struct legacy_seg *s,
		   uint64_t now_ms, const struct legacy_facts *f,
		   struct legacy_out *o)
{
	/* The old kernels parsed a SYN's timestamp only with
	 * tcp_timestamps on (tcp_parse_options). */
	int has_ts = s->has_ts && lg->cfg.timestamps, is_44;
	struct peer *p = NULL;

	is_44 = lg->cfg.model == LEGACY_4_4;
	/* 2.6.32 looks the peer up only for a SYN with a timestamp. */
	if (is_44 || has_ts)
		p = peer_get(lg, &s->t, now_ms, 0, NULL);
	/* Taking an inet_peer reference counts as use; a tcp_metrics lookup
	 * does not refresh the entry. */
	if (p && !is_44)
		p->used_ms = now_ms;
	o->syn = LEGACY_SYN_PASS;
	if (p && legacy_units(lg, now_ms) - p->stamp < lg->msl) {
		lg->st.syn_checked++;
		o->syn = LEGACY_SYN_OK;
		if (!has_ts || (int32_t)(p->ts - s->tsval) > PAWS_WINDOW)
			o->syn = syn_spared(lg, s, f);
	}
	if (o->syn == LEGACY_SYN_DROP_PAWS) {
		o->drop = 1;
		lg->st.paws_passive++;
		lg->st.listen_drops += (uint64_t)is_44;
		return;
	}
	if (o->syn == LEGACY_SYN_SPARED_REQUEST ||
	    o->syn == LEGACY_SYN_SPARED_COOKIE) {
		lg->st.syn_spared++;
		return;
	}
	if (!is_44 && !lg->cfg.syncookies && (!has_ts || !p) &&
	    synq_pressure(lg, f, &s->t)) {
		/* A SYN of a live request socket never reaches
		 * tcp_v4_conn_request(): tcp_v4_hnd_req() gives it to
		 * tcp_check_req(). */
		if (legacy_ask(f, LEGACY_FACT_TUPLE_SOCK, &s->t) == 1) {
			o->syn = LEGACY_SYN_SPARED_REQUEST;
			lg->st.syn_spared++;
			return;
		}
		o->drop = 1;
		o->syn = LEGACY_SYN_DROP_PRESSURE;
		lg->st.pressure_drops++;
	}
}

void legacy_syn_out(struct legacy *lg, const struct legacy_seg *s,
		    uint64_t now_ms, struct legacy_out *o)
{
	struct peer *p;

	o->syn = LEGACY_SYN_PASS;
	if (lg->cfg.model != LEGACY_2_6_32 || !lg->cfg.timestamps || !s->has_ts)
		return;
	/* rt_get_peer(): a lookup, no create; tcp_ts_stamp + TCP_PAWS_MSL >=
	 * get_seconds(): inclusive. */
	p = peer_get(lg, &s->t, now_ms, 0, NULL);
	if (!p || legacy_units(lg, now_ms) > p->stamp + lg->msl)
		return;
	o->set_tsecr = 1;
	o->tsecr = p->ts;
	lg->st.seeded++;
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
