/* report.c - a run's report: the table, expectations, JSON, CSV, SVG. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/util.h"
#include "run/report.h"

static double mget(const struct run_data *d, const char *node, const char *name)
{
	char full[64];
	const struct metric *m;

	snprintf(full, sizeof(full), "%s.%s", node, name);
	m = metrics_get(&d->m, full);
	return m ? m->value : 0;
}

/* A duration for people: "12.3ms", "1.50s". */
static const char *fmt_ms(double ms, char *buf, size_t len)
{
	if (ms >= 1000)
		snprintf(buf, len, "%.2fs", ms / 1000);
	else
		snprintf(buf, len, "%.1fms", ms);
	return buf;
}

void report_table(FILE *f, const struct run_data *d)
{
	const struct topo *t = d->t;
	char a[16], b[16], c[16];
	int i;

	fprintf(f,
		"%-8s %-14s %8s %8s %7s %8s %6s %7s %8s %7s %8s %9s %9s %9s "
		"%6s\n",
		"CLIENT", "CLOCK", "ATTEMPTS", "OK", "FAILED", "TIMEOUT",
		"RESET", "NO_PORT", "1ST_SYN", "SYN_RTX", "SYN_DROP", "P50",
		"P99", "MAX", "TW");
	for (i = 0; i < t->nnodes; i++) {
		const struct topo_node *n = &t->nodes[i];
		char clock[24];

		if (n->kind != TOPO_CLIENT)
			continue;
		if (n->clock.mode == TOPO_TS_HOST)
			snprintf(clock, sizeof(clock), "host%+lldms",
				 (long long)(int32_t)(uint32_t)
					 n->clock.offset_ms);
		else
			snprintf(clock, sizeof(clock), "%s",
				 topo_tsclock_name(n->clock.mode));
		fprintf(f,
			"%-8s %-14s %8.0f %8.0f %7.0f %8.0f %6.0f %7.0f %8.0f "
			"%7.0f %8.0f %9s %9s %9s %6.0f\n",
			n->name, clock, mget(d, n->name, "attempts"),
			mget(d, n->name, "established"),
			mget(d, n->name, "failed"),
			mget(d, n->name, "timeouts"),
			mget(d, n->name, "resets"), mget(d, n->name, "no_port"),
			mget(d, n->name, "first_syn_ok"),
			mget(d, n->name, "syn_retrans"),
			mget(d, n->name, "syn_dropped"),
			fmt_ms(mget(d, n->name, "connect_p50"), a, sizeof(a)),
			fmt_ms(mget(d, n->name, "connect_p99"), b, sizeof(b)),
			fmt_ms(mget(d, n->name, "connect_max"), c, sizeof(c)),
			mget(d, n->name, "timewait"));
	}
	fprintf(f,
		"%-8s %-14s %8.0f %8.0f %7.0f %8.0f %6.0f %7.0f %8.0f "
		"%7.0f %8.0f %9s %9s %9s %6.0f\n",
		"all", "", mget(d, "clients", "attempts"),
		mget(d, "clients", "established"), mget(d, "clients", "failed"),
		mget(d, "clients", "timeouts"), mget(d, "clients", "resets"),
		mget(d, "clients", "no_port"),
		mget(d, "clients", "first_syn_ok"),
		mget(d, "clients", "syn_retrans"),
		mget(d, "clients", "syn_dropped"),
		fmt_ms(mget(d, "clients", "connect_p50"), a, sizeof(a)),
		fmt_ms(mget(d, "clients", "connect_p99"), b, sizeof(b)),
		fmt_ms(mget(d, "clients", "connect_max"), c, sizeof(c)),
		mget(d, "clients", "timewait"));
	for (i = 0; i < t->nnodes; i++) {
		const struct topo_node *n = &t->nodes[i];

		if (n->kind != TOPO_SERVER || i != t->traffic.server)
			continue;
		fprintf(f,
			"\nserver %s: SYNs in %.0f, SYN-ACKs out %.0f, "
			"dropped silently %.0f (emulated PAWS %.0f, listen "
			"overflow %.0f, other %.0f), rejected by PAWS in "
			"TIME_WAIT %.0f (answered with an ACK %.0f); TIME_WAIT "
			"sockets at the end %.0f (bucket overflows %.0f)",
			n->name, mget(d, n->name, "syn_in"),
			mget(d, n->name, "synack_out"),
			mget(d, n->name, "syn_dropped"),
			mget(d, n->name, "paws_passive"),
			mget(d, n->name, "listen_overflows"),
			mget(d, n->name, "syn_dropped_other"),
			mget(d, n->name, "paws_timewait"),
			mget(d, n->name, "twack_out"),
			mget(d, n->name, "timewait"),
			mget(d, n->name, "tw_overflow"));
		if (n->legacy.recycle)
			fprintf(f, ", cut short by tcp_tw_recycle %.0f",
				mget(d, n->name, "tw_shortened"));
		fprintf(f, "\n");
		if (n->legacy.recycle) {
			fprintf(f, "  tcp_tw_recycle: %s", d->legacy_how);
			if (n->legacy.paws_msl_ms != 60000)
				fprintf(f,
					", PAWS window %s (the kernels: 60s)",
					fmt_ms(n->legacy.paws_msl_ms, a,
					       sizeof(a)));
			fprintf(f, "\n");
		}
	}
	for (i = 0; i < t->nnodes; i++) {
		const struct topo_node *n = &t->nodes[i];

		if (n->kind != TOPO_GATEWAY)
			continue;
		fprintf(f,
			"gateway %s: mappings %.0f, external ports reused "
			"%.0f, conntrack insert failures %.0f, entries %.0f\n",
			n->name, mget(d, n->name, "mappings"),
			mget(d, n->name, "port_reuse"),
			mget(d, n->name, "insert_failed"),
			mget(d, n->name, "conntrack"));
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

/* The capture's record of a connection's SYNs, or NULL. */
static const struct cap_syn *rec_syns(const struct run_data *d,
				      const struct tr_rec *r)
{
	return d->cap ? capture_find(d->cap, r->client, r->sport, r->start_us,
				     r->end_us)
		      : NULL;
}

static const char *answer_name(int a)
{
	static const char *const names[] = {"none", "synack", "twack", "rst",
					    "lost"};

	return a >= 0 && a < 5 ? names[a] : "?";
}

/* Numbers in JSON: integers without a fraction, others with 3 decimals. */
static void json_num(FILE *f, double v)
{
	if (!isfinite(v))
		fputs("null", f); /* JSON has no NaN or infinity */
	else if (v == floor(v) && fabs(v) < 1e15)
		fprintf(f, "%.0f", v);
	else
		fprintf(f, "%.3f", v);
}

int report_json(FILE *f, const struct run_data *d)
{
	const struct topo *t = d->t;
	uint32_t i;
	int k;

	fprintf(f, "{\n  \"schema\": \"%s\",\n  \"lab\": ", REPORT_SCHEMA);
	report_json_string(f, t->name);
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
	fprintf(f, ",\n  \"nodes\": [");
	for (k = 0; k < t->nnodes; k++) {
		const struct topo_node *n = &t->nodes[k];
		char addr[16];

		fprintf(f, "%s\n    {\"name\": ", k ? "," : "");
		report_json_string(f, n->name);
		fprintf(f, ", \"kind\": \"%s\", \"address\": \"%s\"",
			topo_kind_name(n->kind),
			util_ipv4_str(n->ifs[0].addr, addr));
		if (n->kind == TOPO_CLIENT)
			fprintf(f,
				", \"tsclock\": \"%s\", \"ts_offset_ms\": %lld, "
				"\"ts_skew_ppm\": %d",
				topo_tsclock_name(n->clock.mode),
				(long long)n->clock.offset_ms,
				n->clock.skew_ppm);
		if (n->kind == TOPO_SERVER)
			fprintf(f,
				", \"legacy_tcp_tw_recycle\": %d, "
				"\"legacy_model\": \"%s\", "
				"\"legacy_paws_msl_ms\": %u",
				n->legacy.recycle,
				topo_legacy_model_name(n->legacy.model),
				n->legacy.paws_msl_ms);
		fprintf(f, "}");
	}
	fprintf(f, "\n  ],\n  \"metrics\": {");
	for (k = 0; k < d->m.n; k++) {
		fprintf(f, "%s\n    ", k ? "," : "");
		report_json_string(f, d->m.v[k].name);
		fprintf(f, ": ");
		json_num(f, d->m.v[k].value);
	}
	fprintf(f, "\n  },\n  \"expect\": [");
	for (k = 0; k < d->nexpects; k++) {
		const struct expect_result *r = &d->expects[k];

		fprintf(f, "%s\n    {\"line\": %d, \"expr\": ", k ? "," : "",
			r->e->line);
		report_json_string(f, r->e->text);
		fprintf(f, ", \"measured\": ");
		json_num(f, r->value);
		fprintf(f, ", \"pass\": %s}", r->pass ? "true" : "false");
	}
	fprintf(f, "\n  ],\n  \"connections\": [");
	for (i = 0; i < d->nrecs; i++) {
		const struct tr_rec *r = &d->recs[i];
		const struct cap_syn *s = rec_syns(d, r);

		fprintf(f, "%s\n    {\"client\": ", i ? "," : "");
		report_json_string(f, t->nodes[r->client].name);
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
	fprintf(f, "\n  ]\n}\n");
	return ferror(f) ? -EIO : 0;
}

int report_csv(FILE *f, const struct run_data *d)
{
	uint32_t i;

	fprintf(f, "client,seq,sport,start_ms,connect_ms,outcome,syn_retrans,"
		   "ext_port,syns_sent,syns_dropped,syns_twack\n");
	for (i = 0; i < d->nrecs; i++) {
		const struct tr_rec *r = &d->recs[i];
		const struct cap_syn *s = rec_syns(d, r);
		int k, drop = 0, tw = 0;

		for (k = 0; s && k < s->ntx && k < CAP_TX_MAX; k++) {
			drop += capture_answer(d->cap, s, k) == CAP_NONE;
			tw += capture_answer(d->cap, s, k) == CAP_TWACK;
		}
		fprintf(f, "%s,%u,%u,%.3f,%.3f,%s,%u,%u,%u,%d,%d\n",
			d->t->nodes[r->client].name, r->seq, r->sport,
			r->start_us / 1000.0, r->connect_us / 1000.0,
			traffic_outcome_name((enum tr_outcome)r->outcome),
			r->syn_retrans, s ? (unsigned int)s->ext_port : 0u,
			s ? (unsigned int)s->ntx : 0u, drop, tw);
	}
	return ferror(f) ? -EIO : 0;
}

/* ---- SVG timeline ---- */

#define SVG_W	      1100
#define SVG_LEFT      150
#define SVG_RIGHT     30
#define SVG_LANE      24
#define SVG_LANES_MAX 60
#define SVG_MARKS_MAX 20000
#define SVG_PANEL     240

static const char *const svg_color[] = {
	[CAP_NONE] = "#d62828",	  /* dropped silently */
	[CAP_SYNACK] = "#2a9d3c", /* answered */
	[CAP_TWACK] = "#f4a261",  /* TIME_WAIT ACK */
	[CAP_RST] = "#6d597a",	  [CAP_LOST] = "#9e9e9e",
};

/* A round step for an axis covering span (1, 2 or 5 times 10^k). */
static double nice_step(double span, int ticks)
{
	double raw = span / ticks, p = pow(10, floor(log10(raw)));

	if (raw / p < 1.5)
		return p;
	if (raw / p < 3.5)
		return 2 * p;
	if (raw / p < 7.5)
		return 5 * p;
	return 10 * p;
}

static double svg_x(double ms, double span)
{
	return SVG_LEFT + ms / span * (SVG_W - SVG_LEFT - SVG_RIGHT);
}

static void svg_axis(FILE *f, double span, int y)
{
	double step = nice_step(span, 10), v;

	fprintf(f, "<line x1='%d' y1='%d' x2='%d' y2='%d' stroke='#444'/>\n",
		SVG_LEFT, y, SVG_W - SVG_RIGHT, y);
	for (v = 0; v <= span + 1e-9; v += step) {
		double x = svg_x(v, span);

		fprintf(f,
			"<line x1='%.1f' y1='%d' x2='%.1f' y2='%d' "
			"stroke='#444'/><text x='%.1f' y='%d' "
			"text-anchor='middle' class='ax'>%g%s</text>\n",
			x, y, x, y + 4, x, y + 16, span >= 2000 ? v / 1000 : v,
			span >= 2000 ? "s" : "ms");
	}
}

/* The target server's PAWS window in ms. */
static double t_msl(const struct run_data *d)
{
	return d->t->nodes[d->t->traffic.server].legacy.paws_msl_ms;
}

/* The legacy server's remembered TSval per peer (steps), the TSvals of
 * the SYNs it dropped (crosses) and of those it answered (dots). */
static void svg_panel(FILE *f, const struct run_data *d, double span, int y0)
{
	double msl = t_msl(d);
	int32_t lo = 0, hi = 0;
	uint32_t base = 0, i, n = 0;
	const struct cap_syn *syns = NULL;
	int k, have = 0;
	double yscale;

	for (k = 0; k < d->ntl; k++) {
		if (!have) {
			base = d->tl[k].ts;
			have = 1;
		}
		if ((int32_t)(d->tl[k].ts - base) < lo)
			lo = (int32_t)(d->tl[k].ts - base);
		if ((int32_t)(d->tl[k].ts - base) > hi)
			hi = (int32_t)(d->tl[k].ts - base);
	}
	if (d->cap)
		syns = capture_syns(d->cap, &n);
	for (i = 0; i < n; i++) {
		int32_t v = (int32_t)(syns[i].tsval - base);

		if (!syns[i].tsval || !syns[i].ntx)
			continue;
		if (v < lo)
			lo = v;
		if (v > hi)
			hi = v;
	}
	if (hi - lo < 10)
		hi = lo + 10;
	yscale = (SVG_PANEL - 40) / (double)(hi - lo);
#define PY(v) (y0 + SVG_PANEL - 20 - ((double)(v)-lo) * yscale)
	fprintf(f,
		"<text x='10' y='%d' class='h'>TSval at the server, "
		"relative to the first remembered one (ms ticks): remembered "
		"(solid: within the PAWS window), dropped SYNs (x)</text>\n",
		y0 + 12);
	fprintf(f,
		"<text x='%d' y='%.1f' text-anchor='end' class='ax'>%+d</text>"
		"<text x='%d' y='%.1f' text-anchor='end' class='ax'>%+d</text>\n",
		SVG_LEFT - 6, PY(hi) + 4, hi, SVG_LEFT - 6, PY(lo) + 4, lo);
	for (i = 0; i < n; i++) {
		const struct cap_syn *s = &syns[i];

		if (!s->tsval || !s->ntx ||
		    capture_answer(d->cap, s, 0) != CAP_SYNACK)
			continue;
		fprintf(f,
			"<circle cx='%.1f' cy='%.1f' r='2' fill='%s' "
			"opacity='0.6'/>\n",
			svg_x(s->tx_us / 1000.0, span),
			PY((int32_t)(s->tsval - base)), svg_color[CAP_SYNACK]);
	}
	for (k = 0; k < d->ntl; k++) {
		const struct tl_event *e = &d->tl[k];
		double x = svg_x(e->t_ms, span),
		       y = PY((int32_t)(e->ts - base));

		if (e->drop) {
			fprintf(f,
				"<path d='M%.1f %.1fl6 6m0 -6l-6 6' "
				"stroke='%s' stroke-width='1.5'/>\n",
				x - 3, y - 3, svg_color[CAP_NONE]);
			continue;
		}
		/* The remembered value holds until the next update, and is
		 * trusted for the PAWS window after it was stamped: solid
		 * while it can drop SYNs, dashed once it is stale. */
		{
			double end = span, fresh;
			int j;

			for (j = k + 1; j < d->ntl; j++)
				if (!d->tl[j].drop &&
				    d->tl[j].peer == e->peer) {
					end = d->tl[j].t_ms;
					break;
				}
			fresh = e->t_ms + msl < end ? e->t_ms + msl : end;
			fprintf(f,
				"<line x1='%.1f' y1='%.1f' x2='%.1f' y2='%.1f' "
				"stroke='#1d4e89' stroke-width='2'/>\n",
				x, y, svg_x(fresh, span), y);
			if (fresh < end)
				fprintf(f,
					"<line x1='%.1f' y1='%.1f' x2='%.1f' "
					"y2='%.1f' stroke='#1d4e89' "
					"stroke-dasharray='4 3'/>\n",
					svg_x(fresh, span), y, svg_x(end, span),
					y);
		}
	}
	svg_axis(f, span, y0 + SVG_PANEL - 10);
#undef PY
}

int report_svg(FILE *f, const struct run_data *d)
{
	const struct topo *t = d->t;
	int *lane_of, lanes = 0, c, height, marks = 0, k;
	double span = 1;
	uint32_t i;

	for (i = 0; i < d->nrecs; i++)
		if (d->recs[i].end_us / 1000.0 > span)
			span = d->recs[i].end_us / 1000.0;
	lane_of = xcalloc(t->nnodes, sizeof(*lane_of));
	for (c = 0; c < t->nnodes; c++) {
		lane_of[c] = -1;
		if (t->nodes[c].kind == TOPO_CLIENT && lanes < SVG_LANES_MAX)
			lane_of[c] = lanes++;
	}
	height =
		70 + lanes * SVG_LANE + 40 + (d->ntl ? SVG_PANEL + 20 : 0) + 30;
	fprintf(f,
		"<svg xmlns='http://www.w3.org/2000/svg' width='%d' "
		"height='%d' font-family='sans-serif' font-size='12'>\n"
		"<style>.ax{font-size:10px;fill:#444}.h{font-weight:bold}"
		"</style>\n<rect width='100%%' height='100%%' fill='white'/>\n",
		SVG_W, height);
	fprintf(f, "<text x='10' y='18' class='h'>natlab run: lab ");
	report_json_string(f, t->name);
	fprintf(f, ", %u connections, every SYN as it left its client</text>\n",
		d->nrecs);
	fprintf(f, "<text x='10' y='36'>");
	if (d->legacy_how[0])
		fprintf(f, "server tcp_tw_recycle %s, PAWS window %gs. ",
			d->legacy_how, t_msl(d) / 1000);
	fprintf(f,
		"<tspan fill='%s'>&#9679; answered</tspan>  "
		"<tspan fill='%s'>&#9679; dropped silently</tspan>  "
		"<tspan fill='%s'>&#9679; TIME_WAIT ACK</tspan>  "
		"<tspan fill='%s'>&#9679; RST</tspan>  "
		"&#9670; retransmission</text>\n",
		svg_color[CAP_SYNACK], svg_color[CAP_NONE],
		svg_color[CAP_TWACK], svg_color[CAP_RST]);
	for (c = 0; c < t->nnodes; c++) {
		const struct topo_node *n = &t->nodes[c];
		int y;

		if (lane_of[c] < 0)
			continue;
		y = 70 + lane_of[c] * SVG_LANE;
		fprintf(f,
			"<text x='10' y='%d'>%s</text><line x1='%d' y1='%d' "
			"x2='%d' y2='%d' stroke='#ddd'/>\n",
			y + 4, n->name, SVG_LEFT, y, SVG_W - SVG_RIGHT, y);
		if (n->clock.mode == TOPO_TS_HOST)
			fprintf(f,
				"<text x='40' y='%d' class='ax'>clock %+lldms"
				"</text>\n",
				y + 4,
				(long long)(int32_t)(uint32_t)
					n->clock.offset_ms);
	}
	for (i = 0; i < d->nrecs && marks < SVG_MARKS_MAX; i++) {
		const struct tr_rec *r = &d->recs[i];
		const struct cap_syn *s;
		int y;

		if (lane_of[r->client] < 0)
			continue;
		s = rec_syns(d, r);
		if (!s)
			continue;
		y = 70 + lane_of[r->client] * SVG_LANE;
		for (k = 0; k < s->ntx && k < CAP_TX_MAX; k++, marks++) {
			double x = svg_x(capture_tx_us(d->cap, s, k) / 1000.0,
					 span);
			const char *col =
				svg_color[capture_answer(d->cap, s, k)];

			if (!k)
				fprintf(f,
					"<circle cx='%.1f' cy='%d' r='4' "
					"fill='%s'/>\n",
					x, y, col);
			else
				fprintf(f,
					"<path d='M%.1f %dl4 4l-4 4l-4 -4z' "
					"fill='%s'/>\n",
					x, y - 4, col);
		}
	}
	svg_axis(f, span, 70 + lanes * SVG_LANE);
	if (marks >= SVG_MARKS_MAX)
		fprintf(f,
			"<text x='10' y='%d' class='ax'>only the first %d "
			"SYNs are drawn</text>\n",
			70 + lanes * SVG_LANE + 30, SVG_MARKS_MAX);
	if (d->ntl)
		svg_panel(f, d, span, 70 + lanes * SVG_LANE + 40);
	fprintf(f, "</svg>\n");
	free(lane_of);
	return ferror(f) ? -EIO : 0;
}
