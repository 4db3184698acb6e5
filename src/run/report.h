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

/* How many clients' rows the terminal table shows (natlab run
 * --clients): up to REPORT_MANY clients, every one's; past that, a
 * summary of them all and the REPORT_WORST worst. */
#define REPORT_MANY	    32
#define REPORT_WORST	    10
#define REPORT_CLIENTS_AUTO 0	  /* --clients auto, the default */
#define REPORT_CLIENTS_ALL  (-1)  /* --clients all: every client's */
#define REPORT_CLIENTS_MAX  65535 /* --clients N: the N worst, N <= this */

/**
 * report_clients_parse() - the argument of --clients: "auto", "all", or
 * a number N of worst clients to show (1 .. REPORT_CLIENTS_MAX)
 * @clients: set to REPORT_CLIENTS_AUTO, REPORT_CLIENTS_ALL or N
 * Return: 0, or -EINVAL for anything else (@clients unchanged).
 */
int report_clients_parse(const char *s, int *clients);

/**
 * report_table() - the terminal table: the clients (report_table_clients()),
 * then the servers the traffic reached, balancers and gateways
 * @clients: REPORT_CLIENTS_AUTO, REPORT_CLIENTS_ALL or a number of worst
 *           clients (report_clients_parse())
 */
void report_table(FILE *f, const struct run_data *d, int clients);

/**
 * report_table_clients() - the clients' part of the table: with
 * REPORT_CLIENTS_AUTO and at most REPORT_MANY clients, or with
 * REPORT_CLIENTS_ALL, a row per client in topology order (after a summary
 * when they are more than REPORT_MANY); otherwise a summary of every
 * client (how many lost SYNs, the distributions of SYN drops,
 * retransmissions and failures per client and of the connect times) and
 * the rows of the worst (REPORT_WORST, or @clients of them); last, the
 * row of all clients
 */
void report_table_clients(FILE *f, const struct run_data *d, int clients);

/**
 * report_clients_worst() - the clients' node indices, worst first: most
 * SYNs dropped, then most failed attempts, most SYN retransmissions,
 * slowest connect, then topology order
 * @nodes: room for every node of d->t
 * Return: the number of clients.
 */
int report_clients_worst(const struct run_data *d, int *nodes);

/* report_metric() - the value of metric "<node>.<name>", 0 if the run
 * has none. */
double report_metric(const struct run_data *d, const char *node,
		     const char *name);

/* report_fmt_ms() - a duration for people into @buf: "12.3ms", "1.50s".
 * Return: @buf. */
const char *report_fmt_ms(double ms, char *buf, size_t len);

/* Every expectation with its measured value, "PASS"/"FAIL". */
void report_expects(FILE *f, const struct run_data *d);

/**
 * report_json() - the run as JSON (schema REPORT_SCHEMA, described by
 * docs/schemas/natlab-run.schema.json): nodes, metrics, expectations,
 * and every connection with its SYNs
 * Return: 0, or -EIO if @f had a write error or memory ran out.
 */
int report_json(FILE *f, const struct run_data *d);

/**
 * report_csv() - one row per connection attempt, after a header row
 * Return: 0, or -EIO if @f had a write error.
 */
int report_csv(FILE *f, const struct run_data *d);

#endif
