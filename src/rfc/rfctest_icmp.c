/* rfctest_icmp.c - natlab rfc's ICMP tests (RFC 5508, RFC 7857 sec. 11
 * and 12), run inside the lab's namespaces. */

/*
 * Theory of operation
 *
 * Every node that takes part has one raw ICMP socket (SOCK_RAW,
 * IPPROTO_ICMP): it sends the messages the tests make by hand (echo
 * requests with an identifier of our own, errors quoting a chosen
 * header, router advertisements) and, since a raw socket gets a copy of
 * every ICMP message its namespace receives, it shows what arrived: the
 * outer addresses, the type and code, and the header an error quotes.
 * UDP sockets with IP_RECVERR show in addition that an error about a
 * mapping reached the socket of the flow it quotes, which the kernel
 * finds by that quoted header (__udp4_lib_err()): the header came back
 * translated to the inside.
 *
 * The order keeps the run short (about 2.5 s): echo sessions first (their
 * timeouts are read at once and again after the other probes, REQ-6), an
 * echo session under a shortened nf_conntrack_icmp_timeout whose expiry
 * (RFC 7857 sec. 11) is awaited at the end, and in between every UDP
 * probe sent at once and every answer collected in one wait.
 *
 * How Linux answers, read in the kernel: conntrack matches an ICMP error
 * to the entry of the packet it quotes (icmp_error_message() in
 * nf_conntrack_proto_icmp.c, which returns before the entry's timer is
 * touched), and NAT rewrites the quoted header and the outer address of
 * a matched error (nf_nat_icmp_reply_translation()); the checksum of
 * the quoted IP header is not checked, only updated.  An error that
 * matches no entry is left untracked, so NAT leaves it as it is: one
 * from inside leaves with the inside address (REQ-5).  Only a query
 * opens an entry (icmp_new()): other messages pass untracked too.
 *
 * Ports and identifiers are this file's own: UDP 44101-44131 on the
 * clients, 44900 on s1, ICMP identifiers 0x4101, 0x4201 and 0x4301.
 */
#include <errno.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/ct.h"
#include "lib/log.h"
#include "lib/pkt.h"
#include "lib/util.h"
#include "rfc/rfc_int.h"

/* c1's (and c2's) UDP ports, s1's port, echo identifiers. */
#define I_ERR	   44101 /* + enum rfc_icmp_err */
#define I_OUT	   44111 /* REQ-5 */
#define I_OUT_NONE 44119 /* REQ-5: never mapped */
#define I_HP	   44121 /* REQ-7: c1 */
#define I_HP_C2	   44122 /* REQ-7: c2 */
#define I_TTL	   44131 /* REQ-10 */
#define I_SRV	   44900 /* s1 */
#define I_ID_ECHO  0x4101
#define I_ID_ECHO2 0x4201 /* REQ-1a's second test: c2 holds it first */
#define I_ID_QM	   0x4301
#define I_HP_IPID  0x4e07 /* marks c1's hairpinned error */
_Static_assert(I_ERR + RFC_IE_N <= I_OUT, "I_ERR's ports run into I_OUT");

/* ICMP types (RFC 792, RFC 1256). */
#define T_ECHO_REPLY 0
#define T_UNREACH    3
#define T_ECHO	     8
#define T_RTR_ADV    9
#define T_TIME_EXC   11
#define C_HOST	     1 /* host unreachable */

/* The wait for answers on the lab's bridge, which take microseconds. */
#define WAIT_ICMP_MS 250
/* RFC 5508 REQ-6: the echo entry's timeout is read twice this far apart
 * at least, so that a refresh shows as a timeout that did not fall. */
#define GAP_MS 1300
/* RFC 7857 sec. 11: nf_conntrack_icmp_timeout while one echo session is
 * made, so that its expiry is seen within the run. */
#define QM_TIMEOUT_S 2

enum { RX_C1, RX_C2, RX_S1, RX_S2, RX_N };

/* What the raw sockets received in one wait. */
struct rx {
	struct rfc_icmp_msg m[48];
	int n;
};

struct icmp_run {
	struct suite *s;
	int raw[RX_N]; /* c1, c2, s1, s2 */
	int err_fd[RFC_IE_N], out_fd, hp_fd, hp_c2_fd, ttl_fd, srv_fd;
	struct rx rx[RX_N];
	uint64_t t_before, t_qm; /* us: REQ-6's first read, the qm entry's */
};

static const int rx_node[RX_N] = {N_C1, N_C2, N_S1, N_S2};

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

/* ---- messages ---- */

static int icmp_is_error(uint8_t type)
{
	/* unreachable, source quench, redirect, time exceeded, parameter
	 * problem */
	return type == 3 || type == 4 || type == 5 || type == 11 || type == 12;
}

/* Parse an IPv4 packet carrying ICMP, as a raw socket reads it. */
static int icmp_parse(const uint8_t *b, size_t n, struct rfc_icmp_msg *m)
{
	const uint8_t *ic, *in;
	size_t ihl, iihl;

	memset(m, 0, sizeof(*m));
	if (n < 20 || (b[0] >> 4) != 4 || b[9] != IPPROTO_ICMP)
		return -EINVAL;
	ihl = (size_t)(b[0] & 0xf) * 4;
	if (ihl < 20 || n < ihl + 8)
		return -EINVAL;
	ic = b + ihl;
	m->seen = 1;
	m->src = get32(b + 12);
	m->dst = get32(b + 16);
	m->type = ic[0];
	m->code = ic[1];
	m->id = get16(ic + 4);
	if (!icmp_is_error(m->type) || n < ihl + 8 + 20)
		return 0;
	in = ic + 8;
	iihl = (size_t)(in[0] & 0xf) * 4;
	m->in_proto = in[9];
	m->in_ipid = get16(in + 4);
	m->in_src = get32(in + 12);
	m->in_dst = get32(in + 16);
	if (iihl < 20 || n < ihl + 8 + iihl + 8)
		return 0;
	if (m->in_proto == IPPROTO_ICMP) {
		m->in_sport = get16(in + iihl + 4); /* the identifier */
	} else {
		m->in_sport = get16(in + iihl);
		m->in_dport = get16(in + iihl + 2);
	}
	return 0;
}

/* An echo request (or reply) of @id, seq 1, 8 bytes of payload. */
static size_t icmp_echo(uint8_t buf[16], uint8_t type, uint16_t id)
{
	memset(buf, 0, 16);
	buf[0] = type;
	put16(buf + 4, id);
	put16(buf + 6, 1);
	memcpy(buf + 8, "natlab..", 8);
	put16(buf + 2, pkt_csum(buf, 16));
	return 16;
}

/* What an error quotes of an echo request src -> dst of @id: its IP
 * header and first 8 bytes (RFC 792). */
static void quote_echo(uint8_t q[28], uint32_t src, uint32_t dst, uint16_t id)
{
	uint8_t echo[16];

	pkt_ipv4_hdr(q, IPPROTO_ICMP, 20 + sizeof(echo), 0, 0x4000, src, dst);
	icmp_echo(echo, T_ECHO, id);
	memcpy(q + 20, echo, 8);
}

/* An ICMP error of type/code quoting q (28 or 32 bytes), checksummed,
 * into buf.  Return: its length. */
static size_t icmp_error(uint8_t buf[40], uint8_t type, uint8_t code,
			 const uint8_t *q, size_t qlen)
{
	size_t n = pkt_icmp_unreach(buf, 40, q, qlen);

	buf[0] = type;
	buf[1] = code;
	put16(buf + 2, 0);
	put16(buf + 2, pkt_csum(buf, n));
	return n;
}

/* A router advertisement of one address, @router, preference 0
 * (RFC 1256). */
static size_t icmp_rtr_adv(uint8_t buf[16], uint32_t router)
{
	memset(buf, 0, 16);
	buf[0] = T_RTR_ADV;
	buf[4] = 1;	      /* addresses */
	buf[5] = 2;	      /* words per address */
	put16(buf + 6, 1800); /* lifetime, s */
	put16(buf + 8, (uint16_t)(router >> 16));
	put16(buf + 10, (uint16_t)router);
	put16(buf + 2, pkt_csum(buf, 16));
	return 16;
}

/* ---- I/O ---- */

/* Read the raw sockets for ms into r->rx (appended). */
static void rx_collect(struct icmp_run *r, int ms)
{
	uint64_t end = rfcio_now_us() + (uint64_t)ms * 1000;
	struct pollfd p[RX_N];
	uint8_t buf[1500];
	int i;

	for (i = 0; i < RX_N; i++)
		p[i] = (struct pollfd){.fd = r->raw[i], .events = POLLIN};
	while (!util_stop) {
		uint64_t now = rfcio_now_us();

		if (now >= end ||
		    rfcio_poll(p, RX_N, (int)((end - now) / 1000) + 1) <= 0)
			break;
		for (i = 0; i < RX_N; i++) {
			struct rx *x = &r->rx[i];
			ssize_t n;

			if (!(p[i].revents & POLLIN))
				continue;
			n = recv(r->raw[i], buf, sizeof(buf), MSG_DONTWAIT);
			if (n > 0 && x->n < (int)ARRAY_SIZE(x->m) &&
			    icmp_parse(buf, (size_t)n, &x->m[x->n]) == 0)
				x->n++;
		}
	}
}

/* The first message node i received of @type whose identifier (queries)
 * or quoted ports (errors: in_sport, and in_dport unless 0) match; NULL
 * if none. */
static const struct rfc_icmp_msg *rx_find(const struct icmp_run *r, int i,
					  uint8_t type, uint16_t a, uint16_t b)
{
	const struct rx *x = &r->rx[i];
	int k;

	for (k = 0; k < x->n; k++) {
		const struct rfc_icmp_msg *m = &x->m[k];

		if (m->type != type)
			continue;
		if (!icmp_is_error(type)
			    ? m->id == a
			    : m->in_sport == a && (!b || m->in_dport == b))
			return m;
	}
	return NULL;
}

static void rx_take(const struct rfc_icmp_msg *m, struct rfc_icmp_msg *to)
{
	if (m)
		*to = *m;
}

/* Send the datagram "sport" (its two bytes) from fd to to:port.
 * Return: 1 sent, 0 not. */
static int udp_send(int fd, uint16_t sport, uint32_t to, uint16_t port)
{
	uint8_t b[2];

	put16(b, sport);
	return rfcio_sendto(fd, to, port, b, sizeof(b)) == 0;
}

/* One datagram on fd within ms: its first two bytes in *tag, its source
 * in *addr, *port.  Return: 1 or 0. */
static int udp_recv(int fd, int ms, uint16_t *tag, uint32_t *addr,
		    uint16_t *port)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	struct sockaddr_in a;
	socklen_t alen = sizeof(a);
	uint8_t b[64];

	if (fd < 0 || rfcio_poll(&p, 1, ms) <= 0 || !(p.revents & POLLIN))
		return 0;
	if (recvfrom(fd, b, sizeof(b), MSG_DONTWAIT, (struct sockaddr *)&a,
		     &alen) < 2)
		return 0;
	*tag = get16(b);
	*addr = ntohl(a.sin_addr.s_addr);
	*port = ntohs(a.sin_port);
	return 1;
}

/* The echo entry c1 -> dst of @id on the gateway.  Return: as ct_get(),
 * -ENOTCONN without ctnetlink. */
static int echo_entry(struct suite *s, uint32_t dst, uint16_t id,
		      struct ct_entry *e)
{
	struct ct_tuple t = {.src = s->addr[N_C1],
			     .dst = dst,
			     .sport = id,
			     .dport = CT_ICMP(T_ECHO, 0),
			     .proto = IPPROTO_ICMP};

	memset(e, 0, sizeof(*e));
	e->timeout = -1;
	if (!s->ct.sk)
		return -ENOTCONN;
	return ct_get(&s->ct, &t, e);
}

/* ---- the tests ---- */

/* REQ-1, REQ-1a, REQ-2: echo requests of one identifier to s1 and s2;
 * the echo entry towards s1 read at once. */
static void test_echo(struct icmp_run *r)
{
	struct suite *s = r->s;
	struct rfc_icmp_ev *e = &s->ev->icmp_ev;
	uint32_t to[2] = {s->addr[N_S1], s->addr[N_S2]};
	struct ct_entry ce;
	uint8_t buf[16];
	int i;

	if (rfcio_gw_sysctl_get(s, "icmp_timeout", &e->icmp_timeout))
		e->icmp_timeout = -1;
	e->echo_id = I_ID_ECHO;
	icmp_echo(buf, T_ECHO, I_ID_ECHO);
	for (i = 0; i < 2; i++)
		e->echo_sent[i] =
			!rfcio_sendto(r->raw[RX_C1], to[i], 0, buf, 16);
	rx_collect(r, WAIT_ICMP_MS);
	for (i = 0; i < 2; i++) {
		const struct rx *x = &r->rx[i ? RX_S2 : RX_S1];
		const struct rfc_icmp_msg *m;
		int k;

		/* the request as the server saw it, whatever its
		 * identifier and source */
		for (k = 0; k < x->n && !e->echo_at[i].seen; k++)
			if (x->m[k].type == T_ECHO)
				e->echo_at[i] = x->m[k];
		/* the reply: from that server, to the identifier sent */
		for (k = 0; k < r->rx[RX_C1].n; k++) {
			m = &r->rx[RX_C1].m[k];
			if (m->type == T_ECHO_REPLY && m->id == I_ID_ECHO &&
			    m->src == to[i])
				e->echo_reply[i] = *m;
		}
	}
	e->live = -1;
	e->q_before = -1;
	e->echo2_id = I_ID_ECHO2;
	if (echo_entry(s, to[0], I_ID_ECHO, &ce) == 0) {
		e->live = ce.timeout;
		e->q_before = ce.timeout;
	}
	r->t_before = rfcio_now_us();
	memset(r->rx, 0, sizeof(r->rx));
}

/* The first echo request node i saw from the gateway. */
static void rx_echo(const struct icmp_run *r, int i, struct rfc_icmp_msg *to)
{
	const struct rx *x = &r->rx[i];
	int k;

	for (k = 0; k < x->n; k++)
		if (x->m[k].type == T_ECHO && x->m[k].src == r->s->addr[N_GW]) {
			*to = x->m[k];
			return;
		}
}

/* REQ-1a with the identifier busy: c2 holds I_ID_ECHO2 towards s2, then
 * c1 sends the same identifier to s1 and to s2.  A mapping that does not
 * depend on the host gives c1 one identifier towards both; one made per
 * session keeps it towards s1 and must change it towards s2. */
static void test_echo_busy(struct icmp_run *r)
{
	struct suite *s = r->s;
	struct rfc_icmp_ev *e = &s->ev->icmp_ev;
	uint8_t buf[16];
	int i;

	icmp_echo(buf, T_ECHO, I_ID_ECHO2);
	if (rfcio_sendto(r->raw[RX_C2], s->addr[N_S2], 0, buf, 16))
		return;
	rx_collect(r, 50);
	rx_echo(r, RX_S2, &e->echo2_c2);
	memset(r->rx, 0, sizeof(r->rx));
	if (!e->echo2_c2.seen)
		return;
	for (i = 0; i < 2; i++)
		rfcio_sendto(r->raw[RX_C1], s->addr[i ? N_S2 : N_S1], 0, buf,
			     16);
	rx_collect(r, 100);
	rx_echo(r, RX_S1, &e->echo2_at[0]);
	rx_echo(r, RX_S2, &e->echo2_at[1]);
	memset(r->rx, 0, sizeof(r->rx));
}

/* RFC 7857 sec. 11, first half: an echo session made while
 * nf_conntrack_icmp_timeout is QM_TIMEOUT_S (the entry keeps the value
 * it had at its last packet, the reply), then the sysctl restored. */
static void qm_start(struct icmp_run *r)
{
	struct suite *s = r->s;
	struct rfc_icmp_ev *e = &s->ev->icmp_ev;
	struct ct_entry ce;
	uint8_t buf[16];

	e->qm_id = I_ID_QM;
	e->qm_timeout = -1;
	e->qm_live = -1;
	e->qm_gone_ms = -1;
	if (e->icmp_timeout < 0 || !s->ct.sk ||
	    rfcio_gw_sysctl_set(s, "icmp_timeout", QM_TIMEOUT_S))
		return;
	e->qm_timeout = QM_TIMEOUT_S;
	icmp_echo(buf, T_ECHO, I_ID_QM);
	if (!rfcio_sendto(r->raw[RX_C1], s->addr[N_S1], 0, buf, 16)) {
		rx_collect(r, 50);
		if (echo_entry(s, s->addr[N_S1], I_ID_QM, &ce) == 0) {
			e->qm_live = ce.timeout;
			e->qm_ext = ce.reply.sport;
			r->t_qm = rfcio_now_us();
		}
	}
	rfcio_gw_sysctl_set(s, "icmp_timeout", e->icmp_timeout);
	memset(r->rx, 0, sizeof(r->rx));
}

/* The UDP sockets of the probes, and one datagram from each of c1's
 * mapped ports to s1, whose source port there is the mapping. */
static int udp_open(struct icmp_run *r)
{
	struct suite *s = r->s;
	struct rfc_icmp_ev *e = &s->ev->icmp_ev;
	uint32_t s1 = s->addr[N_S1], addr;
	uint16_t tag, port;
	int i, want = 0;

	r->srv_fd = rfcio_udp_bind(s, N_S1, I_SRV);
	if (r->srv_fd < 0)
		return r->srv_fd;
	for (i = 0; i < RFC_IE_N; i++) {
		e->err_port[i] = (uint16_t)(I_ERR + i);
		r->err_fd[i] = rfcio_udp_bind(s, N_C1, e->err_port[i]);
		if (i != RFC_IE_UNMAPPED)
			want += udp_send(r->err_fd[i], e->err_port[i], s1,
					 I_SRV);
	}
	e->out_port = I_OUT;
	e->out_q = I_SRV;
	e->out_unmapped_port = I_OUT_NONE;
	e->hp_port = I_HP;
	e->hp_c2_port = I_HP_C2;
	e->ttl_port = I_TTL;
	r->out_fd = rfcio_udp_bind(s, N_C1, I_OUT);
	r->hp_fd = rfcio_udp_bind(s, N_C1, I_HP);
	r->hp_c2_fd = rfcio_udp_bind(s, N_C2, I_HP_C2);
	r->ttl_fd = rfcio_udp_bind(s, N_C1, I_TTL);
	want += udp_send(r->out_fd, I_OUT, s1, I_SRV);
	want += udp_send(r->hp_fd, I_HP, s1, I_SRV);
	while (want > 0 &&
	       udp_recv(r->srv_fd, WAIT_ICMP_MS, &tag, &addr, &port)) {
		want--;
		if (tag >= I_ERR && tag < I_ERR + RFC_IE_N)
			e->err_ext[tag - I_ERR] = port;
		else if (tag == I_OUT)
			e->out_ext = port;
		else if (tag == I_HP)
			e->hp_ext = port;
	}
	/* an external port nobody mapped: the source port itself, which
	 * no socket of the lab sends from */
	e->err_ext[RFC_IE_UNMAPPED] = I_ERR + RFC_IE_UNMAPPED;
	rfcio_settle(s, N_C1, IPPROTO_UDP, I_HP);
	return 0;
}

/* A 28-byte quote q again with 4 bytes of IP options (three NOPs and
 * an end of list) between its IP and UDP headers, into qo. */
static void quote_options(uint8_t qo[32], const uint8_t q[28])
{
	static const uint8_t opts[4] = {1, 1, 1, 0};

	memcpy(qo, q, 20);
	memcpy(qo + 20, opts, 4);
	memcpy(qo + 24, q + 20, 8);
	qo[0] = 0x46; /* IHL 6: 24 bytes */
	put16(qo + 2, (uint16_t)(get16(q + 2) + 4));
	put16(qo + 10, 0);
	put16(qo + 10, pkt_ip_csum(qo, 24));
}

/*
 * An ICMP port unreachable with an RFC 4884 extension structure, into buf
 * (EXT_LEN bytes): the quote q padded with zeros to 128 bytes, its length
 * in 32-bit words in the header's fifth byte, then the extension header
 * (version 2, its checksum) and one object (an MPLS label stack entry,
 * RFC 4950).  The quoted UDP checksum is set wrong on purpose: a NAT
 * that checked it would have to leave out the padding and the
 * extensions, and should not check it at all (REQ-3c).
 */
#define EXT_QUOTE 128
#define EXT_LEN	  (8 + EXT_QUOTE + 4 + 8)
static size_t icmp_error_ext(uint8_t buf[EXT_LEN], const uint8_t q[28])
{
	uint8_t *x = buf + 8 + EXT_QUOTE;

	memset(buf, 0, EXT_LEN);
	buf[0] = T_UNREACH;
	buf[1] = ICMP_PORT;
	buf[5] = EXT_QUOTE / 4;
	memcpy(buf + 8, q, 28);
	put16(buf + 8 + 26, 0x1234);
	x[0] = 0x20;	       /* version 2 */
	put16(x + 4, 8);       /* object length */
	x[6] = 1;	       /* class: MPLS label stack */
	x[7] = 1;	       /* c-type: incoming */
	put16(x + 8, 0x0006);  /* label 96 ... */
	put16(x + 10, 0x01ff); /* ... bottom of stack, TTL 255 */
	put16(x + 2, pkt_csum(x, 12));
	put16(buf + 2, pkt_csum(buf, EXT_LEN));
	return EXT_LEN;
}

/* REQ-3, REQ-4: s1's errors about c1's mappings, one per port. */
static void send_inbound_errors(struct icmp_run *r)
{
	struct suite *s = r->s;
	struct rfc_icmp_ev *e = &s->ev->icmp_ev;
	uint8_t q[28], qo[32], pkt[EXT_LEN];
	int i;

	for (i = 0; i < RFC_IE_N; i++) {
		size_t n;

		if (!e->err_ext[i])
			continue;
		pkt_ipv4_udp_quote(q, s->addr[N_GW], e->err_ext[i],
				   s->addr[N_S1], I_SRV);
		if (i == RFC_IE_BAD_INNER)
			q[11] ^= 0x5a;
		if (i == RFC_IE_BAD_L4)
			put16(q + 26, 0x1234); /* not the datagram's sum */
		if (i == RFC_IE_OPTS) {
			quote_options(qo, q);
			n = icmp_error(pkt, T_UNREACH, ICMP_PORT, qo, 32);
		} else if (i == RFC_IE_EXT) {
			n = icmp_error_ext(pkt, q);
		} else {
			n = icmp_error(pkt, T_UNREACH, ICMP_PORT, q, 28);
		}
		if (i == RFC_IE_BAD_CSUM)
			pkt[3] ^= 0x5a;
		e->err_sent[i] =
			!rfcio_sendto(r->raw[RX_S1], s->addr[N_GW], 0, pkt, n);
	}
}

/* REQ-5: c1's port unreachable about s1's datagram to c1's mapping (as
 * c1 received it: s1:I_SRV -> c1:I_OUT), and one about a port it never
 * mapped. */
static void send_outbound_errors(struct icmp_run *r)
{
	struct suite *s = r->s;
	struct rfc_icmp_ev *e = &s->ev->icmp_ev;
	uint8_t q[28], pkt[40];

	if (e->out_ext) {
		udp_send(r->srv_fd, I_SRV, s->addr[N_GW], e->out_ext);
		pkt_ipv4_udp_quote(q, s->addr[N_S1], I_SRV, s->addr[N_C1],
				   I_OUT);
		e->out_sent = !rfcio_sendto(
			r->raw[RX_C1], s->addr[N_S1], 0, pkt,
			icmp_error(pkt, T_UNREACH, ICMP_PORT, q, 28));
	}
	pkt_ipv4_udp_quote(q, s->addr[N_S1], I_SRV, s->addr[N_C1], I_OUT_NONE);
	e->out_unmapped_sent =
		!rfcio_sendto(r->raw[RX_C1], s->addr[N_S1], 0, pkt,
			      icmp_error(pkt, T_UNREACH, ICMP_PORT, q, 28));
}

/* REQ-10: datagrams with TTL 1 from c1 and from s1; REQ-11: router
 * advertisements both ways; REQ-7: c2's datagram to c1's mapping. */
static void send_others(struct icmp_run *r)
{
	struct suite *s = r->s;
	struct rfc_icmp_ev *e = &s->ev->icmp_ev;
	uint8_t ra[16];

	if (r->ttl_fd >= 0 && !rfcio_set_int(r->ttl_fd, IPPROTO_IP, IP_TTL, 1))
		e->ttl_sent = (uint8_t)udp_send(r->ttl_fd, I_TTL, s->addr[N_S1],
						I_SRV);
	/* inbound: expires in the gateway after its DNAT to c1, so its
	 * error quotes c1's address unless translated back */
	if (e->out_ext && !rfcio_set_int(r->srv_fd, IPPROTO_IP, IP_TTL, 1)) {
		e->ttl_in_sent = (uint8_t)udp_send(r->srv_fd, I_SRV,
						   s->addr[N_GW], e->out_ext);
		rfcio_set_int(r->srv_fd, IPPROTO_IP, IP_TTL, 64);
	}
	icmp_rtr_adv(ra, s->addr[N_S1]);
	e->ra_in_sent = !rfcio_sendto(r->raw[RX_S1], s->addr[N_GW], 0, ra, 16);
	icmp_rtr_adv(ra, s->addr[N_C1]);
	e->ra_out_sent = !rfcio_sendto(r->raw[RX_C1], s->addr[N_S1], 0, ra, 16);
	if (e->hp_ext && r->hp_c2_fd >= 0)
		e->hp_sent = (uint8_t)udp_send(r->hp_c2_fd, I_HP_C2,
					       s->addr[N_GW], e->hp_ext);
}

/* REQ-7: if c2's datagram reached c1, c1 answers it with a port
 * unreachable quoting it as c1 received it, its IP ID marked. */
static void hairpin_answer(struct icmp_run *r)
{
	struct suite *s = r->s;
	struct rfc_icmp_ev *e = &s->ev->icmp_ev;
	uint8_t q[28], pkt[40];
	uint16_t tag;

	if (!udp_recv(r->hp_fd, 0, &tag, &e->hp_seen_addr, &e->hp_seen_port) ||
	    tag != I_HP_C2)
		return;
	e->hp_at_c1 = 1;
	e->hp_ipid = I_HP_IPID;
	pkt_ipv4_udp_quote(q, e->hp_seen_addr, e->hp_seen_port, s->addr[N_C1],
			   I_HP);
	put16(q + 4, I_HP_IPID);
	put16(q + 10, 0);
	put16(q + 10, pkt_ip_csum(q, 20));
	e->hp_err_sent =
		!rfcio_sendto(r->raw[RX_C1], e->hp_seen_addr, 0, pkt,
			      icmp_error(pkt, T_UNREACH, ICMP_PORT, q, 28));
}

/* What the UDP probes' sockets and the raw sockets got. */
static void udp_results(struct icmp_run *r)
{
	struct suite *s = r->s;
	struct rfc_icmp_ev *e = &s->ev->icmp_ev;
	struct rfc_icmp_seen seen;
	const struct rfc_icmp_msg *m;
	int i, k;

	for (i = 0; i < RFC_IE_N; i++) {
		memset(&seen, 0, sizeof(seen));
		e->err_sock[i] = r->err_fd[i] >= 0 &&
				 rfcio_errqueue(r->err_fd[i], &seen) == 1;
		rx_take(rx_find(r, RX_C1, T_UNREACH, e->err_port[i], I_SRV),
			&e->err_at[i]);
	}
	/* at s1: the quote names the mapping (translated back) or, if
	 * not, c1's own port */
	m = rx_find(r, RX_S1, T_UNREACH, I_SRV, e->out_ext);
	rx_take(m ? m : rx_find(r, RX_S1, T_UNREACH, I_SRV, I_OUT), &e->out_at);
	rx_take(rx_find(r, RX_S1, T_UNREACH, I_SRV, I_OUT_NONE),
		&e->out_unmapped_at);
	rx_take(rx_find(r, RX_S1, T_TIME_EXC, I_SRV, 0), &e->ttl_in_at);
	memset(&seen, 0, sizeof(seen));
	if (r->ttl_fd >= 0 && rfcio_errqueue(r->ttl_fd, &seen) == 1) {
		e->ttl_seen = 1;
		e->ttl_type = seen.type;
		e->ttl_code = seen.code;
		e->ttl_from = seen.from;
	}
	for (k = 0; k < r->rx[RX_C1].n; k++)
		if (r->rx[RX_C1].m[k].type == T_RTR_ADV)
			e->ra_in_at = r->rx[RX_C1].m[k];
	for (k = 0; k < r->rx[RX_S1].n; k++)
		if (r->rx[RX_S1].m[k].type == T_RTR_ADV)
			e->ra_out_at = r->rx[RX_S1].m[k];
	memset(&seen, 0, sizeof(seen));
	e->hp_sock =
		r->hp_c2_fd >= 0 && rfcio_errqueue(r->hp_c2_fd, &seen) == 1;
	rx_take(rx_find(r, RX_C2, T_UNREACH, I_HP_C2, e->hp_ext), &e->hp_at);
}

/* REQ-6: s1's host unreachable about c1's echo request to it, as s1
 * received it; the entry's timeout after. */
static void test_query_error(struct icmp_run *r)
{
	struct suite *s = r->s;
	struct rfc_icmp_ev *e = &s->ev->icmp_ev;
	uint64_t gap = rfcio_now_us() - r->t_before;
	uint8_t q[28], pkt[40];
	struct ct_entry ce;
	int err;

	e->q_entry_after = -1;
	e->q_after = -1;
	if (!e->echo_at[0].seen)
		return;
	if (gap < GAP_MS * 1000ull &&
	    rfcio_sleep_ms((int)(GAP_MS - gap / 1000)))
		return;
	quote_echo(q, s->addr[N_GW], s->addr[N_S1], e->echo_at[0].id);
	e->q_err_sent =
		!rfcio_sendto(r->raw[RX_S1], s->addr[N_GW], 0, pkt,
			      icmp_error(pkt, T_UNREACH, C_HOST, q, 28));
	rx_collect(r, WAIT_ICMP_MS);
	rx_take(rx_find(r, RX_C1, T_UNREACH, I_ID_ECHO, 0), &e->q_err_at);
	err = echo_entry(s, s->addr[N_S1], I_ID_ECHO, &ce);
	e->q_gap_ms = (uint32_t)((rfcio_now_us() - r->t_before) / 1000);
	if (err == 0) {
		e->q_entry_after = 1;
		e->q_after = ce.timeout;
	} else if (err == -ENOENT) {
		e->q_entry_after = 0;
	}
	memset(r->rx, 0, sizeof(r->rx));
}

/* RFC 7857 sec. 11, second half: wait for the short-lived echo entry to
 * go, then s1 answers its old mapping with an echo reply, and REQ-1's
 * live one with another (the control). */
static void qm_finish(struct icmp_run *r)
{
	struct suite *s = r->s;
	struct rfc_icmp_ev *e = &s->ev->icmp_ev;
	uint64_t end = r->t_qm + (QM_TIMEOUT_S * 1000 + 1500) * 1000ull;
	struct ct_entry ce;
	uint8_t buf[16];

	if (e->qm_live < 0)
		return;
	while (!util_stop && rfcio_now_us() < end) {
		if (echo_entry(s, s->addr[N_S1], I_ID_QM, &ce) == -ENOENT) {
			e->qm_gone_ms =
				(int32_t)((rfcio_now_us() - r->t_qm) / 1000);
			break;
		}
		rfcio_sleep_ms(20);
	}
	if (e->qm_gone_ms < 0)
		return;
	icmp_echo(buf, T_ECHO_REPLY, e->qm_ext);
	e->qm_reply_sent =
		!rfcio_sendto(r->raw[RX_S1], s->addr[N_GW], 0, buf, 16);
	if (e->echo_at[0].seen) {
		icmp_echo(buf, T_ECHO_REPLY, e->echo_at[0].id);
		rfcio_sendto(r->raw[RX_S1], s->addr[N_GW], 0, buf, 16);
	}
	rx_collect(r, WAIT_ICMP_MS);
	rx_take(rx_find(r, RX_C1, T_ECHO_REPLY, I_ID_QM, 0), &e->qm_at);
	rx_take(rx_find(r, RX_C1, T_ECHO_REPLY, I_ID_ECHO, 0), &e->qm_ctl_at);
}

static void run_close(struct icmp_run *r)
{
	int i;

	for (i = 0; i < RX_N; i++)
		rfcio_close_fd(&r->raw[i]);
	for (i = 0; i < RFC_IE_N; i++)
		rfcio_close_fd(&r->err_fd[i]);
	rfcio_close_fd(&r->out_fd);
	rfcio_close_fd(&r->hp_fd);
	rfcio_close_fd(&r->hp_c2_fd);
	rfcio_close_fd(&r->ttl_fd);
	rfcio_close_fd(&r->srv_fd);
}

/*
 * A socket that cannot be made leaves every ICMP row "not measured" (the
 * evidence's ran stays 0; logged here) without stopping the other tests:
 * only a stop request ends the run.
 */
int rfctest_icmp(struct suite *s)
{
	static struct icmp_run r; /* the receive buffers are large */
	int i, err;

	memset(&r, 0, sizeof(r));
	r.s = s;
	r.out_fd = r.hp_fd = r.hp_c2_fd = r.ttl_fd = r.srv_fd = -1;
	for (i = 0; i < RFC_IE_N; i++)
		r.err_fd[i] = -1;
	for (i = 0; i < RX_N; i++)
		r.raw[i] = -1;
	for (i = 0; i < RX_N; i++) {
		r.raw[i] = rfcio_sock_at(s, rx_node[i], AF_INET, SOCK_RAW,
					 IPPROTO_ICMP);
		if (r.raw[i] < 0) {
			err = r.raw[i];
			log_errno(err, "rfc: raw ICMP socket in %s",
				  s->t->nodes[s->node[rx_node[i]]].name);
			goto out;
		}
	}
	test_echo(&r);
	test_echo_busy(&r);
	qm_start(&r);
	err = udp_open(&r);
	if (err) {
		log_errno(err, "rfc: the ICMP tests' UDP sockets");
		goto out;
	}
	send_inbound_errors(&r);
	send_outbound_errors(&r);
	send_others(&r);
	rx_collect(&r, WAIT_ICMP_MS);
	hairpin_answer(&r);
	rx_collect(&r, WAIT_ICMP_MS / 2);
	udp_results(&r);
	memset(r.rx, 0, sizeof(r.rx));
	test_query_error(&r);
	qm_finish(&r);
	s->ev->icmp_ev.ran = 1;
out:
	run_close(&r);
	return util_stop ? -EINTR : 0;
}
