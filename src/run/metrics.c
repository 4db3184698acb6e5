/* metrics.c - a run's named values, their file, percentiles, and the
 * verdicts of the [expect] lines on them. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/util.h"
#include "run/metrics.h"

/*
 * A run has a few dozen metrics of its own and 18 per client: 180,000
 * for a lab of 10,000 clients, each set once or a few times and read by
 * every report.  They are kept in an array, in the order in which they
 * were set (the order of the JSON report, of the metrics file and of a
 * matrix cell's metrics), and found by name through an open-addressing
 * index of the array's positions, kept at most half full.
 *
 * The metrics file carries a matrix cell's metrics from its run (a child
 * process) to the matrix (the parent), one "name value ms" line each.
 */

static const char *metric_name(const void *arr, uint32_t i)
{
	return ((const struct metric *)arr)[i].name;
}

void metrics_set(struct metrics *m, const char *node, const char *name,
		 double value, int ms)
{
	char full[64];
	uint32_t h;

	snprintf(full, sizeof(full), "%s.%s", node, name);
	if (m->n == m->cap) {
		m->cap = m->cap ? m->cap * 2 : 64;
		m->v = xrealloc(m->v, m->cap, sizeof(*m->v));
		nameidx_build(&m->idx, (uint32_t)m->n, (uint32_t)m->cap,
			      metric_name, m->v);
	}
	h = nameidx_slot(&m->idx, full, metric_name, m->v);
	if (!m->idx.slot[h]) {
		snprintf(m->v[m->n].name, sizeof(m->v[0].name), "%s", full);
		m->idx.slot[h] = (uint32_t)++m->n;
	}
	m->v[m->idx.slot[h] - 1].value = value;
	m->v[m->idx.slot[h] - 1].ms = ms;
}

const struct metric *metrics_get(const struct metrics *m, const char *full)
{
	uint32_t h;

	if (!m->idx.cap)
		return NULL;
	h = nameidx_slot(&m->idx, full, metric_name, m->v);
	return m->idx.slot[h] ? &m->v[m->idx.slot[h] - 1] : NULL;
}

void metrics_free(struct metrics *m)
{
	free(m->v);
	nameidx_free(&m->idx);
	memset(m, 0, sizeof(*m));
}

int metrics_save(const struct metrics *m, const char *path)
{
	FILE *f = fopen(path, "we");
	int i;

	if (!f)
		return -errno;
	for (i = 0; i < m->n; i++)
		fprintf(f, "%s %.17g %d\n", m->v[i].name, m->v[i].value,
			m->v[i].ms);
	return fclose(f) ? -EIO : 0;
}

int metrics_load(struct metrics *m, const char *path)
{
	char line[256], name[64];
	double v;
	int ms;
	FILE *f = fopen(path, "re");

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		char *dot;

		if (sscanf(line, "%63s %lf %d", name, &v, &ms) != 3)
			continue;
		dot = strchr(name, '.');
		if (!dot)
			continue;
		*dot = '\0';
		metrics_set(m, name, dot + 1, v, ms);
	}
	fclose(f);
	return 0;
}

static int u32_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* Nearest rank: where the smallest value with at least p% at or below
 * it stands among n sorted values.  The rank is p * n / 100, not
 * p / 100 * n, which is not exact (7 / 100 * 100 is 7.000000000000001,
 * whose ceiling would be the 8th value). */
static uint32_t pct_index(uint32_t n, double p)
{
	double rank = ceil(p * n / 100.0);
	uint32_t k = rank < 1 ? 0 : (uint32_t)rank - 1;

	return k < n ? k : n - 1;
}

double metrics_percentile(const double *sorted, uint32_t n, double p)
{
	return n ? sorted[pct_index(n, p)] : 0;
}

double metrics_percentile_us(uint32_t *v, uint32_t n, double p)
{
	if (!n)
		return 0;
	qsort(v, n, sizeof(*v), u32_cmp);
	return v[pct_index(n, p)] / 1000.0;
}

int metrics_compare(double value, enum topo_cmp op, double ref)
{
	switch (op) {
	case TOPO_EQ:
		return value == ref;
	case TOPO_NE:
		return value != ref;
	case TOPO_LT:
		return value < ref;
	case TOPO_LE:
		return value <= ref;
	case TOPO_GT:
		return value > ref;
	case TOPO_GE:
		return value >= ref;
	}
	return 0;
}

int metrics_expect(const struct topo *t, const struct metrics *m,
		   struct expect_result *out)
{
	int i, failed = 0;

	for (i = 0; i < t->nexpects; i++) {
		const struct topo_expect *e = &t->expects[i];
		const struct metric *mt = metrics_get(m, e->metric);

		out[i].e = e;
		out[i].found = mt != NULL;
		out[i].value = mt ? mt->value : 0;
		out[i].pass = mt && metrics_compare(mt->value, e->op, e->value);
		failed += !out[i].pass;
	}
	return failed;
}
