/* matrix.c - natlab matrix: one run per combination of axis values. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/jobs.h"
#include "lib/log.h"
#include "lib/progress.h"
#include "lib/statfile.h"
#include "lib/util.h"
#include "run/matrix.h"
#include "run/matrix_int.h"
#include "run/metrics.h"
#include "run/run.h"
#include "topo/topo.h"
#include "topo/topo_patch.h"

/*
 * Theory of operation.  A cell is the topology with one value per axis
 * written into its text, so every cell goes through the same parser and
 * validator as a file would, and all of them are checked before any lab
 * is built.  Cells run as child processes, each a complete "natlab run"
 * of its own lab (the base lab name with "-<cell>"), at most --jobs (by
 * default one per CPU) at a time: separate labs share nothing but the
 * CPUs.  A child leaves its metrics in a file (metrics_save()) that the
 * parent reads back (metrics_load()) when the child has ended.  A plan
 * (matrix_plan.c) makes and checks the same cells and writes them out
 * instead, for runs elsewhere; matrix_report.c prints either table.
 */

int matrix_parse_axis(const char *arg, struct matrix_axis *a)
{
	const char *eq = strchr(arg, '=');
	char *vals, *tok, *save = NULL;

	memset(a, 0, sizeof(*a));
	if (!eq || eq == arg || !strchr(arg, '.') || strchr(arg, '.') > eq) {
		log_err("--axis %s: expected NODE.KEY=V1,V2,... (e.g. "
			"srv.legacy.tcp_tw_recycle=0,1; --axis help lists "
			"the keys)",
			arg);
		return -EINVAL;
	}
	a->key = xstrdup(arg);
	a->key[eq - arg] = '\0';
	vals = xstrdup(eq + 1);
	for (tok = strtok_r(vals, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (a->nvalues == MATRIX_VALUES_MAX) {
			log_err("--axis %s: at most %d values", a->key,
				MATRIX_VALUES_MAX);
			free(vals);
			return -EINVAL;
		}
		a->values[a->nvalues++] = xstrdup(tok);
	}
	free(vals);
	if (!a->nvalues) {
		log_err("--axis %s: no values", a->key);
		return -EINVAL;
	}
	return 0;
}

void matrix_opts_free(struct matrix_opts *o)
{
	int i, k;

	for (i = 0; i < o->naxes; i++) {
		free(o->axes[i].key);
		for (k = 0; k < o->axes[i].nvalues; k++)
			free(o->axes[i].values[k]);
	}
	free(o->metrics);
}

/* The cells, in row-major order of the axes.  A cell whose text could
 * not be patched (a key that names no section) has text NULL, which
 * matrix_check() reports. */
static struct matrix_cell *matrix_cells(const char *text, struct matrix_opts *o,
					int *ncells)
{
	struct matrix_cell *cells;
	int n = 1, i, a;

	for (a = 0; a < o->naxes; a++)
		n *= o->axes[a].nvalues;
	cells = xcalloc(n, sizeof(*cells));
	for (i = 0; i < n; i++) {
		int rem = i;
		char *cur = xstrdup(text);

		for (a = o->naxes - 1; a >= 0; a--) {
			char *next;

			cells[i].values[a] = rem % o->axes[a].nvalues;
			rem /= o->axes[a].nvalues;
			next = topo_patch(
				cur, o->axes[a].key,
				o->axes[a].values[cells[i].values[a]]);
			free(cur);
			cur = next;
			if (!cur)
				break;
		}
		cells[i].text = cur;
		cells[i].status = -1;
	}
	*ncells = n;
	return cells;
}

/* Parse every cell before anything is built. */
static int matrix_check(const char *path, struct matrix_opts *o,
			struct matrix_cell *cells, int ncells)
{
	int i, a, err = 0;

	for (i = 0; i < ncells; i++) {
		struct topo t = {0};

		if (!cells[i].text) {
			log_err("%s: an --axis key names no section of the "
				"topology",
				path);
			return -EINVAL;
		}
		if (!topo_parse_buf(&t, path, cells[i].text,
				    strlen(cells[i].text))) {
			topo_free(&t);
			continue;
		}
		fprintf(stderr, "natlab: matrix cell");
		for (a = 0; a < o->naxes; a++)
			fprintf(stderr, " %s=%s", o->axes[a].key,
				o->axes[a].values[cells[i].values[a]]);
		fprintf(stderr, " (lines count as in the file with the axis "
				"values written in):\n");
		topo_print_errors(&t);
		topo_free(&t);
		err = -EINVAL;
		break;
	}
	return err;
}

/* The child's side of a cell: its run as lab @name, the table sent to
 * /dev/null, the metrics to its file.  Exit status: 0, 1 if an
 * expectation failed, 2 if the cell's text does not parse (checked
 * before, so not expected), 130 if interrupted, 3 for any other error. */
static void cell_run(struct matrix_cell *c, const char *path, const char *name)
{
	struct run_opts ro = {.metrics_out = c->metrics_path};
	struct topo t = {0};
	int fd, err;

	fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (fd >= 0) {
		dup2(fd, STDOUT_FILENO);
		close(fd);
	}
	/* The matrix's line counts the cells; a cell's run draws none. */
	progress_quiet = 1;
	if (topo_parse_buf(&t, path, c->text, strlen(c->text)) ||
	    topo_set_name(&t, name))
		_exit(2);
	err = run_main(&t, path, &ro);
	topo_free(&t);
	_exit(err == 1 ? 1 : err == -EINTR ? 130 : err ? 3 : 0);
}

/* What the cells' jobs share (jobs.c). */
struct cell_jobs {
	struct matrix_cell *cells;
	int ncells, failed, broken;
	const char *path;
};

void matrix_cell_name(const char *base, int i, char *buf, size_t len)
{
	snprintf(buf, len, "%s-%d", base, i + 1);
}

/* Job i: cell i's run, in the child. */
static void cell_start(int i, void *arg)
{
	struct cell_jobs *cj = arg;

	cell_run(&cj->cells[i], cj->path, cj->cells[i].name);
}

/* Job i ended: its status and metrics. */
static void cell_done(int i, int status, void *arg)
{
	struct cell_jobs *cj = arg;
	struct matrix_cell *c = &cj->cells[i];

	c->status = status >= 0 && WIFEXITED(status) ? WEXITSTATUS(status) : 3;
	/* The file is the child's way back; it has no use once read. */
	if (status >= 0 && !metrics_load(&c->m, c->metrics_path))
		unlink(c->metrics_path);
	cj->failed += c->status == 1;
	cj->broken += c->status > 1;
}

/* The default columns: attempts, drops by reason, failures, p99. */
static char *matrix_default_metrics(const struct topo *t)
{
	const char *srv = t->nodes[t->traffic.server].name;
	const int *nodes;
	char buf[1024];
	size_t off;
	int i, n;

	if (t->nodes[t->traffic.server].kind != TOPO_BALANCER) {
		snprintf(buf, sizeof(buf),
			 "clients.attempts,%s.syn_dropped,%s.paws_passive,"
			 "%s.listen_overflows,%s.paws_timewait,clients.failed,"
			 "clients.connect_p99",
			 srv, srv, srv, srv);
		return xstrdup(buf);
	}
	/* A balancer: each server's share and drops. */
	off = (size_t)snprintf(buf, sizeof(buf), "clients.attempts");
	n = topo_target_servers(t, &nodes);
	for (i = 0; i < n && off < sizeof(buf); i++)
		off += (size_t)snprintf(buf + off, sizeof(buf) - off,
					",%s.conns.%s,%s.syn_dropped", srv,
					t->nodes[nodes[i]].name,
					t->nodes[nodes[i]].name);
	if (off < sizeof(buf))
		snprintf(buf + off, sizeof(buf) - off,
			 ",clients.failed,clients.connect_p99");
	return xstrdup(buf);
}

/* The base topology, before any cell is made: a lab name that leaves
 * room for the cells' suffixes, a server, and a node or network (or a
 * whole-lab section) for every axis. */
static int matrix_check_base(const char *path, const char *name,
			     struct topo *base, const struct matrix_opts *o)
{
	int i;

	if (name && topo_set_name(base, name)) {
		log_err("-n %s: not a lab name", name);
		return -EINVAL;
	}
	if (strlen(base->name) > TOPO_LAB_MAX - 4) {
		log_err("lab name %s: at most %d characters for a matrix (each "
			"cell adds -NNN)",
			base->name, TOPO_LAB_MAX - 4);
		return -EINVAL;
	}
	if (base->traffic.server < 0) {
		log_err("%s: the lab has no server to send traffic to", path);
		return -EINVAL;
	}
	for (i = 0; i < o->naxes; i++) {
		char node[64];
		const char *dot = strchr(o->axes[i].key, '.');

		snprintf(node, sizeof(node), "%.*s",
			 (int)(dot - o->axes[i].key), o->axes[i].key);
		if (strcmp(node, "clients") && strcmp(node, "traffic") &&
		    strcmp(node, "lab") && topo_find_node(base, node) < 0 &&
		    topo_find_net(base, node) < 0) {
			log_err("--axis %s: %s has no node or network '%s' "
				"(or use clients., traffic., lab.)",
				o->axes[i].key, path, node);
			return -EINVAL;
		}
	}
	return 0;
}

char **matrix_columns(struct matrix_opts *o, const struct topo *base,
		      int *ncols)
{
	char **cols = NULL, *tok, *save = NULL;

	*ncols = 0;
	if (!o->metrics)
		o->metrics = matrix_default_metrics(base);
	for (tok = strtok_r(o->metrics, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		cols = xrealloc(cols, *ncols + 1, sizeof(*cols));
		cols[(*ncols)++] = tok;
	}
	return cols;
}

int matrix_open_files(const struct matrix_opts *o, FILE **json, FILE **csv,
		      FILE **svg)
{
	const char *path[3] = {o->json, o->csv, o->svg};
	FILE **f[3] = {json, csv, svg};
	int i, k;

	for (i = 0; i < 3; i++) {
		if (!path[i] || (*f[i] = fopen(path[i], "we")))
			continue;
		log_errno(-errno, "cannot write %s", path[i]);
		/* Those made a moment ago: nothing of them is left. */
		for (k = 0; k < i; k++) {
			if (!*f[k])
				continue;
			fclose(*f[k]);
			*f[k] = NULL;
			unlink(path[k]);
		}
		return -EINVAL;
	}
	return 0;
}

/* Run every cell, as many at a time as --jobs says (default: one per
 * CPU), each in its own lab, with a progress line on a terminal.  Each
 * cell's status and metrics end up in its struct matrix_cell; *failed
 * and *broken count the cells whose expectations failed and those whose
 * run did not finish. */
static void matrix_run(const struct matrix_opts *o, struct matrix_sweep *s,
		       const char *path, int *failed, int *broken)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	int jobs = o->jobs > 0 ? o->jobs : cpus > 0 ? (int)cpus : 1;
	struct cell_jobs cj = {
		.cells = s->cells,
		.ncells = s->ncells,
		.path = path,
	};
	struct progress pg;
	int i;

	for (i = 0; i < s->ncells; i++)
		statfile_path(s->cells[i].name, "metrics",
			      s->cells[i].metrics_path,
			      sizeof(s->cells[i].metrics_path));
	progress_start(&pg, "matrix", "cells", (uint64_t)s->ncells);
	jobs_run(s->ncells, jobs, cell_start, cell_done, &cj, &pg);
	progress_end(&pg);
	*failed = cj.failed;
	*broken = cj.broken;
}

int matrix_prepare(const char *path, const char *text, size_t len,
		   const char *name, struct matrix_opts *o,
		   struct matrix_sweep *s)
{
	char *copy = xcalloc(1, len + 1);
	int err, i;

	memset(s, 0, sizeof(*s));
	memcpy(copy, text, len);
	err = topo_parse_buf(&s->base, path, copy, len);
	if (err) {
		topo_print_errors(&s->base);
		goto out;
	}
	err = matrix_check_base(path, name, &s->base, o);
	if (err)
		goto out;
	s->cols = matrix_columns(o, &s->base, &s->ncols);
	s->cells = matrix_cells(copy, o, &s->ncells);
	for (i = 0; i < s->ncells; i++)
		matrix_cell_name(s->base.name, i, s->cells[i].name,
				 sizeof(s->cells[i].name));
	err = matrix_check(path, o, s->cells, s->ncells);
out:
	free(copy);
	return err;
}

void matrix_sweep_free(struct matrix_sweep *s)
{
	int i;

	for (i = 0; i < s->ncells; i++) {
		free(s->cells[i].text);
		metrics_free(&s->cells[i].m);
	}
	free(s->cells);
	free(s->cols);
	topo_free(&s->base);
	memset(s, 0, sizeof(*s));
}

int matrix_main(const char *path, const char *text, size_t len,
		const char *name, struct matrix_opts *o)
{
	int failed = 0, broken = 0, err;
	FILE *json = NULL, *csv = NULL, *svg = NULL;
	struct matrix_sweep s;

	err = matrix_prepare(path, text, len, name, o, &s);
	if (!err)
		err = matrix_open_files(o, &json, &csv, &svg);
	if (!err) {
		matrix_run(o, &s, path, &failed, &broken);
		err = util_stop ? -EINTR : broken ? -EIO : failed ? 1 : 0;
		if (matrix_report(o, &s, json, csv, svg) && err != -EINTR)
			err = -EIO;
	}
	matrix_sweep_free(&s);
	return err;
}
