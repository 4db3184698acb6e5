/* topolb.c - the [balancer] section: its servers, mode and schedule read,
 * checked against the rest of the lab, and its node built. */
#include <errno.h>
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
 * A balancer is a router with two interfaces: its frontend, which holds
 * its virtual address (the VIP the clients connect to), and its backend,
 * the network of its real servers, which it serves as a gateway serves
 * its inside network: the nodes there route through it (topores.c).  Its
 * keys for networks, addresses, ports and settings are those of the
 * other nodes (topokeys.c); here are the ones only it has: servers, mode
 * and schedule.
 *
 * Once routes and the traffic's target are resolved, topolb_resolve()
 * checks each balancer.  Every listed server must be a server on the
 * backend network, listed once, listening on every port of the VIP
 * (DNAT keeps the port), and in mode dnat it must route back through
 * the balancer, which has to undo the translation of its replies (in
 * fullnat they go to the balancer's own backend address anyway).  For
 * the balancer that is the traffic's target, every client must reach
 * its frontend network through its chain of default routes, and its
 * servers must answer alike (close, request, response), since the
 * generator's clients cannot tell which server they got.  The checks
 * read the servers' options as topokeys.c normalised them: the model is
 * built only once no error is found, by topolb_build().
 */

/* What a [balancer] section adds to a node's. */
struct plb {
	struct pref servers[TOPO_LB_SERVERS_MAX];
	int nservers, servers_line;
	enum topo_lb_mode mode;
	enum topo_lb_schedule schedule;
};

struct plb *topolb_new(void)
{
	return xcalloc(1, sizeof(struct plb));
}

void topolb_free(struct plb *lb)
{
	int i;

	if (!lb)
		return;
	for (i = 0; i < lb->nservers; i++)
		free(lb->servers[i].name);
	free(lb);
}

const char *topo_lb_mode_name(enum topo_lb_mode mode)
{
	switch (mode) {
	case TOPO_LB_DNAT:
		return "dnat";
	case TOPO_LB_FULLNAT:
		return "fullnat";
	}
	return "?";
}

const char *topo_lb_schedule_name(enum topo_lb_schedule schedule)
{
	switch (schedule) {
	case TOPO_LB_ROUND_ROBIN:
		return "round-robin";
	case TOPO_LB_HASH:
		return "hash";
	}
	return "?";
}

/* ---- keys ---- */

/* Add one name of "servers = s1, s2" to the list.  Return: 0 or -EINVAL
 * (reported). */
static int lb_add_server(struct parser *p, struct plb *lb, const char *name,
			 int line)
{
	int i;

	if (!*name) {
		topo_perr(p, line,
			  "servers: expected server names separated by commas");
		return -EINVAL;
	}
	for (i = 0; i < lb->nservers; i++) {
		if (!strcmp(lb->servers[i].name, name)) {
			topo_perr(p, line, "servers: '%s' is listed twice",
				  name);
			return -EINVAL;
		}
	}
	if (lb->nservers == TOPO_LB_SERVERS_MAX) {
		topo_perr(p, line, "servers: at most %d", TOPO_LB_SERVERS_MAX);
		return -EINVAL;
	}
	lb->servers[lb->nservers].name = xstrdup(name);
	lb->servers[lb->nservers++].line = line;
	return 0;
}

static int key_servers(struct parser *p, const char *key, const char *val,
		       int line, int arg)
{
	struct plb *lb = ((struct pnode *)p->cur)->lb;
	char *copy = xstrdup(val), *s = copy, *comma;
	int err = 0;

	lb->servers_line = line;
	while (!err && s) {
		comma = strchr(s, ',');
		if (comma)
			*comma = '\0';
		err = lb_add_server(p, lb, topo_trim(s), line);
		s = comma ? comma + 1 : NULL;
	}
	free(copy);
	return err;
}

/* arg 0: mode, 1: schedule. */
static int key_lb_word(struct parser *p, const char *key, const char *val,
		       int line, int arg)
{
	struct plb *lb = ((struct pnode *)p->cur)->lb;

	if (arg == 0 && !strcmp(val, "dnat"))
		lb->mode = TOPO_LB_DNAT;
	else if (arg == 0 && !strcmp(val, "fullnat"))
		lb->mode = TOPO_LB_FULLNAT;
	else if (arg == 1 && !strcmp(val, "round-robin"))
		lb->schedule = TOPO_LB_ROUND_ROBIN;
	else if (arg == 1 && !strcmp(val, "hash"))
		lb->schedule = TOPO_LB_HASH;
	else {
		topo_perr(p, line, "%s: expected %s", key,
			  arg ? "round-robin or hash" : "dnat or fullnat");
		return -EINVAL;
	}
	return 0;
}

/* clang-format off */
const struct key_def topolb_keys[] = {
	{ "servers", key_servers, 0 },
	{ "mode", key_lb_word, 0 },
	{ "schedule", key_lb_word, 1 },
	{ NULL, NULL, 0 },
};
/* clang-format on */

/* ---- checks ---- */

/* The value of option KEY of a section as topokeys.c normalised it, or
 * @def; *line set to its line (0 for the default). */
static const char *lb_opt(const struct pnode *sec, const char *key,
			  const char *def, int *line)
{
	int i;

	*line = 0;
	for (i = 0; sec && i < sec->nopts; i++) {
		if (!strcmp(sec->opts[i].key, key)) {
			*line = sec->opts[i].line;
			return sec->opts[i].value;
		}
	}
	return def;
}

/* A section's listen ports ("80,8080" in normal form; 80 by default).
 * Return: how many, in @ports (TOPO_PORTS_MAX of room). */
static int lb_listen(const struct pnode *sec, uint16_t *ports)
{
	int line, n = 0;
	const char *v = lb_opt(sec, "listen", "80", &line);
	char *end;

	while (*v && n < TOPO_PORTS_MAX) {
		ports[n++] = (uint16_t)strtoul(v, &end, 10);
		v = *end ? end + 1 : end;
	}
	return n;
}

/* Resolve one listed name: a server on the backend network that, in
 * mode dnat, routes back through balancer @b.  ref->idx is left -1 for
 * a name that is no server, so later checks skip it. */
static void lb_server(struct parser *p, int b, struct pref *ref)
{
	const struct rnode *r = &p->rn[b], *s;
	int j;

	ref->looked = 1;
	ref->idx = -1;
	for (j = 0; j < p->nrn && strcmp(p->rn[j].name, ref->name); j++)
		;
	if (j == p->nrn) {
		topo_perr(p, ref->line, "balancer '%s': no server '%s'",
			  r->name, ref->name);
		return;
	}
	s = &p->rn[j];
	if (s->kind != TOPO_SERVER) {
		topo_perr(p, ref->line,
			  "balancer '%s': '%s' is a %s, not a server", r->name,
			  ref->name, topo_kind_name(s->kind));
		return;
	}
	ref->idx = j;
	if (r->ni[1] >= 0 && s->ni[0] >= 0 && s->ni[0] != r->ni[1]) {
		topo_perr(
			p, ref->line,
			"balancer '%s': server '%s' is on network '%s', not on its backend network '%s'",
			r->name, s->name, p->t->nets[s->ni[0]].name,
			p->t->nets[r->ni[1]].name);
		return;
	}
	/* Without 'via' a server there routes through the balancer, or has
	 * already been told that its default route is ambiguous. */
	if (r->sec->lb->mode == TOPO_LB_DNAT && s->via->name &&
	    s->via_idx >= 0 && s->via_idx != b)
		topo_perr(
			p, s->via->line,
			"server '%s' routes via '%s', so its replies would not pass balancer '%s' (mode dnat): route it via '%s', or use mode = fullnat",
			s->name, s->via->name, r->name, r->name);
}

/* Every server listens on every port of the virtual address: the
 * balancer's own listen, or its first server's. */
static void lb_ports(struct parser *p, int b)
{
	const struct rnode *r = &p->rn[b];
	const struct plb *lb = r->sec->lb;
	uint16_t vip[TOPO_PORTS_MAX], sp[TOPO_PORTS_MAX];
	int nvip = 0, line, k, i, j, n;

	lb_opt(r->sec, "listen", NULL, &line);
	if (line)
		nvip = lb_listen(r->sec, vip);
	for (k = 0; k < lb->nservers; k++) {
		const struct pref *ref = &lb->servers[k];

		if (ref->idx < 0)
			continue;
		n = lb_listen(p->rn[ref->idx].sec, sp);
		if (!line && !nvip) {
			memcpy(vip, sp, sizeof(vip));
			nvip = n;
		}
		for (i = 0; i < nvip; i++) {
			for (j = 0; j < n && sp[j] != vip[i]; j++)
				;
			if (j == n) {
				topo_perr(
					p, line ? line : lb->servers_line,
					"balancer '%s': server '%s' does not listen on port %u of its virtual address",
					r->name, ref->name, vip[i]);
				break;
			}
		}
	}
}

/* The servers of the traffic's target answer alike: the clients expect
 * one request size, one response size and one way to close. */
static void lb_service(struct parser *p, int b)
{
	static const struct {
		const char *key, *def;
	} keys[] = {{"close", "server"}, {"request", "32"}, {"response", "64"}};
	const struct plb *lb = p->rn[b].sec->lb;
	const struct pref *first = NULL;
	int k, line;
	size_t i;

	for (k = 0; k < lb->nservers; k++) {
		const struct pref *ref = &lb->servers[k];

		if (ref->idx < 0)
			continue;
		if (!first) {
			first = ref;
			continue;
		}
		for (i = 0; i < ARRAY_SIZE(keys); i++) {
			const char *a = lb_opt(p->rn[first->idx].sec,
					       keys[i].key, keys[i].def, &line);
			const char *v = lb_opt(p->rn[ref->idx].sec, keys[i].key,
					       keys[i].def, &line);

			if (strcmp(a, v))
				topo_perr(
					p, lb->servers_line,
					"balancer '%s': servers '%s' and '%s' differ in '%s' (%s, %s): the traffic's clients cannot tell them apart",
					p->rn[b].name, first->name, ref->name,
					keys[i].key, a, v);
		}
	}
}

/* Whether client @c's chain of default routes reaches network @net;
 * @seen gets the networks it passes, "lan, wan". */
static int lb_reaches(const struct parser *p, const struct rnode *c, int net,
		      char *seen, size_t len)
{
	int g = c->via_idx, hops = 0, at = c->ni[0];
	size_t off = 0;

	for (;;) {
		off += (size_t)snprintf(seen + off, off < len ? len - off : 0,
					"%s%s", off ? ", " : "",
					p->t->nets[at].name);
		if (at == net)
			return 1;
		if (g < 0 || hops++ > p->nrouters)
			return 0;
		at = p->rn[g].ni[topo_uplink(p->rn[g].kind)];
		if (at < 0)
			return 0;
		g = p->rn[g].via_idx;
	}
}

/* Every client reaches the frontend of balancer @b, the target. */
static void lb_reach(struct parser *p, int b)
{
	const struct rnode *r = &p->rn[b];
	int i, fe = r->ni[0];
	char seen[256];

	for (i = 0; fe >= 0 && i < p->nrn; i++) {
		const struct rnode *c = &p->rn[i];

		if (c->kind != TOPO_CLIENT || c->ni[0] < 0 ||
		    (c->via->name && c->via_idx < 0))
			continue;
		if (lb_reaches(p, c, fe, seen, sizeof(seen)))
			continue;
		topo_perr(
			p,
			p->traffic_server_line ? p->traffic_server_line
					       : r->line,
			"balancer '%s' is not reachable from client '%s': its routes reach %s, not the frontend network '%s'",
			r->name, c->gen && !c->sec ? p->glabel : c->name, seen,
			p->t->nets[fe].name);
	}
}

void topolb_resolve(struct parser *p)
{
	int b, k;

	for (b = p->ngw; b < p->nrouters; b++) {
		struct plb *lb = p->rn[b].sec->lb;

		for (k = 0; k < lb->nservers; k++)
			lb_server(p, b, &lb->servers[k]);
		lb_ports(p, b);
		if (b != p->t->traffic.server)
			continue;
		lb_service(p, b);
		lb_reach(p, b);
	}
}

int topolb_metric_known(const struct parser *p, int b, const char *name)
{
	const struct plb *lb = p->rn[b].sec->lb;
	int k;

	if (strncmp(name, "conns.", 6))
		return topo_metric_known(TOPO_BALANCER, name);
	for (k = 0; k < lb->nservers; k++)
		if (!strcmp(lb->servers[k].name, name + 6))
			return 1;
	return 0;
}

/* ---- the model ---- */

void topolb_build(struct parser *p)
{
	struct topo *t = p->t;
	int b, k;

	for (b = p->ngw; b < p->nrouters; b++) {
		const struct plb *lb = p->rn[b].sec->lb;
		struct topo_node *n = &t->nodes[b];
		const struct topo_service *first;

		n->lb.mode = lb->mode;
		n->lb.schedule = lb->schedule;
		n->lb.line = lb->servers_line;
		n->lb.nservers = lb->nservers;
		for (k = 0; k < lb->nservers; k++)
			n->lb.servers[k] = lb->servers[k].idx;
		/* Drawn from the lab's seed, as random clock offsets are. */
		n->lb.seed = (uint32_t)hash_splitmix(
			t->seed ^
			hash_splitmix(0x6c62000000000000ull | (unsigned)b));
		/* What the clients of its VIP get is what its servers
		 * serve; its own listen, if any, names the ports. */
		first = &t->nodes[n->lb.servers[0]].svc;
		n->svc.close = first->close;
		n->svc.backlog = first->backlog;
		n->svc.request = first->request;
		n->svc.response = first->response;
		if (!n->svc.nports) {
			memcpy(n->svc.ports, first->ports,
			       sizeof(n->svc.ports));
			n->svc.nports = first->nports;
		}
	}
}
