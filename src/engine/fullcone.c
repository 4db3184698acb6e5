/* fullcone.c - the full-cone keeper of nat = rfc: conntrack events in,
 * nftables map elements out. */

/*
 * Theory of operation
 *
 * The keeper of a nat = rfc gateway is a thread of the lab's keeper
 * process (keeper.c), in the gateway's namespace.  It listens to
 * conntrack's NEW and DESTROY events (ctnetlink multicast, netlink.c) and
 * keeps two nftables maps of the gateway up to date (libnftnl batches,
 * nft_fullcone_map(), sent over one socket the thread keeps): internal
 * endpoint -> external port (the source
 * NAT reuses it towards every destination: endpoint-independent
 * mapping) and external port -> internal endpoint (new inbound
 * connections to it are DNATed: endpoint-independent filtering, and
 * hairpinning from inside).  A mapping lives while any connection that
 * uses it does (reference counts over NEW and DESTROY).
 *
 * It also answers unsolicited inbound SYNs as RFC 5382 REQ-4 prefers
 * (synhold.c): the gateway's drop rule copies them to an NFLOG group the
 * thread reads; each is held 6 s, dropped silently if a NEW event shows
 * the outbound SYN of its connection meanwhile, else answered with ICMP
 * port unreachable from a raw socket.
 *
 * Events are parsed by ct.c; the classification of an entry into
 * mappings (fullcone_classify()) does no I/O: unit tested without root.
 */
#include <errno.h>
#include <fcntl.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <linux/netfilter/nf_conntrack_tcp.h>

#include <libmnl/libmnl.h>

#include "engine/fullcone.h"
#include "engine/synhold.h"
#include "lib/ct.h"
#include "lib/log.h"
#include "lib/netlink.h"
#include "lib/netns.h"
#include "lib/nft.h"
#include "lib/util.h"

int fullcone_classify(const struct ct_entry *e, uint32_t ext, uint32_t net,
		      uint32_t mask, struct fullcone_map out[2])
{
	const struct ct_tuple *o = &e->orig, *r = &e->reply;
	int n = 0;

	if (o->proto != IPPROTO_TCP && o->proto != IPPROTO_UDP)
		return 0;
	/* From inside, source-NATed to the outside address: the mapping
	 * of its source. */
	if ((o->src & mask) == (net & mask) && r->dst == ext && o->src != ext) {
		out[n].int_addr = o->src;
		out[n].int_port = o->sport;
		out[n].ext_port = r->dport;
		out[n].proto = o->proto;
		n++;
	}
	/* To the outside address and sent inside (by the keeper's DNAT):
	 * the mapping of its destination. */
	if (o->dst == ext && (r->src & mask) == (net & mask) && r->src != ext) {
		out[n].int_addr = r->src;
		out[n].int_port = r->sport;
		out[n].ext_port = o->dport;
		out[n].proto = o->proto;
		n++;
	}
	return n;
}

/* ---- the keeper ---- */

#define FULLCONE_RCVBUF (4 << 20)

struct fullcone_entry {
	struct fullcone_map m;
	int refs;      /* connections that use it */
	int installed; /* the maps took it */
};

struct fullcone {
	pthread_t tid;
	int nsfd;    /* the gateway's namespace */
	int stop[2]; /* a byte here ends the thread */
	uint32_t ext, net, mask;
	pthread_mutex_t mu; /* guards v, n, ready and the counters */
	pthread_cond_t cv;
	int ready; /* 1: listening; -errno: failed to start */
	struct fullcone_entry *v;
	int n, cap;
	uint32_t events, mappings, conflicts, lost;
	struct synhold hold; /* unsolicited SYNs (REQ-4), under mu too */
	int icmp_fd;	     /* raw ICMP socket answering them */
	struct netlink nft;  /* the thread's socket for map updates */
};

static int fullcone_find(const struct fullcone *k, uint8_t proto, uint32_t addr,
			 uint16_t port)
{
	int i;

	for (i = 0; i < k->n; i++)
		if (k->v[i].m.int_addr == addr && k->v[i].m.int_port == port &&
		    k->v[i].m.proto == proto)
			return i;
	return -1;
}

/* Add or delete a mapping in the gateway's maps (the keeper's thread is
 * in the gateway's namespace, and so is its socket). */
static int fullcone_nft(struct fullcone *k, const struct fullcone_map *m,
			int add)
{
	struct nft_batch *b = nft_batch_new();
	char why[512];
	int err;

	if (!b)
		return -ENOMEM;
	err = nft_fullcone_map(b, add, m->proto, m->int_addr, m->int_port,
			       m->ext_port);
	if (!err)
		err = nft_batch_send(b, &k->nft, why, sizeof(why));
	if (err)
		log_debug("keeper: %s", err == -ENOMEM ? "out of memory" : why);
	nft_batch_free(b);
	return err;
}

/* A connection began (add) or ended using mapping m. */
static void fullcone_apply(struct fullcone *k, const struct fullcone_map *m,
			   int add)
{
	struct fullcone_entry gone;
	int i = fullcone_find(k, m->proto, m->int_addr, m->int_port), installed;

	if (add && i >= 0) {
		pthread_mutex_lock(&k->mu);
		k->v[i].refs++;
		pthread_mutex_unlock(&k->mu);
		return;
	}
	if (add) {
		/* Install first: a mapping the suite can see is in the
		 * maps.  The maps refuse an external port that is some
		 * other endpoint's already (port overlapping): counted. */
		installed = fullcone_nft(k, m, 1) == 0;
		pthread_mutex_lock(&k->mu);
		if (installed)
			k->mappings++;
		else
			k->conflicts++;
		if (k->n == k->cap) {
			k->cap = k->cap ? 2 * k->cap : 64;
			k->v = xrealloc(k->v, (size_t)k->cap, sizeof(*k->v));
		}
		k->v[k->n].m = *m;
		k->v[k->n].refs = 1;
		k->v[k->n].installed = installed;
		k->n++;
		pthread_cond_broadcast(&k->cv);
		pthread_mutex_unlock(&k->mu);
		return;
	}
	if (i < 0)
		return;
	pthread_mutex_lock(&k->mu);
	if (--k->v[i].refs > 0) {
		pthread_mutex_unlock(&k->mu);
		return;
	}
	gone = k->v[i];
	k->v[i] = k->v[--k->n];
	pthread_mutex_unlock(&k->mu);
	if (gone.installed)
		fullcone_nft(k, &gone.m, 0);
}

static int fullcone_event(const struct nlmsghdr *nlh, void *arg)
{
	struct fullcone *k = arg;
	struct fullcone_map m[2];
	struct ct_entry e;
	int type = nlh->nlmsg_type & 0xff, add, i, n;

	if ((nlh->nlmsg_type >> 8) != NFNL_SUBSYS_CTNETLINK)
		return MNL_CB_OK;
	if (type == IPCTNL_MSG_CT_NEW)
		add = 1;
	else if (type == IPCTNL_MSG_CT_DELETE)
		add = 0;
	else
		return MNL_CB_OK;
	if (ct_parse(nlh, &e))
		return MNL_CB_OK;
	pthread_mutex_lock(&k->mu);
	k->events++;
	/* An outbound SYN to the sender of a held SYN, from the port it
	 * was sent to: hole punching; the held SYN is dropped silently. */
	if (add && e.orig.proto == IPPROTO_TCP && e.reply.dst == k->ext)
		synhold_punch(&k->hold, e.reply.src, e.reply.sport,
			      e.reply.dport);
	pthread_mutex_unlock(&k->mu);
	n = fullcone_classify(&e, k->ext, k->net, k->mask, m);
	for (i = 0; i < n; i++)
		fullcone_apply(k, &m[i], add);
	return MNL_CB_OK;
}

static void fullcone_set_ready(struct fullcone *k, int v)
{
	pthread_mutex_lock(&k->mu);
	k->ready = v;
	pthread_cond_broadcast(&k->cv);
	pthread_mutex_unlock(&k->mu);
}

/* The conntrack event socket: NEW and DESTROY, with a queue deep enough
 * for a burst of new connections. */
static int fullcone_open_events(struct netlink *ev)
{
	int err, size = FULLCONE_RCVBUF, fd;

	err = netlink_open(ev, NETLINK_NETFILTER);
	if (err)
		return err;
	err = netlink_join(ev, NFNLGRP_CONNTRACK_NEW);
	if (!err)
		err = netlink_join(ev, NFNLGRP_CONNTRACK_DESTROY);
	if (err) {
		netlink_close(ev);
		return err;
	}
	fd = netlink_fd(ev);
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	return 0;
}

/* The NFLOG group the gateway's drop rule copies unsolicited SYNs to:
 * bind it, with packet copies (two requests, two acks). */
static int fullcone_open_nflog(struct netlink *lg)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	uint32_t seq;
	size_t len;
	int err;

	err = netlink_open(lg, NETLINK_NETFILTER);
	if (err)
		return err;
	seq = netlink_next_seq(lg);
	netlink_next_seq(lg); /* the second request's */
	len = synhold_nflog_config(buf, seq);
	err = netlink_talk(lg, buf, len, 2, NULL, NULL);
	if (err)
		netlink_close(lg);
	return err;
}

/* A raw ICMP socket sending from the gateway's outside address. */
static int fullcone_open_icmp(uint32_t ext)
{
	struct sockaddr_in a = {.sin_family = AF_INET,
				.sin_addr.s_addr = htonl(ext)};
	int fd = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMP);

	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

/* An unsolicited SYN copied by the drop rule: hold it (REQ-4). */
static int fullcone_nflog(const struct nlmsghdr *nlh, void *arg)
{
	struct fullcone *k = arg;
	struct synhold_syn syn;
	const uint8_t *pkt;
	size_t plen;

	if (synhold_nflog_payload(nlh, &pkt, &plen) ||
	    synhold_parse(pkt, plen, &syn))
		return MNL_CB_OK;
	pthread_mutex_lock(&k->mu);
	synhold_add(&k->hold, &syn, util_now_ns() / 1000000);
	pthread_mutex_unlock(&k->mu);
	return MNL_CB_OK;
}

/* Answer every held SYN that is due with ICMP port unreachable. */
static void fullcone_answer(struct fullcone *k)
{
	uint8_t msg[8 + SYNHOLD_QUOTE_MAX];
	struct synhold_syn syn;
	struct sockaddr_in to = {.sin_family = AF_INET};
	char addr[16];
	size_t len;
	int due;

	for (;;) {
		pthread_mutex_lock(&k->mu);
		due = synhold_take_due(&k->hold, util_now_ns() / 1000000, &syn);
		pthread_mutex_unlock(&k->mu);
		if (!due)
			return;
		len = synhold_icmp(&syn, msg, sizeof(msg));
		to.sin_addr.s_addr = htonl(syn.src);
		if (sendto(k->icmp_fd, msg, len, 0, (struct sockaddr *)&to,
			   sizeof(to)) < 0) {
			int err = errno;

			/* util_ipv4_str(), not inet_ntoa(): every keeper is a
			 * thread, and inet_ntoa() has one static buffer. */
			log_debug("keeper: ICMP to %s: %s",
				  util_ipv4_str(syn.src, addr), strerror(err));
		}
	}
}

/* Read one socket's pending messages; ENOBUFS (events lost: the maps
 * miss some mappings) is counted.  Return: 0, or -errno if the socket
 * failed. */
static int fullcone_read(struct fullcone *k, struct netlink *nl, mnl_cb_t cb)
{
	int n = netlink_recv(nl, cb, k);

	if (n != -ENOBUFS)
		return n < 0 ? n : 0;
	pthread_mutex_lock(&k->mu);
	k->lost++;
	pthread_mutex_unlock(&k->mu);
	return 0;
}

static void *fullcone_main(void *arg)
{
	struct fullcone *k = arg;
	struct netlink ev = {0}, lg = {0};
	sigset_t set;
	int err;

	/* Signals are for the process's main thread to take. */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);

	/* This thread stays in the gateway's namespace: its sockets and
	 * the nftables batches it sends belong there. */
	err = netns_enter(k->nsfd);
	if (!err)
		err = fullcone_open_events(&ev);
	if (!err)
		err = fullcone_open_nflog(&lg);
	if (!err)
		err = netlink_open(&k->nft, NETLINK_NETFILTER);
	if (!err) {
		k->icmp_fd = fullcone_open_icmp(k->ext);
		if (k->icmp_fd < 0)
			err = k->icmp_fd;
	}
	fullcone_set_ready(k, err ? err : 1);
	while (!err) {
		struct pollfd p[3] = {
			{.fd = netlink_fd(&ev), .events = POLLIN},
			{.fd = netlink_fd(&lg), .events = POLLIN},
			{.fd = k->stop[0], .events = POLLIN},
		};
		int timeout;

		pthread_mutex_lock(&k->mu);
		timeout = synhold_next_due(&k->hold, util_now_ns() / 1000000);
		pthread_mutex_unlock(&k->mu);
		if (poll(p, 3, timeout) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[2].revents)
			break;
		/* Events first: an outbound SYN translated by now spares
		 * the held SYN it answers. */
		if (p[0].revents && fullcone_read(k, &ev, fullcone_event) < 0)
			break;
		if (p[1].revents && fullcone_read(k, &lg, fullcone_nflog) < 0)
			break;
		fullcone_answer(k);
	}
	netlink_close(&ev);
	netlink_close(&lg);
	netlink_close(&k->nft);
	return NULL;
}

static void fullcone_free(struct fullcone *k)
{
	if (k->stop[0] >= 0)
		close(k->stop[0]);
	if (k->stop[1] >= 0)
		close(k->stop[1]);
	if (k->icmp_fd >= 0)
		close(k->icmp_fd);
	pthread_mutex_destroy(&k->mu);
	pthread_cond_destroy(&k->cv);
	free(k->v);
	free(k);
}

int fullcone_start(int nsfd, uint32_t ext, uint32_t net, uint32_t mask,
		   struct fullcone **out)
{
	struct fullcone *k = xcalloc(1, sizeof(*k));
	struct timespec until;
	int err;

	k->stop[0] = k->stop[1] = k->icmp_fd = -1;
	k->nsfd = nsfd;
	k->ext = ext;
	k->mask = mask;
	k->net = net & mask;
	pthread_mutex_init(&k->mu, NULL);
	pthread_cond_init(&k->cv, NULL);
	if (pipe2(k->stop, O_CLOEXEC) < 0) {
		err = -errno;
		fullcone_free(k);
		return err;
	}
	err = -pthread_create(&k->tid, NULL, fullcone_main, k);
	if (err) {
		fullcone_free(k);
		return err;
	}
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 3;
	pthread_mutex_lock(&k->mu);
	while (!k->ready &&
	       pthread_cond_timedwait(&k->cv, &k->mu, &until) != ETIMEDOUT)
		;
	err = k->ready == 1 ? 0 : k->ready ? k->ready : -ETIMEDOUT;
	pthread_mutex_unlock(&k->mu);
	if (err) {
		if (write(k->stop[1], "x", 1) < 0)
			log_debug("keeper: stop: %s", strerror(errno));
		pthread_join(k->tid, NULL);
		fullcone_free(k);
		return err;
	}
	*out = k;
	return 0;
}

void fullcone_counts(struct fullcone *k, struct fullcone_counts *c)
{
	pthread_mutex_lock(&k->mu);
	c->events = k->events;
	c->mappings = k->mappings;
	c->conflicts = k->conflicts;
	c->lost = k->lost;
	c->active = (uint32_t)k->n;
	c->held = k->hold.c.held;
	c->icmp_sent = k->hold.c.icmp_sent;
	c->punched = k->hold.c.punched;
	c->hold_overflow = k->hold.c.overflow;
	pthread_mutex_unlock(&k->mu);
}

void fullcone_stop(struct fullcone *k)
{
	if (write(k->stop[1], "x", 1) < 0)
		log_debug("keeper: stop: %s", strerror(errno));
	pthread_join(k->tid, NULL);
	fullcone_free(k);
}
