/* ct.c - conntrack over ctnetlink: an entry's messages, built and parsed
 * without I/O, and the talks that read entries. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <linux/netfilter/nf_conntrack_tcp.h>

#include <libmnl/libmnl.h>

#include "lib/ct.h"
#include "lib/netlink.h"
#include "lib/util.h"

size_t ct_build_get(void *buf, uint32_t seq, const struct ct_tuple *t)
{
	struct nlmsghdr *nlh =
		netlink_nfnl_hdr(buf, NFNL_SUBSYS_CTNETLINK, IPCTNL_MSG_CT_GET,
				 NLM_F_ACK, seq, AF_INET, 0);
	struct nlattr *orig, *nest;

	orig = mnl_attr_nest_start(nlh, CTA_TUPLE_ORIG);
	nest = mnl_attr_nest_start(nlh, CTA_TUPLE_IP);
	mnl_attr_put_u32(nlh, CTA_IP_V4_SRC, htonl(t->src));
	mnl_attr_put_u32(nlh, CTA_IP_V4_DST, htonl(t->dst));
	mnl_attr_nest_end(nlh, nest);
	nest = mnl_attr_nest_start(nlh, CTA_TUPLE_PROTO);
	mnl_attr_put_u8(nlh, CTA_PROTO_NUM, t->proto);
	if (t->proto == IPPROTO_ICMP) {
		/* ctnetlink_parse_tuple_proto() wants all three for ICMP
		 * (icmp_nlattr_to_tuple(): -EINVAL if one is missing). */
		mnl_attr_put_u16(nlh, CTA_PROTO_ICMP_ID, htons(t->sport));
		mnl_attr_put_u8(nlh, CTA_PROTO_ICMP_TYPE,
				(uint8_t)(t->dport >> 8));
		mnl_attr_put_u8(nlh, CTA_PROTO_ICMP_CODE, (uint8_t)t->dport);
	} else {
		mnl_attr_put_u16(nlh, CTA_PROTO_SRC_PORT, htons(t->sport));
		mnl_attr_put_u16(nlh, CTA_PROTO_DST_PORT, htons(t->dport));
	}
	mnl_attr_nest_end(nlh, nest);
	mnl_attr_nest_end(nlh, orig);
	return nlh->nlmsg_len;
}

static int ct_parse_tuple(const struct nlattr *nest, struct ct_tuple *t)
{
	const struct nlattr *a, *b;
	int have = 0;

	mnl_attr_for_each_nested(a, nest)
	{
		switch (mnl_attr_get_type(a)) {
		case CTA_TUPLE_IP:
			mnl_attr_for_each_nested(b, a)
			{
				if (mnl_attr_validate(b, MNL_TYPE_U32) < 0)
					continue;
				if (mnl_attr_get_type(b) == CTA_IP_V4_SRC)
					t->src = ntohl(mnl_attr_get_u32(b));
				else if (mnl_attr_get_type(b) == CTA_IP_V4_DST)
					t->dst = ntohl(mnl_attr_get_u32(b));
				have |= 1;
			}
			break;
		case CTA_TUPLE_PROTO:
			mnl_attr_for_each_nested(b, a)
			{
				switch (mnl_attr_get_type(b)) {
				case CTA_PROTO_NUM:
					if (mnl_attr_validate(b, MNL_TYPE_U8) <
					    0)
						break;
					t->proto = mnl_attr_get_u8(b);
					have |= 2;
					break;
				case CTA_PROTO_SRC_PORT:
				case CTA_PROTO_ICMP_ID:
					if (mnl_attr_validate(b, MNL_TYPE_U16) <
					    0)
						break;
					t->sport = ntohs(mnl_attr_get_u16(b));
					break;
				case CTA_PROTO_ICMP_TYPE:
				case CTA_PROTO_ICMP_CODE:
					if (mnl_attr_validate(b, MNL_TYPE_U8) <
					    0)
						break;
					/* dport: CT_ICMP(type, code) */
					if (mnl_attr_get_type(b) ==
					    CTA_PROTO_ICMP_TYPE)
						t->dport =
							(uint16_t)((t->dport &
								    0xff) |
								   mnl_attr_get_u8(
									   b)
									   << 8);
					else
						t->dport =
							(uint16_t)((t->dport &
								    0xff00) |
								   mnl_attr_get_u8(
									   b));
					break;
				case CTA_PROTO_DST_PORT:
					if (mnl_attr_validate(b, MNL_TYPE_U16) <
					    0)
						break;
					t->dport = ntohs(mnl_attr_get_u16(b));
					break;
				}
			}
			break;
		}
	}
	return have == 3 ? 0 : -EINVAL;
}

static void ct_parse_protoinfo(const struct nlattr *nest, struct ct_entry *e)
{
	const struct nlattr *a, *b;

	mnl_attr_for_each_nested(a, nest)
	{
		if (mnl_attr_get_type(a) != CTA_PROTOINFO_TCP)
			continue;
		mnl_attr_for_each_nested(b, a)
		{
			if (mnl_attr_get_type(b) == CTA_PROTOINFO_TCP_STATE &&
			    mnl_attr_validate(b, MNL_TYPE_U8) == 0)
				e->state = mnl_attr_get_u8(b);
		}
	}
}

static void ct_parse_help(const struct nlattr *nest, struct ct_entry *e)
{
	const struct nlattr *a;

	mnl_attr_for_each_nested(a, nest)
	{
		if (mnl_attr_get_type(a) == CTA_HELP_NAME &&
		    mnl_attr_validate(a, MNL_TYPE_NUL_STRING) == 0)
			snprintf(e->helper, sizeof(e->helper), "%s",
				 mnl_attr_get_str(a));
	}
}

int ct_parse(const struct nlmsghdr *nlh, struct ct_entry *e)
{
	const struct nlattr *a;
	int have = 0;

	memset(e, 0, sizeof(*e));
	e->state = -1;
	e->timeout = -1;
	if ((nlh->nlmsg_type >> 8) != NFNL_SUBSYS_CTNETLINK ||
	    nlh->nlmsg_len < mnl_nlmsg_size(sizeof(struct nfgenmsg)))
		return -EINVAL;
	mnl_attr_for_each(a, nlh, sizeof(struct nfgenmsg))
	{
		switch (mnl_attr_get_type(a)) {
		case CTA_TUPLE_ORIG:
			if (!ct_parse_tuple(a, &e->orig))
				have |= 1;
			break;
		case CTA_TUPLE_REPLY:
			if (!ct_parse_tuple(a, &e->reply))
				have |= 2;
			break;
		case CTA_STATUS:
			if (mnl_attr_validate(a, MNL_TYPE_U32) == 0)
				e->status = ntohl(mnl_attr_get_u32(a));
			break;
		case CTA_TIMEOUT:
			if (mnl_attr_validate(a, MNL_TYPE_U32) == 0)
				e->timeout =
					(int32_t)ntohl(mnl_attr_get_u32(a));
			break;
		case CTA_PROTOINFO:
			ct_parse_protoinfo(a, e);
			break;
		case CTA_HELP:
			ct_parse_help(a, e);
			break;
		}
	}
	return have == 3 ? 0 : -EINVAL;
}

const char *ct_state_name(int state)
{
	static const char *const names[] = {
		[TCP_CONNTRACK_NONE] = "NONE",
		[TCP_CONNTRACK_SYN_SENT] = "SYN_SENT",
		[TCP_CONNTRACK_SYN_RECV] = "SYN_RECV",
		[TCP_CONNTRACK_ESTABLISHED] = "ESTABLISHED",
		[TCP_CONNTRACK_FIN_WAIT] = "FIN_WAIT",
		[TCP_CONNTRACK_CLOSE_WAIT] = "CLOSE_WAIT",
		[TCP_CONNTRACK_LAST_ACK] = "LAST_ACK",
		[TCP_CONNTRACK_TIME_WAIT] = "TIME_WAIT",
		[TCP_CONNTRACK_CLOSE] = "CLOSE",
		[TCP_CONNTRACK_SYN_SENT2] = "SYN_SENT2",
	};

	if (state < 0 || (size_t)state >= ARRAY_SIZE(names) || !names[state])
		return "?";
	return names[state];
}

struct ct_reply {
	struct ct_entry *e;
	int found;
};

static int ct_get_cb(const struct nlmsghdr *nlh, void *data)
{
	struct ct_reply *r = data;

	if (ct_parse(nlh, r->e) == 0)
		r->found = 1;
	return MNL_CB_OK;
}

int ct_get(struct netlink *nl, const struct ct_tuple *t, struct ct_entry *e)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct ct_reply r = {e, 0};
	size_t len;
	int err;

	memset(e, 0, sizeof(*e));
	e->state = -1;
	e->timeout = -1;
	len = ct_build_get(buf, netlink_next_seq(nl), t);
	err = netlink_talk(nl, buf, len, 1, ct_get_cb, &r);
	if (err)
		return err;
	return r.found ? 0 : -ENOENT;
}

static int ct_count_cb(const struct nlmsghdr *nlh, void *data)
{
	(*(long *)data)++;
	return MNL_CB_OK;
}

long ct_count(void)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct netlink nl;
	struct nlmsghdr *nlh;
	long n = 0;
	int err;

	err = netlink_open(&nl, NETLINK_NETFILTER);
	if (err)
		return err;
	nlh = netlink_nfnl_hdr(buf, NFNL_SUBSYS_CTNETLINK, IPCTNL_MSG_CT_GET,
			       NLM_F_DUMP, netlink_next_seq(&nl), AF_INET, 0);
	err = netlink_talk(&nl, nlh, nlh->nlmsg_len, 1, ct_count_cb, &n);
	netlink_close(&nl);
	return err ? err : n;
}
