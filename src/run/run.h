/* run.h - natlab run: up, traffic, measure, down, report. */
#ifndef NATLAB_RUN_H
#define NATLAB_RUN_H

#include "topo/topo.h"

struct run_opts {
	const char *json;	 /* --json FILE */
	const char *csv;	 /* --csv FILE */
	const char *svg;	 /* --svg FILE */
	const char *pcap;	 /* --pcap DIR */
	const char *metrics_out; /* every metric, "name value ms" lines */
	/* --clients: the clients' rows of the table (report_clients_parse():
	 * REPORT_CLIENTS_AUTO, which is 0, REPORT_CLIENTS_ALL, or N worst) */
	int clients;
};

/**
 * run_main() - build the lab, run its traffic, remove the lab, report:
 * the table and the expectations on stdout, then the files of @o
 * @topo_path: the topology's file name, for the reports
 *
 * A run that does not finish reports nothing and removes the output
 * files it created.
 * Return: 0; 1 if an expectation failed; -EINVAL for bad input (a lab
 * with no server, an output or pcap directory that cannot be written);
 * -EIO if an output file could not be written; -EINTR if interrupted;
 * other -errno from building or removing the lab, or from the traffic.
 */
int run_main(const struct topo *t, const char *topo_path,
	     const struct run_opts *o);

#endif
