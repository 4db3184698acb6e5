/* nfq.h - NFQUEUE over libmnl: bind a queue, read packets, send verdicts. */
#ifndef NATLAB_NFQ_H
#define NATLAB_NFQ_H

#include <stddef.h>
#include <stdint.h>

/* NF_ACCEPT and NF_DROP, without pulling in kernel headers. */
#define NFQ_DROP   0
#define NFQ_ACCEPT 1

/* One queued packet, pointing into the queue's receive buffer (valid
 * until the next nfq_recv()). */
struct nfq_packet {
	uint32_t id;
	uint8_t hook;  /* NF_INET_LOCAL_IN, NF_INET_LOCAL_OUT, ... */
	uint8_t *data; /* IPv4 header onwards */
	size_t len;
	uint32_t skbinfo; /* NFQA_SKB_* (checksum not ready, GSO) */
	int truncated;	  /* the kernel copied less than the whole packet */
};

struct nfq;
struct nfq_io;

/* Called for every packet; must leave a verdict (now, or later through
 * nfq_verdict() on the same queue).  Return 0, or -errno to stop. */
typedef int (*nfq_cb)(struct nfq *q, struct nfq_packet *p, void *arg);

/**
 * nfq_io_new() - receive and verdict buffers for the queues of one thread
 *
 * Every queue opened on it reads into and sends verdicts from these
 * buffers, so they may be used by one thread at a time; a queue's
 * pending verdicts are sent before another queue's are collected.
 * Return: the buffers, or NULL with errno set.
 */
struct nfq_io *nfq_io_new(void);
/* Free them, after every queue opened on them is closed. */
void nfq_io_free(struct nfq_io *io);

/**
 * nfq_open() - bind NFQUEUE @queue in the current network namespace
 * @io:        the buffers it shares with the thread's other queues
 * @maxlen:    packets the kernel may hold for us before it drops
 * @fail_open: when the queue is full, accept instead of dropping
 *
 * Copies whole packets, with GSO packets kept whole and checksums left
 * as the stack has them (NFQA_CFG_F_GSO): the caller must honour
 * NFQA_SKB_CSUMNOTREADY.
 * Return: the queue, or NULL with errno set.
 */
struct nfq *nfq_open(struct nfq_io *io, uint16_t queue, uint32_t maxlen,
		     int fail_open);
void nfq_close(struct nfq *q);
int nfq_fd(const struct nfq *q);

/**
 * nfq_recv() - read the packets waiting on the socket (non-blocking)
 *
 * Reads them many per system call, sends their verdicts many per system
 * call, and reads again, since a verdict's packet may bring the next one
 * (the peer's answer) while it is sent; it returns when the socket is
 * empty, or after about a thousand packets, so that one busy queue does not
 * starve the others.
 * Return: number of packets handled, or -errno.  A socket overrun
 * (ENOBUFS: the kernel dropped messages for us) is counted in
 * *overruns and reading goes on.
 */
int nfq_recv(struct nfq *q, nfq_cb cb, void *arg, uint64_t *overruns);

/**
 * nfq_verdict() - queue a verdict for packet @id
 * @data, @len: the packet's new bytes, or NULL to keep it as it is
 * Verdicts are sent by nfq_flush(), many per system call.
 * Return: 0 or -errno.
 */
int nfq_verdict(struct nfq *q, uint32_t id, int verdict, const void *data,
		size_t len);

/* Send the queued verdicts.  Return: 0 or -errno. */
int nfq_flush(struct nfq *q);

/*
 * Message builders (no I/O), for nfq.c and its unit tests.  Each writes
 * one netlink message at @buf (at least NFQ_MSG_MIN bytes, or len + that
 * for a verdict with payload) and returns its length.
 */
#define NFQ_MSG_MIN 256
size_t nfq_build_bind(void *buf, uint16_t queue, uint32_t seq);
size_t nfq_build_params(void *buf, uint16_t queue, uint32_t maxlen,
			int fail_open, uint32_t seq);
size_t nfq_build_verdict(void *buf, uint16_t queue, uint32_t id, int verdict,
			 const void *data, size_t len);

/**
 * nfq_parse_packet() - read a NFQNL_MSG_PACKET message
 * Return: 0, or -EINVAL if it is not a well-formed packet message.
 */
int nfq_parse_packet(const void *msg, size_t len, struct nfq_packet *p);

#endif
