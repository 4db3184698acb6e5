/* matrix_plan.c - natlab matrix --plan and --collect: a sweep's cells
 * written out as plain "natlab run" jobs for runners elsewhere, and the
 * table made again from their reports. */
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/json.h"
#include "lib/log.h"
#include "lib/util.h"
#include "run/matrix.h"
#include "run/matrix_int.h"
#include "run/report.h"
#include "topo/topo.h"
#include "topo/topo_patch.h"

/*
 * Theory of operation.  A plan is a directory that a runner natlab does
 * not know (GNU parallel, a Slurm array, a Kubernetes Indexed Job) can
 * work through, one line at a time, on any host with natlab:
 *
 *   plan.json          the manifest (schema natlab-plan/1): the base
 *                      topology, the axes, the metric columns, and each
 *                      cell's name and values
 *   base.topo          the base topology as it was given
 *   cells/NAME.topo    each cell: the base with the cell's values and its
 *                      own lab name written in, checked as a file is
 *   jobs               one "natlab run" per cell, paths relative to the
 *                      plan, so the lines run from the plan's directory
 *                      wherever it is (shared, or copied to each host)
 *   results/           where each run leaves NAME.json (its report) and
 *                      NAME.status (its exit status, --exit-status)
 *
 * The cells are made and checked by the same code as a local matrix's
 * (matrix_prepare()), all of them before anything is written, and the
 * whole directory is written under a temporary name and renamed into
 * place, so that bad input leaves nothing behind.  --collect reads the
 * manifest and each report back into the cells a local matrix would have
 * had, and prints them with the same writer (matrix_report.c); the run
 * report carries every metric at full precision and which of them are
 * durations, so the rows are the rows a local matrix prints.
 */

#define PLAN_SCHEMA "natlab-plan/1"

/* Each cell's text gets its own lab name, so that cells can run side by
 * side on one host; parsed again, as a file would be. */
static int plan_name_cells(struct matrix_sweep *s)
{
	int i;

	for (i = 0; i < s->ncells; i++) {
		struct matrix_cell *c = &s->cells[i];
		char *text = topo_patch(c->text, "lab.name", c->name);
		struct topo t = {0};
		int err;

		if (!text)
			return -EINVAL;
		free(c->text);
		c->text = text;
		err = topo_parse_buf(&t, c->name, text, strlen(text));
		if (err)
			topo_print_errors(&t);
		topo_free(&t);
		if (err)
			return -EINVAL;
	}
	return 0;
}

/* DIR may be new, or an empty directory.  Return: 0 or -EINVAL. */
static int plan_dir_ok(const char *dir)
{
	struct dirent *e;
	int used = 0;
	DIR *d;

	d = opendir(dir);
	if (!d && errno == ENOENT)
		return 0;
	if (!d) {
		log_errno(-errno, "--plan %s", dir);
		return -EINVAL;
	}
	while (!used && (e = readdir(d)))
		used = strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	closedir(d);
	if (used) {
		log_err("--plan %s: the directory is not empty", dir);
		return -EINVAL;
	}
	return 0;
}

/* Write @text to DIR/REL.  Return: 0 or -errno (message printed). */
static int plan_put(const char *dir, const char *rel, const char *text)
{
	char path[PATH_MAX];
	FILE *f;
	int err;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	f = fopen(path, "we");
	if (f) {
		int bad = fputs(text, f) < 0;

		if (!fclose(f) && !bad)
			return 0;
	}
	err = errno ? -errno : -EIO;
	log_errno(err, "cannot write %s", path);
	return err;
}

/* The jobs: one "natlab run" per line, run from the plan's directory. */
static char *plan_jobs(const struct matrix_sweep *s)
{
	size_t len = (size_t)s->ncells * (3 * TOPO_LAB_MAX + 96) + 1, off = 0;
	char *out = xcalloc(1, len);
	int i;

	for (i = 0; i < s->ncells; i++) {
		const char *n = s->cells[i].name;

		off += (size_t)snprintf(out + off, len - off,
					"natlab run --json results/%s.json "
					"--exit-status results/%s.status "
					"cells/%s.topo\n",
					n, n, n);
	}
	return out;
}

/* A cell of the manifest: its name, files and values. */
static void plan_json_cell(FILE *f, const struct matrix_opts *o,
			   const struct matrix_cell *c)
{
	int a;

	fprintf(f,
		"\n    {\"name\": \"%s\", \"topology\": \"cells/%s.topo\", "
		"\"result\": \"results/%s.json\", "
		"\"exit_status\": \"results/%s.status\", \"values\": {",
		c->name, c->name, c->name, c->name);
	for (a = 0; a < o->naxes; a++) {
		fprintf(f, "%s", a ? ", " : "");
		report_json_string(f, o->axes[a].key);
		fprintf(f, ": ");
		report_json_string(f, o->axes[a].values[c->values[a]]);
	}
	fprintf(f, "}}");
}

/* plan.json: what --collect needs to make the table again. */
static void plan_manifest(FILE *f, const char *path,
			  const struct matrix_opts *o,
			  const struct matrix_sweep *s)
{
	int a, k;

	fprintf(f, "{\n  \"schema\": \"%s\",\n  \"topology\": ", PLAN_SCHEMA);
	report_json_string(f, path);
	fprintf(f, ",\n  \"base\": \"base.topo\",\n  \"lab\": ");
	report_json_string(f, s->base.name);
	fprintf(f, ",\n  \"metrics\": [");
	for (k = 0; k < s->ncols; k++) {
		fprintf(f, "%s", k ? ", " : "");
		report_json_string(f, s->cols[k]);
	}
	fprintf(f, "],\n  \"axes\": [");
	for (a = 0; a < o->naxes; a++) {
		fprintf(f, "%s\n    {\"key\": ", a ? "," : "");
		report_json_string(f, o->axes[a].key);
		fprintf(f, ", \"values\": [");
		for (k = 0; k < o->axes[a].nvalues; k++) {
			fprintf(f, "%s", k ? ", " : "");
			report_json_string(f, o->axes[a].values[k]);
		}
		fprintf(f, "]}");
	}
	fprintf(f, "\n  ],\n  \"cells\": [");
	for (k = 0; k < s->ncells; k++) {
		fprintf(f, "%s", k ? "," : "");
		plan_json_cell(f, o, &s->cells[k]);
	}
	fprintf(f, "\n  ]\n}\n");
}

/* Everything of the plan, into the directory @tmp. */
static int plan_write(const char *tmp, const char *path, const char *text,
		      const struct matrix_opts *o, const struct matrix_sweep *s)
{
	char rel[PATH_MAX + 16], *jobs, *manifest = NULL;
	size_t mlen = 0;
	FILE *f;
	int i, err;

	snprintf(rel, sizeof(rel), "%s/cells", tmp);
	err = mkdir(rel, 0777) ? -errno : 0;
	snprintf(rel, sizeof(rel), "%s/results", tmp);
	if (!err)
		err = mkdir(rel, 0777) ? -errno : 0;
	if (err) {
		log_errno(err, "cannot make %s", rel);
		return err;
	}
	err = plan_put(tmp, "base.topo", text);
	for (i = 0; !err && i < s->ncells; i++) {
		snprintf(rel, sizeof(rel), "cells/%s.topo", s->cells[i].name);
		err = plan_put(tmp, rel, s->cells[i].text);
	}
	jobs = plan_jobs(s);
	if (!err)
		err = plan_put(tmp, "jobs", jobs);
	free(jobs);
	f = open_memstream(&manifest, &mlen);
	if (!f)
		return -ENOMEM;
	plan_manifest(f, path, o, s);
	fclose(f);
	if (!err)
		err = plan_put(tmp, "plan.json", manifest);
	free(manifest);
	return err;
}

static int plan_rm(const char *p, const struct stat *st, int flag,
		   struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(p) ? -1 : 0;
}

/* Write the plan under a temporary name beside DIR, then rename it into
 * place (over an empty DIR); nothing is left if any step fails. */
static int plan_commit(const char *dir, const char *path, const char *text,
		       const struct matrix_opts *o,
		       const struct matrix_sweep *s)
{
	char tmp[PATH_MAX];
	mode_t mask = umask(0);
	int err;

	umask(mask);
	snprintf(tmp, sizeof(tmp), "%s.tmpXXXXXX", dir);
	if (!mkdtemp(tmp)) {
		err = -errno;
		log_errno(err, "--plan %s: cannot make %s", dir, tmp);
		return -EINVAL;
	}
	chmod(tmp, 0777 & ~mask);
	err = plan_write(tmp, path, text, o, s);
	if (!err && rename(tmp, dir)) {
		err = -errno;
		log_errno(err, "--plan %s: cannot rename %s to it", dir, tmp);
	}
	if (err)
		nftw(tmp, plan_rm, 16, FTW_DEPTH | FTW_PHYS);
	return err;
}

int matrix_plan(const char *path, const char *text, size_t len,
		const char *name, struct matrix_opts *o, const char *dir)
{
	char d[PATH_MAX], *copy = xcalloc(1, len + 1);
	struct matrix_sweep s;
	size_t n;
	int err;

	memcpy(copy, text, len);
	snprintf(d, sizeof(d), "%s", dir);
	for (n = strlen(d); n > 1 && d[n - 1] == '/'; n--)
		d[n - 1] = '\0';
	err = matrix_prepare(path, copy, len, name, o, &s);
	if (!err)
		err = plan_name_cells(&s);
	if (!err)
		err = plan_dir_ok(d);
	if (!err)
		err = plan_commit(d, path, copy, o, &s);
	if (!err)
		printf("plan %s: %d cells; run the lines of %s/jobs from "
		       "%s, then natlab matrix --collect %s\n",
		       d, s.ncells, d, d, d);
	matrix_sweep_free(&s);
	free(copy);
	return err;
}

/* ---- --collect ---- */

/* A manifest's fault: said once, with the file's name. */
static int collect_bad(const char *file, const char *what)
{
	log_err("%s: %s", file, what);
	return -EINVAL;
}

/* The axes of the manifest, into o->axes. */
static int collect_axes(const char *file, const struct json *axes,
			struct matrix_opts *o)
{
	int a, k;

	if (!axes || axes->type != JSON_ARR || !axes->n ||
	    axes->n > MATRIX_AXES_MAX)
		return collect_bad(file, "\"axes\": expected 1 to 8 axes");
	for (a = 0; a < axes->n; a++) {
		const struct json *ax = &axes->kids[a];
		const struct json *v = json_get(ax, "values");
		const char *key = json_get_str(ax, "key");

		if (!key || !v || v->type != JSON_ARR || !v->n ||
		    v->n > MATRIX_VALUES_MAX)
			return collect_bad(file, "\"axes\": expected "
						 "{\"key\": K, \"values\": "
						 "[1 to 16 strings]}");
		o->axes[a].key = xstrdup(key);
		o->naxes++;
		for (k = 0; k < v->n; k++) {
			if (v->kids[k].type != JSON_STR)
				return collect_bad(file, "\"axes\": a value "
							 "is not a string");
			o->axes[a].values[k] = xstrdup(v->kids[k].str);
			o->axes[a].nvalues++;
		}
	}
	return 0;
}

/* The metric columns, into o->metrics as --metric would give them. */
static int collect_metrics(const char *file, const struct json *m,
			   struct matrix_opts *o)
{
	size_t len = 1;
	int k;

	if (!m || m->type != JSON_ARR || !m->n)
		return collect_bad(file, "\"metrics\": expected a list of "
					 "metric names");
	for (k = 0; k < m->n; k++) {
		if (m->kids[k].type != JSON_STR || !*m->kids[k].str ||
		    strchr(m->kids[k].str, ','))
			return collect_bad(file, "\"metrics\": a name is not "
						 "a metric's");
		len += strlen(m->kids[k].str) + 1;
	}
	free(o->metrics);
	o->metrics = xcalloc(1, len);
	for (k = 0; k < m->n; k++) {
		if (k)
			strcat(o->metrics, ",");
		strcat(o->metrics, m->kids[k].str);
	}
	return 0;
}

/* One cell of the manifest: its lab name and, for every axis, which of
 * the axis' values it has. */
static int collect_cell_entry(const char *file, const struct json *e,
			      const struct matrix_opts *o,
			      struct matrix_cell *c)
{
	const struct json *vals = json_get(e, "values");
	const char *name = json_get_str(e, "name");
	int a, k;

	if (!name || !topo_valid_lab_name(name) || !vals)
		return collect_bad(file, "\"cells\": each needs a lab "
					 "\"name\" and \"values\"");
	snprintf(c->name, sizeof(c->name), "%s", name);
	c->status = -1;
	for (a = 0; a < o->naxes; a++) {
		const char *v = json_get_str(vals, o->axes[a].key);

		for (k = 0; v && k < o->axes[a].nvalues; k++)
			if (!strcmp(v, o->axes[a].values[k]))
				break;
		if (!v || k == o->axes[a].nvalues) {
			log_err("%s: cell %s: no value of axis %s, or one "
				"the axis does not have",
				file, name, o->axes[a].key);
			return -EINVAL;
		}
		c->values[a] = k;
	}
	return 0;
}

/* The manifest DIR/plan.json: the axes and columns into @o, the cells
 * into @s.  Return: 0 or -EINVAL (message printed). */
static int collect_manifest(const char *dir, struct matrix_opts *o,
			    struct matrix_sweep *s)
{
	const struct json *cells;
	char file[PATH_MAX], why[96];
	struct json j = {0};
	const char *schema;
	size_t len;
	char *text;
	int err, i;

	snprintf(file, sizeof(file), "%s/plan.json", dir);
	err = util_read_whole(file, &text, &len);
	if (err) {
		log_errno(err, "--collect %s: cannot read %s", dir, file);
		return -EINVAL;
	}
	err = json_parse(text, len, &j, why, sizeof(why));
	free(text);
	if (err)
		return collect_bad(file, why);
	schema = json_get_str(&j, "schema");
	err = !schema || strcmp(schema, PLAN_SCHEMA)
		      ? collect_bad(file, "not a plan (schema " PLAN_SCHEMA ")")
		      : collect_axes(file, json_get(&j, "axes"), o);
	if (!err)
		err = collect_metrics(file, json_get(&j, "metrics"), o);
	cells = json_get(&j, "cells");
	if (!err && (!cells || cells->type != JSON_ARR || !cells->n))
		err = collect_bad(file, "\"cells\": expected a list of cells");
	if (!err) {
		s->cells = xcalloc(cells->n, sizeof(*s->cells));
		s->ncells = cells->n;
	}
	for (i = 0; !err && i < s->ncells; i++)
		err = collect_cell_entry(file, &cells->kids[i], o,
					 &s->cells[i]);
	json_free(&j);
	return err;
}

/* What a cell's results/NAME.status says (--exit-status). */
enum {
	STATUS_NONE = -2,    /* no file: the run never started here */
	STATUS_UNENDED = -3, /* empty: started, not ended (killed, or still
			      * running) */
	STATUS_BAD = -4,     /* something else */
};

static int collect_status(const char *dir, const char *name)
{
	char path[PATH_MAX], *text, *end;
	size_t len;
	long v;
	int err;

	snprintf(path, sizeof(path), "%s/results/%s.status", dir, name);
	err = util_read_whole(path, &text, &len);
	if (err)
		return err == -ENOENT ? STATUS_NONE : STATUS_BAD;
	v = strtol(text, &end, 10);
	err = !len				  ? STATUS_UNENDED
	      : end == text || v < 0 || v > 255	  ? STATUS_BAD
	      : strspn(end, " \n") != strlen(end) ? STATUS_BAD
						  : (int)v;
	free(text);
	return err;
}

/* Set metric @full ("srv.syn_in") of @m. */
static void collect_set(struct metrics *m, const char *full, double v, int ms)
{
	char node[64];
	const char *dot = strchr(full, '.');

	if (!dot || (size_t)(dot - full) >= sizeof(node))
		return;
	snprintf(node, sizeof(node), "%.*s", (int)(dot - full), full);
	metrics_set(m, node, dot + 1, v, ms);
}

/* A run's report (natlab-run/1) into cell @c: its metrics, which are
 * durations, and its status from the verdicts of its expectations.
 * Return: 0, or -EINVAL with what is wrong in @why. */
static int collect_report(const struct json *r, struct matrix_cell *c,
			  char *why, size_t len)
{
	const struct json *m = json_get(r, "metrics");
	const struct json *ms = json_get(r, "durations_ms");
	const struct json *ex = json_get(r, "expect");
	const char *schema = json_get_str(r, "schema");
	const char *lab = json_get_str(r, "lab");
	int k;

	if (!schema || strcmp(schema, REPORT_SCHEMA) || !m ||
	    m->type != JSON_OBJ) {
		snprintf(why, len, "not a natlab run report (%s)",
			 REPORT_SCHEMA);
		return -EINVAL;
	}
	if (!lab || strcmp(lab, c->name)) {
		snprintf(why, len, "the report of lab %s, not of this cell",
			 lab ? lab : "(none)");
		return -EINVAL;
	}
	for (k = 0; k < m->n; k++)
		collect_set(&c->m, m->kids[k].key,
			    m->kids[k].type == JSON_NUM ? m->kids[k].num : NAN,
			    0);
	for (k = 0; ms && k < ms->n; k++) {
		const struct metric *d =
			ms->kids[k].type == JSON_STR
				? metrics_get(&c->m, ms->kids[k].str)
				: NULL;

		if (d)
			collect_set(&c->m, d->name, d->value, 1);
	}
	c->status = 0;
	for (k = 0; ex && k < ex->n; k++) {
		const struct json *pass = json_get(&ex->kids[k], "pass");

		if (!pass || pass->type != JSON_BOOL || !pass->boolean)
			c->status = 1;
	}
	return 0;
}

/* Read a cell's report into @c: its state, status and metrics; *why
 * says what is wrong if it is missing or failed. */
static void collect_read(const char *dir, struct matrix_cell *c, char *why,
			 size_t len)
{
	int st = collect_status(dir, c->name), err;
	char path[PATH_MAX], jwhy[96], *text = NULL;
	struct json r = {0};
	size_t n;

	snprintf(path, sizeof(path), "%s/results/%s.json", dir, c->name);
	err = util_read_whole(path, &text, &n);
	c->state = MATRIX_FAILED;
	if (st > 1)
		snprintf(why, len, "its run exited %d", st);
	else if (st == STATUS_UNENDED)
		snprintf(why, len,
			 "its run started and did not end "
			 "(killed, or still running)");
	else if (st == STATUS_BAD)
		snprintf(why, len, "results/%s.status is no exit status",
			 c->name);
	else if (err == -ENOENT && st == STATUS_NONE)
		c->state = MATRIX_MISSING;
	else if (err)
		snprintf(why, len, "results/%s.json: %s", c->name,
			 strerror(-err));
	else if (json_parse(text, n, &r, jwhy, sizeof(jwhy)))
		snprintf(why, len, "results/%s.json is not valid JSON (%s)",
			 c->name, jwhy);
	else if (!collect_report(&r, c, jwhy, sizeof(jwhy)))
		c->state = MATRIX_RAN;
	else
		snprintf(why, len, "results/%s.json: %s", c->name, jwhy);
	if (c->state == MATRIX_MISSING)
		snprintf(why, len, "no results/%s.json", c->name);
	if (st >= 0)
		c->status = st; /* the exit status the run recorded */
	if (c->state != MATRIX_RAN)
		metrics_free(&c->m);
	json_free(&r);
	free(text);
}

int matrix_collect(const char *dir, struct matrix_opts *o)
{
	struct matrix_sweep s = {0};
	FILE *json = NULL, *csv = NULL, *svg = NULL;
	int err, i, failed = 0, broken = 0;
	char why[PATH_MAX + 128];

	err = collect_manifest(dir, o, &s);
	if (!err) {
		s.cols = matrix_columns(o, &s.base, &s.ncols);
		err = matrix_open_files(o, &json, &csv, &svg);
	}
	for (i = 0; !err && i < s.ncells; i++) {
		struct matrix_cell *c = &s.cells[i];

		collect_read(dir, c, why, sizeof(why));
		if (c->state != MATRIX_RAN)
			log_err("matrix cell %s: %s: %s", c->name,
				c->state == MATRIX_MISSING ? "missing"
							   : "failed",
				why);
		broken += c->state != MATRIX_RAN;
		failed += c->state == MATRIX_RAN && c->status == 1;
	}
	if (!err) {
		err = broken ? -EIO : failed ? 1 : 0;
		if (matrix_report(o, &s, json, csv, svg))
			err = -EIO;
	}
	matrix_sweep_free(&s);
	return err;
}
