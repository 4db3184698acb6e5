/* report.h - a run's report: the terminal table and expectations, the
 * JSON and CSV files, and what every writer is given. */
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
	/* How the target server's tcp_tw_recycle is had: "native (...)",
	 * "emulated, model 4.4 (...)"; "" if it is off (report_legacy_how();
	 * a target balancer's: its first server's) */
	char legacy_how[64];
	int legacy_native; /* the kernel has tcp_tw_recycle of its own */
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

/**
 * report_rec_answers() - count how the server answered connection @r's
 * SYN transmissions (the first CAP_TX_MAX of them), as the capture saw
 * them; nothing is counted without a capture
 * @dropped: incremented for each that reached the server unanswered
 * @twack: incremented for each answered by a TIME_WAIT socket's ACK
 */
void report_rec_answers(const struct run_data *d, const struct tr_rec *r,
			int *dropped, int *twack);

/**
 * report_legacy_how() - how server @srv's tcp_tw_recycle is had, for the
 * reports: "native (this kernel has tcp_tw_recycle)", "emulated, model
 * 4.4 (this kernel has no tcp_tw_recycle)", or "" if it has none
 * @buf: where, @len bytes; @native: the kernel has one of its own
 */
void report_legacy_how(char *buf, size_t len, const struct topo_node *srv,
		       int native);

/* The terminal table: clients as rows, then the servers the traffic
 * reached, balancers and gateways. */
void report_table(FILE *f, const struct run_data *d);

/* Every expectation with its measured value, "PASS"/"FAIL". */
void report_expects(FILE *f, const struct run_data *d);

/**
 * report_json() - the run as JSON (schema REPORT_SCHEMA, documented in
 * the README): nodes, metrics, expectations, and every connection with
 * its SYNs
 * Return: 0, or -EIO if @f had a write error.
 */
int report_json(FILE *f, const struct run_data *d);

/**
 * report_csv() - one row per connection attempt, after a header row
 * Return: 0, or -EIO if @f had a write error.
 */
int report_csv(FILE *f, const struct run_data *d);

/* Write @s as a JSON string: quoted, with '"', '\\' and control
 * characters escaped; for every writer of JSON. */
void report_json_string(FILE *f, const char *s);

#endif
