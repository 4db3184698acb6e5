/* report_clients.c - the clients' part of a run's terminal table: a row
 * per client, or, for many clients, a summary and the worst of them. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/util.h"
#include "run/report.h"

/*
 * Theory of operation.  A lab of a few clients gets a row each, as it
 * always did.  Past REPORT_MANY clients the rows no longer fit a screen,
 * so the table summarises them: how many clients lost SYNs and how many
 * did not, the distribution over the clients of each one's SYN drops,
 * SYN retransmissions and failed attempts (minimum, median, 90th and
 * 99th percentile, maximum, by the nearest rank as every percentile of
 * a run), the connect times of every established connection the same
 * way, and then the rows of the REPORT_WORST clients that suffered most
 * and the row of all of them.  The worst are those with the most SYNs
 * dropped, then the most failed attempts, the most retransmissions, the
 * slowest connect, and last the topology's order.
 *
 * Everything comes from the metrics (found by name through their index)
 * and the generator's records; sorting the clients once and the connect
 * times once are the only costs above linear.
 */

/* A client's numbers for the summary and the worst's order, in that
 * order (worst first: the most of the first, then of the next, ...). */
enum { ST_DROPPED, ST_FAILED, ST_RETRANS, ST_CONNECT_MAX, NSTATS };

static const char *const stat_metric[NSTATS] = {
	[ST_DROPPED] = "syn_dropped",
	[ST_FAILED] = "failed",
	[ST_RETRANS] = "syn_retrans",
	[ST_CONNECT_MAX] = "connect_max",
};

struct client_stat {
	int node;
	double v[NSTATS];
};

int report_clients_parse(const char *s, int *clients)
{
	unsigned long n;

	if (!strcmp(s, "all")) {
		*clients = REPORT_CLIENTS_ALL;
		return 0;
	}
	if (!strcmp(s, "auto")) {
		*clients = REPORT_CLIENTS_AUTO;
		return 0;
	}
	if (util_parse_ulong(s, 1, REPORT_CLIENTS_MAX, &n))
		return -EINVAL;
	*clients = (int)n;
	return 0;
}

/* A client's clock for the table: "host+20000ms" (the offset as the
 * 32-bit TSval offset it is), or the mode's name. */
static const char *table_clock(const struct topo_node *n, char *buf, size_t len)
{
	if (n->clock.mode == TOPO_TS_HOST)
		snprintf(buf, len, "host%+lldms",
			 (long long)(int32_t)(uint32_t)n->clock.offset_ms);
	else
		snprintf(buf, len, "%s", topo_tsclock_name(n->clock.mode));
	return buf;
}

static void table_head(FILE *f)
{
	fprintf(f,
		"%-8s %-14s %8s %8s %7s %8s %6s %7s %8s %7s %8s %9s %9s %9s "
		"%6s\n",
		"CLIENT", "CLOCK", "ATTEMPTS", "OK", "FAILED", "TIMEOUT",
		"RESET", "NO_PORT", "1ST_SYN", "SYN_RTX", "SYN_DROP", "P50",
		"P99", "MAX", "TW");
}

/* One row of the client table, labelled @label, of the metrics of
 * @node: a client's own, or "clients" for the row of all of them. */
static void table_row(FILE *f, const struct run_data *d, const char *label,
		      const char *clock, const char *node)
{
	char a[16], b[16], c[16];

	fprintf(f,
		"%-8s %-14s %8.0f %8.0f %7.0f %8.0f %6.0f %7.0f %8.0f "
		"%7.0f %8.0f %9s %9s %9s %6.0f\n",
		label, clock, report_metric(d, node, "attempts"),
		report_metric(d, node, "established"),
		report_metric(d, node, "failed"),
		report_metric(d, node, "timeouts"),
		report_metric(d, node, "resets"),
		report_metric(d, node, "no_port"),
		report_metric(d, node, "first_syn_ok"),
		report_metric(d, node, "syn_retrans"),
		report_metric(d, node, "syn_dropped"),
		report_fmt_ms(report_metric(d, node, "connect_p50"), a,
			      sizeof(a)),
		report_fmt_ms(report_metric(d, node, "connect_p99"), b,
			      sizeof(b)),
		report_fmt_ms(report_metric(d, node, "connect_max"), c,
			      sizeof(c)),
		report_metric(d, node, "timewait"));
}

static void client_row(FILE *f, const struct run_data *d, int node)
{
	const struct topo_node *n = &d->t->nodes[node];
	char clock[24];

	table_row(f, d, n->name, table_clock(n, clock, sizeof(clock)), n->name);
}

/* Worst first: see the theory of operation. */
static int worst_cmp(const void *a, const void *b)
{
	const struct client_stat *x = a, *y = b;
	int k;

	for (k = 0; k < NSTATS; k++)
		if (x->v[k] != y->v[k])
			return x->v[k] > y->v[k] ? -1 : 1;
	return (x->node > y->node) - (x->node < y->node);
}

/* Every client's numbers, in topology order, each metric looked up once.
 * Return: the clients' count; @st (for free()) holds them. */
static int client_stats(const struct run_data *d, struct client_stat **st)
{
	const struct topo *t = d->t;
	int n = 0, i, k;

	*st = xcalloc(t->nnodes ? t->nnodes : 1, sizeof(**st));
	for (i = 0; i < t->nnodes; i++) {
		if (t->nodes[i].kind != TOPO_CLIENT)
			continue;
		(*st)[n].node = i;
		for (k = 0; k < NSTATS; k++)
			(*st)[n].v[k] = report_metric(d, t->nodes[i].name,
						      stat_metric[k]);
		n++;
	}
	return n;
}

int report_clients_worst(const struct run_data *d, int *nodes)
{
	struct client_stat *st;
	int n = client_stats(d, &st), i;

	qsort(st, n, sizeof(*st), worst_cmp);
	for (i = 0; i < n; i++)
		nodes[i] = st[i].node;
	free(st);
	return n;
}

static int double_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The percentiles of the summary's columns. */
static const double summary_pct[] = {0, 50, 90, 99, 100};

#define NPCT (sizeof(summary_pct) / sizeof(summary_pct[0]))

/* How many of the @n clients @st have number @k other than 0. */
static int clients_with(const struct client_stat *st, int n, int k)
{
	int i, with = 0;

	for (i = 0; i < n; i++)
		with += st[i].v[k] != 0;
	return with;
}

/* A summary row: the distribution of number @k over the @n clients @st;
 * @v has room for @n values. */
static void summary_row(FILE *f, const struct client_stat *st, int n, int k,
			const char *label, double *v)
{
	size_t p;
	int i;

	for (i = 0; i < n; i++)
		v[i] = st[i].v[k];
	qsort(v, n, sizeof(*v), double_cmp);
	fprintf(f, "%-22s", label);
	for (p = 0; p < NPCT; p++)
		fprintf(f, " %9.0f",
			metrics_percentile(v, (uint32_t)n, summary_pct[p]));
	fprintf(f, "\n");
}

/* The summary's last row: the connect times of every connection of a
 * client that was established, from the records. */
static void summary_connect(FILE *f, const struct run_data *d)
{
	uint32_t *us = xcalloc(d->nrecs ? d->nrecs : 1, sizeof(*us));
	uint32_t i, n = 0;
	char label[32], buf[16];
	size_t k;

	for (i = 0; i < d->nrecs; i++)
		if (d->t->nodes[d->recs[i].client].kind == TOPO_CLIENT &&
		    d->recs[i].flags & TR_F_CONNECTED)
			us[n++] = d->recs[i].connect_us;
	snprintf(label, sizeof(label), "connect, %u conns", n);
	fprintf(f, "%-22s", label);
	for (k = 0; k < NPCT; k++)
		fprintf(f, " %9s",
			report_fmt_ms(
				metrics_percentile_us(us, n, summary_pct[k]),
				buf, sizeof(buf)));
	fprintf(f, "\n");
	free(us);
}

/* The summary of the @n clients @st: how many lost SYNs, failed or
 * retransmitted, and the distributions. */
static void summary(FILE *f, const struct run_data *d,
		    const struct client_stat *st, int n)
{
	double *v = xcalloc(n ? n : 1, sizeof(*v));
	int dropped = clients_with(st, n, ST_DROPPED);

	fprintf(f,
		"%d clients: %d with SYNs dropped silently, %d without; %d "
		"with failed attempts; %d with SYN retransmissions\n",
		n, dropped, n - dropped, clients_with(st, n, ST_FAILED),
		clients_with(st, n, ST_RETRANS));
	fprintf(f, "%-22s %9s %9s %9s %9s %9s\n", "PER CLIENT", "MIN", "P50",
		"P90", "P99", "MAX");
	summary_row(f, st, n, ST_DROPPED, "SYN_DROP", v);
	summary_row(f, st, n, ST_RETRANS, "SYN_RTX", v);
	summary_row(f, st, n, ST_FAILED, "FAILED", v);
	summary_connect(f, d);
	free(v);
}

void report_table_clients(FILE *f, const struct run_data *d, int clients)
{
	struct client_stat *st;
	int n = client_stats(d, &st), i, rows = n;
	int every = clients == REPORT_CLIENTS_ALL ||
		    (clients == REPORT_CLIENTS_AUTO && n <= REPORT_MANY);

	if (n > REPORT_MANY || !every)
		summary(f, d, st, n);
	if (every && n > REPORT_MANY) {
		fprintf(f, "\nevery client:\n");
	} else if (!every) {
		rows = clients == REPORT_CLIENTS_AUTO ? REPORT_WORST : clients;
		rows = rows < n ? rows : n;
		qsort(st, n, sizeof(*st), worst_cmp);
		fprintf(f,
			"\nthe %d clients with the most SYNs dropped (natlab "
			"run --clients all: every client):\n",
			rows);
	}
	table_head(f);
	for (i = 0; i < rows; i++)
		client_row(f, d, st[i].node);
	table_row(f, d, "all", "", "clients");
	free(st);
}
