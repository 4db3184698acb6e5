/* rfc.c - natlab rfc: the NAT behaviour (RFC 4787, 5382, 5508, 7857) of a
 * gateway. */

/*
 * Theory of operation
 *
 * natlab rfc answers, for one gateway and one way of configuring it (a
 * profile), each requirement of RFC 4787 (UDP), RFC 5382 (TCP), RFC 5508
 * (ICMP) and RFC 7857 (rfcreqs.c lists them) with a test run on real
 * namespaces: two clients behind the gateway, two servers outside.
 * Every verdict is judged from what a test measured (the ports the
 * servers' accept() and recvfrom() saw, the gateway's conntrack entries
 * read over ctnetlink, errors and ICMP messages on the sockets, packets
 * captured at a client or a server), never from documentation.  --rfc
 * runs only the groups of tests the RFCs asked for need (rfc_int.h's
 * RFC_TCP_DOCS, RFC_UDP_DOCS, RFC_ICMP_DOCS).
 *
 * The command has three layers, kept apart so that the first two are
 * unit tested without root:
 *
 * 1. Evidence, judgement and report (rfcjudge.c for TCP,
 *    rfcjudge_udp.c, rfcjudge_icmp.c, the words of rfcwords.c;
 *    rfcreport.c: the table grouped by RFC, the JSON through jansson).  A run
 *    fills a struct rfc_evidence (plain data); rfc_judge() turns it into
 *    one verdict and one sentence of evidence per requirement; the table
 *    and JSON writers print them.
 * 2. Message builders and parsers, in the layers below: ctnetlink GET
 *    requests and replies (src/lib/ct.c), the nftables rules of the
 *    tests and of nat = rfc (src/lib/nftrules.c), and the classification
 *    of conntrack entries into the mappings that the full-cone keeper
 *    learns (src/engine/fullcone.c).
 * 3. I/O: the tests (rfctest.c, rfctest_udp.c, rfctest_icmp.c), which
 *    make sockets inside the lab's
 *    namespaces with rfcio.c as the traffic generator does (enter a
 *    node's namespace, create the socket, return: the socket stays in
 *    that namespace), and the full-cone keeper (src/engine/keeper.c,
 *    fullcone.c).
 *
 * This file is the command: the profiles, one lab and
 * one child process per profile (src/lib/jobs.c forks and reaps them),
 * the evidence they leave in memory shared with the parent, the report.
 *
 * Profiles run side by side, one child process each with its own lab
 * ("rfc-<profile>-<pid>"), and leave their evidence in memory shared with
 * the parent, which judges and reports.  Labs share nothing but the CPUs,
 * so the slowest profile sets the run time: the REQ-4 watch of 6.5 s,
 * during which the timer tests run.  Timers that are minutes long are
 * shortened only to watch an entry expire (2 s standing for 4 min, scale
 * 1:120, stated in the report); their real values are read from the
 * sysctls and from live entries.
 *
 * The rfc profile is the gateway's nat = rfc, built by the lab like any
 * other: masquerade plus what Linux needs to meet the rest (transitory
 * conntrack timeouts of 4 minutes, no redirects) and the lab's keeper
 * process, which keeps nftables maps of the gateway from conntrack events
 * and answers unsolicited SYNs after 6 s (src/engine/keeper.c,
 * fullcone.c, synhold.c).  The suite reads the keeper's counters from
 * the lab's keeper file (src/lib/statfile.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lab/lab.h"
#include "lib/jobs.h"
#include "lib/log.h"
#include "lib/netns.h"
#include "lib/statfile.h"
#include "lib/util.h"
#include "rfc/rfc_int.h"
#include "topo/topo_patch.h"

/* The built-in lab; topo/rfc.topo holds the same text. */
const char rfc_default_topo[] =
	"; natlab rfc's built-in lab: the RFC 5382 / RFC 7857 suite runs "
	"against\n"
	"; gateway gw.  Two clients behind it, so that mappings of "
	"different\n"
	"; internal hosts can be compared; two servers outside, so that "
	"mappings and\n"
	"; filtering towards different destinations can be.\n"
	";\n"
	";   c1 c2 --[lan 10.0.0.0/24]-- gw (masquerade) --[wan "
	"203.0.113.0/24]-- s1 s2\n"
	";\n"
	"; natlab rfc builds one lab per profile from this text, with gw's "
	"nat line\n"
	"; set by the profile (nat = rfc brings its own timeouts and "
	"rules).\n"
	"\n"
	"[lab]\n"
	"name = rfc\n"
	"\n"
	"[network lan]\n"
	"subnet = 10.0.0.0/24\n"
	"\n"
	"[network wan]\n"
	"subnet = 203.0.113.0/24\n"
	"\n"
	"[gateway gw]\n"
	"inside = lan\n"
	"outside = wan\n"
	"nat = masquerade\n"
	"\n"
	"[server s1]\n"
	"network = wan\n"
	"\n"
	"[server s2]\n"
	"network = wan\n"
	"\n"
	"[clients]\n"
	"count = 2\n"
	"network = lan\n";

#define DEFAULT_TOPO_NAME "rfc.topo (built in)"

static const struct {
	enum rfc_profile_kind kind;
	const char *name;
	const char *nat; /* the gateway's nat value, NULL: the file's */
} profiles[] = {
	{RFC_P_TOPO, "topo", NULL},
	{RFC_P_MASQUERADE, "masquerade", "masquerade"},
	{RFC_P_RANDOM, "random", "masquerade random"},
	{RFC_P_FULLY_RANDOM, "fully-random", "masquerade fully-random"},
	{RFC_P_PERSISTENT, "persistent", "masquerade persistent"},
	{RFC_P_RFC, "rfc", "rfc"},
};

int rfc_profile_parse(const char *name, enum rfc_profile_kind *k)
{
	size_t i;

	/* "topo" is what no --profile means with a file, not a name. */
	for (i = 1; i < ARRAY_SIZE(profiles); i++) {
		if (!strcmp(name, profiles[i].name)) {
			*k = profiles[i].kind;
			return 0;
		}
	}
	return -EINVAL;
}

const char *rfc_profile_name(enum rfc_profile_kind k)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(profiles); i++)
		if (profiles[i].kind == k)
			return profiles[i].name;
	return "?";
}

/* ---- a profile: one lab, the whole suite ---- */

/*
 * The gateway and the nodes around it: the first gateway with two
 * clients on its inside network and two servers on its outside one.
 */
static int find_roles(const struct topo *t, int node[N_NODES])
{
	int g, i;

	for (g = 0; g < t->nnodes; g++) {
		const struct topo_node *gw = &t->nodes[g];
		int nc = 0, ns = 0;

		if (gw->kind != TOPO_GATEWAY || gw->nifs < 2)
			continue;
		for (i = 0; i < t->nnodes; i++) {
			const struct topo_node *n = &t->nodes[i];

			if (n->kind == TOPO_CLIENT && nc < 2 &&
			    n->ifs[0].net == gw->ifs[0].net)
				node[N_C1 + nc++] = i;
			if (n->kind == TOPO_SERVER && ns < 2 &&
			    n->ifs[0].net == gw->ifs[1].net)
				node[N_S1 + ns++] = i;
		}
		if (nc == 2 && ns == 2) {
			node[N_GW] = g;
			return 0;
		}
	}
	return -ENOENT;
}

static void evidence_init(struct rfc_evidence *e)
{
	int i;

	memset(e, 0, sizeof(*e));
	for (i = 0; i < RFC_NTIMERS; i++)
		e->timer[i] = -1;
	e->live_est = e->live_syn_sent = e->live_time_wait = -1;
	e->live_close = -1;
	e->tw_gone_ms = e->close_gone_ms = -1;
	e->helper_sysctl = e->expectations = -1;
	e->rst_state = -2;
	e->sim_state = -1;
	e->icmp_state = -1;
	e->icmp_tcp_seen = -1;
	e->ext_addrs = 1;
	e->udp_ev.udp_timeout = e->udp_ev.udp_stream = -1;
	e->udp_ev.live_unreplied = e->udp_ev.live_replied = -1;
	e->udp_ev.ref_out_before = e->udp_ev.ref_out_after = -1;
	e->udp_ev.ref_in_before = e->udp_ev.ref_in_after = -1;
	e->udp_ev.err_before = e->udp_ev.err_after = -1;
	e->udp_ev.icmp_entry_kept = -1;
}

static int suite_open(struct suite *s, const struct topo *t,
		      struct rfc_profile *p)
{
	const struct topo_node *gw;
	int i;

	memset(s, 0, sizeof(*s));
	s->t = t;
	s->ev = &p->ev;
	s->unsol_fd = s->l_s1 = s->l_s2 = -1;
	for (i = 0; i < N_NODES; i++)
		s->nsfd[i] = -1;
	for (i = 0; i < 4; i++)
		s->l_alg[i] = -1;
	if (find_roles(t, s->node))
		return -EINVAL;
	for (i = 0; i < N_NODES; i++) {
		const struct topo_node *n = &t->nodes[s->node[i]];

		s->nsfd[i] = netns_open_node(t->name, n->name);
		if (s->nsfd[i] < 0)
			return s->nsfd[i];
		s->addr[i] = n->ifs[0].addr;
	}
	gw = &t->nodes[s->node[N_GW]];
	s->addr[N_GW] = gw->ifs[1].addr;
	s->keeper = gw->nat.mode == TOPO_NAT_RFC;
	s->c1_if = t->nets[t->nodes[s->node[N_C1]].ifs[0].net].name;
	evidence_init(s->ev);
	s->ev->ext = s->addr[N_GW];
	s->ev->gw_in = gw->ifs[0].addr;
	s->ev->c1 = s->addr[N_C1];
	s->ev->c2 = s->addr[N_C2];
	s->ev->s1 = s->addr[N_S1];
	s->ev->s2 = s->addr[N_S2];
	return rfctest_open(s);
}

static void suite_close(struct suite *s)
{
	rfctest_close(s);
}

/* What the keeper of a nat = rfc gateway counted, from the lab's keeper
 * file (the keeper writes it every second: read after it has seen the
 * last test's connections end). */
static void keeper_evidence(const struct topo *t, const struct suite *s)
{
	static const char *const keys[] = {"events", "mappings", "conflicts",
					   "lost",   "held",	 "icmp_sent",
					   "punched"};
	uint32_t *out[] = {&s->ev->kp_events,	 &s->ev->kp_mappings,
			   &s->ev->kp_conflicts, &s->ev->kp_lost,
			   &s->ev->kp_held,	 &s->ev->kp_icmp,
			   &s->ev->kp_punched};
	const char *gw = t->nodes[s->node[N_GW]].name;
	char val[24];
	size_t i;

	s->ev->keeper = 1;
	for (i = 0; i < ARRAY_SIZE(keys); i++)
		if (!statfile_get(t->name, "keeper", gw, keys[i], val,
				  sizeof(val)))
			*out[i] = (uint32_t)strtoul(val, NULL, 10);
}

/* One profile: open the suite, run the tests of @docs (rfctest_run()). */
static int suite_run(const struct topo *t, unsigned int docs,
		     struct rfc_profile *p)
{
	struct suite s;
	int err;

	/* lab_up() has waited for every link to run. */
	err = suite_open(&s, t, p);
	s.ev->docs = docs;
	if (!err)
		err = rfctest_run(&s);
	if (!err && s.keeper) {
		rfcio_sleep_ms(1100);
		keeper_evidence(t, &s);
	}
	if (util_stop)
		err = -EINTR;
	suite_close(&s);
	return err;
}

/* ---- natlab rfc ---- */

struct rfc_ctx {
	const char *file; /* for messages: the path or DEFAULT_TOPO_NAME */
	char *text;	  /* the topology, as given */
	struct topo base;
	unsigned int docs; /* the documents asked for */
	int node[N_NODES];
	char *texts[RFC_PROFILES_MAX]; /* each profile's topology */
};

static const char *profile_nat(enum rfc_profile_kind k)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(profiles); i++)
		if (profiles[i].kind == k)
			return profiles[i].nat;
	return NULL;
}

/* The topology text of a profile: the base with the gateway's nat line
 * set, so that it goes through the parser and validator like any file
 * (nat = rfc brings its timers and rules with it: src/topo/topores.c,
 * src/lab/labbuild.c).  Return: the text (free()), or NULL when topo_patch()
 * finds no place for the nat line. */
static char *profile_text(const struct rfc_ctx *cx, enum rfc_profile_kind k)
{
	const struct topo_node *g = &cx->base.nodes[cx->node[N_GW]];
	const char *gw = g->name, *nat = profile_nat(k);
	char key[96], *text = xstrdup(cx->text), *next;

	if (nat) {
		snprintf(key, sizeof(key), "%s.nat", gw);
		next = topo_patch(text, key, nat);
		free(text);
		text = next;
	}
	return text;
}

/* How the gateway is set up, in words. */
static void profile_describe(const struct topo *t, int gw,
			     struct rfc_profile *p)
{
	const struct topo_nat *nat = &t->nodes[gw].nat;

	if (nat->mode == TOPO_NAT_NONE) {
		snprintf(p->nat, sizeof(p->nat), "none");
		return;
	}
	if (nat->mode == TOPO_NAT_RFC) {
		snprintf(p->nat, sizeof(p->nat),
			 "rfc: masquerade + full-cone keeper, transitory "
			 "timeouts %d s unless set, unsolicited SYNs held "
			 "6 s then ICMP, no redirects",
			 TOPO_RFC_TRANSITORY_S);
		return;
	}
	snprintf(p->nat, sizeof(p->nat), "masquerade%s%s%s",
		 nat->flags & TOPO_NAT_RANDOM ? " random" : "",
		 nat->flags & TOPO_NAT_FULLY_RANDOM ? " fully-random" : "",
		 nat->flags & TOPO_NAT_PERSISTENT ? " persistent" : "");
}

/* The child that runs one profile; never returns. */
static void __attribute__((noreturn))
profile_child(const struct rfc_ctx *cx, int k, struct rfc_profile *p)
{
	uint64_t t0 = util_now_ns();
	struct topo t = {0};
	char lab[sizeof(p->lab)];
	int err, err2;

	snprintf(lab, sizeof(lab), "%s", p->lab);
	util_catch_signals();
	err = topo_parse_buf(&t, cx->file, cx->texts[k], strlen(cx->texts[k]));
	if (!err)
		err = topo_set_name(&t, lab);
	if (!err)
		err = lab_up(&t, cx->file);
	if (err) {
		snprintf(p->error, sizeof(p->error), "lab %s not built: %s",
			 lab, strerror(-err));
		p->status = err;
		topo_free(&t);
		_exit(err == -EINTR ? 130 : 3);
	}
	err = lab_mark_running(lab);
	if (!err)
		err = suite_run(&t, cx->docs, p);
	err2 = lab_down(lab);
	if (err)
		snprintf(p->error, sizeof(p->error), "%s",
			 err == -EINTR ? "interrupted" : strerror(-err));
	else if (err2)
		snprintf(p->error, sizeof(p->error), "lab %s not removed: %s",
			 lab, strerror(-err2));
	p->elapsed_ms = (uint32_t)((util_now_ns() - t0) / 1000000);
	p->status = err ? err : err2;
	topo_free(&t);
	_exit(p->status == -EINTR ? 130 : p->status ? 3 : 0);
}

static const int doc_numbers[RFC_NDOCS] = {4787, 5382, 5508, 7857};

int rfc_doc_number(enum rfc_doc d)
{
	return (unsigned int)d < RFC_NDOCS ? doc_numbers[d] : 0;
}

int rfc_add_docs(struct rfc_opts *o, const char *list)
{
	const char *p = list;

	do {
		char *end;
		long n = strtol(p, &end, 10);
		int d;

		for (d = 0; d < RFC_NDOCS; d++)
			if (doc_numbers[d] == n && end != p &&
			    (*end == ',' || !*end))
				break;
		if (d == RFC_NDOCS) {
			log_err("--rfc %s: the RFCs natlab rfc tests are 4787 "
				"(UDP), 5382 (TCP), 5508 (ICMP) and 7857, "
				"comma-separated",
				list);
			return -EINVAL;
		}
		o->docs |= 1u << d;
		p = *end ? end + 1 : end;
	} while (*p);
	if (p > list && p[-1] == ',') {
		log_err("--rfc %s: a number is missing after the comma", list);
		return -EINVAL;
	}
	return 0;
}

int rfc_add_profile(struct rfc_opts *o, const char *name)
{
	enum rfc_profile_kind k;
	int i;

	if (rfc_profile_parse(name, &k)) {
		log_err("--profile %s: the profiles are masquerade, random, "
			"fully-random, persistent and rfc",
			name);
		return -EINVAL;
	}
	for (i = 0; i < o->nprofiles; i++) {
		if (o->profiles[i] == k) {
			log_err("--profile %s given twice", name);
			return -EINVAL;
		}
	}
	if (o->nprofiles == RFC_PROFILES_MAX) {
		log_err("at most %d profiles", RFC_PROFILES_MAX);
		return -EINVAL;
	}
	o->profiles[o->nprofiles++] = k;
	return 0;
}

/* The topology natlab rfc tests (the file, or the built-in lab), parsed,
 * and the roles of its nodes.  Return: 0 or -EINVAL (reported). */
static int load_topology(const struct rfc_opts *o, struct rfc_ctx *cx)
{
	size_t len;
	int err;

	cx->file = o->topo ? o->topo : DEFAULT_TOPO_NAME;
	if (o->topo) {
		err = util_read_whole(o->topo, &cx->text, &len);
		if (err) {
			log_errno(err, "%s", o->topo);
			return -EINVAL;
		}
	} else {
		cx->text = xstrdup(rfc_default_topo);
	}
	err = topo_parse_buf(&cx->base, cx->file, cx->text, strlen(cx->text));
	if (err) {
		topo_print_errors(&cx->base);
		return -EINVAL;
	}
	if (find_roles(&cx->base, cx->node)) {
		log_err("%s: natlab rfc needs a gateway with two clients on its "
			"inside network and two servers on its outside network",
			cx->file);
		return -EINVAL;
	}
	return 0;
}

/* The profiles to run, in @kinds: those given, else the file's gateway as
 * it is, else every built-in profile.  Return: how many, or -EINVAL
 * (reported) when the file's gateway as it is has nothing to test. */
static int pick_profiles(const struct rfc_opts *o, const struct rfc_ctx *cx,
			 enum rfc_profile_kind kinds[RFC_PROFILES_MAX])
{
	static const enum rfc_profile_kind all[] = {
		RFC_P_MASQUERADE, RFC_P_RANDOM, RFC_P_FULLY_RANDOM,
		RFC_P_PERSISTENT, RFC_P_RFC,
	};
	const struct topo_node *gw = &cx->base.nodes[cx->node[N_GW]];
	int n = o->nprofiles;

	memcpy(kinds, o->profiles, sizeof(o->profiles));
	if (!n && o->topo) {
		kinds[0] = RFC_P_TOPO;
		n = 1;
	} else if (!n) {
		memcpy(kinds, all, sizeof(all));
		n = (int)ARRAY_SIZE(all);
	}
	if (kinds[0] == RFC_P_TOPO && gw->nat.mode == TOPO_NAT_NONE) {
		log_err("%s: gateway %s has nat = none: nothing to test (give "
			"a --profile)",
			cx->file, gw->name);
		return -EINVAL;
	}
	return n;
}

/* Profile @k as the run's profile @i, in @p: its names, and its topology
 * text (cx->texts[i]) checked by the parser as any file is, before any
 * lab is built.  Return: 0 or -EINVAL (reported). */
static int prepare_profile(struct rfc_ctx *cx, int i, enum rfc_profile_kind k,
			   struct rfc_profile *p)
{
	struct topo t = {0};
	int err;

	p->kind = k;
	p->status = -ECHILD; /* until its child says otherwise */
	snprintf(p->name, sizeof(p->name), "%s", rfc_profile_name(k));
	snprintf(p->lab, sizeof(p->lab), "rfc-%s-%d", rfc_profile_name(k),
		 (int)getpid());
	snprintf(p->error, sizeof(p->error), "did not finish");
	cx->texts[i] = profile_text(cx, k);
	if (!cx->texts[i]) {
		log_err("%s: cannot set the gateway's nat line", cx->file);
		return -EINVAL;
	}
	err = topo_parse_buf(&t, cx->file, cx->texts[i], strlen(cx->texts[i]));
	if (err)
		topo_print_errors(&t);
	else if (topo_set_name(&t, p->lab)) {
		log_err("lab name %s: too long", p->lab);
		err = -EINVAL;
	} else {
		profile_describe(&t, cx->node[N_GW], p);
	}
	topo_free(&t);
	return err ? -EINVAL : 0;
}

/* The report's header: what was tested, on which kernel, and the names
 * of the gateway, clients and servers. */
static void describe_run(const struct rfc_ctx *cx, struct rfc_report *r)
{
	const struct topo_node *nodes = cx->base.nodes;
	struct utsname un;

	snprintf(r->topology, sizeof(r->topology), "%s", cx->file);
	if (uname(&un) == 0)
		snprintf(r->kernel, sizeof(r->kernel), "%s", un.release);
	snprintf(r->gateway, sizeof(r->gateway), "%s",
		 nodes[cx->node[N_GW]].name);
	snprintf(r->c1, sizeof(r->c1), "%s", nodes[cx->node[N_C1]].name);
	snprintf(r->c2, sizeof(r->c2), "%s", nodes[cx->node[N_C2]].name);
	snprintf(r->s1, sizeof(r->s1), "%s", nodes[cx->node[N_S1]].name);
	snprintf(r->s2, sizeof(r->s2), "%s", nodes[cx->node[N_S2]].name);
}

/* Read and check everything before any lab is built: the topology, each
 * profile's own text, the report's header.  Return: 0 or -EINVAL
 * (reported). */
static int rfc_prepare(const struct rfc_opts *o, struct rfc_ctx *cx,
		       struct rfc_report *r)
{
	enum rfc_profile_kind kinds[RFC_PROFILES_MAX];
	int i, n, err;

	err = load_topology(o, cx);
	if (err)
		return err;
	n = pick_profiles(o, cx, kinds);
	if (n < 0)
		return n;
	for (i = 0; i < n; i++) {
		err = prepare_profile(cx, i, kinds[i], &r->p[i]);
		if (err)
			return err;
	}
	r->nprofiles = n;
	describe_run(cx, r);
	return 0;
}

/* What the profiles' jobs share (src/lib/jobs.c). */
struct profile_jobs {
	const struct rfc_ctx *cx;
	struct rfc_report *r;
};

/* Job i: profile i, in the child. */
static void profile_start(int i, void *arg)
{
	struct profile_jobs *pj = arg;

	profile_child(pj->cx, i, &pj->r->p[i]);
}

/* Job i ended: a child that left no status of its own failed. */
static void profile_done(int i, int status, void *arg)
{
	struct profile_jobs *pj = arg;
	struct rfc_profile *p = &pj->r->p[i];

	if (status < 0) {
		p->status = status;
		snprintf(p->error, sizeof(p->error), "fork: %s",
			 strerror(-status));
	} else if (!p->status &&
		   !(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
		p->status = -EIO;
		snprintf(p->error, sizeof(p->error),
			 "its process ended (status %#x)", status);
	}
}

/* Run every profile's child at once and wait for all of them. */
static int rfc_run_children(const struct rfc_ctx *cx, struct rfc_report *r)
{
	struct profile_jobs pj = {
		.cx = cx,
		.r = r,
	};
	struct progress pg;

	progress_start(&pg, "rfc", "profiles", (uint64_t)r->nprofiles);
	jobs_run(r->nprofiles, r->nprofiles, profile_start, profile_done, &pj,
		 &pg);
	progress_end(&pg);
	return util_stop ? -EINTR : 0;
}

int rfc_main(const struct rfc_opts *o)
{
	struct rfc_report *r = MAP_FAILED;
	struct rfc_ctx cx;
	uint64_t t0 = util_now_ns();
	FILE *json = NULL;
	int i, err;

	memset(&cx, 0, sizeof(cx));
	/* Shared with the children, which leave their evidence here. */
	r = mmap(NULL, sizeof(*r), PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (r == MAP_FAILED) {
		log_errno(-errno, "shared memory");
		return -ENOMEM;
	}
	cx.docs = r->docs = o->docs ? o->docs : RFC_DOCS_ALL;
	err = rfc_prepare(o, &cx, r);
	if (!err && geteuid() != 0) {
		log_err("natlab rfc needs root (network namespaces)");
		err = -EPERM;
	}
	if (!err && o->json) {
		json = fopen(o->json, "we");
		if (!json) {
			log_errno(-errno, "cannot write %s", o->json);
			err = -EINVAL;
		}
	}
	if (err)
		goto out;
	err = rfc_run_children(&cx, r);
	r->elapsed_ms = (uint32_t)((util_now_ns() - t0) / 1000000);
	if (err == -EINTR)
		log_err("interrupted: the labs were removed");
	if (err)
		goto out;
	for (i = 0; i < r->nprofiles; i++) {
		if (!r->p[i].status)
			rfc_judge(&r->p[i].ev, r->p[i].rows);
		else
			log_err("profile %s: %s", r->p[i].name, r->p[i].error);
	}
	rfc_report_table(stdout, r);
	if (json && rfc_report_json(json, r))
		err = -EIO;
	for (i = 0; !err && i < r->nprofiles; i++)
		if (r->p[i].status)
			err = r->p[i].status == -EINVAL ? -EINVAL : -EIO;
out:
	if (json && fclose(json) && !err)
		err = -EIO;
	for (i = 0; i < RFC_PROFILES_MAX; i++)
		free(cx.texts[i]);
	free(cx.text);
	topo_free(&cx.base);
	munmap(r, sizeof(*r));
	return err;
}
