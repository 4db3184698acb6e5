/* legacy.h - the pre-4.12 tcp_tw_recycle server, as a model. */
#ifndef NATLAB_LEGACY_H
#define NATLAB_LEGACY_H

#include <stdint.h>

/*
 * Which old kernel's behaviour: 2.6.32 keeps the per-peer timestamp in
 * inet_peer (keyed by the remote address alone; SYNs without a timestamp
 * pass); 4.4-4.11 keep it in tcp_metrics (keyed by local and remote
 * address; SYNs without a timestamp are dropped while the entry is fresh).
 */
enum legacy_model {
	LEGACY_2_6_32,
	LEGACY_4_4,
};

struct legacy_cfg {
	enum legacy_model model;
	uint32_t paws_msl_ms; /* TCP_PAWS_MSL: 60000 in the kernels; shorter
				 only so that tests need not wait a minute */
	/* How long an unused cache entry lives.  inet_peer: 120-600 s
	 * depending on pool pressure (we use 600 s); tcp_metrics: an entry
	 * older than TCP_METRICS_TIMEOUT (3600 s) is reset on lookup. */
	uint32_t entry_ttl_ms; /* 0: the model's own value */
};

/* A connection's close, as seen on the wire at the server. */
enum legacy_event {
	LEGACY_FIN_OUT, /* the server sent a FIN */
	LEGACY_FIN_IN,	/* the server received a FIN */
	LEGACY_ACK_IN,	/* the server received an ACK (of its FIN, maybe) */
	LEGACY_RST,	/* a RST either way: no TIME_WAIT, forget it */
};

enum legacy_verdict {
	LEGACY_ACCEPT,	  /* let the kernel handle it */
	LEGACY_DROP_PAWS, /* drop silently: PAWSPassive, ListenDrops */
};

struct legacy;

/* A new model (allocation cannot fail: util.h); legacy_free() frees it. */
struct legacy *legacy_new(const struct legacy_cfg *cfg);
void legacy_free(struct legacy *lg);

/**
 * legacy_judge_syn() - the listener's SYN check
 * @lg:    model
 * @laddr: server address, @raddr client address (host order)
 * @lport, @rport: ports, to recognise a SYN that hits a live emulated
 *         TIME_WAIT of the same 4-tuple (such a SYN is left to the
 *         kernel's TIME_WAIT rules: LEGACY_ACCEPT)
 * @has_ts, @tsval: the SYN's timestamp option
 * @now_ms: current time in milliseconds (any monotonic origin)
 */
enum legacy_verdict legacy_judge_syn(struct legacy *lg, uint32_t laddr,
				     uint32_t raddr, uint16_t lport,
				     uint16_t rport, int has_ts, uint32_t tsval,
				     uint64_t now_ms);

/**
 * legacy_segment() - feed a close-related segment of one connection
 * @ts_ok/@tsval: the segment's timestamp (for segments from the client:
 *         the candidate ts_recent; for the server's own: ignored)
 * @seq_end: for FINs, the sequence number after the FIN (to tell the ACK
 *         of the server's FIN from other ACKs: ack >= that)
 * @ack: the segment's ACK number (LEGACY_ACK_IN, LEGACY_FIN_IN)
 *
 * Tracks who closed first.  When the server enters TIME_WAIT as the
 * active closer (peer's FIN received in FIN_WAIT2, or its FIN acked in
 * CLOSING), and timestamps are in use on the connection, the per-peer
 * entry is updated by the rule in DESIGN.md; passive close (LAST_ACK)
 * remembers nothing.
 * Return: 1 if the connection just entered TIME_WAIT with timestamps in
 * use (the entry was updated; the caller then shortens the kernel's
 * TIME_WAIT to 3.5 x RTO), 2 if it entered TIME_WAIT without timestamps
 * (the kernel keeps its 60 s), else 0.
 */
int legacy_segment(struct legacy *lg, enum legacy_event ev, uint32_t laddr,
		   uint32_t raddr, uint16_t lport, uint16_t rport, int ts_ok,
		   uint32_t tsval, uint32_t seq_end, uint32_t ack,
		   uint64_t now_ms);

/* Mark a 4-tuple's TIME_WAIT as ended (destroyed or expired). */
void legacy_tw_end(struct legacy *lg, uint32_t laddr, uint32_t raddr,
		   uint16_t lport, uint16_t rport);

/* The remembered entry for a peer, for reports and pictures.
 * Return: 1 and fills ts/stamp_ms if there is one, else 0. */
int legacy_peer(struct legacy *lg, uint32_t laddr, uint32_t raddr,
		uint64_t now_ms, uint32_t *ts, uint64_t *stamp_ms);

/* Counters of the model. */
struct legacy_stats {
	uint64_t syn_checked, paws_passive, listen_drops;
	uint64_t remembered, tw_entered;
};
void legacy_stats(const struct legacy *lg, struct legacy_stats *st);

#endif
