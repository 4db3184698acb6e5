/* test_report.c - metrics, their file, percentiles, comparisons, a run's
 * metrics from its records and counters, and the run writers. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "run/counters.h"
#include "run/metrics.h"
#include "run/report.h"
#include "run/report_svg.h"
#include "run/run_metrics.h"
#include "run/traffic.h"
#include "topo/topo.h"
#include "unit.h"

/* ---- an in-memory FILE ---- */

struct mem {
	char *buf;
	size_t len;
	FILE *f;
};

static void mem_open(struct mem *m)
{
	memset(m, 0, sizeof(*m));
	m->f = open_memstream(&m->buf, &m->len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m->f);
}

/* Close the stream; then m->buf holds m->len bytes and a NUL. */
static const char *mem_close(struct mem *m)
{
	CU_ASSERT_EQUAL(fclose(m->f), 0);
	m->f = NULL;
	return m->buf;
}

/* ---- a JSON checker ----
 *
 * Recursive descent over RFC 8259: objects, arrays, strings with every
 * escape, numbers, true/false/null, nothing after the top value.  As it
 * goes it flattens the document into (path, value) pairs, so that tests
 * can look values up by path: "expect[1].pass", "metrics.c1.attempts",
 * and "connections[]" for the length of an array.  Strings are stored
 * decoded, other scalars as written.
 */

#define JFLAT_MAX  512
#define JPATH_MAX  128
#define JVAL_MAX   256
#define JDEPTH_MAX 32

struct jflat {
	char path[JPATH_MAX];
	char val[JVAL_MAX];
	int str; /* the value was a string */
};

struct jparse {
	const char *s;
	size_t i;
	int depth;
	char path[JPATH_MAX];
	struct jflat *out;
	int nout;
};

static struct jflat jflat[JFLAT_MAX];
static int njflat;
static int jquiet; /* do not show where a check failed */

static void j_ws(struct jparse *p)
{
	while (p->s[p->i] == ' ' || p->s[p->i] == '\t' || p->s[p->i] == '\n' ||
	       p->s[p->i] == '\r')
		p->i++;
}

static void j_emit(struct jparse *p, const char *val, size_t len, int str)
{
	struct jflat *f;

	if (p->nout == JFLAT_MAX)
		return;
	f = &p->out[p->nout++];
	snprintf(f->path, sizeof(f->path), "%s", p->path);
	if (len >= sizeof(f->val))
		len = sizeof(f->val) - 1;
	memcpy(f->val, val, len);
	f->val[len] = '\0';
	f->str = str;
}

static int j_hex(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* A string; decoded into buf (at most len - 1 bytes kept). */
static int j_string(struct jparse *p, char *buf, size_t len)
{
	size_t n = 0;

	if (p->s[p->i] != '"')
		return -1;
	p->i++;
	for (;;) {
		unsigned char c = (unsigned char)p->s[p->i];
		int out;

		if (c == '"')
			break;
		if (c < 0x20) /* raw control characters, and the end */
			return -1;
		p->i++;
		out = c;
		if (c == '\\') {
			c = (unsigned char)p->s[p->i++];
			switch (c) {
			case '"':
			case '\\':
			case '/':
				out = c;
				break;
			case 'b':
				out = '\b';
				break;
			case 'f':
				out = '\f';
				break;
			case 'n':
				out = '\n';
				break;
			case 'r':
				out = '\r';
				break;
			case 't':
				out = '\t';
				break;
			case 'u': {
				int k, d;

				out = 0;
				for (k = 0; k < 4; k++) {
					d = j_hex(p->s[p->i++]);
					if (d < 0)
						return -1;
					out = out << 4 | d;
				}
				if (out >= 0x80) /* enough for these tests */
					out = '?';
				break;
			}
			default:
				return -1;
			}
		}
		if (n + 1 < len)
			buf[n++] = (char)out;
	}
	p->i++;
	if (len)
		buf[n] = '\0';
	return 0;
}

static int j_digits(struct jparse *p)
{
	size_t start = p->i;

	while (isdigit((unsigned char)p->s[p->i]))
		p->i++;
	return p->i > start ? 0 : -1;
}

static int j_number(struct jparse *p)
{
	size_t start = p->i;

	if (p->s[p->i] == '-')
		p->i++;
	if (p->s[p->i] == '0')
		p->i++;
	else if (j_digits(p))
		return -1;
	if (p->s[p->i] == '.') {
		p->i++;
		if (j_digits(p))
			return -1;
	}
	if (p->s[p->i] == 'e' || p->s[p->i] == 'E') {
		p->i++;
		if (p->s[p->i] == '+' || p->s[p->i] == '-')
			p->i++;
		if (j_digits(p))
			return -1;
	}
	j_emit(p, p->s + start, p->i - start, 0);
	return 0;
}

static int j_value(struct jparse *p);

/* Descend into a member or element: append to the path, parse, restore. */
static int j_child(struct jparse *p, const char *key, int idx)
{
	size_t plen = strlen(p->path);
	int err;

	if (key)
		snprintf(p->path + plen, sizeof(p->path) - plen, "%s%s",
			 plen ? "." : "", key);
	else
		snprintf(p->path + plen, sizeof(p->path) - plen, "[%d]", idx);
	err = j_value(p);
	p->path[plen] = '\0';
	return err;
}

/* Record an array's length (or an object's size) under "path[]". */
static void j_count(struct jparse *p, int n)
{
	size_t plen = strlen(p->path);
	char num[16];

	snprintf(p->path + plen, sizeof(p->path) - plen, "[]");
	snprintf(num, sizeof(num), "%d", n);
	j_emit(p, num, strlen(num), 0);
	p->path[plen] = '\0';
}

static int j_object(struct jparse *p)
{
	char key[JPATH_MAX];
	int n = 0;

	p->i++; /* '{' */
	j_ws(p);
	if (p->s[p->i] == '}') {
		p->i++;
		j_count(p, 0);
		return 0;
	}
	for (;;) {
		j_ws(p);
		if (j_string(p, key, sizeof(key)))
			return -1;
		j_ws(p);
		if (p->s[p->i] != ':')
			return -1;
		p->i++;
		if (j_child(p, key, 0))
			return -1;
		n++;
		j_ws(p);
		if (p->s[p->i] == ',') {
			p->i++;
			continue;
		}
		if (p->s[p->i] != '}')
			return -1;
		p->i++;
		j_count(p, n);
		return 0;
	}
}

static int j_array(struct jparse *p)
{
	int n = 0;

	p->i++; /* '[' */
	j_ws(p);
	if (p->s[p->i] == ']') {
		p->i++;
		j_count(p, 0);
		return 0;
	}
	for (;;) {
		if (j_child(p, NULL, n))
			return -1;
		n++;
		j_ws(p);
		if (p->s[p->i] == ',') {
			p->i++;
			continue;
		}
		if (p->s[p->i] != ']')
			return -1;
		p->i++;
		j_count(p, n);
		return 0;
	}
}

static int j_literal(struct jparse *p, const char *word)
{
	size_t n = strlen(word);

	if (strncmp(p->s + p->i, word, n))
		return -1;
	p->i += n;
	j_emit(p, word, n, 0);
	return 0;
}

static int j_value(struct jparse *p)
{
	char buf[JVAL_MAX];
	int err;

	j_ws(p);
	if (p->depth >= JDEPTH_MAX)
		return -1;
	switch (p->s[p->i]) {
	case '{':
		p->depth++;
		err = j_object(p);
		p->depth--;
		return err;
	case '[':
		p->depth++;
		err = j_array(p);
		p->depth--;
		return err;
	case '"':
		if (j_string(p, buf, sizeof(buf)))
			return -1;
		j_emit(p, buf, strlen(buf), 1);
		return 0;
	case 't':
		return j_literal(p, "true");
	case 'f':
		return j_literal(p, "false");
	case 'n':
		return j_literal(p, "null");
	default:
		return j_number(p);
	}
}

/* Check text and flatten it into jflat[].  Return: 0 if it is one valid
 * JSON value, or -1 (and the text around the fault is printed). */
static int json_check(const char *text)
{
	struct jparse p = {.s = text, .out = jflat};
	int err;

	err = j_value(&p);
	if (!err) {
		j_ws(&p);
		err = text[p.i] ? -1 : 0;
	}
	njflat = p.nout;
	if (err && !jquiet)
		fprintf(stderr, "\njson: error at byte %zu: '%.40s'\n", p.i,
			text + (p.i > 20 ? p.i - 20 : 0));
	return err;
}

/* The flattened value at path, or NULL. */
static const struct jflat *jget(const char *path)
{
	int i;

	for (i = 0; i < njflat; i++)
		if (!strcmp(jflat[i].path, path))
			return &jflat[i];
	return NULL;
}

/* Whether path holds a string (str = 1) or a scalar as written. */
static int jis(const char *path, const char *val, int str)
{
	const struct jflat *f = jget(path);

	if (!f || strcmp(f->val, val) || f->str != str) {
		fprintf(stderr, "\njson: %s is %s%s%s, expected %s\n", path,
			f && f->str ? "\"" : "", f ? f->val : "(missing)",
			f && f->str ? "\"" : "", val);
		return 0;
	}
	return 1;
}

#define CHECK_JSTR(path, val) CU_ASSERT(jis(path, val, 1))
#define CHECK_JVAL(path, val) CU_ASSERT(jis(path, val, 0))

/* ---- percentiles ---- */

/* Durations given in milliseconds, as the microseconds a run keeps. */
static void to_us(uint32_t *us, const double *ms, uint32_t n)
{
	uint32_t i;

	for (i = 0; i < n; i++)
		us[i] = (uint32_t)(ms[i] * 1000 + 0.5);
}

static void test_percentile_small(void)
{
	uint32_t one[1] = {42000};

	CU_ASSERT_EQUAL(metrics_percentile_us(NULL, 0, 50), 0);
	CU_ASSERT_EQUAL(metrics_percentile_us(one, 0, 99), 0);
	CU_ASSERT_EQUAL(metrics_percentile_us(one, 1, 0), 42);
	CU_ASSERT_EQUAL(metrics_percentile_us(one, 1, 1), 42);
	CU_ASSERT_EQUAL(metrics_percentile_us(one, 1, 50), 42);
	CU_ASSERT_EQUAL(metrics_percentile_us(one, 1, 99), 42);
	CU_ASSERT_EQUAL(metrics_percentile_us(one, 1, 100), 42);
	/* microseconds come out as milliseconds, fractions kept */
	one[0] = 1;
	CU_ASSERT_EQUAL(metrics_percentile_us(one, 1, 50), 0.001);
	one[0] = 3054350;
	CU_ASSERT_EQUAL(metrics_percentile_us(one, 1, 50), 3054.35);
}

/* A percentile and its value in ms, worked out by hand. */
struct pct_case {
	double p, ms;
};

static void check_pct(uint32_t *v, uint32_t n, const struct pct_case *c,
		      size_t nc)
{
	size_t i;

	for (i = 0; i < nc; i++) {
		double got = metrics_percentile_us(v, n, c[i].p);

		if (got != c[i].ms) {
			fprintf(stderr, "\np%g of %u values: %g, expected %g\n",
				c[i].p, n, got, c[i].ms);
			CU_FAIL("percentile");
		}
	}
}

#define CHECK_PCT(v, n, cases)                                                 \
	check_pct(v, n, cases, sizeof(cases) / sizeof(cases[0]))

static void test_percentile_hundred(void)
{
	/* not on a whole rank (50.5, 99.9): the next one up */
	static const struct pct_case c[] = {
		{50, 50}, {99, 99}, {100, 100}, {1, 1},	     {0, 1},
		{25, 25}, {90, 90}, {50.5, 51}, {99.9, 100},
	};
	uint32_t v[100];
	int i;

	for (i = 0; i < 100; i++)
		v[i] = (uint32_t)(i + 1) * 1000;
	CHECK_PCT(v, 100, c);
}

static void test_percentile_ten(void)
{
	static const struct pct_case c[] = {
		{99, 15},  {100, 15}, {90, 13.5}, {91, 15},
		{50, 7.5}, {51, 9},   {10, 1.5},  {11, 3},
	};
	uint32_t v[10];
	int i;

	for (i = 0; i < 10; i++)
		v[i] = (uint32_t)(i + 1) * 1500;
	CHECK_PCT(v, 10, c);
}

static void test_percentile_unsorted(void)
{
	static const double ms[] = {9, 3, 7, 1, 10, 4, 2, 8, 6, 5};
	static const double wms[] = {0.25, 0.003, 12.5, 7};
	static const struct pct_case wc[] = {
		{100, 12.5}, {25, 0.003}, {26, 0.25}, {75, 7}};
	uint32_t v[10], w[4], i;

	to_us(v, ms, 10);
	to_us(w, wms, 4);
	CU_ASSERT_EQUAL(metrics_percentile_us(v, 10, 50), 5);
	/* sorted in place, as documented */
	for (i = 0; i < 10; i++)
		CU_ASSERT_EQUAL(v[i], (i + 1) * 1000);
	CU_ASSERT_EQUAL(metrics_percentile_us(v, 10, 99), 10);
	CHECK_PCT(w, 4, wc);
}

static void test_percentile_duplicates(void)
{
	static const double ms[] = {5, 1, 5, 5, 2, 5, 5, 1};
	/* sorted: 1 1 2 5 5 5 5 5 */
	static const struct pct_case c[] = {
		{25, 1}, {26, 2}, {37.5, 2}, {38, 5}, {50, 5}, {99, 5},
	};
	static const struct pct_case same_c[] = {
		{1, 3.25}, {50, 3.25}, {100, 3.25}};
	uint32_t v[8], same[50], i;

	to_us(v, ms, 8);
	CHECK_PCT(v, 8, c);
	for (i = 0; i < 50; i++)
		same[i] = 3250;
	CHECK_PCT(same, 50, same_c);
}

/* Ranks computed as p * n / 100 stay exact where p / 100 * n did not. */
static void test_percentile_rounding(void)
{
	uint32_t v[100];
	int i;

	for (i = 0; i < 100; i++)
		v[i] = (uint32_t)(i + 1) * 1000;
	CU_ASSERT_EQUAL(metrics_percentile_us(v, 100, 7), 7);
	for (i = 0; i < 50; i++)
		v[i] = (uint32_t)(i + 1) * 1000;
	CU_ASSERT_EQUAL(metrics_percentile_us(v, 50, 14), 7);
}

/* The nearest rank by its definition, without sorting: the smallest value
 * with at least p% of the n values at or below it. */
static uint32_t rank_by_definition(const uint32_t *v, uint32_t n, double p)
{
	uint32_t i, j, best = UINT32_MAX;

	for (i = 0; i < n; i++) {
		uint32_t at_or_below = 0;

		for (j = 0; j < n; j++)
			at_or_below += v[j] <= v[i];
		if (at_or_below * 100.0 >= p * n && v[i] < best)
			best = v[i];
	}
	return best;
}

/* Random durations, with and without repeats, against the definition. */
static void test_percentile_definition(void)
{
	static const double ps[] = {0, 1, 25, 50, 90, 99, 99.9, 100};
	uint32_t us[257] = {0}, want, x = 12345;
	uint32_t n, i, k;
	int ok = 1;

	for (n = 1; n <= 257; n += 32) {
		for (k = 0; k < sizeof(ps) / sizeof(ps[0]); k++) {
			for (i = 0; i < n; i++) {
				x = x * 1103515245u + 12345u;
				/* every other round: few distinct values */
				us[i] = (x >> 8) % (k & 1 ? 7u : 3000000u);
			}
			want = rank_by_definition(us, n, ps[k]);
			if (metrics_percentile_us(us, n, ps[k]) !=
			    want / 1000.0)
				ok = 0;
		}
	}
	CU_ASSERT(ok);
}

/* ---- metrics ---- */

static void test_metrics_set_get(void)
{
	struct metrics m = {0};
	const struct metric *mt;

	CU_ASSERT_PTR_NULL(metrics_get(&m, "c1.attempts"));
	metrics_set(&m, "c1", "attempts", 3, 0);
	metrics_set(&m, "c1", "connect_p50", 12.5, 1);
	metrics_set(&m, "clients", "attempts", 3, 0);
	CU_ASSERT_EQUAL(m.n, 3);

	mt = metrics_get(&m, "c1.attempts");
	CU_ASSERT_PTR_NOT_NULL_FATAL(mt);
	CU_ASSERT_STRING_EQUAL(mt->name, "c1.attempts");
	CU_ASSERT_EQUAL(mt->value, 3);
	CU_ASSERT_EQUAL(mt->ms, 0);
	mt = metrics_get(&m, "c1.connect_p50");
	CU_ASSERT_PTR_NOT_NULL_FATAL(mt);
	CU_ASSERT_EQUAL(mt->value, 12.5);
	CU_ASSERT_EQUAL(mt->ms, 1);

	/* replaced in place, not added */
	metrics_set(&m, "c1", "attempts", 7, 1);
	CU_ASSERT_EQUAL(m.n, 3);
	mt = metrics_get(&m, "c1.attempts");
	CU_ASSERT_PTR_NOT_NULL_FATAL(mt);
	CU_ASSERT_PTR_EQUAL(mt, &m.v[0]);
	CU_ASSERT_EQUAL(mt->value, 7);
	CU_ASSERT_EQUAL(mt->ms, 1);

	/* whole names only */
	CU_ASSERT_PTR_NULL(metrics_get(&m, "c1"));
	CU_ASSERT_PTR_NULL(metrics_get(&m, "c1.attempt"));
	CU_ASSERT_PTR_NULL(metrics_get(&m, "c2.attempts"));
	CU_ASSERT_PTR_NULL(metrics_get(&m, "attempts"));
	CU_ASSERT_EQUAL(metrics_get(&m, "clients.attempts")->value, 3);

	metrics_free(&m);
	CU_ASSERT_PTR_NULL(m.v);
	CU_ASSERT_EQUAL(m.n, 0);
	CU_ASSERT_EQUAL(m.cap, 0);
	CU_ASSERT_PTR_NULL(metrics_get(&m, "c1.attempts"));
}

static void test_metrics_grow(void)
{
	struct metrics m = {0};
	char node[16];
	int i, ok = 1;

	for (i = 0; i < 200; i++) {
		snprintf(node, sizeof(node), "n%d", i);
		metrics_set(&m, node, "v", i * 0.5, i & 1);
	}
	CU_ASSERT_EQUAL(m.n, 200);
	CU_ASSERT(m.cap >= 200);
	/* set again: every one is found and replaced, none added */
	for (i = 0; i < 200; i++) {
		snprintf(node, sizeof(node), "n%d", i);
		metrics_set(&m, node, "v", i * 2.0, 0);
	}
	CU_ASSERT_EQUAL(m.n, 200);
	for (i = 0; i < 200; i++) {
		char full[32];
		const struct metric *mt;

		snprintf(full, sizeof(full), "n%d.v", i);
		mt = metrics_get(&m, full);
		if (!mt || mt->value != i * 2.0 || mt->ms)
			ok = 0;
	}
	CU_ASSERT(ok);
	CU_ASSERT_PTR_NULL(metrics_get(&m, "n200.v"));
	metrics_free(&m);
}

/* ---- comparisons ---- */

static void test_compare(void)
{
	/* value vs ref 5: less (4), equal (5), greater (6) */
	static const struct {
		enum topo_cmp op;
		int less, equal, greater;
	} want[] = {
		{TOPO_EQ, 0, 1, 0}, {TOPO_NE, 1, 0, 1}, {TOPO_LT, 1, 0, 0},
		{TOPO_LE, 1, 1, 0}, {TOPO_GT, 0, 0, 1}, {TOPO_GE, 0, 1, 1},
	};
	size_t i;

	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		enum topo_cmp op = want[i].op;

		CU_ASSERT_EQUAL(!!metrics_compare(4, op, 5), want[i].less);
		CU_ASSERT_EQUAL(!!metrics_compare(5, op, 5), want[i].equal);
		CU_ASSERT_EQUAL(!!metrics_compare(6, op, 5), want[i].greater);
		/* fractions and negatives, close to the reference */
		CU_ASSERT_EQUAL(!!metrics_compare(-0.5, op, -0.25),
				want[i].less);
		CU_ASSERT_EQUAL(!!metrics_compare(1500, op, 1.5 * 1000),
				want[i].equal);
		CU_ASSERT_EQUAL(!!metrics_compare(100000.001, op, 100000),
				want[i].greater);
	}
}

/* ---- writers ---- */

/* The checker must reject what is not JSON, or its passes prove
 * nothing. */
static void test_json_checker(void)
{
	static const char *const good[] = {
		"{}",
		"[]",
		" 0 ",
		"-0.5e-3",
		"\"\\/\\b\\f\\n\\r\\t\\u0041\"",
		"{\"a\": [1, -2.5E+3, true, false, null, {\"b\": {}}]}",
	};
	static const char *const bad[] = {
		"",	    "{",	 "{\"a\": 1,}", "[1,]",	     "[1 2]",
		"{a: 1}",   "{\"a\" 1}", "\"\\x\"",	"\"\\u12\"", "\"a",
		"\"a\nb\"", "01",	 "1.",		"-",	     ".5",
		"+1",	    "nan",	 "inf",		"-inf",	     "tru",
		"{} {}",    "[\"a\"]]",	 "{\"a\"}",	"'a'",
	};
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		CU_ASSERT_EQUAL(json_check(good[i]), 0);
	jquiet = 1;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CU_ASSERT_EQUAL(json_check(bad[i]), -1);
	jquiet = 0;

	CU_ASSERT_EQUAL(json_check("{\"a\": [1, {\"b\": \"x\\ty\"}], "
				   "\"c.d\": null}"),
			0);
	CHECK_JVAL("a[]", "2");
	CHECK_JVAL("a[0]", "1");
	CHECK_JSTR("a[1].b", "x\ty");
	CHECK_JVAL("c.d", "null");
	CHECK_JVAL("[]", "2");
	CU_ASSERT_PTR_NULL(jget("a[2]"));
}

/* A lab: gw, srv, c1, c2 (gateways, servers, then clients). */
static const char lab_text[] = "[lab]\n"		      /* 1 */
			       "name = replab\n"	      /* 2 */
			       "[network lan]\n"	      /* 3 */
			       "subnet = 10.0.0.0/24\n"	      /* 4 */
			       "[network wan]\n"	      /* 5 */
			       "subnet = 198.51.100.0/24\n"   /* 6 */
			       "[gateway gw]\n"		      /* 7 */
			       "inside = lan\n"		      /* 8 */
			       "outside = wan\n"	      /* 9 */
			       "[server srv]\n"		      /* 10 */
			       "network = wan\n"	      /* 11 */
			       "[clients]\n"		      /* 12 */
			       "count = 2\n"		      /* 13 */
			       "network = lan\n"	      /* 14 */
			       "[expect]\n"		      /* 15 */
			       "clients.attempts == 3\n"      /* 16 */
			       "clients.failed == 0  # no\n"; /* 17 */

static struct topo lab;
static struct expect_result lab_expects[2];
static const struct tr_rec lab_recs[3] = {
	{.start_us = 1000,
	 .connect_us = 1500,
	 .end_us = 5000,
	 .client = 2,
	 .sport = 40000,
	 .seq = 0,
	 .outcome = TR_OK,
	 .flags = TR_F_CONNECTED},
	{.start_us = 101000,
	 .connect_us = 3000000,
	 .end_us = 3101000,
	 .client = 3,
	 .sport = 40001,
	 .seq = 0,
	 .outcome = TR_TIMEOUT,
	 .syn_retrans = 6},
	{.start_us = 201000,
	 .connect_us = 250,
	 .end_us = 201250,
	 .client = 2,
	 .sport = 40002,
	 .seq = 1,
	 .outcome = TR_REFUSED},
};

/* A run of three attempts with no capture; d->m must be freed. */
static void lab_run(struct run_data *d)
{
	int err;

	memset(d, 0, sizeof(*d));
	topo_free(&lab);
	err = topo_parse_buf(&lab, "lab.topo", lab_text, strlen(lab_text));
	if (err)
		topo_print_errors(&lab);
	CU_ASSERT_EQUAL_FATAL(err, 0);
	CU_ASSERT_EQUAL_FATAL(lab.nnodes, 4);
	CU_ASSERT_STRING_EQUAL_FATAL(lab.nodes[2].name, "c1");
	CU_ASSERT_EQUAL_FATAL(lab.nexpects, 2);

	d->t = &lab;
	d->topo_path = "topo/lab.topo";
	d->recs = lab_recs;
	d->nrecs = 3;
	d->cap = NULL;
	metrics_set(&d->m, "c1", "attempts", 2, 0);
	metrics_set(&d->m, "c2", "attempts", 1, 0);
	metrics_set(&d->m, "clients", "attempts", 3, 0);
	metrics_set(&d->m, "clients", "failed", 2, 0);
	metrics_set(&d->m, "clients", "connect_p50", 12.5, 1);
	metrics_set(&d->m, "gw", "mappings", 2, 0);
	metrics_set(&d->m, "srv", "syn_in", 9, 0);
	d->expects = lab_expects;
	d->nexpects = lab.nexpects;
	d->failed = metrics_expect(&lab, &d->m, lab_expects);
	d->elapsed_us = 3250000;
	snprintf(d->kernel, sizeof(d->kernel), "6.1.0 \"lab\"\tbuild\n");
	snprintf(d->engine_queue, sizeof(d->engine_queue), "nft-queue");
}

static void test_json_run(void)
{
	struct run_data d;
	struct mem m;

	lab_run(&d);
	CU_ASSERT_EQUAL(d.failed, 1);
	/* not held by 15 digits: written with the 16 that read back the
	 * same double */
	metrics_set(&d.m, "clients", "connect_avg", 1000.0 / 3, 1);
	mem_open(&m);
	CU_ASSERT_EQUAL(report_json(m.f, &d), 0);
	mem_close(&m);
	CU_ASSERT_EQUAL_FATAL(json_check(m.buf), 0);
	CU_ASSERT(njflat < JFLAT_MAX);

	CHECK_JSTR("schema", REPORT_SCHEMA);
	CHECK_JSTR("schema", "natlab-run/1");
	CHECK_JSTR("lab", "replab");
	CHECK_JSTR("topology", "topo/lab.topo");
	CHECK_JSTR("kernel", "6.1.0 \"lab\"\tbuild\n");
	CHECK_JVAL("elapsed_ms", "3250");
	CHECK_JSTR("engine_queue", "nft-queue");

	CHECK_JVAL("nodes[]", "4");
	CHECK_JSTR("nodes[0].name", "gw");
	CHECK_JSTR("nodes[0].kind", "gateway");
	CHECK_JSTR("nodes[0].address", "10.0.0.1");
	CHECK_JSTR("nodes[1].name", "srv");
	CHECK_JSTR("nodes[1].kind", "server");
	CHECK_JVAL("nodes[1].legacy_tcp_tw_recycle", "0");
	CHECK_JSTR("nodes[3].name", "c2");
	CHECK_JSTR("nodes[3].kind", "client");
	CHECK_JSTR("nodes[3].tsclock", "per-connection");
	CHECK_JSTR("nodes[1].tsclock", "per-connection");
	CHECK_JVAL("nodes[3].legacy_tcp_tw_recycle", "0");
	CHECK_JSTR("nodes[3].legacy_model", "4.4");
	CU_ASSERT_PTR_NULL(jget("nodes[0].tsclock"));
	CU_ASSERT_PTR_NULL(jget("nodes[0].legacy_model"));

	CHECK_JVAL("metrics[]", "8");
	CHECK_JVAL("metrics.c1.attempts", "2");
	CHECK_JVAL("metrics.clients.attempts", "3");
	CHECK_JVAL("metrics.clients.connect_p50", "12.5");
	CHECK_JVAL("metrics.clients.connect_avg", "333.3333333333333");
	CU_ASSERT_EQUAL(strtod("333.3333333333333", NULL), 1000.0 / 3);
	CHECK_JVAL("metrics.gw.mappings", "2");
	CHECK_JVAL("durations_ms[]", "2");
	CHECK_JSTR("durations_ms[0]", "clients.connect_p50");
	CHECK_JSTR("durations_ms[1]", "clients.connect_avg");

	CHECK_JVAL("expect[]", "2");
	CHECK_JVAL("expect[0].line", "16");
	CHECK_JSTR("expect[0].expr", "clients.attempts == 3");
	CHECK_JVAL("expect[0].measured", "3");
	CHECK_JVAL("expect[0].pass", "true");
	CHECK_JVAL("expect[1].line", "17");
	CHECK_JSTR("expect[1].expr", "clients.failed == 0");
	CHECK_JVAL("expect[1].measured", "2");
	CHECK_JVAL("expect[1].pass", "false");

	CHECK_JVAL("connections[]", "3");
	CHECK_JSTR("connections[0].client", "c1");
	CHECK_JVAL("connections[0].sport", "40000");
	CHECK_JVAL("connections[0].start_ms", "1.0");
	CHECK_JVAL("connections[0].connect_ms", "1.5");
	CHECK_JSTR("connections[0].outcome", "ok");
	CHECK_JSTR("connections[1].client", "c2");
	CHECK_JSTR("connections[1].outcome", "timeout");
	CHECK_JVAL("connections[1].syn_retrans", "6");
	CHECK_JVAL("connections[2].seq", "1");
	CHECK_JSTR("connections[2].outcome", "refused");
	/* no capture: no per-SYN detail */
	CU_ASSERT_PTR_NULL(jget("connections[0].ext_port"));
	CU_ASSERT_PTR_NULL(jget("connections[0].syns[]"));

	free(m.buf);
	metrics_free(&d.m);
	topo_free(&lab);
}

/* Nothing measured yet: still one valid document with empty lists. */
static void test_json_empty_run(void)
{
	struct run_data d;
	struct mem m;

	lab_run(&d);
	metrics_free(&d.m);
	d.nrecs = 0;
	d.nexpects = 0;
	d.kernel[0] = '\0';
	mem_open(&m);
	CU_ASSERT_EQUAL(report_json(m.f, &d), 0);
	mem_close(&m);
	CU_ASSERT_EQUAL_FATAL(json_check(m.buf), 0);
	CHECK_JVAL("metrics[]", "0");
	CHECK_JVAL("durations_ms[]", "0");
	CHECK_JVAL("expect[]", "0");
	CHECK_JVAL("connections[]", "0");
	CHECK_JSTR("kernel", "");
	free(m.buf);
	topo_free(&lab);
}

static int count_char(const char *s, char c)
{
	int n = 0;

	for (; *s; s++)
		n += *s == c;
	return n;
}

static void test_csv(void)
{
	static const char header[] =
		"client,seq,sport,start_ms,connect_ms,outcome,syn_retrans,"
		"ext_port,syns_sent,syns_dropped,syns_twack\n";
	struct run_data d;
	struct mem m;
	char *line, *save = NULL;
	int rows = 0, commas_ok = 1;

	lab_run(&d);
	mem_open(&m);
	CU_ASSERT_EQUAL(report_csv(m.f, &d), 0);
	mem_close(&m);
	CU_ASSERT_EQUAL(count_char(m.buf, '\n'), 4);
	CU_ASSERT_EQUAL(strncmp(m.buf, header, strlen(header)), 0);
	CU_ASSERT_PTR_NOT_NULL(
		strstr(m.buf, "\nc1,0,40000,1.000,1.500,ok,0,0,0,0,0\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(
		m.buf, "\nc2,0,40001,101.000,3000.000,timeout,6,0,0,0,0\n"));
	CU_ASSERT_PTR_NOT_NULL(
		strstr(m.buf, "\nc1,1,40002,201.000,0.250,refused,0,"));
	for (line = strtok_r(m.buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		rows++;
		if (count_char(line, ',') != 10)
			commas_ok = 0;
	}
	CU_ASSERT_EQUAL(rows, 4);
	CU_ASSERT(commas_ok);
	free(m.buf);

	/* no connections: the header alone */
	d.nrecs = 0;
	mem_open(&m);
	CU_ASSERT_EQUAL(report_csv(m.f, &d), 0);
	mem_close(&m);
	CU_ASSERT_STRING_EQUAL(m.buf, header);
	free(m.buf);
	metrics_free(&d.m);
	topo_free(&lab);
}

static void test_table(void)
{
	struct run_data d;
	struct mem m;

	lab_run(&d);
	mem_open(&m);
	report_table(m.f, &d, REPORT_CLIENTS_AUTO);
	report_expects(m.f, &d);
	mem_close(&m);
	CU_ASSERT_EQUAL(strncmp(m.buf, "CLIENT ", 7), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(m.buf, "\nc1 "));
	CU_ASSERT_PTR_NOT_NULL(strstr(m.buf, "\nc2 "));
	CU_ASSERT_PTR_NOT_NULL(strstr(m.buf, "\nall "));
	CU_ASSERT_PTR_NOT_NULL(strstr(m.buf, "12.5ms"));
	CU_ASSERT_PTR_NOT_NULL(strstr(m.buf, "server srv: SYNs in 9,"));
	CU_ASSERT_PTR_NOT_NULL(strstr(m.buf, "gateway gw: mappings 2,"));
	CU_ASSERT_PTR_NOT_NULL(strstr(m.buf, "expectations (topo/lab.topo)"));
	CU_ASSERT_PTR_NOT_NULL(strstr(m.buf, "PASS  line 16"));
	CU_ASSERT_PTR_NOT_NULL(strstr(m.buf, "FAIL  line 17"));
	CU_ASSERT_PTR_NOT_NULL(strstr(m.buf, "1 of 2 expectations failed"));
	free(m.buf);
	metrics_free(&d.m);
	topo_free(&lab);
}

static void test_rec_size(void)
{
	CU_ASSERT(sizeof(struct tr_rec) <= 64);
	CU_ASSERT_EQUAL(sizeof(struct tr_rec), 24);
}

/* JSON has no NaN or infinity: such a metric is written as null. */
static void test_json_not_finite(void)
{
	struct run_data d;
	struct topo tp = {0};
	char *out = NULL;
	size_t len = 0;
	FILE *f;
	static const char text[] = "[lab]\nname = j\n[network wan]\n"
				   "subnet = 198.51.100.0/24\n"
				   "[server srv]\nnetwork = wan\n";

	CU_ASSERT_EQUAL_FATAL(topo_parse_buf(&tp, "j", text, strlen(text)), 0);
	memset(&d, 0, sizeof(d));
	d.t = &tp;
	d.topo_path = "j";
	metrics_set(&d.m, "srv", "syn_in", NAN, 0);
	f = open_memstream(&out, &len);
	CU_ASSERT_EQUAL(report_json(f, &d), 0);
	fclose(f);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"srv.syn_in\": null"));
	CU_ASSERT_PTR_NULL(strstr(out, "nan"));
	free(out);
	metrics_free(&d.m);
	topo_free(&tp);
}

/* ---- the metrics file ---- */

static void test_metrics_file(void)
{
	static const char want[] = "c1.attempts 3 0\n"
				   "clients.connect_p50 0.10000000000000001 1\n"
				   "srv.syn_in 1e+17 0\n";
	char path[] = "/tmp/natlab-metrics-XXXXXX", buf[512];
	struct metrics m = {0}, back = {0};
	FILE *f;
	size_t len;
	int fd;

	fd = mkstemp(path);
	CU_ASSERT_FATAL(fd >= 0);
	close(fd);
	metrics_set(&m, "c1", "attempts", 3, 0);
	metrics_set(&m, "clients", "connect_p50", 0.1, 1);
	metrics_set(&m, "srv", "syn_in", 1e17, 0);
	CU_ASSERT_EQUAL(metrics_save(&m, path), 0);
	f = fopen(path, "r+");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	len = fread(buf, 1, sizeof(buf) - 1, f);
	buf[len] = '\0';
	CU_ASSERT_STRING_EQUAL(buf, want);
	/* lines that are not "node.name value ms" are skipped */
	fseek(f, 0, SEEK_END);
	fputs("nodot 5 0\nc2.x y 0\nc2.short 1\n\n", f);
	fclose(f);

	/* read back into a set that has one of them: replaced in place */
	metrics_set(&back, "c1", "attempts", 9, 1);
	CU_ASSERT_EQUAL(metrics_load(&back, path), 0);
	CU_ASSERT_EQUAL_FATAL(back.n, 3);
	CU_ASSERT_STRING_EQUAL(back.v[0].name, "c1.attempts");
	CU_ASSERT_EQUAL(back.v[0].value, 3);
	CU_ASSERT_EQUAL(back.v[0].ms, 0);
	CU_ASSERT_STRING_EQUAL(back.v[1].name, "clients.connect_p50");
	CU_ASSERT_EQUAL(back.v[1].value, 0.1); /* the same double */
	CU_ASSERT_EQUAL(back.v[1].ms, 1);
	CU_ASSERT_STRING_EQUAL(back.v[2].name, "srv.syn_in");
	CU_ASSERT_EQUAL(back.v[2].value, 1e17);

	unlink(path);
	CU_ASSERT_EQUAL(metrics_load(&back, path), -ENOENT);
	CU_ASSERT_EQUAL(back.n, 3);
	CU_ASSERT_EQUAL(metrics_save(&m, "/nonexistent/dir/m"), -ENOENT);
	metrics_free(&m);
	metrics_free(&back);
}

/* ---- a run's metrics ---- */

/* c1 (node 2): four connected, one reset after, one retransmission;
 * c2 (node 3): one connected after two retransmissions, a timeout, no
 * local port, a refusal. */
#define REC(node, us, out, rtx, connected)                                     \
	{                                                                      \
		.client = node, .connect_us = us, .outcome = out,              \
		.syn_retrans = rtx, .flags = connected ? TR_F_CONNECTED : 0,   \
	}

static const struct tr_rec metric_recs[] = {
	REC(2, 1000, TR_OK, 0, 1),    REC(2, 10000, TR_OK, 1, 1),
	REC(2, 3000, TR_RESET, 0, 1), REC(2, 2000, TR_OK, 0, 1),
	REC(3, 5000, TR_OK, 2, 1),    REC(3, 3000000, TR_TIMEOUT, 6, 0),
	REC(3, 0, TR_NO_PORT, 0, 0),  REC(3, 250, TR_REFUSED, 0, 0),
};

/* Every metric, worked out by hand from the records and counters of
 * test_run_metrics(), in the order of the JSON report. */
static const struct metric metric_want[] = {
	{"c1.attempts", 4, 0},
	{"c1.established", 4, 0},
	{"c1.failed", 1, 0},
	{"c1.timeouts", 0, 0},
	{"c1.resets", 1, 0},
	{"c1.refused", 0, 0},
	{"c1.no_port", 0, 0},
	{"c1.first_syn_ok", 3, 0},
	{"c1.syn_retrans", 1, 0},
	{"c1.connect_avg", 4, 1}, /* (1 + 10 + 3 + 2) / 4 */
	{"c1.timewait", 4, 0},
	{"c1.fin_wait2", 1, 0},
	{"c1.estab_resets", 2, 0},
	{"c1.syn_dropped", 0, 0}, /* no capture */
	{"c1.syn_twack", 0, 0},
	{"c1.connect_p50", 2, 1}, /* 1 2 3 10: the 2nd */
	{"c1.connect_p99", 10, 1},
	{"c1.connect_max", 10, 1},
	/* where the first client puts them, with the totals */
	{"clients.attempts", 8, 0},
	{"clients.established", 5, 0},
	{"clients.failed", 4, 0},
	{"clients.timeouts", 1, 0},
	{"clients.resets", 1, 0},
	{"clients.refused", 1, 0},
	{"clients.no_port", 1, 0},
	{"clients.first_syn_ok", 3, 0},
	{"clients.syn_retrans", 9, 0},
	{"c2.attempts", 4, 0},
	{"c2.established", 1, 0},
	{"c2.failed", 3, 0},
	{"c2.timeouts", 1, 0},
	{"c2.resets", 0, 0},
	{"c2.refused", 1, 0},
	{"c2.no_port", 1, 0},
	{"c2.first_syn_ok", 0, 0},
	{"c2.syn_retrans", 8, 0},
	{"c2.connect_avg", 5, 1},
	{"c2.timewait", 5, 0},
	{"c2.fin_wait2", 0, 0},
	{"c2.estab_resets", 7, 0},
	{"c2.syn_dropped", 0, 0},
	{"c2.syn_twack", 0, 0},
	{"c2.connect_p50", 5, 1},
	{"c2.connect_p99", 5, 1},
	{"c2.connect_max", 5, 1},
	{"clients.connect_avg", 4.2, 1}, /* 21 / 5 */
	{"clients.timewait", 9, 0},
	{"clients.fin_wait2", 1, 0},
	{"clients.estab_resets", 9, 0},
	{"clients.syn_dropped", 0, 0},
	{"clients.syn_twack", 0, 0},
	{"clients.connect_p50", 3, 1}, /* 1 2 3 5 10: the 3rd */
	{"clients.connect_p99", 10, 1},
	{"clients.connect_max", 10, 1},
	{"srv.syn_in", 0, 0},
	{"srv.synack_out", 0, 0},
	{"srv.syn_dropped", 0, 0},
	{"srv.paws_passive", 3, 0},
	{"srv.paws_timewait", 3, 0},
	{"srv.listen_drops", 5, 0}, /* 2, and the 3 PAWS drops */
	{"srv.listen_overflows", 2, 0},
	{"srv.syn_dropped_other", 0, 0}, /* 0 - 3 - 2, not below 0 */
	{"srv.timewait", 11, 0},
	{"srv.tw_shortened", 5, 0},
	{"srv.accepted", 5, 0},
	{"srv.fin_wait2", 1, 0},
	{"srv.twack_out", 0, 0},
	{"srv.challenge_acks", 5, 0},
	{"srv.estab_resets", 2, 0},
	{"srv.resets", 1, 0},
	{"srv.tw_overflow", 2, 0},
	{"srv.paws_estab", 0, 0},
	{"gw.mappings", 0, 0},
	{"gw.port_reuse", 0, 0},
	{"gw.insert_failed", 3, 0},
	{"gw.conntrack", 6, 0},
	{"gw.ct_invalid", 7, 0},
};

static void test_run_metrics(void)
{
	struct counters before[4] = {{0}}, after[4] = {{0}};
	/* node 1 is the server */
	struct run_server_in servers[4] = {
		[1] = {.listener = {.accepted = 5, .reset = 1},
		       .paws_drops = 3,
		       .listen_drops = 3,
		       .tw_shortened = 5},
	};
	struct run_measured in = {
		.before = before,
		.after = after,
		.servers = servers,
	};
	struct run_data d;
	size_t i, n = sizeof(metric_want) / sizeof(metric_want[0]);
	int ok = 1;

	lab_run(&d);
	metrics_free(&d.m);
	d.recs = metric_recs;
	d.nrecs = sizeof(metric_recs) / sizeof(metric_recs[0]);
	before[0].ct_insert_failed = 1;
	before[0].ct_invalid = 2;
	after[0].ct_insert_failed = 4;
	after[0].ct_count = 6;
	after[0].ct_invalid = 9;
	before[1] = (struct counters){.paws_timewait = 10,
				      .paws_estab = 4,
				      .listen_overflows = 5,
				      .listen_drops = 2,
				      .challenge_acks = 1,
				      .estab_resets = 1};
	after[1] = (struct counters){.paws_timewait = 13,
				     .paws_estab = 4,
				     .listen_overflows = 7,
				     .listen_drops = 4,
				     .tw_overflow = 2,
				     .challenge_acks = 6,
				     .estab_resets = 3};
	after[1].tcp_states[6] = 11;
	after[1].tcp_states[5] = 1;
	after[2].tcp_states[6] = 4;
	after[2].tcp_states[5] = 1;
	after[2].estab_resets = 2;
	after[3].tcp_states[6] = 5;
	after[3].estab_resets = 7;

	run_metrics_compute(&d, &in);
	CU_ASSERT_EQUAL(d.m.n, (int)n);
	for (i = 0; i < n && i < (size_t)d.m.n; i++) {
		const struct metric *got = &d.m.v[i], *want = &metric_want[i];

		if (strcmp(got->name, want->name) ||
		    got->value != want->value || got->ms != want->ms) {
			fprintf(stderr,
				"\nmetric %zu: %s %g %d, expected %s %g %d\n",
				i, got->name, got->value, got->ms, want->name,
				want->value, want->ms);
			ok = 0;
		}
	}
	CU_ASSERT(ok);
	metrics_free(&d.m);
	topo_free(&lab);
}

/* A client and the server with the emulated tcp_tw_recycle: each gets
 * the engine's counts of it, the client its shortened TIME_WAITs, and the
 * clients their sums; a client without it gets none. */
static void test_run_metrics_legacy(void)
{
	struct counters before[4] = {{0}}, after[4] = {{0}};
	struct run_server_in nodes[4] = {
		[1] = {.tw_shortened = 4,
		       .legacy = {.remembered = 7,
				  .remembered_at_ack = 2,
				  .tw_rearmed = 1,
				  .syn_spared = 3,
				  .pressure_drops = 5}},
		[2] = {.tw_shortened = 6,
		       .legacy = {.remembered = 6, .seeded = 9}},
		[3] = {.tw_shortened = 8, .legacy = {.seeded = 1}},
	};
	struct run_measured in = {
		.before = before, .after = after, .servers = nodes};
	static const struct {
		const char *name;
		double value;
	} want[] = {
		{"srv.remembered", 7},
		{"srv.remembered_at_ack", 2},
		{"srv.tw_rearmed", 1},
		{"srv.syn_spared", 3},
		{"srv.pressure_drops", 5},
		{"srv.seeded", 0},
		{"srv.tw_shortened", 4},
		{"c1.remembered", 6},
		{"c1.seeded", 9},
		{"c1.tw_shortened", 6},
		{"clients.tw_shortened", 6},
		{"clients.seeded", 9},
	};
	const struct metric *m;
	struct run_data d;
	size_t i;

	lab_run(&d);
	metrics_free(&d.m);
	lab.nodes[1].legacy.recycle = 1;
	lab.nodes[2].legacy.recycle = 1;
	run_metrics_compute(&d, &in);
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		m = metrics_get(&d.m, want[i].name);
		CU_ASSERT_PTR_NOT_NULL(m);
		if (m && m->value != want[i].value)
			fprintf(stderr, "\n%s %g, expected %g\n", want[i].name,
				m->value, want[i].value);
		CU_ASSERT(m && m->value == want[i].value);
	}
	CU_ASSERT_PTR_NULL(metrics_get(&d.m, "c2.seeded"));
	CU_ASSERT_PTR_NULL(metrics_get(&d.m, "c2.tw_shortened"));
	CU_ASSERT_PTR_NULL(metrics_get(&d.m, "gw.remembered"));
	metrics_free(&d.m);
	topo_free(&lab);
}

/* ---- the picture ---- */

/* The lab run of three connections (the last ends at 3101 ms) with what
 * the server remembered; every coordinate worked out by hand. */
static void test_svg(void)
{
	static struct tl_event tl[] = {
		{.t_ms = 100, .peer = 1, .ts = 1000},
		{.t_ms = 200, .peer = 1, .ts = 990, .drop = 1},
		{.t_ms = 1500, .peer = 1, .ts = 1100},
	};
	static const char *const want[] = {
		/* 70 + 2 lanes * 24 + 40 + panel 240 + 20 + 30 */
		"<svg xmlns='http://www.w3.org/2000/svg' width='1100' "
		"height='448' ",
		">natlab run: lab replab, 3 connections, ",
		"server tcp_tw_recycle emulated, PAWS window 1s. <tspan",
		"<text x='10' y='74'>c1</text><line x1='150' y1='70' "
		"x2='1070' y2='70' stroke='#ddd'/>\n"
		"<text x='10' y='98'>c2</text><line x1='150' y1='94' ",
		/* the axis under the lanes, 200 ms a tick: 1 s is at
		 * 150 + 1000 / 3101 * 920 */
		"<line x1='150' y1='118' x2='1070' y2='118' stroke='#444'/>",
		"<text x='446.7' y='134' text-anchor='middle' "
		"class='ax'>1s</text>",
		/* the panel from y 158: TSvals -10 .. +100 around 1000 */
		"<text x='10' y='170' class='h'>TSval at the server",
		"<text x='144' y='182.0' text-anchor='end' class='ax'>+100"
		"</text><text x='144' y='382.0' text-anchor='end' "
		"class='ax'>-10</text>",
		/* 1000 at 100 ms: trusted for 1 s, stale until 1500 ms */
		"<line x1='179.7' y1='359.8' x2='476.3' y2='359.8' "
		"stroke='#1d4e89' stroke-width='2'/>\n"
		"<line x1='476.3' y1='359.8' x2='595.0' y2='359.8' "
		"stroke='#1d4e89' stroke-dasharray='4 3'/>",
		/* the SYN with 990 dropped at 200 ms */
		"<path d='M206.3 375.0l6 6m0 -6l-6 6' stroke='#d62828' ",
		/* 1100 at 1500 ms: trusted until 2500, stale to the end */
		"<line x1='595.0' y1='178.0' x2='891.7' y2='178.0' ",
		"<line x1='891.7' y1='178.0' x2='1070.0' y2='178.0' ",
		"<line x1='150' y1='388' x2='1070' y2='388' stroke='#444'/>",
	};
	struct run_data d;
	struct mem m;
	size_t i;

	lab_run(&d);
	lab.nodes[1].legacy.paws_msl_ms = 1000;
	snprintf(d.legacy_how, sizeof(d.legacy_how), "emulated");
	d.tl = tl;
	d.ntl = 3;
	mem_open(&m);
	CU_ASSERT_EQUAL(report_svg(m.f, &d), 0);
	mem_close(&m);
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		if (!strstr(m.buf, want[i])) {
			fprintf(stderr, "\nsvg: no \"%s\"\n", want[i]);
			CU_FAIL("svg text missing");
		}
	/* no capture: no SYN marks; two axes of 16 ticks, two TSval labels */
	CU_ASSERT_PTR_NULL(strstr(m.buf, "<circle"));
	CU_ASSERT_EQUAL(unit_count_str(m.buf, "class='ax'>"), 34);
	CU_ASSERT_EQUAL(strcmp(m.buf + m.len - 7, "</svg>\n"), 0);
	free(m.buf);

	/* without a timeline: no panel, a shorter picture */
	d.ntl = 0;
	d.legacy_how[0] = '\0';
	mem_open(&m);
	CU_ASSERT_EQUAL(report_svg(m.f, &d), 0);
	mem_close(&m);
	CU_ASSERT_PTR_NOT_NULL(strstr(m.buf, "height='188' "));
	CU_ASSERT_PTR_NULL(strstr(m.buf, "TSval"));
	CU_ASSERT_PTR_NULL(strstr(m.buf, "tcp_tw_recycle"));
	CU_ASSERT_EQUAL(unit_count_str(m.buf, "class='ax'>"), 16);
	free(m.buf);
	metrics_free(&d.m);
	topo_free(&lab);
}

static const struct unit_test tests[] = {
	{"percentile rank rounding", test_percentile_rounding},
	{"json: non-finite numbers", test_json_not_finite},
	{"percentile: empty, one", test_percentile_small},
	{"percentile: against its definition", test_percentile_definition},
	{"percentile: 1..100", test_percentile_hundred},
	{"percentile: 1..10", test_percentile_ten},
	{"percentile: unsorted", test_percentile_unsorted},
	{"percentile: duplicates", test_percentile_duplicates},
	{"metrics set, replace, get", test_metrics_set_get},
	{"metrics grow", test_metrics_grow},
	{"compare", test_compare},
	{"json checker", test_json_checker},
	{"json run", test_json_run},
	{"json empty run", test_json_empty_run},
	{"csv", test_csv},
	{"table and expectations", test_table},
	{"tr_rec size", test_rec_size},
	{"metrics file", test_metrics_file},
	{"run metrics from records and counters", test_run_metrics},
	{"run metrics of the emulated tcp_tw_recycle", test_run_metrics_legacy},
	{"svg", test_svg},
	{NULL, NULL},
};

UNIT_SUITE("report", tests)
