/* matrix_svg.c - a matrix as a picture: each metric against the axes. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "run/matrix_int.h"
#include "run/metrics.h"
#include "run/report_svg_int.h"

/*
 * Theory of operation.  Every metric column gets its own panel and its
 * own scale (attempts count to 18 where a connect time runs to seconds),
 * and every cell of the sweep is one mark in each panel: a rect of class
 * "cell" whose <title> (a tooltip in a browser) names the cell, its axis
 * values, the metric and its value as the table prints it, so a reader
 * or a test finds each cell's value without reading the geometry.
 *
 * One axis: a bar chart per metric, a bar per value of the axis with the
 * value written over it, three panels a row.  Two axes: a heat map per
 * metric, the first axis down and the second across, each cell shaded
 * from light (the metric's lowest value in the sweep, or 0) to dark (its
 * highest) with its value written in it.  More axes: small multiples -
 * per metric, one such heat map of the last two axes for every
 * combination of the others, captioned with it, side by side and
 * wrapped, all on the metric's one scale so that the maps compare.  A
 * cell that has no value for a metric (a run that did not finish) is
 * grey, with "-".
 */

#define MSVG_W	     SVG_W
#define MSVG_MARGIN  10
#define MSVG_HEAD    52	 /* the title and the axes' line */
#define MSVG_PLOT    120 /* a bar chart's tallest bar */
#define MSVG_PANEL   (MSVG_PLOT + 70)
#define MSVG_PANELS  3 /* bar charts a row */
#define MSVG_CELL_H  24
#define MSVG_GAP     24 /* between small multiples */
#define MSVG_TITLE   22 /* a metric's title above its maps */
#define MSVG_MISSING "#e0e0e0"

/* The picture's layout, worked out before anything is written. */
struct msvg {
	FILE *f;
	const struct matrix_opts *o;
	const struct matrix_sweep *s;
	int rows, cols;	   /* heat maps: values of the last two axes */
	int nmaps;	   /* combinations of the other axes */
	int labelw, cellw; /* a map's row labels, a cell's width */
	int mapw, maph, per_line, caption;
	int panelw, per_row;	  /* a metric's maps, and how many a row */
	int width, height, block; /* block: a metric's maps and title */
};

/* The longest of an axis' values, in characters. */
static int axis_longest(const struct matrix_axis *a)
{
	int k, n = 0;

	for (k = 0; k < a->nvalues; k++)
		if ((int)strlen(a->values[k]) > n)
			n = (int)strlen(a->values[k]);
	return n;
}

static int clamp(int v, int lo, int hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

/* Value @k of axis @a as a label at (@x, @y); data-axis names the axis. */
static void value_label(const struct msvg *m, double x, double y,
			const char *anchor, const struct matrix_axis *a, int k)
{
	fprintf(m->f,
		"<text x='%.1f' y='%.1f' text-anchor='%s' class='ax val' "
		"data-axis='",
		x, y, anchor);
	report_svg_text(m->f, a->key);
	fprintf(m->f, "'>");
	report_svg_text(m->f, a->values[k]);
	fprintf(m->f, "</text>\n");
}

/* "KEY=VALUE, ..." of axes 0 .. @n - 1 for the values @vals. */
static void axis_values(const struct msvg *m, const int *vals, int n)
{
	int a;

	for (a = 0; a < n; a++) {
		fprintf(m->f, "%s", a ? ", " : "");
		report_svg_text(m->f, m->o->axes[a].key);
		fputc('=', m->f);
		report_svg_text(m->f, m->o->axes[a].values[vals[a]]);
	}
}

/* The heat maps' layout: cells wide enough for their column's values
 * (6 px a character of the 10 px font) and at least for a value such as
 * "5106.5ms", narrower if a map would not fit the page; as many maps a
 * line as fit. */
static void msvg_layout_maps(struct msvg *m)
{
	const struct matrix_axis *ra = &m->o->axes[m->o->naxes - 2];
	const struct matrix_axis *ca = &m->o->axes[m->o->naxes - 1];
	int a, lines, capw;

	m->rows = ra->nvalues;
	m->cols = ca->nvalues;
	m->nmaps = 1;
	for (a = 0; a < m->o->naxes - 2; a++)
		m->nmaps *= m->o->axes[a].nvalues;
	m->labelw = clamp(6 * axis_longest(ra) + 12, 40, 200);
	m->cellw = clamp(6 * axis_longest(ca) + 12, 64, 120);
	if (m->labelw + m->cols * m->cellw > MSVG_W - 2 * MSVG_MARGIN)
		m->cellw = (MSVG_W - 2 * MSVG_MARGIN - m->labelw) / m->cols;
	m->cellw = m->cellw < 28 ? 28 : m->cellw;
	m->mapw = m->labelw + m->cols * m->cellw;
	/* A caption ("KEY=VALUE, ...", 6 px a character) as wide as its
	 * map at least, so that the next map's does not run into it. */
	for (a = 0, capw = 0; a < m->o->naxes - 2; a++)
		capw += 6 * ((int)strlen(m->o->axes[a].key) + 3 +
			     axis_longest(&m->o->axes[a]));
	m->mapw = capw > m->mapw ? capw : m->mapw;
	m->per_line =
		(MSVG_W - 2 * MSVG_MARGIN + MSVG_GAP) / (m->mapw + MSVG_GAP);
	m->per_line = m->per_line < 1 ? 1 : m->per_line;
	m->caption = m->nmaps > 1 ? 16 : 0;
	m->maph = m->caption + 18 + m->rows * MSVG_CELL_H + 14;
	lines = (m->nmaps + m->per_line - 1) / m->per_line;
	m->block = MSVG_TITLE + lines * m->maph + 6;
	/* Metrics side by side while their maps leave room. */
	m->panelw = (m->nmaps < m->per_line ? m->nmaps : m->per_line) *
			    (m->mapw + MSVG_GAP) -
		    MSVG_GAP;
	m->panelw = m->panelw < 260 ? 260 : m->panelw;
	m->per_row = (MSVG_W - 2 * MSVG_MARGIN + 2 * MSVG_GAP) /
		     (m->panelw + 2 * MSVG_GAP);
	m->per_row = m->per_row < 1 ? 1 : m->per_row;
	m->width = m->mapw + 2 * MSVG_MARGIN > MSVG_W
			   ? m->mapw + 2 * MSVG_MARGIN
			   : MSVG_W;
	m->height = MSVG_HEAD +
		    (m->s->ncols + m->per_row - 1) / m->per_row * m->block + 10;
}

/* A metric's scale over the cells that have it: from 0 or its lowest
 * value if that is below, to its highest; never empty.  Return: 1 if
 * the scale is the values' own, 0 if every value is the same (*hi is
 * then *lo + 1). */
static int metric_range(const struct matrix_sweep *s, const char *col,
			double *lo, double *hi)
{
	int i;

	*lo = 0;
	*hi = 0;
	for (i = 0; i < s->ncells; i++) {
		const struct metric *mt = metrics_get(&s->cells[i].m, col);

		if (!mt)
			continue;
		*lo = mt->value < *lo ? mt->value : *lo;
		*hi = mt->value > *hi ? mt->value : *hi;
	}
	if (*hi > *lo)
		return 1;
	*hi = *lo + 1;
	return 0;
}

/* The title of a metric's panel: its name and its range as the table
 * writes values. */
static void metric_title(const struct msvg *m, int k, double x, double y,
			 const char *what)
{
	char lo[32], hi[32];
	double vlo, vhi;
	int ms = 0, i, spread;

	spread = metric_range(m->s, m->s->cols[k], &vlo, &vhi);
	for (i = 0; i < m->s->ncells; i++) {
		const struct metric *mt =
			metrics_get(&m->s->cells[i].m, m->s->cols[k]);

		ms |= mt && mt->ms;
	}
	matrix_value_text(vlo, ms, lo, sizeof(lo));
	matrix_value_text(vhi, ms, hi, sizeof(hi));
	fprintf(m->f, "<text x='%.1f' y='%.1f' class='h'>", x, y);
	report_svg_text(m->f, m->s->cols[k]);
	fprintf(m->f, "<tspan dx='8' class='ax' font-weight='normal'>");
	if (spread)
		fprintf(m->f, "%s%s to %s</tspan></text>\n", what, lo, hi);
	else
		fprintf(m->f, "all %s</tspan></text>\n", lo);
}

/* One cell's mark for metric @col: a rect with the cell's tooltip, and
 * its value written at (@tx, @ty) in @ink. */
static void cell_mark(const struct msvg *m, const struct matrix_cell *c,
		      const char *col, double x, double y, double w, double h,
		      const char *fill, double tx, double ty, const char *ink)
{
	const struct metric *mt = metrics_get(&c->m, col);
	char v[32];

	matrix_metric_text(c, col, v, sizeof(v));
	fprintf(m->f, "<g><title>");
	report_svg_text(m->f, c->name);
	fprintf(m->f, ": ");
	axis_values(m, c->values, m->o->naxes);
	fprintf(m->f, ": ");
	report_svg_text(m->f, col);
	fprintf(m->f, " %s</title><rect class='cell' data-cell='", v);
	report_svg_text(m->f, c->name);
	fprintf(m->f, "' data-metric='");
	report_svg_text(m->f, col);
	if (mt)
		fprintf(m->f, "' data-value='%.17g", mt->value);
	fprintf(m->f,
		"' x='%.1f' y='%.1f' width='%.1f' height='%.1f' "
		"fill='%s'/><text x='%.1f' y='%.1f' text-anchor='middle' "
		"class='ax' style='fill:%s'>%s</text></g>\n",
		x, y, w, h, fill, tx, ty, ink, v);
}

/* A shade from light (@t 0) to dark blue (@t 1) as #rrggbb. */
static void heat_colour(double t, char *buf, size_t len)
{
	static const int from[3] = {0xf2, 0xf6, 0xfc},
			 to[3] = {0x08, 0x30, 0x6b};
	int rgb[3], i;

	t = t < 0 ? 0 : t > 1 ? 1 : t;
	for (i = 0; i < 3; i++)
		rgb[i] = (int)(from[i] + (to[i] - from[i]) * t + 0.5);
	snprintf(buf, len, "#%02x%02x%02x", rgb[0], rgb[1], rgb[2]);
}

/* The frame of map @mi of a metric whose block starts at (@px, @y0):
 * its caption (the other axes' values), its columns' and rows' values.
 * Return: its cells' top left corner in *x, *y. */
static void map_frame(const struct msvg *m, int mi, const int *vals, double px,
		      int y0, double *x, double *y)
{
	const struct matrix_opts *o = m->o;
	const struct matrix_axis *ra = &o->axes[o->naxes - 2];
	const struct matrix_axis *ca = &o->axes[o->naxes - 1];
	double x0 = px + (mi % m->per_line) * (m->mapw + MSVG_GAP);
	double top = y0 + MSVG_TITLE + (double)(mi / m->per_line) * m->maph;
	int k;

	if (m->caption) {
		fprintf(m->f, "<text x='%.1f' y='%.1f' class='ax'>", x0,
			top + 11);
		axis_values(m, vals, o->naxes - 2);
		fprintf(m->f, "</text>\n");
	}
	*x = x0 + m->labelw;
	*y = top + m->caption + 18;
	for (k = 0; k < m->cols; k++)
		value_label(m, *x + (k + 0.5) * m->cellw, *y - 5, "middle", ca,
			    k);
	for (k = 0; k < m->rows; k++)
		value_label(m, *x - 6, *y + k * MSVG_CELL_H + 15, "end", ra, k);
}

/* The small multiple a cell is in: its values of every axis but the
 * last two, in row-major order. */
static int map_of(const struct matrix_opts *o, const struct matrix_cell *c)
{
	int a, mi = 0;

	for (a = 0; a < o->naxes - 2; a++)
		mi = mi * o->axes[a].nvalues + c->values[a];
	return mi;
}

/* Metric @k as heat maps, in its place of the grid of metrics. */
static void msvg_maps(const struct msvg *m, int k)
{
	const char *col = m->s->cols[k];
	double px = MSVG_MARGIN + (k % m->per_row) * (m->panelw + 2 * MSVG_GAP);
	int y0 = MSVG_HEAD + k / m->per_row * m->block;
	double lo, hi, x, y;
	char fill[8];
	int i, mi;

	metric_range(m->s, col, &lo, &hi);
	metric_title(m, k, px, y0 + 14, "light to dark: ");
	for (mi = 0; mi < m->nmaps; mi++) {
		int first = -1;

		/* The map's frame from its first cell's values. */
		for (i = 0; i < m->s->ncells && first < 0; i++)
			if (map_of(m->o, &m->s->cells[i]) == mi)
				first = i;
		if (first >= 0)
			map_frame(m, mi, m->s->cells[first].values, px, y0, &x,
				  &y);
		for (i = first < 0 ? m->s->ncells : first; i < m->s->ncells;
		     i++) {
			const struct matrix_cell *c = &m->s->cells[i];
			const struct metric *mt = metrics_get(&c->m, col);
			int r = c->values[m->o->naxes - 2];
			int cc = c->values[m->o->naxes - 1];
			double t = mt ? (mt->value - lo) / (hi - lo) : 0;

			if (map_of(m->o, c) != mi)
				continue;
			heat_colour(t, fill, sizeof(fill));
			cell_mark(m, c, col, x + cc * m->cellw,
				  y + r * MSVG_CELL_H, m->cellw - 2,
				  MSVG_CELL_H - 2, mt ? fill : MSVG_MISSING,
				  x + (cc + 0.5) * m->cellw,
				  y + r * MSVG_CELL_H + 15,
				  t > 0.45 ? "white" : "#222");
		}
	}
}

/* Metric @k as a bar chart over the one axis, in panel @k of the grid. */
static void msvg_bars(const struct msvg *m, int k)
{
	const struct matrix_axis *ax = &m->o->axes[0];
	double pw = (double)(MSVG_W - 2 * MSVG_MARGIN) / MSVG_PANELS;
	double x0 = MSVG_MARGIN + (k % MSVG_PANELS) * pw;
	double y0 = MSVG_HEAD + (double)(k / MSVG_PANELS) * MSVG_PANEL;
	double slot = (pw - 30) / ax->nvalues, base = y0 + 36 + MSVG_PLOT;
	double bw = slot * 0.7 > 60 ? 60 : slot * 0.7, lo, hi;
	int i;

	metric_range(m->s, m->s->cols[k], &lo, &hi);
	metric_title(m, k, x0, y0 + 14, "");
	fprintf(m->f,
		"<line x1='%.1f' y1='%.1f' x2='%.1f' y2='%.1f' "
		"stroke='#444'/>\n",
		x0 + 10, base, x0 + pw - 20, base);
	for (i = 0; i < ax->nvalues; i++)
		value_label(m, x0 + 10 + (i + 0.5) * slot, base + 14, "middle",
			    ax, i);
	for (i = 0; i < m->s->ncells; i++) {
		const struct matrix_cell *c = &m->s->cells[i];
		const struct metric *mt = metrics_get(&c->m, m->s->cols[k]);
		double h = mt ? (mt->value - lo) / (hi - lo) * MSVG_PLOT
			      : MSVG_PLOT;
		double x = x0 + 10 + (c->values[0] + 0.5) * slot;

		/* A zero still shows, as a line on the base. */
		h = h < 1 ? 1 : h;
		cell_mark(m, c, m->s->cols[k], x - bw / 2, base - h, bw, h,
			  mt ? "#1d4e89" : MSVG_MISSING, x,
			  mt ? base - h - 4 : base - 4, "#222");
	}
}

/* The picture's title and what its axes are. */
static void msvg_head(const struct msvg *m)
{
	const struct matrix_opts *o = m->o;
	const struct matrix_sweep *s = m->s;
	int a;

	fprintf(m->f,
		"<text x='%d' y='18' class='h'>natlab matrix: %d "
		"cells",
		MSVG_MARGIN, s->ncells);
	if (s->ncells) {
		fprintf(m->f, " (labs ");
		report_svg_text(m->f, s->cells[0].name);
		fprintf(m->f, " to ");
		report_svg_text(m->f, s->cells[s->ncells - 1].name);
		fputc(')', m->f);
	}
	fprintf(m->f, ", %d metrics, each on its own scale</text>\n", s->ncols);
	fprintf(m->f, "<text x='%d' y='38'>", MSVG_MARGIN);
	if (o->naxes == 1) {
		fprintf(m->f, "a bar per value of ");
		report_svg_text(m->f, o->axes[0].key);
		fprintf(m->f, ", its value over it</text>\n");
		return;
	}
	fprintf(m->f, "rows: ");
	report_svg_text(m->f, o->axes[o->naxes - 2].key);
	fprintf(m->f, " (its values at the left); columns: ");
	report_svg_text(m->f, o->axes[o->naxes - 1].key);
	fprintf(m->f, " (on top)");
	for (a = 0; a < o->naxes - 2; a++) {
		fprintf(m->f, a ? " and " : "; a map for each value of ");
		report_svg_text(m->f, o->axes[a].key);
	}
	fprintf(m->f, "</text>\n");
}

int matrix_svg(FILE *f, const struct matrix_opts *o,
	       const struct matrix_sweep *s)
{
	struct msvg m = {.f = f, .o = o, .s = s};
	int k;

	if (o->naxes >= 2) {
		msvg_layout_maps(&m);
	} else {
		m.width = MSVG_W;
		m.height = MSVG_HEAD +
			   (s->ncols + MSVG_PANELS - 1) / MSVG_PANELS *
				   MSVG_PANEL +
			   10;
	}
	report_svg_open(f, m.width, m.height);
	msvg_head(&m);
	for (k = 0; k < s->ncols; k++) {
		if (o->naxes >= 2)
			msvg_maps(&m, k);
		else
			msvg_bars(&m, k);
	}
	fprintf(f, "</svg>\n");
	return ferror(f) ? -EIO : 0;
}
