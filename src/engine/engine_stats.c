/* engine_stats.c - the engine's counter file: one line for the engine, one
 * per node. */
#include <stdio.h>
#include <unistd.h>

#include "engine/engine_int.h"
#include "engine/legacy.h"
#include "engine/tsbpf.h"
#include "lib/statfile.h"

/*
 * The lab's "engine" counter file (lib/statfile.h) is replaced whole every
 * second and at exit.  A node's counters come from three places: the
 * verdict path's own (struct eng_stats), the legacy model's
 * (legacy_stats()), and, for a client whose clock the tc program keeps,
 * the program's map (tsbpf_read()), which replaces the packet counters the
 * engine never sees.  The queue's drops are the kernel's, read from
 * /proc in the node's namespace.
 */

/* Packets the kernel dropped for want of room in queue 0 of a namespace:
 * queue_dropped + user_dropped of /proc/net/netfilter/nfnetlink_queue. */
static uint64_t engine_stats_queue_drops(struct eng_node *n)
{
	unsigned long long qd = 0, ud = 0;
	unsigned int num;
	char buf[512];
	ssize_t len;

	if (n->queue_stats_fd < 0)
		return 0;
	len = pread(n->queue_stats_fd, buf, sizeof(buf) - 1, 0);
	if (len <= 0)
		return 0;
	buf[len] = '\0';
	if (sscanf(buf, "%u %*u %*u %*u %*u %llu %llu", &num, &qd, &ud) != 3)
		return 0;
	return qd + ud;
}

/* The counters of a client whose clock the program keeps. */
static void engine_stats_bpf(struct engine *e, struct eng_node *n)
{
	struct tsbpf_client c;

	if (tsbpf_read(e->bpf, n->addr, &c))
		return;
	n->st.seen = c.seen;
	n->st.rewritten = c.rewritten;
	n->st.csum_partial = c.csum_partial;
	n->st.gso = c.gso;
	n->st.malformed = c.malformed;
}

/* How the lab's clocks are kept: "bpf", "nfqueue", both, or "-". */
static const char *engine_stats_clock_path(const struct engine *e)
{
	int i, bpf = 0, nfq = 0;

	for (i = 0; i < e->nnodes; i++) {
		bpf |= e->nodes[i].clock && e->nodes[i].bpf;
		nfq |= e->nodes[i].clock && !e->nodes[i].bpf;
	}
	if (bpf && nfq)
		return "bpf+nfqueue";
	return bpf ? "bpf" : nfq ? "nfqueue" : "-";
}

/* One node's line. */
static void engine_stats_node(FILE *f, struct engine *e, struct eng_node *n)
{
	struct legacy_stats ls = {0};

	if (n->lg)
		legacy_stats(n->lg, &ls);
	if (n->bpf)
		engine_stats_bpf(e, n);
	fprintf(f,
		"node %s seen %llu rewritten %llu csum_partial %llu "
		"gso %llu malformed %llu truncated %llu "
		"paws_drops %llu syn_checked %llu remembered %llu "
		"tw_entered %llu tw_shortened %llu tw_gone %llu "
		"fault_drops %llu delayed %llu overruns %llu "
		"queue_drops %llu remembered_at_ack %llu tw_rearmed %llu "
		"syn_spared %llu pressure_drops %llu seeded %llu "
		"listen_drops %llu clock %s offset %u skew_ppm %d "
		"clock_path %s legacy %s\n",
		n->tn->name, (unsigned long long)n->st.seen,
		(unsigned long long)n->st.rewritten,
		(unsigned long long)n->st.csum_partial,
		(unsigned long long)n->st.gso,
		(unsigned long long)n->st.malformed,
		(unsigned long long)n->st.truncated,
		(unsigned long long)n->st.paws_drops,
		(unsigned long long)ls.syn_checked,
		(unsigned long long)ls.remembered,
		(unsigned long long)ls.tw_entered,
		(unsigned long long)n->st.tw_shortened,
		(unsigned long long)n->st.tw_gone,
		(unsigned long long)n->st.fault_drops,
		(unsigned long long)n->st.delayed,
		(unsigned long long)n->st.overruns,
		(unsigned long long)engine_stats_queue_drops(n),
		(unsigned long long)ls.remembered_at_ack,
		(unsigned long long)ls.tw_rearmed,
		(unsigned long long)ls.syn_spared,
		(unsigned long long)ls.pressure_drops,
		(unsigned long long)ls.seeded,
		(unsigned long long)ls.listen_drops, n->clock ? "host" : "-",
		n->offset, n->skew_ppm,
		!n->clock ? "-"
		: n->bpf  ? "bpf"
			  : "nfqueue",
		n->native ? "native"
		: n->lg	  ? topo_legacy_model_name(n->tn->legacy.model)
			  : "-");
}

void engine_stats_write(struct engine *e, int final)
{
	struct statfile sf;
	FILE *f;
	int i;

	f = statfile_begin(&sf, e->t->name, "engine");
	if (!f)
		return;
	fprintf(f,
		"engine pid %d uptime_ms %llu queue %s clock_path %s "
		"final %d\n",
		(int)getpid(),
		(unsigned long long)(engine_now_ms() - e->start_ms),
		e->compat ? "xt-NFQUEUE" : "nft-queue",
		engine_stats_clock_path(e), final);
	for (i = 0; i < e->nnodes; i++)
		engine_stats_node(f, e, &e->nodes[i]);
	statfile_commit(&sf);
}
