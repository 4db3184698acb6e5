/* synhold.h - RFC 5382 REQ-4: unsolicited SYNs held 6 s, then ICMP. */
#ifndef NATLAB_SYNHOLD_H
#define NATLAB_SYNHOLD_H

#include <stddef.h>
#include <stdint.h>

#include <linux/netlink.h>

/* How long an unsolicited SYN is held before it is answered. */
#define SYNHOLD_MS 6000
/* The NFLOG group the gateway's drop rule copies unsolicited SYNs to
 * (groups are per network namespace). */
#define SYNHOLD_GROUP 5382
/* The bytes an ICMP error quotes: the IP header and 8 bytes of TCP. */
#define SYNHOLD_QUOTE_MAX (60 + 8)
#define SYNHOLD_MAX	  256 /* SYNs held at once; more are dropped */

/* One unsolicited SYN: who sent it to which external port, when it is
 * due, and what its ICMP error quotes. */
struct synhold_syn {
	uint32_t src;	       /* host order */
	uint16_t sport, dport; /* host order */
	uint64_t due_ms;       /* answer then, unless punched */
	uint8_t quote[SYNHOLD_QUOTE_MAX];
	uint8_t qlen;
};

struct synhold_counts {
	uint32_t held;	    /* distinct SYNs held (retransmissions not) */
	uint32_t icmp_sent; /* answered with ICMP port unreachable */
	uint32_t punched;   /* dropped silently: an outbound SYN came */
	uint32_t overflow;  /* not held: the table was full */
};

struct synhold {
	struct synhold_syn v[SYNHOLD_MAX];
	int n;
	struct synhold_counts c;
};

/**
 * synhold_parse() - read an IPv4 TCP SYN (no ACK) into @s
 * @ip:  the packet from its IP header on, @len bytes of it
 * Return: 0, or -EINVAL (not IPv4 TCP, not a bare SYN, truncated).
 */
int synhold_parse(const uint8_t *ip, size_t len, struct synhold_syn *s);

/**
 * synhold_add() - hold @s until @now_ms + SYNHOLD_MS; a retransmission
 * of a SYN already held (same source and external port) changes nothing
 * Return: 1 held, 0 already held, -ENOSPC table full (counted).
 */
int synhold_add(struct synhold *h, const struct synhold_syn *s,
		uint64_t now_ms);

/**
 * synhold_punch() - an outbound SYN was translated to the connection
 * @src:@sport -> external port @dport: its held SYN is dropped silently
 * Return: 1 if one was held, else 0.
 */
int synhold_punch(struct synhold *h, uint32_t src, uint16_t sport,
		  uint16_t dport);

/**
 * synhold_next_due() - milliseconds until the next SYN is due (0: now),
 * -1 if none is held
 */
int synhold_next_due(const struct synhold *h, uint64_t now_ms);

/**
 * synhold_take_due() - remove one SYN due by @now_ms into @out
 * Return: 1, or 0 when none is due.
 */
int synhold_take_due(struct synhold *h, uint64_t now_ms,
		     struct synhold_syn *out);

/**
 * synhold_icmp() - the ICMP port unreachable (type 3, code 3) answering
 * @s: header and quote, checksummed, into @buf
 * Return: its length, or 0 if @len is too small.
 */
size_t synhold_icmp(const struct synhold_syn *s, uint8_t *buf, size_t len);

/**
 * synhold_nflog_config() - NFULNL_MSG_CONFIG messages binding SYNHOLD_GROUP
 * with packet copies and a queue threshold of 1 (each packet at once),
 * into @buf (at least MNL_SOCKET_BUFFER_SIZE bytes)
 * Return: their total length.
 */
size_t synhold_nflog_config(void *buf, uint32_t seq);

/**
 * synhold_nflog_payload() - the packet an NFULNL_MSG_PACKET carries
 * Return: 0 with *@data and *@len set, or -EINVAL.
 */
int synhold_nflog_payload(const struct nlmsghdr *nlh, const uint8_t **data,
			  size_t *len);

#endif
