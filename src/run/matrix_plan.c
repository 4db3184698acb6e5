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

#include "lib/jsondoc.h"
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
static json_t *plan_json_cell(const struct matrix_opts *o,
			      const struct matrix_cell *c, int *err)
{
	json_t *cell = json_object(), *values = json_object();
	char rel[TOPO_LAB_MAX + 32];
	int a;

	jsondoc_set(cell, "name", jsondoc_str(c->name), err);
	snprintf(rel, sizeof(rel), "cells/%s.topo", c->name);
	jsondoc_set(cell, "topology", jsondoc_str(rel), err);
	snprintf(rel, sizeof(rel), "results/%s.json", c->name);
	jsondoc_set(cell, "result", jsondoc_str(rel), err);
	snprintf(rel, sizeof(rel), "results/%s.status", c->name);
	jsondoc_set(cell, "exit_status", jsondoc_str(rel), err);
	for (a = 0; a < o->naxes; a++)
		jsondoc_set(values, o->axes[a].key,
			    jsondoc_str(o->axes[a].values[c->values[a]]), err);
	jsondoc_set(cell, "values", values, err);
	return cell;
}

/* plan.json (schema PLAN_SCHEMA, docs/schemas/): what --collect needs to
 * make the table again, into @f (a memory stream).  Return: 0, or
 * -ENOMEM. */
static int plan_manifest(FILE *f, const char *path, const struct matrix_opts *o,
			 const struct matrix_sweep *s)
{
	json_t *doc = json_object(), *metrics = json_array(),
	       *axes = json_array(), *cells = json_array();
	int a, k, err = 0;

	jsondoc_set(doc, "schema", json_string(PLAN_SCHEMA), &err);
	jsondoc_set(doc, "topology", jsondoc_str(path), &err);
	jsondoc_set(doc, "base", json_string("base.topo"), &err);
	jsondoc_set(doc, "lab", jsondoc_str(s->base.name), &err);
	for (k = 0; k < s->ncols; k++)
		jsondoc_append(metrics, jsondoc_str(s->cols[k]), &err);
	jsondoc_set(doc, "metrics", metrics, &err);
	for (a = 0; a < o->naxes; a++) {
		json_t *ax = json_object(), *values = json_array();

		jsondoc_set(ax, "key", jsondoc_str(o->axes[a].key), &err);
		for (k = 0; k < o->axes[a].nvalues; k++)
			jsondoc_append(values,
				       jsondoc_str(o->axes[a].values[k]), &err);
		jsondoc_set(ax, "values", values, &err);
		jsondoc_append(axes, ax, &err);
	}
	jsondoc_set(doc, "axes", axes, &err);
	for (k = 0; k < s->ncells; k++)
		jsondoc_append(cells, plan_json_cell(o, &s->cells[k], &err),
			       &err);
	jsondoc_set(doc, "cells", cells, &err);
	if (!err && jsondoc_write(f, doc, JSON_INDENT(2)))
		err = -ENOMEM; /* @f is in memory */
	json_decref(doc);
	return err;
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
	if (plan_manifest(f, path, o, s) && !err) {
		log_err("--plan: cannot make the manifest (out of memory)");
		err = -ENOMEM;
	}
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
static int collect_axes(const char *file, const json_t *axes,
			struct matrix_opts *o)
{
	size_t a, k;

	if (!json_is_array(axes) || !json_array_size(axes) ||
	    json_array_size(axes) > MATRIX_AXES_MAX)
		return collect_bad(file, "\"axes\": expected 1 to 8 axes");
	for (a = 0; a < json_array_size(axes); a++) {
		const json_t *ax = json_array_get(axes, a);
		const json_t *v = json_object_get(ax, "values");
		const char *key = json_string_value(json_object_get(ax, "key"));

		if (!key || !json_is_array(v) || !json_array_size(v) ||
		    json_array_size(v) > MATRIX_VALUES_MAX)
			return collect_bad(file, "\"axes\": expected "
						 "{\"key\": K, \"values\": "
						 "[1 to 16 strings]}");
		o->axes[a].key = xstrdup(key);
		o->naxes++;
		for (k = 0; k < json_array_size(v); k++) {
			const char *val =
				json_string_value(json_array_get(v, k));

			if (!val)
				return collect_bad(file, "\"axes\": a value "
							 "is not a string");
			o->axes[a].values[k] = xstrdup(val);
			o->axes[a].nvalues++;
		}
	}
	return 0;
}

/* The metric columns, into o->metrics as --metric would give them. */
static int collect_metrics(const char *file, const json_t *m,
			   struct matrix_opts *o)
{
	size_t len = 1, k;

	if (!json_is_array(m) || !json_array_size(m))
		return collect_bad(file, "\"metrics\": expected a list of "
					 "metric names");
	for (k = 0; k < json_array_size(m); k++) {
		const char *name = json_string_value(json_array_get(m, k));

		if (!name || !*name || strchr(name, ','))
			return collect_bad(file, "\"metrics\": a name is not "
						 "a metric's");
		len += strlen(name) + 1;
	}
	free(o->metrics);
	o->metrics = xcalloc(1, len);
	for (k = 0; k < json_array_size(m); k++) {
		if (k)
			strcat(o->metrics, ",");
		strcat(o->metrics, json_string_value(json_array_get(m, k)));
	}
	return 0;
}

/* One cell of the manifest: its lab name and, for every axis, which of
 * the axis' values it has. */
static int collect_cell_entry(const char *file, const json_t *e,
			      const struct matrix_opts *o,
			      struct matrix_cell *c)
{
	const json_t *vals = json_object_get(e, "values");
	const char *name = json_string_value(json_object_get(e, "name"));
	int a, k;

	if (!name || !topo_valid_lab_name(name) || !vals)
		return collect_bad(file, "\"cells\": each needs a lab "
					 "\"name\" and \"values\"");
	snprintf(c->name, sizeof(c->name), "%s", name);
	c->status = -1;
	for (a = 0; a < o->naxes; a++) {
		const char *v = json_string_value(
			json_object_get(vals, o->axes[a].key));

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

/* Parse @len bytes of @text as one JSON document; what is wrong, if
 * anything, into @why.  Return: the document (json_decref()), or NULL. */
static json_t *collect_parse(const char *text, size_t len, char *why,
			     size_t wlen)
{
	json_error_t e;
	json_t *j = json_loadb(text, len, JSON_REJECT_DUPLICATES, &e);

	if (!j)
		snprintf(why, wlen, "%s at line %d, column %d", e.text, e.line,
			 e.column);
	return j;
}

/* The manifest DIR/plan.json: the axes and columns into @o, the cells
 * into @s.  Return: 0 or -EINVAL (message printed). */
static int collect_manifest(const char *dir, struct matrix_opts *o,
			    struct matrix_sweep *s)
{
	char file[PATH_MAX], why[JSON_ERROR_TEXT_LENGTH + 48];
	const json_t *cells;
	const char *schema;
	json_t *j;
	size_t len;
	char *text;
	int err, i;

	snprintf(file, sizeof(file), "%s/plan.json", dir);
	err = util_read_whole(file, &text, &len);
	if (err) {
		log_errno(err, "--collect %s: cannot read %s", dir, file);
		return -EINVAL;
	}
	j = collect_parse(text, len, why, sizeof(why));
	free(text);
	if (!j)
		return collect_bad(file, why);
	schema = json_string_value(json_object_get(j, "schema"));
	err = !schema || strcmp(schema, PLAN_SCHEMA)
		      ? collect_bad(file, "not a plan (schema " PLAN_SCHEMA ")")
		      : collect_axes(file, json_object_get(j, "axes"), o);
	if (!err)
		err = collect_metrics(file, json_object_get(j, "metrics"), o);
	cells = json_object_get(j, "cells");
	if (!err && (!json_is_array(cells) || !json_array_size(cells)))
		err = collect_bad(file, "\"cells\": expected a list of cells");
	if (!err) {
		s->ncells = (int)json_array_size(cells);
		s->cells = xcalloc(s->ncells, sizeof(*s->cells));
	}
	for (i = 0; !err && i < s->ncells; i++)
		err = collect_cell_entry(file, json_array_get(cells, i), o,
					 &s->cells[i]);
	json_decref(j);
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

/* A run's report (REPORT_SCHEMA) into cell @c: its metrics, which are
 * durations, and its status from the verdicts of its expectations.
 * Return: 0, or -EINVAL with what is wrong in @why. */
static int collect_report(const json_t *r, struct matrix_cell *c, char *why,
			  size_t len)
{
	json_t *m = json_object_get(r, "metrics");
	const json_t *ms = json_object_get(r, "durations_ms");
	const json_t *ex = json_object_get(r, "expect");
	const char *schema = json_string_value(json_object_get(r, "schema"));
	const char *lab = json_string_value(json_object_get(r, "lab"));
	const json_t *v;
	void *it;
	size_t k;

	if (!schema || strcmp(schema, REPORT_SCHEMA) || !json_is_object(m)) {
		snprintf(why, len, "not a natlab run report (%s)",
			 REPORT_SCHEMA);
		return -EINVAL;
	}
	if (!lab || strcmp(lab, c->name)) {
		snprintf(why, len, "the report of lab %s, not of this cell",
			 lab ? lab : "(none)");
		return -EINVAL;
	}
	/* jansson keeps an object's members in the order of the text */
	for (it = json_object_iter(m); it; it = json_object_iter_next(m, it)) {
		v = json_object_iter_value(it);
		collect_set(&c->m, json_object_iter_key(it),
			    json_is_number(v) ? json_number_value(v) : NAN, 0);
	}
	for (k = 0; k < json_array_size(ms); k++) {
		const char *name = json_string_value(json_array_get(ms, k));
		const struct metric *d = name ? metrics_get(&c->m, name) : NULL;

		if (d)
			collect_set(&c->m, d->name, d->value, 1);
	}
	c->status = 0;
	for (k = 0; k < json_array_size(ex); k++) {
		v = json_object_get(json_array_get(ex, k), "pass");
		if (!json_is_true(v))
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
	char path[PATH_MAX], jwhy[JSON_ERROR_TEXT_LENGTH + 48], *text = NULL;
	json_t *r = NULL;
	size_t n;

	snprintf(path, sizeof(path), "%s/results/%s.json", dir, c->name);
	err = util_read_whole(path, &text, &n);
	if (!err)
		r = collect_parse(text, n, jwhy, sizeof(jwhy));
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
	else if (!r)
		snprintf(why, len, "results/%s.json is not valid JSON (%s)",
			 c->name, jwhy);
	else if (!collect_report(r, c, jwhy, sizeof(jwhy)))
		c->state = MATRIX_RAN;
	else
		snprintf(why, len, "results/%s.json: %s", c->name, jwhy);
	if (c->state == MATRIX_MISSING)
		snprintf(why, len, "no results/%s.json", c->name);
	if (st >= 0)
		c->status = st; /* the exit status the run recorded */
	if (c->state != MATRIX_RAN)
		metrics_free(&c->m);
	json_decref(r);
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
