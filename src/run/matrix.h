/* matrix.h - natlab matrix: one run per combination of axis values. */
#ifndef NATLAB_MATRIX_H
#define NATLAB_MATRIX_H

#include <stddef.h>

#define MATRIX_AXES_MAX	  8
#define MATRIX_VALUES_MAX 16

struct matrix_axis {
	char *key; /* "srv.sysctl.net.ipv4.tcp_timestamps" */
	char *values[MATRIX_VALUES_MAX];
	int nvalues;
};

struct matrix_opts {
	struct matrix_axis axes[MATRIX_AXES_MAX];
	int naxes;
	char *metrics; /* comma-separated, NULL: the default set */
	const char *json, *csv;
	int jobs; /* cells at once, 0: one per CPU */
};

/**
 * matrix_parse_axis() - parse "KEY=V1,V2,..." into an axis
 * Return: 0 or -EINVAL (message printed).
 */
int matrix_parse_axis(const char *arg, struct matrix_axis *a);

/**
 * matrix_main() - run every combination and print one table
 * Return: 0; 1 if any cell's expectations failed; -errno.
 */
int matrix_main(const char *path, const char *text, size_t len,
		const char *name, struct matrix_opts *o);

void matrix_opts_free(struct matrix_opts *o);

#endif
