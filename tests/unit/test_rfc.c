/* test_rfc.c - natlab rfc: judgement, writers, ctnetlink and nft messages. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/netfilter.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nf_conntrack_tcp.h>
#include <linux/netfilter/nf_nat.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>

#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>

#include "engine/fullcone.h"
#include "lib/ct.h"
#include "lib/nft.h"
#include "rfc/rfc.h"
#include "topo/topo.h"
#include "unit.h"

#define EXT 0xcb007101u /* 203.0.113.1 */
#define S1  0xcb007102u
#define S2  0xcb007103u
#define C1  0x0a000002u
#define C2  0x0a000003u
#define GWI 0x0a000001u
#define NET 0x0a000000u
#define MSK 0xffffff00u

/* ---- evidence as the two kinds of gateway leave it ---- */

static struct rfc_conn c_ok(uint16_t port)
{
	struct rfc_conn c = {
		.out = RFC_OUT_OK, .ext_addr = EXT, .ext_port = port, .us = 40};

	return c;
}

static struct rfc_conn c_from(uint32_t addr, uint16_t port)
{
	struct rfc_conn c = c_ok(port);

	c.ext_addr = addr;
	return c;
}

static struct rfc_conn c_rst(void)
{
	struct rfc_conn c = {.out = RFC_OUT_RST, .us = 12};

	return c;
}

/* What all profiles share: timers read, ICMP, ALG, tracking... */
static void ev_common(struct rfc_evidence *e)
{
	int i;

	memset(e, 0, sizeof(*e));
	/* the TCP tests ran; the UDP and ICMP rows have tests of their own */
	e->docs = 1u << RFC_D5382 | 1u << RFC_D7857;
	e->ext = EXT;
	e->gw_in = GWI;
	e->c1 = C1;
	e->c2 = C2;
	e->s1 = S1;
	e->s2 = S2;
	e->ext_addrs = 1;
	e->timer[RFC_T_ESTABLISHED] = 432000;
	e->live_est = 431999;
	e->seq_port = 40201;
	e->seq = c_ok(40201);
	e->seq_data = e->seq_closed = 1;
	e->sim_port = 40202;
	e->sim_sport = 5202;
	e->sim_c = c_ok(0);
	e->sim_s = c_ok(0);
	e->sim_data = 1;
	e->sim_state = TCP_CONNTRACK_SYN_SENT;
	e->sim_ext = 40202;
	e->helper_sysctl = -1;
	e->expectations = 0;
	e->nalg = 4;
	e->alg[0].port = 21;
	e->alg[1].port = 6667;
	e->alg[2].port = 1723;
	e->alg[3].port = 5060;
	for (i = 0; i < 4; i++)
		e->alg[i].ok = 1;
	e->ovl_port = 40701;
	e->ovl_c1 = c_ok(40701);
	e->ovl_c2 = c_ok(38929);
	e->udp_port = 40901;
	e->udp.out = RFC_OUT_ICMP;
	e->udp.icmp_type = 3;
	e->udp.icmp_code = 3;
	e->udp.icmp_from = S1;
	e->icmp_port = 41001;
	e->icmp_conn = c_ok(41001);
	e->icmp_sent = e->icmp_kept = e->icmp_data = 1;
	e->icmp_state = TCP_CONNTRACK_ESTABLISHED;
	e->icmp_port_after = 41001;
	e->icmp_tcp_seen = 1;
	e->icmp_inner_addr = C1;
	e->icmp_inner_port = 41001;
	e->states[0] = TCP_CONNTRACK_SYN_SENT;
	e->states[1] = TCP_CONNTRACK_ESTABLISHED;
	e->states[2] = TCP_CONNTRACK_FIN_WAIT;
	e->states[3] = TCP_CONNTRACK_TIME_WAIT;
	e->states[4] = TCP_CONNTRACK_CLOSE;
	e->nstates = 5;
	e->seen_addr[0] = EXT;
	e->nseen_addr = 1;
	e->nseen = 122;
	e->rst_translated = 1;
	e->rst_state = TCP_CONNTRACK_CLOSE;
	e->scaled_s = 2;
	e->tw_gone_ms = 2003;
	e->close_gone_ms = 2001;
	e->pcp.out = RFC_OUT_ICMP;
	e->pcp.icmp_type = 3;
	e->pcp.icmp_code = 3;
	e->pcp.icmp_from = GWI;
	e->ports_base = 42000;
	e->eim_port = 40101;
	e->eim2_port = 40102;
	e->filt_port = 40301;
	e->filt_s1_port = 45302;
	e->hp_port = 40801;
	e->hp_sport = 40802;
	e->unsol_port = 40401;
	e->punch_port = 40402;
	e->punch_delay_ms = 300;
	e->unsol_window_ms = 6500;
}

/* Linux's masquerade with its defaults, as measured. */
static void ev_masquerade(struct rfc_evidence *e)
{
	static const int32_t t[RFC_NTIMERS] = {432000, 120, 60,	 120,
					       60,     30,  120, 10};
	int i;

	ev_common(e);
	memcpy(e->timer, t, sizeof(t));
	e->eim_s1 = c_ok(40101);
	e->eim_s2 = c_ok(40101);
	e->eim2_c2 = c_ok(40102);
	e->eim2_s1 = c_ok(40102);
	e->eim2_s2 = c_ok(57773);
	e->filt_map = c_ok(40301);
	e->filt_s2 = c_rst();
	e->filt_s1 = c_rst();
	e->unsol = c_rst();
	e->unsol_syns = 1;
	e->punch_s = c_rst();
	e->punch_c = c_rst();
	e->live_syn_sent = 120;
	e->live_time_wait = 120;
	e->live_close = 10;
	e->hp_map = c_ok(40801);
	e->hp = c_rst();
	e->olap_port = 41101;
	e->olap_c1 = c_ok(41101);
	e->olap_c2 = c_ok(41101);
	for (i = 0; i < RFC_PORTS_N; i++) {
		e->ports_c1[i] = (uint16_t)(42000 + i);
		/* changed ones: spread, not sequential */
		e->ports_c2[i] = (uint16_t)(1100 + i * 1291 % 64000);
	}
}

/* The rfc profile, as measured. */
static void ev_rfc(struct rfc_evidence *e)
{
	int i;

	ev_masquerade(e);
	for (i = RFC_T_SYN_SENT; i < RFC_NTIMERS; i++)
		e->timer[i] = 240;
	e->eim2_s1 = c_ok(35184);
	e->eim2_s2 = c_ok(35184);
	e->filt_s2 = c_from(S2, 45301);
	e->filt_s1 = c_from(S1, 45302);
	e->unsol.out = RFC_OUT_SILENT;
	e->unsol.us = 6500000;
	e->unsol_syns = 6;
	e->punch_s = c_ok(0);
	e->punch_c = c_ok(0);
	e->live_syn_sent = 240;
	e->live_time_wait = 239;
	e->live_close = 240;
	e->hp = c_from(EXT, 40802);
	e->hp_seen_addr = EXT;
	e->hp_seen_port = 40802;
	e->hp_out = c_ok(40802);
	e->olap_c2 = c_ok(21393);
	e->keeper = 1;
}

static const enum rfc_verdict want_masq[RFC_NREQ] = {
	[RFC_REQ1] = RFC_V_FAILS,	 [RFC_REQ2] = RFC_V_MEETS,
	[RFC_REQ3] = RFC_V_FAILS,	 [RFC_REQ4] = RFC_V_FAILS,
	[RFC_REQ5_EST] = RFC_V_MEETS,	 [RFC_REQ5_TRANS] = RFC_V_FAILS,
	[RFC_REQ6] = RFC_V_MEETS,	 [RFC_REQ7] = RFC_V_MEETS,
	[RFC_REQ8] = RFC_V_FAILS,	 [RFC_REQ9] = RFC_V_MEETS,
	[RFC_REQ10] = RFC_V_MEETS,	 [RFC_TRACKING] = RFC_V_MEETS,
	[RFC_TRANSITORY] = RFC_V_CONFIG, [RFC_RST] = RFC_V_FAILS,
	[RFC_OVERLAP] = RFC_V_MEETS,	 [RFC_APP] = RFC_V_NA,
	[RFC_PARITY] = RFC_V_FAILS,	 [RFC_RANDOM] = RFC_V_MEETS,
};

static const enum rfc_verdict want_rfc[RFC_NREQ] = {
	[RFC_REQ1] = RFC_V_MEETS,	[RFC_REQ2] = RFC_V_MEETS,
	[RFC_REQ3] = RFC_V_MEETS,	[RFC_REQ4] = RFC_V_MEETS,
	[RFC_REQ5_EST] = RFC_V_MEETS,	[RFC_REQ5_TRANS] = RFC_V_MEETS,
	[RFC_REQ6] = RFC_V_MEETS,	[RFC_REQ7] = RFC_V_MEETS,
	[RFC_REQ8] = RFC_V_MEETS,	[RFC_REQ9] = RFC_V_MEETS,
	[RFC_REQ10] = RFC_V_MEETS,	[RFC_TRACKING] = RFC_V_MEETS,
	[RFC_TRANSITORY] = RFC_V_MEETS, [RFC_RST] = RFC_V_MEETS,
	[RFC_OVERLAP] = RFC_V_MEETS,	[RFC_APP] = RFC_V_NA,
	[RFC_PARITY] = RFC_V_FAILS,	[RFC_RANDOM] = RFC_V_MEETS,
};

static struct rfc_evidence ev;
static struct rfc_row rows[RFC_NREQ];

/* The rows the TCP tests answer (the evidence here is theirs). */
static int tcp_row(int i)
{
	return rfc_reqs[i].doc == RFC_D5382 ||
	       (i >= RFC_TRACKING && i <= RFC_APP) || i == RFC_PARITY ||
	       i == RFC_RANDOM;
}

/* rows[i] against want[i] for i < n where use(i) (NULL: every i). */
static void check_rows(const enum rfc_verdict *want, size_t n, int (*use)(int))
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (use && !use((int)i))
			continue;
		if (rows[i].verdict != want[i])
			fprintf(stderr, "\n  %s: %s, want %s: %s\n",
				rfc_reqs[i].id,
				rfc_verdict_name(rows[i].verdict),
				rfc_verdict_name(want[i]), rows[i].evidence);
		CU_ASSERT_EQUAL(rows[i].verdict, want[i]);
		/* every verdict carries its evidence */
		CU_ASSERT(strlen(rows[i].evidence) > 10);
	}
}

static void check_verdicts(const enum rfc_verdict *want)
{
	check_rows(want, RFC_NREQ, tcp_row);
}

static int has(int req, const char *text)
{
	return strstr(rows[req].evidence, text) != NULL;
}

static int64_t data(int req, const char *key)
{
	int i;

	for (i = 0; i < rows[req].ndata; i++)
		if (!strcmp(rows[req].data[i].key, key))
			return rows[req].data[i].value;
	return -99;
}

static void test_judge_masquerade(void)
{
	ev_masquerade(&ev);
	rfc_judge(&ev, rows);
	check_verdicts(want_masq);
	CU_ASSERT(has(RFC_REQ1, ":40102 by s1 and as :57773 by s2"));
	CU_ASSERT(has(RFC_REQ3, "address- and port-dependent"));
	CU_ASSERT(has(RFC_REQ4, "refused by a RST after 12 us"));
	CU_ASSERT(has(RFC_REQ5_TRANS, "the least: last_ack, 30 s"));
	CU_ASSERT(has(RFC_REQ5_TRANS, "scaled 1:120"));
	CU_ASSERT(has(RFC_REQ5_TRANS, "went after 2.00 s"));
	CU_ASSERT(has(RFC_TRANSITORY, "close (10 s) is below"));
	CU_ASSERT(has(RFC_RST, "CLOSE with 10 s left"));
	CU_ASSERT(has(RFC_OVERLAP, "port overlapping (allowed)"));
	CU_ASSERT(has(RFC_APP, "1 external address (203.0.113.1)"));
	CU_ASSERT(has(RFC_PARITY, "ICMP 3/3 from 10.0.0.1"));
	CU_ASSERT(has(RFC_TRACKING,
		      "SYN_SENT -> ESTABLISHED -> FIN_WAIT -> TIME_WAIT -> "
		      "CLOSE"));
	CU_ASSERT(has(RFC_REQ6, "nf_conntrack_helper: absent"));
	CU_ASSERT_EQUAL(data(RFC_RANDOM, "c1_preserved"), 50);
	CU_ASSERT_EQUAL(data(RFC_RANDOM, "c2_preserved"), 0);
	CU_ASSERT_EQUAL(data(RFC_REQ5_TRANS, "least_s"), 30);
	CU_ASSERT_EQUAL(data(RFC_REQ8, "hairpin"), 0);
}

static void test_judge_rfc(void)
{
	ev_rfc(&ev);
	rfc_judge(&ev, rows);
	check_verdicts(want_rfc);
	CU_ASSERT(has(RFC_REQ1, "one mapping for every destination"));
	CU_ASSERT(has(RFC_REQ3, "endpoint-independent filtering"));
	CU_ASSERT(has(RFC_REQ4, "no answer in 6.50 s (6 SYNs)"));
	CU_ASSERT(has(RFC_REQ4, "hole punching"));
	CU_ASSERT(has(RFC_REQ8, "203.0.113.1:40802"));
	CU_ASSERT(has(RFC_REQ8, "(REQ-8a)"));
	CU_ASSERT(has(RFC_OVERLAP, "no port overlapping"));
	CU_ASSERT_EQUAL(data(RFC_REQ8, "seen_port"), 40802);
	CU_ASSERT_EQUAL(data(RFC_REQ4, "hole_punching"), 1);
}

/* Ports that stop being preserved and the random profiles' evidence. */
static void test_judge_random(void)
{
	int i;

	ev_masquerade(&ev);
	ev.eim_s1 = c_ok(16621);
	ev.eim_s2 = c_ok(51355);
	for (i = 0; i < RFC_PORTS_N; i++)
		ev.ports_c1[i] = (uint16_t)(2000 + i * 977 % 60000);
	rfc_judge(&ev, rows);
	CU_ASSERT_EQUAL(rows[RFC_REQ1].verdict, RFC_V_FAILS);
	CU_ASSERT(has(RFC_REQ1, "depends on the destination"));
	CU_ASSERT_EQUAL(rows[RFC_RANDOM].verdict, RFC_V_MEETS);
	CU_ASSERT_EQUAL(data(RFC_RANDOM, "c1_preserved"), 0);
	CU_ASSERT(has(RFC_RANDOM, "random, no port preservation"));

	/* a NAT that walks the port space when it must change one */
	for (i = 0; i < RFC_PORTS_N; i++)
		ev.ports_c2[i] = (uint16_t)(60000 + i);
	for (i = 0; i < RFC_PORTS_N; i++)
		ev.ports_c1[i] = (uint16_t)(42000 + i);
	rfc_judge(&ev, rows);
	CU_ASSERT_EQUAL(rows[RFC_RANDOM].verdict, RFC_V_FAILS);
	CU_ASSERT(has(RFC_RANDOM, "predictable"));
}

/* Tests that could not run give "not measured", never a verdict. */
static void test_judge_not_measured(void)
{
	ev_masquerade(&ev);
	ev.eim_s1.out = RFC_OUT_ERROR;
	ev.eim_s1.err = EADDRINUSE;
	ev.filt_map.out = RFC_OUT_NOTRUN;
	ev.unsol.out = RFC_OUT_ERROR;
	ev.timer[RFC_T_SYN_SENT] = -1;
	ev.timer[RFC_T_ESTABLISHED] = -1;
	ev.live_est = -1;
	ev.nstates = 0;
	ev.rst_state = -2;
	memset(ev.ports_c2, 0, sizeof(ev.ports_c2));
	rfc_judge(&ev, rows);
	CU_ASSERT_EQUAL(rows[RFC_REQ1].verdict, RFC_V_UNKNOWN);
	CU_ASSERT(has(RFC_REQ1, "local error (Address already in use)"));
	CU_ASSERT_EQUAL(rows[RFC_REQ3].verdict, RFC_V_UNKNOWN);
	CU_ASSERT_EQUAL(rows[RFC_REQ4].verdict, RFC_V_UNKNOWN);
	CU_ASSERT_EQUAL(rows[RFC_REQ5_EST].verdict, RFC_V_UNKNOWN);
	CU_ASSERT_EQUAL(rows[RFC_REQ5_TRANS].verdict, RFC_V_UNKNOWN);
	CU_ASSERT_EQUAL(rows[RFC_TRANSITORY].verdict, RFC_V_UNKNOWN);
	CU_ASSERT_EQUAL(rows[RFC_TRACKING].verdict, RFC_V_UNKNOWN);
	CU_ASSERT_EQUAL(rows[RFC_RST].verdict, RFC_V_UNKNOWN);
	CU_ASSERT_EQUAL(rows[RFC_RANDOM].verdict, RFC_V_UNKNOWN);
}

/* Edges of single requirements. */
static void test_judge_edges(void)
{
	/* REQ-4: an ICMP after 6 s is allowed, one before is not */
	ev_masquerade(&ev);
	ev.unsol.out = RFC_OUT_ICMP;
	ev.unsol.icmp_type = 3;
	ev.unsol.icmp_code = 3;
	ev.unsol.us = 6100000;
	rfc_judge(&ev, rows);
	CU_ASSERT_EQUAL(rows[RFC_REQ4].verdict, RFC_V_MEETS);
	ev.unsol.us = 5900000;
	rfc_judge(&ev, rows);
	CU_ASSERT_EQUAL(rows[RFC_REQ4].verdict, RFC_V_FAILS);

	/* REQ-3: address-dependent filtering is recommended too */
	ev_masquerade(&ev);
	ev.filt_s1 = c_from(S1, 45302);
	rfc_judge(&ev, rows);
	CU_ASSERT_EQUAL(rows[RFC_REQ3].verdict, RFC_V_MEETS);
	CU_ASSERT(has(RFC_REQ3, "address-dependent filtering"));

	/* REQ-8a: the inner host must not see the inside address */
	ev_rfc(&ev);
	ev.hp_seen_addr = C2;
	rfc_judge(&ev, rows);
	CU_ASSERT_EQUAL(rows[RFC_REQ8].verdict, RFC_V_FAILS);
	CU_ASSERT(has(RFC_REQ8, "an internal address"));
	ev_rfc(&ev);
	ev.hp_out = c_ok(40999);
	rfc_judge(&ev, rows);
	CU_ASSERT_EQUAL(rows[RFC_REQ8].verdict, RFC_V_FAILS);

	/* REQ-7: one external port for both is overloading */
	ev_masquerade(&ev);
	ev.ovl_c2 = c_ok(40701);
	rfc_judge(&ev, rows);
	CU_ASSERT_EQUAL(rows[RFC_REQ7].verdict, RFC_V_FAILS);

	/* REQ-6: FTP's ALG is allowed, others are not */
	ev_masquerade(&ev);
	strcpy(ev.alg[0].helper, "ftp");
	rfc_judge(&ev, rows);
	CU_ASSERT_EQUAL(rows[RFC_REQ6].verdict, RFC_V_MEETS);
	strcpy(ev.alg[3].helper, "sip");
	rfc_judge(&ev, rows);
	CU_ASSERT_EQUAL(rows[RFC_REQ6].verdict, RFC_V_FAILS);

	/* REQ-10: a mapping that moved counts as ended */
	ev_masquerade(&ev);
	ev.icmp_port_after = 1234;
	rfc_judge(&ev, rows);
	CU_ASSERT_EQUAL(rows[RFC_REQ10].verdict, RFC_V_FAILS);

	/* RST: the state must be held, and translated */
	ev_rfc(&ev);
	ev.rst_translated = 0;
	rfc_judge(&ev, rows);
	CU_ASSERT_EQUAL(rows[RFC_RST].verdict, RFC_V_FAILS);
	ev_rfc(&ev);
	ev.rst_state = -1;
	rfc_judge(&ev, rows);
	CU_ASSERT_EQUAL(rows[RFC_RST].verdict, RFC_V_FAILS);
	CU_ASSERT(has(RFC_RST, "gone at once"));

	/* an expiry that did not follow the sysctl leaves it unproven */
	ev_rfc(&ev);
	ev.tw_gone_ms = -1;
	rfc_judge(&ev, rows);
	CU_ASSERT_EQUAL(rows[RFC_REQ5_TRANS].verdict, RFC_V_UNKNOWN);
	CU_ASSERT(has(RFC_REQ5_TRANS, "did not go within 5 s"));

	/* several external addresses: pairing is not judged here */
	ev_masquerade(&ev);
	ev.ext_addrs = 2;
	rfc_judge(&ev, rows);
	CU_ASSERT_EQUAL(rows[RFC_APP].verdict, RFC_V_UNKNOWN);
}

/* ---- every verdict branch, the RFC's words as the oracle ---- */

/* A probe that got nothing back, or could not be made at all. */
static struct rfc_conn c_out(enum rfc_outcome out)
{
	struct rfc_conn c = {.out = out, .us = 1000000, .err = EINVAL};

	return c;
}

/* Judge ev; does requirement req get want, with text in its evidence
 * (NULL: any)?  Prints what it got when not. */
static int judged(int req, enum rfc_verdict want, const char *text)
{
	int good;

	rfc_judge(&ev, rows);
	good = rows[req].verdict == want && (!text || has(req, text));
	if (!good)
		fprintf(stderr, "\n  %s: %s, want %s (\"%s\"): %s\n",
			rfc_reqs[req].id, rfc_verdict_name(rows[req].verdict),
			rfc_verdict_name(want), text ? text : "",
			rows[req].evidence);
	return good;
}

/* REQ-1, REQ-2, REQ-3, REQ-7 and port overlapping. */
static void test_judge_mapping_branches(void)
{
	/* REQ-1 rests on the first test when the second cannot be set up */
	ev_rfc(&ev);
	ev.eim2_c2 = c_out(RFC_OUT_SILENT);
	CU_ASSERT(judged(RFC_REQ1, RFC_V_MEETS, "second test not measured"));
	/* a mapping that does not reach the other destination is not
	 * endpoint-independent; a local error there proves nothing */
	ev_rfc(&ev);
	ev.eim2_s2 = c_rst();
	CU_ASSERT(judged(RFC_REQ1, RFC_V_FAILS, "could not reach s2"));
	ev.eim2_s2 = c_out(RFC_OUT_ERROR);
	CU_ASSERT(judged(RFC_REQ1, RFC_V_UNKNOWN, "local error"));

	/* REQ-2: every valid sequence must pass, data and close included */
	ev_rfc(&ev);
	ev.seq_data = 0;
	CU_ASSERT(judged(RFC_REQ2, RFC_V_FAILS, ", data failed"));
	ev_rfc(&ev);
	ev.seq_closed = 0;
	CU_ASSERT(judged(RFC_REQ2, RFC_V_FAILS, ", close failed"));
	ev_rfc(&ev);
	ev.sim_c = c_rst();
	CU_ASSERT(judged(RFC_REQ2, RFC_V_FAILS, "c1 refused by a RST"));
	ev.sim_s = c_out(RFC_OUT_NOTRUN);
	CU_ASSERT(judged(RFC_REQ2, RFC_V_UNKNOWN, "s1 not run"));
	/* no mapping for the server to aim its SYN at */
	ev_rfc(&ev);
	ev.sim_s = c_out(RFC_OUT_SILENT);
	ev.sim_ext = 0;
	CU_ASSERT(judged(RFC_REQ2, RFC_V_UNKNOWN, "s1 no answer in 1.00 s"));

	/* REQ-3: a filter test that could not run, and a filter no
	 * recommended behaviour explains */
	ev_masquerade(&ev);
	ev.filt_s2 = c_out(RFC_OUT_ERROR);
	CU_ASSERT(judged(RFC_REQ3, RFC_V_UNKNOWN, "local error"));
	ev_masquerade(&ev);
	ev.filt_s2 = c_from(S2, 45301);
	CU_ASSERT(judged(RFC_REQ3, RFC_V_UNKNOWN, "inconsistent"));

	/* REQ-7 and overlapping need both connections */
	ev_masquerade(&ev);
	ev.ovl_c2 = c_out(RFC_OUT_SILENT);
	CU_ASSERT(judged(RFC_REQ7, RFC_V_UNKNOWN, "c2:40701 to s1: no answer"));
	ev_masquerade(&ev);
	ev.olap_c2 = c_out(RFC_OUT_ERROR);
	CU_ASSERT(judged(RFC_OVERLAP, RFC_V_UNKNOWN, "Invalid argument"));
}

/* REQ-5 (2 h 4 min established, 4 min transitory) and the RST's state. */
static void test_judge_timer_branches(void)
{
	/* 2 h is short of 2 h 4 min = 7440 s */
	ev_rfc(&ev);
	ev.timer[RFC_T_ESTABLISHED] = 7200;
	ev.live_est = 7199;
	CU_ASSERT(judged(RFC_REQ5_EST, RFC_V_FAILS, "7200 s (2 h 0 min)"));
	/* exactly 7440 s, the entry read 2 s after it was refreshed */
	ev.timer[RFC_T_ESTABLISHED] = 7440;
	ev.live_est = 7438;
	CU_ASSERT(judged(RFC_REQ5_EST, RFC_V_MEETS, NULL));
	/* 3 s short is more than a read's delay: the entry did not get the
	 * sysctl's value */
	ev.live_est = 7437;
	CU_ASSERT(judged(RFC_REQ5_EST, RFC_V_FAILS, NULL));
	ev.live_est = 3600;
	CU_ASSERT(judged(RFC_REQ5_EST, RFC_V_FAILS, NULL));
	/* no sysctl: the entry alone */
	ev.timer[RFC_T_ESTABLISHED] = -1;
	ev.live_est = 7439;
	CU_ASSERT(judged(RFC_REQ5_EST, RFC_V_MEETS, "established = ?"));
	ev.live_est = 7000;
	CU_ASSERT(judged(RFC_REQ5_EST, RFC_V_FAILS, NULL));

	/* transitory sysctls of 4 min that the entries did not get */
	ev_rfc(&ev);
	ev.live_time_wait = 60;
	CU_ASSERT(judged(RFC_REQ5_TRANS, RFC_V_FAILS,
			 "did not get the sysctl's value"));
	/* an expiry far later than the timer leaves it unproven */
	ev_rfc(&ev);
	ev.tw_gone_ms = 4000;
	CU_ASSERT(judged(RFC_REQ5_TRANS, RFC_V_UNKNOWN, "after 4.00 s"));

	/* RST: state kept 4 min, but seen going at once when shortened */
	ev_rfc(&ev);
	ev.close_gone_ms = 100;
	CU_ASSERT(judged(RFC_RST, RFC_V_UNKNOWN, "went after 0.10 s"));
	ev.scaled_s = 0;
	CU_ASSERT(judged(RFC_RST, RFC_V_MEETS, NULL));
}

/* REQ-6, REQ-8, REQ-9, REQ-10 and session tracking. */
static void test_judge_icmp_branches(void)
{
	int i;

	/* REQ-8: no mapping to hairpin to; no answer is a failure */
	ev_rfc(&ev);
	ev.hp_map = c_out(RFC_OUT_NOTRUN);
	CU_ASSERT(judged(RFC_REQ8, RFC_V_UNKNOWN, "not run"));
	ev_rfc(&ev);
	ev.hp = c_out(RFC_OUT_SILENT);
	CU_ASSERT(judged(RFC_REQ8, RFC_V_FAILS, "no answer"));
	ev.hp = c_out(RFC_OUT_ERROR);
	CU_ASSERT(judged(RFC_REQ8, RFC_V_UNKNOWN, NULL));
	/* REQ-8a on the address alone when c2's own mapping is unknown */
	ev_rfc(&ev);
	ev.hp_out = c_out(RFC_OUT_NOTRUN);
	CU_ASSERT(judged(RFC_REQ8, RFC_V_MEETS, "(the external address)"));

	/* REQ-9: each ICMP error must come back translated */
	ev_rfc(&ev);
	ev.udp = c_out(RFC_OUT_SILENT);
	CU_ASSERT(judged(RFC_REQ9, RFC_V_FAILS, "no answer in 1.00 s"));
	ev_rfc(&ev);
	ev.icmp_tcp_seen = 0;
	CU_ASSERT(judged(RFC_REQ9, RFC_V_FAILS, "did not reach c1"));
	ev.icmp_tcp_seen = -1;
	CU_ASSERT(judged(RFC_REQ9, RFC_V_MEETS, NULL));
	ev.udp = c_out(RFC_OUT_NOTRUN);
	CU_ASSERT(judged(RFC_REQ9, RFC_V_UNKNOWN, NULL));

	/* REQ-10: no ICMP, no test; a dropped entry or connection fails */
	ev_rfc(&ev);
	ev.icmp_sent = 0;
	CU_ASSERT(judged(RFC_REQ10, RFC_V_UNKNOWN, "could not be sent"));
	ev_rfc(&ev);
	ev.icmp_kept = 0;
	CU_ASSERT(judged(RFC_REQ10, RFC_V_FAILS, "no longer had the entry"));
	ev_rfc(&ev);
	ev.icmp_data = 0;
	CU_ASSERT(judged(RFC_REQ10, RFC_V_FAILS, "did not go both ways"));

	/* REQ-6: nothing probed; an IRC helper while the rest is unknown */
	ev_rfc(&ev);
	for (i = 0; i < 4; i++)
		ev.alg[i].ok = 0;
	ev.helper_sysctl = 1;
	CU_ASSERT(judged(RFC_REQ6, RFC_V_UNKNOWN, "nf_conntrack_helper = 1"));
	ev.alg[1].ok = 1;
	strcpy(ev.alg[1].helper, "irc");
	CU_ASSERT(judged(RFC_REQ6, RFC_V_FAILS, "irc (6667): irc"));

	/* RFC 7857 session tracking: closing and reset must be states */
	ev_rfc(&ev);
	ev.nstates = 2;
	CU_ASSERT(judged(RFC_TRACKING, RFC_V_FAILS, "not every phase"));
}

/* REQ-4's other answers and the port parity row's PCP probe. */
static void test_judge_probe_branches(void)
{
	/* REQ-4: an unsolicited SYN must not be accepted */
	ev_masquerade(&ev);
	ev.unsol = c_ok(40401);
	CU_ASSERT(judged(RFC_REQ4, RFC_V_FAILS, "connected to something"));
	ev.unsol = c_rst();
	ev.unsol.us = 1400;
	CU_ASSERT(judged(RFC_REQ4, RFC_V_FAILS, "a RST after 1.4 ms"));

	/* parity: a PCP server that answers is not judged; a silent
	 * gateway offers no way to ask */
	ev_masquerade(&ev);
	ev.pcp = c_ok(0);
	CU_ASSERT(judged(RFC_PARITY, RFC_V_UNKNOWN, "(not judged)"));
	ev.pcp = c_out(RFC_OUT_NOTRUN);
	CU_ASSERT(judged(RFC_PARITY, RFC_V_UNKNOWN, "PCP probe: not run"));
	ev.pcp = c_out(RFC_OUT_SILENT);
	CU_ASSERT(judged(RFC_PARITY, RFC_V_FAILS, "got no answer"));
	/* no connection of the port test got through */
	memset(ev.ports_c1, 0, sizeof(ev.ports_c1));
	memset(ev.ports_c2, 0, sizeof(ev.ports_c2));
	CU_ASSERT(judged(RFC_PARITY, RFC_V_UNKNOWN, "no mapping was seen"));
	CU_ASSERT(judged(RFC_RANDOM, RFC_V_UNKNOWN, "too few changed"));
}

static void test_port_stats(void)
{
	uint16_t src[8] = {100, 101, 102, 103, 104, 105, 106, 107};
	uint16_t ext[8] = {100, 101, 5000, 5001, 0, 9000, 5000, 107};
	struct rfc_port_stats st;

	rfc_port_stats(src, ext, 8, &st);
	CU_ASSERT_EQUAL(st.n, 7);
	CU_ASSERT_EQUAL(st.preserved, 3);
	CU_ASSERT_EQUAL(st.changed, 4);
	CU_ASSERT_EQUAL(st.distinct, 3); /* 5000 twice */
	/* 5000 -> 5001 is a step within 16; 5001 -> 9000 and 9000 -> 5000
	 * are not */
	CU_ASSERT_EQUAL(st.near_seq, 1);
	/* 100, 101, 107 preserved; 5000 (102), 5001 (103), 5000 (106) */
	CU_ASSERT_EQUAL(st.parity_kept, 6);
	CU_ASSERT_EQUAL(st.min, 5000);
	CU_ASSERT_EQUAL(st.max, 9000);
	rfc_port_stats(src, src, 8, &st);
	CU_ASSERT_EQUAL(st.changed, 0);
	CU_ASSERT_EQUAL(st.min, 0);
	CU_ASSERT_EQUAL(st.max, 0);
}

static void test_names(void)
{
	enum rfc_profile_kind k;
	struct rfc_opts o;
	int i;

	CU_ASSERT_EQUAL(rfc_profile_parse("fully-random", &k), 0);
	CU_ASSERT_EQUAL(k, RFC_P_FULLY_RANDOM);
	CU_ASSERT_STRING_EQUAL(rfc_profile_name(k), "fully-random");
	CU_ASSERT_EQUAL(rfc_profile_parse("rfc", &k), 0);
	CU_ASSERT_EQUAL(k, RFC_P_RFC);
	CU_ASSERT_EQUAL(rfc_profile_parse("topo", &k), -EINVAL);
	CU_ASSERT_EQUAL(rfc_profile_parse("full-cone", &k), -EINVAL);
	memset(&o, 0, sizeof(o));
	fprintf(stderr, "\n  (expected messages follow)\n");
	CU_ASSERT_EQUAL(rfc_add_profile(&o, "masquerade"), 0);
	CU_ASSERT_EQUAL(rfc_add_profile(&o, "rfc"), 0);
	CU_ASSERT_EQUAL(rfc_add_profile(&o, "masquerade"), -EINVAL);
	CU_ASSERT_EQUAL(rfc_add_profile(&o, "nope"), -EINVAL);
	CU_ASSERT_EQUAL(o.nprofiles, 2);
	CU_ASSERT_STRING_EQUAL(rfc_verdict_name(RFC_V_FAILS), "does not meet");
	CU_ASSERT_STRING_EQUAL(rfc_verdict_name(RFC_V_CONFIG), "configurable");
	CU_ASSERT_STRING_EQUAL(rfc_level_name(RFC_MUST_NOT), "MUST NOT");
	CU_ASSERT_STRING_EQUAL(ct_state_name(TCP_CONNTRACK_TIME_WAIT),
			       "TIME_WAIT");
	CU_ASSERT_STRING_EQUAL(ct_state_name(-1), "?");
	CU_ASSERT_STRING_EQUAL(ct_state_name(99), "?");
	/* every requirement is described */
	for (i = 0; i < RFC_NREQ; i++) {
		CU_ASSERT_PTR_NOT_NULL(rfc_reqs[i].id);
		CU_ASSERT_PTR_NOT_NULL(rfc_reqs[i].asks);
		CU_ASSERT_PTR_NOT_NULL(rfc_reqs[i].test);
		CU_ASSERT(strlen(rfc_reqs[i].title) <= 38);
	}
}

/* The built-in lab is topo/rfc.topo, and it has every role. */
static void test_default_topo(void)
{
	struct topo t;
	char *file = NULL;
	size_t len = 0;
	FILE *f;

	memset(&t, 0, sizeof(t));
	CU_ASSERT_EQUAL(topo_parse_buf(&t, "rfc.topo", rfc_default_topo,
				       strlen(rfc_default_topo)),
			0);
	CU_ASSERT_STRING_EQUAL(t.name, "rfc");
	CU_ASSERT(topo_find_node(&t, "gw") >= 0);
	CU_ASSERT(topo_find_node(&t, "c2") >= 0);
	CU_ASSERT(topo_find_node(&t, "s2") >= 0);
	topo_free(&t);
	f = fopen("topo/rfc.topo", "re");
	if (!f)
		f = fopen("../../topo/rfc.topo", "re");
	if (!f)
		return; /* run from elsewhere: nothing to compare */
	CU_ASSERT(getdelim(&file, &len, '\0', f) > 0);
	fclose(f);
	CU_ASSERT_STRING_EQUAL(file, rfc_default_topo);
	free(file);
}

/* ---- the writers ---- */

static struct rfc_report rep;

static void make_report(void)
{
	memset(&rep, 0, sizeof(rep));
	strcpy(rep.topology, "rfc.topo (built in)");
	strcpy(rep.kernel, "6.18.0-test");
	strcpy(rep.gateway, "gw");
	strcpy(rep.c1, "c1");
	strcpy(rep.c2, "c2");
	strcpy(rep.s1, "s1");
	strcpy(rep.s2, "s2");
	rep.elapsed_ms = 6900;
	rep.docs = RFC_DOCS_ALL;
	rep.nprofiles = 3;
	strcpy(rep.p[0].name, "masquerade");
	strcpy(rep.p[0].lab, "rfc-masquerade-1");
	strcpy(rep.p[0].nat, "masquerade");
	ev_masquerade(&rep.p[0].ev);
	rfc_judge(&rep.p[0].ev, rep.p[0].rows);
	strcpy(rep.p[1].name, "rfc");
	strcpy(rep.p[1].lab, "rfc-rfc-1");
	strcpy(rep.p[1].nat, "masquerade + full-cone keeper");
	ev_rfc(&rep.p[1].ev);
	rep.p[1].ev.kp_events = 131;
	rfc_judge(&rep.p[1].ev, rep.p[1].rows);
	strcpy(rep.p[2].name, "random");
	strcpy(rep.p[2].lab, "rfc-random-1");
	strcpy(rep.p[2].nat, "masquerade random");
	rep.p[2].status = -EIO;
	strcpy(rep.p[2].error, "lab rfc-random-1 not built: \"quoted\"\n");
}

static char *write_mem(int json, size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	if (json) {
		CU_ASSERT_EQUAL(rfc_report_json(f, &rep), 0);
	} else {
		rfc_report_table(f, &rep);
	}
	CU_ASSERT_EQUAL(fclose(f), 0);
	return buf;
}

/* The text with every line break and the indent after it made one
 * space, as it reads. */
static char *unwrap(const char *s)
{
	char *out = malloc(strlen(s) + 1), *o = out;

	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	while (*s) {
		if (*s == '\n') {
			*o++ = ' ';
			while (*++s == ' ')
				;
			continue;
		}
		*o++ = *s++;
	}
	*o = '\0';
	return out;
}

static void test_table(void)
{
	char *out, *flat, *line, *save = NULL;
	size_t len;
	int i, summary = 0, in_details = 0, in_tcp = 0;

	make_report();
	out = write_mem(0, &len);
	flat = unwrap(out);
	CU_ASSERT_PTR_NOT_NULL(strstr(flat, "RFC 5382 (TCP)"));
	CU_ASSERT_PTR_NOT_NULL(strstr(flat, "RFC 4787 (UDP)"));
	CU_ASSERT_PTR_NOT_NULL(
		strstr(flat, "RFC 5382, masquerade: 6 of 11 met"));
	CU_ASSERT_PTR_NOT_NULL(strstr(flat, "RFC 5382, random: did not run"));
	CU_ASSERT_PTR_NOT_NULL(strstr(flat, "DID NOT RUN"));
	CU_ASSERT_PTR_NOT_NULL(strstr(flat, "keeper: 131 conntrack events"));
	CU_ASSERT_PTR_NOT_NULL(strstr(flat, "scaled 1:120"));
	CU_ASSERT_PTR_NOT_NULL(strstr(flat, "the profile did not run"));
	for (i = 0; i < RFC_NREQ; i++)
		CU_ASSERT_PTR_NOT_NULL(strstr(flat, rfc_reqs[i].title));
	free(flat);
	for (line = strtok_r(out, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		/* the summary: one line per requirement, a verdict per
		 * profile, in order */
		if (in_tcp && !strncmp(line, "REQ-1      endpoint", 19)) {
			char *a = strstr(line, "does not meet");
			char *b = a ? strstr(a + 1, "meets") : NULL;
			char *c = b ? strstr(b + 1, "not measured") : NULL;

			CU_ASSERT(a && b && c);
			summary++;
		}
		if (!strncmp(line, "RFC 5382 (TCP)", 14))
			in_tcp = 1;
		if (!strncmp(line, "RFC 5508 (ICMP)", 15))
			in_tcp = 0;
		if (!strncmp(line, "RFC 5382 REQ-1  endpoint", 24))
			in_details = 1;
		/* the details wrap at 100 columns */
		if (in_details)
			CU_ASSERT(strlen(line) <= 100);
		/* no trailing blanks */
		CU_ASSERT(line[strlen(line) - 1] != ' ');
	}
	CU_ASSERT_EQUAL(summary, 1);
	CU_ASSERT(in_details);
	free(out);
}

/* ---- a JSON checker: RFC 8259 syntax, values looked up by text ---- */

static int j_value(const char **p);

static void j_ws(const char **p)
{
	while (**p == ' ' || **p == '\n' || **p == '\t' || **p == '\r')
		(*p)++;
}

static int j_string(const char **p)
{
	if (**p != '"')
		return -1;
	for ((*p)++; **p != '"'; (*p)++) {
		if ((unsigned char)**p < 0x20 || !**p)
			return -1;
		if (**p == '\\') {
			(*p)++;
			if (!strchr("\"\\/bfnrtu", **p) || !**p)
				return -1;
		}
	}
	(*p)++;
	return 0;
}

static int j_number(const char **p)
{
	char *end;

	strtod(*p, &end);
	if (end == *p || (**p != '-' && (**p < '0' || **p > '9')))
		return -1;
	*p = end;
	return 0;
}

static int j_list(const char **p, char close, int object)
{
	(*p)++;
	j_ws(p);
	if (**p == close) {
		(*p)++;
		return 0;
	}
	for (;;) {
		j_ws(p);
		if (object) {
			if (j_string(p))
				return -1;
			j_ws(p);
			if (*(*p)++ != ':')
				return -1;
		}
		if (j_value(p))
			return -1;
		j_ws(p);
		if (**p == close) {
			(*p)++;
			return 0;
		}
		if (*(*p)++ != ',')
			return -1;
	}
}

static int j_value(const char **p)
{
	j_ws(p);
	switch (**p) {
	case '{':
		return j_list(p, '}', 1);
	case '[':
		return j_list(p, ']', 0);
	case '"':
		return j_string(p);
	case 't':
		return strncmp(*p, "true", 4) ? -1 : (*p += 4, 0);
	case 'f':
		return strncmp(*p, "false", 5) ? -1 : (*p += 5, 0);
	case 'n':
		return strncmp(*p, "null", 4) ? -1 : (*p += 4, 0);
	default:
		return j_number(p);
	}
}

static int json_valid(const char *s)
{
	const char *p = s;

	if (j_value(&p))
		return 0;
	j_ws(&p);
	return *p == '\0';
}

static void test_json(void)
{
	char *out;
	size_t len;

	make_report();
	out = write_mem(1, &len);
	CU_ASSERT(json_valid(out));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"schema\":\"natlab-rfc/2\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"5382/REQ-5/transitory\":{\"id\":"
					   "\"5382/REQ-5/transitory\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"rfcs\":[4787,5382,5508,7857]"));
	CU_ASSERT_PTR_NOT_NULL(
		strstr(out, "\"masquerade\":{\"verdict\":\"does not meet\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"c1_preserved\":50"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"ran\":false"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\\\"quoted\\\"\\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"factor\":120"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"keeper\":{\"events\":131"));
	CU_ASSERT_EQUAL(out[len - 1], '\n');
	/* the checker itself */
	CU_ASSERT(!json_valid("{\"a\":1,}"));
	CU_ASSERT(!json_valid("{\"a\":\"\n\"}"));
	CU_ASSERT(json_valid("{\"a\":[1,-2.5e3,true,null,{}]}"));
	free(out);
}

/* ---- the ICMP rows (RFC 5508, RFC 7857 sec. 11 and 12) ---- */

static struct rfc_icmp_msg msg(uint8_t type, uint32_t src, uint32_t dst)
{
	struct rfc_icmp_msg m = {
		.seen = 1, .type = type, .src = src, .dst = dst};

	return m;
}

/* An error as it should arrive: quoting in_src:sport -> in_dst:dport. */
static struct rfc_icmp_msg quoting(struct rfc_icmp_msg m, uint32_t in_src,
				   uint16_t sport, uint32_t in_dst,
				   uint16_t dport)
{
	m.code = 3;
	m.in_proto = IPPROTO_UDP;
	m.in_src = in_src;
	m.in_sport = sport;
	m.in_dst = in_dst;
	m.in_dport = dport;
	return m;
}

/* A gateway that meets every ICMP row it can be tested on. */
static void ev_icmp(struct rfc_evidence *e)
{
	struct rfc_icmp_ev *q = &e->icmp_ev;
	int i;

	ev_common(e);
	e->docs = 1u << RFC_D5508 | 1u << RFC_D7857;
	q->ran = 1;
	q->echo_id = 0x4101;
	for (i = 0; i < 2; i++) {
		q->echo_sent[i] = 1;
		q->echo_at[i] = msg(8, EXT, i ? S2 : S1);
		q->echo_at[i].id = 0x4101;
		q->echo_reply[i] = msg(0, i ? S2 : S1, C1);
		q->echo_reply[i].id = 0x4101;
	}
	q->echo2_id = 0x4201;
	q->echo2_c2 = msg(8, EXT, S2);
	q->echo2_c2.id = 0x4201;
	for (i = 0; i < 2; i++) {
		q->echo2_at[i] = msg(8, EXT, i ? S2 : S1);
		q->echo2_at[i].id = 0x9a01; /* changed for both: EI */
	}
	q->icmp_timeout = 60;
	q->live = 59;
	for (i = 0; i < RFC_IE_N; i++) {
		q->err_port[i] = (uint16_t)(44101 + i);
		q->err_ext[i] = (uint16_t)(44101 + i);
		q->err_sent[i] = 1;
	}
	/* the malformed two dropped, the others through */
	q->err_sock[RFC_IE_BAD_L4] = 1;
	q->err_at[RFC_IE_BAD_L4] =
		quoting(msg(3, S1, C1), C1, 44103, S1, 44900);
	q->err_sock[RFC_IE_OPTS] = 1;
	q->err_sock[RFC_IE_EXT] = 1;
	q->err_sock[RFC_IE_GOOD] = 1;
	q->err_at[RFC_IE_GOOD] = quoting(msg(3, S1, C1), C1, 44106, S1, 44900);
	q->out_port = 44111;
	q->out_ext = 44111;
	q->out_q = 44900;
	q->out_sent = 1;
	q->out_unmapped_sent = 1;
	q->out_unmapped_port = 44119;
	q->out_at = quoting(msg(3, EXT, S1), S1, 44900, EXT, 44111);
	q->q_err_sent = 1;
	q->q_before = 59;
	q->q_after = 57;
	q->q_entry_after = 1;
	q->q_gap_ms = 1551;
	q->hp_port = 44121;
	q->hp_ext = 44121;
	q->hp_sent = 1;
	q->hp_c2_port = 44122;
	q->hp_ipid = 0x4e07;
	q->hp_at_c1 = 1;
	q->hp_err_sent = 1;
	q->hp_sock = 1;
	q->hp_seen_addr = EXT;
	q->hp_seen_port = 44122;
	q->hp_at = quoting(msg(3, EXT, C2), C2, 44122, EXT, 44121);
	q->hp_at.in_ipid = 0x4e07;
	q->ttl_port = 44131;
	q->ttl_sent = 1;
	q->ttl_seen = 1;
	q->ttl_type = 11;
	q->ttl_from = GWI;
	q->ttl_in_sent = 1;
	q->ttl_in_at = quoting(msg(11, EXT, S1), S1, 44900, EXT, 44111);
	q->ttl_in_at.code = 0;
	q->ra_in_sent = 1;
	q->ra_out_sent = 1;
	q->qm_id = 0x4301;
	q->qm_ext = 0x4301;
	q->qm_timeout = 2;
	q->qm_live = 1;
	q->qm_gone_ms = 1965;
	q->qm_reply_sent = 1;
	q->qm_ctl_at = msg(0, S1, C1);
}

static const struct {
	enum rfc_req_id id;
	enum rfc_verdict v;
} want_icmp[] = {
	{RFC_I1, RFC_V_MEETS},
	{RFC_I1A, RFC_V_MEETS},
	{RFC_I2, RFC_V_MEETS},
	{RFC_I2A, RFC_V_MEETS},
	{RFC_I3, RFC_V_MEETS},
	{RFC_I3A, RFC_V_MEETS},
	{RFC_I3B, RFC_V_MEETS},
	{RFC_I3C, RFC_V_MEETS},
	{RFC_I3D, RFC_V_MEETS},
	{RFC_I4, RFC_V_MEETS},
	{RFC_I5, RFC_V_MEETS},
	{RFC_I6, RFC_V_MEETS},
	{RFC_I7, RFC_V_MEETS},
	{RFC_I8, RFC_V_UNTESTABLE},
	{RFC_I9, RFC_V_NA},
	{RFC_I10, RFC_V_MEETS},
	{RFC_I11, RFC_V_MEETS},
	{RFC_ICMP_QUERY, RFC_V_MEETS},
	{RFC_ICMP_HAIRPIN, RFC_V_MEETS},
};

static void test_judge_icmp_rows(void)
{
	size_t i;

	ev_icmp(&ev);
	for (i = 0; i < sizeof(want_icmp) / sizeof(want_icmp[0]); i++)
		CU_ASSERT(judged(want_icmp[i].id, want_icmp[i].v, NULL));
	CU_ASSERT(has(RFC_I1, "the reply reached c1"));
	CU_ASSERT(has(RFC_I1A, "s1 saw 0x4101, s2 saw 0x4101"));
	CU_ASSERT(has(RFC_I1A, "one mapping for every host"));
	CU_ASSERT(has(RFC_I4, "quoting c1:44106 -> s1:44900"));
	CU_ASSERT(has(RFC_I5, "quoting s1:44900 -> the gateway's external "
			      "address:44111"));
	CU_ASSERT(has(RFC_I7, "quoting c2:44122 -> the gateway's external "
			      "address:44121, as c2 sent it"));
	CU_ASSERT(has(RFC_I7, "not applicable to this NAPT"));
	CU_ASSERT(!has(RFC_ICMP_HAIRPIN, "not applicable"));
	CU_ASSERT(has(RFC_I8, "needs "));
	CU_ASSERT(has(RFC_I10, "ICMP 11/0 from the gateway's inside address"));
	CU_ASSERT(has(RFC_I10, "quoting the gateway's external address:44111"));
	CU_ASSERT(has(RFC_I11, "reached nobody inside; c1's to s1 was "
			       "dropped"));
	CU_ASSERT(has(RFC_ICMP_QUERY, "went with its last session"));
	CU_ASSERT_EQUAL(data(RFC_I2, "icmp_timeout_s"), 60);
	CU_ASSERT_EQUAL(data(RFC_I6, "gap_ms"), 1551);
}

/* Each ICMP row's verdict follows its evidence. */
static void test_judge_icmp_changes(void)
{
	int i;

	/* REQ-1 and REQ-1a */
	ev_icmp(&ev);
	ev.icmp_ev.echo_reply[1].seen = 0;
	CU_ASSERT(judged(RFC_I1, RFC_V_FAILS, "no reply reached c1"));
	ev.icmp_ev.echo_sent[0] = ev.icmp_ev.echo_sent[1] = 0;
	CU_ASSERT(judged(RFC_I1, RFC_V_UNKNOWN, NULL));
	ev_icmp(&ev);
	/* Linux: kept towards s1, changed towards s2 */
	ev.icmp_ev.echo2_at[0].id = 0x4201;
	ev.icmp_ev.echo2_at[1].id = 0x5889;
	CU_ASSERT(
		judged(RFC_I1A, RFC_V_FAILS, "0x4201 by s1 and 0x5889 by s2"));
	ev.icmp_ev.echo2_c2.seen = 0;
	CU_ASSERT(judged(RFC_I1A, RFC_V_MEETS, "second test"));
	ev.icmp_ev.echo_at[1].id = 0x9a01;
	CU_ASSERT(judged(RFC_I1A, RFC_V_FAILS, "mapped per host"));
	ev.icmp_ev.echo_at[1].seen = 0;
	CU_ASSERT(judged(RFC_I1A, RFC_V_UNKNOWN, "not seen at s2"));

	/* REQ-2: Linux's default; the live entry alone; nothing read */
	ev_icmp(&ev);
	ev.icmp_ev.icmp_timeout = 30;
	ev.icmp_ev.live = 29;
	CU_ASSERT(judged(RFC_I2, RFC_V_FAILS, "ends after 30 s, under 60 s"));
	ev.icmp_ev.icmp_timeout = -1;
	ev.icmp_ev.live = 58; /* + 2 s read late */
	CU_ASSERT(judged(RFC_I2, RFC_V_MEETS, NULL));
	CU_ASSERT(judged(RFC_I2A, RFC_V_UNKNOWN, NULL));
	ev.icmp_ev.live = -1;
	CU_ASSERT(judged(RFC_I2, RFC_V_UNKNOWN, NULL));
	ev_icmp(&ev);
	ev.icmp_ev.qm_live = 30; /* the setting did not take */
	CU_ASSERT(judged(RFC_I2A, RFC_V_FAILS, "did not take"));

	/* REQ-3, 3a, 3c against the control */
	ev_icmp(&ev);
	ev.icmp_ev.err_sock[RFC_IE_BAD_CSUM] = 1;
	CU_ASSERT(judged(RFC_I3, RFC_V_FAILS, "forwarded, not dropped"));
	ev.icmp_ev.err_at[RFC_IE_BAD_INNER].seen = 1;
	CU_ASSERT(judged(RFC_I3A, RFC_V_FAILS, "c1 got it"));
	ev.icmp_ev.err_sock[RFC_IE_BAD_L4] = 0;
	ev.icmp_ev.err_at[RFC_IE_BAD_L4].seen = 0;
	CU_ASSERT(judged(RFC_I3C, RFC_V_FAILS, "should not check"));
	/* REQ-3b counts the socket only: the raw socket alone would not
	 * show the quoted ports translated */
	ev.icmp_ev.err_sock[RFC_IE_OPTS] = 0;
	ev.icmp_ev.err_at[RFC_IE_OPTS].seen = 1;
	CU_ASSERT(judged(RFC_I3B, RFC_V_FAILS, "did not look past"));
	ev.icmp_ev.err_sock[RFC_IE_EXT] = 0;
	CU_ASSERT(judged(RFC_I3D, RFC_V_FAILS, "c1 got nothing"));
	ev.icmp_ev.err_sock[RFC_IE_GOOD] = 0;
	ev.icmp_ev.err_at[RFC_IE_GOOD].seen = 0;
	for (i = RFC_I3; i <= RFC_I3D; i++) /* 3, 3a-d */
		CU_ASSERT(judged(i, RFC_V_UNKNOWN, "control did not reach"));
	CU_ASSERT(judged(RFC_I4, RFC_V_FAILS, "not translated"));
	ev.icmp_ev.err_sent[RFC_IE_GOOD] = 0;
	CU_ASSERT(judged(RFC_I4, RFC_V_UNKNOWN, NULL));

	/* REQ-4: the error about no mapping, and a quote not translated */
	ev_icmp(&ev);
	ev.icmp_ev.err_sock[RFC_IE_UNMAPPED] = 1;
	CU_ASSERT(judged(RFC_I4, RFC_V_FAILS, "was not dropped"));
	ev_icmp(&ev);
	ev.icmp_ev.err_at[RFC_IE_GOOD].in_src = EXT;
	CU_ASSERT(judged(RFC_I4, RFC_V_FAILS, "not translated"));

	/* REQ-5: untracked errors leave the NAT with the inside source */
	ev_icmp(&ev);
	ev.icmp_ev.out_unmapped_at = msg(3, C1, S1);
	CU_ASSERT(judged(RFC_I5, RFC_V_FAILS,
			 "(no mapping) reached s1 from "
			 "c1"));
	ev_icmp(&ev);
	ev.icmp_ev.out_at.src = C1;
	CU_ASSERT(judged(RFC_I5, RFC_V_FAILS, "not translated as REQ-5a-c"));
	ev.icmp_ev.out_sent = 0;
	CU_ASSERT(judged(RFC_I5, RFC_V_UNKNOWN, NULL));

	/* REQ-6: refreshed, ended, unread */
	ev_icmp(&ev);
	ev.icmp_ev.q_after = 59;
	CU_ASSERT(judged(RFC_I6, RFC_V_FAILS, "the error refreshed it"));
	ev.icmp_ev.q_entry_after = 0;
	CU_ASSERT(judged(RFC_I6, RFC_V_FAILS, "ended the session"));
	ev.icmp_ev.q_entry_after = -1;
	CU_ASSERT(judged(RFC_I6, RFC_V_UNKNOWN, NULL));

	/* REQ-7 and sec. 12: no hairpinning; an error not as sent */
	ev_icmp(&ev);
	ev.icmp_ev.hp_at_c1 = 0;
	ev.icmp_ev.hp_err_sent = 0;
	ev.icmp_ev.hp_at.in_ipid = 0x1234; /* the gateway's own error */
	CU_ASSERT(judged(RFC_I7, RFC_V_FAILS, "the gateway's own"));
	CU_ASSERT(judged(RFC_ICMP_HAIRPIN, RFC_V_FAILS, "does not hairpin"));
	ev_icmp(&ev);
	ev.icmp_ev.hp_at.in_dst = C1;
	CU_ASSERT(judged(RFC_I7, RFC_V_FAILS, "not as c2 sent it"));
	ev.icmp_ev.hp_at.seen = 0;
	CU_ASSERT(judged(RFC_I7, RFC_V_FAILS, "did not reach c2"));
	ev.icmp_ev.hp_ext = 0;
	CU_ASSERT(judged(RFC_I7, RFC_V_UNKNOWN, NULL));

	/* REQ-10 */
	ev_icmp(&ev);
	ev.icmp_ev.ttl_in_at.in_dst = C1; /* the DNAT's address leaked */
	CU_ASSERT(judged(RFC_I10, RFC_V_FAILS, "did not quote the external"));
	ev.icmp_ev.ttl_in_at.seen = 0;
	CU_ASSERT(judged(RFC_I10, RFC_V_FAILS, "no time exceeded for s1"));
	/* the inbound half not sent: not measured, never "both ways" */
	ev.icmp_ev.ttl_in_sent = 0;
	CU_ASSERT(judged(RFC_I10, RFC_V_UNKNOWN, "could not be sent"));
	ev.icmp_ev.ttl_seen = 0;
	CU_ASSERT(judged(RFC_I10, RFC_V_FAILS, "no ICMP came back"));
	ev.icmp_ev.ttl_sent = 0;
	CU_ASSERT(judged(RFC_I10, RFC_V_UNKNOWN, NULL));

	/* REQ-11: any handling is allowed; the words follow */
	ev_icmp(&ev);
	ev.icmp_ev.ra_out_at = msg(9, C1, S1);
	CU_ASSERT(judged(RFC_I11, RFC_V_MEETS, "from c1, untranslated"));
	CU_ASSERT_EQUAL(data(RFC_I11, "out_untranslated"), 1);
	ev.icmp_ev.ra_in_sent = ev.icmp_ev.ra_out_sent = 0;
	CU_ASSERT(judged(RFC_I11, RFC_V_UNKNOWN, NULL));

	/* sec. 11: the mapping outlives the session; no control */
	ev_icmp(&ev);
	ev.icmp_ev.qm_at = msg(0, S1, C1);
	CU_ASSERT(judged(RFC_ICMP_QUERY, RFC_V_MEETS, "outlived"));
	ev.icmp_ev.qm_ctl_at.seen = 0;
	CU_ASSERT(judged(RFC_ICMP_QUERY, RFC_V_UNKNOWN, "control failed"));
	ev.icmp_ev.qm_live = -1;
	CU_ASSERT(judged(RFC_ICMP_QUERY, RFC_V_UNKNOWN, NULL));

	/* the tests did not run: nothing judged but "not measured";
	 * documents not asked for: rows left empty */
	ev_icmp(&ev);
	ev.icmp_ev.ran = 0;
	CU_ASSERT(judged(RFC_I8, RFC_V_UNKNOWN, "did not run"));
	ev.docs = 1u << RFC_D5382;
	CU_ASSERT(judged(RFC_I1, RFC_V_UNKNOWN, NULL));
	CU_ASSERT_STRING_EQUAL(rows[RFC_I1].evidence, "");
}

/* ---- ctnetlink ---- */

static void test_ct_build_get(void)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct ct_tuple t = {C1, S1, 40101, 80, IPPROTO_TCP};
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)buf;
	const struct nfgenmsg *g;
	struct ct_entry e;
	size_t len;

	len = ct_build_get(buf, 42, &t);
	CU_ASSERT_EQUAL(len, nlh->nlmsg_len);
	CU_ASSERT_EQUAL(nlh->nlmsg_type,
			(NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_GET);
	CU_ASSERT_EQUAL(nlh->nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK);
	CU_ASSERT_EQUAL(nlh->nlmsg_seq, 42);
	g = mnl_nlmsg_get_payload(nlh);
	CU_ASSERT_EQUAL(g->nfgen_family, AF_INET);
	CU_ASSERT_EQUAL(g->version, NFNETLINK_V0);
	/* The request carries only the original tuple: the parser reads
	 * it back, and finds no reply tuple. */
	CU_ASSERT_EQUAL(ct_parse(nlh, &e), -EINVAL);
	CU_ASSERT_EQUAL(e.orig.src, C1);
	CU_ASSERT_EQUAL(e.orig.dst, S1);
	CU_ASSERT_EQUAL(e.orig.sport, 40101);
	CU_ASSERT_EQUAL(e.orig.dport, 80);
	CU_ASSERT_EQUAL(e.orig.proto, IPPROTO_TCP);
}

static void put_tuple(struct nlmsghdr *nlh, int type, const struct ct_tuple *t)
{
	struct nlattr *n1 = mnl_attr_nest_start(nlh, (uint16_t)type), *n2;

	n2 = mnl_attr_nest_start(nlh, CTA_TUPLE_IP);
	mnl_attr_put_u32(nlh, CTA_IP_V4_SRC, htonl(t->src));
	mnl_attr_put_u32(nlh, CTA_IP_V4_DST, htonl(t->dst));
	mnl_attr_nest_end(nlh, n2);
	n2 = mnl_attr_nest_start(nlh, CTA_TUPLE_PROTO);
	mnl_attr_put_u8(nlh, CTA_PROTO_NUM, t->proto);
	mnl_attr_put_u16(nlh, CTA_PROTO_SRC_PORT, htons(t->sport));
	mnl_attr_put_u16(nlh, CTA_PROTO_DST_PORT, htons(t->dport));
	mnl_attr_nest_end(nlh, n2);
	mnl_attr_nest_end(nlh, n1);
}

/* A conntrack message as the kernel sends it (a GET answer, an event). */
static size_t ct_msg(char *buf, uint16_t type, const struct ct_tuple *o,
		     const struct ct_tuple *r, int with_extras)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nfgenmsg *g;
	struct nlattr *n1, *n2;

	nlh->nlmsg_type = (uint16_t)(NFNL_SUBSYS_CTNETLINK << 8 | type);
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->nfgen_family = AF_INET;
	put_tuple(nlh, CTA_TUPLE_ORIG, o);
	put_tuple(nlh, CTA_TUPLE_REPLY, r);
	if (!with_extras)
		return nlh->nlmsg_len;
	mnl_attr_put_u32(nlh, CTA_STATUS, htonl(IPS_SRC_NAT | IPS_CONFIRMED));
	mnl_attr_put_u32(nlh, CTA_TIMEOUT, htonl(120));
	n1 = mnl_attr_nest_start(nlh, CTA_PROTOINFO);
	n2 = mnl_attr_nest_start(nlh, CTA_PROTOINFO_TCP);
	mnl_attr_put_u8(nlh, CTA_PROTOINFO_TCP_STATE, TCP_CONNTRACK_TIME_WAIT);
	mnl_attr_nest_end(nlh, n2);
	mnl_attr_nest_end(nlh, n1);
	n1 = mnl_attr_nest_start(nlh, CTA_HELP);
	mnl_attr_put_strz(nlh, CTA_HELP_NAME, "ftp");
	mnl_attr_nest_end(nlh, n1);
	return nlh->nlmsg_len;
}

static void test_ct_parse(void)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct ct_tuple o = {C1, S1, 40101, 21, IPPROTO_TCP};
	struct ct_tuple r = {S1, EXT, 21, 40101, IPPROTO_TCP};
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
	struct ct_entry e;

	ct_msg(buf, IPCTNL_MSG_CT_NEW, &o, &r, 1);
	CU_ASSERT_EQUAL_FATAL(ct_parse(nlh, &e), 0);
	CU_ASSERT_EQUAL(e.reply.dst, EXT);
	CU_ASSERT_EQUAL(e.reply.dport, 40101);
	CU_ASSERT_EQUAL(e.state, TCP_CONNTRACK_TIME_WAIT);
	CU_ASSERT_EQUAL(e.timeout, 120);
	CU_ASSERT_EQUAL(e.status, IPS_SRC_NAT | IPS_CONFIRMED);
	CU_ASSERT_STRING_EQUAL(e.helper, "ftp");
	ct_msg(buf, IPCTNL_MSG_CT_NEW, &o, &r, 0);
	CU_ASSERT_EQUAL(ct_parse(nlh, &e), 0);
	CU_ASSERT_EQUAL(e.state, -1);
	CU_ASSERT_EQUAL(e.timeout, -1);
	CU_ASSERT_STRING_EQUAL(e.helper, "");
	/* not conntrack */
	nlh->nlmsg_type = NLMSG_ERROR;
	CU_ASSERT_EQUAL(ct_parse(nlh, &e), -EINVAL);
}

/* ICMP tuples: the identifier in sport, CT_ICMP(type, code) in dport,
 * as CTA_PROTO_ICMP_ID, _TYPE and _CODE on the wire. */
static void test_ct_icmp(void)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct ct_tuple t = {C1, S1, 0x4101, CT_ICMP(8, 0), IPPROTO_ICMP};
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
	const struct nlattr *a, *o = NULL, *p = NULL;
	struct nlattr *n1, *n2;
	struct ct_entry e;
	int seen = 0;

	ct_build_get(buf, 7, &t);
	mnl_attr_for_each(a, nlh,
			  sizeof(struct nfgenmsg)) if (mnl_attr_get_type(a) ==
						       CTA_TUPLE_ORIG) o = a;
	CU_ASSERT_PTR_NOT_NULL_FATAL(o);
	mnl_attr_for_each_nested(a, o) if (mnl_attr_get_type(a) ==
					   CTA_TUPLE_PROTO) p = a;
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	mnl_attr_for_each_nested(a, p)
	{
		switch (mnl_attr_get_type(a)) {
		case CTA_PROTO_ICMP_ID:
			CU_ASSERT_EQUAL(ntohs(mnl_attr_get_u16(a)), 0x4101);
			seen |= 1;
			break;
		case CTA_PROTO_ICMP_TYPE:
			CU_ASSERT_EQUAL(mnl_attr_get_u8(a), 8);
			seen |= 2;
			break;
		case CTA_PROTO_ICMP_CODE:
			CU_ASSERT_EQUAL(mnl_attr_get_u8(a), 0);
			seen |= 4;
			break;
		case CTA_PROTO_SRC_PORT:
		case CTA_PROTO_DST_PORT:
			seen |= 8; /* ports have no place in an ICMP tuple */
			break;
		}
	}
	CU_ASSERT_EQUAL(seen, 7);
	/* parsed back: the request has no reply tuple */
	CU_ASSERT_EQUAL(ct_parse(nlh, &e), -EINVAL);
	CU_ASSERT_EQUAL(e.orig.sport, 0x4101);
	CU_ASSERT_EQUAL(e.orig.dport, CT_ICMP(8, 0));
	CU_ASSERT_EQUAL(e.orig.proto, IPPROTO_ICMP);

	/* an entry as the kernel sends it: the reply tuple is an echo
	 * reply to the translated identifier */
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type =
		(uint16_t)(NFNL_SUBSYS_CTNETLINK << 8 | IPCTNL_MSG_CT_NEW);
	mnl_nlmsg_put_extra_header(nlh, sizeof(struct nfgenmsg));
	for (seen = 0; seen < 2; seen++) {
		n1 = mnl_attr_nest_start(nlh, seen ? CTA_TUPLE_REPLY
						   : CTA_TUPLE_ORIG);
		n2 = mnl_attr_nest_start(nlh, CTA_TUPLE_IP);
		mnl_attr_put_u32(nlh, CTA_IP_V4_SRC, htonl(seen ? S1 : C1));
		mnl_attr_put_u32(nlh, CTA_IP_V4_DST, htonl(seen ? EXT : S1));
		mnl_attr_nest_end(nlh, n2);
		n2 = mnl_attr_nest_start(nlh, CTA_TUPLE_PROTO);
		mnl_attr_put_u8(nlh, CTA_PROTO_NUM, IPPROTO_ICMP);
		mnl_attr_put_u16(nlh, CTA_PROTO_ICMP_ID,
				 htons(seen ? 0x9a01 : 0x4101));
		mnl_attr_put_u8(nlh, CTA_PROTO_ICMP_TYPE, seen ? 0 : 8);
		mnl_attr_put_u8(nlh, CTA_PROTO_ICMP_CODE, 0);
		mnl_attr_nest_end(nlh, n2);
		mnl_attr_nest_end(nlh, n1);
	}
	mnl_attr_put_u32(nlh, CTA_TIMEOUT, htonl(29));
	CU_ASSERT_EQUAL_FATAL(ct_parse(nlh, &e), 0);
	CU_ASSERT_EQUAL(e.orig.sport, 0x4101);
	CU_ASSERT_EQUAL(e.orig.dport, CT_ICMP(8, 0));
	CU_ASSERT_EQUAL(e.reply.sport, 0x9a01);
	CU_ASSERT_EQUAL(e.reply.dport, CT_ICMP(0, 0));
	CU_ASSERT_EQUAL(e.reply.dst, EXT);
	CU_ASSERT_EQUAL(e.timeout, 29);
}

static void test_fc_classify(void)
{
	struct ct_entry e;
	struct fullcone_map m[2];

	memset(&e, 0, sizeof(e));
	/* c1:40101 -> s1:80, source-NATed to EXT:40101 */
	e.orig = (struct ct_tuple){C1, S1, 40101, 80, IPPROTO_TCP};
	e.reply = (struct ct_tuple){S1, EXT, 80, 40101, IPPROTO_TCP};
	CU_ASSERT_EQUAL_FATAL(fullcone_classify(&e, EXT, NET, MSK, m), 1);
	CU_ASSERT_EQUAL(m[0].int_addr, C1);
	CU_ASSERT_EQUAL(m[0].int_port, 40101);
	CU_ASSERT_EQUAL(m[0].ext_port, 40101);
	/* s2:45301 -> EXT:40301, DNATed to c1:40301 */
	e.orig = (struct ct_tuple){S2, EXT, 45301, 40301, IPPROTO_TCP};
	e.reply = (struct ct_tuple){C1, S2, 40301, 45301, IPPROTO_TCP};
	CU_ASSERT_EQUAL_FATAL(fullcone_classify(&e, EXT, NET, MSK, m), 1);
	CU_ASSERT_EQUAL(m[0].int_addr, C1);
	CU_ASSERT_EQUAL(m[0].int_port, 40301);
	CU_ASSERT_EQUAL(m[0].ext_port, 40301);
	/* hairpin: c2:40802 -> EXT:40801 -> c1:40801, c2 seen as
	 * EXT:40900 */
	e.orig = (struct ct_tuple){C2, EXT, 40802, 40801, IPPROTO_TCP};
	e.reply = (struct ct_tuple){C1, EXT, 40801, 40900, IPPROTO_TCP};
	CU_ASSERT_EQUAL_FATAL(fullcone_classify(&e, EXT, NET, MSK, m), 2);
	CU_ASSERT_EQUAL(m[0].int_addr, C2);
	CU_ASSERT_EQUAL(m[0].ext_port, 40900);
	CU_ASSERT_EQUAL(m[1].int_addr, C1);
	CU_ASSERT_EQUAL(m[1].int_port, 40801);
	CU_ASSERT_EQUAL(m[1].ext_port, 40801);
	/* not translated, the gateway's own, or not TCP: nothing */
	e.orig = (struct ct_tuple){C1, GWI, 40000, 22, IPPROTO_TCP};
	e.reply = (struct ct_tuple){GWI, C1, 22, 40000, IPPROTO_TCP};
	CU_ASSERT_EQUAL(fullcone_classify(&e, EXT, NET, MSK, m), 0);
	e.orig = (struct ct_tuple){EXT, S1, 40000, 80, IPPROTO_TCP};
	e.reply = (struct ct_tuple){S1, EXT, 80, 40000, IPPROTO_TCP};
	CU_ASSERT_EQUAL(fullcone_classify(&e, EXT, NET, MSK, m), 0);
	e.orig = (struct ct_tuple){C1, S1, 40101, 53, IPPROTO_ICMP};
	e.reply = (struct ct_tuple){S1, EXT, 53, 40101, IPPROTO_ICMP};
	CU_ASSERT_EQUAL(fullcone_classify(&e, EXT, NET, MSK, m), 0);
	/* UDP: a mapping of its own protocol */
	e.orig = (struct ct_tuple){C1, S1, 40101, 53, IPPROTO_UDP};
	e.reply = (struct ct_tuple){S1, EXT, 53, 40101, IPPROTO_UDP};
	CU_ASSERT_EQUAL(fullcone_classify(&e, EXT, NET, MSK, m), 1);
	CU_ASSERT_EQUAL(m[0].proto, IPPROTO_UDP);
	CU_ASSERT_EQUAL(m[0].ext_port, 40101);
}

/* ---- the nft builders natlab rfc added, parsed back ---- */

#define MAX_MSGS 32

struct msgs {
	const struct nlmsghdr *m[MAX_MSGS];
	int n;
};

static void walk(struct nft_batch *b, struct msgs *out)
{
	const struct nlmsghdr *nlh;
	int len;

	nft_batch_end(b);
	nlh = nft_batch_data(b);
	len = (int)nft_batch_len(b);
	out->n = 0;
	while (mnl_nlmsg_ok(nlh, len)) {
		CU_ASSERT_FATAL(out->n < MAX_MSGS);
		out->m[out->n++] = nlh;
		nlh = mnl_nlmsg_next(nlh, &len);
	}
	CU_ASSERT_EQUAL(len, 0);
	CU_ASSERT_EQUAL(out->m[0]->nlmsg_type, NFNL_MSG_BATCH_BEGIN);
	CU_ASSERT_EQUAL(out->m[out->n - 1]->nlmsg_type, NFNL_MSG_BATCH_END);
}

static uint16_t nft_type(uint16_t msg)
{
	return (uint16_t)(NFNL_SUBSYS_NFTABLES << 8 | msg);
}

/* The expression names of a rule message, joined by spaces. */
static void rule_exprs(const struct nlmsghdr *nlh, char *buf, size_t len,
		       struct nftnl_rule **keep)
{
	struct nftnl_rule *r = nftnl_rule_alloc();
	struct nftnl_expr_iter *it;
	struct nftnl_expr *e;

	buf[0] = '\0';
	CU_ASSERT_EQUAL(nlh->nlmsg_type, nft_type(NFT_MSG_NEWRULE));
	CU_ASSERT_FATAL(nftnl_rule_nlmsg_parse(nlh, r) == 0);
	it = nftnl_expr_iter_create(r);
	while ((e = nftnl_expr_iter_next(it))) {
		const char *name = nftnl_expr_get_str(e, NFTNL_EXPR_NAME);

		if (buf[0])
			strncat(buf, " ", len - strlen(buf) - 1);
		strncat(buf, name, len - strlen(buf) - 1);
	}
	nftnl_expr_iter_destroy(it);
	if (keep)
		*keep = r;
	else
		nftnl_rule_free(r);
}

/* The last expression of a rule. */
static struct nftnl_expr *last_expr(struct nftnl_rule *r)
{
	struct nftnl_expr_iter *it = nftnl_expr_iter_create(r);
	struct nftnl_expr *e, *last = NULL;

	while ((e = nftnl_expr_iter_next(it)))
		last = e;
	nftnl_expr_iter_destroy(it);
	return last;
}

static void test_nft_syn_drop(void)
{
	struct nft_batch *b = nft_batch_new();
	struct nftnl_rule *r;
	struct nftnl_expr *e;
	struct msgs ms;
	char ex[256];

	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	CU_ASSERT_EQUAL_FATAL(nft_syn_drop(b, 5202), 0);
	walk(b, &ms);
	/* table, chain, rule */
	CU_ASSERT_EQUAL_FATAL(ms.n, 5);
	CU_ASSERT_EQUAL(ms.m[1]->nlmsg_type, nft_type(NFT_MSG_NEWTABLE));
	CU_ASSERT_EQUAL(ms.m[2]->nlmsg_type, nft_type(NFT_MSG_NEWCHAIN));
	rule_exprs(ms.m[3], ex, sizeof(ex), &r);
	CU_ASSERT_STRING_EQUAL(ex, "meta cmp payload cmp payload bitwise cmp "
				   "counter immediate");
	CU_ASSERT_STRING_EQUAL(nftnl_rule_get_str(r, NFTNL_RULE_CHAIN),
			       "rfc_in");
	e = last_expr(r);
	CU_ASSERT_EQUAL(nftnl_expr_get_u32(e, NFTNL_EXPR_IMM_VERDICT), NF_DROP);
	nftnl_rule_free(r);
	CU_ASSERT_PTR_NOT_NULL(strstr(nft_batch_desc(b, 2), "tcp dport 5202"));
	nft_batch_free(b);
}

static void test_nft_fullcone(void)
{
	struct nft_fullcone fc = {"lan", "wan", EXT, NET, MSK, 1, 5382};
	struct nft_batch *b = nft_batch_new();
	struct nftnl_set *s;
	struct nftnl_rule *r;
	struct nftnl_expr *e;
	struct msgs ms;
	char ex[512];
	int i, rules = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	CU_ASSERT_EQUAL_FATAL(nft_fullcone(b, &fc), 0);
	walk(b, &ms);
	/* table, 2 maps per protocol (TCP, UDP), prerouting chain + a
	 * rule per protocol, postrouting chain + 5 rules per protocol, the
	 * leak chain + rule, input chain + rule */
	CU_ASSERT_EQUAL_FATAL(ms.n, 2 + 1 + 4 + 3 + 11 + 2 + 2);
	for (i = 2; i <= 5; i++) {
		static const char *const names[] = {
			NFT_FC_EIM, NFT_FC_EIF, NFT_FC_EIM_UDP, NFT_FC_EIF_UDP};

		s = nftnl_set_alloc();
		CU_ASSERT_EQUAL(ms.m[i]->nlmsg_type, nft_type(NFT_MSG_NEWSET));
		CU_ASSERT_FATAL(nftnl_set_nlmsg_parse(ms.m[i], s) == 0);
		CU_ASSERT(nftnl_set_get_u32(s, NFTNL_SET_FLAGS) & NFT_SET_MAP);
		CU_ASSERT_STRING_EQUAL(nftnl_set_get_str(s, NFTNL_SET_NAME),
				       names[i - 2]);
		CU_ASSERT_EQUAL(nftnl_set_get_u32(s, NFTNL_SET_KEY_LEN),
				i % 2 == 0 ? 8 : 2);
		CU_ASSERT_EQUAL(nftnl_set_get_u32(s, NFTNL_SET_DATA_LEN),
				i % 2 == 0 ? 2 : 8);
		nftnl_set_free(s);
	}
	for (i = 1; i < ms.n - 1; i++) {
		if (ms.m[i]->nlmsg_type != nft_type(NFT_MSG_NEWRULE))
			continue;
		rules++;
		rule_exprs(ms.m[i], ex, sizeof(ex), &r);
		e = last_expr(r);
		if (rules <= 2) {
			/* DNAT to the looked-up address . port */
			CU_ASSERT_PTR_NOT_NULL(strstr(ex, "lookup nat"));
			CU_ASSERT_EQUAL(
				nftnl_expr_get_u32(e, NFTNL_EXPR_NAT_TYPE),
				NFT_NAT_DNAT);
			CU_ASSERT_EQUAL(
				nftnl_expr_get_u32(
					e, NFTNL_EXPR_NAT_REG_PROTO_MIN),
				NFT_REG32_01);
		} else if (rules == 3 || rules == 5 || rules == 8 ||
			   rules == 10) {
			/* a known mapping: SNAT to the port it has */
			CU_ASSERT_PTR_NOT_NULL(strstr(ex, "lookup nat"));
			CU_ASSERT_EQUAL(
				nftnl_expr_get_u32(e, NFTNL_EXPR_NAT_FLAGS),
				NF_NAT_RANGE_MAP_IPS |
					NF_NAT_RANGE_PROTO_SPECIFIED);
		} else if (rules == 4 || rules == 6 || rules == 9 ||
			   rules == 11) {
			/* a taken port: a random one */
			CU_ASSERT_EQUAL(
				nftnl_expr_get_u32(e, NFTNL_EXPR_NAT_FLAGS),
				NF_NAT_RANGE_MAP_IPS |
					NF_NAT_RANGE_PROTO_RANDOM);
		} else if (rules == 13) {
			/* what leaves with an inside source: dropped */
			CU_ASSERT_PTR_NOT_NULL(strstr(
				ex, "payload bitwise cmp counter immediate"));
			CU_ASSERT_EQUAL(
				nftnl_expr_get_u32(e, NFTNL_EXPR_IMM_VERDICT),
				NF_DROP);
		} else if (rules == 7 || rules == 12) {
			/* hairpin: from inside, DNATed, back inside */
			CU_ASSERT_PTR_NOT_NULL(strstr(ex, "ct bitwise cmp"));
			CU_ASSERT_EQUAL(
				nftnl_expr_get_u32(e, NFTNL_EXPR_NAT_FLAGS),
				NF_NAT_RANGE_MAP_IPS);
		} else {
			/* unsolicited SYNs: copied to the keeper, dropped */
			CU_ASSERT_PTR_NOT_NULL(
				strstr(ex, "counter log immediate"));
			CU_ASSERT_EQUAL(
				nftnl_expr_get_u32(e, NFTNL_EXPR_IMM_VERDICT),
				NF_DROP);
		}
		nftnl_rule_free(r);
	}
	CU_ASSERT_EQUAL(rules, 14);
	CU_ASSERT_PTR_NOT_NULL(strstr(nft_batch_desc(b, nft_batch_count(b) - 1),
				      "counter log group 5382 snaplen"));
	CU_ASSERT_PTR_NOT_NULL(
		strstr(nft_batch_desc(b, 6), "ip daddr 203.0.113.1"));
	CU_ASSERT_PTR_NOT_NULL(strstr(nft_batch_desc(b, 7),
				      "meta l4proto udp counter dnat to udp"));
	nft_batch_free(b);

	/* bad input leaves the batch as it was */
	b = nft_batch_new();
	fc.outside_if = "an-interface-name-too-long";
	CU_ASSERT_EQUAL(nft_fullcone(b, &fc), -EINVAL);
	CU_ASSERT_EQUAL(nft_batch_count(b), 0);
	nft_batch_free(b);
}

static void test_nft_fullcone_map(void)
{
	struct nft_batch *b = nft_batch_new();
	const uint8_t eim_key[8] = {10, 0, 0, 2, 0x9c, 0xa5, 0, 0};
	const uint8_t ext[2] = {0x8a, 0x12}; /* 35346 */
	struct nftnl_set_elems_iter *it;
	struct nftnl_set_elem *el;
	struct nftnl_set *s;
	struct msgs ms;
	const void *v;
	uint32_t len;
	int i;

	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	CU_ASSERT_EQUAL_FATAL(
		nft_fullcone_map(b, 1, IPPROTO_TCP, C1, 40101, 35346), 0);
	CU_ASSERT_EQUAL_FATAL(
		nft_fullcone_map(b, 0, IPPROTO_TCP, C1, 40101, 35346), 0);
	walk(b, &ms);
	CU_ASSERT_EQUAL_FATAL(ms.n, 6);
	for (i = 1; i <= 4; i++) {
		int add = i <= 2, eim = i % 2;

		CU_ASSERT_EQUAL(ms.m[i]->nlmsg_type,
				nft_type(add ? NFT_MSG_NEWSETELEM
					     : NFT_MSG_DELSETELEM));
		s = nftnl_set_alloc();
		CU_ASSERT_FATAL(nftnl_set_elems_nlmsg_parse(ms.m[i], s) == 0);
		CU_ASSERT_STRING_EQUAL(nftnl_set_get_str(s, NFTNL_SET_NAME),
				       eim ? NFT_FC_EIM : NFT_FC_EIF);
		it = nftnl_set_elems_iter_create(s);
		el = nftnl_set_elems_iter_next(it);
		CU_ASSERT_PTR_NOT_NULL_FATAL(el);
		v = nftnl_set_elem_get(el, NFTNL_SET_ELEM_KEY, &len);
		if (eim) {
			CU_ASSERT_EQUAL(len, 8);
			CU_ASSERT(!memcmp(v, eim_key, 8));
		} else {
			CU_ASSERT_EQUAL(len, 2);
			CU_ASSERT(!memcmp(v, ext, 2));
		}
		if (add) {
			v = nftnl_set_elem_get(el, NFTNL_SET_ELEM_DATA, &len);
			CU_ASSERT_EQUAL(len, eim ? 2 : 8);
			CU_ASSERT(!memcmp(v, eim ? ext : eim_key, len));
		} else {
			CU_ASSERT(!nftnl_set_elem_is_set(el,
							 NFTNL_SET_ELEM_DATA));
		}
		CU_ASSERT_PTR_NULL(nftnl_set_elems_iter_next(it));
		nftnl_set_elems_iter_destroy(it);
		nftnl_set_free(s);
	}
	CU_ASSERT_STRING_EQUAL(nft_batch_desc(b, 0),
			       "add element rfc_eim { 10.0.0.2 . 40101 : "
			       "35346 }");
	nft_batch_free(b);
}

/* ---- the UDP rows (RFC 4787), on evidence written by hand ---- */

static void dg(struct rfc_dgram *d, uint32_t addr, uint16_t port)
{
	d->sent = d->seen = 1;
	d->addr = addr;
	d->port = port;
}

/* What a masquerade gateway leaves: ports kept where free, replies only
 * from the peer, no hairpin, Linux's UDP timers. */
static void ev_udp_masquerade(struct rfc_evidence *e)
{
	struct rfc_udp_ev *u = &e->udp_ev;
	int i, k;

	memset(e, 0, sizeof(*e));
	e->docs = 1u << RFC_D4787 | 1u << RFC_D7857;
	e->ext = EXT;
	e->s1 = S1;
	e->s2 = S2;
	e->ext_addrs = 1;
	u->ran = 1;
	for (k = 0; k < 2; k++) {
		for (i = 0; i < 3; i++)
			dg(&u->map[k][i], EXT, (uint16_t)(k ? 44201 : 43101));
		dg(&u->filt_map[k], EXT, 43201);
		u->filt_ran[k] = 1;
		u->filt_in[k][0] = 1;
	}
	dg(&u->held, EXT, 43102);
	dg(&u->map[2][0], EXT, 43102);
	dg(&u->map[2][1], EXT, 43102);
	dg(&u->map[2][2], EXT, 64050);
	dg(&u->ovl_c1, EXT, 43301);
	dg(&u->ovl_c2, EXT, 37712);
	dg(&u->low_c1, EXT, 700);
	dg(&u->low_c2, EXT, 771);
	for (i = 0; i < RFC_UDP_PARITY_N; i++) {
		u->par_src[i] = (uint16_t)(43400 + i);
		u->par_c2[i] = (uint16_t)(30000 + 2 * i); /* all even */
	}
	u->udp_timeout = u->live_unreplied = u->live_replied = 30;
	u->udp_stream = 120;
	u->ref_out_before = 27;
	u->ref_out_after = 119;
	u->ref_in_before = 117;
	u->ref_in_after = 120;
	u->ref_in_got = 1;
	u->ref_wait_ms = 2100;
	dg(&u->hp_c1map, EXT, 43701);
	dg(&u->hp_c2map, EXT, 43702);
	u->hp.sent = 1;
	u->alg_read[0] = u->alg_read[1] = 1;
	dg(&u->icmp_map, EXT, 43901);
	dg(&u->icmp_after, EXT, 43901);
	u->icmp_entry_kept = 1;
	u->icmp_s1_sent = u->icmp_s2_sent = 1;
	u->icmp_s1 = (struct rfc_icmp_seen){1, 3, 3, S1, 0};
	u->icmp_s2 = (struct rfc_icmp_seen){1, 3, 3, S2, 0};
	u->mtu = 1280;
	u->big_len = 1400;
	u->df_sent = 1;
	u->df_icmp = (struct rfc_icmp_seen){1, 3, 4, GWI, 1280};
	u->nodf_sent = u->nodf_got = 1;
	u->nodf_frags = 2;
	u->nodf_in_order = 1;
	u->ooo_sent = u->ooo_got = 1;
	u->ooo_len = 64;
	u->err_sent = 1;
	u->err_before = 27;
	u->err_after = 27;
	dg(&u->proto_udp, EXT, 43601);
	u->proto_tcp_out = RFC_OUT_OK;
	u->proto_tcp_port = 43601;
	dg(&u->eifp_map, EXT, 43602);
	u->eifp_tcp_out = RFC_OUT_RST;
	u->ipid_sent = u->ipid_n = 2;
	u->ipid[0] = u->ipid[1] = 4660;
}

static void test_judge_udp(void)
{
	static const enum rfc_verdict want[] = {
		[RFC_U1] = RFC_V_FAILS,	       [RFC_U2] = RFC_V_NA,
		[RFC_U3] = RFC_V_MEETS,	       [RFC_U3A] = RFC_V_MEETS,
		[RFC_U4] = RFC_V_FAILS,	       [RFC_U5] = RFC_V_FAILS,
		[RFC_U5C] = RFC_V_CONFIG,      [RFC_U6] = RFC_V_MEETS,
		[RFC_U7] = RFC_V_UNTESTABLE,   [RFC_U8] = RFC_V_FAILS,
		[RFC_U9] = RFC_V_FAILS,	       [RFC_U9A] = RFC_V_FAILS,
		[RFC_U10] = RFC_V_MEETS,       [RFC_U11] = RFC_V_MEETS,
		[RFC_U12] = RFC_V_MEETS,       [RFC_U12A] = RFC_V_MEETS,
		[RFC_U12B] = RFC_V_MEETS,      [RFC_U13] = RFC_V_MEETS,
		[RFC_U13A] = RFC_V_MEETS,      [RFC_U14] = RFC_V_MEETS,
		[RFC_U14A] = RFC_V_UNTESTABLE,
	};
	struct rfc_udp_ev *u = &ev.udp_ev;

	ev_udp_masquerade(&ev);
	rfc_judge(&ev, rows);
	check_rows(want, sizeof(want) / sizeof(want[0]), NULL);
	/* a free port looks endpoint-independent; the held one does not */
	CU_ASSERT_STRING_EQUAL(rows[RFC_U1].behaviour, "endpoint-independent");
	CU_ASSERT(has(RFC_U1, "address-dependent mapping"));
	CU_ASSERT_STRING_EQUAL(rows[RFC_U8].behaviour,
			       "address-and-port-dependent");
	CU_ASSERT(has(RFC_U6, "inbound refresh too"));
	CU_ASSERT_EQUAL(rows[RFC_EIM_PROTO].verdict, RFC_V_MEETS);
	CU_ASSERT_EQUAL(rows[RFC_EIF_PROTO].verdict, RFC_V_MEETS);
	CU_ASSERT_EQUAL(rows[RFC_EIF_REFRESH].verdict, RFC_V_UNTESTABLE);
	CU_ASSERT_EQUAL(rows[RFC_OUT_REFRESH].verdict, RFC_V_MEETS);
	CU_ASSERT_EQUAL(rows[RFC_IPID].verdict, RFC_V_FAILS);
	/* the TCP rows: no evidence of theirs, so never a verdict */
	CU_ASSERT_EQUAL(rows[RFC_REQ1].verdict, RFC_V_UNKNOWN);

	/* what the rfc profile changes */
	u->map[2][0].port = u->map[2][1].port = u->map[2][2].port = 31730;
	u->filt_in[0][1] = u->filt_in[0][2] = 1;
	u->filt_in[1][1] = u->filt_in[1][2] = 1;
	dg(&u->hp, EXT, 43702);
	u->udp_timeout = u->udp_stream = u->live_unreplied = 300;
	u->live_replied = 298;
	rfc_judge(&ev, rows);
	CU_ASSERT_EQUAL(rows[RFC_U1].verdict, RFC_V_MEETS);
	CU_ASSERT_EQUAL(rows[RFC_U8].verdict, RFC_V_MEETS);
	CU_ASSERT_STRING_EQUAL(rows[RFC_U8].behaviour, "endpoint-independent");
	CU_ASSERT_EQUAL(rows[RFC_U9].verdict, RFC_V_MEETS);
	CU_ASSERT_EQUAL(rows[RFC_U9A].verdict, RFC_V_MEETS);
	CU_ASSERT_EQUAL(rows[RFC_U5].verdict, RFC_V_MEETS);
	CU_ASSERT_EQUAL(rows[RFC_U5C].verdict, RFC_V_MEETS);
	/* address-dependent filtering is the other recommendation */
	u->filt_in[0][2] = 0;
	rfc_judge(&ev, rows);
	CU_ASSERT_EQUAL(rows[RFC_U8].verdict, RFC_V_MEETS);
	CU_ASSERT_STRING_EQUAL(rows[RFC_U8].behaviour, "address-dependent");
	/* ... and a change of behaviour between the samples breaks REQ-11 */
	CU_ASSERT_EQUAL(rows[RFC_U11].verdict, RFC_V_FAILS);
	/* hairpinned from the internal address: REQ-9 met, REQ-9a not */
	dg(&u->hp, C2, 43702);
	rfc_judge(&ev, rows);
	CU_ASSERT_EQUAL(rows[RFC_U9A].verdict, RFC_V_FAILS);
	/* a mapping that follows the destination, even from a free port */
	u->map[0][1].port = 5000;
	rfc_judge(&ev, rows);
	CU_ASSERT_STRING_EQUAL(rows[RFC_U1].behaviour,
			       "address-and-port-dependent");
	/* a helper on the sip entry, an ICMP error that ends the entry, a
	 * dropped fragment, an error that refreshes */
	strcpy(u->alg_helper[0], "sip");
	u->icmp_entry_kept = 0;
	u->ooo_got = 0;
	u->err_after = 30;
	u->df_icmp.seen = 0;
	rfc_judge(&ev, rows);
	CU_ASSERT_EQUAL(rows[RFC_U10].verdict, RFC_V_FAILS);
	CU_ASSERT_EQUAL(rows[RFC_U12].verdict, RFC_V_FAILS);
	CU_ASSERT_EQUAL(rows[RFC_U14].verdict, RFC_V_FAILS);
	CU_ASSERT_EQUAL(rows[RFC_OUT_REFRESH].verdict, RFC_V_FAILS);
	CU_ASSERT_EQUAL(rows[RFC_U13].verdict, RFC_V_FAILS);
	/* an error credited to the wrong sender, or one never sent */
	u->icmp_s2.from = S1;
	rfc_judge(&ev, rows);
	CU_ASSERT_EQUAL(rows[RFC_U12A].verdict, RFC_V_FAILS);
	u->icmp_s2_sent = 0;
	rfc_judge(&ev, rows);
	CU_ASSERT_EQUAL(rows[RFC_U12A].verdict, RFC_V_UNKNOWN);
	u->icmp_s1_sent = 0;
	rfc_judge(&ev, rows);
	CU_ASSERT_EQUAL(rows[RFC_U12].verdict, RFC_V_UNKNOWN);
	CU_ASSERT_EQUAL(rows[RFC_U12B].verdict, RFC_V_UNKNOWN);
	/* c2's own mapping unseen: REQ-9a cannot be judged */
	u->hp_c2map.seen = 0;
	rfc_judge(&ev, rows);
	CU_ASSERT_EQUAL(rows[RFC_U9A].verdict, RFC_V_UNKNOWN);
	/* nothing sent: not measured, never a verdict */
	memset(u, 0, sizeof(*u));
	u->ran = 1;
	rfc_judge(&ev, rows);
	CU_ASSERT_EQUAL(rows[RFC_U1].verdict, RFC_V_UNKNOWN);
	CU_ASSERT_EQUAL(rows[RFC_U3].verdict, RFC_V_UNKNOWN);
	CU_ASSERT_EQUAL(rows[RFC_U8].verdict, RFC_V_UNKNOWN);
	CU_ASSERT_EQUAL(rows[RFC_U13].verdict, RFC_V_UNKNOWN);
}

static void test_docs_option(void)
{
	struct rfc_opts o = {0};

	CU_ASSERT_EQUAL(rfc_add_docs(&o, "4787,5508"), 0);
	CU_ASSERT_EQUAL(o.docs, 1u << RFC_D4787 | 1u << RFC_D5508);
	CU_ASSERT_EQUAL(rfc_add_docs(&o, "7857"), 0);
	CU_ASSERT_EQUAL(o.docs,
			1u << RFC_D4787 | 1u << RFC_D5508 | 1u << RFC_D7857);
	CU_ASSERT_EQUAL(rfc_add_docs(&o, "4788"), -EINVAL);
	CU_ASSERT_EQUAL(rfc_add_docs(&o, "4787,"), -EINVAL);
	CU_ASSERT_EQUAL(rfc_add_docs(&o, ""), -EINVAL);
	CU_ASSERT_EQUAL(rfc_add_docs(&o, "5382x"), -EINVAL);
	CU_ASSERT_EQUAL(rfc_add_docs(&o, ",5382"), -EINVAL);
}

static const struct unit_test tests[] = {
	{"judge: masquerade", test_judge_masquerade},
	{"judge: the UDP rows", test_judge_udp},
	{"--rfc list", test_docs_option},
	{"judge: rfc profile", test_judge_rfc},
	{"judge: random ports", test_judge_random},
	{"judge: not measured", test_judge_not_measured},
	{"judge: edges", test_judge_edges},
	{"judge: mapping, sequences, filtering", test_judge_mapping_branches},
	{"judge: timers", test_judge_timer_branches},
	{"judge: hairpin, ICMP, ALG, tracking", test_judge_icmp_branches},
	{"judge: unsolicited SYN, parity", test_judge_probe_branches},
	{"judge: ICMP rows", test_judge_icmp_rows},
	{"judge: ICMP rows follow their evidence", test_judge_icmp_changes},
	{"port statistics", test_port_stats},
	{"names and profiles", test_names},
	{"built-in lab = topo/rfc.topo", test_default_topo},
	{"table", test_table},
	{"json", test_json},
	{"ctnetlink get request", test_ct_build_get},
	{"ctnetlink message parse", test_ct_parse},
	{"ctnetlink ICMP tuples", test_ct_icmp},
	{"full-cone: conntrack entry -> mappings", test_fc_classify},
	{"nft: syn drop rule", test_nft_syn_drop},
	{"nft: full-cone ruleset", test_nft_fullcone},
	{"nft: full-cone map elements", test_nft_fullcone_map},
	{NULL, NULL},
};

UNIT_SUITE("rfc", tests)
