/* keeper.c - the full-cone keepers of a lab's nat = rfc gateways. */

/*
 * A gateway with nat = rfc has, besides its masquerade, the full-cone
 * rules and maps of nft_fullcone(), built with the lab.  The maps are
 * kept from the gateway's conntrack events by a keeper thread
 * (fullcone.c).  The keepers of a lab run in one background process of
 * the lab, as the engine does: spawned by up once the lab is built,
 * recorded in the state file, stopped by down and clean.  Their
 * counters go to /run/natlab/<lab>.keeper, one line per gateway, for
 * status and natlab rfc.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/fullcone.h"
#include "engine/keeper.h"
#include "lib/log.h"
#include "lib/netns.h"
#include "lib/statfile.h"
#include "lib/util.h"

#define KEEPER_STATS_EVERY_MS 1000

struct kp_gw {
	const struct topo_node *n;
	int nsfd;
	struct fullcone *k;
};

static void kp_write_stats(const struct topo *t, struct kp_gw *g, int ng)
{
	struct fullcone_counts c;
	struct statfile sf;
	FILE *f;
	int i;

	f = statfile_begin(&sf, t->name, "keeper");
	if (!f)
		return;
	fprintf(f, "keeper pid %d\n", (int)getpid());
	for (i = 0; i < ng; i++) {
		if (!g[i].k)
			continue;
		fullcone_counts(g[i].k, &c);
		fprintf(f,
			"node %s events %u mappings %u conflicts %u lost %u "
			"active %u held %u icmp_sent %u punched %u "
			"hold_overflow %u\n",
			g[i].n->name, c.events, c.mappings, c.conflicts, c.lost,
			c.active, c.held, c.icmp_sent, c.punched,
			c.hold_overflow);
	}
	statfile_commit(&sf);
}

/* Start the keeper of gateway g. */
static int kp_start(const struct topo *t, struct kp_gw *g)
{
	const struct topo_net *in = &t->nets[g->n->ifs[0].net];

	g->nsfd = netns_open_node(t->name, g->n->name);
	if (g->nsfd < 0)
		return g->nsfd;
	return fullcone_start(g->nsfd, g->n->ifs[1].addr, in->addr,
			      in->prefix ? ~0u << (32 - in->prefix) : 0, &g->k);
}

int keeper_run(const struct topo *t, int ready_fd)
{
	struct kp_gw *g;
	char msg[256];
	int i, ng = 0, err = 0;

	util_daemon_signals();

	g = xcalloc((size_t)t->nnodes, sizeof(*g));
	for (i = 0; !err && i < t->nnodes; i++) {
		if (t->nodes[i].kind != TOPO_GATEWAY ||
		    t->nodes[i].nat.mode != TOPO_NAT_RFC)
			continue;
		g[ng].n = &t->nodes[i];
		g[ng].nsfd = -1;
		err = kp_start(t, &g[ng]);
		if (err)
			snprintf(msg, sizeof(msg),
				 "full-cone keeper of gateway %s: %s\n",
				 t->nodes[i].name, strerror(-err));
		ng++;
	}
	if (!err) {
		kp_write_stats(t, g, ng);
		util_notify(ready_fd, "ok\n");
	} else {
		util_notify(ready_fd, msg);
	}
	while (!err && !util_stop) {
		/* Signals interrupt the sleep. */
		usleep(KEEPER_STATS_EVERY_MS * 1000);
		kp_write_stats(t, g, ng);
	}
	if (!err)
		kp_write_stats(t, g, ng);
	for (i = 0; i < ng; i++) {
		if (g[i].k)
			fullcone_stop(g[i].k);
		if (g[i].nsfd >= 0)
			close(g[i].nsfd);
	}
	free(g);
	return err;
}
