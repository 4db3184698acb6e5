/* report.h - a run's report: the table, expectations, JSON and CSV, and
 * what every writer is given. */
#ifndef NATLAB_REPORT_H
#define NATLAB_REPORT_H

#include <stdint.h>
#include <stdio.h>

#include "run/capture.h"
#include "run/metrics.h"
#include "run/traffic.h"
#include "topo/topo.h"

#define REPORT_SCHEMA "natlab-run/1"

/* What the legacy server remembered or dropped (from the engine). */
struct tl_event {
	uint32_t t_ms; /* since the run began */
	uint32_t peer; /* the remote address the server saw */
	uint32_t ts;   /* remembered TSval, or the dropped SYN's */
	uint8_t drop;  /* 0: remembered, 1: a SYN dropped */
};

/* Everything a run produced, for the writers. */
struct run_data {
	const struct topo *t;
	const char *topo_path;
	const struct tr_rec *recs;
	uint32_t nrecs;
	const struct capture *cap; /* NULL if the capture failed */
	struct metrics m;
	struct expect_result *expects;
	int nexpects, failed;
	uint64_t elapsed_us;
	char kernel[128];
	char engine_queue[32];	    /* "xt-NFQUEUE", "nft-queue", "" */
	char engine_clock_path[32]; /* "bpf", "nfqueue", "bpf+nfqueue", "-" */
	char legacy_how[64];	    /* "emulated (4.4)", "" */
	const char *outdir_pcap;
	struct tl_event *tl;
	int ntl;
};

/**
 * report_rec_syns() - the capture's record of connection @r's SYNs
 * Return: the record (owned by d->cap), or NULL if there is no capture or
 * it did not see the connection.
 */
const struct cap_syn *report_rec_syns(const struct run_data *d,
				      const struct tr_rec *r);

/* The terminal table: clients as rows, then servers and gateways. */
void report_table(FILE *f, const struct run_data *d);

/* Every expectation with its measured value, "PASS"/"FAIL". */
void report_expects(FILE *f, const struct run_data *d);

/* JSON (schema REPORT_SCHEMA, documented in the README).  Return: 0 or
 * -errno. */
int report_json(FILE *f, const struct run_data *d);

/* CSV: one row per connection attempt. */
int report_csv(FILE *f, const struct run_data *d);

/* Write a JSON string (quotes and escapes), for tests and writers. */
void report_json_string(FILE *f, const char *s);

#endif
