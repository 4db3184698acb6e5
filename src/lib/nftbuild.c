/* nftbuild.c - what the rulesets are built from: table, chains, rules and
 * the expressions more than one of them uses. */

/*
 * Every builder here adds a request to a batch (nft.c) through
 * batch_hdr() and batch_commit(), or an expression to a rule that
 * nftbuild_rule_put() later adds.  None does I/O: the rulesets that use
 * them (nftrules.c, nftcone.c) are unit-tested by parsing the bytes back
 * (test_nft.c, test_rfc.c).  Expressions used by one ruleset only stay
 * with it, as static helpers.
 */
#include <errno.h>
#include <string.h>
#include <net/if.h>
#include <netinet/in.h>

#include <linux/netfilter.h>
#include <linux/netfilter/nf_nat.h>
#include <linux/netfilter/nf_tables.h>

#include <libnftnl/chain.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>

#include "lib/nft.h"
#include "lib/nft_int.h"

int nftbuild_table(struct nft_batch *b)
{
	struct nftnl_table *t = nftnl_table_alloc();
	int err = -ENOMEM;

	if (!t)
		return -ENOMEM;
	if (nftnl_table_set_str(t, NFTNL_TABLE_NAME, NFT_TABLE) < 0)
		goto out;
	nftnl_table_set_u32(t, NFTNL_TABLE_FAMILY, NFPROTO_IPV4);
	nftnl_table_nlmsg_build_payload(
		batch_hdr(b, NFT_MSG_NEWTABLE, NLM_F_CREATE), t);
	err = batch_commit(b, "table ip " NFT_TABLE);
out:
	nftnl_table_free(t);
	return err;
}

int nftbuild_chain(struct nft_batch *b, const char *name, const char *type,
		   uint32_t hook, int32_t prio, const char *desc)
{
	struct nftnl_chain *c = nftnl_chain_alloc();
	int err = -ENOMEM;

	if (!c)
		return -ENOMEM;
	if (nftnl_chain_set_str(c, NFTNL_CHAIN_TABLE, NFT_TABLE) < 0 ||
	    nftnl_chain_set_str(c, NFTNL_CHAIN_NAME, name) < 0 ||
	    nftnl_chain_set_str(c, NFTNL_CHAIN_TYPE, type) < 0)
		goto out;
	nftnl_chain_set_u32(c, NFTNL_CHAIN_FAMILY, NFPROTO_IPV4);
	nftnl_chain_set_u32(c, NFTNL_CHAIN_HOOKNUM, hook);
	nftnl_chain_set_s32(c, NFTNL_CHAIN_PRIO, prio);
	nftnl_chain_set_u32(c, NFTNL_CHAIN_POLICY, NF_ACCEPT);
	nftnl_chain_nlmsg_build_payload(
		batch_hdr(b, NFT_MSG_NEWCHAIN, NLM_F_CREATE), c);
	err = batch_commit(b, desc);
out:
	nftnl_chain_free(c);
	return err;
}

struct nftnl_rule *nftbuild_rule(const char *chain)
{
	struct nftnl_rule *r = nftnl_rule_alloc();

	if (!r)
		return NULL;
	if (nftnl_rule_set_str(r, NFTNL_RULE_TABLE, NFT_TABLE) < 0 ||
	    nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, chain) < 0) {
		nftnl_rule_free(r);
		return NULL;
	}
	nftnl_rule_set_u32(r, NFTNL_RULE_FAMILY, NFPROTO_IPV4);
	return r;
}

int nftbuild_rule_put(struct nft_batch *b, struct nftnl_rule *r, int err,
		      const char *desc)
{
	if (!err) {
		nftnl_rule_nlmsg_build_payload(
			batch_hdr(b, NFT_MSG_NEWRULE,
				  NLM_F_CREATE | NLM_F_APPEND),
			r);
		err = batch_commit(b, desc);
	}
	nftnl_rule_free(r);
	return err;
}

struct nftnl_set *nftbuild_set(const char *name, uint32_t id, uint32_t flags)
{
	struct nftnl_set *s = nftnl_set_alloc();

	if (!s)
		return NULL;
	if (nftnl_set_set_str(s, NFTNL_SET_TABLE, NFT_TABLE) < 0 ||
	    nftnl_set_set_str(s, NFTNL_SET_NAME, name) < 0) {
		nftnl_set_free(s);
		return NULL;
	}
	nftnl_set_set_u32(s, NFTNL_SET_FAMILY, NFPROTO_IPV4);
	nftnl_set_set_u32(s, NFTNL_SET_ID, id);
	nftnl_set_set_u32(s, NFTNL_SET_FLAGS, flags);
	return s;
}

int nftbuild_set_put(struct nft_batch *b, struct nftnl_set *s, int err,
		     const char *desc)
{
	if (!err) {
		nftnl_set_nlmsg_build_payload(
			batch_hdr(b, NFT_MSG_NEWSET, NLM_F_CREATE), s);
		err = batch_commit(b, desc);
	}
	nftnl_set_free(s);
	return err;
}

/* Expressions, one per part of a statement. */

int nftbuild_meta(struct nftnl_rule *r, uint32_t key, uint32_t dreg)
{
	struct nftnl_expr *e = nftnl_expr_alloc("meta");

	if (!e)
		return -ENOMEM;
	nftnl_expr_set_u32(e, NFTNL_EXPR_META_KEY, key);
	nftnl_expr_set_u32(e, NFTNL_EXPR_META_DREG, dreg);
	nftnl_rule_add_expr(r, e);
	return 0;
}

int nftbuild_cmp(struct nftnl_rule *r, uint32_t sreg, uint32_t op,
		 const void *data, uint32_t len)
{
	struct nftnl_expr *e = nftnl_expr_alloc("cmp");

	if (!e)
		return -ENOMEM;
	nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_SREG, sreg);
	nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_OP, op);
	nftnl_expr_set_data(e, NFTNL_EXPR_CMP_DATA, data, len);
	nftnl_rule_add_expr(r, e);
	return 0;
}

int nftbuild_counter(struct nftnl_rule *r)
{
	struct nftnl_expr *e = nftnl_expr_alloc("counter");

	if (!e)
		return -ENOMEM;
	nftnl_rule_add_expr(r, e);
	return 0;
}

int nftbuild_immediate(struct nftnl_rule *r, uint32_t dreg, const void *data,
		       uint32_t len)
{
	struct nftnl_expr *e = nftnl_expr_alloc("immediate");

	if (!e)
		return -ENOMEM;
	nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, dreg);
	nftnl_expr_set_data(e, NFTNL_EXPR_IMM_DATA, data, len);
	nftnl_rule_add_expr(r, e);
	return 0;
}

int nftbuild_verdict(struct nftnl_rule *r, int verdict)
{
	struct nftnl_expr *e = nftnl_expr_alloc("immediate");

	if (!e)
		return -ENOMEM;
	nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, NFT_REG_VERDICT);
	nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_VERDICT, (uint32_t)verdict);
	nftnl_rule_add_expr(r, e);
	return 0;
}

int nftbuild_payload(struct nftnl_rule *r, uint32_t base, uint32_t offset,
		     uint32_t len, uint32_t dreg)
{
	struct nftnl_expr *e = nftnl_expr_alloc("payload");

	if (!e)
		return -ENOMEM;
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_BASE, base);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET, offset);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_LEN, len);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_DREG, dreg);
	nftnl_rule_add_expr(r, e);
	return 0;
}

int nftbuild_bitwise(struct nftnl_rule *r, uint32_t reg, const void *mask,
		     uint32_t len)
{
	struct nftnl_expr *e = nftnl_expr_alloc("bitwise");
	uint8_t zero[4] = {0};

	if (!e || len > sizeof(zero)) {
		nftnl_expr_free(e);
		return -ENOMEM;
	}
	nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_SREG, reg);
	nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_DREG, reg);
	nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_LEN, len);
	nftnl_expr_set_data(e, NFTNL_EXPR_BITWISE_MASK, mask, len);
	nftnl_expr_set_data(e, NFTNL_EXPR_BITWISE_XOR, zero, len);
	nftnl_rule_add_expr(r, e);
	return 0;
}

/* Matches made of the expressions above. */

int nftbuild_ifname(struct nftnl_rule *r, uint32_t key, const char *name)
{
	char ifname[IFNAMSIZ] = {0};

	/* nft compares the whole IFNAMSIZ buffer, NUL padding included, so
	 * "wan" does not match "wan0". */
	memcpy(ifname, name, strnlen(name, IFNAMSIZ - 1));
	if (nftbuild_meta(r, key, NFT_REG_1) ||
	    nftbuild_cmp(r, NFT_REG_1, NFT_CMP_EQ, ifname, sizeof(ifname)))
		return -ENOMEM;
	return 0;
}

int nftbuild_l4proto(struct nftnl_rule *r, uint8_t proto)
{
	if (nftbuild_meta(r, NFT_META_L4PROTO, NFT_REG_1) ||
	    nftbuild_cmp(r, NFT_REG_1, NFT_CMP_EQ, &proto, 1))
		return -ENOMEM;
	return 0;
}

int nftbuild_tcp_flags(struct nftnl_rule *r, uint8_t mask, uint8_t value,
		       uint32_t op)
{
	/* TCP flags are the 14th byte of the TCP header. */
	if (nftbuild_th(r, 13, 1, NFT_REG_1) ||
	    nftbuild_bitwise(r, NFT_REG_1, &mask, 1) ||
	    nftbuild_cmp(r, NFT_REG_1, op, &value, 1))
		return -ENOMEM;
	return 0;
}

int nftbuild_pure_syn(struct nftnl_rule *r)
{
	/* The SYN flag is 0x02 and ACK 0x10 in that byte. */
	return nftbuild_tcp_flags(r, 0x12, 0x02, NFT_CMP_EQ);
}

int nftbuild_lookup(struct nftnl_rule *r, uint32_t sreg, const char *set,
		    uint32_t id, uint32_t dreg)
{
	struct nftnl_expr *e = nftnl_expr_alloc("lookup");

	if (!e)
		return -ENOMEM;
	nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SREG, sreg);
	nftnl_expr_set_str(e, NFTNL_EXPR_LOOKUP_SET, set);
	nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SET_ID, id);
	if (dreg)
		nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_DREG, dreg);
	nftnl_rule_add_expr(r, e);
	return 0;
}

int nftbuild_ct(struct nftnl_rule *r, uint32_t key, uint32_t dreg)
{
	struct nftnl_expr *e = nftnl_expr_alloc("ct");

	if (!e)
		return -ENOMEM;
	nftnl_expr_set_u32(e, NFTNL_EXPR_CT_KEY, key);
	nftnl_expr_set_u32(e, NFTNL_EXPR_CT_DREG, dreg);
	nftnl_rule_add_expr(r, e);
	return 0;
}

int nftbuild_nat(struct nftnl_rule *r, uint32_t type, uint32_t reg_addr,
		 uint32_t reg_proto, uint32_t flags)
{
	struct nftnl_expr *e = nftnl_expr_alloc("nat");

	if (!e)
		return -ENOMEM;
	nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_TYPE, type);
	nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_FAMILY, NFPROTO_IPV4);
	nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_REG_ADDR_MIN, reg_addr);
	nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_REG_ADDR_MAX, reg_addr);
	flags |= NF_NAT_RANGE_MAP_IPS;
	if (reg_proto) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_REG_PROTO_MIN, reg_proto);
		nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_REG_PROTO_MAX, reg_proto);
		flags |= NF_NAT_RANGE_PROTO_SPECIFIED;
	}
	nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_FLAGS, flags);
	nftnl_rule_add_expr(r, e);
	return 0;
}
