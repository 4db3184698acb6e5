/* capture.h - every SYN of a run, seen on the lab's switch. */
#ifndef NATLAB_CAPTURE_H
#define NATLAB_CAPTURE_H

#include <stdint.h>

#include "topo/topo.h"

#define CAP_TX_MAX 8 /* SYN transmissions kept per connection */

/* What answered one SYN transmission at the server. */
enum cap_answer {
	CAP_NONE,   /* reached the server, nothing came back: dropped */
	CAP_SYNACK, /* a SYN-ACK */
	CAP_TWACK,  /* an ACK: the SYN hit a TIME_WAIT socket (PAWS) */
	CAP_RST,    /* a RST */
	CAP_LOST,   /* never reached the server (dropped on the way) */
};

/*
 * One connection's SYNs, keyed by its initial sequence number, which
 * NAT does not change: the client's port and the server's port see the
 * same ISN.  24 bytes, for the first transmission; the times and answers
 * of a retransmitted SYN's later transmissions are kept apart, in an
 * entry only such connections get.  Read them all with capture_tx_us()
 * and capture_answer().
 */
struct cap_syn {
	uint32_t isn;
	uint32_t tx_us;	   /* when the first transmission left the client */
	uint32_t tsval;	   /* TSval of the first transmission */
	uint16_t client;   /* node index */
	uint16_t sport;	   /* client's port */
	uint16_t ext_port; /* the port the server saw (after NAT) */
	uint8_t ntx;	   /* transmissions seen leaving the client */
	/* Arrivals at the server (low 4 bits, counting up to 15) and the
	 * transmission the last arrival belongs to (the bits above). */
	uint8_t rx;
	/* The answer to the first transmission (low 3 bits), and index + 1
	 * of the later transmissions' entry (the bits above; 0: none). */
	uint32_t more;
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
 * and follow SYNs between the clients and the servers the traffic
 * reaches (the target server, or each server of a target balancer,
 * whose own ports are left out as a gateway's are) in a thread
 * @t: the topology, with a traffic target (t->traffic.server >= 0); it
 *     must outlive the capture
 * @t0_ns: the run's time origin (CLOCK_MONOTONIC, ns)
 *
 * Return: the capture, which capture_stop() stops and capture_free()
 * frees; or NULL with errno set if the switch's namespace cannot be
 * opened or entered, the packet socket, its ring or its filter cannot be
 * set up, or the thread cannot start (EAGAIN).  Memory is never the
 * cause: natlab's allocations abort instead (util.h).
 */
struct capture *capture_start(const struct topo *t, uint64_t t0_ns);

/**
 * capture_open() - what capture_start() keeps, with no socket and no
 * thread: frames come from capture_feed() (tests)
 * @t: as for capture_start()
 * Return: the capture, never NULL (allocation cannot fail: util.h);
 * capture_free() frees it.
 */
struct capture *capture_open(const struct topo *t, uint64_t t0_ns);

/**
 * capture_feed() - one frame, as the thread would see it
 * @role: the switch port's: client node index + 1; -1 - K that of the
 *        K-th server the traffic reaches (-1: the target server, or a
 *        target balancer's first server); 0 any other (ignored)
 * @to_node: the frame leaves the switch towards the node
 * @ip: the IPv4 packet, @len bytes
 * @now_us: when, since the run began
 *
 * For a capture_open() capture, before capture_stop().
 */
void capture_feed(struct capture *c, int role, int to_node, uint8_t *ip,
		  size_t len, uint32_t now_us);

/**
 * capture_stop() - end the capture and prepare its results
 *
 * Stops the thread after it has read what is queued, keeps the kernel's
 * count of frames the ring had no room for, closes the socket, and sorts
 * the connections for capture_find().  Call it once; the results below
 * are valid from then on until capture_free().
 */
void capture_stop(struct capture *c);

/* capture_free() - free a stopped capture (or one never started); NULL
 * is allowed. */
void capture_free(struct capture *c);

/* capture_syns() - every connection seen, in the order first seen; @n is
 * set to their number. */
const struct cap_syn *capture_syns(const struct capture *c, uint32_t *n);

/* capture_tx_us() - when transmission @k (0 .. CAP_TX_MAX - 1) of @s
 * left its client, in microseconds since the run began; 0 if not seen. */
uint32_t capture_tx_us(const struct capture *c, const struct cap_syn *s, int k);

/* capture_answer() - what answered transmission @k (0 .. CAP_TX_MAX - 1)
 * of @s; also CAP_NONE for one not seen or past what is kept. */
enum cap_answer capture_answer(const struct capture *c, const struct cap_syn *s,
			       int k);

/* capture_totals() - the counts over the whole capture. */
void capture_totals(const struct capture *c, struct cap_totals *tot);

/* capture_server_totals() - the counts of one server the traffic reaches
 * (node index @node): syn_in, synack_out, twack_out and rst_out, the
 * rest 0; all 0 for a node the capture does not follow. */
void capture_server_totals(const struct capture *c, int node,
			   struct cap_totals *tot);

/**
 * capture_find() - the connection of an attempt the generator made
 * @client: its client's node index; @sport: its local port
 * @start_us, @end_us: when the attempt started and ended, by the
 *                     generator's clock
 *
 * The capture's clock and the generator's differ by the time a SYN takes
 * to reach the switch and by the two clocks' conversion: of the
 * connections of that client and port, the one whose first SYN left
 * closest to @start_us, at most 50 ms from it, and not more than 50 ms
 * after @end_us.  After capture_stop().
 * Return: the connection, or NULL if none fits.
 */
const struct cap_syn *capture_find(const struct capture *c, int client,
				   uint16_t sport, uint32_t start_us,
				   uint32_t end_us);

#endif
