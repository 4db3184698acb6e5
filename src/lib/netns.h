/* netns.h - named network namespaces under /run/netns, iproute2-compatible. */
#ifndef NATLAB_NETNS_H
#define NATLAB_NETNS_H

#include <sys/types.h>

#define NETNS_RUN_DIR "/run/netns"

/**
 * netns_init() - remember the caller's namespace and prepare /run/netns
 *
 * Opens the current network namespace (the one natlab returns to), creates
 * /run/netns and makes it a shared mount point as "ip netns add" does, so
 * that namespace mounts propagate to other mount namespaces.
 * Return: 0 or -errno.
 */
int netns_init(void);

/**
 * netns_add() - create a named network namespace
 * @name: name under /run/netns; must not exist yet (O_EXCL: a clash with
 *        another lab or with the user's namespaces fails with -EEXIST)
 *
 * Leaves the calling thread INSIDE the new namespace, so that the caller
 * can open sockets and write sysctls there before netns_leave().
 * Return: an O_CLOEXEC fd of the namespace, or -errno (then the caller is
 * back in its original namespace and nothing is left behind).
 */
int netns_add(const char *name);

/**
 * netns_del() - unmount and remove /run/netns/NAME
 * Return: 0 (also if it did not exist) or -errno.
 */
int netns_del(const char *name);

/* Open /run/netns/NAME.  Return: fd or -errno. */
int netns_open(const char *name);

/* Does /run/netns/NAME exist? */
int netns_exists(const char *name);

/* The namespace inode of /run/netns/NAME (0 if absent). */
ino_t netns_inode(const char *name);

/* Enter the namespace fd; netns_leave() returns to the original one.
 * Return: 0 or -errno. */
int netns_enter(int fd);
int netns_leave(void);

#endif
