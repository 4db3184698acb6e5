/* test_jsondoc.c - natlab's JSON helpers: numbers, strings, a stream's
 * framing, each written and parsed back by jansson. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/jsondoc.h"
#include "unit.h"

/* @v dumped alone with @flags, into @buf. */
static const char *text_of(json_t *v, size_t flags, char *buf, size_t len)
{
	size_t n = json_dumpb(v, buf, len - 1, flags | JSON_ENCODE_ANY);

	buf[n < len ? n : 0] = '\0';
	json_decref(v);
	return buf;
}

static const char *num(double v)
{
	static char buf[64];

	return text_of(jsondoc_num(v), jsondoc_exact(v), buf, sizeof(buf));
}

static void test_numbers(void)
{
	char buf[64];

	/* whole numbers are integers, as they were counted */
	CU_ASSERT_STRING_EQUAL(num(0), "0");
	CU_ASSERT_STRING_EQUAL(num(-0.0), "0");
	CU_ASSERT_STRING_EQUAL(num(18), "18");
	CU_ASSERT_STRING_EQUAL(num(-40), "-40");
	CU_ASSERT_STRING_EQUAL(num(999999999999999.0), "999999999999999");
	CU_ASSERT_STRING_EQUAL(num(1e17), "1e17");
	/* a fraction: the fewest digits that give the double back */
	CU_ASSERT_STRING_EQUAL(num(0.55), "0.55");
	CU_ASSERT_STRING_EQUAL(num(3054.35), "3054.35");
	CU_ASSERT_STRING_EQUAL(num(12.5), "12.5");
	CU_ASSERT_STRING_EQUAL(num(1000.0 / 3), "333.3333333333333");
	CU_ASSERT_STRING_EQUAL(num(0.1 + 0.2), "0.30000000000000004");
	CU_ASSERT_EQUAL(strtod(num(1000.0 / 3), NULL), 1000.0 / 3);
	CU_ASSERT_EQUAL(strtod(num(0.1 + 0.2), NULL), 0.1 + 0.2);
	/* JSON has no NaN or infinity */
	CU_ASSERT_STRING_EQUAL(num(NAN), "null");
	CU_ASSERT_STRING_EQUAL(num(INFINITY), "null");
	CU_ASSERT_STRING_EQUAL(num(-INFINITY), "null");
	/* milliseconds of whole microseconds: 15 digits hold them */
	CU_ASSERT_STRING_EQUAL(text_of(json_real(4294967295 / 1000.0),
				       JSONDOC_MICROSEC, buf, sizeof(buf)),
			       "4294967.295");
	CU_ASSERT_STRING_EQUAL(
		text_of(json_real(1.0), JSONDOC_MICROSEC, buf, sizeof(buf)),
		"1.0");
}

/* Every count of microseconds below 2^32, as milliseconds with 15
 * digits, reads back as the same double (a sample of them). */
static void test_microseconds_exact(void)
{
	char buf[64];
	unsigned long long us;
	int bad = 0;

	for (us = 1; us < 4294967296ULL; us = us * 3 + 7) {
		double ms = us / 1000.0;

		text_of(json_real(ms), JSONDOC_MICROSEC, buf, sizeof(buf));
		bad += strtod(buf, NULL) != ms;
	}
	for (us = 3054350; us < 3054350 + 100000; us++) {
		double ms = us / 1000.0;

		text_of(json_real(ms), JSONDOC_MICROSEC, buf, sizeof(buf));
		bad += strtod(buf, NULL) != ms;
	}
	CU_ASSERT_EQUAL(bad, 0);
}

static const char *str(const char *s)
{
	static char buf[64];

	return text_of(jsondoc_str(s), 0, buf, sizeof(buf));
}

static void test_strings(void)
{
	CU_ASSERT_STRING_EQUAL(str("say \"hi\"\n\t\\"),
			       "\"say \\\"hi\\\"\\n\\t\\\\\"");
	CU_ASSERT_STRING_EQUAL(str("\x01"), "\"\\u0001\"");
	CU_ASSERT_STRING_EQUAL(str("caf\xc3\xa9"), "\"caf\xc3\xa9\"");
	/* not UTF-8: the bytes that are not ASCII become '?' */
	CU_ASSERT_STRING_EQUAL(str("/tmp/\xff\xfe.topo"), "\"/tmp/??.topo\"");
}

/* A tree's builder: a NULL value (a failed allocation) is counted. */
static void test_set_counts_failures(void)
{
	json_t *o = json_object(), *a = json_array();
	int err = 0;

	jsondoc_set(o, "a", json_integer(1), &err);
	jsondoc_append(a, json_integer(2), &err);
	CU_ASSERT_EQUAL(err, 0);
	jsondoc_set(o, "b", NULL, &err);
	CU_ASSERT_EQUAL(err, -ENOMEM);
	err = 0;
	jsondoc_append(a, NULL, &err);
	CU_ASSERT_EQUAL(err, -ENOMEM);
	err = 0;
	jsondoc_set(NULL, "c", json_integer(3), &err); /* freed, counted */
	CU_ASSERT_EQUAL(err, -ENOMEM);
	CU_ASSERT_EQUAL(json_object_size(o), 1);
	CU_ASSERT_EQUAL(json_array_size(a), 1);
	json_decref(o);
	json_decref(a);
}

/* A stream: written in pieces, one valid document with the members in
 * the order written, empty lists included. */
static void test_stream(void)
{
	static const char want[] = "{\n"
				   "  \"schema\": \"x/1\",\n"
				   "  \"nodes\": [\n"
				   "    {\"name\": \"c1\"},\n"
				   "    {\"name\": \"c\\\"2\"}\n"
				   "  ],\n"
				   "  \"metrics\": {\n"
				   "    \"c1.attempts\": 3,\n"
				   "    \"c1.connect_p50\": 0.55\n"
				   "  },\n"
				   "  \"empty\": [],\n"
				   "  \"last\": true\n"
				   "}\n";
	struct jsondoc_stream s;
	json_t *doc, *n;
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	jsondoc_begin(&s, f);
	jsondoc_member(&s, "schema", json_string("x/1"), 0);
	jsondoc_list(&s, "nodes", 0);
	jsondoc_item(&s, NULL, json_pack("{s:s}", "name", "c1"), 0);
	jsondoc_item(&s, NULL, json_pack("{s:s}", "name", "c\"2"), 0);
	jsondoc_list_end(&s);
	jsondoc_list(&s, "metrics", 1);
	jsondoc_item(&s, "c1.attempts", jsondoc_num(3), jsondoc_exact(3));
	jsondoc_item(&s, "c1.connect_p50", jsondoc_num(0.55),
		     jsondoc_exact(0.55));
	jsondoc_list_end(&s);
	jsondoc_list(&s, "empty", 0);
	jsondoc_list_end(&s);
	jsondoc_member(&s, "last", json_true(), 0);
	CU_ASSERT_EQUAL(jsondoc_end(&s), 0);
	fclose(f);
	CU_ASSERT_STRING_EQUAL(out, want);
	doc = json_loads(out, JSON_REJECT_DUPLICATES, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
	CU_ASSERT_EQUAL(json_object_size(doc), 5);
	n = json_object_get(doc, "nodes");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(
				       json_array_get(n, 1), "name")),
			       "c\"2");
	CU_ASSERT_EQUAL(
		json_real_value(json_object_get(json_object_get(doc, "metrics"),
						"c1.connect_p50")),
		0.55);
	CU_ASSERT_EQUAL(json_array_size(json_object_get(doc, "empty")), 0);
	json_decref(doc);
	free(out);
}

/* A NULL value ends the stream's writing and is reported at the end;
 * an empty document is still one. */
static void test_stream_failure(void)
{
	struct jsondoc_stream s;
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	jsondoc_begin(&s, f);
	CU_ASSERT_EQUAL(jsondoc_end(&s), 0);
	fflush(f);
	CU_ASSERT_STRING_EQUAL(out, "{}\n");
	jsondoc_begin(&s, f);
	jsondoc_member(&s, "a", NULL, 0);
	jsondoc_member(&s, "b", json_integer(1), 0); /* freed, not written */
	CU_ASSERT_EQUAL(jsondoc_end(&s), -ENOMEM);
	fclose(f);
	free(out);
}

static const struct unit_test tests[] = {
	{"numbers", test_numbers},
	{"milliseconds of whole microseconds", test_microseconds_exact},
	{"strings", test_strings},
	{"a tree's failures counted", test_set_counts_failures},
	{"a stream", test_stream},
	{"a stream's failure", test_stream_failure},
	{0},
};
UNIT_SUITE("jsondoc", tests);
