/* unit.h - how a CUnit suite file joins the unit test binary. */
#ifndef NATLAB_UNIT_H
#define NATLAB_UNIT_H

#include <CUnit/CUnit.h>

struct unit_test {
	const char *name;
	void (*fn)(void);
};

/* Called from a constructor in each suite file; tests ends with {0}. */
void unit_suite(const char *name, const struct unit_test *tests);

/* How many times @needle occurs in @s (overlapping ones too). */
int unit_count_str(const char *s, const char *needle);

/* A small XML well-formedness check for the pictures: every element
 * closed in order or empty (<x/>), attributes quoted, entities only &#N;
 * and the five named ones, no text outside the root.  Return: 0 if well
 * formed. */
int unit_xml_check(const char *s);

#define UNIT_SUITE(name, tests)                                                \
	static void __attribute__((constructor)) unit_reg_##tests(void)        \
	{                                                                      \
		unit_suite(name, tests);                                       \
	}

#endif
