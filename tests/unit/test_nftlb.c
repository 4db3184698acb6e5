/* test_nftlb.c - the balancer's rules parsed back with libnftnl, message
 * by message and expression by expression; its counters' request and
 * parser against messages built here. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <linux/netlink.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nf_conntrack_common.h>

#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/common.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/udata.h>

#include "lib/nft.h"
#include "lib/nftlb.h"
#include "lib/util.h"
#include "unit.h"

#define VIP 0xc633640au /* 198.51.100.10 */
#define S1  0x0a010002u /* 10.1.0.2 */
#define S2  0x0a010003u
#define S3  0x0a010004u
#define BE  0x0a010001u /* the balancer's backend address */

static const uint16_t two_ports[] = {80, 8080};
static const struct nftlb_server three[] = {
	{S1, "s1"},
	{S2, "s2"},
	{S3, "web3"},
};

/* A balancer: ports 80 and 8080 (or 80 alone), three servers. */
static struct nftlb lb_of(int nports, enum nftlb_schedule sched, uint32_t snat)
{
	struct nftlb lb = {
		.vip = VIP,
		.ports = two_ports,
		.nports = nports,
		.servers = three,
		.nservers = 3,
		.schedule = sched,
		.seed = 0x5eed,
		.snat_addr = snat,
	};

	return lb;
}

/* The batch's messages, BEGIN and END included. */
#define LB_MSGS_MAX 16
static const struct nlmsghdr *msg[LB_MSGS_MAX];
static int nmsg;

static struct nft_batch *built(const struct nftlb *lb)
{
	struct nft_batch *b = nft_batch_new();
	const struct nlmsghdr *nlh;
	int len;

	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	CU_ASSERT_EQUAL_FATAL(nftlb_rules(b, lb), 0);
	nft_batch_end(b);
	nlh = nft_batch_data(b);
	len = (int)nft_batch_len(b);
	for (nmsg = 0; mnl_nlmsg_ok(nlh, len);
	     nlh = mnl_nlmsg_next(nlh, &len)) {
		CU_ASSERT_FATAL(nmsg < LB_MSGS_MAX);
		msg[nmsg++] = nlh;
	}
	CU_ASSERT_EQUAL(len, 0);
	return b;
}

static int type_of(int i)
{
	return NFNL_MSG_TYPE(msg[i]->nlmsg_type);
}

/* Message i is a nat base chain NAME on HOOK at PRIO. */
static void check_chain(int i, const char *name, uint32_t hook, int prio)
{
	struct nftnl_chain *c = nftnl_chain_alloc();

	CU_ASSERT_EQUAL_FATAL(type_of(i), NFT_MSG_NEWCHAIN);
	CU_ASSERT_FATAL(nftnl_chain_nlmsg_parse(msg[i], c) == 0);
	CU_ASSERT_STRING_EQUAL(nftnl_chain_get_str(c, NFTNL_CHAIN_NAME), name);
	CU_ASSERT_STRING_EQUAL(nftnl_chain_get_str(c, NFTNL_CHAIN_TYPE), "nat");
	CU_ASSERT_EQUAL(nftnl_chain_get_u32(c, NFTNL_CHAIN_HOOKNUM), hook);
	CU_ASSERT_EQUAL(nftnl_chain_get_s32(c, NFTNL_CHAIN_PRIO), prio);
	nftnl_chain_free(c);
}

/* The value inside a nest of NFTA_DATA_VALUE (a key's or a datum's). */
static const void *data_value(const struct nlattr *nest, uint16_t *len)
{
	const struct nlattr *a;

	mnl_attr_for_each_nested(a, nest)
	{
		if (mnl_attr_get_type(a) != NFTA_DATA_VALUE)
			continue;
		*len = mnl_attr_get_payload_len(a);
		return mnl_attr_get_payload(a);
	}
	return NULL;
}

/*
 * Message i defines an anonymous set of N (a map if MAP) with ID; message
 * i + 1 holds its elements: KEYS (LEN bytes each) [: DATA, 4 bytes].
 * The elements are walked with libmnl: libnftnl numbers the nests of the
 * elements it builds 1, 2, ... (the kernel reads them whatever their
 * type), and its own parser takes only NFTA_LIST_ELEM, so it cannot read
 * back a message of more than one element.
 */
static void check_set(int i, int map, uint32_t id, int n, const void *keys,
		      uint32_t len, const uint32_t *data)
{
	struct nftnl_set *s = nftnl_set_alloc();
	const struct nlattr *a, *el, *f;
	int k = 0, have_id = 0;
	uint16_t got_len = 0;

	CU_ASSERT_EQUAL_FATAL(type_of(i), NFT_MSG_NEWSET);
	CU_ASSERT_FATAL(nftnl_set_nlmsg_parse(msg[i], s) == 0);
	CU_ASSERT_STRING_EQUAL(nftnl_set_get_str(s, NFTNL_SET_NAME),
			       map ? "__map%d" : "__set%d");
	CU_ASSERT_EQUAL(nftnl_set_get_u32(s, NFTNL_SET_ID), id);
	CU_ASSERT_EQUAL(nftnl_set_get_u32(s, NFTNL_SET_FLAGS),
			NFT_SET_ANONYMOUS | NFT_SET_CONSTANT |
				(map ? NFT_SET_MAP : 0));
	CU_ASSERT_EQUAL(nftnl_set_get_u32(s, NFTNL_SET_KEY_LEN), len);
	CU_ASSERT_EQUAL(nftnl_set_get_u32(s, NFTNL_SET_KEY_TYPE),
			map ? 4u : 13u); /* integer, inet_service */
	CU_ASSERT_EQUAL(nftnl_set_get_u32(s, NFTNL_SET_DESC_SIZE), (uint32_t)n);
	if (map)
		CU_ASSERT_EQUAL(nftnl_set_get_u32(s, NFTNL_SET_DATA_TYPE), 7u);
	nftnl_set_free(s);

	CU_ASSERT_EQUAL_FATAL(type_of(i + 1), NFT_MSG_NEWSETELEM);
	mnl_attr_for_each(a, msg[i + 1], sizeof(struct nfgenmsg))
	{
		if (mnl_attr_get_type(a) == NFTA_SET_ELEM_LIST_SET_ID)
			have_id = ntohl(mnl_attr_get_u32(a)) == id;
		if (mnl_attr_get_type(a) != NFTA_SET_ELEM_LIST_ELEMENTS)
			continue;
		mnl_attr_for_each_nested(el, a)
		{
			CU_ASSERT_FATAL(k < n);
			mnl_attr_for_each_nested(f, el)
			{
				const void *v = data_value(f, &got_len);
				uint32_t be = data ? htonl(data[k]) : 0;

				CU_ASSERT_PTR_NOT_NULL_FATAL(v);
				if (mnl_attr_get_type(f) == NFTA_SET_ELEM_KEY) {
					CU_ASSERT_EQUAL(got_len, len);
					CU_ASSERT(!memcmp(
						v, (const char *)keys + k * len,
						len));
				} else {
					CU_ASSERT_EQUAL(mnl_attr_get_type(f),
							NFTA_SET_ELEM_DATA);
					CU_ASSERT_PTR_NOT_NULL(data);
					CU_ASSERT(got_len == 4 &&
						  !memcmp(v, &be, 4));
				}
			}
			k++;
		}
	}
	CU_ASSERT(have_id);
	CU_ASSERT_EQUAL(k, n);
}

/* The rule of message i, in CHAIN; its expressions' names, in order,
 * must be the words of NAMES.  The caller frees the rule. */
static struct nftnl_rule *rule_of(int i, const char *chain, const char *names)
{
	struct nftnl_rule *r = nftnl_rule_alloc();
	struct nftnl_expr_iter *it;
	struct nftnl_expr *e;
	char got[256] = "";

	CU_ASSERT_EQUAL_FATAL(type_of(i), NFT_MSG_NEWRULE);
	CU_ASSERT_FATAL(nftnl_rule_nlmsg_parse(msg[i], r) == 0);
	CU_ASSERT_STRING_EQUAL(nftnl_rule_get_str(r, NFTNL_RULE_CHAIN), chain);
	it = nftnl_expr_iter_create(r);
	for (e = nftnl_expr_iter_next(it); e; e = nftnl_expr_iter_next(it)) {
		strcat(got, got[0] ? " " : "");
		strcat(got, nftnl_expr_get_str(e, NFTNL_EXPR_NAME));
	}
	nftnl_expr_iter_destroy(it);
	CU_ASSERT_STRING_EQUAL(got, names);
	return r;
}

/* Expression K (0-based) of rule R. */
static struct nftnl_expr *expr_at(struct nftnl_rule *r, int k)
{
	struct nftnl_expr_iter *it = nftnl_expr_iter_create(r);
	struct nftnl_expr *e = nftnl_expr_iter_next(it);

	while (e && k--)
		e = nftnl_expr_iter_next(it);
	nftnl_expr_iter_destroy(it);
	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	return e;
}

/* The 4 bytes of an expression's data attribute, as an address. */
static uint32_t addr_of(struct nftnl_expr *e, uint16_t attr)
{
	uint32_t len = 0, v;
	const void *d = nftnl_expr_get(e, attr, &len);

	CU_ASSERT_EQUAL_FATAL(len, 4);
	memcpy(&v, d, 4);
	return ntohl(v);
}

static const char *comment_of(struct nftnl_rule *r, char *buf)
{
	uint32_t len = 0;
	const uint8_t *ud = nftnl_rule_get_data(r, NFTNL_RULE_USERDATA, &len);

	/* one record: type, length, the string with its NUL */
	CU_ASSERT_FATAL(ud && len >= 3 && ud[0] == NFTNL_UDATA_RULE_COMMENT);
	memcpy(buf, ud + 2, ud[1]);
	return buf;
}

/* A server's rule: ip daddr S ct status dnat counter [snat to SNAT]. */
static void check_server(int i, uint32_t addr, const char *name, uint32_t snat)
{
	struct nftnl_rule *r = rule_of(
		i, NFTLB_SNAT,
		snat ? "payload cmp ct bitwise cmp counter immediate nat"
		     : "payload cmp ct bitwise cmp counter");
	uint32_t status = 0, len;
	char buf[NFTLB_NAME_MAX + 4];

	CU_ASSERT_EQUAL(
		nftnl_expr_get_u32(expr_at(r, 0), NFTNL_EXPR_PAYLOAD_OFFSET),
		16);
	CU_ASSERT_EQUAL(addr_of(expr_at(r, 1), NFTNL_EXPR_CMP_DATA), addr);
	CU_ASSERT_EQUAL(nftnl_expr_get_u32(expr_at(r, 2), NFTNL_EXPR_CT_KEY),
			NFT_CT_STATUS);
	memcpy(&status,
	       nftnl_expr_get(expr_at(r, 3), NFTNL_EXPR_BITWISE_MASK, &len), 4);
	CU_ASSERT_EQUAL(status, IPS_DST_NAT);
	CU_ASSERT_EQUAL(nftnl_expr_get_u32(expr_at(r, 4), NFTNL_EXPR_CMP_OP),
			NFT_CMP_NEQ);
	if (snat) {
		CU_ASSERT_EQUAL(addr_of(expr_at(r, 6), NFTNL_EXPR_IMM_DATA),
				snat);
		CU_ASSERT_EQUAL(
			nftnl_expr_get_u32(expr_at(r, 7), NFTNL_EXPR_NAT_TYPE),
			NFT_NAT_SNAT);
	}
	CU_ASSERT_STRING_EQUAL(comment_of(r, buf), name);
	nftnl_rule_free(r);
}

/* Expressions K and K + 1 of R: the index looked up in the map, the
 * address it yields in NFT_REG_1, and the DNAT to it. */
static void check_map_dnat(struct nftnl_rule *r, int k)
{
	struct nftnl_expr *e = expr_at(r, k);

	CU_ASSERT_STRING_EQUAL(nftnl_expr_get_str(e, NFTNL_EXPR_LOOKUP_SET),
			       "__map%d");
	CU_ASSERT_EQUAL(nftnl_expr_get_u32(e, NFTNL_EXPR_LOOKUP_SET_ID), 2);
	CU_ASSERT_EQUAL(nftnl_expr_get_u32(e, NFTNL_EXPR_LOOKUP_SREG),
			NFT_REG_1);
	CU_ASSERT_EQUAL(nftnl_expr_get_u32(e, NFTNL_EXPR_LOOKUP_DREG),
			NFT_REG_1);
	e = expr_at(r, k + 1);
	CU_ASSERT_EQUAL(nftnl_expr_get_u32(e, NFTNL_EXPR_NAT_TYPE),
			NFT_NAT_DNAT);
	CU_ASSERT_EQUAL(nftnl_expr_get_u32(e, NFTNL_EXPR_NAT_FAMILY),
			NFPROTO_IPV4);
	CU_ASSERT_EQUAL(nftnl_expr_get_u32(e, NFTNL_EXPR_NAT_REG_ADDR_MIN),
			NFT_REG_1);
}

static void test_round_robin_dnat(void)
{
	const uint16_t keys[] = {htons(80), htons(8080)};
	const uint32_t idx[] = {0, 1, 2}, addrs[] = {S1, S2, S3};
	struct nftlb lb = lb_of(2, NFTLB_ROUND_ROBIN, 0);
	struct nft_batch *b = built(&lb);
	struct nftnl_rule *r;
	struct nftnl_expr *e;

	/* BEGIN, table, 2 chains, set + elements, map + elements, the
	 * DNAT rule, a rule per server, END */
	CU_ASSERT_EQUAL_FATAL(nmsg, 13);
	CU_ASSERT_EQUAL(type_of(1), NFT_MSG_NEWTABLE);
	check_chain(2, NFTLB_DNAT, NF_INET_PRE_ROUTING, -100);
	check_chain(3, NFTLB_SNAT, NF_INET_POST_ROUTING, 100);
	check_set(4, 0, 1, 2, keys, 2, NULL);
	check_set(6, 1, 2, 3, idx, 4, addrs);

	r = rule_of(8, NFTLB_DNAT,
		    "payload cmp meta cmp payload lookup counter numgen "
		    "lookup nat");
	CU_ASSERT_EQUAL(addr_of(expr_at(r, 1), NFTNL_EXPR_CMP_DATA), VIP);
	e = expr_at(r, 4); /* tcp dport */
	CU_ASSERT_EQUAL(nftnl_expr_get_u32(e, NFTNL_EXPR_PAYLOAD_BASE),
			NFT_PAYLOAD_TRANSPORT_HEADER);
	CU_ASSERT_EQUAL(nftnl_expr_get_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET), 2);
	e = expr_at(r, 5);
	CU_ASSERT_EQUAL(nftnl_expr_get_u32(e, NFTNL_EXPR_LOOKUP_SET_ID), 1);
	CU_ASSERT_FALSE(nftnl_expr_is_set(e, NFTNL_EXPR_LOOKUP_DREG));
	e = expr_at(r, 7);
	CU_ASSERT_EQUAL(nftnl_expr_get_u32(e, NFTNL_EXPR_NG_TYPE),
			NFT_NG_INCREMENTAL);
	CU_ASSERT_EQUAL(nftnl_expr_get_u32(e, NFTNL_EXPR_NG_MODULUS), 3);
	CU_ASSERT_EQUAL(nftnl_expr_get_u32(e, NFTNL_EXPR_NG_DREG), NFT_REG_1);
	check_map_dnat(r, 8);
	nftnl_rule_free(r);

	check_server(9, S1, "s1", 0);
	check_server(10, S2, "s2", 0);
	check_server(11, S3, "web3", 0);
	CU_ASSERT_EQUAL(msg[12]->nlmsg_type, NFNL_MSG_BATCH_END);
	nft_batch_free(b);
}

static void test_hash_fullnat(void)
{
	const uint32_t idx[] = {0, 1, 2}, addrs[] = {S1, S2, S3};
	struct nftlb lb = lb_of(1, NFTLB_HASH, BE);
	struct nft_batch *b = built(&lb);
	struct nftnl_rule *r;
	struct nftnl_expr *e;
	uint16_t port = htons(80);
	uint32_t len = 0;

	/* one port: no set, a plain compare */
	CU_ASSERT_EQUAL_FATAL(nmsg, 11);
	check_set(4, 1, 2, 3, idx, 4, addrs);
	r = rule_of(6, NFTLB_DNAT,
		    "payload cmp meta cmp payload cmp counter payload "
		    "payload hash lookup nat");
	CU_ASSERT(!memcmp(
		nftnl_expr_get(expr_at(r, 5), NFTNL_EXPR_CMP_DATA, &len), &port,
		2));
	CU_ASSERT_EQUAL(len, 2);
	/* ip saddr . tcp sport: NFT_REG_2's first word, and the next */
	e = expr_at(r, 7);
	CU_ASSERT_EQUAL(nftnl_expr_get_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET), 12);
	CU_ASSERT_EQUAL(nftnl_expr_get_u32(e, NFTNL_EXPR_PAYLOAD_DREG),
			NFT_REG_2);
	e = expr_at(r, 8);
	CU_ASSERT_EQUAL(nftnl_expr_get_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET), 0);
	CU_ASSERT_EQUAL(nftnl_expr_get_u32(e, NFTNL_EXPR_PAYLOAD_DREG),
			NFT_REG32_05);
	e = expr_at(r, 9);
	CU_ASSERT_EQUAL(nftnl_expr_get_u32(e, NFTNL_EXPR_HASH_TYPE),
			NFT_HASH_JENKINS);
	CU_ASSERT_EQUAL(nftnl_expr_get_u32(e, NFTNL_EXPR_HASH_SREG), NFT_REG_2);
	CU_ASSERT_EQUAL(nftnl_expr_get_u32(e, NFTNL_EXPR_HASH_LEN), 8);
	CU_ASSERT_EQUAL(nftnl_expr_get_u32(e, NFTNL_EXPR_HASH_MODULUS), 3);
	CU_ASSERT_EQUAL(nftnl_expr_get_u32(e, NFTNL_EXPR_HASH_SEED), 0x5eed);
	check_map_dnat(r, 10);
	nftnl_rule_free(r);
	check_server(7, S1, "s1", BE);
	check_server(9, S3, "web3", BE);
	nft_batch_free(b);
}

static void test_descriptions(void)
{
	struct nftlb lb = lb_of(2, NFTLB_ROUND_ROBIN, 0);
	struct nft_batch *b = nft_batch_new();

	CU_ASSERT_EQUAL_FATAL(nftlb_rules(b, &lb), 0);
	CU_ASSERT_EQUAL_FATAL(nft_batch_count(b), 11);
	CU_ASSERT_STRING_EQUAL(
		nft_batch_desc(b, 7),
		"rule lb_dnat: ip daddr 198.51.100.10 tcp dport { 80, 8080 } "
		"counter dnat to numgen inc mod 3 map { 0 : 10.1.0.2, "
		"1 : 10.1.0.3, 2 : 10.1.0.4 }");
	CU_ASSERT_STRING_EQUAL(nft_batch_desc(b, 8),
			       "rule lb_snat: ip daddr 10.1.0.2 ct status dnat "
			       "counter comment \"s1\"");
	nft_batch_free(b);

	lb = lb_of(1, NFTLB_HASH, BE);
	b = nft_batch_new();
	CU_ASSERT_EQUAL_FATAL(nftlb_rules(b, &lb), 0);
	CU_ASSERT_STRING_EQUAL(
		nft_batch_desc(b, 5),
		"rule lb_dnat: ip daddr 198.51.100.10 tcp dport 80 counter "
		"dnat to jhash ip saddr . tcp sport mod 3 seed 0x5eed map { "
		"0 : 10.1.0.2, 1 : 10.1.0.3, 2 : 10.1.0.4 }");
	CU_ASSERT_STRING_EQUAL(nft_batch_desc(b, 8),
			       "rule lb_snat: ip daddr 10.1.0.4 ct status dnat "
			       "counter snat to 10.1.0.1 comment \"web3\"");
	nft_batch_free(b);
}

static void test_bad_input(void)
{
	const struct nftlb_server long_name[] = {{S1, "a-name-too-long1"}};
	const uint16_t zero_port = 0;
	struct nft_batch *b = nft_batch_new();
	struct nftlb lb = lb_of(2, NFTLB_ROUND_ROBIN, 0);
	size_t len = nft_batch_len(b);

	lb.nservers = 0;
	CU_ASSERT_EQUAL(nftlb_rules(b, &lb), -EINVAL);
	lb.nservers = NFTLB_SERVERS_MAX + 1;
	CU_ASSERT_EQUAL(nftlb_rules(b, &lb), -EINVAL);
	lb = lb_of(2, NFTLB_ROUND_ROBIN, 0);
	lb.servers = long_name;
	lb.nservers = 1;
	CU_ASSERT_EQUAL(nftlb_rules(b, &lb), -EINVAL);
	lb = lb_of(1, NFTLB_ROUND_ROBIN, 0);
	lb.ports = &zero_port;
	CU_ASSERT_EQUAL(nftlb_rules(b, &lb), -EINVAL);
	lb = lb_of(1, NFTLB_ROUND_ROBIN, 0);
	lb.vip = 0;
	CU_ASSERT_EQUAL(nftlb_rules(b, &lb), -EINVAL);
	/* the batch is as it was */
	CU_ASSERT_EQUAL(nft_batch_len(b), len);
	CU_ASSERT_EQUAL(nft_batch_count(b), 0);
	lb = lb_of(1, NFTLB_ROUND_ROBIN, 0);
	nft_batch_end(b);
	CU_ASSERT_EQUAL(nftlb_rules(b, &lb), -EINVAL);
	nft_batch_free(b);
}

static void test_counts_req(void)
{
	uint8_t buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
	struct nftnl_rule *r = nftnl_rule_alloc();
	size_t len = nftlb_counts_req(buf, 42);

	CU_ASSERT_FATAL(len > 0);
	CU_ASSERT_EQUAL(nlh->nlmsg_len, len);
	CU_ASSERT_EQUAL(nlh->nlmsg_type,
			NFNL_SUBSYS_NFTABLES << 8 | NFT_MSG_GETRULE);
	CU_ASSERT_EQUAL(nlh->nlmsg_flags, NLM_F_REQUEST | NLM_F_DUMP);
	CU_ASSERT_EQUAL(nlh->nlmsg_seq, 42);
	CU_ASSERT_FATAL(nftnl_rule_nlmsg_parse(nlh, r) == 0);
	CU_ASSERT_STRING_EQUAL(nftnl_rule_get_str(r, NFTNL_RULE_TABLE),
			       NFT_TABLE);
	CU_ASSERT_STRING_EQUAL(nftnl_rule_get_str(r, NFTNL_RULE_CHAIN),
			       NFTLB_SNAT);
	nftnl_rule_free(r);
}

/* A rule as a dump answers it: CHAIN, a counter of PACKETS, COMMENT. */
static const struct nlmsghdr *dumped(void *buf, const char *chain,
				     uint64_t packets, const char *comment)
{
	struct nftnl_rule *r = nftnl_rule_alloc();
	struct nftnl_expr *e = nftnl_expr_alloc("counter");
	struct nftnl_udata_buf *u = nftnl_udata_buf_alloc(64);
	struct nlmsghdr *nlh;

	nftnl_rule_set_str(r, NFTNL_RULE_TABLE, NFT_TABLE);
	nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, chain);
	nftnl_expr_set_u64(e, NFTNL_EXPR_CTR_PACKETS, packets);
	nftnl_expr_set_u64(e, NFTNL_EXPR_CTR_BYTES, packets * 60);
	nftnl_rule_add_expr(r, e);
	if (comment) {
		nftnl_udata_put_strz(u, NFTNL_UDATA_RULE_COMMENT, comment);
		nftnl_rule_set_data(r, NFTNL_RULE_USERDATA,
				    nftnl_udata_buf_data(u),
				    nftnl_udata_buf_len(u));
	}
	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_NEWRULE, NFPROTO_IPV4,
				    NLM_F_MULTI, 7);
	nftnl_rule_nlmsg_build_payload(nlh, r);
	nftnl_udata_buf_free(u);
	nftnl_rule_free(r);
	return nlh;
}

static void test_counts_parse(void)
{
	uint8_t buf[MNL_SOCKET_BUFFER_SIZE];
	struct nftlb lb = lb_of(2, NFTLB_ROUND_ROBIN, BE);
	struct nftlb_count c;
	struct nft_batch *b;

	CU_ASSERT_EQUAL(
		nftlb_counts_parse(dumped(buf, NFTLB_SNAT, 12, "s2"), &c), 1);
	CU_ASSERT_STRING_EQUAL(c.name, "s2");
	CU_ASSERT_EQUAL(c.conns, 12);
	/* not the counters' chain; no comment; not a rule */
	CU_ASSERT_EQUAL(nftlb_counts_parse(dumped(buf, NFTLB_DNAT, 3, "x"), &c),
			0);
	CU_ASSERT_EQUAL(
		nftlb_counts_parse(dumped(buf, NFTLB_SNAT, 3, NULL), &c), 0);
	nftlb_counts_req(buf, 1);
	CU_ASSERT_EQUAL(nftlb_counts_parse((struct nlmsghdr *)buf, &c), 0);
	/* the builder's own rules read back: every server, count 0 */
	b = built(&lb);
	CU_ASSERT_EQUAL(nftlb_counts_parse(msg[8], &c), 0); /* lb_dnat */
	CU_ASSERT_EQUAL(nftlb_counts_parse(msg[11], &c), 1);
	CU_ASSERT_STRING_EQUAL(c.name, "web3");
	CU_ASSERT_EQUAL(c.conns, 0);
	nft_batch_free(b);
}

static const struct unit_test tests[] = {
	{"round robin, dnat", test_round_robin_dnat},
	{"hash, full nat", test_hash_fullnat},
	{"descriptions", test_descriptions},
	{"bad input", test_bad_input},
	{"counters request", test_counts_req},
	{"counters parsed", test_counts_parse},
	{NULL, NULL},
};

UNIT_SUITE("nftables balancer", tests)
