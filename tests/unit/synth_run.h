/* synth_run.h - a synthetic run of many clients for the unit tests and
 * the report benchmark: a lab's topology, the generator's records, a
 * capture fed frame by frame, and the run's metrics. */
#ifndef NATLAB_SYNTH_RUN_H
#define NATLAB_SYNTH_RUN_H

#include "run/report.h"
#include "topo/topo.h"

/* A run of @clients clients behind one masquerading gateway, @conns
 * connections each, as natlab run would hold it before its reports. */
struct synth_run {
	struct topo t;
	struct tr_rec *recs;
	struct capture *cap;
	struct run_data d;
};

/*
 * synth_run_drops() - how many SYNs of connection @k of the @i-th client
 * (0-based) the server dropped before it answered one: clients 3, 13, 23,
 * ... lose 1 to 3 per connection, the middle client 4 per connection,
 * the others none.  Every connection ends established.
 */
int synth_run_drops(int clients, int i, int k);

/**
 * synth_run_make() - build the run: parse the topology, make the records
 * and feed the capture the frames of every SYN transmission and answer
 * Return: 0, or -EINVAL if the topology does not parse (its errors are
 * printed).  synth_run_free() frees it either way.
 */
int synth_run_make(struct synth_run *s, int clients, int conns);

/* synth_run_metrics() - the run's metrics in s->d.m, replacing any
 * (run_metrics_compute(), every counter 0). */
void synth_run_metrics(struct synth_run *s);

/* synth_run_free() - free what synth_run_make() made. */
void synth_run_free(struct synth_run *s);

#endif
