/* nft.h - nftables rulesets built with libnftnl, sent as one batch. */
#ifndef NATLAB_NFT_H
#define NATLAB_NFT_H

#include <stddef.h>
#include <stdint.h>

struct netlink;

/* The table natlab owns in every namespace it puts rules in. */
#define NFT_TABLE "natlab"

struct nft_batch;

/* Allocate an empty batch (BATCH_BEGIN already written).  NULL (errno
 * ENOMEM) if libmnl cannot start its batch. */
struct nft_batch *nft_batch_new(void);
void nft_batch_free(struct nft_batch *b);

/* A gateway's masquerade: its flags and port range. */
#define NFT_MASQ_RANDOM	      0x1u /* random port (NF_NAT_RANGE_PROTO_RANDOM) */
#define NFT_MASQ_FULLY_RANDOM 0x2u /* ..._PROTO_RANDOM_FULLY */
#define NFT_MASQ_PERSISTENT   0x4u /* NF_NAT_RANGE_PERSISTENT */

struct nft_masq {
	unsigned int flags;	     /* NFT_MASQ_* */
	uint16_t port_min, port_max; /* both 0: any port */
};

/**
 * nft_masquerade() - add a gateway's masquerade to a batch
 * @b:       batch
 * @m:       its flags and port range
 * @oifname: its outside interface
 *
 * Adds "table ip natlab", a "postrouting" nat chain (hook postrouting,
 * priority srcnat = 100), and rules matching oifname with a counter and
 * masquerade carrying the flags (random, fully-random, persistent) and
 * port range.  nftables only takes a port range after a transport
 * protocol match, so with a range there is one rule per protocol that
 * has ports (tcp, udp) plus a rule without a range for everything else.
 * Return: 0 or -errno (-EINVAL for a bad interface name, flag or range;
 * the batch is left as it was).
 */
int nft_masquerade(struct nft_batch *b, const struct nft_masq *m,
		   const char *oifname);

/**
 * nft_engine_chain() - add "table ip natlab" and a filter base chain
 * @chain: its name; @hook: NF_INET_*; @prio: its priority
 * Return: 0 or -errno.
 */
int nft_engine_chain(struct nft_batch *b, const char *chain, int hook,
		     int prio);

/* A rule that hands TCP packets to the packet engine. */
struct nft_queue {
	const char *chain;
	uint8_t mask, value; /* queue if (tcp flags & mask) == value;
				mask 0: every TCP packet */
	int neq;	     /* queue if (tcp flags & mask) != value */
	uint16_t num;	     /* queue number */
	int bypass;	     /* accept when no program listens */
	int compat;	     /* the xtables NFQUEUE target (nft_compat)
				instead of the queue expression */
};

/**
 * nft_engine_queue() - add "meta l4proto tcp [tcp flags & M ==/!= V]
 * counter queue" to a chain made by nft_engine_chain()
 * Return: 0 or -errno.
 */
int nft_engine_queue(struct nft_batch *b, const struct nft_queue *q);

/* The set of a legacy host's connections that are closing. */
#define NFT_CLOSING "closing"

/* What the nft_engine_closing_*() builders make: the set, and where its
 * rules go. */
struct nft_closing {
	const char *in_chain, *out_chain; /* made by nft_engine_chain() */
	uint32_t timeout_ms;		  /* an element's life */
	uint32_t size;			  /* elements at most */
};

/*
 * The rules that queue every segment of a connection from the moment the
 * host sends its FIN, so that the model of tcp_tw_recycle can follow the
 * close (the ACK of that FIN, a simultaneous close, TIME_WAIT):
 *   set closing { type ipv4_addr . inet_service . inet_service;
 *                 flags dynamic,timeout }
 *   out: tcp flags & fin == fin update @closing { ip daddr . tcp dport .
 *        tcp sport }
 *   out: ip daddr . tcp dport . tcp sport @closing counter queue
 *   in:  ip saddr . tcp sport . tcp dport @closing counter queue
 * The update has no verdict, so it goes before the rule that queues FINs;
 * the two queue rules after the host's other queue rules.  A full set
 * only stops new elements: the FIN itself is still queued by its rule.
 * Each builder returns 0 or -errno (the batch is left as it was).
 */

/* nft_engine_closing_set() - the set, with @c's element life and size */
int nft_engine_closing_set(struct nft_batch *b, const struct nft_closing *c);

/* nft_engine_closing_add() - the out rule that puts a FIN's connection in
 * the set (or renews it) */
int nft_engine_closing_add(struct nft_batch *b, const struct nft_closing *c);

/* nft_engine_closing_queue() - the in and out rules that queue what the
 * set holds, to queue @q (its chain, mask, value and neq are not used) */
int nft_engine_closing_queue(struct nft_batch *b, const struct nft_closing *c,
			     const struct nft_queue *q);

/**
 * nft_batch_send() - end the batch and send it in the caller's netns
 * @b:      batch (may be sent once)
 * @nl:     a NETLINK_NETFILTER socket of the namespace (netlink_open()),
 *          for a caller that sends many batches; NULL: one is opened in
 *          the current network namespace for this batch
 * @err:    on failure: which message failed (e.g. "rule postrouting:
 *          oifname \"wan\" counter masquerade fully-random") and the
 *          kernel's own error text (NETLINK_EXT_ACK) when it gave one
 * @errlen: size of @err
 *
 * Sends the batch and reads an ack for every message (netlink_talk()).
 * Return: 0 or -errno of the first failing message.
 */
int nft_batch_send(struct nft_batch *b, struct netlink *nl, char *err,
		   size_t errlen);

/* The batch as bytes, for tests that parse it back: head and length
 * (BATCH_END is added by nft_batch_send(), or by nft_batch_end()). */
void nft_batch_end(struct nft_batch *b);
const void *nft_batch_data(const struct nft_batch *b);
size_t nft_batch_len(const struct nft_batch *b);

/* Number of messages in the batch (BEGIN and END excluded) and the
 * human description of message i (0-based) as used in errors. */
int nft_batch_count(const struct nft_batch *b);
const char *nft_batch_desc(const struct nft_batch *b, int i);

/* ---- natlab rfc: a test rule (nftrules.c), and the full-cone gateway
 * (nftcone.c) ---- */

/**
 * nft_syn_drop() - add to "table ip natlab" an input filter chain
 * "rfc_in" and the rule "tcp dport PORT tcp flags syn / syn,ack counter
 * drop": SYNs for that local port go unanswered (no RST), so that a TCP
 * simultaneous open can be made through a NAT from this node.
 * Return: 0 or -errno (the batch is left as it was).
 */
int nft_syn_drop(struct nft_batch *b, uint16_t dport);

/* The full-cone gateway's maps in "table ip natlab". */
#define NFT_FC_EIM     "rfc_eim" /* ipv4_addr . inet_service : inet_service */
#define NFT_FC_EIF     "rfc_eif" /* inet_service : ipv4_addr . inet_service */
#define NFT_FC_EIM_UDP "rfc_eim_udp" /* the same two for UDP */
#define NFT_FC_EIF_UDP "rfc_eif_udp"

struct nft_fullcone {
	const char *inside_if, *outside_if; /* the gateway's interfaces */
	uint32_t ext_addr;	  /* its outside address, host order */
	uint32_t in_net, in_mask; /* the inside subnet, host order */
	int drop_unsolicited;	  /* drop SYNs from outside to the gateway */
	uint16_t log_group; /* non-zero: copy those SYNs to this NFLOG group */
};

/* What a copied SYN carries: its IP and TCP headers. */
#define NFT_FC_LOG_SNAPLEN 120u

/**
 * nft_fullcone() - endpoint-independent mapping and filtering for TCP
 * and UDP on top of a gateway's masquerade (nft_masquerade())
 *
 * Adds the maps NFT_FC_EIM and NFT_FC_EIF, and NFT_FC_EIM_UDP and
 * NFT_FC_EIF_UDP (empty: nft_fullcone_map()
 * fills them), a dstnat chain that sends new connections to a mapped
 * external port to their internal endpoint, a srcnat chain at priority
 * 99 that keeps an internal endpoint's mapping towards every destination
 * (and for hairpinned connections), and with drop_unsolicited an input
 * chain that drops SYNs from outside to the gateway itself.
 * Return: 0 or -errno (the batch is left as it was).
 */
int nft_fullcone(struct nft_batch *b, const struct nft_fullcone *fc);

/**
 * nft_fullcone_map() - add (add = 1) or delete one mapping of PROTO
 * (IPPROTO_TCP or IPPROTO_UDP): the element INT_ADDR . INT_PORT :
 * EXT_PORT of its NFT_FC_EIM and EXT_PORT : INT_ADDR . INT_PORT of its
 * NFT_FC_EIF (host byte order)
 * Return: 0 or -errno.
 */
int nft_fullcone_map(struct nft_batch *b, int add, uint8_t proto,
		     uint32_t int_addr, uint16_t int_port, uint16_t ext_port);

/**
 * nft_fullcone_has_req() - the request nft_fullcone_has() sends: a
 * GETSETELEM of INT_ADDR . INT_PORT (host byte order) in NFT_FC_EIM,
 * into @buf (at least MNL_SOCKET_BUFFER_SIZE bytes)
 * Return: its length, 0 if out of memory.
 */
size_t nft_fullcone_has_req(void *buf, uint32_t seq, uint8_t proto,
			    uint32_t int_addr, uint16_t int_port);

/**
 * nft_fullcone_has() - whether NFT_FC_EIM of the current namespace holds
 * a mapping of INT_ADDR:INT_PORT (host byte order)
 * Return: 1, 0, or -errno.
 */
int nft_fullcone_has(uint8_t proto, uint32_t int_addr, uint16_t int_port);

#endif
