/* test_capture.c - the capture's records, fed frame by frame: what
 * answered each SYN transmission, retransmissions kept apart from the
 * 24-byte record, the index growing past the planned attempts. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/util.h"
#include "run/capture.h"
#include "topo/topo.h"
#include "unit.h"

static const char cap_text[] = "[lab]\n"
			       "name = caplab\n"
			       "[network lan]\n"
			       "subnet = 10.0.0.0/24\n"
			       "[network wan]\n"
			       "subnet = 198.51.100.0/24\n"
			       "[gateway gw]\n"
			       "inside = lan\n"
			       "outside = wan\n"
			       "[server srv]\n"
			       "network = wan\n"
			       "listen = 80\n"
			       "[clients]\n"
			       "count = 2\n"
			       "network = lan\n"
			       "[traffic]\n"
			       "conns = 2\n";

#define GW_OUT 0xc6336401u /* 198.51.100.1 */

struct seg {
	uint32_t saddr, daddr;
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t flags;
	uint32_t tsval; /* 0: no TS option */
};

static void wr16(uint8_t *b, uint16_t v)
{
	b[0] = (uint8_t)(v >> 8);
	b[1] = (uint8_t)v;
}

static void wr32(uint8_t *b, uint32_t v)
{
	wr16(b, (uint16_t)(v >> 16));
	wr16(b + 2, (uint16_t)v);
}

/* An IPv4/TCP header (with a TS option if asked) into b; its length. */
static size_t seg_build(uint8_t *b, const struct seg *s)
{
	size_t thl = s->tsval ? 32 : 20, len = 20 + thl;

	memset(b, 0, len);
	b[0] = 0x45;
	wr16(b + 2, (uint16_t)len);
	b[8] = 64;
	b[9] = 6;
	wr32(b + 12, s->saddr);
	wr32(b + 16, s->daddr);
	wr16(b + 20, s->sport);
	wr16(b + 22, s->dport);
	wr32(b + 24, s->seq);
	wr32(b + 28, s->ack);
	b[32] = (uint8_t)(thl / 4) << 4;
	b[33] = s->flags;
	if (s->tsval) {
		b[40] = 1;
		b[41] = 1;
		b[42] = 8;
		b[43] = 10;
		wr32(b + 44, s->tsval);
	}
	return len;
}

static struct topo cap_topo;
static uint32_t srv_addr, c1_addr;

static struct capture *cap_new_lab(void)
{
	int err;

	topo_free(&cap_topo);
	err = topo_parse_buf(&cap_topo, "cap.topo", cap_text, strlen(cap_text));
	if (err)
		topo_print_errors(&cap_topo);
	CU_ASSERT_EQUAL_FATAL(err, 0);
	CU_ASSERT_FATAL(cap_topo.traffic.server >= 0);
	srv_addr = cap_topo.nodes[cap_topo.traffic.server].ifs[0].addr;
	c1_addr = 0x0a000002u;
	return capture_open(&cap_topo, 0);
}

/* Client node @node's SYN leaving it, port @sport. */
static void syn_out(struct capture *c, int node, uint16_t sport, uint32_t isn,
		    uint32_t tsval, uint32_t now)
{
	struct seg s = {c1_addr + (uint32_t)node,
			srv_addr,
			sport,
			80,
			isn,
			0,
			0x02,
			tsval};
	uint8_t b[64];
	size_t len = seg_build(b, &s);

	capture_feed(c, node + 1, 0, b, len, now);
}

/* That SYN reaching the server from external port @ext. */
static void syn_in(struct capture *c, uint16_t ext, uint32_t isn, uint32_t now)
{
	struct seg s = {GW_OUT, srv_addr, ext, 80, isn, 0, 0x02, 0};
	uint8_t b[64];
	size_t len = seg_build(b, &s);

	capture_feed(c, -1, 1, b, len, now);
}

/* The server answering on external port @ext: @flags, acking @ack. */
static void srv_out(struct capture *c, uint16_t ext, uint8_t flags,
		    uint32_t ack, uint32_t now)
{
	struct seg s = {srv_addr, GW_OUT, 80, ext, 777, ack, flags, 0};
	uint8_t b[64];
	size_t len = seg_build(b, &s);

	capture_feed(c, -1, 0, b, len, now);
}

/* A frame of a test run: a client's SYN leaving it (node, client port,
 * ISN, TSval), a SYN reaching the server (external port, ISN), or the
 * server answering (external port, ACK number, flags). */
enum ev_kind { EV_OUT, EV_IN, EV_ANSWER };

struct ev {
	enum ev_kind kind;
	int node;
	uint16_t port;
	uint32_t num; /* ISN, or the answer's ACK number */
	uint32_t arg; /* TSval, or the answer's flags */
	uint32_t now;
};

/* A capture fed @n frames, then stopped. */
static struct capture *cap_run(const struct ev *ev, size_t n)
{
	struct capture *c = cap_new_lab();
	size_t i;

	for (i = 0; i < n; i++) {
		const struct ev *e = &ev[i];

		if (e->kind == EV_OUT)
			syn_out(c, e->node, e->port, e->num, e->arg, e->now);
		else if (e->kind == EV_IN)
			syn_in(c, e->port, e->num, e->now);
		else
			srv_out(c, e->port, (uint8_t)e->arg, e->num, e->now);
	}
	capture_stop(c);
	return c;
}

static const struct cap_syn *only_syn(const struct capture *c)
{
	uint32_t n;
	const struct cap_syn *s = capture_syns(c, &n);

	CU_ASSERT_EQUAL_FATAL(n, 1);
	return s;
}

static void test_record_size(void)
{
	CU_ASSERT_EQUAL(sizeof(struct cap_syn), 24);
}

static void test_answered(void)
{
	static const struct ev ev[] = {
		{EV_OUT, 2, 40000, 1000, 555, 100},
		{EV_IN, 0, 40000, 1000, 0, 130},
		{EV_ANSWER, 0, 40000, 1001, 0x12, 160},
	};
	struct capture *c = cap_run(ev, ARRAY_SIZE(ev));
	struct cap_totals tot;
	const struct cap_syn *s = only_syn(c);

	CU_ASSERT_EQUAL(s->client, 2);
	CU_ASSERT_EQUAL(s->sport, 40000);
	CU_ASSERT_EQUAL(s->ext_port, 40000);
	CU_ASSERT_EQUAL(s->ntx, 1);
	CU_ASSERT_EQUAL(s->tsval, 555);
	CU_ASSERT_EQUAL(capture_tx_us(c, s, 0), 100);
	CU_ASSERT_EQUAL(capture_answer(c, s, 0), CAP_SYNACK);
	CU_ASSERT_EQUAL(s->more >> 3, 0); /* no entry for later ones */
	capture_totals(c, &tot);
	CU_ASSERT_EQUAL(tot.syn_in, 1);
	CU_ASSERT_EQUAL(tot.synack_out, 1);
	CU_ASSERT_EQUAL(tot.ext_ports, 1);
	CU_ASSERT_EQUAL(tot.syn_from_clients, 1);
	CU_ASSERT_PTR_EQUAL(capture_find(c, 2, 40000, 90, 5000), s);
	CU_ASSERT_PTR_NULL(capture_find(c, 2, 40001, 90, 5000));
	CU_ASSERT_PTR_NULL(capture_find(c, 3, 40000, 90, 5000));
	capture_free(c);
}

/* Three transmissions: the first dropped at the server, the second lost
 * on the way, the third answered; times and answers of all three. */
static void test_retransmitted(void)
{
	static const struct ev ev[] = {
		{EV_OUT, 2, 40000, 2000, 10, 1000},
		{EV_IN, 0, 41000, 2000, 0, 1100},
		{EV_OUT, 2, 40000, 2000, 1010, 1001000},
		{EV_OUT, 2, 40000, 2000, 3010, 3001000},
		{EV_IN, 0, 41000, 2000, 0, 3001100},
		{EV_ANSWER, 0, 41000, 2001, 0x12, 3001200},
	};
	struct capture *c = cap_run(ev, ARRAY_SIZE(ev));
	const struct cap_syn *s = only_syn(c);

	CU_ASSERT_EQUAL(s->ntx, 3);
	CU_ASSERT_EQUAL(s->tsval, 10);
	CU_ASSERT_EQUAL(s->ext_port, 41000);
	CU_ASSERT_EQUAL(capture_tx_us(c, s, 0), 1000);
	CU_ASSERT_EQUAL(capture_tx_us(c, s, 1), 1001000);
	CU_ASSERT_EQUAL(capture_tx_us(c, s, 2), 3001000);
	CU_ASSERT_EQUAL(capture_tx_us(c, s, 3), 0);
	CU_ASSERT_EQUAL(capture_answer(c, s, 0), CAP_NONE);
	CU_ASSERT_EQUAL(capture_answer(c, s, 1), CAP_LOST);
	CU_ASSERT_EQUAL(capture_answer(c, s, 2), CAP_SYNACK);
	capture_free(c);
}

/* A SYN answered by an ACK (a TIME_WAIT socket), then one by a RST, on
 * the same external port; an ACK later than CAP_TWACK_MS answers
 * nothing. */
static void test_twack_rst(void)
{
	static const struct ev ev[] = {
		{EV_OUT, 2, 40000, 3000, 1, 0},
		{EV_IN, 0, 40000, 3000, 0, 10},
		{EV_ANSWER, 0, 40000, 99, 0x10, 20},
		{EV_OUT, 2, 40000, 3000, 1, 1000000},
		{EV_IN, 0, 40000, 3000, 0, 1000010},
		{EV_ANSWER, 0, 40000, 3001, 0x14, 1000020},
		{EV_OUT, 3, 40002, 4000, 1, 2000000},
		{EV_IN, 0, 40002, 4000, 0, 2000010},
		{EV_ANSWER, 0, 40002, 99, 0x10, 3000020},
	};
	struct capture *c = cap_run(ev, ARRAY_SIZE(ev));
	struct cap_totals tot;
	uint32_t n;
	const struct cap_syn *s = capture_syns(c, &n);

	CU_ASSERT_EQUAL_FATAL(n, 2);
	CU_ASSERT_EQUAL(capture_answer(c, &s[0], 0), CAP_TWACK);
	CU_ASSERT_EQUAL(capture_answer(c, &s[0], 1), CAP_RST);
	CU_ASSERT_EQUAL(capture_answer(c, &s[1], 0), CAP_NONE);
	capture_totals(c, &tot);
	CU_ASSERT_EQUAL(tot.twack_out, 1);
	CU_ASSERT_EQUAL(tot.rst_out, 1);
	CU_ASSERT_EQUAL(tot.syn_in, 3);
	CU_ASSERT_EQUAL(tot.ext_ports, 2);
	capture_free(c);
}

/* Ten transmissions: all counted, the first CAP_TX_MAX kept; arrivals
 * past what cap_syn.rx counts still find their transmission. */
static void test_many_transmissions(void)
{
	struct capture *c = cap_new_lab();
	const struct cap_syn *s;
	int k;

	for (k = 0; k < 10; k++) {
		syn_out(c, 2, 40000, 5000, 7, (uint32_t)k * 1000000 + 1);
		syn_in(c, 40000, 5000, (uint32_t)k * 1000000 + 2);
	}
	for (k = 0; k < 10; k++)
		syn_in(c, 40000, 5000, 9000003 + (uint32_t)k);
	srv_out(c, 40000, 0x12, 5001, 9500000);
	capture_stop(c);
	s = only_syn(c);
	CU_ASSERT_EQUAL(s->ntx, 10);
	for (k = 0; k < CAP_TX_MAX; k++) {
		CU_ASSERT_EQUAL(capture_tx_us(c, s, k),
				(uint32_t)k * 1000000 + 1);
		CU_ASSERT_EQUAL(capture_answer(c, s, k),
				k == CAP_TX_MAX - 1 ? CAP_SYNACK : CAP_NONE);
	}
	capture_free(c);
}

/* Many more connections than the topology plans: every one is found
 * again by its ISN and by its client port. */
static void test_grow(void)
{
	struct capture *c = cap_new_lab();
	const struct cap_syn *s;
	uint32_t i, n;

	for (i = 0; i < 5000; i++) {
		syn_out(c, 2 + (int)(i & 1), (uint16_t)(10000 + i / 2),
			0x9e3779b9u * i, 0, i * 10);
		syn_in(c, (uint16_t)(10000 + i), 0x9e3779b9u * i, i * 10 + 1);
	}
	for (i = 0; i < 5000; i++)
		srv_out(c, (uint16_t)(10000 + i), 0x12, 0x9e3779b9u * i + 1,
			60000 + i);
	capture_stop(c);
	capture_syns(c, &n);
	CU_ASSERT_EQUAL(n, 5000);
	for (i = 0; i < 5000; i++) {
		s = capture_find(c, 2 + (int)(i & 1), (uint16_t)(10000 + i / 2),
				 i * 10, i * 10 + 5);
		CU_ASSERT_PTR_NOT_NULL_FATAL(s);
		CU_ASSERT_EQUAL(s->isn, 0x9e3779b9u * i);
		CU_ASSERT_EQUAL(s->ext_port, 10000 + i);
		CU_ASSERT_EQUAL(capture_answer(c, s, 0), CAP_SYNACK);
	}
	capture_free(c);
	topo_free(&cap_topo);
}

static const struct unit_test tests[] = {
	{"cap_syn size", test_record_size},
	{"answered SYN", test_answered},
	{"retransmitted SYN", test_retransmitted},
	{"TIME_WAIT ACK and RST", test_twack_rst},
	{"more transmissions than kept", test_many_transmissions},
	{"more connections than planned", test_grow},
	{NULL, NULL},
};

UNIT_SUITE("capture", tests)
