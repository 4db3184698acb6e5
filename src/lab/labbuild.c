/* labbuild.c - the steps that build a lab: namespaces, the switch, the
 * nodes' links and settings, and the wait for its links to run. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/synhold.h"
#include "lab/lab.h"
#include "lab/lab_int.h"
#include "lib/link.h"
#include "lib/log.h"
#include "lib/netns.h"
#include "lib/nft.h"
#include "lib/sysctl.h"
#include "lib/util.h"

/*
 * Theory of operation.  Building goes in phases because that is what the
 * kernel does fastest: all namespaces first (opening each node's
 * rtnetlink socket while we are inside it), then all bridges and veth
 * pairs from the switch's socket, then each node's addresses, routes,
 * sysctls and nftables rules.  Node k's interface i gets ifindex 2 + i
 * (lo is 1), so no lookups are needed.  A namespace is recorded in the
 * state file before it is made and again once it exists (see lab.c), and
 * every step stops at its first error, leaving what exists to the
 * rollback.
 */

#define IF_FIRST 2 /* ifindex of a node's first interface; lo is 1 */

#define NS_THREADS_MAX 8 /* namespace threads, however many CPUs */

struct ns_worker {
	struct build *b;
	int first, stride;
	int err;
	pthread_t tid;
};

/* ---- namespaces ---- */

/*
 * A host clock needs the kernel's own clock without per-connection
 * offsets (tcp_timestamps = 2, Linux >= 4.10), and tsclock = off needs
 * 0.  Set while the namespace is made, from the thread already inside
 * it: for thousands of clients, entering each namespace again later
 * costs more than the rest of its configuration.  Explicit sysctls come
 * later (lab_node_settings()) and win.
 */
static int lab_clock_sysctl(const struct topo *t, const struct topo_node *n)
{
	const char *v = n->clock.mode == TOPO_TS_HOST ? "2" : "0";
	int err;

	if (n->clock.mode == TOPO_TS_KERNEL)
		return 0;
	err = sysctl_set("net.ipv4.tcp_timestamps", v);
	if (err)
		fprintf(stderr,
			"%s:%d: %s %s: tsclock = %s needs tcp_timestamps = "
			"%s: %s\n",
			t->file, n->clock.line, topo_kind_name(n->kind),
			n->name, topo_tsclock_name(n->clock.mode), v,
			strerror(-err));
	return err;
}

/* Create one namespace (node @i's, or the switch's for -1), record it,
 * open an rtnetlink socket in it and set its clock's sysctl; *@fd: its
 * descriptor if @keep, else LAB_NS_MADE once made. */
static int lab_make_ns(struct build *b, int i, struct link_sock *ls, int *fd,
		       int keep)
{
	const char *node = i < 0 ? NETNS_SWITCH : b->t->nodes[i].name;
	char name[NETNS_NAME_MAX];
	int err;

	netns_name(b->t->name, node, name, sizeof(name));
	err = state_append(&b->st, "making %s", name);
	if (err)
		return err;
	*fd = netns_add(name);
	if (*fd < 0) {
		err = *fd;
		if (err == -EEXIST)
			state_append(&b->st, "clash %s", name);
		log_errno(err, "cannot create namespace %s", name);
		return err;
	}
	err = state_append(&b->st, "made %s %lu", name, netns_inode(name));
	if (!err)
		err = link_sock_open(ls);
	if (err)
		log_errno(err, "namespace %s", name);
	if (!err && i >= 0)
		err = lab_clock_sysctl(b->t, &b->t->nodes[i]);
	netns_leave();
	/* A node's descriptor is opened again where needed, so a lab of N
	 * nodes builds with N descriptors open, not 2N (RLIMIT_NOFILE). */
	if (!keep) {
		close(*fd);
		*fd = LAB_NS_MADE;
	}
	return err;
}

/*
 * Namespace creation is a third of the cost of a big lab, and it scales
 * over cores: setup_net() runs under a shared lock, so one worker thread
 * per core creates its share (unshare() moves only the calling thread).
 * Link work all takes the RTNL lock; overlapping it with namespace
 * creation measured slower than doing the two one after the other (they
 * contend for RTNL), so the main thread waits for the workers first.
 */
static void *lab_ns_worker(void *arg)
{
	struct ns_worker *w = arg;
	struct build *b = w->b;
	int i, err = 0;

	for (i = w->first; i < b->t->nnodes; i += w->stride) {
		if (__atomic_load_n(&b->ns_failed, __ATOMIC_ACQUIRE))
			break;
		if (b->nsfd[i] != -1)
			continue; /* made before a fallback (see below) */
		err = lab_checkpoint(b);
		if (!err)
			err = lab_make_ns(b, i, &b->socks[i], &b->nsfd[i], 0);
		if (err) {
			__atomic_store_n(&b->ns_failed, 1, __ATOMIC_RELEASE);
			break;
		}
	}
	w->err = err;
	return NULL;
}

static int lab_join_namespaces(struct build *b)
{
	int i, err = 0;

	for (i = 0; i < b->nworkers; i++) {
		pthread_join(b->workers[i].tid, NULL);
		if (!err)
			err = b->workers[i].err;
	}
	b->nworkers = 0;
	return err;
}

static int lab_start_namespaces(struct build *b)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	int i, n, err;

	err = lab_make_ns(b, -1, &b->sw, &b->swfd, 1);
	if (err)
		return err;
	n = cpus < 1 ? 1 : cpus > NS_THREADS_MAX ? NS_THREADS_MAX : (int)cpus;
	for (i = 0; i < n; i++) {
		struct ns_worker *w = &b->workers[i];

		w->b = b;
		w->first = i;
		w->stride = n;
		w->err = 0;
		if (pthread_create(&w->tid, NULL, lab_ns_worker, w)) {
			err = -EAGAIN;
			break;
		}
		b->nworkers++;
	}
	if (!b->nworkers) {
		log_errno(err, "cannot start a thread");
		return err;
	}
	/* Fewer threads than planned: stop them, then do the rest here. */
	if (b->nworkers < n) {
		struct ns_worker *w = &b->workers[0];

		log_warn("only %d of %d threads started", b->nworkers, n);
		__atomic_store_n(&b->ns_failed, 1, __ATOMIC_RELEASE);
		err = lab_join_namespaces(b); /* a worker's own failure */
		if (err)
			return err;
		b->ns_failed = 0;
		w->first = 0;
		w->stride = 1;
		lab_ns_worker(w);
		return w->err;
	}
	return 0;
}

int lab_build_namespaces(struct build *b)
{
	int err, e;

	b->workers = xcalloc(NS_THREADS_MAX, sizeof(*b->workers));
	err = lab_start_namespaces(b);
	if (b->nworkers) {
		e = lab_join_namespaces(b);
		if (!err)
			err = e;
	}
	free(b->workers);
	b->workers = NULL;
	return err;
}

/* ---- the switch ---- */

/*
 * A network of more than TOPO_BRIDGE_PORTS interfaces (topo.h) is a tree
 * of bridges two levels deep: its first bridge, named for the network,
 * holds the first TOPO_BRIDGE_PORTS interfaces in node order and one veth
 * pair to each further bridge, which holds the next TOPO_BRIDGE_PORTS.
 * The further bridges and their pairs get fixed ifindexes right after
 * the networks' bridges (lab_switch_joins()), so the capture can leave
 * the pairs out by range.  Names carry a '.', which no node or network
 * name can: "lan.1" is lan's second bridge, "lan.1-a" the pair's end on
 * lan and "lan.1-b" its end on lan.1.  A network name too long for that
 * gives way to its index, with two dots so that it cannot meet a short
 * name: "n.3.1" for network 3.
 */

#define JOIN_IFS 3 /* per further bridge: it, its pair's two ends */

int lab_switch_joins(const struct topo *t, int *first)
{
	int i, n = 0;

	*first = IF_FIRST + t->nnets;
	for (i = 0; i < t->nnets; i++)
		n += JOIN_IFS * (topo_net_bridges(t, i, NULL) - 1);
	return n;
}

/* Name of network @net's bridge @s (s >= 1), with @suffix. */
static void lab_seg_name(const struct topo *t, int net, int s,
			 const char *suffix, char buf[64])
{
	const char *name = t->nets[net].name;

	if (strlen(name) + 3 + strlen(suffix) <= 15)
		snprintf(buf, 64, "%s.%d%s", name, s, suffix);
	else
		snprintf(buf, 64, "n.%d.%d%s", net, s, suffix);
}

/* The further bridges of network @net and the pairs that join them to its
 * first; @ifi: the next fixed ifindex, advanced.  Return: 0 or -errno. */
static int lab_net_joins(struct build *b, int net, int *ifi)
{
	const struct topo *t = b->t;
	char br[64], a[64], z[64]; /* IFNAMSIZ at most: see above */
	int s, nb = topo_net_bridges(t, net, NULL), err = 0;

	for (s = 1; !err && s < nb; s++, *ifi += JOIN_IFS) {
		struct link_veth v = {.name = a,
				      .ifindex = *ifi + 1,
				      .master = IF_FIRST + net,
				      .peer = z,
				      .peer_ns = b->swfd,
				      .peer_index = *ifi + 2};

		lab_seg_name(t, net, s, "", br);
		lab_seg_name(t, net, s, "-a", a);
		lab_seg_name(t, net, s, "-b", z);
		err = link_add_bridge(&b->sw, br, *ifi);
		if (!err)
			err = link_add_veth(&b->sw, &v);
		if (!err)
			err = link_set_master(&b->sw, *ifi + 2, *ifi);
		if (err)
			log_errno(err, "switch: bridge %s%s", br,
				  link_sock_why(&b->sw));
	}
	return err;
}

/* Switch-side name of a node's interface i. */
static void lab_sw_ifname(const struct topo_node *n, int i, char *buf)
{
	if (n->kind == TOPO_GATEWAY)
		snprintf(buf, 16, "%s-%s", n->name, i ? "out" : "in");
	else if (n->kind == TOPO_BALANCER)
		snprintf(buf, 16, "%s-%s", n->name, i ? "be" : "fe");
	else
		snprintf(buf, 16, "%s", n->name);
}

/* The link-layer address of node @i's interface @k: locally administered,
 * unique in the lab, known before the link exists (lab_node_neigh()). */
static void lab_node_mac(int i, int k, uint8_t mac[6])
{
	mac[0] = 0x02;
	mac[1] = 0x6e;
	mac[2] = (uint8_t)(i >> 16);
	mac[3] = (uint8_t)(i >> 8);
	mac[4] = (uint8_t)i;
	mac[5] = (uint8_t)k;
}

/* The switch namespace's own settings.  Return: 0 or -errno (logged). */
static int lab_switch_settings(struct build *b)
{
	int err;

	/* The switch carries only bridged IPv4; IPv6 on its ports would
	 * only flood every node with its own chatter.  Where br_netfilter
	 * is loaded, bridged frames would also go through the switch's
	 * (empty) IP hooks: a cost on every frame of the lab, and nothing
	 * there to apply. */
	err = netns_enter(b->swfd);
	if (!err)
		err = sysctl_set("net.ipv6.conf.default.disable_ipv6", "1");
	if (!err) {
		sysctl_set("net.bridge.bridge-nf-call-iptables", "0");
		sysctl_set("net.bridge.bridge-nf-call-ip6tables", "0");
		sysctl_set("net.bridge.bridge-nf-call-arptables", "0");
	}
	netns_leave();
	if (err)
		log_errno(err, "switch: cannot disable IPv6");
	return err;
}

/* Node @i's veth pairs, each on its network's bridge for the next port
 * there.  @ports: interfaces placed so far per network; @seg: per
 * network, the ifindex of its second bridge (see lab_net_joins()).
 * Return: 0 or -errno (logged). */
static int lab_node_ports(struct build *b, int i, int *ports, const int *seg)
{
	const struct topo_node *n = &b->t->nodes[i];
	int k, err = 0, nsfd = netns_open_node(b->t->name, n->name);
	char swname[16];
	uint8_t mac[6];

	if (nsfd < 0) {
		log_errno(nsfd, "node %s: namespace", n->name);
		return nsfd;
	}

	for (k = 0; !err && k < n->nifs; k++) {
		int net = n->ifs[k].net, s = ports[net]++ / TOPO_BRIDGE_PORTS;
		struct link_veth v = {.name = swname,
				      .master = IF_FIRST + net,
				      .peer = b->t->nets[net].name,
				      .peer_ns = nsfd,
				      .peer_index = IF_FIRST + k,
				      .peer_mac = mac};

		if (s) /* a further bridge */
			v.master = seg[net] + JOIN_IFS * (s - 1);
		lab_sw_ifname(n, k, swname);
		lab_node_mac(i, k, mac);
		err = link_add_veth(&b->sw, &v);
		if (err)
			log_errno(err, "node %s: veth %s/%s%s", n->name, swname,
				  v.peer, link_sock_why(&b->sw));
	}
	close(nsfd);
	return err;
}

int lab_build_switch(struct build *b)
{
	const struct topo *t = b->t;
	int i, ifi, *seg, *ports, err;

	err = lab_switch_settings(b);
	for (i = 0; !err && i < t->nnets; i++) {
		err = link_add_bridge(&b->sw, t->nets[i].name, IF_FIRST + i);
		if (err)
			log_errno(err, "switch: bridge %s%s", t->nets[i].name,
				  link_sock_why(&b->sw));
	}
	seg = xcalloc((size_t)t->nnets, sizeof(int));
	ports = xcalloc((size_t)t->nnets, sizeof(int));
	lab_switch_joins(t, &ifi);
	for (i = 0; !err && i < t->nnets; i++) {
		seg[i] = ifi;
		err = lab_net_joins(b, i, &ifi);
	}
	for (i = 0; !err && i < t->nnodes; i++) {
		err = lab_checkpoint(b);
		if (!err)
			err = lab_node_ports(b, i, ports, seg);
	}
	free(ports);
	free(seg);
	return err;
}

/* ---- the nodes ---- */

/*
 * A node and the router it takes as its default route know each other's
 * link-layer addresses from the start: permanent neighbour entries on
 * both sides, so neither ever sends an ARP request.  With thousands of
 * clients on one network each request would be flooded to every port of
 * it, and the dynamic entries would outgrow the neighbour table's
 * garbage-collection limit (gc_thresh3, 1024 by default), which every
 * namespace of the host shares; permanent entries are exempt from it.
 */
static int lab_node_neigh(struct build *b, int i, const char **what)
{
	const struct topo_node *n = &b->t->nodes[i], *m;
	struct link_sock *ls = &b->socks[i];
	int up = topo_uplink(n->kind), sv = topo_served(n->kind), k, err = 0;
	uint8_t mac[6];

	if (n->via >= 0) {
		const struct topo_node *via = &b->t->nodes[n->via];

		*what = "neighbour entry of its router";
		lab_node_mac(n->via, topo_served(via->kind), mac);
		err = link_add_neigh(ls, IF_FIRST + up,
				     via->ifs[topo_served(via->kind)].addr,
				     mac);
	}
	for (k = 0; !err && sv >= 0 && k < b->t->nnodes; k++) {
		m = &b->t->nodes[k];
		if (m->via != i)
			continue;
		*what = "neighbour entries of its network";
		lab_node_mac(k, topo_uplink(m->kind), mac);
		err = link_add_neigh(ls, IF_FIRST + sv,
				     m->ifs[topo_uplink(m->kind)].addr, mac);
	}
	return err;
}

static int lab_node_links(struct build *b, int i)
{
	const struct topo_node *n = &b->t->nodes[i];
	struct link_sock *ls = &b->socks[i];
	const char *what = "lo";
	int j, k, err;

	err = link_set_up(ls, 1, 0);
	for (k = 0; !err && k < n->nifs; k++) {
		const struct topo_net *net = &b->t->nets[n->ifs[k].net];

		/* addr_gen_mode none before up: the interface gets no IPv6
		 * link-local address, so it sends no DAD, RS or MLD. */
		what = net->name;
		err = link_set_up(ls, IF_FIRST + k, 1);
		if (!err)
			err = link_add_addr(ls, IF_FIRST + k, n->ifs[k].addr,
					    net->prefix);
	}
	if (!err && n->via >= 0) {
		const struct topo_node *via = &b->t->nodes[n->via];

		what = "default route";
		err = link_add_default_route(
			ls, IF_FIRST + topo_uplink(n->kind),
			via->ifs[topo_served(via->kind)].addr);
	}
	if (!err)
		err = lab_node_neigh(b, i, &what);
	/* A gateway that does not translate is a router: the nodes on its
	 * outside network reach its inside network through it. */
	for (j = 0; !err && j < b->nrouters; j++) {
		const struct topo_node *g = &b->t->nodes[b->routers[j]];
		const struct topo_net *in;
		int out = topo_uplink(n->kind);

		if (g == n || g->ifs[1].net != n->ifs[out].net ||
		    n->via == b->routers[j])
			continue;
		in = &b->t->nets[g->ifs[0].net];
		what = "route to a routed network";
		err = link_add_route(ls, IF_FIRST + out, in->addr, in->prefix,
				     g->ifs[1].addr);
	}
	if (err)
		log_errno(err, "node %s: %s%s", n->name, what,
			  link_sock_why(ls));
	return err;
}

static int lab_set_sysctl(const struct topo *t, const struct topo_node *n,
			  const char *prefix, const struct topo_kv *kv)
{
	char key[256];
	int err;

	snprintf(key, sizeof(key), "%s%s", prefix, kv->key);
	err = sysctl_set(key, kv->value);
	if (!err)
		return 0;
	fprintf(stderr, "%s:%d: node %s: cannot set %s = %s: %s\n", t->file,
		kv->line, n->name, key, kv->value,
		err == -ENOENT ? "no such setting in a network namespace"
			       : strerror(-err));
	/* The kernel refused what the file asked for: bad input. */
	return -EINVAL;
}

/* The topology's masquerade flags are the rule builder's. */
_Static_assert(TOPO_NAT_RANDOM == NFT_MASQ_RANDOM &&
		       TOPO_NAT_FULLY_RANDOM == NFT_MASQ_FULLY_RANDOM &&
		       TOPO_NAT_PERSISTENT == NFT_MASQ_PERSISTENT,
	       "masquerade flags");

static int lab_gateway_nat(struct build *b, const struct topo_node *n)
{
	const struct topo_net *out = &b->t->nets[n->ifs[1].net];
	const struct nft_masq masq = {
		.flags = n->nat.flags,
		.port_min = n->nat.port_min,
		.port_max = n->nat.port_max,
	};
	struct nft_batch *nb;
	char why[512] = "";
	int err;

	if (n->nat.mode == TOPO_NAT_NONE)
		return 0;
	nb = nft_batch_new();
	if (!nb)
		return -ENOMEM;
	err = nft_masquerade(nb, &masq, out->name);
	if (!err && n->nat.mode == TOPO_NAT_RFC) {
		const struct topo_net *in = &b->t->nets[n->ifs[0].net];
		struct nft_fullcone fc = {
			.inside_if = in->name,
			.outside_if = out->name,
			.ext_addr = n->ifs[1].addr,
			.in_net = in->addr,
			.in_mask = in->prefix ? ~0u << (32 - in->prefix) : 0,
			.drop_unsolicited = 1,
			/* the keeper holds them 6 s, then answers */
			.log_group = SYNHOLD_GROUP,
		};

		err = nft_fullcone(nb, &fc);
	}
	if (!err)
		err = nft_batch_send(nb, NULL, why, sizeof(why));
	if (err)
		fprintf(stderr, "%s:%d: gateway %s: nat: %s\n", b->t->file,
			n->nat.line ? n->nat.line : n->line, n->name,
			err == -ENOMEM || !why[0] ? strerror(-err) : why);
	nft_batch_free(nb);
	return err;
}

static int lab_node_settings(struct build *b, int i)
{
	const struct topo_node *n = &b->t->nodes[i];
	int k, err;

	err = netns_enter_node(b->t->name, n->name);
	if (err)
		return err;
	if (n->kind == TOPO_GATEWAY || n->kind == TOPO_BALANCER) {
		err = sysctl_set("net.ipv4.ip_forward", "1");
		if (err)
			log_errno(err, "%s %s: ip_forward",
				  topo_kind_name(n->kind), n->name);
		if (!err && n->kind == TOPO_GATEWAY)
			err = lab_gateway_nat(b, n);
		if (!err && n->kind == TOPO_BALANCER)
			err = lab_balancer_rules(b->t, n);
		for (k = 0; !err && k < n->nconntrack; k++)
			err = lab_set_sysctl(b->t, n,
					     "net.netfilter.nf_conntrack_",
					     &n->conntrack[k]);
	}
	for (k = 0; !err && k < n->nsysctls; k++)
		err = lab_set_sysctl(b->t, n, "", &n->sysctls[k]);
	netns_leave();
	return err;
}

int lab_build_nodes(struct build *b)
{
	int i, err = 0;

	/* the gateways that do not translate, once, not once per node */
	b->routers = xcalloc((size_t)b->t->nnodes, sizeof(int));
	b->nrouters = 0;
	for (i = 0; i < b->t->nnodes; i++)
		if (b->t->nodes[i].kind == TOPO_GATEWAY &&
		    b->t->nodes[i].nat.mode == TOPO_NAT_NONE)
			b->routers[b->nrouters++] = i;
	for (i = 0; !err && i < b->t->nnodes; i++) {
		err = lab_checkpoint(b);
		if (!err)
			err = lab_node_links(b, i);
		if (!err && (topo_served(b->t->nodes[i].kind) >= 0 ||
			     b->t->nodes[i].nsysctls))
			err = lab_node_settings(b, i);
	}
	free(b->routers);
	b->routers = NULL;
	return err;
}

/* ---- links running ---- */

/*
 * A link whose carrier just came up is not usable at once: the kernel
 * applies the change (and attaches the link's queueing discipline) from
 * its linkwatch work, up to a second later, and drops what is sent
 * before.  Wait until every link of the lab is running, so that the
 * first packets of a run are not lost to it.
 */
/* Whether a link of namespace @i (-1: the switch) is up and not yet
 * running. */
static int lab_links_pending(struct build *b, int i)
{
	struct link_sock *ls = i < 0 ? &b->sw : &b->socks[i];
	struct link_info li[8], *all = li;
	int k, n, max = 8, pending = 0;

	if (i < 0) { /* the switch: a port per interface, and the joins */
		max = 2 * b->t->nnodes + 4 * b->t->nnets + 8;
		all = xcalloc(max, sizeof(*all));
	}
	n = link_list(ls, all, max);
	for (k = 0; k < n; k++)
		if (all[k].up && !all[k].running)
			pending = 1;
	if (all != li)
		free(all);
	return pending;
}

/* Each namespace in turn, until its links run: one that runs stays so,
 * so every namespace is listed once, plus once per 20 ms it waits. */
int lab_build_wait(struct build *b)
{
	uint64_t deadline = util_now_ns() + 3000000000ull;
	int i = -1;

	while (i < b->t->nnodes) {
		if (!lab_links_pending(b, i)) {
			i++;
			continue;
		}
		if (util_now_ns() >= deadline) {
			log_warn("lab %s: some links were still not running "
				 "after 3 s",
				 b->t->name);
			return 0;
		}
		usleep(20000);
		if (util_stop)
			return -EINTR;
	}
	return 0;
}
