/* netns.c - named network namespaces under /run/netns, iproute2-compatible. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/log.h"
#include "lib/netns.h"

static int orig_fd = -1;

/*
 * Theory of operation: a named namespace is an empty file under /run/netns
 * with the namespace's nsfs inode bind-mounted on it, which keeps the
 * namespace alive without any process in it.  iproute2 makes /run/netns a
 * shared mount (bind-mounting it on itself first when it is not a mount
 * point) so that a later "ip netns add" seen from another mount namespace
 * still shows up everywhere; we do the same so that "ip netns exec" and
 * natlab agree on what exists.
 */
int netns_init(void)
{
	if (orig_fd < 0) {
		orig_fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
		if (orig_fd < 0)
			return -errno;
	}
	if (mkdir(NETNS_RUN_DIR, 0755) < 0 && errno != EEXIST)
		return -errno;
	if (mount("", NETNS_RUN_DIR, "none", MS_SHARED | MS_REC, NULL) == 0)
		return 0;
	if (errno != EINVAL)
		return -errno;
	/* Not a mount point yet: make it one, then share it. */
	if (mount(NETNS_RUN_DIR, NETNS_RUN_DIR, "none", MS_BIND | MS_REC,
		  NULL) < 0)
		return -errno;
	if (mount("", NETNS_RUN_DIR, "none", MS_SHARED | MS_REC, NULL) < 0)
		return -errno;
	return 0;
}

static void netns_path(const char *name, char *path)
{
	snprintf(path, PATH_MAX, "%s/%s", NETNS_RUN_DIR, name);
}

int netns_add(const char *name)
{
	char path[PATH_MAX];
	int fd, nsfd, err;

	netns_path(name, path);
	fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	close(fd);
	if (unshare(CLONE_NEWNET) < 0) {
		err = -errno;
		goto out_unlink;
	}
	if (mount("/proc/thread-self/ns/net", path, "none", MS_BIND, NULL) <
	    0) {
		err = -errno;
		goto out_leave;
	}
	nsfd = open(path, O_RDONLY | O_CLOEXEC);
	if (nsfd < 0) {
		err = -errno;
		goto out_umount;
	}
	return nsfd;

out_umount:
	umount2(path, MNT_DETACH);
out_leave:
	netns_leave();
out_unlink:
	unlink(path);
	return err;
}

int netns_del(const char *name)
{
	char path[PATH_MAX];
	int err = 0;

	netns_path(name, path);
	if (umount2(path, MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
		err = -errno;
	if (unlink(path) < 0 && errno != ENOENT && !err)
		err = -errno;
	return err;
}

void netns_name(const char *lab, const char *node, char *buf, size_t len)
{
	snprintf(buf, len, "%s-%s", lab, node);
}

int netns_open_node(const char *lab, const char *node)
{
	char name[NETNS_NAME_MAX];

	netns_name(lab, node, name, sizeof(name));
	return netns_open(name);
}

int netns_enter_node(const char *lab, const char *node)
{
	int fd = netns_open_node(lab, node), err;

	if (fd < 0)
		return fd;
	err = netns_enter(fd);
	close(fd);
	return err;
}

int netns_open(const char *name)
{
	char path[PATH_MAX];
	int fd;

	netns_path(name, path);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

int netns_exists(const char *name)
{
	char path[PATH_MAX];

	netns_path(name, path);
	return access(path, F_OK) == 0;
}

ino_t netns_inode(const char *name)
{
	char path[PATH_MAX];
	struct stat st;

	netns_path(name, path);
	if (stat(path, &st) < 0)
		return 0;
	return st.st_ino;
}

int netns_enter(int fd)
{
	if (setns(fd, CLONE_NEWNET) < 0)
		return -errno;
	return 0;
}

int netns_leave(void)
{
	if (orig_fd < 0)
		return -EBADF;
	if (setns(orig_fd, CLONE_NEWNET) < 0) {
		/* Staying in a lab namespace would send whatever comes next
		 * to the wrong place: there is no safe way on. */
		log_errno(-errno, "cannot return to the original namespace");
		_exit(3);
	}
	return 0;
}
