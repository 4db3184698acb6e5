/* lab.h - a lab's life: up, down, status, exec, clean. */
#ifndef NATLAB_LAB_H
#define NATLAB_LAB_H

#include "lib/nftlb.h"
#include "topo/topo.h"

/* Fault injection for tests: fail the build just after step N (0: off),
 * from the environment variable NATLAB_FAIL_AFTER. */
extern int lab_fail_after;

/**
 * lab_switch_joins() - the switch's links beyond the networks' first
 * bridges (a network of more than TOPO_BRIDGE_PORTS interfaces, topo.h)
 * @first: set to the first of their ifindexes
 *
 * [*@first, *@first + return) are, per further bridge of a network in
 * network order, the bridge, the end of the veth pair that joins it on
 * the network's first bridge, and the end on itself.  Frames crossing
 * from one bridge to another pass these ends, so a capture in the switch
 * leaves them out.
 * Return: the number of them (0 when every network is one bridge).
 */
int lab_switch_joins(const struct topo *t, int *first);

/**
 * lab_up() - build a lab from a validated topology
 * @t:    the topology
 * @topo: where it came from (recorded in the state file)
 *
 * All or nothing: on any failure, or on SIGINT/SIGTERM/SIGHUP, everything
 * made so far is removed before returning.
 * Return: 0; -EINVAL for a sysctl or conntrack setting the kernel
 * refused (reported with its file:line); -EEXIST for a name clash;
 * -EBUSY if another natlab holds the lab; -EINTR if interrupted; -EPERM
 * if not root; other -errno.
 */
int lab_up(const struct topo *t, const char *topo);

/**
 * lab_down() - remove a lab and everything it made (idempotent)
 * Return: 0 (also when the lab does not exist), -EBUSY, or -errno.
 */
int lab_down(const char *lab);

/* Print all labs (lab == NULL) or one lab in detail.  Return: 0/-errno. */
int lab_status(const char *lab);

/**
 * lab_names() - names only, one a line, for scripts and completion: every
 * lab (@lab NULL), or the nodes of @lab that exec can enter (the switch
 * "sw" among them)
 * Return: 0, -ENOENT if @lab has no state file (logged), or -errno.
 */
int lab_names(const char *lab);

/**
 * lab_exec() - run a program inside a node (does not return on success)
 * Return: -errno.
 */
int lab_exec(const char *lab, const char *node, char **argv);

/**
 * lab_clean() - remove the leftovers of every crashed lab: labs whose
 * owner died while building or running them.  Labs that are up, or being
 * handled by a live natlab, are left alone.
 * Return: number of labs cleaned, or -errno.
 */
int lab_clean(void);

/**
 * lab_mark_running() - record the caller as the owner of a lab that is
 * up, in phase "running": if the caller dies, clean removes the lab.
 * Return: 0 or -errno.
 */
int lab_mark_running(const char *lab);

/**
 * lab_balancer_counts() - how many connections a balancer gave each of
 * its servers: its per-server counters, read in its namespace
 * @lab, @node: the lab and the balancer
 * @out: filled with up to @max counts, in the order of its servers
 * Return: how many were filled (0 if the namespace has no balancer's
 * rules), or -errno (logged).
 */
int lab_balancer_counts(const char *lab, const char *node,
			struct nftlb_count *out, int max);

/* The lab name for commands given none: the only lab that exists.
 * Return: 0, -ENOENT (no lab), -EEXIST (several; listed on stderr), or
 * -errno if the state directory cannot be read. */
int lab_only(char *name, size_t len);

#endif
