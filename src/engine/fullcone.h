/* fullcone.h - the full-cone keeper: conntrack events -> nftables maps. */
#ifndef NATLAB_FULLCONE_H
#define NATLAB_FULLCONE_H

#include <stdint.h>

struct ct_entry;
struct fullcone;

/* A mapping the full-cone keeper learns: internal endpoint, its port
 * outside. */
struct fullcone_map {
	uint32_t int_addr;
	uint16_t int_port, ext_port;
	uint8_t proto; /* IPPROTO_TCP or IPPROTO_UDP */
};

/**
 * fullcone_classify() - the mappings a TCP or UDP conntrack entry of the gateway
 * stands for (no I/O)
 * @e:      the entry (its tuples)
 * @ext:    the gateway's outside address
 * @net:    the inside network, @mask its netmask (host order)
 * @out:    up to two mappings
 *
 * An outbound connection (from inside, source-NATed to @ext) stands for
 * the mapping of its source; one to @ext that was DNATed inside, for the
 * mapping of its destination; a hairpinned one for both.
 * Return: the number of mappings (0, 1 or 2).
 */
int fullcone_classify(const struct ct_entry *e, uint32_t ext, uint32_t net,
		      uint32_t mask, struct fullcone_map out[2]);

/**
 * fullcone_start() - start the keeper of a gateway; return once it
 * listens to conntrack events
 * @nsfd:   the gateway's namespace (the keeper's thread stays in it)
 * @ext:    the gateway's outside address
 * @net:    its inside network, @mask that network's netmask (host order)
 * @out:    the running keeper
 * Return: 0 or -errno (-ETIMEDOUT: it did not listen within 3 s).
 */
int fullcone_start(int nsfd, uint32_t ext, uint32_t net, uint32_t mask,
		   struct fullcone **out);

struct fullcone_counts {
	uint32_t events;    /* conntrack events read */
	uint32_t mappings;  /* mappings installed in the maps */
	uint32_t conflicts; /* mappings the maps refused */
	uint32_t lost;	    /* event overruns (ENOBUFS) */
	uint32_t active;    /* mappings held now */
	/* unsolicited SYNs (RFC 5382 REQ-4, synhold.c) */
	uint32_t held;		/* held 6 s */
	uint32_t icmp_sent;	/* then answered: ICMP port unreachable */
	uint32_t punched;	/* dropped: an outbound SYN came first */
	uint32_t hold_overflow; /* dropped: too many held */
};

/* fullcone_counts() - the keeper's counters so far */
void fullcone_counts(struct fullcone *k, struct fullcone_counts *c);

/* fullcone_stop() - stop the keeper and free it */
void fullcone_stop(struct fullcone *k);

#endif
