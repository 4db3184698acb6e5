/* report.c - the cost of a run's metrics and reports as the number of
 * clients grows: a synthetic run (tests/unit/synth_run.c) of N clients
 * with a few connections each, timed stage by stage, with the peak RSS.
 * Usage: bench-report CONNS N...    one line per N, then the ratio of
 * the last N's times to the first's, against the ratio of the sizes. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

#include "run/report.h"
#include "run/report_svg.h"
#include "synth_run.h"

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static long peak_kib(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

enum { CAPTURE, METRICS, TABLE, SUMMARY, JSON, CSV, SVG, NSTAGES };

static const char *const stage_name[NSTAGES] = {
	"capture", "metrics", "table", "--clients all", "json", "csv", "svg",
};

/* One run of @clients clients: each stage's seconds in @sec.
 * Return: 0, or -1 if the synthetic lab could not be made. */
static int bench_one(int clients, int conns, double *sec)
{
	struct synth_run s;
	FILE *null = fopen("/dev/null", "w");
	double t0 = now_s();
	int err = -1;

	if (!null)
		return -1;
	if (synth_run_make(&s, clients, conns))
		goto out;
	sec[CAPTURE] = now_s() - t0;
	t0 = now_s();
	synth_run_metrics(&s);
	sec[METRICS] = now_s() - t0;
	t0 = now_s();
	report_table(null, &s.d, REPORT_CLIENTS_AUTO);
	sec[TABLE] = now_s() - t0;
	t0 = now_s();
	report_table(null, &s.d, REPORT_CLIENTS_ALL);
	sec[SUMMARY] = now_s() - t0;
	t0 = now_s();
	report_json(null, &s.d);
	sec[JSON] = now_s() - t0;
	t0 = now_s();
	report_csv(null, &s.d);
	sec[CSV] = now_s() - t0;
	t0 = now_s();
	report_svg(null, &s.d);
	sec[SVG] = now_s() - t0;
	err = 0;
out:
	synth_run_free(&s);
	fclose(null);
	return err;
}

int main(int argc, char **argv)
{
	double first[NSTAGES], sec[NSTAGES], tot, tot0 = 0;
	int conns, i, k, n0 = 0, n = 0;

	if (argc < 3) {
		fprintf(stderr, "usage: bench-report CONNS N...\n");
		return 2;
	}
	conns = atoi(argv[1]);
	printf("%-8s", "clients");
	for (k = 0; k < NSTAGES; k++)
		printf(" %13s", stage_name[k]);
	printf(" %9s %9s\n", "all", "peak RSS");
	for (i = 2; i < argc; i++) {
		n = atoi(argv[i]);
		if (bench_one(n, conns, sec))
			return 1;
		printf("%-8d", n);
		for (k = 0, tot = 0; k < NSTAGES; k++) {
			printf(" %12.4fs", sec[k]);
			tot += sec[k];
		}
		printf(" %8.3fs %6ld KiB\n", tot, peak_kib());
		if (i == 2) {
			n0 = n;
			tot0 = tot;
			for (k = 0; k < NSTAGES; k++)
				first[k] = sec[k];
		}
	}
	if (argc > 3) {
		printf("ratio %d/%d clients (linear: %.1f):", n, n0,
		       (double)n / n0);
		for (k = 0; k < NSTAGES; k++)
			printf(" %s %.1f", stage_name[k],
			       first[k] > 0 ? sec[k] / first[k] : 0);
		printf("; all %.1f\n", tot0 > 0 ? tot / tot0 : 0);
	}
	return 0;
}
