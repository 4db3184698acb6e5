/* report_svg.h - a run as a picture: every SYN on its client's lane, or
 * for many clients their aggregates, and what the legacy server
 * remembered. */
#ifndef NATLAB_REPORT_SVG_H
#define NATLAB_REPORT_SVG_H

#include <stdio.h>

#include "run/report.h"

/**
 * report_svg() - an SVG timeline of the run: up to REPORT_MANY clients,
 * a lane per client, each SYN transmission a mark coloured by its answer
 * (the first 20,000 marks); past that, in aggregate: the SYN
 * transmissions over time stacked by answer, a histogram of the clients
 * by SYNs dropped and one of the connections by connect time; below
 * either, if the engine logged any, the TSvals the legacy server
 * remembered and the SYNs it dropped
 * Return: 0, or -EIO if @f had a write error.
 */
int report_svg(FILE *f, const struct run_data *d);

#endif
