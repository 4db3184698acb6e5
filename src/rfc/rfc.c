/* rfc.c - natlab rfc: RFC 5382 / RFC 7857 behaviour of a NAT gateway. */

/*
 * Theory of operation
 *
 * natlab rfc answers, for one gateway and one way of configuring it (a
 * profile), each TCP requirement of RFC 5382 and RFC 7857 with a test run
 * on real namespaces: two clients behind the gateway, two servers
 * outside.  Every verdict is judged from what a test measured (the ports
 * the servers' accept() saw, the gateway's conntrack entries read over
 * ctnetlink, errors and ICMP messages on the sockets, packets captured at
 * a client), never from documentation.
 *
 * The command has three layers, kept apart so that the first two are
 * unit tested without root:
 *
 * 1. Evidence, judgement and report (rfcjudge.c, rfcreport.c).  A run
 *    fills a struct rfc_evidence (plain data); rfc_judge() turns it into
 *    one verdict and one sentence of evidence per requirement; the table
 *    and JSON writers print them.
 * 2. Message builders and parsers, in the layers below: ctnetlink GET
 *    requests and replies (src/lib/ct.c), the nftables rules of the
 *    tests and of nat = rfc (src/lib/nftrules.c), and the classification
 *    of conntrack entries into the mappings that the full-cone keeper
 *    learns (src/engine/fullcone.c).
 * 3. I/O: the tests (rfctest.c), which make sockets inside the lab's
 *    namespaces with rfcio.c as the traffic generator does (enter a
 *    node's namespace, create the socket, return: the socket stays in
 *    that namespace), and the full-cone keeper (src/engine/keeper.c,
 *    fullcone.c).
 *
 * This file is the command: the requirements, the profiles, one lab and
 * one child process per profile (src/lib/jobs.c forks and reaps them),
 * the evidence they leave in memory shared with the parent, the report.
 *
 * Profiles run side by side, one child process each with its own lab
 * ("rfc-<profile>-<pid>"), and leave their evidence in memory shared with
 * the parent, which judges and reports.  Labs share nothing but the CPUs,
 * so the slowest profile sets the run time: the REQ-4 watch of 6.5 s,
 * during which the timer tests run.  Timers that are minutes long are
 * shortened only to watch an entry expire (2 s standing for 4 min, scale
 * 1:120, stated in the report); their real values are read from the
 * sysctls and from live entries.
 *
 * The rfc profile is the gateway's nat = rfc, built by the lab like any
 * other: masquerade plus what Linux needs to meet the rest (transitory
 * conntrack timeouts of 4 minutes, no redirects) and the lab's keeper
 * process, which keeps nftables maps of the gateway from conntrack events
 * and answers unsolicited SYNs after 6 s (src/engine/keeper.c,
 * fullcone.c, synhold.c).  The suite reads the keeper's counters from
 * the lab's keeper file (src/lib/statfile.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lab/lab.h"
#include "lib/jobs.h"
#include "lib/log.h"
#include "lib/netns.h"
#include "lib/statfile.h"
#include "lib/util.h"
#include "rfc/rfc_int.h"
#include "topo/topo_patch.h"

/* ---- the requirements ---- */

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

/* The built-in lab; topo/rfc.topo holds the same text. */
const char rfc_default_topo[] =
	"; natlab rfc's built-in lab: the RFC 5382 / RFC 7857 suite runs "
	"against\n"
	"; gateway gw.  Two clients behind it, so that mappings of "
	"different\n"
	"; internal hosts can be compared; two servers outside, so that "
	"mappings and\n"
	"; filtering towards different destinations can be.\n"
	";\n"
	";   c1 c2 --[lan 10.0.0.0/24]-- gw (masquerade) --[wan "
	"203.0.113.0/24]-- s1 s2\n"
	";\n"
	"; natlab rfc builds one lab per profile from this text, with gw's "
	"nat line\n"
	"; set by the profile (nat = rfc brings its own timeouts and "
	"rules).\n"
	"\n"
	"[lab]\n"
	"name = rfc\n"
	"\n"
	"[network lan]\n"
	"subnet = 10.0.0.0/24\n"
	"\n"
	"[network wan]\n"
	"subnet = 203.0.113.0/24\n"
	"\n"
	"[gateway gw]\n"
	"inside = lan\n"
	"outside = wan\n"
	"nat = masquerade\n"
	"\n"
	"[server s1]\n"
	"network = wan\n"
	"\n"
	"[server s2]\n"
	"network = wan\n"
	"\n"
	"[clients]\n"
	"count = 2\n"
	"network = lan\n";

#define DEFAULT_TOPO_NAME "rfc.topo (built in)"

static const struct {
	enum rfc_profile_kind kind;
	const char *name;
	const char *nat; /* the gateway's nat value, NULL: the file's */
} profiles[] = {
	{RFC_P_TOPO, "topo", NULL},
	{RFC_P_MASQUERADE, "masquerade", "masquerade"},
	{RFC_P_RANDOM, "random", "masquerade random"},
	{RFC_P_FULLY_RANDOM, "fully-random", "masquerade fully-random"},
	{RFC_P_PERSISTENT, "persistent", "masquerade persistent"},
	{RFC_P_RFC, "rfc", "rfc"},
};

int rfc_profile_parse(const char *name, enum rfc_profile_kind *k)
{
	size_t i;

	/* "topo" is what no --profile means with a file, not a name. */
	for (i = 1; i < ARRAY_SIZE(profiles); i++) {
		if (!strcmp(name, profiles[i].name)) {
			*k = profiles[i].kind;
			return 0;
		}
	}
	return -EINVAL;
}

const char *rfc_profile_name(enum rfc_profile_kind k)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(profiles); i++)
		if (profiles[i].kind == k)
			return profiles[i].name;
	return "?";
}

/* ---- a profile: one lab, the whole suite ---- */

/*
 * The gateway and the nodes around it: the first gateway with two
 * clients on its inside network and two servers on its outside one.
 */
static int find_roles(const struct topo *t, int node[N_NODES])
{
	int g, i;

	for (g = 0; g < t->nnodes; g++) {
		const struct topo_node *gw = &t->nodes[g];
		int nc = 0, ns = 0;

		if (gw->kind != TOPO_GATEWAY || gw->nifs < 2)
			continue;
		for (i = 0; i < t->nnodes; i++) {
			const struct topo_node *n = &t->nodes[i];

			if (n->kind == TOPO_CLIENT && nc < 2 &&
			    n->ifs[0].net == gw->ifs[0].net)
				node[N_C1 + nc++] = i;
			if (n->kind == TOPO_SERVER && ns < 2 &&
			    n->ifs[0].net == gw->ifs[1].net)
				node[N_S1 + ns++] = i;
		}
		if (nc == 2 && ns == 2) {
			node[N_GW] = g;
			return 0;
		}
	}
	return -ENOENT;
}

static void evidence_init(struct rfc_evidence *e)
{
	int i;

	memset(e, 0, sizeof(*e));
	for (i = 0; i < RFC_NTIMERS; i++)
		e->timer[i] = -1;
	e->live_est = e->live_syn_sent = e->live_time_wait = -1;
	e->live_close = -1;
	e->tw_gone_ms = e->close_gone_ms = -1;
	e->helper_sysctl = e->expectations = -1;
	e->rst_state = -2;
	e->sim_state = -1;
	e->icmp_state = -1;
	e->icmp_tcp_seen = -1;
	e->ext_addrs = 1;
	e->udp_ev.udp_timeout = e->udp_ev.udp_stream = -1;
	e->udp_ev.live_unreplied = e->udp_ev.live_replied = -1;
	e->udp_ev.ref_out_before = e->udp_ev.ref_out_after = -1;
	e->udp_ev.ref_in_before = e->udp_ev.ref_in_after = -1;
	e->udp_ev.err_before = e->udp_ev.err_after = -1;
	e->udp_ev.icmp_entry_kept = -1;
}

static int suite_open(struct suite *s, const struct topo *t,
		      struct rfc_profile *p)
{
	const struct topo_node *gw;
	int i;

	memset(s, 0, sizeof(*s));
	s->t = t;
	s->ev = &p->ev;
	s->unsol_fd = s->l_s1 = s->l_s2 = -1;
	for (i = 0; i < N_NODES; i++)
		s->nsfd[i] = -1;
	for (i = 0; i < 4; i++)
		s->l_alg[i] = -1;
	if (find_roles(t, s->node))
		return -EINVAL;
	for (i = 0; i < N_NODES; i++) {
		const struct topo_node *n = &t->nodes[s->node[i]];

		s->nsfd[i] = netns_open_node(t->name, n->name);
		if (s->nsfd[i] < 0)
			return s->nsfd[i];
		s->addr[i] = n->ifs[0].addr;
	}
	gw = &t->nodes[s->node[N_GW]];
	s->addr[N_GW] = gw->ifs[1].addr;
	s->keeper = gw->nat.mode == TOPO_NAT_RFC;
	s->c1_if = t->nets[t->nodes[s->node[N_C1]].ifs[0].net].name;
	evidence_init(s->ev);
	s->ev->ext = s->addr[N_GW];
	s->ev->gw_in = gw->ifs[0].addr;
	s->ev->c1 = s->addr[N_C1];
	s->ev->c2 = s->addr[N_C2];
	s->ev->s1 = s->addr[N_S1];
	s->ev->s2 = s->addr[N_S2];
	return rfctest_open(s);
}

static void suite_close(struct suite *s)
{
	rfctest_close(s);
}

/* What the keeper of a nat = rfc gateway counted, from the lab's keeper
 * file (the keeper writes it every second: read after it has seen the
 * last test's connections end). */
static void keeper_evidence(const struct topo *t, const struct suite *s)
{
	static const char *const keys[] = {"events", "mappings", "conflicts",
					   "lost",   "held",	 "icmp_sent",
					   "punched"};
	uint32_t *out[] = {&s->ev->kp_events,	 &s->ev->kp_mappings,
			   &s->ev->kp_conflicts, &s->ev->kp_lost,
			   &s->ev->kp_held,	 &s->ev->kp_icmp,
			   &s->ev->kp_punched};
	const char *gw = t->nodes[s->node[N_GW]].name;
	char val[24];
	size_t i;

	s->ev->keeper = 1;
	for (i = 0; i < ARRAY_SIZE(keys); i++)
		if (!statfile_get(t->name, "keeper", gw, keys[i], val,
				  sizeof(val)))
			*out[i] = (uint32_t)strtoul(val, NULL, 10);
}

/* One profile: open the suite, run the tests of @docs (rfctest_run()). */
static int suite_run(const struct topo *t, unsigned int docs,
		     struct rfc_profile *p)
{
	struct suite s;
	int err;

	/* lab_up() has waited for every link to run. */
	err = suite_open(&s, t, p);
	s.ev->docs = docs;
	if (!err)
		err = rfctest_run(&s);
	if (!err && s.keeper) {
		rfcio_sleep_ms(1100);
		keeper_evidence(t, &s);
	}
	if (util_stop)
		err = -EINTR;
	suite_close(&s);
	return err;
}

/* ---- natlab rfc ---- */

struct rfc_ctx {
	const char *file; /* for messages: the path or DEFAULT_TOPO_NAME */
	char *text;	  /* the topology, as given */
	struct topo base;
	unsigned int docs; /* the documents asked for */
	int node[N_NODES];
	char *texts[RFC_PROFILES_MAX]; /* each profile's topology */
};

static const char *profile_nat(enum rfc_profile_kind k)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(profiles); i++)
		if (profiles[i].kind == k)
			return profiles[i].nat;
	return NULL;
}

/* The topology text of a profile: the base with the gateway's nat line
 * set, so that it goes through the parser and validator like any file
 * (nat = rfc brings its timers and rules with it: src/topo/topores.c,
 * src/lab/labbuild.c).  Return: the text (free()), or NULL when topo_patch()
 * finds no place for the nat line. */
static char *profile_text(const struct rfc_ctx *cx, enum rfc_profile_kind k)
{
	const struct topo_node *g = &cx->base.nodes[cx->node[N_GW]];
	const char *gw = g->name, *nat = profile_nat(k);
	char key[96], *text = xstrdup(cx->text), *next;

	if (nat) {
		snprintf(key, sizeof(key), "%s.nat", gw);
		next = topo_patch(text, key, nat);
		free(text);
		text = next;
	}
	return text;
}

/* How the gateway is set up, in words. */
static void profile_describe(const struct topo *t, int gw,
			     struct rfc_profile *p)
{
	const struct topo_nat *nat = &t->nodes[gw].nat;

	if (nat->mode == TOPO_NAT_NONE) {
		snprintf(p->nat, sizeof(p->nat), "none");
		return;
	}
	if (nat->mode == TOPO_NAT_RFC) {
		snprintf(p->nat, sizeof(p->nat),
			 "rfc: masquerade + full-cone keeper, transitory "
			 "timeouts %d s unless set, unsolicited SYNs held "
			 "6 s then ICMP, no redirects",
			 TOPO_RFC_TRANSITORY_S);
		return;
	}
	snprintf(p->nat, sizeof(p->nat), "masquerade%s%s%s",
		 nat->flags & TOPO_NAT_RANDOM ? " random" : "",
		 nat->flags & TOPO_NAT_FULLY_RANDOM ? " fully-random" : "",
		 nat->flags & TOPO_NAT_PERSISTENT ? " persistent" : "");
}

/* The child that runs one profile; never returns. */
static void __attribute__((noreturn))
profile_child(const struct rfc_ctx *cx, int k, struct rfc_profile *p)
{
	uint64_t t0 = util_now_ns();
	struct topo t = {0};
	char lab[sizeof(p->lab)];
	int err, err2;

	snprintf(lab, sizeof(lab), "%s", p->lab);
	util_catch_signals();
	err = topo_parse_buf(&t, cx->file, cx->texts[k], strlen(cx->texts[k]));
	if (!err)
		err = topo_set_name(&t, lab);
	if (!err)
		err = lab_up(&t, cx->file);
	if (err) {
		snprintf(p->error, sizeof(p->error), "lab %s not built: %s",
			 lab, strerror(-err));
		p->status = err;
		topo_free(&t);
		_exit(err == -EINTR ? 130 : 3);
	}
	err = lab_mark_running(lab);
	if (!err)
		err = suite_run(&t, cx->docs, p);
	err2 = lab_down(lab);
	if (err)
		snprintf(p->error, sizeof(p->error), "%s",
			 err == -EINTR ? "interrupted" : strerror(-err));
	else if (err2)
		snprintf(p->error, sizeof(p->error), "lab %s not removed: %s",
			 lab, strerror(-err2));
	p->elapsed_ms = (uint32_t)((util_now_ns() - t0) / 1000000);
	p->status = err ? err : err2;
	topo_free(&t);
	_exit(p->status == -EINTR ? 130 : p->status ? 3 : 0);
}

static const int doc_numbers[RFC_NDOCS] = {4787, 5382, 5508, 7857};

int rfc_doc_number(enum rfc_doc d)
{
	return (unsigned int)d < RFC_NDOCS ? doc_numbers[d] : 0;
}

int rfc_add_docs(struct rfc_opts *o, const char *list)
{
	const char *p = list;

	do {
		char *end;
		long n = strtol(p, &end, 10);
		int d;

		for (d = 0; d < RFC_NDOCS; d++)
			if (doc_numbers[d] == n && end != p &&
			    (*end == ',' || !*end))
				break;
		if (d == RFC_NDOCS) {
			log_err("--rfc %s: the RFCs natlab rfc tests are 4787 "
				"(UDP), 5382 (TCP), 5508 (ICMP) and 7857, "
				"comma-separated",
				list);
			return -EINVAL;
		}
		o->docs |= 1u << d;
		p = *end ? end + 1 : end;
	} while (*p);
	if (p > list && p[-1] == ',') {
		log_err("--rfc %s: a number is missing after the comma", list);
		return -EINVAL;
	}
	return 0;
}

int rfc_add_profile(struct rfc_opts *o, const char *name)
{
	enum rfc_profile_kind k;
	int i;

	if (rfc_profile_parse(name, &k)) {
		log_err("--profile %s: the profiles are masquerade, random, "
			"fully-random, persistent and rfc",
			name);
		return -EINVAL;
	}
	for (i = 0; i < o->nprofiles; i++) {
		if (o->profiles[i] == k) {
			log_err("--profile %s given twice", name);
			return -EINVAL;
		}
	}
	if (o->nprofiles == RFC_PROFILES_MAX) {
		log_err("at most %d profiles", RFC_PROFILES_MAX);
		return -EINVAL;
	}
	o->profiles[o->nprofiles++] = k;
	return 0;
}

/* The topology natlab rfc tests (the file, or the built-in lab), parsed,
 * and the roles of its nodes.  Return: 0 or -EINVAL (reported). */
static int load_topology(const struct rfc_opts *o, struct rfc_ctx *cx)
{
	size_t len;
	int err;

	cx->file = o->topo ? o->topo : DEFAULT_TOPO_NAME;
	if (o->topo) {
		err = util_read_whole(o->topo, &cx->text, &len);
		if (err) {
			log_errno(err, "%s", o->topo);
			return -EINVAL;
		}
	} else {
		cx->text = xstrdup(rfc_default_topo);
	}
	err = topo_parse_buf(&cx->base, cx->file, cx->text, strlen(cx->text));
	if (err) {
		topo_print_errors(&cx->base);
		return -EINVAL;
	}
	if (find_roles(&cx->base, cx->node)) {
		log_err("%s: natlab rfc needs a gateway with two clients on its "
			"inside network and two servers on its outside network",
			cx->file);
		return -EINVAL;
	}
	return 0;
}

/* The profiles to run, in @kinds: those given, else the file's gateway as
 * it is, else every built-in profile.  Return: how many, or -EINVAL
 * (reported) when the file's gateway as it is has nothing to test. */
static int pick_profiles(const struct rfc_opts *o, const struct rfc_ctx *cx,
			 enum rfc_profile_kind kinds[RFC_PROFILES_MAX])
{
	static const enum rfc_profile_kind all[] = {
		RFC_P_MASQUERADE, RFC_P_RANDOM, RFC_P_FULLY_RANDOM,
		RFC_P_PERSISTENT, RFC_P_RFC,
	};
	const struct topo_node *gw = &cx->base.nodes[cx->node[N_GW]];
	int n = o->nprofiles;

	memcpy(kinds, o->profiles, sizeof(o->profiles));
	if (!n && o->topo) {
		kinds[0] = RFC_P_TOPO;
		n = 1;
	} else if (!n) {
		memcpy(kinds, all, sizeof(all));
		n = (int)ARRAY_SIZE(all);
	}
	if (kinds[0] == RFC_P_TOPO && gw->nat.mode == TOPO_NAT_NONE) {
		log_err("%s: gateway %s has nat = none: nothing to test (give "
			"a --profile)",
			cx->file, gw->name);
		return -EINVAL;
	}
	return n;
}

/* Profile @k as the run's profile @i, in @p: its names, and its topology
 * text (cx->texts[i]) checked by the parser as any file is, before any
 * lab is built.  Return: 0 or -EINVAL (reported). */
static int prepare_profile(struct rfc_ctx *cx, int i, enum rfc_profile_kind k,
			   struct rfc_profile *p)
{
	struct topo t = {0};
	int err;

	p->kind = k;
	p->status = -ECHILD; /* until its child says otherwise */
	snprintf(p->name, sizeof(p->name), "%s", rfc_profile_name(k));
	snprintf(p->lab, sizeof(p->lab), "rfc-%s-%d", rfc_profile_name(k),
		 (int)getpid());
	snprintf(p->error, sizeof(p->error), "did not finish");
	cx->texts[i] = profile_text(cx, k);
	if (!cx->texts[i]) {
		log_err("%s: cannot set the gateway's nat line", cx->file);
		return -EINVAL;
	}
	err = topo_parse_buf(&t, cx->file, cx->texts[i], strlen(cx->texts[i]));
	if (err)
		topo_print_errors(&t);
	else if (topo_set_name(&t, p->lab)) {
		log_err("lab name %s: too long", p->lab);
		err = -EINVAL;
	} else {
		profile_describe(&t, cx->node[N_GW], p);
	}
	topo_free(&t);
	return err ? -EINVAL : 0;
}

/* The report's header: what was tested, on which kernel, and the names
 * of the gateway, clients and servers. */
static void describe_run(const struct rfc_ctx *cx, struct rfc_report *r)
{
	const struct topo_node *nodes = cx->base.nodes;
	struct utsname un;

	snprintf(r->topology, sizeof(r->topology), "%s", cx->file);
	if (uname(&un) == 0)
		snprintf(r->kernel, sizeof(r->kernel), "%s", un.release);
	snprintf(r->gateway, sizeof(r->gateway), "%s",
		 nodes[cx->node[N_GW]].name);
	snprintf(r->c1, sizeof(r->c1), "%s", nodes[cx->node[N_C1]].name);
	snprintf(r->c2, sizeof(r->c2), "%s", nodes[cx->node[N_C2]].name);
	snprintf(r->s1, sizeof(r->s1), "%s", nodes[cx->node[N_S1]].name);
	snprintf(r->s2, sizeof(r->s2), "%s", nodes[cx->node[N_S2]].name);
}

/* Read and check everything before any lab is built: the topology, each
 * profile's own text, the report's header.  Return: 0 or -EINVAL
 * (reported). */
static int rfc_prepare(const struct rfc_opts *o, struct rfc_ctx *cx,
		       struct rfc_report *r)
{
	enum rfc_profile_kind kinds[RFC_PROFILES_MAX];
	int i, n, err;

	err = load_topology(o, cx);
	if (err)
		return err;
	n = pick_profiles(o, cx, kinds);
	if (n < 0)
		return n;
	for (i = 0; i < n; i++) {
		err = prepare_profile(cx, i, kinds[i], &r->p[i]);
		if (err)
			return err;
	}
	r->nprofiles = n;
	describe_run(cx, r);
	return 0;
}

/* What the profiles' jobs share (src/lib/jobs.c). */
struct profile_jobs {
	const struct rfc_ctx *cx;
	struct rfc_report *r;
};

/* Job i: profile i, in the child. */
static void profile_start(int i, void *arg)
{
	struct profile_jobs *pj = arg;

	profile_child(pj->cx, i, &pj->r->p[i]);
}

/* Job i ended: a child that left no status of its own failed. */
static void profile_done(int i, int status, void *arg)
{
	struct profile_jobs *pj = arg;
	struct rfc_profile *p = &pj->r->p[i];

	if (status < 0) {
		p->status = status;
		snprintf(p->error, sizeof(p->error), "fork: %s",
			 strerror(-status));
	} else if (!p->status &&
		   !(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
		p->status = -EIO;
		snprintf(p->error, sizeof(p->error),
			 "its process ended (status %#x)", status);
	}
}

/* Run every profile's child at once and wait for all of them. */
static int rfc_run_children(const struct rfc_ctx *cx, struct rfc_report *r)
{
	struct profile_jobs pj = {
		.cx = cx,
		.r = r,
	};
	struct progress pg;

	progress_start(&pg, "rfc", "profiles", (uint64_t)r->nprofiles);
	jobs_run(r->nprofiles, r->nprofiles, profile_start, profile_done, &pj,
		 &pg);
	progress_end(&pg);
	return util_stop ? -EINTR : 0;
}

int rfc_main(const struct rfc_opts *o)
{
	struct rfc_report *r = MAP_FAILED;
	struct rfc_ctx cx;
	uint64_t t0 = util_now_ns();
	FILE *json = NULL;
	int i, err;

	memset(&cx, 0, sizeof(cx));
	/* Shared with the children, which leave their evidence here. */
	r = mmap(NULL, sizeof(*r), PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (r == MAP_FAILED) {
		log_errno(-errno, "shared memory");
		return -ENOMEM;
	}
	cx.docs = r->docs = o->docs ? o->docs : RFC_DOCS_ALL;
	err = rfc_prepare(o, &cx, r);
	if (!err && geteuid() != 0) {
		log_err("natlab rfc needs root (network namespaces)");
		err = -EPERM;
	}
	if (!err && o->json) {
		json = fopen(o->json, "we");
		if (!json) {
			log_errno(-errno, "cannot write %s", o->json);
			err = -EINVAL;
		}
	}
	if (err)
		goto out;
	err = rfc_run_children(&cx, r);
	r->elapsed_ms = (uint32_t)((util_now_ns() - t0) / 1000000);
	if (err == -EINTR)
		log_err("interrupted: the labs were removed");
	if (err)
		goto out;
	for (i = 0; i < r->nprofiles; i++) {
		if (!r->p[i].status)
			rfc_judge(&r->p[i].ev, r->p[i].rows);
		else
			log_err("profile %s: %s", r->p[i].name, r->p[i].error);
	}
	rfc_report_table(stdout, r);
	if (json && rfc_report_json(json, r))
		err = -EIO;
	for (i = 0; !err && i < r->nprofiles; i++)
		if (r->p[i].status)
			err = r->p[i].status == -EINVAL ? -EINVAL : -EIO;
out:
	if (json && fclose(json) && !err)
		err = -EIO;
	for (i = 0; i < RFC_PROFILES_MAX; i++)
		free(cx.texts[i]);
	free(cx.text);
	topo_free(&cx.base);
	munmap(r, sizeof(*r));
	return err;
}
