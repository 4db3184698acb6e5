/* run.c - natlab run: up, engine, traffic, measure, report, down. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/engine.h"
#include "lab/lab.h"
#include "lab/state.h"
#include "lib/log.h"
#include "lib/statfile.h"
#include "lib/util.h"
#include "run/capture.h"
#include "run/counters.h"
#include "run/dump.h"
#include "run/metrics.h"
#include "run/report.h"
#include "run/report_svg.h"
#include "run/run.h"
#include "run/traffic.h"

/*
 * Theory of operation.  A run builds the lab (with its engine), marks it
 * "running" with this process as owner (so that clean knows what to do
 * if we are killed), reads the kernel counters of the server and the
 * gateways, starts the capture on the switch, runs the traffic, reads
 * the counters again, stops the engine so that its last counters are
 * final, computes the metrics, removes the lab, then reports.  Every
 * number comes from one of four places, named in the README: the
 * generator's own records, the capture, the kernel's counters, and the
 * engine's counters.
 */

/* Open an output file now, so that a bad path fails before any lab is
 * built. */
static int run_open_out(const char *path, FILE **f)
{
	*f = NULL;
	if (!path)
		return 0;
	*f = fopen(path, "we");
	if (!*f) {
		log_errno(-errno, "cannot write %s", path);
		return -EINVAL;
	}
	return 0;
}

/* A counter of one node, from the engine's stats file (0 if none). */
static unsigned long long engine_stat(const char *lab, const char *node,
				      const char *key)
{
	char buf[32];

	statfile_get(lab, "engine", node, key, buf, sizeof(buf));
	return strtoull(buf, NULL, 10);
}

/* Stop the lab's engine so that it writes its final counters. */
static void run_stop_engine(const char *lab)
{
	struct state s;
	int i, k;

	if (state_load(&s, lab))
		return;
	for (i = 0; i < s.npids; i++) {
		if (strcmp(s.pids[i].role, "engine") ||
		    !state_proc_alive(s.pids[i].pid, s.pids[i].start))
			continue;
		kill(s.pids[i].pid, SIGTERM);
		for (k = 0; k < 300; k++) {
			waitpid(s.pids[i].pid, NULL, WNOHANG);
			if (!state_proc_alive(s.pids[i].pid, s.pids[i].start))
				break;
			usleep(10000);
		}
	}
	state_free(&s);
}

static void client_metrics(struct run_data *d, const struct counters *after)
{
	double tw_total = 0, fw2_total = 0, rst_total = 0;
	double drop_total = 0, twack_total = 0;

	const struct topo *t = d->t;
	/* Connect times in microseconds, of one client, then of all. */
	uint32_t *lat = xcalloc(d->nrecs ? d->nrecs : 1, sizeof(*lat));
	uint32_t nall = 0, i;
	double sum[9] = {0}, all_total = 0;
	int c;

	for (c = 0; c < t->nnodes; c++) {
		double v[9] = {0}, total = 0; /* see names[] */
		static const char *const names[] = {
			"attempts", "established",  "failed",
			"timeouts", "resets",	    "refused",
			"no_port",  "first_syn_ok", "syn_retrans",
		};
		uint32_t nlat = 0;
		int k;

		if (t->nodes[c].kind != TOPO_CLIENT)
			continue;
		for (i = 0; i < d->nrecs; i++) {
			const struct tr_rec *r = &d->recs[i];

			if (r->client != c)
				continue;
			v[0]++;
			if (r->flags & TR_F_CONNECTED) {
				v[1]++;
				lat[nlat++] = r->connect_us;
				nall++;
				total += r->connect_us / 1000.0;
				all_total += r->connect_us / 1000.0;
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
		for (k = 0; k < 9; k++) {
			metrics_set(&d->m, t->nodes[c].name, names[k], v[k], 0);
			sum[k] += v[k];
		}
		metrics_set(&d->m, t->nodes[c].name, "connect_avg",
			    nlat ? total / nlat : 0, 1);
		/* TIME_WAIT sockets left in the client when traffic ended. */
		metrics_set(&d->m, t->nodes[c].name, "timewait",
			    after[c].tcp_states[6], 0);
		metrics_set(&d->m, t->nodes[c].name, "fin_wait2",
			    after[c].tcp_states[5], 0);
		metrics_set(&d->m, t->nodes[c].name, "estab_resets",
			    (double)after[c].estab_resets, 0);
		tw_total += after[c].tcp_states[6];
		fw2_total += after[c].tcp_states[5];
		rst_total += (double)after[c].estab_resets;
		/* This client's SYNs as the capture saw them at the server:
		 * dropped without an answer, or answered by a TIME_WAIT ACK. */
		{
			double drop = 0, twack = 0;

			for (i = 0; d->cap && i < d->nrecs; i++) {
				const struct cap_syn *s;
				int x;

				if (d->recs[i].client != c)
					continue;
				s = capture_find(d->cap, c, d->recs[i].sport,
						 d->recs[i].start_us,
						 d->recs[i].end_us);
				for (x = 0; s && x < s->ntx && x < CAP_TX_MAX;
				     x++) {
					enum cap_answer a =
						capture_answer(d->cap, s, x);

					drop += a == CAP_NONE;
					twack += a == CAP_TWACK;
				}
			}
			metrics_set(&d->m, t->nodes[c].name, "syn_dropped",
				    drop, 0);
			metrics_set(&d->m, t->nodes[c].name, "syn_twack", twack,
				    0);
			drop_total += drop;
			twack_total += twack;
		}
		metrics_set(&d->m, t->nodes[c].name, "connect_p50",
			    metrics_percentile_us(lat, nlat, 50), 1);
		metrics_set(&d->m, t->nodes[c].name, "connect_p99",
			    metrics_percentile_us(lat, nlat, 99), 1);
		metrics_set(&d->m, t->nodes[c].name, "connect_max",
			    metrics_percentile_us(lat, nlat, 100), 1);
		for (k = 0; k < 9; k++)
			metrics_set(&d->m, "clients", names[k], sum[k], 0);
	}
	metrics_set(&d->m, "clients", "connect_avg",
		    nall ? all_total / nall : 0, 1);
	nall = 0;
	for (i = 0; i < d->nrecs; i++)
		if (t->nodes[d->recs[i].client].kind == TOPO_CLIENT &&
		    d->recs[i].flags & TR_F_CONNECTED)
			lat[nall++] = d->recs[i].connect_us;
	metrics_set(&d->m, "clients", "timewait", tw_total, 0);
	metrics_set(&d->m, "clients", "fin_wait2", fw2_total, 0);
	metrics_set(&d->m, "clients", "estab_resets", rst_total, 0);
	metrics_set(&d->m, "clients", "syn_dropped", drop_total, 0);
	metrics_set(&d->m, "clients", "syn_twack", twack_total, 0);
	metrics_set(&d->m, "clients", "connect_p50",
		    metrics_percentile_us(lat, nall, 50), 1);
	metrics_set(&d->m, "clients", "connect_p99",
		    metrics_percentile_us(lat, nall, 99), 1);
	metrics_set(&d->m, "clients", "connect_max",
		    metrics_percentile_us(lat, nall, 100), 1);
	free(lat);
}

static void server_metrics(struct run_data *d, const struct counters *before,
			   const struct counters *after, struct traffic *tr)
{
	const struct topo *t = d->t;
	int s = t->traffic.server;
	const char *name = t->nodes[s].name;
	struct tr_server_stats ss;
	struct cap_totals ct = {0};
	double paws, dropped, overflow, other;

	if (d->cap)
		capture_totals(d->cap, &ct);
	traffic_server_stats(tr, s, &ss);
	paws = (double)engine_stat(t->name, name, "paws_drops");
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
	/* The old kernels counted a PAWS-rejected SYN in ListenDrops too. */
	metrics_set(&d->m, name, "listen_drops",
		    (double)(after->listen_drops - before->listen_drops) + paws,
		    0);
	metrics_set(&d->m, name, "listen_overflows", overflow, 0);
	metrics_set(&d->m, name, "syn_dropped_other", other < 0 ? 0 : other, 0);
	metrics_set(&d->m, name, "timewait", after->tcp_states[6], 0);
	metrics_set(&d->m, name, "tw_shortened",
		    (double)engine_stat(t->name, name, "tw_shortened"), 0);
	metrics_set(&d->m, name, "accepted", (double)ss.accepted, 0);
	metrics_set(&d->m, name, "fin_wait2", after->tcp_states[5], 0);
	metrics_set(&d->m, name, "twack_out", (double)ct.twack_out, 0);
	metrics_set(&d->m, name, "challenge_acks",
		    (double)(after->challenge_acks - before->challenge_acks),
		    0);
	metrics_set(&d->m, name, "estab_resets",
		    (double)(after->estab_resets - before->estab_resets), 0);
	metrics_set(&d->m, name, "resets", (double)ss.reset, 0);
	metrics_set(&d->m, name, "tw_overflow",
		    (double)(after->tw_overflow - before->tw_overflow), 0);
	metrics_set(&d->m, name, "paws_estab",
		    (double)(after->paws_estab - before->paws_estab), 0);
}

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
		 * the server. */
		outer = &t->nets[n->ifs[1].net] == srvnet;
		metrics_set(&d->m, n->name, "mappings",
			    outer ? (double)ct.ext_ports : 0, 0);
		metrics_set(&d->m, n->name, "port_reuse",
			    outer ? (double)ct.ext_port_reuse : 0, 0);
		metrics_set(&d->m, n->name, "insert_failed",
			    (double)(after[g].ct_insert_failed -
				     before[g].ct_insert_failed),
			    0);
		metrics_set(&d->m, n->name, "conntrack",
			    (double)after[g].ct_count, 0);
		metrics_set(
			&d->m, n->name, "ct_invalid",
			(double)(after[g].ct_invalid - before[g].ct_invalid),
			0);
	}
}

/* The engine's log of what the legacy servers remembered and dropped. */
static void run_read_timeline(const char *lab, uint64_t t0_ns,
			      struct run_data *d)
{
	char path[STATFILE_PATH_MAX], *line = NULL, what[16], node[64];
	unsigned long long at;
	unsigned int peer, a, b;
	size_t cap = 0;
	int ntl_cap = 0;
	FILE *f;

	statfile_path(lab, "timeline", path, sizeof(path));
	f = fopen(path, "re");
	if (!f)
		return;
	while (getline(&line, &cap, f) > 0) {
		struct tl_event *e;

		if (sscanf(line, "%15s %llu %63s %u %u %u", what, &at, node,
			   &peer, &a, &b) != 6)
			continue;
		if (d->ntl == ntl_cap) {
			ntl_cap = ntl_cap ? ntl_cap * 2 : 256;
			d->tl = xrealloc(d->tl, ntl_cap, sizeof(*d->tl));
		}
		e = &d->tl[d->ntl++];
		e->t_ms = at * 1000000 > t0_ns
				  ? (uint32_t)((at * 1000000 - t0_ns) / 1000000)
				  : 0;
		e->peer = peer;
		e->drop = !strcmp(what, "drop");
		e->ts = e->drop ? b : a;
	}
	free(line);
	fclose(f);
}

/* The counters of every node (clients: their TIME_WAIT sockets). */
static void run_counters_all(const struct topo *t, struct counters *p)
{
	int i;

	for (i = 0; i < t->nnodes; i++) {
		memset(&p[i], 0, sizeof(p[i]));
		counters_read(t->name, t->nodes[i].name, &p[i]);
	}
}

int run_main(const struct topo *t, const char *topo_path,
	     const struct run_opts *o)
{
	struct counters *before = NULL, *after = NULL;
	FILE *json = NULL, *csv = NULL, *svg = NULL;
	struct capture *cap = NULL;
	struct dump *pcap = NULL;
	struct traffic *tr = NULL;
	struct run_data d;
	struct utsname un;
	uint64_t t0;
	int err, err2;

	memset(&d, 0, sizeof(d));
	if (t->traffic.server < 0) {
		log_err("%s: the lab has no server to send traffic to",
			topo_path);
		return -EINVAL;
	}
	err = run_open_out(o->json, &json);
	if (!err)
		err = run_open_out(o->csv, &csv);
	if (!err)
		err = run_open_out(o->svg, &svg);
	if (err)
		goto out_files;

	err = lab_up(t, topo_path);
	if (err)
		goto out_files;
	util_catch_signals();
	err = lab_mark_running(t->name);
	if (err)
		goto out_down;

	before = xcalloc(t->nnodes, sizeof(*before));
	after = xcalloc(t->nnodes, sizeof(*after));
	run_counters_all(t, before);
	if (o->pcap) {
		pcap = dump_start(t, o->pcap);
		if (!pcap) {
			err = -EINVAL;
			goto out_down;
		}
	}
	tr = traffic_new(t);
	t0 = util_now_ns();
	cap = capture_start(t, t0);
	if (!cap)
		log_warn("no capture on the switch (%s): SYN-level counts "
			 "will be missing",
			 strerror(errno));
	err = traffic_run(tr, &util_stop, t0);
	if (!err && t->traffic.linger_ms) {
		uint64_t until = util_now_ns() +
				 (uint64_t)t->traffic.linger_ms * 1000000;

		while (!util_stop && util_now_ns() < until)
			usleep(20000);
	}
	if (cap)
		capture_stop(cap);
	dump_stop(pcap);
	pcap = NULL;
	run_counters_all(t, after);
	run_stop_engine(t->name);
	if (err)
		goto out_down;
	run_read_timeline(t->name, t0, &d);

	d.t = t;
	d.topo_path = topo_path;
	d.recs = traffic_recs(tr, &d.nrecs);
	d.cap = cap;
	d.elapsed_us = traffic_elapsed_us(tr);
	if (uname(&un) == 0)
		snprintf(d.kernel, sizeof(d.kernel), "%s", un.release);
	statfile_get(t->name, "engine", NULL, "queue", d.engine_queue,
		     sizeof(d.engine_queue));
	statfile_get(t->name, "engine", NULL, "clock_path", d.engine_clock_path,
		     sizeof(d.engine_clock_path));
	client_metrics(&d, after);
	server_metrics(&d, &before[t->traffic.server],
		       &after[t->traffic.server], tr);
	gateway_metrics(&d, before, after);
	{
		const struct topo_node *srv = &t->nodes[t->traffic.server];
		char how[16];

		statfile_get(t->name, "engine", srv->name, "legacy", how,
			     sizeof(how));
		if (srv->legacy.recycle && !strcmp(how, "native"))
			snprintf(d.legacy_how, sizeof(d.legacy_how),
				 "native (this kernel has tcp_tw_recycle)");
		else if (srv->legacy.recycle)
			snprintf(d.legacy_how, sizeof(d.legacy_how),
				 "emulated, model %s (this kernel has no "
				 "tcp_tw_recycle)",
				 topo_legacy_model_name(srv->legacy.model));
	}
	d.expects = xcalloc(t->nexpects ? t->nexpects : 1, sizeof(*d.expects));
	d.nexpects = t->nexpects;
	d.failed = metrics_expect(t, &d.m, d.expects);

out_down:
	dump_stop(pcap);
	err2 = lab_down(t->name);
	if (!err)
		err = err2;
	if (util_stop && !err)
		err = -EINTR;
	if (!err) {
		report_table(stdout, &d);
		report_expects(stdout, &d);
		if (json && report_json(json, &d))
			err = -EIO;
		if (csv && report_csv(csv, &d))
			err = -EIO;
		if (svg && report_svg(svg, &d))
			err = -EIO;
		if (o->metrics_out && metrics_save(&d.m, o->metrics_out))
			err = -EIO;
		if (!err && d.failed)
			err = 1;
	}
	capture_free(cap);
	traffic_free(tr);
	free(before);
	free(after);
	free(d.expects);
	free(d.tl);
	metrics_free(&d.m);
out_files:
	if (json)
		fclose(json);
	if (csv)
		fclose(csv);
	if (svg)
		fclose(svg);
	/* A run that did not finish leaves no output files behind (they
	 * were created up front, to find a bad path before building). */
	if (err && err != 1) {
		if (o->json)
			unlink(o->json);
		if (o->csv)
			unlink(o->csv);
		if (o->svg)
			unlink(o->svg);
	}
	if (err == -EINTR)
		log_err("interrupted: lab %s removed", t->name);
	return err;
}
