/* main.c - the natlab command line: a table of commands, exit statuses. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "default_topo.h"
#include "lab/lab.h"
#include "lab/state.h"
#include "lib/log.h"
#include "lib/progress.h"
#include "lib/util.h"
#include "rfc/rfc.h"
#include "run/matrix.h"
#include "run/report.h"
#include "run/run.h"
#include "run/suite.h"
#include "topo/topo.h"
#include "topo/topo_patch.h"
#include "version.h"

/* Exit statuses, as documented in the README. */
enum {
	EXIT_OK = 0,
	EXIT_EXPECT = 1, /* an expectation failed */
	EXIT_INPUT = 2,	 /* bad input or usage */
	EXIT_ENV = 3,	 /* not root, kernel feature missing, system error */
	EXIT_INTR = 130, /* interrupted by a signal */
};

#define DEFAULT_TOPO_NAME "default.topo (built in)"

static const char usage_text[] =
	"usage: natlab [-v] [-q] COMMAND [ARGS]\n"
	"\n"
	"  -v                         more messages (twice: debug)\n"
	"  -q                         no progress line on a terminal\n"
	"\n"
	"  up [-n NAME] [TOPO]        build the lab (default: the built-in "
	"default topology)\n"
	"  down [LAB|TOPO]            tear it down (idempotent)\n"
	"  status [-q] [LAB]          list labs, or show one lab's nodes\n"
	"                             (-q: names only, one a line)\n"
	"  exec LAB NODE -- CMD...    run a program inside a node\n"
	"  run [-n NAME] [--json F] [--csv F] [--svg F] [--pcap DIR]\n"
	"      [--clients all|auto|N] [--exit-status F] [TOPO]\n"
	"                             up, traffic, measure, report, down\n"
	"  matrix TOPO --axis KEY=V1,V2 [--axis ...] [--metric M,...]\n"
	"         [-n NAME] [--json F] [--csv F] [--svg F] [--jobs N]\n"
	"                             one run per combination, one table\n"
	"                             (--svg: each metric against the axes)\n"
	"  matrix TOPO --axis ... [--metric M,...] [-n NAME] --plan DIR\n"
	"                             check every combination, write DIR/jobs:\n"
	"                             one natlab run per line, to run from DIR\n"
	"                             on any host (no root needed to plan)\n"
	"  matrix [TOPO] --axis help  the keys an axis can take, one a line\n"
	"  matrix --collect DIR [--json F] [--csv F] [--svg F]\n"
	"                             the table again from DIR/results; exit 3\n"
	"                             if a cell is missing or failed\n"
	"  rfc [--profile P ...] [--rfc 4787,5382,5508,7857] [--json F] [TOPO]\n"
	"                             NAT behaviour (RFC 4787 UDP, 5382 TCP,\n"
	"                             5508 ICMP, 7857) of the gateway, one\n"
	"                             column per profile\n"
	"  test [--jobs N] [--junit F] [--tap] [--out DIR] DIR|TOPO...\n"
	"                             every topology with [expect] (DIRs\n"
	"                             searched), N side by side; exit 1 if\n"
	"                             one failed\n"
	"  check TOPO                 validate only\n"
	"  clean                      remove every leftover of crashed labs\n"
	"  version, --version         print natlab's version\n"
	"\n"
	"exit status: 0 ok, 1 expectation failed, 2 bad input or usage,\n"
	"3 environment (not root, kernel feature missing) or a matrix cell\n"
	"that did not finish (missing or failed), 130 interrupted\n";

/* The command being run ("run"), for its usage lines. */
static const char *usage_cmd;

/* Bad usage: the command's own lines of the usage text (all of it
 * outside a command), and exit status 2. */
static int usage(void)
{
	const char *l, *nl;
	size_t n = usage_cmd ? strlen(usage_cmd) : 0;
	int in = 0;

	if (!usage_cmd) {
		fputs(usage_text, stderr);
		return EXIT_INPUT;
	}
	fprintf(stderr, "usage (natlab --help shows every command):\n");
	for (l = usage_text; (nl = strchr(l, '\n')); l = nl + 1) {
		if (l[0] != ' ')
			in = 0;
		else if (l[2] != ' ')
			in = !strncmp(l + 2, usage_cmd, n) && l[2 + n] == ' ';
		if (in)
			fprintf(stderr, "%.*s\n", (int)(nl - l), l);
	}
	return EXIT_INPUT;
}

/* --jobs N of matrix and test.  Return: 0 or -EINVAL (said why). */
static int jobs_arg(const char *arg, int *jobs)
{
	unsigned long n;

	if (util_parse_ulong(arg, 1, 1024, &n)) {
		log_err("--jobs %s: expected a number 1..1024", arg);
		return -EINVAL;
	}
	*jobs = (int)n;
	return 0;
}

/* Commands that make or enter namespaces need root: say so at once. */
static int need_root(const char *cmd)
{
	if (geteuid() == 0)
		return 0;
	log_err("natlab %s needs root (it makes and enters network "
		"namespaces): run it as root, e.g. sudo natlab %s ...",
		cmd, cmd);
	return EXIT_ENV;
}

static int exit_status(int err)
{
	switch (err) {
	case 0:
		return EXIT_OK;
	case -EINVAL:
	case -EEXIST:
	case -ENOENT:
	case -ECANCELED:
		return EXIT_INPUT;
	case -EINTR:
		return EXIT_INTR;
	default:
		return EXIT_ENV;
	}
}

/* Load TOPO (or the built-in default) and apply -n NAME. */
static int load_topo(struct topo *t, const char *path, const char *name)
{
	int err;

	if (path)
		err = topo_parse_file(t, path);
	else
		err = topo_parse_buf(t, DEFAULT_TOPO_NAME,
				     (const char *)default_topo,
				     default_topo_len);
	if (err) {
		topo_print_errors(t);
		return err == -EINVAL ? err : -ENOENT;
	}
	if (name && topo_set_name(t, name)) {
		log_err("-n %s: a lab name is [a-z0-9][a-z0-9_-]*, at most %d "
			"characters",
			name, TOPO_LAB_MAX);
		return -EINVAL;
	}
	return 0;
}

/* Options shared by up and run: -n NAME, then at most one TOPO. */
static int topo_args(int argc, char **argv, const char **path,
		     const char **name)
{
	int c;

	*path = NULL;
	*name = NULL;
	optind = 1;
	while ((c = getopt(argc, argv, "+n:")) != -1) {
		if (c != 'n')
			return -EINVAL;
		*name = optarg;
	}
	if (argc - optind > 1)
		return -EINVAL;
	if (argc - optind == 1)
		*path = argv[optind];
	return 0;
}

static int cmd_up(int argc, char **argv)
{
	const char *path, *name;
	struct topo t = {0};
	int err;

	if (topo_args(argc, argv, &path, &name))
		return usage();
	if (need_root("up"))
		return EXIT_ENV;
	err = load_topo(&t, path, name);
	if (!err)
		err = lab_up(&t, path ? path : DEFAULT_TOPO_NAME);
	if (!err)
		printf("lab %s is up: %d nodes (natlab status %s)\n", t.name,
		       t.nnodes, t.name);
	topo_free(&t);
	return exit_status(err);
}

/* --exit-status F: the run's exit status as a line, written as the run
 * ends whatever the end, so that a sweep run elsewhere tells a run that
 * failed from one that never ran.  With @status -1 the file is emptied
 * as the run starts (a bad path fails before any lab is built, and a run
 * killed outright leaves it empty).  Return: @status (0 for -1), or the
 * status for a file that cannot be written. */
static int run_exit_file(const char *path, int status)
{
	FILE *f;

	if (!path)
		return status < 0 ? 0 : status;
	f = fopen(path, "we");
	if (f && status >= 0 && fprintf(f, "%d\n", status) < 0) {
		fclose(f);
		f = NULL;
	}
	if (!f || fclose(f)) {
		log_errno(-errno, "cannot write %s", path);
		return status < 0 ? EXIT_INPUT : status ? status : EXIT_ENV;
	}
	return status < 0 ? 0 : status;
}

static int cmd_run(int argc, char **argv)
{
	static const struct option opts[] = {
		{"name", required_argument, NULL, 'n'},
		{"json", required_argument, NULL, 'j'},
		{"csv", required_argument, NULL, 'c'},
		{"svg", required_argument, NULL, 's'},
		{"pcap", required_argument, NULL, 'p'},
		{"exit-status", required_argument, NULL, 'x'},
		{"clients", required_argument, NULL, 'C'},
		{NULL, 0, NULL, 0},
	};
	struct run_opts ro = {0};
	const char *name = NULL, *exit_file = NULL;
	struct topo t = {0};
	int c, err;

	optind = 1;
	while ((c = getopt_long(argc, argv, "n:", opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			name = optarg;
			break;
		case 'j':
			ro.json = optarg;
			break;
		case 'c':
			ro.csv = optarg;
			break;
		case 's':
			ro.svg = optarg;
			break;
		case 'p':
			ro.pcap = optarg;
			break;
		case 'x':
			exit_file = optarg;
			break;
		case 'C':
			if (report_clients_parse(optarg, &ro.clients)) {
				log_err("--clients %s: expected all, auto or a "
					"number 1..%d",
					optarg, REPORT_CLIENTS_MAX);
				return exit_status(-EINVAL);
			}
			break;
		default:
			return usage();
		}
	}
	if (argc - optind > 1)
		return run_exit_file(exit_file, usage());
	if (run_exit_file(exit_file, -1))
		return EXIT_INPUT;
	if (need_root("run"))
		return run_exit_file(exit_file, EXIT_ENV);
	err = load_topo(&t, argc - optind ? argv[optind] : NULL, name);
	if (!err)
		err = run_main(&t,
			       argc - optind ? argv[optind] : DEFAULT_TOPO_NAME,
			       &ro);
	topo_free(&t);
	return run_exit_file(exit_file,
			     err == 1 ? EXIT_EXPECT : exit_status(err));
}

/* A LAB argument may also be a topology file: use its lab name. */
static int lab_arg(const char *arg, char *name, size_t len)
{
	struct topo t = {0};
	int err;

	if (!arg)
		return lab_only(name, len);
	if (topo_valid_lab_name(arg) || access(arg, F_OK)) {
		snprintf(name, len, "%s", arg);
		return 0;
	}
	err = topo_parse_file(&t, arg);
	if (err)
		topo_print_errors(&t);
	else
		snprintf(name, len, "%s", t.name);
	topo_free(&t);
	return err ? -EINVAL : 0;
}

static int cmd_down(int argc, char **argv)
{
	char name[64];
	struct state s;
	int err, was;

	if (argc > 2)
		return usage();
	err = lab_arg(argc == 2 ? argv[1] : NULL, name, sizeof(name));
	if (err == -ENOENT) {
		printf("no lab is up\n");
		return EXIT_OK;
	}
	if (err)
		return EXIT_INPUT;
	if (need_root("down"))
		return EXIT_ENV;
	/* down is idempotent; it only says when there was nothing. */
	was = state_load(&s, name);
	if (!was)
		state_free(&s);
	err = lab_down(name);
	if (!err && was == -ENOENT)
		printf("no lab named %s: nothing to take down\n", name);
	else if (!err)
		printf("lab %s is down\n", name);
	return exit_status(err);
}

/* status -q: names only, one a line (the bash completion's source). */
static int cmd_status(int argc, char **argv)
{
	int quiet = argc > 1 && !strcmp(argv[1], "-q");

	argc -= quiet;
	argv += quiet;
	if (argc > 2)
		return usage();
	if (quiet)
		return exit_status(lab_names(argc == 2 ? argv[1] : NULL));
	return exit_status(lab_status(argc == 2 ? argv[1] : NULL));
}

static int cmd_exec(int argc, char **argv)
{
	int cmd = 3;

	if (argc < 4)
		return usage();
	if (!strcmp(argv[3], "--"))
		cmd = 4;
	if (cmd >= argc)
		return usage();
	if (need_root("exec"))
		return EXIT_ENV;
	return exit_status(lab_exec(argv[1], argv[2], argv + cmd));
}

/* --collect DIR: only --json, --csv and --svg go with it. */
static int matrix_collect_cmd(int argc, const char *dir, int other,
			      struct matrix_opts *mo)
{
	int err;

	if (other || argc != optind) {
		log_err("--collect takes the axes, metrics and topology from "
			"%s/plan.json: only --json, --csv and --svg go with "
			"it",
			dir);
		return EXIT_INPUT;
	}
	err = matrix_collect(dir, mo);
	return err == 1 ? EXIT_EXPECT : exit_status(err);
}

/* matrix TOPO, local or --plan DIR. */
static int matrix_topo_cmd(const char *path, const char *name, const char *plan,
			   struct matrix_opts *mo)
{
	char *text = NULL;
	size_t len = 0;
	int err;

	if (plan && (mo->json || mo->csv || mo->svg || mo->jobs)) {
		log_err("--plan writes jobs; --json, --csv, --svg and --jobs "
			"go with a local matrix or with --collect");
		return EXIT_INPUT;
	}
	if (!plan && need_root("matrix"))
		return EXIT_ENV;
	err = util_read_whole(path, &text, &len);
	if (err) {
		log_errno(err, "%s", path);
		return EXIT_INPUT;
	}
	if (plan)
		err = matrix_plan(path, text, len, name, mo, plan);
	else
		err = matrix_main(path, text, len, name, mo);
	free(text);
	return err == 1 ? EXIT_EXPECT : exit_status(err);
}

/* --axis help: the keys an axis can take in TOPO (by default the
 * built-in topology), one a line. */
static int matrix_keys_cmd(const char *path)
{
	struct topo t = {0};
	int err = load_topo(&t, path, NULL);

	if (!err)
		topo_patch_keys(&t, stdout);
	topo_free(&t);
	return exit_status(err);
}

static int cmd_matrix(int argc, char **argv)
{
	static const struct option opts[] = {
		{"name", required_argument, NULL, 'n'},
		{"axis", required_argument, NULL, 'a'},
		{"metric", required_argument, NULL, 'm'},
		{"json", required_argument, NULL, 'j'},
		{"csv", required_argument, NULL, 'c'},
		{"svg", required_argument, NULL, 's'},
		{"jobs", required_argument, NULL, 'J'},
		{"plan", required_argument, NULL, 'P'},
		{"collect", required_argument, NULL, 'C'},
		{NULL, 0, NULL, 0},
	};
	struct matrix_opts mo = {0};
	const char *name = NULL, *plan = NULL, *collect = NULL;
	int c, rc, keys = 0, err = 0;

	optind = 1;
	while (!err && (c = getopt_long(argc, argv, "n:", opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			name = optarg;
			break;
		case 'a':
			if (!strcmp(optarg, "help")) {
				keys = 1;
				break;
			}
			if (mo.naxes == MATRIX_AXES_MAX) {
				log_err("at most %d axes", MATRIX_AXES_MAX);
				err = -EINVAL;
				break;
			}
			err = matrix_parse_axis(optarg, &mo.axes[mo.naxes]);
			mo.naxes++;
			break;
		case 'm':
			free(mo.metrics);
			mo.metrics = xstrdup(optarg);
			break;
		case 'j':
			mo.json = optarg;
			break;
		case 'c':
			mo.csv = optarg;
			break;
		case 's':
			mo.svg = optarg;
			break;
		case 'J':
			err = jobs_arg(optarg, &mo.jobs);
			break;
		case 'P':
			plan = optarg;
			break;
		case 'C':
			collect = optarg;
			break;
		default:
			err = -EINVAL;
		}
	}
	if (err)
		rc = EXIT_INPUT;
	else if (keys)
		rc = matrix_keys_cmd(argc - optind ? argv[optind] : NULL);
	else if (collect && !plan)
		rc = matrix_collect_cmd(
			argc, collect,
			name || mo.naxes || mo.metrics || mo.jobs, &mo);
	else if (argc - optind != 1 || !mo.naxes || collect)
		rc = usage();
	else
		rc = matrix_topo_cmd(argv[optind], name, plan, &mo);
	matrix_opts_free(&mo);
	return rc;
}

static int cmd_rfc(int argc, char **argv)
{
	static const struct option opts[] = {
		{"profile", required_argument, NULL, 'p'},
		{"json", required_argument, NULL, 'j'},
		{"rfc", required_argument, NULL, 'r'},
		{NULL, 0, NULL, 0},
	};
	struct rfc_opts ro = {0};
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "p:", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			if (rfc_add_profile(&ro, optarg))
				return EXIT_INPUT;
			break;
		case 'j':
			ro.json = optarg;
			break;
		case 'r':
			if (rfc_add_docs(&ro, optarg))
				return EXIT_INPUT;
			break;
		default:
			return usage();
		}
	}
	if (argc - optind > 1)
		return usage();
	ro.topo = argc - optind ? argv[optind] : NULL;
	if (need_root("rfc"))
		return EXIT_ENV;
	return exit_status(rfc_main(&ro));
}

static int cmd_test(int argc, char **argv)
{
	static const struct option opts[] = {
		{"jobs", required_argument, NULL, 'j'},
		{"junit", required_argument, NULL, 'J'},
		{"tap", no_argument, NULL, 't'},
		{"out", required_argument, NULL, 'o'},
		{NULL, 0, NULL, 0},
	};
	struct suite_opts so = {0};
	int c, err;

	optind = 1;
	while ((c = getopt_long(argc, argv, "j:", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			if (jobs_arg(optarg, &so.jobs))
				return EXIT_INPUT;
			break;
		case 'J':
			so.junit = optarg;
			break;
		case 't':
			so.tap = 1;
			break;
		case 'o':
			so.out = optarg;
			break;
		default:
			return usage();
		}
	}
	if (optind == argc) {
		log_err("natlab test: name the topologies or directories to "
			"test (e.g. natlab test topo)");
		return usage();
	}
	if (need_root("test"))
		return EXIT_ENV;
	so.paths = argv + optind;
	so.npaths = argc - optind;
	err = suite_main(&so);
	return err == 1 ? EXIT_EXPECT : exit_status(err);
}

static int cmd_check(int argc, char **argv)
{
	struct topo t = {0};
	int err, i, g = 0, s = 0, c = 0, lb = 0;

	if (argc != 2)
		return usage();
	err = topo_parse_file(&t, argv[1]);
	if (err) {
		topo_print_errors(&t);
		topo_free(&t);
		return EXIT_INPUT;
	}
	for (i = 0; i < t.nnodes; i++) {
		g += t.nodes[i].kind == TOPO_GATEWAY;
		s += t.nodes[i].kind == TOPO_SERVER;
		c += t.nodes[i].kind == TOPO_CLIENT;
		lb += t.nodes[i].kind == TOPO_BALANCER;
	}
	printf("configuration OK: lab %s, %d networks, %d gateways, ", t.name,
	       t.nnets, g);
	if (lb)
		printf("%d balancers, ", lb);
	printf("%d servers, %d clients\n", s, c);
	topo_free(&t);
	return EXIT_OK;
}

static int cmd_clean(int argc, char **argv)
{
	int n;

	(void)argv;
	if (argc != 1)
		return usage();
	if (need_root("clean"))
		return EXIT_ENV;
	n = lab_clean();
	if (n < 0)
		return exit_status(n);
	printf("%d crashed lab%s cleaned\n", n, n == 1 ? "" : "s");
	return EXIT_OK;
}

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
} commands[] = {
	{"up", cmd_up},	      {"down", cmd_down},     {"status", cmd_status},
	{"exec", cmd_exec},   {"run", cmd_run},	      {"check", cmd_check},
	{"clean", cmd_clean}, {"matrix", cmd_matrix}, {"rfc", cmd_rfc},
	{"test", cmd_test},
};

int main(int argc, char **argv)
{
	const char *fail = getenv("NATLAB_FAIL_AFTER");
	static char prog[32];
	size_t i;

	while (argc > 1 && (!strcmp(argv[1], "-v") || !strcmp(argv[1], "-q"))) {
		if (argv[1][1] == 'v')
			log_verbose++;
		else
			progress_quiet = 1;
		argv++;
		argc--;
	}
	if (argc < 2)
		return usage();
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") ||
	    !strcmp(argv[1], "help")) {
		fputs(usage_text, stdout);
		return EXIT_OK;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version")) {
		printf("natlab %s\n", NATLAB_VERSION);
		return EXIT_OK;
	}
	if (fail)
		lab_fail_after = atoi(fail);
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(argv[1], commands[i].name))
			continue;
		/* getopt's messages begin with argv[0]: "natlab run: ..." */
		usage_cmd = commands[i].name;
		snprintf(prog, sizeof(prog), "natlab %s", usage_cmd);
		argv[1] = prog;
		return commands[i].fn(argc - 1, argv + 1);
	}
	log_err("unknown command '%s' (natlab --help lists the commands)",
		argv[1]);
	return EXIT_INPUT;
}
