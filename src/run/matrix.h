/* matrix.h - natlab matrix: one run per combination of axis values. */
#ifndef NATLAB_MATRIX_H
#define NATLAB_MATRIX_H

#include <stddef.h>

#define MATRIX_AXES_MAX	  8
#define MATRIX_VALUES_MAX 16

struct matrix_axis {
	char *key; /* "srv.sysctl.net.ipv4.tcp_timestamps" */
	char *values[MATRIX_VALUES_MAX];
	int nvalues;
};

struct matrix_opts {
	struct matrix_axis axes[MATRIX_AXES_MAX];
	int naxes;
	char *metrics; /* comma-separated, NULL: the default set */
	const char *json, *csv, *svg;
	int jobs; /* cells at once, 0: one per CPU */
};

/**
 * matrix_parse_axis() - parse "KEY=V1,V2,..." into an axis
 * Return: 0 or -EINVAL (message printed).  Either way what was parsed is
 * in @a, for matrix_opts_free().
 */
int matrix_parse_axis(const char *arg, struct matrix_axis *a);

/**
 * matrix_main() - run every combination and print one table (and the
 * --json, --csv and --svg files)
 * @path: the topology file's name, for messages
 * @text: its text, @len bytes
 * @name: the lab name given with -n, or NULL; cell i runs as lab
 *        "<name>-<i+1>"
 * @o: the options; o->metrics is cut into words, or set to the default
 *     columns if NULL (matrix_opts_free() frees it either way)
 * Return: 0; 1 if any cell's expectations failed; -EINVAL for a bad
 * topology, axis or output file (nothing run); -EIO if a cell's run did
 * not finish; -EINTR if interrupted.
 */
int matrix_main(const char *path, const char *text, size_t len,
		const char *name, struct matrix_opts *o);

/**
 * matrix_plan() - check every cell as matrix_main() does, then write
 * them into @dir for runners elsewhere: plan.json (the manifest),
 * base.topo, cells/<lab>.topo, an empty results/, and jobs (one "natlab
 * run" per cell, paths relative to @dir)
 * @dir: made, or an empty directory; the plan is written beside it and
 *       renamed into place, so nothing is left if anything fails
 * Other parameters as matrix_main(); o->json, o->csv, o->svg, o->jobs
 * unused.
 * Return: 0; -EINVAL for a bad topology, axis, or @dir that exists and
 * is not an empty directory (nothing written); -errno if a file could
 * not be written (nothing left).
 */
int matrix_plan(const char *path, const char *text, size_t len,
		const char *name, struct matrix_opts *o, const char *dir);

/**
 * matrix_collect() - the table, CSV and JSON of a plan, from the
 * reports its runs left in @dir/results, as matrix_main() prints them
 * @o: empty; the manifest's axes and metrics are put in it (free it
 *     with matrix_opts_free()), and o->json, o->csv and o->svg say where
 *     to write
 *
 * A cell with no report is missing; one whose run recorded an exit
 * status other than 0 or 1, whose report is not valid JSON, or is not
 * the report of the cell's lab, failed; each is named on stderr and in
 * the JSON, and its row shows "-" for its metrics.
 * Return: 0; 1 if a cell's expectations failed; -EIO if a cell is
 * missing or failed (the rows are printed all the same) or the JSON
 * could not be written; -EINVAL for a bad manifest or output file
 * (nothing printed).
 */
int matrix_collect(const char *dir, struct matrix_opts *o);

/* matrix_opts_free() - free the axes' keys and values and o->metrics. */
void matrix_opts_free(struct matrix_opts *o);

#endif
