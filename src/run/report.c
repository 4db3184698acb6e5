/* report.c - a run's report: the terminal table and expectations, the
 * JSON and CSV files. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/util.h"
#include "run/report.h"

/*
 * Every writer reads the same struct run_data and writes what it holds,
 * nothing else: the numbers come from the metrics (run_metrics.c), the
 * per-connection rows from the generator's records, and the per-SYN
 * detail from the capture, found again by client and port.  A metric the
 * run did not produce is shown as 0 in the table.
 */

const struct cap_syn *report_rec_syns(const struct run_data *d,
				      const struct tr_rec *r)
{
	return d->cap ? capture_find(d->cap, r->client, r->sport, r->start_us,
				     r->end_us)
		      : NULL;
}

void report_rec_answers(const struct run_data *d, const struct tr_rec *r,
			int *dropped, int *twack)
{
	const struct cap_syn *s = report_rec_syns(d, r);
	int k;

	for (k = 0; s && k < s->ntx && k < CAP_TX_MAX; k++) {
		enum cap_answer a = capture_answer(d->cap, s, k);

		*dropped += a == CAP_NONE;
		*twack += a == CAP_TWACK;
	}
}

double report_metric(const struct run_data *d, const char *node,
		     const char *name)
{
	char full[64];
	const struct metric *m;

	snprintf(full, sizeof(full), "%s.%s", node, name);
	m = metrics_get(&d->m, full);
	return m ? m->value : 0;
}

const char *report_fmt_ms(double ms, char *buf, size_t len)
{
	if (ms >= 1000)
		snprintf(buf, len, "%.2fs", ms / 1000);
	else
		snprintf(buf, len, "%.1fms", ms);
	return buf;
}

void report_legacy_how(char *buf, size_t len, const struct topo_node *srv,
		       int native)
{
	if (!srv->legacy.recycle)
		snprintf(buf, len, "%s", "");
	else if (native)
		snprintf(buf, len, "native (this kernel has tcp_tw_recycle)");
	else
		snprintf(buf, len,
			 "emulated, model %s (this kernel has no "
			 "tcp_tw_recycle)",
			 topo_legacy_model_name(srv->legacy.model));
}

/* A server's line (the first after a blank line): its SYNs, where the
 * unanswered ones went, its TIME_WAIT sockets; and how its
 * tcp_tw_recycle is had. */
static void table_server(FILE *f, const struct run_data *d,
			 const struct topo_node *n, int first)
{
	char a[16], how[64];

	fprintf(f,
		"%sserver %s: SYNs in %.0f, SYN-ACKs out %.0f, "
		"dropped silently %.0f (emulated PAWS %.0f, listen "
		"overflow %.0f, other %.0f), rejected by PAWS in "
		"TIME_WAIT %.0f (answered with an ACK %.0f); TIME_WAIT "
		"sockets at the end %.0f (bucket overflows %.0f)",
		first ? "\n" : "", n->name, report_metric(d, n->name, "syn_in"),
		report_metric(d, n->name, "synack_out"),
		report_metric(d, n->name, "syn_dropped"),
		report_metric(d, n->name, "paws_passive"),
		report_metric(d, n->name, "listen_overflows"),
		report_metric(d, n->name, "syn_dropped_other"),
		report_metric(d, n->name, "paws_timewait"),
		report_metric(d, n->name, "twack_out"),
		report_metric(d, n->name, "timewait"),
		report_metric(d, n->name, "tw_overflow"));
	if (n->legacy.recycle)
		fprintf(f, ", cut short by tcp_tw_recycle %.0f",
			report_metric(d, n->name, "tw_shortened"));
	fprintf(f, "\n");
	if (!n->legacy.recycle)
		return;
	/* The target's own is the run's; a balancer's servers say theirs. */
	if (n != &d->t->nodes[d->t->traffic.server])
		report_legacy_how(how, sizeof(how), n, d->legacy_native);
	fprintf(f, "  tcp_tw_recycle: %s",
		n == &d->t->nodes[d->t->traffic.server] ? d->legacy_how : how);
	if (n->legacy.paws_msl_ms != 60000)
		fprintf(f, ", PAWS window %s (the kernels: 60s)",
			report_fmt_ms(n->legacy.paws_msl_ms, a, sizeof(a)));
	fprintf(f, "\n");
}

/* A balancer's line: how it spreads, what each server got, its
 * conntrack counts. */
static void table_balancer(FILE *f, const struct run_data *d,
			   const struct topo_node *n)
{
	char name[8 + TOPO_NODE_MAX];
	int k;

	fprintf(f, "balancer %s (%s, %s): connections", n->name,
		topo_lb_mode_name(n->lb.mode),
		topo_lb_schedule_name(n->lb.schedule));
	for (k = 0; k < n->lb.nservers; k++) {
		const char *s = d->t->nodes[n->lb.servers[k]].name;

		snprintf(name, sizeof(name), "conns.%s", s);
		fprintf(f, "%s %s %.0f", k ? "," : "", s,
			report_metric(d, n->name, name));
	}
	fprintf(f, "; conntrack insert failures %.0f, entries %.0f\n",
		report_metric(d, n->name, "insert_failed"),
		report_metric(d, n->name, "conntrack"));
}

void report_table(FILE *f, const struct run_data *d, int clients)
{
	const struct topo *t = d->t;
	const int *srv;
	int i, nsrv;

	report_table_clients(f, d, clients);
	nsrv = topo_target_servers(t, &srv);
	for (i = 0; i < nsrv; i++)
		table_server(f, d, &t->nodes[srv[i]], i == 0);
	for (i = 0; i < t->nnodes; i++)
		if (t->nodes[i].kind == TOPO_BALANCER)
			table_balancer(f, d, &t->nodes[i]);
	for (i = 0; i < t->nnodes; i++) {
		const struct topo_node *n = &t->nodes[i];

		if (n->kind != TOPO_GATEWAY)
			continue;
		fprintf(f,
			"gateway %s: mappings %.0f, external ports reused "
			"%.0f, conntrack insert failures %.0f, entries %.0f\n",
			n->name, report_metric(d, n->name, "mappings"),
			report_metric(d, n->name, "port_reuse"),
			report_metric(d, n->name, "insert_failed"),
			report_metric(d, n->name, "conntrack"));
	}
}

void report_expects(FILE *f, const struct run_data *d)
{
	int i;

	if (!d->nexpects)
		return;
	fprintf(f, "\nexpectations (%s):\n", d->topo_path);
	for (i = 0; i < d->nexpects; i++) {
		const struct expect_result *r = &d->expects[i];

		fprintf(f, "  %s  line %-4d %-36s measured %g%s\n",
			r->pass ? "PASS" : "FAIL", r->e->line, r->e->text,
			r->value, r->e->duration ? "ms" : "");
	}
	fprintf(f, "%d of %d expectations failed\n", d->failed, d->nexpects);
}

void report_json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			fprintf(f, "\\%c", ch);
		else if (ch == '\n')
			fputs("\\n", f);
		else if (ch < 0x20)
			fprintf(f, "\\u%04x", ch);
		else
			fputc(ch, f);
	}
	fputc('"', f);
}

static const char *answer_name(int a)
{
	static const char *const names[] = {"none", "synack", "twack", "rst",
					    "lost"};

	return a >= 0 && a < 5 ? names[a] : "?";
}

/* Numbers in JSON: integers without a fraction, others with 3 decimals
 * when those give the same double back (a duration in whole
 * microseconds), else with 17 significant digits: whoever reads a report
 * back (natlab matrix --collect) gets the very value the run had. */
static void json_num(FILE *f, double v)
{
	char buf[32];

	if (!isfinite(v)) {
		fputs("null", f); /* JSON has no NaN or infinity */
		return;
	}
	if (v == floor(v) && fabs(v) < 1e15) {
		fprintf(f, "%.0f", v);
		return;
	}
	snprintf(buf, sizeof(buf), "%.3f", v);
	if (strtod(buf, NULL) != v)
		snprintf(buf, sizeof(buf), "%.17g", v);
	fputs(buf, f);
}

/* A balancer's fields of "nodes": its backend address, mode, schedule
 * and servers (its "address" is its virtual address). */
static void json_balancer(FILE *f, const struct topo *t,
			  const struct topo_node *n)
{
	char addr[16];
	int k;

	fprintf(f,
		", \"backend_address\": \"%s\", \"mode\": \"%s\", "
		"\"schedule\": \"%s\", \"servers\": [",
		util_ipv4_str(n->ifs[1].addr, addr),
		topo_lb_mode_name(n->lb.mode),
		topo_lb_schedule_name(n->lb.schedule));
	for (k = 0; k < n->lb.nservers; k++) {
		fprintf(f, "%s", k ? ", " : "");
		report_json_string(f, t->nodes[n->lb.servers[k]].name);
	}
	fprintf(f, "]");
}

/* "nodes": each node's name, kind and address, with a client's or a
 * server's clock and legacy settings, and a balancer's servers. */
static void json_nodes(FILE *f, const struct topo *t)
{
	int k;

	fprintf(f, ",\n  \"nodes\": [");
	for (k = 0; k < t->nnodes; k++) {
		const struct topo_node *n = &t->nodes[k];
		char addr[16];

		fprintf(f, "%s\n    {\"name\": ", k ? "," : "");
		report_json_string(f, n->name);
		fprintf(f, ", \"kind\": \"%s\", \"address\": \"%s\"",
			topo_kind_name(n->kind),
			util_ipv4_str(n->ifs[0].addr, addr));
		if (n->kind == TOPO_CLIENT || n->kind == TOPO_SERVER)
			fprintf(f,
				", \"tsclock\": \"%s\", \"ts_offset_ms\": %lld, "
				"\"ts_skew_ppm\": %d",
				topo_tsclock_name(n->clock.mode),
				(long long)n->clock.offset_ms,
				n->clock.skew_ppm);
		if (n->kind == TOPO_CLIENT || n->kind == TOPO_SERVER)
			fprintf(f,
				", \"legacy_tcp_tw_recycle\": %d, "
				"\"legacy_model\": \"%s\", "
				"\"legacy_paws_msl_ms\": %u",
				n->legacy.recycle,
				topo_legacy_model_name(n->legacy.model),
				n->legacy.paws_msl_ms);
		if (n->kind == TOPO_BALANCER)
			json_balancer(f, t, n);
		fprintf(f, "}");
	}
	fprintf(f, "\n  ]");
}

/* "metrics", in the order they were set; "durations_ms", the names of
 * those that are durations in milliseconds; and "expect", the verdicts. */
static void json_metrics(FILE *f, const struct run_data *d)
{
	int k, n;

	fprintf(f, ",\n  \"metrics\": {");
	for (k = 0; k < d->m.n; k++) {
		fprintf(f, "%s\n    ", k ? "," : "");
		report_json_string(f, d->m.v[k].name);
		fprintf(f, ": ");
		json_num(f, d->m.v[k].value);
	}
	fprintf(f, "\n  },\n  \"durations_ms\": [");
	for (k = 0, n = 0; k < d->m.n; k++) {
		if (!d->m.v[k].ms)
			continue;
		fprintf(f, "%s", n++ ? ", " : "");
		report_json_string(f, d->m.v[k].name);
	}
	fprintf(f, "],\n  \"expect\": [");
	for (k = 0; k < d->nexpects; k++) {
		const struct expect_result *r = &d->expects[k];

		fprintf(f, "%s\n    {\"line\": %d, \"expr\": ", k ? "," : "",
			r->e->line);
		report_json_string(f, r->e->text);
		fprintf(f, ", \"measured\": ");
		json_num(f, r->value);
		fprintf(f, ", \"pass\": %s}", r->pass ? "true" : "false");
	}
	fprintf(f, "\n  ]");
}

/* "connections": every attempt, with its SYNs if the capture saw it. */
static void json_connections(FILE *f, const struct run_data *d)
{
	uint32_t i;
	int k;

	fprintf(f, ",\n  \"connections\": [");
	for (i = 0; i < d->nrecs; i++) {
		const struct tr_rec *r = &d->recs[i];
		const struct cap_syn *s = report_rec_syns(d, r);

		fprintf(f, "%s\n    {\"client\": ", i ? "," : "");
		report_json_string(f, d->t->nodes[r->client].name);
		fprintf(f,
			", \"seq\": %u, \"sport\": %u, \"start_ms\": %.3f, "
			"\"connect_ms\": %.3f, \"outcome\": \"%s\", "
			"\"syn_retrans\": %u",
			r->seq, r->sport, r->start_us / 1000.0,
			r->connect_us / 1000.0,
			traffic_outcome_name((enum tr_outcome)r->outcome),
			r->syn_retrans);
		if (s) {
			fprintf(f, ", \"ext_port\": %u, \"syns\": [",
				s->ext_port);
			for (k = 0; k < s->ntx && k < CAP_TX_MAX; k++)
				fprintf(f,
					"%s{\"t_ms\": %.3f, \"answer\": \"%s\"}",
					k ? ", " : "",
					capture_tx_us(d->cap, s, k) / 1000.0,
					answer_name(
						capture_answer(d->cap, s, k)));
			fprintf(f, "]");
		}
		fprintf(f, "}");
	}
	fprintf(f, "\n  ]");
}

int report_json(FILE *f, const struct run_data *d)
{
	fprintf(f, "{\n  \"schema\": \"%s\",\n  \"lab\": ", REPORT_SCHEMA);
	report_json_string(f, d->t->name);
	fprintf(f, ",\n  \"topology\": ");
	report_json_string(f, d->topo_path);
	fprintf(f, ",\n  \"kernel\": ");
	report_json_string(f, d->kernel);
	fprintf(f, ",\n  \"elapsed_ms\": ");
	json_num(f, (double)d->elapsed_us / 1000);
	fprintf(f, ",\n  \"engine_queue\": ");
	report_json_string(f, d->engine_queue);
	fprintf(f, ",\n  \"engine_clock_path\": ");
	report_json_string(f, d->engine_clock_path);
	json_nodes(f, d->t);
	json_metrics(f, d);
	json_connections(f, d);
	fprintf(f, "\n}\n");
	return ferror(f) ? -EIO : 0;
}

int report_csv(FILE *f, const struct run_data *d)
{
	uint32_t i;

	fprintf(f, "client,seq,sport,start_ms,connect_ms,outcome,syn_retrans,"
		   "ext_port,syns_sent,syns_dropped,syns_twack\n");
	for (i = 0; i < d->nrecs; i++) {
		const struct tr_rec *r = &d->recs[i];
		const struct cap_syn *s = report_rec_syns(d, r);
		int drop = 0, tw = 0;

		report_rec_answers(d, r, &drop, &tw);
		fprintf(f, "%s,%u,%u,%.3f,%.3f,%s,%u,%u,%u,%d,%d\n",
			d->t->nodes[r->client].name, r->seq, r->sport,
			r->start_us / 1000.0, r->connect_us / 1000.0,
			traffic_outcome_name((enum tr_outcome)r->outcome),
			r->syn_retrans, s ? (unsigned int)s->ext_port : 0u,
			s ? (unsigned int)s->ntx : 0u, drop, tw);
	}
	return ferror(f) ? -EIO : 0;
}
