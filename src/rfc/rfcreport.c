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
#include "run/report.h"

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
#define COL_LABEL 12
#define COL_TITLE 38
#define COL_ASKS  9
#define COL_PNAME 14
#define COL_VERD  15
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

static int pcol(const struct rfc_profile *p)
{
	int w = (int)strlen(p->name) + 2;

	return w < COL_VERD ? COL_VERD : w;
}

static void table_header(FILE *f, const struct rfc_report *r)
{
	char line[512];
	int i;

	snprintf(line, sizeof(line),
		 "natlab rfc: RFC 5382 / RFC 7857 behaviour of gateway %s "
		 "(clients %s, %s; servers %s, %s) in %s, Linux %s",
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

void rfc_report_table(FILE *f, const struct rfc_report *r)
{
	char line[1024];
	int i, k;

	table_header(f, r);
	fprintf(f, "\n%-*s %-*s %-*s", COL_LABEL, "REQUIREMENT", COL_TITLE, "",
		COL_ASKS, "ASKS");
	for (k = 0; k < r->nprofiles; k++)
		fprintf(f, " %-*s", k + 1 < r->nprofiles ? pcol(&r->p[k]) : 0,
			r->p[k].name);
	fputc('\n', f);
	for (i = 0; i < RFC_NREQ; i++) {
		fprintf(f, "%-*s %-*s %-*s", COL_LABEL, rfc_reqs[i].label,
			COL_TITLE, rfc_reqs[i].title, COL_ASKS,
			rfc_level_name(rfc_reqs[i].level));
		for (k = 0; k < r->nprofiles; k++)
			fprintf(f, " %-*s",
				k + 1 < r->nprofiles ? pcol(&r->p[k]) : 0,
				rfc_verdict_name(r->p[k].rows[i].verdict));
		fputc('\n', f);
	}
	for (i = 0; i < RFC_NREQ; i++) {
		const struct rfc_req *q = &rfc_reqs[i];

		fprintf(f, "\n%s  %s (%s)\n", q->label, q->title,
			rfc_level_name(q->level));
		fprintf(f, "  asks  ");
		wrap(f, q->asks, 8, 8);
		fprintf(f, "  test  ");
		wrap(f, q->test, 8, 8);
		for (k = 0; k < r->nprofiles; k++) {
			const struct rfc_profile *p = &r->p[k];

			fprintf(f, "  %-*s %-*s ", COL_PNAME, p->name, COL_VERD,
				rfc_verdict_name(p->rows[i].verdict));
			wrap(f,
			     p->status ? "the profile did not run"
				       : p->rows[i].evidence,
			     EV_INDENT, EV_INDENT);
		}
	}
	snprintf(line, sizeof(line),
		 "Timers: the transitory timers were shortened to %d s only to "
		 "watch entries expire (4 min scaled 1:%d); every other value "
		 "is the gateway's own, read from its sysctls and live "
		 "conntrack entries.  REQ-4 was watched for %.1f s, unscaled.",
		 SCALED_S, SCALE, UNSOL_WINDOW_MS / 1000.0);
	fputc('\n', f);
	wrap(f, line, 0, 0);
	wrap(f,
	     "Verdicts: meets; does not meet; not applicable; configurable "
	     "(separate settings exist and the default misses the value the "
	     "RFC recommends); not measured (the test could not run).",
	     0, 0);
	fprintf(f, "%d profile%s side by side in %.1f s\n", r->nprofiles,
		r->nprofiles == 1 ? "" : "s", r->elapsed_ms / 1000.0);
}

/* "key":"val" (null when val is NULL), and a comma when more follows. */
static void json_key(FILE *f, const char *key, const char *val, int comma)
{
	report_json_string(f, key);
	fputc(':', f);
	if (val)
		report_json_string(f, val);
	else
		fputs("null", f);
	if (comma)
		fputc(',', f);
}

/* The run's own fields: schema, what was tested, the nodes, the time and
 * the scaling of the timers, each followed by a comma. */
static void json_run(FILE *f, const struct rfc_report *r)
{
	json_key(f, "schema", RFC_SCHEMA, 1);
	json_key(f, "topology", r->topology, 1);
	json_key(f, "kernel", r->kernel, 1);
	json_key(f, "gateway", r->gateway, 1);
	fputs("\"clients\":[", f);
	report_json_string(f, r->c1);
	fputc(',', f);
	report_json_string(f, r->c2);
	fputs("],\"servers\":[", f);
	report_json_string(f, r->s1);
	fputc(',', f);
	report_json_string(f, r->s2);
	fprintf(f, "],\"elapsed_ms\":%u,", r->elapsed_ms);
	fprintf(f,
		"\"scaling\":{\"transitory_s\":%d,\"watched_s\":%d,"
		"\"factor\":%d,\"unsolicited_window_ms\":%d},",
		RFC_TRANSITORY_MIN, SCALED_S, SCALE, UNSOL_WINDOW_MS);
}

/* One profile's object: how it was set up, whether it ran, and the
 * counters of its keeper if it had one. */
static void json_profile(FILE *f, const struct rfc_profile *p)
{
	fputc('{', f);
	json_key(f, "name", p->name, 1);
	json_key(f, "lab", p->lab, 1);
	json_key(f, "nat", p->nat, 1);
	fprintf(f, "\"ran\":%s,", p->status ? "false" : "true");
	json_key(f, "error", p->status ? p->error : NULL, 1);
	fprintf(f, "\"elapsed_ms\":%u", p->elapsed_ms);
	if (!p->status && p->ev.keeper)
		fprintf(f,
			",\"keeper\":{\"events\":%u,\"mappings\":%u,"
			"\"refused\":%u,\"lost\":%u,\"held\":%u,"
			"\"icmp\":%u,\"punched\":%u}",
			p->ev.kp_events, p->ev.kp_mappings, p->ev.kp_conflicts,
			p->ev.kp_lost, p->ev.kp_held, p->ev.kp_icmp,
			p->ev.kp_punched);
	fputc('}', f);
}

/* Profile @p's result for requirement @i, as "name":{verdict, evidence,
 * data}; a profile that did not run has no data. */
static void json_result(FILE *f, const struct rfc_profile *p, int i)
{
	const struct rfc_row *row = &p->rows[i];
	int d;

	report_json_string(f, p->name);
	fputs(":{", f);
	json_key(f, "verdict", rfc_verdict_name(row->verdict), 1);
	json_key(f, "evidence",
		 p->status ? "the profile did not run" : row->evidence, 1);
	fputs("\"data\":{", f);
	for (d = 0; !p->status && d < row->ndata; d++) {
		if (d)
			fputc(',', f);
		report_json_string(f, row->data[d].key);
		fprintf(f, ":%lld", (long long)row->data[d].value);
	}
	fputs("}}", f);
}

/* Requirement @i's object: what it is, and every profile's result. */
static void json_requirement(FILE *f, const struct rfc_report *r, int i)
{
	const struct rfc_req *q = &rfc_reqs[i];
	int k;

	fputc('{', f);
	json_key(f, "id", q->id, 1);
	json_key(f, "rfc", q->label[0] == '5' ? "5382" : "7857", 1);
	json_key(f, "title", q->title, 1);
	json_key(f, "asks", rfc_level_name(q->level), 1);
	json_key(f, "statement", q->asks, 1);
	json_key(f, "test", q->test, 1);
	fputs("\"results\":{", f);
	for (k = 0; k < r->nprofiles; k++) {
		if (k)
			fputc(',', f);
		json_result(f, &r->p[k], i);
	}
	fputs("}}", f);
}

int rfc_report_json(FILE *f, const struct rfc_report *r)
{
	int i, k;

	fputc('{', f);
	json_run(f, r);
	fputs("\"profiles\":[", f);
	for (k = 0; k < r->nprofiles; k++) {
		if (k)
			fputc(',', f);
		json_profile(f, &r->p[k]);
	}
	fputs("],\"requirements\":[", f);
	for (i = 0; i < RFC_NREQ; i++) {
		if (i)
			fputc(',', f);
		json_requirement(f, r, i);
	}
	fputs("]}\n", f);
	return ferror(f) ? -EIO : 0;
}
