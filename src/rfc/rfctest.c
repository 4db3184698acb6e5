/* rfctest.c - natlab rfc's tests, run inside the lab's namespaces. */

/*
 * Each test drives sockets inside the lab's nodes and reads the gateway
 * with the I/O of rfcio.c, and fills the suite's struct rfc_evidence.
 * Nothing here judges: rfc_judge() (rfcjudge.c) does, from the evidence
 * alone.
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
#include "lib/sysctl.h"
#include "lib/util.h"
#include "rfc/rfc_int.h"

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
	rfcio_probe(s, N_C1, P_EIM, s1, SRV_PORT, s->l_s1, &e->eim_s1, &f, NULL,
		    NULL);
	rfcio_settle(s, N_C1, IPPROTO_TCP, P_EIM);
	rfcio_probe(s, N_C1, P_EIM, s2, SRV_PORT, s->l_s2, &e->eim_s2, &f, NULL,
		    NULL);
	rfcio_probe(s, N_C2, P_EIM2, s2, SRV_PORT, s->l_s2, &e->eim2_c2, &f,
		    NULL, NULL);
	rfcio_settle(s, N_C2, IPPROTO_TCP, P_EIM2);
	rfcio_probe(s, N_C1, P_EIM2, s1, SRV_PORT, s->l_s1, &e->eim2_s1, &f,
		    NULL, NULL);
	rfcio_settle(s, N_C1, IPPROTO_TCP, P_EIM2);
	rfcio_probe(s, N_C1, P_EIM2, s2, SRV_PORT, s->l_s2, &e->eim2_s2, &f,
		    NULL, NULL);
	rfcio_fds_close(&f);
}

/* REQ-7 (same port, same server) and port overlapping (same port,
 * different servers). */
static void test_ports_shared(struct suite *s)
{
	struct rfc_evidence *e = s->ev;
	struct fds f = {.n = 0};

	e->ovl_port = P_OVL;
	rfcio_probe(s, N_C1, P_OVL, s->addr[N_S1], SRV_PORT, s->l_s1,
		    &e->ovl_c1, &f, NULL, NULL);
	rfcio_settle(s, N_C1, IPPROTO_TCP, P_OVL);
	rfcio_probe(s, N_C2, P_OVL, s->addr[N_S1], SRV_PORT, s->l_s1,
		    &e->ovl_c2, &f, NULL, NULL);
	e->olap_port = P_OLAP;
	rfcio_probe(s, N_C1, P_OLAP, s->addr[N_S1], SRV_PORT, s->l_s1,
		    &e->olap_c1, &f, NULL, NULL);
	rfcio_settle(s, N_C1, IPPROTO_TCP, P_OLAP);
	rfcio_probe(s, N_C2, P_OLAP, s->addr[N_S2], SRV_PORT, s->l_s2,
		    &e->olap_c2, &f, NULL, NULL);
	rfcio_fds_close(&f);
}

/* c1 listens on port and maps it by connecting from it to s1; the
 * listener, or -1 with map's outcome set.  Once mapped, the keeper (if
 * any) has learnt it. */
static int listen_mapped(struct suite *s, uint16_t port, struct rfc_conn *map,
			 struct fds *f)
{
	int l = rfcio_tcp_listen(s, N_C1, port);

	if (l < 0) {
		map->out = RFC_OUT_ERROR;
		map->err = -l;
		return -1;
	}
	rfcio_probe(s, N_C1, port, s->addr[N_S1], SRV_PORT, s->l_s1, map, f,
		    NULL, NULL);
	rfcio_settle(s, N_C1, IPPROTO_TCP, port);
	return l;
}

/* REQ-3: c1 listens where it is mapped; who else gets in? */
static void test_filter(struct suite *s)
{
	struct rfc_evidence *e = s->ev;
	struct fds f = {.n = 0};
	int l;

	e->filt_port = P_FILT;
	e->filt_s1_port = Q_FILT_S1;
	l = listen_mapped(s, P_FILT, &e->filt_map, &f);
	if (l < 0)
		return;
	if (e->filt_map.out == RFC_OUT_OK) {
		rfcio_probe(s, N_S2, Q_FILT_S2, s->addr[N_GW],
			    e->filt_map.ext_port, l, &e->filt_s2, &f, NULL,
			    NULL);
		rfcio_probe(s, N_S1, Q_FILT_S1, s->addr[N_GW],
			    e->filt_map.ext_port, l, &e->filt_s1, &f, NULL,
			    NULL);
	}
	rfcio_fds_close(&f);
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
	l = listen_mapped(s, P_HP, &e->hp_map, &f);
	if (l < 0)
		return;
	if (e->hp_map.out == RFC_OUT_OK) {
		rfcio_probe(s, N_C2, P_HP_C2, s->addr[N_GW], e->hp_map.ext_port,
			    l, &e->hp, &f, NULL, NULL);
		e->hp_seen_addr = e->hp.ext_addr;
		e->hp_seen_port = e->hp.ext_port;
		if (e->hp.out == RFC_OUT_OK) {
			/* c2's own mapping of that port, as a server sees
			 * it: REQ-8a wants the same. */
			rfcio_settle(s, N_C2, IPPROTO_TCP, P_HP_C2);
			rfcio_probe(s, N_C2, P_HP_C2, s->addr[N_S1], SRV_PORT,
				    s->l_s1, &e->hp_out, &f, NULL, NULL);
		}
	}
	rfcio_fds_close(&f);
	close(l);
}

/* REQ-2: an ordinary connection; then a simultaneous open. */
static int test_sequences(struct suite *s)
{
	struct rfc_evidence *e = s->ev;
	struct ct_entry ce;
	struct nft_batch *b;
	int c = -1, a = -1, err;
	uint64_t t0, t1;

	e->seq_port = P_SEQ;
	rfcio_probe(s, N_C1, P_SEQ, s->addr[N_S1], SRV_PORT, s->l_s1, &e->seq,
		    NULL, &c, &a);
	if (e->seq.out == RFC_OUT_OK) {
		e->seq_data = (uint8_t)rfcio_xfer(c, a);
		shutdown(c, SHUT_WR);
		if (rfcio_wait_end(a, WAIT_CONNECT_MS) == 1) {
			rfcio_close_fd(&a);
			e->seq_closed = rfcio_wait_end(c, WAIT_CONNECT_MS) == 1;
		}
	}
	rfcio_close_fd(&c);
	rfcio_close_fd(&a);

	/* The client's SYN must stay unanswered while the server sends
	 * its own: s1 drops SYNs for the port it will connect from. */
	e->sim_port = P_SIM;
	e->sim_sport = Q_SIM;
	b = nft_batch_new();
	if (!b)
		return -ENOMEM;
	err = nft_syn_drop(b, Q_SIM);
	if (!err)
		err = rfcio_nft_send_at(s, N_S1, b,
					"s1: rule for the simultaneous open");
	nft_batch_free(b);
	if (err) {
		e->sim_c.out = RFC_OUT_ERROR;
		e->sim_c.err = -err;
		return 0;
	}
	c = rfcio_tcp_socket(s, N_C1, P_SIM);
	t0 = rfcio_now_us();
	err = c < 0 ? c : rfcio_conn_start(c, s->addr[N_S1], Q_SIM);
	if (err) {
		e->sim_c.out = RFC_OUT_ERROR;
		e->sim_c.err = -err;
		rfcio_close_fd(&c);
		return 0;
	}
	/* The gateway's entry for it: its state, and the mapping. */
	if (!rfcio_ct_wait(s, P_SIM, Q_SIM, -1, TCP_CONNTRACK_NONE, 500, &ce)) {
		e->sim_state = (int8_t)ce.state;
		e->live_syn_sent = ce.timeout;
		e->sim_ext = ce.reply.dport;
		rfcio_state_seen(s, ce.state);
	}
	a = rfcio_tcp_socket(s, N_S1, Q_SIM);
	t1 = rfcio_now_us();
	err = a < 0 ? a : rfcio_conn_start(a, s->addr[N_GW], e->sim_ext);
	if (err || !e->sim_ext) {
		e->sim_s.out = RFC_OUT_ERROR;
		e->sim_s.err = err ? -err : ENOENT;
	} else {
		rfcio_conn_wait(a, t1, WAIT_CONNECT_MS, &e->sim_s);
	}
	rfcio_conn_wait(c, t0, WAIT_CONNECT_MS, &e->sim_c);
	if (e->sim_c.out == RFC_OUT_OK && e->sim_s.out == RFC_OUT_OK)
		e->sim_data = (uint8_t)rfcio_xfer(c, a);
	if (!rfcio_ct_c1(s, P_SIM, Q_SIM, &ce))
		rfcio_state_seen(s, ce.state);
	rfcio_close_fd(&c);
	rfcio_close_fd(&a);
	return 0;
}

/* REQ-6: connections to ports that have helpers in the kernel. */
static void test_alg(struct suite *s)
{
	struct rfc_evidence *e = s->ev;
	struct ct_entry ce;
	struct rfc_conn c;
	struct fds f = {.n = 0};
	int i;

	for (i = 0; i < (int)ARRAY_SIZE(rfc_alg_ports); i++) {
		struct rfc_alg_probe *p = &e->alg[i];

		p->port = rfc_alg_ports[i];
		if (s->l_alg[i] < 0)
			continue;
		rfcio_probe(s, N_C1, (uint16_t)(P_ALG + i), s->addr[N_S1],
			    p->port, s->l_alg[i], &c, &f, NULL, NULL);
		if (c.out == RFC_OUT_OK &&
		    !rfcio_ct_c1(s, (uint16_t)(P_ALG + i), p->port, &ce)) {
			p->ok = 1;
			snprintf(p->helper, sizeof(p->helper), "%s", ce.helper);
		}
	}
	e->nalg = (int)ARRAY_SIZE(rfc_alg_ports);
	e->expectations = rfcio_gw_expectations(s);
	rfcio_fds_close(&f);
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
	rfcio_udp_probe(s, N_C1, P_UDP, s->addr[N_S1], UDP_CLOSED, "x", 1,
			&e->udp);
	pcp[18] = pcp[19] = 0xff;
	memcpy(pcp + 20, &c1, 4);
	rfcio_udp_probe(s, N_C1, P_PCP, e->gw_in, PCP_PORT, pcp, sizeof(pcp),
			&e->pcp);
}

/* REQ-10, and REQ-9 for TCP: an ICMP error about an established
 * connection, from the server. */
static void test_icmp(struct suite *s)
{
	struct rfc_evidence *e = s->ev;
	struct ct_entry ce;
	int c = -1, a = -1, cap;

	e->icmp_port = P_ICMP;
	rfcio_probe(s, N_C1, P_ICMP, s->addr[N_S1], SRV_PORT, s->l_s1,
		    &e->icmp_conn, NULL, &c, &a);
	if (e->icmp_conn.out != RFC_OUT_OK)
		goto out;
	cap = rfcio_cap_open(s, N_C1, s->c1_if);
	if (cap < 0)
		log_debug("capture at c1: %s", strerror(-cap));
	/* What s1 would quote: c1's segment as it arrived, from the
	 * gateway's address and c1's external port. */
	e->icmp_sent = rfcio_send_unreach(s, N_S1, s->addr[N_GW], IPPROTO_TCP,
					  s->addr[N_GW], e->icmp_conn.ext_port,
					  s->addr[N_S1], SRV_PORT) == 0;
	if (cap >= 0) {
		e->icmp_tcp_seen = (int8_t)rfcio_cap_unreach(
			cap, 300, s->addr[N_S1], SRV_PORT, &e->icmp_inner_addr,
			&e->icmp_inner_port);
		close(cap);
	} else {
		rfcio_sleep_ms(100);
	}
	if (!rfcio_ct_c1(s, P_ICMP, SRV_PORT, &ce)) {
		e->icmp_kept = 1;
		e->icmp_state = (int8_t)ce.state;
		e->icmp_port_after = ce.reply.dport;
	}
	e->icmp_data = (uint8_t)rfcio_xfer(c, a);
out:
	rfcio_close_fd(&c);
	rfcio_close_fd(&a);
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
	for (k = 0; k < 2 && !util_stop; k++) {
		uint16_t *out = k ? e->ports_c2 : e->ports_c1;

		for (i = 0; i < RFC_PORTS_N && !util_stop; i++) {
			rfcio_probe(s, k ? N_C2 : N_C1, (uint16_t)(P_PORTS + i),
				    s->addr[N_S1], SRV_PORT, s->l_s1, &c, &f,
				    NULL, NULL);
			out[i] = c.out == RFC_OUT_OK ? c.ext_port : 0;
		}
	}
	rfcio_fds_close(&f);
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
	sfd = rfcio_tcp_socket(s, N_S1, Q_PUNCH);
	ts = rfcio_now_us();
	err = sfd < 0 ? sfd : rfcio_conn_start(sfd, s->addr[N_GW], P_PUNCH);
	if (err) {
		e->punch_s.out = RFC_OUT_ERROR;
		e->punch_s.err = -err;
		rfcio_close_fd(&sfd);
		return;
	}
	rfcio_conn_wait(sfd, ts, PUNCH_DELAY_MS, &e->punch_s);
	cfd = rfcio_tcp_socket(s, N_C1, P_PUNCH);
	tc = rfcio_now_us();
	err = cfd < 0 ? cfd : rfcio_conn_start(cfd, s->addr[N_S1], Q_PUNCH);
	if (err) {
		e->punch_c.out = RFC_OUT_ERROR;
		e->punch_c.err = -err;
	} else {
		rfcio_conn_wait(cfd, tc, WAIT_CONNECT_MS, &e->punch_c);
	}
	if (e->punch_s.out == RFC_OUT_SILENT)
		rfcio_conn_wait(sfd, ts, WAIT_CONNECT_MS, &e->punch_s);
	rfcio_close_fd(&sfd);
	rfcio_close_fd(&cfd);
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
	fd = rfcio_tcp_socket(s, N_S1, Q_UNSOL);
	s->unsol_t0 = rfcio_now_us();
	err = fd < 0 ? fd : rfcio_conn_start(fd, s->addr[N_GW], P_UNSOL);
	if (err) {
		e->unsol.out = RFC_OUT_ERROR;
		e->unsol.err = -err;
		rfcio_close_fd(&fd);
		return;
	}
	rfcio_conn_wait(fd, s->unsol_t0, 200, &e->unsol);
	e->unsol_syns = rfcio_syns_sent(fd);
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
			       (int64_t)(rfcio_now_us() - s->unsol_t0) / 1000
		     : 0;
	rfcio_conn_wait(s->unsol_fd, s->unsol_t0, left > 0 ? (int)left : 0,
			&e->unsol);
	e->unsol_syns = rfcio_syns_sent(s->unsol_fd);
	if (e->unsol.out != RFC_OUT_SILENT || final)
		rfcio_close_fd(&s->unsol_fd);
}

/* A connection from c1 to s1 closed by FINs; its entry's TIME_WAIT
 * timeout in *tw (-1: not seen).  Return: 0 or -errno. */
static int close_by_fin(struct suite *s, uint16_t port, int track, int32_t *tw)
{
	struct ct_entry ce;
	struct rfc_conn conn;
	int c, a, err;

	*tw = -1;
	rfcio_probe(s, N_C1, port, s->addr[N_S1], SRV_PORT, s->l_s1, &conn,
		    NULL, &c, &a);
	if (conn.out != RFC_OUT_OK) {
		rfcio_close_fd(&c);
		rfcio_close_fd(&a);
		return -ECONNREFUSED;
	}
	if (track && !rfcio_ct_c1(s, port, SRV_PORT, &ce)) {
		s->ev->live_est = ce.timeout;
		rfcio_state_seen(s, ce.state);
	}
	shutdown(c, SHUT_WR);
	rfcio_wait_end(a, WAIT_CONNECT_MS);
	if (track && !rfcio_ct_wait(s, port, SRV_PORT, -1,
				    TCP_CONNTRACK_ESTABLISHED, 300, &ce))
		rfcio_state_seen(s, ce.state);
	rfcio_close_fd(&a);
	rfcio_wait_end(c, WAIT_CONNECT_MS);
	err = rfcio_ct_wait(s, port, SRV_PORT, TCP_CONNTRACK_TIME_WAIT, -1, 300,
			    &ce);
	if (!err) {
		*tw = ce.timeout;
		if (track)
			rfcio_state_seen(s, ce.state);
	}
	rfcio_close_fd(&c);
	return err;
}

/* A connection from c1 to s1 reset by s1; the entry's state after it in
 * *state (-1: gone) and its timeout in *left.  Return: 0 or -errno. */
static int close_by_rst(struct suite *s, uint16_t port, int track,
			int8_t *state, int32_t *left)
{
	struct ct_entry ce;
	struct rfc_conn conn;
	int c, a, err;

	*state = -1;
	*left = -1;
	rfcio_probe(s, N_C1, port, s->addr[N_S1], SRV_PORT, s->l_s1, &conn,
		    NULL, &c, &a);
	if (conn.out != RFC_OUT_OK) {
		rfcio_close_fd(&c);
		rfcio_close_fd(&a);
		return -ECONNREFUSED;
	}
	rfcio_close_rst(&a);
	if (rfcio_wait_end(c, WAIT_CONNECT_MS) == 2 && track)
		s->ev->rst_translated = 1;
	err = rfcio_ct_wait(s, port, SRV_PORT, TCP_CONNTRACK_CLOSE, -1, 300,
			    &ce);
	if (!err || err == -ETIMEDOUT) {
		*state = (int8_t)ce.state;
		*left = ce.timeout;
		if (track)
			rfcio_state_seen(s, ce.state);
	}
	rfcio_close_fd(&c);
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
	if (tw < 0 || cl < 0 || util_stop)
		return util_stop ? -EINTR : 0;

	if (rfcio_gw_sysctl_set(s, "tcp_timeout_time_wait", SCALED_S) ||
	    rfcio_gw_sysctl_set(s, "tcp_timeout_close", SCALED_S))
		goto restore;
	e->scaled_s = SCALED_S;
	if (!close_by_fin(s, P_TWS, 0, &t_tw))
		tw0 = rfcio_now_us();
	if (!close_by_rst(s, P_CLS, 0, &st, &t_cl) && st >= 0)
		cl0 = rfcio_now_us();
	/* Watch both entries go; REQ-4's probe is watched meanwhile. */
	end = rfcio_now_us() + (uint64_t)(SCALED_S + 3) * 1000000;
	while ((tw0 || cl0) && rfcio_now_us() < end && !util_stop) {
		struct ct_entry ce;

		if (tw0 && rfcio_ct_c1(s, P_TWS, SRV_PORT, &ce) == -ENOENT) {
			e->tw_gone_ms =
				(int32_t)((rfcio_now_us() - tw0) / 1000);
			tw0 = 0;
		}
		if (cl0 && rfcio_ct_c1(s, P_CLS, SRV_PORT, &ce) == -ENOENT) {
			e->close_gone_ms =
				(int32_t)((rfcio_now_us() - cl0) / 1000);
			cl0 = 0;
		}
		unsol_poll(s, 0);
		rfcio_sleep_ms(10);
	}
restore:
	rfcio_gw_sysctl_set(s, "tcp_timeout_time_wait", tw);
	rfcio_gw_sysctl_set(s, "tcp_timeout_close", cl);
	return util_stop ? -EINTR : 0;
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
		if (rfcio_gw_sysctl_get(s, name, &e->timer[i]))
			e->timer[i] = -1;
	}
	if (rfcio_gw_sysctl_get(s, "helper", &e->helper_sysctl))
		e->helper_sysctl = -1;
}

/* ---- the suite's standing sockets, and the whole run ---- */

int rfctest_open(struct suite *s)
{
	int i, err;

	err = rfcio_ct_open(s);
	if (err)
		return err;
	s->l_s1 = rfcio_tcp_listen(s, N_S1, SRV_PORT);
	if (s->l_s1 < 0)
		return s->l_s1;
	s->l_s2 = rfcio_tcp_listen(s, N_S2, SRV_PORT);
	if (s->l_s2 < 0)
		return s->l_s2;
	for (i = 0; i < 4; i++)
		s->l_alg[i] = rfcio_tcp_listen(s, N_S1, rfc_alg_ports[i]);
	return 0;
}

void rfctest_close(struct suite *s)
{
	int i;

	rfcio_close_fd(&s->unsol_fd);
	rfcio_close_fd(&s->l_s1);
	rfcio_close_fd(&s->l_s2);
	for (i = 0; i < 4; i++)
		rfcio_close_fd(&s->l_alg[i]);
	netlink_close(&s->ct);
	for (i = 0; i < N_NODES; i++)
		rfcio_close_fd(&s->nsfd[i]);
}

int rfctest_run(struct suite *s)
{
	int err;

	if (s->ev->docs & RFC_UDP_DOCS) {
		err = rfctest_udp(s);
		if (err)
			return err;
	}
	if (s->ev->docs & RFC_ICMP_DOCS) {
		err = rfctest_icmp(s);
		if (err)
			return err;
	}
	if (!(s->ev->docs & RFC_TCP_DOCS))
		return 0;
	read_timers(s);
	/* First: the gateway's own ICMP errors towards c1 share a rate
	 * limit with anything else it sends c1 (a redirect, say). */
	test_udp(s);
	test_eim(s);
	test_ports_shared(s);
	test_filter(s);
	test_hairpin(s);
	err = test_sequences(s);
	if (!err && !util_stop) {
		test_alg(s);
		test_icmp(s);
		test_port_choice(s);
		test_punch(s);
		unsol_start(s);
		err = test_timers(s);
	}
	if (!err && !util_stop)
		unsol_poll(s, 1);
	return err;
}
