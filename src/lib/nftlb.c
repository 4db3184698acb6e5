/* nftlb.c - a load balancer's nftables rules: its virtual address DNATed
 * to its servers, a counter per server, the source NAT of full NAT, and
 * the request and parser that read the counters back. */

/*
 * Theory of operation
 *
 * An L4 balancer in nftables is one DNAT rule whose address comes from a
 * map indexed by a number generator (round robin: "numgen inc mod N") or
 * a hash of the client's endpoint ("jhash ip saddr . tcp sport mod N"):
 *
 *   lb_dnat (nat, prerouting, dstnat)
 *     ip daddr VIP tcp dport { PORTS } counter
 *       dnat to numgen inc mod N map { 0 : S0, 1 : S1, ... }
 *   lb_snat (nat, postrouting, srcnat), per server, comment "NAME":
 *     ip daddr S ct status dnat counter [snat to BACKEND]
 *
 * The ports' set and the map are anonymous and constant, as nft makes
 * them: created in the same batch, named "__set%d" and "__map%d" (the
 * kernel picks the number) and referred to by their batch IDs; a
 * userdata record tells nft the byte order of their keys, so that "nft
 * list ruleset" in the balancer prints them as it would its own.  The
 * registers follow nft too: the hash's input "ip saddr . tcp sport" is
 * a concatenation in NFT_REG_2 (address in its first 32-bit word, port
 * in the next), the map's key and the address it yields in NFT_REG_1.
 *
 * Netfilter consults a nat chain only for a connection's first packet
 * (nf_nat_inet_fn(): once a connection has its NAT binding, later
 * packets, retransmitted SYNs included, skip the chain), so the counter
 * of each server's rule counts the connections it was given.  The rules
 * carry the server's name as their comment: natlab status and a run
 * read them back by name, with nothing but the balancer's namespace
 * (nftlb_counts_req(), nftlb_counts_parse()).
 *
 * Like every ruleset builder (nftbuild.c), these fill a batch or a buffer
 * and do no I/O: nft.c sends the batch, the lab sends the request
 * (lab/lablb.c), and the unit tests parse both back (test_nftlb.c).  The
 * ct, nat and lookup expressions are written here again rather than
 * shared with nftcone.c's, which are its own.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <linux/netfilter.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nf_conntrack_common.h>

#include <libmnl/libmnl.h>
#include <libnftnl/common.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/udata.h>

#include "lib/netlink.h"
#include "lib/nft.h"
#include "lib/nft_int.h"
#include "lib/nftlb.h"

/* The anonymous sets' IDs within the batch. */
#define LB_PORTS_ID 1
#define LB_MAP_ID   2

/* nftables' datatypes (what nft lists a set's keys and data as) and its
 * byte orders, as its userdata records them (nftables' datatype.h). */
#define LB_TYPE_INTEGER	 4
#define LB_TYPE_IPADDR	 7
#define LB_TYPE_SERVICE	 13
#define LB_ORDER_HOST	 1
#define LB_ORDER_NETWORK 2

/* The 32-bit register after NFT_REG_2's first: the concatenation's port. */
#define LB_REG_SPORT (NFT_REG32_04 + 1)

/* ---- expressions this ruleset uses; 0 or -ENOMEM ---- */

static struct nftnl_expr *lb_expr(struct nftnl_rule *r, const char *name)
{
	struct nftnl_expr *e = nftnl_expr_alloc(name);

	if (e)
		nftnl_rule_add_expr(r, e);
	return e;
}

/* ip daddr (or saddr) == ADDR (host order) */
static int lb_addr_is(struct nftnl_rule *r, uint32_t offset, uint32_t addr)
{
	uint32_t be = htonl(addr);

	if (nftbuild_nh(r, offset, 4, NFT_REG_1) ||
	    nftbuild_cmp(r, NFT_REG_1, NFT_CMP_EQ, &be, sizeof(be)))
		return -ENOMEM;
	return 0;
}

/* tcp dport PORT, or tcp dport { PORTS } */
static int lb_dports(struct nftnl_rule *r, const struct nftlb *lb)
{
	uint16_t port = htons(lb->ports[0]);

	if (nftbuild_l4proto(r, IPPROTO_TCP) || nftbuild_th(r, 2, 2, NFT_REG_1))
		return -ENOMEM;
	if (lb->nports > 1)
		return nftbuild_lookup(r, NFT_REG_1, "__set%d", LB_PORTS_ID, 0);
	return nftbuild_cmp(r, NFT_REG_1, NFT_CMP_EQ, &port, sizeof(port));
}

/* numgen inc mod N, or jhash ip saddr . tcp sport mod N seed S: the
 * server's index in NFT_REG_1 */
static int lb_pick(struct nftnl_rule *r, const struct nftlb *lb)
{
	struct nftnl_expr *e;

	if (lb->schedule == NFTLB_ROUND_ROBIN) {
		e = lb_expr(r, "numgen");
		if (!e)
			return -ENOMEM;
		nftnl_expr_set_u32(e, NFTNL_EXPR_NG_DREG, NFT_REG_1);
		nftnl_expr_set_u32(e, NFTNL_EXPR_NG_MODULUS,
				   (uint32_t)lb->nservers);
		nftnl_expr_set_u32(e, NFTNL_EXPR_NG_TYPE, NFT_NG_INCREMENTAL);
		return 0;
	}
	if (nftbuild_nh(r, 12, 4, NFT_REG_2) ||
	    nftbuild_th(r, 0, 2, LB_REG_SPORT))
		return -ENOMEM;
	e = lb_expr(r, "hash");
	if (!e)
		return -ENOMEM;
	nftnl_expr_set_u32(e, NFTNL_EXPR_HASH_TYPE, NFT_HASH_JENKINS);
	nftnl_expr_set_u32(e, NFTNL_EXPR_HASH_SREG, NFT_REG_2);
	nftnl_expr_set_u32(e, NFTNL_EXPR_HASH_DREG, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_HASH_LEN, 8);
	nftnl_expr_set_u32(e, NFTNL_EXPR_HASH_MODULUS, (uint32_t)lb->nservers);
	nftnl_expr_set_u32(e, NFTNL_EXPR_HASH_SEED, lb->seed);
	return 0;
}

/* ct status dnat: the connection's destination was translated */
static int lb_ct_dnat(struct nftnl_rule *r)
{
	uint32_t dnat = IPS_DST_NAT, zero = 0;

	if (nftbuild_ct(r, NFT_CT_STATUS, NFT_REG_1) ||
	    nftbuild_bitwise(r, NFT_REG_1, &dnat, sizeof(dnat)) ||
	    nftbuild_cmp(r, NFT_REG_1, NFT_CMP_NEQ, &zero, sizeof(zero)))
		return -ENOMEM;
	return 0;
}

/* comment "TEXT", in the rule's userdata as nft writes it */
static int lb_comment(struct nftnl_rule *r, const char *text)
{
	struct nftnl_udata_buf *u = nftnl_udata_buf_alloc(NFT_USERDATA_MAXLEN);
	int err = -ENOMEM;

	if (u && nftnl_udata_put_strz(u, NFTNL_UDATA_RULE_COMMENT, text) &&
	    !nftnl_rule_set_data(r, NFTNL_RULE_USERDATA,
				 nftnl_udata_buf_data(u),
				 nftnl_udata_buf_len(u)))
		err = 0;
	nftnl_udata_buf_free(u);
	return err;
}

/* ---- the sets ---- */

/* The anonymous set (or map) @id, with @flags. */
static struct nftnl_set *lb_set(uint32_t id, uint32_t flags)
{
	return nftbuild_set(id == LB_MAP_ID ? "__map%d" : "__set%d", id, flags);
}

/* The set's definition: its flags, key (and data) types, size, and the
 * key's byte order for nft's listing. */
static int lb_put_set(struct nft_batch *b, uint32_t id, int n, const char *desc)
{
	int map = id == LB_MAP_ID, err;
	struct nftnl_set *s = lb_set(id, NFT_SET_ANONYMOUS | NFT_SET_CONSTANT |
						 (map ? NFT_SET_MAP : 0));
	struct nftnl_udata_buf *u = nftnl_udata_buf_alloc(NFT_USERDATA_MAXLEN);

	if (!s || !u ||
	    !nftnl_udata_put_u32(u, NFTNL_UDATA_SET_KEYBYTEORDER,
				 map ? LB_ORDER_HOST : LB_ORDER_NETWORK)) {
		nftnl_udata_buf_free(u);
		if (s)
			nftnl_set_free(s);
		return -ENOMEM;
	}
	nftnl_set_set_u32(s, NFTNL_SET_DESC_SIZE, (uint32_t)n);
	nftnl_set_set_u32(s, NFTNL_SET_KEY_TYPE,
			  map ? LB_TYPE_INTEGER : LB_TYPE_SERVICE);
	nftnl_set_set_u32(s, NFTNL_SET_KEY_LEN, map ? 4 : 2);
	if (map) {
		nftnl_set_set_u32(s, NFTNL_SET_DATA_TYPE, LB_TYPE_IPADDR);
		nftnl_set_set_u32(s, NFTNL_SET_DATA_LEN, 4);
	}
	nftnl_set_set_data(s, NFTNL_SET_USERDATA, nftnl_udata_buf_data(u),
			   nftnl_udata_buf_len(u));
	err = nftbuild_set_put(b, s, 0, desc);
	nftnl_udata_buf_free(u);
	return err;
}

/* The elements: the ports, or index : server address. */
static int lb_put_elems(struct nft_batch *b, const struct nftlb *lb,
			uint32_t id, const char *desc)
{
	int map = id == LB_MAP_ID, n = map ? lb->nservers : lb->nports, i;
	struct nftnl_set *s = lb_set(id, 0);
	int err;

	if (!s)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		struct nftnl_set_elem *e = nftnl_set_elem_alloc();
		uint16_t port = htons(lb->ports[i < lb->nports ? i : 0]);
		uint32_t key = (uint32_t)i, addr;

		if (!e) {
			nftnl_set_free(s);
			return -ENOMEM;
		}
		if (map) {
			addr = htonl(lb->servers[i].addr);
			nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY, &key,
					   sizeof(key));
			nftnl_set_elem_set(e, NFTNL_SET_ELEM_DATA, &addr,
					   sizeof(addr));
		} else {
			nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY, &port,
					   sizeof(port));
		}
		nftnl_set_elem_add(s, e);
	}
	nftnl_set_elems_nlmsg_build_payload(
		batch_hdr(b, NFT_MSG_NEWSETELEM, NLM_F_CREATE), s);
	err = batch_commit(b, desc);
	nftnl_set_free(s);
	return err;
}

/* ---- the rules ---- */

/* The DNAT rule as nft lists it, with its set and map written out. */
static void lb_dnat_desc(const struct nftlb *lb, char *buf, size_t len)
{
	char a[INET_ADDRSTRLEN];
	struct in_addr in;
	size_t off;
	int i;

	in.s_addr = htonl(lb->vip);
	off = (size_t)snprintf(buf, len, "rule %s: ip daddr %s tcp dport ",
			       NFTLB_DNAT,
			       inet_ntop(AF_INET, &in, a, sizeof(a)));
	for (i = 0; i < lb->nports && off < len; i++)
		off += (size_t)snprintf(
			buf + off, len - off, "%s%u%s",
			i		 ? ", "
			: lb->nports > 1 ? "{ "
					 : "",
			lb->ports[i],
			i == lb->nports - 1 && lb->nports > 1 ? " }" : "");
	if (off < len && lb->schedule == NFTLB_ROUND_ROBIN)
		off += (size_t)snprintf(
			buf + off, len - off,
			" counter dnat to numgen inc mod %d map {",
			lb->nservers);
	else if (off < len)
		off += (size_t)snprintf(
			buf + off, len - off,
			" counter dnat to jhash ip saddr . tcp sport mod %d seed 0x%x map {",
			lb->nservers, lb->seed);
	for (i = 0; i < lb->nservers && off < len; i++) {
		in.s_addr = htonl(lb->servers[i].addr);
		off += (size_t)snprintf(buf + off, len - off, "%s %d : %s",
					i ? "," : "", i,
					inet_ntop(AF_INET, &in, a, sizeof(a)));
	}
	if (off < len)
		snprintf(buf + off, len - off, " }");
}

static int lb_put_dnat(struct nft_batch *b, const struct nftlb *lb)
{
	struct nftnl_rule *r = nftbuild_rule(NFTLB_DNAT);
	char desc[1024];
	int err;

	if (!r)
		return -ENOMEM;
	err = lb_addr_is(r, 16, lb->vip);
	if (!err)
		err = lb_dports(r, lb);
	if (!err && nftbuild_counter(r))
		err = -ENOMEM;
	if (!err)
		err = lb_pick(r, lb);
	if (!err)
		err = nftbuild_lookup(r, NFT_REG_1, "__map%d", LB_MAP_ID,
				      NFT_REG_1);
	if (!err)
		err = nftbuild_nat(r, NFT_NAT_DNAT, NFT_REG_1, 0, 0);
	lb_dnat_desc(lb, desc, sizeof(desc));
	return nftbuild_rule_put(b, r, err, desc);
}

/* A server's rule: its counter, and full NAT's source translation. */
static int lb_put_server(struct nft_batch *b, const struct nftlb *lb,
			 const struct nftlb_server *s)
{
	struct nftnl_rule *r = nftbuild_rule(NFTLB_SNAT);
	char desc[160], a[INET_ADDRSTRLEN], snat[48] = "";
	uint32_t src = htonl(lb->snat_addr);
	struct in_addr in;
	int err;

	if (!r)
		return -ENOMEM;
	err = lb_addr_is(r, 16, s->addr);
	if (!err)
		err = lb_ct_dnat(r);
	if (!err && nftbuild_counter(r))
		err = -ENOMEM;
	if (!err && lb->snat_addr &&
	    nftbuild_immediate(r, NFT_REG_1, &src, sizeof(src)))
		err = -ENOMEM;
	if (!err && lb->snat_addr)
		err = nftbuild_nat(r, NFT_NAT_SNAT, NFT_REG_1, 0, 0);
	if (!err)
		err = lb_comment(r, s->name);
	if (lb->snat_addr) {
		in.s_addr = src;
		snprintf(snat, sizeof(snat), " snat to %s",
			 inet_ntop(AF_INET, &in, a, sizeof(a)));
	}
	in.s_addr = htonl(s->addr);
	snprintf(desc, sizeof(desc),
		 "rule %s: ip daddr %s ct status dnat counter%s comment \"%s\"",
		 NFTLB_SNAT, inet_ntop(AF_INET, &in, a, sizeof(a)), snat,
		 s->name);
	return nftbuild_rule_put(b, r, err, desc);
}

/* What the kernel would refuse, or what a counter could not be read
 * back by: refused here, with the reason. */
static int lb_check(const struct nftlb *lb)
{
	int i;

	if (!lb->vip || lb->nports < 1 || lb->nports > NFTLB_PORTS_MAX ||
	    lb->nservers < 1 || lb->nservers > NFTLB_SERVERS_MAX)
		return -EINVAL;
	for (i = 0; i < lb->nports; i++)
		if (!lb->ports[i])
			return -EINVAL;
	for (i = 0; i < lb->nservers; i++)
		if (!lb->servers[i].addr || !lb->servers[i].name ||
		    !lb->servers[i].name[0] ||
		    strlen(lb->servers[i].name) >= NFTLB_NAME_MAX)
			return -EINVAL;
	return 0;
}

int nftlb_rules(struct nft_batch *b, const struct nftlb *lb)
{
	size_t mark_len = nft_batch_len(b);
	int mark_count = nft_batch_count(b), err, i;

	if (batch_ended(b) || lb_check(lb))
		return -EINVAL;
	err = nftbuild_table(b);
	if (!err)
		err = nftbuild_chain(b, NFTLB_DNAT, "nat", NF_INET_PRE_ROUTING,
				     NF_IP_PRI_NAT_DST,
				     "chain " NFTLB_DNAT
				     " (nat, prerouting, priority -100)");
	if (!err)
		err = nftbuild_chain(b, NFTLB_SNAT, "nat", NF_INET_POST_ROUTING,
				     NF_IP_PRI_NAT_SRC,
				     "chain " NFTLB_SNAT
				     " (nat, postrouting, priority 100)");
	if (!err && lb->nports > 1)
		err = lb_put_set(b, LB_PORTS_ID, lb->nports,
				 "set __set%d (ports of the virtual address)");
	if (!err && lb->nports > 1)
		err = lb_put_elems(b, lb, LB_PORTS_ID,
				   "elements of __set%d (the ports)");
	if (!err)
		err = lb_put_set(b, LB_MAP_ID, lb->nservers,
				 "map __map%d (index : server)");
	if (!err)
		err = lb_put_elems(b, lb, LB_MAP_ID,
				   "elements of __map%d (the servers)");
	if (!err)
		err = lb_put_dnat(b, lb);
	for (i = 0; !err && i < lb->nservers; i++)
		err = lb_put_server(b, lb, &lb->servers[i]);
	if (err)
		batch_undo(b, mark_len, mark_count);
	return err;
}

/* ---- the counters, read back ---- */

size_t nftlb_counts_req(void *buf, uint32_t seq)
{
	struct nftnl_rule *r = nftbuild_rule(NFTLB_SNAT);
	struct nlmsghdr *nlh;
	size_t len;

	if (!r)
		return 0;
	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETRULE, NFPROTO_IPV4,
				    NLM_F_DUMP, seq);
	nftnl_rule_nlmsg_build_payload(nlh, r);
	len = nlh->nlmsg_len;
	nftnl_rule_free(r);
	return len;
}

static int lb_comment_cb(const struct nftnl_udata *attr, void *data)
{
	struct nftlb_count *out = data;
	const char *v = nftnl_udata_get(attr);
	uint8_t n = nftnl_udata_len(attr);

	if (nftnl_udata_type(attr) != NFTNL_UDATA_RULE_COMMENT || !n ||
	    n > NFTLB_NAME_MAX || v[n - 1])
		return 0;
	memcpy(out->name, v, n);
	return 0;
}

/* The comment and the counter of a rule: 1 if it has both. */
static int lb_rule_count(struct nftnl_rule *r, struct nftlb_count *out)
{
	struct nftnl_expr_iter *it;
	struct nftnl_expr *e;
	const void *ud;
	uint32_t len = 0;
	int found = 0;

	memset(out, 0, sizeof(*out));
	ud = nftnl_rule_get_data(r, NFTNL_RULE_USERDATA, &len);
	if (ud)
		nftnl_udata_parse(ud, len, lb_comment_cb, out);
	it = nftnl_expr_iter_create(r);
	if (!it)
		return -ENOMEM;
	for (e = nftnl_expr_iter_next(it); e; e = nftnl_expr_iter_next(it)) {
		if (strcmp(nftnl_expr_get_str(e, NFTNL_EXPR_NAME), "counter"))
			continue;
		out->conns = nftnl_expr_get_u64(e, NFTNL_EXPR_CTR_PACKETS);
		found = 1;
	}
	nftnl_expr_iter_destroy(it);
	return found && out->name[0];
}

int nftlb_counts_parse(const struct nlmsghdr *nlh, struct nftlb_count *out)
{
	struct nftnl_rule *r;
	const char *chain;
	int ret = 0;

	if (NFNL_SUBSYS_ID(nlh->nlmsg_type) != NFNL_SUBSYS_NFTABLES ||
	    NFNL_MSG_TYPE(nlh->nlmsg_type) != NFT_MSG_NEWRULE)
		return 0;
	r = nftnl_rule_alloc();
	if (!r)
		return -ENOMEM;
	if (nftnl_rule_nlmsg_parse(nlh, r) < 0) {
		ret = -EINVAL;
		goto out;
	}
	chain = nftnl_rule_get_str(r, NFTNL_RULE_CHAIN);
	if (chain && !strcmp(chain, NFTLB_SNAT))
		ret = lb_rule_count(r, out);
out:
	nftnl_rule_free(r);
	return ret;
}

/* Where the dump's rules go. */
struct lb_counts {
	struct nftlb_count *out;
	int max, n;
};

static int lb_counts_cb(const struct nlmsghdr *nlh, void *data)
{
	struct lb_counts *c = data;
	struct nftlb_count one;
	int ret = nftlb_counts_parse(nlh, &one);

	if (ret < 0)
		return MNL_CB_ERROR;
	if (ret && c->n < c->max)
		c->out[c->n++] = one;
	return MNL_CB_OK;
}

int nftlb_counts(struct nftlb_count *out, int max)
{
	uint8_t buf[MNL_SOCKET_BUFFER_SIZE];
	struct lb_counts c = {.out = out, .max = max};
	struct netlink nl;
	size_t len;
	int err;

	err = netlink_open(&nl, NETLINK_NETFILTER);
	if (err)
		return err;
	len = nftlb_counts_req(buf, netlink_next_seq(&nl));
	err = len ? netlink_talk(&nl, buf, len, 1, lb_counts_cb, &c) : -ENOMEM;
	netlink_close(&nl);
	/* A namespace without the balancer's table has no counts. */
	if (err == -ENOENT)
		return 0;
	return err ? err : c.n;
}
