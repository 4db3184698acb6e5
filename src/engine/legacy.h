/* legacy.h - the pre-4.12 tcp_tw_recycle, as a model of one host's stack:
 * its closes, its per-peer timestamp cache and its listener's SYN check. */
#ifndef NATLAB_LEGACY_H
#define NATLAB_LEGACY_H

#include <stdint.h>

#include "lib/tuple.h"

/*
 * Which old kernel's behaviour: 2.6.32 keeps the per-peer timestamp in
 * inet_peer (keyed by the remote address alone; SYNs without a timestamp
 * pass); 4.4-4.11 keep it in tcp_metrics (keyed by local and remote
 * address; SYNs without a timestamp are dropped while the entry is fresh).
 * docs/RECYCLE.md has every rule, with the kernel function it comes from.
 */
enum legacy_model {
	LEGACY_2_6_32,
	LEGACY_4_4,
};

/* The host's settings the model needs (each the old kernel's sysctl or
 * constant; 0 where a default is named takes that default). */
struct legacy_cfg {
	enum legacy_model model;
	uint32_t paws_msl_ms; /* TCP_PAWS_MSL: 60000 in the kernels; shorter
				 only so that a run need not wait a minute */
	/* How long an unused cache entry lives.  inet_peer: 120-600 s
	 * depending on pool pressure (we use 600 s); tcp_metrics: an entry
	 * older than TCP_METRICS_TIMEOUT (3600 s) is reset on lookup. */
	uint32_t entry_ttl_ms;	  /* 0: the model's own value */
	int listener;		  /* the host accepts connections: the SYNs it
				  receives meet the recycle check */
	int timestamps;		  /* tcp_timestamps on: it parses the option */
	int syncookies;		  /* tcp_syncookies: 0, 1 or 2 */
	int rfc1337;		  /* tcp_rfc1337 */
	uint32_t fin_timeout_ms;  /* tcp_fin_timeout; 0: 60 s */
	uint32_t max_syn_backlog; /* tcp_max_syn_backlog; 0: 1024 */
};

/* One TCP segment of a connection, as the host sees it (local end first:
 * for a segment it receives, t.raddr is the sender). */
struct legacy_seg {
	struct tuple t;
	int out;       /* the host sends it */
	uint8_t flags; /* PKT_SYN, PKT_ACK, PKT_FIN, PKT_RST (pkt.h) */
	uint32_t seq, ack;
	uint32_t len; /* payload bytes */
	int has_ts;   /* carries the timestamp option */
	uint32_t tsval, tsecr;
};

/*
 * What the model asks of the host's real stack, at the moment a segment
 * is held (before the stack sees it); the caller answers through sock_diag
 * (engine_legacy.c), a test from a table.  Asked only on the paths that
 * need the answer.  An answer below 0 means "unknown".
 */
enum legacy_fact {
	/* 1 if the socket of the tuple is orphaned (its program closed it),
	 * 0 if a program still holds it */
	LEGACY_FACT_ORPHAN,
	/* the socket's RTO in microseconds, with any backoff undone (the
	 * closing ACK's RTT sample undoes it before tcp_time_wait() runs) */
	LEGACY_FACT_RTO_US,
	/* 1 if some socket owns the 4-tuple: a request socket (the
	 * handshake under way), an established or closing one, a bucket */
	LEGACY_FACT_TUPLE_SOCK,
	/* the listener's request sockets: its SYN queue */
	LEGACY_FACT_SYNQ,
	/* the listener's backlog (sk_max_ack_backlog) */
	LEGACY_FACT_BACKLOG,
};

struct legacy_facts {
	long (*ask)(void *ctx, enum legacy_fact f, const struct tuple *t);
	void *ctx;
};

/* What became of a SYN the host received. */
enum legacy_syn_verdict {
	LEGACY_SYN_PASS,	   /* not checked, or no fresh entry */
	LEGACY_SYN_OK,		   /* checked against a fresh entry: passed */
	LEGACY_SYN_DROP_PAWS,	   /* dropped by the per-peer PAWS check */
	LEGACY_SYN_DROP_PRESSURE,  /* 2.6.32's queue-pressure clause */
	LEGACY_SYN_SPARED_REQUEST, /* a live socket of its tuple took it */
	LEGACY_SYN_SPARED_COOKIE,  /* answered with a syncookie, unchecked */
	LEGACY_SYN_TIME_WAIT,	   /* a TIME_WAIT bucket of its tuple took it */
};

/* What the model wants done with a segment, and after it. */
struct legacy_out {
	int drop; /* drop the segment, silently */
	enum legacy_syn_verdict syn;
	int remembered;	    /* the per-peer entry was written */
	uint32_t tw_end_ms; /* >0: the host's socket of the tuple is a
				TIME_WAIT that ends this many ms from now */
	int tw_rearmed;	    /* a TIME_WAIT whose end was given before now
				lasts the full 60 s from now */
	int set_tsecr;	    /* rewrite the segment's TSecr to @tsecr (a
				2.6.32 host's SYN with a seeded ts_recent) */
	uint32_t tsecr;
};

struct legacy;

/* A new model (allocation cannot fail: util.h); legacy_free() frees it. */
struct legacy *legacy_new(const struct legacy_cfg *cfg);
void legacy_free(struct legacy *lg);

/**
 * legacy_segment() - one segment the host sends or receives
 * @lg:     model
 * @s:      the segment
 * @now_ms: wall-clock time in ms (CLOCK_REALTIME: the old kernels'
 *          stamps are get_seconds()); must not go backwards
 * @facts:  how to ask the host's stack (may be NULL: every answer unknown)
 * @o:      filled with what to do
 *
 * A SYN the host receives meets the listener's check (only with
 * cfg.listener); a SYN it sends may carry a seeded TSecr (2.6.32); every
 * other segment moves the connection's close (FIN_WAIT1, FIN_WAIT2, the
 * orphaned FIN_WAIT2 bucket, CLOSING, TIME_WAIT, CLOSE_WAIT, LAST_ACK), its
 * ts_recent, and the per-peer entry when tcp_time_wait() would write it.
 * Segments of a connection are expected in the order the host sees them;
 * the model learns a connection from the first one it is given, which for
 * a close is the host's FIN or the peer's.
 */
void legacy_segment(struct legacy *lg, const struct legacy_seg *s,
		    uint64_t now_ms, const struct legacy_facts *facts,
		    struct legacy_out *o);

/**
 * legacy_tw_due() - a TIME_WAIT end that legacy_out.tw_end_ms gave is
 * here: whether it still holds (no re-arm since, and the TIME_WAIT of @t
 * is the one it was given for: its end is at most 2 ms after @now_ms,
 * the slack between the caller's timer clock and the model's)
 * Return: 1 if the host's TIME_WAIT socket of @t should end now, else 0.
 */
int legacy_tw_due(struct legacy *lg, const struct tuple *t, uint64_t now_ms);

/* legacy_tw_end() - the host's socket of @t ended (destroyed or found
 * gone): the model forgets the connection. */
void legacy_tw_end(struct legacy *lg, const struct tuple *t);

/* The remembered entry for a peer, for reports and pictures.
 * Return: 1 and fills ts/stamp_ms if there is one, else 0. */
int legacy_peer(struct legacy *lg, uint32_t laddr, uint32_t raddr,
		uint64_t now_ms, uint32_t *ts, uint64_t *stamp_ms);

/* Counters of the model. */
struct legacy_stats {
	uint64_t syn_checked;  /* SYNs checked against a fresh entry */
	uint64_t paws_passive; /* LINUX_MIB_PAWSPASSIVEREJECTED */
	uint64_t listen_drops; /* LINUX_MIB_LISTENDROPS (4.4's drops only) */
	uint64_t remembered;   /* entry writes */
	uint64_t remembered_at_ack; /* of those, at the ACK of an orphaned
				       socket's FIN */
	uint64_t tw_entered;	    /* closes that reached TIME_WAIT */
	uint64_t tw_rearmed;	    /* TIME_WAITs re-armed to 60 s */
	uint64_t syn_spared;	    /* SYNs the check (or 2.6.32's queue
				       pressure) would have dropped, taken
				       by a live socket or a cookie */
	uint64_t pressure_drops;    /* 2.6.32's queue-pressure clause */
	uint64_t seeded;	    /* SYNs sent with a seeded TSecr */
};
void legacy_stats(const struct legacy *lg, struct legacy_stats *st);

/* The TIME_WAIT a shortened close gets: 3.5 x RTO, (rto << 2) - (rto >>
 * 1) jiffies at HZ 1000 (tcp_time_wait()); on 2.6.32 as the recycle
 * calendar rounds it (inet_twsk_schedule()).  For tests. */
uint32_t legacy_tw_len_ms(enum legacy_model model, long rto_us);

#endif
