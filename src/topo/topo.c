/* topo.c - topology files: INI-style parsing into sections and keys, the
 * error list, and the lookups of the parsed model. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/util.h"
#include "topo/topo.h"
#include "topo/topo_int.h"

/*
 * Theory of operation
 *
 * A section kind is a row of sect_kinds[]: NAME or not, once only or not,
 * an open hook, a table of keys with a handler each (a key ending in '.'
 * takes any suffix, as "sysctl." does), required keys and a close hook.
 * A section whose lines are not "key = value" sets a raw hook, which is
 * handed each body line with comments removed, as [expect] is
 * (topoexpect.c).  The key tables and their handlers are in topokeys.c:
 * each handler checks one value and keeps it with its line.  Names are
 * resolved by topores.c once the whole file is read, since [client cK]
 * may come before [clients]; struct topo gets its nodes only if no error
 * was found.  Generated clients c1..cN carry the line of the [clients]
 * header, and identical messages for one line are kept once, so a mistake
 * in [clients] is not reported N times.
 */

/* A message recorded by topo_perr(), with its line for sorting. */
struct perr {
	int line;
	char *msg;
};

#define SECT_NAMED 0x1 /* [kind NAME]; otherwise [kind] */
#define SECT_ONCE  0x2 /* at most one per file */

struct sect_kind {
	const char *name;
	unsigned int flags;
	enum topo_kind node; /* for sect_open_node() */
	/* start a section; an error return skips its body */
	int (*open)(struct parser *p, const char *name, int line);
	/* its keys: up to SECT_KEY_TABLES tables, each ending with a NULL
	 * name */
	const struct key_def *keys[SECT_KEY_TABLES];
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

void *topo_grow(void *a, int n, int *cap, size_t size)
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
	p->errs = topo_grow(p->errs, p->nerrs, &p->errs_cap, sizeof(*p->errs));
	memmove(&p->errs[i + 1], &p->errs[i],
		(size_t)(p->nerrs - i) * sizeof(*p->errs));
	p->errs[i].line = line;
	p->errs[i].msg = msg;
	p->nerrs++;
}

/* s is 1..max characters, the first from first, the others from rest. */
int topo_name_ok(const char *s, size_t max, const char *first, const char *rest)
{
	size_t n = strlen(s);

	return n >= 1 && n <= max && strchr(first, s[0]) &&
	       strspn(s + 1, rest) == n - 1;
}

int topo_valid_lab_name(const char *name)
{
	return topo_name_ok(name, TOPO_LAB_MAX, LOWER DIGITS,
			    LOWER DIGITS "_-");
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

/* Section hooks. */

static int sect_open_lab(struct parser *p, const char *name, int line)
{
	p->lab_line = line;
	return 0;
}

/* Networks go straight to t->nets; prefix 0 marks a missing subnet.
 * A network with a bad or taken name is left out, its body skipped. */
static int sect_open_net(struct parser *p, const char *name, int line)
{
	struct topo *t = p->t;
	struct topo_net *net;
	int i;

	if (!topo_name_ok(name, TOPO_NET_MAX, LOWER, LOWER DIGITS "_") ||
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
	t->nets = topo_grow(t->nets, t->nnets, &p->nets_cap, sizeof(*t->nets));
	net = &t->nets[t->nnets++];
	memset(net, 0, sizeof(*net));
	strcpy(net->name, name);
	net->line = line;
	p->cur = net;
	return 0;
}

/* A [gateway], [server] or [client].  Clashes with the names of
 * generated clients are found once the file is read. */
static int sect_open_node(struct parser *p, const char *name, int line)
{
	struct pnode *n;
	int i;

	if (!topo_name_ok(name, TOPO_NODE_MAX, LOWER, LOWER DIGITS "_") ||
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
	p->secs = topo_grow(p->secs, p->nsecs, &p->secs_cap, sizeof(*p->secs));
	p->secs[p->nsecs++] = n;
	p->cur = n;
	return 0;
}

/* A [balancer]: a node, with room for its servers, mode and schedule. */
static int sect_open_balancer(struct parser *p, const char *name, int line)
{
	int err = sect_open_node(p, name, line);

	if (!err)
		((struct pnode *)p->cur)->lb = topolb_new();
	return err;
}

/* Generated clients take the line of the [clients] header. */
static int sect_open_clients(struct parser *p, const char *name, int line)
{
	p->clients_line = line;
	p->tmpl.kind = TOPO_CLIENT;
	p->tmpl.line = line;
	p->cur = &p->tmpl;
	return 0;
}

static int sect_open_traffic(struct parser *p, const char *name, int line)
{
	p->t->traffic.present = 1;
	p->traffic.kind = TOPO_CLIENT;
	p->traffic.line = line;
	p->cur = &p->traffic;
	return 0;
}

/* [expect] keeps nothing per section: topoexpect_line() keeps its lines. */
static int sect_open_expect(struct parser *p, const char *name, int line)
{
	return 0;
}

static void sect_close_gateway(struct parser *p)
{
	struct pnode *n = p->cur;

	if (n->ports_line && n->nat.line && n->nat.mode == TOPO_NAT_NONE)
		topo_perr(p, n->ports_line, "nat.ports needs nat = masquerade");
}

/* The longest generated name must still be a valid node name. */
static void sect_close_clients(struct parser *p)
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

static int sect_open_fault(struct parser *p, const char *name, int line)
{
	struct pfault *f;
	int i;

	if (!topo_name_ok(name, TOPO_NODE_MAX, LOWER, LOWER DIGITS "_")) {
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
	p->faults = topo_grow(p->faults, p->nfaults, &p->faults_cap,
			      sizeof(*p->faults));
	f = &p->faults[p->nfaults++];
	memset(f, 0, sizeof(*f));
	strcpy(f->f.name, name);
	f->f.line = line;
	f->f.out = 1;
	f->f.nth = 1;
	p->cur = f;
	return 0;
}

static void sect_close_fault(struct parser *p)
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
static const struct sect_kind sect_kinds[] = {
	{ .name = "lab", .flags = SECT_ONCE, .open = sect_open_lab,
	  .keys = { topokeys_lab }, .required = { "name" } },
	{ .name = "network", .flags = SECT_NAMED, .open = sect_open_net,
	  .keys = { topokeys_network }, .required = { "subnet" } },
	{ .name = "gateway", .flags = SECT_NAMED, .node = TOPO_GATEWAY,
	  .open = sect_open_node, .keys = { topokeys_gateway },
	  .required = { "inside", "outside" }, .close = sect_close_gateway },
	{ .name = "server", .flags = SECT_NAMED, .node = TOPO_SERVER,
	  .open = sect_open_node, .keys = { topokeys_server, topokeys_host }, .required = { "network" } },
	{ .name = "balancer", .flags = SECT_NAMED, .node = TOPO_BALANCER,
	  .open = sect_open_balancer, .keys = { topokeys_balancer, topolb_keys },
	  .required = { "frontend", "backend", "servers" } },
	{ .name = "clients", .flags = SECT_ONCE, .open = sect_open_clients,
	  .keys = { topokeys_clients, topokeys_client, topokeys_host, topokeys_load },
	  .required = { "count", "network" },
	  .close = sect_close_clients },
	{ .name = "client", .flags = SECT_NAMED, .node = TOPO_CLIENT,
	  .open = sect_open_node, .keys = { topokeys_client, topokeys_host, topokeys_address, topokeys_load } },
	{ .name = "traffic", .flags = SECT_ONCE, .open = sect_open_traffic,
	  .keys = { topokeys_traffic, topokeys_load } },
	{ .name = "expect", .flags = SECT_ONCE, .open = sect_open_expect,
	  .raw = topoexpect_line },
	{ .name = "fault", .flags = SECT_NAMED, .open = sect_open_fault,
	  .keys = { topokeys_fault }, .required = { "node", "action" },
	  .close = sect_close_fault },
};
/* clang-format on */

const struct key_def *const *topo_kind_keys(const char *kind)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(sect_kinds); i++)
		if (!strcmp(sect_kinds[i].name, kind))
			return sect_kinds[i].keys;
	return NULL;
}

_Static_assert(ARRAY_SIZE(sect_kinds) <=
		       ARRAY_SIZE(((struct parser *)0)->first),
	       "parser.first[] must have a slot per section kind");

void topo_keys_each(void (*fn)(const char *sect, int named, const char *key,
			       void *arg),
		    void *arg)
{
	const struct sect_kind *k;
	const struct key_def *d;
	size_t i, t;
	int named;

	for (i = 0; i < ARRAY_SIZE(sect_kinds); i++) {
		k = &sect_kinds[i];
		named = (k->flags & SECT_NAMED) != 0;
		if (k->raw)
			fn(k->name, named, NULL, arg);
		for (t = 0; t < SECT_KEY_TABLES && k->keys[t]; t++)
			for (d = k->keys[t]; d->name; d++)
				fn(k->name, named, d->name, arg);
	}
}

/* Lines. */

char *topo_trim(char *s)
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

	s = topo_trim(s);
	if (*s == ';' || *s == '#')
		*s = '\0';
	for (i = 1; s[0] && s[i]; i++) {
		if ((s[i] == ';' || s[i] == '#') &&
		    isspace((unsigned char)s[i - 1])) {
			s[i] = '\0';
			break;
		}
	}
	return topo_trim(s);
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

	for (t = 0; !d && t < SECT_KEY_TABLES && p->kind->keys[t]; t++) {
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
	p->seen = topo_grow(p->seen, p->nseen, &p->seen_cap, sizeof(*p->seen));
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
		key = topo_trim(s);
	}
	if (!key || !*key || strpbrk(key, " \t[]"))
		topo_perr(p, line, "expected 'key = value' or '[section]'");
	else if (!p->kind)
		topo_perr(p, line, "key '%s' before the first [section]", key);
	else
		parse_key(p, key, topo_trim(eq + 1), line);
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
	topolb_free(n->lb);
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

int topo_needs_keeper(const struct topo *t)
{
	int i;

	for (i = 0; i < t->nnodes; i++)
		if (t->nodes[i].kind == TOPO_GATEWAY &&
		    t->nodes[i].nat.mode == TOPO_NAT_RFC)
			return 1;
	return 0;
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
	size_t len;
	char *buf;
	int err;

	err = util_read_whole(path, &buf, &len);
	if (err) {
		t->file = xstrdup(path);
		t->errs = xcalloc(1, sizeof(*t->errs));
		t->errs[0] = topo_strf("%s: cannot read the topology: %s", path,
				       strerror(-err));
		t->nerrs = 1;
		return err;
	}
	err = topo_parse_buf(t, path, buf, len);
	free(buf);
	return err;
}

/* More errors than this are counted, not shown: a file that is no
 * topology at all has one per line, and the first ones say enough. */
#define TOPO_ERRS_SHOWN 10

void topo_print_errors(const struct topo *t)
{
	int i;

	for (i = 0; i < t->nerrs && i < TOPO_ERRS_SHOWN; i++)
		fprintf(stderr, "%s\n", t->errs[i]);
	if (t->nerrs > TOPO_ERRS_SHOWN)
		fprintf(stderr, "%s: %d more errors not shown\n", t->file,
			t->nerrs - TOPO_ERRS_SHOWN);
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
	case TOPO_BALANCER:
		return "balancer";
	}
	return "?";
}

int topo_uplink(enum topo_kind kind)
{
	return kind == TOPO_GATEWAY;
}

int topo_served(enum topo_kind kind)
{
	return kind == TOPO_GATEWAY ? 0 : kind == TOPO_BALANCER ? 1 : -1;
}

int topo_net_bridges(const struct topo *t, int net, int *ifs)
{
	int i, k, n = 0;

	for (i = 0; i < t->nnodes; i++)
		for (k = 0; k < t->nodes[i].nifs; k++)
			n += t->nodes[i].ifs[k].net == net;
	if (ifs)
		*ifs = n;
	return n <= TOPO_BRIDGE_PORTS ? 1
	       : n >= TOPO_NET_IFS_MAX
		       ? TOPO_BRIDGES_MAX
		       : (n + TOPO_BRIDGE_PORTS - 1) / TOPO_BRIDGE_PORTS;
}

int topo_target_servers(const struct topo *t, const int **servers)
{
	const struct topo_node *n;

	*servers = NULL;
	if (t->traffic.server < 0)
		return 0;
	n = &t->nodes[t->traffic.server];
	if (n->kind == TOPO_BALANCER) {
		*servers = n->lb.servers;
		return n->lb.nservers;
	}
	*servers = &t->traffic.server;
	return 1;
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
