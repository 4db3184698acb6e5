/* diag.h - TCP sockets of a namespace over sock_diag: look up, count, end. */
#ifndef NATLAB_DIAG_H
#define NATLAB_DIAG_H

#include <stdint.h>

#include "lib/tuple.h"

/* Open a NETLINK_SOCK_DIAG socket in the current namespace.
 * Return: fd or -errno. */
int diag_open(void);

/**
 * diag_rto() - the retransmission timeout of one socket (tcp_info)
 * Return: RTO in microseconds, or -errno (-ENOENT: no such socket).
 */
long diag_rto(int fd, const struct tuple *t);

/**
 * diag_destroy() - end one socket, TIME_WAIT ones included (SOCK_DESTROY)
 * Return: 0 or -errno (-ENOENT: already gone).
 */
int diag_destroy(int fd, const struct tuple *t);

/**
 * diag_count() - count TCP sockets by state
 * @counts: filled for states 1..11 (TCP_ESTABLISHED .. TCP_CLOSING),
 *          index by state number; counts[0] unused
 * Return: total, or -errno.
 */
int diag_count(int fd, unsigned int counts[12]);

/* Build the request (no I/O), for tests: returns its length. */
size_t diag_build_req(void *buf, uint16_t type, uint16_t flags, uint32_t states,
		      const struct tuple *t);

#endif
