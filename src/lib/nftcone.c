/* nftcone.c - the full-cone gateway: its maps, chains and rules, the
 * mappings the keeper adds, and the query for one mapping. */

/*
 * Theory of operation
 *
 * nft_fullcone(), in the gateway, turns masquerade into endpoint-
 * independent mapping and filtering.  Two maps, filled at run time from
 * conntrack events by nft_fullcone_map():
 *
 *   rfc_eim  internal address . port : external port
 *   rfc_eif  external port : internal address . port
 *
 * for TCP, and rfc_eim_udp and rfc_eif_udp for UDP: a mapping is its
 * protocol's own (RFC 7857 sections 5 and 6: neither mapping nor
 * filtering carries over from one protocol to another).  Every rule
 * below is made once per protocol.
 *
 * prerouting (dstnat): a new connection to the external address whose
 * port is in rfc_eif is DNATed to the internal endpoint (filtering is
 * endpoint independent; from the inside it is a hairpin);
 * postrouting (srcnat - 1, before the lab's masquerade): an internal
 * endpoint with a mapping keeps it towards every destination; a new
 * one whose source port is already some other endpoint's external port
 * gets a random port (no port overlapping, which would make inbound
 * connections ambiguous); others fall through to the masquerade and
 * its port preservation.  Hairpinned connections (DNATed, going back
 * inside, from inside) get the same source mapping, so that the inner
 * host sees the peer's external address and port (RFC 5382 REQ-8a);
 * input: SYNs from outside to the gateway itself are dropped silently
 * (RFC 5382 REQ-4a) instead of drawing a RST from its TCP stack;
 * leak (filter, postrouting, after the source NAT): a packet leaving by
 * the outside interface with an inside source address was not
 * translated -- an ICMP error about a datagram no mapping covers, which
 * conntrack leaves alone -- and is dropped (RFC 5508 REQ-5).
 *
 * Like every ruleset builder (nftbuild.c), these only fill a batch or a
 * buffer and do no I/O: nft.c sends them, and the unit tests parse the
 * bytes back (test_rfc.c, test_nft.c).
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
#include <linux/netfilter/nf_conntrack_common.h>

#include <libnftnl/common.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>

#include "lib/nft.h"
#include "lib/nft_int.h"

#define FC_PRE	"rfc_pre"
#define FC_POST "rfc_post"
#define FC_LEAK "rfc_leak"

/* Expressions only this ruleset uses; 0 or -ENOMEM. */

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

/* map NAME { type KEY : DATA } */
static int put_map(struct nft_batch *b, const char *name, uint32_t id,
		   uint32_t key_type, uint32_t key_len, uint32_t data_type,
		   uint32_t data_len, const char *desc)
{
	struct nftnl_set *s = nftbuild_set(name, id, NFT_SET_MAP);

	if (!s)
		return -ENOMEM;
	nftnl_set_set_u32(s, NFTNL_SET_KEY_TYPE, key_type);
	nftnl_set_set_u32(s, NFTNL_SET_KEY_LEN, key_len);
	nftnl_set_set_u32(s, NFTNL_SET_DATA_TYPE, data_type);
	nftnl_set_set_u32(s, NFTNL_SET_DATA_LEN, data_len);
	return nftbuild_set_put(b, s, 0, desc);
}

/*
 * Registers.  A concatenation takes one 32-bit register per field, so
 * "ip saddr . tcp sport" lives in NFT_REG32_04 and _05 (128-bit register
 * 2), as nft lays it out; the external address is an immediate in
 * register 1.  A lookup in rfc_eim leaves the port in NFT_REG32_04; one
 * in rfc_eif leaves address . port in NFT_REG32_00 and _01.
 */

/* The source-mapping rules after a MATCH (wan: oifname; hairpin: oifname,
 * inside source, ct status dnat), which fc_match() adds. */
struct fc_rule_ctx {
	const struct nft_fullcone *fc;
	int hairpin;
	uint8_t proto; /* IPPROTO_TCP or IPPROTO_UDP */
};

/* The maps of a protocol, their set ids, and its name in rules. */
struct fc_maps {
	const char *eim, *eif, *name;
	uint32_t eim_id, eif_id;
};

static struct fc_maps fc_maps_of(uint8_t proto)
{
	if (proto == IPPROTO_UDP)
		return (struct fc_maps){NFT_FC_EIM_UDP, NFT_FC_EIF_UDP, "udp",
					NFT_SET_ID_FC_EIM_UDP,
					NFT_SET_ID_FC_EIF_UDP};
	return (struct fc_maps){NFT_FC_EIM, NFT_FC_EIF, "tcp",
				NFT_SET_ID_FC_EIM, NFT_SET_ID_FC_EIF};
}

static int fc_match(struct nftnl_rule *r, const struct fc_rule_ctx *x)
{
	uint32_t net = htonl(x->fc->in_net & x->fc->in_mask);
	uint32_t mask = htonl(x->fc->in_mask);
	uint32_t dnat = IPS_DST_NAT, zero = 0;

	if (!x->hairpin)
		return nftbuild_ifname(r, NFT_META_OIFNAME, x->fc->outside_if);
	if (nftbuild_ifname(r, NFT_META_OIFNAME, x->fc->inside_if) ||
	    nftbuild_nh(r, 12, 4, NFT_REG_1) ||
	    nftbuild_bitwise(r, NFT_REG_1, &mask, 4) ||
	    nftbuild_cmp(r, NFT_REG_1, NFT_CMP_EQ, &net, 4) ||
	    nftbuild_ct(r, NFT_CT_STATUS, NFT_REG_1) ||
	    nftbuild_bitwise(r, NFT_REG_1, &dnat, 4) ||
	    nftbuild_cmp(r, NFT_REG_1, NFT_CMP_NEQ, &zero, 4))
		return -ENOMEM;
	return 0;
}

static void fc_desc(char *buf, size_t len, const struct fc_rule_ctx *x,
		    const char *what)
{
	const char *pn = fc_maps_of(x->proto).name;
	char net[16], ext[16];
	struct in_addr a;

	a.s_addr = htonl(x->fc->in_net & x->fc->in_mask);
	inet_ntop(AF_INET, &a, net, sizeof(net));
	a.s_addr = htonl(x->fc->ext_addr);
	inet_ntop(AF_INET, &a, ext, sizeof(ext));
	if (x->hairpin)
		snprintf(buf, len,
			 "rule %s: oifname \"%s\" ip saddr %s/%d ct status "
			 "dnat meta l4proto %s %s%s",
			 FC_POST, x->fc->inside_if, net,
			 __builtin_popcount(x->fc->in_mask), pn, what, ext);
	else
		snprintf(buf, len,
			 "rule %s: oifname \"%s\" meta l4proto %s %s%s",
			 FC_POST, x->fc->outside_if, pn, what, ext);
}

/* 1: a mapped endpoint keeps its port; 2: a source port that is some
 * other endpoint's external port gets a random one; 3 (hairpin only):
 * the rest keep their port where they can. */
static int fc_post_rules(struct nft_batch *b, const struct fc_rule_ctx *x)
{
	uint32_t ext = htonl(x->fc->ext_addr);
	struct fc_maps m = fc_maps_of(x->proto);
	struct nftnl_rule *r;
	char desc[256], what[128];
	int err, step;

	for (step = 1; step <= (x->hairpin ? 3 : 2); step++) {
		r = nftbuild_rule(FC_POST);
		if (!r)
			return -ENOMEM;
		err = fc_match(r, x);
		if (!err)
			err = nftbuild_l4proto(r, x->proto);
		if (!err && step == 1 &&
		    (nftbuild_counter(r) ||
		     nftbuild_immediate(r, NFT_REG_1, &ext, 4) ||
		     nftbuild_nh(r, 12, 4, NFT_REG32_04) ||
		     nftbuild_th(r, 0, 2, NFT_REG32_05) ||
		     nftbuild_lookup(r, NFT_REG32_04, m.eim, m.eim_id,
				     NFT_REG32_04) ||
		     nftbuild_nat(r, NFT_NAT_SNAT, NFT_REG_1, NFT_REG32_04, 0)))
			err = -ENOMEM;
		if (!err && step == 2 &&
		    (nftbuild_th(r, 0, 2, NFT_REG_1) ||
		     nftbuild_lookup(r, NFT_REG_1, m.eif, m.eif_id, 0) ||
		     nftbuild_counter(r) ||
		     nftbuild_immediate(r, NFT_REG_1, &ext, 4) ||
		     nftbuild_nat(r, NFT_NAT_SNAT, NFT_REG_1, 0,
				  NF_NAT_RANGE_PROTO_RANDOM)))
			err = -ENOMEM;
		if (!err && step == 3 &&
		    (nftbuild_counter(r) ||
		     nftbuild_immediate(r, NFT_REG_1, &ext, 4) ||
		     nftbuild_nat(r, NFT_NAT_SNAT, NFT_REG_1, 0, 0)))
			err = -ENOMEM;
		if (step == 1)
			snprintf(what, sizeof(what),
				 "counter snat to ip saddr . %s sport map @%s "
				 "at ",
				 m.name, m.eim);
		else if (step == 2)
			snprintf(what, sizeof(what),
				 "%s sport @%s counter snat random to ", m.name,
				 m.eif);
		else
			snprintf(what, sizeof(what), "counter snat to ");
		fc_desc(desc, sizeof(desc), x, what);
		err = nftbuild_rule_put(b, r, err, desc);
		if (err)
			return err;
	}
	return 0;
}

/* ip daddr EXT meta l4proto P counter dnat to P dport map @(P's eif) */
static int fc_pre_rule(struct nft_batch *b, const struct nft_fullcone *fc,
		       uint8_t proto)
{
	struct fc_maps m = fc_maps_of(proto);
	uint32_t ext = htonl(fc->ext_addr);
	struct nftnl_rule *r = nftbuild_rule(FC_PRE);
	char desc[128], a[16];
	struct in_addr in = {.s_addr = ext};
	int err = 0;

	if (!r)
		return -ENOMEM;
	if (nftbuild_nh(r, 16, 4, NFT_REG_1) ||
	    nftbuild_cmp(r, NFT_REG_1, NFT_CMP_EQ, &ext, 4) ||
	    nftbuild_l4proto(r, proto) || nftbuild_counter(r) ||
	    nftbuild_th(r, 2, 2, NFT_REG_1) ||
	    nftbuild_lookup(r, NFT_REG_1, m.eif, m.eif_id, NFT_REG_1) ||
	    nftbuild_nat(r, NFT_NAT_DNAT, NFT_REG_1, NFT_REG32_01, 0))
		err = -ENOMEM;
	inet_ntop(AF_INET, &in, a, sizeof(a));
	snprintf(desc, sizeof(desc),
		 "rule %s: ip daddr %s meta l4proto %s counter dnat to %s "
		 "dport map @%s",
		 FC_PRE, a, m.name, m.name, m.eif);
	return nftbuild_rule_put(b, r, err, desc);
}

/* iifname OUTSIDE tcp flags syn / syn,ack counter [log group G] drop */
static int fc_in_rule(struct nft_batch *b, const struct nft_fullcone *fc)
{
	struct nftnl_rule *r = nftbuild_rule(NFT_RFC_IN);
	char desc[160], log[64] = "";
	int err = 0;

	if (!r)
		return -ENOMEM;
	if (nftbuild_ifname(r, NFT_META_IIFNAME, fc->outside_if) ||
	    nftbuild_l4proto(r, IPPROTO_TCP) || nftbuild_pure_syn(r) ||
	    nftbuild_counter(r) ||
	    (fc->log_group && add_log(r, fc->log_group, NFT_FC_LOG_SNAPLEN)) ||
	    nftbuild_verdict(r, NF_DROP))
		err = -ENOMEM;
	if (fc->log_group)
		snprintf(log, sizeof(log),
			 " log group %u snaplen %u queue-threshold 1",
			 (unsigned int)fc->log_group, NFT_FC_LOG_SNAPLEN);
	snprintf(desc, sizeof(desc),
		 "rule %s: iifname \"%s\" tcp flags syn / syn,ack counter%s "
		 "drop",
		 NFT_RFC_IN, fc->outside_if, log);
	return nftbuild_rule_put(b, r, err, desc);
}

/* A protocol's two maps. */
static int fc_put_maps(struct nft_batch *b, uint8_t proto)
{
	struct fc_maps m = fc_maps_of(proto);
	char desc[2][96];
	int err;

	snprintf(desc[0], sizeof(desc[0]),
		 "map %s (ipv4_addr . inet_service : inet_service)", m.eim);
	snprintf(desc[1], sizeof(desc[1]),
		 "map %s (inet_service : ipv4_addr . inet_service)", m.eif);
	err = put_map(b, m.eim, m.eim_id,
		      NFT_TYPE_CONCAT(NFT_TYPE_IPADDR, NFT_TYPE_INET_SERVICE),
		      8, NFT_TYPE_INET_SERVICE, 2, desc[0]);
	if (!err)
		err = put_map(
			b, m.eif, m.eif_id, NFT_TYPE_INET_SERVICE, 2,
			NFT_TYPE_CONCAT(NFT_TYPE_IPADDR, NFT_TYPE_INET_SERVICE),
			8, desc[1]);
	return err;
}

static const uint8_t fc_protos[] = {IPPROTO_TCP, IPPROTO_UDP};

/* oifname OUTSIDE ip saddr IN_NET/MASK counter drop, after the source
 * NAT: what leaves untranslated. */
static int fc_leak_rule(struct nft_batch *b, const struct nft_fullcone *fc)
{
	uint32_t net = htonl(fc->in_net & fc->in_mask);
	uint32_t mask = htonl(fc->in_mask);
	struct nftnl_rule *r = nftbuild_rule(FC_LEAK);
	char desc[160], a[16];
	struct in_addr in = {.s_addr = net};
	int err = 0;

	if (!r)
		return -ENOMEM;
	if (nftbuild_ifname(r, NFT_META_OIFNAME, fc->outside_if) ||
	    nftbuild_nh(r, 12, 4, NFT_REG_1) ||
	    nftbuild_bitwise(r, NFT_REG_1, &mask, 4) ||
	    nftbuild_cmp(r, NFT_REG_1, NFT_CMP_EQ, &net, 4) ||
	    nftbuild_counter(r) || nftbuild_verdict(r, NF_DROP))
		err = -ENOMEM;
	inet_ntop(AF_INET, &in, a, sizeof(a));
	snprintf(desc, sizeof(desc),
		 "rule %s: oifname \"%s\" ip saddr %s/%d counter drop", FC_LEAK,
		 fc->outside_if, a, __builtin_popcount(fc->in_mask));
	return nftbuild_rule_put(b, r, err, desc);
}

int nft_fullcone(struct nft_batch *b, const struct nft_fullcone *fc)
{
	size_t mark_len = nft_batch_len(b);
	int mark_count = nft_batch_count(b), err;
	size_t i;

	if (batch_ended(b))
		return -EINVAL;
	if (!fc->inside_if || !fc->outside_if ||
	    strlen(fc->inside_if) >= IFNAMSIZ ||
	    strlen(fc->outside_if) >= IFNAMSIZ || !fc->ext_addr)
		return -EINVAL;
	err = nftbuild_table(b);
	for (i = 0; !err && i < sizeof(fc_protos); i++)
		err = fc_put_maps(b, fc_protos[i]);
	if (!err)
		err = nftbuild_chain(b, FC_PRE, "nat", NF_INET_PRE_ROUTING,
				     NF_IP_PRI_NAT_DST,
				     "chain " FC_PRE
				     " (nat, prerouting, priority -100)");
	for (i = 0; !err && i < sizeof(fc_protos); i++)
		err = fc_pre_rule(b, fc, fc_protos[i]);
	if (!err)
		err = nftbuild_chain(b, FC_POST, "nat", NF_INET_POST_ROUTING,
				     NF_IP_PRI_NAT_SRC - 1,
				     "chain " FC_POST
				     " (nat, postrouting, priority 99)");
	for (i = 0; !err && i < sizeof(fc_protos); i++) {
		struct fc_rule_ctx wan = {fc, 0, fc_protos[i]};
		struct fc_rule_ctx hairpin = {fc, 1, fc_protos[i]};

		err = fc_post_rules(b, &wan);
		if (!err)
			err = fc_post_rules(b, &hairpin);
	}
	if (!err)
		err = nftbuild_chain(b, FC_LEAK, "filter", NF_INET_POST_ROUTING,
				     NF_IP_PRI_NAT_SRC + 200,
				     "chain " FC_LEAK
				     " (filter, postrouting, priority 300)");
	if (!err)
		err = fc_leak_rule(b, fc);
	if (!err && fc->drop_unsolicited)
		err = nftbuild_chain(b, NFT_RFC_IN, "filter", NF_INET_LOCAL_IN,
				     NF_IP_PRI_FILTER,
				     "chain " NFT_RFC_IN
				     " (filter, input, priority 0)");
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

int nft_fullcone_map(struct nft_batch *b, int add, uint8_t proto,
		     uint32_t int_addr, uint16_t int_port, uint16_t ext_port)
{
	struct fc_maps m = fc_maps_of(proto);
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
		const char *name = i ? m.eif : m.eim;

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

size_t nft_fullcone_has_req(void *buf, uint32_t seq, uint8_t proto,
			    uint32_t int_addr, uint16_t int_port)
{
	struct nftnl_set *set = nftnl_set_alloc();
	struct nftnl_set_elem *e = nftnl_set_elem_alloc();
	struct nlmsghdr *nlh;
	uint8_t endpoint[8];
	size_t len = 0;

	if (!set || !e || nftnl_set_set_str(set, NFTNL_SET_TABLE, NFT_TABLE) ||
	    nftnl_set_set_str(set, NFTNL_SET_NAME, fc_maps_of(proto).eim)) {
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
