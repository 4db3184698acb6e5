/* capture.h - every SYN of a run, seen on the lab's switch. */
#ifndef NATLAB_CAPTURE_H
#define NATLAB_CAPTURE_H

#include <stdint.h>

#include "topo.h"

#define CAP_TX_MAX 8 /* SYN transmissions kept per connection */

/* What answered one SYN transmission at the server. */
enum cap_answer {
	CAP_NONE,   /* reached the server, nothing came back: dropped */
	CAP_SYNACK, /* a SYN-ACK */
	CAP_TWACK,  /* an ACK: the SYN hit a TIME_WAIT socket (PAWS) */
	CAP_RST,    /* a RST */
	CAP_LOST,   /* never reached the server (dropped on the way) */
};

/* One connection's SYNs, keyed by its initial sequence number, which
 * NAT does not change: the client's port and the server's port see the
 * same ISN. */
struct cap_syn {
	uint32_t isn;
	uint16_t client;   /* node index */
	uint16_t sport;	   /* client's port */
	uint16_t ext_port; /* the port the server saw (after NAT) */
	uint8_t ntx;	   /* transmissions seen leaving the client */
	uint8_t nrx;	   /* arrivals at the server */
	uint8_t last_rx;   /* transmission the last arrival belongs to */
	uint32_t tx_us[CAP_TX_MAX]; /* when each left the client */
	uint8_t answer[CAP_TX_MAX]; /* enum cap_answer, per transmission */
	uint32_t tsval;		    /* TSval of the first transmission */
};

struct cap_totals {
	uint64_t syn_in, synack_out, twack_out, rst_out;
	uint64_t syn_from_clients;
	uint64_t ext_ports, ext_port_reuse; /* mappings, reused ports */
	uint64_t frames, dropped;	    /* capture's own health */
};

struct capture;

/**
 * capture_start() - open a packet socket in the lab's switch namespace
 * and follow SYNs between the clients and the server in a thread
 * @t0_ns: the run's time origin (CLOCK_MONOTONIC, ns)
 * Return: NULL with errno set on failure.
 */
struct capture *capture_start(const struct topo *t, uint64_t t0_ns);

/* Stop the thread after reading what is queued; then the results below
 * are valid until capture_free(). */
void capture_stop(struct capture *c);
void capture_free(struct capture *c);

const struct cap_syn *capture_syns(const struct capture *c, uint32_t *n);
void capture_totals(const struct capture *c, struct cap_totals *tot);

/* The connection of client node @client, port @sport, started at
 * @start_us (the latest one started before it ended), or NULL. */
const struct cap_syn *capture_find(const struct capture *c, int client,
				   uint16_t sport, uint32_t start_us,
				   uint32_t end_us);

#endif
