/* matrix_int.h - what the matrix's files share: a sweep's cells, made and
 * checked once (matrix.c), and the one table, CSV and JSON writer that a
 * local matrix and a collected plan (matrix_plan.c) both print with.
 * Only src/run includes it. */
#ifndef NATLAB_MATRIX_INT_H
#define NATLAB_MATRIX_INT_H

#include <limits.h>
#include <stdio.h>

#include "run/matrix.h"
#include "run/metrics.h"
#include "topo/topo.h"

/* The schema names of a matrix's JSON file and of a plan's manifest
 * (docs/schemas/). */
#define MATRIX_SCHEMA "natlab-matrix/1"
#define PLAN_SCHEMA   "natlab-plan/1"

/* How a cell's row came to be. */
enum matrix_state {
	MATRIX_RAN,	/* status is its run's exit status (-1 before) */
	MATRIX_MISSING, /* collected: no result file */
	MATRIX_FAILED,	/* collected: its run failed, or its file is bad */
};

struct matrix_cell {
	char name[TOPO_LAB_MAX + 1]; /* its lab: "<base>-<i+1>" */
	char *text;		     /* the topology with this cell's values */
	int values[MATRIX_AXES_MAX]; /* an index into each axis' values */
	int status; /* exit status of its run, -1 before or unknown */
	enum matrix_state state;
	char metrics_path[PATH_MAX];
	struct metrics m;
};

/* A sweep: the base topology, the table's columns, the cells. */
struct matrix_sweep {
	struct topo base; /* unused by a collected plan */
	char **cols;	  /* pointers into matrix_opts.metrics */
	int ncols;
	struct matrix_cell *cells;
	int ncells;
};

/**
 * matrix_prepare() - make and check every cell of a sweep, before
 * anything is built or written
 * @path, @text, @len, @name, @o: as matrix_main()
 *
 * Parses the base topology, checks its lab name (@name or its own) and
 * the axes against it, takes the columns (--metric, or the default set,
 * kept in o->metrics), writes each combination's values into the text
 * (cells in row-major order of the axes) and parses every cell.
 * Return: 0, or -EINVAL (message printed); @s for matrix_sweep_free()
 * either way.
 */
int matrix_prepare(const char *path, const char *text, size_t len,
		   const char *name, struct matrix_opts *o,
		   struct matrix_sweep *s);

/**
 * matrix_columns() - the table's metric columns from o->metrics (the
 * default set for @base if it is NULL), which is cut into words
 * Return: new array of pointers into o->metrics (free() it).
 */
char **matrix_columns(struct matrix_opts *o, const struct topo *base,
		      int *ncols);

/**
 * matrix_open_files() - open o->json, o->csv and o->svg for writing,
 * before any cell runs or is read; a message names the one that cannot
 * be
 * Return: 0, or -EINVAL (nothing left open or created).
 */
int matrix_open_files(const struct matrix_opts *o, FILE **json, FILE **csv,
		      FILE **svg);

/**
 * matrix_report() - the table on stdout, and the SVG, CSV and JSON
 * (schema MATRIX_SCHEMA) files if open, which it closes
 * Return: 0, or -EIO if a file had a write error.
 */
int matrix_report(const struct matrix_opts *o, const struct matrix_sweep *s,
		  FILE *json, FILE *csv, FILE *svg);

/**
 * matrix_svg() - the sweep as a picture (matrix_svg.c): each metric
 * column against the axes, a bar chart per metric for one axis, a heat
 * map per metric for two, small multiples of heat maps for more; every
 * cell a rect of class "cell" with data-cell, data-metric and
 * data-value (none for a cell without the metric) and a <title>, every
 * axis value a text of class "ax val" with data-axis
 * Return: 0, or -EIO if @f had a write error.
 */
int matrix_svg(FILE *f, const struct matrix_opts *o,
	       const struct matrix_sweep *s);

/* matrix_value_text() - a metric's value as the table prints it: "%g",
 * or for a duration (@ms) "%.1fms". */
void matrix_value_text(double value, int ms, char *v, size_t len);

/* matrix_metric_text() - cell @c's value of metric @col as the table
 * prints it, "-" if the cell has none. */
void matrix_metric_text(const struct matrix_cell *c, const char *col, char *v,
			size_t len);

/* matrix_cell_name() - cell @i's lab name, "<base>-<i+1>". */
void matrix_cell_name(const char *base, int i, char *buf, size_t len);

/* matrix_sweep_free() - free the cells, the columns and the base. */
void matrix_sweep_free(struct matrix_sweep *s);

#endif
