/* diag.h - TCP sockets of a namespace over sock_diag: look up, count, end. */
#ifndef NATLAB_DIAG_H
#define NATLAB_DIAG_H

#include <stddef.h>
#include <stdint.h>

#include "lib/tuple.h"

struct netlink;

/* What an exact lookup tells of one socket. */
struct diag_sock {
	int state;	/* TCP_*; a TIME_WAIT bucket shows its substate
			  (TCP_FIN_WAIT2 or TCP_TIME_WAIT), a request
			  socket TCP_SYN_RECV */
	uint32_t inode; /* 0: no process holds it (orphaned, a bucket or a
			   request) */
	long rto_us;	/* tcpi_rto, -1 if the socket has no tcp_info */
	int backoff;	/* tcpi_backoff: how often that RTO was doubled */
	uint32_t rqueue, wqueue; /* a listener: its accept queue, and the
				    queue's limit (sk_max_ack_backlog) */
};

/* diag_open() - a NETLINK_SOCK_DIAG socket of the current namespace
 * (netlink_open()); netlink_close() closes it.  Return: 0 or -errno. */
int diag_open(struct netlink *nl);

/**
 * diag_get() - one socket by its 4-tuple, as its namespace sees it (the
 * local end first): a full socket, a TIME_WAIT bucket or a request socket;
 * a tuple with raddr 0 and rport 0 finds the listener of laddr:lport
 * Return: 0, -ENOENT if there is none, or -errno.
 */
int diag_get(struct netlink *nl, const struct tuple *t, struct diag_sock *s);

/**
 * diag_rto() - the retransmission timeout of one socket (tcp_info)
 * Return: RTO in microseconds, or -errno (-ENOENT: no such socket).
 */
long diag_rto(struct netlink *nl, const struct tuple *t);

/**
 * diag_destroy() - end one socket, TIME_WAIT ones included (SOCK_DESTROY)
 * Return: 0 or -errno (-ENOENT: already gone).
 */
int diag_destroy(struct netlink *nl, const struct tuple *t);

/**
 * diag_count() - count TCP sockets by state
 * @counts: filled for states 1..11 (TCP_ESTABLISHED .. TCP_CLOSING),
 *          index by state number; counts[0] unused
 * Return: total, or -errno.
 */
int diag_count(struct netlink *nl, unsigned int counts[12]);

/**
 * diag_requests() - the request sockets (SYN received, handshake not
 * done) of the listener on laddr:lport: its SYN queue
 * Return: how many, or -errno.
 */
int diag_requests(struct netlink *nl, uint32_t laddr, uint16_t lport);

/* Build a request (no I/O), for tests: returns its length. */
size_t diag_build_req(void *buf, uint32_t seq, uint16_t type, uint16_t flags,
		      uint32_t states, const struct tuple *t);

#endif
