/* ct.h - conntrack over ctnetlink: an entry's messages, built and parsed
 * without I/O, and the talks that read entries. */
#ifndef NATLAB_CT_H
#define NATLAB_CT_H

#include <stddef.h>
#include <stdint.h>

struct netlink;
struct nlmsghdr;

/* A conntrack tuple.  For ICMP (proto IPPROTO_ICMP) there are no ports:
 * sport holds the query identifier and dport the message's type and code,
 * CT_ICMP(type, code) (an echo's original tuple is CT_ICMP(8, 0), its
 * reply tuple CT_ICMP(0, 0)), which ctnetlink carries as
 * CTA_PROTO_ICMP_ID, _TYPE and _CODE. */
struct ct_tuple {
	uint32_t src, dst; /* host order */
	uint16_t sport, dport;
	uint8_t proto;
};

#define CT_ICMP(type, code) ((uint16_t)((type) << 8 | (code)))

struct ct_entry {
	struct ct_tuple orig, reply;
	int state;	 /* TCP_CONNTRACK_*, -1 unknown */
	int32_t timeout; /* seconds left, -1 unknown */
	uint32_t status; /* IPS_* */
	char helper[16];
};

/**
 * ct_build_get() - an IPCTNL_MSG_CT_GET request for one entry by its
 * original tuple, into buf (at least MNL_SOCKET_BUFFER_SIZE bytes)
 * Return: its length.
 */
size_t ct_build_get(void *buf, uint32_t seq, const struct ct_tuple *t);

/**
 * ct_parse() - read a conntrack message (an answer to a GET, a dumped
 * entry, or an event) into @e
 * Return: 0, or -EINVAL if it is not a conntrack message with tuples.
 */
int ct_parse(const struct nlmsghdr *nlh, struct ct_entry *e);

/* The name of a TCP conntrack state (TCP_CONNTRACK_*), "?" if none. */
const char *ct_state_name(int state);

/**
 * ct_get() - the entry whose original tuple is @t, over @nl (a
 * NETLINK_NETFILTER socket in the entry's namespace)
 * Return: 0, -ENOENT if there is none, or -errno.
 */
int ct_get(struct netlink *nl, const struct ct_tuple *t, struct ct_entry *e);

/**
 * ct_count() - the live entries of the current namespace: a dump, which
 * leaves out entries that have expired but not yet been collected
 * Return: the count, or -errno.
 */
long ct_count(void);

#endif
