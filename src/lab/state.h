/* state.h - the lab state file: what a lab made, readable after a crash. */
#ifndef NATLAB_STATE_H
#define NATLAB_STATE_H

#include <sys/types.h>

#include "lib/nameidx.h"

/*
 * A state file is an append-only log, /run/natlab/<lab>.state (tmpfs:
 * it goes away with a reboot, as the namespaces do).  The builder writes
 * the header and the nodes before it creates anything, then one "made"
 * line per namespace as soon as it exists, so that a process killed at
 * any point leaves a file from which clean knows exactly what to remove.
 * Lines:
 *   natlab-state 1
 *   lab NAME
 *   topo PATH
 *   owner PID START          (the process building or running the lab)
 *   node NAME KIND NET=ADDR/PREFIX ...  (one per interface)
 *   making NSNAME            (about to create it)
 *   made NSNAME INODE        (namespace created, with its nsfs inode)
 *   clash NSNAME             (it existed already: not the lab's)
 *   pid PID START ROLE       (a background process of the lab)
 *   phase building|up|running
 */

struct state_ns {
	char *name;
	unsigned long ino; /* 0: being made when the builder stopped */
};

struct state_pid {
	pid_t pid;
	unsigned long long start; /* /proc/PID/stat starttime */
	char role[32];
};

struct state {
	char lab[64];
	char phase[16];
	char *topo;
	pid_t owner;
	unsigned long long owner_start;
	struct state_ns *ns;
	int nns, ns_cap;
	struct nameidx ns_idx; /* ns by name, while loading (state.c) */
	struct state_pid *pids;
	int npids;
	char **nodes; /* the "node" lines' text after "node " */
	int nnodes;
	int fd; /* append fd while writing, -1 otherwise */
};

/**
 * state_lock() - take the lab's lock file (flock, non-blocking)
 * Return: the lock fd, -EBUSY if another natlab holds it, or -errno.
 */
int state_lock(const char *lab);

/* Release a lock; with @remove, delete the lock file first. */
void state_unlock(const char *lab, int fd, int remove);

/**
 * state_create() - start a new state file (fails with -EEXIST if the lab
 * already has one) and write its header with the caller as owner.
 * Return: 0 or -errno.
 */
int state_create(struct state *s, const char *lab, const char *topo);

/* Open an existing state file for appending.  Return: 0 or -errno. */
int state_open(struct state *s, const char *lab);

/* Append one line (printf format, newline added).  Return: 0 or -errno. */
int state_append(struct state *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/**
 * state_load() - read a lab's state file
 * Return: 0, -ENOENT if the lab has none, -EINVAL if it is corrupt, or
 * another -errno if it cannot be read.
 */
int state_load(struct state *s, const char *lab);

/* Remove the lab's state file.  Return: 0 or -errno (ENOENT is 0). */
int state_remove(const char *lab);

/* Free what state_load()/state_create() allocated; closes the fd. */
void state_free(struct state *s);

/**
 * state_list() - names of all labs that have a state file, sorted
 * Return: count (>= 0) or -errno; *labs is freed with state_list_free().
 */
int state_list(char ***labs);
void state_list_free(char **labs, int n);

/* Start time of a process (field 22 of /proc/PID/stat), 0 if gone. */
unsigned long long state_proc_start(pid_t pid);

/* Is the process alive and the same one that was recorded? */
int state_proc_alive(pid_t pid, unsigned long long start);

#endif
