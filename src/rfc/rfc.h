/* rfc.h - natlab rfc: the BEHAVE requirements (RFC 4787, 5382, 5508,
 * 7857) of a NAT gateway. */
#ifndef NATLAB_RFC_H
#define NATLAB_RFC_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <linux/netlink.h>

#include "rfc/rfc_icmp.h"
#include "rfc/rfc_udp.h"
#include "topo/topo.h"

#define RFC_SCHEMA	 "natlab-rfc/2"
#define RFC_PROFILES_MAX 8
#define RFC_PORTS_N	 50 /* connections per client in the port test */
#define RFC_STATES_MAX	 12
#define RFC_EVIDENCE_MAX 640
#define RFC_DATA_MAX	 12

/* RFC 5382 REQ-5: the idle-timeouts a NAT must keep at least, seconds. */
#define RFC_ESTABLISHED_MIN 7440 /* 2 h 4 min */
#define RFC_TRANSITORY_MIN  240	 /* 4 min */
/* RFC 5382 REQ-4: no answer to an unsolicited SYN for this long. */
#define RFC_UNSOLICITED_MS 6000

/* What natlab rfc configures the gateway as. */
enum rfc_profile_kind {
	RFC_P_TOPO,	    /* as the topology file says */
	RFC_P_MASQUERADE,   /* nat = masquerade */
	RFC_P_RANDOM,	    /* nat = masquerade random */
	RFC_P_FULLY_RANDOM, /* nat = masquerade fully-random */
	RFC_P_PERSISTENT,   /* nat = masquerade persistent */
	RFC_P_RFC,	    /* masquerade + full-cone keeper + timeouts */
};

enum rfc_verdict {
	RFC_V_UNKNOWN, /* the test could not run: "not measured" */
	RFC_V_MEETS,
	RFC_V_FAILS,	  /* "does not meet" */
	RFC_V_NA,	  /* "not applicable" */
	RFC_V_CONFIG,	  /* "configurable": the default misses a value the RFC
			 leaves to configuration, and a setting fixes it */
	RFC_V_UNTESTABLE, /* "not testable here": the lab lacks what the
			     test needs; the evidence says what */
	RFC_NVERDICTS
};

/* The documents, in the order of the report. */
enum rfc_doc {
	RFC_D4787, /* UDP */
	RFC_D5382, /* TCP */
	RFC_D5508, /* ICMP */
	RFC_D7857, /* updates to the three */
	RFC_NDOCS
};

/* Every document's bit, for struct rfc_opts and rfc_report's docs. */
#define RFC_DOCS_ALL ((1u << RFC_NDOCS) - 1)

/* A document's number, 4787 ...; 0 if none. */
int rfc_doc_number(enum rfc_doc d);

enum rfc_level {
	RFC_MUST,
	RFC_MUST_NOT,
	RFC_SHOULD,
	RFC_MAY,
	RFC_SHOULD_NOT,
	RFC_RECOMMENDED,
};

/* The requirements, in the order of the report: grouped by document. */
enum rfc_req_id {
	/* RFC 4787, UDP */
	RFC_U1,
	RFC_U2,
	RFC_U3,
	RFC_U3A,
	RFC_U4,
	RFC_U5,
	RFC_U5C,
	RFC_U6,
	RFC_U7,
	RFC_U8,
	RFC_U9,
	RFC_U9A,
	RFC_U10,
	RFC_U11,
	RFC_U12,
	RFC_U12A,
	RFC_U12B,
	RFC_U13,
	RFC_U13A,
	RFC_U14,
	RFC_U14A,
	/* RFC 5382, TCP */
	RFC_REQ1,
	RFC_REQ2,
	RFC_REQ3,
	RFC_REQ4,
	RFC_REQ5_EST,
	RFC_REQ5_TRANS,
	RFC_REQ6,
	RFC_REQ7,
	RFC_REQ8,
	RFC_REQ9,
	RFC_REQ10,
	/* RFC 5508, ICMP */
	RFC_I1,
	RFC_I1A,
	RFC_I2,
	RFC_I2A,
	RFC_I3,
	RFC_I3A,
	RFC_I3B,
	RFC_I3C,
	RFC_I3D,
	RFC_I4,
	RFC_I5,
	RFC_I6,
	RFC_I7,
	RFC_I8,
	RFC_I9,
	RFC_I10,
	RFC_I11,
	/* RFC 7857 */
	RFC_TRACKING,
	RFC_TRANSITORY,
	RFC_RST,
	RFC_OVERLAP,
	RFC_APP,
	RFC_EIM_PROTO,
	RFC_EIF_PROTO,
	RFC_EIF_REFRESH,
	RFC_OUT_REFRESH,
	RFC_PARITY,
	RFC_RANDOM,
	RFC_IPID,
	RFC_ICMP_QUERY,
	RFC_ICMP_HAIRPIN,
	RFC_NREQ
};

struct rfc_req {
	enum rfc_doc doc;
	const char *id;	   /* "5382/REQ-1", "7857/rst": the JSON key, stable */
	const char *label; /* "REQ-1", "§2.3": the table, within its RFC */
	const char *title;
	enum rfc_level level;
	const char *asks; /* what the RFC asks, one sentence */
	const char *test; /* what natlab does */
};

extern const struct rfc_req rfc_reqs[RFC_NREQ];

/* How one probe connection (or datagram) ended. */
enum rfc_outcome {
	RFC_OUT_NOTRUN,
	RFC_OUT_OK,	/* connected */
	RFC_OUT_RST,	/* refused by a RST */
	RFC_OUT_ICMP,	/* an ICMP error (type/code/from) */
	RFC_OUT_SILENT, /* no answer within the wait */
	RFC_OUT_ERROR,	/* a local failure (err) */
};

struct rfc_conn {
	uint8_t out; /* enum rfc_outcome */
	uint8_t icmp_type, icmp_code;
	uint16_t ext_port; /* the source port the far end saw (OK) */
	uint32_t ext_addr; /* the source address it saw, host order */
	uint32_t icmp_from;
	uint32_t us; /* from the first SYN to the outcome */
	int32_t err; /* errno of RFC_OUT_ERROR */
};

/* The gateway's conntrack timers natlab reads, in this order. */
enum rfc_timer {
	RFC_T_ESTABLISHED,
	RFC_T_SYN_SENT,
	RFC_T_SYN_RECV,
	RFC_T_FIN_WAIT,
	RFC_T_CLOSE_WAIT,
	RFC_T_LAST_ACK,
	RFC_T_TIME_WAIT,
	RFC_T_CLOSE,
	RFC_NTIMERS
};

/* "established", ... as in net.netfilter.nf_conntrack_tcp_timeout_NAME. */
extern const char *const rfc_timer_names[RFC_NTIMERS];

/* An ALG probe: a connection to a well-known port and the helper its
 * conntrack entry got. */
struct rfc_alg_probe {
	uint16_t port;
	uint8_t ok;	 /* connected and the entry was read */
	char helper[16]; /* "" if none */
};

/*
 * Everything a suite run measured on one gateway.  Plain data (no
 * pointers): a profile runs in a child process and leaves this in memory
 * shared with the parent, which judges it.
 */
struct rfc_evidence {
	/* addresses and ports used, for the texts */
	uint32_t ext, c1, c2, s1, s2, gw_in; /* host order */
	int ext_addrs;			     /* outside addresses of gw */

	/* REQ-1: c1 from one port to s1 and s2; again from a port c2
	 * holds towards s2 */
	uint16_t eim_port, eim2_port;
	struct rfc_conn eim_s1, eim_s2, eim2_c2, eim2_s1, eim2_s2;

	/* REQ-2 */
	uint16_t seq_port, sim_port, sim_sport;
	struct rfc_conn seq; /* three-way handshake */
	uint8_t seq_data, seq_closed;
	struct rfc_conn sim_c, sim_s; /* client's and server's connect */
	uint8_t sim_data;
	int8_t sim_state; /* conntrack state while c1's SYN was out */
	uint16_t sim_ext; /* c1's mapping the server aimed at */

	/* REQ-3 */
	uint16_t filt_port;
	struct rfc_conn filt_map, filt_s2, filt_s1;
	uint16_t filt_s1_port; /* s1's other source port */

	/* REQ-4 */
	uint16_t unsol_port;
	struct rfc_conn unsol;
	uint32_t unsol_window_ms;
	uint8_t unsol_syns;
	uint16_t punch_port;
	struct rfc_conn punch_s, punch_c;
	uint32_t punch_delay_ms;

	/* REQ-5 and the 7857 timer rows: seconds, -1 where unknown */
	int32_t timer[RFC_NTIMERS];	 /* the sysctls */
	int32_t live_est, live_syn_sent; /* entries' remaining timeouts */
	int32_t live_time_wait, live_close;
	uint8_t rst_translated; /* the client saw the server's RST */
	int8_t rst_state;	/* the entry's state after the RST */
	int32_t scaled_s;	/* the shortened value, 0: not checked */
	int32_t tw_gone_ms, close_gone_ms; /* -1: did not expire */

	/* REQ-6 */
	int32_t helper_sysctl; /* nf_conntrack_helper, -1: absent */
	int32_t expectations;  /* entries in nf_conntrack_expect, -1 */
	struct rfc_alg_probe alg[4];
	int nalg;

	/* REQ-7 and port overlapping */
	uint16_t ovl_port, olap_port;
	struct rfc_conn ovl_c1, ovl_c2, olap_c1, olap_c2;

	/* REQ-8 */
	uint16_t hp_port, hp_sport;
	struct rfc_conn hp_map, hp, hp_out;
	uint32_t hp_seen_addr; /* as c1's listener saw c2 */
	uint16_t hp_seen_port;

	/* REQ-9 */
	uint16_t udp_port;
	struct rfc_conn udp;
	int8_t icmp_tcp_seen; /* -1: not run */
	uint32_t icmp_inner_addr;
	uint16_t icmp_inner_port;

	/* REQ-10 */
	uint16_t icmp_port;
	struct rfc_conn icmp_conn;
	uint8_t icmp_sent, icmp_kept, icmp_data;
	int8_t icmp_state;
	uint16_t icmp_port_after;

	/* 7857 session tracking: states seen, in order */
	int8_t states[RFC_STATES_MAX];
	int nstates;

	/* address pooling: addresses the servers saw */
	uint32_t seen_addr[4];
	int nseen_addr;
	uint32_t nseen; /* connections accepted by the servers */

	/* port parity and randomisation */
	uint16_t ports_base;
	uint16_t ports_c1[RFC_PORTS_N], ports_c2[RFC_PORTS_N]; /* 0: failed */
	struct rfc_conn pcp; /* UDP to the gateway's PCP port */

	/* the rfc profile's full-cone keeper */
	uint8_t keeper;
	uint32_t kp_events;    /* conntrack events read */
	uint32_t kp_mappings;  /* mappings installed in the maps */
	uint32_t kp_conflicts; /* mappings the maps refused */
	uint32_t kp_lost;      /* event overruns (ENOBUFS) */
	uint32_t kp_held;      /* unsolicited SYNs held 6 s (REQ-4) */
	uint32_t kp_icmp;      /* then answered with ICMP port unreachable */
	uint32_t kp_punched;   /* dropped: an outbound SYN came first */

	/* what the UDP (RFC 4787) and ICMP (RFC 5508) tests measured */
	unsigned int
		docs; /* the documents whose tests ran (1 << enum rfc_doc) */
	struct rfc_udp_ev udp_ev;
	struct rfc_icmp_ev icmp_ev;
};

/* One requirement's result for one profile. */
struct rfc_datum {
	char key[24];
	int64_t value;
};

struct rfc_row {
	enum rfc_verdict verdict;
	char behaviour[32]; /* mapping and filtering rows: "endpoint-
			       independent", ...; "" elsewhere */
	char evidence[RFC_EVIDENCE_MAX];
	struct rfc_datum data[RFC_DATA_MAX];
	int ndata;
};

struct rfc_profile {
	enum rfc_profile_kind kind;
	char name[16];
	char lab[TOPO_LAB_MAX + 1];
	char nat[128];	 /* how the gateway was configured */
	int status;	 /* 0: ran; -errno */
	char error[160]; /* why it did not run */
	uint32_t elapsed_ms;
	struct rfc_evidence ev;
	struct rfc_row rows[RFC_NREQ]; /* filled by rfc_judge() */
};

struct rfc_report {
	char topology[160]; /* what was tested */
	char kernel[96];
	char gateway[TOPO_NODE_MAX + 1];
	char c1[TOPO_NODE_MAX + 1], c2[TOPO_NODE_MAX + 1];
	char s1[TOPO_NODE_MAX + 1], s2[TOPO_NODE_MAX + 1];
	uint32_t elapsed_ms;
	unsigned int docs; /* the documents reported (1 << enum rfc_doc) */
	int nprofiles;
	struct rfc_profile p[RFC_PROFILES_MAX];
};

/* The built-in lab, the text of topo/rfc.topo. */
extern const char rfc_default_topo[];

/**
 * rfc_profile_parse() - a --profile name
 * @name: "masquerade", "random", "fully-random", "persistent" or "rfc"
 *        ("topo" is what no --profile means with a file, not a name)
 * @k:    set to the profile on success
 * Return: 0, or -EINVAL for any other name.
 */
int rfc_profile_parse(const char *name, enum rfc_profile_kind *k);

/* A profile's name, as the report and --profile spell it; "?" if none. */
const char *rfc_profile_name(enum rfc_profile_kind k);

/* ---- rfcjudge.c: verdicts from evidence, no I/O */

/* Port preservation and selection over a run of connections. */
struct rfc_port_stats {
	unsigned int n;		  /* connections that got through */
	unsigned int preserved;	  /* external port == source port */
	unsigned int changed;	  /* the others */
	unsigned int distinct;	  /* distinct external ports among changed */
	unsigned int near_seq;	  /* consecutive changed ports <= 16 apart */
	unsigned int parity_kept; /* external port of the source's parity */
	uint16_t min, max;	  /* range of the changed ports */
};

/**
 * rfc_port_stats() - statistics of @n (source port, external port) pairs
 * in the order they were made
 * @src: the source ports the client bound
 * @ext: the ports the server saw; ext[i] == 0 marks a failed connection,
 *       which is left out of every count
 * @n:   pairs in @src and @ext
 * @st:  filled (min and max are 0 when no port was changed)
 */
void rfc_port_stats(const uint16_t *src, const uint16_t *ext, unsigned int n,
		    struct rfc_port_stats *st);

/**
 * rfc_judge() - the verdict and evidence of every requirement, from what
 * one profile measured
 * @ev:   the evidence a suite run left
 * @rows: filled, one per enum rfc_req_id (cleared first): verdict,
 *        evidence sentence, named numbers for the JSON
 *
 * A test that could not run gives RFC_V_UNKNOWN ("not measured"), never
 * a verdict.  No I/O.
 */
void rfc_judge(const struct rfc_evidence *ev, struct rfc_row rows[RFC_NREQ]);

/* ---- rfcreport.c: the writers */

/* A verdict as the report words it ("does not meet"); "?" if unknown. */
const char *rfc_verdict_name(enum rfc_verdict v);

/* A requirement level as the RFCs spell it ("MUST NOT"); "?" if unknown. */
const char *rfc_level_name(enum rfc_level l);

/**
 * rfc_report_table() - the terminal report: one verdict column per
 * profile, then each requirement with what it asks, the test and each
 * profile's evidence, wrapped at 100 columns
 * @f: where to write (write errors are the caller's to check, ferror())
 * @r: the report, its profiles judged (rfc_judge()) or failed (status)
 */
void rfc_report_table(FILE *f, const struct rfc_report *r);

/**
 * rfc_summary() - how many of document @d's rows profile @p got of each
 * verdict
 * @count: filled, indexed by enum rfc_verdict (all 0 if @p did not run)
 * @rows:  set to the number of @d's rows
 */
void rfc_summary(const struct rfc_profile *p, enum rfc_doc d,
		 unsigned int count[RFC_NVERDICTS], unsigned int *rows);

/**
 * rfc_report_json() - the report as one JSON object, schema RFC_SCHEMA,
 * and a newline
 * @f: where to write
 * @r: as for rfc_report_table()
 * Return: 0, or -EIO if @f has an error set after writing (ferror()).
 */
int rfc_report_json(FILE *f, const struct rfc_report *r);

/* ---- the command */

struct rfc_opts {
	const char *topo;  /* NULL: the built-in lab */
	const char *json;  /* --json FILE */
	unsigned int docs; /* --rfc: 1 << enum rfc_doc each; 0: all */
	enum rfc_profile_kind profiles[RFC_PROFILES_MAX];
	int nprofiles; /* 0: all built-in profiles, or the file as is */
};

/**
 * rfc_add_profile() - append a --profile NAME to @o
 * Return: 0 or -EINVAL (unknown, repeated, too many: message printed).
 */
int rfc_add_profile(struct rfc_opts *o, const char *name);

/**
 * rfc_add_docs() - a --rfc LIST ("4787,5508") into @o's docs
 * Return: 0 or -EINVAL (an unknown or empty number: message printed).
 */
int rfc_add_docs(struct rfc_opts *o, const char *list);

/**
 * rfc_main() - natlab rfc: build a lab per profile (side by side, each
 * in its own process), run the suite against its gateway, remove it,
 * print the report
 * Return: 0 when every profile ran (verdicts are findings, not
 * failures); -EINVAL bad input, or a profile whose lab was refused as such;
 * -EPERM not root; -EINTR interrupted; -EIO a profile did not run or the
 * JSON could not be written; -ENOMEM no shared memory.
 */
int rfc_main(const struct rfc_opts *o);

#endif
