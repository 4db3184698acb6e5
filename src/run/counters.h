/* counters.h - a node's kernel counters: TcpExt, conntrack, TCP states;
 * a balancer's connections per server. */
#ifndef NATLAB_COUNTERS_H
#define NATLAB_COUNTERS_H

#include <stdint.h>

#include "topo/topo.h"

/* What a run reads from a node before and after its traffic. */
struct counters {
	uint64_t paws_timewait;	   /* TcpExt PAWSTimewait */
	uint64_t paws_estab;	   /* TcpExt PAWSEstab */
	uint64_t listen_overflows; /* TcpExt ListenOverflows */
	uint64_t listen_drops;	   /* TcpExt ListenDrops */
	uint64_t tw_overflow;	   /* TcpExt TCPTimeWaitOverflow */
	uint64_t tw_recycled;	   /* TcpExt TWRecycled */
	uint64_t in_csum_errors;   /* Tcp InCsumErrors */
	uint64_t ct_insert_failed; /* nf_conntrack stats, all CPUs */
	uint64_t ct_drop, ct_clashres;
	uint64_t ct_count;	 /* live conntrack entries (a dump: the kernel's
				      count includes expired ones until its
				      garbage collector runs) */
	uint64_t ct_invalid;	 /* packets conntrack found INVALID */
	uint64_t challenge_acks; /* TcpExt TCPChallengeACK */
	uint64_t estab_resets;	 /* Tcp EstabResets */
	unsigned int tcp_states[12]; /* sockets by state (6: TIME_WAIT) */
	/* a balancer's connections per server, in the order of its
	 * servers (counters_balancer()) */
	uint64_t lb_conns[TOPO_LB_SERVERS_MAX];
};

/**
 * counters_read() - read the counters of namespace "<lab>-<node>"
 * Return: 0 or -errno.  Counters a namespace lacks (no conntrack in a
 * client) stay zero.
 */
int counters_read(const char *lab, const char *node, struct counters *p);

/**
 * counters_balancer() - read balancer @b's connections per server into
 * p->lb_conns (its per-server counters, found by its servers' names)
 * @t: the topology; @b: the balancer's node index
 * Return: 0 or -errno (logged); counts not found stay as they were.
 */
int counters_balancer(const struct topo *t, int b, struct counters *p);

/* The value of one field of a TcpExt/Tcp style "Name: f1 f2\nName: v1 v2"
 * file body, for tests.  Return: 0 and *v, or -ENOENT. */
int counters_field(const char *text, const char *section, const char *field,
		   uint64_t *v);

#endif
