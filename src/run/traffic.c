/* traffic.c - the built-in servers and client load generator: its
 * workers, their run loop, and what the run hands back. */
#include <errno.h>
#include <pthread.h>
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
#include "run/traffic_int.h"
#include "run/traffic_plan.h"

/*
 * Theory of operation.  The schedule is made first, from the topology alone
 * (traffic_plan.c): one order over every client's attempts (round-robin,
 * shuffled, or each client on its own clock).  One worker thread per CPU
 * (at most 16, and no more than there are clients) runs it; each owns
 * every Nth client and all of its sockets, and listens on every server
 * port with SO_REUSEPORT, so the kernel spreads accepted connections over
 * the workers (traffic_sconn.c).  A socket belongs to the network namespace
 * it was created in, so a worker enters a node's namespace only to create
 * sockets (and stays there while consecutive attempts come from the same
 * node).  Servers listen on their ports for the whole run.  A worker's
 * clients take turns in planned order, each limited by its concurrency,
 * and their connections run as small state machines (traffic_cconn.c).
 *
 * Outcomes and times are kept in one 24-byte record per attempt (struct
 * tr_rec); per-connection state lives in a pool of slots recycled without
 * allocation.
 */

#define TR_MAX_EVENTS 256
/* A worker looks at the stop flag and the run's limit at least this
 * often. */
#define TR_WAIT_MS 100
/* After the last attempt ends, give servers at most this long to see
 * the last closes before the run ends; a worker whose servers have
 * nothing left to read ends sooner. */
#define TR_DRAIN_MS 200

/* ---- pools ---- */

static void pool_init(struct tr_pool *p, size_t size)
{
	memset(p, 0, sizeof(*p));
	p->size = size;
}

void *traffic_pool_at(struct tr_pool *p, int slot)
{
	return p->mem + (size_t)slot * p->size;
}

void *traffic_pool_get(struct tr_pool *p)
{
	struct tr_obj *o;
	int i, slot;

	if (!p->nfree) {
		int cap = p->cap ? p->cap * 2 : 256;

		p->mem = xrealloc(p->mem, cap, p->size);
		p->free = xrealloc(p->free, cap, sizeof(int));
		for (i = cap - 1; i >= p->cap; i--) {
			o = traffic_pool_at(p, i);
			memset(o, 0, p->size);
			o->fd = -1;
			p->free[p->nfree++] = i;
		}
		p->cap = cap;
	}
	slot = p->free[--p->nfree];
	o = traffic_pool_at(p, slot);
	memset(o, 0, p->size);
	o->slot = slot;
	o->fd = -1;
	return o;
}

void traffic_pool_close(struct tr_pool *p, struct tr_obj *o, int rst)
{
	if (rst) {
		struct linger lg = {1, 0};

		setsockopt(o->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	}
	close(o->fd);
	o->fd = -1;
	p->free[p->nfree++] = o->slot;
}

/* Slots in use. */
static int pool_used(const struct tr_pool *p)
{
	return p->cap - p->nfree;
}

/* Close the sockets still open in @p, and free it. */
static void pool_free(struct tr_pool *p)
{
	int i;

	for (i = 0; i < p->cap; i++) {
		struct tr_obj *o = traffic_pool_at(p, i);

		if (o->fd >= 0)
			close(o->fd);
	}
	free(p->mem);
	free(p->free);
}

/* Pool memory moves when it grows: epoll keeps (kind, slot) instead of
 * a pointer. */
uint64_t traffic_obj_key(const struct tr_obj *o)
{
	return ((uint64_t)o->kind << 32) | (uint32_t)o->slot;
}

/* ---- time ---- */

uint32_t traffic_now_us(const struct tr_worker *w)
{
	return (uint32_t)((util_now_ns() - w->tr->start_ns) / 1000);
}

/* ---- namespaces ---- */

int traffic_enter(struct tr_worker *w, int node)
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

void traffic_offer(struct tr_worker *w, struct tr_client *cl)
{
	uint32_t lim = cl->tn->load.concurrency;

	if (cl->in_heap || cl->next >= w->tr->plan.clients[cl->node].nrecs ||
	    (lim && cl->inflight >= lim))
		return;
	cl->in_heap = 1;
	heap_push(&w->turns, &cl->node);
}

/* ---- set-up ---- */

/* Every node's namespace, opened now (a node whose namespace cannot be
 * opened fails its attempts when they start), and the servers' list.
 * Return: the number of clients. */
static int tr_nodes(struct traffic *tr)
{
	const struct topo *t = tr->t;
	int c, nclients = 0;

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
	return nclients;
}

/* One worker per CPU, no more than there are clients; each owns every
 * Nth client. */
static void tr_workers(struct traffic *tr, int nclients)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	int c, w;

	tr->nworkers = cpus < 1 ? 1 : cpus > 16 ? 16 : (int)cpus;
	if (tr->nworkers > nclients)
		tr->nworkers = nclients ? nclients : 1;
	tr->workers = xcalloc(tr->nworkers, sizeof(*tr->workers));
	for (c = 0; c < tr->t->nnodes; c++)
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
}

struct traffic *traffic_new(const struct topo *t)
{
	struct traffic *tr = xcalloc(1, sizeof(*tr));
	int c, nclients;

	tr->t = t;
	tr->wake_fd = -1;
	nclients = tr_nodes(tr);
	traffic_plan_make(&tr->plan, t);
	tr_workers(tr, nclients);
	for (c = 0; c < t->nnodes; c++)
		traffic_offer(&tr->workers[tr->clients[c].worker],
			      &tr->clients[c]);
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

/* ---- the run ---- */

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
		traffic_cconn_start(w, ri);
		traffic_offer(w, cl);
	}
}

/* One epoll event, to the object its key names (traffic_obj_key()). */
static void tr_dispatch(struct tr_worker *w, const struct epoll_event *ev)
{
	enum tr_kind kind = (enum tr_kind)(ev->data.u64 >> 32);
	int slot = (int)(uint32_t)ev->data.u64;

	switch (kind) {
	case K_LISTEN:
		traffic_sconn_accept(w, &w->listens[slot]);
		return;
	case K_SCONN:
		traffic_sconn_event(w, traffic_pool_at(&w->sconns, slot));
		return;
	case K_CCONN:
		traffic_cconn_event(w, traffic_pool_at(&w->cconns, slot),
				    ev->events);
		return;
	case K_WAKE:
		/* Level-triggered and never read: once is enough here. */
		epoll_ctl(w->epfd, EPOLL_CTL_DEL, w->tr->wake_fd, NULL);
		return;
	}
}

/* Watch the run's eventfd, which wakes every worker when the last
 * attempt ends.  Return: 0 or -errno. */
static int tr_watch_wake(struct tr_worker *w)
{
	struct epoll_event ev = {.events = EPOLLIN,
				 .data.u64 = (uint64_t)K_WAKE << 32};

	if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, w->tr->wake_fd, &ev) < 0)
		return -errno;
	return 0;
}

/* How long epoll_wait() may wait: until the next attempt is due or the
 * next connect_timeout or hold ends, and no longer than TR_WAIT_MS. */
static int tr_wait_ms(const struct tr_worker *w, uint64_t now_ns, uint32_t now)
{
	const struct traffic *tr = w->tr;
	int timeout = TR_WAIT_MS;

	if (heap_count(&w->turns)) {
		int c = *(const int *)heap_top(&w->turns);
		uint32_t due =
			traffic_plan_due(&tr->plan, c, tr->clients[c].next);

		timeout = due <= now ? 0 : (int)((due - now) / 1000);
		if (timeout > TR_WAIT_MS)
			timeout = TR_WAIT_MS;
	}
	if (w->next_timeout_ns != UINT64_MAX) {
		uint64_t left = w->next_timeout_ns > now_ns
					? w->next_timeout_ns - now_ns
					: 0;

		if (left / 1000000 < (uint64_t)timeout)
			timeout = (int)((left + 999999) / 1000000);
	}
	return timeout;
}

/* A worker's thread: start what is due, serve its sockets, until the
 * stop flag, the run's limit, or the end of its drain after the last
 * attempt; its error, if any, is left in w->err. */
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
		int idle = 0;

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
		n = epoll_wait(w->epfd, evs, TR_MAX_EVENTS,
			       idle ? 0 : tr_wait_ms(w, now_ns, now));
		if (n < 0 && errno != EINTR) {
			w->err = -errno;
			break;
		}
		if (idle && !n)
			break;
		for (i = 0; i < n; i++)
			tr_dispatch(w, &evs[i]);
		traffic_cconn_timeouts(w);
	}
	traffic_enter(w, -1);
	return NULL;
}

/* Wait for worker @w's thread to end.  With a progress line on, redraw
 * it every PROGRESS_TICK_MS meanwhile, from the count of attempts ended
 * that the workers keep anyway (no work added to a connection). */
static void tr_join(struct traffic *tr, struct tr_worker *w,
		    struct progress *pg)
{
	struct timespec until;

	if (!pg || !pg->on) {
		pthread_join(w->tid, NULL);
		return;
	}
	do {
		progress_update(
			pg, __atomic_load_n(&tr->done_all, __ATOMIC_RELAXED));
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += PROGRESS_TICK_MS * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
	} while (pthread_timedjoin_np(w->tid, NULL, &until) == ETIMEDOUT);
	progress_update(pg, __atomic_load_n(&tr->done_all, __ATOMIC_RELAXED));
}

/* Set every worker up (its epoll, the wake-up, the servers' ports), run
 * them, and wait for them all.  Return: 0, or the first error. */
static int tr_run(struct traffic *tr, volatile sig_atomic_t *stop,
		  uint64_t t0_ns, struct progress *pg)
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
			err = traffic_sconn_listen(w);
		if (!err)
			err = traffic_enter(w, -1);
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
		tr_join(tr, &tr->workers[i], pg);
		if (!err && tr->workers[i].err)
			err = tr->workers[i].err;
	}
	tr->end_ns = util_now_ns();
	return err;
}

int traffic_run(struct traffic *tr, volatile sig_atomic_t *stop, uint64_t t0_ns,
		struct progress *pg)
{
	int err = tr_run(tr, stop, t0_ns, pg), c;
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
