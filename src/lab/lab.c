/* lab.c - building and removing a lab: up, down, rollback, clean. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "engine/engine.h"
#include "engine/keeper.h"
#include "engine/synhold.h"
#include "lab/lab.h"
#include "lab/lab_int.h"
#include "lab/state.h"
#include "lib/link.h"
#include "lib/log.h"
#include "lib/netns.h"
#include "lib/nft.h"
#include "lib/statfile.h"
#include "lib/sysctl.h"
#include "lib/util.h"

/*
 * Theory of operation.  A lab is a set of network namespaces named
 * "<lab>-<node>" plus "<lab>-sw", the switch, which holds one bridge per
 * network.  Every interface of a node is one end of a veth pair whose
 * other end sits in the switch, enslaved to the network's bridge.  The
 * pair is created from the switch with the peer placed straight into the
 * node's namespace, so no link of a lab ever exists in, or is connected
 * to, the namespace natlab was started from.
 *
 * Building goes in phases because that is what the kernel does fastest:
 * all namespaces first (opening each node's rtnetlink socket while we are
 * inside it), then all bridges and veth pairs from the switch's socket,
 * then each node's addresses, routes, sysctls and nftables rules.  Node k's
 * interface i gets ifindex 2 + i (lo is 1), so no lookups are needed.
 *
 * The state file (state.c) is written before anything exists and gets a
 * line per namespace as soon as it exists; teardown removes exactly the
 * namespaces the file names, and only while they are still the same
 * namespace objects (nsfs inode), so that down, a failed up, an
 * interrupted up and clean after kill -9 all share one path and none of
 * them can remove what another lab or the user made.
 */

int lab_fail_after;

#define IF_FIRST 2 /* ifindex of a node's first interface; lo is 1 */

struct build {
	const struct topo *t;
	struct state st;
	int lockfd;
	int swfd;
	struct link_sock sw;
	int *nsfd;		 /* per node */
	struct link_sock *socks; /* per node */
	int step;		 /* for lab_fail_after */
	int ns_failed;		 /* a namespace worker failed: all stop */
	struct ns_worker *workers;
	int nworkers;
};

#define NS_THREADS_MAX 8

struct ns_worker {
	struct build *b;
	int first, stride;
	int err;
	pthread_t tid;
};

static int lab_join_namespaces(struct build *b);

/* Switch-side name of a node's interface i. */
static void lab_sw_ifname(const struct topo_node *n, int i, char *buf)
{
	if (n->kind == TOPO_GATEWAY)
		snprintf(buf, 16, "%s-%s", n->name, i ? "out" : "in");
	else
		snprintf(buf, 16, "%s", n->name);
}

/* A checkpoint between build steps: interrupted, or a forced failure? */
static int lab_checkpoint(struct build *b)
{
	if (util_stop)
		return -EINTR;
	if (lab_fail_after &&
	    __atomic_add_fetch(&b->step, 1, __ATOMIC_RELAXED) ==
		    lab_fail_after) {
		log_err("forced failure after build step %d "
			"(NATLAB_FAIL_AFTER)",
			b->step);
		return -ECANCELED;
	}
	return 0;
}

static void lab_raise_nofile(int need)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur >= (rlim_t)need)
		return;
	rl.rlim_cur = rl.rlim_max < (rlim_t)need ? rl.rlim_max : (rlim_t)need;
	setrlimit(RLIMIT_NOFILE, &rl);
}

/* ---- teardown, shared by down, rollback and clean ---- */

int lab_ino_cmp(const void *a, const void *b)
{
	unsigned long x = *(const unsigned long *)a;
	unsigned long y = *(const unsigned long *)b;

	return x < y ? -1 : x > y;
}

int lab_find_procs(const unsigned long *inos, int n, pid_t **out)
{
	pid_t self = getpid(), *v = NULL;
	struct dirent *de;
	int count = 0;
	DIR *d;

	*out = NULL;
	if (!n)
		return 0;
	d = opendir("/proc");
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		char path[300], link[64];
		unsigned long ino;
		ssize_t len;
		pid_t pid;

		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		pid = (pid_t)atoi(de->d_name);
		if (pid == self)
			continue;
		snprintf(path, sizeof(path), "/proc/%s/ns/net", de->d_name);
		len = readlink(path, link, sizeof(link) - 1);
		if (len <= 0)
			continue;
		link[len] = '\0';
		if (sscanf(link, "net:[%lu]", &ino) != 1)
			continue;
		if (!bsearch(&ino, inos, n, sizeof(*inos), lab_ino_cmp))
			continue;
		v = xrealloc(v, count + 1, sizeof(*v));
		v[count++] = pid;
	}
	closedir(d);
	*out = v;
	return count;
}

/*
 * Stop every process living in the lab's namespaces: they belong to the
 * lab (its engine, servers, or programs started with natlab exec), and a
 * namespace with a process in it outlives its unmount.  TERM first, then
 * KILL after a second.
 */
static void lab_kill_procs(const struct state *s)
{
	unsigned long *inos = xcalloc(s->nns, sizeof(*inos));
	int i, n = 0, round, count;
	pid_t *pids;

	for (i = 0; i < s->nns; i++) {
		unsigned long now = netns_inode(s->ns[i].name);

		if (now && now == s->ns[i].ino)
			inos[n++] = now;
	}
	qsort(inos, n, sizeof(*inos), lab_ino_cmp);
	for (round = 0; round < 12; round++) {
		count = lab_find_procs(inos, n, &pids);
		if (count <= 0)
			break;
		for (i = 0; i < count; i++)
			kill(pids[i], round < 10 ? SIGTERM : SIGKILL);
		free(pids);
		usleep(100000);
	}
	free(inos);
}

/* Stop a recorded background process (the engine): TERM, then KILL if it
 * has not gone within two seconds.  It may be our child (up that fails
 * after spawning it) or not (down from another process). */
static void lab_stop_pid(const struct state_pid *p)
{
	int i, status;

	if (!state_proc_alive(p->pid, p->start))
		return;
	kill(p->pid, SIGTERM);
	for (i = 0; i < 200; i++) {
		waitpid(p->pid, &status, WNOHANG);
		if (!state_proc_alive(p->pid, p->start))
			return;
		usleep(10000);
	}
	kill(p->pid, SIGKILL);
	waitpid(p->pid, &status, WNOHANG);
}

static int lab_teardown(struct state *s)
{
	int i, err = 0;

	for (i = 0; i < s->npids; i++)
		lab_stop_pid(&s->pids[i]);
	lab_kill_procs(s);
	for (i = s->nns - 1; i >= 0; i--) {
		unsigned long now = netns_inode(s->ns[i].name);
		int e;

		if (!now)
			continue;
		/* ino 0: the builder died between creating the name and
		 * recording its inode; the name is the lab's (the lab lock
		 * was held and the name did not exist when it started). */
		if (s->ns[i].ino && now != s->ns[i].ino) {
			log_warn(
				"namespace %s is no longer the one lab %s made; "
				"left alone",
				s->ns[i].name, s->lab);
			continue;
		}
		e = netns_del(s->ns[i].name);
		if (e) {
			log_errno(e, "cannot remove namespace %s",
				  s->ns[i].name);
			err = e;
		}
	}
	if (!err) {
		static const char *const kinds[] = {"engine", "keeper", "log",
						    "timeline"};
		char path[STATFILE_PATH_MAX];
		size_t k;

		for (k = 0; k < ARRAY_SIZE(kinds); k++) {
			statfile_path(s->lab, kinds[k], path, sizeof(path));
			unlink(path);
		}
		err = state_remove(s->lab);
	}
	return err;
}

/* ---- up ---- */

static int lab_spawn(struct build *b, const char *role, const char *word,
		     int (*run)(const struct topo *, int));

static int lab_check_clash(const struct topo *t)
{
	char name[NETNS_NAME_MAX];
	int i;

	netns_name(t->name, NETNS_SWITCH, name, sizeof(name));
	if (netns_exists(name)) {
		log_err("namespace %s already exists and is not lab %s's", name,
			t->name);
		return -EEXIST;
	}
	for (i = 0; i < t->nnodes; i++) {
		netns_name(t->name, t->nodes[i].name, name, sizeof(name));
		if (netns_exists(name)) {
			log_err("namespace %s already exists and is not lab "
				"%s's",
				name, t->name);
			return -EEXIST;
		}
	}
	return 0;
}

static int lab_record_nodes(struct build *b)
{
	const struct topo *t = b->t;
	char line[512], a[16];
	int i, k, err;

	for (i = 0; i < t->nnodes; i++) {
		const struct topo_node *n = &t->nodes[i];
		size_t off;

		off = (size_t)snprintf(line, sizeof(line), "%s %s", n->name,
				       topo_kind_name(n->kind));
		for (k = 0; k < n->nifs; k++) {
			const struct topo_net *net = &t->nets[n->ifs[k].net];

			off += (size_t)snprintf(
				line + off, sizeof(line) - off, " %s=%s/%d",
				net->name, util_ipv4_str(n->ifs[k].addr, a),
				net->prefix);
		}
		err = state_append(&b->st, "node %s", line);
		if (err)
			return err;
	}
	return 0;
}

/* Create one namespace, record it, and open an rtnetlink socket in it. */
static int lab_make_ns(struct build *b, const char *node, struct link_sock *ls,
		       int *fd)
{
	char name[NETNS_NAME_MAX];
	int err;

	netns_name(b->t->name, node, name, sizeof(name));
	err = state_append(&b->st, "making %s", name);
	if (err)
		return err;
	*fd = netns_add(name);
	if (*fd < 0) {
		err = *fd;
		if (err == -EEXIST)
			state_append(&b->st, "clash %s", name);
		log_errno(err, "cannot create namespace %s", name);
		return err;
	}
	err = state_append(&b->st, "made %s %lu", name, netns_inode(name));
	if (!err)
		err = link_sock_open(ls);
	if (err)
		log_errno(err, "namespace %s", name);
	netns_leave();
	return err;
}

/*
 * Namespace creation is a third of the cost of a big lab, and it scales
 * over cores: setup_net() runs under a shared lock, so one worker thread
 * per core creates its share (unshare() moves only the calling thread).
 * Link work all takes the RTNL lock; overlapping it with namespace
 * creation measured slower than doing the two one after the other (they
 * contend for RTNL), so the main thread waits for the workers first.
 */
static void *lab_ns_worker(void *arg)
{
	struct ns_worker *w = arg;
	struct build *b = w->b;
	int i, err = 0;

	for (i = w->first; i < b->t->nnodes; i += w->stride) {
		if (__atomic_load_n(&b->ns_failed, __ATOMIC_ACQUIRE))
			break;
		if (b->nsfd[i] >= 0)
			continue; /* made before a fallback (see below) */
		err = lab_checkpoint(b);
		if (!err)
			err = lab_make_ns(b, b->t->nodes[i].name, &b->socks[i],
					  &b->nsfd[i]);
		if (err) {
			__atomic_store_n(&b->ns_failed, 1, __ATOMIC_RELEASE);
			break;
		}
	}
	w->err = err;
	return NULL;
}

static int lab_start_namespaces(struct build *b)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	int i, n, err;

	err = lab_make_ns(b, NETNS_SWITCH, &b->sw, &b->swfd);
	if (err)
		return err;
	n = cpus < 1 ? 1 : cpus > NS_THREADS_MAX ? NS_THREADS_MAX : (int)cpus;
	for (i = 0; i < n; i++) {
		struct ns_worker *w = &b->workers[i];

		w->b = b;
		w->first = i;
		w->stride = n;
		w->err = 0;
		if (pthread_create(&w->tid, NULL, lab_ns_worker, w)) {
			err = -EAGAIN;
			break;
		}
		b->nworkers++;
	}
	if (!b->nworkers) {
		log_errno(err, "cannot start a thread");
		return err;
	}
	/* Fewer threads than planned: stop them, then do the rest here. */
	if (b->nworkers < n) {
		struct ns_worker *w = &b->workers[0];

		log_warn("only %d of %d threads started", b->nworkers, n);
		__atomic_store_n(&b->ns_failed, 1, __ATOMIC_RELEASE);
		lab_join_namespaces(b);
		b->ns_failed = 0;
		w->first = 0;
		w->stride = 1;
		lab_ns_worker(w);
		return w->err;
	}
	return 0;
}

static int lab_join_namespaces(struct build *b)
{
	int i, err = 0;

	for (i = 0; i < b->nworkers; i++) {
		pthread_join(b->workers[i].tid, NULL);
		if (!err)
			err = b->workers[i].err;
	}
	b->nworkers = 0;
	return err;
}

static int lab_make_switch(struct build *b)
{
	const struct topo *t = b->t;
	char swname[16];
	int i, k, err;

	/* The switch carries only bridged IPv4; IPv6 on its ports would
	 * only flood every node with its own chatter.  Where br_netfilter
	 * is loaded, bridged frames would also go through the switch's
	 * (empty) IP hooks: a cost on every frame of the lab, and nothing
	 * there to apply.  These are the switch namespace's own settings. */
	err = netns_enter(b->swfd);
	if (!err)
		err = sysctl_set("net.ipv6.conf.default.disable_ipv6", "1");
	if (!err) {
		sysctl_set("net.bridge.bridge-nf-call-iptables", "0");
		sysctl_set("net.bridge.bridge-nf-call-ip6tables", "0");
		sysctl_set("net.bridge.bridge-nf-call-arptables", "0");
	}
	netns_leave();
	if (err) {
		log_errno(err, "switch: cannot disable IPv6");
		return err;
	}
	for (i = 0; i < t->nnets; i++) {
		err = link_add_bridge(&b->sw, t->nets[i].name, IF_FIRST + i);
		if (err) {
			log_errno(err, "switch: bridge %s%s", t->nets[i].name,
				  link_sock_why(&b->sw));
			return err;
		}
	}
	for (i = 0; i < t->nnodes; i++) {
		const struct topo_node *n = &t->nodes[i];

		err = lab_checkpoint(b);
		if (err)
			return err;
		for (k = 0; k < n->nifs; k++) {
			const struct topo_net *net = &t->nets[n->ifs[k].net];

			lab_sw_ifname(n, k, swname);
			err = link_add_veth(&b->sw, swname,
					    IF_FIRST + n->ifs[k].net, net->name,
					    b->nsfd[i], IF_FIRST + k);
			if (err) {
				log_errno(err, "node %s: veth %s/%s%s", n->name,
					  swname, net->name,
					  link_sock_why(&b->sw));
				return err;
			}
		}
	}
	return 0;
}

static int lab_node_links(struct build *b, int i)
{
	const struct topo_node *n = &b->t->nodes[i];
	struct link_sock *ls = &b->socks[i];
	const char *what = "lo";
	int k, err;

	err = link_set_up(ls, 1, 0);
	for (k = 0; !err && k < n->nifs; k++) {
		const struct topo_net *net = &b->t->nets[n->ifs[k].net];

		/* addr_gen_mode none before up: the interface gets no IPv6
		 * link-local address, so it sends no DAD, RS or MLD. */
		what = net->name;
		err = link_set_up(ls, IF_FIRST + k, 1);
		if (!err)
			err = link_add_addr(ls, IF_FIRST + k, n->ifs[k].addr,
					    net->prefix);
	}
	if (!err && n->via >= 0) {
		const struct topo_node *via = &b->t->nodes[n->via];
		int out = n->kind == TOPO_GATEWAY ? 1 : 0;

		what = "default route";
		err = link_add_default_route(ls, IF_FIRST + out,
					     via->ifs[0].addr);
	}
	/* A gateway that does not translate is a router: the nodes on its
	 * outside network reach its inside network through it. */
	for (k = 0; !err && k < b->t->nnodes; k++) {
		const struct topo_node *g = &b->t->nodes[k];
		const struct topo_net *in;
		int out = n->kind == TOPO_GATEWAY ? 1 : 0;

		if (g->kind != TOPO_GATEWAY || g == n ||
		    g->nat.mode != TOPO_NAT_NONE ||
		    g->ifs[1].net != n->ifs[out].net || n->via == k)
			continue;
		in = &b->t->nets[g->ifs[0].net];
		what = "route to a routed network";
		err = link_add_route(ls, IF_FIRST + out, in->addr, in->prefix,
				     g->ifs[1].addr);
	}
	if (err)
		log_errno(err, "node %s: %s%s", n->name, what,
			  link_sock_why(ls));
	return err;
}

static int lab_set_sysctl(const struct topo *t, const struct topo_node *n,
			  const char *prefix, const struct topo_kv *kv)
{
	char key[256];
	int err;

	snprintf(key, sizeof(key), "%s%s", prefix, kv->key);
	err = sysctl_set(key, kv->value);
	if (!err)
		return 0;
	fprintf(stderr, "%s:%d: node %s: cannot set %s = %s: %s\n", t->file,
		kv->line, n->name, key, kv->value,
		err == -ENOENT ? "no such setting in a network namespace"
			       : strerror(-err));
	/* The kernel refused what the file asked for: bad input. */
	return -EINVAL;
}

/* The topology's masquerade flags are the rule builder's. */
_Static_assert(TOPO_NAT_RANDOM == NFT_MASQ_RANDOM &&
		       TOPO_NAT_FULLY_RANDOM == NFT_MASQ_FULLY_RANDOM &&
		       TOPO_NAT_PERSISTENT == NFT_MASQ_PERSISTENT,
	       "masquerade flags");

static int lab_gateway_nat(struct build *b, const struct topo_node *n)
{
	const struct topo_net *out = &b->t->nets[n->ifs[1].net];
	const struct nft_masq masq = {
		.flags = n->nat.flags,
		.port_min = n->nat.port_min,
		.port_max = n->nat.port_max,
	};
	struct nft_batch *nb;
	char why[512];
	int err;

	if (n->nat.mode == TOPO_NAT_NONE)
		return 0;
	nb = nft_batch_new();
	if (!nb)
		return -ENOMEM;
	err = nft_masquerade(nb, &masq, out->name);
	if (!err && n->nat.mode == TOPO_NAT_RFC) {
		const struct topo_net *in = &b->t->nets[n->ifs[0].net];
		struct nft_fullcone fc = {
			.inside_if = in->name,
			.outside_if = out->name,
			.ext_addr = n->ifs[1].addr,
			.in_net = in->addr,
			.in_mask = in->prefix ? ~0u << (32 - in->prefix) : 0,
			.drop_unsolicited = 1,
			/* the keeper holds them 6 s, then answers */
			.log_group = SYNHOLD_GROUP,
		};

		err = nft_fullcone(nb, &fc);
	}
	if (!err)
		err = nft_batch_send(nb, NULL, why, sizeof(why));
	if (err)
		fprintf(stderr, "%s:%d: gateway %s: nat: %s\n", b->t->file,
			n->nat.line ? n->nat.line : n->line, n->name,
			err == -ENOMEM ? strerror(ENOMEM) : why);
	nft_batch_free(nb);
	return err;
}

static int lab_node_settings(struct build *b, int i)
{
	const struct topo_node *n = &b->t->nodes[i];
	int k, err;

	err = netns_enter(b->nsfd[i]);
	if (err)
		return err;
	if (n->kind == TOPO_GATEWAY) {
		err = sysctl_set("net.ipv4.ip_forward", "1");
		if (err)
			log_errno(err, "gateway %s: ip_forward", n->name);
		if (!err)
			err = lab_gateway_nat(b, n);
		for (k = 0; !err && k < n->nconntrack; k++)
			err = lab_set_sysctl(b->t, n,
					     "net.netfilter.nf_conntrack_",
					     &n->conntrack[k]);
	}
	/* A host clock needs the kernel's own clock without per-connection
	 * offsets (tcp_timestamps = 2, Linux >= 4.10); explicit sysctls
	 * come after and win. */
	if (!err && n->kind == TOPO_CLIENT && n->clock.mode != TOPO_TS_KERNEL) {
		err = sysctl_set("net.ipv4.tcp_timestamps",
				 n->clock.mode == TOPO_TS_HOST ? "2" : "0");
		if (err)
			fprintf(stderr,
				"%s:%d: client %s: tsclock = %s needs "
				"tcp_timestamps = %s: %s\n",
				b->t->file, n->clock.line, n->name,
				topo_tsclock_name(n->clock.mode),
				n->clock.mode == TOPO_TS_HOST ? "2" : "0",
				strerror(-err));
	}
	for (k = 0; !err && k < n->nsysctls; k++)
		err = lab_set_sysctl(b->t, n, "", &n->sysctls[k]);
	netns_leave();
	return err;
}

static int lab_configure_nodes(struct build *b)
{
	int i, err;

	for (i = 0; i < b->t->nnodes; i++) {
		err = lab_checkpoint(b);
		if (err)
			return err;
		err = lab_node_links(b, i);
		if (err)
			return err;
		if (b->t->nodes[i].kind == TOPO_GATEWAY ||
		    b->t->nodes[i].nsysctls ||
		    b->t->nodes[i].clock.mode != TOPO_TS_KERNEL) {
			err = lab_node_settings(b, i);
			if (err)
				return err;
		}
	}
	return 0;
}

/*
 * A link whose carrier just came up is not usable at once: the kernel
 * applies the change (and attaches the link's queueing discipline) from
 * its linkwatch work, up to a second later, and drops what is sent
 * before.  Wait until every link of the lab is running, so that the
 * first packets of a run are not lost to it.
 */
static int lab_wait_running(struct build *b)
{
	uint64_t deadline = util_now_ns() + 3000000000ull;
	struct link_info li[8];
	int i, k, n, pending = 1;

	while (pending && util_now_ns() < deadline) {
		pending = 0;
		for (i = -1; i < b->t->nnodes && !pending; i++) {
			struct link_sock *ls = i < 0 ? &b->sw : &b->socks[i];
			struct link_info *all = li;
			int max = 8;

			if (i < 0) { /* the switch: a port per interface */
				max = 2 * b->t->nnodes + b->t->nnets + 8;
				all = xcalloc(max, sizeof(*all));
			}
			n = link_list(ls, all, max);
			for (k = 0; k < n; k++)
				if (all[k].up && !all[k].running)
					pending = 1;
			if (all != li)
				free(all);
		}
		if (pending)
			usleep(20000);
		if (util_stop)
			return -EINTR;
	}
	if (pending)
		log_warn("lab %s: some links were still not running after 3 s",
			 b->t->name);
	return 0;
}

static void lab_build_close(struct build *b)
{
	int i;

	link_sock_close(&b->sw);
	if (b->swfd >= 0)
		close(b->swfd);
	for (i = 0; i < b->t->nnodes; i++) {
		link_sock_close(&b->socks[i]);
		if (b->nsfd[i] >= 0)
			close(b->nsfd[i]);
	}
	free(b->socks);
	free(b->nsfd);
	free(b->workers);
}

int lab_up(const struct topo *t, const char *topo)
{
	uint64_t t0, t1, t2;
	struct build b;
	int i, err;

	if (geteuid() != 0) {
		log_err("natlab up needs root (network namespaces)");
		return -EPERM;
	}
	memset(&b, 0, sizeof(b));
	b.t = t;
	b.swfd = -1;
	b.st.fd = -1;
	b.nsfd = xcalloc(t->nnodes, sizeof(int));
	b.socks = xcalloc(t->nnodes, sizeof(*b.socks));
	b.workers = xcalloc(NS_THREADS_MAX, sizeof(*b.workers));
	for (i = 0; i < t->nnodes; i++)
		b.nsfd[i] = -1;
	util_catch_signals();
	lab_raise_nofile(2 * t->nnodes + 64);

	b.lockfd = state_lock(t->name);
	if (b.lockfd < 0) {
		err = b.lockfd;
		if (err == -EBUSY)
			log_err("lab %s is being changed by another natlab",
				t->name);
		else
			log_errno(err, "lab %s: lock", t->name);
		goto out_free;
	}
	err = netns_init();
	if (err) {
		log_errno(err, "cannot prepare %s", NETNS_RUN_DIR);
		goto out_unlock;
	}
	err = lab_check_clash(t);
	if (err)
		goto out_unlock;
	err = state_create(&b.st, t->name, topo);
	if (err) {
		if (err == -EEXIST)
			log_err("lab %s already exists (natlab down %s)",
				t->name, t->name);
		else
			log_errno(err, "lab %s: state file", t->name);
		goto out_unlock;
	}
	err = lab_record_nodes(&b);
	if (!err)
		err = state_append(&b.st, "phase building");
	t0 = util_now_ns();
	if (!err)
		err = lab_start_namespaces(&b);
	if (b.nworkers) {
		int e = lab_join_namespaces(&b);

		if (!err)
			err = e;
	}
	t1 = util_now_ns();
	if (!err)
		err = lab_make_switch(&b);
	t2 = util_now_ns();
	if (!err)
		err = lab_configure_nodes(&b);
	if (!err)
		err = lab_wait_running(&b);
	log_info("build: namespaces %.3f s, links %.3f s, configuration "
		 "%.3f s",
		 (t1 - t0) / 1e9, (t2 - t1) / 1e9, (util_now_ns() - t2) / 1e9);
	if (!err && topo_needs_engine(t)) {
		err = lab_checkpoint(&b);
		if (!err)
			err = lab_spawn(&b, "packet engine", "engine",
					engine_run);
	}
	if (!err && topo_needs_keeper(t)) {
		err = lab_checkpoint(&b);
		if (!err)
			err = lab_spawn(&b, "full-cone keeper", "keeper",
					keeper_run);
	}
	if (!err)
		err = lab_checkpoint(&b);
	if (!err)
		err = state_append(&b.st, "phase up");
	if (err) {
		struct state s;

		if (err == -EINTR)
			log_err("interrupted: removing lab %s", t->name);
		/* Read back what the file says was made, exactly as clean
		 * would after a crash. */
		lab_build_close(&b);
		b.socks = NULL;
		b.nsfd = NULL;
		if (state_load(&s, t->name) == 0) {
			lab_teardown(&s);
			state_free(&s);
		} else {
			state_remove(t->name);
		}
		state_free(&b.st);
		state_unlock(t->name, b.lockfd, 1);
		return err;
	}
	state_free(&b.st);
out_unlock:
	state_unlock(t->name, b.lockfd, err != 0);
out_free:
	if (b.nsfd)
		lab_build_close(&b);
	return err;
}

/* ---- background processes of the lab: the engine, the keepers ---- */

/*
 * The engine (and the full-cone keepers) run as a child that outlives
 * "natlab up": it reports on a pipe once it works (every queue bound,
 * every keeper listening; so that up returns only when the lab works),
 * and is recorded in the state file so that down, clean and status find
 * it.  It must not keep the lab's lock or state file open.  Both write
 * to the lab's log.
 */
static int lab_spawn(struct build *b, const char *role, const char *word,
		     int (*run)(const struct topo *, int))
{
	char log[PATH_MAX], msg[256] = "";
	int pfd[2], fd, status, err;
	ssize_t n, got = 0;
	pid_t pid;

	if (pipe2(pfd, O_CLOEXEC) < 0)
		return -errno;
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		close(pfd[0]);
		close(pfd[1]);
		return -errno;
	}
	if (pid == 0) {
		close(pfd[0]);
		close(b->lockfd);
		close(b->st.fd);
		setsid();
		statfile_path(b->t->name, "log", log, sizeof(log));
		fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
		if (fd >= 0) {
			dup2(fd, STDOUT_FILENO);
			dup2(fd, STDERR_FILENO);
			close(fd);
		}
		fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
		if (fd >= 0) {
			dup2(fd, STDIN_FILENO);
			close(fd);
		}
		_exit(run(b->t, pfd[1]) ? 3 : 0);
	}
	close(pfd[1]);
	/* Recorded before it is waited for: if this process dies now, the
	 * rollback or clean still finds the child. */
	err = state_append(&b->st, "pid %d %llu %s", (int)pid,
			   state_proc_start(pid), word);
	while (!err &&
	       (n = read(pfd[0], msg + got, sizeof(msg) - 1 - (size_t)got)) > 0)
		got += n;
	close(pfd[0]);
	msg[got] = '\0';
	if (err || strcmp(msg, "ok\n")) {
		if (!err)
			log_err("%s: %s", role, msg[0] ? msg : "died at start");
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		return err ? err : -EIO;
	}
	return 0;
}

/* ---- down, clean ---- */

int lab_down(const char *lab)
{
	struct state s;
	int lockfd, err;

	if (!topo_valid_lab_name(lab)) {
		log_err("'%s' is not a lab name", lab);
		return -EINVAL;
	}
	lockfd = state_lock(lab);
	if (lockfd == -EBUSY) {
		log_err("lab %s is being changed by another natlab", lab);
		return lockfd;
	}
	if (lockfd < 0) {
		log_errno(lockfd, "lab %s: lock", lab);
		return lockfd;
	}
	err = state_load(&s, lab);
	if (err == -ENOENT) {
		state_unlock(lab, lockfd, 1);
		return 0; /* nothing to do: down is idempotent */
	}
	if (err) {
		log_errno(err, "lab %s: unreadable state file", lab);
		state_unlock(lab, lockfd, 0);
		return err;
	}
	if (strcmp(s.phase, "up") && s.owner != getpid() &&
	    state_proc_alive(s.owner, s.owner_start)) {
		log_err("lab %s is %s by natlab pid %d", lab, s.phase,
			(int)s.owner);
		state_free(&s);
		state_unlock(lab, lockfd, 0);
		return -EBUSY;
	}
	err = lab_teardown(&s);
	state_free(&s);
	state_unlock(lab, lockfd, err == 0);
	return err;
}

int lab_mark_running(const char *lab)
{
	struct state s;
	int err;

	err = state_open(&s, lab);
	if (!err)
		err = state_append(&s, "owner %d %llu\nphase running",
				   (int)getpid(), state_proc_start(getpid()));
	state_free(&s);
	return err;
}

int lab_clean(void)
{
	char **labs;
	int n, i, cleaned = 0, err = 0;

	n = state_list(&labs);
	if (n < 0)
		return n;
	for (i = 0; i < n; i++) {
		struct state s;
		int lockfd, e;

		lockfd = state_lock(labs[i]);
		if (lockfd < 0)
			continue; /* a live natlab is handling it */
		e = state_load(&s, labs[i]);
		if (e) {
			state_unlock(labs[i], lockfd, 0);
			continue;
		}
		if (!strcmp(s.phase, "up") ||
		    state_proc_alive(s.owner, s.owner_start)) {
			state_free(&s);
			state_unlock(labs[i], lockfd, 0);
			continue;
		}
		printf("cleaning lab %s (%s when natlab pid %d died)\n",
		       labs[i], s.phase, (int)s.owner);
		e = lab_teardown(&s);
		state_free(&s);
		state_unlock(labs[i], lockfd, e == 0);
		if (e)
			err = e;
		else
			cleaned++;
	}
	state_list_free(labs, n);
	return err ? err : cleaned;
}

int lab_only(char *name, size_t len)
{
	char **labs;
	int n, i;

	n = state_list(&labs);
	if (n < 0)
		return n;
	if (n == 1)
		snprintf(name, len, "%s", labs[0]);
	if (n > 1) {
		log_err("several labs exist; name one:");
		for (i = 0; i < n; i++)
			fprintf(stderr, "  %s\n", labs[i]);
	}
	state_list_free(labs, n);
	return n == 1 ? 0 : n ? -EEXIST : -ENOENT;
}
