/* rfcreport.c - natlab rfc's report: the terminal table and the JSON. */

/*
 * The writers print what rfc_judge() (rfcjudge.c) left in each profile's
 * rows, every profile side by side: the table for a terminal (a verdict
 * column per profile, then texts wrapped between words at 100 columns),
 * and the JSON of schema RFC_SCHEMA for programs.  A profile that did
 * not run keeps its place, with its error in the header and "the profile
 * did not run" as its evidence.  No I/O but the FILE given: unit tested
 * without root.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "rfc/rfc_int.h"
#include <jansson.h>

/* ---- names ---- */

const char *rfc_verdict_name(enum rfc_verdict v)
{
	switch (v) {
	case RFC_V_UNKNOWN:
		return "not measured";
	case RFC_V_MEETS:
		return "meets";
	case RFC_V_FAILS:
		return "does not meet";
	case RFC_V_NA:
		return "not applicable";
	case RFC_V_CONFIG:
		return "configurable";
	case RFC_V_UNTESTABLE:
		return "not testable here";
	default:
		break;
	}
	return "?";
}

const char *rfc_level_name(enum rfc_level l)
{
	switch (l) {
	case RFC_MUST:
		return "MUST";
	case RFC_MUST_NOT:
		return "MUST NOT";
	case RFC_SHOULD:
		return "SHOULD";
	case RFC_MAY:
		return "MAY";
	case RFC_SHOULD_NOT:
		return "SHOULD NOT";
	case RFC_RECOMMENDED:
		return "RECOMMENDED";
	}
	return "?";
}

/* ---- the report ---- */

#define WIDTH	  100
#define COL_LABEL 10
#define COL_TITLE 37
#define COL_ASKS  11
#define COL_PNAME 14
#define COL_VERD  17
#define EV_INDENT (2 + COL_PNAME + 1 + COL_VERD + 1)

/* Print TEXT starting at column COL, wrapping between words before
 * WIDTH; continuation lines start at column INDENT. */
static void wrap(FILE *f, const char *text, int col, int indent)
{
	const char *p = text;
	int first = 1;

	while (*p) {
		const char *w;
		int len;

		while (*p == ' ')
			p++;
		w = p;
		while (*p && *p != ' ')
			p++;
		len = (int)(p - w);
		if (!len)
			break;
		if (!first && col + 1 + len > WIDTH) {
			fprintf(f, "\n%*s", indent, "");
			col = indent;
		} else if (!first) {
			fputc(' ', f);
			col++;
		}
		fwrite(w, 1, (size_t)len, f);
		col += len;
		first = 0;
	}
	fputc('\n', f);
}

#define COL_GRID 14 /* a verdict column of the grid */

static int pcol(const struct rfc_profile *p)
{
	int w = (int)strlen(p->name) + 2;

	return w < COL_GRID ? COL_GRID : w;
}

/* A verdict in the grid, where "not testable here" is "not testable". */
static const char *grid_word(enum rfc_verdict v)
{
	return v == RFC_V_UNTESTABLE ? "not testable" : rfc_verdict_name(v);
}

static const char *const doc_topics[RFC_NDOCS] = {
	[RFC_D4787] = "UDP",
	[RFC_D5382] = "TCP",
	[RFC_D5508] = "ICMP",
	[RFC_D7857] = "updates to the three",
};

void rfc_summary(const struct rfc_profile *p, enum rfc_doc d,
		 unsigned int count[RFC_NVERDICTS], unsigned int *rows)
{
	int i;

	memset(count, 0, sizeof(count[0]) * RFC_NVERDICTS);
	*rows = 0;
	for (i = 0; i < RFC_NREQ; i++) {
		if (rfc_reqs[i].doc != d)
			continue;
		(*rows)++;
		if (!p->status)
			count[p->rows[i].verdict]++;
	}
}

/* "RFC 4787, masquerade: 13 of 21 met; 4 do not meet, ..." */
static void summary_line(FILE *f, const struct rfc_profile *p, enum rfc_doc d)
{
	static const char *const words[RFC_NVERDICTS] = {
		[RFC_V_UNKNOWN] = "not measured",
		[RFC_V_FAILS] = "not met",
		[RFC_V_NA] = "not applicable",
		[RFC_V_CONFIG] = "configurable",
		[RFC_V_UNTESTABLE] = "not testable here",
	};
	unsigned int count[RFC_NVERDICTS], rows;
	char line[256];
	int n, v, more = 0;

	rfc_summary(p, d, count, &rows);
	if (p->status) {
		fprintf(f, "  RFC %d, %s: did not run\n", rfc_doc_number(d),
			p->name);
		return;
	}
	n = snprintf(line, sizeof(line), "RFC %d, %s: %u of %u met",
		     rfc_doc_number(d), p->name, count[RFC_V_MEETS], rows);
	for (v = 0; v < RFC_NVERDICTS && n > 0 && (size_t)n < sizeof(line);
	     v++) {
		if (v == RFC_V_MEETS || !count[v])
			continue;
		n += snprintf(line + n, sizeof(line) - (size_t)n, "%s%u %s",
			      more++ ? ", " : "; ", count[v], words[v]);
	}
	fprintf(f, "  ");
	wrap(f, line, 2, 4);
}

static void table_header(FILE *f, const struct rfc_report *r)
{
	char line[512];
	int i;

	snprintf(line, sizeof(line),
		 "natlab rfc: NAT behaviour (RFC 4787, 5382, 5508, 7857) of "
		 "gateway %s (clients %s, %s; servers %s, %s) in %s, Linux %s",
		 r->gateway, r->c1, r->c2, r->s1, r->s2, r->topology,
		 r->kernel);
	wrap(f, line, 0, 2);
	if (strcmp(r->gateway, "gw") || strcmp(r->c1, "c1") ||
	    strcmp(r->c2, "c2") || strcmp(r->s1, "s1") || strcmp(r->s2, "s2")) {
		snprintf(line, sizeof(line),
			 "below, gw is %s, c1 %s, c2 %s, s1 %s and s2 %s",
			 r->gateway, r->c1, r->c2, r->s1, r->s2);
		fprintf(f, "  ");
		wrap(f, line, 2, 2);
	}
	for (i = 0; i < r->nprofiles; i++) {
		const struct rfc_profile *p = &r->p[i];
		int n;

		if (p->status)
			n = snprintf(line, sizeof(line),
				     "nat = %s; lab %s; DID NOT RUN: %s",
				     p->nat, p->lab, p->error);
		else
			n = snprintf(line, sizeof(line),
				     "nat = %s; lab %s, %.1f s", p->nat, p->lab,
				     p->elapsed_ms / 1000.0);
		if (!p->status && p->ev.keeper && n > 0 &&
		    (size_t)n < sizeof(line))
			snprintf(line + n, sizeof(line) - (size_t)n,
				 "; keeper: %u conntrack events, %u "
				 "mappings, %u refused, %u lost; %u "
				 "unsolicited SYNs held 6 s: %u answered "
				 "with ICMP, %u punched through",
				 p->ev.kp_events, p->ev.kp_mappings,
				 p->ev.kp_conflicts, p->ev.kp_lost,
				 p->ev.kp_held, p->ev.kp_icmp,
				 p->ev.kp_punched);
		fprintf(f, "  %-*s ", COL_PNAME, p->name);
		wrap(f, line, 2 + COL_PNAME + 1, 2 + COL_PNAME + 1);
	}
}

/* Document d's grid: a verdict column per profile, then each profile's
 * summary. */
static void table_grid(FILE *f, const struct rfc_report *r, enum rfc_doc d)
{
	char head[64];
	int i, k;

	snprintf(head, sizeof(head), "RFC %d (%s)", rfc_doc_number(d),
		 doc_topics[d]);
	fprintf(f, "\n%-*s %-*s", COL_LABEL + 1 + COL_TITLE, head, COL_ASKS,
		"ASKS");
	for (k = 0; k < r->nprofiles; k++)
		fprintf(f, " %-*s", k + 1 < r->nprofiles ? pcol(&r->p[k]) : 0,
			r->p[k].name);
	fputc('\n', f);
	for (i = 0; i < RFC_NREQ; i++) {
		if (rfc_reqs[i].doc != d)
			continue;
		fprintf(f, "%-*s %-*s %-*s", COL_LABEL, rfc_reqs[i].label,
			COL_TITLE, rfc_reqs[i].title, COL_ASKS,
			rfc_level_name(rfc_reqs[i].level));
		for (k = 0; k < r->nprofiles; k++)
			fprintf(f, " %-*s",
				k + 1 < r->nprofiles ? pcol(&r->p[k]) : 0,
				grid_word(r->p[k].rows[i].verdict));
		fputc('\n', f);
	}
	for (k = 0; k < r->nprofiles; k++)
		summary_line(f, &r->p[k], d);
}

/* Document d's requirements one by one: what each asks, the test, and
 * every profile's evidence. */
static void table_details(FILE *f, const struct rfc_report *r, enum rfc_doc d)
{
	int i, k;

	for (i = 0; i < RFC_NREQ; i++) {
		const struct rfc_req *q = &rfc_reqs[i];

		if (q->doc != d)
			continue;
		fprintf(f, "\nRFC %d %s  %s (%s)\n", rfc_doc_number(d),
			q->label, q->title, rfc_level_name(q->level));
		fprintf(f, "  asks  ");
		wrap(f, q->asks, 8, 8);
		fprintf(f, "  test  ");
		wrap(f, q->test, 8, 8);
		for (k = 0; k < r->nprofiles; k++) {
			const struct rfc_profile *p = &r->p[k];

			const char *ev = p->status ? "the profile did not run"
						   : p->rows[i].evidence;

			if (!*ev) { /* a row whose tests did not run */
				fprintf(f, "  %-*s %s\n", COL_PNAME, p->name,
					rfc_verdict_name(p->rows[i].verdict));
				continue;
			}
			fprintf(f, "  %-*s %-*s ", COL_PNAME, p->name, COL_VERD,
				rfc_verdict_name(p->rows[i].verdict));
			wrap(f, ev, EV_INDENT, EV_INDENT);
		}
	}
}

void rfc_report_table(FILE *f, const struct rfc_report *r)
{
	char line[1024];
	int d;

	table_header(f, r);
	for (d = 0; d < RFC_NDOCS; d++)
		if (r->docs & (1u << d))
			table_grid(f, r, (enum rfc_doc)d);
	for (d = 0; d < RFC_NDOCS; d++)
		if (r->docs & (1u << d))
			table_details(f, r, (enum rfc_doc)d);
	fputc('\n', f);
	if (r->docs & RFC_TCP_DOCS) {
		snprintf(line, sizeof(line),
			 "Timers: the transitory timers were shortened to %d "
			 "s only to watch entries expire (4 min scaled 1:%d); "
			 "every other value is the gateway's own, read from "
			 "its sysctls and live conntrack entries.  REQ-4 was "
			 "watched for %.1f s, unscaled.",
			 SCALED_S, SCALE, UNSOL_WINDOW_MS / 1000.0);
		wrap(f, line, 0, 0);
	}
	wrap(f,
	     "Verdicts: meets; does not meet; not applicable; configurable "
	     "(separate settings exist and the default misses the value the "
	     "RFC recommends); not testable here (the lab lacks what the test "
	     "needs, named in the evidence); not measured (the test could not "
	     "run).",
	     0, 0);
	fprintf(f, "%d profile%s side by side in %.1f s\n", r->nprofiles,
		r->nprofiles == 1 ? "" : "s", r->elapsed_ms / 1000.0);
}

/* ---- the JSON (schema RFC_SCHEMA), through jansson ---- */

/* A string member; null when val is NULL. */
static void jset_str(json_t *o, const char *key, const char *val)
{
	json_object_set_new(o, key, val ? json_string(val) : json_null());
}

/* The run's own fields: schema, what was tested, the nodes, the time and
 * the scaling of the timers, the RFCs reported. */
static void json_run(json_t *o, const struct rfc_report *r)
{
	json_t *docs = json_array();
	int d;

	jset_str(o, "schema", RFC_SCHEMA);
	jset_str(o, "topology", r->topology);
	jset_str(o, "kernel", r->kernel);
	jset_str(o, "gateway", r->gateway);
	json_object_set_new(o, "clients", json_pack("[s,s]", r->c1, r->c2));
	json_object_set_new(o, "servers", json_pack("[s,s]", r->s1, r->s2));
	json_object_set_new(o, "elapsed_ms", json_integer(r->elapsed_ms));
	json_object_set_new(o, "scaling",
			    json_pack("{s:i,s:i,s:i,s:i}", "transitory_s",
				      RFC_TRANSITORY_MIN, "watched_s", SCALED_S,
				      "factor", SCALE, "unsolicited_window_ms",
				      UNSOL_WINDOW_MS));
	for (d = 0; d < RFC_NDOCS; d++)
		if (r->docs & (1u << d))
			json_array_append_new(docs,
					      json_integer(rfc_doc_number(d)));
	json_object_set_new(o, "rfcs", docs);
}

/* A profile's count of each verdict per RFC reported. */
static json_t *json_summary(const struct rfc_report *r,
			    const struct rfc_profile *p)
{
	json_t *o = json_object();
	int d, v;

	for (d = 0; d < RFC_NDOCS; d++) {
		unsigned int count[RFC_NVERDICTS], rows;
		json_t *s;
		char key[8];

		if (!(r->docs & (1u << d)))
			continue;
		rfc_summary(p, (enum rfc_doc)d, count, &rows);
		s = json_pack("{s:i}", "rows", rows);
		for (v = 0; v < RFC_NVERDICTS; v++)
			json_object_set_new(
				s, rfc_verdict_name((enum rfc_verdict)v),
				json_integer(count[v]));
		snprintf(key, sizeof(key), "%d", rfc_doc_number(d));
		json_object_set_new(o, key, s);
	}
	return o;
}

/* One profile's object: how it was set up, whether it ran, its summary,
 * and the counters of its keeper if it had one. */
static json_t *json_profile(const struct rfc_report *r,
			    const struct rfc_profile *p)
{
	json_t *o = json_object();

	jset_str(o, "name", p->name);
	jset_str(o, "lab", p->lab);
	jset_str(o, "nat", p->nat);
	json_object_set_new(o, "ran", json_boolean(!p->status));
	jset_str(o, "error", p->status ? p->error : NULL);
	json_object_set_new(o, "elapsed_ms", json_integer(p->elapsed_ms));
	json_object_set_new(o, "summary", json_summary(r, p));
	if (!p->status && p->ev.keeper)
		json_object_set_new(
			o, "keeper",
			json_pack("{s:i,s:i,s:i,s:i,s:i,s:i,s:i}", "events",
				  p->ev.kp_events, "mappings",
				  p->ev.kp_mappings, "refused",
				  p->ev.kp_conflicts, "lost", p->ev.kp_lost,
				  "held", p->ev.kp_held, "icmp", p->ev.kp_icmp,
				  "punched", p->ev.kp_punched));
	return o;
}

/* Profile @p's result for requirement @i: verdict, evidence, the
 * behaviour where the row names one, data (none if it did not run). */
static json_t *json_result(const struct rfc_profile *p, int i)
{
	const struct rfc_row *row = &p->rows[i];
	json_t *o = json_object(), *data = json_object();
	int d;

	jset_str(o, "verdict", rfc_verdict_name(row->verdict));
	jset_str(o, "evidence",
		 p->status ? "the profile did not run" : row->evidence);
	if (!p->status && row->behaviour[0])
		jset_str(o, "behaviour", row->behaviour);
	for (d = 0; !p->status && d < row->ndata; d++)
		json_object_set_new(data, row->data[d].key,
				    json_integer(row->data[d].value));
	json_object_set_new(o, "data", data);
	return o;
}

/* Requirement @i's object: what it is, and every profile's result. */
static json_t *json_requirement(const struct rfc_report *r, int i)
{
	const struct rfc_req *q = &rfc_reqs[i];
	json_t *o = json_object(), *res = json_object();
	char rfc[8];
	int k;

	snprintf(rfc, sizeof(rfc), "%d", rfc_doc_number(q->doc));
	jset_str(o, "id", q->id);
	jset_str(o, "rfc", rfc);
	jset_str(o, "requirement", q->label);
	jset_str(o, "title", q->title);
	jset_str(o, "asks", rfc_level_name(q->level));
	jset_str(o, "statement", q->asks);
	jset_str(o, "test", q->test);
	for (k = 0; k < r->nprofiles; k++)
		json_object_set_new(res, r->p[k].name,
				    json_result(&r->p[k], i));
	json_object_set_new(o, "results", res);
	return o;
}

int rfc_report_json(FILE *f, const struct rfc_report *r)
{
	json_t *top = json_object(), *profiles = json_array();
	json_t *reqs = json_object();
	int i, k, err;

	json_run(top, r);
	for (k = 0; k < r->nprofiles; k++)
		json_array_append_new(profiles, json_profile(r, &r->p[k]));
	json_object_set_new(top, "profiles", profiles);
	for (i = 0; i < RFC_NREQ; i++)
		if (r->docs & (1u << rfc_reqs[i].doc))
			json_object_set_new(reqs, rfc_reqs[i].id,
					    json_requirement(r, i));
	json_object_set_new(top, "requirements", reqs);
	err = json_dumpf(top, f, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(top);
	if (!err)
		fputc('\n', f);
	return err || ferror(f) ? -EIO : 0;
}
