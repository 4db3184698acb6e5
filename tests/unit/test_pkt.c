/* test_pkt.c - IPv4/TCP packets built byte by byte, parsed and rewritten. */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <arpa/inet.h>

#include "lib/pkt.h"
#include "unit.h"

/* Room for the largest IPv4 packet: a GSO packet is one. */
#define BUF_SIZE 65536
#define IP_CSUM	 10
#define TCP_CSUM 16

/* What build() puts in a packet. */
struct seg {
	uint32_t saddr, daddr;
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t flags;
	size_t ipopt;	     /* IPv4 option bytes (NOPs), a multiple of 4 */
	const uint8_t *opts; /* TCP options, padded with EOL to 4 bytes */
	size_t optlen;
	size_t payload;
	uint32_t fill; /* seeds the payload bytes */
};

static const struct seg base = {
	.saddr = 0x0a000102,
	.daddr = 0xc0a80a01,
	.sport = 40000,
	.dport = 80,
	.seq = 0x11223344,
	.ack = 0x55667788,
	.flags = PKT_ACK,
	.fill = 1,
};

static void wr16(uint8_t *b, uint16_t v)
{
	b[0] = v >> 8;
	b[1] = v & 0xff;
}

static void wr32(uint8_t *b, uint32_t v)
{
	wr16(b, v >> 16);
	wr16(b + 2, v & 0xffff);
}

static uint16_t rd16(const uint8_t *b)
{
	return (uint16_t)(b[0] << 8 | b[1]);
}

static uint32_t rd32(const uint8_t *b)
{
	return (uint32_t)rd16(b) << 16 | rd16(b + 2);
}

/* Reference one's complement sum: one word at a time, carry wrapped at
 * once, an odd last byte padded with a zero. */
static uint16_t ref_sum(const uint8_t *b, size_t n)
{
	uint32_t sum = 0;
	size_t i;

	for (i = 0; i < n; i += 2) {
		uint32_t w = (uint32_t)b[i] << 8;

		if (i + 1 < n)
			w |= b[i + 1];
		sum += w;
		if (sum > 0xffff)
			sum -= 0xffff;
	}
	return (uint16_t)sum;
}

/* Reference TCP checksum of the packet at ip, from its own headers. */
static uint16_t ref_tcp_csum(const uint8_t *ip)
{
	static uint8_t scratch[12 + BUF_SIZE];
	size_t ihl = (size_t)(ip[0] & 0x0f) * 4;
	size_t n = rd16(ip + 2) - ihl;

	memcpy(scratch, ip + 12, 8);
	scratch[8] = 0;
	scratch[9] = 6;
	wr16(scratch + 10, (uint16_t)n);
	memcpy(scratch + 12, ip + ihl, n);
	wr16(scratch + 12 + TCP_CSUM, 0);
	return (uint16_t)~ref_sum(scratch, 12 + n);
}

static uint16_t ref_ip_csum(const uint8_t *ip)
{
	uint8_t h[60];
	size_t ihl = (size_t)(ip[0] & 0x0f) * 4;

	memcpy(h, ip, ihl);
	wr16(h + IP_CSUM, 0);
	return (uint16_t)~ref_sum(h, ihl);
}

/* build() - write the packet s describes at b; returns its length. */
static size_t build(uint8_t *b, const struct seg *s)
{
	size_t ihl = 20 + s->ipopt;
	size_t thl = 20 + (s->optlen + 3) / 4 * 4;
	size_t len = ihl + thl + s->payload;
	uint8_t *th = b + ihl;
	uint32_t x = s->fill;
	size_t i;

	CU_ASSERT_FATAL(len <= BUF_SIZE && thl <= 60 && ihl <= 60);
	memset(b, 0, len);
	b[0] = 0x40 | (uint8_t)(ihl / 4);
	wr16(b + 2, (uint16_t)len);
	wr16(b + 4, 0x1234);
	wr16(b + 6, 0x4000); /* DF */
	b[8] = 64;
	b[9] = 6;
	wr32(b + 12, s->saddr);
	wr32(b + 16, s->daddr);
	memset(b + 20, 1, s->ipopt);

	wr16(th, s->sport);
	wr16(th + 2, s->dport);
	wr32(th + 4, s->seq);
	wr32(th + 8, s->ack);
	th[12] = (uint8_t)(thl / 4) << 4;
	th[13] = s->flags;
	wr16(th + 14, 64240);
	if (s->optlen)
		memcpy(th + 20, s->opts, s->optlen);
	for (i = 0; i < s->payload; i++) {
		x = x * 1103515245 + 12345;
		th[thl + i] = (uint8_t)(x >> 16);
	}
	wr16(b + IP_CSUM, ref_ip_csum(b));
	wr16(th + TCP_CSUM, ref_tcp_csum(b));
	return len;
}

/* Build s at b and parse it; the test stops if parsing fails. */
static size_t build_parse(struct pkt *p, uint8_t *b, const struct seg *s)
{
	size_t len = build(b, s);

	CU_ASSERT_EQUAL_FATAL(pkt_parse(p, b, len), 0);
	return len;
}

static void put_ts(uint8_t *o, uint32_t tsval, uint32_t tsecr)
{
	o[0] = 8;
	o[1] = 10;
	wr32(o + 2, tsval);
	wr32(o + 6, tsecr);
}

/* Is the TSval at an odd offset from the TCP header? */
static int ts_odd(const struct pkt *p)
{
	return (int)((p->ts_off + 2 - p->ihl) & 1);
}

/*
 * Rewrite the TS option of the packet at b, check the checksum against
 * the reference and pkt.c's own, that only the option and checksum
 * changed, and that parsing again finds the new values.
 */
static void check_rewrite(uint8_t *b, size_t len, uint32_t tsval,
			  uint32_t tsecr)
{
	static uint8_t before[BUF_SIZE];
	struct pkt p, q;
	size_t i, ts, cs;

	CU_ASSERT_EQUAL_FATAL(pkt_parse(&p, b, len), 0);
	CU_ASSERT_FATAL(p.has_ts);
	memcpy(before, b, len);
	pkt_set_ts(&p, tsval, tsecr, 0);
	CU_ASSERT_EQUAL(p.tsval, tsval);
	CU_ASSERT_EQUAL(p.tsecr, tsecr);
	CU_ASSERT(pkt_tcp_csum_ok(&p));
	CU_ASSERT_EQUAL(rd16(b + p.ihl + TCP_CSUM), ref_tcp_csum(b));
	CU_ASSERT_EQUAL(rd16(b + p.ihl + TCP_CSUM), pkt_tcp_csum(&p));

	ts = p.ts_off + 2;
	cs = p.ihl + TCP_CSUM;
	CU_ASSERT_EQUAL(rd32(b + ts), tsval);
	CU_ASSERT_EQUAL(rd32(b + ts + 4), tsecr);
	for (i = 0; i < len; i++) {
		if ((i >= ts && i < ts + 8) || i == cs || i == cs + 1)
			continue;
		if (b[i] != before[i]) {
			CU_FAIL("a byte outside TS and checksum changed");
			break;
		}
	}

	CU_ASSERT_EQUAL_FATAL(pkt_parse(&q, b, len), 0);
	CU_ASSERT_EQUAL(q.tsval, tsval);
	CU_ASSERT_EQUAL(q.tsecr, tsecr);
	CU_ASSERT_EQUAL(q.ts_off, p.ts_off);
}

/* Expect pkt_parse to fail with err on the options given. */
static void check_bad_opts(const uint8_t *opts, size_t n, int err)
{
	uint8_t b[BUF_SIZE];
	struct seg s = base;
	struct pkt p;
	size_t len;

	s.opts = opts;
	s.optlen = n;
	s.payload = 10;
	len = build(b, &s);
	CU_ASSERT_EQUAL(pkt_parse(&p, b, len), err);
}

static void test_syn_linux(void)
{
	uint8_t o[20] = {2, 4, 5, 0xb4, 4, 2};
	uint8_t b[BUF_SIZE];
	struct seg s = base;
	struct pkt p;
	size_t len;

	put_ts(o + 6, 0xdeadbeef, 0);
	memcpy(o + 16, (uint8_t[]){1, 3, 3, 7}, 4);
	s.opts = o;
	s.optlen = sizeof(o);
	s.flags = PKT_SYN;
	s.ack = 0;
	len = build_parse(&p, b, &s);

	CU_ASSERT_PTR_EQUAL(p.data, b);
	CU_ASSERT_EQUAL(p.len, len);
	CU_ASSERT_EQUAL(p.ihl, 20);
	CU_ASSERT_EQUAL(p.thl, 40);
	CU_ASSERT_EQUAL(p.saddr, 0x0a000102);
	CU_ASSERT_EQUAL(p.daddr, 0xc0a80a01);
	CU_ASSERT_EQUAL(p.sport, 40000);
	CU_ASSERT_EQUAL(p.dport, 80);
	CU_ASSERT_EQUAL(p.seq, 0x11223344);
	CU_ASSERT_EQUAL(p.ack, 0);
	CU_ASSERT_EQUAL(p.flags, PKT_SYN);
	CU_ASSERT_EQUAL(p.payload, 0);
	CU_ASSERT_EQUAL(p.mss, 1460);
	CU_ASSERT_EQUAL(p.sack_ok, 1);
	CU_ASSERT_EQUAL(p.wscale, 7);
	CU_ASSERT_EQUAL(p.has_ts, 1);
	CU_ASSERT_EQUAL(p.tsval, 0xdeadbeef);
	CU_ASSERT_EQUAL(p.tsecr, 0);
	CU_ASSERT_EQUAL(p.ts_off, 46);
	CU_ASSERT(pkt_tcp_csum_ok(&p));
	check_rewrite(b, len, 0x01020304, 0x05060708);
}

static void test_data_nop_nop_ts(void)
{
	uint8_t o[12] = {1, 1};
	uint8_t b[BUF_SIZE];
	struct seg s = base;
	struct pkt p;
	size_t len;

	put_ts(o + 2, 1000, 2000);
	s.opts = o;
	s.optlen = sizeof(o);
	s.flags = PKT_ACK | PKT_PSH;
	s.payload = 1448;
	len = build_parse(&p, b, &s);

	CU_ASSERT_EQUAL(p.thl, 32);
	CU_ASSERT_EQUAL(p.payload, 1448);
	CU_ASSERT_EQUAL(p.flags, PKT_ACK | PKT_PSH);
	CU_ASSERT_EQUAL(p.ts_off, 42);
	CU_ASSERT_EQUAL(p.tsval, 1000);
	CU_ASSERT_EQUAL(p.tsecr, 2000);
	CU_ASSERT_EQUAL(p.mss, 0);
	CU_ASSERT_EQUAL(p.wscale, -1);
	CU_ASSERT_EQUAL(p.sack_ok, 0);
	CU_ASSERT(!ts_odd(&p));
	check_rewrite(b, len, 0xcafef00d, 0x12345678);
}

static void test_ts_after_one_nop(void)
{
	/* NOP, TS, NOP: both neighbours of the 8 bytes are non-zero. */
	uint8_t o[12] = {1};
	uint8_t b[BUF_SIZE];
	struct seg s = base;
	struct pkt p;
	size_t len;

	put_ts(o + 1, 0x89abcdef, 0x01234567);
	o[11] = 1;
	s.opts = o;
	s.optlen = sizeof(o);
	s.payload = 333;
	len = build_parse(&p, b, &s);

	CU_ASSERT_EQUAL(p.ts_off, 41);
	CU_ASSERT_EQUAL(p.tsval, 0x89abcdef);
	CU_ASSERT_EQUAL(p.tsecr, 0x01234567);
	CU_ASSERT(ts_odd(&p));
	check_rewrite(b, len, 0x76543210, 0xfedcba98);
	check_rewrite(b, len, 0x89abcdef, 0x01234567);
}

static void test_ts_after_mss_nop(void)
{
	uint8_t o[18] = {2, 4, 0x05, 0x78, 1};
	uint8_t b[BUF_SIZE];
	struct seg s = base;
	struct pkt p;
	size_t len;

	put_ts(o + 5, 0xffff0000, 0x0000ffff);
	memcpy(o + 15, (uint8_t[]){3, 3, 9}, 3);
	s.opts = o;
	s.optlen = sizeof(o);
	s.flags = PKT_SYN | PKT_ACK;
	len = build_parse(&p, b, &s);

	CU_ASSERT_EQUAL(p.thl, 40);
	CU_ASSERT_EQUAL(p.ts_off, 45);
	CU_ASSERT_EQUAL(p.mss, 1400);
	CU_ASSERT_EQUAL(p.wscale, 9);
	CU_ASSERT(ts_odd(&p));
	/* Sum-neutral swaps first, then values that change the sum. */
	check_rewrite(b, len, 0x0000ffff, 0xffff0000);
	check_rewrite(b, len, 0x00ff00ff, 0xff00ff00);
	check_rewrite(b, len, 0x12345678, 0x9abcdef1);
}

static void test_ip_options(void)
{
	uint8_t o[12] = {1};
	uint8_t b[BUF_SIZE];
	struct seg s = base;
	struct pkt p;
	size_t len;

	put_ts(o + 1, 5, 6);
	s.ipopt = 8;
	s.opts = o;
	s.optlen = 11;
	s.payload = 51;
	len = build_parse(&p, b, &s);

	CU_ASSERT_EQUAL(p.ihl, 28);
	CU_ASSERT_EQUAL(p.ts_off, 28 + 21);
	CU_ASSERT_EQUAL(p.payload, 51);
	CU_ASSERT_EQUAL(pkt_ip_csum(b, p.ihl), rd16(b + IP_CSUM));
	check_rewrite(b, len, 7, 8);
}

static void test_no_options(void)
{
	uint8_t b[BUF_SIZE], before[BUF_SIZE];
	struct seg s = base;
	struct pkt p;
	size_t len;

	s.payload = 7;
	len = build_parse(&p, b, &s);
	CU_ASSERT_EQUAL(p.thl, 20);
	CU_ASSERT_EQUAL(p.payload, 7);
	CU_ASSERT_EQUAL(p.has_ts, 0);
	CU_ASSERT_EQUAL(p.tsval, 0);
	CU_ASSERT_EQUAL(p.tsecr, 0);
	CU_ASSERT_EQUAL(p.ts_off, 0);
	CU_ASSERT_EQUAL(p.mss, 0);
	CU_ASSERT_EQUAL(p.wscale, -1);
	CU_ASSERT_EQUAL(p.sack_ok, 0);
	CU_ASSERT(pkt_tcp_csum_ok(&p));

	/* Without a TS option there is nothing to rewrite. */
	memcpy(before, b, len);
	pkt_set_ts(&p, 1, 2, 0);
	CU_ASSERT_EQUAL(memcmp(before, b, len), 0);
}

static void test_eol_in_middle(void)
{
	/* MSS, EOL, then a TS and an option of length 0 that are ignored. */
	uint8_t o[20] = {2, 4, 0x05, 0xb4, 0};
	uint8_t b[BUF_SIZE];
	struct seg s = base;
	struct pkt p;

	put_ts(o + 5, 1, 2);
	o[15] = 30;
	o[16] = 0;
	s.opts = o;
	s.optlen = sizeof(o);
	build_parse(&p, b, &s);
	CU_ASSERT_EQUAL(p.thl, 40);
	CU_ASSERT_EQUAL(p.mss, 1460);
	CU_ASSERT_EQUAL(p.has_ts, 0);
	CU_ASSERT_EQUAL(p.ts_off, 0);
}

static void test_unknown_options(void)
{
	/* Experimental (254), SACK blocks (5), MPTCP (30), then TS. */
	uint8_t o[34] = {254, 6, 0xf9, 0x89, 0, 8};
	uint8_t b[BUF_SIZE];
	struct seg s = base;
	struct pkt p;
	size_t len;

	memcpy(o + 6, (uint8_t[]){5, 10, 1, 2, 3, 4, 5, 6, 7, 8}, 10);
	memcpy(o + 16, (uint8_t[]){30, 8, 0, 1, 2, 3, 4, 5}, 8);
	put_ts(o + 24, 42, 43);
	s.opts = o;
	s.optlen = sizeof(o);
	s.payload = 1;
	len = build_parse(&p, b, &s);
	CU_ASSERT_EQUAL(p.thl, 56);
	CU_ASSERT_EQUAL(p.has_ts, 1);
	CU_ASSERT_EQUAL(p.ts_off, 40 + 24);
	CU_ASSERT_EQUAL(p.tsval, 42);
	CU_ASSERT_EQUAL(p.tsecr, 43);
	CU_ASSERT_EQUAL(p.mss, 0);
	CU_ASSERT_EQUAL(p.sack_ok, 0);
	check_rewrite(b, len, 44, 45);
}

static void test_bad_option_length(void)
{
	check_bad_opts((uint8_t[]){30, 0, 1, 1}, 4, -EINVAL);
	check_bad_opts((uint8_t[]){5, 0, 1, 1}, 4, -EINVAL);
	check_bad_opts((uint8_t[]){30, 1, 1, 1}, 4, -EINVAL);
	check_bad_opts((uint8_t[]){1, 1, 8, 1}, 4, -EINVAL);
}

static void test_option_past_end(void)
{
	check_bad_opts((uint8_t[]){30, 8, 0, 0}, 4, -EINVAL);
	check_bad_opts((uint8_t[]){1, 30, 4, 0}, 4, -EINVAL);
	/* A kind in the last byte has no room for its length. */
	check_bad_opts((uint8_t[]){1, 1, 1, 30}, 4, -EINVAL);
	/* A TS cut by the end of the header. */
	check_bad_opts((uint8_t[]){1, 1, 8, 10, 0, 0, 0, 1}, 8, -EINVAL);
}

static void test_known_option_wrong_length(void)
{
	uint8_t ts8[8] = {8, 8, 0, 0, 0, 1, 0, 2};
	uint8_t ts12[12] = {8, 12, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0};

	check_bad_opts(ts8, sizeof(ts8), -EINVAL);
	check_bad_opts(ts12, sizeof(ts12), -EINVAL);
	check_bad_opts((uint8_t[]){2, 3, 5, 1}, 4, -EINVAL);
	check_bad_opts((uint8_t[]){2, 2, 1, 1}, 4, -EINVAL);
	check_bad_opts((uint8_t[]){3, 4, 7, 1}, 4, -EINVAL);
	check_bad_opts((uint8_t[]){4, 3, 0, 1}, 4, -EINVAL);
}

static void test_bad_data_offset(void)
{
	uint8_t b[BUF_SIZE];
	struct seg s = base;
	struct pkt p;
	size_t len;

	len = build(b, &s);
	b[20 + 12] = 4 << 4;
	CU_ASSERT_EQUAL(pkt_parse(&p, b, len), -EINVAL);
	b[20 + 12] = 0;
	CU_ASSERT_EQUAL(pkt_parse(&p, b, len), -EINVAL);

	/* 24 header bytes claimed, 20 + 3 in the packet. */
	s.payload = 3;
	len = build(b, &s);
	b[20 + 12] = 6 << 4;
	CU_ASSERT_EQUAL(pkt_parse(&p, b, len), -EINVAL);
	b[20 + 12] = 15 << 4;
	CU_ASSERT_EQUAL(pkt_parse(&p, b, len), -EINVAL);
	b[20 + 12] = 5 << 4;
	CU_ASSERT_EQUAL(pkt_parse(&p, b, len), 0);
	CU_ASSERT_EQUAL(p.payload, 3);
}

static void test_bad_ip_header(void)
{
	uint8_t b[BUF_SIZE];
	struct seg s = base;
	struct pkt p;
	size_t len;

	s.payload = 100;
	len = build(b, &s);
	CU_ASSERT_EQUAL(pkt_parse(&p, b, 0), -EINVAL);
	CU_ASSERT_EQUAL(pkt_parse(&p, b, 19), -EINVAL);
	CU_ASSERT_EQUAL(pkt_parse(&p, b, len - 1), -EINVAL);

	b[0] = 0x44;
	CU_ASSERT_EQUAL(pkt_parse(&p, b, len), -EINVAL);
	b[0] = 0x40;
	CU_ASSERT_EQUAL(pkt_parse(&p, b, len), -EINVAL);
	b[0] = 0x4f;
	CU_ASSERT_EQUAL(pkt_parse(&p, b, 40), -EINVAL);
	b[0] = 0x45;

	wr16(b + 2, (uint16_t)(len + 1));
	CU_ASSERT_EQUAL(pkt_parse(&p, b, len), -EINVAL);
	wr16(b + 2, 19);
	CU_ASSERT_EQUAL(pkt_parse(&p, b, len), -EINVAL);
	/* Room for the IPv4 header but not for the TCP header. */
	wr16(b + 2, 39);
	CU_ASSERT_EQUAL(pkt_parse(&p, b, len), -EINVAL);
	wr16(b + 2, (uint16_t)len);
	CU_ASSERT_EQUAL(pkt_parse(&p, b, len), 0);
}

static void test_trailing_bytes(void)
{
	uint8_t o[12] = {1};
	uint8_t b[BUF_SIZE];
	struct seg s = base;
	struct pkt p;
	size_t len;

	put_ts(o + 1, 9, 10);
	s.opts = o;
	s.optlen = 11;
	s.payload = 17;
	len = build(b, &s);
	memset(b + len, 0xa5, 9);
	CU_ASSERT_EQUAL_FATAL(pkt_parse(&p, b, len + 9), 0);
	CU_ASSERT_EQUAL(p.len, len + 9);
	CU_ASSERT_EQUAL(p.payload, 17);
	CU_ASSERT(pkt_tcp_csum_ok(&p));
	check_rewrite(b, len + 9, 0xffffffff, 1);
	CU_ASSERT_EQUAL(b[len], 0xa5);
	CU_ASSERT_EQUAL(b[len + 8], 0xa5);
}

static void test_not_tcp(void)
{
	uint8_t b[BUF_SIZE];
	struct seg s = base;
	struct pkt p;
	size_t len;

	s.payload = 20;
	len = build(b, &s);
	b[9] = 17;
	CU_ASSERT_EQUAL(pkt_parse(&p, b, len), -EPROTONOSUPPORT);
	b[9] = 1;
	CU_ASSERT_EQUAL(pkt_parse(&p, b, len), -EPROTONOSUPPORT);
}

static void test_version_6(void)
{
	uint8_t b[BUF_SIZE];
	struct seg s = base;
	struct pkt p;
	size_t len;

	len = build(b, &s);
	b[0] = 0x60;
	CU_ASSERT_EQUAL(pkt_parse(&p, b, len), -EPROTONOSUPPORT);
	/* Even one byte of it is enough to tell. */
	CU_ASSERT_EQUAL(pkt_parse(&p, b, 1), -EPROTONOSUPPORT);
	b[0] = 0x00;
	CU_ASSERT_EQUAL(pkt_parse(&p, b, len), -EPROTONOSUPPORT);
}

static void test_fragments(void)
{
	uint8_t b[BUF_SIZE];
	struct seg s = base;
	struct pkt p;
	size_t len;

	s.payload = 64;
	len = build(b, &s);
	wr16(b + 6, 185); /* offset 1480 bytes */
	CU_ASSERT_EQUAL(pkt_parse(&p, b, len), -EPROTONOSUPPORT);
	wr16(b + 6, 0x2000 | 1);
	CU_ASSERT_EQUAL(pkt_parse(&p, b, len), -EPROTONOSUPPORT);

	/* A first fragment with the TCP header in it is parsed... */
	wr16(b + 6, 0x2000);
	CU_ASSERT_EQUAL_FATAL(pkt_parse(&p, b, len), 0);
	CU_ASSERT_EQUAL(p.payload, 64);
	/* ...one that cuts the TCP header is malformed. */
	wr16(b + 2, 20 + 12);
	CU_ASSERT_EQUAL(pkt_parse(&p, b, len), -EINVAL);
}

static void test_unaligned_buffer(void)
{
	uint8_t raw[BUF_SIZE + 8];
	uint8_t o[12] = {1};
	struct seg s = base;
	struct pkt p;
	size_t off, len;

	put_ts(o + 1, 0x10203040, 0x50607080);
	s.opts = o;
	s.optlen = 11;
	s.payload = 99;
	for (off = 1; off < 8; off++) {
		len = build_parse(&p, raw + off, &s);
		CU_ASSERT_EQUAL(p.seq, 0x11223344);
		CU_ASSERT_EQUAL(p.tsval, 0x10203040);
		CU_ASSERT_EQUAL(p.saddr, 0x0a000102);
		check_rewrite(raw + off, len, 0x8091a2b3, 0xc4d5e6f7);
	}
}

static void test_csum_convention(void)
{
	uint8_t b[BUF_SIZE];
	struct seg s = base;
	struct pkt p;
	uint16_t v, good;

	s.payload = 37;
	build_parse(&p, b, &s);
	good = rd16(b + 20 + TCP_CSUM);
	CU_ASSERT_EQUAL(pkt_tcp_csum(&p), good);
	CU_ASSERT_EQUAL(pkt_ip_csum(b, 20), rd16(b + IP_CSUM));
	CU_ASSERT_EQUAL(pkt_ip_csum(b, 20), ref_ip_csum(b));

	/* Host order: storing htons() of the value is right. */
	memset(b + 20 + TCP_CSUM, 0x5a, 2);
	CU_ASSERT(!pkt_tcp_csum_ok(&p));
	CU_ASSERT_EQUAL(pkt_tcp_csum(&p), good);
	v = htons(pkt_tcp_csum(&p));
	memcpy(b + 20 + TCP_CSUM, &v, 2);
	CU_ASSERT(pkt_tcp_csum_ok(&p));

	b[20 + 20 + 36] ^= 0x01;
	CU_ASSERT(!pkt_tcp_csum_ok(&p));
}

static void test_rewrite_to_zero_csum(void)
{
	/* TSecr's low half at TCP offset 30 is a whole word; choosing it
	 * to be the checksum makes the new checksum exactly zero. */
	uint8_t o[12] = {1, 1};
	uint8_t b[BUF_SIZE];
	struct seg s = base;
	struct pkt p;
	size_t len;
	uint16_t w;

	put_ts(o + 2, 77, 0xabcd0000);
	s.opts = o;
	s.optlen = sizeof(o);
	s.payload = 21;
	len = build_parse(&p, b, &s);
	w = rd16(b + 20 + TCP_CSUM);
	check_rewrite(b, len, 77, 0xabcd0000 | w);
	CU_ASSERT_EQUAL(rd16(b + 20 + TCP_CSUM), 0x0000);
	check_rewrite(b, len, 77, 0xabcd0000);
	CU_ASSERT_EQUAL(rd16(b + 20 + TCP_CSUM), w);
}

static void test_wrap_values(void)
{
	static const uint32_t v[] = {0xffffffff, 0, 0x80000000, 0x7fffffff,
				     0xffffffff, 1, 0x80000001, 0};
	uint8_t even[12] = {1, 1}, odd[12] = {1};
	const uint8_t *layouts[] = {even, odd};
	uint8_t b[BUF_SIZE];
	struct seg s = base;
	struct pkt p;
	size_t i, j, len;

	put_ts(even + 2, 0x80000000, 0xffffffff);
	put_ts(odd + 1, 0x80000000, 0xffffffff);
	odd[11] = 1;
	for (j = 0; j < 2; j++) {
		s.opts = layouts[j];
		s.optlen = 12;
		s.payload = 5 + j;
		len = build_parse(&p, b, &s);
		CU_ASSERT_EQUAL(ts_odd(&p), (int)j);
		for (i = 0; i < sizeof(v) / sizeof(v[0]); i++)
			check_rewrite(b, len, v[i],
				      v[sizeof(v) / sizeof(v[0]) - 1 - i]);
		/* An offset that wraps, as the host clock adds. */
		check_rewrite(b, len, 0xfffffff0u + 0x20u, 0x10u - 0x20u);
	}
}

/* xorshift32: a fixed, portable sequence for the random tests. */
static uint32_t rnd(uint32_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 17;
	*x ^= *x << 5;
	return *x;
}

/* Random TCP options with a TS somewhere; returns their length. */
static size_t random_opts(uint8_t *o, uint32_t *x)
{
	size_t n = 0, k, i;
	int done[5] = {0};

	for (k = 0; k < 5; k++) {
		size_t nops = rnd(x) % 3, which = rnd(x) % 5;

		while (done[which])
			which = (which + 1) % 5;
		done[which] = 1;
		for (i = 0; i < nops; i++)
			o[n++] = 1;
		switch (which) {
		case 0:
			put_ts(o + n, rnd(x), rnd(x));
			n += 10;
			break;
		case 1:
			if (rnd(x) & 1)
				break;
			memcpy(o + n, (uint8_t[]){2, 4, 5, 0xb4}, 4);
			n += 4;
			break;
		case 2:
			if (rnd(x) & 1)
				break;
			memcpy(o + n, (uint8_t[]){3, 3, (uint8_t)rnd(x)}, 3);
			n += 3;
			break;
		case 3:
			if (rnd(x) & 1)
				break;
			memcpy(o + n, (uint8_t[]){4, 2}, 2);
			n += 2;
			break;
		case 4:
			if (rnd(x) & 1)
				break;
			o[n] = 253;
			o[n + 1] = (uint8_t)(2 + rnd(x) % 5);
			for (i = 2; i < o[n + 1]; i++)
				o[n + i] = (uint8_t)rnd(x);
			n += o[n + 1];
			break;
		}
	}
	return n;
}

/* A random packet with a TS option at a random address. */
static size_t random_packet(uint8_t **b, uint8_t *raw, uint32_t *x)
{
	static uint8_t o[40];
	struct seg s;

	s.saddr = rnd(x);
	s.daddr = rnd(x);
	s.sport = (uint16_t)rnd(x);
	s.dport = (uint16_t)rnd(x);
	s.seq = rnd(x);
	s.ack = rnd(x);
	s.flags = (uint8_t)(rnd(x) & 0x1f);
	s.ipopt = rnd(x) % 4 ? 0 : 4 * (1 + rnd(x) % 4);
	s.opts = o;
	s.optlen = random_opts(o, x);
	s.payload = rnd(x) % 1500;
	s.fill = rnd(x);
	*b = raw + rnd(x) % 4;
	return build(*b, &s);
}

static uint32_t random_ts(uint32_t *x)
{
	static const uint32_t edge[] = {0, 1, 0x7fffffff, 0x80000000,
					0xffffffff};
	uint32_t r = rnd(x);

	if (r % 8 == 0)
		return edge[(r >> 3) % 5];
	return rnd(x);
}

static void test_random_rewrite(void)
{
	static uint8_t raw[BUF_SIZE + 4], orig[BUF_SIZE];
	uint32_t x = 0x2545f491;
	int i, nodd = 0, neven = 0, noddpay = 0;

	for (i = 0; i < 4000; i++) {
		struct pkt p;
		uint8_t *b;
		size_t len = random_packet(&b, raw, &x);
		uint32_t tsval, tsecr;

		CU_ASSERT_EQUAL_FATAL(pkt_parse(&p, b, len), 0);
		CU_ASSERT_FATAL(p.has_ts);
		CU_ASSERT(pkt_tcp_csum_ok(&p));
		if (ts_odd(&p))
			nodd++;
		else
			neven++;
		noddpay += (int)(p.payload & 1);
		tsval = p.tsval;
		tsecr = p.tsecr;
		memcpy(orig, b, len);

		check_rewrite(b, len, random_ts(&x), random_ts(&x));
		check_rewrite(b, len, random_ts(&x), random_ts(&x));
		/* Back to the start: the very same bytes. */
		check_rewrite(b, len, tsval, tsecr);
		CU_ASSERT_EQUAL(memcmp(orig, b, len), 0);
	}
	CU_ASSERT(nodd > 1000);
	CU_ASSERT(neven > 1000);
	CU_ASSERT(noddpay > 1000);
}

static void test_random_partial(void)
{
	static uint8_t raw[BUF_SIZE + 4];
	uint32_t x = 0x9e3779b9;
	int i;

	for (i = 0; i < 2000; i++) {
		struct pkt p, q;
		uint8_t *b;
		size_t len = random_packet(&b, raw, &x);
		uint32_t tsval = random_ts(&x), tsecr = random_ts(&x);
		uint16_t pseudo = (uint16_t)rnd(&x);

		CU_ASSERT_EQUAL_FATAL(pkt_parse(&p, b, len), 0);
		wr16(b + p.ihl + TCP_CSUM, pseudo);
		pkt_set_ts(&p, tsval, tsecr, 1);
		CU_ASSERT_EQUAL(rd16(b + p.ihl + TCP_CSUM), pseudo);
		CU_ASSERT_EQUAL(p.tsval, tsval);
		CU_ASSERT_EQUAL(p.tsecr, tsecr);
		CU_ASSERT_EQUAL_FATAL(pkt_parse(&q, b, len), 0);
		CU_ASSERT_EQUAL(q.tsval, tsval);
		CU_ASSERT_EQUAL(q.tsecr, tsecr);

		/* What the stack does later: sum header and payload. */
		wr16(b + p.ihl + TCP_CSUM, ref_tcp_csum(b));
		CU_ASSERT(pkt_tcp_csum_ok(&q));
	}
}

/*
 * Payloads up to a GSO packet's, at every alignment of the buffer and
 * with odd lengths: long runs are summed a machine word at a time, and
 * must agree with the reference, from scratch, made whole from a partial
 * checksum, and updated incrementally.
 */
static void test_long_payloads(void)
{
	static uint8_t raw[BUF_SIZE + 4];
	static const size_t pays[] = {63,
				      64,
				      65,
				      71,
				      1448,
				      30001,
				      65535 - 20 - 32 - 1,
				      65535 - 20 - 32};
	struct seg s = base;
	uint8_t o[12];
	size_t i, off;

	o[0] = 1;
	o[1] = 1;
	put_ts(o + 2, 1, 2);
	s.opts = o;
	s.optlen = sizeof(o);
	for (i = 0; i < sizeof(pays) / sizeof(pays[0]); i++) {
		for (off = 0; off < 4; off++) {
			uint8_t *b = raw + off, *cs;
			struct pkt p;

			s.payload = pays[i];
			s.fill = (uint32_t)(i * 4 + off + 1);
			build_parse(&p, b, &s);
			cs = b + p.ihl + TCP_CSUM;
			CU_ASSERT_EQUAL(pkt_tcp_csum(&p), ref_tcp_csum(b));
			CU_ASSERT(pkt_tcp_csum_ok(&p));

			wr16(cs, 0x1234); /* a pseudo-header sum */
			pkt_set_ts(&p, 0x80000001, 7, 1);
			pkt_fix_tcp_csum(&p);
			CU_ASSERT_EQUAL(rd16(cs), ref_tcp_csum(b));

			pkt_set_ts(&p, 0xfffffffe, 0x7fffffff, 0);
			CU_ASSERT_EQUAL(rd16(cs), ref_tcp_csum(b));
		}
	}
}

static void test_after(void)
{
	CU_ASSERT(pkt_after(1, 0));
	CU_ASSERT(!pkt_after(0, 1));
	CU_ASSERT(!pkt_after(5, 5));
	CU_ASSERT(pkt_after(0, 0xffffffff));
	CU_ASSERT(!pkt_after(0xffffffff, 0));
	CU_ASSERT(pkt_after(0x7fffffff, 0));
	CU_ASSERT(!pkt_after(0, 0x7fffffff));
	/* Exactly 2^31 apart: neither is after the other. */
	CU_ASSERT(!pkt_after(0x80000000, 0));
	CU_ASSERT(!pkt_after(0, 0x80000000));
	CU_ASSERT(!pkt_after(0x80000001, 0));
	CU_ASSERT(pkt_after(0, 0x80000001));
	CU_ASSERT(pkt_after(0x80000000, 0x7fffffff));
	CU_ASSERT(pkt_after(0x10, 0xfffffff0));
	CU_ASSERT(pkt_after(0x7ffffff0, 0xfffffff1));
	CU_ASSERT(!pkt_after(0x7ffffff1, 0xfffffff1));
}

static const struct unit_test tests[] = {
	{"Linux SYN options", test_syn_linux},
	{"data segment NOP NOP TS", test_data_nop_nop_ts},
	{"TS after one NOP (odd)", test_ts_after_one_nop},
	{"TS after MSS and NOP (odd)", test_ts_after_mss_nop},
	{"IPv4 options", test_ip_options},
	{"no options", test_no_options},
	{"EOL in the middle", test_eol_in_middle},
	{"unknown options skipped", test_unknown_options},
	{"option length 0 and 1", test_bad_option_length},
	{"option past the end", test_option_past_end},
	{"known option, wrong length", test_known_option_wrong_length},
	{"bad data offset", test_bad_data_offset},
	{"bad IPv4 header", test_bad_ip_header},
	{"bytes after tot_len", test_trailing_bytes},
	{"not TCP", test_not_tcp},
	{"version 6", test_version_6},
	{"fragments", test_fragments},
	{"unaligned buffer", test_unaligned_buffer},
	{"checksum convention", test_csum_convention},
	{"rewrite to a zero checksum", test_rewrite_to_zero_csum},
	{"wrap-around values", test_wrap_values},
	{"random rewrites", test_random_rewrite},
	{"random rewrites, partial checksum", test_random_partial},
	{"long payloads", test_long_payloads},
	{"serial comparison", test_after},
	{NULL, NULL},
};

UNIT_SUITE("pkt", tests)
