/* engine_fault.h - which packet of which connection a fault names: the
 * engine's fault matching, without I/O. */
#ifndef NATLAB_ENGINE_FAULT_H
#define NATLAB_ENGINE_FAULT_H

#include <stdint.h>

#include "lib/pkt.h"
#include "lib/tuple.h"
#include "topo/topo.h"

/* A connection of a node with faults, as the faults count it. */
struct eng_fault_conn {
	struct tuple_slot slot; /* its 4-tuple, as the node sees it */
	uint32_t isn;		/* the SYN's sequence number */
	uint32_t index;		/* the node's Nth connection (1-based) */
	int peer_fin;		/* the peer's FIN was seen */
};

/* One fault of a node, and how many packets matched it so far. */
struct eng_fault {
	const struct topo_fault *f;
	uint32_t seen;
};

/* A node's faults and the connections they count. */
struct eng_faults {
	struct eng_fault *v;
	int n;
	/* struct eng_fault_conn; it lives as long as the node: connections
	 * are never stale. */
	struct tuple_table conns;
	uint32_t next_index;
};

/**
 * engine_fault_init() - the faults of one node of a topology
 * @fs:   filled; engine_fault_free() frees what it holds
 * @t:    the topology
 * @node: the node's index in @t
 *
 * Keeps pointers to @t's faults, in the topology's order (the first that
 * takes a packet wins).  Nothing is allocated if the node has none.
 */
void engine_fault_init(struct eng_faults *fs, const struct topo *t, int node);
void engine_fault_free(struct eng_faults *fs);

/**
 * engine_fault_conn() - the connection a packet belongs to, numbered
 * @fs:  the node's faults
 * @t:   the packet's 4-tuple, as the node sees it
 * @p:   the packet
 * @out: 1 if the node sends it, 0 if it receives it
 *
 * Connections are numbered from 1 in the order the node opens or accepts
 * them: by the first SYN (without ACK) seen either way.  A SYN with a new
 * ISN on a 4-tuple seen before is a new connection (the port was reused);
 * a retransmitted SYN, with the same ISN, is not.  A FIN the node receives
 * marks its connection's peer_fin.
 * Return: the connection (valid until the next SYN of a new 4-tuple), or
 * NULL for a packet of a connection whose SYN was not seen.
 */
struct eng_fault_conn *engine_fault_conn(struct eng_faults *fs,
					 const struct tuple *t,
					 const struct pkt *p, int out);

/**
 * engine_fault_kind() - is @p a packet of kind @k?
 * @k: the kind a fault names
 * @p: the packet
 * @c: its connection (engine_fault_conn()), or NULL if unknown
 *
 * A pure ACK has ACK and none of SYN, FIN, RST, nor payload; the final ACK
 * is a pure ACK after the peer's FIN.
 * Return: 1 or 0.
 */
int engine_fault_kind(enum topo_fault_packet k, const struct pkt *p,
		      const struct eng_fault_conn *c);

/**
 * engine_fault_match() - number a packet's connection and count it against
 * the faults
 * @fs:  the node's faults
 * @t:   the packet's 4-tuple, as the node sees it
 * @p:   the packet
 * @out: 1 if the node sends it, 0 if it receives it
 *
 * Every fault of the right direction, connection and kind that has not
 * fired yet counts the packet, in order, until one reaches its nth.
 * Return: that fault, which fires now (never again), or NULL.
 */
const struct topo_fault *engine_fault_match(struct eng_faults *fs,
					    const struct tuple *t,
					    const struct pkt *p, int out);

#endif
