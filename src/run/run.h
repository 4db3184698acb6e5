/* run.h - natlab run: up, engine, traffic, measure, report, down. */
#ifndef NATLAB_RUN_H
#define NATLAB_RUN_H

#include "topo/topo.h"

struct run_opts {
	const char *json;	 /* --json FILE */
	const char *csv;	 /* --csv FILE */
	const char *svg;	 /* --svg FILE */
	const char *pcap;	 /* --pcap DIR */
	const char *metrics_out; /* every metric, "name value ms" lines */
};

/**
 * run_main() - build the lab, run its traffic, report, remove the lab
 * Return: 0; 1 if an expectation failed; -EINVAL for bad input (an output
 * that cannot be written); -EINTR if interrupted; other -errno.
 */
int run_main(const struct topo *t, const char *topo_path,
	     const struct run_opts *o);

#endif
