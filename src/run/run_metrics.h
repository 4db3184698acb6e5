/* run_metrics.h - a run's metrics, from what it measured: the
 * generator's records, the capture, the kernel's and the engine's
 * counters. */
#ifndef NATLAB_RUN_METRICS_H
#define NATLAB_RUN_METRICS_H

#include "run/counters.h"
#include "run/report.h"
#include "run/traffic.h"

/* What the engine's emulated tcp_tw_recycle of one node counted (the
 * engine's file; docs/RECYCLE.md has the rules). */
struct run_legacy_in {
	double remembered;	  /* peer entries written */
	double remembered_at_ack; /* of those, at the ACK of its FIN */
	double tw_rearmed;	  /* TIME_WAITs re-armed to 60 s */
	double syn_spared;	  /* SYNs a socket or a cookie kept from it */
	double pressure_drops;	  /* 2.6.32's queue-pressure drops */
	double seeded;		  /* SYNs out with a seeded TSecr */
};

/* What a run read of a server the traffic reaches, or of a node with the
 * emulated tcp_tw_recycle, besides its kernel counters and the capture. */
struct run_server_in {
	struct tr_server_stats listener; /* its built-in server's */
	double paws_drops;   /* SYNs the engine's emulated PAWS dropped */
	double listen_drops; /* of those, the ones the model's kernel
				counted in ListenDrops (4.4's) */
	double tw_shortened; /* TIME_WAITs the engine's recycle cut short */
	struct run_legacy_in legacy;
};

/* What a run read besides its records and capture (which struct run_data
 * holds). */
struct run_measured {
	/* Every node's kernel counters before and after the traffic, in
	 * topology order. */
	const struct counters *before, *after;
	/* By node index: each server the traffic reaches (the target, or
	 * a target balancer's servers) and each node with the emulated
	 * tcp_tw_recycle; the others' are not read. */
	const struct run_server_in *servers;
};

/**
 * run_metrics_compute() - set every metric of a run in d->m: each
 * client's and all clients' ("clients."), the target server's (or each
 * server's of a target balancer), each balancer's, and each gateway's
 * (the names are the README's)
 * @d: the run: its topology, records and capture (d->cap may be NULL;
 *     then the SYN-level counts are 0)
 * @in: the counters
 *
 * No I/O: everything comes from @d and @in.
 */
void run_metrics_compute(struct run_data *d, const struct run_measured *in);

#endif
