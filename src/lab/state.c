/* state.c - the lab state file: what a lab made, readable after a crash. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lab/state.h"
#include "lib/nameidx.h"
#include "lib/statfile.h"
#include "lib/util.h"

static void state_path(const char *lab, const char *ext, char *path)
{
	statfile_path(lab, ext, path, PATH_MAX);
}

static int state_mkdir(void)
{
	if (mkdir(STATFILE_DIR, 0755) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

int state_lock(const char *lab)
{
	char path[PATH_MAX];
	int fd, err;

	err = state_mkdir();
	if (err)
		return err;
	state_path(lab, "lock", path);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		err = errno == EWOULDBLOCK ? -EBUSY : -errno;
		close(fd);
		return err;
	}
	return fd;
}

void state_unlock(const char *lab, int fd, int remove)
{
	char path[PATH_MAX];

	if (fd < 0)
		return;
	if (remove) {
		state_path(lab, "lock", path);
		unlink(path);
	}
	close(fd);
}

int state_create(struct state *s, const char *lab, const char *topo)
{
	char path[PATH_MAX];
	int err;

	memset(s, 0, sizeof(*s));
	s->fd = -1;
	err = state_mkdir();
	if (err)
		return err;
	state_path(lab, "state", path);
	s->fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC,
		     0644);
	if (s->fd < 0)
		return -errno;
	snprintf(s->lab, sizeof(s->lab), "%s", lab);
	snprintf(s->phase, sizeof(s->phase), "building");
	s->topo = xstrdup(topo);
	s->owner = getpid();
	s->owner_start = state_proc_start(s->owner);
	err = state_append(s, "natlab-state 1\nlab %s\ntopo %s\nowner %d %llu",
			   lab, topo, (int)s->owner, s->owner_start);
	if (err) {
		close(s->fd);
		s->fd = -1;
		unlink(path);
	}
	return err;
}

int state_open(struct state *s, const char *lab)
{
	char path[PATH_MAX];

	memset(s, 0, sizeof(*s));
	state_path(lab, "state", path);
	s->fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
	if (s->fd < 0)
		return -errno;
	snprintf(s->lab, sizeof(s->lab), "%s", lab);
	return 0;
}

int state_append(struct state *s, const char *fmt, ...)
{
	char buf[4096];
	va_list ap;
	ssize_t n;
	int len;

	va_start(ap, fmt);
	len = vsnprintf(buf, sizeof(buf) - 1, fmt, ap);
	va_end(ap);
	if (len < 0 || len >= (int)sizeof(buf) - 1)
		return -EOVERFLOW;
	buf[len++] = '\n';
	/* One write() per record: with O_APPEND a crash leaves whole
	 * lines or nothing. */
	n = write(s->fd, buf, (size_t)len);
	if (n < 0)
		return -errno;
	return n == len ? 0 : -EIO;
}

/*
 * A namespace is recorded as "making" before it is created and "made"
 * with its inode once it exists, so that a process killed in between
 * still leaves its name behind.  "clash" means the name turned out to be
 * someone else's (creation found it existing): never ours to remove.
 */
static const char *state_ns_name(const void *arr, uint32_t i)
{
	return ((const struct state_ns *)arr)[i].name;
}

/* A lab of N nodes has N + 1 namespaces, each on two lines: found by
 * name through the index, not by a search of the list. */
static void state_ns_record(struct state *s, int mine, const char *name,
			    unsigned long ino)
{
	uint32_t h;
	int i;

	if (s->nns == s->ns_cap) {
		s->ns_cap = s->ns_cap ? 2 * s->ns_cap : 16;
		s->ns = xrealloc(s->ns, s->ns_cap, sizeof(*s->ns));
		nameidx_build(&s->ns_idx, (uint32_t)s->nns, (uint32_t)s->ns_cap,
			      state_ns_name, s->ns);
	}
	h = nameidx_slot(&s->ns_idx, name, state_ns_name, s->ns);
	i = s->ns_idx.slot[h] ? (int)s->ns_idx.slot[h] - 1 : s->nns;
	if (mine < 0) {
		if (i < s->nns) { /* rare: build again rather than delete */
			free(s->ns[i].name);
			s->ns[i] = s->ns[--s->nns];
			nameidx_build(&s->ns_idx, (uint32_t)s->nns,
				      (uint32_t)s->ns_cap, state_ns_name,
				      s->ns);
		}
		return;
	}
	if (i == s->nns) {
		s->ns[s->nns].name = xstrdup(name);
		s->ns_idx.slot[h] = (uint32_t)++s->nns;
	}
	s->ns[i].ino = ino;
}

static int state_parse_line(struct state *s, char *line)
{
	char *arg = strchr(line, ' ');
	unsigned long long a, b;
	char name[256], role[32];

	if (!arg)
		return -EINVAL;
	*arg++ = '\0';
	if (!strcmp(line, "natlab-state")) {
		return strcmp(arg, "1") ? -EINVAL : 0;
	} else if (!strcmp(line, "lab")) {
		snprintf(s->lab, sizeof(s->lab), "%s", arg);
	} else if (!strcmp(line, "topo")) {
		free(s->topo);
		s->topo = xstrdup(arg);
	} else if (!strcmp(line, "owner")) {
		if (sscanf(arg, "%llu %llu", &a, &b) != 2)
			return -EINVAL;
		s->owner = (pid_t)a;
		s->owner_start = b;
	} else if (!strcmp(line, "phase")) {
		snprintf(s->phase, sizeof(s->phase), "%s", arg);
	} else if (!strcmp(line, "node")) {
		s->nodes = xrealloc(s->nodes, s->nnodes + 1, sizeof(char *));
		s->nodes[s->nnodes++] = xstrdup(arg);
	} else if (!strcmp(line, "making") || !strcmp(line, "made") ||
		   !strcmp(line, "clash")) {
		a = 0;
		if (sscanf(arg, "%255s %llu", name, &a) < 1)
			return -EINVAL;
		state_ns_record(s, line[0] == 'c' ? -1 : 1, name,
				(unsigned long)a);
	} else if (!strcmp(line, "pid")) {
		if (sscanf(arg, "%llu %llu %31s", &a, &b, role) != 3)
			return -EINVAL;
		s->pids = xrealloc(s->pids, s->npids + 1, sizeof(*s->pids));
		s->pids[s->npids].pid = (pid_t)a;
		s->pids[s->npids].start = b;
		snprintf(s->pids[s->npids].role, sizeof(s->pids[0].role), "%s",
			 role);
		s->npids++;
	}
	/* Unknown records are skipped: newer natlab versions may add
	 * some, and an older one must still be able to clean up. */
	return 0;
}

int state_load(struct state *s, const char *lab)
{
	char path[PATH_MAX], *line = NULL;
	size_t cap = 0;
	ssize_t len;
	FILE *f;
	int err = 0;

	memset(s, 0, sizeof(*s));
	s->fd = -1;
	state_path(lab, "state", path);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while ((len = getline(&line, &cap, f)) > 0) {
		if (line[len - 1] != '\n')
			break; /* a torn last line: ignore it */
		line[len - 1] = '\0';
		err = state_parse_line(s, line);
		if (err)
			break;
	}
	free(line);
	fclose(f);
	if (!err && !s->lab[0])
		err = -EINVAL;
	if (err)
		state_free(s);
	return err;
}

int state_remove(const char *lab)
{
	char path[PATH_MAX];

	state_path(lab, "state", path);
	if (unlink(path) < 0 && errno != ENOENT)
		return -errno;
	return 0;
}

void state_free(struct state *s)
{
	int i;

	if (s->fd >= 0)
		close(s->fd);
	for (i = 0; i < s->nns; i++)
		free(s->ns[i].name);
	for (i = 0; i < s->nnodes; i++)
		free(s->nodes[i]);
	free(s->ns);
	nameidx_free(&s->ns_idx);
	free(s->nodes);
	free(s->pids);
	free(s->topo);
	memset(s, 0, sizeof(*s));
	s->fd = -1;
}

static int state_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int state_list(char ***labs)
{
	struct dirent *de;
	char **v = NULL;
	int n = 0;
	DIR *d;

	*labs = NULL;
	d = opendir(STATFILE_DIR);
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);

		if (len <= 6 || strcmp(de->d_name + len - 6, ".state"))
			continue;
		v = xrealloc(v, n + 1, sizeof(char *));
		v[n] = xstrdup(de->d_name);
		v[n][len - 6] = '\0';
		n++;
	}
	closedir(d);
	qsort(v, n, sizeof(char *), state_cmp);
	*labs = v;
	return n;
}

void state_list_free(char **labs, int n)
{
	int i;

	for (i = 0; i < n; i++)
		free(labs[i]);
	free(labs);
}

unsigned long long state_proc_start(pid_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long long start = 0;
	int i;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (util_read_file(path, buf, sizeof(buf)) <= 0)
		return 0;
	/* The command name may hold spaces and ')': skip past the last
	 * ')', then field 3 (state) starts; starttime is field 22. */
	p = strrchr(buf, ')');
	if (!p)
		return 0;
	for (i = 2; i < 22 && p; i++)
		p = strchr(p + 1, ' ');
	if (p)
		start = strtoull(p + 1, NULL, 10);
	return start;
}

/* The state letter of a process (field 3 of /proc/PID/stat), 0 if gone. */
static char state_proc_letter(pid_t pid)
{
	char path[64], buf[512], *p;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (util_read_file(path, buf, sizeof(buf)) <= 0)
		return 0;
	p = strrchr(buf, ')');
	return p && p[1] == ' ' ? p[2] : 0;
}

int state_proc_alive(pid_t pid, unsigned long long start)
{
	unsigned long long now;
	char st;

	if (pid <= 0)
		return 0;
	now = state_proc_start(pid);
	if (!now || now != start)
		return 0;
	/* A zombie has ended; it only waits for its parent to reap it. */
	st = state_proc_letter(pid);
	return st && st != 'Z' && st != 'X';
}
