/* topo.c - topology files: INI-style parsing, and the public topo_* API. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "topo.h"
#include "topo_int.h"
#include "util.h"

/*
 * Theory of operation
 *
 * A section kind is a row of sect_kinds[]: NAME or not, once only or not,
 * an open hook, a table of keys with a handler each (a key ending in '.'
 * takes any suffix, as "sysctl." does), required keys and a close hook.
 * A section whose lines are not "key = value" sets a raw hook, which is
 * handed each body line with comments removed.  Handlers check one value
 * and keep it with its line.  Names are resolved by topores.c once the
 * whole file is read, since [client cK] may come before [clients]; struct
 * topo gets its nodes only if no error was found.  Generated clients
 * c1..cN carry the line of the [clients] header, and identical messages
 * for one line are kept once, so a mistake in [clients] is not reported
 * N times.
 */

#define LOWER  "abcdefghijklmnopqrstuvwxyz"
#define DIGITS "0123456789"

/* A message recorded by topo_perr(), with its line for sorting. */
struct perr {
	int line;
	char *msg;
};

struct key_def {
	const char *name; /* a key, or a prefix ending in '.' */
	int (*fn)(struct parser *p, const char *key, const char *val, int line,
		  int arg);
	int arg;
};

#define SECT_NAMED 0x1 /* [kind NAME]; otherwise [kind] */
#define SECT_ONCE  0x2 /* at most one per file */

struct sect_kind {
	const char *name;
	unsigned int flags;
	enum topo_kind node; /* for node_open() */
	/* start a section; an error return skips its body */
	int (*open)(struct parser *p, const char *name, int line);
	/* its keys: up to three tables, each ending with a NULL name */
	const struct key_def *keys[3];
	/* if set, gets the body lines instead of them being key = value */
	int (*raw)(struct parser *p, const char *text, int line);
	const char *required[3];
	void (*close)(struct parser *p);
};

char *topo_strf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0) {
		fputs("natlab: out of memory\n", stderr);
		abort();
	}
	return s;
}

/* Make room for one more element of a growing array. */
static void *grow(void *a, int n, int *cap, size_t size)
{
	if (n < *cap)
		return a;
	*cap = *cap ? *cap * 2 : 8;
	return xrealloc(a, (size_t)*cap, size);
}

void topo_perr(struct parser *p, int line, const char *fmt, ...)
{
	char buf[512], *msg;
	va_list ap;
	int i, j;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	msg = topo_strf("%s:%d: %s", p->t->file, line, buf);
	for (i = p->nerrs; i > 0 && p->errs[i - 1].line > line; i--)
		;
	for (j = i; j > 0 && p->errs[j - 1].line == line; j--) {
		if (!strcmp(p->errs[j - 1].msg, msg)) {
			free(msg);
			return;
		}
	}
	p->errs = grow(p->errs, p->nerrs, &p->errs_cap, sizeof(*p->errs));
	memmove(&p->errs[i + 1], &p->errs[i],
		(size_t)(p->nerrs - i) * sizeof(*p->errs));
	p->errs[i].line = line;
	p->errs[i].msg = msg;
	p->nerrs++;
}

/* s is 1..max characters, the first from first, the others from rest. */
static int name_ok(const char *s, size_t max, const char *first,
		   const char *rest)
{
	size_t n = strlen(s);

	return n >= 1 && n <= max && strchr(first, s[0]) &&
	       strspn(s + 1, rest) == n - 1;
}

int topo_valid_lab_name(const char *name)
{
	return name_ok(name, TOPO_LAB_MAX, LOWER DIGITS, LOWER DIGITS "_-");
}

void topo_kv_set(struct topo_kv **v, int *n, const char *key, const char *value,
		 int line)
{
	struct topo_kv *kv;
	int i;

	for (i = 0; i < *n && strcmp((*v)[i].key, key); i++)
		;
	if (i == *n) {
		*v = xrealloc(*v, (size_t)*n + 1, sizeof(**v));
		kv = &(*v)[(*n)++];
		kv->key = xstrdup(key);
	} else {
		kv = &(*v)[i];
		free(kv->value);
	}
	kv->value = xstrdup(value);
	kv->line = line;
}

static void kv_free(struct topo_kv *v, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		free(v[i].key);
		free(v[i].value);
	}
	free(v);
}

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
	"random", "fully-random", "persistent", "masquerade", "none",
};
#define NAT_MASQ 0x8u
#define NAT_NONE 0x10u
_Static_assert(TOPO_NAT_RANDOM == 1 && TOPO_NAT_FULLY_RANDOM == 2 &&
		       TOPO_NAT_PERSISTENT == 4,
	       "nat_words[] follows the TOPO_NAT_* bits");

/* "masquerade [random] [fully-random] [persistent]", any order; "none". */
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
	else if (!(seen & (NAT_NONE | NAT_MASQ)))
		topo_perr(
			p, line,
			"nat: expected 'masquerade [random|fully-random] [persistent]' or 'none'");
	else if ((seen & TOPO_NAT_RANDOM) && (seen & TOPO_NAT_FULLY_RANDOM))
		topo_perr(
			p, line,
			"nat: 'random' and 'fully-random' exclude each other");
	else
		err = 0;
	if (!err) {
		n->nat.mode =
			seen & NAT_NONE ? TOPO_NAT_NONE : TOPO_NAT_MASQUERADE;
		n->nat.flags = seen & ~(NAT_MASQ | NAT_NONE);
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
	if (!name_ok(val, strlen(val), LOWER, LOWER "_")) {
		topo_perr(p, line, "invalid prefix '%s': use [a-z][a-z_]*",
			  val);
		p->prefix_bad = 1;
		return -EINVAL;
	}
	p->prefix = xstrdup(val);
	return 0;
}

/* Engine options.  Each is checked here, with its line, and kept in the
 * node's opts list in a normal form that topo_opt_apply() reads. */

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
	char num[32];
	int64_t ms;

	if (!strcmp(val, "random"))
		return opt_set(p, key, val, line);
	if (util_parse_duration(val, &ms) || ms <= -(1ll << 32) ||
	    ms >= (1ll << 32)) {
		topo_perr(
			p, line,
			"ts_offset: expected 'random' or a duration such as -10s or 500ms (1 tick = 1 ms, |offset| < 2^32 ms)");
		return -EINVAL;
	}
	snprintf(num, sizeof(num), "%lld", (long long)ms);
	return opt_set(p, key, num, line);
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

/* Traffic: what servers run and what clients do. */

static char *trim(char *s);

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
		char *dash = strchr(tok = trim(tok), '-');

		if (dash)
			*dash = '\0';
		if (util_parse_ulong(trim(tok), 1, 65535, &lo) ||
		    util_parse_ulong(dash ? trim(dash + 1) : trim(tok), 1,
				     65535, &hi) ||
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

/* [expect]: "METRIC OP VALUE" lines; metrics are checked once the nodes
 * are known. */
static int expect_raw(struct parser *p, const char *text, int line)
{
	static const char *const ops[] = {"==", "!=", "<=", ">=", "<", ">"};
	static const enum topo_cmp opv[] = {TOPO_EQ, TOPO_NE, TOPO_LE,
					    TOPO_GE, TOPO_LT, TOPO_GT};
	char metric[64], op[4], value[48], extra[2];
	struct topo_expect *e;
	double v = 0;
	size_t i;
	char *end;

	if (sscanf(text, "%63s %3s %47s %1s", metric, op, value, extra) != 3) {
		topo_perr(p, line,
			  "expected 'METRIC OP VALUE', e.g. 'c1.failed == 0'");
		return -EINVAL;
	}
	for (i = 0; i < ARRAY_SIZE(ops); i++)
		if (!strcmp(op, ops[i]))
			break;
	if (i == ARRAY_SIZE(ops)) {
		topo_perr(p, line,
			  "unknown operator '%s': use == != < <= > >=", op);
		return -EINVAL;
	}
	errno = 0;
	v = strtod(value, &end);
	/* Plain decimals only: strtod() would take nan, inf and hex. */
	if (end == value || errno ||
	    strspn(value, "-0123456789.") != (size_t)(end - value) ||
	    value[0] == '+' ||
	    (*end && strcmp(end, "ms") && strcmp(end, "s"))) {
		topo_perr(p, line, "'%s' is not a number or a duration (ms, s)",
			  value);
		return -EINVAL;
	}
	p->expects = grow(p->expects, p->nexpects, &p->expects_cap,
			  sizeof(*p->expects));
	e = &p->expects[p->nexpects];
	memset(e, 0, sizeof(*e));
	e->duration = *end != '\0';
	e->value = !strcmp(end, "s") ? v * 1000.0 : v;
	if (strlen(metric) >= sizeof(e->metric)) {
		topo_perr(p, line, "metric name '%s' is too long", metric);
		return -EINVAL;
	}
	strcpy(e->metric, metric);
	e->op = opv[i];
	e->line = line;
	snprintf(e->text, sizeof(e->text), "%s %s %s", metric, op, value);
	p->nexpects++;
	return 0;
}

static int traffic_open(struct parser *p, const char *name, int line)
{
	p->t->traffic.present = 1;
	p->traffic.kind = TOPO_CLIENT;
	p->traffic.line = line;
	p->cur = &p->traffic;
	return 0;
}

static int expect_open(struct parser *p, const char *name, int line)
{
	return 0;
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

/* Section hooks. */

static int lab_open(struct parser *p, const char *name, int line)
{
	p->lab_line = line;
	return 0;
}

/* Networks go straight to t->nets; prefix 0 marks a missing subnet.
 * A network with a bad or taken name is left out, its body skipped. */
static int net_open(struct parser *p, const char *name, int line)
{
	struct topo *t = p->t;
	struct topo_net *net;
	int i;

	if (!name_ok(name, TOPO_NET_MAX, LOWER, LOWER DIGITS "_") ||
	    !strcmp(name, "lo")) {
		topo_perr(
			p, line,
			"invalid network name '%s': use [a-z][a-z0-9_]*, at most %d characters, not 'lo'",
			name, TOPO_NET_MAX);
		return -EINVAL;
	}
	for (i = 0; i < t->nnets; i++) {
		if (!strcmp(t->nets[i].name, name)) {
			topo_perr(p, line,
				  "duplicate network '%s' (first at line %d)",
				  name, t->nets[i].line);
			return -EEXIST;
		}
	}
	t->nets = grow(t->nets, t->nnets, &p->nets_cap, sizeof(*t->nets));
	net = &t->nets[t->nnets++];
	memset(net, 0, sizeof(*net));
	strcpy(net->name, name);
	net->line = line;
	p->cur = net;
	return 0;
}

/* A [gateway], [server] or [client].  Clashes with the names of
 * generated clients are found once the file is read. */
static int node_open(struct parser *p, const char *name, int line)
{
	struct pnode *n;
	int i;

	if (!name_ok(name, TOPO_NODE_MAX, LOWER, LOWER DIGITS "_") ||
	    !strcmp(name, "sw"))
		topo_perr(
			p, line,
			"invalid node name '%s': use [a-z][a-z0-9_]*, at most %d characters, not 'sw'",
			name, TOPO_NODE_MAX);
	for (i = 0; i < p->nsecs; i++) {
		if (!strcmp(p->secs[i]->name, name)) {
			topo_perr(p, line,
				  "duplicate node '%s' (first at line %d)",
				  name, p->secs[i]->line);
			return -EEXIST;
		}
	}
	n = xcalloc(1, sizeof(*n));
	n->name = xstrdup(name);
	n->kind = p->kind->node;
	n->line = line;
	n->nat.mode = TOPO_NAT_MASQUERADE;
	p->secs = grow(p->secs, p->nsecs, &p->secs_cap, sizeof(*p->secs));
	p->secs[p->nsecs++] = n;
	p->cur = n;
	return 0;
}

/* Generated clients take the line of the [clients] header. */
static int clients_open(struct parser *p, const char *name, int line)
{
	p->clients_line = line;
	p->tmpl.kind = TOPO_CLIENT;
	p->tmpl.line = line;
	p->cur = &p->tmpl;
	return 0;
}

static void gateway_close(struct parser *p)
{
	struct pnode *n = p->cur;

	if (n->ports_line && n->nat.line && n->nat.mode == TOPO_NAT_NONE)
		topo_perr(p, n->ports_line, "nat.ports needs nat = masquerade");
}

/* The longest generated name must still be a valid node name. */
static void clients_close(struct parser *p)
{
	const char *prefix = p->prefix ? p->prefix : "c";
	char num[24];
	int len;

	if (!p->count || p->prefix_bad)
		return;
	len = snprintf(num, sizeof(num), "%lu", p->count);
	if (strlen(prefix) + (size_t)len > TOPO_NODE_MAX)
		topo_perr(
			p, p->count_line,
			"client names %s1..%s%lu would be longer than %d characters",
			prefix, prefix, p->count, TOPO_NODE_MAX);
	else
		p->ngen = (int)p->count;
}

static int fault_open(struct parser *p, const char *name, int line)
{
	struct pfault *f;
	int i;

	if (!name_ok(name, TOPO_NODE_MAX, LOWER, LOWER DIGITS "_")) {
		topo_perr(
			p, line,
			"invalid fault name '%s': use [a-z][a-z0-9_]*, at most %d characters",
			name, TOPO_NODE_MAX);
		return -EINVAL;
	}
	for (i = 0; i < p->nfaults; i++) {
		if (!strcmp(p->faults[i].f.name, name)) {
			topo_perr(p, line,
				  "duplicate fault '%s' (first at line %d)",
				  name, p->faults[i].f.line);
			return -EEXIST;
		}
	}
	p->faults =
		grow(p->faults, p->nfaults, &p->faults_cap, sizeof(*p->faults));
	f = &p->faults[p->nfaults++];
	memset(f, 0, sizeof(*f));
	strcpy(f->f.name, name);
	f->f.line = line;
	f->f.out = 1;
	f->f.nth = 1;
	p->cur = f;
	return 0;
}

static void fault_close(struct parser *p)
{
	struct pfault *f = p->cur;

	if (f->has_action && !f->f.drop && !f->f.delay_ms)
		topo_perr(p, f->f.line,
			  "fault '%s': action = delay needs 'delay'",
			  f->f.name);
	if (f->delay_line && f->has_action && f->f.drop)
		topo_perr(p, f->delay_line,
			  "fault '%s': 'delay' is only for action = delay",
			  f->f.name);
}

/* clang-format off */
static const struct key_def lab_keys[] = {
	{ "name", key_lab_name, 0 },
	{ "engine.fail_open", key_engine, 0 },
	{ "engine.queue_len", key_engine, 1 },
	{ NULL, NULL, 0 },
};

static const struct key_def network_keys[] = {
	{ "subnet", key_subnet, 0 },
	{ NULL, NULL, 0 },
};

static const struct key_def gateway_keys[] = {
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

static const struct key_def server_keys[] = {
	{ "network", key_ref, 0 },
	{ "address", key_addr, 0 },
	{ "via", key_ref, 2 },
	{ "sysctl.", key_sysctl, 0 },
	{ "listen", key_listen, 0 },
	{ "close", key_close, 0 },
	{ "backlog", key_count_opt, 1 },
	{ "request", key_count_opt, 2 },
	{ "response", key_count_opt, 2 },
	{ "legacy.tcp_tw_recycle", key_bool, 0 },
	{ "legacy.model", key_legacy_model, 0 },
	{ "legacy.paws_msl", key_paws_msl, 0 },
	{ NULL, NULL, 0 },
};

/* What a client does: in [client], [clients] and [traffic]. */
static const struct key_def load_keys[] = {
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
static const struct key_def client_keys[] = {
	{ "network", key_ref, 0 },
	{ "via", key_ref, 2 },
	{ "sysctl.", key_sysctl, 0 },
	{ "tsclock", key_tsclock, 0 },
	{ "ts_offset", key_ts_offset, 0 },
	{ "ts_skew", key_ts_skew, 0 },
	{ NULL, NULL, 0 },
};

/* Only for one client. */
static const struct key_def address_keys[] = {
	{ "address", key_addr, 0 },
	{ NULL, NULL, 0 },
};

static const struct key_def clients_keys[] = {
	{ "count", key_count, 0 },
	{ "prefix", key_prefix, 0 },
	{ "seed", key_seed, 0 },
	{ NULL, NULL, 0 },
};

static const struct key_def traffic_keys[] = {
	{ "order", key_traffic, 0 },
	{ "rate", key_traffic, 1 },
	{ "server", key_traffic, 2 },
	{ "port", key_traffic, 3 },
	{ "max", key_traffic, 4 },
	{ "linger", key_traffic, 5 },
	{ NULL, NULL, 0 },
};

static const struct key_def fault_keys[] = {
	{ "node", key_fault, 0 },
	{ "direction", key_fault, 1 },
	{ "packet", key_fault, 2 },
	{ "conn", key_fault, 3 },
	{ "nth", key_fault, 4 },
	{ "action", key_fault, 5 },
	{ "delay", key_fault, 6 },
	{ NULL, NULL, 0 },
};

static const struct sect_kind sect_kinds[] = {
	{ .name = "lab", .flags = SECT_ONCE, .open = lab_open,
	  .keys = { lab_keys }, .required = { "name" } },
	{ .name = "network", .flags = SECT_NAMED, .open = net_open,
	  .keys = { network_keys }, .required = { "subnet" } },
	{ .name = "gateway", .flags = SECT_NAMED, .node = TOPO_GATEWAY,
	  .open = node_open, .keys = { gateway_keys },
	  .required = { "inside", "outside" }, .close = gateway_close },
	{ .name = "server", .flags = SECT_NAMED, .node = TOPO_SERVER,
	  .open = node_open, .keys = { server_keys }, .required = { "network" } },
	{ .name = "clients", .flags = SECT_ONCE, .open = clients_open,
	  .keys = { clients_keys, client_keys, load_keys }, .required = { "count", "network" },
	  .close = clients_close },
	{ .name = "client", .flags = SECT_NAMED, .node = TOPO_CLIENT,
	  .open = node_open, .keys = { client_keys, address_keys, load_keys } },
	{ .name = "traffic", .flags = SECT_ONCE, .open = traffic_open,
	  .keys = { traffic_keys, load_keys } },
	{ .name = "expect", .flags = SECT_ONCE, .open = expect_open,
	  .raw = expect_raw },
	{ .name = "fault", .flags = SECT_NAMED, .open = fault_open,
	  .keys = { fault_keys }, .required = { "node", "action" },
	  .close = fault_close },
};
/* clang-format on */

_Static_assert(ARRAY_SIZE(sect_kinds) <=
		       ARRAY_SIZE(((struct parser *)0)->first),
	       "parser.first[] must have a slot per section kind");

/* Lines. */

static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

/* Cut comments: a line starting with ';' or '#', or the rest of a line
 * from a ';' or '#' after whitespace.  Return the trimmed remainder. */
static char *uncomment(char *s)
{
	size_t i;

	s = trim(s);
	if (*s == ';' || *s == '#')
		*s = '\0';
	for (i = 1; s[0] && s[i]; i++) {
		if ((s[i] == ';' || s[i] == '#') &&
		    isspace((unsigned char)s[i - 1])) {
			s[i] = '\0';
			break;
		}
	}
	return trim(s);
}

static int seen_line(const struct parser *p, const char *key)
{
	int i;

	for (i = 0; i < p->nseen; i++)
		if (!strcmp(p->seen[i].key, key))
			return p->seen[i].line;
	return 0;
}

static void end_section(struct parser *p)
{
	size_t i;

	for (i = 0; p->kind && i < ARRAY_SIZE(p->kind->required); i++)
		if (p->kind->required[i] && !seen_line(p, p->kind->required[i]))
			topo_perr(p, p->sect_line, "%s: missing '%s'", p->what,
				  p->kind->required[i]);
	if (p->kind && p->kind->close)
		p->kind->close(p);
	while (p->nseen)
		free(p->seen[--p->nseen].key);
	free(p->label);
	free(p->what);
	p->label = p->what = NULL;
	p->kind = NULL;
	p->cur = NULL;
	p->skip = 0;
}

/* "[kind]" or "[kind NAME]": end the current section, start the next.
 * The body of a rejected header is skipped. */
static void parse_header(struct parser *p, char *s, int line)
{
	const struct sect_kind *k = NULL;
	char *kind, *name = NULL, *extra = NULL, *save;
	size_t i;

	end_section(p);
	p->skip = 1;
	s[strlen(s) - 1] = '\0';
	kind = strtok_r(s + 1, " \t", &save);
	if (kind)
		name = strtok_r(NULL, " \t", &save);
	if (name)
		extra = strtok_r(NULL, " \t", &save);
	for (i = 0; kind && i < ARRAY_SIZE(sect_kinds); i++)
		if (!strcmp(kind, sect_kinds[i].name))
			k = &sect_kinds[i];
	if (!k)
		topo_perr(p, line, "unknown section [%s]", kind ? kind : "");
	else if ((k->flags & SECT_NAMED) && !name)
		topo_perr(p, line, "section [%s] needs a name: [%s NAME]", kind,
			  kind);
	else if (!(k->flags & SECT_NAMED) && name)
		topo_perr(p, line, "section [%s] takes no name", kind);
	else if (extra)
		topo_perr(p, line, "section [%s %s]: one word for the name",
			  kind, name);
	else if ((k->flags & SECT_ONCE) && p->first[k - sect_kinds])
		topo_perr(p, line, "duplicate section [%s] (first at line %d)",
			  kind, p->first[k - sect_kinds]);
	else
		p->skip = 0;
	if (p->skip)
		return;
	p->kind = k;
	if (k->open(p, name, line)) {
		p->kind = NULL;
		p->skip = 1;
		return;
	}
	p->first[k - sect_kinds] = line;
	p->label = name ? topo_strf("[%s %s]", kind, name)
			: topo_strf("[%s]", kind);
	p->what = name ? topo_strf("%s '%s'", kind, name)
		       : topo_strf("[%s]", kind);
	p->sect_line = line;
}

static void parse_key(struct parser *p, const char *key, const char *val,
		      int line)
{
	const struct key_def *d = NULL, *k;
	int first = seen_line(p, key), t;
	size_t n;

	for (t = 0; !d && t < 3 && p->kind->keys[t]; t++) {
		for (k = p->kind->keys[t]; k->name; k++) {
			n = strlen(k->name);
			if (k->name[n - 1] == '.'
				    ? !strncmp(key, k->name, n) && key[n]
				    : !strcmp(key, k->name)) {
				d = k;
				break;
			}
		}
	}
	if (!d) {
		topo_perr(p, line, "unknown key '%s' in %s", key, p->label);
		return;
	}
	if (first) {
		topo_perr(p, line, "duplicate key '%s' (first at line %d)", key,
			  first);
		return;
	}
	p->seen = grow(p->seen, p->nseen, &p->seen_cap, sizeof(*p->seen));
	p->seen[p->nseen].key = xstrdup(key);
	p->seen[p->nseen++].line = line;
	if (!*val)
		topo_perr(p, line, "empty value for '%s'", key);
	else
		d->fn(p, key, val, line, d->arg);
}

static void parse_line(struct parser *p, char *s, int line)
{
	char *eq, *key = NULL;
	size_t len;

	s = uncomment(s);
	len = strlen(s);
	if (!len)
		return;
	if (s[0] == '[' && s[len - 1] == ']') {
		parse_header(p, s, line);
		return;
	}
	if (p->skip)
		return;
	if (p->kind && p->kind->raw) {
		p->kind->raw(p, s, line);
		return;
	}
	eq = strchr(s, '=');
	if (eq) {
		*eq = '\0';
		key = trim(s);
	}
	if (!key || !*key || strpbrk(key, " \t[]"))
		topo_perr(p, line, "expected 'key = value' or '[section]'");
	else if (!p->kind)
		topo_perr(p, line, "key '%s' before the first [section]", key);
	else
		parse_key(p, key, trim(eq + 1), line);
}

static void pnode_free(struct pnode *n)
{
	free(n->name);
	free(n->net[0].name);
	free(n->net[1].name);
	free(n->via.name);
	kv_free(n->sysctls, n->nsysctls);
	kv_free(n->conntrack, n->nconntrack);
	kv_free(n->opts, n->nopts);
}

/* Free the parse state, with what topores_resolve() added to it. */
static void parser_free(struct parser *p)
{
	int i;

	for (i = 0; i < p->nsecs; i++) {
		pnode_free(p->secs[i]);
		free(p->secs[i]);
	}
	pnode_free(&p->tmpl);
	pnode_free(&p->traffic);
	free(p->traffic_server);
	free(p->expects);
	free(p->seen);
	free(p->secs);
	free(p->prefix);
	free(p->gnames);
	free(p->glabel);
	free(p->gdup);
	free(p->gov);
	free(p->rn);
	free(p->errs);
	for (i = 0; i < p->nfaults; i++)
		free(p->faults[i].node.name);
	free(p->faults);
}

int topo_parse_buf(struct topo *t, const char *file, const char *buf,
		   size_t len)
{
	struct parser p = {.t = t};
	const char *s = buf, *end = buf + len, *nl;
	size_t n, cap = 0;
	char *line = NULL;
	int lineno = 0;

	t->file = xstrdup(file);
	t->queue_len = 4096;
	while (s < end) {
		nl = memchr(s, '\n', (size_t)(end - s));
		n = nl ? (size_t)(nl - s) : (size_t)(end - s);
		if (n + 1 > cap) {
			cap = n + 1;
			line = xrealloc(line, cap, 1);
		}
		memcpy(line, s, n);
		line[n] = '\0';
		if (strlen(line) != n)
			topo_perr(&p, ++lineno, "NUL byte in line");
		else
			parse_line(&p, line, ++lineno);
		s = nl ? nl + 1 : end;
	}
	free(line);
	end_section(&p);

	if (!p.lab_line)
		topo_perr(&p, 1, "missing [lab] section");
	if (topores_resolve(&p))
		t->nnets = 0; /* a model is given only for a valid lab */
	t->errs = xcalloc((size_t)p.nerrs, sizeof(*t->errs));
	for (t->nerrs = 0; t->nerrs < p.nerrs; t->nerrs++)
		t->errs[t->nerrs] = p.errs[t->nerrs].msg;
	parser_free(&p);
	return t->nerrs ? -EINVAL : 0;
}

int topo_needs_engine(const struct topo *t)
{
	int i;

	if (t->nfaults)
		return 1;
	for (i = 0; i < t->nnodes; i++)
		if (t->nodes[i].clock.mode == TOPO_TS_HOST ||
		    t->nodes[i].legacy.recycle)
			return 1;
	return 0;
}

/* The metric names of DESIGN.md's "What a run measures" (a contract for
 * [expect], the JSON output and matrix), and a few more. */
static const char client_metrics[] =
	" attempts established failed timeouts resets refused no_port"
	" first_syn_ok syn_retrans connect_p50 connect_p99 connect_max"
	" connect_avg timewait fin_wait2 estab_resets syn_dropped syn_twack ";
static const char server_metrics[] =
	" syn_in synack_out syn_dropped paws_passive paws_timewait"
	" listen_drops listen_overflows timewait tw_shortened accepted"
	" syn_dropped_other tw_overflow paws_estab fin_wait2 resets"
	" twack_out challenge_acks estab_resets ";
static const char gateway_metrics[] =
	" mappings port_reuse insert_failed conntrack ct_invalid ";

int topo_metric_known(int kind, const char *name)
{
	const char *list = kind == TOPO_GATEWAY	 ? gateway_metrics
			   : kind == TOPO_SERVER ? server_metrics
						 : client_metrics;
	char *word;
	int found;

	if (!*name || strchr(name, ' '))
		return 0;
	word = topo_strf(" %s ", name);
	found = strstr(list, word) != NULL;
	free(word);
	return found;
}

const char *topo_cmp_name(enum topo_cmp op)
{
	static const char *const names[] = {"==", "!=", "<", "<=", ">", ">="};

	return names[op];
}

const char *topo_tsclock_name(enum topo_tsclock mode)
{
	switch (mode) {
	case TOPO_TS_KERNEL:
		return "per-connection";
	case TOPO_TS_HOST:
		return "host";
	case TOPO_TS_OFF:
		return "off";
	}
	return "?";
}

const char *topo_legacy_model_name(enum topo_legacy_model model)
{
	switch (model) {
	case TOPO_LEGACY_4_4:
		return "4.4";
	case TOPO_LEGACY_2_6_32:
		return "2.6.32";
	}
	return "?";
}

int topo_parse_file(struct topo *t, const char *path)
{
	size_t len = 0, cap = 0;
	char *buf = NULL;
	ssize_t n = 1;
	int fd, err;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		goto fail;
	}
	while (n) {
		if (len == cap) {
			cap = cap ? cap * 2 : 4096;
			buf = xrealloc(buf, cap, 1);
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0 && errno != EINTR) {
			err = -errno;
			close(fd);
			goto fail;
		}
		if (n > 0)
			len += (size_t)n;
	}
	close(fd);
	err = topo_parse_buf(t, path, buf, len);
	free(buf);
	return err;
fail:
	free(buf);
	t->file = xstrdup(path);
	t->errs = xcalloc(1, sizeof(*t->errs));
	t->errs[0] = topo_strf("%s: %s", path, strerror(-err));
	t->nerrs = 1;
	return err;
}

void topo_print_errors(const struct topo *t)
{
	int i;

	for (i = 0; i < t->nerrs; i++)
		fprintf(stderr, "%s\n", t->errs[i]);
}

int topo_set_name(struct topo *t, const char *name)
{
	if (!topo_valid_lab_name(name))
		return -EINVAL;
	strcpy(t->name, name);
	return 0;
}

int topo_find_node(const struct topo *t, const char *name)
{
	int i;

	for (i = 0; i < t->nnodes; i++)
		if (!strcmp(t->nodes[i].name, name))
			return i;
	return -1;
}

int topo_find_net(const struct topo *t, const char *name)
{
	int i;

	for (i = 0; i < t->nnets; i++)
		if (!strcmp(t->nets[i].name, name))
			return i;
	return -1;
}

const char *topo_kind_name(enum topo_kind kind)
{
	switch (kind) {
	case TOPO_CLIENT:
		return "client";
	case TOPO_GATEWAY:
		return "gateway";
	case TOPO_SERVER:
		return "server";
	}
	return "?";
}

void topo_free(struct topo *t)
{
	int i;

	for (i = 0; i < t->nnodes; i++) {
		kv_free(t->nodes[i].sysctls, t->nodes[i].nsysctls);
		kv_free(t->nodes[i].conntrack, t->nodes[i].nconntrack);
	}
	for (i = 0; i < t->nerrs; i++)
		free(t->errs[i]);
	free(t->nodes);
	free(t->nets);
	free(t->faults);
	free(t->expects);
	free(t->errs);
	free(t->file);
	memset(t, 0, sizeof(*t));
}
