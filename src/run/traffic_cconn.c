/* traffic_cconn.c - the generator's client connections: connect, request,
 * response, close, and each attempt's record. */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/log.h"
#include "lib/util.h"
#include "run/traffic_int.h"

/*
 * Theory of operation.  A client connection: non-blocking connect(),
 * request, response, then the close the server's topology asks for (the
 * server closes first; or the client does, with a FIN or a RST), or a
 * hold of the socket before that close.  Its socket is watched once,
 * edge-triggered, so each step reads or writes until the kernel has no
 * more and the next edge brings the rest.  The attempt's record is
 * complete when the exchange ends (cconn_rec_done()): its outcome, its
 * times and the SYN retransmissions the kernel counted.
 */

/* What epoll reports when the server has closed or reset. */
#define CCONN_ENDED (EPOLLRDHUP | EPOLLHUP | EPOLLERR)

/* The attempt of record @r has ended with @o (and errno @err): its end
 * time, its client's turn again, and the run's end when it is the last. */
static void cconn_rec_done(struct tr_worker *w, struct tr_rec *r,
			   enum tr_outcome o, int err)
{
	struct tr_client *cl = &w->tr->clients[r->client];

	if (r->outcome != TR_PENDING)
		return;
	r->outcome = (uint8_t)o;
	r->err = (uint8_t)(err > 255 ? 255 : err);
	r->end_us = traffic_now_us(w);
	if (!r->connect_us)
		r->connect_us = r->end_us - r->start_us;
	cl->inflight--;
	traffic_offer(w, cl);
	/* The last attempt of the run: wake every worker, which may be
	 * waiting for its own sockets, so that their drains start now. */
	if (__atomic_add_fetch(&w->tr->done_all, 1, __ATOMIC_RELAXED) ==
	    w->tr->plan.nrecs) {
		__atomic_store_n(&w->tr->done_ns, util_now_ns(),
				 __ATOMIC_RELAXED);
		if (eventfd_write(w->tr->wake_fd, 1) < 0)
			log_warn("traffic: waking the workers: %s",
				 strerror(errno));
	}
}

static void cconn_close(struct tr_worker *w, struct tr_cconn *c, int rst)
{
	traffic_pool_close(&w->cconns, &c->o, rst);
}

/* A connect_timeout or hold that ends at @ns. */
static void cconn_timeout_at(struct tr_worker *w, uint64_t ns)
{
	if (ns < w->next_timeout_ns)
		w->next_timeout_ns = ns;
}

/* The exchange is over: close now, or hold the socket open first (the
 * peer then waits in FIN_WAIT_2, or the client's close comes later). */
static void cconn_finish(struct tr_worker *w, struct tr_cconn *c, int rst)
{
	const struct topo_load *ld =
		&w->tr->t->nodes[w->tr->plan.recs[c->rec].client].load;

	if (!ld->hold_ms || rst) {
		cconn_close(w, c, rst);
		return;
	}
	if (c->watched)
		epoll_ctl(w->epfd, EPOLL_CTL_DEL, c->o.fd, NULL);
	c->st = C_HOLD;
	c->hold_ns = util_now_ns() + (uint64_t)ld->hold_ms * 1000000;
	cconn_timeout_at(w, c->hold_ns);
	w->held++;
}

static enum tr_outcome cconn_outcome_of(int err)
{
	switch (err) {
	case ETIMEDOUT:
		return TR_TIMEOUT;
	case ECONNREFUSED:
		return TR_REFUSED;
	case ECONNRESET:
	case EPIPE:
		return TR_RESET;
	case EADDRNOTAVAIL:
	case EADDRINUSE:
		return TR_NO_PORT;
	default:
		return TR_ERROR;
	}
}

static void cconn_fail(struct tr_worker *w, struct tr_cconn *c, int err)
{
	struct tr_rec *r = &w->tr->plan.recs[c->rec];

	if (c->st == C_CONNECTING && err == ECONNRESET)
		err = ECONNREFUSED;
	cconn_rec_done(w, r, cconn_outcome_of(err), err);
	cconn_close(w, c, 0);
}

/* SYNs retransmitted before the connection was up: the kernel's count
 * of retransmissions, read as soon as the handshake ends. */
static uint8_t cconn_syn_retrans(int fd)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);

	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) < 0)
		return 0;
	return ti.tcpi_total_retrans > 255 ? 255
					   : (uint8_t)ti.tcpi_total_retrans;
}

/*
 * Where the handshake stands: 0 still going; 1 over, with *err the
 * socket's error if it failed.  The SYN retransmissions come from the
 * same TCP_INFO; SO_ERROR is asked only of a closed socket (no other
 * state holds an error of a TCP socket).
 */
static int cconn_handshake(struct tr_cconn *c, struct tr_rec *r, int *err)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);

	*err = 0;
	if (getsockopt(c->o.fd, IPPROTO_TCP, TCP_INFO, &ti, &len) < 0) {
		memset(&ti, 0, sizeof(ti));
		ti.tcpi_state = TCP_CLOSE;
	}
	if (ti.tcpi_state == TCP_SYN_SENT)
		return 0;
	r->syn_retrans = ti.tcpi_total_retrans > 255
				 ? 255
				 : (uint8_t)ti.tcpi_total_retrans;
	if (ti.tcpi_state == TCP_CLOSE) {
		len = sizeof(*err);
		getsockopt(c->o.fd, SOL_SOCKET, SO_ERROR, err, &len);
	}
	return 1;
}

/* Watch a client socket, once, edge-triggered (events come when
 * something changes, so there is never a reason to modify the set):
 * for writing too while the request is not all sent. */
static void cconn_watch(struct tr_worker *w, struct tr_cconn *c)
{
	struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP | EPOLLET,
				 .data.u64 = traffic_obj_key(&c->o)};

	if (c->watched)
		return;
	if (c->st == C_CONNECTING || c->st == C_REQUEST)
		ev.events |= EPOLLOUT;
	c->watched = 1;
	if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, c->o.fd, &ev) < 0)
		cconn_fail(w, c, errno);
}

/* Bind to the client's next port in its range.  Return: 0 or -errno. */
static int cconn_bind(struct tr_client *cl, int fd, uint16_t *port)
{
	const struct topo_load *ld = &cl->tn->load;
	uint32_t span = (uint32_t)(ld->sport_max - ld->sport_min) + 1, i;
	int one = 1;

	/* A fixed port is meant to be reused: let bind() take it while the
	 * old connection sits in TIME_WAIT, as a NATed host would. */
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	for (i = 0; i < span; i++) {
		struct sockaddr_in sa = {.sin_family = AF_INET};
		uint16_t p =
			(uint16_t)(ld->sport_min + (cl->next_sport++ % span));

		sa.sin_port = htons(p);
		if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
			*port = p;
			return 0;
		}
		if (errno != EADDRINUSE)
			return -errno;
	}
	return -EADDRINUSE;
}

void traffic_cconn_start(struct tr_worker *w, uint32_t ri)
{
	struct tr_rec *r = &w->tr->plan.recs[ri];
	struct tr_client *cl = &w->tr->clients[r->client];
	const struct topo_node *srv =
		&w->tr->t->nodes[w->tr->t->traffic.server];
	struct sockaddr_in sa = {.sin_family = AF_INET};
	struct tr_cconn *c;
	socklen_t slen = sizeof(sa);
	int fd, err;

	cl->inflight++;
	r->start_us = traffic_now_us(w);
	r->flags |= TR_F_STARTED;
	err = traffic_enter(w, r->client);
	if (err) {
		cconn_rec_done(w, r, TR_ERROR, -err);
		return;
	}
	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		cconn_rec_done(w, r, cconn_outcome_of(errno), errno);
		return;
	}
	if (cl->tn->load.sport_min) {
		err = cconn_bind(cl, fd, &r->sport);
		if (err) {
			close(fd);
			cconn_rec_done(w, r, cconn_outcome_of(-err), -err);
			return;
		}
	}
	sa.sin_addr.s_addr = htonl(srv->ifs[0].addr);
	sa.sin_port =
		htons(w->tr->t->traffic.port
			      ? w->tr->t->traffic.port
			      : srv->svc.ports[ri % (uint32_t)srv->svc.nports]);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 &&
	    errno != EINPROGRESS) {
		err = errno;
		close(fd);
		cconn_rec_done(w, r, cconn_outcome_of(err), err);
		return;
	}
	if (!r->sport && getsockname(fd, (struct sockaddr *)&sa, &slen) == 0)
		r->sport = ntohs(sa.sin_port);
	c = traffic_pool_get(&w->cconns);
	c->o.kind = K_CCONN;
	c->o.fd = fd;
	c->rec = ri;
	c->st = C_CONNECTING;
	if (cl->tn->load.connect_timeout_ms) {
		c->deadline_ns =
			util_now_ns() +
			(uint64_t)cl->tn->load.connect_timeout_ms * 1000000;
		cconn_timeout_at(w, c->deadline_ns);
	}
	/* Between the lab's veth links the whole handshake mostly happens
	 * inside connect() (the SYN-ACK is processed before it returns):
	 * go on at once, and wait only for what has not happened yet. */
	traffic_cconn_event(w, c, 0);
}

/* The handshake, if it is over: 1 if the connection is up (its connect
 * time kept); 0 if it is still under way (watched) or failed (closed). */
static int cconn_connected(struct tr_worker *w, struct tr_cconn *c,
			   struct tr_rec *r)
{
	int err;

	if (!cconn_handshake(c, r, &err)) {
		cconn_watch(w, c);
		return 0;
	}
	if (err) {
		cconn_fail(w, c, err);
		return 0;
	}
	r->connect_us = traffic_now_us(w) - r->start_us;
	r->flags |= TR_F_CONNECTED;
	c->st = C_REQUEST;
	return 1;
}

/* Send what is left of the request, then wait for the response: 1 if
 * this event may bring some of it; 0 if the connection waits for its
 * next event (watched) or failed (closed). */
static int cconn_request(struct tr_worker *w, struct tr_cconn *c,
			 const struct topo_service *svc, uint32_t events)
{
	ssize_t n;

	while (c->sent < svc->request) {
		size_t want = svc->request - c->sent;

		n = write(c->o.fd, w->buf, want > TR_BUF ? TR_BUF : want);
		if (n < 0) {
			if (errno == EAGAIN) {
				cconn_watch(w, c);
				return 0;
			}
			cconn_fail(w, c, errno);
			return 0;
		}
		c->sent += (uint32_t)n;
	}
	c->st = C_RESPONSE;
	/* No answer yet unless this event says so: one that comes later
	 * brings an event of its own. */
	if (!(events & (EPOLLIN | CCONN_ENDED))) {
		cconn_watch(w, c);
		return 0;
	}
	return 1;
}

/* Read what the server has sent: 1 if the socket is open and has no
 * more for now; 0 if the connection ended here (the server's close
 * completes the attempt, an error fails it). */
static int cconn_response(struct tr_worker *w, struct tr_cconn *c,
			  const struct topo_service *svc, uint32_t events)
{
	ssize_t n;

	for (;;) {
		n = read(c->o.fd, w->buf, TR_BUF);
		if (n > 0) {
			c->got += (uint32_t)n;
			/* A short read took all there was: what comes after
			 * it brings a new edge, unless the end came with
			 * this one. */
			if ((size_t)n < TR_BUF && !(events & CCONN_ENDED))
				return 1;
			continue;
		}
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return 1;
		if (n < 0) {
			cconn_fail(w, c, errno);
			return 0;
		}
		/* EOF: the server closed. */
		if (c->got < svc->response) {
			cconn_fail(w, c, ECONNRESET);
			return 0;
		}
		cconn_rec_done(w, &w->tr->plan.recs[c->rec], TR_OK, 0);
		cconn_finish(w, c, 0);
		return 0;
	}
}

void traffic_cconn_event(struct tr_worker *w, struct tr_cconn *c,
			 uint32_t events)
{
	struct tr_rec *r = &w->tr->plan.recs[c->rec];
	const struct topo_service *svc =
		&w->tr->t->nodes[w->tr->t->traffic.server].svc;

	if (c->st == C_CONNECTING && !cconn_connected(w, c, r))
		return;
	if (c->st == C_REQUEST && !cconn_request(w, c, svc, events))
		return;
	if (!cconn_response(w, c, svc, events))
		return;
	if (c->got < svc->response) {
		cconn_watch(w, c);
		return;
	}
	switch (svc->close) {
	case TOPO_CLOSE_SERVER:
		c->st = C_WAIT_EOF; /* the server's FIN comes first */
		cconn_watch(w, c);
		return;
	case TOPO_CLOSE_CLIENT:
	case TOPO_CLOSE_RST:
		cconn_rec_done(w, r, TR_OK, 0);
		cconn_finish(w, c, svc->close == TOPO_CLOSE_RST);
		return;
	}
}

/* The pool is walked only when one of the deadlines may be due. */
void traffic_cconn_timeouts(struct tr_worker *w)
{
	uint64_t now = util_now_ns();
	int i;

	if (now < w->next_timeout_ns)
		return;
	w->next_timeout_ns = UINT64_MAX;
	for (i = 0; i < w->cconns.cap; i++) {
		struct tr_cconn *c = traffic_pool_at(&w->cconns, i);

		if (c->o.fd >= 0 && c->st == C_CONNECTING && c->deadline_ns) {
			if (now < c->deadline_ns) {
				cconn_timeout_at(w, c->deadline_ns);
				continue;
			}
			w->tr->plan.recs[c->rec].syn_retrans =
				cconn_syn_retrans(c->o.fd);
			cconn_fail(w, c, ETIMEDOUT);
		}
		if (c->o.fd >= 0 && c->st == C_HOLD) {
			if (now < c->hold_ns) {
				cconn_timeout_at(w, c->hold_ns);
				continue;
			}
			w->held--;
			cconn_close(w, c, 0);
		}
	}
}
