/* sysctl.c - sysctls of the current network namespace, by dotted name. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "lib/sysctl.h"
#include "lib/util.h"

static int sysctl_path(const char *key, char *path)
{
	size_t len = strlen(key), i;
	char *p;

	if (len + sizeof("/proc/sys/") > PATH_MAX || strstr(key, ".."))
		return -EINVAL;
	p = path + sprintf(path, "/proc/sys/");
	for (i = 0; i <= len; i++)
		p[i] = key[i] == '.' ? '/' : key[i];
	return 0;
}

int sysctl_set(const char *key, const char *value)
{
	char path[PATH_MAX];
	int err = sysctl_path(key, path);

	return err ? err : util_write_file(path, value);
}

int sysctl_get(const char *key, char *buf, size_t len)
{
	char path[PATH_MAX];
	int err = sysctl_path(key, path);

	if (err)
		return err;
	err = util_read_file(path, buf, len);
	return err < 0 ? err : 0;
}
