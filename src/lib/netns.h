/* netns.h - named network namespaces under /run/netns, iproute2-compatible. */
#ifndef NATLAB_NETNS_H
#define NATLAB_NETNS_H

#include <stddef.h>
#include <sys/types.h>

#define NETNS_RUN_DIR "/run/netns"

/* A lab's node lives in the namespace "<lab>-<node>": a lab's name has at
 * most 24 characters and a node's 11 (topo.h), so this holds any. */
#define NETNS_NAME_MAX 48

/* The node name of a lab's switch, which "<lab>-sw" holds. */
#define NETNS_SWITCH "sw"

/**
 * netns_name() - the namespace of node @node of lab @lab, "<lab>-<node>"
 * @buf: where to write it, @len bytes (NETNS_NAME_MAX is enough)
 */
void netns_name(const char *lab, const char *node, char *buf, size_t len);

/* netns_open_node() - open the namespace of a lab's node (netns_open()
 * of its netns_name()).  Return: fd or -errno. */
int netns_open_node(const char *lab, const char *node);

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

/* netns_enter_node() - enter the namespace of a lab's node; the caller
 * returns with netns_leave().  Return: 0 or -errno (then the caller is
 * still where it was). */
int netns_enter_node(const char *lab, const char *node);

/* Enter the namespace fd; netns_leave() returns to the original one.
 * Return: 0 or -errno. */
int netns_enter(int fd);
int netns_leave(void);

#endif
