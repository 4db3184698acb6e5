/* legacy.c - the pre-4.12 tcp_tw_recycle server: per-peer PAWS on SYNs. */
#include <stdlib.h>
#include <string.h>

#include "engine/legacy.h"
#include "lib/util.h"

/*
 * Theory of operation
 *
 * Two hash tables, both open addressing with linear probing and
 * backward-shift deletion (no tombstones), one element type each:
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
 * Stale elements are removed when looked up, and swept from a whole table
 * before it grows, so churn reuses slots instead of allocating.
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

#define HT_MIN_SLOTS 64

/* The first member of every table element. */
struct hkey {
	uint32_t laddr, raddr;
	uint16_t lport, rport;
	uint32_t used;
};

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
	struct hkey key;
	uint32_t state; /* enum conn_state */
	uint32_t has_cand;
	uint32_t fin_end;    /* sequence number after the server's FIN */
	uint32_t cand_ts;    /* candidate ts_recent */
	uint64_t cand_stamp; /* candidate ts_recent_stamp, in units */
	uint64_t last_ms;    /* last event; TIME_WAIT: when it was entered */
};

struct peer {
	struct hkey key;
	uint32_t ts;
	uint64_t stamp;	  /* in units */
	uint64_t used_ms; /* creation, last update (and inet_peer: use) */
};

struct legacy;

struct htab {
	unsigned char *slot;
	size_t esize, mask, n;
	int (*stale)(const struct legacy *lg, const void *e, uint64_t now_ms);
};

struct legacy {
	enum legacy_model model;
	uint64_t unit_ms; /* 1000: stamps in seconds; 1: in milliseconds */
	uint64_t msl;	  /* PAWS_MSL in units */
	uint64_t ttl_ms;  /* peer entry lifetime */
	struct htab conns, peers;
	struct legacy_stats st;
};

static int conn_stale(const struct legacy *lg, const void *e, uint64_t now_ms)
{
	const struct conn *c = e;

	(void)lg;
	if (c->state == CS_TIME_WAIT)
		return now_ms - c->last_ms >= TIMEWAIT_LEN_MS;
	return now_ms - c->last_ms >= HALF_CLOSED_MS;
}

/* Both inet_peer's GC and tcpm_check_stamp() use time_after(): strictly. */
static int peer_stale(const struct legacy *lg, const void *e, uint64_t now_ms)
{
	const struct peer *p = e;

	return now_ms - p->used_ms > lg->ttl_ms;
}

static void ht_init(struct htab *t, size_t esize,
		    int (*stale)(const struct legacy *, const void *, uint64_t))
{
	t->slot = xcalloc(HT_MIN_SLOTS, esize);
	t->esize = esize;
	t->mask = HT_MIN_SLOTS - 1;
	t->n = 0;
	t->stale = stale;
}

static struct hkey *ht_at(const struct htab *t, size_t i)
{
	return (struct hkey *)(t->slot + i * t->esize);
}

/* A 64-bit finaliser (splitmix64) over the 96 bits of the key. */
static size_t ht_hash(const struct hkey *k)
{
	uint64_t h = (uint64_t)k->laddr << 32 | k->raddr;

	h ^= ((uint64_t)k->lport << 16 | k->rport) * 0x9e3779b97f4a7c15ull;
	h ^= h >> 30;
	h *= 0xbf58476d1ce4e5b9ull;
	h ^= h >> 27;
	h *= 0x94d049bb133111ebull;
	h ^= h >> 31;
	return (size_t)h;
}

static int key_eq(const struct hkey *a, const struct hkey *b)
{
	return a->laddr == b->laddr && a->raddr == b->raddr &&
	       a->lport == b->lport && a->rport == b->rport;
}

static size_t ht_find_slot(const struct htab *t, const struct hkey *k)
{
	size_t i = ht_hash(k) & t->mask;

	while (ht_at(t, i)->used && !key_eq(ht_at(t, i), k))
		i = (i + 1) & t->mask;
	return i;
}

static void ht_remove_at(struct htab *t, size_t hole)
{
	size_t j = hole;

	memset(ht_at(t, hole), 0, t->esize);
	t->n--;
	for (;;) {
		size_t home;

		j = (j + 1) & t->mask;
		if (!ht_at(t, j)->used)
			return;
		home = ht_hash(ht_at(t, j)) & t->mask;
		/* Move j back into the hole unless its home lies after the hole. */
		if (((j - home) & t->mask) < ((j - hole) & t->mask))
			continue;
		memcpy(ht_at(t, hole), ht_at(t, j), t->esize);
		memset(ht_at(t, j), 0, t->esize);
		hole = j;
	}
}

/* Remove every stale element.  A removal may pull a later element into
 * slot i, so i only advances past a live one. */
static void ht_sweep(struct htab *t, const struct legacy *lg, uint64_t now_ms)
{
	size_t i = 0;

	while (i <= t->mask) {
		struct hkey *e = ht_at(t, i);

		if (e->used && t->stale(lg, e, now_ms))
			ht_remove_at(t, i);
		else
			i++;
	}
}

static void ht_resize(struct htab *t, size_t slots)
{
	unsigned char *old = t->slot;
	size_t i, old_slots = t->mask + 1;

	t->slot = xcalloc(slots, t->esize);
	t->mask = slots - 1;
	for (i = 0; i < old_slots; i++) {
		struct hkey *e = (struct hkey *)(old + i * t->esize);

		if (e->used)
			memcpy(ht_at(t, ht_find_slot(t, e)), e, t->esize);
	}
	free(old);
}

/*
 * Find the live element with key k; a stale one is removed first.
 * Return: the element, or NULL.  Valid until the next insert or removal.
 */
static void *ht_lookup(struct htab *t, const struct legacy *lg,
		       const struct hkey *k, uint64_t now_ms)
{
	size_t i = ht_find_slot(t, k);

	if (!ht_at(t, i)->used)
		return NULL;
	if (t->stale(lg, ht_at(t, i), now_ms)) {
		ht_remove_at(t, i);
		return NULL;
	}
	return ht_at(t, i);
}

/* Insert a zeroed element with key k, which must be absent. */
static void *ht_insert(struct htab *t, const struct legacy *lg,
		       const struct hkey *k, uint64_t now_ms)
{
	struct hkey *e;

	/* Above 3/4 load, sweep; grow unless that left the table half empty,
	 * so that a sweep is paid for by at least a quarter table of inserts. */
	if ((t->n + 1) * 4 > (t->mask + 1) * 3) {
		ht_sweep(t, lg, now_ms);
		if ((t->n + 1) * 2 > t->mask + 1)
			ht_resize(t, (t->mask + 1) * 2);
	}
	e = ht_at(t, ht_find_slot(t, k));
	memset(e, 0, t->esize);
	e->laddr = k->laddr;
	e->raddr = k->raddr;
	e->lport = k->lport;
	e->rport = k->rport;
	e->used = 1;
	t->n++;
	return e;
}

static void ht_drop(struct htab *t, void *e)
{
	ht_remove_at(t, (size_t)((unsigned char *)e - t->slot) / t->esize);
}

static struct hkey conn_key(uint32_t laddr, uint32_t raddr, uint16_t lport,
			    uint16_t rport)
{
	struct hkey k = {laddr, raddr, lport, rport, 0};

	return k;
}

/* 2.6.32's inet_peer knows only the remote address. */
static struct hkey peer_key(const struct legacy *lg, uint32_t laddr,
			    uint32_t raddr)
{
	struct hkey k = {0, raddr, 0, 0, 0};

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
	ht_init(&lg->conns, sizeof(struct conn), conn_stale);
	ht_init(&lg->peers, sizeof(struct peer), peer_stale);
	return lg;
}

void legacy_free(struct legacy *lg)
{
	if (!lg)
		return;
	free(lg->conns.slot);
	free(lg->peers.slot);
	free(lg);
}

/*
 * The update rule of tcp_remember_stamp() and its relatives, on entering
 * TIME_WAIT with a candidate.  A missing (or reset) entry is created and
 * always written: the kernels' zeroed entry loses to any candidate.
 */
static void remember(struct legacy *lg, const struct conn *c, uint64_t now_ms)
{
	struct hkey k = peer_key(lg, c->key.laddr, c->key.raddr);
	uint64_t now = now_ms / lg->unit_ms;
	struct peer *p = ht_lookup(&lg->peers, lg, &k, now_ms);
	int write = 1;

	if (p)
		write = (int32_t)(p->ts - c->cand_ts) <= 0 ||
			(now - p->stamp > lg->msl && p->stamp <= c->cand_stamp);
	else
		p = ht_insert(&lg->peers, lg, &k, now_ms);
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
	struct hkey k = conn_key(laddr, raddr, lport, rport);
	struct conn *c = ht_lookup(&lg->conns, lg, &k, now_ms);
	int acked;

	if (ev == LEGACY_RST) {
		if (c)
			ht_drop(&lg->conns, c);
		return 0;
	}
	if (!c)
		c = ht_insert(&lg->conns, lg, &k, now_ms);
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
			ht_drop(&lg->conns, c);
		break;
	case LEGACY_RST:
		break;
	}
	return 0;
}

void legacy_tw_end(struct legacy *lg, uint32_t laddr, uint32_t raddr,
		   uint16_t lport, uint16_t rport)
{
	struct hkey k = conn_key(laddr, raddr, lport, rport);
	size_t i = ht_find_slot(&lg->conns, &k);
	const struct conn *c = (const struct conn *)ht_at(&lg->conns, i);

	if (c->key.used && c->state == CS_TIME_WAIT)
		ht_remove_at(&lg->conns, i);
}

enum legacy_verdict legacy_judge_syn(struct legacy *lg, uint32_t laddr,
				     uint32_t raddr, uint16_t lport,
				     uint16_t rport, int has_ts, uint32_t tsval,
				     uint64_t now_ms)
{
	struct hkey k = conn_key(laddr, raddr, lport, rport);
	const struct conn *c;
	struct peer *p;

	lg->st.syn_checked++;
	c = ht_lookup(&lg->conns, lg, &k, now_ms);
	if (c && c->state == CS_TIME_WAIT)
		return LEGACY_ACCEPT;
	/* 2.6.32 looks the peer up only for a SYN with a timestamp. */
	if (lg->model == LEGACY_2_6_32 && !has_ts)
		return LEGACY_ACCEPT;
	k = peer_key(lg, laddr, raddr);
	p = ht_lookup(&lg->peers, lg, &k, now_ms);
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
	struct hkey k = peer_key(lg, laddr, raddr);
	const struct peer *p = ht_lookup(&lg->peers, lg, &k, now_ms);

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
