/* engine_legacy.c - the engine's side of the emulated tcp_tw_recycle: a
 * legacy host's packets given to its model, and what the model answers
 * done to the packets and to the host's sockets. */
#include <errno.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "engine/engine_int.h"
#include "engine/engine_legacy.h"
#include "engine/legacy.h"
#include "lib/diag.h"
#include "lib/log.h"
#include "lib/netlink.h"
#include "lib/statfile.h"
#include "lib/sysctl.h"

/*
 * legacy.c and legacy_cache.c hold the model of the old stack; this file
 * feeds it.  The engine's rules queue a legacy host's SYNs in (and out, on
 * a 2.6.32 client), its FINs and RSTs both ways, and every segment of a
 * connection once the host has sent its FIN (the closing set,
 * nftrules.c); engine_legacy_packet() is the one way in from the verdict
 * path.  What the model asks of the host's real stack (is this socket
 * orphaned, its RTO, does a socket own this tuple, the listener's SYN
 * queue) is answered over sock_diag in the host's namespace, while the
 * packet is still held.  What it answers is done here:
 *
 * - a SYN it refuses is dropped, silently, as the old kernels did;
 * - a 2.6.32 host's SYN gets the TSecr it seeded;
 * - a TIME_WAIT it shortens gets an ENG_TIMER_TW_END timer, which ends the
 *   host's own TIME_WAIT socket with SOCK_DESTROY when it fires, unless
 *   the model has re-armed that TIME_WAIT to 60 s since.
 *
 * The model's clock is CLOCK_REALTIME (the old stamps were get_seconds());
 * the engine's timers run on CLOCK_MONOTONIC, from the model's lengths.
 * The timeline file records the drops and the remembered timestamps, with
 * their (monotonic) times, for the pictures (run/).
 */

static uint64_t engine_legacy_wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void engine_legacy_seg(const struct pkt *p, int out, struct legacy_seg *s)
{
	s->t.laddr = out ? p->saddr : p->daddr;
	s->t.raddr = out ? p->daddr : p->saddr;
	s->t.lport = out ? p->sport : p->dport;
	s->t.rport = out ? p->dport : p->sport;
	s->out = out;
	s->flags = p->flags & (PKT_SYN | PKT_ACK | PKT_FIN | PKT_RST);
	s->seq = p->seq;
	s->ack = p->ack;
	s->len = (uint32_t)p->payload;
	s->has_ts = p->has_ts;
	s->tsval = p->tsval;
	s->tsecr = p->tsecr;
}

long engine_legacy_rto_us(const struct diag_sock *s)
{
	if (s->rto_us <= 0)
		return -1;
	return s->backoff > 0 && s->backoff < 31 ? s->rto_us >> s->backoff
						 : s->rto_us;
}

/* The model's questions, answered by sock_diag in the host's namespace
 * (the engine's thread is not in it: the socket was opened there). */
static long engine_legacy_ask(void *ctx, enum legacy_fact f,
			      const struct tuple *t)
{
	struct eng_node *n = ctx;
	struct diag_sock s;
	int err;

	switch (f) {
	case LEGACY_FACT_ORPHAN:
		return diag_get(&n->diag, t, &s) ? -1 : s.inode == 0;
	case LEGACY_FACT_RTO_US:
		return diag_get(&n->diag, t, &s) ? -1
						 : engine_legacy_rto_us(&s);
	case LEGACY_FACT_TUPLE_SOCK:
		/* An exact lookup falls back to the listener, which is not a
		 * socket of the tuple. */
		err = diag_get(&n->diag, t, &s);
		return !err ? s.state != TCP_LISTEN : err == -ENOENT ? 0 : -1;
	case LEGACY_FACT_SYNQ:
		return diag_requests(&n->diag, t->laddr, t->lport);
	case LEGACY_FACT_BACKLOG:
		return diag_get(&n->diag, t, &s) ? -1 : (long)s.wqueue;
	}
	return -1;
}

/* A sysctl of the host's namespace as a number; @def if unreadable. */
static long engine_legacy_sysctl(const char *key, long def)
{
	char val[32];

	if (sysctl_get(key, val, sizeof(val)))
		return def;
	return strtol(val, NULL, 10);
}

/* The model's settings from the topology; the host's sysctls are the
 * caller's. */
static struct legacy_cfg engine_legacy_cfg(const struct topo_node *tn)
{
	struct legacy_cfg cfg = {
		.model = tn->legacy.model == TOPO_LEGACY_2_6_32 ? LEGACY_2_6_32
								: LEGACY_4_4,
		.paws_msl_ms = tn->legacy.paws_msl_ms,
		.listener = tn->kind == TOPO_SERVER,
	};

	return cfg;
}

void engine_legacy_init(struct eng_node *n)
{
	struct legacy_cfg cfg = engine_legacy_cfg(n->tn);

	/* A first model, so that the node counts as a legacy host; the
	 * host's own settings replace it in engine_legacy_open(). */
	cfg.timestamps = 1;
	cfg.syncookies = 1;
	n->lg = legacy_new(&cfg);
}

int engine_legacy_open(struct eng_node *n)
{
	struct legacy_cfg cfg = engine_legacy_cfg(n->tn);
	int err = diag_open(&n->diag);

	if (err) {
		log_errno(err, "engine: %s: sock_diag", n->ns);
		return err;
	}
	cfg.timestamps =
		engine_legacy_sysctl("net.ipv4.tcp_timestamps", 1) != 0;
	cfg.syncookies =
		(int)engine_legacy_sysctl("net.ipv4.tcp_syncookies", 1);
	cfg.rfc1337 = (int)engine_legacy_sysctl("net.ipv4.tcp_rfc1337", 0);
	cfg.fin_timeout_ms =
		(uint32_t)engine_legacy_sysctl("net.ipv4.tcp_fin_timeout", 60) *
		1000;
	cfg.max_syn_backlog = (uint32_t)engine_legacy_sysctl(
		"net.ipv4.tcp_max_syn_backlog", 1024);
	legacy_free(n->lg);
	n->lg = legacy_new(&cfg);
	return 0;
}

void engine_legacy_fini(struct eng_node *n)
{
	legacy_free(n->lg);
	n->lg = NULL;
	netlink_close(&n->diag);
}

/* A SYN the model refused: a PAWS drop is counted and is a line of the
 * timeline. */
static void engine_legacy_dropped(struct eng_node *n, const struct pkt *p,
				  const struct legacy_seg *s, uint64_t now,
				  enum legacy_syn_verdict why)
{
	FILE *tl = n->e->timeline;

	if (why != LEGACY_SYN_DROP_PAWS)
		return; /* 2.6.32's queue-pressure clause: the model counts */
	n->st.paws_drops++;
	if (tl)
		fprintf(tl, "drop %llu %s %u %u %u\n", (unsigned long long)now,
			n->tn->name, s->t.raddr, s->t.rport, p->tsval);
}

/* The entry as it is now (the update rule may have kept the older value):
 * a step of the picture's remembered line. */
static void engine_legacy_remembered(struct eng_node *n,
				     const struct legacy_seg *s, uint64_t now,
				     uint64_t wall)
{
	uint32_t cached;
	uint64_t stamp;

	if (n->e->timeline &&
	    legacy_peer(n->lg, s->t.laddr, s->t.raddr, wall, &cached, &stamp))
		fprintf(n->e->timeline, "remember %llu %s %u %u %u\n",
			(unsigned long long)now, n->tn->name, s->t.raddr,
			cached, s->tsval);
}

int engine_legacy_packet(struct eng_node *n, struct pkt *p, int out,
			 int partial)
{
	const struct legacy_facts facts = {engine_legacy_ask, n};
	uint64_t now = engine_now_ms(), wall = engine_legacy_wall_ms();
	struct legacy_seg s;
	struct legacy_out o;

	engine_legacy_seg(p, out, &s);
	legacy_segment(n->lg, &s, wall, &facts, &o);
	if (o.drop) {
		engine_legacy_dropped(n, p, &s, now, o.syn);
		return ENG_LEGACY_DROP;
	}
	if (o.remembered)
		engine_legacy_remembered(n, &s, now, wall);
	if (o.tw_end_ms) {
		struct eng_timer tm = {
			.at_ms = now + o.tw_end_ms,
			.kind = ENG_TIMER_TW_END,
			.node = n,
			.tuple = s.t,
		};

		heap_push(&n->e->timers, &tm);
	}
	if (o.set_tsecr && p->has_ts) {
		pkt_set_ts(p, p->tsval, o.tsecr, partial);
		if (partial)
			pkt_fix_tcp_csum(p);
		return ENG_LEGACY_REWRITTEN;
	}
	return ENG_LEGACY_PASS;
}

void engine_legacy_tw_end(struct eng_node *n, const struct tuple *t)
{
	if (!legacy_tw_due(n->lg, t, engine_legacy_wall_ms()))
		return; /* re-armed to 60 s since, or gone */
	if (!diag_destroy(&n->diag, t))
		n->st.tw_shortened++;
	else
		n->st.tw_gone++; /* ended already (RST, reuse) */
	legacy_tw_end(n->lg, t);
}

void engine_legacy_timeline_open(struct engine *e)
{
	char path[STATFILE_PATH_MAX];

	statfile_path(e->t->name, "timeline", path, sizeof(path));
	e->timeline = fopen(path, "we");
	if (e->timeline)
		setvbuf(e->timeline, NULL, _IOLBF, 0);
}

void engine_legacy_timeline_close(struct engine *e)
{
	if (e->timeline)
		fclose(e->timeline);
	e->timeline = NULL;
}
