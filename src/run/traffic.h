/* traffic.h - the built-in servers and client load generator. */
#ifndef NATLAB_TRAFFIC_H
#define NATLAB_TRAFFIC_H

#include <signal.h>
#include <stdint.h>

#include "lib/progress.h"
#include "topo/topo.h"

enum tr_outcome {
	TR_PENDING,
	TR_OK,	    /* established, request answered, closed as planned */
	TR_TIMEOUT, /* no SYN-ACK before the SYN retries (or our limit) ran out */
	TR_REFUSED, /* RST in answer to the SYN */
	TR_RESET,   /* RST after the connection was up */
	TR_NO_PORT, /* no free local port (EADDRNOTAVAIL, EADDRINUSE) */
	TR_ERROR,   /* anything else (errno kept in the run's log) */
};

/* One connection attempt, as measured by the client.  24 bytes: a run of
 * 100,000 connections keeps 2.4 MB of these. */
struct tr_rec {
	/* connect() called, since the run began (0: never started); until
	 * then, inside traffic_run(), when the schedule wants it to start */
	uint32_t start_us;
	uint32_t connect_us; /* until established or failed */
	uint32_t end_us;     /* closed, since the run began */
	uint32_t seq;	     /* k-th attempt of its client (0-based) */
	uint16_t client;     /* node index */
	uint16_t sport;	     /* local port */
	uint8_t outcome;     /* enum tr_outcome */
	uint8_t syn_retrans; /* SYN retransmissions before the outcome */
	uint8_t err;	     /* errno of a TR_ERROR */
	uint8_t flags;	     /* TR_F_* */
};

#define TR_F_CONNECTED 0x1 /* the handshake completed */
#define TR_F_STARTED   0x2 /* the attempt started, at start_us */

struct tr_server_stats {
	uint64_t accepted, reset, errors;
};

struct traffic;

/**
 * traffic_new() - plan a run's connections from the topology
 * @t: the topology; it must outlive the generator
 *
 * Opens every node's namespace (an fd the workers enter later) and plans
 * every attempt (traffic_plan.h); nothing runs until traffic_run().  A
 * node whose namespace cannot be opened here is found out later: its
 * attempts end as TR_ERROR (ENOENT), or traffic_run() fails if it is a
 * server.
 * Return: the generator, never NULL (its allocations cannot fail,
 * util.h); traffic_free() frees it.
 */
struct traffic *traffic_new(const struct topo *t);

/* traffic_free() - close every socket and namespace the generator still
 * holds, and free it (and the records); NULL is allowed. */
void traffic_free(struct traffic *tr);

/**
 * traffic_run() - open the servers' ports, run every planned attempt,
 * wait for them to end
 * @stop: set (by a signal handler) to end the run early
 * @t0_ns: the run's time origin (CLOCK_MONOTONIC), shared with the
 *         capture so that their times compare
 * @pg: started for the planned attempts, or NULL: while it waits, the
 *      line shows how many attempts have ended
 *
 * Call it once.  The run ends when every attempt has ended and the
 * servers have seen the last closes, when @stop is set, or after
 * [traffic] max (attempts not ended by then stay TR_PENDING).
 * Return: 0; -EINTR if stopped; -EINVAL if the topology has no traffic
 * server; or -errno if a server's namespace or port, an epoll or eventfd,
 * or a worker thread (-EAGAIN) could not be set up, or a worker's
 * epoll_wait() failed.
 */
int traffic_run(struct traffic *tr, volatile sig_atomic_t *stop, uint64_t t0_ns,
		struct progress *pg);

/**
 * traffic_recs() - the attempts, in planned order
 * @n: set to their number
 *
 * After traffic_run(), each record holds its outcome and times, and an
 * attempt that never started has start_us 0; before it, start_us is when
 * the schedule wants the attempt to start.
 * Return: the records, owned by @tr (valid until traffic_free()).
 */
const struct tr_rec *traffic_recs(const struct traffic *tr, uint32_t *n);

/* traffic_server_stats() - the counters of the server at node index
 * @node, summed over the workers; zero if it is not a server. */
void traffic_server_stats(const struct traffic *tr, int node,
			  struct tr_server_stats *st);

/* traffic_elapsed_us() - microseconds from the run's time origin to the
 * end of traffic_run(). */
uint64_t traffic_elapsed_us(const struct traffic *tr);

/* traffic_outcome_name() - "ok", "timeout", ... as the reports print it;
 * "?" for a value that is no outcome. */
const char *traffic_outcome_name(enum tr_outcome o);

#endif
