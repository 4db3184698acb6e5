/* matrix.c - natlab matrix: one run per combination of axis values. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/log.h"
#include "run/matrix.h"
#include "run/report.h"
#include "run/run.h"
#include "lab/state.h"
#include "topo/topo.h"
#include "lib/util.h"

/*
 * Theory of operation.  A cell is the topology with one value per axis
 * written into its text, so every cell goes through the same parser and
 * validator as a file would, and all of them are checked before any lab
 * is built.  Cells run as child processes, each a complete "natlab run"
 * of its own lab (the base lab name with "-<cell>"), at most one per CPU
 * at a time: separate labs share nothing but the CPUs.  A child leaves
 * its metrics in a file the parent reads.
 */

struct cell {
	char *text; /* the topology with this cell's values */
	int values[MATRIX_AXES_MAX];
	pid_t pid;
	int status; /* exit status of its run, -1 before */
	char metrics_path[PATH_MAX];
	struct metrics m;
};

static volatile sig_atomic_t matrix_stop;

static void matrix_on_signal(int sig)
{
	(void)sig;
	matrix_stop = 1;
}

int matrix_parse_axis(const char *arg, struct matrix_axis *a)
{
	const char *eq = strchr(arg, '=');
	char *vals, *tok, *save = NULL;

	memset(a, 0, sizeof(*a));
	if (!eq || eq == arg || !strchr(arg, '.') || strchr(arg, '.') > eq) {
		log_err("--axis %s: expected NODE.KEY=V1,V2,... (e.g. "
			"srv.legacy.tcp_tw_recycle=0,1)",
			arg);
		return -EINVAL;
	}
	a->key = xstrdup(arg);
	a->key[eq - arg] = '\0';
	vals = xstrdup(eq + 1);
	for (tok = strtok_r(vals, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (a->nvalues == MATRIX_VALUES_MAX) {
			log_err("--axis %s: at most %d values", a->key,
				MATRIX_VALUES_MAX);
			free(vals);
			return -EINVAL;
		}
		a->values[a->nvalues++] = xstrdup(tok);
	}
	free(vals);
	if (!a->nvalues) {
		log_err("--axis %s: no values", a->key);
		return -EINVAL;
	}
	return 0;
}

void matrix_opts_free(struct matrix_opts *o)
{
	int i, k;

	for (i = 0; i < o->naxes; i++) {
		free(o->axes[i].key);
		for (k = 0; k < o->axes[i].nvalues; k++)
			free(o->axes[i].values[k]);
	}
	free(o->metrics);
}

/* "[ server  srv ]" -> "server srv"; NULL if the line is no header. */
static int header_is(const char *line, size_t len, const char *want)
{
	char buf[128];
	size_t i, n = 0;
	int space = 0;

	while (len && (*line == ' ' || *line == '\t')) {
		line++;
		len--;
	}
	while (len && (line[len - 1] == ' ' || line[len - 1] == '\t' ||
		       line[len - 1] == '\r'))
		len--;
	if (len < 2 || line[0] != '[' || line[len - 1] != ']')
		return -1;
	for (i = 1; i + 1 < len && n + 1 < sizeof(buf); i++) {
		if (line[i] == ' ' || line[i] == '\t') {
			space = n > 0;
			continue;
		}
		if (space)
			buf[n++] = ' ';
		space = 0;
		buf[n++] = line[i];
	}
	buf[n] = '\0';
	return !strcmp(buf, want);
}

/* Does the line set KEY (ignoring spaces)? */
static int line_sets(const char *line, size_t len, const char *key)
{
	size_t klen = strlen(key);

	while (len && (*line == ' ' || *line == '\t')) {
		line++;
		len--;
	}
	if (len <= klen || strncmp(line, key, klen))
		return 0;
	line += klen;
	len -= klen;
	while (len && (*line == ' ' || *line == '\t')) {
		line++;
		len--;
	}
	return len && *line == '=';
}

char *matrix_apply(const char *text, const char *key, const char *value)
{
	static const char *const kinds[] = {"gateway", "server", "client",
					    "network"};
	const char *dot = strchr(key, '.'), *rest, *p, *sect = NULL;
	const char *insert_at = NULL, *replace = NULL, *replace_end = NULL;
	char node[64], want[96];
	size_t i, total = strlen(text);
	char *out;
	int in = 0;

	if (!dot || (size_t)(dot - key) >= sizeof(node)) {
		errno = EINVAL;
		return NULL;
	}
	memcpy(node, key, (size_t)(dot - key));
	node[dot - key] = '\0';
	rest = dot + 1;
	for (p = text; p < text + total;) {
		const char *nl = memchr(p, '\n', (size_t)(text + total - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(text + total - p);
		const char *next = nl ? nl + 1 : text + total;
		int h = -1;

		if (!strcmp(node, "clients") || !strcmp(node, "traffic") ||
		    !strcmp(node, "lab") || !strcmp(node, "expect")) {
			h = header_is(p, len, node);
		} else {
			for (i = 0; i < ARRAY_SIZE(kinds) && h != 1; i++) {
				snprintf(want, sizeof(want), "%s %s", kinds[i],
					 node);
				h = header_is(p, len, want);
			}
		}
		if (h == 1) {
			in = 1;
			sect = p;
			insert_at = next;
		} else if (h == 0) {
			in = 0;
		} else if (in && line_sets(p, len, rest)) {
			replace = p;
			replace_end = next;
		}
		p = next;
	}
	out = xcalloc(1, total + strlen(key) + strlen(value) + 64);
	if (replace) {
		size_t head = (size_t)(replace - text);

		memcpy(out, text, head);
		sprintf(out + head, "%s = %s\n%s", rest, value, replace_end);
	} else if (sect) {
		size_t head = (size_t)(insert_at - text);

		memcpy(out, text, head);
		if (head && out[head - 1] != '\n')
			out[head++] = '\n';
		sprintf(out + head, "%s = %s\n%s", rest, value, insert_at);
	} else {
		/* No section: [traffic] and the like get theirs, and so does
		 * a generated client (matrix_main() checked that NODE is a
		 * node or one of those). */
		int single = !strcmp(node, "clients") ||
			     !strcmp(node, "traffic") || !strcmp(node, "lab");

		sprintf(out, "%s%s[%s%s]\n%s = %s\n", text,
			total && text[total - 1] != '\n' ? "\n" : "",
			single ? "" : "client ", node, rest, value);
	}
	return out;
}

/* The cells, in row-major order of the axes. */
static struct cell *matrix_cells(const char *text, struct matrix_opts *o,
				 int *ncells)
{
	struct cell *cells;
	int n = 1, i, a;

	for (a = 0; a < o->naxes; a++)
		n *= o->axes[a].nvalues;
	cells = xcalloc(n, sizeof(*cells));
	for (i = 0; i < n; i++) {
		int rem = i;
		char *cur = xstrdup(text);

		for (a = o->naxes - 1; a >= 0; a--) {
			char *next;

			cells[i].values[a] = rem % o->axes[a].nvalues;
			rem /= o->axes[a].nvalues;
			next = matrix_apply(
				cur, o->axes[a].key,
				o->axes[a].values[cells[i].values[a]]);
			free(cur);
			cur = next;
			if (!cur)
				break;
		}
		cells[i].text = cur;
		cells[i].status = -1;
	}
	*ncells = n;
	return cells;
}

/* Parse every cell before anything is built. */
static int matrix_check(const char *path, struct matrix_opts *o,
			struct cell *cells, int ncells)
{
	int i, a, err = 0;

	for (i = 0; i < ncells; i++) {
		struct topo t = {0};

		if (!cells[i].text) {
			log_err("%s: an --axis key names no section of the "
				"topology",
				path);
			return -EINVAL;
		}
		if (!topo_parse_buf(&t, path, cells[i].text,
				    strlen(cells[i].text))) {
			topo_free(&t);
			continue;
		}
		fprintf(stderr, "natlab: matrix cell");
		for (a = 0; a < o->naxes; a++)
			fprintf(stderr, " %s=%s", o->axes[a].key,
				o->axes[a].values[cells[i].values[a]]);
		fprintf(stderr, " (lines count as in the file with the axis "
				"values written in):\n");
		topo_print_errors(&t);
		topo_free(&t);
		err = -EINVAL;
		break;
	}
	return err;
}

static void cell_run(struct cell *c, const char *path, const char *name)
{
	struct run_opts ro = {.metrics_out = c->metrics_path};
	struct topo t = {0};
	int fd, err;

	fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (fd >= 0) {
		dup2(fd, STDOUT_FILENO);
		close(fd);
	}
	if (topo_parse_buf(&t, path, c->text, strlen(c->text)) ||
	    topo_set_name(&t, name))
		_exit(2);
	err = run_main(&t, path, &ro);
	topo_free(&t);
	_exit(err == 1 ? 1 : err == -EINTR ? 130 : err ? 3 : 0);
}

static void cell_read_metrics(struct cell *c)
{
	char line[256], name[64];
	double v;
	int ms;
	FILE *f = fopen(c->metrics_path, "re");

	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *dot;

		if (sscanf(line, "%63s %lf %d", name, &v, &ms) != 3)
			continue;
		dot = strchr(name, '.');
		if (!dot)
			continue;
		*dot = '\0';
		metrics_set(&c->m, name, dot + 1, v, ms);
	}
	fclose(f);
	unlink(c->metrics_path);
}

/* The default columns: attempts, drops by reason, failures, p99. */
static char *matrix_default_metrics(const char *srv)
{
	char buf[512];

	snprintf(buf, sizeof(buf),
		 "clients.attempts,%s.syn_dropped,%s.paws_passive,"
		 "%s.listen_overflows,%s.paws_timewait,clients.failed,"
		 "clients.connect_p99",
		 srv, srv, srv, srv);
	return xstrdup(buf);
}

/* One field of a row: aligned for the terminal, bare for CSV. */
static void put_field(FILE *f, int csv, int first, int width, int left,
		      const char *text)
{
	if (csv)
		fprintf(f, "%s%s", first ? "" : ",", text);
	else if (left)
		fprintf(f, "%s%-*s", first ? "" : "  ", width, text);
	else
		fprintf(f, "%s%*s", first ? "" : "  ", width, text);
}

static void matrix_print(FILE *f, struct matrix_opts *o, struct cell *cells,
			 int ncells, char **cols, int ncols, int csv)
{
	int i, a, k, w[MATRIX_AXES_MAX + 64];

	for (a = 0; a < o->naxes; a++) {
		w[a] = (int)strlen(o->axes[a].key);
		for (k = 0; k < o->axes[a].nvalues; k++)
			if ((int)strlen(o->axes[a].values[k]) > w[a])
				w[a] = (int)strlen(o->axes[a].values[k]);
	}
	for (k = 0; k < ncols && k < 64; k++)
		w[o->naxes + k] =
			(int)strlen(cols[k]) > 9 ? (int)strlen(cols[k]) : 9;
	for (a = 0; a < o->naxes; a++)
		put_field(f, csv, !a, w[a], 1, o->axes[a].key);
	for (k = 0; k < ncols && k < 64; k++)
		put_field(f, csv, 0, w[o->naxes + k], 0, cols[k]);
	put_field(f, csv, 0, 0, 1, csv ? "status" : "result");
	fputc('\n', f);
	for (i = 0; i < ncells; i++) {
		for (a = 0; a < o->naxes; a++)
			put_field(f, csv, !a, w[a], 1,
				  o->axes[a].values[cells[i].values[a]]);
		for (k = 0; k < ncols && k < 64; k++) {
			const struct metric *m =
				metrics_get(&cells[i].m, cols[k]);
			char v[32];

			if (!m)
				snprintf(v, sizeof(v), "-");
			else if (m->ms)
				snprintf(v, sizeof(v), "%.1fms", m->value);
			else
				snprintf(v, sizeof(v), "%g", m->value);
			put_field(f, csv, 0, w[o->naxes + k], 0, v);
		}
		put_field(f, csv, 0, 0, 1,
			  cells[i].status == 0	 ? "ok"
			  : cells[i].status == 1 ? "expect-failed"
						 : "error");
		fputc('\n', f);
	}
}

static int matrix_json(FILE *f, struct matrix_opts *o, struct cell *cells,
		       int ncells)
{
	int i, a, k;

	fprintf(f, "{\n  \"schema\": \"natlab-matrix/1\",\n  \"axes\": [");
	for (a = 0; a < o->naxes; a++) {
		fprintf(f, "%s", a ? ", " : "");
		report_json_string(f, o->axes[a].key);
	}
	fprintf(f, "],\n  \"cells\": [");
	for (i = 0; i < ncells; i++) {
		fprintf(f, "%s\n    {\"values\": {", i ? "," : "");
		for (a = 0; a < o->naxes; a++) {
			fprintf(f, "%s", a ? ", " : "");
			report_json_string(f, o->axes[a].key);
			fprintf(f, ": ");
			report_json_string(
				f, o->axes[a].values[cells[i].values[a]]);
		}
		fprintf(f, "}, \"status\": %d, \"metrics\": {",
			cells[i].status);
		for (k = 0; k < cells[i].m.n; k++) {
			fprintf(f, "%s", k ? ", " : "");
			report_json_string(f, cells[i].m.v[k].name);
			fprintf(f, ": %.17g", cells[i].m.v[k].value);
		}
		fprintf(f, "}}");
	}
	fprintf(f, "\n  ]\n}\n");
	return ferror(f) ? -EIO : 0;
}

int matrix_main(const char *path, const char *text, size_t len,
		const char *name, struct matrix_opts *o)
{
	char *copy = xcalloc(1, len + 1), **cols = NULL, *tok, *save = NULL;
	int ncells = 0, i, running = 0, next = 0, done = 0, ncols = 0, err;
	FILE *json = NULL, *csv = NULL;
	struct cell *cells = NULL;
	struct topo base = {0};
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	int jobs = o->jobs > 0 ? o->jobs : cpus > 0 ? (int)cpus : 1;
	int tty = isatty(STDERR_FILENO), failed = 0, broken = 0;

	memcpy(copy, text, len);
	err = topo_parse_buf(&base, path, copy, len);
	if (err) {
		topo_print_errors(&base);
		goto out;
	}
	if (name && topo_set_name(&base, name)) {
		log_err("-n %s: not a lab name", name);
		err = -EINVAL;
		goto out;
	}
	if (strlen(base.name) > TOPO_LAB_MAX - 4) {
		log_err("lab name %s: at most %d characters for a matrix (each "
			"cell adds -NNN)",
			base.name, TOPO_LAB_MAX - 4);
		err = -EINVAL;
		goto out;
	}
	if (base.traffic.server < 0) {
		log_err("%s: the lab has no server to send traffic to", path);
		err = -EINVAL;
		goto out;
	}
	for (i = 0; i < o->naxes; i++) {
		char node[64];
		const char *dot = strchr(o->axes[i].key, '.');

		snprintf(node, sizeof(node), "%.*s",
			 (int)(dot - o->axes[i].key), o->axes[i].key);
		if (strcmp(node, "clients") && strcmp(node, "traffic") &&
		    strcmp(node, "lab") && topo_find_node(&base, node) < 0 &&
		    topo_find_net(&base, node) < 0) {
			log_err("--axis %s: %s has no node or network '%s' "
				"(or use clients., traffic., lab.)",
				o->axes[i].key, path, node);
			err = -EINVAL;
			goto out;
		}
	}
	if (!o->metrics)
		o->metrics = matrix_default_metrics(
			base.nodes[base.traffic.server].name);
	for (tok = strtok_r(o->metrics, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		cols = xrealloc(cols, ncols + 1, sizeof(*cols));
		cols[ncols++] = tok;
	}
	cells = matrix_cells(copy, o, &ncells);
	err = matrix_check(path, o, cells, ncells);
	if (!err && ((o->json && !(json = fopen(o->json, "we"))) ||
		     (o->csv && !(csv = fopen(o->csv, "we"))))) {
		log_errno(-errno, "cannot write %s", json ? o->csv : o->json);
		err = -EINVAL;
	}
	if (err)
		goto out;

	util_catch_signals(matrix_on_signal);
	while (done < ncells) {
		int status;
		pid_t pid;

		while (!matrix_stop && running < jobs && next < ncells) {
			struct cell *c = &cells[next];
			char cname[TOPO_LAB_MAX + 1];

			snprintf(cname, sizeof(cname), "%s-%d", base.name,
				 next + 1);
			snprintf(c->metrics_path, sizeof(c->metrics_path),
				 "%s/%s.metrics", STATE_DIR, cname);
			fflush(NULL);
			c->pid = fork();
			if (c->pid == 0)
				cell_run(c, path, cname);
			if (c->pid < 0) {
				c->status = 3;
				done++;
			} else {
				running++;
			}
			next++;
		}
		if (matrix_stop && !running)
			break;
		pid = waitpid(-1, &status, 0);
		if (pid < 0) {
			if (errno == EINTR) {
				for (i = 0; i < ncells; i++)
					if (cells[i].pid > 0 &&
					    cells[i].status < 0)
						kill(cells[i].pid, SIGTERM);
				continue;
			}
			break;
		}
		for (i = 0; i < ncells; i++) {
			if (cells[i].pid != pid)
				continue;
			cells[i].status =
				WIFEXITED(status) ? WEXITSTATUS(status) : 3;
			cell_read_metrics(&cells[i]);
			failed += cells[i].status == 1;
			broken += cells[i].status > 1;
		}
		running--;
		done++;
		if (tty)
			fprintf(stderr, "\rmatrix: %d of %d cells done", done,
				ncells);
	}
	if (tty)
		fprintf(stderr, "\n");
	matrix_print(stdout, o, cells, ncells, cols, ncols, 0);
	if (csv)
		matrix_print(csv, o, cells, ncells, cols, ncols, 1);
	if (json)
		matrix_json(json, o, cells, ncells);
	err = matrix_stop ? -EINTR : broken ? -EIO : failed ? 1 : 0;
out:
	for (i = 0; i < ncells; i++) {
		free(cells[i].text);
		metrics_free(&cells[i].m);
	}
	free(cells);
	free(cols);
	free(copy);
	if (json)
		fclose(json);
	if (csv)
		fclose(csv);
	topo_free(&base);
	return err;
}
