/* nftrules.c - the small rulesets: a gateway's masquerade, the engine's
 * queue rules, and the rfc suite's SYN drop. */

/*
 * Every builder here adds requests to a batch (nft.c) with the building
 * blocks of nftbuild.c; a builder that fails part way calls batch_undo(),
 * so the batch is left as it was.  None does I/O: the unit tests parse
 * the bytes back (test_nft.c, test_rfc.c).  The full-cone gateway, a
 * ruleset of its own, is in nftcone.c.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>

#include <linux/netfilter.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nf_nat.h>

#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>

#include "lib/log.h"
#include "lib/nft.h"
#include "lib/nft_int.h"
#include "lib/pkt.h"
#include "lib/util.h"

#define NFT_CHAIN "postrouting"

/* ---- a gateway's masquerade ---- */

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
	uint32_t nf = 0;
	size_t i;

	for (i = 0; i < sizeof(masq_flags) / sizeof(masq_flags[0]); i++)
		if (m->flags & masq_flags[i].flag)
			nf |= masq_flags[i].nf;
	if (nftbuild_ifname(r, NFT_META_OIFNAME, m->oifname))
		return -ENOMEM;
	if (m->l4proto && nftbuild_l4proto(r, m->l4proto))
		return -ENOMEM;
	if (nftbuild_counter(r))
		return -ENOMEM;
	if (!m->port_min)
		return add_masq(r, nf, 0, 0);
	/* Ports go to the registers in network byte order, 2 bytes each. */
	if (nftbuild_immediate(r, NFT_REG_1, &lo, sizeof(lo)) ||
	    nftbuild_immediate(r, NFT_REG_2, &hi, sizeof(hi)))
		return -ENOMEM;
	return add_masq(r, nf, NFT_REG_1, NFT_REG_2);
}

static int put_chain(struct nft_batch *b)
{
	return nftbuild_chain(
		b, NFT_CHAIN, "nat", NF_INET_POST_ROUTING, NF_IP_PRI_NAT_SRC,
		"chain " NFT_CHAIN " (nat, postrouting, priority 100)");
}

static int put_masq_rule(struct nft_batch *b, const struct masq_rule *m)
{
	struct nftnl_rule *r = nftbuild_rule(NFT_CHAIN);
	char desc[256];

	if (!r)
		return -ENOMEM;
	masq_rule_desc(m, desc, sizeof(desc));
	return nftbuild_rule_put(b, r, masq_rule_exprs(r, m), desc);
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

	err = nftbuild_table(b);
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

/* ---- the engine's queue rules ---- */

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
		 * copying it, so it must come from the heap: xcalloc()'s
		 * memory, which free() takes. */
		uint16_t *info;

		e = nftnl_expr_alloc("target");
		if (!e)
			return -ENOMEM;
		info = xcalloc(4, sizeof(*info));
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
	err = nftbuild_table(b);
	if (!err)
		err = nftbuild_chain(b, chain, "filter", (uint32_t)hook, prio,
				     desc);
	return err;
}

int nft_engine_queue(struct nft_batch *b, const struct nft_queue *q)
{
	struct nftnl_rule *r;
	char desc[160];
	int err = 0;

	if (batch_ended(b))
		return -EINVAL;
	r = nftbuild_rule(q->chain);
	if (!r)
		return -ENOMEM;
	if (nftbuild_l4proto(r, IPPROTO_TCP) ||
	    (q->mask &&
	     nftbuild_tcp_flags(r, q->mask, q->value,
				q->neq ? NFT_CMP_NEQ : NFT_CMP_EQ)) ||
	    nftbuild_counter(r) || add_queue(r, q))
		err = -ENOMEM;
	queue_desc(q, desc, sizeof(desc));
	return nftbuild_rule_put(b, r, err, desc);
}

/* ---- the closing connections of a legacy host ---- */

/*
 * The key of a closing connection, loaded into NFT_REG32_00 .. _02 as nft
 * lays out a concatenation (each field in its own 32-bit register, zero
 * padded): the peer's address and port, then the host's port.  A
 * segment the host sends has the peer as destination, one it receives as
 * source.  Those registers are NFT_REG_1's: a match that uses NFT_REG_1
 * must come before.
 */
static int closing_key(struct nftnl_rule *r, int out)
{
	if (nftbuild_nh(r, out ? 16 : 12, 4, NFT_REG32_00) ||
	    nftbuild_th(r, out ? 2 : 0, 2, NFT_REG32_01) ||
	    nftbuild_th(r, out ? 0 : 2, 2, NFT_REG32_02))
		return -ENOMEM;
	return 0;
}

int nft_engine_closing_set(struct nft_batch *b, const struct nft_closing *c)
{
	struct nftnl_set *s;
	char desc[128];

	if (batch_ended(b))
		return -EINVAL;
	s = nftbuild_set(NFT_CLOSING, NFT_SET_ID_CLOSING,
			 NFT_SET_TIMEOUT | NFT_SET_EVAL);
	if (!s)
		return -ENOMEM;
	nftnl_set_set_u32(
		s, NFTNL_SET_KEY_TYPE,
		NFT_TYPE_CONCAT(
			NFT_TYPE_CONCAT(NFT_TYPE_IPADDR, NFT_TYPE_INET_SERVICE),
			NFT_TYPE_INET_SERVICE));
	nftnl_set_set_u32(s, NFTNL_SET_KEY_LEN, 12);
	nftnl_set_set_u64(s, NFTNL_SET_TIMEOUT, c->timeout_ms);
	nftnl_set_set_u32(s, NFTNL_SET_DESC_SIZE, c->size);
	snprintf(desc, sizeof(desc),
		 "set %s { type ipv4_addr . inet_service . inet_service; "
		 "flags dynamic,timeout; timeout %ums; size %u }",
		 NFT_CLOSING, c->timeout_ms, c->size);
	return nftbuild_set_put(b, s, 0, desc);
}

int nft_engine_closing_add(struct nft_batch *b, const struct nft_closing *c)
{
	struct nftnl_rule *r;
	struct nftnl_expr *e;
	char desc[160];
	int err = 0;

	if (batch_ended(b))
		return -EINVAL;
	r = nftbuild_rule(c->out_chain);
	if (!r)
		return -ENOMEM;
	/* The match first: it uses NFT_REG_1, which the key's registers
	 * share. */
	e = nftnl_expr_alloc("dynset");
	if (!e || nftbuild_l4proto(r, IPPROTO_TCP) ||
	    nftbuild_tcp_flags(r, PKT_FIN, PKT_FIN, NFT_CMP_EQ) ||
	    closing_key(r, 1)) {
		nftnl_expr_free(e);
		err = -ENOMEM;
	} else {
		nftnl_expr_set_u32(e, NFTNL_EXPR_DYNSET_SREG_KEY, NFT_REG32_00);
		nftnl_expr_set_u32(e, NFTNL_EXPR_DYNSET_OP,
				   NFT_DYNSET_OP_UPDATE);
		nftnl_expr_set_u64(e, NFTNL_EXPR_DYNSET_TIMEOUT, c->timeout_ms);
		nftnl_expr_set_str(e, NFTNL_EXPR_DYNSET_SET_NAME, NFT_CLOSING);
		nftnl_expr_set_u32(e, NFTNL_EXPR_DYNSET_SET_ID,
				   NFT_SET_ID_CLOSING);
		nftnl_rule_add_expr(r, e);
	}
	snprintf(desc, sizeof(desc),
		 "rule %s: tcp flags & fin == fin update @%s { ip daddr . "
		 "tcp dport . tcp sport }",
		 c->out_chain, NFT_CLOSING);
	return nftbuild_rule_put(b, r, err, desc);
}

int nft_engine_closing_queue(struct nft_batch *b, const struct nft_closing *c,
			     const struct nft_queue *q)
{
	size_t mark_len = nft_batch_len(b);
	int mark_count = nft_batch_count(b), err = 0, out;

	if (batch_ended(b))
		return -EINVAL;
	for (out = 0; !err && out < 2; out++) {
		struct nftnl_rule *r =
			nftbuild_rule(out ? c->out_chain : c->in_chain);
		char desc[200];

		if (!r) {
			err = -ENOMEM;
			break;
		}
		err = nftbuild_l4proto(r, IPPROTO_TCP) || closing_key(r, out) ||
				      nftbuild_lookup(r, NFT_REG32_00,
						      NFT_CLOSING,
						      NFT_SET_ID_CLOSING, 0) ||
				      nftbuild_counter(r) || add_queue(r, q)
			      ? -ENOMEM
			      : 0;
		snprintf(desc, sizeof(desc),
			 "rule %s: ip %s . tcp %s . tcp %s @%s counter %s %u%s",
			 out ? c->out_chain : c->in_chain,
			 out ? "daddr" : "saddr", out ? "dport" : "sport",
			 out ? "sport" : "dport", NFT_CLOSING,
			 q->compat ? "xt target NFQUEUE num" : "queue num",
			 q->num, q->bypass ? " bypass" : "");
		err = nftbuild_rule_put(b, r, err, desc);
	}
	if (err)
		batch_undo(b, mark_len, mark_count);
	return err;
}

/* ---- the rfc suite's SYN drop ---- */

/*
 * natlab rfc (rfc.c) makes a server drop the SYNs that arrive for one
 * local port, so that a client's SYN stays unanswered while the server
 * opens its own connection towards it (a TCP simultaneous open through
 * the NAT needs the client's SYN "out" and not refused).
 */
int nft_syn_drop(struct nft_batch *b, uint16_t dport)
{
	size_t mark_len = nft_batch_len(b);
	int mark_count = nft_batch_count(b), err;
	uint16_t port = htons(dport);
	struct nftnl_rule *r;
	char desc[96];

	if (batch_ended(b))
		return -EINVAL;
	err = nft_engine_chain(b, NFT_RFC_IN, NF_INET_LOCAL_IN,
			       NF_IP_PRI_FILTER);
	if (err)
		goto out;
	r = nftbuild_rule(NFT_RFC_IN);
	if (!r) {
		err = -ENOMEM;
		goto out;
	}
	err = nftbuild_l4proto(r, IPPROTO_TCP);
	if (!err &&
	    (nftbuild_th(r, 2, 2, NFT_REG_1) ||
	     nftbuild_cmp(r, NFT_REG_1, NFT_CMP_EQ, &port, sizeof(port))))
		err = -ENOMEM;
	if (!err && (nftbuild_pure_syn(r) || nftbuild_counter(r) ||
		     nftbuild_verdict(r, NF_DROP)))
		err = -ENOMEM;
	snprintf(desc, sizeof(desc),
		 "rule %s: tcp dport %u tcp flags syn / syn,ack counter drop",
		 NFT_RFC_IN, dport);
	err = nftbuild_rule_put(b, r, err, desc);
out:
	if (err)
		batch_undo(b, mark_len, mark_count);
	return err;
}
