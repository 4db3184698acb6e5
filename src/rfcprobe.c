/* rfcprobe.c - natlab rfc's tests: probes inside the lab's namespaces. */

/*
 * Each test makes sockets inside the lab's nodes as the traffic generator
 * does (enter a node's namespace, create the socket, return: the socket
 * stays in that namespace), reads the gateway's conntrack entries over
 * ctnetlink and its sysctls, captures at a client where a socket cannot
 * see what happened, and fills the suite's struct rfc_evidence.  Nothing
 * here judges: rfc_judge() (rfcreport.c) does, from the evidence alone.
 */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <linux/errqueue.h>
#include <linux/if.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <linux/netfilter/nf_conntrack_tcp.h>

#include <libmnl/libmnl.h>

#include "log.h"
#include "netns.h"
#include "nft.h"
#include "rfc_int.h"
#include "sysctl.h"
#include "util.h"

/* ---- I/O: sockets inside the lab's nodes ---- */

/* Sockets a test keeps open until it ends. */
struct fds {
	int v[4 * RFC_PORTS_N + 8];
	int n;
};

static void fds_add(struct fds *f, int fd)
{
	if (fd < 0)
		return;
	if ((size_t)f->n < ARRAY_SIZE(f->v))
		f->v[f->n++] = fd;
	else
		close(fd);
}

static void fds_close(struct fds *f)
{
	while (f->n > 0)
		close(f->v[--f->n]);
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static uint64_t now_us(void)
{
	return util_now_ns() / 1000;
}

int rfcprobe_sleep_ms(int ms)
{
	uint64_t end = util_now_ns() + (uint64_t)ms * 1000000;

	while (!rfc_stop) {
		uint64_t now = util_now_ns();

		if (now >= end)
			return 0;
		usleep(end - now > 10000000 ? 10000 : (end - now) / 1000 + 1);
	}
	return -EINTR;
}

/* poll() in slices, so that a stop request is seen within 100 ms. */
static int poll_stop(struct pollfd *p, nfds_t n, int timeout_ms)
{
	uint64_t end = util_now_ns() + (uint64_t)timeout_ms * 1000000;
	int r;

	for (;;) {
		uint64_t now = util_now_ns();
		int slice = now >= end ? 0 : (int)((end - now) / 1000000);

		if (slice > 100)
			slice = 100;
		r = poll(p, n, slice);
		if (r != 0 || now >= end || rfc_stop)
			return r < 0 && errno == EINTR ? 0 : r;
	}
}

/* A socket made inside node n (it stays in that namespace). */
static int sock_at(struct suite *s, int n, int domain, int type, int proto)
{
	int fd, err = netns_enter(s->nsfd[n]);

	if (err)
		return err;
	fd = socket(domain, type | SOCK_CLOEXEC | SOCK_NONBLOCK, proto);
	err = fd < 0 ? -errno : 0;
	netns_leave();
	return fd < 0 ? err : fd;
}

static int set_int(int fd, int level, int name, int v)
{
	return setsockopt(fd, level, name, &v, sizeof(v)) < 0 ? -errno : 0;
}

static struct sockaddr_in sin_of(uint32_t addr, uint16_t port)
{
	struct sockaddr_in a;

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(addr);
	a.sin_port = htons(port);
	return a;
}

/* A TCP socket of node n bound to sport (0: any), which may share its
 * port with the node's other sockets (a listener and connections from
 * one port, as TCP hole punching does it). */
static int tcp_socket(struct suite *s, int n, uint16_t sport)
{
	struct sockaddr_in a = sin_of(INADDR_ANY, sport);
	int fd = sock_at(s, n, AF_INET, SOCK_STREAM, 0), err;

	if (fd < 0)
		return fd;
	err = set_int(fd, SOL_SOCKET, SO_REUSEADDR, 1);
	if (!err)
		err = set_int(fd, SOL_SOCKET, SO_REUSEPORT, 1);
	/* ICMP errors while connecting, to tell them from a RST. */
	if (!err)
		err = set_int(fd, IPPROTO_IP, IP_RECVERR, 1);
	if (!err && sport && bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0)
		err = -errno;
	if (err) {
		close(fd);
		return err;
	}
	return fd;
}

static int tcp_listen(struct suite *s, int n, uint16_t port)
{
	int fd = tcp_socket(s, n, port);

	if (fd >= 0 && listen(fd, 256) < 0) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

static int conn_start(int fd, uint32_t daddr, uint16_t dport)
{
	struct sockaddr_in a = sin_of(daddr, dport);

	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0 ||
	    errno == EINPROGRESS)
		return 0;
	return -errno;
}

/* The ICMP error queued on a socket with IP_RECVERR, if any. */
static int errqueue_icmp(int fd, struct rfc_conn *c)
{
	char ctl[512], data[64];
	struct iovec iov = {data, sizeof(data)};
	struct msghdr m;
	struct cmsghdr *cm;

	memset(&m, 0, sizeof(m));
	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	m.msg_control = ctl;
	m.msg_controllen = sizeof(ctl);
	if (recvmsg(fd, &m, MSG_ERRQUEUE | MSG_DONTWAIT) < 0)
		return 0;
	for (cm = CMSG_FIRSTHDR(&m); cm; cm = CMSG_NXTHDR(&m, cm)) {
		struct sock_extended_err ee;
		struct sockaddr_in from;

		if (cm->cmsg_level != IPPROTO_IP || cm->cmsg_type != IP_RECVERR)
			continue;
		memcpy(&ee, CMSG_DATA(cm), sizeof(ee));
		if (ee.ee_origin != SO_EE_ORIGIN_ICMP)
			continue;
		memcpy(&from,
		       SO_EE_OFFENDER(
			       (struct sock_extended_err *)CMSG_DATA(cm)),
		       sizeof(from));
		c->out = RFC_OUT_ICMP;
		c->icmp_type = ee.ee_type;
		c->icmp_code = ee.ee_code;
		c->icmp_from = ntohl(from.sin_addr.s_addr);
		return 1;
	}
	return 0;
}

/*
 * Wait up to timeout_ms for a connect() begun at t0 (us) to end: OK, a
 * RST (ECONNREFUSED with no ICMP queued), an ICMP error, or silence.
 */
static void conn_wait(int fd, uint64_t t0, int timeout_ms, struct rfc_conn *c)
{
	struct pollfd p = {.fd = fd, .events = POLLOUT};
	socklen_t len = sizeof(int);
	int r, soerr = 0;

	r = poll_stop(&p, 1, timeout_ms);
	c->us = (uint32_t)(now_us() - t0);
	if (r < 0) {
		c->out = RFC_OUT_ERROR;
		c->err = errno;
		return;
	}
	if (r == 0) {
		c->out = RFC_OUT_SILENT;
		return;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) < 0) {
		c->out = RFC_OUT_ERROR;
		c->err = errno;
		return;
	}
	if (!soerr) {
		c->out = RFC_OUT_OK;
		/* From now on an ICMP error is soft, as for any socket. */
		set_int(fd, IPPROTO_IP, IP_RECVERR, 0);
		return;
	}
	if (errqueue_icmp(fd, c))
		return;
	if (soerr == ECONNREFUSED) {
		c->out = RFC_OUT_RST;
		return;
	}
	c->out = RFC_OUT_ERROR;
	c->err = soerr;
}

/* Accept one connection; *addr and *port: the peer as the acceptor saw
 * it. */
static int accept_peer(int lfd, int timeout_ms, uint32_t *addr, uint16_t *port)
{
	struct pollfd p = {.fd = lfd, .events = POLLIN};
	struct sockaddr_in a;
	socklen_t len = sizeof(a);
	int fd;

	if (poll_stop(&p, 1, timeout_ms) <= 0)
		return -ETIMEDOUT;
	fd = accept4(lfd, (struct sockaddr *)&a, &len,
		     SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (fd < 0)
		return -errno;
	*addr = ntohl(a.sin_addr.s_addr);
	*port = ntohs(a.sin_port);
	return fd;
}

/* A server accepted a connection from this address: address pooling. */
static void seen(struct suite *s, uint32_t addr)
{
	struct rfc_evidence *e = s->ev;
	int i;

	e->nseen++;
	for (i = 0; i < e->nseen_addr; i++)
		if (e->seen_addr[i] == addr)
			return;
	if (e->nseen_addr < (int)ARRAY_SIZE(e->seen_addr))
		e->seen_addr[e->nseen_addr++] = addr;
}

/*
 * Connect from node n, port sport, to daddr:dport, and once connected
 * accept on lfd (when >= 0): c gets the outcome and the address and port
 * the acceptor saw.  The two sockets go to f, or to *cfd and *afd.
 */
static void probe(struct suite *s, int n, uint16_t sport, uint32_t daddr,
		  uint16_t dport, int lfd, struct rfc_conn *c, struct fds *f,
		  int *cfd, int *afd)
{
	int fd, afd_ = -1, err;
	uint64_t t0;

	memset(c, 0, sizeof(*c));
	if (cfd)
		*cfd = -1;
	if (afd)
		*afd = -1;
	fd = tcp_socket(s, n, sport);
	if (fd < 0) {
		c->out = RFC_OUT_ERROR;
		c->err = -fd;
		return;
	}
	t0 = now_us();
	err = conn_start(fd, daddr, dport);
	if (err) {
		c->out = RFC_OUT_ERROR;
		c->err = -err;
		close(fd);
		return;
	}
	conn_wait(fd, t0, WAIT_CONNECT_MS, c);
	if (c->out == RFC_OUT_OK && lfd >= 0) {
		afd_ = accept_peer(lfd, WAIT_ACCEPT_MS, &c->ext_addr,
				   &c->ext_port);
		if (afd_ < 0) {
			c->out = RFC_OUT_ERROR;
			c->err = -afd_;
		} else if (lfd == s->l_s1 || lfd == s->l_s2 ||
			   (lfd == s->l_alg[0] || lfd == s->l_alg[1] ||
			    lfd == s->l_alg[2] || lfd == s->l_alg[3])) {
			seen(s, c->ext_addr);
		}
	}
	if (cfd)
		*cfd = fd;
	else if (f)
		fds_add(f, fd);
	else
		close(fd);
	if (afd)
		*afd = afd_;
	else if (f)
		fds_add(f, afd_);
	else if (afd_ >= 0)
		close(afd_);
}

/* One byte from one socket to the other. */
static int xfer1(int from, int to)
{
	struct pollfd p = {.fd = to, .events = POLLIN};
	char buf[8];

	if (send(from, "x", 1, MSG_NOSIGNAL) != 1)
		return 0;
	if (poll_stop(&p, 1, WAIT_CONNECT_MS) != 1)
		return 0;
	return recv(to, buf, sizeof(buf), 0) == 1;
}

static int xfer(int a, int b)
{
	return a >= 0 && b >= 0 && xfer1(a, b) && xfer1(b, a);
}

/* Wait for the peer's FIN (1) or RST (2); 0: neither in time. */
static int wait_end(int fd, int timeout_ms)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	char buf[64];
	ssize_t n;

	if (poll_stop(&p, 1, timeout_ms) != 1)
		return 0;
	n = recv(fd, buf, sizeof(buf), 0);
	if (n == 0)
		return 1;
	return n < 0 && errno == ECONNRESET ? 2 : 0;
}

/* Close with a RST (SO_LINGER {1, 0}). */
static void close_rst(int *fd)
{
	struct linger l = {.l_onoff = 1, .l_linger = 0};

	if (*fd >= 0)
		setsockopt(*fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
	close_fd(fd);
}

/* SYNs sent by a connecting socket: the first and its retransmissions. */
static uint8_t syns_sent(int fd)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);

	memset(&ti, 0, sizeof(ti));
	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) < 0)
		return 0;
	return (uint8_t)(ti.tcpi_total_retrans + 1);
}

/*
 * A datagram from node n, port sport, to daddr:dport, and what came back
 * within the wait: a datagram (OK), an ICMP error (IP_RECVERR), nothing.
 */
static void udp_probe(struct suite *s, int n, uint16_t sport, uint32_t daddr,
		      uint16_t dport, const void *msg, size_t len,
		      struct rfc_conn *c)
{
	struct sockaddr_in src = sin_of(INADDR_ANY, sport);
	struct sockaddr_in dst = sin_of(daddr, dport);
	struct pollfd p = {.events = POLLIN};
	char buf[256];
	uint64_t t0;
	int fd, r;

	memset(c, 0, sizeof(*c));
	fd = sock_at(s, n, AF_INET, SOCK_DGRAM, 0);
	if (fd < 0) {
		c->out = RFC_OUT_ERROR;
		c->err = -fd;
		return;
	}
	if (set_int(fd, IPPROTO_IP, IP_RECVERR, 1) ||
	    bind(fd, (struct sockaddr *)&src, sizeof(src)) < 0 ||
	    connect(fd, (struct sockaddr *)&dst, sizeof(dst)) < 0) {
		c->out = RFC_OUT_ERROR;
		c->err = errno;
		close(fd);
		return;
	}
	t0 = now_us();
	if (send(fd, msg, len, 0) < 0 && errno != ECONNREFUSED) {
		c->out = RFC_OUT_ERROR;
		c->err = errno;
		close(fd);
		return;
	}
	p.fd = fd;
	r = poll_stop(&p, 1, WAIT_CONNECT_MS);
	c->us = (uint32_t)(now_us() - t0);
	if (r == 0)
		c->out = RFC_OUT_SILENT;
	else if ((p.revents & POLLERR) && errqueue_icmp(fd, c))
		;
	else if (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) >= 0)
		c->out = RFC_OUT_OK;
	else {
		c->out = RFC_OUT_ERROR;
		c->err = errno;
	}
	close(fd);
}

/* ---- I/O: the gateway's conntrack table, sysctls and rules ---- */

static int ct_open(struct suite *s)
{
	struct timeval tv = {.tv_sec = 1};
	int err = netns_enter(s->nsfd[N_GW]);

	if (err)
		return err;
	s->ct = mnl_socket_open2(NETLINK_NETFILTER, SOCK_CLOEXEC);
	if (!s->ct)
		err = -errno;
	else if (mnl_socket_bind(s->ct, 0, MNL_SOCKET_AUTOPID) < 0 ||
		 setsockopt(mnl_socket_get_fd(s->ct), SOL_SOCKET, SO_RCVTIMEO,
			    &tv, sizeof(tv)) < 0)
		err = -errno;
	netns_leave();
	if (err && s->ct) {
		mnl_socket_close(s->ct);
		s->ct = NULL;
	}
	return err;
}

struct ct_reply {
	struct rfc_ct_entry *e;
	int found;
};

static int ct_get_cb(const struct nlmsghdr *nlh, void *data)
{
	struct ct_reply *r = data;

	if (rfc_ct_parse(nlh, r->e) == 0)
		r->found = 1;
	return MNL_CB_OK;
}

/* The gateway's entry whose original tuple is src:sport -> dst:dport.
 * Return: 0, -ENOENT if there is none, or -errno. */
static int ct_get(struct suite *s, uint32_t src, uint16_t sport, uint32_t dst,
		  uint16_t dport, struct rfc_ct_entry *e)
{
	struct rfc_ct_tuple t = {src, dst, sport, dport, IPPROTO_TCP};
	struct ct_reply r;
	char buf[MNL_SOCKET_BUFFER_SIZE];
	uint32_t seq = ++s->ct_seq;
	size_t len;
	ssize_t n;
	int ret;

	memset(e, 0, sizeof(*e));
	e->state = -1;
	e->timeout = -1;
	r.e = e;
	r.found = 0;
	if (!s->ct)
		return -ENOTCONN;
	len = rfc_ct_build_get(buf, seq, &t);
	if (mnl_socket_sendto(s->ct, buf, len) < 0)
		return -errno;
	do {
		n = mnl_socket_recvfrom(s->ct, buf, sizeof(buf));
		if (n < 0)
			return errno == EAGAIN ? -ETIMEDOUT : -errno;
		ret = mnl_cb_run(buf, (size_t)n, seq,
				 mnl_socket_get_portid(s->ct), ct_get_cb, &r);
	} while (ret > MNL_CB_STOP);
	if (ret < 0)
		return -errno;
	return r.found ? 0 : -ENOENT;
}

/* c1's entry towards s1 from sport to dport. */
static int ct_c1(struct suite *s, uint16_t sport, uint16_t dport,
		 struct rfc_ct_entry *e)
{
	return ct_get(s, s->addr[N_C1], sport, s->addr[N_S1], dport, e);
}

/* Wait up to ms for c1's entry to reach state want (-1: any state
 * other than not_state).  Return: 0, -ENOENT (gone), -ETIMEDOUT. */
static int ct_wait(struct suite *s, uint16_t sport, uint16_t dport, int want,
		   int not_state, int ms, struct rfc_ct_entry *e)
{
	uint64_t end = util_now_ns() + (uint64_t)ms * 1000000;
	int err;

	for (;;) {
		err = ct_c1(s, sport, dport, e);
		if (err)
			return err;
		if (want >= 0 ? e->state == want : e->state != not_state)
			return 0;
		if (util_now_ns() >= end || rfcprobe_sleep_ms(5))
			return -ETIMEDOUT;
	}
}

/* A conntrack state seen, for the session tracking row (repeats of the
 * last one are left out). */
static void state_seen(struct suite *s, int state)
{
	struct rfc_evidence *e = s->ev;

	if (state < 0 || e->nstates == RFC_STATES_MAX ||
	    (e->nstates && e->states[e->nstates - 1] == state))
		return;
	e->states[e->nstates++] = (int8_t)state;
}

/* net.netfilter.nf_conntrack_NAME of the gateway. */
static int gw_sysctl_get(struct suite *s, const char *name, int32_t *v)
{
	char key[128], buf[32];
	int err = netns_enter(s->nsfd[N_GW]);

	if (err)
		return err;
	snprintf(key, sizeof(key), "net.netfilter.nf_conntrack_%s", name);
	err = sysctl_get(key, buf, sizeof(buf));
	netns_leave();
	if (!err)
		*v = (int32_t)strtol(buf, NULL, 10);
	return err;
}

static int gw_sysctl_set(struct suite *s, const char *name, int32_t v)
{
	char key[128], buf[32];
	int err = netns_enter(s->nsfd[N_GW]);

	if (err)
		return err;
	snprintf(key, sizeof(key), "net.netfilter.nf_conntrack_%s", name);
	snprintf(buf, sizeof(buf), "%d", v);
	err = sysctl_set(key, buf);
	netns_leave();
	if (err)
		log_errno(err, "gateway: cannot set %s", key);
	return err;
}

/* Lines of the gateway's /proc/net/nf_conntrack_expect, -1 if absent. */
static int32_t gw_expectations(struct suite *s)
{
	char *line = NULL;
	size_t cap = 0;
	int32_t n = 0;
	FILE *f;

	if (netns_enter(s->nsfd[N_GW]))
		return -1;
	f = fopen("/proc/thread-self/net/nf_conntrack_expect", "re");
	netns_leave();
	if (!f)
		return -1;
	while (getline(&line, &cap, f) > 0)
		n++;
	free(line);
	fclose(f);
	return n;
}

/* Send an nftables batch inside node n. */
static int nft_send_at(struct suite *s, int n, struct nft_batch *b,
		       const char *what)
{
	char why[512];
	int err = netns_enter(s->nsfd[n]);

	if (err)
		return err;
	err = nft_batch_send(b, why, sizeof(why));
	netns_leave();
	if (err)
		log_err("%s: %s", what, why);
	return err;
}

/* ---- I/O: an ICMP error made by hand, and a capture ---- */

/*
 * Send from node n to TO an ICMP port unreachable about a TCP segment
 * in_src:in_sport -> in_dst:in_dport (its IP header and first 8 bytes,
 * as RFC 792 quotes them).
 */
static int send_unreach(struct suite *s, int n, uint32_t to, uint32_t in_src,
			uint16_t in_sport, uint32_t in_dst, uint16_t in_dport)
{
	struct sockaddr_in a = sin_of(to, 0);
	uint8_t pkt[8 + 20 + 8];
	struct iphdr iph;
	uint16_t v16, csum;
	int fd, err = 0;

	memset(pkt, 0, sizeof(pkt));
	memset(&iph, 0, sizeof(iph));
	pkt[0] = ICMP_UNREACH;
	pkt[1] = ICMP_PORT;
	iph.version = 4;
	iph.ihl = 5;
	iph.tot_len = htons(40);
	iph.frag_off = htons(0x4000);
	iph.ttl = 64;
	iph.protocol = IPPROTO_TCP;
	iph.saddr = htonl(in_src);
	iph.daddr = htonl(in_dst);
	iph.check = util_inet_csum(&iph, sizeof(iph));
	memcpy(pkt + 8, &iph, sizeof(iph));
	v16 = htons(in_sport);
	memcpy(pkt + 28, &v16, 2);
	v16 = htons(in_dport);
	memcpy(pkt + 30, &v16, 2);
	csum = util_inet_csum(pkt, sizeof(pkt));
	memcpy(pkt + 2, &csum, 2);

	fd = sock_at(s, n, AF_INET, SOCK_RAW, IPPROTO_ICMP);
	if (fd < 0)
		return fd;
	if (sendto(fd, pkt, sizeof(pkt), 0, (struct sockaddr *)&a, sizeof(a)) !=
	    (ssize_t)sizeof(pkt))
		err = -errno;
	close(fd);
	return err;
}

/* A packet socket on node n's interface, IPv4 only. */
static int cap_open(struct suite *s, int n, const char *ifname)
{
	struct sockaddr_ll sll;
	int fd, err = netns_enter(s->nsfd[n]);

	if (err)
		return err;
	fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
		    htons(ETH_P_IP));
	err = fd < 0 ? -errno : 0;
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ETH_P_IP);
	sll.sll_ifindex = (int)if_nametoindex(ifname);
	if (!err && (!sll.sll_ifindex ||
		     bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0)) {
		err = sll.sll_ifindex ? -errno : -ENODEV;
		close(fd);
		fd = -1;
	}
	netns_leave();
	return fd < 0 ? err : fd;
}

/*
 * Wait up to ms for an ICMP destination unreachable on the capture whose
 * quoted segment is TCP to in_dst:in_dport; its quoted source in *addr,
 * *port.  Return: 1 seen, 0 not.
 */
static int cap_unreach(int fd, int ms, uint32_t in_dst, uint16_t in_dport,
		       uint32_t *addr, uint16_t *port)
{
	uint64_t end = util_now_ns() + (uint64_t)ms * 1000000;
	uint8_t buf[2048];

	while (!rfc_stop && util_now_ns() < end) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		const uint8_t *icmp, *in;
		size_t ihl, iihl;
		uint32_t v;
		uint16_t v16;
		ssize_t n;

		if (poll(&p, 1, 10) <= 0)
			continue;
		n = recv(fd, buf, sizeof(buf), 0);
		if (n < 20 || (buf[0] >> 4) != 4 || buf[9] != IPPROTO_ICMP)
			continue;
		ihl = (size_t)(buf[0] & 0xf) * 4;
		if ((size_t)n < ihl + 8 + 20 + 4)
			continue;
		icmp = buf + ihl;
		in = icmp + 8;
		iihl = (size_t)(in[0] & 0xf) * 4;
		if (icmp[0] != ICMP_UNREACH || in[9] != IPPROTO_TCP ||
		    (size_t)n < ihl + 8 + iihl + 4)
			continue;
		memcpy(&v, in + 16, 4);
		memcpy(&v16, in + iihl + 2, 2);
		if (ntohl(v) != in_dst || ntohs(v16) != in_dport)
			continue;
		memcpy(&v, in + 12, 4);
		memcpy(&v16, in + iihl, 2);
		*addr = ntohl(v);
		*port = ntohs(v16);
		return 1;
	}
	return 0;
}

/* With the keeper running, let it learn the mapping of node n's port
 * (it is in the gateway's map) before the next step depends on it;
 * without, nothing to wait for. */
static void settle(struct suite *s, int n, uint16_t port)
{
	uint64_t end = util_now_ns() + 500000000ull;
	int has = 0;

	if (!s->keeper || netns_enter(s->nsfd[N_GW]))
		return;
	while ((has = nft_fullcone_has(s->addr[n], port)) == 0 &&
	       util_now_ns() < end)
		usleep(2000);
	netns_leave();
	if (has != 1)
		log_debug("keeper: no mapping for %s port %u after 500 ms%s%s",
			  s->t->nodes[s->node[n]].name, port,
			  has < 0 ? ": " : "", has < 0 ? strerror(-has) : "");
}

/* ---- the tests ---- */

/* REQ-1: one internal endpoint towards two servers; then the same with
 * its port already some other host's external port towards one of them. */
static void test_eim(struct suite *s)
{
	struct rfc_evidence *e = s->ev;
	uint32_t s1 = s->addr[N_S1], s2 = s->addr[N_S2];
	struct fds f = {.n = 0};

	e->eim_port = P_EIM;
	e->eim2_port = P_EIM2;
	probe(s, N_C1, P_EIM, s1, SRV_PORT, s->l_s1, &e->eim_s1, &f, NULL,
	      NULL);
	settle(s, N_C1, P_EIM);
	probe(s, N_C1, P_EIM, s2, SRV_PORT, s->l_s2, &e->eim_s2, &f, NULL,
	      NULL);
	probe(s, N_C2, P_EIM2, s2, SRV_PORT, s->l_s2, &e->eim2_c2, &f, NULL,
	      NULL);
	settle(s, N_C2, P_EIM2);
	probe(s, N_C1, P_EIM2, s1, SRV_PORT, s->l_s1, &e->eim2_s1, &f, NULL,
	      NULL);
	settle(s, N_C1, P_EIM2);
	probe(s, N_C1, P_EIM2, s2, SRV_PORT, s->l_s2, &e->eim2_s2, &f, NULL,
	      NULL);
	fds_close(&f);
}

/* REQ-7 (same port, same server) and port overlapping (same port,
 * different servers). */
static void test_ports_shared(struct suite *s)
{
	struct rfc_evidence *e = s->ev;
	struct fds f = {.n = 0};

	e->ovl_port = P_OVL;
	probe(s, N_C1, P_OVL, s->addr[N_S1], SRV_PORT, s->l_s1, &e->ovl_c1, &f,
	      NULL, NULL);
	settle(s, N_C1, P_OVL);
	probe(s, N_C2, P_OVL, s->addr[N_S1], SRV_PORT, s->l_s1, &e->ovl_c2, &f,
	      NULL, NULL);
	e->olap_port = P_OLAP;
	probe(s, N_C1, P_OLAP, s->addr[N_S1], SRV_PORT, s->l_s1, &e->olap_c1,
	      &f, NULL, NULL);
	settle(s, N_C1, P_OLAP);
	probe(s, N_C2, P_OLAP, s->addr[N_S2], SRV_PORT, s->l_s2, &e->olap_c2,
	      &f, NULL, NULL);
	fds_close(&f);
}

/* REQ-3: c1 listens where it is mapped; who else gets in? */
static void test_filter(struct suite *s)
{
	struct rfc_evidence *e = s->ev;
	struct fds f = {.n = 0};
	int l;

	e->filt_port = P_FILT;
	e->filt_s1_port = Q_FILT_S1;
	l = tcp_listen(s, N_C1, P_FILT);
	if (l < 0) {
		e->filt_map.out = RFC_OUT_ERROR;
		e->filt_map.err = -l;
		return;
	}
	probe(s, N_C1, P_FILT, s->addr[N_S1], SRV_PORT, s->l_s1, &e->filt_map,
	      &f, NULL, NULL);
	settle(s, N_C1, P_FILT);
	if (e->filt_map.out == RFC_OUT_OK) {
		probe(s, N_S2, Q_FILT_S2, s->addr[N_GW], e->filt_map.ext_port,
		      l, &e->filt_s2, &f, NULL, NULL);
		probe(s, N_S1, Q_FILT_S1, s->addr[N_GW], e->filt_map.ext_port,
		      l, &e->filt_s1, &f, NULL, NULL);
	}
	fds_close(&f);
	close(l);
}

/* REQ-8: c2 to c1's external address and port. */
static void test_hairpin(struct suite *s)
{
	struct rfc_evidence *e = s->ev;
	struct fds f = {.n = 0};
	int l;

	e->hp_port = P_HP;
	e->hp_sport = P_HP_C2;
	l = tcp_listen(s, N_C1, P_HP);
	if (l < 0) {
		e->hp_map.out = RFC_OUT_ERROR;
		e->hp_map.err = -l;
		return;
	}
	probe(s, N_C1, P_HP, s->addr[N_S1], SRV_PORT, s->l_s1, &e->hp_map, &f,
	      NULL, NULL);
	settle(s, N_C1, P_HP);
	if (e->hp_map.out == RFC_OUT_OK) {
		probe(s, N_C2, P_HP_C2, s->addr[N_GW], e->hp_map.ext_port, l,
		      &e->hp, &f, NULL, NULL);
		e->hp_seen_addr = e->hp.ext_addr;
		e->hp_seen_port = e->hp.ext_port;
		if (e->hp.out == RFC_OUT_OK) {
			/* c2's own mapping of that port, as a server sees
			 * it: REQ-8a wants the same. */
			settle(s, N_C2, P_HP_C2);
			probe(s, N_C2, P_HP_C2, s->addr[N_S1], SRV_PORT,
			      s->l_s1, &e->hp_out, &f, NULL, NULL);
		}
	}
	fds_close(&f);
	close(l);
}

/* REQ-2: an ordinary connection; then a simultaneous open. */
static int test_sequences(struct suite *s)
{
	struct rfc_evidence *e = s->ev;
	struct rfc_ct_entry ce;
	struct nft_batch *b;
	int c = -1, a = -1, err;
	uint64_t t0, t1;

	e->seq_port = P_SEQ;
	probe(s, N_C1, P_SEQ, s->addr[N_S1], SRV_PORT, s->l_s1, &e->seq, NULL,
	      &c, &a);
	if (e->seq.out == RFC_OUT_OK) {
		e->seq_data = (uint8_t)xfer(c, a);
		shutdown(c, SHUT_WR);
		if (wait_end(a, WAIT_CONNECT_MS) == 1) {
			close_fd(&a);
			e->seq_closed = wait_end(c, WAIT_CONNECT_MS) == 1;
		}
	}
	close_fd(&c);
	close_fd(&a);

	/* The client's SYN must stay unanswered while the server sends
	 * its own: s1 drops SYNs for the port it will connect from. */
	e->sim_port = P_SIM;
	e->sim_sport = Q_SIM;
	b = nft_batch_new();
	if (!b)
		return -ENOMEM;
	err = nft_syn_drop(b, Q_SIM);
	if (!err)
		err = nft_send_at(s, N_S1, b,
				  "s1: rule for the simultaneous open");
	nft_batch_free(b);
	if (err) {
		e->sim_c.out = RFC_OUT_ERROR;
		e->sim_c.err = -err;
		return 0;
	}
	c = tcp_socket(s, N_C1, P_SIM);
	t0 = now_us();
	err = c < 0 ? c : conn_start(c, s->addr[N_S1], Q_SIM);
	if (err) {
		e->sim_c.out = RFC_OUT_ERROR;
		e->sim_c.err = -err;
		close_fd(&c);
		return 0;
	}
	/* The gateway's entry for it: its state, and the mapping. */
	if (!ct_wait(s, P_SIM, Q_SIM, -1, TCP_CONNTRACK_NONE, 500, &ce)) {
		e->sim_state = (int8_t)ce.state;
		e->live_syn_sent = ce.timeout;
		e->sim_ext = ce.reply.dport;
		state_seen(s, ce.state);
	}
	a = tcp_socket(s, N_S1, Q_SIM);
	t1 = now_us();
	err = a < 0 ? a : conn_start(a, s->addr[N_GW], e->sim_ext);
	if (err || !e->sim_ext) {
		e->sim_s.out = RFC_OUT_ERROR;
		e->sim_s.err = err ? -err : ENOENT;
	} else {
		conn_wait(a, t1, WAIT_CONNECT_MS, &e->sim_s);
	}
	conn_wait(c, t0, WAIT_CONNECT_MS, &e->sim_c);
	if (e->sim_c.out == RFC_OUT_OK && e->sim_s.out == RFC_OUT_OK)
		e->sim_data = (uint8_t)xfer(c, a);
	if (!ct_c1(s, P_SIM, Q_SIM, &ce))
		state_seen(s, ce.state);
	close_fd(&c);
	close_fd(&a);
	return 0;
}

/* REQ-6: connections to ports that have helpers in the kernel. */
static void test_alg(struct suite *s)
{
	struct rfc_evidence *e = s->ev;
	struct rfc_ct_entry ce;
	struct rfc_conn c;
	struct fds f = {.n = 0};
	int i;

	for (i = 0; i < (int)ARRAY_SIZE(rfc_alg_ports); i++) {
		struct rfc_alg_probe *p = &e->alg[i];

		p->port = rfc_alg_ports[i];
		if (s->l_alg[i] < 0)
			continue;
		probe(s, N_C1, (uint16_t)(P_ALG + i), s->addr[N_S1], p->port,
		      s->l_alg[i], &c, &f, NULL, NULL);
		if (c.out == RFC_OUT_OK &&
		    !ct_c1(s, (uint16_t)(P_ALG + i), p->port, &ce)) {
			p->ok = 1;
			snprintf(p->helper, sizeof(p->helper), "%s", ce.helper);
		}
	}
	e->nalg = (int)ARRAY_SIZE(rfc_alg_ports);
	e->expectations = gw_expectations(s);
	fds_close(&f);
}

/* REQ-9 with UDP, and a PCP request for the parity row. */
static void test_udp(struct suite *s)
{
	struct rfc_evidence *e = s->ev;
	/* RFC 6887: version 2, ANNOUNCE, lifetime 0, the client's address
	 * as an IPv4-mapped IPv6 address. */
	uint8_t pcp[24] = {2, 0};
	uint32_t c1 = htonl(s->addr[N_C1]);

	e->udp_port = P_UDP;
	udp_probe(s, N_C1, P_UDP, s->addr[N_S1], UDP_CLOSED, "x", 1, &e->udp);
	pcp[18] = pcp[19] = 0xff;
	memcpy(pcp + 20, &c1, 4);
	udp_probe(s, N_C1, P_PCP, e->gw_in, PCP_PORT, pcp, sizeof(pcp),
		  &e->pcp);
}

/* REQ-10, and REQ-9 for TCP: an ICMP error about an established
 * connection, from the server. */
static void test_icmp(struct suite *s)
{
	struct rfc_evidence *e = s->ev;
	struct rfc_ct_entry ce;
	int c = -1, a = -1, cap;

	e->icmp_port = P_ICMP;
	probe(s, N_C1, P_ICMP, s->addr[N_S1], SRV_PORT, s->l_s1, &e->icmp_conn,
	      NULL, &c, &a);
	if (e->icmp_conn.out != RFC_OUT_OK)
		goto out;
	cap = cap_open(s, N_C1, s->c1_if);
	if (cap < 0)
		log_debug("capture at c1: %s", strerror(-cap));
	/* What s1 would quote: c1's segment as it arrived, from the
	 * gateway's address and c1's external port. */
	e->icmp_sent = send_unreach(s, N_S1, s->addr[N_GW], s->addr[N_GW],
				    e->icmp_conn.ext_port, s->addr[N_S1],
				    SRV_PORT) == 0;
	if (cap >= 0) {
		e->icmp_tcp_seen = (int8_t)cap_unreach(
			cap, 300, s->addr[N_S1], SRV_PORT, &e->icmp_inner_addr,
			&e->icmp_inner_port);
		close(cap);
	} else {
		rfcprobe_sleep_ms(100);
	}
	if (!ct_c1(s, P_ICMP, SRV_PORT, &ce)) {
		e->icmp_kept = 1;
		e->icmp_state = (int8_t)ce.state;
		e->icmp_port_after = ce.reply.dport;
	}
	e->icmp_data = (uint8_t)xfer(c, a);
out:
	close_fd(&c);
	close_fd(&a);
}

/* Parity and randomisation: 50 fresh ports from c1, then the same 50
 * from c2 while c1's connections hold them. */
static void test_port_choice(struct suite *s)
{
	struct rfc_evidence *e = s->ev;
	struct fds f = {.n = 0};
	struct rfc_conn c;
	int i, k;

	e->ports_base = P_PORTS;
	for (k = 0; k < 2 && !rfc_stop; k++) {
		uint16_t *out = k ? e->ports_c2 : e->ports_c1;

		for (i = 0; i < RFC_PORTS_N && !rfc_stop; i++) {
			probe(s, k ? N_C2 : N_C1, (uint16_t)(P_PORTS + i),
			      s->addr[N_S1], SRV_PORT, s->l_s1, &c, &f, NULL,
			      NULL);
			out[i] = c.out == RFC_OUT_OK ? c.ext_port : 0;
		}
	}
	fds_close(&f);
}

/* REQ-4 (b): the server's SYN first, the client's a moment later, from
 * the ports each aims at: a hole punched, if the NAT let the server's
 * SYN die quietly. */
static void test_punch(struct suite *s)
{
	struct rfc_evidence *e = s->ev;
	uint64_t ts, tc;
	int sfd, cfd, err;

	e->punch_port = P_PUNCH;
	e->punch_delay_ms = PUNCH_DELAY_MS;
	sfd = tcp_socket(s, N_S1, Q_PUNCH);
	ts = now_us();
	err = sfd < 0 ? sfd : conn_start(sfd, s->addr[N_GW], P_PUNCH);
	if (err) {
		e->punch_s.out = RFC_OUT_ERROR;
		e->punch_s.err = -err;
		close_fd(&sfd);
		return;
	}
	conn_wait(sfd, ts, PUNCH_DELAY_MS, &e->punch_s);
	cfd = tcp_socket(s, N_C1, P_PUNCH);
	tc = now_us();
	err = cfd < 0 ? cfd : conn_start(cfd, s->addr[N_S1], Q_PUNCH);
	if (err) {
		e->punch_c.out = RFC_OUT_ERROR;
		e->punch_c.err = -err;
	} else {
		conn_wait(cfd, tc, WAIT_CONNECT_MS, &e->punch_c);
	}
	if (e->punch_s.out == RFC_OUT_SILENT)
		conn_wait(sfd, ts, WAIT_CONNECT_MS, &e->punch_s);
	close_fd(&sfd);
	close_fd(&cfd);
}

/* REQ-4 (a): a SYN to an external port nobody mapped.  The first
 * 200 ms are waited for here, so that a quick answer is timed exactly;
 * after that the probe is watched while the timer tests run. */
static void unsol_start(struct suite *s)
{
	struct rfc_evidence *e = s->ev;
	int fd, err;

	e->unsol_port = P_UNSOL;
	e->unsol_window_ms = UNSOL_WINDOW_MS;
	fd = tcp_socket(s, N_S1, Q_UNSOL);
	s->unsol_t0 = now_us();
	err = fd < 0 ? fd : conn_start(fd, s->addr[N_GW], P_UNSOL);
	if (err) {
		e->unsol.out = RFC_OUT_ERROR;
		e->unsol.err = -err;
		close_fd(&fd);
		return;
	}
	conn_wait(fd, s->unsol_t0, 200, &e->unsol);
	e->unsol_syns = syns_sent(fd);
	if (e->unsol.out == RFC_OUT_SILENT)
		s->unsol_fd = fd;
	else
		close(fd);
}

/* Look at the REQ-4 probe; with final, wait out the rest of its window. */
static void unsol_poll(struct suite *s, int final)
{
	struct rfc_evidence *e = s->ev;
	int64_t left;

	if (s->unsol_fd < 0)
		return;
	left = final ? UNSOL_WINDOW_MS -
			       (int64_t)(now_us() - s->unsol_t0) / 1000
		     : 0;
	conn_wait(s->unsol_fd, s->unsol_t0, left > 0 ? (int)left : 0,
		  &e->unsol);
	e->unsol_syns = syns_sent(s->unsol_fd);
	if (e->unsol.out != RFC_OUT_SILENT || final)
		close_fd(&s->unsol_fd);
}

/* A connection from c1 to s1 closed by FINs; its entry's TIME_WAIT
 * timeout in *tw (-1: not seen).  Return: 0 or -errno. */
static int close_by_fin(struct suite *s, uint16_t port, int track, int32_t *tw)
{
	struct rfc_ct_entry ce;
	struct rfc_conn conn;
	int c, a, err;

	*tw = -1;
	probe(s, N_C1, port, s->addr[N_S1], SRV_PORT, s->l_s1, &conn, NULL, &c,
	      &a);
	if (conn.out != RFC_OUT_OK) {
		close_fd(&c);
		close_fd(&a);
		return -ECONNREFUSED;
	}
	if (track && !ct_c1(s, port, SRV_PORT, &ce)) {
		s->ev->live_est = ce.timeout;
		state_seen(s, ce.state);
	}
	shutdown(c, SHUT_WR);
	wait_end(a, WAIT_CONNECT_MS);
	if (track && !ct_wait(s, port, SRV_PORT, -1, TCP_CONNTRACK_ESTABLISHED,
			      300, &ce))
		state_seen(s, ce.state);
	close_fd(&a);
	wait_end(c, WAIT_CONNECT_MS);
	err = ct_wait(s, port, SRV_PORT, TCP_CONNTRACK_TIME_WAIT, -1, 300, &ce);
	if (!err) {
		*tw = ce.timeout;
		if (track)
			state_seen(s, ce.state);
	}
	close_fd(&c);
	return err;
}

/* A connection from c1 to s1 reset by s1; the entry's state after it in
 * *state (-1: gone) and its timeout in *left.  Return: 0 or -errno. */
static int close_by_rst(struct suite *s, uint16_t port, int track,
			int8_t *state, int32_t *left)
{
	struct rfc_ct_entry ce;
	struct rfc_conn conn;
	int c, a, err;

	*state = -1;
	*left = -1;
	probe(s, N_C1, port, s->addr[N_S1], SRV_PORT, s->l_s1, &conn, NULL, &c,
	      &a);
	if (conn.out != RFC_OUT_OK) {
		close_fd(&c);
		close_fd(&a);
		return -ECONNREFUSED;
	}
	close_rst(&a);
	if (wait_end(c, WAIT_CONNECT_MS) == 2 && track)
		s->ev->rst_translated = 1;
	err = ct_wait(s, port, SRV_PORT, TCP_CONNTRACK_CLOSE, -1, 300, &ce);
	if (!err || err == -ETIMEDOUT) {
		*state = (int8_t)ce.state;
		*left = ce.timeout;
		if (track)
			state_seen(s, ce.state);
	}
	close_fd(&c);
	return err == -ENOENT ? 0 : err;
}

/*
 * REQ-5 and the 7857 timer rows: an established entry's timeout, a FIN
 * close and a RST with the gateway's own timers, then both again with
 * the TIME_WAIT and CLOSE timers at SCALED_S, watching the entries go.
 */
static int test_timers(struct suite *s)
{
	struct rfc_evidence *e = s->ev;
	int32_t tw = e->timer[RFC_T_TIME_WAIT], cl = e->timer[RFC_T_CLOSE];
	int32_t t_tw, t_cl;
	uint64_t tw0 = 0, cl0 = 0, end;
	int8_t st;
	int err;

	close_by_fin(s, P_EST, 1, &e->live_time_wait);
	err = close_by_rst(s, P_RST, 1, &e->rst_state, &e->live_close);
	if (err == -ECONNREFUSED)
		e->rst_state = -2;
	if (tw < 0 || cl < 0 || rfc_stop)
		return rfc_stop ? -EINTR : 0;

	if (gw_sysctl_set(s, "tcp_timeout_time_wait", SCALED_S) ||
	    gw_sysctl_set(s, "tcp_timeout_close", SCALED_S))
		goto restore;
	e->scaled_s = SCALED_S;
	if (!close_by_fin(s, P_TWS, 0, &t_tw))
		tw0 = now_us();
	if (!close_by_rst(s, P_CLS, 0, &st, &t_cl) && st >= 0)
		cl0 = now_us();
	/* Watch both entries go; REQ-4's probe is watched meanwhile. */
	end = now_us() + (uint64_t)(SCALED_S + 3) * 1000000;
	while ((tw0 || cl0) && now_us() < end && !rfc_stop) {
		struct rfc_ct_entry ce;

		if (tw0 && ct_c1(s, P_TWS, SRV_PORT, &ce) == -ENOENT) {
			e->tw_gone_ms = (int32_t)((now_us() - tw0) / 1000);
			tw0 = 0;
		}
		if (cl0 && ct_c1(s, P_CLS, SRV_PORT, &ce) == -ENOENT) {
			e->close_gone_ms = (int32_t)((now_us() - cl0) / 1000);
			cl0 = 0;
		}
		unsol_poll(s, 0);
		rfcprobe_sleep_ms(10);
	}
restore:
	gw_sysctl_set(s, "tcp_timeout_time_wait", tw);
	gw_sysctl_set(s, "tcp_timeout_close", cl);
	return rfc_stop ? -EINTR : 0;
}

/* The sysctls natlab reads before anything else changes them. */
static void read_timers(struct suite *s)
{
	struct rfc_evidence *e = s->ev;
	char name[64];
	int i;

	for (i = 0; i < RFC_NTIMERS; i++) {
		snprintf(name, sizeof(name), "tcp_timeout_%s",
			 rfc_timer_names[i]);
		if (gw_sysctl_get(s, name, &e->timer[i]))
			e->timer[i] = -1;
	}
	if (gw_sysctl_get(s, "helper", &e->helper_sysctl))
		e->helper_sysctl = -1;
}

/* ---- the suite's standing sockets, and the whole run ---- */

int rfcprobe_open(struct suite *s)
{
	int i, err;

	err = ct_open(s);
	if (err)
		return err;
	s->l_s1 = tcp_listen(s, N_S1, SRV_PORT);
	if (s->l_s1 < 0)
		return s->l_s1;
	s->l_s2 = tcp_listen(s, N_S2, SRV_PORT);
	if (s->l_s2 < 0)
		return s->l_s2;
	for (i = 0; i < 4; i++)
		s->l_alg[i] = tcp_listen(s, N_S1, rfc_alg_ports[i]);
	return 0;
}

void rfcprobe_close(struct suite *s)
{
	int i;

	close_fd(&s->unsol_fd);
	close_fd(&s->l_s1);
	close_fd(&s->l_s2);
	for (i = 0; i < 4; i++)
		close_fd(&s->l_alg[i]);
	if (s->ct)
		mnl_socket_close(s->ct);
	s->ct = NULL;
	for (i = 0; i < N_NODES; i++)
		close_fd(&s->nsfd[i]);
}

int rfcprobe_run(struct suite *s)
{
	int err;

	read_timers(s);
	/* First: the gateway's own ICMP errors towards c1 share a rate
	 * limit with anything else it sends c1 (a redirect, say). */
	test_udp(s);
	test_eim(s);
	test_ports_shared(s);
	test_filter(s);
	test_hairpin(s);
	err = test_sequences(s);
	if (!err && !rfc_stop) {
		test_alg(s);
		test_icmp(s);
		test_port_choice(s);
		test_punch(s);
		unsol_start(s);
		err = test_timers(s);
	}
	if (!err && !rfc_stop)
		unsol_poll(s, 1);
	return err;
}
