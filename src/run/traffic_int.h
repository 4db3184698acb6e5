/* traffic_int.h - what the generator's files share: its workers, their
 * sockets and pools (traffic.c), the client side (traffic_cconn.c) and the
 * server side (traffic_sconn.c).  Only src/run includes it. */
#ifndef NATLAB_TRAFFIC_INT_H
#define NATLAB_TRAFFIC_INT_H

#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/heap.h"
#include "run/traffic.h"
#include "run/traffic_plan.h"
#include "topo/topo.h"

#define TR_BUF 65536 /* a worker's read and write buffer */

/* What an epoll event is about: its kind and pool slot (obj_key). */
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

/* A node's run state, by node index: every node's namespace (a server's
 * too); the rest is a client's, whose attempts are the plan's list of
 * it. */
struct tr_client {
	const struct topo_node *tn;
	int node;
	int nsfd;
	int worker;
	uint32_t inflight;
	uint32_t next_sport;
	uint32_t next; /* its first attempt (in its list) not started */
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

/* traffic_pool_get() - a zeroed object from @p, its slot set and its fd
 * -1; the pool grows (it cannot fail: util.h) and its objects move. */
void *traffic_pool_get(struct tr_pool *p);

/* traffic_pool_close() - close @o's socket (with a RST instead of a FIN
 * if @rst) and give its slot back to @p. */
void traffic_pool_close(struct tr_pool *p, struct tr_obj *o, int rst);

/* traffic_pool_at() - the object in slot @slot (0 .. p->cap - 1). */
void *traffic_pool_at(struct tr_pool *p, int slot);

/* traffic_obj_key() - what epoll keeps of @o: its kind and slot, since
 * pool memory moves when it grows. */
uint64_t traffic_obj_key(const struct tr_obj *o);

/* traffic_now_us() - microseconds since the run began. */
uint32_t traffic_now_us(const struct tr_worker *w);

/**
 * traffic_enter() - move @w's thread into node @node's namespace
 * @node: a node index, or -1 for the namespace natlab started in
 * Return: 0 (also if it is there already), -ENOENT if the node's
 * namespace could not be opened, or -errno of setns().
 */
int traffic_enter(struct tr_worker *w, int node);

/* traffic_offer() - give client @cl its turn in @w's heap if it has an
 * attempt left and room for it under its concurrency. */
void traffic_offer(struct tr_worker *w, struct tr_client *cl);

/**
 * traffic_cconn_start() - start attempt @ri (a plan record of one of
 * @w's clients): a socket in the client's namespace, bound to its next
 * port if it has a range, and a non-blocking connect()
 *
 * The record's outcome is set at once if any step fails; otherwise the
 * connection goes on with traffic_cconn_event().
 */
void traffic_cconn_start(struct tr_worker *w, uint32_t ri);

/**
 * traffic_cconn_event() - move a client connection on
 * @events: what epoll reported, 0 when called right after connect()
 *
 * Handshake, request, response, then the close the server's topology
 * asks for; the record is complete when the connection ends.
 */
void traffic_cconn_event(struct tr_worker *w, struct tr_cconn *c,
			 uint32_t events);

/* traffic_cconn_timeouts() - give up on connections past their
 * connect_timeout, close held ones whose time is up. */
void traffic_cconn_timeouts(struct tr_worker *w);

/* traffic_sconn_listen() - open every server port in @w (SO_REUSEPORT)
 * and watch it.  Return: 0 or -errno (bind and listen errors logged). */
int traffic_sconn_listen(struct tr_worker *w);

/* traffic_sconn_accept() - take one connection queued on @l, and serve
 * what it has sent. */
void traffic_sconn_accept(struct tr_worker *w, struct tr_listen *l);

/* traffic_sconn_event() - read a server connection's request, answer
 * it, close when the server's topology says so. */
void traffic_sconn_event(struct tr_worker *w, struct tr_sconn *c);

#endif
