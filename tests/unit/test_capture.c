/* test_capture.c - the capture's records, fed frame by frame: what
 * answered each SYN transmission, retransmissions kept apart from the
 * 24-byte record, the index growing past the planned attempts; and its
 * kernel filter, run on frames by a small BPF interpreter. */
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/util.h"
#include "run/capture.h"
#include "run/capture_bpf.h"
#include "topo/topo.h"
#include "topo_test.h"
#include "unit.h"

static const char cap_text[] = TOPO_TEST_ONE_GW("caplab") "listen = 80\n"
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

/* ---- the kernel filter ---- */

/* A frame as a cooked packet socket's filter sees it. */
struct bpf_frame {
	uint16_t proto; /* SKF_AD_PROTOCOL: the ethertype, host order */
	uint32_t ifindex;
	uint32_t pkttype;   /* PACKET_HOST, PACKET_OUTGOING, ... */
	const uint8_t *net; /* from the network header on */
	size_t len;
};

/* A load of @size bytes at @k, big-endian as BPF loads are; 0 if past
 * the end (the kernel then ends the program: drop). */
static int bpf_load(const struct bpf_frame *f, uint32_t k, int size,
		    uint32_t *a)
{
	int i;

	if (k + (uint32_t)size > f->len)
		return 0;
	for (*a = 0, i = 0; i < size; i++)
		*a = *a << 8 | f->net[k + (uint32_t)i];
	return 1;
}

/* An ancillary load (SKF_AD_OFF + @what): the frame's metadata. */
static uint32_t bpf_ancillary(const struct bpf_frame *f, uint32_t what)
{
	switch (what) {
	case SKF_AD_PROTOCOL:
		return f->proto;
	case SKF_AD_IFINDEX:
		return f->ifindex;
	case SKF_AD_PKTTYPE:
		return f->pkttype;
	}
	CU_FAIL("ancillary load the interpreter does not know");
	return 0;
}

/*
 * Classic BPF as the kernel runs it (Documentation/networking/filter.rst),
 * for the instructions the capture's program uses: A and X, absolute,
 * indirect and ancillary loads, X from an IPv4 header length (MSH), AND,
 * JEQ and JSET with their jt/jf offsets, RET.  Return: what the program
 * returns, 0 (drop) if a load runs past the frame.  An instruction it
 * does not know, or a jump out of the program, fails the test.
 */
static uint32_t bpf_run(const struct sock_filter *code, int n,
			const struct bpf_frame *f)
{
	const int size[] = {[BPF_W] = 4, [BPF_H] = 2, [BPF_B] = 1};
	uint32_t a = 0, x = 0;
	int pc = 0;

	while (pc < n) {
		const struct sock_filter *in = &code[pc++];

		switch (in->code) {
		case BPF_LD | BPF_W | BPF_ABS:
		case BPF_LD | BPF_H | BPF_ABS:
		case BPF_LD | BPF_B | BPF_ABS:
			if (in->k >= (uint32_t)SKF_AD_OFF)
				a = bpf_ancillary(f,
						  in->k - (uint32_t)SKF_AD_OFF);
			else if (!bpf_load(f, in->k, size[BPF_SIZE(in->code)],
					   &a))
				return 0;
			break;
		case BPF_LD | BPF_B | BPF_IND:
			if (!bpf_load(f, x + in->k, 1, &a))
				return 0;
			break;
		case BPF_LDX | BPF_B | BPF_MSH:
			if (!bpf_load(f, in->k, 1, &x))
				return 0;
			x = (x & 0xf) * 4;
			break;
		case BPF_ALU | BPF_AND | BPF_K:
			a &= in->k;
			break;
		case BPF_JMP | BPF_JEQ | BPF_K:
			pc += a == in->k ? in->jt : in->jf;
			break;
		case BPF_JMP | BPF_JSET | BPF_K:
			pc += a & in->k ? in->jt : in->jf;
			break;
		case BPF_JMP | BPF_JGE | BPF_K:
			pc += a >= in->k ? in->jt : in->jf;
			break;
		case BPF_RET | BPF_K:
			return in->k;
		default:
			CU_FAIL("instruction the interpreter does not know");
			return 0;
		}
	}
	CU_FAIL("the program ran past its end");
	return 0;
}

#define SRV_PORT 7
#define CL_PORT	 30

/* One frame through the lab's filter: kept (1) or not (0). */
struct bpf_case {
	const char *what;
	uint16_t proto;
	uint32_t ifindex, pkttype;
	uint8_t ipproto;
	uint16_t frag; /* IPv4 flags and fragment offset */
	int ihl;       /* IPv4 header words */
	uint8_t flags; /* TCP */
	int keep;
};

static const struct bpf_case bpf_cases[] = {
	{"client SYN", ETH_P_IP, CL_PORT, PACKET_HOST, 6, 0, 5, 0x02, 1},
	{"client SYN-ACK", ETH_P_IP, CL_PORT, PACKET_HOST, 6, 0, 5, 0x12, 0},
	{"client ACK", ETH_P_IP, CL_PORT, PACKET_HOST, 6, 0, 5, 0x10, 0},
	{"client RST", ETH_P_IP, CL_PORT, PACKET_HOST, 6, 0, 5, 0x04, 0},
	{"client FIN", ETH_P_IP, CL_PORT, PACKET_HOST, 6, 0, 5, 0x11, 0},
	{"SYN to a client", ETH_P_IP, CL_PORT, PACKET_OUTGOING, 6, 0, 5, 0x02,
	 0},
	{"SYN to the server", ETH_P_IP, SRV_PORT, PACKET_OUTGOING, 6, 0, 5,
	 0x02, 1},
	{"SYN-ACK to the server", ETH_P_IP, SRV_PORT, PACKET_OUTGOING, 6, 0, 5,
	 0x12, 0},
	{"ACK to the server", ETH_P_IP, SRV_PORT, PACKET_OUTGOING, 6, 0, 5,
	 0x10, 0},
	{"RST to the server", ETH_P_IP, SRV_PORT, PACKET_OUTGOING, 6, 0, 5,
	 0x04, 0},
	{"server SYN-ACK", ETH_P_IP, SRV_PORT, PACKET_HOST, 6, 0, 5, 0x12, 1},
	{"server RST", ETH_P_IP, SRV_PORT, PACKET_HOST, 6, 0, 5, 0x04, 1},
	{"server RST-ACK", ETH_P_IP, SRV_PORT, PACKET_HOST, 6, 0, 5, 0x14, 1},
	{"server pure ACK", ETH_P_IP, SRV_PORT, PACKET_HOST, 6, 0, 5, 0x10, 1},
	{"server ACK+PSH", ETH_P_IP, SRV_PORT, PACKET_HOST, 6, 0, 5, 0x18, 0},
	{"server FIN-ACK", ETH_P_IP, SRV_PORT, PACKET_HOST, 6, 0, 5, 0x11, 0},
	{"gateway inside SYN", ETH_P_IP, 20, PACKET_HOST, 6, 0, 5, 0x02, 0},
	{"gateway outside SYN", ETH_P_IP, 21, PACKET_HOST, 6, 0, 5, 0x02, 0},
	{"ARP", ETH_P_ARP, CL_PORT, PACKET_HOST, 6, 0, 5, 0x02, 0},
	{"IPv6", ETH_P_IPV6, CL_PORT, PACKET_HOST, 6, 0, 5, 0x02, 0},
	{"UDP", ETH_P_IP, CL_PORT, PACKET_HOST, 17, 0, 5, 0x02, 0},
	{"later fragment", ETH_P_IP, CL_PORT, PACKET_HOST, 6, 0x0001, 5, 0x02,
	 0},
	{"first fragment", ETH_P_IP, CL_PORT, PACKET_HOST, 6, 0x2000, 5, 0x02,
	 1},
	{"DF", ETH_P_IP, CL_PORT, PACKET_HOST, 6, 0x4000, 5, 0x02, 1},
	{"IP options, SYN", ETH_P_IP, CL_PORT, PACKET_HOST, 6, 0x4000, 6, 0x02,
	 1},
	{"IP options, ACK", ETH_P_IP, CL_PORT, PACKET_HOST, 6, 0x4000, 6, 0x10,
	 0},
};

/* The network header and TCP header of @k; byte 33, where the flags of
 * a TCP header after 20 bytes of IPv4 would be, holds SYN whatever the
 * real flags: a filter that ignored the header length would be fooled. */
static size_t bpf_case_frame(uint8_t *b, const struct bpf_case *k)
{
	size_t ip = (size_t)k->ihl * 4;

	memset(b, 0, 64);
	b[0] = (uint8_t)(0x40 | k->ihl);
	wr16(b + 2, (uint16_t)(ip + 20));
	wr16(b + 6, k->frag);
	b[8] = 64;
	b[9] = k->ipproto;
	b[33] = 0x02;
	b[ip + 12] = 5 << 4;
	b[ip + 13] = k->flags;
	return ip + 20;
}

static void test_filter(void)
{
	static const int skip[] = {20, 21}, srv = SRV_PORT;
	struct sock_filter code[CAPTURE_BPF_MAX];
	size_t i;
	int n, pc;

	n = capture_bpf_build(code, &srv, 1, skip, 2, 0, 0, 160);
	CU_ASSERT_EQUAL_FATAL(n, 9 + 2 + 18);
	/* What the kernel's checker asks: jumps inside, a RET last. */
	for (pc = 0; pc < n; pc++)
		if (BPF_CLASS(code[pc].code) == BPF_JMP)
			CU_ASSERT(pc + 1 + code[pc].jt < n &&
				  pc + 1 + code[pc].jf < n);
	CU_ASSERT_EQUAL(BPF_CLASS(code[n - 1].code), BPF_RET);
	for (i = 0; i < ARRAY_SIZE(bpf_cases); i++) {
		const struct bpf_case *k = &bpf_cases[i];
		uint8_t b[64];
		struct bpf_frame f = {k->proto, k->ifindex, k->pkttype, b, 0};
		uint32_t got;

		f.len = bpf_case_frame(b, k);
		got = bpf_run(code, n, &f);
		if (got != (k->keep ? 160u : 0u))
			fprintf(stderr, "\n  filter: %s: %u\n", k->what, got);
		CU_ASSERT_EQUAL(got, k->keep ? 160u : 0u);
	}
}

/* More refused ports than the program holds: the first
 * CAPTURE_BPF_SKIP are refused, the rest are taken for clients'. */
static void test_filter_many_skips(void)
{
	static const struct bpf_case syn = {"", ETH_P_IP, 0, PACKET_HOST, 6, 0,
					    5,	0x02,	  1};
	struct sock_filter code[CAPTURE_BPF_MAX];
	int skip[CAPTURE_BPF_SKIP + 4], i, n, srv = SRV_PORT;
	uint8_t b[64];
	struct bpf_frame f = {ETH_P_IP, 0, PACKET_HOST, b, 0};

	for (i = 0; i < (int)ARRAY_SIZE(skip); i++)
		skip[i] = 100 + i;
	n = capture_bpf_build(code, &srv, 1, skip, (int)ARRAY_SIZE(skip), 0, 0,
			      96);
	CU_ASSERT_EQUAL_FATAL(n, 9 + CAPTURE_BPF_SKIP + 18);
	CU_ASSERT(n <= CAPTURE_BPF_MAX);
	f.len = bpf_case_frame(b, &syn);
	for (i = 0; i < (int)ARRAY_SIZE(skip); i++) {
		f.ifindex = (uint32_t)skip[i];
		CU_ASSERT_EQUAL(bpf_run(code, n, &f),
				i < CAPTURE_BPF_SKIP ? 0u : 96u);
	}
}

/* A balancer's servers: each server's port is a server's, the
 * balancer's own ports are refused; the most ports the program holds
 * still fit it. */
static void test_filter_servers(void)
{
	static const struct bpf_case cases[] = {
		{"SYN to server 2", ETH_P_IP, 41, PACKET_OUTGOING, 6, 0, 5,
		 0x02, 1},
		{"server 2 SYN-ACK", ETH_P_IP, 41, PACKET_HOST, 6, 0, 5, 0x12,
		 1},
		{"server 2 RST", ETH_P_IP, 41, PACKET_HOST, 6, 0, 5, 0x04, 1},
		{"ACK to server 3", ETH_P_IP, 42, PACKET_OUTGOING, 6, 0, 5,
		 0x10, 0},
		{"SYN to the balancer's frontend", ETH_P_IP, 22,
		 PACKET_OUTGOING, 6, 0, 5, 0x02, 0},
		{"SYN from the balancer's backend", ETH_P_IP, 23, PACKET_HOST,
		 6, 0, 5, 0x02, 0},
		{"client SYN", ETH_P_IP, CL_PORT, PACKET_HOST, 6, 0, 5, 0x02,
		 1},
	};
	static const int skip[] = {20, 21, 22, 23}, srv[] = {40, 41, 42};
	int many[CAPTURE_BPF_SKIP], manys[CAPTURE_BPF_SRV], n, pc;
	struct sock_filter code[CAPTURE_BPF_MAX];
	size_t i;

	n = capture_bpf_build(code, srv, 3, skip, 4, 0, 0, 160);
	CU_ASSERT_EQUAL_FATAL(n, 8 + 3 + 4 + 18);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct bpf_case *k = &cases[i];
		uint8_t b[64];
		struct bpf_frame f = {k->proto, k->ifindex, k->pkttype, b, 0};

		f.len = bpf_case_frame(b, k);
		if (bpf_run(code, n, &f) != (k->keep ? 160u : 0u))
			fprintf(stderr, "\n  filter: %s\n", k->what);
		CU_ASSERT_EQUAL(bpf_run(code, n, &f), k->keep ? 160u : 0u);
	}
	for (pc = 0; pc < CAPTURE_BPF_SKIP; pc++)
		many[pc] = 100 + pc;
	for (pc = 0; pc < CAPTURE_BPF_SRV; pc++)
		manys[pc] = 200 + pc;
	n = capture_bpf_build(code, manys, CAPTURE_BPF_SRV, many,
			      CAPTURE_BPF_SKIP, 300, 9, 96);
	CU_ASSERT(n <= CAPTURE_BPF_MAX);
	for (pc = 0; pc < n; pc++)
		if (BPF_CLASS(code[pc].code) == BPF_JMP)
			CU_ASSERT(pc + 1 + code[pc].jt < n &&
				  pc + 1 + code[pc].jf < n);
}

/* The links between a network's bridges, refused by range: a client's
 * SYN crossing one is not counted again, the ports on either side of
 * the range are still clients'. */
static void test_filter_range(void)
{
	static const struct bpf_case syn = {"", ETH_P_IP, 0, PACKET_HOST, 6, 0,
					    5,	0x02,	  1};
	static const int skip[] = {20, 21}, srv = SRV_PORT;
	struct sock_filter code[CAPTURE_BPF_MAX];
	struct bpf_frame f = {ETH_P_IP, 0, PACKET_HOST, NULL, 0};
	uint8_t b[64];
	int n, pc;
	uint32_t ifi;

	n = capture_bpf_build(code, &srv, 1, skip, 2, 50, 6, 160);
	CU_ASSERT_EQUAL_FATAL(n, 9 + 2 + 2 + 18);
	for (pc = 0; pc < n; pc++)
		if (BPF_CLASS(code[pc].code) == BPF_JMP)
			CU_ASSERT(pc + 1 + code[pc].jt < n &&
				  pc + 1 + code[pc].jf < n);
	f.net = b;
	f.len = bpf_case_frame(b, &syn);
	for (ifi = 45; ifi < 60; ifi++) {
		f.ifindex = ifi;
		CU_ASSERT_EQUAL(bpf_run(code, n, &f),
				ifi >= 50 && ifi < 56 ? 0u : 160u);
	}
	f.ifindex = 20; /* a refused port still is */
	CU_ASSERT_EQUAL(bpf_run(code, n, &f), 0u);
	f.ifindex = SRV_PORT; /* still the server's: a SYN to it is kept */
	f.pkttype = PACKET_OUTGOING;
	CU_ASSERT_EQUAL(bpf_run(code, n, &f), 160u);
	f.ifindex = 57; /* a client's: a SYN to it is not */
	CU_ASSERT_EQUAL(bpf_run(code, n, &f), 0u);
}

static const struct unit_test tests[] = {
	{"cap_syn size", test_record_size},
	{"answered SYN", test_answered},
	{"retransmitted SYN", test_retransmitted},
	{"TIME_WAIT ACK and RST", test_twack_rst},
	{"more transmissions than kept", test_many_transmissions},
	{"more connections than planned", test_grow},
	{"kernel filter", test_filter},
	{"kernel filter, more refused ports than it holds",
	 test_filter_many_skips},
	{"kernel filter, a balancer's servers", test_filter_servers},
	{"kernel filter, a range of refused ports", test_filter_range},
	{NULL, NULL},
};

UNIT_SUITE("capture", tests)
