/* nft.c - nftables rulesets built with libnftnl, sent as one batch. */

/*
 * Theory of operation
 *
 * A batch is one buffer of netlink messages: NFNL_MSG_BATCH_BEGIN, the
 * nf_tables requests, NFNL_MSG_BATCH_END; the kernel applies all of it
 * as one transaction or none of it.  Builders let libnftnl write each
 * request at the tail of a libmnl batch (mnl_nlmsg_batch); batch_commit()
 * accepts it and records a description under its sequence number.  Only
 * nft_batch_send() does I/O, so unit tests parse the bytes back as root
 * or not.
 *
 * libnftnl writes a message without knowing how much room is left, so the
 * buffer keeps NFT_MSG_MAX bytes of headroom past the libmnl limit, and
 * batch_commit() checks the size, growing the buffer up to NFT_BATCH_MAX,
 * before a message becomes part of the batch.  Room for BATCH_END is
 * reserved at every step, so ending a batch cannot fail.
 *
 * Every request carries NLM_F_ACK.  The kernel queues the acks in order
 * once the whole batch is processed (nfnetlink_rcv_batch(): a failing
 * batch reports every failure; we show the first).  A commit that fails
 * after every request was accepted is acked against BATCH_BEGIN.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <linux/netlink.h>
#include <linux/netfilter.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nf_nat.h>

#include <libmnl/libmnl.h>
#include <libnftnl/common.h>
#include <libnftnl/table.h>
#include <libnftnl/chain.h>
#include <libnftnl/rule.h>
#include <libnftnl/expr.h>

#include "log.h"
#include "nft.h"

#define NFT_CHAIN "postrouting"

/* The buffer starts at NFT_BATCH_MIN and doubles up to NFT_BATCH_MAX;
 * one gateway's ruleset takes about 2 KiB. */
#define NFT_BATCH_MIN (8 * 1024)
#define NFT_BATCH_MAX (64 * 1024)
/* Headroom past the limit: more than any one message we build (a rule
 * of eight expressions is under 600 bytes). */
#define NFT_MSG_MAX (4 * 1024)
/* BATCH_END: a header and a struct nfgenmsg. */
#define NFT_END_LEN MNL_ALIGN(MNL_NLMSG_HDRLEN + sizeof(struct nfgenmsg))
/* Receive buffer: MNL_SOCKET_BUFFER_SIZE is min(page size, 8 KiB); 8 KiB
 * also holds an error ack quoting a request, should NETLINK_CAP_ACK be
 * missing. */
#define NFT_RECV_SIZE (8 * 1024)
/* Socket receive queue per pending ack: an skb's truesize, with room. */
#define NFT_ACK_ROOM 2048
/* Acks are queued before sendto() returns; this only bounds the wait
 * should a kernel never answer. */
#define NFT_ACK_TIMEOUT_S 5

struct nft_batch {
	char *buf;		    /* cap + NFT_MSG_MAX bytes */
	size_t cap;		    /* limit handed to libmnl */
	struct mnl_nlmsg_batch *mb; /* BEGIN and accepted messages */
	uint32_t seq0;		    /* sequence number of BATCH_BEGIN */
	char **desc;		    /* desc[i]: message seq0 + 1 + i */
	int count;		    /* messages between BEGIN and END */
	int desc_cap;
	bool ended;
	bool sent;
};

/* Make libmnl's batch cover the first len bytes of its buffer again.
 * They hold whole messages within the limit, so every step succeeds,
 * and as mnl_nlmsg_batch_next() never overflowed, reset keeps BEGIN. */
static void batch_rewind(struct mnl_nlmsg_batch *mb, size_t len)
{
	mnl_nlmsg_batch_reset(mb);
	while (mnl_nlmsg_batch_size(mb) < len)
		if (!mnl_nlmsg_batch_next(mb))
			break;
}

/* Move to a buffer of twice the capacity, pending message included. */
static int batch_grow(struct nft_batch *b)
{
	size_t cap = b->cap * 2 > NFT_BATCH_MAX ? NFT_BATCH_MAX : b->cap * 2;
	struct mnl_nlmsg_batch *mb;
	char *buf;

	buf = calloc(1, cap + NFT_MSG_MAX);
	if (!buf)
		return -ENOMEM;
	memcpy(buf, b->buf, b->cap + NFT_MSG_MAX);
	mb = mnl_nlmsg_batch_start(buf, cap);
	if (!mb) {
		free(buf);
		return -ENOMEM;
	}
	batch_rewind(mb, mnl_nlmsg_batch_size(b->mb));
	mnl_nlmsg_batch_stop(b->mb);
	free(b->buf);
	b->buf = buf;
	b->cap = cap;
	b->mb = mb;
	return 0;
}

static uint32_t batch_seq(const struct nft_batch *b)
{
	return b->seq0 + 1 + (uint32_t)b->count;
}

/* Header of the next request, written at the tail of the batch. */
static struct nlmsghdr *batch_hdr(struct nft_batch *b, uint16_t type,
				  uint16_t flags)
{
	return nftnl_nlmsg_build_hdr(mnl_nlmsg_batch_current(b->mb), type,
				     NFPROTO_IPV4, flags | NLM_F_ACK,
				     batch_seq(b));
}

/* Accept the message just built at the tail and remember what it does. */
static int batch_commit(struct nft_batch *b, const char *desc)
{
	const struct nlmsghdr *nlh = mnl_nlmsg_batch_current(b->mb);
	size_t need = mnl_nlmsg_batch_size(b->mb) + nlh->nlmsg_len;
	char *copy;
	int err;

	if (nlh->nlmsg_len > NFT_MSG_MAX) {
		/* The headroom was overrun: the heap is no longer sane. */
		log_err("nft: %u-byte message overran the batch buffer",
			nlh->nlmsg_len);
		abort();
	}
	while (need + NFT_END_LEN > b->cap) {
		if (b->cap >= NFT_BATCH_MAX)
			return -ENOSPC;
		err = batch_grow(b);
		if (err)
			return err;
	}
	if (b->count == b->desc_cap) {
		int n = b->desc_cap ? b->desc_cap * 2 : 8;
		char **d = realloc(b->desc, (size_t)n * sizeof(*d));

		if (!d)
			return -ENOMEM;
		b->desc = d;
		b->desc_cap = n;
	}
	copy = strdup(desc);
	if (!copy)
		return -ENOMEM;
	mnl_nlmsg_batch_next(b->mb);
	b->desc[b->count++] = copy;
	return 0;
}

/* Drop the messages after the first count, which end at byte len. */
static void batch_undo(struct nft_batch *b, size_t len, int count)
{
	while (b->count > count)
		free(b->desc[--b->count]);
	batch_rewind(b->mb, len);
}

struct nft_batch *nft_batch_new(void)
{
	struct nft_batch *b;

	b = calloc(1, sizeof(*b));
	if (!b)
		return NULL;
	b->cap = NFT_BATCH_MIN;
	b->buf = calloc(1, b->cap + NFT_MSG_MAX);
	if (!b->buf)
		goto fail;
	b->mb = mnl_nlmsg_batch_start(b->buf, b->cap);
	if (!b->mb)
		goto fail;
	/* Sequence numbers need only be unique on a socket, and each send
	 * opens its own: fixed ones keep the bytes reproducible. */
	b->seq0 = 1;
	nftnl_batch_begin(mnl_nlmsg_batch_current(b->mb), b->seq0);
	mnl_nlmsg_batch_next(b->mb);
	return b;
fail:
	free(b->buf);
	free(b);
	errno = ENOMEM;
	return NULL;
}

void nft_batch_free(struct nft_batch *b)
{
	if (!b)
		return;
	while (b->count > 0)
		free(b->desc[--b->count]);
	free(b->desc);
	if (b->mb)
		mnl_nlmsg_batch_stop(b->mb);
	free(b->buf);
	free(b);
}

void nft_batch_end(struct nft_batch *b)
{
	if (b->ended)
		return;
	/* batch_commit() kept NFT_END_LEN bytes free below the limit. */
	nftnl_batch_end(mnl_nlmsg_batch_current(b->mb), batch_seq(b));
	mnl_nlmsg_batch_next(b->mb);
	b->ended = true;
}

const void *nft_batch_data(const struct nft_batch *b)
{
	return b->buf;
}

size_t nft_batch_len(const struct nft_batch *b)
{
	return mnl_nlmsg_batch_size(b->mb);
}

int nft_batch_count(const struct nft_batch *b)
{
	return b->count;
}

const char *nft_batch_desc(const struct nft_batch *b, int i)
{
	return i >= 0 && i < b->count ? b->desc[i] : NULL;
}

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

/* A topology's masquerade flags, their kernel values and nft names. */
static const struct {
	unsigned int topo;
	uint32_t nf;
	const char *name;
} masq_flags[] = {
	{TOPO_NAT_RANDOM, NF_NAT_RANGE_PROTO_RANDOM, "random"},
	{TOPO_NAT_FULLY_RANDOM, NF_NAT_RANGE_PROTO_RANDOM_FULLY,
	 "fully-random"},
	{TOPO_NAT_PERSISTENT, NF_NAT_RANGE_PERSISTENT, "persistent"},
};

/* One masquerade rule: interface, protocol (0: any), range, flags. */
struct masq_rule {
	const char *oifname;
	uint8_t l4proto;
	uint16_t port_min, port_max; /* host order, 0: any port */
	unsigned int flags;	     /* TOPO_NAT_* */
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
		if (!(m->flags & masq_flags[i].topo))
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
		if (m->flags & masq_flags[i].topo)
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
static int nat_check(const struct topo_nat *nat, const char *oifname)
{
	const unsigned int known =
		TOPO_NAT_RANDOM | TOPO_NAT_FULLY_RANDOM | TOPO_NAT_PERSISTENT;

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

int nft_gateway_nat(struct nft_batch *b, const struct topo_nat *nat,
		    const char *oifname)
{
	static const uint8_t with_ports[] = {IPPROTO_TCP, IPPROTO_UDP};
	size_t mark_len = mnl_nlmsg_batch_size(b->mb);
	int mark_count = b->count, err;
	struct masq_rule m = {.oifname = oifname, .flags = nat->flags};
	size_t i;

	if (b->ended)
		return -EINVAL;
	switch (nat->mode) {
	case TOPO_NAT_NONE:
		return 0;
	case TOPO_NAT_MASQUERADE:
		break;
	}
	if (nat->mode != TOPO_NAT_MASQUERADE)
		return -EINVAL;
	err = nat_check(nat, oifname);
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

/* payload load: LEN bytes at OFFSET of the transport header -> dreg */
static int add_payload_th(struct nftnl_rule *r, uint32_t offset, uint32_t len,
			  uint32_t dreg)
{
	struct nftnl_expr *e = nftnl_expr_alloc("payload");

	if (!e)
		return -ENOMEM;
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_BASE,
			   NFT_PAYLOAD_TRANSPORT_HEADER);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET, offset);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_LEN, len);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_DREG, dreg);
	nftnl_rule_add_expr(r, e);
	return 0;
}

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

	if (b->ended || strlen(chain) >= NFT_CHAIN_MAXNAMELEN)
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

	if (b->ended)
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

static void __attribute__((format(printf, 3, 4)))
set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* What the message with this sequence number asked for. */
static const char *seq_desc(const struct nft_batch *b, uint32_t seq)
{
	if (seq == b->seq0)
		return "nftables batch";
	if (seq == batch_seq(b))
		return "end of nftables batch";
	return b->desc[seq - b->seq0 - 1];
}

static int extack_attr(const struct nlattr *attr, void *data)
{
	const char **msg = data;

	if (mnl_attr_get_type(attr) == NLMSGERR_ATTR_MSG &&
	    mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0)
		*msg = mnl_attr_get_str(attr);
	return MNL_CB_OK;
}

/* The kernel's error text in an ack (NETLINK_EXT_ACK), or NULL. */
static const char *extack_msg(const struct nlmsghdr *nlh)
{
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	size_t off = sizeof(*e);
	const char *msg = NULL;

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return NULL;
	/* Without NLM_F_CAPPED the request is quoted before the TLVs. */
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED) &&
	    e->msg.nlmsg_len > MNL_NLMSG_HDRLEN)
		off += MNL_ALIGN(e->msg.nlmsg_len - MNL_NLMSG_HDRLEN);
	if (off >= mnl_nlmsg_get_payload_len(nlh))
		return NULL;
	mnl_attr_parse(nlh, (unsigned int)off, extack_attr, &msg);
	return msg;
}

/* Check one reply: it must ack the next request, or fail one. */
static int ack_check(struct nft_batch *b, const struct nlmsghdr *nlh,
		     uint32_t portid, int *acked, char *err, size_t errlen)
{
	uint32_t want = b->seq0 + 1 + (uint32_t)*acked;
	uint32_t seq = nlh->nlmsg_seq;
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	const char *msg;

	if (!mnl_nlmsg_portid_ok(nlh, portid)) {
		set_err(err, errlen, "netlink reply for port %u, ours is %u",
			nlh->nlmsg_pid, portid);
		return -EPROTO;
	}
	if (nlh->nlmsg_type != NLMSG_ERROR ||
	    nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*e)) || seq < b->seq0 ||
	    seq > batch_seq(b)) {
		set_err(err, errlen,
			"unexpected netlink reply (type %u, sequence number "
			"%u, batch %u-%u)",
			nlh->nlmsg_type, seq, b->seq0, batch_seq(b));
		return -EPROTO;
	}
	if (e->error < 0) {
		msg = extack_msg(nlh);
		set_err(err, errlen, "%s: %s%s%s", seq_desc(b, seq),
			strerror(-e->error), msg ? ": " : "", msg ? msg : "");
		return e->error;
	}
	if (e->error > 0 || seq != want) {
		set_err(err, errlen, "%s: out-of-order ack (seq %u, error %d)",
			seq_desc(b, want), seq, e->error);
		return -EPROTO;
	}
	(*acked)++;
	return 0;
}

/* Read until every request is acked or one failed. */
static int ack_read(struct nft_batch *b, struct mnl_socket *nl, char *err,
		    size_t errlen)
{
	uint32_t portid = mnl_socket_get_portid(nl);
	char *buf = malloc(NFT_RECV_SIZE);
	const struct nlmsghdr *nlh;
	int acked = 0, ret = 0, len;
	ssize_t n;

	if (!buf)
		return -ENOMEM;
	while (acked < b->count) {
		n = mnl_socket_recvfrom(nl, buf, NFT_RECV_SIZE);
		if (n < 0) {
			ret = errno == EAGAIN ? -ETIMEDOUT : -errno;
			set_err(err, errlen, "%s: waiting for ack: %s",
				seq_desc(b, b->seq0 + 1 + (uint32_t)acked),
				strerror(-ret));
			break;
		}
		len = (int)n;
		for (nlh = (const struct nlmsghdr *)buf;
		     !ret && mnl_nlmsg_ok(nlh, len);
		     nlh = mnl_nlmsg_next(nlh, &len))
			ret = ack_check(b, nlh, portid, &acked, err, errlen);
		if (ret)
			break;
	}
	free(buf);
	return ret;
}

/* Error text, short acks, a bounded wait, and a receive queue that holds
 * an ack for every request of a large batch. */
static int sock_setup(struct mnl_socket *nl, int count)
{
	struct timeval tv = {.tv_sec = NFT_ACK_TIMEOUT_S};
	int fd = mnl_socket_get_fd(nl);
	int one = 1, want = count * NFT_ACK_ROOM, have;
	socklen_t len = sizeof(have);

	/* Linux 4.12 / 4.3; without them errors still arrive, only less
	 * informative, so their absence is not fatal. */
	if (mnl_socket_setsockopt(nl, NETLINK_EXT_ACK, &one, sizeof(one)))
		log_debug("nft: NETLINK_EXT_ACK: %s", strerror(errno));
	if (mnl_socket_setsockopt(nl, NETLINK_CAP_ACK, &one, sizeof(one)))
		log_debug("nft: NETLINK_CAP_ACK: %s", strerror(errno));
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) ||
	    getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &have, &len))
		return -errno;
	/* SO_RCVBUF is capped by rmem_max; FORCE needs CAP_NET_ADMIN,
	 * which loading rules needs anyway. */
	if (want > have &&
	    setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &want, sizeof(want)) &&
	    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &want, sizeof(want)))
		return -errno;
	return 0;
}

int nft_batch_send(struct nft_batch *b, char *err, size_t errlen)
{
	struct mnl_socket *nl = NULL;
	const char *what = NULL;
	ssize_t n;
	int ret;

	set_err(err, errlen, "%s", "");
	if (b->sent) {
		set_err(err, errlen, "nftables batch was already sent");
		return -EALREADY;
	}
	nft_batch_end(b);
	b->sent = true;
	if (!b->count)
		return 0;

	nl = mnl_socket_open2(NETLINK_NETFILTER, SOCK_CLOEXEC);
	if (!nl) {
		ret = -errno;
		what = "netfilter netlink socket";
		goto out;
	}
	ret = sock_setup(nl, b->count);
	if (ret) {
		what = "netfilter netlink socket options";
		goto out;
	}
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		ret = -errno;
		what = "binding netfilter netlink socket";
		goto out;
	}
	/* The default wmem (208 KiB) always takes NFT_BATCH_MAX. */
	n = mnl_socket_sendto(nl, nft_batch_data(b), nft_batch_len(b));
	if (n < 0 || (size_t)n != nft_batch_len(b)) {
		ret = n < 0 ? -errno : -EIO;
		what = "sending nftables batch";
		goto out;
	}
	ret = ack_read(b, nl, err, errlen);
out:
	if (what)
		set_err(err, errlen, "%s: %s", what, strerror(-ret));
	if (nl)
		mnl_socket_close(nl);
	return ret;
}
