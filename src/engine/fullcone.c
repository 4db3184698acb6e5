/* fullcone.c - the full-cone keeper of nat = rfc; ctnetlink messages. */

/*
 * Theory of operation
 *
 * The keeper of a nat = rfc gateway is a thread of the lab's keeper
 * process (keeper.c), in the gateway's namespace.  It listens to
 * conntrack's NEW and DESTROY events (ctnetlink multicast on libmnl) and
 * keeps two nftables maps of the gateway up to date (libnftnl batches,
 * nft_fullcone_map()): internal endpoint -> external port (the source
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
 * The ctnetlink messages (rfc_ct_build_get(), rfc_ct_parse(), also used
 * by the suite's conntrack reads) and the classification of an entry into
 * mappings (rfc_fc_classify()) do no I/O: unit tested without root.
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
#include "lib/log.h"
#include "lib/netns.h"
#include "lib/nft.h"
#include "rfc/rfc.h"
#include "engine/synhold.h"
#include "lib/util.h"

/* ---- ctnetlink messages ---- */

size_t rfc_ct_build_get(void *buf, uint32_t seq, const struct rfc_ct_tuple *t)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nlattr *orig, *nest;
	struct nfgenmsg *g;

	nlh->nlmsg_type = (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_GET;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = seq;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->nfgen_family = AF_INET;
	g->version = NFNETLINK_V0;
	g->res_id = 0;
	orig = mnl_attr_nest_start(nlh, CTA_TUPLE_ORIG);
	nest = mnl_attr_nest_start(nlh, CTA_TUPLE_IP);
	mnl_attr_put_u32(nlh, CTA_IP_V4_SRC, htonl(t->src));
	mnl_attr_put_u32(nlh, CTA_IP_V4_DST, htonl(t->dst));
	mnl_attr_nest_end(nlh, nest);
	nest = mnl_attr_nest_start(nlh, CTA_TUPLE_PROTO);
	mnl_attr_put_u8(nlh, CTA_PROTO_NUM, t->proto);
	mnl_attr_put_u16(nlh, CTA_PROTO_SRC_PORT, htons(t->sport));
	mnl_attr_put_u16(nlh, CTA_PROTO_DST_PORT, htons(t->dport));
	mnl_attr_nest_end(nlh, nest);
	mnl_attr_nest_end(nlh, orig);
	return nlh->nlmsg_len;
}

static int ct_parse_tuple(const struct nlattr *nest, struct rfc_ct_tuple *t)
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
					if (mnl_attr_validate(b, MNL_TYPE_U16) <
					    0)
						break;
					t->sport = ntohs(mnl_attr_get_u16(b));
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

static void ct_parse_protoinfo(const struct nlattr *nest,
			       struct rfc_ct_entry *e)
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

static void ct_parse_help(const struct nlattr *nest, struct rfc_ct_entry *e)
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

int rfc_ct_parse(const struct nlmsghdr *nlh, struct rfc_ct_entry *e)
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

int rfc_fc_classify(const struct rfc_ct_entry *e, uint32_t ext, uint32_t net,
		    uint32_t mask, struct rfc_mapping out[2])
{
	const struct rfc_ct_tuple *o = &e->orig, *r = &e->reply;
	int n = 0;

	if (o->proto != IPPROTO_TCP)
		return 0;
	/* From inside, source-NATed to the outside address: the mapping
	 * of its source. */
	if ((o->src & mask) == (net & mask) && r->dst == ext && o->src != ext) {
		out[n].int_addr = o->src;
		out[n].int_port = o->sport;
		out[n].ext_port = r->dport;
		n++;
	}
	/* To the outside address and sent inside (by the keeper's DNAT):
	 * the mapping of its destination. */
	if (o->dst == ext && (r->src & mask) == (net & mask) && r->src != ext) {
		out[n].int_addr = r->src;
		out[n].int_port = r->sport;
		out[n].ext_port = o->dport;
		n++;
	}
	return n;
}

/* ---- the keeper ---- */

#define KEEPER_RCVBUF (4 << 20)
#define KEEPER_BUF    (64 * 1024)

struct kentry {
	struct rfc_mapping m;
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
	struct kentry *v;
	int n, cap;
	uint32_t events, mappings, conflicts, lost;
	struct synhold hold; /* unsolicited SYNs (REQ-4), under mu too */
	int icmp_fd;	     /* raw ICMP socket answering them */
};

static int keeper_find(const struct fullcone *k, uint32_t addr, uint16_t port)
{
	int i;

	for (i = 0; i < k->n; i++)
		if (k->v[i].m.int_addr == addr && k->v[i].m.int_port == port)
			return i;
	return -1;
}

/* Add or delete a mapping in the gateway's maps (the keeper's thread is
 * in the gateway's namespace). */
static int keeper_nft(const struct rfc_mapping *m, int add)
{
	struct nft_batch *b = nft_batch_new();
	char why[512];
	int err;

	if (!b)
		return -ENOMEM;
	err = nft_fullcone_map(b, add, m->int_addr, m->int_port, m->ext_port);
	if (!err)
		err = nft_batch_send(b, why, sizeof(why));
	if (err)
		log_debug("keeper: %s", err == -ENOMEM ? "out of memory" : why);
	nft_batch_free(b);
	return err;
}

/* A connection began (add) or ended using mapping m. */
static void keeper_apply(struct fullcone *k, const struct rfc_mapping *m,
			 int add)
{
	struct kentry gone;
	int i = keeper_find(k, m->int_addr, m->int_port), installed;

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
		installed = keeper_nft(m, 1) == 0;
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
		keeper_nft(&gone.m, 0);
}

static void keeper_event(struct fullcone *k, const struct nlmsghdr *nlh)
{
	struct rfc_mapping m[2];
	struct rfc_ct_entry e;
	int type = nlh->nlmsg_type & 0xff, add, i, n;

	if ((nlh->nlmsg_type >> 8) != NFNL_SUBSYS_CTNETLINK)
		return;
	if (type == IPCTNL_MSG_CT_NEW)
		add = 1;
	else if (type == IPCTNL_MSG_CT_DELETE)
		add = 0;
	else
		return;
	if (rfc_ct_parse(nlh, &e))
		return;
	pthread_mutex_lock(&k->mu);
	k->events++;
	/* An outbound SYN to the sender of a held SYN, from the port it
	 * was sent to: hole punching; the held SYN is dropped silently. */
	if (add && e.orig.proto == IPPROTO_TCP && e.reply.dst == k->ext)
		synhold_punch(&k->hold, e.reply.src, e.reply.sport,
			      e.reply.dport);
	pthread_mutex_unlock(&k->mu);
	n = rfc_fc_classify(&e, k->ext, k->net, k->mask, m);
	for (i = 0; i < n; i++)
		keeper_apply(k, &m[i], add);
}

static void keeper_set_ready(struct fullcone *k, int v)
{
	pthread_mutex_lock(&k->mu);
	k->ready = v;
	pthread_cond_broadcast(&k->cv);
	pthread_mutex_unlock(&k->mu);
}

/* Join a conntrack multicast group (NFNLGRP_CONNTRACK_*). */
static int keeper_join(struct mnl_socket *nl, int group)
{
	return mnl_socket_setsockopt(nl, NETLINK_ADD_MEMBERSHIP, &group,
				     sizeof(group)) < 0
		       ? -errno
		       : 0;
}

/* The conntrack event socket: NEW and DESTROY, with a queue deep enough
 * for a burst of new connections. */
static int open_events(struct mnl_socket **out)
{
	struct mnl_socket *nl =
		mnl_socket_open2(NETLINK_NETFILTER, SOCK_CLOEXEC);
	int err = 0, size = KEEPER_RCVBUF, fd;

	if (!nl)
		return -errno;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0)
		err = -errno;
	if (!err)
		err = keeper_join(nl, NFNLGRP_CONNTRACK_NEW);
	if (!err)
		err = keeper_join(nl, NFNLGRP_CONNTRACK_DESTROY);
	if (err) {
		mnl_socket_close(nl);
		return err;
	}
	fd = mnl_socket_get_fd(nl);
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	*out = nl;
	return 0;
}

/* The NFLOG group the gateway's drop rule copies unsolicited SYNs to:
 * bind it, with packet copies, and read the two ACKs. */
static int open_nflog(struct mnl_socket **out)
{
	struct mnl_socket *nl =
		mnl_socket_open2(NETLINK_NETFILTER, SOCK_CLOEXEC);
	char buf[MNL_SOCKET_BUFFER_SIZE];
	int err = 0, acks = 0;
	size_t len;
	ssize_t n;

	if (!nl)
		return -errno;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0)
		err = -errno;
	len = synhold_nflog_config(buf, 1);
	if (!err && mnl_socket_sendto(nl, buf, len) < 0)
		err = -errno;
	while (!err && acks < 2) {
		n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (n < 0)
			err = -errno;
		else if (mnl_cb_run(buf, (size_t)n, 0,
				    mnl_socket_get_portid(nl), NULL, NULL) < 0)
			err = -errno;
		else
			acks++;
	}
	if (err) {
		mnl_socket_close(nl);
		return err;
	}
	*out = nl;
	return 0;
}

/* A raw ICMP socket sending from the gateway's outside address. */
static int open_icmp(uint32_t ext)
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

/* Unsolicited SYNs copied by the drop rule: hold each (REQ-4). */
static void keeper_nflog(struct fullcone *k, const char *buf, size_t n)
{
	const struct nlmsghdr *nlh;
	struct synhold_syn syn;
	const uint8_t *pkt;
	int len = (int)n;
	size_t plen;

	for (nlh = (const struct nlmsghdr *)buf; mnl_nlmsg_ok(nlh, len);
	     nlh = mnl_nlmsg_next(nlh, &len)) {
		if (synhold_nflog_payload(nlh, &pkt, &plen) ||
		    synhold_parse(pkt, plen, &syn))
			continue;
		pthread_mutex_lock(&k->mu);
		synhold_add(&k->hold, &syn, util_now_ns() / 1000000);
		pthread_mutex_unlock(&k->mu);
	}
}

/* Answer every held SYN that is due with ICMP port unreachable. */
static void keeper_answer(struct fullcone *k)
{
	uint8_t msg[8 + SYNHOLD_QUOTE_MAX];
	struct synhold_syn syn;
	struct sockaddr_in to = {.sin_family = AF_INET};
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
			   sizeof(to)) < 0)
			log_debug("keeper: ICMP to %s: %s",
				  inet_ntoa(to.sin_addr), strerror(errno));
	}
}

/* Read one socket's pending messages into buf; ENOBUFS (events lost:
 * the maps miss some mappings) is counted.  Return: bytes, 0 nothing
 * (now), -1 a fatal error. */
static ssize_t keeper_read(struct fullcone *k, int fd, char *buf)
{
	ssize_t n = recv(fd, buf, KEEPER_BUF, MSG_DONTWAIT);

	if (n >= 0)
		return n;
	if (errno == ENOBUFS) {
		pthread_mutex_lock(&k->mu);
		k->lost++;
		pthread_mutex_unlock(&k->mu);
		return 0;
	}
	return errno == EAGAIN || errno == EINTR ? 0 : -1;
}

static void *keeper_main(void *arg)
{
	struct fullcone *k = arg;
	struct mnl_socket *ev = NULL, *lg = NULL;
	char *buf = NULL;
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
		err = open_events(&ev);
	if (!err)
		err = open_nflog(&lg);
	if (!err) {
		k->icmp_fd = open_icmp(k->ext);
		if (k->icmp_fd < 0)
			err = k->icmp_fd;
	}
	if (!err) {
		buf = malloc(KEEPER_BUF);
		if (!buf)
			err = -ENOMEM;
	}
	keeper_set_ready(k, err ? err : 1);
	while (!err) {
		struct pollfd p[3] = {
			{.fd = mnl_socket_get_fd(ev), .events = POLLIN},
			{.fd = mnl_socket_get_fd(lg), .events = POLLIN},
			{.fd = k->stop[0], .events = POLLIN},
		};
		const struct nlmsghdr *nlh;
		ssize_t n;
		int len, timeout;

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
		if (p[0].revents) {
			n = keeper_read(k, p[0].fd, buf);
			if (n < 0)
				break;
			len = (int)n;
			for (nlh = (const struct nlmsghdr *)buf;
			     mnl_nlmsg_ok(nlh, len);
			     nlh = mnl_nlmsg_next(nlh, &len))
				keeper_event(k, nlh);
		}
		if (p[1].revents) {
			n = keeper_read(k, p[1].fd, buf);
			if (n < 0)
				break;
			keeper_nflog(k, buf, (size_t)n);
		}
		keeper_answer(k);
	}
	free(buf);
	if (ev)
		mnl_socket_close(ev);
	if (lg)
		mnl_socket_close(lg);
	return NULL;
}

static void keeper_free(struct fullcone *k)
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
		keeper_free(k);
		return err;
	}
	err = -pthread_create(&k->tid, NULL, keeper_main, k);
	if (err) {
		keeper_free(k);
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
		keeper_free(k);
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
	keeper_free(k);
}
