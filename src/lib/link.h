/* link.h - links, addresses and routes over rtnetlink (libnl-route). */
#ifndef NATLAB_LINK_H
#define NATLAB_LINK_H

#include <stdint.h>

struct nl_sock;

/* An rtnetlink socket bound in one namespace, with the kernel's error
 * text (NETLINK_EXT_ACK) of the last failed request. */
struct link_sock {
	struct nl_sock *sk;
	int err;       /* -errno of the last failed request */
	char msg[256]; /* kernel's text for it, "" if none */
};

/**
 * link_sock_open() - open an rtnetlink socket in the current namespace
 * Return: 0 or -errno.
 */
int link_sock_open(struct link_sock *ls);
void link_sock_close(struct link_sock *ls);

/* ": kernel text" for the last error, or "" (for log messages). */
const char *link_sock_why(const struct link_sock *ls);

/**
 * link_add_bridge() - create a bridge, up, with the given ifindex
 * Return: 0 or -errno.
 */
int link_add_bridge(struct link_sock *ls, const char *name, int ifindex);

/* A veth pair to create (link_add_veth()). */
struct link_veth {
	const char *name; /* local end's name */
	int ifindex;	  /* local end's ifindex (0: kernel's choice) */
	int master;	  /* bridge to enslave the local end to (0: none) */
	const char *peer; /* peer's name */
	int peer_ns;	  /* fd of the namespace the peer is created in */
	int peer_index;	  /* ifindex the peer gets there (0: kernel's) */
	const uint8_t *peer_mac; /* its 6-byte address (NULL: random) */
};

/**
 * link_add_veth() - create a veth pair in one request
 * @ls: socket in the namespace of the local end
 * @v:  the pair
 *
 * The local end is created up; the peer is created directly in
 * @v->peer_ns (it never exists in any other namespace) and down: veth
 * refuses to open a peer before the pair is complete (-ENOTCONN, Linux
 * 6.18), so the caller sets it up afterwards, with link_set_up() from the
 * peer's side or link_set_master() when it joins a bridge.
 * Return: 0 or -errno.
 */
int link_add_veth(struct link_sock *ls, const struct link_veth *v);

/**
 * link_set_master() - enslave a link to a bridge and set it up, in one
 * request
 * Return: 0 or -errno.
 */
int link_set_master(struct link_sock *ls, int ifindex, int master);

/**
 * link_add_neigh() - add a permanent IPv4 neighbour entry
 * @addr: host order
 * @mac:  its 6-byte link-layer address
 *
 * Permanent entries are never resolved, never expire, and do not count
 * against the neighbour table's garbage-collection thresholds, which
 * every namespace shares (neigh_add() creates them exempt from gc).
 * Return: 0 or -errno.
 */
int link_add_neigh(struct link_sock *ls, int ifindex, uint32_t addr,
		   const uint8_t *mac);

/**
 * link_set_up() - set a link up
 * @quiet_ipv6: first set its IPv6 address generation mode to none, so that
 *              it gets no link-local address and sends no IPv6 at all
 * Return: 0 or -errno.
 */
int link_set_up(struct link_sock *ls, int ifindex, int quiet_ipv6);

/* Add a host-order IPv4 address/prefix to a link.  Return: 0 or -errno. */
int link_add_addr(struct link_sock *ls, int ifindex, uint32_t addr, int prefix);

/* Add a route to dst/prefix (host order) via gw.  Return: 0 or -errno. */
int link_add_route(struct link_sock *ls, int ifindex, uint32_t dst, int prefix,
		   uint32_t gw);

/* Add a default route via a host-order gateway.  Return: 0 or -errno. */
int link_add_default_route(struct link_sock *ls, int ifindex, uint32_t gw);

/* What status shows of one interface. */
struct link_info {
	char name[16];
	int ifindex;
	int up;	       /* administratively up */
	int carrier;   /* lower layer up */
	int running;   /* operationally up: the kernel has activated it */
	uint32_t addr; /* first IPv4 address, host order, 0 if none */
	int prefix;
	unsigned long long rx_packets, tx_packets;
};

/**
 * link_list() - the interfaces of the socket's namespace, loopback left out
 * Return: number found (at most @max) or -errno.
 */
int link_list(struct link_sock *ls, struct link_info *out, int max);

#endif
