/* labdown.c - removing a lab: down, clean, and the teardown they share
 * with the rollback of a failed up; the processes in a lab's namespaces. */
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lab/lab.h"
#include "lab/lab_int.h"
#include "lab/state.h"
#include "lib/log.h"
#include "lib/netns.h"
#include "lib/statfile.h"
#include "lib/util.h"

/*
 * Teardown trusts only the state file (see lab.c): it removes the
 * namespaces the file names, and only those still the same namespace
 * objects (nsfs inode) the lab made, so it is the same for down, for the
 * rollback of a failed or interrupted up, and for clean after a crash.
 */

/* ---- processes in namespaces ---- */

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

int lab_ns_present(const struct state *s, unsigned long **inos)
{
	unsigned long *v = xcalloc(s->nns, sizeof(*v));
	int i, n = 0;

	for (i = 0; i < s->nns; i++) {
		unsigned long now = netns_inode(s->ns[i].name);

		if (now && now == s->ns[i].ino)
			v[n++] = now;
	}
	qsort(v, n, sizeof(*v), lab_ino_cmp);
	*inos = v;
	return n;
}

/* ---- teardown ---- */

/*
 * Stop every process living in the lab's namespaces: they belong to the
 * lab (its engine, servers, or programs started with natlab exec), and a
 * namespace with a process in it outlives its unmount.  TERM first, then
 * KILL after a second.
 */
static void lab_kill_procs(const struct state *s)
{
	unsigned long *inos;
	int i, n, round, count;
	pid_t *pids;

	n = lab_ns_present(s, &inos);
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

/* Remove namespace @i of the state file if it is still the lab's.
 * Return: 0 or -errno (logged). */
static int lab_del_ns(const struct state *s, int i)
{
	unsigned long now = netns_inode(s->ns[i].name);
	int e;

	if (!now)
		return 0;
	/* ino 0: the builder died between creating the name and recording
	 * its inode; the name is the lab's (the lab lock was held and the
	 * name did not exist when it started). */
	if (s->ns[i].ino && now != s->ns[i].ino) {
		log_warn("namespace %s is no longer the one lab %s made; left "
			 "alone",
			 s->ns[i].name, s->lab);
		return 0;
	}
	e = netns_del(s->ns[i].name);
	if (e)
		log_errno(e, "cannot remove namespace %s", s->ns[i].name);
	return e;
}

/*
 * Removing a namespace is an unmount, which waits for an RCU grace
 * period after the mount lock is dropped (namespace_unlock()), and an
 * unlink: for thousands of namespaces one after the other that waiting
 * is most of down.  Several threads overlap the waits.
 */
#define DEL_THREADS 8

struct del_worker {
	const struct state *s;
	int first, err;
	pthread_t tid;
};

static void *lab_del_worker(void *arg)
{
	struct del_worker *w = arg;
	int i, e;

	for (i = w->s->nns - 1 - w->first; i >= 0; i -= DEL_THREADS) {
		e = lab_del_ns(w->s, i);
		if (e && !w->err)
			w->err = e;
	}
	return NULL;
}

int lab_teardown(struct state *s)
{
	struct del_worker w[DEL_THREADS];
	int i, n = 0, err = 0;

	for (i = 0; i < s->npids; i++)
		lab_stop_pid(&s->pids[i]);
	lab_kill_procs(s);
	for (i = 0; i < DEL_THREADS && s->nns > 64; i++) {
		w[i] = (struct del_worker){.s = s, .first = i};
		if (pthread_create(&w[i].tid, NULL, lab_del_worker, &w[i]))
			break;
		n++;
	}
	if (n < DEL_THREADS) { /* a small lab, or threads refused: here */
		for (i = 0; i < n; i++)
			pthread_join(w[i].tid, NULL);
		n = 0;
		for (i = s->nns - 1; i >= 0; i--) {
			int e = lab_del_ns(s, i);

			if (e)
				err = e;
		}
	}
	for (i = 0; i < n; i++) {
		pthread_join(w[i].tid, NULL);
		if (w[i].err)
			err = w[i].err;
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
		log_err("lab %s is being changed by another natlab right "
			"now: try again when it is done",
			lab);
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
