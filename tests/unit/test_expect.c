/* test_expect.c - [expect] lines: grammar, metric names, evaluation. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "run/metrics.h"
#include "topo/topo.h"
#include "topo_test.h"
#include "unit.h"

static struct topo t;

/* Parse text as "t.topo"; the previous model is freed first. */
static int parse(const char *text)
{
	return topo_test_parse(&t, text);
}

/* Lines 1-15: a gateway, a server and two clients, then [expect]; the
 * lines under test start at 16. */
#define BASE                                                                   \
	"[lab]\n"		     /* 1 */                                   \
	"name = t\n"		     /* 2 */                                   \
	"[network lan]\n"	     /* 3 */                                   \
	"subnet = 10.0.0.0/24\n"     /* 4 */                                   \
	"[network wan]\n"	     /* 5 */                                   \
	"subnet = 198.51.100.0/24\n" /* 6 */                                   \
	"[gateway gw]\n"	     /* 7 */                                   \
	"inside = lan\n"	     /* 8 */                                   \
	"outside = wan\n"	     /* 9 */                                   \
	"[server srv]\n"	     /* 10 */                                  \
	"network = wan\n"	     /* 11 */                                  \
	"[clients]\n"		     /* 12 */                                  \
	"count = 2\n"		     /* 13 */                                  \
	"network = lan\n"	     /* 14 */                                  \
	"[expect]\n"		     /* 15 */

static const struct topo_expect *expect(int i)
{
	CU_ASSERT_FATAL(i < t.nexpects);
	return &t.expects[i];
}

static void test_operators(void)
{
	static const struct {
		const char *op;
		enum topo_cmp cmp;
	} ops[] = {
		{"==", TOPO_EQ}, {"!=", TOPO_NE}, {"<", TOPO_LT},
		{"<=", TOPO_LE}, {">", TOPO_GT},  {">=", TOPO_GE},
	};
	const struct topo_expect *e;
	size_t i;

	CHECK_OK(BASE "c1.failed == 0\n"	  /* 16 */
		      "c2.attempts != 7\n"	  /* 17 */
		      "srv.syn_in < 100\n"	  /* 18 */
		      "gw.mappings <= 3\n"	  /* 19 */
		      "clients.established > 1\n" /* 20 */
		      "srv.paws_passive >= 2\n"); /* 21 */
	CU_ASSERT_EQUAL_FATAL(t.nexpects, 6);
	for (i = 0; i < 6; i++) {
		e = expect((int)i);
		CU_ASSERT_EQUAL(e->op, ops[i].cmp);
		CU_ASSERT_STRING_EQUAL(topo_cmp_name(e->op), ops[i].op);
		CU_ASSERT_EQUAL(e->line, 16 + (int)i);
		CU_ASSERT_EQUAL(e->duration, 0);
	}
	e = expect(0);
	CU_ASSERT_STRING_EQUAL(e->metric, "c1.failed");
	CU_ASSERT_EQUAL(e->value, 0);
	CU_ASSERT_STRING_EQUAL(e->text, "c1.failed == 0");
	e = expect(4);
	CU_ASSERT_STRING_EQUAL(e->metric, "clients.established");
	CU_ASSERT_EQUAL(e->value, 1);
	CU_ASSERT_STRING_EQUAL(e->text, "clients.established > 1");
	e = expect(5);
	CU_ASSERT_STRING_EQUAL(e->metric, "srv.paws_passive");
	CU_ASSERT_EQUAL(e->value, 2);
}

static void test_numbers(void)
{
	CHECK_OK(BASE "c1.attempts == 100000\n"	 /* 16 */
		      "c1.syn_retrans >= 0.25\n" /* 17 */
		      "gw.conntrack > -1\n"	 /* 18 */
		      "srv.accepted <= 12.5\n"); /* 19 */
	CU_ASSERT_EQUAL_FATAL(t.nexpects, 4);
	CU_ASSERT_EQUAL(expect(0)->value, 100000);
	CU_ASSERT_DOUBLE_EQUAL(expect(1)->value, 0.25, 1e-12);
	CU_ASSERT_EQUAL(expect(2)->value, -1);
	CU_ASSERT_DOUBLE_EQUAL(expect(3)->value, 12.5, 1e-12);
	CU_ASSERT_STRING_EQUAL(expect(3)->text, "srv.accepted <= 12.5");
	CU_ASSERT_EQUAL(expect(0)->duration, 0);
	CU_ASSERT_EQUAL(expect(1)->duration, 0);
}

static void test_durations(void)
{
	CHECK_OK(BASE "c1.connect_p50 < 10ms\n"	   /* 16 */
		      "c1.connect_p99 <= 1.5s\n"   /* 17 */
		      "clients.connect_max < 2s\n" /* 18 */
		      "c2.connect_avg > 0.5ms\n"   /* 19 */
		      "c2.connect_p50 == 0s\n");   /* 20 */
	CU_ASSERT_EQUAL_FATAL(t.nexpects, 5);
	CU_ASSERT_EQUAL(expect(0)->value, 10);
	CU_ASSERT_EQUAL(expect(0)->duration, 1);
	CU_ASSERT_DOUBLE_EQUAL(expect(1)->value, 1500, 1e-9);
	CU_ASSERT_EQUAL(expect(1)->duration, 1);
	CU_ASSERT_STRING_EQUAL(expect(1)->text, "c1.connect_p99 <= 1.5s");
	CU_ASSERT_EQUAL(expect(2)->value, 2000);
	CU_ASSERT_DOUBLE_EQUAL(expect(3)->value, 0.5, 1e-12);
	CU_ASSERT_EQUAL(expect(3)->duration, 1);
	CU_ASSERT_EQUAL(expect(4)->value, 0);
	CU_ASSERT_EQUAL(expect(4)->duration, 1);
}

static void test_comments(void)
{
	CHECK_OK(BASE "# a comment line\n"		       /* 16 */
		      "c1.failed == 0   # none may fail\n"     /* 17 */
		      "\n"				       /* 18 */
		      "  ; indented comment\n"		       /* 19 */
		      "srv.syn_in > 0 ; the server saw some\n" /* 20 */
		      "\tgw.mappings\t<=\t5\t# tabs\n");       /* 21 */
	CU_ASSERT_EQUAL_FATAL(t.nexpects, 3);
	CU_ASSERT_EQUAL(expect(0)->line, 17);
	CU_ASSERT_STRING_EQUAL(expect(0)->text, "c1.failed == 0");
	CU_ASSERT_EQUAL(expect(1)->line, 20);
	CU_ASSERT_STRING_EQUAL(expect(1)->text, "srv.syn_in > 0");
	CU_ASSERT_EQUAL(expect(2)->line, 21);
	CU_ASSERT_STRING_EQUAL(expect(2)->text, "gw.mappings <= 5");
	CU_ASSERT_EQUAL(expect(2)->op, TOPO_LE);
}

static void test_unknown_operator(void)
{
	CU_ASSERT_EQUAL(parse(BASE "c1.failed = 0\n"	/* 16 */
				   "c1.failed => 0\n"	/* 17 */
				   "c1.failed ~ 0\n"	/* 18 */
				   "c1.failed <> 0\n"	/* 19 */
				   "c1.failed === 0\n"	/* 20 */
				   "c1.failed == 0\n"), /* 21 */
			-EINVAL);
	CHECK_ERR(16, "unknown operator '=': use == != < <= > >=");
	CHECK_ERR(17, "unknown operator '=>'");
	CHECK_ERR(18, "unknown operator '~'");
	CHECK_ERR(19, "unknown operator '<>'");
	CHECK_ERR(20, "unknown operator '==='");
	CU_ASSERT_EQUAL(t.nerrs, 5);
	CU_ASSERT_EQUAL(t.nexpects, 0); /* not built on errors */
}

static void test_wrong_shape(void)
{
	CU_ASSERT_EQUAL(parse(BASE "c1.failed ==\n"		 /* 16 */
				   "c1.failed\n"		 /* 17 */
				   "c1.failed == 0 1\n"		 /* 18 */
				   "c1.connect_p50 < 5 ms\n"	 /* 19 */
				   "c1.failed==0\n"		 /* 20 */
				   "c1.failed == 0 and more\n"), /* 21 */
			-EINVAL);
	CHECK_ERR(16, "expected 'METRIC OP VALUE', e.g. 'c1.failed == 0'");
	CHECK_ERR(17, "expected 'METRIC OP VALUE'");
	CHECK_ERR(18, "expected 'METRIC OP VALUE'");
	CHECK_ERR(19, "expected 'METRIC OP VALUE'");
	CHECK_ERR(20, "expected 'METRIC OP VALUE'");
	CHECK_ERR(21, "expected 'METRIC OP VALUE'");
	CU_ASSERT_EQUAL(t.nerrs, 6);
}

static void test_bad_values(void)
{
	CU_ASSERT_EQUAL(parse(BASE "c1.failed == x\n"	     /* 16 */
				   "c1.connect_p50 < 10m\n"  /* 17 */
				   "c1.connect_p50 < 1h\n"   /* 18 */
				   "c1.connect_p50 < 5sec\n" /* 19 */
				   "c1.failed == +5\n"	     /* 20 */
				   "c1.connect_p50 < ms\n"   /* 21 */
				   "c1.failed == 1.5.2\n"    /* 22 */
				   "c1.failed == 3x\n"	     /* 23 */
				   "c1.failed == 10ms\n"),   /* 24: fine */
			-EINVAL);
	CHECK_ERR(16, "'x' is not a number or a duration (ms, s)");
	CHECK_ERR(17, "'10m' is not a number or a duration");
	CHECK_ERR(18, "'1h' is not a number or a duration");
	CHECK_ERR(19, "'5sec' is not a number or a duration");
	CHECK_ERR(20, "'+5' is not a number or a duration");
	CHECK_ERR(21, "'ms' is not a number or a duration");
	CHECK_ERR(22, "'1.5.2' is not a number or a duration");
	CHECK_ERR(23, "'3x' is not a number or a duration");
	CU_ASSERT_EQUAL(t.nerrs, 8);
}

/* strtod() alone would take these. */
static void test_not_plain_numbers(void)
{
	CU_ASSERT_EQUAL(parse(BASE "c1.failed == nan\n"	  /* 16 */
				   "c1.failed == inf\n"	  /* 17 */
				   "c1.failed == 0x10\n"  /* 18 */
				   "c1.failed == 1e3\n"), /* 19 */
			-EINVAL);
	CHECK_ERR(16, "'nan' is not a number");
	CHECK_ERR(17, "'inf' is not a number");
	CHECK_ERR(18, "'0x10' is not a number");
	CHECK_ERR(19, "'1e3' is not a number");
	CU_ASSERT_FALSE(topo_metric_known(TOPO_CLIENT, "attempts established"));
	CU_ASSERT_FALSE(topo_metric_known(TOPO_CLIENT, ""));
}

static void test_unknown_node(void)
{
	CU_ASSERT_EQUAL(parse(BASE "nobody.failed == 0\n" /* 16 */
				   "c3.failed == 0\n"	  /* 17 */
				   "client.failed == 0\n" /* 18 */
				   "c1.failed == 0\n"),	  /* 19 */
			-EINVAL);
	CHECK_ERR(16, "metric 'nobody.failed': no node 'nobody'");
	CHECK_ERR(17, "metric 'c3.failed': no node 'c3'");
	CHECK_ERR(18, "metric 'client.failed': no node 'client'");
	CU_ASSERT_EQUAL(t.nerrs, 3);
}

static void test_metric_kind(void)
{
	CU_ASSERT_EQUAL(parse(BASE "c1.mappings == 0\n"	    /* 16 */
				   "gw.attempts == 0\n"	    /* 17 */
				   "srv.connect_p50 < 1s\n" /* 18 */
				   "clients.syn_in > 0\n"   /* 19 */
				   "c2.bogus == 0\n"	    /* 20 */
				   "c1.\n"		    /* 21: short */
				   "c1. == 0\n"),	    /* 22 */
			-EINVAL);
	CHECK_ERR(16, "metric 'c1.mappings': client has no metric 'mappings'");
	CHECK_ERR(17, "metric 'gw.attempts': gateway has no metric 'attempts'");
	CHECK_ERR(18, "metric 'srv.connect_p50': server has no metric");
	CHECK_ERR(19,
		  "metric 'clients.syn_in': clients has no metric 'syn_in'");
	CHECK_ERR(20, "client has no metric 'bogus'");
	CHECK_ERR(21, "expected 'METRIC OP VALUE'");
	CHECK_ERR(22, "metric 'c1.': client has no metric ''");
	CU_ASSERT_EQUAL(t.nerrs, 7);
}

static void test_metric_kind_ok(void)
{
	CHECK_OK(BASE "c2.first_syn_ok == 6\n"
		      "clients.connect_p99 < 250ms\n"
		      "srv.syn_dropped_other == 0\n"
		      "srv.tw_shortened >= 0\n"
		      "gw.port_reuse == 0\n"
		      "gw.insert_failed == 0\n");
	CU_ASSERT_EQUAL(t.nexpects, 6);
	CU_ASSERT(topo_metric_known(TOPO_CLIENT, "no_port"));
	CU_ASSERT(topo_metric_known(-1, "no_port"));
	CU_ASSERT(topo_metric_known(TOPO_SERVER, "listen_overflows"));
	CU_ASSERT(topo_metric_known(TOPO_GATEWAY, "conntrack"));
	CU_ASSERT(!topo_metric_known(TOPO_GATEWAY, "conn"));
	CU_ASSERT(!topo_metric_known(TOPO_CLIENT, ""));
	/* the emulated tcp_tw_recycle's, of a node and summed */
	CU_ASSERT(topo_metric_known(TOPO_CLIENT, "seeded"));
	CU_ASSERT(topo_metric_known(TOPO_SERVER, "remembered_at_ack"));
	CU_ASSERT(topo_metric_known(-1, "tw_shortened"));
	CU_ASSERT(!topo_metric_known(-1, "remembered"));
	CU_ASSERT(!topo_metric_known(TOPO_GATEWAY, "seeded"));
}

static void test_metric_without_dot(void)
{
	CU_ASSERT_EQUAL(parse(BASE "failed == 0\n"	/* 16 */
				   "clients == 0\n"	/* 17 */
				   "c1_failed == 0\n"), /* 18 */
			-EINVAL);
	CHECK_ERR(16,
		  "metric 'failed': expected NODE.METRIC or clients.METRIC");
	CHECK_ERR(17, "metric 'clients': expected NODE.METRIC");
	CHECK_ERR(18, "metric 'c1_failed': expected NODE.METRIC");
	CU_ASSERT_EQUAL(t.nerrs, 3);
}

/* A metric name fills struct topo_expect.metric[48] at 47 characters. */
static void test_long_metric(void)
{
	char text[sizeof(BASE) + 128], name[64];

	snprintf(name, sizeof(name), "c1.%.*s", 45,
		 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
	CU_ASSERT_EQUAL_FATAL(strlen(name), 48);
	snprintf(text, sizeof(text), "%s%s == 0\n", BASE, name);
	CU_ASSERT_EQUAL(parse(text), -EINVAL);
	CHECK_ERR(16, "is too long");
	CU_ASSERT_EQUAL(t.nerrs, 1);

	name[47] = '\0';
	snprintf(text, sizeof(text), "%s%s == 0\n", BASE, name);
	CU_ASSERT_EQUAL(parse(text), -EINVAL);
	CHECK_ERR(16, "client has no metric 'aaaa");
	CU_ASSERT_EQUAL(t.nerrs, 1);
}

/* Metrics are checked once every node is known, so [expect] may come
 * first; errors from both passes come out in line order. */
static void test_expect_first(void)
{
	static const char text[] = "[lab]\n"		    /* 1 */
				   "name = t\n"		    /* 2 */
				   "[expect]\n"		    /* 3 */
				   "late.failed == 0\n"	    /* 4 */
				   "c1.failed ~ 0\n"	    /* 5 */
				   "[network lan]\n"	    /* 6 */
				   "subnet = 10.0.0.0/24\n" /* 7 */
				   "[server late]\n"	    /* 8 */
				   "network = lan\n"	    /* 9 */
				   "[expect]\n";	    /* 10 */

	CU_ASSERT_EQUAL(parse(text), -EINVAL);
	CHECK_ERR(4, "server has no metric 'failed'");
	CHECK_ERR(5, "unknown operator '~'");
	CHECK_ERR(10, "duplicate section [expect] (first at line 3)");
	CU_ASSERT_EQUAL_FATAL(t.nerrs, 3);
	CU_ASSERT_PTR_NOT_NULL(strstr(t.errs[0], ":4: "));
	CU_ASSERT_PTR_NOT_NULL(strstr(t.errs[2], ":10: "));

	CHECK_OK("[lab]\nname = t\n[expect]\nlate.syn_in > 0\n"
		 "[network lan]\nsubnet = 10.0.0.0/24\n"
		 "[server late]\nnetwork = lan\n");
	CU_ASSERT_EQUAL_FATAL(t.nexpects, 1);
	CU_ASSERT_EQUAL(expect(0)->line, 4);
}

static void test_evaluate(void)
{
	struct expect_result out[8];
	struct metrics m = {0};
	int failed;

	CHECK_OK(BASE "c1.failed == 0\n"	   /* 16: pass */
		      "c2.attempts != 7\n"	   /* 17: fail */
		      "srv.syn_in < 100\n"	   /* 18: pass */
		      "gw.mappings <= 3\n"	   /* 19: fail */
		      "c1.connect_p99 < 1.5s\n"	   /* 20: pass */
		      "clients.established >= 2\n" /* 21: pass */
		      "srv.paws_passive > 0\n"	   /* 22: missing */
		      "c2.failed == 0\n");	   /* 23: fail */
	CU_ASSERT_EQUAL_FATAL(t.nexpects, 8);
	metrics_set(&m, "c1", "failed", 0, 0);
	metrics_set(&m, "c2", "attempts", 7, 0);
	metrics_set(&m, "srv", "syn_in", 99, 0);
	metrics_set(&m, "gw", "mappings", 4, 0);
	metrics_set(&m, "c1", "connect_p99", 1499.5, 1);
	metrics_set(&m, "clients", "established", 2, 0);
	metrics_set(&m, "c2", "failed", 0.5, 0);
	memset(out, 0xa5, sizeof(out));
	failed = metrics_expect(&t, &m, out);
	CU_ASSERT_EQUAL(failed, 4);

	CU_ASSERT_PTR_EQUAL(out[0].e, &t.expects[0]);
	CU_ASSERT(out[0].found && out[0].pass);
	CU_ASSERT_EQUAL(out[0].value, 0);
	CU_ASSERT(out[1].found && !out[1].pass);
	CU_ASSERT_EQUAL(out[1].value, 7);
	CU_ASSERT(out[2].found && out[2].pass);
	CU_ASSERT(out[3].found && !out[3].pass);
	CU_ASSERT_EQUAL(out[3].value, 4);
	CU_ASSERT(out[4].found && out[4].pass);
	CU_ASSERT_DOUBLE_EQUAL(out[4].value, 1499.5, 1e-9);
	CU_ASSERT(out[5].found && out[5].pass);
	/* a metric the run never produced fails, whatever the operator */
	CU_ASSERT_PTR_EQUAL(out[6].e, &t.expects[6]);
	CU_ASSERT_EQUAL(out[6].found, 0);
	CU_ASSERT_EQUAL(out[6].pass, 0);
	CU_ASSERT_EQUAL(out[6].value, 0);
	CU_ASSERT(out[7].found && !out[7].pass);

	/* changing the numbers changes the verdicts */
	metrics_set(&m, "srv", "paws_passive", 3, 0);
	metrics_set(&m, "c1", "connect_p99", 1500, 1);
	metrics_set(&m, "c2", "failed", 0, 0);
	failed = metrics_expect(&t, &m, out);
	CU_ASSERT_EQUAL(failed, 3);
	CU_ASSERT(out[4].found && !out[4].pass);
	CU_ASSERT(out[6].found && out[6].pass);
	CU_ASSERT_EQUAL(out[6].value, 3);
	CU_ASSERT(out[7].pass);
	metrics_free(&m);
}

static void test_evaluate_none(void)
{
	struct expect_result out[1];
	struct metrics m = {0};

	CHECK_OK(BASE);
	CU_ASSERT_EQUAL(t.nexpects, 0);
	metrics_set(&m, "c1", "failed", 1, 0);
	CU_ASSERT_EQUAL(metrics_expect(&t, &m, out), 0);
	metrics_free(&m);

	/* an empty metrics set: every expectation fails as not found */
	CHECK_OK(BASE "c1.failed == 0\n");
	CU_ASSERT_EQUAL(metrics_expect(&t, &m, out), 1);
	CU_ASSERT_EQUAL(out[0].found, 0);
	CU_ASSERT_EQUAL(out[0].pass, 0);
	topo_free(&t);
}

static const struct unit_test tests[] = {
	{"values that are not plain numbers", test_not_plain_numbers},
	{"operators", test_operators},
	{"numbers", test_numbers},
	{"durations", test_durations},
	{"comments", test_comments},
	{"unknown operator", test_unknown_operator},
	{"wrong shape", test_wrong_shape},
	{"bad values", test_bad_values},
	{"unknown node", test_unknown_node},
	{"metric of another kind", test_metric_kind},
	{"metrics of each kind", test_metric_kind_ok},
	{"metric without a dot", test_metric_without_dot},
	{"long metric name", test_long_metric},
	{"expect before nodes", test_expect_first},
	{"evaluate", test_evaluate},
	{"evaluate nothing", test_evaluate_none},
	{NULL, NULL},
};

UNIT_SUITE("expect", tests)
