/* report_svg_many.c - a run of many clients as a picture: the SYN
 * transmissions over time stacked by answer, the clients by SYNs
 * dropped, the connections by connect time. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "lib/util.h"
#include "run/report_svg_int.h"

/*
 * Theory of operation.  Past REPORT_MANY clients a lane per client no
 * longer fits a page, and thousands of lanes would not be read, so the
 * picture shows three plots, one above the other, and below them the
 * legacy server's panel as the per-client picture does:
 *
 * 1. the run's time in SVG_BINS bins: each bin's SYN transmissions as
 *    they left their clients (the capture's), stacked by what answered
 *    them at the server: answered at the bottom, then a TIME_WAIT's ACK,
 *    a RST, nothing (dropped silently) and never reached the server on
 *    top; the run's totals of each in the plot's title;
 * 2. the clients by how many of their SYNs were dropped silently (each
 *    one's syn_dropped metric, the table's SYN_DROP): a bar per count,
 *    or per range of counts when the largest passes SVG_HIST_MAX;
 * 3. the established connections by connect time on a log scale,
 *    SVG_PER_DECADE bins a decade, from the decade of the fastest to
 *    that of the slowest.
 *
 * Each plot is one pass over the capture, the clients or the records,
 * and the picture's size does not grow with the run's.
 */

#define SVG_BINS       100
#define SVG_PLOT       150	       /* a plot's tallest bar */
#define SVG_BLOCK      (SVG_PLOT + 70) /* with its title and axis */
#define SVG_FIRST      50	       /* the first plot's top */
#define SVG_HIST_MAX   50
#define SVG_PER_DECADE 5
#define SVG_NANSWERS   5 /* enum cap_answer's values */

/* The order of the answers in a stack, bottom up. */
static const enum cap_answer stack_order[SVG_NANSWERS] = {
	CAP_SYNACK, CAP_TWACK, CAP_RST, CAP_NONE, CAP_LOST,
};

/* A plot's title at @y0 and its count scale: @top at the top, 0 at the
 * bottom.  Return: the y of its bars' base. */
static int plot_frame(FILE *f, int y0, const char *title, uint64_t top)
{
	int base = y0 + 24 + SVG_PLOT;

	fprintf(f, "<text x='10' y='%d' class='h'>%s</text>\n", y0 + 12, title);
	fprintf(f,
		"<text x='%d' y='%d' text-anchor='end' class='ax'>%" PRIu64
		"</text><text x='%d' y='%d' text-anchor='end' "
		"class='ax'>0</text>\n",
		SVG_LEFT - 6, base - SVG_PLOT + 4, top, SVG_LEFT - 6, base + 4);
	return base;
}

/* A bar of @n of @top from @x, @w wide, standing on @base. */
static void plot_bar(FILE *f, double x, double w, double base, uint64_t n,
		     uint64_t top, const char *colour)
{
	double h = (double)n * SVG_PLOT / (double)top;

	if (n)
		fprintf(f,
			"<rect x='%.1f' y='%.1f' width='%.1f' height='%.1f' "
			"fill='%s'/>\n",
			x, base - h, w, h, colour);
}

/* Count every SYN transmission the capture saw leave a client into
 * @bin (SVG_BINS of them over @span ms) by answer, and into @tot.
 * Return: the tallest bin's count, at least 1. */
static uint64_t syns_count(const struct run_data *d, double span,
			   uint64_t (*bin)[SVG_NANSWERS], uint64_t *tot)
{
	const struct cap_syn *syns;
	uint64_t top = 1, sum;
	uint32_t i, n;
	int k, b, a;

	syns = capture_syns(d->cap, &n);
	for (i = 0; i < n; i++) {
		for (k = 0; k < syns[i].ntx && k < CAP_TX_MAX; k++) {
			double ms = capture_tx_us(d->cap, &syns[i], k) / 1000.0;

			b = (int)(ms / span * SVG_BINS);
			b = b < 0 ? 0 : b >= SVG_BINS ? SVG_BINS - 1 : b;
			a = (int)capture_answer(d->cap, &syns[i], k);
			bin[b][a]++;
			tot[a]++;
		}
	}
	for (b = 0; b < SVG_BINS; b++) {
		for (a = 0, sum = 0; a < SVG_NANSWERS; a++)
			sum += bin[b][a];
		top = sum > top ? sum : top;
	}
	return top;
}

/* Plot 1: the SYN transmissions over time, stacked by answer. */
static void plot_syns(FILE *f, const struct run_data *d, double span, int y0)
{
	uint64_t(*bin)[SVG_NANSWERS] = xcalloc(SVG_BINS, sizeof(*bin));
	uint64_t tot[SVG_NANSWERS] = {0}, top = 1;
	double w = (double)(SVG_W - SVG_LEFT - SVG_RIGHT) / SVG_BINS;
	char title[320];
	int base, b, k;

	if (d->cap)
		top = syns_count(d, span, bin, tot);
	snprintf(title, sizeof(title),
		 "SYN transmissions over time, stacked by answer%s: answered "
		 "%" PRIu64 ", TIME_WAIT ACK %" PRIu64 ", RST %" PRIu64
		 ", dropped silently %" PRIu64 ", never reached the server "
		 "%" PRIu64,
		 d->cap ? "" : " (no capture)", tot[CAP_SYNACK], tot[CAP_TWACK],
		 tot[CAP_RST], tot[CAP_NONE], tot[CAP_LOST]);
	base = plot_frame(f, y0, title, top);
	fprintf(f, "<g id='syns-by-time'>\n");
	for (b = 0; b < SVG_BINS; b++) {
		double x = report_svg_x(b * span / SVG_BINS, span);
		uint64_t below = 0;

		/* Each answer's bar stands on those below it. */
		for (k = 0; k < SVG_NANSWERS; k++) {
			enum cap_answer a = stack_order[k];

			plot_bar(f, x, w,
				 base - (double)below * SVG_PLOT / (double)top,
				 bin[b][a], top, report_svg_color[a]);
			below += bin[b][a];
		}
	}
	fprintf(f, "</g>\n");
	report_svg_axis(f, span, base);
	free(bin);
}

/* A histogram's bars and their labels: bar i's label from @label (0:
 * none, 1: under its middle, 2: under its left edge). */
struct hist {
	uint64_t *count;
	int n;
	int (*label)(const struct hist *h, int i, char *buf, size_t len);
	int width;   /* clients' drops: the counts a bar holds */
	int decade0; /* connect times: the first bar's decade (10^k ms) */
};

/* Plot a histogram from @y0 under @title, its group's id @id. */
static void plot_hist(FILE *f, int y0, const char *title, const char *id,
		      const struct hist *h)
{
	double w = (double)(SVG_W - SVG_LEFT - SVG_RIGHT) / h->n;
	uint64_t top = 1;
	char label[32];
	int base, i, where;

	for (i = 0; i < h->n; i++)
		top = h->count[i] > top ? h->count[i] : top;
	base = plot_frame(f, y0, title, top);
	fprintf(f, "<g id='%s'>\n", id);
	/* Each bar's count over it: a bar of one client among thousands is
	 * too thin to see. */
	for (i = 0; i < h->n; i++) {
		plot_bar(f, SVG_LEFT + i * w + 0.5, w - 1, base, h->count[i],
			 top, "#1d4e89");
		if (h->count[i])
			fprintf(f,
				"<text x='%.1f' y='%.1f' text-anchor='middle' "
				"class='ax'>%" PRIu64 "</text>\n",
				SVG_LEFT + (i + 0.5) * w,
				base - (double)h->count[i] * SVG_PLOT / top - 3,
				h->count[i]);
	}
	fprintf(f,
		"</g>\n<line x1='%d' y1='%d' x2='%d' y2='%d' "
		"stroke='#444'/>\n",
		SVG_LEFT, base, SVG_W - SVG_RIGHT, base);
	for (i = 0; i < h->n; i++) {
		where = h->label(h, i, label, sizeof(label));
		if (where)
			fprintf(f,
				"<text x='%.1f' y='%d' text-anchor='middle' "
				"class='ax'>%s</text>\n",
				SVG_LEFT + i * w + (where == 1 ? w / 2 : 0),
				base + 16, label);
	}
}

/* Bar i of the clients' drops: its count or range, on at most 25 bars. */
static int drops_label(const struct hist *h, int i, char *buf, size_t len)
{
	int every = (h->n + 24) / 25;

	if (i % every)
		return 0;
	if (h->width == 1)
		snprintf(buf, len, "%d", i);
	else
		snprintf(buf, len, "%d-%d", i * h->width,
			 (i + 1) * h->width - 1);
	return 1;
}

/* Plot 2: the clients by SYNs dropped silently. */
static void plot_drops(FILE *f, const struct run_data *d, int y0)
{
	const struct topo *t = d->t;
	struct hist h = {.label = drops_label, .width = 1};
	int max = 0, c, nclients = 0, none = 0, v;
	char title[160];

	for (c = 0; c < t->nnodes; c++)
		if (t->nodes[c].kind == TOPO_CLIENT) {
			v = (int)report_metric(d, t->nodes[c].name,
					       "syn_dropped");
			max = v > max ? v : max;
		}
	if (max + 1 > SVG_HIST_MAX)
		h.width = (max + SVG_HIST_MAX) / SVG_HIST_MAX;
	h.n = max / h.width + 1;
	h.count = xcalloc(h.n, sizeof(*h.count));
	for (c = 0; c < t->nnodes; c++) {
		if (t->nodes[c].kind != TOPO_CLIENT)
			continue;
		v = (int)report_metric(d, t->nodes[c].name, "syn_dropped");
		h.count[(v < 0 ? 0 : v) / h.width]++;
		nclients++;
		none += v == 0;
	}
	snprintf(title, sizeof(title),
		 "clients by SYNs dropped silently (SYN_DROP): %d clients, "
		 "%d with none, %d the most",
		 nclients, none, max);
	plot_hist(f, y0, title, "clients-by-drops", &h);
	free(h.count);
}

/* Bar i of the connect times: the decades' edges, 0.1ms, 1ms, ... 10s. */
static int connect_label(const struct hist *h, int i, char *buf, size_t len)
{
	double ms = pow(10, h->decade0 + i / SVG_PER_DECADE);

	if (i % SVG_PER_DECADE)
		return 0;
	if (ms >= 1000)
		snprintf(buf, len, "%gs", ms / 1000);
	else
		snprintf(buf, len, "%gms", ms);
	return 2;
}

/* A connect time's place on the log scale, in bars from 10^0 ms; times
 * under a microsecond count as one. */
static double connect_pos(uint32_t us)
{
	return log10((us ? us : 1) / 1000.0) * SVG_PER_DECADE;
}

/* Plot 3: the established connections by connect time. */
static void plot_connect(FILE *f, const struct run_data *d, int y0)
{
	struct hist h = {.label = connect_label};
	uint32_t i, lo = UINT32_MAX, hi = 0, n = 0;
	char title[160];
	int b;

	for (i = 0; i < d->nrecs; i++) {
		const struct tr_rec *r = &d->recs[i];

		if (!(r->flags & TR_F_CONNECTED) ||
		    d->t->nodes[r->client].kind != TOPO_CLIENT)
			continue;
		lo = r->connect_us < lo ? r->connect_us : lo;
		hi = r->connect_us > hi ? r->connect_us : hi;
		n++;
	}
	h.decade0 = n ? (int)floor(connect_pos(lo) / SVG_PER_DECADE) : 0;
	h.n = n ? ((int)floor(connect_pos(hi) / SVG_PER_DECADE) + 1 -
		   h.decade0) *
			      SVG_PER_DECADE
		: SVG_PER_DECADE;
	h.count = xcalloc(h.n, sizeof(*h.count));
	for (i = 0; i < d->nrecs; i++) {
		const struct tr_rec *r = &d->recs[i];

		if (!(r->flags & TR_F_CONNECTED) ||
		    d->t->nodes[r->client].kind != TOPO_CLIENT)
			continue;
		b = (int)floor(connect_pos(r->connect_us)) -
		    h.decade0 * SVG_PER_DECADE;
		h.count[b < 0 ? 0 : b >= h.n ? h.n - 1 : b]++;
	}
	snprintf(title, sizeof(title),
		 "established connections by connect time (log scale, %d "
		 "bars a decade): %u connections",
		 SVG_PER_DECADE, n);
	plot_hist(f, y0, title, "connections-by-connect-time", &h);
	free(h.count);
}

void report_svg_many(FILE *f, const struct run_data *d, double span)
{
	int y = SVG_FIRST + 3 * SVG_BLOCK;
	int height = y + (d->ntl ? SVG_PANEL + 20 : 0) + 10;

	report_svg_head(f, d, height,
			"in aggregate: more clients than a lane each fits", 0);
	plot_syns(f, d, span, SVG_FIRST);
	plot_drops(f, d, SVG_FIRST + SVG_BLOCK);
	plot_connect(f, d, SVG_FIRST + 2 * SVG_BLOCK);
	if (d->ntl)
		report_svg_tsval(f, d, span, y);
	fprintf(f, "</svg>\n");
}
