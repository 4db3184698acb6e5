/* rfc_udp.h - what natlab rfc's UDP tests (RFC 4787) measure. */
#ifndef NATLAB_RFC_UDP_H
#define NATLAB_RFC_UDP_H

#include <stdint.h>

#define RFC_UDP_PARITY_N 16 /* source ports c1 and c2 both use, REQ-4 */

/* What one datagram met: sent, and seen at the far end from addr:port. */
struct rfc_dgram {
	uint8_t sent, seen;
	uint16_t port; /* the source port the receiver saw */
	uint32_t addr; /* and address, host order */
};

/* An ICMP error as a client's socket queued it (IP_RECVERR). */
struct rfc_icmp_seen {
	uint8_t seen, type, code;
	uint32_t from; /* the error's sender as the client saw it */
	uint32_t info; /* ee_info: the next-hop MTU of "fragmentation
			  needed" */
};

/* The behaviours RFC 4787 sections 4.1 and 5 name, from three probes. */
enum rfc_behaviour {
	RFC_B_UNKNOWN,
	RFC_B_EI,  /* endpoint-independent */
	RFC_B_AD,  /* address-dependent */
	RFC_B_APD, /* address and port-dependent */
};

struct rfc_udp_ev {
	uint8_t ran;

	/* REQ-1 and REQ-11: c1 from one port to s1:Q, s1:Q2 and s2:Q, twice
	 * (the second time from another port, at the end of the tests);
	 * map[2]: the same from a port c2 already holds towards s2:Q (c2's
	 * mapping in held) */
	struct rfc_dgram map[3][3], held;

	/* REQ-8 and REQ-11: c1 maps a port towards s1:Q; then datagrams to
	 * that mapping from s1:Q (the control), s1:Q2 and s2:Q, whether
	 * c1 got each; twice */
	struct rfc_dgram filt_map[2];
	uint8_t filt_ran[2], filt_in[2][3];

	/* REQ-3: c1 and c2 from the same source port to s1:Q at once, a
	 * high port and a port below 1024 */
	struct rfc_dgram ovl_c1, ovl_c2, low_c1, low_c2;

	/* REQ-4: c1, then c2, from the same RFC_UDP_PARITY_N ports */
	uint16_t par_src[RFC_UDP_PARITY_N];
	uint16_t par_c2[RFC_UDP_PARITY_N]; /* 0: not seen */

	/* REQ-5: the sysctls and the entries' own timeouts, seconds, -1
	 * where unknown */
	int32_t udp_timeout, udp_stream; /* nf_conntrack_udp_timeout(_stream) */
	int32_t live_unreplied, live_replied;

	/* REQ-6: an entry's timeout before and after a datagram out
	 * (outbound refresh) and, later, one in (inbound) */
	int32_t ref_out_before, ref_out_after;
	int32_t ref_in_before, ref_in_after;
	uint8_t ref_in_got; /* c1 got s1's datagram */
	uint32_t ref_wait_ms;

	/* REQ-9: c2 to c1's external address and port */
	struct rfc_dgram hp_c1map, hp_c2map, hp;

	/* REQ-10: helpers of the entries of datagrams to s1's sip and tftp
	 * ports, "" none; -1: entry not read */
	char alg_helper[2][16];
	int8_t alg_read[2];

	/* REQ-12: ICMP port unreachable about c1's mapping from its peer
	 * s1, then from s2 (not the peer); the entry and the mapping after */
	struct rfc_dgram icmp_map, icmp_after;
	uint8_t icmp_s1_sent, icmp_s2_sent;
	struct rfc_icmp_seen icmp_s1, icmp_s2;
	int8_t icmp_entry_kept; /* -1: not read */

	/* REQ-13: the gateway's outside MTU lowered; a datagram larger than
	 * it from c1 with DF (the ICMP c1 got) and without (what s1 got,
	 * and whether the first fragment s1 saw was the first of the
	 * datagram) */
	uint16_t mtu, big_len;
	uint8_t df_sent;
	struct rfc_icmp_seen df_icmp;
	uint8_t nodf_sent, nodf_got, nodf_frags, nodf_in_order;

	/* REQ-14: s1 sends c1's mapping one datagram in two fragments, the
	 * last first; whether c1 got it whole */
	uint8_t ooo_sent, ooo_got;
	uint16_t ooo_len;

	/* RFC 7857 section 7.1: an entry's timeout before and after c1 sent
	 * an ICMP error about s1's datagram */
	uint8_t err_sent;
	int32_t err_before, err_after;

	/* RFC 7857 section 5: c2's UDP mapping, then c1's TCP connection
	 * from the same port (enum rfc_outcome, the port s1 saw) */
	struct rfc_dgram proto_udp;
	uint8_t proto_tcp_out;
	uint16_t proto_tcp_port;

	/* RFC 7857 section 6: c1's UDP mapping; s2's TCP connection to it */
	struct rfc_dgram eifp_map;
	uint8_t eifp_tcp_out;

	/* RFC 7857 section 10: datagrams sent with one IP ID, the IDs and
	 * sources s1 saw */
	uint8_t ipid_sent, ipid_n;
	uint16_t ipid[2];
	uint32_t ipid_addr[2];
};

#endif
