/* rfc_int.h - what the natlab rfc modules share: test ports, the suite. */
#ifndef NATLAB_RFC_INT_H
#define NATLAB_RFC_INT_H

#include <poll.h>
#include <stdint.h>
#include <netinet/in.h>

#include "lib/ct.h"
#include "lib/netlink.h"
#include "rfc/rfc.h"
#include "topo/topo.h"

/* Ports of the tests: clients bind these, so that every test's
 * connections are its own and port preservation can be seen. */
#define SRV_PORT     80
#define P_EIM	     40101
#define P_EIM2	     40102
#define P_SEQ	     40201
#define P_SIM	     40202
#define Q_SIM	     5202 /* s1's port in the simultaneous open */
#define P_FILT	     40301
#define Q_FILT_S2    45301
#define Q_FILT_S1    45302
#define P_UNSOL	     40401 /* an external port nobody mapped */
#define Q_UNSOL	     5401
#define P_PUNCH	     40402
#define Q_PUNCH	     5402
#define P_EST	     40501
#define P_RST	     40502
#define P_TWS	     40503
#define P_CLS	     40504
#define P_ALG	     40601
#define P_OVL	     40701
#define P_HP	     40801
#define P_HP_C2	     40802
#define P_UDP	     40901
#define P_PCP	     40902
#define P_ICMP	     41001
#define P_OLAP	     41101
#define P_PORTS	     42000
#define UDP_CLOSED   9	  /* discard: nobody listens in the servers */
#define PCP_PORT     5351 /* RFC 6887 */
#define ICMP_UNREACH 3
#define ICMP_PORT    3

/* Waits.  The lab's wire is a bridge: answers take microseconds. */
#define WAIT_CONNECT_MS 1000
#define WAIT_ACCEPT_MS	1000
#define UNSOL_WINDOW_MS 6500 /* > RFC_UNSOLICITED_MS */
#define PUNCH_DELAY_MS	300
#define SCALED_S	2 /* the transitory timers while watching expiry */
#define SCALE		(RFC_TRANSITORY_MIN / SCALED_S)

/* The ALG probes' well-known ports and their protocols, rfc.c. */
extern const uint16_t rfc_alg_ports[4];
extern const char *const rfc_alg_names[4];

/* ---- the suite: one profile's lab, as the tests see it ---- */

struct nft_batch;

/* The roles of the suite's nodes. */
enum { N_GW, N_C1, N_C2, N_S1, N_S2, N_NODES };

struct suite {
	const struct topo *t;
	struct rfc_evidence *ev;
	int node[N_NODES]; /* topology node index */
	int nsfd[N_NODES];
	uint32_t addr[N_NODES]; /* gw: its outside address */
	const char *c1_if;	/* c1's interface, for the capture */
	struct netlink ct; /* ctnetlink in the gateway (ct.sk NULL: none) */
	int keeper;	   /* the gateway is nat = rfc: its keeper is running */
	int l_s1, l_s2, l_alg[4];
	int unsol_fd; /* REQ-4's probe while it is watched */
	uint64_t unsol_t0;
};

/* ---- rfcio.c: I/O inside the lab's namespaces ---- */

/* Sockets a test keeps open until it ends. */
struct fds {
	int v[4 * RFC_PORTS_N + 8];
	int n;
};

/* A socket made inside node n (it stays in that namespace), non-blocking.
 * Return: the fd, or -errno. */
int rfcio_sock_at(struct suite *s, int n, int domain, int type, int proto);

/* setsockopt() of an int.  Return: 0 or -errno. */
int rfcio_set_int(int fd, int level, int name, int v);

/* An IPv4 socket address, from host order. */
struct sockaddr_in rfcio_sin(uint32_t addr, uint16_t port);

/* poll() in slices, so that a stop request is seen within 100 ms.
 * Return: as poll(). */
int rfcio_poll(struct pollfd *p, nfds_t n, int timeout_ms);

/* Take the first entry of a socket's error queue (IP_RECVERR): an ICMP
 * error goes to *seen.  Return: 1 an ICMP error, 2 an entry of another
 * origin (a local one, say), 0 the queue was empty. */
int rfcio_errqueue(int fd, struct rfc_icmp_seen *seen);

/* sendto() addr:port (host order); an error an earlier ICMP left on the
 * socket (IP_RECVERR) fails the first try, which clears it, and the
 * datagram goes on the second.  Return: 0 or -errno. */
int rfcio_sendto(int fd, uint32_t to, uint16_t port, const void *buf,
		 size_t len);

/* A UDP socket of node n bound to port (0: any; SO_REUSEADDR), with
 * IP_RECVERR.  Return: the fd (the caller closes it), or -errno. */
int rfcio_udp_bind(struct suite *s, int n, uint16_t port);

/* Send one packet from a raw socket of protocol proto made in node n
 * (IPPROTO_RAW: buf carries its IPv4 header).  Return: 0 or -errno. */
int rfcio_raw_send(struct suite *s, int n, int proto, uint32_t to,
		   const void *buf, size_t len);

/* Close every socket of f. */
void rfcio_fds_close(struct fds *f);

/* Close *fd if open; *fd = -1. */
void rfcio_close_fd(int *fd);

/* CLOCK_MONOTONIC in microseconds. */
uint64_t rfcio_now_us(void);

/* A TCP socket of node n bound to sport (0: any), which may share its
 * port with the node's other sockets (a listener and connections from
 * one port, as TCP hole punching does it).  Return: the fd (the caller
 * closes it), or -errno. */
int rfcio_tcp_socket(struct suite *s, int n, uint16_t sport);

/* A listener of node n on port (port sharing as rfcio_tcp_socket()).
 * Return: the fd (the caller closes it), or -errno. */
int rfcio_tcp_listen(struct suite *s, int n, uint16_t port);

/* A non-blocking connect() to daddr:dport.  Return: 0 or -errno. */
int rfcio_conn_start(int fd, uint32_t daddr, uint16_t dport);

/*
 * Wait up to timeout_ms for a connect() begun at t0 (us) to end: OK, a
 * RST (ECONNREFUSED with no ICMP queued), an ICMP error, or silence.
 */
void rfcio_conn_wait(int fd, uint64_t t0, int timeout_ms, struct rfc_conn *c);

/* A server accepted a connection from this address: address pooling. */
void rfcio_seen(struct suite *s, uint32_t addr);

/*
 * Connect from node n, port sport, to daddr:dport, and once connected
 * accept on lfd (when >= 0): c gets the outcome and the address and port
 * the acceptor saw.  The two sockets go to f, or to *cfd and *afd (-1
 * where there is none); the caller closes them.
 */
void rfcio_probe(struct suite *s, int n, uint16_t sport, uint32_t daddr,
		 uint16_t dport, int lfd, struct rfc_conn *c, struct fds *f,
		 int *cfd, int *afd);

/* One byte a -> b and one b -> a.  Return: 1 when both arrived. */
int rfcio_xfer(int a, int b);

/* Wait for the peer's FIN (1) or RST (2); 0: neither in time. */
int rfcio_wait_end(int fd, int timeout_ms);

/* Close with a RST (SO_LINGER {1, 0}). */
void rfcio_close_rst(int *fd);

/* SYNs sent by a connecting socket: the first and its retransmissions. */
uint8_t rfcio_syns_sent(int fd);

/*
 * A datagram from node n, port sport, to daddr:dport, and what came back
 * within the wait: a datagram (OK), an ICMP error (IP_RECVERR), nothing.
 */
void rfcio_udp_probe(struct suite *s, int n, uint16_t sport, uint32_t daddr,
		     uint16_t dport, const void *msg, size_t len,
		     struct rfc_conn *c);

/* ctnetlink in the gateway (s->ct).  Return: 0 or -errno. */
int rfcio_ct_open(struct suite *s);

/* The gateway's entry whose original tuple is src:sport -> dst:dport of
 * protocol proto.  Return: 0, -ENOENT if there is none, -ENOTCONN
 * without ctnetlink, or -errno. */
int rfcio_ct_get(struct suite *s, uint8_t proto, uint32_t src, uint16_t sport,
		 uint32_t dst, uint16_t dport, struct ct_entry *e);

/* c1's entry towards s1 from sport to dport.  Return: 0, -ENOENT if
 * there is none, -ENOTCONN without ctnetlink (e's state and timeout -1),
 * or -errno. */
int rfcio_ct_c1(struct suite *s, uint16_t sport, uint16_t dport,
		struct ct_entry *e);

/* Wait up to ms for c1's entry to reach state want (-1: any state
 * other than not_state).  Return: 0, -ETIMEDOUT (also when stopped), or
 * rfcio_ct_c1()'s error (-ENOENT: gone). */
int rfcio_ct_wait(struct suite *s, uint16_t sport, uint16_t dport, int want,
		  int not_state, int ms, struct ct_entry *e);

/* A conntrack state seen, for the session tracking row (repeats of the
 * last one are left out). */
void rfcio_state_seen(struct suite *s, int state);

/* net.netfilter.nf_conntrack_NAME of the gateway, in *v.  Return: 0 or
 * -errno (-ENOENT: no such sysctl). */
int rfcio_gw_sysctl_get(struct suite *s, const char *name, int32_t *v);

/* Set net.netfilter.nf_conntrack_NAME of the gateway.  Return: 0 or
 * -errno (logged). */
int rfcio_gw_sysctl_set(struct suite *s, const char *name, int32_t v);

/* Lines of the gateway's /proc/net/nf_conntrack_expect, -1 if absent. */
int32_t rfcio_gw_expectations(struct suite *s);

/* Send an nftables batch inside node n; what names it in the message
 * logged on failure.  Return: 0 or -errno. */
int rfcio_nft_send_at(struct suite *s, int n, struct nft_batch *b,
		      const char *what);

/*
 * Send from node n to TO an ICMP port unreachable about a TCP segment
 * (proto IPPROTO_TCP) or a UDP datagram (IPPROTO_UDP)
 * in_src:in_sport -> in_dst:in_dport (its IP header and first 8 bytes,
 * as RFC 792 quotes them).  Return: 0 or -errno.
 */
int rfcio_send_unreach(struct suite *s, int n, uint32_t to, uint8_t proto,
		       uint32_t in_src, uint16_t in_sport, uint32_t in_dst,
		       uint16_t in_dport);

/* A packet socket on node n's interface, IPv4 only.  Return: the fd
 * (the caller closes it), -ENODEV without that interface, or -errno. */
int rfcio_cap_open(struct suite *s, int n, const char *ifname);

/* The next IPv4 packet on the capture fd into buf, waiting until end_ns
 * (CLOCK_MONOTONIC).  Return: its length (at least 20), or 0 at the
 * deadline or when stopped. */
size_t rfcio_cap_next(int fd, uint64_t end_ns, uint8_t *buf, size_t len);

/*
 * Wait up to ms for an ICMP destination unreachable on the capture whose
 * quoted segment is TCP to in_dst:in_dport; its quoted source in *addr,
 * *port.  Return: 1 seen, 0 not.
 */
int rfcio_cap_unreach(int fd, int ms, uint32_t in_dst, uint16_t in_dport,
		      uint32_t *addr, uint16_t *port);

/* With the keeper running, let it learn the mapping of node n's port
 * (it is in the gateway's map) before the next step depends on it;
 * without, nothing to wait for. */
void rfcio_settle(struct suite *s, int n, uint8_t proto, uint16_t port);

/**
 * rfcio_sleep_ms() - sleep, but return early when the run is being
 * stopped
 * Return: 0, or -EINTR if util_stop was set.
 */
int rfcio_sleep_ms(int ms);

/* The documents whose rows each group of tests answers. */
#define RFC_DOC_BIT(d) (1u << (d))
#define RFC_TCP_DOCS   (RFC_DOC_BIT(RFC_D5382) | RFC_DOC_BIT(RFC_D7857))
#define RFC_UDP_DOCS   (RFC_DOC_BIT(RFC_D4787) | RFC_DOC_BIT(RFC_D7857))
#define RFC_ICMP_DOCS  (RFC_DOC_BIT(RFC_D5508) | RFC_DOC_BIT(RFC_D7857))

/* ---- rfcwords.c: the words of the evidence ---- */

/* Append printf text to r's evidence (cut at its size). */
void rfc_tx(struct rfc_row *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* A named number for the JSON (at most RFC_DATA_MAX per row). */
void rfc_datum(struct rfc_row *r, const char *key, int64_t value);

/* A duration: "85 us", "0.4 ms", "2.04 s". */
const char *rfc_dur(uint32_t us, char *buf, size_t len);

/* A timeout in seconds, with a readable form when it is long; "?" < 0. */
const char *rfc_secs(int32_t s, char *buf, size_t len);

/* An address (host order), in buf of 16 bytes. */
const char *rfc_ip(uint32_t a, char *buf);

/* How a probe ended, e.g. "refused by a RST after 85 us". */
const char *rfc_brief(const struct rfc_conn *c, char *buf, size_t len);

/* The probe connected (or got its datagram answered). */
int rfc_ok(const struct rfc_conn *c);

/* A probe that could not tell anything about the gateway. */
int rfc_broken(const struct rfc_conn *c);

/* The judges of the UDP and the ICMP rows (RFC 4787, RFC 5508 and the
 * RFC 7857 sections about them); rows of documents whose tests did not
 * run (ev->docs) are left as they are. */
void rfc_judge_udp(const struct rfc_evidence *ev,
		   struct rfc_row rows[RFC_NREQ]);
void rfc_judge_icmp(const struct rfc_evidence *ev,
		    struct rfc_row rows[RFC_NREQ]);

/* ---- rfctest.c: the tests, run inside the lab's namespaces ---- */

/**
 * rfctest_open() - the suite's standing sockets: ctnetlink in the
 * gateway, the servers' listeners
 * @s: a suite whose nodes, namespaces and addresses are set
 * Return: 0 or -errno.
 */
int rfctest_open(struct suite *s);

/**
 * rfctest_close() - close every socket and namespace of @s (idempotent,
 * safe on a half-opened suite)
 */
void rfctest_close(struct suite *s);

/**
 * rfctest_run() - every test, in an order that keeps the long waits
 * together: the REQ-4 watch runs while the timer tests wait for entries
 * to expire
 * Return: 0 or -errno (-EINTR when stopped).
 */
int rfctest_run(struct suite *s);

/* The UDP tests (rfctest_udp.c) and the ICMP tests (rfctest_icmp.c),
 * which rfctest_run() calls when their documents are asked for.
 * Return: 0 or -errno (-EINTR when stopped). */
int rfctest_udp(struct suite *s);
int rfctest_icmp(struct suite *s);

#endif
