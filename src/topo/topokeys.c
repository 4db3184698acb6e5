/* topokeys.c - topology keys: each key's value checked and kept with its
 * line. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/util.h"
#include "topo/topo.h"
#include "topo/topo_int.h"

/* Copy what precedes sep in s to buf; return what follows, or NULL. */
static const char *split(const char *s, int sep, char *buf, size_t size)
{
	const char *at = strchr(s, sep);

	if (!at || (size_t)(at - s) >= size)
		return NULL;
	memcpy(buf, s, (size_t)(at - s));
	buf[at - s] = '\0';
	return at + 1;
}

/*
 * Key handlers: p->cur is what the section fills, arg comes from the key
 * table.  Each reports its own errors and returns 0 or -EINVAL.
 */

static int key_lab_name(struct parser *p, const char *key, const char *val,
			int line, int arg)
{
	if (!topo_valid_lab_name(val)) {
		topo_perr(
			p, line,
			"invalid lab name '%s': use [a-z0-9][a-z0-9_-]*, at most %d characters",
			val, TOPO_LAB_MAX);
		return -EINVAL;
	}
	strcpy(p->t->name, val);
	p->t->name_line = line;
	return 0;
}

static int key_subnet(struct parser *p, const char *key, const char *val,
		      int line, int arg)
{
	struct topo_net *net = p->cur;
	char buf[16], s1[16];
	unsigned long n = 0;
	const char *plen;
	uint32_t a = 0;
	int err = -EINVAL;

	plen = split(val, '/', buf, sizeof(buf));
	if (plen && !util_parse_ipv4(buf, &a))
		err = util_parse_ulong(plen, 8, 30, &n);
	if (err == -ERANGE)
		topo_perr(p, line, "subnet %s: the prefix length must be 8..30",
			  val);
	else if (err)
		topo_perr(p, line, "invalid subnet '%s': expected A.B.C.D/P",
			  val);
	else if (a & ~topo_mask((int)n))
		topo_perr(p, line,
			  "subnet %s has host bits set; did you mean %s/%lu?",
			  val, util_ipv4_str(a & topo_mask((int)n), s1), n);
	else {
		net->addr = a;
		net->prefix = (int)n;
		return 0;
	}
	return -EINVAL;
}

/* arg: 0 or 1 for a network (inside, outside), 2 for via. */
static int key_ref(struct parser *p, const char *key, const char *val, int line,
		   int arg)
{
	struct pnode *n = p->cur;
	struct pref *r = arg == 2 ? &n->via : &n->net[arg];

	r->name = xstrdup(val);
	r->line = line;
	return 0;
}

static int key_addr(struct parser *p, const char *key, const char *val,
		    int line, int arg)
{
	struct pnode *n = p->cur;

	if (util_parse_ipv4(val, &n->addr[arg])) {
		topo_perr(p, line, "invalid address '%s'", val);
		return -EINVAL;
	}
	n->addr_line[arg] = line;
	return 0;
}

/* Word i of nat = ... sets bit 1 << i: the first three are TOPO_NAT_*. */
static const char *const nat_words[] = {
	"random", "fully-random", "persistent", "masquerade", "none", "rfc",
};
#define NAT_MASQ 0x8u
#define NAT_NONE 0x10u
#define NAT_RFC	 0x20u
_Static_assert(TOPO_NAT_RANDOM == 1 && TOPO_NAT_FULLY_RANDOM == 2 &&
		       TOPO_NAT_PERSISTENT == 4,
	       "nat_words[] follows the TOPO_NAT_* bits");

/* "masquerade [random] [fully-random] [persistent]", any order; "none";
 * "rfc". */
static int key_nat(struct parser *p, const char *key, const char *val, int line,
		   int arg)
{
	struct pnode *n = p->cur;
	char *s = xstrdup(val), *w, *save;
	unsigned int seen = 0;
	int err = -EINVAL;
	size_t i;

	for (w = strtok_r(s, " \t", &save); w;
	     w = strtok_r(NULL, " \t", &save)) {
		for (i = 0; i < ARRAY_SIZE(nat_words); i++)
			if (!strcmp(w, nat_words[i]))
				break;
		if (i == ARRAY_SIZE(nat_words) || (seen & 1u << i)) {
			topo_perr(p, line, "nat: %s word '%s'",
				  i < ARRAY_SIZE(nat_words) ? "repeated"
							    : "unknown",
				  w);
			goto out;
		}
		seen |= 1u << i;
	}
	if ((seen & NAT_NONE) && seen != NAT_NONE)
		topo_perr(p, line, "nat: 'none' takes no other words");
	else if ((seen & NAT_RFC) && seen != NAT_RFC)
		topo_perr(p, line, "nat: 'rfc' takes no other words");
	else if (!(seen & (NAT_NONE | NAT_MASQ | NAT_RFC)))
		topo_perr(
			p, line,
			"nat: expected 'masquerade [random|fully-random] [persistent]', 'rfc' or 'none'");
	else if ((seen & TOPO_NAT_RANDOM) && (seen & TOPO_NAT_FULLY_RANDOM))
		topo_perr(
			p, line,
			"nat: 'random' and 'fully-random' exclude each other");
	else
		err = 0;
	if (!err) {
		n->nat.mode = seen & NAT_NONE  ? TOPO_NAT_NONE
			      : seen & NAT_RFC ? TOPO_NAT_RFC
					       : TOPO_NAT_MASQUERADE;
		n->nat.flags = seen & ~(NAT_MASQ | NAT_NONE | NAT_RFC);
		n->nat.line = line;
	}
out:
	free(s);
	return err;
}

static int key_ports(struct parser *p, const char *key, const char *val,
		     int line, int arg)
{
	struct pnode *n = p->cur;
	unsigned long lo, hi;
	const char *rest;
	char buf[8];

	rest = split(val, '-', buf, sizeof(buf));
	if (!rest || util_parse_ulong(buf, 1, 65535, &lo) ||
	    util_parse_ulong(rest, 1, 65535, &hi)) {
		topo_perr(p, line,
			  "nat.ports: expected MIN-MAX, ports 1..65535");
		return -EINVAL;
	}
	if (lo > hi) {
		topo_perr(p, line, "nat.ports: %lu is above %lu", lo, hi);
		return -EINVAL;
	}
	n->nat.port_min = (uint16_t)lo;
	n->nat.port_max = (uint16_t)hi;
	n->ports_line = line;
	return 0;
}

/* The nf_conntrack_* sysctls of a network namespace, prefix dropped. */
static const char conntrack_names[] =
	" tcp_timeout_syn_sent tcp_timeout_syn_recv tcp_timeout_established"
	" tcp_timeout_fin_wait tcp_timeout_close_wait tcp_timeout_last_ack"
	" tcp_timeout_time_wait tcp_timeout_close tcp_timeout_max_retrans"
	" tcp_timeout_unacknowledged tcp_loose tcp_be_liberal tcp_max_retrans"
	" udp_timeout udp_timeout_stream icmp_timeout generic_timeout max"
	" buckets expect_max tcp_ignore_invalid_rst checksum log_invalid acct"
	" timestamp events helper ";

static int key_conntrack(struct parser *p, const char *key, const char *val,
			 int line, int arg)
{
	const char *name = key + strlen("conntrack.");
	char *word = topo_strf(" %s ", name), num[24];
	struct pnode *n = p->cur;
	unsigned long v;
	int err = -EINVAL;

	if (!strstr(conntrack_names, word))
		topo_perr(p, line, "%s: '%s' is not a known conntrack setting",
			  key, name);
	else if (util_parse_ulong(val, 0, 2147483647, &v))
		topo_perr(p, line, "%s: expected an integer 0..2147483647",
			  key);
	else
		err = 0;
	if (!err) {
		snprintf(num, sizeof(num), "%lu", v);
		topo_kv_set(&n->conntrack, &n->nconntrack, name, num, line);
	}
	free(word);
	return err;
}

static int key_sysctl(struct parser *p, const char *key, const char *val,
		      int line, int arg)
{
	const char *path = key + strlen("sysctl."), *c;
	struct pnode *n = p->cur;
	size_t len = strlen(path);

	if (strncmp(path, "net.", 4)) {
		topo_perr(p, line, "%s: only net.* sysctls are per-namespace",
			  key);
		return -EINVAL;
	}
	if (strspn(path, LOWER DIGITS "ABCDEFGHIJKLMNOPQRSTUVWXYZ_.-") != len ||
	    strstr(path, "..") || path[len - 1] == '.') {
		topo_perr(
			p, line,
			"%s: not a sysctl name ([A-Za-z0-9_-] parts joined by '.')",
			key);
		return -EINVAL;
	}
	for (c = val; *c; c++) {
		if (iscntrl((unsigned char)*c)) {
			topo_perr(p, line,
				  "%s: the value has a control character", key);
			return -EINVAL;
		}
	}
	topo_kv_set(&n->sysctls, &n->nsysctls, path, val, line);
	return 0;
}

static int key_count(struct parser *p, const char *key, const char *val,
		     int line, int arg)
{
	p->count_line = line;
	if (util_parse_ulong(val, 1, 65534, &p->count)) {
		topo_perr(p, line, "count: expected a number 1..65534");
		p->count = 0;
		return -EINVAL;
	}
	return 0;
}

static int key_prefix(struct parser *p, const char *key, const char *val,
		      int line, int arg)
{
	if (!topo_name_ok(val, strlen(val), LOWER, LOWER "_")) {
		topo_perr(p, line, "invalid prefix '%s': use [a-z][a-z_]*",
			  val);
		p->prefix_bad = 1;
		return -EINVAL;
	}
	p->prefix = xstrdup(val);
	return 0;
}

/* Engine options.  Each is checked here, with its line, and kept in the
 * node's opts list in a normal form that opt_apply() of topores.c reads. */

static int opt_set(struct parser *p, const char *key, const char *val, int line)
{
	struct pnode *n = p->cur;

	topo_kv_set(&n->opts, &n->nopts, key, val, line);
	return 0;
}

static int key_tsclock(struct parser *p, const char *key, const char *val,
		       int line, int arg)
{
	if (strcmp(val, "host") && strcmp(val, "per-connection") &&
	    strcmp(val, "off")) {
		topo_perr(p, line,
			  "tsclock: expected host, per-connection or off");
		return -EINVAL;
	}
	return opt_set(p, key, val, line);
}

static int key_ts_offset(struct parser *p, const char *key, const char *val,
			 int line, int arg)
{
	const char *span = NULL;
	char num[40];
	int64_t ms;

	if (!strcmp(val, "random"))
		return opt_set(p, key, val, line);
	if (!strncmp(val, "random ", 7)) { /* random SPAN */
		span = val + 7;
		while (*span == ' ')
			span++;
		if (!util_parse_duration(span, &ms) && ms >= 1 &&
		    ms < (1ll << 32)) {
			snprintf(num, sizeof(num), "random %lld",
				 (long long)ms);
			return opt_set(p, key, num, line);
		}
	} else if (!util_parse_duration(val, &ms) && ms > -(1ll << 32) &&
		   ms < (1ll << 32)) {
		snprintf(num, sizeof(num), "%lld", (long long)ms);
		return opt_set(p, key, num, line);
	}
	topo_perr(
		p, line,
		"ts_offset: expected 'random', 'random SPAN' or a duration such as -10s or 500ms (1 tick = 1 ms, |offset| and SPAN < 2^32 ms, SPAN >= 1ms)");
	return -EINVAL;
}

static int key_ts_skew(struct parser *p, const char *key, const char *val,
		       int line, int arg)
{
	char buf[24], *end;
	long v;

	snprintf(buf, sizeof(buf), "%s", val);
	end = strstr(buf, "ppm");
	if (end && !end[3])
		*end = '\0';
	errno = 0;
	v = strtol(buf, &end, 10);
	if (!buf[0] || *end || errno || v < -100000 || v > 100000) {
		topo_perr(
			p, line,
			"ts_skew: expected parts per million, -100000..100000 (e.g. 50ppm)");
		return -EINVAL;
	}
	snprintf(buf, sizeof(buf), "%ld", v);
	return opt_set(p, key, buf, line);
}

static int key_bool(struct parser *p, const char *key, const char *val,
		    int line, int arg)
{
	if (strcmp(val, "0") && strcmp(val, "1")) {
		topo_perr(p, line, "%s: expected 0 or 1", key);
		return -EINVAL;
	}
	return opt_set(p, key, val, line);
}

static int key_legacy_model(struct parser *p, const char *key, const char *val,
			    int line, int arg)
{
	if (strcmp(val, "4.4") && strcmp(val, "2.6.32")) {
		topo_perr(
			p, line,
			"legacy.model: expected 4.4 (tcp_metrics, Linux 4.4-4.11) or 2.6.32 (inet_peer)");
		return -EINVAL;
	}
	return opt_set(p, key, val, line);
}

static int key_paws_msl(struct parser *p, const char *key, const char *val,
			int line, int arg)
{
	char num[24];
	int64_t ms;

	if (util_parse_duration(val, &ms) || ms < 100 || ms > 3600000) {
		topo_perr(
			p, line,
			"legacy.paws_msl: expected a duration from 100ms to 1h (the kernels used 60s)");
		return -EINVAL;
	}
	snprintf(num, sizeof(num), "%lld", (long long)ms);
	return opt_set(p, key, num, line);
}

static int key_seed(struct parser *p, const char *key, const char *val,
		    int line, int arg)
{
	unsigned long v;

	if (util_parse_ulong(val, 0, ULONG_MAX, &v)) {
		topo_perr(p, line, "seed: expected a whole number");
		return -EINVAL;
	}
	p->t->seed = v;
	p->seed_set = 1;
	return 0;
}

static int key_engine(struct parser *p, const char *key, const char *val,
		      int line, int arg)
{
	unsigned long v;

	if (arg == 0) {
		if (strcmp(val, "0") && strcmp(val, "1")) {
			topo_perr(p, line, "%s: expected 0 or 1", key);
			return -EINVAL;
		}
		p->t->fail_open = val[0] == '1';
		return 0;
	}
	if (util_parse_ulong(val, 16, 65536, &v)) {
		topo_perr(p, line, "%s: expected a number 16..65536", key);
		return -EINVAL;
	}
	p->t->queue_len = (uint32_t)v;
	return 0;
}

static int key_clock_path(struct parser *p, const char *key, const char *val,
			  int line, int arg)
{
	if (!strcmp(val, "bpf")) {
		p->t->clock_path = TOPO_CLOCK_BPF;
	} else if (!strcmp(val, "nfqueue")) {
		p->t->clock_path = TOPO_CLOCK_NFQUEUE;
	} else {
		topo_perr(p, line, "clock_path: expected bpf or nfqueue");
		return -EINVAL;
	}
	return 0;
}

/* Traffic: what servers run and what clients do. */

static int key_listen(struct parser *p, const char *key, const char *val,
		      int line, int arg)
{
	char *copy = xstrdup(val), *tok, *save = NULL, out[TOPO_PORTS_MAX * 6];
	unsigned long lo, hi;
	size_t len = 0;
	int n = 0, err = 0;

	out[0] = '\0';
	for (tok = strtok_r(copy, ",", &save); tok && !err;
	     tok = strtok_r(NULL, ",", &save)) {
		char *dash = strchr(tok = topo_trim(tok), '-');

		if (dash)
			*dash = '\0';
		if (util_parse_ulong(topo_trim(tok), 1, 65535, &lo) ||
		    util_parse_ulong(dash ? topo_trim(dash + 1)
					  : topo_trim(tok),
				     1, 65535, &hi) ||
		    lo > hi) {
			err = -EINVAL;
			break;
		}
		for (; lo <= hi && n < TOPO_PORTS_MAX; lo++, n++)
			len += (size_t)snprintf(out + len, sizeof(out) - len,
						"%s%lu", n ? "," : "", lo);
		if (lo <= hi)
			err = -E2BIG;
	}
	free(copy);
	if (err == -E2BIG)
		topo_perr(p, line, "listen: at most %d ports", TOPO_PORTS_MAX);
	else if (err || !n)
		topo_perr(
			p, line,
			"listen: expected ports such as 80, 80,8080 or 8000-8009");
	return err || !n ? -EINVAL : opt_set(p, key, out, line);
}

static int key_close(struct parser *p, const char *key, const char *val,
		     int line, int arg)
{
	if (strcmp(val, "server") && strcmp(val, "client") &&
	    strcmp(val, "rst")) {
		topo_perr(p, line, "close: expected server, client or rst");
		return -EINVAL;
	}
	return opt_set(p, key, val, line);
}

/* A whole number in [arg-dependent range], kept as text. */
static int key_count_opt(struct parser *p, const char *key, const char *val,
			 int line, int arg)
{
	static const unsigned long max[] = {1000000, 65535, 16777216};
	char num[24];
	unsigned long v;

	if (util_parse_ulong(val, arg == 1 ? 1 : 0, max[arg], &v)) {
		topo_perr(p, line, "%s: expected a number %d..%lu", key,
			  arg == 1 ? 1 : 0, max[arg]);
		return -EINVAL;
	}
	snprintf(num, sizeof(num), "%lu", v);
	return opt_set(p, key, num, line);
}

static int key_duration_opt(struct parser *p, const char *key, const char *val,
			    int line, int arg)
{
	char num[24];
	int64_t ms;

	if (util_parse_duration(val, &ms) || ms < 0 || ms > 86400000) {
		topo_perr(
			p, line,
			"%s: expected a duration from 0ms to 24h, such as 50ms or 2s",
			key);
		return -EINVAL;
	}
	snprintf(num, sizeof(num), "%lld", (long long)ms);
	return opt_set(p, key, num, line);
}

static int key_sport(struct parser *p, const char *key, const char *val,
		     int line, int arg)
{
	char buf[8], num[24];
	unsigned long lo, hi;
	const char *rest;

	if (!strcmp(val, "ephemeral"))
		return opt_set(p, key, "0-0", line);
	rest = split(val, '-', buf, sizeof(buf));
	if (rest ? util_parse_ulong(buf, 1, 65535, &lo) ||
			    util_parse_ulong(rest, 1, 65535, &hi) || lo > hi
		 : util_parse_ulong(val, 1, 65535, &lo)) {
		topo_perr(
			p, line,
			"sport: expected ephemeral, a port, or a range MIN-MAX");
		return -EINVAL;
	}
	if (!rest)
		hi = lo;
	snprintf(num, sizeof(num), "%lu-%lu", lo, hi);
	return opt_set(p, key, num, line);
}

static int key_traffic(struct parser *p, const char *key, const char *val,
		       int line, int arg)
{
	struct topo_traffic *tr = &p->t->traffic;
	unsigned long v;
	int64_t ms;

	switch (arg) {
	case 0: /* order */
		if (!strcmp(val, "round-robin"))
			tr->order = TOPO_ORDER_ROUND_ROBIN;
		else if (!strcmp(val, "random"))
			tr->order = TOPO_ORDER_RANDOM;
		else if (!strcmp(val, "parallel"))
			tr->order = TOPO_ORDER_PARALLEL;
		else
			break;
		return 0;
	case 1: /* rate: attempts per second over all clients */
		if (util_parse_ulong(val, 1, 1000000, &v)) {
			topo_perr(p, line,
				  "rate: expected 1..1000000 per second");
			return -EINVAL;
		}
		tr->interval_us = (uint32_t)(1000000 / v);
		p->rate_line = line;
		return 0;
	case 2: /* server */
		p->traffic_server = xstrdup(val);
		p->traffic_server_line = line;
		return 0;
	case 3: /* port */
		if (util_parse_ulong(val, 1, 65535, &v)) {
			topo_perr(p, line, "port: expected 1..65535");
			return -EINVAL;
		}
		tr->port = (uint16_t)v;
		return 0;
	case 4: /* max */
		if (util_parse_duration(val, &ms) || ms < 1 || ms > 86400000) {
			topo_perr(p, line,
				  "max: expected a duration up to 24h");
			return -EINVAL;
		}
		tr->max_ms = (uint32_t)ms;
		return 0;
	case 5: /* linger */
		if (util_parse_duration(val, &ms) || ms < 0 || ms > 600000) {
			topo_perr(p, line,
				  "linger: expected a duration up to 10m");
			return -EINVAL;
		}
		tr->linger_ms = (uint32_t)ms;
		return 0;
	}
	topo_perr(p, line, "order: expected round-robin, random or parallel");
	return -EINVAL;
}

/* [fault NAME] keys. */

static const char *const fault_packets[] = {
	[TOPO_PKT_ANY] = "any",	      [TOPO_PKT_SYN] = "syn",
	[TOPO_PKT_SYNACK] = "synack", [TOPO_PKT_ACK] = "ack",
	[TOPO_PKT_DATA] = "data",     [TOPO_PKT_FIN] = "fin",
	[TOPO_PKT_RST] = "rst",	      [TOPO_PKT_FINAL_ACK] = "final-ack",
};

const char *topo_fault_packet_name(enum topo_fault_packet packet)
{
	return fault_packets[packet];
}

static int key_fault(struct parser *p, const char *key, const char *val,
		     int line, int arg)
{
	struct pfault *f = p->cur;
	unsigned long v;
	int64_t ms;
	size_t i;

	switch (arg) {
	case 0: /* node */
		f->node.name = xstrdup(val);
		f->node.line = line;
		return 0;
	case 1: /* direction */
		if (strcmp(val, "out") && strcmp(val, "in"))
			break;
		f->f.out = !strcmp(val, "out");
		return 0;
	case 2: /* packet */
		for (i = 0; i < ARRAY_SIZE(fault_packets); i++) {
			if (!strcmp(val, fault_packets[i])) {
				f->f.packet = (enum topo_fault_packet)i;
				return 0;
			}
		}
		topo_perr(
			p, line,
			"packet: expected any, syn, synack, ack, data, fin, rst or final-ack");
		return -EINVAL;
	case 3: /* conn */
	case 4: /* nth */
		if (util_parse_ulong(val, arg == 3 ? 0 : 1, 1000000, &v)) {
			topo_perr(p, line, "%s: expected a number %d..1000000",
				  key, arg == 3 ? 0 : 1);
			return -EINVAL;
		}
		if (arg == 3)
			f->f.conn = (uint32_t)v;
		else
			f->f.nth = (uint32_t)v;
		return 0;
	case 5: /* action */
		if (strcmp(val, "drop") && strcmp(val, "delay")) {
			topo_perr(p, line, "action: expected drop or delay");
			return -EINVAL;
		}
		f->f.drop = !strcmp(val, "drop");
		f->has_action = 1;
		return 0;
	case 6: /* delay */
		if (util_parse_duration(val, &ms) || ms < 1 || ms > 600000) {
			topo_perr(p, line,
				  "delay: expected a duration from 1ms to 10m");
			return -EINVAL;
		}
		f->f.delay_ms = (uint32_t)ms;
		f->delay_line = line;
		return 0;
	}
	topo_perr(p, line, "direction: expected out or in");
	return -EINVAL;
}

/* clang-format off */
const struct key_def topokeys_lab[] = {
	{ "name", key_lab_name, 0 },
	{ "engine.fail_open", key_engine, 0 },
	{ "engine.queue_len", key_engine, 1 },
	{ "clock_path", key_clock_path, 0 },
	{ NULL, NULL, 0 },
};

const struct key_def topokeys_network[] = {
	{ "subnet", key_subnet, 0 },
	{ NULL, NULL, 0 },
};

const struct key_def topokeys_gateway[] = {
	{ "inside", key_ref, 0 },
	{ "outside", key_ref, 1 },
	{ "inside.address", key_addr, 0 },
	{ "outside.address", key_addr, 1 },
	{ "nat", key_nat, 0 },
	{ "nat.ports", key_ports, 0 },
	{ "via", key_ref, 2 },
	{ "conntrack.", key_conntrack, 0 },
	{ "sysctl.", key_sysctl, 0 },
	{ NULL, NULL, 0 },
};

const struct key_def topokeys_server[] = {
	{ "network", key_ref, 0 },
	{ "address", key_addr, 0 },
	{ "via", key_ref, 2 },
	{ "sysctl.", key_sysctl, 0 },
	{ "listen", key_listen, 0 },
	{ "close", key_close, 0 },
	{ "backlog", key_count_opt, 1 },
	{ "request", key_count_opt, 2 },
	{ "response", key_count_opt, 2 },
	{ NULL, NULL, 0 },
};

/* A host's TCP stack, client or server: its timestamp clock and the
 * emulated tcp_tw_recycle. */
const struct key_def topokeys_host[] = {
	{ "tsclock", key_tsclock, 0 },
	{ "ts_offset", key_ts_offset, 0 },
	{ "ts_skew", key_ts_skew, 0 },
	{ "legacy.tcp_tw_recycle", key_bool, 0 },
	{ "legacy.model", key_legacy_model, 0 },
	{ "legacy.paws_msl", key_paws_msl, 0 },
	{ NULL, NULL, 0 },
};

/* A balancer's networks, addresses and ports; its servers, mode and
 * schedule are topolb.c's. */
const struct key_def topokeys_balancer[] = {
	{ "frontend", key_ref, 0 },
	{ "backend", key_ref, 1 },
	{ "address", key_addr, 0 },
	{ "backend.address", key_addr, 1 },
	{ "via", key_ref, 2 },
	{ "listen", key_listen, 0 },
	{ "conntrack.", key_conntrack, 0 },
	{ "sysctl.", key_sysctl, 0 },
	{ NULL, NULL, 0 },
};

/* What a client does: in [client], [clients] and [traffic]. */
const struct key_def topokeys_load[] = {
	{ "conns", key_count_opt, 0 },
	{ "interval", key_duration_opt, 0 },
	{ "start", key_duration_opt, 0 },
	{ "concurrency", key_count_opt, 0 },
	{ "sport", key_sport, 0 },
	{ "connect_timeout", key_duration_opt, 0 },
	{ "hold", key_duration_opt, 0 },
	{ NULL, NULL, 0 },
};

/* What a client is: in [client] and [clients]. */
const struct key_def topokeys_client[] = {
	{ "network", key_ref, 0 },
	{ "via", key_ref, 2 },
	{ "sysctl.", key_sysctl, 0 },
	{ NULL, NULL, 0 },
};

/* Only for one client. */
const struct key_def topokeys_address[] = {
	{ "address", key_addr, 0 },
	{ NULL, NULL, 0 },
};

const struct key_def topokeys_clients[] = {
	{ "count", key_count, 0 },
	{ "prefix", key_prefix, 0 },
	{ "seed", key_seed, 0 },
	{ NULL, NULL, 0 },
};

const struct key_def topokeys_traffic[] = {
	{ "order", key_traffic, 0 },
	{ "rate", key_traffic, 1 },
	{ "server", key_traffic, 2 },
	{ "port", key_traffic, 3 },
	{ "max", key_traffic, 4 },
	{ "linger", key_traffic, 5 },
	{ NULL, NULL, 0 },
};

const struct key_def topokeys_fault[] = {
	{ "node", key_fault, 0 },
	{ "direction", key_fault, 1 },
	{ "packet", key_fault, 2 },
	{ "conn", key_fault, 3 },
	{ "nth", key_fault, 4 },
	{ "action", key_fault, 5 },
	{ "delay", key_fault, 6 },
	{ NULL, NULL, 0 },
};
/* clang-format on */
