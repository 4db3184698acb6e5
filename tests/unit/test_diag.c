/* test_diag.c - sock_diag requests built and read back field by field. */
#include <stdint.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <linux/netlink.h>
#include <linux/inet_diag.h>
#include <linux/sock_diag.h>

#include <libmnl/libmnl.h>

#include "lib/diag.h"
#include "unit.h"

#define BUF_SIZE 256
#define REQ_LEN	 (MNL_NLMSG_HDRLEN + MNL_ALIGN(sizeof(struct inet_diag_req_v2)))
#define POISON	 0xa5
#define ALL	 (~0u)
#define TCPF(s)	 (1u << (s))

/* The buffer is filled with POISON first: the builder must zero what it
 * does not set. */
static uint8_t buf[BUF_SIZE] __attribute__((aligned(8)));

static const struct tuple tuple = {
	.laddr = 0x0a000102, /* 10.0.1.2:40000 -> 192.168.10.1:80 */
	.raddr = 0xc0a80a01,
	.lport = 40000,
	.rport = 80,
};

/* Build one request and check its netlink header. */
static const struct inet_diag_req_v2 *
build(uint16_t type, uint16_t flags, uint32_t states, const struct tuple *t)
{
	const struct nlmsghdr *nlh = (const void *)buf;
	size_t len;

	memset(buf, POISON, sizeof(buf));
	len = diag_build_req(buf, 7, type, flags, states, t);
	CU_ASSERT_EQUAL_FATAL(len, REQ_LEN);
	CU_ASSERT_EQUAL(nlh->nlmsg_len, len);
	CU_ASSERT_FATAL(mnl_nlmsg_ok(nlh, (int)len));
	CU_ASSERT_EQUAL(nlh->nlmsg_type, type);
	CU_ASSERT_EQUAL(nlh->nlmsg_flags, NLM_F_REQUEST | flags);
	CU_ASSERT_EQUAL(nlh->nlmsg_pid, 0);
	CU_ASSERT_EQUAL(mnl_nlmsg_get_payload_len(nlh),
			sizeof(struct inet_diag_req_v2));
	return mnl_nlmsg_get_payload(nlh);
}

static uint16_t nlmsg_flags(void)
{
	return ((const struct nlmsghdr *)buf)->nlmsg_flags;
}

/* Four bytes as they go on the wire. */
static void check_be32(const __be32 *field, uint32_t host)
{
	const uint8_t *b = (const uint8_t *)field;

	CU_ASSERT_EQUAL(*field, htonl(host));
	CU_ASSERT_EQUAL(b[0], host >> 24);
	CU_ASSERT_EQUAL(b[1], (host >> 16) & 0xff);
	CU_ASSERT_EQUAL(b[2], (host >> 8) & 0xff);
	CU_ASSERT_EQUAL(b[3], host & 0xff);
}

static void check_be16(const __be16 *field, uint16_t host)
{
	const uint8_t *b = (const uint8_t *)field;

	CU_ASSERT_EQUAL(*field, htons(host));
	CU_ASSERT_EQUAL(b[0], host >> 8);
	CU_ASSERT_EQUAL(b[1], host & 0xff);
}

/*
 * The request body.  The kernel looks the socket up as seen from its
 * own side, so src is our local end.  With no tuple, every part of the
 * id but the cookie is zero, which a dump ignores.
 */
static void check_req(const struct inet_diag_req_v2 *r, uint32_t states,
		      const struct tuple *t)
{
	const struct tuple none = {0};
	int i;

	if (!t)
		t = &none;
	CU_ASSERT_EQUAL(r->sdiag_family, AF_INET);
	CU_ASSERT_EQUAL(r->sdiag_protocol, IPPROTO_TCP);
	CU_ASSERT_EQUAL(r->pad, 0);
	CU_ASSERT_EQUAL(r->idiag_states, states);
	check_be32(&r->id.idiag_src[0], t->laddr);
	check_be32(&r->id.idiag_dst[0], t->raddr);
	for (i = 1; i < 4; i++) {
		CU_ASSERT_EQUAL(r->id.idiag_src[i], 0);
		CU_ASSERT_EQUAL(r->id.idiag_dst[i], 0);
	}
	check_be16(&r->id.idiag_sport, t->lport);
	check_be16(&r->id.idiag_dport, t->rport);
	CU_ASSERT_EQUAL(r->id.idiag_if, 0);
	CU_ASSERT_EQUAL(r->id.idiag_cookie[0], INET_DIAG_NOCOOKIE);
	CU_ASSERT_EQUAL(r->id.idiag_cookie[1], INET_DIAG_NOCOOKIE);
}

/* One socket by its tuple, with tcp_info (for diag_rto()). */
static void test_lookup(void)
{
	const struct inet_diag_req_v2 *r;

	r = build(SOCK_DIAG_BY_FAMILY, 0, ALL, &tuple);
	CU_ASSERT_EQUAL(nlmsg_flags() & NLM_F_DUMP, 0);
	check_req(r, ALL, &tuple);
	/* Extension bits are numbered from 1: INET_DIAG_INFO is bit 1. */
	CU_ASSERT(r->idiag_ext & (1 << (INET_DIAG_INFO - 1)));

	r = build(SOCK_DIAG_BY_FAMILY, 0, TCPF(TCP_ESTABLISHED), &tuple);
	check_req(r, TCPF(TCP_ESTABLISHED), &tuple);
	CU_ASSERT(r->idiag_ext & (1 << (INET_DIAG_INFO - 1)));
}

/* Byte order at the edges: all-ones, zero, and asymmetric values. */
static void test_lookup_byte_order(void)
{
	static const struct tuple tuples[] = {
		{0xffffffff, 0x00000001, 65535, 1},
		{0x7f000001, 0x80000000, 1, 65535},
		{0x01020304, 0x05060708, 0x0102, 0x0304},
	};
	size_t i;

	for (i = 0; i < sizeof(tuples) / sizeof(tuples[0]); i++)
		check_req(build(SOCK_DIAG_BY_FAMILY, 0, ALL, &tuples[i]), ALL,
			  &tuples[i]);
}

/* SOCK_DESTROY names the socket the same way and asks for an ack. */
static void test_destroy(void)
{
	const struct inet_diag_req_v2 *r;

	r = build(SOCK_DESTROY, NLM_F_ACK, ALL, &tuple);
	CU_ASSERT_EQUAL(nlmsg_flags(), NLM_F_REQUEST | NLM_F_ACK);
	check_req(r, ALL, &tuple);

	r = build(SOCK_DESTROY, NLM_F_ACK, TCPF(TCP_TIME_WAIT), &tuple);
	check_req(r, TCPF(TCP_TIME_WAIT), &tuple);
}

/* Every TCP socket of the namespace (for diag_count()). */
static void test_dump(void)
{
	const struct inet_diag_req_v2 *r;

	r = build(SOCK_DIAG_BY_FAMILY, NLM_F_DUMP, ALL, NULL);
	CU_ASSERT_EQUAL(nlmsg_flags() & NLM_F_DUMP, NLM_F_DUMP);
	check_req(r, ALL, NULL);
	/* A count needs no tcp_info per socket. */
	CU_ASSERT_EQUAL(r->idiag_ext, 0);

	r = build(SOCK_DIAG_BY_FAMILY, NLM_F_DUMP,
		  TCPF(TCP_ESTABLISHED) | TCPF(TCP_TIME_WAIT), NULL);
	check_req(r, TCPF(TCP_ESTABLISHED) | TCPF(TCP_TIME_WAIT), NULL);
}

static const struct unit_test tests[] = {
	{"exact lookup", test_lookup},
	{"lookup byte order", test_lookup_byte_order},
	{"destroy", test_destroy},
	{"dump", test_dump},
	{0},
};

UNIT_SUITE("diag", tests)
