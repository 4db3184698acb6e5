/* report.c - a run's report: the terminal table and expectations, the
 * JSON and CSV files. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/jsondoc.h"
#include "lib/log.h"
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

static const char *answer_name(int a)
{
	static const char *const names[] = {"none", "synack", "twack", "rst",
					    "lost"};

	return a >= 0 && a < 5 ? names[a] : "?";
}

/*
 * The JSON report (docs/schemas/natlab-run.schema.json) is written by
 * jansson as a stream (lib/jsondoc.c): a line per node, metric,
 * expectation and connection, each built and freed in turn, as a large
 * run has hundreds of thousands of them.  A number with a fraction has
 * the fewest digits that give the run's very value back (15 to 17), so
 * that whoever reads a report back (natlab matrix --collect) gets it;
 * the connections' times, whole microseconds, with 15.
 */

/* A balancer's fields of "nodes": its backend address, mode, schedule
 * and servers (its "address" is its virtual address). */
static void json_balancer(json_t *o, const struct topo *t,
			  const struct topo_node *n, int *err)
{
	json_t *servers = json_array();
	char addr[16];
	int k;

	jsondoc_set(o, "backend_address",
		    json_string(util_ipv4_str(n->ifs[1].addr, addr)), err);
	jsondoc_set(o, "mode", json_string(topo_lb_mode_name(n->lb.mode)), err);
	jsondoc_set(o, "schedule",
		    json_string(topo_lb_schedule_name(n->lb.schedule)), err);
	for (k = 0; k < n->lb.nservers; k++)
		jsondoc_append(servers,
			       jsondoc_str(t->nodes[n->lb.servers[k]].name),
			       err);
	jsondoc_set(o, "servers", servers, err);
}

/* One node of "nodes": its name, kind and address, with a client's or a
 * server's clock and legacy settings, and a balancer's servers.
 * Return: the node, or NULL if memory ran out. */
static json_t *json_node(const struct topo *t, const struct topo_node *n)
{
	json_t *o = json_object();
	char addr[16];
	int err = 0;

	jsondoc_set(o, "name", jsondoc_str(n->name), &err);
	jsondoc_set(o, "kind", json_string(topo_kind_name(n->kind)), &err);
	jsondoc_set(o, "address",
		    json_string(util_ipv4_str(n->ifs[0].addr, addr)), &err);
	if (n->kind == TOPO_CLIENT || n->kind == TOPO_SERVER) {
		jsondoc_set(o, "tsclock",
			    json_string(topo_tsclock_name(n->clock.mode)),
			    &err);
		jsondoc_set(o, "ts_offset_ms", json_integer(n->clock.offset_ms),
			    &err);
		jsondoc_set(o, "ts_skew_ppm", json_integer(n->clock.skew_ppm),
			    &err);
		jsondoc_set(o, "legacy_tcp_tw_recycle",
			    json_integer(n->legacy.recycle), &err);
		jsondoc_set(
			o, "legacy_model",
			json_string(topo_legacy_model_name(n->legacy.model)),
			&err);
		jsondoc_set(o, "legacy_paws_msl_ms",
			    json_integer(n->legacy.paws_msl_ms), &err);
	}
	if (n->kind == TOPO_BALANCER)
		json_balancer(o, t, n, &err);
	if (err) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* "metrics", in the order they were set; "durations_ms", the names of
 * those that are durations in milliseconds; and "expect", the verdicts. */
static void json_metrics(struct jsondoc_stream *s, const struct run_data *d)
{
	json_t *ms = json_array();
	int k, err = 0;

	jsondoc_list(s, "metrics", 1);
	for (k = 0; k < d->m.n; k++) {
		const struct metric *m = &d->m.v[k];

		jsondoc_item(s, m->name, jsondoc_num(m->value),
			     jsondoc_exact(m->value));
		if (m->ms)
			jsondoc_append(ms, jsondoc_str(m->name), &err);
	}
	jsondoc_list_end(s);
	jsondoc_member(s, "durations_ms", err ? NULL : ms, 0);
	if (err)
		json_decref(ms);
	jsondoc_list(s, "expect", 0);
	for (k = 0; k < d->nexpects; k++) {
		const struct expect_result *r = &d->expects[k];
		json_t *e = json_object();

		jsondoc_set(e, "line", json_integer(r->e->line), &err);
		jsondoc_set(e, "expr", jsondoc_str(r->e->text), &err);
		jsondoc_set(e, "measured", jsondoc_num(r->value), &err);
		jsondoc_set(e, "pass", json_boolean(r->pass), &err);
		jsondoc_item(s, NULL, err ? NULL : e, jsondoc_exact(r->value));
		if (err)
			json_decref(e);
	}
	jsondoc_list_end(s);
}

/* One attempt of "connections", with its SYNs if the capture saw it.
 * Return: the attempt, or NULL if memory ran out. */
static json_t *json_connection(const struct run_data *d, const struct tr_rec *r)
{
	const struct cap_syn *s = report_rec_syns(d, r);
	json_t *o = json_object(), *syns;
	int k, err = 0;

	jsondoc_set(o, "client", jsondoc_str(d->t->nodes[r->client].name),
		    &err);
	jsondoc_set(o, "seq", json_integer(r->seq), &err);
	jsondoc_set(o, "sport", json_integer(r->sport), &err);
	jsondoc_set(o, "start_ms", json_real(r->start_us / 1000.0), &err);
	jsondoc_set(o, "connect_ms", json_real(r->connect_us / 1000.0), &err);
	jsondoc_set(
		o, "outcome",
		json_string(traffic_outcome_name((enum tr_outcome)r->outcome)),
		&err);
	jsondoc_set(o, "syn_retrans", json_integer(r->syn_retrans), &err);
	if (s) {
		jsondoc_set(o, "ext_port", json_integer(s->ext_port), &err);
		syns = json_array();
		for (k = 0; k < s->ntx && k < CAP_TX_MAX; k++) {
			json_t *x = json_object();
			int a = capture_answer(d->cap, s, k);

			jsondoc_set(
				x, "t_ms",
				json_real(capture_tx_us(d->cap, s, k) / 1000.0),
				&err);
			jsondoc_set(x, "answer", json_string(answer_name(a)),
				    &err);
			jsondoc_append(syns, x, &err);
		}
		jsondoc_set(o, "syns", syns, &err);
	}
	if (err) {
		json_decref(o);
		return NULL;
	}
	return o;
}

int report_json(FILE *f, const struct run_data *d)
{
	struct jsondoc_stream s;
	uint32_t i;
	int k, err;

	jsondoc_begin(&s, f);
	jsondoc_member(&s, "schema", json_string(REPORT_SCHEMA), 0);
	jsondoc_member(&s, "lab", jsondoc_str(d->t->name), 0);
	jsondoc_member(&s, "topology", jsondoc_str(d->topo_path), 0);
	jsondoc_member(&s, "kernel", jsondoc_str(d->kernel), 0);
	jsondoc_member(&s, "elapsed_ms",
		       jsondoc_num((double)d->elapsed_us / 1000),
		       JSONDOC_MICROSEC);
	jsondoc_member(&s, "engine_queue", jsondoc_str(d->engine_queue), 0);
	jsondoc_member(&s, "engine_clock_path",
		       jsondoc_str(d->engine_clock_path), 0);
	jsondoc_list(&s, "nodes", 0);
	for (k = 0; k < d->t->nnodes; k++)
		jsondoc_item(&s, NULL, json_node(d->t, &d->t->nodes[k]), 0);
	jsondoc_list_end(&s);
	json_metrics(&s, d);
	jsondoc_list(&s, "connections", 0);
	for (i = 0; i < d->nrecs && !s.err; i++)
		jsondoc_item(&s, NULL, json_connection(d, &d->recs[i]),
			     JSONDOC_MICROSEC);
	jsondoc_list_end(&s);
	err = jsondoc_end(&s);
	if (err == -ENOMEM)
		log_err("the JSON report: out of memory");
	return err ? -EIO : 0;
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
