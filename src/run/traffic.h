/* traffic.h - the built-in servers and client load generator. */
#ifndef NATLAB_TRAFFIC_H
#define NATLAB_TRAFFIC_H

#include <signal.h>
#include <stdint.h>

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
#define TR_F_STARTED   0x2 /* connect() was tried */

struct tr_server_stats {
	uint64_t accepted, reset, errors;
};

struct traffic;

/**
 * traffic_new() - plan a run's connections from the topology
 * Return: NULL with errno set on failure.
 */
struct traffic *traffic_new(const struct topo *t);
void traffic_free(struct traffic *tr);

/**
 * traffic_run() - open the servers' ports, run every planned attempt,
 * wait for them to end
 * @stop: set (by a signal handler) to end the run early
 * @t0_ns: the run's time origin (CLOCK_MONOTONIC), shared with the
 *         capture so that their times compare
 * Return: 0, -EINTR if stopped, or -errno.
 */
int traffic_run(struct traffic *tr, volatile sig_atomic_t *stop,
		uint64_t t0_ns);

/* The attempts, in planned order, after traffic_run(). */
const struct tr_rec *traffic_recs(const struct traffic *tr, uint32_t *n);

/* A server's counters (node index), zero if it is not one. */
void traffic_server_stats(const struct traffic *tr, int node,
			  struct tr_server_stats *st);

/* Wall time of the run in microseconds. */
uint64_t traffic_elapsed_us(const struct traffic *tr);

const char *traffic_outcome_name(enum tr_outcome o);

#endif
