/* netlink.h - one netlink socket and the one request/answer talk over it. */
#ifndef NATLAB_NETLINK_H
#define NATLAB_NETLINK_H

#include <stddef.h>
#include <stdint.h>

#include <libmnl/libmnl.h>

/*
 * Every request natlab sends over libmnl goes through netlink_talk(), as
 * iproute2's go through rtnl_talk(): one request or one nfnetlink batch,
 * then every reply read until each request that asked for an answer has
 * its ack, its NLMSG_DONE, or an error.  The kernel's own words for an
 * error (NETLINK_EXT_ACK) are kept for the caller to show.  Builders that
 * fill the request do no I/O and are tested apart.
 *
 * (libnl-route's requests, link.c, keep libnl's own socket.)
 */

struct netlink {
	struct mnl_socket *sk;
	uint32_t portid;
	uint32_t seq;	  /* the last sequence number handed out */
	uint32_t err_seq; /* the request the kernel refused (its seq) */
	char msg[256];	  /* the kernel's text for it, "" if none */
	int rcvbuf;	  /* the socket's receive buffer, bytes */
};

/* Receive buffer for one read: a page of messages, or a dump's batch. */
#define NETLINK_RECV_SIZE 16384

/**
 * netlink_open() - open and bind a netlink socket in the current network
 * namespace: SOCK_CLOEXEC, NETLINK_EXT_ACK and NETLINK_CAP_ACK on, reads
 * that give up after 5 s should the kernel never answer
 * @nl:  filled
 * @bus: NETLINK_NETFILTER, NETLINK_ROUTE, ...
 * Return: 0 or -errno (then @nl holds nothing to close).
 */
int netlink_open(struct netlink *nl, int bus);

/* Close the socket (idempotent: a closed or zeroed @nl is left alone). */
void netlink_close(struct netlink *nl);

/* The next sequence number, for a request about to be built. */
uint32_t netlink_next_seq(struct netlink *nl);

/**
 * netlink_join() - listen to a multicast group (conntrack events, ...)
 * Return: 0 or -errno.
 */
int netlink_join(struct netlink *nl, unsigned int group);

/**
 * netlink_talk() - send requests and read until each is answered
 * @nl:   the socket
 * @req:  one message, or a batch of messages back to back
 * @len:  its length in bytes
 * @nreq: how many of its messages wait for an answer: an ack (NLM_F_ACK)
 *        or, for a dump (NLM_F_DUMP), its NLMSG_DONE; the others (a
 *        batch's BEGIN and END) are answered only if they fail
 * @cb:   called for every other message of the answers (the dumped
 *        objects, the entry a GET asked for); NULL: they are skipped.  A
 *        callback that returns MNL_CB_ERROR ends the talk with -EPROTO,
 *        MNL_CB_STOP ends it with 0 (the rest of the answers are not read)
 * @data: for @cb
 *
 * Every reply must be addressed to this socket and carry the sequence
 * number of one of the requests sent.
 * Return: 0; the kernel's -errno for the first request it refused (its
 * sequence number in @nl->err_seq, its text in @nl->msg); -ETIMEDOUT if
 * no answer came; -EPROTO for a reply that answers none of them.
 */
int netlink_talk(struct netlink *nl, const void *req, size_t len, int nreq,
		 mnl_cb_t cb, void *data);

/**
 * netlink_recv() - read what is queued on the socket now (events) and
 * pass each message to @cb; does not wait if nothing is
 * Return: messages read (0: none queued), or -errno (-ENOBUFS: the
 * kernel dropped events for want of room; the socket still works).
 */
int netlink_recv(struct netlink *nl, mnl_cb_t cb, void *data);

/**
 * netlink_nfnl_hdr() - start an nfnetlink request in @buf (no I/O): the
 * netlink header and its struct nfgenmsg (version 0)
 * @subsys, @type: NFNL_SUBSYS_* and its message type
 * @flags:  NLM_F_* besides NLM_F_REQUEST
 * @family: AF_INET, AF_UNSPEC, ...
 * @res_id: the subsystem's resource (a queue or NFLOG group), host order
 * Return: the header, for attributes to follow.
 */
struct nlmsghdr *netlink_nfnl_hdr(void *buf, uint8_t subsys, uint8_t type,
				  uint16_t flags, uint32_t seq, uint8_t family,
				  uint16_t res_id);

/* The socket's fd, for poll() and epoll. */
int netlink_fd(const struct netlink *nl);

#endif
