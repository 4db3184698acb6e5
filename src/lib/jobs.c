/* jobs.c - work in child processes, a few at a time, stopped together. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/jobs.h"
#include "lib/util.h"

/* Wait for a child to end, as waitpid(-1) does.  With a progress line
 * on, look every PROGRESS_TICK_MS instead and redraw the line between
 * looks (its elapsed time moves on); a signal still ends the wait with
 * EINTR, as it ends waitpid().  A stop request seen for the first time
 * (*told is 0: a signal that came while we were not waiting) ends it the
 * same way, so that it is passed on too. */
static pid_t jobs_wait(int *status, struct progress *pg, int finished,
		       int *told)
{
	pid_t pid;

	for (;;) {
		if (util_stop && !*told) {
			*told = 1;
			errno = EINTR;
			return -1;
		}
		if (!pg || !pg->on)
			return waitpid(-1, status, 0);
		progress_update(pg, (uint64_t)finished);
		pid = waitpid(-1, status, WNOHANG);
		if (pid)
			return pid;
		if (poll(NULL, 0, PROGRESS_TICK_MS) < 0 && errno == EINTR)
			return -1;
	}
}

int jobs_run(int n, int max, void (*start)(int i, void *ctx),
	     void (*done)(int i, int status, void *ctx), void *ctx,
	     struct progress *pg)
{
	const struct jobs_ops ops = {.start = start, .done = done};

	return jobs_run_ops(n, max, &ops, ctx, pg);
}

int jobs_run_ops(int n, int max, const struct jobs_ops *ops, void *ctx,
		 struct progress *pg)
{
	pid_t *pids = xcalloc((size_t)(n > 0 ? n : 1), sizeof(*pids));
	int next = 0, running = 0, started = 0, finished = 0, told = 0;
	int status, i;
	pid_t pid;

	util_catch_signals();
	for (;;) {
		while (!util_stop && running < max && next < n) {
			/* What the parent buffered must not be written
			 * twice. */
			fflush(NULL);
			pid = fork();
			if (pid == 0) {
				progress_inherit(pg);
				ops->start(next, ctx);
				_exit(3);
			}
			if (pid < 0) {
				ops->done(next, -errno, ctx);
				finished++;
			} else {
				if (ops->forked)
					ops->forked(next, ctx);
				pids[next] = pid;
				running++;
				started++;
			}
			next++;
		}
		if (!running)
			break;
		pid = jobs_wait(&status, pg, finished, &told);
		if (pid < 0) {
			if (errno != EINTR)
				break;
			/* A signal for us alone (not the terminal's
			 * group): pass it on. */
			for (i = 0; i < n; i++)
				if (pids[i] > 0)
					kill(pids[i], SIGTERM);
			continue;
		}
		for (i = 0; i < n; i++) {
			if (pids[i] != pid)
				continue;
			pids[i] = 0;
			running--;
			ops->done(i, status, ctx);
			finished++;
		}
		progress_update(pg, (uint64_t)finished);
	}
	free(pids);
	return started;
}
