/* jobs.c - work in child processes, a few at a time, stopped together. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/jobs.h"
#include "lib/util.h"

int jobs_run(int n, int max, void (*start)(int i, void *ctx),
	     void (*done)(int i, int status, void *ctx), void *ctx)
{
	const struct jobs_ops ops = {.start = start, .done = done};

	return jobs_run_ops(n, max, &ops, ctx);
}

int jobs_run_ops(int n, int max, const struct jobs_ops *ops, void *ctx)
{
	pid_t *pids = xcalloc((size_t)(n > 0 ? n : 1), sizeof(*pids));
	int next = 0, running = 0, started = 0, status, i;
	pid_t pid;

	util_catch_signals();
	for (;;) {
		while (!util_stop && running < max && next < n) {
			/* What the parent buffered must not be written
			 * twice. */
			fflush(NULL);
			pid = fork();
			if (pid == 0) {
				ops->start(next, ctx);
				_exit(3);
			}
			if (pid < 0) {
				ops->done(next, -errno, ctx);
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
		pid = waitpid(-1, &status, 0);
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
		}
	}
	free(pids);
	return started;
}
