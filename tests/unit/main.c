/* main.c - the unit test binary: runs every suite that registered itself. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/Basic.h>

#include "unit.h"

#define MAX_SUITES 64

static struct {
	const char *name;
	const struct unit_test *tests;
} suites[MAX_SUITES];
static int nsuites;

void unit_suite(const char *name, const struct unit_test *tests)
{
	if (nsuites == MAX_SUITES) {
		fputs("unit: too many suites\n", stderr);
		exit(2);
	}
	suites[nsuites].name = name;
	suites[nsuites].tests = tests;
	nsuites++;
}

int unit_count_str(const char *s, const char *needle)
{
	int n = 0;

	for (s = strstr(s, needle); s; s = strstr(s + 1, needle))
		n++;
	return n;
}

/* The pictures' well-formedness check (unit.h says what it checks). */
int unit_xml_check(const char *s)
{
	const char *stack[32];
	int depth = 0, seen_root = 0;

	for (; *s; s++) {
		if (*s == '&') {
			const char *e = strchr(s, ';');

			if (!e ||
			    (s[1] != '#' && strncmp(s, "&amp;", 5) &&
			     strncmp(s, "&lt;", 4) && strncmp(s, "&gt;", 4) &&
			     strncmp(s, "&quot;", 6) &&
			     strncmp(s, "&apos;", 6)))
				return -1;
			continue;
		}
		if (*s == '>')
			return -1; /* outside a tag */
		if (*s != '<') {
			if (!depth && *s != '\n')
				return -1;
			continue;
		}
		if (s[1] == '/') {
			size_t len = strcspn(s + 2, ">");

			if (!depth-- || strncmp(stack[depth], s + 2, len) ||
			    (stack[depth][len] != ' ' &&
			     stack[depth][len] != '>'))
				return -1;
			s += 2 + len;
			continue;
		}
		if (!depth && seen_root)
			return -1;
		seen_root = 1;
		{
			const char *end = s + 1;
			char q = 0;

			for (; *end && (q || *end != '>'); end++)
				if (*end == '\'' || *end == '"')
					q = q == *end ? 0 : q ? q : *end;
				else if (!q && *end == '<')
					return -1;
			if (!*end)
				return -1;
			if (end[-1] != '/') {
				if (depth == 32)
					return -1;
				stack[depth++] = s + 1;
			}
			s = end;
		}
	}
	return depth || !seen_root ? -1 : 0;
}

int main(void)
{
	unsigned int failed;
	int i;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	for (i = 0; i < nsuites; i++) {
		const struct unit_test *t;
		CU_pSuite s = CU_add_suite(suites[i].name, NULL, NULL);

		if (!s)
			return 2;
		for (t = suites[i].tests; t->name; t++)
			if (!CU_add_test(s, t->name, t->fn))
				return 2;
	}
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failed = CU_get_number_of_failures();
	CU_cleanup_registry();
	return failed ? 1 : 0;
}
