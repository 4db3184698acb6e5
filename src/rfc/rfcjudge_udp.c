/* rfcjudge_udp.c - natlab rfc's judgement of the UDP rows (RFC 4787) and
 * of RFC 7857's sections that the UDP tests answer. */

/*
 * The same rules as rfcjudge.c: a datagram that could not be sent tells
 * nothing ("not measured"); every verdict says what was sent and what
 * came back.  Mapping and filtering rows also name the behaviour, in
 * RFC 4787's words, for programs that compare it with another tool's
 * classification (the JSON's "behaviour").
 */
#include <stdio.h>
#include <string.h>

#include "rfc/rfc_int.h"

#define MIN_5 300 /* REQ-5c: 5 minutes */
#define MIN_2 120 /* REQ-5: 2 minutes */
#define SLACK 2	  /* a live timeout read a moment after its refresh */

static const char *const behaviour_names[] = {
	[RFC_B_UNKNOWN] = "",
	[RFC_B_EI] = "endpoint-independent",
	[RFC_B_AD] = "address-dependent",
	[RFC_B_APD] = "address-and-port-dependent",
};

static void behaviour(struct rfc_row *r, enum rfc_behaviour b)
{
	snprintf(r->behaviour, sizeof(r->behaviour), "%s", behaviour_names[b]);
}

/* "203.0.113.1:43101" */
static const char *endpoint(const struct rfc_dgram *d, char *buf, size_t len)
{
	char a[16];

	snprintf(buf, len, "%s:%u", rfc_ip(d->addr, a), d->port);
	return buf;
}

/* The mapping behaviour of test k: the sources s1:3478, s1:3479 and
 * s2:3478 saw. */
static enum rfc_behaviour mapping_of(const struct rfc_udp_ev *u, int k)
{
	const struct rfc_dgram *m = u->map[k];
	int j;

	for (j = 0; j < 3; j++)
		if (!m[j].seen)
			return RFC_B_UNKNOWN;
	if (m[0].port != m[1].port || m[0].addr != m[1].addr)
		return RFC_B_APD;
	if (m[0].port != m[2].port || m[0].addr != m[2].addr)
		return RFC_B_AD;
	return RFC_B_EI;
}

/* The filtering behaviour of test k: which servers got in. */
static enum rfc_behaviour filtering_of(const struct rfc_udp_ev *u, int k)
{
	if (!u->filt_ran[k] || !u->filt_in[k][0])
		return RFC_B_UNKNOWN;
	if (u->filt_in[k][2])
		return RFC_B_EI;
	if (u->filt_in[k][1])
		return RFC_B_AD;
	return RFC_B_APD;
}

static void judge_mapping(const struct rfc_evidence *e, struct rfc_row *r)
{
	const struct rfc_udp_ev *u = &e->udp_ev;
	enum rfc_behaviour b = mapping_of(u, 0), held = mapping_of(u, 2);
	char a[3][32];
	int j;

	for (j = 0; j < 3; j++)
		rfc_datum(r,
			  j == 0   ? "s1_port"
			  : j == 1 ? "s1_q2_port"
				   : "s2_port",
			  u->map[0][j].seen ? u->map[0][j].port : -1);
	if (b == RFC_B_UNKNOWN) {
		rfc_tx(r, "not every server got c1's datagram from port 43101");
		return;
	}
	/* What a NAT-type probe from a free port sees (a STUN client's
	 * view); the verdict also weighs the held port. */
	behaviour(r, b);
	rfc_tx(r,
	       "from c1:43101, s1:3478 saw %s, s1:3479 saw %s and s2:3478 saw "
	       "%s: %s mapping",
	       endpoint(&u->map[0][0], a[0], sizeof(a[0])),
	       endpoint(&u->map[0][1], a[1], sizeof(a[1])),
	       endpoint(&u->map[0][2], a[2], sizeof(a[2])), behaviour_names[b]);
	r->verdict = b == RFC_B_EI ? RFC_V_MEETS : RFC_V_FAILS;
	if (held == RFC_B_UNKNOWN) {
		rfc_tx(r, "; the test from a port c2 holds did not finish");
		return;
	}
	rfc_datum(r, "held_s1_port", u->map[2][0].port);
	rfc_datum(r, "held_s2_port", u->map[2][2].port);
	rfc_tx(r,
	       ". From c1:43102, which c2 holds towards s2:3478 (as %u), s1 saw "
	       "port %u and s2 saw %u: %s mapping",
	       u->held.port, u->map[2][0].port, u->map[2][2].port,
	       behaviour_names[held]);
	if (held != RFC_B_EI)
		r->verdict = RFC_V_FAILS;
	if (held == RFC_B_AD)
		rfc_tx(r, " as three probes read it: a port held elsewhere "
			  "makes Linux reuse some other mapping of the same "
			  "source (find_appropriate_src(), nf_nat_core.c), "
			  "whatever the destination");
}

/* The external addresses the UDP tests' servers saw. */
static int addresses_seen(const struct rfc_udp_ev *u, uint32_t *first)
{
	const struct rfc_dgram *all[] = {
		&u->map[0][0], &u->map[0][1], &u->map[0][2], &u->filt_map[0],
		&u->ovl_c1,    &u->ovl_c2,    &u->hp_c1map,  &u->hp_c2map,
	};
	uint32_t seen[8] = {0};
	size_t i;
	int n = 0, k;

	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		if (!all[i]->seen)
			continue;
		for (k = 0; k < n && seen[k] != all[i]->addr; k++)
			;
		if (k == n)
			seen[n++] = all[i]->addr;
	}
	*first = n ? seen[0] : 0;
	return n;
}

static void judge_pooling(const struct rfc_evidence *e, struct rfc_row *r)
{
	uint32_t first;
	char a[16];
	int n = addresses_seen(&e->udp_ev, &first);

	rfc_datum(r, "external_addresses", n);
	if (!n) {
		rfc_tx(r, "no datagram reached a server");
		return;
	}
	if (e->ext_addrs <= 1) {
		r->verdict = RFC_V_NA;
		rfc_tx(r,
		       "the gateway has one outside address (%s), the one every "
		       "mapping used: there is no pool to pair",
		       rfc_ip(first, a));
		return;
	}
	r->verdict = n == 1 ? RFC_V_MEETS : RFC_V_FAILS;
	rfc_tx(r, "the servers saw %d external address%s from c1 and c2", n,
	       n == 1 ? "" : "es");
}

static void judge_overload(const struct rfc_evidence *e, struct rfc_row *r)
{
	const struct rfc_udp_ev *u = &e->udp_ev;

	if (!u->ovl_c1.seen || !u->ovl_c2.seen) {
		rfc_tx(r, "s1 did not get both datagrams from port 43301");
		return;
	}
	rfc_datum(r, "c1_port", u->ovl_c1.port);
	rfc_datum(r, "c2_port", u->ovl_c2.port);
	if (u->ovl_c1.port == u->ovl_c2.port &&
	    u->ovl_c1.addr == u->ovl_c2.addr) {
		r->verdict = RFC_V_FAILS;
		rfc_tx(r,
		       "c1 and c2 both sent from port 43301 to s1:3478 and s1 "
		       "saw port %u for both",
		       u->ovl_c1.port);
		return;
	}
	r->verdict = RFC_V_MEETS;
	rfc_tx(r,
	       "c1 and c2 both sent from port 43301 to s1:3478; s1 saw ports "
	       "%u and %u",
	       u->ovl_c1.port, u->ovl_c2.port);
}

static void judge_range(const struct rfc_evidence *e, struct rfc_row *r)
{
	const struct rfc_udp_ev *u = &e->udp_ev;
	int low_ok, high_ok;

	if (!u->low_c2.seen || !u->ovl_c2.seen) {
		rfc_tx(r, "s1 did not get c2's datagrams from ports 700 and "
			  "43301");
		return;
	}
	rfc_datum(r, "low_port", u->low_c2.port);
	rfc_datum(r, "high_port", u->ovl_c2.port);
	low_ok = u->low_c2.port < 1024;
	high_ok = u->ovl_c2.port >= 1024;
	r->verdict = low_ok && high_ok ? RFC_V_MEETS : RFC_V_FAILS;
	rfc_tx(r,
	       "with c1 holding the same ports, c2's port 700 became %u (%s "
	       "1024) and its port 43301 became %u (%s 1024)",
	       u->low_c2.port, low_ok ? "below" : "not below", u->ovl_c2.port,
	       high_ok ? "above" : "not above");
}

static void judge_parity(const struct rfc_evidence *e, struct rfc_row *r)
{
	const struct rfc_udp_ev *u = &e->udp_ev;
	struct rfc_port_stats st;

	rfc_port_stats(u->par_src, u->par_c2, RFC_UDP_PARITY_N, &st);
	rfc_datum(r, "changed", st.changed);
	rfc_datum(r, "parity_kept", st.parity_kept - (st.n - st.changed));
	if (!st.changed) {
		rfc_tx(r,
		       "none of c2's %u mappings had to change port: parity "
		       "was not put to the test",
		       st.n);
		return;
	}
	st.parity_kept -= st.n - st.changed; /* the preserved ones */
	r->verdict = st.parity_kept == st.changed ? RFC_V_MEETS : RFC_V_FAILS;
	rfc_tx(r,
	       "c2 sent from %u ports c1 held towards s1:3478: %u got another "
	       "port, %u of them of the same parity",
	       st.n, st.changed, st.parity_kept);
}

/* The least of the UDP timeouts a mapping may get, s; -1 if unknown. */
static int32_t udp_least(const struct rfc_udp_ev *u)
{
	int32_t v[] = {u->udp_timeout, u->udp_stream, u->live_unreplied,
		       u->live_replied};
	int32_t least = -1;
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		int32_t x = v[i] < 0 ? -1 : i >= 2 ? v[i] + SLACK : v[i];

		if (x >= 0 && (least < 0 || x < least))
			least = x;
	}
	return least;
}

static void timer_text(const struct rfc_udp_ev *u, struct rfc_row *r)
{
	rfc_tx(r,
	       "udp_timeout %d s, udp_timeout_stream %d s; a live entry had "
	       "%d s left before a reply and %d s after it",
	       u->udp_timeout, u->udp_stream, u->live_unreplied,
	       u->live_replied);
	rfc_datum(r, "udp_timeout_s", u->udp_timeout);
	rfc_datum(r, "udp_timeout_stream_s", u->udp_stream);
	rfc_datum(r, "unreplied_s", u->live_unreplied);
	rfc_datum(r, "replied_s", u->live_replied);
}

static void judge_timer(const struct rfc_evidence *e, struct rfc_row *r)
{
	int32_t least = udp_least(&e->udp_ev);

	if (least < 0) {
		rfc_tx(r, "neither the sysctls nor a live entry could be read");
		return;
	}
	timer_text(&e->udp_ev, r);
	rfc_tx(r, ": the shortest, %d s, is %s 2 minutes", least,
	       least >= MIN_2 ? "at least" : "under");
	r->verdict = least >= MIN_2 ? RFC_V_MEETS : RFC_V_FAILS;
}

static void judge_timer_default(const struct rfc_evidence *e, struct rfc_row *r)
{
	const struct rfc_udp_ev *u = &e->udp_ev;
	int32_t least = udp_least(u);

	if (least < 0) {
		rfc_tx(r, "neither the sysctls nor a live entry could be read");
		return;
	}
	timer_text(u, r);
	if (least >= MIN_5) {
		r->verdict = RFC_V_MEETS;
		rfc_tx(r, ": 5 minutes or more");
		return;
	}
	/* REQ-5b: the two sysctls are the setting. */
	r->verdict = u->udp_timeout >= 0 ? RFC_V_CONFIG : RFC_V_FAILS;
	rfc_tx(r, ": under 5 minutes%s",
	       u->udp_timeout >= 0 ? "; the two sysctls set it (REQ-5b)" : "");
}

/* A refresh read before and after: "28 -> 30 s". */
static int refreshed(int32_t before, int32_t after)
{
	return before >= 0 && after > before;
}

static void judge_refresh(const struct rfc_evidence *e, struct rfc_row *r)
{
	const struct rfc_udp_ev *u = &e->udp_ev;
	int out = refreshed(u->ref_out_before, u->ref_out_after);
	int in = refreshed(u->ref_in_before, u->ref_in_after);

	rfc_datum(r, "outbound_before_s", u->ref_out_before);
	rfc_datum(r, "outbound_after_s", u->ref_out_after);
	rfc_datum(r, "inbound_before_s", u->ref_in_before);
	rfc_datum(r, "inbound_after_s", u->ref_in_after);
	rfc_datum(r, "inbound_refresh", in);
	if (u->ref_out_before < 0 || u->ref_out_after < 0) {
		rfc_tx(r, "the entry's timeout could not be read");
		return;
	}
	r->verdict = out ? RFC_V_MEETS : RFC_V_FAILS;
	rfc_tx(r,
	       "%.1f s after the last datagram the entry had %d s left; a "
	       "datagram from c1 set it to %d s (%s)",
	       u->ref_wait_ms / 1000.0, u->ref_out_before, u->ref_out_after,
	       out ? "outbound refresh" : "not refreshed");
	if (u->ref_in_before >= 0)
		rfc_tx(r,
		       "; later one from s1, which c1 %s, took it from %d "
		       "to %d s (%s, REQ-6a)",
		       u->ref_in_got ? "got" : "did not get", u->ref_in_before,
		       u->ref_in_after,
		       in ? "inbound refresh too" : "no inbound refresh");
}

static void judge_untestable(struct rfc_row *r, const char *needs)
{
	r->verdict = RFC_V_UNTESTABLE;
	rfc_tx(r, "needs %s", needs);
}

static void judge_dynamic(const struct rfc_evidence *e, struct rfc_row *r)
{
	(void)e;
	judge_untestable(r, "a gateway whose outside address is assigned "
			    "dynamically (DHCP) and an outside network that "
			    "overlaps the inside one; the lab's addresses are "
			    "static and apart");
}

static void judge_filtering(const struct rfc_evidence *e, struct rfc_row *r)
{
	const struct rfc_udp_ev *u = &e->udp_ev;
	enum rfc_behaviour b = filtering_of(u, 0);
	char a[32];

	rfc_datum(r, "from_s1_same_port", u->filt_in[0][0]);
	rfc_datum(r, "from_s1_other_port", u->filt_in[0][1]);
	rfc_datum(r, "from_s2", u->filt_in[0][2]);
	if (b == RFC_B_UNKNOWN) {
		rfc_tx(r, u->filt_ran[0]
				  ? "even s1:3478's answer did not reach c1"
				  : "c1's datagram did not reach s1");
		return;
	}
	behaviour(r, b);
	rfc_tx(r,
	       "c1's mapping %s towards s1:3478 let in s1:3478, %s s1:3479 "
	       "and %s s2:3478: %s filtering",
	       endpoint(&u->filt_map[0], a, sizeof(a)),
	       u->filt_in[0][1] ? "let in" : "not",
	       u->filt_in[0][2] ? "let in" : "not", behaviour_names[b]);
	r->verdict = b == RFC_B_APD ? RFC_V_FAILS : RFC_V_MEETS;
	if (b == RFC_B_APD)
		rfc_tx(r, ", neither of the two the RFC recommends");
}

static void judge_hairpin(const struct rfc_evidence *e, struct rfc_row *r)
{
	const struct rfc_udp_ev *u = &e->udp_ev;
	char a[32];

	rfc_datum(r, "hairpin", u->hp.seen);
	if (!u->hp_c1map.seen || !u->hp.sent) {
		rfc_tx(r, "c1's mapping could not be made");
		return;
	}
	r->verdict = u->hp.seen ? RFC_V_MEETS : RFC_V_FAILS;
	rfc_tx(r, "c2 sent to c1's mapping %s: c1 %s",
	       endpoint(&u->hp_c1map, a, sizeof(a)),
	       u->hp.seen ? "got it" : "got nothing");
}

static void judge_hairpin_source(const struct rfc_evidence *e,
				 struct rfc_row *r)
{
	const struct rfc_udp_ev *u = &e->udp_ev;
	char a[2][32];

	if (!u->hp_c2map.seen) {
		rfc_tx(r, "c2's own mapping was not seen at s1");
		return;
	}
	if (!u->hp.seen) {
		r->verdict = u->hp.sent ? RFC_V_FAILS : RFC_V_UNKNOWN;
		rfc_tx(r, "%s",
		       u->hp.sent ? "no hairpinned datagram arrived"
				  : "the hairpin test did not run");
		return;
	}
	rfc_datum(r, "seen_port", u->hp.port);
	rfc_datum(r, "c2_port", u->hp_c2map.port);
	r->verdict =
		u->hp.addr == u->hp_c2map.addr && u->hp.port == u->hp_c2map.port
			? RFC_V_MEETS
			: RFC_V_FAILS;
	rfc_tx(r, "c1 saw it from %s; c2's mapping is %s",
	       endpoint(&u->hp, a[0], sizeof(a[0])),
	       endpoint(&u->hp_c2map, a[1], sizeof(a[1])));
}

static void judge_alg(const struct rfc_evidence *e, struct rfc_row *r)
{
	static const char *const names[2] = {"sip (5060)", "tftp (69)"};
	const struct rfc_udp_ev *u = &e->udp_ev;
	int i, helpers = 0, read = 0;

	for (i = 0; i < 2; i++) {
		if (u->alg_read[i] != 1)
			continue;
		read++;
		helpers += u->alg_helper[i][0] != 0;
		rfc_tx(r, "%s%s: %s", read > 1 ? "; " : "", names[i],
		       u->alg_helper[i][0] ? u->alg_helper[i] : "no helper");
	}
	rfc_datum(r, "helpers", helpers);
	if (!read) {
		rfc_tx(r, "no entry could be read");
		return;
	}
	r->verdict = helpers ? RFC_V_FAILS : RFC_V_MEETS;
}

static void judge_deterministic(const struct rfc_evidence *e, struct rfc_row *r)
{
	const struct rfc_udp_ev *u = &e->udp_ev;
	enum rfc_behaviour m0 = mapping_of(u, 0), m1 = mapping_of(u, 1);
	enum rfc_behaviour f0 = filtering_of(u, 0), f1 = filtering_of(u, 1);

	if (!m0 || !m1 || !f0 || !f1) {
		rfc_tx(r, "a mapping or filtering test did not finish");
		return;
	}
	r->verdict = m0 == m1 && f0 == f1 ? RFC_V_MEETS : RFC_V_FAILS;
	rfc_tx(r,
	       "first %s mapping and %s filtering; after the other tests, "
	       "from fresh ports, %s mapping and %s filtering (two samples, "
	       "not every condition)",
	       behaviour_names[m0], behaviour_names[f0], behaviour_names[m1],
	       behaviour_names[f1]);
}

static const char *icmp_text(const struct rfc_icmp_seen *i, char *buf,
			     size_t len)
{
	char a[16];

	if (!i->seen)
		snprintf(buf, len, "nothing");
	else
		snprintf(buf, len, "ICMP %u/%u from %s", i->type, i->code,
			 rfc_ip(i->from, a));
	return buf;
}

static void judge_icmp_keep(const struct rfc_evidence *e, struct rfc_row *r)
{
	const struct rfc_udp_ev *u = &e->udp_ev;
	int same;

	if (!u->icmp_map.seen || !u->icmp_after.seen ||
	    u->icmp_entry_kept < 0) {
		rfc_tx(r, "the mapping or the datagram after the error did "
			  "not reach s1");
		return;
	}
	if (!u->icmp_s1_sent && !u->icmp_s2_sent) {
		rfc_tx(r, "neither s1 nor s2 could send the ICMP error");
		return;
	}
	same = u->icmp_after.port == u->icmp_map.port;
	rfc_datum(r, "entry_kept", u->icmp_entry_kept);
	rfc_datum(r, "port_before", u->icmp_map.port);
	rfc_datum(r, "port_after", u->icmp_after.port);
	r->verdict = u->icmp_entry_kept && same ? RFC_V_MEETS : RFC_V_FAILS;
	rfc_tx(r,
	       "after ICMP port unreachable from %s about mapping port %u the "
	       "entry was %s, and c1's next datagram came from port %u",
	       u->icmp_s1_sent && u->icmp_s2_sent ? "s1 and s2"
	       : u->icmp_s1_sent		  ? "s1"
						  : "s2",
	       u->icmp_map.port, u->icmp_entry_kept ? "still there" : "gone",
	       u->icmp_after.port);
}

static void judge_icmp_source(const struct rfc_evidence *e, struct rfc_row *r)
{
	const struct rfc_udp_ev *u = &e->udp_ev;
	char b[48];

	int got = u->icmp_s2.seen && u->icmp_s2.from == e->s2;

	if (!u->icmp_map.seen || !u->icmp_s2_sent) {
		rfc_tx(r, "%s",
		       !u->icmp_map.seen ? "c1's mapping could not be made"
					 : "s2 could not send the ICMP error");
		return;
	}
	rfc_datum(r, "from_s2", got);
	r->verdict = got ? RFC_V_MEETS : RFC_V_FAILS;
	rfc_tx(r,
	       "s2, which c1 never sent to, sent ICMP port unreachable "
	       "about c1's mapping to s1: c1 got %s",
	       icmp_text(&u->icmp_s2, b, sizeof(b)));
}

static void judge_icmp_unreach(const struct rfc_evidence *e, struct rfc_row *r)
{
	const struct rfc_udp_ev *u = &e->udp_ev;
	char b[48];

	int got = u->icmp_s1.seen && u->icmp_s1.type == 3 &&
		  u->icmp_s1.from == e->s1;

	if (!u->icmp_map.seen || !u->icmp_s1_sent) {
		rfc_tx(r, "%s",
		       !u->icmp_map.seen ? "c1's mapping could not be made"
					 : "s1 could not send the ICMP error");
		return;
	}
	rfc_datum(r, "from_s1", got);
	r->verdict = got ? RFC_V_MEETS : RFC_V_FAILS;
	rfc_tx(r, "s1's ICMP port unreachable about c1's mapping: c1 got %s",
	       icmp_text(&u->icmp_s1, b, sizeof(b)));
}

static void judge_df(const struct rfc_evidence *e, struct rfc_row *r)
{
	const struct rfc_udp_ev *u = &e->udp_ev;
	char b[48];

	if (!u->mtu || !u->df_sent) {
		rfc_tx(r, "the gateway's MTU could not be lowered, or c1 could "
			  "not send");
		return;
	}
	rfc_datum(r, "icmp_type", u->df_icmp.seen ? u->df_icmp.type : -1);
	rfc_datum(r, "icmp_code", u->df_icmp.seen ? u->df_icmp.code : -1);
	rfc_datum(r, "mtu", u->df_icmp.seen ? (int64_t)u->df_icmp.info : -1);
	r->verdict =
		u->df_icmp.seen && u->df_icmp.type == 3 && u->df_icmp.code == 4
			? RFC_V_MEETS
			: RFC_V_FAILS;
	rfc_tx(r, "%u bytes with DF over an outside MTU of %u: c1 got %s",
	       u->big_len, u->mtu, icmp_text(&u->df_icmp, b, sizeof(b)));
	if (u->df_icmp.seen && u->df_icmp.code == 4)
		rfc_tx(r, " (fragmentation needed, next-hop MTU %u)",
		       u->df_icmp.info);
}

static void judge_nodf(const struct rfc_evidence *e, struct rfc_row *r)
{
	const struct rfc_udp_ev *u = &e->udp_ev;

	if (!u->mtu || !u->nodf_sent) {
		rfc_tx(r, "the gateway's MTU could not be lowered, or c1 could "
			  "not send");
		return;
	}
	rfc_datum(r, "received", u->nodf_got);
	rfc_datum(r, "fragments", u->nodf_frags);
	rfc_datum(r, "in_order", u->nodf_in_order);
	r->verdict = u->nodf_got ? RFC_V_MEETS : RFC_V_FAILS;
	rfc_tx(r,
	       "%u bytes without DF over an outside MTU of %u: s1 %s; its "
	       "interface saw %u fragments%s",
	       u->big_len, u->mtu,
	       u->nodf_got ? "got the whole datagram" : "got nothing",
	       u->nodf_frags,
	       !u->nodf_frags	  ? ""
	       : u->nodf_in_order ? ", the first one first (in order)"
				  : ", not the first one first");
}

static void judge_out_of_order(const struct rfc_evidence *e, struct rfc_row *r)
{
	const struct rfc_udp_ev *u = &e->udp_ev;

	if (!u->ooo_sent) {
		rfc_tx(r, "s1 could not send the fragments");
		return;
	}
	rfc_datum(r, "received", u->ooo_got);
	r->verdict = u->ooo_got ? RFC_V_MEETS : RFC_V_FAILS;
	rfc_tx(r,
	       "s1 sent c1's mapping a %u-byte datagram as two fragments, the "
	       "last first: c1 %s",
	       u->ooo_len, u->ooo_got ? "got it whole" : "got nothing");
}

static void judge_fragment_dos(const struct rfc_evidence *e, struct rfc_row *r)
{
	(void)e;
	judge_untestable(r, "a flood of incomplete fragments against the "
			    "gateway while other traffic is measured; the "
			    "suite sends none");
}

/* ---- RFC 7857 ---- */

static void judge_eim_protocol(const struct rfc_evidence *e, struct rfc_row *r)
{
	const struct rfc_udp_ev *u = &e->udp_ev;

	if (!u->proto_udp.seen || u->proto_tcp_out != RFC_OUT_OK) {
		rfc_tx(r, "c2's UDP mapping or c1's TCP connection was not "
			  "made");
		return;
	}
	rfc_datum(r, "udp_port", u->proto_udp.port);
	rfc_datum(r, "tcp_port", u->proto_tcp_port);
	if (u->proto_udp.port != 43601) {
		/* A gateway that picks ports at random gives a shared
		 * mapping and two separate ones the same look. */
		r->verdict = RFC_V_UNTESTABLE;
		rfc_tx(r,
		       "needs a gateway that keeps source ports: c2's UDP port "
		       "43601 was mapped to %u, so the port c1's TCP "
		       "connection got (%u) cannot tell a mapping shared "
		       "between protocols from one per protocol",
		       u->proto_udp.port, u->proto_tcp_port);
		return;
	}
	r->verdict = u->proto_tcp_port == 43601 ? RFC_V_MEETS : RFC_V_FAILS;
	rfc_tx(r,
	       "c2 held UDP external port 43601 towards s1; c1's TCP "
	       "connection from port 43601 to s1 %s",
	       u->proto_tcp_port == 43601
		       ? "got external port 43601 too: the mappings are "
			 "per protocol"
		       : "got another port, as if the UDP mapping counted for "
			 "TCP");
}

static void judge_eif_protocol(const struct rfc_evidence *e, struct rfc_row *r)
{
	const struct rfc_udp_ev *u = &e->udp_ev;
	char a[32];

	if (!u->eifp_map.seen || u->eifp_tcp_out == RFC_OUT_NOTRUN ||
	    u->eifp_tcp_out == RFC_OUT_ERROR) {
		rfc_tx(r, "c1's UDP mapping or s2's TCP connection was not "
			  "made");
		return;
	}
	rfc_datum(r, "tcp_in", u->eifp_tcp_out == RFC_OUT_OK);
	r->verdict = u->eifp_tcp_out == RFC_OUT_OK ? RFC_V_FAILS : RFC_V_MEETS;
	rfc_tx(r, "s2 connected over TCP to c1's UDP mapping %s: %s",
	       endpoint(&u->eifp_map, a, sizeof(a)),
	       u->eifp_tcp_out == RFC_OUT_OK ? "it reached c1's listener"
	       : u->eifp_tcp_out == RFC_OUT_RST
		       ? "refused by a RST (the gateway's own)"
		       : "it did not get in");
}

static void judge_eif_refresh(const struct rfc_evidence *e, struct rfc_row *r)
{
	(void)e;
	judge_untestable(r, "an inbound security policy on top of "
			    "endpoint-independent filtering, and a mapping "
			    "watched for minutes while refused packets arrive");
}

static void judge_out_refresh(const struct rfc_evidence *e, struct rfc_row *r)
{
	const struct rfc_udp_ev *u = &e->udp_ev;

	rfc_datum(r, "before_s", u->err_before);
	rfc_datum(r, "after_s", u->err_after);
	if (!u->err_sent || u->err_before < 0 || u->err_after < 0) {
		rfc_tx(r, "the error could not be sent or the entry read");
		return;
	}
	r->verdict = refreshed(u->err_before, u->err_after) ? RFC_V_FAILS
							    : RFC_V_MEETS;
	rfc_tx(r,
	       "the entry had %d s left; after c1's ICMP port unreachable "
	       "about s1's datagram it had %d s",
	       u->err_before, u->err_after);
}

static void judge_ipid(const struct rfc_evidence *e, struct rfc_row *r)
{
	const struct rfc_udp_ev *u = &e->udp_ev;

	rfc_datum(r, "sent", u->ipid_sent);
	rfc_datum(r, "seen", u->ipid_n);
	if (u->ipid_sent < 2 || u->ipid_n < 2) {
		rfc_tx(r, "s1's interface did not see both datagrams");
		return;
	}
	rfc_datum(r, "id1", u->ipid[0]);
	rfc_datum(r, "id2", u->ipid[1]);
	r->verdict = u->ipid[0] == u->ipid[1] ? RFC_V_FAILS : RFC_V_MEETS;
	rfc_tx(r,
	       "c1 and c2 each sent a datagram without DF with IP ID %u; s1 "
	       "saw IDs %u and %u, both from the gateway's one address%s",
	       4660u, u->ipid[0], u->ipid[1],
	       u->ipid[0] == u->ipid[1]
		       ? ": the same ID twice from one source, which RFC 6864 "
			 "section 5.3.1 forbids for non-atomic datagrams"
		       : "");
}

void rfc_judge_udp(const struct rfc_evidence *ev, struct rfc_row rows[RFC_NREQ])
{
	static const struct {
		enum rfc_req_id id;
		void (*judge)(const struct rfc_evidence *, struct rfc_row *);
	} judges[] = {
		{RFC_U1, judge_mapping},
		{RFC_U2, judge_pooling},
		{RFC_U3, judge_overload},
		{RFC_U3A, judge_range},
		{RFC_U4, judge_parity},
		{RFC_U5, judge_timer},
		{RFC_U5C, judge_timer_default},
		{RFC_U6, judge_refresh},
		{RFC_U7, judge_dynamic},
		{RFC_U8, judge_filtering},
		{RFC_U9, judge_hairpin},
		{RFC_U9A, judge_hairpin_source},
		{RFC_U10, judge_alg},
		{RFC_U11, judge_deterministic},
		{RFC_U12, judge_icmp_keep},
		{RFC_U12A, judge_icmp_source},
		{RFC_U12B, judge_icmp_unreach},
		{RFC_U13, judge_df},
		{RFC_U13A, judge_nodf},
		{RFC_U14, judge_out_of_order},
		{RFC_U14A, judge_fragment_dos},
		{RFC_EIM_PROTO, judge_eim_protocol},
		{RFC_EIF_PROTO, judge_eif_protocol},
		{RFC_EIF_REFRESH, judge_eif_refresh},
		{RFC_OUT_REFRESH, judge_out_refresh},
		{RFC_IPID, judge_ipid},
	};
	size_t i;

	if (!(ev->docs & RFC_UDP_DOCS) || !ev->udp_ev.ran)
		return;
	for (i = 0; i < sizeof(judges) / sizeof(judges[0]); i++)
		judges[i].judge(ev, &rows[judges[i].id]);
}
