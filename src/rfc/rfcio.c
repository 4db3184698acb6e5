/* rfcio.c - natlab rfc's I/O inside the lab's namespaces. */

/*
 * What the tests (rfctest.c) do their work with: sockets made inside the
 * lab's nodes as the traffic generator makes them (enter a node's
 * namespace, create the socket, return: the socket stays in that
 * namespace), the gateway's conntrack entries over ctnetlink and its
 * sysctls and rules, an ICMP error made by hand, and a capture at a
 * client where a socket cannot see what happened.
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

#include "lib/log.h"
#include "lib/netns.h"
#include "lib/nft.h"
#include "lib/pkt.h"
#include "lib/psock.h"
#include "lib/sysctl.h"
#include "lib/util.h"
#include "rfc/rfc_int.h"

/* ---- I/O: sockets inside the lab's nodes ---- */

static void fds_add(struct fds *f, int fd)
{
	if (fd < 0)
		return;
	if ((size_t)f->n < ARRAY_SIZE(f->v))
		f->v[f->n++] = fd;
	else
		close(fd);
}

void rfcio_fds_close(struct fds *f)
{
	while (f->n > 0)
		close(f->v[--f->n]);
}

void rfcio_close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

uint64_t rfcio_now_us(void)
{
	return util_now_ns() / 1000;
}

int rfcio_sleep_ms(int ms)
{
	uint64_t end = util_now_ns() + (uint64_t)ms * 1000000;

	while (!util_stop) {
		uint64_t now = util_now_ns();

		if (now >= end)
			return 0;
		usleep(end - now > 10000000 ? 10000 : (end - now) / 1000 + 1);
	}
	return -EINTR;
}

/* poll() in slices, so that a stop request is seen within 100 ms. */
int rfcio_poll(struct pollfd *p, nfds_t n, int timeout_ms)
{
	uint64_t end = util_now_ns() + (uint64_t)timeout_ms * 1000000;
	int r;

	for (;;) {
		uint64_t now = util_now_ns();
		int slice = now >= end ? 0 : (int)((end - now) / 1000000);

		if (slice > 100)
			slice = 100;
		r = poll(p, n, slice);
		if (r != 0 || now >= end || util_stop)
			return r < 0 && errno == EINTR ? 0 : r;
	}
}

int rfcio_sock_at(struct suite *s, int n, int domain, int type, int proto)
{
	int fd, err = netns_enter(s->nsfd[n]);

	if (err)
		return err;
	fd = socket(domain, type | SOCK_CLOEXEC | SOCK_NONBLOCK, proto);
	err = fd < 0 ? -errno : 0;
	netns_leave();
	return fd < 0 ? err : fd;
}

int rfcio_set_int(int fd, int level, int name, int v)
{
	return setsockopt(fd, level, name, &v, sizeof(v)) < 0 ? -errno : 0;
}

struct sockaddr_in rfcio_sin(uint32_t addr, uint16_t port)
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
int rfcio_tcp_socket(struct suite *s, int n, uint16_t sport)
{
	struct sockaddr_in a = rfcio_sin(INADDR_ANY, sport);
	int fd = rfcio_sock_at(s, n, AF_INET, SOCK_STREAM, 0), err;

	if (fd < 0)
		return fd;
	err = rfcio_set_int(fd, SOL_SOCKET, SO_REUSEADDR, 1);
	if (!err)
		err = rfcio_set_int(fd, SOL_SOCKET, SO_REUSEPORT, 1);
	/* ICMP errors while connecting, to tell them from a RST. */
	if (!err)
		err = rfcio_set_int(fd, IPPROTO_IP, IP_RECVERR, 1);
	if (!err && sport && bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0)
		err = -errno;
	if (err) {
		close(fd);
		return err;
	}
	return fd;
}

int rfcio_tcp_listen(struct suite *s, int n, uint16_t port)
{
	int fd = rfcio_tcp_socket(s, n, port);

	if (fd >= 0 && listen(fd, 256) < 0) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

int rfcio_conn_start(int fd, uint32_t daddr, uint16_t dport)
{
	struct sockaddr_in a = rfcio_sin(daddr, dport);

	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0 ||
	    errno == EINPROGRESS)
		return 0;
	return -errno;
}

int rfcio_errqueue(int fd, struct rfc_icmp_seen *seen)
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
		seen->seen = 1;
		seen->type = ee.ee_type;
		seen->code = ee.ee_code;
		seen->info = ee.ee_info;
		seen->from = ntohl(from.sin_addr.s_addr);
		return 1;
	}
	return 2; /* an entry, not from ICMP */
}

/* The ICMP error queued on a socket with IP_RECVERR, if any, as c's
 * outcome. */
static int errqueue_icmp(int fd, struct rfc_conn *c)
{
	struct rfc_icmp_seen seen = {0};

	int got;

	while ((got = rfcio_errqueue(fd, &seen)) == 2) /* not ICMP: next */
		;
	if (!got)
		return 0;
	c->out = RFC_OUT_ICMP;
	c->icmp_type = seen.type;
	c->icmp_code = seen.code;
	c->icmp_from = seen.from;
	return 1;
}

/*
 * Wait up to timeout_ms for a connect() begun at t0 (us) to end: OK, a
 * RST (ECONNREFUSED with no ICMP queued), an ICMP error, or silence.
 */
void rfcio_conn_wait(int fd, uint64_t t0, int timeout_ms, struct rfc_conn *c)
{
	struct pollfd p = {.fd = fd, .events = POLLOUT};
	socklen_t len = sizeof(int);
	int r, soerr = 0;

	r = rfcio_poll(&p, 1, timeout_ms);
	c->us = (uint32_t)(rfcio_now_us() - t0);
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
		rfcio_set_int(fd, IPPROTO_IP, IP_RECVERR, 0);
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

	if (rfcio_poll(&p, 1, timeout_ms) <= 0)
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
void rfcio_seen(struct suite *s, uint32_t addr)
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
 * the acceptor saw.  The two sockets go to f, or to *cfd and *afd (-1
 * where there is none); the caller closes them.
 */
void rfcio_probe(struct suite *s, int n, uint16_t sport, uint32_t daddr,
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
	fd = rfcio_tcp_socket(s, n, sport);
	if (fd < 0) {
		c->out = RFC_OUT_ERROR;
		c->err = -fd;
		return;
	}
	t0 = rfcio_now_us();
	err = rfcio_conn_start(fd, daddr, dport);
	if (err) {
		c->out = RFC_OUT_ERROR;
		c->err = -err;
		close(fd);
		return;
	}
	rfcio_conn_wait(fd, t0, WAIT_CONNECT_MS, c);
	if (c->out == RFC_OUT_OK && lfd >= 0) {
		afd_ = accept_peer(lfd, WAIT_ACCEPT_MS, &c->ext_addr,
				   &c->ext_port);
		if (afd_ < 0) {
			c->out = RFC_OUT_ERROR;
			c->err = -afd_;
		} else if (lfd == s->l_s1 || lfd == s->l_s2 ||
			   (lfd == s->l_alg[0] || lfd == s->l_alg[1] ||
			    lfd == s->l_alg[2] || lfd == s->l_alg[3])) {
			rfcio_seen(s, c->ext_addr);
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
	if (rfcio_poll(&p, 1, WAIT_CONNECT_MS) != 1)
		return 0;
	return recv(to, buf, sizeof(buf), 0) == 1;
}

int rfcio_xfer(int a, int b)
{
	return a >= 0 && b >= 0 && xfer1(a, b) && xfer1(b, a);
}

/* Wait for the peer's FIN (1) or RST (2); 0: neither in time. */
int rfcio_wait_end(int fd, int timeout_ms)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	char buf[64];
	ssize_t n;

	if (rfcio_poll(&p, 1, timeout_ms) != 1)
		return 0;
	n = recv(fd, buf, sizeof(buf), 0);
	if (n == 0)
		return 1;
	return n < 0 && errno == ECONNRESET ? 2 : 0;
}

/* Close with a RST (SO_LINGER {1, 0}). */
void rfcio_close_rst(int *fd)
{
	struct linger l = {.l_onoff = 1, .l_linger = 0};

	if (*fd >= 0)
		setsockopt(*fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
	rfcio_close_fd(fd);
}

/* SYNs sent by a connecting socket: the first and its retransmissions. */
uint8_t rfcio_syns_sent(int fd)
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
void rfcio_udp_probe(struct suite *s, int n, uint16_t sport, uint32_t daddr,
		     uint16_t dport, const void *msg, size_t len,
		     struct rfc_conn *c)
{
	struct sockaddr_in src = rfcio_sin(INADDR_ANY, sport);
	struct sockaddr_in dst = rfcio_sin(daddr, dport);
	struct pollfd p = {.events = POLLIN};
	char buf[256];
	uint64_t t0;
	int fd, r;

	memset(c, 0, sizeof(*c));
	fd = rfcio_sock_at(s, n, AF_INET, SOCK_DGRAM, 0);
	if (fd < 0) {
		c->out = RFC_OUT_ERROR;
		c->err = -fd;
		return;
	}
	if (rfcio_set_int(fd, IPPROTO_IP, IP_RECVERR, 1) ||
	    bind(fd, (struct sockaddr *)&src, sizeof(src)) < 0 ||
	    connect(fd, (struct sockaddr *)&dst, sizeof(dst)) < 0) {
		c->out = RFC_OUT_ERROR;
		c->err = errno;
		close(fd);
		return;
	}
	t0 = rfcio_now_us();
	if (send(fd, msg, len, 0) < 0 && errno != ECONNREFUSED) {
		c->out = RFC_OUT_ERROR;
		c->err = errno;
		close(fd);
		return;
	}
	p.fd = fd;
	r = rfcio_poll(&p, 1, WAIT_CONNECT_MS);
	c->us = (uint32_t)(rfcio_now_us() - t0);
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

int rfcio_ct_open(struct suite *s)
{
	int err = netns_enter(s->nsfd[N_GW]);

	if (err)
		return err;
	err = netlink_open(&s->ct, NETLINK_NETFILTER);
	netns_leave();
	return err;
}

int rfcio_ct_get(struct suite *s, uint8_t proto, uint32_t src, uint16_t sport,
		 uint32_t dst, uint16_t dport, struct ct_entry *e)
{
	struct ct_tuple t = {src, dst, sport, dport, proto};

	if (!s->ct.sk) {
		memset(e, 0, sizeof(*e));
		e->state = -1;
		e->timeout = -1;
		return -ENOTCONN;
	}
	return ct_get(&s->ct, &t, e);
}

/* c1's entry towards s1 from sport to dport. */
int rfcio_ct_c1(struct suite *s, uint16_t sport, uint16_t dport,
		struct ct_entry *e)
{
	return rfcio_ct_get(s, IPPROTO_TCP, s->addr[N_C1], sport, s->addr[N_S1],
			    dport, e);
}

/* Wait up to ms for c1's entry to reach state want (-1: any state
 * other than not_state).  Return: 0, -ENOENT (gone), -ETIMEDOUT. */
int rfcio_ct_wait(struct suite *s, uint16_t sport, uint16_t dport, int want,
		  int not_state, int ms, struct ct_entry *e)
{
	uint64_t end = util_now_ns() + (uint64_t)ms * 1000000;
	int err;

	for (;;) {
		err = rfcio_ct_c1(s, sport, dport, e);
		if (err)
			return err;
		if (want >= 0 ? e->state == want : e->state != not_state)
			return 0;
		if (util_now_ns() >= end || rfcio_sleep_ms(5))
			return -ETIMEDOUT;
	}
}

/* A conntrack state seen, for the session tracking row (repeats of the
 * last one are left out). */
void rfcio_state_seen(struct suite *s, int state)
{
	struct rfc_evidence *e = s->ev;

	if (state < 0 || e->nstates == RFC_STATES_MAX ||
	    (e->nstates && e->states[e->nstates - 1] == state))
		return;
	e->states[e->nstates++] = (int8_t)state;
}

/* net.netfilter.nf_conntrack_NAME of the gateway. */
int rfcio_gw_sysctl_get(struct suite *s, const char *name, int32_t *v)
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

int rfcio_gw_sysctl_set(struct suite *s, const char *name, int32_t v)
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
int32_t rfcio_gw_expectations(struct suite *s)
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
int rfcio_nft_send_at(struct suite *s, int n, struct nft_batch *b,
		      const char *what)
{
	char why[512];
	int err = netns_enter(s->nsfd[n]);

	if (err)
		return err;
	err = nft_batch_send(b, NULL, why, sizeof(why));
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
int rfcio_sendto(int fd, uint32_t to, uint16_t port, const void *buf,
		 size_t len)
{
	struct sockaddr_in a = rfcio_sin(to, port);
	int tries;

	/* An ICMP error an earlier datagram drew (IP_RECVERR sets sk_err)
	 * fails the next send once, and is cleared by it. */
	for (tries = 0; fd >= 0 && tries < 2; tries++) {
		if (sendto(fd, buf, len, 0, (struct sockaddr *)&a, sizeof(a)) ==
		    (ssize_t)len)
			return 0;
		if (errno != ECONNREFUSED && errno != EHOSTUNREACH)
			return -errno;
	}
	return fd < 0 ? -EBADF : -errno;
}

int rfcio_udp_bind(struct suite *s, int n, uint16_t port)
{
	struct sockaddr_in a = rfcio_sin(INADDR_ANY, port);
	int fd = rfcio_sock_at(s, n, AF_INET, SOCK_DGRAM, 0);

	if (fd < 0)
		return fd;
	if (rfcio_set_int(fd, SOL_SOCKET, SO_REUSEADDR, 1) ||
	    rfcio_set_int(fd, IPPROTO_IP, IP_RECVERR, 1) ||
	    bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

int rfcio_raw_send(struct suite *s, int n, int proto, uint32_t to,
		   const void *buf, size_t len)
{
	int fd = rfcio_sock_at(s, n, AF_INET, SOCK_RAW, proto), err;

	if (fd < 0)
		return fd;
	err = rfcio_sendto(fd, to, 0, buf, len);
	close(fd);
	return err;
}

int rfcio_send_unreach(struct suite *s, int n, uint32_t to, uint8_t proto,
		       uint32_t in_src, uint16_t in_sport, uint32_t in_dst,
		       uint16_t in_dport)
{
	uint8_t pkt[8 + 28], quote[28];

	if (proto == IPPROTO_UDP)
		pkt_ipv4_udp_quote(quote, in_src, in_sport, in_dst, in_dport);
	else
		pkt_ipv4_tcp_quote(quote, in_src, in_sport, in_dst, in_dport);
	pkt_icmp_unreach(pkt, sizeof(pkt), quote, sizeof(quote));
	return rfcio_raw_send(s, n, IPPROTO_ICMP, to, pkt, sizeof(pkt));
}

/* A packet socket on node n's interface, IPv4 only. */
int rfcio_cap_open(struct suite *s, int n, const char *ifname)
{
	int fd, err = netns_enter(s->nsfd[n]);

	if (err)
		return err;
	fd = psock_open(ETH_P_IP, ifname, SOCK_NONBLOCK);
	netns_leave();
	return fd;
}

/*
 * Wait up to ms for an ICMP destination unreachable on the capture whose
 * quoted segment is TCP to in_dst:in_dport; its quoted source in *addr,
 * *port.  Return: 1 seen, 0 not.
 */
size_t rfcio_cap_next(int fd, uint64_t end_ns, uint8_t *buf, size_t len)
{
	while (!util_stop && util_now_ns() < end_ns) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		ssize_t n;

		if (poll(&p, 1, 10) <= 0)
			continue;
		n = recv(fd, buf, len, 0);
		if (n >= 20 && (buf[0] >> 4) == 4)
			return (size_t)n;
	}
	return 0;
}

int rfcio_cap_unreach(int fd, int ms, uint32_t in_dst, uint16_t in_dport,
		      uint32_t *addr, uint16_t *port)
{
	uint64_t end = util_now_ns() + (uint64_t)ms * 1000000;
	uint8_t buf[2048];
	size_t n;

	while ((n = rfcio_cap_next(fd, end, buf, sizeof(buf))) > 0) {
		const uint8_t *icmp, *in;
		size_t ihl, iihl;
		uint32_t v;
		uint16_t v16;

		if (buf[9] != IPPROTO_ICMP)
			continue;
		ihl = (size_t)(buf[0] & 0xf) * 4;
		if (n < ihl + 8 + 20 + 4)
			continue;
		icmp = buf + ihl;
		in = icmp + 8;
		iihl = (size_t)(in[0] & 0xf) * 4;
		if (icmp[0] != ICMP_UNREACH || in[9] != IPPROTO_TCP ||
		    n < ihl + 8 + iihl + 4)
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
void rfcio_settle(struct suite *s, int n, uint8_t proto, uint16_t port)
{
	uint64_t end = util_now_ns() + 500000000ull;
	int has = 0;

	if (!s->keeper || netns_enter(s->nsfd[N_GW]))
		return;
	while ((has = nft_fullcone_has(proto, s->addr[n], port)) == 0 &&
	       util_now_ns() < end)
		usleep(2000);
	netns_leave();
	if (has != 1)
		log_debug("keeper: no mapping for %s port %u after 500 ms%s%s",
			  s->t->nodes[s->node[n]].name, port,
			  has < 0 ? ": " : "", has < 0 ? strerror(-has) : "");
}
