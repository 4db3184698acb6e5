/* rfcjudge_icmp.c - natlab rfc's judgement of the ICMP rows: RFC 5508,
 * and RFC 7857 sec. 11 and 12. */

/*
 * One static judge per row, from struct rfc_icmp_ev alone (filled by
 * rfctest_icmp.c), with the rules of rfcjudge.c: a probe that could not
 * be sent gives "not measured", never a verdict; every verdict says what
 * was sent, what came back, and why that meets or misses.  No I/O.
 */
#include <stdio.h>
#include <string.h>

#include "rfc/rfc_int.h"

/* A live entry read just after its last packet shows up to 2 s less
 * than its timer (rfcjudge.c's rule). */
#define LIVE_SLACK_S 2
/* RFC 5508 REQ-2: an ICMP query session lasts at least this long. */
#define ICMP_QUERY_MIN_S 60

/* The ICMP error the tests send inbound and outbound: port unreachable. */
#define ERR_TYPE 3
#define ERR_CODE 3

/* A node's name for an address, or the address. */
static const char *who(const struct rfc_evidence *e, uint32_t a, char *buf)
{
	const struct {
		uint32_t addr;
		const char *name;
	} k[] = {
		{e->c1, "c1"},
		{e->c2, "c2"},
		{e->s1, "s1"},
		{e->s2, "s2"},
		{e->ext, "the gateway's external address"},
		{e->gw_in, "the gateway's inside address"},
	};
	size_t i;

	for (i = 0; i < sizeof(k) / sizeof(k[0]); i++)
		if (a == k[i].addr)
			return k[i].name;
	return rfc_ip(a, buf);
}

/* The end of a row's evidence and its verdict: meets (with @yes) or
 * does not meet (with @no). */
static void conclude(struct rfc_row *r, int ok, const char *yes, const char *no)
{
	rfc_tx(r, "%s", ok ? yes : no);
	r->verdict = ok ? RFC_V_MEETS : RFC_V_FAILS;
}

/* ---- RFC 5508 ---- */

/* REQ-1: echo requests out, their replies back. */
static void judge_query_pass(const struct rfc_evidence *e, struct rfc_row *r)
{
	const struct rfc_icmp_ev *q = &e->icmp_ev;
	char a[16];
	int i, sent = 0, back = 0;

	for (i = 0; i < 2; i++) {
		if (!q->echo_sent[i])
			continue;
		sent++;
		back += q->echo_reply[i].seen;
		rfc_tx(r, "%secho request id 0x%04x from c1 to s%d: ",
		       sent > 1 ? "; " : "", q->echo_id, i + 1);
		if (q->echo_at[i].seen)
			rfc_tx(r, "arrived from %s, ",
			       who(e, q->echo_at[i].src, a));
		else
			rfc_tx(r, "not seen at s%d, ", i + 1);
		rfc_tx(r, "%s",
		       q->echo_reply[i].seen ? "the reply reached c1"
					     : "no reply reached c1");
	}
	rfc_datum(r, "sent", sent);
	rfc_datum(r, "replies", back);
	if (!sent) {
		rfc_tx(r, "no echo request could be sent from c1");
		r->verdict = RFC_V_UNKNOWN;
		return;
	}
	rfc_tx(r, back == sent ? ": queries and their replies pass"
			       : ": a query from inside went unanswered");
	r->verdict = back == sent ? RFC_V_MEETS : RFC_V_FAILS;
}

/* REQ-1a: one identifier towards two hosts, one external identifier;
 * then again with the identifier held by c2 towards s2, where a gateway
 * that keeps identifiers when it can shows whether its mapping depends
 * on the host. */
static void judge_query_id(const struct rfc_evidence *e, struct rfc_row *r)
{
	const struct rfc_icmp_ev *q = &e->icmp_ev;
	const struct rfc_icmp_msg *b = q->echo2_at;

	if (!q->echo_at[0].seen || !q->echo_at[1].seen) {
		rfc_tx(r,
		       "c1's echo request id 0x%04x was not seen at %s: no "
		       "identifiers to compare",
		       q->echo_id,
		       !q->echo_at[0].seen && !q->echo_at[1].seen ? "s1 or s2"
		       : q->echo_at[0].seen			  ? "s2"
								  : "s1");
		r->verdict = RFC_V_UNKNOWN;
		return;
	}
	rfc_tx(r,
	       "c1 sent id 0x%04x to s1 and to s2; s1 saw 0x%04x, s2 saw "
	       "0x%04x",
	       q->echo_id, q->echo_at[0].id, q->echo_at[1].id);
	rfc_datum(r, "id", q->echo_id);
	rfc_datum(r, "s1_id", q->echo_at[0].id);
	rfc_datum(r, "s2_id", q->echo_at[1].id);
	if (q->echo_at[0].id != q->echo_at[1].id ||
	    q->echo_at[0].src != q->echo_at[1].src) {
		conclude(r, 0, "", ": the identifier was mapped per host");
		return;
	}
	if (!q->echo2_c2.seen || !b[0].seen || !b[1].seen) {
		conclude(r, 1,
			 "; second test (the identifier busy) not measured",
			 "");
		return;
	}
	rfc_tx(r,
	       "; with 0x%04x held by c2 towards s2 (seen as 0x%04x), c1's "
	       "0x%04x was seen as 0x%04x by s1 and 0x%04x by s2",
	       q->echo2_id, q->echo2_c2.id, q->echo2_id, b[0].id, b[1].id);
	rfc_datum(r, "busy_s1_id", b[0].id);
	rfc_datum(r, "busy_s2_id", b[1].id);
	conclude(r, b[0].id == b[1].id && b[0].src == b[1].src,
		 ": one mapping for every host",
		 ": the identifier was mapped per host");
}

/* REQ-2: the query timer, from the sysctl and the live entry. */
static void judge_query_timer(const struct rfc_evidence *e, struct rfc_row *r)
{
	const struct rfc_icmp_ev *q = &e->icmp_ev;
	char b1[48], b2[48];
	int32_t v;

	if (q->icmp_timeout < 0 && q->live < 0) {
		rfc_tx(r, "neither the gateway's nf_conntrack_icmp_timeout nor "
			  "the echo entry could be read");
		r->verdict = RFC_V_UNKNOWN;
		return;
	}
	rfc_tx(r,
	       "nf_conntrack_icmp_timeout %s; c1's echo entry towards s1 "
	       "had %s left just after its reply",
	       rfc_secs(q->icmp_timeout, b1, sizeof(b1)),
	       q->live >= 0 ? rfc_secs(q->live, b2, sizeof(b2))
			    : "? (not read)");
	rfc_datum(r, "icmp_timeout_s", q->icmp_timeout);
	rfc_datum(r, "live_s", q->live);
	v = q->live >= 0 ? q->live + LIVE_SLACK_S : q->icmp_timeout;
	if (q->icmp_timeout >= 0 && q->icmp_timeout < v)
		v = q->icmp_timeout;
	if (v < ICMP_QUERY_MIN_S)
		rfc_tx(r, ": an idle echo session ends after %d s", v);
	conclude(r, v >= ICMP_QUERY_MIN_S, ": at least 60 s",
		 ", under 60 s (the sysctl raises it: REQ-2a)");
}

/* REQ-2a: the timer is configurable. */
static void judge_query_timer_cfg(const struct rfc_evidence *e,
				  struct rfc_row *r)
{
	const struct rfc_icmp_ev *q = &e->icmp_ev;

	if (q->icmp_timeout < 0) {
		rfc_tx(r, "the gateway's nf_conntrack_icmp_timeout could not "
			  "be read");
		r->verdict = RFC_V_UNKNOWN;
		return;
	}
	rfc_tx(r,
	       "the timer is net.netfilter.nf_conntrack_icmp_timeout (%d s "
	       "here), one per network namespace",
	       q->icmp_timeout);
	rfc_datum(r, "icmp_timeout_s", q->icmp_timeout);
	if (q->qm_timeout >= 0 && q->qm_live >= 0) {
		rfc_tx(r,
		       "; set to %d s for a moment, the next echo entry had "
		       "%d s left after its reply",
		       q->qm_timeout, q->qm_live);
		rfc_datum(r, "set_s", q->qm_timeout);
		rfc_datum(r, "got_s", q->qm_live);
	}
	if (q->qm_timeout < 0 || q->qm_live < 0) {
		/* setting it failed, or its entry could not be read: the
		 * sysctl's existence alone shows nothing */
		rfc_tx(r, "; setting it for one echo session %s",
		       q->qm_timeout < 0 ? "failed" : "left no entry to read");
		r->verdict = RFC_V_UNKNOWN;
		return;
	}
	r->verdict = q->qm_live > q->qm_timeout ? RFC_V_FAILS : RFC_V_MEETS;
	if (r->verdict == RFC_V_FAILS)
		rfc_tx(r, ": the setting did not take");
}

/* Did c1 get error i, on its socket or its raw socket? */
static int err_got(const struct rfc_icmp_ev *q, int i)
{
	return q->err_sock[i] || q->err_at[i].seen;
}

/*
 * REQ-3, 3a-c: one unusual error about c1's mapping, which should be
 * dropped or should pass; the well-formed one (RFC_IE_GOOD) is the
 * control: if it did not reach c1 either, the other's fate says nothing.
 * @pass and @drop end the sentence when c1 got the error or did not.
 */
static void judge_malformed(const struct rfc_evidence *e, struct rfc_row *r,
			    int i, const char *what, int should_pass,
			    const char *pass, const char *drop)
{
	const struct rfc_icmp_ev *q = &e->icmp_ev;
	/* REQ-3b: the socket, which shows the quoted ports translated */
	int got = i == RFC_IE_OPTS ? q->err_sock[i] : err_got(q, i);

	if (!q->err_sent[i] || !q->err_sent[RFC_IE_GOOD]) {
		rfc_tx(r, "c1:%u's mapping was not seen at s1: no error sent",
		       q->err_port[i]);
		r->verdict = RFC_V_UNKNOWN;
		return;
	}
	rfc_tx(r, "s1 sent ICMP %u/%u with %s about c1:%u's mapping :%u; c1 %s",
	       ERR_TYPE, ERR_CODE, what, q->err_port[i], q->err_ext[i],
	       got ? "got it" : "got nothing");
	rfc_datum(r, "delivered", got);
	rfc_datum(r, "control_delivered", err_got(q, RFC_IE_GOOD));
	if (!err_got(q, RFC_IE_GOOD)) {
		rfc_tx(r, ", but the well-formed control did not reach c1 "
			  "either");
		r->verdict = RFC_V_UNKNOWN;
		return;
	}
	rfc_tx(r, " (the well-formed control reached c1)");
	conclude(r, got == should_pass, got ? pass : drop, got ? pass : drop);
}

static void judge_bad_csum(const struct rfc_evidence *e, struct rfc_row *r)
{
	judge_malformed(e, r, RFC_IE_BAD_CSUM, "a wrong ICMP checksum", 0,
			": forwarded, not dropped", ": dropped");
}

static void judge_bad_inner(const struct rfc_evidence *e, struct rfc_row *r)
{
	judge_malformed(e, r, RFC_IE_BAD_INNER,
			"a wrong checksum in the quoted IP header", 0,
			": forwarded, not dropped", ": dropped");
}

/* REQ-3b: c1's socket gets it only if the quoted ports, behind the
 * options, were found and translated back (the kernel matches the
 * socket by them). */
static void judge_options(const struct rfc_evidence *e, struct rfc_row *r)
{
	judge_malformed(e, r, RFC_IE_OPTS, "IP options in the quoted header", 1,
			": the ports behind the options were found and "
			"translated",
			": dropped: the NAT did not look past the options");
}

/* REQ-3d: extensions after the quote (RFC 4884), its UDP checksum
 * wrong: it should pass, whatever a NAT makes of the padding. */
static void judge_extensions(const struct rfc_evidence *e, struct rfc_row *r)
{
	judge_malformed(
		e, r, RFC_IE_EXT,
		"an RFC 4884 extension (an MPLS label) after its quote "
		"padded to 128 bytes, and a wrong quoted UDP checksum,",
		1,
		": passed, and its ICMP checksum, over the extension too, "
		"was still right after the quote was translated (c1's "
		"kernel checks it)",
		": dropped");
}

static void judge_bad_l4(const struct rfc_evidence *e, struct rfc_row *r)
{
	judge_malformed(e, r, RFC_IE_BAD_L4,
			"a wrong checksum in the quoted UDP header", 1,
			": the quoted checksum was not checked",
			": dropped for a checksum the NAT should not check");
}

/* REQ-4: an inbound error about a mapping translated (a-c), one about
 * no mapping dropped. */
static void judge_inbound(const struct rfc_evidence *e, struct rfc_row *r)
{
	const struct rfc_icmp_ev *q = &e->icmp_ev;
	const struct rfc_icmp_msg *m = &q->err_at[RFC_IE_GOOD];
	int ok, leak = err_got(q, RFC_IE_UNMAPPED);
	char a[16], b[16], c[16];

	if (!q->err_sent[RFC_IE_GOOD]) {
		rfc_tx(r, "c1:%u's mapping was not seen at s1: no error sent",
		       q->err_port[RFC_IE_GOOD]);
		r->verdict = RFC_V_UNKNOWN;
		return;
	}
	rfc_tx(r, "s1 sent ICMP %u/%u about c1:%u's mapping :%u: ", ERR_TYPE,
	       ERR_CODE, q->err_port[RFC_IE_GOOD], q->err_ext[RFC_IE_GOOD]);
	if (m->seen)
		rfc_tx(r,
		       "c1 got ICMP %u/%u addressed to %s, quoting %s:%u -> "
		       "%s:%u%s",
		       m->type, m->code, who(e, m->dst, a),
		       who(e, m->in_src, b), m->in_sport, who(e, m->in_dst, c),
		       m->in_dport,
		       q->err_sock[RFC_IE_GOOD] ? ", and its socket got it"
						: ", not its socket");
	else
		rfc_tx(r, "c1 %s",
		       q->err_sock[RFC_IE_GOOD] ? "'s socket got it"
						: "got nothing");
	ok = q->err_sock[RFC_IE_GOOD] &&
	     (!m->seen ||
	      (m->type == ERR_TYPE && m->code == ERR_CODE && m->dst == e->c1 &&
	       m->in_src == e->c1 && m->in_sport == q->err_port[RFC_IE_GOOD]));
	rfc_datum(r, "translated", ok);
	rfc_datum(r, "unmapped_delivered", leak);
	if (q->err_sent[RFC_IE_UNMAPPED])
		rfc_tx(r, "; one about the unmapped :%u %s",
		       q->err_ext[RFC_IE_UNMAPPED],
		       leak ? "reached c1" : "reached nobody inside");
	conclude(r, ok && !leak,
		 ": translated back, type and code kept; the other dropped",
		 ok ? ": the error about no mapping was not dropped"
		    : ": not translated to c1's flow (REQ-4a-c)");
}

/* REQ-5: an outbound error about a mapping translated (a-c), one about
 * no mapping dropped. */
static void judge_outbound(const struct rfc_evidence *e, struct rfc_row *r)
{
	const struct rfc_icmp_ev *q = &e->icmp_ev;
	const struct rfc_icmp_msg *m = &q->out_at, *u = &q->out_unmapped_at;
	char a[16], b[16], c[16];
	int ok;

	if (!q->out_sent) {
		rfc_tx(r, "c1:%u's mapping was not seen at s1: no error sent",
		       q->out_port);
		r->verdict = RFC_V_UNKNOWN;
		return;
	}
	rfc_tx(r,
	       "c1 sent s1 ICMP %u/%u about s1's datagram s1:%u -> c1:%u (c1's "
	       "mapping :%u): ",
	       ERR_TYPE, ERR_CODE, q->out_q, q->out_port, q->out_ext);
	if (m->seen)
		rfc_tx(r, "s1 got ICMP %u/%u from %s quoting %s:%u -> %s:%u",
		       m->type, m->code, who(e, m->src, a),
		       who(e, m->in_src, b), m->in_sport, who(e, m->in_dst, c),
		       m->in_dport);
	else
		rfc_tx(r, "s1 got nothing");
	ok = m->seen && m->type == ERR_TYPE && m->code == ERR_CODE &&
	     m->src == e->ext && m->in_src == e->s1 &&
	     m->in_sport == q->out_q && m->in_dst == e->ext &&
	     m->in_dport == q->out_ext;
	rfc_datum(r, "translated", ok);
	rfc_datum(r, "unmapped_leaked", u->seen);
	if (q->out_unmapped_sent)
		rfc_tx(r, "; the one about c1:%u (no mapping) %s%s",
		       q->out_unmapped_port,
		       u->seen ? "reached s1 from " : "did not reach s1",
		       u->seen ? who(e, u->src, a) : "");
	conclude(r, ok && !u->seen,
		 ": translated to s1's view, type and code kept; the other "
		 "dropped",
		 ok ? ": translated, but the error about no mapping left the "
		      "NAT (SHOULD be dropped)"
		    : ": not translated as REQ-5a-c ask");
}

/* REQ-6: an error about an echo session neither refreshes nor ends it. */
static void judge_query_error(const struct rfc_evidence *e, struct rfc_row *r)
{
	const struct rfc_icmp_ev *q = &e->icmp_ev;

	if (!q->q_err_sent || q->q_before < 0 || q->q_entry_after < 0) {
		rfc_tx(r, "%s",
		       !q->q_err_sent ? "no error about the echo session was "
					"sent (s1 saw no request)"
				      : "the echo entry could not be read");
		r->verdict = RFC_V_UNKNOWN;
		return;
	}
	rfc_tx(r,
	       "s1 sent ICMP 3/1 about c1's echo request (c1 %s it); c1's "
	       "echo entry had %d s left, ",
	       q->q_err_at.seen ? "got" : "did not get", q->q_before);
	rfc_datum(r, "before_s", q->q_before);
	rfc_datum(r, "after_s", q->q_after);
	rfc_datum(r, "gap_ms", q->q_gap_ms);
	if (!q->q_entry_after) {
		rfc_tx(r,
		       "and was gone %u ms later: the error ended the session",
		       q->q_gap_ms);
		r->verdict = RFC_V_FAILS;
		return;
	}
	rfc_tx(r, "and %d s %u ms later, after the error", q->q_after,
	       q->q_gap_ms);
	conclude(r, q->q_after < q->q_before, ": neither refreshed nor ended",
		 ": the error refreshed it");
}

/* REQ-7 and RFC 7857 sec. 12: c1's error about c2's hairpinned datagram
 * back to c2. */
static void judge_hairpin(const struct rfc_evidence *e, struct rfc_row *r)
{
	const struct rfc_icmp_ev *q = &e->icmp_ev;
	const struct rfc_icmp_msg *m = &q->hp_at;
	int mine = m->seen && q->hp_ipid && m->in_ipid == q->hp_ipid;
	char a[16], b[16], c[16];

	if (!q->hp_ext) {
		rfc_tx(r,
		       "c1:%u's mapping was not seen at s1: nothing to "
		       "hairpin to",
		       q->hp_port);
		r->verdict = RFC_V_UNKNOWN;
		return;
	}
	if (!q->hp_sent) {
		rfc_tx(r, "c2:%u could not send its datagram to c1's mapping",
		       q->hp_c2_port);
		r->verdict = RFC_V_UNKNOWN;
		return;
	}
	rfc_tx(r,
	       "c2:%u sent a datagram to c1:%u's mapping :%u: ", q->hp_c2_port,
	       q->hp_port, q->hp_ext);
	rfc_datum(r, "at_c1", q->hp_at_c1);
	rfc_datum(r, "error_at_c2", mine);
	if (!q->hp_at_c1) {
		rfc_tx(r, "it never reached c1, so there was no error to "
			  "hairpin");
		if (m->seen)
			rfc_tx(r,
			       " (c2 got ICMP %u/%u from %s: the gateway's own)",
			       m->type, m->code, who(e, m->src, a));
		rfc_tx(r, ": the NAT does not hairpin");
		r->verdict = RFC_V_FAILS;
		return;
	}
	if (!q->hp_err_sent) {
		rfc_tx(r, "it reached c1, whose error could not be sent");
		r->verdict = RFC_V_UNKNOWN;
		return;
	}
	rfc_tx(r, "it reached c1 from %s:%u; c1's ICMP %u/%u ",
	       who(e, q->hp_seen_addr, a), q->hp_seen_port, ERR_TYPE, ERR_CODE);
	if (!mine) {
		rfc_tx(r, "did not reach c2: the error does not hairpin");
		r->verdict = RFC_V_FAILS;
		return;
	}
	rfc_tx(r, "reached c2%s addressed to %s, quoting %s:%u -> %s:%u",
	       q->hp_sock ? " (and its socket)" : "", who(e, m->dst, a),
	       who(e, m->in_src, b), m->in_sport, who(e, m->in_dst, c),
	       m->in_dport);
	conclude(r,
		 m->dst == e->c2 && m->in_src == e->c2 &&
			 m->in_sport == q->hp_c2_port && m->in_dst == e->ext &&
			 m->in_dport == q->hp_ext,
		 ", as c2 sent it (REQ-7a)", ", not as c2 sent it");
}

static void judge_hairpin_5508(const struct rfc_evidence *e, struct rfc_row *r)
{
	judge_hairpin(e, r);
	rfc_tx(r, "; query hairpinning is asked of Basic NAT only: not "
		  "applicable to this NAPT");
}

/* REQ-8: no session possible. */
static void judge_no_session(const struct rfc_evidence *e, struct rfc_row *r)
{
	(void)e;
	rfc_tx(r, "needs a gateway that cannot make a mapping: its ports or "
		  "identifiers used up (tens of thousands of sessions) or a "
		  "policy refusing new ones, and either would stop the other "
		  "tests that share the lab");
	r->verdict = RFC_V_UNTESTABLE;
}

/* REQ-9: a policy, configuration only. */
static void judge_policy(const struct rfc_evidence *e, struct rfc_row *r)
{
	(void)e;
	rfc_tx(r, "a MAY about a policy that stops ICMP generation on chosen "
		  "interfaces; no profile sets one, and having one or not is "
		  "allowed: nothing a test could find wrong");
	r->verdict = RFC_V_NA;
}

/* REQ-10: the gateway's own ICMP, as a router: time exceeded for c1's
 * datagram, and for s1's to c1's mapping, its quote translated back. */
static void judge_own_icmp(const struct rfc_evidence *e, struct rfc_row *r)
{
	const struct rfc_icmp_ev *q = &e->icmp_ev;
	const struct rfc_icmp_msg *m = &q->ttl_in_at;
	char a[16], b[16];
	int out_ok, in_ok;

	if (!q->ttl_sent) {
		rfc_tx(r, "c1's datagram with TTL 1 could not be sent");
		r->verdict = RFC_V_UNKNOWN;
		return;
	}
	rfc_tx(r, "c1:%u sent s1 a datagram with TTL 1: ", q->ttl_port);
	out_ok = q->ttl_seen && q->ttl_type == 11 && q->ttl_code == 0;
	if (q->ttl_seen)
		rfc_tx(r, "its socket got ICMP %u/%u from %s", q->ttl_type,
		       q->ttl_code, who(e, q->ttl_from, a));
	else
		rfc_tx(r, "no ICMP came back");
	rfc_datum(r, "time_exceeded", out_ok);
	in_ok = q->ttl_in_sent && m->seen && m->type == 11 &&
		m->src == e->ext && m->in_dst == e->ext &&
		m->in_dport == q->out_ext;
	if (q->ttl_in_sent && m->seen)
		rfc_tx(r,
		       "; s1's with TTL 1 to c1's mapping :%u drew ICMP %u/%u "
		       "from %s quoting %s:%u",
		       q->out_ext, m->type, m->code, who(e, m->src, a),
		       who(e, m->in_dst, b), m->in_dport);
	else if (q->ttl_in_sent)
		rfc_tx(r, "; s1's with TTL 1 to c1's mapping :%u drew nothing",
		       q->out_ext);
	rfc_datum(r, "inbound_time_exceeded", q->ttl_in_sent ? m->seen : -1);
	if (!q->ttl_in_sent) {
		/* the inbound half needs REQ-5's mapping: not measured */
		rfc_tx(r, "; the datagram from s1 could not be sent%s",
		       out_ok ? "" : ": no time exceeded for c1");
		r->verdict = out_ok ? RFC_V_UNKNOWN : RFC_V_FAILS;
		return;
	}
	conclude(
		r, out_ok && in_ok,
		": time exceeded both ways, as RFC 1812 asks",
		!out_ok ? ": no time exceeded for c1"
		: !m->seen
			? ": no time exceeded for s1"
			: ": the error to s1 did not quote the external mapping");
	rfc_tx(r, "; fragmentation needed is RFC 4787 REQ-13's test");
}

/* REQ-11: neither query nor error: router advertisements. */
static void judge_other_icmp(const struct rfc_evidence *e, struct rfc_row *r)
{
	const struct rfc_icmp_ev *q = &e->icmp_ev;
	char a[16];

	if (!q->ra_in_sent && !q->ra_out_sent) {
		rfc_tx(r, "no router advertisement could be sent");
		r->verdict = RFC_V_UNKNOWN;
		return;
	}
	rfc_tx(r, "s1's router advertisement to the external address %s; ",
	       q->ra_in_at.seen ? "reached c1" : "reached nobody inside");
	if (q->ra_out_at.seen)
		rfc_tx(r, "c1's to s1 reached s1 from %s%s",
		       who(e, q->ra_out_at.src, a),
		       q->ra_out_at.src == e->c1
			       ? ", untranslated (only a query opens a "
				 "conntrack entry, icmp_new(), and NAT "
				 "follows entries)"
			       : "");
	else
		rfc_tx(r, "c1's to s1 was dropped");
	rfc_tx(r, ": any handling is allowed");
	rfc_datum(r, "in_passed", q->ra_in_at.seen);
	rfc_datum(r, "out_passed", q->ra_out_at.seen);
	rfc_datum(r, "out_untranslated",
		  q->ra_out_at.seen && q->ra_out_at.src == e->c1);
	r->verdict = RFC_V_MEETS;
}

/* ---- RFC 7857 ---- */

/* sec. 11: the query mapping may go with its last session. */
static void judge_query_mapping(const struct rfc_evidence *e, struct rfc_row *r)
{
	const struct rfc_icmp_ev *q = &e->icmp_ev;

	if (q->qm_timeout < 0 || q->qm_live < 0) {
		rfc_tx(r, "the echo session under a shortened "
			  "nf_conntrack_icmp_timeout could not be made or "
			  "read");
		r->verdict = RFC_V_UNKNOWN;
		return;
	}
	rfc_tx(r,
	       "with nf_conntrack_icmp_timeout at %d s, c1's echo id "
	       "0x%04x (mapped to 0x%04x) ",
	       q->qm_timeout, q->qm_id, q->qm_ext);
	rfc_datum(r, "timeout_s", q->qm_timeout);
	rfc_datum(r, "gone_ms", q->qm_gone_ms);
	if (q->qm_gone_ms < 0) {
		rfc_tx(r,
		       "was still there %d s later: the mapping stayed "
		       "(allowed)",
		       q->qm_timeout + 1);
		r->verdict = RFC_V_MEETS;
		return;
	}
	rfc_tx(r,
	       "ended %d ms later; s1's echo reply to 0x%04x then %s, "
	       "while one to REQ-1's live session %s",
	       q->qm_gone_ms, q->qm_ext,
	       q->qm_at.seen ? "reached c1" : "reached nobody",
	       q->qm_ctl_at.seen ? "reached c1" : "did not reach c1 either");
	rfc_datum(r, "reply_after", q->qm_at.seen);
	rfc_datum(r, "control", q->qm_ctl_at.seen);
	if (!q->qm_reply_sent || !q->qm_ctl_at.seen) {
		rfc_tx(r, ": the control failed, nothing to conclude");
		r->verdict = RFC_V_UNKNOWN;
		return;
	}
	rfc_tx(r, q->qm_at.seen ? ": the mapping outlived its session (allowed)"
				: ": the mapping went with its last session");
	r->verdict = RFC_V_MEETS;
}

void rfc_judge_icmp(const struct rfc_evidence *ev,
		    struct rfc_row rows[RFC_NREQ])
{
	static const struct {
		enum rfc_req_id id;
		void (*judge)(const struct rfc_evidence *, struct rfc_row *);
	} judges[] = {
		{RFC_I1, judge_query_pass},
		{RFC_I1A, judge_query_id},
		{RFC_I2, judge_query_timer},
		{RFC_I2A, judge_query_timer_cfg},
		{RFC_I3, judge_bad_csum},
		{RFC_I3A, judge_bad_inner},
		{RFC_I3B, judge_options},
		{RFC_I3C, judge_bad_l4},
		{RFC_I3D, judge_extensions},
		{RFC_I4, judge_inbound},
		{RFC_I5, judge_outbound},
		{RFC_I6, judge_query_error},
		{RFC_I7, judge_hairpin_5508},
		{RFC_I8, judge_no_session},
		{RFC_I9, judge_policy},
		{RFC_I10, judge_own_icmp},
		{RFC_I11, judge_other_icmp},
		{RFC_ICMP_QUERY, judge_query_mapping},
		{RFC_ICMP_HAIRPIN, judge_hairpin},
	};
	size_t i;

	if (!(ev->docs & RFC_ICMP_DOCS))
		return;
	for (i = 0; i < sizeof(judges) / sizeof(judges[0]); i++) {
		struct rfc_row *r = &rows[judges[i].id];

		memset(r, 0, sizeof(*r));
		if (!ev->icmp_ev.ran) {
			rfc_tx(r, "the ICMP tests did not run");
			r->verdict = RFC_V_UNKNOWN;
			continue;
		}
		judges[i].judge(ev, r);
	}
}
