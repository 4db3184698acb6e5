/* sysctl.h - sysctls of the current network namespace, by dotted name. */
#ifndef NATLAB_SYSCTL_H
#define NATLAB_SYSCTL_H

#include <stddef.h>

/**
 * sysctl_set() - write a sysctl such as "net.ipv4.tcp_timestamps"
 *
 * /proc/sys/net resolves to the network namespace of the thread that
 * opens the file, so this sets the value of the caller's namespace.
 * Return: 0 or -errno (-ENOENT: no such sysctl here).
 */
int sysctl_set(const char *key, const char *value);

/* Read a sysctl into buf.  Return: 0 or -errno. */
int sysctl_get(const char *key, char *buf, size_t len);

#endif
