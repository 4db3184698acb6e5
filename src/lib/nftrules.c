/* nftrules.c - rulesets: gateway NAT, engine queues, the full-cone gateway. */

/*
 * Every builder here adds requests to a batch (nft.c) through
 * batch_hdr() and batch_commit(); a builder that fails part way calls
 * batch_undo(), so the batch is left as it was.  None does I/O: the
 * unit tests parse the bytes back (test_nft.c, test_rfc.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>

#include <linux/netfilter.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nf_nat.h>
#include <linux/netfilter/nf_conntrack_common.h>

#include <libnftnl/table.h>
#include <libnftnl/chain.h>
#include <libnftnl/rule.h>
#include <libnftnl/expr.h>
#include <libnftnl/set.h>
#include <libnftnl/common.h>
#include <libmnl/libmnl.h>

#include "lib/log.h"
#include "lib/nft.h"
#include "lib/nft_int.h"

#define NFT_CHAIN "postrouting"

/* Expression builders, one per part of a statement; 0 or -ENOMEM. */

/* meta KEY -> dreg */
static int add_meta(struct nftnl_rule *r, uint32_t key, uint32_t dreg)
{
	struct nftnl_expr *e = nftnl_expr_alloc("meta");

	if (!e)
		return -ENOMEM;
	nftnl_expr_set_u32(e, NFTNL_EXPR_META_KEY, key);
	nftnl_expr_set_u32(e, NFTNL_EXPR_META_DREG, dreg);
	nftnl_rule_add_expr(r, e);
	return 0;
}

/* cmp OP sreg, data */
static int add_cmp(struct nftnl_rule *r, uint32_t sreg, uint32_t op,
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

/* counter: the kernel starts it at zero packets, zero bytes. */
static int add_counter(struct nftnl_rule *r)
{
	struct nftnl_expr *e = nftnl_expr_alloc("counter");

	if (!e)
		return -ENOMEM;
	nftnl_rule_add_expr(r, e);
	return 0;
}

/* immediate data -> dreg */
static int add_immediate_data(struct nftnl_rule *r, uint32_t dreg,
			      const void *data, uint32_t len)
{
	struct nftnl_expr *e = nftnl_expr_alloc("immediate");

	if (!e)
		return -ENOMEM;
	nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, dreg);
	nftnl_expr_set_data(e, NFTNL_EXPR_IMM_DATA, data, len);
	nftnl_rule_add_expr(r, e);
	return 0;
}

/* masquerade [to :reg_min-reg_max] [flags]; reg_min 0: any port.  A range
 * is used only with NF_NAT_RANGE_PROTO_SPECIFIED among the flags (nft sets
 * it too): without it the kernel ignores the registers. */
static int add_masq(struct nftnl_rule *r, uint32_t flags, uint32_t reg_min,
		    uint32_t reg_max)
{
	struct nftnl_expr *e = nftnl_expr_alloc("masq");

	if (!e)
		return -ENOMEM;
	if (flags)
		nftnl_expr_set_u32(e, NFTNL_EXPR_MASQ_FLAGS, flags);
	if (reg_min) {
		flags |= NF_NAT_RANGE_PROTO_SPECIFIED;
		nftnl_expr_set_u32(e, NFTNL_EXPR_MASQ_FLAGS, flags);
		nftnl_expr_set_u32(e, NFTNL_EXPR_MASQ_REG_PROTO_MIN, reg_min);
		nftnl_expr_set_u32(e, NFTNL_EXPR_MASQ_REG_PROTO_MAX, reg_max);
	}
	nftnl_rule_add_expr(r, e);
	return 0;
}

/* The masquerade flags, their kernel values and nft names. */
static const struct {
	unsigned int flag;
	uint32_t nf;
	const char *name;
} masq_flags[] = {
	{NFT_MASQ_RANDOM, NF_NAT_RANGE_PROTO_RANDOM, "random"},
	{NFT_MASQ_FULLY_RANDOM, NF_NAT_RANGE_PROTO_RANDOM_FULLY,
	 "fully-random"},
	{NFT_MASQ_PERSISTENT, NF_NAT_RANGE_PERSISTENT, "persistent"},
};

/* One masquerade rule: interface, protocol (0: any), range, flags. */
struct masq_rule {
	const char *oifname;
	uint8_t l4proto;
	uint16_t port_min, port_max; /* host order, 0: any port */
	unsigned int flags;	     /* NFT_MASQ_* */
};

/* The rule as nft lists it, e.g. 'oifname "wan" meta l4proto tcp counter
 * masquerade to :1024-2047 random,persistent'. */
static void masq_rule_desc(const struct masq_rule *m, char *buf, size_t len)
{
	char range[24] = "", flags[48] = "";
	const char *proto = "";
	size_t i;

	if (m->port_min)
		snprintf(range, sizeof(range), " to :%u-%u", m->port_min,
			 m->port_max);
	for (i = 0; i < sizeof(masq_flags) / sizeof(masq_flags[0]); i++) {
		if (!(m->flags & masq_flags[i].flag))
			continue;
		strcat(flags, flags[0] ? "," : " ");
		strcat(flags, masq_flags[i].name);
	}
	if (m->l4proto == IPPROTO_TCP)
		proto = " meta l4proto tcp";
	else if (m->l4proto == IPPROTO_UDP)
		proto = " meta l4proto udp";
	snprintf(buf, len, "rule %s: oifname \"%s\"%s counter masquerade%s%s",
		 NFT_CHAIN, m->oifname, proto, range, flags);
}

static int masq_rule_exprs(struct nftnl_rule *r, const struct masq_rule *m)
{
	uint16_t lo = htons(m->port_min), hi = htons(m->port_max);
	char ifname[IFNAMSIZ] = {0};
	uint32_t nf = 0;
	size_t i;

	for (i = 0; i < sizeof(masq_flags) / sizeof(masq_flags[0]); i++)
		if (m->flags & masq_flags[i].flag)
			nf |= masq_flags[i].nf;
	/* nft compares the whole IFNAMSIZ buffer, NUL padding included, so
	 * "wan" does not match "wan0". */
	memcpy(ifname, m->oifname, strlen(m->oifname));
	if (add_meta(r, NFT_META_OIFNAME, NFT_REG_1) ||
	    add_cmp(r, NFT_REG_1, NFT_CMP_EQ, ifname, sizeof(ifname)))
		return -ENOMEM;
	if (m->l4proto && (add_meta(r, NFT_META_L4PROTO, NFT_REG_1) ||
			   add_cmp(r, NFT_REG_1, NFT_CMP_EQ, &m->l4proto, 1)))
		return -ENOMEM;
	if (add_counter(r))
		return -ENOMEM;
	if (!m->port_min)
		return add_masq(r, nf, 0, 0);
	/* Ports go to the registers in network byte order, 2 bytes each. */
	if (add_immediate_data(r, NFT_REG_1, &lo, sizeof(lo)) ||
	    add_immediate_data(r, NFT_REG_2, &hi, sizeof(hi)))
		return -ENOMEM;
	return add_masq(r, nf, NFT_REG_1, NFT_REG_2);
}

static int put_table(struct nft_batch *b)
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

/* Base chain NAME: type TYPE hook HOOK priority PRIO policy accept. */
static int put_base_chain(struct nft_batch *b, const char *name,
			  const char *type, uint32_t hook, int32_t prio,
			  const char *desc)
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

static int put_chain(struct nft_batch *b)
{
	return put_base_chain(
		b, NFT_CHAIN, "nat", NF_INET_POST_ROUTING, NF_IP_PRI_NAT_SRC,
		"chain " NFT_CHAIN " (nat, postrouting, priority 100)");
}

static int put_masq_rule(struct nft_batch *b, const struct masq_rule *m)
{
	struct nftnl_rule *r = nftnl_rule_alloc();
	char desc[256];
	int err = -ENOMEM;

	if (!r)
		return -ENOMEM;
	if (nftnl_rule_set_str(r, NFTNL_RULE_TABLE, NFT_TABLE) < 0 ||
	    nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, NFT_CHAIN) < 0)
		goto out;
	nftnl_rule_set_u32(r, NFTNL_RULE_FAMILY, NFPROTO_IPV4);
	err = masq_rule_exprs(r, m);
	if (err)
		goto out;
	nftnl_rule_nlmsg_build_payload(
		batch_hdr(b, NFT_MSG_NEWRULE, NLM_F_CREATE | NLM_F_APPEND), r);
	masq_rule_desc(m, desc, sizeof(desc));
	err = batch_commit(b, desc);
out:
	nftnl_rule_free(r);
	return err;
}

/* Reject what the kernel would reject, with a reason it would not give. */
static int masq_check(const struct nft_masq *nat, const char *oifname)
{
	const unsigned int known =
		NFT_MASQ_RANDOM | NFT_MASQ_FULLY_RANDOM | NFT_MASQ_PERSISTENT;

	if (!oifname || !oifname[0] || strlen(oifname) >= IFNAMSIZ) {
		log_err("nft: outside interface \"%s\": need 1 to %d characters",
			oifname ? oifname : "", IFNAMSIZ - 1);
		return -EINVAL;
	}
	if (nat->flags & ~known) {
		log_err("nft: unknown masquerade flags %#x", nat->flags);
		return -EINVAL;
	}
	if ((nat->port_min || nat->port_max) &&
	    (!nat->port_min || nat->port_min > nat->port_max)) {
		log_err("nft: bad masquerade port range %u-%u", nat->port_min,
			nat->port_max);
		return -EINVAL;
	}
	return 0;
}

int nft_masquerade(struct nft_batch *b, const struct nft_masq *nat,
		   const char *oifname)
{
	static const uint8_t with_ports[] = {IPPROTO_TCP, IPPROTO_UDP};
	size_t mark_len = nft_batch_len(b);
	int mark_count = nft_batch_count(b), err;
	struct masq_rule m = {.oifname = oifname, .flags = nat->flags};
	size_t i;

	if (batch_ended(b))
		return -EINVAL;
	err = masq_check(nat, oifname);
	if (err)
		return err;

	err = put_table(b);
	if (!err)
		err = put_chain(b);
	for (i = 0; !err && nat->port_min && i < sizeof(with_ports); i++) {
		m.l4proto = with_ports[i];
		m.port_min = nat->port_min;
		m.port_max = nat->port_max;
		err = put_masq_rule(b, &m);
	}
	/* Everything else (ICMP, ...) masquerades without a port range. */
	m.l4proto = 0;
	m.port_min = m.port_max = 0;
	if (!err)
		err = put_masq_rule(b, &m);
	if (err)
		batch_undo(b, mark_len, mark_count);
	return err;
}

/* payload load: LEN bytes at OFFSET of header BASE -> dreg */
static int add_payload(struct nftnl_rule *r, uint32_t base, uint32_t offset,
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

/* The transport and network headers. */
#define add_payload_th(r, off, len, dreg)                                      \
	add_payload(r, NFT_PAYLOAD_TRANSPORT_HEADER, off, len, dreg)
#define add_payload_nh(r, off, len, dreg)                                      \
	add_payload(r, NFT_PAYLOAD_NETWORK_HEADER, off, len, dreg)

/* bitwise: reg = (reg & mask) ^ 0, one byte */
static int add_bitwise_and(struct nftnl_rule *r, uint32_t reg, uint8_t mask)
{
	struct nftnl_expr *e = nftnl_expr_alloc("bitwise");
	uint8_t zero = 0;

	if (!e)
		return -ENOMEM;
	nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_SREG, reg);
	nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_DREG, reg);
	nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_LEN, 1);
	nftnl_expr_set_data(e, NFTNL_EXPR_BITWISE_MASK, &mask, 1);
	nftnl_expr_set_data(e, NFTNL_EXPR_BITWISE_XOR, &zero, 1);
	nftnl_rule_add_expr(r, e);
	return 0;
}

/*
 * The queue statement.  The native expression needs CONFIG_NFT_QUEUE; a
 * kernel without it (as the one natlab was first built on) still has the
 * xtables NFQUEUE target through nft_compat, which takes the target's
 * own info block: struct xt_NFQ_info_v3, padded to XT_ALIGN as
 * x_tables checks it.
 */
static int add_queue(struct nftnl_rule *r, const struct nft_queue *q)
{
	struct nftnl_expr *e;

	if (!q->compat) {
		e = nftnl_expr_alloc("queue");
		if (!e)
			return -ENOMEM;
		nftnl_expr_set_u16(e, NFTNL_EXPR_QUEUE_NUM, q->num);
		nftnl_expr_set_u16(e, NFTNL_EXPR_QUEUE_TOTAL, 1);
		if (q->bypass)
			nftnl_expr_set_u16(e, NFTNL_EXPR_QUEUE_FLAGS,
					   NFT_QUEUE_FLAG_BYPASS);
	} else {
		/* struct xt_NFQ_info_v3: queuenum, queues_total, flags.
		 * libnftnl keeps (and later frees) this pointer instead of
		 * copying it, so it must come from the heap. */
		uint16_t *info = calloc(4, sizeof(*info));

		e = nftnl_expr_alloc("target");
		if (!e || !info) {
			free(info);
			nftnl_expr_free(e);
			return -ENOMEM;
		}
		info[0] = q->num;
		info[1] = 1;
		info[2] = q->bypass ? 0x01 : 0;
		nftnl_expr_set_str(e, NFTNL_EXPR_TG_NAME, "NFQUEUE");
		nftnl_expr_set_u32(e, NFTNL_EXPR_TG_REV, 3);
		nftnl_expr_set_data(e, NFTNL_EXPR_TG_INFO, info,
				    4 * sizeof(*info));
	}
	nftnl_rule_add_expr(r, e);
	return 0;
}

static void queue_desc(const struct nft_queue *q, char *buf, size_t len)
{
	char match[48] = "";

	if (q->mask)
		snprintf(match, sizeof(match), " tcp flags & 0x%02x %s 0x%02x",
			 q->mask, q->neq ? "!=" : "==", q->value);
	snprintf(buf, len, "rule %s: meta l4proto tcp%s counter %s %u%s",
		 q->chain, match,
		 q->compat ? "xt target NFQUEUE num" : "queue num", q->num,
		 q->bypass ? " bypass" : "");
}

int nft_engine_chain(struct nft_batch *b, const char *chain, int hook, int prio)
{
	char desc[NFT_CHAIN_MAXNAMELEN + 64];
	int err;

	if (batch_ended(b) || strlen(chain) >= NFT_CHAIN_MAXNAMELEN)
		return -EINVAL;
	snprintf(desc, sizeof(desc), "chain %s (filter, hook %d, priority %d)",
		 chain, hook, prio);
	err = put_table(b);
	if (!err)
		err = put_base_chain(b, chain, "filter", (uint32_t)hook, prio,
				     desc);
	return err;
}

int nft_engine_queue(struct nft_batch *b, const struct nft_queue *q)
{
	struct nftnl_rule *r;
	uint8_t tcp = IPPROTO_TCP;
	char desc[160];
	int err = -ENOMEM;

	if (batch_ended(b))
		return -EINVAL;
	r = nftnl_rule_alloc();
	if (!r)
		return -ENOMEM;
	if (nftnl_rule_set_str(r, NFTNL_RULE_TABLE, NFT_TABLE) < 0 ||
	    nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, q->chain) < 0)
		goto out;
	nftnl_rule_set_u32(r, NFTNL_RULE_FAMILY, NFPROTO_IPV4);
	if (add_meta(r, NFT_META_L4PROTO, NFT_REG_1) ||
	    add_cmp(r, NFT_REG_1, NFT_CMP_EQ, &tcp, 1))
		goto out;
	/* TCP flags are the 14th byte of the TCP header. */
	if (q->mask && (add_payload_th(r, 13, 1, NFT_REG_1) ||
			add_bitwise_and(r, NFT_REG_1, q->mask) ||
			add_cmp(r, NFT_REG_1, q->neq ? NFT_CMP_NEQ : NFT_CMP_EQ,
				&q->value, 1)))
		goto out;
	if (add_counter(r) || add_queue(r, q))
		goto out;
	nftnl_rule_nlmsg_build_payload(
		batch_hdr(b, NFT_MSG_NEWRULE, NLM_F_CREATE | NLM_F_APPEND), r);
	queue_desc(q, desc, sizeof(desc));
	err = batch_commit(b, desc);
out:
	nftnl_rule_free(r);
	return err;
}

/* ---- the rfc suite: a test rule, and the full-cone gateway ---- */

/*
 * natlab rfc (rfc.c) puts two kinds of rules into "table ip natlab":
 *
 * - nft_syn_drop(), in a server, drops the SYNs that arrive for one local
 *   port, so that a client's SYN stays unanswered while the server opens
 *   its own connection towards it (a TCP simultaneous open through the
 *   NAT needs the client's SYN "out" and not refused);
 * - nft_fullcone(), in the gateway, turns masquerade into endpoint-
 *   independent mapping and filtering.  Two maps, filled at run time from
 *   conntrack events by nft_fullcone_map():
 *
 *     rfc_eim  internal address . port : external port
 *     rfc_eif  external port : internal address . port
 *
 *   prerouting (dstnat): a new connection to the external address whose
 *   port is in rfc_eif is DNATed to the internal endpoint (filtering is
 *   endpoint independent; from the inside it is a hairpin);
 *   postrouting (srcnat - 1, before the lab's masquerade): an internal
 *   endpoint with a mapping keeps it towards every destination; a new
 *   one whose source port is already some other endpoint's external port
 *   gets a random port (no port overlapping, which would make inbound
 *   connections ambiguous); others fall through to the masquerade and
 *   its port preservation.  Hairpinned connections (DNATed, going back
 *   inside, from inside) get the same source mapping, so that the inner
 *   host sees the peer's external address and port (RFC 5382 REQ-8a);
 *   input: SYNs from outside to the gateway itself are dropped silently
 *   (RFC 5382 REQ-4a) instead of drawing a RST from its TCP stack.
 */

#define FC_IN	  "rfc_in"
#define FC_PRE	  "rfc_pre"
#define FC_POST	  "rfc_post"
#define FC_EIM_ID 1
#define FC_EIF_ID 2

/* nftables' datatype numbers, as nft lists them (userspace only: the
 * kernel keeps them for the listing), and its concatenation of two. */
#define NFT_TYPE_IPADDR	      7
#define NFT_TYPE_INET_SERVICE 13
#define NFT_TYPE_CONCAT(a, b) (((a) << 6) | (b))

/* ct load KEY -> dreg */
static int add_ct(struct nftnl_rule *r, uint32_t key, uint32_t dreg)
{
	struct nftnl_expr *e = nftnl_expr_alloc("ct");

	if (!e)
		return -ENOMEM;
	nftnl_expr_set_u32(e, NFTNL_EXPR_CT_KEY, key);
	nftnl_expr_set_u32(e, NFTNL_EXPR_CT_DREG, dreg);
	nftnl_rule_add_expr(r, e);
	return 0;
}

/* bitwise: reg = (reg & mask) ^ 0 over LEN bytes (mask in register
 * order, as the payload or ct expression left the value) */
static int add_bitwise_mask(struct nftnl_rule *r, uint32_t reg,
			    const void *mask, uint32_t len)
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

/* lookup sreg in set NAME (created in this batch with ID); dreg 0: a
 * membership test only (allowed on a named map) */
static int add_lookup(struct nftnl_rule *r, uint32_t sreg, const char *set,
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

/* snat/dnat to the address in reg_addr [: the port in reg_proto], with
 * NF_NAT_RANGE_* flags; reg_proto 0: no port given */
static int add_nat(struct nftnl_rule *r, uint32_t type, uint32_t reg_addr,
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

/* immediate verdict (NF_DROP, ...) */
static int add_verdict(struct nftnl_rule *r, int verdict)
{
	struct nftnl_expr *e = nftnl_expr_alloc("immediate");

	if (!e)
		return -ENOMEM;
	nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, NFT_REG_VERDICT);
	nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_VERDICT, (uint32_t)verdict);
	nftnl_rule_add_expr(r, e);
	return 0;
}

/* meta IIFNAME/OIFNAME == name, compared over the whole IFNAMSIZ */
static int add_ifname(struct nftnl_rule *r, uint32_t key, const char *name)
{
	char ifname[IFNAMSIZ] = {0};

	memcpy(ifname, name, strnlen(name, IFNAMSIZ - 1));
	if (add_meta(r, key, NFT_REG_1) ||
	    add_cmp(r, NFT_REG_1, NFT_CMP_EQ, ifname, sizeof(ifname)))
		return -ENOMEM;
	return 0;
}

/* meta l4proto tcp */
static int add_is_tcp(struct nftnl_rule *r)
{
	uint8_t tcp = IPPROTO_TCP;

	if (add_meta(r, NFT_META_L4PROTO, NFT_REG_1) ||
	    add_cmp(r, NFT_REG_1, NFT_CMP_EQ, &tcp, 1))
		return -ENOMEM;
	return 0;
}

/* tcp flags & (syn | ack) == syn */
static int add_pure_syn(struct nftnl_rule *r)
{
	uint8_t mask = 0x12, syn = 0x02;

	if (add_payload_th(r, 13, 1, NFT_REG_1) ||
	    add_bitwise_mask(r, NFT_REG_1, &mask, 1) ||
	    add_cmp(r, NFT_REG_1, NFT_CMP_EQ, &syn, 1))
		return -ENOMEM;
	return 0;
}

/* A new rule of CHAIN in "table ip natlab", or NULL. */
static struct nftnl_rule *rule_new(const char *chain)
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

/* Append a built rule to the batch under DESC; frees it. */
static int rule_put(struct nft_batch *b, struct nftnl_rule *r, int err,
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

int nft_syn_drop(struct nft_batch *b, uint16_t dport)
{
	size_t mark_len = nft_batch_len(b);
	int mark_count = nft_batch_count(b), err;
	uint16_t port = htons(dport);
	struct nftnl_rule *r;
	char desc[96];

	if (batch_ended(b))
		return -EINVAL;
	err = nft_engine_chain(b, FC_IN, NF_INET_LOCAL_IN, NF_IP_PRI_FILTER);
	if (err)
		goto out;
	r = rule_new(FC_IN);
	if (!r) {
		err = -ENOMEM;
		goto out;
	}
	err = add_is_tcp(r);
	if (!err && (add_payload_th(r, 2, 2, NFT_REG_1) ||
		     add_cmp(r, NFT_REG_1, NFT_CMP_EQ, &port, sizeof(port))))
		err = -ENOMEM;
	if (!err &&
	    (add_pure_syn(r) || add_counter(r) || add_verdict(r, NF_DROP)))
		err = -ENOMEM;
	snprintf(desc, sizeof(desc),
		 "rule %s: tcp dport %u tcp flags syn / syn,ack counter drop",
		 FC_IN, dport);
	err = rule_put(b, r, err, desc);
out:
	if (err)
		batch_undo(b, mark_len, mark_count);
	return err;
}

/* map NAME { type KEY : DATA } */
static int put_map(struct nft_batch *b, const char *name, uint32_t id,
		   uint32_t key_type, uint32_t key_len, uint32_t data_type,
		   uint32_t data_len, const char *desc)
{
	struct nftnl_set *s = nftnl_set_alloc();
	int err = -ENOMEM;

	if (!s)
		return -ENOMEM;
	if (nftnl_set_set_str(s, NFTNL_SET_TABLE, NFT_TABLE) < 0 ||
	    nftnl_set_set_str(s, NFTNL_SET_NAME, name) < 0)
		goto out;
	nftnl_set_set_u32(s, NFTNL_SET_FAMILY, NFPROTO_IPV4);
	nftnl_set_set_u32(s, NFTNL_SET_ID, id);
	nftnl_set_set_u32(s, NFTNL_SET_FLAGS, NFT_SET_MAP);
	nftnl_set_set_u32(s, NFTNL_SET_KEY_TYPE, key_type);
	nftnl_set_set_u32(s, NFTNL_SET_KEY_LEN, key_len);
	nftnl_set_set_u32(s, NFTNL_SET_DATA_TYPE, data_type);
	nftnl_set_set_u32(s, NFTNL_SET_DATA_LEN, data_len);
	nftnl_set_nlmsg_build_payload(
		batch_hdr(b, NFT_MSG_NEWSET, NLM_F_CREATE), s);
	err = batch_commit(b, desc);
out:
	nftnl_set_free(s);
	return err;
}

/*
 * Registers.  A concatenation takes one 32-bit register per field, so
 * "ip saddr . tcp sport" lives in NFT_REG32_04 and _05 (128-bit register
 * 2), as nft lays it out; the external address is an immediate in
 * register 1.  A lookup in rfc_eim leaves the port in NFT_REG32_04; one
 * in rfc_eif leaves address . port in NFT_REG32_00 and _01.
 */

/* The source-mapping rules after a MATCH (wan: oifname; hairpin: oifname,
 * inside source, ct status dnat).  MATCH is applied by fn. */
struct fc_rule_ctx {
	const struct nft_fullcone *fc;
	int hairpin;
};

static int fc_match(struct nftnl_rule *r, const struct fc_rule_ctx *x)
{
	uint32_t net = htonl(x->fc->in_net & x->fc->in_mask);
	uint32_t mask = htonl(x->fc->in_mask);
	uint32_t dnat = IPS_DST_NAT, zero = 0;

	if (!x->hairpin)
		return add_ifname(r, NFT_META_OIFNAME, x->fc->outside_if);
	if (add_ifname(r, NFT_META_OIFNAME, x->fc->inside_if) ||
	    add_payload_nh(r, 12, 4, NFT_REG_1) ||
	    add_bitwise_mask(r, NFT_REG_1, &mask, 4) ||
	    add_cmp(r, NFT_REG_1, NFT_CMP_EQ, &net, 4) ||
	    add_ct(r, NFT_CT_STATUS, NFT_REG_1) ||
	    add_bitwise_mask(r, NFT_REG_1, &dnat, 4) ||
	    add_cmp(r, NFT_REG_1, NFT_CMP_NEQ, &zero, 4))
		return -ENOMEM;
	return 0;
}

static void fc_desc(char *buf, size_t len, const struct fc_rule_ctx *x,
		    const char *what)
{
	char net[16], ext[16];
	struct in_addr a;

	a.s_addr = htonl(x->fc->in_net & x->fc->in_mask);
	inet_ntop(AF_INET, &a, net, sizeof(net));
	a.s_addr = htonl(x->fc->ext_addr);
	inet_ntop(AF_INET, &a, ext, sizeof(ext));
	if (x->hairpin)
		snprintf(buf, len,
			 "rule %s: oifname \"%s\" ip saddr %s/%d ct status "
			 "dnat meta l4proto tcp %s%s",
			 FC_POST, x->fc->inside_if, net,
			 __builtin_popcount(x->fc->in_mask), what, ext);
	else
		snprintf(buf, len,
			 "rule %s: oifname \"%s\" meta l4proto tcp %s%s",
			 FC_POST, x->fc->outside_if, what, ext);
}

/* 1: a mapped endpoint keeps its port; 2: a source port that is some
 * other endpoint's external port gets a random one; 3 (hairpin only):
 * the rest keep their port where they can. */
static int fc_post_rules(struct nft_batch *b, const struct fc_rule_ctx *x)
{
	uint32_t ext = htonl(x->fc->ext_addr);
	struct nftnl_rule *r;
	char desc[256];
	int err, step;

	for (step = 1; step <= (x->hairpin ? 3 : 2); step++) {
		r = rule_new(FC_POST);
		if (!r)
			return -ENOMEM;
		err = fc_match(r, x);
		if (!err)
			err = add_is_tcp(r);
		if (!err && step == 1 &&
		    (add_counter(r) ||
		     add_immediate_data(r, NFT_REG_1, &ext, 4) ||
		     add_payload_nh(r, 12, 4, NFT_REG32_04) ||
		     add_payload_th(r, 0, 2, NFT_REG32_05) ||
		     add_lookup(r, NFT_REG32_04, NFT_FC_EIM, FC_EIM_ID,
				NFT_REG32_04) ||
		     add_nat(r, NFT_NAT_SNAT, NFT_REG_1, NFT_REG32_04, 0)))
			err = -ENOMEM;
		if (!err && step == 2 &&
		    (add_payload_th(r, 0, 2, NFT_REG_1) ||
		     add_lookup(r, NFT_REG_1, NFT_FC_EIF, FC_EIF_ID, 0) ||
		     add_counter(r) ||
		     add_immediate_data(r, NFT_REG_1, &ext, 4) ||
		     add_nat(r, NFT_NAT_SNAT, NFT_REG_1, 0,
			     NF_NAT_RANGE_PROTO_RANDOM)))
			err = -ENOMEM;
		if (!err && step == 3 &&
		    (add_counter(r) ||
		     add_immediate_data(r, NFT_REG_1, &ext, 4) ||
		     add_nat(r, NFT_NAT_SNAT, NFT_REG_1, 0, 0)))
			err = -ENOMEM;
		fc_desc(desc, sizeof(desc), x,
			step == 1 ? "counter snat to ip saddr . tcp sport map "
				    "@" NFT_FC_EIM " at "
			: step == 2 ? "tcp sport @" NFT_FC_EIF
				      " counter snat random to "
				    : "counter snat to ");
		err = rule_put(b, r, err, desc);
		if (err)
			return err;
	}
	return 0;
}

/* ip daddr EXT meta l4proto tcp counter dnat to tcp dport map @rfc_eif */
static int fc_pre_rule(struct nft_batch *b, const struct nft_fullcone *fc)
{
	uint32_t ext = htonl(fc->ext_addr);
	struct nftnl_rule *r = rule_new(FC_PRE);
	char desc[128], a[16];
	struct in_addr in = {.s_addr = ext};
	int err = 0;

	if (!r)
		return -ENOMEM;
	if (add_payload_nh(r, 16, 4, NFT_REG_1) ||
	    add_cmp(r, NFT_REG_1, NFT_CMP_EQ, &ext, 4) || add_is_tcp(r) ||
	    add_counter(r) || add_payload_th(r, 2, 2, NFT_REG_1) ||
	    add_lookup(r, NFT_REG_1, NFT_FC_EIF, FC_EIF_ID, NFT_REG_1) ||
	    add_nat(r, NFT_NAT_DNAT, NFT_REG_1, NFT_REG32_01, 0))
		err = -ENOMEM;
	inet_ntop(AF_INET, &in, a, sizeof(a));
	snprintf(desc, sizeof(desc),
		 "rule %s: ip daddr %s meta l4proto tcp counter dnat to tcp "
		 "dport map @%s",
		 FC_PRE, a, NFT_FC_EIF);
	return rule_put(b, r, err, desc);
}

/* log group GROUP snaplen SNAPLEN queue-threshold 1: each packet goes
 * to user space at once */
static int add_log(struct nftnl_rule *r, uint16_t group, uint32_t snaplen)
{
	struct nftnl_expr *e = nftnl_expr_alloc("log");

	if (!e)
		return -ENOMEM;
	nftnl_expr_set_u16(e, NFTNL_EXPR_LOG_GROUP, group);
	nftnl_expr_set_u32(e, NFTNL_EXPR_LOG_SNAPLEN, snaplen);
	nftnl_expr_set_u16(e, NFTNL_EXPR_LOG_QTHRESHOLD, 1);
	nftnl_rule_add_expr(r, e);
	return 0;
}

/* iifname OUTSIDE tcp flags syn / syn,ack counter [log group G] drop */
static int fc_in_rule(struct nft_batch *b, const struct nft_fullcone *fc)
{
	struct nftnl_rule *r = rule_new(FC_IN);
	char desc[160], log[64] = "";
	int err = 0;

	if (!r)
		return -ENOMEM;
	if (add_ifname(r, NFT_META_IIFNAME, fc->outside_if) || add_is_tcp(r) ||
	    add_pure_syn(r) || add_counter(r) ||
	    (fc->log_group && add_log(r, fc->log_group, NFT_FC_LOG_SNAPLEN)) ||
	    add_verdict(r, NF_DROP))
		err = -ENOMEM;
	if (fc->log_group)
		snprintf(log, sizeof(log),
			 " log group %u snaplen %u queue-threshold 1",
			 (unsigned int)fc->log_group, NFT_FC_LOG_SNAPLEN);
	snprintf(desc, sizeof(desc),
		 "rule %s: iifname \"%s\" tcp flags syn / syn,ack counter%s "
		 "drop",
		 FC_IN, fc->outside_if, log);
	return rule_put(b, r, err, desc);
}

int nft_fullcone(struct nft_batch *b, const struct nft_fullcone *fc)
{
	size_t mark_len = nft_batch_len(b);
	int mark_count = nft_batch_count(b), err;
	struct fc_rule_ctx wan = {fc, 0}, hairpin = {fc, 1};

	if (batch_ended(b))
		return -EINVAL;
	if (!fc->inside_if || !fc->outside_if ||
	    strlen(fc->inside_if) >= IFNAMSIZ ||
	    strlen(fc->outside_if) >= IFNAMSIZ || !fc->ext_addr)
		return -EINVAL;
	err = put_table(b);
	if (!err)
		err = put_map(
			b, NFT_FC_EIM, FC_EIM_ID,
			NFT_TYPE_CONCAT(NFT_TYPE_IPADDR, NFT_TYPE_INET_SERVICE),
			8, NFT_TYPE_INET_SERVICE, 2,
			"map " NFT_FC_EIM
			" (ipv4_addr . inet_service : inet_service)");
	if (!err)
		err = put_map(
			b, NFT_FC_EIF, FC_EIF_ID, NFT_TYPE_INET_SERVICE, 2,
			NFT_TYPE_CONCAT(NFT_TYPE_IPADDR, NFT_TYPE_INET_SERVICE),
			8,
			"map " NFT_FC_EIF
			" (inet_service : ipv4_addr . inet_service)");
	if (!err)
		err = put_base_chain(b, FC_PRE, "nat", NF_INET_PRE_ROUTING,
				     NF_IP_PRI_NAT_DST,
				     "chain " FC_PRE
				     " (nat, prerouting, priority -100)");
	if (!err)
		err = fc_pre_rule(b, fc);
	if (!err)
		err = put_base_chain(b, FC_POST, "nat", NF_INET_POST_ROUTING,
				     NF_IP_PRI_NAT_SRC - 1,
				     "chain " FC_POST
				     " (nat, postrouting, priority 99)");
	if (!err)
		err = fc_post_rules(b, &wan);
	if (!err)
		err = fc_post_rules(b, &hairpin);
	if (!err && fc->drop_unsolicited)
		err = put_base_chain(
			b, FC_IN, "filter", NF_INET_LOCAL_IN, NF_IP_PRI_FILTER,
			"chain " FC_IN " (filter, input, priority 0)");
	if (!err && fc->drop_unsolicited)
		err = fc_in_rule(b, fc);
	if (err)
		batch_undo(b, mark_len, mark_count);
	return err;
}

/* A key of NFT_FC_EIM: address . port (host order in), the port padded
 * to its 32-bit register. */
static void fc_endpoint(uint8_t key[8], uint32_t int_addr, uint16_t int_port)
{
	uint32_t addr = htonl(int_addr);
	uint16_t port = htons(int_port);

	memset(key, 0, 8);
	memcpy(key, &addr, 4);
	memcpy(key + 4, &port, 2);
}

int nft_fullcone_map(struct nft_batch *b, int add, uint32_t int_addr,
		     uint16_t int_port, uint16_t ext_port)
{
	size_t mark_len = nft_batch_len(b);
	int mark_count = nft_batch_count(b), err = 0, i;
	uint8_t endpoint[8];
	uint16_t ext = htons(ext_port);
	char desc[128], a[16];
	struct in_addr in = {.s_addr = htonl(int_addr)};

	if (batch_ended(b))
		return -EINVAL;
	fc_endpoint(endpoint, int_addr, int_port);
	inet_ntop(AF_INET, &in, a, sizeof(a));
	for (i = 0; !err && i < 2; i++) {
		struct nftnl_set *s = nftnl_set_alloc();
		struct nftnl_set_elem *e = nftnl_set_elem_alloc();
		const char *name = i ? NFT_FC_EIF : NFT_FC_EIM;

		if (!s || !e ||
		    nftnl_set_set_str(s, NFTNL_SET_TABLE, NFT_TABLE) < 0 ||
		    nftnl_set_set_str(s, NFTNL_SET_NAME, name) < 0) {
			nftnl_set_elem_free(e);
			nftnl_set_free(s);
			err = -ENOMEM;
			break;
		}
		nftnl_set_set_u32(s, NFTNL_SET_FAMILY, NFPROTO_IPV4);
		if (i == 0) {
			nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY, endpoint,
					   sizeof(endpoint));
			if (add)
				nftnl_set_elem_set(e, NFTNL_SET_ELEM_DATA, &ext,
						   sizeof(ext));
		} else {
			nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY, &ext,
					   sizeof(ext));
			if (add)
				nftnl_set_elem_set(e, NFTNL_SET_ELEM_DATA,
						   endpoint, sizeof(endpoint));
		}
		nftnl_set_elem_add(s, e);
		nftnl_set_elems_nlmsg_build_payload(
			batch_hdr(b,
				  add ? NFT_MSG_NEWSETELEM : NFT_MSG_DELSETELEM,
				  add ? NLM_F_CREATE : 0),
			s);
		if (i == 0)
			snprintf(desc, sizeof(desc),
				 "%s element %s { %s . %u : %u }",
				 add ? "add" : "delete", name, a, int_port,
				 ext_port);
		else
			snprintf(desc, sizeof(desc),
				 "%s element %s { %u : %s . %u }",
				 add ? "add" : "delete", name, ext_port, a,
				 int_port);
		err = batch_commit(b, desc);
		nftnl_set_free(s);
	}
	if (err)
		batch_undo(b, mark_len, mark_count);
	return err;
}

size_t nft_fullcone_has_req(void *buf, uint32_t seq, uint32_t int_addr,
			    uint16_t int_port)
{
	struct nftnl_set *set = nftnl_set_alloc();
	struct nftnl_set_elem *e = nftnl_set_elem_alloc();
	struct nlmsghdr *nlh;
	uint8_t endpoint[8];
	size_t len = 0;

	if (!set || !e || nftnl_set_set_str(set, NFTNL_SET_TABLE, NFT_TABLE) ||
	    nftnl_set_set_str(set, NFTNL_SET_NAME, NFT_FC_EIM)) {
		nftnl_set_elem_free(e);
		goto out;
	}
	fc_endpoint(endpoint, int_addr, int_port);
	nftnl_set_set_u32(set, NFTNL_SET_FAMILY, NFPROTO_IPV4);
	nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY, endpoint, sizeof(endpoint));
	nftnl_set_elem_add(set, e);
	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETSETELEM, NFPROTO_IPV4,
				    NLM_F_ACK, seq);
	nftnl_set_elems_nlmsg_build_payload(nlh, set);
	len = nlh->nlmsg_len;
out:
	nftnl_set_free(set);
	return len;
}
