/* nftlb.h - a load balancer's nftables rules: its virtual address DNATed
 * to its servers, a counter per server, the source NAT of full NAT, and
 * the request and parser that read the counters back. */
#ifndef NATLAB_NFTLB_H
#define NATLAB_NFTLB_H

#include <stddef.h>
#include <stdint.h>

#include <linux/netlink.h>

#include "lib/nft.h"

/* The chains in "table ip natlab": the DNAT (hook prerouting, priority
 * dstnat) and the counters and source NAT (postrouting, srcnat). */
#define NFTLB_DNAT "lb_dnat"
#define NFTLB_SNAT "lb_snat"

#define NFTLB_SERVERS_MAX 16
#define NFTLB_PORTS_MAX	  64
#define NFTLB_NAME_MAX	  16 /* a server's name, its NUL included */

enum nftlb_schedule {
	NFTLB_ROUND_ROBIN, /* numgen inc mod N */
	NFTLB_HASH,	   /* jhash ip saddr . tcp sport mod N seed S */
};

/* One real server: its address (host order) and its name, which is its
 * counter's comment. */
struct nftlb_server {
	uint32_t addr;
	const char *name;
};

/* A balancer, as its rules need it. */
struct nftlb {
	uint32_t vip; /* the virtual address, host order */
	const uint16_t *ports;
	int nports; /* 1 .. NFTLB_PORTS_MAX, host order */
	const struct nftlb_server *servers;
	int nservers; /* 1 .. NFTLB_SERVERS_MAX */
	enum nftlb_schedule schedule;
	uint32_t seed;	    /* of the hash */
	uint32_t snat_addr; /* full NAT: the source the servers see, host
			       order; 0: destination NAT only */
};

/**
 * nftlb_rules() - add a balancer's rules to a batch
 * @b:  batch, not ended
 * @lb: the balancer
 *
 * Adds "table ip natlab" and two nat chains.  NFTLB_DNAT holds one rule:
 *
 *   ip daddr VIP tcp dport { PORTS } counter
 *     dnat to numgen inc mod N map { 0 : S0, 1 : S1, ... }
 *
 * (or "jhash ip saddr . tcp sport mod N seed SEED"), with an anonymous
 * set of the ports (one port: a plain compare) and an anonymous map.
 * NFTLB_SNAT holds one rule per server, commented with its name:
 *
 *   ip daddr S ct status dnat counter [snat to SNAT_ADDR]
 *
 * A nat chain sees only the first packet of a connection, so each
 * counter counts the connections given to its server, retransmitted
 * SYNs not again.
 * Return: 0 or -errno (-EINVAL for a balancer out of bounds or an ended
 * batch; the batch is then left as it was).
 */
int nftlb_rules(struct nft_batch *b, const struct nftlb *lb);

/* One server's count, as read back. */
struct nftlb_count {
	char name[NFTLB_NAME_MAX];
	uint64_t conns; /* connections given to it (its counter's packets) */
};

/**
 * nftlb_counts_req() - the request for the rules of NFTLB_SNAT in "table
 * ip natlab" (a dump), into @buf (at least MNL_SOCKET_BUFFER_SIZE bytes)
 * @seq: its sequence number
 * Return: its length, 0 if libnftnl ran out of memory.
 */
size_t nftlb_counts_req(void *buf, uint32_t seq);

/**
 * nftlb_counts_parse() - one message of that dump's answer
 * @nlh: the message
 * @out: filled with the server's name and count
 * Return: 1 for a rule of NFTLB_SNAT with a comment and a counter; 0 for
 * any other message; -EINVAL if libnftnl cannot parse a rule message.
 */
int nftlb_counts_parse(const struct nlmsghdr *nlh, struct nftlb_count *out);

/**
 * nftlb_counts() - read the servers' counts of the balancer in this
 * network namespace (the request above, sent and answered)
 * @out: up to @max counts
 * Return: how many were read (0 without the table), or -errno.
 */
int nftlb_counts(struct nftlb_count *out, int max);

#endif
