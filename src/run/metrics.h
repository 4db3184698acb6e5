/* metrics.h - a run's named values, their file, percentiles, and the
 * verdicts of the [expect] lines on them. */
#ifndef NATLAB_METRICS_H
#define NATLAB_METRICS_H

#include <stdint.h>

#include "lib/nameidx.h"
#include "topo/topo.h"

/* One named value: "c1.attempts", "clients.failed", "srv.syn_in". */
struct metric {
	char name[64]; /* "<node>.<name>", cut short at 63 characters */
	double value;
	int ms; /* a duration, in milliseconds */
};

/* The values of a run, in the order they were first set: that order is
 * the order of the JSON report and of the metrics file.  A zeroed struct
 * is an empty set. */
struct metrics {
	struct metric *v;
	int n, cap;
	struct nameidx idx; /* v by name */
};

/**
 * metrics_set() - set the metric "<node>.<name>", or replace its value
 * @ms: 1 if @value is a duration in milliseconds
 *
 * A new metric goes after the others; a replaced one keeps its place.
 * Allocation cannot fail (it aborts, util.h).
 */
void metrics_set(struct metrics *m, const char *node, const char *name,
		 double value, int ms);

/**
 * metrics_get() - the metric named @full ("c1.attempts"), whole names only
 * Return: the metric, valid until the next metrics_set() or
 * metrics_free(); NULL if there is none.
 */
const struct metric *metrics_get(const struct metrics *m, const char *full);

/* metrics_free() - free the values; @m is then an empty set again. */
void metrics_free(struct metrics *m);

/**
 * metrics_save() - write every metric to @path as "name value ms" lines,
 * in order, the value with 17 significant digits so that reading it back
 * gives the same double
 * Return: 0, or -errno if the file cannot be created or written.
 */
int metrics_save(const struct metrics *m, const char *path);

/**
 * metrics_load() - add the metrics of a file metrics_save() wrote to @m;
 * lines that are not "node.name value ms" are skipped
 * Return: 0, or -errno if the file cannot be opened (@m unchanged).
 */
int metrics_load(struct metrics *m, const char *path);

/**
 * metrics_percentile() - the p-th percentile (0..100) of @n values by the
 * nearest-rank method, as metrics_percentile_us(), for values already
 * sorted in ascending order
 * Return: the value; 0 for n == 0.
 */
double metrics_percentile(const double *sorted, uint32_t n, double p);

/**
 * metrics_percentile_us() - the p-th percentile (0..100) of @n durations
 * in microseconds, by the nearest-rank method (the smallest value with at
 * least p% of the values at or below it), in milliseconds
 * @v: the durations, 4 bytes each where a run keeps one per connection;
 *     sorted in place
 * Return: the percentile in ms; 0 for n == 0.
 */
double metrics_percentile_us(uint32_t *v, uint32_t n, double p);

/* Outcome of one [expect] line. */
struct expect_result {
	const struct topo_expect *e;
	int found; /* the run produced the metric */
	double value;
	int pass; /* found, and the comparison holds */
};

/* metrics_compare() - does VALUE OP REF hold?  Exact for integers. */
int metrics_compare(double value, enum topo_cmp op, double ref);

/**
 * metrics_expect() - evaluate every expectation of @t against @m
 * @out: t->nexpects results, in the topology's order
 *
 * A metric the run did not produce fails, whatever the operator.
 * Return: the number that failed.
 */
int metrics_expect(const struct topo *t, const struct metrics *m,
		   struct expect_result *out);

#endif
