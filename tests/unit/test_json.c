/* test_json.c - the JSON reader: values, escapes, and what it refuses. */
#include <string.h>

#include "lib/json.h"
#include "unit.h"

static int parse(const char *text, struct json *j)
{
	char err[96];

	return json_parse(text, strlen(text), j, err, sizeof(err));
}

static void test_json_values(void)
{
	const char *text =
		" {\"a\": [1, -2.5e2, 0.125], \"b\": true,"
		"\n\"c\": null, \"d\": \"x\", \"e\": {}, \"f\": []} ";
	const struct json *a;
	struct json j;

	CU_ASSERT_EQUAL_FATAL(parse(text, &j), 0);
	CU_ASSERT_EQUAL(j.type, JSON_OBJ);
	CU_ASSERT_EQUAL(j.n, 6);
	a = json_get(&j, "a");
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_EQUAL(a->type, JSON_ARR);
	CU_ASSERT_EQUAL_FATAL(a->n, 3);
	CU_ASSERT_EQUAL(a->kids[0].num, 1);
	CU_ASSERT_EQUAL(a->kids[1].num, -250);
	CU_ASSERT_EQUAL(a->kids[2].num, 0.125);
	CU_ASSERT_PTR_NULL(a->kids[0].key);
	CU_ASSERT_EQUAL(json_get(&j, "b")->type, JSON_BOOL);
	CU_ASSERT_EQUAL(json_get(&j, "b")->boolean, 1);
	CU_ASSERT_EQUAL(json_get(&j, "c")->type, JSON_NULL);
	CU_ASSERT_STRING_EQUAL(json_get_str(&j, "d"), "x");
	CU_ASSERT_PTR_NULL(json_get_str(&j, "a"));
	CU_ASSERT_EQUAL(json_get(&j, "e")->n, 0);
	CU_ASSERT_EQUAL(json_get(&j, "f")->type, JSON_ARR);
	CU_ASSERT_PTR_NULL(json_get(&j, "g"));
	CU_ASSERT_PTR_NULL(json_get(a, "a"));
	json_free(&j);
	CU_ASSERT_EQUAL(j.n, 0);
	CU_ASSERT_PTR_NULL(j.kids);
}

static void test_json_strings(void)
{
	struct json j;

	CU_ASSERT_EQUAL_FATAL(parse("\"q\\\" b\\\\ s\\/ \\b\\f\\n\\r\\t\"", &j),
			      0);
	CU_ASSERT_STRING_EQUAL(j.str, "q\" b\\ s/ \b\f\n\r\t");
	json_free(&j);
	/* é, €, and U+1F600 as a surrogate pair */
	CU_ASSERT_EQUAL_FATAL(parse("\"\\u00e9\\u20ac\\ud83d\\ude00\"", &j), 0);
	CU_ASSERT_STRING_EQUAL(j.str, "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
	json_free(&j);
	CU_ASSERT_EQUAL_FATAL(parse("\"caf\xc3\xa9\"", &j), 0);
	CU_ASSERT_STRING_EQUAL(j.str, "caf\xc3\xa9");
	json_free(&j);
}

/* A number keeps every digit strtod() gives it. */
static void test_json_numbers(void)
{
	struct json j;

	CU_ASSERT_EQUAL_FATAL(
		parse("[0.1, 1234.5678901234567, 0, -0, 1E3]", &j), 0);
	CU_ASSERT_EQUAL(j.kids[0].num, 0.1);
	CU_ASSERT_EQUAL(j.kids[1].num, 1234.5678901234567);
	CU_ASSERT_EQUAL(j.kids[4].num, 1000);
	json_free(&j);
}

static void test_json_refused(void)
{
	static const char *const bad[] = {
		"",
		"{",
		"[1,]",
		"{\"a\" 1}",
		"{,}",
		"[1 2]",
		"01",
		"1.",
		"-",
		".5",
		"1e",
		"tru",
		"nul",
		"\"abc",
		"\"\\x\"",
		"\"\\u12\"",
		"\"\\u0000\"",
		"\"\\udc00\"",
		"\"\\ud800x\"",
		"\"a\tb\"",
		"{} {}",
		"[] x",
		"{\"a\":}",
		"NaN",
		"'a'",
	};
	char err[96] = "";
	struct json j;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc = json_parse(bad[i], strlen(bad[i]), &j, err,
				    sizeof(err));

		CU_ASSERT_EQUAL(rc, -22);
		if (rc != -22)
			fprintf(stderr, "\naccepted: %s\n", bad[i]);
		CU_ASSERT_EQUAL(j.type, JSON_NULL);
		CU_ASSERT_PTR_NULL(j.kids);
	}
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "at byte"));
}

/* 64 levels are read, 65 are not; a cut-off text is refused. */
static void test_json_depth_and_cut(void)
{
	char deep[200];
	const char *full = "{\"schema\": \"x\", \"metrics\": {\"a.b\": 1}}";
	struct json j;
	size_t n;

	memset(deep, '[', 64);
	memset(deep + 64, ']', 64);
	deep[128] = '\0';
	CU_ASSERT_EQUAL(parse(deep, &j), 0);
	json_free(&j);
	memset(deep, '[', 65);
	memset(deep + 65, ']', 65);
	deep[130] = '\0';
	CU_ASSERT_EQUAL(parse(deep, &j), -22);
	for (n = 0; n < strlen(full); n++)
		CU_ASSERT_EQUAL(json_parse(full, n, &j, NULL, 0), -22);
	CU_ASSERT_EQUAL(json_parse(full, strlen(full), &j, NULL, 0), 0);
	json_free(&j);
}

static const struct unit_test tests[] = {
	{"values", test_json_values},
	{"strings", test_json_strings},
	{"numbers", test_json_numbers},
	{"refused", test_json_refused},
	{"depth and cut", test_json_depth_and_cut},
	{0},
};
UNIT_SUITE("json", tests);
