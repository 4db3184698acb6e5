/* engine.c - the packet engine: client clocks, legacy server, faults. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink_queue.h>

#include "engine/engine.h"
#include "engine/engine_int.h"
#include "engine/tsbpf.h"
#include "engine/tsmath.h"
#include "lib/heap.h"
#include "lib/log.h"
#include "lib/netns.h"
#include "lib/nfq.h"
#include "lib/pkt.h"
#include "lib/util.h"

/*
 * Theory of operation.  natlab's nftables rules hand the engine the TCP
 * packets it needs in each namespace (NFQUEUE 0 of that namespace): every
 * TCP packet of a client whose clock natlab keeps, the SYNs, FINs and
 * RSTs of a server with the emulated tcp_tw_recycle, and every TCP packet
 * of a node named by a fault.  One thread serves all of them with epoll.
 *
 * Clocks.  A "host" clock client runs tcp_timestamps = 2 (no per-
 * connection offset), so its kernel's TSval is its own uptime clock in
 * milliseconds.  The engine maps every TSval it sends through
 * g(x) = x + offset + x * skew / 10^6 and every TSecr it receives back
 * through the inverse (tsmath.h), so the client's connections share one
 * clock that differs from its neighbours' as real hosts' clocks do, and
 * its own stack never sees the difference.
 *
 * The legacy server.  legacy.c holds the model; the engine feeds it the
 * server's SYNs (and drops those it rejects: silently, as the old kernels
 * did), its FINs and RSTs, reads each connection's RTO with sock_diag
 * when the server sends its FIN, and, when the model says the server
 * entered TIME_WAIT with timestamps, ends the kernel's own TIME_WAIT
 * socket after 3.5 x RTO with SOCK_DESTROY, as tcp_tw_recycle did.
 *
 * Faults drop a chosen packet, or hold its verdict for a while (the
 * kernel keeps a queued packet until it gets one).
 *
 * The fast path.  Queueing costs a trip through this thread and the
 * kernel's re-injection for every packet, so a host-clock client with no
 * fault on it has its clock kept in the kernel instead ([lab] clock_path =
 * bpf, the default): a tc program (tsclock.bpf.c, loaded by tsbpf.c) on
 * its interfaces does the same mapping, and the engine only owns the
 * program, holds its links and copies its counters to the stats file.
 * Clients with faults need the engine's eyes on every packet and keep
 * NFQUEUE, as does a lab whose program cannot load or whose host-clock
 * clients share an address (the program's map is keyed by it).
 *
 * Where each part lives.  This file: the nodes, the verdict path of a
 * queued packet (faults, then the legacy server, then the clock rewrite),
 * the timers and the event loop.  engine_fault.c: connections numbered and
 * faults matched (pure, engine_fault.h), delays.  engine_legacy.c: all
 * that feeds the model (legacy.c), through one entry point, and the
 * TIME_WAIT-end timers and timeline file.  engine_setup.c: each node's
 * rules, the kernel's own tcp_tw_recycle, its queue, the clock program's
 * plan and links.  engine_stats.c: the counter file.  engine_int.h holds
 * what they share.
 */

#define ENG_STATS_EVERY_MS 1000
#define ENG_MAX_EVENTS	   64

uint32_t engine_clock_offset(const struct topo_clock *c)
{
	return (uint32_t)(uint64_t)c->offset_ms;
}

/* ---- timers ---- */

static int engine_timer_before(const void *a, const void *b, void *ctx)
{
	(void)ctx;
	return ((const struct eng_timer *)a)->at_ms <
	       ((const struct eng_timer *)b)->at_ms;
}

/* When the soonest timer is due (UINT64_MAX: none). */
static uint64_t engine_timer_next(const struct engine *e)
{
	const struct eng_timer *tm = heap_top(&e->timers);

	return tm ? tm->at_ms : UINT64_MAX;
}

static void engine_timer_fire(struct eng_timer *tm)
{
	switch (tm->kind) {
	case ENG_TIMER_TW_END:
		engine_legacy_tw_end(tm->node, &tm->tuple);
		break;
	case ENG_TIMER_RELEASE:
		engine_fault_release(tm->node, tm);
		break;
	}
}

/* ---- the verdict path ---- */

/* The packet's connection as the node sees it: local end first. */
static void engine_conn_tuple(const struct pkt *p, int out, struct tuple *t)
{
	t->laddr = out ? p->saddr : p->daddr;
	t->raddr = out ? p->daddr : p->saddr;
	t->lport = out ? p->sport : p->dport;
	t->rport = out ? p->dport : p->sport;
}

/* Map a host-clock client's timestamps: TSval out, TSecr in. */
static void engine_clock_rewrite(struct eng_node *n,
				 const struct nfq_packet *np, struct pkt *p,
				 int out)
{
	uint32_t tsval = p->tsval, tsecr = p->tsecr;
	int partial = !!(np->skbinfo & NFQA_SKB_CSUMNOTREADY);

	if (out)
		tsval = tsmath_map(tsval, n->offset, n->skew_ppm);
	else if (p->flags & PKT_ACK)
		tsecr = tsmath_unmap(tsecr, n->offset, n->skew_ppm,
				     n->skew_ppm ? (uint32_t)engine_now_ms()
						 : 0);
	/* A verdict with new bytes leaves the packet CHECKSUM_NONE
	 * (nfqnl_mangle()), so one whose checksum the stack had not
	 * finished yet (CHECKSUM_PARTIAL: the field holds only the
	 * pseudo-header sum) must leave with a complete one. */
	pkt_set_ts(p, tsval, tsecr, partial);
	if (partial)
		pkt_fix_tcp_csum(p);
	n->st.rewritten++;
	n->st.csum_partial += partial;
	n->st.gso += !!(np->skbinfo & NFQA_SKB_GSO);
}

static int engine_verdict(struct nfq *q, struct nfq_packet *np, void *arg)
{
	struct eng_node *n = arg;
	int out = np->hook == NF_INET_LOCAL_OUT, rewritten = 0;
	const struct topo_fault *f = NULL;
	struct tuple t;
	struct pkt p;

	n->st.seen++;
	if (np->truncated) {
		/* Rewriting a truncated copy would cut the packet short. */
		n->st.truncated++;
		return nfq_verdict(q, np->id, NFQ_ACCEPT, NULL, 0);
	}
	if (pkt_parse(&p, np->data, np->len)) {
		n->st.malformed++;
		return nfq_verdict(q, np->id, NFQ_ACCEPT, NULL, 0);
	}
	engine_conn_tuple(&p, out, &t);
	if (n->faults.n)
		f = engine_fault_check(n, &t, &p, out);
	if (f && f->drop) {
		n->st.fault_drops++;
		return nfq_verdict(q, np->id, NFQ_DROP, NULL, 0);
	}
	if (n->lg) {
		int lv = engine_legacy_packet(
			n, &p, out, !!(np->skbinfo & NFQA_SKB_CSUMNOTREADY));

		if (lv == ENG_LEGACY_DROP)
			return nfq_verdict(q, np->id, NFQ_DROP, NULL, 0);
		rewritten = lv == ENG_LEGACY_REWRITTEN;
	}
	if (n->clock && p.has_ts) {
		engine_clock_rewrite(n, np, &p, out);
		rewritten = 1;
	}
	if (f)
		return engine_fault_delay(n, np, rewritten, f->delay_ms);
	if (rewritten)
		return nfq_verdict(q, np->id, NFQ_ACCEPT, np->data, np->len);
	return nfq_verdict(q, np->id, NFQ_ACCEPT, NULL, 0);
}

/* ---- set-up and clean-up ---- */

/* Fill node @n from the topology's node @i.  Return: 0 if the engine has
 * nothing to do there (nothing was allocated), 1 if it has. */
static int engine_node_init(struct engine *e, struct eng_node *n, int i)
{
	const struct topo_node *tn = &e->t->nodes[i];

	memset(n, 0, sizeof(*n));
	n->e = e;
	n->tn = tn;
	n->queue_stats_fd = -1;
	n->nsfd = -1;
	n->clock = tn->clock.mode == TOPO_TS_HOST;
	n->offset = engine_clock_offset(&tn->clock);
	n->skew_ppm = tn->clock.skew_ppm;
	n->addr = tn->nifs ? tn->ifs[0].addr : 0;
	engine_fault_init(&n->faults, e->t, i);
	if (tn->legacy.recycle)
		engine_legacy_init(n);
	if (!n->clock && !n->lg && !n->faults.n)
		return 0;
	netns_name(e->t->name, tn->name, n->ns, sizeof(n->ns));
	return 1;
}

/* Wait on every node's queue (a native tcp_tw_recycle has none). */
static int engine_watch(struct engine *e)
{
	int i;

	for (i = 0; i < e->nnodes; i++) {
		struct epoll_event ev = {.events = EPOLLIN,
					 .data.ptr = &e->nodes[i]};

		if (!e->nodes[i].q)
			continue;
		if (epoll_ctl(e->epfd, EPOLL_CTL_ADD, nfq_fd(e->nodes[i].q),
			      &ev) < 0)
			return -errno;
	}
	return 0;
}

static int engine_init(struct engine *e, const struct topo *t)
{
	int i, err;

	memset(e, 0, sizeof(*e));
	heap_init(&e->timers, sizeof(struct eng_timer), engine_timer_before,
		  NULL);
	e->t = t;
	e->start_ms = engine_now_ms();
	e->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (e->epfd < 0)
		return -errno;
	e->io = nfq_io_new();
	if (!e->io)
		return -errno;
	e->nodes = xcalloc(t->nnodes, sizeof(*e->nodes));
	for (i = 0; i < t->nnodes; i++)
		e->nnodes += engine_node_init(e, &e->nodes[e->nnodes], i);
	err = engine_setup(e);
	if (!err)
		err = engine_watch(e);
	if (!err)
		engine_legacy_timeline_open(e);
	return err;
}

static void engine_fini(struct engine *e)
{
	int i;

	engine_legacy_timeline_close(e);
	for (i = 0; i < heap_count(&e->timers); i++)
		free(((struct eng_timer *)heap_at(&e->timers, i))->data);
	heap_free(&e->timers);
	for (i = 0; i < e->nnodes; i++) {
		struct eng_node *n = &e->nodes[i];

		nfq_close(n->q);
		engine_legacy_fini(n);
		if (n->queue_stats_fd >= 0)
			close(n->queue_stats_fd);
		if (n->nsfd >= 0)
			close(n->nsfd);
		engine_fault_free(&n->faults);
	}
	free(e->nodes);
	tsbpf_close(e->bpf);
	nfq_io_free(e->io);
	if (e->epfd >= 0)
		close(e->epfd);
}

/* ---- the loop ---- */

/* Fire the timers that are due, write the counters if a second passed,
 * and say how long the loop may wait (ms). */
static int engine_tick(struct engine *e, uint64_t *next_stats)
{
	uint64_t now = engine_now_ms();
	int timeout = ENG_STATS_EVERY_MS;

	while (engine_timer_next(e) <= now) {
		struct eng_timer tm;

		heap_pop(&e->timers, &tm);
		engine_timer_fire(&tm);
	}
	if (now >= *next_stats) {
		engine_stats_write(e, 0);
		*next_stats = now + ENG_STATS_EVERY_MS;
	}
	if (engine_timer_next(e) - now < (uint64_t)timeout)
		timeout = (int)(engine_timer_next(e) - now);
	return timeout;
}

int engine_run(const struct topo *t, int ready_fd)
{
	struct epoll_event evs[ENG_MAX_EVENTS];
	uint64_t next_stats = 0;
	struct engine e;
	char msg[256];
	int err, i;

	util_daemon_signals();

	err = engine_init(&e, t);
	if (err) {
		snprintf(msg, sizeof(msg), "engine set-up failed: %s\n",
			 strerror(-err));
		util_notify(ready_fd, msg);
		engine_fini(&e);
		return err;
	}
	engine_stats_write(&e, 0);
	util_notify(ready_fd, "ok\n");

	while (!util_stop) {
		int n = epoll_wait(e.epfd, evs, ENG_MAX_EVENTS,
				   engine_tick(&e, &next_stats));

		if (n < 0 && errno != EINTR) {
			err = -errno;
			break;
		}
		for (i = 0; i < n; i++) {
			struct eng_node *node = evs[i].data.ptr;

			err = nfq_recv(node->q, engine_verdict, node,
				       &node->st.overruns);
			if (err < 0) {
				log_errno(err, "engine: %s: queue", node->ns);
				util_stop = 1;
				break;
			}
			err = 0;
		}
	}
	engine_stats_write(&e, 1);
	engine_fini(&e);
	return err;
}
