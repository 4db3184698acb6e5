/* traffic.c - the built-in servers and client load generator. */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "lib/heap.h"
#include "lib/log.h"
#include "lib/netns.h"
#include "lib/util.h"
#include "run/traffic.h"
#include "run/traffic_plan.h"

/*
 * Theory of operation.  One worker thread per CPU; each owns every Nth
 * client and all of its sockets, and listens on every server port with
 * SO_REUSEPORT, so the kernel spreads accepted connections over the
 * workers.  A socket belongs to the network namespace it was created in,
 * so a worker enters a node's namespace only to create sockets (and
 * stays there while consecutive attempts come from the same node).
 * Servers listen on their ports for the whole run; each client's attempts
 * follow one schedule over all clients (round-robin, shuffled, or each
 * client on its own clock: traffic_plan.c), limited by the client's
 * concurrency.
 *
 * A client connection: non-blocking connect(), request, response, then
 * the close the server's topology asks for (the server closes first; or
 * the client does, with a FIN or a RST).  Outcomes and times are kept in
 * one 32-byte record per attempt; per-connection state lives in a pool
 * of slots recycled without allocation.
 */

#define TR_MAX_EVENTS 256
#define TR_BUF	      65536
/* After the last attempt ends, give servers at most this long to see
 * the last closes before the run ends; a worker whose servers have
 * nothing left to read ends sooner. */
#define TR_DRAIN_MS 200

enum tr_kind {
	K_LISTEN,
	K_SCONN, /* server side of a connection */
	K_CCONN, /* client side */
	K_WAKE,	 /* the run's last attempt has ended */
};

enum tr_cstate {
	C_CONNECTING,
	C_REQUEST,
	C_RESPONSE,
	C_WAIT_EOF,
	C_HOLD, /* done, kept open until hold_ns */
};

struct tr_obj {
	enum tr_kind kind;
	int fd;
	int slot; /* in its pool */
};

struct tr_listen {
	struct tr_obj o;
	int server; /* index into tr->servers */
};

struct tr_sconn {
	struct tr_obj o;
	int server;
	uint32_t got, sent;
	int wrote;   /* response written */
	int watched; /* in the worker's epoll */
};

struct tr_cconn {
	struct tr_obj o;
	uint32_t rec;
	enum tr_cstate st;
	int watched; /* in the worker's epoll (edge-triggered) */
	uint32_t sent, got;
	uint64_t deadline_ns; /* connect_timeout, 0: none */
	uint64_t hold_ns;     /* C_HOLD: when to close */
};

struct tr_server {
	const struct topo_node *tn;
	int node;
};

struct tr_client {
	const struct topo_node *tn;
	int node;
	int nsfd;
	int worker;
	uint32_t inflight;
	uint32_t next_sport;
	uint32_t next; /* its first attempt (in its plan list) not started */
	int in_heap;   /* in its worker's heap */
};

/* A slot pool: objects of one size, free list of slot numbers. */
struct tr_pool {
	char *mem;
	size_t size;
	int cap, *free, nfree;
};

/* One thread of the generator: its own epoll, sockets and clients. */
struct tr_worker {
	struct traffic *tr;
	int id;
	pthread_t tid;
	int err;
	struct tr_listen *listens;
	int nlistens;
	/* Its clients that may start their next attempt (not at their
	 * concurrency limit), a min-heap by when that attempt is due: they
	 * take turns in planned order. */
	struct heap turns; /* node indices (int) */
	uint32_t held;	   /* connections in C_HOLD */
	/* No connect_timeout or hold ends before this (UINT64_MAX: none) */
	uint64_t next_timeout_ns;
	struct tr_pool sconns, cconns;
	struct tr_server_stats *sst; /* per server */
	int epfd;
	int cur_ns; /* node whose namespace this thread is in, -1: ours */
	char *buf;
};

struct traffic {
	const struct topo *t;
	struct tr_server *servers;
	int nservers;
	struct tr_client *clients; /* by node index (sparse) */
	struct traffic_plan plan;  /* the records, in planned order */
	struct tr_worker *workers;
	int nworkers;
	uint32_t done_all; /* attempts ended, over every worker (atomic) */
	uint64_t done_ns;  /* when the last one ended (atomic), 0: not yet */
	int wake_fd;	   /* eventfd, readable once the last one ended */
	volatile sig_atomic_t *stop;
	uint64_t start_ns, end_ns;
};

/* ---- pools ---- */

static void pool_init(struct tr_pool *p, size_t size)
{
	memset(p, 0, sizeof(*p));
	p->size = size;
}

static void *pool_at(struct tr_pool *p, int slot)
{
	return p->mem + (size_t)slot * p->size;
}

static void *pool_get(struct tr_pool *p)
{
	struct tr_obj *o;
	int i, slot;

	if (!p->nfree) {
		int cap = p->cap ? p->cap * 2 : 256;

		p->mem = xrealloc(p->mem, cap, p->size);
		p->free = xrealloc(p->free, cap, sizeof(int));
		for (i = cap - 1; i >= p->cap; i--) {
			o = pool_at(p, i);
			memset(o, 0, p->size);
			o->fd = -1;
			p->free[p->nfree++] = i;
		}
		p->cap = cap;
	}
	slot = p->free[--p->nfree];
	o = pool_at(p, slot);
	memset(o, 0, p->size);
	o->slot = slot;
	o->fd = -1;
	return o;
}

static void pool_put(struct tr_pool *p, struct tr_obj *o)
{
	p->free[p->nfree++] = o->slot;
}

/* Slots in use. */
static int pool_used(const struct tr_pool *p)
{
	return p->cap - p->nfree;
}

static void pool_free(struct tr_pool *p)
{
	free(p->mem);
	free(p->free);
}

/* Pool memory moves when it grows: epoll keeps (kind, slot) instead of
 * a pointer. */
static uint64_t obj_key(const struct tr_obj *o)
{
	return ((uint64_t)o->kind << 32) | (uint32_t)o->slot;
}

/* ---- time ---- */

static uint32_t tr_now_us(const struct tr_worker *w)
{
	return (uint32_t)((util_now_ns() - w->tr->start_ns) / 1000);
}

/* ---- namespaces ---- */

static int tr_enter(struct tr_worker *w, int node)
{
	int fd, err;

	if (w->cur_ns == node)
		return 0;
	if (node < 0) {
		w->cur_ns = -1;
		return netns_leave();
	}
	/* Opened by traffic_new(), read-only from here on: workers share
	 * them. */
	fd = w->tr->clients[node].nsfd;
	if (fd < 0)
		return -ENOENT;
	err = netns_enter(fd);
	if (!err)
		w->cur_ns = node;
	return err;
}

/* ---- turns ---- */

/* The heap's order: client @a's next attempt due before client @b's,
 * ties to the lower node index, as in the plan. */
static int tr_turn_before(const void *a, const void *b, void *ctx)
{
	const struct traffic *tr = ctx;
	int x = *(const int *)a, y = *(const int *)b;

	return traffic_plan_before(&tr->plan, x, tr->clients[x].next, y,
				   tr->clients[y].next);
}

/* Give client @cl its turn if it has an attempt left and room for it. */
static void tr_offer(struct tr_worker *w, struct tr_client *cl)
{
	uint32_t lim = cl->tn->load.concurrency;

	if (cl->in_heap || cl->next >= w->tr->plan.clients[cl->node].nrecs ||
	    (lim && cl->inflight >= lim))
		return;
	cl->in_heap = 1;
	heap_push(&w->turns, &cl->node);
}

struct traffic *traffic_new(const struct topo *t)
{
	struct traffic *tr = xcalloc(1, sizeof(*tr));
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	int c, w, nclients = 0;

	tr->t = t;
	tr->wake_fd = -1;
	tr->clients = xcalloc(t->nnodes, sizeof(*tr->clients));
	tr->servers = xcalloc(t->nnodes, sizeof(*tr->servers));
	for (c = 0; c < t->nnodes; c++) {
		struct tr_client *cl = &tr->clients[c];

		cl->node = c;
		cl->tn = &t->nodes[c];
		cl->worker = nclients;
		cl->nsfd = netns_open_node(t->name, t->nodes[c].name);
		if (t->nodes[c].kind == TOPO_CLIENT)
			nclients++;
		if (t->nodes[c].kind != TOPO_SERVER)
			continue;
		tr->servers[tr->nservers].tn = &t->nodes[c];
		tr->servers[tr->nservers].node = c;
		tr->nservers++;
	}
	traffic_plan_make(&tr->plan, t);
	/* One worker per CPU, no more than there are clients; each owns
	 * every Nth client. */
	tr->nworkers = cpus < 1 ? 1 : cpus > 16 ? 16 : (int)cpus;
	if (tr->nworkers > nclients)
		tr->nworkers = nclients ? nclients : 1;
	tr->workers = xcalloc(tr->nworkers, sizeof(*tr->workers));
	for (c = 0; c < t->nnodes; c++)
		tr->clients[c].worker %= tr->nworkers;
	for (w = 0; w < tr->nworkers; w++) {
		struct tr_worker *wk = &tr->workers[w];

		wk->tr = tr;
		wk->id = w;
		wk->epfd = -1;
		wk->cur_ns = -1;
		wk->next_timeout_ns = UINT64_MAX;
		wk->buf = xcalloc(1, TR_BUF);
		wk->sst = xcalloc(tr->nservers ? tr->nservers : 1,
				  sizeof(*wk->sst));
		heap_init(&wk->turns, sizeof(int), tr_turn_before, tr);
		pool_init(&wk->sconns, sizeof(struct tr_sconn));
		pool_init(&wk->cconns, sizeof(struct tr_cconn));
	}
	for (c = 0; c < t->nnodes; c++)
		tr_offer(&tr->workers[tr->clients[c].worker], &tr->clients[c]);
	return tr;
}

void traffic_free(struct traffic *tr)
{
	int i, w;

	if (!tr)
		return;
	for (i = 0; i < tr->t->nnodes; i++)
		if (tr->clients[i].nsfd >= 0)
			close(tr->clients[i].nsfd);
	for (w = 0; w < tr->nworkers; w++) {
		struct tr_worker *wk = &tr->workers[w];

		for (i = 0; i < wk->nlistens; i++)
			if (wk->listens[i].o.fd >= 0)
				close(wk->listens[i].o.fd);
		for (i = 0; i < wk->sconns.cap; i++) {
			struct tr_obj *o = pool_at(&wk->sconns, i);

			if (o->fd >= 0)
				close(o->fd);
		}
		for (i = 0; i < wk->cconns.cap; i++) {
			struct tr_obj *o = pool_at(&wk->cconns, i);

			if (o->fd >= 0)
				close(o->fd);
		}
		pool_free(&wk->sconns);
		pool_free(&wk->cconns);
		if (wk->epfd >= 0)
			close(wk->epfd);
		free(wk->listens);
		free(wk->buf);
		free(wk->sst);
		heap_free(&wk->turns);
	}
	free(tr->workers);
	free(tr->clients);
	free(tr->servers);
	traffic_plan_free(&tr->plan);
	if (tr->wake_fd >= 0)
		close(tr->wake_fd);
	free(tr);
}

/* ---- servers ---- */

static int tr_listen(struct tr_worker *w)
{
	int s, k, err = 0;

	for (s = 0; s < w->tr->nservers; s++) {
		const struct topo_service *svc = &w->tr->servers[s].tn->svc;

		err = tr_enter(w, w->tr->servers[s].node);
		if (err)
			return err;
		for (k = 0; k < svc->nports; k++) {
			struct sockaddr_in sa = {.sin_family = AF_INET,
						 .sin_port =
							 htons(svc->ports[k])};
			struct epoll_event ev = {.events = EPOLLIN};
			struct tr_listen *l;
			int one = 1, fd;

			fd = socket(AF_INET,
				    SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
				    0);
			if (fd < 0)
				return -errno;
			setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one,
				   sizeof(one));
			/* Every worker listens on every port; the kernel
			 * spreads the connections over them. */
			setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one,
				   sizeof(one));
			if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
			    listen(fd, (int)svc->backlog) < 0) {
				err = -errno;
				log_errno(err, "server %s: port %u",
					  w->tr->servers[s].tn->name,
					  svc->ports[k]);
				close(fd);
				return err;
			}
			w->listens = xrealloc(w->listens, w->nlistens + 1,
					      sizeof(*w->listens));
			l = &w->listens[w->nlistens];
			l->o.kind = K_LISTEN;
			l->o.fd = fd;
			l->o.slot = w->nlistens++;
			l->server = s;
			ev.data.u64 = obj_key(&l->o);
			if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
				return -errno;
		}
	}
	return 0;
}

static void sconn_close(struct tr_worker *w, struct tr_sconn *c, int rst)
{
	if (rst) {
		struct linger lg = {1, 0};

		setsockopt(c->o.fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	}
	close(c->o.fd);
	c->o.fd = -1;
	pool_put(&w->sconns, &c->o);
}

/* Wait for the client (level-triggered): added to the epoll only when
 * there is something to wait for. */
static void sconn_watch(struct tr_worker *w, struct tr_sconn *c)
{
	struct epoll_event ev = {.events = EPOLLIN, .data.u64 = obj_key(&c->o)};

	if (c->watched)
		return;
	c->watched = 1;
	if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, c->o.fd, &ev) < 0)
		sconn_close(w, c, 0);
}

static void tr_sconn_event(struct tr_worker *w, struct tr_sconn *c);

static void tr_accept(struct tr_worker *w, struct tr_listen *l)
{
	struct tr_sconn *c;
	int fd;

	/* One connection per event: the listener is level-triggered, so the
	 * next epoll_wait() reports it again while more are queued, and no
	 * call is spent finding the queue empty. */
	fd = accept4(l->o.fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0)
		return;
	w->sst[l->server].accepted++;
	c = pool_get(&w->sconns);
	c->o.kind = K_SCONN;
	c->o.fd = fd;
	c->server = l->server;
	/* The client sends its request as soon as its handshake ends,
	 * mostly before this accept: serve it now, and watch the socket
	 * only if there is something left to wait for. */
	tr_sconn_event(w, c);
}

static void tr_sconn_event(struct tr_worker *w, struct tr_sconn *c)
{
	struct tr_server *s = &w->tr->servers[c->server];
	const struct topo_service *svc = &s->tn->svc;
	ssize_t n;

	for (;;) {
		n = read(c->o.fd, w->buf, TR_BUF);
		if (n > 0) {
			c->got += (uint32_t)n;
			/* A short read took all there was; the socket is
			 * level-triggered and says when there is more. */
			if ((size_t)n < TR_BUF)
				break;
			continue;
		}
		if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
			/* EOF or reset: the client is done. */
			if (n < 0)
				w->sst[c->server].reset++;
			sconn_close(w, c, 0);
			return;
		}
		break;
	}
	if (c->wrote || c->got < svc->request) {
		sconn_watch(w, c);
		return;
	}
	while (c->sent < svc->response) {
		size_t want = svc->response - c->sent;

		n = write(c->o.fd, w->buf, want > TR_BUF ? TR_BUF : want);
		if (n <= 0)
			break;
		c->sent += (uint32_t)n;
	}
	if (c->sent < svc->response) {
		if (n < 0 && errno != EAGAIN) {
			w->sst[c->server].errors++;
			sconn_close(w, c, 0);
			return;
		}
		sconn_watch(w, c);
		return; /* a large response: EPOLLIN only, try again later */
	}
	c->wrote = 1;
	if (svc->close == TOPO_CLOSE_SERVER) {
		sconn_close(w, c, 0);
		return;
	}
	/* Otherwise wait for the client's FIN or RST. */
	sconn_watch(w, c);
}

/* ---- clients ---- */

static void rec_done(struct tr_worker *w, struct tr_rec *r, enum tr_outcome o,
		     int err)
{
	struct tr_client *cl = &w->tr->clients[r->client];

	if (r->outcome != TR_PENDING)
		return;
	r->outcome = (uint8_t)o;
	r->err = (uint8_t)(err > 255 ? 255 : err);
	r->end_us = tr_now_us(w);
	if (!r->connect_us)
		r->connect_us = r->end_us - r->start_us;
	cl->inflight--;
	tr_offer(w, cl);
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
	if (rst) {
		struct linger lg = {1, 0};

		setsockopt(c->o.fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	}
	close(c->o.fd);
	c->o.fd = -1;
	pool_put(&w->cconns, &c->o);
}

/* A connect_timeout or hold that ends at @ns. */
static void tr_timeout_at(struct tr_worker *w, uint64_t ns)
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
	tr_timeout_at(w, c->hold_ns);
	w->held++;
}

static enum tr_outcome outcome_of(int err)
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
	rec_done(w, r, outcome_of(err), err);
	cconn_close(w, c, 0);
}

/* SYNs retransmitted before the connection was up: the kernel's count
 * of retransmissions, read as soon as the handshake ends. */
static uint8_t syn_retrans(int fd)
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
				 .data.u64 = obj_key(&c->o)};

	if (c->watched)
		return;
	if (c->st == C_CONNECTING || c->st == C_REQUEST)
		ev.events |= EPOLLOUT;
	c->watched = 1;
	if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, c->o.fd, &ev) < 0)
		cconn_fail(w, c, errno);
}

static void tr_cconn_event(struct tr_worker *w, struct tr_cconn *c,
			   uint32_t events);

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

static void tr_start(struct tr_worker *w, uint32_t ri)
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
	r->start_us = tr_now_us(w);
	r->flags |= TR_F_STARTED;
	err = tr_enter(w, r->client);
	if (err) {
		rec_done(w, r, TR_ERROR, -err);
		return;
	}
	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		rec_done(w, r, outcome_of(errno), errno);
		return;
	}
	if (cl->tn->load.sport_min) {
		err = cconn_bind(cl, fd, &r->sport);
		if (err) {
			close(fd);
			rec_done(w, r, outcome_of(-err), -err);
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
		rec_done(w, r, outcome_of(err), err);
		return;
	}
	if (!r->sport && getsockname(fd, (struct sockaddr *)&sa, &slen) == 0)
		r->sport = ntohs(sa.sin_port);
	c = pool_get(&w->cconns);
	c->o.kind = K_CCONN;
	c->o.fd = fd;
	c->rec = ri;
	c->st = C_CONNECTING;
	if (cl->tn->load.connect_timeout_ms) {
		c->deadline_ns =
			util_now_ns() +
			(uint64_t)cl->tn->load.connect_timeout_ms * 1000000;
		tr_timeout_at(w, c->deadline_ns);
	}
	/* Between the lab's veth links the whole handshake mostly happens
	 * inside connect() (the SYN-ACK is processed before it returns):
	 * go on at once, and wait only for what has not happened yet. */
	tr_cconn_event(w, c, 0);
}

/* @events: what epoll reported, 0 when called right after connect(). */
static void tr_cconn_event(struct tr_worker *w, struct tr_cconn *c,
			   uint32_t events)
{
	struct tr_rec *r = &w->tr->plan.recs[c->rec];
	const struct topo_service *svc =
		&w->tr->t->nodes[w->tr->t->traffic.server].svc;
	const uint32_t more = EPOLLRDHUP | EPOLLHUP | EPOLLERR;
	int err = 0;
	ssize_t n;

	if (c->st == C_CONNECTING) {
		if (!cconn_handshake(c, r, &err)) {
			cconn_watch(w, c);
			return;
		}
		if (err) {
			cconn_fail(w, c, err);
			return;
		}
		r->connect_us = tr_now_us(w) - r->start_us;
		r->flags |= TR_F_CONNECTED;
		c->st = C_REQUEST;
	}
	while (c->st == C_REQUEST && c->sent < svc->request) {
		size_t want = svc->request - c->sent;

		n = write(c->o.fd, w->buf, want > TR_BUF ? TR_BUF : want);
		if (n < 0) {
			if (errno == EAGAIN) {
				cconn_watch(w, c);
				return;
			}
			cconn_fail(w, c, errno);
			return;
		}
		c->sent += (uint32_t)n;
	}
	if (c->st == C_REQUEST) {
		c->st = C_RESPONSE;
		/* No answer yet unless this event says so: one that comes
		 * later brings an event of its own. */
		if (!(events & (EPOLLIN | more))) {
			cconn_watch(w, c);
			return;
		}
	}
	for (;;) {
		n = read(c->o.fd, w->buf, TR_BUF);
		if (n > 0) {
			c->got += (uint32_t)n;
			/* A short read took all there was: what comes after
			 * it brings a new edge, unless the end came with
			 * this one. */
			if ((size_t)n < TR_BUF && !(events & more))
				break;
			continue;
		}
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			break;
		if (n < 0) {
			cconn_fail(w, c, errno);
			return;
		}
		/* EOF: the server closed. */
		if (c->got < svc->response) {
			cconn_fail(w, c, ECONNRESET);
			return;
		}
		rec_done(w, r, TR_OK, 0);
		cconn_finish(w, c, 0);
		return;
	}
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
		rec_done(w, r, TR_OK, 0);
		cconn_finish(w, c, svc->close == TOPO_CLOSE_RST);
		return;
	}
}

/* Start what is due, in planned order, as far as each client's
 * concurrency allows; a client at its limit is back in turn when one of
 * its attempts ends. */
static void tr_schedule(struct tr_worker *w, uint32_t now_us)
{
	while (heap_count(&w->turns)) {
		struct tr_client *cl =
			&w->tr->clients[*(const int *)heap_top(&w->turns)];
		uint32_t ri = w->tr->plan.clients[cl->node].recs[cl->next];

		if (w->tr->plan.recs[ri].start_us > now_us)
			break;
		heap_pop(&w->turns, NULL);
		cl->in_heap = 0;
		cl->next++;
		tr_start(w, ri);
		tr_offer(w, cl);
	}
}

/* Connections past their connect_timeout: give up on them; held ones
 * whose time is up: close them.  The pool is walked only when one of
 * them may be due. */
static void tr_timeouts(struct tr_worker *w)
{
	uint64_t now = util_now_ns();
	int i;

	if (now < w->next_timeout_ns)
		return;
	w->next_timeout_ns = UINT64_MAX;
	for (i = 0; i < w->cconns.cap; i++) {
		struct tr_cconn *c = pool_at(&w->cconns, i);

		if (c->o.fd >= 0 && c->st == C_CONNECTING && c->deadline_ns) {
			if (now < c->deadline_ns) {
				tr_timeout_at(w, c->deadline_ns);
				continue;
			}
			w->tr->plan.recs[c->rec].syn_retrans =
				syn_retrans(c->o.fd);
			cconn_fail(w, c, ETIMEDOUT);
		}
		if (c->o.fd >= 0 && c->st == C_HOLD) {
			if (now < c->hold_ns) {
				tr_timeout_at(w, c->hold_ns);
				continue;
			}
			w->held--;
			cconn_close(w, c, 0);
		}
	}
}

static void tr_dispatch(struct tr_worker *w, const struct epoll_event *ev)
{
	enum tr_kind kind = (enum tr_kind)(ev->data.u64 >> 32);
	int slot = (int)(uint32_t)ev->data.u64;

	switch (kind) {
	case K_LISTEN:
		tr_accept(w, &w->listens[slot]);
		return;
	case K_SCONN:
		tr_sconn_event(w, pool_at(&w->sconns, slot));
		return;
	case K_CCONN:
		tr_cconn_event(w, pool_at(&w->cconns, slot), ev->events);
		return;
	case K_WAKE:
		/* Level-triggered and never read: once is enough here. */
		epoll_ctl(w->epfd, EPOLL_CTL_DEL, w->tr->wake_fd, NULL);
		return;
	}
}

static int tr_watch_wake(struct tr_worker *w)
{
	struct epoll_event ev = {.events = EPOLLIN,
				 .data.u64 = (uint64_t)K_WAKE << 32};

	if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, w->tr->wake_fd, &ev) < 0)
		return -errno;
	return 0;
}

static void *tr_worker_run(void *arg)
{
	struct tr_worker *w = arg;
	struct traffic *tr = w->tr;
	struct epoll_event evs[TR_MAX_EVENTS];
	uint64_t drain_until = 0, limit_ns = 0;
	int i, n;

	if (tr->t->traffic.max_ms)
		limit_ns = tr->start_ns +
			   (uint64_t)tr->t->traffic.max_ms * 1000000;
	for (;;) {
		uint64_t now_ns = util_now_ns();
		uint32_t now = (uint32_t)((now_ns - tr->start_ns) / 1000);
		int timeout = 100, idle = 0;

		if (tr->stop && *tr->stop) {
			w->err = -EINTR;
			break;
		}
		if (limit_ns && now_ns >= limit_ns)
			break;
		tr_schedule(w, now);
		/* Every worker serves its listeners until every attempt of
		 * the run has ended: the kernel hands connections from any
		 * client to any worker's listener.  Held sockets stay open
		 * past the end: the run reads its end counters before
		 * traffic_free() closes them. */
		if (__atomic_load_n(&tr->done_all, __ATOMIC_RELAXED) ==
		    tr->plan.nrecs) {
			if (!drain_until) {
				uint64_t end = __atomic_load_n(
					&tr->done_ns, __ATOMIC_RELAXED);

				drain_until = (end ? end : now_ns) +
					      TR_DRAIN_MS * 1000000ull;
			}
			if (now_ns >= drain_until)
				break;
			/* No server connection left open here: one look
			 * without waiting for a connection still to
			 * accept, then this worker is done. */
			idle = !pool_used(&w->sconns);
		}
		if (heap_count(&w->turns)) {
			const struct tr_client *cl =
				&tr->clients[*(const int *)heap_top(&w->turns)];
			uint32_t due =
				traffic_plan_due(&tr->plan, cl->node, cl->next);

			timeout = due <= now ? 0 : (int)((due - now) / 1000);
			if (timeout > 100)
				timeout = 100;
		}
		if (w->next_timeout_ns != UINT64_MAX) {
			uint64_t left = w->next_timeout_ns > now_ns
						? w->next_timeout_ns - now_ns
						: 0;

			if (left / 1000000 < (uint64_t)timeout)
				timeout = (int)((left + 999999) / 1000000);
		}
		if (idle)
			timeout = 0;
		n = epoll_wait(w->epfd, evs, TR_MAX_EVENTS, timeout);
		if (n < 0 && errno != EINTR) {
			w->err = -errno;
			break;
		}
		if (idle && !n)
			break;
		for (i = 0; i < n; i++)
			tr_dispatch(w, &evs[i]);
		tr_timeouts(w);
	}
	tr_enter(w, -1);
	return NULL;
}

static int tr_run(struct traffic *tr, volatile sig_atomic_t *stop,
		  uint64_t t0_ns)
{
	int i, err = 0, started = 0;

	if (tr->t->traffic.server < 0) {
		log_err("no server to send traffic to");
		return -EINVAL;
	}
	tr->stop = stop;
	tr->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (tr->wake_fd < 0)
		return -errno;
	/* Listeners first, from this thread, which then returns to its
	 * namespace: the workers start there. */
	for (i = 0; !err && i < tr->nworkers; i++) {
		struct tr_worker *w = &tr->workers[i];

		w->epfd = epoll_create1(EPOLL_CLOEXEC);
		if (w->epfd < 0)
			err = -errno;
		if (!err)
			err = tr_watch_wake(w);
		if (!err)
			err = tr_listen(w);
		if (!err)
			err = tr_enter(w, -1);
	}
	if (err)
		return err;
	tr->start_ns = t0_ns;
	for (i = 0; i < tr->nworkers; i++) {
		if (pthread_create(&tr->workers[i].tid, NULL, tr_worker_run,
				   &tr->workers[i])) {
			err = -EAGAIN;
			break;
		}
		started++;
	}
	if (err) {
		/* Stop what started: the run is void. */
		static volatile sig_atomic_t halt = 1;

		tr->stop = &halt;
	}
	for (i = 0; i < started; i++) {
		pthread_join(tr->workers[i].tid, NULL);
		if (!err && tr->workers[i].err)
			err = tr->workers[i].err;
	}
	tr->end_ns = util_now_ns();
	return err;
}

int traffic_run(struct traffic *tr, volatile sig_atomic_t *stop, uint64_t t0_ns)
{
	int err = tr_run(tr, stop, t0_ns), c;
	uint32_t i;

	/* What never started keeps no planned time; the schedule's lists
	 * are no longer needed. */
	for (i = 0; i < tr->plan.nrecs; i++)
		if (!(tr->plan.recs[i].flags & TR_F_STARTED))
			tr->plan.recs[i].start_us = 0;
	traffic_plan_free_lists(&tr->plan);
	for (c = 0; c < tr->t->nnodes; c++)
		tr->clients[c].next = 0;
	return err;
}

const struct tr_rec *traffic_recs(const struct traffic *tr, uint32_t *n)
{
	*n = tr->plan.nrecs;
	return tr->plan.recs;
}

void traffic_server_stats(const struct traffic *tr, int node,
			  struct tr_server_stats *st)
{
	int s, w;

	memset(st, 0, sizeof(*st));
	for (s = 0; s < tr->nservers; s++) {
		if (tr->servers[s].node != node)
			continue;
		for (w = 0; w < tr->nworkers; w++) {
			st->accepted += tr->workers[w].sst[s].accepted;
			st->reset += tr->workers[w].sst[s].reset;
			st->errors += tr->workers[w].sst[s].errors;
		}
	}
}

uint64_t traffic_elapsed_us(const struct traffic *tr)
{
	return (tr->end_ns - tr->start_ns) / 1000;
}

const char *traffic_outcome_name(enum tr_outcome o)
{
	switch (o) {
	case TR_PENDING:
		return "pending";
	case TR_OK:
		return "ok";
	case TR_TIMEOUT:
		return "timeout";
	case TR_REFUSED:
		return "refused";
	case TR_RESET:
		return "reset";
	case TR_NO_PORT:
		return "no_port";
	case TR_ERROR:
		return "error";
	}
	return "?";
}
