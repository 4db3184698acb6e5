/* report_svg.c - a run as a picture: every SYN on its client's lane, and
 * what the legacy server remembered. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "lib/tuple.h"
#include "lib/util.h"
#include "run/report_svg.h"
#include "run/report_svg_int.h"

/*
 * The picture has one time axis, from the run's start to the end of its
 * last connection, shared by both parts.  A run of more than REPORT_MANY
 * clients is drawn in aggregate instead (report_svg_many.c), with the
 * same lower part.  The upper part has a lane per client: each SYN transmission as it left the client, a circle for the
 * first and a diamond for a retransmission, coloured by what answered it
 * at the server (the capture's verdict).  The lower part, drawn only if
 * the engine logged a legacy server's memory, plots TSvals relative to
 * the first one the server remembered: the value remembered per peer as
 * a step (solid while the PAWS window trusts it, dashed once stale), the
 * TSvals of the SYNs it dropped as crosses, and those of the SYNs it
 * answered as dots, so a drop shows as a cross below a solid step.
 */

/* A round step for an axis covering span (1, 2 or 5 times 10^k). */
static double nice_step(double span, int ticks)
{
	double raw = span / ticks, p = pow(10, floor(log10(raw)));

	if (raw / p < 1.5)
		return p;
	if (raw / p < 3.5)
		return 2 * p;
	if (raw / p < 7.5)
		return 5 * p;
	return 10 * p;
}

const char *const report_svg_color[] = {
	[CAP_NONE] = "#d62828",	  /* dropped silently */
	[CAP_SYNACK] = "#2a9d3c", /* answered */
	[CAP_TWACK] = "#f4a261",  /* TIME_WAIT ACK */
	[CAP_RST] = "#6d597a",	  [CAP_LOST] = "#9e9e9e",
};

double report_svg_x(double ms, double span)
{
	return SVG_LEFT + ms / span * (SVG_W - SVG_LEFT - SVG_RIGHT);
}

void report_svg_axis(FILE *f, double span, int y)
{
	double step = nice_step(span, 10), v;

	fprintf(f, "<line x1='%d' y1='%d' x2='%d' y2='%d' stroke='#444'/>\n",
		SVG_LEFT, y, SVG_W - SVG_RIGHT, y);
	for (v = 0; v <= span + 1e-9; v += step) {
		double x = report_svg_x(v, span);

		fprintf(f,
			"<line x1='%.1f' y1='%d' x2='%.1f' y2='%d' "
			"stroke='#444'/><text x='%.1f' y='%d' "
			"text-anchor='middle' class='ax'>%g%s</text>\n",
			x, y, x, y + 4, x, y + 16, span >= 2000 ? v / 1000 : v,
			span >= 2000 ? "s" : "ms");
	}
}

/* The target server's PAWS window in ms (a target balancer's: its first
 * server's). */
static double t_msl(const struct run_data *d)
{
	const int *srv;

	topo_target_servers(d->t, &srv);
	return d->t->nodes[*srv].legacy.paws_msl_ms;
}

/* The lower panel's vertical scale: TSvals relative to @base, @lo at the
 * bottom and @hi at the top of the panel that starts at @y0. */
struct svg_scale {
	uint32_t base;
	int32_t lo, hi;
	double yscale;
	int y0;
};

static double panel_y(const struct svg_scale *sc, int32_t v)
{
	return sc->y0 + SVG_PANEL - 20 - ((double)v - sc->lo) * sc->yscale;
}

/* The range of every TSval to plot: the engine's events and the SYNs the
 * capture saw with a timestamp; at least 10 ticks tall. */
static void panel_scale(const struct run_data *d, const struct cap_syn *syns,
			uint32_t n, int y0, struct svg_scale *sc)
{
	uint32_t i;
	int k;

	sc->lo = sc->hi = 0;
	sc->base = d->ntl ? d->tl[0].ts : 0;
	sc->y0 = y0;
	for (k = 0; k < d->ntl; k++) {
		int32_t v = (int32_t)(d->tl[k].ts - sc->base);

		if (v < sc->lo)
			sc->lo = v;
		if (v > sc->hi)
			sc->hi = v;
	}
	for (i = 0; i < n; i++) {
		int32_t v = (int32_t)(syns[i].tsval - sc->base);

		if (!syns[i].tsval || !syns[i].ntx)
			continue;
		if (v < sc->lo)
			sc->lo = v;
		if (v > sc->hi)
			sc->hi = v;
	}
	if (sc->hi - sc->lo < 10)
		sc->hi = sc->lo + 10;
	sc->yscale = (SVG_PANEL - 40) / (double)(sc->hi - sc->lo);
}

/* The TSvals of the SYNs whose first transmission was answered, the
 * first SVG_MARKS_MAX of them. */
static void panel_answered(FILE *f, const struct run_data *d,
			   const struct cap_syn *syns, uint32_t n,
			   const struct svg_scale *sc, double span)
{
	uint32_t i;
	int marks = 0;

	for (i = 0; i < n && marks < SVG_MARKS_MAX; i++) {
		const struct cap_syn *s = &syns[i];

		if (!s->tsval || !s->ntx ||
		    capture_answer(d->cap, s, 0) != CAP_SYNACK)
			continue;
		fprintf(f,
			"<circle cx='%.1f' cy='%.1f' r='2' fill='%s' "
			"opacity='0.6'/>\n",
			report_svg_x(s->tx_us / 1000.0, span),
			panel_y(sc, (int32_t)(s->tsval - sc->base)),
			report_svg_color[CAP_SYNACK]);
		marks++;
	}
}

/* A peer's latest remembered value in panel_ends()'s walk. */
struct peer_next {
	struct tuple_slot slot; /* key.laddr: the peer */
	int k;			/* its event */
};

/* When each remembered value stops holding: the time of the next one of
 * the same peer, or @span.  One walk backwards with the peers in a tuple
 * table, not a search forwards from every event, which would grow with
 * the square of the events of a run of many peers.
 * Return: d->ntl times in ms (those of drops unused), for free(). */
static double *panel_ends(const struct run_data *d, double span)
{
	double *end = xcalloc(d->ntl ? d->ntl : 1, sizeof(*end));
	struct tuple_table peers;
	int k;

	tuple_table_init(&peers, sizeof(struct peer_next), NULL, NULL);
	for (k = d->ntl - 1; k >= 0; k--) {
		struct tuple key = {.laddr = d->tl[k].peer};
		struct peer_next *p;

		end[k] = span;
		if (d->tl[k].drop)
			continue;
		p = tuple_table_find(&peers, &key);
		if (p)
			end[k] = d->tl[p->k].t_ms;
		else
			p = tuple_table_insert(&peers, &key, 0);
		p->k = k;
	}
	tuple_table_free(&peers);
	return end;
}

/* Event @k, a remembered value.  It holds until @end, the next update
 * for the same peer, and is trusted for the PAWS window after it was
 * stamped: solid while it can drop SYNs, dashed once it is stale. */
static void panel_remembered(FILE *f, const struct run_data *d, int k,
			     double end, const struct svg_scale *sc,
			     double span)
{
	const struct tl_event *e = &d->tl[k];
	double x = report_svg_x(e->t_ms, span),
	       y = panel_y(sc, (int32_t)(e->ts - sc->base));
	double fresh, msl = t_msl(d);

	fresh = e->t_ms + msl < end ? e->t_ms + msl : end;
	fprintf(f,
		"<line x1='%.1f' y1='%.1f' x2='%.1f' y2='%.1f' "
		"stroke='#1d4e89' stroke-width='2'/>\n",
		x, y, report_svg_x(fresh, span), y);
	if (fresh < end)
		fprintf(f,
			"<line x1='%.1f' y1='%.1f' x2='%.1f' "
			"y2='%.1f' stroke='#1d4e89' "
			"stroke-dasharray='4 3'/>\n",
			report_svg_x(fresh, span), y, report_svg_x(end, span),
			y);
}

/* The legacy server's remembered TSval per peer (steps), the TSvals of
 * the SYNs it dropped (crosses) and of those it answered (dots). */
void report_svg_tsval(FILE *f, const struct run_data *d, double span, int y0)
{
	const struct cap_syn *syns = NULL;
	struct svg_scale sc;
	uint32_t n = 0;
	double *end = panel_ends(d, span);
	int k;

	if (d->cap)
		syns = capture_syns(d->cap, &n);
	panel_scale(d, syns, n, y0, &sc);
	fprintf(f,
		"<text x='10' y='%d' class='h'>TSval at the server, "
		"relative to the first remembered one (ms ticks): remembered "
		"(solid: within the PAWS window), dropped SYNs (x)</text>\n",
		y0 + 12);
	fprintf(f,
		"<text x='%d' y='%.1f' text-anchor='end' class='ax'>%+d</text>"
		"<text x='%d' y='%.1f' text-anchor='end' class='ax'>%+d</text>\n",
		SVG_LEFT - 6, panel_y(&sc, sc.hi) + 4, sc.hi, SVG_LEFT - 6,
		panel_y(&sc, sc.lo) + 4, sc.lo);
	panel_answered(f, d, syns, n, &sc, span);
	for (k = 0; k < d->ntl; k++) {
		const struct tl_event *e = &d->tl[k];

		if (!e->drop) {
			panel_remembered(f, d, k, end[k], &sc, span);
			continue;
		}
		fprintf(f,
			"<path d='M%.1f %.1fl6 6m0 -6l-6 6' "
			"stroke='%s' stroke-width='1.5'/>\n",
			report_svg_x(e->t_ms, span) - 3,
			panel_y(&sc, (int32_t)(e->ts - sc.base)) - 3,
			report_svg_color[CAP_NONE]);
	}
	report_svg_axis(f, span, y0 + SVG_PANEL - 10);
	free(end);
}

void report_svg_open(FILE *f, int width, int height)
{
	fprintf(f,
		"<svg xmlns='http://www.w3.org/2000/svg' width='%d' "
		"height='%d' font-family='sans-serif' font-size='12'>\n"
		"<style>.ax{font-size:10px;fill:#444}.h{font-weight:bold}"
		"</style>\n<rect width='100%%' height='100%%' fill='white'/>\n",
		width, height);
}

void report_svg_text(FILE *f, const char *s)
{
	static const char *const esc[128] = {
		['&'] = "&amp;",   ['<'] = "&lt;",   ['>'] = "&gt;",
		['\''] = "&apos;", ['"'] = "&quot;",
	};
	unsigned char c;

	for (; *s; s++) {
		c = (unsigned char)*s;
		if (c < 128 && esc[c])
			fputs(esc[c], f);
		else /* control characters are not XML 1.0 */
			fputc(c < 0x20 ? '?' : c, f);
	}
}

void report_svg_head(FILE *f, const struct run_data *d, int height,
		     const char *what, int marks)
{
	report_svg_open(f, SVG_W, height);
	fprintf(f, "<text x='10' y='18' class='h'>natlab run: lab ");
	report_svg_text(f, d->t->name);
	fprintf(f, ", %u connections, %s</text>\n", d->nrecs, what);
	fprintf(f, "<text x='10' y='36'>");
	if (d->legacy_how[0])
		fprintf(f, "server tcp_tw_recycle %s, PAWS window %gs. ",
			d->legacy_how, t_msl(d) / 1000);
	fprintf(f,
		"<tspan fill='%s'>&#9679; answered</tspan>  "
		"<tspan fill='%s'>&#9679; dropped silently</tspan>  "
		"<tspan fill='%s'>&#9679; TIME_WAIT ACK</tspan>  "
		"<tspan fill='%s'>&#9679; RST</tspan>  ",
		report_svg_color[CAP_SYNACK], report_svg_color[CAP_NONE],
		report_svg_color[CAP_TWACK], report_svg_color[CAP_RST]);
	if (marks)
		fprintf(f, "&#9670; retransmission</text>\n");
	else
		fprintf(f,
			"<tspan fill='%s'>&#9679; never reached the server"
			"</tspan></text>\n",
			report_svg_color[CAP_LOST]);
}

/* Each lane's client name, line, and clock offset if it has one. */
static void svg_lanes(FILE *f, const struct topo *t, const int *lane_of)
{
	int c;

	for (c = 0; c < t->nnodes; c++) {
		const struct topo_node *n = &t->nodes[c];
		int y;

		if (lane_of[c] < 0)
			continue;
		y = SVG_TOP + lane_of[c] * SVG_LANE;
		fprintf(f,
			"<text x='10' y='%d'>%s</text><line x1='%d' y1='%d' "
			"x2='%d' y2='%d' stroke='#ddd'/>\n",
			y + 4, n->name, SVG_LEFT, y, SVG_W - SVG_RIGHT, y);
		if (n->clock.mode == TOPO_TS_HOST)
			fprintf(f,
				"<text x='40' y='%d' class='ax'>clock %+lldms"
				"</text>\n",
				y + 4,
				(long long)(int32_t)(uint32_t)
					n->clock.offset_ms);
	}
}

/* Every SYN transmission on its client's lane, up to SVG_MARKS_MAX.
 * Return: how many were drawn. */
static int svg_marks(FILE *f, const struct run_data *d, const int *lane_of,
		     double span)
{
	int marks = 0, k;
	uint32_t i;

	for (i = 0; i < d->nrecs && marks < SVG_MARKS_MAX; i++) {
		const struct tr_rec *r = &d->recs[i];
		const struct cap_syn *s;
		int y;

		if (lane_of[r->client] < 0)
			continue;
		s = report_rec_syns(d, r);
		if (!s)
			continue;
		y = SVG_TOP + lane_of[r->client] * SVG_LANE;
		for (k = 0; k < s->ntx && k < CAP_TX_MAX; k++, marks++) {
			double x = report_svg_x(
				capture_tx_us(d->cap, s, k) / 1000.0, span);
			const char *col =
				report_svg_color[capture_answer(d->cap, s, k)];

			if (!k)
				fprintf(f,
					"<circle cx='%.1f' cy='%d' r='4' "
					"fill='%s'/>\n",
					x, y, col);
			else
				fprintf(f,
					"<path d='M%.1f %dl4 4l-4 4l-4 -4z' "
					"fill='%s'/>\n",
					x, y - 4, col);
		}
	}
	return marks;
}

int report_svg(FILE *f, const struct run_data *d)
{
	const struct topo *t = d->t;
	int *lane_of, lanes = 0, c, height, marks, axis_y;
	double span = 1;
	uint32_t i;

	for (i = 0; i < d->nrecs; i++)
		if (d->recs[i].end_us / 1000.0 > span)
			span = d->recs[i].end_us / 1000.0;
	lane_of = xcalloc(t->nnodes, sizeof(*lane_of));
	for (c = 0; c < t->nnodes; c++) {
		lane_of[c] = -1;
		if (t->nodes[c].kind == TOPO_CLIENT)
			lane_of[c] = lanes++;
	}
	if (lanes > REPORT_MANY) {
		free(lane_of);
		report_svg_many(f, d, span);
		return ferror(f) ? -EIO : 0;
	}
	axis_y = SVG_TOP + lanes * SVG_LANE;
	height = axis_y + 40 + (d->ntl ? SVG_PANEL + 20 : 0) + 30;
	report_svg_head(f, d, height, "every SYN as it left its client", 1);
	svg_lanes(f, t, lane_of);
	marks = svg_marks(f, d, lane_of, span);
	report_svg_axis(f, span, axis_y);
	if (marks >= SVG_MARKS_MAX)
		fprintf(f,
			"<text x='10' y='%d' class='ax'>only the first %d "
			"SYNs are drawn</text>\n",
			axis_y + 30, SVG_MARKS_MAX);
	if (d->ntl)
		report_svg_tsval(f, d, span, axis_y + 40);
	fprintf(f, "</svg>\n");
	free(lane_of);
	return ferror(f) ? -EIO : 0;
}
