/* labview.c - looking into labs: status, exec, and which lab a command
 * given none means. */
#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
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

/* ---- status ---- */

/* A balancer's connections per server: "; connections s1 3, s2 2". */
static void lab_status_balancer(const char *lab, const char *node)
{
	struct nftlb_count c[NFTLB_SERVERS_MAX];
	int i, n = lab_balancer_counts(lab, node, c, NFTLB_SERVERS_MAX);

	for (i = 0; i < n; i++)
		printf("%s %s %llu", i ? "," : "; connections", c[i].name,
		       (unsigned long long)c[i].conns);
}

static void lab_status_node(const char *lab, const char *node_line)
{
	char node[64], kind[16], ns[128], buf[64], a[16];
	struct link_info li[8];
	struct link_sock ls;
	int fd, n, k, err;

	if (sscanf(node_line, "%63s %15s", node, kind) != 2)
		return;
	netns_name(lab, node, ns, sizeof(ns));
	printf("%-12s %-8s ", node, kind);
	fd = netns_open(ns);
	if (fd < 0) {
		printf("namespace %s MISSING\n", ns);
		return;
	}
	err = netns_enter(fd);
	if (!err)
		err = link_sock_open(&ls);
	if (err) {
		netns_leave();
		close(fd);
		printf("(cannot inspect: %s)\n", strerror(-err));
		return;
	}
	n = link_list(&ls, li, 8);
	buf[0] = '\0';
	if ((!strcmp(kind, "gateway") || !strcmp(kind, "balancer")) &&
	    sysctl_get("net.netfilter.nf_conntrack_count", buf, sizeof(buf)))
		buf[0] = '\0';
	netns_leave();
	link_sock_close(&ls);
	close(fd);
	for (k = 0; k < n; k++) {
		char ad[24];

		if (li[k].addr)
			snprintf(ad, sizeof(ad), "%s/%d",
				 util_ipv4_str(li[k].addr, a), li[k].prefix);
		else
			snprintf(ad, sizeof(ad), "-");
		printf("%s%s %s %s rx %llu tx %llu", k ? ", " : "", li[k].name,
		       ad,
		       !li[k].up       ? "DOWN"
		       : li[k].carrier ? "up"
				       : "NO-CARRIER",
		       li[k].rx_packets, li[k].tx_packets);
	}
	if (buf[0])
		printf("; conntrack entries %s", buf);
	if (!strcmp(kind, "balancer"))
		lab_status_balancer(lab, node);
	printf("\n");
}

/* Value of "key N" in a stats line, 0 if absent. */
static unsigned long long stat_get(const char *line, const char *key)
{
	char buf[32];

	statfile_field(line, key, buf, sizeof(buf));
	return strtoull(buf, NULL, 10);
}

/* A background process and its counters, from the file it rewrites
 * every second: its own line first ("engine pid ... queue xt-NFQUEUE"),
 * then one line per node. */
static void lab_status_counters(const char *title, const struct state_pid *p,
				const char *path, const char *const *keys,
				size_t nkeys)
{
	char *line = NULL, name[64], queue[32], clocks[32];
	size_t cap = 0, k;
	int first = 1;
	FILE *f;

	printf("\n%s: pid %d, %s", title, (int)p->pid,
	       state_proc_alive(p->pid, p->start) ? "running" : "DEAD");
	f = fopen(path, "re");
	if (!f) {
		printf(", no counters yet\n");
		return;
	}
	while (getline(&line, &cap, f) > 0) {
		if (first) {
			first = 0;
			statfile_field(line, "queue", queue, sizeof(queue));
			if (queue[0])
				printf(", queue via %s", queue);
			statfile_field(line, "clock_path", clocks,
				       sizeof(clocks));
			if (clocks[0] && strcmp(clocks, "-"))
				printf(", clocks via %s", clocks);
			printf("\n%-12s", "NODE");
			for (k = 0; k < nkeys; k++)
				printf(" %12s", keys[k]);
			printf("\n");
			continue;
		}
		if (sscanf(line, "node %63s", name) != 1)
			continue;
		printf("%-12s", name);
		for (k = 0; k < nkeys; k++)
			printf(" %12llu", stat_get(line, keys[k]));
		printf("\n");
	}
	if (first)
		printf("\n");
	free(line);
	fclose(f);
}

static void lab_status_procs(const struct state *s)
{
	static const char *const engine_keys[] = {
		"seen",	       "rewritten", "paws_drops", "tw_shortened",
		"fault_drops", "delayed",   "overruns",	  "queue_drops",
	};
	static const char *const keeper_keys[] = {
		"events", "mappings", "conflicts", "lost",
		"active", "held",     "icmp_sent", "punched",
	};
	char path[PATH_MAX];
	int i;

	for (i = 0; i < s->npids; i++) {
		if (!strcmp(s->pids[i].role, "engine")) {
			statfile_path(s->lab, "engine", path, sizeof(path));
			lab_status_counters("engine", &s->pids[i], path,
					    engine_keys,
					    ARRAY_SIZE(engine_keys));
		} else if (!strcmp(s->pids[i].role, "keeper")) {
			statfile_path(s->lab, "keeper", path, sizeof(path));
			lab_status_counters("full-cone keeper", &s->pids[i],
					    path, keeper_keys,
					    ARRAY_SIZE(keeper_keys));
		}
	}
}

/* Load the state of a lab a command names; say so if there is none.
 * Return: 0, -ENOENT (no such lab) or another -errno. */
static int lab_load_named(struct state *s, const char *lab)
{
	int err = state_load(s, lab);

	if (err == -ENOENT)
		log_err("no lab named %s (natlab status lists the labs)", lab);
	else if (err)
		log_errno(err, "lab %s: unreadable state file", lab);
	return err;
}

static int lab_status_one(const char *lab)
{
	struct state s;
	int err, i, present, procs;
	unsigned long *inos;
	pid_t *pids;

	err = lab_load_named(&s, lab);
	if (err)
		return err;
	present = lab_ns_present(&s, &inos);
	procs = lab_find_procs(inos, present, &pids);
	free(pids);
	free(inos);
	printf("lab %s: %s, %d nodes, %d/%d namespaces present, "
	       "%d processes inside\n",
	       s.lab, s.phase, s.nnodes, present, s.nns, procs < 0 ? 0 : procs);
	printf("topology %s\n", s.topo ? s.topo : "?");
	if (strcmp(s.phase, "up") && !state_proc_alive(s.owner, s.owner_start))
		printf("crashed: natlab pid %d died while the lab was %s "
		       "(natlab clean)\n",
		       (int)s.owner, s.phase);
	printf("%-12s %-8s %s\n", "NODE", "KIND", "INTERFACES");
	for (i = 0; i < s.nnodes; i++)
		lab_status_node(s.lab, s.nodes[i]);
	lab_status_procs(&s);
	state_free(&s);
	return 0;
}

int lab_status(const char *lab)
{
	char **labs;
	int n, i;

	if (lab)
		return lab_status_one(lab);
	n = state_list(&labs);
	if (n < 0)
		return n;
	if (!n)
		printf("no labs\n");
	for (i = 0; i < n; i++) {
		struct state s;

		if (state_load(&s, labs[i]))
			continue;
		printf("%-24s %-9s %5d nodes  %s%s\n", s.lab, s.phase, s.nnodes,
		       s.topo ? s.topo : "?",
		       strcmp(s.phase, "up") &&
				       !state_proc_alive(s.owner, s.owner_start)
			       ? "  (crashed)"
			       : "");
		state_free(&s);
	}
	state_list_free(labs, n);
	return 0;
}

int lab_names(const char *lab)
{
	size_t plen = lab ? strlen(lab) : 0;
	struct state s;
	char **labs;
	int n, i, err;

	if (!lab) {
		n = state_list(&labs);
		if (n < 0)
			return n;
		for (i = 0; i < n; i++)
			printf("%s\n", labs[i]);
		state_list_free(labs, n);
		return 0;
	}
	err = state_load(&s, lab);
	if (err == -ENOENT)
		log_err("no lab named %s", lab);
	if (err)
		return err;
	/* The namespaces made, as exec names them: LAB-NODE, the switch's
	 * too; a clash was somebody else's. */
	for (i = 0; i < s.nns; i++)
		if (s.ns[i].ino && !strncmp(s.ns[i].name, lab, plen) &&
		    s.ns[i].name[plen] == '-')
			printf("%s\n", s.ns[i].name + plen + 1);
	state_free(&s);
	return 0;
}

/* ---- exec ---- */

/* How many of a lab's nodes an error names. */
#define LAB_NODES_NAMED 8

/* The lab exists and has the node; if not, say which nodes it has.
 * Return: 0, -ENOENT or another -errno. */
static int lab_node_check(const char *lab, const char *node)
{
	size_t len = strlen(node), off = 0;
	char names[LAB_NODES_NAMED * (TOPO_NODE_MAX + 2) + 1] = "";
	struct state s;
	int err, i;

	err = lab_load_named(&s, lab);
	if (err)
		return err;
	err = -ENOENT;
	for (i = 0; i < s.nnodes; i++) {
		if (!strncmp(s.nodes[i], node, len) && s.nodes[i][len] == ' ')
			err = 0;
		if (i < LAB_NODES_NAMED)
			off += (size_t)snprintf(
				names + off, sizeof(names) - off, "%s%.*s",
				i ? ", " : "", (int)strcspn(s.nodes[i], " "),
				s.nodes[i]);
	}
	if (err)
		log_err("lab %s has no node %s; its nodes: %s%s", lab, node,
			names, s.nnodes > LAB_NODES_NAMED ? ", ..." : "");
	state_free(&s);
	return err;
}

int lab_exec(const char *lab, const char *node, char **argv)
{
	char ns[NETNS_NAME_MAX];
	int fd, err;

	if (!topo_valid_lab_name(lab)) {
		log_err("'%s' is not a lab name", lab);
		return -EINVAL;
	}
	err = lab_node_check(lab, node);
	if (err)
		return err;
	netns_name(lab, node, ns, sizeof(ns));
	fd = netns_open(ns);
	if (fd < 0) {
		log_errno(fd,
			  "lab %s: node %s has no namespace %s (natlab "
			  "status %s)",
			  lab, node, ns, lab);
		return fd;
	}
	if (setns(fd, CLONE_NEWNET) < 0) {
		err = -errno;
		log_errno(err, "cannot enter %s", ns);
		close(fd);
		return err;
	}
	close(fd);
	/*
	 * As "ip netns exec" does: a private mount namespace with /sys
	 * remounted, so that /sys/class/net shows the node's interfaces
	 * rather than the host's.
	 */
	if (unshare(CLONE_NEWNS) == 0 &&
	    mount("", "/", "none", MS_SLAVE | MS_REC, NULL) == 0) {
		umount2("/sys", MNT_DETACH);
		mount(ns, "/sys", "sysfs", 0, NULL);
	}
	execvp(argv[0], argv);
	err = -errno;
	log_errno(err, "cannot run %s in lab %s's node %s", argv[0], lab, node);
	return err;
}

/* ---- which lab ---- */

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
