/* test_engine.c - the engine's pure steps: faults matched on built
 * packets, connections numbered by ISN, the legacy steps and the end of a
 * shortened TIME_WAIT. */
#include <stdint.h>
#include <string.h>
#include <netinet/in.h>

#include "engine/engine_fault.h"
#include "engine/engine_legacy.h"
#include "lib/pkt.h"
#include "topo/topo.h"
#include "unit.h"

/* The node under test and its peers (host order). */
#define NODE  0x0a000001u /* 10.0.0.1 */
#define PEER  0xc0000201u /* 192.0.2.1 */
#define PEER2 0xc6336407u /* 198.51.100.7 */

#define IN  0
#define OUT 1

/* One packet of a connection between the node and a peer. */
struct seg {
	int out;	/* the node sends it */
	uint32_t raddr; /* the peer */
	uint16_t lport; /* the node's port */
	uint16_t rport; /* the peer's */
	uint32_t seq;	/* the sender's sequence number */
	uint8_t flags;	/* PKT_* */
	size_t payload; /* bytes of data */
	int ts;		/* carries a timestamp option */
};

/* A packet buffer, the packet parsed from it, and its connection as the
 * node sees it. */
struct built {
	uint8_t buf[256];
	struct pkt p;
	struct tuple t;
};

/* Store @v in the @n bytes (2 or 4) at @b, most significant first. */
static void put_be(uint8_t *b, uint32_t v, int n)
{
	while (n--) {
		b[n] = (uint8_t)v;
		v >>= 8;
	}
}

/* Write @s as IPv4 + TCP bytes (a 20-byte IP header; NOP NOP TS when it
 * has a timestamp), parse them, and name the connection by hand. */
static void build(struct built *b, const struct seg *s)
{
	uint32_t src = s->out ? NODE : s->raddr;
	uint32_t dst = s->out ? s->raddr : NODE;
	uint16_t sport = s->out ? s->lport : s->rport;
	uint16_t dport = s->out ? s->rport : s->lport;
	size_t thl = s->ts ? 32 : 20, len = 20 + thl + s->payload;
	uint8_t *tcp = b->buf + 20;

	CU_ASSERT_FATAL(len <= sizeof(b->buf));
	memset(b->buf, 0, sizeof(b->buf));
	b->buf[0] = 0x45;
	put_be(b->buf + 2, (uint16_t)len, 2);
	b->buf[8] = 64;
	b->buf[9] = IPPROTO_TCP;
	put_be(b->buf + 12, src, 4);
	put_be(b->buf + 16, dst, 4);
	put_be(tcp, sport, 2);
	put_be(tcp + 2, dport, 2);
	put_be(tcp + 4, s->seq, 4);
	tcp[12] = (uint8_t)(thl / 4 << 4);
	tcp[13] = s->flags;
	if (s->ts) {
		tcp[20] = 1, tcp[21] = 1, tcp[22] = 8, tcp[23] = 10;
		put_be(tcp + 24, 12345, 4);
	}
	CU_ASSERT_EQUAL_FATAL(pkt_parse(&b->p, b->buf, len), 0);
	CU_ASSERT_EQUAL(b->p.flags, s->flags);
	CU_ASSERT_EQUAL(b->p.payload, s->payload);
	b->t.laddr = NODE;
	b->t.raddr = s->raddr;
	b->t.lport = s->lport;
	b->t.rport = s->rport;
}

/* ---- fault kinds ---- */

static const enum topo_fault_packet kinds[] = {
	TOPO_PKT_ANY,  TOPO_PKT_SYN, TOPO_PKT_SYNACK, TOPO_PKT_ACK,
	TOPO_PKT_DATA, TOPO_PKT_FIN, TOPO_PKT_RST,    TOPO_PKT_FINAL_ACK,
};

/* Per packet, by hand: does each kind of kinds[] match it (the final ACK
 * once with a connection whose peer sent its FIN, once with one whose peer
 * did not, once with no known connection)? */
static const struct {
	uint8_t flags;
	size_t payload;
	int want[8];	  /* kinds[], final ACK after the peer's FIN */
	int final_nofin;  /* final ACK, the peer has not sent its FIN */
	int final_noconn; /* final ACK, connection unknown */
} kind_table[] = {
	{PKT_SYN, 0, {1, 1, 0, 0, 0, 0, 0, 0}, 0, 0},
	{PKT_SYN | PKT_ACK, 0, {1, 0, 1, 0, 0, 0, 0, 0}, 0, 0},
	{PKT_ACK, 0, {1, 0, 0, 1, 0, 0, 0, 1}, 0, 0},
	{PKT_PSH | PKT_ACK, 0, {1, 0, 0, 1, 0, 0, 0, 1}, 0, 0},
	{PKT_ACK, 10, {1, 0, 0, 0, 1, 0, 0, 0}, 0, 0},
	{PKT_PSH | PKT_ACK, 1, {1, 0, 0, 0, 1, 0, 0, 0}, 0, 0},
	{PKT_FIN | PKT_ACK, 0, {1, 0, 0, 0, 0, 1, 0, 0}, 0, 0},
	{PKT_FIN | PKT_ACK, 5, {1, 0, 0, 0, 1, 1, 0, 0}, 0, 0},
	{PKT_FIN, 0, {1, 0, 0, 0, 0, 1, 0, 0}, 0, 0},
	{PKT_RST, 0, {1, 0, 0, 0, 0, 0, 1, 0}, 0, 0},
	{PKT_RST | PKT_ACK, 0, {1, 0, 0, 0, 0, 0, 1, 0}, 0, 0},
	{PKT_SYN | PKT_FIN, 0, {1, 1, 0, 0, 0, 1, 0, 0}, 0, 0},
	{0, 0, {1, 0, 0, 0, 0, 0, 0, 0}, 0, 0},
};

static void test_fault_kinds(void)
{
	struct eng_fault_conn fin = {.index = 1, .peer_fin = 1};
	struct eng_fault_conn nofin = {.index = 1, .peer_fin = 0};
	size_t i, k;

	for (i = 0; i < sizeof(kind_table) / sizeof(kind_table[0]); i++) {
		struct seg s = {.out = OUT,
				.raddr = PEER,
				.lport = 40000,
				.rport = 80,
				.flags = kind_table[i].flags,
				.payload = kind_table[i].payload};
		struct built b = {0};

		build(&b, &s);
		for (k = 0; k < 8; k++)
			CU_ASSERT_EQUAL(engine_fault_kind(kinds[k], &b.p, &fin),
					kind_table[i].want[k]);
		CU_ASSERT_EQUAL(
			engine_fault_kind(TOPO_PKT_FINAL_ACK, &b.p, &nofin),
			kind_table[i].final_nofin);
		CU_ASSERT_EQUAL(
			engine_fault_kind(TOPO_PKT_FINAL_ACK, &b.p, NULL),
			kind_table[i].final_noconn);
	}
}

/* ---- connection numbering ---- */

/* The connection of one built packet, as engine_fault_conn() names it. */
static struct eng_fault_conn *conn_of(struct eng_faults *fs,
				      const struct seg *s)
{
	struct built b = {0};

	build(&b, s);
	return engine_fault_conn(fs, &b.t, &b.p, s->out);
}

static void test_fault_numbering(void)
{
	struct topo t = {0};
	struct eng_faults fs;
	struct eng_fault_conn *c;
	struct seg a = {OUT, PEER, 40000, 80, 1000, PKT_SYN, 0, 1};
	struct seg b = {IN, PEER2, 22, 5555, 7, PKT_SYN, 0, 0};
	struct seg d = {OUT, PEER, 40001, 80, 2000, PKT_SYN, 0, 1};
	struct seg s;

	engine_fault_init(&fs, &t, 0);
	CU_ASSERT_EQUAL(fs.n, 0);
	CU_ASSERT_PTR_NULL(fs.v);

	/* Before any SYN, a connection is unknown, and stays so. */
	s = a, s.flags = PKT_ACK;
	CU_ASSERT_PTR_NULL(conn_of(&fs, &s));
	s.flags = PKT_FIN | PKT_ACK, s.out = IN;
	CU_ASSERT_PTR_NULL(conn_of(&fs, &s));
	CU_ASSERT_PTR_NULL(conn_of(&fs, &s));

	/* The node opens one: 1; its retransmitted SYN is still 1. */
	c = conn_of(&fs, &a);
	CU_ASSERT_FATAL(c != NULL);
	CU_ASSERT_EQUAL(c->index, 1);
	CU_ASSERT_EQUAL(c->isn, 1000);
	CU_ASSERT_EQUAL(conn_of(&fs, &a)->index, 1);
	/* The SYN-ACK of it belongs to it and numbers nothing. */
	s = a, s.out = IN, s.seq = 90000, s.flags = PKT_SYN | PKT_ACK;
	CU_ASSERT_EQUAL(conn_of(&fs, &s)->index, 1);

	/* The node accepts one: 2; it opens another: 3. */
	CU_ASSERT_EQUAL(conn_of(&fs, &b)->index, 2);
	CU_ASSERT_EQUAL(conn_of(&fs, &d)->index, 3);

	/* The peer's FIN marks its connection; the node's own does not. */
	s = a, s.out = IN, s.seq = 90001, s.flags = PKT_FIN | PKT_ACK;
	CU_ASSERT_EQUAL(conn_of(&fs, &s)->peer_fin, 1);
	s = d, s.seq = 2001, s.flags = PKT_FIN | PKT_ACK;
	CU_ASSERT_EQUAL(conn_of(&fs, &s)->peer_fin, 0);
	s = a, s.flags = PKT_ACK;
	CU_ASSERT_EQUAL(conn_of(&fs, &s)->peer_fin, 1);

	/* The first port reused with a new ISN: a new connection, 4, whose
	 * peer has sent no FIN yet. */
	s = a, s.seq = 5000;
	c = conn_of(&fs, &s);
	CU_ASSERT_EQUAL(c->index, 4);
	CU_ASSERT_EQUAL(c->isn, 5000);
	CU_ASSERT_EQUAL(c->peer_fin, 0);
	CU_ASSERT_EQUAL(fs.next_index, 4);
	CU_ASSERT_EQUAL(tuple_table_count(&fs.conns), 3);
	engine_fault_free(&fs);
}

/* ---- fault matching ---- */

/* What engine_fault_match() says of one built packet. */
static const struct topo_fault *match(struct eng_faults *fs,
				      const struct seg *s)
{
	struct built b = {0};

	build(&b, s);
	return engine_fault_match(fs, &b.t, &b.p, s->out);
}

static void test_fault_match(void)
{
	struct topo_fault f[4] = {
		/* another node's: never node 1's */
		{.node = 0, .out = 0, .packet = TOPO_PKT_ANY, .nth = 1},
		/* the 2nd data packet node 1 receives on its 2nd conn */
		{.node = 1,
		 .packet = TOPO_PKT_DATA,
		 .conn = 2,
		 .nth = 2,
		 .delay_ms = 50},
		/* the 3rd SYN node 1 sends, any connection */
		{.node = 1,
		 .out = 1,
		 .packet = TOPO_PKT_SYN,
		 .nth = 3,
		 .drop = 1},
		/* the 1st final ACK node 1 sends */
		{.node = 1,
		 .out = 1,
		 .packet = TOPO_PKT_FINAL_ACK,
		 .nth = 1,
		 .drop = 1},
	};
	struct topo t = {.faults = f, .nfaults = 4};
	struct seg a = {OUT, PEER, 40000, 80, 1, PKT_SYN, 0, 0};
	struct seg b = {OUT, PEER, 40001, 80, 2, PKT_SYN, 0, 0};
	struct seg c = {OUT, PEER, 40002, 80, 3, PKT_SYN, 0, 0};
	struct eng_faults fs;
	struct seg s;

	engine_fault_init(&fs, &t, 1);
	CU_ASSERT_EQUAL_FATAL(fs.n, 3);
	CU_ASSERT_PTR_EQUAL(fs.v[0].f, &f[1]);
	CU_ASSERT_PTR_EQUAL(fs.v[2].f, &f[3]);

	/* SYNs out: the third (a retransmission counts) is dropped, and
	 * the fault never fires again. */
	CU_ASSERT_PTR_NULL(match(&fs, &a));
	CU_ASSERT_PTR_NULL(match(&fs, &a));
	CU_ASSERT_PTR_EQUAL(match(&fs, &b), &f[2]);
	CU_ASSERT_PTR_NULL(match(&fs, &c));

	/* Data in: only on connection 2 (b), the second one. */
	s = a, s.out = IN, s.flags = PKT_ACK, s.payload = 100;
	CU_ASSERT_PTR_NULL(match(&fs, &s));
	s = b, s.out = IN, s.flags = PKT_ACK, s.payload = 100;
	CU_ASSERT_PTR_NULL(match(&fs, &s));
	s.payload = 0;
	CU_ASSERT_PTR_NULL(match(&fs, &s));
	s.flags = PKT_PSH | PKT_ACK, s.payload = 1;
	CU_ASSERT_PTR_EQUAL(match(&fs, &s), &f[1]);
	CU_ASSERT_PTR_NULL(match(&fs, &s));

	/* The node's pure ACK is a final ACK only after the peer's FIN. */
	s = c, s.flags = PKT_ACK;
	CU_ASSERT_PTR_NULL(match(&fs, &s));
	s.out = IN, s.flags = PKT_FIN | PKT_ACK;
	CU_ASSERT_PTR_NULL(match(&fs, &s));
	s.out = OUT, s.flags = PKT_ACK;
	CU_ASSERT_PTR_EQUAL(match(&fs, &s), &f[3]);
	CU_ASSERT_PTR_NULL(match(&fs, &s));
	engine_fault_free(&fs);
}

/* Two faults that take the same packet: the first in the topology's order
 * fires, and the second does not count that packet. */
static void test_fault_order(void)
{
	struct topo_fault f[2] = {
		{.node = 0, .packet = TOPO_PKT_ANY, .nth = 1, .drop = 1},
		{.node = 0, .packet = TOPO_PKT_ANY, .nth = 1, .delay_ms = 5},
	};
	struct topo t = {.faults = f, .nfaults = 2};
	struct seg s = {IN, PEER, 22, 6000, 9, PKT_SYN, 0, 0};
	struct eng_faults fs;

	engine_fault_init(&fs, &t, 0);
	CU_ASSERT_PTR_EQUAL(match(&fs, &s), &f[0]);
	CU_ASSERT_PTR_EQUAL(match(&fs, &s), &f[1]);
	CU_ASSERT_PTR_NULL(match(&fs, &s));
	/* Nothing for packets the node sends. */
	s.out = OUT;
	CU_ASSERT_PTR_NULL(match(&fs, &s));
	engine_fault_free(&fs);
}

/* ---- the legacy host's segments ---- */

/* A parsed packet as the model's segment: the host's end first, both
 * ways, with its flags (PSH dropped), payload and timestamps. */
static void test_legacy_seg(void)
{
	struct seg in = {IN, PEER, 80, 40000, 777, PKT_FIN | PKT_PSH | PKT_ACK,
			 20, 1};
	struct seg out = {OUT, PEER, 80, 40000, 1234, PKT_SYN, 0, 0};
	struct legacy_seg ls;
	struct built b = {0};

	build(&b, &in);
	engine_legacy_seg(&b.p, IN, &ls);
	CU_ASSERT_EQUAL(ls.t.laddr, NODE);
	CU_ASSERT_EQUAL(ls.t.raddr, PEER);
	CU_ASSERT_EQUAL(ls.t.lport, 80);
	CU_ASSERT_EQUAL(ls.t.rport, 40000);
	CU_ASSERT_EQUAL(ls.out, 0);
	CU_ASSERT_EQUAL(ls.flags, PKT_FIN | PKT_ACK);
	CU_ASSERT_EQUAL(ls.seq, 777);
	CU_ASSERT_EQUAL(ls.len, 20);
	CU_ASSERT_EQUAL(ls.has_ts, 1);
	CU_ASSERT_EQUAL(ls.tsval, 12345);
	build(&b, &out);
	engine_legacy_seg(&b.p, OUT, &ls);
	CU_ASSERT(tuple_eq(&ls.t, &b.t));
	CU_ASSERT_EQUAL(ls.out, 1);
	CU_ASSERT_EQUAL(ls.flags, PKT_SYN);
	CU_ASSERT_EQUAL(ls.has_ts, 0);
}

/* The RTO tcp_time_wait() would read: the one shown, its backoff undone;
 * none when the socket shows none. */
static void test_legacy_rto(void)
{
	struct diag_sock s = {.rto_us = 200000};

	CU_ASSERT_EQUAL(engine_legacy_rto_us(&s), 200000);
	s.rto_us = 1600000;
	s.backoff = 3; /* 200 ms doubled three times */
	CU_ASSERT_EQUAL(engine_legacy_rto_us(&s), 200000);
	s.rto_us = -1;
	CU_ASSERT_EQUAL(engine_legacy_rto_us(&s), -1);
	s.rto_us = 0;
	CU_ASSERT_EQUAL(engine_legacy_rto_us(&s), -1);
}

static const struct unit_test engine_tests[] = {
	{"fault kinds on built packets", test_fault_kinds},
	{"connections numbered by ISN", test_fault_numbering},
	{"faults matched by direction, connection, nth", test_fault_match},
	{"the first fault in order fires", test_fault_order},
	{"legacy segments from built packets", test_legacy_seg},
	{"the RTO of a TIME_WAIT, backoff undone", test_legacy_rto},
	{0},
};

UNIT_SUITE("engine", engine_tests);
