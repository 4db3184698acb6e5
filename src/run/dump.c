/* dump.c - pcap files of a run: the server's (or a balancer's and its
 * servers') and gateways' outside links. */
#include <errno.h>
#include <limits.h>
#include <pcap/pcap.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/log.h"
#include "lib/netns.h"
#include "lib/util.h"
#include "run/dump.h"

/*
 * A libpcap handle opened while the thread is inside a node's namespace
 * captures that namespace's interface for as long as it is open, so one
 * thread can serve every handle with poll() on their selectable fds.
 */

#define DUMP_MAX 64
/* libpcap's read timeout: the kernel hands over a block of packets that
 * is not full after this long. */
#define DUMP_TIMEOUT_MS 50

struct dump {
	pcap_t *p[DUMP_MAX];
	pcap_dumper_t *d[DUMP_MAX];
	char path[DUMP_MAX][PATH_MAX];
	int n;
	pthread_t tid;
	volatile int stop;
};

/* Open @ifname of node @node from inside its namespace, and its pcap
 * file; past DUMP_MAX interfaces, nothing.  Return: 0 or -errno. */
static int dump_open(struct dump *d, const struct topo *t, int node,
		     const char *ifname, const char *dir)
{
	char err[PCAP_ERRBUF_SIZE];
	pcap_t *p;
	int e;

	if (d->n == DUMP_MAX)
		return 0;
	e = netns_enter_node(t->name, t->nodes[node].name);
	if (e)
		return e;
	p = pcap_open_live(ifname, 65535, 0, DUMP_TIMEOUT_MS, err);
	netns_leave();
	if (!p) {
		log_err("pcap: %s %s: %s", t->nodes[node].name, ifname, err);
		return -EIO;
	}
	pcap_setnonblock(p, 1, err);
	snprintf(d->path[d->n], PATH_MAX, "%s/%s-%s.pcap", dir,
		 t->nodes[node].name, ifname);
	d->d[d->n] = pcap_dump_open(p, d->path[d->n]);
	if (!d->d[d->n]) {
		log_err("pcap: %s: %s", d->path[d->n], pcap_geterr(p));
		pcap_close(p);
		return -EIO;
	}
	d->p[d->n++] = p;
	return 0;
}

/* Write what every handle has until told to stop, then what is left. */
static void *dump_thread(void *arg)
{
	struct dump *d = arg;
	struct pollfd pfd[DUMP_MAX];
	int i;

	for (i = 0; i < d->n; i++) {
		pfd[i].fd = pcap_get_selectable_fd(d->p[i]);
		pfd[i].events = POLLIN;
	}
	while (!d->stop) {
		poll(pfd, (nfds_t)d->n, DUMP_TIMEOUT_MS);
		for (i = 0; i < d->n; i++)
			pcap_dispatch(d->p[i], -1, pcap_dump,
				      (u_char *)d->d[i]);
	}
	/*
	 * libpcap reads the kernel's TPACKET_V3 ring a block at a time, and
	 * the kernel hands over a block that is not full only once its
	 * timeout (DUMP_TIMEOUT_MS) has passed: the last packets of a run
	 * that ended a moment ago wait in such a block.  So drain until a
	 * whole timeout and more has brought nothing new.
	 */
	for (;;) {
		int got = 0;

		poll(pfd, (nfds_t)d->n, 2 * DUMP_TIMEOUT_MS);
		for (i = 0; i < d->n; i++)
			got += pcap_dispatch(d->p[i], -1, pcap_dump,
					     (u_char *)d->d[i]);
		if (got <= 0)
			break;
	}
	return NULL;
}

/* Is node @i a server the traffic reaches through a target balancer? */
static int dump_behind(const struct topo *t, int i)
{
	const int *srv;
	int n = topo_target_servers(t, &srv);

	while (n-- > 0)
		if (srv[n] == i)
			return 1;
	return 0;
}

struct dump *dump_start(const struct topo *t, const char *dir)
{
	struct dump *d = xcalloc(1, sizeof(*d));
	int i, err = 0;

	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		err = -errno;
		log_errno(err, "--pcap %s", dir);
		goto fail;
	}
	for (i = 0; !err && i < t->nnodes; i++) {
		const struct topo_node *n = &t->nodes[i];

		/* a balancer's first interface is its frontend */
		if (i == t->traffic.server || dump_behind(t, i))
			err = dump_open(d, t, i, t->nets[n->ifs[0].net].name,
					dir);
		else if (n->kind == TOPO_GATEWAY)
			err = dump_open(d, t, i, t->nets[n->ifs[1].net].name,
					dir);
	}
	if (err || pthread_create(&d->tid, NULL, dump_thread, d)) {
		err = err ? err : -EAGAIN;
		goto fail;
	}
	return d;
fail:
	for (i = 0; i < d->n; i++) {
		pcap_dump_close(d->d[i]);
		pcap_close(d->p[i]);
	}
	free(d);
	errno = -err;
	return NULL;
}

void dump_stop(struct dump *d)
{
	int i;

	if (!d)
		return;
	d->stop = 1;
	pthread_join(d->tid, NULL);
	for (i = 0; i < d->n; i++) {
		pcap_dump_close(d->d[i]);
		pcap_close(d->p[i]);
		fprintf(stderr, "natlab: capture written to %s\n", d->path[i]);
	}
	free(d);
}
