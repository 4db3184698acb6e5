/* legacy_int.h - what the two halves of the tcp_tw_recycle model share:
 * the closes (legacy.c) and the per-peer cache (legacy_cache.c). */
#ifndef NATLAB_LEGACY_INT_H
#define NATLAB_LEGACY_INT_H

#include <stdint.h>

#include "engine/legacy.h"
#include "lib/tuple.h"

/* TCP_PAWS_MSL, 60 s, Linux 2.6.32-4.11 */
#define PAWS_MSL_MS 60000u
/* TCP_PAWS_WINDOW, 1, Linux 2.6.32-4.11 */
#define PAWS_WINDOW 1
/* TCP_TIMEWAIT_LEN, 60 s, Linux 2.6.32-4.11; real time, never scaled */
#define TIMEWAIT_LEN_MS 60000u
/* How early, by the model's clock, the caller's timer may come for a
 * TIME_WAIT end (its clock is another, read at another moment). */
#define TW_DUE_SLACK_MS 2

/* A connection's state as the host's stack has it; the names are the
 * kernel's.  FW2_BUCKET is an orphaned socket's FIN_WAIT2 after
 * tcp_time_wait(sk, TCP_FIN_WAIT2, tmo): a timewait bucket whose substate
 * is FIN_WAIT2. */
enum conn_state {
	CS_ESTABLISHED,
	CS_FIN_WAIT1,
	CS_FIN_WAIT2,
	CS_FW2_BUCKET,
	CS_CLOSING,
	CS_TIME_WAIT,
	CS_CLOSE_WAIT,
	CS_LAST_ACK,
};

struct conn {
	struct tuple_slot slot;
	uint8_t state;	     /* enum conn_state */
	uint8_t ts_ok;	     /* timestamps in use on it (seen on the host's
			       own segments) */
	uint8_t has_recent;  /* ts_recent known */
	uint8_t has_wup;     /* rcv_wup known */
	uint8_t has_una;     /* snd_una known */
	uint8_t has_nxt;     /* snd_nxt known */
	uint8_t has_tw_nxt;  /* tw_rcv_nxt known */
	uint8_t shortened;   /* TIME_WAIT: its end was given to the caller */
	uint32_t ts_recent;  /* the last TSval that passed
			       tcp_replace_ts_recent() */
	uint64_t ts_stamp;   /* ts_recent_stamp, in the model's units */
	uint32_t rcv_wup;    /* rcv_nxt when the host last sent: its last ACK */
	uint32_t snd_nxt;    /* after the host's last byte (its FIN counted) */
	uint32_t snd_una;    /* the highest ACK the host received */
	uint32_t fin_end;    /* after the host's FIN */
	uint32_t tw_rcv_nxt; /* TIME_WAIT, FW2_BUCKET: the bucket's rcv_nxt,
				after the segment that made it */
	uint32_t tw_timeout_ms; /* FW2_BUCKET: what the TIME_WAIT it turns
				   into lasts (tw->tw_timeout) */
	uint64_t end_ms;	/* TIME_WAIT, FW2_BUCKET: when it ends */
	uint64_t last_ms;	/* its last segment */
};

struct legacy {
	struct legacy_cfg cfg; /* defaults filled in */
	uint64_t unit_ms;      /* 1000: stamps in seconds; 1: in ms */
	uint64_t msl;	       /* PAWS_MSL in units */
	uint64_t ttl_ms;       /* peer entry lifetime */
	struct tuple_table conns, peers;
	struct legacy_stats st;
};

/* now_ms in the stamps' units (get_seconds() for whole-second MSLs). */
static inline uint64_t legacy_units(const struct legacy *lg, uint64_t now_ms)
{
	return now_ms / lg->unit_ms;
}

/* Serial-number comparisons of 32-bit sequence numbers (RFC 1982). */
static inline int seq_after(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) > 0;
}

static inline int seq_before(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) < 0;
}

/* ---- legacy_cache.c ---- */

/* Fill lg->peers, empty. */
void legacy_cache_init(struct legacy *lg);

/**
 * legacy_remember_sock() - tcp_time_wait()'s write: tcp_remember_stamp()
 * (4.4) / tcp_v4_remember_stamp() (2.6.32), which find or create the
 * peer's entry and write the connection's (ts_recent, ts_recent_stamp)
 * under the update rule
 * @written: set to 1 if the entry was written
 * Return: recycle_ok: 1 if the connection had a timestamp (and so an entry
 * now exists), else 0.
 */
int legacy_remember_sock(struct legacy *lg, const struct conn *c,
			 uint64_t now_ms, int *written);

/**
 * legacy_remember_tw() - the FIN_WAIT2 bucket's write when the FIN
 * arrives: tcp_tw_remember_stamp() (4.4: finds the entry, never creates
 * it) / tcp_v4_tw_remember_stamp() (2.6.32: creates it)
 * Return: 1 if an entry exists now (the bucket's TIME_WAIT then keeps
 * tw_timeout), else 0.
 */
int legacy_remember_tw(struct legacy *lg, const struct conn *c, uint64_t now_ms,
		       int *written);

/* legacy_syn_in() - a SYN the host receives, with no bucket of its tuple:
 * the listener's check. */
void legacy_syn_in(struct legacy *lg, const struct legacy_seg *s,
		   uint64_t now_ms, const struct legacy_facts *f,
		   struct legacy_out *o);

/* legacy_syn_out() - a SYN the host sends: its TSecr seeded from the
 * peer's entry (2.6.32's tcp_v4_connect()). */
void legacy_syn_out(struct legacy *lg, const struct legacy_seg *s,
		    uint64_t now_ms, struct legacy_out *o);

/* An answer of the host's stack, or -1 when there is none to ask. */
static inline long legacy_ask(const struct legacy_facts *f,
			      enum legacy_fact what, const struct tuple *t)
{
	return f && f->ask ? f->ask(f->ctx, what, t) : -1;
}

#endif
