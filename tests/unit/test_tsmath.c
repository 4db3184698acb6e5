/* test_tsmath.c - a host clock's map and its inverse: the inverse gives
 * the client back its own clock exactly when echoed in the same
 * millisecond, never a value after its clock or before the echoed
 * TSval's time, across offsets, skews and the 32-bit wrap. */
#include <stdint.h>

#include "engine/tsmath.h"
#include "unit.h"

static const int32_t skews[] = {-100000, -50000, -1000, -50,   -1,
				1,	 50,	 1000,	50000, 100000};
static const uint32_t offsets[] = {0, 10000, (uint32_t)-10000, 0x80000000u};

/* The product truncated toward zero, as signed C arithmetic gives it. */
static void test_map(void)
{
	CU_ASSERT_EQUAL(tsmath_map(1000, 5, 0), 1005);
	CU_ASSERT_EQUAL(tsmath_map(1000000, 0, 50), 1000050);
	CU_ASSERT_EQUAL(tsmath_map(1000000, 0, -50), 999950);
	CU_ASSERT_EQUAL(tsmath_map(19999, 0, 50), 19999);
	CU_ASSERT_EQUAL(tsmath_map(20000, 0, 50), 20001);
	CU_ASSERT_EQUAL(tsmath_map(19999, 0, -50), 19999);
	CU_ASSERT_EQUAL(tsmath_map(20000, 0, -50), 19999);
	CU_ASSERT_EQUAL(tsmath_map(0xffffffffu, 1, 0), 0);
	CU_ASSERT_EQUAL(tsmath_map(4000000000u, 0, -100000),
			4000000000u - 400000000u);
	CU_ASSERT_EQUAL(tsmath_map(100, (uint32_t)-10000, 0),
			(uint32_t)(100 - 10000));
}

/* A SYN whose SYN-ACK the server answered within the same millisecond:
 * the run that made a client reset its connection before the inverse
 * knew about the slow clock's repeated values (c2, offset -10 s, skew
 * -50 ppm; the old rounding gave 14630329, one after the client's
 * clock, and tcp_rcv_synsent_state_process() answered with a RST). */
static void test_synack_same_ms(void)
{
	uint32_t off = (uint32_t)-10000;

	CU_ASSERT_EQUAL(tsmath_map(14630328, off, -50), 14619597);
	CU_ASSERT_EQUAL(tsmath_unmap(14619597, off, -50, 14630328), 14630328);
}

/* Echoed in the same millisecond, the inverse is exact, for every x of
 * a range that crosses several repeated or skipped values. */
static void test_exact_same_ms(void)
{
	unsigned i, j, n, bad = 0;
	uint32_t base[] = {0,		20000,	     14630000,
			   0x7fffff00u, 4000000000u, 0xfffffa00u};

	/* the last range crosses the clock's own wrap, 0xffffffff -> 0 */
	for (i = 0; i < sizeof(skews) / sizeof(skews[0]); i++)
		for (j = 0; j < sizeof(base) / sizeof(base[0]); j++)
			for (n = 0; n < 3000; n++) {
				uint32_t x = base[j] + n;
				uint32_t off = offsets[(i + j) % 4];
				uint32_t y = tsmath_map(x, off, skews[i]);

				if (tsmath_unmap(y, off, skews[i], x) != x)
					bad++;
			}
	CU_ASSERT_EQUAL(bad, 0);
}

/* Echoed later: the value maps to the same TSval, lies between the
 * echoed TSval's time and now, and is at most one after the original. */
static void test_later_echo(void)
{
	unsigned i, j, n, bad = 0;
	uint32_t d, base[] = {14600000, 4280000000u, 0xfffff000u};

	/* the last range crosses the wrap: some echoes come after it */
	for (i = 0; i < sizeof(skews) / sizeof(skews[0]); i++)
		for (j = 0; j < sizeof(base) / sizeof(base[0]); j++)
			for (n = 0; n < 5000; n++)
				for (d = 0; d < 4; d++) {
					uint32_t x = base[j] + n;
					uint32_t off = offsets[i % 4];
					uint32_t y =
						tsmath_map(x, off, skews[i]);
					uint32_t u = tsmath_unmap(
						y, off, skews[i], x + d);

					if (tsmath_map(u, off, skews[i]) != y ||
					    (int32_t)(u - x) < 0 || u - x > 1 ||
					    (int32_t)(u - (x + d)) > 0)
						bad++;
				}
	CU_ASSERT_EQUAL(bad, 0);
}

/* A fast clock skips values; one of those echoed (not a TSval of ours)
 * goes to the latest x before it. */
static void test_gap(void)
{
	/* skew +50 000 ppm: g(19) = 19, g(20) = 21, so 20 is skipped */
	CU_ASSERT_EQUAL(tsmath_map(19, 0, 50000), 19);
	CU_ASSERT_EQUAL(tsmath_map(20, 0, 50000), 21);
	CU_ASSERT_EQUAL(tsmath_unmap(20, 0, 50000, 100), 19);
	CU_ASSERT_EQUAL(tsmath_unmap(21, 0, 50000, 100), 20);
}

/* With no skew the inverse is the offset taken away, whatever now. */
static void test_no_skew(void)
{
	CU_ASSERT_EQUAL(tsmath_unmap(5, 10, 0, 0), (uint32_t)-5);
	/* (and the fast clock's last millisecond before its wrap, echoed
	 * after it, comes back as itself) */
	CU_ASSERT_EQUAL(
		tsmath_unmap(tsmath_map(0xffffffffu, 0, 1000), 0, 1000, 1),
		0xffffffffu);
	CU_ASSERT_EQUAL(tsmath_unmap(0, (uint32_t)-10000, 0, 0), 10000);
}

static const struct unit_test tests[] = {
	{"map", test_map},
	{"SYN-ACK in the SYN's millisecond", test_synack_same_ms},
	{"exact in the same millisecond", test_exact_same_ms},
	{"echo later", test_later_echo},
	{"value a fast clock skips", test_gap},
	{"no skew", test_no_skew},
	{NULL, NULL},
};

UNIT_SUITE("tsmath", tests)
