/* matrix_report.c - a matrix's table, CSV and JSON, the same for a local
 * matrix and a plan collected from runs elsewhere. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "lib/jsondoc.h"
#include "lib/log.h"
#include "run/matrix_int.h"
#include "run/metrics.h"
#include "run/report.h"

/* How a cell's row ended, the table's last column. */
static const char *cell_result(const struct matrix_cell *c)
{
	switch (c->state) {
	case MATRIX_MISSING:
		return "missing";
	case MATRIX_FAILED:
		return "failed";
	case MATRIX_RAN:
		break;
	}
	return c->status == 0	? "ok"
	       : c->status == 1 ? "expect-failed"
				: "error";
}

/* A cell whose run did not finish, locally or elsewhere. */
static int cell_failed(const struct matrix_cell *c)
{
	return c->state == MATRIX_FAILED ||
	       (c->state == MATRIX_RAN && c->status > 1);
}

/* One field of a row: aligned for the terminal, bare for CSV. */
static void put_field(FILE *f, int csv, int first, int width, int left,
		      const char *text)
{
	if (csv)
		fprintf(f, "%s%s", first ? "" : ",", text);
	else if (left)
		fprintf(f, "%s%-*s", first ? "" : "  ", width, text);
	else
		fprintf(f, "%s%*s", first ? "" : "  ", width, text);
}

void matrix_value_text(double value, int ms, char *v, size_t len)
{
	if (ms)
		snprintf(v, len, "%.1fms", value);
	else
		snprintf(v, len, "%g", value);
}

void matrix_metric_text(const struct matrix_cell *c, const char *col, char *v,
			size_t len)
{
	const struct metric *m = metrics_get(&c->m, col);

	if (m)
		matrix_value_text(m->value, m->ms, v, len);
	else
		snprintf(v, len, "-");
}

/* The table: a row per cell, its axis values, the metric columns and
 * how its run ended; aligned (@csv 0) or as CSV (@csv 1). */
static void matrix_print(FILE *f, const struct matrix_opts *o,
			 const struct matrix_sweep *s, int csv)
{
	int i, a, k, w[MATRIX_AXES_MAX + 64], ncols = s->ncols;
	char v[32];

	if (ncols > 64)
		ncols = 64;
	for (a = 0; a < o->naxes; a++) {
		w[a] = (int)strlen(o->axes[a].key);
		for (k = 0; k < o->axes[a].nvalues; k++)
			if ((int)strlen(o->axes[a].values[k]) > w[a])
				w[a] = (int)strlen(o->axes[a].values[k]);
	}
	for (k = 0; k < ncols; k++)
		w[o->naxes + k] = (int)strlen(s->cols[k]) > 9
					  ? (int)strlen(s->cols[k])
					  : 9;
	for (a = 0; a < o->naxes; a++)
		put_field(f, csv, !a, w[a], 1, o->axes[a].key);
	for (k = 0; k < ncols; k++)
		put_field(f, csv, 0, w[o->naxes + k], 0, s->cols[k]);
	put_field(f, csv, 0, 0, 1, csv ? "status" : "result");
	fputc('\n', f);
	for (i = 0; i < s->ncells; i++) {
		const struct matrix_cell *c = &s->cells[i];

		for (a = 0; a < o->naxes; a++)
			put_field(f, csv, !a, w[a], 1,
				  o->axes[a].values[c->values[a]]);
		for (k = 0; k < ncols; k++) {
			matrix_metric_text(c, s->cols[k], v, sizeof(v));
			put_field(f, csv, 0, w[o->naxes + k], 0, v);
		}
		put_field(f, csv, 0, 0, 1, cell_result(c));
		fputc('\n', f);
	}
}

static int cell_missing(const struct matrix_cell *c)
{
	return c->state == MATRIX_MISSING;
}

/* "missing" or "failed": the names of the cells @pick chooses. */
static void json_names(json_t *doc, const char *key,
		       const struct matrix_sweep *s,
		       int (*pick)(const struct matrix_cell *c), int *err)
{
	json_t *names = json_array();
	int i;

	for (i = 0; i < s->ncells; i++)
		if (pick(&s->cells[i]))
			jsondoc_append(names, jsondoc_str(s->cells[i].name),
				       err);
	jsondoc_set(doc, key, names, err);
}

/* One cell of the JSON file: its name, values, exit status, result and
 * every metric. */
static json_t *json_cell(const struct matrix_opts *o,
			 const struct matrix_cell *c, int *err)
{
	json_t *cell = json_object(), *values = json_object(),
	       *m = json_object();
	int a, k;

	jsondoc_set(cell, "name", jsondoc_str(c->name), err);
	for (a = 0; a < o->naxes; a++)
		jsondoc_set(values, o->axes[a].key,
			    jsondoc_str(o->axes[a].values[c->values[a]]), err);
	jsondoc_set(cell, "values", values, err);
	jsondoc_set(cell, "status", json_integer(c->status), err);
	jsondoc_set(cell, "result", json_string(cell_result(c)), err);
	for (k = 0; k < c->m.n; k++)
		jsondoc_set(m, c->m.v[k].name, jsondoc_num(c->m.v[k].value),
			    err);
	jsondoc_set(cell, "metrics", m, err);
	return cell;
}

/* The JSON file (schema MATRIX_SCHEMA, docs/schemas/): the axes, the
 * cells, and the names of the missing and failed ones; numbers exact as
 * in a run's report.  Return: 0, or -EIO. */
static int matrix_json(FILE *f, const struct matrix_opts *o,
		       const struct matrix_sweep *s)
{
	json_t *doc = json_object(), *axes = json_array(),
	       *cells = json_array();
	int i, a, err = 0;

	jsondoc_set(doc, "schema", json_string(MATRIX_SCHEMA), &err);
	for (a = 0; a < o->naxes; a++)
		jsondoc_append(axes, jsondoc_str(o->axes[a].key), &err);
	jsondoc_set(doc, "axes", axes, &err);
	for (i = 0; i < s->ncells; i++)
		jsondoc_append(cells, json_cell(o, &s->cells[i], &err), &err);
	jsondoc_set(doc, "cells", cells, &err);
	json_names(doc, "missing", s, cell_missing, &err);
	json_names(doc, "failed", s, cell_failed, &err);
	if (err)
		log_err("the matrix's JSON: out of memory");
	else
		err = jsondoc_write(f, doc, JSON_INDENT(2) | JSONDOC_EXACT);
	json_decref(doc);
	return err ? -EIO : 0;
}

int matrix_report(const struct matrix_opts *o, const struct matrix_sweep *s,
		  FILE *json, FILE *csv, FILE *svg)
{
	int err = 0;

	if (svg && (matrix_svg(svg, o, s) | fclose(svg)))
		err = -EIO;

	matrix_print(stdout, o, s, 0);
	if (csv) {
		matrix_print(csv, o, s, 1);
		if (fclose(csv))
			err = -EIO;
	}
	if (json && (matrix_json(json, o, s) | fclose(json)))
		err = -EIO;
	return err;
}
