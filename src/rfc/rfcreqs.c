/* rfcreqs.c - natlab rfc's requirements: every row of the report, what
 * its RFC asks and what the suite does to find out (data only). */
#include <stdint.h>

#include "rfc/rfc_int.h"

const uint16_t rfc_alg_ports[4] = {21, 6667, 1723, 5060};
const char *const rfc_alg_names[4] = {"ftp", "irc", "pptp", "sip"};

const char *const rfc_timer_names[RFC_NTIMERS] = {
	"established", "syn_sent", "syn_recv",	"fin_wait",
	"close_wait",  "last_ack", "time_wait", "close",
};

const struct rfc_req rfc_reqs[RFC_NREQ] = {
	/* RFC 4787: UDP */
	[RFC_U1] = {RFC_D4787, "4787/REQ-1", "REQ-1",
		    "endpoint-independent mapping", RFC_MUST,
		    "an internal address and port keep one external address "
		    "and port whatever the destination",
		    "c1 sends from one port to s1:3478, s1:3479 and s2:3478, "
		    "then the same from a port c2 holds towards s2:3478; the "
		    "source each server saw"},
	[RFC_U2] = {RFC_D4787, "4787/REQ-2", "REQ-2",
		    "IP address pooling paired", RFC_RECOMMENDED,
		    "with several external addresses, an internal host's "
		    "mappings all use the same one",
		    "the external addresses the servers saw over the UDP "
		    "tests"},
	[RFC_U3] = {RFC_D4787, "4787/REQ-3", "REQ-3", "no port overloading",
		    RFC_MUST_NOT,
		    "two internal endpoints never share an external port",
		    "c1 and c2 send from the same source port to s1:3478 at "
		    "once"},
	[RFC_U3A] = {RFC_D4787, "4787/REQ-3a", "REQ-3a,b",
		     "port range kept (below/above 1024)", RFC_RECOMMENDED,
		     "a changed port stays in the source port's range: "
		     "0-1023 (a), 1024-65535 (b)",
		     "c1 and c2 from the same port below 1024, and from the "
		     "same port above it, to s1:3478"},
	[RFC_U4] = {RFC_D4787, "4787/REQ-4", "REQ-4", "port parity preserved",
		    RFC_RECOMMENDED,
		    "an external port has the parity of the internal one",
		    "c1, then c2, from the same 16 ports to s1:3478: the "
		    "parity of c2's changed ports"},
	[RFC_U5] = {RFC_D4787, "4787/REQ-5", "REQ-5",
		    "UDP mapping timer >= 2 min", RFC_MUST_NOT,
		    "a UDP mapping does not expire in less than 2 minutes "
		    "(shorter timers only for well-known ports, a)",
		    "the gateway's udp_timeout and udp_timeout_stream, and the "
		    "timeouts of a live entry before and after a reply"},
	[RFC_U5C] = {RFC_D4787, "4787/REQ-5c", "REQ-5b,c",
		     "UDP mapping timer 5 min by default", RFC_RECOMMENDED,
		     "a default of 5 minutes or more (c), which may be "
		     "configurable (b)",
		     "the same timeouts against 5 minutes; whether sysctls set "
		     "them"},
	[RFC_U6] = {RFC_D4787, "4787/REQ-6", "REQ-6", "outbound refresh",
		    RFC_MUST,
		    "a datagram out refreshes the mapping (a datagram in may "
		    "too, a)",
		    "a live entry's timeout before and after a datagram from "
		    "c1, and later one from s1, 2 s apart"},
	[RFC_U7] = {RFC_D4787, "4787/REQ-7", "REQ-7",
		    "inside and outside addresses apart", RFC_MUST,
		    "a NAT whose outside address is set dynamically keeps its "
		    "inside addresses from clashing with it, or translates "
		    "between clashing ones",
		    "none: needs an outside interface configured dynamically "
		    "(DHCP)"},
	[RFC_U8] = {RFC_D4787, "4787/REQ-8", "REQ-8",
		    "endpoint-independent filtering", RFC_RECOMMENDED,
		    "endpoint-independent filtering for transparency, or "
		    "address-dependent for security (configurable, a)",
		    "c1 maps a port towards s1:3478; s1:3478, s1:3479 and "
		    "s2:3478 then send to that mapping"},
	[RFC_U9] = {RFC_D4787, "4787/REQ-9", "REQ-9", "hairpinning", RFC_MUST,
		    "inside hosts reach each other at their external "
		    "address and port",
		    "c1 and c2 each map a port towards s1:3478; c2 sends to "
		    "c1's mapping"},
	[RFC_U9A] = {RFC_D4787, "4787/REQ-9a", "REQ-9a",
		     "hairpin source is external", RFC_MUST,
		     "a hairpinned datagram arrives from the sender's "
		     "external address and port",
		     "the source c1 saw on c2's hairpinned datagram, against "
		     "c2's mapping"},
	[RFC_U10] = {RFC_D4787, "4787/REQ-10", "REQ-10",
		     "no UDP ALGs by default", RFC_SHOULD,
		     "ALGs for UDP protocols are off (and each can be switched "
		     "on and off, a)",
		     "datagrams to s1's sip (5060) and tftp (69) ports: the "
		     "helper of their conntrack entries"},
	[RFC_U11] = {RFC_D4787, "4787/REQ-11", "REQ-11",
		     "deterministic behaviour", RFC_MUST,
		     "the mapping and filtering behaviour never change",
		     "the REQ-1 and REQ-8 tests again from fresh ports, after "
		     "the other tests"},
	[RFC_U12] = {RFC_D4787, "4787/REQ-12", "REQ-12",
		     "ICMP does not end a mapping", RFC_MUST_NOT,
		     "no ICMP message ends a UDP mapping",
		     "s1 sends ICMP port unreachable about c1's mapping; the "
		     "entry, and c1's next datagram's source port"},
	[RFC_U12A] = {RFC_D4787, "4787/REQ-12a", "REQ-12a",
		      "ICMP not filtered by source", RFC_SHOULD_NOT,
		      "ICMP messages about a mapping are not filtered by "
		      "their source address",
		      "s2, which c1 never sent to, sends ICMP port unreachable "
		      "about c1's mapping to s1"},
	[RFC_U12B] = {RFC_D4787, "4787/REQ-12b", "REQ-12b",
		      "ICMP destination unreachable", RFC_RECOMMENDED,
		      "ICMP destination unreachable messages reach the "
		      "internal host",
		      "the error from s1 at c1's socket (IP_RECVERR)"},
	[RFC_U13] = {RFC_D4787, "4787/REQ-13", "REQ-13",
		     "DF=1 too big: ICMP sent back", RFC_MUST,
		     "a datagram with DF too big for the outside link draws "
		     "ICMP fragmentation needed",
		     "the gateway's outside MTU lowered to 1280; c1 sends 1400 "
		     "bytes with DF to s1"},
	[RFC_U13A] = {RFC_D4787, "4787/REQ-13a", "REQ-13a",
		      "DF=0 too big: fragmented", RFC_MUST,
		      "a datagram without DF too big for the outside link is "
		      "fragmented (in order, SHOULD)",
		      "c1 sends 1400 bytes without DF; what s1 got and the "
		      "order of the fragments at s1's interface"},
	[RFC_U14] = {RFC_D4787, "4787/REQ-14", "REQ-14",
		     "out-of-order fragments received", RFC_MUST,
		     "fragments arriving in any order are put together",
		     "s1 sends c1's mapping one datagram in two fragments, "
		     "the last first"},
	[RFC_U14A] = {RFC_D4787, "4787/REQ-14a", "REQ-14a",
		      "fragment handling resists DoS", RFC_MUST,
		      "out-of-order fragment handling cannot be exhausted by "
		      "a fragment attack",
		      "none: needs a fragment flood against the gateway, "
		      "which the suite does not send"},

	/* RFC 5382: TCP */
	[RFC_REQ1] = {RFC_D5382, "5382/REQ-1", "REQ-1",
		      "endpoint-independent mapping", RFC_MUST,
		      "an internal address and port keep one external port "
		      "whatever the destination",
		      "c1 from port 40101 to s1:80 and to s2:80 (the ports the "
		      "servers' accept() saw); again from 40102 while "
		      "c2:40102 already holds a mapping towards s2:80"},
	[RFC_REQ2] = {RFC_D5382, "5382/REQ-2", "REQ-2",
		      "all TCP sequences, simultaneous open", RFC_MUST,
		      "every valid sequence of TCP packets passes, the "
		      "simultaneous open included",
		      "a three-way handshake, data both ways and a FIN close; "
		      "a simultaneous open: c1's SYN to s1:5202 held "
		      "unanswered (dropped in s1), then s1's own SYN to c1's "
		      "mapping"},
	[RFC_REQ3] = {RFC_D5382, "5382/REQ-3", "REQ-3",
		      "endpoint-independent filtering", RFC_SHOULD,
		      "endpoint-independent filtering (RECOMMENDED for "
		      "transparency) or address-dependent (for security)",
		      "c1 listens on port 40301 and maps it towards s1:80; s2, "
		      "and s1 from another port, connect to that external "
		      "port"},
	[RFC_REQ4] = {RFC_D5382, "5382/REQ-4", "REQ-4",
		      "no answer to an unsolicited SYN", RFC_MUST_NOT,
		      "no answer to an unsolicited inbound SYN for 6 s; then "
		      "ICMP port unreachable (SHOULD) or silence (REQ-4a)",
		      "s1 sends a SYN to an external port nobody mapped, "
		      "watched for 6.5 s; hole punching: s1's SYN, then c1's "
		      "from the matching port 0.3 s later"},
	[RFC_REQ5_EST] = {RFC_D5382, "5382/REQ-5/established", "REQ-5",
			  "established idle-timeout >= 2 h 4 min", RFC_MUST,
			  "an idle established connection is kept at least "
			  "2 h 4 min",
			  "the gateway's tcp_timeout_established and the "
			  "timeout of an established entry"},
	[RFC_REQ5_TRANS] =
		{RFC_D5382, "5382/REQ-5/transitory", "REQ-5",
		 "transitory idle-timeout >= 4 min", RFC_MUST,
		 "a partially open or closing connection is kept at "
		 "least 4 min idle",
		 "the transitory sysctls, the timeouts of entries in "
		 "SYN_SENT and TIME_WAIT, and one TIME_WAIT expiry "
		 "watched with the timer at 2 s (4 min scaled "
		 "1:120)"},
	[RFC_REQ6] = {RFC_D5382, "5382/REQ-6", "REQ-6", "no ALGs by default",
		      RFC_SHOULD,
		      "ALGs that affect TCP are off by default (FTP may stay "
		      "on)",
		      "connections to s1's ftp (21), irc (6667), pptp (1723) "
		      "and sip (5060) ports: the helper of their conntrack "
		      "entries; expectations; nf_conntrack_helper"},
	[RFC_REQ7] = {RFC_D5382, "5382/REQ-7", "REQ-7", "no port overloading",
		      RFC_MUST_NOT,
		      "two internal endpoints never share an external port "
		      "towards one destination",
		      "c1 and c2 from the same source port 40701 to s1:80 at "
		      "once"},
	[RFC_REQ8] = {RFC_D5382, "5382/REQ-8", "REQ-8", "hairpinning", RFC_MUST,
		      "inside hosts reach each other at their external "
		      "address and port, and see each other's external "
		      "address and port (REQ-8a)",
		      "c1 listens on 40801 and maps it towards s1:80; c2 "
		      "connects to that external address and port; the peer "
		      "c1 sees, against c2's own mapping"},
	[RFC_REQ9] = {RFC_D5382, "5382/REQ-9", "REQ-9",
		      "ICMP errors translated", RFC_SHOULD,
		      "ICMP destination unreachable messages are translated "
		      "back to the internal host",
		      "UDP from c1 to a closed port of s1 (IP_RECVERR on c1's "
		      "socket); s1's ICMP about a TCP connection, captured at "
		      "c1"},
	[RFC_REQ10] = {RFC_D5382, "5382/REQ-10", "REQ-10",
		       "ICMP does not end a mapping", RFC_MUST_NOT,
		       "no ICMP message ends the mapping or the TCP connection "
		       "it is about",
		       "s1 sends ICMP port unreachable about c1's established "
		       "connection; the entry and the connection afterwards"},

	/* RFC 5508: ICMP (rows kept together: rfctest_icmp.c and
	 * rfcjudge_icmp.c answer them) */
	[RFC_I1] = {RFC_D5508, "5508/REQ-1", "REQ-1",
		    "outbound ICMP queries pass", RFC_MUST,
		    "echo requests from inside and their replies pass",
		    "c1 sends an echo request (raw socket, id 0x4101) to s1 "
		    "and to s2; the requests at the servers, the replies at "
		    "c1"},
	[RFC_I1A] = {RFC_D5508, "5508/REQ-1a", "REQ-1a",
		     "query identifier mapping is EI", RFC_SHOULD,
		     "a query identifier maps the same whatever the external "
		     "host",
		     "the identifiers s1 and s2 saw in c1's two echo requests "
		     "(raw sockets at the servers); again with id 0x4201, "
		     "which c2 holds towards s2 first"},
	[RFC_I2] = {RFC_D5508, "5508/REQ-2", "REQ-2",
		    "ICMP query timer >= 60 s", RFC_MUST_NOT,
		    "an ICMP query session does not expire in less than 60 s",
		    "the gateway's nf_conntrack_icmp_timeout, and the timeout "
		    "of c1's echo entry towards s1 over ctnetlink just after "
		    "its reply"},
	[RFC_I2A] = {RFC_D5508, "5508/REQ-2a", "REQ-2a",
		     "ICMP query timer configurable", RFC_RECOMMENDED,
		     "the ICMP query session timer is configurable",
		     "the sysctl that holds it; set to 2 s for one echo "
		     "session (RFC 7857 sec. 11's test), the timeout that "
		     "session's entry got"},
	[RFC_I3] = {RFC_D5508, "5508/REQ-3", "REQ-3",
		    "bad ICMP checksum: dropped", RFC_SHOULD,
		    "an ICMP error with a bad ICMP checksum is dropped "
		    "silently",
		    "s1 sends port unreachable with a wrong ICMP checksum "
		    "about c1's UDP mapping; whether c1 got it, beside a "
		    "well-formed one about another mapping (the control)"},
	[RFC_I3A] = {RFC_D5508, "5508/REQ-3a", "REQ-3a",
		     "bad quoted IP checksum: dropped", RFC_SHOULD,
		     "an ICMP error whose quoted IP header has a bad checksum "
		     "is dropped silently",
		     "as REQ-3, with a wrong checksum in the quoted IP "
		     "header"},
	[RFC_I3B] = {RFC_D5508, "5508/REQ-3b", "REQ-3b",
		     "quoted IP options skipped", RFC_MUST,
		     "the NAT skips IP options in the quoted header to find "
		     "its transport header",
		     "as REQ-3, well formed, but the quoted IP header has 4 "
		     "bytes of options: c1's socket should get it"},
	[RFC_I3C] = {RFC_D5508, "5508/REQ-3c", "REQ-3c",
		     "quoted transport checksum not checked", RFC_SHOULD_NOT,
		     "the NAT does not check the quoted transport checksum",
		     "as REQ-3, with a wrong (non-zero) checksum in the "
		     "quoted UDP header: c1 should get it"},
	[RFC_I3D] = {RFC_D5508, "5508/REQ-3d", "REQ-3d",
		     "ICMP extensions left out of checksums", RFC_MUST,
		     "with ICMP extensions (RFC 4884), the NAT leaves the "
		     "padding and the extensions out when it evaluates the "
		     "quoted transport checksum",
		     "as REQ-3c, with the quote padded to 128 bytes and an "
		     "extension structure after it (one MPLS label object): "
		     "c1 should get it"},
	[RFC_I4] = {RFC_D5508, "5508/REQ-4", "REQ-4",
		    "inbound ICMP errors translated", RFC_MUST,
		    "an error from outside about a mapping is translated "
		    "(quoted headers back to the inside, type and code kept, "
		    "outer destination the inside host: a-c); one about no "
		    "mapping is dropped (SHOULD)",
		    "s1 sends port unreachable about c1's UDP mapping, and "
		    "one about an external port nobody mapped; c1's socket "
		    "(IP_RECVERR) and a raw socket at c1"},
	[RFC_I5] = {RFC_D5508, "5508/REQ-5", "REQ-5",
		    "outbound ICMP errors translated", RFC_MUST,
		    "an error from inside about a mapping is translated "
		    "(quoted headers to the outside view, type and code "
		    "kept, outer source the NAT's address: a-c); one about "
		    "no mapping is dropped (SHOULD)",
		    "s1 sends a datagram to c1's mapping; c1 answers it with "
		    "port unreachable, and sends one about a port it never "
		    "mapped; a raw socket at s1"},
	[RFC_I6] = {RFC_D5508, "5508/REQ-6", "REQ-6",
		    "errors about queries keep the session", RFC_MUST_NOT,
		    "an ICMP error about a query session neither refreshes "
		    "nor ends it",
		    "s1 sends host unreachable quoting c1's echo request "
		    "1.3 s after it; the echo entry's timeout before and "
		    "after"},
	[RFC_I7] = {RFC_D5508, "5508/REQ-7", "REQ-7", "hairpinned ICMP errors",
		    RFC_MUST,
		    "ICMP errors hairpin, the outer destination the quoted "
		    "source (a); queries too, on a Basic NAT",
		    "c2 sends a datagram to c1's external mapping; c1 answers "
		    "with port unreachable (IP ID marked); what c2 got, and "
		    "what it quotes"},
	[RFC_I8] = {RFC_D5508, "5508/REQ-8", "REQ-8",
		    "no session: ICMP 3/13 sent", RFC_SHOULD,
		    "when no session can be made, the NAT answers ICMP "
		    "destination unreachable, code 13",
		    "none: needs a gateway that cannot make a mapping"},
	[RFC_I9] = {RFC_D5508, "5508/REQ-9", "REQ-9", "ICMP generation policy",
		    RFC_MAY,
		    "a policy may stop ICMP generation on chosen interfaces",
		    "none: a policy, seen only in configuration"},
	[RFC_I10] = {RFC_D5508, "5508/REQ-10", "REQ-10",
		     "the NAT's own ICMP (RFC 1812)", RFC_MUST,
		     "the NAT sends time exceeded and fragmentation needed "
		     "as a router does",
		     "c1 sends s1 a datagram with TTL 1 (IP_RECVERR), and s1 "
		     "one to c1's mapping (a raw socket at s1: the error's "
		     "source and quote); fragmentation needed is RFC 4787 "
		     "REQ-13's test"},
	[RFC_I11] = {RFC_D5508, "5508/REQ-11", "REQ-11", "other ICMP messages",
		     RFC_MAY,
		     "ICMP messages that are neither queries nor errors may "
		     "be dropped",
		     "s1 sends c1's external address a router advertisement, "
		     "and c1 sends s1 one; raw sockets at c1 and s1"},

	/* RFC 7857: updates to the three */
	[RFC_TRACKING] = {RFC_D7857, "7857/tracking", "sec. 2",
			  "TCP session tracking", RFC_SHOULD,
			  "TCP sessions are tracked with a state machine "
			  "(RFC 6146's, adapted)",
			  "the gateway's conntrack state of test connections "
			  "after each step"},
	[RFC_TRANSITORY] =
		{RFC_D7857, "7857/transitory", "sec. 2.1",
		 "separate opening/closing timeouts", RFC_SHOULD,
		 "separate configurable timeouts for opening and "
		 "closing; 4 min by default RECOMMENDED",
		 "the per-state sysctls, and the timeouts entries got "
		 "in SYN_SENT, TIME_WAIT and CLOSE"},
	[RFC_RST] = {RFC_D7857, "7857/rst", "sec. 2.2",
		     "state held 4 min after a RST", RFC_SHOULD,
		     "a RST is translated (MUST), then the state is kept 4 min "
		     "(SHOULD)",
		     "s1 resets c1's connection: the RST at c1, the entry's "
		     "state and timeout after it; one expiry watched with "
		     "tcp_timeout_close at 2 s (4 min scaled 1:120)"},
	[RFC_OVERLAP] = {RFC_D7857, "7857/overlapping", "sec. 3",
			 "port overlapping", RFC_MAY,
			 "one external port may serve different internal "
			 "endpoints towards different destinations",
			 "c1 to s1:80 and c2 to s2:80 from the same source "
			 "port 41101 at once"},
	[RFC_APP] = {RFC_D7857, "7857/app", "sec. 4", "address pooling paired",
		     RFC_SHOULD,
		     "with a pool of external addresses, an internal host's "
		     "mappings all use the same one",
		     "the external addresses the servers saw over the run"},
	[RFC_EIM_PROTO] = {RFC_D7857, "7857/eim-protocol", "sec. 5",
			   "mappings per protocol", RFC_MUST,
			   "EIM mappings are the protocol's own by default "
			   "(SHOULD; sharing them is a setting, MAY)",
			   "c2 holds UDP external port 43601 towards s1; c1 "
			   "connects over TCP from port 43601 to s1:80"},
	[RFC_EIF_PROTO] = {RFC_D7857, "7857/eif-protocol", "sec. 6",
			   "filtering per protocol", RFC_MUST,
			   "EIF lets in only the protocol of the mapping by "
			   "default",
			   "c1 maps UDP port 43602 towards s1 and listens on "
			   "TCP 43602; s2 connects over TCP to that external "
			   "port"},
	[RFC_EIF_REFRESH] = {RFC_D7857, "7857/eif-refresh", "sec. 7",
			     "refused packets do not refresh", RFC_SHOULD_NOT,
			     "inbound packets a security policy refuses do not "
			     "refresh an EIF mapping",
			     "none: needs an inbound security policy on top "
			     "of EIF, watched for minutes"},
	[RFC_OUT_REFRESH] = {RFC_D7857, "7857/outbound-refresh", "sec. 7.1",
			     "outbound ICMP errors do not refresh",
			     RFC_SHOULD_NOT,
			     "ICMP errors sent from inside in answer to "
			     "inbound packets do not refresh the mapping",
			     "c1 sends ICMP port unreachable about s1's "
			     "datagram 2 s later; the entry's timeout before "
			     "and after"},
	[RFC_PARITY] = {RFC_D7857, "7857/parity", "sec. 8",
			"port parity on request", RFC_SHOULD,
			"parity preservation may be dropped, but a host should "
			"be able to ask for it (e.g. PCP)",
			"the parity of 100 mappings; a PCP request (UDP 5351) "
			"to the gateway"},
	[RFC_RANDOM] = {RFC_D7857, "7857/randomisation", "sec. 9",
			"port randomisation (RFC 6056)", RFC_SHOULD,
			"external ports chosen as RFC 6056 section 4 says: "
			"obfuscated when not preserved, changed only when "
			"needed",
			"c1 from 50 fresh sequential ports to s1:80, then c2 "
			"from the same ports while c1's connections are open"},
	[RFC_IPID] = {RFC_D7857, "7857/ip-id", "sec. 10",
		      "IP identification unique (RFC 6864)", RFC_SHOULD,
		      "IDs of non-atomic datagrams stay unique per source "
		      "address after translation",
		      "c1 and c2 each send s1 a datagram without DF with IP ID "
		      "4660; the IDs s1 saw from the one external address"},
	[RFC_ICMP_QUERY] = {RFC_D7857, "7857/icmp-query", "sec. 11",
			    "query mapping ends with its sessions", RFC_MAY,
			    "an ICMP query mapping may go as soon as its last "
			    "session has",
			    "nf_conntrack_icmp_timeout set to 2 s for one echo "
			    "session of c1's; once its entry is gone, s1 sends "
			    "an echo reply to its external identifier"},
	[RFC_ICMP_HAIRPIN] = {RFC_D7857, "7857/icmp-hairpin", "sec. 12",
			      "hairpinned ICMP", RFC_MUST,
			      "ICMP errors (and queries on a Basic NAT) "
			      "hairpin, through mappings kept as EIF does",
			      "as 5508 REQ-7: c1's port unreachable about c2's "
			      "datagram to c1's mapping (the error part; "
			      "queries need Basic NAT)"},
};
