/* suite.c - natlab test: every scenario with expectations, side by side. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib/jobs.h"
#include "lib/log.h"
#include "lib/util.h"
#include "run/run.h"
#include "run/suite.h"
#include "topo/topo.h"

/*
 * Theory of operation.  The scenarios are found and parsed first, so a
 * bad file or path fails before any lab exists.  Each then runs in a
 * child process (lib/jobs.c) as a complete "natlab run" of its own lab,
 * named after this process and the scenario's number so that runs side
 * by side, and suites side by side, never share a name.  The child's
 * stdout and stderr go to files in the scenario's directory with its
 * JSON, pcap and picture; the parent reads them back when the child has
 * ended, to print what failed.  Stopping is jobs.c's: SIGINT stops new
 * starts, and every child unwinds its own lab.
 */

/* One scenario. */
struct suite_case {
	const char *path; /* its topology file */
	struct topo t;	  /* parsed before anything runs */
	char name[NAME_MAX + 1];
	char dir[PATH_MAX];
	char lab[TOPO_LAB_MAX + 1];
	uint64_t t0, t1;   /* CLOCK_MONOTONIC, ns: forked, ended */
	int status;	   /* its exit status; -1: not run */
	char *detail;	   /* for a failure: what failed, where its files are */
	char summary[256]; /* for a failure: its one line */
};

struct suite {
	const struct suite_opts *o;
	struct suite_case *cases;
	int n, cap;
	int ended, passed, failed, env; /* env: those that ended with 3 */
	char out[PATH_MAX];
};

/* ---- finding the scenarios ---- */

static char **suite_found; /* nftw() takes no context */
static int suite_nfound;

static int suite_visit(const char *path, const struct stat *st, int type,
		       struct FTW *ftw)
{
	size_t len = strlen(path);

	(void)st;
	(void)ftw;
	if (type == FTW_F && len > 5 && !strcmp(path + len - 5, ".topo")) {
		suite_found = xrealloc(suite_found, (size_t)suite_nfound + 1,
				       sizeof(*suite_found));
		suite_found[suite_nfound++] = xstrdup(path);
	}
	return 0;
}

static int suite_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A scenario's directory name: its file's, without .topo, made unique
 * with -2, -3 ... when two files share it. */
static void suite_case_name(struct suite *s, struct suite_case *c)
{
	const char *base = strrchr(c->path, '/');
	int len, k, i, taken;

	base = base ? base + 1 : c->path;
	len = (int)strlen(base) - 5;
	snprintf(c->name, sizeof(c->name), "%.*s", len, base);
	for (k = 2;; k++) {
		for (i = taken = 0; i < s->n && !taken; i++)
			taken = &s->cases[i] != c &&
				!strcmp(s->cases[i].name, c->name);
		if (!taken)
			return;
		snprintf(c->name, sizeof(c->name), "%.*s-%d", len, base, k);
	}
}

/* Parse one file; keep it if it has expectations.  Return: 0 or
 * -EINVAL (its errors printed). */
static int suite_add(struct suite *s, char *path)
{
	struct suite_case *c;

	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 64;
		s->cases =
			xrealloc(s->cases, (size_t)s->cap, sizeof(*s->cases));
	}
	c = &s->cases[s->n];
	memset(c, 0, sizeof(*c));
	c->path = path;
	c->status = -1;
	if (topo_parse_file(&c->t, path)) {
		topo_print_errors(&c->t);
		topo_free(&c->t);
		return -EINVAL;
	}
	if (!c->t.nexpects) {
		topo_free(&c->t);
		return 0;
	}
	s->n++;
	suite_case_name(s, c);
	return 0;
}

/* Every path: a directory's *.topo files in sorted order, a file as it
 * is.  Return: 0 or -EINVAL (said why). */
static int suite_collect(struct suite *s)
{
	int i, k, err = 0, first;
	struct stat st;

	for (i = 0; i < s->o->npaths; i++) {
		const char *p = s->o->paths[i];

		if (stat(p, &st)) {
			log_errno(-errno, "natlab test: %s", p);
			return -EINVAL;
		}
		first = suite_nfound;
		if (S_ISDIR(st.st_mode)) {
			if (nftw(p, suite_visit, 16, FTW_PHYS)) {
				log_errno(-errno, "natlab test: %s", p);
				return -EINVAL;
			}
			qsort(suite_found + first,
			      (size_t)(suite_nfound - first),
			      sizeof(*suite_found), suite_cmp);
		} else {
			suite_visit(p, &st, FTW_F, NULL);
			if (suite_nfound == first) {
				/* named on purpose: taken whatever its name */
				suite_found = xrealloc(suite_found,
						       (size_t)suite_nfound + 1,
						       sizeof(*suite_found));
				suite_found[suite_nfound++] = xstrdup(p);
			}
		}
	}
	for (k = 0; k < suite_nfound; k++)
		if (suite_add(s, suite_found[k]))
			err = -EINVAL;
	if (!err && !s->n) {
		log_err("natlab test: no topology with an [expect] section in "
			"%s%s",
			s->o->paths[0], s->o->npaths > 1 ? " ..." : "");
		err = -EINVAL;
	}
	return err;
}

/* ---- the results directory ---- */

/* mkdir -p. */
static int suite_mkdirs(const char *path)
{
	char buf[PATH_MAX], *p;

	snprintf(buf, sizeof(buf), "%s", path);
	for (p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(buf, 0755) && errno != EEXIST)
		return -errno;
	return 0;
}

static int suite_dirs(struct suite *s)
{
	int i, err;

	if (s->o->out) {
		snprintf(s->out, sizeof(s->out), "%s", s->o->out);
		err = suite_mkdirs(s->out);
	} else {
		snprintf(s->out, sizeof(s->out), "/tmp/natlab-test.XXXXXX");
		err = mkdtemp(s->out) ? 0 : -errno;
	}
	for (i = 0; !err && i < s->n; i++) {
		if (snprintf(s->cases[i].dir, sizeof(s->cases[i].dir), "%s/%s",
			     s->out,
			     s->cases[i].name) >= (int)sizeof(s->cases[i].dir))
			err = -ENAMETOOLONG;
		else
			err = suite_mkdirs(s->cases[i].dir);
	}
	if (err)
		log_errno(err, "natlab test: cannot make %s", s->out);
	return err ? -EINVAL : 0;
}

/* ---- one scenario, in its child ---- */

/* @buf: the file @file of scenario @c's directory ("" if too long). */
static void suite_path(const struct suite_case *c, const char *file, char *buf,
		       size_t len)
{
	if (snprintf(buf, len, "%s/%s", c->dir, file) >= (int)len)
		buf[0] = '\0';
}

/* Send @fd to a new file @name of the scenario's directory. */
static void suite_redirect(const struct suite_case *c, const char *name, int fd)
{
	char path[PATH_MAX];
	int f;

	suite_path(c, name, path, sizeof(path));
	f = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (f < 0)
		return;
	dup2(f, fd);
	close(f);
}

/* Job i: scenario i's run, its exit status natlab run's (main.c's:
 * 1 an expectation failed, 2 bad input, 3 environment, 130
 * interrupted). */
static void suite_start(int i, void *arg)
{
	struct suite *s = arg;
	struct suite_case *c = &s->cases[i];
	char json[PATH_MAX], pcap[PATH_MAX], svg[PATH_MAX];
	struct run_opts ro = {.json = json, .pcap = pcap, .svg = svg};
	int err;

	suite_path(c, "run.json", json, sizeof(json));
	suite_path(c, "pcap", pcap, sizeof(pcap));
	suite_path(c, "run.svg", svg, sizeof(svg));
	suite_redirect(c, "out.txt", STDOUT_FILENO);
	suite_redirect(c, "err.txt", STDERR_FILENO);
	if (topo_set_name(&c->t, c->lab))
		_exit(2);
	err = run_main(&c->t, c->path, &ro);
	fflush(NULL);
	switch (err) {
	case 0:
	case 1:
		_exit(err);
	case -EINTR:
		_exit(130);
	case -EINVAL:
	case -EEXIST:
	case -ENOENT:
	case -ECANCELED:
		_exit(2);
	default:
		_exit(3);
	}
}

static void suite_forked(int i, void *arg)
{
	struct suite *s = arg;

	s->cases[i].t0 = util_now_ns();
}

/* ---- what a scenario's end prints ---- */

/* Append a printf'd line to *@buf. */
static void __attribute__((format(printf, 2, 3)))
suite_append(char **buf, const char *fmt, ...)
{
	size_t had = *buf ? strlen(*buf) : 0;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	*buf = xrealloc(*buf, had + (size_t)n + 1, 1);
	va_start(ap, fmt);
	vsnprintf(*buf + had, (size_t)n + 1, fmt, ap);
	va_end(ap);
}

/* @dst: @src from its first word to the end of its line, each run of
 * spaces made one ("FAIL line 50 clients.timewait == 10 measured 0"). */
static void suite_squeeze(char *dst, size_t len, const char *src)
{
	size_t n = 0;

	src += strspn(src, " ");
	for (; *src && *src != '\n' && n + 1 < len; src++)
		if (*src != ' ' || (src[1] != ' ' && src[1] != '\n'))
			dst[n++] = *src;
	dst[n] = '\0';
}

/* A failure's detail, as scripts/regress gave it: the failed
 * expectations with their measured values, natlab's last five messages
 * (a missing kernel feature says which), and where the files are. */
static char *suite_detail(struct suite_case *c)
{
	char path[PATH_MAX], *line = NULL, *last[5] = {0}, *buf = NULL;
	char first[128] = "";
	size_t cap = 0;
	int nlast = 0, k;
	FILE *f;

	suite_path(c, "out.txt", path, sizeof(path));
	f = fopen(path, "re");
	while (f && getline(&line, &cap, f) > 0) {
		if (!strncmp(line, "  FAIL", 6)) {
			suite_append(&buf, "%s", line);
			if (!first[0])
				suite_squeeze(first, sizeof(first), line);
		}
		/* the report's last line: "N of M expectations failed" */
		if (strstr(line, "expectations failed"))
			snprintf(c->summary, sizeof(c->summary), "%.*s%s%s",
				 (int)strcspn(line, "\n"), line,
				 first[0] ? ": " : "", first);
	}
	if (f)
		fclose(f);
	suite_path(c, "err.txt", path, sizeof(path));
	f = fopen(path, "re");
	while (f && getline(&line, &cap, f) > 0) {
		if (!strncmp(line, "natlab: capture written", 23))
			continue;
		free(last[nlast % 5]);
		last[nlast++ % 5] = xstrdup(line);
	}
	if (f)
		fclose(f);
	for (k = nlast > 5 ? nlast - 5 : 0; k < nlast; k++) {
		suite_append(&buf, "%s", last[k % 5]);
		if (!c->summary[0] && k == nlast - 1)
			snprintf(c->summary, sizeof(c->summary),
				 "exit %d: %.*s", c->status,
				 (int)strcspn(last[k % 5], "\n"), last[k % 5]);
		free(last[k % 5]);
	}
	if (!c->summary[0])
		snprintf(c->summary, sizeof(c->summary), "exit %d", c->status);
	suite_append(&buf,
		     "json: %s/run.json  pcap: %s/pcap  svg: %s/run.svg\n",
		     c->dir, c->dir, c->dir);
	free(line);
	return buf;
}

/* Print @text with @prefix before each line. */
static void suite_print_lines(const char *prefix, const char *text)
{
	const char *l, *nl;

	for (l = text; *l; l = nl + 1) {
		nl = strchrnul(l, '\n');
		printf("%s%.*s\n", prefix, (int)(nl - l), l);
		if (!*nl)
			break;
	}
}

static double suite_secs(const struct suite_case *c)
{
	return (double)(c->t1 - c->t0) / 1e9;
}

/* Job i ended: its line, and for a failure what failed. */
static void suite_done(int i, int status, void *arg)
{
	struct suite *s = arg;
	struct suite_case *c = &s->cases[i];

	c->t1 = util_now_ns();
	if (status < 0)
		c->t0 = c->t1;
	c->status = status >= 0 && WIFEXITED(status) ? WEXITSTATUS(status) : 3;
	s->ended++;
	s->passed += !c->status;
	s->failed += !!c->status;
	s->env += c->status == 3;
	if (c->status)
		c->detail = suite_detail(c);
	if (s->o->tap) {
		printf("%s %d - %s (%.1fs)", c->status ? "not ok" : "ok",
		       s->ended, c->path, suite_secs(c));
		if (c->status)
			printf(" (exit %d)", c->status);
		printf("\n");
		if (c->detail)
			suite_print_lines("# ", c->detail);
	} else if (!c->status) {
		printf("ok    %-40s %5.1fs\n", c->path, suite_secs(c));
	} else {
		printf("FAIL  %-40s %5.1fs (exit %d)\n", c->path, suite_secs(c),
		       c->status);
		suite_print_lines("      ", c->detail);
	}
	fflush(stdout);
}

/* ---- JUnit XML ---- */

static void suite_xml_text(FILE *f, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&':
			fputs("&amp;", f);
			break;
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		default:
			/* XML 1.0 has no other control characters */
			if ((unsigned char)*s >= 0x20 || *s == '\n' ||
			    *s == '\t')
				fputc(*s, f);
		}
	}
}

/* classname: the file's directory with dots, as JUnit's packages
 * ("topo.claims"); name: the scenario's. */
static void suite_xml_case(FILE *f, const struct suite_case *c)
{
	const char *slash = strrchr(c->path, '/');
	char cls[PATH_MAX];
	char *p;

	snprintf(cls, sizeof(cls), "%.*s", slash ? (int)(slash - c->path) : 0,
		 c->path);
	p = cls + strspn(cls, "/.");
	memmove(cls, p, strlen(p) + 1);
	for (p = cls; *p; p++)
		if (*p == '/')
			*p = '.';
	fprintf(f, "    <testcase classname=\"");
	suite_xml_text(f, cls[0] ? cls : "natlab");
	fprintf(f, "\" name=\"");
	suite_xml_text(f, c->name);
	fprintf(f, "\" file=\"");
	suite_xml_text(f, c->path);
	fprintf(f, "\" time=\"%.3f\"", c->status < 0 ? 0.0 : suite_secs(c));
	if (!c->status) {
		fprintf(f, "/>\n");
		return;
	}
	fprintf(f, ">\n");
	if (c->status < 0) {
		fprintf(f,
			"      <skipped message=\"not run: interrupted\"/>\n");
	} else {
		/* JUnit: a failure is a check that failed, an error a
		 * test that could not run to its end. */
		const char *el = c->status == 1 ? "failure" : "error";

		fprintf(f, "      <%s message=\"", el);
		suite_xml_text(f, c->summary);
		fprintf(f, "\" type=\"%s\">",
			c->status == 1 ? "expectation" : "exit");
		suite_xml_text(f, c->detail ? c->detail : "");
		fprintf(f, "</%s>\n", el);
	}
	fprintf(f, "    </testcase>\n");
}

/* The whole report.  Return: 0 or -EIO (said so). */
static int suite_junit(const struct suite *s, FILE *f, double secs)
{
	int i, errors = 0, skipped = 0, failures = 0;
	char host[256] = "localhost", stamp[32];
	time_t now = time(NULL);
	struct tm tm;

	for (i = 0; i < s->n; i++) {
		failures += s->cases[i].status == 1;
		skipped += s->cases[i].status < 0;
		errors += s->cases[i].status > 1;
	}
	gethostname(host, sizeof(host) - 1);
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	fprintf(f,
		"<testsuites name=\"natlab test\" tests=\"%d\" "
		"failures=\"%d\" errors=\"%d\" skipped=\"%d\" "
		"time=\"%.3f\">\n",
		s->n, failures, errors, skipped, secs);
	fprintf(f,
		"  <testsuite name=\"natlab\" tests=\"%d\" failures=\"%d\" "
		"errors=\"%d\" skipped=\"%d\" time=\"%.3f\" "
		"timestamp=\"%s\" hostname=\"",
		s->n, failures, errors, skipped, secs, stamp);
	suite_xml_text(f, host);
	fprintf(f, "\">\n");
	for (i = 0; i < s->n; i++)
		suite_xml_case(f, &s->cases[i]);
	fprintf(f, "  </testsuite>\n</testsuites>\n");
	if (fflush(f) || ferror(f)) {
		log_errno(-errno, "cannot write %s", s->o->junit);
		return -EIO;
	}
	return 0;
}

/* ---- the suite ---- */

static void suite_free(struct suite *s)
{
	int i;

	for (i = 0; i < s->n; i++) {
		topo_free(&s->cases[i].t);
		free(s->cases[i].detail);
	}
	free(s->cases);
	for (i = 0; i < suite_nfound; i++)
		free(suite_found[i]);
	free(suite_found);
	suite_found = NULL;
	suite_nfound = 0;
}

/* Run the cases, a line each as each ends; then the counts. */
static void suite_run(struct suite *s, int jobs, uint64_t t0)
{
	static const struct jobs_ops ops = {
		.start = suite_start,
		.forked = suite_forked,
		.done = suite_done,
	};
	int i;

	for (i = 0; i < s->n; i++)
		snprintf(s->cases[i].lab, sizeof(s->cases[i].lab), "nt%d-%d",
			 (int)getpid(), i + 1);
	if (s->o->tap)
		printf("TAP version 13\n1..%d\n", s->n);
	fflush(stdout);
	jobs_run_ops(s->n, jobs, &ops, s, NULL);
	if (util_stop)
		log_err("interrupted: %d of %d scenarios not run; the labs "
			"that had started are removed",
			s->n - s->ended, s->n);
	printf("%sscenarios took %.1fs (%d at a time); results in %s\n",
	       s->o->tap ? "# " : "", (double)(util_now_ns() - t0) / 1e9, jobs,
	       s->out);
	printf("%s%d passed, %d failed\n", s->o->tap ? "# " : "", s->passed,
	       s->failed);
}

int suite_main(const struct suite_opts *o)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	int jobs = o->jobs > 0 ? o->jobs : cpus > 0 ? (int)cpus : 1;
	struct suite s = {.o = o};
	uint64_t t0 = util_now_ns();
	FILE *junit = NULL;
	int err;

	err = suite_collect(&s);
	if (!err)
		err = suite_dirs(&s);
	if (!err && o->junit) {
		junit = fopen(o->junit, "we");
		if (!junit) {
			log_errno(-errno, "cannot write %s (--junit)",
				  o->junit);
			err = -EINVAL;
		}
	}
	if (err)
		goto out;
	suite_run(&s, jobs, t0);
	if (junit && suite_junit(&s, junit, (double)(util_now_ns() - t0) / 1e9))
		err = -EIO;
	if (util_stop)
		err = -EINTR;
	else if (!err && s.env == s.n)
		err = -EIO; /* nothing ran, for the environment's reasons */
	else if (!err && s.failed)
		err = 1;
out:
	if (junit && fclose(junit) && !err)
		err = -EIO;
	suite_free(&s);
	return err;
}
