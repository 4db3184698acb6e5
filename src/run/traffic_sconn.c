/* traffic_sconn.c - the generator's built-in servers: listen, accept,
 * read the request, answer it, close as the topology says. */
#include <errno.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/log.h"
#include "lib/util.h"
#include "run/traffic_int.h"

/*
 * Theory of operation.  Every worker listens on every port of every
 * server with SO_REUSEPORT, so the kernel spreads the connections over
 * the workers and a connection is served by the worker that accepted it.
 * A server connection is served at once on accept (its request mostly
 * came with the handshake) and is watched, level-triggered and for
 * reading only, while there is something to wait for: more of the
 * request, or the client's FIN or RST when the client closes first.  The
 * rest of a response too large for the socket's buffer is written when
 * the socket is next readable.
 */

int traffic_sconn_listen(struct tr_worker *w)
{
	int s, k, err = 0;

	for (s = 0; s < w->tr->nservers; s++) {
		const struct topo_service *svc = &w->tr->servers[s].tn->svc;

		err = traffic_enter(w, w->tr->servers[s].node);
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
			ev.data.u64 = traffic_obj_key(&l->o);
			if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
				return -errno;
		}
	}
	return 0;
}

static void sconn_close(struct tr_worker *w, struct tr_sconn *c)
{
	traffic_pool_close(&w->sconns, &c->o, 0);
}

/* Wait for the client (level-triggered): added to the epoll only when
 * there is something to wait for. */
static void sconn_watch(struct tr_worker *w, struct tr_sconn *c)
{
	struct epoll_event ev = {.events = EPOLLIN,
				 .data.u64 = traffic_obj_key(&c->o)};

	if (c->watched)
		return;
	c->watched = 1;
	if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, c->o.fd, &ev) < 0)
		sconn_close(w, c);
}

void traffic_sconn_accept(struct tr_worker *w, struct tr_listen *l)
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
	c = traffic_pool_get(&w->sconns);
	c->o.kind = K_SCONN;
	c->o.fd = fd;
	c->server = l->server;
	/* The client sends its request as soon as its handshake ends,
	 * mostly before this accept: serve it now, and watch the socket
	 * only if there is something left to wait for. */
	traffic_sconn_event(w, c);
}

void traffic_sconn_event(struct tr_worker *w, struct tr_sconn *c)
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
			sconn_close(w, c);
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
			sconn_close(w, c);
			return;
		}
		sconn_watch(w, c);
		return; /* a large response: EPOLLIN only, try again later */
	}
	c->wrote = 1;
	if (svc->close == TOPO_CLOSE_SERVER) {
		sconn_close(w, c);
		return;
	}
	/* Otherwise wait for the client's FIN or RST. */
	sconn_watch(w, c);
}
