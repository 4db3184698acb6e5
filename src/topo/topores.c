/* topores.c - topology resolution: names, subnets, addresses, routes. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/hash.h"
#include "lib/util.h"
#include "topo/topo.h"
#include "topo/topo_int.h"

/*
 * Theory of operation
 *
 * Once the whole file is read, passes run in a fixed order over what the
 * parser kept, each reporting what it finds and handing the next what it
 * could resolve: overlapping subnets; the names of generated clients and
 * their clashes; the nodes laid out in their final order; network names;
 * addresses, the explicit ones reserved first; default routes and loops
 * of routers; the balancers' servers (topolb.c).  An index that cannot
 * be resolved stays -1 and later passes skip it, so a mistake is reported
 * where it was made and not again through its consequences.  The model
 * is built only if neither a pass nor the parser found an error.
 *
 * Routers are the gateways and the balancers, the first nodes in that
 * order: a gateway routes for its inside network, a balancer for its
 * backend network (topo_served()), and the nodes there route through it
 * unless they choose another with 'via'.
 */

/* Report each network whose subnet overlaps an earlier one. */
static void check_nets(struct parser *p)
{
	struct topo_net *a, *b;
	char s1[16], s2[16];
	int i, j, m;

	if (!p->t->nnets)
		topo_perr(p, 1, "no [network] section");
	for (i = 0; i < p->t->nnets; i++) {
		a = &p->t->nets[i];
		for (j = 0; a->prefix && j < i; j++) {
			b = &p->t->nets[j];
			m = a->prefix < b->prefix ? a->prefix : b->prefix;
			if (!b->prefix || (a->addr ^ b->addr) & topo_mask(m))
				continue;
			topo_perr(
				p, a->line,
				"subnet %s/%d of network '%s' overlaps network '%s' (%s/%d, line %d)",
				util_ipv4_str(a->addr, s1), a->prefix, a->name,
				b->name, util_ipv4_str(b->addr, s2), b->prefix,
				b->line);
			break;
		}
	}
}

/* K if name is that of the generated client cK, else 0. */
static int gen_index(const struct parser *p, const char *name)
{
	const char *prefix = p->prefix ? p->prefix : "c";
	size_t n = strlen(prefix);
	unsigned long k;

	if (!p->ngen || strncmp(name, prefix, n) || name[n] == '0' ||
	    util_parse_ulong(name + n, 1, (unsigned long)p->ngen, &k))
		return 0;
	return (int)k;
}

/* Name the generated clients, pair them with their [client cK]
 * sections, and report clashes with other nodes at the later line. */
static void check_names(struct parser *p)
{
	const char *prefix = p->prefix ? p->prefix : "c";
	struct pnode *s;
	int i, k;

	p->gnames = xcalloc((size_t)p->ngen + 1, GNAME);
	p->gov = xcalloc((size_t)p->ngen + 1, sizeof(*p->gov));
	p->gdup = xcalloc((size_t)p->ngen + 1, 1);
	for (k = 1; k <= p->ngen; k++)
		snprintf(p->gnames + k * GNAME, GNAME, "%s%d", prefix, k);
	if (p->ngen > 1)
		p->glabel = topo_strf("%s1..%s%d", prefix, prefix, p->ngen);
	else
		p->glabel = topo_strf("%s1", prefix);
	for (i = 0; i < p->nsecs; i++) {
		s = p->secs[i];
		k = gen_index(p, s->name);
		if (!k)
			continue;
		if (s->kind == TOPO_CLIENT) {
			p->gov[k] = s;
			s->over = 1;
		} else if (s->line > p->clients_line) {
			s->dup = 1;
			topo_perr(p, s->line,
				  "duplicate node '%s' (first at line %d)",
				  s->name, p->clients_line);
		} else {
			p->gdup[k] = 1;
			topo_perr(p, p->clients_line,
				  "duplicate node '%s' (first at line %d)",
				  s->name, s->line);
		}
	}
}

static void rn_add(struct parser *p, struct pnode *sec, int k)
{
	struct rnode *r = &p->rn[p->nrn++];
	int i;

	r->sec = sec;
	r->gen = k;
	r->name = k ? p->gnames + k * GNAME : sec->name;
	r->kind = sec ? sec->kind : TOPO_CLIENT;
	r->line = sec ? sec->line : p->clients_line;
	r->nifs = topo_served(r->kind) >= 0 ? 2 : 1;
	r->ni[0] = r->ni[1] = -1;
	r->via_idx = -1;
	if (r->kind != TOPO_CLIENT) {
		r->net[0] = &sec->net[0];
		r->net[1] = &sec->net[1];
		r->via = &sec->via;
	} else {
		/* a client's own keys win over those of [clients] */
		r->net[0] = sec && sec->net[0].name ? &sec->net[0]
						    : &p->tmpl.net[0];
		r->via = sec && sec->via.name ? &sec->via : &p->tmpl.via;
	}
	for (i = 0; sec && i < r->nifs; i++) {
		r->addr[i] = sec->addr[i];
		r->aline[i] = sec->addr_line[i];
	}
}

/* Lay the nodes out: gateways, balancers, servers, c1..cN, extra
 * clients. */
static void build_rnodes(struct parser *p)
{
	static const enum topo_kind order[] = {TOPO_GATEWAY, TOPO_BALANCER,
					       TOPO_SERVER};
	struct pnode *s;
	size_t o;
	int i, k;

	p->rn = xcalloc((size_t)(p->nsecs + p->ngen), sizeof(*p->rn));
	for (o = 0; o < ARRAY_SIZE(order); o++) {
		for (i = 0; i < p->nsecs; i++)
			if (p->secs[i]->kind == order[o] && !p->secs[i]->dup)
				rn_add(p, p->secs[i], 0);
		if (o == 0)
			p->ngw = p->nrn;
		if (o == 1)
			p->nrouters = p->nrn;
	}
	for (k = 1; k <= p->ngen; k++)
		if (!p->gdup[k])
			rn_add(p, p->gov[k], k);
	for (i = 0; i < p->nsecs; i++) {
		s = p->secs[i];
		if (s->kind == TOPO_CLIENT && !s->over)
			rn_add(p, s, 0);
	}
	if (!p->nrn)
		topo_perr(
			p, 1,
			"no nodes: add a [gateway], [server] or [clients] section");
}

static void resolve_nets(struct parser *p)
{
	struct pref *ref;
	struct rnode *r;
	int i, j, k;

	for (i = 0; i < p->nrn; i++) {
		r = &p->rn[i];
		for (j = 0; j < r->nifs; j++) {
			ref = r->net[j];
			/* sections report their own required keys */
			if (!ref->name) {
				if (r->kind == TOPO_CLIENT && !r->gen)
					topo_perr(
						p, r->line,
						"client '%s': missing 'network'",
						r->name);
				continue;
			}
			for (k = 0; !ref->looked && k < p->t->nnets; k++)
				if (!strcmp(p->t->nets[k].name, ref->name))
					break;
			if (!ref->looked) {
				ref->looked = 1;
				ref->idx = k < p->t->nnets ? k : -1;
				if (k == p->t->nnets)
					topo_perr(p, ref->line,
						  "unknown network '%s'",
						  ref->name);
			}
			r->ni[j] = ref->idx;
		}
		if (r->nifs == 2 && r->ni[0] >= 0 && r->ni[0] == r->ni[1])
			topo_perr(p, r->net[1]->line,
				  "%s '%s': %s are the same network '%s'",
				  topo_kind_name(r->kind), r->name,
				  r->kind == TOPO_GATEWAY
					  ? "inside and outside"
					  : "frontend and backend",
				  p->t->nets[r->ni[0]].name);
	}
}

#define BIT_SET(map, h) ((map)[(h) / 8] & 1u << (h) % 8)

/* Check an explicit address and mark it used in its network's map. */
static void reserve_addr(struct parser *p, unsigned char **used, int i, int j)
{
	struct rnode *r = &p->rn[i], *o;
	struct topo_net *net;
	char s1[16], s2[16];
	uint32_t a = r->addr[j], h;
	int k;

	if (!r->aline[j] || r->ni[j] < 0 || !used[r->ni[j]])
		return;
	net = &p->t->nets[r->ni[j]];
	h = a & ~topo_mask(net->prefix);
	util_ipv4_str(a, s1);
	util_ipv4_str(net->addr, s2);
	if ((a & topo_mask(net->prefix)) != net->addr) {
		topo_perr(p, r->aline[j],
			  "address %s is outside subnet %s (%s/%d)", s1,
			  net->name, s2, net->prefix);
	} else if (!h || h == ~topo_mask(net->prefix)) {
		topo_perr(p, r->aline[j],
			  "address %s is the %s address of %s (%s/%d)", s1,
			  h ? "broadcast" : "network", net->name, s2,
			  net->prefix);
	} else if (!BIT_SET(used[r->ni[j]], h)) {
		used[r->ni[j]][h / 8] |= (unsigned char)(1u << h % 8);
	} else {
		/* interface k of the flattened list got it first */
		for (k = 0; k < 2 * i + j; k++)
			if (p->rn[k / 2].aline[k % 2] &&
			    p->rn[k / 2].addr[k % 2] == a)
				break;
		o = &p->rn[k / 2];
		topo_perr(
			p, r->aline[j],
			"address %s of '%s' is already used by '%s' (line %d)",
			s1, r->name, o->name, o->aline[k % 2]);
	}
}

/* Give an interface the lowest free host address of its network. */
static void take_addr(struct parser *p, unsigned char **used, uint32_t *next,
		      int i, int j)
{
	struct rnode *r = &p->rn[i];
	int ni = r->ni[j], need = 0, k;
	struct topo_net *net;
	uint32_t size;
	char s1[16];

	if (r->aline[j] || ni < 0 || !used[ni])
		return;
	net = &p->t->nets[ni];
	size = 1u << (32 - net->prefix);
	while (next[ni] < size - 1 && BIT_SET(used[ni], next[ni]))
		next[ni]++;
	if (next[ni] < size - 1) {
		r->addr[j] = net->addr + next[ni]++;
		return;
	}
	for (k = 0; k < 2 * p->nrn; k++)
		need += p->rn[k / 2].ni[k % 2] == ni;
	/* every generated client shares the count line */
	topo_perr(p, r->gen ? p->count_line : r->line,
		  "network %s (%s/%d) holds %u hosts, %d needed", net->name,
		  util_ipv4_str(net->addr, s1), net->prefix, size - 2, need);
	free(used[ni]);
	used[ni] = NULL;
}

/* A network holds at most TOPO_NET_IFS_MAX interfaces (topo.h): more is
 * reported at the [clients] count if generated clients are on it, else
 * at the network's header.  Before allocate(), so one error is given. */
static void check_net_ifs(struct parser *p)
{
	int i, k, *ifs = xcalloc((size_t)p->t->nnets + 1, sizeof(int));
	int *gen = xcalloc((size_t)p->t->nnets + 1, sizeof(int));

	for (i = 0; i < p->nrn; i++)
		for (k = 0; k < p->rn[i].nifs; k++) {
			int ni = p->rn[i].ni[k];

			if (ni < 0)
				continue;
			ifs[ni]++;
			gen[ni] |= p->rn[i].gen != 0;
		}
	for (i = 0; i < p->t->nnets; i++) {
		if (ifs[i] <= TOPO_NET_IFS_MAX)
			continue;
		topo_perr(p, gen[i] ? p->count_line : p->t->nets[i].line,
			  "network %s: %d interfaces, a network holds at most "
			  "%d (%d bridges of %d ports)",
			  p->t->nets[i].name, ifs[i], TOPO_NET_IFS_MAX,
			  TOPO_BRIDGES_MAX, TOPO_BRIDGE_PORTS);
		p->t->nets[i].prefix = 0; /* no address errors on top */
	}
	free(ifs);
	free(gen);
}

/* Reserve the explicit addresses; then the routers' interfaces on the
 * networks they serve (a gateway's inside, a balancer's backend), then
 * all others in node order take the lowest free host address. */
static void allocate(struct parser *p)
{
	int i, j, n = p->t->nnets;
	unsigned char **used = xcalloc((size_t)n + 1, sizeof(*used));
	uint32_t *next = xcalloc((size_t)n + 1, sizeof(*next));

	for (i = 0; i < n; i++) {
		next[i] = 1;
		if (p->t->nets[i].prefix)
			used[i] = xcalloc(
				(1u << (32 - p->t->nets[i].prefix)) / 8 + 1, 1);
	}
	for (i = 0; i < p->nrn; i++)
		for (j = 0; j < p->rn[i].nifs; j++)
			reserve_addr(p, used, i, j);
	for (i = 0; i < p->nrouters; i++)
		take_addr(p, used, next, i, topo_served(p->rn[i].kind));
	for (i = 0; i < p->nrn; i++)
		for (j = 0; j < p->rn[i].nifs; j++)
			if (j != topo_served(p->rn[i].kind))
				take_addr(p, used, next, i, j);
	for (i = 0; i < n; i++)
		free(used[i]);
	free(used);
	free(next);
}

/* An explicit via: a router, not the node itself, serving network att. */
static int via_explicit(struct parser *p, int self, int att)
{
	struct pref *ref = p->rn[self].via;
	struct rnode *g;
	int j, k;

	for (j = 0; !ref->looked && j < p->nrn; j++)
		if (!strcmp(p->rn[j].name, ref->name))
			break;
	if (!ref->looked) {
		ref->looked = 1;
		ref->idx = -1;
		if (j == p->nrn)
			topo_perr(p, ref->line,
				  "via '%s': no such gateway or balancer",
				  ref->name);
		else if (topo_served(p->rn[j].kind) < 0)
			topo_perr(
				p, ref->line,
				"via '%s': '%s' is a %s, not a gateway or balancer",
				ref->name, ref->name,
				topo_kind_name(p->rn[j].kind));
		else
			ref->idx = j;
	}
	if (ref->idx == self) {
		topo_perr(p, ref->line, "%s '%s' cannot route via itself",
			  topo_kind_name(p->rn[self].kind), ref->name);
		return -1;
	}
	g = ref->idx < 0 ? NULL : &p->rn[ref->idx];
	k = g ? topo_served(g->kind) : 0;
	if (g && att >= 0 && g->ni[k] >= 0 && g->ni[k] != att)
		topo_perr(
			p, ref->line,
			"via '%s': %s '%s' is not on network '%s' (its %s network is '%s')",
			ref->name, topo_kind_name(g->kind), ref->name,
			p->t->nets[att].name,
			g->kind == TOPO_GATEWAY ? "inside" : "backend",
			p->t->nets[g->ni[k]].name);
	return ref->idx;
}

/* The default via: the one router that serves network att. */
static int via_default(struct parser *p, int self, int att)
{
	struct rnode *r = &p->rn[self];
	int j, a = -1, b = -1;

	for (j = 0; att >= 0 && j < p->nrouters && b < 0; j++) {
		if (j == self || p->rn[j].ni[topo_served(p->rn[j].kind)] != att)
			continue;
		if (a < 0)
			a = j;
		else
			b = j;
	}
	if (b < 0)
		return a;
	topo_perr(
		p, r->line,
		"ambiguous default route for '%s': %s %s and %s both serve %s; set 'via'",
		r->gen && !r->sec ? p->glabel : r->name,
		b < p->ngw ? "gateways" : "routers", p->rn[a].name,
		p->rn[b].name, p->t->nets[att].name);
	return -1;
}

/* Report a cycle of routers, from its first in node order. */
static void report_loop(struct parser *p, int g)
{
	char *s, *t;
	int m = g, j, top = g;

	for (j = p->rn[g].via_idx; j != g; j = p->rn[j].via_idx) {
		if (j < m)
			m = j;
		if (j > top)
			top = j;
	}
	s = xstrdup(p->rn[m].name);
	j = m;
	do {
		j = p->rn[j].via_idx;
		t = topo_strf("%s -> %s", s, p->rn[j].name);
		free(s);
		s = t;
	} while (j != m);
	topo_perr(p, p->rn[m].via->line ? p->rn[m].via->line : p->rn[m].line,
		  "routing loop through %s %s",
		  top < p->ngw ? "gateways" : "gateways and balancers", s);
	free(s);
}

/* Choose each default route; routers route via routers only, so
 * follow each router's chain once to find loops. */
static void route(struct parser *p)
{
	char *state =
		xcalloc((size_t)p->nrouters + 1, 1); /* 1 on path, 2 done */
	struct rnode *r;
	int i, g, up;

	for (i = 0; i < p->nrn; i++) {
		r = &p->rn[i];
		up = r->ni[topo_uplink(r->kind)];
		if (r->via->name)
			r->via_idx = via_explicit(p, i, up);
		else
			r->via_idx = via_default(p, i, up);
	}
	for (i = 0; i < p->nrouters; i++) {
		for (g = i; g >= 0 && !state[g]; g = p->rn[g].via_idx)
			state[g] = 1;
		if (g >= 0 && state[g] == 1)
			report_loop(p, g);
		for (g = i; g >= 0 && state[g] == 1; g = p->rn[g].via_idx)
			state[g] = 2;
	}
	free(state);
}

static void kv_merge(struct topo_kv **v, int *n, const struct topo_kv *src,
		     int nsrc)
{
	int i;

	for (i = 0; i < nsrc; i++)
		topo_kv_set(v, n, src[i].key, src[i].value, src[i].line);
}

/* The defaults of what engine options set, before any option. */
static void opt_defaults(struct topo_node *n)
{
	n->legacy.model = TOPO_LEGACY_4_4;
	n->legacy.paws_msl_ms = 60000; /* TCP_PAWS_MSL, Linux 2.6.32-4.11 */
	if (n->kind == TOPO_CLIENT)
		n->load.conns = 1;
	if (n->kind == TOPO_SERVER) {
		n->svc.ports[0] = 80;
		n->svc.nports = 1;
		n->svc.backlog = 1024;
		n->svc.request = 32;
		n->svc.response = 64;
	}
}

/* The engine options that are one number, kept in normal form by
 * topokeys.c (durations in milliseconds), and the field each sets. */
static const struct {
	const char *key;
	size_t off; /* of a uint32_t in struct topo_node */
} opt_numbers[] = {
	{"legacy.paws_msl", offsetof(struct topo_node, legacy.paws_msl_ms)},
	{"conns", offsetof(struct topo_node, load.conns)},
	{"interval", offsetof(struct topo_node, load.interval_ms)},
	{"start", offsetof(struct topo_node, load.start_ms)},
	{"concurrency", offsetof(struct topo_node, load.concurrency)},
	{"hold", offsetof(struct topo_node, load.hold_ms)},
	{"connect_timeout",
	 offsetof(struct topo_node, load.connect_timeout_ms)},
	{"backlog", offsetof(struct topo_node, svc.backlog)},
	{"request", offsetof(struct topo_node, svc.request)},
	{"response", offsetof(struct topo_node, svc.response)},
};

/* Set the field of a one-number option.  Return: 1 if KEY is one. */
static int opt_number(struct topo_node *n, const char *key, const char *v)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(opt_numbers); i++) {
		if (strcmp(key, opt_numbers[i].key))
			continue;
		*(uint32_t *)((char *)n + opt_numbers[i].off) =
			(uint32_t)strtoul(v, NULL, 10);
		return 1;
	}
	return 0;
}

/* "listen = 80,443": the server's ports. */
static void opt_listen(struct topo_node *n, const char *v)
{
	const char *c = v;

	n->svc.nports = 0;
	while (*c && n->svc.nports < TOPO_PORTS_MAX) {
		n->svc.ports[n->svc.nports++] =
			(uint16_t)strtoul(c, (char **)&c, 10);
		if (*c == ',')
			c++;
	}
}

/* Set the fields of one option that is not a plain number. */
static void opt_other(struct topo_node *n, const struct topo_kv *opt)
{
	const char *k = opt->key, *v = opt->value;

	if (!strcmp(k, "tsclock")) {
		n->clock.mode = !strcmp(v, "host")  ? TOPO_TS_HOST
				: !strcmp(v, "off") ? TOPO_TS_OFF
						    : TOPO_TS_KERNEL;
		n->clock.line = opt->line;
	} else if (!strcmp(k, "ts_offset")) {
		n->clock.random = !strncmp(v, "random", 6);
		n->clock.random_span_ms =
			n->clock.random ? strtoll(v + 6, NULL, 10) : 0;
		n->clock.offset_ms = n->clock.random ? 0 : strtoll(v, NULL, 10);
	} else if (!strcmp(k, "ts_skew")) {
		n->clock.skew_ppm = (int32_t)strtol(v, NULL, 10);
	} else if (!strcmp(k, "legacy.tcp_tw_recycle")) {
		n->legacy.recycle = v[0] == '1';
		n->legacy.line = opt->line;
	} else if (!strcmp(k, "legacy.model")) {
		n->legacy.model = !strcmp(v, "2.6.32") ? TOPO_LEGACY_2_6_32
						       : TOPO_LEGACY_4_4;
	} else if (!strcmp(k, "sport")) {
		unsigned int lo = 0, hi = 0;

		sscanf(v, "%u-%u", &lo, &hi);
		n->load.sport_min = (uint16_t)lo;
		n->load.sport_max = (uint16_t)hi;
	} else if (!strcmp(k, "listen")) {
		opt_listen(n, v);
	} else if (!strcmp(k, "close")) {
		n->svc.close = !strcmp(v, "client") ? TOPO_CLOSE_CLIENT
			       : !strcmp(v, "rst")  ? TOPO_CLOSE_RST
						    : TOPO_CLOSE_SERVER;
	}
}

/* Set a node's clock, legacy, load and service fields from its engine
 * options, merged and in normal form; INDEX is the node's, for its
 * random clock offset. */
static void opt_apply(const struct topo *t, struct topo_node *n,
		      const struct topo_kv *opts, int nopts, int index)
{
	int i;

	opt_defaults(n);
	for (i = 0; i < nopts; i++)
		if (!opt_number(n, opts[i].key, opts[i].value))
			opt_other(n, &opts[i]);
	/* A random offset covers the whole 32-bit clock, as the uptimes of
	 * real hosts behind one NAT would, or [0, SPAN) ms. */
	if (n->clock.random) {
		uint64_t h =
			hash_splitmix(t->seed ^ hash_splitmix((uint64_t)index));

		n->clock.offset_ms =
			n->clock.random_span_ms
				? (int64_t)(h %
					    (uint64_t)n->clock.random_span_ms)
				: (int64_t)(uint32_t)h;
	}
}

/*
 * What nat = rfc means beyond the full-cone rules (labbuild.c) and the
 * keeper (keeper.c): the transitory conntrack timeouts at RFC 5382's 4
 * minutes, UDP's at RFC 4787's recommended 5 minutes (REQ-5c: Linux keeps
 * an unanswered UDP entry 30 s), ICMP queries' at RFC 5508's 60 s
 * (REQ-2: Linux's default is 30 s), and no ICMP redirects (a hairpinned packet leaves by the
 * interface it came in on; Linux would then redirect the sender to the
 * inner host, which would bypass the NAT, and spend the gateway's ICMP
 * rate limit towards it: off on the inside interface and on "all", which
 * the kernel ORs).  A value the file sets wins.
 */
static void rfc_defaults(const struct topo *t, struct topo_node *n)
{
	static const struct {
		const char *key;
		int value;
	} timers[] = {
		{"tcp_timeout_syn_sent", TOPO_RFC_TRANSITORY_S},
		{"tcp_timeout_syn_recv", TOPO_RFC_TRANSITORY_S},
		{"tcp_timeout_fin_wait", TOPO_RFC_TRANSITORY_S},
		{"tcp_timeout_close_wait", TOPO_RFC_TRANSITORY_S},
		{"tcp_timeout_last_ack", TOPO_RFC_TRANSITORY_S},
		{"tcp_timeout_time_wait", TOPO_RFC_TRANSITORY_S},
		{"tcp_timeout_close", TOPO_RFC_TRANSITORY_S},
		{"udp_timeout", TOPO_RFC_UDP_S},
		{"udp_timeout_stream", TOPO_RFC_UDP_S},
		{"icmp_timeout", TOPO_RFC_ICMP_S},
	};
	const char *inside = t->nets[n->ifs[0].net].name;
	int line = n->nat.line;
	char key[64], val[16];
	size_t i;
	int j;

	for (i = 0; i < ARRAY_SIZE(timers); i++) {
		snprintf(key, sizeof(key), "%s", timers[i].key);
		snprintf(val, sizeof(val), "%d", timers[i].value);
		for (j = 0; j < n->nconntrack; j++)
			if (!strcmp(n->conntrack[j].key, key))
				break;
		if (j == n->nconntrack)
			topo_kv_set(&n->conntrack, &n->nconntrack, key, val,
				    line);
	}
	for (i = 0; i < 2; i++) {
		snprintf(key, sizeof(key), "net.ipv4.conf.%s.send_redirects",
			 i ? inside : "all");
		for (j = 0; j < n->nsysctls; j++)
			if (!strcmp(n->sysctls[j].key, key))
				break;
		if (j == n->nsysctls)
			topo_kv_set(&n->sysctls, &n->nsysctls, key, "0", line);
	}
}

static void build(struct parser *p)
{
	struct topo_kv *opts;
	struct topo_node *n;
	struct rnode *r;
	int i, j, nopts;

	p->t->nodes = xcalloc((size_t)p->nrn, sizeof(*p->t->nodes));
	p->t->nnodes = p->nrn;
	for (i = 0; i < p->nrn; i++) {
		n = &p->t->nodes[i];
		r = &p->rn[i];
		strcpy(n->name, r->name);
		n->kind = r->kind;
		n->line = r->gen ? p->clients_line : r->line;
		n->nifs = r->nifs;
		for (j = 0; j < r->nifs; j++) {
			n->ifs[j].net = r->ni[j];
			n->ifs[j].addr = r->addr[j];
			n->ifs[j].line = r->aline[j] ? r->aline[j] : n->line;
		}
		n->via = r->via_idx;
		opts = NULL;
		nopts = 0;
		if (r->kind == TOPO_CLIENT) {
			kv_merge(&n->sysctls, &n->nsysctls, p->tmpl.sysctls,
				 p->tmpl.nsysctls);
			kv_merge(&opts, &nopts, p->traffic.opts,
				 p->traffic.nopts);
			kv_merge(&opts, &nopts, p->tmpl.opts, p->tmpl.nopts);
		}
		if (r->sec)
			kv_merge(&opts, &nopts, r->sec->opts, r->sec->nopts);
		if (!nopts && r->kind == TOPO_CLIENT)
			n->clock.line = n->line;
		opt_apply(p->t, n, opts, nopts, i);
		for (j = 0; j < nopts; j++) {
			free(opts[j].key);
			free(opts[j].value);
		}
		free(opts);
		if (!r->sec)
			continue;
		kv_merge(&n->sysctls, &n->nsysctls, r->sec->sysctls,
			 r->sec->nsysctls);
		kv_merge(&n->conntrack, &n->nconntrack, r->sec->conntrack,
			 r->sec->nconntrack);
		if (r->kind == TOPO_GATEWAY) {
			n->nat = r->sec->nat;
			if (!n->nat.line)
				n->nat.line = n->line;
			if (n->nat.mode == TOPO_NAT_RFC)
				rfc_defaults(p->t, n);
		}
	}
}

/* A fault names a node of the lab. */
static void resolve_faults(struct parser *p)
{
	int i, j;

	for (i = 0; i < p->nfaults; i++) {
		struct pfault *f = &p->faults[i];

		f->f.node = -1;
		for (j = 0; f->node.name && j < p->nrn; j++)
			if (!strcmp(p->rn[j].name, f->node.name))
				f->f.node = j;
		if (f->node.name && f->f.node < 0)
			topo_perr(p, f->node.line, "fault '%s': no node '%s'",
				  f->f.name, f->node.name);
		else if (f->f.node >= 0 &&
			 topo_served(p->rn[f->f.node].kind) >= 0)
			topo_perr(p, f->node.line,
				  "fault '%s': '%s' is a %s; faults act on "
				  "what a client or server sends or receives",
				  f->f.name, f->node.name,
				  topo_kind_name(p->rn[f->f.node].kind));
	}
}

/* [traffic] server: the one named, else the first balancer, else the
 * first server. */
static void resolve_target(struct parser *p)
{
	struct topo_traffic *tr = &p->t->traffic;
	int i;

	tr->server = -1;
	for (i = 0; i < p->nrn; i++) {
		if (p->rn[i].kind != TOPO_SERVER &&
		    p->rn[i].kind != TOPO_BALANCER)
			continue;
		if (p->traffic_server
			    ? !strcmp(p->rn[i].name, p->traffic_server)
			    : tr->server < 0)
			tr->server = i;
	}
	if (p->traffic_server && tr->server < 0)
		topo_perr(p, p->traffic_server_line,
			  "server: no server or balancer '%s'",
			  p->traffic_server);
}

/* [traffic] server and [expect] metrics name nodes of the lab. */
static void resolve_traffic(struct parser *p)
{
	struct topo_traffic *tr = &p->t->traffic;
	int i, j;

	resolve_target(p);
	for (i = 0; i < p->traffic.nopts; i++)
		if (!strcmp(p->traffic.opts[i].key, "interval") &&
		    !p->rate_line)
			tr->interval_us =
				(uint32_t)strtoul(p->traffic.opts[i].value,
						  NULL, 10) *
				1000;
	for (i = 0; i < p->nexpects; i++) {
		struct topo_expect *e = &p->expects[i];
		char node[sizeof(e->metric)], *dot;
		int kind = -2, at = -1;

		snprintf(node, sizeof(node), "%s", e->metric);
		dot = strchr(node, '.');
		if (!dot) {
			topo_perr(
				p, e->line,
				"metric '%s': expected NODE.METRIC or clients.METRIC",
				e->metric);
			continue;
		}
		*dot = '\0';
		if (!strcmp(node, "clients"))
			kind = -1;
		for (j = 0; kind == -2 && j < p->nrn; j++) {
			if (strcmp(p->rn[j].name, node))
				continue;
			kind = (int)p->rn[j].kind;
			at = j;
		}
		if (kind == -2)
			topo_perr(p, e->line, "metric '%s': no node '%s'",
				  e->metric, node);
		else if (kind == TOPO_BALANCER
				 ? !topolb_metric_known(p, at, dot + 1)
				 : !topo_metric_known(kind, dot + 1))
			topo_perr(
				p, e->line,
				"metric '%s': %s has no metric '%s'", e->metric,
				kind == -1
					? "clients"
					: topo_kind_name((enum topo_kind)kind),
				dot + 1);
	}
}

int topores_resolve(struct parser *p)
{
	int i;

	check_nets(p);
	check_names(p);
	build_rnodes(p);
	resolve_nets(p);
	check_net_ifs(p);
	allocate(p);
	route(p);
	resolve_faults(p);
	resolve_traffic(p);
	topolb_resolve(p);
	if (p->nerrs)
		return -EINVAL;
	build(p);
	topolb_build(p);
	p->t->expects = xcalloc((size_t)p->nexpects, sizeof(*p->t->expects));
	if (p->nexpects) /* p->expects is NULL without [expect] lines */
		memcpy(p->t->expects, p->expects,
		       (size_t)p->nexpects * sizeof(*p->expects));
	p->t->nexpects = p->nexpects;
	p->t->faults = xcalloc((size_t)p->nfaults, sizeof(*p->t->faults));
	for (i = 0; i < p->nfaults; i++)
		p->t->faults[i] = p->faults[i].f;
	p->t->nfaults = p->nfaults;
	return 0;
}
