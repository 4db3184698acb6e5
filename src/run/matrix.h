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
 * matrix_apply() - the topology text with KEY set to VALUE
 * @text: topology text; @key: NODE.KEY, clients.KEY, traffic.KEY or
 *        lab.KEY; @value: the value
 *
 * Replaces the key's line in the section it belongs to, or adds it
 * after the section's header; a generated client with no section of its
 * own gets "[client NAME]" at the end.
 * Return: new text (free()), or NULL if no section fits (errno EINVAL).
 */
char *matrix_apply(const char *text, const char *key, const char *value);

/**
 * matrix_main() - run every combination and print one table
 * Return: 0; 1 if any cell's expectations failed; -errno.
 */
int matrix_main(const char *path, const char *text, size_t len,
		const char *name, struct matrix_opts *o);

void matrix_opts_free(struct matrix_opts *o);

#endif
