/* pkt.h - IPv4/TCP packets: parsing, TCP options, timestamp rewriting. */
#ifndef NATLAB_PKT_H
#define NATLAB_PKT_H

#include <stddef.h>
#include <stdint.h>

/* TCP flags, as in the header's 13th byte. */
#define PKT_FIN 0x01
#define PKT_SYN 0x02
#define PKT_RST 0x04
#define PKT_PSH 0x08
#define PKT_ACK 0x10

/* A parsed IPv4/TCP packet; points into the caller's buffer. */
struct pkt {
	uint8_t *data; /* start of the IPv4 header */
	size_t len;    /* bytes available (may be less than tot_len only
			  if the caller truncated: then pkt_parse fails) */
	size_t ihl;    /* IPv4 header length in bytes */
	size_t thl;    /* TCP header length in bytes (options included) */
	uint32_t saddr, daddr; /* host byte order */
	uint16_t sport, dport; /* host byte order */
	uint32_t seq, ack;     /* host byte order */
	uint8_t flags;	       /* PKT_* */
	size_t payload;	       /* TCP payload bytes */
	/* Options found (each 0 if absent). */
	int has_ts;
	uint32_t tsval, tsecr;
	size_t ts_off; /* offset of the TS option's kind byte from data */
	uint16_t mss;  /* 0 if absent */
	int wscale;    /* -1 if absent */
	int sack_ok;
};

/**
 * pkt_parse() - parse an IPv4 packet carrying TCP
 * @p:   filled on success
 * @buf: the packet, starting at the IPv4 header
 * @len: its length
 *
 * Checks the IPv4 header (version, IHL, total length within len, not a
 * later fragment) and the TCP header (data offset within the packet) and
 * walks the TCP options: EOL ends them, NOP is one byte, every other
 * option has a length byte >= 2 that must fit in the option space; a
 * malformed option list makes the packet malformed.  A TS option with a
 * length other than 10 is malformed too.
 * Return: 0; -EPROTONOSUPPORT if it is not IPv4/TCP (or a non-first
 * fragment); -EINVAL if it is malformed.
 */
int pkt_parse(struct pkt *p, uint8_t *buf, size_t len);

/**
 * pkt_set_ts() - rewrite TSval and TSecr of a packet that has them
 * @p:           a parsed packet with has_ts
 * @tsval:       new TSval
 * @tsecr:       new TSecr
 * @csum_partial: the TCP checksum field holds only the pseudo-header sum
 *               (the stack will finish it: CHECKSUM_PARTIAL, as NFQUEUE
 *               reports with NFQA_SKB_CSUMNOTREADY); then the checksum is
 *               left alone, since it does not cover the options yet
 *
 * Otherwise the TCP checksum is updated incrementally (RFC 1624), correct
 * for any alignment of the option in the header.  p->tsval/tsecr are
 * updated.
 */
void pkt_set_ts(struct pkt *p, uint32_t tsval, uint32_t tsecr,
		int csum_partial);

/* TCP checksum of the packet computed from scratch (for tests and checks):
 * the value the checksum field should hold. */
uint16_t pkt_tcp_csum(const struct pkt *p);

/* Store the checksum computed from scratch into the packet. */
void pkt_fix_tcp_csum(struct pkt *p);

/* Is the TCP checksum in the packet right? */
int pkt_tcp_csum_ok(const struct pkt *p);

/* IPv4 header checksum from scratch (field taken as zero). */
uint16_t pkt_ip_csum(const uint8_t *iph, size_t ihl);

/* pkt_csum() - the Internet checksum (RFC 1071) of @len bytes that start
 * on the word grid, in host order: for an ICMP message or an IPv4 header
 * whose checksum field is zero. */
uint16_t pkt_csum(const void *buf, size_t len);

/**
 * pkt_icmp_unreach() - an ICMP port unreachable (type 3, code 3) quoting
 * @quote (the offending datagram's IPv4 header and first 8 bytes, as RFC
 * 792 asks), checksummed, into @buf
 * Return: its length (8 + @qlen), or 0 if @len is too small.
 */
size_t pkt_icmp_unreach(uint8_t *buf, size_t len, const void *quote,
			size_t qlen);

/**
 * pkt_ipv4_hdr() - an IPv4 header without options, TTL 64, checksummed,
 * into @buf
 * @total: the packet's total length
 * @id:    its identification
 * @frag:  flags and fragment offset as on the wire (0x4000: DF; 0x2000:
 *         more fragments; the offset in 8-byte units)
 * @src, @dst: host order
 */
void pkt_ipv4_hdr(uint8_t buf[20], uint8_t proto, uint16_t total, uint16_t id,
		  uint16_t frag, uint32_t src, uint32_t dst);

/**
 * pkt_ipv4_tcp_quote() - what an ICMP error quotes of a TCP segment
 * src:sport -> dst:dport (host order): an IPv4 header of a 40-byte
 * packet with DF set and TTL 64, and the segment's first 8 bytes (its
 * ports; sequence number 0), into @buf (28 bytes)
 * Return: 28.
 */
size_t pkt_ipv4_tcp_quote(uint8_t buf[28], uint32_t src, uint16_t sport,
			  uint32_t dst, uint16_t dport);

/* The same for a UDP datagram of one byte src:sport -> dst:dport: its
 * IPv4 header and its UDP header (length 9, no checksum).  Return: 28. */
size_t pkt_ipv4_udp_quote(uint8_t buf[28], uint32_t src, uint16_t sport,
			  uint32_t dst, uint16_t dport);

/* Serial-number comparison (RFC 1982 on 32 bits): a after b? */
static inline int pkt_after(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) > 0;
}

#endif
