/* lab.c - bringing a lab up: the build in order, its background
 * processes, and its rollback. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/engine.h"
#include "engine/keeper.h"
#include "lab/lab.h"
#include "lab/lab_int.h"
#include "lab/state.h"
#include "lib/link.h"
#include "lib/log.h"
#include "lib/netns.h"
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
 * to, the namespace natlab was started from.  The build steps are in
 * labbuild.c; this file runs them in order, between checkpoints, then
 * starts the lab's background processes.
 *
 * The state file (state.c) is written before anything exists and gets a
 * line per namespace as soon as it exists; teardown (labdown.c) removes
 * exactly the namespaces the file names, and only while they are still
 * the same namespace objects (nsfs inode), so that down, a failed up, an
 * interrupted up and clean after kill -9 all share one path and none of
 * them can remove what another lab or the user made.
 */

int lab_fail_after;

int lab_checkpoint(struct build *b)
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

/* A build keeps an rtnetlink socket open per node, and the engine two
 * tcx links per client with a clock (engine/tsbpf.c): raise the limit on
 * open files to what the larger needs.  Return: 0 or -EMFILE (logged). */
static int lab_raise_nofile(const struct topo *t)
{
	rlim_t need = (rlim_t)t->nnodes, clocks = 0, had;
	int i, nodes = t->nnodes;
	struct rlimit rl;

	for (i = 0; i < t->nnodes; i++)
		clocks += t->nodes[i].clock.mode != TOPO_TS_KERNEL;
	if (2 * clocks > need)
		need = 2 * clocks;
	need += 256;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur >= need)
		return 0;
	/* root may raise its own hard limit (CAP_SYS_RESOURCE), up to
	 * fs.nr_open: a limit of this process, not a setting of the host */
	had = rl.rlim_max;
	rl.rlim_cur = need;
	if (rl.rlim_max < need)
		rl.rlim_max = need;
	if (setrlimit(RLIMIT_NOFILE, &rl) == 0)
		return 0;
	log_err("a lab of %d nodes, %lu with a clock, needs %lu open files, "
		"and the hard limit is %lu: raise it (ulimit -Hn) before "
		"natlab up",
		nodes, (unsigned long)clocks, (unsigned long)need,
		(unsigned long)had);
	return -EMFILE;
}

static void lab_build_close(struct build *b);

/*
 * The conntrack table's limit is the host's: net.netfilter.nf_conntrack_max
 * is read-only in every other namespace (nf_conntrack_standalone.c), and
 * natlab never changes the host.  Each gateway keeps an entry per
 * connection for as long as conntrack's TIME_WAIT (120 s by default), so
 * a run that plans more connections than the limit may see the NAT drop
 * new ones (conntrack insert failures): say so before building.
 */
static void lab_warn_conntrack(const struct topo *t)
{
	unsigned long long conns = 0, max;
	char buf[32];
	int i;

	for (i = 0; i < t->nnodes; i++)
		if (t->nodes[i].kind == TOPO_CLIENT)
			conns += t->nodes[i].load.conns;
	if (sysctl_get("net.netfilter.nf_conntrack_max", buf, sizeof(buf)))
		return;
	max = strtoull(buf, NULL, 10);
	if (max && conns > max)
		log_warn(
			"the traffic plans %llu connections and the host's "
			"net.netfilter.nf_conntrack_max is %llu (read-only "
			"inside a lab): a gateway may drop new connections "
			"once its table is full; raise it on the host to avoid "
			"that",
			conns, max);
}

/*
 * A lab of this name that already has a state file: up, being built or
 * run by a live natlab, or left by one that died.  Each says what to do.
 * Return: 0 if there is none, -EEXIST (up or crashed), -EBUSY (in use).
 */
static int lab_check_existing(const struct topo *t)
{
	const char *lab = t->name;
	struct state s;
	int err;

	err = state_load(&s, lab);
	if (err == -ENOENT)
		return 0;
	if (err) {
		log_errno(err,
			  "lab %s: its state file cannot be read (natlab "
			  "clean removes what a crashed lab left)",
			  lab);
		return -EEXIST;
	}
	if (!strcmp(s.phase, "up")) {
		log_err("lab %s is already up (natlab status %s): take it "
			"down with natlab down %s, or give this one another "
			"name with -n NAME",
			lab, lab, lab);
		err = -EEXIST;
	} else if (state_proc_alive(s.owner, s.owner_start)) {
		log_err("lab %s is being %s by natlab pid %d: wait for it, or "
			"give this one another name with -n NAME",
			lab, strcmp(s.phase, "running") ? "built" : "run",
			(int)s.owner);
		err = -EBUSY;
	} else {
		log_err("lab %s was left behind by natlab pid %d, which died "
			"while the lab was %s: natlab clean removes it",
			lab, (int)s.owner, s.phase);
		err = -EEXIST;
	}
	state_free(&s);
	return err;
}

/* A namespace with one of the lab's names that exists before the build,
 * when the lab has no state file, was made by something else: refuse
 * before anything is made. */
static int lab_check_clash(const struct topo *t)
{
	char name[NETNS_NAME_MAX];
	int i;

	for (i = -1; i < t->nnodes; i++) {
		netns_name(t->name, i < 0 ? NETNS_SWITCH : t->nodes[i].name,
			   name, sizeof(name));
		if (!netns_exists(name))
			continue;
		log_err("namespace %s already exists and belongs to no natlab "
			"lab (ip netns list shows it): give the lab another "
			"name with -n NAME, or remove the namespace with ip "
			"netns del %s if it is yours to remove",
			name, name);
		return -EEXIST;
	}
	return 0;
}

/* The nodes and their addresses, as status shows them, recorded before
 * anything is made. */
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
		lab_build_close(b); /* the nodes' sockets: not the child's */
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

/* ---- up ---- */

/* A build with nothing made yet: every descriptor -1. */
static void lab_build_init(struct build *b, const struct topo *t)
{
	int i;

	memset(b, 0, sizeof(*b));
	b->t = t;
	b->lockfd = -1;
	b->swfd = -1;
	b->st.fd = -1;
	b->nsfd = xcalloc(t->nnodes, sizeof(int));
	b->socks = xcalloc(t->nnodes, sizeof(*b->socks));
	for (i = 0; i < t->nnodes; i++)
		b->nsfd[i] = -1;
}

/* Close the build's descriptors and sockets and free its arrays; the
 * namespaces stay.  Idempotent. */
static void lab_build_close(struct build *b)
{
	int i;

	link_sock_close(&b->sw);
	if (b->swfd >= 0)
		close(b->swfd);
	b->swfd = -1;
	for (i = 0; b->nsfd && i < b->t->nnodes; i++) {
		link_sock_close(&b->socks[i]);
		if (b->nsfd[i] >= 0)
			close(b->nsfd[i]);
	}
	free(b->socks);
	free(b->nsfd);
	b->socks = NULL;
	b->nsfd = NULL;
}

/* Take the lab's lock, so that no other natlab changes it meanwhile. */
static int lab_lock(struct build *b)
{
	b->lockfd = state_lock(b->t->name);
	if (b->lockfd >= 0)
		return 0;
	if (b->lockfd == -EBUSY)
		log_err("lab %s is being changed by another natlab right "
			"now: wait for it, or give this one another name with "
			"-n NAME",
			b->t->name);
	else
		log_errno(b->lockfd, "lab %s: lock", b->t->name);
	return b->lockfd;
}

/* Check that none of the lab's names is taken, then start its state
 * file: from here on, whatever is made is recorded. */
static int lab_begin(struct build *b, const char *topo)
{
	const struct topo *t = b->t;
	int err;

	err = netns_init();
	if (err) {
		log_errno(err, "cannot prepare %s", NETNS_RUN_DIR);
		return err;
	}
	err = lab_check_existing(t);
	if (!err)
		err = lab_check_clash(t);
	if (err)
		return err;
	err = state_create(&b->st, t->name, topo);
	if (err == -EEXIST)
		log_err("lab %s already exists (natlab down %s)", t->name,
			t->name);
	else if (err)
		log_errno(err, "lab %s: state file", t->name);
	return err;
}

/* Start a background process the lab needs, after a checkpoint. */
static int lab_start(struct build *b, const char *role, const char *word,
		     int (*run)(const struct topo *, int))
{
	int err = lab_checkpoint(b);

	return err ? err : lab_spawn(b, role, word, run);
}

/* The build steps in order, timed, then the background processes; the
 * lab is up once the state file says so. */
static int lab_build(struct build *b)
{
	const struct topo *t = b->t;
	uint64_t t0, t1, t2, t3;
	int err;

	err = lab_record_nodes(b);
	if (!err)
		err = state_append(&b->st, "phase building");
	t0 = util_now_ns();
	if (!err)
		err = lab_build_namespaces(b);
	t1 = util_now_ns();
	if (!err)
		err = lab_build_switch(b);
	t2 = util_now_ns();
	if (!err)
		err = lab_build_nodes(b);
	t3 = util_now_ns();
	if (!err)
		err = lab_build_wait(b);
	log_info("build: namespaces %.3f s, links %.3f s, configuration "
		 "%.3f s, links running %.3f s",
		 (t1 - t0) / 1e9, (t2 - t1) / 1e9, (t3 - t2) / 1e9,
		 (util_now_ns() - t3) / 1e9);
	if (!err && topo_needs_engine(t))
		err = lab_start(b, "packet engine", "engine", engine_run);
	if (!err && topo_needs_keeper(t))
		err = lab_start(b, "full-cone keeper", "keeper", keeper_run);
	if (!err)
		err = lab_checkpoint(b);
	if (!err)
		err = state_append(&b->st, "phase up");
	return err;
}

/* Remove everything a failed build made.  Read back what the file says
 * was made, exactly as clean would after a crash. */
static void lab_rollback(struct build *b, int err)
{
	const char *lab = b->t->name;
	struct state s;

	if (err == -EINTR)
		log_err("interrupted: removing lab %s", lab);
	lab_build_close(b);
	if (state_load(&s, lab) == 0) {
		lab_teardown(&s);
		state_free(&s);
	} else {
		state_remove(lab);
	}
}

int lab_up(const struct topo *t, const char *topo)
{
	struct build b;
	int err;

	if (geteuid() != 0) {
		log_err("natlab up needs root (network namespaces)");
		return -EPERM;
	}
	lab_build_init(&b, t);
	util_catch_signals();
	err = lab_raise_nofile(t);
	if (err)
		goto out_close;
	lab_warn_conntrack(t);
	err = lab_lock(&b);
	if (err)
		goto out_close;
	err = lab_begin(&b, topo);
	if (err)
		goto out_unlock;
	err = lab_build(&b);
	if (err)
		lab_rollback(&b, err);
out_unlock:
	state_free(&b.st);
	/* The lock file goes with a lab that failed, and stays with one
	 * that is up. */
	state_unlock(t->name, b.lockfd, err != 0);
out_close:
	lab_build_close(&b);
	return err;
}

/* ---- a lab in use ---- */

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
