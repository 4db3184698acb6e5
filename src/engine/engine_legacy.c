/* engine_legacy.c - the engine's side of the emulated tcp_tw_recycle: what
 * a legacy server's packets tell its model, and what the model answers. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "engine/engine_int.h"
#include "engine/engine_legacy.h"
#include "engine/legacy.h"
#include "lib/diag.h"
#include "lib/log.h"
#include "lib/statfile.h"
#include "lib/sysctl.h"

/*
 * legacy.c holds the model; this file feeds it.  The engine's rules queue
 * a legacy server's SYNs in and its FINs and RSTs both ways (every packet,
 * if the node also has a clock or faults), and engine_legacy_packet() is
 * the one way in from the verdict path:
 *
 * - a SYN is judged by the per-peer PAWS check, and one it rejects is
 *   dropped: silently, as the old kernels did;
 * - a RST ends the connection's close without TIME_WAIT;
 * - the server's FIN is when its RTO is read with sock_diag: the value the
 *   kernel's TIME_WAIT length would have been computed from;
 * - the client's FIN may put the server in TIME_WAIT as the active closer.
 *   With timestamps the model then remembers the peer, and the engine ends
 *   the kernel's own TIME_WAIT socket after 3.5 x RTO with SOCK_DESTROY
 *   (an ENG_TIMER_TW_END timer), as tcp_tw_recycle did.
 *
 * The timeline file records the drops and the remembered timestamps, with
 * their times, for the pictures (run/).
 */

/* TCP_RTO_MIN, 200 ms, when a connection's RTO could not be read. */
#define ENG_RTO_DEFAULT_US 200000

void engine_legacy_init(struct eng_node *n)
{
	const struct topo_node *tn = n->tn;
	struct legacy_cfg cfg = {
		.model = tn->legacy.model == TOPO_LEGACY_2_6_32 ? LEGACY_2_6_32
								: LEGACY_4_4,
		.paws_msl_ms = tn->legacy.paws_msl_ms,
	};

	n->lg = legacy_new(&cfg);
	tuple_table_init(&n->lg_conns, sizeof(struct eng_legacy_conn), NULL,
			 NULL);
}

int engine_legacy_open(struct eng_node *n)
{
	char val[16];

	n->diagfd = diag_open();
	if (n->diagfd < 0) {
		log_errno(n->diagfd, "engine: %s: sock_diag", n->ns);
		return n->diagfd;
	}
	n->server_ts =
		sysctl_get("net.ipv4.tcp_timestamps", val, sizeof(val)) == 0 &&
		atoi(val) != 0;
	return 0;
}

void engine_legacy_fini(struct eng_node *n)
{
	legacy_free(n->lg);
	n->lg = NULL;
	if (n->diagfd >= 0)
		close(n->diagfd);
	n->diagfd = -1;
	tuple_table_free(&n->lg_conns);
}

enum eng_legacy_step engine_legacy_step(const struct pkt *p, int out)
{
	if (!out && (p->flags & (PKT_SYN | PKT_ACK)) == PKT_SYN)
		return ENG_LEGACY_SYN;
	if (p->flags & PKT_RST)
		return ENG_LEGACY_RST;
	if (!(p->flags & PKT_FIN))
		return ENG_LEGACY_NONE;
	return out ? ENG_LEGACY_FIN_OUT : ENG_LEGACY_FIN_IN;
}

uint64_t engine_legacy_tw_end_ms(uint64_t now_ms, long rto_us)
{
	long rto = rto_us > 0 ? rto_us : ENG_RTO_DEFAULT_US;

	/* tcp_time_wait(): rto = (icsk_rto << 2) - (icsk_rto >> 1),
	 * 3.5 x RTO, Linux 2.6.32-4.11 with tcp_tw_recycle. */
	return now_ms + (uint64_t)(rto * 7 / 2 + 999) / 1000;
}

/* A SYN to the server: the model's PAWS check.  Return: 1 to drop it. */
static int engine_legacy_syn(struct eng_node *n, const struct tuple *t,
			     const struct pkt *p, int ts, uint64_t now)
{
	FILE *tl = n->e->timeline;

	if (legacy_judge_syn(n->lg, t->laddr, t->raddr, t->lport, t->rport, ts,
			     p->tsval, now) != LEGACY_DROP_PAWS)
		return 0;
	n->st.paws_drops++;
	if (tl)
		fprintf(tl, "drop %llu %s %u %u %u\n", (unsigned long long)now,
			n->tn->name, t->raddr, t->rport, p->tsval);
	return 1;
}

/* The server's FIN: its RTO now, for the TIME_WAIT that may follow. */
static void engine_legacy_fin_out(struct eng_node *n, const struct tuple *t,
				  const struct pkt *p, uint64_t now)
{
	struct eng_legacy_conn *c = tuple_table_find(&n->lg_conns, t);

	if (!c)
		c = tuple_table_insert(&n->lg_conns, t, 0);
	c->rto_us = diag_rto(n->diagfd, t);
	legacy_segment(n->lg, LEGACY_FIN_OUT, t->laddr, t->raddr, t->lport,
		       t->rport, 0, 0, p->seq + (uint32_t)p->payload + 1, 0,
		       now);
}

/* The entry as it is now (the update rule may have kept the older value):
 * a step of the picture's remembered line. */
static void engine_legacy_remembered(struct eng_node *n, const struct tuple *t,
				     const struct pkt *p, uint64_t now)
{
	uint32_t cached;
	uint64_t stamp;

	if (legacy_peer(n->lg, t->laddr, t->raddr, now, &cached, &stamp))
		fprintf(n->e->timeline, "remember %llu %s %u %u %u\n",
			(unsigned long long)now, n->tn->name, t->raddr, cached,
			p->tsval);
}

/* The client's FIN: if it puts the server in TIME_WAIT with timestamps,
 * that TIME_WAIT ends after 3.5 x RTO. */
static void engine_legacy_fin_in(struct eng_node *n, const struct tuple *t,
				 const struct pkt *p, int ts, uint64_t now)
{
	struct eng_timer tm = {
		.kind = ENG_TIMER_TW_END, .node = n, .tuple = *t};
	const struct eng_legacy_conn *c;

	if (legacy_segment(n->lg, LEGACY_FIN_IN, t->laddr, t->raddr, t->lport,
			   t->rport, ts, p->tsval, 0, p->ack, now) != 1)
		return;
	if (n->e->timeline)
		engine_legacy_remembered(n, t, p, now);
	c = tuple_table_find(&n->lg_conns, t);
	tm.at_ms = engine_legacy_tw_end_ms(now, c ? c->rto_us : 0);
	heap_push(&n->e->timers, &tm);
}

int engine_legacy_packet(struct eng_node *n, const struct tuple *t,
			 const struct pkt *p, int out)
{
	uint64_t now = engine_now_ms();
	/* The old kernels parsed a SYN's timestamp only with tcp_timestamps
	 * on (tcp_parse_options). */
	int ts = p->has_ts && n->server_ts;

	switch (engine_legacy_step(p, out)) {
	case ENG_LEGACY_NONE:
		return 0;
	case ENG_LEGACY_SYN:
		return engine_legacy_syn(n, t, p, ts, now);
	case ENG_LEGACY_RST:
		legacy_segment(n->lg, LEGACY_RST, t->laddr, t->raddr, t->lport,
			       t->rport, 0, 0, 0, 0, now);
		return 0;
	case ENG_LEGACY_FIN_OUT:
		engine_legacy_fin_out(n, t, p, now);
		return 0;
	case ENG_LEGACY_FIN_IN:
		engine_legacy_fin_in(n, t, p, ts, now);
		return 0;
	}
	return 0;
}

void engine_legacy_tw_end(struct eng_node *n, const struct tuple *t)
{
	if (!diag_destroy(n->diagfd, t))
		n->st.tw_shortened++;
	else
		n->st.tw_gone++; /* ended already (RST, reuse) */
	legacy_tw_end(n->lg, t->laddr, t->raddr, t->lport, t->rport);
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
