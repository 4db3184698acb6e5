/* run_metrics.c - a run's metrics, from what it measured: the
 * generator's records, the capture, the kernel's and the engine's
 * counters. */
#include <stdio.h>
#include <stdlib.h>

#include "lib/util.h"
#include "run/metrics.h"
#include "run/run_metrics.h"

/*
 * Every number comes from one of four places, named in the README: the
 * generator's own records (attempts, outcomes, connect times), the
 * capture on the switch (what answered each SYN, the NAT's mappings), the
 * nodes' kernel counters read before and after the traffic (differences,
 * except the socket counts, which are the state at the end), and the
 * engine's counters (what the emulated legacy server dropped or cut
 * short).  The metrics are set in a fixed order, which is the order of
 * the JSON report and of the metrics file: each client's, then all
 * clients', then the target server's (or each server's of a balancer
 * that is the target, in its order), then each balancer's, then each
 * gateway's.  A balancer's connections per server are its per-server
 * nftables counters (lib/nftlb.c), read like the kernel's counters.
 */

/* The counts of a client's attempts, in this order. */
static const char *const count_names[] = {
	"attempts", "established", "failed",	   "timeouts",	  "resets",
	"refused",  "no_port",	   "first_syn_ok", "syn_retrans",
};

#define NCOUNTS (sizeof(count_names) / sizeof(count_names[0]))

/* What every client adds to the "clients." metrics. */
struct clients_sum {
	double v[NCOUNTS]; /* see count_names[] */
	double timewait, fin_wait2, estab_resets, syn_dropped, syn_twack;
	/* Every connect time in ms, added one by one, client by client. */
	double connect_ms;
	uint32_t nconnected;
};

/* The records of one client: indices into d->recs, in their order. */
struct rec_slice {
	const uint32_t *at;
	uint32_t n;
};

/* Count a client's attempts (@rs) into v[] and its connect times (us)
 * into lat[].  Return: how many connected; *total_ms is their sum in
 * ms. */
static uint32_t client_count(const struct run_data *d,
			     const struct rec_slice *rs, double *v,
			     uint32_t *lat, double *total_ms,
			     struct clients_sum *all)
{
	uint32_t i, nlat = 0;

	for (i = 0; i < rs->n; i++) {
		const struct tr_rec *r = &d->recs[rs->at[i]];

		v[0]++;
		if (r->flags & TR_F_CONNECTED) {
			v[1]++;
			lat[nlat++] = r->connect_us;
			all->nconnected++;
			*total_ms += r->connect_us / 1000.0;
			all->connect_ms += r->connect_us / 1000.0;
			if (!r->syn_retrans)
				v[7]++;
		}
		v[2] += r->outcome != TR_OK;
		v[3] += r->outcome == TR_TIMEOUT;
		v[4] += r->outcome == TR_RESET;
		v[5] += r->outcome == TR_REFUSED;
		v[6] += r->outcome == TR_NO_PORT;
		v[8] += r->syn_retrans;
	}
	return nlat;
}

/* Client @c's metrics from its records @rs, added to @all.  @lat: room
 * for every record. */
static void client_metrics(struct run_data *d, int c,
			   const struct rec_slice *rs,
			   const struct counters *after, uint32_t *lat,
			   struct clients_sum *all)
{
	const char *name = d->t->nodes[c].name;
	double v[NCOUNTS] = {0}, total = 0;
	int dropped = 0, twack = 0;
	uint32_t nlat, i;
	size_t k;

	nlat = client_count(d, rs, v, lat, &total, all);
	for (k = 0; k < NCOUNTS; k++) {
		metrics_set(&d->m, name, count_names[k], v[k], 0);
		all->v[k] += v[k];
	}
	metrics_set(&d->m, name, "connect_avg", nlat ? total / nlat : 0, 1);
	/* TIME_WAIT sockets left in the client when traffic ended. */
	metrics_set(&d->m, name, "timewait", after->tcp_states[6], 0);
	metrics_set(&d->m, name, "fin_wait2", after->tcp_states[5], 0);
	metrics_set(&d->m, name, "estab_resets", (double)after->estab_resets,
		    0);
	all->timewait += after->tcp_states[6];
	all->fin_wait2 += after->tcp_states[5];
	all->estab_resets += (double)after->estab_resets;
	/* This client's SYNs as the capture saw them at the server: dropped
	 * without an answer, or answered by a TIME_WAIT ACK. */
	for (i = 0; i < rs->n; i++)
		report_rec_answers(d, &d->recs[rs->at[i]], &dropped, &twack);
	metrics_set(&d->m, name, "syn_dropped", dropped, 0);
	metrics_set(&d->m, name, "syn_twack", twack, 0);
	all->syn_dropped += dropped;
	all->syn_twack += twack;
	metrics_set(&d->m, name, "connect_p50",
		    metrics_percentile_us(lat, nlat, 50), 1);
	metrics_set(&d->m, name, "connect_p99",
		    metrics_percentile_us(lat, nlat, 99), 1);
	metrics_set(&d->m, name, "connect_max",
		    metrics_percentile_us(lat, nlat, 100), 1);
	/* The counts of all clients so far; the last client's are the
	 * totals, and they stay where the first client put them. */
	for (k = 0; k < NCOUNTS; k++)
		metrics_set(&d->m, "clients", count_names[k], all->v[k], 0);
}

/* The "clients." metrics other than the counts: sums, and percentiles of
 * every client's connect times. */
static void clients_metrics(struct run_data *d, const struct clients_sum *all,
			    uint32_t *lat)
{
	uint32_t i, n = 0;

	metrics_set(&d->m, "clients", "connect_avg",
		    all->nconnected ? all->connect_ms / all->nconnected : 0, 1);
	for (i = 0; i < d->nrecs; i++)
		if (d->t->nodes[d->recs[i].client].kind == TOPO_CLIENT &&
		    d->recs[i].flags & TR_F_CONNECTED)
			lat[n++] = d->recs[i].connect_us;
	metrics_set(&d->m, "clients", "timewait", all->timewait, 0);
	metrics_set(&d->m, "clients", "fin_wait2", all->fin_wait2, 0);
	metrics_set(&d->m, "clients", "estab_resets", all->estab_resets, 0);
	metrics_set(&d->m, "clients", "syn_dropped", all->syn_dropped, 0);
	metrics_set(&d->m, "clients", "syn_twack", all->syn_twack, 0);
	metrics_set(&d->m, "clients", "connect_p50",
		    metrics_percentile_us(lat, n, 50), 1);
	metrics_set(&d->m, "clients", "connect_p99",
		    metrics_percentile_us(lat, n, 99), 1);
	metrics_set(&d->m, "clients", "connect_max",
		    metrics_percentile_us(lat, n, 100), 1);
}

/* Server @s's SYNs as the capture saw them, where the unanswered ones
 * went by the counters, and its sockets at the end. */
static void server_metrics(struct run_data *d, const struct run_measured *in,
			   int s)
{
	const struct topo *t = d->t;
	const char *name = t->nodes[s].name;
	const struct counters *before = &in->before[s], *after = &in->after[s];
	const struct run_server_in *si = &in->servers[s];
	struct cap_totals ct = {0};
	double paws = si->paws_drops, dropped, overflow, other;

	if (d->cap)
		capture_server_totals(d->cap, s, &ct);
	dropped = (double)ct.syn_in - (double)ct.synack_out -
		  (double)ct.twack_out - (double)ct.rst_out;
	if (dropped < 0)
		dropped = 0; /* retransmitted SYN-ACKs: more answers */
	overflow = (double)(after->listen_overflows - before->listen_overflows);
	other = dropped - paws - overflow;
	metrics_set(&d->m, name, "syn_in", (double)ct.syn_in, 0);
	metrics_set(&d->m, name, "synack_out", (double)ct.synack_out, 0);
	metrics_set(&d->m, name, "syn_dropped", dropped, 0);
	metrics_set(&d->m, name, "paws_passive", paws, 0);
	metrics_set(&d->m, name, "paws_timewait",
		    (double)(after->paws_timewait - before->paws_timewait), 0);
	/* 4.4 counted a PAWS-rejected SYN in ListenDrops too, 2.6.32 did
	 * not: the model's count. */
	metrics_set(&d->m, name, "listen_drops",
		    (double)(after->listen_drops - before->listen_drops) +
			    si->listen_drops,
		    0);
	metrics_set(&d->m, name, "listen_overflows", overflow, 0);
	metrics_set(&d->m, name, "syn_dropped_other", other < 0 ? 0 : other, 0);
	metrics_set(&d->m, name, "timewait", after->tcp_states[6], 0);
	metrics_set(&d->m, name, "tw_shortened", si->tw_shortened, 0);
	metrics_set(&d->m, name, "accepted", (double)si->listener.accepted, 0);
	metrics_set(&d->m, name, "fin_wait2", after->tcp_states[5], 0);
	metrics_set(&d->m, name, "twack_out", (double)ct.twack_out, 0);
	metrics_set(&d->m, name, "challenge_acks",
		    (double)(after->challenge_acks - before->challenge_acks),
		    0);
	metrics_set(&d->m, name, "estab_resets",
		    (double)(after->estab_resets - before->estab_resets), 0);
	metrics_set(&d->m, name, "resets", (double)si->listener.reset, 0);
	metrics_set(&d->m, name, "tw_overflow",
		    (double)(after->tw_overflow - before->tw_overflow), 0);
	metrics_set(&d->m, name, "paws_estab",
		    (double)(after->paws_estab - before->paws_estab), 0);
}

/* The clients' sums of what their emulated tcp_tw_recycle did. */
struct legacy_sum {
	int clients; /* how many have it */
	double tw_shortened, seeded;
};

/* What the emulated tcp_tw_recycle of node @k did; of a client, its
 * shortened TIME_WAITs too (a server's are in server_metrics), added to
 * @all's. */
static void legacy_metrics(struct run_data *d, const struct run_measured *in,
			   int k, struct legacy_sum *all)
{
	const struct topo_node *n = &d->t->nodes[k];
	const struct run_legacy_in *lg = &in->servers[k].legacy;

	metrics_set(&d->m, n->name, "remembered", lg->remembered, 0);
	metrics_set(&d->m, n->name, "remembered_at_ack", lg->remembered_at_ack,
		    0);
	metrics_set(&d->m, n->name, "tw_rearmed", lg->tw_rearmed, 0);
	metrics_set(&d->m, n->name, "syn_spared", lg->syn_spared, 0);
	metrics_set(&d->m, n->name, "pressure_drops", lg->pressure_drops, 0);
	metrics_set(&d->m, n->name, "seeded", lg->seeded, 0);
	if (n->kind != TOPO_CLIENT)
		return;
	metrics_set(&d->m, n->name, "tw_shortened", in->servers[k].tw_shortened,
		    0);
	all->clients++;
	all->tw_shortened += in->servers[k].tw_shortened;
	all->seeded += lg->seeded;
}

/* A router's conntrack counts: failed inserts and INVALID packets over
 * the run, live entries at the end. */
static void conntrack_metrics(struct run_data *d, const char *name,
			      const struct counters *before,
			      const struct counters *after)
{
	metrics_set(
		&d->m, name, "insert_failed",
		(double)(after->ct_insert_failed - before->ct_insert_failed),
		0);
	metrics_set(&d->m, name, "conntrack", (double)after->ct_count, 0);
	metrics_set(&d->m, name, "ct_invalid",
		    (double)(after->ct_invalid - before->ct_invalid), 0);
}

/* Each balancer's connections per server ("conns.s1") and in all, and
 * its conntrack counts. */
static void balancer_metrics(struct run_data *d, const struct counters *before,
			     const struct counters *after)
{
	const struct topo *t = d->t;
	char name[8 + TOPO_NODE_MAX];
	double v, all;
	int b, k;

	for (b = 0; b < t->nnodes; b++) {
		const struct topo_node *n = &t->nodes[b];

		if (n->kind != TOPO_BALANCER)
			continue;
		all = 0;
		for (k = 0; k < n->lb.nservers; k++) {
			snprintf(name, sizeof(name), "conns.%s",
				 t->nodes[n->lb.servers[k]].name);
			v = (double)(after[b].lb_conns[k] -
				     before[b].lb_conns[k]);
			metrics_set(&d->m, n->name, name, v, 0);
			all += v;
		}
		metrics_set(&d->m, n->name, "conns", all, 0);
		conntrack_metrics(d, n->name, &before[b], &after[b]);
	}
}

/* Does some client's default route lead through gateway @g? */
static int client_path_has(const struct topo *t, int g)
{
	int c, n, hops;

	for (c = 0; c < t->nnodes; c++) {
		if (t->nodes[c].kind != TOPO_CLIENT)
			continue;
		n = t->nodes[c].via;
		for (hops = 0; n >= 0 && hops < t->nnodes; hops++) {
			if (n == g)
				return 1;
			n = t->nodes[n].via;
		}
	}
	return 0;
}

/* Each gateway's mappings (the capture's, for the one facing the
 * target, the network of its address or a balancer's VIP, when clients
 * go through it) and conntrack counts. */
static void gateway_metrics(struct run_data *d, const struct counters *before,
			    const struct counters *after)
{
	const struct topo *t = d->t;
	const struct topo_net *srvnet =
		&t->nets[t->nodes[t->traffic.server].ifs[0].net];
	struct cap_totals ct = {0};
	int g;

	if (d->cap)
		capture_totals(d->cap, &ct);
	for (g = 0; g < t->nnodes; g++) {
		const struct topo_node *n = &t->nodes[g];
		int outer;

		if (n->kind != TOPO_GATEWAY)
			continue;
		/* The capture sees the mappings of the gateway that faces
		 * the server, if the clients' traffic passes it. */
		outer = &t->nets[n->ifs[1].net] == srvnet &&
			client_path_has(t, g);
		metrics_set(&d->m, n->name, "mappings",
			    outer ? (double)ct.ext_ports : 0, 0);
		metrics_set(&d->m, n->name, "port_reuse",
			    outer ? (double)ct.ext_port_reuse : 0, 0);
		conntrack_metrics(d, n->name, &before[g], &after[g]);
	}
}

/* The records grouped by client, in one counting sort: client node c's
 * are at[from[c]] .. at[from[c + 1] - 1], in the records' order, so that
 * each client's metrics read its own records only.  @from: nnodes + 1
 * entries, @at: one per record. */
static void rec_group(const struct run_data *d, uint32_t *from, uint32_t *at)
{
	int nnodes = d->t->nnodes, c;
	uint32_t i;

	for (i = 0; i < d->nrecs; i++)
		if (d->recs[i].client < nnodes)
			from[d->recs[i].client + 1]++;
	for (c = 0; c < nnodes; c++)
		from[c + 1] += from[c];
	/* Place each record, then shift from[] back to the starts. */
	for (i = 0; i < d->nrecs; i++)
		if (d->recs[i].client < nnodes)
			at[from[d->recs[i].client]++] = i;
	for (c = nnodes; c > 0; c--)
		from[c] = from[c - 1];
	from[0] = 0;
}

void run_metrics_compute(struct run_data *d, const struct run_measured *in)
{
	const struct topo *t = d->t;
	/* Connect times in microseconds, of one client, then of all. */
	uint32_t *lat = xcalloc(d->nrecs ? d->nrecs : 1, sizeof(*lat));
	uint32_t *from = xcalloc((size_t)t->nnodes + 1, sizeof(*from));
	uint32_t *at = xcalloc(d->nrecs ? d->nrecs : 1, sizeof(*at));
	struct clients_sum all = {0};
	struct legacy_sum lg = {0};
	const int *srv;
	int c, k, n;

	rec_group(d, from, at);
	for (c = 0; c < t->nnodes; c++) {
		struct rec_slice rs = {at + from[c], from[c + 1] - from[c]};

		if (t->nodes[c].kind == TOPO_CLIENT)
			client_metrics(d, c, &rs, &in->after[c], lat, &all);
	}
	clients_metrics(d, &all, lat);
	free(lat);
	free(from);
	free(at);
	n = topo_target_servers(t, &srv);
	for (k = 0; k < n; k++)
		server_metrics(d, in, srv[k]);
	for (c = 0; c < t->nnodes; c++)
		if (t->nodes[c].legacy.recycle)
			legacy_metrics(d, in, c, &lg);
	if (lg.clients) {
		metrics_set(&d->m, "clients", "tw_shortened", lg.tw_shortened,
			    0);
		metrics_set(&d->m, "clients", "seeded", lg.seeded, 0);
	}
	balancer_metrics(d, in->before, in->after);
	gateway_metrics(d, in->before, in->after);
}
