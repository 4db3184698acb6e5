/* test_progress.c - the progress line's text, without a terminal. */
#include <string.h>

#include "lib/progress.h"
#include "unit.h"

/* A progress as progress_start() makes it, without looking at stderr. */
static struct progress prog(uint64_t done, uint64_t total, int width)
{
	struct progress p = {.name = "matrix",
			     .unit = "cells",
			     .done = done,
			     .total = total,
			     .width = width};

	return p;
}

static void test_duration(void)
{
	static const struct {
		uint64_t ms;
		const char *text;
	} cases[] = {
		{0, "0s"},
		{999, "0s"},
		{59999, "59s"},
		{60000, "1m00s"},
		{245000, "4m05s"},
		{3599999, "59m59s"},
		{3600000, "1h00m"},
		{(2 * 3600 + 10 * 60 + 59) * 1000ull, "2h10m"},
	};
	char b[16];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		CU_ASSERT_EQUAL(progress_duration(b, sizeof(b), cases[i].ms),
				strlen(cases[i].text));
		CU_ASSERT_STRING_EQUAL(b, cases[i].text);
	}
	/* Cut to the buffer, its length what was kept. */
	CU_ASSERT_EQUAL(progress_duration(b, 3, 245000), 2u);
	CU_ASSERT_STRING_EQUAL(b, "4m");
}

/* What is left at the pace so far: none before the first step, none
 * once all are done. */
static void test_left(void)
{
	CU_ASSERT_EQUAL(progress_left_ms(0, 8, 5000), 0u);
	CU_ASSERT_EQUAL(progress_left_ms(2, 8, 5000), 15000u);
	CU_ASSERT_EQUAL(progress_left_ms(4, 8, 5000), 5000u);
	CU_ASSERT_EQUAL(progress_left_ms(7, 8, 7000), 1000u);
	CU_ASSERT_EQUAL(progress_left_ms(8, 8, 7000), 0u);
	CU_ASSERT_EQUAL(progress_left_ms(9, 8, 7000), 0u);
	/* 100,000 connections: no overflow in the product. */
	CU_ASSERT_EQUAL(progress_left_ms(25000, 100000, 3600000), 10800000u);
}

static void test_format(void)
{
	struct progress p = prog(0, 8, 80);
	char b[256];

	progress_format(b, sizeof(b), &p, 1500, 0);
	CU_ASSERT_STRING_EQUAL(b, "matrix: 0 of 8 cells, 1s elapsed, "
				  "estimating");
	p = prog(3, 8, 80);
	CU_ASSERT_EQUAL(progress_format(b, sizeof(b), &p, 62000, 0),
			strlen("matrix: 3 of 8 cells, 1m02s elapsed, about "
			       "1m43s left"));
	CU_ASSERT_STRING_EQUAL(b, "matrix: 3 of 8 cells, 1m02s elapsed, "
				  "about 1m43s left");
	p = prog(8, 8, 80);
	progress_format(b, sizeof(b), &p, 62000, 0);
	CU_ASSERT_STRING_EQUAL(b, "matrix: 8 of 8 cells, 1m02s elapsed");
	progress_format(b, sizeof(b), &p, 125000, 1);
	CU_ASSERT_STRING_EQUAL(b, "matrix: 8 of 8 cells in 2m05s");
}

/* The line never reaches the terminal's last column, so it cannot wrap;
 * a small buffer cuts it too. */
static void test_width(void)
{
	struct progress p = prog(3, 8, 20);
	char b[256];

	CU_ASSERT_EQUAL(progress_format(b, sizeof(b), &p, 62000, 0), 19u);
	CU_ASSERT_STRING_EQUAL(b, "matrix: 3 of 8 cell");
	p.width = 0; /* unknown: only the buffer limits it */
	progress_format(b, sizeof(b), &p, 62000, 0);
	CU_ASSERT_EQUAL(strlen(b), strlen("matrix: 3 of 8 cells, 1m02s "
					  "elapsed, about 1m43s left"));
	CU_ASSERT_EQUAL(progress_format(b, 10, &p, 62000, 0), 9u);
	CU_ASSERT_STRING_EQUAL(b, "matrix: 3");
	p.width = 200;
	CU_ASSERT_EQUAL(progress_format(b, 10, &p, 62000, 0), 9u);
}

/* Not a terminal: nothing is drawn, and ending draws nothing. */
static void test_off(void)
{
	struct progress p;

	progress_start(&p, "rfc", "profiles", 3);
	p.on = 0;
	progress_update(&p, 1);
	progress_end(&p);
	CU_ASSERT_EQUAL(p.drawn_ns, 0u);
	progress_update(NULL, 1);
	progress_end(NULL);
}

static const struct unit_test tests[] = {
	{"progress: durations", test_duration},
	{"progress: what is left", test_left},
	{"progress: the line", test_format},
	{"progress: cut to the terminal's width", test_width},
	{"progress: off without a terminal", test_off},
	{0},
};

UNIT_SUITE("progress", tests)
