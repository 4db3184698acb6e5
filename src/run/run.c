/* run.c - natlab run: up, traffic, measure, down, report. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lab/lab.h"
#include "lab/state.h"
#include "lib/log.h"
#include "lib/progress.h"
#include "lib/statfile.h"
#include "lib/util.h"
#include "run/capture.h"
#include "run/counters.h"
#include "run/dump.h"
#include "run/metrics.h"
#include "run/report.h"
#include "run/report_svg.h"
#include "run/run.h"
#include "run/run_metrics.h"
#include "run/traffic.h"

/*
 * Theory of operation.  A run opens its output files first, so that a
 * bad path fails before anything is built.  It builds the lab (with its
 * engine), marks it "running" with this process as owner (so that clean
 * knows what to do if we are killed), reads the kernel counters of every
 * node, starts the capture on the switch (and the pcap files if asked),
 * runs the traffic, reads the counters again, and stops the engine so
 * that its last counters are final.  From all that it computes the
 * metrics (run_metrics.c) and the expectations' verdicts, removes the
 * lab, then reports (report.c, report_svg.c).  An interrupted or failed
 * run reports nothing and leaves no output files.
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
static unsigned long long run_engine_stat(const char *lab, const char *node,
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

/* The counters of every node (clients: their TIME_WAIT sockets;
 * balancers: their connections per server). */
static void run_counters_all(const struct topo *t, struct counters *p)
{
	int i;

	for (i = 0; i < t->nnodes; i++) {
		memset(&p[i], 0, sizeof(p[i]));
		counters_read(t->name, t->nodes[i].name, &p[i]);
		if (t->nodes[i].kind == TOPO_BALANCER)
			counters_balancer(t, i, &p[i]);
	}
}

/* An output file of a run (--json, --csv, --svg) and its writer. */
struct run_file {
	const char *path; /* NULL: not asked for */
	int (*write)(FILE *f, const struct run_data *d);
	FILE *f;
};

#define RUN_NFILES 3

/* What a run holds from its traffic to its report. */
struct run {
	struct traffic *tr;
	struct capture *cap;		 /* NULL: no capture */
	struct counters *before, *after; /* every node's */
	uint64_t t0;			 /* CLOCK_MONOTONIC, ns */
};

/* Open the output files asked for, in the order they are written. */
static int run_open_files(const struct run_opts *o, struct run_file *rf)
{
	int i, err = 0;

	rf[0] = (struct run_file){.path = o->json, .write = report_json};
	rf[1] = (struct run_file){.path = o->csv, .write = report_csv};
	rf[2] = (struct run_file){.path = o->svg, .write = report_svg};
	for (i = 0; i < RUN_NFILES && !err; i++)
		err = run_open_out(rf[i].path, &rf[i].f);
	return err;
}

/* Close the output files.  A run that did not finish leaves none of
 * those it made behind (they were made up front, to find a bad path
 * before building); a path it never opened is not touched. */
static void run_close_files(struct run_file *rf, int err)
{
	int i;

	struct stat st;

	for (i = 0; i < RUN_NFILES; i++) {
		if (!rf[i].f)
			continue;
		/* Only a file: --json /dev/stdout is not removed. */
		if (err && err != 1 && !fstat(fileno(rf[i].f), &st) &&
		    S_ISREG(st.st_mode))
			unlink(rf[i].path);
		fclose(rf[i].f);
	}
}

/* After the traffic, wait the topology's linger time (or until stopped)
 * so that what the traffic left behind has its time to end. */
static void run_linger(const struct topo *t)
{
	uint64_t until;

	if (!t->traffic.linger_ms)
		return;
	until = util_now_ns() + (uint64_t)t->traffic.linger_ms * 1000000;
	while (!util_stop && util_now_ns() < until)
		usleep(20000);
}

/*
 * The measured part of a run: the counters before, the pcap files and
 * the capture around the traffic (and its linger), the counters after,
 * and the engine stopped so that its counters are final.  Return: 0,
 * -EINVAL if the pcap files cannot be made, or traffic_run()'s error;
 * whatever was measured is in @r either way.
 */
static int run_traffic(const struct topo *t, const struct run_opts *o,
		       struct run *r)
{
	struct dump *pcap = NULL;
	struct progress pg;
	uint32_t nrecs;
	int err;

	r->before = xcalloc(t->nnodes, sizeof(*r->before));
	r->after = xcalloc(t->nnodes, sizeof(*r->after));
	run_counters_all(t, r->before);
	if (o->pcap) {
		pcap = dump_start(t, o->pcap);
		if (!pcap)
			return -EINVAL;
	}
	r->tr = traffic_new(t);
	r->t0 = util_now_ns();
	r->cap = capture_start(t, r->t0);
	if (!r->cap)
		log_warn("no capture on the switch (%s): SYN-level counts "
			 "will be missing",
			 strerror(errno));
	traffic_recs(r->tr, &nrecs);
	progress_start(&pg, "run", "connections", nrecs);
	err = traffic_run(r->tr, &util_stop, r->t0, &pg);
	progress_end(&pg);
	if (!err)
		run_linger(t);
	if (r->cap)
		capture_stop(r->cap);
	dump_stop(pcap);
	run_counters_all(t, r->after);
	run_stop_engine(t->name);
	return err;
}

/* How the target server's tcp_tw_recycle is had, for the reports (a
 * target balancer's: its first server's; the table says each one's). */
static void run_legacy_how(const struct topo *t, struct run_data *d)
{
	const struct topo_node *srv;
	const int *nodes;
	char how[16];

	topo_target_servers(t, &nodes);
	srv = &t->nodes[*nodes];
	statfile_get(t->name, "engine", srv->name, "legacy", how, sizeof(how));
	d->legacy_native = !strcmp(how, "native");
	report_legacy_how(d->legacy_how, sizeof(d->legacy_how), srv,
			  d->legacy_native);
}

/* The engine's counters of one node. */
static void run_engine_node(const char *lab, const char *name,
			    struct run_server_in *si)
{
	struct run_legacy_in *lg = &si->legacy;

	si->paws_drops = (double)run_engine_stat(lab, name, "paws_drops");
	si->listen_drops = (double)run_engine_stat(lab, name, "listen_drops");
	si->tw_shortened = (double)run_engine_stat(lab, name, "tw_shortened");
	lg->remembered = (double)run_engine_stat(lab, name, "remembered");
	lg->remembered_at_ack =
		(double)run_engine_stat(lab, name, "remembered_at_ack");
	lg->tw_rearmed = (double)run_engine_stat(lab, name, "tw_rearmed");
	lg->syn_spared = (double)run_engine_stat(lab, name, "syn_spared");
	lg->pressure_drops =
		(double)run_engine_stat(lab, name, "pressure_drops");
	lg->seeded = (double)run_engine_stat(lab, name, "seeded");
}

/* What the run read of each server the traffic reaches (its listener's
 * counts and the engine's) and of each node with the emulated
 * tcp_tw_recycle (the engine's).  Return: by node index, for free(). */
static struct run_server_in *run_servers_in(const struct topo *t,
					    const struct run *r)
{
	struct run_server_in *in = xcalloc(t->nnodes, sizeof(*in));
	const int *nodes;
	int n, k;

	for (k = 0; k < t->nnodes; k++)
		if (t->nodes[k].legacy.recycle)
			run_engine_node(t->name, t->nodes[k].name, &in[k]);
	n = topo_target_servers(t, &nodes);
	for (k = 0; k < n; k++) {
		traffic_server_stats(r->tr, nodes[k], &in[nodes[k]].listener);
		run_engine_node(t->name, t->nodes[nodes[k]].name,
				&in[nodes[k]]);
	}
	return in;
}

/* Everything the reports need, from what the run measured and what the
 * engine left in its files: the metrics and the expectations' verdicts. */
static void run_collect(const struct topo *t, const char *topo_path,
			const struct run *r, struct run_data *d)
{
	struct run_measured in = {.before = r->before, .after = r->after};
	struct run_server_in *servers = run_servers_in(t, r);
	struct utsname un;

	run_read_timeline(t->name, r->t0, d);
	d->t = t;
	d->topo_path = topo_path;
	d->recs = traffic_recs(r->tr, &d->nrecs);
	d->cap = r->cap;
	d->elapsed_us = traffic_elapsed_us(r->tr);
	if (uname(&un) == 0)
		snprintf(d->kernel, sizeof(d->kernel), "%s", un.release);
	statfile_get(t->name, "engine", NULL, "queue", d->engine_queue,
		     sizeof(d->engine_queue));
	statfile_get(t->name, "engine", NULL, "clock_path",
		     d->engine_clock_path, sizeof(d->engine_clock_path));
	in.servers = servers;
	run_metrics_compute(d, &in);
	free(servers);
	run_legacy_how(t, d);
	d->expects =
		xcalloc(t->nexpects ? t->nexpects : 1, sizeof(*d->expects));
	d->nexpects = t->nexpects;
	d->failed = metrics_expect(t, &d->m, d->expects);
}

/* The table and expectations on stdout, then the files asked for.
 * Return: 0; 1 if an expectation failed; -EIO if a file failed. */
static int run_report(const struct run_opts *o, const struct run_file *rf,
		      const struct run_data *d)
{
	int i, err = 0;

	report_table(stdout, d, o->clients);
	report_expects(stdout, d);
	for (i = 0; i < RUN_NFILES; i++) {
		if (!rf[i].f)
			continue;
		errno = 0;
		if (rf[i].write(rf[i].f, d) || fflush(rf[i].f)) {
			log_errno(errno ? -errno : -EIO, "cannot write %s",
				  rf[i].path);
			err = -EIO;
		}
	}
	if (o->metrics_out && metrics_save(&d->m, o->metrics_out))
		err = -EIO;
	if (!err && d->failed)
		err = 1;
	return err;
}

/* Free what the run and its data hold; any of it may not have been made. */
static void run_free(struct run *r, struct run_data *d)
{
	capture_free(r->cap);
	traffic_free(r->tr);
	free(r->before);
	free(r->after);
	free(d->expects);
	free(d->tl);
	metrics_free(&d->m);
}

int run_main(const struct topo *t, const char *topo_path,
	     const struct run_opts *o)
{
	struct run_file rf[RUN_NFILES] = {{0}};
	struct run r = {0};
	struct run_data d;
	int err, err2;

	memset(&d, 0, sizeof(d));
	if (t->traffic.server < 0) {
		log_err("%s: the lab has no server to send traffic to",
			topo_path);
		return -EINVAL;
	}
	err = run_open_files(o, rf);
	if (err)
		goto out_files;
	err = lab_up(t, topo_path);
	if (err)
		goto out_files;
	util_catch_signals();
	err = lab_mark_running(t->name);
	if (!err)
		err = run_traffic(t, o, &r);
	if (!err)
		run_collect(t, topo_path, &r, &d);
	err2 = lab_down(t->name);
	if (!err)
		err = err2;
	if (util_stop && !err)
		err = -EINTR;
	if (!err)
		err = run_report(o, rf, &d);
	run_free(&r, &d);
out_files:
	run_close_files(rf, err);
	if (err == -EINTR)
		log_err("interrupted: lab %s removed", t->name);
	return err;
}
