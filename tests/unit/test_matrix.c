/* test_matrix.c - a matrix's plan and its collection: the files a plan
 * writes, what it refuses, and the table made again from run reports. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "lib/util.h"
#include "run/matrix.h"
#include "topo_test.h"
#include "unit.h"

static const char base_text[] = TOPO_TEST_ONE_GW("plt") "[clients]\n"
							"count = 2\n"
							"network = lan\n";

static char tmpdir[64];

/* A fresh directory for one test; the plan goes in <it>/p. */
static void fresh_dir(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/natlab-unit-matrix.XXXXXX");
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(tmpdir));
}

static void rm_dir(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	CU_ASSERT_EQUAL(system(cmd), 0);
}

/* Run @fn with stdout sent to /dev/null (the table, the plan's line). */
static int quiet(int (*fn)(void *), void *arg)
{
	int saved, null, rc;

	fflush(stdout);
	saved = dup(STDOUT_FILENO);
	null = open("/dev/null", O_WRONLY);
	dup2(null, STDOUT_FILENO);
	close(null);
	rc = fn(arg);
	fflush(stdout);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	return rc;
}

struct plan_args {
	const char *text, *metrics, *dir;
	const char *axes[3];
};

static int do_plan(void *arg)
{
	struct plan_args *p = arg;
	struct matrix_opts o = {0};
	int i, err = 0;

	for (i = 0; i < 3 && p->axes[i] && !err; i++, o.naxes++)
		err = matrix_parse_axis(p->axes[i], &o.axes[i]);
	o.metrics = p->metrics ? xstrdup(p->metrics) : NULL;
	if (!err)
		err = matrix_plan("t.topo", p->text, strlen(p->text), NULL, &o,
				  p->dir);
	matrix_opts_free(&o);
	return err;
}

/* Plan a sweep of the tests' three metrics over up to three axes into
 * <tmpdir>/p. */
static int plan_axes(const char *axis0, const char *axis1, const char *axis2)
{
	char dir[96];
	struct plan_args p = {
		.text = base_text,
		.metrics = "clients.attempts,srv.syn_dropped,"
			   "clients.connect_p99",
		.dir = dir,
		.axes = {axis0, axis1, axis2},
	};

	snprintf(dir, sizeof(dir), "%s/p", tmpdir);
	return quiet(do_plan, &p);
}

/* Plan the 2 x 2 sweep of the tests into <tmpdir>/p. */
static int plan_2x2(const char *axis0)
{
	return plan_axes(axis0, "clients.tsclock=host,per-connection", NULL);
}

/* <tmpdir>/REL */
static const char *at(const char *rel)
{
	static char path[160];

	snprintf(path, sizeof(path), "%s/%s", tmpdir, rel);
	return path;
}

/* How many entries <tmpdir> has. */
static int entries(void)
{
	struct dirent *e;
	DIR *d = opendir(tmpdir);
	int n = 0;

	while (d && (e = readdir(d)))
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	if (d)
		closedir(d);
	return n;
}

static char *slurp(const char *rel)
{
	char *text = NULL;
	size_t len;

	if (util_read_whole(at(rel), &text, &len))
		return NULL;
	return text;
}

static void put(const char *rel, const char *text)
{
	FILE *f = fopen(at(rel), "w");

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs(text, f);
	fclose(f);
}

/* Member @key of object @o as a string (NULL if it is none). */
static const char *jstr(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static void test_plan_files(void)
{
	const json_t *cells, *c;
	char *text;
	json_t *j;

	fresh_dir();
	CU_ASSERT_EQUAL_FATAL(plan_2x2("srv.legacy.tcp_tw_recycle=0,1"), 0);
	text = slurp("p/jobs");
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	CU_ASSERT_STRING_EQUAL(
		text, "natlab run --json results/plt-1.json --exit-status "
		      "results/plt-1.status cells/plt-1.topo\n"
		      "natlab run --json results/plt-2.json --exit-status "
		      "results/plt-2.status cells/plt-2.topo\n"
		      "natlab run --json results/plt-3.json --exit-status "
		      "results/plt-3.status cells/plt-3.topo\n"
		      "natlab run --json results/plt-4.json --exit-status "
		      "results/plt-4.status cells/plt-4.topo\n");
	free(text);
	text = slurp("p/base.topo");
	CU_ASSERT_STRING_EQUAL(text, base_text);
	free(text);
	/* cell 3: recycle 1, host clocks; its own lab name */
	text = slurp("p/cells/plt-3.topo");
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "[lab]\nname = plt-3\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "legacy.tcp_tw_recycle = 1\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "tsclock = host\n"));
	free(text);
	text = slurp("p/plan.json");
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	j = json_loads(text, JSON_REJECT_DUPLICATES, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	CU_ASSERT_STRING_EQUAL(jstr(j, "schema"), "natlab-plan/1");
	CU_ASSERT_STRING_EQUAL(jstr(j, "lab"), "plt");
	CU_ASSERT_STRING_EQUAL(jstr(j, "topology"), "t.topo");
	CU_ASSERT_STRING_EQUAL(jstr(j, "base"), "base.topo");
	CU_ASSERT_EQUAL(json_array_size(json_object_get(j, "metrics")), 3);
	CU_ASSERT_EQUAL(json_array_size(json_object_get(j, "axes")), 2);
	cells = json_object_get(j, "cells");
	CU_ASSERT_EQUAL_FATAL(json_array_size(cells), 4);
	c = json_array_get(cells, 1);
	CU_ASSERT_STRING_EQUAL(jstr(c, "name"), "plt-2");
	CU_ASSERT_STRING_EQUAL(jstr(c, "topology"), "cells/plt-2.topo");
	CU_ASSERT_STRING_EQUAL(jstr(c, "result"), "results/plt-2.json");
	CU_ASSERT_STRING_EQUAL(jstr(c, "exit_status"), "results/plt-2.status");
	CU_ASSERT_STRING_EQUAL(
		jstr(json_object_get(c, "values"), "clients.tsclock"),
		"per-connection");
	/* the text ends with a newline, as every file natlab writes */
	CU_ASSERT_EQUAL(text[strlen(text) - 1], '\n');
	json_decref(j);
	free(text);
	rm_dir();
}

/* Bad input: nothing written, not even the temporary directory. */
static void test_plan_refused(void)
{
	fresh_dir();
	CU_ASSERT_EQUAL(plan_2x2("srv.legacy.tcp_tw_recycle=0,7"), -EINVAL);
	CU_ASSERT_EQUAL(plan_2x2("nosuch.key=0,1"), -EINVAL);
	CU_ASSERT_EQUAL(entries(), 0);
	put("p", "a file");
	CU_ASSERT_EQUAL(plan_2x2("srv.legacy.tcp_tw_recycle=0,1"), -EINVAL);
	CU_ASSERT_EQUAL(unlink(at("p")), 0);
	CU_ASSERT_EQUAL(mkdir(at("p"), 0700), 0);
	put("p/x", "");
	CU_ASSERT_EQUAL(plan_2x2("srv.legacy.tcp_tw_recycle=0,1"), -EINVAL);
	CU_ASSERT_EQUAL(entries(), 1);
	CU_ASSERT_EQUAL(unlink(at("p/x")), 0);
	/* an empty directory is taken */
	CU_ASSERT_EQUAL(plan_2x2("srv.legacy.tcp_tw_recycle=0,1"), 0);
	CU_ASSERT_EQUAL(entries(), 1);
	CU_ASSERT_EQUAL(access(at("p/plan.json"), R_OK), 0);
	rm_dir();
}

/* A run report as natlab run --json writes it (the parts collect reads). */
static void put_report(const char *name, double drops, int pass)
{
	char text[1024], rel[64];

	snprintf(
		text, sizeof(text),
		"{\n  \"schema\": \"natlab-run/1\",\n  \"lab\": \"%s\",\n"
		"  \"metrics\": {\"clients.attempts\": 4, \"srv.syn_dropped\": "
		"%g, \"clients.connect_p99\": 1.25, \"clients.connect_avg\": "
		"0.33333333333333331},\n  \"durations_ms\": "
		"[\"clients.connect_p99\", \"clients.connect_avg\"],\n"
		"  \"expect\": [{\"line\": 9, \"expr\": \"x\", \"measured\": "
		"0, \"pass\": %s}],\n  \"connections\": []\n}\n",
		name, drops, pass ? "true" : "false");
	snprintf(rel, sizeof(rel), "p/results/%s.json", name);
	put(rel, text);
}

struct collect_args {
	const char *dir, *json, *csv, *svg;
};

static int do_collect(void *arg)
{
	struct collect_args *a = arg;
	struct matrix_opts o = {.json = a->json, .csv = a->csv, .svg = a->svg};
	int err = matrix_collect(a->dir, &o);

	matrix_opts_free(&o);
	return err;
}

static int collect(void)
{
	char dir[96], json[96], csv[96], svg[96];
	struct collect_args a = {dir, json, csv, svg};

	snprintf(dir, sizeof(dir), "%s/p", tmpdir);
	snprintf(json, sizeof(json), "%s/m.json", tmpdir);
	snprintf(csv, sizeof(csv), "%s/m.csv", tmpdir);
	snprintf(svg, sizeof(svg), "%s/m.svg", tmpdir);
	return quiet(do_collect, &a);
}

static void test_collect_all(void)
{
	char *csv;

	fresh_dir();
	CU_ASSERT_EQUAL_FATAL(plan_2x2("srv.legacy.tcp_tw_recycle=0,1"), 0);
	put_report("plt-1", 0, 1);
	put_report("plt-2", 0, 1);
	put_report("plt-3", 7, 0);
	put_report("plt-4", 2, 1);
	put("p/results/plt-4.status", "0\n");
	CU_ASSERT_EQUAL(collect(), 1); /* plt-3's expectation failed */
	csv = slurp("m.csv");
	CU_ASSERT_PTR_NOT_NULL_FATAL(csv);
	CU_ASSERT_STRING_EQUAL(
		csv, "srv.legacy.tcp_tw_recycle,clients.tsclock,"
		     "clients.attempts,srv.syn_dropped,clients.connect_p99,"
		     "status\n"
		     "0,host,4,0,1.2ms,ok\n"
		     "0,per-connection,4,0,1.2ms,ok\n"
		     "1,host,4,7,1.2ms,expect-failed\n"
		     "1,per-connection,4,2,1.2ms,ok\n");
	free(csv);
	rm_dir();
}

static void test_collect_missing_failed(void)
{
	const json_t *cells, *missing, *failed;
	char *text;
	json_t *j;

	fresh_dir();
	CU_ASSERT_EQUAL_FATAL(plan_2x2("srv.legacy.tcp_tw_recycle=0,1"), 0);
	put_report("plt-1", 0, 1);
	put("p/results/plt-2.json", "{\"schema\": \"natlab-run/1\", \"met");
	put_report("plt-4", 2, 1);
	put("p/results/plt-4.status", "3\n");
	CU_ASSERT_EQUAL(collect(), -EIO);
	text = slurp("m.csv");
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "\n0,host,4,0,1.2ms,ok\n"));
	CU_ASSERT_PTR_NOT_NULL(
		strstr(text, "\n0,per-connection,-,-,-,failed\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "\n1,host,-,-,-,missing\n"));
	CU_ASSERT_PTR_NOT_NULL(
		strstr(text, "\n1,per-connection,-,-,-,failed\n"));
	free(text);
	text = slurp("m.json");
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	j = json_loads(text, JSON_REJECT_DUPLICATES, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	CU_ASSERT_STRING_EQUAL(jstr(j, "schema"), "natlab-matrix/1");
	missing = json_object_get(j, "missing");
	failed = json_object_get(j, "failed");
	CU_ASSERT_EQUAL_FATAL(json_array_size(missing), 1);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_array_get(missing, 0)),
			       "plt-3");
	CU_ASSERT_EQUAL_FATAL(json_array_size(failed), 2);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_array_get(failed, 0)),
			       "plt-2");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_array_get(failed, 1)),
			       "plt-4");
	cells = json_object_get(j, "cells");
	CU_ASSERT_STRING_EQUAL(jstr(json_array_get(cells, 3), "result"),
			       "failed");
	CU_ASSERT(json_is_integer(
		json_object_get(json_array_get(cells, 3), "status")));
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(
				json_array_get(cells, 3), "status")),
			3);
	CU_ASSERT_EQUAL(json_object_size(json_object_get(
				json_array_get(cells, 0), "metrics")),
			4);
	json_decref(j);
	free(text);
	rm_dir();
}

/* A manifest that is not one: refused before anything is printed. */
static void test_collect_bad_manifest(void)
{
	static const char *const bad[] = {
		"",
		"{\"schema\": \"natlab-plan/2\"}",
		"{\"schema\": \"natlab-plan/1\", \"axes\": []}",
		"{\"schema\": \"natlab-plan/1\", \"axes\": [{\"key\": \"a.b\", "
		"\"values\": [\"1\"]}], \"metrics\": [\"x.y\"], \"cells\": "
		"[{\"name\": \"c-1\", \"values\": {\"a.b\": \"2\"}}]}",
		"{\"schema\": \"natlab-plan/1\", \"axes\": [{\"key\": \"a.b\", "
		"\"values\": [\"1\"]}], \"metrics\": [\"x.y\"], \"cells\": "
		"[{\"name\": \"../c\", \"values\": {\"a.b\": \"1\"}}]}",
	};
	size_t i;

	fresh_dir();
	CU_ASSERT_EQUAL(collect(), -EINVAL); /* no plan at all */
	CU_ASSERT_EQUAL_FATAL(mkdir(at("p"), 0700), 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		put("p/plan.json", bad[i]);
		CU_ASSERT_EQUAL(collect(), -EINVAL);
	}
	rm_dir();
}

/* The picture of a collected 2 x 2 sweep: a heat map per metric, the
 * first axis down and the second across, each cell a rect whose title
 * and data say its cell, metric and value; a cell without metrics grey,
 * with "-". */
static void test_svg_heat(void)
{
	char *svg;

	fresh_dir();
	CU_ASSERT_EQUAL_FATAL(plan_2x2("srv.legacy.tcp_tw_recycle=0,1"), 0);
	put_report("plt-1", 0, 1);
	put_report("plt-3", 7, 0);
	put_report("plt-4", 2, 1);
	CU_ASSERT_EQUAL(collect(), -EIO); /* plt-2 is missing */
	svg = slurp("m.svg");
	CU_ASSERT_PTR_NOT_NULL_FATAL(svg);
	CU_ASSERT_EQUAL(strncmp(svg, "<svg xmlns=", 11), 0);
	CU_ASSERT_EQUAL(unit_xml_check(svg), 0);
	/* 4 cells x 3 metrics */
	CU_ASSERT_EQUAL(unit_count_str(svg, "<rect class='cell'"), 12);
	CU_ASSERT_EQUAL(unit_count_str(svg, "data-value="), 9);
	CU_ASSERT_PTR_NOT_NULL(
		strstr(svg, "<title>plt-3: srv.legacy.tcp_tw_recycle=1, "
			    "clients.tsclock=host: srv.syn_dropped 7</title>"
			    "<rect class='cell' data-cell='plt-3' "
			    "data-metric='srv.syn_dropped' data-value='7' "));
	CU_ASSERT_PTR_NOT_NULL(
		strstr(svg, "clients.connect_p99 1.2ms</title>"));
	CU_ASSERT_PTR_NOT_NULL(
		strstr(svg, "<title>plt-2: srv.legacy.tcp_tw_recycle=0, "
			    "clients.tsclock=per-connection: clients.attempts "
			    "-</title>"));
	CU_ASSERT_EQUAL(unit_count_str(svg, "fill='#e0e0e0'"), 3);
	/* Each metric from 0 (lightest) to its highest (darkest): the
	 * drops' 7, and every cell's attempts and p99, all the same. */
	CU_ASSERT_EQUAL(unit_count_str(svg, "fill='#08306b'"), 7);
	CU_ASSERT_EQUAL(unit_count_str(svg, "fill='#f2f6fc'"), 1);
	/* Rows and columns labelled with the axes' values, once a map. */
	CU_ASSERT_EQUAL(
		unit_count_str(svg, "'clients.tsclock'>per-connection<"), 3);
	CU_ASSERT_EQUAL(unit_count_str(svg, "'srv.legacy.tcp_tw_recycle'>1<"),
			3);
	CU_ASSERT_PTR_NOT_NULL(
		strstr(svg, "rows: srv.legacy.tcp_tw_recycle (its values at "
			    "the left); columns: clients.tsclock (on top)"
			    "</text>"));
	free(svg);
	rm_dir();
}

/* One axis: a bar per value for each metric; three axes: per metric a
 * map of the last two for each value of the first, captioned. */
static void test_svg_bars_multiples(void)
{
	char *svg, name[16];
	int i;

	fresh_dir();
	CU_ASSERT_EQUAL_FATAL(
		plan_axes("srv.legacy.tcp_tw_recycle=0,1", NULL, NULL), 0);
	put_report("plt-1", 0, 1);
	put_report("plt-2", 5, 1);
	CU_ASSERT_EQUAL(collect(), 0);
	svg = slurp("m.svg");
	CU_ASSERT_PTR_NOT_NULL_FATAL(svg);
	CU_ASSERT_EQUAL(unit_count_str(svg, "<rect class='cell'"), 6);
	CU_ASSERT_PTR_NOT_NULL(
		strstr(svg, "a bar per value of srv.legacy.tcp_tw_recycle"));
	CU_ASSERT_PTR_NOT_NULL(strstr(svg, "srv.syn_dropped 5</title>"));
	CU_ASSERT_EQUAL(unit_xml_check(svg), 0);
	free(svg);
	rm_dir();

	fresh_dir();
	CU_ASSERT_EQUAL_FATAL(
		plan_axes("srv.legacy.tcp_tw_recycle=0,1",
			  "srv.sysctl.net.ipv4.tcp_timestamps=0,1",
			  "clients.tsclock=host,per-connection"),
		0);
	for (i = 1; i <= 8; i++) {
		snprintf(name, sizeof(name), "plt-%d", i);
		put_report(name, i, 1);
	}
	CU_ASSERT_EQUAL(collect(), 0);
	svg = slurp("m.svg");
	CU_ASSERT_PTR_NOT_NULL_FATAL(svg);
	CU_ASSERT_EQUAL(unit_count_str(svg, "<rect class='cell'"), 24);
	CU_ASSERT_EQUAL(unit_xml_check(svg), 0);
	/* Two maps a metric, each captioned with its value of the first
	 * axis. */
	CU_ASSERT_EQUAL(unit_count_str(svg, "class='ax'>srv.legacy."
					    "tcp_tw_recycle=1</text>"),
			3);
	CU_ASSERT_PTR_NOT_NULL(
		strstr(svg, "<title>plt-6: srv.legacy.tcp_tw_recycle=1, "
			    "srv.sysctl.net.ipv4.tcp_timestamps=0, "
			    "clients.tsclock=per-connection: srv.syn_dropped "
			    "6</title>"));
	CU_ASSERT_PTR_NOT_NULL(strstr(svg, "a map for each value of srv.legacy."
					   "tcp_tw_recycle</text>"));
	free(svg);
	rm_dir();
}

/* Names and values from a plan written by hand reach the picture as
 * XML text: & < > ' " escaped. */
static void test_svg_escaped(void)
{
	char *svg;

	fresh_dir();
	CU_ASSERT_EQUAL_FATAL(mkdir(at("p"), 0700), 0);
	CU_ASSERT_EQUAL_FATAL(mkdir(at("p/results"), 0700), 0);
	put("p/plan.json",
	    "{\"schema\": \"natlab-plan/1\", \"axes\": [{\"key\": "
	    "\"a.b\", \"values\": [\"x&y\", \"<'\\\"z\\\"'>\"]}], "
	    "\"metrics\": [\"clients.attempts\"], \"cells\": [{\"name\": "
	    "\"c-1\", \"values\": {\"a.b\": \"x&y\"}}, {\"name\": \"c-2\", "
	    "\"values\": {\"a.b\": \"<'\\\"z\\\"'>\"}}]}");
	CU_ASSERT_EQUAL(collect(), -EIO); /* both missing */
	svg = slurp("m.svg");
	CU_ASSERT_PTR_NOT_NULL_FATAL(svg);
	CU_ASSERT_EQUAL(unit_xml_check(svg), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(svg, "'a.b'>x&amp;y</text>"));
	CU_ASSERT_PTR_NOT_NULL(
		strstr(svg, "'a.b'>&lt;&apos;&quot;z&quot;&apos;&gt;</text>"));
	CU_ASSERT_EQUAL(unit_count_str(svg, "<rect class='cell'"), 2);
	free(svg);
	rm_dir();
}

static const struct unit_test tests[] = {
	{"plan: files, jobs and manifest", test_plan_files},
	{"plan: bad input writes nothing", test_plan_refused},
	{"collect: the table from the reports", test_collect_all},
	{"collect: missing and failed cells", test_collect_missing_failed},
	{"collect: a bad manifest", test_collect_bad_manifest},
	{"svg: a heat map per metric, a missing cell", test_svg_heat},
	{"svg: bars for one axis, small multiples for three",
	 test_svg_bars_multiples},
	{"svg: names and values escaped", test_svg_escaped},
	{0},
};
UNIT_SUITE("matrix plan", tests);
