/* lab_int.h - what the lab files share: the build under way (lab.c and
 * labbuild.c), teardown (labdown.c) and processes in namespaces. */
#ifndef NATLAB_LAB_INT_H
#define NATLAB_LAB_INT_H

#include <stddef.h>
#include <sys/types.h>

#include "lab/state.h"
#include "lib/link.h"
#include "topo/topo.h"

/* ---- a build under way: lab.c runs it, labbuild.c has its steps ---- */

struct ns_worker; /* a namespace-making thread, labbuild.c */

#define LAB_NS_MADE (-2) /* build.nsfd[i]: made, descriptor closed */

/* What lab_up() has made so far, and what it needs to go on. */
struct build {
	const struct topo *t;
	struct state st; /* the state file, open for appending */
	int lockfd;
	int swfd;		 /* the switch's namespace */
	struct link_sock sw;	 /* its rtnetlink socket */
	int *nsfd;		 /* per node: -1 until made, then LAB_NS_MADE */
	struct link_sock *socks; /* per node */
	int step;		 /* for lab_fail_after */
	int ns_failed;		 /* a namespace worker failed: all stop */
	struct ns_worker *workers;
	int nworkers;
	int *routers; /* gateways with nat = none (lab_build_nodes()) */
	int nrouters;
};

/**
 * lab_checkpoint() - the point between two build steps
 * @b: the build
 *
 * Safe from the namespace threads.
 * Return: 0; -EINTR once SIGINT, SIGTERM or SIGHUP came (util_stop);
 * -ECANCELED (logged) at the step lab_fail_after names.
 */
int lab_checkpoint(struct build *b);

/**
 * lab_build_namespaces() - make the switch's and every node's namespace
 * @b: the build; b->nsfd (LAB_NS_MADE: the descriptors are not kept),
 *     b->socks, b->swfd and b->sw are filled in
 *
 * Each namespace is recorded in the state file before and after it is
 * made, and gets an rtnetlink socket opened inside it.
 * Return: 0 or -errno (logged); what was made stays for the rollback.
 */
int lab_build_namespaces(struct build *b);

/**
 * lab_build_switch() - the switch's settings, a bridge per network and
 * a veth pair per interface of every node
 * @b: the build, its namespaces made
 *
 * Return: 0 or -errno (logged with the link and the kernel's reason).
 */
int lab_build_switch(struct build *b);

/**
 * lab_build_nodes() - every node's links, addresses, routes, sysctls
 * and, for gateways and balancers, forwarding and NAT
 * @b: the build, its switch made
 *
 * Return: 0; -EINVAL for a setting the kernel refused (reported with
 * its file:line); other -errno (logged).
 */
int lab_build_nodes(struct build *b);

/**
 * lab_build_wait() - wait up to 3 s until every link of the lab runs
 * @b: the build, its nodes configured
 *
 * Links still not running after that are only warned about.
 * Return: 0, or -EINTR if interrupted.
 */
int lab_build_wait(struct build *b);

/**
 * lab_balancer_rules() - a balancer's nftables rules (lib/nftlb.c), sent
 * in the current namespace, which must be the balancer's
 * @t: the topology; @n: the balancer, one of its nodes
 *
 * Return: 0 or -errno (reported with the file:line of its servers and,
 * for a rule the kernel refused, the rule and the kernel's reason).
 */
int lab_balancer_rules(const struct topo *t, const struct topo_node *n);

/* ---- teardown, processes: labdown.c ---- */

/**
 * lab_teardown() - remove what a state file says a lab made
 * @s: the lab's state, as state_load() read it
 *
 * Stops the lab's recorded processes and every process inside its
 * namespaces, removes each namespace that is still the one the lab made
 * (by nsfs inode), then the lab's files.  Idempotent, and safe on a
 * half-built lab: down, a failed up and clean all end here.
 * Return: 0, or -errno: of a namespace that could not be removed (the
 * state file is then kept, for a later down or clean), or of removing
 * the state file.
 */
int lab_teardown(struct state *s);

/**
 * lab_ino_cmp() - qsort()/bsearch() order of nsfs inode numbers
 * @a: pointer to an unsigned long
 * @b: pointer to an unsigned long
 *
 * Return: -1, 0 or 1 as *@a is below, equal to or above *@b.
 */
int lab_ino_cmp(const void *a, const void *b);

/**
 * lab_ns_present() - the lab's namespaces that still exist as it made them
 * @s:    the lab's state
 * @inos: set to a new array of their nsfs inode numbers, sorted by
 *        lab_ino_cmp(); caller frees
 *
 * Return: number of inode numbers in *@inos.
 */
int lab_ns_present(const struct state *s, unsigned long **inos);

/**
 * lab_find_procs() - processes living in some network namespaces
 * @inos: nsfs inode numbers of the namespaces, sorted by lab_ino_cmp()
 * @n:    number of @inos
 * @out:  set to a malloc'd array of pids (NULL if none); caller frees
 *
 * Scans /proc; the calling process itself is never listed.
 * Return: number of pids in *@out, or -errno if /proc cannot be read.
 */
int lab_find_procs(const unsigned long *inos, int n, pid_t **out);

#endif
