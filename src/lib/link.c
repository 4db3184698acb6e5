/* link.c - links, addresses and routes over rtnetlink (libnl-route). */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/link/inet6.h>
#include <netlink/route/link/veth.h>
#include <netlink/route/neighbour.h>
#include <netlink/route/route.h>

#include "lib/link.h"

#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK 11
#endif

/*
 * libnl reports failures as its own NLE_* codes and drops the kernel's
 * extended ack text.  We want -errno (the project's convention) and the
 * kernel's words, so an error callback on the socket keeps both.  With
 * NETLINK_CAP_ACK the request is not echoed, so the TLVs follow the
 * nlmsgerr header directly.
 */
static int link_err_cb(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg)
{
	struct nlmsghdr *h = (struct nlmsghdr *)((char *)e - NLMSG_HDRLEN);
	struct link_sock *ls = arg;
	struct nlattr *a;
	int rem;

	(void)nla;
	ls->err = e->error;
	ls->msg[0] = '\0';
	if (!(h->nlmsg_flags & NLM_F_ACK_TLVS))
		return NL_STOP;
	a = (struct nlattr *)((char *)e + NLMSG_ALIGN(sizeof(*e)));
	rem = (int)h->nlmsg_len - NLMSG_HDRLEN - NLMSG_ALIGN(sizeof(*e));
	for (; nla_ok(a, rem); a = nla_next(a, &rem)) {
		if (nla_type(a) == NLMSGERR_ATTR_MSG)
			snprintf(ls->msg, sizeof(ls->msg), "%.*s", nla_len(a),
				 (const char *)nla_data(a));
	}
	return NL_STOP;
}

int link_sock_open(struct link_sock *ls)
{
	int one = 1, err;

	memset(ls, 0, sizeof(*ls));
	ls->sk = nl_socket_alloc();
	if (!ls->sk)
		return -ENOMEM;
	err = nl_connect(ls->sk, NETLINK_ROUTE);
	if (err < 0) {
		nl_socket_free(ls->sk);
		ls->sk = NULL;
		return -EPROTO;
	}
	/* libnl opens its sockets with SOCK_CLOEXEC; turn on the error
	 * text and keep acks short. */
	setsockopt(nl_socket_get_fd(ls->sk), SOL_NETLINK, NETLINK_EXT_ACK, &one,
		   sizeof(one));
	setsockopt(nl_socket_get_fd(ls->sk), SOL_NETLINK, NETLINK_CAP_ACK, &one,
		   sizeof(one));
	nl_socket_modify_err_cb(ls->sk, NL_CB_CUSTOM, link_err_cb, ls);
	return 0;
}

void link_sock_close(struct link_sock *ls)
{
	if (ls->sk)
		nl_socket_free(ls->sk);
	ls->sk = NULL;
}

const char *link_sock_why(const struct link_sock *ls)
{
	static char buf[sizeof(ls->msg) + 3];

	if (!ls->msg[0])
		return "";
	snprintf(buf, sizeof(buf), ": %s", ls->msg);
	return buf;
}

/* Turn a libnl result into -errno, preferring what the kernel said. */
static int link_result(struct link_sock *ls, int nlerr)
{
	if (nlerr >= 0)
		return 0;
	if (ls->err < 0)
		return ls->err;
	ls->msg[0] = '\0';
	return nlerr == -NLE_NOMEM ? -ENOMEM : -EIO;
}

static void link_reset(struct link_sock *ls)
{
	ls->err = 0;
	ls->msg[0] = '\0';
}

/*
 * Bridges are created with multicast snooping off.  With it on, every port
 * that comes up makes the bridge re-run port state selection, which arms
 * multicast timers on every port: quadratic in the number of ports, and
 * most of the cost of attaching a thousand clients.  A lab's wire carries
 * no multicast that snooping would help with.  libnl 3.7 has no setter for
 * IFLA_BR_MCAST_SNOOPING, so this message is built by hand.
 */
int link_add_bridge(struct link_sock *ls, const char *name, int ifindex)
{
	struct ifinfomsg ifi = {
		.ifi_family = AF_UNSPEC,
		.ifi_index = ifindex,
		.ifi_flags = IFF_UP,
		.ifi_change = IFF_UP,
	};
	struct nlattr *info, *data;
	struct nl_msg *msg;
	int err = -ENOMEM;

	link_reset(ls);
	msg = nlmsg_alloc_simple(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
	if (!msg)
		return -ENOMEM;
	if (nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO) < 0 ||
	    nla_put_string(msg, IFLA_IFNAME, name) < 0)
		goto out;
	info = nla_nest_start(msg, IFLA_LINKINFO);
	if (!info || nla_put_string(msg, IFLA_INFO_KIND, "bridge") < 0)
		goto out;
	data = nla_nest_start(msg, IFLA_INFO_DATA);
	if (!data || nla_put_u8(msg, IFLA_BR_MCAST_SNOOPING, 0) < 0)
		goto out;
	nla_nest_end(msg, data);
	nla_nest_end(msg, info);
	err = link_result(ls, nl_send_sync(ls->sk, msg));
	msg = NULL; /* nl_send_sync() frees it */
out:
	nlmsg_free(msg);
	return err;
}

int link_add_veth(struct link_sock *ls, const struct link_veth *v)
{
	struct rtnl_link *l, *p;
	struct nl_addr *mac = NULL;
	int err = -ENOMEM;

	link_reset(ls);
	l = rtnl_link_veth_alloc();
	if (!l)
		return -ENOMEM;
	p = rtnl_link_veth_get_peer(l);
	rtnl_link_set_name(l, v->name);
	rtnl_link_set_flags(l, IFF_UP);
	if (v->ifindex)
		rtnl_link_set_ifindex(l, v->ifindex);
	if (v->master)
		rtnl_link_set_master(l, v->master);
	rtnl_link_set_name(p, v->peer);
	rtnl_link_set_ns_fd(p, v->peer_ns);
	if (v->peer_index)
		rtnl_link_set_ifindex(p, v->peer_index);
	if (v->peer_mac) {
		mac = nl_addr_build(AF_LLC, v->peer_mac, 6);
		if (!mac)
			goto out;
		rtnl_link_set_addr(p, mac);
	}
	err = link_result(ls,
			  rtnl_link_add(ls->sk, l, NLM_F_CREATE | NLM_F_EXCL));
out:
	if (mac)
		nl_addr_put(mac);
	rtnl_link_put(p);
	rtnl_link_veth_release(l);
	return err;
}

/* Change a link by index: RTM_NEWLINK without NLM_F_CREATE. */
static int link_change(struct link_sock *ls, struct rtnl_link *l)
{
	link_reset(ls);
	return link_result(ls, rtnl_link_change(ls->sk, l, l, 0));
}

int link_set_master(struct link_sock *ls, int ifindex, int master)
{
	struct rtnl_link *l;
	int err;

	l = rtnl_link_alloc();
	if (!l)
		return -ENOMEM;
	rtnl_link_set_ifindex(l, ifindex);
	rtnl_link_set_master(l, master);
	rtnl_link_set_flags(l, IFF_UP);
	err = link_change(ls, l);
	rtnl_link_put(l);
	return err;
}

/*
 * With quiet_ipv6, the link's IPv6 address generation mode is set to none
 * in a request of its own before the link goes up: in one request the
 * kernel applies IFF_UP first (do_setlink), so the link-local address
 * would already exist, and with it DAD, router solicitations and MLD
 * reports flooding the bridge.
 */
int link_set_up(struct link_sock *ls, int ifindex, int quiet_ipv6)
{
	struct rtnl_link *l;
	int err = 0;

	l = rtnl_link_alloc();
	if (!l)
		return -ENOMEM;
	rtnl_link_set_ifindex(l, ifindex);
	if (quiet_ipv6) {
		rtnl_link_inet6_set_addr_gen_mode(l, 1); /* none */
		err = link_change(ls, l);
		rtnl_link_put(l);
		l = rtnl_link_alloc();
		if (!l)
			return -ENOMEM;
		rtnl_link_set_ifindex(l, ifindex);
	}
	rtnl_link_set_flags(l, IFF_UP);
	if (!err)
		err = link_change(ls, l);
	rtnl_link_put(l);
	return err;
}

static struct nl_addr *link_nl_addr(uint32_t addr, int prefix)
{
	uint32_t be = htonl(addr);
	struct nl_addr *a = nl_addr_build(AF_INET, &be, sizeof(be));

	if (a)
		nl_addr_set_prefixlen(a, prefix);
	return a;
}

int link_add_addr(struct link_sock *ls, int ifindex, uint32_t addr, int prefix)
{
	struct rtnl_addr *ra;
	struct nl_addr *local;
	int err = -ENOMEM;

	link_reset(ls);
	ra = rtnl_addr_alloc();
	local = link_nl_addr(addr, prefix);
	if (!ra || !local)
		goto out;
	rtnl_addr_set_ifindex(ra, ifindex);
	rtnl_addr_set_local(ra, local);
	err = link_result(ls, rtnl_addr_add(ls->sk, ra, NLM_F_EXCL));
out:
	if (local)
		nl_addr_put(local);
	if (ra)
		rtnl_addr_put(ra);
	return err;
}

int link_add_neigh(struct link_sock *ls, int ifindex, uint32_t addr,
		   const uint8_t *mac)
{
	struct rtnl_neigh *ne;
	struct nl_addr *dst, *ll;
	int err = -ENOMEM;

	link_reset(ls);
	ne = rtnl_neigh_alloc();
	dst = link_nl_addr(addr, 32);
	ll = nl_addr_build(AF_LLC, mac, 6);
	if (!ne || !dst || !ll)
		goto out;
	rtnl_neigh_set_ifindex(ne, ifindex);
	rtnl_neigh_set_family(ne, AF_INET);
	rtnl_neigh_set_dst(ne, dst);
	rtnl_neigh_set_lladdr(ne, ll);
	rtnl_neigh_set_state(ne, NUD_PERMANENT);
	err = link_result(
		ls, rtnl_neigh_add(ls->sk, ne, NLM_F_CREATE | NLM_F_REPLACE));
out:
	if (ll)
		nl_addr_put(ll);
	if (dst)
		nl_addr_put(dst);
	if (ne)
		rtnl_neigh_put(ne);
	return err;
}

int link_add_default_route(struct link_sock *ls, int ifindex, uint32_t gw)
{
	return link_add_route(ls, ifindex, 0, 0, gw);
}

int link_add_route(struct link_sock *ls, int ifindex, uint32_t dst_addr,
		   int prefix, uint32_t gw)
{
	struct rtnl_nexthop *nh = NULL;
	struct nl_addr *dst, *via;
	struct rtnl_route *r;
	int err = -ENOMEM;

	link_reset(ls);
	r = rtnl_route_alloc();
	dst = link_nl_addr(dst_addr, prefix);
	via = link_nl_addr(gw, 32);
	if (!r || !dst || !via)
		goto out;
	nh = rtnl_route_nh_alloc();
	if (!nh)
		goto out;
	rtnl_route_set_family(r, AF_INET);
	rtnl_route_set_dst(r, dst);
	rtnl_route_set_protocol(r, RTPROT_STATIC);
	rtnl_route_nh_set_gateway(nh, via);
	rtnl_route_nh_set_ifindex(nh, ifindex);
	rtnl_route_add_nexthop(r, nh); /* the route owns it now */
	err = link_result(ls, rtnl_route_add(ls->sk, r, NLM_F_EXCL));
out:
	if (via)
		nl_addr_put(via);
	if (dst)
		nl_addr_put(dst);
	if (r)
		rtnl_route_put(r);
	return err;
}

int link_list(struct link_sock *ls, struct link_info *out, int max)
{
	struct nl_cache *links = NULL, *addrs = NULL;
	struct nl_object *o;
	int n = 0, err;

	link_reset(ls);
	err = rtnl_link_alloc_cache(ls->sk, AF_UNSPEC, &links);
	if (err < 0)
		return link_result(ls, err);
	err = rtnl_addr_alloc_cache(ls->sk, &addrs);
	if (err < 0) {
		nl_cache_free(links);
		return link_result(ls, err);
	}
	for (o = nl_cache_get_first(links); o && n < max;
	     o = nl_cache_get_next(o)) {
		struct rtnl_link *l = (struct rtnl_link *)o;
		struct link_info *li = &out[n];
		struct nl_object *ao;

		if (rtnl_link_get_flags(l) & IFF_LOOPBACK)
			continue;
		memset(li, 0, sizeof(*li));
		snprintf(li->name, sizeof(li->name), "%s",
			 rtnl_link_get_name(l));
		li->ifindex = rtnl_link_get_ifindex(l);
		li->up = !!(rtnl_link_get_flags(l) & IFF_UP);
		li->carrier =
			!!(rtnl_link_get_flags(l) & 0x10000 /* IFF_LOWER_UP */);
		li->running = !!(rtnl_link_get_flags(l) & IFF_RUNNING);
		li->rx_packets = rtnl_link_get_stat(l, RTNL_LINK_RX_PACKETS);
		li->tx_packets = rtnl_link_get_stat(l, RTNL_LINK_TX_PACKETS);
		for (ao = nl_cache_get_first(addrs); ao;
		     ao = nl_cache_get_next(ao)) {
			struct rtnl_addr *a = (struct rtnl_addr *)ao;
			struct nl_addr *local = rtnl_addr_get_local(a);
			uint32_t be;

			if (rtnl_addr_get_ifindex(a) != li->ifindex ||
			    rtnl_addr_get_family(a) != AF_INET || !local)
				continue;
			memcpy(&be, nl_addr_get_binary_addr(local), 4);
			li->addr = ntohl(be);
			li->prefix = rtnl_addr_get_prefixlen(a);
			break;
		}
		n++;
	}
	nl_cache_free(addrs);
	nl_cache_free(links);
	return n;
}
