/* statfile.c - a lab's files under /run/natlab: where each lives, and the
 * counter files one process rewrites and others read. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/statfile.h"

void statfile_path(const char *lab, const char *kind, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s.%s", STATFILE_DIR, lab, kind);
}

FILE *statfile_begin(struct statfile *sf, const char *lab, const char *kind)
{
	statfile_path(lab, kind, sf->path, sizeof(sf->path));
	snprintf(sf->tmp, sizeof(sf->tmp), "%s.tmp", sf->path);
	sf->f = fopen(sf->tmp, "we");
	return sf->f;
}

void statfile_commit(struct statfile *sf)
{
	if (!sf->f)
		return;
	if (fclose(sf->f) == 0)
		rename(sf->tmp, sf->path);
	else
		unlink(sf->tmp);
	sf->f = NULL;
}

void statfile_field(const char *line, const char *key, char *buf, size_t len)
{
	size_t klen = strlen(key);
	const char *p;

	buf[0] = '\0';
	for (p = strstr(line, key); p; p = strstr(p + 1, key)) {
		if (p > line && p[-1] == ' ' && p[klen] == ' ') {
			p += klen + 1;
			snprintf(buf, len, "%.*s", (int)strcspn(p, " \n"), p);
			return;
		}
	}
}

int statfile_get(const char *lab, const char *kind, const char *node,
		 const char *key, char *buf, size_t len)
{
	char path[STATFILE_PATH_MAX], want[96], *line = NULL;
	size_t cap = 0, wlen;
	FILE *f;

	buf[0] = '\0';
	statfile_path(lab, kind, path, sizeof(path));
	if (node)
		snprintf(want, sizeof(want), "node %s ", node);
	else
		snprintf(want, sizeof(want), "%s ", kind);
	wlen = strlen(want);
	f = fopen(path, "re");
	if (!f)
		return -ENOENT;
	while (!buf[0] && getline(&line, &cap, f) > 0)
		if (!strncmp(line, want, wlen))
			statfile_field(line, key, buf, len);
	free(line);
	fclose(f);
	return buf[0] ? 0 : -ENOENT;
}
