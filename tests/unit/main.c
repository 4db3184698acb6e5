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
