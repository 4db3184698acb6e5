/* rfc_icmp.h - what natlab rfc's ICMP tests (RFC 5508) measure. */
#ifndef NATLAB_RFC_ICMP_H
#define NATLAB_RFC_ICMP_H

#include <stdint.h>

/*
 * An ICMP message as a raw socket of the receiving node saw it: the
 * outer addresses, type and code, the identifier of a query, and for an
 * error the header it quotes (ports, or the identifier of a quoted query
 * in in_sport).  Host order.
 */
struct rfc_icmp_msg {
	uint8_t seen, type, code;
	uint8_t in_proto; /* an error: the quoted packet's protocol, 0 */
	uint16_t id;	  /* a query's identifier */
	uint16_t in_ipid; /* the quoted IP header's identification */
	uint32_t src, dst;
	uint32_t in_src, in_dst;
	uint16_t in_sport, in_dport;
};

/* The errors s1 sends about c1's UDP mappings (REQ-3 and REQ-4), in the
 * order of struct rfc_icmp_ev's arrays. */
enum rfc_icmp_err {
	RFC_IE_BAD_CSUM,  /* the ICMP checksum wrong (REQ-3) */
	RFC_IE_BAD_INNER, /* the quoted IP header's checksum wrong (REQ-3a) */
	RFC_IE_BAD_L4,	  /* the quoted UDP checksum wrong (REQ-3c) */
	RFC_IE_OPTS,	  /* the quoted IP header with options (REQ-3b) */
	RFC_IE_EXT,	  /* RFC 4884 extensions after the quote (REQ-3d) */
	RFC_IE_GOOD,	  /* well formed: the control, and REQ-4 */
	RFC_IE_UNMAPPED,  /* about an external port nobody mapped (REQ-4) */
	RFC_IE_N
};

struct rfc_icmp_ev {
	uint8_t ran;

	/* REQ-1, REQ-1a: echo requests from c1 with one identifier to s1
	 * and s2; the request as each server saw it, the reply c1 got */
	uint16_t echo_id;
	uint8_t echo_sent[2];
	struct rfc_icmp_msg echo_at[2], echo_reply[2];
	/* REQ-1a again with the identifier busy: c2 first holds echo2_id
	 * towards s2 (echo2_c2: as s2 saw it), then c1 sends echo2_id to
	 * s1 and s2 (echo2_at: as each saw it) */
	uint16_t echo2_id;
	struct rfc_icmp_msg echo2_c2, echo2_at[2];

	/* REQ-2: the gateway's nf_conntrack_icmp_timeout and the timeout
	 * of the live echo entry towards s1 just after its reply, seconds,
	 * -1 where unknown */
	int32_t icmp_timeout, live;

	/* REQ-3, REQ-4: c1's source port per error, its mapping as s1
	 * saw it (0: never sent out: RFC_IE_UNMAPPED), the error sent to
	 * it, and what c1 got: on the socket (IP_RECVERR) and on a raw
	 * socket */
	uint16_t err_port[RFC_IE_N], err_ext[RFC_IE_N];
	uint8_t err_sent[RFC_IE_N];
	uint8_t err_sock[RFC_IE_N]; /* 1: c1's UDP socket got it */
	struct rfc_icmp_msg err_at[RFC_IE_N];

	/* REQ-5: c1 answers s1's datagram to c1's mapping with ICMP port
	 * unreachable, and one about a port it never mapped; what s1 got */
	uint16_t out_port, out_ext, out_q;
	uint8_t out_sent, out_unmapped_sent;
	uint16_t out_unmapped_port;
	struct rfc_icmp_msg out_at, out_unmapped_at;

	/* REQ-6: s1's host unreachable about c1's echo session; the echo
	 * entry's timeout before and after (ms apart), whether it was
	 * still there, whether c1 got the error */
	uint8_t q_err_sent;
	int32_t q_before, q_after; /* -1 unknown */
	int8_t q_entry_after;	   /* 1 there, 0 gone, -1 not read */
	uint32_t q_gap_ms;
	struct rfc_icmp_msg q_err_at;

	/* REQ-7, RFC 7857 sec. 12: c2 to c1's external mapping; whether
	 * c1 got the datagram (from whom), its port unreachable (marked
	 * with in_ipid), and what c2 got */
	uint16_t hp_port, hp_ext, hp_c2_port, hp_ipid;
	uint8_t hp_sent, hp_at_c1, hp_err_sent, hp_sock;
	uint32_t hp_seen_addr;
	uint16_t hp_seen_port;
	struct rfc_icmp_msg hp_at;

	/* REQ-10: c1's datagram with TTL 1 to s1; the error c1's socket got */
	uint16_t ttl_port;
	uint8_t ttl_sent, ttl_seen, ttl_type, ttl_code;
	uint32_t ttl_from;
	/* and s1's datagram with TTL 1 to c1's REQ-5 mapping (out_ext):
	 * the gateway's error as s1 saw it */
	uint8_t ttl_in_sent;
	struct rfc_icmp_msg ttl_in_at;

	/* REQ-11: router advertisements, s1 to c1's external address and
	 * c1 to s1; what c1 and s1 saw of them */
	uint8_t ra_in_sent, ra_out_sent;
	struct rfc_icmp_msg ra_in_at, ra_out_at;

	/* RFC 7857 sec. 11: an echo session under a shortened
	 * nf_conntrack_icmp_timeout (qm_timeout s); when its entry went
	 * (-1: did not within the wait), then an echo reply from s1 to
	 * its old mapping, and whether c1 got it; the control: one to the
	 * live mapping of REQ-1's echo session at the same moment */
	uint16_t qm_id, qm_ext;
	int32_t qm_timeout, qm_live;
	int32_t qm_gone_ms;
	uint8_t qm_reply_sent;
	struct rfc_icmp_msg qm_at, qm_ctl_at;
};

#endif
