/* test_nft.c - nft batches walked with libmnl, parsed back with libnftnl. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>

#include <linux/netlink.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nf_nat.h>
#include <linux/netfilter/x_tables.h>
#include <linux/netfilter/xt_NFQUEUE.h>

#include <libmnl/libmnl.h>
#include <libnftnl/table.h>
#include <libnftnl/chain.h>
#include <libnftnl/rule.h>
#include <libnftnl/expr.h>
#include <libnftnl/set.h>

#include "lib/nft.h"
#include "lib/util.h"
#include "unit.h"

#define MAX_MSGS 16
#define ALL_FLAGS                                                              \
	(NFT_MASQ_RANDOM | NFT_MASQ_FULLY_RANDOM | NFT_MASQ_PERSISTENT)

/* The messages of a batch, BEGIN and END included. */
struct msgs {
	const struct nlmsghdr *m[MAX_MSGS];
	int n;
};

static void walk(const struct nft_batch *b, struct msgs *out)
{
	const struct nlmsghdr *nlh = nft_batch_data(b);
	int len = (int)nft_batch_len(b);

	out->n = 0;
	while (mnl_nlmsg_ok(nlh, len)) {
		CU_ASSERT_FATAL(out->n < MAX_MSGS);
		out->m[out->n++] = nlh;
		nlh = mnl_nlmsg_next(nlh, &len);
	}
	CU_ASSERT_EQUAL(len, 0); /* no trailing bytes */
}

static struct nft_batch *build(unsigned int flags, uint16_t lo, uint16_t hi)
{
	struct nft_masq nat = {flags, lo, hi};
	struct nft_batch *b = nft_batch_new();

	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	CU_ASSERT_EQUAL_FATAL(nft_masquerade(b, &nat, "wan"), 0);
	nft_batch_end(b);
	return b;
}

static uint16_t nft_type(uint16_t msg)
{
	return (uint16_t)(NFNL_SUBSYS_NFTABLES << 8 | msg);
}

static uint32_t nf_flags(unsigned int flags)
{
	uint32_t nf = 0;

	if (flags & NFT_MASQ_RANDOM)
		nf |= NF_NAT_RANGE_PROTO_RANDOM;
	if (flags & NFT_MASQ_FULLY_RANDOM)
		nf |= NF_NAT_RANGE_PROTO_RANDOM_FULLY;
	if (flags & NFT_MASQ_PERSISTENT)
		nf |= NF_NAT_RANGE_PERSISTENT;
	return nf;
}

/* BEGIN first, END last, both for the nftables subsystem, and sequence
 * numbers counting up by one across the batch. */
static void check_frame(const struct msgs *ms)
{
	const struct nfgenmsg *g;
	int i;

	CU_ASSERT_FATAL(ms->n >= 2);
	CU_ASSERT_EQUAL(ms->m[0]->nlmsg_type, NFNL_MSG_BATCH_BEGIN);
	CU_ASSERT_EQUAL(ms->m[ms->n - 1]->nlmsg_type, NFNL_MSG_BATCH_END);
	for (i = 0; i < ms->n; i += ms->n - 1) {
		g = mnl_nlmsg_get_payload(ms->m[i]);
		CU_ASSERT_EQUAL(ntohs(g->res_id), NFNL_SUBSYS_NFTABLES);
		CU_ASSERT_EQUAL(ms->m[i]->nlmsg_flags, NLM_F_REQUEST);
	}
	for (i = 1; i < ms->n; i++)
		CU_ASSERT_EQUAL(ms->m[i]->nlmsg_seq,
				ms->m[0]->nlmsg_seq + (uint32_t)i);
}

static void check_table(const struct nlmsghdr *nlh)
{
	struct nftnl_table *t = nftnl_table_alloc();

	CU_ASSERT_EQUAL(nlh->nlmsg_type, nft_type(NFT_MSG_NEWTABLE));
	CU_ASSERT_EQUAL(nlh->nlmsg_flags,
			NLM_F_REQUEST | NLM_F_CREATE | NLM_F_ACK);
	CU_ASSERT_FATAL(nftnl_table_nlmsg_parse(nlh, t) == 0);
	CU_ASSERT_STRING_EQUAL(nftnl_table_get_str(t, NFTNL_TABLE_NAME),
			       "natlab");
	CU_ASSERT_EQUAL(nftnl_table_get_u32(t, NFTNL_TABLE_FAMILY),
			NFPROTO_IPV4);
	nftnl_table_free(t);
}

static void check_chain(const struct nlmsghdr *nlh)
{
	struct nftnl_chain *c = nftnl_chain_alloc();

	CU_ASSERT_EQUAL(nlh->nlmsg_type, nft_type(NFT_MSG_NEWCHAIN));
	CU_ASSERT_EQUAL(nlh->nlmsg_flags,
			NLM_F_REQUEST | NLM_F_CREATE | NLM_F_ACK);
	CU_ASSERT_FATAL(nftnl_chain_nlmsg_parse(nlh, c) == 0);
	CU_ASSERT_STRING_EQUAL(nftnl_chain_get_str(c, NFTNL_CHAIN_TABLE),
			       "natlab");
	CU_ASSERT_STRING_EQUAL(nftnl_chain_get_str(c, NFTNL_CHAIN_NAME),
			       "postrouting");
	CU_ASSERT_STRING_EQUAL(nftnl_chain_get_str(c, NFTNL_CHAIN_TYPE), "nat");
	CU_ASSERT_EQUAL(nftnl_chain_get_u32(c, NFTNL_CHAIN_FAMILY),
			NFPROTO_IPV4);
	CU_ASSERT_EQUAL(nftnl_chain_get_u32(c, NFTNL_CHAIN_HOOKNUM),
			NF_INET_POST_ROUTING);
	CU_ASSERT_EQUAL(nftnl_chain_get_s32(c, NFTNL_CHAIN_PRIO), 100);
	CU_ASSERT_EQUAL(nftnl_chain_get_u32(c, NFTNL_CHAIN_POLICY), NF_ACCEPT);
	nftnl_chain_free(c);
}

/* The next expression, which must exist and be of this kind. */
static struct nftnl_expr *next_expr(struct nftnl_expr_iter *it,
				    const char *name)
{
	struct nftnl_expr *e = nftnl_expr_iter_next(it);

	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	CU_ASSERT_STRING_EQUAL_FATAL(nftnl_expr_get_str(e, NFTNL_EXPR_NAME),
				     name);
	return e;
}

static void check_meta(struct nftnl_expr_iter *it, uint32_t key)
{
	struct nftnl_expr *e = next_expr(it, "meta");

	CU_ASSERT_EQUAL(nftnl_expr_get_u32(e, NFTNL_EXPR_META_KEY), key);
	CU_ASSERT_EQUAL(nftnl_expr_get_u32(e, NFTNL_EXPR_META_DREG), NFT_REG_1);
}

static void check_data(struct nftnl_expr *e, uint16_t attr, const void *want,
		       uint32_t want_len)
{
	uint32_t len = 0;
	const void *data = nftnl_expr_get(e, attr, &len);

	CU_ASSERT_PTR_NOT_NULL_FATAL(data);
	CU_ASSERT_EQUAL_FATAL(len, want_len);
	CU_ASSERT(memcmp(data, want, len) == 0);
}

static void check_cmp_eq(struct nftnl_expr_iter *it, const void *want,
			 uint32_t len)
{
	struct nftnl_expr *e = next_expr(it, "cmp");

	CU_ASSERT_EQUAL(nftnl_expr_get_u32(e, NFTNL_EXPR_CMP_SREG), NFT_REG_1);
	CU_ASSERT_EQUAL(nftnl_expr_get_u32(e, NFTNL_EXPR_CMP_OP), NFT_CMP_EQ);
	check_data(e, NFTNL_EXPR_CMP_DATA, want, len);
}

static void check_immediate(struct nftnl_expr_iter *it, uint32_t reg,
			    uint16_t port)
{
	struct nftnl_expr *e = next_expr(it, "immediate");
	uint8_t be[2] = {port >> 8, port & 0xff}; /* network order */

	CU_ASSERT_EQUAL(nftnl_expr_get_u32(e, NFTNL_EXPR_IMM_DREG), reg);
	check_data(e, NFTNL_EXPR_IMM_DATA, be, sizeof(be));
}

/* An appended rule of table natlab, chain CHAIN, parsed back; the caller
 * frees it. */
static struct nftnl_rule *parse_rule(const struct nlmsghdr *nlh,
				     const char *chain)
{
	struct nftnl_rule *r = nftnl_rule_alloc();

	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_EQUAL(nlh->nlmsg_type, nft_type(NFT_MSG_NEWRULE));
	CU_ASSERT_EQUAL(nlh->nlmsg_flags, NLM_F_REQUEST | NLM_F_CREATE |
						  NLM_F_APPEND | NLM_F_ACK);
	CU_ASSERT_FATAL(nftnl_rule_nlmsg_parse(nlh, r) == 0);
	CU_ASSERT_STRING_EQUAL(nftnl_rule_get_str(r, NFTNL_RULE_TABLE),
			       "natlab");
	CU_ASSERT_STRING_EQUAL(nftnl_rule_get_str(r, NFTNL_RULE_CHAIN), chain);
	CU_ASSERT_EQUAL(nftnl_rule_get_u32(r, NFTNL_RULE_FAMILY), NFPROTO_IPV4);
	return r;
}

/* oifname "wan" [meta l4proto P] counter masquerade [to :lo-hi] [flags] */
static void check_rule(const struct nlmsghdr *nlh, uint8_t l4proto, uint16_t lo,
		       uint16_t hi, unsigned int flags)
{
	static const char wan[IFNAMSIZ] = "wan";
	struct nftnl_rule *r = parse_rule(nlh, "postrouting");
	struct nftnl_expr_iter *it;
	struct nftnl_expr *e;

	it = nftnl_expr_iter_create(r);
	CU_ASSERT_PTR_NOT_NULL_FATAL(it);
	check_meta(it, NFT_META_OIFNAME);
	check_cmp_eq(it, wan, sizeof(wan));
	if (l4proto) {
		check_meta(it, NFT_META_L4PROTO);
		check_cmp_eq(it, &l4proto, 1);
	}
	next_expr(it, "counter");
	if (lo) {
		check_immediate(it, NFT_REG_1, lo);
		check_immediate(it, NFT_REG_2, hi);
	}
	e = next_expr(it, "masq");
	/* A port range is only honoured with PROTO_SPECIFIED set. */
	CU_ASSERT_EQUAL(nftnl_expr_is_set(e, NFTNL_EXPR_MASQ_FLAGS),
			flags != 0 || lo != 0);
	CU_ASSERT_EQUAL(nftnl_expr_get_u32(e, NFTNL_EXPR_MASQ_FLAGS),
			nf_flags(flags) |
				(lo ? NF_NAT_RANGE_PROTO_SPECIFIED : 0));
	if (lo) {
		CU_ASSERT_EQUAL(
			nftnl_expr_get_u32(e, NFTNL_EXPR_MASQ_REG_PROTO_MIN),
			NFT_REG_1);
		CU_ASSERT_EQUAL(
			nftnl_expr_get_u32(e, NFTNL_EXPR_MASQ_REG_PROTO_MAX),
			NFT_REG_2);
	} else {
		CU_ASSERT_FALSE(
			nftnl_expr_is_set(e, NFTNL_EXPR_MASQ_REG_PROTO_MIN));
	}
	CU_ASSERT_PTR_NULL(nftnl_expr_iter_next(it));
	nftnl_expr_iter_destroy(it);
	nftnl_rule_free(r);
}

/* A whole gateway ruleset: table, chain, [tcp rule, udp rule,] rule. */
static void check_ruleset(unsigned int flags, uint16_t lo, uint16_t hi)
{
	struct nft_batch *b = build(flags, lo, hi);
	int rules = lo ? 3 : 1;
	struct msgs ms;

	walk(b, &ms);
	check_frame(&ms);
	CU_ASSERT_EQUAL_FATAL(ms.n, 2 + 2 + rules);
	CU_ASSERT_EQUAL(nft_batch_count(b), 2 + rules);
	check_table(ms.m[1]);
	check_chain(ms.m[2]);
	if (lo) {
		check_rule(ms.m[3], IPPROTO_TCP, lo, hi, flags);
		check_rule(ms.m[4], IPPROTO_UDP, lo, hi, flags);
	}
	check_rule(ms.m[ms.n - 2], 0, 0, 0, flags);
	nft_batch_free(b);
}

static void test_new_batch(void)
{
	struct nft_batch *b = nft_batch_new();
	struct msgs ms;

	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	CU_ASSERT_EQUAL(nft_batch_count(b), 0);
	CU_ASSERT_PTR_NULL(nft_batch_desc(b, 0));
	walk(b, &ms);
	CU_ASSERT_EQUAL_FATAL(ms.n, 1);
	CU_ASSERT_EQUAL(ms.m[0]->nlmsg_type, NFNL_MSG_BATCH_BEGIN);
	nft_batch_end(b);
	walk(b, &ms);
	CU_ASSERT_EQUAL(ms.n, 2);
	check_frame(&ms);
	nft_batch_free(b);
	nft_batch_free(NULL);
}

static void test_table_and_chain(void)
{
	struct nft_batch *b = build(0, 0, 0);
	struct msgs ms;

	walk(b, &ms);
	CU_ASSERT_EQUAL_FATAL(ms.n, 5);
	check_table(ms.m[1]);
	check_chain(ms.m[2]);
	nft_batch_free(b);
}

static void test_masq_plain(void)
{
	check_ruleset(0, 0, 0);
}

static void test_masq_random(void)
{
	check_ruleset(NFT_MASQ_RANDOM, 0, 0);
}

static void test_masq_fully_random(void)
{
	check_ruleset(NFT_MASQ_FULLY_RANDOM, 0, 0);
}

static void test_masq_persistent(void)
{
	check_ruleset(NFT_MASQ_PERSISTENT, 0, 0);
}

static void test_masq_flag_combinations(void)
{
	unsigned int f;

	for (f = 0; f <= ALL_FLAGS; f++) {
		check_ruleset(f, 0, 0);
		check_ruleset(f, 20000, 29999);
	}
}

static void test_port_range(void)
{
	check_ruleset(0, 1024, 2047);
}

static void test_port_range_flags(void)
{
	check_ruleset(NFT_MASQ_FULLY_RANDOM | NFT_MASQ_PERSISTENT, 1, 65535);
}

static void test_single_port(void)
{
	check_ruleset(NFT_MASQ_RANDOM, 5000, 5000);
}

static void test_descriptions(void)
{
	struct nft_batch *b = build(NFT_MASQ_FULLY_RANDOM, 1024, 2047);
	static const char *const want[] = {
		"table ip natlab",
		"chain postrouting (nat, postrouting, priority 100)",
		"rule postrouting: oifname \"wan\" meta l4proto tcp counter "
		"masquerade to :1024-2047 fully-random",
		"rule postrouting: oifname \"wan\" meta l4proto udp counter "
		"masquerade to :1024-2047 fully-random",
		"rule postrouting: oifname \"wan\" counter masquerade "
		"fully-random",
	};
	int i;

	CU_ASSERT_EQUAL_FATAL(nft_batch_count(b), 5);
	for (i = 0; i < 5; i++)
		CU_ASSERT_STRING_EQUAL(nft_batch_desc(b, i), want[i]);
	CU_ASSERT_PTR_NULL(nft_batch_desc(b, 5));
	CU_ASSERT_PTR_NULL(nft_batch_desc(b, -1));
	nft_batch_free(b);

	b = build(ALL_FLAGS, 0, 0);
	CU_ASSERT_STRING_EQUAL(nft_batch_desc(b, 2),
			       "rule postrouting: oifname \"wan\" counter "
			       "masquerade random,fully-random,persistent");
	nft_batch_free(b);
	b = build(0, 0, 0);
	CU_ASSERT_STRING_EQUAL(nft_batch_desc(b, 2),
			       "rule postrouting: oifname \"wan\" counter "
			       "masquerade");
	nft_batch_free(b);
}

/* Interface names are compared over all IFNAMSIZ bytes, NUL-padded. */
static void test_ifname_padding(void)
{
	static const char name[] = "abcdefghijklmno"; /* IFNAMSIZ - 1 */
	struct nft_masq nat = {0, 0, 0};
	struct nft_batch *b = nft_batch_new();
	struct nftnl_rule *r = nftnl_rule_alloc();
	struct nftnl_expr_iter *it;
	struct msgs ms;

	CU_ASSERT_EQUAL_FATAL(nft_masquerade(b, &nat, name), 0);
	nft_batch_end(b);
	walk(b, &ms);
	CU_ASSERT_EQUAL_FATAL(ms.n, 5);
	CU_ASSERT_FATAL(nftnl_rule_nlmsg_parse(ms.m[3], r) == 0);
	it = nftnl_expr_iter_create(r);
	check_meta(it, NFT_META_OIFNAME);
	check_cmp_eq(it, name, IFNAMSIZ); /* the NUL is the 16th byte */
	nftnl_expr_iter_destroy(it);
	nftnl_rule_free(r);
	nft_batch_free(b);
}

/* Rejected before the kernel sees it, and the batch is left as it was. */
static void test_bad_input(void)
{
	struct nft_masq ok = {0, 0, 0};
	struct nft_masq bad_flags = {0x8, 0, 0};
	struct nft_masq inverted = {0, 2000, 1000};
	struct nft_masq no_min = {0, 0, 1000};
	struct nft_masq no_max = {0, 1000, 0};
	struct nft_batch *b = nft_batch_new();
	size_t len = nft_batch_len(b);

	CU_ASSERT_EQUAL(nft_masquerade(b, &ok, "abcdefghijklmnop"), -EINVAL);
	CU_ASSERT_EQUAL(nft_masquerade(b, &ok, ""), -EINVAL);
	CU_ASSERT_EQUAL(nft_masquerade(b, &ok, NULL), -EINVAL);
	CU_ASSERT_EQUAL(nft_masquerade(b, &bad_flags, "wan"), -EINVAL);
	CU_ASSERT_EQUAL(nft_masquerade(b, &inverted, "wan"), -EINVAL);
	CU_ASSERT_EQUAL(nft_masquerade(b, &no_min, "wan"), -EINVAL);
	CU_ASSERT_EQUAL(nft_masquerade(b, &no_max, "wan"), -EINVAL);
	CU_ASSERT_EQUAL(nft_batch_count(b), 0);
	CU_ASSERT_EQUAL(nft_batch_len(b), len);
	nft_batch_free(b);
}

static void test_end_once(void)
{
	struct nft_masq nat = {0, 0, 0};
	struct nft_batch *b = build(0, 0, 0);
	size_t len = nft_batch_len(b);
	struct msgs ms;

	nft_batch_end(b);
	CU_ASSERT_EQUAL(nft_batch_len(b), len);
	CU_ASSERT_EQUAL(nft_masquerade(b, &nat, "wan"), -EINVAL);
	walk(b, &ms);
	CU_ASSERT_EQUAL(ms.n, 5);
	check_frame(&ms);
	nft_batch_free(b);
}

/* The buffer grows past its first size, stops at its limit with ENOSPC,
 * drops the half-added ruleset, and still ends cleanly. */
static void test_grow_until_full(void)
{
	struct nft_masq nat = {ALL_FLAGS, 1024, 2047};
	struct nft_batch *b = nft_batch_new();
	const struct nlmsghdr *nlh;
	int i, err = 0, n = 0, len;

	for (i = 0; i < 10000 && !err; i++)
		err = nft_masquerade(b, &nat, "wan");
	CU_ASSERT_EQUAL(err, -ENOSPC);
	CU_ASSERT(nft_batch_len(b) > 8 * 1024);
	CU_ASSERT_EQUAL(nft_batch_count(b) % 5, 0);
	nft_batch_end(b);
	CU_ASSERT(nft_batch_len(b) <= 64 * 1024);

	nlh = nft_batch_data(b);
	len = (int)nft_batch_len(b);
	for (; mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len)) {
		CU_ASSERT_EQUAL(nlh->nlmsg_seq, 1 + (uint32_t)n);
		if (n > 0 && n <= nft_batch_count(b) && n % 5 == 0)
			check_rule(nlh, 0, 0, 0, ALL_FLAGS);
		n++;
	}
	CU_ASSERT_EQUAL(len, 0);
	CU_ASSERT_EQUAL(n, nft_batch_count(b) + 2);
	nft_batch_free(b);
}

/* An empty batch needs no socket, so this runs without privileges. */
static void test_send_empty(void)
{
	struct nft_batch *b = nft_batch_new();
	char err[128] = "junk";

	CU_ASSERT_EQUAL(nft_batch_send(b, NULL, err, sizeof(err)), 0);
	CU_ASSERT_STRING_EQUAL(err, "");
	CU_ASSERT_EQUAL(nft_batch_send(b, NULL, err, sizeof(err)), -EALREADY);
	CU_ASSERT(strstr(err, "already sent") != NULL);
	nft_batch_free(b);
}

/* ---- the engine's queue rules ---- */

/* A filter base chain of table natlab, as nft_engine_chain() makes it. */
static void check_filter_chain(const struct nlmsghdr *nlh, const char *name,
			       uint32_t hook, int32_t prio)
{
	struct nftnl_chain *c = nftnl_chain_alloc();

	CU_ASSERT_EQUAL(nlh->nlmsg_type, nft_type(NFT_MSG_NEWCHAIN));
	CU_ASSERT_FATAL(nftnl_chain_nlmsg_parse(nlh, c) == 0);
	CU_ASSERT_STRING_EQUAL(nftnl_chain_get_str(c, NFTNL_CHAIN_TABLE),
			       "natlab");
	CU_ASSERT_STRING_EQUAL(nftnl_chain_get_str(c, NFTNL_CHAIN_NAME), name);
	CU_ASSERT_STRING_EQUAL(nftnl_chain_get_str(c, NFTNL_CHAIN_TYPE),
			       "filter");
	CU_ASSERT_EQUAL(nftnl_chain_get_u32(c, NFTNL_CHAIN_HOOKNUM), hook);
	CU_ASSERT_EQUAL(nftnl_chain_get_s32(c, NFTNL_CHAIN_PRIO), prio);
	CU_ASSERT_EQUAL(nftnl_chain_get_u32(c, NFTNL_CHAIN_POLICY), NF_ACCEPT);
	nftnl_chain_free(c);
}

/* meta l4proto tcp [tcp flags & M ==/!= V] counter, then the queue
 * statement, checked against the kernel's own layouts. */
static void check_queue_rule(const struct nlmsghdr *nlh,
			     const struct nft_queue *q)
{
	static const uint8_t tcp = IPPROTO_TCP, zero = 0;
	struct nftnl_rule *r = parse_rule(nlh, q->chain);
	struct nftnl_expr_iter *it;
	struct nftnl_expr *e;

	it = nftnl_expr_iter_create(r);
	CU_ASSERT_PTR_NOT_NULL_FATAL(it);
	check_meta(it, NFT_META_L4PROTO);
	check_cmp_eq(it, &tcp, 1);
	if (q->mask) {
		/* The flags are byte 13 of the TCP header (RFC 9293). */
		e = next_expr(it, "payload");
		CU_ASSERT_EQUAL(nftnl_expr_get_u32(e, NFTNL_EXPR_PAYLOAD_BASE),
				NFT_PAYLOAD_TRANSPORT_HEADER);
		CU_ASSERT_EQUAL(
			nftnl_expr_get_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET), 13);
		CU_ASSERT_EQUAL(nftnl_expr_get_u32(e, NFTNL_EXPR_PAYLOAD_LEN),
				1);
		e = next_expr(it, "bitwise");
		CU_ASSERT_EQUAL(nftnl_expr_get_u32(e, NFTNL_EXPR_BITWISE_LEN),
				1);
		check_data(e, NFTNL_EXPR_BITWISE_MASK, &q->mask, 1);
		check_data(e, NFTNL_EXPR_BITWISE_XOR, &zero, 1);
		e = next_expr(it, "cmp");
		CU_ASSERT_EQUAL(nftnl_expr_get_u32(e, NFTNL_EXPR_CMP_OP),
				q->neq ? NFT_CMP_NEQ : NFT_CMP_EQ);
		check_data(e, NFTNL_EXPR_CMP_DATA, &q->value, 1);
	}
	next_expr(it, "counter");
	if (!q->compat) {
		e = next_expr(it, "queue");
		CU_ASSERT_EQUAL(nftnl_expr_get_u16(e, NFTNL_EXPR_QUEUE_NUM),
				q->num);
		CU_ASSERT_EQUAL(nftnl_expr_get_u16(e, NFTNL_EXPR_QUEUE_TOTAL),
				1);
		CU_ASSERT_EQUAL(nftnl_expr_get_u16(e, NFTNL_EXPR_QUEUE_FLAGS),
				q->bypass ? NFT_QUEUE_FLAG_BYPASS : 0);
	} else {
		struct xt_NFQ_info_v3 want = {
			.queuenum = q->num,
			.queues_total = 1,
			.flags = q->bypass ? NFQ_FLAG_BYPASS : 0,
		};
		uint8_t info[XT_ALIGN(sizeof(want))] = {0};

		memcpy(info, &want, sizeof(want));
		e = next_expr(it, "target");
		CU_ASSERT_STRING_EQUAL(
			nftnl_expr_get_str(e, NFTNL_EXPR_TG_NAME), "NFQUEUE");
		CU_ASSERT_EQUAL(nftnl_expr_get_u32(e, NFTNL_EXPR_TG_REV), 3);
		check_data(e, NFTNL_EXPR_TG_INFO, info, sizeof(info));
	}
	CU_ASSERT_PTR_NULL(nftnl_expr_iter_next(it));
	nftnl_expr_iter_destroy(it);
	nftnl_rule_free(r);
}

/* The engine's two chains and a rule of every shape it uses. */
static void test_engine_queue(void)
{
	static const struct nft_queue qs[] = {
		{"eng_in", 0, 0, 0, 3, 0, 0},
		{"eng_in", 0x12, 0x02, 0, 4, 1, 0},
		{"eng_out", 0x05, 0x00, 1, 5, 0, 1},
		{"eng_out", 0, 0, 0, 65535, 1, 1},
	};
	static const char *const want[] = {
		"table ip natlab",
		"chain eng_in (filter, hook 1, priority 0)",
		"table ip natlab",
		"chain eng_out (filter, hook 3, priority -5)",
		"rule eng_in: meta l4proto tcp counter queue num 3",
		"rule eng_in: meta l4proto tcp tcp flags & 0x12 == 0x02 "
		"counter queue num 4 bypass",
		"rule eng_out: meta l4proto tcp tcp flags & 0x05 != 0x00 "
		"counter xt target NFQUEUE num 5",
		"rule eng_out: meta l4proto tcp counter xt target NFQUEUE num "
		"65535 bypass",
	};
	char name[NFT_CHAIN_MAXNAMELEN + 1];
	struct nft_batch *b = nft_batch_new();
	struct msgs ms;
	size_t i;

	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	CU_ASSERT_EQUAL_FATAL(
		nft_engine_chain(b, "eng_in", NF_INET_LOCAL_IN, 0), 0);
	CU_ASSERT_EQUAL_FATAL(
		nft_engine_chain(b, "eng_out", NF_INET_LOCAL_OUT, -5), 0);
	for (i = 0; i < ARRAY_SIZE(qs); i++)
		CU_ASSERT_EQUAL_FATAL(nft_engine_queue(b, &qs[i]), 0);
	nft_batch_end(b);
	walk(b, &ms);
	check_frame(&ms);
	CU_ASSERT_EQUAL_FATAL(ms.n, 2 + 4 + (int)ARRAY_SIZE(qs));
	check_table(ms.m[1]);
	check_filter_chain(ms.m[2], "eng_in", NF_INET_LOCAL_IN, 0);
	check_table(ms.m[3]);
	check_filter_chain(ms.m[4], "eng_out", NF_INET_LOCAL_OUT, -5);
	for (i = 0; i < ARRAY_SIZE(qs); i++)
		check_queue_rule(ms.m[5 + i], &qs[i]);
	for (i = 0; i < ARRAY_SIZE(want); i++)
		CU_ASSERT_STRING_EQUAL(nft_batch_desc(b, (int)i), want[i]);
	/* An ended batch takes nothing more. */
	CU_ASSERT_EQUAL(nft_engine_queue(b, &qs[0]), -EINVAL);
	CU_ASSERT_EQUAL(nft_engine_chain(b, "x", NF_INET_LOCAL_IN, 0), -EINVAL);
	nft_batch_free(b);

	/* A chain name the kernel would refuse: NFT_CHAIN_MAXNAMELEN
	 * bytes with its NUL. */
	b = nft_batch_new();
	memset(name, 'c', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	CU_ASSERT_EQUAL(nft_engine_chain(b, name, NF_INET_LOCAL_IN, 0),
			-EINVAL);
	name[NFT_CHAIN_MAXNAMELEN - 1] = '\0';
	CU_ASSERT_EQUAL(nft_engine_chain(b, name, NF_INET_LOCAL_IN, 0), 0);
	CU_ASSERT_EQUAL(nft_batch_count(b), 2);
	nft_batch_free(b);
}

/* ---- the full-cone query ---- */

/* GETSETELEM of 10.0.0.2 . 40101 in rfc_eim: the key is the address and
 * the port in network order, the port padded to its 32-bit register. */
static void test_fullcone_has_req(void)
{
	static const uint8_t key[8] = {10, 0, 0, 2, 0x9c, 0xa5, 0, 0};
	static uint8_t buf[8192]; /* MNL_SOCKET_BUFFER_SIZE is at most this */
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)buf;
	struct nftnl_set *s = nftnl_set_alloc();
	struct nftnl_set_elems_iter *it;
	struct nftnl_set_elem *el;
	const struct nfgenmsg *g;
	const void *v;
	uint32_t len = 0;
	size_t n;

	n = nft_fullcone_has_req(buf, 77, IPPROTO_TCP, 0x0a000002, 40101);
	CU_ASSERT_FATAL(n > sizeof(*nlh));
	CU_ASSERT_EQUAL(n, nlh->nlmsg_len);
	CU_ASSERT_EQUAL(nlh->nlmsg_type, nft_type(NFT_MSG_GETSETELEM));
	CU_ASSERT_EQUAL(nlh->nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK);
	CU_ASSERT_EQUAL(nlh->nlmsg_seq, 77);
	g = mnl_nlmsg_get_payload(nlh);
	CU_ASSERT_EQUAL(g->nfgen_family, NFPROTO_IPV4);
	CU_ASSERT_FATAL(nftnl_set_elems_nlmsg_parse(nlh, s) == 0);
	CU_ASSERT_STRING_EQUAL(nftnl_set_get_str(s, NFTNL_SET_TABLE), "natlab");
	CU_ASSERT_STRING_EQUAL(nftnl_set_get_str(s, NFTNL_SET_NAME), "rfc_eim");
	it = nftnl_set_elems_iter_create(s);
	el = nftnl_set_elems_iter_next(it);
	CU_ASSERT_PTR_NOT_NULL_FATAL(el);
	v = nftnl_set_elem_get(el, NFTNL_SET_ELEM_KEY, &len);
	CU_ASSERT_EQUAL_FATAL(len, sizeof(key));
	CU_ASSERT(memcmp(v, key, sizeof(key)) == 0);
	CU_ASSERT(!nftnl_set_elem_is_set(el, NFTNL_SET_ELEM_DATA));
	CU_ASSERT_PTR_NULL(nftnl_set_elems_iter_next(it));
	nftnl_set_elems_iter_destroy(it);
	nftnl_set_free(s);
}

/* The closing set's key: peer address, peer port, host port, in the
 * first three 32-bit registers (@out: the host sends the segment). */
static void check_closing_key(struct nftnl_expr_iter *it, int out)
{
	static const struct {
		uint32_t base, off[2], len, reg;
	} key[] = {
		{NFT_PAYLOAD_NETWORK_HEADER, {12, 16}, 4, NFT_REG32_00},
		{NFT_PAYLOAD_TRANSPORT_HEADER, {0, 2}, 2, NFT_REG32_01},
		{NFT_PAYLOAD_TRANSPORT_HEADER, {2, 0}, 2, NFT_REG32_02},
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(key); i++) {
		struct nftnl_expr *e = next_expr(it, "payload");

		CU_ASSERT_EQUAL(nftnl_expr_get_u32(e, NFTNL_EXPR_PAYLOAD_BASE),
				key[i].base);
		CU_ASSERT_EQUAL(
			nftnl_expr_get_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET),
			key[i].off[out]);
		CU_ASSERT_EQUAL(nftnl_expr_get_u32(e, NFTNL_EXPR_PAYLOAD_LEN),
				key[i].len);
		CU_ASSERT_EQUAL(nftnl_expr_get_u32(e, NFTNL_EXPR_PAYLOAD_DREG),
				key[i].reg);
	}
}

/* The closing set, the FIN rule that fills it (its flags match before the
 * key, which shares NFT_REG_1) and the two rules that queue its members. */
static void test_engine_closing(void)
{
	static const uint8_t tcp = IPPROTO_TCP, fin = 0x01;
	const struct nft_closing cl = {"eng_in", "eng_out", 120000, 4096};
	const struct nft_queue q = {.num = 0, .bypass = 1};
	struct nft_batch *b = nft_batch_new();
	struct nftnl_expr_iter *it;
	struct nftnl_set *set;
	struct nftnl_rule *r;
	struct nftnl_expr *e;
	struct msgs ms;
	int out;

	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	CU_ASSERT_EQUAL_FATAL(nft_engine_closing_set(b, &cl), 0);
	CU_ASSERT_EQUAL_FATAL(nft_engine_closing_add(b, &cl), 0);
	CU_ASSERT_EQUAL_FATAL(nft_engine_closing_queue(b, &cl, &q), 0);
	nft_batch_end(b);
	walk(b, &ms);
	check_frame(&ms);
	CU_ASSERT_EQUAL_FATAL(ms.n, 2 + 4);
	/* set closing { type ipv4_addr . inet_service . inet_service;
	 * flags dynamic,timeout; timeout 2m; size 4096 } */
	set = nftnl_set_alloc();
	CU_ASSERT_PTR_NOT_NULL_FATAL(set);
	CU_ASSERT_EQUAL(ms.m[1]->nlmsg_type, nft_type(NFT_MSG_NEWSET));
	CU_ASSERT_FATAL(nftnl_set_nlmsg_parse(ms.m[1], set) == 0);
	CU_ASSERT_STRING_EQUAL(nftnl_set_get_str(set, NFTNL_SET_NAME),
			       "closing");
	CU_ASSERT_EQUAL(nftnl_set_get_u32(set, NFTNL_SET_FLAGS),
			NFT_SET_TIMEOUT | NFT_SET_EVAL);
	CU_ASSERT_EQUAL(nftnl_set_get_u32(set, NFTNL_SET_KEY_LEN), 12);
	CU_ASSERT_EQUAL(nftnl_set_get_u32(set, NFTNL_SET_KEY_TYPE),
			(7u << 12) | (13u << 6) | 13u);
	CU_ASSERT_EQUAL(nftnl_set_get_u64(set, NFTNL_SET_TIMEOUT), 120000);
	CU_ASSERT_EQUAL(nftnl_set_get_u32(set, NFTNL_SET_DESC_SIZE), 4096);
	nftnl_set_free(set);
	/* out: meta l4proto tcp tcp flags & fin == fin update @closing */
	r = parse_rule(ms.m[2], "eng_out");
	it = nftnl_expr_iter_create(r);
	check_meta(it, NFT_META_L4PROTO);
	check_cmp_eq(it, &tcp, 1);
	next_expr(it, "payload");
	e = next_expr(it, "bitwise");
	check_data(e, NFTNL_EXPR_BITWISE_MASK, &fin, 1);
	e = next_expr(it, "cmp");
	check_data(e, NFTNL_EXPR_CMP_DATA, &fin, 1);
	check_closing_key(it, 1);
	e = next_expr(it, "dynset");
	CU_ASSERT_EQUAL(nftnl_expr_get_u32(e, NFTNL_EXPR_DYNSET_OP),
			NFT_DYNSET_OP_UPDATE);
	CU_ASSERT_EQUAL(nftnl_expr_get_u32(e, NFTNL_EXPR_DYNSET_SREG_KEY),
			NFT_REG32_00);
	CU_ASSERT_EQUAL(nftnl_expr_get_u64(e, NFTNL_EXPR_DYNSET_TIMEOUT),
			120000);
	CU_ASSERT_STRING_EQUAL(
		nftnl_expr_get_str(e, NFTNL_EXPR_DYNSET_SET_NAME), "closing");
	CU_ASSERT_PTR_NULL(nftnl_expr_iter_next(it));
	nftnl_expr_iter_destroy(it);
	nftnl_rule_free(r);
	/* in, then out: the key, a lookup, a counter, the queue */
	for (out = 0; out < 2; out++) {
		r = parse_rule(ms.m[3 + out], out ? "eng_out" : "eng_in");
		it = nftnl_expr_iter_create(r);
		check_meta(it, NFT_META_L4PROTO);
		check_cmp_eq(it, &tcp, 1);
		check_closing_key(it, out);
		e = next_expr(it, "lookup");
		CU_ASSERT_EQUAL(nftnl_expr_get_u32(e, NFTNL_EXPR_LOOKUP_SREG),
				NFT_REG32_00);
		CU_ASSERT_STRING_EQUAL(
			nftnl_expr_get_str(e, NFTNL_EXPR_LOOKUP_SET),
			"closing");
		next_expr(it, "counter");
		e = next_expr(it, "queue");
		CU_ASSERT_EQUAL(nftnl_expr_get_u16(e, NFTNL_EXPR_QUEUE_FLAGS),
				NFT_QUEUE_FLAG_BYPASS);
		CU_ASSERT_PTR_NULL(nftnl_expr_iter_next(it));
		nftnl_expr_iter_destroy(it);
		nftnl_rule_free(r);
	}
	CU_ASSERT_STRING_EQUAL(nft_batch_desc(b, 1),
			       "rule eng_out: tcp flags & fin == fin update "
			       "@closing { ip daddr . tcp dport . tcp sport }");
	CU_ASSERT_EQUAL(nft_engine_closing_set(b, &cl), -EINVAL);
	nft_batch_free(b);
}

static const struct unit_test tests[] = {
	{"new batch holds BEGIN only", test_new_batch},
	{"table and chain", test_table_and_chain},
	{"masquerade", test_masq_plain},
	{"masquerade random", test_masq_random},
	{"masquerade fully-random", test_masq_fully_random},
	{"masquerade persistent", test_masq_persistent},
	{"flag combinations", test_masq_flag_combinations},
	{"port range", test_port_range},
	{"port range with flags", test_port_range_flags},
	{"single port", test_single_port},
	{"descriptions", test_descriptions},
	{"interface name padding", test_ifname_padding},
	{"bad input rejected", test_bad_input},
	{"end is idempotent", test_end_once},
	{"grows, then ENOSPC", test_grow_until_full},
	{"empty batch send", test_send_empty},
	{"engine chains and queue rules", test_engine_queue},
	{"a legacy host's closing set and its rules", test_engine_closing},
	{"full-cone query request", test_fullcone_has_req},
	{0},
};

UNIT_SUITE("nft", tests)
