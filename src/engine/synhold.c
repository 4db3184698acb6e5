/* synhold.c - RFC 5382 REQ-4: unsolicited SYNs held 6 s, then ICMP. */

/*
 * REQ-4 of RFC 5382: a NAT must not answer an unsolicited inbound SYN for
 * at least 6 seconds; if an outbound SYN for that connection is
 * translated meanwhile (TCP hole punching) the inbound SYN is dropped
 * silently, otherwise the NAT should send ICMP port unreachable for it.
 *
 * The nat = rfc gateway drops inbound SYNs that no mapping takes, and its
 * drop rule copies each to NFLOG group SYNHOLD_GROUP.  The full-cone
 * keeper (fullcone.c) reads them, holds them here, removes one when a
 * conntrack NEW event shows the outbound SYN of the same connection, and
 * answers the rest when they are due.  This file is the table and the
 * messages, without I/O: unit tested without root.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_log.h>

#include <libmnl/libmnl.h>

#include "engine/synhold.h"
#include "lib/netlink.h"
#include "lib/pkt.h"
#include "lib/util.h"

int synhold_parse(const uint8_t *ip, size_t len, struct synhold_syn *s)
{
	size_t ihl;
	uint16_t frag;
	uint8_t flags;

	if (len < 20 || ip[0] >> 4 != 4)
		return -EINVAL;
	ihl = (size_t)(ip[0] & 0xf) * 4;
	memcpy(&frag, ip + 6, 2);
	if (ihl < 20 || ip[9] != IPPROTO_TCP || (ntohs(frag) & 0x1fff) ||
	    len < ihl + 14)
		return -EINVAL;
	flags = ip[ihl + 13];
	if (!(flags & 0x02) || (flags & 0x10)) /* SYN, no ACK */
		return -EINVAL;
	memset(s, 0, sizeof(*s));
	memcpy(&s->src, ip + 12, 4);
	s->src = ntohl(s->src);
	s->sport = (uint16_t)(ip[ihl] << 8 | ip[ihl + 1]);
	s->dport = (uint16_t)(ip[ihl + 2] << 8 | ip[ihl + 3]);
	s->qlen = (uint8_t)(ihl + 8);
	memcpy(s->quote, ip, s->qlen);
	return 0;
}

static int find(const struct synhold *h, uint32_t src, uint16_t sport,
		uint16_t dport)
{
	int i;

	for (i = 0; i < h->n; i++)
		if (h->v[i].src == src && h->v[i].sport == sport &&
		    h->v[i].dport == dport)
			return i;
	return -1;
}

static void drop(struct synhold *h, int i)
{
	h->v[i] = h->v[--h->n];
}

int synhold_add(struct synhold *h, const struct synhold_syn *s, uint64_t now_ms)
{
	if (find(h, s->src, s->sport, s->dport) >= 0)
		return 0;
	if (h->n == SYNHOLD_MAX) {
		h->c.overflow++;
		return -ENOSPC;
	}
	h->v[h->n] = *s;
	h->v[h->n].due_ms = now_ms + SYNHOLD_MS;
	h->n++;
	h->c.held++;
	return 1;
}

int synhold_punch(struct synhold *h, uint32_t src, uint16_t sport,
		  uint16_t dport)
{
	int i = find(h, src, sport, dport);

	if (i < 0)
		return 0;
	drop(h, i);
	h->c.punched++;
	return 1;
}

int synhold_next_due(const struct synhold *h, uint64_t now_ms)
{
	uint64_t first = UINT64_MAX;
	int i;

	for (i = 0; i < h->n; i++)
		if (h->v[i].due_ms < first)
			first = h->v[i].due_ms;
	if (first == UINT64_MAX)
		return -1;
	return first <= now_ms ? 0 : (int)(first - now_ms);
}

int synhold_take_due(struct synhold *h, uint64_t now_ms,
		     struct synhold_syn *out)
{
	int i;

	for (i = 0; i < h->n; i++) {
		if (h->v[i].due_ms <= now_ms) {
			*out = h->v[i];
			drop(h, i);
			h->c.icmp_sent++;
			return 1;
		}
	}
	return 0;
}

size_t synhold_icmp(const struct synhold_syn *s, uint8_t *buf, size_t len)
{
	return pkt_icmp_unreach(buf, len, s->quote, s->qlen);
}

static struct nlmsghdr *config_msg(char *buf, uint32_t seq)
{
	return netlink_nfnl_hdr(buf, NFNL_SUBSYS_ULOG, NFULNL_MSG_CONFIG,
				NLM_F_ACK, seq, AF_UNSPEC, SYNHOLD_GROUP);
}

size_t synhold_nflog_config(void *buf, uint32_t seq)
{
	struct nfulnl_msg_config_cmd cmd = {.command = NFULNL_CFG_CMD_BIND};
	struct nfulnl_msg_config_mode mode = {
		.copy_range = htonl(SYNHOLD_QUOTE_MAX + 40),
		.copy_mode = NFULNL_COPY_PACKET,
	};
	struct nlmsghdr *a, *b;

	a = config_msg(buf, seq);
	mnl_attr_put(a, NFULA_CFG_CMD, sizeof(cmd), &cmd);
	b = config_msg((char *)buf + a->nlmsg_len, seq + 1);
	mnl_attr_put(b, NFULA_CFG_MODE, sizeof(mode), &mode);
	mnl_attr_put_u32(b, NFULA_CFG_QTHRESH, htonl(1));
	return a->nlmsg_len + b->nlmsg_len;
}

static int payload_attr(const struct nlattr *a, void *data)
{
	const struct nlattr **out = data;

	if (mnl_attr_get_type(a) == NFULA_PAYLOAD)
		*out = a;
	return MNL_CB_OK;
}

int synhold_nflog_payload(const struct nlmsghdr *nlh, const uint8_t **data,
			  size_t *len)
{
	const struct nlattr *p = NULL;

	if (nlh->nlmsg_type != ((NFNL_SUBSYS_ULOG << 8) | NFULNL_MSG_PACKET) ||
	    nlh->nlmsg_len < mnl_nlmsg_size(sizeof(struct nfgenmsg)))
		return -EINVAL;
	mnl_attr_parse(nlh, sizeof(struct nfgenmsg), payload_attr, &p);
	if (!p)
		return -EINVAL;
	*data = mnl_attr_get_payload(p);
	*len = mnl_attr_get_payload_len(p);
	return 0;
}
