/* engine_int.h - what the packet engine's files share: its nodes, its
 * timers, and the entry points of each part. */
#ifndef NATLAB_ENGINE_INT_H
#define NATLAB_ENGINE_INT_H

#include <stdint.h>
#include <stdio.h>

#include "engine/engine_fault.h"
#include "engine/engine_legacy.h"
#include "lib/heap.h"
#include "lib/netlink.h"
#include "lib/netns.h"
#include "lib/nfq.h"
#include "lib/pkt.h"
#include "lib/tuple.h"
#include "lib/util.h"
#include "topo/topo.h"

struct eng_node;

enum eng_timer_kind {
	ENG_TIMER_TW_END,  /* end a kernel TIME_WAIT socket (tcp_tw_recycle) */
	ENG_TIMER_RELEASE, /* let a delayed packet go */
};

struct eng_timer {
	uint64_t at_ms;
	enum eng_timer_kind kind;
	struct eng_node *node;
	struct tuple tuple; /* ENG_TIMER_TW_END */
	uint32_t id;	    /* ENG_TIMER_RELEASE */
	uint8_t *data;	    /* its rewritten bytes, or NULL */
	size_t len;
};

struct eng_stats {
	uint64_t seen, rewritten, csum_partial, gso, malformed, truncated;
	uint64_t paws_drops, fault_drops, delayed, tw_shortened, tw_gone;
	uint64_t overruns;
};

struct eng_node {
	struct engine *e;
	const struct topo_node *tn;
	char ns[NETNS_NAME_MAX];
	struct nfq *q;
	int nsfd;
	int held; /* verdicts held back (delays) */
	/* clock */
	int clock;
	int bpf;       /* kept by the tc program, not queued */
	uint32_t addr; /* the client's address (host order): the map's key */
	uint32_t offset;
	int32_t skew_ppm;
	/* legacy host (engine_legacy.c) */
	struct legacy *lg;
	int native; /* the kernel has tcp_tw_recycle: set, not emulated */
	struct netlink diag; /* sock_diag in its namespace */
	/* faults (engine_fault.c) */
	struct eng_faults faults;
	int queue_stats_fd; /* /proc/net/netfilter/nfnetlink_queue there */
	struct eng_stats st;
};

struct engine {
	const struct topo *t;
	struct eng_node *nodes;
	int nnodes;
	int epfd;
	struct nfq_io *io;  /* buffers of every queue */
	struct heap timers; /* struct eng_timer, soonest first */
	uint64_t start_ms;
	int compat;	   /* the xtables NFQUEUE target was needed */
	struct tsbpf *bpf; /* the clock program, if any client uses it */
	FILE *timeline;	   /* what the legacy servers remember, and when */
};

/* CLOCK_MONOTONIC in ms: also a client's TCP clock (tcp_clock_ms()). */
static inline uint64_t engine_now_ms(void)
{
	return util_now_ns() / 1000000;
}

/* ---- engine_setup.c ---- */

/**
 * engine_setup() - make every node of the engine ready to queue
 * @e: an engine whose nodes are filled in (engine.c)
 *
 * Decides which clients keep their clock in the tc program, then, in each
 * node's namespace, attaches that program or installs the node's rules and
 * binds its queue, and opens what its legacy server needs.  A node with
 * the kernel's own tcp_tw_recycle may end with no queue (n->q NULL).
 * Return: 0, or -errno (logged, with the namespace) at the first node that
 * failed; what was set up stays for engine.c's clean-up.
 */
int engine_setup(struct engine *e);

/* ---- engine_fault.c ---- */

/**
 * engine_fault_check() - count a packet of node @n against its faults
 * @n:   the node
 * @t:   the packet's connection, as the node sees it
 * @p:   the packet
 * @out: 1 if the node sends it, 0 if it receives it
 *
 * Return: the fault that takes this packet (logged once), or NULL.
 */
const struct topo_fault *engine_fault_check(struct eng_node *n,
					    const struct tuple *t,
					    const struct pkt *p, int out);

/**
 * engine_fault_delay() - hold a queued packet's verdict for @delay_ms
 * @n:         the node whose queue holds it
 * @np:        the packet
 * @rewritten: its bytes were changed (the clock): they go with the verdict
 * @delay_ms:  how long
 *
 * The kernel keeps a queued packet until it gets a verdict, so holding the
 * verdict delays the packet.  A copy of rewritten bytes is kept by the
 * timer and freed when it fires (or by engine.c's clean-up).
 * Return: 0.
 */
int engine_fault_delay(struct eng_node *n, const struct nfq_packet *np,
		       int rewritten, uint32_t delay_ms);

/* engine_fault_release() - the verdict a delay held back, now (a timer's
 * work; frees its copy of the bytes). */
void engine_fault_release(struct eng_node *n, struct eng_timer *tm);

/* ---- engine_legacy.c ---- */

/* engine_legacy_init() - give node @n, a legacy host, its model
 * (legacy.c); engine_legacy_fini() frees it. */
void engine_legacy_init(struct eng_node *n);

/**
 * engine_legacy_open() - what a legacy host needs of its namespace
 * @n: the node; the caller has entered its namespace
 *
 * A sock_diag socket (the model's questions are answered, and TIME_WAIT
 * sockets ended, through it) and the host's settings the model needs
 * (tcp_timestamps, tcp_syncookies, tcp_rfc1337, tcp_fin_timeout,
 * tcp_max_syn_backlog): its model is made anew with them.
 * Return: 0 or -errno (logged).
 */
int engine_legacy_open(struct eng_node *n);

/* engine_legacy_fini() - free what engine_legacy_init() and _open() made;
 * safe on a node that never had them. */
void engine_legacy_fini(struct eng_node *n);

/* What engine_legacy_packet() says of a packet. */
enum {
	ENG_LEGACY_PASS,      /* let it go as it is */
	ENG_LEGACY_DROP,      /* drop it: the listener's check refused it */
	ENG_LEGACY_REWRITTEN, /* let it go with the bytes changed (TSecr) */
};

/**
 * engine_legacy_packet() - give one packet of a legacy host to its model
 * @n:       the node (n->lg set)
 * @p:       the packet, parsed; its bytes may be changed
 * @out:     1 if the host sends it, 0 if it receives it
 * @partial: the packet's checksum is not finished yet (CHECKSUM_PARTIAL):
 *           a changed packet then leaves with a full one
 *
 * The one way in from the verdict path.  A TIME_WAIT the model shortens
 * gets an ENG_TIMER_TW_END timer.
 * Return: ENG_LEGACY_PASS, _DROP or _REWRITTEN.
 */
int engine_legacy_packet(struct eng_node *n, struct pkt *p, int out,
			 int partial);

/* engine_legacy_tw_end() - end the kernel's TIME_WAIT socket of @t and
 * tell the model, unless the model has re-armed that TIME_WAIT since (an
 * ENG_TIMER_TW_END timer's work). */
void engine_legacy_tw_end(struct eng_node *n, const struct tuple *t);

/* engine_legacy_timeline_open() - the lab's "timeline" file, where the
 * legacy servers' drops and remembered timestamps are written for the
 * pictures; none if it cannot be opened.  engine_legacy_timeline_close()
 * closes it. */
void engine_legacy_timeline_open(struct engine *e);
void engine_legacy_timeline_close(struct engine *e);

/* ---- engine_stats.c ---- */

/* engine_stats_write() - replace the lab's "engine" counter file with
 * every node's counters now; @final is 1 for the last write at exit. */
void engine_stats_write(struct engine *e, int final);

#endif
