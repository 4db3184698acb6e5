/* report_svg_int.h - what the pictures share: the page's geometry, the
 * svg element and its styles, XML text, the answers' colours, the time
 * axis, a run's head and the legacy server's panel (report_svg.c), for
 * the picture of many clients (report_svg_many.c) and a matrix's
 * (matrix_svg.c). */
#ifndef NATLAB_REPORT_SVG_INT_H
#define NATLAB_REPORT_SVG_INT_H

#include <stdio.h>

#include "run/report.h"

#define SVG_W	      1100
#define SVG_LEFT      150 /* the plots' left edge; labels before it */
#define SVG_RIGHT     30
#define SVG_LANE      24
#define SVG_MARKS_MAX 20000 /* SYN marks or dots drawn at most */
#define SVG_PANEL     240   /* the legacy server's panel's height */
#define SVG_TOP	      70    /* the first lane, or the first plot */

/* report_svg_open() - the svg element of a picture @width by @height,
 * the styles every picture uses (.ax: an axis's small grey text, .h: a
 * title), and its white ground; the picture ends with "</svg>\n". */
void report_svg_open(FILE *f, int width, int height);

/* report_svg_text() - @s as XML text or attribute value (single or
 * double quotes): & < > ' " escaped, control characters as '?'. */
void report_svg_text(FILE *f, const char *s);

/* The colour of each enum cap_answer. */
extern const char *const report_svg_color[];

/* report_svg_x() - the x of @ms on a time axis of @span ms. */
double report_svg_x(double ms, double span);

/* report_svg_axis() - a time axis of @span ms at height @y, with round
 * ticks (ms, or s from 2 s up). */
void report_svg_axis(FILE *f, double span, int y);

/**
 * report_svg_head() - the svg element, the title and the answers' legend
 * @height: the picture's
 * @what: the end of the title, after "lab NAME, N connections, "
 * @marks: the picture marks every SYN (the legend shows a retransmission)
 */
void report_svg_head(FILE *f, const struct run_data *d, int height,
		     const char *what, int marks);

/* report_svg_tsval() - the legacy server's panel from @y0 (SVG_PANEL
 * high): the TSvals it remembered per peer, and those of the SYNs it
 * dropped and answered; d->ntl must not be 0. */
void report_svg_tsval(FILE *f, const struct run_data *d, double span, int y0);

/**
 * report_svg_many() - the picture of a run of many clients: the SYN
 * transmissions over time, stacked by answer; how many clients lost how
 * many SYNs; how many connections took how long to connect; and the
 * legacy server's panel if the engine logged one
 * @span: the time axis, ms
 */
void report_svg_many(FILE *f, const struct run_data *d, double span);

#endif
