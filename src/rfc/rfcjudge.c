/* rfcjudge.c - natlab rfc's judgement: a profile's evidence in, a verdict
 * and a sentence of evidence per requirement out. */

/*
 * Theory of operation
 *
 * A suite run leaves what it measured on one gateway in a struct
 * rfc_evidence: plain data, no pointers (rfctest.c fills it in a child
 * process, in memory shared with the parent).  rfc_judge() reads nothing
 * else: one static function per requirement, called through a table
 * indexed by enum rfc_req_id, turns the evidence into a struct rfc_row,
 * the verdict, one sentence of evidence for the report, and a few named
 * numbers for the JSON.  No I/O: the verdicts are unit tested without
 * root, on evidence written by hand.
 *
 * The rules every judge keeps:
 * - A probe that could not tell anything about the gateway (not run, or
 *   a local error: rfc_broken()) is never taken for the gateway's answer: a
 *   requirement whose deciding probe is such is "not measured"; one whose
 *   further check could not run is judged on what did.
 * - Every verdict carries its evidence: the sentence says what was sent,
 *   what came back and why that meets or misses the requirement, in the
 *   words of the report (durations as "85 us", "0.4 ms", "2.04 s";
 *   outcomes as rfc_brief() words them).
 * - A conntrack entry read a moment after it was refreshed shows a
 *   second or two less than its timer, so a live timeout counts as its
 *   value plus 2 s.  An expiry watched with a shortened timer (SCALED_S)
 *   counts when the entry went between 300 ms before and 1.5 s after its
 *   timer (expiry_ok()): the watch starts when the entry is first read in
 *   its state, a little after the kernel started the timer.
 *
 * This file holds every judge and the helpers they share (the evidence
 * texts, the least of a set of timers, an expiry's words and tolerance)
 * and is longer than the usual 800 lines on purpose: the judges are
 * eighteen short functions, each read on its own against its
 * requirement, all written with the same dozen static helpers.  Cut in
 * two (RFC 5382 and RFC 7857, say), those helpers would become an
 * interface exported for one other file, and REQ-5's transitory judge
 * would be parted from the RFC 7857 timer and RST judges whose helpers
 * it shares.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/netfilter/nf_conntrack_tcp.h>

#include "lib/ct.h"
#include "lib/util.h"
#include "rfc/rfc_int.h"

/* RFC 5382's transitory states: partially open or partially closed. */
static const enum rfc_timer transitory_5382[] = {
	RFC_T_SYN_SENT,	  RFC_T_SYN_RECV, RFC_T_FIN_WAIT,
	RFC_T_CLOSE_WAIT, RFC_T_LAST_ACK, RFC_T_TIME_WAIT,
};

/* RFC 7857's opening and closing states: these and CLOSE, the seven
 * timers nat = rfc sets to 4 minutes (src/topo/topores.c). */
static const enum rfc_timer transitory_7857[] = {
	RFC_T_SYN_SENT, RFC_T_SYN_RECV,	 RFC_T_FIN_WAIT, RFC_T_CLOSE_WAIT,
	RFC_T_LAST_ACK, RFC_T_TIME_WAIT, RFC_T_CLOSE,
};

/* ---- port statistics ---- */

void rfc_port_stats(const uint16_t *src, const uint16_t *ext, unsigned int n,
		    struct rfc_port_stats *st)
{
	uint16_t prev = 0;
	unsigned int i, j;

	memset(st, 0, sizeof(*st));
	st->min = UINT16_MAX;
	for (i = 0; i < n; i++) {
		if (!ext[i])
			continue;
		st->n++;
		st->parity_kept += (ext[i] & 1) == (src[i] & 1);
		if (ext[i] == src[i]) {
			st->preserved++;
			continue;
		}
		st->changed++;
		for (j = 0; j < i; j++)
			if (ext[j] == ext[i] && ext[j] != src[j])
				break;
		st->distinct += j == i;
		/* Allocators that walk the port space leave small steps. */
		if (prev && abs((int)ext[i] - (int)prev) <= 16)
			st->near_seq++;
		prev = ext[i];
		if (ext[i] < st->min)
			st->min = ext[i];
		if (ext[i] > st->max)
			st->max = ext[i];
	}
	if (!st->changed)
		st->min = 0;
}

/* ---- judgement, one function per requirement ---- */

static void judge_eim(const struct rfc_evidence *e, struct rfc_row *r)
{
	char b1[96], b2[96];

	if (!rfc_ok(&e->eim_s1) || !rfc_ok(&e->eim_s2)) {
		rfc_tx(r, "c1:%u to s1: %s; to s2: %s", e->eim_port,
		       rfc_brief(&e->eim_s1, b1, sizeof(b1)),
		       rfc_brief(&e->eim_s2, b2, sizeof(b2)));
		r->verdict = rfc_broken(&e->eim_s1) || rfc_broken(&e->eim_s2)
				     ? RFC_V_UNKNOWN
				     : RFC_V_FAILS;
		return;
	}
	rfc_tx(r, "c1:%u was seen as :%u by s1 and as :%u by s2", e->eim_port,
	       e->eim_s1.ext_port, e->eim_s2.ext_port);
	rfc_datum(r, "s1_port", e->eim_s1.ext_port);
	rfc_datum(r, "s2_port", e->eim_s2.ext_port);
	if (e->eim_s1.ext_port != e->eim_s2.ext_port ||
	    e->eim_s1.ext_addr != e->eim_s2.ext_addr) {
		rfc_tx(r, ": the mapping depends on the destination");
		r->verdict = RFC_V_FAILS;
		return;
	}
	if (!rfc_ok(&e->eim2_c2) || !rfc_ok(&e->eim2_s1)) {
		rfc_tx(r, "; second test not measured (c2: %s, c1: %s)",
		       rfc_brief(&e->eim2_c2, b1, sizeof(b1)),
		       rfc_brief(&e->eim2_s1, b2, sizeof(b2)));
		r->verdict = RFC_V_MEETS;
		return;
	}
	rfc_tx(r,
	       "; with c2:%u already mapped to :%u towards s2, c1:%u was seen "
	       "as :%u by s1 and ",
	       e->eim2_port, e->eim2_c2.ext_port, e->eim2_port,
	       e->eim2_s1.ext_port);
	rfc_datum(r, "busy_s1_port", e->eim2_s1.ext_port);
	if (!rfc_ok(&e->eim2_s2)) {
		rfc_tx(r,
		       "could not reach s2 from it (%s): the mapping is not "
		       "kept towards every destination",
		       rfc_brief(&e->eim2_s2, b1, sizeof(b1)));
		r->verdict =
			rfc_broken(&e->eim2_s2) ? RFC_V_UNKNOWN : RFC_V_FAILS;
		return;
	}
	rfc_datum(r, "busy_s2_port", e->eim2_s2.ext_port);
	rfc_tx(r, "as :%u by s2", e->eim2_s2.ext_port);
	if (e->eim2_s1.ext_port == e->eim2_s2.ext_port) {
		rfc_tx(r, ": one mapping for every destination");
		r->verdict = RFC_V_MEETS;
	} else {
		rfc_tx(r, ": once the port is taken the mapping depends on the "
			  "destination");
		r->verdict = RFC_V_FAILS;
	}
}

static void judge_seq(const struct rfc_evidence *e, struct rfc_row *r)
{
	char b1[96], b2[96], a[16];
	int seq_ok = rfc_ok(&e->seq) && e->seq_data && e->seq_closed;
	int sim_ok = rfc_ok(&e->sim_c) && rfc_ok(&e->sim_s) && e->sim_data;

	if (seq_ok)
		rfc_tx(r,
		       "three-way handshake, data both ways and FIN close: ok");
	else
		rfc_tx(r, "three-way handshake from c1:%u: %s%s", e->seq_port,
		       rfc_brief(&e->seq, b1, sizeof(b1)),
		       rfc_ok(&e->seq) ? (e->seq_data ? ", close failed"
						      : ", data failed")
				       : "");
	rfc_tx(r,
	       "; simultaneous open (c1:%u's SYN to s1:%u unanswered, the "
	       "gateway's entry %s; then s1's SYN to %s:%u): ",
	       e->sim_port, e->sim_sport, ct_state_name(e->sim_state),
	       rfc_ip(e->ext, a), e->sim_ext);
	if (sim_ok)
		rfc_tx(r, "both ends connected, data both ways");
	else
		rfc_tx(r, "c1 %s, s1 %s%s",
		       rfc_brief(&e->sim_c, b1, sizeof(b1)),
		       rfc_brief(&e->sim_s, b2, sizeof(b2)),
		       rfc_ok(&e->sim_c) && rfc_ok(&e->sim_s) ? ", data failed"
							      : "");
	rfc_datum(r, "simultaneous_open", sim_ok);
	if (seq_ok && sim_ok)
		r->verdict = RFC_V_MEETS;
	else if (rfc_broken(&e->seq) || rfc_broken(&e->sim_c) ||
		 rfc_broken(&e->sim_s) || !e->sim_ext)
		r->verdict = RFC_V_UNKNOWN;
	else
		r->verdict = RFC_V_FAILS;
}

static void judge_filter(const struct rfc_evidence *e, struct rfc_row *r)
{
	char b1[96], b2[96], a[16];
	int eif, adf;

	if (!rfc_ok(&e->filt_map)) {
		rfc_tx(r, "c1:%u's mapping towards s1: %s", e->filt_port,
		       rfc_brief(&e->filt_map, b1, sizeof(b1)));
		r->verdict = RFC_V_UNKNOWN;
		return;
	}
	rfc_tx(r,
	       "c1:%u mapped to :%u towards s1:%u; s2 to %s:%u: %s; s1 from "
	       "port %u: %s",
	       e->filt_port, e->filt_map.ext_port, SRV_PORT, rfc_ip(e->ext, a),
	       e->filt_map.ext_port, rfc_brief(&e->filt_s2, b1, sizeof(b1)),
	       e->filt_s1_port, rfc_brief(&e->filt_s1, b2, sizeof(b2)));
	if (rfc_broken(&e->filt_s2) || rfc_broken(&e->filt_s1)) {
		r->verdict = RFC_V_UNKNOWN;
		return;
	}
	eif = rfc_ok(&e->filt_s2);
	adf = rfc_ok(&e->filt_s1);
	rfc_datum(r, "from_other_host", eif);
	rfc_datum(r, "from_other_port", adf);
	if (eif && adf) {
		rfc_tx(r, " (reached c1): endpoint-independent filtering");
		r->verdict = RFC_V_MEETS;
	} else if (adf) {
		rfc_tx(r, ": address-dependent filtering");
		r->verdict = RFC_V_MEETS;
	} else if (!eif) {
		rfc_tx(r, ": address- and port-dependent filtering, neither "
			  "recommended behaviour");
		r->verdict = RFC_V_FAILS;
	} else {
		rfc_tx(r, ": inconsistent (another host passes, another port "
			  "does not)");
		r->verdict = RFC_V_UNKNOWN;
	}
}

static void judge_unsolicited(const struct rfc_evidence *e, struct rfc_row *r)
{
	const struct rfc_conn *u = &e->unsol;
	char b1[96], b2[96], a[16], d[32];

	rfc_tx(r, "s1:%u to %s:%u (no mapping): ", Q_UNSOL, rfc_ip(e->ext, a),
	       e->unsol_port);
	switch ((enum rfc_outcome)u->out) {
	case RFC_OUT_RST:
	case RFC_OUT_ICMP:
		rfc_tx(r, "%s%s", rfc_brief(u, b1, sizeof(b1)),
		       u->us < RFC_UNSOLICITED_MS * 1000u
			       ? " (the gateway must stay silent for 6 s)"
		       : u->out == RFC_OUT_ICMP
			       ? ": silent for 6 s, then the ICMP port "
				 "unreachable the RFC prefers"
			       : "");
		r->verdict = u->us < RFC_UNSOLICITED_MS * 1000u ? RFC_V_FAILS
								: RFC_V_MEETS;
		rfc_datum(r, "answer_us", u->us);
		break;
	case RFC_OUT_SILENT:
		rfc_tx(r,
		       "no answer in %s (%u SYNs): dropped silently (REQ-4a), "
		       "no ICMP port unreachable",
		       rfc_dur(u->us, d, sizeof(d)), e->unsol_syns);
		r->verdict = RFC_V_MEETS;
		rfc_datum(r, "answer_us", -1);
		break;
	case RFC_OUT_OK:
		rfc_tx(r, "connected to something");
		r->verdict = RFC_V_FAILS;
		break;
	case RFC_OUT_NOTRUN:
	case RFC_OUT_ERROR:
		rfc_tx(r, "%s", rfc_brief(u, b1, sizeof(b1)));
		r->verdict = RFC_V_UNKNOWN;
		return;
	}
	rfc_datum(r, "syns", e->unsol_syns);
	if (e->punch_s.out == RFC_OUT_NOTRUN)
		return;
	rfc_tx(r,
	       "; hole punching (s1:%u's SYN, c1:%u's %u ms later): ", Q_PUNCH,
	       e->punch_port, e->punch_delay_ms);
	if (rfc_ok(&e->punch_c) && rfc_ok(&e->punch_s))
		rfc_tx(r, "connected");
	else
		rfc_tx(r, "c1 %s, s1 %s",
		       rfc_brief(&e->punch_c, b1, sizeof(b1)),
		       rfc_brief(&e->punch_s, b2, sizeof(b2)));
	rfc_datum(r, "hole_punching",
		  rfc_ok(&e->punch_c) && rfc_ok(&e->punch_s));
}

static void judge_established(const struct rfc_evidence *e, struct rfc_row *r)
{
	int32_t t = e->timer[RFC_T_ESTABLISHED], v;
	char s1[48], s2[48];

	if (t < 0 && e->live_est < 0) {
		rfc_tx(r, "neither tcp_timeout_established nor an established "
			  "entry could be read");
		r->verdict = RFC_V_UNKNOWN;
		return;
	}
	rfc_tx(r,
	       "tcp_timeout_established = %s; an established entry had %s "
	       "left; at least %d s asked",
	       rfc_secs(t, s1, sizeof(s1)),
	       rfc_secs(e->live_est, s2, sizeof(s2)), RFC_ESTABLISHED_MIN);
	rfc_datum(r, "sysctl_s", t);
	rfc_datum(r, "entry_s", e->live_est);
	/* An entry read a moment after it was refreshed shows a second
	 * or two less than its timer. */
	v = t >= 0 ? t : e->live_est + 2;
	if (e->live_est >= 0 && e->live_est + 2 < v)
		v = e->live_est + 2;
	r->verdict = v >= RFC_ESTABLISHED_MIN ? RFC_V_MEETS : RFC_V_FAILS;
}

/* The least of the given sysctls; -1 if one is missing. */
static int32_t least(const struct rfc_evidence *e, const enum rfc_timer *w,
		     size_t n, enum rfc_timer *which)
{
	int32_t m = INT32_MAX;
	size_t i;

	for (i = 0; i < n; i++) {
		if (e->timer[w[i]] < 0)
			return -1;
		if (e->timer[w[i]] < m) {
			m = e->timer[w[i]];
			*which = w[i];
		}
	}
	return m;
}

static void expiry_text(struct rfc_row *r, const char *timer, int32_t gone_ms,
			int32_t set)
{
	if (!set)
		return;
	if (gone_ms >= 0)
		rfc_tx(r,
		       "; expiry watched with %s = %d s (4 min scaled 1:%d): the "
		       "entry went after %.2f s",
		       timer, set, SCALE, gone_ms / 1000.0);
	else
		rfc_tx(r,
		       "; expiry watched with %s = %d s (4 min scaled 1:%d): the "
		       "entry did not go within %d s",
		       timer, set, SCALE, set + 3);
}

/* Did the watched entry go when its timer said, give or take? */
static int expiry_ok(int32_t gone_ms, int32_t set)
{
	return gone_ms >= set * 1000 - 300 && gone_ms <= set * 1000 + 1500;
}

static void judge_transitory(const struct rfc_evidence *e, struct rfc_row *r)
{
	enum rfc_timer which = RFC_T_SYN_SENT;
	int32_t m =
		least(e, transitory_5382, ARRAY_SIZE(transitory_5382), &which);
	size_t i;

	if (m < 0) {
		rfc_tx(r, "the transitory sysctls could not be read");
		r->verdict = RFC_V_UNKNOWN;
		return;
	}
	for (i = 0; i < ARRAY_SIZE(transitory_5382); i++)
		rfc_tx(r, "%s%s %d", i ? ", " : "",
		       rfc_timer_names[transitory_5382[i]],
		       e->timer[transitory_5382[i]]);
	rfc_tx(r,
	       " s (the least: %s, %d s; at least %d s asked); entries: "
	       "SYN_SENT %d s, TIME_WAIT %d s left",
	       rfc_timer_names[which], m, RFC_TRANSITORY_MIN, e->live_syn_sent,
	       e->live_time_wait);
	expiry_text(r, "tcp_timeout_time_wait", e->tw_gone_ms, e->scaled_s);
	rfc_datum(r, "least_s", m);
	rfc_datum(r, "syn_sent_entry_s", e->live_syn_sent);
	rfc_datum(r, "time_wait_entry_s", e->live_time_wait);
	rfc_datum(r, "expiry_ms", e->tw_gone_ms);
	if (m < RFC_TRANSITORY_MIN) {
		r->verdict = RFC_V_FAILS;
		return;
	}
	if ((e->live_syn_sent >= 0 &&
	     e->live_syn_sent + 2 < RFC_TRANSITORY_MIN) ||
	    (e->live_time_wait >= 0 &&
	     e->live_time_wait + 2 < RFC_TRANSITORY_MIN)) {
		rfc_tx(r, "; the entries did not get the sysctl's value");
		r->verdict = RFC_V_FAILS;
		return;
	}
	r->verdict = e->scaled_s && !expiry_ok(e->tw_gone_ms, e->scaled_s)
			     ? RFC_V_UNKNOWN
			     : RFC_V_MEETS;
}

static void judge_alg(const struct rfc_evidence *e, struct rfc_row *r)
{
	int i, probed = 0, bad = 0;

	rfc_tx(r, "helpers on the entries of ");
	for (i = 0; i < e->nalg && i < (int)ARRAY_SIZE(e->alg); i++) {
		const struct rfc_alg_probe *p = &e->alg[i];
		const char *name = rfc_alg_names[i];

		rfc_tx(r, "%s%s (%u): %s", i ? ", " : "", name, p->port,
		       !p->ok	      ? "not measured"
		       : p->helper[0] ? p->helper
				      : "none");
		if (!p->ok)
			continue;
		probed++;
		/* RFC 5382 REQ-6 leaves FTP's ALG alone. */
		if (p->helper[0] && strcmp(p->helper, "ftp"))
			bad++;
	}
	if (e->helper_sysctl < 0)
		rfc_tx(r, "; nf_conntrack_helper: absent (no automatic helper "
			  "assignment)");
	else
		rfc_tx(r, "; nf_conntrack_helper = %d", e->helper_sysctl);
	if (e->expectations >= 0)
		rfc_tx(r, "; expectations: %d", e->expectations);
	rfc_datum(r, "helpers", bad);
	rfc_datum(r, "expectations", e->expectations);
	r->verdict = !probed ? RFC_V_UNKNOWN : bad ? RFC_V_FAILS : RFC_V_MEETS;
}

static void judge_overload(const struct rfc_evidence *e, struct rfc_row *r)
{
	char b1[96], b2[96];

	if (!rfc_ok(&e->ovl_c1) || !rfc_ok(&e->ovl_c2)) {
		rfc_tx(r, "c1:%u to s1: %s; c2:%u to s1: %s", e->ovl_port,
		       rfc_brief(&e->ovl_c1, b1, sizeof(b1)), e->ovl_port,
		       rfc_brief(&e->ovl_c2, b2, sizeof(b2)));
		r->verdict = RFC_V_UNKNOWN;
		return;
	}
	rfc_tx(r, "c1:%u and c2:%u to s1:%u at once: seen as :%u and :%u",
	       e->ovl_port, e->ovl_port, SRV_PORT, e->ovl_c1.ext_port,
	       e->ovl_c2.ext_port);
	rfc_datum(r, "c1_port", e->ovl_c1.ext_port);
	rfc_datum(r, "c2_port", e->ovl_c2.ext_port);
	if (e->ovl_c1.ext_port == e->ovl_c2.ext_port &&
	    e->ovl_c1.ext_addr == e->ovl_c2.ext_addr) {
		rfc_tx(r, ": one external port for both");
		r->verdict = RFC_V_FAILS;
	} else {
		r->verdict = RFC_V_MEETS;
	}
}

static void judge_hairpin(const struct rfc_evidence *e, struct rfc_row *r)
{
	char b1[96], a[16], a2[16];

	if (!rfc_ok(&e->hp_map)) {
		rfc_tx(r, "c1:%u's mapping towards s1: %s", e->hp_port,
		       rfc_brief(&e->hp_map, b1, sizeof(b1)));
		r->verdict = RFC_V_UNKNOWN;
		return;
	}
	rfc_tx(r,
	       "c1 listens on :%u, mapped to :%u; c2:%u to %s:%u: ", e->hp_port,
	       e->hp_map.ext_port, e->hp_sport, rfc_ip(e->ext, a),
	       e->hp_map.ext_port);
	rfc_datum(r, "hairpin", rfc_ok(&e->hp));
	if (!rfc_ok(&e->hp)) {
		rfc_tx(r, "%s", rfc_brief(&e->hp, b1, sizeof(b1)));
		r->verdict = rfc_broken(&e->hp) ? RFC_V_UNKNOWN : RFC_V_FAILS;
		return;
	}
	rfc_tx(r, "reached c1, which saw the peer as %s:%u",
	       rfc_ip(e->hp_seen_addr, a), e->hp_seen_port);
	rfc_datum(r, "seen_port", e->hp_seen_port);
	if (e->hp_seen_addr != e->ext) {
		rfc_tx(r,
		       " (an internal address; REQ-8a asks for the external "
		       "one, %s)",
		       rfc_ip(e->ext, a2));
		r->verdict = RFC_V_FAILS;
		return;
	}
	if (!rfc_ok(&e->hp_out)) {
		rfc_tx(r, " (the external address)");
		r->verdict = RFC_V_MEETS;
		return;
	}
	rfc_tx(r, "; s1 saw c2:%u as :%u", e->hp_sport, e->hp_out.ext_port);
	if (e->hp_out.ext_port == e->hp_seen_port) {
		rfc_tx(r, ": c2's external address and port (REQ-8a)");
		r->verdict = RFC_V_MEETS;
	} else {
		rfc_tx(r, ": not c2's external mapping (REQ-8a)");
		r->verdict = RFC_V_FAILS;
	}
}

static void judge_icmp_errors(const struct rfc_evidence *e, struct rfc_row *r)
{
	char b1[96], a[16], a2[16];

	rfc_tx(r, "UDP c1:%u to s1:%u (closed): ", e->udp_port, UDP_CLOSED);
	if (e->udp.out == RFC_OUT_ICMP)
		rfc_tx(r,
		       "ICMP %u/%u from %s reached c1's socket, matched to it "
		       "by the inner header translated back",
		       e->udp.icmp_type, e->udp.icmp_code,
		       rfc_ip(e->udp.icmp_from, a));
	else
		rfc_tx(r, "%s", rfc_brief(&e->udp, b1, sizeof(b1)));
	if (e->icmp_tcp_seen > 0)
		rfc_tx(r,
		       "; TCP: s1's ICMP about c1:%u's connection reached c1 "
		       "with inner source %s:%u",
		       e->icmp_port, rfc_ip(e->icmp_inner_addr, a2),
		       e->icmp_inner_port);
	else if (e->icmp_tcp_seen == 0)
		rfc_tx(r,
		       "; TCP: s1's ICMP about c1:%u's connection did not "
		       "reach c1",
		       e->icmp_port);
	rfc_datum(r, "udp_icmp", e->udp.out == RFC_OUT_ICMP);
	rfc_datum(r, "udp_us", e->udp.us);
	rfc_datum(r, "tcp_icmp", e->icmp_tcp_seen);
	if (e->udp.out == RFC_OUT_ICMP && e->icmp_tcp_seen != 0)
		r->verdict = RFC_V_MEETS;
	else if (e->udp.out == RFC_OUT_SILENT || e->icmp_tcp_seen == 0)
		r->verdict = RFC_V_FAILS;
	else
		r->verdict = RFC_V_UNKNOWN;
}

static void judge_icmp_keep(const struct rfc_evidence *e, struct rfc_row *r)
{
	char b1[96];

	if (!rfc_ok(&e->icmp_conn) || !e->icmp_sent) {
		rfc_tx(r, "c1:%u's connection to s1: %s%s", e->icmp_port,
		       rfc_brief(&e->icmp_conn, b1, sizeof(b1)),
		       rfc_ok(&e->icmp_conn) ? ", the ICMP could not be sent"
					     : "");
		r->verdict = RFC_V_UNKNOWN;
		return;
	}
	rfc_tx(r,
	       "after s1 sent ICMP %u/%u about c1:%u's connection (%s c1), the "
	       "gateway ",
	       ICMP_UNREACH, ICMP_PORT, e->icmp_port,
	       e->icmp_tcp_seen > 0 ? "translated, it reached"
				    : "it did not reach");
	if (e->icmp_kept)
		rfc_tx(r, "kept the entry (%s, :%u)",
		       ct_state_name(e->icmp_state), e->icmp_port_after);
	else
		rfc_tx(r, "no longer had the entry");
	rfc_tx(r, " and data %s both ways",
	       e->icmp_data ? "went" : "did not go");
	rfc_datum(r, "entry_kept", e->icmp_kept);
	rfc_datum(r, "data_after", e->icmp_data);
	r->verdict = e->icmp_kept && e->icmp_data &&
				     e->icmp_port_after == e->icmp_conn.ext_port
			     ? RFC_V_MEETS
			     : RFC_V_FAILS;
}

static void judge_tracking(const struct rfc_evidence *e, struct rfc_row *r)
{
	int i, open = 0, est = 0, closing = 0, reset = 0;

	if (!e->nstates) {
		rfc_tx(r, "no conntrack entry could be read");
		r->verdict = RFC_V_UNKNOWN;
		return;
	}
	rfc_tx(r, "states of the test connections' entries, in order: ");
	for (i = 0; i < e->nstates; i++) {
		int s = e->states[i];

		rfc_tx(r, "%s%s", i ? " -> " : "", ct_state_name(s));
		open |= s == TCP_CONNTRACK_SYN_SENT ||
			s == TCP_CONNTRACK_SYN_RECV ||
			s == TCP_CONNTRACK_SYN_SENT2;
		est |= s == TCP_CONNTRACK_ESTABLISHED;
		closing |= s >= TCP_CONNTRACK_FIN_WAIT &&
			   s <= TCP_CONNTRACK_TIME_WAIT;
		reset |= s == TCP_CONNTRACK_CLOSE;
	}
	rfc_tx(r, " (CLOSE after a RST)");
	rfc_datum(r, "states", e->nstates);
	if (open && est && closing && reset) {
		rfc_tx(r,
		       ": opening, established, closing and reset are states "
		       "of their own, each with its own timer");
		r->verdict = RFC_V_MEETS;
	} else {
		rfc_tx(r, ": not every phase was seen as a state");
		r->verdict = RFC_V_FAILS;
	}
}

static void judge_transitory_7857(const struct rfc_evidence *e,
				  struct rfc_row *r)
{
	enum rfc_timer which = RFC_T_SYN_SENT;
	int32_t m =
		least(e, transitory_7857, ARRAY_SIZE(transitory_7857), &which);

	if (m < 0) {
		rfc_tx(r, "the per-state sysctls could not be read");
		r->verdict = RFC_V_UNKNOWN;
		return;
	}
	rfc_tx(r,
	       "opening: syn_sent %d s, syn_recv %d s; closing: fin_wait %d, "
	       "close_wait %d, last_ack %d, time_wait %d, close %d s; entries "
	       "got SYN_SENT %d s, TIME_WAIT %d s, CLOSE %d s",
	       e->timer[RFC_T_SYN_SENT], e->timer[RFC_T_SYN_RECV],
	       e->timer[RFC_T_FIN_WAIT], e->timer[RFC_T_CLOSE_WAIT],
	       e->timer[RFC_T_LAST_ACK], e->timer[RFC_T_TIME_WAIT],
	       e->timer[RFC_T_CLOSE], e->live_syn_sent, e->live_time_wait,
	       e->live_close);
	rfc_datum(r, "least_s", m);
	if (m >= RFC_TRANSITORY_MIN) {
		rfc_tx(r, ": separate parameters, none below 4 min");
		r->verdict = RFC_V_MEETS;
	} else {
		rfc_tx(r,
		       ": separate parameters, but %s (%d s) is below the "
		       "RECOMMENDED 4 min default",
		       rfc_timer_names[which], m);
		r->verdict = RFC_V_CONFIG;
	}
}

static void judge_rst(const struct rfc_evidence *e, struct rfc_row *r)
{
	char s[48];

	if (e->rst_state == -2) {
		rfc_tx(r, "not measured");
		r->verdict = RFC_V_UNKNOWN;
		return;
	}
	rfc_tx(r, "s1 reset c1:%u's connection: c1 %s the RST; ", P_RST,
	       e->rst_translated ? "got" : "did not get");
	if (e->rst_state < 0)
		rfc_tx(r, "the gateway's entry was gone at once");
	else
		rfc_tx(r,
		       "the entry then sat in %s with %s left "
		       "(tcp_timeout_close = %d s; 4 min asked)",
		       ct_state_name(e->rst_state),
		       rfc_secs(e->live_close, s, sizeof(s)),
		       e->timer[RFC_T_CLOSE]);
	expiry_text(r, "tcp_timeout_close", e->close_gone_ms, e->scaled_s);
	rfc_datum(r, "rst_translated", e->rst_translated);
	rfc_datum(r, "entry_s", e->live_close);
	rfc_datum(r, "expiry_ms", e->close_gone_ms);
	if (!e->rst_translated || e->rst_state < 0 ||
	    e->live_close + 2 < RFC_TRANSITORY_MIN)
		r->verdict = RFC_V_FAILS;
	else if (e->scaled_s && !expiry_ok(e->close_gone_ms, e->scaled_s))
		r->verdict = RFC_V_UNKNOWN;
	else
		r->verdict = RFC_V_MEETS;
}

static void judge_overlap(const struct rfc_evidence *e, struct rfc_row *r)
{
	char b1[96], b2[96];
	int same;

	if (!rfc_ok(&e->olap_c1) || !rfc_ok(&e->olap_c2)) {
		rfc_tx(r, "c1:%u to s1: %s; c2:%u to s2: %s", e->olap_port,
		       rfc_brief(&e->olap_c1, b1, sizeof(b1)), e->olap_port,
		       rfc_brief(&e->olap_c2, b2, sizeof(b2)));
		r->verdict = RFC_V_UNKNOWN;
		return;
	}
	same = e->olap_c1.ext_port == e->olap_c2.ext_port;
	rfc_tx(r, "c1:%u to s1 and c2:%u to s2 at once: seen as :%u and :%u",
	       e->olap_port, e->olap_port, e->olap_c1.ext_port,
	       e->olap_c2.ext_port);
	rfc_tx(r, same ? ": port overlapping (allowed)"
		       : ": no port overlapping (allowed too)");
	rfc_datum(r, "overlapping", same);
	r->verdict = RFC_V_MEETS;
}

static void judge_app(const struct rfc_evidence *e, struct rfc_row *r)
{
	char a[16];
	int i;

	rfc_tx(r,
	       "the gateway has %d external address%s (%s); the servers "
	       "accepted %u connections, from ",
	       e->ext_addrs, e->ext_addrs == 1 ? "" : "es", rfc_ip(e->ext, a),
	       e->nseen);
	for (i = 0; i < e->nseen_addr; i++)
		rfc_tx(r, "%s%s", i ? ", " : "", rfc_ip(e->seen_addr[i], a));
	if (!e->nseen_addr)
		rfc_tx(r, "none");
	rfc_datum(r, "external_addresses", e->ext_addrs);
	rfc_datum(r, "addresses_seen", e->nseen_addr);
	if (e->ext_addrs == 1 && e->nseen_addr <= 1) {
		rfc_tx(r, ": with one address, pairing cannot show");
		r->verdict = RFC_V_NA;
	} else {
		r->verdict = RFC_V_UNKNOWN;
	}
}

/* The port test's (source, external) pairs as rfc_port_stats() takes
 * them: c1's run of RFC_PORTS_N connections, then c2's from the same
 * source ports. */
static void port_runs(const struct rfc_evidence *e,
		      uint16_t src[2 * RFC_PORTS_N],
		      uint16_t ext[2 * RFC_PORTS_N])
{
	int i;

	for (i = 0; i < RFC_PORTS_N; i++) {
		src[i] = src[RFC_PORTS_N + i] = (uint16_t)(e->ports_base + i);
		ext[i] = e->ports_c1[i];
		ext[RFC_PORTS_N + i] = e->ports_c2[i];
	}
}

static void judge_parity(const struct rfc_evidence *e, struct rfc_row *r)
{
	uint16_t src[2 * RFC_PORTS_N], ext[2 * RFC_PORTS_N];
	struct rfc_port_stats st;
	char b1[96], a[16];

	port_runs(e, src, ext);
	rfc_port_stats(src, ext, 2 * RFC_PORTS_N, &st);
	if (!st.n) {
		rfc_tx(r, "no mapping was seen");
		r->verdict = RFC_V_UNKNOWN;
		return;
	}
	rfc_tx(r,
	       "parity kept in %u of %u mappings (%u ports preserved, %u "
	       "changed); ",
	       st.parity_kept, st.n, st.preserved, st.changed);
	rfc_datum(r, "parity_kept", st.parity_kept);
	rfc_datum(r, "mappings", st.n);
	switch ((enum rfc_outcome)e->pcp.out) {
	case RFC_OUT_ICMP:
	case RFC_OUT_SILENT:
	case RFC_OUT_RST:
		rfc_tx(r,
		       "a PCP request to %s:%u got %s: no way to ask for "
		       "parity",
		       rfc_ip(e->gw_in, a), PCP_PORT,
		       e->pcp.out == RFC_OUT_SILENT
			       ? "no answer"
			       : rfc_brief(&e->pcp, b1, sizeof(b1)));
		r->verdict = RFC_V_FAILS;
		break;
	case RFC_OUT_OK:
		rfc_tx(r,
		       "something answered a PCP request on %s:%u (not judged)",
		       rfc_ip(e->gw_in, a), PCP_PORT);
		r->verdict = RFC_V_UNKNOWN;
		break;
	case RFC_OUT_NOTRUN:
	case RFC_OUT_ERROR:
		rfc_tx(r, "PCP probe: %s", rfc_brief(&e->pcp, b1, sizeof(b1)));
		r->verdict = RFC_V_UNKNOWN;
		break;
	}
}

static void judge_random(const struct rfc_evidence *e, struct rfc_row *r)
{
	uint16_t src[2 * RFC_PORTS_N], ext[2 * RFC_PORTS_N];
	struct rfc_port_stats s1, s2, all;

	port_runs(e, src, ext);
	rfc_port_stats(src, ext, RFC_PORTS_N, &s1);
	rfc_port_stats(src + RFC_PORTS_N, ext + RFC_PORTS_N, RFC_PORTS_N, &s2);
	rfc_port_stats(src, ext, 2 * RFC_PORTS_N, &all);
	rfc_tx(r,
	       "c1 from %u fresh ports %u-%u: %u of %u preserved; c2 from the "
	       "same ports while c1's were open: %u of %u preserved",
	       RFC_PORTS_N, e->ports_base, e->ports_base + RFC_PORTS_N - 1,
	       s1.preserved, s1.n, s2.preserved, s2.n);
	rfc_datum(r, "c1_preserved", s1.preserved);
	rfc_datum(r, "c1_mappings", s1.n);
	rfc_datum(r, "c2_preserved", s2.preserved);
	rfc_datum(r, "c2_mappings", s2.n);
	rfc_datum(r, "changed", all.changed);
	rfc_datum(r, "distinct", all.distinct);
	rfc_datum(r, "near_sequential", all.near_seq);
	if (all.changed < 10) {
		rfc_tx(r, "; too few changed ports to judge (%u)", all.changed);
		r->verdict = RFC_V_UNKNOWN;
		return;
	}
	rfc_tx(r,
	       "; the %u changed ports: %u distinct, in %u-%u, %u of %u steps "
	       "within 16",
	       all.changed, all.distinct, all.min, all.max, all.near_seq,
	       all.changed - 1);
	/* An allocator that walks the port space makes nearly every step
	 * small; random choices over 64,512 ports almost none. */
	if (all.near_seq * 4 <= all.changed - 1 &&
	    all.distinct == all.changed) {
		rfc_tx(r, s1.preserved == s1.n
				  ? ": preserved when free, random when not"
				  : ": random, no port preservation");
		r->verdict = RFC_V_MEETS;
	} else {
		rfc_tx(r, ": predictable");
		r->verdict = RFC_V_FAILS;
	}
}

void rfc_judge(const struct rfc_evidence *ev, struct rfc_row rows[RFC_NREQ])
{
	static void (*const judge[RFC_NREQ])(const struct rfc_evidence *,
					     struct rfc_row *) = {
		[RFC_REQ1] = judge_eim,
		[RFC_REQ2] = judge_seq,
		[RFC_REQ3] = judge_filter,
		[RFC_REQ4] = judge_unsolicited,
		[RFC_REQ5_EST] = judge_established,
		[RFC_REQ5_TRANS] = judge_transitory,
		[RFC_REQ6] = judge_alg,
		[RFC_REQ7] = judge_overload,
		[RFC_REQ8] = judge_hairpin,
		[RFC_REQ9] = judge_icmp_errors,
		[RFC_REQ10] = judge_icmp_keep,
		[RFC_TRACKING] = judge_tracking,
		[RFC_TRANSITORY] = judge_transitory_7857,
		[RFC_RST] = judge_rst,
		[RFC_OVERLAP] = judge_overlap,
		[RFC_APP] = judge_app,
		[RFC_PARITY] = judge_parity,
		[RFC_RANDOM] = judge_random,
	};
	int i;

	memset(rows, 0, sizeof(rows[0]) * RFC_NREQ);
	for (i = 0; i < RFC_NREQ; i++)
		if (judge[i] && (ev->docs & RFC_TCP_DOCS))
			judge[i](ev, &rows[i]);
	rfc_judge_udp(ev, rows);
	rfc_judge_icmp(ev, rows);
}
