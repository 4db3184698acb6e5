/* tsmath.h - a host clock's arithmetic, the one copy that both the engine
 * and the tc program (tsclock.bpf.c) compile.  Unsigned division only, as
 * BPF has it; no library calls. */
#ifndef NATLAB_TSMATH_H
#define NATLAB_TSMATH_H

#include <linux/types.h>

/* skew_ppm is limited to this by the topology, so 10^6 + skew > 0. */
#define TSMATH_SKEW_MAX 100000

/* g(x) - offset without the wrap: x + x * skew / 10^6, the product
 * truncated toward zero; at most 1.1 * 2^32. */
static inline __u64 tsmath_g(__u32 x, __s32 skew_ppm)
{
	__u64 q;

	if (skew_ppm >= 0) {
		q = (__u64)x * (__u32)skew_ppm / 1000000;
		return (__u64)x + q;
	}
	q = (__u64)x * (__u32)-skew_ppm / 1000000;
	return (__u64)x - q;
}

/*
 * The clock a host-clock client shows: its kernel's clock x (milliseconds,
 * tcp_timestamps = 2) mapped to g(x) = x + offset + x * skew / 10^6, the
 * product truncated toward zero, modulo 2^32.
 */
static inline __u32 tsmath_map(__u32 x, __u32 offset, __s32 skew_ppm)
{
	return (__u32)tsmath_g(x, skew_ppm) + offset;
}

/* How far apart two readings of a 32-bit clock are, either way. */
static inline __u32 tsmath_dist(__u32 a, __u32 b)
{
	__s32 d = (__s32)(a - b);

	return d < 0 ? (__u32)0 - (__u32)d : (__u32)d;
}

/*
 * The inverse, for a TSecr on its way back to the client: the value its
 * kernel put in the TSval that y echoes.  A slow clock (skew < 0) shows
 * the same value for two neighbouring milliseconds x0 and x0 + 1, so the
 * inverse is not unique there; it takes the later one unless that is
 * after @now, the client's clock at the time of the echo.  The client's
 * own checks then hold: a SYN-ACK's TSecr lies between the SYN's time and
 * now, as tcp_rcv_synsent_state_process() demands, and an ACK's RTT
 * sample is short by 1 ms at most.  A y that is no value of g (a gap of a
 * fast clock, or not ours) goes to the latest x whose g(x) is before it.
 *
 * Why five candidates suffice: with s = skew / 10^6 and v = y - offset,
 * v lies within 1 of x (1 + s) (modulo 2^32), and |s| <= 0.1, so x is
 * within 2 of v / (1 + s) or, for a fast clock past its wrap, of
 * (v + 2^32) / (1 + s).
 */
static inline __u32 tsmath_unmap(__u32 y, __u32 offset, __s32 skew_ppm,
				 __u32 now)
{
	__u64 v = (__u32)(y - offset);
	__u32 est, best;
	__s64 x;
	int k, found = 0;

	if (!skew_ppm)
		return (__u32)v;
	est = (__u32)(v * 1000000 / (__u64)(1000000 + skew_ppm));
	if (skew_ppm > 0) {
		/* A fast clock's g(x) passes 2^32 before x does, so y may
		 * stand for v + 2^32: take the reading nearer to now. */
		__u64 e2 = (v + 0x100000000ull) * 1000000 /
			   (__u64)(1000000 + skew_ppm);

		if (e2 <= 0xffffffffu &&
		    tsmath_dist((__u32)e2, now) < tsmath_dist(est, now)) {
			est = (__u32)e2;
			v += 0x100000000ull;
		}
	}
	/* The candidates, compared unwrapped: x within the 32-bit clock,
	 * g(x) not after the reading. */
	best = est;
	for (k = -2; k <= 2; k++) {
		x = (__s64)est + k;
		if (x < 0 || x > 0xffffffffll ||
		    tsmath_g((__u32)x, skew_ppm) > v ||
		    (found && (__s32)((__u32)x - now) > 0))
			continue;
		best = (__u32)x;
		found = 1;
	}
	return best;
}

#endif
