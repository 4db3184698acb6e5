/* rfctest_udp.c - natlab rfc's UDP tests (RFC 4787, and RFC 7857's
 * sections about mappings of every protocol). */

/*
 * Theory of operation
 *
 * Three servers' sockets stand for the far ends RFC 4787 compares:
 * s1:3478, s1:3479 (same address, other port) and s2:3478 (other
 * address).  A client sends from a port it binds; the server's
 * recvfrom() gives the external address and port the gateway chose,
 * which is all REQ-1, REQ-3, REQ-4 and REQ-9a need.  Filtering (REQ-8)
 * is the other way: once a client's datagram made a mapping, each server
 * sends to it and the client's socket says whether it arrived.
 *
 * Timers are read, not waited for: the gateway's sysctls and the live
 * entry's timeout over ctnetlink, before and after a datagram (REQ-5,
 * REQ-6, RFC 7857 section 7.1).  REQ-13 lowers the gateway's outside MTU
 * for the two datagrams that need it and puts it back; REQ-14 and RFC
 * 7857 section 10 write their IPv4 headers themselves (raw sockets with
 * the header included) to send fragments out of order and to choose IP
 * identifications.  Every test uses ports of its own (433xx-442xx), so
 * that no entry of one test is taken for another's.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include "lib/ct.h"
#include "lib/log.h"
#include "lib/netns.h"
#include "lib/pkt.h"
#include "lib/util.h"
#include "rfc/rfc_int.h"

#define U_Q	   3478 /* the servers' port */
#define U_Q2	   3479 /* s1's other port */
#define U_MAP	   43101
#define U_MAP2	   44201 /* REQ-11: the mapping test again */
#define U_MAP3	   43102 /* REQ-1 from a port c2 holds */
#define U_FILT	   43201
#define U_FILT2	   44202
#define U_OVL	   43301
#define U_LOW	   700
#define U_PAR	   43400
#define U_TIMER	   43501
#define U_REFRESH  43502
#define U_OUTREF   43503
#define U_PROTO	   43601 /* RFC 7857 section 5 */
#define U_EIFP	   43602 /* RFC 7857 section 6 */
#define U_IPID	   43604
#define U_HP_C1	   43701
#define U_HP_C2	   43702
#define U_ALG	   43801
#define U_ICMP	   43901
#define U_DF	   44001
#define U_NODF	   44002
#define U_OOO	   44203
#define U_WAIT_MS  300 /* for a datagram that may not come */
#define U_MTU	   1280
#define U_BIG	   1400
#define U_IPID_VAL 4660
#define REFRESH_MS 2100

/* The servers' sockets: s1:3478, s1:3479, s2:3478. */
enum { SV_S1, SV_S1Q2, SV_S2, SV_N };

struct udp_ctx {
	struct suite *s;
	struct rfc_udp_ev *u;
	int sv[SV_N];
	uint32_t sv_addr[SV_N];
	uint16_t sv_port[SV_N];
};

/* Send len bytes (a letter repeated) to addr:port; d->sent. */
static void udp_to(int fd, uint32_t addr, uint16_t port, size_t len,
		   struct rfc_dgram *d)
{
	char buf[U_BIG];

	if (len > sizeof(buf))
		len = sizeof(buf);
	memset(buf, 'n', len);
	if (!rfcio_sendto(fd, addr, port, buf, len))
		d->sent = 1;
}

/* Wait up to ms for a datagram on fd: d->seen, its source.  Return: its
 * length, or -1 when none came. */
static ssize_t udp_from(int fd, int ms, struct rfc_dgram *d)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	struct sockaddr_in a;
	socklen_t alen = sizeof(a);
	char buf[2048];
	ssize_t n;

	if (fd < 0 || rfcio_poll(&p, 1, ms) <= 0 || !(p.revents & POLLIN))
		return -1;
	n = recvfrom(fd, buf, sizeof(buf), MSG_DONTWAIT, (struct sockaddr *)&a,
		     &alen);
	if (n < 0)
		return -1;
	d->seen = 1;
	d->addr = ntohl(a.sin_addr.s_addr);
	d->port = ntohs(a.sin_port);
	return n;
}

/* Drop whatever waits on fd: datagrams, and ICMP errors, so that the
 * next wait sees only what the next probe draws. */
static void udp_drain(int fd)
{
	struct rfc_icmp_seen seen;
	char buf[2048];

	if (fd < 0)
		return;
	while (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) >= 0)
		;
	while (rfcio_errqueue(fd, &seen) > 0)
		;
}

/* A datagram from fd to server k, and what server k saw of it. */
static void to_server(struct udp_ctx *x, int fd, int k, struct rfc_dgram *d)
{
	udp_drain(x->sv[k]);
	udp_to(fd, x->sv_addr[k], x->sv_port[k], 8, d);
	if (d->sent)
		udp_from(x->sv[k], WAIT_CONNECT_MS, d);
}

/* A datagram from server k to the mapping m; 1 if fd got it. */
static int from_server(struct udp_ctx *x, int k, int fd,
		       const struct rfc_dgram *m)
{
	struct rfc_dgram d = {0};

	udp_drain(fd);
	if (rfcio_sendto(x->sv[k], m->addr, m->port, "in", 2))
		return 0;
	return udp_from(fd, U_WAIT_MS, &d) > 0;
}

/* REQ-1 (and REQ-11's repeat k = 1): one port to the three servers. */
static void test_mapping(struct udp_ctx *x, int k, uint16_t port)
{
	int fd = rfcio_udp_bind(x->s, N_C1, port), j;

	if (fd < 0)
		return;
	for (j = 0; j < SV_N; j++) {
		to_server(x, fd, j, &x->u->map[k][j]);
		if (!j)
			rfcio_settle(x->s, N_C1, IPPROTO_UDP, port);
	}
	close(fd);
}

/* REQ-1 again, from a port c2 already holds towards s2:3478. */
static void test_mapping_held(struct udp_ctx *x)
{
	int fd = rfcio_udp_bind(x->s, N_C2, U_MAP3);

	if (fd < 0)
		return;
	to_server(x, fd, SV_S2, &x->u->held);
	rfcio_settle(x->s, N_C2, IPPROTO_UDP, U_MAP3);
	if (x->u->held.seen)
		test_mapping(x, 2, U_MAP3);
	close(fd);
}

/* REQ-8 (and REQ-11's repeat): a mapping towards s1:3478, then each
 * server sends to it. */
static void test_filtering(struct udp_ctx *x, int k, uint16_t port)
{
	int fd = rfcio_udp_bind(x->s, N_C1, port), j;
	struct rfc_dgram *m = &x->u->filt_map[k];

	if (fd < 0)
		return;
	to_server(x, fd, SV_S1, m);
	if (m->seen) {
		rfcio_settle(x->s, N_C1, IPPROTO_UDP, port);
		x->u->filt_ran[k] = 1;
		for (j = 0; j < SV_N; j++)
			x->u->filt_in[k][j] = (uint8_t)from_server(x, j, fd, m);
	}
	close(fd);
}

/* REQ-3 and REQ-3a,b: c1 and c2 from one port to s1:3478 at once. */
static void test_overload(struct udp_ctx *x, uint16_t port,
			  struct rfc_dgram *d1, struct rfc_dgram *d2)
{
	int f1 = rfcio_udp_bind(x->s, N_C1, port),
	    f2 = rfcio_udp_bind(x->s, N_C2, port);

	if (f1 >= 0 && f2 >= 0) {
		to_server(x, f1, SV_S1, d1);
		rfcio_settle(x->s, N_C1, IPPROTO_UDP, port);
		to_server(x, f2, SV_S1, d2);
	}
	if (f1 >= 0)
		close(f1);
	if (f2 >= 0)
		close(f2);
}

/* REQ-4: c1 holds RFC_UDP_PARITY_N ports towards s1:3478; c2 sends from
 * the same ones, so each of its mappings must take another port. */
static void test_parity(struct udp_ctx *x)
{
	int f1[RFC_UDP_PARITY_N], i;

	for (i = 0; i < RFC_UDP_PARITY_N; i++) {
		struct rfc_dgram d = {0};

		x->u->par_src[i] = (uint16_t)(U_PAR + i);
		f1[i] = rfcio_udp_bind(x->s, N_C1, x->u->par_src[i]);
		to_server(x, f1[i], SV_S1, &d);
	}
	for (i = 0; i < RFC_UDP_PARITY_N && !util_stop; i++) {
		struct rfc_dgram d = {0};
		int f2 = rfcio_udp_bind(x->s, N_C2, x->u->par_src[i]);

		if (f2 < 0)
			continue;
		to_server(x, f2, SV_S1, &d);
		if (d.seen)
			x->u->par_c2[i] = d.port;
		close(f2);
	}
	for (i = 0; i < RFC_UDP_PARITY_N; i++)
		if (f1[i] >= 0)
			close(f1[i]);
}

/* The timeout of c1's UDP entry from port to s1:3478; -1 if unread. */
static int32_t entry_timeout(struct suite *s, uint16_t port)
{
	struct ct_entry e;

	if (rfcio_ct_get(s, IPPROTO_UDP, s->addr[N_C1], port, s->addr[N_S1],
			 U_Q, &e))
		return -1;
	return e.timeout;
}

/* A mapping of c1's port towards s1:3478 that has seen a reply: fd, and
 * the mapping in *m.  Return: the fd or -errno. */
static int replied_mapping(struct udp_ctx *x, uint16_t port,
			   struct rfc_dgram *m)
{
	int fd = rfcio_udp_bind(x->s, N_C1, port);

	if (fd < 0)
		return fd;
	to_server(x, fd, SV_S1, m);
	if (m->seen)
		from_server(x, SV_S1, fd, m);
	return fd;
}

/* REQ-5, REQ-6 and RFC 7857 section 7.1: timeouts of live entries, before
 * and after a datagram each way and an ICMP error sent from inside. */
static void test_timers(struct udp_ctx *x)
{
	struct rfc_udp_ev *u = x->u;
	struct rfc_dgram m = {0}, r = {0}, o = {0}, d = {0};
	int ft, fr, fo;

	rfcio_gw_sysctl_get(x->s, "udp_timeout", &u->udp_timeout);
	rfcio_gw_sysctl_get(x->s, "udp_timeout_stream", &u->udp_stream);
	ft = rfcio_udp_bind(x->s, N_C1, U_TIMER);
	to_server(x, ft, SV_S1, &m);
	u->live_unreplied = entry_timeout(x->s, U_TIMER);
	if (m.seen && from_server(x, SV_S1, ft, &m))
		u->live_replied = entry_timeout(x->s, U_TIMER);
	fr = replied_mapping(x, U_REFRESH, &r);
	fo = replied_mapping(x, U_OUTREF, &o);
	u->ref_wait_ms = REFRESH_MS;
	if (!rfcio_sleep_ms(REFRESH_MS)) {
		u->ref_out_before = entry_timeout(x->s, U_REFRESH);
		udp_to(fr, x->sv_addr[SV_S1], U_Q, 8, &d);
		rfcio_sleep_ms(20);
		u->ref_out_after = entry_timeout(x->s, U_REFRESH);
		u->err_before = entry_timeout(x->s, U_OUTREF);
		u->err_sent =
			rfcio_send_unreach(x->s, N_C1, x->s->addr[N_S1],
					   IPPROTO_UDP, x->s->addr[N_S1], U_Q,
					   x->s->addr[N_C1], U_OUTREF) == 0;
		rfcio_sleep_ms(20);
		u->err_after = entry_timeout(x->s, U_OUTREF);
	}
	if (!rfcio_sleep_ms(REFRESH_MS) && r.seen) {
		u->ref_in_before = entry_timeout(x->s, U_REFRESH);
		u->ref_in_got = (uint8_t)from_server(x, SV_S1, fr, &r);
		u->ref_in_after = entry_timeout(x->s, U_REFRESH);
	}
	if (ft >= 0)
		close(ft);
	if (fr >= 0)
		close(fr);
	if (fo >= 0)
		close(fo);
}

/* REQ-9: c2 to c1's mapping; the source c1 saw. */
static void test_hairpin(struct udp_ctx *x)
{
	struct rfc_udp_ev *u = x->u;
	int f1 = rfcio_udp_bind(x->s, N_C1, U_HP_C1),
	    f2 = rfcio_udp_bind(x->s, N_C2, U_HP_C2);

	if (f1 >= 0 && f2 >= 0) {
		to_server(x, f1, SV_S1, &u->hp_c1map);
		to_server(x, f2, SV_S1, &u->hp_c2map);
		rfcio_settle(x->s, N_C1, IPPROTO_UDP, U_HP_C1);
		rfcio_settle(x->s, N_C2, IPPROTO_UDP, U_HP_C2);
		if (u->hp_c1map.seen) {
			udp_drain(f1);
			udp_to(f2, u->hp_c1map.addr, u->hp_c1map.port, 8,
			       &u->hp);
			udp_from(f1, U_WAIT_MS, &u->hp);
		}
	}
	if (f1 >= 0)
		close(f1);
	if (f2 >= 0)
		close(f2);
}

/* REQ-10: datagrams to s1's sip and tftp ports; their entries' helpers. */
static void test_alg(struct udp_ctx *x)
{
	static const uint16_t ports[2] = {5060, 69};
	int i;

	for (i = 0; i < 2; i++) {
		struct rfc_dgram d = {0};
		struct ct_entry e;
		int fd = rfcio_udp_bind(x->s, N_C1, (uint16_t)(U_ALG + i));

		x->u->alg_read[i] = -1;
		if (fd < 0)
			continue;
		udp_to(fd, x->s->addr[N_S1], ports[i], 8, &d);
		rfcio_sleep_ms(20);
		if (d.sent && !rfcio_ct_get(x->s, IPPROTO_UDP, x->s->addr[N_C1],
					    (uint16_t)(U_ALG + i),
					    x->s->addr[N_S1], ports[i], &e)) {
			x->u->alg_read[i] = 1;
			snprintf(x->u->alg_helper[i],
				 sizeof(x->u->alg_helper[i]), "%s", e.helper);
		}
		close(fd);
	}
}

/* Wait up to ms for an ICMP error on fd. */
static void wait_error(int fd, int ms, struct rfc_icmp_seen *seen)
{
	struct pollfd p = {.fd = fd, .events = 0};

	if (fd >= 0 && rfcio_poll(&p, 1, ms) > 0 && (p.revents & POLLERR))
		while (rfcio_errqueue(fd, seen) == 2) /* not ICMP: the next */
			;
}

/* REQ-12: ICMP port unreachable about c1's mapping from s1, then s2. */
static void test_icmp(struct udp_ctx *x)
{
	struct rfc_udp_ev *u = x->u;
	struct suite *s = x->s;
	int fd = replied_mapping(x, U_ICMP, &u->icmp_map), n;
	struct ct_entry e;

	if (fd < 0 || !u->icmp_map.seen)
		goto out;
	for (n = N_S1; n <= N_S2; n++) {
		struct rfc_icmp_seen *seen =
			n == N_S1 ? &u->icmp_s1 : &u->icmp_s2;

		if (rfcio_send_unreach(s, n, u->icmp_map.addr, IPPROTO_UDP,
				       u->icmp_map.addr, u->icmp_map.port,
				       s->addr[N_S1], U_Q))
			continue;
		*(n == N_S1 ? &u->icmp_s1_sent : &u->icmp_s2_sent) = 1;
		wait_error(fd, U_WAIT_MS, seen);
	}
	u->icmp_entry_kept =
		(int8_t)(rfcio_ct_get(s, IPPROTO_UDP, s->addr[N_C1], U_ICMP,
				      s->addr[N_S1], U_Q, &e) == 0);
	to_server(x, fd, SV_S1, &u->icmp_after);
out:
	if (fd >= 0)
		close(fd);
}

/* Set the MTU of node n's interface ifname; the old one in *old.
 * Return: 0 or -errno. */
static int set_mtu(struct suite *s, int n, const char *ifname, int mtu,
		   int *old)
{
	struct ifreq ifr;
	int fd = rfcio_sock_at(s, n, AF_INET, SOCK_DGRAM, 0), err = 0;

	if (fd < 0)
		return fd;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (old && ioctl(fd, SIOCGIFMTU, &ifr) == 0)
		*old = ifr.ifr_mtu;
	ifr.ifr_mtu = mtu;
	if (ioctl(fd, SIOCSIFMTU, &ifr) < 0)
		err = -errno;
	close(fd);
	return err;
}

/* Count the IPv4 fragments from src on the capture fd for ms: the
 * number, and whether the first one seen was the datagram's first. */
static void count_fragments(int fd, int ms, uint32_t src, uint8_t *n,
			    uint8_t *first_first)
{
	uint64_t end = util_now_ns() + (uint64_t)ms * 1000000;
	uint8_t buf[2048];

	while (rfcio_cap_next(fd, end, buf, sizeof(buf))) {
		uint32_t a;
		uint16_t frag;

		memcpy(&a, buf + 12, 4);
		memcpy(&frag, buf + 6, 2);
		frag = ntohs(frag);
		if (buf[9] != IPPROTO_UDP || ntohl(a) != src ||
		    !(frag & (IP_MF | IP_OFFMASK)))
			continue;
		if (!*n)
			*first_first = (frag & IP_OFFMASK) == 0;
		(*n)++;
	}
}

/* REQ-13: the gateway's outside MTU at U_MTU; U_BIG bytes from c1 with
 * DF, then without. */
static void test_big(struct udp_ctx *x)
{
	struct rfc_udp_ev *u = x->u;
	struct suite *s = x->s;
	const struct topo *t = s->t;
	const char *out_if = t->nets[t->nodes[s->node[N_GW]].ifs[1].net].name;
	const char *s1_if = t->nets[t->nodes[s->node[N_S1]].ifs[0].net].name;
	struct rfc_dgram d = {0}, got = {0};
	int old = 1500, fd, cap;

	if (set_mtu(s, N_GW, out_if, U_MTU, &old))
		return;
	u->mtu = U_MTU;
	u->big_len = U_BIG;
	fd = rfcio_udp_bind(s, N_C1, U_DF);
	if (fd >= 0 && !rfcio_set_int(fd, IPPROTO_IP, IP_MTU_DISCOVER,
				      IP_PMTUDISC_PROBE)) {
		udp_to(fd, s->addr[N_S1], U_Q, U_BIG, &d);
		u->df_sent = d.sent;
		wait_error(fd, U_WAIT_MS, &u->df_icmp);
	}
	if (fd >= 0)
		close(fd);
	fd = rfcio_udp_bind(s, N_C1, U_NODF);
	cap = rfcio_cap_open(s, N_S1, s1_if);
	if (fd >= 0 &&
	    !rfcio_set_int(fd, IPPROTO_IP, IP_MTU_DISCOVER, IP_PMTUDISC_DONT)) {
		memset(&d, 0, sizeof(d));
		udp_drain(x->sv[SV_S1]);
		udp_to(fd, s->addr[N_S1], U_Q, U_BIG, &d);
		u->nodf_sent = d.sent;
		u->nodf_got =
			udp_from(x->sv[SV_S1], WAIT_CONNECT_MS, &got) == U_BIG;
		if (cap >= 0)
			count_fragments(cap, 50, s->addr[N_GW], &u->nodf_frags,
					&u->nodf_in_order);
	}
	if (cap >= 0)
		close(cap);
	if (fd >= 0)
		close(fd);
	set_mtu(s, N_GW, out_if, old, NULL);
}

/* A UDP header without a checksum (0: none, RFC 768). */
static void udp_header(uint8_t *b, uint16_t sport, uint16_t dport, uint16_t len)
{
	b[0] = (uint8_t)(sport >> 8);
	b[1] = (uint8_t)sport;
	b[2] = (uint8_t)(dport >> 8);
	b[3] = (uint8_t)dport;
	b[4] = (uint8_t)(len >> 8);
	b[5] = (uint8_t)len;
	b[6] = b[7] = 0;
}

/* REQ-14: s1 sends c1's mapping a 64-byte datagram in two fragments,
 * the last first. */
static void test_out_of_order(struct udp_ctx *x)
{
	struct rfc_udp_ev *u = x->u;
	struct suite *s = x->s;
	struct rfc_dgram m = {0}, got = {0};
	uint8_t f1[20 + 40], f2[20 + 32];
	uint32_t src = s->addr[N_S1];
	int fd = replied_mapping(x, U_OOO, &m);

	if (fd < 0 || !m.seen)
		goto out;
	u->ooo_len = 64;
	pkt_ipv4_hdr(f1, IPPROTO_UDP, sizeof(f1), 0x4d4d, IP_MF, src, m.addr);
	udp_header(f1 + 20, U_Q, m.port, 8 + 64);
	memset(f1 + 28, 'f', 32);
	pkt_ipv4_hdr(f2, IPPROTO_UDP, sizeof(f2), 0x4d4d, 40 / 8, src, m.addr);
	memset(f2 + 20, 'l', 32);
	udp_drain(fd);
	u->ooo_sent =
		!rfcio_raw_send(s, N_S1, IPPROTO_RAW, m.addr, f2, sizeof(f2)) &&
		!rfcio_raw_send(s, N_S1, IPPROTO_RAW, m.addr, f1, sizeof(f1));
	u->ooo_got = udp_from(fd, U_WAIT_MS, &got) == 64;
out:
	if (fd >= 0)
		close(fd);
}

/* RFC 7857 section 5: c2 holds UDP port U_PROTO towards s1; c1 connects
 * over TCP from the same port to s1:80. */
static void test_eim_protocol(struct udp_ctx *x)
{
	struct rfc_udp_ev *u = x->u;
	struct fds f = {.n = 0};
	struct rfc_conn c = {0};
	int fd = rfcio_udp_bind(x->s, N_C2, U_PROTO);

	if (fd < 0)
		return;
	to_server(x, fd, SV_S1, &u->proto_udp);
	rfcio_settle(x->s, N_C2, IPPROTO_UDP, U_PROTO);
	if (u->proto_udp.seen)
		rfcio_probe(x->s, N_C1, U_PROTO, x->s->addr[N_S1], SRV_PORT,
			    x->s->l_s1, &c, &f, NULL, NULL);
	u->proto_tcp_out = c.out;
	u->proto_tcp_port = c.ext_port;
	rfcio_fds_close(&f);
	close(fd);
}

/* RFC 7857 section 6: c1 maps UDP port U_EIFP and listens on TCP
 * U_EIFP; s2 connects over TCP to the UDP mapping's external port. */
static void test_eif_protocol(struct udp_ctx *x)
{
	struct rfc_udp_ev *u = x->u;
	struct fds f = {.n = 0};
	struct rfc_conn c = {0};
	int fd = rfcio_udp_bind(x->s, N_C1, U_EIFP);
	int lfd = rfcio_tcp_listen(x->s, N_C1, U_EIFP);

	if (fd >= 0 && lfd >= 0) {
		to_server(x, fd, SV_S1, &u->eifp_map);
		rfcio_settle(x->s, N_C1, IPPROTO_UDP, U_EIFP);
		if (u->eifp_map.seen)
			rfcio_probe(x->s, N_S2, 0, u->eifp_map.addr,
				    u->eifp_map.port, lfd, &c, &f, NULL, NULL);
	}
	u->eifp_tcp_out = c.out;
	rfcio_fds_close(&f);
	if (lfd >= 0)
		close(lfd);
	if (fd >= 0)
		close(fd);
}

/* The IP IDs of the first (up to 2) UDP datagrams of len bytes from src
 * on the capture fd, within ms. */
static void capture_ids(int fd, int ms, uint32_t src, uint16_t len,
			struct rfc_udp_ev *u)
{
	uint64_t end = util_now_ns() + (uint64_t)ms * 1000000;
	uint8_t buf[2048];

	while (u->ipid_n < 2 && rfcio_cap_next(fd, end, buf, sizeof(buf))) {
		uint32_t a;
		uint16_t v;

		memcpy(&a, buf + 12, 4);
		memcpy(&v, buf + 2, 2);
		if (buf[9] != IPPROTO_UDP || ntohl(a) != src || ntohs(v) != len)
			continue;
		memcpy(&v, buf + 4, 2);
		u->ipid[u->ipid_n] = ntohs(v);
		u->ipid_addr[u->ipid_n] = ntohl(a);
		u->ipid_n++;
	}
}

/* RFC 7857 section 10: c1 and c2 each send s1 a datagram without DF
 * and with IP ID U_IPID_VAL; the IDs s1's interface saw. */
static void test_ipid(struct udp_ctx *x)
{
	struct rfc_udp_ev *u = x->u;
	struct suite *s = x->s;
	const struct topo *t = s->t;
	const char *s1_if = t->nets[t->nodes[s->node[N_S1]].ifs[0].net].name;
	uint8_t pkt[20 + 8 + 8];
	int n, cap = rfcio_cap_open(s, N_S1, s1_if);

	if (cap < 0)
		return;
	for (n = N_C1; n <= N_C2; n++) {
		pkt_ipv4_hdr(pkt, IPPROTO_UDP, sizeof(pkt), U_IPID_VAL, 0,
			     s->addr[n], s->addr[N_S1]);
		udp_header(pkt + 20, U_IPID, U_Q, 16);
		memset(pkt + 28, 'i', 8);
		if (!rfcio_raw_send(s, n, IPPROTO_RAW, s->addr[N_S1], pkt,
				    sizeof(pkt)))
			u->ipid_sent++;
	}
	capture_ids(cap, 300, s->addr[N_GW], sizeof(pkt), u);
	close(cap);
	udp_drain(x->sv[SV_S1]);
}

/* The servers' sockets. */
static int open_servers(struct udp_ctx *x)
{
	static const int node[SV_N] = {N_S1, N_S1, N_S2};
	static const uint16_t port[SV_N] = {U_Q, U_Q2, U_Q};
	int i;

	for (i = 0; i < SV_N; i++) {
		x->sv_addr[i] = x->s->addr[node[i]];
		x->sv_port[i] = port[i];
		x->sv[i] = rfcio_udp_bind(x->s, node[i], port[i]);
		if (x->sv[i] < 0)
			return x->sv[i];
	}
	return 0;
}

int rfctest_udp(struct suite *s)
{
	struct udp_ctx x = {.s = s, .u = &s->ev->udp_ev};
	int i, err;

	for (i = 0; i < SV_N; i++)
		x.sv[i] = -1;
	err = open_servers(&x);
	if (err) {
		/* the UDP rows stay "not measured"; the other tests run */
		log_errno(err, "rfc: the UDP servers' sockets");
		err = 0;
		goto out;
	}
	x.u->ran = 1;
	test_mapping(&x, 0, U_MAP);
	test_mapping_held(&x);
	test_filtering(&x, 0, U_FILT);
	test_overload(&x, U_OVL, &x.u->ovl_c1, &x.u->ovl_c2);
	test_overload(&x, U_LOW, &x.u->low_c1, &x.u->low_c2);
	test_parity(&x);
	test_hairpin(&x);
	test_alg(&x);
	test_icmp(&x);
	test_eim_protocol(&x);
	test_eif_protocol(&x);
	test_ipid(&x);
	test_big(&x);
	test_out_of_order(&x);
	test_timers(&x);
	test_mapping(&x, 1, U_MAP2);
	test_filtering(&x, 1, U_FILT2);
	err = util_stop ? -EINTR : 0;
out:
	for (i = 0; i < SV_N; i++)
		if (x.sv[i] >= 0)
			close(x.sv[i]);
	return err;
}
