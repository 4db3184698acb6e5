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
 * The module has three layers, kept apart so that the first two are unit
 * tested without root:
 *
 * 1. Evidence and judgement.  A run fills a struct rfc_evidence (plain
 *    data); rfc_judge() turns it into one verdict and one sentence of
 *    evidence per requirement; the table and JSON writers print them.
 * 2. Message builders and parsers: ctnetlink GET requests and replies,
 *    and the classification of conntrack entries into mappings that the
 *    full-cone keeper learns.
 * 3. I/O: the suite, which makes sockets inside the lab's namespaces as
 *    the traffic generator does (enter a node's namespace, create the
 *    socket, return: the socket stays in that namespace), and the
 *    full-cone keeper.
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
 * The rfc profile is masquerade plus what Linux needs to meet the rest:
 * transitory conntrack timeouts of 4 minutes, and a full-cone keeper.
 * The keeper is a thread of the child that runs the profile, not a
 * process of its own: it lives exactly as long as the suite uses the lab
 * (started after the lab is built, joined before it is removed), its
 * sockets were opened inside the gateway's namespace, the suite waits on
 * its table directly instead of polling the gateway, and a crash takes it
 * along, leaving nothing for "natlab clean" but the lab itself.  It
 * listens to conntrack's NEW and DESTROY events (ctnetlink multicast on
 * libmnl) and keeps two nftables maps of the gateway up to date (libnftnl
 * batches, nft_fullcone_map()): internal endpoint -> external port (the
 * source NAT reuses it towards every destination: endpoint-independent
 * mapping) and external port -> internal endpoint (new inbound
 * connections to it are DNATed: endpoint-independent filtering, and
 * hairpinning from inside).  A mapping lives while any connection that
 * uses it does (reference counts over NEW and DESTROY).
 */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/errqueue.h>
#include <linux/if.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <linux/netfilter/nf_conntrack_tcp.h>
#include <linux/rtnetlink.h>

#include <libmnl/libmnl.h>

#include "lab.h"
#include "log.h"
#include "matrix.h"
#include "netns.h"
#include "nft.h"
#include "report.h"
#include "rfc.h"
#include "sysctl.h"
#include "util.h"

/* ---- the requirements ---- */

/* Ports of the tests: clients bind these, so that every test's
 * connections are its own and port preservation can be seen. */
#define SRV_PORT     80
#define P_EIM	     40101
#define P_EIM2	     40102
#define P_SEQ	     40201
#define P_SIM	     40202
#define Q_SIM	     5202 /* s1's port in the simultaneous open */
#define P_FILT	     40301
#define Q_FILT_S2    45301
#define Q_FILT_S1    45302
#define P_UNSOL	     40401 /* an external port nobody mapped */
#define Q_UNSOL	     5401
#define P_PUNCH	     40402
#define Q_PUNCH	     5402
#define P_EST	     40501
#define P_RST	     40502
#define P_TWS	     40503
#define P_CLS	     40504
#define P_ALG	     40601
#define P_OVL	     40701
#define P_HP	     40801
#define P_HP_C2	     40802
#define P_UDP	     40901
#define P_PCP	     40902
#define P_ICMP	     41001
#define P_OLAP	     41101
#define P_PORTS	     42000
#define UDP_CLOSED   9	  /* discard: nobody listens in the servers */
#define PCP_PORT     5351 /* RFC 6887 */
#define ICMP_UNREACH 3
#define ICMP_PORT    3

/* Waits.  The lab's wire is a bridge: answers take microseconds. */
#define WAIT_CONNECT_MS 1000
#define WAIT_ACCEPT_MS	1000
#define UNSOL_WINDOW_MS 6500 /* > RFC_UNSOLICITED_MS */
#define PUNCH_DELAY_MS	300
#define SCALED_S	2 /* the transitory timers while watching expiry */
#define SCALE		(RFC_TRANSITORY_MIN / SCALED_S)

static const uint16_t alg_ports[4] = {21, 6667, 1723, 5060};
static const char *const alg_names[4] = {"ftp", "irc", "pptp", "sip"};

const char *const rfc_timer_names[RFC_NTIMERS] = {
	"established", "syn_sent", "syn_recv",	"fin_wait",
	"close_wait",  "last_ack", "time_wait", "close",
};

const struct rfc_req rfc_reqs[RFC_NREQ] = {
	[RFC_REQ1] = {"REQ-1", "5382 REQ-1", "endpoint-independent mapping",
		      RFC_MUST,
		      "an internal address and port keep one external port "
		      "whatever the destination",
		      "c1 from port 40101 to s1:80 and to s2:80 (the ports the "
		      "servers' accept() saw); again from 40102 while "
		      "c2:40102 already holds a mapping towards s2:80"},
	[RFC_REQ2] = {"REQ-2", "5382 REQ-2",
		      "all TCP sequences, simultaneous open", RFC_MUST,
		      "every valid sequence of TCP packets passes, the "
		      "simultaneous open included",
		      "a three-way handshake, data both ways and a FIN close; "
		      "a simultaneous open: c1's SYN to s1:5202 held "
		      "unanswered (dropped in s1), then s1's own SYN to c1's "
		      "mapping"},
	[RFC_REQ3] = {"REQ-3", "5382 REQ-3", "endpoint-independent filtering",
		      RFC_SHOULD,
		      "endpoint-independent filtering (RECOMMENDED for "
		      "transparency) or address-dependent (for security)",
		      "c1 listens on port 40301 and maps it towards s1:80; s2, "
		      "and s1 from another port, connect to that external "
		      "port"},
	[RFC_REQ4] = {"REQ-4", "5382 REQ-4", "no answer to an unsolicited SYN",
		      RFC_MUST_NOT,
		      "no answer to an unsolicited inbound SYN for 6 s; then "
		      "ICMP port unreachable (SHOULD) or silence (REQ-4a)",
		      "s1 sends a SYN to an external port nobody mapped, "
		      "watched for 6.5 s; hole punching: s1's SYN, then c1's "
		      "from the matching port 0.3 s later"},
	[RFC_REQ5_EST] = {"REQ-5/established", "5382 REQ-5",
			  "established idle-timeout >= 2 h 4 min", RFC_MUST,
			  "an idle established connection is kept at least "
			  "2 h 4 min",
			  "the gateway's tcp_timeout_established and the "
			  "timeout of an established entry"},
	[RFC_REQ5_TRANS] =
		{"REQ-5/transitory", "5382 REQ-5",
		 "transitory idle-timeout >= 4 min", RFC_MUST,
		 "a partially open or closing connection is kept at "
		 "least 4 min idle",
		 "the transitory sysctls, the timeouts of entries in "
		 "SYN_SENT and TIME_WAIT, and one TIME_WAIT expiry "
		 "watched with the timer at 2 s (4 min scaled "
		 "1:120)"},
	[RFC_REQ6] = {"REQ-6", "5382 REQ-6", "no ALGs by default", RFC_SHOULD,
		      "ALGs that affect TCP are off by default (FTP may stay "
		      "on)",
		      "connections to s1's ftp (21), irc (6667), pptp (1723) "
		      "and sip (5060) ports: the helper of their conntrack "
		      "entries; expectations; nf_conntrack_helper"},
	[RFC_REQ7] = {"REQ-7", "5382 REQ-7", "no port overloading",
		      RFC_MUST_NOT,
		      "two internal endpoints never share an external port "
		      "towards one destination",
		      "c1 and c2 from the same source port 40701 to s1:80 at "
		      "once"},
	[RFC_REQ8] = {"REQ-8", "5382 REQ-8", "hairpinning", RFC_MUST,
		      "inside hosts reach each other at their external "
		      "address and port, and see each other's external "
		      "address and port (REQ-8a)",
		      "c1 listens on 40801 and maps it towards s1:80; c2 "
		      "connects to that external address and port; the peer "
		      "c1 sees, against c2's own mapping"},
	[RFC_REQ9] = {"REQ-9", "5382 REQ-9", "ICMP errors translated",
		      RFC_SHOULD,
		      "ICMP destination unreachable messages are translated "
		      "back to the internal host",
		      "UDP from c1 to a closed port of s1 (IP_RECVERR on c1's "
		      "socket); s1's ICMP about a TCP connection, captured at "
		      "c1"},
	[RFC_REQ10] = {"REQ-10", "5382 REQ-10", "ICMP does not end a mapping",
		       RFC_MUST_NOT,
		       "no ICMP message ends the mapping or the TCP connection "
		       "it is about",
		       "s1 sends ICMP port unreachable about c1's established "
		       "connection; the entry and the connection afterwards"},
	[RFC_TRACKING] = {"7857/tracking", "7857", "TCP session tracking",
			  RFC_SHOULD,
			  "TCP sessions are tracked with a state machine "
			  "(RFC 6146's, adapted)",
			  "the gateway's conntrack state of test connections "
			  "after each step"},
	[RFC_TRANSITORY] =
		{"7857/transitory", "7857", "separate opening/closing timeouts",
		 RFC_SHOULD,
		 "separate configurable timeouts for opening and "
		 "closing; 4 min by default RECOMMENDED",
		 "the per-state sysctls, and the timeouts entries got "
		 "in SYN_SENT, TIME_WAIT and CLOSE"},
	[RFC_RST] = {"7857/rst", "7857", "state held 4 min after a RST",
		     RFC_SHOULD,
		     "a RST is translated (MUST), then the state is kept 4 min "
		     "(SHOULD)",
		     "s1 resets c1's connection: the RST at c1, the entry's "
		     "state and timeout after it; one expiry watched with "
		     "tcp_timeout_close at 2 s (4 min scaled 1:120)"},
	[RFC_OVERLAP] = {"7857/overlapping", "7857", "port overlapping",
			 RFC_MAY,
			 "one external port may serve different internal "
			 "endpoints towards different destinations",
			 "c1 to s1:80 and c2 to s2:80 from the same source "
			 "port 41101 at once"},
	[RFC_APP] = {"7857/app", "7857", "address pooling paired", RFC_MUST,
		     "with a pool of external addresses, an internal host's "
		     "mappings all use the same one",
		     "the external addresses the servers saw over the run"},
	[RFC_PARITY] = {"7857/parity", "7857", "port parity on request",
			RFC_SHOULD,
			"parity preservation may be dropped, but a host should "
			"be able to ask for it (e.g. PCP)",
			"the parity of 100 mappings; a PCP request (UDP 5351) "
			"to the gateway"},
	[RFC_RANDOM] = {"7857/randomisation", "7857",
			"port randomisation (RFC 6056)", RFC_SHOULD,
			"external ports chosen as RFC 6056 section 4 says: "
			"obfuscated when not preserved, changed only when "
			"needed",
			"c1 from 50 fresh sequential ports to s1:80, then c2 "
			"from the same ports while c1's connections are open"},
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
	"; (and for the rfc profile its conntrack timeouts) set by the "
	"profile.\n"
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
	{RFC_P_RFC, "rfc", "masquerade"},
};

/* The transitory timers the rfc profile sets to 4 minutes. */
static const enum rfc_timer transitory[] = {
	RFC_T_SYN_SENT, RFC_T_SYN_RECV,	 RFC_T_FIN_WAIT, RFC_T_CLOSE_WAIT,
	RFC_T_LAST_ACK, RFC_T_TIME_WAIT, RFC_T_CLOSE,
};

/* RFC 5382's transitory states: partially open or partially closed. */
static const enum rfc_timer transitory_5382[] = {
	RFC_T_SYN_SENT,	  RFC_T_SYN_RECV, RFC_T_FIN_WAIT,
	RFC_T_CLOSE_WAIT, RFC_T_LAST_ACK, RFC_T_TIME_WAIT,
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

const char *rfc_verdict_name(enum rfc_verdict v)
{
	switch (v) {
	case RFC_V_UNKNOWN:
		return "not measured";
	case RFC_V_MEETS:
		return "meets";
	case RFC_V_FAILS:
		return "does not meet";
	case RFC_V_NA:
		return "not applicable";
	case RFC_V_CONFIG:
		return "configurable";
	}
	return "?";
}

const char *rfc_level_name(enum rfc_level l)
{
	switch (l) {
	case RFC_MUST:
		return "MUST";
	case RFC_MUST_NOT:
		return "MUST NOT";
	case RFC_SHOULD:
		return "SHOULD";
	case RFC_MAY:
		return "MAY";
	}
	return "?";
}

const char *rfc_ct_state_name(int state)
{
	static const char *const names[] = {
		[TCP_CONNTRACK_NONE] = "NONE",
		[TCP_CONNTRACK_SYN_SENT] = "SYN_SENT",
		[TCP_CONNTRACK_SYN_RECV] = "SYN_RECV",
		[TCP_CONNTRACK_ESTABLISHED] = "ESTABLISHED",
		[TCP_CONNTRACK_FIN_WAIT] = "FIN_WAIT",
		[TCP_CONNTRACK_CLOSE_WAIT] = "CLOSE_WAIT",
		[TCP_CONNTRACK_LAST_ACK] = "LAST_ACK",
		[TCP_CONNTRACK_TIME_WAIT] = "TIME_WAIT",
		[TCP_CONNTRACK_CLOSE] = "CLOSE",
		[TCP_CONNTRACK_SYN_SENT2] = "SYN_SENT2",
	};

	if (state < 0 || (size_t)state >= ARRAY_SIZE(names) || !names[state])
		return "?";
	return names[state];
}

/* ---- port statistics ---- */

void rfc_port_stats(const uint16_t *src, const uint16_t *ext, unsigned int n,
		    struct rfc_port_stats *st)
{
	uint16_t prev = 0;
	unsigned int i, j;

	memset(st, 0, sizeof(*st));
	st->min = UINT16_MAX;
	for (i = 0; i < n; i++) {
		if (!ext[i])
			continue;
		st->n++;
		st->parity_kept += (ext[i] & 1) == (src[i] & 1);
		if (ext[i] == src[i]) {
			st->preserved++;
			continue;
		}
		st->changed++;
		for (j = 0; j < i; j++)
			if (ext[j] == ext[i] && ext[j] != src[j])
				break;
		st->distinct += j == i;
		/* Allocators that walk the port space leave small steps. */
		if (prev && abs((int)ext[i] - (int)prev) <= 16)
			st->near_seq++;
		prev = ext[i];
		if (ext[i] < st->min)
			st->min = ext[i];
		if (ext[i] > st->max)
			st->max = ext[i];
	}
	if (!st->changed)
		st->min = 0;
}

/* ---- evidence texts ---- */

static void __attribute__((format(printf, 2, 3)))
tx(struct rfc_row *r, const char *fmt, ...)
{
	size_t used = strlen(r->evidence);
	va_list ap;

	if (used >= sizeof(r->evidence) - 1)
		return;
	va_start(ap, fmt);
	vsnprintf(r->evidence + used, sizeof(r->evidence) - used, fmt, ap);
	va_end(ap);
}

static void datum(struct rfc_row *r, const char *key, int64_t value)
{
	if (r->ndata == RFC_DATA_MAX)
		return;
	snprintf(r->data[r->ndata].key, sizeof(r->data[0].key), "%s", key);
	r->data[r->ndata].value = value;
	r->ndata++;
}

/* A duration: "85 us", "0.4 ms", "2.04 s". */
static const char *dur(uint32_t us, char *buf, size_t len)
{
	if (us < 1000)
		snprintf(buf, len, "%u us", us);
	else if (us < 1000000)
		snprintf(buf, len, "%.1f ms", us / 1000.0);
	else
		snprintf(buf, len, "%.2f s", us / 1e6);
	return buf;
}

/* A timeout in seconds, with a readable form when it is long. */
static const char *secs(int32_t s, char *buf, size_t len)
{
	if (s < 0)
		snprintf(buf, len, "?");
	else if (s >= 86400 && s % 3600 == 0)
		snprintf(buf, len, "%d s (%d d %d h)", s, s / 86400,
			 s % 86400 / 3600);
	else if (s >= 3600)
		snprintf(buf, len, "%d s (%d h %d min)", s, s / 3600,
			 s % 3600 / 60);
	else
		snprintf(buf, len, "%d s", s);
	return buf;
}

static const char *ip(uint32_t a, char *buf)
{
	return util_ipv4_str(a, buf);
}

/* How a probe ended, e.g. "refused by a RST after 85 us". */
static const char *brief(const struct rfc_conn *c, char *buf, size_t len)
{
	char d[32], a[16];

	switch ((enum rfc_outcome)c->out) {
	case RFC_OUT_NOTRUN:
		snprintf(buf, len, "not run");
		break;
	case RFC_OUT_OK:
		snprintf(buf, len, "connected");
		break;
	case RFC_OUT_RST:
		snprintf(buf, len, "refused by a RST after %s",
			 dur(c->us, d, sizeof(d)));
		break;
	case RFC_OUT_ICMP:
		snprintf(buf, len, "ICMP %u/%u from %s after %s", c->icmp_type,
			 c->icmp_code, ip(c->icmp_from, a),
			 dur(c->us, d, sizeof(d)));
		break;
	case RFC_OUT_SILENT:
		snprintf(buf, len, "no answer in %s", dur(c->us, d, sizeof(d)));
		break;
	case RFC_OUT_ERROR:
		snprintf(buf, len, "local error (%s)", strerror(c->err));
		break;
	}
	return buf;
}

static int ok(const struct rfc_conn *c)
{
	return c->out == RFC_OUT_OK;
}

/* A probe that could not tell anything about the gateway. */
static int broken(const struct rfc_conn *c)
{
	return c->out == RFC_OUT_NOTRUN || c->out == RFC_OUT_ERROR;
}

/* ---- judgement, one function per requirement ---- */

static void judge_eim(const struct rfc_evidence *e, struct rfc_row *r)
{
	char b1[96], b2[96];

	if (!ok(&e->eim_s1) || !ok(&e->eim_s2)) {
		tx(r, "c1:%u to s1: %s; to s2: %s", e->eim_port,
		   brief(&e->eim_s1, b1, sizeof(b1)),
		   brief(&e->eim_s2, b2, sizeof(b2)));
		r->verdict = broken(&e->eim_s1) || broken(&e->eim_s2)
				     ? RFC_V_UNKNOWN
				     : RFC_V_FAILS;
		return;
	}
	tx(r, "c1:%u was seen as :%u by s1 and as :%u by s2", e->eim_port,
	   e->eim_s1.ext_port, e->eim_s2.ext_port);
	datum(r, "s1_port", e->eim_s1.ext_port);
	datum(r, "s2_port", e->eim_s2.ext_port);
	if (e->eim_s1.ext_port != e->eim_s2.ext_port ||
	    e->eim_s1.ext_addr != e->eim_s2.ext_addr) {
		tx(r, ": the mapping depends on the destination");
		r->verdict = RFC_V_FAILS;
		return;
	}
	if (!ok(&e->eim2_c2) || !ok(&e->eim2_s1)) {
		tx(r, "; second test not measured (c2: %s, c1: %s)",
		   brief(&e->eim2_c2, b1, sizeof(b1)),
		   brief(&e->eim2_s1, b2, sizeof(b2)));
		r->verdict = RFC_V_MEETS;
		return;
	}
	tx(r,
	   "; with c2:%u already mapped to :%u towards s2, c1:%u was seen "
	   "as :%u by s1 and ",
	   e->eim2_port, e->eim2_c2.ext_port, e->eim2_port,
	   e->eim2_s1.ext_port);
	datum(r, "busy_s1_port", e->eim2_s1.ext_port);
	if (!ok(&e->eim2_s2)) {
		tx(r,
		   "could not reach s2 from it (%s): the mapping is not "
		   "kept towards every destination",
		   brief(&e->eim2_s2, b1, sizeof(b1)));
		r->verdict = broken(&e->eim2_s2) ? RFC_V_UNKNOWN : RFC_V_FAILS;
		return;
	}
	datum(r, "busy_s2_port", e->eim2_s2.ext_port);
	tx(r, "as :%u by s2", e->eim2_s2.ext_port);
	if (e->eim2_s1.ext_port == e->eim2_s2.ext_port) {
		tx(r, ": one mapping for every destination");
		r->verdict = RFC_V_MEETS;
	} else {
		tx(r, ": once the port is taken the mapping depends on the "
		      "destination");
		r->verdict = RFC_V_FAILS;
	}
}

static void judge_seq(const struct rfc_evidence *e, struct rfc_row *r)
{
	char b1[96], b2[96], a[16];
	int seq_ok = ok(&e->seq) && e->seq_data && e->seq_closed;
	int sim_ok = ok(&e->sim_c) && ok(&e->sim_s) && e->sim_data;

	if (seq_ok)
		tx(r, "three-way handshake, data both ways and FIN close: ok");
	else
		tx(r, "three-way handshake from c1:%u: %s%s", e->seq_port,
		   brief(&e->seq, b1, sizeof(b1)),
		   ok(&e->seq)
			   ? (e->seq_data ? ", close failed" : ", data failed")
			   : "");
	tx(r,
	   "; simultaneous open (c1:%u's SYN to s1:%u unanswered, the "
	   "gateway's entry %s; then s1's SYN to %s:%u): ",
	   e->sim_port, e->sim_sport, rfc_ct_state_name(e->sim_state),
	   ip(e->ext, a), e->sim_ext);
	if (sim_ok)
		tx(r, "both ends connected, data both ways");
	else
		tx(r, "c1 %s, s1 %s%s", brief(&e->sim_c, b1, sizeof(b1)),
		   brief(&e->sim_s, b2, sizeof(b2)),
		   ok(&e->sim_c) && ok(&e->sim_s) ? ", data failed" : "");
	datum(r, "simultaneous_open", sim_ok);
	if (seq_ok && sim_ok)
		r->verdict = RFC_V_MEETS;
	else if (broken(&e->seq) || broken(&e->sim_c) || broken(&e->sim_s) ||
		 !e->sim_ext)
		r->verdict = RFC_V_UNKNOWN;
	else
		r->verdict = RFC_V_FAILS;
}

static void judge_filter(const struct rfc_evidence *e, struct rfc_row *r)
{
	char b1[96], b2[96], a[16];
	int eif, adf;

	if (!ok(&e->filt_map)) {
		tx(r, "c1:%u's mapping towards s1: %s", e->filt_port,
		   brief(&e->filt_map, b1, sizeof(b1)));
		r->verdict = RFC_V_UNKNOWN;
		return;
	}
	tx(r,
	   "c1:%u mapped to :%u towards s1:%u; s2 to %s:%u: %s; s1 from "
	   "port %u: %s",
	   e->filt_port, e->filt_map.ext_port, SRV_PORT, ip(e->ext, a),
	   e->filt_map.ext_port, brief(&e->filt_s2, b1, sizeof(b1)),
	   e->filt_s1_port, brief(&e->filt_s1, b2, sizeof(b2)));
	if (broken(&e->filt_s2) || broken(&e->filt_s1)) {
		r->verdict = RFC_V_UNKNOWN;
		return;
	}
	eif = ok(&e->filt_s2);
	adf = ok(&e->filt_s1);
	datum(r, "from_other_host", eif);
	datum(r, "from_other_port", adf);
	if (eif && adf) {
		tx(r, " (reached c1): endpoint-independent filtering");
		r->verdict = RFC_V_MEETS;
	} else if (adf) {
		tx(r, ": address-dependent filtering");
		r->verdict = RFC_V_MEETS;
	} else if (!eif) {
		tx(r, ": address- and port-dependent filtering, neither "
		      "recommended behaviour");
		r->verdict = RFC_V_FAILS;
	} else {
		tx(r, ": inconsistent (another host passes, another port "
		      "does not)");
		r->verdict = RFC_V_UNKNOWN;
	}
}

static void judge_unsolicited(const struct rfc_evidence *e, struct rfc_row *r)
{
	const struct rfc_conn *u = &e->unsol;
	char b1[96], b2[96], a[16], d[32];

	tx(r, "s1:%u to %s:%u (no mapping): ", Q_UNSOL, ip(e->ext, a),
	   e->unsol_port);
	switch ((enum rfc_outcome)u->out) {
	case RFC_OUT_RST:
	case RFC_OUT_ICMP:
		tx(r, "%s%s", brief(u, b1, sizeof(b1)),
		   u->us < RFC_UNSOLICITED_MS * 1000u
			   ? " (the gateway must stay silent for 6 s)"
			   : "");
		r->verdict = u->us < RFC_UNSOLICITED_MS * 1000u ? RFC_V_FAILS
								: RFC_V_MEETS;
		datum(r, "answer_us", u->us);
		break;
	case RFC_OUT_SILENT:
		tx(r,
		   "no answer in %s (%u SYNs): dropped silently (REQ-4a), "
		   "no ICMP port unreachable",
		   dur(u->us, d, sizeof(d)), e->unsol_syns);
		r->verdict = RFC_V_MEETS;
		datum(r, "answer_us", -1);
		break;
	case RFC_OUT_OK:
		tx(r, "connected to something");
		r->verdict = RFC_V_FAILS;
		break;
	case RFC_OUT_NOTRUN:
	case RFC_OUT_ERROR:
		tx(r, "%s", brief(u, b1, sizeof(b1)));
		r->verdict = RFC_V_UNKNOWN;
		return;
	}
	datum(r, "syns", e->unsol_syns);
	if (e->punch_s.out == RFC_OUT_NOTRUN)
		return;
	tx(r, "; hole punching (s1:%u's SYN, c1:%u's %u ms later): ", Q_PUNCH,
	   e->punch_port, e->punch_delay_ms);
	if (ok(&e->punch_c) && ok(&e->punch_s))
		tx(r, "connected");
	else
		tx(r, "c1 %s, s1 %s", brief(&e->punch_c, b1, sizeof(b1)),
		   brief(&e->punch_s, b2, sizeof(b2)));
	datum(r, "hole_punching", ok(&e->punch_c) && ok(&e->punch_s));
}

static void judge_established(const struct rfc_evidence *e, struct rfc_row *r)
{
	int32_t t = e->timer[RFC_T_ESTABLISHED], v;
	char s1[48], s2[48];

	if (t < 0 && e->live_est < 0) {
		tx(r, "neither tcp_timeout_established nor an established "
		      "entry could be read");
		r->verdict = RFC_V_UNKNOWN;
		return;
	}
	tx(r,
	   "tcp_timeout_established = %s; an established entry had %s "
	   "left; at least %d s asked",
	   secs(t, s1, sizeof(s1)), secs(e->live_est, s2, sizeof(s2)),
	   RFC_ESTABLISHED_MIN);
	datum(r, "sysctl_s", t);
	datum(r, "entry_s", e->live_est);
	/* An entry read a moment after it was refreshed shows a second
	 * or two less than its timer. */
	v = t >= 0 ? t : e->live_est + 2;
	if (e->live_est >= 0 && e->live_est + 2 < v)
		v = e->live_est + 2;
	r->verdict = v >= RFC_ESTABLISHED_MIN ? RFC_V_MEETS : RFC_V_FAILS;
}

/* The least of the given sysctls; -1 if one is missing. */
static int32_t least(const struct rfc_evidence *e, const enum rfc_timer *w,
		     size_t n, enum rfc_timer *which)
{
	int32_t m = INT32_MAX;
	size_t i;

	for (i = 0; i < n; i++) {
		if (e->timer[w[i]] < 0)
			return -1;
		if (e->timer[w[i]] < m) {
			m = e->timer[w[i]];
			*which = w[i];
		}
	}
	return m;
}

static void expiry_text(struct rfc_row *r, const char *timer, int32_t gone_ms,
			int32_t set)
{
	if (!set)
		return;
	if (gone_ms >= 0)
		tx(r,
		   "; expiry watched with %s = %d s (4 min scaled 1:%d): the "
		   "entry went after %.2f s",
		   timer, set, SCALE, gone_ms / 1000.0);
	else
		tx(r,
		   "; expiry watched with %s = %d s (4 min scaled 1:%d): the "
		   "entry did not go within %d s",
		   timer, set, SCALE, set + 3);
}

/* Did the watched entry go when its timer said, give or take? */
static int expiry_ok(int32_t gone_ms, int32_t set)
{
	return gone_ms >= set * 1000 - 300 && gone_ms <= set * 1000 + 1500;
}

static void judge_transitory(const struct rfc_evidence *e, struct rfc_row *r)
{
	enum rfc_timer which = RFC_T_SYN_SENT;
	int32_t m =
		least(e, transitory_5382, ARRAY_SIZE(transitory_5382), &which);
	size_t i;

	if (m < 0) {
		tx(r, "the transitory sysctls could not be read");
		r->verdict = RFC_V_UNKNOWN;
		return;
	}
	for (i = 0; i < ARRAY_SIZE(transitory_5382); i++)
		tx(r, "%s%s %d", i ? ", " : "",
		   rfc_timer_names[transitory_5382[i]],
		   e->timer[transitory_5382[i]]);
	tx(r,
	   " s (the least: %s, %d s; at least %d s asked); entries: "
	   "SYN_SENT %d s, TIME_WAIT %d s left",
	   rfc_timer_names[which], m, RFC_TRANSITORY_MIN, e->live_syn_sent,
	   e->live_time_wait);
	expiry_text(r, "tcp_timeout_time_wait", e->tw_gone_ms, e->scaled_s);
	datum(r, "least_s", m);
	datum(r, "syn_sent_entry_s", e->live_syn_sent);
	datum(r, "time_wait_entry_s", e->live_time_wait);
	datum(r, "expiry_ms", e->tw_gone_ms);
	if (m < RFC_TRANSITORY_MIN) {
		r->verdict = RFC_V_FAILS;
		return;
	}
	if ((e->live_syn_sent >= 0 &&
	     e->live_syn_sent + 2 < RFC_TRANSITORY_MIN) ||
	    (e->live_time_wait >= 0 &&
	     e->live_time_wait + 2 < RFC_TRANSITORY_MIN)) {
		tx(r, "; the entries did not get the sysctl's value");
		r->verdict = RFC_V_FAILS;
		return;
	}
	r->verdict = e->scaled_s && !expiry_ok(e->tw_gone_ms, e->scaled_s)
			     ? RFC_V_UNKNOWN
			     : RFC_V_MEETS;
}

static void judge_alg(const struct rfc_evidence *e, struct rfc_row *r)
{
	int i, probed = 0, bad = 0;

	tx(r, "helpers on the entries of ");
	for (i = 0; i < e->nalg && i < (int)ARRAY_SIZE(e->alg); i++) {
		const struct rfc_alg_probe *p = &e->alg[i];
		const char *name = alg_names[i];

		tx(r, "%s%s (%u): %s", i ? ", " : "", name, p->port,
		   !p->ok	  ? "not measured"
		   : p->helper[0] ? p->helper
				  : "none");
		if (!p->ok)
			continue;
		probed++;
		/* RFC 5382 REQ-6 leaves FTP's ALG alone. */
		if (p->helper[0] && strcmp(p->helper, "ftp"))
			bad++;
	}
	if (e->helper_sysctl < 0)
		tx(r, "; nf_conntrack_helper: absent (no automatic helper "
		      "assignment)");
	else
		tx(r, "; nf_conntrack_helper = %d", e->helper_sysctl);
	if (e->expectations >= 0)
		tx(r, "; expectations: %d", e->expectations);
	datum(r, "helpers", bad);
	datum(r, "expectations", e->expectations);
	r->verdict = !probed ? RFC_V_UNKNOWN : bad ? RFC_V_FAILS : RFC_V_MEETS;
}

static void judge_overload(const struct rfc_evidence *e, struct rfc_row *r)
{
	char b1[96], b2[96];

	if (!ok(&e->ovl_c1) || !ok(&e->ovl_c2)) {
		tx(r, "c1:%u to s1: %s; c2:%u to s1: %s", e->ovl_port,
		   brief(&e->ovl_c1, b1, sizeof(b1)), e->ovl_port,
		   brief(&e->ovl_c2, b2, sizeof(b2)));
		r->verdict = RFC_V_UNKNOWN;
		return;
	}
	tx(r, "c1:%u and c2:%u to s1:%u at once: seen as :%u and :%u",
	   e->ovl_port, e->ovl_port, SRV_PORT, e->ovl_c1.ext_port,
	   e->ovl_c2.ext_port);
	datum(r, "c1_port", e->ovl_c1.ext_port);
	datum(r, "c2_port", e->ovl_c2.ext_port);
	if (e->ovl_c1.ext_port == e->ovl_c2.ext_port &&
	    e->ovl_c1.ext_addr == e->ovl_c2.ext_addr) {
		tx(r, ": one external port for both");
		r->verdict = RFC_V_FAILS;
	} else {
		r->verdict = RFC_V_MEETS;
	}
}

static void judge_hairpin(const struct rfc_evidence *e, struct rfc_row *r)
{
	char b1[96], a[16], a2[16];

	if (!ok(&e->hp_map)) {
		tx(r, "c1:%u's mapping towards s1: %s", e->hp_port,
		   brief(&e->hp_map, b1, sizeof(b1)));
		r->verdict = RFC_V_UNKNOWN;
		return;
	}
	tx(r, "c1 listens on :%u, mapped to :%u; c2:%u to %s:%u: ", e->hp_port,
	   e->hp_map.ext_port, e->hp_sport, ip(e->ext, a), e->hp_map.ext_port);
	datum(r, "hairpin", ok(&e->hp));
	if (!ok(&e->hp)) {
		tx(r, "%s", brief(&e->hp, b1, sizeof(b1)));
		r->verdict = broken(&e->hp) ? RFC_V_UNKNOWN : RFC_V_FAILS;
		return;
	}
	tx(r, "reached c1, which saw the peer as %s:%u", ip(e->hp_seen_addr, a),
	   e->hp_seen_port);
	datum(r, "seen_port", e->hp_seen_port);
	if (e->hp_seen_addr != e->ext) {
		tx(r,
		   " (an internal address; REQ-8a asks for the external "
		   "one, %s)",
		   ip(e->ext, a2));
		r->verdict = RFC_V_FAILS;
		return;
	}
	if (!ok(&e->hp_out)) {
		tx(r, " (the external address)");
		r->verdict = RFC_V_MEETS;
		return;
	}
	tx(r, "; s1 saw c2:%u as :%u", e->hp_sport, e->hp_out.ext_port);
	if (e->hp_out.ext_port == e->hp_seen_port) {
		tx(r, ": c2's external address and port (REQ-8a)");
		r->verdict = RFC_V_MEETS;
	} else {
		tx(r, ": not c2's external mapping (REQ-8a)");
		r->verdict = RFC_V_FAILS;
	}
}

static void judge_icmp_errors(const struct rfc_evidence *e, struct rfc_row *r)
{
	char b1[96], a[16], a2[16];

	tx(r, "UDP c1:%u to s1:%u (closed): ", e->udp_port, UDP_CLOSED);
	if (e->udp.out == RFC_OUT_ICMP)
		tx(r,
		   "ICMP %u/%u from %s reached c1's socket, matched to it "
		   "by the inner header translated back",
		   e->udp.icmp_type, e->udp.icmp_code, ip(e->udp.icmp_from, a));
	else
		tx(r, "%s", brief(&e->udp, b1, sizeof(b1)));
	if (e->icmp_tcp_seen > 0)
		tx(r,
		   "; TCP: s1's ICMP about c1:%u's connection reached c1 "
		   "with inner source %s:%u",
		   e->icmp_port, ip(e->icmp_inner_addr, a2),
		   e->icmp_inner_port);
	else if (e->icmp_tcp_seen == 0)
		tx(r,
		   "; TCP: s1's ICMP about c1:%u's connection did not "
		   "reach c1",
		   e->icmp_port);
	datum(r, "udp_icmp", e->udp.out == RFC_OUT_ICMP);
	datum(r, "udp_us", e->udp.us);
	datum(r, "tcp_icmp", e->icmp_tcp_seen);
	if (e->udp.out == RFC_OUT_ICMP && e->icmp_tcp_seen != 0)
		r->verdict = RFC_V_MEETS;
	else if (e->udp.out == RFC_OUT_SILENT || e->icmp_tcp_seen == 0)
		r->verdict = RFC_V_FAILS;
	else
		r->verdict = RFC_V_UNKNOWN;
}

static void judge_icmp_keep(const struct rfc_evidence *e, struct rfc_row *r)
{
	char b1[96];

	if (!ok(&e->icmp_conn) || !e->icmp_sent) {
		tx(r, "c1:%u's connection to s1: %s%s", e->icmp_port,
		   brief(&e->icmp_conn, b1, sizeof(b1)),
		   ok(&e->icmp_conn) ? ", the ICMP could not be sent" : "");
		r->verdict = RFC_V_UNKNOWN;
		return;
	}
	tx(r,
	   "after s1 sent ICMP %u/%u about c1:%u's connection (%s c1), the "
	   "gateway ",
	   ICMP_UNREACH, ICMP_PORT, e->icmp_port,
	   e->icmp_tcp_seen > 0 ? "translated, it reached"
				: "it did not reach");
	if (e->icmp_kept)
		tx(r, "kept the entry (%s, :%u)",
		   rfc_ct_state_name(e->icmp_state), e->icmp_port_after);
	else
		tx(r, "no longer had the entry");
	tx(r, " and data %s both ways", e->icmp_data ? "went" : "did not go");
	datum(r, "entry_kept", e->icmp_kept);
	datum(r, "data_after", e->icmp_data);
	r->verdict = e->icmp_kept && e->icmp_data &&
				     e->icmp_port_after == e->icmp_conn.ext_port
			     ? RFC_V_MEETS
			     : RFC_V_FAILS;
}

static void judge_tracking(const struct rfc_evidence *e, struct rfc_row *r)
{
	int i, open = 0, est = 0, closing = 0, reset = 0;

	if (!e->nstates) {
		tx(r, "no conntrack entry could be read");
		r->verdict = RFC_V_UNKNOWN;
		return;
	}
	tx(r, "states of the test connections' entries, in order: ");
	for (i = 0; i < e->nstates; i++) {
		int s = e->states[i];

		tx(r, "%s%s", i ? " -> " : "", rfc_ct_state_name(s));
		open |= s == TCP_CONNTRACK_SYN_SENT ||
			s == TCP_CONNTRACK_SYN_RECV ||
			s == TCP_CONNTRACK_SYN_SENT2;
		est |= s == TCP_CONNTRACK_ESTABLISHED;
		closing |= s >= TCP_CONNTRACK_FIN_WAIT &&
			   s <= TCP_CONNTRACK_TIME_WAIT;
		reset |= s == TCP_CONNTRACK_CLOSE;
	}
	tx(r, " (CLOSE after a RST)");
	datum(r, "states", e->nstates);
	if (open && est && closing && reset) {
		tx(r, ": opening, established, closing and reset are states "
		      "of their own, each with its own timer");
		r->verdict = RFC_V_MEETS;
	} else {
		tx(r, ": not every phase was seen as a state");
		r->verdict = RFC_V_FAILS;
	}
}

static void judge_transitory_7857(const struct rfc_evidence *e,
				  struct rfc_row *r)
{
	enum rfc_timer which = RFC_T_SYN_SENT;
	int32_t m = least(e, transitory, ARRAY_SIZE(transitory), &which);

	if (m < 0) {
		tx(r, "the per-state sysctls could not be read");
		r->verdict = RFC_V_UNKNOWN;
		return;
	}
	tx(r,
	   "opening: syn_sent %d s, syn_recv %d s; closing: fin_wait %d, "
	   "close_wait %d, last_ack %d, time_wait %d, close %d s; entries "
	   "got SYN_SENT %d s, TIME_WAIT %d s, CLOSE %d s",
	   e->timer[RFC_T_SYN_SENT], e->timer[RFC_T_SYN_RECV],
	   e->timer[RFC_T_FIN_WAIT], e->timer[RFC_T_CLOSE_WAIT],
	   e->timer[RFC_T_LAST_ACK], e->timer[RFC_T_TIME_WAIT],
	   e->timer[RFC_T_CLOSE], e->live_syn_sent, e->live_time_wait,
	   e->live_close);
	datum(r, "least_s", m);
	if (m >= RFC_TRANSITORY_MIN) {
		tx(r, ": separate parameters, none below 4 min");
		r->verdict = RFC_V_MEETS;
	} else {
		tx(r,
		   ": separate parameters, but %s (%d s) is below the "
		   "RECOMMENDED 4 min default",
		   rfc_timer_names[which], m);
		r->verdict = RFC_V_CONFIG;
	}
}

static void judge_rst(const struct rfc_evidence *e, struct rfc_row *r)
{
	char s[48];

	if (e->rst_state == -2) {
		tx(r, "not measured");
		r->verdict = RFC_V_UNKNOWN;
		return;
	}
	tx(r, "s1 reset c1:%u's connection: c1 %s the RST; ", P_RST,
	   e->rst_translated ? "got" : "did not get");
	if (e->rst_state < 0)
		tx(r, "the gateway's entry was gone at once");
	else
		tx(r,
		   "the entry then sat in %s with %s left "
		   "(tcp_timeout_close = %d s; 4 min asked)",
		   rfc_ct_state_name(e->rst_state),
		   secs(e->live_close, s, sizeof(s)), e->timer[RFC_T_CLOSE]);
	expiry_text(r, "tcp_timeout_close", e->close_gone_ms, e->scaled_s);
	datum(r, "rst_translated", e->rst_translated);
	datum(r, "entry_s", e->live_close);
	datum(r, "expiry_ms", e->close_gone_ms);
	if (!e->rst_translated || e->rst_state < 0 ||
	    e->live_close + 2 < RFC_TRANSITORY_MIN)
		r->verdict = RFC_V_FAILS;
	else if (e->scaled_s && !expiry_ok(e->close_gone_ms, e->scaled_s))
		r->verdict = RFC_V_UNKNOWN;
	else
		r->verdict = RFC_V_MEETS;
}

static void judge_overlap(const struct rfc_evidence *e, struct rfc_row *r)
{
	char b1[96], b2[96];
	int same;

	if (!ok(&e->olap_c1) || !ok(&e->olap_c2)) {
		tx(r, "c1:%u to s1: %s; c2:%u to s2: %s", e->olap_port,
		   brief(&e->olap_c1, b1, sizeof(b1)), e->olap_port,
		   brief(&e->olap_c2, b2, sizeof(b2)));
		r->verdict = RFC_V_UNKNOWN;
		return;
	}
	same = e->olap_c1.ext_port == e->olap_c2.ext_port;
	tx(r, "c1:%u to s1 and c2:%u to s2 at once: seen as :%u and :%u",
	   e->olap_port, e->olap_port, e->olap_c1.ext_port,
	   e->olap_c2.ext_port);
	tx(r, same ? ": port overlapping (allowed)"
		   : ": no port overlapping (allowed too)");
	datum(r, "overlapping", same);
	r->verdict = RFC_V_MEETS;
}

static void judge_app(const struct rfc_evidence *e, struct rfc_row *r)
{
	char a[16];
	int i;

	tx(r,
	   "the gateway has %d external address%s (%s); the servers "
	   "accepted %u connections, from ",
	   e->ext_addrs, e->ext_addrs == 1 ? "" : "es", ip(e->ext, a),
	   e->nseen);
	for (i = 0; i < e->nseen_addr; i++)
		tx(r, "%s%s", i ? ", " : "", ip(e->seen_addr[i], a));
	if (!e->nseen_addr)
		tx(r, "none");
	datum(r, "external_addresses", e->ext_addrs);
	datum(r, "addresses_seen", e->nseen_addr);
	if (e->ext_addrs == 1 && e->nseen_addr <= 1) {
		tx(r, ": with one address, pairing cannot show");
		r->verdict = RFC_V_NA;
	} else {
		r->verdict = RFC_V_UNKNOWN;
	}
}

static void judge_parity(const struct rfc_evidence *e, struct rfc_row *r)
{
	uint16_t src[2 * RFC_PORTS_N], ext[2 * RFC_PORTS_N];
	struct rfc_port_stats st;
	char b1[96], a[16];
	int i;

	for (i = 0; i < RFC_PORTS_N; i++) {
		src[i] = src[RFC_PORTS_N + i] = (uint16_t)(e->ports_base + i);
		ext[i] = e->ports_c1[i];
		ext[RFC_PORTS_N + i] = e->ports_c2[i];
	}
	rfc_port_stats(src, ext, 2 * RFC_PORTS_N, &st);
	if (!st.n) {
		tx(r, "no mapping was seen");
		r->verdict = RFC_V_UNKNOWN;
		return;
	}
	tx(r,
	   "parity kept in %u of %u mappings (%u ports preserved, %u "
	   "changed); ",
	   st.parity_kept, st.n, st.preserved, st.changed);
	datum(r, "parity_kept", st.parity_kept);
	datum(r, "mappings", st.n);
	switch ((enum rfc_outcome)e->pcp.out) {
	case RFC_OUT_ICMP:
	case RFC_OUT_SILENT:
	case RFC_OUT_RST:
		tx(r,
		   "a PCP request to %s:%u got %s: no way to ask for "
		   "parity",
		   ip(e->gw_in, a), PCP_PORT,
		   e->pcp.out == RFC_OUT_SILENT
			   ? "no answer"
			   : brief(&e->pcp, b1, sizeof(b1)));
		r->verdict = RFC_V_FAILS;
		break;
	case RFC_OUT_OK:
		tx(r, "something answered a PCP request on %s:%u (not judged)",
		   ip(e->gw_in, a), PCP_PORT);
		r->verdict = RFC_V_UNKNOWN;
		break;
	case RFC_OUT_NOTRUN:
	case RFC_OUT_ERROR:
		tx(r, "PCP probe: %s", brief(&e->pcp, b1, sizeof(b1)));
		r->verdict = RFC_V_UNKNOWN;
		break;
	}
}

static void judge_random(const struct rfc_evidence *e, struct rfc_row *r)
{
	uint16_t src[2 * RFC_PORTS_N], ext[2 * RFC_PORTS_N];
	struct rfc_port_stats s1, s2, all;
	int i;

	for (i = 0; i < RFC_PORTS_N; i++) {
		src[i] = src[RFC_PORTS_N + i] = (uint16_t)(e->ports_base + i);
		ext[i] = e->ports_c1[i];
		ext[RFC_PORTS_N + i] = e->ports_c2[i];
	}
	rfc_port_stats(src, ext, RFC_PORTS_N, &s1);
	rfc_port_stats(src + RFC_PORTS_N, ext + RFC_PORTS_N, RFC_PORTS_N, &s2);
	rfc_port_stats(src, ext, 2 * RFC_PORTS_N, &all);
	tx(r,
	   "c1 from %u fresh ports %u-%u: %u of %u preserved; c2 from the "
	   "same ports while c1's were open: %u of %u preserved",
	   RFC_PORTS_N, e->ports_base, e->ports_base + RFC_PORTS_N - 1,
	   s1.preserved, s1.n, s2.preserved, s2.n);
	datum(r, "c1_preserved", s1.preserved);
	datum(r, "c1_mappings", s1.n);
	datum(r, "c2_preserved", s2.preserved);
	datum(r, "c2_mappings", s2.n);
	datum(r, "changed", all.changed);
	datum(r, "distinct", all.distinct);
	datum(r, "near_sequential", all.near_seq);
	if (all.changed < 10) {
		tx(r, "; too few changed ports to judge (%u)", all.changed);
		r->verdict = RFC_V_UNKNOWN;
		return;
	}
	tx(r,
	   "; the %u changed ports: %u distinct, in %u-%u, %u of %u steps "
	   "within 16",
	   all.changed, all.distinct, all.min, all.max, all.near_seq,
	   all.changed - 1);
	/* An allocator that walks the port space makes nearly every step
	 * small; random choices over 64,512 ports almost none. */
	if (all.near_seq * 4 <= all.changed - 1 &&
	    all.distinct == all.changed) {
		tx(r, s1.preserved == s1.n
			      ? ": preserved when free, random when not"
			      : ": random, no port preservation");
		r->verdict = RFC_V_MEETS;
	} else {
		tx(r, ": predictable");
		r->verdict = RFC_V_FAILS;
	}
}

void rfc_judge(const struct rfc_evidence *ev, struct rfc_row rows[RFC_NREQ])
{
	static void (*const judge[RFC_NREQ])(const struct rfc_evidence *,
					     struct rfc_row *) = {
		[RFC_REQ1] = judge_eim,
		[RFC_REQ2] = judge_seq,
		[RFC_REQ3] = judge_filter,
		[RFC_REQ4] = judge_unsolicited,
		[RFC_REQ5_EST] = judge_established,
		[RFC_REQ5_TRANS] = judge_transitory,
		[RFC_REQ6] = judge_alg,
		[RFC_REQ7] = judge_overload,
		[RFC_REQ8] = judge_hairpin,
		[RFC_REQ9] = judge_icmp_errors,
		[RFC_REQ10] = judge_icmp_keep,
		[RFC_TRACKING] = judge_tracking,
		[RFC_TRANSITORY] = judge_transitory_7857,
		[RFC_RST] = judge_rst,
		[RFC_OVERLAP] = judge_overlap,
		[RFC_APP] = judge_app,
		[RFC_PARITY] = judge_parity,
		[RFC_RANDOM] = judge_random,
	};
	int i;

	for (i = 0; i < RFC_NREQ; i++) {
		memset(&rows[i], 0, sizeof(rows[i]));
		judge[i](ev, &rows[i]);
	}
}

/* ---- the report ---- */

#define WIDTH	  100
#define COL_LABEL 12
#define COL_TITLE 38
#define COL_ASKS  9
#define COL_PNAME 14
#define COL_VERD  15
#define EV_INDENT (2 + COL_PNAME + 1 + COL_VERD + 1)

/* Print TEXT starting at column COL, wrapping between words before
 * WIDTH; continuation lines start at column INDENT. */
static void wrap(FILE *f, const char *text, int col, int indent)
{
	const char *p = text;
	int first = 1;

	while (*p) {
		const char *w;
		int len;

		while (*p == ' ')
			p++;
		w = p;
		while (*p && *p != ' ')
			p++;
		len = (int)(p - w);
		if (!len)
			break;
		if (!first && col + 1 + len > WIDTH) {
			fprintf(f, "\n%*s", indent, "");
			col = indent;
		} else if (!first) {
			fputc(' ', f);
			col++;
		}
		fwrite(w, 1, (size_t)len, f);
		col += len;
		first = 0;
	}
	fputc('\n', f);
}

static int pcol(const struct rfc_profile *p)
{
	int w = (int)strlen(p->name) + 2;

	return w < COL_VERD ? COL_VERD : w;
}

static void table_header(FILE *f, const struct rfc_report *r)
{
	char line[512];
	int i;

	snprintf(line, sizeof(line),
		 "natlab rfc: RFC 5382 / RFC 7857 behaviour of gateway %s "
		 "(clients %s, %s; servers %s, %s) in %s, Linux %s",
		 r->gateway, r->c1, r->c2, r->s1, r->s2, r->topology,
		 r->kernel);
	wrap(f, line, 0, 2);
	if (strcmp(r->gateway, "gw") || strcmp(r->c1, "c1") ||
	    strcmp(r->c2, "c2") || strcmp(r->s1, "s1") || strcmp(r->s2, "s2")) {
		snprintf(line, sizeof(line),
			 "below, gw is %s, c1 %s, c2 %s, s1 %s and s2 %s",
			 r->gateway, r->c1, r->c2, r->s1, r->s2);
		fprintf(f, "  ");
		wrap(f, line, 2, 2);
	}
	for (i = 0; i < r->nprofiles; i++) {
		const struct rfc_profile *p = &r->p[i];
		int n;

		if (p->status)
			n = snprintf(line, sizeof(line),
				     "nat = %s; lab %s; DID NOT RUN: %s",
				     p->nat, p->lab, p->error);
		else
			n = snprintf(line, sizeof(line),
				     "nat = %s; lab %s, %.1f s", p->nat, p->lab,
				     p->elapsed_ms / 1000.0);
		if (!p->status && p->ev.keeper && n > 0 &&
		    (size_t)n < sizeof(line))
			snprintf(line + n, sizeof(line) - (size_t)n,
				 "; keeper: %u conntrack events, %u "
				 "mappings, %u refused, %u lost",
				 p->ev.kp_events, p->ev.kp_mappings,
				 p->ev.kp_conflicts, p->ev.kp_lost);
		fprintf(f, "  %-*s ", COL_PNAME, p->name);
		wrap(f, line, 2 + COL_PNAME + 1, 2 + COL_PNAME + 1);
	}
}

void rfc_report_table(FILE *f, const struct rfc_report *r)
{
	char line[1024];
	int i, k;

	table_header(f, r);
	fprintf(f, "\n%-*s %-*s %-*s", COL_LABEL, "REQUIREMENT", COL_TITLE, "",
		COL_ASKS, "ASKS");
	for (k = 0; k < r->nprofiles; k++)
		fprintf(f, " %-*s", k + 1 < r->nprofiles ? pcol(&r->p[k]) : 0,
			r->p[k].name);
	fputc('\n', f);
	for (i = 0; i < RFC_NREQ; i++) {
		fprintf(f, "%-*s %-*s %-*s", COL_LABEL, rfc_reqs[i].label,
			COL_TITLE, rfc_reqs[i].title, COL_ASKS,
			rfc_level_name(rfc_reqs[i].level));
		for (k = 0; k < r->nprofiles; k++)
			fprintf(f, " %-*s",
				k + 1 < r->nprofiles ? pcol(&r->p[k]) : 0,
				rfc_verdict_name(r->p[k].rows[i].verdict));
		fputc('\n', f);
	}
	for (i = 0; i < RFC_NREQ; i++) {
		const struct rfc_req *q = &rfc_reqs[i];

		fprintf(f, "\n%s  %s (%s)\n", q->label, q->title,
			rfc_level_name(q->level));
		fprintf(f, "  asks  ");
		wrap(f, q->asks, 8, 8);
		fprintf(f, "  test  ");
		wrap(f, q->test, 8, 8);
		for (k = 0; k < r->nprofiles; k++) {
			const struct rfc_profile *p = &r->p[k];

			fprintf(f, "  %-*s %-*s ", COL_PNAME, p->name, COL_VERD,
				rfc_verdict_name(p->rows[i].verdict));
			wrap(f,
			     p->status ? "the profile did not run"
				       : p->rows[i].evidence,
			     EV_INDENT, EV_INDENT);
		}
	}
	snprintf(line, sizeof(line),
		 "Timers: the transitory timers were shortened to %d s only to "
		 "watch entries expire (4 min scaled 1:%d); every other value "
		 "is the gateway's own, read from its sysctls and live "
		 "conntrack entries.  REQ-4 was watched for %.1f s, unscaled.",
		 SCALED_S, SCALE, UNSOL_WINDOW_MS / 1000.0);
	fputc('\n', f);
	wrap(f, line, 0, 0);
	wrap(f,
	     "Verdicts: meets; does not meet; not applicable; configurable "
	     "(separate settings exist and the default misses the value the "
	     "RFC recommends); not measured (the test could not run).",
	     0, 0);
	fprintf(f, "%d profile%s side by side in %.1f s\n", r->nprofiles,
		r->nprofiles == 1 ? "" : "s", r->elapsed_ms / 1000.0);
}

static void json_key(FILE *f, const char *key, const char *val, int comma)
{
	report_json_string(f, key);
	fputc(':', f);
	if (val)
		report_json_string(f, val);
	else
		fputs("null", f);
	if (comma)
		fputc(',', f);
}

int rfc_report_json(FILE *f, const struct rfc_report *r)
{
	int i, k, d;

	fputc('{', f);
	json_key(f, "schema", RFC_SCHEMA, 1);
	json_key(f, "topology", r->topology, 1);
	json_key(f, "kernel", r->kernel, 1);
	json_key(f, "gateway", r->gateway, 1);
	fputs("\"clients\":[", f);
	report_json_string(f, r->c1);
	fputc(',', f);
	report_json_string(f, r->c2);
	fputs("],\"servers\":[", f);
	report_json_string(f, r->s1);
	fputc(',', f);
	report_json_string(f, r->s2);
	fprintf(f, "],\"elapsed_ms\":%u,", r->elapsed_ms);
	fprintf(f,
		"\"scaling\":{\"transitory_s\":%d,\"watched_s\":%d,"
		"\"factor\":%d,\"unsolicited_window_ms\":%d},",
		RFC_TRANSITORY_MIN, SCALED_S, SCALE, UNSOL_WINDOW_MS);
	fputs("\"profiles\":[", f);
	for (k = 0; k < r->nprofiles; k++) {
		const struct rfc_profile *p = &r->p[k];

		fputs(k ? ",{" : "{", f);
		json_key(f, "name", p->name, 1);
		json_key(f, "lab", p->lab, 1);
		json_key(f, "nat", p->nat, 1);
		fprintf(f, "\"ran\":%s,", p->status ? "false" : "true");
		json_key(f, "error", p->status ? p->error : NULL, 1);
		fprintf(f, "\"elapsed_ms\":%u", p->elapsed_ms);
		if (!p->status && p->ev.keeper)
			fprintf(f,
				",\"keeper\":{\"events\":%u,\"mappings\":%u,"
				"\"refused\":%u,\"lost\":%u}",
				p->ev.kp_events, p->ev.kp_mappings,
				p->ev.kp_conflicts, p->ev.kp_lost);
		fputc('}', f);
	}
	fputs("],\"requirements\":[", f);
	for (i = 0; i < RFC_NREQ; i++) {
		const struct rfc_req *q = &rfc_reqs[i];

		fputs(i ? ",{" : "{", f);
		json_key(f, "id", q->id, 1);
		json_key(f, "rfc", q->label[0] == '5' ? "5382" : "7857", 1);
		json_key(f, "title", q->title, 1);
		json_key(f, "asks", rfc_level_name(q->level), 1);
		json_key(f, "statement", q->asks, 1);
		json_key(f, "test", q->test, 1);
		fputs("\"results\":{", f);
		for (k = 0; k < r->nprofiles; k++) {
			const struct rfc_profile *p = &r->p[k];
			const struct rfc_row *row = &p->rows[i];

			if (k)
				fputc(',', f);
			report_json_string(f, p->name);
			fputs(":{", f);
			json_key(f, "verdict", rfc_verdict_name(row->verdict),
				 1);
			json_key(f, "evidence",
				 p->status ? "the profile did not run"
					   : row->evidence,
				 1);
			fputs("\"data\":{", f);
			for (d = 0; !p->status && d < row->ndata; d++) {
				if (d)
					fputc(',', f);
				report_json_string(f, row->data[d].key);
				fprintf(f, ":%lld",
					(long long)row->data[d].value);
			}
			fputs("}}", f);
		}
		fputs("}}", f);
	}
	fputs("]}\n", f);
	return ferror(f) ? -EIO : 0;
}

/* ---- ctnetlink messages ---- */

size_t rfc_ct_build_get(void *buf, uint32_t seq, const struct rfc_ct_tuple *t)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nlattr *orig, *nest;
	struct nfgenmsg *g;

	nlh->nlmsg_type = (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_GET;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = seq;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->nfgen_family = AF_INET;
	g->version = NFNETLINK_V0;
	g->res_id = 0;
	orig = mnl_attr_nest_start(nlh, CTA_TUPLE_ORIG);
	nest = mnl_attr_nest_start(nlh, CTA_TUPLE_IP);
	mnl_attr_put_u32(nlh, CTA_IP_V4_SRC, htonl(t->src));
	mnl_attr_put_u32(nlh, CTA_IP_V4_DST, htonl(t->dst));
	mnl_attr_nest_end(nlh, nest);
	nest = mnl_attr_nest_start(nlh, CTA_TUPLE_PROTO);
	mnl_attr_put_u8(nlh, CTA_PROTO_NUM, t->proto);
	mnl_attr_put_u16(nlh, CTA_PROTO_SRC_PORT, htons(t->sport));
	mnl_attr_put_u16(nlh, CTA_PROTO_DST_PORT, htons(t->dport));
	mnl_attr_nest_end(nlh, nest);
	mnl_attr_nest_end(nlh, orig);
	return nlh->nlmsg_len;
}

static int ct_parse_tuple(const struct nlattr *nest, struct rfc_ct_tuple *t)
{
	const struct nlattr *a, *b;
	int have = 0;

	mnl_attr_for_each_nested(a, nest)
	{
		switch (mnl_attr_get_type(a)) {
		case CTA_TUPLE_IP:
			mnl_attr_for_each_nested(b, a)
			{
				if (mnl_attr_validate(b, MNL_TYPE_U32) < 0)
					continue;
				if (mnl_attr_get_type(b) == CTA_IP_V4_SRC)
					t->src = ntohl(mnl_attr_get_u32(b));
				else if (mnl_attr_get_type(b) == CTA_IP_V4_DST)
					t->dst = ntohl(mnl_attr_get_u32(b));
				have |= 1;
			}
			break;
		case CTA_TUPLE_PROTO:
			mnl_attr_for_each_nested(b, a)
			{
				switch (mnl_attr_get_type(b)) {
				case CTA_PROTO_NUM:
					if (mnl_attr_validate(b, MNL_TYPE_U8) <
					    0)
						break;
					t->proto = mnl_attr_get_u8(b);
					have |= 2;
					break;
				case CTA_PROTO_SRC_PORT:
					if (mnl_attr_validate(b, MNL_TYPE_U16) <
					    0)
						break;
					t->sport = ntohs(mnl_attr_get_u16(b));
					break;
				case CTA_PROTO_DST_PORT:
					if (mnl_attr_validate(b, MNL_TYPE_U16) <
					    0)
						break;
					t->dport = ntohs(mnl_attr_get_u16(b));
					break;
				}
			}
			break;
		}
	}
	return have == 3 ? 0 : -EINVAL;
}

static void ct_parse_protoinfo(const struct nlattr *nest,
			       struct rfc_ct_entry *e)
{
	const struct nlattr *a, *b;

	mnl_attr_for_each_nested(a, nest)
	{
		if (mnl_attr_get_type(a) != CTA_PROTOINFO_TCP)
			continue;
		mnl_attr_for_each_nested(b, a)
		{
			if (mnl_attr_get_type(b) == CTA_PROTOINFO_TCP_STATE &&
			    mnl_attr_validate(b, MNL_TYPE_U8) == 0)
				e->state = mnl_attr_get_u8(b);
		}
	}
}

static void ct_parse_help(const struct nlattr *nest, struct rfc_ct_entry *e)
{
	const struct nlattr *a;

	mnl_attr_for_each_nested(a, nest)
	{
		if (mnl_attr_get_type(a) == CTA_HELP_NAME &&
		    mnl_attr_validate(a, MNL_TYPE_NUL_STRING) == 0)
			snprintf(e->helper, sizeof(e->helper), "%s",
				 mnl_attr_get_str(a));
	}
}

int rfc_ct_parse(const struct nlmsghdr *nlh, struct rfc_ct_entry *e)
{
	const struct nlattr *a;
	int have = 0;

	memset(e, 0, sizeof(*e));
	e->state = -1;
	e->timeout = -1;
	if ((nlh->nlmsg_type >> 8) != NFNL_SUBSYS_CTNETLINK ||
	    nlh->nlmsg_len < mnl_nlmsg_size(sizeof(struct nfgenmsg)))
		return -EINVAL;
	mnl_attr_for_each(a, nlh, sizeof(struct nfgenmsg))
	{
		switch (mnl_attr_get_type(a)) {
		case CTA_TUPLE_ORIG:
			if (!ct_parse_tuple(a, &e->orig))
				have |= 1;
			break;
		case CTA_TUPLE_REPLY:
			if (!ct_parse_tuple(a, &e->reply))
				have |= 2;
			break;
		case CTA_STATUS:
			if (mnl_attr_validate(a, MNL_TYPE_U32) == 0)
				e->status = ntohl(mnl_attr_get_u32(a));
			break;
		case CTA_TIMEOUT:
			if (mnl_attr_validate(a, MNL_TYPE_U32) == 0)
				e->timeout =
					(int32_t)ntohl(mnl_attr_get_u32(a));
			break;
		case CTA_PROTOINFO:
			ct_parse_protoinfo(a, e);
			break;
		case CTA_HELP:
			ct_parse_help(a, e);
			break;
		}
	}
	return have == 3 ? 0 : -EINVAL;
}

int rfc_fc_classify(const struct rfc_ct_entry *e, uint32_t ext, uint32_t net,
		    uint32_t mask, struct rfc_mapping out[2])
{
	const struct rfc_ct_tuple *o = &e->orig, *r = &e->reply;
	int n = 0;

	if (o->proto != IPPROTO_TCP)
		return 0;
	/* From inside, source-NATed to the outside address: the mapping
	 * of its source. */
	if ((o->src & mask) == (net & mask) && r->dst == ext && o->src != ext) {
		out[n].int_addr = o->src;
		out[n].int_port = o->sport;
		out[n].ext_port = r->dport;
		n++;
	}
	/* To the outside address and sent inside (by the keeper's DNAT):
	 * the mapping of its destination. */
	if (o->dst == ext && (r->src & mask) == (net & mask) && r->src != ext) {
		out[n].int_addr = r->src;
		out[n].int_port = r->sport;
		out[n].ext_port = o->dport;
		n++;
	}
	return n;
}

/* ---- I/O: sockets inside the lab's nodes ---- */

static volatile sig_atomic_t rfc_stop;

/* The roles of the suite's nodes. */
enum { N_GW, N_C1, N_C2, N_S1, N_S2, N_NODES };

struct keeper;

struct suite {
	const struct topo *t;
	struct rfc_evidence *ev;
	int node[N_NODES]; /* topology node index */
	int nsfd[N_NODES];
	uint32_t addr[N_NODES]; /* gw: its outside address */
	const char *c1_if;	/* c1's interface, for the capture */
	struct mnl_socket *ct;	/* ctnetlink in the gateway */
	uint32_t ct_seq;
	struct keeper *kp; /* the rfc profile's full-cone keeper */
	int l_s1, l_s2, l_alg[4];
	int unsol_fd; /* REQ-4's probe while it is watched */
	uint64_t unsol_t0;
};

/* Sockets a test keeps open until it ends. */
struct fds {
	int v[4 * RFC_PORTS_N + 8];
	int n;
};

static void fds_add(struct fds *f, int fd)
{
	if (fd < 0)
		return;
	if ((size_t)f->n < ARRAY_SIZE(f->v))
		f->v[f->n++] = fd;
	else
		close(fd);
}

static void fds_close(struct fds *f)
{
	while (f->n > 0)
		close(f->v[--f->n]);
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static uint64_t now_us(void)
{
	return util_now_ns() / 1000;
}

/* Sleep, but return early (-EINTR) when the run is being stopped. */
static int sleep_ms(int ms)
{
	uint64_t end = util_now_ns() + (uint64_t)ms * 1000000;

	while (!rfc_stop) {
		uint64_t now = util_now_ns();

		if (now >= end)
			return 0;
		usleep(end - now > 10000000 ? 10000 : (end - now) / 1000 + 1);
	}
	return -EINTR;
}

/* poll() in slices, so that a stop request is seen within 100 ms. */
static int poll_stop(struct pollfd *p, nfds_t n, int timeout_ms)
{
	uint64_t end = util_now_ns() + (uint64_t)timeout_ms * 1000000;
	int r;

	for (;;) {
		uint64_t now = util_now_ns();
		int slice = now >= end ? 0 : (int)((end - now) / 1000000);

		if (slice > 100)
			slice = 100;
		r = poll(p, n, slice);
		if (r != 0 || now >= end || rfc_stop)
			return r < 0 && errno == EINTR ? 0 : r;
	}
}

/* A socket made inside node n (it stays in that namespace). */
static int sock_at(struct suite *s, int n, int domain, int type, int proto)
{
	int fd, err = netns_enter(s->nsfd[n]);

	if (err)
		return err;
	fd = socket(domain, type | SOCK_CLOEXEC | SOCK_NONBLOCK, proto);
	err = fd < 0 ? -errno : 0;
	netns_leave();
	return fd < 0 ? err : fd;
}

static int set_int(int fd, int level, int name, int v)
{
	return setsockopt(fd, level, name, &v, sizeof(v)) < 0 ? -errno : 0;
}

static struct sockaddr_in sin_of(uint32_t addr, uint16_t port)
{
	struct sockaddr_in a;

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(addr);
	a.sin_port = htons(port);
	return a;
}

/* A TCP socket of node n bound to sport (0: any), which may share its
 * port with the node's other sockets (a listener and connections from
 * one port, as TCP hole punching does it). */
static int tcp_socket(struct suite *s, int n, uint16_t sport)
{
	struct sockaddr_in a = sin_of(INADDR_ANY, sport);
	int fd = sock_at(s, n, AF_INET, SOCK_STREAM, 0), err;

	if (fd < 0)
		return fd;
	err = set_int(fd, SOL_SOCKET, SO_REUSEADDR, 1);
	if (!err)
		err = set_int(fd, SOL_SOCKET, SO_REUSEPORT, 1);
	/* ICMP errors while connecting, to tell them from a RST. */
	if (!err)
		err = set_int(fd, IPPROTO_IP, IP_RECVERR, 1);
	if (!err && sport && bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0)
		err = -errno;
	if (err) {
		close(fd);
		return err;
	}
	return fd;
}

static int tcp_listen(struct suite *s, int n, uint16_t port)
{
	int fd = tcp_socket(s, n, port);

	if (fd >= 0 && listen(fd, 256) < 0) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

static int conn_start(int fd, uint32_t daddr, uint16_t dport)
{
	struct sockaddr_in a = sin_of(daddr, dport);

	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0 ||
	    errno == EINPROGRESS)
		return 0;
	return -errno;
}

/* The ICMP error queued on a socket with IP_RECVERR, if any. */
static int errqueue_icmp(int fd, struct rfc_conn *c)
{
	char ctl[512], data[64];
	struct iovec iov = {data, sizeof(data)};
	struct msghdr m;
	struct cmsghdr *cm;

	memset(&m, 0, sizeof(m));
	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	m.msg_control = ctl;
	m.msg_controllen = sizeof(ctl);
	if (recvmsg(fd, &m, MSG_ERRQUEUE | MSG_DONTWAIT) < 0)
		return 0;
	for (cm = CMSG_FIRSTHDR(&m); cm; cm = CMSG_NXTHDR(&m, cm)) {
		struct sock_extended_err ee;
		struct sockaddr_in from;

		if (cm->cmsg_level != IPPROTO_IP || cm->cmsg_type != IP_RECVERR)
			continue;
		memcpy(&ee, CMSG_DATA(cm), sizeof(ee));
		if (ee.ee_origin != SO_EE_ORIGIN_ICMP)
			continue;
		memcpy(&from,
		       SO_EE_OFFENDER(
			       (struct sock_extended_err *)CMSG_DATA(cm)),
		       sizeof(from));
		c->out = RFC_OUT_ICMP;
		c->icmp_type = ee.ee_type;
		c->icmp_code = ee.ee_code;
		c->icmp_from = ntohl(from.sin_addr.s_addr);
		return 1;
	}
	return 0;
}

/*
 * Wait up to timeout_ms for a connect() begun at t0 (us) to end: OK, a
 * RST (ECONNREFUSED with no ICMP queued), an ICMP error, or silence.
 */
static void conn_wait(int fd, uint64_t t0, int timeout_ms, struct rfc_conn *c)
{
	struct pollfd p = {.fd = fd, .events = POLLOUT};
	socklen_t len = sizeof(int);
	int r, soerr = 0;

	r = poll_stop(&p, 1, timeout_ms);
	c->us = (uint32_t)(now_us() - t0);
	if (r < 0) {
		c->out = RFC_OUT_ERROR;
		c->err = errno;
		return;
	}
	if (r == 0) {
		c->out = RFC_OUT_SILENT;
		return;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) < 0) {
		c->out = RFC_OUT_ERROR;
		c->err = errno;
		return;
	}
	if (!soerr) {
		c->out = RFC_OUT_OK;
		/* From now on an ICMP error is soft, as for any socket. */
		set_int(fd, IPPROTO_IP, IP_RECVERR, 0);
		return;
	}
	if (errqueue_icmp(fd, c))
		return;
	if (soerr == ECONNREFUSED) {
		c->out = RFC_OUT_RST;
		return;
	}
	c->out = RFC_OUT_ERROR;
	c->err = soerr;
}

/* Accept one connection; *addr and *port: the peer as the acceptor saw
 * it. */
static int accept_peer(int lfd, int timeout_ms, uint32_t *addr, uint16_t *port)
{
	struct pollfd p = {.fd = lfd, .events = POLLIN};
	struct sockaddr_in a;
	socklen_t len = sizeof(a);
	int fd;

	if (poll_stop(&p, 1, timeout_ms) <= 0)
		return -ETIMEDOUT;
	fd = accept4(lfd, (struct sockaddr *)&a, &len,
		     SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (fd < 0)
		return -errno;
	*addr = ntohl(a.sin_addr.s_addr);
	*port = ntohs(a.sin_port);
	return fd;
}

/* A server accepted a connection from this address: address pooling. */
static void seen(struct suite *s, uint32_t addr)
{
	struct rfc_evidence *e = s->ev;
	int i;

	e->nseen++;
	for (i = 0; i < e->nseen_addr; i++)
		if (e->seen_addr[i] == addr)
			return;
	if (e->nseen_addr < (int)ARRAY_SIZE(e->seen_addr))
		e->seen_addr[e->nseen_addr++] = addr;
}

/*
 * Connect from node n, port sport, to daddr:dport, and once connected
 * accept on lfd (when >= 0): c gets the outcome and the address and port
 * the acceptor saw.  The two sockets go to f, or to *cfd and *afd.
 */
static void probe(struct suite *s, int n, uint16_t sport, uint32_t daddr,
		  uint16_t dport, int lfd, struct rfc_conn *c, struct fds *f,
		  int *cfd, int *afd)
{
	int fd, afd_ = -1, err;
	uint64_t t0;

	memset(c, 0, sizeof(*c));
	if (cfd)
		*cfd = -1;
	if (afd)
		*afd = -1;
	fd = tcp_socket(s, n, sport);
	if (fd < 0) {
		c->out = RFC_OUT_ERROR;
		c->err = -fd;
		return;
	}
	t0 = now_us();
	err = conn_start(fd, daddr, dport);
	if (err) {
		c->out = RFC_OUT_ERROR;
		c->err = -err;
		close(fd);
		return;
	}
	conn_wait(fd, t0, WAIT_CONNECT_MS, c);
	if (c->out == RFC_OUT_OK && lfd >= 0) {
		afd_ = accept_peer(lfd, WAIT_ACCEPT_MS, &c->ext_addr,
				   &c->ext_port);
		if (afd_ < 0) {
			c->out = RFC_OUT_ERROR;
			c->err = -afd_;
		} else if (lfd == s->l_s1 || lfd == s->l_s2 ||
			   (lfd == s->l_alg[0] || lfd == s->l_alg[1] ||
			    lfd == s->l_alg[2] || lfd == s->l_alg[3])) {
			seen(s, c->ext_addr);
		}
	}
	if (cfd)
		*cfd = fd;
	else if (f)
		fds_add(f, fd);
	else
		close(fd);
	if (afd)
		*afd = afd_;
	else if (f)
		fds_add(f, afd_);
	else if (afd_ >= 0)
		close(afd_);
}

/* One byte from one socket to the other. */
static int xfer1(int from, int to)
{
	struct pollfd p = {.fd = to, .events = POLLIN};
	char buf[8];

	if (send(from, "x", 1, MSG_NOSIGNAL) != 1)
		return 0;
	if (poll_stop(&p, 1, WAIT_CONNECT_MS) != 1)
		return 0;
	return recv(to, buf, sizeof(buf), 0) == 1;
}

static int xfer(int a, int b)
{
	return a >= 0 && b >= 0 && xfer1(a, b) && xfer1(b, a);
}

/* Wait for the peer's FIN (1) or RST (2); 0: neither in time. */
static int wait_end(int fd, int timeout_ms)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	char buf[64];
	ssize_t n;

	if (poll_stop(&p, 1, timeout_ms) != 1)
		return 0;
	n = recv(fd, buf, sizeof(buf), 0);
	if (n == 0)
		return 1;
	return n < 0 && errno == ECONNRESET ? 2 : 0;
}

/* Close with a RST (SO_LINGER {1, 0}). */
static void close_rst(int *fd)
{
	struct linger l = {.l_onoff = 1, .l_linger = 0};

	if (*fd >= 0)
		setsockopt(*fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
	close_fd(fd);
}

/* SYNs sent by a connecting socket: the first and its retransmissions. */
static uint8_t syns_sent(int fd)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);

	memset(&ti, 0, sizeof(ti));
	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) < 0)
		return 0;
	return (uint8_t)(ti.tcpi_total_retrans + 1);
}

/*
 * A datagram from node n, port sport, to daddr:dport, and what came back
 * within the wait: a datagram (OK), an ICMP error (IP_RECVERR), nothing.
 */
static void udp_probe(struct suite *s, int n, uint16_t sport, uint32_t daddr,
		      uint16_t dport, const void *msg, size_t len,
		      struct rfc_conn *c)
{
	struct sockaddr_in src = sin_of(INADDR_ANY, sport);
	struct sockaddr_in dst = sin_of(daddr, dport);
	struct pollfd p = {.events = POLLIN};
	char buf[256];
	uint64_t t0;
	int fd, r;

	memset(c, 0, sizeof(*c));
	fd = sock_at(s, n, AF_INET, SOCK_DGRAM, 0);
	if (fd < 0) {
		c->out = RFC_OUT_ERROR;
		c->err = -fd;
		return;
	}
	if (set_int(fd, IPPROTO_IP, IP_RECVERR, 1) ||
	    bind(fd, (struct sockaddr *)&src, sizeof(src)) < 0 ||
	    connect(fd, (struct sockaddr *)&dst, sizeof(dst)) < 0) {
		c->out = RFC_OUT_ERROR;
		c->err = errno;
		close(fd);
		return;
	}
	t0 = now_us();
	if (send(fd, msg, len, 0) < 0 && errno != ECONNREFUSED) {
		c->out = RFC_OUT_ERROR;
		c->err = errno;
		close(fd);
		return;
	}
	p.fd = fd;
	r = poll_stop(&p, 1, WAIT_CONNECT_MS);
	c->us = (uint32_t)(now_us() - t0);
	if (r == 0)
		c->out = RFC_OUT_SILENT;
	else if ((p.revents & POLLERR) && errqueue_icmp(fd, c))
		;
	else if (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) >= 0)
		c->out = RFC_OUT_OK;
	else {
		c->out = RFC_OUT_ERROR;
		c->err = errno;
	}
	close(fd);
}

/* ---- I/O: the gateway's conntrack table, sysctls and rules ---- */

static int ct_open(struct suite *s)
{
	struct timeval tv = {.tv_sec = 1};
	int err = netns_enter(s->nsfd[N_GW]);

	if (err)
		return err;
	s->ct = mnl_socket_open2(NETLINK_NETFILTER, SOCK_CLOEXEC);
	if (!s->ct)
		err = -errno;
	else if (mnl_socket_bind(s->ct, 0, MNL_SOCKET_AUTOPID) < 0 ||
		 setsockopt(mnl_socket_get_fd(s->ct), SOL_SOCKET, SO_RCVTIMEO,
			    &tv, sizeof(tv)) < 0)
		err = -errno;
	netns_leave();
	if (err && s->ct) {
		mnl_socket_close(s->ct);
		s->ct = NULL;
	}
	return err;
}

struct ct_reply {
	struct rfc_ct_entry *e;
	int found;
};

static int ct_get_cb(const struct nlmsghdr *nlh, void *data)
{
	struct ct_reply *r = data;

	if (rfc_ct_parse(nlh, r->e) == 0)
		r->found = 1;
	return MNL_CB_OK;
}

/* The gateway's entry whose original tuple is src:sport -> dst:dport.
 * Return: 0, -ENOENT if there is none, or -errno. */
static int ct_get(struct suite *s, uint32_t src, uint16_t sport, uint32_t dst,
		  uint16_t dport, struct rfc_ct_entry *e)
{
	struct rfc_ct_tuple t = {src, dst, sport, dport, IPPROTO_TCP};
	struct ct_reply r;
	char buf[MNL_SOCKET_BUFFER_SIZE];
	uint32_t seq = ++s->ct_seq;
	size_t len;
	ssize_t n;
	int ret;

	memset(e, 0, sizeof(*e));
	e->state = -1;
	e->timeout = -1;
	r.e = e;
	r.found = 0;
	if (!s->ct)
		return -ENOTCONN;
	len = rfc_ct_build_get(buf, seq, &t);
	if (mnl_socket_sendto(s->ct, buf, len) < 0)
		return -errno;
	do {
		n = mnl_socket_recvfrom(s->ct, buf, sizeof(buf));
		if (n < 0)
			return errno == EAGAIN ? -ETIMEDOUT : -errno;
		ret = mnl_cb_run(buf, (size_t)n, seq,
				 mnl_socket_get_portid(s->ct), ct_get_cb, &r);
	} while (ret > MNL_CB_STOP);
	if (ret < 0)
		return -errno;
	return r.found ? 0 : -ENOENT;
}

/* c1's entry towards s1 from sport to dport. */
static int ct_c1(struct suite *s, uint16_t sport, uint16_t dport,
		 struct rfc_ct_entry *e)
{
	return ct_get(s, s->addr[N_C1], sport, s->addr[N_S1], dport, e);
}

/* Wait up to ms for c1's entry to reach state want (-1: any state
 * other than not_state).  Return: 0, -ENOENT (gone), -ETIMEDOUT. */
static int ct_wait(struct suite *s, uint16_t sport, uint16_t dport, int want,
		   int not_state, int ms, struct rfc_ct_entry *e)
{
	uint64_t end = util_now_ns() + (uint64_t)ms * 1000000;
	int err;

	for (;;) {
		err = ct_c1(s, sport, dport, e);
		if (err)
			return err;
		if (want >= 0 ? e->state == want : e->state != not_state)
			return 0;
		if (util_now_ns() >= end || sleep_ms(5))
			return -ETIMEDOUT;
	}
}

/* A conntrack state seen, for the session tracking row (repeats of the
 * last one are left out). */
static void state_seen(struct suite *s, int state)
{
	struct rfc_evidence *e = s->ev;

	if (state < 0 || e->nstates == RFC_STATES_MAX ||
	    (e->nstates && e->states[e->nstates - 1] == state))
		return;
	e->states[e->nstates++] = (int8_t)state;
}

/* net.netfilter.nf_conntrack_NAME of the gateway. */
static int gw_sysctl_get(struct suite *s, const char *name, int32_t *v)
{
	char key[128], buf[32];
	int err = netns_enter(s->nsfd[N_GW]);

	if (err)
		return err;
	snprintf(key, sizeof(key), "net.netfilter.nf_conntrack_%s", name);
	err = sysctl_get(key, buf, sizeof(buf));
	netns_leave();
	if (!err)
		*v = (int32_t)strtol(buf, NULL, 10);
	return err;
}

static int gw_sysctl_set(struct suite *s, const char *name, int32_t v)
{
	char key[128], buf[32];
	int err = netns_enter(s->nsfd[N_GW]);

	if (err)
		return err;
	snprintf(key, sizeof(key), "net.netfilter.nf_conntrack_%s", name);
	snprintf(buf, sizeof(buf), "%d", v);
	err = sysctl_set(key, buf);
	netns_leave();
	if (err)
		log_errno(err, "gateway: cannot set %s", key);
	return err;
}

/* Lines of the gateway's /proc/net/nf_conntrack_expect, -1 if absent. */
static int32_t gw_expectations(struct suite *s)
{
	char *line = NULL;
	size_t cap = 0;
	int32_t n = 0;
	FILE *f;

	if (netns_enter(s->nsfd[N_GW]))
		return -1;
	f = fopen("/proc/thread-self/net/nf_conntrack_expect", "re");
	netns_leave();
	if (!f)
		return -1;
	while (getline(&line, &cap, f) > 0)
		n++;
	free(line);
	fclose(f);
	return n;
}

/* Send an nftables batch inside node n. */
static int nft_send_at(struct suite *s, int n, struct nft_batch *b,
		       const char *what)
{
	char why[512];
	int err = netns_enter(s->nsfd[n]);

	if (err)
		return err;
	err = nft_batch_send(b, why, sizeof(why));
	netns_leave();
	if (err)
		log_err("%s: %s", what, why);
	return err;
}

/* ---- I/O: an ICMP error made by hand, and a capture ---- */

static uint16_t inet_csum(const void *data, size_t len)
{
	const uint8_t *p = data;
	uint32_t sum = 0;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons((uint16_t)~sum);
}

/*
 * Send from node n to TO an ICMP port unreachable about a TCP segment
 * in_src:in_sport -> in_dst:in_dport (its IP header and first 8 bytes,
 * as RFC 792 quotes them).
 */
static int send_unreach(struct suite *s, int n, uint32_t to, uint32_t in_src,
			uint16_t in_sport, uint32_t in_dst, uint16_t in_dport)
{
	struct sockaddr_in a = sin_of(to, 0);
	uint8_t pkt[8 + 20 + 8];
	struct iphdr iph;
	uint16_t v16, csum;
	int fd, err = 0;

	memset(pkt, 0, sizeof(pkt));
	memset(&iph, 0, sizeof(iph));
	pkt[0] = ICMP_UNREACH;
	pkt[1] = ICMP_PORT;
	iph.version = 4;
	iph.ihl = 5;
	iph.tot_len = htons(40);
	iph.frag_off = htons(0x4000);
	iph.ttl = 64;
	iph.protocol = IPPROTO_TCP;
	iph.saddr = htonl(in_src);
	iph.daddr = htonl(in_dst);
	iph.check = inet_csum(&iph, sizeof(iph));
	memcpy(pkt + 8, &iph, sizeof(iph));
	v16 = htons(in_sport);
	memcpy(pkt + 28, &v16, 2);
	v16 = htons(in_dport);
	memcpy(pkt + 30, &v16, 2);
	csum = inet_csum(pkt, sizeof(pkt));
	memcpy(pkt + 2, &csum, 2);

	fd = sock_at(s, n, AF_INET, SOCK_RAW, IPPROTO_ICMP);
	if (fd < 0)
		return fd;
	if (sendto(fd, pkt, sizeof(pkt), 0, (struct sockaddr *)&a, sizeof(a)) !=
	    (ssize_t)sizeof(pkt))
		err = -errno;
	close(fd);
	return err;
}

/* A packet socket on node n's interface, IPv4 only. */
static int cap_open(struct suite *s, int n, const char *ifname)
{
	struct sockaddr_ll sll;
	int fd, err = netns_enter(s->nsfd[n]);

	if (err)
		return err;
	fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
		    htons(ETH_P_IP));
	err = fd < 0 ? -errno : 0;
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ETH_P_IP);
	sll.sll_ifindex = (int)if_nametoindex(ifname);
	if (!err && (!sll.sll_ifindex ||
		     bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0)) {
		err = sll.sll_ifindex ? -errno : -ENODEV;
		close(fd);
		fd = -1;
	}
	netns_leave();
	return fd < 0 ? err : fd;
}

/*
 * Wait up to ms for an ICMP destination unreachable on the capture whose
 * quoted segment is TCP to in_dst:in_dport; its quoted source in *addr,
 * *port.  Return: 1 seen, 0 not.
 */
static int cap_unreach(int fd, int ms, uint32_t in_dst, uint16_t in_dport,
		       uint32_t *addr, uint16_t *port)
{
	uint64_t end = util_now_ns() + (uint64_t)ms * 1000000;
	uint8_t buf[2048];

	while (!rfc_stop && util_now_ns() < end) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		const uint8_t *icmp, *in;
		size_t ihl, iihl;
		uint32_t v;
		uint16_t v16;
		ssize_t n;

		if (poll(&p, 1, 10) <= 0)
			continue;
		n = recv(fd, buf, sizeof(buf), 0);
		if (n < 20 || (buf[0] >> 4) != 4 || buf[9] != IPPROTO_ICMP)
			continue;
		ihl = (size_t)(buf[0] & 0xf) * 4;
		if ((size_t)n < ihl + 8 + 20 + 4)
			continue;
		icmp = buf + ihl;
		in = icmp + 8;
		iihl = (size_t)(in[0] & 0xf) * 4;
		if (icmp[0] != ICMP_UNREACH || in[9] != IPPROTO_TCP ||
		    (size_t)n < ihl + 8 + iihl + 4)
			continue;
		memcpy(&v, in + 16, 4);
		memcpy(&v16, in + iihl + 2, 2);
		if (ntohl(v) != in_dst || ntohs(v16) != in_dport)
			continue;
		memcpy(&v, in + 12, 4);
		memcpy(&v16, in + iihl, 2);
		*addr = ntohl(v);
		*port = ntohs(v16);
		return 1;
	}
	return 0;
}

/* ---- the full-cone keeper (rfc profile) ---- */

#define KEEPER_RCVBUF (4 << 20)
#define KEEPER_BUF    (64 * 1024)

struct kentry {
	struct rfc_mapping m;
	int refs;      /* connections that use it */
	int installed; /* the maps took it */
};

struct keeper {
	pthread_t tid;
	int nsfd;    /* the gateway's namespace */
	int stop[2]; /* a byte here ends the thread */
	uint32_t ext, net, mask;
	pthread_mutex_t mu; /* guards v, n and ready against readers */
	pthread_cond_t cv;
	int ready; /* 1: listening; -errno: failed to start */
	struct kentry *v;
	int n, cap;
	uint32_t events, mappings, conflicts, lost;
};

static int keeper_find(const struct keeper *k, uint32_t addr, uint16_t port)
{
	int i;

	for (i = 0; i < k->n; i++)
		if (k->v[i].m.int_addr == addr && k->v[i].m.int_port == port)
			return i;
	return -1;
}

/* Add or delete a mapping in the gateway's maps (the keeper's thread is
 * in the gateway's namespace). */
static int keeper_nft(const struct rfc_mapping *m, int add)
{
	struct nft_batch *b = nft_batch_new();
	char why[512];
	int err;

	if (!b)
		return -ENOMEM;
	err = nft_fullcone_map(b, add, m->int_addr, m->int_port, m->ext_port);
	if (!err)
		err = nft_batch_send(b, why, sizeof(why));
	if (err)
		log_debug("keeper: %s", err == -ENOMEM ? "out of memory" : why);
	nft_batch_free(b);
	return err;
}

/* A connection began (add) or ended using mapping m. */
static void keeper_apply(struct keeper *k, const struct rfc_mapping *m, int add)
{
	struct kentry gone;
	int i = keeper_find(k, m->int_addr, m->int_port), installed;

	if (add && i >= 0) {
		pthread_mutex_lock(&k->mu);
		k->v[i].refs++;
		pthread_mutex_unlock(&k->mu);
		return;
	}
	if (add) {
		/* Install first: a mapping the suite can see is in the
		 * maps.  The maps refuse an external port that is some
		 * other endpoint's already (port overlapping): counted. */
		installed = keeper_nft(m, 1) == 0;
		if (installed)
			k->mappings++;
		else
			k->conflicts++;
		pthread_mutex_lock(&k->mu);
		if (k->n == k->cap) {
			k->cap = k->cap ? 2 * k->cap : 64;
			k->v = xrealloc(k->v, (size_t)k->cap, sizeof(*k->v));
		}
		k->v[k->n].m = *m;
		k->v[k->n].refs = 1;
		k->v[k->n].installed = installed;
		k->n++;
		pthread_cond_broadcast(&k->cv);
		pthread_mutex_unlock(&k->mu);
		return;
	}
	if (i < 0)
		return;
	pthread_mutex_lock(&k->mu);
	if (--k->v[i].refs > 0) {
		pthread_mutex_unlock(&k->mu);
		return;
	}
	gone = k->v[i];
	k->v[i] = k->v[--k->n];
	pthread_mutex_unlock(&k->mu);
	if (gone.installed)
		keeper_nft(&gone.m, 0);
}

static void keeper_event(struct keeper *k, const struct nlmsghdr *nlh)
{
	struct rfc_mapping m[2];
	struct rfc_ct_entry e;
	int type = nlh->nlmsg_type & 0xff, add, i, n;

	if ((nlh->nlmsg_type >> 8) != NFNL_SUBSYS_CTNETLINK)
		return;
	if (type == IPCTNL_MSG_CT_NEW)
		add = 1;
	else if (type == IPCTNL_MSG_CT_DELETE)
		add = 0;
	else
		return;
	if (rfc_ct_parse(nlh, &e))
		return;
	k->events++;
	n = rfc_fc_classify(&e, k->ext, k->net, k->mask, m);
	for (i = 0; i < n; i++)
		keeper_apply(k, &m[i], add);
}

static void keeper_set_ready(struct keeper *k, int v)
{
	pthread_mutex_lock(&k->mu);
	k->ready = v;
	pthread_cond_broadcast(&k->cv);
	pthread_mutex_unlock(&k->mu);
}

/* Join a conntrack multicast group (NFNLGRP_CONNTRACK_*). */
static int keeper_join(struct mnl_socket *nl, int group)
{
	return mnl_socket_setsockopt(nl, NETLINK_ADD_MEMBERSHIP, &group,
				     sizeof(group)) < 0
		       ? -errno
		       : 0;
}

static void *keeper_main(void *arg)
{
	struct keeper *k = arg;
	struct mnl_socket *nl = NULL;
	char *buf = NULL;
	sigset_t set;
	int err, fd = -1, size = KEEPER_RCVBUF;

	/* Signals are the suite's (its main thread) to take. */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);

	/* This thread stays in the gateway's namespace: its event socket
	 * and the nftables batches it sends belong there. */
	err = netns_enter(k->nsfd);
	if (!err) {
		nl = mnl_socket_open2(NETLINK_NETFILTER, SOCK_CLOEXEC);
		if (!nl)
			err = -errno;
	}
	if (!err && mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0)
		err = -errno;
	if (!err)
		err = keeper_join(nl, NFNLGRP_CONNTRACK_NEW);
	if (!err)
		err = keeper_join(nl, NFNLGRP_CONNTRACK_DESTROY);
	if (!err) {
		fd = mnl_socket_get_fd(nl);
		/* A burst of new connections must not overrun the queue. */
		if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size,
			       sizeof(size)) < 0)
			setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size,
				   sizeof(size));
		buf = malloc(KEEPER_BUF);
		if (!buf)
			err = -ENOMEM;
	}
	keeper_set_ready(k, err ? err : 1);
	while (!err) {
		struct pollfd p[2] = {
			{.fd = fd, .events = POLLIN},
			{.fd = k->stop[0], .events = POLLIN},
		};
		const struct nlmsghdr *nlh;
		ssize_t n;
		int len;

		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[1].revents)
			break;
		n = recv(fd, buf, KEEPER_BUF, MSG_DONTWAIT);
		if (n < 0) {
			/* Events were lost: the maps miss some mappings
			 * (counted, and shown in the report). */
			if (errno == ENOBUFS)
				k->lost++;
			else if (errno != EAGAIN && errno != EINTR)
				break;
			continue;
		}
		len = (int)n;
		for (nlh = (const struct nlmsghdr *)buf; mnl_nlmsg_ok(nlh, len);
		     nlh = mnl_nlmsg_next(nlh, &len))
			keeper_event(k, nlh);
	}
	free(buf);
	if (nl)
		mnl_socket_close(nl);
	return NULL;
}

static void keeper_free(struct keeper *k)
{
	if (k->stop[0] >= 0)
		close(k->stop[0]);
	if (k->stop[1] >= 0)
		close(k->stop[1]);
	pthread_mutex_destroy(&k->mu);
	pthread_cond_destroy(&k->cv);
	free(k->v);
	free(k);
}

/* Start the keeper for the gateway of s; return once it listens. */
static int keeper_start(struct suite *s, struct keeper **out)
{
	const struct topo_node *gw = &s->t->nodes[s->node[N_GW]];
	const struct topo_net *in = &s->t->nets[gw->ifs[0].net];
	struct keeper *k = xcalloc(1, sizeof(*k));
	struct timespec until;
	int err;

	k->stop[0] = k->stop[1] = -1;
	k->nsfd = s->nsfd[N_GW];
	k->ext = s->addr[N_GW];
	k->mask = in->prefix ? ~0u << (32 - in->prefix) : 0;
	k->net = in->addr & k->mask;
	pthread_mutex_init(&k->mu, NULL);
	pthread_cond_init(&k->cv, NULL);
	if (pipe2(k->stop, O_CLOEXEC) < 0) {
		err = -errno;
		keeper_free(k);
		return err;
	}
	err = -pthread_create(&k->tid, NULL, keeper_main, k);
	if (err) {
		keeper_free(k);
		return err;
	}
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 3;
	pthread_mutex_lock(&k->mu);
	while (!k->ready &&
	       pthread_cond_timedwait(&k->cv, &k->mu, &until) != ETIMEDOUT)
		;
	err = k->ready == 1 ? 0 : k->ready ? k->ready : -ETIMEDOUT;
	pthread_mutex_unlock(&k->mu);
	if (err) {
		if (write(k->stop[1], "x", 1) < 0)
			log_debug("keeper: stop: %s", strerror(errno));
		pthread_join(k->tid, NULL);
		keeper_free(k);
		return err;
	}
	*out = k;
	return 0;
}

/* Wait up to ms until the keeper has installed a mapping of addr:port. */
static int keeper_wait(struct keeper *k, uint32_t addr, uint16_t port, int ms)
{
	struct timespec until;
	int found;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_nsec += (long)(ms % 1000) * 1000000;
	until.tv_sec += ms / 1000 + until.tv_nsec / 1000000000;
	until.tv_nsec %= 1000000000;
	pthread_mutex_lock(&k->mu);
	while ((found = keeper_find(k, addr, port)) < 0 &&
	       pthread_cond_timedwait(&k->cv, &k->mu, &until) != ETIMEDOUT)
		;
	pthread_mutex_unlock(&k->mu);
	return found >= 0 ? 0 : -ETIMEDOUT;
}

/* Stop the keeper and keep its counters as evidence. */
static void keeper_stop(struct keeper *k, struct rfc_evidence *e)
{
	if (write(k->stop[1], "x", 1) < 0)
		log_debug("keeper: stop: %s", strerror(errno));
	pthread_join(k->tid, NULL);
	e->keeper = 1;
	e->kp_events = k->events;
	e->kp_mappings = k->mappings;
	e->kp_conflicts = k->conflicts;
	e->kp_lost = k->lost;
	keeper_free(k);
}

/* With the keeper running, let it learn the mapping of node n's port
 * before the next step depends on it; without, nothing to wait for. */
static void settle(struct suite *s, int n, uint16_t port)
{
	if (s->kp && keeper_wait(s->kp, s->addr[n], port, 500))
		log_debug("keeper: no mapping for %s port %u after 500 ms",
			  s->t->nodes[s->node[n]].name, port);
}

/* ---- the tests ---- */

/* REQ-1: one internal endpoint towards two servers; then the same with
 * its port already some other host's external port towards one of them. */
static void test_eim(struct suite *s)
{
	struct rfc_evidence *e = s->ev;
	uint32_t s1 = s->addr[N_S1], s2 = s->addr[N_S2];
	struct fds f = {.n = 0};

	e->eim_port = P_EIM;
	e->eim2_port = P_EIM2;
	probe(s, N_C1, P_EIM, s1, SRV_PORT, s->l_s1, &e->eim_s1, &f, NULL,
	      NULL);
	settle(s, N_C1, P_EIM);
	probe(s, N_C1, P_EIM, s2, SRV_PORT, s->l_s2, &e->eim_s2, &f, NULL,
	      NULL);
	probe(s, N_C2, P_EIM2, s2, SRV_PORT, s->l_s2, &e->eim2_c2, &f, NULL,
	      NULL);
	settle(s, N_C2, P_EIM2);
	probe(s, N_C1, P_EIM2, s1, SRV_PORT, s->l_s1, &e->eim2_s1, &f, NULL,
	      NULL);
	settle(s, N_C1, P_EIM2);
	probe(s, N_C1, P_EIM2, s2, SRV_PORT, s->l_s2, &e->eim2_s2, &f, NULL,
	      NULL);
	fds_close(&f);
}

/* REQ-7 (same port, same server) and port overlapping (same port,
 * different servers). */
static void test_ports_shared(struct suite *s)
{
	struct rfc_evidence *e = s->ev;
	struct fds f = {.n = 0};

	e->ovl_port = P_OVL;
	probe(s, N_C1, P_OVL, s->addr[N_S1], SRV_PORT, s->l_s1, &e->ovl_c1, &f,
	      NULL, NULL);
	settle(s, N_C1, P_OVL);
	probe(s, N_C2, P_OVL, s->addr[N_S1], SRV_PORT, s->l_s1, &e->ovl_c2, &f,
	      NULL, NULL);
	e->olap_port = P_OLAP;
	probe(s, N_C1, P_OLAP, s->addr[N_S1], SRV_PORT, s->l_s1, &e->olap_c1,
	      &f, NULL, NULL);
	settle(s, N_C1, P_OLAP);
	probe(s, N_C2, P_OLAP, s->addr[N_S2], SRV_PORT, s->l_s2, &e->olap_c2,
	      &f, NULL, NULL);
	fds_close(&f);
}

/* REQ-3: c1 listens where it is mapped; who else gets in? */
static void test_filter(struct suite *s)
{
	struct rfc_evidence *e = s->ev;
	struct fds f = {.n = 0};
	int l;

	e->filt_port = P_FILT;
	e->filt_s1_port = Q_FILT_S1;
	l = tcp_listen(s, N_C1, P_FILT);
	if (l < 0) {
		e->filt_map.out = RFC_OUT_ERROR;
		e->filt_map.err = -l;
		return;
	}
	probe(s, N_C1, P_FILT, s->addr[N_S1], SRV_PORT, s->l_s1, &e->filt_map,
	      &f, NULL, NULL);
	settle(s, N_C1, P_FILT);
	if (e->filt_map.out == RFC_OUT_OK) {
		probe(s, N_S2, Q_FILT_S2, s->addr[N_GW], e->filt_map.ext_port,
		      l, &e->filt_s2, &f, NULL, NULL);
		probe(s, N_S1, Q_FILT_S1, s->addr[N_GW], e->filt_map.ext_port,
		      l, &e->filt_s1, &f, NULL, NULL);
	}
	fds_close(&f);
	close(l);
}

/* REQ-8: c2 to c1's external address and port. */
static void test_hairpin(struct suite *s)
{
	struct rfc_evidence *e = s->ev;
	struct fds f = {.n = 0};
	int l;

	e->hp_port = P_HP;
	e->hp_sport = P_HP_C2;
	l = tcp_listen(s, N_C1, P_HP);
	if (l < 0) {
		e->hp_map.out = RFC_OUT_ERROR;
		e->hp_map.err = -l;
		return;
	}
	probe(s, N_C1, P_HP, s->addr[N_S1], SRV_PORT, s->l_s1, &e->hp_map, &f,
	      NULL, NULL);
	settle(s, N_C1, P_HP);
	if (e->hp_map.out == RFC_OUT_OK) {
		probe(s, N_C2, P_HP_C2, s->addr[N_GW], e->hp_map.ext_port, l,
		      &e->hp, &f, NULL, NULL);
		e->hp_seen_addr = e->hp.ext_addr;
		e->hp_seen_port = e->hp.ext_port;
		if (e->hp.out == RFC_OUT_OK) {
			/* c2's own mapping of that port, as a server sees
			 * it: REQ-8a wants the same. */
			settle(s, N_C2, P_HP_C2);
			probe(s, N_C2, P_HP_C2, s->addr[N_S1], SRV_PORT,
			      s->l_s1, &e->hp_out, &f, NULL, NULL);
		}
	}
	fds_close(&f);
	close(l);
}

/* REQ-2: an ordinary connection; then a simultaneous open. */
static int test_sequences(struct suite *s)
{
	struct rfc_evidence *e = s->ev;
	struct rfc_ct_entry ce;
	struct nft_batch *b;
	int c = -1, a = -1, err;
	uint64_t t0, t1;

	e->seq_port = P_SEQ;
	probe(s, N_C1, P_SEQ, s->addr[N_S1], SRV_PORT, s->l_s1, &e->seq, NULL,
	      &c, &a);
	if (e->seq.out == RFC_OUT_OK) {
		e->seq_data = (uint8_t)xfer(c, a);
		shutdown(c, SHUT_WR);
		if (wait_end(a, WAIT_CONNECT_MS) == 1) {
			close_fd(&a);
			e->seq_closed = wait_end(c, WAIT_CONNECT_MS) == 1;
		}
	}
	close_fd(&c);
	close_fd(&a);

	/* The client's SYN must stay unanswered while the server sends
	 * its own: s1 drops SYNs for the port it will connect from. */
	e->sim_port = P_SIM;
	e->sim_sport = Q_SIM;
	b = nft_batch_new();
	if (!b)
		return -ENOMEM;
	err = nft_syn_drop(b, Q_SIM);
	if (!err)
		err = nft_send_at(s, N_S1, b,
				  "s1: rule for the simultaneous open");
	nft_batch_free(b);
	if (err) {
		e->sim_c.out = RFC_OUT_ERROR;
		e->sim_c.err = -err;
		return 0;
	}
	c = tcp_socket(s, N_C1, P_SIM);
	t0 = now_us();
	err = c < 0 ? c : conn_start(c, s->addr[N_S1], Q_SIM);
	if (err) {
		e->sim_c.out = RFC_OUT_ERROR;
		e->sim_c.err = -err;
		close_fd(&c);
		return 0;
	}
	/* The gateway's entry for it: its state, and the mapping. */
	if (!ct_wait(s, P_SIM, Q_SIM, -1, TCP_CONNTRACK_NONE, 500, &ce)) {
		e->sim_state = (int8_t)ce.state;
		e->live_syn_sent = ce.timeout;
		e->sim_ext = ce.reply.dport;
		state_seen(s, ce.state);
	}
	a = tcp_socket(s, N_S1, Q_SIM);
	t1 = now_us();
	err = a < 0 ? a : conn_start(a, s->addr[N_GW], e->sim_ext);
	if (err || !e->sim_ext) {
		e->sim_s.out = RFC_OUT_ERROR;
		e->sim_s.err = err ? -err : ENOENT;
	} else {
		conn_wait(a, t1, WAIT_CONNECT_MS, &e->sim_s);
	}
	conn_wait(c, t0, WAIT_CONNECT_MS, &e->sim_c);
	if (e->sim_c.out == RFC_OUT_OK && e->sim_s.out == RFC_OUT_OK)
		e->sim_data = (uint8_t)xfer(c, a);
	if (!ct_c1(s, P_SIM, Q_SIM, &ce))
		state_seen(s, ce.state);
	close_fd(&c);
	close_fd(&a);
	return 0;
}

/* REQ-6: connections to ports that have helpers in the kernel. */
static void test_alg(struct suite *s)
{
	struct rfc_evidence *e = s->ev;
	struct rfc_ct_entry ce;
	struct rfc_conn c;
	struct fds f = {.n = 0};
	int i;

	for (i = 0; i < (int)ARRAY_SIZE(alg_ports); i++) {
		struct rfc_alg_probe *p = &e->alg[i];

		p->port = alg_ports[i];
		if (s->l_alg[i] < 0)
			continue;
		probe(s, N_C1, (uint16_t)(P_ALG + i), s->addr[N_S1], p->port,
		      s->l_alg[i], &c, &f, NULL, NULL);
		if (c.out == RFC_OUT_OK &&
		    !ct_c1(s, (uint16_t)(P_ALG + i), p->port, &ce)) {
			p->ok = 1;
			snprintf(p->helper, sizeof(p->helper), "%s", ce.helper);
		}
	}
	e->nalg = (int)ARRAY_SIZE(alg_ports);
	e->expectations = gw_expectations(s);
	fds_close(&f);
}

/* REQ-9 with UDP, and a PCP request for the parity row. */
static void test_udp(struct suite *s)
{
	struct rfc_evidence *e = s->ev;
	/* RFC 6887: version 2, ANNOUNCE, lifetime 0, the client's address
	 * as an IPv4-mapped IPv6 address. */
	uint8_t pcp[24] = {2, 0};
	uint32_t c1 = htonl(s->addr[N_C1]);

	e->udp_port = P_UDP;
	udp_probe(s, N_C1, P_UDP, s->addr[N_S1], UDP_CLOSED, "x", 1, &e->udp);
	pcp[18] = pcp[19] = 0xff;
	memcpy(pcp + 20, &c1, 4);
	udp_probe(s, N_C1, P_PCP, e->gw_in, PCP_PORT, pcp, sizeof(pcp),
		  &e->pcp);
}

/* REQ-10, and REQ-9 for TCP: an ICMP error about an established
 * connection, from the server. */
static void test_icmp(struct suite *s)
{
	struct rfc_evidence *e = s->ev;
	struct rfc_ct_entry ce;
	int c = -1, a = -1, cap;

	e->icmp_port = P_ICMP;
	probe(s, N_C1, P_ICMP, s->addr[N_S1], SRV_PORT, s->l_s1, &e->icmp_conn,
	      NULL, &c, &a);
	if (e->icmp_conn.out != RFC_OUT_OK)
		goto out;
	cap = cap_open(s, N_C1, s->c1_if);
	if (cap < 0)
		log_debug("capture at c1: %s", strerror(-cap));
	/* What s1 would quote: c1's segment as it arrived, from the
	 * gateway's address and c1's external port. */
	e->icmp_sent = send_unreach(s, N_S1, s->addr[N_GW], s->addr[N_GW],
				    e->icmp_conn.ext_port, s->addr[N_S1],
				    SRV_PORT) == 0;
	if (cap >= 0) {
		e->icmp_tcp_seen = (int8_t)cap_unreach(
			cap, 300, s->addr[N_S1], SRV_PORT, &e->icmp_inner_addr,
			&e->icmp_inner_port);
		close(cap);
	} else {
		sleep_ms(100);
	}
	if (!ct_c1(s, P_ICMP, SRV_PORT, &ce)) {
		e->icmp_kept = 1;
		e->icmp_state = (int8_t)ce.state;
		e->icmp_port_after = ce.reply.dport;
	}
	e->icmp_data = (uint8_t)xfer(c, a);
out:
	close_fd(&c);
	close_fd(&a);
}

/* Parity and randomisation: 50 fresh ports from c1, then the same 50
 * from c2 while c1's connections hold them. */
static void test_port_choice(struct suite *s)
{
	struct rfc_evidence *e = s->ev;
	struct fds f = {.n = 0};
	struct rfc_conn c;
	int i, k;

	e->ports_base = P_PORTS;
	for (k = 0; k < 2 && !rfc_stop; k++) {
		uint16_t *out = k ? e->ports_c2 : e->ports_c1;

		for (i = 0; i < RFC_PORTS_N && !rfc_stop; i++) {
			probe(s, k ? N_C2 : N_C1, (uint16_t)(P_PORTS + i),
			      s->addr[N_S1], SRV_PORT, s->l_s1, &c, &f, NULL,
			      NULL);
			out[i] = c.out == RFC_OUT_OK ? c.ext_port : 0;
		}
	}
	fds_close(&f);
}

/* REQ-4 (b): the server's SYN first, the client's a moment later, from
 * the ports each aims at: a hole punched, if the NAT let the server's
 * SYN die quietly. */
static void test_punch(struct suite *s)
{
	struct rfc_evidence *e = s->ev;
	uint64_t ts, tc;
	int sfd, cfd, err;

	e->punch_port = P_PUNCH;
	e->punch_delay_ms = PUNCH_DELAY_MS;
	sfd = tcp_socket(s, N_S1, Q_PUNCH);
	ts = now_us();
	err = sfd < 0 ? sfd : conn_start(sfd, s->addr[N_GW], P_PUNCH);
	if (err) {
		e->punch_s.out = RFC_OUT_ERROR;
		e->punch_s.err = -err;
		close_fd(&sfd);
		return;
	}
	conn_wait(sfd, ts, PUNCH_DELAY_MS, &e->punch_s);
	cfd = tcp_socket(s, N_C1, P_PUNCH);
	tc = now_us();
	err = cfd < 0 ? cfd : conn_start(cfd, s->addr[N_S1], Q_PUNCH);
	if (err) {
		e->punch_c.out = RFC_OUT_ERROR;
		e->punch_c.err = -err;
	} else {
		conn_wait(cfd, tc, WAIT_CONNECT_MS, &e->punch_c);
	}
	if (e->punch_s.out == RFC_OUT_SILENT)
		conn_wait(sfd, ts, WAIT_CONNECT_MS, &e->punch_s);
	close_fd(&sfd);
	close_fd(&cfd);
}

/* REQ-4 (a): a SYN to an external port nobody mapped.  The first
 * 200 ms are waited for here, so that a quick answer is timed exactly;
 * after that the probe is watched while the timer tests run. */
static void unsol_start(struct suite *s)
{
	struct rfc_evidence *e = s->ev;
	int fd, err;

	e->unsol_port = P_UNSOL;
	e->unsol_window_ms = UNSOL_WINDOW_MS;
	fd = tcp_socket(s, N_S1, Q_UNSOL);
	s->unsol_t0 = now_us();
	err = fd < 0 ? fd : conn_start(fd, s->addr[N_GW], P_UNSOL);
	if (err) {
		e->unsol.out = RFC_OUT_ERROR;
		e->unsol.err = -err;
		close_fd(&fd);
		return;
	}
	conn_wait(fd, s->unsol_t0, 200, &e->unsol);
	e->unsol_syns = syns_sent(fd);
	if (e->unsol.out == RFC_OUT_SILENT)
		s->unsol_fd = fd;
	else
		close(fd);
}

/* Look at the REQ-4 probe; with final, wait out the rest of its window. */
static void unsol_poll(struct suite *s, int final)
{
	struct rfc_evidence *e = s->ev;
	int64_t left;

	if (s->unsol_fd < 0)
		return;
	left = final ? UNSOL_WINDOW_MS -
			       (int64_t)(now_us() - s->unsol_t0) / 1000
		     : 0;
	conn_wait(s->unsol_fd, s->unsol_t0, left > 0 ? (int)left : 0,
		  &e->unsol);
	e->unsol_syns = syns_sent(s->unsol_fd);
	if (e->unsol.out != RFC_OUT_SILENT || final)
		close_fd(&s->unsol_fd);
}

/* A connection from c1 to s1 closed by FINs; its entry's TIME_WAIT
 * timeout in *tw (-1: not seen).  Return: 0 or -errno. */
static int close_by_fin(struct suite *s, uint16_t port, int track, int32_t *tw)
{
	struct rfc_ct_entry ce;
	struct rfc_conn conn;
	int c, a, err;

	*tw = -1;
	probe(s, N_C1, port, s->addr[N_S1], SRV_PORT, s->l_s1, &conn, NULL, &c,
	      &a);
	if (conn.out != RFC_OUT_OK) {
		close_fd(&c);
		close_fd(&a);
		return -ECONNREFUSED;
	}
	if (track && !ct_c1(s, port, SRV_PORT, &ce)) {
		s->ev->live_est = ce.timeout;
		state_seen(s, ce.state);
	}
	shutdown(c, SHUT_WR);
	wait_end(a, WAIT_CONNECT_MS);
	if (track && !ct_wait(s, port, SRV_PORT, -1, TCP_CONNTRACK_ESTABLISHED,
			      300, &ce))
		state_seen(s, ce.state);
	close_fd(&a);
	wait_end(c, WAIT_CONNECT_MS);
	err = ct_wait(s, port, SRV_PORT, TCP_CONNTRACK_TIME_WAIT, -1, 300, &ce);
	if (!err) {
		*tw = ce.timeout;
		if (track)
			state_seen(s, ce.state);
	}
	close_fd(&c);
	return err;
}

/* A connection from c1 to s1 reset by s1; the entry's state after it in
 * *state (-1: gone) and its timeout in *left.  Return: 0 or -errno. */
static int close_by_rst(struct suite *s, uint16_t port, int track,
			int8_t *state, int32_t *left)
{
	struct rfc_ct_entry ce;
	struct rfc_conn conn;
	int c, a, err;

	*state = -1;
	*left = -1;
	probe(s, N_C1, port, s->addr[N_S1], SRV_PORT, s->l_s1, &conn, NULL, &c,
	      &a);
	if (conn.out != RFC_OUT_OK) {
		close_fd(&c);
		close_fd(&a);
		return -ECONNREFUSED;
	}
	close_rst(&a);
	if (wait_end(c, WAIT_CONNECT_MS) == 2 && track)
		s->ev->rst_translated = 1;
	err = ct_wait(s, port, SRV_PORT, TCP_CONNTRACK_CLOSE, -1, 300, &ce);
	if (!err || err == -ETIMEDOUT) {
		*state = (int8_t)ce.state;
		*left = ce.timeout;
		if (track)
			state_seen(s, ce.state);
	}
	close_fd(&c);
	return err == -ENOENT ? 0 : err;
}

/*
 * REQ-5 and the 7857 timer rows: an established entry's timeout, a FIN
 * close and a RST with the gateway's own timers, then both again with
 * the TIME_WAIT and CLOSE timers at SCALED_S, watching the entries go.
 */
static int test_timers(struct suite *s)
{
	struct rfc_evidence *e = s->ev;
	int32_t tw = e->timer[RFC_T_TIME_WAIT], cl = e->timer[RFC_T_CLOSE];
	int32_t t_tw, t_cl;
	uint64_t tw0 = 0, cl0 = 0, end;
	int8_t st;
	int err;

	close_by_fin(s, P_EST, 1, &e->live_time_wait);
	err = close_by_rst(s, P_RST, 1, &e->rst_state, &e->live_close);
	if (err == -ECONNREFUSED)
		e->rst_state = -2;
	if (tw < 0 || cl < 0 || rfc_stop)
		return rfc_stop ? -EINTR : 0;

	if (gw_sysctl_set(s, "tcp_timeout_time_wait", SCALED_S) ||
	    gw_sysctl_set(s, "tcp_timeout_close", SCALED_S))
		goto restore;
	e->scaled_s = SCALED_S;
	if (!close_by_fin(s, P_TWS, 0, &t_tw))
		tw0 = now_us();
	if (!close_by_rst(s, P_CLS, 0, &st, &t_cl) && st >= 0)
		cl0 = now_us();
	/* Watch both entries go; REQ-4's probe is watched meanwhile. */
	end = now_us() + (uint64_t)(SCALED_S + 3) * 1000000;
	while ((tw0 || cl0) && now_us() < end && !rfc_stop) {
		struct rfc_ct_entry ce;

		if (tw0 && ct_c1(s, P_TWS, SRV_PORT, &ce) == -ENOENT) {
			e->tw_gone_ms = (int32_t)((now_us() - tw0) / 1000);
			tw0 = 0;
		}
		if (cl0 && ct_c1(s, P_CLS, SRV_PORT, &ce) == -ENOENT) {
			e->close_gone_ms = (int32_t)((now_us() - cl0) / 1000);
			cl0 = 0;
		}
		unsol_poll(s, 0);
		sleep_ms(10);
	}
restore:
	gw_sysctl_set(s, "tcp_timeout_time_wait", tw);
	gw_sysctl_set(s, "tcp_timeout_close", cl);
	return rfc_stop ? -EINTR : 0;
}

/* The sysctls natlab reads before anything else changes them. */
static void read_timers(struct suite *s)
{
	struct rfc_evidence *e = s->ev;
	char name[64];
	int i;

	for (i = 0; i < RFC_NTIMERS; i++) {
		snprintf(name, sizeof(name), "tcp_timeout_%s",
			 rfc_timer_names[i]);
		if (gw_sysctl_get(s, name, &e->timer[i]))
			e->timer[i] = -1;
	}
	if (gw_sysctl_get(s, "helper", &e->helper_sysctl))
		e->helper_sysctl = -1;
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
}

/*
 * A link's carrier comes up at once, but the kernel acts on it (attaches
 * the qdisc, lets a bridge port forward) from its linkwatch work, up to a
 * second later: packets sent before are dropped, and the first test
 * would see an ARP or SYN retransmission a second late.  Wait until
 * every interface of the lab reports operstate UP.
 */
struct links_up {
	int down; /* interfaces not up yet */
};

static int links_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
	struct links_up *lu = data;
	const struct nlattr *a;
	int oper = -1;

	if (nlh->nlmsg_type != RTM_NEWLINK || (ifi->ifi_flags & IFF_LOOPBACK))
		return MNL_CB_OK;
	mnl_attr_for_each(a, nlh, sizeof(*ifi))
	{
		if (mnl_attr_get_type(a) == IFLA_OPERSTATE &&
		    mnl_attr_validate(a, MNL_TYPE_U8) == 0)
			oper = mnl_attr_get_u8(a);
	}
	lu->down += oper != IF_OPER_UP;
	return MNL_CB_OK;
}

/* Interfaces of the namespace NAME that are not up yet, or -errno. */
static int links_down(const char *name)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct links_up lu = {0};
	struct mnl_socket *nl = NULL;
	struct nlmsghdr *nlh;
	struct rtgenmsg *g;
	int fd = netns_open(name), err, ret;
	ssize_t n;

	if (fd < 0)
		return fd;
	err = netns_enter(fd);
	close(fd);
	if (err)
		return err;
	nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	err = nl ? 0 : -errno;
	netns_leave();
	if (err)
		return err;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		err = -errno;
		goto out;
	}
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_GETLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = 1;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->rtgen_family = AF_UNSPEC;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		err = -errno;
		goto out;
	}
	do {
		n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (n < 0) {
			err = -errno;
			goto out;
		}
		ret = mnl_cb_run(buf, (size_t)n, 1, mnl_socket_get_portid(nl),
				 links_cb, &lu);
	} while (ret > MNL_CB_STOP);
	err = ret < 0 ? -errno : lu.down;
out:
	mnl_socket_close(nl);
	return err;
}

/* Wait (up to 3 s) until every link of lab T's namespaces is up. */
static void links_wait(const struct topo *t)
{
	char ns[TOPO_LAB_MAX + TOPO_NODE_MAX + 2];
	uint64_t end = util_now_ns() + 3000000000ull;
	int i, down;

	do {
		snprintf(ns, sizeof(ns), "%s-sw", t->name);
		down = links_down(ns);
		for (i = 0; down == 0 && i < t->nnodes; i++) {
			snprintf(ns, sizeof(ns), "%s-%s", t->name,
				 t->nodes[i].name);
			down = links_down(ns);
		}
		if (down <= 0)
			break;
	} while (!sleep_ms(10) && util_now_ns() < end);
	if (down)
		log_warn("lab %s: %s", t->name,
			 down < 0 ? strerror(-down)
				  : "links still not up after 3 s");
}

/* The rfc profile's additions to the gateway: the full-cone rules. */
static int suite_fullcone(struct suite *s)
{
	const struct topo_node *gw = &s->t->nodes[s->node[N_GW]];
	const struct topo_net *in = &s->t->nets[gw->ifs[0].net];
	struct nft_fullcone fc = {
		.inside_if = in->name,
		.outside_if = s->t->nets[gw->ifs[1].net].name,
		.ext_addr = s->addr[N_GW],
		.in_net = in->addr,
		.in_mask = in->prefix ? ~0u << (32 - in->prefix) : 0,
		.drop_unsolicited = 1,
	};
	struct nft_batch *b = nft_batch_new();
	int err;

	if (!b)
		return -ENOMEM;
	err = nft_fullcone(b, &fc);
	if (!err)
		err = nft_send_at(s, N_GW, b, "gateway: full-cone rules");
	nft_batch_free(b);
	return err;
}

static int suite_open(struct suite *s, const struct topo *t,
		      struct rfc_profile *p)
{
	char ns[TOPO_LAB_MAX + TOPO_NODE_MAX + 2];
	const struct topo_node *gw;
	int i, err;

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

		snprintf(ns, sizeof(ns), "%s-%s", t->name, n->name);
		s->nsfd[i] = netns_open(ns);
		if (s->nsfd[i] < 0)
			return s->nsfd[i];
		s->addr[i] = n->ifs[0].addr;
	}
	gw = &t->nodes[s->node[N_GW]];
	s->addr[N_GW] = gw->ifs[1].addr;
	s->c1_if = t->nets[t->nodes[s->node[N_C1]].ifs[0].net].name;
	evidence_init(s->ev);
	s->ev->ext = s->addr[N_GW];
	s->ev->gw_in = gw->ifs[0].addr;
	s->ev->c1 = s->addr[N_C1];
	s->ev->c2 = s->addr[N_C2];
	s->ev->s1 = s->addr[N_S1];
	s->ev->s2 = s->addr[N_S2];
	err = ct_open(s);
	if (err)
		return err;
	s->l_s1 = tcp_listen(s, N_S1, SRV_PORT);
	if (s->l_s1 < 0)
		return s->l_s1;
	s->l_s2 = tcp_listen(s, N_S2, SRV_PORT);
	if (s->l_s2 < 0)
		return s->l_s2;
	for (i = 0; i < 4; i++)
		s->l_alg[i] = tcp_listen(s, N_S1, alg_ports[i]);
	return 0;
}

static void suite_close(struct suite *s)
{
	int i;

	if (s->kp)
		keeper_stop(s->kp, s->ev);
	s->kp = NULL;
	close_fd(&s->unsol_fd);
	close_fd(&s->l_s1);
	close_fd(&s->l_s2);
	for (i = 0; i < 4; i++)
		close_fd(&s->l_alg[i]);
	if (s->ct)
		mnl_socket_close(s->ct);
	s->ct = NULL;
	for (i = 0; i < N_NODES; i++)
		close_fd(&s->nsfd[i]);
}

/* Every test, in an order that keeps the long waits together: the REQ-4
 * watch runs while the timer tests wait for entries to expire. */
static int suite_run(const struct topo *t, struct rfc_profile *p)
{
	struct suite s;
	int err;

	links_wait(t);
	err = suite_open(&s, t, p);
	if (!err && p->kind == RFC_P_RFC) {
		err = suite_fullcone(&s);
		if (!err)
			err = keeper_start(&s, &s.kp);
		if (err)
			log_errno(err, "lab %s: full-cone keeper", t->name);
	}
	if (err)
		goto out;
	read_timers(&s);
	/* First: the gateway's own ICMP errors towards c1 share a rate
	 * limit with anything else it sends c1 (a redirect, say). */
	test_udp(&s);
	test_eim(&s);
	test_ports_shared(&s);
	test_filter(&s);
	test_hairpin(&s);
	err = test_sequences(&s);
	if (!err && !rfc_stop) {
		test_alg(&s);
		test_icmp(&s);
		test_port_choice(&s);
		test_punch(&s);
		unsol_start(&s);
		err = test_timers(&s);
	}
	if (!err && !rfc_stop)
		unsol_poll(&s, 1);
	if (rfc_stop)
		err = -EINTR;
out:
	suite_close(&s);
	return err;
}

/* ---- natlab rfc ---- */

struct rfc_ctx {
	const char *file; /* for messages: the path or DEFAULT_TOPO_NAME */
	char *text;	  /* the topology, as given */
	struct topo base;
	int node[N_NODES];
	char *texts[RFC_PROFILES_MAX]; /* each profile's topology */
};

static void rfc_on_signal(int sig)
{
	(void)sig;
	rfc_stop = 1;
	lab_interrupted = 1;
}

static const char *profile_nat(enum rfc_profile_kind k)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(profiles); i++)
		if (profiles[i].kind == k)
			return profiles[i].nat;
	return NULL;
}

/* The topology text of a profile: the base with the gateway's nat line
 * (and for the rfc profile its transitory timers) set, so that it goes
 * through the parser and validator like any file. */
static char *profile_text(const struct rfc_ctx *cx, enum rfc_profile_kind k)
{
	const struct topo_node *g = &cx->base.nodes[cx->node[N_GW]];
	const char *gw = g->name, *inside = cx->base.nets[g->ifs[0].net].name;
	const char *nat = profile_nat(k);
	char key[96], *text = xstrdup(cx->text), *next;
	size_t i;

	if (nat) {
		snprintf(key, sizeof(key), "%s.nat", gw);
		next = matrix_apply(text, key, nat);
		free(text);
		text = next;
	}
	for (i = 0; text && k == RFC_P_RFC && i < ARRAY_SIZE(transitory); i++) {
		char val[16];

		snprintf(key, sizeof(key), "%s.conntrack.tcp_timeout_%s", gw,
			 rfc_timer_names[transitory[i]]);
		snprintf(val, sizeof(val), "%d", RFC_TRANSITORY_MIN);
		next = matrix_apply(text, key, val);
		free(text);
		text = next;
	}
	/* A hairpinned packet leaves by the interface it came in on, and
	 * Linux then sends the sender an ICMP redirect to the inner host:
	 * a host that follows it bypasses the NAT, and the redirect spends
	 * the gateway's ICMP rate limit towards that host.  Off, on the
	 * inside interface and "all" (the kernel ORs the two). */
	for (i = 0; text && k == RFC_P_RFC && i < 2; i++) {
		snprintf(key, sizeof(key),
			 "%s.sysctl.net.ipv4.conf.%s.send_redirects", gw,
			 i ? inside : "all");
		next = matrix_apply(text, key, "0");
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
	snprintf(p->nat, sizeof(p->nat), "masquerade%s%s%s%s",
		 nat->flags & TOPO_NAT_RANDOM ? " random" : "",
		 nat->flags & TOPO_NAT_FULLY_RANDOM ? " fully-random" : "",
		 nat->flags & TOPO_NAT_PERSISTENT ? " persistent" : "",
		 p->kind == RFC_P_RFC
			 ? " + full-cone keeper, 240 s transitory timeouts, "
			   "unsolicited SYNs dropped, no redirects"
			 : "");
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
	util_catch_signals(rfc_on_signal);
	err = topo_parse_buf(&t, cx->file, cx->texts[k], strlen(cx->texts[k]));
	if (!err)
		err = topo_set_name(&t, lab);
	if (!err)
		err = lab_up(&t, cx->file);
	/* lab_up() catches signals for itself; they are ours again. */
	util_catch_signals(rfc_on_signal);
	if (err) {
		snprintf(p->error, sizeof(p->error), "lab %s not built: %s",
			 lab, strerror(-err));
		p->status = err;
		topo_free(&t);
		_exit(err == -EINTR ? 130 : 3);
	}
	err = lab_mark_running(lab);
	if (!err)
		err = suite_run(&t, p);
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

/* Read and check everything before any lab is built. */
static int rfc_prepare(const struct rfc_opts *o, struct rfc_ctx *cx,
		       struct rfc_report *r)
{
	static const enum rfc_profile_kind all[] = {
		RFC_P_MASQUERADE, RFC_P_RANDOM, RFC_P_FULLY_RANDOM,
		RFC_P_PERSISTENT, RFC_P_RFC,
	};
	enum rfc_profile_kind kinds[RFC_PROFILES_MAX];
	struct utsname un;
	size_t len;
	int i, n, err;

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
	n = o->nprofiles;
	memcpy(kinds, o->profiles, sizeof(kinds));
	if (!n && o->topo) {
		kinds[0] = RFC_P_TOPO;
		n = 1;
	} else if (!n) {
		memcpy(kinds, all, sizeof(all));
		n = (int)ARRAY_SIZE(all);
	}
	if (kinds[0] == RFC_P_TOPO &&
	    cx->base.nodes[cx->node[N_GW]].nat.mode == TOPO_NAT_NONE) {
		log_err("%s: gateway %s has nat = none: nothing to test (give "
			"a --profile)",
			cx->file, cx->base.nodes[cx->node[N_GW]].name);
		return -EINVAL;
	}
	for (i = 0; i < n; i++) {
		struct rfc_profile *p = &r->p[i];
		struct topo t = {0};

		p->kind = kinds[i];
		p->status = -ECHILD; /* until its child says otherwise */
		snprintf(p->name, sizeof(p->name), "%s",
			 rfc_profile_name(kinds[i]));
		snprintf(p->lab, sizeof(p->lab), "rfc-%s-%d",
			 rfc_profile_name(kinds[i]), (int)getpid());
		snprintf(p->error, sizeof(p->error), "did not finish");
		cx->texts[i] = profile_text(cx, kinds[i]);
		if (!cx->texts[i]) {
			log_err("%s: cannot set the gateway's nat line",
				cx->file);
			return -EINVAL;
		}
		err = topo_parse_buf(&t, cx->file, cx->texts[i],
				     strlen(cx->texts[i]));
		if (err)
			topo_print_errors(&t);
		else if (topo_set_name(&t, p->lab)) {
			log_err("lab name %s: too long", p->lab);
			err = -EINVAL;
		} else {
			profile_describe(&t, cx->node[N_GW], p);
		}
		topo_free(&t);
		if (err)
			return -EINVAL;
	}
	r->nprofiles = n;
	snprintf(r->topology, sizeof(r->topology), "%s", cx->file);
	if (uname(&un) == 0)
		snprintf(r->kernel, sizeof(r->kernel), "%s", un.release);
	snprintf(r->gateway, sizeof(r->gateway), "%s",
		 cx->base.nodes[cx->node[N_GW]].name);
	snprintf(r->c1, sizeof(r->c1), "%s",
		 cx->base.nodes[cx->node[N_C1]].name);
	snprintf(r->c2, sizeof(r->c2), "%s",
		 cx->base.nodes[cx->node[N_C2]].name);
	snprintf(r->s1, sizeof(r->s1), "%s",
		 cx->base.nodes[cx->node[N_S1]].name);
	snprintf(r->s2, sizeof(r->s2), "%s",
		 cx->base.nodes[cx->node[N_S2]].name);
	return 0;
}

/* Start every profile's child and wait for all of them. */
static int rfc_run_children(const struct rfc_ctx *cx, struct rfc_report *r)
{
	pid_t pids[RFC_PROFILES_MAX];
	int tty = isatty(STDERR_FILENO), i, running = 0, done = 0;

	util_catch_signals(rfc_on_signal);
	fflush(NULL);
	for (i = 0; i < r->nprofiles; i++) {
		pids[i] = fork();
		if (pids[i] == 0)
			profile_child(cx, i, &r->p[i]);
		if (pids[i] < 0) {
			r->p[i].status = -errno;
			snprintf(r->p[i].error, sizeof(r->p[i].error),
				 "fork: %s", strerror(errno));
		} else {
			running++;
		}
	}
	if (tty)
		fprintf(stderr, "rfc: %d lab%s side by side, about 10 s\n",
			running, running == 1 ? "" : "s");
	while (running) {
		int status;
		pid_t pid = waitpid(-1, &status, 0);

		if (pid < 0) {
			if (errno != EINTR)
				break;
			/* A signal for us alone (not the terminal's
			 * group): pass it on. */
			for (i = 0; i < r->nprofiles; i++)
				if (pids[i] > 0)
					kill(pids[i], SIGTERM);
			continue;
		}
		for (i = 0; i < r->nprofiles; i++) {
			struct rfc_profile *p = &r->p[i];

			if (pids[i] != pid)
				continue;
			pids[i] = 0;
			if (!p->status &&
			    !(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
				p->status = -EIO;
				snprintf(p->error, sizeof(p->error),
					 "its process ended (status %#x)",
					 status);
			}
		}
		running--;
		done++;
		if (tty)
			fprintf(stderr, "\rrfc: %d of %d profiles done", done,
				r->nprofiles);
	}
	if (tty)
		fputc('\n', stderr);
	return rfc_stop ? -EINTR : 0;
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
