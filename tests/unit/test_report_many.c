/* test_report_many.c - the reports of runs of many clients: --clients,
 * the table's summary and worst clients, the metrics' index, a run's
 * metrics and files at thousands of clients, and the aggregate picture. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run/metrics.h"
#include "run/report.h"
#include "run/report_svg.h"
#include "synth_run.h"
#include "topo/topo.h"
#include "topo_test.h"
#include "unit.h"

/* What a writer wrote, as one string for free(). */
static char *table_text(const struct run_data *d, int clients)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	report_table(f, d, clients);
	fclose(f);
	return buf;
}

static char *written(int (*w)(FILE *, const struct run_data *),
		     const struct run_data *d)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_EQUAL(w(f, d), 0);
	fclose(f);
	return buf;
}

/* The lines of @s that start with @prefix. */
static int count_lines(const char *s, const char *prefix)
{
	size_t len = strlen(prefix);
	int n = !strncmp(s, prefix, len);

	for (s = strchr(s, '\n'); s; s = strchr(s + 1, '\n'))
		n += !strncmp(s + 1, prefix, len);
	return n;
}

/* The clients' rows of a table: lines "cN ...". */
static int count_rows(const char *s)
{
	char digit[3] = "c0";
	int n = 0;

	for (; digit[1] <= '9'; digit[1]++)
		n += count_lines(s, digit);
	return n;
}

static void test_clients_parse(void)
{
	static const char *const bad[] = {"0",
					  "-1",
					  "x",
					  "",
					  "65536",
					  "10x",
					  " 5",
					  "All",
					  "1.5",
					  "auto ",
					  "99999999999999999999"};
	int c = 7;
	size_t i;

	CU_ASSERT_EQUAL(report_clients_parse("all", &c), 0);
	CU_ASSERT_EQUAL(c, REPORT_CLIENTS_ALL);
	CU_ASSERT_EQUAL(report_clients_parse("auto", &c), 0);
	CU_ASSERT_EQUAL(c, REPORT_CLIENTS_AUTO);
	CU_ASSERT_EQUAL(report_clients_parse("1", &c), 0);
	CU_ASSERT_EQUAL(c, 1);
	CU_ASSERT_EQUAL(report_clients_parse("25", &c), 0);
	CU_ASSERT_EQUAL(c, 25);
	CU_ASSERT_EQUAL(report_clients_parse("65535", &c), 0);
	CU_ASSERT_EQUAL(c, REPORT_CLIENTS_MAX);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		c = 7;
		CU_ASSERT_EQUAL(report_clients_parse(bad[i], &c), -EINVAL);
		CU_ASSERT_EQUAL(c, 7); /* unchanged */
	}
}

/* ---- a lab of 40 clients with metrics set by hand ---- */

#define NC 40

static struct topo lab;

/* Client i (1-based) is node i + 1 (gw 0, srv 1).  Its drops are i - 1,
 * so the distribution is 0 .. 39; no records. */
static void lab40(struct run_data *d, int clients)
{
	char text[256], node[8];
	int i, err;

	snprintf(text, sizeof(text),
		 "[lab]\nname = many\n[network lan]\nsubnet = 10.0.0.0/24\n"
		 "[network wan]\nsubnet = 198.51.100.0/24\n"
		 "[gateway gw]\ninside = lan\noutside = wan\n"
		 "[server srv]\nnetwork = wan\n"
		 "[clients]\ncount = %d\nnetwork = lan\n",
		 clients);
	memset(d, 0, sizeof(*d));
	err = topo_test_parse(&lab, text);
	CU_ASSERT_EQUAL_FATAL(err, 0);
	CU_ASSERT_STRING_EQUAL_FATAL(lab.nodes[2].name, "c1");
	d->t = &lab;
	d->topo_path = "many.topo";
	for (i = 1; i <= clients; i++) {
		snprintf(node, sizeof(node), "c%d", i);
		metrics_set(&d->m, node, "attempts", 3, 0);
		metrics_set(&d->m, node, "syn_dropped", i - 1, 0);
		metrics_set(&d->m, node, "syn_retrans", i % 4, 0);
		metrics_set(&d->m, node, "failed", i % 10 == 0, 0);
	}
}

/* Up to REPORT_MANY clients, a row each and no summary; one more, the
 * summary and the REPORT_WORST worst. */
static void test_table_threshold(void)
{
	struct run_data d;
	char *out;

	lab40(&d, REPORT_MANY);
	out = table_text(&d, REPORT_CLIENTS_AUTO);
	CU_ASSERT_EQUAL(count_rows(out), REPORT_MANY);
	CU_ASSERT_EQUAL(count_lines(out, "all "), 1);
	CU_ASSERT_PTR_NULL(strstr(out, "PER CLIENT"));
	CU_ASSERT_EQUAL(strncmp(out, "CLIENT ", 7), 0);
	free(out);
	metrics_free(&d.m);

	lab40(&d, REPORT_MANY + 1);
	out = table_text(&d, REPORT_CLIENTS_AUTO);
	CU_ASSERT_EQUAL(count_rows(out), REPORT_WORST);
	CU_ASSERT_EQUAL(count_lines(out, "all "), 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "PER CLIENT"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\nthe 10 clients with the most "
					   "SYNs dropped"));
	free(out);
	metrics_free(&d.m);
	topo_free(&lab);
}

/* Worst first: drops, then failures, retransmissions, the slowest
 * connect, then the topology's order. */
static void test_worst_order(void)
{
	static const int want[] = {4, 5, 2, 3, 7, 6};
	int nodes[NC + 2], n, i;
	struct run_data d;
	char *out;

	lab40(&d, NC);
	for (i = 1; i <= NC; i++) {
		char node[8];

		snprintf(node, sizeof(node), "c%d", i);
		metrics_set(&d.m, node, "syn_dropped", 0, 0);
		metrics_set(&d.m, node, "syn_retrans", 0, 0);
		metrics_set(&d.m, node, "failed", 0, 0);
	}
	metrics_set(&d.m, "c3", "syn_dropped", 9, 0); /* node 4 */
	metrics_set(&d.m, "c4", "syn_dropped", 5, 0); /* node 5 */
	metrics_set(&d.m, "c4", "failed", 2, 0);
	metrics_set(&d.m, "c1", "syn_dropped", 5, 0); /* node 2 */
	metrics_set(&d.m, "c1", "failed", 1, 0);
	metrics_set(&d.m, "c1", "syn_retrans", 7, 0);
	metrics_set(&d.m, "c2", "syn_dropped", 5, 0); /* node 3 */
	metrics_set(&d.m, "c2", "failed", 1, 0);
	metrics_set(&d.m, "c2", "syn_retrans", 6, 0);
	metrics_set(&d.m, "c6", "connect_max", 900, 1); /* node 7 */
	metrics_set(&d.m, "c5", "connect_max", 800, 1); /* node 6 */
	n = report_clients_worst(&d, nodes);
	CU_ASSERT_EQUAL(n, NC);
	for (i = 0; i < 6; i++)
		CU_ASSERT_EQUAL(nodes[i], want[i]);
	/* the rest, all equal, in topology order */
	for (i = 6; i < n; i++)
		CU_ASSERT_EQUAL(nodes[i], i + 2);

	/* --clients 3: those three, in that order, after the summary */
	out = table_text(&d, 3);
	CU_ASSERT_EQUAL(count_rows(out), 3);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\nthe 3 clients with the most "));
	CU_ASSERT(strstr(out, "\nc3 ") && strstr(out, "\nc4 ") &&
		  strstr(out, "\nc1 ") &&
		  strstr(out, "\nc3 ") < strstr(out, "\nc4 ") &&
		  strstr(out, "\nc4 ") < strstr(out, "\nc1 "));
	CU_ASSERT_PTR_NULL(strstr(out, "\nc2 "));
	free(out);
	/* more than there are: every client, worst first */
	out = table_text(&d, 1000);
	CU_ASSERT_EQUAL(count_rows(out), NC);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\nthe 40 clients with the most "));
	free(out);
	metrics_free(&d.m);
	topo_free(&lab);
}

/* The summary's counts and percentiles, by hand: drops 0 .. 39 (nearest
 * rank: p50 the 20th value, 19; p90 the 36th, 35; p99 the 40th, 39),
 * retransmissions i % 4 (ten each of 0, 1, 2, 3: p50 1, p90 3),
 * failures at c10, c20, c30, c40 (36 zeros: p90 0, p99 1); connect times
 * of the records 1, 2, ... 10 ms (p50 5, p90 9, p99 and max 10) and a
 * connection that failed, which has none. */
static void test_summary_numbers(void)
{
	struct tr_rec recs[11] = {{0}};
	struct run_data d;
	char *out;
	int i;

	lab40(&d, NC);
	for (i = 0; i < 10; i++) {
		recs[i].client = (uint16_t)(2 + i);
		recs[i].connect_us = (uint32_t)(i + 1) * 1000;
		recs[i].flags = TR_F_CONNECTED;
		recs[i].outcome = TR_OK;
	}
	recs[10].client = 2;
	recs[10].connect_us = 3000000;
	recs[10].outcome = TR_TIMEOUT;
	d.recs = recs;
	d.nrecs = 11;
	out = table_text(&d, REPORT_CLIENTS_AUTO);
	CU_ASSERT_PTR_NOT_NULL(
		strstr(out, "40 clients: 39 with SYNs dropped silently, 1 "
			    "without; 4 with failed attempts; 30 with SYN "
			    "retransmissions\n"));
	CU_ASSERT_PTR_NOT_NULL(
		strstr(out, "\nSYN_DROP                       0        19"
			    "        35        39        39\n"));
	CU_ASSERT_PTR_NOT_NULL(
		strstr(out, "\nSYN_RTX                        0         1"
			    "         3         3         3\n"));
	CU_ASSERT_PTR_NOT_NULL(
		strstr(out, "\nFAILED                         0         0"
			    "         0         1         1\n"));
	CU_ASSERT_PTR_NOT_NULL(
		strstr(out, "\nconnect, 10 conns          1.0ms     5.0ms"
			    "     9.0ms    10.0ms    10.0ms\n"));
	/* the worst: c40 (39 drops) first, then c39 ... */
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "CLIENT "));
	CU_ASSERT(strstr(out, "\nc40 ") && strstr(out, "\nc31 ") &&
		  strstr(out, "\nc40 ") < strstr(out, "\nc31 "));
	CU_ASSERT_PTR_NULL(strstr(out, "\nc30 "));
	free(out);
	metrics_free(&d.m);
	topo_free(&lab);
}

/* --clients all: the summary, then every client in topology order. */
static void test_clients_all(void)
{
	struct run_data d;
	char *out, *p;
	char row[8];
	int i, in_order = 1;

	lab40(&d, NC);
	out = table_text(&d, REPORT_CLIENTS_ALL);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "PER CLIENT"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\nevery client:\nCLIENT "));
	CU_ASSERT_EQUAL(count_rows(out), NC);
	p = out;
	for (i = 1; i <= NC; i++) {
		snprintf(row, sizeof(row), "\nc%d ", i);
		p = strstr(p, row);
		if (!p) {
			in_order = 0;
			break;
		}
	}
	CU_ASSERT(in_order);
	free(out);
	metrics_free(&d.m);

	/* a small lab: every row, no summary, as by default */
	lab40(&d, 3);
	out = table_text(&d, REPORT_CLIENTS_ALL);
	CU_ASSERT_EQUAL(strncmp(out, "CLIENT ", 7), 0);
	CU_ASSERT_EQUAL(count_rows(out), 3);
	free(out);
	metrics_free(&d.m);
	topo_free(&lab);
}

/* 100,000 metrics: found by name, replaced in place, in the order set. */
static void test_metrics_index(void)
{
	struct metrics m = {0};
	char node[16], full[32];
	int i, ok = 1;

	for (i = 0; i < 100000; i++) {
		snprintf(node, sizeof(node), "c%d", i / 10);
		snprintf(full, sizeof(full), "m%d", i % 10);
		metrics_set(&m, node, full, i, 0);
	}
	metrics_set(&m, "c5", "m5", -1, 1);
	CU_ASSERT_EQUAL_FATAL(m.n, 100000);
	for (i = 0; i < 100000; i++) {
		const struct metric *mt;

		snprintf(full, sizeof(full), "c%d.m%d", i / 10, i % 10);
		mt = metrics_get(&m, full);
		if (!mt || mt != &m.v[i] || strcmp(m.v[i].name, full) ||
		    mt->value != (i == 55 ? -1 : i))
			ok = 0;
	}
	CU_ASSERT(ok);
	CU_ASSERT_EQUAL(m.v[55].ms, 1);
	CU_ASSERT_PTR_NULL(metrics_get(&m, "c10000.m0"));
	CU_ASSERT_PTR_NULL(metrics_get(&m, "c1.m"));
	metrics_free(&m);
	CU_ASSERT_PTR_NULL(m.idx.slot);
	CU_ASSERT_EQUAL(m.idx.cap, 0u);
}

/* ---- a synthetic run of thousands of clients ---- */

#define SYN_CLIENTS 2000
#define SYN_CONNS   2

/* Each client's metrics from its own records and SYNs, found through the
 * records grouped by client and the capture; every client and connection
 * in the JSON and CSV files. */
static void test_many_metrics_files(void)
{
	struct synth_run s;
	int i, k, drops, ok = 1, total = 0;
	char name[32];
	char *out;

	CU_ASSERT_EQUAL_FATAL(synth_run_make(&s, SYN_CLIENTS, SYN_CONNS), 0);
	synth_run_metrics(&s);
	for (i = 0; i < SYN_CLIENTS; i++) {
		for (k = 0, drops = 0; k < SYN_CONNS; k++)
			drops += synth_run_drops(SYN_CLIENTS, i, k);
		total += drops;
		snprintf(name, sizeof(name), "c%d", i + 1);
		if (report_metric(&s.d, name, "attempts") != SYN_CONNS ||
		    report_metric(&s.d, name, "syn_dropped") != drops ||
		    report_metric(&s.d, name, "syn_retrans") != drops ||
		    report_metric(&s.d, name, "established") != SYN_CONNS)
			ok = 0;
	}
	CU_ASSERT(ok);
	CU_ASSERT_EQUAL(report_metric(&s.d, "clients", "syn_dropped"), total);
	CU_ASSERT_EQUAL(report_metric(&s.d, "srv", "syn_in"),
			SYN_CLIENTS * SYN_CONNS + total);

	out = written(report_json, &s.d);
	CU_ASSERT_EQUAL(unit_count_str(out, "\"kind\": \"client\""),
			SYN_CLIENTS);
	CU_ASSERT_EQUAL(unit_count_str(out, "\n    {\"client\": "),
			SYN_CLIENTS * SYN_CONNS);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"c2000.syn_dropped\": "));
	free(out);
	out = written(report_csv, &s.d);
	CU_ASSERT_EQUAL(unit_count_str(out, "\n"), SYN_CLIENTS * SYN_CONNS + 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\nc2000,1,20001,"));
	free(out);
	synth_run_free(&s);
}

static void test_xml_check(void)
{
	CU_ASSERT_EQUAL(
		unit_xml_check("<svg a='1'><g><rect/></g>&#9679;</svg>\n"), 0);
	CU_ASSERT_NOT_EQUAL(unit_xml_check("<svg><g></svg>"), 0);
	CU_ASSERT_NOT_EQUAL(unit_xml_check("<svg><g></gg></svg>"), 0);
	CU_ASSERT_NOT_EQUAL(unit_xml_check("<svg a='>'></svg>x"), 0);
	CU_ASSERT_NOT_EQUAL(unit_xml_check("<svg>a & b</svg>"), 0);
	CU_ASSERT_NOT_EQUAL(unit_xml_check("<svg><text>1 > 0</text></svg>"), 0);
	CU_ASSERT_NOT_EQUAL(unit_xml_check("<svg/><svg/>"), 0);
}

/* Past REPORT_MANY clients the picture is in aggregate: no lanes; the
 * SYN transmissions by answer add up to the capture's; a bar for each
 * client count of drops, and the connections by connect time. */
static void test_svg_aggregate(void)
{
	struct synth_run s;
	char *out, want[200];
	int i, drops = 0;

	CU_ASSERT_EQUAL_FATAL(synth_run_make(&s, 100, 3), 0);
	synth_run_metrics(&s);
	for (i = 0; i < 100; i++)
		drops += synth_run_drops(100, i, 0) +
			 synth_run_drops(100, i, 1) +
			 synth_run_drops(100, i, 2);
	out = written(report_svg, &s.d);
	CU_ASSERT_EQUAL(unit_xml_check(out), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "300 connections, in aggregate"));
	CU_ASSERT_PTR_NULL(strstr(out, "<text x='10' y='74'>c1</text>"));
	CU_ASSERT_PTR_NULL(strstr(out, "retransmission"));
	snprintf(want, sizeof(want),
		 "stacked by answer: answered 300, TIME_WAIT ACK 0, RST 0, "
		 "dropped silently %d, never reached the server 0</text>",
		 drops);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, want));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "<g id='syns-by-time'>"));
	/* clients 3, 13, ..., 93 lose 1 to 3 a connection, client 50 four:
	 * 89 clients with none, the most 12 */
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "(SYN_DROP): 100 clients, 89 with "
					   "none, 12 the most</text>"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "<g id='clients-by-drops'>"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "class='ax'>89</text>"));
	CU_ASSERT_PTR_NOT_NULL(
		strstr(out, "<g id='connections-by-connect-time'>"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "): 300 connections</text>"));
	CU_ASSERT_EQUAL(strcmp(out + strlen(out) - 7, "</svg>\n"), 0);
	free(out);

	/* no capture: still a picture, its plot empty */
	s.d.cap = NULL;
	out = written(report_svg, &s.d);
	CU_ASSERT_EQUAL(unit_xml_check(out), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "by answer (no capture): answered "
					   "0,"));
	free(out);
	synth_run_free(&s);
}

/* A lab at the threshold keeps its lanes. */
static void test_svg_lanes_kept(void)
{
	struct synth_run s;
	char *out;

	CU_ASSERT_EQUAL_FATAL(synth_run_make(&s, REPORT_MANY, 1), 0);
	synth_run_metrics(&s);
	out = written(report_svg, &s.d);
	CU_ASSERT_EQUAL(unit_xml_check(out), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "every SYN as it left its client"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, ">c32</text>"));
	CU_ASSERT_PTR_NULL(strstr(out, "syns-by-time"));
	free(out);
	synth_run_free(&s);
}

/* Two peers' remembered values interleaved: each holds until the next
 * of its own peer (or the end), not of the other. */
static void test_svg_two_peers(void)
{
	static struct tl_event tl[] = {
		{.t_ms = 100, .peer = 1, .ts = 1000},
		{.t_ms = 150, .peer = 2, .ts = 1010},
		{.t_ms = 200, .peer = 1, .ts = 990, .drop = 1},
		{.t_ms = 1500, .peer = 1, .ts = 1100},
	};
	struct synth_run s;
	char *out, *p;
	int ends_1500 = 0, ends_span = 0;

	CU_ASSERT_EQUAL_FATAL(synth_run_make(&s, 2, 1), 0);
	synth_run_metrics(&s);
	s.t.nodes[s.t.traffic.server].legacy.paws_msl_ms = 1000;
	s.d.tl = tl;
	s.d.ntl = 4;
	out = written(report_svg, &s.d);
	CU_ASSERT_EQUAL(unit_xml_check(out), 0);
	/* the span is 15002.65 ms (c2, the middle client, connects after
	 * four drops: 15 s); 1500 ms is at 150 + 1500 / 15002.65 * 920 */
	for (p = strstr(out, "stroke-dasharray='4 3'"); p;
	     p = strstr(p + 1, "stroke-dasharray='4 3'")) {
		const char *line = p;

		while (line > out && line[-1] != '\n')
			line--;
		ends_1500 += !strncmp(strstr(line, "x2='"), "x2='242.0'", 10);
		ends_span += !strncmp(strstr(line, "x2='"), "x2='1070.0'", 11);
	}
	CU_ASSERT_EQUAL(ends_1500, 1);
	CU_ASSERT_EQUAL(ends_span, 2);
	free(out);
	s.d.tl = NULL;
	synth_run_free(&s);
}

static const struct unit_test tests[] = {
	{"--clients parsing", test_clients_parse},
	{"table: the threshold of the summary", test_table_threshold},
	{"table: the worst clients' order", test_worst_order},
	{"table: the summary's numbers", test_summary_numbers},
	{"table: --clients all", test_clients_all},
	{"metrics index: 100,000 names", test_metrics_index},
	{"2,000 clients: metrics, json, csv", test_many_metrics_files},
	{"xml checker", test_xml_check},
	{"svg: aggregate", test_svg_aggregate},
	{"svg: lanes up to the threshold", test_svg_lanes_kept},
	{"svg: two peers' remembered values", test_svg_two_peers},
	{NULL, NULL},
};

UNIT_SUITE("report of many clients", tests)
