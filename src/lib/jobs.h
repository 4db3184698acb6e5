/* jobs.h - work in child processes, a few at a time, stopped together. */
#ifndef NATLAB_JOBS_H
#define NATLAB_JOBS_H

#include "lib/progress.h"

/**
 * jobs_run() - run jobs 0 .. @n - 1, each in a child process of its own,
 * at most @max at a time, in order
 * @start: called in the child for job @i; it must not return (it ends
 *         with _exit(), and jobs_run() makes sure of it with status 3)
 * @done:  called in the parent when job @i ended, with its wait()
 *         status, or with -errno if its child could not be made
 * @ctx:   for both
 * @pg:    started (progress_start()) for @n steps, or NULL: each job that
 *         ends is a step, and while it waits the line is redrawn every
 *         PROGRESS_TICK_MS (the caller ends it with progress_end())
 *
 * SIGINT, SIGTERM and SIGHUP set util_stop (util.h): then no more job
 * starts, and each signal that reaches this process alone (not the
 * terminal's whole group) is passed on to the running children as
 * SIGTERM, so that each unwinds its own work; jobs_run() returns once
 * every child has ended.
 * Return: how many jobs were started.
 */
int jobs_run(int n, int max, void (*start)(int i, void *ctx),
	     void (*done)(int i, int status, void *ctx), void *ctx,
	     struct progress *pg);

/* What jobs_run_ops() calls: start and done as jobs_run()'s; forked (may
 * be NULL) in the parent as job @i's child has been made. */
struct jobs_ops {
	void (*start)(int i, void *ctx);
	void (*forked)(int i, void *ctx);
	void (*done)(int i, int status, void *ctx);
};

/* jobs_run() with @ops: the same rules, @pg, and the same return. */
int jobs_run_ops(int n, int max, const struct jobs_ops *ops, void *ctx,
		 struct progress *pg);

#endif
