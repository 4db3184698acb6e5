/* test_runlb.c - a run whose target is a balancer: the capture of each
 * of its servers, each server's metrics from its own capture counts,
 * counters and engine counts, the balancer's from its counters, and
 * their lines in the table and JSON. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "run/capture.h"
#include "run/counters.h"
#include "run/metrics.h"
#include "run/report.h"
#include "run/run_metrics.h"
#include "topo/topo.h"
#include "unit.h"

/* Nodes: gw 0, lb 1, s1 2, s2 3, c1 4, c2 5. */
static const char text[] = "[lab]\n"
			   "name = runlb\n"
			   "[network lan]\n"
			   "subnet = 10.0.0.0/24\n"
			   "[network wan]\n"
			   "subnet = 198.51.100.0/24\n"
			   "[network dmz]\n"
			   "subnet = 10.1.0.0/24\n"
			   "[gateway gw]\n"
			   "inside = lan\n"
			   "outside = wan\n"
			   "[balancer lb]\n"
			   "frontend = wan\n"
			   "backend = dmz\n"
			   "servers = s1, s2\n"
			   "[server s1]\n"
			   "network = dmz\n"
			   "legacy.tcp_tw_recycle = 1\n"
			   "legacy.model = 2.6.32\n"
			   "[server s2]\n"
			   "network = dmz\n"
			   "[clients]\n"
			   "count = 2\n"
			   "network = lan\n"
			   "[expect]\n"
			   "lb.conns.s1 == 3\n"
			   "s2.syn_in == 1\n";

enum { GW, LB, S1, S2, C1, C2, NNODES };

#define GW_WAN 0xc6336401u /* 198.51.100.1 */
#define S1_IP  0x0a010002u
#define S2_IP  0x0a010003u

/* One IPv4/TCP segment into the capture, seen on a port of @role. */
static void feed(struct capture *c, int role, int to_node, uint32_t saddr,
		 uint32_t daddr, uint16_t sport, uint16_t dport, uint32_t seq,
		 uint32_t ack, uint8_t flags, uint32_t now)
{
	uint8_t b[40] = {0x45};
	uint32_t v[4] = {saddr, daddr, seq, ack};
	int i;

	b[3] = 40;
	b[8] = 64;
	b[9] = 6;
	for (i = 0; i < 4; i++) {
		uint8_t *at = b + (i < 2 ? 12 + 4 * i : 24 + 4 * (i - 2));

		at[0] = (uint8_t)(v[i] >> 24);
		at[1] = (uint8_t)(v[i] >> 16);
		at[2] = (uint8_t)(v[i] >> 8);
		at[3] = (uint8_t)v[i];
	}
	b[20] = (uint8_t)(sport >> 8);
	b[21] = (uint8_t)sport;
	b[22] = (uint8_t)(dport >> 8);
	b[23] = (uint8_t)dport;
	b[32] = 5 << 4;
	b[33] = flags;
	capture_feed(c, role, to_node, b, sizeof(b), now);
}

/* c1's connection DNATed to s1, dropped there and retransmitted; c2's
 * to s2; c2's next to s1, answered by a TIME_WAIT's ACK.  Then s1's
 * address on s2's port, and a port past the servers: no server's. */
static struct capture *captured(const struct topo *lab)
{
	struct capture *c = capture_open(lab, 0);

	feed(c, C1 + 1, 0, 0x0a000002u, 0xc6336402u, 4000, 80, 10, 0, 0x02,
	     100);
	feed(c, -1, 1, GW_WAN, S1_IP, 4000, 80, 10, 0, 0x02, 200);
	feed(c, C1 + 1, 0, 0x0a000002u, 0xc6336402u, 4000, 80, 10, 0, 0x02,
	     1000100);
	feed(c, -1, 1, GW_WAN, S1_IP, 4000, 80, 10, 0, 0x02, 1000200);
	feed(c, -1, 0, S1_IP, GW_WAN, 80, 4000, 99, 11, 0x12, 1000300);
	feed(c, C2 + 1, 0, 0x0a000003u, 0xc6336402u, 4001, 80, 20, 0, 0x02,
	     2000);
	feed(c, -2, 1, GW_WAN, S2_IP, 4001, 80, 20, 0, 0x02, 2100);
	feed(c, -2, 0, S2_IP, GW_WAN, 80, 4001, 77, 21, 0x12, 2200);
	feed(c, C2 + 1, 0, 0x0a000003u, 0xc6336402u, 4002, 80, 30, 0, 0x02,
	     3000);
	feed(c, -1, 1, GW_WAN, S1_IP, 4002, 80, 30, 0, 0x02, 3100);
	feed(c, -1, 0, S1_IP, GW_WAN, 80, 4002, 9, 5, 0x10, 3200);
	feed(c, -2, 1, GW_WAN, S1_IP, 4003, 80, 40, 0, 0x02, 4000);
	feed(c, -3, 1, GW_WAN, S1_IP, 4004, 80, 50, 0, 0x02, 5000);
	capture_stop(c);
	return c;
}

/* Each server's SYNs and answers, on its own port and address. */
static void test_capture(void)
{
	struct cap_totals t1, t2, all;
	struct topo lab = {0};
	const struct cap_syn *s;
	struct capture *c;
	uint32_t n;

	CU_ASSERT_EQUAL_FATAL(
		topo_parse_buf(&lab, "lb.topo", text, strlen(text)), 0);
	c = captured(&lab);
	capture_server_totals(c, S1, &t1);
	capture_server_totals(c, S2, &t2);
	capture_totals(c, &all);
	CU_ASSERT(t1.syn_in == 3 && t1.synack_out == 1 && t1.twack_out == 1);
	CU_ASSERT(t2.syn_in == 1 && t2.synack_out == 1 && t2.twack_out == 0);
	CU_ASSERT(all.syn_in == 4 && all.ext_ports == 3);
	capture_server_totals(c, LB, &t1);
	CU_ASSERT_EQUAL(t1.syn_in, 0);
	s = capture_syns(c, &n);
	CU_ASSERT_EQUAL_FATAL(n, 3);
	CU_ASSERT_EQUAL(capture_answer(c, &s[0], 0), CAP_NONE);
	CU_ASSERT_EQUAL(capture_answer(c, &s[0], 1), CAP_SYNACK);
	CU_ASSERT_EQUAL(capture_answer(c, &s[1], 0), CAP_SYNACK);
	CU_ASSERT_EQUAL(capture_answer(c, &s[2], 0), CAP_TWACK);
	capture_free(c);
	topo_free(&lab);
}

static struct topo t;
static struct capture *cap;
static struct counters before[NNODES], after[NNODES];
static struct run_server_in servers[NNODES];

static void run_of(struct run_data *d, struct expect_result *ex)
{
	struct run_measured in = {before, after, servers};

	CU_ASSERT_EQUAL_FATAL(topo_parse_buf(&t, "lb.topo", text, strlen(text)),
			      0);
	CU_ASSERT_EQUAL_FATAL(t.traffic.server, LB);
	memset(d, 0, sizeof(*d));
	d->t = &t;
	d->topo_path = "lb.topo";
	cap = captured(&t);
	d->cap = cap;
	before[LB].lb_conns[0] = 1;
	after[LB].lb_conns[0] = 4;
	after[LB].lb_conns[1] = 2;
	after[LB].ct_count = 5;
	after[S1].tcp_states[6] = 1;
	servers[S1].listener.accepted = 1;
	servers[S1].paws_drops = 1;
	servers[S2].listener.accepted = 1;
	servers[S2].tw_shortened = 4;
	run_metrics_compute(d, &in);
	d->expects = ex;
	d->nexpects = t.nexpects;
	d->failed = metrics_expect(&t, &d->m, ex);
	d->legacy_native = 0;
	report_legacy_how(d->legacy_how, sizeof(d->legacy_how), &t.nodes[S1],
			  0);
}

static double metric(const struct run_data *d, const char *name)
{
	const struct metric *m = metrics_get(&d->m, name);

	CU_ASSERT_PTR_NOT_NULL(m);
	return m ? m->value : -1;
}

static void done(struct run_data *d)
{
	capture_free(cap);
	metrics_free(&d->m);
	topo_free(&t);
}

static void test_metrics(void)
{
	struct expect_result ex[2];
	struct run_data d;
	int i, s1 = -1, s2 = -1, lb = -1, gw = -1;

	run_of(&d, ex);
	CU_ASSERT_EQUAL(metric(&d, "s1.syn_in"), 3);
	CU_ASSERT_EQUAL(metric(&d, "s1.synack_out"), 1);
	CU_ASSERT_EQUAL(metric(&d, "s1.twack_out"), 1);
	CU_ASSERT_EQUAL(metric(&d, "s1.syn_dropped"), 1);
	CU_ASSERT_EQUAL(metric(&d, "s1.paws_passive"), 1);
	CU_ASSERT_EQUAL(metric(&d, "s1.syn_dropped_other"), 0);
	CU_ASSERT_EQUAL(metric(&d, "s1.timewait"), 1);
	CU_ASSERT_EQUAL(metric(&d, "s1.accepted"), 1);
	CU_ASSERT_EQUAL(metric(&d, "s2.syn_in"), 1);
	CU_ASSERT_EQUAL(metric(&d, "s2.synack_out"), 1);
	CU_ASSERT_EQUAL(metric(&d, "s2.tw_shortened"), 4);
	CU_ASSERT_EQUAL(metric(&d, "lb.conns.s1"), 3);
	CU_ASSERT_EQUAL(metric(&d, "lb.conns.s2"), 2);
	CU_ASSERT_EQUAL(metric(&d, "lb.conns"), 5);
	CU_ASSERT_EQUAL(metric(&d, "lb.conntrack"), 5);
	/* the gateway facing the VIP saw both mappings */
	CU_ASSERT_EQUAL(metric(&d, "gw.mappings"), 3);
	CU_ASSERT_PTR_NULL(metrics_get(&d.m, "lb.syn_in"));
	CU_ASSERT_EQUAL(d.failed, 0);
	/* in order: the servers', the balancer's, the gateway's */
	for (i = 0; i < d.m.n; i++) {
		if (s1 < 0 && !strncmp(d.m.v[i].name, "s1.", 3))
			s1 = i;
		if (s2 < 0 && !strncmp(d.m.v[i].name, "s2.", 3))
			s2 = i;
		if (lb < 0 && !strncmp(d.m.v[i].name, "lb.", 3))
			lb = i;
		if (gw < 0 && !strncmp(d.m.v[i].name, "gw.", 3))
			gw = i;
	}
	CU_ASSERT(s1 > 0 && s1 < s2 && s2 < lb && lb < gw);
	done(&d);
}

/* What a writer wrote, as a string for free(). */
static char *written(int (*w)(FILE *, const struct run_data *),
		     void (*v)(FILE *, const struct run_data *),
		     const struct run_data *d)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	if (w)
		CU_ASSERT_EQUAL(w(f, d), 0);
	if (v)
		v(f, d);
	fclose(f);
	return buf;
}

/* The table as natlab run prints it by default. */
static void table_auto(FILE *f, const struct run_data *d)
{
	report_table(f, d, REPORT_CLIENTS_AUTO);
}

static void test_table(void)
{
	struct expect_result ex[2];
	struct run_data d;
	char *out;

	run_of(&d, ex);
	out = written(NULL, table_auto, &d);
	CU_ASSERT_PTR_NOT_NULL(
		strstr(out, "\n\nserver s1: SYNs in 3, SYN-ACKs out 1, dropped "
			    "silently 1 (emulated PAWS 1, "));
	CU_ASSERT_PTR_NOT_NULL(strstr(
		out, "  tcp_tw_recycle: emulated, model 2.6.32 (this kernel "
		     "has no tcp_tw_recycle)\nserver s2: SYNs in 1, SYN-ACKs "
		     "out 1, "));
	CU_ASSERT_PTR_NOT_NULL(strstr(
		out, "\nbalancer lb (dnat, round-robin): connections s1 3, "
		     "s2 2; conntrack insert failures 0, entries 5\n"
		     "gateway gw: mappings 3,"));
	free(out);
	done(&d);
}

static void test_json(void)
{
	static const char want_lb[] =
		"{\"name\": \"lb\", \"kind\": \"balancer\", \"address\": "
		"\"198.51.100.2\", \"backend_address\": \"10.1.0.1\", "
		"\"mode\": \"dnat\", \"schedule\": \"round-robin\", "
		"\"servers\": [\"s1\", \"s2\"]}";
	struct expect_result ex[2];
	json_t *doc, *want, *nodes, *node, *lb = NULL, *m;
	struct run_data d;
	size_t i;
	char *out;

	run_of(&d, ex);
	out = written(report_json, NULL, &d);
	doc = json_loads(out, JSON_REJECT_DUPLICATES, NULL);
	want = json_loads(want_lb, 0, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
	nodes = json_object_get(doc, "nodes");
	for (i = 0; i < json_array_size(nodes); i++) {
		node = json_array_get(nodes, i);
		if (!strcmp(json_string_value(json_object_get(node, "name")),
			    "lb"))
			lb = node;
	}
	/* the balancer's node has exactly these members */
	CU_ASSERT(json_equal(lb, want));
	m = json_object_get(doc, "metrics");
	CU_ASSERT(json_is_integer(json_object_get(m, "lb.conns.s2")));
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(m, "lb.conns.s2")),
			2);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(m, "s2.syn_in")), 1);
	json_decref(want);
	json_decref(doc);
	free(out);
	done(&d);
}

static const struct unit_test tests[] = {
	{"capture: each server's SYNs", test_capture},
	{"metrics of each server and the balancer", test_metrics},
	{"the table's server and balancer lines", test_table},
	{"JSON: the balancer's node and metrics", test_json},
	{NULL, NULL},
};

UNIT_SUITE("run through a balancer", tests)
